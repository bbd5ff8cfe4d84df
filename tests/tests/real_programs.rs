//! Real programs, run natively and under sbx with the same arguments, compared; and
//! the isolation checks of the root file system (no native run: those would change
//! the host).

use std::path::Path;

use sbx_tests::{diff, sandboxed, scratch, Opts};

/// Whether `path` exists; says the test is skipped when it does not.
fn installed(path: &str) -> bool {
    let there = Path::new(path).exists();
    if !there {
        eprintln!("skipped: {path} is not installed");
    }
    there
}

fn both(argv: &[&str]) {
    diff(argv, &Opts { stderr: true, ..Default::default() });
}

#[test]
fn coreutils() {
    both(&["/bin/echo", "hello"]);
    both(&["/bin/true"]);
    both(&["/bin/false"]);
    both(&["cat", "/etc/os-release"]);
    both(&["ls", "-la", "--color=never", "/usr"]);
    both(&["sha256sum", "/bin/ls"]);
    both(&["sort", "/etc/passwd"]);
    both(&["env", "-i", "A=1", "/usr/bin/env"]);
    both(&["sh", "-c", "ls / | wc -l"]);
    both(&["sh", "-c", "echo $((6*7)); exit 3"]);
}

#[test]
fn stdin_is_passed_through() {
    let o = Opts { stdin: Some(b"b\na\nc\n".to_vec()), stderr: true, ..Default::default() };
    diff(&["sort"], &o);
    diff(&["wc", "-l"], &o);
}

#[test]
fn interpreters() {
    if !installed("/usr/bin/python3") {
        return;
    }
    both(&["/usr/bin/python3", "-c", "import os,sys,json; print(json.dumps(sorted(os.listdir(\"/\"))))"]);
    both(&["/usr/bin/perl", "-e", "print 6*7, \"\\n\""]);
}

#[test]
fn busybox_static() {
    // .ci/run installs busybox-static; a developer machine may not have it.
    if !installed("/bin/busybox") {
        return;
    }
    both(&["/bin/busybox", "echo", "hi", "there"]);
    both(&["/bin/busybox", "cat", "/etc/os-release"]);
    both(&["/bin/busybox", "sh", "-c", "for i in 1 2 3; do echo $i; done"]);
}

#[test]
fn shebang_script() {
    let p = scratch().join("script.sh");
    std::fs::write(&p, "#!/bin/sh\necho script \"$1\" \"$0\"\nexit 5\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    both(&[p.to_str().unwrap(), "arg"]);
}

#[test]
fn static_pie_and_missing_programs() {
    // A program that is not there: 127 and a one-line message, like a shell.
    let o = sandboxed(&["/nonexistent/program"], &Opts::default());
    assert_eq!(o.status, 127);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("No such file or directory"),
        "{:?}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn tmp_writes_stay_in_the_sandbox() {
    let name = format!("/tmp/sbx-isolation-{}", std::process::id());
    let code = format!("open('{name}','w').write('hi'); print(open('{name}').read())");
    let o = sandboxed(&["/usr/bin/python3", "-c", &code], &Opts::default());
    assert_eq!(o.status, 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, b"hi\n");
    assert!(!Path::new(&name).exists(), "the host's /tmp changed");
}

#[test]
fn etc_writes_stay_in_the_sandbox() {
    let name = format!("/etc/sbx-overlay-test-{}", std::process::id());
    let before = std::fs::read("/etc/hostname").ok();
    let script =
        format!("echo x > {name} && cat {name} && echo y >> /etc/hostname && rm /etc/os-release && ls /etc/os-release");
    let o = sandboxed(&["sh", "-c", &script], &Opts::default());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "x\n");
    assert_ne!(o.status, 0, "os-release was removed inside the sandbox");
    assert!(!Path::new(&name).exists(), "a file appeared in the host's /etc");
    assert_eq!(std::fs::read("/etc/hostname").ok(), before, "the host's /etc/hostname changed");
    assert!(Path::new("/etc/os-release").exists(), "the host's /etc/os-release was removed");
}

#[test]
fn shells_and_processes() {
    both(&["sh", "-c", "ls / | wc -l"]);
    diff(
        &["bash", "-c", "for i in 1 2 3; do (echo $i) & done; wait"],
        &Opts { sort: true, stderr: true, ..Default::default() },
    );
    both(&["bash", "-c", "trap \"echo caught\" USR1; kill -USR1 $$; echo after"]);
    both(&["sh", "-c", "kill -9 $$"]);
    both(&["bash", "-c", "timeout 1 sleep 5; echo $?"]);
    both(&["bash", "-c", "x=$(echo sub); echo \"$x\"; cat <<< here; echo a | tr a b"]);
}

#[test]
fn python_subprocess() {
    if !installed("/usr/bin/python3") {
        return;
    }
    both(&[
        "/usr/bin/python3",
        "-c",
        "import subprocess; print(subprocess.run([\"echo\",\"x\"],capture_output=True).stdout)",
    ]);
    both(&[
        "/usr/bin/python3",
        "-c",
        "import threading\nn=0\nl=threading.Lock()\ndef f():\n  global n\n  for _ in range(1000):\n    with l: n+=1\nts=[threading.Thread(target=f) for _ in range(8)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nprint(n)",
    ]);
}

#[test]
fn python_multiprocessing_pool() {
    if !installed("/usr/bin/python3") {
        return;
    }
    both(&[
        "/usr/bin/python3",
        "-c",
        "from multiprocessing import Pool\ndef f(x): return x*x\nif __name__ == '__main__':\n  with Pool(4) as p: print(p.map(f, range(10)))",
    ]);
}

#[test]
fn make_and_gcc_inside() {
    let src = scratch().join("proj");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("a.c"),
        "#include <stdio.h>\nint add(int,int);\nint main(void){printf(\"sum=%d\\n\", add(2,3));return 0;}\n",
    )
    .unwrap();
    std::fs::write(src.join("b.c"), "int add(int a,int b){return a+b;}\n").unwrap();
    std::fs::write(src.join("Makefile"), "prog: a.o b.o\n\tgcc -o $@ a.o b.o\n%.o: %.c\n\tgcc -c -o $@ $<\n").unwrap();
    // Build in the sandbox's /tmp (its own tmpfs), then run the result.
    let script = format!("cp -r {} /tmp/p && cd /tmp/p && make -s && ./prog", src.display());
    let o = sandboxed(&["sh", "-c", &script], &Opts::default());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "sum=5\n", "stderr: {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status, 0);
}

#[test]
fn fork_bomb_is_bounded_by_pids() {
    // Forks until fork fails; with --pids 20 that is EAGAIN after at most 19 children,
    // and no host process beyond the sandbox's is ever made.
    let src = sbx_tests::workspace().join("tests/programs/forkbomb.c");
    let bin = scratch().join("forkbomb");
    assert!(std::process::Command::new("gcc").arg("-o").arg(&bin).arg(&src).status().unwrap().success());
    let o = sandboxed(
        &[bin.to_str().unwrap()],
        &Opts { sbx_args: vec!["--pids".into(), "20".into()], ..Default::default() },
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "EAGAIN after 19 children\n",
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn sqlite_and_archives() {
    if installed("/usr/bin/sqlite3") {
        let o = sandboxed(
            &["sqlite3", "/tmp/t.db", "create table t(a); insert into t values(1),(2); select sum(a) from t"],
            &Opts::default(),
        );
        assert_eq!(String::from_utf8_lossy(&o.stdout), "3\n", "stderr: {}", String::from_utf8_lossy(&o.stderr));
    }
    both(&["sh", "-c", "tar czf /tmp/x.tgz /usr/include/linux 2>/dev/null && tar tzf /tmp/x.tgz | wc -l"]);
    both(&["sh", "-c", "find /usr/lib -name '*.so' | wc -l"]);
}

#[test]
fn volumes_write_through_and_read_only() {
    // Under /var/tmp, never inside the scratch directory (which the harness may mount).
    let host = std::path::PathBuf::from(format!("/var/tmp/sbx-vol-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&host);
    std::fs::create_dir_all(&host).unwrap();
    let v = format!("{}:/data", host.display());
    let o = sandboxed(
        &["sh", "-c", "cp /etc/os-release /data/ && mkdir /data/d && echo hi > /data/d/f && mv /data/d/f /data/d/g && cat /data/d/g"],
        &Opts { sbx_args: vec!["-v".into(), v.clone()], ..Default::default() },
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hi\n", "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(host.join("os-release")).unwrap(), std::fs::read("/etc/os-release").unwrap());
    assert_eq!(std::fs::read_to_string(host.join("d/g")).unwrap(), "hi\n");
    assert!(!host.join("d/f").exists());
    // Read-only: refused, and the host is unchanged.
    let o = sandboxed(
        &["sh", "-c", "echo x > /data/new"],
        &Opts { sbx_args: vec!["-v".into(), format!("{v}:ro")], ..Default::default() },
    );
    assert_ne!(o.status, 0);
    assert!(String::from_utf8_lossy(&o.stderr).contains("Read-only file system"));
    assert!(!host.join("new").exists());
    // Without -v the same path is the read-only host tree under the overlay.
    let path = format!("{}/new", host.display());
    let o = sandboxed(&["sh", "-c", &format!("echo x > {path} && cat {path}")], &Opts::default());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "x\n");
    assert!(!host.join("new").exists(), "a write without -v reached the host");
    // Bad options are one line that says what is wrong.
    let o = sandboxed(&["true"], &Opts { sbx_args: vec!["-v".into(), "/nonexistent:/x".into()], ..Default::default() });
    assert_eq!(o.status, 125);
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1, "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&host).unwrap();
}

#[test]
fn another_root_and_tmpfs() {
    if !installed("/bin/busybox") {
        return;
    }
    let root = scratch().join(format!("root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
    std::fs::write(root.join("marker"), "in the other root\n").unwrap();
    let o = sandboxed(
        &["/bin/busybox", "sh", "-c", "cat /marker; ls /; echo t > /scratch/f; cat /scratch/f"],
        &Opts {
            sbx_args: vec!["--root".into(), root.display().to_string(), "--tmpfs".into(), "/scratch".into()],
            ..Default::default()
        },
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "in the other root\nbin\nmarker\nt\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn closed_host_stdout_raises_sigpipe() {
    use std::io::Read;
    sbx_tests::cloexec_inherited();
    let mut child = std::process::Command::new(sbx_tests::sbx_bin())
        .args(["run", "yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut two = [0u8; 2];
    out.read_exact(&mut two).unwrap();
    assert_eq!(&two, b"y\n");
    drop(out);
    let o = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(o.status.code(), Some(141), "{:?}", o.status.signal());
    assert!(o.stderr.is_empty(), "yes complained: {}", String::from_utf8_lossy(&o.stderr));
    both(&["sh", "-c", "yes | head -2; echo done"]);
}

#[test]
fn terminal_is_passed_through() {
    if !installed("/usr/bin/script") {
        return;
    }
    // script(1) runs sbx on a fresh pseudo-terminal.
    let inner = format!(
        "{} run bash --norc -i -c 'tty; test -t 0 && echo stdin-is-tty; stty size >/dev/null && echo stty-ok; echo done'",
        sbx_tests::sbx_bin().display()
    );
    let o = sbx_tests::native(&["script", "-qec", &inner, "/dev/null"], &Opts::default());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("/dev/pts/"), "{out}");
    assert!(out.contains("stdin-is-tty") && out.contains("stty-ok") && out.contains("done"), "{out}");
    assert!(!out.contains("no job control"), "{out}");
}

#[test]
fn python_asyncio() {
    if !installed("/usr/bin/python3") {
        return;
    }
    both(&[
        "/usr/bin/python3",
        "-c",
        "import asyncio\nasync def main():\n  await asyncio.sleep(0.05)\n  p = await asyncio.create_subprocess_exec('echo', 'from-child', stdout=asyncio.subprocess.PIPE)\n  out, _ = await p.communicate()\n  print('asyncio ok', out)\nasyncio.run(main())",
    ]);
}

/// Background jobs on the terminal: a job that reads is stopped by SIGTTIN, one
/// that writes with `stty tostop` by SIGTTOU, as bash's job table shows.
#[test]
fn terminal_job_control_stops_background_jobs() {
    if !installed("/usr/bin/script") {
        return;
    }
    // (Killing the stopped jobs and waiting races with bash's own notifications, so
    // only the job table is compared; `kill -9 0` ends the stopped jobs with us.)
    let job = "cat & sleep 0.5; jobs; stty tostop; echo written & sleep 0.5; jobs; stty -tostop; echo end; kill -9 0";
    let run = |prefix: &str| {
        let inner = format!("{prefix}bash --norc -i -c '{job}'");
        let o = sbx_tests::native(&["script", "-qec", &inner, "/dev/null"], &Opts::default());
        // Job pids differ between the host and the sandbox.
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        out.lines()
            // (script's shell reports the native bash as "Killed"; sbx exits 137.)
            .filter(|l| !l.starts_with("[1] ") && !l.starts_with("[2] ") && l.trim() != "Killed")
            .map(|l| l.trim_end().to_string())
            .collect::<Vec<_>>()
    };
    let native = run("");
    let sandboxed = run(&format!("{} run ", sbx_tests::sbx_bin().display()));
    assert!(native.iter().any(|l| l.contains("Stopped")), "{native:?}");
    assert_eq!(native, sandboxed);
}

/// kill(0, SIGKILL) ends the caller's process group (and only it).
#[test]
fn kill_zero_ends_the_process_group() {
    // (stderr names the killed job by pid, which differs.)
    diff(&["/bin/bash", "-c", "set -m; (sleep 100 & sleep 0.2; kill -9 0); echo $?"], &Opts::default());
}
