//! The few host calls the Sentry makes that no safe wrapper covers.

use std::os::fd::{AsRawFd, BorrowedFd};

/// An ioctl that fills `out` (TCGETS, TIOCGWINSZ on a host terminal). The caller
/// passes a buffer at least as large as the request's structure.
pub fn ioctl_read(fd: BorrowedFd<'_>, req: libc::c_ulong, out: &mut [u8]) -> Result<(), nix::Error> {
    let need = match req {
        libc::TCGETS => 36,
        libc::TIOCGWINSZ => 8,
        _ => return Err(nix::Error::ENOTTY),
    };
    if out.len() < need {
        return Err(nix::Error::EINVAL);
    }
    // SAFETY: `req` is one of the requests above, whose kernel structure fits in `out`
    // (checked); the fd is borrowed for the duration of the call.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req, out.as_mut_ptr()) };
    if r < 0 {
        Err(nix::Error::last())
    } else {
        Ok(())
    }
}

/// The Sentry's own auxiliary vector entry `key` (CPU capability words).
pub fn getauxval(key: u64) -> u64 {
    // SAFETY: getauxval only reads the process's auxiliary vector.
    unsafe { libc::getauxval(key) }
}

/// Fills `buf` from the host's random pool (getrandom(2)); returns the bytes filled.
pub fn getrandom(buf: &mut [u8], flags: u32) -> Result<usize, nix::Error> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    let r = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), flags) };
    if r < 0 {
        Err(nix::Error::last())
    } else {
        Ok(r as usize)
    }
}

/// An ioctl that passes `data` to a host terminal (TCSETS, TCSETSW, TCSETSF with a
/// kernel termios, TIOCSWINSZ with a winsize). Other requests are ENOTTY.
pub fn ioctl_write(fd: BorrowedFd<'_>, req: libc::c_ulong, data: &[u8]) -> Result<(), nix::Error> {
    let need = match req {
        libc::TCSETS | libc::TCSETSW | libc::TCSETSF => 36,
        libc::TIOCSWINSZ => 8,
        _ => return Err(nix::Error::ENOTTY),
    };
    if data.len() < need {
        return Err(nix::Error::EINVAL);
    }
    // SAFETY: `req` is one of the requests above; the kernel reads at most the
    // structure's size from `data`, which is that long (checked).
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req, data.as_ptr()) };
    if r < 0 {
        Err(nix::Error::last())
    } else {
        Ok(())
    }
}
