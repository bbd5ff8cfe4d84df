//! The Linux x86_64 ABI as data: system call numbers and names, error numbers,
//! flag sets and the `#[repr(C)]` structures the guest exchanges with the kernel.
//!
//! Nothing here does I/O or calls the host; every other sbx crate speaks Linux
//! through these definitions.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod errno;
pub mod flags;
pub mod structs;
pub mod sysno;

pub use errno::{Errno, SysResult};
