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

fn main() {
    let cli = Cli::parse();
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
