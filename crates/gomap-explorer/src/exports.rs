//! The wasm ABI the page calls: `extern "C"` functions of integers over one
//! thread-local [`Explorer`].
//!
//! Text reaches Rust a byte at a time ([`gm_byte`], then a function that
//! takes the bytes: [`gm_push_ops`], [`gm_insert_str`], …). JSON leaves
//! through [`OUT`]: a function that produces text stores it there and
//! returns its length; the page reads `gm_out_len()` bytes at
//! `gm_out_ptr()` from the module's memory. Every name starts with `gm_`
//! so that the symbols cannot clash with a C library's when the crate is
//! built natively.
//!
//! Every op runs on both maps, the classic and the Swiss one; the page
//! reads each through its own snapshot and event functions.
//!
//! Key types are 0 (`u64`) and 1 (string); workloads 0–4 as in
//! [`Workload::from_index`]; event masks as in [`crate::mask`].

// `#[no_mangle]` counts as unsafe code (it can clash with another symbol of
// the same name); it is how these functions become the module's exports,
// the wasm ABI. No `unsafe` block or function exists here or anywhere in the
// crate; every other module forbids unsafe code.
#![allow(unsafe_code)]

use std::cell::RefCell;

use crate::script::{self, Key, KeyType, Op};
use crate::{Explorer, Scenario, Workload};

thread_local! {
    /// The page's explorer.
    static EXPLORER: RefCell<Explorer> = RefCell::new(Explorer::new(Scenario {
        kt: KeyType::U64,
        hint: 0,
        seed: 1,
    }));
    /// Text in: bytes pushed by [`gm_byte`] since the last function that took them.
    static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Text out: the last JSON (or error message) produced.
    static OUT: RefCell<String> = const { RefCell::new(String::new()) };
}

fn with<R>(f: impl FnOnce(&mut Explorer) -> R) -> R {
    EXPLORER.with(|x| f(&mut x.borrow_mut()))
}

/// Stores `s` as the output; returns its length in bytes.
fn out(s: String) -> u32 {
    let n = s.len() as u32;
    OUT.with(|o| *o.borrow_mut() = s);
    n
}

/// The bytes pushed since the last call, as text (invalid UTF-8 replaced).
fn take_text() -> String {
    TEXT.with(|t| String::from_utf8_lossy(&std::mem::take(&mut *t.borrow_mut())).into_owned())
}

fn key_type(kt: u32) -> KeyType {
    if kt == 1 {
        KeyType::Str
    } else {
        KeyType::U64
    }
}

/// Makes a new map (key type `kt`, `make` hint `hint`, scenario seed
/// `seed`) with an empty script. Go: `make(map[K]uint64, hint)`.
#[no_mangle]
pub extern "C" fn gm_make(kt: u32, hint: u32, seed: u64) {
    let scenario = Scenario {
        kt: key_type(kt),
        hint: hint as usize,
        seed,
    };
    with(|x| x.reset(scenario));
}

/// Pushes one byte of text.
#[no_mangle]
pub extern "C" fn gm_byte(b: u32) {
    TEXT.with(|t| t.borrow_mut().push(b as u8));
}

/// Parses the pushed text as ops (the `ops=` syntax of [`script`]) and
/// appends them to the script. Returns how many, or -1 with the error
/// message as the output.
#[no_mangle]
pub extern "C" fn gm_push_ops() -> i32 {
    let text = take_text();
    with(|x| match script::parse(&text, x.scenario().kt) {
        Ok(ops) => {
            let n = ops.len() as i32;
            x.push(ops);
            n
        }
        Err(e) => {
            out(e.to_string());
            -1
        }
    })
}

/// Parses the pushed text as ops and applies them now (dropping the script
/// after the position). Returns how many, or -1 with the error message as
/// the output.
#[no_mangle]
pub extern "C" fn gm_apply_ops() -> i32 {
    let text = take_text();
    with(|x| match script::parse(&text, x.scenario().kt) {
        Ok(ops) => {
            let n = ops.len() as i32;
            x.apply_all_now(ops);
            n
        }
        Err(e) => {
            out(e.to_string());
            -1
        }
    })
}

/// Appends `n` ops of workload `w`; returns the script's new length.
#[no_mangle]
pub extern "C" fn gm_push_workload(w: u32, n: u32) -> u32 {
    with(|x| {
        if let Some(w) = Workload::from_index(w) {
            x.push_workload(w, n as usize);
        }
        x.script().len() as u32
    })
}

/// Inserts `k → v` now (dropping the script after the position).
#[no_mangle]
pub extern "C" fn gm_insert_u64(k: u64, v: u64) {
    with(|x| x.apply_now(Op::Insert(Key::U64(k), v)));
}

/// Deletes `k` now.
#[no_mangle]
pub extern "C" fn gm_remove_u64(k: u64) {
    with(|x| x.apply_now(Op::Remove(Key::U64(k))));
}

/// Looks `k` up now.
#[no_mangle]
pub extern "C" fn gm_get_u64(k: u64) {
    with(|x| x.apply_now(Op::Get(Key::U64(k))));
}

/// Inserts the pushed text as a string key, with value `v`, now.
#[no_mangle]
pub extern "C" fn gm_insert_str(v: u64) {
    let k = take_text();
    with(|x| x.apply_now(Op::Insert(Key::Str(k.into()), v)));
}

/// Deletes the pushed text as a string key, now.
#[no_mangle]
pub extern "C" fn gm_remove_str() {
    let k = take_text();
    with(|x| x.apply_now(Op::Remove(Key::Str(k.into()))));
}

/// Applies up to `n` ops of the script; returns how many were applied.
#[no_mangle]
pub extern "C" fn gm_step(n: u32) -> u32 {
    with(|x| x.step(n as usize) as u32)
}

/// Applies ops until one causes an event in `mask`, at most `max`.
#[no_mangle]
pub extern "C" fn gm_step_until(mask: u32, max: u32) -> u32 {
    with(|x| x.step_until(mask, max as usize) as u32)
}

/// Moves to position `pos` of the script.
#[no_mangle]
pub extern "C" fn gm_seek(pos: u32) {
    with(|x| x.seek(pos as usize));
}

/// Ops applied so far.
#[no_mangle]
pub extern "C" fn gm_pos() -> u32 {
    with(|x| x.pos() as u32)
}

/// Ops in the script.
#[no_mangle]
pub extern "C" fn gm_len() -> u32 {
    with(|x| x.script().len() as u32)
}

/// Writes the snapshot JSON ([`Explorer::snapshot`]) as the output;
/// returns its length.
#[no_mangle]
pub extern "C" fn gm_snapshot(
    first: u32,
    count: u32,
    old_first: u32,
    old_count: u32,
    cells: u32,
) -> u32 {
    out(with(|x| {
        x.snapshot(
            first as usize,
            count as usize,
            old_first as usize,
            old_count as usize,
            cells as usize,
        )
    }))
}

/// Writes the Swiss map's snapshot JSON ([`Explorer::swiss_snapshot`]:
/// group rows `first .. first + count`, a summary in `cells` cells) as the
/// output; returns its length.
#[no_mangle]
pub extern "C" fn gm_swiss_snapshot(first: u32, count: u32, cells: u32) -> u32 {
    out(with(|x| {
        x.swiss_snapshot(first as usize, count as usize, cells as usize)
    }))
}

/// Writes the classic map's events since the last call (at most `max`) as
/// the output.
#[no_mangle]
pub extern "C" fn gm_take_events(max: u32) -> u32 {
    out(with(|x| x.take_events(max as usize)))
}

/// Writes the Swiss map's events since the last call (at most `max`) as
/// the output.
#[no_mangle]
pub extern "C" fn gm_take_swiss_events(max: u32) -> u32 {
    out(with(|x| x.take_swiss_events(max as usize)))
}

/// Writes ops `from .. to` of the script as text (the `ops=` form) as the
/// output.
#[no_mangle]
pub extern "C" fn gm_script_text(from: u32, to: u32) -> u32 {
    out(with(|x| x.script_text(from as usize, to as usize)))
}

/// Address of the output in the module's memory.
#[no_mangle]
pub extern "C" fn gm_out_ptr() -> usize {
    OUT.with(|o| o.borrow().as_ptr() as usize)
}

/// Length of the output in bytes.
#[no_mangle]
pub extern "C" fn gm_out_len() -> usize {
    OUT.with(|o| o.borrow().len())
}
