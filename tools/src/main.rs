//! `sbx`: run programs in a sandbox whose kernel is the Sentry.

mod gofer;
mod run;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// sbx runs untrusted Linux programs inside a user-space kernel.
#[derive(Parser, Debug)]
#[command(name = "sbx", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run PROGRAM [ARGS...] in a new sandbox.
    Run(run::RunArgs),
    /// (internal) Serve a host directory to a Sentry over an inherited socket.
    #[command(hide = true)]
    Gofer(gofer::GoferArgs),
}

/// Marks every inherited fd above stderr close-on-exec: nothing the caller left open
/// (a jobserver pipe, a leaked socket) reaches the Gofer or any other child.
fn cloexec_inherited() {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else { return };
    let fds: Vec<i32> = dir.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
    for fd in fds.into_iter().filter(|&fd| fd > 2) {
        let _ = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC));
    }
}

fn main() {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Run(_)) {
        cloexec_inherited();
    }
    let res: Result<i32> = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Gofer(args) => gofer::gofer(args).map(|()| 0),
    };
    match res {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("sbx: {e:#}");
            std::process::exit(125);
        }
    }
}
