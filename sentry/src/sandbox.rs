//! Building and starting a sandbox: a Kernel from its components, and its first
//! task running the user's program.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::Errno;
use sbx_platform::Platform;

use crate::kernel::{run_task, Creds, Kernel, Task, TaskExit};
use crate::mm::{MemoryManager, MemoryPool};
use crate::vfs::{self, FdTable, FsContext, MountNamespace};

/// Everything needed to start a sandbox's first process.
pub struct Config {
    /// Program as the user named it (a path, or a name searched in PATH).
    pub program: Vec<u8>,
    /// argv (argv[0] included).
    pub argv: Vec<Vec<u8>>,
    /// Environment, as `NAME=value`.
    pub envp: Vec<Vec<u8>>,
    /// Working directory inside the sandbox.
    pub cwd: Vec<u8>,
    /// Host fds to become the guest's 0, 1, 2.
    pub stdio: [OwnedFd; 3],
    /// Host name.
    pub hostname: String,
    /// Print syscalls.
    pub strace: bool,
    /// Credentials of the first process.
    pub creds: Creds,
    /// Most processes alive at once (`--pids`).
    pub max_pids: usize,
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The memory file could not be made.
    #[error("creating the memory file: {0}")]
    Memory(std::io::Error),
    /// The platform failed.
    #[error("starting the guest process: {0}")]
    Platform(#[from] sbx_platform::PlatformError),
    /// The program could not be found or loaded.
    #[error("{program}: {errno}")]
    Exec {
        /// The program.
        program: String,
        /// Why.
        errno: Errno,
    },
}

/// What /proc/self/fd shows for an inherited host fd: the terminal, pipe or
/// file it is on the host, as Linux shows it.
fn host_fd_name(fd: &OwnedFd) -> String {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/dev/null".into())
}

/// Resolves a program name like execvp(3): a name without '/' is searched in PATH.
fn resolve_program(t: &Task, program: &[u8], envp: &[Vec<u8>]) -> Vec<u8> {
    if program.contains(&b'/') {
        return program.to_vec();
    }
    let path = envp
        .iter()
        .find_map(|e| e.strip_prefix(b"PATH="))
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| b"/usr/local/bin:/usr/bin:/bin".to_vec());
    for dir in path.split(|&c| c == b':') {
        let mut cand = if dir.is_empty() { b".".to_vec() } else { dir.to_vec() };
        cand.push(b'/');
        cand.extend_from_slice(program);
        if let Ok(f) = vfs::open_at(t, sbx_abi::flags::AT_FDCWD, &cand, OpenFlags::empty(), 0) {
            if f.stat().is_ok_and(|st| {
                st.st_mode & sbx_abi::flags::S_IFMT == sbx_abi::flags::S_IFREG && st.st_mode & 0o111 != 0
            }) {
                return cand;
            }
        }
    }
    program.to_vec()
}

/// A mount asked for on the command line.
pub enum ExtraMount {
    /// A host directory served by its own Gofer (`-v HOST:GUEST[:ro]`).
    Host {
        /// Where in the sandbox.
        at: Vec<u8>,
        /// The Gofer serving it.
        gofer: Arc<sbx_gofer::GoferClient>,
        /// Writes reach the host.
        writable: bool,
    },
    /// A fresh tmpfs (`--tmpfs PATH`).
    Tmpfs {
        /// Where in the sandbox.
        at: Vec<u8>,
    },
}

/// The root file system of `sbx run`: the Gofer's tree (the host root or `--root`)
/// read-only under a tmpfs upper layer, with /tmp, /dev, /dev/shm and /proc mounted
/// on top, then the command line's mounts.
pub fn sandbox_mounts(
    pool: &Arc<MemoryPool>,
    gofer: Arc<sbx_gofer::GoferClient>,
    extra: Vec<ExtraMount>,
) -> Result<Arc<MountNamespace>, Errno> {
    use crate::fs::{dev, gofer::GoferInode, overlay, proc, tmpfs::TmpFs};
    let lower = GoferInode::root(gofer, false)?;
    let root_mode = vfs::Inode::stat(lower.as_ref())?.st_mode & 0o7777;
    let upper = TmpFs::new_root(pool, 0x30, root_mode, 0, 0);
    let root: Arc<dyn vfs::Inode> = Arc::new(overlay::Ovl(overlay::OvlInode::root(upper, lower)));
    let ns = MountNamespace::new(root);
    ns.mount(b"/tmp", TmpFs::new_root(pool, 0x31, 0o1777, 0, 0));
    ns.mount(b"/dev", dev::new_devfs(pool, 0x32)?);
    ns.mount(b"/dev/shm", TmpFs::new_root(pool, 0x33, 0o1777, 0, 0));
    ns.mount(b"/proc", proc::new_procfs());
    for (i, m) in extra.into_iter().enumerate() {
        match m {
            ExtraMount::Host { at, gofer, writable } => ns.mount(&at, GoferInode::root(gofer, writable)?),
            ExtraMount::Tmpfs { at } => ns.mount(&at, TmpFs::new_root(pool, 0x50 + i as u64, 0o1777, 0, 0)),
        }
    }
    Ok(Arc::new(ns))
}

/// Builds a kernel around `mounts` and runs `cfg`'s program to completion.
pub fn run(
    platform: Arc<dyn Platform>,
    pool: Arc<MemoryPool>,
    mounts: Arc<MountNamespace>,
    cfg: Config,
) -> Result<TaskExit, StartError> {
    let kernel = Arc::new(Kernel::new(platform.clone(), pool.clone(), mounts, &cfg.hostname, cfg.strace, cfg.max_pids));
    let (asp, mut ctx) = platform.new_process(pool.file.fd())?;
    let mm = Arc::new(MemoryManager::new(pool));
    let fds = Arc::new(FdTable::new());
    let fg_pgrp = Arc::new(std::sync::atomic::AtomicI32::new(1));
    let mut tty_seen = false;
    for (i, fd) in cfg.stdio.into_iter().enumerate() {
        let name = host_fd_name(&fd);
        let is_tty = nix::unistd::isatty(std::os::fd::AsRawFd::as_raw_fd(&fd)).unwrap_or(false);
        let f = vfs::host_file(fd, name.clone(), fg_pgrp.clone());
        // The caller's terminal appears under its own name and as /dev/tty.
        if is_tty && name.starts_with("/dev/pts/") {
            kernel.mounts.mount(name.as_bytes(), vfs::file_inode(f.clone()));
            if !tty_seen {
                kernel.mounts.mount(b"/dev/tty", vfs::file_inode(f.clone()));
                tty_seen = true;
            }
        }
        let _ = fds.install_at(i as i32, f, false);
    }
    let fs = Arc::new(FsContext::new(kernel.mounts.root()));
    let tg = kernel
        .pids
        .create(0, None, None, [Default::default(); 64], &kernel.root_pidns)
        .map_err(|e| StartError::Exec { program: "init".into(), errno: e })?;
    let task = Task::new(kernel, mm.clone(), fs, fds, tg, cfg.creds);
    task.local.host_tid.set(ctx.host_tid());
    // The working directory passes through when it exists in the sandbox.
    if let Ok(l) = vfs::lookup_at(&task, sbx_abi::flags::AT_FDCWD, &cfg.cwd, vfs::Follow::Yes, false) {
        if vfs::is_dir(l.inode().as_ref()) {
            task.fs.set_cwd(l);
        }
    }
    *task.local.asp.borrow_mut() = Some(asp);
    let path = resolve_program(&task, &cfg.program, &cfg.envp);
    let exec_err = |errno| StartError::Exec { program: String::from_utf8_lossy(&cfg.program).into_owned(), errno };
    let loaded = crate::loader::load(&task, &mm, &path, cfg.argv, cfg.envp).map_err(exec_err)?;
    loaded.install(&task, &path);
    let exit = run_task(&task, ctx.as_mut());
    crate::syscalls::fork::finish(&task, exit);
    // If the main thread left early (pthread_exit), the process lives on in its
    // other threads: its status is known once the last one is gone.
    let exit = {
        let mut g = task.tg.lock();
        while g.exit.is_none() {
            g = task.tg.wait(g, None);
        }
        g.exit.unwrap_or(exit)
    };
    // When init ends, so does everything else in its pid namespace.
    for g in task.kernel().pids.all() {
        if g.tgid != task.tgid {
            g.send(crate::kernel::signals::SignalInfo { signo: sbx_abi::flags::signal::SIGKILL, ..Default::default() });
        }
    }
    Ok(exit)
}
