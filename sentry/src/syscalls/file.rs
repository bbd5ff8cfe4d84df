//! File syscalls: open, read, write, stat, directories, fds.

use super::Syscall;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[];
