//! The stub program: a tiny static ELF image generated here, executed from a memfd.
//!
//! Layout of its single read+execute page at [`STUB_ADDR`]:
//! ELF header, program header, then at [`TRAMPOLINE_OFF`] the trampoline
//! `syscall; int3` through which the Sentry injects host syscalls, the entry point
//! (`int3` in a loop: the stub never runs on its own), the stub's name for
//! PR_SET_NAME, and its seccomp program (`struct sock_fprog` + filter).

use crate::seccomp::{stub_filter, SockFilter};

/// Where the stub's page is loaded in every guest process (above MAX_USER_ADDR).
pub const STUB_ADDR: u64 = 0x7fff_ffff_0000;
/// Offset of the trampoline in the page.
pub const TRAMPOLINE_OFF: u64 = 0x100;
/// Address of the trampoline's `syscall` instruction.
pub const TRAMPOLINE: u64 = STUB_ADDR + TRAMPOLINE_OFF;
/// Address right after the `syscall` instruction (what seccomp sees as the ip).
pub const TRAMPOLINE_RET: u64 = TRAMPOLINE + 2;
const ENTRY_OFF: u64 = 0x110;
/// Address of the NUL-terminated stub name.
pub const NAME_ADDR: u64 = STUB_ADDR + 0x120;
const NAME: &[u8] = b"sbx-stub\0";
/// Address of the `struct sock_fprog` for the stub's seccomp filter.
pub const FPROG_ADDR: u64 = STUB_ADDR + 0x140;
const FILTER_OFF: u64 = 0x160;
/// Stub image size (one page).
pub const STUB_SIZE: u64 = 0x1000;

fn put(img: &mut [u8], off: u64, bytes: &[u8]) {
    img[off as usize..off as usize + bytes.len()].copy_from_slice(bytes);
}

/// Builds the stub's ELF image.
pub fn image() -> Vec<u8> {
    let mut img = vec![0u8; STUB_SIZE as usize];
    // ELF header (Elf64_Ehdr).
    put(&mut img, 0, &[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    put(&mut img, 16, &2u16.to_le_bytes()); // e_type = ET_EXEC
    put(&mut img, 18, &62u16.to_le_bytes()); // e_machine = EM_X86_64
    put(&mut img, 20, &1u32.to_le_bytes()); // e_version
    put(&mut img, 24, &(STUB_ADDR + ENTRY_OFF).to_le_bytes()); // e_entry
    put(&mut img, 32, &64u64.to_le_bytes()); // e_phoff
    put(&mut img, 52, &64u16.to_le_bytes()); // e_ehsize
    put(&mut img, 54, &56u16.to_le_bytes()); // e_phentsize
    put(&mut img, 56, &1u16.to_le_bytes()); // e_phnum
    put(&mut img, 58, &64u16.to_le_bytes()); // e_shentsize
                                             // Program header (Elf64_Phdr): PT_LOAD, R+X, the whole page.
    let ph = 64;
    put(&mut img, ph, &1u32.to_le_bytes());
    put(&mut img, ph + 4, &5u32.to_le_bytes());
    put(&mut img, ph + 8, &0u64.to_le_bytes());
    put(&mut img, ph + 16, &STUB_ADDR.to_le_bytes());
    put(&mut img, ph + 24, &STUB_ADDR.to_le_bytes());
    put(&mut img, ph + 32, &STUB_SIZE.to_le_bytes());
    put(&mut img, ph + 40, &STUB_SIZE.to_le_bytes());
    put(&mut img, ph + 48, &0x1000u64.to_le_bytes());
    // Trampoline: syscall; int3.
    put(&mut img, TRAMPOLINE_OFF, &[0x0f, 0x05, 0xcc]);
    // Entry: int3; jmp entry.
    put(&mut img, ENTRY_OFF, &[0xcc, 0xeb, 0xfd]);
    put(&mut img, NAME_ADDR - STUB_ADDR, NAME);
    let filter: Vec<SockFilter> = stub_filter(TRAMPOLINE_RET);
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
    put(&mut img, FPROG_ADDR - STUB_ADDR, &(filter.len() as u16).to_le_bytes());
    put(&mut img, FPROG_ADDR - STUB_ADDR + 8, &(STUB_ADDR + FILTER_OFF).to_le_bytes());
    for (i, ins) in filter.iter().enumerate() {
        let off = FILTER_OFF + 8 * i as u64;
        put(&mut img, off, &ins.code.to_le_bytes());
        put(&mut img, off + 2, &[ins.jt, ins.jf]);
        put(&mut img, off + 4, &ins.k.to_le_bytes());
    }
    assert!(FILTER_OFF as usize + 8 * filter.len() <= img.len());
    img
}
