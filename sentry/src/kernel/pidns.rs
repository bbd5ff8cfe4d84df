//! PID namespaces: how a process names other processes.
//!
//! The [`PidTable`](super::process::PidTable) stores every process and thread of a
//! kernel under one *global* id (the id in the sandbox's first namespace, the root).
//! A nested namespace, made by `clone(CLONE_NEWPID)` or `unshare(CLONE_NEWPID)`, is a
//! [`PidNs`]: a second numbering of the processes created inside it (and in its
//! descendants), starting at 1. A process is visible in its own namespace and every
//! ancestor, with one id per level, as in Linux; it is invisible (id 0) from
//! namespaces that are not ancestors.
//!
//! The Sentry works with global ids everywhere; ids cross into and out of the guest
//! only through [`PidNs::local`] and [`PidNs::global`] at the syscall boundary.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Highest id handed out in a nested namespace before wrapping.
const NS_PID_MAX: i32 = 4_194_304;

#[derive(Default)]
struct Inner {
    /// Next id to try.
    next: i32,
    /// Global id → id in this namespace.
    to_local: BTreeMap<i32, i32>,
    /// Id in this namespace → global id.
    to_global: BTreeMap<i32, i32>,
    /// Global id of the namespace's init (the process that got id 1), 0 before it.
    init: i32,
    /// Set once init has exited: no process may be created inside any more.
    dead: bool,
}

/// One PID namespace.
pub struct PidNs {
    /// The namespace this one was created in (None for the root).
    pub parent: Option<Arc<PidNs>>,
    /// Depth: 0 for the root.
    pub level: u32,
    /// Unique number (for /proc/PID/ns/pid).
    pub id: u64,
    inner: Mutex<Inner>,
}

/// Most nesting Linux allows (MAX_PID_NS_LEVEL).
pub const MAX_LEVEL: u32 = 32;

impl PidNs {
    /// The root namespace of a kernel: global ids are its ids.
    pub fn root() -> Arc<Self> {
        Arc::new(PidNs { parent: None, level: 0, id: 0xEFFF_FFFC, inner: Mutex::new(Inner::default()) })
    }

    /// A child namespace of `parent`. EUSERS past the nesting limit.
    pub fn child(parent: &Arc<PidNs>, id: u64) -> Result<Arc<Self>, sbx_abi::Errno> {
        if parent.level + 1 > MAX_LEVEL {
            return Err(sbx_abi::Errno::EUSERS);
        }
        Ok(Arc::new(PidNs {
            parent: Some(parent.clone()),
            level: parent.level + 1,
            id,
            inner: Mutex::new(Inner { next: 1, ..Default::default() }),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this is the kernel's root namespace.
    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// The id of global id `g` in this namespace, 0 when it is not visible here.
    pub fn local(&self, g: i32) -> i32 {
        if self.is_root() || g <= 0 {
            return g;
        }
        self.lock().to_local.get(&g).copied().unwrap_or(0)
    }

    /// The global id of `id` as named in this namespace (None: no such id here).
    pub fn global(&self, id: i32) -> Option<i32> {
        if self.is_root() {
            return Some(id);
        }
        self.lock().to_global.get(&id).copied()
    }

    /// Whether global id `g` is visible in this namespace.
    pub fn sees(&self, g: i32) -> bool {
        self.is_root() || self.lock().to_local.contains_key(&g)
    }

    /// The global id of this namespace's init (0 for the root: its init is global 1).
    pub fn init(&self) -> i32 {
        if self.is_root() {
            1
        } else {
            self.lock().init
        }
    }

    /// Whether this namespace's init has exited.
    pub fn is_dead(&self) -> bool {
        !self.is_root() && self.lock().dead
    }

    /// Marks init gone: later forks inside fail with ENOMEM, as in Linux.
    pub fn set_dead(&self) {
        self.lock().dead = true;
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn is_ancestor_of(self: &Arc<Self>, other: &Arc<PidNs>) -> bool {
        let mut n = Some(other.clone());
        while let Some(x) = n {
            if Arc::ptr_eq(&x, self) {
                return true;
            }
            n = x.parent.clone();
        }
        false
    }

    /// Gives global id `g` an id in this namespace and every non-root ancestor.
    /// ENOMEM when the namespace's init has died (fork(2) in a dead namespace).
    pub fn register(self: &Arc<Self>, g: i32) -> Result<(), sbx_abi::Errno> {
        let mut done: Vec<&PidNs> = Vec::new();
        let mut n: &PidNs = self;
        while !n.is_root() {
            let r = {
                let mut i = n.lock();
                if i.dead {
                    Err(sbx_abi::Errno::ENOMEM)
                } else {
                    let mut id = i.next.max(1);
                    let start = id;
                    while i.to_global.contains_key(&id) {
                        id = if id >= NS_PID_MAX { 2 } else { id + 1 };
                        if id == start {
                            break;
                        }
                    }
                    if i.to_global.contains_key(&id) {
                        Err(sbx_abi::Errno::EAGAIN)
                    } else {
                        i.next = if id >= NS_PID_MAX { 2 } else { id + 1 };
                        if id == 1 {
                            i.init = g;
                        }
                        i.to_global.insert(id, g);
                        i.to_local.insert(g, id);
                        Ok(())
                    }
                }
            };
            if let Err(e) = r {
                for d in done {
                    d.forget_one(g);
                }
                return Err(e);
            }
            done.push(n);
            n = n.parent.as_deref().expect("non-root namespaces have a parent");
        }
        Ok(())
    }

    fn forget_one(&self, g: i32) {
        let mut i = self.lock();
        if let Some(id) = i.to_local.remove(&g) {
            i.to_global.remove(&id);
        }
    }

    /// Drops global id `g` from this namespace and its ancestors.
    pub fn unregister(&self, g: i32) {
        let mut n: &PidNs = self;
        while !n.is_root() {
            n.forget_one(g);
            n = n.parent.as_deref().expect("non-root namespaces have a parent");
        }
    }

    /// The ids of `g` from the root down to this namespace (/proc/PID/status NSpid).
    pub fn ids_of(self: &Arc<Self>, g: i32) -> Vec<i32> {
        let mut chain = Vec::new();
        let mut n = Some(self.clone());
        while let Some(x) = n {
            chain.push(x.local(g));
            n = x.parent.clone();
        }
        chain.reverse();
        chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_ids_start_at_one_and_are_visible_upwards() {
        let root = PidNs::root();
        let a = PidNs::child(&root, 1).unwrap();
        let b = PidNs::child(&a, 2).unwrap();
        b.register(40).unwrap();
        b.register(41).unwrap();
        a.register(42).unwrap();
        assert_eq!((b.local(40), b.local(41), b.local(42)), (1, 2, 0));
        assert_eq!((a.local(40), a.local(41), a.local(42)), (1, 2, 3));
        assert_eq!(root.local(41), 41);
        assert_eq!(b.global(2), Some(41));
        assert_eq!(b.init(), 40);
        assert_eq!(b.ids_of(41), vec![41, 2, 2]);
        b.unregister(41);
        assert_eq!((a.local(41), b.global(2)), (0, None));
        b.set_dead();
        assert_eq!(b.register(43), Err(sbx_abi::Errno::ENOMEM));
        assert_eq!(a.local(43), 0);
        assert!(a.is_ancestor_of(&b) && !b.is_ancestor_of(&a));
    }
}
