//! How evenly `SwissMap`'s directory splits with each hasher, on the keys
//! that stress a multiplicative hash's top bits: the sequential integers
//! `1..=N`, in fresh maps with random seeds.
//!
//! ```text
//! cargo run --release -p gomap --example split_balance [MAPS] [N]
//! ```
//!
//! A split divides a full table's 896 entries by one hash bit below the
//! table's depth (Go's layout: the directory takes the hash's top bits).
//! A hash whose top bits vary little over a narrow key range sends most or
//! all of the entries to one side; then the insert's table may be full
//! again, and the same insert splits once more and may double the
//! directory twice. Per hasher, the count of maps with at least one
//! one-sided split (a side of 0), one split worse than 1 : 3, one insert
//! that doubled the directory twice, and the directory depth above a
//! balanced one, `ceil(log2(N / 448))`, summed over the maps.
//! Defaults: 2,000 maps of 10,000 keys.
#![forbid(unsafe_code)]

use std::hash::BuildHasher;

use gomap::events::{Event, Recorder};
use gomap::{SwissMap, SwissWithHasher};

#[derive(Default)]
struct Tally {
    one_sided: u64,
    under_quarter: u64,
    doubled_twice: u64,
    extra_depth: u64,
}

/// One hasher's run: `MAPS` maps of the keys `1..=N`.
type Run = fn(u64, u64) -> Tally;

fn tally<S: BuildHasher + Default>(maps: u64, n: u64) -> Tally {
    let mut t = Tally::default();
    let balanced = ((n as f64) / 448.0).log2().ceil().max(0.0) as u64;
    for _ in 0..maps {
        let log = Recorder::new();
        let mut m: SwissMap<u64, u64, S> =
            SwissWithHasher::with_capacity_and_hasher(0, S::default());
        m.set_observer(log.clone());
        let (mut one_sided, mut under_quarter, mut doubled_twice) = (false, false, false);
        for i in 1..=n {
            m.insert(i, i);
            let mut doublings = 0;
            for e in log.take() {
                match e {
                    Event::SwissDirectoryDouble { .. } => doublings += 1,
                    Event::SwissSplit {
                        left_used,
                        right_used,
                        ..
                    } => {
                        let small = left_used.min(right_used);
                        one_sided |= small == 0;
                        under_quarter |= 4 * small < left_used + right_used;
                    }
                    _ => {}
                }
            }
            doubled_twice |= doublings > 1;
        }
        t.one_sided += u64::from(one_sided);
        t.under_quarter += u64::from(under_quarter);
        t.doubled_twice += u64::from(doubled_twice);
        t.extra_depth += u64::from(m.header().global_depth).saturating_sub(balanced);
    }
    t
}

fn parse(arg: Option<String>, default: u64, what: &str) -> u64 {
    match arg {
        None => default,
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("split_balance: {what} must be a whole number, not {s:?}");
            std::process::exit(2)
        }),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let maps = parse(args.next(), 2_000, "MAPS");
    let n = parse(args.next(), 10_000, "N");
    println!("{maps} maps of the keys 1..={n}, each with a random seed");
    println!("| hasher | a one-sided split | a split worse than 1 : 3 | two doublings in one insert | depth above balanced, summed |");
    println!("|---|---|---|---|---|");
    let rows: [(&str, Run); 3] = [
        (
            "foldhash fast (the default)",
            tally::<foldhash::fast::RandomState>,
        ),
        ("foldhash quality", tally::<foldhash::quality::RandomState>),
        (
            "SipHash-1-3 (std)",
            tally::<std::collections::hash_map::RandomState>,
        ),
    ];
    for (name, run) in rows {
        let t = run(maps, n);
        println!(
            "| {name} | {} | {} | {} | {} |",
            t.one_sided, t.under_quarter, t.doubled_twice, t.extra_depth
        );
    }
}
