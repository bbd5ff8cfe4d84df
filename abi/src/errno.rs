//! Linux error numbers (`asm-generic/errno-base.h`, `asm-generic/errno.h`).

use std::fmt;

/// A Linux error number, as a syscall returns it negated in `rax`.
///
/// Includes the kernel-internal restart codes (ERESTARTSYS and friends) which
/// never reach the guest: the Sentry turns them into EINTR or a restart.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

/// The result of a system call handler: the value for `rax`, or an error.
pub type SysResult = Result<u64, Errno>;

include!("errno_gen.rs");

impl Errno {
    /// `EWOULDBLOCK` is `EAGAIN` on Linux.
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
    /// Kernel-internal: restart the syscall if the handler had SA_RESTART, else EINTR.
    pub const ERESTARTSYS: Errno = Errno(512);
    /// Kernel-internal: always restart the syscall.
    pub const ERESTARTNOINTR: Errno = Errno(513);
    /// Kernel-internal: restart if no handler ran, else EINTR.
    pub const ERESTARTNOHAND: Errno = Errno(514);
    /// Kernel-internal: restart through restart_syscall(2).
    pub const ERESTART_RESTARTBLOCK: Errno = Errno(516);

    /// The error as the guest sees it in `rax`: `-errno` as u64.
    pub fn as_rax(self) -> u64 {
        (-(self.0 as i64)) as u64
    }

    /// Decodes `rax` after a syscall: a value in `-4095..0` is an error.
    pub fn from_rax(rax: u64) -> Result<u64, Errno> {
        let v = rax as i64;
        if (-4095..0).contains(&v) {
            Err(Errno(-v as i32))
        } else {
            Ok(rax)
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_rax() {
        assert_eq!(Errno::ENOENT.name(), "ENOENT");
        assert_eq!(Errno::EAGAIN.name(), "EAGAIN");
        assert_eq!(Errno::ENOSYS.as_rax(), (-38i64) as u64);
        assert_eq!(Errno::from_rax((-2i64) as u64), Err(Errno::ENOENT));
        assert_eq!(Errno::from_rax(5), Ok(5));
    }
}
