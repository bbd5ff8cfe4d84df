//! The Gofer: the only process of a sandbox that holds host file handles.
//!
//! It serves one host directory tree to the Sentry over a Unix socketpair with a
//! small, versioned binary protocol ([`protocol`]). Nodes are named by ids the
//! Gofer hands out (FD-based like gVisor's lisafs, never by host path), and regular
//! files are donated to the Sentry as host fds (SCM_RIGHTS) so reads and writes need
//! no round trip. The Sentry side is [`client::GoferClient`]; the server is
//! [`server::serve`].
#![deny(unsafe_code)]

pub mod client;
pub mod protocol;
pub mod server;

pub use client::{DirEntry, GoferClient, NodeId, NodeInfo};
pub use protocol::{SetAttr, SetTime};
pub use server::{confine, serve, GoferError, ServeOptions};
