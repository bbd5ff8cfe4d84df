//! Futexes, emulated by the Sentry. A futex is named by the memory-file offset of
//! its word, which is the same in every thread and process that maps the page: so
//! private and shared futexes (MAP_SHARED across fork) work alike.
//!
//! Lock order: `Futexes::waiters` → `ThreadGroup::state`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use sbx_abi::Errno;

use super::process::ThreadGroup;
use super::{signals, Task};

/// One sleeping thread.
struct Waiter {
    tg: Arc<ThreadGroup>,
    woken: AtomicBool,
    bitset: u32,
}

impl Waiter {
    fn wake(&self) {
        self.woken.store(true, Ordering::Release);
        drop(self.tg.lock());
        self.tg.event.notify_all();
    }
}

/// The futex wait queues: a Kernel component.
#[derive(Default)]
pub struct Futexes {
    waiters: Mutex<HashMap<u64, Vec<Arc<Waiter>>>>,
}

impl Futexes {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Vec<Arc<Waiter>>>> {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// FUTEX_WAIT(_BITSET): sleeps while `*addr == val` until woken, a signal arrives
    /// (ERESTARTSYS) or `deadline` passes (ETIMEDOUT).
    pub fn wait(&self, t: &Task, addr: u64, val: u32, bitset: u32, deadline: Option<Instant>) -> Result<(), Errno> {
        if !addr.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let mm = t.mm();
        let key = mm.file_offset(addr, false)?;
        let w = Arc::new(Waiter { tg: t.tg.clone(), woken: AtomicBool::new(false), bitset });
        {
            let mut tbl = self.lock();
            let cur: u32 = mm.copy_in(addr)?;
            if cur != val {
                return Err(Errno::EAGAIN);
            }
            tbl.entry(key).or_default().push(w.clone());
        }
        let mut g = t.tg.lock();
        let res = loop {
            if w.woken.load(Ordering::Acquire) {
                break Ok(());
            }
            if signals::interrupted(t) || g.group_exit.is_some() {
                break Err(Errno::ERESTARTSYS);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break Err(Errno::ETIMEDOUT);
            }
            g = t.tg.wait(g, deadline);
        };
        drop(g);
        if res.is_err() {
            let mut tbl = self.lock();
            for q in tbl.values_mut() {
                q.retain(|x| !Arc::ptr_eq(x, &w));
            }
            tbl.retain(|_, q| !q.is_empty());
            // A wake that raced with the timeout or signal still counts as a wake.
            if w.woken.load(Ordering::Acquire) {
                return Ok(());
            }
        }
        res
    }

    /// FUTEX_WAKE(_BITSET): wakes up to `n` waiters; returns how many.
    pub fn wake(&self, key: u64, n: usize, bitset: u32) -> usize {
        let mut tbl = self.lock();
        let Some(q) = tbl.get_mut(&key) else { return 0 };
        let mut woken = 0;
        q.retain(|w| {
            if woken < n && w.bitset & bitset != 0 {
                w.wake();
                woken += 1;
                false
            } else {
                true
            }
        });
        if q.is_empty() {
            tbl.remove(&key);
        }
        woken
    }

    /// FUTEX_(CMP_)REQUEUE: wakes `n` waiters of `from` and moves up to `m` more to
    /// `to`; returns woken + moved. `check` runs under the queue lock (CMP_REQUEUE).
    pub fn requeue(
        &self,
        from: u64,
        to: u64,
        n: usize,
        m: usize,
        check: impl FnOnce() -> Result<(), Errno>,
    ) -> Result<usize, Errno> {
        let mut tbl = self.lock();
        check()?;
        let Some(mut q) = tbl.remove(&from) else { return Ok(0) };
        let wake_n = n.min(q.len());
        for w in q.drain(..wake_n) {
            w.wake();
        }
        let move_n = m.min(q.len());
        let moved: Vec<_> = q.drain(..move_n).collect();
        if !q.is_empty() {
            tbl.insert(from, q);
        }
        if !moved.is_empty() {
            tbl.entry(to).or_default().extend(moved);
        }
        Ok(wake_n + move_n)
    }

    /// Holds the queue lock while `f` runs (FUTEX_WAKE_OP's atomic update).
    pub fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        let _g = self.lock();
        f()
    }
}
