//! tmpfs: a file system in Sentry memory. Also the writable upper layer of the
//! overlay root, which is why it knows about whiteouts and opaque directories.
//!
//! Lock order: parent directory's `entries` → child's `meta`.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use sbx_abi::flags::{dt, OpenFlags, S_IFBLK, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use crate::kernel::Task;
use crate::mm::{Chunk, MemoryPool};
use crate::vfs::{Create, DirEntry, FileDescription, FileOps, Inode, SetAttr};

/// Largest tmpfs file (a guard against runaway growth of a Vec).
const MAX_FILE: u64 = 1 << 40;

/// One tmpfs instance: inode numbers, the device number, and the memory its files
/// live in.
pub struct TmpFs {
    dev: u64,
    next_ino: AtomicU64,
    pool: Arc<MemoryPool>,
}

/// A regular file's bytes: a range of the memory file (so MAP_SHARED mappings see
/// the file itself), grown by doubling.
///
/// Growing past the capacity moves the data to a bigger range; a MAP_SHARED mapping
/// made before keeps the old pages (TODO(issue 5): page-granular file pages). Shared
/// mappings ask for at least [`SHARED_MIN`] up front to make that rare.
#[derive(Default)]
pub struct FileData {
    chunk: Option<Arc<Chunk>>,
    size: u64,
}

/// Capacity given to a file when it is first mapped MAP_SHARED.
const SHARED_MIN: u64 = 1 << 20;

/// Metadata of a node.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Type and permissions.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Links.
    pub nlink: u64,
    /// Access time.
    pub atime: (i64, i64),
    /// Modification time.
    pub mtime: (i64, i64),
    /// Change time.
    pub ctime: (i64, i64),
}

/// A directory's entries: name → child.
pub type Entries = BTreeMap<Vec<u8>, Arc<TmpInode>>;

/// What a node holds.
pub enum Content {
    /// A directory.
    Dir(Mutex<Entries>),
    /// A regular file's bytes.
    File(Mutex<FileData>),
    /// A symlink's target.
    Symlink(Vec<u8>),
    /// An overlay whiteout: hides the lower file of the same name.
    Whiteout,
    /// A character device node: opening it opens the device (see fs/dev.rs).
    Device(u64),
    /// A block device node (mknod(2)); opening it is ENXIO.
    BlockDevice(u64),
    /// A FIFO: the pipe every open of the node shares (see fs/fifo.rs).
    Fifo(Arc<super::pipe::Pipe>),
}

/// A tmpfs node.
pub struct TmpInode {
    fs: Arc<TmpFs>,
    ino: u64,
    meta: Mutex<Meta>,
    /// The content.
    pub content: Content,
    /// Overlay: this directory hides the lower directory's entries.
    pub opaque: AtomicBool,
    /// Open files of this node (see [`Inode::open_files`]).
    open: AtomicUsize,
    /// File seals (F_ADD_SEALS); every node starts sealed against sealing, as
    /// Linux's shmem inodes do, and only memfds with MFD_ALLOW_SEALING are not.
    seals: AtomicU32,
    /// An O_TMPFILE file (without O_EXCL) that linkat(2) may still give a name
    /// while it has no link (Linux's I_LINKABLE); cleared by the first link.
    linkable: AtomicBool,
}

/// Seal further seals.
pub const F_SEAL_SEAL: u32 = 1;
/// No shrinking.
pub const F_SEAL_SHRINK: u32 = 2;
/// No growing.
pub const F_SEAL_GROW: u32 = 4;
/// No writes (nor new writable shared mappings).
pub const F_SEAL_WRITE: u32 = 8;
/// No writes through new means; existing writable mappings keep working.
pub const F_SEAL_FUTURE_WRITE: u32 = 0x10;
/// No changes to the execute bits.
pub const F_SEAL_EXEC: u32 = 0x20;
/// Every seal.
const ALL_SEALS: u32 = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;

/// The current time as (sec, nsec).
pub fn now() -> (i64, i64) {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() as i64, i64::from(d.subsec_nanos()))
}

impl TmpFs {
    /// A new, empty tmpfs whose root has `mode` (e.g. 0o1777 for /tmp).
    pub fn new_root(pool: &Arc<MemoryPool>, dev: u64, mode: u32, uid: u32, gid: u32) -> Arc<TmpInode> {
        let fs = Arc::new(TmpFs { dev, next_ino: AtomicU64::new(1), pool: pool.clone() });
        fs.node(Content::Dir(Mutex::new(BTreeMap::new())), Create { mode: S_IFDIR | (mode & 0o7777), uid, gid })
    }

    fn node(self: &Arc<Self>, content: Content, c: Create) -> Arc<TmpInode> {
        let t = now();
        let nlink = if c.mode & S_IFMT == S_IFDIR { 2 } else { 1 };
        Arc::new(TmpInode {
            fs: self.clone(),
            ino: self.next_ino.fetch_add(1, Ordering::Relaxed),
            meta: Mutex::new(Meta { mode: c.mode, uid: c.uid, gid: c.gid, nlink, atime: t, mtime: t, ctime: t }),
            content,
            opaque: AtomicBool::new(false),
            open: AtomicUsize::new(0),
            seals: AtomicU32::new(F_SEAL_SEAL),
            linkable: AtomicBool::new(false),
        })
    }
}

impl TmpInode {
    /// Locks the metadata.
    pub fn meta(&self) -> MutexGuard<'_, Meta> {
        self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The directory entries; ENOTDIR for other nodes.
    pub fn entries(&self) -> Result<MutexGuard<'_, Entries>, Errno> {
        match &self.content {
            Content::Dir(m) => Ok(m.lock().unwrap_or_else(|e| e.into_inner())),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn data(&self) -> Result<MutexGuard<'_, FileData>, Errno> {
        match &self.content {
            Content::File(m) => Ok(m.lock().unwrap_or_else(|e| e.into_inner())),
            Content::Dir(_) => Err(Errno::EISDIR),
            _ => Err(Errno::EINVAL),
        }
    }

    fn touch_dir(&self) {
        let t = now();
        let mut m = self.meta();
        m.mtime = t;
        m.ctime = t;
    }

    /// The child `name` including whiteouts (for the overlay).
    pub fn raw_lookup(&self, name: &[u8]) -> Result<Option<Arc<TmpInode>>, Errno> {
        Ok(self.entries()?.get(name).cloned())
    }

    /// Inserts a new child, failing with EEXIST if a real (non-whiteout) entry
    /// exists; a whiteout of that name is replaced.
    fn insert(&self, name: &[u8], child: Arc<TmpInode>) -> Result<(), Errno> {
        let mut e = self.entries()?;
        if let Some(old) = e.get(name) {
            if !matches!(old.content, Content::Whiteout) {
                return Err(Errno::EEXIST);
            }
        }
        if matches!(child.content, Content::Dir(_)) {
            self.meta().nlink += 1;
        }
        e.insert(name.to_vec(), child);
        drop(e);
        self.touch_dir();
        Ok(())
    }

    /// Creates a regular file holding `data` and returns it (typed, for the
    /// overlay's copy-up).
    pub fn create_file(&self, name: &[u8], c: Create, data: Vec<u8>) -> Result<Arc<TmpInode>, Errno> {
        let n = self.fs.node(Content::File(Mutex::new(FileData::default())), c);
        if !data.is_empty() {
            n.write_at(&data, 0)?;
        }
        self.insert(name, n.clone())?;
        Ok(n)
    }

    /// Makes the file's range hold at least `need` bytes, moving it if it must grow.
    fn reserve(&self, d: &mut FileData, need: u64, min_cap: u64) -> Result<(), Errno> {
        let cap = d.chunk.as_ref().map_or(0, |c| c.len);
        if need <= cap && min_cap <= cap {
            return Ok(());
        }
        let new_cap = need.max(min_cap).max(4096).checked_next_power_of_two().ok_or(Errno::EFBIG)?;
        let chunk = self.fs.pool.allocate(new_cap).map_err(|_| Errno::ENOSPC)?;
        if let Some(old) = &d.chunk {
            self.fs.pool.file.copy_sparse(old.off, chunk.off, d.size.min(old.len));
        }
        d.chunk = Some(chunk);
        Ok(())
    }

    /// Reads file bytes at `off`.
    fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let d = self.data()?;
        if off >= d.size {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(d.size - off) as usize;
        if let Some(c) = &d.chunk {
            self.fs.pool.file.read(c.off + off, &mut buf[..n]);
        } else {
            buf[..n].fill(0);
        }
        Ok(n)
    }

    /// Writes file bytes at `off`, growing the file.
    fn write_at(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE {
            return Err(Errno::EFBIG);
        }
        let seals = self.seals();
        if seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
            return Err(Errno::EPERM);
        }
        let mut d = self.data()?;
        if seals & F_SEAL_GROW != 0 && end > d.size {
            return Err(Errno::EPERM);
        }
        self.reserve(&mut d, end, 0)?;
        let c = d.chunk.as_ref().ok_or(Errno::EIO)?;
        self.fs.pool.file.write(c.off + off, buf);
        d.size = d.size.max(end);
        Ok(buf.len())
    }

    /// Sets the size; bytes past a shrink read as zero if the file grows again.
    fn set_size(&self, size: u64) -> Result<(), Errno> {
        let mut d = self.data()?;
        let seals = self.seals();
        if (size < d.size && seals & F_SEAL_SHRINK != 0) || (size > d.size && seals & F_SEAL_GROW != 0) {
            return Err(Errno::EPERM);
        }
        if size < d.size {
            if let Some(c) = &d.chunk {
                let f = &self.fs.pool.file;
                let page_end = crate::mm::page_up(size).unwrap_or(size).min(c.len);
                f.write(c.off + size, &vec![0u8; (page_end - size) as usize]);
                f.punch(c.off + page_end, c.len - page_end);
            }
        } else {
            self.reserve(&mut d, size, 0)?;
        }
        d.size = size;
        Ok(())
    }

    /// The file's seals (F_GET_SEALS).
    pub fn seals(&self) -> u32 {
        self.seals.load(Ordering::Relaxed)
    }

    /// F_ADD_SEALS: EPERM once F_SEAL_SEAL is set, EBUSY for F_SEAL_WRITE while
    /// the file is mapped MAP_SHARED (Linux asks only that no mapping be writable:
    /// mappings are not told apart here).
    pub fn add_seals(&self, add: u32) -> Result<(), Errno> {
        if add & !ALL_SEALS != 0 {
            return Err(Errno::EINVAL);
        }
        let d = self.data()?;
        let cur = self.seals();
        if cur & F_SEAL_SEAL != 0 {
            return Err(Errno::EPERM);
        }
        if add & F_SEAL_WRITE != 0
            && cur & F_SEAL_WRITE == 0
            && d.chunk.as_ref().is_some_and(|c| Arc::strong_count(c) > 1)
        {
            return Err(Errno::EBUSY);
        }
        self.seals.fetch_or(add, Ordering::Relaxed);
        Ok(())
    }

    /// Replaces the seals (a new memfd's).
    pub fn set_seals(&self, seals: u32) {
        self.seals.store(seals, Ordering::Relaxed);
    }

    /// Creates a regular file with no name (O_TMPFILE, memfd_create): no link, and
    /// linkable by linkat(2) unless `linkable` is false (O_EXCL).
    pub fn create_unnamed(&self, c: Create, linkable: bool) -> Arc<TmpInode> {
        let n = self
            .fs
            .node(Content::File(Mutex::new(FileData::default())), Create { mode: S_IFREG | (c.mode & 0o7777), ..c });
        n.meta().nlink = 0;
        n.linkable.store(linkable, Ordering::Relaxed);
        n
    }

    /// The memory behind the file for a MAP_SHARED mapping of `[off, off+len)`.
    pub fn shared_pages(&self, off: u64, len: u64) -> Result<(Arc<Chunk>, u64), Errno> {
        let need = off.checked_add(len).ok_or(Errno::EOVERFLOW)?;
        let mut d = self.data()?;
        self.reserve(&mut d, need, SHARED_MIN)?;
        Ok((d.chunk.clone().ok_or(Errno::EIO)?, off))
    }

    /// Creates a directory and returns it.
    pub fn create_dir(&self, name: &[u8], c: Create) -> Result<Arc<TmpInode>, Errno> {
        let n =
            self.fs.node(Content::Dir(Mutex::new(BTreeMap::new())), Create { mode: S_IFDIR | (c.mode & 0o7777), ..c });
        self.insert(name, n.clone())?;
        Ok(n)
    }

    /// Creates a symlink and returns it.
    pub fn create_symlink(&self, name: &[u8], target: &[u8], c: Create) -> Result<Arc<TmpInode>, Errno> {
        let n = self.fs.node(Content::Symlink(target.to_vec()), Create { mode: S_IFLNK | 0o777, ..c });
        self.insert(name, n.clone())?;
        Ok(n)
    }

    /// Creates a character device node.
    pub fn create_device(&self, name: &[u8], rdev: u64, c: Create) -> Result<Arc<TmpInode>, Errno> {
        let n = self.fs.node(Content::Device(rdev), Create { mode: sbx_abi::flags::S_IFCHR | (c.mode & 0o7777), ..c });
        self.insert(name, n.clone())?;
        Ok(n)
    }

    /// Creates a special file (mknod(2)) of the type in `c.mode`: FIFO, character
    /// or block device, or regular file; returns it.
    pub fn create_special(&self, name: &[u8], c: Create, rdev: u64) -> Result<Arc<TmpInode>, Errno> {
        let content = match c.mode & S_IFMT {
            S_IFREG => return self.create_file(name, c, Vec::new()),
            // Open FIFOs stat through the node, so the pipe needs no inode number.
            sbx_abi::flags::S_IFIFO => Content::Fifo(super::pipe::Pipe::new_unopened(0)),
            sbx_abi::flags::S_IFCHR => Content::Device(rdev),
            S_IFBLK => Content::BlockDevice(rdev),
            _ => return Err(Errno::EPERM),
        };
        let n = self.fs.node(content, c);
        self.insert(name, n.clone())?;
        Ok(n)
    }

    /// Puts a whiteout at `name`, replacing any entry.
    pub fn whiteout(&self, name: &[u8]) -> Result<(), Errno> {
        let n = self.fs.node(Content::Whiteout, Create { mode: 0o020000, uid: 0, gid: 0 });
        let old = self.entries()?.insert(name.to_vec(), n);
        if old.is_some_and(|o| matches!(o.content, Content::Dir(_))) {
            self.meta().nlink -= 1;
        }
        self.touch_dir();
        Ok(())
    }

    /// Removes the entry `name` whatever it is; returns it.
    pub fn remove_entry(&self, name: &[u8]) -> Result<Arc<TmpInode>, Errno> {
        let old = self.entries()?.remove(name).ok_or(Errno::ENOENT)?;
        if matches!(old.content, Content::Dir(_)) {
            self.meta().nlink -= 1;
        }
        self.touch_dir();
        Ok(old)
    }

    /// Removes the entry `name` as unlink(2) does: a file it named loses a link.
    pub fn unlink_entry(&self, name: &[u8]) -> Result<Arc<TmpInode>, Errno> {
        let old = self.remove_entry(name)?;
        if !matches!(old.content, Content::Dir(_)) {
            let mut m = old.meta();
            m.nlink = m.nlink.saturating_sub(1);
            m.ctime = now();
        }
        Ok(old)
    }

    /// Whether a directory has no entries but whiteouts.
    pub fn is_empty_dir(&self) -> Result<bool, Errno> {
        Ok(self.entries()?.values().all(|c| matches!(c.content, Content::Whiteout)))
    }

    /// The file's bytes (for tests).
    pub fn read_all(&self) -> Result<Vec<u8>, Errno> {
        let size = self.data()?.size as usize;
        let mut v = vec![0u8; size];
        let n = self.read_at(&mut v, 0)?;
        v.truncate(n);
        Ok(v)
    }

    fn unlink_checked(&self, name: &[u8], want_dir: bool) -> Result<(), Errno> {
        let mut e = self.entries()?;
        let child = e.get(name).cloned().ok_or(Errno::ENOENT)?;
        match (&child.content, want_dir) {
            (Content::Whiteout, _) => return Err(Errno::ENOENT),
            (Content::Dir(_), false) => return Err(Errno::EISDIR),
            (Content::Dir(_), true) if !child.is_empty_dir()? => return Err(Errno::ENOTEMPTY),
            (Content::Dir(_), true) => {}
            (_, true) => return Err(Errno::ENOTDIR),
            _ => {}
        }
        e.remove(name);
        drop(e);
        if want_dir {
            self.meta().nlink -= 1;
        } else {
            let mut m = child.meta();
            m.nlink = m.nlink.saturating_sub(1);
            m.ctime = now();
        }
        self.touch_dir();
        Ok(())
    }

    fn setattr_inner(&self, a: &SetAttr) -> Result<(), Errno> {
        if let Some(mode) = a.mode {
            if self.seals() & F_SEAL_EXEC != 0 && (mode ^ self.meta().mode) & 0o111 != 0 {
                return Err(Errno::EPERM);
            }
        }
        if let Some(size) = a.size {
            if size > MAX_FILE {
                return Err(Errno::EFBIG);
            }
            self.set_size(size)?;
            let t = now();
            let mut m = self.meta();
            m.mtime = t;
            m.ctime = t;
        }
        let mut m = self.meta();
        if let Some(mode) = a.mode {
            m.mode = (m.mode & S_IFMT) | (mode & 0o7777);
        }
        if let Some(u) = a.uid {
            m.uid = u;
        }
        if let Some(g) = a.gid {
            m.gid = g;
        }
        if let Some(t) = a.atime {
            m.atime = t;
        }
        if let Some(t) = a.mtime {
            m.mtime = t;
        }
        m.ctime = now();
        Ok(())
    }
}

impl Inode for TmpInode {
    fn stat(&self) -> Result<Stat, Errno> {
        let size = match &self.content {
            Content::File(d) => d.lock().unwrap_or_else(|e| e.into_inner()).size as i64,
            Content::Symlink(t) => t.len() as i64,
            Content::Dir(_) => 4096,
            Content::Whiteout | Content::Device(_) | Content::BlockDevice(_) | Content::Fifo(_) => 0,
        };
        let rdev = match self.content {
            Content::Device(d) | Content::BlockDevice(d) => d,
            _ => 0,
        };
        let m = self.meta();
        Ok(Stat {
            st_rdev: rdev,
            st_dev: self.fs.dev,
            st_ino: self.ino,
            st_nlink: m.nlink,
            st_mode: m.mode,
            st_uid: m.uid,
            st_gid: m.gid,
            st_size: size,
            st_blksize: 4096,
            st_blocks: (size + 511) / 512,
            st_atime: m.atime.0,
            st_atime_nsec: m.atime.1,
            st_mtime: m.mtime.0,
            st_mtime_nsec: m.mtime.1,
            st_ctime: m.ctime.0,
            st_ctime_nsec: m.ctime.1,
            ..Default::default()
        })
    }

    fn lookup(&self, _t: &Task, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        match self.raw_lookup(name)? {
            Some(c) if !matches!(c.content, Content::Whiteout) => Ok(c),
            _ => Err(Errno::ENOENT),
        }
    }

    fn readdir(&self, _t: &Task) -> Result<Vec<DirEntry>, Errno> {
        Ok(self
            .entries()?
            .iter()
            .filter(|(_, c)| !matches!(c.content, Content::Whiteout))
            .map(|(n, c)| DirEntry { name: n.clone(), ino: c.ino, d_type: dt::from_mode(c.meta().mode) })
            .collect())
    }

    fn readlink(&self, _t: &Task) -> Result<Vec<u8>, Errno> {
        match &self.content {
            Content::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn open(self: Arc<Self>, t: &Task, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        match &self.content {
            Content::File(_) => Ok(Box::new(TmpFile::new(self))),
            Content::Dir(_) => Ok(Box::new(crate::vfs::DirFile)),
            // 0/0 is the whiteout mknod(2) may make; no driver has it (chrdev_open).
            Content::Device(0) => Err(Errno::ENXIO),
            Content::Device(rdev) => super::dev::open_device(*rdev),
            Content::Fifo(pipe) => super::fifo::open(t, pipe, flags),
            _ => Err(Errno::ENXIO),
        }
    }

    fn create(&self, _t: &Task, name: &[u8], c: Create) -> Result<Arc<dyn Inode>, Errno> {
        if c.mode & S_IFMT != S_IFREG {
            return Err(Errno::EPERM);
        }
        Ok(self.create_file(name, c, Vec::new())?)
    }

    fn mkdir(&self, _t: &Task, name: &[u8], c: Create) -> Result<(), Errno> {
        self.create_dir(name, c).map(drop)
    }

    fn mknod(&self, _t: &Task, name: &[u8], c: Create, rdev: u64) -> Result<(), Errno> {
        self.create_special(name, c, rdev).map(drop)
    }

    fn tmpfile(&self, _t: &Task, c: Create, linkable: bool) -> Result<Arc<dyn Inode>, Errno> {
        if !matches!(self.content, Content::Dir(_)) {
            return Err(Errno::ENOTDIR);
        }
        Ok(self.create_unnamed(c, linkable))
    }

    fn symlink(&self, _t: &Task, name: &[u8], target: &[u8], c: Create) -> Result<(), Errno> {
        self.create_symlink(name, target, c).map(drop)
    }

    fn link(&self, _t: &Task, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        let arc = target.clone().into_any().downcast::<TmpInode>().map_err(|_| Errno::EXDEV)?;
        if !Arc::ptr_eq(&arc.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if matches!(arc.content, Content::Dir(_)) {
            return Err(Errno::EPERM);
        }
        // A file whose last link went cannot come back, but an O_TMPFILE one can,
        // once (vfs_link's I_LINKABLE).
        if arc.meta().nlink == 0 && !arc.linkable.swap(false, Ordering::Relaxed) {
            return Err(Errno::ENOENT);
        }
        let mut e = self.entries()?;
        if e.get(name).is_some_and(|o| !matches!(o.content, Content::Whiteout)) {
            return Err(Errno::EEXIST);
        }
        e.insert(name.to_vec(), arc.clone());
        drop(e);
        let mut m = arc.meta();
        m.nlink += 1;
        m.ctime = now();
        drop(m);
        self.touch_dir();
        Ok(())
    }

    fn unlink(&self, _t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.unlink_checked(name, false)
    }

    fn rmdir(&self, _t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.unlink_checked(name, true)
    }

    fn rename(&self, _t: &Task, old: &[u8], new_dir: &Arc<dyn Inode>, new: &[u8], flags: u32) -> Result<(), Errno> {
        let any: &dyn Any = new_dir.as_any();
        let Some(nd) = any.downcast_ref::<TmpInode>() else { return Err(Errno::EXDEV) };
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        rename_entries(self, old, nd, new, flags)
    }

    fn setattr(&self, _t: &Task, a: &SetAttr) -> Result<(), Errno> {
        self.setattr_inner(a)
    }

    fn open_files(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(Statfs {
            f_type: 0x0102_1994,
            f_bsize: 4096,
            f_blocks: 1 << 20,
            f_bfree: 1 << 20,
            f_bavail: 1 << 20,
            f_files: 1 << 20,
            f_ffree: 1 << 20,
            f_namelen: 255,
            f_frsize: 4096,
            ..Default::default()
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// rename(2) within one tmpfs. RENAME_NOREPLACE (1) and RENAME_EXCHANGE (2).
pub fn rename_entries(src: &TmpInode, old: &[u8], dst: &TmpInode, new: &[u8], flags: u32) -> Result<(), Errno> {
    const NOREPLACE: u32 = 1;
    const EXCHANGE: u32 = 2;
    if flags & !(NOREPLACE | EXCHANGE) != 0 || flags == NOREPLACE | EXCHANGE {
        return Err(Errno::EINVAL);
    }
    let moving = src.raw_lookup(old)?.filter(|c| !matches!(c.content, Content::Whiteout)).ok_or(Errno::ENOENT)?;
    let target = dst.raw_lookup(new)?.filter(|c| !matches!(c.content, Content::Whiteout));
    if let Some(tg) = &target {
        if Arc::ptr_eq(tg, &moving) {
            return Ok(());
        }
    }
    if flags & EXCHANGE != 0 {
        let tg = target.ok_or(Errno::ENOENT)?;
        src.entries()?.insert(old.to_vec(), tg);
        dst.entries()?.insert(new.to_vec(), moving);
        return Ok(());
    }
    if let Some(tg) = &target {
        if flags & NOREPLACE != 0 {
            return Err(Errno::EEXIST);
        }
        let mdir = matches!(moving.content, Content::Dir(_));
        let tdir = matches!(tg.content, Content::Dir(_));
        if mdir && !tdir {
            return Err(Errno::ENOTDIR);
        }
        if !mdir && tdir {
            return Err(Errno::EISDIR);
        }
        if tdir && !tg.is_empty_dir()? {
            return Err(Errno::ENOTEMPTY);
        }
    }
    // A directory cannot move below itself.
    if matches!(moving.content, Content::Dir(_)) && (std::ptr::eq(dst, moving.as_ref()) || contains(&moving, dst)) {
        return Err(Errno::EINVAL);
    }
    src.remove_entry(old)?;
    if let Some(tg) = dst.entries()?.remove(new) {
        if matches!(tg.content, Content::Dir(_)) {
            dst.meta().nlink -= 1;
        } else {
            let mut m = tg.meta();
            m.nlink = m.nlink.saturating_sub(1);
        }
    }
    dst.insert(new, moving.clone())?;
    moving.meta().ctime = now();
    Ok(())
}

fn contains(dir: &TmpInode, x: &TmpInode) -> bool {
    let Ok(e) = dir.entries() else { return false };
    let kids: Vec<_> = e.values().filter(|c| matches!(c.content, Content::Dir(_))).cloned().collect();
    drop(e);
    kids.iter().any(|k| std::ptr::eq(k.as_ref(), x) || contains(k, x))
}

/// An open tmpfs regular file.
pub struct TmpFile {
    inode: Arc<TmpInode>,
}

impl TmpFile {
    fn new(inode: Arc<TmpInode>) -> Self {
        inode.open.fetch_add(1, Ordering::Relaxed);
        TmpFile { inode }
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        self.inode.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl FileOps for TmpFile {
    fn read(&self, _f: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.inode.read_at(buf, off)
    }

    fn write(&self, _f: &FileDescription, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let n = self.inode.write_at(buf, off)?;
        let t = now();
        let mut m = self.inode.meta();
        m.mtime = t;
        m.ctime = t;
        Ok(n)
    }

    fn shared_pages(&self, off: u64, len: u64) -> Option<Result<(Arc<Chunk>, u64), Errno>> {
        Some(self.inode.shared_pages(off, len))
    }

    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        self.inode.stat()
    }
}
