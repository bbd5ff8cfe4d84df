//! Notification files: signalfd(2) and signalfd4(2); inotify(7)'s inotify_init,
//! inotify_init1, inotify_add_watch and inotify_rm_watch.

use std::any::Any;
use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::signalfd::SignalFd;
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] =
    &[sys!(SYS_SIGNALFD, sys_signalfd, "dxu"), sys!(SYS_SIGNALFD4, sys_signalfd4, "dxux")];

/// O_CLOEXEC, the value of SFD_CLOEXEC and IN_CLOEXEC.
const CLOEXEC: u32 = 0o2000000;
/// O_NONBLOCK, the value of SFD_NONBLOCK and IN_NONBLOCK.
const NONBLOCK: u32 = 0o4000;

/// Installs a new anonymous file opened read-write, with O_NONBLOCK and
/// close-on-exec as `flags` ask.
fn install_anon(t: &Task, ops: Box<dyn FileOps>, name: &str, flags: u32) -> SysResult {
    let mut fl = OpenFlags::O_RDWR;
    if flags & NONBLOCK != 0 {
        fl |= OpenFlags::O_NONBLOCK;
    }
    let f = Arc::new(FileDescription::new(ops, fl, name.into()));
    Ok(t.fds.install(f, flags & CLOEXEC != 0)? as u64)
}

/// The FileOps of `f` as a `T`, if that is what it is.
fn ops_as<T: 'static>(f: &FileDescription) -> Option<&T> {
    let any: &dyn Any = f.ops.as_ref();
    any.downcast_ref::<T>()
}

fn do_signalfd(t: &Task, fd: i32, mask_addr: u64, size: usize, flags: u32) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = t.mm().copy_in(mask_addr)?;
    if flags & !(CLOEXEC | NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    if fd == -1 {
        return install_anon(t, Box::new(SignalFd::new(t, mask)), "anon_inode:[signalfd]", flags);
    }
    let f = t.fds.get(fd)?;
    ops_as::<SignalFd>(&f).ok_or(Errno::EINVAL)?.set_mask(mask);
    Ok(fd as u64)
}

/// signalfd4(2).
pub fn sys_signalfd4(t: &Task, a: &SyscallArgs) -> SysResult {
    do_signalfd(t, a.fd(0), a.addr(1), a.usize(2), a.u32(3))
}

/// signalfd(2): signalfd4 without flags.
pub fn sys_signalfd(t: &Task, a: &SyscallArgs) -> SysResult {
    do_signalfd(t, a.fd(0), a.addr(1), a.usize(2), 0)
}
