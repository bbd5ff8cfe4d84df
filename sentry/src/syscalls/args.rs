//! Decoding of raw syscall arguments.

use sbx_abi::Errno;

/// The six raw arguments of a syscall.
#[derive(Clone, Copy, Debug, Default)]
pub struct SyscallArgs(pub [u64; 6]);

impl SyscallArgs {
    /// Raw 64-bit value.
    pub fn u64(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// As a guest address.
    pub fn addr(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// As a size (`size_t`).
    pub fn usize(&self, i: usize) -> usize {
        self.0[i] as usize
    }
    /// As a C `int` (the low 32 bits, as Linux truncates).
    pub fn i32(&self, i: usize) -> i32 {
        self.0[i] as i32
    }
    /// As a C `unsigned int`.
    pub fn u32(&self, i: usize) -> u32 {
        self.0[i] as u32
    }
    /// As a signed 64-bit value (`off_t`, `long`).
    pub fn i64(&self, i: usize) -> i64 {
        self.0[i] as i64
    }
    /// As a file descriptor (an `int`).
    pub fn fd(&self, i: usize) -> i32 {
        self.0[i] as i32
    }
    /// A size that must fit `isize` (read/write counts are clamped by Linux to
    /// MAX_RW_COUNT; larger than isize is EINVAL for some calls).
    pub fn count(&self, i: usize) -> Result<usize, Errno> {
        isize::try_from(self.0[i]).map(|v| v as usize).map_err(|_| Errno::EINVAL)
    }
}
