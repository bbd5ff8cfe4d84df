//! Process creation and reaping: clone/fork/vfork, wait4/waitid, process groups and
//! sessions, and kill(2) across processes.
//!
//! Each new process runs on its own Sentry thread, which starts the process's stub
//! (ptrace requires the tracer to be the thread that runs it). fork copies private
//! memory at once (holes stay holes); vfork children share the parent's address
//! space until they exec or exit, while the parent waits.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use sbx_abi::flags::signal::{self, SIGCHLD, SIGKILL};
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::process::{CpuTime, JobEvent, ThreadGroup};
use crate::kernel::signals::{self, SignalInfo, SI_USER};
use crate::kernel::{exit_process, run_task, Task, TaskExit, CAP_SYS_ADMIN};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_CLONE, sys_clone, "xxxxx", "namespaces and processes sharing memory or handlers: EINVAL"),
    sys!(SYS_CLONE3, sys_clone3, "xu", "set_tid, cgroup and namespace flags: EINVAL"),
    sys!(SYS_FORK, sys_fork, ""),
    sys!(SYS_VFORK, sys_vfork, ""),
    sys!(SYS_WAIT4, sys_wait4, "dxxx"),
    sys!(SYS_WAITID, sys_waitid, "ddxxx"),
    sys!(SYS_SETPGID, sys_setpgid, "dd"),
    sys!(SYS_GETPGID, sys_getpgid, "d"),
    sys!(SYS_GETPGRP, sys_getpgrp, ""),
    sys!(SYS_SETSID, sys_setsid, ""),
    sys!(SYS_GETSID, sys_getsid, "d"),
    sys!(SYS_PAUSE, sys_pause, ""),
];

const CSIGNAL: u64 = 0xff;
const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_PIDFD: u64 = 0x1000;
const CLONE_PTRACE: u64 = 0x2000;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_PARENT: u64 = 0x8000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SYSVSEM: u64 = 0x40000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_UNTRACED: u64 = 0x800000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
const CLONE_IO: u64 = 0x8000_0000;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
/// New PID namespace for the child.
pub const CLONE_NEWPID: u64 = 0x2000_0000;
const CLONE_NEWNS: u64 = 0x20000;
const CLONE_NEWCGROUP: u64 = 0x0200_0000;
const CLONE_NEWUTS: u64 = 0x0400_0000;
const CLONE_NEWIPC: u64 = 0x0800_0000;

/// What a vfork parent waits for: the child's exec or exit.
#[derive(Default)]
pub struct VforkDone {
    done: Mutex<bool>,
    cond: Condvar,
}

impl VforkDone {
    /// Lets the parent go.
    pub fn release(&self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cond.notify_all();
    }

    fn wait(&self) {
        let mut d = self.done.lock().unwrap_or_else(|e| e.into_inner());
        while !*d {
            d = self.cond.wait(d).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Supported clone flags; the rest give EINVAL.
const SUPPORTED: u64 = CSIGNAL
    | CLONE_VM
    | CLONE_THREAD
    | CLONE_SIGHAND
    | CLONE_FS
    | CLONE_FILES
    | CLONE_VFORK
    | CLONE_PARENT
    | CLONE_SYSVSEM
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_CHILD_SETTID
    | CLONE_IO
    | CLONE_UNTRACED
    | CLONE_CLEAR_SIGHAND
    | CLONE_NEWPID
    | CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC;

/// clone(2): `clone(flags, stack, parent_tid, child_tid, tls)` on x86_64.
pub fn sys_clone(t: &Task, a: &SyscallArgs) -> SysResult {
    do_clone(t, a.u64(0), a.addr(1), a.addr(2), a.addr(3), a.u64(4))
}

/// clone3(2): `struct clone_args { flags, pidfd, child_tid, parent_tid,
/// exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup }` (u64 each).
pub fn sys_clone3(t: &Task, a: &SyscallArgs) -> SysResult {
    const CLONE_ARGS_SIZE_VER0: usize = 64;
    let size = a.usize(1);
    if !(CLONE_ARGS_SIZE_VER0..=4096).contains(&size) {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; size];
    t.mm().copy_in_bytes(a.addr(0), &mut raw)?;
    let field =
        |i: usize| raw.get(8 * i..8 * i + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
    // Fields this kernel does not know must be zero (E2BIG otherwise).
    if raw.len() > 88 && raw[88..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    let (flags, child_tid, parent_tid, exit_signal) = (field(0), field(2), field(3), field(4));
    let (stack, stack_size, tls, set_tid_size, cgroup) = (field(5), field(6), field(7), field(9), field(10));
    if flags & CSIGNAL != 0 || exit_signal > signal::NSIG as u64 || set_tid_size != 0 || cgroup != 0 {
        return Err(Errno::EINVAL);
    }
    if (stack == 0) != (stack_size == 0) {
        return Err(Errno::EINVAL);
    }
    let sp = if stack == 0 { 0 } else { stack.checked_add(stack_size).ok_or(Errno::EINVAL)? };
    do_clone(t, flags | exit_signal, sp, parent_tid, child_tid, tls)
}

/// fork(2).
pub fn sys_fork(t: &Task, _a: &SyscallArgs) -> SysResult {
    do_clone(t, SIGCHLD as u64, 0, 0, 0, 0)
}

/// vfork(2).
pub fn sys_vfork(t: &Task, _a: &SyscallArgs) -> SysResult {
    do_clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD as u64, 0, 0, 0, 0)
}

fn do_clone(t: &Task, flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64) -> SysResult {
    if flags & CLONE_PIDFD != 0 || flags & CLONE_PTRACE != 0 || flags & !SUPPORTED != 0 {
        return Err(Errno::EINVAL);
    }
    let thread = flags & CLONE_THREAD != 0;
    if thread && flags & CLONE_SIGHAND == 0 || flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_CLEAR_SIGHAND != 0 && flags & CLONE_SIGHAND != 0 {
        return Err(Errno::EINVAL);
    }
    // The namespace new processes go to: a fresh one for CLONE_NEWPID, else the one
    // an earlier unshare(CLONE_NEWPID) chose, else the caller's.
    let for_children = t.local.pidns_for_children.borrow().clone();
    let ns = if flags & CLONE_NEWPID != 0 {
        if thread || for_children.is_some() {
            return Err(Errno::EINVAL);
        }
        if !t.creds.borrow().capable(CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        crate::kernel::pidns::PidNs::child(t.pidns(), t.kernel().next_ino())?
    } else if let Some(ns) = for_children {
        if thread {
            return Err(Errno::EINVAL);
        }
        ns
    } else {
        t.pidns().clone()
    };
    if flags & CLONE_SIGHAND != 0 && !thread {
        // Sharing dispositions between two processes is not offered.
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0 && !thread {
        // An address space shared by two processes that both run is not offered.
        return Err(Errno::EINVAL);
    }
    let exit_signal = (flags & CSIGNAL) as i32;
    if exit_signal > signal::NSIG {
        return Err(Errno::EINVAL);
    }
    let new_ns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC;
    if flags & new_ns != 0 && (thread || flags & CLONE_NEWNS != 0 && flags & CLONE_FS != 0) {
        return Err(Errno::EINVAL);
    }
    if flags & new_ns != 0 && !t.creds.borrow().capable(CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    // The child's kernel: the caller's, with private copies of the namespaces asked
    // for (IPC and cgroup namespaces hold nothing yet, see ns.rs).
    let mut kernel = t.kernel();
    if flags & CLONE_NEWUTS != 0 {
        kernel = Arc::new(kernel.with_new_uts());
    }
    if flags & CLONE_NEWNS != 0 {
        kernel = Arc::new(kernel.with_new_mounts());
    }
    let k = &kernel;
    let mm = if flags & CLONE_VM != 0 { t.mm() } else { Arc::new(t.mm().fork()?) };
    let fds = if flags & CLONE_FILES != 0 { t.fds.clone() } else { Arc::new(t.fds.fork()) };
    let fs = if flags & CLONE_FS != 0 { t.fs.clone() } else { Arc::new(t.fs.fork()) };
    let creds = t.creds.borrow().clone();
    let child = if thread {
        let th = k.pids.new_thread(&t.tg)?;
        Task::with_thread(k.clone(), mm.clone(), fs, fds, t.tg.clone(), th, creds)
    } else {
        let ppid = if flags & CLONE_PARENT != 0 { t.ppid() } else { t.tgid };
        let (pgid, sid) = {
            let s = t.tg.lock();
            (s.pgid, s.sid)
        };
        let mut actions = *t.tg.actions();
        if flags & CLONE_CLEAR_SIGHAND != 0 {
            // Handlers go back to default; ignored signals stay ignored.
            for a in actions.iter_mut().filter(|a| a.handler != signal::SIG_IGN) {
                *a = Default::default();
            }
        }
        // A process that starts a namespace leads its own group and session there
        // as far as the namespace can see; Linux keeps the ids, which show as 0.
        let tg = k.pids.create(ppid, Some(pgid), Some(sid), actions, &ns)?;
        Task::new(k.clone(), mm.clone(), fs, fds, tg, creds)
    };
    let tid = child.tid();
    let undo = |child: &Task| {
        if thread {
            k.pids.remove_thread(&child.tg, child.tid());
        } else {
            k.pids.reap(&t.tg, child.tid());
        }
    };
    // Registers: the child returns 0 from clone, on its own stack and TLS if given.
    let mut regs = *t.regs.borrow();
    regs.0.rax = 0;
    if stack != 0 {
        regs.0.rsp = stack;
    }
    if flags & CLONE_SETTLS != 0 {
        if tls >= 0x7fff_ffff_f000 {
            undo(&child);
            return Err(Errno::EPERM);
        }
        regs.0.fs_base = tls;
    }
    *child.regs.borrow_mut() = regs;
    let l = &child.local;
    l.sigmask.set(t.local.sigmask.get());
    if flags & CLONE_VM == 0 || flags & CLONE_VFORK != 0 {
        l.sigaltstack.set(t.local.sigaltstack.get());
    }
    *l.rlimits.borrow_mut() = *t.local.rlimits.borrow();
    *l.affinity.borrow_mut() = t.local.affinity.borrow().clone();
    l.sched_policy.set(t.local.sched_policy.get());
    *l.exe.borrow_mut() = t.local.exe.borrow().clone();
    child.set_comm(&t.local.comm.borrow());
    l.args.set(t.local.args.get());
    l.env.set(t.local.env.get());
    l.exit_signal.set(if thread { 0 } else { exit_signal });
    if flags & CLONE_CHILD_CLEARTID != 0 {
        l.clear_child_tid.set(ctid);
    }
    // The parent names the child in its own namespace, the child in its own.
    let (tid_for_parent, tid_for_child) = (t.vpid(tid), child.vpid(tid));
    if flags & CLONE_PARENT_SETTID != 0 {
        if let Err(e) = t.mm().copy_out(ptid, &tid_for_parent) {
            undo(&child);
            return Err(e);
        }
    }
    if flags & CLONE_CHILD_SETTID != 0 {
        if let Err(e) = mm.copy_out(ctid, &tid_for_child) {
            undo(&child);
            return Err(e);
        }
    }
    let vfork = (flags & CLONE_VFORK != 0).then(|| Arc::new(VforkDone::default()));
    *l.vfork_done.borrow_mut() = vfork.clone();
    let tg = child.tg.clone();
    let spawned = std::thread::Builder::new().name(format!("task-{tid}")).spawn(move || task_main(child));
    if let Err(e) = spawned {
        tracing::error!("starting a Sentry thread for tid {tid}: {e}");
        if thread {
            k.pids.remove_thread(&tg, tid);
        } else {
            k.pids.reap(&t.tg, tid);
        }
        return Err(Errno::EAGAIN);
    }
    if let Some(v) = vfork {
        v.wait();
    }
    Ok(tid_for_parent as u64)
}

/// The body of a new process's Sentry thread.
fn task_main(t: Task) {
    let k = t.kernel().clone();
    // A Sentry bug that panics in this thread ends the guest process (as if killed)
    // instead of leaving its parent waiting forever.
    let ran =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match k.platform.new_process(k.pool.file.fd()) {
            Ok((asp, mut ctx)) => {
                *t.local.asp.borrow_mut() = Some(asp);
                t.local.host_tid.set(ctx.host_tid());
                if let Err(e) = super::misc::apply_affinity(&t) {
                    tracing::warn!("applying the CPU affinity of tid {}: {e}", t.tid());
                }
                run_task(&t, ctx.as_mut())
            }
            Err(e) => {
                tracing::error!("starting the stub of pid {}: {e}", t.tgid);
                TaskExit::Signaled(SIGKILL)
            }
        }));
    let exit = ran.unwrap_or_else(|_| {
        tracing::error!("Sentry bug: the task thread of tid {} panicked; killing its process", t.tid());
        t.tg.start_group_exit(TaskExit::Signaled(SIGKILL));
        TaskExit::Signaled(SIGKILL)
    });
    finish(&t, exit);
}

/// Everything a thread does on its way out after its last guest instruction; the
/// last thread of a process also ends the process.
pub fn finish(t: &Task, exit: TaskExit) {
    exit_robust_list(t);
    let ctid = t.local.clear_child_tid.get();
    if ctid != 0 && t.mm().copy_out(ctid, &0i32).is_ok() {
        if let Ok(key) = t.mm().file_offset(ctid, false) {
            t.kernel().futexes.wake(key, 1, u32::MAX);
        }
    }
    release_vfork_parent(t);
    if t.kernel().pids.remove_thread(&t.tg, t.tid()) == 0 {
        // As exit_files: a parent that sees the child gone sees its pipes closed.
        if Arc::strong_count(&t.fds) == 1 {
            t.fds.clear();
        }
        let how = t.tg.lock().group_exit.unwrap_or(exit);
        exit_process(t, how);
    }
}

/// Marks the robust futexes a dying thread still holds (get_robust_list(2)): each
/// gets FUTEX_OWNER_DIED and one waiter is woken.
fn exit_robust_list(t: &Task) {
    const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
    const FUTEX_WAITERS: u32 = 0x8000_0000;
    const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
    const ROBUST_LIST_LIMIT: usize = 2048;
    let (head, _) = t.local.robust_list.get();
    // Futex words hold tids as the thread's own namespace names them.
    let me = t.vpid(t.tid()) as u32;
    if head == 0 {
        return;
    }
    let mm = t.mm();
    // struct robust_list_head { struct robust_list *next; long futex_offset; struct robust_list *pending; }
    let Ok([mut entry, offset, pending]) = mm.copy_in::<[u64; 3]>(head) else { return };
    let mark = |e: u64| {
        let addr = e.wrapping_add(offset);
        let Ok(key) = mm.file_offset(addr, true) else { return };
        let old = mm
            .pool()
            .file
            .update_u32(key, |v| (v & FUTEX_TID_MASK == me).then_some((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED));
        if old & FUTEX_TID_MASK == me && old & FUTEX_WAITERS != 0 {
            t.kernel().futexes.wake(key, 1, u32::MAX);
        }
    };
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry == head || entry == 0 {
            break;
        }
        if entry != pending {
            mark(entry);
        }
        match mm.copy_in::<u64>(entry) {
            Ok(next) => entry = next,
            Err(_) => break,
        }
    }
    if pending != 0 {
        mark(pending);
    }
}

/// Lets a vfork parent continue (the child exec'd or is exiting).
pub fn release_vfork_parent(t: &Task) {
    if let Some(v) = t.local.vfork_done.borrow_mut().take() {
        v.release();
    }
}

/// Which children a wait call is about.
#[derive(Clone, Copy, Debug)]
enum Which {
    Any,
    Pid(i32),
    Pgid(i32),
}

const WNOHANG: u32 = 1;
const WUNTRACED: u32 = 2;
const WEXITED: u32 = 4;
const WCONTINUED: u32 = 8;
const WNOWAIT: u32 = 0x0100_0000;
const WNOTHREAD: u32 = 0x2000_0000;
const WALL: u32 = 0x4000_0000;
const WCLONE: u32 = 0x8000_0000;

/// What a wait call collected.
#[derive(Clone, Copy, Debug)]
enum Waited {
    /// Exited, with the CPU time it and its waited-for children used.
    Exited(TaskExit, CpuTime),
    Job(JobEvent),
}

impl Waited {
    /// The wait4 status word.
    fn status(self) -> i32 {
        match self {
            Waited::Exited(e, _) => e.wait_status(),
            Waited::Job(JobEvent::Stopped(sig)) => (sig << 8) | 0x7f,
            Waited::Job(JobEvent::Continued) => 0xffff,
        }
    }
    /// waitid's (si_code, si_status).
    fn code_status(self) -> (i32, i32) {
        match self {
            Waited::Exited(TaskExit::Exited(s), _) => (1, s & 0xff),
            Waited::Exited(TaskExit::Signaled(s), _) => (2, s),
            Waited::Job(JobEvent::Stopped(sig)) => (5, sig),
            Waited::Job(JobEvent::Continued) => (6, signal::SIGCONT),
        }
    }
}

/// Waits for a child matching `which` to exit (when `exits`) or to stop or continue
/// (WUNTRACED/WCONTINUED in `options`). Ok(None): WNOHANG and nothing yet.
fn do_wait(t: &Task, which: Which, options: u32, exits: bool) -> Result<Option<(i32, Waited)>, Errno> {
    let k = &t.kernel();
    let mut g = t.tg.lock();
    loop {
        let mut any = false;
        for &c in &g.children {
            let Some(cg) = k.pids.get(c) else { continue };
            let matches = match which {
                Which::Any => true,
                Which::Pid(p) => p == c,
                Which::Pgid(pg) => cg.lock().pgid == pg,
            };
            if !matches {
                continue;
            }
            any = true;
            let mut cs = cg.lock();
            if let (Some(e), true) = (cs.exit, exits) {
                drop(cs);
                drop(g);
                // Named before reaping takes the id out of the namespaces.
                let id = t.vpid(c);
                let used = if options & WNOWAIT == 0 {
                    k.pids.reap(&t.tg, c)
                } else {
                    let u = *cg.usage();
                    u.dead + u.children
                };
                return Ok(Some((id, Waited::Exited(e, used))));
            }
            let wanted = match cs.report {
                Some(JobEvent::Stopped(_)) => options & WUNTRACED != 0,
                Some(JobEvent::Continued) => options & WCONTINUED != 0,
                None => false,
            };
            if wanted {
                let ev = cs.report.expect("checked");
                if options & WNOWAIT == 0 {
                    cs.report = None;
                }
                return Ok(Some((t.vpid(c), Waited::Job(ev))));
            }
        }
        if !any {
            return Err(Errno::ECHILD);
        }
        if options & WNOHANG != 0 {
            return Ok(None);
        }
        if signals::interrupted(t) {
            return Err(Errno::ERESTARTSYS);
        }
        g = t.tg.wait(g, None);
    }
}

/// The children a wait names, in global ids (an id the caller's namespace does
/// not have matches nobody).
fn which_from_pid(t: &Task, pid: i32) -> Which {
    let g = |id: i32| t.gpid(id).unwrap_or(-1);
    match pid {
        -1 => Which::Any,
        0 => Which::Pgid(t.tg.lock().pgid),
        p if p < -1 => Which::Pgid(g(-p)),
        p => Which::Pid(g(p)),
    }
}

/// wait4(2).
pub fn sys_wait4(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, wstatus, options, rusage) = (a.i32(0), a.addr(1), a.u32(2), a.addr(3));
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    if pid == i32::MIN {
        return Err(Errno::ESRCH);
    }
    match do_wait(t, which_from_pid(t, pid), options & !WNOWAIT, true)? {
        None => Ok(0),
        Some((c, e)) => {
            if wstatus != 0 {
                t.mm().copy_out(wstatus, &e.status())?;
            }
            if rusage != 0 {
                let used = match e {
                    Waited::Exited(_, used) => used,
                    Waited::Job(_) => CpuTime::default(),
                };
                t.mm().copy_out(rusage, &super::misc::rusage_of(used))?;
            }
            Ok(c as u64)
        }
    }
}

/// waitid(2).
pub fn sys_waitid(t: &Task, a: &SyscallArgs) -> SysResult {
    const P_ALL: u32 = 0;
    const P_PID: u32 = 1;
    const P_PGID: u32 = 2;
    let (idtype, id, infop, options) = (a.u32(0), a.i32(1), a.addr(2), a.u32(3));
    if options & !(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    if options & (WEXITED | WUNTRACED | WCONTINUED) == 0 {
        return Err(Errno::EINVAL);
    }
    let which = match idtype {
        P_ALL => Which::Any,
        P_PID if id > 0 => Which::Pid(t.gpid(id).unwrap_or(-1)),
        P_PGID if id >= 0 => Which::Pgid(if id == 0 { t.tg.lock().pgid } else { t.gpid(id).unwrap_or(-1) }),
        _ => return Err(Errno::EINVAL),
    };
    // waitid's WSTOPPED is wait4's WUNTRACED; exits count only with WEXITED.
    let got = do_wait(t, which, options, options & WEXITED != 0)?;
    if infop != 0 {
        let info = match got {
            None => [0u8; 128],
            Some((c, e)) => {
                let (code, status) = e.code_status();
                // `c` is already the id the caller sees.
                SignalInfo { signo: SIGCHLD, code, pid: c, uid: t.creds.borrow().uid.0, status, ..Default::default() }
                    .to_bytes()
            }
        };
        t.mm().copy_out_bytes(infop, &info)?;
    }
    Ok(0)
}

/// setpgid(2).
pub fn sys_setpgid(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, pgid) = (a.i32(0), a.i32(1));
    if pgid < 0 {
        return Err(Errno::EINVAL);
    }
    let pid = if pid == 0 { t.tgid } else { t.gpid(pid).ok_or(Errno::ESRCH)? };
    // A group id the caller's namespace cannot name cannot be joined.
    let pgid = if pgid == 0 { 0 } else { t.gpid(pgid).ok_or(Errno::EPERM)? };
    let target: Arc<ThreadGroup> = if pid == t.tgid {
        t.tg.clone()
    } else {
        let c = t.kernel().pids.get(pid).ok_or(Errno::ESRCH)?;
        if c.lock().ppid != t.tgid {
            return Err(Errno::ESRCH);
        }
        c
    };
    let my_sid = t.tg.lock().sid;
    let mut s = target.lock();
    if target.tgid != t.tgid && s.did_exec {
        return Err(Errno::EACCES);
    }
    if s.sid != my_sid {
        return Err(Errno::EPERM);
    }
    if s.sid == target.tgid {
        // A session leader cannot change its group.
        return Err(Errno::EPERM);
    }
    let new = if pgid == 0 { target.tgid } else { pgid };
    s.pgid = new;
    Ok(0)
}

/// getpgid(2).
pub fn sys_getpgid(t: &Task, a: &SyscallArgs) -> SysResult {
    let tg = target_of(t, a.i32(0))?;
    let pgid = tg.lock().pgid;
    Ok(t.vpid(pgid) as u64)
}

/// getpgrp(2).
pub fn sys_getpgrp(t: &Task, _a: &SyscallArgs) -> SysResult {
    let pgid = t.tg.lock().pgid;
    Ok(t.vpid(pgid) as u64)
}

/// setsid(2).
pub fn sys_setsid(t: &Task, _a: &SyscallArgs) -> SysResult {
    let me = t.tgid;
    let leads_group = t.kernel().pids.all().iter().any(|g| g.tgid != me && g.lock().pgid == me);
    let mut s = t.tg.lock();
    if s.pgid == me || leads_group {
        return Err(Errno::EPERM);
    }
    s.sid = me;
    s.pgid = me;
    Ok(t.vpid(me) as u64)
}

/// getsid(2).
pub fn sys_getsid(t: &Task, a: &SyscallArgs) -> SysResult {
    let tg = target_of(t, a.i32(0))?;
    let sid = tg.lock().sid;
    Ok(t.vpid(sid) as u64)
}

/// The process `pid` names for the caller (0: itself); ESRCH if it cannot see one.
fn target_of(t: &Task, pid: i32) -> Result<Arc<ThreadGroup>, Errno> {
    if pid == 0 {
        return Ok(t.tg.clone());
    }
    let g = t.gpid(pid).ok_or(Errno::ESRCH)?;
    t.kernel().pids.get(g).ok_or(Errno::ESRCH)
}

/// pause(2).
pub fn sys_pause(t: &Task, _a: &SyscallArgs) -> SysResult {
    sleep_until(t, None)?;
    Err(Errno::ERESTARTNOHAND)
}

/// Sleeps until `deadline` (or forever); Err(EINTR-class) when a signal arrives first.
pub fn sleep_until(t: &Task, deadline: Option<Instant>) -> Result<(), Errno> {
    let mut g = t.tg.lock();
    loop {
        if signals::interrupted(t) {
            return Err(Errno::EINTR);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(());
        }
        g = t.tg.wait(g, deadline);
    }
}

/// Sends `sig` to the processes kill(2)'s `pid` names.
pub fn kill_pid(t: &Task, pid: i32, sig: i32) -> SysResult {
    if !(0..=signal::NSIG).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let k = &t.kernel();
    let ns = t.pidns();
    // Only processes the caller's PID namespace can see are reachable.
    let visible = || k.pids.all().into_iter().filter(|g| ns.sees(g.tgid));
    let group = |pg: Option<i32>| -> Vec<Arc<ThreadGroup>> {
        match pg {
            Some(pg) => visible().filter(|g| g.lock().pgid == pg).collect(),
            None => Vec::new(),
        }
    };
    // (Read before the match: a guard in the scrutinee would live through it.)
    let my_pgid = t.tg.lock().pgid;
    let targets: Vec<Arc<ThreadGroup>> = match pid {
        p if p > 0 => t.gpid(p).and_then(|g| k.pids.get(g)).into_iter().collect(),
        0 => group(Some(my_pgid)),
        -1 => visible().filter(|g| g.tgid != ns.init() && g.tgid != t.tgid).collect(),
        p => group(p.checked_neg().and_then(|q| t.gpid(q))),
    };
    let live: Vec<_> = targets.into_iter().filter(|g| g.lock().exit.is_none() || pid > 0).collect();
    if live.is_empty() {
        return Err(Errno::ESRCH);
    }
    if sig == 0 {
        return Ok(0);
    }
    let uid = t.creds.borrow().uid.0;
    for g in live {
        if g.lock().exit.is_some() {
            continue;
        }
        crate::kernel::jobs::send(
            k,
            &g,
            SignalInfo { signo: sig, code: SI_USER, pid: t.tgid, uid, ..Default::default() },
        );
    }
    Ok(0)
}
