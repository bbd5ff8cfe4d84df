//! Path operations: stat family, directories, links, permissions, times, cwd.

use std::sync::Arc;

use sbx_abi::flags::{
    dt, AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_REMOVEDIR, AT_STATX_SYNC_TYPE, AT_SYMLINK_FOLLOW,
    AT_SYMLINK_NOFOLLOW, S_IFDIR, S_IFLNK, S_IFMT,
};
use sbx_abi::structs::{statx_mask, Dirent64Header, Stat, Statx, StatxTimestamp, Timespec, Timeval};
use sbx_abi::{Errno, SysResult};
use zerocopy::IntoBytes;

use super::file::path_arg;
use super::{sys, Syscall, SyscallArgs};
use crate::fs::inotify::{IN_ACCESS, IN_ATTRIB, IN_MODIFY};
use crate::kernel::Task;
use crate::vfs::{self, permission, Follow, Inode, Location, SetAttr, MAY_EXEC, MAY_READ, MAY_WRITE};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_STAT, sys_stat, "sx"),
    sys!(SYS_LSTAT, sys_lstat, "sx"),
    sys!(SYS_FSTAT, sys_fstat, "dx"),
    sys!(SYS_NEWFSTATAT, sys_newfstatat, "dsxx"),
    sys!(SYS_STATX, sys_statx, "dsxxx"),
    sys!(SYS_STATFS, sys_statfs, "sx"),
    sys!(SYS_FSTATFS, sys_fstatfs, "dx"),
    sys!(SYS_GETDENTS64, sys_getdents64, "dxu"),
    sys!(SYS_GETDENTS, sys_getdents, "dxu"),
    sys!(SYS_MKDIR, sys_mkdir, "so"),
    sys!(SYS_MKDIRAT, sys_mkdirat, "dso"),
    sys!(SYS_RMDIR, sys_rmdir, "s"),
    sys!(SYS_UNLINK, sys_unlink, "s"),
    sys!(SYS_UNLINKAT, sys_unlinkat, "dsx"),
    sys!(SYS_RENAME, sys_rename, "ss"),
    sys!(SYS_RENAMEAT, sys_renameat, "dsds"),
    sys!(SYS_RENAMEAT2, sys_renameat2, "dsdsx"),
    sys!(SYS_LINK, sys_link, "ss"),
    sys!(SYS_LINKAT, sys_linkat, "dsdsx"),
    sys!(SYS_SYMLINK, sys_symlink, "ss"),
    sys!(SYS_SYMLINKAT, sys_symlinkat, "sds"),
    sys!(SYS_READLINK, sys_readlink, "sxu"),
    sys!(SYS_READLINKAT, sys_readlinkat, "dsxu"),
    sys!(SYS_ACCESS, sys_access, "so"),
    sys!(SYS_FACCESSAT, sys_faccessat, "dso"),
    sys!(SYS_FACCESSAT2, sys_faccessat2, "dsox"),
    sys!(SYS_CHMOD, sys_chmod, "so"),
    sys!(SYS_FCHMOD, sys_fchmod, "do"),
    sys!(SYS_FCHMODAT, sys_fchmodat, "dso"),
    sys!(SYS_CHOWN, sys_chown, "sdd"),
    sys!(SYS_LCHOWN, sys_lchown, "sdd"),
    sys!(SYS_FCHOWN, sys_fchown, "ddd"),
    sys!(SYS_FCHOWNAT, sys_fchownat, "dsddx"),
    sys!(SYS_UTIMENSAT, sys_utimensat, "dsxx"),
    sys!(SYS_UTIMES, sys_utimes, "sx"),
    sys!(SYS_UMASK, sys_umask, "o"),
    sys!(SYS_GETCWD, sys_getcwd, "xu"),
    sys!(SYS_CHDIR, sys_chdir, "s"),
    sys!(SYS_FCHDIR, sys_fchdir, "d"),
    sys!(SYS_CHROOT, sys_chroot, "s"),
    sys!(SYS_GETXATTR, sys_getxattr, "ssxu", "no file system keeps xattrs yet"),
    sys!(SYS_LGETXATTR, sys_lgetxattr, "ssxu", "no file system keeps xattrs yet"),
    sys!(SYS_FGETXATTR, sys_fgetxattr, "dsxu", "no file system keeps xattrs yet"),
    sys!(SYS_LISTXATTR, sys_listxattr, "sxu", "no file system keeps xattrs yet"),
    sys!(SYS_LLISTXATTR, sys_llistxattr, "sxu", "no file system keeps xattrs yet"),
    sys!(SYS_FLISTXATTR, sys_flistxattr, "dxu", "no file system keeps xattrs yet"),
    sys!(SYS_SETXATTR, sys_setxattr, "ssxux", "no file system keeps xattrs yet"),
    sys!(SYS_LSETXATTR, sys_lsetxattr, "ssxux", "no file system keeps xattrs yet"),
    sys!(SYS_FSETXATTR, sys_fsetxattr, "dsxux", "no file system keeps xattrs yet"),
    sys!(SYS_REMOVEXATTR, sys_removexattr, "ss", "no file system keeps xattrs yet"),
    sys!(SYS_LREMOVEXATTR, sys_lremovexattr, "ss", "no file system keeps xattrs yet"),
    sys!(SYS_FREMOVEXATTR, sys_fremovexattr, "ds", "no file system keeps xattrs yet"),
];

fn lookup(t: &Task, dirfd: i32, path: &[u8], flags: u32) -> Result<Location, Errno> {
    let follow = if flags & AT_SYMLINK_NOFOLLOW != 0 { Follow::No } else { Follow::Yes };
    vfs::lookup_at(t, dirfd, path, follow, flags & AT_EMPTY_PATH != 0)
}

fn stat_out(t: &Task, addr: u64, st: &Stat) -> SysResult {
    t.mm().copy_out(addr, st)?;
    Ok(0)
}

/// stat(2).
pub fn sys_stat(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    let st = lookup(t, AT_FDCWD, &path, 0)?.inode().stat()?;
    stat_out(t, a.addr(1), &st)
}

/// lstat(2).
pub fn sys_lstat(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    let st = lookup(t, AT_FDCWD, &path, AT_SYMLINK_NOFOLLOW)?.inode().stat()?;
    stat_out(t, a.addr(1), &st)
}

/// fstat(2).
pub fn sys_fstat(t: &Task, a: &SyscallArgs) -> SysResult {
    let st = t.fds.get(a.fd(0))?.stat()?;
    stat_out(t, a.addr(1), &st)
}

fn stat_at(t: &Task, dirfd: i32, path: &[u8], flags: u32) -> Result<Stat, Errno> {
    if path.is_empty() && flags & AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD {
        return t.fds.get(dirfd)?.stat();
    }
    lookup(t, dirfd, path, flags)?.inode().stat()
}

/// newfstatat(2).
pub fn sys_newfstatat(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(3);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a.addr(1))?;
    let st = stat_at(t, a.fd(0), &path, flags)?;
    stat_out(t, a.addr(2), &st)
}

fn major(d: u64) -> u32 {
    (((d >> 8) & 0xfff) | ((d >> 32) & !0xfff)) as u32
}

fn minor(d: u64) -> u32 {
    ((d & 0xff) | ((d >> 12) & !0xff)) as u32
}

/// statx(2).
pub fn sys_statx(t: &Task, a: &SyscallArgs) -> SysResult {
    let (dirfd, flags, mask) = (a.fd(0), a.u32(2), a.u32(3));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & statx_mask::STATX__RESERVED != 0
    {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a.addr(1))?;
    let st = stat_at(t, dirfd, &path, flags)?;
    let ts = |s: i64, n: i64| StatxTimestamp { tv_sec: s, tv_nsec: n as u32, __reserved: 0 };
    let sx = Statx {
        stx_mask: statx_mask::STATX_BASIC_STATS,
        stx_blksize: st.st_blksize as u32,
        stx_nlink: st.st_nlink as u32,
        stx_uid: st.st_uid,
        stx_gid: st.st_gid,
        stx_mode: st.st_mode as u16,
        stx_ino: st.st_ino,
        stx_size: st.st_size as u64,
        stx_blocks: st.st_blocks as u64,
        stx_atime: ts(st.st_atime, st.st_atime_nsec),
        stx_ctime: ts(st.st_ctime, st.st_ctime_nsec),
        stx_mtime: ts(st.st_mtime, st.st_mtime_nsec),
        stx_rdev_major: major(st.st_rdev),
        stx_rdev_minor: minor(st.st_rdev),
        stx_dev_major: major(st.st_dev),
        stx_dev_minor: minor(st.st_dev),
        ..Default::default()
    };
    t.mm().copy_out(a.addr(4), &sx)?;
    Ok(0)
}

/// statfs(2).
pub fn sys_statfs(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    let s = lookup(t, AT_FDCWD, &path, 0)?.inode().statfs()?;
    t.mm().copy_out(a.addr(1), &s)?;
    Ok(0)
}

/// fstatfs(2).
pub fn sys_fstatfs(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    let s = match f.inode() {
        Some(i) => i.statfs()?,
        None => sbx_abi::structs::Statfs {
            f_type: 0x5049_5045,
            f_bsize: 4096,
            f_namelen: 255,
            f_frsize: 4096,
            ..Default::default()
        },
    };
    t.mm().copy_out(a.addr(1), &s)?;
    Ok(0)
}

/// Fills `buf` with directory records; `record` encodes one entry (None: no room).
fn getdents(t: &Task, a: &SyscallArgs, record: impl Fn(&vfs::DirEntry, u64) -> Vec<u8>) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    let inode = f.inode().ok_or(Errno::ENOTDIR)?.clone();
    if !vfs::is_dir(inode.as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    let (addr, count) = (a.addr(1), a.usize(2));
    let mut pos = f.pos();
    let mut cache = f.dirents.lock().unwrap_or_else(|e| e.into_inner());
    if *pos == 0 || cache.is_none() {
        let st = inode.stat()?;
        let mut v = vec![
            vfs::DirEntry { name: b".".to_vec(), ino: st.st_ino, d_type: dt::DIR },
            vfs::DirEntry { name: b"..".to_vec(), ino: st.st_ino, d_type: dt::DIR },
        ];
        v.extend(inode.readdir(t)?);
        *cache = Some(v);
    }
    let entries = cache.as_ref().ok_or(Errno::EIO)?;
    let mut out = Vec::new();
    let mut i = *pos as usize;
    while i < entries.len() {
        let rec = record(&entries[i], i as u64 + 1);
        if out.len() + rec.len() > count {
            if out.is_empty() {
                return Err(Errno::EINVAL);
            }
            break;
        }
        out.extend_from_slice(&rec);
        i += 1;
    }
    t.mm().copy_out_bytes(addr, &out)?;
    *pos = i as u64;
    drop((pos, cache));
    t.kernel().notify.file_io(&f, IN_ACCESS);
    Ok(out.len() as u64)
}

/// getdents64(2).
pub fn sys_getdents64(t: &Task, a: &SyscallArgs) -> SysResult {
    getdents(t, a, |e, next| {
        let len = (19 + e.name.len() + 1).div_ceil(8) * 8;
        let h = Dirent64Header { d_ino: e.ino, d_off: next as i64, d_reclen: len as u16, d_type: e.d_type };
        let mut r = h.as_bytes().to_vec();
        r.extend_from_slice(&e.name);
        r.resize(len, 0);
        r
    })
}

/// getdents(2): the old record, with the type in the last byte.
pub fn sys_getdents(t: &Task, a: &SyscallArgs) -> SysResult {
    getdents(t, a, |e, next| {
        let len = (18 + e.name.len() + 2).div_ceil(8) * 8;
        let mut r = Vec::with_capacity(len);
        r.extend_from_slice(&e.ino.to_le_bytes());
        r.extend_from_slice(&(next as i64).to_le_bytes());
        r.extend_from_slice(&(len as u16).to_le_bytes());
        r.extend_from_slice(&e.name);
        r.resize(len, 0);
        r[len - 1] = e.d_type;
        r
    })
}

/// Write and search permission on a directory, plus the sticky-bit rule for
/// removing or replacing `victim` in it.
fn may_change(t: &Task, dir: &Location, victim: Option<&Arc<dyn Inode>>) -> Result<(), Errno> {
    let dst = dir.inode().stat()?;
    permission(t, &dst, MAY_WRITE | MAY_EXEC, true)?;
    if let Some(v) = victim {
        let uid = t.creds.borrow().uid.1;
        if dst.st_mode & 0o1000 != 0 && uid != 0 && uid != dst.st_uid && uid != v.stat()?.st_uid {
            return Err(Errno::EPERM);
        }
    }
    Ok(())
}

fn do_mkdir(t: &Task, dirfd: i32, addr: u64, mode: u32) -> SysResult {
    let path = path_arg(t, addr)?;
    let (dir, name, _) = vfs::resolve_parent_at(t, dirfd, &path)?;
    if name.is_empty() || name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    if dir.inode().lookup(t, &name).is_ok() {
        return Err(Errno::EEXIST);
    }
    may_change(t, &dir, None)?;
    let c = vfs::create_attrs(t, &dir, mode & 0o1777, S_IFDIR)?;
    dir.inode().mkdir(t, &name, c)?;
    t.kernel().notify.created(&dir, &name, true);
    Ok(0)
}

/// mkdir(2).
pub fn sys_mkdir(t: &Task, a: &SyscallArgs) -> SysResult {
    do_mkdir(t, AT_FDCWD, a.addr(0), a.u32(1))
}

/// mkdirat(2).
pub fn sys_mkdirat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_mkdir(t, a.fd(0), a.addr(1), a.u32(2))
}

fn do_unlink(t: &Task, dirfd: i32, path: &[u8], dir_wanted: bool) -> SysResult {
    let (dir, name, trailing) = vfs::resolve_parent_at(t, dirfd, path)?;
    if dir_wanted {
        match name.as_slice() {
            b"" => return Err(Errno::EBUSY),
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
    } else if name.is_empty() || name == b"." || name == b".." {
        return Err(Errno::EISDIR);
    }
    let victim = dir.inode().lookup(t, &name)?;
    let vst = victim.stat()?;
    let is_dir = vst.st_mode & S_IFMT == S_IFDIR;
    if !dir_wanted && is_dir {
        return Err(Errno::EISDIR);
    }
    if !dir_wanted && trailing {
        return Err(Errno::ENOTDIR);
    }
    if dir_wanted && !is_dir {
        return Err(Errno::ENOTDIR);
    }
    let mut p = dir.path();
    if p != b"/" {
        p.push(b'/');
    }
    p.extend_from_slice(&name);
    if t.kernel().mounts.mounted_at(&p).is_some() {
        return Err(Errno::EBUSY);
    }
    may_change(t, &dir, Some(&victim))?;
    if dir_wanted {
        dir.inode().rmdir(t, &name)?;
    } else {
        dir.inode().unlink(t, &name)?;
    }
    t.kernel().notify.unlinked(&dir, &name, &victim, is_dir);
    Ok(0)
}

/// rmdir(2).
pub fn sys_rmdir(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    do_unlink(t, AT_FDCWD, &path, true)
}

/// unlink(2).
pub fn sys_unlink(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    do_unlink(t, AT_FDCWD, &path, false)
}

/// unlinkat(2).
pub fn sys_unlinkat(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(2);
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a.addr(1))?;
    do_unlink(t, a.fd(0), &path, flags & AT_REMOVEDIR != 0)
}

fn do_rename(t: &Task, odirfd: i32, oaddr: u64, ndirfd: i32, naddr: u64, flags: u32) -> SysResult {
    let old = path_arg(t, oaddr)?;
    let new = path_arg(t, naddr)?;
    let (od, on, _) = vfs::resolve_parent_at(t, odirfd, &old)?;
    let (nd, nn, _) = vfs::resolve_parent_at(t, ndirfd, &new)?;
    for n in [&on, &nn] {
        if n.is_empty() || n.as_slice() == b"." || n.as_slice() == b".." {
            return Err(Errno::EBUSY);
        }
    }
    let victim = od.inode().lookup(t, &on)?;
    may_change(t, &od, Some(&victim))?;
    let target = nd.inode().lookup(t, &nn).ok();
    may_change(t, &nd, target.as_ref())?;
    // The same file system means the same mount: compare device numbers.
    if od.inode().stat()?.st_dev != nd.inode().stat()?.st_dev && !same_fs(&od, &nd) {
        return Err(Errno::EXDEV);
    }
    od.inode().rename(t, &on, nd.inode(), &nn, flags)?;
    const RENAME_EXCHANGE: u32 = 2;
    if flags & RENAME_EXCHANGE != 0 {
        // Two moves, as fsnotify reports an exchange.
        t.kernel().notify.renamed(&od, &on, &nd, &nn, &victim, None);
        if let Some(other) = &target {
            t.kernel().notify.renamed(&nd, &nn, &od, &on, other, None);
        }
    } else {
        t.kernel().notify.renamed(&od, &on, &nd, &nn, &victim, target.as_ref());
    }
    Ok(0)
}

/// Overlay directories may report lower-layer device numbers; they still form one
/// file system with the root.
fn same_fs(a: &Location, b: &Location) -> bool {
    a.inode().as_any().is::<crate::fs::overlay::Ovl>() && b.inode().as_any().is::<crate::fs::overlay::Ovl>()
}

/// rename(2).
pub fn sys_rename(t: &Task, a: &SyscallArgs) -> SysResult {
    do_rename(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0)
}

/// renameat(2).
pub fn sys_renameat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_rename(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), 0)
}

/// renameat2(2).
pub fn sys_renameat2(t: &Task, a: &SyscallArgs) -> SysResult {
    do_rename(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.u32(4))
}

fn do_link(t: &Task, odirfd: i32, oaddr: u64, ndirfd: i32, naddr: u64, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = path_arg(t, oaddr)?;
    let new = path_arg(t, naddr)?;
    let follow = if flags & AT_SYMLINK_FOLLOW != 0 { Follow::Yes } else { Follow::No };
    let src = vfs::lookup_at(t, odirfd, &old, follow, flags & AT_EMPTY_PATH != 0)?;
    if vfs::is_dir(src.inode().as_ref()) {
        return Err(Errno::EPERM);
    }
    let (nd, nn, trailing) = vfs::resolve_parent_at(t, ndirfd, &new)?;
    if nn.is_empty() || nn == b"." || nn == b".." || trailing {
        return Err(Errno::EEXIST);
    }
    if nd.inode().lookup(t, &nn).is_ok() {
        return Err(Errno::EEXIST);
    }
    may_change(t, &nd, None)?;
    nd.inode().link(t, &nn, src.inode())?;
    t.kernel().notify.linked(src.inode(), &nd, &nn);
    Ok(0)
}

/// link(2).
pub fn sys_link(t: &Task, a: &SyscallArgs) -> SysResult {
    do_link(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0)
}

/// linkat(2).
pub fn sys_linkat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_link(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.u32(4))
}

fn do_symlink(t: &Task, taddr: u64, dirfd: i32, laddr: u64) -> SysResult {
    let target = path_arg(t, taddr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let link = path_arg(t, laddr)?;
    let (dir, name, trailing) = vfs::resolve_parent_at(t, dirfd, &link)?;
    if name.is_empty() || name == b"." || name == b".." || trailing {
        return Err(Errno::EEXIST);
    }
    if dir.inode().lookup(t, &name).is_ok() {
        return Err(Errno::EEXIST);
    }
    may_change(t, &dir, None)?;
    let c = vfs::create_attrs(t, &dir, 0o777, S_IFLNK)?;
    dir.inode().symlink(t, &name, &target, c)?;
    t.kernel().notify.created(&dir, &name, false);
    Ok(0)
}

/// symlink(2).
pub fn sys_symlink(t: &Task, a: &SyscallArgs) -> SysResult {
    do_symlink(t, a.addr(0), AT_FDCWD, a.addr(1))
}

/// symlinkat(2).
pub fn sys_symlinkat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_symlink(t, a.addr(0), a.fd(1), a.addr(2))
}

fn do_readlink(t: &Task, dirfd: i32, paddr: u64, buf: u64, size: i32) -> SysResult {
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, paddr)?;
    let loc = vfs::lookup_at(t, dirfd, &path, Follow::No, true)?;
    if !vfs::is_symlink(loc.inode().as_ref()) {
        return Err(if path.is_empty() { Errno::ENOENT } else { Errno::EINVAL });
    }
    let target = loc.inode().readlink(t)?;
    let n = target.len().min(size as usize);
    t.mm().copy_out_bytes(buf, &target[..n])?;
    Ok(n as u64)
}

/// readlink(2).
pub fn sys_readlink(t: &Task, a: &SyscallArgs) -> SysResult {
    do_readlink(t, AT_FDCWD, a.addr(0), a.addr(1), a.i32(2))
}

/// readlinkat(2).
pub fn sys_readlinkat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_readlink(t, a.fd(0), a.addr(1), a.addr(2), a.i32(3))
}

fn do_access(t: &Task, dirfd: i32, paddr: u64, mode: u32, flags: u32) -> SysResult {
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, paddr)?;
    let loc = lookup(t, dirfd, &path, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))?;
    if mode == 0 {
        return Ok(0);
    }
    let st = loc.inode().stat()?;
    permission(t, &st, mode & (MAY_READ | MAY_WRITE | MAY_EXEC), flags & AT_EACCESS != 0)?;
    if mode & MAY_WRITE != 0 && loc.inode().as_any().is::<crate::fs::gofer::GoferInode>() {
        return Err(Errno::EROFS);
    }
    Ok(0)
}

/// access(2).
pub fn sys_access(t: &Task, a: &SyscallArgs) -> SysResult {
    do_access(t, AT_FDCWD, a.addr(0), a.u32(1), 0)
}

/// faccessat(2).
pub fn sys_faccessat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_access(t, a.fd(0), a.addr(1), a.u32(2), 0)
}

/// faccessat2(2).
pub fn sys_faccessat2(t: &Task, a: &SyscallArgs) -> SysResult {
    do_access(t, a.fd(0), a.addr(1), a.u32(2), a.u32(3))
}

/// The Location of an open file, for calls that act on its inode.
fn fd_loc(t: &Task, fd: i32) -> Result<Location, Errno> {
    t.fds.get(fd)?.loc.clone().ok_or(Errno::EINVAL)
}

fn owner_or_root(t: &Task, i: &Arc<dyn Inode>) -> Result<(), Errno> {
    let uid = t.creds.borrow().uid.1;
    if uid == 0 || uid == i.stat()?.st_uid {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

fn chmod_inode(t: &Task, loc: &Location, mode: u32) -> SysResult {
    let i = loc.inode();
    owner_or_root(t, i)?;
    i.setattr(t, &SetAttr { mode: Some(mode & 0o7777), ..Default::default() })?;
    t.kernel().notify.changed(loc, IN_ATTRIB);
    Ok(0)
}

/// chmod(2).
pub fn sys_chmod(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    chmod_inode(t, &lookup(t, AT_FDCWD, &path, 0)?, a.u32(1))
}

/// fchmod(2).
pub fn sys_fchmod(t: &Task, a: &SyscallArgs) -> SysResult {
    chmod_inode(t, &fd_loc(t, a.fd(0))?, a.u32(1))
}

/// fchmodat(2).
pub fn sys_fchmodat(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(1))?;
    chmod_inode(t, &lookup(t, a.fd(0), &path, 0)?, a.u32(2))
}

fn chown_inode(t: &Task, loc: &Location, uid: u32, gid: u32) -> SysResult {
    let i = loc.inode();
    let st = i.stat()?;
    let me = t.creds.borrow().clone();
    let uid = (uid != u32::MAX).then_some(uid);
    let gid = (gid != u32::MAX).then_some(gid);
    if me.uid.1 != 0 {
        // Only the owner may change the group, to one of its own groups.
        if uid.is_some_and(|u| u != st.st_uid) || me.uid.1 != st.st_uid {
            return Err(Errno::EPERM);
        }
        if gid.is_some_and(|g| g != me.gid.1 && !me.groups.contains(&g)) {
            return Err(Errno::EPERM);
        }
    }
    i.setattr(t, &SetAttr { uid, gid, ..Default::default() })?;
    t.kernel().notify.changed(loc, IN_ATTRIB);
    Ok(0)
}

/// chown(2).
pub fn sys_chown(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    chown_inode(t, &lookup(t, AT_FDCWD, &path, 0)?, a.u32(1), a.u32(2))
}

/// lchown(2).
pub fn sys_lchown(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    chown_inode(t, &lookup(t, AT_FDCWD, &path, AT_SYMLINK_NOFOLLOW)?, a.u32(1), a.u32(2))
}

/// fchown(2).
pub fn sys_fchown(t: &Task, a: &SyscallArgs) -> SysResult {
    chown_inode(t, &fd_loc(t, a.fd(0))?, a.u32(1), a.u32(2))
}

/// fchownat(2).
pub fn sys_fchownat(t: &Task, a: &SyscallArgs) -> SysResult {
    let flags = a.u32(4);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a.addr(1))?;
    chown_inode(t, &lookup(t, a.fd(0), &path, flags)?, a.u32(2), a.u32(3))
}

const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

fn set_times(t: &Task, loc: &Location, times: Option<[Timespec; 2]>) -> SysResult {
    let i = loc.inode();
    let now = crate::fs::tmpfs::now();
    let pick = |ts: &Timespec| -> Result<Option<(i64, i64)>, Errno> {
        match ts.tv_nsec {
            UTIME_OMIT => Ok(None),
            UTIME_NOW => Ok(Some(now)),
            n if (0..1_000_000_000).contains(&n) => Ok(Some((ts.tv_sec, n))),
            _ => Err(Errno::EINVAL),
        }
    };
    let (atime, mtime) = match times {
        None => (Some(now), Some(now)),
        Some([a, m]) => (pick(&a)?, pick(&m)?),
    };
    let explicit = times.is_some_and(|[a, m]| a.tv_nsec != UTIME_NOW || m.tv_nsec != UTIME_NOW);
    let st = i.stat()?;
    let uid = t.creds.borrow().uid.1;
    if uid != 0 && uid != st.st_uid {
        if explicit {
            return Err(Errno::EPERM);
        }
        permission(t, &st, MAY_WRITE, true)?;
    }
    if atime.is_none() && mtime.is_none() {
        return Ok(0);
    }
    i.setattr(t, &SetAttr { atime, mtime, ..Default::default() })?;
    // fsnotify_change: both times are a utime call, one alone an access or write.
    let mask = match (atime.is_some(), mtime.is_some()) {
        (true, true) => IN_ATTRIB,
        (true, false) => IN_ACCESS,
        _ => IN_MODIFY,
    };
    t.kernel().notify.changed(loc, mask);
    Ok(0)
}

/// utimensat(2).
pub fn sys_utimensat(t: &Task, a: &SyscallArgs) -> SysResult {
    let (dirfd, paddr, taddr, flags) = (a.fd(0), a.addr(1), a.addr(2), a.u32(3));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let times = if taddr != 0 { Some(t.mm().copy_in::<[Timespec; 2]>(taddr)?) } else { None };
    let loc = if paddr == 0 {
        // futimens: the fd itself.
        fd_loc(t, dirfd)?
    } else {
        let path = path_arg(t, paddr)?;
        lookup(t, dirfd, &path, flags)?
    };
    set_times(t, &loc, times)
}

/// utimes(2).
pub fn sys_utimes(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    let times = if a.addr(1) != 0 {
        let tv: [Timeval; 2] = t.mm().copy_in(a.addr(1))?;
        let conv = |v: &Timeval| -> Result<Timespec, Errno> {
            if !(0..1_000_000).contains(&v.tv_usec) {
                return Err(Errno::EINVAL);
            }
            Ok(Timespec { tv_sec: v.tv_sec, tv_nsec: v.tv_usec * 1000 })
        };
        Some([conv(&tv[0])?, conv(&tv[1])?])
    } else {
        None
    };
    set_times(t, &lookup(t, AT_FDCWD, &path, 0)?, times)
}

/// umask(2).
pub fn sys_umask(t: &Task, a: &SyscallArgs) -> SysResult {
    Ok(u64::from(t.fs.set_umask(a.u32(0))))
}

/// getcwd(2).
pub fn sys_getcwd(t: &Task, a: &SyscallArgs) -> SysResult {
    let cwd = t.fs.cwd();
    let root = t.fs.root();
    let mut p = cwd.path();
    // Relative to a chroot: strip the root's own path.
    let rp = root.path();
    if rp != b"/" && p.starts_with(&rp) {
        p = p[rp.len()..].to_vec();
        if p.is_empty() {
            p = b"/".to_vec();
        }
    }
    p.push(0);
    if a.usize(1) < p.len() {
        return Err(Errno::ERANGE);
    }
    t.mm().copy_out_bytes(a.addr(0), &p)?;
    Ok(p.len() as u64)
}

fn chdir_to(t: &Task, loc: Location) -> SysResult {
    let st = loc.inode().stat()?;
    if st.st_mode & S_IFMT != S_IFDIR {
        return Err(Errno::ENOTDIR);
    }
    permission(t, &st, MAY_EXEC, true)?;
    t.fs.set_cwd(loc);
    Ok(0)
}

/// chdir(2).
pub fn sys_chdir(t: &Task, a: &SyscallArgs) -> SysResult {
    let path = path_arg(t, a.addr(0))?;
    chdir_to(t, lookup(t, AT_FDCWD, &path, 0)?)
}

/// fchdir(2).
pub fn sys_fchdir(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = t.fds.get(a.fd(0))?;
    let loc = f.loc.clone().ok_or(Errno::ENOTDIR)?;
    chdir_to(t, loc)
}

/// chroot(2).
pub fn sys_chroot(t: &Task, a: &SyscallArgs) -> SysResult {
    if t.creds.borrow().uid.1 != 0 {
        return Err(Errno::EPERM);
    }
    let path = path_arg(t, a.addr(0))?;
    let loc = lookup(t, AT_FDCWD, &path, 0)?;
    if !vfs::is_dir(loc.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    t.fs.set_root(loc);
    Ok(0)
}

/// The file an xattr call names: path (following symlinks or not) or fd.
fn xattr_target(t: &Task, a: &SyscallArgs, kind: u8) -> Result<(), Errno> {
    match kind {
        b'p' | b'l' => {
            let path = path_arg(t, a.addr(0))?;
            let flags = if kind == b'l' { AT_SYMLINK_NOFOLLOW } else { 0 };
            lookup(t, AT_FDCWD, &path, flags).map(drop)
        }
        _ => t.fds.get(a.fd(0)).map(drop),
    }
}

fn xattr_name(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    let name = t.mm().read_cstr(addr, 256).map_err(|e| if e == Errno::ENAMETOOLONG { Errno::ERANGE } else { e })?;
    if name.is_empty() {
        return Err(Errno::ERANGE);
    }
    Ok(name)
}

/// The sandbox's file systems keep no extended attributes: every lookup finds
/// none (ENODATA), lists are empty, and setting one is EOPNOTSUPP.
fn getxattr(t: &Task, a: &SyscallArgs, kind: u8) -> SysResult {
    xattr_target(t, a, kind)?;
    xattr_name(t, a.addr(1))?;
    Err(Errno::ENODATA)
}

fn listxattr(t: &Task, a: &SyscallArgs, kind: u8) -> SysResult {
    xattr_target(t, a, kind)?;
    Ok(0)
}

fn setxattr(t: &Task, a: &SyscallArgs, kind: u8) -> SysResult {
    xattr_target(t, a, kind)?;
    xattr_name(t, a.addr(1))?;
    Err(Errno::EOPNOTSUPP)
}

fn removexattr(t: &Task, a: &SyscallArgs, kind: u8) -> SysResult {
    xattr_target(t, a, kind)?;
    xattr_name(t, a.addr(1))?;
    Err(Errno::ENODATA)
}

/// getxattr(2).
pub fn sys_getxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    getxattr(t, a, b'p')
}
/// lgetxattr(2).
pub fn sys_lgetxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    getxattr(t, a, b'l')
}
/// fgetxattr(2).
pub fn sys_fgetxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    getxattr(t, a, b'f')
}
/// listxattr(2).
pub fn sys_listxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    listxattr(t, a, b'p')
}
/// llistxattr(2).
pub fn sys_llistxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    listxattr(t, a, b'l')
}
/// flistxattr(2).
pub fn sys_flistxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    listxattr(t, a, b'f')
}
/// setxattr(2).
pub fn sys_setxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    setxattr(t, a, b'p')
}
/// lsetxattr(2).
pub fn sys_lsetxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    setxattr(t, a, b'l')
}
/// fsetxattr(2).
pub fn sys_fsetxattr(t: &Task, a: &SyscallArgs) -> SysResult {
    setxattr(t, a, b'f')
}
/// removexattr(2).
pub fn sys_removexattr(t: &Task, a: &SyscallArgs) -> SysResult {
    removexattr(t, a, b'p')
}
/// lremovexattr(2).
pub fn sys_lremovexattr(t: &Task, a: &SyscallArgs) -> SysResult {
    removexattr(t, a, b'l')
}
/// fremovexattr(2).
pub fn sys_fremovexattr(t: &Task, a: &SyscallArgs) -> SysResult {
    removexattr(t, a, b'f')
}

#[cfg(test)]
mod tests {
    use sbx_abi::flags::AT_FDCWD;
    use sbx_abi::sysno::*;
    use sbx_abi::Errno;

    use crate::kernel::testing::{TestKernel, SCRATCH};

    const O_CREAT: u64 = 0o100;
    const O_RDWR: u64 = 2;
    const O_NOFOLLOW: u64 = 0o400000;

    fn open(k: &TestKernel, path: &str, flags: u64) -> Result<u64, Errno> {
        let p = k.cstr(0, path);
        k.call(SYS_OPENAT, [AT_FDCWD as u64, p, flags, 0o644, 0, 0])
    }

    #[test]
    fn walk_symlinks_dotdot_and_loops() {
        let k = TestKernel::new();
        let a = k.cstr(0, "/tmp/d");
        k.call(SYS_MKDIR, [a, 0o755, 0, 0, 0, 0]).unwrap();
        let (t, l) = (k.cstr(100, "../d"), k.cstr(200, "/tmp/d/up"));
        k.call(SYS_SYMLINK, [t, l, 0, 0, 0, 0]).unwrap();
        // /tmp/d/up -> ../d, so /tmp/d/up/up/up is /tmp/d.
        let p = k.cstr(300, "/tmp/d/up/up/up/../../tmp/d");
        k.call(SYS_CHDIR, [p, 0, 0, 0, 0, 0]).unwrap();
        k.call(SYS_GETCWD, [SCRATCH + 1000, 100, 0, 0, 0, 0]).unwrap();
        assert_eq!(k.task.mm().read_cstr(SCRATCH + 1000, 100).unwrap(), b"/tmp/d");
        // ".." never leaves the root.
        let p = k.cstr(300, "/../../..");
        k.call(SYS_CHDIR, [p, 0, 0, 0, 0, 0]).unwrap();
        k.call(SYS_GETCWD, [SCRATCH + 1000, 100, 0, 0, 0, 0]).unwrap();
        assert_eq!(k.task.mm().read_cstr(SCRATCH + 1000, 100).unwrap(), b"/");
        // A self-referencing link is ELOOP; a file in the middle of a path ENOTDIR.
        let (t, l) = (k.cstr(100, "loop"), k.cstr(200, "/tmp/loop"));
        k.call(SYS_SYMLINK, [t, l, 0, 0, 0, 0]).unwrap();
        assert_eq!(open(&k, "/tmp/loop", 0), Err(Errno::ELOOP));
        assert_eq!(open(&k, "/tmp/loop", O_NOFOLLOW), Err(Errno::ELOOP));
        let fd = open(&k, "/tmp/f", O_CREAT | O_RDWR).unwrap();
        assert_eq!(open(&k, "/tmp/f/x", 0), Err(Errno::ENOTDIR));
        // A bad pointer is EFAULT, not a crash.
        assert_eq!(k.call(SYS_WRITE, [fd, 8, 10, 0, 0, 0]), Err(Errno::EFAULT));
        assert_eq!(k.call(SYS_OPEN, [16, 0, 0, 0, 0, 0]), Err(Errno::EFAULT));
    }

    #[test]
    fn overlay_copies_up_and_whites_out() {
        let k = TestKernel::new();
        let etc = k.lower.entries().unwrap().get(&b"etc"[..]).cloned().unwrap();
        let c = crate::vfs::Create { mode: 0o100644, uid: 0, gid: 0 };
        etc.create_file(b"conf", c, b"lower".to_vec()).unwrap();
        // Writing copies up: the lower file is unchanged.
        let fd = open(&k, "/etc/conf", O_RDWR).unwrap();
        let buf = k.cstr(500, "UPPER");
        assert_eq!(k.call(SYS_WRITE, [fd, buf, 5, 0, 0, 0]), Ok(5));
        let lower_file = etc.entries().unwrap().get(&b"conf"[..]).cloned().unwrap();
        assert_eq!(lower_file.read_all().unwrap(), b"lower");
        k.call(SYS_PREAD64, [fd, SCRATCH + 600, 5, 0, 0, 0]).unwrap();
        let mut got = [0u8; 5];
        k.task.mm().copy_in_bytes(SCRATCH + 600, &mut got).unwrap();
        assert_eq!(&got, b"UPPER");
        // Unlinking leaves a whiteout: the name is gone, the lower file is not.
        let p = k.cstr(0, "/etc/conf");
        k.call(SYS_UNLINK, [p, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(open(&k, "/etc/conf", 0), Err(Errno::ENOENT));
        assert!(etc.entries().unwrap().contains_key(&b"conf"[..]));
        // getdents no longer lists it.
        let dfd = open(&k, "/etc", 0).unwrap();
        let n = k.call(SYS_GETDENTS64, [dfd, SCRATCH + 2000, 4096, 0, 0, 0]).unwrap();
        let mut raw = vec![0u8; n as usize];
        k.task.mm().copy_in_bytes(SCRATCH + 2000, &mut raw).unwrap();
        assert!(!raw.windows(4).any(|w| w == b"conf"), "whited-out name listed");
        // A new file of the same name is a fresh upper file.
        let fd = open(&k, "/etc/conf", O_CREAT | O_RDWR).unwrap();
        k.call(SYS_FSTAT, [fd, SCRATCH + 3000, 0, 0, 0, 0]).unwrap();
        let st: sbx_abi::structs::Stat = k.task.mm().copy_in(SCRATCH + 3000).unwrap();
        assert_eq!(st.st_size, 0);
    }
}
