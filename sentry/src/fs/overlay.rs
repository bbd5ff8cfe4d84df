//! The overlay root: a read-only lower tree (the host, through the Gofer) under a
//! writable tmpfs upper layer. Changing a lower file copies it up first; removing a
//! lower name leaves a whiteout in the upper layer; a directory made where a lower
//! one was removed is opaque. The host never changes.
//!
//! Lock order: a directory's `children` → its `upper` → the tmpfs locks.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use sbx_abi::flags::{dt, OpenFlags, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use super::tmpfs::{Content, TmpInode};
use crate::kernel::Task;
use crate::vfs::{is_dir, Create, DirEntry, FileOps, Inode, SetAttr};

/// A node of the merged tree.
pub struct OvlInode {
    parent: Option<Arc<OvlInode>>,
    name: Vec<u8>,
    upper: Mutex<Option<Arc<TmpInode>>>,
    lower: Option<Arc<dyn Inode>>,
    children: Mutex<HashMap<Vec<u8>, Arc<OvlInode>>>,
    /// A merged directory changed in the sandbox: its upper attributes count.
    dirty: std::sync::atomic::AtomicBool,
}

const RENAME_NOREPLACE: u32 = 1;

impl OvlInode {
    /// The root of an overlay of `upper` over `lower`.
    pub fn root(upper: Arc<TmpInode>, lower: Arc<dyn Inode>) -> Arc<OvlInode> {
        Arc::new(OvlInode {
            parent: None,
            name: Vec::new(),
            upper: Mutex::new(Some(upper)),
            lower: Some(lower),
            children: Mutex::new(HashMap::new()),
            dirty: Default::default(),
        })
    }

    fn upper(&self) -> Option<Arc<TmpInode>> {
        self.upper.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn kids(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Arc<OvlInode>>> {
        self.children.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The node's current layer for reading: upper if copied up, else lower.
    fn top(&self) -> Result<Arc<dyn Inode>, Errno> {
        match self.upper() {
            Some(u) => Ok(u),
            None => self.lower.clone().ok_or(Errno::ENOENT),
        }
    }

    fn child(self: &Arc<Self>, t: &Task, name: &[u8]) -> Result<Arc<OvlInode>, Errno> {
        if let Some(c) = self.kids().get(name) {
            return Ok(c.clone());
        }
        let mut up_child = None;
        let mut look_lower = true;
        if let Some(u) = self.upper() {
            match u.raw_lookup(name)? {
                Some(c) if matches!(c.content, Content::Whiteout) => return Err(Errno::ENOENT),
                Some(c) => {
                    look_lower =
                        matches!(c.content, Content::Dir(_)) && !c.opaque.load(std::sync::atomic::Ordering::Relaxed);
                    up_child = Some(c);
                }
                None => {}
            }
            if u.opaque.load(std::sync::atomic::Ordering::Relaxed) {
                look_lower = false;
            }
        }
        let mut lo_child = None;
        if look_lower {
            if let Some(l) = &self.lower {
                match l.lookup(t, name) {
                    Ok(c) => lo_child = Some(c),
                    Err(Errno::ENOENT) | Err(Errno::ENOTDIR) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if let (Some(_), Some(lc)) = (&up_child, &lo_child) {
            if !is_dir(lc.as_ref()) {
                lo_child = None;
            }
        }
        if up_child.is_none() && lo_child.is_none() {
            return Err(Errno::ENOENT);
        }
        let n = Arc::new(OvlInode {
            parent: Some(self.clone()),
            name: name.to_vec(),
            upper: Mutex::new(up_child),
            lower: lo_child,
            children: Mutex::new(HashMap::new()),
            dirty: Default::default(),
        });
        self.kids().insert(name.to_vec(), n.clone());
        Ok(n)
    }

    fn forget(&self, name: &[u8]) {
        self.kids().remove(name);
        self.touch();
    }

    fn touch(&self) {
        self.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes sure the node exists in the upper layer (copying file data, link
    /// targets and attributes from the lower layer) and returns its upper node.
    fn copy_up(&self, t: &Task) -> Result<Arc<TmpInode>, Errno> {
        if let Some(u) = self.upper() {
            return Ok(u);
        }
        let parent = self.parent.as_ref().ok_or(Errno::EIO)?;
        let pu = parent.copy_up(t)?;
        let lower = self.lower.clone().ok_or(Errno::ENOENT)?;
        let st = lower.stat()?;
        let c = Create { mode: st.st_mode, uid: st.st_uid, gid: st.st_gid };
        let up = match st.st_mode & S_IFMT {
            S_IFDIR => pu.create_dir(&self.name, c)?,
            S_IFREG => {
                let data = read_all(t, &lower)?;
                pu.create_file(&self.name, c, data)?
            }
            S_IFLNK => pu.create_symlink(&self.name, &lower.readlink(t)?, c)?,
            _ => return Err(Errno::EPERM),
        };
        let _ = up.setattr(
            t,
            &SetAttr {
                atime: Some((st.st_atime, st.st_atime_nsec)),
                mtime: Some((st.st_mtime, st.st_mtime_nsec)),
                ..Default::default()
            },
        );
        *self.upper.lock().unwrap_or_else(|e| e.into_inner()) = Some(up.clone());
        Ok(up)
    }

    /// Adds a new entry in the upper layer via `make`, replacing a whiteout; a new
    /// directory over a removed lower one is opaque.
    fn add(
        self: &Arc<Self>,
        t: &Task,
        name: &[u8],
        make: impl FnOnce(&TmpInode) -> Result<Arc<TmpInode>, Errno>,
    ) -> Result<Arc<TmpInode>, Errno> {
        if self.child(t, name).is_ok() {
            return Err(Errno::EEXIST);
        }
        let up = self.copy_up(t)?;
        let had_whiteout = up.raw_lookup(name)?.is_some_and(|c| matches!(c.content, Content::Whiteout));
        let n = make(&up)?;
        if had_whiteout && matches!(n.content, Content::Dir(_)) {
            n.opaque.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.forget(name);
        Ok(n)
    }

    fn remove(self: &Arc<Self>, t: &Task, name: &[u8], dir: bool) -> Result<(), Errno> {
        let c = self.child(t, name)?;
        let is_d = is_dir(c.top()?.as_ref());
        if dir && !is_d {
            return Err(Errno::ENOTDIR);
        }
        if !dir && is_d {
            return Err(Errno::EISDIR);
        }
        if dir && !c.readdir(t)?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        let up = self.copy_up(t)?;
        if c.upper().is_some() {
            up.unlink_entry(name)?;
        }
        if c.lower.is_some() {
            up.whiteout(name)?;
        }
        self.forget(name);
        Ok(())
    }
}

fn read_all(t: &Task, i: &Arc<dyn Inode>) -> Result<Vec<u8>, Errno> {
    let ops = i.clone().open(t, OpenFlags::empty())?;
    let f = crate::vfs::FileDescription::new(ops, OpenFlags::empty(), String::new());
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.pread(&mut buf, out.len() as u64)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

impl OvlInode {
    /// A merged directory shows the host directory's attributes until the sandbox
    /// changes it; then the upper copy's, keeping the host's identity (dev, ino).
    fn stat(&self) -> Result<Stat, Errno> {
        match (self.upper(), &self.lower) {
            (Some(u), Some(l)) if is_dir(l.as_ref()) => {
                let ls = l.stat()?;
                if !self.dirty.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(ls);
                }
                let mut us = u.stat()?;
                us.st_dev = ls.st_dev;
                us.st_ino = ls.st_ino;
                us.st_nlink = us.st_nlink.max(ls.st_nlink);
                Ok(us)
            }
            (Some(u), _) => u.stat(),
            (None, Some(l)) => l.stat(),
            (None, None) => Err(Errno::ENOENT),
        }
    }

    fn readdir(&self, t: &Task) -> Result<Vec<DirEntry>, Errno> {
        let mut merged: BTreeMap<Vec<u8>, DirEntry> = BTreeMap::new();
        let up = self.upper();
        let opaque = up.as_ref().is_some_and(|u| u.opaque.load(std::sync::atomic::Ordering::Relaxed));
        if let (Some(l), false) = (&self.lower, opaque) {
            if is_dir(l.as_ref()) {
                for e in l.readdir(t)? {
                    merged.insert(e.name.clone(), e);
                }
            }
        }
        if let Some(u) = up {
            for (name, c) in u.entries()?.iter() {
                if matches!(c.content, Content::Whiteout) {
                    merged.remove(name);
                } else {
                    let st = c.stat()?;
                    merged.insert(
                        name.clone(),
                        DirEntry { name: name.clone(), ino: st.st_ino, d_type: dt::from_mode(st.st_mode) },
                    );
                }
            }
        }
        Ok(merged.into_values().collect())
    }
}

/// The overlay's directory operations need the node's own Arc (children point to
/// their parent, copy-up walks upwards), so the overlay is mounted through this
/// wrapper, which implements [`Inode`] on an `Arc<OvlInode>`.
pub struct Ovl(pub Arc<OvlInode>);

impl Ovl {
    fn wrap(n: Arc<OvlInode>) -> Arc<dyn Inode> {
        Arc::new(Ovl(n))
    }
    fn unwrap(i: &Arc<dyn Inode>) -> Result<Arc<OvlInode>, Errno> {
        i.as_any().downcast_ref::<Ovl>().map(|o| o.0.clone()).ok_or(Errno::EXDEV)
    }
}

impl Inode for Ovl {
    fn stat(&self) -> Result<Stat, Errno> {
        self.0.stat()
    }
    fn lookup(&self, t: &Task, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        if !is_dir(self.0.top()?.as_ref()) {
            return Err(Errno::ENOTDIR);
        }
        self.0.child(t, name).map(Ovl::wrap)
    }
    fn readdir(&self, t: &Task) -> Result<Vec<DirEntry>, Errno> {
        self.0.readdir(t)
    }
    fn readlink(&self, t: &Task) -> Result<Vec<u8>, Errno> {
        self.0.top()?.readlink(t)
    }
    fn open(self: Arc<Self>, t: &Task, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        if flags.writable() || flags.contains(OpenFlags::O_TRUNC) {
            return self.0.copy_up(t)?.open(t, flags);
        }
        self.0.top()?.open(t, flags)
    }
    fn create(&self, t: &Task, name: &[u8], c: Create) -> Result<Arc<dyn Inode>, Errno> {
        if c.mode & S_IFMT != S_IFREG {
            return Err(Errno::EPERM);
        }
        self.0.add(t, name, |up| up.create_file(name, c, Vec::new()))?;
        self.0.child(t, name).map(Ovl::wrap)
    }
    fn mkdir(&self, t: &Task, name: &[u8], c: Create) -> Result<(), Errno> {
        self.0.add(t, name, |up| up.create_dir(name, c)).map(drop)
    }
    fn symlink(&self, t: &Task, name: &[u8], target: &[u8], c: Create) -> Result<(), Errno> {
        self.0.add(t, name, |up| up.create_symlink(name, target, c)).map(drop)
    }
    fn mknod(&self, t: &Task, name: &[u8], c: Create, rdev: u64) -> Result<(), Errno> {
        self.0.add(t, name, |up| up.create_special(name, c, rdev)).map(drop)
    }
    fn tmpfile(&self, t: &Task, c: Create, linkable: bool) -> Result<Arc<dyn Inode>, Errno> {
        if !is_dir(self.0.top()?.as_ref()) {
            return Err(Errno::ENOTDIR);
        }
        let up = self.0.copy_up(t)?.create_unnamed(c, linkable);
        // A node of the merged tree (so linkat can name it here) that no
        // directory lists.
        let name = format!("#{}", up.stat()?.st_ino).into_bytes();
        Ok(Ovl::wrap(Arc::new(OvlInode {
            parent: Some(self.0.clone()),
            name,
            upper: Mutex::new(Some(up)),
            lower: None,
            children: Mutex::new(HashMap::new()),
            dirty: Default::default(),
        })))
    }
    fn link(&self, t: &Task, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        let tg = Ovl::unwrap(target)?;
        if is_dir(tg.top()?.as_ref()) {
            return Err(Errno::EPERM);
        }
        let tu: Arc<dyn Inode> = tg.copy_up(t)?;
        if self.0.child(t, name).is_ok() {
            return Err(Errno::EEXIST);
        }
        let up = self.0.copy_up(t)?;
        up.link(t, name, &tu)?;
        self.0.forget(name);
        Ok(())
    }
    fn unlink(&self, t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.0.remove(t, name, false)
    }
    fn rmdir(&self, t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.0.remove(t, name, true)
    }
    fn rename(&self, t: &Task, old: &[u8], new_dir: &Arc<dyn Inode>, new: &[u8], flags: u32) -> Result<(), Errno> {
        if flags & !RENAME_NOREPLACE != 0 {
            // RENAME_EXCHANGE and RENAME_WHITEOUT are not offered on the overlay.
            return Err(Errno::EINVAL);
        }
        let nd = Ovl::unwrap(new_dir)?;
        let src = self.0.child(t, old)?;
        let src_dir = is_dir(src.top()?.as_ref());
        if src_dir && src.lower.is_some() {
            // As overlayfs without redirect_dir: moving a merged directory is EXDEV
            // (mv falls back to copying).
            return Err(Errno::EXDEV);
        }
        let target = nd.child(t, new).ok();
        if let Some(tg) = &target {
            if Arc::ptr_eq(tg, &src) {
                return Ok(());
            }
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            let tdir = is_dir(tg.top()?.as_ref());
            if src_dir && !tdir {
                return Err(Errno::ENOTDIR);
            }
            if !src_dir && tdir {
                return Err(Errno::EISDIR);
            }
            if tdir && !tg.readdir(t)?.is_empty() {
                return Err(Errno::ENOTEMPTY);
            }
        }
        src.copy_up(t)?;
        let from = self.0.copy_up(t)?;
        let to = nd.copy_up(t)?;
        // Clear a directory target in the upper layer first (it is empty in the
        // merged view); a lower-only target is simply shadowed by the moved entry.
        if let Some(tg) = &target {
            if tg.upper().is_some() {
                to.unlink_entry(new)?;
            }
        }
        super::tmpfs::rename_entries(&from, old, &to, new, 0)?;
        if let Some(tg) = &target {
            if tg.lower.is_some() && src_dir {
                if let Ok(Some(moved)) = to.raw_lookup(new) {
                    moved.opaque.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        if src.lower.is_some() {
            from.whiteout(old)?;
        }
        self.0.forget(old);
        nd.forget(new);
        Ok(())
    }
    fn setattr(&self, t: &Task, a: &SetAttr) -> Result<(), Errno> {
        self.0.copy_up(t)?.setattr(t, a)?;
        self.0.touch();
        Ok(())
    }
    fn open_files(&self) -> usize {
        self.0.upper().map_or(0, |u| u.open_files())
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        match &self.0.lower {
            Some(l) => l.statfs(),
            None => self.0.top()?.statfs(),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

impl std::fmt::Debug for OvlInode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OvlInode({})", String::from_utf8_lossy(&self.name))
    }
}
