//! The Gofer server loop.
//!
//! One [`serve`] call serves one host directory tree over one socket until the peer closes.
//! The server is single-threaded and handles one request at a time.
//!
//! # Confinement
//! Path safety does not depend on the mount-namespace confinement: every lookup is one
//! validated component resolved with `openat2(dirfd, name, O_PATH|O_NOFOLLOW,
//! RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS)` (or `openat(.., O_NOFOLLOW)` where
//! openat2 is missing), starting from the served root's fd. A name without '/' other than "."
//! and ".." can only name an entry of that directory, and O_NOFOLLOW means a symlink is
//! returned as itself, never followed. [`confine`] adds a mount namespace whose root is the
//! served tree, and the seccomp filter ([`install_seccomp`]) limits what a compromised Gofer
//! could ask the host kernel.
//!
//! # Opening files for I/O
//! Nodes are O_PATH fds, which cannot be read or written. Reopening them through
//! `/proc/self/fd/N` would need /proc, which the confined Gofer no longer sees. Instead each node
//! remembers its parent directory's O_PATH fd and its name, and [`Server::reopen`] does
//! `openat2(parent, name, flags|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY)` (beneath the parent, no symlinks),
//! then checks with fstat that the result is a regular file with the node's device and inode.
//! The name is re-resolved, so the file may have been replaced in between; but only by an entry
//! of the same (in-tree) directory, never a symlink (O_NOFOLLOW), and the check rejects
//! anything else with ESTALE before the fd leaves the Gofer. O_NONBLOCK keeps a FIFO swapped in
//! from blocking the open, and O_TRUNC is applied with ftruncate only after the check, so a
//! swapped file is never truncated.

use std::cell::Cell;
use std::collections::HashMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use libseccomp::{scmp_cmp, ScmpAction, ScmpFilterContext, ScmpSyscall};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags, Timespec, Timestamps};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;

use crate::client::DirEntry;
use crate::protocol::{
    recv_msg, send_msg, validate_name, Header, Op, Reader, SetAttr, SetTime, Writer, MAX_MSG, NAME_MAX, PATH_MAX,
    VERSION,
};

/// How to serve.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Refuse every change (write opens, create, mkdir, unlink, rename, symlink, link,
    /// setattr) with EROFS.
    pub read_only: bool,
    /// Call [`confine`] before serving. Tests that serve from a thread of the test process
    /// turn this off; the Gofer process leaves it on.
    pub confine: bool,
    /// Install the seccomp filter before serving (it applies to the calling thread only).
    pub seccomp: bool,
}

impl Default for ServeOptions {
    /// Safe defaults: read-only, confined, seccomp on.
    fn default() -> Self {
        ServeOptions { read_only: true, confine: true, seccomp: true }
    }
}

/// Why [`serve`] failed.
#[derive(Debug, thiserror::Error)]
pub enum GoferError {
    /// The served root could not be opened.
    #[error("cannot open served root {path}: {source}")]
    OpenRoot {
        /// The root as given.
        path: PathBuf,
        /// The host error.
        source: rustix::io::Errno,
    },
    /// The served root is not a directory.
    #[error("served root {0} is not a directory")]
    NotADirectory(PathBuf),
    /// Building or loading the seccomp filter failed.
    #[error("cannot install seccomp filter: {0}")]
    Seccomp(#[from] libseccomp::error::SeccompError),
    /// The socket failed with something other than the peer going away.
    #[error("gofer socket error: {0:?}")]
    Socket(Errno),
}

/// Serves the tree at `root` over `sock` (a SOCK_SEQPACKET Unix socket) until the peer
/// closes, then returns `Ok(())`.
///
/// With `opts.confine`, first calls [`confine`] (which changes the calling process's mount
/// namespace and root: call it in the Gofer process, not in a process that has other work).
/// The root is then opened, the umask cleared (the Sentry applies the guest's umask itself),
/// and with `opts.seccomp` the filter installed on the calling thread.
///
/// # Errors
/// See [`GoferError`]. Malformed requests are never errors: they get error replies.
pub fn serve(root: &Path, sock: OwnedFd, opts: ServeOptions) -> Result<(), GoferError> {
    let root = if opts.confine { confine(root) } else { root.to_path_buf() };
    let root_fd = rustix::fs::open(&root, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).map_err(
        |source| match source {
            rustix::io::Errno::NOTDIR => GoferError::NotADirectory(root.clone()),
            source => GoferError::OpenRoot { path: root.clone(), source },
        },
    )?;
    rustix::process::umask(Mode::empty());
    let mut server = Server::new(root_fd, opts.read_only).map_err(GoferError::Socket)?;
    if opts.seccomp {
        install_seccomp(sock.as_fd(), opts.read_only)?;
    }
    server.run(sock.as_fd())
}

/// Confines the calling process to `root`, as far as the host allows, and returns the path
/// under which `root` is now reachable: "/" on success, `root` itself if a step failed.
///
/// Steps:
/// 1. `unshare(CLONE_NEWNS)`, if we are root. As root we already hold CAP_SYS_ADMIN, and a
///    new user namespace would cost us access: only mapped ids keep DAC_OVERRIDE/CHOWN, and we
///    could map just uid 0. Not root: `unshare(CLONE_NEWUSER|CLONE_NEWNS)` mapping our uid and
///    gid to themselves (setgroups denied), which loses nothing we had. Must run while the
///    process is single-threaded.
/// 2. Make every mount private (`MS_REC|MS_PRIVATE` on "/"), so nothing propagates back.
/// 3. Bind-mount `root` onto itself (recursively) so it is a mount point.
/// 4. `chdir(root)`, `pivot_root(".", ".")`, `umount2(".", MNT_DETACH)` (the old root, stacked
///    on top), `chdir("/")`: the process can no longer name anything outside `root`.
///
/// A failing step logs a `tracing::warn!` and confinement stops there; serving stays safe
/// because every lookup is fd-relative and one component at a time (see the module docs).
pub fn confine(root: &Path) -> PathBuf {
    match try_confine(root) {
        Ok(()) => PathBuf::from("/"),
        Err((step, e)) => {
            tracing::warn!(root = %root.display(), step, error = %e,
                "gofer confinement incomplete; relying on fd-relative lookups");
            root.to_path_buf()
        }
    }
}

fn try_confine(root: &Path) -> Result<(), (&'static str, nix::Error)> {
    use nix::mount::{mount, umount2, MntFlags, MsFlags};
    use nix::sched::{unshare, CloneFlags};
    use nix::unistd::{chdir, getegid, geteuid, pivot_root};

    let root = std::fs::canonicalize(root)
        .map_err(|e| ("canonicalize", nix::Error::from_raw(e.raw_os_error().unwrap_or(0))))?;
    let (uid, gid) = (geteuid(), getegid());
    if uid.is_root() {
        unshare(CloneFlags::CLONE_NEWNS).map_err(|e| ("unshare(CLONE_NEWNS)", e))?;
    } else {
        unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS)
            .map_err(|e| ("unshare(CLONE_NEWUSER|CLONE_NEWNS)", e))?;
        let write = |file: &str, s: String| {
            std::fs::write(file, s).map_err(|e| ("id maps", nix::Error::from_raw(e.raw_os_error().unwrap_or(0))))
        };
        write("/proc/self/setgroups", "deny".into())?;
        write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
        write("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
    }
    let none = None::<&str>;
    mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none).map_err(|e| ("make mounts private", e))?;
    mount(Some(&root), &root, none, MsFlags::MS_BIND | MsFlags::MS_REC, none).map_err(|e| ("bind-mount root", e))?;
    chdir(&root).map_err(|e| ("chdir(root)", e))?;
    pivot_root(".", ".").map_err(|e| ("pivot_root", e))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(|e| ("detach old root", e))?;
    chdir("/").map_err(|e| ("chdir(/)", e))?;
    Ok(())
}

/// Installs a seccomp filter on the calling thread allowing only what the server loop needs.
///
/// Default action: kill the process. A Gofer making a syscall outside this list is either
/// buggy or compromised, and dying is safe: the Sentry sees the socket close and every call
/// fails with EIO. sendmsg/recvmsg are allowed on `sock` only, write on stderr only (logs).
/// A read-only server gets none of the calls that change the tree. libseccomp sets
/// NO_NEW_PRIVS, so this needs no privilege.
///
/// # Errors
/// Building or loading the filter failed.
pub fn install_seccomp(sock: BorrowedFd<'_>, read_only: bool) -> Result<(), GoferError> {
    let mut f = ScmpFilterContext::new_filter(ScmpAction::KillProcess)?;
    let always: &[&str] = &[
        // Lookups and reads.
        "openat",
        "openat2",
        "fstat",
        "newfstatat",
        "statx",
        "fstatfs",
        "getdents64",
        "readlinkat",
        "fcntl",
        "close",
        // Memory allocation and threads' basics (std, malloc).
        "brk",
        "mmap",
        "munmap",
        "mremap",
        "madvise",
        "mprotect",
        "futex",
        "getrandom",
        "clock_gettime",
        "gettid",
        "getpid",
        "sched_yield",
        // Signals and exit.
        "sigaltstack",
        "rt_sigreturn",
        "rt_sigprocmask",
        "exit",
        "exit_group",
    ];
    let changes: &[&str] = &[
        "mkdirat",
        "unlinkat",
        "renameat",
        "renameat2",
        "symlinkat",
        "linkat",
        "fchmod",
        "fchownat",
        "ftruncate",
        "utimensat",
    ];
    for name in always.iter().chain(if read_only { &[][..] } else { changes }) {
        f.add_rule(ScmpAction::Allow, ScmpSyscall::from_name(name)?)?;
    }
    let sock = sock.as_raw_fd() as u64;
    for name in ["sendmsg", "recvmsg"] {
        f.add_rule_conditional(ScmpAction::Allow, ScmpSyscall::from_name(name)?, &[scmp_cmp!($arg0 == sock)])?;
    }
    for name in ["write", "writev"] {
        f.add_rule_conditional(ScmpAction::Allow, ScmpSyscall::from_name(name)?, &[scmp_cmp!($arg0 == 2)])?;
    }
    f.load()?;
    Ok(())
}

fn host(e: rustix::io::Errno) -> Errno {
    Errno(e.raw_os_error())
}

/// Where a node was found: its directory and name, for reopening it (see module docs).
struct Parent {
    fd: Rc<OwnedFd>,
    dev: u64,
    ino: u64,
    name: Vec<u8>,
}

/// One node id's state.
struct Node {
    /// O_PATH fd of the node itself.
    fd: Rc<OwnedFd>,
    /// None for the root.
    parent: Option<Parent>,
    dev: u64,
    ino: u64,
    /// Snapshot of the entries for paged Readdir; refreshed when index 0 is asked.
    dirents: Option<Vec<DirEntry>>,
}

struct Server {
    root: Rc<OwnedFd>,
    read_only: bool,
    nodes: HashMap<u64, Node>,
    next_id: u64,
    /// Cleared after openat2 returns ENOSYS once.
    have_openat2: Cell<bool>,
}

/// Most node ids one client may hold at once; more is ENFILE.
const MAX_NODES: usize = 1 << 20;

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;

const O_ACCMODE: u32 = 0o3;
const O_RDONLY: u32 = 0;
const O_EXCL: u32 = 0o200;
const O_TRUNC: u32 = 0o1000;
const O_APPEND: u32 = 0o2000;

fn to_abi_stat(s: &rustix::fs::Stat) -> Stat {
    Stat {
        st_dev: s.st_dev,
        st_ino: s.st_ino,
        st_nlink: s.st_nlink,
        st_mode: s.st_mode,
        st_uid: s.st_uid,
        st_gid: s.st_gid,
        st_rdev: s.st_rdev,
        st_size: s.st_size,
        st_blksize: s.st_blksize,
        st_blocks: s.st_blocks,
        st_atime: s.st_atime,
        st_atime_nsec: s.st_atime_nsec as i64,
        st_mtime: s.st_mtime,
        st_mtime_nsec: s.st_mtime_nsec as i64,
        st_ctime: s.st_ctime,
        st_ctime_nsec: s.st_ctime_nsec as i64,
        ..Stat::default()
    }
}

fn fstat(fd: impl AsFd) -> Result<rustix::fs::Stat, Errno> {
    rustix::fs::fstat(fd).map_err(host)
}

fn d_type(t: FileType) -> u8 {
    match t {
        FileType::Fifo => 1,
        FileType::CharacterDevice => 2,
        FileType::Directory => 4,
        FileType::BlockDevice => 6,
        FileType::RegularFile => 8,
        FileType::Symlink => 10,
        FileType::Socket => 12,
        _ => 0,
    }
}

/// Access mode and O_APPEND of Linux open flags; EINVAL for access mode 3.
fn io_flags(flags: u32) -> Result<OFlags, Errno> {
    let acc = match flags & O_ACCMODE {
        0 => OFlags::RDONLY,
        1 => OFlags::WRONLY,
        2 => OFlags::RDWR,
        _ => return Err(Errno::EINVAL),
    };
    Ok(if flags & O_APPEND != 0 { acc | OFlags::APPEND } else { acc })
}

impl Server {
    fn new(root: OwnedFd, read_only: bool) -> Result<Server, Errno> {
        let st = fstat(&root)?;
        if st.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        Ok(Server { root: Rc::new(root), read_only, nodes: HashMap::new(), next_id: 1, have_openat2: Cell::new(true) })
    }

    fn run(&mut self, sock: BorrowedFd<'_>) -> Result<(), GoferError> {
        let mut buf = vec![0u8; MAX_MSG];
        loop {
            let r = match recv_msg(sock, &mut buf) {
                Ok(r) => r,
                Err(Errno::ECONNRESET) => return Ok(()),
                Err(e) => return Err(GoferError::Socket(e)),
            };
            if r.len == 0 && !r.truncated {
                return Ok(()); // Peer closed.
            }
            drop(r.fd); // Clients never send fds.
            let (reply, fd) = self.handle(&buf[..r.len], r.truncated);
            match send_msg(sock, &reply, fd.as_ref().map(|f| f.as_fd())) {
                Ok(()) => {}
                Err(Errno::EPIPE) | Err(Errno::ECONNRESET) => return Ok(()),
                Err(e) => return Err(GoferError::Socket(e)),
            }
        }
    }

    /// Answers one request; never fails: errors become error replies.
    fn handle(&mut self, msg: &[u8], truncated: bool) -> (Vec<u8>, Option<OwnedFd>) {
        let error = |op: u16, tag: u32, e: Errno| {
            let mut v = Vec::new();
            Header { version: VERSION, op, tag, errno: e.0 }.encode(&mut v);
            (v, None)
        };
        let Ok((h, payload)) = Header::decode(msg) else {
            return error(0, 0, Errno::EINVAL);
        };
        if h.version != VERSION {
            return error(h.op, h.tag, Errno::EPROTONOSUPPORT);
        }
        let op = match Op::from_u16(h.op) {
            Some(op) if !truncated && h.errno == 0 => op,
            _ => return error(h.op, h.tag, Errno::EINVAL),
        };
        let mut w = Writer::with_header(Header { version: VERSION, op: h.op, tag: h.tag, errno: 0 });
        match self.dispatch(op, Reader::new(payload), &mut w) {
            Ok(fd) => (w.buf, fd),
            Err(e) => error(h.op, h.tag, e),
        }
    }

    fn dispatch(&mut self, op: Op, mut r: Reader<'_>, w: &mut Writer) -> Result<Option<OwnedFd>, Errno> {
        let writes =
            matches!(op, Op::Create | Op::Mkdir | Op::Unlink | Op::Rename | Op::Symlink | Op::Link | Op::Setattr);
        match op {
            Op::Root => {
                r.finish()?;
                let st = fstat(&*self.root)?;
                let node = Node { fd: self.root.clone(), parent: None, dev: st.st_dev, ino: st.st_ino, dirents: None };
                self.add(node, &st, w)?;
                Ok(None)
            }
            Op::Walk => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                r.finish()?;
                validate_name(name)?;
                let (node, st) = self.walk_at(dir, name)?;
                self.add(node, &st, w)?;
                Ok(None)
            }
            Op::Stat => {
                let node = r.u64()?;
                r.finish()?;
                let st = fstat(&*self.node(node)?.fd)?;
                w.pod(&to_abi_stat(&st));
                Ok(None)
            }
            Op::Open => {
                let node = r.u64()?;
                let flags = r.u32()?;
                r.finish()?;
                self.open(node, flags).map(Some)
            }
            Op::Readdir => {
                let dir = r.u64()?;
                let index = r.u64()?;
                r.finish()?;
                self.readdir(dir, index, w)?;
                Ok(None)
            }
            Op::Readlink => {
                let node = r.u64()?;
                r.finish()?;
                let n = self.node(node)?;
                if fstat(&*n.fd)?.st_mode & S_IFMT != S_IFLNK {
                    return Err(Errno::EINVAL);
                }
                let target = rustix::fs::readlinkat(&*n.fd, "", Vec::new()).map_err(host)?;
                w.bytes(target.as_bytes());
                Ok(None)
            }
            Op::Close => {
                let node = r.u64()?;
                r.finish()?;
                self.nodes.remove(&node).ok_or(Errno::EBADF)?;
                Ok(None)
            }
            Op::Statfs => {
                let node = r.u64()?;
                r.finish()?;
                let s = rustix::fs::fstatfs(&*self.node(node)?.fd).map_err(host)?;
                let out = Statfs {
                    f_type: s.f_type,
                    f_bsize: s.f_bsize,
                    f_blocks: s.f_blocks,
                    f_bfree: s.f_bfree,
                    f_bavail: s.f_bavail,
                    f_files: s.f_files,
                    f_ffree: s.f_ffree,
                    f_fsid: [0, 0],
                    f_namelen: s.f_namelen,
                    f_frsize: s.f_frsize,
                    f_flags: s.f_flags,
                    f_spare: [0; 4],
                };
                w.pod(&out);
                Ok(None)
            }
            _ if writes => self.dispatch_change(op, r, w),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The operations that change the tree; all EROFS on a read-only server (after the
    /// request was decoded, so malformed requests are still EINVAL).
    fn dispatch_change(&mut self, op: Op, mut r: Reader<'_>, w: &mut Writer) -> Result<Option<OwnedFd>, Errno> {
        match op {
            Op::Create => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                let flags = r.u32()?;
                let mode = r.u32()?;
                r.finish()?;
                validate_name(name)?;
                self.check_writable()?;
                self.create(dir, name, flags, mode, w).map(Some)
            }
            Op::Mkdir => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                let mode = r.u32()?;
                r.finish()?;
                validate_name(name)?;
                self.check_writable()?;
                let dfd = self.node(dir)?.fd.clone();
                rustix::fs::mkdirat(&*dfd, name, Mode::from_raw_mode(mode & 0o7777)).map_err(host)?;
                let (node, st) = self.walk_at(dir, name)?;
                self.add(node, &st, w)?;
                Ok(None)
            }
            Op::Unlink => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                let removedir = r.u8()?;
                r.finish()?;
                validate_name(name)?;
                self.check_writable()?;
                let flags = match removedir {
                    0 => AtFlags::empty(),
                    1 => AtFlags::REMOVEDIR,
                    _ => return Err(Errno::EINVAL),
                };
                rustix::fs::unlinkat(&*self.node(dir)?.fd, name, flags).map_err(host)?;
                Ok(None)
            }
            Op::Rename => {
                let olddir = r.u64()?;
                let oldname = r.bytes(NAME_MAX)?;
                let newdir = r.u64()?;
                let newname = r.bytes(NAME_MAX)?;
                r.finish()?;
                validate_name(oldname)?;
                validate_name(newname)?;
                self.check_writable()?;
                self.rename(olddir, oldname, newdir, newname)?;
                Ok(None)
            }
            Op::Symlink => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                let target = r.bytes(PATH_MAX - 1)?;
                r.finish()?;
                validate_name(name)?;
                if target.is_empty() || target.contains(&0) {
                    return Err(Errno::EINVAL);
                }
                self.check_writable()?;
                let dfd = self.node(dir)?.fd.clone();
                rustix::fs::symlinkat(target, &*dfd, name).map_err(host)?;
                let (node, st) = self.walk_at(dir, name)?;
                self.add(node, &st, w)?;
                Ok(None)
            }
            Op::Link => {
                let dir = r.u64()?;
                let name = r.bytes(NAME_MAX)?;
                let target = r.u64()?;
                r.finish()?;
                validate_name(name)?;
                self.check_writable()?;
                self.link(dir, name, target, w)?;
                Ok(None)
            }
            Op::Setattr => {
                let node = r.u64()?;
                let attr = SetAttr::decode(&mut r)?;
                r.finish()?;
                self.check_writable()?;
                self.setattr(node, &attr)?;
                Ok(None)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn check_writable(&self) -> Result<(), Errno> {
        if self.read_only {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    fn node(&self, id: u64) -> Result<&Node, Errno> {
        self.nodes.get(&id).ok_or(Errno::EBADF)
    }

    /// Registers `node` and writes its NodeInfo (id, stat) to `w`.
    fn add(&mut self, node: Node, st: &rustix::fs::Stat, w: &mut Writer) -> Result<(), Errno> {
        // Root nodes share the root fd, so the fd limit alone does not bound the table.
        if self.nodes.len() >= MAX_NODES {
            return Err(Errno::ENFILE);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.nodes.insert(id, node);
        w.u64(id).pod(&to_abi_stat(st));
        Ok(())
    }

    /// `openat2(dirfd, name, flags|O_NOFOLLOW|O_CLOEXEC, RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|
    /// RESOLVE_NO_SYMLINKS)`, or plain openat if the kernel lacks openat2. `name` is one
    /// validated component, so both stay inside `dirfd` and never follow a symlink.
    fn open_beneath(&self, dirfd: &OwnedFd, name: &[u8], flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
        validate_name(name)?;
        let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        if self.have_openat2.get() {
            let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS | ResolveFlags::NO_SYMLINKS;
            match rustix::fs::openat2(dirfd, name, flags, mode, resolve) {
                Err(rustix::io::Errno::NOSYS) => self.have_openat2.set(false),
                Err(rustix::io::Errno::AGAIN) => {} // Racing rename: retry with openat.
                r => return r.map_err(host),
            }
        }
        rustix::fs::openat(dirfd, name, flags, mode).map_err(host)
    }

    /// Looks `name` up in node `dir`, returning the new node (not yet registered).
    fn walk_at(&self, dir: u64, name: &[u8]) -> Result<(Node, rustix::fs::Stat), Errno> {
        let d = self.node(dir)?;
        let dst = fstat(&*d.fd)?;
        if dst.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        let fd = self.open_beneath(&d.fd, name, OFlags::PATH, Mode::empty())?;
        let st = fstat(&fd)?;
        let node = Node {
            fd: Rc::new(fd),
            parent: Some(Parent { fd: d.fd.clone(), dev: dst.st_dev, ino: dst.st_ino, name: name.to_vec() }),
            dev: st.st_dev,
            ino: st.st_ino,
            dirents: None,
        };
        Ok((node, st))
    }

    /// Opens node `n` (a regular file) for I/O with `flags` (access mode, O_APPEND); see the
    /// module docs for why this is race-free enough.
    fn reopen(&self, n: &Node, flags: OFlags) -> Result<OwnedFd, Errno> {
        match fstat(&*n.fd)?.st_mode & S_IFMT {
            S_IFREG => {}
            S_IFDIR => return Err(Errno::EISDIR),
            S_IFLNK => return Err(Errno::ELOOP),
            _ => return Err(Errno::EINVAL),
        }
        let p = n.parent.as_ref().ok_or(Errno::EINVAL)?;
        let f = self.open_beneath(&p.fd, &p.name, flags | OFlags::NONBLOCK | OFlags::NOCTTY, Mode::empty())?;
        let st = fstat(&f)?;
        if st.st_mode & S_IFMT != S_IFREG || st.st_dev != n.dev || st.st_ino != n.ino {
            return Err(Errno::ESTALE);
        }
        clear_nonblock(&f)?;
        Ok(f)
    }

    fn open(&self, node: u64, flags: u32) -> Result<OwnedFd, Errno> {
        let n = self.node(node)?;
        let io = io_flags(flags)?;
        if self.read_only && flags & O_ACCMODE != O_RDONLY {
            return Err(Errno::EROFS);
        }
        let f = self.reopen(n, io)?;
        // Deviation: O_RDONLY|O_TRUNC does not truncate (Linux leaves it unspecified).
        if flags & O_TRUNC != 0 && flags & O_ACCMODE != O_RDONLY {
            rustix::fs::ftruncate(&f, 0).map_err(host)?;
        }
        Ok(f)
    }

    fn create(&mut self, dir: u64, name: &[u8], flags: u32, mode: u32, w: &mut Writer) -> Result<OwnedFd, Errno> {
        let io = io_flags(flags)?;
        let dfd = self.node(dir)?.fd.clone();
        let created = self.open_beneath(
            &dfd,
            name,
            io | OFlags::CREATE | OFlags::EXCL | OFlags::NONBLOCK | OFlags::NOCTTY,
            Mode::from_raw_mode(mode & 0o7777),
        );
        let f = match created {
            Ok(f) => {
                clear_nonblock(&f)?;
                f
            }
            // An existing entry is opened like Open would, never blindly (it could be a
            // device or a FIFO).
            Err(Errno::EEXIST) if flags & O_EXCL == 0 => {
                let (n, _) = self.walk_at(dir, name)?;
                let f = self.reopen(&n, io)?;
                if flags & O_TRUNC != 0 && flags & O_ACCMODE != O_RDONLY {
                    rustix::fs::ftruncate(&f, 0).map_err(host)?;
                }
                f
            }
            Err(e) => return Err(e),
        };
        let (node, st) = self.walk_at(dir, name)?;
        let fst = fstat(&f)?;
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino) {
            return Err(Errno::ESTALE);
        }
        self.add(node, &st, w)?;
        Ok(f)
    }

    fn readdir(&mut self, dir: u64, index: u64, w: &mut Writer) -> Result<(), Errno> {
        let n = self.nodes.get_mut(&dir).ok_or(Errno::EBADF)?;
        if fstat(&*n.fd)?.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        if index == 0 || n.dirents.is_none() {
            let d =
                rustix::fs::openat(&*n.fd, ".", OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
                    .map_err(host)?;
            let mut entries = Vec::new();
            for e in rustix::fs::Dir::new(d).map_err(host)? {
                let e = e.map_err(host)?;
                let name = e.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                entries.push(DirEntry { name: name.to_vec(), ino: e.ino(), d_type: d_type(e.file_type()) });
            }
            n.dirents = Some(entries);
        }
        let all = n.dirents.as_deref().unwrap_or(&[]);
        let start = usize::try_from(index).unwrap_or(usize::MAX).min(all.len());
        let mut body = Writer::default();
        let mut count = 0u32;
        let mut i = start;
        // Leave room for the header and the more/count fields.
        while i < all.len() && body.buf.len() + 13 + all[i].name.len() + 64 <= MAX_MSG {
            let e = &all[i];
            body.u64(e.ino).u8(e.d_type).bytes(&e.name);
            count += 1;
            i += 1;
        }
        w.u8(u8::from(i < all.len())).u32(count);
        w.buf.extend_from_slice(&body.buf);
        Ok(())
    }

    fn rename(&mut self, olddir: u64, oldname: &[u8], newdir: u64, newname: &[u8]) -> Result<(), Errno> {
        let ofd = self.node(olddir)?.fd.clone();
        let nfd = self.node(newdir)?.fd.clone();
        rustix::fs::renameat(&*ofd, oldname, &*nfd, newname).map_err(host)?;
        // Keep moved nodes reopenable: they now live at (newdir, newname).
        let (ost, nst) = (fstat(&*ofd)?, fstat(&*nfd)?);
        for n in self.nodes.values_mut() {
            if let Some(p) = &mut n.parent {
                if (p.dev, p.ino) == (ost.st_dev, ost.st_ino) && p.name == oldname {
                    *p = Parent { fd: nfd.clone(), dev: nst.st_dev, ino: nst.st_ino, name: newname.to_vec() };
                }
            }
        }
        Ok(())
    }

    fn link(&mut self, dir: u64, name: &[u8], target: u64, w: &mut Writer) -> Result<(), Errno> {
        let dfd = self.node(dir)?.fd.clone();
        let t = self.node(target)?;
        let tst = fstat(&*t.fd)?;
        if tst.st_mode & S_IFMT == S_IFDIR {
            return Err(Errno::EPERM);
        }
        // AT_EMPTY_PATH links the O_PATH fd itself but needs CAP_DAC_READ_SEARCH; without it
        // link (parent, name) without following symlinks, then check it is the same inode.
        let first = rustix::fs::linkat(&*t.fd, "", &*dfd, name, AtFlags::EMPTY_PATH);
        match (first, &t.parent) {
            (Ok(()), _) => {}
            (Err(rustix::io::Errno::NOENT | rustix::io::Errno::PERM), Some(p)) => {
                rustix::fs::linkat(&*p.fd, p.name.as_slice(), &*dfd, name, AtFlags::empty()).map_err(host)?;
            }
            (Err(e), _) => return Err(host(e)),
        }
        let (node, st) = self.walk_at(dir, name)?;
        if (st.st_dev, st.st_ino) != (tst.st_dev, tst.st_ino) {
            let _ = rustix::fs::unlinkat(&*dfd, name, AtFlags::empty());
            return Err(Errno::ESTALE);
        }
        self.add(node, &st, w)?;
        Ok(())
    }

    fn setattr(&self, node: u64, a: &SetAttr) -> Result<(), Errno> {
        let n = self.node(node)?;
        if a.uid.is_some() || a.gid.is_some() {
            // u32::MAX is chown's "leave alone".
            let uid = a.uid.filter(|&u| u != u32::MAX).map(rustix::fs::Uid::from_raw);
            let gid = a.gid.filter(|&g| g != u32::MAX).map(rustix::fs::Gid::from_raw);
            rustix::fs::chownat(&*n.fd, "", uid, gid, AtFlags::EMPTY_PATH).map_err(host)?;
        }
        let kind = fstat(&*n.fd)?.st_mode & S_IFMT;
        if let Some(mode) = a.mode {
            // fchmod needs a real fd; symlinks have no mode on Linux, and devices, FIFOs and
            // sockets are not opened (deviation: EOPNOTSUPP).
            let f = match kind {
                S_IFREG => self.reopen(n, OFlags::RDONLY)?,
                S_IFDIR => {
                    rustix::fs::openat(&*n.fd, ".", OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
                        .map_err(host)?
                }
                _ => return Err(Errno::EOPNOTSUPP),
            };
            rustix::fs::fchmod(&f, Mode::from_raw_mode(mode & 0o7777)).map_err(host)?;
        }
        if let Some(size) = a.size {
            match kind {
                S_IFREG => {}
                S_IFDIR => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
            let f = self.reopen(n, OFlags::WRONLY)?;
            rustix::fs::ftruncate(&f, size).map_err(host)?;
        }
        if a.atime.is_some() || a.mtime.is_some() {
            let ts = |t: Option<SetTime>| match t {
                None => Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_OMIT },
                Some(SetTime::Now) => Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_NOW },
                Some(SetTime::At { sec, nsec }) => Timespec { tv_sec: sec, tv_nsec: nsec },
            };
            let times = Timestamps { last_access: ts(a.atime), last_modification: ts(a.mtime) };
            rustix::fs::utimensat(&*n.fd, "", &times, AtFlags::EMPTY_PATH).map_err(host)?;
        }
        Ok(())
    }
}

fn clear_nonblock(f: &OwnedFd) -> Result<(), Errno> {
    let fl = rustix::fs::fcntl_getfl(f).map_err(host)?;
    rustix::fs::fcntl_setfl(f, fl - OFlags::NONBLOCK).map_err(host)
}
