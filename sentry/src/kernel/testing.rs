//! TestKernel: a Kernel made of in-memory components and a task whose guest memory
//! is a plain mapping of the memory file, so syscall handlers run in unit tests
//! without any host process.

use std::sync::Arc;

use sbx_abi::flags::Prot;
use sbx_platform::{NewProcess, Platform, PlatformError};

use super::{Creds, Kernel, Task};
use crate::fs::overlay::{Ovl, OvlInode};
use crate::fs::tmpfs::{TmpFs, TmpInode};
use crate::mm::{MemoryManager, MemoryPool, Placement, VmaKind};
use crate::vfs::{FdTable, FsContext, Inode, MountNamespace};

/// A platform that cannot run guest code (handler tests never switch into a guest).
struct NoPlatform;

impl Platform for NoPlatform {
    fn new_process(&self, _memfd: std::os::fd::BorrowedFd<'_>) -> Result<NewProcess, PlatformError> {
        Err(PlatformError::StubDied("the test platform runs no guest code".into()))
    }
    fn name(&self) -> &'static str {
        "test"
    }
}

/// Where test guest memory starts (64 KiB of read-write scratch).
pub const SCRATCH: u64 = 0x10_0000;
/// Its size.
pub const SCRATCH_LEN: u64 = 0x10000;

/// A test kernel and its first task, with the overlay root's lower layer exposed so
/// tests can lay out "host" files.
pub struct TestKernel {
    /// The task (pid 1, root).
    pub task: Task,
    /// The read-only-in-spirit lower layer of the root (a tmpfs standing in for the host).
    pub lower: Arc<TmpInode>,
}

impl TestKernel {
    /// Builds one: overlay(tmpfs over tmpfs) as /, a tmpfs on /tmp.
    pub fn new() -> Self {
        let pool = MemoryPool::new().expect("memory file");
        let lower = TmpFs::new_root(&pool, 0x40, 0o755, 0, 0);
        let upper = TmpFs::new_root(&pool, 0x41, 0o755, 0, 0);
        let c = crate::vfs::Create { mode: 0o755, uid: 0, gid: 0 };
        lower.create_dir(b"tmp", crate::vfs::Create { mode: 0o1777, ..c }).expect("mkdir tmp");
        lower.create_dir(b"etc", c).expect("mkdir etc");
        let root: Arc<dyn Inode> = Arc::new(Ovl(OvlInode::root(upper, lower.clone())));
        let mounts = MountNamespace::new(root);
        mounts.mount(b"/tmp", TmpFs::new_root(&pool, 0x42, 0o1777, 0, 0));
        let mounts = Arc::new(mounts);
        let kernel = Arc::new(Kernel::new(Arc::new(NoPlatform), pool.clone(), mounts.clone(), "test", false, 64));
        let mm = Arc::new(MemoryManager::new(pool));
        mm.map(Placement::Fixed(SCRATCH), SCRATCH_LEN, Prot::READ | Prot::WRITE, false, VmaKind::Anon, None)
            .expect("scratch mapping");
        let tg = kernel.pids.create(0, None, None, [Default::default(); 64], &kernel.root_pidns).expect("pid 1");
        let fs = Arc::new(FsContext::new(mounts.root()));
        let task = Task::new(kernel, mm, fs, Arc::new(FdTable::new()), tg, Creds::new(0, 0));
        TestKernel { task, lower }
    }

    /// Writes a NUL-terminated string into scratch memory at `off`; returns its address.
    pub fn cstr(&self, off: u64, s: &str) -> u64 {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.task.mm().copy_out_bytes(SCRATCH + off, &b).expect("scratch");
        SCRATCH + off
    }

    /// Runs syscall `nr` with `args`.
    pub fn call(&self, nr: u64, args: [u64; 6]) -> sbx_abi::SysResult {
        crate::syscalls::dispatch(&self.task, nr, &crate::syscalls::SyscallArgs(args))
    }
}

impl Default for TestKernel {
    fn default() -> Self {
        Self::new()
    }
}
