//! Identity, time, system information, limits and randomness.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::time::{clock_gettime, ClockId};
use sbx_abi::flags::{clock, rlimit};
use sbx_abi::structs::{Rlimit, Sysinfo, Timespec, Timeval, Utsname};
use sbx_abi::{Errno, SysResult};
use zerocopy::FromZeros;

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::process::{host_cpu_time, CpuTime};
use crate::kernel::Task;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_UNAME, sys_uname, "x"),
    sys!(SYS_SETHOSTNAME, sys_sethostname, "su"),
    sys!(SYS_SETDOMAINNAME, sys_setdomainname, "su"),
    sys!(SYS_GETPID, sys_getpid, ""),
    sys!(SYS_GETPPID, sys_getppid, ""),
    sys!(SYS_GETTID, sys_gettid, ""),
    sys!(SYS_GETUID, sys_getuid, ""),
    sys!(SYS_GETEUID, sys_geteuid, ""),
    sys!(SYS_GETGID, sys_getgid, ""),
    sys!(SYS_GETEGID, sys_getegid, ""),
    sys!(SYS_GETRESUID, sys_getresuid, "xxx"),
    sys!(SYS_GETRESGID, sys_getresgid, "xxx"),
    sys!(SYS_GETGROUPS, sys_getgroups, "dx"),
    sys!(SYS_CLOCK_GETTIME, sys_clock_gettime, "dx"),
    sys!(SYS_CLOCK_GETRES, sys_clock_getres, "dx"),
    sys!(SYS_GETTIMEOFDAY, sys_gettimeofday, "xx"),
    sys!(SYS_TIME, sys_time, "x"),
    sys!(SYS_NANOSLEEP, sys_nanosleep, "xx", "interrupted sleeps return EINTR, never restart"),
    sys!(SYS_CLOCK_NANOSLEEP, sys_clock_nanosleep, "ddxx", "interrupted sleeps return EINTR, never restart"),
    sys!(SYS_SYSINFO, sys_sysinfo, "x"),
    sys!(SYS_GETRANDOM, sys_getrandom, "xux"),
    sys!(SYS_GETRLIMIT, sys_getrlimit, "dx"),
    sys!(SYS_SETRLIMIT, sys_setrlimit, "dx"),
    sys!(SYS_PRLIMIT64, sys_prlimit64, "ddxx"),
    sys!(SYS_SCHED_GETAFFINITY, sys_sched_getaffinity, "dux"),
    sys!(SYS_SCHED_YIELD, sys_sched_yield, ""),
    sys!(SYS_SCHED_SETAFFINITY, sys_sched_setaffinity, "dux"),
    sys!(SYS_SCHED_GETSCHEDULER, sys_sched_getscheduler, "d"),
    sys!(
        SYS_SCHED_SETSCHEDULER,
        sys_sched_setscheduler,
        "ddx",
        "SCHED_OTHER/BATCH/IDLE only; real-time policies EPERM"
    ),
    sys!(SYS_SCHED_GETPARAM, sys_sched_getparam, "dx"),
    sys!(SYS_SCHED_SETPARAM, sys_sched_setparam, "dx"),
    sys!(SYS_SCHED_GET_PRIORITY_MAX, sys_sched_get_priority_max, "d"),
    sys!(SYS_SCHED_GET_PRIORITY_MIN, sys_sched_get_priority_min, "d"),
    sys!(SYS_SCHED_RR_GET_INTERVAL, sys_sched_rr_get_interval, "dx"),
    sys!(SYS_GETCPU, sys_getcpu, "xxx"),
    sys!(SYS_TIMES, sys_times, "x", "children's times are not accumulated"),
    sys!(SYS_GETRUSAGE, sys_getrusage, "dx", "RUSAGE_CHILDREN is zero"),
    sys!(SYS_GETPRIORITY, sys_getpriority, "dd"),
    sys!(SYS_SETPRIORITY, sys_setpriority, "ddd", "only the calling process"),
];

fn fill(dst: &mut [u8; 65], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(64);
    dst[..n].copy_from_slice(&b[..n]);
}

/// The kernel release sbx reports: new enough for every libc, and marked as sbx.
pub const RELEASE: &str = "6.1.0-sbx";

/// uname(2).
pub fn sys_uname(t: &Task, a: &SyscallArgs) -> SysResult {
    let uts = t.kernel().uts.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut u = Utsname::new_zeroed();
    fill(&mut u.sysname, "Linux");
    fill(&mut u.nodename, &uts.hostname);
    fill(&mut u.release, RELEASE);
    fill(&mut u.version, "#1 SMP PREEMPT_DYNAMIC sbx");
    fill(&mut u.machine, "x86_64");
    fill(&mut u.domainname, &uts.domainname);
    t.mm().copy_out(a.addr(0), &u)?;
    Ok(0)
}

fn set_uts_name(t: &Task, a: &SyscallArgs, host: bool) -> SysResult {
    let len = a.usize(1);
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    if t.creds.borrow().uid.1 != 0 {
        return Err(Errno::EPERM);
    }
    let mut buf = vec![0u8; len];
    t.mm().copy_in_bytes(a.addr(0), &mut buf)?;
    let name = String::from_utf8_lossy(&buf).into_owned();
    let k = t.kernel();
    let mut uts = k.uts.lock().unwrap_or_else(|e| e.into_inner());
    if host {
        uts.hostname = name;
    } else {
        uts.domainname = name;
    }
    Ok(0)
}

/// sethostname(2).
pub fn sys_sethostname(t: &Task, a: &SyscallArgs) -> SysResult {
    set_uts_name(t, a, true)
}

/// setdomainname(2).
pub fn sys_setdomainname(t: &Task, a: &SyscallArgs) -> SysResult {
    set_uts_name(t, a, false)
}

/// getpid(2).
pub fn sys_getpid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(t.vpid(t.tgid) as u64)
}

/// getppid(2).
pub fn sys_getppid(t: &Task, _a: &SyscallArgs) -> SysResult {
    // A parent outside the caller's PID namespace shows as 0.
    Ok(t.vpid(t.ppid()) as u64)
}

/// gettid(2).
pub fn sys_gettid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(t.vpid(t.tid()) as u64)
}

/// getuid(2).
pub fn sys_getuid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(u64::from(t.creds.borrow().uid.0))
}

/// geteuid(2).
pub fn sys_geteuid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(u64::from(t.creds.borrow().uid.1))
}

/// getgid(2).
pub fn sys_getgid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(u64::from(t.creds.borrow().gid.0))
}

/// getegid(2).
pub fn sys_getegid(t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(u64::from(t.creds.borrow().gid.1))
}

fn write_ids(t: &Task, a: &SyscallArgs, ids: (u32, u32, u32)) -> SysResult {
    let mm = t.mm();
    mm.copy_out(a.addr(0), &ids.0)?;
    mm.copy_out(a.addr(1), &ids.1)?;
    mm.copy_out(a.addr(2), &ids.2)?;
    Ok(0)
}

/// getresuid(2).
pub fn sys_getresuid(t: &Task, a: &SyscallArgs) -> SysResult {
    let ids = t.creds.borrow().uid;
    write_ids(t, a, ids)
}

/// getresgid(2).
pub fn sys_getresgid(t: &Task, a: &SyscallArgs) -> SysResult {
    let ids = t.creds.borrow().gid;
    write_ids(t, a, ids)
}

/// getgroups(2).
pub fn sys_getgroups(t: &Task, a: &SyscallArgs) -> SysResult {
    let size = a.i32(0);
    let groups = t.creds.borrow().groups.clone();
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    if size == 0 {
        return Ok(groups.len() as u64);
    }
    if (size as usize) < groups.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_le_bytes()).collect();
    t.mm().copy_out_bytes(a.addr(1), &bytes)?;
    Ok(groups.len() as u64)
}

/// The host clock serving guest clock `id` (CPU clocks measure the stub's own time).
fn host_clock(t: &Task, id: i32) -> Result<ClockId, Errno> {
    // CPU-time clock ids of another process: ((~pid) << 3) | type, with bit 2 set for a
    // thread clock (include/linux/posix-timers.h: MAKE_PROCESS_CPUCLOCK/MAKE_THREAD_CPUCLOCK).
    const CPUCLOCK_SCHED: i32 = 2;
    let host = t.local.host_tid.get();
    Ok(match id as u32 {
        clock::CLOCK_REALTIME
        | clock::CLOCK_MONOTONIC
        | clock::CLOCK_MONOTONIC_RAW
        | clock::CLOCK_REALTIME_COARSE
        | clock::CLOCK_MONOTONIC_COARSE
        | clock::CLOCK_BOOTTIME
        | clock::CLOCK_TAI => ClockId::from_raw(id),
        clock::CLOCK_REALTIME_ALARM | clock::CLOCK_BOOTTIME_ALARM => ClockId::from_raw(id),
        // Each guest thread is a single-threaded stub process, whose process clock is
        // the thread's time (the host refuses thread clocks of other processes).
        // The guest's process clock is summed over its threads in `now`.
        clock::CLOCK_PROCESS_CPUTIME_ID | clock::CLOCK_THREAD_CPUTIME_ID if host > 0 => {
            ClockId::from_raw(((!host) << 3) | CPUCLOCK_SCHED)
        }
        clock::CLOCK_PROCESS_CPUTIME_ID | clock::CLOCK_THREAD_CPUTIME_ID => ClockId::CLOCK_PROCESS_CPUTIME_ID,
        _ => return Err(Errno::EINVAL),
    })
}

fn now(t: &Task, id: i32) -> Result<Timespec, Errno> {
    let c = host_clock(t, id)?;
    if id as u32 == clock::CLOCK_PROCESS_CPUTIME_ID && t.local.host_tid.get() > 0 {
        // Ended threads (10 ms accounting) plus every running thread's stub clock.
        let threads = t.tg.lock().threads.clone();
        let mut total = {
            let u = t.tg.usage();
            u.dead.user + u.dead.sys
        };
        for th in threads {
            let host = th.host_tid.load(std::sync::atomic::Ordering::Acquire);
            if host > 0 {
                if let Ok(ts) = clock_gettime(ClockId::from_raw(((!host) << 3) | 2)) {
                    total += Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32);
                }
            }
        }
        return Ok(Timespec { tv_sec: total.as_secs() as i64, tv_nsec: i64::from(total.subsec_nanos()) });
    }
    let ts = clock_gettime(c).map_err(|e| Errno(e as i32))?;
    Ok(Timespec { tv_sec: ts.tv_sec(), tv_nsec: ts.tv_nsec() })
}

/// clock_gettime(2).
pub fn sys_clock_gettime(t: &Task, a: &SyscallArgs) -> SysResult {
    let ts = now(t, a.i32(0))?;
    t.mm().copy_out(a.addr(1), &ts)?;
    Ok(0)
}

/// clock_getres(2).
pub fn sys_clock_getres(t: &Task, a: &SyscallArgs) -> SysResult {
    let c = host_clock(t, a.i32(0))?;
    if a.addr(1) != 0 {
        let r = nix::time::clock_getres(c).map_err(|e| Errno(e as i32))?;
        t.mm().copy_out(a.addr(1), &Timespec { tv_sec: r.tv_sec(), tv_nsec: r.tv_nsec() })?;
    }
    Ok(0)
}

fn wall() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// gettimeofday(2).
pub fn sys_gettimeofday(t: &Task, a: &SyscallArgs) -> SysResult {
    let d = wall();
    if a.addr(0) != 0 {
        t.mm().copy_out(a.addr(0), &Timeval { tv_sec: d.as_secs() as i64, tv_usec: i64::from(d.subsec_micros()) })?;
    }
    if a.addr(1) != 0 {
        t.mm().copy_out(a.addr(1), &sbx_abi::structs::Timezone::default())?;
    }
    Ok(0)
}

/// time(2).
pub fn sys_time(t: &Task, a: &SyscallArgs) -> SysResult {
    let s = wall().as_secs();
    if a.addr(0) != 0 {
        t.mm().copy_out(a.addr(0), &(s as i64))?;
    }
    Ok(s)
}

fn read_timespec(t: &Task, addr: u64) -> Result<Duration, Errno> {
    let ts: Timespec = t.mm().copy_in(addr)?;
    ts.to_duration().ok_or(Errno::EINVAL)
}

/// Sleeps for `d`; on a signal, writes the time left to `rem` (if given) and
/// returns EINTR.
fn interruptible_sleep(t: &Task, d: Duration, rem: u64) -> SysResult {
    let deadline = crate::kernel::deadline_after(d);
    match super::fork::sleep_until(t, deadline) {
        Ok(()) => Ok(0),
        Err(e) => {
            if rem != 0 {
                let left = deadline.map_or(d, |dl| dl.saturating_duration_since(std::time::Instant::now()));
                t.mm().copy_out(rem, &Timespec::from_duration(left))?;
            }
            Err(e)
        }
    }
}

/// nanosleep(2).
pub fn sys_nanosleep(t: &Task, a: &SyscallArgs) -> SysResult {
    let d = read_timespec(t, a.addr(0))?;
    interruptible_sleep(t, d, a.addr(1))
}

/// clock_nanosleep(2).
pub fn sys_clock_nanosleep(t: &Task, a: &SyscallArgs) -> SysResult {
    let (id, flags) = (a.i32(0), a.u32(1));
    if id as u32 == clock::CLOCK_THREAD_CPUTIME_ID {
        return Err(Errno::EINVAL);
    }
    let d = read_timespec(t, a.addr(2))?;
    host_clock(t, id)?;
    let sleep = if flags & clock::TIMER_ABSTIME != 0 {
        let n = now(t, id)?.to_duration().unwrap_or_default();
        d.saturating_sub(n)
    } else {
        d
    };
    // An absolute sleep reports no remaining time (clock_nanosleep(2)).
    let rem = if flags & clock::TIMER_ABSTIME != 0 { 0 } else { a.addr(3) };
    interruptible_sleep(t, sleep, rem)
}

/// sysinfo(2).
pub fn sys_sysinfo(t: &Task, a: &SyscallArgs) -> SysResult {
    let host = nix::sys::sysinfo::sysinfo().map_err(|e| Errno(e as i32))?;
    let used = t.kernel().pool.allocated();
    let total = host.ram_total();
    let mut si = Sysinfo {
        uptime: t.kernel().boot.elapsed().as_secs() as i64,
        totalram: total,
        freeram: host.ram_unused().min(total.saturating_sub(used)),
        procs: 1,
        mem_unit: 1,
        ..Default::default()
    };
    si.loads = [0; 3];
    t.mm().copy_out(a.addr(0), &si)?;
    Ok(0)
}

/// getrandom(2).
pub fn sys_getrandom(t: &Task, a: &SyscallArgs) -> SysResult {
    const GRND_NONBLOCK: u32 = 1;
    const GRND_RANDOM: u32 = 2;
    const GRND_INSECURE: u32 = 4;
    let (addr, len, flags) = (a.addr(0), a.usize(1), a.u32(2));
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
    {
        return Err(Errno::EINVAL);
    }
    // Linux returns at most 32 MiB - 1 per call.
    let len = len.min((32 << 20) - 1);
    let mut buf = vec![0u8; len];
    let n = sbx_platform::host::getrandom(&mut buf, flags & (GRND_NONBLOCK | GRND_INSECURE))
        .map_err(|e| Errno(e as i32))?;
    t.mm().copy_out_bytes(addr, &buf[..n])?;
    Ok(n as u64)
}

fn check_resource(res: u32) -> Result<usize, Errno> {
    if res >= rlimit::RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    Ok(res as usize)
}

fn do_prlimit(t: &Task, res: u32, new: Option<Rlimit>) -> Result<Rlimit, Errno> {
    let i = check_resource(res)?;
    let old = t.local.rlimits.borrow()[i];
    if let Some(n) = new {
        if n.rlim_cur > n.rlim_max {
            return Err(Errno::EINVAL);
        }
        if n.rlim_max > old.rlim_max && t.creds.borrow().uid.1 != 0 {
            return Err(Errno::EPERM);
        }
        if res == rlimit::RLIMIT_NOFILE {
            // fs.nr_open
            if n.rlim_max > 1 << 20 {
                return Err(Errno::EPERM);
            }
            t.fds.set_limit(n.rlim_cur);
        }
        t.local.rlimits.borrow_mut()[i] = n;
    }
    Ok(old)
}

/// getrlimit(2).
pub fn sys_getrlimit(t: &Task, a: &SyscallArgs) -> SysResult {
    let old = do_prlimit(t, a.u32(0), None)?;
    t.mm().copy_out(a.addr(1), &old)?;
    Ok(0)
}

/// setrlimit(2).
pub fn sys_setrlimit(t: &Task, a: &SyscallArgs) -> SysResult {
    let new: Rlimit = t.mm().copy_in(a.addr(1))?;
    do_prlimit(t, a.u32(0), Some(new))?;
    Ok(0)
}

/// prlimit64(2): only the calling process (pid 0 or its own pid) for now.
pub fn sys_prlimit64(t: &Task, a: &SyscallArgs) -> SysResult {
    let pid = a.i32(0);
    if pid != 0 && pid != t.vpid(t.tgid) {
        return Err(Errno::ESRCH);
    }
    let new = if a.addr(2) != 0 { Some(t.mm().copy_in::<Rlimit>(a.addr(2))?) } else { None };
    check_resource(a.u32(1))?;
    let old = do_prlimit(t, a.u32(1), new)?;
    if a.addr(3) != 0 {
        t.mm().copy_out(a.addr(3), &old)?;
    }
    Ok(0)
}

/// The number of CPUs the guest sees (the host's online CPUs).
pub fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// sched_getaffinity(2): every CPU.
pub fn sys_sched_getaffinity(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, len) = (a.i32(0), a.usize(1));
    if pid != 0 && pid != t.vpid(t.tid()) {
        return Err(Errno::ESRCH);
    }
    let n = num_cpus();
    let size = n.div_ceil(64) * 8;
    if len < size || len % 8 != 0 {
        return Err(Errno::EINVAL);
    }
    let mut mask = vec![0u8; size];
    let chosen = t.local.affinity.borrow().clone();
    for cpu in 0..n {
        if chosen.as_ref().is_none_or(|c| c.get(cpu / 8).is_some_and(|b| b & (1 << (cpu % 8)) != 0)) {
            mask[cpu / 8] |= 1 << (cpu % 8);
        }
    }
    t.mm().copy_out_bytes(a.addr(2), &mask)?;
    Ok(size as u64)
}

/// sched_setaffinity(2) for the calling thread: the mask (limited to the CPUs that
/// exist; EINVAL if none is left) is applied to the thread's stub on the host, so it
/// is real, and reported back by sched_getaffinity.
pub fn sys_sched_setaffinity(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, len) = (a.i32(0), a.usize(1));
    if pid != 0 && pid != t.vpid(t.tid()) {
        return Err(Errno::ESRCH);
    }
    let n = num_cpus();
    let mut raw = vec![0u8; len.min(n.div_ceil(8))];
    t.mm().copy_in_bytes(a.addr(2), &mut raw)?;
    let any = (0..n.min(raw.len() * 8)).any(|cpu| raw[cpu / 8] & (1 << (cpu % 8)) != 0);
    if !any {
        return Err(Errno::EINVAL);
    }
    *t.local.affinity.borrow_mut() = Some(raw);
    apply_affinity(t)?;
    Ok(0)
}

/// Puts the task's stub on the CPUs its affinity mask names (a new thread or process
/// inherits its creator's mask).
pub fn apply_affinity(t: &Task) -> Result<(), Errno> {
    let (stub, mask) = (t.local.host_tid.get(), t.local.affinity.borrow().clone());
    let Some(raw) = mask else { return Ok(()) };
    if stub <= 0 {
        return Ok(());
    }
    let mut host = nix::sched::CpuSet::new();
    for cpu in 0..num_cpus().min(raw.len() * 8) {
        if raw[cpu / 8] & (1 << (cpu % 8)) != 0 {
            let _ = host.set(cpu);
        }
    }
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(stub), &host).map_err(|e| Errno(e as i32))
}

const SCHED_OTHER: i32 = 0;
const SCHED_FIFO: i32 = 1;
const SCHED_RR: i32 = 2;
const SCHED_BATCH: i32 = 3;
const SCHED_IDLE: i32 = 5;
const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;

/// Checks that `pid` names the caller or a thread it can see.
fn sched_target(t: &Task, pid: i32) -> Result<(), Errno> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid != 0 && t.gpid(pid).is_none_or(|g| t.kernel().pids.thread(g).is_none()) {
        return Err(Errno::ESRCH);
    }
    Ok(())
}

/// sched_getscheduler(2): the caller's policy (another thread's is SCHED_OTHER:
/// policies are per-thread state of the Sentry, not host scheduling).
pub fn sys_sched_getscheduler(t: &Task, a: &SyscallArgs) -> SysResult {
    sched_target(t, a.i32(0))?;
    let own = a.i32(0) == 0 || a.i32(0) == t.vpid(t.tid());
    Ok(if own { t.local.sched_policy.get() } else { SCHED_OTHER } as u64)
}

/// sched_setscheduler(2): the normal policies (priority 0); the real-time ones
/// would need host privileges sbx does not use, so they are EPERM.
pub fn sys_sched_setscheduler(t: &Task, a: &SyscallArgs) -> SysResult {
    let (pid, policy) = (a.i32(0), a.i32(1));
    sched_target(t, pid)?;
    if a.addr(2) == 0 {
        return Err(Errno::EINVAL);
    }
    let prio: i32 = t.mm().copy_in(a.addr(2))?;
    let base = policy & !SCHED_RESET_ON_FORK;
    match base {
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE if prio == 0 => {}
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE => return Err(Errno::EINVAL),
        SCHED_FIFO | SCHED_RR if (1..=99).contains(&prio) => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    if pid != 0 && pid != t.vpid(t.tid()) {
        return Err(Errno::EPERM);
    }
    t.local.sched_policy.set(base);
    Ok(0)
}

/// sched_getparam(2): priority 0 (the normal policies have no other).
pub fn sys_sched_getparam(t: &Task, a: &SyscallArgs) -> SysResult {
    sched_target(t, a.i32(0))?;
    if a.addr(1) == 0 {
        return Err(Errno::EINVAL);
    }
    t.mm().copy_out(a.addr(1), &0i32)?;
    Ok(0)
}

/// sched_setparam(2): priority 0 is the only one the normal policies accept.
pub fn sys_sched_setparam(t: &Task, a: &SyscallArgs) -> SysResult {
    sched_target(t, a.i32(0))?;
    if a.addr(1) == 0 {
        return Err(Errno::EINVAL);
    }
    let prio: i32 = t.mm().copy_in(a.addr(1))?;
    if prio != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// sched_get_priority_max(2).
pub fn sys_sched_get_priority_max(_t: &Task, a: &SyscallArgs) -> SysResult {
    match a.i32(0) {
        SCHED_FIFO | SCHED_RR => Ok(99),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

/// sched_get_priority_min(2).
pub fn sys_sched_get_priority_min(_t: &Task, a: &SyscallArgs) -> SysResult {
    match a.i32(0) {
        SCHED_FIFO | SCHED_RR => Ok(1),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

/// sched_rr_get_interval(2): 0 for the normal policies, as Linux reports them.
pub fn sys_sched_rr_get_interval(t: &Task, a: &SyscallArgs) -> SysResult {
    sched_target(t, a.i32(0))?;
    t.mm().copy_out(a.addr(1), &Timespec { tv_sec: 0, tv_nsec: 0 })?;
    Ok(0)
}

/// sched_yield(2).
pub fn sys_sched_yield(_t: &Task, _a: &SyscallArgs) -> SysResult {
    std::thread::yield_now();
    Ok(0)
}

/// getcpu(2): reports CPU 0, node 0.
pub fn sys_getcpu(t: &Task, a: &SyscallArgs) -> SysResult {
    for i in 0..2 {
        if a.addr(i) != 0 {
            t.mm().copy_out(a.addr(i), &0u32)?;
        }
    }
    Ok(0)
}

/// times(2): the caller's CPU times and its waited-for children's.
pub fn sys_times(t: &Task, a: &SyscallArgs) -> SysResult {
    let me = t.tg.cpu_self();
    let children = t.tg.usage().children;
    let ticks = |d: Duration| (d.as_millis() / 10) as i64;
    if a.addr(0) != 0 {
        let tms = sbx_abi::structs::Tms {
            tms_utime: ticks(me.user),
            tms_stime: ticks(me.sys),
            tms_cutime: ticks(children.user),
            tms_cstime: ticks(children.sys),
        };
        t.mm().copy_out(a.addr(0), &tms)?;
    }
    Ok((t.kernel().boot.elapsed().as_millis() / 10) as u64)
}

/// getrusage(2): CPU times of the process, its waited-for children, or the thread
/// (the host's accounting of the stubs); the other fields are zero.
pub fn sys_getrusage(t: &Task, a: &SyscallArgs) -> SysResult {
    const RUSAGE_SELF: i32 = 0;
    const RUSAGE_CHILDREN: i32 = -1;
    const RUSAGE_THREAD: i32 = 1;
    let used = match a.i32(0) {
        RUSAGE_SELF => t.tg.cpu_self(),
        RUSAGE_THREAD => host_cpu_time(t.local.host_tid.get()),
        RUSAGE_CHILDREN => t.tg.usage().children,
        _ => return Err(Errno::EINVAL),
    };
    t.mm().copy_out(a.addr(1), &rusage_of(used))?;
    Ok(0)
}

/// A `struct rusage` with these CPU times and nothing else.
pub fn rusage_of(c: CpuTime) -> sbx_abi::structs::Rusage {
    let tv = |d: Duration| Timeval { tv_sec: d.as_secs() as i64, tv_usec: i64::from(d.subsec_micros()) };
    sbx_abi::structs::Rusage { ru_utime: tv(c.user), ru_stime: tv(c.sys), ..Default::default() }
}

/// getpriority(2): returns 20 - nice, as the raw syscall does.
pub fn sys_getpriority(t: &Task, a: &SyscallArgs) -> SysResult {
    let (which, who) = (a.i32(0), a.i32(1));
    if !(0..=2).contains(&which) {
        return Err(Errno::EINVAL);
    }
    let exists = |id: i32| t.gpid(id).is_some_and(|g| t.kernel().pids.thread(g).is_some());
    if which == 0 && who != 0 && !exists(who) {
        return Err(Errno::ESRCH);
    }
    Ok((20 - t.local.nice.get()) as u64)
}

/// setpriority(2): the caller's own nice value (-20..19); raising priority needs
/// CAP_SYS_NICE (root here). Scheduling itself is the host's.
pub fn sys_setpriority(t: &Task, a: &SyscallArgs) -> SysResult {
    let (which, who, prio) = (a.i32(0), a.i32(1), a.i32(2));
    if !(0..=2).contains(&which) {
        return Err(Errno::EINVAL);
    }
    if which != 0 || (who != 0 && who != t.vpid(t.tid()) && who != t.vpid(t.tgid)) {
        return Err(Errno::ESRCH);
    }
    let nice = prio.clamp(-20, 19);
    if nice < t.local.nice.get() && t.creds.borrow().uid.1 != 0 {
        return Err(Errno::EACCES);
    }
    t.local.nice.set(nice);
    Ok(0)
}
