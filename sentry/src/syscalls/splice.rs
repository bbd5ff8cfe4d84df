//! Moving data between files without a trip through guest memory: sendfile(2),
//! splice(2), tee(2), vmsplice(2) and copy_file_range(2).
//!
//! Linux moves page references; here the bytes go through a Sentry buffer, which
//! keeps the observable semantics (counts, offsets, which file positions move,
//! blocking and errors). A splice out of a pipe copies first and takes off the pipe
//! only what the other side accepted, so a failed write loses nothing.

use std::sync::Arc;

use sbx_abi::flags::{OpenFlags, S_IFDIR, S_IFMT, S_IFREG};
use sbx_abi::{Errno, SysResult};

use super::{sys, Syscall, SyscallArgs};
use crate::fs::inotify::{IN_ACCESS, IN_MODIFY};
use crate::fs::pipe::Pipe;
use crate::kernel::Task;
use crate::vfs::{FileDescription, HOST_POS};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_SENDFILE, sys_sendfile, "ddxu"),
    sys!(SYS_SPLICE, sys_splice, "dxdxux"),
    sys!(SYS_TEE, sys_tee, "ddux"),
    sys!(SYS_VMSPLICE, sys_vmsplice, "dxux"),
    sys!(SYS_COPY_FILE_RANGE, sys_copy_file_range, "dxdxux"),
];

/// Do not block on the pipe (nor on the other file where it can block).
const SPLICE_F_NONBLOCK: u32 = 2;
/// Every SPLICE_F_* flag (MOVE, NONBLOCK, MORE, GIFT); the others are hints.
const SPLICE_F_ALL: u32 = 0xf;
/// Largest count one call moves (MAX_RW_COUNT).
const MAX_RW_COUNT: usize = 0x7fff_f000;
/// Bounce-buffer size.
const CHUNK: usize = 1 << 20;
/// Most iovecs one vmsplice takes (UIO_MAXIOV).
const IOV_MAX: usize = 1024;

fn pipe_of(f: &FileDescription) -> Option<Arc<Pipe>> {
    f.ops.as_pipe().map(|e| e.pipe().clone())
}

fn nonblocking(f: &FileDescription) -> bool {
    f.flags().contains(OpenFlags::O_NONBLOCK)
}

fn readable(f: &FileDescription) -> bool {
    let fl = f.flags();
    fl.readable() && !fl.contains(OpenFlags::O_PATH)
}

fn writable(f: &FileDescription) -> bool {
    let fl = f.flags();
    fl.writable() && !fl.contains(OpenFlags::O_PATH)
}

fn file_type(f: &FileDescription) -> Result<u32, Errno> {
    Ok(f.stat()?.st_mode & S_IFMT)
}

/// Where a transfer starts in a file that is not a pipe: the caller's offset, the
/// description's position (Some), or the host fd's own position (None).
fn start_pos(f: &FileDescription, off: Option<i64>) -> Result<Option<u64>, Errno> {
    match off {
        Some(o) => u64::try_from(o).map(Some).map_err(|_| Errno::EINVAL),
        None if f.ops.host_position() || !f.ops.seekable() => Ok(None),
        None => Ok(Some(*f.pos())),
    }
}

/// Moves the description's position past what a transfer without a caller's
/// offset moved.
fn advance(f: &FileDescription, off: Option<i64>, start: Option<u64>, n: u64) {
    if let (None, Some(s)) = (off, start) {
        *f.pos() = s + n;
    }
}

/// Reads from a file that is not a pipe at `at` (None: where the file itself is).
fn file_read(t: &Task, f: &FileDescription, buf: &mut [u8], at: Option<u64>, nonblock: bool) -> Result<usize, Errno> {
    if !f.ops.seekable() {
        if let Some(r) = f.ops.read_blocking(t, buf, nonblock || nonblocking(f)) {
            return r;
        }
    }
    f.ops.read(f, buf, at.unwrap_or(HOST_POS))
}

/// Writes to a file that is not a pipe at `at` (None: where the file itself is).
fn file_write(t: &Task, f: &FileDescription, buf: &[u8], at: Option<u64>, nonblock: bool) -> Result<usize, Errno> {
    if !f.ops.seekable() {
        if let Some(r) = f.ops.write_blocking(t, buf, nonblock || nonblocking(f)) {
            return r;
        }
    }
    f.ops.write(f, buf, at.unwrap_or(HOST_POS))
}

/// EPIPE from a pipe without readers raises SIGPIPE, as write(2) does.
fn sigpipe<T>(t: &Task, r: Result<T, Errno>) -> Result<T, Errno> {
    if matches!(r, Err(Errno::EPIPE)) {
        let uid = t.creds.borrow().uid.0;
        let info = crate::kernel::signals::SignalInfo {
            signo: sbx_abi::flags::signal::SIGPIPE,
            pid: t.tgid,
            uid,
            ..Default::default()
        };
        crate::kernel::signals::queue(t, info);
    }
    r
}

/// Reports a transfer of `n` bytes to inotify: IN_ACCESS on the source, IN_MODIFY
/// on the destination.
fn notify(t: &Task, from: &FileDescription, to: &FileDescription, n: usize) {
    if n > 0 {
        t.kernel().notify.file_io(from, IN_ACCESS);
        t.kernel().notify.file_io(to, IN_MODIFY);
    }
}

/// Up to `len` bytes of a file into a pipe, at most what the pipe has room for.
fn file_to_pipe(
    t: &Task,
    from: &FileDescription,
    at: Option<u64>,
    pipe: &Pipe,
    len: usize,
    nonblock: bool,
) -> Result<usize, Errno> {
    let room = sigpipe(t, pipe.room_task(t, nonblock))?;
    let mut buf = vec![0u8; len.min(room).min(CHUNK)];
    let n = file_read(t, from, &mut buf, at, nonblock)?;
    if n == 0 {
        return Ok(0);
    }
    sigpipe(t, pipe.write_task(t, &buf[..n], false))
}

/// Up to `len` bytes of a pipe into a file; only what the file took leaves the pipe.
fn pipe_to_file(
    t: &Task,
    pipe: &Pipe,
    to: &FileDescription,
    at: Option<u64>,
    len: usize,
    nonblock: bool,
) -> Result<usize, Errno> {
    let mut buf = vec![0u8; len.min(CHUNK)];
    let n = pipe.read_task(t, &mut buf, nonblock, false)?;
    if n == 0 {
        return Ok(0);
    }
    let w = file_write(t, to, &buf[..n], at, nonblock)?;
    pipe.consume(w);
    Ok(w)
}

/// Up to `len` bytes from one pipe to another; `consume` takes them off the first
/// (splice) or leaves them (tee).
fn pipe_to_pipe(t: &Task, from: &Pipe, to: &Pipe, len: usize, nonblock: bool, consume: bool) -> Result<usize, Errno> {
    let mut buf = vec![0u8; len.min(CHUNK)];
    let n = from.read_task(t, &mut buf, nonblock, false)?;
    if n == 0 {
        return Ok(0);
    }
    let room = sigpipe(t, to.room_task(t, nonblock))?;
    let w = sigpipe(t, to.write_task(t, &buf[..n.min(room)], false))?;
    if consume {
        from.consume(w);
    }
    Ok(w)
}

/// Reads an `loff_t` argument, if its pointer is set.
fn offset_arg(t: &Task, addr: u64) -> Result<Option<i64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    Ok(Some(t.mm().copy_in::<i64>(addr)?))
}

/// Writes an `loff_t` back after a transfer that used it.
fn offset_out(t: &Task, addr: u64, v: u64) -> Result<(), Errno> {
    if addr != 0 {
        t.mm().copy_out(addr, &(v as i64))?;
    }
    Ok(())
}

/// sendfile(2): `count` bytes of `in_fd` (a regular file, unless the output is a
/// pipe) to `out_fd`, from `*offset` (which moves; the file position does not) or
/// from the file position (which moves).
pub fn sys_sendfile(t: &Task, a: &SyscallArgs) -> SysResult {
    let (out_fd, in_fd, off_addr, count) = (a.fd(0), a.fd(1), a.addr(2), a.usize(3));
    let off = offset_arg(t, off_addr)?;
    let fin = t.fds.get(in_fd)?;
    if !readable(&fin) {
        return Err(Errno::EBADF);
    }
    if off.is_some() && !fin.ops.seekable() {
        return Err(Errno::ESPIPE);
    }
    if off.is_some_and(|o| o < 0) {
        return Err(Errno::EINVAL);
    }
    let fout = t.fds.get(out_fd)?;
    if !writable(&fout) {
        return Err(Errno::EBADF);
    }
    if fout.flags().contains(OpenFlags::O_APPEND) {
        return Err(Errno::EINVAL);
    }
    let count = count.min(MAX_RW_COUNT);
    let in_type = file_type(&fin)?;
    let out_pipe = pipe_of(&fout);
    if pipe_of(&fin).is_some() || in_type == S_IFDIR || (out_pipe.is_none() && in_type != S_IFREG) {
        return Err(Errno::EINVAL);
    }
    let start = start_pos(&fin, off)?;
    let total = if let Some(p) = out_pipe {
        if count == 0 {
            0
        } else {
            file_to_pipe(t, &fin, start, &p, count, nonblocking(&fout))?
        }
    } else {
        let mut total = 0usize;
        let mut buf = vec![0u8; count.min(CHUNK)];
        while total < count {
            let want = (count - total).min(buf.len());
            let at = start.map(|s| s + total as u64);
            let n = match file_read(t, &fin, &mut buf[..want], at, false) {
                Ok(n) => n,
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            };
            if n == 0 {
                break;
            }
            let w = match out_write(t, &fout, &buf[..n]) {
                Ok(w) => w,
                Err(e) if total == 0 => return sigpipe(t, Err(e)),
                Err(_) => break,
            };
            total += w;
            if w < n {
                break;
            }
        }
        total
    };
    advance(&fin, off, start, total as u64);
    if let (Some(_), Some(s)) = (off, start) {
        offset_out(t, off_addr, s + total as u64)?;
    }
    notify(t, &fin, &fout, total);
    Ok(total as u64)
}

/// Writes at the output's own position (advancing it), for sendfile.
fn out_write(t: &Task, f: &FileDescription, buf: &[u8]) -> Result<usize, Errno> {
    match start_pos(f, None)? {
        Some(_) => {
            let mut pos = f.pos();
            let n = f.ops.write(f, buf, *pos)?;
            *pos += n as u64;
            Ok(n)
        }
        None => file_write(t, f, buf, None, false),
    }
}

/// splice(2): one side must be a pipe; the other may be any file, read or written
/// at `*off` (which moves) or at its position (which moves).
pub fn sys_splice(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd_in, off_in_addr, fd_out, off_out_addr, len, flags) =
        (a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.usize(4), a.u32(5));
    if len == 0 {
        return Ok(0);
    }
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let fin = t.fds.get(fd_in)?;
    let fout = t.fds.get(fd_out)?;
    let (ipipe, opipe) = (pipe_of(&fin), pipe_of(&fout));
    if (ipipe.is_some() && off_in_addr != 0) || (opipe.is_some() && off_out_addr != 0) {
        return Err(Errno::ESPIPE);
    }
    let off_out = offset_arg(t, off_out_addr)?;
    let off_in = offset_arg(t, off_in_addr)?;
    if !readable(&fin) || !writable(&fout) {
        return Err(Errno::EBADF);
    }
    let len = len.min(MAX_RW_COUNT);
    let mut nonblock = flags & SPLICE_F_NONBLOCK != 0;
    let n = match (ipipe, opipe) {
        (Some(ip), Some(op)) => {
            if Arc::ptr_eq(&ip, &op) {
                return Err(Errno::EINVAL);
            }
            nonblock |= nonblocking(&fin) || nonblocking(&fout);
            pipe_to_pipe(t, &ip, &op, len, nonblock, true)?
        }
        (Some(ip), None) => {
            if off_out.is_some() && !fout.ops.seekable() {
                return Err(Errno::EINVAL);
            }
            if fout.flags().contains(OpenFlags::O_APPEND) {
                return Err(Errno::EINVAL);
            }
            let start = start_pos(&fout, off_out)?;
            nonblock |= nonblocking(&fin);
            let n = pipe_to_file(t, &ip, &fout, start, len, nonblock)?;
            advance(&fout, off_out, start, n as u64);
            if let (Some(_), Some(s)) = (off_out, start) {
                offset_out(t, off_out_addr, s + n as u64)?;
            }
            n
        }
        (None, Some(op)) => {
            if off_in.is_some() && !fin.ops.seekable() {
                return Err(Errno::EINVAL);
            }
            if file_type(&fin)? == S_IFDIR {
                return Err(Errno::EINVAL);
            }
            let start = start_pos(&fin, off_in)?;
            nonblock |= nonblocking(&fout);
            let n = file_to_pipe(t, &fin, start, &op, len, nonblock)?;
            advance(&fin, off_in, start, n as u64);
            if let (Some(_), Some(s)) = (off_in, start) {
                offset_out(t, off_in_addr, s + n as u64)?;
            }
            n
        }
        (None, None) => return Err(Errno::EINVAL),
    };
    notify(t, &fin, &fout, n);
    Ok(n as u64)
}

/// tee(2): copies up to `len` bytes from one pipe to another without consuming them.
pub fn sys_tee(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd_in, fd_out, len, flags) = (a.fd(0), a.fd(1), a.usize(2), a.u32(3));
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let fin = t.fds.get(fd_in)?;
    let fout = t.fds.get(fd_out)?;
    if !readable(&fin) || !writable(&fout) {
        return Err(Errno::EBADF);
    }
    let (Some(ip), Some(op)) = (pipe_of(&fin), pipe_of(&fout)) else { return Err(Errno::EINVAL) };
    if Arc::ptr_eq(&ip, &op) {
        return Err(Errno::EINVAL);
    }
    let nonblock = flags & SPLICE_F_NONBLOCK != 0 || nonblocking(&fin) || nonblocking(&fout);
    let n = pipe_to_pipe(t, &ip, &op, len.min(MAX_RW_COUNT), nonblock, false)?;
    Ok(n as u64)
}

/// vmsplice(2): guest memory into a pipe (write end) or out of it (read end).
pub fn sys_vmsplice(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd, iov, nr, flags) = (a.fd(0), a.addr(1), a.usize(2), a.u32(3));
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let f = t.fds.get(fd)?;
    if nr > IOV_MAX {
        return Err(Errno::EINVAL);
    }
    let iovs = t.mm().read_iovecs(iov, nr)?;
    let pipe = pipe_of(&f).ok_or(Errno::EBADF)?;
    let nonblock = flags & SPLICE_F_NONBLOCK != 0 || nonblocking(&f);
    let total: usize = iovs.iter().fold(0usize, |s, v| s.saturating_add(v.iov_len as usize)).min(MAX_RW_COUNT);
    if total == 0 {
        return Ok(0);
    }
    let mm = t.mm();
    if writable(&f) {
        // Gather (at most 16 MiB a call, so a huge length cannot make us allocate it).
        let mut data = Vec::new();
        for v in &iovs {
            let want = (v.iov_len as usize).min((16 << 20) - data.len());
            let at = data.len();
            data.resize(at + want, 0);
            if let Err(e) = mm.copy_in_bytes(v.iov_base, &mut data[at..]) {
                if at == 0 {
                    return Err(e);
                }
                data.truncate(at);
                break;
            }
            if data.len() >= 16 << 20 {
                break;
            }
        }
        let n = sigpipe(t, pipe.write_task(t, &data, nonblock))?;
        return Ok(n as u64);
    }
    if !readable(&f) {
        return Err(Errno::EBADF);
    }
    let mut buf = vec![0u8; total.min(CHUNK)];
    let n = pipe.read_task(t, &mut buf, nonblock, false)?;
    let mut done = 0usize;
    for v in &iovs {
        if done == n {
            break;
        }
        let k = (v.iov_len as usize).min(n - done);
        if let Err(e) = mm.copy_out_bytes(v.iov_base, &buf[done..done + k]) {
            if done == 0 {
                return Err(e);
            }
            break;
        }
        done += k;
    }
    pipe.consume(done);
    Ok(done as u64)
}

/// Whether two files are on one file system (copy_file_range across file systems
/// is EXDEV since Linux 5.19 unless the file system itself supports it). The
/// overlay root is one file system whatever layer its files come from.
fn same_fs(a: &FileDescription, b: &FileDescription) -> Result<bool, Errno> {
    if a.stat()?.st_dev == b.stat()?.st_dev {
        return Ok(true);
    }
    let ovl = |f: &FileDescription| f.inode().is_some_and(|i| i.as_any().is::<crate::fs::overlay::Ovl>());
    Ok(ovl(a) && ovl(b))
}

/// copy_file_range(2): between two regular files, at `*off_in`/`*off_out` (which
/// move) or at the file positions (which move).
pub fn sys_copy_file_range(t: &Task, a: &SyscallArgs) -> SysResult {
    let (fd_in, off_in_addr, fd_out, off_out_addr, len, flags) =
        (a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.usize(4), a.u32(5));
    let fin = t.fds.get(fd_in)?;
    let fout = t.fds.get(fd_out)?;
    let off_in = offset_arg(t, off_in_addr)?;
    let off_out = offset_arg(t, off_out_addr)?;
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let (sin, sout) = (fin.stat()?, fout.stat()?);
    if sin.st_mode & S_IFMT == S_IFDIR || sout.st_mode & S_IFMT == S_IFDIR {
        return Err(Errno::EISDIR);
    }
    if sin.st_mode & S_IFMT != S_IFREG || sout.st_mode & S_IFMT != S_IFREG {
        return Err(Errno::EINVAL);
    }
    if !readable(&fin) || !writable(&fout) || fout.flags().contains(OpenFlags::O_APPEND) {
        return Err(Errno::EBADF);
    }
    // rw_verify_area: a negative offset is EOVERFLOW here.
    if off_in.is_some_and(|o| o < 0) || off_out.is_some_and(|o| o < 0) {
        return Err(Errno::EOVERFLOW);
    }
    let pos_in = start_pos(&fin, off_in)?;
    let pos_out = start_pos(&fout, off_out)?;
    let (pin, pout) = (pos_in.unwrap_or(0), pos_out.unwrap_or(0));
    let size = u64::try_from(sin.st_size).unwrap_or(0);
    let count = (len.min(MAX_RW_COUNT) as u64).min(size.saturating_sub(pin));
    if (sin.st_dev, sin.st_ino) == (sout.st_dev, sout.st_ino) && pout + count > pin && pout < pin + count {
        return Err(Errno::EINVAL);
    }
    if count == 0 {
        return Ok(0);
    }
    if !same_fs(&fin, &fout)? {
        return Err(Errno::EXDEV);
    }
    let count = count as usize;
    let mut total = 0usize;
    let mut buf = vec![0u8; count.min(CHUNK)];
    while total < count {
        let want = (count - total).min(buf.len());
        let n = match file_read(t, &fin, &mut buf[..want], pos_in.map(|p| p + total as u64), false) {
            Ok(n) => n,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        let w = match file_write(t, &fout, &buf[..n], pos_out.map(|p| p + total as u64), false) {
            Ok(w) => w,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        total += w;
        if w < n {
            break;
        }
    }
    advance(&fin, off_in, pos_in, total as u64);
    advance(&fout, off_out, pos_out, total as u64);
    if off_in.is_some() {
        offset_out(t, off_in_addr, pin + total as u64)?;
    }
    if off_out.is_some() {
        offset_out(t, off_out_addr, pout + total as u64)?;
    }
    notify(t, &fin, &fout, total);
    Ok(total as u64)
}

#[cfg(test)]
mod tests {
    use sbx_abi::flags::AT_FDCWD;
    use sbx_abi::sysno::*;
    use sbx_abi::Errno;

    use crate::kernel::testing::{TestKernel, SCRATCH};

    #[test]
    fn sendfile_splice_and_copy_move_the_right_positions() {
        let k = TestKernel::new();
        let open = |path: &str, off: u64| {
            let p = k.cstr(off, path);
            k.call(SYS_OPENAT, [AT_FDCWD as u64, p, 0o102, 0o644, 0, 0]).unwrap()
        };
        let a = open("/tmp/a", 0);
        let b = open("/tmp/b", 100);
        let data = k.cstr(200, "0123456789");
        k.call(SYS_WRITE, [a, data, 10, 0, 0, 0]).unwrap();
        // sendfile with an offset leaves the position alone and moves the offset.
        k.task.mm().copy_out(SCRATCH + 300, &2i64).unwrap();
        assert_eq!(k.call(SYS_SENDFILE, [b, a, SCRATCH + 300, 3, 0, 0]), Ok(3));
        assert_eq!(k.task.mm().copy_in::<i64>(SCRATCH + 300), Ok(5));
        assert_eq!(k.call(SYS_LSEEK, [a, 0, 1, 0, 0, 0]), Ok(10));
        // A file to a pipe and back.
        k.call(SYS_PIPE2, [SCRATCH + 400, 0, 0, 0, 0, 0]).unwrap();
        let fds: [i32; 2] = k.task.mm().copy_in(SCRATCH + 400).unwrap();
        let (r, w) = (fds[0] as u64, fds[1] as u64);
        k.task.mm().copy_out(SCRATCH + 300, &0i64).unwrap();
        assert_eq!(k.call(SYS_SPLICE, [a, SCRATCH + 300, w, 0, 4, 0]), Ok(4));
        assert_eq!(k.call(SYS_SPLICE, [r, 0, b, 0, 100, 0]), Ok(4));
        assert_eq!(k.call(SYS_SPLICE, [r, 0, b, 0, 100, 2]), Err(Errno::EAGAIN));
        assert_eq!(k.call(SYS_SPLICE, [a, 0, b, 0, 100, 0]), Err(Errno::EINVAL));
        // copy_file_range refuses overlapping ranges of one file.
        k.task.mm().copy_out(SCRATCH + 300, &[0i64, 2i64]).unwrap();
        assert_eq!(k.call(SYS_COPY_FILE_RANGE, [a, SCRATCH + 300, a, SCRATCH + 308, 4, 0]), Err(Errno::EINVAL));
        assert_eq!(k.call(SYS_COPY_FILE_RANGE, [a, 0, b, 0, 100, 0]), Ok(0));
        k.call(SYS_LSEEK, [a, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(k.call(SYS_COPY_FILE_RANGE, [a, 0, b, 0, 100, 0]), Ok(10));
        assert_eq!(k.call(SYS_LSEEK, [b, 0, 1, 0, 0, 0]), Ok(17));
    }
}
