//! Flag sets and constants of the x86_64 ABI (values from the Linux uapi headers).

use bitflags::bitflags;

bitflags! {
    /// open(2) flags (`asm-generic/fcntl.h`). The access mode lives in the low two bits
    /// (see [`OpenFlags::access`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u32 {
        /// Write only (access mode 1).
        const O_WRONLY = 0o1;
        /// Read and write (access mode 2).
        const O_RDWR = 0o2;
        /// Create the file if missing.
        const O_CREAT = 0o100;
        /// With O_CREAT: fail if the file exists.
        const O_EXCL = 0o200;
        /// Do not make a terminal the controlling terminal.
        const O_NOCTTY = 0o400;
        /// Truncate a regular file to length 0.
        const O_TRUNC = 0o1000;
        /// Every write appends.
        const O_APPEND = 0o2000;
        /// Non-blocking I/O.
        const O_NONBLOCK = 0o4000;
        /// Synchronous data writes.
        const O_DSYNC = 0o10000;
        /// Signal-driven I/O.
        const O_ASYNC = 0o20000;
        /// Direct I/O (accepted, treated as buffered).
        const O_DIRECT = 0o40000;
        /// Large file offsets (always on for 64-bit).
        const O_LARGEFILE = 0o100000;
        /// Fail unless the path is a directory.
        const O_DIRECTORY = 0o200000;
        /// Do not follow a final symlink.
        const O_NOFOLLOW = 0o400000;
        /// Do not update the access time.
        const O_NOATIME = 0o1000000;
        /// Close on execve.
        const O_CLOEXEC = 0o2000000;
        /// Synchronous writes (includes O_DSYNC).
        const O_SYNC = 0o4010000;
        /// A path-only descriptor.
        const O_PATH = 0o10000000;
        /// An unnamed temporary file (includes O_DIRECTORY).
        const O_TMPFILE = 0o20200000;
    }
}

impl OpenFlags {
    /// The access mode bits (O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2).
    pub fn access(self) -> u32 {
        self.bits() & 3
    }
    /// Whether the descriptor may be read.
    pub fn readable(self) -> bool {
        self.access() == 0 || self.access() == 2
    }
    /// Whether the descriptor may be written.
    pub fn writable(self) -> bool {
        self.access() == 1 || self.access() == 2
    }
}

/// `AT_FDCWD`: *at() calls resolve relative paths against the cwd.
pub const AT_FDCWD: i32 = -100;
/// *at() flag: do not follow a final symlink.
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
/// unlinkat() flag: remove a directory.
pub const AT_REMOVEDIR: u32 = 0x200;
/// faccessat() flag: use effective ids.
pub const AT_EACCESS: u32 = 0x200;
/// *at() flag: follow a final symlink.
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
/// *at() flag: do not automount.
pub const AT_NO_AUTOMOUNT: u32 = 0x800;
/// *at() flag: an empty path names the descriptor itself.
pub const AT_EMPTY_PATH: u32 = 0x1000;
/// statx() sync-type mask.
pub const AT_STATX_SYNC_TYPE: u32 = 0x6000;

/// File type mask of `st_mode`.
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO.
pub const S_IFIFO: u32 = 0o010000;

/// getdents64 `d_type` values (`DT_*`).
pub mod dt {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// FIFO.
    pub const FIFO: u8 = 1;
    /// Character device.
    pub const CHR: u8 = 2;
    /// Directory.
    pub const DIR: u8 = 4;
    /// Block device.
    pub const BLK: u8 = 6;
    /// Regular file.
    pub const REG: u8 = 8;
    /// Symbolic link.
    pub const LNK: u8 = 10;
    /// Socket.
    pub const SOCK: u8 = 12;

    /// The `d_type` for an `st_mode`.
    pub fn from_mode(mode: u32) -> u8 {
        ((mode & super::S_IFMT) >> 12) as u8
    }
}

bitflags! {
    /// mmap/mprotect protection bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Prot: u32 {
        /// Readable.
        const READ = 1;
        /// Writable.
        const WRITE = 2;
        /// Executable.
        const EXEC = 4;
        /// Extend to the start of a grows-down mapping.
        const GROWSDOWN = 0x0100_0000;
        /// Extend to the end of a grows-up mapping.
        const GROWSUP = 0x0200_0000;
    }
}

bitflags! {
    /// mmap flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MapFlags: u32 {
        /// Shared mapping.
        const MAP_SHARED = 0x01;
        /// Private copy-on-write mapping.
        const MAP_PRIVATE = 0x02;
        /// Shared, with flag validation.
        const MAP_SHARED_VALIDATE = 0x03;
        /// Place exactly at addr, replacing what is there.
        const MAP_FIXED = 0x10;
        /// Not backed by a file.
        const MAP_ANONYMOUS = 0x20;
        /// Below 2 GiB (x86_64).
        const MAP_32BIT = 0x40;
        /// Stack-like segment (ignored by Linux).
        const MAP_GROWSDOWN = 0x100;
        /// Ignored.
        const MAP_DENYWRITE = 0x800;
        /// Ignored.
        const MAP_EXECUTABLE = 0x1000;
        /// Lock pages.
        const MAP_LOCKED = 0x2000;
        /// Do not reserve swap.
        const MAP_NORESERVE = 0x4000;
        /// Prefault pages.
        const MAP_POPULATE = 0x8000;
        /// Do not block on I/O with MAP_POPULATE.
        const MAP_NONBLOCK = 0x10000;
        /// Stack allocation hint.
        const MAP_STACK = 0x20000;
        /// Huge pages.
        const MAP_HUGETLB = 0x40000;
        /// Synchronous page faults (DAX).
        const MAP_SYNC = 0x80000;
        /// Like MAP_FIXED but fail with EEXIST instead of replacing.
        const MAP_FIXED_NOREPLACE = 0x100000;
        /// Uninitialised anonymous memory.
        const MAP_UNINITIALIZED = 0x4000000;
        /// Huge page size bits.
        const HUGE_SHIFT_MASK = 0x3f << 26;
    }
}

/// mremap: the mapping may move.
pub const MREMAP_MAYMOVE: u32 = 1;
/// mremap: move to new_addr.
pub const MREMAP_FIXED: u32 = 2;
/// mremap: leave the old range mapped but empty.
pub const MREMAP_DONTUNMAP: u32 = 4;

/// fcntl commands.
pub mod fcntl {
    /// Duplicate to the lowest fd ≥ arg.
    pub const F_DUPFD: u32 = 0;
    /// Get fd flags.
    pub const F_GETFD: u32 = 1;
    /// Set fd flags.
    pub const F_SETFD: u32 = 2;
    /// Get status flags.
    pub const F_GETFL: u32 = 3;
    /// Set status flags.
    pub const F_SETFL: u32 = 4;
    /// Get a record lock.
    pub const F_GETLK: u32 = 5;
    /// Set a record lock.
    pub const F_SETLK: u32 = 6;
    /// Set a record lock, waiting.
    pub const F_SETLKW: u32 = 7;
    /// Set the SIGIO owner.
    pub const F_SETOWN: u32 = 8;
    /// Get the SIGIO owner.
    pub const F_GETOWN: u32 = 9;
    /// Set the SIGIO signal.
    pub const F_SETSIG: u32 = 10;
    /// Get the SIGIO signal.
    pub const F_GETSIG: u32 = 11;
    /// Open file description lock: get.
    pub const F_OFD_GETLK: u32 = 36;
    /// Open file description lock: set.
    pub const F_OFD_SETLK: u32 = 37;
    /// Open file description lock: set, waiting.
    pub const F_OFD_SETLKW: u32 = 38;
    /// Set a lease.
    pub const F_SETLEASE: u32 = 1024;
    /// Get a lease.
    pub const F_GETLEASE: u32 = 1025;
    /// Directory change notification.
    pub const F_NOTIFY: u32 = 1026;
    /// Duplicate with FD_CLOEXEC.
    pub const F_DUPFD_CLOEXEC: u32 = 1030;
    /// Set pipe capacity.
    pub const F_SETPIPE_SZ: u32 = 1031;
    /// Get pipe capacity.
    pub const F_GETPIPE_SZ: u32 = 1032;
    /// Add seals.
    pub const F_ADD_SEALS: u32 = 1033;
    /// Get seals.
    pub const F_GET_SEALS: u32 = 1034;
    /// The close-on-exec fd flag.
    pub const FD_CLOEXEC: u32 = 1;
}

/// arch_prctl codes.
pub mod arch_prctl {
    /// Set the GS base.
    pub const ARCH_SET_GS: u64 = 0x1001;
    /// Set the FS base.
    pub const ARCH_SET_FS: u64 = 0x1002;
    /// Get the FS base.
    pub const ARCH_GET_FS: u64 = 0x1003;
    /// Get the GS base.
    pub const ARCH_GET_GS: u64 = 0x1004;
    /// Query CPUID faulting.
    pub const ARCH_GET_CPUID: u64 = 0x1011;
    /// Enable or disable CPUID faulting.
    pub const ARCH_SET_CPUID: u64 = 0x1012;
}

/// Terminal ioctls.
pub mod ioctl {
    /// Get termios.
    pub const TCGETS: u64 = 0x5401;
    /// Set termios.
    pub const TCSETS: u64 = 0x5402;
    /// Set termios after draining output.
    pub const TCSETSW: u64 = 0x5403;
    /// Set termios after flushing.
    pub const TCSETSF: u64 = 0x5404;
    /// Get the foreground process group.
    pub const TIOCGPGRP: u64 = 0x540F;
    /// Set the foreground process group.
    pub const TIOCSPGRP: u64 = 0x5410;
    /// Get the window size.
    pub const TIOCGWINSZ: u64 = 0x5413;
    /// Set the window size.
    pub const TIOCSWINSZ: u64 = 0x5414;
    /// Bytes available to read.
    pub const FIONREAD: u64 = 0x541B;
    /// Set/clear non-blocking I/O.
    pub const FIONBIO: u64 = 0x5421;
    /// Set close-on-exec.
    pub const FIOCLEX: u64 = 0x5451;
    /// Clear close-on-exec.
    pub const FIONCLEX: u64 = 0x5450;
}

/// Resource numbers for getrlimit/prlimit64.
pub mod rlimit {
    /// CPU time.
    pub const RLIMIT_CPU: u32 = 0;
    /// File size.
    pub const RLIMIT_FSIZE: u32 = 1;
    /// Data segment.
    pub const RLIMIT_DATA: u32 = 2;
    /// Stack size.
    pub const RLIMIT_STACK: u32 = 3;
    /// Core file size.
    pub const RLIMIT_CORE: u32 = 4;
    /// Resident set.
    pub const RLIMIT_RSS: u32 = 5;
    /// Processes.
    pub const RLIMIT_NPROC: u32 = 6;
    /// Open files.
    pub const RLIMIT_NOFILE: u32 = 7;
    /// Locked memory.
    pub const RLIMIT_MEMLOCK: u32 = 8;
    /// Address space.
    pub const RLIMIT_AS: u32 = 9;
    /// File locks.
    pub const RLIMIT_LOCKS: u32 = 10;
    /// Pending signals.
    pub const RLIMIT_SIGPENDING: u32 = 11;
    /// POSIX message queue bytes.
    pub const RLIMIT_MSGQUEUE: u32 = 12;
    /// Nice ceiling.
    pub const RLIMIT_NICE: u32 = 13;
    /// Real-time priority ceiling.
    pub const RLIMIT_RTPRIO: u32 = 14;
    /// Real-time CPU time.
    pub const RLIMIT_RTTIME: u32 = 15;
    /// Number of resources.
    pub const RLIM_NLIMITS: u32 = 16;
    /// Unlimited.
    pub const RLIM_INFINITY: u64 = u64::MAX;
}

/// Clock ids.
pub mod clock {
    /// Wall clock.
    pub const CLOCK_REALTIME: u32 = 0;
    /// Monotonic.
    pub const CLOCK_MONOTONIC: u32 = 1;
    /// Process CPU time.
    pub const CLOCK_PROCESS_CPUTIME_ID: u32 = 2;
    /// Thread CPU time.
    pub const CLOCK_THREAD_CPUTIME_ID: u32 = 3;
    /// Monotonic, not slewed.
    pub const CLOCK_MONOTONIC_RAW: u32 = 4;
    /// Coarse wall clock.
    pub const CLOCK_REALTIME_COARSE: u32 = 5;
    /// Coarse monotonic.
    pub const CLOCK_MONOTONIC_COARSE: u32 = 6;
    /// Monotonic including suspend.
    pub const CLOCK_BOOTTIME: u32 = 7;
    /// Realtime alarm.
    pub const CLOCK_REALTIME_ALARM: u32 = 8;
    /// Boottime alarm.
    pub const CLOCK_BOOTTIME_ALARM: u32 = 9;
    /// International atomic time.
    pub const CLOCK_TAI: u32 = 11;
    /// clock_nanosleep: absolute time.
    pub const TIMER_ABSTIME: u32 = 1;
}

/// Signal numbers.
pub mod signal {
    /// Hangup.
    pub const SIGHUP: i32 = 1;
    /// Interrupt.
    pub const SIGINT: i32 = 2;
    /// Quit.
    pub const SIGQUIT: i32 = 3;
    /// Illegal instruction.
    pub const SIGILL: i32 = 4;
    /// Trace trap.
    pub const SIGTRAP: i32 = 5;
    /// Abort.
    pub const SIGABRT: i32 = 6;
    /// Bus error.
    pub const SIGBUS: i32 = 7;
    /// Floating point exception.
    pub const SIGFPE: i32 = 8;
    /// Kill.
    pub const SIGKILL: i32 = 9;
    /// User 1.
    pub const SIGUSR1: i32 = 10;
    /// Segmentation fault.
    pub const SIGSEGV: i32 = 11;
    /// User 2.
    pub const SIGUSR2: i32 = 12;
    /// Broken pipe.
    pub const SIGPIPE: i32 = 13;
    /// Alarm.
    pub const SIGALRM: i32 = 14;
    /// Terminate.
    pub const SIGTERM: i32 = 15;
    /// Stack fault.
    pub const SIGSTKFLT: i32 = 16;
    /// Child status changed.
    pub const SIGCHLD: i32 = 17;
    /// Continue.
    pub const SIGCONT: i32 = 18;
    /// Stop.
    pub const SIGSTOP: i32 = 19;
    /// Terminal stop.
    pub const SIGTSTP: i32 = 20;
    /// Background read.
    pub const SIGTTIN: i32 = 21;
    /// Background write.
    pub const SIGTTOU: i32 = 22;
    /// Urgent data.
    pub const SIGURG: i32 = 23;
    /// CPU limit.
    pub const SIGXCPU: i32 = 24;
    /// File size limit.
    pub const SIGXFSZ: i32 = 25;
    /// Virtual alarm.
    pub const SIGVTALRM: i32 = 26;
    /// Profiling alarm.
    pub const SIGPROF: i32 = 27;
    /// Window change.
    pub const SIGWINCH: i32 = 28;
    /// I/O possible.
    pub const SIGIO: i32 = 29;
    /// Power failure.
    pub const SIGPWR: i32 = 30;
    /// Bad system call.
    pub const SIGSYS: i32 = 31;
    /// Highest signal number.
    pub const NSIG: i32 = 64;
    /// Handler value: default action.
    pub const SIG_DFL: u64 = 0;
    /// Handler value: ignore.
    pub const SIG_IGN: u64 = 1;
    /// rt_sigprocmask: block.
    pub const SIG_BLOCK: u32 = 0;
    /// rt_sigprocmask: unblock.
    pub const SIG_UNBLOCK: u32 = 1;
    /// rt_sigprocmask: set.
    pub const SIG_SETMASK: u32 = 2;
    /// sigaction flag: handler takes siginfo.
    pub const SA_SIGINFO: u64 = 4;
    /// sigaction flag: restorer provided.
    pub const SA_RESTORER: u64 = 0x0400_0000;
    /// sigaction flag: use the alternate stack.
    pub const SA_ONSTACK: u64 = 0x0800_0000;
    /// sigaction flag: restart syscalls.
    pub const SA_RESTART: u64 = 0x1000_0000;
    /// sigaction flag: do not block the signal in its handler.
    pub const SA_NODEFER: u64 = 0x4000_0000;
    /// sigaction flag: reset to default on entry.
    pub const SA_RESETHAND: u64 = 0x8000_0000;
    /// sigaction flag: no SIGCHLD on stop.
    pub const SA_NOCLDSTOP: u64 = 1;
    /// sigaction flag: no zombies.
    pub const SA_NOCLDWAIT: u64 = 2;

    /// The name of a signal ("SIGSEGV"), or "SIG?" when unknown.
    pub fn name(sig: i32) -> &'static str {
        const NAMES: [&str; 32] = [
            "SIG0",
            "SIGHUP",
            "SIGINT",
            "SIGQUIT",
            "SIGILL",
            "SIGTRAP",
            "SIGABRT",
            "SIGBUS",
            "SIGFPE",
            "SIGKILL",
            "SIGUSR1",
            "SIGSEGV",
            "SIGUSR2",
            "SIGPIPE",
            "SIGALRM",
            "SIGTERM",
            "SIGSTKFLT",
            "SIGCHLD",
            "SIGCONT",
            "SIGSTOP",
            "SIGTSTP",
            "SIGTTIN",
            "SIGTTOU",
            "SIGURG",
            "SIGXCPU",
            "SIGXFSZ",
            "SIGVTALRM",
            "SIGPROF",
            "SIGWINCH",
            "SIGIO",
            "SIGPWR",
            "SIGSYS",
        ];
        usize::try_from(sig).ok().and_then(|s| NAMES.get(s)).copied().unwrap_or(if (32..=64).contains(&sig) {
            "SIGRT"
        } else {
            "SIG?"
        })
    }
}

/// ELF auxiliary vector keys.
pub mod auxv {
    /// End of vector.
    pub const AT_NULL: u64 = 0;
    /// Program headers address.
    pub const AT_PHDR: u64 = 3;
    /// Size of a program header.
    pub const AT_PHENT: u64 = 4;
    /// Number of program headers.
    pub const AT_PHNUM: u64 = 5;
    /// Page size.
    pub const AT_PAGESZ: u64 = 6;
    /// Interpreter base.
    pub const AT_BASE: u64 = 7;
    /// Flags.
    pub const AT_FLAGS: u64 = 8;
    /// Program entry.
    pub const AT_ENTRY: u64 = 9;
    /// Real uid.
    pub const AT_UID: u64 = 11;
    /// Effective uid.
    pub const AT_EUID: u64 = 12;
    /// Real gid.
    pub const AT_GID: u64 = 13;
    /// Effective gid.
    pub const AT_EGID: u64 = 14;
    /// Platform string.
    pub const AT_PLATFORM: u64 = 15;
    /// CPU capabilities.
    pub const AT_HWCAP: u64 = 16;
    /// Clock tick frequency.
    pub const AT_CLKTCK: u64 = 17;
    /// Secure mode.
    pub const AT_SECURE: u64 = 23;
    /// 16 random bytes.
    pub const AT_RANDOM: u64 = 25;
    /// More CPU capabilities.
    pub const AT_HWCAP2: u64 = 26;
    /// Executable file name.
    pub const AT_EXECFN: u64 = 31;
    /// vDSO base.
    pub const AT_SYSINFO_EHDR: u64 = 33;
    /// Minimal signal stack size.
    pub const AT_MINSIGSTKSZ: u64 = 51;
}
