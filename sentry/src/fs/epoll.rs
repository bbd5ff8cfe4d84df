//! epoll: an interest list of open files and their readiness.
//!
//! Level-triggered by default; EPOLLET reports a file again only when its readiness
//! gained a bit since the last report; EPOLLONESHOT disables an entry after one
//! report until EPOLL_CTL_MOD. Entries hold the file description weakly: once every
//! fd of it is closed the entry disappears, as in Linux.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{POLLERR, POLLHUP, POLLIN};
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// Event bits the caller may ask for (EPOLLIN ... EPOLLRDHUP, EPOLLWAKEUP etc.).
pub const EPOLLET: u32 = 1 << 31;
/// One report, then disabled until modified.
pub const EPOLLONESHOT: u32 = 1 << 30;
/// Wake only one of several epolls (accepted; every waiter here polls).
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
/// Keep the system awake (accepted, meaningless here).
pub const EPOLLWAKEUP: u32 = 1 << 29;

struct Entry {
    file: Weak<FileDescription>,
    events: u32,
    data: u64,
    /// The file's change counter at the last report (edge-triggered entries).
    last_seq: Option<u64>,
    disabled: bool,
}

impl Entry {
    /// What a wait by `t` (None: no task at hand, for a nested epoll) would report
    /// for this entry now: (events, change counter).
    fn pending(&self, t: Option<&Task>) -> Option<(u32, u64)> {
        if self.disabled {
            return None;
        }
        let f = self.file.upgrade()?;
        let seq = f.ops.poll_seq();
        let ready = match t {
            Some(t) => f.ops.poll_for(t),
            None => f.ops.poll(),
        };
        let got = ready & ((self.events & 0xffff) | POLLERR | POLLHUP);
        if got == 0 || (self.events & EPOLLET != 0 && self.last_seq == Some(seq)) {
            return None;
        }
        Some((got, seq))
    }
}

/// An epoll instance.
#[derive(Default)]
pub struct Epoll {
    entries: Mutex<BTreeMap<(i32, usize), Entry>>,
}

impl Epoll {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<(i32, usize), Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(fd: i32, f: &Arc<FileDescription>) -> (i32, usize) {
        (fd, Arc::as_ptr(f) as usize)
    }

    /// EPOLL_CTL_ADD.
    pub fn add(&self, fd: i32, f: &Arc<FileDescription>, events: u32, data: u64) -> Result<(), Errno> {
        let mut e = self.lock();
        let k = Self::key(fd, f);
        if e.contains_key(&k) {
            return Err(Errno::EEXIST);
        }
        e.insert(k, Entry { file: Arc::downgrade(f), events, data, last_seq: None, disabled: false });
        Ok(())
    }

    /// EPOLL_CTL_MOD.
    pub fn modify(&self, fd: i32, f: &Arc<FileDescription>, events: u32, data: u64) -> Result<(), Errno> {
        let mut e = self.lock();
        let ent = e.get_mut(&Self::key(fd, f)).ok_or(Errno::ENOENT)?;
        if ent.events & EPOLLEXCLUSIVE != 0 {
            return Err(Errno::EINVAL);
        }
        ent.events = events;
        ent.data = data;
        ent.last_seq = None;
        ent.disabled = false;
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, fd: i32, f: &Arc<FileDescription>) -> Result<(), Errno> {
        self.lock().remove(&Self::key(fd, f)).map(drop).ok_or(Errno::ENOENT)
    }

    /// Collects up to `max` ready events as (events, data), for a wait by `t`.
    pub fn ready(&self, t: Option<&Task>, max: usize) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        let mut e = self.lock();
        e.retain(|_, ent| ent.file.strong_count() > 0);
        for ent in e.values_mut() {
            if out.len() >= max {
                break;
            }
            if ent.disabled {
                continue;
            }
            let Some((got, seq)) = ent.pending(t) else { continue };
            if ent.events & EPOLLET != 0 {
                ent.last_seq = Some(seq);
            }
            if ent.events & EPOLLONESHOT != 0 {
                ent.disabled = true;
            }
            out.push((got, ent.data));
        }
        out
    }

    /// Whether an epoll file is `target` or watches it, directly or through nested
    /// epolls (adding it would make a loop: ELOOP).
    pub fn reaches(&self, target: &Epoll, depth: usize) -> bool {
        if std::ptr::eq(self, target) {
            return true;
        }
        if depth > 5 {
            return true;
        }
        self.lock()
            .values()
            .filter_map(|e| e.file.upgrade())
            .any(|f| f.ops.as_epoll().is_some_and(|inner| inner.reaches(target, depth + 1)))
    }
}

/// The FileOps of an epoll fd.
pub struct EpollFile(pub Epoll);

impl FileOps for EpollFile {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(Stat { st_mode: 0o600, st_nlink: 1, st_blksize: 4096, ..Default::default() })
    }
    fn seekable(&self) -> bool {
        false
    }
    fn poll(&self) -> u32 {
        // An epoll is readable when a wait would return something (peeked without
        // consuming edge or one-shot state).
        if self.0.lock().values().any(|ent| ent.pending(None).is_some()) {
            POLLIN
        } else {
            0
        }
    }
    fn as_epoll(&self) -> Option<&Epoll> {
        Some(&self.0)
    }
}
