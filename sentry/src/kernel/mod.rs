//! The Kernel: a value bundling a sandbox's components. Tasks reach everything
//! through their Kernel; two Kernels share only what they were built to share.

pub mod futex;
pub mod jobs;
pub mod locks;
pub mod pidns;
pub mod process;
mod run;
pub mod signals;
mod task;
#[cfg(test)]
pub mod testing;
pub mod timer;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use sbx_platform::Platform;

pub use run::{exit_process, run_task, TaskExit};
pub use task::{Creds, Task, TaskLocal, ALL_CAPS, CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN};

use crate::mm::MemoryPool;
use crate::vfs::MountNamespace;

/// The instant `d` from now, or None when that is beyond what the clock can hold
/// (a guest asking to wait for centuries waits forever instead of crashing us).
pub fn deadline_after(d: std::time::Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}

/// Device number of the memfd tmpfs (the sandbox's mounts use 0x30 up).
const MEMFD_DEV: u64 = 0x2f;

/// The UTS namespace: host and domain names.
#[derive(Clone, Debug)]
pub struct Uts {
    /// Host name.
    pub hostname: String,
    /// NIS domain name.
    pub domainname: String,
}

/// A sandbox's kernel: its components, each shared by `Arc`, so a Kernel that
/// differs from another in one component (a task after `unshare(CLONE_NEWUTS)`) is a
/// clone with that one replaced.
#[derive(Clone)]
pub struct Kernel {
    /// How guest code runs.
    pub platform: Arc<dyn Platform>,
    /// Guest memory.
    pub pool: Arc<MemoryPool>,
    /// The file tree.
    pub mounts: Arc<MountNamespace>,
    /// Host and domain names.
    pub uts: Arc<Mutex<Uts>>,
    /// When the kernel started (CLOCK_MONOTONIC origin for uptime).
    pub boot: Instant,
    /// Wall-clock time at boot.
    pub boot_wall: SystemTime,
    /// Print every syscall (`--strace`).
    pub strace: bool,
    /// Every process and thread, by global id.
    pub pids: Arc<process::PidTable>,
    /// The sandbox's first PID namespace (nested ones hang below it).
    pub root_pidns: std::sync::Arc<pidns::PidNs>,
    /// Futex wait queues.
    pub futexes: Arc<futex::Futexes>,
    /// POSIX record locks and open file description locks (one table: they
    /// conflict with each other; shared with the descriptions holding OFD locks).
    pub locks: Arc<locks::RecordLocks>,
    /// flock(2) locks (shared with the file descriptions holding them).
    pub flocks: std::sync::Arc<locks::RecordLocks>,
    /// inotify watches.
    pub notify: Arc<crate::fs::inotify::Notify>,
    /// The internal tmpfs of memfds, made on first use (shared by kernels that
    /// share their other components).
    memfd: Arc<std::sync::OnceLock<Arc<crate::fs::tmpfs::TmpInode>>>,
    /// Inode numbers for anonymous files (pipes).
    pub anon_ino: Arc<std::sync::atomic::AtomicU64>,
    /// Syscall numbers already reported as unimplemented (each is logged once).
    pub reported_missing: Arc<Mutex<HashSet<u64>>>,
}

impl Kernel {
    /// A kernel of fresh components around the given platform, memory and file tree:
    /// a new PID namespace allowing `max_pids`, new futex and lock tables.
    pub fn new(
        platform: Arc<dyn Platform>,
        pool: Arc<MemoryPool>,
        mounts: Arc<MountNamespace>,
        hostname: &str,
        strace: bool,
        max_pids: usize,
    ) -> Self {
        Kernel {
            platform,
            pool,
            mounts,
            uts: Arc::new(Mutex::new(Uts { hostname: hostname.into(), domainname: "(none)".into() })),
            boot: Instant::now(),
            boot_wall: SystemTime::now(),
            strace,
            pids: Arc::new(process::PidTable::new(max_pids)),
            root_pidns: pidns::PidNs::root(),
            futexes: Default::default(),
            locks: Default::default(),
            flocks: Default::default(),
            notify: Default::default(),
            memfd: Default::default(),
            anon_ino: Arc::new(std::sync::atomic::AtomicU64::new(1000)),
            reported_missing: Arc::new(Mutex::new(Default::default())),
        }
    }

    /// The same kernel with a private copy of the UTS namespace
    /// (`unshare(CLONE_NEWUTS)`).
    pub fn with_new_uts(&self) -> Kernel {
        let uts = self.uts.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Kernel { uts: Arc::new(Mutex::new(uts)), ..self.clone() }
    }

    /// The same kernel with a private copy of the mount table (`unshare(CLONE_NEWNS)`).
    pub fn with_new_mounts(&self) -> Kernel {
        Kernel { mounts: Arc::new(self.mounts.fork()), ..self.clone() }
    }

    /// A fresh inode number for an anonymous file.
    pub fn next_ino(&self) -> u64 {
        self.anon_ino.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The root of the internal tmpfs that memfd_create(2) makes its files in.
    pub fn memfd_fs(&self) -> &Arc<crate::fs::tmpfs::TmpInode> {
        self.memfd.get_or_init(|| crate::fs::tmpfs::TmpFs::new_root(&self.pool, MEMFD_DEV, 0o1777, 0, 0))
    }

    /// Records that syscall `nr` is missing; true the first time.
    pub fn first_report(&self, nr: u64) -> bool {
        self.reported_missing.lock().unwrap_or_else(|e| e.into_inner()).insert(nr)
    }
}
