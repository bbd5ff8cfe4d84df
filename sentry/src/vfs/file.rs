//! Open file descriptions.

use std::any::Any;
use std::os::fd::BorrowedFd;
use std::sync::Mutex;

use sbx_abi::flags::OpenFlags;
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

/// What a kind of open file can do. Offsets are the description's position (or the
/// pread/pwrite offset); files without positions (pipes, terminals) ignore them.
pub trait FileOps: Send + Sync + Any {
    /// Reads at `off` into `buf`; returns the byte count (0 at end of file).
    fn read(&self, file: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno>;
    /// Writes `buf` at `off`; returns the byte count.
    fn write(&self, file: &FileDescription, buf: &[u8], off: u64) -> Result<usize, Errno>;
    /// The file's attributes.
    fn stat(&self, file: &FileDescription) -> Result<Stat, Errno>;
    /// Whether the file has a position (lseek works); false for pipes and terminals.
    fn seekable(&self) -> bool {
        true
    }
    /// ioctl(2); ENOTTY unless the file knows the request.
    fn ioctl(&self, _file: &FileDescription, _t: &crate::kernel::Task, _req: u64, _arg: u64) -> Result<u64, Errno> {
        Err(Errno::ENOTTY)
    }
    /// A host fd holding the file's bytes, for reads straight into guest memory.
    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        None
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
}

impl FileDescription {
    /// A description for `ops` opened with `flags` at `path`.
    pub fn new(ops: Box<dyn FileOps>, flags: OpenFlags, path: String) -> Self {
        FileDescription { ops, flags: Mutex::new(flags), pos: Mutex::new(0), path }
    }
    /// Current status flags.
    pub fn flags(&self) -> OpenFlags {
        *self.flags.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Reads at an explicit offset (pread semantics, position unchanged).
    pub fn pread(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.ops.read(self, buf, off)
    }
    /// The file's attributes.
    pub fn stat(&self) -> Result<Stat, Errno> {
        self.ops.stat(self)
    }
    /// A host fd for direct I/O, if the file has one.
    pub fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        self.ops.host_fd()
    }
}
