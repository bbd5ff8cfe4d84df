//! Signal syscalls: dispositions, masks, alternate stacks, sending signals to the
//! calling thread, and rt_sigreturn. Delivery itself is in kernel/signals.rs.

use sbx_abi::flags::signal::*;
use sbx_abi::structs::Sigaction;
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::signals::{self, SignalInfo, SI_TKILL, UNBLOCKABLE};
use crate::kernel::{Task, TaskExit};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_RT_SIGACTION, sys_rt_sigaction, "dxxu"),
    sys!(SYS_RT_SIGPROCMASK, sys_rt_sigprocmask, "dxxu"),
    sys!(SYS_RT_SIGRETURN, sys_rt_sigreturn, ""),
    sys!(SYS_SIGALTSTACK, sys_sigaltstack, "xx"),
    sys!(SYS_RT_SIGPENDING, sys_rt_sigpending, "xu"),
    sys!(SYS_KILL, sys_kill, "dd"),
    sys!(SYS_TGKILL, sys_tgkill, "ddd", "only the calling thread (no multi-threaded processes yet)"),
    sys!(SYS_TKILL, sys_tkill, "dd", "only the calling thread (no multi-threaded processes yet)"),
];

/// rt_sigaction(2).
pub fn sys_rt_sigaction(t: &Task, a: &SyscallArgs) -> SysResult {
    let (sig, act, oact, size) = (a.i32(0), a.addr(1), a.addr(2), a.usize(3));
    if size != 8 || !(1..=NSIG).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let new = if act != 0 {
        if sig == SIGKILL || sig == SIGSTOP {
            return Err(Errno::EINVAL);
        }
        Some(t.mm().copy_in::<Sigaction>(act)?)
    } else {
        None
    };
    let old = t.tg.actions()[(sig - 1) as usize];
    if oact != 0 {
        t.mm().copy_out(oact, &old)?;
    }
    if let Some(mut n) = new {
        n.mask &= !UNBLOCKABLE;
        t.tg.actions()[(sig - 1) as usize] = n;
    }
    Ok(0)
}

/// rt_sigprocmask(2).
pub fn sys_rt_sigprocmask(t: &Task, a: &SyscallArgs) -> SysResult {
    let (how, set, oset, size) = (a.u32(0), a.addr(1), a.addr(2), a.usize(3));
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let old = t.local.sigmask.get();
    if set != 0 {
        let s: u64 = t.mm().copy_in(set)?;
        let new = match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(Errno::EINVAL),
        };
        t.local.sigmask.set(new & !UNBLOCKABLE);
    }
    if oset != 0 {
        t.mm().copy_out(oset, &old)?;
    }
    Ok(0)
}

/// sigaltstack(2).
pub fn sys_sigaltstack(t: &Task, a: &SyscallArgs) -> SysResult {
    const SS_ONSTACK: i32 = 1;
    const SS_DISABLE: i32 = 2;
    const SS_AUTODISARM: i32 = 1 << 31;
    const MINSIGSTKSZ: u64 = 2048;
    let (ss, oss) = (a.addr(0), a.addr(1));
    let cur = t.local.sigaltstack.get();
    if oss != 0 {
        // stack_t { void *ss_sp; int ss_flags; size_t ss_size; }
        let mut b = [0u8; 24];
        b[..8].copy_from_slice(&cur.0.to_le_bytes());
        b[8..12].copy_from_slice(&cur.1.to_le_bytes());
        b[16..].copy_from_slice(&cur.2.to_le_bytes());
        t.mm().copy_out_bytes(oss, &b)?;
    }
    if ss != 0 {
        let mut b = [0u8; 24];
        t.mm().copy_in_bytes(ss, &mut b)?;
        let sp = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
        let flags = i32::from_le_bytes(b[8..12].try_into().unwrap_or_default());
        let size = u64::from_le_bytes(b[16..].try_into().unwrap_or_default());
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK {
            return Err(Errno::EINVAL);
        }
        if mode == SS_DISABLE {
            t.local.sigaltstack.set((0, SS_DISABLE, 0));
        } else {
            if size < MINSIGSTKSZ {
                return Err(Errno::ENOMEM);
            }
            t.local.sigaltstack.set((sp, flags & SS_AUTODISARM, size));
        }
    }
    Ok(0)
}

/// rt_sigpending(2).
pub fn sys_rt_sigpending(t: &Task, a: &SyscallArgs) -> SysResult {
    if a.usize(1) > 8 {
        return Err(Errno::EINVAL);
    }
    let p = t.tg.sigs().pending & t.local.sigmask.get();
    let bytes = p.to_le_bytes();
    t.mm().copy_out_bytes(a.addr(0), &bytes[..a.usize(1)])?;
    Ok(0)
}

/// Queues `sig` for `t` itself; the run loop acts on it before the guest runs again.
fn send_self(t: &Task, sig: i32, code: i32) -> SysResult {
    if !(0..=NSIG).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    if sig == 0 {
        return Ok(0);
    }
    let uid = t.creds.borrow().uid.0;
    signals::queue(t, SignalInfo { signo: sig, code, pid: t.tgid, uid, ..Default::default() });
    Ok(0)
}

/// rt_sigreturn(2).
pub fn sys_rt_sigreturn(t: &Task, _a: &SyscallArgs) -> SysResult {
    if signals::sigreturn(t).is_err() {
        t.local.exit.set(Some(TaskExit::Signaled(SIGSEGV)));
    }
    Ok(0)
}

/// kill(2).
pub fn sys_kill(t: &Task, a: &SyscallArgs) -> SysResult {
    super::fork::kill_pid(t, a.i32(0), a.i32(1))
}

/// tgkill(2).
pub fn sys_tgkill(t: &Task, a: &SyscallArgs) -> SysResult {
    let (tgid, tid, sig) = (a.i32(0), a.i32(1), a.i32(2));
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tgid != t.tgid || tid != t.tid {
        return Err(Errno::ESRCH);
    }
    send_self(t, sig, SI_TKILL)
}

/// tkill(2).
pub fn sys_tkill(t: &Task, a: &SyscallArgs) -> SysResult {
    let (tid, sig) = (a.i32(0), a.i32(1));
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tid != t.tid {
        return Err(Errno::ESRCH);
    }
    send_self(t, sig, SI_TKILL)
}
