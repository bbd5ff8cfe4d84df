//! Pipes: a bounded byte buffer in the Sentry shared by a read end and a write end.
//!
//! Blocking waits sleep on the pipe's condition variable in short slices so that a
//! signal for the waiting task ends them (EINTR or a restart) promptly.
//! TODO(issue 5): wake waiters through per-task wait queues instead of slices.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use sbx_abi::flags::S_IFIFO;
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use crate::kernel::signals;
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// Default capacity (16 pages, as Linux).
pub const PIPE_DEF_SIZE: usize = 65536;
/// Largest capacity an unprivileged F_SETPIPE_SZ may ask (/proc/sys/fs/pipe-max-size).
pub const PIPE_MAX_SIZE: usize = 1 << 20;
/// Writes up to this size are atomic.
pub const PIPE_BUF: usize = 4096;

struct Inner {
    buf: VecDeque<u8>,
    cap: usize,
    readers: usize,
    writers: usize,
    /// Read and write ends ever opened (a FIFO's open waits for the other to move).
    r_counter: u64,
    w_counter: u64,
}

/// The shared part of a pipe.
pub struct Pipe {
    inner: Mutex<Inner>,
    /// Moves on every read, write and close (edge-triggered epoll).
    seq: std::sync::atomic::AtomicU64,
    cond: Condvar,
    ino: u64,
}

/// Poll bits.
pub const POLLIN: u32 = 0x001;
/// Urgent data.
pub const POLLPRI: u32 = 0x002;
/// Writable.
pub const POLLOUT: u32 = 0x004;
/// Error.
pub const POLLERR: u32 = 0x008;
/// Hang-up.
pub const POLLHUP: u32 = 0x010;
/// Invalid fd.
pub const POLLNVAL: u32 = 0x020;
/// Normal data readable.
pub const POLLRDNORM: u32 = 0x040;
/// Normal data writable.
pub const POLLWRNORM: u32 = 0x100;

const SLICE: Duration = Duration::from_millis(20);

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.cond.notify_all();
    }

    /// Bytes waiting to be read.
    pub fn available(&self) -> usize {
        self.lock().buf.len()
    }

    /// Capacity.
    pub fn capacity(&self) -> usize {
        self.lock().cap
    }

    /// F_SETPIPE_SZ: rounds up to a power of two pages; EBUSY below the content.
    pub fn set_capacity(&self, want: usize) -> Result<usize, Errno> {
        if want > PIPE_MAX_SIZE {
            return Err(Errno::EPERM);
        }
        let cap = want.max(4096).next_power_of_two();
        let mut g = self.lock();
        if g.buf.len() > cap {
            return Err(Errno::EBUSY);
        }
        g.cap = cap;
        drop(g);
        self.changed();
        Ok(cap)
    }

    /// A pipe without ends yet (a FIFO's, whose opens [`attach`](Self::attach) them).
    pub fn new_unopened(ino: u64) -> Arc<Pipe> {
        Arc::new(Pipe {
            inner: Mutex::new(Inner {
                buf: VecDeque::new(),
                cap: PIPE_DEF_SIZE,
                readers: 0,
                writers: 0,
                r_counter: 0,
                w_counter: 0,
            }),
            seq: Default::default(),
            cond: Condvar::new(),
            ino,
        })
    }

    /// Opens a new read or write end. A pipe without ends starts afresh (empty, at
    /// the default capacity), as a FIFO's buffer goes with its last close.
    pub fn attach(self: &Arc<Self>, write: bool) -> PipeEnd {
        let mut g = self.lock();
        if g.readers == 0 && g.writers == 0 {
            g.buf.clear();
            g.cap = PIPE_DEF_SIZE;
        }
        if write {
            g.writers += 1;
            g.w_counter += 1;
        } else {
            g.readers += 1;
            g.r_counter += 1;
        }
        drop(g);
        self.changed();
        PipeEnd { pipe: self.clone(), write, hup_after: 0 }
    }

    /// (readers, writers) open now, and (read, write) ends ever opened.
    pub fn ends(&self) -> ((usize, usize), (u64, u64)) {
        let g = self.lock();
        ((g.readers, g.writers), (g.r_counter, g.w_counter))
    }

    /// Waits until an end of the other kind than `write` is opened after the
    /// counter of such ends read `seen` (a FIFO open waiting for its partner).
    pub fn wait_partner(&self, t: &Task, write: bool, seen: u64) -> Result<(), Errno> {
        let mut g = self.lock();
        loop {
            let now = if write { g.r_counter } else { g.w_counter };
            if now != seen {
                return Ok(());
            }
            if signals::interrupted(t) {
                return Err(Errno::ERESTARTSYS);
            }
            g = self.cond.wait_timeout(g, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Copies queued bytes into `buf`, blocking (unless `nonblock`) until there are
    /// some or no writer is left (0); `consume` takes them off the pipe (a read),
    /// otherwise they stay (tee, and splice before it knows how much the other side
    /// took).
    pub fn read_task(&self, t: &Task, buf: &mut [u8], nonblock: bool, consume: bool) -> Result<usize, Errno> {
        let mut g = self.lock();
        loop {
            if !g.buf.is_empty() {
                let n = buf.len().min(g.buf.len());
                if consume {
                    for (d, s) in buf[..n].iter_mut().zip(g.buf.drain(..n)) {
                        *d = s;
                    }
                    drop(g);
                    self.changed();
                } else {
                    for (d, s) in buf[..n].iter_mut().zip(g.buf.iter()) {
                        *d = *s;
                    }
                }
                return Ok(n);
            }
            if g.writers == 0 || buf.is_empty() {
                return Ok(0);
            }
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            if signals::interrupted(t) {
                return Err(Errno::ERESTARTSYS);
            }
            g = self.cond.wait_timeout(g, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Takes `n` bytes already copied by a non-consuming [`read_task`](Self::read_task)
    /// off the front.
    pub fn consume(&self, n: usize) {
        let mut g = self.lock();
        let n = n.min(g.buf.len());
        g.buf.drain(..n);
        drop(g);
        self.changed();
    }

    /// Waits (unless `nonblock`) until the pipe has room and returns how much; EPIPE
    /// without readers.
    pub fn room_task(&self, t: &Task, nonblock: bool) -> Result<usize, Errno> {
        let mut g = self.lock();
        loop {
            if g.readers == 0 {
                return Err(Errno::EPIPE);
            }
            let room = g.cap - g.buf.len().min(g.cap);
            if room > 0 {
                return Ok(room);
            }
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            if signals::interrupted(t) {
                return Err(Errno::ERESTARTSYS);
            }
            g = self.cond.wait_timeout(g, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Writes, blocking while full; EPIPE without readers. Writes of
    /// at most PIPE_BUF bytes are never interleaved with others.
    pub fn write_task(&self, t: &Task, buf: &[u8], nonblock: bool) -> Result<usize, Errno> {
        let mut done = 0;
        let mut g = self.lock();
        loop {
            if g.readers == 0 {
                // The caller raises SIGPIPE on EPIPE (write(2) does; send with
                // MSG_NOSIGNAL does not).
                return if done > 0 { Ok(done) } else { Err(Errno::EPIPE) };
            }
            let room = g.cap - g.buf.len().min(g.cap);
            let left = buf.len() - done;
            let atomic = buf.len() <= PIPE_BUF;
            if room > 0 && (!atomic || room >= left) {
                let n = room.min(left);
                g.buf.extend(&buf[done..done + n]);
                done += n;
                self.changed();
                if done == buf.len() {
                    return Ok(done);
                }
                continue;
            }
            if nonblock {
                return if done > 0 { Ok(done) } else { Err(Errno::EAGAIN) };
            }
            if signals::interrupted(t) {
                return if done > 0 { Ok(done) } else { Err(Errno::ERESTARTSYS) };
            }
            g = self.cond.wait_timeout(g, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// One end of a pipe.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    write: bool,
    /// A read end reports POLLHUP without writers only once the write-end counter
    /// has moved past this (a FIFO opened O_NONBLOCK before any writer: fifo(7)).
    hup_after: u64,
}

/// Makes a pipe: (read end, write end) as FileOps.
pub fn new_pipe(ino: u64) -> (PipeEnd, PipeEnd) {
    let p = Pipe::new_unopened(ino);
    let r = p.attach(false);
    (r, p.attach(true))
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut g = self.pipe.lock();
        if self.write {
            g.writers -= 1;
        } else {
            g.readers -= 1;
        }
        drop(g);
        self.pipe.changed();
    }
}

impl PipeEnd {
    /// The pipe.
    pub fn pipe(&self) -> &Arc<Pipe> {
        &self.pipe
    }

    /// Reads, blocking (unless `nonblock`) until data or end of file.
    pub fn read_task(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Result<usize, Errno> {
        if self.write {
            return Err(Errno::EBADF);
        }
        self.pipe.read_task(t, buf, nonblock, true)
    }

    /// Writes, blocking while full; EPIPE without readers. Writes of
    /// at most PIPE_BUF bytes are never interleaved with others.
    pub fn write_task(&self, t: &Task, buf: &[u8], nonblock: bool) -> Result<usize, Errno> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        self.pipe.write_task(t, buf, nonblock)
    }

    /// Suppresses POLLHUP until a writer has come (see `hup_after`).
    pub fn set_hup_after(&mut self, w_counter: u64) {
        self.hup_after = w_counter;
    }

    /// The pipe's change counter.
    pub fn poll_seq(&self) -> u64 {
        self.pipe.seq.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Readiness for poll.
    pub fn poll(&self) -> u32 {
        let g = self.pipe.lock();
        if self.write {
            let mut r = 0;
            if g.buf.len() < g.cap {
                r |= POLLOUT | POLLWRNORM;
            }
            if g.readers == 0 {
                r |= POLLERR;
            }
            r
        } else {
            let mut r = 0;
            if !g.buf.is_empty() {
                r |= POLLIN | POLLRDNORM;
            }
            if g.writers == 0 && g.w_counter != self.hup_after {
                r |= POLLHUP;
            }
            r
        }
    }
}

impl FileOps for PipeEnd {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(Stat {
            st_dev: 0xc,
            st_ino: self.pipe.ino,
            st_nlink: 1,
            st_mode: S_IFIFO | 0o600,
            st_blksize: 4096,
            ..Default::default()
        })
    }
    fn seekable(&self) -> bool {
        false
    }
    fn as_pipe(&self) -> Option<&PipeEnd> {
        Some(self)
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.read_task(t, buf, nonblock))
    }
    fn write_blocking(&self, t: &Task, buf: &[u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.write_task(t, buf, nonblock))
    }
    fn poll_seq(&self) -> u64 {
        self.poll_seq()
    }
}
