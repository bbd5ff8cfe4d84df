//! Signal delivery: building the x86_64 `rt_sigframe` on the guest stack, and
//! `rt_sigreturn` taking it down again (arch/x86/kernel/signal.c and signal_64.c
//! describe the layout; the XSAVE area follows the frame, 64-byte aligned).

use sbx_abi::flags::signal::*;
use sbx_abi::Errno;
use sbx_platform::{Context, Regs};

use super::process::SigQueue;
use super::{Task, TaskExit};

/// What the guest sees in its `siginfo_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignalInfo {
    /// Signal number.
    pub signo: i32,
    /// `si_code`: SI_USER (0), SI_TKILL (-6), or a fault code (SEGV_MAPERR, ...).
    pub code: i32,
    /// Faulting address, for faults.
    pub addr: u64,
    /// Sender's pid and uid, for kill/tgkill.
    pub pid: i32,
    /// Sender's uid.
    pub uid: u32,
    /// SIGCHLD: exit code or signal of the child.
    pub status: i32,
    /// sigqueue's value (si_value), for SI_QUEUE and timers.
    pub value: u64,
}

/// si_code of kill(2).
pub const SI_USER: i32 = 0;
/// si_code of tkill(2)/tgkill(2).
pub const SI_TKILL: i32 = -6;

impl SignalInfo {
    fn is_fault(&self) -> bool {
        self.code > 0 && matches!(self.signo, SIGSEGV | SIGBUS | SIGILL | SIGFPE | SIGTRAP)
    }

    /// The same with the sender's pid as task `t` names it (0 when the sender is
    /// outside `t`'s PID namespace). Fault infos carry no pid.
    pub fn seen_by(mut self, t: &super::Task) -> Self {
        if !self.is_fault() {
            self.pid = t.vpid(self.pid);
        }
        self
    }

    /// The 128-byte `siginfo_t`.
    pub fn to_bytes(&self) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[0..4].copy_from_slice(&self.signo.to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        if self.is_fault() {
            b[16..24].copy_from_slice(&self.addr.to_le_bytes());
        } else {
            b[16..20].copy_from_slice(&self.pid.to_le_bytes());
            b[20..24].copy_from_slice(&self.uid.to_le_bytes());
            if self.signo == SIGCHLD {
                b[24..28].copy_from_slice(&self.status.to_le_bytes());
            } else {
                b[24..32].copy_from_slice(&self.value.to_le_bytes());
            }
        }
        b
    }
}

fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// SIGKILL and SIGSTOP can be neither caught nor blocked.
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// The default action of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Default_ {
    Ignore,
    Stop,
    Terminate,
}

fn default_action(sig: i32) -> Default_ {
    match sig {
        SIGCHLD | SIGURG | SIGWINCH | SIGCONT => Default_::Ignore,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => Default_::Stop,
        _ => Default_::Terminate,
    }
}

/// Queues a signal for the thread `t` itself (a standard signal at most once).
pub fn queue(t: &Task, info: SignalInfo) {
    t.shared.sigs().push(info);
}

/// Takes the lowest pending signal not in `mask` off `q`.
fn take(q: &mut SigQueue, mask: u64) -> Option<(i32, SignalInfo)> {
    let deliverable = q.pending & !mask;
    if deliverable == 0 {
        return None;
    }
    let sig = deliverable.trailing_zeros() as i32 + 1;
    q.pending &= !bit(sig);
    Some((sig, std::mem::take(&mut q.info[(sig - 1) as usize])))
}

/// Takes the lowest pending signal of `set` for `t` without running its handler
/// (signalfd, sigtimedwait): the thread's own queue first, then the process's, as
/// Linux's dequeue_signal does.
pub fn dequeue_in(t: &Task, set: u64) -> Option<SignalInfo> {
    let set = set & !UNBLOCKABLE;
    let got = take(&mut t.shared.sigs(), !set);
    got.or_else(|| take(&mut t.tg.sigs(), !set)).map(|(_, info)| info)
}

/// Delivers a synchronous fault: like Linux's force_sig_fault, a blocked or ignored
/// fault signal is unblocked and reset to its default action (so it kills).
pub fn force_fault(t: &Task, ctx: &mut dyn Context, info: SignalInfo) {
    let sig = info.signo;
    let idx = (sig - 1) as usize;
    let blocked = t.local.sigmask.get() & bit(sig) != 0;
    {
        let mut acts = t.tg.actions();
        if blocked || acts[idx].handler == SIG_IGN {
            acts[idx].handler = SIG_DFL;
            t.local.sigmask.set(t.local.sigmask.get() & !bit(sig));
        }
    }
    queue(t, info);
    deliver_pending(t, ctx);
}

/// Whether a signal is pending and unblocked (a Sentry wait must end with EINTR).
pub fn interrupted(t: &Task) -> bool {
    if t.shared.kill_pending.load(std::sync::atomic::Ordering::Acquire) {
        return true;
    }
    let pending = t.shared.sigs().pending | t.tg.sigs().pending;
    let mut p = pending & !t.local.sigmask.get();
    // Signals that would be ignored do not interrupt.
    let acts = t.tg.actions();
    while p != 0 {
        let sig = p.trailing_zeros() as i32 + 1;
        p &= p - 1;
        let h = acts[(sig - 1) as usize].handler;
        if h != SIG_IGN && !(h == SIG_DFL && default_action(sig) != Default_::Terminate) {
            return true;
        }
    }
    false
}

/// Acts on the first pending, unblocked signal (lowest number first, as Linux
/// prefers synchronous ones): ignore it, end the task, or run its handler.
pub fn deliver_pending(t: &Task, ctx: &mut dyn Context) {
    deliver_one(t, ctx);
    if t.local.exit.get().is_some() {
        return;
    }
    // No handler ran: an interrupted syscall restarts transparently, and a mask that
    // sigsuspend replaced comes back.
    if let Some((errno, nr)) = t.local.restart.take() {
        let mut r = t.regs.borrow_mut();
        if errno == Errno::ERESTART_RESTARTBLOCK {
            // restart_syscall(2) is not offered; the caller sees EINTR.
            r.0.rax = Errno::EINTR.as_rax();
        } else {
            r.0.rip -= 2;
            r.0.rax = nr;
        }
    }
    if let Some(m) = t.local.saved_sigmask.take() {
        t.local.sigmask.set(m);
    }
}

fn deliver_one(t: &Task, ctx: &mut dyn Context) {
    loop {
        let mask = t.local.sigmask.get();
        let Some((sig, info)) = take(&mut t.shared.sigs(), mask).or_else(|| take(&mut t.tg.sigs(), mask)) else {
            return;
        };
        let act = t.tg.actions()[(sig - 1) as usize];
        match act.handler {
            SIG_IGN => continue,
            SIG_DFL => match default_action(sig) {
                Default_::Ignore => continue,
                Default_::Stop => {
                    super::jobs::stop(t, sig);
                    continue;
                }
                Default_::Terminate => {
                    t.exit_group(TaskExit::Signaled(sig));
                    return;
                }
            },
            _ => {
                if let Err(e) = setup_frame(t, ctx, sig, &info) {
                    // Linux: a frame that cannot be written means SIGSEGV.
                    tracing::debug!("cannot build the frame for {}: {e:?}", name(sig));
                    t.exit_group(TaskExit::Signaled(SIGSEGV));
                }
                return;
            }
        }
    }
}

/// Size of `struct rt_sigframe` without the FP area: pretcode, ucontext, siginfo.
const FRAME_SIZE: u64 = 8 + UCONTEXT_SIZE + 128;
const UCONTEXT_SIZE: u64 = 304;
/// Offsets inside the frame.
const UC_OFF: u64 = 8;
const INFO_OFF: u64 = 8 + UCONTEXT_SIZE;
const MCONTEXT_OFF: u64 = 40;
const SIGMASK_OFF: u64 = 296;
/// uc_flags bits.
const UC_FP_XSTATE: u64 = 1;
const UC_SIGCONTEXT_SS: u64 = 2;
const UC_STRICT_RESTORE_SS: u64 = 4;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
/// User code and stack segment selectors on x86_64 Linux.
const USER_CS: u64 = 0x33;
const USER_SS: u64 = 0x2b;
/// EFLAGS bits a signal frame may change (FIX_EFLAGS in signal.c).
const FIX_EFLAGS: u64 = 0x0001 | 0x0004 | 0x0010 | 0x0040 | 0x0080 | 0x0100 | 0x0400 | 0x0800 | 0x4_0000 | 0x1_0000;

fn on_altstack(t: &Task, sp: u64) -> bool {
    let (ss_sp, flags, size) = t.local.sigaltstack.get();
    flags & SS_DISABLE == 0 && size != 0 && sp > ss_sp && sp - ss_sp <= size
}

/// The sigcontext (mcontext) words, in struct order.
fn mcontext_words(r: &Regs, mask: u64, fpstate: u64, cr2: u64) -> [u64; 32] {
    let g = &r.0;
    let mut w = [0u64; 32];
    w[..18].copy_from_slice(&[
        g.r8, g.r9, g.r10, g.r11, g.r12, g.r13, g.r14, g.r15, g.rdi, g.rsi, g.rbp, g.rbx, g.rdx, g.rax, g.rcx, g.rsp,
        g.rip, g.eflags,
    ]);
    // cs, gs, fs, ss as four u16.
    w[18] = (g.cs & 0xffff) | ((g.ss & 0xffff) << 48);
    w[19] = 0; // err
    w[20] = if cr2 != 0 { 14 } else { 0 }; // trapno: page fault for faults with an address
    w[21] = mask; // oldmask
    w[22] = cr2;
    w[23] = fpstate;
    w
}

fn setup_frame(t: &Task, ctx: &mut dyn Context, sig: i32, info: &SignalInfo) -> Result<(), Errno> {
    let idx = (sig - 1) as usize;
    let act = t.tg.actions()[idx];
    if let Some((errno, nr)) = t.local.restart.take() {
        // The interrupted syscall either restarts after the handler or fails with EINTR.
        let restart = match errno {
            Errno::ERESTARTNOINTR => true,
            Errno::ERESTARTSYS => act.flags & SA_RESTART != 0,
            _ => false,
        };
        let mut r = t.regs.borrow_mut();
        if restart {
            r.0.rip -= 2;
            r.0.rax = nr;
        } else {
            r.0.rax = Errno::EINTR.as_rax();
        }
    }
    let regs = *t.regs.borrow();
    let mm = t.mm();
    if act.flags & SA_RESTORER == 0 {
        return Err(Errno::EFAULT);
    }
    let mut sp = regs.0.rsp.wrapping_sub(128);
    let (ss_sp, ss_flags, ss_size) = t.local.sigaltstack.get();
    if act.flags & SA_ONSTACK != 0 && ss_flags & SS_DISABLE == 0 && ss_size != 0 && !on_altstack(t, regs.0.rsp) {
        sp = ss_sp + ss_size;
    }
    let xsave = ctx.fp_state().map_err(|_| Errno::EFAULT)?;
    sp = sp.wrapping_sub(xsave.len() as u64 + 4) & !63;
    let fpstate = sp;
    sp = ((sp - FRAME_SIZE) & !15) - 8;
    let frame = sp;
    // FP area, then the magic word that closes it.
    mm.copy_out_bytes(fpstate, &xsave)?;
    let xs_len = xsave.len() as u64;
    // Make sure the software-reserved bytes describe this area (ptrace fills them,
    // but a CPU without XSAVE leaves them zero).
    let mut sw = [0u8; 8];
    sw[..4].copy_from_slice(&FP_XSTATE_MAGIC1.to_le_bytes());
    sw[4..].copy_from_slice(&(xs_len as u32 + 4).to_le_bytes());
    mm.copy_out_bytes(fpstate + 464, &sw)?;
    mm.copy_out_bytes(fpstate + 464 + 16, &(xs_len as u32).to_le_bytes())?;
    mm.copy_out_bytes(fpstate + xs_len, &FP_XSTATE_MAGIC2.to_le_bytes())?;
    // The frame.
    // After sigsuspend/ppoll the frame holds the mask from before the call.
    let old_mask = t.local.saved_sigmask.take().unwrap_or(t.local.sigmask.get());
    let mut f = vec![0u8; FRAME_SIZE as usize];
    f[..8].copy_from_slice(&act.restorer.to_le_bytes());
    let uc = UC_OFF as usize;
    let flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f[uc..uc + 8].copy_from_slice(&flags.to_le_bytes());
    // uc_stack
    let st_flags = if on_altstack(t, regs.0.rsp) { SS_ONSTACK } else { ss_flags };
    f[uc + 16..uc + 24].copy_from_slice(&ss_sp.to_le_bytes());
    f[uc + 24..uc + 28].copy_from_slice(&st_flags.to_le_bytes());
    f[uc + 32..uc + 40].copy_from_slice(&ss_size.to_le_bytes());
    let cr2 = if info.is_fault() { info.addr } else { 0 };
    for (i, w) in mcontext_words(&regs, old_mask, fpstate, cr2).iter().enumerate() {
        let o = uc + MCONTEXT_OFF as usize + 8 * i;
        f[o..o + 8].copy_from_slice(&w.to_le_bytes());
    }
    f[uc + SIGMASK_OFF as usize..uc + SIGMASK_OFF as usize + 8].copy_from_slice(&old_mask.to_le_bytes());
    f[INFO_OFF as usize..].copy_from_slice(&info.seen_by(t).to_bytes());
    mm.copy_out_bytes(frame, &f)?;
    // Enter the handler.
    let mut r = regs;
    r.0.rsp = frame;
    r.0.rip = act.handler;
    r.0.rdi = sig as u64;
    r.0.rsi = frame + INFO_OFF;
    r.0.rdx = frame + UC_OFF;
    r.0.rax = 0;
    r.0.eflags &= !(0x100 | 0x400); // TF, DF
    r.0.cs = USER_CS;
    r.0.ss = USER_SS;
    *t.regs.borrow_mut() = r;
    let mut mask = old_mask | act.mask;
    if act.flags & SA_NODEFER == 0 {
        mask |= bit(sig);
    }
    t.local.sigmask.set(mask & !UNBLOCKABLE);
    if act.flags & SA_RESETHAND != 0 {
        t.tg.actions()[idx] = Default::default();
    }
    Ok(())
}

/// rt_sigreturn(2): restores registers, mask, alternate stack and FP state from the
/// frame at the stack pointer. A frame that cannot be read kills with SIGSEGV.
pub fn sigreturn(t: &Task) -> Result<(), Errno> {
    let regs = *t.regs.borrow();
    let frame = regs.0.rsp.wrapping_sub(8);
    let mm = t.mm();
    let mut f = vec![0u8; FRAME_SIZE as usize];
    mm.copy_in_bytes(frame, &mut f)?;
    let uc = UC_OFF as usize;
    let word = |i: usize| {
        let o = uc + MCONTEXT_OFF as usize + 8 * i;
        u64::from_le_bytes(f[o..o + 8].try_into().unwrap_or_default())
    };
    let mut r = regs;
    let g = &mut r.0;
    [
        g.r8, g.r9, g.r10, g.r11, g.r12, g.r13, g.r14, g.r15, g.rdi, g.rsi, g.rbp, g.rbx, g.rdx, g.rax, g.rcx, g.rsp,
        g.rip,
    ] = std::array::from_fn(word);
    g.eflags = (regs.0.eflags & !FIX_EFLAGS) | (word(17) & FIX_EFLAGS);
    g.cs = USER_CS;
    g.ss = USER_SS;
    let fpstate = word(23);
    let mask_off = uc + SIGMASK_OFF as usize;
    let mask = u64::from_le_bytes(f[mask_off..mask_off + 8].try_into().unwrap_or_default());
    // uc_stack → sigaltstack, as restore_altstack does (errors ignored, like Linux).
    let ss_sp = u64::from_le_bytes(f[uc + 16..uc + 24].try_into().unwrap_or_default());
    let ss_flags = i32::from_le_bytes(f[uc + 24..uc + 28].try_into().unwrap_or_default());
    let ss_size = u64::from_le_bytes(f[uc + 32..uc + 40].try_into().unwrap_or_default());
    if ss_flags & SS_DISABLE != 0 {
        t.local.sigaltstack.set((0, SS_DISABLE, 0));
    } else if ss_size >= 2048 {
        t.local.sigaltstack.set((ss_sp, 0, ss_size));
    }
    if fpstate != 0 {
        let mut sw = [0u8; 24];
        mm.copy_in_bytes(fpstate + 464, &mut sw)?;
        let magic = u32::from_le_bytes(sw[..4].try_into().unwrap_or_default());
        let size = u32::from_le_bytes(sw[16..20].try_into().unwrap_or_default()) as usize;
        let len = if magic == FP_XSTATE_MAGIC1 && (512..=16384).contains(&size) { size } else { 512 };
        let mut xs = vec![0u8; len];
        mm.copy_in_bytes(fpstate, &mut xs)?;
        *t.local.fp_restore.borrow_mut() = Some(xs);
    }
    *t.regs.borrow_mut() = r;
    t.local.sigmask.set(mask & !UNBLOCKABLE);
    t.local.regs_replaced.set(true);
    Ok(())
}
