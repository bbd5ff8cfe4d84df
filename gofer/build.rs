//! Links libseccomp on machines that have only the runtime library (libseccomp2)
//! and not the development symlink `libseccomp.so`: a linker script in OUT_DIR named
//! `libseccomp.so` points the linker at `libseccomp.so.2`.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = out.join("libseccomp.so");
    // Never write through a stale symlink left by an earlier build.
    let _ = std::fs::remove_file(&script);
    std::fs::write(&script, "INPUT(-l:libseccomp.so.2)\n").expect("writing the libseccomp linker script");
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
}
