//! `sbx-gofer ROOT [--read-write] [--no-confine] [--no-seccomp]`: serves ROOT over the
//! SOCK_SEQPACKET socket given as standard input, until the peer closes it.
//!
//! The Sentry (or a test) starts it with one end of a socketpair as fd 0. Confinement and
//! seccomp are on by default; logs go to stderr (`RUST_LOG` filters them).
#![deny(unsafe_code)]

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::ExitCode;

use sbx_gofer::{serve, ServeOptions};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let mut root = None;
    let mut opts = ServeOptions::default();
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--read-write") => opts.read_only = false,
            Some("--no-confine") => opts.confine = false,
            Some("--no-seccomp") => opts.seccomp = false,
            _ if root.is_none() => root = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("usage: sbx-gofer ROOT [--read-write] [--no-confine] [--no-seccomp]");
                return ExitCode::from(2);
            }
        }
    }
    let Some(root) = root else {
        eprintln!("usage: sbx-gofer ROOT [--read-write] [--no-confine] [--no-seccomp]");
        return ExitCode::from(2);
    };
    let sock = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sbx-gofer: no socket on stdin: {e}");
            return ExitCode::FAILURE;
        }
    };
    match serve(&root, sock, opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sbx-gofer: {e}");
            ExitCode::FAILURE
        }
    }
}
