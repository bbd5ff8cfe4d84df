//! Process-level guarantees of `sbx run`: the Sentry, one Gofer and one stub per
//! guest process; killing the Sentry leaves nothing behind.
//! The Gofer's comm is `sbx-gofer`, the stub's is `sbx-stub`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn children(pid: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else { continue };
        // pid (comm) state ppid ...
        let Some(close) = stat.rfind(')') else { continue };
        let comm = stat[stat.find('(').unwrap() + 1..close].to_string();
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if fields.get(1).and_then(|f| f.parse::<u32>().ok()) == Some(pid) {
            out.push((p, comm));
        }
    }
    out
}

/// A process counts as gone when /proc no longer has it or it is a zombie.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s.rfind(')').and_then(|i| s.get(i + 2..i + 3)) != Some("Z"),
        Err(_) => false,
    }
}

#[test]
fn sentry_gofer_stub_and_kill_leaves_nothing() {
    sbx_tests::cloexec_inherited();
    let mut sbx = Command::new(sbx_tests::sbx_bin())
        .args(["run", "sleep", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = sbx.id();
    let start = Instant::now();
    let mut kids = Vec::new();
    while start.elapsed() < Duration::from_secs(10) {
        kids = children(pid);
        if kids.iter().any(|(_, c)| c == "sbx-stub") && kids.iter().any(|(_, c)| c == "sbx-gofer") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stubs = kids.iter().filter(|(_, c)| c == "sbx-stub").count();
    let gofers = kids.iter().filter(|(_, c)| c == "sbx-gofer").count();
    assert_eq!((stubs, gofers), (1, 1), "children of the Sentry: {kids:?}");
    sbx.kill().unwrap();
    let _ = sbx.wait();
    let deadline = Instant::now() + Duration::from_secs(2);
    while kids.iter().any(|(p, _)| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<_> = kids.iter().filter(|(p, _)| alive(*p)).collect();
    assert!(left.is_empty(), "still running after the Sentry was killed: {left:?}");
}
