//! Path walks and open(2).

use std::collections::VecDeque;
use std::sync::Arc;

use sbx_abi::flags::{OpenFlags, AT_FDCWD, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use sbx_abi::Errno;

use super::file::{DirFile, PathFile};
use super::{
    is_dir, permission, Create, FileDescription, Location, MagicTarget, OpenFileInode, SetAttr, MAY_EXEC, MAY_READ,
    MAY_WRITE, NAME_MAX,
};
use crate::kernel::Task;

/// Whether a walk follows a symlink in the last component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Follow it (stat, open without O_NOFOLLOW).
    Yes,
    /// Stop at it (lstat, unlink, O_NOFOLLOW).
    No,
}

/// Most symlinks one walk may follow (MAXSYMLINKS).
const MAX_SYMLINKS: usize = 40;

/// Where a walk of `path` starts: the root, the cwd, or the directory `dirfd`.
fn start(t: &Task, dirfd: i32, path: &[u8]) -> Result<Location, Errno> {
    if path.first() == Some(&b'/') {
        return Ok(t.fs.root());
    }
    if dirfd == AT_FDCWD {
        return Ok(t.fs.cwd());
    }
    let f = t.fds.get(dirfd)?;
    let loc = f.loc.clone().ok_or(Errno::ENOTDIR)?;
    if !is_dir(loc.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    Ok(loc)
}

/// Walks `path` from `loc`.
pub fn walk(t: &Task, mut loc: Location, path: &[u8], follow: Follow) -> Result<Location, Errno> {
    let root = t.fs.root();
    let mounts = t.kernel.mounts.clone();
    let trailing_slash = path.last() == Some(&b'/');
    let mut comps: VecDeque<Vec<u8>> =
        path.split(|&c| c == b'/').filter(|c| !c.is_empty()).map(<[u8]>::to_vec).collect();
    let mut links = 0;
    while let Some(c) = comps.pop_front() {
        let last = comps.is_empty();
        let here = loc.inode().clone();
        let st = here.stat()?;
        if st.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        permission(t, &st, MAY_EXEC, true)?;
        if c == b"." {
            continue;
        }
        if c == b".." {
            if loc.depth() > root.depth() || !loc.is_under(&root) {
                loc.pop();
            }
            continue;
        }
        if c.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut candidate = loc.path.clone();
        candidate.push(b'/');
        candidate.extend_from_slice(&c);
        if let Some(m) = mounts.mounted_at(&candidate) {
            loc.push(&c, m);
            continue;
        }
        let child = match here.lookup(t, &c) {
            Ok(ch) => ch,
            Err(Errno::ENOENT) => match super::implicit_dir(&mounts, &candidate) {
                Some(d) => d,
                None => return Err(Errno::ENOENT),
            },
            Err(e) => return Err(e),
        };
        let cst = child.stat()?;
        if cst.st_mode & S_IFMT == S_IFLNK && (!last || follow == Follow::Yes || trailing_slash) {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::ELOOP);
            }
            match child.magic_link(t) {
                Some(Ok(MagicTarget::Location(l))) => {
                    loc = l;
                    continue;
                }
                Some(Ok(MagicTarget::File(f))) => {
                    if !last {
                        return Err(Errno::ENOTDIR);
                    }
                    loc.push(&c, Arc::new(OpenFileInode(f)));
                    continue;
                }
                Some(Err(e)) => return Err(e),
                None => {}
            }
            let target = child.readlink(t)?;
            if target.is_empty() {
                return Err(Errno::ENOENT);
            }
            if target[0] == b'/' {
                loc = root.clone();
            }
            let mut tc: Vec<Vec<u8>> =
                target.split(|&c| c == b'/').filter(|c| !c.is_empty()).map(<[u8]>::to_vec).collect();
            if trailing_slash && last {
                // Keep the "must be a directory" meaning of the trailing slash.
                tc.push(b".".to_vec());
            }
            for x in tc.into_iter().rev() {
                comps.push_front(x);
            }
            continue;
        }
        loc.push(&c, child);
    }
    if trailing_slash && !is_dir(loc.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    Ok(loc)
}

/// Resolves `path` relative to `dirfd` (an *at() call). An empty path names `dirfd`
/// itself when `empty_ok` (AT_EMPTY_PATH), else it is ENOENT.
pub fn lookup_at(t: &Task, dirfd: i32, path: &[u8], follow: Follow, empty_ok: bool) -> Result<Location, Errno> {
    if path.is_empty() {
        if !empty_ok {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            return Ok(t.fs.cwd());
        }
        let f = t.fds.get(dirfd)?;
        return f.loc.clone().ok_or(Errno::EBADF);
    }
    walk(t, start(t, dirfd, path)?, path, follow)
}

/// Resolves all but the last component of `path`: (parent directory, last name,
/// whether the path ended in '/'). The name is empty for "/" and may be "." or "..".
pub fn resolve_parent_at(t: &Task, dirfd: i32, path: &[u8]) -> Result<(Location, Vec<u8>, bool), Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let trimmed_len = path.iter().rposition(|&c| c != b'/').map_or(0, |i| i + 1);
    let trailing = trimmed_len < path.len();
    let trimmed = &path[..trimmed_len];
    let (dir, name): (&[u8], &[u8]) = match trimmed.iter().rposition(|&c| c == b'/') {
        Some(i) => (if i == 0 { b"/" } else { &trimmed[..i] }, &trimmed[i + 1..]),
        None => (b".", trimmed),
    };
    if name.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    let dirloc = if trimmed.is_empty() { t.fs.root() } else { walk(t, start(t, dirfd, path)?, dir, Follow::Yes)? };
    if !is_dir(dirloc.inode().as_ref()) {
        return Err(Errno::ENOTDIR);
    }
    Ok((dirloc, name.to_vec(), trailing))
}

/// The owner and mode of a new file in `dir` created by `t` with `mode`.
pub fn create_attrs(t: &Task, dir: &Location, mode: u32, kind: u32) -> Result<Create, Errno> {
    let creds = t.creds.borrow();
    let dst = dir.inode().stat()?;
    // A set-group-ID directory passes its group on.
    let gid = if dst.st_mode & 0o2000 != 0 { dst.st_gid } else { creds.gid.1 };
    Ok(Create { mode: kind | (mode & 0o7777 & !t.fs.umask()), uid: creds.uid.1, gid })
}

/// openat(2).
pub fn open_at(t: &Task, dirfd: i32, path: &[u8], flags: OpenFlags, mode: u32) -> Result<Arc<FileDescription>, Errno> {
    if flags.access() == 3 && !flags.contains(OpenFlags::O_PATH) {
        return Err(Errno::EINVAL);
    }
    if flags.contains(OpenFlags::O_PATH) {
        let follow = if flags.contains(OpenFlags::O_NOFOLLOW) { Follow::No } else { Follow::Yes };
        let loc = lookup_at(t, dirfd, path, follow, false)?;
        if flags.contains(OpenFlags::O_DIRECTORY) && !is_dir(loc.inode().as_ref()) {
            return Err(Errno::ENOTDIR);
        }
        let keep = OpenFlags::O_PATH | OpenFlags::O_CLOEXEC | OpenFlags::O_DIRECTORY | OpenFlags::O_NOFOLLOW;
        return Ok(Arc::new(FileDescription::at(Box::new(PathFile), flags & keep, loc)));
    }
    if flags.bits() & crate::fs::memfd::O_TMPFILE_BIT != 0 {
        return crate::fs::memfd::open_tmpfile(t, dirfd, path, flags, mode);
    }
    if flags.contains(OpenFlags::O_CREAT) && flags.contains(OpenFlags::O_DIRECTORY) {
        return Err(Errno::EINVAL);
    }
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let loc = if flags.contains(OpenFlags::O_CREAT) {
        let (dir, name, trailing) = resolve_parent_at(t, dirfd, path)?;
        if trailing || name.is_empty() || name == b"." || name == b".." {
            return Err(Errno::EISDIR);
        }
        match dir.inode().lookup(t, &name) {
            Ok(existing) => {
                if flags.contains(OpenFlags::O_EXCL) {
                    return Err(Errno::EEXIST);
                }
                let mut l = dir.clone();
                l.push(&name, existing.clone());
                if super::is_symlink(existing.as_ref()) {
                    if flags.contains(OpenFlags::O_NOFOLLOW) {
                        return Err(Errno::ELOOP);
                    }
                    walk(t, dir.clone(), &name, Follow::Yes)?
                } else {
                    if let Some(m) = t.kernel.mounts.mounted_at(&l.path()) {
                        l.pop();
                        l.push(&name, m);
                    }
                    l
                }
            }
            Err(Errno::ENOENT) => {
                let dst = dir.inode().stat()?;
                permission(t, &dst, MAY_WRITE | MAY_EXEC, true)?;
                let c = create_attrs(t, &dir, mode, S_IFREG)?;
                let inode = dir.inode().create(t, &name, c)?;
                let mut l = dir;
                l.push(&name, inode.clone());
                let ops = inode.open(t, flags)?;
                let keep = !(OpenFlags::O_CREAT | OpenFlags::O_EXCL | OpenFlags::O_NOCTTY | OpenFlags::O_TRUNC);
                return Ok(Arc::new(FileDescription::at(ops, flags & keep, l)));
            }
            Err(e) => return Err(e),
        }
    } else {
        let follow = if flags.contains(OpenFlags::O_NOFOLLOW) { Follow::No } else { Follow::Yes };
        lookup_at(t, dirfd, path, follow, false)?
    };
    let inode = loc.inode().clone();
    let st = inode.stat()?;
    let ty = st.st_mode & S_IFMT;
    if ty == S_IFLNK {
        return Err(Errno::ELOOP);
    }
    if flags.contains(OpenFlags::O_DIRECTORY) && ty != S_IFDIR {
        return Err(Errno::ENOTDIR);
    }
    if ty == S_IFDIR && (flags.writable() || flags.contains(OpenFlags::O_TRUNC) || flags.contains(OpenFlags::O_CREAT)) {
        return Err(Errno::EISDIR);
    }
    let mut want = 0;
    if flags.readable() {
        want |= MAY_READ;
    }
    if flags.writable() || flags.contains(OpenFlags::O_TRUNC) {
        want |= MAY_WRITE;
    }
    permission(t, &st, want, true)?;
    let ops: Box<dyn super::FileOps> = if ty == S_IFDIR { Box::new(DirFile) } else { inode.clone().open(t, flags)? };
    if flags.contains(OpenFlags::O_TRUNC) && ty == S_IFREG && flags.writable() {
        inode.setattr(t, &SetAttr { size: Some(0), ..Default::default() })?;
    }
    let keep = !(OpenFlags::O_CREAT | OpenFlags::O_EXCL | OpenFlags::O_NOCTTY | OpenFlags::O_TRUNC);
    Ok(Arc::new(FileDescription::at(ops, flags & keep, loc)))
}
