//! Starting the Gofer process, and the hidden `sbx gofer` command it runs as.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command};

use anyhow::{bail, Context, Result};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};

/// Arguments of `sbx gofer`.
#[derive(clap::Args, Debug)]
pub struct GoferArgs {
    /// The inherited socket fd.
    #[arg(long)]
    fd: i32,
    /// The host directory to serve.
    #[arg(long)]
    root: PathBuf,
    /// Serve read-write (bind mounts); the default is read-only.
    #[arg(long)]
    rw: bool,
}

/// Runs the Gofer server (in the Gofer process).
pub fn gofer(args: GoferArgs) -> Result<()> {
    let _ = nix::sys::prctl::set_name(c"sbx-gofer");
    // The Gofer must not outlive its Sentry.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).context("PR_SET_PDEATHSIG")?;
    if nix::unistd::getppid().as_raw() == 1 {
        // The Sentry exited before we started: nothing to serve.
        std::process::exit(0);
    }
    if nix::fcntl::fcntl(args.fd, nix::fcntl::FcntlArg::F_GETFD).is_err() {
        bail!("--fd {} is not an open file descriptor", args.fd);
    }
    // SAFETY-free: the fd number was checked to be open and is owned from here on.
    let sock = fd_from_arg(args.fd);
    let opts = sbx_gofer::server::ServeOptions { read_only: !args.rw, ..Default::default() };
    sbx_gofer::server::serve(&args.root, sock, opts).with_context(|| format!("serving {}", args.root.display()))?;
    Ok(())
}

fn fd_from_arg(fd: i32) -> OwnedFd {
    // Duplicate into a fresh OwnedFd (close-on-exec) and close the inherited number,
    // so no unsafe adoption of a raw fd is needed.
    let dup = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(3)).expect("checked open above");
    let _ = nix::unistd::close(fd);
    owned(dup)
}

#[allow(unsafe_code)]
fn owned(fd: i32) -> OwnedFd {
    // SAFETY: `fd` was just returned by F_DUPFD_CLOEXEC and is owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// A running Gofer and the Sentry's end of its socket.
pub struct GoferProcess {
    /// The Gofer process.
    pub child: Child,
    /// The Sentry's end.
    pub sock: OwnedFd,
}

/// Starts `sbx gofer` serving `root`.
pub fn start(root: &std::path::Path, rw: bool) -> Result<GoferProcess> {
    let (ours, theirs) =
        socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC).context("socketpair")?;
    // The child's end must survive exec: clear close-on-exec on it just for the spawn.
    nix::fcntl::fcntl(theirs.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()))
        .context("fcntl")?;
    let exe = std::env::current_exe().context("finding the sbx binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("gofer").arg("--fd").arg(theirs.as_raw_fd().to_string()).arg("--root").arg(root);
    if rw {
        cmd.arg("--rw");
    }
    cmd.stdin(std::process::Stdio::null());
    let child = cmd.spawn().context("starting the gofer")?;
    drop(theirs);
    Ok(GoferProcess { child, sock: ours })
}
