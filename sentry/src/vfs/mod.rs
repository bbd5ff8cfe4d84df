//! The virtual file system: file descriptions, fd tables, the per-task file-system
//! context, mounts and path walks.
//!
//! Lock order: `FdTable::inner` → `FileDescription::pos`.

mod fdtable;
mod file;
mod host;

pub use fdtable::FdTable;
pub use file::{FileDescription, FileOps};
pub use host::host_file;

use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::Errno;

use crate::kernel::Task;

/// The per-process file-system context: root, working directory and umask (Linux's
/// `fs_struct`). Shared by CLONE_FS.
pub struct FsContext {
    umask: std::sync::atomic::AtomicU32,
}

impl FsContext {
    /// A context with the default umask 022.
    pub fn new() -> Self {
        FsContext { umask: std::sync::atomic::AtomicU32::new(0o022) }
    }
    /// The file mode creation mask.
    pub fn umask(&self) -> u32 {
        self.umask.load(std::sync::atomic::Ordering::Relaxed)
    }
    /// A copy for a new process (fork without CLONE_FS).
    pub fn fork(&self) -> Self {
        FsContext { umask: std::sync::atomic::AtomicU32::new(self.umask()) }
    }
    /// Sets the umask, returning the old one.
    pub fn set_umask(&self, m: u32) -> u32 {
        self.umask.swap(m & 0o777, std::sync::atomic::Ordering::Relaxed)
    }
}

impl Default for FsContext {
    fn default() -> Self {
        Self::new()
    }
}

/// The mount namespace: the sandbox's file tree (a Kernel component).
pub struct MountNamespace {}

impl MountNamespace {
    /// Placeholder until the VFS lands.
    pub fn new_sandbox(_g: Arc<sbx_gofer::GoferClient>) -> Result<Arc<Self>, Errno> {
        Ok(Arc::new(MountNamespace {}))
    }
}
impl FsContext {
    /// Placeholder until the VFS lands.
    pub fn for_kernel(_k: &crate::kernel::Kernel, _cwd: &[u8]) -> Self {
        Self::new()
    }
}

/// Opens `path` relative to `dirfd` (AT_FDCWD or an fd of `t`) as openat(2) does.
pub fn open_at(
    _t: &Task,
    _dirfd: i32,
    _path: &[u8],
    _flags: OpenFlags,
    _mode: u32,
) -> Result<Arc<FileDescription>, Errno> {
    Err(Errno::ENOENT)
}
