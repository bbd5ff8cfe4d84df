//! Wire format of the Gofer protocol.
//!
//! One request and one response per SOCK_SEQPACKET message, so framing is the
//! socket's. A request is `id: u32, op: u16, payload`; a response is `id: u32,
//! errno: i32, payload`, with at most one fd attached (SCM_RIGHTS) when the
//! operation donates one. Integers are little-endian; byte strings are `len: u32`
//! then bytes. The peer is not trusted: every decode is bounds-checked and a bad
//! message is an EINVAL reply, never a crash.

use sbx_abi::structs::{Stat, Statfs};
use sbx_abi::Errno;
use zerocopy::{FromBytes, IntoBytes};

/// Protocol version, checked by [`Op::Version`].
pub const VERSION: u32 = 1;
/// Largest message either side sends or accepts.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Entries per readdir reply page.
pub const READDIR_PAGE: usize = 256;

/// Operations. Each is analogous to the Linux call named in its doc.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Handshake: payload version u32; reply version u32.
    Version = 1,
    /// The served root: reply node.
    Root = 2,
    /// openat(dir, name, O_PATH|O_NOFOLLOW): payload dir u64, name; reply node.
    Walk = 3,
    /// fstatat(node, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW): payload node; reply stat.
    Stat = 4,
    /// open(2) of a regular file: payload node, flags u32; reply donates an fd.
    Open = 5,
    /// getdents64(2): payload node, start index u64; reply count u32, more u8, entries
    /// (ino u64, type u8, name).
    ReadDir = 6,
    /// readlinkat(2): payload node; reply target.
    ReadLink = 7,
    /// close(2) of a node id: payload node; empty reply.
    Close = 8,
    /// fstatfs(2): payload node; reply statfs.
    StatFs = 9,
}

impl Op {
    /// Decodes an operation number.
    pub fn from_u16(v: u16) -> Option<Op> {
        Some(match v {
            1 => Op::Version,
            2 => Op::Root,
            3 => Op::Walk,
            4 => Op::Stat,
            5 => Op::Open,
            6 => Op::ReadDir,
            7 => Op::ReadLink,
            8 => Op::Close,
            9 => Op::StatFs,
            _ => return None,
        })
    }
}

/// Builds a message.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// Appends a u8.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    /// Appends a u16.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends an i32.
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
        self
    }
    /// Appends a stat.
    pub fn stat(&mut self, st: &Stat) -> &mut Self {
        self.0.extend_from_slice(st.as_bytes());
        self
    }
    /// Appends a statfs.
    pub fn statfs(&mut self, st: &Statfs) -> &mut Self {
        self.0.extend_from_slice(st.as_bytes());
        self
    }
}

/// Reads a message; every read fails with EINVAL past the end.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], Errno> {
        if self.buf.len() < n {
            return Err(Errno::EINVAL);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    /// A u8.
    pub fn u8(&mut self) -> Result<u8, Errno> {
        Ok(self.take(1)?[0])
    }
    /// A u16.
    pub fn u16(&mut self) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().map_err(|_| Errno::EINVAL)?))
    }
    /// A u32.
    pub fn u32(&mut self) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| Errno::EINVAL)?))
    }
    /// An i32.
    pub fn i32(&mut self) -> Result<i32, Errno> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().map_err(|_| Errno::EINVAL)?))
    }
    /// A u64.
    pub fn u64(&mut self) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| Errno::EINVAL)?))
    }
    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], Errno> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    /// A stat.
    pub fn stat(&mut self) -> Result<Stat, Errno> {
        Stat::read_from_bytes(self.take(std::mem::size_of::<Stat>())?).map_err(|_| Errno::EINVAL)
    }
    /// A statfs.
    pub fn statfs(&mut self) -> Result<Statfs, Errno> {
        Statfs::read_from_bytes(self.take(std::mem::size_of::<Statfs>())?).map_err(|_| Errno::EINVAL)
    }
    /// Whether everything was consumed.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// Checks a single path component: not empty, not "." or "..", no '/' or NUL, at
/// most NAME_MAX bytes.
pub fn valid_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0) {
        return Err(Errno::EINVAL);
    }
    if name.len() > 255 {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_never_reads_past_the_end() {
        let mut w = Writer::default();
        w.u32(7).bytes(b"abc").u64(9);
        let mut r = Reader::new(&w.0);
        assert_eq!(r.u32(), Ok(7));
        assert_eq!(r.bytes(), Ok(&b"abc"[..]));
        assert_eq!(r.u64(), Ok(9));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(Errno::EINVAL));
        // A length prefix larger than the message.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0x7f, 1, 2]);
        assert_eq!(r.bytes(), Err(Errno::EINVAL));
        // Random garbage never panics.
        let mut x: u64 = 0x1234_5678;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let buf: Vec<u8> = (0..(x % 40) as usize).map(|i| (x >> (i % 8)) as u8).collect();
            let mut r = Reader::new(&buf);
            let _ = (r.u16(), r.bytes(), r.stat(), r.u64());
        }
    }

    #[test]
    fn names() {
        assert!(valid_name(b"ok").is_ok());
        for bad in [&b""[..], b".", b"..", b"a/b", b"a\0"] {
            assert_eq!(valid_name(bad), Err(Errno::EINVAL));
        }
        assert_eq!(valid_name(&[b'a'; 256]), Err(Errno::ENAMETOOLONG));
    }
}
