//! A host directory tree served by the Gofer: read-only (the root's lower layer) or
//! writable (`-v HOST:GUEST` bind mounts).
//!
//! Nodes cache their children (including misses), listings and link targets; the
//! sandbox's own changes update the caches, so they are only stale if the host
//! changes the tree during the run (documented in the README). Writable trees fetch
//! attributes fresh on every stat.

use std::any::Any;
use std::collections::HashMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex};

use sbx_abi::flags::{OpenFlags, S_IFDIR, S_IFMT, S_IFREG};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;
use sbx_gofer::{GoferClient, NodeId};

use crate::kernel::Task;
use crate::vfs::{DirEntry, FileDescription, FileOps, Inode};

/// A node of the served tree.
pub struct GoferInode {
    client: Arc<GoferClient>,
    id: NodeId,
    stat: Mutex<Stat>,
    writable: bool,
    /// name → child (None: known not to exist).
    children: Mutex<HashMap<Vec<u8>, Option<Arc<GoferInode>>>>,
    listing: Mutex<Option<Vec<DirEntry>>>,
    target: Mutex<Option<Vec<u8>>>,
}

impl GoferInode {
    /// The root of the tree `client` serves.
    pub fn root(client: Arc<GoferClient>, writable: bool) -> Result<Arc<GoferInode>, Errno> {
        let r = client.root()?;
        Ok(Arc::new(GoferInode::new(client, r.id, r.stat, writable)))
    }

    fn new(client: Arc<GoferClient>, id: NodeId, stat: Stat, writable: bool) -> Self {
        GoferInode {
            client,
            id,
            stat: Mutex::new(stat),
            writable,
            children: Mutex::new(HashMap::new()),
            listing: Mutex::new(None),
            target: Mutex::new(None),
        }
    }

    /// Opens the host file (the host fd is donated by the Gofer).
    pub fn open_host(&self, flags: u32) -> Result<OwnedFd, Errno> {
        self.client.open(self.id, flags)
    }

    fn cached_stat(&self) -> Stat {
        *self.stat.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mode(&self) -> u32 {
        self.cached_stat().st_mode & S_IFMT
    }

    fn check_writable(&self) -> Result<(), Errno> {
        if self.writable {
            Ok(())
        } else {
            Err(Errno::EROFS)
        }
    }

    /// Forgets what this directory knew about `name` (it changed).
    fn forget(&self, name: &[u8]) {
        self.children.lock().unwrap_or_else(|e| e.into_inner()).remove(name);
        *self.listing.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn same_tree(&self, other: &Arc<dyn Inode>) -> Result<Arc<GoferInode>, Errno> {
        let o = other.clone().into_any().downcast::<GoferInode>().map_err(|_| Errno::EXDEV)?;
        if !Arc::ptr_eq(&o.client, &self.client) {
            return Err(Errno::EXDEV);
        }
        Ok(o)
    }
}

impl Drop for GoferInode {
    fn drop(&mut self) {
        if self.id.0 != 0 {
            self.client.close(self.id);
        }
    }
}

impl Inode for GoferInode {
    fn stat(&self) -> Result<Stat, Errno> {
        if self.writable {
            let st = self.client.stat(self.id)?;
            *self.stat.lock().unwrap_or_else(|e| e.into_inner()) = st;
            return Ok(st);
        }
        Ok(self.cached_stat())
    }

    fn lookup(&self, _t: &Task, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        if self.mode() != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        let mut c = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = c.get(name) {
            return hit.clone().map(|n| n as Arc<dyn Inode>).ok_or(Errno::ENOENT);
        }
        match self.client.walk(self.id, name) {
            Ok(info) => {
                let n = Arc::new(GoferInode::new(self.client.clone(), info.id, info.stat, self.writable));
                c.insert(name.to_vec(), Some(n.clone()));
                Ok(n)
            }
            Err(Errno::ENOENT) => {
                c.insert(name.to_vec(), None);
                Err(Errno::ENOENT)
            }
            Err(e) => Err(e),
        }
    }

    fn readdir(&self, _t: &Task) -> Result<Vec<DirEntry>, Errno> {
        let mut l = self.listing.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = &*l {
            return Ok(v.clone());
        }
        let v: Vec<DirEntry> = self
            .client
            .readdir(self.id)?
            .into_iter()
            .map(|e| DirEntry { name: e.name, ino: e.ino, d_type: e.d_type })
            .collect();
        *l = Some(v.clone());
        Ok(v)
    }

    fn readlink(&self, _t: &Task) -> Result<Vec<u8>, Errno> {
        let mut tg = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = &*tg {
            return Ok(v.clone());
        }
        let v = self.client.readlink(self.id)?;
        *tg = Some(v.clone());
        Ok(v)
    }

    fn open(self: Arc<Self>, _t: &Task, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
        match self.mode() {
            S_IFREG => {
                if flags.writable() {
                    self.check_writable()?;
                }
                let fd = self.open_host(flags.access())?;
                Ok(Box::new(HostFdFile { fd, inode: self }))
            }
            S_IFDIR => Ok(Box::new(crate::vfs::DirFile)),
            // Devices, FIFOs and sockets of the host are not reachable from the sandbox.
            _ => Err(Errno::EACCES),
        }
    }

    fn setattr(&self, _t: &Task, a: &crate::vfs::SetAttr) -> Result<(), Errno> {
        self.check_writable()?;
        let time = |t: Option<(i64, i64)>| t.map(|(sec, nsec)| sbx_gofer::SetTime::At { sec, nsec });
        let attr = sbx_gofer::SetAttr {
            mode: a.mode,
            uid: a.uid,
            gid: a.gid,
            size: a.size,
            atime: time(a.atime),
            mtime: time(a.mtime),
        };
        self.client.setattr(self.id, &attr)
    }

    fn create(&self, _t: &Task, name: &[u8], c: crate::vfs::Create) -> Result<Arc<dyn Inode>, Errno> {
        self.check_writable()?;
        let flags = (libc::O_RDWR | libc::O_CREAT | libc::O_EXCL) as u32;
        let (info, _fd) = self.client.create(self.id, name, flags, c.mode & 0o7777)?;
        self.forget(name);
        Ok(Arc::new(GoferInode::new(self.client.clone(), info.id, info.stat, true)))
    }

    fn mkdir(&self, _t: &Task, name: &[u8], c: crate::vfs::Create) -> Result<(), Errno> {
        self.check_writable()?;
        self.client.mkdir(self.id, name, c.mode & 0o7777)?;
        self.forget(name);
        Ok(())
    }

    fn symlink(&self, _t: &Task, name: &[u8], target: &[u8], _c: crate::vfs::Create) -> Result<(), Errno> {
        self.check_writable()?;
        self.client.symlink(self.id, name, target)?;
        self.forget(name);
        Ok(())
    }

    fn link(&self, _t: &Task, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        self.check_writable()?;
        let tg = self.same_tree(target)?;
        self.client.link(self.id, name, tg.id)?;
        self.forget(name);
        Ok(())
    }

    fn unlink(&self, _t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.check_writable()?;
        self.client.unlink(self.id, name, false)?;
        self.forget(name);
        Ok(())
    }

    fn rmdir(&self, _t: &Task, name: &[u8]) -> Result<(), Errno> {
        self.check_writable()?;
        self.client.unlink(self.id, name, true)?;
        self.forget(name);
        Ok(())
    }

    fn rename(&self, t: &Task, old: &[u8], new_dir: &Arc<dyn Inode>, new: &[u8], flags: u32) -> Result<(), Errno> {
        const RENAME_NOREPLACE: u32 = 1;
        self.check_writable()?;
        let nd = self.same_tree(new_dir)?;
        if flags & !RENAME_NOREPLACE != 0 {
            // RENAME_EXCHANGE and RENAME_WHITEOUT are not offered on host trees.
            return Err(Errno::EINVAL);
        }
        if flags & RENAME_NOREPLACE != 0 && nd.lookup(t, new).is_ok() {
            return Err(Errno::EEXIST);
        }
        self.client.rename(self.id, old, nd.id, new)?;
        self.forget(old);
        nd.forget(new);
        Ok(())
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        self.client.statfs(self.id)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// An open host file: reads go straight to the donated host fd.
pub struct HostFdFile {
    fd: OwnedFd,
    inode: Arc<GoferInode>,
}

impl FileOps for HostFdFile {
    fn read(&self, _f: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        loop {
            match nix::sys::uio::pread(&self.fd, buf, off as i64) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(|e| Errno(e as i32)),
            }
        }
    }

    fn write(&self, _f: &FileDescription, buf: &[u8], off: u64) -> Result<usize, Errno> {
        loop {
            match nix::sys::uio::pwrite(&self.fd, buf, off as i64) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(|e| Errno(e as i32)),
            }
        }
    }

    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        self.inode.stat()
    }

    fn sync(&self) -> Result<(), Errno> {
        nix::unistd::fsync(self.fd.as_raw_fd()).map_err(|e| Errno(e as i32))
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd.as_fd())
    }
}

impl HostFdFile {
    /// The raw fd (for diagnostics).
    pub fn raw(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}
