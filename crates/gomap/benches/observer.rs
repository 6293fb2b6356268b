//! Issue 4: a map without an observer must be as fast as before events
//! existed. This bench compares, in one run, a `GoMap` without an observer
//! and one with an observer that does nothing (so every event is built and
//! delivered through the `dyn Observer` call), on inserts that grow the map
//! from empty (growth, evacuation and overflow events fire) and on lookups
//! (no event sites at all).
//!
//! ```text
//! cargo bench -p gomap --bench observer
//! ```
//!
//! The comparison with the code before events existed is by instruction
//! counts (reproducible on a noisy machine): see `bench/callgrind.md`.
//! `GOMAP_BENCH_QUICK=1` shortens warm-up and measurement. Time is the
//! thread's CPU time (see `common/clock.rs`); divide by N for ns per op.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{BatchSize, Criterion, SamplingMode};
use gomap::events::Event;
use gomap::GoMap;

#[path = "common/clock.rs"]
mod clock;
#[path = "common/keys.rs"]
mod keys;
use keys::*;

const N: usize = 100_000;

fn quick() -> bool {
    std::env::var_os("GOMAP_BENCH_QUICK").is_some_and(|v| v != "0")
}

/// A map with or without the do-nothing observer.
fn make(observed: bool) -> GoMap<u64, u64> {
    let mut m = GoMap::new();
    if observed {
        m.set_observer(|e: &Event| {
            black_box(e);
        });
    }
    m
}

fn benches<T: Measurement>(c: &mut Criterion<T>) {
    let keys = u64_keys(N);
    let probes: Vec<u64> = shuffled_indices(N).iter().map(|&i| keys[i]).collect();
    let (warm, meas) = if quick() { (0.2, 0.8) } else { (0.5, 2.0) };
    let mut g = c.benchmark_group("observer-u64");
    g.warm_up_time(Duration::from_secs_f64(warm));
    g.measurement_time(Duration::from_secs_f64(meas));
    g.sample_size(20);
    g.sampling_mode(SamplingMode::Flat);
    for (name, observed) in [("none", false), ("noop", true)] {
        g.bench_function(format!("insert/{name}"), |b| {
            b.iter_batched(
                || make(observed),
                |mut m| {
                    for (i, &k) in keys.iter().enumerate() {
                        m.insert(k, i as u64);
                    }
                    m
                },
                BatchSize::PerIteration,
            )
        });
    }
    for (name, observed) in [("none", false), ("noop", true)] {
        let mut full = make(observed);
        for (i, &k) in keys.iter().enumerate() {
            full.insert(k, i as u64);
        }
        g.bench_function(format!("lookup_hit/{name}"), |b| {
            b.iter(|| {
                let mut s = 0u64;
                for k in &probes {
                    s = s.wrapping_add(*full.get(k).unwrap());
                }
                black_box(s)
            })
        });
    }
    g.finish();
}

clock::main_with_clock!(benches);
