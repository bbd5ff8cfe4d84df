//! inotify(7): watches on inodes and the event queues of inotify files.
//!
//! [`Notify`] is a Kernel component: the table of every watch in the sandbox,
//! keyed by inode identity (device, inode number). The VFS calls one of its hooks
//! where an operation happens (open, read, write, close, chmod, create, unlink,
//! rename, ...). Each hook first checks an atomic watch count, so file operations
//! cost one load while no watch exists anywhere.
//!
//! An event about a file goes to a watch on its parent directory (with the file's
//! name) and then to a watch on the file itself, as fsnotify does; `IN_ISDIR` marks
//! events about directories. An event identical to the last one queued is dropped
//! (coalescing); a queue holding [`MAX_QUEUED`] events takes one `IN_Q_OVERFLOW`
//! and drops the rest until read. Watches are removed (`IN_IGNORED`) by
//! inotify_rm_watch, after an `IN_ONESHOT` event, and when their inode is deleted
//! (`IN_DELETE_SELF`, which like Linux waits for the last close of a file that is
//! still open when its last link goes; a removed directory reports it at once even
//! when open, where Linux also waits: directories keep no open count here).
//!
//! Lock order: `Notify::inner` → `Instance::state`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use sbx_abi::flags::{ioctl, OpenFlags, S_IFDIR, S_IFMT};
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{POLLIN, POLLRDNORM};
use crate::kernel::{signals, Task};
use crate::vfs::{FileDescription, FileOps, Inode, Location};

/// File was accessed (read).
pub const IN_ACCESS: u32 = 0x1;
/// File was modified.
pub const IN_MODIFY: u32 = 0x2;
/// Metadata changed.
pub const IN_ATTRIB: u32 = 0x4;
/// Writable file was closed.
pub const IN_CLOSE_WRITE: u32 = 0x8;
/// Unwritable file closed.
pub const IN_CLOSE_NOWRITE: u32 = 0x10;
/// File was opened.
pub const IN_OPEN: u32 = 0x20;
/// File was moved from X.
pub const IN_MOVED_FROM: u32 = 0x40;
/// File was moved to Y.
pub const IN_MOVED_TO: u32 = 0x80;
/// Subfile was created.
pub const IN_CREATE: u32 = 0x100;
/// Subfile was deleted.
pub const IN_DELETE: u32 = 0x200;
/// Self was deleted.
pub const IN_DELETE_SELF: u32 = 0x400;
/// Self was moved.
pub const IN_MOVE_SELF: u32 = 0x800;
/// Backing file system was unmounted.
pub const IN_UNMOUNT: u32 = 0x2000;
/// Event queue overflowed.
pub const IN_Q_OVERFLOW: u32 = 0x4000;
/// Watch was removed.
pub const IN_IGNORED: u32 = 0x8000;
/// Only watch the path if it is a directory.
pub const IN_ONLYDIR: u32 = 0x0100_0000;
/// Do not follow a symlink.
pub const IN_DONT_FOLLOW: u32 = 0x0200_0000;
/// No events for children once they are unlinked.
pub const IN_EXCL_UNLINK: u32 = 0x0400_0000;
/// Fail with EEXIST if the inode is watched already.
pub const IN_MASK_CREATE: u32 = 0x1000_0000;
/// Add to the mask of an existing watch.
pub const IN_MASK_ADD: u32 = 0x2000_0000;
/// The event is about a directory.
pub const IN_ISDIR: u32 = 0x4000_0000;
/// Only send the event once.
pub const IN_ONESHOT: u32 = 0x8000_0000;
/// Every event a watch can ask for.
pub const IN_ALL_EVENTS: u32 = 0xfff;
/// Every bit inotify_add_watch accepts.
pub const IN_VALID: u32 = IN_ALL_EVENTS
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
    | IN_EXCL_UNLINK
    | IN_MASK_CREATE
    | IN_MASK_ADD
    | IN_ISDIR
    | IN_ONESHOT
    | IN_UNMOUNT
    | IN_Q_OVERFLOW
    | IN_IGNORED;

/// Most events one inotify file queues (/proc/sys/fs/inotify/max_queued_events).
pub const MAX_QUEUED: usize = 16384;
/// Size of `struct inotify_event` without the name.
const HEADER: usize = 16;

/// An inode's identity: (device, inode number).
pub type Key = (u64, u64);

fn key_of(st: &Stat) -> Key {
    (st.st_dev, st.st_ino)
}

fn isdir(st: &Stat) -> u32 {
    if st.st_mode & S_IFMT == S_IFDIR {
        IN_ISDIR
    } else {
        0
    }
}

/// One queued event.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Event {
    wd: i32,
    mask: u32,
    cookie: u32,
    name: Vec<u8>,
}

impl Event {
    /// The name field's length: the name, a NUL, padded to the header's size.
    fn name_len(&self) -> usize {
        if self.name.is_empty() {
            0
        } else {
            (self.name.len() + 1).div_ceil(HEADER) * HEADER
        }
    }

    fn size(&self) -> usize {
        HEADER + self.name_len()
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.wd.to_le_bytes());
        out.extend_from_slice(&self.mask.to_le_bytes());
        out.extend_from_slice(&self.cookie.to_le_bytes());
        out.extend_from_slice(&(self.name_len() as u32).to_le_bytes());
        let start = out.len();
        out.extend_from_slice(&self.name);
        out.resize(start + self.name_len(), 0);
    }
}

struct InstState {
    queue: VecDeque<Event>,
    /// Bytes of the queued events (FIONREAD).
    bytes: usize,
    next_wd: i32,
    /// The instance's watches: wd → watched inode.
    wds: HashMap<i32, Key>,
    /// The IN_Q_OVERFLOW event is in the queue (there is at most one).
    overflowed: bool,
}

/// The shared part of one inotify file: its event queue and watch descriptors.
pub struct Instance {
    state: Mutex<InstState>,
    cond: Condvar,
    seq: AtomicU64,
}

impl Instance {
    fn lock(&self) -> MutexGuard<'_, InstState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn id(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    /// Queues `ev`, coalescing it with an identical last event, and turning it
    /// into the one overflow event when the queue is full.
    fn push(&self, ev: Event) {
        let mut s = self.lock();
        let overflow = Event { wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: Vec::new() };
        let ev = if s.queue.len() >= MAX_QUEUED {
            if s.overflowed {
                return;
            }
            s.overflowed = true;
            overflow
        } else {
            if ev.mask & IN_IGNORED == 0 && s.queue.back() == Some(&ev) {
                return;
            }
            ev
        };
        s.bytes += ev.size();
        s.queue.push_back(ev);
        drop(s);
        self.seq.fetch_add(1, Ordering::Relaxed);
        self.cond.notify_all();
    }
}

struct Watch {
    inst: Weak<Instance>,
    inst_id: usize,
    wd: i32,
    mask: u32,
}

#[derive(Default)]
struct Registry {
    by_key: HashMap<Key, Vec<Watch>>,
    /// Watched files whose last link went while they were open: their
    /// IN_DELETE_SELF waits for the last close.
    doomed: HashSet<Key>,
}

/// The sandbox's inotify watches (a Kernel component) and the hooks the VFS calls.
#[derive(Default)]
pub struct Notify {
    watches: AtomicUsize,
    inner: Mutex<Registry>,
    cookie: AtomicU32,
}

impl Notify {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any watch exists (the hooks do nothing otherwise).
    pub fn active(&self) -> bool {
        self.watches.load(Ordering::Relaxed) != 0
    }

    /// A new inotify instance.
    pub fn new_instance() -> Arc<Instance> {
        Arc::new(Instance {
            state: Mutex::new(InstState {
                queue: VecDeque::new(),
                bytes: 0,
                next_wd: 1,
                wds: HashMap::new(),
                overflowed: false,
            }),
            cond: Condvar::new(),
            seq: AtomicU64::new(0),
        })
    }

    /// inotify_add_watch(2) on the inode with attributes `st`: returns the watch
    /// descriptor (the existing one if the instance watches the inode already).
    pub fn add_watch(&self, inst: &Arc<Instance>, st: &Stat, mask: u32) -> Result<i32, Errno> {
        let key = key_of(st);
        let keep = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
        let mut r = self.lock();
        let list = r.by_key.entry(key).or_default();
        if let Some(w) = list.iter_mut().find(|w| w.inst_id == inst.id()) {
            if mask & IN_MASK_CREATE != 0 {
                return Err(Errno::EEXIST);
            }
            w.mask = if mask & IN_MASK_ADD != 0 { w.mask | keep } else { keep };
            return Ok(w.wd);
        }
        let mut s = inst.lock();
        let wd = s.next_wd;
        s.next_wd = s.next_wd.checked_add(1).ok_or(Errno::ENOSPC)?;
        s.wds.insert(wd, key);
        list.push(Watch { inst: Arc::downgrade(inst), inst_id: inst.id(), wd, mask: keep });
        self.watches.fetch_add(1, Ordering::Relaxed);
        Ok(wd)
    }

    /// inotify_rm_watch(2): EINVAL for a descriptor the instance does not have.
    pub fn rm_watch(&self, inst: &Arc<Instance>, wd: i32) -> Result<(), Errno> {
        let mut r = self.lock();
        let key = inst.lock().wds.remove(&wd).ok_or(Errno::EINVAL)?;
        Self::unlink_watch(&mut r, key, inst.id());
        self.watches.fetch_sub(1, Ordering::Relaxed);
        drop(r);
        inst.push(Event { wd, mask: IN_IGNORED, cookie: 0, name: Vec::new() });
        Ok(())
    }

    fn unlink_watch(r: &mut Registry, key: Key, inst_id: usize) {
        if let Some(list) = r.by_key.get_mut(&key) {
            list.retain(|w| w.inst_id != inst_id);
            if list.is_empty() {
                r.by_key.remove(&key);
                r.doomed.remove(&key);
            }
        }
    }

    /// Drops every watch of an instance whose file is gone.
    fn forget(&self, inst: &Instance) {
        let mut r = self.lock();
        let id = inst as *const Instance as usize;
        let wds: Vec<Key> = inst.lock().wds.drain().map(|(_, k)| k).collect();
        for key in wds {
            Self::unlink_watch(&mut r, key, id);
            self.watches.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Queues `mask` for the watches on `key`; `name` set means the watch is on the
    /// directory the event happened in. `unlinked` marks events about a child that
    /// has no link left (IN_EXCL_UNLINK watches skip them).
    fn deliver(&self, key: Key, mask: u32, cookie: u32, name: &[u8], unlinked: bool) {
        let mut out: Vec<(Arc<Instance>, Event)> = Vec::new();
        {
            let mut r = self.lock();
            let Some(list) = r.by_key.get_mut(&key) else { return };
            let mut gone = Vec::new();
            for w in list.iter() {
                if w.mask & mask & IN_ALL_EVENTS == 0 || (unlinked && w.mask & IN_EXCL_UNLINK != 0) {
                    continue;
                }
                let Some(inst) = w.inst.upgrade() else { continue };
                out.push((inst.clone(), Event { wd: w.wd, mask, cookie, name: name.to_vec() }));
                if w.mask & IN_ONESHOT != 0 {
                    gone.push((inst, w.wd));
                }
            }
            for (inst, wd) in &gone {
                inst.lock().wds.remove(wd);
                Self::unlink_watch(&mut r, key, inst.id());
                self.watches.fetch_sub(1, Ordering::Relaxed);
                out.push((inst.clone(), Event { wd: *wd, mask: IN_IGNORED, cookie: 0, name: Vec::new() }));
            }
        }
        // Queue (and drop the instances) outside the registry lock.
        for (inst, ev) in out {
            inst.push(ev);
        }
    }

    /// Removes every watch on `key` after its inode is gone: IN_DELETE_SELF (never
    /// with IN_ISDIR, as Linux reports it), then IN_IGNORED.
    fn delete_self(&self, key: Key) {
        self.deliver(key, IN_DELETE_SELF, 0, &[], false);
        let mut out = Vec::new();
        {
            let mut r = self.lock();
            r.doomed.remove(&key);
            for w in r.by_key.remove(&key).unwrap_or_default() {
                self.watches.fetch_sub(1, Ordering::Relaxed);
                if let Some(inst) = w.inst.upgrade() {
                    inst.lock().wds.remove(&w.wd);
                    out.push((inst, w.wd));
                }
            }
        }
        for (inst, wd) in out {
            inst.push(Event { wd, mask: IN_IGNORED, cookie: 0, name: Vec::new() });
        }
    }

    /// An event about the file at `loc`: to its directory's watches with its name,
    /// then to its own. Returns the file's attributes.
    fn file_event(&self, loc: &Location, mask: u32) -> Option<Stat> {
        let st = loc.inode().stat().ok()?;
        let mask = mask | isdir(&st);
        if let Some((parent, name)) = loc.parent_and_name() {
            if let Ok(pst) = parent.stat() {
                self.deliver(key_of(&pst), mask, 0, name, st.st_nlink == 0);
            }
        }
        self.deliver(key_of(&st), mask, 0, &[], false);
        Some(st)
    }

    /// An event in the directory at `dir` about its entry `name`.
    fn child_event(&self, dir: &Location, name: &[u8], mask: u32, cookie: u32) {
        if let Ok(st) = dir.inode().stat() {
            self.deliver(key_of(&st), mask, cookie, name, false);
        }
    }

    /// `f` was opened (after `created` it by O_CREAT, truncating it if `truncated`).
    pub fn opened(&self, f: &FileDescription, created: bool, truncated: bool) {
        if !self.active() {
            return;
        }
        let Some(loc) = &f.loc else { return };
        if f.flags().contains(OpenFlags::O_PATH) {
            return;
        }
        if created {
            if let Some((parent, name)) = loc.parent_and_name() {
                if let Ok(pst) = parent.stat() {
                    let dir = loc.inode().stat().map_or(0, |s| isdir(&s));
                    self.deliver(key_of(&pst), IN_CREATE | dir, 0, name, false);
                }
            }
        }
        self.file_event(loc, IN_OPEN);
        if truncated {
            self.file_event(loc, IN_MODIFY);
        }
    }

    /// The file behind `f` was read (IN_ACCESS) or written (IN_MODIFY).
    pub fn file_io(&self, f: &FileDescription, mask: u32) {
        if !self.active() {
            return;
        }
        if let Some(loc) = &f.loc {
            self.file_event(loc, mask);
        }
    }

    /// The attributes (IN_ATTRIB) or contents (IN_MODIFY: truncate) of the file at
    /// `loc` changed through a path or descriptor.
    pub fn changed(&self, loc: &Location, mask: u32) {
        if self.active() {
            self.file_event(loc, mask);
        }
    }

    /// The last reference to `f` went: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE, and the
    /// delayed IN_DELETE_SELF of an unlinked file closed for the last time.
    pub fn closed(&self, f: &FileDescription) {
        if !self.active() {
            return;
        }
        let Some(loc) = &f.loc else { return };
        let fl = f.flags();
        if fl.contains(OpenFlags::O_PATH) {
            return;
        }
        let mask = if fl.writable() { IN_CLOSE_WRITE } else { IN_CLOSE_NOWRITE };
        let Some(st) = self.file_event(loc, mask) else { return };
        let key = key_of(&st);
        // This description's own open file still counts.
        if st.st_nlink == 0 && loc.inode().open_files() <= 1 && self.lock().doomed.contains(&key) {
            self.delete_self(key);
        }
    }

    /// `dir` got a new entry `name` (mkdir, mknod, symlink, link, O_CREAT).
    pub fn created(&self, dir: &Location, name: &[u8], is_dir: bool) {
        if self.active() {
            self.child_event(dir, name, IN_CREATE | if is_dir { IN_ISDIR } else { 0 }, 0);
        }
    }

    /// A hard link to `target` was made as `dir`/`name`.
    pub fn linked(&self, target: &Arc<dyn Inode>, dir: &Location, name: &[u8]) {
        if !self.active() {
            return;
        }
        if let Ok(st) = target.stat() {
            self.deliver(key_of(&st), IN_ATTRIB | isdir(&st), 0, &[], false);
        }
        self.child_event(dir, name, IN_CREATE, 0);
    }

    /// The link count of `victim`, once the entry that named it is gone, and the
    /// events that follow: IN_ATTRIB for a file, IN_DELETE_SELF for an inode with
    /// no link left (for an open file, at its last close).
    fn dropped_link(&self, victim: &Arc<dyn Inode>, is_dir: bool) {
        let Ok(st) = victim.stat() else { return };
        let key = key_of(&st);
        if !is_dir {
            self.deliver(key, IN_ATTRIB, 0, &[], false);
        }
        if is_dir || st.st_nlink == 0 {
            if is_dir || victim.open_files() == 0 {
                self.delete_self(key);
            } else {
                let mut r = self.lock();
                if r.by_key.contains_key(&key) {
                    r.doomed.insert(key);
                }
            }
        }
    }

    /// `dir`/`name` was unlinked or removed (rmdir); `victim` is what it named.
    pub fn unlinked(&self, dir: &Location, name: &[u8], victim: &Arc<dyn Inode>, is_dir: bool) {
        if !self.active() {
            return;
        }
        self.dropped_link(victim, is_dir);
        self.child_event(dir, name, IN_DELETE | if is_dir { IN_ISDIR } else { 0 }, 0);
    }

    /// `moved` went from `from`/`old` to `to`/`new`, replacing `replaced` if set.
    pub fn renamed(
        &self,
        from: &Location,
        old: &[u8],
        to: &Location,
        new: &[u8],
        moved: &Arc<dyn Inode>,
        replaced: Option<&Arc<dyn Inode>>,
    ) {
        if !self.active() {
            return;
        }
        let cookie = self.cookie.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let mst = moved.stat().ok();
        let dir = mst.as_ref().map_or(0, isdir);
        self.child_event(from, old, IN_MOVED_FROM | dir, cookie);
        self.child_event(to, new, IN_MOVED_TO | dir, cookie);
        let replaced = replaced.map(|r| (r, r.stat().is_ok_and(|s| isdir(&s) != 0)));
        if let Some((r, rdir)) = &replaced {
            if let Ok(st) = r.stat() {
                self.deliver(key_of(&st), IN_ATTRIB | if *rdir { IN_ISDIR } else { 0 }, 0, &[], false);
            }
        }
        if let Some(st) = &mst {
            // Like IN_DELETE_SELF, IN_MOVE_SELF comes without IN_ISDIR.
            self.deliver(key_of(st), IN_MOVE_SELF, 0, &[], false);
        }
        if let Some((r, rdir)) = replaced {
            if let Ok(st) = r.stat() {
                if rdir || (st.st_nlink == 0 && r.open_files() == 0) {
                    self.delete_self(key_of(&st));
                } else if st.st_nlink == 0 {
                    let mut reg = self.lock();
                    if reg.by_key.contains_key(&key_of(&st)) {
                        reg.doomed.insert(key_of(&st));
                    }
                }
            }
        }
    }
}

/// The FileOps of an inotify file.
pub struct InotifyFile {
    inst: Arc<Instance>,
    notify: Arc<Notify>,
}

impl InotifyFile {
    /// A new inotify file registering its watches in `notify`.
    pub fn new(notify: Arc<Notify>) -> Self {
        InotifyFile { inst: Notify::new_instance(), notify }
    }

    /// inotify_add_watch(2) for the inode with attributes `st`.
    pub fn add_watch(&self, st: &Stat, mask: u32) -> Result<i32, Errno> {
        self.notify.add_watch(&self.inst, st, mask)
    }

    /// inotify_rm_watch(2).
    pub fn rm_watch(&self, wd: i32) -> Result<(), Errno> {
        self.notify.rm_watch(&self.inst, wd)
    }
}

impl Drop for InotifyFile {
    fn drop(&mut self) {
        self.notify.forget(&self.inst);
    }
}

const SLICE: Duration = Duration::from_millis(20);

impl FileOps for InotifyFile {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(Stat { st_mode: 0o600, st_nlink: 1, st_blksize: 4096, ..Default::default() })
    }
    fn seekable(&self) -> bool {
        false
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        let mut s = self.inst.lock();
        loop {
            if let Some(first) = s.queue.front() {
                if first.size() > buf.len() {
                    return Some(Err(Errno::EINVAL));
                }
                let mut out = Vec::new();
                while let Some(ev) = s.queue.front() {
                    if out.len() + ev.size() > buf.len() {
                        break;
                    }
                    ev.encode(&mut out);
                    let (size, overflow) = (ev.size(), ev.mask == IN_Q_OVERFLOW);
                    s.bytes -= size;
                    if overflow {
                        s.overflowed = false;
                    }
                    s.queue.pop_front();
                }
                buf[..out.len()].copy_from_slice(&out);
                return Some(Ok(out.len()));
            }
            if buf.len() < HEADER {
                return Some(Err(Errno::EINVAL));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            if signals::interrupted(t) {
                return Some(Err(Errno::ERESTARTSYS));
            }
            s = self.inst.cond.wait_timeout(s, SLICE).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
    fn ioctl(&self, _f: &FileDescription, t: &Task, req: u64, arg: u64) -> Result<u64, Errno> {
        match req {
            ioctl::FIONREAD => {
                let n = self.inst.lock().bytes as i32;
                t.mm().copy_out(arg, &n)?;
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }
    fn poll(&self) -> u32 {
        if self.inst.lock().queue.is_empty() {
            0
        } else {
            POLLIN | POLLRDNORM
        }
    }
    fn poll_seq(&self) -> u64 {
        self.inst.seq.load(Ordering::Relaxed)
    }
}
