//! Memory syscalls: mmap, munmap, mprotect, mremap, madvise, brk.

use sbx_abi::flags::{MapFlags, Prot, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE};
use sbx_abi::{Errno, SysResult};
use sbx_platform::PAGE_SIZE;

use super::{sys, Syscall, SyscallArgs};
use crate::kernel::Task;
use crate::mm::{page_up, Placement, VmaKind};

/// This family's table entries.
pub(super) const SYSCALLS: &[Syscall] = &[
    sys!(SYS_MMAP, sys_mmap, "xuxxdx", "MAP_SHARED writable mappings of host files return ENODEV"),
    sys!(SYS_MUNMAP, sys_munmap, "xu"),
    sys!(SYS_MPROTECT, sys_mprotect, "xux", "PROT_GROWSDOWN/GROWSUP return EINVAL"),
    sys!(SYS_MREMAP, sys_mremap, "xuuxx", "MREMAP_DONTUNMAP and old_size 0 return EINVAL"),
    sys!(SYS_MADVISE, sys_madvise, "xud", "advice that changes fork or fault behaviour returns EINVAL"),
    sys!(SYS_BRK, sys_brk, "x"),
    sys!(SYS_MSYNC, sys_msync, "xux"),
];

fn page_aligned(a: u64) -> bool {
    a.is_multiple_of(PAGE_SIZE)
}

fn prot_arg(p: u32) -> Result<Prot, Errno> {
    let prot = Prot::from_bits(p).ok_or(Errno::EINVAL)?;
    if prot.intersects(Prot::GROWSDOWN | Prot::GROWSUP) {
        return Err(Errno::EINVAL);
    }
    Ok(prot)
}

/// mmap(2).
pub fn sys_mmap(t: &Task, a: &SyscallArgs) -> SysResult {
    let (addr, len, prot, flags, fd, off) = (a.addr(0), a.u64(1), a.u32(2), a.u32(3), a.fd(4), a.u64(5));
    let prot = prot_arg(prot)?;
    let known = MapFlags::all().bits();
    let map_type = flags & 3;
    let f = MapFlags::from_bits_truncate(flags);
    if map_type == MapFlags::MAP_SHARED_VALIDATE.bits() && flags & !known != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if map_type == 0 || len == 0 || !page_aligned(off) {
        return Err(Errno::EINVAL);
    }
    if f.contains(MapFlags::MAP_HUGETLB) {
        return Err(Errno::EINVAL);
    }
    let shared = map_type != MapFlags::MAP_PRIVATE.bits();
    let len = page_up(len).ok_or(Errno::ENOMEM)?;
    if off.checked_add(len).is_none() {
        return Err(Errno::EOVERFLOW);
    }
    let place = if f.contains(MapFlags::MAP_FIXED_NOREPLACE) {
        if !page_aligned(addr) {
            return Err(Errno::EINVAL);
        }
        Placement::FixedNoReplace(addr)
    } else if f.contains(MapFlags::MAP_FIXED) {
        if !page_aligned(addr) {
            return Err(Errno::EINVAL);
        }
        Placement::Fixed(addr)
    } else if f.contains(MapFlags::MAP_32BIT) {
        Placement::Low32
    } else {
        Placement::Hint(addr)
    };
    let mm = t.mm();
    if f.contains(MapFlags::MAP_ANONYMOUS) {
        return mm.map(place, len, prot, shared, VmaKind::Anon, None);
    }
    let file = t.fds.get(fd)?;
    let fflags = file.flags();
    if !fflags.readable() {
        return Err(Errno::EACCES);
    }
    if shared && prot.contains(Prot::WRITE) && !fflags.writable() {
        return Err(Errno::EACCES);
    }
    if shared && prot.contains(Prot::WRITE) && crate::fs::memfd::write_sealed(&file) {
        return Err(Errno::EPERM);
    }
    if shared {
        // Files whose pages are in the memory file (tmpfs) are shared for real.
        match file.ops.shared_pages(off, len) {
            Some(r) => {
                let (chunk, at) = r?;
                let kind = VmaKind::File { name: file.path.clone(), offset: off };
                return mm.map(place, len, prot, true, kind, Some((chunk, at)));
            }
            // Host files are not shared writable (their pages are not in the memory
            // file); read-only shared mappings get a copy, as below.
            None if prot.contains(Prot::WRITE) => return Err(Errno::ENODEV),
            None => {}
        }
    }
    let st = file.stat()?;
    if st.st_mode & sbx_abi::flags::S_IFMT == sbx_abi::flags::S_IFDIR {
        return Err(Errno::ENODEV);
    }
    // A private (or read-only shared) file mapping is a copy of the file's bytes made
    // now; later changes to the file are not seen through it.
    let chunk = mm.pool().allocate(len)?;
    let size = u64::try_from(st.st_size).unwrap_or(0);
    let want = size.saturating_sub(off).min(len) as usize;
    let memfile = &mm.pool().file;
    match file.host_fd() {
        Some(hfd) => {
            memfile.pread_from(hfd, off, chunk.off, want).map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EIO)))?;
        }
        None => {
            let mut done = 0usize;
            let mut buf = vec![0u8; want.min(1 << 20)];
            while done < want {
                let n = (want - done).min(buf.len());
                let got = file.pread(&mut buf[..n], off + done as u64)?;
                if got == 0 {
                    break;
                }
                memfile.write(chunk.off + done as u64, &buf[..got]);
                done += got;
            }
        }
    }
    let kind = VmaKind::File { name: file.path.clone(), offset: off };
    mm.map(place, len, prot, shared, kind, Some((chunk, 0)))
}

/// munmap(2).
pub fn sys_munmap(t: &Task, a: &SyscallArgs) -> SysResult {
    let (addr, len) = (a.addr(0), a.u64(1));
    if !page_aligned(addr) || len == 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_up(len).ok_or(Errno::EINVAL)?;
    t.mm().unmap(addr, len)?;
    Ok(0)
}

/// mprotect(2).
pub fn sys_mprotect(t: &Task, a: &SyscallArgs) -> SysResult {
    let (addr, len) = (a.addr(0), a.u64(1));
    let prot = prot_arg(a.u32(2))?;
    if !page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let len = page_up(len).ok_or(Errno::ENOMEM)?;
    t.mm().protect(addr, len, prot)?;
    Ok(0)
}

/// msync(2): every mapping sbx makes is already coherent with its file (anonymous
/// and private memory, tmpfs pages that are the file, read-only host files; writable
/// shared host mappings are refused at mmap), so only the arguments and the range
/// are checked.
pub fn sys_msync(t: &Task, a: &SyscallArgs) -> SysResult {
    const MS_ASYNC: u32 = 1;
    const MS_INVALIDATE: u32 = 2;
    const MS_SYNC: u32 = 4;
    let (addr, len, flags) = (a.addr(0), a.u64(1), a.u32(2));
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0 || flags & (MS_ASYNC | MS_SYNC) == MS_ASYNC | MS_SYNC {
        return Err(Errno::EINVAL);
    }
    if !page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    let end = addr.checked_add(page_up(len).ok_or(Errno::ENOMEM)?).ok_or(Errno::ENOMEM)?;
    // The whole range must be mapped (ENOMEM at the first hole).
    let mut at = addr;
    for v in t.mm().vmas() {
        if at >= end {
            break;
        }
        if v.end <= at {
            continue;
        }
        if v.start > at {
            return Err(Errno::ENOMEM);
        }
        at = v.end;
    }
    if at < end {
        return Err(Errno::ENOMEM);
    }
    Ok(0)
}

/// mremap(2).
pub fn sys_mremap(t: &Task, a: &SyscallArgs) -> SysResult {
    let (old, old_len, new_len, flags, new_addr) = (a.addr(0), a.u64(1), a.u64(2), a.u32(3), a.addr(4));
    if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 || flags & MREMAP_DONTUNMAP != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    if !page_aligned(old) || old_len == 0 {
        return Err(Errno::EINVAL);
    }
    let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
    let new_len = page_up(new_len).filter(|&l| l != 0).ok_or(Errno::EINVAL)?;
    let fixed = if flags & MREMAP_FIXED != 0 {
        if !page_aligned(new_addr) {
            return Err(Errno::EINVAL);
        }
        let (ne, oe) = (new_addr.checked_add(new_len).ok_or(Errno::EINVAL)?, old + old_len);
        if new_addr < oe && old < ne {
            return Err(Errno::EINVAL);
        }
        Some(new_addr)
    } else {
        None
    };
    t.mm().remap(old, old_len, new_len, flags & MREMAP_MAYMOVE != 0, fixed)
}

/// madvise(2).
pub fn sys_madvise(t: &Task, a: &SyscallArgs) -> SysResult {
    let (addr, len, advice) = (a.addr(0), a.u64(1), a.i32(2));
    if !page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    let len = page_up(len).ok_or(Errno::EINVAL)?;
    match advice {
        // MADV_NORMAL, RANDOM, SEQUENTIAL, WILLNEED, MERGEABLE, UNMERGEABLE, HUGEPAGE,
        // NOHUGEPAGE, DONTDUMP, DODUMP, COLD, PAGEOUT: hints without visible effect here.
        0 | 1 | 2 | 3 | 12 | 13 | 14 | 15 | 16 | 17 | 20 | 21 => Ok(0),
        // MADV_DONTNEED and MADV_FREE: private pages read back as zero.
        4 | 8 => {
            t.mm().dont_need(addr, len)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// brk(2): returns the new break, or the current one when the request fails.
pub fn sys_brk(t: &Task, a: &SyscallArgs) -> SysResult {
    Ok(t.mm().brk(a.addr(0)))
}
