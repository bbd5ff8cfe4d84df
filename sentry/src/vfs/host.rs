//! Files backed by a host fd the Sentry was given by its caller (the stdio of
//! `sbx run`): the guest reads and writes them through the Sentry, which makes the
//! host call on an fd it chose, never one the guest named.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use sbx_abi::flags::{ioctl, signal, OpenFlags};
use sbx_abi::structs::{Stat, Termios, Winsize};
use sbx_abi::Errno;
use zerocopy::{FromZeros, IntoBytes};

use super::{FileDescription, FileOps, HOST_POS};
use crate::kernel::Task;

struct HostFile {
    fd: OwnedFd,
    seekable: bool,
    /// The foreground process group of the terminal, as the sandbox sees it (shared
    /// by the stdio files on the same terminal).
    fg_pgrp: Arc<AtomicI32>,
    /// Whether the fd is a terminal (job control applies).
    tty: bool,
}

fn host_errno(e: nix::Error) -> Errno {
    Errno(e as i32)
}

/// Wraps a host fd (one of `sbx run`'s stdio) as a guest file. The access mode,
/// O_APPEND and O_NONBLOCK are the host description's, which the guest shares.
pub fn host_file(fd: OwnedFd, path: String, fg_pgrp: Arc<AtomicI32>) -> Arc<FileDescription> {
    let seekable = nix::unistd::lseek(fd.as_raw_fd(), 0, nix::unistd::Whence::SeekCur).is_ok();
    let host = nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap_or(0) as u32;
    let keep = 3 | OpenFlags::O_APPEND.bits() | OpenFlags::O_NONBLOCK.bits();
    let flags = OpenFlags::from_bits_truncate(host & keep) | OpenFlags::O_LARGEFILE;
    let tty = nix::unistd::isatty(fd.as_raw_fd()).unwrap_or(false);
    Arc::new(FileDescription::new(Box::new(HostFile { fd, seekable, fg_pgrp, tty }), flags, path))
}

/// si_code of signals the kernel raises on its own.
const SI_KERNEL: i32 = 0x80;

impl FileOps for HostFile {
    fn read_blocking(&self, t: &Task, _buf: &mut [u8], _nonblock: bool) -> Option<Result<usize, Errno>> {
        // Only the job-control check; the read itself is the plain one.
        self.job_control(t, signal::SIGTTIN, false).err().map(Err)
    }

    fn write_blocking(&self, t: &Task, _buf: &[u8], _nonblock: bool) -> Option<Result<usize, Errno>> {
        self.job_control(t, signal::SIGTTOU, false).err().map(Err)
    }

    fn read(&self, _file: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        loop {
            let r = if self.seekable && off != HOST_POS {
                nix::sys::uio::pread(&self.fd, buf, off as i64)
            } else {
                nix::unistd::read(self.fd.as_raw_fd(), buf)
            };
            match r {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    fn write(&self, _file: &FileDescription, buf: &[u8], off: u64) -> Result<usize, Errno> {
        loop {
            let r = if self.seekable && off != HOST_POS {
                nix::sys::uio::pwrite(&self.fd, buf, off as i64)
            } else {
                nix::unistd::write(&self.fd, buf)
            };
            match r {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    fn stat(&self, _file: &FileDescription) -> Result<Stat, Errno> {
        let st = nix::sys::stat::fstat(self.fd.as_raw_fd()).map_err(host_errno)?;
        Ok(Stat {
            st_dev: st.st_dev,
            st_ino: st.st_ino,
            st_nlink: st.st_nlink,
            st_mode: st.st_mode,
            st_uid: st.st_uid,
            st_gid: st.st_gid,
            st_rdev: st.st_rdev,
            st_size: st.st_size,
            st_blksize: st.st_blksize,
            st_blocks: st.st_blocks,
            st_atime: st.st_atime,
            st_atime_nsec: st.st_atime_nsec,
            st_mtime: st.st_mtime,
            st_mtime_nsec: st.st_mtime_nsec,
            st_ctime: st.st_ctime,
            st_ctime_nsec: st.st_ctime_nsec,
            ..Default::default()
        })
    }

    fn seekable(&self) -> bool {
        self.seekable
    }

    fn host_position(&self) -> bool {
        true
    }

    fn host_lseek(&self, off: i64, whence: u32) -> Result<u64, Errno> {
        let w = match whence {
            0 => nix::unistd::Whence::SeekSet,
            1 => nix::unistd::Whence::SeekCur,
            2 => nix::unistd::Whence::SeekEnd,
            3 => nix::unistd::Whence::SeekData,
            4 => nix::unistd::Whence::SeekHole,
            _ => return Err(Errno::EINVAL),
        };
        nix::unistd::lseek(self.fd.as_raw_fd(), off, w).map(|p| p as u64).map_err(host_errno)
    }

    fn ioctl(&self, _file: &FileDescription, t: &Task, req: u64, arg: u64) -> Result<u64, Errno> {
        // Terminal modes and size go to the host terminal (the user's own, as for any
        // program run on it). Process-group calls are answered by the sandbox, whose
        // pids the host does not know.
        if matches!(req, ioctl::TCSETS | ioctl::TCSETSW | ioctl::TCSETSF | ioctl::TIOCSPGRP) {
            self.job_control(t, signal::SIGTTOU, true)?;
        }
        match req {
            ioctl::TCGETS => {
                let mut tio = Termios::new_zeroed();
                host_ioctl(self.fd.as_fd(), libc::TCGETS, tio.as_mut_bytes())?;
                t.mm().copy_out(arg, &tio)?;
                Ok(0)
            }
            ioctl::TIOCGWINSZ => {
                let mut ws = Winsize::new_zeroed();
                host_ioctl(self.fd.as_fd(), libc::TIOCGWINSZ, ws.as_mut_bytes())?;
                t.mm().copy_out(arg, &ws)?;
                Ok(0)
            }
            ioctl::TCSETS | ioctl::TCSETSW | ioctl::TCSETSF | ioctl::TIOCSWINSZ => {
                let size = if req == ioctl::TIOCSWINSZ { 8 } else { 36 };
                let mut buf = vec![0u8; size];
                t.mm().copy_in_bytes(arg, &mut buf)?;
                sbx_platform::host::ioctl_write(self.fd.as_fd(), req as libc::c_ulong, &buf).map_err(host_errno)?;
                Ok(0)
            }
            ioctl::TIOCGPGRP | ioctl::TIOCSPGRP | TIOCGSID => {
                self.check_tty()?;
                match req {
                    ioctl::TIOCGPGRP => t.mm().copy_out(arg, &t.vpid(self.fg_pgrp.load(Ordering::Relaxed)))?,
                    TIOCGSID => t.mm().copy_out(arg, &t.vpid(TTY_SESSION))?,
                    _ => {
                        let pg: i32 = t.mm().copy_in(arg)?;
                        if pg < 0 {
                            return Err(Errno::EINVAL);
                        }
                        let pg = t.gpid(pg).ok_or(Errno::ESRCH)?;
                        let groups = t.kernel().pids.all();
                        let members: Vec<_> = groups.iter().filter(|g| g.lock().pgid == pg).collect();
                        if members.is_empty() {
                            return Err(Errno::ESRCH);
                        }
                        if members.iter().any(|g| g.lock().sid != TTY_SESSION) {
                            return Err(Errno::EPERM);
                        }
                        self.fg_pgrp.store(pg, Ordering::Relaxed);
                    }
                }
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }
}

/// TIOCGSID.
const TIOCGSID: u64 = 0x5429;
/// `c_lflag` bit: background writes raise SIGTTOU.
const TOSTOP: u32 = 0o400;
/// The session whose controlling terminal the caller's terminal is: the sandbox
/// init's (global id 1).
const TTY_SESSION: i32 = 1;

impl HostFile {
    /// Terminal job control (termios(3), "background process groups"): a process of
    /// the terminal's session outside its foreground group that reads (SIGTTIN),
    /// writes with TOSTOP set, or changes the terminal (SIGTTOU, `always`) has its
    /// process group sent the signal and the call restarts once it is continued. A
    /// blocked or ignored SIGTTOU lets the call go ahead; a blocked or ignored
    /// SIGTTIN, or an orphaned process group, gets EIO.
    fn job_control(&self, t: &Task, sig: i32, always: bool) -> Result<(), Errno> {
        if !self.tty {
            return Ok(());
        }
        let mut tio = Termios::new_zeroed();
        if host_ioctl(self.fd.as_fd(), libc::TCGETS, tio.as_mut_bytes()).is_err() {
            return Ok(());
        }
        let (pgid, sid) = {
            let s = t.tg.lock();
            (s.pgid, s.sid)
        };
        let fg = self.fg_pgrp.load(Ordering::Relaxed);
        if sid != TTY_SESSION || pgid == fg || fg == 0 {
            return Ok(());
        }
        if sig == signal::SIGTTOU && !always && tio.c_lflag & TOSTOP == 0 {
            return Ok(());
        }
        let bit = 1u64 << (sig - 1);
        let ignored = t.tg.actions()[(sig - 1) as usize].handler == signal::SIG_IGN;
        if t.local.sigmask.get() & bit != 0 || ignored {
            return if sig == signal::SIGTTOU { Ok(()) } else { Err(Errno::EIO) };
        }
        let groups = t.kernel().pids.all();
        let members: Vec<_> = groups.iter().filter(|g| g.lock().pgid == pgid && g.lock().exit.is_none()).collect();
        // Orphaned: no member has a parent in another group of the same session.
        let orphaned = !members.iter().any(|g| {
            let ppid = g.lock().ppid;
            t.kernel().pids.get(ppid).is_some_and(|p| {
                let ps = p.lock();
                ps.pgid != pgid && ps.sid == sid
            })
        });
        if orphaned {
            return Err(Errno::EIO);
        }
        for g in members {
            crate::kernel::jobs::send(
                &t.kernel(),
                g,
                crate::kernel::signals::SignalInfo { signo: sig, code: SI_KERNEL, ..Default::default() },
            );
        }
        Err(Errno::ERESTARTSYS)
    }

    fn check_tty(&self) -> Result<(), Errno> {
        let mut tio = Termios::new_zeroed();
        host_ioctl(self.fd.as_fd(), libc::TCGETS, tio.as_mut_bytes())
    }
}

fn host_ioctl(fd: BorrowedFd<'_>, req: libc::c_ulong, out: &mut [u8]) -> Result<(), Errno> {
    sbx_platform::host::ioctl_read(fd, req, out).map_err(host_errno)
}
