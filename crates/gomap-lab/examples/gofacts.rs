//! Prints what `gofacts::collect()` and `syscalls::probe()` measure, as one
//! JSON object `{"gofacts": ..., "syscalls": ...}` (each an error string
//! where unavailable), with how long each took on standard error.
//!
//!     cargo build --release -p gomap-lab && cargo run --release -p gomap-lab --example gofacts
//!
//! `probe()` looks for `gomap-syscall-probe` next to this example's
//! executable or one directory up (`target/release/`), which the build above makes.

use std::time::Instant;

use gomap_lab::{gofacts, syscalls};
use serde_json::{json, Value};

fn main() {
    let t = Instant::now();
    let facts = match gofacts::collect() {
        Ok(f) => serde_json::to_value(f).unwrap_or_else(|e| json!(e.to_string())),
        Err(e) => json!(e.reason),
    };
    eprintln!("gofacts::collect() took {:?}", t.elapsed());
    let t = Instant::now();
    let sys: Value = match syscalls::probe() {
        Ok(r) => serde_json::to_value(r).unwrap_or_else(|e| json!(e.to_string())),
        Err(e) => json!(e.reason),
    };
    eprintln!("syscalls::probe() took {:?}", t.elapsed());
    println!("{}", json!({ "gofacts": facts, "syscalls": sys }));
}
