//! Escape tests: a guest tries to read or change host files outside what it was
//! given (`..` past the root, symlinks pointing out, /proc/self/root and
//! /proc/PID/cwd, chroot tricks, openat2, symlinks swapped in during walks by the
//! guest and by the host, renames under a walk). Each test builds on the host
//!
//! ```text
//! BASE/secret.txt            "TOP SECRET": must never be read
//! BASE/outside/victim.txt    must never change
//! BASE/served/               given to the guest as /data (-v, writable)
//! BASE/root/                 the guest's root (--root): a static probe program and busybox
//! ```
//!
//! runs `sbx run` and then checks on the host that every file outside `served/`
//! (the root included: it is read-only under an in-memory layer) is as it was.
//! The probe program is tests/programs/escape.c.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use sbx_tests::{sandboxed, scratch, workspace, Opts, Outcome};

const SECRET: &str = "TOP SECRET";

/// The probe program, built once (static: the guest's root has no libc).
fn escape_bin() -> PathBuf {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut g = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = &*g {
        return p.clone();
    }
    let out = scratch().join("bin").join("escape-probe");
    std::fs::create_dir_all(out.parent().expect("bin dir")).expect("mkdir");
    let st = std::process::Command::new("gcc")
        .args(["-O1", "-Wall", "-static", "-pthread", "-o"])
        .arg(&out)
        .arg(workspace().join("tests/programs/escape.c"))
        .status()
        .expect("running gcc");
    assert!(st.success(), "gcc failed for escape.c");
    *g = Some(out.clone());
    out
}

/// The host tree of one test, removed on drop.
struct Base(PathBuf);

impl Drop for Base {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Base {
    fn new() -> Base {
        static N: AtomicU32 = AtomicU32::new(0);
        let b = scratch().join(format!("escape-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&b);
        let mk = |p: &str| std::fs::create_dir_all(b.join(p)).expect("mkdir");
        mk("outside");
        mk("served/hswap");
        mk("root/bin");
        mk("root/data");
        std::fs::write(b.join("secret.txt"), format!("{SECRET}\n")).expect("secret");
        std::fs::write(b.join("outside/victim.txt"), "victim\n").expect("victim");
        std::fs::write(b.join("served/inside.txt"), "inside\n").expect("inside");
        std::fs::write(b.join("served/hswap/secret.txt"), "decoy\n").expect("decoy");
        let s = b.join("served");
        let base = b.display().to_string();
        for (name, target) in [
            ("link_abs", format!("{base}/secret.txt")),
            ("link_rel", "../secret.txt".into()),
            ("link_up", "../../../../../../../..".into()),
            ("link_base", base.clone()),
            ("link_chain", "link_rel".into()),
            ("dangle", "../created-by-dangle".into()),
            ("dangle_abs", format!("{base}/outside/created-by-dangle-abs")),
            ("hswap_link", base.clone()),
        ] {
            symlink(target, s.join(name)).expect("symlink");
        }
        symlink("../secret.txt", b.join("root/rootlink")).expect("symlink");
        std::fs::copy(escape_bin(), b.join("root/bin/escape")).expect("copy probe");
        if Path::new("/bin/busybox").exists() {
            std::fs::copy("/bin/busybox", b.join("root/bin/busybox")).expect("copy busybox");
            symlink("busybox", b.join("root/bin/sh")).expect("symlink sh");
        }
        Base(b)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }

    /// Everything outside served/: path → (type, mode, content or link target).
    fn outside_served(&self) -> BTreeMap<PathBuf, (String, u32, Vec<u8>)> {
        use std::os::unix::fs::MetadataExt;
        let mut out = BTreeMap::new();
        let mut stack = vec![self.0.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
                let p = e.path();
                if p == self.0.join("served") {
                    continue;
                }
                let md = std::fs::symlink_metadata(&p).expect("lstat");
                let (kind, content) = if md.file_type().is_symlink() {
                    ("link", std::fs::read_link(&p).expect("readlink").into_os_string().into_encoded_bytes())
                } else if md.is_dir() {
                    stack.push(p.clone());
                    ("dir", Vec::new())
                } else {
                    ("file", std::fs::read(&p).expect("read"))
                };
                out.insert(p, (kind.to_string(), md.mode(), content));
            }
        }
        out
    }
}

fn run(args: &[&str]) -> Outcome {
    let o = Opts { sbx_args: args.iter().map(|s| s.to_string()).collect(), ..Default::default() };
    sandboxed(&[], &o)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `cmd` in a sandbox rooted at BASE/root with BASE/served at /data and checks
/// the guest saw no secret and the host outside served/ did not change.
fn confined_run(b: &Base, cmd: &[&str]) -> Outcome {
    let before = b.outside_served();
    let root = format!("{}/root", b.path());
    let vol = format!("{}/served:/data", b.path());
    let mut args = vec!["--root", &root, "-v", &vol];
    args.extend_from_slice(cmd);
    let o = run(&args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "the guest read the secret\n{out}\n{err}");
    assert!(!out.contains("LEAK"), "a probe reached the secret:\n{out}\n{err}");
    assert_eq!(b.outside_served(), before, "files outside the served directory changed\n{out}\n{err}");
    assert_eq!(std::fs::read_to_string(b.0.join("secret.txt")).expect("secret"), format!("{SECRET}\n"));
    o
}

#[test]
fn probes_under_root_and_volume() {
    let b = Base::new();
    let o = confined_run(&b, &["/bin/escape", &b.path(), "all"]);
    let out = text(&o.stdout);
    assert!(out.contains("DONE leaks=0"), "the probe did not finish:\n{out}\n{}", text(&o.stderr));
    assert_eq!(o.status, 0, "{out}");
    // The guest's changes inside /data reached the host there, and nowhere else.
    assert!(b.0.join("served/g_rel").symlink_metadata().is_ok(), "{out}");
    for p in ["created-by-dangle", "outside/created-by-dangle-abs", "outside/guest-abs-target", "guest-dangle-target"] {
        assert!(!b.0.join(p).exists(), "{p} was created on the host\n{out}");
    }
}

#[test]
fn shell_under_root_and_volume() {
    let b = Base::new();
    if !b.0.join("root/bin/busybox").exists() {
        eprintln!("skipped: /bin/busybox is not installed");
        return;
    }
    let base = b.path();
    let script = format!(
        "cat /data/../secret.txt; cat /data/link_rel; cat /data/link_abs; cat /data/link_chain; \
         cd /data/link_up && cat secret.txt; cd /; cat /proc/self/root/../secret.txt; \
         cat {base}/secret.txt; cat /data/link_base/secret.txt; cat /rootlink; \
         ln -s .. /data/s_up; cat /data/s_up/secret.txt; ln -s {base} /data/s_base; cat /data/s_base/secret.txt; \
         echo PWNED > /data/link_rel; echo PWNED >> {base}/outside/victim.txt; echo PWNED > /data/dangle; \
         cp /data/inside.txt {base}/outside/; mv /data/inside.txt /; mkdir -p {base}/outside/x; \
         cd /data && cd ../../../.. && ls -a && cat secret.txt; \
         (cd /proc/self/cwd/../.. && cat secret.txt); ls /data; echo END"
    );
    let o = confined_run(&b, &["/bin/sh", "-c", &script]);
    assert!(text(&o.stdout).contains("END"), "{}\n{}", text(&o.stdout), text(&o.stderr));
}

#[test]
fn host_swaps_symlink_during_walks() {
    let b = Base::new();
    let stop = Arc::new(AtomicBool::new(false));
    let (s2, served) = (stop.clone(), b.0.join("served"));
    let swapper = std::thread::spawn(move || {
        let (a, l, tmp) = (served.join("hswap"), served.join("hswap_link"), served.join("hswap_tmp"));
        let mut n = 0u64;
        while !s2.load(Ordering::Relaxed) {
            let _ = std::fs::rename(&a, &tmp);
            let _ = std::fs::rename(&l, &a);
            let _ = std::fs::rename(&tmp, &l);
            n += 1;
        }
        n
    });
    let o = confined_run(&b, &["/bin/escape", &b.path(), "hostrace"]);
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().expect("swapper");
    let out = text(&o.stdout);
    assert!(out.contains("DONE leaks=0"), "{out}\n{}", text(&o.stderr));
    assert!(swaps > 10, "the host swapped only {swaps} times");
}

#[test]
fn writes_with_host_root_stay_in_the_sandbox() {
    // The host root is visible read-only: BASE and its secret can be read, but no
    // write may reach the host outside the served directory.
    let b = Base::new();
    let before = b.outside_served();
    let bin = format!("{}/root/bin/escape", b.path());
    let vol = format!("{}/served:/data", b.path());
    let o = run(&["-v", &vol, &bin, &b.path(), "writes"]);
    let out = text(&o.stdout);
    assert!(out.contains("DONE"), "{out}\n{}", text(&o.stderr));
    assert_eq!(b.outside_served(), before, "a write reached the host outside the served directory\n{out}");
}

#[test]
fn read_only_volume_refuses_writes() {
    let b = Base::new();
    let before = std::fs::read_dir(b.0.join("served")).expect("ls").count();
    let root = format!("{}/root", b.path());
    let vol = format!("{}/served:/data:ro", b.path());
    let o = run(&["--root", &root, "-v", &vol, "/bin/escape", &b.path(), "writes"]);
    let out = text(&o.stdout);
    assert!(out.contains("DONE"), "{out}\n{}", text(&o.stderr));
    assert!(out.contains("symlink g_dangle             = -1 EROFS"), "{out}");
    assert_eq!(std::fs::read_dir(b.0.join("served")).expect("ls").count(), before, "{out}");
    assert_eq!(std::fs::read_to_string(b.0.join("served/inside.txt")).expect("inside"), "inside\n");
}
