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

/// openat2(2)'s `RESOLVE_*` flags (include/uapi/linux/openat2.h).
pub mod resolve {
    /// Stay on the mount the walk started on.
    pub const RESOLVE_NO_XDEV: u64 = 0x01;
    /// Follow no procfs magic link.
    pub const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    /// Follow no symlink at all (implies RESOLVE_NO_MAGICLINKS).
    pub const RESOLVE_NO_SYMLINKS: u64 = 0x04;
    /// Stay at or below the starting directory (EXDEV otherwise).
    pub const RESOLVE_BENEATH: u64 = 0x08;
    /// Treat the starting directory as the root ("/" and ".." stop there).
    pub const RESOLVE_IN_ROOT: u64 = 0x10;
    /// Only what is cached; EAGAIN where the walk would have to do I/O.
    pub const RESOLVE_CACHED: u64 = 0x20;
    /// Every flag above.
    pub const ALL: u64 = 0x3f;
}
use resolve::*;

/// The limits one walk runs under: openat2's RESOLVE_* flags with the places they
/// refer to. A plain walk has none.
#[derive(Clone, Default)]
pub struct Scope {
    flags: u64,
    /// BENEATH / IN_ROOT: the directory the walk may not leave (for IN_ROOT also
    /// where "/" leads).
    base: Option<Location>,
    /// NO_XDEV: the mount point the walk started under.
    mount: Option<Vec<u8>>,
}

impl Scope {
    fn scoped(&self) -> bool {
        self.flags & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) != 0
    }
    /// Whether only the trailing component may be a symlink left unfollowed.
    fn no_symlinks(&self) -> bool {
        self.flags & RESOLVE_NO_SYMLINKS != 0
    }
    fn no_magiclinks(&self) -> bool {
        self.flags & (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) != 0
    }
    /// Where an absolute symlink leads: the root (the base for IN_ROOT); EXDEV
    /// for BENEATH, or for NO_XDEV when the root is on another mount.
    fn jump_root(&self, t: &Task) -> Result<Location, Errno> {
        if self.flags & RESOLVE_BENEATH != 0 {
            return Err(Errno::EXDEV);
        }
        let root = self.base.clone().unwrap_or_else(|| t.fs.root());
        self.check_mount(t, &root)?;
        Ok(root)
    }
    /// NO_XDEV: EXDEV unless `loc` is on the mount the walk started on.
    fn check_mount(&self, t: &Task, loc: &Location) -> Result<(), Errno> {
        match &self.mount {
            Some(m) if *m != mount_of(t, &loc.path) => Err(Errno::EXDEV),
            _ => Ok(()),
        }
    }
}

/// The mount point `path` (absolute, "" for "/") lies under: the longest mount point
/// that is `path` or one of its ancestors ("" for the root file system).
fn mount_of(t: &Task, path: &[u8]) -> Vec<u8> {
    t.kernel()
        .mounts
        .mount_points()
        .into_iter()
        .filter(|m| path.starts_with(m) && (path.len() == m.len() || path[m.len()] == b'/'))
        .max_by_key(Vec::len)
        .unwrap_or_default()
}

/// The directory `dirfd` names (the cwd for AT_FDCWD); ENOTDIR if it is not one.
fn dir_of(t: &Task, dirfd: i32) -> Result<Location, Errno> {
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

/// Where a walk of `path` starts: the root, the cwd, or the directory `dirfd`.
fn start(t: &Task, dirfd: i32, path: &[u8]) -> Result<Location, Errno> {
    if path.first() == Some(&b'/') {
        return Ok(t.fs.root());
    }
    dir_of(t, dirfd)
}

/// Where a walk of `path` under openat2's `resolve` flags starts, and its limits.
/// Unknown or conflicting flags are the caller's to reject.
pub fn start_scoped(t: &Task, dirfd: i32, path: &[u8], resolve: u64) -> Result<(Location, Scope), Errno> {
    let absolute = path.first() == Some(&b'/');
    if resolve & RESOLVE_BENEATH != 0 && absolute {
        // Linux refuses before it looks at dirfd.
        return Err(Errno::EXDEV);
    }
    let mut scope = Scope { flags: resolve, ..Default::default() };
    let loc = if resolve & RESOLVE_IN_ROOT != 0 {
        let d = dir_of(t, dirfd)?;
        scope.base = Some(d.clone());
        d
    } else {
        let l = start(t, dirfd, path)?;
        if resolve & RESOLVE_BENEATH != 0 {
            scope.base = Some(l.clone());
        }
        l
    };
    if resolve & RESOLVE_NO_XDEV != 0 {
        scope.mount = Some(mount_of(t, &loc.path));
    }
    Ok((loc, scope))
}

/// Walks `path` from `loc`.
pub fn walk(t: &Task, loc: Location, path: &[u8], follow: Follow) -> Result<Location, Errno> {
    walk_scoped(t, loc, path, follow, &Scope::default())
}

/// Walks `path` from `loc` within `scope`.
pub fn walk_scoped(t: &Task, mut loc: Location, path: &[u8], follow: Follow, scope: &Scope) -> Result<Location, Errno> {
    // A scoped walk has its base as its root: ".." stops there, "/" leads there.
    let root = scope.base.clone().unwrap_or_else(|| t.fs.root());
    let beneath = scope.flags & RESOLVE_BENEATH != 0;
    let mounts = t.kernel().mounts.clone();
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
            let at_root = loc.depth() <= root.depth() && loc.is_under(&root);
            if at_root {
                if beneath {
                    return Err(Errno::EXDEV);
                }
                continue;
            }
            loc.pop();
            if scope.scoped() && !loc.is_under(&root) {
                return Err(Errno::EXDEV);
            }
            scope.check_mount(t, &loc)?;
            continue;
        }
        if c.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut candidate = loc.path.clone();
        candidate.push(b'/');
        candidate.extend_from_slice(&c);
        if let Some(m) = mounts.mounted_at(&candidate) {
            if scope.mount.is_some() {
                return Err(Errno::EXDEV);
            }
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
            if links > MAX_SYMLINKS || scope.no_symlinks() {
                return Err(Errno::ELOOP);
            }
            if let Some(target) = child.magic_link(t) {
                // Linux's nd_jump_link: refused outright, across mounts, or
                // in a scoped walk, in that order.
                if scope.no_magiclinks() {
                    return Err(Errno::ELOOP);
                }
                let target = target?;
                if scope.mount.is_some() {
                    if let MagicTarget::Location(l) = &target {
                        scope.check_mount(t, l)?;
                    } else {
                        return Err(Errno::EXDEV);
                    }
                }
                if scope.scoped() {
                    return Err(Errno::EXDEV);
                }
                match target {
                    MagicTarget::Location(l) => loc = l,
                    MagicTarget::File(f) => {
                        if !last {
                            return Err(Errno::ENOTDIR);
                        }
                        loc.push(&c, Arc::new(OpenFileInode(f)));
                    }
                }
                continue;
            }
            let target = child.readlink(t)?;
            if target.is_empty() {
                return Err(Errno::ENOENT);
            }
            if target[0] == b'/' {
                loc = scope.jump_root(t)?;
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

/// Splits `path` into (directory part, last name, whether it ended in '/'); the
/// name is empty for "/" and may be "." or "..".
fn split_last(path: &[u8]) -> Result<(&[u8], &[u8], bool), Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let trimmed_len = path.iter().rposition(|&c| c != b'/').map_or(0, |i| i + 1);
    let trailing = trimmed_len < path.len();
    let trimmed = &path[..trimmed_len];
    let (dir, name): (&[u8], &[u8]) = match trimmed.iter().rposition(|&c| c == b'/') {
        Some(i) => (if i == 0 { b"/" } else { &trimmed[..i] }, &trimmed[i + 1..]),
        None => (if trimmed.is_empty() { b"/" } else { b"." }, trimmed),
    };
    if name.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok((dir, name, trailing))
}

/// Resolves all but the last component of `path`: (parent directory, last name,
/// whether the path ended in '/'). The name is empty for "/" and may be "." or "..".
pub fn resolve_parent_at(t: &Task, dirfd: i32, path: &[u8]) -> Result<(Location, Vec<u8>, bool), Errno> {
    let (dir, name, trailing) = split_last(path)?;
    let dirloc = walk(t, start(t, dirfd, path)?, dir, Follow::Yes)?;
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

/// What O_CREAT found or made.
enum Created {
    /// A new file, already open.
    New(Arc<FileDescription>),
    /// The file that was there (opened by the caller).
    Existing(Location),
}

/// O_CREAT's last step: `name` in `dir` is opened if it exists and created if not.
/// A symlink there is followed, and a dangling one creates its target, as in Linux
/// (O_EXCL refuses any existing name; O_NOFOLLOW refuses the link).
fn create_or_find(
    t: &Task,
    mut dir: Location,
    name: &[u8],
    flags: OpenFlags,
    mode: u32,
    scope: &Scope,
) -> Result<Created, Errno> {
    let mut name = name.to_vec();
    let mut links = 0;
    loop {
        if !is_dir(dir.inode().as_ref()) {
            return Err(Errno::ENOTDIR);
        }
        if name.is_empty() || name == b"." || name == b".." {
            return Err(Errno::EISDIR);
        }
        let mut l = dir.clone();
        let found = match t.kernel().mounts.mounted_at(&[dir.path.as_slice(), b"/", name.as_slice()].concat()) {
            Some(m) => {
                if scope.mount.is_some() {
                    return Err(Errno::EXDEV);
                }
                Ok(m)
            }
            None => dir.inode().lookup(t, &name),
        };
        match found {
            Ok(existing) => {
                if flags.contains(OpenFlags::O_EXCL) {
                    return Err(Errno::EEXIST);
                }
                if !super::is_symlink(existing.as_ref()) {
                    l.push(&name, existing);
                    return Ok(Created::Existing(l));
                }
                if flags.contains(OpenFlags::O_NOFOLLOW) {
                    return Err(Errno::ELOOP);
                }
                if existing.magic_link(t).is_some() {
                    // Magic links lead to open files, never to a name to create.
                    return walk_scoped(t, dir, &name, Follow::Yes, scope).map(Created::Existing);
                }
                links += 1;
                if links > MAX_SYMLINKS || scope.no_symlinks() {
                    return Err(Errno::ELOOP);
                }
                let target = existing.readlink(t)?;
                let (tdir, tname, trailing) = split_last(&target)?;
                if trailing {
                    return Err(Errno::EISDIR);
                }
                let from = if target.first() == Some(&b'/') { scope.jump_root(t)? } else { dir };
                dir = walk_scoped(t, from, tdir, Follow::Yes, scope)?;
                name = tname.to_vec();
            }
            Err(Errno::ENOENT) => {
                let dst = dir.inode().stat()?;
                permission(t, &dst, MAY_WRITE | MAY_EXEC, true)?;
                let c = create_attrs(t, &dir, mode, S_IFREG)?;
                let inode = dir.inode().create(t, &name, c)?;
                l.push(&name, inode.clone());
                let ops = inode.open(t, flags)?;
                let keep = !(OpenFlags::O_CREAT | OpenFlags::O_EXCL | OpenFlags::O_NOCTTY | OpenFlags::O_TRUNC);
                return Ok(Created::New(Arc::new(FileDescription::at(ops, flags & keep, l))));
            }
            Err(e) => return Err(e),
        }
    }
}

/// openat(2).
pub fn open_at(t: &Task, dirfd: i32, path: &[u8], flags: OpenFlags, mode: u32) -> Result<Arc<FileDescription>, Errno> {
    open_at_resolve(t, dirfd, path, flags, mode, 0)
}

/// openat2(2): openat with the walk limited by `resolve` (RESOLVE_* bits, already
/// checked by the caller). RESOLVE_CACHED: every lookup the Sentry makes is served
/// from its own tree, so only the opens that must change something (O_CREAT,
/// O_TRUNC, O_TMPFILE) say EAGAIN, as Linux does for them.
pub fn open_at_resolve(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: OpenFlags,
    mode: u32,
    resolve: u64,
) -> Result<Arc<FileDescription>, Errno> {
    if resolve & RESOLVE_CACHED != 0 && flags.intersects(OpenFlags::O_CREAT | OpenFlags::O_TRUNC | OpenFlags::O_TMPFILE)
    {
        return Err(Errno::EAGAIN);
    }
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let nofollow = flags.contains(OpenFlags::O_NOFOLLOW);
    let follow = if nofollow { Follow::No } else { Follow::Yes };
    if flags.contains(OpenFlags::O_PATH) {
        let (start, scope) = start_scoped(t, dirfd, path, resolve)?;
        let loc = walk_scoped(t, start, path, follow, &scope)?;
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
    let (start, scope) = start_scoped(t, dirfd, path, resolve)?;
    let loc = if flags.contains(OpenFlags::O_CREAT) {
        let (dir, name, trailing) = split_last(path)?;
        let dir = walk_scoped(t, start, dir, Follow::Yes, &scope)?;
        if trailing {
            return Err(Errno::EISDIR);
        }
        match create_or_find(t, dir, name, flags, mode, &scope)? {
            Created::New(f) => return Ok(f),
            Created::Existing(l) => l,
        }
    } else {
        walk_scoped(t, start, path, follow, &scope)?
    };
    let inode = loc.inode().clone();
    let st = inode.stat()?;
    let ty = st.st_mode & S_IFMT;
    // Linux checks O_DIRECTORY before it refuses to open a symlink (may_open).
    if flags.contains(OpenFlags::O_DIRECTORY) && ty != S_IFDIR {
        return Err(Errno::ENOTDIR);
    }
    if ty == S_IFLNK {
        return Err(Errno::ELOOP);
    }
    // Access mode 3 (Linux's "ioctl only"): read and write permission are checked,
    // but the descriptor can do neither.
    let ioctl_only = flags.access() == 3;
    let writes = flags.writable() || ioctl_only || flags.contains(OpenFlags::O_TRUNC);
    if ty == S_IFDIR && (writes || flags.contains(OpenFlags::O_CREAT)) {
        return Err(Errno::EISDIR);
    }
    let mut want = 0;
    if flags.readable() || ioctl_only {
        want |= MAY_READ;
    }
    if writes {
        want |= MAY_WRITE;
    }
    permission(t, &st, want, true)?;
    let open_flags = if ioctl_only { flags & !OpenFlags::O_RDWR & !OpenFlags::O_WRONLY } else { flags };
    let ops: Box<dyn super::FileOps> =
        if ty == S_IFDIR { Box::new(DirFile) } else { inode.clone().open(t, open_flags)? };
    if flags.contains(OpenFlags::O_TRUNC) && ty == S_IFREG && flags.writable() {
        inode.setattr(t, &SetAttr { size: Some(0), ..Default::default() })?;
    }
    let keep = !(OpenFlags::O_CREAT | OpenFlags::O_EXCL | OpenFlags::O_NOCTTY | OpenFlags::O_TRUNC);
    Ok(Arc::new(FileDescription::at(ops, flags & keep, loc)))
}
