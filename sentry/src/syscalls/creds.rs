//! Credentials: the set*id family, supplementary groups and capabilities, with the
//! permission rules of credentials(7) and capabilities(7).

use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::{Task, ALL_CAPS, CAP_SETGID, CAP_SETUID};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_SETUID, sys_setuid, "d"),
    sys!(SYS_SETGID, sys_setgid, "d"),
    sys!(SYS_SETREUID, sys_setreuid, "dd"),
    sys!(SYS_SETREGID, sys_setregid, "dd"),
    sys!(SYS_SETRESUID, sys_setresuid, "ddd"),
    sys!(SYS_SETRESGID, sys_setresgid, "ddd"),
    sys!(SYS_SETFSUID, sys_setfsuid, "d", "the file-system ids follow the effective ids"),
    sys!(SYS_SETFSGID, sys_setfsgid, "d", "the file-system ids follow the effective ids"),
    sys!(SYS_SETGROUPS, sys_setgroups, "dx"),
    sys!(SYS_CAPGET, sys_capget, "xx"),
    sys!(SYS_CAPSET, sys_capset, "xx"),
];

const UNCHANGED: u32 = u32::MAX;

/// setresuid/setresgid: each new id (or -1) must be a current one unless privileged.
fn set_res(ids: (u32, u32, u32), new: [u32; 3], privileged: bool) -> Result<(u32, u32, u32), Errno> {
    let cur = [ids.0, ids.1, ids.2];
    if !privileged && new.iter().any(|&n| n != UNCHANGED && !cur.contains(&n)) {
        return Err(Errno::EPERM);
    }
    let pick = |n: u32, c: u32| if n == UNCHANGED { c } else { n };
    Ok((pick(new[0], ids.0), pick(new[1], ids.1), pick(new[2], ids.2)))
}

/// setreuid/setregid (setreuid(2)): real may become the real or effective id, the
/// effective any of the three; the saved id follows the new effective id when the
/// real id is set or the effective one changes to something else than the old real.
fn set_re(ids: (u32, u32, u32), r: u32, e: u32, privileged: bool) -> Result<(u32, u32, u32), Errno> {
    if !privileged {
        if r != UNCHANGED && r != ids.0 && r != ids.1 {
            return Err(Errno::EPERM);
        }
        if e != UNCHANGED && e != ids.0 && e != ids.1 && e != ids.2 {
            return Err(Errno::EPERM);
        }
    }
    let nr = if r == UNCHANGED { ids.0 } else { r };
    let ne = if e == UNCHANGED { ids.1 } else { e };
    let ns = if r != UNCHANGED || (e != UNCHANGED && e != ids.0) { ne } else { ids.2 };
    Ok((nr, ne, ns))
}

/// setuid/setgid: privileged sets all three, else only the effective id, to the
/// real or saved one.
fn set_one(ids: (u32, u32, u32), v: u32, privileged: bool) -> Result<(u32, u32, u32), Errno> {
    if v == UNCHANGED {
        return Err(Errno::EINVAL);
    }
    if privileged {
        Ok((v, v, v))
    } else if v == ids.0 || v == ids.2 {
        Ok((ids.0, v, ids.2))
    } else {
        Err(Errno::EPERM)
    }
}

fn change_uid(t: &Task, f: impl FnOnce((u32, u32, u32), bool) -> Result<(u32, u32, u32), Errno>) -> SysResult {
    let mut c = t.creds.borrow_mut();
    let old = c.uid;
    c.uid = f(old, c.capable(CAP_SETUID))?;
    c.fix_caps_after_setuid(old);
    Ok(0)
}

fn change_gid(t: &Task, f: impl FnOnce((u32, u32, u32), bool) -> Result<(u32, u32, u32), Errno>) -> SysResult {
    let mut c = t.creds.borrow_mut();
    c.gid = f(c.gid, c.capable(CAP_SETGID))?;
    Ok(0)
}

/// setuid(2).
pub fn sys_setuid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_uid(t, |ids, p| set_one(ids, a.u32(0), p))
}

/// setgid(2).
pub fn sys_setgid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_gid(t, |ids, p| set_one(ids, a.u32(0), p))
}

/// setreuid(2).
pub fn sys_setreuid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_uid(t, |ids, p| set_re(ids, a.u32(0), a.u32(1), p))
}

/// setregid(2).
pub fn sys_setregid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_gid(t, |ids, p| set_re(ids, a.u32(0), a.u32(1), p))
}

/// setresuid(2).
pub fn sys_setresuid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_uid(t, |ids, p| set_res(ids, [a.u32(0), a.u32(1), a.u32(2)], p))
}

/// setresgid(2).
pub fn sys_setresgid(t: &Task, a: &SyscallArgs) -> SysResult {
    change_gid(t, |ids, p| set_res(ids, [a.u32(0), a.u32(1), a.u32(2)], p))
}

/// setfsuid(2): returns the old file-system uid (the effective uid); changing it is
/// allowed where setresuid would allow the effective id, and sets the effective id.
pub fn sys_setfsuid(t: &Task, a: &SyscallArgs) -> SysResult {
    let old = t.creds.borrow().uid.1;
    let v = a.u32(0);
    if v != UNCHANGED {
        let _ = change_uid(t, |ids, p| set_res(ids, [UNCHANGED, v, UNCHANGED], p));
    }
    Ok(u64::from(old))
}

/// setfsgid(2).
pub fn sys_setfsgid(t: &Task, a: &SyscallArgs) -> SysResult {
    let old = t.creds.borrow().gid.1;
    let v = a.u32(0);
    if v != UNCHANGED {
        let _ = change_gid(t, |ids, p| set_res(ids, [UNCHANGED, v, UNCHANGED], p));
    }
    Ok(u64::from(old))
}

/// setgroups(2).
pub fn sys_setgroups(t: &Task, a: &SyscallArgs) -> SysResult {
    let n = a.i32(0);
    if !(0..=65536).contains(&n) {
        return Err(Errno::EINVAL);
    }
    if !t.creds.borrow().capable(CAP_SETGID) {
        return Err(Errno::EPERM);
    }
    let mut raw = vec![0u8; n as usize * 4];
    t.mm().copy_in_bytes(a.addr(1), &mut raw)?;
    t.creds.borrow_mut().groups = raw.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Ok(0)
}

const CAP_V1: u32 = 0x1998_0330;
const CAP_V2: u32 = 0x2007_1026;
const CAP_V3: u32 = 0x2008_0522;

/// Reads the header; an unknown version gets the preferred one written back and
/// EINVAL (capget(2)).
fn cap_header(t: &Task, addr: u64) -> Result<(u32, i32), Errno> {
    let [version, pid]: [u32; 2] = t.mm().copy_in(addr)?;
    match version {
        CAP_V1 | CAP_V2 | CAP_V3 => {}
        _ => {
            t.mm().copy_out(addr, &CAP_V3)?;
            return Err(Errno::EINVAL);
        }
    }
    let pid = pid as i32;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid != 0 && pid != t.vpid(t.tid()) {
        return Err(Errno::ESRCH);
    }
    Ok((version, pid))
}

/// capget(2): the caller's own capability sets.
pub fn sys_capget(t: &Task, a: &SyscallArgs) -> SysResult {
    let (version, _) = cap_header(t, a.addr(0))?;
    if a.addr(1) == 0 {
        return Ok(0);
    }
    let (e, p, i) = t.creds.borrow().caps;
    // struct __user_cap_data_struct { u32 effective, permitted, inheritable; } × 1 or 2
    let words = if version == CAP_V1 { 1 } else { 2 };
    let mut out = Vec::new();
    for w in 0..words {
        for set in [e, p, i] {
            out.extend_from_slice(&((set >> (32 * w)) as u32).to_le_bytes());
        }
    }
    t.mm().copy_out_bytes(a.addr(1), &out)?;
    Ok(0)
}

/// capset(2): the new sets must stay within what is permitted (and inheritable
/// within permitted); capabilities can be dropped, never gained.
pub fn sys_capset(t: &Task, a: &SyscallArgs) -> SysResult {
    let (version, _) = cap_header(t, a.addr(0))?;
    let words = if version == CAP_V1 { 1 } else { 2 };
    let mut raw = vec![0u8; 12 * words];
    t.mm().copy_in_bytes(a.addr(1), &mut raw)?;
    let word = |i: usize| u64::from(u32::from_le_bytes([raw[4 * i], raw[4 * i + 1], raw[4 * i + 2], raw[4 * i + 3]]));
    let (mut e, mut p, mut inh) = (word(0), word(1), word(2));
    if words == 2 {
        e |= word(3) << 32;
        p |= word(4) << 32;
        inh |= word(5) << 32;
    }
    let mut c = t.creds.borrow_mut();
    let (_, cur_p, _) = c.caps;
    if p & !cur_p != 0 || e & !p != 0 || inh & !(cur_p | c.caps.2) != 0 {
        return Err(Errno::EPERM);
    }
    c.caps = (e & ALL_CAPS, p & ALL_CAPS, inh & ALL_CAPS);
    Ok(0)
}
