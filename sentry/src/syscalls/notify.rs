//! Notification files: signalfd(2) and signalfd4(2); inotify(7)'s inotify_init,
//! inotify_init1, inotify_add_watch and inotify_rm_watch.

use std::any::Any;
use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::inotify::{self, InotifyFile};
use crate::fs::signalfd::SignalFd;
use crate::kernel::Task;
use crate::vfs::{self, FileDescription, FileOps, Follow, MAY_READ};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_SIGNALFD, sys_signalfd, "dxu"),
    sys!(SYS_SIGNALFD4, sys_signalfd4, "dxux"),
    sys!(SYS_INOTIFY_INIT, sys_inotify_init, ""),
    sys!(SYS_INOTIFY_INIT1, sys_inotify_init1, "x"),
    sys!(SYS_INOTIFY_ADD_WATCH, sys_inotify_add_watch, "dsx"),
    sys!(SYS_INOTIFY_RM_WATCH, sys_inotify_rm_watch, "dd"),
];

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

/// inotify_init1(2).
pub fn sys_inotify_init1(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(0);
    if flags & !(CLOEXEC | NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let ops = Box::new(InotifyFile::new(t.kernel().notify.clone()));
    install_anon(t, ops, "anon_inode:inotify", flags)
}

/// inotify_init(2).
pub fn sys_inotify_init(t: &Task, _a: &SyscallArgs) -> SysResult {
    sys_inotify_init1(t, &SyscallArgs([0; 6]))
}

/// inotify_add_watch(2).
pub fn sys_inotify_add_watch(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd, mask) = (a.fd(0), a.u32(2));
    if mask & inotify::IN_MASK_ADD != 0 && mask & inotify::IN_MASK_CREATE != 0 {
        return Err(Errno::EINVAL);
    }
    if mask & !inotify::IN_VALID != 0 || mask & inotify::IN_VALID == 0 {
        return Err(Errno::EINVAL);
    }
    let f = t.fds.get(fd)?;
    let ino = ops_as::<InotifyFile>(&f).ok_or(Errno::EINVAL)?;
    let path = super::file::path_arg(t, a.addr(1))?;
    let follow = if mask & inotify::IN_DONT_FOLLOW != 0 { Follow::No } else { Follow::Yes };
    let loc = vfs::lookup_at(t, sbx_abi::flags::AT_FDCWD, &path, follow, false)?;
    let st = loc.inode().stat()?;
    if mask & inotify::IN_ONLYDIR != 0 && !vfs::is_dir(loc.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    vfs::permission(t, &st, MAY_READ, true)?;
    Ok(ino.add_watch(&st, mask)? as u64)
}

/// inotify_rm_watch(2).
pub fn sys_inotify_rm_watch(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    ops_as::<InotifyFile>(&f).ok_or(Errno::EINVAL)?.rm_watch(a.i32(1))?;
    Ok(0)
}
