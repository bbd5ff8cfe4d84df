//! procfs, generated from the Sentry's own state at open time. /proc/self and
//! /proc/<own pid> describe the calling process; other pids are listed, with the
//! files a process can know about another (stat, status, comm).
//!
//! `/proc/<pid>/fd/N` entries are "magic links": following one reaches the open
//! file itself (also for pipes and the host stdio), as in Linux.

use std::any::Any;
use std::fmt::Write;
use std::sync::Arc;

use sbx_abi::flags::{dt, OpenFlags, AT_FDCWD, S_IFDIR, S_IFLNK, S_IFREG};
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use crate::kernel::Task;
use crate::vfs::{DirEntry, FileDescription, FileOps, Follow, Inode, MagicTarget};

/// Device number of procfs.
const PROC_DEV: u64 = 0x16;

/// What a procfs node is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Root,
    SelfLink,
    ThreadSelf,
    Pid(i32),
    Fds(i32),
    Fd(i32, i32),
    /// A link of a pid directory ("exe", "cwd", "root").
    PidLink(i32, &'static str),
    /// A generated file of a pid directory.
    PidFile(i32, &'static str),
    /// A directory of fixed files (`/proc/sys/...`), by path.
    Dir(&'static str),
    /// A generated top-level or /proc/sys file, by path.
    File(&'static str),
}

/// A procfs node.
pub struct ProcInode {
    kind: Kind,
}

/// The root of procfs.
pub fn new_procfs() -> Arc<dyn Inode> {
    Arc::new(ProcInode { kind: Kind::Root })
}

const TOP_FILES: &[&str] = &["cpuinfo", "meminfo", "uptime", "version", "loadavg", "filesystems", "mounts", "stat"];
const PID_FILES: &[&str] =
    &["cmdline", "comm", "environ", "maps", "mounts", "stat", "status", "limits", "oom_score_adj", "cgroup"];
const PID_LINKS: &[&str] = &["cwd", "exe", "root"];
/// /proc/sys: directories and files.
const SYS_DIRS: &[&str] = &["sys", "sys/kernel", "sys/vm", "sys/fs", "sys/net", "sys/net/core"];
const SYS_FILES: &[&str] = &[
    "sys/kernel/hostname",
    "sys/kernel/osrelease",
    "sys/kernel/ostype",
    "sys/kernel/ngroups_max",
    "sys/kernel/pid_max",
    "sys/kernel/cap_last_cap",
    "sys/vm/overcommit_memory",
    "sys/vm/max_map_count",
    "sys/fs/file-max",
    "sys/fs/nr_open",
    "sys/net/core/somaxconn",
];

fn ino_of(k: &Kind) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{k:?}").hash(&mut h);
    h.finish() | 1
}

fn node(kind: Kind) -> Arc<dyn Inode> {
    Arc::new(ProcInode { kind })
}

fn own(t: &Task, pid: i32) -> bool {
    pid == t.tgid
}

impl ProcInode {
    fn mode(&self) -> u32 {
        match self.kind {
            Kind::Root | Kind::Pid(_) | Kind::Fds(_) | Kind::Dir(_) => S_IFDIR | 0o555,
            Kind::SelfLink | Kind::ThreadSelf | Kind::Fd(..) | Kind::PidLink(..) => S_IFLNK | 0o777,
            Kind::PidFile(_, "oom_score_adj") => S_IFREG | 0o644,
            Kind::PidFile(..) | Kind::File(_) => S_IFREG | 0o444,
        }
    }

    fn content(&self, t: &Task) -> Result<Vec<u8>, Errno> {
        match &self.kind {
            Kind::PidFile(pid, name) => pid_file(t, *pid, name),
            Kind::File(path) => top_file(t, path),
            _ => Err(Errno::EISDIR),
        }
    }
}

impl Inode for ProcInode {
    fn stat(&self) -> Result<Stat, Errno> {
        let mode = self.mode();
        Ok(Stat {
            st_dev: PROC_DEV,
            st_ino: ino_of(&self.kind),
            st_nlink: if mode & S_IFDIR != 0 { 2 } else { 1 },
            st_mode: mode,
            st_blksize: 1024,
            ..Default::default()
        })
    }

    fn lookup(&self, t: &Task, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        let name_s = std::str::from_utf8(name).map_err(|_| Errno::ENOENT)?;
        match &self.kind {
            Kind::Root => {
                if name == b"self" {
                    return Ok(node(Kind::SelfLink));
                }
                if name == b"thread-self" {
                    return Ok(node(Kind::ThreadSelf));
                }
                if let Some(f) = TOP_FILES.iter().find(|f| **f == name_s) {
                    return Ok(node(Kind::File(f)));
                }
                if name == b"sys" {
                    return Ok(node(Kind::Dir("sys")));
                }
                // The sandbox's /proc belongs to its first PID namespace, whose ids
                // are the global ones (as Linux's procfs shows the pids of the
                // namespace it was mounted in, whoever reads it).
                let pid: i32 = name_s.parse().map_err(|_| Errno::ENOENT)?;
                if t.kernel().pids.get(pid).is_some() {
                    return Ok(node(Kind::Pid(pid)));
                }
                Err(Errno::ENOENT)
            }
            Kind::Pid(pid) => {
                let pid = *pid;
                if name == b"fd" && own(t, pid) {
                    return Ok(node(Kind::Fds(pid)));
                }
                if name == b"task" {
                    // Threads of the process, as pid-like directories.
                    return Err(Errno::ENOENT);
                }
                if let Some(l) = PID_LINKS.iter().find(|f| **f == name_s) {
                    if own(t, pid) {
                        return Ok(node(Kind::PidLink(pid, l)));
                    }
                    return Err(Errno::EACCES);
                }
                if let Some(f) = PID_FILES.iter().find(|f| **f == name_s) {
                    return Ok(node(Kind::PidFile(pid, f)));
                }
                Err(Errno::ENOENT)
            }
            Kind::Fds(pid) => {
                let fd: i32 = name_s.parse().map_err(|_| Errno::ENOENT)?;
                t.fds.get(fd).map_err(|_| Errno::ENOENT)?;
                Ok(node(Kind::Fd(*pid, fd)))
            }
            Kind::Dir(dir) => {
                let full = format!("{dir}/{name_s}");
                if let Some(d) = SYS_DIRS.iter().find(|d| **d == full) {
                    return Ok(node(Kind::Dir(d)));
                }
                if let Some(f) = SYS_FILES.iter().find(|f| **f == full) {
                    return Ok(node(Kind::File(f)));
                }
                Err(Errno::ENOENT)
            }
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn readdir(&self, t: &Task) -> Result<Vec<DirEntry>, Errno> {
        let ent = |name: String, kind: Kind| {
            let m = ProcInode { kind: kind.clone() }.mode();
            DirEntry { name: name.into_bytes(), ino: ino_of(&kind), d_type: dt::from_mode(m) }
        };
        Ok(match &self.kind {
            Kind::Root => {
                let mut v = vec![
                    ent("self".into(), Kind::SelfLink),
                    ent("thread-self".into(), Kind::ThreadSelf),
                    ent("sys".into(), Kind::Dir("sys")),
                ];
                v.extend(TOP_FILES.iter().map(|f| ent((*f).into(), Kind::File(f))));
                v.extend(t.kernel().pids.all().iter().map(|g| ent(g.tgid.to_string(), Kind::Pid(g.tgid))));
                v
            }
            Kind::Pid(pid) => {
                let mut v: Vec<DirEntry> = PID_FILES.iter().map(|f| ent((*f).into(), Kind::PidFile(*pid, f))).collect();
                if own(t, *pid) {
                    v.push(ent("fd".into(), Kind::Fds(*pid)));
                    v.extend(PID_LINKS.iter().map(|l| ent((*l).into(), Kind::PidLink(*pid, l))));
                }
                v
            }
            Kind::Fds(pid) => t.fds.fds().into_iter().map(|fd| ent(fd.to_string(), Kind::Fd(*pid, fd))).collect(),
            Kind::Dir(dir) => {
                let prefix = format!("{dir}/");
                let mut v: Vec<DirEntry> = SYS_DIRS
                    .iter()
                    .filter_map(|d| {
                        d.strip_prefix(&prefix).filter(|r| !r.contains('/')).map(|r| ent(r.into(), Kind::Dir(d)))
                    })
                    .collect();
                v.extend(SYS_FILES.iter().filter_map(|f| {
                    f.strip_prefix(&prefix).filter(|r| !r.contains('/')).map(|r| ent(r.into(), Kind::File(f)))
                }));
                v
            }
            _ => return Err(Errno::ENOTDIR),
        })
    }

    fn readlink(&self, t: &Task) -> Result<Vec<u8>, Errno> {
        match &self.kind {
            Kind::SelfLink => Ok(t.tgid.to_string().into_bytes()),
            Kind::ThreadSelf => Ok(format!("{}/task/{}", t.tgid, t.tid()).into_bytes()),
            Kind::Fd(_, fd) => {
                let f = t.fds.get(*fd)?;
                Ok(f.path.clone().into_bytes())
            }
            Kind::PidLink(_, "exe") => Ok(t.local.exe.borrow().clone().into_bytes()),
            Kind::PidLink(_, "cwd") => Ok(t.fs.cwd().path()),
            Kind::PidLink(_, "root") => Ok(t.fs.root().path()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn magic_link(&self, t: &Task) -> Option<Result<MagicTarget, Errno>> {
        match &self.kind {
            Kind::Fd(_, fd) => Some(t.fds.get(*fd).map(|f| match &f.loc {
                Some(l) => MagicTarget::Location(l.clone()),
                None => MagicTarget::File(f),
            })),
            Kind::PidLink(_, "cwd") => Some(Ok(MagicTarget::Location(t.fs.cwd()))),
            Kind::PidLink(_, "exe") => {
                let exe = t.local.exe.borrow().clone();
                Some(crate::vfs::lookup_at(t, AT_FDCWD, exe.as_bytes(), Follow::Yes, false).map(MagicTarget::Location))
            }
            Kind::PidLink(_, "root") => Some(Ok(MagicTarget::Location(t.fs.root()))),
            _ => None,
        }
    }

    fn open(self: Arc<Self>, t: &Task, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        if flags.writable() {
            return Err(Errno::EACCES);
        }
        match self.kind {
            Kind::Root | Kind::Pid(_) | Kind::Fds(_) | Kind::Dir(_) => Ok(Box::new(crate::vfs::DirFile)),
            _ => Ok(Box::new(Snapshot { data: self.content(t)?, inode: self.clone() })),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// A procfs file's content, generated at open.
struct Snapshot {
    data: Vec<u8>,
    inode: Arc<ProcInode>,
}

impl FileOps for Snapshot {
    fn read(&self, _f: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let off = usize::try_from(off).unwrap_or(usize::MAX);
        if off >= self.data.len() {
            return Ok(0);
        }
        let n = buf.len().min(self.data.len() - off);
        buf[..n].copy_from_slice(&self.data[off..off + n]);
        Ok(n)
    }
    fn write(&self, _f: &FileDescription, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        self.inode.stat()
    }
}

fn host_file(path: &str) -> Vec<u8> {
    // Host facts about the CPU the guest runs on; not a guest-named path.
    std::fs::read(path).unwrap_or_default()
}

fn sysinfo() -> (u64, u64) {
    nix::sys::sysinfo::sysinfo().map(|s| (s.ram_total(), s.ram_unused())).unwrap_or((0, 0))
}

fn top_file(t: &Task, path: &str) -> Result<Vec<u8>, Errno> {
    let k = &t.kernel();
    let up = k.boot.elapsed();
    let mut s = String::new();
    match path {
        "cpuinfo" => return Ok(host_file("/proc/cpuinfo")),
        "meminfo" => {
            let (total, free) = sysinfo();
            let _ = write!(
                s,
                "MemTotal:       {:8} kB\nMemFree:        {:8} kB\nMemAvailable:   {:8} kB\nBuffers:               0 kB\nCached:                0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n",
                total / 1024,
                free / 1024,
                free / 1024
            );
        }
        "uptime" => {
            let _ = writeln!(
                s,
                "{}.{:02} {}.{:02}",
                up.as_secs(),
                up.subsec_millis() / 10,
                up.as_secs(),
                up.subsec_millis() / 10
            );
        }
        "version" => {
            let _ = writeln!(s, "Linux version {} (sbx) #1 SMP PREEMPT_DYNAMIC sbx", crate::syscalls::RELEASE);
        }
        "loadavg" => {
            let n = k.pids.count();
            let _ = writeln!(s, "0.00 0.00 0.00 1/{n} {}", t.tgid);
        }
        "filesystems" => s.push_str("nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\toverlay\n"),
        "mounts" => s = mounts(t),
        "stat" => {
            let ncpu = crate::syscalls::num_cpus();
            s.push_str("cpu  0 0 0 0 0 0 0 0 0 0\n");
            for i in 0..ncpu {
                let _ = writeln!(s, "cpu{i} 0 0 0 0 0 0 0 0 0 0");
            }
            let btime = k.boot_wall.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
            let _ = write!(
                s,
                "intr 0\nctxt 0\nbtime {btime}\nprocesses {}\nprocs_running 1\nprocs_blocked 0\n",
                k.pids.count()
            );
        }
        "sys/kernel/hostname" => {
            let _ = writeln!(s, "{}", k.uts.lock().unwrap_or_else(|e| e.into_inner()).hostname);
        }
        "sys/kernel/osrelease" => {
            let _ = writeln!(s, "{}", crate::syscalls::RELEASE);
        }
        "sys/kernel/ostype" => s.push_str("Linux\n"),
        "sys/kernel/ngroups_max" => s.push_str("65536\n"),
        "sys/kernel/pid_max" => s.push_str("4194304\n"),
        "sys/kernel/cap_last_cap" => s.push_str("40\n"),
        "sys/vm/overcommit_memory" => s.push_str("0\n"),
        "sys/vm/max_map_count" => s.push_str("65530\n"),
        "sys/fs/file-max" => s.push_str("9223372036854775807\n"),
        "sys/fs/nr_open" => s.push_str("1048576\n"),
        "sys/net/core/somaxconn" => s.push_str("4096\n"),
        _ => return Err(Errno::ENOENT),
    }
    Ok(s.into_bytes())
}

fn mounts(t: &Task) -> String {
    let mut s = String::from("none / overlay rw,relatime 0 0\n");
    for p in t.kernel().mounts.mount_points() {
        let p = String::from_utf8_lossy(&p);
        let fs = match p.as_ref() {
            "/proc" => "proc",
            "/dev" => "devtmpfs",
            _ => "tmpfs",
        };
        let _ = writeln!(s, "none {p} {fs} rw,relatime 0 0");
    }
    s
}

fn pid_file(t: &Task, pid: i32, name: &str) -> Result<Vec<u8>, Errno> {
    let tg = t.kernel().pids.get(pid).ok_or(Errno::ESRCH)?;
    let me = own(t, pid);
    let comm = if me { String::from_utf8_lossy(&t.local.comm.borrow()).into_owned() } else { tg.lock().comm.clone() };
    let (ppid, pgid, sid, nthreads) = {
        let g = tg.lock();
        (g.ppid, g.pgid, g.sid, g.threads.len().max(1))
    };
    // Ids from the sandbox's first namespace down to the process's own.
    let nspid = tg.pidns.ids_of(pid).iter().map(|i| format!("\t{i}")).collect::<String>();
    let mut s = String::new();
    match name {
        "comm" => {
            let _ = writeln!(s, "{comm}");
        }
        "stat" => {
            let _ = writeln!(
                s,
                "{pid} ({comm}) R {ppid} {pgid} {sid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 {nthreads} 0 0 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
            );
        }
        "status" => {
            let creds = t.creds.borrow();
            let (u, g) = if me { (creds.uid, creds.gid) } else { ((0, 0, 0), (0, 0, 0)) };
            let blk = if me { t.local.sigmask.get() } else { 0 };
            let _ = write!(
                s,
                "Name:\t{comm}\nUmask:\t{:04o}\nState:\tR (running)\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\nPPid:\t{ppid}\nTracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t\nNStgid:{nspid}\nNSpid:{nspid}\nThreads:\t{nthreads}\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t{blk:016x}\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed_list:\t0-{}\n",
                t.fs.umask(),
                u.0,
                u.1,
                u.2,
                u.1,
                g.0,
                g.1,
                g.2,
                g.1,
                crate::syscalls::num_cpus().saturating_sub(1)
            );
        }
        "cmdline" | "environ" if me => {
            let (a, b) = if name == "cmdline" { t.local.args.get() } else { t.local.env.get() };
            let mut buf = vec![0u8; b.saturating_sub(a) as usize];
            t.mm().copy_in_bytes(a, &mut buf)?;
            return Ok(buf);
        }
        "maps" if me => {
            for v in t.mm().vmas() {
                let p = v.prot;
                use sbx_abi::flags::Prot;
                let perms = format!(
                    "{}{}{}{}",
                    if p.contains(Prot::READ) { 'r' } else { '-' },
                    if p.contains(Prot::WRITE) { 'w' } else { '-' },
                    if p.contains(Prot::EXEC) { 'x' } else { '-' },
                    if v.shared { 's' } else { 'p' }
                );
                let (off, name) = match &v.kind {
                    crate::mm::VmaKind::File { name, offset } => (*offset, name.clone()),
                    crate::mm::VmaKind::Heap => (0, "[heap]".into()),
                    crate::mm::VmaKind::Stack => (0, "[stack]".into()),
                    crate::mm::VmaKind::Anon => (0, String::new()),
                };
                let _ = writeln!(
                    s,
                    "{:08x}-{:08x} {perms} {off:08x} 00:00 0 {}{name}",
                    v.start,
                    v.end,
                    if name.is_empty() { "" } else { "                          " }
                );
            }
        }
        "mounts" => s = mounts(t),
        "limits" if me => {
            s.push_str("Limit                     Soft Limit           Hard Limit           Units     \n");
            let names = [
                ("Max cpu time", "seconds"),
                ("Max file size", "bytes"),
                ("Max data size", "bytes"),
                ("Max stack size", "bytes"),
                ("Max core file size", "bytes"),
                ("Max resident set", "bytes"),
                ("Max processes", "processes"),
                ("Max open files", "files"),
                ("Max locked memory", "bytes"),
                ("Max address space", "bytes"),
                ("Max file locks", "locks"),
                ("Max pending signals", "signals"),
                ("Max msgqueue size", "bytes"),
                ("Max nice priority", ""),
                ("Max realtime priority", ""),
                ("Max realtime timeout", "us"),
            ];
            let lim = *t.local.rlimits.borrow();
            for (i, (n, unit)) in names.iter().enumerate() {
                let f = |v: u64| if v == u64::MAX { "unlimited".to_string() } else { v.to_string() };
                let _ = writeln!(s, "{n:<26}{:<21}{:<21}{unit:<10}", f(lim[i].rlim_cur), f(lim[i].rlim_max));
            }
        }
        "oom_score_adj" => s.push_str("0\n"),
        "cgroup" => s.push_str("0::/\n"),
        _ => return Err(Errno::EACCES),
    }
    Ok(s.into_bytes())
}
