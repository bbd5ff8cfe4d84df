//! The stub's seccomp filter, built by hand: it matches on
//! `seccomp_data.instruction_pointer`, which libseccomp cannot express.
//!
//! Policy: a system call is allowed only when it comes from the stub's trampoline and
//! is one of the few calls the Sentry injects; anything else gets `SECCOMP_RET_TRAP`
//! (SIGSYS, seen by the Sentry) and is never executed. A foreign architecture (int
//! 0x80 from 64-bit code, x32) kills the process.

/// One classic-BPF instruction (`struct sock_filter`).
#[derive(Clone, Copy, Debug)]
pub struct SockFilter {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

/// `AUDIT_ARCH_X86_64` (EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE).
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

/// `offsetof(struct seccomp_data, ...)`.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const OFF_IP_LO: u32 = 8;
const OFF_IP_HI: u32 = 12;

/// System calls the Sentry may inject into the stub.
pub const INJECTABLE: &[i64] =
    &[libc::SYS_mmap, libc::SYS_munmap, libc::SYS_mprotect, libc::SYS_madvise, libc::SYS_prctl, libc::SYS_exit_group];

fn stmt(code: u16, k: u32) -> SockFilter {
    SockFilter { code, jt: 0, jf: 0, k }
}

fn jump(k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter { code: BPF_JEQ_K, jt, jf, k }
}

/// The filter for a stub whose syscall instruction ends at `ip` (the address after
/// `syscall`, as the kernel reports it).
pub fn stub_filter(ip: u64) -> Vec<SockFilter> {
    let n = INJECTABLE.len() as u8;
    let mut f = vec![
        stmt(BPF_LD_W_ABS, OFF_ARCH),
        // arch == x86_64 ? next : kill
        jump(AUDIT_ARCH_X86_64, 1, 0),
        stmt(BPF_RET_K, libc::SECCOMP_RET_KILL_PROCESS),
        stmt(BPF_LD_W_ABS, OFF_IP_LO),
        // low half matches ? next : trap  (trap is after the nr checks)
        jump(ip as u32, 0, 3 + n),
        stmt(BPF_LD_W_ABS, OFF_IP_HI),
        jump((ip >> 32) as u32, 0, 1 + n),
        stmt(BPF_LD_W_ABS, OFF_NR),
    ];
    for (i, &nr) in INJECTABLE.iter().enumerate() {
        // nr matches ? allow : next check; the allow is right after the trap.
        let to_allow = (n as usize - i) as u8;
        f.push(jump(nr as u32, to_allow, 0));
    }
    f.push(stmt(BPF_RET_K, libc::SECCOMP_RET_TRAP));
    f.push(stmt(BPF_RET_K, libc::SECCOMP_RET_ALLOW));
    f
}

/// Runs the filter on one input, as the kernel would (for tests).
#[cfg(test)]
fn eval(f: &[SockFilter], nr: u32, arch: u32, ip: u64) -> u32 {
    let mut acc = 0u32;
    let mut pc = 0usize;
    loop {
        let i = f[pc];
        match i.code {
            BPF_LD_W_ABS => {
                acc = match i.k {
                    OFF_NR => nr,
                    OFF_ARCH => arch,
                    OFF_IP_LO => ip as u32,
                    OFF_IP_HI => (ip >> 32) as u32,
                    _ => panic!("bad load"),
                };
                pc += 1;
            }
            BPF_JEQ_K => pc += 1 + if acc == i.k { i.jt as usize } else { i.jf as usize },
            BPF_RET_K => return i.k,
            _ => panic!("bad op"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_policy() {
        let ip = 0x7fff_fffe_0002u64;
        let f = stub_filter(ip);
        let x86 = AUDIT_ARCH_X86_64;
        assert_eq!(eval(&f, libc::SYS_mmap as u32, x86, ip), libc::SECCOMP_RET_ALLOW);
        assert_eq!(eval(&f, libc::SYS_exit_group as u32, x86, ip), libc::SECCOMP_RET_ALLOW);
        assert_eq!(eval(&f, libc::SYS_openat as u32, x86, ip), libc::SECCOMP_RET_TRAP);
        assert_eq!(eval(&f, libc::SYS_mmap as u32, x86, ip + 0x1_0000_0000), libc::SECCOMP_RET_TRAP);
        assert_eq!(eval(&f, libc::SYS_mmap as u32, x86, ip + 1), libc::SECCOMP_RET_TRAP);
        assert_eq!(eval(&f, libc::SYS_mmap as u32, 0x4000_0003, ip), libc::SECCOMP_RET_KILL_PROCESS);
    }
}
