//! The initial stack of a new program: strings, auxv, envp, argv, argc
//! (System V x86_64 ABI, "Process Initialization").

use sbx_abi::flags::{auxv::*, Prot};
use sbx_abi::Errno;
use sbx_platform::MAX_USER_ADDR;

use crate::mm::{MemoryManager, Placement, VmaKind};

/// Top of the main thread's stack.
pub const STACK_TOP: u64 = MAX_USER_ADDR - 0x10_0000;
/// Size of the main stack mapping (RLIMIT_STACK's default).
const STACK_SIZE: u64 = 8 << 20;
/// Gap between the stack and the mmap area.
const STACK_GAP: u64 = 128 << 20;
/// Most bytes of argv+envp strings accepted (Linux: a quarter of the stack limit).
pub const MAX_ARG_BYTES: usize = (STACK_SIZE / 4) as usize;

/// A `[start, end)` range of guest addresses.
pub type Range = (u64, u64);

/// Values for the auxiliary vector.
pub struct AuxInfo {
    pub phdr: u64,
    pub phnum: u64,
    pub entry: u64,
    pub base: u64,
    pub uid: (u32, u32, u32),
    pub gid: (u32, u32, u32),
}

/// Maps the stack and sets the mmap base below it.
pub fn prepare(mm: &MemoryManager) -> Result<(), Errno> {
    mm.map(
        Placement::Fixed(STACK_TOP - STACK_SIZE),
        STACK_SIZE,
        Prot::READ | Prot::WRITE,
        false,
        VmaKind::Stack,
        None,
    )?;
    mm.set_mmap_base(STACK_TOP - STACK_SIZE - STACK_GAP);
    Ok(())
}

fn host_auxval(key: u64) -> u64 {
    // The host's CPU capability words describe the CPU the guest runs on.
    sbx_platform::host::getauxval(key)
}

/// Writes strings, auxv and vectors; returns the initial stack pointer and where the
/// argv and envp strings are.
pub fn build(
    mm: &MemoryManager,
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    execfn: &[u8],
    info: &AuxInfo,
) -> Result<(u64, Range, Range), Errno> {
    let total: usize = argv.iter().chain(envp).map(|s| s.len() + 1 + 8).sum();
    if total > MAX_ARG_BYTES {
        return Err(Errno::E2BIG);
    }
    let mut sp = STACK_TOP;
    let push_bytes = |bytes: &[u8], sp: &mut u64| -> Result<u64, Errno> {
        *sp -= bytes.len() as u64;
        mm.copy_out_bytes(*sp, bytes)?;
        Ok(*sp)
    };
    let cstr = |s: &[u8], sp: &mut u64| -> Result<u64, Errno> {
        let mut v = s.to_vec();
        v.push(0);
        push_bytes(&v, sp)
    };
    // Leave a null word at the very top, like Linux.
    sp -= 8;
    let execfn_addr = cstr(execfn, &mut sp)?;
    // argv then envp strings, contiguous and in order (what /proc/PID/cmdline and
    // environ read back).
    let argv_len: usize = argv.iter().map(|a| a.len() + 1).sum();
    let env_len: usize = envp.iter().map(|e| e.len() + 1).sum();
    sp -= (argv_len + env_len) as u64;
    let strings_at = sp;
    let mut block = Vec::with_capacity(argv_len + env_len);
    let mut arg_addrs = Vec::with_capacity(argv.len());
    let mut env_addrs = Vec::with_capacity(envp.len());
    for a in argv {
        arg_addrs.push(strings_at + block.len() as u64);
        block.extend_from_slice(a);
        block.push(0);
    }
    for e in envp {
        env_addrs.push(strings_at + block.len() as u64);
        block.extend_from_slice(e);
        block.push(0);
    }
    mm.copy_out_bytes(strings_at, &block)?;
    let ranges = (
        (strings_at, strings_at + argv_len as u64),
        (strings_at + argv_len as u64, strings_at + (argv_len + env_len) as u64),
    );
    let platform = cstr(b"x86_64", &mut sp)?;
    let mut random = [0u8; 16];
    getrandom_fill(&mut random);
    sp -= 16;
    mm.copy_out_bytes(sp, &random)?;
    let random_addr = sp;
    let auxv: Vec<(u64, u64)> = vec![
        (AT_HWCAP, host_auxval(AT_HWCAP)),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, info.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, info.phnum),
        (AT_BASE, info.base),
        (AT_FLAGS, 0),
        (AT_ENTRY, info.entry),
        (AT_UID, u64::from(info.uid.0)),
        (AT_EUID, u64::from(info.uid.1)),
        (AT_GID, u64::from(info.gid.0)),
        (AT_EGID, u64::from(info.gid.1)),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, host_auxval(AT_HWCAP2)),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform),
        (AT_MINSIGSTKSZ, host_auxval(AT_MINSIGSTKSZ).max(2048)),
        (AT_NULL, 0),
    ];
    // Words below the strings: argc, argv..., 0, envp..., 0, auxv pairs.
    let words = 1 + arg_addrs.len() + 1 + env_addrs.len() + 1 + 2 * auxv.len();
    sp &= !15;
    sp -= (words as u64) * 8;
    sp &= !15;
    let mut v: Vec<u64> = Vec::with_capacity(words);
    v.push(argv.len() as u64);
    v.extend(&arg_addrs);
    v.push(0);
    v.extend(&env_addrs);
    v.push(0);
    for (k, val) in auxv {
        v.push(k);
        v.push(val);
    }
    let bytes: Vec<u8> = v.iter().flat_map(|w| w.to_le_bytes()).collect();
    mm.copy_out_bytes(sp, &bytes)?;
    Ok((sp, ranges.0, ranges.1))
}

fn getrandom_fill(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        match sbx_platform::host::getrandom(&mut buf[done..], 0) {
            Ok(n) => done += n,
            Err(nix::Error::EINTR) => continue,
            Err(e) => {
                tracing::error!("getrandom: {e}");
                return;
            }
        }
    }
}
