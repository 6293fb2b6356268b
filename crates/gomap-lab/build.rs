//! Builds the explorer's wasm module (`crates/gomap-explorer` for
//! `wasm32-unknown-unknown`, profile `wasm`) so that `explore.html` can
//! embed it, and sets `cfg(gomap_explorer_wasm)` when it did.
//!
//! The inner cargo gets its own target directory inside `OUT_DIR`: the
//! outer build holds the lock on the workspace's, and waiting for it would
//! deadlock. When the wasm32 target is not installed the lab still builds,
//! with a warning; its `explore.html` then says how to install the target.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    println!("cargo:rustc-check-cfg=cfg(gomap_explorer_wasm)");
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let crates = manifest.parent().expect("the lab lives in crates/");
    let root = crates
        .parent()
        .expect("crates/ lives in the workspace root");
    let explorer = crates.join("gomap-explorer");
    for path in [
        explorer.join("src"),
        explorer.join("Cargo.toml"),
        crates.join("gomap/src"),
        crates.join("gomap/Cargo.toml"),
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    if !target_installed(Path::new(&rustc)) {
        println!(
            "cargo:warning=the wasm32-unknown-unknown target is not installed, so explore.html \
             will only say how to get it: rustup target add wasm32-unknown-unknown"
        );
        return;
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = out_dir.join("wasm-target");
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--quiet",
        "--target",
        TARGET,
        "--profile",
        "wasm",
        "--manifest-path",
    ])
    .arg(explorer.join("Cargo.toml"))
    .env("CARGO_TARGET_DIR", &target_dir);
    // What the outer build passes to build scripts must not leak into the
    // inner one: its flags are for the host target, and clippy's wrappers
    // would lint (and, with -D warnings, fail) the wasm build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CLIPPY_ARGS",
        "CLIPPY_CONF_DIR",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("running cargo for the explorer's wasm module");
    assert!(
        status.success(),
        "building crates/gomap-explorer for {TARGET} failed (see above)"
    );
    let wasm = target_dir
        .join(TARGET)
        .join("wasm")
        .join("gomap_explorer.wasm");
    std::fs::copy(&wasm, out_dir.join("gomap_explorer.wasm"))
        .unwrap_or_else(|e| panic!("copying {}: {e}", wasm.display()));
    println!("cargo:rustc-cfg=gomap_explorer_wasm");
}

/// Whether `rustc`'s sysroot has the standard library for [`TARGET`].
fn target_installed(rustc: &Path) -> bool {
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .join("lib")
        .is_dir()
}
