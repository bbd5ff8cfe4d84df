//! ITIMER_REAL: a process's real-time interval timer (alarm, setitimer), which
//! sends SIGALRM from a Sentry thread when it fires.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use sbx_abi::flags::signal::SIGALRM;

use super::process::ThreadGroup;
use super::signals::SignalInfo;

#[derive(Default)]
struct State {
    deadline: Option<Instant>,
    interval: Duration,
    /// Bumped on every change so a sleeping timer thread knows it is stale.
    gen: u64,
}

/// A process's ITIMER_REAL.
#[derive(Default)]
pub struct RealTimer {
    state: Mutex<State>,
    cond: Condvar,
}

/// si_code of a timer expiry (SI_TIMER).
const SI_TIMER: i32 = -2;

impl RealTimer {
    /// The time left and the interval.
    pub fn get(&self) -> (Duration, Duration) {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let left = s.deadline.map(|d| d.saturating_duration_since(Instant::now())).unwrap_or_default();
        (left, s.interval)
    }

    /// Arms (value > 0) or disarms the timer; returns the previous (left, interval).
    pub fn set(self: &Arc<Self>, tg: Weak<ThreadGroup>, value: Duration, interval: Duration) -> (Duration, Duration) {
        let old = self.get();
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.gen += 1;
        s.interval = interval;
        s.deadline = if value.is_zero() { None } else { super::deadline_after(value) };
        let gen = s.gen;
        drop(s);
        self.cond.notify_all();
        if !value.is_zero() {
            let me = self.clone();
            let spawned = std::thread::Builder::new().name("itimer".into()).spawn(move || me.run(gen, tg));
            if let Err(e) = spawned {
                tracing::error!("starting a timer thread: {e}");
            }
        }
        old
    }

    fn run(&self, gen: u64, tg: Weak<ThreadGroup>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if s.gen != gen {
                return;
            }
            let Some(deadline) = s.deadline else { return };
            let now = Instant::now();
            if now < deadline {
                s = self.cond.wait_timeout(s, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
                continue;
            }
            let Some(g) = tg.upgrade() else { return };
            if g.lock().exit.is_some() {
                return;
            }
            g.send(SignalInfo { signo: SIGALRM, code: SI_TIMER, ..Default::default() });
            if s.interval.is_zero() {
                s.deadline = None;
                return;
            }
            s.deadline = deadline.checked_add(s.interval);
            if s.deadline.is_none() {
                return;
            }
        }
    }
}
