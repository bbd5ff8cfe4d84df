//! Allocation of memory-file ranges. Every page of guest memory lives in a
//! [`Chunk`]: a refcounted range of the memory file, given back (and its pages
//! released to the host) when the last mapping that uses it goes away.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use sbx_abi::Errno;

use super::access::MemoryFile;

/// The memory file and its free-range allocator: a Kernel component (the sandbox's
/// memory), shared by every address space of the sandbox.
pub struct MemoryPool {
    /// The memory file itself.
    pub file: MemoryFile,
    /// Free ranges: offset → length, coalesced.
    free: Mutex<BTreeMap<u64, u64>>,
}

impl MemoryPool {
    /// A new, empty pool with a fresh memory file.
    pub fn new() -> std::io::Result<Arc<Self>> {
        let file = MemoryFile::new()?;
        let mut free = BTreeMap::new();
        free.insert(0, file.size());
        Ok(Arc::new(MemoryPool { file, free: Mutex::new(free) }))
    }

    /// Allocates `len` bytes (a multiple of the page size) of zeroed memory file.
    pub fn allocate(self: &Arc<Self>, len: u64) -> Result<Arc<Chunk>, Errno> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let (&off, &flen) = free.iter().find(|(_, &l)| l >= len).ok_or(Errno::ENOMEM)?;
        free.remove(&off);
        if flen > len {
            free.insert(off + len, flen - len);
        }
        Ok(Arc::new(Chunk { pool: self.clone(), off, len }))
    }

    fn release(&self, off: u64, len: u64) {
        self.file.punch(off, len);
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let (mut off, mut len) = (off, len);
        if let Some((&poff, &plen)) = free.range(..off).next_back() {
            if poff + plen == off {
                free.remove(&poff);
                off = poff;
                len += plen;
            }
        }
        if let Some(&nlen) = free.get(&(off + len)) {
            free.remove(&(off + len));
            len += nlen;
        }
        free.insert(off, len);
    }

    /// Bytes currently allocated (for sysinfo and limits).
    pub fn allocated(&self) -> u64 {
        let free: u64 = self.free.lock().unwrap_or_else(|e| e.into_inner()).values().sum();
        self.file.size() - free
    }
}

/// A range of the memory file owned by one or more mappings.
pub struct Chunk {
    pool: Arc<MemoryPool>,
    /// Offset in the memory file.
    pub off: u64,
    /// Length.
    pub len: u64,
}

impl Chunk {
    /// The pool (and so the memory file) this chunk lives in.
    pub fn pool(&self) -> &Arc<MemoryPool> {
        &self.pool
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        self.pool.release(self.off, self.len);
    }
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chunk({:#x}+{:#x})", self.off, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocate_free_coalesce() {
        let p = MemoryPool::new().unwrap();
        let a = p.allocate(4096).unwrap();
        let b = p.allocate(8192).unwrap();
        assert_eq!(a.off, 0);
        assert_eq!(b.off, 4096);
        assert_eq!(p.allocated(), 12288);
        drop(a);
        drop(b);
        assert_eq!(p.allocated(), 0);
        assert_eq!(p.allocate(12288).unwrap().off, 0);
    }
}
