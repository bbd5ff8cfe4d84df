//! Generates one #[test] per C case under tests/cases, so adding a case is adding a
//! file.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut cases = Vec::new();
    if let Ok(families) = std::fs::read_dir(&root) {
        for fam in families.flatten() {
            println!("cargo:rerun-if-changed={}", fam.path().display());
            let Ok(files) = std::fs::read_dir(fam.path()) else { continue };
            for f in files.flatten() {
                let p = f.path();
                if p.extension().is_some_and(|e| e == "c") {
                    cases.push(p);
                }
            }
        }
    }
    cases.sort();
    let mut out = String::new();
    for c in &cases {
        let fam = c.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = c.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let ident: String =
            format!("{fam}_{name}").chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' }).collect();
        let _ = writeln!(out, "#[test]\nfn {ident}() {{\n    sbx_tests::run_case(\"{fam}/{name}\");\n}}\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("cases.rs");
    std::fs::write(dest, out).expect("writing cases.rs");
}
