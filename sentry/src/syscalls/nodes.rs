//! Making file system nodes other than directories and links: mknod(2) and
//! mknodat(2) (FIFOs, regular files, the 0/0 whiteout device).

use sbx_abi::flags::{AT_FDCWD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG};
use sbx_abi::{Errno, SysResult};

use super::file::path_arg;
use super::{sys, Syscall, SyscallArgs};
use crate::kernel::Task;
use crate::vfs::{self, MAY_EXEC, MAY_WRITE};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_MKNOD, sys_mknod, "sox", "S_IFSOCK returns EPERM (sockets get their node from bind)"),
    sys!(SYS_MKNODAT, sys_mknodat, "dsox", "S_IFSOCK returns EPERM (sockets get their node from bind)"),
];

/// Socket (not in sbx_abi's flags).
const S_IFSOCK: u32 = 0o140000;

/// The `dev_t` of a 32-bit `new_encode_dev` number, as stat reports it.
fn decode_dev(dev: u32) -> u64 {
    let major = u64::from((dev & 0xfff00) >> 8);
    let minor = u64::from((dev & 0xff) | ((dev >> 12) & 0xfff00));
    ((major & 0xfff) << 8) | ((major & !0xfff) << 32) | (minor & 0xff) | ((minor & !0xff) << 12)
}

fn do_mknod(t: &Task, dirfd: i32, paddr: u64, mode: u32, dev: u32) -> SysResult {
    let ty = mode & S_IFMT;
    match ty {
        0 | S_IFREG | S_IFIFO | S_IFSOCK | S_IFCHR | S_IFBLK => {}
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    let path = path_arg(t, paddr)?;
    let (dir, name, trailing) = vfs::resolve_parent_at(t, dirfd, &path)?;
    if name.is_empty() || name == b"." || name == b".." || dir.inode().lookup(t, &name).is_ok() {
        return Err(Errno::EEXIST);
    }
    if trailing {
        return Err(Errno::ENOENT);
    }
    vfs::permission(t, &dir.inode().stat()?, MAY_WRITE | MAY_EXEC, true)?;
    // The guest's root is root of its own user namespace only: like Linux there,
    // it may make no device node but the overlay whiteout (character 0/0).
    let whiteout = ty == S_IFCHR && dev == 0;
    if (ty == S_IFCHR || ty == S_IFBLK) && !whiteout {
        return Err(Errno::EPERM);
    }
    if ty == S_IFSOCK {
        return Err(Errno::EPERM);
    }
    let kind = if ty == 0 { S_IFREG } else { ty };
    let c = vfs::create_attrs(t, &dir, mode, kind)?;
    dir.inode().mknod(t, &name, c, decode_dev(dev))?;
    t.kernel.notify.created(&dir, &name, false);
    Ok(0)
}

/// mknod(2).
pub fn sys_mknod(t: &Task, a: &SyscallArgs) -> SysResult {
    do_mknod(t, AT_FDCWD, a.addr(0), a.u32(1), a.u32(2))
}

/// mknodat(2).
pub fn sys_mknodat(t: &Task, a: &SyscallArgs) -> SysResult {
    do_mknod(t, a.fd(0), a.addr(1), a.u32(2), a.u32(3))
}
