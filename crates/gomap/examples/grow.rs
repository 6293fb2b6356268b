//! Shows a `GoMap<u64, u64>` growing the way Go's map does: each growth's
//! start (on the 9th, 14th, 27th, 53rd … insert), how many writes paid it
//! off, and the layout statistics at the end.
//!
//! Run: `cargo run --release -p gomap --example grow -- [INSERTS]`
#![forbid(unsafe_code)]

use gomap::events::Event;
use gomap::GoMap;
use std::sync::{Arc, Mutex};

fn main() {
    let n: u64 = match std::env::args().nth(1).map(|s| s.parse()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: grow [INSERTS]  ({e})");
            std::process::exit(2);
        }
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut m: GoMap<u64, u64> = GoMap::with_capacity_and_observer(0, move |e: &Event| {
        if matches!(e, Event::GrowStart { .. } | Event::GrowDone { .. }) {
            sink.lock().unwrap().push(e.clone());
        }
    });
    for k in 0..n {
        m.insert(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), k);
    }
    println!(
        "{:>10}  {:<10} {:>5} {:>5} {:>10}",
        "insert #", "growth", "old B", "new B", "writes"
    );
    let mut open = std::collections::VecDeque::new();
    for e in events.lock().unwrap().iter() {
        match e {
            // Keys are distinct, so the insert that starts a growth is number count + 1.
            Event::GrowStart {
                kind,
                old_b,
                new_b,
                count,
                ..
            } => open.push_back((count + 1, *kind, *old_b, *new_b)),
            Event::GrowDone { writes, .. } => {
                if let Some((at, kind, old_b, new_b)) = open.pop_front() {
                    println!(
                        "{at:>10}  {:<10} {old_b:>5} {new_b:>5} {writes:>10}",
                        kind.as_str()
                    );
                }
            }
            _ => {}
        }
    }
    for (at, kind, old_b, new_b) in open {
        println!(
            "{at:>10}  {:<10} {old_b:>5} {new_b:>5} {:>10}",
            kind.as_str(),
            "(running)"
        );
    }
    let s = m.stats();
    println!(
        "\n{} entries, B = {}, {} buckets, load {:.2}, {} overflow buckets ({} pool, {} heap)",
        s.count,
        s.b,
        s.buckets,
        s.load_factor,
        s.overflow.pool + s.overflow.heap,
        s.overflow.pool,
        s.overflow.heap
    );
    println!(
        "lookup cost: {:.2} entries checked per hit, {:.2} per miss; {} bytes ({:.1} per entry)",
        s.probe.hit_mean,
        s.probe.miss_mean,
        s.bytes.total,
        s.bytes.total as f64 / s.count.max(1) as f64
    );
}
