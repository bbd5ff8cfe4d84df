//! `sbx run`.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use anyhow::{Context, Result};
use sbx_sentry::kernel::{Creds, TaskExit};
use sbx_sentry::sandbox::{self, Config};

/// Arguments of `sbx run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Print every guest syscall to stderr, strace-style.
    #[arg(long)]
    strace: bool,
    /// How guest code runs.
    #[arg(long, default_value = "ptrace", value_parser = ["ptrace"])]
    platform: String,
    /// Host name inside the sandbox.
    #[arg(long, default_value = "sbx")]
    hostname: String,
    /// Use DIR as the sandbox's root file system (read-only, under an in-memory
    /// writable layer) instead of the host's root.
    #[arg(long, value_name = "DIR")]
    root: Option<std::path::PathBuf>,
    /// Bind-mount a host directory: HOST:GUEST (writes reach the host) or
    /// HOST:GUEST:ro. May be repeated.
    #[arg(short = 'v', long = "volume", value_name = "HOST:GUEST[:ro]")]
    volumes: Vec<String>,
    /// Mount an empty tmpfs at PATH inside the sandbox. May be repeated.
    #[arg(long, value_name = "PATH")]
    tmpfs: Vec<String>,
    /// Most processes alive at once inside the sandbox (fork fails with EAGAIN beyond).
    #[arg(long, default_value_t = 4096)]
    pids: usize,
    /// Log destination for Sentry messages (default: stderr, errors only; set
    /// SBX_LOG=warn or debug for more).
    #[arg(long)]
    log: Option<std::path::PathBuf>,
    /// The program and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<OsString>,
}

fn init_logging(args: &RunArgs) -> Result<()> {
    use tracing_subscriber::EnvFilter;
    let default = if args.strace { "error,strace=info" } else { "error" };
    let filter = EnvFilter::try_from_env("SBX_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let filter = if args.strace { filter.add_directive("strace=info".parse().context("filter")?) } else { filter };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).without_time().with_target(false).with_level(false);
    match &args.log {
        Some(path) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening log file {}", path.display()))?;
            builder.with_ansi(false).with_writer(Arc::new(f)).init();
        }
        None => builder.with_writer(std::io::stderr).init(),
    }
    Ok(())
}

/// `/a//b/` → `/a/b`.
fn normalize(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    format!("/{}", parts.join("/"))
}

/// Parses `HOST:GUEST[:ro|:rw]`.
fn parse_volume(v: &str) -> Result<(String, String, bool)> {
    let parts: Vec<&str> = v.split(':').collect();
    let (host, guest, writable) = match parts.as_slice() {
        [h, g] => (*h, *g, true),
        [h, g, "ro"] => (*h, *g, false),
        [h, g, "rw"] => (*h, *g, true),
        _ => anyhow::bail!("-v {v}: expected HOST:GUEST or HOST:GUEST:ro"),
    };
    if !std::path::Path::new(host).is_dir() {
        anyhow::bail!("-v {v}: host path {host} is not a directory");
    }
    if !guest.starts_with('/') || normalize(guest) == "/" {
        anyhow::bail!("-v {v}: the path inside the sandbox must be absolute and not /");
    }
    Ok((host.to_string(), normalize(guest), writable))
}

/// Runs the sandbox; returns the exit status for `sbx` itself.
pub fn run(args: RunArgs) -> Result<i32> {
    init_logging(&args)?;
    let root = args.root.clone().unwrap_or_else(|| "/".into());
    if !root.is_dir() {
        anyhow::bail!("--root {}: not a directory", root.display());
    }
    // Check every mount before starting any Gofer.
    let volumes = args.volumes.iter().map(|v| parse_volume(v)).collect::<Result<Vec<_>>>()?;
    for p in &args.tmpfs {
        if !p.starts_with('/') {
            anyhow::bail!("--tmpfs {p}: the path inside the sandbox must be absolute");
        }
    }
    let gofer = crate::gofer::start(&root, false)?;
    let mut extra = Vec::new();
    let mut gofers = vec![];
    for (host, guest, writable) in volumes {
        let g = crate::gofer::start(std::path::Path::new(&host), writable)?;
        extra.push(sbx_sentry::sandbox::ExtraMount::Host {
            at: guest.into_bytes(),
            gofer: Arc::new(sbx_gofer::GoferClient::new(g.sock)),
            writable,
        });
        gofers.push(g.child);
    }
    for p in &args.tmpfs {
        extra.push(sbx_sentry::sandbox::ExtraMount::Tmpfs { at: normalize(p).into_bytes() });
    }
    let client = Arc::new(sbx_gofer::GoferClient::new(gofer.sock));
    let uid = nix::unistd::getuid().as_raw();
    let gid = nix::unistd::getgid().as_raw();
    let pool = sbx_sentry::mm::MemoryPool::new().context("creating the memory file")?;
    let mounts = sbx_sentry::sandbox::sandbox_mounts(&pool, client, extra)
        .map_err(|e| anyhow::anyhow!("building the root file system (is the gofer running?): {e}"))?;
    let platform: Arc<dyn sbx_platform::Platform> =
        Arc::new(sbx_platform::ptrace::PtracePlatform::new().context("preparing the ptrace platform")?);
    let stdio = [
        std::io::stdin().as_fd().try_clone_to_owned()?,
        std::io::stdout().as_fd().try_clone_to_owned()?,
        std::io::stderr().as_fd().try_clone_to_owned()?,
    ];
    let argv: Vec<Vec<u8>> = args.command.iter().map(|a| a.as_bytes().to_vec()).collect();
    let envp: Vec<Vec<u8>> = std::env::vars_os()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    let cwd = std::env::current_dir().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_else(|_| b"/".to_vec());
    let cfg = Config {
        program: argv[0].clone(),
        argv,
        envp,
        cwd,
        stdio,
        hostname: args.hostname.clone(),
        strace: args.strace,
        creds: Creds::new(uid, gid),
        max_pids: args.pids,
    };
    let program = String::from_utf8_lossy(&cfg.program).into_owned();
    let exit = match sandbox::run(platform, pool, mounts, cfg) {
        Ok(exit) => exit,
        Err(sandbox::StartError::Exec { errno, .. }) => {
            // Like a shell: 127 when the program is not there, 126 when it cannot run.
            let desc = nix::Error::from_raw(errno.0).desc();
            eprintln!("sbx: {program}: {desc}");
            return Ok(if errno == sbx_abi::Errno::ENOENT { 127 } else { 126 });
        }
        Err(e) => return Err(e.into()),
    };
    gofers.push(gofer.child);
    for mut child in gofers {
        let _ = child.kill();
        let _ = child.wait();
    }
    Ok(match exit {
        TaskExit::Exited(c) => c,
        TaskExit::Signaled(s) => 128 + s,
    })
}
