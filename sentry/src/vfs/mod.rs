//! The virtual file system: inodes, locations, path walks, mounts, file
//! descriptions and fd tables.
//!
//! A walk keeps a [`Location`]: the stack of inodes from the root down to where it
//! is, with the absolute path alongside. `..` pops the stack (never above the
//! task's root), symlinks are resolved here (so a host symlink can never lead
//! outside the sandbox's tree), and mount points are found by absolute path in the
//! [`MountNamespace`].
//!
//! Lock order: `FdTable::inner` → `FileDescription::pos` → inode locks.

mod fdtable;
mod file;
mod host;
mod walk;

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use sbx_abi::flags::{OpenFlags, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

pub use fdtable::FdTable;
pub use file::{DirEntry, DirFile, FileDescription, FileOps, PathFile, HOST_POS};
pub use host::host_file;
pub use walk::{create_attrs, lookup_at, open_at, open_at_resolve, resolve, resolve_parent_at, Follow};

use crate::kernel::Task;

/// Longest path accepted, including the NUL (PATH_MAX).
pub const PATH_MAX: usize = 4096;
/// Longest file name (NAME_MAX).
pub const NAME_MAX: usize = 255;

/// Attribute changes for [`Inode::setattr`]; None leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct SetAttr {
    /// New permission bits (the low 12 bits).
    pub mode: Option<u32>,
    /// New owner.
    pub uid: Option<u32>,
    /// New group.
    pub gid: Option<u32>,
    /// New size (truncate).
    pub size: Option<u64>,
    /// New access time (sec, nsec).
    pub atime: Option<(i64, i64)>,
    /// New modification time.
    pub mtime: Option<(i64, i64)>,
}

/// Who is creating a file: owner and mode after the umask.
#[derive(Clone, Copy, Debug)]
pub struct Create {
    /// Type and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// A file-system object. Directory operations default to ENOTDIR, so a file
/// system implements what its nodes support.
pub trait Inode: Send + Sync + Any {
    /// Attributes.
    fn stat(&self) -> Result<Stat, Errno>;
    /// The child called `name` (one component, not "." or "..").
    fn lookup(&self, _t: &Task, _name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Directory entries (without "." and "..").
    fn readdir(&self, _t: &Task) -> Result<Vec<DirEntry>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// A symlink's target.
    fn readlink(&self, _t: &Task) -> Result<Vec<u8>, Errno> {
        Err(Errno::EINVAL)
    }
    /// Opens the node.
    fn open(self: Arc<Self>, t: &Task, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno>;
    /// Creates a regular file `name`.
    fn create(&self, _t: &Task, _name: &[u8], _c: Create) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a directory.
    fn mkdir(&self, _t: &Task, _name: &[u8], _c: Create) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a symlink.
    fn symlink(&self, _t: &Task, _name: &[u8], _target: &[u8], _c: Create) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a special file `name` (mknod(2)): a FIFO, a device node or a
    /// regular file, as the type bits of `c.mode` say; `rdev` for devices.
    fn mknod(&self, _t: &Task, _name: &[u8], _c: Create, _rdev: u64) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// Creates a regular file with no name in this directory (O_TMPFILE); linkat(2)
    /// may give it one unless `linkable` is false (O_EXCL). EOPNOTSUPP where the
    /// file system has no such files.
    fn tmpfile(&self, _t: &Task, _c: Create, _linkable: bool) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// Adds a hard link to `target`.
    fn link(&self, _t: &Task, _name: &[u8], _target: &Arc<dyn Inode>) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Removes a non-directory.
    fn unlink(&self, _t: &Task, _name: &[u8]) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Removes an empty directory.
    fn rmdir(&self, _t: &Task, _name: &[u8]) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Moves `old` to `new_dir`/`new` (same file system; EXDEV otherwise).
    fn rename(&self, _t: &Task, _old: &[u8], _new_dir: &Arc<dyn Inode>, _new: &[u8], _flags: u32) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Changes attributes.
    fn setattr(&self, _t: &Task, _attr: &SetAttr) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// File-system statistics.
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(Statfs {
            f_type: 0x0102_1994,
            f_bsize: 4096,
            f_namelen: NAME_MAX as i64,
            f_frsize: 4096,
            ..Default::default()
        })
    }
    /// For procfs magic links (/proc/self/fd/N, cwd, root): where following the link
    /// leads, without going through its text.
    fn magic_link(&self, _t: &Task) -> Option<Result<MagicTarget, Errno>> {
        None
    }
    /// How many open files of this node exist (inotify's IN_DELETE_SELF waits for
    /// the last close of an unlinked file); 0 where the file system does not count.
    fn open_files(&self) -> usize {
        0
    }
    /// For downcasts (same-file-system checks in rename and link).
    fn as_any(&self) -> &dyn Any;
    /// For downcasts that keep the Arc (link).
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

/// Where a magic link leads.
pub enum MagicTarget {
    /// A place in the tree.
    Location(Location),
    /// An open file that is not in the tree (pipe, host stdio).
    File(Arc<FileDescription>),
}

/// An open file reached through a magic link: opening it again shares the file
/// (for pipes and host stdio, which have no place in the tree).
struct OpenFileInode(Arc<FileDescription>);

/// Forwards I/O to an existing description.
struct Forward(Arc<FileDescription>);

impl FileOps for Forward {
    fn read(&self, _f: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.0.ops.read(&self.0, buf, off)
    }
    fn write(&self, _f: &FileDescription, buf: &[u8], off: u64) -> Result<usize, Errno> {
        self.0.ops.write(&self.0, buf, off)
    }
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        self.0.stat()
    }
    fn seekable(&self) -> bool {
        self.0.ops.seekable()
    }
    fn ioctl(&self, _f: &FileDescription, t: &Task, req: u64, arg: u64) -> Result<u64, Errno> {
        self.0.ops.ioctl(&self.0, t, req, arg)
    }
    fn as_pipe(&self) -> Option<&crate::fs::pipe::PipeEnd> {
        self.0.ops.as_pipe()
    }
}

impl Inode for OpenFileInode {
    fn stat(&self) -> Result<Stat, Errno> {
        self.0.stat()
    }
    fn open(self: Arc<Self>, _t: &Task, _flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        Ok(Box::new(Forward(self.0.clone())))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// A directory that exists only because mount points lie below it (a `-v` target
/// whose parents the tree does not have): empty but for the way to them.
struct ImplicitDir {
    mounts: Arc<MountNamespace>,
    path: Vec<u8>,
}

impl Inode for ImplicitDir {
    fn stat(&self) -> Result<Stat, Errno> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.path.hash(&mut h);
        Ok(Stat {
            st_dev: 0x60,
            st_ino: h.finish() | 1,
            st_nlink: 2,
            st_mode: S_IFDIR | 0o755,
            st_blksize: 4096,
            ..Default::default()
        })
    }
    fn lookup(&self, _t: &Task, _name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        // Mount points below are found by the walk before it asks here.
        Err(Errno::ENOENT)
    }
    fn readdir(&self, _t: &Task) -> Result<Vec<DirEntry>, Errno> {
        Ok(self.mounts.below(&self.path).into_iter().map(|name| DirEntry { name, ino: 1, d_type: 4 }).collect())
    }
    fn open(self: Arc<Self>, _t: &Task, _flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        Ok(Box::new(DirFile))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// The directory to stand at `path` when the tree has none there but mount points
/// lie below it.
pub fn implicit_dir(mounts: &Arc<MountNamespace>, path: &[u8]) -> Option<Arc<dyn Inode>> {
    if mounts.below(path).is_empty() {
        return None;
    }
    Some(Arc::new(ImplicitDir { mounts: mounts.clone(), path: path.to_vec() }))
}

/// An inode for an already-open file (the host terminal under /dev/pts, /dev/tty):
/// opening it shares the description.
pub fn file_inode(f: Arc<FileDescription>) -> Arc<dyn Inode> {
    Arc::new(OpenFileInode(f))
}

/// The file type bits of an inode.
pub fn file_type(i: &dyn Inode) -> Result<u32, Errno> {
    Ok(i.stat()?.st_mode & S_IFMT)
}

/// Whether an inode is a directory.
pub fn is_dir(i: &dyn Inode) -> bool {
    file_type(i).is_ok_and(|m| m == S_IFDIR)
}

/// Whether an inode is a symlink.
pub fn is_symlink(i: &dyn Inode) -> bool {
    file_type(i).is_ok_and(|m| m == S_IFLNK)
}

/// Whether an inode is a regular file.
pub fn is_regular(i: &dyn Inode) -> bool {
    file_type(i).is_ok_and(|m| m == S_IFREG)
}

/// Access wanted, as access(2)'s R_OK/W_OK/X_OK bits.
pub const MAY_READ: u32 = 4;
/// Write access.
pub const MAY_WRITE: u32 = 2;
/// Execute or search access.
pub const MAY_EXEC: u32 = 1;

/// Checks `want` (MAY_* bits) against a file's mode for `t`'s ids, effective or
/// real (generic_permission): root passes everything but execute of a file
/// without any execute bit.
pub fn permission(t: &Task, st: &Stat, want: u32, effective: bool) -> Result<(), Errno> {
    let creds = t.creds.borrow();
    let (uid, gid) = if effective { (creds.uid.1, creds.gid.1) } else { (creds.uid.0, creds.gid.0) };
    if uid == 0 {
        if want & MAY_EXEC != 0 && st.st_mode & S_IFMT != S_IFDIR && st.st_mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        return Ok(());
    }
    let bits = if st.st_uid == uid {
        (st.st_mode >> 6) & 7
    } else if st.st_gid == gid || creds.groups.contains(&st.st_gid) {
        (st.st_mode >> 3) & 7
    } else {
        st.st_mode & 7
    };
    if bits & want == want {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

/// A place in the tree: the inodes from the root down, and the absolute path.
#[derive(Clone)]
pub struct Location {
    pub(crate) path: Vec<u8>,
    /// (length of `path` before this component, inode); [0] is the root.
    stack: Vec<(usize, Arc<dyn Inode>)>,
}

impl Location {
    /// The root of a tree.
    pub fn root(inode: Arc<dyn Inode>) -> Self {
        Location { path: Vec::new(), stack: vec![(0, inode)] }
    }
    /// The inode here.
    pub fn inode(&self) -> &Arc<dyn Inode> {
        &self.stack.last().expect("a location is never empty").1
    }
    /// The absolute path ("/" at the root).
    pub fn path(&self) -> Vec<u8> {
        if self.path.is_empty() {
            b"/".to_vec()
        } else {
            self.path.clone()
        }
    }
    /// The path as a String (lossy), for names shown to the guest.
    pub fn path_string(&self) -> String {
        String::from_utf8_lossy(&self.path()).into_owned()
    }
    /// Descends into `name`.
    pub fn push(&mut self, name: &[u8], inode: Arc<dyn Inode>) {
        let before = self.path.len();
        self.path.push(b'/');
        self.path.extend_from_slice(name);
        self.stack.push((before, inode));
    }
    /// Goes up one level; false at the root.
    pub fn pop(&mut self) -> bool {
        if self.stack.len() <= 1 {
            return false;
        }
        let (before, _) = self.stack.pop().expect("checked");
        self.path.truncate(before);
        true
    }
    /// The directory above this place and the name of the last component; None at
    /// the root.
    pub fn parent_and_name(&self) -> Option<(&Arc<dyn Inode>, &[u8])> {
        let n = self.stack.len();
        if n < 2 {
            return None;
        }
        let before = self.stack[n - 1].0;
        Some((&self.stack[n - 2].1, self.path.get(before + 1..).unwrap_or_default()))
    }
    /// Depth below the root.
    pub fn depth(&self) -> usize {
        self.stack.len() - 1
    }
    /// Whether `self` is at or below `root` (the same inode at root's depth).
    pub fn is_under(&self, root: &Location) -> bool {
        self.stack.len() >= root.stack.len() && Arc::ptr_eq(&self.stack[root.stack.len() - 1].1, root.inode())
    }
}

/// The per-process file-system context: root, working directory and umask (Linux's
/// `fs_struct`). Shared by CLONE_FS.
pub struct FsContext {
    root: Mutex<Location>,
    cwd: Mutex<Location>,
    umask: std::sync::atomic::AtomicU32,
}

impl FsContext {
    /// A context rooted at `root` with its cwd there too and umask 022.
    pub fn new(root: Location) -> Self {
        FsContext {
            cwd: Mutex::new(root.clone()),
            root: Mutex::new(root),
            umask: std::sync::atomic::AtomicU32::new(0o022),
        }
    }
    fn lock(m: &Mutex<Location>) -> MutexGuard<'_, Location> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// The root directory.
    pub fn root(&self) -> Location {
        Self::lock(&self.root).clone()
    }
    /// The working directory.
    pub fn cwd(&self) -> Location {
        Self::lock(&self.cwd).clone()
    }
    /// Changes the working directory.
    pub fn set_cwd(&self, l: Location) {
        *Self::lock(&self.cwd) = l;
    }
    /// Changes the root directory (chroot).
    pub fn set_root(&self, l: Location) {
        *Self::lock(&self.root) = l;
    }
    /// The file mode creation mask.
    pub fn umask(&self) -> u32 {
        self.umask.load(std::sync::atomic::Ordering::Relaxed)
    }
    /// Sets the umask, returning the old one.
    pub fn set_umask(&self, m: u32) -> u32 {
        self.umask.swap(m & 0o777, std::sync::atomic::Ordering::Relaxed)
    }
    /// A copy for a new process (fork without CLONE_FS).
    pub fn fork(&self) -> Self {
        FsContext {
            root: Mutex::new(self.root()),
            cwd: Mutex::new(self.cwd()),
            umask: std::sync::atomic::AtomicU32::new(self.umask()),
        }
    }
}

/// The mount namespace: the sandbox's file tree (a Kernel component). Mounts are
/// keyed by the absolute path of their mount point.
pub struct MountNamespace {
    root: Arc<dyn Inode>,
    mounts: RwLock<HashMap<Vec<u8>, Arc<dyn Inode>>>,
}

impl MountNamespace {
    /// A namespace whose root file system is `root`.
    pub fn new(root: Arc<dyn Inode>) -> Self {
        MountNamespace { root, mounts: RwLock::new(HashMap::new()) }
    }
    /// A copy with the same root and mounts, changed independently from now on.
    pub fn fork(&self) -> Self {
        let m = self.mounts.read().unwrap_or_else(|e| e.into_inner()).clone();
        MountNamespace { root: self.root.clone(), mounts: RwLock::new(m) }
    }
    /// The root of the tree.
    pub fn root(&self) -> Location {
        Location::root(self.root.clone())
    }
    /// Mounts `fs` on the absolute path `at`.
    pub fn mount(&self, at: &[u8], fs: Arc<dyn Inode>) {
        self.mounts.write().unwrap_or_else(|e| e.into_inner()).insert(at.to_vec(), fs);
    }
    /// The file system mounted at `path`, if any.
    pub fn mounted_at(&self, path: &[u8]) -> Option<Arc<dyn Inode>> {
        let m = self.mounts.read().unwrap_or_else(|e| e.into_inner());
        if m.is_empty() {
            return None;
        }
        m.get(path).cloned()
    }
    /// The names of the next components of mount points strictly below `path`
    /// (empty when none): the directories a walk may pass through to reach a mount
    /// point that the tree below does not have.
    pub fn below(&self, path: &[u8]) -> Vec<Vec<u8>> {
        let m = self.mounts.read().unwrap_or_else(|e| e.into_inner());
        let mut prefix = path.to_vec();
        if prefix.last() != Some(&b'/') {
            prefix.push(b'/');
        }
        let mut out: Vec<Vec<u8>> = m
            .keys()
            .filter_map(|k| k.strip_prefix(prefix.as_slice()))
            .filter_map(|rest| rest.split(|&c| c == b'/').next().filter(|n| !n.is_empty()).map(<[u8]>::to_vec))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Mount points, sorted (for /proc/mounts).
    pub fn mount_points(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<_> = self.mounts.read().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        v.sort();
        v
    }
}
