//! Links libseccomp on hosts that have the runtime library (`libseccomp.so.2`) but not the
//! development symlink `libseccomp.so` (package libseccomp-dev).
//!
//! The `libseccomp-sys` crate asks the linker for `-lseccomp`, which needs `libseccomp.so`. We
//! put a GNU ld linker script of that name in `OUT_DIR` that redirects to the versioned soname,
//! and add `OUT_DIR` to the search path. This is used even where libseccomp-dev is installed, so
//! every machine links the same way.
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = out.join("libseccomp.so");
    // Never write through a stale symlink (or over a stale file): remove it first.
    match std::fs::remove_file(&script) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove {}: {e}", script.display()),
    }
    std::fs::write(&script, "INPUT(-l:libseccomp.so.2)\n")
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", script.display()));
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
}
