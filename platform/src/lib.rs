//! How guest code runs: the stub process, trapping its syscalls and faults, and the
//! guest's register state.
//!
//! The Sentry sees three traits: a [`Platform`] makes guest processes, each with an
//! [`AddressSpace`] (what is mapped where, backed by the memory file) and a
//! [`Context`] (one guest thread: run it until it makes a syscall or faults). The
//! first backend is [`ptrace`] (PTRACE_SYSEMU); a seccomp-trap backend fits the same
//! traits.
#![warn(missing_docs)]

pub mod host;
pub mod ptrace;
mod regs;
mod seccomp;

use std::os::fd::BorrowedFd;
use std::sync::Arc;

pub use regs::Regs;

/// Lowest address a guest mapping may use (`vm.mmap_min_addr`).
pub const MIN_USER_ADDR: u64 = 0x10000;
/// One past the highest address a guest mapping may use. The stub's own page sits
/// above it, out of the guest's way.
pub const MAX_USER_ADDR: u64 = 0x7fff_fff0_0000;
/// Guest page size.
pub const PAGE_SIZE: u64 = 4096;

/// Why a guest thread stopped running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It made a system call: number in `orig_rax`, arguments in the registers. The
    /// result goes into `rax` before the next switch.
    Syscall,
    /// It took a synchronous fault or received a host signal that the Sentry must turn
    /// into a guest signal.
    Signal(SigInfo),
    /// The Sentry interrupted it (a signal is waiting for delivery).
    Interrupted,
}

/// The essentials of a host `siginfo_t` for a guest fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigInfo {
    /// Signal number.
    pub signo: i32,
    /// `si_code`.
    pub code: i32,
    /// Faulting address (`si_addr`) for SIGSEGV/SIGBUS/SIGILL/SIGFPE.
    pub addr: u64,
}

/// Errors of the platform itself (the host refused something); never guest errors.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// A host call failed.
    #[error("{what}: {source}")]
    Host {
        /// What the platform was doing.
        what: &'static str,
        /// The host error.
        source: nix::Error,
    },
    /// The stub process died (killed from outside, or by the host).
    #[error("stub process died: {0}")]
    StubDied(String),
    /// An injected syscall in the stub failed.
    #[error("{what} in the stub failed: {errno}")]
    Injected {
        /// The injected call.
        what: &'static str,
        /// Its error.
        errno: sbx_abi::Errno,
    },
}

impl PlatformError {
    pub(crate) fn host(what: &'static str) -> impl FnOnce(nix::Error) -> PlatformError {
        move |source| PlatformError::Host { what, source }
    }
}

/// A guest address space. Guest memory is always a window onto the memory file:
/// `map_file` makes `[addr, addr+len)` show file bytes `[offset, offset+len)`.
pub trait AddressSpace: Send + Sync {
    /// Maps memory-file bytes at `offset` to `[addr, addr+len)` with protection `prot`
    /// (PROT_* bits), replacing whatever was there.
    fn map_file(&self, addr: u64, len: u64, prot: u32, offset: u64) -> Result<(), PlatformError>;
    /// Unmaps `[addr, addr+len)`.
    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError>;
    /// Changes the protection of `[addr, addr+len)`.
    fn protect(&self, addr: u64, len: u64, prot: u32) -> Result<(), PlatformError>;
}

/// One guest thread.
pub trait Context: Send {
    /// Runs the guest with `regs` until it stops; `regs` then holds its state.
    fn switch(&mut self, regs: &mut Regs) -> Result<Exit, PlatformError>;
    /// The host pid of the stub thread (for diagnostics only).
    fn host_tid(&self) -> i32;
    /// The thread's floating-point and vector state as an XSAVE area (with the
    /// software-reserved bytes describing it, as Linux puts in a signal frame).
    fn fp_state(&mut self) -> Result<Vec<u8>, PlatformError>;
    /// Replaces the floating-point state with an XSAVE area from [`fp_state`](Self::fp_state)
    /// (possibly modified by the guest in a signal frame; the host validates it).
    fn set_fp_state(&mut self, xsave: &[u8]) -> Result<(), PlatformError>;
}

/// A new guest process: its address space and its first thread.
pub type NewProcess = (Arc<dyn AddressSpace>, Box<dyn Context>);

/// A way of running guest processes.
pub trait Platform: Send + Sync {
    /// Starts a new guest process: an empty address space and its first thread, with
    /// the memory file `memfd` available to the stub for mappings.
    fn new_process(&self, memfd: BorrowedFd<'_>) -> Result<NewProcess, PlatformError>;
    /// The backend's name ("ptrace").
    fn name(&self) -> &'static str;
}
