//! x86_64 system call numbers and names, generated from Linux's `asm/unistd_64.h`.

/// A system call number as the guest passes it in `rax`.
pub type Sysno = u64;

/// `read(2)`
pub const SYS_READ: Sysno = 0;
/// `write(2)`
pub const SYS_WRITE: Sysno = 1;
/// `open(2)`
pub const SYS_OPEN: Sysno = 2;
/// `close(2)`
pub const SYS_CLOSE: Sysno = 3;
/// `stat(2)`
pub const SYS_STAT: Sysno = 4;
/// `fstat(2)`
pub const SYS_FSTAT: Sysno = 5;
/// `lstat(2)`
pub const SYS_LSTAT: Sysno = 6;
/// `poll(2)`
pub const SYS_POLL: Sysno = 7;
/// `lseek(2)`
pub const SYS_LSEEK: Sysno = 8;
/// `mmap(2)`
pub const SYS_MMAP: Sysno = 9;
/// `mprotect(2)`
pub const SYS_MPROTECT: Sysno = 10;
/// `munmap(2)`
pub const SYS_MUNMAP: Sysno = 11;
/// `brk(2)`
pub const SYS_BRK: Sysno = 12;
/// `rt_sigaction(2)`
pub const SYS_RT_SIGACTION: Sysno = 13;
/// `rt_sigprocmask(2)`
pub const SYS_RT_SIGPROCMASK: Sysno = 14;
/// `rt_sigreturn(2)`
pub const SYS_RT_SIGRETURN: Sysno = 15;
/// `ioctl(2)`
pub const SYS_IOCTL: Sysno = 16;
/// `pread64(2)`
pub const SYS_PREAD64: Sysno = 17;
/// `pwrite64(2)`
pub const SYS_PWRITE64: Sysno = 18;
/// `readv(2)`
pub const SYS_READV: Sysno = 19;
/// `writev(2)`
pub const SYS_WRITEV: Sysno = 20;
/// `access(2)`
pub const SYS_ACCESS: Sysno = 21;
/// `pipe(2)`
pub const SYS_PIPE: Sysno = 22;
/// `select(2)`
pub const SYS_SELECT: Sysno = 23;
/// `sched_yield(2)`
pub const SYS_SCHED_YIELD: Sysno = 24;
/// `mremap(2)`
pub const SYS_MREMAP: Sysno = 25;
/// `msync(2)`
pub const SYS_MSYNC: Sysno = 26;
/// `mincore(2)`
pub const SYS_MINCORE: Sysno = 27;
/// `madvise(2)`
pub const SYS_MADVISE: Sysno = 28;
/// `shmget(2)`
pub const SYS_SHMGET: Sysno = 29;
/// `shmat(2)`
pub const SYS_SHMAT: Sysno = 30;
/// `shmctl(2)`
pub const SYS_SHMCTL: Sysno = 31;
/// `dup(2)`
pub const SYS_DUP: Sysno = 32;
/// `dup2(2)`
pub const SYS_DUP2: Sysno = 33;
/// `pause(2)`
pub const SYS_PAUSE: Sysno = 34;
/// `nanosleep(2)`
pub const SYS_NANOSLEEP: Sysno = 35;
/// `getitimer(2)`
pub const SYS_GETITIMER: Sysno = 36;
/// `alarm(2)`
pub const SYS_ALARM: Sysno = 37;
/// `setitimer(2)`
pub const SYS_SETITIMER: Sysno = 38;
/// `getpid(2)`
pub const SYS_GETPID: Sysno = 39;
/// `sendfile(2)`
pub const SYS_SENDFILE: Sysno = 40;
/// `socket(2)`
pub const SYS_SOCKET: Sysno = 41;
/// `connect(2)`
pub const SYS_CONNECT: Sysno = 42;
/// `accept(2)`
pub const SYS_ACCEPT: Sysno = 43;
/// `sendto(2)`
pub const SYS_SENDTO: Sysno = 44;
/// `recvfrom(2)`
pub const SYS_RECVFROM: Sysno = 45;
/// `sendmsg(2)`
pub const SYS_SENDMSG: Sysno = 46;
/// `recvmsg(2)`
pub const SYS_RECVMSG: Sysno = 47;
/// `shutdown(2)`
pub const SYS_SHUTDOWN: Sysno = 48;
/// `bind(2)`
pub const SYS_BIND: Sysno = 49;
/// `listen(2)`
pub const SYS_LISTEN: Sysno = 50;
/// `getsockname(2)`
pub const SYS_GETSOCKNAME: Sysno = 51;
/// `getpeername(2)`
pub const SYS_GETPEERNAME: Sysno = 52;
/// `socketpair(2)`
pub const SYS_SOCKETPAIR: Sysno = 53;
/// `setsockopt(2)`
pub const SYS_SETSOCKOPT: Sysno = 54;
/// `getsockopt(2)`
pub const SYS_GETSOCKOPT: Sysno = 55;
/// `clone(2)`
pub const SYS_CLONE: Sysno = 56;
/// `fork(2)`
pub const SYS_FORK: Sysno = 57;
/// `vfork(2)`
pub const SYS_VFORK: Sysno = 58;
/// `execve(2)`
pub const SYS_EXECVE: Sysno = 59;
/// `exit(2)`
pub const SYS_EXIT: Sysno = 60;
/// `wait4(2)`
pub const SYS_WAIT4: Sysno = 61;
/// `kill(2)`
pub const SYS_KILL: Sysno = 62;
/// `uname(2)`
pub const SYS_UNAME: Sysno = 63;
/// `semget(2)`
pub const SYS_SEMGET: Sysno = 64;
/// `semop(2)`
pub const SYS_SEMOP: Sysno = 65;
/// `semctl(2)`
pub const SYS_SEMCTL: Sysno = 66;
/// `shmdt(2)`
pub const SYS_SHMDT: Sysno = 67;
/// `msgget(2)`
pub const SYS_MSGGET: Sysno = 68;
/// `msgsnd(2)`
pub const SYS_MSGSND: Sysno = 69;
/// `msgrcv(2)`
pub const SYS_MSGRCV: Sysno = 70;
/// `msgctl(2)`
pub const SYS_MSGCTL: Sysno = 71;
/// `fcntl(2)`
pub const SYS_FCNTL: Sysno = 72;
/// `flock(2)`
pub const SYS_FLOCK: Sysno = 73;
/// `fsync(2)`
pub const SYS_FSYNC: Sysno = 74;
/// `fdatasync(2)`
pub const SYS_FDATASYNC: Sysno = 75;
/// `truncate(2)`
pub const SYS_TRUNCATE: Sysno = 76;
/// `ftruncate(2)`
pub const SYS_FTRUNCATE: Sysno = 77;
/// `getdents(2)`
pub const SYS_GETDENTS: Sysno = 78;
/// `getcwd(2)`
pub const SYS_GETCWD: Sysno = 79;
/// `chdir(2)`
pub const SYS_CHDIR: Sysno = 80;
/// `fchdir(2)`
pub const SYS_FCHDIR: Sysno = 81;
/// `rename(2)`
pub const SYS_RENAME: Sysno = 82;
/// `mkdir(2)`
pub const SYS_MKDIR: Sysno = 83;
/// `rmdir(2)`
pub const SYS_RMDIR: Sysno = 84;
/// `creat(2)`
pub const SYS_CREAT: Sysno = 85;
/// `link(2)`
pub const SYS_LINK: Sysno = 86;
/// `unlink(2)`
pub const SYS_UNLINK: Sysno = 87;
/// `symlink(2)`
pub const SYS_SYMLINK: Sysno = 88;
/// `readlink(2)`
pub const SYS_READLINK: Sysno = 89;
/// `chmod(2)`
pub const SYS_CHMOD: Sysno = 90;
/// `fchmod(2)`
pub const SYS_FCHMOD: Sysno = 91;
/// `chown(2)`
pub const SYS_CHOWN: Sysno = 92;
/// `fchown(2)`
pub const SYS_FCHOWN: Sysno = 93;
/// `lchown(2)`
pub const SYS_LCHOWN: Sysno = 94;
/// `umask(2)`
pub const SYS_UMASK: Sysno = 95;
/// `gettimeofday(2)`
pub const SYS_GETTIMEOFDAY: Sysno = 96;
/// `getrlimit(2)`
pub const SYS_GETRLIMIT: Sysno = 97;
/// `getrusage(2)`
pub const SYS_GETRUSAGE: Sysno = 98;
/// `sysinfo(2)`
pub const SYS_SYSINFO: Sysno = 99;
/// `times(2)`
pub const SYS_TIMES: Sysno = 100;
/// `ptrace(2)`
pub const SYS_PTRACE: Sysno = 101;
/// `getuid(2)`
pub const SYS_GETUID: Sysno = 102;
/// `syslog(2)`
pub const SYS_SYSLOG: Sysno = 103;
/// `getgid(2)`
pub const SYS_GETGID: Sysno = 104;
/// `setuid(2)`
pub const SYS_SETUID: Sysno = 105;
/// `setgid(2)`
pub const SYS_SETGID: Sysno = 106;
/// `geteuid(2)`
pub const SYS_GETEUID: Sysno = 107;
/// `getegid(2)`
pub const SYS_GETEGID: Sysno = 108;
/// `setpgid(2)`
pub const SYS_SETPGID: Sysno = 109;
/// `getppid(2)`
pub const SYS_GETPPID: Sysno = 110;
/// `getpgrp(2)`
pub const SYS_GETPGRP: Sysno = 111;
/// `setsid(2)`
pub const SYS_SETSID: Sysno = 112;
/// `setreuid(2)`
pub const SYS_SETREUID: Sysno = 113;
/// `setregid(2)`
pub const SYS_SETREGID: Sysno = 114;
/// `getgroups(2)`
pub const SYS_GETGROUPS: Sysno = 115;
/// `setgroups(2)`
pub const SYS_SETGROUPS: Sysno = 116;
/// `setresuid(2)`
pub const SYS_SETRESUID: Sysno = 117;
/// `getresuid(2)`
pub const SYS_GETRESUID: Sysno = 118;
/// `setresgid(2)`
pub const SYS_SETRESGID: Sysno = 119;
/// `getresgid(2)`
pub const SYS_GETRESGID: Sysno = 120;
/// `getpgid(2)`
pub const SYS_GETPGID: Sysno = 121;
/// `setfsuid(2)`
pub const SYS_SETFSUID: Sysno = 122;
/// `setfsgid(2)`
pub const SYS_SETFSGID: Sysno = 123;
/// `getsid(2)`
pub const SYS_GETSID: Sysno = 124;
/// `capget(2)`
pub const SYS_CAPGET: Sysno = 125;
/// `capset(2)`
pub const SYS_CAPSET: Sysno = 126;
/// `rt_sigpending(2)`
pub const SYS_RT_SIGPENDING: Sysno = 127;
/// `rt_sigtimedwait(2)`
pub const SYS_RT_SIGTIMEDWAIT: Sysno = 128;
/// `rt_sigqueueinfo(2)`
pub const SYS_RT_SIGQUEUEINFO: Sysno = 129;
/// `rt_sigsuspend(2)`
pub const SYS_RT_SIGSUSPEND: Sysno = 130;
/// `sigaltstack(2)`
pub const SYS_SIGALTSTACK: Sysno = 131;
/// `utime(2)`
pub const SYS_UTIME: Sysno = 132;
/// `mknod(2)`
pub const SYS_MKNOD: Sysno = 133;
/// `uselib(2)`
pub const SYS_USELIB: Sysno = 134;
/// `personality(2)`
pub const SYS_PERSONALITY: Sysno = 135;
/// `ustat(2)`
pub const SYS_USTAT: Sysno = 136;
/// `statfs(2)`
pub const SYS_STATFS: Sysno = 137;
/// `fstatfs(2)`
pub const SYS_FSTATFS: Sysno = 138;
/// `sysfs(2)`
pub const SYS_SYSFS: Sysno = 139;
/// `getpriority(2)`
pub const SYS_GETPRIORITY: Sysno = 140;
/// `setpriority(2)`
pub const SYS_SETPRIORITY: Sysno = 141;
/// `sched_setparam(2)`
pub const SYS_SCHED_SETPARAM: Sysno = 142;
/// `sched_getparam(2)`
pub const SYS_SCHED_GETPARAM: Sysno = 143;
/// `sched_setscheduler(2)`
pub const SYS_SCHED_SETSCHEDULER: Sysno = 144;
/// `sched_getscheduler(2)`
pub const SYS_SCHED_GETSCHEDULER: Sysno = 145;
/// `sched_get_priority_max(2)`
pub const SYS_SCHED_GET_PRIORITY_MAX: Sysno = 146;
/// `sched_get_priority_min(2)`
pub const SYS_SCHED_GET_PRIORITY_MIN: Sysno = 147;
/// `sched_rr_get_interval(2)`
pub const SYS_SCHED_RR_GET_INTERVAL: Sysno = 148;
/// `mlock(2)`
pub const SYS_MLOCK: Sysno = 149;
/// `munlock(2)`
pub const SYS_MUNLOCK: Sysno = 150;
/// `mlockall(2)`
pub const SYS_MLOCKALL: Sysno = 151;
/// `munlockall(2)`
pub const SYS_MUNLOCKALL: Sysno = 152;
/// `vhangup(2)`
pub const SYS_VHANGUP: Sysno = 153;
/// `modify_ldt(2)`
pub const SYS_MODIFY_LDT: Sysno = 154;
/// `pivot_root(2)`
pub const SYS_PIVOT_ROOT: Sysno = 155;
/// `_sysctl(2)`
pub const SYS__SYSCTL: Sysno = 156;
/// `prctl(2)`
pub const SYS_PRCTL: Sysno = 157;
/// `arch_prctl(2)`
pub const SYS_ARCH_PRCTL: Sysno = 158;
/// `adjtimex(2)`
pub const SYS_ADJTIMEX: Sysno = 159;
/// `setrlimit(2)`
pub const SYS_SETRLIMIT: Sysno = 160;
/// `chroot(2)`
pub const SYS_CHROOT: Sysno = 161;
/// `sync(2)`
pub const SYS_SYNC: Sysno = 162;
/// `acct(2)`
pub const SYS_ACCT: Sysno = 163;
/// `settimeofday(2)`
pub const SYS_SETTIMEOFDAY: Sysno = 164;
/// `mount(2)`
pub const SYS_MOUNT: Sysno = 165;
/// `umount2(2)`
pub const SYS_UMOUNT2: Sysno = 166;
/// `swapon(2)`
pub const SYS_SWAPON: Sysno = 167;
/// `swapoff(2)`
pub const SYS_SWAPOFF: Sysno = 168;
/// `reboot(2)`
pub const SYS_REBOOT: Sysno = 169;
/// `sethostname(2)`
pub const SYS_SETHOSTNAME: Sysno = 170;
/// `setdomainname(2)`
pub const SYS_SETDOMAINNAME: Sysno = 171;
/// `iopl(2)`
pub const SYS_IOPL: Sysno = 172;
/// `ioperm(2)`
pub const SYS_IOPERM: Sysno = 173;
/// `create_module(2)`
pub const SYS_CREATE_MODULE: Sysno = 174;
/// `init_module(2)`
pub const SYS_INIT_MODULE: Sysno = 175;
/// `delete_module(2)`
pub const SYS_DELETE_MODULE: Sysno = 176;
/// `get_kernel_syms(2)`
pub const SYS_GET_KERNEL_SYMS: Sysno = 177;
/// `query_module(2)`
pub const SYS_QUERY_MODULE: Sysno = 178;
/// `quotactl(2)`
pub const SYS_QUOTACTL: Sysno = 179;
/// `nfsservctl(2)`
pub const SYS_NFSSERVCTL: Sysno = 180;
/// `getpmsg(2)`
pub const SYS_GETPMSG: Sysno = 181;
/// `putpmsg(2)`
pub const SYS_PUTPMSG: Sysno = 182;
/// `afs_syscall(2)`
pub const SYS_AFS_SYSCALL: Sysno = 183;
/// `tuxcall(2)`
pub const SYS_TUXCALL: Sysno = 184;
/// `security(2)`
pub const SYS_SECURITY: Sysno = 185;
/// `gettid(2)`
pub const SYS_GETTID: Sysno = 186;
/// `readahead(2)`
pub const SYS_READAHEAD: Sysno = 187;
/// `setxattr(2)`
pub const SYS_SETXATTR: Sysno = 188;
/// `lsetxattr(2)`
pub const SYS_LSETXATTR: Sysno = 189;
/// `fsetxattr(2)`
pub const SYS_FSETXATTR: Sysno = 190;
/// `getxattr(2)`
pub const SYS_GETXATTR: Sysno = 191;
/// `lgetxattr(2)`
pub const SYS_LGETXATTR: Sysno = 192;
/// `fgetxattr(2)`
pub const SYS_FGETXATTR: Sysno = 193;
/// `listxattr(2)`
pub const SYS_LISTXATTR: Sysno = 194;
/// `llistxattr(2)`
pub const SYS_LLISTXATTR: Sysno = 195;
/// `flistxattr(2)`
pub const SYS_FLISTXATTR: Sysno = 196;
/// `removexattr(2)`
pub const SYS_REMOVEXATTR: Sysno = 197;
/// `lremovexattr(2)`
pub const SYS_LREMOVEXATTR: Sysno = 198;
/// `fremovexattr(2)`
pub const SYS_FREMOVEXATTR: Sysno = 199;
/// `tkill(2)`
pub const SYS_TKILL: Sysno = 200;
/// `time(2)`
pub const SYS_TIME: Sysno = 201;
/// `futex(2)`
pub const SYS_FUTEX: Sysno = 202;
/// `sched_setaffinity(2)`
pub const SYS_SCHED_SETAFFINITY: Sysno = 203;
/// `sched_getaffinity(2)`
pub const SYS_SCHED_GETAFFINITY: Sysno = 204;
/// `set_thread_area(2)`
pub const SYS_SET_THREAD_AREA: Sysno = 205;
/// `io_setup(2)`
pub const SYS_IO_SETUP: Sysno = 206;
/// `io_destroy(2)`
pub const SYS_IO_DESTROY: Sysno = 207;
/// `io_getevents(2)`
pub const SYS_IO_GETEVENTS: Sysno = 208;
/// `io_submit(2)`
pub const SYS_IO_SUBMIT: Sysno = 209;
/// `io_cancel(2)`
pub const SYS_IO_CANCEL: Sysno = 210;
/// `get_thread_area(2)`
pub const SYS_GET_THREAD_AREA: Sysno = 211;
/// `lookup_dcookie(2)`
pub const SYS_LOOKUP_DCOOKIE: Sysno = 212;
/// `epoll_create(2)`
pub const SYS_EPOLL_CREATE: Sysno = 213;
/// `epoll_ctl_old(2)`
pub const SYS_EPOLL_CTL_OLD: Sysno = 214;
/// `epoll_wait_old(2)`
pub const SYS_EPOLL_WAIT_OLD: Sysno = 215;
/// `remap_file_pages(2)`
pub const SYS_REMAP_FILE_PAGES: Sysno = 216;
/// `getdents64(2)`
pub const SYS_GETDENTS64: Sysno = 217;
/// `set_tid_address(2)`
pub const SYS_SET_TID_ADDRESS: Sysno = 218;
/// `restart_syscall(2)`
pub const SYS_RESTART_SYSCALL: Sysno = 219;
/// `semtimedop(2)`
pub const SYS_SEMTIMEDOP: Sysno = 220;
/// `fadvise64(2)`
pub const SYS_FADVISE64: Sysno = 221;
/// `timer_create(2)`
pub const SYS_TIMER_CREATE: Sysno = 222;
/// `timer_settime(2)`
pub const SYS_TIMER_SETTIME: Sysno = 223;
/// `timer_gettime(2)`
pub const SYS_TIMER_GETTIME: Sysno = 224;
/// `timer_getoverrun(2)`
pub const SYS_TIMER_GETOVERRUN: Sysno = 225;
/// `timer_delete(2)`
pub const SYS_TIMER_DELETE: Sysno = 226;
/// `clock_settime(2)`
pub const SYS_CLOCK_SETTIME: Sysno = 227;
/// `clock_gettime(2)`
pub const SYS_CLOCK_GETTIME: Sysno = 228;
/// `clock_getres(2)`
pub const SYS_CLOCK_GETRES: Sysno = 229;
/// `clock_nanosleep(2)`
pub const SYS_CLOCK_NANOSLEEP: Sysno = 230;
/// `exit_group(2)`
pub const SYS_EXIT_GROUP: Sysno = 231;
/// `epoll_wait(2)`
pub const SYS_EPOLL_WAIT: Sysno = 232;
/// `epoll_ctl(2)`
pub const SYS_EPOLL_CTL: Sysno = 233;
/// `tgkill(2)`
pub const SYS_TGKILL: Sysno = 234;
/// `utimes(2)`
pub const SYS_UTIMES: Sysno = 235;
/// `vserver(2)`
pub const SYS_VSERVER: Sysno = 236;
/// `mbind(2)`
pub const SYS_MBIND: Sysno = 237;
/// `set_mempolicy(2)`
pub const SYS_SET_MEMPOLICY: Sysno = 238;
/// `get_mempolicy(2)`
pub const SYS_GET_MEMPOLICY: Sysno = 239;
/// `mq_open(2)`
pub const SYS_MQ_OPEN: Sysno = 240;
/// `mq_unlink(2)`
pub const SYS_MQ_UNLINK: Sysno = 241;
/// `mq_timedsend(2)`
pub const SYS_MQ_TIMEDSEND: Sysno = 242;
/// `mq_timedreceive(2)`
pub const SYS_MQ_TIMEDRECEIVE: Sysno = 243;
/// `mq_notify(2)`
pub const SYS_MQ_NOTIFY: Sysno = 244;
/// `mq_getsetattr(2)`
pub const SYS_MQ_GETSETATTR: Sysno = 245;
/// `kexec_load(2)`
pub const SYS_KEXEC_LOAD: Sysno = 246;
/// `waitid(2)`
pub const SYS_WAITID: Sysno = 247;
/// `add_key(2)`
pub const SYS_ADD_KEY: Sysno = 248;
/// `request_key(2)`
pub const SYS_REQUEST_KEY: Sysno = 249;
/// `keyctl(2)`
pub const SYS_KEYCTL: Sysno = 250;
/// `ioprio_set(2)`
pub const SYS_IOPRIO_SET: Sysno = 251;
/// `ioprio_get(2)`
pub const SYS_IOPRIO_GET: Sysno = 252;
/// `inotify_init(2)`
pub const SYS_INOTIFY_INIT: Sysno = 253;
/// `inotify_add_watch(2)`
pub const SYS_INOTIFY_ADD_WATCH: Sysno = 254;
/// `inotify_rm_watch(2)`
pub const SYS_INOTIFY_RM_WATCH: Sysno = 255;
/// `migrate_pages(2)`
pub const SYS_MIGRATE_PAGES: Sysno = 256;
/// `openat(2)`
pub const SYS_OPENAT: Sysno = 257;
/// `mkdirat(2)`
pub const SYS_MKDIRAT: Sysno = 258;
/// `mknodat(2)`
pub const SYS_MKNODAT: Sysno = 259;
/// `fchownat(2)`
pub const SYS_FCHOWNAT: Sysno = 260;
/// `futimesat(2)`
pub const SYS_FUTIMESAT: Sysno = 261;
/// `newfstatat(2)`
pub const SYS_NEWFSTATAT: Sysno = 262;
/// `unlinkat(2)`
pub const SYS_UNLINKAT: Sysno = 263;
/// `renameat(2)`
pub const SYS_RENAMEAT: Sysno = 264;
/// `linkat(2)`
pub const SYS_LINKAT: Sysno = 265;
/// `symlinkat(2)`
pub const SYS_SYMLINKAT: Sysno = 266;
/// `readlinkat(2)`
pub const SYS_READLINKAT: Sysno = 267;
/// `fchmodat(2)`
pub const SYS_FCHMODAT: Sysno = 268;
/// `faccessat(2)`
pub const SYS_FACCESSAT: Sysno = 269;
/// `pselect6(2)`
pub const SYS_PSELECT6: Sysno = 270;
/// `ppoll(2)`
pub const SYS_PPOLL: Sysno = 271;
/// `unshare(2)`
pub const SYS_UNSHARE: Sysno = 272;
/// `set_robust_list(2)`
pub const SYS_SET_ROBUST_LIST: Sysno = 273;
/// `get_robust_list(2)`
pub const SYS_GET_ROBUST_LIST: Sysno = 274;
/// `splice(2)`
pub const SYS_SPLICE: Sysno = 275;
/// `tee(2)`
pub const SYS_TEE: Sysno = 276;
/// `sync_file_range(2)`
pub const SYS_SYNC_FILE_RANGE: Sysno = 277;
/// `vmsplice(2)`
pub const SYS_VMSPLICE: Sysno = 278;
/// `move_pages(2)`
pub const SYS_MOVE_PAGES: Sysno = 279;
/// `utimensat(2)`
pub const SYS_UTIMENSAT: Sysno = 280;
/// `epoll_pwait(2)`
pub const SYS_EPOLL_PWAIT: Sysno = 281;
/// `signalfd(2)`
pub const SYS_SIGNALFD: Sysno = 282;
/// `timerfd_create(2)`
pub const SYS_TIMERFD_CREATE: Sysno = 283;
/// `eventfd(2)`
pub const SYS_EVENTFD: Sysno = 284;
/// `fallocate(2)`
pub const SYS_FALLOCATE: Sysno = 285;
/// `timerfd_settime(2)`
pub const SYS_TIMERFD_SETTIME: Sysno = 286;
/// `timerfd_gettime(2)`
pub const SYS_TIMERFD_GETTIME: Sysno = 287;
/// `accept4(2)`
pub const SYS_ACCEPT4: Sysno = 288;
/// `signalfd4(2)`
pub const SYS_SIGNALFD4: Sysno = 289;
/// `eventfd2(2)`
pub const SYS_EVENTFD2: Sysno = 290;
/// `epoll_create1(2)`
pub const SYS_EPOLL_CREATE1: Sysno = 291;
/// `dup3(2)`
pub const SYS_DUP3: Sysno = 292;
/// `pipe2(2)`
pub const SYS_PIPE2: Sysno = 293;
/// `inotify_init1(2)`
pub const SYS_INOTIFY_INIT1: Sysno = 294;
/// `preadv(2)`
pub const SYS_PREADV: Sysno = 295;
/// `pwritev(2)`
pub const SYS_PWRITEV: Sysno = 296;
/// `rt_tgsigqueueinfo(2)`
pub const SYS_RT_TGSIGQUEUEINFO: Sysno = 297;
/// `perf_event_open(2)`
pub const SYS_PERF_EVENT_OPEN: Sysno = 298;
/// `recvmmsg(2)`
pub const SYS_RECVMMSG: Sysno = 299;
/// `fanotify_init(2)`
pub const SYS_FANOTIFY_INIT: Sysno = 300;
/// `fanotify_mark(2)`
pub const SYS_FANOTIFY_MARK: Sysno = 301;
/// `prlimit64(2)`
pub const SYS_PRLIMIT64: Sysno = 302;
/// `name_to_handle_at(2)`
pub const SYS_NAME_TO_HANDLE_AT: Sysno = 303;
/// `open_by_handle_at(2)`
pub const SYS_OPEN_BY_HANDLE_AT: Sysno = 304;
/// `clock_adjtime(2)`
pub const SYS_CLOCK_ADJTIME: Sysno = 305;
/// `syncfs(2)`
pub const SYS_SYNCFS: Sysno = 306;
/// `sendmmsg(2)`
pub const SYS_SENDMMSG: Sysno = 307;
/// `setns(2)`
pub const SYS_SETNS: Sysno = 308;
/// `getcpu(2)`
pub const SYS_GETCPU: Sysno = 309;
/// `process_vm_readv(2)`
pub const SYS_PROCESS_VM_READV: Sysno = 310;
/// `process_vm_writev(2)`
pub const SYS_PROCESS_VM_WRITEV: Sysno = 311;
/// `kcmp(2)`
pub const SYS_KCMP: Sysno = 312;
/// `finit_module(2)`
pub const SYS_FINIT_MODULE: Sysno = 313;
/// `sched_setattr(2)`
pub const SYS_SCHED_SETATTR: Sysno = 314;
/// `sched_getattr(2)`
pub const SYS_SCHED_GETATTR: Sysno = 315;
/// `renameat2(2)`
pub const SYS_RENAMEAT2: Sysno = 316;
/// `seccomp(2)`
pub const SYS_SECCOMP: Sysno = 317;
/// `getrandom(2)`
pub const SYS_GETRANDOM: Sysno = 318;
/// `memfd_create(2)`
pub const SYS_MEMFD_CREATE: Sysno = 319;
/// `kexec_file_load(2)`
pub const SYS_KEXEC_FILE_LOAD: Sysno = 320;
/// `bpf(2)`
pub const SYS_BPF: Sysno = 321;
/// `execveat(2)`
pub const SYS_EXECVEAT: Sysno = 322;
/// `userfaultfd(2)`
pub const SYS_USERFAULTFD: Sysno = 323;
/// `membarrier(2)`
pub const SYS_MEMBARRIER: Sysno = 324;
/// `mlock2(2)`
pub const SYS_MLOCK2: Sysno = 325;
/// `copy_file_range(2)`
pub const SYS_COPY_FILE_RANGE: Sysno = 326;
/// `preadv2(2)`
pub const SYS_PREADV2: Sysno = 327;
/// `pwritev2(2)`
pub const SYS_PWRITEV2: Sysno = 328;
/// `pkey_mprotect(2)`
pub const SYS_PKEY_MPROTECT: Sysno = 329;
/// `pkey_alloc(2)`
pub const SYS_PKEY_ALLOC: Sysno = 330;
/// `pkey_free(2)`
pub const SYS_PKEY_FREE: Sysno = 331;
/// `statx(2)`
pub const SYS_STATX: Sysno = 332;
/// `io_pgetevents(2)`
pub const SYS_IO_PGETEVENTS: Sysno = 333;
/// `rseq(2)`
pub const SYS_RSEQ: Sysno = 334;
/// `pidfd_send_signal(2)`
pub const SYS_PIDFD_SEND_SIGNAL: Sysno = 424;
/// `io_uring_setup(2)`
pub const SYS_IO_URING_SETUP: Sysno = 425;
/// `io_uring_enter(2)`
pub const SYS_IO_URING_ENTER: Sysno = 426;
/// `io_uring_register(2)`
pub const SYS_IO_URING_REGISTER: Sysno = 427;
/// `open_tree(2)`
pub const SYS_OPEN_TREE: Sysno = 428;
/// `move_mount(2)`
pub const SYS_MOVE_MOUNT: Sysno = 429;
/// `fsopen(2)`
pub const SYS_FSOPEN: Sysno = 430;
/// `fsconfig(2)`
pub const SYS_FSCONFIG: Sysno = 431;
/// `fsmount(2)`
pub const SYS_FSMOUNT: Sysno = 432;
/// `fspick(2)`
pub const SYS_FSPICK: Sysno = 433;
/// `pidfd_open(2)`
pub const SYS_PIDFD_OPEN: Sysno = 434;
/// `clone3(2)`
pub const SYS_CLONE3: Sysno = 435;
/// `close_range(2)`
pub const SYS_CLOSE_RANGE: Sysno = 436;
/// `openat2(2)`
pub const SYS_OPENAT2: Sysno = 437;
/// `pidfd_getfd(2)`
pub const SYS_PIDFD_GETFD: Sysno = 438;
/// `faccessat2(2)`
pub const SYS_FACCESSAT2: Sysno = 439;
/// `process_madvise(2)`
pub const SYS_PROCESS_MADVISE: Sysno = 440;
/// `epoll_pwait2(2)`
pub const SYS_EPOLL_PWAIT2: Sysno = 441;
/// `mount_setattr(2)`
pub const SYS_MOUNT_SETATTR: Sysno = 442;
/// `quotactl_fd(2)`
pub const SYS_QUOTACTL_FD: Sysno = 443;
/// `landlock_create_ruleset(2)`
pub const SYS_LANDLOCK_CREATE_RULESET: Sysno = 444;
/// `landlock_add_rule(2)`
pub const SYS_LANDLOCK_ADD_RULE: Sysno = 445;
/// `landlock_restrict_self(2)`
pub const SYS_LANDLOCK_RESTRICT_SELF: Sysno = 446;
/// `memfd_secret(2)`
pub const SYS_MEMFD_SECRET: Sysno = 447;
/// `process_mrelease(2)`
pub const SYS_PROCESS_MRELEASE: Sysno = 448;
/// `futex_waitv(2)`
pub const SYS_FUTEX_WAITV: Sysno = 449;
/// `set_mempolicy_home_node(2)`
pub const SYS_SET_MEMPOLICY_HOME_NODE: Sysno = 450;

/// Every known system call, `(number, name)`, sorted by number.
pub const ALL: &[(Sysno, &str)] = &[
    (0, "read"),
    (1, "write"),
    (2, "open"),
    (3, "close"),
    (4, "stat"),
    (5, "fstat"),
    (6, "lstat"),
    (7, "poll"),
    (8, "lseek"),
    (9, "mmap"),
    (10, "mprotect"),
    (11, "munmap"),
    (12, "brk"),
    (13, "rt_sigaction"),
    (14, "rt_sigprocmask"),
    (15, "rt_sigreturn"),
    (16, "ioctl"),
    (17, "pread64"),
    (18, "pwrite64"),
    (19, "readv"),
    (20, "writev"),
    (21, "access"),
    (22, "pipe"),
    (23, "select"),
    (24, "sched_yield"),
    (25, "mremap"),
    (26, "msync"),
    (27, "mincore"),
    (28, "madvise"),
    (29, "shmget"),
    (30, "shmat"),
    (31, "shmctl"),
    (32, "dup"),
    (33, "dup2"),
    (34, "pause"),
    (35, "nanosleep"),
    (36, "getitimer"),
    (37, "alarm"),
    (38, "setitimer"),
    (39, "getpid"),
    (40, "sendfile"),
    (41, "socket"),
    (42, "connect"),
    (43, "accept"),
    (44, "sendto"),
    (45, "recvfrom"),
    (46, "sendmsg"),
    (47, "recvmsg"),
    (48, "shutdown"),
    (49, "bind"),
    (50, "listen"),
    (51, "getsockname"),
    (52, "getpeername"),
    (53, "socketpair"),
    (54, "setsockopt"),
    (55, "getsockopt"),
    (56, "clone"),
    (57, "fork"),
    (58, "vfork"),
    (59, "execve"),
    (60, "exit"),
    (61, "wait4"),
    (62, "kill"),
    (63, "uname"),
    (64, "semget"),
    (65, "semop"),
    (66, "semctl"),
    (67, "shmdt"),
    (68, "msgget"),
    (69, "msgsnd"),
    (70, "msgrcv"),
    (71, "msgctl"),
    (72, "fcntl"),
    (73, "flock"),
    (74, "fsync"),
    (75, "fdatasync"),
    (76, "truncate"),
    (77, "ftruncate"),
    (78, "getdents"),
    (79, "getcwd"),
    (80, "chdir"),
    (81, "fchdir"),
    (82, "rename"),
    (83, "mkdir"),
    (84, "rmdir"),
    (85, "creat"),
    (86, "link"),
    (87, "unlink"),
    (88, "symlink"),
    (89, "readlink"),
    (90, "chmod"),
    (91, "fchmod"),
    (92, "chown"),
    (93, "fchown"),
    (94, "lchown"),
    (95, "umask"),
    (96, "gettimeofday"),
    (97, "getrlimit"),
    (98, "getrusage"),
    (99, "sysinfo"),
    (100, "times"),
    (101, "ptrace"),
    (102, "getuid"),
    (103, "syslog"),
    (104, "getgid"),
    (105, "setuid"),
    (106, "setgid"),
    (107, "geteuid"),
    (108, "getegid"),
    (109, "setpgid"),
    (110, "getppid"),
    (111, "getpgrp"),
    (112, "setsid"),
    (113, "setreuid"),
    (114, "setregid"),
    (115, "getgroups"),
    (116, "setgroups"),
    (117, "setresuid"),
    (118, "getresuid"),
    (119, "setresgid"),
    (120, "getresgid"),
    (121, "getpgid"),
    (122, "setfsuid"),
    (123, "setfsgid"),
    (124, "getsid"),
    (125, "capget"),
    (126, "capset"),
    (127, "rt_sigpending"),
    (128, "rt_sigtimedwait"),
    (129, "rt_sigqueueinfo"),
    (130, "rt_sigsuspend"),
    (131, "sigaltstack"),
    (132, "utime"),
    (133, "mknod"),
    (134, "uselib"),
    (135, "personality"),
    (136, "ustat"),
    (137, "statfs"),
    (138, "fstatfs"),
    (139, "sysfs"),
    (140, "getpriority"),
    (141, "setpriority"),
    (142, "sched_setparam"),
    (143, "sched_getparam"),
    (144, "sched_setscheduler"),
    (145, "sched_getscheduler"),
    (146, "sched_get_priority_max"),
    (147, "sched_get_priority_min"),
    (148, "sched_rr_get_interval"),
    (149, "mlock"),
    (150, "munlock"),
    (151, "mlockall"),
    (152, "munlockall"),
    (153, "vhangup"),
    (154, "modify_ldt"),
    (155, "pivot_root"),
    (156, "_sysctl"),
    (157, "prctl"),
    (158, "arch_prctl"),
    (159, "adjtimex"),
    (160, "setrlimit"),
    (161, "chroot"),
    (162, "sync"),
    (163, "acct"),
    (164, "settimeofday"),
    (165, "mount"),
    (166, "umount2"),
    (167, "swapon"),
    (168, "swapoff"),
    (169, "reboot"),
    (170, "sethostname"),
    (171, "setdomainname"),
    (172, "iopl"),
    (173, "ioperm"),
    (174, "create_module"),
    (175, "init_module"),
    (176, "delete_module"),
    (177, "get_kernel_syms"),
    (178, "query_module"),
    (179, "quotactl"),
    (180, "nfsservctl"),
    (181, "getpmsg"),
    (182, "putpmsg"),
    (183, "afs_syscall"),
    (184, "tuxcall"),
    (185, "security"),
    (186, "gettid"),
    (187, "readahead"),
    (188, "setxattr"),
    (189, "lsetxattr"),
    (190, "fsetxattr"),
    (191, "getxattr"),
    (192, "lgetxattr"),
    (193, "fgetxattr"),
    (194, "listxattr"),
    (195, "llistxattr"),
    (196, "flistxattr"),
    (197, "removexattr"),
    (198, "lremovexattr"),
    (199, "fremovexattr"),
    (200, "tkill"),
    (201, "time"),
    (202, "futex"),
    (203, "sched_setaffinity"),
    (204, "sched_getaffinity"),
    (205, "set_thread_area"),
    (206, "io_setup"),
    (207, "io_destroy"),
    (208, "io_getevents"),
    (209, "io_submit"),
    (210, "io_cancel"),
    (211, "get_thread_area"),
    (212, "lookup_dcookie"),
    (213, "epoll_create"),
    (214, "epoll_ctl_old"),
    (215, "epoll_wait_old"),
    (216, "remap_file_pages"),
    (217, "getdents64"),
    (218, "set_tid_address"),
    (219, "restart_syscall"),
    (220, "semtimedop"),
    (221, "fadvise64"),
    (222, "timer_create"),
    (223, "timer_settime"),
    (224, "timer_gettime"),
    (225, "timer_getoverrun"),
    (226, "timer_delete"),
    (227, "clock_settime"),
    (228, "clock_gettime"),
    (229, "clock_getres"),
    (230, "clock_nanosleep"),
    (231, "exit_group"),
    (232, "epoll_wait"),
    (233, "epoll_ctl"),
    (234, "tgkill"),
    (235, "utimes"),
    (236, "vserver"),
    (237, "mbind"),
    (238, "set_mempolicy"),
    (239, "get_mempolicy"),
    (240, "mq_open"),
    (241, "mq_unlink"),
    (242, "mq_timedsend"),
    (243, "mq_timedreceive"),
    (244, "mq_notify"),
    (245, "mq_getsetattr"),
    (246, "kexec_load"),
    (247, "waitid"),
    (248, "add_key"),
    (249, "request_key"),
    (250, "keyctl"),
    (251, "ioprio_set"),
    (252, "ioprio_get"),
    (253, "inotify_init"),
    (254, "inotify_add_watch"),
    (255, "inotify_rm_watch"),
    (256, "migrate_pages"),
    (257, "openat"),
    (258, "mkdirat"),
    (259, "mknodat"),
    (260, "fchownat"),
    (261, "futimesat"),
    (262, "newfstatat"),
    (263, "unlinkat"),
    (264, "renameat"),
    (265, "linkat"),
    (266, "symlinkat"),
    (267, "readlinkat"),
    (268, "fchmodat"),
    (269, "faccessat"),
    (270, "pselect6"),
    (271, "ppoll"),
    (272, "unshare"),
    (273, "set_robust_list"),
    (274, "get_robust_list"),
    (275, "splice"),
    (276, "tee"),
    (277, "sync_file_range"),
    (278, "vmsplice"),
    (279, "move_pages"),
    (280, "utimensat"),
    (281, "epoll_pwait"),
    (282, "signalfd"),
    (283, "timerfd_create"),
    (284, "eventfd"),
    (285, "fallocate"),
    (286, "timerfd_settime"),
    (287, "timerfd_gettime"),
    (288, "accept4"),
    (289, "signalfd4"),
    (290, "eventfd2"),
    (291, "epoll_create1"),
    (292, "dup3"),
    (293, "pipe2"),
    (294, "inotify_init1"),
    (295, "preadv"),
    (296, "pwritev"),
    (297, "rt_tgsigqueueinfo"),
    (298, "perf_event_open"),
    (299, "recvmmsg"),
    (300, "fanotify_init"),
    (301, "fanotify_mark"),
    (302, "prlimit64"),
    (303, "name_to_handle_at"),
    (304, "open_by_handle_at"),
    (305, "clock_adjtime"),
    (306, "syncfs"),
    (307, "sendmmsg"),
    (308, "setns"),
    (309, "getcpu"),
    (310, "process_vm_readv"),
    (311, "process_vm_writev"),
    (312, "kcmp"),
    (313, "finit_module"),
    (314, "sched_setattr"),
    (315, "sched_getattr"),
    (316, "renameat2"),
    (317, "seccomp"),
    (318, "getrandom"),
    (319, "memfd_create"),
    (320, "kexec_file_load"),
    (321, "bpf"),
    (322, "execveat"),
    (323, "userfaultfd"),
    (324, "membarrier"),
    (325, "mlock2"),
    (326, "copy_file_range"),
    (327, "preadv2"),
    (328, "pwritev2"),
    (329, "pkey_mprotect"),
    (330, "pkey_alloc"),
    (331, "pkey_free"),
    (332, "statx"),
    (333, "io_pgetevents"),
    (334, "rseq"),
    (424, "pidfd_send_signal"),
    (425, "io_uring_setup"),
    (426, "io_uring_enter"),
    (427, "io_uring_register"),
    (428, "open_tree"),
    (429, "move_mount"),
    (430, "fsopen"),
    (431, "fsconfig"),
    (432, "fsmount"),
    (433, "fspick"),
    (434, "pidfd_open"),
    (435, "clone3"),
    (436, "close_range"),
    (437, "openat2"),
    (438, "pidfd_getfd"),
    (439, "faccessat2"),
    (440, "process_madvise"),
    (441, "epoll_pwait2"),
    (442, "mount_setattr"),
    (443, "quotactl_fd"),
    (444, "landlock_create_ruleset"),
    (445, "landlock_add_rule"),
    (446, "landlock_restrict_self"),
    (447, "memfd_secret"),
    (448, "process_mrelease"),
    (449, "futex_waitv"),
    (450, "set_mempolicy_home_node"),
];

/// The highest system call number known.
pub const MAX: Sysno = 450;

/// The name of system call `nr`, if it is known.
pub fn name(nr: Sysno) -> Option<&'static str> {
    ALL.binary_search_by_key(&nr, |&(n, _)| n).ok().map(|i| ALL[i].1)
}
