//! The task run loop: switch into the guest, serve what stopped it, repeat.

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
}

/// Whether the syscall instruction just executed was `int $0x80` (the 32-bit ABI),
/// which sbx does not offer to 64-bit programs.
fn was_int80(t: &Task, ip: u64) -> bool {
    let mut insn = [0u8; 2];
    ip >= 2 && t.mm().copy_in_bytes(ip - 2, &mut insn).is_ok() && insn == [0xcd, 0x80]
}

/// Runs `t` on `ctx` until it exits.
pub fn run_task(t: &Task, ctx: &mut dyn Context) -> TaskExit {
    let _span = tracing::info_span!("task", tid = t.tid).entered();
    loop {
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
            Exit::Syscall => {
                let nr = regs.syscall_nr();
                let args = SyscallArgs(regs.syscall_args());
                t.local.regs_replaced.set(false);
                let res = if was_int80(t, regs.ip()) {
                    Err(Errno::ENOSYS)
                } else {
                    let _s = tracing::debug_span!("sys", name = syscalls::name(nr)).entered();
                    syscalls::dispatch(t, nr, &args)
                };
                let res = match res {
                    // Interrupted waits restart only once signals exist (issue 4);
                    // until then an internal restart code must not reach the guest.
                    Err(e) if e.0 >= 512 => Err(Errno::EINTR),
                    r => r,
                };
                if let Some(done) = t.local.exit.get() {
                    if t.kernel.strace {
                        tracing::info!(target: "strace", "{}", syscalls::strace::format_noreturn(t, nr, &args));
                    }
                    return done;
                }
                if t.kernel.strace {
                    tracing::info!(target: "strace", "{}", syscalls::strace::format(t, nr, &args, &res));
                }
                if !t.local.regs_replaced.get() {
                    t.regs.borrow_mut().set_return(match res {
                        Ok(v) => v,
                        Err(e) => e.as_rax(),
                    });
                }
                signals::deliver_pending(t, ctx);
                if let Some(done) = t.local.exit.get() {
                    return done;
                }
            }
            Exit::Signal(si) => {
                if t.kernel.strace {
                    tracing::info!(
                        target: "strace",
                        "[{}] --- {} {{si_code={}, si_addr={:#x}}} ---",
                        t.tid,
                        signal::name(si.signo),
                        si.code,
                        si.addr
                    );
                }
                let info = SignalInfo {
                    signo: si.signo,
                    code: si.code,
                    addr: si.addr,
                    pid: 0,
                    uid: 0,
                };
                signals::force_fault(t, ctx, info);
                if let Some(done) = t.local.exit.get() {
                    return done;
                }
            }
        }
    }
}
