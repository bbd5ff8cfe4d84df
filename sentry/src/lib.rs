//! The Sentry: sbx's kernel. It implements Linux for guest programs on its own data
//! structures: tasks, memory, files, signals. Syscall handlers reach everything
//! through the calling [`kernel::Task`] and its [`kernel::Kernel`]; there is no global
//! mutable state.
#![deny(unsafe_code)]

pub mod fs;
pub mod kernel;
pub mod loader;
pub mod mm;
pub mod sandbox;
pub mod syscalls;
pub mod vfs;

pub use sbx_abi::{Errno, SysResult};
