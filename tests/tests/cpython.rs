//! CPython's own tests for the file and process modules (issue 5), run natively and
//! under sbx in the same run: every test that passes natively must pass under sbx,
//! except those listed in `tests/cpython-skips` (one `module.Class.test  # reason`
//! per line). The tests come from Debian's libpython3.11-testsuite, which `.ci/run`
//! installs; without it (or /usr/bin/python3) each test says so and passes.

use std::collections::BTreeMap;
use std::process::Command;

use sbx_tests::{cloexec_inherited, sbx_bin, scratch, workspace};

const PYTHON: &str = "/usr/bin/python3";

/// Per-test outcome lines of `python3 -m test -v`: "name (id) ... ok".
fn results(out: &str) -> BTreeMap<String, String> {
    let mut r = BTreeMap::new();
    for line in out.lines() {
        let Some((head, outcome)) = line.split_once(" ... ") else { continue };
        let Some(id) = head.rsplit_once(" (").and_then(|(_, id)| id.strip_suffix(')')) else { continue };
        let outcome = outcome.trim();
        let word = if outcome.starts_with("skipped") { "skipped" } else { outcome };
        r.insert(id.to_string(), word.to_string());
    }
    r
}

fn skips() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(workspace().join("tests/cpython-skips")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (id, why) = l.split_once('#').unwrap_or((l, ""));
            let id = id.trim();
            (!id.is_empty()).then(|| (id.to_string(), why.trim().to_string()))
        })
        .collect()
}

fn run(sandboxed: bool, module: &str) -> String {
    cloexec_inherited();
    let dir = scratch().join(format!("cpython-{module}-{}", if sandboxed { "sbx" } else { "native" }));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut cmd = Command::new("timeout");
    cmd.arg("600");
    if sandboxed {
        cmd.arg(sbx_bin()).arg("run");
        if dir.starts_with("/tmp") {
            cmd.arg("-v").arg(format!("{}:{}", dir.display(), dir.display()));
        }
    }
    cmd.args([PYTHON, "-m", "test", "-v", module]);
    cmd.current_dir(&dir).env_clear().env("PATH", "/usr/bin:/bin").env("LANG", "C.UTF-8").env("HOME", "/root");
    let o = cmd.output().expect("running python3 -m test");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn check(module: &str) {
    if !std::path::Path::new(&format!("/usr/lib/python3.11/test/{module}.py")).exists()
        || !std::path::Path::new(PYTHON).exists()
    {
        eprintln!("skipped: {module} needs {PYTHON} and libpython3.11-testsuite");
        return;
    }
    let native = results(&run(false, module));
    assert!(!native.is_empty(), "no test results parsed from the native run of {module}");
    let out = run(true, module);
    let sbx = results(&out);
    let skip = skips();
    let mut bad = Vec::new();
    for (id, r) in &native {
        if r != "ok" || skip.contains_key(id) {
            continue;
        }
        match sbx.get(id) {
            Some(s) if s == "ok" => {}
            other => bad.push(format!("{id}: native ok, sbx {}", other.map_or("no result", String::as_str))),
        }
    }
    // Listed skips must still be needed, so the list shrinks as sbx improves.
    let stale: Vec<&String> = skip
        .keys()
        .filter(|id| id.contains(&format!("{module}.")) && sbx.get(*id).is_some_and(|r| r == "ok"))
        .collect();
    assert!(
        bad.is_empty() && stale.is_empty(),
        "{module} under sbx:\n{}\nnow passing, remove from tests/cpython-skips: {stale:?}\n--- sbx output (tail):\n{}",
        bad.join("\n"),
        out.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}

macro_rules! cpython_tests {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            check(stringify!($name));
        }
    )*};
}

cpython_tests!(
    test_os,
    test_posix,
    test_fcntl,
    test_select,
    test_mmap,
    test_epoll,
    test_stat,
    test_tempfile,
    test_shutil,
    test_glob
);
