//! Processes (thread groups) and the PID namespace that names them.
//!
//! Lock order: `PidTable::inner` → `ThreadGroup::state` (of any group) →
//! `ThreadGroup::signals`. Each group's condition variable `event` wakes a task
//! that waits in the Sentry (wait4, sleeps, pause) when a child changes state or a
//! signal arrives.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sbx_abi::structs::Sigaction;
use sbx_abi::Errno;

use super::pidns::PidNs;
use super::signals::SignalInfo;
use super::TaskExit;

/// Pending signals of a process.
#[derive(Clone)]
pub struct SigQueue {
    /// Bit N-1 set: signal N pending.
    pub pending: u64,
    /// siginfo per pending signal.
    pub info: [SignalInfo; 64],
    /// Moves whenever a signal is queued (signalfd readiness for edge-triggered epoll).
    pub seq: u64,
}

impl Default for SigQueue {
    fn default() -> Self {
        SigQueue { pending: 0, info: [SignalInfo::default(); 64], seq: 0 }
    }
}

/// What other threads may touch of one thread: its own signal queue and the host
/// thread to interrupt.
pub struct ThreadShared {
    /// Thread id (global); changes only when a non-leader thread execs.
    tid: AtomicI32,
    /// Signals sent to this thread (tgkill, faults).
    pub signals: Mutex<SigQueue>,
    /// Host tid of the stub running it, 0 while none.
    pub host_tid: AtomicI32,
    /// Set when the thread must end (exit_group, a fatal signal, execve by another
    /// thread): it stops at its next chance, waits end at once.
    pub kill_pending: std::sync::atomic::AtomicBool,
}

impl ThreadShared {
    /// A thread with this id and nothing pending.
    pub fn new(tid: i32) -> Arc<Self> {
        Arc::new(ThreadShared {
            tid: tid.into(),
            signals: Mutex::new(SigQueue::default()),
            host_tid: AtomicI32::new(0),
            kill_pending: Default::default(),
        })
    }

    /// The thread id (global).
    pub fn tid(&self) -> i32 {
        self.tid.load(Ordering::Relaxed)
    }

    /// Locks the thread's signal queue.
    pub fn sigs(&self) -> MutexGuard<'_, SigQueue> {
        self.signals.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Knocks the thread out of guest code.
    pub fn interrupt(&self) {
        let host = self.host_tid.load(Ordering::Acquire);
        if host > 0 {
            sbx_platform::ptrace::interrupt(host);
        }
    }
}

impl SigQueue {
    /// Adds `info` unless that standard signal is already pending.
    pub fn push(&mut self, info: SignalInfo) {
        let bit = 1u64 << (info.signo - 1);
        if self.pending & bit == 0 {
            self.pending |= bit;
            self.info[(info.signo - 1) as usize] = info;
            self.seq = self.seq.wrapping_add(1);
        }
    }
}

/// Mutable state of a process.
pub struct TgState {
    /// Parent's tgid (0 for the sandbox's init).
    pub ppid: i32,
    /// Children's tgids.
    pub children: Vec<i32>,
    /// Set when the process has exited (a zombie until reaped).
    pub exit: Option<TaskExit>,
    /// Process group.
    pub pgid: i32,
    /// Session.
    pub sid: i32,
    /// Whether it has called execve (setpgid on a child then fails with EACCES).
    pub did_exec: bool,
    /// Set by exit_group or a fatal signal: every thread stops with this status.
    pub group_exit: Option<TaskExit>,
    /// The threads still running.
    pub threads: Vec<Arc<ThreadShared>>,
    /// Command name, as other processes see it in /proc.
    pub comm: String,
    /// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here.
    pub subreaper: bool,
    /// Stopped by this signal (job control), None while running.
    pub stopped: Option<i32>,
    /// A stop or continue the parent has not collected with wait yet.
    pub report: Option<JobEvent>,
}

/// CPU time used, user and system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTime {
    /// User time.
    pub user: Duration,
    /// System time (the host's, for the stub).
    pub sys: Duration,
}

impl std::ops::Add for CpuTime {
    type Output = CpuTime;
    fn add(self, o: CpuTime) -> CpuTime {
        CpuTime { user: self.user + o.user, sys: self.sys + o.sys }
    }
}

/// The CPU time the host has charged to its thread `host_tid` (a stub), from
/// /proc/<tid>/stat (fields utime and stime, in clock ticks of 10 ms).
pub fn host_cpu_time(host_tid: i32) -> CpuTime {
    if host_tid <= 0 {
        return CpuTime::default();
    }
    let Ok(s) = std::fs::read_to_string(format!("/proc/{host_tid}/stat")) else { return CpuTime::default() };
    let Some(rest) = s.rfind(')').and_then(|i| s.get(i + 2..)) else { return CpuTime::default() };
    let f: Vec<&str> = rest.split(' ').collect();
    let tick = |i: usize| Duration::from_millis(f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) * 10);
    CpuTime { user: tick(11), sys: tick(12) }
}

/// CPU accounting of a process.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// What its threads that have ended used.
    pub dead: CpuTime,
    /// What its waited-for children (and theirs) used.
    pub children: CpuTime,
}

/// A job-control change a parent can wait for (WUNTRACED / WCONTINUED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    /// Stopped by this signal.
    Stopped(i32),
    /// Continued by SIGCONT.
    Continued,
}

/// A process: what the threads of one thread group share.
pub struct ThreadGroup {
    /// Its pid.
    pub tgid: i32,
    /// Relationships and exit status.
    pub state: Mutex<TgState>,
    /// Signals directed at the process.
    pub signals: Mutex<SigQueue>,
    /// Woken on child state changes and signal arrival.
    pub event: Condvar,
    /// Signal dispositions (shared by the group's threads), index = signal - 1.
    pub actions: Mutex<[Sigaction; 64]>,
    /// ITIMER_REAL.
    pub real_timer: Arc<super::timer::RealTimer>,
    /// The PID namespace the process lives in (its threads too).
    pub pidns: Arc<PidNs>,
    /// CPU accounting.
    pub usage: Mutex<Usage>,
}

impl ThreadGroup {
    /// Locks the state.
    pub fn lock(&self) -> MutexGuard<'_, TgState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// CPU accounting (lock).
    pub fn usage(&self) -> MutexGuard<'_, Usage> {
        self.usage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The CPU time of the whole process: ended threads plus the running ones.
    pub fn cpu_self(&self) -> CpuTime {
        let threads = self.lock().threads.clone();
        let live = threads.iter().map(|th| host_cpu_time(th.host_tid.load(Ordering::Acquire)));
        live.fold(self.usage().dead, |a, b| a + b)
    }

    /// Locks the signal dispositions.
    pub fn actions(&self) -> MutexGuard<'_, [Sigaction; 64]> {
        self.actions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the signal queue.
    pub fn sigs(&self) -> MutexGuard<'_, SigQueue> {
        self.signals.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a process-directed signal and wakes the process: its threads out of
    /// Sentry waits through `event`, out of guest code by interrupting their stubs
    /// (whichever does not block it takes it).
    pub fn send(&self, info: SignalInfo) {
        self.sigs().push(info);
        self.wake();
    }

    /// Queues a signal for one thread of this process and wakes it.
    pub fn send_thread(&self, th: &ThreadShared, info: SignalInfo) {
        th.sigs().push(info);
        drop(self.lock());
        self.event.notify_all();
        th.interrupt();
    }

    /// Wakes every thread of the process wherever it is.
    pub fn wake(&self) {
        // Take the state lock so a waiter between its check and its wait cannot miss it.
        let threads = self.lock().threads.clone();
        self.event.notify_all();
        for th in threads {
            th.interrupt();
        }
    }

    /// Ends every thread of the process with `how` (exit_group, fatal signal); the
    /// first call wins.
    pub fn start_group_exit(&self, how: TaskExit) {
        {
            let mut s = self.lock();
            if s.group_exit.is_none() {
                s.group_exit = Some(how);
            }
            for th in &s.threads {
                th.kill_pending.store(true, Ordering::Release);
            }
        }
        self.wake();
    }

    /// execve's de_thread: ends every thread but `keep` and waits until they are gone.
    pub fn kill_other_threads(&self, keep: i32) {
        {
            let s = self.lock();
            for th in s.threads.iter().filter(|th| th.tid() != keep) {
                th.kill_pending.store(true, Ordering::Release);
            }
        }
        self.wake();
        let mut g = self.lock();
        while g.threads.iter().any(|th| th.tid() != keep) {
            g = self.wait(g, Some(Instant::now() + Duration::from_millis(20)));
        }
    }

    /// Waits on `event` until `deadline` (or forever), returning the guard; callers
    /// loop re-checking their condition and pending signals.
    pub fn wait<'a>(&'a self, g: MutexGuard<'a, TgState>, deadline: Option<Instant>) -> MutexGuard<'a, TgState> {
        match deadline {
            None => self.event.wait(g).unwrap_or_else(|e| e.into_inner()),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                self.event.wait_timeout(g, left.max(Duration::from_micros(1))).unwrap_or_else(|e| e.into_inner()).0
            }
        }
    }
}

struct PidInner {
    next: i32,
    /// Processes by pid.
    groups: BTreeMap<i32, Arc<ThreadGroup>>,
    /// Every thread id (leaders included) → its process.
    tids: BTreeMap<i32, Arc<ThreadGroup>>,
}

/// The PID namespace: a Kernel component naming processes.
pub struct PidTable {
    inner: Mutex<PidInner>,
    /// Most processes alive at once (`--pids`).
    limit: usize,
}

/// Highest pid handed out before wrapping (/proc/sys/kernel/pid_max default).
const PID_MAX: i32 = 4_194_304;

impl PidTable {
    /// An empty namespace allowing `limit` processes.
    pub fn new(limit: usize) -> Self {
        PidTable { inner: Mutex::new(PidInner { next: 1, groups: BTreeMap::new(), tids: BTreeMap::new() }), limit }
    }

    fn lock(&self) -> MutexGuard<'_, PidInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a process with a fresh pid, child of `ppid` (0 for init). EAGAIN past
    /// the limit, as fork(2) does.
    pub fn create(
        &self,
        ppid: i32,
        pgid: Option<i32>,
        sid: Option<i32>,
        actions: [Sigaction; 64],
        ns: &Arc<PidNs>,
    ) -> Result<Arc<ThreadGroup>, Errno> {
        let mut p = self.lock();
        let pid = Self::alloc(&mut p, self.limit)?;
        ns.register(pid)?;
        let leader = ThreadShared::new(pid);
        let tg = Arc::new(ThreadGroup {
            tgid: pid,
            state: Mutex::new(TgState {
                ppid,
                children: Vec::new(),
                exit: None,
                pgid: pgid.unwrap_or(pid),
                sid: sid.unwrap_or(pid),
                did_exec: false,
                group_exit: None,
                threads: vec![leader],
                comm: String::new(),
                subreaper: false,
                stopped: None,
                report: None,
            }),
            signals: Mutex::new(SigQueue::default()),
            event: Condvar::new(),
            actions: Mutex::new(actions),
            real_timer: Arc::default(),
            pidns: ns.clone(),
            usage: Mutex::default(),
        });
        p.groups.insert(pid, tg.clone());
        p.tids.insert(pid, tg.clone());
        if let Some(parent) = p.groups.get(&ppid) {
            parent.lock().children.push(pid);
        }
        Ok(tg)
    }

    fn alloc(p: &mut PidInner, limit: usize) -> Result<i32, Errno> {
        if p.tids.len() >= limit {
            return Err(Errno::EAGAIN);
        }
        let mut pid = p.next;
        while p.tids.contains_key(&pid) {
            pid = if pid >= PID_MAX { 2 } else { pid + 1 };
        }
        p.next = if pid >= PID_MAX { 2 } else { pid + 1 };
        Ok(pid)
    }

    /// Adds a thread to `tg` with a fresh tid.
    pub fn new_thread(&self, tg: &Arc<ThreadGroup>) -> Result<Arc<ThreadShared>, Errno> {
        let mut p = self.lock();
        let tid = Self::alloc(&mut p, self.limit)?;
        tg.pidns.register(tid)?;
        let th = ThreadShared::new(tid);
        p.tids.insert(tid, tg.clone());
        tg.lock().threads.push(th.clone());
        Ok(th)
    }

    /// Gives thread `th` of `tg`, formerly `old`, the process's id (execve from a
    /// non-leader thread once every other thread is gone).
    pub fn retid(&self, tg: &Arc<ThreadGroup>, th: &ThreadShared, old: i32) {
        let mut p = self.lock();
        p.tids.remove(&old);
        tg.pidns.unregister(old);
        th.tid.store(tg.tgid, Ordering::Relaxed);
    }

    /// The thread with this tid and its process.
    pub fn thread(&self, tid: i32) -> Option<(Arc<ThreadGroup>, Arc<ThreadShared>)> {
        let tg = self.lock().tids.get(&tid).cloned()?;
        let th = tg.lock().threads.iter().find(|t| t.tid() == tid).cloned()?;
        Some((tg, th))
    }

    /// Removes an exited thread; returns how many threads the process has left.
    pub fn remove_thread(&self, tg: &ThreadGroup, tid: i32) -> usize {
        let mut p = self.lock();
        if tid != tg.tgid {
            p.tids.remove(&tid);
            tg.pidns.unregister(tid);
        }
        let mut s = tg.lock();
        s.threads.retain(|t| t.tid() != tid);
        let left = s.threads.len();
        drop(s);
        tg.event.notify_all();
        left
    }

    /// The process with this pid.
    pub fn get(&self, pid: i32) -> Option<Arc<ThreadGroup>> {
        self.lock().groups.get(&pid).cloned()
    }

    /// Every process, by pid.
    pub fn all(&self) -> Vec<Arc<ThreadGroup>> {
        self.lock().groups.values().cloned().collect()
    }

    /// Number of processes (including zombies).
    pub fn count(&self) -> usize {
        self.lock().groups.len()
    }

    /// Marks `tg` exited: its children go to init, its parent is woken and sent
    /// `SIGCHLD` (the caller decides whether the parent reaps automatically).
    /// Returns the parent, if it still exists.
    pub fn exit(&self, tg: &ThreadGroup, how: TaskExit) -> Option<Arc<ThreadGroup>> {
        let p = self.lock();
        let (ppid, children) = {
            let mut s = tg.lock();
            s.exit = Some(how);
            (s.ppid, std::mem::take(&mut s.children))
        };
        // Whoever waits for this process itself to end (the sandbox's start-up
        // thread, for init) waits on its own queue.
        tg.event.notify_all();
        // Orphans go to the nearest living subreaper among the ancestors inside the
        // process's PID namespace, else to that namespace's init. When that init
        // itself exits, everything left in its namespace is killed and the orphans
        // go up to the parent namespace's init.
        let ns = &tg.pidns;
        let mut heir = ns.init();
        let mut doomed = Vec::new();
        if heir == tg.tgid && !ns.is_root() {
            ns.set_dead();
            heir = ns.parent.as_ref().map_or(1, |pn| pn.init());
            doomed = p
                .groups
                .values()
                .filter(|g| g.tgid != tg.tgid && ns.is_ancestor_of(&g.pidns))
                .cloned()
                .collect::<Vec<_>>();
        } else {
            let mut up = ppid;
            for _ in 0..p.groups.len() {
                if up == heir {
                    break;
                }
                let Some(a) = p.groups.get(&up) else { break };
                let s = a.lock();
                if s.subreaper && s.exit.is_none() {
                    heir = up;
                    break;
                }
                up = s.ppid;
            }
        }
        if let Some(h) = p.groups.get(&heir) {
            if tg.tgid != heir && !children.is_empty() {
                let mut hs = h.lock();
                for c in &children {
                    if let Some(cg) = p.groups.get(c) {
                        cg.lock().ppid = heir;
                        hs.children.push(*c);
                    }
                }
                drop(hs);
                h.event.notify_all();
            }
        }
        let parent = p.groups.get(&ppid).cloned();
        drop(p);
        for g in doomed {
            if g.lock().exit.is_none() {
                g.start_group_exit(TaskExit::Signaled(sbx_abi::flags::signal::SIGKILL));
            }
        }
        parent
    }

    /// Removes a zombie child from the table and from its parent's children; the
    /// parent's children's CPU time grows by the child's (its own and its waited-for
    /// children's), which is returned (for wait4's rusage).
    pub fn reap(&self, parent: &ThreadGroup, child: i32) -> CpuTime {
        let mut p = self.lock();
        let mut used = CpuTime::default();
        if let Some(g) = p.groups.remove(&child) {
            g.pidns.unregister(child);
            let u = *g.usage();
            used = u.dead + u.children;
        }
        p.tids.remove(&child);
        parent.lock().children.retain(|&c| c != child);
        let mut pu = parent.usage();
        pu.children = pu.children + used;
        used
    }
}
