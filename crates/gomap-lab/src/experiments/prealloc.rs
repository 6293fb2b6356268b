//! The articles' advice "pass the length to make", measured: inserting N keys into
//! `make(map)` and into `make(map, N)` — bucket arrays allocated, heap overflow
//! buckets, bytes, growths and time.
//!
//! The lab forbids `unsafe`, so it cannot install a counting global allocator.
//! Allocations are derived from the map's own events instead, which is exact for
//! the map's memory: each growth allocates one new bucket array (plus the first
//! array), each `OverflowTaken { Heap }` one overflow bucket.

#![forbid(unsafe_code)]

use std::time::Instant;

use gomap::events::{Event, OverflowSource, Recorder};
use gomap::GoMap;
use indicatif::ProgressBar;
use serde::Serialize;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Outcome};
use crate::rng::scatter;
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "Without a hint a map starts at B = 0 and doubles its way up, allocating \
a new bucket array at each growth and moving every entry once per growth (incrementally, two old \
buckets per write). With the final size as hint, make allocates one array of the right B and the \
inserts never grow it: about half the bytes allocated, and no entry moved — but not the 17-step \
rehash storm the article describes. The time saved is smaller than those counts suggest, because a \
map made at full size misses the cache from its first insert while a growing map starts small.";

/// Allocation counts are derived from the map's events (the lab has no global
/// allocator hook: it forbids `unsafe`).
pub const METHOD: &str = "Allocations are counted from gomap's events, not by an allocator hook: \
bucket arrays = growths + 1 (each sized from the map's layout), heap overflow buckets = \
OverflowTaken{Heap} events, bytes = the sum of those. Time: wall clock (std::time::Instant) to make the map and insert, no \
observer attached; median and fastest of the repetitions, which alternate between the two \
modes; ns/insert from the fastest, the run least disturbed by other load.";

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PreallocConfig {
    /// Map sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,100000,1000000", value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    pub sizes: Vec<u64>,
    /// Timed repetitions per size (the median is shown).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub reps: u32,
}

/// `gomap-lab prealloc`.
pub struct Prealloc;

impl Experiment for Prealloc {
    const ID: &'static str = "prealloc";
    const TITLE: &'static str = "Passing the length to make, measured";
    const ABOUT: &'static str = "make(map) vs make(map, N): arrays allocated, heap overflow \
        buckets, bytes, growths and time";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = false;
    type Args = PreallocConfig;
    type Outcome = PreallocOutcome;

    fn run(args: &PreallocConfig, ctx: &Ctx<'_>) -> anyhow::Result<PreallocOutcome> {
        let bar = ctx.bar(args.sizes.len() as u64, "prealloc: sizes");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        vec![match effort {
            Effort::Quick => "--sizes 1000,100000 --reps 3".into(),
            Effort::Full => "--sizes 1000,100000,1000000 --reps 7".into(),
        }]
    }
}

/// One size, with or without the hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreallocRow {
    /// Keys inserted.
    pub n: u64,
    /// The hint passed to `make` (0 or `n`).
    pub hint: u64,
    /// Growths started (doublings and same-size).
    pub growths: usize,
    /// Bucket arrays allocated over the map's life.
    pub arrays: usize,
    /// Overflow buckets allocated on the heap.
    pub heap_overflow: usize,
    /// Overflow buckets taken from preallocated pools.
    pub pool_overflow: usize,
    /// Old buckets evacuated (chains moved).
    pub evacuations: usize,
    /// Bytes allocated for buckets over the map's life.
    pub bytes_allocated: usize,
    /// Bytes the map holds at the end.
    pub bytes_final: usize,
    /// `B` at the end.
    #[serde(rename = "B")]
    pub b: u8,
    /// Median time to make the map and insert `n` keys, in nanoseconds.
    pub median_ns: u64,
    /// Fastest of the repetitions, in nanoseconds (least disturbed by other load).
    pub min_ns: u64,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct PreallocOutcome {
    /// Rows: for each size, without then with the hint.
    pub rows: Vec<PreallocRow>,
    /// Repetitions timed.
    pub reps: u32,
}

#[derive(Default)]
struct Allocs {
    growths: usize,
    heap: usize,
    pool: usize,
    evacuations: usize,
    grew: bool,
}

fn key(i: u64) -> u64 {
    scatter(i)
}

/// One counted run: events for allocations, the layout for array sizes.
fn counted(n: u64, hint: u64) -> PreallocRow {
    let log = Recorder::new();
    let mut m: GoMap<u64, u64> = GoMap::with_capacity_and_observer(hint as usize, log.clone());
    let mut a = Allocs::default();
    let tally = |a: &mut Allocs| {
        for e in log.take() {
            match e {
                Event::GrowStart { .. } => {
                    a.growths += 1;
                    a.grew = true;
                }
                Event::Evacuate { .. } => a.evacuations += 1,
                Event::OverflowTaken {
                    source: OverflowSource::Heap,
                    ..
                } => a.heap += 1,
                Event::OverflowTaken {
                    source: OverflowSource::Pool(_),
                    ..
                } => a.pool += 1,
                _ => {}
            }
        }
    };
    let array_bytes = |m: &GoMap<u64, u64>| {
        let l = m.layout();
        l.arr_len * l.bucket_size
    };
    let mut arrays = 0;
    let mut bytes = array_bytes(&m);
    if bytes > 0 {
        arrays += 1;
    }
    for i in 0..n {
        m.insert(key(i), i);
        tally(&mut a);
        let grew = std::mem::take(&mut a.grew);
        // A B = 0 map allocates its bucket at the first insert; a growth allocates
        // the new array, which is the current one after the insert.
        if grew || arrays == 0 {
            arrays += 1;
            bytes += array_bytes(&m);
        }
    }
    let s = m.stats();
    PreallocRow {
        n,
        hint,
        growths: a.growths,
        arrays,
        heap_overflow: a.heap,
        pool_overflow: a.pool,
        evacuations: a.evacuations,
        bytes_allocated: bytes + a.heap * s.bucket_size,
        bytes_final: s.bytes.total,
        b: s.b,
        median_ns: 0,
        min_ns: 0,
    }
}

/// The time to make a map with `hint` and insert `n` keys.
fn time_once(n: u64, hint: u64) -> u64 {
    let start = Instant::now();
    let mut m: GoMap<u64, u64> = GoMap::with_capacity(hint as usize);
    for i in 0..n {
        m.insert(key(i), i);
    }
    let t = start.elapsed().as_nanos() as u64;
    drop(std::hint::black_box(m));
    t
}

/// The median and the fastest of `times`.
fn median_and_min(mut times: Vec<u64>) -> (u64, u64) {
    times.sort_unstable();
    (times[times.len() / 2], times[0])
}

/// Runs every size without and with the hint. The timed repetitions alternate
/// between the two, so a burst of other load hits both alike.
pub fn run(config: &PreallocConfig, progress: &ProgressBar) -> PreallocOutcome {
    let mut rows = Vec::new();
    for (i, &n) in config.sizes.iter().enumerate() {
        let (mut without, mut with) = (Vec::new(), Vec::new());
        for _ in 0..config.reps.max(1) {
            without.push(time_once(n, 0));
            with.push(time_once(n, n));
        }
        for (hint, times) in [(0, without), (n, with)] {
            let mut row = counted(n, hint);
            (row.median_ns, row.min_ns) = median_and_min(times);
            rows.push(row);
        }
        progress.set_position(i as u64 + 1);
    }
    PreallocOutcome {
        rows,
        reps: config.reps,
    }
}

fn ms(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

impl Outcome for PreallocOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            format!(
                "Inserting N keys: make(map) vs make(map, N) (median of {} runs)",
                self.reps
            ),
            &[
                ("N", Align::Right),
                ("hint", Align::Right),
                ("B", Align::Right),
                ("growths", Align::Right),
                ("arrays", Align::Right),
                ("heap overflow", Align::Right),
                ("old buckets moved", Align::Right),
                ("bytes allocated", Align::Right),
                ("bytes at end", Align::Right),
                ("median ms", Align::Right),
                ("fastest ms", Align::Right),
                ("ns/insert (fastest)", Align::Right),
            ],
        );
        for r in &self.rows {
            t.row(vec![
                thousands(r.n),
                thousands(r.hint),
                r.b.to_string(),
                r.growths.to_string(),
                r.arrays.to_string(),
                thousands(r.heap_overflow as u64),
                thousands(r.evacuations as u64),
                thousands(r.bytes_allocated as u64),
                thousands(r.bytes_final as u64),
                ms(r.median_ns),
                ms(r.min_ns),
                format!("{:.1}", r.min_ns as f64 / r.n.max(1) as f64),
            ]);
        }
        vec![t.with_note(METHOD)]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_saves_every_growth() {
        let out = run(
            &PreallocConfig {
                sizes: vec![1000],
                reps: 1,
            },
            &ProgressBar::hidden(),
        );
        let (no, yes) = (&out.rows[0], &out.rows[1]);
        assert_eq!((no.growths, no.arrays, no.b), (8, 9, 8));
        assert_eq!((yes.growths, yes.arrays, yes.b), (0, 1, 8));
        assert!(no.bytes_allocated > yes.bytes_allocated);
        assert_eq!(
            yes.bytes_allocated,
            (256 + 28) * 144 + yes.heap_overflow * 144
        );
    }
}
