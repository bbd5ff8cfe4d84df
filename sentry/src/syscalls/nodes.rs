//! Making file system nodes other than directories and links: mknod(2) and
//! mknodat(2) (FIFOs, regular files, the 0/0 whiteout device), and the unnamed
//! files of memfd_create(2).

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
    sys!(SYS_MEMFD_CREATE, sys_memfd_create, "sx", "MFD_HUGETLB returns EINVAL"),
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
    t.kernel().notify.created(&dir, &name, false);
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

const MFD_CLOEXEC: u32 = 1;
const MFD_ALLOW_SEALING: u32 = 2;
const MFD_HUGETLB: u32 = 4;
const MFD_NOEXEC_SEAL: u32 = 8;
const MFD_EXEC: u32 = 0x10;
/// Longest memfd name: NAME_MAX less the "memfd:" prefix.
const MFD_NAME_MAX: usize = 249;

/// memfd_create(2).
pub fn sys_memfd_create(t: &Task, a: &SyscallArgs) -> SysResult {
    use crate::fs::tmpfs::{F_SEAL_EXEC, F_SEAL_SEAL};
    let flags = a.u32(1);
    if flags & !(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MFD_EXEC != 0 && flags & MFD_NOEXEC_SEAL != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MFD_HUGETLB != 0 {
        // Huge pages are not offered (their sizes and rounding would differ).
        return Err(Errno::EINVAL);
    }
    let name = t.mm().read_cstr(a.addr(0), MFD_NAME_MAX + 1).map_err(|e| {
        if e == Errno::ENAMETOOLONG {
            Errno::EINVAL
        } else {
            e
        }
    })?;
    // vm.memfd_noexec is 0: executable unless MFD_NOEXEC_SEAL, which also allows
    // sealing and seals the execute bits.
    let (mode, seals) = if flags & MFD_NOEXEC_SEAL != 0 {
        (0o666, F_SEAL_EXEC)
    } else if flags & MFD_ALLOW_SEALING != 0 {
        (0o777, 0)
    } else {
        (0o777, F_SEAL_SEAL)
    };
    let f = crate::fs::memfd::new_memfd(t, &name, mode, seals)?;
    Ok(t.fds.install(f, flags & MFD_CLOEXEC != 0)? as u64)
}

#[cfg(test)]
mod tests {
    use sbx_abi::flags::AT_FDCWD;
    use sbx_abi::sysno::*;
    use sbx_abi::Errno;

    use crate::kernel::testing::{TestKernel, SCRATCH};

    #[test]
    fn fifo_nodes_and_memfd_seals() {
        let k = TestKernel::new();
        let p = k.cstr(0, "/tmp/fifo");
        assert_eq!(k.call(SYS_MKNOD, [p, 0o10644, 0, 0, 0, 0]), Ok(0));
        assert_eq!(k.call(SYS_MKNOD, [p, 0o10644, 0, 0, 0, 0]), Err(Errno::EEXIST));
        let dev = k.cstr(100, "/tmp/null");
        assert_eq!(k.call(SYS_MKNOD, [dev, 0o20666, 0x103, 0, 0, 0]), Err(Errno::EPERM));
        // Write-only and non-blocking without a reader: ENXIO; O_RDWR never waits.
        assert_eq!(k.call(SYS_OPENAT, [AT_FDCWD as u64, p, 0o4001, 0, 0, 0]), Err(Errno::ENXIO));
        let fd = k.call(SYS_OPENAT, [AT_FDCWD as u64, p, 0o2, 0, 0, 0]).unwrap();
        let data = k.cstr(200, "abc");
        assert_eq!(k.call(SYS_WRITE, [fd, data, 3, 0, 0, 0]), Ok(3));
        assert_eq!(k.call(SYS_READ, [fd, SCRATCH + 300, 10, 0, 0, 0]), Ok(3));
        assert_eq!(k.call(SYS_LSEEK, [fd, 0, 0, 0, 0, 0]), Err(Errno::ESPIPE));
        // memfd: sealing, then writes past the end refused.
        let name = k.cstr(400, "m");
        let m = k.call(SYS_MEMFD_CREATE, [name, 2, 0, 0, 0, 0]).unwrap();
        assert_eq!(k.call(SYS_WRITE, [m, data, 3, 0, 0, 0]), Ok(3));
        assert_eq!(k.call(SYS_FCNTL, [m, 1033, 4, 0, 0, 0]), Ok(0));
        assert_eq!(k.call(SYS_WRITE, [m, data, 3, 0, 0, 0]), Err(Errno::EPERM));
        assert_eq!(k.call(SYS_PWRITE64, [m, data, 3, 0, 0, 0]), Ok(3));
        assert_eq!(k.call(SYS_FCNTL, [m, 1034, 0, 0, 0, 0]), Ok(4));
    }
}
