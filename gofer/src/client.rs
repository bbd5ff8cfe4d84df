//! The Sentry's side of the Gofer protocol.

use std::os::fd::OwnedFd;

use sbx_abi::structs::Stat;
use sbx_abi::Errno;

/// A node the Gofer has walked to; valid until [`GoferClient::close`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u64);

/// A node and its attributes (lstat semantics: a symlink is not followed).
#[derive(Clone, Debug)]
pub struct NodeInfo {
    /// The node's id.
    pub id: NodeId,
    /// Its attributes.
    pub stat: Stat,
}

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Name (never "." or "..").
    pub name: Vec<u8>,
    /// Inode number on the host.
    pub ino: u64,
    /// `DT_*` type.
    pub d_type: u8,
}

/// A connection to one Gofer. Thread-safe; a dead Gofer makes every call fail with EIO.
pub struct GoferClient {
    _sock: OwnedFd,
}

impl GoferClient {
    /// Wraps the Sentry's end of the socketpair.
    pub fn new(sock: OwnedFd) -> Self {
        GoferClient { _sock: sock }
    }
    /// The root of the served tree.
    pub fn root(&self) -> Result<NodeInfo, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Looks up `name` (one component: not empty, no '/', not "." or "..") in directory `dir`.
    pub fn walk(&self, _dir: NodeId, _name: &[u8]) -> Result<NodeInfo, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Fresh attributes of a node.
    pub fn stat(&self, _node: NodeId) -> Result<Stat, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Opens a regular file and donates the host fd. `flags` are Linux open flags; only the
    /// access mode, O_TRUNC and O_APPEND are honoured.
    pub fn open(&self, _node: NodeId, _flags: u32) -> Result<OwnedFd, Errno> {
        Err(Errno::ENOSYS)
    }
    /// All entries of a directory.
    pub fn readdir(&self, _dir: NodeId) -> Result<Vec<DirEntry>, Errno> {
        Err(Errno::ENOSYS)
    }
    /// A symlink's target.
    pub fn readlink(&self, _node: NodeId) -> Result<Vec<u8>, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Forgets a node id.
    pub fn close(&self, _node: NodeId) {}
}
