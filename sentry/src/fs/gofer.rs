//! A host directory tree served by the Gofer, read-only.
//!
//! Nodes cache their attributes, children (including misses), listings and link
//! targets: the served tree is read-only for the sandbox, so the cache is only stale
//! if the host changes the tree during the run (documented in the README).

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
    stat: Stat,
    /// name → child (None: known not to exist).
    children: Mutex<HashMap<Vec<u8>, Option<Arc<GoferInode>>>>,
    listing: Mutex<Option<Vec<DirEntry>>>,
    target: Mutex<Option<Vec<u8>>>,
}

impl GoferInode {
    /// The root of the tree `client` serves.
    pub fn root(client: Arc<GoferClient>) -> Result<Arc<GoferInode>, Errno> {
        let r = client.root()?;
        Ok(Arc::new(GoferInode::new(client, r.id, r.stat)))
    }

    fn new(client: Arc<GoferClient>, id: NodeId, stat: Stat) -> Self {
        GoferInode {
            client,
            id,
            stat,
            children: Mutex::new(HashMap::new()),
            listing: Mutex::new(None),
            target: Mutex::new(None),
        }
    }

    /// Opens the host file for reading (the host fd is donated by the Gofer).
    pub fn open_host(&self, flags: u32) -> Result<OwnedFd, Errno> {
        self.client.open(self.id, flags)
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
        Ok(self.stat)
    }

    fn lookup(&self, _t: &Task, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        if self.stat.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        let mut c = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = c.get(name) {
            return hit.clone().map(|n| n as Arc<dyn Inode>).ok_or(Errno::ENOENT);
        }
        match self.client.walk(self.id, name) {
            Ok(info) => {
                let n = Arc::new(GoferInode::new(self.client.clone(), info.id, info.stat));
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
        match self.stat.st_mode & S_IFMT {
            S_IFREG => {
                if flags.writable() {
                    return Err(Errno::EROFS);
                }
                let fd = self.open_host(0)?;
                Ok(Box::new(HostFdFile { fd, inode: self }))
            }
            S_IFDIR => Ok(Box::new(crate::vfs::DirFile)),
            // Devices, FIFOs and sockets of the host are not reachable from the sandbox.
            _ => Err(Errno::EACCES),
        }
    }

    fn setattr(&self, _t: &Task, _a: &crate::vfs::SetAttr) -> Result<(), Errno> {
        Err(Errno::EROFS)
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

    fn write(&self, _f: &FileDescription, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        self.inode.stat()
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
