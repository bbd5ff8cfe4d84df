//! Guest register state.

/// The general registers of a guest thread (the host's `user_regs_struct`).
#[derive(Clone, Copy)]
pub struct Regs(pub libc::user_regs_struct);

impl Default for Regs {
    fn default() -> Self {
        Regs(zeroed_regs())
    }
}

fn zeroed_regs() -> libc::user_regs_struct {
    libc::user_regs_struct {
        r15: 0,
        r14: 0,
        r13: 0,
        r12: 0,
        rbp: 0,
        rbx: 0,
        r11: 0,
        r10: 0,
        r9: 0,
        r8: 0,
        rax: 0,
        rcx: 0,
        rdx: 0,
        rsi: 0,
        rdi: 0,
        orig_rax: 0,
        rip: 0,
        cs: 0,
        eflags: 0,
        rsp: 0,
        ss: 0,
        fs_base: 0,
        gs_base: 0,
        ds: 0,
        es: 0,
        fs: 0,
        gs: 0,
    }
}

impl Regs {
    /// The syscall number of a syscall stop.
    pub fn syscall_nr(&self) -> u64 {
        self.0.orig_rax
    }
    /// The six syscall arguments (rdi, rsi, rdx, r10, r8, r9).
    pub fn syscall_args(&self) -> [u64; 6] {
        let r = &self.0;
        [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9]
    }
    /// Sets the syscall return value.
    pub fn set_return(&mut self, v: u64) {
        self.0.rax = v;
    }
    /// Instruction pointer.
    pub fn ip(&self) -> u64 {
        self.0.rip
    }
    /// Stack pointer.
    pub fn sp(&self) -> u64 {
        self.0.rsp
    }
    /// Fresh registers for a new program image: entry point, stack, 64-bit user
    /// segments taken from `template` (the stub's own), everything else zero.
    pub fn for_exec(template: &Regs, entry: u64, sp: u64) -> Regs {
        let mut r = zeroed_regs();
        r.rip = entry;
        r.rsp = sp;
        r.cs = template.0.cs;
        r.ss = template.0.ss;
        r.ds = template.0.ds;
        r.es = template.0.es;
        r.eflags = 0x202;
        Regs(r)
    }
}

impl std::fmt::Debug for Regs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.0;
        write!(
            f,
            "rip={:#x} rsp={:#x} rax={:#x} orig_rax={} rdi={:#x} rsi={:#x} rdx={:#x}",
            r.rip, r.rsp, r.rax, r.orig_rax as i64, r.rdi, r.rsi, r.rdx
        )
    }
}
