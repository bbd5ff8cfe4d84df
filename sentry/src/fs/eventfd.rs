//! eventfd and timerfd: counters read as 8-byte values.
//!
//! Waits sleep on the file's condition variable in short slices so that a signal
//! for the waiting task ends them promptly (as pipes do).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::kernel::{signals, Task};
use crate::vfs::{FileDescription, FileOps};

const SLICE: Duration = Duration::from_millis(20);
/// Largest eventfd counter value.
const MAX: u64 = u64::MAX - 1;

/// An eventfd.
pub struct EventFd {
    count: Mutex<u64>,
    cond: Condvar,
    semaphore: bool,
    seq: std::sync::atomic::AtomicU64,
}

impl EventFd {
    /// A counter starting at `init`; `semaphore` is EFD_SEMAPHORE.
    pub fn new(init: u64, semaphore: bool) -> Self {
        EventFd { count: Mutex::new(init), cond: Condvar::new(), semaphore, seq: Default::default() }
    }

    fn lock(&self) -> MutexGuard<'_, u64> {
        self.count.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.cond.notify_all();
    }
}

fn anon_stat() -> Stat {
    Stat { st_mode: 0o600, st_nlink: 1, st_blksize: 4096, ..Default::default() }
}

impl FileOps for EventFd {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(anon_stat())
    }
    fn seekable(&self) -> bool {
        false
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        if buf.len() < 8 {
            return Some(Err(Errno::EINVAL));
        }
        let mut c = self.lock();
        loop {
            if *c > 0 {
                let v = if self.semaphore { 1 } else { *c };
                *c -= v;
                drop(c);
                self.changed();
                buf[..8].copy_from_slice(&v.to_le_bytes());
                return Some(Ok(8));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            if signals::interrupted(t) {
                return Some(Err(Errno::ERESTARTSYS));
            }
            c = self.cond.wait_timeout(c, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
    fn write_blocking(&self, t: &Task, buf: &[u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        let Some(v) = buf.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes) else {
            return Some(Err(Errno::EINVAL));
        };
        if v == u64::MAX {
            return Some(Err(Errno::EINVAL));
        }
        let mut c = self.lock();
        loop {
            if MAX - *c >= v {
                *c += v;
                drop(c);
                self.changed();
                return Some(Ok(8));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            if signals::interrupted(t) {
                return Some(Err(Errno::ERESTARTSYS));
            }
            c = self.cond.wait_timeout(c, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
    fn poll(&self) -> u32 {
        let c = *self.lock();
        let mut r = 0;
        if c > 0 {
            r |= POLLIN | POLLRDNORM;
        }
        if c < MAX {
            r |= POLLOUT | POLLWRNORM;
        }
        r
    }
    fn poll_seq(&self) -> u64 {
        self.seq.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Timer state: next expiry and period.
#[derive(Default, Clone, Copy)]
struct Timer {
    next: Option<Instant>,
    interval: Duration,
    /// Expirations counted but not read yet.
    ticks: u64,
}

impl Timer {
    /// Counts expirations up to now.
    fn advance(&mut self) {
        let now = Instant::now();
        let Some(next) = self.next else { return };
        if now < next {
            return;
        }
        if self.interval.is_zero() {
            self.ticks += 1;
            self.next = None;
        } else {
            let n = (now - next).as_nanos() / self.interval.as_nanos() + 1;
            self.ticks = self.ticks.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            // Next expiry after now; a period too long for the clock ends the timer.
            self.next =
                u32::try_from(n).ok().and_then(|k| self.interval.checked_mul(k)).and_then(|d| next.checked_add(d));
        }
    }
}

/// A timerfd.
pub struct TimerFd {
    timer: Mutex<Timer>,
    /// The clock absolute times are on (TFD_TIMER_ABSTIME).
    pub clock: u32,
}

impl TimerFd {
    /// A disarmed timer on `clock`.
    pub fn new(clock: u32) -> Self {
        TimerFd { timer: Mutex::new(Timer::default()), clock }
    }

    fn lock(&self) -> MutexGuard<'_, Timer> {
        self.timer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Arms (value > 0) or disarms; returns the old (time left, interval).
    pub fn set(&self, value: Duration, interval: Duration) -> (Duration, Duration) {
        let old = self.get();
        let mut tm = self.lock();
        let next = if value.is_zero() { None } else { crate::kernel::deadline_after(value) };
        *tm = Timer { next, interval, ticks: 0 };
        old
    }

    /// (time left, interval).
    pub fn get(&self) -> (Duration, Duration) {
        let mut tm = self.lock();
        tm.advance();
        let left = tm.next.map(|n| n.saturating_duration_since(Instant::now())).unwrap_or_default();
        (left, tm.interval)
    }
}

impl FileOps for TimerFd {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(anon_stat())
    }
    fn seekable(&self) -> bool {
        false
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        if buf.len() < 8 {
            return Some(Err(Errno::EINVAL));
        }
        loop {
            let wait = {
                let mut tm = self.lock();
                tm.advance();
                if tm.ticks > 0 {
                    buf[..8].copy_from_slice(&tm.ticks.to_le_bytes());
                    tm.ticks = 0;
                    return Some(Ok(8));
                }
                tm.next.map(|n| n.saturating_duration_since(Instant::now()))
            };
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            if signals::interrupted(t) {
                return Some(Err(Errno::ERESTARTSYS));
            }
            std::thread::sleep(wait.unwrap_or(SLICE).min(SLICE));
        }
    }
    fn write_blocking(&self, _t: &Task, _buf: &[u8], _nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(Err(Errno::EINVAL))
    }
    fn poll(&self) -> u32 {
        let mut tm = self.lock();
        tm.advance();
        if tm.ticks > 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }
    fn poll_seq(&self) -> u64 {
        let mut tm = self.lock();
        tm.advance();
        tm.ticks
    }
    fn as_timerfd(&self) -> Option<&TimerFd> {
        Some(self)
    }
}
