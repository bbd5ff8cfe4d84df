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
    sys!(
        SYS_INOTIFY_ADD_WATCH,
        sys_inotify_add_watch,
        "dsx",
        "a removed directory reports IN_DELETE_SELF at once even while open; watches follow (dev, ino), which an overlay copy-up changes"
    ),
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

#[cfg(test)]
mod tests {
    use sbx_abi::flags::AT_FDCWD;
    use sbx_abi::sysno::*;
    use sbx_abi::Errno;

    use crate::kernel::testing::{TestKernel, SCRATCH};

    /// Reads the queued events as (wd, mask, name).
    fn events(k: &TestKernel, fd: u64) -> Vec<(i32, u32, String)> {
        let n = k.call(SYS_READ, [fd, SCRATCH + 4096, 4096, 0, 0, 0]).unwrap_or(0) as usize;
        let mut raw = vec![0u8; n];
        k.task.mm().copy_in_bytes(SCRATCH + 4096, &mut raw).unwrap();
        let mut out = Vec::new();
        let mut p = 0;
        while p + 16 <= raw.len() {
            let wd = i32::from_le_bytes(raw[p..p + 4].try_into().unwrap());
            let mask = u32::from_le_bytes(raw[p + 4..p + 8].try_into().unwrap());
            let len = u32::from_le_bytes(raw[p + 12..p + 16].try_into().unwrap()) as usize;
            let name = String::from_utf8_lossy(&raw[p + 16..p + 16 + len]).trim_end_matches('\0').to_string();
            out.push((wd, mask, name));
            p += 16 + len;
        }
        out
    }

    #[test]
    fn inotify_reports_parent_then_self_and_coalesces() {
        let k = TestKernel::new();
        let fd = k.call(SYS_INOTIFY_INIT1, [0o4000, 0, 0, 0, 0, 0]).unwrap();
        let tmp = k.cstr(0, "/tmp");
        assert_eq!(k.call(SYS_INOTIFY_ADD_WATCH, [fd, tmp, 0xfff, 0, 0, 0]), Ok(1));
        let f = k.cstr(100, "/tmp/f");
        let file = k.call(SYS_OPENAT, [AT_FDCWD as u64, f, 0o102, 0o644, 0, 0]).unwrap();
        assert_eq!(k.call(SYS_INOTIFY_ADD_WATCH, [fd, f, 0xfff, 0, 0, 0]), Ok(2));
        let data = k.cstr(200, "xy");
        k.call(SYS_WRITE, [file, data, 2, 0, 0, 0]).unwrap();
        k.call(SYS_WRITE, [file, data, 2, 0, 0, 0]).unwrap();
        k.call(SYS_CLOSE, [file, 0, 0, 0, 0, 0]).unwrap();
        let ev = events(&k, fd);
        let want = [
            (1, 0x100, "f"),
            (1, 0x20, "f"),
            (1, 0x2, "f"),
            (2, 0x2, ""),
            (1, 0x2, "f"),
            (2, 0x2, ""),
            (1, 0x8, "f"),
            (2, 0x8, ""),
        ];
        let want: Vec<_> = want.iter().map(|(w, m, n)| (*w, *m, n.to_string())).collect();
        assert_eq!(ev, want);
        // Unlinking the last link: IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED, IN_DELETE.
        k.call(SYS_UNLINK, [f, 0, 0, 0, 0, 0]).unwrap();
        let ev = events(&k, fd);
        assert_eq!(ev.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(), [(2, 0x4), (2, 0x400), (2, 0x8000), (1, 0x200)]);
        assert_eq!(k.call(SYS_INOTIFY_RM_WATCH, [fd, 2, 0, 0, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(k.call(SYS_READ, [fd, SCRATCH + 4096, 4096, 0, 0, 0]), Err(Errno::EAGAIN));
    }

    #[test]
    fn signalfd_reads_blocked_signals() {
        let k = TestKernel::new();
        let mask: u64 = 1 << (10 - 1); // SIGUSR1
        k.task.mm().copy_out(SCRATCH, &mask).unwrap();
        k.task.local.sigmask.set(mask);
        let fd = k.call(SYS_SIGNALFD4, [u64::MAX, SCRATCH, 8, 0o4000, 0, 0]).unwrap();
        assert_eq!(k.call(SYS_READ, [fd, SCRATCH + 512, 128, 0, 0, 0]), Err(Errno::EAGAIN));
        k.task.tg.send(crate::kernel::signals::SignalInfo { signo: 10, pid: 7, ..Default::default() });
        assert_eq!(k.call(SYS_READ, [fd, SCRATCH + 512, 256, 0, 0, 0]), Ok(128));
        let signo: u32 = k.task.mm().copy_in(SCRATCH + 512).unwrap();
        let pid: u32 = k.task.mm().copy_in(SCRATCH + 512 + 12).unwrap();
        assert_eq!((signo, pid), (10, 7));
        assert_eq!(k.call(SYS_SIGNALFD4, [u64::MAX, SCRATCH, 4, 0, 0, 0]), Err(Errno::EINVAL));
    }
}
