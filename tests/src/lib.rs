//! The end-to-end test harness: programs run natively and under `sbx run`, their
//! stdout, stderr and exit status compared.
//!
//! * C cases live in `tests/cases/<family>/<name>.c` and are compiled with the host
//!   gcc at test time (into the target directory: the sandbox's /tmp is its own).
//!   Directives on `// sbx-test:` lines at the top of a case:
//!   `static` / `static-pie` (also run those builds), `args A B ...`,
//!   `no-stderr` (stderr not compared), `sort` (compare sorted lines).
//! * `SBX_BIN` names the sbx binary; by default the one next to the test binary's
//!   target directory (`target/<profile>/sbx`), which `cargo build` makes.
//! * `tests/blocklist` lists `family/name  # reason` cases that are skipped.
#![deny(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The sbx binary to test.
pub fn sbx_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SBX_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<test-binary> → target/<profile>/sbx
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let p = profile_dir.join("sbx");
    assert!(
        p.exists(),
        "{} does not exist: build it first (`cargo build --release --workspace`, as .ci/run does) or set SBX_BIN",
        p.display()
    );
    p
}

/// Scratch space visible to the sandbox (inside the target directory).
pub fn scratch() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let d = exe.parent().and_then(Path::parent).expect("target/<profile>").join("sbx-tests");
    std::fs::create_dir_all(&d).expect("creating the scratch directory");
    d
}

/// Outcome of one run.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Exit status, shell-style: the code, or 128+N for death by signal N.
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

fn outcome(o: Output) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let status = o.status.code().unwrap_or_else(|| 128 + o.status.signal().unwrap_or(0));
    Outcome { status, stdout: o.stdout, stderr: o.stderr }
}

/// How to run a command.
#[derive(Clone, Debug, Default)]
pub struct Opts {
    /// Bytes for stdin (None: /dev/null).
    pub stdin: Option<Vec<u8>>,
    /// Extra `sbx run` options.
    pub sbx_args: Vec<String>,
    /// Compare stderr too.
    pub stderr: bool,
    /// Compare sorted lines (for output whose order is not fixed).
    pub sort: bool,
    /// Working directory.
    pub cwd: Option<PathBuf>,
}

const TIMEOUT: Duration = Duration::from_secs(60);

fn run_with_timeout(mut cmd: Command, stdin: Option<&[u8]>) -> Outcome {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    if let Some(data) = stdin {
        use std::io::Write;
        let mut s = child.stdin.take().expect("piped stdin");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = s.write_all(&data);
        });
    }
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d2 = done.clone();
    let watchdog = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        while start.elapsed() < TIMEOUT {
            if d2.load(std::sync::atomic::Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        true
    });
    let out = child.wait_with_output().expect("waiting for the child");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let timed_out = watchdog.join().unwrap_or(false);
    assert!(!timed_out, "{cmd:?} timed out after {TIMEOUT:?}");
    outcome(out)
}

/// Marks every inherited fd above stderr close-on-exec (cargo's jobserver pipes,
/// for one), so that native runs start with only 0, 1 and 2, as sandboxed ones do.
pub fn cloexec_inherited() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(dir) = std::fs::read_dir("/proc/self/fd") else { return };
        let fds: Vec<i32> = dir.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
        for fd in fds.into_iter().filter(|&fd| fd > 2) {
            let _ = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC));
        }
    });
}

fn base_env(cmd: &mut Command) {
    cloexec_inherited();
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env("HOME", "/root")
        .env("TERM", "dumb");
}

/// Runs `argv` natively.
pub fn native(argv: &[&str], o: &Opts) -> Outcome {
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..]);
    base_env(&mut cmd);
    if let Some(d) = &o.cwd {
        cmd.current_dir(d);
    }
    run_with_timeout(cmd, o.stdin.as_deref())
}

/// The `sbx run` options every sandboxed test run gets: when the checkout lies under
/// /tmp (the sandbox's /tmp is its own tmpfs), the scratch directory with the
/// compiled cases is bind-mounted read-only at the same path.
fn harness_args() -> Vec<String> {
    let s = scratch();
    if s.starts_with("/tmp") || s.starts_with("/dev") || s.starts_with("/proc") {
        vec!["-v".into(), format!("{}:{}:ro", s.display(), s.display())]
    } else {
        vec![]
    }
}

/// Runs `argv` under `sbx run`.
pub fn sandboxed(argv: &[&str], o: &Opts) -> Outcome {
    let mut cmd = Command::new(sbx_bin());
    cmd.arg("run").args(harness_args()).args(&o.sbx_args).args(argv);
    base_env(&mut cmd);
    if let Some(d) = &o.cwd {
        cmd.current_dir(d);
    }
    run_with_timeout(cmd, o.stdin.as_deref())
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sorted(b: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    lines.sort();
    lines.join(&b'\n')
}

/// Runs `argv` natively and under sbx and asserts the same observable result.
pub fn diff(argv: &[&str], o: &Opts) {
    let n = native(argv, o);
    let s = sandboxed(argv, o);
    let norm = |b: &[u8]| if o.sort { sorted(b) } else { b.to_vec() };
    let same =
        n.status == s.status && norm(&n.stdout) == norm(&s.stdout) && (!o.stderr || norm(&n.stderr) == norm(&s.stderr));
    assert!(
        same,
        "native and sbx differ for {argv:?} (sbx {:?})\n--- native: status {}\nstdout:\n{}\nstderr:\n{}\n--- sbx: status {}\nstdout:\n{}\nstderr:\n{}\nreproduce: {} run {}",
        o.sbx_args,
        n.status,
        show(&n.stdout),
        show(&n.stderr),
        s.status,
        show(&s.stdout),
        show(&s.stderr),
        sbx_bin().display(),
        argv.join(" ")
    );
}

/// The reason a case or test is blocklisted, if it is.
pub fn blocked(name: &str) -> Option<String> {
    let list = std::fs::read_to_string(workspace().join("tests/blocklist")).unwrap_or_default();
    list.lines().find_map(|l| {
        let (entry, reason) = l.split_once('#').unwrap_or((l, ""));
        (entry.trim() == name).then(|| reason.trim().to_string())
    })
}

/// Directives of a case.
struct Directives {
    variants: Vec<&'static str>,
    args: Vec<String>,
    stderr: bool,
    sort: bool,
}

fn directives(src: &str) -> Directives {
    let mut d = Directives { variants: vec!["dynamic"], args: vec![], stderr: true, sort: false };
    for line in src.lines().take_while(|l| l.starts_with("//")) {
        let Some(rest) = line.trim_start_matches('/').trim().strip_prefix("sbx-test:") else { continue };
        let mut words = rest.split_whitespace();
        while let Some(w) = words.next() {
            match w {
                "static" => d.variants.push("static"),
                "static-pie" => d.variants.push("static-pie"),
                "no-stderr" => d.stderr = false,
                "sort" => d.sort = true,
                "args" => {
                    d.args.extend(words.by_ref().map(str::to_string));
                }
                other => panic!("unknown sbx-test directive {other:?}"),
            }
        }
    }
    d
}

static COMPILE: Mutex<()> = Mutex::new(());

/// Compiles a case for a variant (cached by source modification time).
fn compile(case: &str, variant: &str) -> PathBuf {
    let src = workspace().join("tests/cases").join(format!("{case}.c"));
    let out = scratch().join("bin").join(format!("{}-{variant}", case.replace('/', "-")));
    let _g = COMPILE.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = match (std::fs::metadata(&src), std::fs::metadata(&out)) {
        (Ok(s), Ok(o)) => o.modified().ok() >= s.modified().ok(),
        _ => false,
    };
    if !fresh {
        std::fs::create_dir_all(out.parent().expect("bin dir")).expect("mkdir");
        let mut cmd = Command::new("gcc");
        cmd.args(["-O1", "-Wall", "-pthread", "-o"]).arg(&out).arg(&src);
        match variant {
            "static" => {
                cmd.arg("-static");
            }
            "static-pie" => {
                cmd.arg("-static-pie");
            }
            _ => {}
        }
        let st = cmd.status().expect("running gcc");
        assert!(st.success(), "gcc failed for {}", src.display());
    }
    out
}

/// Runs the C case `family/name` in each of its variants, natively and under sbx.
pub fn run_case(case: &str) {
    if let Some(why) = blocked(case) {
        eprintln!("skipped {case}: {why}");
        return;
    }
    let src =
        std::fs::read_to_string(workspace().join("tests/cases").join(format!("{case}.c"))).expect("reading the case");
    let d = directives(&src);
    for v in &d.variants {
        let bin = compile(case, v);
        let bin_s = bin.to_string_lossy().into_owned();
        let mut argv = vec![bin_s.as_str()];
        argv.extend(d.args.iter().map(String::as_str));
        let o = Opts { stderr: d.stderr, sort: d.sort, cwd: Some(scratch()), ..Default::default() };
        diff(&argv, &o);
    }
}
