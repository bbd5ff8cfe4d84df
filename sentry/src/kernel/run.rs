//! The task run loop: switch into the guest, serve what stopped it, repeat; and what
//! happens when a process ends.

use std::sync::atomic::Ordering;
use std::time::Duration;

use sbx_abi::flags::signal;
use sbx_abi::Errno;
use sbx_platform::{Context, Exit};

use super::signals::{self, SignalInfo};
use super::Task;
use crate::syscalls::{self, SyscallArgs};

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskExit {
    /// exit/exit_group with this status (low 8 bits meaningful).
    Exited(i32),
    /// Killed by this signal.
    Signaled(i32),
}

impl TaskExit {
    /// The shell-style status: the exit code, or 128+N for death by signal N.
    pub fn shell_status(self) -> i32 {
        match self {
            TaskExit::Exited(c) => c & 0xff,
            TaskExit::Signaled(s) => 128 + s,
        }
    }

    /// The status word wait4(2) reports (no core dumps are ever written).
    pub fn wait_status(self) -> i32 {
        match self {
            TaskExit::Exited(c) => (c & 0xff) << 8,
            TaskExit::Signaled(s) => s & 0x7f,
        }
    }
}

/// Whether the syscall instruction just executed was `int $0x80` (the 32-bit ABI),
/// which sbx does not offer to 64-bit programs.
fn was_int80(t: &Task, ip: u64) -> bool {
    let mut insn = [0u8; 2];
    ip >= 2 && t.mm().copy_in_bytes(ip - 2, &mut insn).is_ok() && insn == [0xcd, 0x80]
}

/// Runs `t` on `ctx` until it exits.
pub fn run_task(t: &Task, ctx: &mut dyn Context) -> TaskExit {
    let _span = tracing::info_span!("task", tid = t.tid()).entered();
    t.shared.host_tid.store(ctx.host_tid(), Ordering::Release);
    let exit = run_loop(t, ctx);
    // The stub thread still exists: charge what it used to the process.
    let used = super::process::host_cpu_time(ctx.host_tid());
    {
        let mut u = t.tg.usage();
        u.dead = u.dead + used;
    }
    t.shared.host_tid.store(0, Ordering::Release);
    exit
}

fn run_loop(t: &Task, ctx: &mut dyn Context) -> TaskExit {
    loop {
        if t.shared.kill_pending.load(Ordering::Acquire) {
            // exit_group or a fatal signal (group_exit says which), or another
            // thread's execve (killed without a status of its own).
            return t.tg.lock().group_exit.unwrap_or(TaskExit::Signaled(signal::SIGKILL));
        }
        if t.tg.lock().stopped.is_some() {
            super::jobs::wait_while_stopped(t);
        }
        signals::deliver_pending(t, ctx);
        if let Some(done) = t.local.exit.get() {
            return done;
        }
        if let Some(xs) = t.local.fp_restore.borrow_mut().take() {
            if let Err(e) = ctx.set_fp_state(&xs) {
                // The guest handed back an FP area the host rejects: Linux kills with
                // SIGSEGV when restore_sigcontext fails.
                tracing::debug!("restoring FP state: {e}");
                return TaskExit::Signaled(signal::SIGSEGV);
            }
        }
        if let Some(asp) = t.local.asp.borrow().as_ref() {
            let mut synced = t.local.mm_synced.get();
            let r = t.mm().sync(asp.as_ref(), &mut synced);
            t.local.mm_synced.set(synced);
            if let Err(e) = r {
                tracing::error!("updating the guest address space failed, killing the task: {e}");
                return TaskExit::Signaled(signal::SIGKILL);
            }
        }
        let mut regs = *t.regs.borrow();
        let exit = match ctx.switch(&mut regs) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("platform failure, killing the task: {e}");
                return TaskExit::Signaled(signal::SIGKILL);
            }
        };
        *t.regs.borrow_mut() = regs;
        match exit {
            Exit::Syscall => syscall(t, &regs),
            Exit::Signal(si)
                if matches!(si.signo, signal::SIGSEGV | signal::SIGBUS)
                    && t.local.mm_synced.get() != Some(t.mm().generation()) =>
            {
                // Another thread changed the address space and this stub has not caught
                // up yet: sync (at the top of the loop) and retry the access.
            }
            Exit::Signal(si) => {
                if t.kernel().strace {
                    tracing::info!(
                        target: "strace",
                        "[{}] --- {} {{si_code={}, si_addr={:#x}}} ---",
                        t.tid(),
                        signal::name(si.signo),
                        si.code,
                        si.addr
                    );
                }
                let info = SignalInfo { signo: si.signo, code: si.code, addr: si.addr, ..Default::default() };
                signals::force_fault(t, ctx, info);
            }
            Exit::Interrupted => {}
        }
        if let Some(done) = t.local.exit.get() {
            return done;
        }
    }
}

/// Serves one syscall stop.
fn syscall(t: &Task, regs: &sbx_platform::Regs) {
    let nr = regs.syscall_nr();
    let args = SyscallArgs(regs.syscall_args());
    t.local.regs_replaced.set(false);
    let res = if was_int80(t, regs.ip()) {
        Err(Errno::ENOSYS)
    } else {
        let _s = tracing::debug_span!("sys", name = syscalls::name(nr)).entered();
        syscalls::dispatch(t, nr, &args)
    };
    if let Err(e) = res {
        if e.0 >= 512 {
            // Settled by signal delivery before the guest runs again.
            t.local.restart.set(Some((e, nr)));
        }
    }
    if t.local.exit.get().is_some() {
        if t.kernel().strace {
            tracing::info!(target: "strace", "{}", syscalls::strace::format_noreturn(t, nr, &args));
        }
        return;
    }
    if t.kernel().strace {
        tracing::info!(target: "strace", "{}", syscalls::strace::format(t, nr, &args, &res));
    }
    if !t.local.regs_replaced.get() {
        t.regs.borrow_mut().set_return(match res {
            Ok(v) => v,
            Err(e) => e.as_rax(),
        });
    }
}

/// Ends `t`'s process with `how`: children go to init, the parent is told (SIGCHLD
/// and its wait queue), and a parent that ignores SIGCHLD reaps at once.
pub fn exit_process(t: &Task, how: TaskExit) {
    t.kernel().locks.release_all(t.tgid as u64);
    t.tg.real_timer.set(std::sync::Weak::new(), Duration::ZERO, Duration::ZERO);
    let Some(parent) = t.kernel().pids.exit(&t.tg, how) else { return };
    let (ignores, nocldwait) = {
        let acts = parent.actions();
        let a = acts[(signal::SIGCHLD - 1) as usize];
        (a.handler == signal::SIG_IGN, a.flags & signal::SA_NOCLDWAIT != 0)
    };
    if ignores || nocldwait {
        t.kernel().pids.reap(&parent, t.tgid);
    }
    let (code, status) = match how {
        TaskExit::Exited(c) => (1, c & 0xff), // CLD_EXITED
        TaskExit::Signaled(s) => (2, s),      // CLD_KILLED
    };
    let uid = t.creds.borrow().uid.0;
    parent.send(SignalInfo { signo: signal::SIGCHLD, code, pid: t.tgid, uid, status, ..Default::default() });
}
