//! File I/O and descriptors: read/write and their vector and positional forms, open,
//! close, lseek, dup, fcntl, ioctl, pipes, truncation and sync.

use std::sync::Arc;

use sbx_abi::flags::{fcntl::*, ioctl, OpenFlags, AT_FDCWD, S_IFDIR, S_IFMT, S_IFREG};
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::inotify::{IN_ACCESS, IN_MODIFY};
use crate::fs::pipe::new_pipe;
use crate::kernel::Task;
use crate::vfs::{self, FileDescription, SetAttr, PATH_MAX};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_READ, sys_read, "dru"),
    sys!(SYS_WRITE, sys_write, "dbu"),
    sys!(SYS_READV, sys_readv, "dxd"),
    sys!(SYS_WRITEV, sys_writev, "dxd"),
    sys!(SYS_PREAD64, sys_pread64, "drud"),
    sys!(SYS_PWRITE64, sys_pwrite64, "dbud"),
    sys!(SYS_PREADV, sys_preadv, "dxdd"),
    sys!(SYS_PWRITEV, sys_pwritev, "dxdd"),
    sys!(SYS_PREADV2, sys_preadv2, "dxddx", "RWF_* flags return EOPNOTSUPP"),
    sys!(SYS_PWRITEV2, sys_pwritev2, "dxddx", "RWF_* flags return EOPNOTSUPP"),
    sys!(SYS_OPEN, sys_open, "sxo"),
    sys!(SYS_OPENAT, sys_openat, "dsxo"),
    sys!(SYS_OPENAT2, sys_openat2, "dsxu"),
    sys!(SYS_CREAT, sys_creat, "so"),
    sys!(SYS_CLOSE, sys_close, "d"),
    sys!(SYS_CLOSE_RANGE, sys_close_range, "uux", "CLOSE_RANGE_UNSHARE on a shared table returns EINVAL"),
    sys!(SYS_LSEEK, sys_lseek, "ddd"),
    sys!(SYS_DUP, sys_dup, "d"),
    sys!(SYS_DUP2, sys_dup2, "dd"),
    sys!(SYS_DUP3, sys_dup3, "ddx"),
    sys!(SYS_FCNTL, sys_fcntl, "ddx", "leases, owners and F_NOTIFY return EINVAL"),
    sys!(SYS_IOCTL, sys_ioctl, "dxx"),
    sys!(SYS_PIPE, sys_pipe, "x"),
    sys!(SYS_PIPE2, sys_pipe2, "xx"),
    sys!(SYS_FTRUNCATE, sys_ftruncate, "dd"),
    sys!(SYS_TRUNCATE, sys_truncate, "sd"),
    sys!(SYS_FSYNC, sys_fsync, "d"),
    sys!(SYS_FDATASYNC, sys_fsync, "d"),
    sys!(SYS_SYNC, sys_sync, ""),
    sys!(SYS_SYNCFS, sys_fsync, "d"),
    sys!(SYS_FADVISE64, sys_fadvise64, "dddd"),
    sys!(SYS_FALLOCATE, sys_fallocate, "dddd", "only mode 0"),
    sys!(SYS_FLOCK, sys_flock, "dx"),
];

/// Largest count one read or write moves (MAX_RW_COUNT).
const MAX_RW_COUNT: usize = 0x7fff_f000;
/// Bounce-buffer chunk for files without a host fd.
const CHUNK: usize = 1 << 20;

fn nonblock(f: &FileDescription) -> bool {
    f.flags().contains(OpenFlags::O_NONBLOCK)
}

/// Reads up to `len` bytes into guest memory at `addr`, at `off` or at (and
/// advancing) the file position.
pub fn do_read(t: &Task, f: &FileDescription, addr: u64, len: usize, off: Option<u64>) -> SysResult {
    let r = read_inner(t, f, addr, len, off);
    if matches!(r, Ok(n) if n > 0) {
        t.kernel().notify.file_io(f, IN_ACCESS);
    }
    r
}

fn read_inner(t: &Task, f: &FileDescription, addr: u64, len: usize, off: Option<u64>) -> SysResult {
    let fl = f.flags();
    if !fl.readable() || fl.contains(OpenFlags::O_PATH) {
        return Err(Errno::EBADF);
    }
    if len == 0 {
        return Ok(0);
    }
    let len = len.min(MAX_RW_COUNT);
    if !f.ops.seekable() {
        let mut buf = vec![0u8; len.min(crate::fs::pipe::PIPE_MAX_SIZE)];
        if let Some(r) = f.ops.read_blocking(t, &mut buf, nonblock(f)) {
            let n = r?;
            t.mm().copy_out_bytes(addr, &buf[..n])?;
            return Ok(n as u64);
        }
    }
    let seekable = f.ops.seekable();
    let host_pos = off.is_none() && f.ops.host_position();
    let mut pos = if seekable && off.is_none() && !host_pos { Some(f.pos()) } else { None };
    let start = if host_pos { vfs::HOST_POS } else { off.or(pos.as_deref().copied()).unwrap_or(0) };
    let mm = t.mm();
    let n = if let (Some(fd), true) = (f.host_fd(), seekable) {
        // Straight from the host file into guest pages.
        let mut at = start;
        mm.with_pieces(addr, len, true, |file, moff, n| {
            let got =
                file.read_from(fd, Some(at), moff, n).map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EIO)))?;
            at += got as u64;
            Ok(got)
        })?
    } else {
        let mut done = 0usize;
        let mut buf = vec![0u8; len.min(CHUNK)];
        while done < len {
            let want = (len - done).min(buf.len());
            let at = if host_pos { start } else { start + done as u64 };
            let got = match f.ops.read(f, &mut buf[..want], at) {
                Ok(g) => g,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            };
            if got == 0 {
                break;
            }
            if let Err(e) = mm.copy_out_bytes(addr + done as u64, &buf[..got]) {
                if done == 0 {
                    return Err(e);
                }
                break;
            }
            done += got;
            if !seekable || host_pos || got < want {
                break;
            }
        }
        done
    };
    if let Some(p) = pos.as_deref_mut() {
        *p = start + n as u64;
    }
    Ok(n as u64)
}

/// Writes `len` bytes from guest memory at `addr`, at `off` or at (and advancing)
/// the file position; O_APPEND writes at the end. A write that finds no reader
/// (EPIPE, also on the host stdio) raises SIGPIPE, as Linux's pipes do.
pub fn do_write(t: &Task, f: &FileDescription, addr: u64, len: usize, off: Option<u64>) -> SysResult {
    let r = write_inner(t, f, addr, len, off);
    written(t, f, r)
}

/// What follows a write: IN_MODIFY when bytes moved, SIGPIPE on EPIPE.
fn written(t: &Task, f: &FileDescription, r: SysResult) -> SysResult {
    if matches!(r, Ok(n) if n > 0) {
        t.kernel().notify.file_io(f, IN_MODIFY);
    }
    if r == Err(Errno::EPIPE) {
        let uid = t.creds.borrow().uid.0;
        let info = crate::kernel::signals::SignalInfo {
            signo: sbx_abi::flags::signal::SIGPIPE,
            pid: t.tgid,
            uid,
            ..Default::default()
        };
        crate::kernel::signals::queue(t, info);
    }
    r
}

fn write_inner(t: &Task, f: &FileDescription, addr: u64, len: usize, off: Option<u64>) -> SysResult {
    let fl = f.flags();
    if !fl.writable() || fl.contains(OpenFlags::O_PATH) {
        return Err(Errno::EBADF);
    }
    if len == 0 {
        return Ok(0);
    }
    let len = len.min(MAX_RW_COUNT);
    let mm = t.mm();
    if !f.ops.seekable() {
        let mut buf = vec![0u8; len.min(16 << 20)];
        mm.copy_in_bytes(addr, &mut buf)?;
        if let Some(r) = f.ops.write_blocking(t, &buf, nonblock(f)) {
            return Ok(r? as u64);
        }
    }
    let seekable = f.ops.seekable();
    let host_pos = off.is_none() && f.ops.host_position();
    let mut pos = if seekable && off.is_none() && !host_pos { Some(f.pos()) } else { None };
    let mut start = if host_pos { vfs::HOST_POS } else { off.or(pos.as_deref().copied()).unwrap_or(0) };
    if fl.contains(OpenFlags::O_APPEND) && off.is_none() && seekable && !host_pos {
        start = f.stat()?.st_size as u64;
    }
    let mut done = 0usize;
    while done < len {
        let n = (len - done).min(CHUNK);
        let mut buf = vec![0u8; n];
        if let Err(e) = mm.copy_in_bytes(addr + done as u64, &mut buf) {
            if done == 0 {
                return Err(e);
            }
            break;
        }
        let at = if host_pos { start } else { start + done as u64 };
        let got = match f.ops.write(f, &buf, at) {
            Ok(g) => g,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += got;
        if got < n {
            break;
        }
    }
    if let Some(p) = pos.as_deref_mut() {
        *p = start + done as u64;
    }
    Ok(done as u64)
}

/// read(2).
pub fn sys_read(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    do_read(t, &f, a.addr(1), a.usize(2), None)
}

/// write(2).
pub fn sys_write(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    do_write(t, &f, a.addr(1), a.usize(2), None)
}

fn offset(a: &SyscallArgs, i: usize) -> Result<u64, Errno> {
    let o = a.i64(i);
    if o < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(o as u64)
}

fn positional(f: &FileDescription) -> Result<(), Errno> {
    if !f.ops.seekable() {
        return Err(Errno::ESPIPE);
    }
    Ok(())
}

/// pread64(2).
pub fn sys_pread64(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    positional(&f)?;
    do_read(t, &f, a.addr(1), a.usize(2), Some(offset(a, 3)?))
}

/// pwrite64(2).
pub fn sys_pwrite64(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    positional(&f)?;
    do_write(t, &f, a.addr(1), a.usize(2), Some(offset(a, 3)?))
}

/// Vector I/O over `iovcnt` iovecs at `iov`, stopping at the first short transfer.
fn vector(t: &Task, f: &FileDescription, iov: u64, cnt: i32, off: Option<u64>, write: bool) -> SysResult {
    let cnt = usize::try_from(cnt).map_err(|_| Errno::EINVAL)?;
    let iovs = t.mm().read_iovecs(iov, cnt)?;
    let mut total = 0u64;
    for v in iovs.iter().filter(|v| v.iov_len > 0) {
        let at = off.map(|o| o + total);
        let r = if write {
            write_inner(t, f, v.iov_base, v.iov_len as usize, at)
        } else {
            read_inner(t, f, v.iov_base, v.iov_len as usize, at)
        };
        match r {
            Ok(n) => {
                total += n;
                if n < v.iov_len {
                    break;
                }
            }
            Err(e) if total == 0 => {
                return if write { written(t, f, Err(e)) } else { Err(e) };
            }
            Err(_) => break,
        }
    }
    if iovs.iter().all(|v| v.iov_len == 0) {
        // Still check the descriptor's mode, as a zero-length read/write would.
        if write {
            do_write(t, f, 0, 0, off)?
        } else {
            do_read(t, f, 0, 0, off)?
        };
    }
    // One event for the whole call, as Linux reports it.
    if write {
        written(t, f, Ok(total))
    } else {
        if total > 0 {
            t.kernel().notify.file_io(f, IN_ACCESS);
        }
        Ok(total)
    }
}

/// readv(2).
pub fn sys_readv(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    vector(t, &f, a.addr(1), a.i32(2), None, false)
}

/// writev(2).
pub fn sys_writev(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    vector(t, &f, a.addr(1), a.i32(2), None, true)
}

/// preadv(2).
pub fn sys_preadv(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    positional(&f)?;
    vector(t, &f, a.addr(1), a.i32(2), Some(offset(a, 3)?), false)
}

/// pwritev(2).
pub fn sys_pwritev(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    positional(&f)?;
    vector(t, &f, a.addr(1), a.i32(2), Some(offset(a, 3)?), true)
}

fn v2(t: &Task, a: &SyscallArgs, write: bool) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    if a.u64(5) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let off = match a.i64(3) {
        -1 => None,
        o if o < 0 => return Err(Errno::EINVAL),
        o => {
            positional(&f)?;
            Some(o as u64)
        }
    };
    vector(t, &f, a.addr(1), a.i32(2), off, write)
}

/// preadv2(2).
pub fn sys_preadv2(t: &Task, a: &SyscallArgs) -> SysResult {
    v2(t, a, false)
}

/// pwritev2(2).
pub fn sys_pwritev2(t: &Task, a: &SyscallArgs) -> SysResult {
    v2(t, a, true)
}

/// Reads a path argument (ENAMETOOLONG past PATH_MAX, EFAULT on a bad pointer).
pub fn path_arg(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    t.mm().read_cstr(addr, PATH_MAX)
}

/// Opens and installs; returns the new fd.
pub fn do_open(t: &Task, dirfd: i32, path: &[u8], flags: u32, mode: u32) -> SysResult {
    // Unknown bits are ignored by open(2); O_LARGEFILE is implied on 64-bit.
    let flags = OpenFlags::from_bits_truncate(flags) | OpenFlags::O_LARGEFILE;
    let notify = &t.kernel().notify;
    // inotify tells creating from opening: look first, only while someone watches.
    let watching = notify.active();
    let creat = flags.contains(OpenFlags::O_CREAT);
    let existed = watching && creat && vfs::lookup_at(t, dirfd, path, vfs::Follow::Yes, false).is_ok();
    let f = vfs::open_at(t, dirfd, path, flags, mode)?;
    let _ = f.notify.set(notify.clone());
    if watching {
        let created = creat && !existed;
        let regular = f.stat().is_ok_and(|st| st.st_mode & S_IFMT == S_IFREG);
        let truncated = !created && flags.contains(OpenFlags::O_TRUNC) && flags.writable() && regular;
        notify.opened(&f, created, truncated);
    }
    let fd = t.fds.install(f, flags.contains(OpenFlags::O_CLOEXEC))?;
    Ok(fd as u64)
}

/// open(2).
pub fn sys_open(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    do_open(t, AT_FDCWD, &path, a.u32(1), a.u32(2))
}

/// openat(2).
pub fn sys_openat(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(1))?;
    do_open(t, a.fd(0), &path, a.u32(2), a.u32(3))
}

/// creat(2).
pub fn sys_creat(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    let flags = (OpenFlags::O_CREAT | OpenFlags::O_WRONLY | OpenFlags::O_TRUNC).bits();
    do_open(t, AT_FDCWD, &path, flags, a.u32(1))
}

/// openat2(2): `struct open_how { u64 flags, mode, resolve; }`. Unlike openat, unknown
/// or contradictory flags are EINVAL.
pub fn sys_openat2(t: &Task, a: &SyscallArgs) -> SysResult {
    use vfs::resolve::{ALL, RESOLVE_BENEATH, RESOLVE_IN_ROOT};
    /// The first version of the struct.
    const OPEN_HOW_SIZE_VER0: usize = 24;
    /// Linux reads at most a page of it.
    const MAX_SIZE: usize = 4096;
    let size = a.usize(3);
    if size < OPEN_HOW_SIZE_VER0 {
        return Err(Errno::EINVAL);
    }
    if size > MAX_SIZE {
        return Err(Errno::E2BIG);
    }
    let how: [u64; 3] = t.mm().copy_in(a.addr(2))?;
    if size > OPEN_HOW_SIZE_VER0 {
        // Larger structs must be zero past what we know (E2BIG otherwise).
        let mut rest = vec![0u8; size - OPEN_HOW_SIZE_VER0];
        t.mm().copy_in_bytes(a.addr(2) + OPEN_HOW_SIZE_VER0 as u64, &mut rest)?;
        if rest.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
    }
    let (flags, mode, resolve) = (how[0], how[1], how[2]);
    let fl = u32::try_from(flags).ok().and_then(OpenFlags::from_bits).ok_or(Errno::EINVAL)?;
    let creates = fl.contains(OpenFlags::O_CREAT) || fl.contains(OpenFlags::O_TMPFILE);
    if (creates && mode & !0o7777 != 0) || (!creates && mode != 0) {
        return Err(Errno::EINVAL);
    }
    if resolve & !ALL != 0 || resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) == RESOLVE_BENEATH | RESOLVE_IN_ROOT {
        return Err(Errno::EINVAL);
    }
    let path_ok = OpenFlags::O_PATH | OpenFlags::O_CLOEXEC | OpenFlags::O_DIRECTORY | OpenFlags::O_NOFOLLOW;
    if fl.contains(OpenFlags::O_PATH) && !path_ok.contains(fl) {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a.addr(1))?;
    let fl = if fl.contains(OpenFlags::O_PATH) { fl } else { fl | OpenFlags::O_LARGEFILE };
    let f = vfs::open_at_resolve(t, a.fd(0), &path, fl, mode as u32, resolve)?;
    let fd = t.fds.install(f, fl.contains(OpenFlags::O_CLOEXEC))?;
    Ok(fd as u64)
}

/// close(2).
pub fn sys_close(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.remove(a.fd(0))?;
    if f.inode().is_some() {
        if let Ok(key) = lock_key(&f) {
            t.kernel().locks.release(key, t.tgid as u64);
        }
    }
    drop(f);
    Ok(0)
}

/// close_range(2).
pub fn sys_close_range(t: &Task, a: &SyscallArgs) -> SysResult {
    const CLOSE_RANGE_UNSHARE: u32 = 2;
    const CLOSE_RANGE_CLOEXEC: u32 = 4;
    let (first, last, flags) = (a.u32(0), a.u32(1), a.u32(2));
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 && Arc::strong_count(&t.fds) > 1 {
        return Err(Errno::EINVAL);
    }
    for fd in t.fds.fds() {
        let u = fd as u32;
        if u < first || u > last {
            continue;
        }
        if flags & CLOSE_RANGE_CLOEXEC != 0 {
            let _ = t.fds.set_cloexec(fd, true);
        } else {
            let _ = t.fds.remove(fd);
        }
    }
    Ok(0)
}

/// lseek(2).
pub fn sys_lseek(t: &Task, a: &SyscallArgs) -> SysResult {
    const SEEK_SET: u32 = 0;
    const SEEK_CUR: u32 = 1;
    const SEEK_END: u32 = 2;
    const SEEK_DATA: u32 = 3;
    const SEEK_HOLE: u32 = 4;
    let f = t.fds.get(a.fd(0))?;
    if f.flags().contains(OpenFlags::O_PATH) {
        return Err(Errno::EBADF);
    }
    if !f.ops.seekable() {
        return Err(Errno::ESPIPE);
    }
    let off = a.i64(1);
    if f.ops.host_position() {
        return f.ops.host_lseek(off, a.u32(2));
    }
    let mut pos = f.pos();
    let is_dir = f.inode().is_some_and(|i| vfs::is_dir(i.as_ref()));
    let size = || f.stat().map(|s| s.st_size);
    let new = match a.u32(2) {
        SEEK_SET => off,
        SEEK_CUR => (*pos as i64).checked_add(off).ok_or(Errno::EOVERFLOW)?,
        SEEK_END => size()?.checked_add(off).ok_or(Errno::EOVERFLOW)?,
        SEEK_DATA | SEEK_HOLE if !is_dir => {
            let sz = size()?;
            if off < 0 {
                return Err(Errno::EINVAL);
            }
            if off >= sz {
                return Err(Errno::ENXIO);
            }
            if a.u32(2) == SEEK_DATA {
                off
            } else {
                sz
            }
        }
        _ => return Err(Errno::EINVAL),
    };
    if new < 0 {
        return Err(Errno::EINVAL);
    }
    *pos = new as u64;
    if is_dir && new == 0 {
        *f.dirents.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    Ok(new as u64)
}

/// dup(2).
pub fn sys_dup(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    Ok(t.fds.install(f, false)? as u64)
}

/// dup2(2).
pub fn sys_dup2(t: &Task, a: &SyscallArgs) -> SysResult {
    let (old, new) = (a.fd(0), a.fd(1));
    let f = t.fds.get(old)?;
    if old == new {
        return Ok(new as u64);
    }
    let prev = t.fds.install_at(new, f, false)?;
    drop(prev);
    Ok(new as u64)
}

/// dup3(2).
pub fn sys_dup3(t: &Task, a: &SyscallArgs) -> SysResult {
    let (old, new, flags) = (a.fd(0), a.fd(1), a.u32(2));
    if flags & !OpenFlags::O_CLOEXEC.bits() != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    let f = t.fds.get(old)?;
    let prev = t.fds.install_at(new, f, flags != 0)?;
    drop(prev);
    Ok(new as u64)
}

/// fcntl(2).
pub fn sys_fcntl(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd, cmd, arg) = (a.fd(0), a.u32(1), a.u64(2));
    let f = t.fds.get(fd)?;
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = i32::try_from(arg).map_err(|_| Errno::EINVAL)?;
            Ok(t.fds.install_from(min, f, cmd == F_DUPFD_CLOEXEC)? as u64)
        }
        F_GETFD => Ok(u64::from(t.fds.cloexec(fd)?)),
        F_SETFD => {
            t.fds.set_cloexec(fd, arg & u64::from(FD_CLOEXEC) != 0)?;
            Ok(0)
        }
        F_GETFL => Ok(u64::from(f.flags().bits() & !OpenFlags::O_CLOEXEC.bits())),
        F_SETFL => {
            let changeable = OpenFlags::O_APPEND
                | OpenFlags::O_NONBLOCK
                | OpenFlags::O_ASYNC
                | OpenFlags::O_DIRECT
                | OpenFlags::O_NOATIME;
            let new = OpenFlags::from_bits_truncate(arg as u32) & changeable;
            let mut fl = f.flags.lock().unwrap_or_else(|e| e.into_inner());
            *fl = (*fl & !changeable) | new;
            Ok(0)
        }
        F_GETLK | F_SETLK | F_SETLKW | F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW => record_lock(t, &f, cmd, arg),
        F_ADD_SEALS => {
            let inode = crate::fs::memfd::sealable(&f)?;
            if !f.flags().writable() {
                return Err(Errno::EPERM);
            }
            inode.add_seals(arg as u32)?;
            Ok(0)
        }
        F_GET_SEALS => Ok(u64::from(crate::fs::memfd::sealable(&f)?.seals())),
        F_GETPIPE_SZ => f.ops.as_pipe().map(|p| p.pipe().capacity() as u64).ok_or(Errno::EBADF),
        F_SETPIPE_SZ => {
            let p = f.ops.as_pipe().ok_or(Errno::EBADF)?;
            let want = usize::try_from(arg as u32).map_err(|_| Errno::EINVAL)?;
            Ok(p.pipe().set_capacity(want)? as u64)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The identity record locks are keyed by.
fn lock_key(f: &FileDescription) -> Result<(u64, u64), Errno> {
    let st = f.stat()?;
    Ok((st.st_dev, st.st_ino))
}

/// Owner ids of open file description locks: the description's address with the
/// top bit set, apart from process ids (POSIX locks) in the same table.
const OFD_OWNER: u64 = 1 << 63;

/// fcntl's F_GETLK/F_SETLK/F_SETLKW and their open-file-description forms
/// F_OFD_GETLK/F_OFD_SETLK/F_OFD_SETLKW on `struct flock { short l_type, l_whence;
/// off_t l_start, l_len; pid_t l_pid; }`. OFD locks belong to the description
/// (shared by dup and fork, released at its last close); l_pid must be 0 for
/// them, and F_GETLK reports -1 for a conflicting OFD lock.
fn record_lock(t: &Task, f: &FileDescription, cmd: u32, addr: u64) -> SysResult {
    const F_RDLCK: i16 = 0;
    const F_WRLCK: i16 = 1;
    const F_UNLCK: i16 = 2;
    let raw: [u8; 32] = t.mm().copy_in(addr)?;
    let ty = i16::from_le_bytes([raw[0], raw[1]]);
    let whence = i16::from_le_bytes([raw[2], raw[3]]);
    let ofd = matches!(cmd, F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW);
    if ofd && i32::from_le_bytes([raw[24], raw[25], raw[26], raw[27]]) != 0 {
        return Err(Errno::EINVAL);
    }
    let owner = if ofd { (f as *const FileDescription as u64) | OFD_OWNER } else { t.tgid as u64 };
    let start = i64::from_le_bytes(raw[8..16].try_into().map_err(|_| Errno::EINVAL)?);
    let len = i64::from_le_bytes(raw[16..24].try_into().map_err(|_| Errno::EINVAL)?);
    if f.ops.as_pipe().is_some() || f.inode().is_none() {
        return Err(Errno::EINVAL);
    }
    let base = match whence {
        0 => 0,
        1 => *f.pos() as i64,
        2 => f.stat()?.st_size,
        _ => return Err(Errno::EINVAL),
    };
    let mut s = base.checked_add(start).ok_or(Errno::EOVERFLOW)?;
    let mut e = if len == 0 { i64::MAX } else { s.checked_add(len).ok_or(Errno::EOVERFLOW)? };
    if len < 0 {
        (s, e) = (e, s);
    }
    if s < 0 {
        return Err(Errno::EINVAL);
    }
    let end = if len == 0 { u64::MAX } else { e as u64 };
    let want = crate::kernel::locks::Lock { owner, start: s as u64, end, write: ty == F_WRLCK };
    let key = lock_key(f)?;
    let locks = &t.kernel().locks;
    match (cmd, ty) {
        (_, F_RDLCK | F_WRLCK | F_UNLCK) if cmd == F_GETLK || cmd == F_OFD_GETLK => {
            if ty == F_UNLCK {
                // Linux refuses it for F_GETLK but reports "no lock" for F_OFD_GETLK.
                if cmd == F_GETLK {
                    return Err(Errno::EINVAL);
                }
                t.mm().copy_out(addr, &raw)?;
                return Ok(0);
            }
            let mut out = raw;
            match locks.conflict(key, &want) {
                None => out[0..2].copy_from_slice(&F_UNLCK.to_le_bytes()),
                Some(l) => {
                    let ty = if l.write { F_WRLCK } else { F_RDLCK };
                    out[0..2].copy_from_slice(&ty.to_le_bytes());
                    out[2..4].copy_from_slice(&0i16.to_le_bytes());
                    out[8..16].copy_from_slice(&(l.start as i64).to_le_bytes());
                    let l_len = if l.end == u64::MAX { 0 } else { (l.end - l.start) as i64 };
                    out[16..24].copy_from_slice(&l_len.to_le_bytes());
                    let pid = if l.owner & OFD_OWNER != 0 { -1 } else { t.vpid(l.owner as i32) };
                    out[24..28].copy_from_slice(&pid.to_le_bytes());
                }
            }
            t.mm().copy_out(addr, &out)?;
            Ok(0)
        }
        (_, F_RDLCK) if !f.flags().readable() => Err(Errno::EBADF),
        (_, F_WRLCK) if !f.flags().writable() => Err(Errno::EBADF),
        (_, F_RDLCK | F_WRLCK | F_UNLCK) => {
            let interrupted = || crate::kernel::signals::interrupted(t);
            locks.set(key, want, ty == F_UNLCK, cmd == F_SETLKW || cmd == F_OFD_SETLKW, &interrupted)?;
            if ofd && ty != F_UNLCK {
                // The description lets go of its locks when it is last closed.
                *f.ofd_locks.lock().unwrap_or_else(|e| e.into_inner()) = Some((locks.clone(), key, owner));
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// ioctl(2).
pub fn sys_ioctl(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd, req, arg) = (a.fd(0), a.u64(1) & 0xffff_ffff, a.u64(2));
    let f = t.fds.get(fd)?;
    match req {
        ioctl::FIOCLEX | ioctl::FIONCLEX => {
            t.fds.set_cloexec(fd, req == ioctl::FIOCLEX)?;
            Ok(0)
        }
        ioctl::FIONBIO => {
            let on: i32 = t.mm().copy_in(arg)?;
            let mut fl = f.flags.lock().unwrap_or_else(|e| e.into_inner());
            fl.set(OpenFlags::O_NONBLOCK, on != 0);
            Ok(0)
        }
        ioctl::FIONREAD if f.ops.as_pipe().is_some() => {
            let n = f.ops.as_pipe().map_or(0, |p| p.pipe().available()) as i32;
            t.mm().copy_out(arg, &n)?;
            Ok(0)
        }
        _ => f.ops.ioctl(&f, t, req, arg),
    }
}

/// pipe2(2).
pub fn sys_pipe2(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(1);
    let allowed = OpenFlags::O_CLOEXEC | OpenFlags::O_NONBLOCK | OpenFlags::O_DIRECT;
    let fl = OpenFlags::from_bits(flags).filter(|f| allowed.contains(*f)).ok_or(Errno::EINVAL)?;
    let ino = t.kernel().next_ino();
    let (r, w) = new_pipe(ino);
    let extra = fl & OpenFlags::O_NONBLOCK;
    let name = format!("pipe:[{ino}]");
    let rf = Arc::new(FileDescription::new(Box::new(r), extra, name.clone()));
    let wf = Arc::new(FileDescription::new(Box::new(w), OpenFlags::O_WRONLY | extra, name));
    let cloexec = fl.contains(OpenFlags::O_CLOEXEC);
    let rfd = t.fds.install(rf, cloexec)?;
    let wfd = match t.fds.install(wf, cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = t.fds.remove(rfd);
            return Err(e);
        }
    };
    if let Err(e) = t.mm().copy_out(a.addr(0), &[rfd, wfd]) {
        let _ = t.fds.remove(rfd);
        let _ = t.fds.remove(wfd);
        return Err(e);
    }
    Ok(0)
}

/// pipe(2).
pub fn sys_pipe(t: &Task, a: &SyscallArgs) -> SysResult {
    sys_pipe2(t, &SyscallArgs([a.u64(0), 0, 0, 0, 0, 0]))
}

fn truncate(t: &Task, f: &FileDescription, len: i64) -> SysResult {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let inode = f.inode().ok_or(Errno::EINVAL)?;
    let st = inode.stat()?;
    match st.st_mode & S_IFMT {
        S_IFDIR => return Err(Errno::EISDIR),
        S_IFREG => {}
        _ => return Err(Errno::EINVAL),
    }
    inode.setattr(t, &SetAttr { size: Some(len as u64), ..Default::default() })?;
    if let Some(loc) = &f.loc {
        t.kernel().notify.changed(loc, IN_MODIFY);
    }
    Ok(0)
}

/// ftruncate(2).
pub fn sys_ftruncate(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    if !f.flags().writable() {
        return Err(Errno::EINVAL);
    }
    truncate(t, &f, a.i64(1))
}

/// truncate(2).
pub fn sys_truncate(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    if a.i64(1) < 0 {
        return Err(Errno::EINVAL);
    }
    let f = vfs::open_at(t, AT_FDCWD, &path, OpenFlags::O_WRONLY, 0)?;
    truncate(t, &f, a.i64(1))
}

/// fsync(2), fdatasync(2), syncfs(2).
pub fn sys_fsync(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    f.ops.sync()?;
    Ok(0)
}

/// sync(2).
pub fn sys_sync(_t: &Task, _a: &SyscallArgs) -> SysResult {
    Ok(0)
}

/// fadvise64(2): advice only, checked and ignored.
pub fn sys_fadvise64(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    if f.ops.as_pipe().is_some() {
        return Err(Errno::ESPIPE);
    }
    if !(0..=5).contains(&a.i32(3)) || a.i64(2) < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// fallocate(2): mode 0 (extend the file) only.
pub fn sys_fallocate(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    let (mode, off, len) = (a.i32(1), a.i64(2), a.i64(3));
    if off < 0 || len <= 0 {
        return Err(Errno::EINVAL);
    }
    if !f.flags().writable() {
        return Err(Errno::EBADF);
    }
    if mode != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if f.ops.as_pipe().is_some() {
        return Err(Errno::ESPIPE);
    }
    let end = off.checked_add(len).ok_or(Errno::EFBIG)?;
    let inode = f.inode().ok_or(Errno::ENODEV)?;
    let st = inode.stat()?;
    if st.st_mode & S_IFMT != S_IFREG {
        return Err(Errno::ENODEV);
    }
    if st.st_size < end {
        inode.setattr(t, &SetAttr { size: Some(end as u64), ..Default::default() })?;
    }
    t.kernel().notify.file_io(&f, IN_MODIFY);
    Ok(0)
}

/// flock(2): whole-file locks owned by the open file description.
pub fn sys_flock(t: &Task, a: &SyscallArgs) -> SysResult {
    const LOCK_SH: u32 = 1;
    const LOCK_EX: u32 = 2;
    const LOCK_NB: u32 = 4;
    const LOCK_UN: u32 = 8;
    const LOCK_MAND: u32 = 32;
    let f = t.fds.get(a.fd(0))?;
    let op = a.u32(1);
    if op & LOCK_MAND != 0 {
        // Linux (5.15+) ignores the removed mandatory-lock requests and says 0.
        return Ok(0);
    }
    let kind = op & !LOCK_NB;
    if !matches!(kind, LOCK_SH | LOCK_EX | LOCK_UN) {
        return Err(Errno::EINVAL);
    }
    if f.flags().contains(OpenFlags::O_PATH) {
        return Err(Errno::EBADF);
    }
    let key = lock_key(&f)?;
    let owner = Arc::as_ptr(&f) as u64;
    let want = crate::kernel::locks::Lock { owner, start: 0, end: u64::MAX, write: kind == LOCK_EX };
    let flocks = &t.kernel().flocks;
    let interrupted = || crate::kernel::signals::interrupted(t);
    flocks.set(key, want, kind == LOCK_UN, op & LOCK_NB == 0, &interrupted).map_err(|e| {
        if e == Errno::EAGAIN {
            Errno::EWOULDBLOCK
        } else {
            e
        }
    })?;
    // The description releases it when it is last closed.
    *f.flock.lock().unwrap_or_else(|e| e.into_inner()) = (kind != LOCK_UN).then(|| (flocks.clone(), key, owner));
    Ok(0)
}
