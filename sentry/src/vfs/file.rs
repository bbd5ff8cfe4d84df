//! Open file descriptions.

use std::any::Any;
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex, MutexGuard};

use sbx_abi::flags::OpenFlags;
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::{Inode, Location};
use crate::kernel::Task;

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Name.
    pub name: Vec<u8>,
    /// Inode number.
    pub ino: u64,
    /// `DT_*` type.
    pub d_type: u8,
}

/// The offset passed to [`FileOps::read`]/[`FileOps::write`] meaning "at the host
/// fd's own position".
pub const HOST_POS: u64 = u64::MAX;

/// What a kind of open file can do. Offsets are the description's position (or the
/// pread/pwrite offset); files without positions (pipes, terminals) ignore them.
pub trait FileOps: Send + Sync + Any {
    /// Reads at `off` into `buf`; returns the byte count (0 at end of file). Files
    /// whose reads block implement [`read_blocking`](Self::read_blocking) instead.
    fn read(&self, _file: &FileDescription, _buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    /// Writes `buf` at `off`; returns the byte count.
    fn write(&self, _file: &FileDescription, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    /// The file's attributes.
    fn stat(&self, file: &FileDescription) -> Result<Stat, Errno>;
    /// Whether the file has a position (lseek works); false for pipes and terminals.
    fn seekable(&self) -> bool {
        true
    }
    /// ioctl(2); ENOTTY unless the file knows the request.
    fn ioctl(&self, _file: &FileDescription, _t: &Task, _req: u64, _arg: u64) -> Result<u64, Errno> {
        Err(Errno::ENOTTY)
    }
    /// A host fd holding the file's bytes, for reads straight into guest memory.
    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
    /// fsync(2).
    fn sync(&self) -> Result<(), Errno> {
        Ok(())
    }
    /// Whether the file's position lives in a host fd (the stdio of `sbx run`,
    /// shared with the processes outside): reads and writes without an explicit
    /// offset then get [`HOST_POS`] and lseek goes to [`FileOps::host_lseek`].
    fn host_position(&self) -> bool {
        false
    }
    /// lseek(2) on the host fd, for files with [`host_position`](Self::host_position).
    fn host_lseek(&self, _off: i64, _whence: u32) -> Result<u64, Errno> {
        Err(Errno::ESPIPE)
    }
    /// The memory behind a MAP_SHARED mapping of `[off, off+len)` for files whose
    /// pages live in the memory file (tmpfs); None where sharing is not possible.
    fn shared_pages(&self, _off: u64, _len: u64) -> Option<Result<(std::sync::Arc<crate::mm::Chunk>, u64), Errno>> {
        None
    }
    /// The pipe end, for files that block (read/write go through the pipe).
    fn as_pipe(&self) -> Option<&crate::fs::pipe::PipeEnd> {
        None
    }
    /// For files whose reads block (pipes, eventfd, timerfd): read for task `t`,
    /// waiting unless `nonblock`. None: use [`read`](Self::read).
    fn read_blocking(&self, _t: &Task, _buf: &mut [u8], _nonblock: bool) -> Option<Result<usize, Errno>> {
        None
    }
    /// For files whose writes block: the counterpart of
    /// [`read_blocking`](Self::read_blocking).
    fn write_blocking(&self, _t: &Task, _buf: &[u8], _nonblock: bool) -> Option<Result<usize, Errno>> {
        None
    }
    /// A counter that moves whenever the file's readiness may have changed (data in,
    /// data out, an end closed): edge-triggered epoll reports each change.
    fn poll_seq(&self) -> u64 {
        0
    }
    /// The socket, for sockets.
    fn as_socket(&self) -> Option<&crate::fs::socket::UnixStream> {
        None
    }
    /// The timer, for timerfds.
    fn as_timerfd(&self) -> Option<&crate::fs::eventfd::TimerFd> {
        None
    }
    /// The epoll instance, for epoll fds.
    fn as_epoll(&self) -> Option<&crate::fs::epoll::Epoll> {
        None
    }
    /// Readiness as task `t` sees it: the same as [`poll`](Self::poll) except for
    /// files whose state depends on the caller (a signalfd reads the caller's
    /// pending signals, as Linux evaluates it for `current`).
    fn poll_for(&self, _t: &Task) -> u32 {
        self.poll()
    }
    /// Readiness for poll/select (POLL* bits); regular files are always ready.
    fn poll(&self) -> u32 {
        match self.as_pipe() {
            Some(p) => p.poll(),
            None => {
                crate::fs::pipe::POLLIN
                    | crate::fs::pipe::POLLOUT
                    | crate::fs::pipe::POLLRDNORM
                    | crate::fs::pipe::POLLWRNORM
            }
        }
    }
}

/// An open file description (`struct file`): shared by dup'd fds and across fork.
pub struct FileDescription {
    /// The file's operations.
    pub ops: Box<dyn FileOps>,
    /// Status flags (access mode, O_APPEND, O_NONBLOCK, ...).
    pub flags: Mutex<OpenFlags>,
    /// The file position.
    pub pos: Mutex<u64>,
    /// The path it was opened by, as shown in /proc/PID/fd and maps.
    pub path: String,
    /// Where it is in the tree (None for pipes, sockets and the host stdio).
    pub loc: Option<Location>,
    /// A directory listing being read by getdents (taken at position 0).
    pub dirents: Mutex<Option<Vec<DirEntry>>>,
    /// The flock(2) lock this description holds: (table, file, owner id).
    pub flock: Mutex<Option<FlockHeld>>,
    /// Where this description holds open file description locks (F_OFD_SETLK):
    /// (table, file, owner id), released when it is last closed.
    pub ofd_locks: Mutex<Option<FlockHeld>>,
    /// Told when the description goes (inotify's close events); set by open(2).
    pub notify: std::sync::OnceLock<Arc<crate::fs::inotify::Notify>>,
}

/// A held flock: the lock table, the file's identity and the owner id.
pub type FlockHeld = (Arc<crate::kernel::locks::RecordLocks>, (u64, u64), u64);

impl Drop for FileDescription {
    fn drop(&mut self) {
        if let Some(n) = self.notify.get() {
            n.closed(self);
        }
        if let Some((table, key, owner)) = self.flock.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            table.release(key, owner);
        }
        if let Some((table, key, owner)) = self.ofd_locks.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            table.release(key, owner);
        }
    }
}

impl FileDescription {
    /// A description for `ops` opened with `flags` at `path`.
    pub fn new(ops: Box<dyn FileOps>, flags: OpenFlags, path: String) -> Self {
        FileDescription {
            ops,
            flags: Mutex::new(flags),
            pos: Mutex::new(0),
            path,
            loc: None,
            dirents: Mutex::new(None),
            flock: Mutex::new(None),
            ofd_locks: Mutex::new(None),
            notify: std::sync::OnceLock::new(),
        }
    }
    /// A description of the file at `loc`.
    pub fn at(ops: Box<dyn FileOps>, flags: OpenFlags, loc: Location) -> Self {
        let mut f = Self::new(ops, flags, loc.path_string());
        f.loc = Some(loc);
        f
    }
    /// Current status flags.
    pub fn flags(&self) -> OpenFlags {
        *self.flags.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Locks the position.
    pub fn pos(&self) -> MutexGuard<'_, u64> {
        self.pos.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// The inode, for files in the tree.
    pub fn inode(&self) -> Option<&Arc<dyn Inode>> {
        self.loc.as_ref().map(|l| l.inode())
    }
    /// Reads at an explicit offset (pread semantics, position unchanged).
    pub fn pread(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.ops.read(self, buf, off)
    }
    /// The file's attributes.
    pub fn stat(&self) -> Result<Stat, Errno> {
        match self.inode() {
            Some(i) => i.stat(),
            None => self.ops.stat(self),
        }
    }
    /// A host fd for direct I/O, if the file has one.
    pub fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        self.ops.host_fd()
    }
}

/// The FileOps of a directory: reads are EISDIR; entries come from the inode.
pub struct DirFile;

impl FileOps for DirFile {
    fn read(&self, _f: &FileDescription, _b: &mut [u8], _o: u64) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }
    fn write(&self, _f: &FileDescription, _b: &[u8], _o: u64) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }
    fn stat(&self, f: &FileDescription) -> Result<Stat, Errno> {
        f.inode().ok_or(Errno::EBADF)?.stat()
    }
}

/// The FileOps of an O_PATH descriptor: no I/O at all.
pub struct PathFile;

impl FileOps for PathFile {
    fn read(&self, _f: &FileDescription, _b: &mut [u8], _o: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn write(&self, _f: &FileDescription, _b: &[u8], _o: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn stat(&self, f: &FileDescription) -> Result<Stat, Errno> {
        f.inode().ok_or(Errno::EBADF)?.stat()
    }
}
