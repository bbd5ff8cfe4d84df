//! `--strace`: one line per syscall, strace-style, decoded from the table's formats.

use std::fmt::Write;

use sbx_abi::{Errno, SysResult};

use super::{name, table, SyscallArgs};
use crate::kernel::Task;

const MAX_STR: usize = 32;

fn quote(bytes: &[u8], out: &mut String) {
    out.push('"');
    for &b in bytes.iter().take(MAX_STR) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    if bytes.len() > MAX_STR {
        out.push_str("...");
    }
}

fn guest_bytes(t: &Task, addr: u64, len: usize) -> Option<Vec<u8>> {
    let mut b = vec![0u8; len.min(MAX_STR + 1)];
    t.mm().copy_in_bytes(addr, &mut b).ok().map(|_| b)
}

/// Formats a finished syscall as `name(args) = result`.
pub fn format(t: &Task, nr: u64, a: &SyscallArgs, res: &SysResult) -> String {
    let fmt = table().get(nr as usize).copied().flatten().map(|s| s.fmt).unwrap_or("xxxxxx");
    let mut s = String::new();
    let _ = write!(s, "[{}] {}(", t.tid(), name(nr));
    for (i, c) in fmt.chars().enumerate().take(6) {
        if i > 0 {
            s.push_str(", ");
        }
        let v = a.0[i];
        match c {
            'd' => {
                let _ = write!(s, "{}", v as i64 as i32);
            }
            'u' => {
                let _ = write!(s, "{v}");
            }
            'o' => {
                let _ = write!(s, "{v:#o}");
            }
            's' => match t.mm().read_cstr(v, 4096) {
                Ok(b) => quote(&b, &mut s),
                Err(_) => {
                    let _ = write!(s, "{v:#x}");
                }
            },
            'b' | 'r' => {
                let len = if c == 'b' {
                    a.0.get(i + 1).copied().unwrap_or(0) as usize
                } else {
                    res.map(|r| r as usize).unwrap_or(0)
                };
                match guest_bytes(t, v, len) {
                    Some(mut b) if c == 'b' || res.is_ok() => {
                        b.truncate(len);
                        quote(&b, &mut s);
                        if len > MAX_STR {
                            s.push_str("...");
                        }
                    }
                    _ => {
                        let _ = write!(s, "{v:#x}");
                    }
                }
            }
            '-' => s.push_str("..."),
            _ => {
                let _ = write!(s, "{v:#x}");
            }
        }
    }
    s.push_str(") = ");
    match res {
        Ok(v) => {
            if *v > 0xffff {
                let _ = write!(s, "{v:#x}");
            } else {
                let _ = write!(s, "{v}");
            }
        }
        Err(e) => {
            let _ = write!(s, "-1 {}", e.name());
        }
    }
    s
}

/// Formats a syscall that does not return (exit, execve success).
pub fn format_noreturn(t: &Task, nr: u64, a: &SyscallArgs) -> String {
    let mut s = format(t, nr, a, &Err(Errno(0)));
    if let Some(i) = s.rfind(" = ") {
        s.truncate(i);
        s.push_str(" = ?");
    }
    s
}
