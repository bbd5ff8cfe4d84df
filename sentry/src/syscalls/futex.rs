//! futex(2), set on the Sentry's own wait queues (kernel/futex.rs).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sbx_abi::structs::Timespec;
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::Task;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] =
    &[sys!(SYS_FUTEX, sys_futex, "xdxxxx", "priority-inheritance operations return ENOSYS")];

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAKE_OP: u32 = 5;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_PRIVATE_FLAG: u32 = 128;
const FUTEX_CLOCK_REALTIME: u32 = 256;
const FUTEX_BITSET_MATCH_ANY: u32 = u32::MAX;

/// Turns an absolute time on `clock` into an Instant (None: too far to represent,
/// which waits forever).
fn absolute(ts: &Timespec, realtime: bool) -> Result<Option<Instant>, Errno> {
    let d = ts.to_duration().ok_or(Errno::EINVAL)?;
    let now_clock = if realtime {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
    } else {
        let n = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).map_err(|e| Errno(e as i32))?;
        Duration::new(n.tv_sec() as u64, n.tv_nsec() as u32)
    };
    Ok(crate::kernel::deadline_after(d.saturating_sub(now_clock)))
}

/// Applies FUTEX_WAKE_OP's operation to `old`, and evaluates its comparison.
fn wake_op(encoded: u32, old: u32) -> Result<(u32, bool), Errno> {
    let op = (encoded >> 28) & 7;
    let shift = encoded & (8 << 28) != 0;
    let cmp = (encoded >> 24) & 15;
    let mut oparg = (encoded >> 12) & 0xfff;
    let cmparg = encoded & 0xfff;
    if shift {
        oparg = 1u32.checked_shl(oparg).unwrap_or(0);
    }
    let new = match op {
        0 => oparg,
        1 => old.wrapping_add(oparg),
        2 => old | oparg,
        3 => old & !oparg,
        4 => old ^ oparg,
        _ => return Err(Errno::ENOSYS),
    };
    // Sign-extend the 12-bit arguments the way Linux compares them.
    let (o, c) = (old as i32, ((cmparg << 20) as i32) >> 20);
    let ok = match cmp {
        0 => o == c,
        1 => o != c,
        2 => o < c,
        3 => o <= c,
        4 => o > c,
        5 => o >= c,
        _ => return Err(Errno::ENOSYS),
    };
    Ok((new, ok))
}

/// futex(2).
pub fn sys_futex(t: &Task, a: &SyscallArgs) -> SysResult {
    let (uaddr, op, val, utime, uaddr2, val3) = (a.addr(0), a.u32(1), a.u32(2), a.addr(3), a.addr(4), a.u32(5));
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    if realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT {
        return Err(Errno::ENOSYS);
    }
    let k = &t.kernel();
    let mm = t.mm();
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let bitset = if cmd == FUTEX_WAIT { FUTEX_BITSET_MATCH_ANY } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            let deadline = if utime == 0 {
                None
            } else {
                let ts: Timespec = mm.copy_in(utime)?;
                if cmd == FUTEX_WAIT && !realtime {
                    crate::kernel::deadline_after(ts.to_duration().ok_or(Errno::EINVAL)?)
                } else {
                    absolute(&ts, realtime)?
                }
            };
            k.futexes.wait(t, uaddr, val, bitset, deadline)?;
            Ok(0)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bitset = if cmd == FUTEX_WAKE { FUTEX_BITSET_MATCH_ANY } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            if !uaddr.is_multiple_of(4) {
                return Err(Errno::EINVAL);
            }
            let key = mm.file_offset(uaddr, false)?;
            Ok(k.futexes.wake(key, val as usize, bitset) as u64)
        }
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            if !uaddr.is_multiple_of(4) || !uaddr2.is_multiple_of(4) {
                return Err(Errno::EINVAL);
            }
            let (from, to) = (mm.file_offset(uaddr, false)?, mm.file_offset(uaddr2, false)?);
            // For requeue, the fourth argument is a count, not a pointer.
            let n2 = (utime as u32).min(i32::MAX as u32) as usize;
            let check = || {
                if cmd == FUTEX_CMP_REQUEUE && mm.copy_in::<u32>(uaddr)? != val3 {
                    return Err(Errno::EAGAIN);
                }
                Ok(())
            };
            Ok(k.futexes.requeue(from, to, val as usize, n2, check)? as u64)
        }
        FUTEX_WAKE_OP => {
            if !uaddr.is_multiple_of(4) || !uaddr2.is_multiple_of(4) {
                return Err(Errno::EINVAL);
            }
            let (k1, k2) = (mm.file_offset(uaddr, false)?, mm.file_offset(uaddr2, true)?);
            let n2 = (utime as u32) as usize;
            wake_op(val3, 0)?; // validate the encoding first
            let file = &mm.pool().file;
            let ok = k.futexes.locked(|| {
                let old = file.update_u32(k2, |old| wake_op(val3, old).ok().map(|(n, _)| n));
                wake_op(val3, old).map(|(_, ok)| ok).unwrap_or(false)
            });
            let mut woken = k.futexes.wake(k1, val as usize, FUTEX_BITSET_MATCH_ANY);
            if ok {
                woken += k.futexes.wake(k2, n2, FUTEX_BITSET_MATCH_ANY);
            }
            Ok(woken as u64)
        }
        _ => Err(Errno::ENOSYS),
    }
}
