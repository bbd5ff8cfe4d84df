//! The Gofer server: serves one host directory tree over a socket.
//!
//! Confinement comes from how it walks, not from trusting names: every node is an
//! `O_PATH|O_NOFOLLOW` fd reached one validated component at a time from the
//! served root (never "..", never a '/'), so no name the Sentry sends can leave the
//! tree, and symlinks are never followed here (the Sentry resolves them inside its
//! own VFS). Files are opened for I/O with `openat(parent, name, O_NOFOLLOW)` and
//! checked to be the same inode as the node, so a rename race yields ESTALE, not a
//! different file. On top, the process runs under a seccomp filter that allows only
//! the calls this loop makes.

use std::collections::HashMap;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;
use std::sync::Arc;

use nix::fcntl::{openat, OFlag};
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};
use nix::sys::stat::{fstatat, Mode};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use crate::protocol::{valid_name, Op, Reader, Writer, MAX_MESSAGE, READDIR_PAGE, VERSION};

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Refuse every change (EROFS) and open files read-only.
    pub read_only: bool,
    /// Install the seccomp filter before serving (off only in tests that serve from a
    /// thread of the test process).
    pub seccomp: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { read_only: true, seccomp: true }
    }
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum GoferError {
    /// The served root could not be opened.
    #[error("opening the root {path}: {source}")]
    Root {
        /// The root path.
        path: String,
        /// Why.
        source: nix::Error,
    },
    /// The seccomp filter could not be installed.
    #[error("installing the seccomp filter: {0}")]
    Seccomp(String),
    /// The socket failed.
    #[error("socket: {0}")]
    Socket(nix::Error),
}

struct Node {
    /// O_PATH|O_NOFOLLOW fd of the node.
    fd: Arc<OwnedFd>,
    /// The parent's O_PATH fd and the node's name in it (None for the root).
    parent: Option<(Arc<OwnedFd>, Vec<u8>)>,
    /// dev/ino at walk time, to detect a swapped file at open.
    dev_ino: (u64, u64),
}

struct Server {
    nodes: HashMap<u64, Node>,
    next: u64,
    read_only: bool,
    /// A directory listing being paged out: node → entries.
    listings: HashMap<u64, Vec<(u64, u8, Vec<u8>)>>,
}

fn errno(e: nix::Error) -> Errno {
    Errno(e as i32)
}

fn to_stat(st: &libc::stat) -> Stat {
    Stat {
        st_dev: st.st_dev,
        st_ino: st.st_ino,
        st_nlink: st.st_nlink,
        st_mode: st.st_mode,
        st_uid: st.st_uid,
        st_gid: st.st_gid,
        st_rdev: st.st_rdev,
        st_size: st.st_size,
        st_blksize: st.st_blksize,
        st_blocks: st.st_blocks,
        st_atime: st.st_atime,
        st_atime_nsec: st.st_atime_nsec,
        st_mtime: st.st_mtime,
        st_mtime_nsec: st.st_mtime_nsec,
        st_ctime: st.st_ctime,
        st_ctime_nsec: st.st_ctime_nsec,
        ..Default::default()
    }
}

fn stat_fd(fd: BorrowedFd<'_>) -> Result<Stat, Errno> {
    let st = fstatat(
        Some(fd.as_raw_fd()),
        "",
        nix::fcntl::AtFlags::AT_EMPTY_PATH | nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .map_err(errno)?;
    Ok(to_stat(&st))
}

impl Server {
    fn add(&mut self, fd: OwnedFd, parent: Option<(Arc<OwnedFd>, Vec<u8>)>) -> Result<(u64, Stat), Errno> {
        let st = stat_fd(fd.as_fd())?;
        let id = self.next;
        self.next += 1;
        self.nodes.insert(id, Node { fd: Arc::new(fd), parent, dev_ino: (st.st_dev, st.st_ino) });
        Ok((id, st))
    }

    fn node(&self, id: u64) -> Result<&Node, Errno> {
        self.nodes.get(&id).ok_or(Errno::EBADF)
    }

    /// Handles one request; returns the reply payload and an fd to donate.
    fn handle(&mut self, op: Op, r: &mut Reader<'_>) -> Result<(Writer, Option<OwnedFd>), Errno> {
        let mut w = Writer::default();
        match op {
            Op::Version => {
                let v = r.u32()?;
                if v != VERSION {
                    return Err(Errno::EPROTO);
                }
                w.u32(VERSION);
            }
            Op::Root => {
                // The root is node 0, opened at start.
                let st = stat_fd(self.node(0)?.fd.as_fd())?;
                w.u64(0).stat(&st);
            }
            Op::Walk => {
                let dir = r.u64()?;
                let name = r.bytes()?;
                valid_name(name)?;
                let dfd = self.node(dir)?.fd.clone();
                let fd = openat(
                    Some(dfd.as_raw_fd()),
                    name,
                    OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(errno)?;
                let (id, st) = self.add(owned(fd), Some((dfd, name.to_vec())))?;
                w.u64(id).stat(&st);
            }
            Op::Stat => {
                let st = stat_fd(self.node(r.u64()?)?.fd.as_fd())?;
                w.stat(&st);
            }
            Op::Open => {
                let id = r.u64()?;
                let flags = r.u32()?;
                let fd = self.open(id, flags)?;
                return Ok((w, Some(fd)));
            }
            Op::ReadDir => {
                let id = r.u64()?;
                let start = r.u64()? as usize;
                if start == 0 || !self.listings.contains_key(&id) {
                    let list = self.list(id)?;
                    self.listings.insert(id, list);
                }
                let list = self.listings.get(&id).ok_or(Errno::EINVAL)?;
                let page: Vec<_> = list.iter().skip(start).take(READDIR_PAGE).collect();
                let more = start + page.len() < list.len();
                w.u32(page.len() as u32).u8(u8::from(more));
                for (ino, ty, name) in page {
                    w.u64(*ino).u8(*ty).bytes(name);
                }
                if !more {
                    self.listings.remove(&id);
                }
            }
            Op::ReadLink => {
                let n = self.node(r.u64()?)?;
                let target = nix::fcntl::readlinkat(Some(n.fd.as_raw_fd()), "").map_err(errno)?;
                w.bytes(std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str()));
            }
            Op::Close => {
                let id = r.u64()?;
                if id != 0 {
                    self.nodes.remove(&id);
                    self.listings.remove(&id);
                }
            }
            Op::StatFs => {
                let n = self.node(r.u64()?)?;
                let s = nix::sys::statfs::fstatfs(n.fd.as_fd()).map_err(errno)?;
                let out = Statfs {
                    f_type: s.filesystem_type().0 as i64,
                    f_bsize: s.block_size() as i64,
                    f_blocks: s.blocks(),
                    f_bfree: s.blocks_free(),
                    f_bavail: s.blocks_available(),
                    f_files: s.files(),
                    f_ffree: s.files_free(),
                    f_namelen: s.maximum_name_length() as i64,
                    f_frsize: s.block_size() as i64,
                    ..Default::default()
                };
                w.statfs(&out);
            }
        }
        if !r.is_empty() {
            return Err(Errno::EINVAL);
        }
        Ok((w, None))
    }

    fn open(&self, id: u64, flags: u32) -> Result<OwnedFd, Errno> {
        let n = self.node(id)?;
        let acc = flags & 3;
        if self.read_only && (acc != 0 || flags & libc::O_TRUNC as u32 != 0) {
            return Err(Errno::EROFS);
        }
        let st = stat_fd(n.fd.as_fd())?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(if st.st_mode & libc::S_IFMT == libc::S_IFDIR { Errno::EISDIR } else { Errno::ENXIO });
        }
        let (pfd, name) = n.parent.as_ref().ok_or(Errno::EISDIR)?;
        let mut of = OFlag::from_bits_truncate(acc as i32)
            | OFlag::O_NOFOLLOW
            | OFlag::O_CLOEXEC
            | OFlag::O_NOCTTY
            | OFlag::O_NONBLOCK;
        if flags & libc::O_TRUNC as u32 != 0 {
            of |= OFlag::O_TRUNC;
        }
        if flags & libc::O_APPEND as u32 != 0 {
            of |= OFlag::O_APPEND;
        }
        let fd = owned(openat(Some(pfd.as_raw_fd()), name.as_slice(), of, Mode::empty()).map_err(errno)?);
        let now = stat_fd(fd.as_fd())?;
        if (now.st_dev, now.st_ino) != n.dev_ino || now.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(Errno::ESTALE);
        }
        // Reads should block like a normal file: clear the O_NONBLOCK used for opening.
        let _ = nix::fcntl::fcntl(
            fd.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFL(of & !OFlag::O_NONBLOCK & (OFlag::O_APPEND)),
        );
        Ok(fd)
    }

    fn list(&self, id: u64) -> Result<Vec<(u64, u8, Vec<u8>)>, Errno> {
        let n = self.node(id)?;
        let fd =
            openat(Some(n.fd.as_raw_fd()), ".", OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())
                .map_err(errno)?;
        let mut dir = nix::dir::Dir::from_fd(fd).map_err(errno)?;
        let mut out = Vec::new();
        for e in dir.iter() {
            let e = e.map_err(errno)?;
            let name = e.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let ty = match e.file_type() {
                Some(nix::dir::Type::Fifo) => 1,
                Some(nix::dir::Type::CharacterDevice) => 2,
                Some(nix::dir::Type::Directory) => 4,
                Some(nix::dir::Type::BlockDevice) => 6,
                Some(nix::dir::Type::File) => 8,
                Some(nix::dir::Type::Symlink) => 10,
                Some(nix::dir::Type::Socket) => 12,
                None => 0,
            };
            out.push((e.ino(), ty, name.to_vec()));
        }
        Ok(out)
    }
}

#[allow(unsafe_code)]
fn owned(fd: RawFd) -> OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: `fd` was just returned by a successful open and is owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Installs the Gofer's seccomp filter: only the calls the serve loop makes.
pub fn install_seccomp() -> Result<(), GoferError> {
    use libseccomp::{ScmpAction, ScmpFilterContext, ScmpSyscall};
    let err = |e: libseccomp::error::SeccompError| GoferError::Seccomp(e.to_string());
    let mut f = ScmpFilterContext::new_filter(ScmpAction::KillProcess).map_err(err)?;
    for name in [
        "recvmsg",
        "sendmsg",
        "openat",
        "newfstatat",
        "fstat",
        "statx",
        "getdents64",
        "readlinkat",
        "close",
        "fstatfs",
        "fcntl",
        "lseek",
        "mmap",
        "munmap",
        "mremap",
        "brk",
        "madvise",
        "futex",
        "rt_sigreturn",
        "rt_sigprocmask",
        "sigaltstack",
        "exit",
        "exit_group",
        "sched_yield",
        "write",
        "getrandom",
        "clock_gettime",
        "poll",
        "ppoll",
    ] {
        let sc = ScmpSyscall::from_name(name).map_err(err)?;
        f.add_rule(ScmpAction::Allow, sc).map_err(err)?;
    }
    f.load().map_err(err)
}

/// Serves `root` on `sock` until the peer closes it.
pub fn serve(root: &Path, sock: OwnedFd, opts: ServeOptions) -> Result<(), GoferError> {
    let root_fd = nix::fcntl::open(root, OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())
        .map_err(|source| GoferError::Root { path: root.display().to_string(), source })?;
    let mut srv = Server { nodes: HashMap::new(), next: 0, read_only: opts.read_only, listings: HashMap::new() };
    srv.add(owned(root_fd), None)
        .map_err(|e| GoferError::Root { path: root.display().to_string(), source: nix::Error::from_raw(e.0) })?;
    if opts.seccomp {
        install_seccomp()?;
    }
    let mut buf = vec![0u8; MAX_MESSAGE];
    loop {
        let n = {
            let mut iov = [IoSliceMut::new(&mut buf)];
            match recvmsg::<()>(sock.as_raw_fd(), &mut iov, None, MsgFlags::empty()) {
                Ok(m) => m.bytes,
                Err(nix::Error::EINTR) => continue,
                Err(e) => return Err(GoferError::Socket(e)),
            }
        };
        if n == 0 && peer_closed(&sock) {
            return Ok(());
        }
        let mut r = Reader::new(&buf[..n]);
        let (id, result) = match (r.u32(), r.u16()) {
            (Ok(id), Ok(op)) => (id, Op::from_u16(op).ok_or(Errno::EINVAL).and_then(|op| srv.handle(op, &mut r))),
            (Ok(id), Err(e)) => (id, Err(e)),
            _ => (0, Err(Errno::EINVAL)),
        };
        let mut reply = Writer::default();
        reply.u32(id);
        let fd = match result {
            Ok((w, fd)) => {
                reply.i32(0);
                reply.0.extend_from_slice(&w.0);
                fd
            }
            Err(e) => {
                reply.i32(e.0);
                None
            }
        };
        let iov = [IoSlice::new(&reply.0)];
        let raw: Vec<RawFd> = fd.iter().map(|f| f.as_raw_fd()).collect();
        let cmsg = [ControlMessage::ScmRights(&raw)];
        let cmsgs: &[ControlMessage<'_>] = if raw.is_empty() { &[] } else { &cmsg };
        match sendmsg::<()>(sock.as_raw_fd(), &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None) {
            Ok(_) => {}
            Err(nix::Error::EPIPE) | Err(nix::Error::ECONNRESET) => return Ok(()),
            Err(e) => return Err(GoferError::Socket(e)),
        }
        drop(fd);
    }
}

/// Whether a zero-length read was the end of the session rather than an empty
/// (malformed) message: SOCK_SEQPACKET reports both as 0 bytes.
fn peer_closed(sock: &OwnedFd) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0].revents().is_some_and(|r| r.intersects(PollFlags::POLLHUP)),
        Err(_) => true,
    }
}

/// Collects the fd of a reply, if any (shared with the client).
pub(crate) fn take_fd(cmsgs: impl Iterator<Item = ControlMessageOwned>) -> Option<OwnedFd> {
    let mut out = None;
    for c in cmsgs {
        if let ControlMessageOwned::ScmRights(fds) = c {
            for fd in fds {
                if out.is_none() {
                    out = Some(owned(fd));
                } else {
                    drop(owned(fd));
                }
            }
        }
    }
    out
}
