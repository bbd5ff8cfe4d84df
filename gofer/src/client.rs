//! The Sentry's side of the Gofer protocol.
//!
//! Lock order: `GoferClient::inner` is a leaf lock (held only across one request/reply).

use std::os::fd::{AsFd, OwnedFd};
use std::sync::Mutex;

use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use crate::protocol::{
    recv_msg, send_msg, validate_name, Header, Op, Reader, SetAttr, Writer, MAX_MSG, NAME_MAX, PATH_MAX, VERSION,
};

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

/// Most entries [`GoferClient::readdir`] accepts from one directory.
const MAX_DIRENTS: usize = 1 << 24;

/// The socket and the state of the exchange; protected by `GoferClient::inner`.
struct Inner {
    sock: OwnedFd,
    /// Set once the connection failed; every later call is EIO without touching the socket.
    broken: bool,
    next_tag: u32,
    buf: Vec<u8>,
}

/// A connection to one Gofer. Thread-safe (one request at a time); a dead Gofer makes every
/// call fail with EIO.
pub struct GoferClient {
    inner: Mutex<Inner>,
}

/// A successful reply: its payload and the fd it carried, if any.
struct Reply {
    payload: Vec<u8>,
    fd: Option<OwnedFd>,
}

impl GoferClient {
    /// Wraps the Sentry's end of the socketpair (SOCK_SEQPACKET).
    pub fn new(sock: OwnedFd) -> Self {
        GoferClient { inner: Mutex::new(Inner { sock, broken: false, next_tag: 1, buf: vec![0; MAX_MSG] }) }
    }

    /// Sends one request and waits for its reply. Transport failures and replies that do not
    /// match the request (a confused or hostile Gofer) break the connection: EIO from then on.
    fn call(&self, op: Op, body: impl FnOnce(&mut Writer)) -> Result<Reply, Errno> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.broken {
            return Err(Errno::EIO);
        }
        let tag = inner.next_tag;
        inner.next_tag = inner.next_tag.wrapping_add(1);
        let mut w = Writer::with_header(Header { version: VERSION, op: op as u16, tag, errno: 0 });
        body(&mut w);
        if w.buf.len() > MAX_MSG {
            return Err(Errno::ENAMETOOLONG);
        }
        match Self::exchange(&mut inner, op, tag, &w.buf) {
            Ok(reply) => reply,
            Err(()) => {
                inner.broken = true;
                Err(Errno::EIO)
            }
        }
    }

    /// The transport part of [`call`]: `Err` means the connection is unusable, `Ok(Err)` is
    /// an errno the Gofer replied with.
    fn exchange(inner: &mut Inner, op: Op, tag: u32, msg: &[u8]) -> Result<Result<Reply, Errno>, ()> {
        let Inner { sock, buf, .. } = inner;
        send_msg(sock.as_fd(), msg, None).map_err(|_| ())?;
        let r = recv_msg(sock.as_fd(), buf).map_err(|_| ())?;
        if r.len == 0 || r.truncated {
            return Err(());
        }
        let (h, payload) = Header::decode(&buf[..r.len]).map_err(|_| ())?;
        if h.version != VERSION || h.op != op as u16 || h.tag != tag {
            return Err(());
        }
        if h.errno != 0 {
            if h.errno < 0 || r.fd.is_some() || !payload.is_empty() {
                return Err(());
            }
            return Ok(Err(Errno(h.errno)));
        }
        Ok(Ok(Reply { payload: payload.to_vec(), fd: r.fd }))
    }

    /// Decodes a reply payload; a malformed one is EIO (the Gofer is not making sense).
    fn decode<T>(reply: &Reply, f: impl FnOnce(&mut Reader<'_>) -> Result<T, Errno>) -> Result<T, Errno> {
        let mut r = Reader::new(&reply.payload);
        let v = f(&mut r).map_err(|_| Errno::EIO)?;
        r.finish().map_err(|_| Errno::EIO)?;
        Ok(v)
    }

    fn node_info(r: &mut Reader<'_>) -> Result<NodeInfo, Errno> {
        Ok(NodeInfo { id: NodeId(r.u64()?), stat: r.pod()? })
    }

    fn take_fd(reply: &mut Reply) -> Result<OwnedFd, Errno> {
        reply.fd.take().ok_or(Errno::EIO)
    }

    /// The root of the served tree (a new node id each call).
    pub fn root(&self) -> Result<NodeInfo, Errno> {
        let reply = self.call(Op::Root, |_| {})?;
        Self::decode(&reply, Self::node_info)
    }

    /// Looks up `name` (one component: not empty, no '/' or NUL, not "." or "..") in
    /// directory `dir`. A symlink is returned as itself (S_IFLNK), never followed.
    pub fn walk(&self, dir: NodeId, name: &[u8]) -> Result<NodeInfo, Errno> {
        validate_name(name)?;
        let reply = self.call(Op::Walk, |w| {
            w.u64(dir.0).bytes(name);
        })?;
        Self::decode(&reply, Self::node_info)
    }

    /// Fresh attributes of a node.
    pub fn stat(&self, node: NodeId) -> Result<Stat, Errno> {
        let reply = self.call(Op::Stat, |w| {
            w.u64(node.0);
        })?;
        Self::decode(&reply, |r| r.pod())
    }

    /// Opens a regular file and donates the host fd (close-on-exec). `flags` are Linux open
    /// flags; only the access mode, O_TRUNC and O_APPEND are honoured.
    ///
    /// # Errors
    /// EISDIR for a directory, ELOOP for a symlink, EINVAL for other non-regular files, EROFS
    /// for write access on a read-only Gofer, ESTALE if the file was replaced on the host.
    pub fn open(&self, node: NodeId, flags: u32) -> Result<OwnedFd, Errno> {
        let mut reply = self.call(Op::Open, |w| {
            w.u64(node.0).u32(flags);
        })?;
        Self::decode(&reply, |_| Ok(()))?;
        Self::take_fd(&mut reply)
    }

    /// All entries of a directory, without "." and "..". Large directories take several
    /// round trips; entries come from one snapshot taken at the first.
    pub fn readdir(&self, dir: NodeId) -> Result<Vec<DirEntry>, Errno> {
        let mut out = Vec::new();
        loop {
            let index = out.len() as u64;
            let reply = self.call(Op::Readdir, |w| {
                w.u64(dir.0).u64(index);
            })?;
            let more = Self::decode(&reply, |r| {
                let more = r.u8()? != 0;
                let count = r.u32()?;
                for _ in 0..count {
                    let ino = r.u64()?;
                    let d_type = r.u8()?;
                    let name = r.bytes(NAME_MAX)?;
                    validate_name(name)?;
                    out.push(DirEntry { name: name.to_vec(), ino, d_type });
                }
                if more && (count == 0 || out.len() >= MAX_DIRENTS) {
                    return Err(Errno::EIO); // A Gofer that would make us loop forever.
                }
                Ok(more)
            })?;
            if !more {
                return Ok(out);
            }
        }
    }

    /// A symlink's target (EINVAL if `node` is not a symlink).
    pub fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        let reply = self.call(Op::Readlink, |w| {
            w.u64(node.0);
        })?;
        Self::decode(&reply, |r| Ok(r.bytes(PATH_MAX)?.to_vec()))
    }

    /// Forgets a node id. Errors are ignored: the id is gone either way.
    pub fn close(&self, node: NodeId) {
        let _ = self.call(Op::Close, |w| {
            w.u64(node.0);
        });
    }

    /// Creates a regular file `name` in `dir` with `mode` (no umask applied: the Sentry applies
    /// the guest's) and opens it; `flags` honours the access mode, O_EXCL, O_TRUNC and
    /// O_APPEND. Without O_EXCL an existing regular file is opened instead.
    pub fn create(&self, dir: NodeId, name: &[u8], flags: u32, mode: u32) -> Result<(NodeInfo, OwnedFd), Errno> {
        validate_name(name)?;
        let mut reply = self.call(Op::Create, |w| {
            w.u64(dir.0).bytes(name).u32(flags).u32(mode);
        })?;
        let info = Self::decode(&reply, Self::node_info)?;
        Ok((info, Self::take_fd(&mut reply)?))
    }

    /// Creates directory `name` in `dir`.
    pub fn mkdir(&self, dir: NodeId, name: &[u8], mode: u32) -> Result<NodeInfo, Errno> {
        validate_name(name)?;
        let reply = self.call(Op::Mkdir, |w| {
            w.u64(dir.0).bytes(name).u32(mode);
        })?;
        Self::decode(&reply, Self::node_info)
    }

    /// Removes `name` from `dir`: a directory if `flags_removedir` (rmdir), else a
    /// non-directory (unlink).
    pub fn unlink(&self, dir: NodeId, name: &[u8], flags_removedir: bool) -> Result<(), Errno> {
        validate_name(name)?;
        let reply = self.call(Op::Unlink, |w| {
            w.u64(dir.0).bytes(name).u8(u8::from(flags_removedir));
        })?;
        Self::decode(&reply, |_| Ok(()))
    }

    /// Renames `olddir/oldname` to `newdir/newname` (replacing it, as rename(2) does).
    pub fn rename(&self, olddir: NodeId, oldname: &[u8], newdir: NodeId, newname: &[u8]) -> Result<(), Errno> {
        validate_name(oldname)?;
        validate_name(newname)?;
        let reply = self.call(Op::Rename, |w| {
            w.u64(olddir.0).bytes(oldname).u64(newdir.0).bytes(newname);
        })?;
        Self::decode(&reply, |_| Ok(()))
    }

    /// Creates symlink `name` in `dir` pointing to `target` (stored verbatim, never resolved
    /// by the Gofer).
    pub fn symlink(&self, dir: NodeId, name: &[u8], target: &[u8]) -> Result<NodeInfo, Errno> {
        validate_name(name)?;
        if target.is_empty() || target.contains(&0) {
            return Err(if target.is_empty() { Errno::ENOENT } else { Errno::EINVAL });
        }
        if target.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let reply = self.call(Op::Symlink, |w| {
            w.u64(dir.0).bytes(name).bytes(target);
        })?;
        Self::decode(&reply, Self::node_info)
    }

    /// Creates hard link `name` in `dir` to node `target` (not a directory).
    pub fn link(&self, dir: NodeId, name: &[u8], target: NodeId) -> Result<NodeInfo, Errno> {
        validate_name(name)?;
        let reply = self.call(Op::Link, |w| {
            w.u64(dir.0).bytes(name).u64(target.0);
        })?;
        Self::decode(&reply, Self::node_info)
    }

    /// Changes attributes: ownership first, then mode, size (regular files) and times. Stops
    /// at the first error. Mode on anything but regular files and directories is EOPNOTSUPP.
    pub fn setattr(&self, node: NodeId, attr: &SetAttr) -> Result<(), Errno> {
        let reply = self.call(Op::Setattr, |w| {
            w.u64(node.0);
            attr.encode(w);
        })?;
        Self::decode(&reply, |_| Ok(()))
    }

    /// File system statistics of the file system holding `node` (f_fsid is zero).
    pub fn statfs(&self, node: NodeId) -> Result<Statfs, Errno> {
        let reply = self.call(Op::Statfs, |w| {
            w.u64(node.0);
        })?;
        Self::decode(&reply, |r| r.pod())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (OwnedFd, OwnedFd) {
        rustix::net::socketpair(
            rustix::net::AddressFamily::UNIX,
            rustix::net::SocketType::SEQPACKET,
            rustix::net::SocketFlags::CLOEXEC,
            None,
        )
        .unwrap()
    }

    #[test]
    fn client_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<GoferClient>();
    }

    #[test]
    fn bad_names_rejected_before_sending() {
        // A socket whose peer is gone: any request would be EIO, so EINVAL proves the
        // client checked first.
        let (a, b) = pair();
        drop(b);
        let g = GoferClient::new(a);
        for bad in [&b""[..], b".", b"..", b"a/b", b"a\0"] {
            assert_eq!(g.walk(NodeId(1), bad).unwrap_err(), Errno::EINVAL);
            assert_eq!(g.mkdir(NodeId(1), bad, 0).unwrap_err(), Errno::EINVAL);
        }
        assert_eq!(g.stat(NodeId(1)).unwrap_err(), Errno::EIO);
        assert_eq!(g.root().unwrap_err(), Errno::EIO);
    }

    /// A peer that answers with garbage breaks the connection (EIO), and it stays broken.
    #[test]
    fn garbage_reply_is_eio() {
        let (a, b) = pair();
        let t = std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            let _ = rustix::net::recv(&b, &mut buf[..], rustix::net::RecvFlags::empty());
            let _ = rustix::net::send(&b, b"nonsense reply", rustix::net::SendFlags::empty());
            b
        });
        let g = GoferClient::new(a);
        assert_eq!(g.root().unwrap_err(), Errno::EIO);
        let _b = t.join().unwrap();
        assert_eq!(g.root().unwrap_err(), Errno::EIO);
    }
}
