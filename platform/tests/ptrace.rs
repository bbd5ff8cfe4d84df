//! The ptrace platform end to end: a stub runs a few guest instructions from the
//! memory file and every syscall comes back to the test, never to the host.

use std::os::fd::AsFd;

use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use sbx_platform::ptrace::PtracePlatform;
use sbx_platform::{Exit, Platform, Regs};

#[test]
fn syscalls_and_faults_reach_the_sentry() {
    let mem = memfd_create(c"test-mem", MemFdCreateFlag::MFD_CLOEXEC).unwrap();
    nix::unistd::ftruncate(&mem, 0x2000).unwrap();
    // mov eax, 39 (getpid); syscall; mov eax, 60 (exit); syscall; mov [0], al (fault)
    let code = [0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xb8, 60, 0, 0, 0, 0x0f, 0x05, 0x88, 0x04, 0x25, 0, 0, 0, 0];
    nix::sys::uio::pwrite(&mem, &code, 0).unwrap();
    let p = PtracePlatform::new().unwrap();
    let (asp, mut ctx) = p.new_process(mem.as_fd()).unwrap();
    let base = 0x40_0000;
    asp.map_file(base, 0x1000, (libc::PROT_READ | libc::PROT_EXEC) as u32, 0).unwrap();
    asp.map_file(base + 0x1000, 0x1000, (libc::PROT_READ | libc::PROT_WRITE) as u32, 0x1000).unwrap();
    let mut regs = Regs::default();
    regs.0.rip = base;
    regs.0.rsp = base + 0x2000;
    regs.0.cs = 0x33;
    regs.0.ss = 0x2b;
    regs.0.eflags = 0x202;
    assert_eq!(ctx.switch(&mut regs).unwrap(), Exit::Syscall);
    assert_eq!(regs.syscall_nr(), 39);
    regs.set_return(1234);
    assert_eq!(ctx.switch(&mut regs).unwrap(), Exit::Syscall);
    assert_eq!(regs.syscall_nr(), 60, "the guest's exit is emulated, not run");
    assert_eq!(regs.0.rax as i64, -(libc::ENOSYS as i64));
    match ctx.switch(&mut regs).unwrap() {
        Exit::Signal(si) => {
            assert_eq!(si.signo, libc::SIGSEGV);
            assert_eq!(si.addr, 0);
        }
        other => panic!("expected a fault, got {other:?}"),
    }
}
