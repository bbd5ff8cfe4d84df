//! Process lifetime and per-thread state: exit, set_tid_address, robust lists,
//! arch_prctl, prctl.

use sbx_abi::flags::arch_prctl::*;
use sbx_abi::flags::{signal, OpenFlags, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use sbx_abi::{Errno, SysResult};

use super::fork::release_vfork_parent;
use super::{sys, Syscall, SyscallArgs};
use crate::kernel::{Task, TaskExit};
use crate::mm::MemoryManager;
use crate::{loader, vfs};
use std::sync::Arc;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_EXIT, sys_exit, "d"),
    sys!(SYS_EXIT_GROUP, sys_exit_group, "d"),
    sys!(SYS_SET_TID_ADDRESS, sys_set_tid_address, "x"),
    sys!(SYS_SET_ROBUST_LIST, sys_set_robust_list, "xu"),
    sys!(SYS_GET_ROBUST_LIST, sys_get_robust_list, "dxx"),
    sys!(SYS_ARCH_PRCTL, sys_arch_prctl, "xx", "ARCH_SET_CPUID returns EINVAL"),
    sys!(SYS_PRCTL, sys_prctl, "dxxxx", "only the options listed in sys_prctl"),
    sys!(SYS_EXECVE, sys_execve, "sxx", "single-threaded processes only"),
    sys!(SYS_EXECVEAT, sys_execveat, "dsxxx", "single-threaded processes only"),
];

/// exit(2): ends the calling thread; the process ends with its last thread.
pub fn sys_exit(t: &Task, a: &SyscallArgs) -> SysResult {
    t.local.exit.set(Some(TaskExit::Exited(a.i32(0) & 0xff)));
    Ok(0)
}

/// exit_group(2).
pub fn sys_exit_group(t: &Task, a: &SyscallArgs) -> SysResult {
    t.exit_group(TaskExit::Exited(a.i32(0) & 0xff));
    Ok(0)
}

/// set_tid_address(2).
pub fn sys_set_tid_address(t: &Task, a: &SyscallArgs) -> SysResult {
    t.local.clear_child_tid.set(a.addr(0));
    Ok(t.vpid(t.tid()) as u64)
}

/// set_robust_list(2).
pub fn sys_set_robust_list(t: &Task, a: &SyscallArgs) -> SysResult {
    // sizeof(struct robust_list_head)
    if a.usize(1) != 24 {
        return Err(Errno::EINVAL);
    }
    t.local.robust_list.set((a.addr(0), a.u64(1)));
    Ok(0)
}

/// get_robust_list(2): the caller's own list only, for now.
pub fn sys_get_robust_list(t: &Task, a: &SyscallArgs) -> SysResult {
    let pid = a.i32(0);
    if pid != 0 && pid != t.vpid(t.tid()) {
        return Err(Errno::ESRCH);
    }
    let (head, len) = t.local.robust_list.get();
    t.mm().copy_out(a.addr(1), &head)?;
    t.mm().copy_out(a.addr(2), &len)?;
    Ok(0)
}

/// Highest canonical user address + 1 (TASK_SIZE_MAX).
const TASK_SIZE_MAX: u64 = 0x7fff_ffff_f000;

/// arch_prctl(2).
pub fn sys_arch_prctl(t: &Task, a: &SyscallArgs) -> SysResult {
    let (code, addr) = (a.u64(0), a.u64(1));
    match code {
        ARCH_SET_FS | ARCH_SET_GS => {
            if addr >= TASK_SIZE_MAX {
                return Err(Errno::EPERM);
            }
            let mut r = t.regs.borrow_mut();
            if code == ARCH_SET_FS {
                r.0.fs_base = addr;
            } else {
                r.0.gs_base = addr;
            }
            Ok(0)
        }
        ARCH_GET_FS | ARCH_GET_GS => {
            let r = *t.regs.borrow();
            let v = if code == ARCH_GET_FS { r.0.fs_base } else { r.0.gs_base };
            t.mm().copy_out(addr, &v)?;
            Ok(0)
        }
        // CPUID is not faulting: the guest executes it natively.
        ARCH_GET_CPUID => Ok(1),
        _ => Err(Errno::EINVAL),
    }
}

/// prctl(2), the options programs commonly use.
pub fn sys_prctl(t: &Task, a: &SyscallArgs) -> SysResult {
    const PR_SET_PDEATHSIG: i32 = 1;
    const PR_GET_PDEATHSIG: i32 = 2;
    const PR_GET_DUMPABLE: i32 = 3;
    const PR_SET_DUMPABLE: i32 = 4;
    const PR_SET_NAME: i32 = 15;
    const PR_GET_NAME: i32 = 16;
    const PR_CAPBSET_READ: i32 = 23;
    const PR_SET_NO_NEW_PRIVS: i32 = 38;
    const PR_GET_NO_NEW_PRIVS: i32 = 39;
    const CAP_LAST_CAP: u64 = 40;
    const PR_SET_CHILD_SUBREAPER: i32 = 36;
    const PR_GET_CHILD_SUBREAPER: i32 = 37;
    match a.i32(0) {
        PR_SET_NAME => {
            let mut name = [0u8; 16];
            // Linux copies up to 16 bytes and terminates at the first NUL.
            let mm = t.mm();
            let mut n = 0;
            while n < 15 {
                let b: u8 = mm.copy_in(a.addr(1) + n as u64)?;
                if b == 0 {
                    break;
                }
                name[n] = b;
                n += 1;
            }
            t.set_comm(&name[..n]);
            Ok(0)
        }
        PR_GET_NAME => {
            let mut name = [0u8; 16];
            let comm = t.local.comm.borrow();
            name[..comm.len().min(15)].copy_from_slice(&comm[..comm.len().min(15)]);
            t.mm().copy_out_bytes(a.addr(1), &name)?;
            Ok(0)
        }
        PR_SET_PDEATHSIG => {
            let sig = a.u64(1);
            if sig > 64 {
                return Err(Errno::EINVAL);
            }
            // The sandbox's first process has no parent inside the sandbox to outlive.
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            t.mm().copy_out(a.addr(1), &0i32)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(1),
        PR_SET_DUMPABLE => match a.u64(1) {
            0 | 1 => Ok(0),
            _ => Err(Errno::EINVAL),
        },
        PR_CAPBSET_READ => {
            if a.u64(1) > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            Ok(1)
        }
        PR_SET_NO_NEW_PRIVS => {
            if a.u64(1) != 1 || a.u64(2) != 0 || a.u64(3) != 0 || a.u64(4) != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => Ok(0),
        PR_SET_CHILD_SUBREAPER => {
            t.tg.lock().subreaper = a.u64(1) != 0;
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let v = i32::from(t.tg.lock().subreaper);
            t.mm().copy_out(a.addr(1), &v)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Longest path accepted (PATH_MAX, including the NUL).
const PATH_MAX: usize = 4096;

/// execve(2).
pub fn sys_execve(t: &Task, a: &SyscallArgs) -> SysResult {
    let mm = t.mm();
    let path = mm.read_cstr(a.addr(0), PATH_MAX)?;
    let argv = mm.read_cstr_array(a.addr(1), loader::MAX_ARG_BYTES)?;
    let envp = mm.read_cstr_array(a.addr(2), loader::MAX_ARG_BYTES)?;
    do_execve(t, &path, None, argv, envp)
}

/// execveat(2).
pub fn sys_execveat(t: &Task, a: &SyscallArgs) -> SysResult {
    let (dirfd, flags) = (a.fd(0), a.u32(4));
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let mm = t.mm();
    let path = mm.read_cstr(a.addr(1), PATH_MAX)?;
    let argv = mm.read_cstr_array(a.addr(2), loader::MAX_ARG_BYTES)?;
    let envp = mm.read_cstr_array(a.addr(3), loader::MAX_ARG_BYTES)?;
    let nofollow = flags & AT_SYMLINK_NOFOLLOW != 0;
    let file = if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        Some(t.fds.get(dirfd)?)
    } else if (dirfd != AT_FDCWD && !path.starts_with(b"/")) || nofollow {
        let oflags = if nofollow { OpenFlags::O_NOFOLLOW } else { OpenFlags::empty() };
        Some(vfs::open_at(t, dirfd, &path, oflags, 0)?)
    } else {
        None
    };
    // The name the new program sees as AT_EXECFN: "/dev/fd/N" for a bare fd.
    let name = if path.is_empty() { format!("/dev/fd/{dirfd}").into_bytes() } else { path.clone() };
    do_execve(t, &name, file, argv, envp)
}

/// Replaces the calling process's image. Errors before the point of no return go
/// back to the caller; a failure while building the new image kills it (as in Linux).
fn do_execve(
    t: &Task,
    path: &[u8],
    file: Option<Arc<vfs::FileDescription>>,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> SysResult {
    let prepared = loader::prepare(t, path, file, argv, envp)?;
    // Point of no return. The other threads of the process end first (de_thread),
    // and a non-leader thread takes the leader's place and id.
    t.tg.kill_other_threads(t.tid());
    t.become_leader();
    // Point of no return: the new image gets a new address space (a vfork parent
    // keeps the old one), and the stub drops every old mapping before it runs again.
    let mm = Arc::new(MemoryManager::new(t.kernel().pool.clone()));
    let loaded = match loader::commit(t, &mm, prepared) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("execve failed after the point of no return ({e}); killing the process");
            t.exit_group(TaskExit::Signaled(signal::SIGSEGV));
            return Ok(0);
        }
    };
    t.set_mm(mm);
    t.local.mm_synced.set(Some(0));
    t.tg.lock().did_exec = true;
    release_vfork_parent(t);
    loaded.install(t, path);
    t.local.regs_replaced.set(true);
    t.fds.close_on_exec();
    // Handled signals go back to their default action; ignored ones stay ignored.
    for act in t.tg.actions().iter_mut() {
        if act.handler != signal::SIG_IGN {
            *act = Default::default();
        }
    }
    t.local.sigaltstack.set((0, 2, 0));
    t.local.clear_child_tid.set(0);
    t.local.robust_list.set((0, 0));
    Ok(0)
}
