//! Races against the Gofer: the host swaps entries of the served tree (a directory
//! for a symlink leading out of it, a file for a symlink to a secret) while a client
//! walks, opens and creates through them. Nothing outside the served tree may be read
//! or changed, whether the server is a thread (no confinement: path safety alone)
//! or the confined `sbx-gofer` process.

use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::net::{AddressFamily, SocketFlags, SocketType};
use sbx_gofer::{serve, GoferClient, ServeOptions};

const O_RDONLY: u32 = 0;
const O_WRONLY: u32 = 1;
const SECRET: &[u8] = b"TOP SECRET";
/// How long each race runs.
const RACE: Duration = Duration::from_millis(1500);

/// A temporary directory removed on drop: `secret.txt` and `outside/` next to the
/// served tree `served/`.
struct Base(PathBuf);

impl Drop for Base {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Base {
    fn served(&self) -> PathBuf {
        self.0.join("served")
    }
}

/// Builds base/{secret.txt, outside/secret.txt, served/{sw/, sw_link -> base/outside,
/// file.txt, file_link -> base/secret.txt}}.
fn make_base() -> Base {
    static N: AtomicU32 = AtomicU32::new(0);
    let b = std::env::temp_dir().join(format!(
        "sbx-gofer-race-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&b);
    std::fs::create_dir_all(b.join("outside")).unwrap();
    std::fs::write(b.join("secret.txt"), SECRET).unwrap();
    std::fs::write(b.join("outside/secret.txt"), SECRET).unwrap();
    let s = b.join("served");
    std::fs::create_dir_all(s.join("sw")).unwrap();
    std::fs::write(s.join("sw/secret.txt"), b"decoy").unwrap();
    symlink(b.join("outside"), s.join("sw_link")).unwrap();
    std::fs::write(s.join("file.txt"), b"inside").unwrap();
    symlink(b.join("secret.txt"), s.join("file_link")).unwrap();
    Base(b)
}

/// Names and contents of everything under `dir` (symlink targets for links).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let content = if md.file_type().is_symlink() {
                std::fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes()
            } else if md.is_dir() {
                stack.push(p.clone());
                b"<dir>".to_vec()
            } else {
                std::fs::read(&p).unwrap()
            };
            out.push((p, content));
        }
    }
    out.sort();
    out
}

fn pair() -> (OwnedFd, OwnedFd) {
    rustix::net::socketpair(AddressFamily::UNIX, SocketType::SEQPACKET, SocketFlags::CLOEXEC, None).unwrap()
}

enum Server {
    Thread(std::thread::JoinHandle<()>),
    Process(Child),
}

/// Serves `root` writable from a thread (`confined == false`) or from the confined
/// `sbx-gofer` binary.
fn server(root: &Path, confined: bool) -> (GoferClient, Server) {
    let (c, s) = pair();
    if confined {
        let child = Command::new(env!("CARGO_BIN_EXE_sbx-gofer"))
            .arg(root)
            .arg("--read-write")
            .stdin(Stdio::from(s))
            .spawn()
            .unwrap();
        (GoferClient::new(c), Server::Process(child))
    } else {
        let root = root.to_path_buf();
        let h = std::thread::spawn(move || {
            serve(&root, s, ServeOptions { read_only: false, confine: false, seccomp: false }).unwrap();
        });
        (GoferClient::new(c), Server::Thread(h))
    }
}

fn finish(g: GoferClient, s: Server) {
    drop(g);
    match s {
        Server::Thread(h) => h.join().unwrap(),
        Server::Process(mut c) => {
            let st = c.wait().unwrap();
            assert!(st.success(), "{st:?}");
        }
    }
}

/// Swaps `a` and `b` (three renames) until `stop`.
fn swapper(a: PathBuf, b: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let tmp = a.with_extension("swaptmp");
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            let _ = std::fs::rename(&a, &tmp);
            let _ = std::fs::rename(&b, &a);
            let _ = std::fs::rename(&tmp, &b);
            n += 1;
        }
        n
    })
}

fn read_all(fd: OwnedFd) -> Vec<u8> {
    let mut v = Vec::new();
    let _ = std::fs::File::from(fd).read_to_end(&mut v);
    v
}

/// A directory swapped for a symlink leading out of the tree: walking through it
/// reaches the directory's own entries or stops at the symlink, never the outside.
fn walk_through_swapped_dir(confined: bool) {
    let b = make_base();
    let outside_before = snapshot(&b.0.join("outside"));
    let (g, srv) = server(&b.served(), confined);
    let root = g.root().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let sw = swapper(b.served().join("sw"), b.served().join("sw_link"), stop.clone());
    let start = Instant::now();
    let (mut decoys, mut creates) = (0, 0);
    while start.elapsed() < RACE {
        let Ok(d) = g.walk(root.id, b"sw") else { continue };
        if let Ok(f) = g.walk(d.id, b"secret.txt") {
            if let Ok(fd) = g.open(f.id, O_RDONLY) {
                let data = read_all(fd);
                assert_ne!(data, SECRET, "read the secret through a swapped directory");
                decoys += usize::from(data == b"decoy");
            }
            g.close(f.id);
        }
        if let Ok((n, fd)) = g.create(d.id, b"made-in-race", O_WRONLY, 0o644) {
            drop(fd);
            creates += 1;
            let _ = g.unlink(d.id, b"made-in-race", false);
            g.close(n.id);
        }
        g.close(d.id);
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = sw.join().unwrap();
    assert!(swaps > 10, "the host swapped only {swaps} times");
    assert!(decoys > 0 || creates > 0, "the race never reached the directory");
    assert_eq!(snapshot(&b.0.join("outside")), outside_before, "the outside changed");
    assert_eq!(std::fs::read(b.0.join("secret.txt")).unwrap(), SECRET);
    finish(g, srv);
}

/// A walked file swapped for a symlink to the secret: reopening it for I/O never
/// follows the symlink (ELOOP) nor hands out another file (ESTALE).
fn reopen_swapped_file(confined: bool) {
    let b = make_base();
    let (g, srv) = server(&b.served(), confined);
    let root = g.root().unwrap();
    let f = g.walk(root.id, b"file.txt").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let sw = swapper(b.served().join("file.txt"), b.served().join("file_link"), stop.clone());
    let start = Instant::now();
    let (mut ok, mut refused) = (0, 0);
    while start.elapsed() < RACE {
        for flags in [O_RDONLY, O_WRONLY] {
            match g.open(f.id, flags) {
                Ok(fd) => {
                    if flags == O_RDONLY {
                        assert_ne!(read_all(fd), SECRET, "reopen followed a swapped-in symlink");
                    }
                    ok += 1;
                }
                Err(_) => refused += 1,
            }
        }
        // A fresh walk of the name sees either the file or the link as itself.
        if let Ok(n) = g.walk(root.id, b"file.txt") {
            if let Ok(fd) = g.open(n.id, O_RDONLY) {
                assert_ne!(read_all(fd), SECRET, "a walked name led to the secret");
            }
            g.close(n.id);
        }
    }
    stop.store(true, Ordering::Relaxed);
    sw.join().unwrap();
    assert!(ok > 0, "never opened the file ({refused} refusals)");
    assert_eq!(std::fs::read(b.0.join("secret.txt")).unwrap(), SECRET);
    finish(g, srv);
}

/// Renames inside the tree racing walks that go down and back up: ".." is never
/// sent to the server, so a walk cannot climb out whatever moves.
fn rename_under_walk(confined: bool) {
    let b = make_base();
    std::fs::create_dir_all(b.served().join("a/b/c")).unwrap();
    let outside_before = snapshot(&b.0.join("outside"));
    let (g, srv) = server(&b.served(), confined);
    let root = g.root().unwrap();
    let a = g.walk(root.id, b"a").unwrap();
    let bb = g.walk(a.id, b"b").unwrap();
    let c = g.walk(bb.id, b"c").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let st2 = stop.clone();
    let served = b.served();
    let mover = std::thread::spawn(move || {
        while !st2.load(Ordering::Relaxed) {
            let _ = std::fs::rename(served.join("a/b"), served.join("b_moved"));
            let _ = std::fs::rename(served.join("b_moved"), served.join("a/b"));
        }
    });
    let start = Instant::now();
    while start.elapsed() < RACE {
        assert_eq!(g.walk(c.id, b"..").unwrap_err(), sbx_abi::Errno::EINVAL);
        if let Ok((n, fd)) = g.create(c.id, b"x", O_WRONLY, 0o644) {
            drop(fd);
            let _ = g.unlink(c.id, b"x", false);
            g.close(n.id);
        }
        let _ = g.rename(c.id, b"y", root.id, b"y2");
    }
    stop.store(true, Ordering::Relaxed);
    mover.join().unwrap();
    assert_eq!(snapshot(&b.0.join("outside")), outside_before, "the outside changed");
    finish(g, srv);
}

#[test]
fn thread_server_walk_through_swapped_dir() {
    walk_through_swapped_dir(false);
}

#[test]
fn process_server_walk_through_swapped_dir() {
    walk_through_swapped_dir(true);
}

#[test]
fn thread_server_reopen_swapped_file() {
    reopen_swapped_file(false);
}

#[test]
fn process_server_reopen_swapped_file() {
    reopen_swapped_file(true);
}

#[test]
fn thread_server_rename_under_walk() {
    rename_under_walk(false);
}

#[test]
fn process_server_rename_under_walk() {
    rename_under_walk(true);
}
