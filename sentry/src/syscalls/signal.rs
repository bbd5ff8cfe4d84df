//! Signal syscalls: dispositions, masks, alternate stacks, sending signals to the
//! calling thread, and rt_sigreturn. Delivery itself is in kernel/signals.rs.

use sbx_abi::flags::signal::*;
use sbx_abi::structs::Sigaction;
use std::sync::Arc;

use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::signals::{self, SignalInfo, SI_TKILL, UNBLOCKABLE};
use crate::kernel::{Task, TaskExit};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_RT_SIGACTION, sys_rt_sigaction, "dxxu"),
    sys!(SYS_RT_SIGPROCMASK, sys_rt_sigprocmask, "dxxu"),
    sys!(SYS_RT_SIGRETURN, sys_rt_sigreturn, ""),
    sys!(SYS_RT_SIGSUSPEND, sys_rt_sigsuspend, "xu"),
    sys!(SYS_RT_SIGQUEUEINFO, sys_rt_sigqueueinfo, "ddx"),
    sys!(SYS_RT_TGSIGQUEUEINFO, sys_rt_tgsigqueueinfo, "dddx"),
    sys!(SYS_ALARM, sys_alarm, "u"),
    sys!(SYS_GETITIMER, sys_getitimer, "dx", "ITIMER_REAL only"),
    sys!(SYS_SETITIMER, sys_setitimer, "dxx", "ITIMER_REAL only"),
    sys!(SYS_RT_SIGTIMEDWAIT, sys_rt_sigtimedwait, "xxxu"),
    sys!(SYS_SIGALTSTACK, sys_sigaltstack, "xx"),
    sys!(SYS_RT_SIGPENDING, sys_rt_sigpending, "xu"),
    sys!(SYS_KILL, sys_kill, "dd"),
    sys!(SYS_TGKILL, sys_tgkill, "ddd"),
    sys!(SYS_TKILL, sys_tkill, "dd"),
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
    let p = (t.tg.sigs().pending | t.shared.sigs().pending) & t.local.sigmask.get();
    let bytes = p.to_le_bytes();
    t.mm().copy_out_bytes(a.addr(0), &bytes[..a.usize(1)])?;
    Ok(0)
}

/// rt_sigreturn(2).
pub fn sys_rt_sigreturn(t: &Task, _a: &SyscallArgs) -> SysResult {
    if signals::sigreturn(t).is_err() {
        t.exit_group(TaskExit::Signaled(SIGSEGV));
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
    send_thread(t, Some(tgid), tid, sig)
}

/// tkill(2).
pub fn sys_tkill(t: &Task, a: &SyscallArgs) -> SysResult {
    let (tid, sig) = (a.i32(0), a.i32(1));
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    send_thread(t, None, tid, sig)
}

fn send_thread(t: &Task, tgid: Option<i32>, tid: i32, sig: i32) -> SysResult {
    if !(0..=NSIG).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let (tg, th) = t.gpid(tid).and_then(|g| t.kernel().pids.thread(g)).ok_or(Errno::ESRCH)?;
    if tgid.is_some_and(|g| t.gpid(g) != Some(tg.tgid)) {
        return Err(Errno::ESRCH);
    }
    if sig == 0 {
        return Ok(0);
    }
    let uid = t.creds.borrow().uid.0;
    let info = SignalInfo { signo: sig, code: SI_TKILL, pid: t.tgid, uid, ..Default::default() };
    if sig == sbx_abi::flags::signal::SIGCONT {
        // Continuing is a process-wide effect, whichever thread was named.
        crate::kernel::jobs::continue_process(&t.kernel(), &tg);
    }
    if th.tid() == t.tid() {
        signals::queue(t, info);
    } else {
        tg.send_thread(&th, info);
    }
    Ok(0)
}

/// rt_sigsuspend(2): waits for a signal with `mask` in force; the old mask comes
/// back after the handler.
pub fn sys_rt_sigsuspend(t: &Task, a: &SyscallArgs) -> SysResult {
    if a.usize(1) != 8 {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = t.mm().copy_in(a.addr(0))?;
    t.local.saved_sigmask.set(Some(t.local.sigmask.get()));
    t.local.sigmask.set(mask & !UNBLOCKABLE);
    let _ = super::fork::sleep_until(t, None);
    Err(Errno::ERESTARTNOHAND)
}

/// rt_sigtimedwait(2): takes a signal of `set` off the queue without running its
/// handler.
pub fn sys_rt_sigtimedwait(t: &Task, a: &SyscallArgs) -> SysResult {
    let (set, info, timeout, size) = (a.addr(0), a.addr(1), a.addr(2), a.usize(3));
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let set: u64 = t.mm().copy_in(set)?;
    let set = set & !UNBLOCKABLE;
    let deadline = if timeout != 0 {
        let ts: sbx_abi::structs::Timespec = t.mm().copy_in(timeout)?;
        crate::kernel::deadline_after(ts.to_duration().ok_or(Errno::EINVAL)?)
    } else {
        None
    };
    let mut g = t.tg.lock();
    loop {
        {
            let mut q = t.tg.sigs();
            let ready = q.pending & set;
            if ready != 0 {
                let sig = ready.trailing_zeros() as i32 + 1;
                q.pending &= !(1 << (sig - 1));
                let si = std::mem::take(&mut q.info[(sig - 1) as usize]);
                drop(q);
                drop(g);
                if info != 0 {
                    t.mm().copy_out_bytes(info, &si.seen_by(t).to_bytes())?;
                }
                return Ok(sig as u64);
            }
        }
        if signals::interrupted(t) {
            return Err(Errno::EINTR);
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Err(Errno::EAGAIN);
        }
        g = t.tg.wait(g, deadline);
    }
}

const ITIMER_REAL: i32 = 0;

fn timeval_of(d: std::time::Duration) -> sbx_abi::structs::Timeval {
    sbx_abi::structs::Timeval { tv_sec: d.as_secs() as i64, tv_usec: i64::from(d.subsec_micros()) }
}

fn duration_of(tv: &sbx_abi::structs::Timeval) -> Result<std::time::Duration, Errno> {
    if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EINVAL);
    }
    Ok(std::time::Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000))
}

/// alarm(2).
pub fn sys_alarm(t: &Task, a: &SyscallArgs) -> SysResult {
    let secs = std::time::Duration::from_secs(u64::from(a.u32(0)));
    let (left, _) = t.tg.real_timer.set(Arc::downgrade(&t.tg), secs, std::time::Duration::ZERO);
    // Rounded to the nearest second, but never 0 for a pending alarm.
    let mut r = left.as_secs() + u64::from(left.subsec_micros() >= 500_000);
    if r == 0 && !left.is_zero() {
        r = 1;
    }
    Ok(r)
}

/// getitimer(2): ITIMER_REAL only.
pub fn sys_getitimer(t: &Task, a: &SyscallArgs) -> SysResult {
    if a.i32(0) != ITIMER_REAL {
        return Err(Errno::EINVAL);
    }
    let (left, interval) = t.tg.real_timer.get();
    let v = [timeval_of(interval), timeval_of(left)];
    t.mm().copy_out(a.addr(1), &v)?;
    Ok(0)
}

/// setitimer(2): ITIMER_REAL only (virtual and profiling timers are EINVAL).
pub fn sys_setitimer(t: &Task, a: &SyscallArgs) -> SysResult {
    if a.i32(0) != ITIMER_REAL {
        return Err(Errno::EINVAL);
    }
    let new: [sbx_abi::structs::Timeval; 2] =
        if a.addr(1) != 0 { t.mm().copy_in(a.addr(1))? } else { Default::default() };
    let (interval, value) = (duration_of(&new[0])?, duration_of(&new[1])?);
    let (left, old_interval) = t.tg.real_timer.set(Arc::downgrade(&t.tg), value, interval);
    if a.addr(2) != 0 {
        t.mm().copy_out(a.addr(2), &[timeval_of(old_interval), timeval_of(left)])?;
    }
    Ok(0)
}

/// Reads a caller-made siginfo for rt_(tg)sigqueueinfo: only the kernel may claim
/// positive codes (or SI_TKILL) for another process (EPERM).
fn queued_info(t: &Task, sig: i32, addr: u64, to_self: bool) -> Result<SignalInfo, Errno> {
    if !(1..=NSIG).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let raw: [u8; 128] = t.mm().copy_in(addr)?;
    let code = i32::from_le_bytes([raw[8], raw[9], raw[10], raw[11]]);
    if (code >= 0 || code == SI_TKILL) && !to_self {
        return Err(Errno::EPERM);
    }
    // The sender's claimed pid is kept as the global id it names (translated again
    // for the receiver).
    let pid = i32::from_le_bytes([raw[16], raw[17], raw[18], raw[19]]);
    let pid = t.gpid(pid).unwrap_or(0);
    let uid = u32::from_le_bytes([raw[20], raw[21], raw[22], raw[23]]);
    let value = u64::from_le_bytes(raw[24..32].try_into().map_err(|_| Errno::EINVAL)?);
    Ok(SignalInfo { signo: sig, code, pid, uid, value, ..Default::default() })
}

/// rt_sigqueueinfo(2).
pub fn sys_rt_sigqueueinfo(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, sig) = (a.i32(0), a.i32(1));
    let pid = t.gpid(pid).ok_or(Errno::ESRCH)?;
    let tg = t.kernel().pids.get(pid).ok_or(Errno::ESRCH)?;
    let info = queued_info(t, sig, a.addr(2), pid == t.tgid)?;
    if tg.lock().exit.is_some() {
        return Err(Errno::ESRCH);
    }
    tg.send(info);
    Ok(0)
}

/// rt_tgsigqueueinfo(2).
pub fn sys_rt_tgsigqueueinfo(t: &Task, a: &SyscallArgs) -> SysResult {
    let (tgid, tid, sig) = (a.i32(0), a.i32(1), a.i32(2));
    let (tg, th) = t.gpid(tid).and_then(|g| t.kernel().pids.thread(g)).ok_or(Errno::ESRCH)?;
    let tgid = t.gpid(tgid).ok_or(Errno::ESRCH)?;
    if tg.tgid != tgid {
        return Err(Errno::ESRCH);
    }
    let info = queued_info(t, sig, a.addr(3), tgid == t.tgid)?;
    if th.tid() == t.tid() {
        signals::queue(t, info);
    } else {
        tg.send_thread(&th, info);
    }
    Ok(0)
}
