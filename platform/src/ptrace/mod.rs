//! The ptrace platform: each guest thread is a stub process stopped at every
//! system call by PTRACE_SYSEMU, so the host never executes the guest's syscalls.
//!
//! Memory-map changes are host syscalls *injected* into the stub: the Sentry points
//! the stub's registers at the trampoline (`syscall; int3`), resumes it and reads the
//! result at the `int3` stop. The stub's seccomp filter allows host syscalls only from
//! that trampoline, and only the few calls the Sentry injects.
//!
//! Threading rule (ptrace's, not ours): only the host thread that spawned a stub may
//! trace it, so a [`PtraceContext`] and its [`StubProcess`] must be used from the
//! thread that created them.

mod stub;

use std::fs;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use sbx_abi::Errno;

pub use stub::{STUB_ADDR, STUB_SIZE};

use crate::{AddressSpace, Context, Exit, Platform, PlatformError, Regs, SigInfo};

/// The fd number of the memory file inside the stub.
const STUB_MEMFD: i32 = 3;
/// The fd number of the stub image while it is being executed (close-on-exec).
const STUB_IMAGE_FD: i32 = 4;

/// `NT_X86_XSTATE`: the regset holding the XSAVE area.
const NT_X86_XSTATE: libc::c_int = 0x202;
/// Largest XSAVE area accepted (AMX-capable CPUs need about 11 KiB).
const XSTATE_MAX: usize = 16384;

/// The ptrace backend.
pub struct PtracePlatform {
    image: OwnedFd,
    /// Set once the host refused new namespaces, so the warning is logged once.
    no_namespaces: AtomicBool,
}

impl PtracePlatform {
    /// Prepares the stub image (a sealed memfd).
    pub fn new() -> Result<Self, PlatformError> {
        let image = memfd_create(c"sbx-stub", MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING)
            .map_err(PlatformError::host("memfd_create(stub)"))?;
        let bytes = stub::image();
        nix::unistd::write(&image, &bytes).map_err(PlatformError::host("write(stub image)"))?;
        let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
        nix::fcntl::fcntl(
            image.as_raw_fd(),
            nix::fcntl::FcntlArg::F_ADD_SEALS(nix::fcntl::SealFlag::from_bits_truncate(seals)),
        )
        .map_err(PlatformError::host("seal stub image"))?;
        Ok(PtracePlatform { image, no_namespaces: AtomicBool::new(false) })
    }

    fn clone_stub(&self, memfd: BorrowedFd<'_>) -> Result<Pid, PlatformError> {
        let ns = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWPID;
        if !self.no_namespaces.load(Ordering::Relaxed) {
            match spawn_raw(ns, memfd.as_raw_fd(), self.image.as_raw_fd()) {
                Ok(pid) => return Ok(pid),
                Err(e @ (nix::Error::EPERM | nix::Error::EINVAL | nix::Error::ENOSPC | nix::Error::EUSERS)) => {
                    tracing::warn!("the host refused new namespaces for the stub ({e}); running it without them");
                    self.no_namespaces.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(PlatformError::Host { what: "clone(stub)", source: e }),
            }
        }
        spawn_raw(0, memfd.as_raw_fd(), self.image.as_raw_fd()).map_err(PlatformError::host("clone(stub)"))
    }
}

/// Forks the stub with raw `clone` (the child runs only async-signal-safe syscalls
/// until it executes the stub image).
fn spawn_raw(ns_flags: i32, memfd: i32, image: i32) -> Result<Pid, nix::Error> {
    // SAFETY: a raw clone without CLONE_VM behaves like fork: the child gets a copy of
    // this address space and runs `stub_child`, which makes only raw syscalls and never
    // returns, so no Rust state of the copy is observed or unwound.
    let r = unsafe {
        libc::syscall(libc::SYS_clone, (ns_flags | libc::SIGCHLD) as libc::c_ulong, 0usize, 0usize, 0usize, 0usize)
    };
    match r {
        -1 => Err(nix::Error::last()),
        0 => stub_child(memfd, image),
        pid => Ok(Pid::from_raw(pid as i32)),
    }
}

/// The child side of [`spawn_raw`]: drop every host fd but the memory file, ask to be
/// traced, stop, and execute the stub image.
fn stub_child(memfd: i32, image: i32) -> ! {
    static ARGV0: &[u8] = b"sbx-stub\0";
    // SAFETY: only raw syscalls on plain integers and static data; this process is a
    // fresh copy that exits or execs at the end.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0);
        let m = libc::fcntl(memfd, libc::F_DUPFD, 100);
        let s = libc::fcntl(image, libc::F_DUPFD, 100);
        if m < 0 || s < 0 || libc::dup2(m, STUB_MEMFD) < 0 || libc::dup2(s, STUB_IMAGE_FD) < 0 {
            libc::_exit(126);
        }
        libc::fcntl(STUB_IMAGE_FD, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::syscall(libc::SYS_close_range, 0u32, 2u32, 0u32);
        libc::syscall(libc::SYS_close_range, (STUB_IMAGE_FD + 1) as u32, u32::MAX, 0u32);
        if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) < 0 {
            libc::_exit(126);
        }
        libc::kill(libc::getpid(), libc::SIGSTOP);
        let argv: [*const libc::c_char; 2] = [ARGV0.as_ptr().cast(), std::ptr::null()];
        let envp: [*const libc::c_char; 1] = [std::ptr::null()];
        libc::syscall(
            libc::SYS_execveat,
            STUB_IMAGE_FD,
            c"".as_ptr(),
            argv.as_ptr(),
            envp.as_ptr(),
            libc::AT_EMPTY_PATH,
        );
        libc::_exit(127);
    }
}

impl Platform for PtracePlatform {
    fn new_process(&self, memfd: BorrowedFd<'_>) -> Result<crate::NewProcess, PlatformError> {
        let pid = self.clone_stub(memfd)?;
        let stub = Arc::new(StubProcess { pid });
        // From here on, dropping `stub` kills the process.
        match waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(PlatformError::host("waitpid(stub)"))? {
            WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
            other => return Err(PlatformError::StubDied(format!("stub did not stop: {other:?}"))),
        }
        let opts = ptrace::Options::PTRACE_O_EXITKILL
            | ptrace::Options::PTRACE_O_TRACESYSGOOD
            | ptrace::Options::PTRACE_O_TRACEEXEC;
        ptrace::setoptions(pid, opts).map_err(PlatformError::host("PTRACE_SETOPTIONS"))?;
        ptrace::cont(pid, None).map_err(PlatformError::host("PTRACE_CONT"))?;
        match waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(PlatformError::host("waitpid(stub)"))? {
            WaitStatus::PtraceEvent(_, Signal::SIGTRAP, libc::PTRACE_EVENT_EXEC) => {}
            other => return Err(PlatformError::StubDied(format!("stub did not exec: {other:?}"))),
        }
        // The exec stop is inside execve, whose return would overwrite rax: let the stub
        // run to the `int3` at its entry point so that later injections start clean.
        ptrace::cont(pid, None).map_err(PlatformError::host("PTRACE_CONT"))?;
        match waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(PlatformError::host("waitpid(stub)"))? {
            WaitStatus::Stopped(_, Signal::SIGTRAP) => {}
            other => return Err(PlatformError::StubDied(format!("stub did not reach its entry: {other:?}"))),
        }
        stub.setup()?;
        let ctx = PtraceContext { stub: stub.clone() };
        Ok((stub, Box::new(ctx)))
    }

    fn name(&self) -> &'static str {
        "ptrace"
    }
}

/// A stub process: one guest address space (and, for now, its only thread).
pub struct StubProcess {
    pid: Pid,
}

impl StubProcess {
    /// Readies a freshly executed stub: names it, unmaps everything the host put in its
    /// address space except the stub page, and installs its seccomp filter.
    fn setup(&self) -> Result<(), PlatformError> {
        self.inject("prctl(PR_SET_NAME)", libc::SYS_prctl, [libc::PR_SET_NAME as u64, stub::NAME_ADDR, 0, 0, 0, 0])?;
        let maps = fs::read_to_string(format!("/proc/{}/maps", self.pid))
            .map_err(|e| PlatformError::StubDied(format!("reading the stub's maps: {e}")))?;
        for line in maps.lines() {
            let Some((range, _)) = line.split_once(' ') else {
                continue;
            };
            let Some((a, b)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) else {
                continue;
            };
            if start == STUB_ADDR || start >= 0x8000_0000_0000 {
                continue; // the stub itself; [vsyscall] is not in the user range
            }
            self.inject("munmap", libc::SYS_munmap, [start, end - start, 0, 0, 0, 0])?;
        }
        self.inject("prctl(PR_SET_NO_NEW_PRIVS)", libc::SYS_prctl, [libc::PR_SET_NO_NEW_PRIVS as u64, 1, 0, 0, 0, 0])?;
        self.inject(
            "prctl(PR_SET_SECCOMP)",
            libc::SYS_prctl,
            [libc::PR_SET_SECCOMP as u64, libc::SECCOMP_MODE_FILTER as u64, stub::FPROG_ADDR, 0, 0, 0],
        )?;
        Ok(())
    }

    /// Runs host syscall `nr` in the stub through its trampoline. The stub must be in a
    /// ptrace stop; its registers are restored afterwards.
    fn inject(&self, what: &'static str, nr: i64, args: [u64; 6]) -> Result<u64, PlatformError> {
        let saved = ptrace::getregs(self.pid).map_err(PlatformError::host("PTRACE_GETREGS"))?;
        let mut r = saved;
        r.rax = nr as u64;
        r.orig_rax = u64::MAX;
        [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9] = args;
        r.rip = stub::TRAMPOLINE;
        ptrace::setregs(self.pid, r).map_err(PlatformError::host("PTRACE_SETREGS"))?;
        ptrace::cont(self.pid, None).map_err(PlatformError::host("PTRACE_CONT"))?;
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::__WALL)).map_err(PlatformError::host("waitpid(stub)"))? {
                WaitStatus::Stopped(_, Signal::SIGTRAP) => break,
                WaitStatus::Stopped(_, INTERRUPT_SIGNAL) => {
                    // An interrupt raced with the injection: the Sentry checks for
                    // pending guest signals before it next resumes the guest anyway.
                    ptrace::cont(self.pid, None).map_err(PlatformError::host("PTRACE_CONT"))?;
                    continue;
                }
                WaitStatus::Stopped(_, sig) => {
                    return Err(PlatformError::StubDied(format!(
                        "{what}: stub stopped by {sig} instead of the trampoline trap"
                    )));
                }
                WaitStatus::Exited(_, code) => {
                    return Err(PlatformError::StubDied(format!("{what}: stub exited with {code}")))
                }
                WaitStatus::Signaled(_, sig, _) => {
                    return Err(PlatformError::StubDied(format!("{what}: stub killed by {sig}")))
                }
                _ => continue,
            }
        }
        let rax = ptrace::getregs(self.pid).map_err(PlatformError::host("PTRACE_GETREGS"))?.rax;
        ptrace::setregs(self.pid, saved).map_err(PlatformError::host("PTRACE_SETREGS"))?;
        Errno::from_rax(rax).map_err(|errno| PlatformError::Injected { what, errno })
    }

    /// The stub's host pid.
    pub fn pid(&self) -> i32 {
        self.pid.as_raw()
    }
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, Some(WaitPidFlag::__WALL));
    }
}

impl AddressSpace for StubProcess {
    fn map_file(&self, addr: u64, len: u64, prot: u32, offset: u64) -> Result<(), PlatformError> {
        let flags = (libc::MAP_SHARED | libc::MAP_FIXED) as u64;
        let got =
            self.inject("mmap", libc::SYS_mmap, [addr, len, u64::from(prot), flags, STUB_MEMFD as u64, offset])?;
        if got != addr {
            return Err(PlatformError::StubDied(format!("mmap placed {got:#x} instead of {addr:#x}")));
        }
        Ok(())
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        self.inject("munmap", libc::SYS_munmap, [addr, len, 0, 0, 0, 0]).map(drop)
    }

    fn protect(&self, addr: u64, len: u64, prot: u32) -> Result<(), PlatformError> {
        self.inject("mprotect", libc::SYS_mprotect, [addr, len, u64::from(prot), 0, 0, 0]).map(drop)
    }
}

/// The one thread of a stub process.
pub struct PtraceContext {
    stub: Arc<StubProcess>,
}

impl Context for PtraceContext {
    fn switch(&mut self, regs: &mut Regs) -> Result<Exit, PlatformError> {
        let pid = self.stub.pid;
        let mut r = regs.0;
        // No syscall is in progress from the host's point of view: keep its restart
        // logic out of the way.
        r.orig_rax = u64::MAX;
        ptrace::setregs(pid, r).map_err(PlatformError::host("PTRACE_SETREGS"))?;
        ptrace::sysemu(pid, None).map_err(PlatformError::host("PTRACE_SYSEMU"))?;
        loop {
            let st = waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(PlatformError::host("waitpid(stub)"))?;
            match st {
                WaitStatus::PtraceSyscall(_) => {
                    regs.0 = ptrace::getregs(pid).map_err(PlatformError::host("PTRACE_GETREGS"))?;
                    return Ok(Exit::Syscall);
                }
                WaitStatus::Stopped(_, INTERRUPT_SIGNAL) => {
                    regs.0 = ptrace::getregs(pid).map_err(PlatformError::host("PTRACE_GETREGS"))?;
                    return Ok(Exit::Interrupted);
                }
                WaitStatus::Stopped(_, sig) => {
                    regs.0 = ptrace::getregs(pid).map_err(PlatformError::host("PTRACE_GETREGS"))?;
                    let si = ptrace::getsiginfo(pid).map_err(PlatformError::host("PTRACE_GETSIGINFO"))?;
                    // SAFETY: reading the union member si_addr is valid for every signal
                    // that carries it (faults); for others it reads unrelated but
                    // initialised bytes, which are only reported, never trusted.
                    let addr = unsafe { si.si_addr() } as u64;
                    return Ok(Exit::Signal(SigInfo { signo: sig as i32, code: si.si_code, addr }));
                }
                WaitStatus::Exited(_, code) => return Err(PlatformError::StubDied(format!("stub exited with {code}"))),
                WaitStatus::Signaled(_, sig, _) => {
                    return Err(PlatformError::StubDied(format!("stub killed by {sig}")))
                }
                _ => continue,
            }
        }
    }

    fn host_tid(&self) -> i32 {
        self.stub.pid.as_raw()
    }

    fn fp_state(&mut self) -> Result<Vec<u8>, PlatformError> {
        let mut buf = vec![0u8; XSTATE_MAX];
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        // SAFETY: PTRACE_GETREGSET writes at most `iov_len` bytes to `iov_base`, which
        // points to `buf`; it updates `iov_len` to the size written.
        let r = unsafe {
            libc::ptrace(libc::PTRACE_GETREGSET, self.stub.pid.as_raw(), NT_X86_XSTATE, &mut iov as *mut libc::iovec)
        };
        if r < 0 {
            return Err(PlatformError::Host { what: "PTRACE_GETREGSET(NT_X86_XSTATE)", source: nix::Error::last() });
        }
        buf.truncate(iov.iov_len);
        Ok(buf)
    }

    fn set_fp_state(&mut self, xsave: &[u8]) -> Result<(), PlatformError> {
        let mut iov = libc::iovec { iov_base: xsave.as_ptr() as *mut libc::c_void, iov_len: xsave.len() };
        // SAFETY: PTRACE_SETREGSET only reads `iov_len` bytes from `iov_base` (our
        // slice); the kernel validates the XSAVE header it finds there.
        let r = unsafe {
            libc::ptrace(libc::PTRACE_SETREGSET, self.stub.pid.as_raw(), NT_X86_XSTATE, &mut iov as *mut libc::iovec)
        };
        if r < 0 {
            return Err(PlatformError::Host { what: "PTRACE_SETREGSET(NT_X86_XSTATE)", source: nix::Error::last() });
        }
        Ok(())
    }
}

impl AsFd for PtracePlatform {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.image.as_fd()
    }
}

/// The host signal used to knock a stub out of guest code so that the Sentry can
/// deliver a guest signal (it is always suppressed, never delivered to the stub).
pub const INTERRUPT_SIGNAL: Signal = Signal::SIGURG;

/// Interrupts the stub thread `host_tid` if it is running guest code; harmless if
/// it is stopped (the Sentry then sees one spurious interrupt).
pub fn interrupt(host_tid: i32) {
    let _ = nix::sys::signal::kill(Pid::from_raw(host_tid), INTERRUPT_SIGNAL);
}
