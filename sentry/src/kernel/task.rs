//! Tasks: guest threads as the Sentry sees them.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use sbx_abi::flags::rlimit;
use sbx_abi::structs::Rlimit;
use sbx_platform::{AddressSpace, Regs};

use super::process::{ThreadGroup, ThreadShared};
use super::Kernel;
use crate::mm::MemoryManager;
use crate::vfs::{FdTable, FsContext};

/// User and group ids of a task.
#[derive(Clone, Debug, Default)]
pub struct Creds {
    /// Real, effective, saved user id.
    pub uid: (u32, u32, u32),
    /// Real, effective, saved group id.
    pub gid: (u32, u32, u32),
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// Capability sets (bit N = capability N): effective, permitted, inheritable.
    pub caps: (u64, u64, u64),
}

/// Every capability up to CAP_LAST_CAP (40).
pub const ALL_CAPS: u64 = (1 << 41) - 1;
/// CAP_SETGID.
pub const CAP_SETGID: u32 = 6;
/// CAP_SETUID.
pub const CAP_SETUID: u32 = 7;
/// CAP_SYS_ADMIN.
pub const CAP_SYS_ADMIN: u32 = 21;

impl Creds {
    /// Credentials of a process started by `uid`/`gid`: root gets every capability.
    pub fn new(uid: u32, gid: u32) -> Self {
        let caps = if uid == 0 { (ALL_CAPS, ALL_CAPS, 0) } else { (0, 0, 0) };
        Creds { uid: (uid, uid, uid), gid: (gid, gid, gid), groups: Vec::new(), caps }
    }

    /// Whether capability `cap` is effective.
    pub fn capable(&self, cap: u32) -> bool {
        self.caps.0 & (1 << cap) != 0
    }

    /// The capability changes that follow a change of user ids (capabilities(7),
    /// "Effect of user ID changes on capabilities").
    pub fn fix_caps_after_setuid(&mut self, old: (u32, u32, u32)) {
        let was_root = old.0 == 0 || old.1 == 0 || old.2 == 0;
        let now_root = self.uid.0 == 0 || self.uid.1 == 0 || self.uid.2 == 0;
        if was_root && !now_root {
            self.caps.0 = 0;
            self.caps.1 = 0;
        }
        if old.1 == 0 && self.uid.1 != 0 {
            self.caps.0 = 0;
        }
        if old.1 != 0 && self.uid.1 == 0 {
            self.caps.0 = self.caps.1;
        }
    }
}

/// State only the task's own thread touches.
pub struct TaskLocal {
    /// Set by exit/exit_group: the task stops after this syscall.
    pub exit: Cell<Option<super::TaskExit>>,
    /// Set by handlers that replaced the registers (execve, rt_sigreturn): do not
    /// write the return value into rax.
    pub regs_replaced: Cell<bool>,
    /// set_tid_address.
    pub clear_child_tid: Cell<u64>,
    /// set_robust_list (head, len).
    pub robust_list: Cell<(u64, u64)>,
    /// Blocked signals.
    pub sigmask: Cell<u64>,
    /// Alternate signal stack (sp, flags, size).
    pub sigaltstack: Cell<(u64, i32, u64)>,
    /// Resource limits.
    pub rlimits: RefCell<[Rlimit; rlimit::RLIM_NLIMITS as usize]>,
    /// Path of the running executable (/proc/self/exe).
    pub exe: RefCell<String>,
    /// Where argv and envp strings lie in guest memory (/proc/PID/cmdline, environ).
    pub args: Cell<(u64, u64)>,
    /// See `args`.
    pub env: Cell<(u64, u64)>,
    /// Nice value (-20..19).
    pub nice: Cell<i32>,
    /// Command name (PR_SET_NAME, /proc/PID/comm).
    pub comm: RefCell<Vec<u8>>,
    /// Host tid of the stub thread running this task (for CPU clocks); 0 if none.
    pub host_tid: Cell<i32>,
    /// FP state to load before the guest runs again (set by rt_sigreturn).
    pub fp_restore: RefCell<Option<Vec<u8>>>,
    /// The stub address space this task runs in, and the generation of the memory
    /// manager it has caught up with (None: nothing mapped yet).
    pub asp: RefCell<Option<Arc<dyn AddressSpace>>>,
    /// See `asp`.
    pub mm_synced: Cell<Option<u64>>,
    /// Signal sent to the parent when this process exits (SIGCHLD normally).
    pub exit_signal: Cell<i32>,
    /// A syscall that returned an ERESTART* code: (code, syscall number), settled by
    /// signal delivery (restart or EINTR) before the guest runs again.
    pub restart: Cell<Option<(sbx_abi::Errno, u64)>>,
    /// The mask to restore after a handler when sigsuspend-like calls replaced it.
    pub saved_sigmask: Cell<Option<u64>>,
    /// CPU mask chosen by sched_setaffinity (None: every CPU).
    pub affinity: RefCell<Option<Vec<u8>>>,
    /// Scheduling policy (SCHED_OTHER, SCHED_BATCH or SCHED_IDLE).
    pub sched_policy: Cell<i32>,
    /// The PID namespace for children, once unshare(CLONE_NEWPID) chose a new one.
    pub pidns_for_children: RefCell<Option<Arc<super::pidns::PidNs>>>,
    /// Set in a vfork child until it execs or exits.
    pub vfork_done: RefCell<Option<Arc<crate::syscalls::fork::VforkDone>>>,
}

/// Linux's default limits for a process started by a shell (what `ulimit -a` shows).
fn default_rlimits() -> [Rlimit; rlimit::RLIM_NLIMITS as usize] {
    let inf = Rlimit { rlim_cur: rlimit::RLIM_INFINITY, rlim_max: rlimit::RLIM_INFINITY };
    let mut r = [inf; rlimit::RLIM_NLIMITS as usize];
    r[rlimit::RLIMIT_STACK as usize] = Rlimit { rlim_cur: 8 << 20, rlim_max: rlimit::RLIM_INFINITY };
    r[rlimit::RLIMIT_CORE as usize] = Rlimit { rlim_cur: 0, rlim_max: rlimit::RLIM_INFINITY };
    r[rlimit::RLIMIT_NOFILE as usize] = Rlimit { rlim_cur: 1024, rlim_max: 1 << 20 };
    r[rlimit::RLIMIT_NPROC as usize] = Rlimit { rlim_cur: 4096, rlim_max: 4096 };
    r[rlimit::RLIMIT_MEMLOCK as usize] = Rlimit { rlim_cur: 8 << 20, rlim_max: 8 << 20 };
    r[rlimit::RLIMIT_SIGPENDING as usize] = Rlimit { rlim_cur: 63_000, rlim_max: 63_000 };
    r[rlimit::RLIMIT_MSGQUEUE as usize] = Rlimit { rlim_cur: 819_200, rlim_max: 819_200 };
    r[rlimit::RLIMIT_NICE as usize] = Rlimit { rlim_cur: 0, rlim_max: 0 };
    r[rlimit::RLIMIT_RTPRIO as usize] = Rlimit { rlim_cur: 0, rlim_max: 0 };
    r
}

impl Default for TaskLocal {
    fn default() -> Self {
        TaskLocal {
            exit: Cell::new(None),
            regs_replaced: Cell::new(false),
            clear_child_tid: Cell::new(0),
            robust_list: Cell::new((0, 0)),
            sigmask: Cell::new(0),
            sigaltstack: Cell::new((0, 2, 0)),
            rlimits: RefCell::new(default_rlimits()),
            exe: RefCell::new(String::new()),
            comm: RefCell::new(Vec::new()),
            nice: Cell::new(0),
            args: Cell::new((0, 0)),
            env: Cell::new((0, 0)),
            host_tid: Cell::new(0),
            fp_restore: RefCell::new(None),
            asp: RefCell::new(None),
            mm_synced: Cell::new(None),
            exit_signal: Cell::new(sbx_abi::flags::signal::SIGCHLD),
            vfork_done: RefCell::new(None),
            pidns_for_children: RefCell::new(None),
            affinity: RefCell::new(None),
            sched_policy: Cell::new(0),
            restart: Cell::new(None),
            saved_sigmask: Cell::new(None),
        }
    }
}

/// A guest thread. Owned by the Sentry thread that runs it; syscall handlers get `&Task`.
pub struct Task {
    /// The kernel this task lives in (replaced when it unshares a namespace).
    kernel: RefCell<Arc<Kernel>>,
    mm: RefCell<Arc<MemoryManager>>,
    /// Root, cwd, umask.
    pub fs: Arc<FsContext>,
    /// File descriptors.
    pub fds: Arc<FdTable>,
    /// Thread id (global; see [`Task::vpid`] for the id the guest sees). It changes
    /// once at most: a non-leader thread that execs takes the leader's.
    tid: Cell<i32>,
    /// Thread group id (the process id).
    pub tgid: i32,
    /// The process.
    pub tg: Arc<ThreadGroup>,
    /// What other threads may touch of this one.
    pub shared: Arc<ThreadShared>,
    /// Credentials.
    pub creds: RefCell<Creds>,
    /// Guest registers as of the last stop.
    pub regs: RefCell<Regs>,
    /// Own-thread state.
    pub local: TaskLocal,
}

impl Task {
    /// A new task (the first of a sandbox, or a test task).
    pub fn new(
        kernel: Arc<Kernel>,
        mm: Arc<MemoryManager>,
        fs: Arc<FsContext>,
        fds: Arc<FdTable>,
        tg: Arc<ThreadGroup>,
        creds: Creds,
    ) -> Self {
        let leader = tg.lock().threads.iter().find(|t| t.tid() == tg.tgid).cloned();
        let shared = leader.unwrap_or_else(|| ThreadShared::new(tg.tgid));
        Self::with_thread(kernel, mm, fs, fds, tg, shared, creds)
    }

    /// A task for thread `shared` of `tg`.
    pub fn with_thread(
        kernel: Arc<Kernel>,
        mm: Arc<MemoryManager>,
        fs: Arc<FsContext>,
        fds: Arc<FdTable>,
        tg: Arc<ThreadGroup>,
        shared: Arc<ThreadShared>,
        creds: Creds,
    ) -> Self {
        Task {
            kernel: RefCell::new(kernel),
            mm: RefCell::new(mm),
            fs,
            fds,
            tid: Cell::new(shared.tid()),
            tgid: tg.tgid,
            tg,
            shared,
            creds: RefCell::new(creds),
            regs: RefCell::new(Regs::default()),
            local: TaskLocal::default(),
        }
    }

    /// Ends the whole process (exit_group, fatal signals): this thread stops after the
    /// current syscall, the others as soon as they notice.
    pub fn exit_group(&self, how: super::TaskExit) {
        self.tg.start_group_exit(how);
        self.local.exit.set(Some(how));
    }

    /// Sets the command name (exec, PR_SET_NAME), also as other processes see it.
    pub fn set_comm(&self, name: &[u8]) {
        *self.local.comm.borrow_mut() = name.to_vec();
        if self.tid() == self.tgid {
            self.tg.lock().comm = String::from_utf8_lossy(name).into_owned();
        }
    }

    /// The thread id (global).
    pub fn tid(&self) -> i32 {
        self.tid.get()
    }

    /// Makes this thread the leader of its process after the others ended (execve
    /// from a non-leader thread): it takes the process's id as its thread id.
    pub fn become_leader(&self) {
        let old = self.tid();
        if old != self.tgid {
            self.kernel().pids.retid(&self.tg, &self.shared, old);
            self.tid.set(self.tgid);
        }
    }

    /// The PID namespace the task lives in.
    pub fn pidns(&self) -> &Arc<super::pidns::PidNs> {
        &self.tg.pidns
    }

    /// Global id `g` as this task names it (0 when it is outside its namespace).
    pub fn vpid(&self, g: i32) -> i32 {
        self.tg.pidns.local(g)
    }

    /// The global id of `id` as this task names it; None when its namespace has no
    /// such id.
    pub fn gpid(&self, id: i32) -> Option<i32> {
        self.tg.pidns.global(id)
    }

    /// The parent's pid (global; 0 for the sandbox's init).
    pub fn ppid(&self) -> i32 {
        self.tg.lock().ppid
    }

    /// The task's address space.
    pub fn mm(&self) -> Arc<MemoryManager> {
        self.mm.borrow().clone()
    }

    /// Replaces the address space (execve).
    pub fn set_mm(&self, mm: Arc<MemoryManager>) {
        *self.mm.borrow_mut() = mm;
    }

    /// The kernel the task lives in.
    pub fn kernel(&self) -> Arc<Kernel> {
        self.kernel.borrow().clone()
    }

    /// Rebinds the task to another kernel (unshare, setns).
    pub fn set_kernel(&self, k: Arc<Kernel>) {
        *self.kernel.borrow_mut() = k;
    }
}
