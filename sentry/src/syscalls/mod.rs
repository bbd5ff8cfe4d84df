//! The system call table and dispatcher. One file per family; each exports its
//! entries as `SYSCALLS`, and [`table`] indexes them by number once.
//!
//! Handlers are `fn(&Task, &SyscallArgs) -> SysResult`; they decode their arguments,
//! then do the work. A number without an entry returns ENOSYS and is logged once by
//! name per kernel.

mod args;
mod creds;
mod file;
pub mod fork;
mod fsops;
mod futex;
mod misc;
mod mm;
mod nodes;
mod notify;
mod ns;
mod poll;
mod process;
mod signal;
mod socket;
mod splice;
pub mod strace;

use std::sync::LazyLock;

use sbx_abi::{sysno, Errno, SysResult};

pub use args::SyscallArgs;
pub use misc::{apply_affinity, num_cpus, RELEASE};

use crate::kernel::Task;

/// A syscall handler.
pub type Handler = fn(&Task, &SyscallArgs) -> SysResult;

/// How complete an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// As Linux does it.
    Full,
    /// Some flags or cases return EINVAL/ENOSYS; the note says which.
    Partial(&'static str),
}

/// One table entry.
pub struct Syscall {
    /// Number.
    pub nr: u64,
    /// Handler.
    pub handler: Handler,
    /// Argument formats for `--strace`, one char each: `d` signed, `u` unsigned, `x`
    /// hex, `s` C string, `o` octal mode, `b` buffer written by the guest (length in
    /// the next argument), `r` buffer filled by the kernel (length = result), `-` skip.
    pub fmt: &'static str,
    /// Completeness.
    pub support: Support,
}

/// Shorthand for a fully supported entry.
macro_rules! sys {
    ($nr:ident, $h:expr, $fmt:expr) => {
        $crate::syscalls::Syscall {
            nr: sbx_abi::sysno::$nr,
            handler: $h,
            fmt: $fmt,
            support: $crate::syscalls::Support::Full,
        }
    };
    ($nr:ident, $h:expr, $fmt:expr, $note:expr) => {
        $crate::syscalls::Syscall {
            nr: sbx_abi::sysno::$nr,
            handler: $h,
            fmt: $fmt,
            support: $crate::syscalls::Support::Partial($note),
        }
    };
}
#[allow(unused_imports)]
pub(crate) use sys;

/// Every family's entries.
fn families() -> impl Iterator<Item = &'static Syscall> {
    #[rustfmt::skip]
    let all: &[&'static [Syscall]] = &[
        creds::SYSCALLS,
        file::SYSCALLS,
        fsops::SYSCALLS,
        fork::SYSCALLS,
        futex::SYSCALLS,
        mm::SYSCALLS,
        nodes::SYSCALLS,
        notify::SYSCALLS,
        ns::SYSCALLS,
        poll::SYSCALLS,
        misc::SYSCALLS,
        process::SYSCALLS,
        signal::SYSCALLS,
        socket::SYSCALLS,
        splice::SYSCALLS,
    ];
    all.iter().copied().flatten()
}

/// The table: number → entry. Immutable after first use.
pub fn table() -> &'static [Option<&'static Syscall>] {
    static TABLE: LazyLock<Vec<Option<&'static Syscall>>> = LazyLock::new(|| {
        let mut t = vec![None; sysno::MAX as usize + 1];
        for s in families() {
            assert!(t[s.nr as usize].is_none(), "duplicate syscall entry {}", s.nr);
            t[s.nr as usize] = Some(s);
        }
        t
    });
    &TABLE
}

/// The name of syscall `nr` for messages.
pub fn name(nr: u64) -> &'static str {
    sysno::name(nr).unwrap_or("unknown")
}

/// Runs syscall `nr` for `t`.
pub fn dispatch(t: &Task, nr: u64, args: &SyscallArgs) -> SysResult {
    match table().get(nr as usize).copied().flatten() {
        Some(s) => (s.handler)(t, args),
        None => {
            if t.kernel().first_report(nr) {
                tracing::warn!("unimplemented syscall {} ({nr}) returns ENOSYS", name(nr));
            }
            Err(Errno::ENOSYS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_builds_without_duplicates() {
        let t = table();
        assert_eq!(t.len(), sysno::MAX as usize + 1);
    }
}
