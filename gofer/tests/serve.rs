//! The Gofer served from a thread on a scratch tree, driven through the client.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use sbx_abi::Errno;
use sbx_gofer::server::{serve, ServeOptions};
use sbx_gofer::GoferClient;

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sbx-gofer-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("sub/file"), b"contents").unwrap();
    symlink("/etc/passwd", d.join("abs")).unwrap();
    symlink("sub/file", d.join("rel")).unwrap();
    d
}

fn start(root: PathBuf) -> (GoferClient, std::thread::JoinHandle<()>) {
    let (a, b) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC).unwrap();
    let h = std::thread::spawn(move || {
        serve(&root, b, ServeOptions { read_only: true, seccomp: false }).unwrap();
    });
    let c = GoferClient::new(a);
    c.handshake().unwrap();
    (c, h)
}

#[test]
fn walk_open_readdir_readlink() {
    let d = scratch("basic");
    let (c, _h) = start(d.clone());
    let root = c.root().unwrap();
    assert_eq!(root.stat.st_mode & libc::S_IFMT, libc::S_IFDIR);
    let sub = c.walk(root.id, b"sub").unwrap();
    let file = c.walk(sub.id, b"file").unwrap();
    assert_eq!(file.stat.st_size, 8);
    let mut s = String::new();
    std::fs::File::from(c.open(file.id, 0).unwrap()).read_to_string(&mut s).unwrap();
    assert_eq!(s, "contents");
    let mut names: Vec<_> = c.readdir(root.id).unwrap().into_iter().map(|e| e.name).collect();
    names.sort();
    assert_eq!(names, vec![b"abs".to_vec(), b"rel".to_vec(), b"sub".to_vec()]);
    // Symlinks are nodes of their own and are never followed by the Gofer.
    let abs = c.walk(root.id, b"abs").unwrap();
    assert_eq!(abs.stat.st_mode & libc::S_IFMT, libc::S_IFLNK);
    assert_eq!(c.readlink(abs.id).unwrap(), b"/etc/passwd");
    assert!(c.open(abs.id, 0).is_err(), "opening a symlink node must not reach its target");
    // No way out of the tree, and read-only means read-only.
    assert_eq!(c.walk(root.id, b"..").unwrap_err(), Errno::EINVAL);
    assert_eq!(c.walk(root.id, b"sub/file").unwrap_err(), Errno::EINVAL);
    assert_eq!(c.walk(root.id, b"missing").unwrap_err(), Errno::ENOENT);
    assert_eq!(c.open(file.id, libc::O_RDWR as u32).unwrap_err(), Errno::EROFS);
    assert_eq!(c.open(sub.id, 0).unwrap_err(), Errno::EISDIR);
    // A big directory comes back in pages.
    for i in 0..700 {
        std::fs::write(d.join(format!("sub/f{i:04}")), b"").unwrap();
    }
    assert_eq!(c.readdir(sub.id).unwrap().len(), 701);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn malformed_messages_get_errors_and_a_dead_gofer_gives_eio() {
    let d = scratch("bad");
    let (a, b) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC).unwrap();
    let root = d.clone();
    let h = std::thread::spawn(move || serve(&root, b, ServeOptions { read_only: true, seccomp: false }).unwrap());
    for garbage in [&b""[..], b"\x01", b"\x01\x00\x00\x00\x63\x00", b"\x01\x00\x00\x00\x03\x00\xff\xff\xff\xff"] {
        nix::unistd::write(&a, garbage).unwrap();
        let mut buf = [0u8; 64];
        let n = nix::unistd::read(a.as_raw_fd(), &mut buf).unwrap();
        assert!(n >= 8, "an error reply");
        let errno = i32::from_le_bytes(buf[4..8].try_into().unwrap());
        assert_eq!(errno, libc::EINVAL);
    }
    let c = GoferClient::new(a);
    assert!(c.root().is_ok(), "the server still serves");
    drop(c);
    h.join().unwrap();
    // A client whose Gofer is gone fails with EIO, and keeps failing.
    let (a, b) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC).unwrap();
    drop(b);
    let c = GoferClient::new(a);
    assert_eq!(c.root().unwrap_err(), Errno::EIO);
    assert_eq!(c.stat(sbx_gofer::NodeId(0)).unwrap_err(), Errno::EIO);
    std::fs::remove_dir_all(&d).unwrap();
}
