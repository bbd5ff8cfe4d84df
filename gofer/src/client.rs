//! The Sentry's side of the Gofer protocol.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;

use nix::sys::socket::{recvmsg, sendmsg, MsgFlags};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use crate::protocol::{valid_name, Op, Reader, Writer, MAX_MESSAGE, VERSION};

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

/// A connection to one Gofer. Thread-safe (one request at a time); a dead Gofer
/// makes every call fail with EIO, at once and for good.
pub struct GoferClient {
    sock: Mutex<OwnedFd>,
    next_id: AtomicU32,
    dead: AtomicBool,
}

impl GoferClient {
    /// Wraps the Sentry's end of the socketpair.
    pub fn new(sock: OwnedFd) -> Self {
        GoferClient { sock: Mutex::new(sock), next_id: AtomicU32::new(1), dead: AtomicBool::new(false) }
    }

    /// Sends one request and waits for its reply: (payload, donated fd).
    fn call(&self, op: Op, body: &Writer) -> Result<(Vec<u8>, Option<OwnedFd>), Errno> {
        if self.dead.load(Ordering::Relaxed) {
            return Err(Errno::EIO);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = Writer::default();
        msg.u32(id).u16(op as u16);
        msg.0.extend_from_slice(&body.0);
        let sock = self.sock.lock().unwrap_or_else(|e| e.into_inner());
        let fail = |e| {
            tracing::error!("gofer connection failed: {e}");
            self.dead.store(true, Ordering::Relaxed);
            Errno::EIO
        };
        loop {
            match sendmsg::<()>(sock.as_raw_fd(), &[IoSlice::new(&msg.0)], &[], MsgFlags::MSG_NOSIGNAL, None) {
                Ok(_) => break,
                Err(nix::Error::EINTR) => continue,
                Err(e) => return Err(fail(e)),
            }
        }
        let mut buf = vec![0u8; MAX_MESSAGE];
        let mut space = nix::cmsg_space!([RawFd; 2]);
        let (n, fd) = loop {
            let mut iov = [IoSliceMut::new(&mut buf)];
            match recvmsg::<()>(sock.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC) {
                Ok(m) => {
                    let fd = m.cmsgs().ok().and_then(crate::server::take_fd);
                    break (m.bytes, fd);
                }
                Err(nix::Error::EINTR) => continue,
                Err(e) => return Err(fail(e)),
            }
        };
        drop(sock);
        if n == 0 {
            return Err(fail(nix::Error::ECONNRESET));
        }
        let mut r = Reader::new(&buf[..n]);
        let (rid, err) = (r.u32()?, r.i32()?);
        if rid != id {
            return Err(fail(nix::Error::EPROTO));
        }
        if err != 0 {
            return Err(Errno(err));
        }
        let rest = buf[n - r_remaining(&buf[..n], 8)..n].to_vec();
        Ok((rest, fd))
    }

    /// Checks that the Gofer speaks this protocol version.
    pub fn handshake(&self) -> Result<(), Errno> {
        let mut w = Writer::default();
        w.u32(VERSION);
        let (p, _) = self.call(Op::Version, &w)?;
        if Reader::new(&p).u32()? != VERSION {
            return Err(Errno::EPROTO);
        }
        Ok(())
    }

    /// The root of the served tree.
    pub fn root(&self) -> Result<NodeInfo, Errno> {
        let (p, _) = self.call(Op::Root, &Writer::default())?;
        let mut r = Reader::new(&p);
        Ok(NodeInfo { id: NodeId(r.u64()?), stat: r.stat()? })
    }

    /// Looks up `name` (one component: not empty, no '/', not "." or "..") in `dir`.
    pub fn walk(&self, dir: NodeId, name: &[u8]) -> Result<NodeInfo, Errno> {
        valid_name(name)?;
        let mut w = Writer::default();
        w.u64(dir.0).bytes(name);
        let (p, _) = self.call(Op::Walk, &w)?;
        let mut r = Reader::new(&p);
        Ok(NodeInfo { id: NodeId(r.u64()?), stat: r.stat()? })
    }

    /// Fresh attributes of a node.
    pub fn stat(&self, node: NodeId) -> Result<Stat, Errno> {
        let mut w = Writer::default();
        w.u64(node.0);
        let (p, _) = self.call(Op::Stat, &w)?;
        Reader::new(&p).stat()
    }

    /// Opens a regular file and donates the host fd. `flags` are Linux open flags;
    /// only the access mode, O_TRUNC and O_APPEND are honoured.
    pub fn open(&self, node: NodeId, flags: u32) -> Result<OwnedFd, Errno> {
        let mut w = Writer::default();
        w.u64(node.0).u32(flags);
        let (_, fd) = self.call(Op::Open, &w)?;
        fd.ok_or(Errno::EIO)
    }

    /// All entries of a directory.
    pub fn readdir(&self, dir: NodeId) -> Result<Vec<DirEntry>, Errno> {
        let mut out = Vec::new();
        loop {
            let mut w = Writer::default();
            w.u64(dir.0).u64(out.len() as u64);
            let (p, _) = self.call(Op::ReadDir, &w)?;
            let mut r = Reader::new(&p);
            let count = r.u32()?;
            let more = r.u8()? != 0;
            for _ in 0..count {
                let ino = r.u64()?;
                let d_type = r.u8()?;
                let name = r.bytes()?.to_vec();
                out.push(DirEntry { name, ino, d_type });
            }
            if !more || count == 0 {
                return Ok(out);
            }
        }
    }

    /// A symlink's target.
    pub fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        let mut w = Writer::default();
        w.u64(node.0);
        let (p, _) = self.call(Op::ReadLink, &w)?;
        Ok(Reader::new(&p).bytes()?.to_vec())
    }

    /// File-system statistics of the tree holding `node`.
    pub fn statfs(&self, node: NodeId) -> Result<Statfs, Errno> {
        let mut w = Writer::default();
        w.u64(node.0);
        let (p, _) = self.call(Op::StatFs, &w)?;
        Reader::new(&p).statfs()
    }

    /// Forgets a node id.
    pub fn close(&self, node: NodeId) {
        let mut w = Writer::default();
        w.u64(node.0);
        let _ = self.call(Op::Close, &w);
    }
}

/// Bytes of `msg` after a header of `hdr` bytes.
fn r_remaining(msg: &[u8], hdr: usize) -> usize {
    msg.len().saturating_sub(hdr)
}
