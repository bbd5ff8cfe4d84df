//! signalfd: pending signals read as `struct signalfd_siginfo` records.
//!
//! A signalfd holds only a signal mask. Reading takes signals of that mask off the
//! *reader's* queues (the thread's own first, then the process's), exactly as
//! sigtimedwait does, so after fork a child reading an inherited signalfd sees its
//! own signals (signalfd(2)). Readiness for poll, select and epoll is likewise
//! evaluated for the waiting task ([`FileOps::poll_for`]); where no task is at hand
//! (an epoll nested in another, the change counter for edge-triggered epoll) the
//! creator's queues stand in.
//!
//! Waits sleep on the process's event condition variable, which every signal
//! sent to the process or one of its threads notifies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Weak;

use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{POLLIN, POLLRDNORM};
use crate::kernel::process::{ThreadGroup, ThreadShared};
use crate::kernel::signals::{self, SignalInfo, UNBLOCKABLE};
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// Size of `struct signalfd_siginfo`.
pub const SIGINFO_SIZE: usize = 128;

/// The FileOps of a signalfd.
pub struct SignalFd {
    mask: AtomicU64,
    owner_tg: Weak<ThreadGroup>,
    owner_thread: Weak<ThreadShared>,
}

impl SignalFd {
    /// A signalfd for the signals in `mask`, created by `t`.
    pub fn new(t: &Task, mask: u64) -> Self {
        SignalFd {
            mask: AtomicU64::new(mask & !UNBLOCKABLE),
            owner_tg: std::sync::Arc::downgrade(&t.tg),
            owner_thread: std::sync::Arc::downgrade(&t.shared),
        }
    }

    /// Replaces the mask (signalfd(2) on an existing signalfd). SIGKILL and SIGSTOP
    /// are dropped silently, as Linux does.
    pub fn set_mask(&self, mask: u64) {
        self.mask.store(mask & !UNBLOCKABLE, Ordering::Relaxed);
    }

    fn mask(&self) -> u64 {
        self.mask.load(Ordering::Relaxed)
    }

    /// Pending signals of the mask in the creator's queues.
    fn owner_pending(&self) -> u64 {
        let th = self.owner_thread.upgrade().map_or(0, |th| th.sigs().pending);
        let tg = self.owner_tg.upgrade().map_or(0, |tg| tg.sigs().pending);
        (th | tg) & self.mask()
    }
}

/// Encodes one record (`struct signalfd_siginfo` in linux/signalfd.h).
fn encode(si: &SignalInfo) -> [u8; SIGINFO_SIZE] {
    let mut b = [0u8; SIGINFO_SIZE];
    b[0..4].copy_from_slice(&(si.signo as u32).to_le_bytes()); // ssi_signo
    b[8..12].copy_from_slice(&si.code.to_le_bytes()); // ssi_code
    let fault = si.code > 0
        && matches!(
            si.signo,
            sbx_abi::flags::signal::SIGSEGV
                | sbx_abi::flags::signal::SIGBUS
                | sbx_abi::flags::signal::SIGILL
                | sbx_abi::flags::signal::SIGFPE
                | sbx_abi::flags::signal::SIGTRAP
        );
    if fault {
        b[72..80].copy_from_slice(&si.addr.to_le_bytes()); // ssi_addr
        return b;
    }
    b[12..16].copy_from_slice(&(si.pid as u32).to_le_bytes()); // ssi_pid
    b[16..20].copy_from_slice(&si.uid.to_le_bytes()); // ssi_uid
    if si.signo == sbx_abi::flags::signal::SIGCHLD {
        b[40..44].copy_from_slice(&si.status.to_le_bytes()); // ssi_status
    } else {
        b[44..48].copy_from_slice(&(si.value as u32).to_le_bytes()); // ssi_int
        b[48..56].copy_from_slice(&si.value.to_le_bytes()); // ssi_ptr
    }
    b
}

impl FileOps for SignalFd {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(Stat { st_mode: 0o600, st_nlink: 1, st_blksize: 4096, ..Default::default() })
    }
    fn seekable(&self) -> bool {
        false
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        if buf.len() < SIGINFO_SIZE {
            return Some(Err(Errno::EINVAL));
        }
        // Hold the process state lock while checking so that a signal sent between
        // the check and the wait cannot be missed (senders notify under it).
        let mut g = t.tg.lock();
        loop {
            let mut n = 0;
            while n + SIGINFO_SIZE <= buf.len() {
                let Some(si) = signals::dequeue_in(t, self.mask()) else { break };
                buf[n..n + SIGINFO_SIZE].copy_from_slice(&encode(&si.seen_by(t)));
                n += SIGINFO_SIZE;
            }
            if n > 0 {
                return Some(Ok(n));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            if signals::interrupted(t) {
                return Some(Err(Errno::ERESTARTSYS));
            }
            g = t.tg.wait(g, None);
        }
    }
    fn poll_for(&self, t: &Task) -> u32 {
        let pending = (t.shared.sigs().pending | t.tg.sigs().pending) & self.mask();
        if pending != 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }
    fn poll(&self) -> u32 {
        if self.owner_pending() != 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }
    fn poll_seq(&self) -> u64 {
        let th = self.owner_thread.upgrade().map_or(0, |th| th.sigs().seq);
        let tg = self.owner_tg.upgrade().map_or(0, |tg| tg.sigs().seq);
        th.wrapping_add(tg)
    }
}
