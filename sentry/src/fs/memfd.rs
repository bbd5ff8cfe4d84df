//! Regular files born without a name: O_TMPFILE files (open(2)) and memfds
//! (memfd_create(2)).
//!
//! An O_TMPFILE file is made by its directory's file system ([`Inode::tmpfile`]:
//! tmpfs, and the overlay, whose upper layer is tmpfs) with no link; linkat(2)
//! can give it a name once unless it was opened with O_EXCL. Its description sits
//! in the tree below the directory under the name `#<inode>`, which is what
//! /proc/PID/fd shows (with " (deleted)", as Linux does).
//!
//! A memfd is a file of the kernel's internal tmpfs ([`Kernel::memfd_fs`]); its
//! seals live on the tmpfs node (see fs/tmpfs.rs).
//!
//! [`Kernel::memfd_fs`]: crate::kernel::Kernel::memfd_fs

use std::sync::Arc;

use sbx_abi::flags::{OpenFlags, S_IFREG};
use sbx_abi::Errno;

use super::tmpfs::TmpInode;
use crate::kernel::Task;
use crate::vfs::{self, FileDescription, Follow, Inode, Location, MAY_EXEC, MAY_WRITE};

/// The part of `O_TMPFILE` that is not O_DIRECTORY (`__O_TMPFILE`).
pub const O_TMPFILE_BIT: u32 = 0o20000000;

/// open(2) with O_TMPFILE: an unnamed regular file in the directory `path`.
pub fn open_tmpfile(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: OpenFlags,
    mode: u32,
) -> Result<Arc<FileDescription>, Errno> {
    // build_open_flags: O_TMPFILE needs O_DIRECTORY and write access, and excludes
    // O_CREAT.
    if !flags.contains(OpenFlags::O_DIRECTORY) || !flags.writable() || flags.contains(OpenFlags::O_CREAT) {
        return Err(Errno::EINVAL);
    }
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let follow = if flags.contains(OpenFlags::O_NOFOLLOW) { Follow::No } else { Follow::Yes };
    let dir = vfs::lookup_at(t, dirfd, path, follow, false)?;
    if !vfs::is_dir(dir.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    vfs::permission(t, &dir.inode().stat()?, MAY_WRITE | MAY_EXEC, true)?;
    let c = vfs::create_attrs(t, &dir, mode, S_IFREG)?;
    let inode = dir.inode().tmpfile(t, c, !flags.contains(OpenFlags::O_EXCL))?;
    let ops = inode.clone().open(t, flags)?;
    let name = format!("#{}", inode.stat()?.st_ino);
    let mut loc = dir;
    loc.push(name.as_bytes(), inode);
    let shown = format!("{} (deleted)", loc.path_string());
    let keep = !(OpenFlags::O_CREAT | OpenFlags::O_EXCL | OpenFlags::O_NOCTTY | OpenFlags::O_TRUNC);
    let mut f = FileDescription::at(ops, flags & keep, loc);
    f.path = shown;
    Ok(Arc::new(f))
}

/// A new memfd named `name` (shown as `/memfd:<name> (deleted)`), with the
/// seals it starts with.
pub fn new_memfd(t: &Task, name: &[u8], mode: u32, seals: u32) -> Result<Arc<FileDescription>, Errno> {
    let fs = t.kernel().memfd_fs().clone();
    let creds = t.creds.borrow().clone();
    let c = vfs::Create { mode: S_IFREG | mode, uid: creds.uid.1, gid: creds.gid.1 };
    let inode: Arc<TmpInode> = fs.create_unnamed(c, false);
    inode.set_seals(seals);
    let dyn_inode: Arc<dyn Inode> = inode;
    let ops = dyn_inode.clone().open(t, OpenFlags::O_RDWR)?;
    let mut f = FileDescription::at(ops, OpenFlags::O_RDWR | OpenFlags::O_LARGEFILE, Location::root(dyn_inode));
    f.path = format!("/memfd:{} (deleted)", String::from_utf8_lossy(name));
    Ok(Arc::new(f))
}

/// The tmpfs node behind an open file, for the seal calls (EINVAL for files
/// that are not tmpfs files, as for Linux's non-shmem files).
pub fn sealable(f: &FileDescription) -> Result<&TmpInode, Errno> {
    let inode = f.inode().ok_or(Errno::EINVAL)?;
    let t = inode.as_any().downcast_ref::<TmpInode>().ok_or(Errno::EINVAL)?;
    if !matches!(t.content, super::tmpfs::Content::File(_)) {
        return Err(Errno::EINVAL);
    }
    Ok(t)
}

/// Whether a writable MAP_SHARED mapping of `f` is refused by its seals.
pub fn write_sealed(f: &FileDescription) -> bool {
    sealable(f).is_ok_and(|i| i.seals() & (super::tmpfs::F_SEAL_WRITE | super::tmpfs::F_SEAL_FUTURE_WRITE) != 0)
}
