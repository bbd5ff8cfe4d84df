//! Job control: stopping a process (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU with their
//! default action), continuing it (SIGCONT), and telling the parent (SIGCHLD with
//! CLD_STOPPED / CLD_CONTINUED, and wait's WUNTRACED / WCONTINUED).

use std::sync::atomic::Ordering;

use sbx_abi::flags::signal::{SA_NOCLDSTOP, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};

use super::process::{JobEvent, ThreadGroup};
use super::signals::SignalInfo;
use super::{Kernel, Task};

/// si_code of SIGCHLD for a stop.
const CLD_STOPPED: i32 = 5;
/// si_code of SIGCHLD for a continue.
const CLD_CONTINUED: i32 = 6;

fn stop_bits() -> u64 {
    [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU].iter().fold(0, |m, s| m | (1u64 << (s - 1)))
}

fn tell_parent(k: &Kernel, tg: &ThreadGroup, code: i32, status: i32) {
    let ppid = tg.lock().ppid;
    let Some(parent) = k.pids.get(ppid) else { return };
    let nocldstop = parent.actions()[(SIGCHLD - 1) as usize].flags & SA_NOCLDSTOP != 0;
    if nocldstop {
        parent.wake();
    } else {
        parent.send(SignalInfo { signo: SIGCHLD, code, pid: tg.tgid, status, ..Default::default() });
    }
}

/// Sends `info` to the process `tg`, with SIGCONT's effect at send time: a stopped
/// process resumes and pending stop signals are dropped.
pub fn send(k: &Kernel, tg: &ThreadGroup, info: SignalInfo) {
    if info.signo == SIGCONT {
        continue_process(k, tg);
    }
    tg.send(info);
}

/// SIGCONT's effect at send time: a stopped process resumes (its parent hears of it)
/// and pending stop signals are dropped.
pub fn continue_process(k: &Kernel, tg: &ThreadGroup) {
    {
        let resumed = {
            let mut s = tg.lock();
            tg.sigs().pending &= !stop_bits();
            for th in &s.threads {
                th.sigs().pending &= !stop_bits();
            }
            let was = s.stopped.take().is_some();
            if was {
                s.report = Some(JobEvent::Continued);
            }
            was
        };
        if resumed {
            tell_parent(k, tg, CLD_CONTINUED, SIGCONT);
            tg.wake();
        }
    }
}

/// The default action of a stop signal: the whole process stops, the parent hears of
/// it, and this thread waits until SIGCONT or SIGKILL.
pub fn stop(t: &Task, sig: i32) {
    {
        let mut s = t.tg.lock();
        if s.stopped.is_none() {
            s.stopped = Some(sig);
            s.report = Some(JobEvent::Stopped(sig));
        }
    }
    t.tg.wake();
    tell_parent(&t.kernel(), &t.tg, CLD_STOPPED, sig);
    wait_while_stopped(t);
}

/// Parks the calling thread while its process is stopped; SIGKILL (or the end of
/// the process) still gets through.
pub fn wait_while_stopped(t: &Task) {
    let mut g = t.tg.lock();
    while g.stopped.is_some() {
        let killed = (t.tg.sigs().pending | t.shared.sigs().pending) & (1 << (SIGKILL - 1)) != 0;
        if killed || t.shared.kill_pending.load(Ordering::Acquire) {
            return;
        }
        g = t.tg.wait(g, None);
    }
}
