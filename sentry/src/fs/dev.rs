//! Devices and the /dev tree: a tmpfs holding device nodes (as devtmpfs does), with
//! the memory devices, and /dev/fd, /dev/std* pointing into /proc/self/fd.

use std::sync::Arc;

use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::tmpfs::{TmpFs, TmpInode};
use crate::vfs::{Create, FileDescription, FileOps};

/// makedev(major, minor) as Linux encodes it for userspace.
pub const fn makedev(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

/// /dev/null.
pub const NULL: u64 = makedev(1, 3);
/// /dev/zero.
pub const ZERO: u64 = makedev(1, 5);
/// /dev/full.
pub const FULL: u64 = makedev(1, 7);
/// /dev/random.
pub const RANDOM: u64 = makedev(1, 8);
/// /dev/urandom.
pub const URANDOM: u64 = makedev(1, 9);
/// /dev/tty.
pub const TTY: u64 = makedev(5, 0);

/// The memory devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mem {
    Null,
    Zero,
    Full,
    Random,
}

struct MemDev(Mem);

impl FileOps for MemDev {
    fn read(&self, _f: &FileDescription, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        match self.0 {
            Mem::Null => Ok(0),
            Mem::Zero | Mem::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Mem::Random => sbx_platform::host::getrandom(buf, 0).map_err(|e| Errno(e as i32)),
        }
    }
    fn write(&self, _f: &FileDescription, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        match self.0 {
            Mem::Full => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }
    fn stat(&self, f: &FileDescription) -> Result<Stat, Errno> {
        f.inode().ok_or(Errno::EBADF)?.stat()
    }
}

/// Opens the device `rdev`.
pub fn open_device(rdev: u64) -> Result<Box<dyn FileOps>, Errno> {
    Ok(Box::new(MemDev(match rdev {
        NULL => Mem::Null,
        ZERO => Mem::Zero,
        FULL => Mem::Full,
        RANDOM | URANDOM => Mem::Random,
        // No controlling terminal inside the sandbox yet.
        TTY => return Err(Errno::ENXIO),
        _ => return Err(Errno::ENODEV),
    })))
}

/// Builds /dev. `shm` gets its own tmpfs mount by the caller.
pub fn new_devfs(pool: &Arc<crate::mm::MemoryPool>, dev: u64) -> Result<Arc<TmpInode>, Errno> {
    let root = TmpFs::new_root(pool, dev, 0o755, 0, 0);
    let c = |mode| Create { mode, uid: 0, gid: 0 };
    for (name, rdev) in [
        (&b"null"[..], NULL),
        (b"zero", ZERO),
        (b"full", FULL),
        (b"random", RANDOM),
        (b"urandom", URANDOM),
        (b"tty", TTY),
    ] {
        root.create_device(name, rdev, c(0o666))?;
    }
    root.create_symlink(b"fd", b"/proc/self/fd", c(0o777))?;
    root.create_symlink(b"stdin", b"/proc/self/fd/0", c(0o777))?;
    root.create_symlink(b"stdout", b"/proc/self/fd/1", c(0o777))?;
    root.create_symlink(b"stderr", b"/proc/self/fd/2", c(0o777))?;
    root.create_dir(b"shm", c(0o1777))?;
    root.create_dir(b"pts", c(0o755))?;
    Ok(root)
}
