//! Loading a program into an address space: ELF (static, static-pie, dynamic with an
//! interpreter) and `#!` scripts, plus the initial stack (argv, envp, auxv).

mod stack;

use std::sync::Arc;

use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{self, ProgramHeader};
use sbx_abi::flags::{OpenFlags, Prot, AT_FDCWD, S_IFMT, S_IFREG};
use sbx_abi::Errno;
use sbx_platform::Regs;

use crate::kernel::Task;
use crate::mm::{page_down, page_up, MemoryManager, Placement, VmaKind};
use crate::vfs::{self, FileDescription};

pub use stack::{MAX_ARG_BYTES, STACK_TOP};

/// Where position-independent executables go (Linux's ELF_ET_DYN_BASE on x86_64).
const PIE_BASE: u64 = 0x5555_5555_4000;
/// How many nested `#!` interpreters are allowed (Linux: 4 rounds of binfmt).
const MAX_SCRIPT_DEPTH: usize = 4;
/// Bytes of a file read to recognise its format (BINPRM_BUF_SIZE).
const BINPRM_BUF_SIZE: usize = 256;

/// A loaded ELF image.
#[derive(Clone, Copy, Debug)]
struct Image {
    /// Load bias.
    bias: u64,
    /// Entry point (biased).
    entry: u64,
    /// Program headers in memory.
    phdr: u64,
    /// Number of program headers.
    phnum: u64,
    /// End of the highest segment (for brk).
    end: u64,
}

/// What `execve` needs to start the new image.
pub struct Loaded {
    /// Initial registers.
    pub regs: Regs,
    /// Path of the executable (for /proc/self/exe).
    pub exe: String,
    /// Where the argv strings are.
    pub args: (u64, u64),
    /// Where the envp strings are.
    pub env: (u64, u64),
}

fn open_exec(t: &Task, path: &[u8]) -> Result<Arc<FileDescription>, Errno> {
    let f = vfs::open_at(t, AT_FDCWD, path, OpenFlags::empty(), 0)?;
    check_exec(&f)?;
    Ok(f)
}

/// execve's checks on the file itself: a regular file with an execute bit.
fn check_exec(f: &FileDescription) -> Result<(), Errno> {
    let st = f.stat()?;
    if st.st_mode & S_IFMT != S_IFREG {
        return Err(Errno::EACCES);
    }
    if st.st_mode & 0o111 == 0 {
        return Err(Errno::EACCES);
    }
    Ok(())
}

fn read_full(f: &FileDescription, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        let n = f.pread(&mut buf[done..], off + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Parses a `#!` line: interpreter and optional single argument.
fn parse_shebang(head: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), Errno> {
    let line = &head[2..];
    let line = match line.iter().position(|&b| b == b'\n') {
        Some(i) => &line[..i],
        // Linux 5.1+: a line that does not fit the buffer is ENOEXEC unless the
        // interpreter itself fits; keep it simple and strict.
        None if head.len() >= BINPRM_BUF_SIZE => return Err(Errno::ENOEXEC),
        None => line,
    };
    let trimmed: &[u8] = {
        let s = line.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(line.len());
        let e = line.iter().rposition(|&b| b != b' ' && b != b'\t' && b != b'\r').map_or(s, |e| e + 1);
        &line[s..e.max(s)]
    };
    if trimmed.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    match trimmed.iter().position(|&b| b == b' ' || b == b'\t') {
        Some(i) => {
            let arg = &trimmed[i..];
            let s = arg.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(arg.len());
            let arg = &arg[s..];
            Ok((trimmed[..i].to_vec(), (!arg.is_empty()).then(|| arg.to_vec())))
        }
        None => Ok((trimmed.to_vec(), None)),
    }
}

/// Maps one ELF file into `mm` at a bias chosen here; returns the image.
fn map_elf(
    mm: &MemoryManager,
    f: &FileDescription,
    hdr: &Header,
    phdrs: &[ProgramHeader],
    is_interp: bool,
) -> Result<Image, Errno> {
    let loads: Vec<&ProgramHeader> = phdrs.iter().filter(|p| p.p_type == program_header::PT_LOAD).collect();
    if loads.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    let lo = page_down(loads.iter().map(|p| p.p_vaddr).min().unwrap_or(0));
    let hi = loads
        .iter()
        .map(|p| p.p_vaddr.checked_add(p.p_memsz))
        .try_fold(0u64, |m, e| e.map(|e| m.max(e)))
        .ok_or(Errno::ENOEXEC)?;
    let hi = page_up(hi).ok_or(Errno::ENOEXEC)?;
    let span = hi.checked_sub(lo).filter(|&s| s > 0).ok_or(Errno::ENOEXEC)?;
    let name = f.path.clone();
    let kind = VmaKind::File { name, offset: 0 };
    let rw = Prot::READ | Prot::WRITE;
    let start = if hdr.e_type == header::ET_EXEC {
        mm.map(Placement::Fixed(lo), span, rw, false, kind, None)?
    } else if is_interp {
        mm.map(Placement::Hint(0), span, rw, false, kind, None)?
    } else {
        mm.map(Placement::Hint(PIE_BASE), span, rw, false, kind, None)?
    };
    let bias = start - lo;
    // Fill every segment's file bytes (the rest of the fresh memory is already zero).
    for p in &loads {
        if p.p_filesz > p.p_memsz {
            return Err(Errno::ENOEXEC);
        }
        let dest = bias + p.p_vaddr;
        let len = p.p_filesz as usize;
        let mut done = 0usize;
        while done < len {
            let n = (len - done).min(1 << 20);
            let mut buf = vec![0u8; n];
            let got = read_full(f, &mut buf, p.p_offset + done as u64)?;
            if got == 0 {
                return Err(Errno::EIO);
            }
            mm.poke_bytes(dest + done as u64, &buf[..got])?;
            done += got;
        }
    }
    // Then give every page the union of the protections of the segments touching it.
    let mut page = lo;
    while page < hi {
        let prot_of = |pg: u64| {
            loads.iter().filter(|p| p.p_vaddr < pg + 4096 && p.p_vaddr + p.p_memsz > pg).fold(
                Prot::empty(),
                |acc, p| {
                    let mut pr = Prot::empty();
                    if p.p_flags & program_header::PF_R != 0 {
                        pr |= Prot::READ;
                    }
                    if p.p_flags & program_header::PF_W != 0 {
                        pr |= Prot::WRITE;
                    }
                    if p.p_flags & program_header::PF_X != 0 {
                        pr |= Prot::EXEC;
                    }
                    acc | pr
                },
            )
        };
        let prot = prot_of(page);
        let mut run_end = page + 4096;
        while run_end < hi && prot_of(run_end) == prot {
            run_end += 4096;
        }
        if prot != rw {
            mm.protect(bias + page, run_end - page, prot)?;
        }
        page = run_end;
    }
    // Program headers in memory: PT_PHDR, else inside the segment holding e_phoff.
    let phdr = phdrs
        .iter()
        .find(|p| p.p_type == program_header::PT_PHDR)
        .map(|p| p.p_vaddr)
        .or_else(|| {
            loads
                .iter()
                .find(|p| p.p_offset <= hdr.e_phoff && hdr.e_phoff < p.p_offset + p.p_filesz)
                .map(|p| p.p_vaddr + (hdr.e_phoff - p.p_offset))
        })
        .unwrap_or(0);
    Ok(Image {
        bias,
        entry: bias + hdr.e_entry,
        phdr: if phdr == 0 { 0 } else { bias + phdr },
        phnum: u64::from(hdr.e_phnum),
        end: bias + hi,
    })
}

/// Reads and checks an ELF header and program headers.
fn read_elf(f: &FileDescription, head: &[u8]) -> Result<(Header, Vec<ProgramHeader>), Errno> {
    if head.len() < 64 || &head[..4] != b"\x7fELF" {
        return Err(Errno::ENOEXEC);
    }
    let hdr = goblin::elf::Elf::parse_header(head).map_err(|_| Errno::ENOEXEC)?;
    if hdr.e_ident[header::EI_CLASS] != header::ELFCLASS64 || hdr.e_machine != header::EM_X86_64 {
        return Err(Errno::ENOEXEC);
    }
    if hdr.e_type != header::ET_EXEC && hdr.e_type != header::ET_DYN {
        return Err(Errno::ENOEXEC);
    }
    if usize::from(hdr.e_phentsize) != 56 || hdr.e_phnum == 0 || hdr.e_phnum > 1024 {
        return Err(Errno::ENOEXEC);
    }
    let size = usize::from(hdr.e_phnum) * usize::from(hdr.e_phentsize);
    let mut buf = vec![0u8; size];
    if read_full(f, &mut buf, hdr.e_phoff)? != size {
        return Err(Errno::ENOEXEC);
    }
    let ctx = goblin::container::Ctx::new(goblin::container::Container::Big, goblin::container::Endian::Little);
    let phdrs = ProgramHeader::parse(&buf, 0, usize::from(hdr.e_phnum), ctx).map_err(|_| Errno::ENOEXEC)?;
    Ok((hdr, phdrs))
}

/// A program whose files are open and whose headers were checked: everything that can
/// fail with an errno the caller of execve sees. [`commit`] then builds the image.
pub struct Prepared {
    main: (Arc<FileDescription>, Header, Vec<ProgramHeader>),
    interp: Option<(Arc<FileDescription>, Header, Vec<ProgramHeader>)>,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    execfn: Vec<u8>,
}

/// Opens and checks `path` (resolved like execve does, relative to `t`'s cwd), or
/// the already-open `file` when given (execveat with AT_EMPTY_PATH), following
/// `#!` interpreters.
pub fn prepare(
    t: &Task,
    path: &[u8],
    file: Option<Arc<FileDescription>>,
    mut argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<Prepared, Errno> {
    let total: usize = argv.iter().chain(&envp).map(|s| s.len() + 1 + 8).sum();
    if total > stack::MAX_ARG_BYTES {
        return Err(Errno::E2BIG);
    }
    let execfn = path.to_vec();
    let mut path = path.to_vec();
    let mut file = file;
    for _ in 0..=MAX_SCRIPT_DEPTH {
        let f = match file.take() {
            Some(f) => {
                check_exec(&f)?;
                f
            }
            None => open_exec(t, &path)?,
        };
        let mut head = vec![0u8; BINPRM_BUF_SIZE];
        let n = read_full(&f, &mut head, 0)?;
        head.truncate(n);
        if head.starts_with(b"#!") {
            let (interp, arg) = parse_shebang(&head)?;
            // New argv: interp [arg] path argv[1..]
            let mut nargv = vec![interp.clone()];
            nargv.extend(arg);
            nargv.push(path.clone());
            nargv.extend(argv.into_iter().skip(1));
            argv = nargv;
            path = interp;
            continue;
        }
        let (hdr, phdrs) = read_elf(&f, &head)?;
        let interp = match phdrs.iter().find(|p| p.p_type == program_header::PT_INTERP) {
            Some(p) => {
                if p.p_filesz < 2 || p.p_filesz > 4096 {
                    return Err(Errno::ENOEXEC);
                }
                let mut b = vec![0u8; p.p_filesz as usize];
                if read_full(&f, &mut b, p.p_offset)? != b.len() {
                    return Err(Errno::ENOEXEC);
                }
                let end = b.iter().position(|&c| c == 0).ok_or(Errno::ENOEXEC)?;
                b.truncate(end);
                let fi = open_exec(t, &b).map_err(|e| if e == Errno::EACCES { Errno::ELIBBAD } else { e })?;
                let mut ih = vec![0u8; BINPRM_BUF_SIZE];
                let n = read_full(&fi, &mut ih, 0)?;
                ih.truncate(n);
                let (ihdr, iphdrs) = read_elf(&fi, &ih).map_err(|_| Errno::ELIBBAD)?;
                Some((fi, ihdr, iphdrs))
            }
            None => None,
        };
        return Ok(Prepared { main: (f, hdr, phdrs), interp, argv, envp, execfn });
    }
    Err(Errno::ELOOP)
}

/// Builds the prepared program in the empty address space `mm` and returns the
/// initial registers. A failure here leaves `mm` half built: execve kills the task.
pub fn commit(t: &Task, mm: &MemoryManager, p: Prepared) -> Result<Loaded, Errno> {
    stack::prepare(mm)?;
    let (f, hdr, phdrs) = &p.main;
    let main = map_elf(mm, f, hdr, phdrs, false)?;
    mm.set_brk_start(main.end);
    let interp = match &p.interp {
        Some((fi, ihdr, iphdrs)) => Some(map_elf(mm, fi, ihdr, iphdrs, true)?),
        None => None,
    };
    let creds = t.creds.borrow().clone();
    let info = stack::AuxInfo {
        phdr: main.phdr,
        phnum: main.phnum,
        entry: main.entry,
        base: interp.map_or(0, |i| i.bias),
        uid: creds.uid,
        gid: creds.gid,
    };
    let (sp, args, env) = stack::build(mm, &p.argv, &p.envp, &p.execfn, &info)?;
    let entry = interp.map_or(main.entry, |i| i.entry);
    let mut regs = Regs::default();
    regs.0.rip = entry;
    regs.0.rsp = sp;
    regs.0.cs = 0x33;
    regs.0.ss = 0x2b;
    regs.0.eflags = 0x202;
    Ok(Loaded { regs, exe: f.path.clone(), args, env })
}

impl Loaded {
    /// Makes `t` start the new image: registers, /proc's exe, cmdline and environ,
    /// and the command name (the last component of `path`, as Linux's comm).
    pub fn install(self, t: &Task, path: &[u8]) {
        *t.regs.borrow_mut() = self.regs;
        *t.local.exe.borrow_mut() = self.exe;
        t.local.args.set(self.args);
        t.local.env.set(self.env);
        let base = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
        t.set_comm(&base[..base.len().min(15)]);
    }
}

/// Loads `path` into the fresh, empty address space `mm` (prepare + commit).
pub fn load(
    t: &Task,
    mm: &MemoryManager,
    path: &[u8],
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<Loaded, Errno> {
    let p = prepare(t, path, None, argv, envp)?;
    commit(t, mm, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines() {
        assert_eq!(parse_shebang(b"#!/bin/sh\necho").unwrap(), (b"/bin/sh".to_vec(), None));
        assert_eq!(
            parse_shebang(b"#! /usr/bin/env  python3 -u \n").unwrap(),
            (b"/usr/bin/env".to_vec(), Some(b"python3 -u".to_vec()))
        );
        assert_eq!(parse_shebang(b"#!\n"), Err(Errno::ENOEXEC));
    }
}
