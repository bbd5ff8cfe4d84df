//! The only place the Sentry touches guest memory directly: its own mapping of the
//! memory file. Every guest copy goes through [`MemoryFile::read`] /
//! [`MemoryFile::write`] after the memory manager has checked the range against the
//! guest's mappings.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;

use nix::sys::memfd::{memfd_create, MemFdCreateFlag};

/// Size of the memory file and of the Sentry's mapping of it. The file is sparse: only
/// pages the guest touched use memory.
pub const MEMFILE_SIZE: u64 = 256 << 30;

/// The memory file: one memfd holding every page of guest memory, mapped once into
/// the Sentry (for copies) and, in pieces, into the stub (as the guest's memory).
pub struct MemoryFile {
    fd: OwnedFd,
    base: NonNull<u8>,
    size: u64,
}

// SAFETY: `base` points into a shared mapping that lives as long as the MemoryFile; all
// access goes through `read`/`write`/`zero`, which copy with raw pointer operations that
// tolerate concurrent writers (guest threads) the way a kernel's copy_from_user does.
unsafe impl Send for MemoryFile {}
// SAFETY: as above; no method hands out references into the mapping.
unsafe impl Sync for MemoryFile {}

impl MemoryFile {
    /// Creates the memfd, sizes it to [`MEMFILE_SIZE`] (sparse) and maps it.
    pub fn new() -> io::Result<Self> {
        let fd = memfd_create(c"sbx-memory", MemFdCreateFlag::MFD_CLOEXEC)?;
        nix::unistd::ftruncate(&fd, MEMFILE_SIZE as i64)?;
        // SAFETY: mapping a fresh shared file mapping at a kernel-chosen address has no
        // effect on existing memory; the result is checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                MEMFILE_SIZE as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_NORESERVE,
                fd.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let base = NonNull::new(p.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(MemoryFile { fd, base, size: MEMFILE_SIZE })
    }

    /// The memfd, to hand to the stub.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The file's size.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn check(&self, off: u64, len: usize) {
        // An out-of-range offset is a Sentry bug (offsets come from the allocator, never
        // from the guest), so it is a panic rather than an errno.
        assert!(
            off.checked_add(len as u64).is_some_and(|end| end <= self.size),
            "memory file access out of range: {off:#x}+{len:#x}"
        );
    }

    /// Copies `buf.len()` bytes at file offset `off` into `buf`.
    pub fn read(&self, off: u64, buf: &mut [u8]) {
        self.check(off, buf.len());
        // SAFETY: the range is inside the mapping (checked above) and `buf` is a distinct
        // Sentry buffer; the mapping is never unmapped while `self` lives.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.as_ptr().add(off as usize), buf.as_mut_ptr(), buf.len());
        }
    }

    /// Copies `buf` to file offset `off`.
    pub fn write(&self, off: u64, buf: &[u8]) {
        self.check(off, buf.len());
        // SAFETY: as in `read`, with the copy direction reversed.
        unsafe {
            std::ptr::copy_nonoverlapping(buf.as_ptr(), self.base.as_ptr().add(off as usize), buf.len());
        }
    }

    /// Copies `len` bytes within the file (ranges may overlap).
    pub fn copy_within(&self, src: u64, dst: u64, len: usize) {
        self.check(src, len);
        self.check(dst, len);
        // SAFETY: both ranges are inside the mapping (checked); `copy` handles overlap.
        unsafe {
            std::ptr::copy(self.base.as_ptr().add(src as usize), self.base.as_ptr().add(dst as usize), len);
        }
    }

    /// Copies `len` bytes from `src` to `dst` (disjoint ranges), skipping holes of the
    /// source so that untouched pages stay unallocated in the copy.
    pub fn copy_sparse(&self, src: u64, dst: u64, len: u64) {
        self.check(src, len as usize);
        self.check(dst, len as usize);
        let end = src + len;
        let mut pos = src;
        while pos < end {
            let data = match nix::unistd::lseek(self.fd.as_raw_fd(), pos as i64, nix::unistd::Whence::SeekData) {
                Ok(d) => d as u64,
                Err(_) => break, // ENXIO: no data after pos
            };
            if data >= end {
                break;
            }
            let hole = nix::unistd::lseek(self.fd.as_raw_fd(), data as i64, nix::unistd::Whence::SeekHole)
                .map(|h| h as u64)
                .unwrap_or(end)
                .min(end);
            self.copy_within(data, dst + (data - src), (hole - data) as usize);
            pos = hole;
        }
    }

    /// Atomically replaces the aligned u32 at `off` with `f(old)` (when `f` returns
    /// Some) and returns the old value: futex operations racing with guest atomics.
    pub fn update_u32(&self, off: u64, f: impl Fn(u32) -> Option<u32>) -> u32 {
        self.check(off, 4);
        assert!(off.is_multiple_of(4), "unaligned atomic access at {off:#x}");
        // SAFETY: the 4 bytes at `off` are inside our shared mapping (checked), aligned
        // (checked), and only ever accessed atomically or by plain copies, which is how
        // the guest's own threads share them too.
        let a = unsafe { std::sync::atomic::AtomicU32::from_ptr(self.base.as_ptr().add(off as usize).cast()) };
        match a.fetch_update(std::sync::atomic::Ordering::SeqCst, std::sync::atomic::Ordering::SeqCst, f) {
            Ok(v) | Err(v) => v,
        }
    }

    /// Reads from host fd `fd` at `file_off` straight into the memory file at `off`
    /// (no bounce buffer). Returns the bytes read (short at end of file).
    pub fn pread_from(&self, fd: BorrowedFd<'_>, file_off: u64, off: u64, len: usize) -> io::Result<usize> {
        self.check(off, len);
        let mut done = 0;
        while done < len {
            // SAFETY: the destination range is inside our mapping (checked above); the
            // kernel writes at most `len - done` bytes there.
            let n = unsafe {
                libc::pread(
                    fd.as_raw_fd(),
                    self.base.as_ptr().add((off as usize) + done).cast(),
                    len - done,
                    (file_off + done as u64) as libc::off_t,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                break;
            }
            done += n as usize;
        }
        Ok(done)
    }

    /// Writes memory-file bytes at `off` straight to host fd `fd` (at `file_off`, or at
    /// the fd's position when None). Returns the bytes written (one host call).
    pub fn write_to(&self, fd: BorrowedFd<'_>, file_off: Option<u64>, off: u64, len: usize) -> io::Result<usize> {
        self.check(off, len);
        // SAFETY: the source range is inside our mapping (checked above).
        let n = unsafe {
            let p = self.base.as_ptr().add(off as usize).cast();
            match file_off {
                Some(fo) => libc::pwrite(fd.as_raw_fd(), p, len, fo as libc::off_t),
                None => libc::write(fd.as_raw_fd(), p, len),
            }
        };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    /// Reads from host fd `fd` (at `file_off`, or its position when None) into the
    /// memory file at `off`. One host call; returns the bytes read.
    pub fn read_from(&self, fd: BorrowedFd<'_>, file_off: Option<u64>, off: u64, len: usize) -> io::Result<usize> {
        self.check(off, len);
        // SAFETY: the destination range is inside our mapping (checked above).
        let n = unsafe {
            let p = self.base.as_ptr().add(off as usize).cast();
            match file_off {
                Some(fo) => libc::pread(fd.as_raw_fd(), p, len, fo as libc::off_t),
                None => libc::read(fd.as_raw_fd(), p, len),
            }
        };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    /// Gives pages back to the host: the range reads as zeros afterwards.
    pub fn punch(&self, off: u64, len: u64) {
        self.check(off, len as usize);
        if len == 0 {
            return;
        }
        let r = nix::fcntl::fallocate(
            self.fd.as_raw_fd(),
            nix::fcntl::FallocateFlags::FALLOC_FL_PUNCH_HOLE | nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE,
            off as i64,
            len as i64,
        );
        if let Err(e) = r {
            tracing::error!("punching memory file {off:#x}+{len:#x}: {e}");
        }
    }
}

impl Drop for MemoryFile {
    fn drop(&mut self) {
        // SAFETY: `base`/`size` describe the mapping made in `new`; nothing refers to it
        // once the last owner drops.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.size as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_punch() {
        let m = MemoryFile::new().unwrap();
        m.write(4096, b"hello");
        let mut b = [0u8; 5];
        m.read(4096, &mut b);
        assert_eq!(&b, b"hello");
        m.punch(4096, 4096);
        m.read(4096, &mut b);
        assert_eq!(b, [0; 5]);
    }
}
