//! Finds the front-end assets the binary serves (htmx from the npm registry,
//! our CSS), installing the npm packages from the lockfile when they are
//! missing, and gives each a content hash for a cache-busting URL.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let htmx = root.join("node_modules/htmx.org/dist/htmx.min.js");
    if !htmx.exists() {
        let status = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&root)
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => panic!(
                "htmx is missing and `npm ci` in {} failed ({other:?}). Install Node.js and npm, \
                 then run `npm ci` in the project root.",
                root.display()
            ),
        }
    }
    let css = manifest.join("static/app.css");
    let print_css = manifest.join("static/print.css");
    let card = manifest.join("static/card.png");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut code = String::new();
    for (name, path, ext) in [
        ("HTMX", &htmx, "js"),
        ("CSS", &css, "css"),
        ("PRINT_CSS", &print_css, "css"),
        ("CARD", &card, "png"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let stem = Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace(".min", "");
        code.push_str(&format!(
            "pub const {name}: &[u8] = include_bytes!({:?});\npub const {name}_PATH: &str = \"/static/{stem}-{:012x}.{ext}\";\n",
            path.display().to_string(),
            fnv64(&bytes) & 0xffff_ffff_ffff
        ));
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("package-lock.json").display()
    );
    std::fs::write(out.join("assets.rs"), code).unwrap();
}
