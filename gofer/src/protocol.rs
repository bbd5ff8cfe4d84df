//! Wire format of the Gofer protocol.
//!
//! The transport is a Unix `SOCK_SEQPACKET` socketpair, so every message is one datagram and
//! needs no framing. The client sends one request and waits for its reply before the next one
//! (the [`crate::GoferClient`] holds a lock across the exchange).
//!
//! Every message starts with a 12-byte header, all integers little-endian:
//!
//! | bytes | request            | reply                        |
//! |-------|--------------------|------------------------------|
//! | 0..2  | version ([`VERSION`]) | version                   |
//! | 2..4  | opcode ([`Op`])    | the request's opcode         |
//! | 4..8  | tag (any u32)      | the request's tag            |
//! | 8..12 | reserved, 0        | errno: 0 = success, else a Linux errno and no payload |
//!
//! Payloads are sequences of `u8`/`u32`/`u64` fields and byte strings (`u32` length, then the
//! bytes); see the `Op` variants. A payload must be consumed exactly: trailing bytes are an
//! error. Replies to [`Op::Open`] and [`Op::Create`] carry one host fd (SCM_RIGHTS).
//!
//! The server treats the client as untrusted: every field is decoded with bounds checks
//! ([`Reader`]), and anything malformed is answered with EINVAL (EBADF for an unknown node id),
//! never with a crash.

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendAncillaryMessage,
    SendFlags,
};
use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;
use zerocopy::{FromBytes, IntoBytes};

/// Protocol version; a server answers a request of another version with EPROTONOSUPPORT.
pub const VERSION: u16 = 1;

/// Header length in bytes.
pub const HEADER_LEN: usize = 12;

/// Largest message either side sends or accepts. Longer datagrams are truncated by the
/// kernel, detected (MSG_TRUNC) and answered with EINVAL.
pub const MAX_MSG: usize = 64 * 1024;

/// Longest file name component (Linux NAME_MAX).
pub const NAME_MAX: usize = 255;

/// Longest symlink target (Linux PATH_MAX, including the NUL we never send).
pub const PATH_MAX: usize = 4096;

/// Request opcodes. Each is analogous to a Linux syscall on a node id instead of a path.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `()` → `NodeInfo`: a new node id for the served root.
    Root = 1,
    /// `(dir: u64, name: bytes)` → `NodeInfo`; analogous to `openat(dir, name, O_PATH|O_NOFOLLOW)`.
    Walk = 2,
    /// `(node: u64)` → `Stat`; analogous to `fstat(2)` (lstat semantics).
    Stat = 3,
    /// `(node: u64, flags: u32)` → `()` + fd; analogous to `open(2)` on a regular file.
    Open = 4,
    /// `(dir: u64, index: u64)` → `(more: u8, count: u32, count × (ino: u64, d_type: u8, name: bytes))`,
    /// entries from `index` on; index 0 re-reads the directory. Analogous to `getdents64(2)`.
    Readdir = 5,
    /// `(node: u64)` → `(target: bytes)`; analogous to `readlinkat(2)`.
    Readlink = 6,
    /// `(node: u64)` → `()`: forgets the node id.
    Close = 7,
    /// `(dir: u64, name: bytes, flags: u32, mode: u32)` → `NodeInfo` + fd; analogous to
    /// `openat(dir, name, O_CREAT|flags, mode)`.
    Create = 8,
    /// `(dir: u64, name: bytes, mode: u32)` → `NodeInfo`; analogous to `mkdirat(2)`.
    Mkdir = 9,
    /// `(dir: u64, name: bytes, removedir: u8)` → `()`; analogous to `unlinkat(2)`.
    Unlink = 10,
    /// `(olddir: u64, oldname: bytes, newdir: u64, newname: bytes)` → `()`; analogous to `renameat(2)`.
    Rename = 11,
    /// `(dir: u64, name: bytes, target: bytes)` → `NodeInfo`; analogous to `symlinkat(2)`.
    Symlink = 12,
    /// `(dir: u64, name: bytes, target: u64)` → `NodeInfo`; analogous to `linkat(2)`.
    Link = 13,
    /// `(node: u64, SetAttr)` → `()`; analogous to chmod/chown/truncate/utimensat.
    Setattr = 14,
    /// `(node: u64)` → `Statfs`; analogous to `fstatfs(2)`.
    Statfs = 15,
}

impl Op {
    /// Decodes an opcode; `None` for unknown values.
    pub fn from_u16(v: u16) -> Option<Op> {
        use Op::*;
        Some(match v {
            1 => Root,
            2 => Walk,
            3 => Stat,
            4 => Open,
            5 => Readdir,
            6 => Readlink,
            7 => Close,
            8 => Create,
            9 => Mkdir,
            10 => Unlink,
            11 => Rename,
            12 => Symlink,
            13 => Link,
            14 => Setattr,
            15 => Statfs,
            _ => return None,
        })
    }
}

/// A decoded message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Protocol version.
    pub version: u16,
    /// Raw opcode (validated separately, so an unknown one can still be echoed).
    pub op: u16,
    /// Request tag, echoed in the reply.
    pub tag: u32,
    /// 0 in requests; the errno in replies.
    pub errno: i32,
}

impl Header {
    /// Splits a message into its header and payload.
    ///
    /// # Errors
    /// EINVAL if the message is shorter than the header.
    pub fn decode(msg: &[u8]) -> Result<(Header, &[u8]), Errno> {
        let mut r = Reader::new(msg);
        let h = Header { version: r.u16()?, op: r.u16()?, tag: r.u32()?, errno: r.u32()? as i32 };
        Ok((h, r.rest()))
    }

    /// Appends the encoded header to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.op.to_le_bytes());
        out.extend_from_slice(&self.tag.to_le_bytes());
        out.extend_from_slice(&self.errno.to_le_bytes());
    }
}

/// Bounds-checked little-endian decoder over an untrusted payload. Every getter fails with
/// EINVAL instead of reading past the end.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts decoding `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Errno> {
        if n > self.buf.len() {
            return Err(Errno::EINVAL);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Errno> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, Errno> {
        Ok(self.take(1)?[0])
    }
    /// A little-endian u16.
    pub fn u16(&mut self) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// A little-endian i64.
    pub fn i64(&mut self) -> Result<i64, Errno> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    /// A byte string: u32 length, then that many bytes; longer than `max` is EINVAL.
    pub fn bytes(&mut self, max: usize) -> Result<&'a [u8], Errno> {
        let len = self.u32()? as usize;
        if len > max {
            return Err(Errno::EINVAL);
        }
        self.take(len)
    }
    /// A `#[repr(C)]` plain-data struct copied as raw bytes.
    pub fn pod<T: FromBytes>(&mut self) -> Result<T, Errno> {
        let b = self.take(std::mem::size_of::<T>())?;
        T::read_from_bytes(b).map_err(|_| Errno::EINVAL)
    }
    /// The undecoded rest.
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }
    /// Succeeds only if everything was consumed.
    pub fn finish(self) -> Result<(), Errno> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }
}

/// Little-endian encoder, the counterpart of [`Reader`].
#[derive(Default)]
pub struct Writer {
    /// The encoded bytes so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// Starts a message with `header`.
    pub fn with_header(header: Header) -> Self {
        let mut buf = Vec::with_capacity(64);
        header.encode(&mut buf);
        Writer { buf }
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    /// A little-endian u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// A little-endian u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// A little-endian i64.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// A byte string (u32 length prefix). Callers keep strings far below 4 GiB (names and
    /// targets are bounded by NAME_MAX/PATH_MAX, messages by MAX_MSG).
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u32(u32::try_from(v.len()).unwrap_or(u32::MAX));
        self.buf.extend_from_slice(v);
        self
    }
    /// A plain-data struct as raw bytes.
    pub fn pod<T: IntoBytes + zerocopy::Immutable>(&mut self, v: &T) -> &mut Self {
        self.buf.extend_from_slice(v.as_bytes());
        self
    }
}

/// Bits of [`SetAttr::mask`] on the wire.
pub mod setattr_mask {
    /// `mode` is set.
    pub const MODE: u32 = 1;
    /// `uid` is set.
    pub const UID: u32 = 2;
    /// `gid` is set.
    pub const GID: u32 = 4;
    /// `size` is set.
    pub const SIZE: u32 = 8;
    /// `atime` is set.
    pub const ATIME: u32 = 16;
    /// `mtime` is set.
    pub const MTIME: u32 = 32;
}

/// A time for [`SetAttr`], as `utimensat(2)` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// The current time (`UTIME_NOW`).
    Now,
    /// An explicit time.
    At {
        /// Seconds since the epoch.
        sec: i64,
        /// Nanoseconds, `0..1_000_000_000`.
        nsec: i64,
    },
}

/// Attributes to change with [`crate::GoferClient::setattr`]; `None` leaves one alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetAttr {
    /// Permission bits (`chmod`; only the low 12 bits are used).
    pub mode: Option<u32>,
    /// Owner (`chown`).
    pub uid: Option<u32>,
    /// Group (`chown`).
    pub gid: Option<u32>,
    /// Size (`truncate`, regular files only).
    pub size: Option<u64>,
    /// Access time.
    pub atime: Option<SetTime>,
    /// Modification time.
    pub mtime: Option<SetTime>,
}

/// `nsec` value meaning "now" on the wire (Linux `UTIME_NOW`).
const WIRE_UTIME_NOW: i64 = (1 << 30) - 1;

impl SetAttr {
    /// Encodes as `(mask: u32, mode: u32, uid: u32, gid: u32, size: u64, atime: 2×i64, mtime: 2×i64)`.
    pub fn encode(&self, w: &mut Writer) {
        use setattr_mask::*;
        let mut mask = 0;
        let bit = |b: bool, m: u32| if b { m } else { 0 };
        mask |= bit(self.mode.is_some(), MODE);
        mask |= bit(self.uid.is_some(), UID);
        mask |= bit(self.gid.is_some(), GID);
        mask |= bit(self.size.is_some(), SIZE);
        mask |= bit(self.atime.is_some(), ATIME);
        mask |= bit(self.mtime.is_some(), MTIME);
        w.u32(mask)
            .u32(self.mode.unwrap_or(0))
            .u32(self.uid.unwrap_or(0))
            .u32(self.gid.unwrap_or(0))
            .u64(self.size.unwrap_or(0));
        for t in [self.atime, self.mtime] {
            match t {
                None => w.i64(0).i64(0),
                Some(SetTime::Now) => w.i64(0).i64(WIRE_UTIME_NOW),
                Some(SetTime::At { sec, nsec }) => w.i64(sec).i64(nsec),
            };
        }
    }

    /// Decodes what [`SetAttr::encode`] wrote.
    ///
    /// # Errors
    /// EINVAL for unknown mask bits, a short payload or a nanosecond value out of range.
    pub fn decode(r: &mut Reader<'_>) -> Result<SetAttr, Errno> {
        use setattr_mask::*;
        let mask = r.u32()?;
        if mask & !(MODE | UID | GID | SIZE | ATIME | MTIME) != 0 {
            return Err(Errno::EINVAL);
        }
        let mode = r.u32()?;
        let uid = r.u32()?;
        let gid = r.u32()?;
        let size = r.u64()?;
        let mut times = [None, None];
        for (i, m) in [ATIME, MTIME].into_iter().enumerate() {
            let sec = r.i64()?;
            let nsec = r.i64()?;
            if mask & m != 0 {
                times[i] = Some(if nsec == WIRE_UTIME_NOW {
                    SetTime::Now
                } else if (0..1_000_000_000).contains(&nsec) {
                    SetTime::At { sec, nsec }
                } else {
                    return Err(Errno::EINVAL);
                });
            }
        }
        let size = if mask & SIZE != 0 { Some(i64::try_from(size).map_err(|_| Errno::EINVAL)? as u64) } else { None };
        Ok(SetAttr {
            mode: (mask & MODE != 0).then_some(mode & 0o7777),
            uid: (mask & UID != 0).then_some(uid),
            gid: (mask & GID != 0).then_some(gid),
            size,
            atime: times[0],
            mtime: times[1],
        })
    }
}

/// Checks a single path component: non-empty, at most NAME_MAX bytes, no '/' or NUL, and not
/// "." or "..". Both sides call it.
///
/// # Errors
/// EINVAL for a bad name, ENAMETOOLONG for one longer than NAME_MAX.
pub fn validate_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name == b"." || name == b".." || name.iter().any(|&b| b == b'/' || b == 0) {
        return Err(Errno::EINVAL);
    }
    if name.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

/// Encoded size of a [`Stat`].
pub const STAT_LEN: usize = std::mem::size_of::<Stat>();
/// Encoded size of a [`Statfs`].
pub const STATFS_LEN: usize = std::mem::size_of::<Statfs>();

/// Sends one datagram, with `fd` attached as SCM_RIGHTS if given. MSG_NOSIGNAL: a dead peer
/// is EPIPE, not SIGPIPE.
pub(crate) fn send_msg(sock: BorrowedFd<'_>, msg: &[u8], fd: Option<BorrowedFd<'_>>) -> Result<(), Errno> {
    let fds;
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if let Some(fd) = fd {
        fds = [fd];
        if !control.push(SendAncillaryMessage::ScmRights(&fds)) {
            return Err(Errno::EINVAL);
        }
    }
    loop {
        match rustix::net::sendmsg(sock, &[IoSlice::new(msg)], &mut control, SendFlags::NOSIGNAL) {
            Ok(n) if n == msg.len() => return Ok(()),
            Ok(_) => return Err(Errno::EIO),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Errno(e.raw_os_error())),
        }
    }
}

/// One received datagram.
pub(crate) struct Received {
    /// Bytes received (at most the buffer's length).
    pub len: usize,
    /// The datagram or its control data was longer than the buffers.
    pub truncated: bool,
    /// The first fd passed along, if any (others are closed).
    pub fd: Option<OwnedFd>,
}

/// Receives one datagram into `buf`. `Ok` with `len == 0` means the peer closed (SEQPACKET
/// has no empty messages in this protocol: every message has a header). Received fds are
/// close-on-exec.
pub(crate) fn recv_msg(sock: BorrowedFd<'_>, buf: &mut [u8]) -> Result<Received, Errno> {
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(4))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let r = loop {
        match rustix::net::recvmsg(sock, &mut [IoSliceMut::new(buf)], &mut control, RecvFlags::CMSG_CLOEXEC) {
            Ok(r) => break r,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Errno(e.raw_os_error())),
        }
    };
    let mut fd = None;
    for msg in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = msg {
            for f in fds {
                if fd.is_none() {
                    fd = Some(f);
                }
            }
        }
    }
    Ok(Received {
        len: r.bytes.min(buf.len()),
        truncated: r.flags.intersects(ReturnFlags::TRUNC | ReturnFlags::CTRUNC),
        fd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic PRNG (xorshift64*) so the fuzz test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn header_round_trip() {
        let h = Header { version: VERSION, op: Op::Walk as u16, tag: 77, errno: -3 };
        let mut v = Vec::new();
        h.encode(&mut v);
        v.extend_from_slice(b"xyz");
        let (d, rest) = Header::decode(&v).unwrap();
        assert_eq!(d, h);
        assert_eq!(rest, b"xyz");
        assert_eq!(Header::decode(&v[..11]), Err(Errno::EINVAL));
    }

    #[test]
    fn reader_bounds() {
        let mut w = Writer::default();
        w.u64(5).bytes(b"name").u8(1);
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.u64(), Ok(5));
        assert_eq!(r.bytes(NAME_MAX), Ok(&b"name"[..]));
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u8(), Err(Errno::EINVAL));
        r.finish().unwrap();
        // A length prefix pointing past the end.
        let mut w = Writer::default();
        w.u32(1000).u8(1);
        assert_eq!(Reader::new(&w.buf).bytes(PATH_MAX), Err(Errno::EINVAL));
        // Longer than allowed.
        let mut w = Writer::default();
        w.bytes(&[b'a'; 300]);
        assert_eq!(Reader::new(&w.buf).bytes(NAME_MAX), Err(Errno::EINVAL));
        // Trailing bytes.
        assert_eq!(Reader::new(&[1]).finish(), Err(Errno::EINVAL));
    }

    #[test]
    fn names() {
        assert!(validate_name(b"a").is_ok());
        assert!(validate_name(b"...").is_ok());
        for bad in [&b""[..], b".", b"..", b"a/b", b"/", b"a\0b"] {
            assert_eq!(validate_name(bad), Err(Errno::EINVAL), "{bad:?}");
        }
        assert_eq!(validate_name(&[b'a'; 256]), Err(Errno::ENAMETOOLONG));
    }

    #[test]
    fn setattr_round_trip() {
        let a = SetAttr {
            mode: Some(0o644),
            uid: None,
            gid: Some(5),
            size: Some(10),
            atime: Some(SetTime::Now),
            mtime: Some(SetTime::At { sec: 3, nsec: 4 }),
        };
        let mut w = Writer::default();
        a.encode(&mut w);
        let mut r = Reader::new(&w.buf);
        assert_eq!(SetAttr::decode(&mut r), Ok(a));
        r.finish().unwrap();
    }

    /// Random bytes through every decoder: errors are fine, panics are not.
    #[test]
    fn fuzz_decoders() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..20_000 {
            let len = (rng.next() % 96) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if let Ok((h, payload)) = Header::decode(&bytes) {
                let _ = Op::from_u16(h.op);
                let mut r = Reader::new(payload);
                let _ = r.u64();
                let _ = r.bytes(NAME_MAX);
                let _ = SetAttr::decode(&mut r);
                let _ = r.pod::<Stat>();
                let _ = r.finish();
            }
            let mut r = Reader::new(&bytes);
            let _ = r.bytes(PATH_MAX);
            let _ = r.pod::<Statfs>();
            let _ = validate_name(&bytes);
        }
    }
}
