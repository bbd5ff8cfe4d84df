//! File descriptor tables.

use std::sync::{Arc, Mutex, MutexGuard};

use sbx_abi::Errno;

use super::FileDescription;

/// One slot of the table.
#[derive(Clone)]
struct Slot {
    file: Arc<FileDescription>,
    cloexec: bool,
}

/// A process's file descriptor table (shared by CLONE_FILES).
pub struct FdTable {
    inner: Mutex<Vec<Option<Slot>>>,
    /// RLIMIT_NOFILE soft limit in force for new fds.
    limit: std::sync::atomic::AtomicU64,
}

impl Default for FdTable {
    fn default() -> Self {
        Self::new()
    }
}

impl FdTable {
    /// An empty table.
    pub fn new() -> Self {
        FdTable { inner: Mutex::new(Vec::new()), limit: std::sync::atomic::AtomicU64::new(1024) }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Option<Slot>>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the fd limit (RLIMIT_NOFILE).
    pub fn set_limit(&self, n: u64) {
        self.limit.store(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// The fd limit.
    pub fn limit(&self) -> u64 {
        self.limit.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The description behind `fd`; EBADF if none.
    pub fn get(&self, fd: i32) -> Result<Arc<FileDescription>, Errno> {
        let t = self.lock();
        usize::try_from(fd)
            .ok()
            .and_then(|i| t.get(i))
            .and_then(|s| s.as_ref())
            .map(|s| s.file.clone())
            .ok_or(Errno::EBADF)
    }

    /// The close-on-exec flag of `fd`.
    pub fn cloexec(&self, fd: i32) -> Result<bool, Errno> {
        let t = self.lock();
        usize::try_from(fd).ok().and_then(|i| t.get(i)).and_then(|s| s.as_ref()).map(|s| s.cloexec).ok_or(Errno::EBADF)
    }

    /// Sets the close-on-exec flag of `fd`.
    pub fn set_cloexec(&self, fd: i32, on: bool) -> Result<(), Errno> {
        let mut t = self.lock();
        let s = usize::try_from(fd).ok().and_then(|i| t.get_mut(i)).and_then(|s| s.as_mut()).ok_or(Errno::EBADF)?;
        s.cloexec = on;
        Ok(())
    }

    /// Installs `file` at the lowest free fd ≥ `min`; EMFILE past the limit.
    pub fn install_from(&self, min: i32, file: Arc<FileDescription>, cloexec: bool) -> Result<i32, Errno> {
        let limit = self.limit() as usize;
        let min = usize::try_from(min).map_err(|_| Errno::EINVAL)?;
        if min >= limit {
            return Err(Errno::EINVAL);
        }
        let mut t = self.lock();
        let mut i = min;
        while i < t.len() && t[i].is_some() {
            i += 1;
        }
        if i >= limit {
            return Err(Errno::EMFILE);
        }
        if i >= t.len() {
            t.resize(i + 1, None);
        }
        t[i] = Some(Slot { file, cloexec });
        Ok(i as i32)
    }

    /// Installs `file` at the lowest free fd.
    pub fn install(&self, file: Arc<FileDescription>, cloexec: bool) -> Result<i32, Errno> {
        self.install_from(0, file, cloexec)
    }

    /// Installs `file` at exactly `fd`, returning what was there (dup2 semantics; the
    /// caller drops it outside the lock). EBADF if `fd` is beyond the limit.
    pub fn install_at(
        &self,
        fd: i32,
        file: Arc<FileDescription>,
        cloexec: bool,
    ) -> Result<Option<Arc<FileDescription>>, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        if i as u64 >= self.limit() {
            return Err(Errno::EBADF);
        }
        let mut t = self.lock();
        if i >= t.len() {
            t.resize(i + 1, None);
        }
        Ok(t[i].replace(Slot { file, cloexec }).map(|s| s.file))
    }

    /// Removes `fd`; EBADF if it was not open.
    pub fn remove(&self, fd: i32) -> Result<Arc<FileDescription>, Errno> {
        let mut t = self.lock();
        let slot = usize::try_from(fd).ok().and_then(|i| t.get_mut(i)).ok_or(Errno::EBADF)?;
        slot.take().map(|s| s.file).ok_or(Errno::EBADF)
    }

    /// Closes every close-on-exec fd (execve).
    pub fn close_on_exec(&self) {
        let dropped: Vec<Slot> = {
            let mut t = self.lock();
            t.iter_mut().filter(|s| s.as_ref().is_some_and(|s| s.cloexec)).filter_map(|s| s.take()).collect()
        };
        drop(dropped);
    }

    /// Closes every fd (the last user of the table is exiting).
    pub fn clear(&self) {
        let dropped: Vec<Option<Slot>> = std::mem::take(&mut *self.lock());
        drop(dropped);
    }

    /// The open fds, ascending.
    pub fn fds(&self) -> Vec<i32> {
        self.lock().iter().enumerate().filter(|(_, s)| s.is_some()).map(|(i, _)| i as i32).collect()
    }

    /// A copy of the table (fork without CLONE_FILES): same descriptions, new table.
    pub fn fork(&self) -> FdTable {
        FdTable { inner: Mutex::new(self.lock().clone()), limit: std::sync::atomic::AtomicU64::new(self.limit()) }
    }
}
