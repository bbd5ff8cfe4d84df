//! Advisory locks keyed by file identity (device, inode): POSIX record locks (fcntl
//! F_GETLK/F_SETLK/F_SETLKW), owned by processes, which go away when the process
//! closes any descriptor of the file or exits; open file description locks
//! (F_OFD_*), in the same table so that the two kinds conflict, owned by open file
//! descriptions and gone when the description is last closed; and flock(2) locks
//! (a second table, whole-file ranges), also owned by open file descriptions.
//!
//! Lock order: `RecordLocks::inner` is a leaf.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use sbx_abi::Errno;

/// One lock: `[start, end)` held by `owner` (a process id for record locks, an
/// open file description's identity for flock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    /// Owning process.
    pub owner: u64,
    /// First byte.
    pub start: u64,
    /// One past the last byte (u64::MAX: to the end of any file).
    pub end: u64,
    /// Write (exclusive) or read (shared).
    pub write: bool,
}

/// The lock table: a Kernel component.
#[derive(Default)]
pub struct RecordLocks {
    inner: Mutex<HashMap<(u64, u64), Vec<Lock>>>,
    changed: Condvar,
}

fn overlaps(a: &Lock, start: u64, end: u64) -> bool {
    a.start < end && start < a.end
}

impl RecordLocks {
    fn lock(&self) -> MutexGuard<'_, HashMap<(u64, u64), Vec<Lock>>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first lock of another owner that conflicts with `want` (F_GETLK).
    pub fn conflict(&self, file: (u64, u64), want: &Lock) -> Option<Lock> {
        let t = self.lock();
        Self::find_conflict(&t, file, want)
    }

    fn find_conflict(t: &HashMap<(u64, u64), Vec<Lock>>, file: (u64, u64), want: &Lock) -> Option<Lock> {
        t.get(&file)?
            .iter()
            .find(|l| l.owner != want.owner && overlaps(l, want.start, want.end) && (l.write || want.write))
            .copied()
    }

    /// Removes `owner`'s locks in `[start, end)`, splitting the ones that straddle it.
    fn carve(v: &mut Vec<Lock>, owner: u64, start: u64, end: u64) {
        let mut out = Vec::with_capacity(v.len() + 1);
        for l in v.drain(..) {
            if l.owner != owner || !overlaps(&l, start, end) {
                out.push(l);
                continue;
            }
            if l.start < start {
                out.push(Lock { end: start, ..l });
            }
            if l.end > end {
                out.push(Lock { start: end, ..l });
            }
        }
        *v = out;
    }

    /// F_SETLK / F_SETLKW: takes (or with `unlock`, releases) the range. `wait`
    /// blocks while another owner conflicts, checking `interrupted` between naps.
    pub fn set(
        &self,
        file: (u64, u64),
        want: Lock,
        unlock: bool,
        wait: bool,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<(), Errno> {
        let mut t = self.lock();
        loop {
            if unlock || Self::find_conflict(&t, file, &want).is_none() {
                let v = t.entry(file).or_default();
                Self::carve(v, want.owner, want.start, want.end);
                if !unlock {
                    // Locks of one owner and kind that touch become one (as
                    // Linux's posix_lock_inode merges them; F_GETLK shows it).
                    let mut merged = want;
                    v.retain(|l| {
                        let touch = l.owner == merged.owner
                            && l.write == merged.write
                            && l.start <= merged.end
                            && merged.start <= l.end;
                        if touch {
                            merged.start = merged.start.min(l.start);
                            merged.end = merged.end.max(l.end);
                        }
                        !touch
                    });
                    v.push(merged);
                }
                if v.is_empty() {
                    t.remove(&file);
                }
                self.changed.notify_all();
                return Ok(());
            }
            if !wait {
                return Err(Errno::EAGAIN);
            }
            if interrupted() {
                return Err(Errno::ERESTARTSYS);
            }
            t = self.changed.wait_timeout(t, Duration::from_millis(20)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Drops every lock `owner` holds on `file` (a descriptor of it was closed).
    pub fn release(&self, file: (u64, u64), owner: u64) {
        let mut t = self.lock();
        if let Some(v) = t.get_mut(&file) {
            v.retain(|l| l.owner != owner);
            if v.is_empty() {
                t.remove(&file);
            }
            self.changed.notify_all();
        }
    }

    /// Drops every lock `owner` holds (it exited).
    pub fn release_all(&self, owner: u64) {
        let mut t = self.lock();
        for v in t.values_mut() {
            v.retain(|l| l.owner != owner);
        }
        t.retain(|_, v| !v.is_empty());
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_split_and_release() {
        let r = RecordLocks::default();
        let f = (1, 2);
        let no = || false;
        let w = |owner, start, end| Lock { owner, start, end, write: true };
        r.set(f, w(1, 0, 100), false, false, &no).unwrap();
        assert_eq!(r.set(f, w(2, 50, 60), false, false, &no), Err(Errno::EAGAIN));
        // Owner 1 unlocks the middle: 2 can take it, not the rest.
        r.set(f, w(1, 40, 70), true, false, &no).unwrap();
        r.set(f, w(2, 50, 60), false, false, &no).unwrap();
        assert_eq!(r.conflict(f, &w(2, 0, 10)), Some(w(1, 0, 40)));
        // Read locks share.
        let rd = |owner, start, end| Lock { owner, start, end, write: false };
        r.set(f, rd(3, 200, 300), false, false, &no).unwrap();
        r.set(f, rd(4, 250, 260), false, false, &no).unwrap();
        assert!(r.conflict(f, &w(5, 255, 256)).is_some());
        r.release_all(3);
        r.release(f, 4);
        assert!(r.conflict(f, &w(5, 255, 256)).is_none());
        // Touching locks of one owner and kind merge; another kind does not.
        r.set(f, w(6, 1000, 1010), false, false, &no).unwrap();
        r.set(f, w(6, 1010, 1020), false, false, &no).unwrap();
        assert_eq!(r.conflict(f, &w(7, 1000, 1001)), Some(w(6, 1000, 1020)));
        r.set(f, rd(6, 1020, 1030), false, false, &no).unwrap();
        assert_eq!(r.conflict(f, &w(7, 1025, 1026)), Some(rd(6, 1020, 1030)));
    }
}
