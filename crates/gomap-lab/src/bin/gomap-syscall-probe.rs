//! gomap-syscall-probe: drives one `GoMap<u64, u64>` through phases for
//! strace to watch (issue 18: which system calls `GoMap::new`, the first
//! insert and a large growth make). Before each phase it writes
//! `gomap-phase: NAME` to standard error in one `write`; after each it prints
//! the map's state as one JSON line on standard output. `gomap-lab`'s
//! `syscalls` module runs it under strace and splits the trace at the markers.
//!
//!     gomap-syscall-probe [KEYS]    (default 2^21)
//!
//! Phases: `new` (`GoMap::new`), `first-insert`, `grow` (keys 1..KEYS, every
//! doubling up to the final B), `stats-full`, `delete-all` (every key
//! removed; the arrays stay), `stats-empty`, `drop`, `exit`. The two
//! `stats-` phases are the probe's own: `stats()` walks every bucket and
//! allocates, so it runs in a phase of its own, and only there, to keep the
//! map's phases clean. Built by `cargo build -p gomap-lab`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use gomap::GoMap;
use gomap_lab::syscalls::{ProbeMapState, DEFAULT_PROBE_KEYS, PHASE_MARKER};

fn phase(name: &str) {
    // One write per marker: the whole line is formatted first.
    let line = format!("{PHASE_MARKER}{name}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// The map's header after a phase (`header()` allocates nothing).
fn state(phase: &str, m: Option<&GoMap<u64, u64>>) -> ProbeMapState {
    let (count, b) = m.map_or((0, 0), |m| (m.len(), m.header().b));
    ProbeMapState {
        phase: phase.to_string(),
        count,
        b,
        bytes: None,
    }
}

/// A `stats-` phase: the bytes the map holds, by its own accounting.
fn stats_phase(name: &str, m: &GoMap<u64, u64>) -> ProbeMapState {
    phase(name);
    ProbeMapState {
        bytes: Some(m.stats().bytes.total),
        ..state(name, Some(m))
    }
}

fn main() -> ExitCode {
    let keys = match std::env::args().nth(1).map(|a| a.parse::<u64>()) {
        None => DEFAULT_PROBE_KEYS,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => {
            eprintln!("usage: gomap-syscall-probe [KEYS >= 1]");
            return ExitCode::from(2);
        }
    };
    // States are printed at the end so that stdout writes stay out of the phases.
    let mut states = Vec::new();
    phase("new");
    let mut m: GoMap<u64, u64> = GoMap::new();
    states.push(state("new", Some(&m)));
    phase("first-insert");
    m.insert(0, 0);
    states.push(state("first-insert", Some(&m)));
    phase("grow");
    for k in 1..keys {
        m.insert(k, k);
    }
    states.push(state("grow", Some(&m)));
    states.push(stats_phase("stats-full", &m));
    phase("delete-all");
    for k in 0..keys {
        m.remove(&k);
    }
    states.push(state("delete-all", Some(&m)));
    states.push(stats_phase("stats-empty", &m));
    phase("drop");
    drop(m);
    states.push(state("drop", None));
    phase("exit");
    let mut out = String::new();
    for s in &states {
        match serde_json::to_string(s) {
            Ok(line) => {
                out.push_str(&line);
                out.push('\n');
            }
            Err(e) => {
                eprintln!("gomap-syscall-probe: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
