//! poll(2), ppoll(2), select(2), pselect6(2) and epoll.
//!
//! Readiness comes from each file's `FileOps::poll`. Waiting re-checks in short
//! slices on the process's wait queue, so a signal ends the wait at once and file
//! readiness is seen within a few milliseconds.
//! TODO(issue 5): file wait queues, so readiness wakes the waiter directly.

use std::time::{Duration, Instant};

use sbx_abi::structs::{Timespec, Timeval};
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::epoll::{Epoll, EpollFile, EPOLLEXCLUSIVE};
use crate::fs::pipe::{POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM};
use crate::kernel::signals::{self, UNBLOCKABLE};
use crate::kernel::Task;
use crate::vfs::FileDescription;
use sbx_abi::flags::OpenFlags;
use std::sync::Arc;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_POLL, sys_poll, "xud"),
    sys!(SYS_PPOLL, sys_ppoll, "xuxxu"),
    sys!(SYS_SELECT, sys_select, "dxxxx"),
    sys!(SYS_PSELECT6, sys_pselect6, "dxxxxx"),
    sys!(SYS_EPOLL_CREATE, sys_epoll_create, "d"),
    sys!(SYS_EPOLL_CREATE1, sys_epoll_create1, "x"),
    sys!(SYS_EPOLL_CTL, sys_epoll_ctl, "dddx"),
    sys!(SYS_EPOLL_WAIT, sys_epoll_wait, "dxdd"),
    sys!(SYS_EPOLL_PWAIT, sys_epoll_pwait, "dxddxu"),
    sys!(SYS_EPOLL_PWAIT2, sys_epoll_pwait2, "dxdxxu"),
    sys!(SYS_EVENTFD, sys_eventfd, "u"),
    sys!(SYS_EVENTFD2, sys_eventfd2, "ux"),
    sys!(SYS_TIMERFD_CREATE, sys_timerfd_create, "dx"),
    sys!(
        SYS_TIMERFD_SETTIME,
        sys_timerfd_settime,
        "dxxx",
        "TFD_TIMER_CANCEL_ON_SET on absolute real-time timers returns EINVAL"
    ),
    sys!(SYS_TIMERFD_GETTIME, sys_timerfd_gettime, "dx"),
];

/// Most fds one poll may name (RLIMIT_NOFILE's ceiling).
const MAX_FDS: usize = 1 << 20;

/// Waits until `check` reports something ready (Some) or the deadline passes.
fn wait_ready<R>(
    t: &Task,
    deadline: Option<Instant>,
    mut check: impl FnMut() -> Result<Option<R>, Errno>,
) -> Result<Option<R>, Errno> {
    let mut slice = Duration::from_micros(500);
    loop {
        if let Some(r) = check()? {
            return Ok(Some(r));
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Ok(None);
        }
        if signals::interrupted(t) {
            return Err(Errno::ERESTARTNOHAND);
        }
        let until = deadline.map_or(now + slice, |d| d.min(now + slice));
        let g = t.tg.lock();
        drop(t.tg.wait(g, Some(until)));
        slice = (slice * 2).min(Duration::from_millis(10));
    }
}

fn readiness(t: &Task, fd: i32) -> u32 {
    match t.fds.get(fd) {
        Ok(f) => f.ops.poll_for(t),
        Err(_) => POLLNVAL,
    }
}

fn do_poll(t: &Task, addr: u64, nfds: usize, deadline: Option<Instant>) -> SysResult {
    if nfds > MAX_FDS || nfds as u64 > t.fds.limit() {
        return Err(Errno::EINVAL);
    }
    // struct pollfd { int fd; short events; short revents; }
    let mut raw = vec![0u8; nfds * 8];
    t.mm().copy_in_bytes(addr, &mut raw)?;
    let mut pfds: Vec<(i32, u16, u16)> = raw
        .chunks(8)
        .map(|c| (i32::from_le_bytes([c[0], c[1], c[2], c[3]]), u16::from_le_bytes([c[4], c[5]]), 0))
        .collect();
    let n = wait_ready(t, deadline, || {
        let mut n = 0;
        for p in pfds.iter_mut() {
            p.2 = 0;
            if p.0 < 0 {
                continue;
            }
            let r = readiness(t, p.0);
            let mask = u32::from(p.1) | POLLERR | POLLHUP | POLLNVAL;
            p.2 = (r & mask) as u16;
            if p.2 != 0 {
                n += 1;
            }
        }
        Ok((n > 0).then_some(n))
    })?
    .unwrap_or(0);
    for (i, p) in pfds.iter().enumerate() {
        raw[i * 8 + 6..i * 8 + 8].copy_from_slice(&p.2.to_le_bytes());
    }
    t.mm().copy_out_bytes(addr, &raw)?;
    Ok(n as u64)
}

/// poll(2).
pub fn sys_poll(t: &Task, a: &SyscallArgs) -> SysResult {
    let timeout = a.i32(2);
    let deadline = (timeout >= 0).then(|| Instant::now() + Duration::from_millis(timeout as u64));
    do_poll(t, a.addr(0), a.usize(1), deadline)
}

fn timespec_deadline(t: &Task, addr: u64) -> Result<Option<Instant>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let ts: Timespec = t.mm().copy_in(addr)?;
    Ok(crate::kernel::deadline_after(ts.to_duration().ok_or(Errno::EINVAL)?))
}

/// Installs a temporary signal mask for the call (ppoll, pselect6); the old one
/// comes back after the call or after a handler it lets through.
fn temp_mask(t: &Task, addr: u64, size: usize) -> Result<(), Errno> {
    if addr == 0 {
        return Ok(());
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let m: u64 = t.mm().copy_in(addr)?;
    t.local.saved_sigmask.set(Some(t.local.sigmask.get()));
    t.local.sigmask.set(m & !UNBLOCKABLE);
    Ok(())
}

/// ppoll(2).
pub fn sys_ppoll(t: &Task, a: &SyscallArgs) -> SysResult {
    let deadline = timespec_deadline(t, a.addr(2))?;
    temp_mask(t, a.addr(3), a.usize(4))?;
    do_poll(t, a.addr(0), a.usize(1), deadline)
}

/// The fd_set bitmaps of select: read, write, except.
fn do_select(t: &Task, nfds: i32, sets: [u64; 3], deadline: Option<Instant>) -> Result<u64, Errno> {
    if nfds < 0 || nfds as usize > MAX_FDS {
        return Err(Errno::EINVAL);
    }
    let nfds = nfds as usize;
    let bytes = nfds.div_ceil(64) * 8;
    let mm = t.mm();
    let mut ins = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            mm.copy_in_bytes(addr, &mut ins[i])?;
        }
    }
    let isset = |v: &[u8], fd: usize| v[fd / 8] & (1 << (fd % 8)) != 0;
    for fd in 0..nfds {
        if (0..3).any(|i| isset(&ins[i], fd)) && t.fds.get(fd as i32).is_err() {
            return Err(Errno::EBADF);
        }
    }
    let want = [POLLIN | POLLRDNORM | POLLHUP | POLLERR, POLLOUT | POLLWRNORM | POLLERR, POLLPRI];
    let result = wait_ready(t, deadline, || {
        let mut outs = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
        let mut n = 0u64;
        for fd in 0..nfds {
            if !(0..3).any(|i| isset(&ins[i], fd)) {
                continue;
            }
            let r = readiness(t, fd as i32);
            for i in 0..3 {
                if isset(&ins[i], fd) && r & want[i] != 0 {
                    outs[i][fd / 8] |= 1 << (fd % 8);
                    n += 1;
                }
            }
        }
        Ok((n > 0).then_some((n, outs)))
    })?;
    let (n, outs) = result.unwrap_or_else(|| (0, [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]]));
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            mm.copy_out_bytes(addr, &outs[i])?;
        }
    }
    Ok(n)
}

/// select(2): the timeout is updated with the time left, as Linux does.
pub fn sys_select(t: &Task, a: &SyscallArgs) -> SysResult {
    let tv_addr = a.addr(4);
    let deadline = if tv_addr != 0 {
        let tv: Timeval = t.mm().copy_in(tv_addr)?;
        if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(Errno::EINVAL);
        }
        crate::kernel::deadline_after(Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000))
    } else {
        None
    };
    let r = do_select(t, a.i32(0), [a.addr(1), a.addr(2), a.addr(3)], deadline);
    if let (Some(d), true) = (deadline, tv_addr != 0) {
        let left = d.saturating_duration_since(Instant::now());
        t.mm()
            .copy_out(tv_addr, &Timeval { tv_sec: left.as_secs() as i64, tv_usec: i64::from(left.subsec_micros()) })?;
    }
    r
}

/// pselect6(2): the sixth argument points to `{ const sigset_t *ss; size_t len; }`.
pub fn sys_pselect6(t: &Task, a: &SyscallArgs) -> SysResult {
    let deadline = timespec_deadline(t, a.addr(4))?;
    if a.addr(5) != 0 {
        let [ss, len]: [u64; 2] = t.mm().copy_in(a.addr(5))?;
        temp_mask(t, ss, len as usize)?;
    }
    do_select(t, a.i32(0), [a.addr(1), a.addr(2), a.addr(3)], deadline)
}

const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CTL_DEL: i32 = 2;
const EPOLL_CTL_MOD: i32 = 3;
const EPOLL_CLOEXEC: u32 = 0o2000000;

/// epoll_create1(2).
pub fn sys_epoll_create1(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(0);
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    let f = Arc::new(FileDescription::new(
        Box::new(EpollFile(Epoll::default())),
        OpenFlags::O_RDWR,
        "anon_inode:[eventpoll]".into(),
    ));
    Ok(t.fds.install(f, flags & EPOLL_CLOEXEC != 0)? as u64)
}

/// epoll_create(2): the size must be positive and is otherwise ignored.
pub fn sys_epoll_create(t: &Task, a: &SyscallArgs) -> SysResult {
    if a.i32(0) <= 0 {
        return Err(Errno::EINVAL);
    }
    sys_epoll_create1(t, &SyscallArgs([0; 6]))
}

/// epoll_ctl(2). `struct epoll_event { u32 events; u64 data; }` is packed (12 bytes).
pub fn sys_epoll_ctl(t: &Task, a: &SyscallArgs) -> SysResult {
    let (epfd, op, fd, ev) = (a.fd(0), a.i32(1), a.fd(2), a.addr(3));
    let ep_file = t.fds.get(epfd)?;
    let target = t.fds.get(fd)?;
    let ep = ep_file.ops.as_epoll().ok_or(Errno::EINVAL)?;
    if epfd == fd || Arc::ptr_eq(&ep_file, &target) {
        return Err(Errno::EINVAL);
    }
    if target.inode().is_some_and(|i| crate::vfs::is_regular(i.as_ref()) || crate::vfs::is_dir(i.as_ref())) {
        // Regular files and directories are always ready and not pollable (EPERM).
        return Err(Errno::EPERM);
    }
    if let Some(inner) = target.ops.as_epoll() {
        if inner.reaches(ep, 0) {
            return Err(Errno::ELOOP);
        }
    }
    let read_event = || -> Result<(u32, u64), Errno> {
        let raw: [u8; 12] = t.mm().copy_in(ev)?;
        Ok((
            u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]),
            u64::from_le_bytes(raw[4..12].try_into().map_err(|_| Errno::EINVAL)?),
        ))
    };
    match op {
        EPOLL_CTL_ADD => {
            let (events, data) = read_event()?;
            ep.add(fd, &target, events, data)?;
        }
        EPOLL_CTL_MOD => {
            let (events, data) = read_event()?;
            if events & EPOLLEXCLUSIVE != 0 {
                return Err(Errno::EINVAL);
            }
            ep.modify(fd, &target, events, data)?;
        }
        EPOLL_CTL_DEL => ep.delete(fd, &target)?,
        _ => return Err(Errno::EINVAL),
    }
    Ok(0)
}

fn do_epoll_wait(t: &Task, epfd: i32, events: u64, max: i32, deadline: Option<Instant>) -> SysResult {
    if max <= 0 || max as usize > (i32::MAX as usize) / 12 {
        return Err(Errno::EINVAL);
    }
    let f = t.fds.get(epfd)?;
    let ep = f.ops.as_epoll().ok_or(Errno::EINVAL)?;
    let got = wait_ready(t, deadline, || {
        let r = ep.ready(Some(t), max as usize);
        Ok((!r.is_empty()).then_some(r))
    })?
    .unwrap_or_default();
    let mut out = Vec::with_capacity(got.len() * 12);
    for (ev, data) in &got {
        out.extend_from_slice(&ev.to_le_bytes());
        out.extend_from_slice(&data.to_le_bytes());
    }
    t.mm().copy_out_bytes(events, &out)?;
    Ok(got.len() as u64)
}

fn ms_deadline(timeout: i32) -> Option<Instant> {
    (timeout >= 0).then(|| Instant::now() + Duration::from_millis(timeout as u64))
}

/// epoll_wait(2).
pub fn sys_epoll_wait(t: &Task, a: &SyscallArgs) -> SysResult {
    do_epoll_wait(t, a.fd(0), a.addr(1), a.i32(2), ms_deadline(a.i32(3)))
}

/// epoll_pwait(2).
pub fn sys_epoll_pwait(t: &Task, a: &SyscallArgs) -> SysResult {
    temp_mask(t, a.addr(4), a.usize(5))?;
    do_epoll_wait(t, a.fd(0), a.addr(1), a.i32(2), ms_deadline(a.i32(3)))
}

/// epoll_pwait2(2): the timeout is a timespec.
pub fn sys_epoll_pwait2(t: &Task, a: &SyscallArgs) -> SysResult {
    let deadline = timespec_deadline(t, a.addr(3))?;
    temp_mask(t, a.addr(4), a.usize(5))?;
    do_epoll_wait(t, a.fd(0), a.addr(1), a.i32(2), deadline)
}

const EFD_SEMAPHORE: u32 = 1;
const O_NONBLOCK: u32 = 0o4000;

fn install_anon(t: &Task, ops: Box<dyn crate::vfs::FileOps>, name: &str, flags: u32) -> SysResult {
    let mut fl = OpenFlags::O_RDWR;
    if flags & O_NONBLOCK != 0 {
        fl |= OpenFlags::O_NONBLOCK;
    }
    let f = Arc::new(FileDescription::new(ops, fl, name.into()));
    Ok(t.fds.install(f, flags & EPOLL_CLOEXEC != 0)? as u64)
}

/// eventfd2(2).
pub fn sys_eventfd2(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(1);
    if flags & !(EFD_SEMAPHORE | EPOLL_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let ops = Box::new(crate::fs::eventfd::EventFd::new(u64::from(a.u32(0)), flags & EFD_SEMAPHORE != 0));
    install_anon(t, ops, "anon_inode:[eventfd]", flags)
}

/// eventfd(2).
pub fn sys_eventfd(t: &Task, a: &SyscallArgs) -> SysResult {
    sys_eventfd2(t, &SyscallArgs([a.u64(0), 0, 0, 0, 0, 0]))
}

/// timerfd_create(2).
pub fn sys_timerfd_create(t: &Task, a: &SyscallArgs) -> SysResult {
    let (clock, flags) = (a.u32(0), a.u32(1));
    use sbx_abi::flags::clock::*;
    if !matches!(clock, CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_REALTIME_ALARM | CLOCK_BOOTTIME_ALARM)
    {
        return Err(Errno::EINVAL);
    }
    if flags & !(EPOLL_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let tfd = crate::fs::eventfd::TimerFd::new(clock);
    install_anon(t, Box::new(tfd), "anon_inode:[timerfd]", flags)
}

fn timer_of(t: &Task, fd: i32) -> Result<Arc<FileDescription>, Errno> {
    let f = t.fds.get(fd)?;
    if f.ops.as_timerfd().is_none() {
        return Err(Errno::EINVAL);
    }
    Ok(f)
}

/// timerfd_settime(2): `struct itimerspec { timespec interval, value; }`.
pub fn sys_timerfd_settime(t: &Task, a: &SyscallArgs) -> SysResult {
    const TFD_TIMER_ABSTIME: u32 = 1;
    const TFD_TIMER_CANCEL_ON_SET: u32 = 2;
    let (fd, flags) = (a.fd(0), a.u32(1));
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return Err(Errno::EINVAL);
    }
    let f = timer_of(t, fd)?;
    let tfd = f.ops.as_timerfd().ok_or(Errno::EINVAL)?;
    let clock = tfd.clock;
    // CANCEL_ON_SET only acts on absolute real-time timers (Linux ignores it
    // otherwise); there it is not offered: EINVAL rather than a silent no-op.
    let realtime = matches!(clock, sbx_abi::flags::clock::CLOCK_REALTIME | sbx_abi::flags::clock::CLOCK_REALTIME_ALARM);
    if flags & TFD_TIMER_CANCEL_ON_SET != 0 && flags & TFD_TIMER_ABSTIME != 0 && realtime {
        return Err(Errno::EINVAL);
    }
    let new: [Timespec; 2] = t.mm().copy_in(a.addr(2))?;
    let interval = new[0].to_duration().ok_or(Errno::EINVAL)?;
    let mut value = new[1].to_duration().ok_or(Errno::EINVAL)?;
    if flags & TFD_TIMER_ABSTIME != 0 && !value.is_zero() {
        let now = nix::time::clock_gettime(nix::time::ClockId::from_raw(clock as i32)).map_err(|e| Errno(e as i32))?;
        let now = Duration::new(now.tv_sec() as u64, now.tv_nsec() as u32);
        // An absolute time already past fires at once.
        value = value.saturating_sub(now).max(Duration::from_nanos(1));
    }
    let (left, old_interval) = tfd.set(value, interval);
    if a.addr(3) != 0 {
        t.mm().copy_out(a.addr(3), &[Timespec::from_duration(old_interval), Timespec::from_duration(left)])?;
    }
    Ok(0)
}

/// timerfd_gettime(2).
pub fn sys_timerfd_gettime(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = timer_of(t, a.fd(0))?;
    let (left, interval) = f.ops.as_timerfd().ok_or(Errno::EINVAL)?.get();
    t.mm().copy_out(a.addr(1), &[Timespec::from_duration(interval), Timespec::from_duration(left)])?;
    Ok(0)
}
