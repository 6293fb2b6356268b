//! gomap-lab's readers of untrusted input, through the library functions the
//! CLI calls: an oracle JSON-lines stream (plain or gzip) replayed and
//! verified, two streams compared, a sync.Map script run, and a script run
//! against a recording. The contract: no panic; malformed input is an
//! `InputError` (the CLI's exit status 2).
//!
//! The first byte picks the reader; for the two-part readers the rest is
//! split at the first `0xff` byte (which no UTF-8 text holds).
#![no_main]

use gomap_lab::compare::compare_inputs;
use gomap_lab::experiments::{syncmap, Outcome};
use gomap_lab::hashes::MissingHash;
use gomap_lab::input::Input;
use gomap_lab::protocol::{OpKind, Record};
use gomap_lab::verify::verify;
use libfuzzer_sys::fuzz_target;

/// `make` hints above this are skipped, to keep runs fast: the replay
/// accepts a `make` whose bucket array is up to
/// `gomap_lab::replay::MAX_MAKE_ARRAY_BYTES` (256 MiB) and refuses larger
/// ones as malformed input (tested in the lab's `protocol_errors` and `cli`
/// tests), but dumping a map that size takes seconds per input.
const MAX_HINT: u64 = 1 << 12;

/// Whether the stream asks for a `make` hint above [`MAX_HINT`].
fn hostile_hint(input: &Input) -> bool {
    let Ok(records) = input.records() else {
        return false;
    };
    records.flatten().any(|(_, r)| match r {
        Record::Op(op) => op.op == OpKind::Make && op.hint.is_some_and(|h| h > MAX_HINT),
        _ => false,
    })
}

/// Renders what the CLI prints for an outcome.
fn show(outcome: &syncmap::SyncMapOutcome) {
    for t in outcome.tables() {
        let _ = t.to_text();
    }
    let _ = outcome.json_lines();
}

fn split(rest: &[u8]) -> (&[u8], &[u8]) {
    match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    // The replay catches the panic a missing recorded hash raises by design
    // (a `MissingHash` payload) and reports it; keep libFuzzer's hook, which
    // aborts, for every other panic.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<MissingHash>().is_none() {
                fuzzer_hook(info);
            }
        }));
    });

    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            let input = Input::bytes("stream", rest.to_vec());
            if !hostile_hint(&input) {
                let _ = verify(&input, 4);
            }
        }
        1 => {
            let (a, b) = split(rest);
            let (a, b) = (
                Input::bytes("go", a.to_vec()),
                Input::bytes("ours", b.to_vec()),
            );
            let _ = compare_inputs(&a, &b, 4);
        }
        2 => {
            let Ok(script) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(outcome) = syncmap::run("script", script, None) {
                show(&outcome);
            }
        }
        _ => {
            let (a, b) = split(rest);
            let (Ok(script), Ok(recording)) = (std::str::from_utf8(a), std::str::from_utf8(b))
            else {
                return;
            };
            if let Ok(outcome) = syncmap::run("script", script, Some(("recording", recording))) {
                show(&outcome);
            }
        }
    }
});
