//! Sockets: AF_UNIX stream socket pairs and the calls that move data on them.
//! socket(2), bind, connect and the inet families arrive with the networking issue;
//! until then socket(2) has no entry (ENOSYS).

use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::socket::{pair, UnixStream};
use crate::kernel::signals::{self, SignalInfo};
use crate::kernel::Task;
use crate::vfs::FileDescription;

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_SOCKETPAIR, sys_socketpair, "dddx", "AF_UNIX SOCK_STREAM only"),
    sys!(SYS_SENDTO, sys_sendto, "dbuxxu", "MSG_DONTWAIT and MSG_NOSIGNAL; other flags EOPNOTSUPP"),
    sys!(SYS_RECVFROM, sys_recvfrom, "drux", "MSG_DONTWAIT only; other flags EOPNOTSUPP"),
    sys!(SYS_SENDMSG, sys_sendmsg, "dxx", "no control messages (EOPNOTSUPP)"),
    sys!(SYS_RECVMSG, sys_recvmsg, "dxx", "no control messages are ever received"),
    sys!(SYS_SHUTDOWN, sys_shutdown, "dd"),
    sys!(SYS_GETSOCKNAME, sys_getsockname, "dxx"),
    sys!(SYS_GETPEERNAME, sys_getpeername, "dxx"),
    sys!(SYS_GETSOCKOPT, sys_getsockopt, "dddxx", "SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN"),
];

const AF_UNIX: i32 = 1;
const SOCK_STREAM: i32 = 1;
const SOCK_NONBLOCK: i32 = 0o4000;
const SOCK_CLOEXEC: i32 = 0o2000000;
const MSG_DONTWAIT: u32 = 0x40;
const MSG_NOSIGNAL: u32 = 0x4000;

/// socketpair(2).
pub fn sys_socketpair(t: &Task, a: &SyscallArgs) -> SysResult {
    let (domain, ty, proto, sv) = (a.i32(0), a.i32(1), a.i32(2), a.addr(3));
    const AF_INET: i32 = 2;
    const AF_INET6: i32 = 10;
    match domain {
        AF_UNIX => {}
        // Families that exist but have no socket pairs.
        AF_INET | AF_INET6 => return Err(Errno::EOPNOTSUPP),
        _ => return Err(Errno::EAFNOSUPPORT),
    }
    let kind = ty & !(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if kind != SOCK_STREAM {
        // SOCK_DGRAM and SOCK_SEQPACKET pairs arrive with the networking issue.
        return Err(Errno::EINVAL);
    }
    if proto != 0 {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let (x, y) = pair(t.kernel().next_ino(), t.kernel().next_ino());
    let mut fl = OpenFlags::O_RDWR;
    if ty & SOCK_NONBLOCK != 0 {
        fl |= OpenFlags::O_NONBLOCK;
    }
    let cloexec = ty & SOCK_CLOEXEC != 0;
    let fx = Arc::new(FileDescription::new(Box::new(x), fl, "socket:[unix]".into()));
    let fy = Arc::new(FileDescription::new(Box::new(y), fl, "socket:[unix]".into()));
    let a0 = t.fds.install(fx, cloexec)?;
    let a1 = match t.fds.install(fy, cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = t.fds.remove(a0);
            return Err(e);
        }
    };
    if let Err(e) = t.mm().copy_out(sv, &[a0, a1]) {
        let _ = t.fds.remove(a0);
        let _ = t.fds.remove(a1);
        return Err(e);
    }
    Ok(0)
}

fn socket_of(t: &Task, fd: i32) -> Result<Arc<FileDescription>, Errno> {
    let f = t.fds.get(fd)?;
    if f.ops.as_socket().is_none() {
        return Err(Errno::ENOTSOCK);
    }
    Ok(f)
}

fn sock(f: &FileDescription) -> Result<&UnixStream, Errno> {
    f.ops.as_socket().ok_or(Errno::ENOTSOCK)
}

fn nonblocking(f: &FileDescription, flags: u32) -> bool {
    flags & MSG_DONTWAIT != 0 || f.flags().contains(OpenFlags::O_NONBLOCK)
}

/// Sends `data`, raising SIGPIPE on EPIPE unless MSG_NOSIGNAL.
fn send(t: &Task, f: &FileDescription, data: &[u8], flags: u32) -> SysResult {
    if flags & !(MSG_DONTWAIT | MSG_NOSIGNAL) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let r = sock(f)?.send(t, data, nonblocking(f, flags));
    if r == Err(Errno::EPIPE) && flags & MSG_NOSIGNAL == 0 {
        let uid = t.creds.borrow().uid.0;
        signals::queue(
            t,
            SignalInfo { signo: sbx_abi::flags::signal::SIGPIPE, pid: t.tgid, uid, ..Default::default() },
        );
    }
    r.map(|n| n as u64)
}

fn recv(t: &Task, f: &FileDescription, len: usize, flags: u32) -> Result<Vec<u8>, Errno> {
    if flags & !MSG_DONTWAIT != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let mut buf = vec![0u8; len.min(1 << 20)];
    let n = sock(f)?.recv(t, &mut buf, nonblocking(f, flags))?;
    buf.truncate(n);
    Ok(buf)
}

/// sendto(2): the destination is ignored on a connected stream socket.
pub fn sys_sendto(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = socket_of(t, a.fd(0))?;
    let mut data = vec![0u8; a.usize(2).min(16 << 20)];
    t.mm().copy_in_bytes(a.addr(1), &mut data)?;
    send(t, &f, &data, a.u32(3))
}

/// recvfrom(2): a connected pair reports no source address (addrlen 0).
pub fn sys_recvfrom(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = socket_of(t, a.fd(0))?;
    let data = recv(t, &f, a.usize(2), a.u32(3))?;
    t.mm().copy_out_bytes(a.addr(1), &data)?;
    if a.addr(5) != 0 {
        t.mm().copy_out(a.addr(5), &0u32)?;
    }
    Ok(data.len() as u64)
}

/// `struct msghdr` fields we use: name, namelen, iov, iovlen, control, controllen, flags.
fn read_msghdr(t: &Task, addr: u64) -> Result<[u64; 7], Errno> {
    t.mm().copy_in(addr)
}

/// sendmsg(2).
pub fn sys_sendmsg(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = socket_of(t, a.fd(0))?;
    let m = read_msghdr(t, a.addr(1))?;
    if m[5] != 0 {
        // SCM_RIGHTS and credentials arrive with the networking issue.
        return Err(Errno::EOPNOTSUPP);
    }
    let iovs = t.mm().read_iovecs(m[2], m[3] as usize)?;
    // At most 16 MiB per call (a stream send may be partial).
    let mut data = Vec::new();
    for v in &iovs {
        let room = (16usize << 20) - data.len();
        let mut b = vec![0u8; (v.iov_len as usize).min(room)];
        t.mm().copy_in_bytes(v.iov_base, &mut b)?;
        data.extend_from_slice(&b);
        if data.len() >= 16 << 20 {
            break;
        }
    }
    send(t, &f, &data, a.u32(2))
}

/// recvmsg(2).
pub fn sys_recvmsg(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = socket_of(t, a.fd(0))?;
    let m = read_msghdr(t, a.addr(1))?;
    let iovs = t.mm().read_iovecs(m[2], m[3] as usize)?;
    let total: u64 = iovs.iter().map(|v| v.iov_len).sum();
    let data = recv(t, &f, total as usize, a.u32(2))?;
    let mut at = 0usize;
    for v in &iovs {
        if at >= data.len() {
            break;
        }
        let n = (v.iov_len as usize).min(data.len() - at);
        t.mm().copy_out_bytes(v.iov_base, &data[at..at + n])?;
        at += n;
    }
    // No name, no control data, no flags.
    let mut out = m;
    out[1] = 0;
    out[5] = 0;
    out[6] = 0;
    t.mm().copy_out(a.addr(1), &out)?;
    Ok(data.len() as u64)
}

/// shutdown(2).
pub fn sys_shutdown(t: &Task, a: &SyscallArgs) -> SysResult {
    let f = socket_of(t, a.fd(0))?;
    sock(&f)?.shutdown(a.i32(1))?;
    Ok(0)
}

/// Writes an unnamed AF_UNIX address (just the family) and its length.
fn unnamed(t: &Task, addr: u64, lenp: u64) -> SysResult {
    let len: u32 = t.mm().copy_in(lenp)?;
    if (len as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let fam = (AF_UNIX as u16).to_le_bytes();
    let n = (len as usize).min(2);
    t.mm().copy_out_bytes(addr, &fam[..n])?;
    t.mm().copy_out(lenp, &2u32)?;
    Ok(0)
}

/// getsockname(2): socket pairs are unnamed.
pub fn sys_getsockname(t: &Task, a: &SyscallArgs) -> SysResult {
    socket_of(t, a.fd(0))?;
    unnamed(t, a.addr(1), a.addr(2))
}

/// getpeername(2): the peer of a pair is unnamed too.
pub fn sys_getpeername(t: &Task, a: &SyscallArgs) -> SysResult {
    socket_of(t, a.fd(0))?;
    unnamed(t, a.addr(1), a.addr(2))
}

/// getsockopt(2) for SOL_SOCKET.
pub fn sys_getsockopt(t: &Task, a: &SyscallArgs) -> SysResult {
    const SOL_SOCKET: i32 = 1;
    const SO_TYPE: i32 = 3;
    const SO_ERROR: i32 = 4;
    const SO_ACCEPTCONN: i32 = 30;
    const SO_PROTOCOL: i32 = 38;
    const SO_DOMAIN: i32 = 39;
    socket_of(t, a.fd(0))?;
    if a.i32(1) != SOL_SOCKET {
        return Err(Errno::ENOPROTOOPT);
    }
    let v: i32 = match a.i32(2) {
        SO_TYPE => SOCK_STREAM,
        SO_ERROR | SO_ACCEPTCONN | SO_PROTOCOL => 0,
        SO_DOMAIN => AF_UNIX,
        _ => return Err(Errno::ENOPROTOOPT),
    };
    let len: u32 = t.mm().copy_in(a.addr(4))?;
    if (len as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let bytes = v.to_le_bytes();
    let n = (len as usize).min(4);
    t.mm().copy_out_bytes(a.addr(3), &bytes[..n])?;
    t.mm().copy_out(a.addr(4), &(n as u32))?;
    Ok(0)
}
