//! The memory manager: the guest's address space as the Sentry sees it.
//!
//! Every mapping ([`Vma`]) is a window onto a [`Chunk`] of the memory file. The
//! Sentry keeps the authoritative map here and logs each change; every stub running
//! this address space replays the log through the platform's [`AddressSpace`]
//! before it next runs guest code ([`MemoryManager::sync`]), so map changes cost no
//! host call until they matter, and several stubs (vfork children, later threads)
//! can share one address space. Copies to and from the guest are bounds- and
//! permission-checked memcpys through the memory file, never host calls.
//!
//! TODO(issue 4): when other stubs of the same address space are running while
//! pages are unmapped, they must be interrupted and synced before the pages are
//! reused (the equivalent of a TLB shootdown).
//!
//! Lock order: `MemoryManager::inner` → `MemoryPool::free`.

mod access;
mod pool;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use sbx_abi::flags::Prot;
use sbx_abi::Errno;
use sbx_platform::{AddressSpace, PlatformError, MAX_USER_ADDR, MIN_USER_ADDR, PAGE_SIZE};
use zerocopy::{FromBytes, Immutable, IntoBytes};

pub use access::{MemoryFile, MEMFILE_SIZE};
pub use pool::{Chunk, MemoryPool};

/// Rounds up to a page boundary (None on overflow).
pub fn page_up(v: u64) -> Option<u64> {
    v.checked_add(PAGE_SIZE - 1).map(|x| x & !(PAGE_SIZE - 1))
}

/// Rounds down to a page boundary.
pub fn page_down(v: u64) -> u64 {
    v & !(PAGE_SIZE - 1)
}

/// What a mapping is, for /proc/PID/maps and for brk/stack rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// Anonymous memory.
    Anon,
    /// A copy of (or shared view onto) a file: its path and the file offset of `start`.
    File {
        /// Path shown in /proc/PID/maps.
        name: String,
        /// File offset of the mapping's start.
        offset: u64,
    },
    /// The program break area.
    Heap,
    /// The main thread's stack.
    Stack,
}

/// One mapping: `[start, end)` shows `chunk` from `chunk_off` on.
#[derive(Clone, Debug)]
pub struct Vma {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// Current protection.
    pub prot: Prot,
    /// MAP_SHARED: the chunk may be seen by others, so unmapping never discards pages.
    pub shared: bool,
    /// What it is.
    pub kind: VmaKind,
    /// The backing memory.
    pub chunk: Arc<Chunk>,
    /// Offset of `start` inside `chunk`.
    pub chunk_off: u64,
}

impl Vma {
    fn file_off(&self, addr: u64) -> u64 {
        self.chunk.off + self.chunk_off + (addr - self.start)
    }

    /// Splits at `at` (strictly inside), returning the upper part.
    fn split(&mut self, at: u64) -> Vma {
        debug_assert!(self.start < at && at < self.end);
        let mut hi = self.clone();
        hi.start = at;
        hi.chunk_off = self.chunk_off + (at - self.start);
        if let VmaKind::File { offset, .. } = &mut hi.kind {
            *offset += at - self.start;
        }
        self.end = at;
        hi
    }
}

/// How `mmap` may place a new mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Anywhere; the address is a hint.
    Hint(u64),
    /// Exactly here, replacing existing mappings (MAP_FIXED).
    Fixed(u64),
    /// Exactly here, failing with EEXIST over existing mappings (MAP_FIXED_NOREPLACE).
    FixedNoReplace(u64),
    /// Anywhere below 2 GiB (MAP_32BIT).
    Low32,
}

struct MmInner {
    vmas: BTreeMap<u64, Vma>,
    /// Start of the program break area (end of the loaded image).
    brk_start: u64,
    /// Current program break.
    brk: u64,
    /// Top of the area searched for new mappings (below the stack).
    mmap_base: u64,
    /// Changes not yet replayed into every stub sharing this address space: entry i
    /// has generation `log_base + i + 1`.
    log: Vec<Op>,
    /// Generation of the state before `log[0]`.
    log_base: u64,
}

/// One change to mirror into a stub.
#[derive(Clone, Copy, Debug)]
enum Op {
    Map { start: u64, len: u64, prot: u32, off: u64 },
    Unmap { start: u64, len: u64 },
    Protect { start: u64, len: u64, prot: u32 },
}

/// Longest change log kept; a stub further behind gets a full replay.
const MAX_LOG: usize = 4096;

impl MmInner {
    fn gen(&self) -> u64 {
        self.log_base + self.log.len() as u64
    }
    fn record(&mut self, op: Op) {
        if self.log.len() >= MAX_LOG {
            self.log_base += self.log.len() as u64;
            self.log.clear();
        }
        self.log.push(op);
    }
    fn record_map(&mut self, v: &Vma) {
        self.record(Op::Map {
            start: v.start,
            len: v.end - v.start,
            prot: v.prot.bits() & 7,
            off: v.file_off(v.start),
        });
    }
}

/// A guest address space. Shared by the threads of a process (CLONE_VM).
pub struct MemoryManager {
    pool: Arc<MemoryPool>,
    inner: Mutex<MmInner>,
}

impl MemoryManager {
    /// An empty address space backed by `pool`. Stubs running it catch up with
    /// [`sync`](Self::sync) before each switch into the guest.
    pub fn new(pool: Arc<MemoryPool>) -> Self {
        MemoryManager {
            pool,
            inner: Mutex::new(MmInner {
                vmas: BTreeMap::new(),
                brk_start: 0,
                brk: 0,
                mmap_base: MAX_USER_ADDR,
                log: Vec::new(),
                // Generation 0 is "before this address space existed": a stub that says
                // it has synced generation 0 gets everything unmapped first.
                log_base: 1,
            }),
        }
    }

    /// A copy for fork(2): private mappings get their own copy of the pages (holes
    /// stay holes), shared ones keep sharing.
    pub fn fork(&self) -> Result<MemoryManager, Errno> {
        let m = self.lock();
        let mut vmas = BTreeMap::new();
        for v in m.vmas.values() {
            let nv = if v.shared {
                v.clone()
            } else {
                let len = v.end - v.start;
                let chunk = self.pool.allocate(len)?;
                self.pool.file.copy_sparse(v.file_off(v.start), chunk.off, len);
                Vma { chunk, chunk_off: 0, ..v.clone() }
            };
            vmas.insert(nv.start, nv);
        }
        Ok(MemoryManager {
            pool: self.pool.clone(),
            inner: Mutex::new(MmInner {
                vmas,
                brk_start: m.brk_start,
                brk: m.brk,
                mmap_base: m.mmap_base,
                log: Vec::new(),
                log_base: 1,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, MmInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The memory pool backing this address space.
    pub fn pool(&self) -> &Arc<MemoryPool> {
        &self.pool
    }

    /// Sets where new mappings are searched from (just below the stack).
    pub fn set_mmap_base(&self, base: u64) {
        self.lock().mmap_base = page_down(base);
    }

    /// Sets the start of the program break (after loading an image).
    pub fn set_brk_start(&self, addr: u64) {
        let mut m = self.lock();
        m.brk_start = page_up(addr).unwrap_or(addr);
        m.brk = m.brk_start;
    }

    /// Whether `[start, end)` overlaps no mapping.
    fn is_free(m: &MmInner, start: u64, end: u64) -> bool {
        if start < MIN_USER_ADDR || end > MAX_USER_ADDR {
            return false;
        }
        match m.vmas.range(..end).next_back() {
            Some((_, v)) => v.end <= start,
            None => true,
        }
    }

    /// Finds a free range of `len` bytes ending at or below `top`, highest first.
    fn find_gap(m: &MmInner, len: u64, top: u64) -> Option<u64> {
        let mut end = top.min(MAX_USER_ADDR);
        for (_, v) in m.vmas.range(..top).rev() {
            if v.end <= end && end - v.end >= len {
                return Some(end - len);
            }
            end = end.min(v.start);
        }
        (end >= MIN_USER_ADDR + len).then(|| end - len)
    }

    /// Removes `[start, end)` from the map (splitting mappings at the edges), returning
    /// the removed pieces. Does not touch the platform.
    fn carve(m: &mut MmInner, start: u64, end: u64) -> Vec<Vma> {
        // Split a mapping straddling `start` and one straddling `end`.
        for at in [start, end] {
            let straddle = m.vmas.range(..at).next_back().filter(|(_, v)| v.start < at && at < v.end).map(|(&k, _)| k);
            if let Some(k) = straddle {
                let v = m.vmas.get_mut(&k).expect("present");
                let hi = v.split(at);
                m.vmas.insert(hi.start, hi);
            }
        }
        let keys: Vec<u64> = m.vmas.range(start..end).map(|(&k, _)| k).collect();
        keys.into_iter().filter_map(|k| m.vmas.remove(&k)).collect()
    }

    /// Releases the pages of removed private mappings.
    fn discard(&self, removed: &[Vma]) {
        for v in removed.iter().filter(|v| !v.shared) {
            self.pool.file.punch(v.file_off(v.start), v.end - v.start);
        }
    }

    /// Maps `len` bytes (page-rounded by the caller) of fresh zeroed memory, or of
    /// `chunk` from `chunk_off` when given (shared memory).
    pub fn map(
        &self,
        place: Placement,
        len: u64,
        prot: Prot,
        shared: bool,
        kind: VmaKind,
        backing: Option<(Arc<Chunk>, u64)>,
    ) -> Result<u64, Errno> {
        if len == 0 || len > MAX_USER_ADDR {
            return Err(Errno::ENOMEM);
        }
        let (chunk, chunk_off) = match backing {
            Some(b) => b,
            None => (self.pool.allocate(len)?, 0),
        };
        let mut m = self.lock();
        let start = match place {
            Placement::Fixed(a) | Placement::FixedNoReplace(a) => {
                let end = a.checked_add(len).ok_or(Errno::ENOMEM)?;
                if a < MIN_USER_ADDR || end > MAX_USER_ADDR {
                    return Err(if a < MIN_USER_ADDR { Errno::EPERM } else { Errno::ENOMEM });
                }
                if !Self::is_free(&m, a, end) {
                    if matches!(place, Placement::FixedNoReplace(_)) {
                        return Err(Errno::EEXIST);
                    }
                    let removed = Self::carve(&mut m, a, end);
                    self.discard(&removed);
                }
                a
            }
            Placement::Hint(h) => {
                let h = page_down(h);
                match h.checked_add(len) {
                    Some(end) if h != 0 && Self::is_free(&m, h, end) => h,
                    _ => Self::find_gap(&m, len, m.mmap_base).ok_or(Errno::ENOMEM)?,
                }
            }
            Placement::Low32 => Self::find_gap(&m, len, 0x8000_0000).ok_or(Errno::ENOMEM)?,
        };
        let v = Vma { start, end: start + len, prot, shared, kind, chunk, chunk_off };
        m.record_map(&v);
        m.vmas.insert(start, v);
        Ok(start)
    }

    /// munmap(2): `addr` page-aligned (checked by the caller).
    pub fn unmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        let mut m = self.lock();
        let removed = Self::carve(&mut m, addr, end);
        if !removed.is_empty() {
            m.record(Op::Unmap { start: addr, len: end - addr });
        }
        self.discard(&removed);
        Ok(())
    }

    /// mprotect(2): every page in the range must be mapped (else ENOMEM).
    pub fn protect(&self, addr: u64, len: u64, prot: Prot) -> Result<(), Errno> {
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let mut m = self.lock();
        let mut at = addr;
        for (_, v) in m.vmas.range(..end).rev().collect::<Vec<_>>().into_iter().rev() {
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
        let pieces = Self::carve(&mut m, addr, end);
        for mut v in pieces {
            v.prot = prot;
            m.vmas.insert(v.start, v);
        }
        m.record(Op::Protect { start: addr, len, prot: prot.bits() & 7 });
        Ok(())
    }

    /// brk(2): returns the new break, or the old one if the request cannot be met.
    pub fn brk(&self, want: u64) -> u64 {
        let mut m = self.lock();
        let (start, cur) = (m.brk_start, m.brk);
        if want < start || want > start + (1 << 40) {
            return cur;
        }
        let (old_top, new_top) = (page_up(cur).unwrap_or(cur), page_up(want).unwrap_or(want));
        if new_top > old_top {
            if !Self::is_free(&m, old_top, new_top) {
                return cur;
            }
            let Ok(chunk) = self.pool.allocate(new_top - old_top) else {
                return cur;
            };
            let v = Vma {
                start: old_top,
                end: new_top,
                prot: Prot::READ | Prot::WRITE,
                shared: false,
                kind: VmaKind::Heap,
                chunk,
                chunk_off: 0,
            };
            m.record_map(&v);
            m.vmas.insert(old_top, v);
        } else if new_top < old_top {
            let removed = Self::carve(&mut m, new_top, old_top);
            m.record(Op::Unmap { start: new_top, len: old_top - new_top });
            self.discard(&removed);
        }
        m.brk = want;
        want
    }

    /// mremap(2) for the cases glibc uses: shrink in place, grow in place when free,
    /// else move (MREMAP_MAYMOVE) by remapping the same chunks elsewhere (no copy).
    pub fn remap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        may_move: bool,
        fixed: Option<u64>,
    ) -> Result<u64, Errno> {
        let old_end = old.checked_add(old_len).ok_or(Errno::EFAULT)?;
        let mut m = self.lock();
        // The old range must be one mapping.
        let (vstart, vend) = {
            let (_, v) = m.vmas.range(..=old).next_back().ok_or(Errno::EFAULT)?;
            if v.end < old_end || v.end <= old {
                return Err(Errno::EFAULT);
            }
            (v.start, v.end)
        };
        let _ = vstart;
        if fixed.is_none() && new_len <= old_len {
            drop(m);
            if new_len < old_len {
                self.unmap(old + new_len, old_len - new_len)?;
            }
            return Ok(old);
        }
        if fixed.is_none() && old_end == vend && Self::is_free(&m, old_end, old + new_len) {
            // Grow in place with a fresh chunk for the extension.
            let tmpl = m.vmas.range(..=old).next_back().map(|(_, v)| v.clone()).ok_or(Errno::EFAULT)?;
            let chunk = self.pool.allocate(new_len - old_len)?;
            let kind = if tmpl.shared { tmpl.kind.clone() } else { VmaKind::Anon };
            let v = Vma {
                start: old_end,
                end: old + new_len,
                prot: tmpl.prot,
                shared: tmpl.shared,
                kind,
                chunk,
                chunk_off: 0,
            };
            m.record_map(&v);
            m.vmas.insert(v.start, v);
            return Ok(old);
        }
        if !may_move {
            return Err(Errno::ENOMEM);
        }
        let dest = match fixed {
            Some(d) => {
                let removed = Self::carve(&mut m, d, d.checked_add(new_len).ok_or(Errno::EINVAL)?);
                if !removed.is_empty() {
                    m.record(Op::Unmap { start: d, len: new_len });
                }
                self.discard(&removed);
                d
            }
            None => Self::find_gap(&m, new_len, m.mmap_base).ok_or(Errno::ENOMEM)?,
        };
        let pieces = Self::carve(&mut m, old, old_end);
        m.record(Op::Unmap { start: old, len: old_len });
        let mut tmpl = None;
        let mut last_end = dest;
        for mut v in pieces {
            let delta = v.start - old;
            let len = v.end - v.start;
            v.start = dest + delta;
            v.end = v.start + len.min(new_len.saturating_sub(delta));
            if v.end <= v.start {
                continue;
            }
            last_end = v.end;
            m.record_map(&v);
            tmpl = Some(v.clone());
            m.vmas.insert(v.start, v);
        }
        if let Some(t) = tmpl {
            if last_end < dest + new_len {
                let chunk = self.pool.allocate(dest + new_len - last_end)?;
                let v = Vma {
                    start: last_end,
                    end: dest + new_len,
                    prot: t.prot,
                    shared: t.shared,
                    kind: VmaKind::Anon,
                    chunk,
                    chunk_off: 0,
                };
                m.record_map(&v);
                m.vmas.insert(v.start, v);
            }
        }
        Ok(dest)
    }

    /// madvise(MADV_DONTNEED): private anonymous pages read as zero afterwards.
    pub fn dont_need(&self, addr: u64, len: u64) -> Result<(), Errno> {
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        let m = self.lock();
        for (_, v) in m.vmas.range(..end) {
            if v.end <= addr || v.shared {
                continue;
            }
            let (s, e) = (v.start.max(addr), v.end.min(end));
            self.pool.file.punch(v.file_off(s), e - s);
        }
        Ok(())
    }

    /// Walks `[addr, addr+len)` calling `f(file_offset, range_in_buffer)` for each piece,
    /// after checking that every page is mapped with `need` access. EFAULT otherwise.
    fn for_each_piece(
        &self,
        addr: u64,
        len: usize,
        write: bool,
        mut f: impl FnMut(u64, std::ops::Range<usize>),
    ) -> Result<(), Errno> {
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len as u64).ok_or(Errno::EFAULT)?;
        let m = self.lock();
        let mut at = addr;
        let first = m.vmas.range(..=addr).next_back().map(|(&k, _)| k).ok_or(Errno::EFAULT)?;
        for (_, v) in m.vmas.range(first..) {
            if at >= end {
                break;
            }
            if v.start > at || v.end <= at {
                return Err(Errno::EFAULT);
            }
            let ok = if write {
                v.prot.contains(Prot::WRITE)
            } else {
                !(v.prot & (Prot::READ | Prot::WRITE | Prot::EXEC)).is_empty()
            };
            if !ok {
                return Err(Errno::EFAULT);
            }
            let piece_end = v.end.min(end);
            f(v.file_off(at), (at - addr) as usize..(piece_end - addr) as usize);
            at = piece_end;
        }
        if at < end {
            return Err(Errno::EFAULT);
        }
        Ok(())
    }

    /// The current generation (changes so far).
    pub fn generation(&self) -> u64 {
        self.lock().gen()
    }

    /// Brings the stub behind `asp` up to date with this address space. `synced` is
    /// the generation it last saw (None: a fresh stub, which gets every mapping).
    pub fn sync(&self, asp: &dyn AddressSpace, synced: &mut Option<u64>) -> Result<(), PlatformError> {
        let m = self.lock();
        let gen = m.gen();
        if *synced == Some(gen) {
            return Ok(());
        }
        match *synced {
            Some(s) if s >= m.log_base => {
                for op in &m.log[(s - m.log_base) as usize..] {
                    match *op {
                        Op::Map { start, len, prot, off } => asp.map_file(start, len, prot, off)?,
                        Op::Unmap { start, len } => asp.unmap(start, len)?,
                        Op::Protect { start, len, prot } => asp.protect(start, len, prot)?,
                    }
                }
            }
            Some(_) => {
                asp.unmap(MIN_USER_ADDR, MAX_USER_ADDR - MIN_USER_ADDR)?;
                for v in m.vmas.values() {
                    asp.map_file(v.start, v.end - v.start, v.prot.bits() & 7, v.file_off(v.start))?;
                }
            }
            None => {
                for v in m.vmas.values() {
                    asp.map_file(v.start, v.end - v.start, v.prot.bits() & 7, v.file_off(v.start))?;
                }
            }
        }
        *synced = Some(gen);
        Ok(())
    }

    /// The memory-file offset behind `addr`, which must be readable (futex keys:
    /// the same for every process and thread that maps the page).
    pub fn file_offset(&self, addr: u64, write: bool) -> Result<u64, Errno> {
        let mut off = None;
        self.for_each_piece(addr, 4, write, |o, _| {
            if off.is_none() {
                off = Some(o);
            }
        })?;
        off.ok_or(Errno::EFAULT)
    }

    /// Copies guest bytes at `addr` into `buf`; EFAULT if any byte is not readable.
    pub fn copy_in_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        let file = &self.pool.file;
        let mut pieces = Vec::new();
        self.for_each_piece(addr, buf.len(), false, |off, r| pieces.push((off, r)))?;
        for (off, r) in pieces {
            file.read(off, &mut buf[r]);
        }
        Ok(())
    }

    /// Copies `buf` to guest memory at `addr`; EFAULT if any byte is not writable.
    pub fn copy_out_bytes(&self, addr: u64, buf: &[u8]) -> Result<(), Errno> {
        let file = &self.pool.file;
        let mut pieces = Vec::new();
        self.for_each_piece(addr, buf.len(), true, |off, r| pieces.push((off, r)))?;
        for (off, r) in pieces {
            file.write(off, &buf[r]);
        }
        Ok(())
    }

    /// Like [`copy_out_bytes`](Self::copy_out_bytes) but ignoring protection (the
    /// loader filling read-only segments; ptrace-style pokes). Still EFAULT if unmapped.
    pub fn poke_bytes(&self, addr: u64, buf: &[u8]) -> Result<(), Errno> {
        let file = &self.pool.file;
        let mut pieces = Vec::new();
        // Check mapping only: treat as a read check so any mapped page is accepted,
        // including PROT_NONE ones.
        let end = addr.checked_add(buf.len() as u64).ok_or(Errno::EFAULT)?;
        {
            let m = self.lock();
            let mut at = addr;
            for (_, v) in m.vmas.range(..end) {
                if v.end <= at {
                    continue;
                }
                if v.start > at {
                    return Err(Errno::EFAULT);
                }
                let pe = v.end.min(end);
                pieces.push((v.file_off(at), (at - addr) as usize..(pe - addr) as usize));
                at = pe;
            }
            if at < end {
                return Err(Errno::EFAULT);
            }
        }
        for (off, r) in pieces {
            file.write(off, &buf[r]);
        }
        Ok(())
    }

    /// Calls `f(memory_file, file_offset, len)` for each piece of `[addr, addr+len)`,
    /// after checking access: lets host I/O go straight into or out of guest pages.
    /// `f` returns how many bytes it moved; a short count ends the walk.
    pub fn with_pieces(
        &self,
        addr: u64,
        len: usize,
        write: bool,
        mut f: impl FnMut(&MemoryFile, u64, usize) -> Result<usize, Errno>,
    ) -> Result<usize, Errno> {
        let mut pieces = Vec::new();
        self.for_each_piece(addr, len, write, |off, r| pieces.push((off, r.len())))?;
        let mut done = 0;
        for (off, n) in pieces {
            let got = match f(&self.pool.file, off, n) {
                Ok(g) => g,
                Err(e) if done == 0 => return Err(e),
                Err(_) => return Ok(done),
            };
            done += got;
            if got < n {
                break;
            }
        }
        Ok(done)
    }

    /// Copies a value in from the guest.
    pub fn copy_in<T: FromBytes + IntoBytes>(&self, addr: u64) -> Result<T, Errno> {
        let mut v = T::new_zeroed();
        self.copy_in_bytes(addr, v.as_mut_bytes())?;
        Ok(v)
    }

    /// Copies a value out to the guest.
    pub fn copy_out<T: IntoBytes + Immutable>(&self, addr: u64, v: &T) -> Result<(), Errno> {
        self.copy_out_bytes(addr, v.as_bytes())
    }

    /// Reads a NUL-terminated string of at most `max` bytes including the NUL.
    /// ENAMETOOLONG when longer, EFAULT when unreadable before the NUL.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut at = addr;
        while out.len() < max {
            let to_page_end = (PAGE_SIZE - (at % PAGE_SIZE)) as usize;
            let n = to_page_end.min(max - out.len());
            let mut buf = vec![0u8; n];
            self.copy_in_bytes(at, &mut buf)?;
            if let Some(i) = buf.iter().position(|&b| b == 0) {
                out.extend_from_slice(&buf[..i]);
                return Ok(out);
            }
            out.extend_from_slice(&buf);
            at += n as u64;
        }
        Err(Errno::ENAMETOOLONG)
    }

    /// Reads a NULL-terminated array of string pointers (argv, envp).
    pub fn read_cstr_array(&self, addr: u64, max_total: usize) -> Result<Vec<Vec<u8>>, Errno> {
        let mut out = Vec::new();
        let mut total = 0usize;
        if addr == 0 {
            return Ok(out);
        }
        for i in 0.. {
            let p: u64 = self.copy_in(addr + 8 * i)?;
            if p == 0 {
                break;
            }
            let s =
                self.read_cstr(p, 128 * 1024).map_err(|e| if e == Errno::ENAMETOOLONG { Errno::E2BIG } else { e })?;
            total += s.len() + 1 + 8;
            if total > max_total {
                return Err(Errno::E2BIG);
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Reads an iovec array (`UIO_MAXIOV` at most, else EINVAL).
    pub fn read_iovecs(&self, addr: u64, count: usize) -> Result<Vec<sbx_abi::structs::Iovec>, Errno> {
        if count > sbx_abi::structs::UIO_MAXIOV {
            return Err(Errno::EINVAL);
        }
        let mut v = vec![sbx_abi::structs::Iovec::default(); count];
        self.copy_in_bytes(addr, v.as_mut_slice().as_mut_bytes())?;
        let mut total: u64 = 0;
        for iov in &v {
            total = total.checked_add(iov.iov_len).ok_or(Errno::EINVAL)?;
            if total > isize::MAX as u64 {
                return Err(Errno::EINVAL);
            }
        }
        Ok(v)
    }

    /// A snapshot of the mappings, in address order (for /proc/PID/maps).
    pub fn vmas(&self) -> Vec<Vma> {
        self.lock().vmas.values().cloned().collect()
    }

    /// The current program break.
    pub fn current_brk(&self) -> u64 {
        self.lock().brk
    }

    /// Removes every mapping (execve, exit).
    pub fn clear(&self) -> Result<(), Errno> {
        let mut m = self.lock();
        let removed = Self::carve(&mut m, MIN_USER_ADDR, MAX_USER_ADDR);
        if !removed.is_empty() {
            m.record(Op::Unmap { start: MIN_USER_ADDR, len: MAX_USER_ADDR - MIN_USER_ADDR });
        }
        self.discard(&removed);
        m.brk = 0;
        m.brk_start = 0;
        m.mmap_base = MAX_USER_ADDR;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mm() -> MemoryManager {
        MemoryManager::new(MemoryPool::new().unwrap())
    }

    #[test]
    fn map_copy_unmap() {
        let mm = mm();
        mm.set_mmap_base(0x7000_0000_0000);
        let a = mm.map(Placement::Hint(0), 8192, Prot::READ | Prot::WRITE, false, VmaKind::Anon, None).unwrap();
        assert_eq!(a, 0x7000_0000_0000 - 8192);
        mm.copy_out_bytes(a + 4090, b"hello world").unwrap();
        let mut b = [0u8; 11];
        mm.copy_in_bytes(a + 4090, &mut b).unwrap();
        assert_eq!(&b, b"hello world");
        assert_eq!(mm.copy_in_bytes(a + 8190, &mut b), Err(Errno::EFAULT));
        mm.unmap(a, 4096).unwrap();
        assert_eq!(mm.copy_in_bytes(a, &mut b), Err(Errno::EFAULT));
        mm.copy_in_bytes(a + 4096, &mut b[..4]).unwrap();
    }

    #[test]
    fn protection_is_checked() {
        let mm = mm();
        let a = mm.map(Placement::Fixed(0x10_0000), 4096, Prot::READ, false, VmaKind::Anon, None).unwrap();
        assert_eq!(mm.copy_out_bytes(a, b"x"), Err(Errno::EFAULT));
        mm.protect(a, 4096, Prot::READ | Prot::WRITE).unwrap();
        mm.copy_out_bytes(a, b"x").unwrap();
        mm.protect(a, 4096, Prot::empty()).unwrap();
        assert_eq!(mm.copy_in::<u8>(a), Err(Errno::EFAULT));
        assert_eq!(mm.protect(a, 8192, Prot::READ), Err(Errno::ENOMEM));
    }

    #[test]
    fn cstr_and_brk() {
        let mm = mm();
        let a =
            mm.map(Placement::Fixed(0x20_0000), 4096, Prot::READ | Prot::WRITE, false, VmaKind::Anon, None).unwrap();
        mm.copy_out_bytes(a + 4093, b"ab\0").unwrap();
        assert_eq!(mm.read_cstr(a + 4093, 10).unwrap(), b"ab");
        mm.copy_out_bytes(a + 4093, b"abc").unwrap();
        assert_eq!(mm.read_cstr(a + 4093, 10), Err(Errno::EFAULT));
        assert_eq!(mm.read_cstr(a + 4093, 2), Err(Errno::ENAMETOOLONG));
        mm.set_brk_start(0x40_0123);
        assert_eq!(mm.brk(0), 0x40_1000);
        assert_eq!(mm.brk(0x40_5000), 0x40_5000);
        mm.copy_out_bytes(0x40_4fff, b"z").unwrap();
        assert_eq!(mm.brk(0x40_2000), 0x40_2000);
        assert_eq!(mm.copy_in::<u8>(0x40_4fff), Err(Errno::EFAULT));
    }

    #[test]
    fn remap_moves_without_copy() {
        let mm = mm();
        mm.set_mmap_base(0x5000_0000);
        let a =
            mm.map(Placement::Fixed(0x1000_0000), 4096, Prot::READ | Prot::WRITE, false, VmaKind::Anon, None).unwrap();
        mm.map(Placement::Fixed(0x1000_1000), 4096, Prot::READ, false, VmaKind::Anon, None).unwrap();
        mm.copy_out_bytes(a, b"keep").unwrap();
        assert_eq!(mm.remap(a, 4096, 16384, false, None), Err(Errno::ENOMEM));
        let b = mm.remap(a, 4096, 16384, true, None).unwrap();
        assert_ne!(a, b);
        let mut buf = [0u8; 4];
        mm.copy_in_bytes(b, &mut buf).unwrap();
        assert_eq!(&buf, b"keep");
        mm.copy_out_bytes(b + 16383, b"!").unwrap();
        assert_eq!(mm.copy_in::<u8>(a), Err(Errno::EFAULT));
    }
}
