//! End-to-end tests: a real server (a thread of this process, or the `sbx-gofer` binary with
//! confinement and seccomp on) serving a temporary tree to a real client.

use std::io::{Read, Seek, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;

use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};
use sbx_abi::Errno;
use sbx_gofer::protocol::{Header, Op, VERSION};
use sbx_gofer::{serve, GoferClient, NodeId, ServeOptions, SetAttr, SetTime};

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;
const O_RDONLY: u32 = 0;
const O_WRONLY: u32 = 1;
const O_RDWR: u32 = 2;
const O_EXCL: u32 = 0o200;
const O_TRUNC: u32 = 0o1000;
const O_APPEND: u32 = 0o2000;

/// A temporary directory removed on drop.
struct TempTree(PathBuf);

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds: file.txt, dir/inner.txt, abs_link -> /etc/passwd, rel_link -> file.txt,
/// up_link -> ../.., fifo, big/ (enough long names to need several Readdir pages).
fn make_tree() -> TempTree {
    static N: AtomicU32 = AtomicU32::new(0);
    let root = std::env::temp_dir().join(format!(
        "sbx-gofer-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("dir")).unwrap();
    std::fs::write(root.join("file.txt"), b"hello").unwrap();
    std::fs::write(root.join("dir/inner.txt"), b"inner").unwrap();
    symlink("/etc/passwd", root.join("abs_link")).unwrap();
    symlink("file.txt", root.join("rel_link")).unwrap();
    symlink("../..", root.join("up_link")).unwrap();
    nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    std::fs::create_dir(root.join("big")).unwrap();
    for i in 0..600 {
        std::fs::write(root.join("big").join(format!("{i:04}-{}", "x".repeat(200))), b"").unwrap();
    }
    TempTree(root)
}

fn pair() -> (OwnedFd, OwnedFd) {
    rustix::net::socketpair(AddressFamily::UNIX, SocketType::SEQPACKET, SocketFlags::CLOEXEC, None).unwrap()
}

/// Serves `root` from a thread (no confinement or seccomp: they would hit the test process).
fn thread_server(root: &Path, read_only: bool) -> (GoferClient, JoinHandle<()>, OwnedFd) {
    let (c, s) = pair();
    let raw = c.try_clone().unwrap();
    let root = root.to_path_buf();
    let h = std::thread::spawn(move || {
        serve(&root, s, ServeOptions { read_only, confine: false, seccomp: false }).unwrap();
    });
    (GoferClient::new(c), h, raw)
}

/// Serves `root` from the `sbx-gofer` binary with confinement and seccomp on.
fn process_server(root: &Path, read_only: bool) -> (GoferClient, Child) {
    let (c, s) = pair();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sbx-gofer"));
    cmd.arg(root).stdin(Stdio::from(s));
    if !read_only {
        cmd.arg("--read-write");
    }
    let child = cmd.spawn().unwrap();
    (GoferClient::new(c), child)
}

fn read_all(fd: OwnedFd) -> Vec<u8> {
    let mut f = std::fs::File::from(fd);
    let mut v = Vec::new();
    f.read_to_end(&mut v).unwrap();
    v
}

/// The read-only checks, run against both kinds of server.
fn check_read_only(g: &GoferClient) {
    let root = g.root().unwrap();
    assert_eq!(root.stat.st_mode & S_IFMT, S_IFDIR);

    // Walk, stat, open, read through the donated fd.
    let f = g.walk(root.id, b"file.txt").unwrap();
    assert_eq!(f.stat.st_mode & S_IFMT, S_IFREG);
    assert_eq!(f.stat.st_size, 5);
    assert_eq!(g.stat(f.id).unwrap().st_ino, f.stat.st_ino);
    assert_eq!(read_all(g.open(f.id, O_RDONLY).unwrap()), b"hello");
    let d = g.walk(root.id, b"dir").unwrap();
    let inner = g.walk(d.id, b"inner.txt").unwrap();
    assert_eq!(read_all(g.open(inner.id, O_RDONLY).unwrap()), b"inner");

    // Bad names are EINVAL (client side; the raw test covers the server side).
    for bad in [&b""[..], b".", b"..", b"a/b", b"/etc", b"x\0"] {
        assert_eq!(g.walk(root.id, bad).unwrap_err(), Errno::EINVAL, "{bad:?}");
    }
    assert_eq!(g.walk(root.id, b"missing").unwrap_err(), Errno::ENOENT);
    assert_eq!(g.walk(f.id, b"x").unwrap_err(), Errno::ENOTDIR);

    // Symlinks are returned as themselves and never followed.
    for (name, target) in [(&b"abs_link"[..], &b"/etc/passwd"[..]), (b"rel_link", b"file.txt"), (b"up_link", b"../..")]
    {
        let l = g.walk(root.id, name).unwrap();
        assert_eq!(l.stat.st_mode & S_IFMT, S_IFLNK);
        assert_eq!(g.readlink(l.id).unwrap(), target);
        assert_eq!(g.open(l.id, O_RDONLY).unwrap_err(), Errno::ELOOP);
        assert_eq!(g.walk(l.id, b"x").unwrap_err(), Errno::ENOTDIR);
        g.close(l.id);
    }
    assert_eq!(g.readlink(f.id).unwrap_err(), Errno::EINVAL);

    // Only regular files are opened.
    let fifo = g.walk(root.id, b"fifo").unwrap();
    assert_eq!(fifo.stat.st_mode & S_IFMT, 0o010000);
    assert_eq!(g.open(fifo.id, O_RDONLY).unwrap_err(), Errno::EINVAL);
    assert_eq!(g.open(d.id, O_RDONLY).unwrap_err(), Errno::EISDIR);

    // Readdir, including several pages.
    let mut names: Vec<Vec<u8>> = g.readdir(root.id).unwrap().into_iter().map(|e| e.name).collect();
    names.sort();
    let want: Vec<&[u8]> = vec![b"abs_link", b"big", b"dir", b"fifo", b"file.txt", b"rel_link", b"up_link"];
    assert_eq!(names, want);
    let ents = g.readdir(root.id).unwrap();
    let e = ents.iter().find(|e| e.name == b"dir").unwrap();
    assert_eq!(e.d_type, 4);
    assert_eq!(e.ino, d.stat.st_ino);
    let big = g.walk(root.id, b"big").unwrap();
    let mut big_names: Vec<_> = g.readdir(big.id).unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(big_names.len(), 600);
    big_names.sort();
    big_names.dedup();
    assert_eq!(big_names.len(), 600);
    assert_eq!(g.readdir(f.id).unwrap_err(), Errno::ENOTDIR);

    // Unknown and closed ids.
    assert_eq!(g.stat(NodeId(999_999)).unwrap_err(), Errno::EBADF);
    g.close(inner.id);
    assert_eq!(g.stat(inner.id).unwrap_err(), Errno::EBADF);

    assert!(g.statfs(root.id).unwrap().f_bsize > 0);
}

#[test]
fn thread_server_reads() {
    let t = make_tree();
    let (g, h, _raw) = thread_server(&t.0, true);
    check_read_only(&g);
    drop(g);
    drop(_raw);
    h.join().unwrap();
}

#[test]
fn read_only_refuses_changes() {
    let t = make_tree();
    let (g, _h, _raw) = thread_server(&t.0, true);
    let root = g.root().unwrap();
    let f = g.walk(root.id, b"file.txt").unwrap();
    for flags in [O_WRONLY, O_RDWR, O_WRONLY | O_TRUNC] {
        assert_eq!(g.open(f.id, flags).unwrap_err(), Errno::EROFS);
    }
    assert_eq!(g.mkdir(root.id, b"new", 0o755).unwrap_err(), Errno::EROFS);
    assert_eq!(g.create(root.id, b"new", O_RDWR, 0o644).unwrap_err(), Errno::EROFS);
    assert_eq!(g.unlink(root.id, b"file.txt", false).unwrap_err(), Errno::EROFS);
    assert_eq!(g.rename(root.id, b"file.txt", root.id, b"x").unwrap_err(), Errno::EROFS);
    assert_eq!(g.symlink(root.id, b"s", b"t").unwrap_err(), Errno::EROFS);
    assert_eq!(g.link(root.id, b"l", f.id).unwrap_err(), Errno::EROFS);
    let attr = SetAttr { size: Some(0), ..SetAttr::default() };
    assert_eq!(g.setattr(f.id, &attr).unwrap_err(), Errno::EROFS);
    assert_eq!(std::fs::read(t.0.join("file.txt")).unwrap(), b"hello");
}

/// The writable checks, run against both kinds of server.
fn check_writable(g: &GoferClient, host: &Path) {
    let root = g.root().unwrap();

    // create + write through the donated fd.
    let (info, fd) = g.create(root.id, b"new.txt", O_RDWR, 0o640).unwrap();
    assert_eq!(info.stat.st_mode, S_IFREG | 0o640); // No umask applied.
    let mut file = std::fs::File::from(fd);
    file.write_all(b"written").unwrap();
    drop(file);
    assert_eq!(std::fs::read(host.join("new.txt")).unwrap(), b"written");
    assert_eq!(g.create(root.id, b"new.txt", O_RDWR | O_EXCL, 0o640).unwrap_err(), Errno::EEXIST);
    // Without O_EXCL an existing file is opened, O_TRUNC applied.
    let (again, fd) = g.create(root.id, b"new.txt", O_WRONLY | O_TRUNC, 0o600).unwrap();
    assert_eq!(again.stat.st_ino, info.stat.st_ino);
    drop(fd);
    assert_eq!(std::fs::read(host.join("new.txt")).unwrap(), b"");
    // Never opens an existing non-regular file.
    assert_eq!(g.create(root.id, b"fifo", O_RDWR, 0o600).unwrap_err(), Errno::EINVAL);
    assert_eq!(g.create(root.id, b"abs_link", O_RDWR, 0o600).unwrap_err(), Errno::ELOOP);

    // open with O_APPEND and O_TRUNC.
    let f = g.walk(root.id, b"file.txt").unwrap();
    let mut a = std::fs::File::from(g.open(f.id, O_WRONLY | O_APPEND).unwrap());
    a.write_all(b" world").unwrap();
    assert_eq!(std::fs::read(host.join("file.txt")).unwrap(), b"hello world");
    let mut rw = std::fs::File::from(g.open(f.id, O_RDWR | O_TRUNC).unwrap());
    assert_eq!(rw.seek(std::io::SeekFrom::End(0)).unwrap(), 0);

    // mkdir, symlink, link, rename, unlink.
    let d = g.mkdir(root.id, b"sub", 0o750).unwrap();
    assert_eq!(d.stat.st_mode, S_IFDIR | 0o750);
    let s = g.symlink(d.id, b"sl", b"/etc/shadow").unwrap();
    assert_eq!(s.stat.st_mode & S_IFMT, S_IFLNK);
    assert_eq!(std::fs::read_link(host.join("sub/sl")).unwrap(), Path::new("/etc/shadow"));
    let l = g.link(d.id, b"hard", info.id).unwrap();
    assert_eq!(l.stat.st_ino, info.stat.st_ino);
    assert_eq!(g.stat(info.id).unwrap().st_nlink, 2);
    g.rename(root.id, b"new.txt", d.id, b"moved.txt").unwrap();
    assert!(host.join("sub/moved.txt").exists());
    // The renamed node can still be opened.
    drop(g.open(info.id, O_RDONLY).unwrap());
    g.unlink(d.id, b"hard", false).unwrap();
    assert_eq!(g.unlink(root.id, b"sub", false).unwrap_err(), Errno::EISDIR);
    assert_eq!(g.unlink(root.id, b"sub", true).unwrap_err(), Errno::ENOTEMPTY);
    g.unlink(d.id, b"sl", false).unwrap();
    g.unlink(d.id, b"moved.txt", false).unwrap();
    g.unlink(root.id, b"sub", true).unwrap();
    assert!(!host.join("sub").exists());
    assert_eq!(g.mkdir(root.id, b"..", 0o755).unwrap_err(), Errno::EINVAL);

    // setattr.
    let attr = SetAttr {
        mode: Some(0o600),
        size: Some(3),
        atime: Some(SetTime::At { sec: 1000, nsec: 5 }),
        mtime: Some(SetTime::At { sec: 2000, nsec: 6 }),
        ..SetAttr::default()
    };
    g.setattr(f.id, &attr).unwrap();
    let st = g.stat(f.id).unwrap();
    assert_eq!(st.st_mode, S_IFREG | 0o600);
    assert_eq!(st.st_size, 3);
    assert_eq!((st.st_atime, st.st_atime_nsec), (1000, 5));
    assert_eq!((st.st_mtime, st.st_mtime_nsec), (2000, 6));
    let dir = g.walk(root.id, b"dir").unwrap();
    g.setattr(dir.id, &SetAttr { mode: Some(0o711), ..SetAttr::default() }).unwrap();
    assert_eq!(g.stat(dir.id).unwrap().st_mode, S_IFDIR | 0o711);
    let me = g.stat(f.id).unwrap();
    g.setattr(f.id, &SetAttr { uid: Some(me.st_uid), gid: Some(me.st_gid), ..SetAttr::default() }).unwrap();
    // The absolute symlink's target is untouched by setattr on the link.
    let before = std::fs::metadata("/etc/passwd").unwrap();
    let al = g.walk(root.id, b"abs_link").unwrap();
    assert_eq!(g.setattr(al.id, &SetAttr { mode: Some(0o777), ..SetAttr::default() }).unwrap_err(), Errno::EOPNOTSUPP);
    assert_eq!(g.setattr(al.id, &SetAttr { size: Some(0), ..SetAttr::default() }).unwrap_err(), Errno::EINVAL);
    let after = std::fs::metadata("/etc/passwd").unwrap();
    assert_eq!(std::os::unix::fs::MetadataExt::mode(&before), std::os::unix::fs::MetadataExt::mode(&after));
    assert_eq!(before.len(), after.len());
}

#[test]
fn thread_server_writes() {
    let t = make_tree();
    let (g, _h, _raw) = thread_server(&t.0, false);
    check_writable(&g, &t.0);
}

/// Sends one raw request and returns the reply's header.
fn raw_call(sock: &OwnedFd, msg: &[u8]) -> Header {
    rustix::net::send(sock, msg, SendFlags::empty()).unwrap();
    let mut buf = vec![0u8; 65536];
    let (n, _) = rustix::net::recv(sock, &mut buf[..], RecvFlags::empty()).unwrap();
    Header::decode(&buf[..n]).unwrap().0
}

fn req(op: u16, tag: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    Header { version: VERSION, op, tag, errno: 0 }.encode(&mut v);
    v.extend_from_slice(payload);
    v
}

#[test]
fn malformed_messages_get_errors() {
    let t = make_tree();
    let (g, _h, raw) = thread_server(&t.0, false);
    let root = g.root().unwrap();
    let rid = root.id.0.to_le_bytes();

    // Shorter than a header.
    let h = raw_call(&raw, &[1, 2, 3]);
    assert_eq!(h.errno, Errno::EINVAL.0);
    // Wrong version.
    let mut m = req(Op::Root as u16, 9, &[]);
    m[0] = 77;
    assert_eq!(raw_call(&raw, &m).errno, Errno::EPROTONOSUPPORT.0);
    // Unknown opcode, echoed with its tag.
    let h = raw_call(&raw, &req(999, 10, &[]));
    assert_eq!((h.op, h.tag, h.errno), (999, 10, Errno::EINVAL.0));
    // Nonzero errno field in a request.
    let mut m = req(Op::Root as u16, 11, &[]);
    m[8] = 1;
    assert_eq!(raw_call(&raw, &m).errno, Errno::EINVAL.0);
    // Truncated payloads.
    assert_eq!(raw_call(&raw, &req(Op::Walk as u16, 12, &rid[..5])).errno, Errno::EINVAL.0);
    let mut walk = rid.to_vec();
    walk.extend_from_slice(&100u32.to_le_bytes());
    walk.extend_from_slice(b"file.txt");
    assert_eq!(raw_call(&raw, &req(Op::Walk as u16, 13, &walk)).errno, Errno::EINVAL.0);
    // Trailing bytes.
    let mut stat = rid.to_vec();
    stat.push(0);
    assert_eq!(raw_call(&raw, &req(Op::Stat as u16, 14, &stat)).errno, Errno::EINVAL.0);
    // Bad node id.
    let h = raw_call(&raw, &req(Op::Stat as u16, 15, &12345u64.to_le_bytes()));
    assert_eq!(h.errno, Errno::EBADF.0);
    // Server-side name checks: "..", '/', NUL.
    for name in [&b".."[..], b"a/b", b"\0", b""] {
        let mut walk = rid.to_vec();
        walk.extend_from_slice(&(name.len() as u32).to_le_bytes());
        walk.extend_from_slice(name);
        assert_eq!(raw_call(&raw, &req(Op::Walk as u16, 16, &walk)).errno, Errno::EINVAL.0);
    }
    // Symlink to an empty target; unlink with a bad flag byte.
    let mut sl = rid.to_vec();
    sl.extend_from_slice(&1u32.to_le_bytes());
    sl.push(b's');
    sl.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(raw_call(&raw, &req(Op::Symlink as u16, 17, &sl)).errno, Errno::EINVAL.0);
    let mut ul = rid.to_vec();
    ul.extend_from_slice(&8u32.to_le_bytes());
    ul.extend_from_slice(b"file.txt");
    ul.push(7);
    assert_eq!(raw_call(&raw, &req(Op::Unlink as u16, 18, &ul)).errno, Errno::EINVAL.0);
    // Longer than the server's buffer.
    let h = raw_call(&raw, &req(Op::Stat as u16, 19, &vec![0u8; 100_000]));
    assert_eq!(h.errno, Errno::EINVAL.0);
    // Random garbage after a valid header of each opcode.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..2000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let op = (i % 17) as u16;
        let len = (x % 40) as usize;
        let payload: Vec<u8> = (0..len).map(|k| (x >> (k % 8 * 8)) as u8).collect();
        let h = raw_call(&raw, &req(op, i, &payload));
        assert_eq!(h.tag, i);
    }

    // The server still serves, and the file was not removed.
    assert!(t.0.join("file.txt").exists());
    let f = g.walk(root.id, b"file.txt").unwrap();
    assert_eq!(read_all(g.open(f.id, O_RDONLY).unwrap()), b"hello");
}

#[test]
fn process_server_confined_read_only() {
    let t = make_tree();
    let (g, mut child) = process_server(&t.0, true);
    check_read_only(&g);
    let root = g.root().unwrap();
    let f = g.walk(root.id, b"file.txt").unwrap();
    assert_eq!(g.open(f.id, O_RDWR).unwrap_err(), Errno::EROFS);
    assert_eq!(g.mkdir(root.id, b"x", 0o755).unwrap_err(), Errno::EROFS);
    drop(g);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn process_server_confined_writable() {
    let t = make_tree();
    let (g, mut child) = process_server(&t.0, false);
    check_writable(&g, &t.0);
    drop(g);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn dead_server_gives_eio() {
    let t = make_tree();
    let (g, mut child) = process_server(&t.0, true);
    let root = g.root().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(g.walk(root.id, b"file.txt").unwrap_err(), Errno::EIO);
    assert_eq!(g.stat(root.id).unwrap_err(), Errno::EIO);
    assert_eq!(g.readdir(root.id).unwrap_err(), Errno::EIO);
    g.close(root.id);
}

#[test]
fn server_ends_when_client_goes() {
    let t = make_tree();
    let (g, h, raw) = thread_server(&t.0, true);
    g.root().unwrap();
    drop(g);
    drop(raw);
    h.join().unwrap();
}
