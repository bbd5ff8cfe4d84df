//! mm syscalls.

use super::Syscall;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[];
