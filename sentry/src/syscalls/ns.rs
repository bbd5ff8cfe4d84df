//! Namespaces: unshare(2) and setns(2).
//!
//! Following the Kernel-as-components design, a task that unshares a namespace is
//! rebound to a new [`Kernel`](crate::kernel::Kernel) that shares every component
//! with the old one but the unshared one (UTS, mounts). PID namespaces are the
//! exception Linux makes too: unsharing one only decides where the caller's
//! *children* go (see [`crate::kernel::pidns`]).

use std::sync::Arc;

use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::pidns::PidNs;
use crate::kernel::{Task, CAP_SYS_ADMIN};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(
        SYS_UNSHARE,
        sys_unshare,
        "x",
        "CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWTIME, and CLONE_FILES/CLONE_FS of a shared table: EINVAL"
    ),
    sys!(SYS_SETNS, sys_setns, "dx", "no namespace files exist yet: every fd is EINVAL"),
];

const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_NEWNS: u64 = 0x20000;
const CLONE_SYSVSEM: u64 = 0x40000;
const CLONE_NEWCGROUP: u64 = 0x0200_0000;
const CLONE_NEWUTS: u64 = 0x0400_0000;
const CLONE_NEWIPC: u64 = 0x0800_0000;
const CLONE_NEWPID: u64 = 0x2000_0000;

/// Every flag unshare(2) knows; the ones not in `DONE` give EINVAL here.
const KNOWN: u64 = CLONE_VM
    | CLONE_FS
    | CLONE_FILES
    | CLONE_SIGHAND
    | CLONE_THREAD
    | CLONE_NEWNS
    | CLONE_SYSVSEM
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWPID;

/// unshare(2).
pub fn sys_unshare(t: &Task, a: &SyscallArgs) -> SysResult {
    let mut flags = a.u64(0);
    if flags & !KNOWN != 0 {
        // CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWTIME and unknown bits.
        return Err(Errno::EINVAL);
    }
    // A new mount namespace implies a private fs context.
    if flags & CLONE_NEWNS != 0 {
        flags |= CLONE_FS;
    }
    // Threads, handlers and the address space can be "unshared" only when nothing
    // shares them: a single-threaded process.
    if flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) != 0 && t.tg.lock().threads.len() > 1 {
        return Err(Errno::EINVAL);
    }
    // Private fd tables and fs contexts are already private unless CLONE_FILES or
    // CLONE_FS shared them; splitting a shared one is not offered yet.
    if flags & CLONE_FILES != 0 && Arc::strong_count(&t.fds) > 1 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_FS != 0 && Arc::strong_count(&t.fs) > 1 {
        return Err(Errno::EINVAL);
    }
    let new_ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP;
    if flags & new_ns != 0 && !t.creds.borrow().capable(CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    // Check everything before changing anything.
    if flags & CLONE_NEWPID != 0 && t.local.pidns_for_children.borrow().is_some() {
        return Err(Errno::EINVAL);
    }
    let pidns = if flags & CLONE_NEWPID != 0 { Some(PidNs::child(t.pidns(), t.kernel().next_ino())?) } else { None };
    let mut k = (*t.kernel()).clone();
    if flags & CLONE_NEWUTS != 0 {
        k = k.with_new_uts();
    }
    if flags & CLONE_NEWNS != 0 {
        k = k.with_new_mounts();
    }
    // CLONE_NEWIPC and CLONE_NEWCGROUP: the sandbox has no System V IPC objects, POSIX
    // message queues or cgroup hierarchy to separate, so the new namespaces are the
    // (empty) same. CLONE_SYSVSEM: no semaphore undo lists exist.
    if flags & (CLONE_NEWUTS | CLONE_NEWNS) != 0 {
        t.set_kernel(Arc::new(k));
    }
    if let Some(ns) = pidns {
        *t.local.pidns_for_children.borrow_mut() = Some(ns);
    }
    Ok(0)
}

/// setns(2): namespaces are not exposed as files yet, so no fd names one.
pub fn sys_setns(t: &Task, a: &SyscallArgs) -> SysResult {
    t.fds.get(a.fd(0))?;
    Err(Errno::EINVAL)
}
