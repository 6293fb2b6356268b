//! Go's load-factor table, regenerated on gomap: for loads 4.0 to 8.0, the share of
//! buckets with an overflow bucket, overhead bytes per entry, and entries checked
//! by lookups of present and absent keys, in maximally loaded tables — beside the
//! numbers Go publishes at the top of `runtime/map.go`.
//!
//! gomap, like Go, grows at load 6.5, so a map cannot be filled beyond it. For the
//! rows above 6.5 the lab makes a map with one more `B` and hashes every key into
//! the lower half of its buckets (the hash's bit `B` is cleared; the tophash byte
//! stays random). Those `2^B` buckets then hold exactly `L · 2^B` entries, placed,
//! chained and overflowed by gomap's real insert path — a table at load `L` with
//! growth kept away, which is how Go's own table was made ("data for maximally
//! loaded tables, i.e. just before the table grows"). Rows up to 6.5 use plain
//! maps made with the count as hint. Keys are random-looking (see
//! [`scatter`]), as Go's table assumes.

#![forbid(unsafe_code)]

use std::hash::BuildHasher;

use gomap::tophash::is_full;
use gomap::GoMap;
use indicatif::ProgressBar;
use serde::Serialize;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, seed_sequence, Masked};
use crate::plot::{Axis, Chart, LegendAt, PlotError, Series, BLUE, ORANGE};
use crate::rng::scatter;
use crate::table::{Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "Go chose 6.5 entries per bucket as the load that triggers growth from a \
table it measured for loads 4.0–8.0 (the comment at the top of runtime/map.go). The lab rebuilds \
that table on gomap. The probe columns agree exactly because they follow from the bucket layout: \
a miss checks every entry of its chain (L on average), a hit about half of them plus one. The \
article that calls the load factor count / B has the formula wrong: it is count / 2^B.";

/// Go 1.19's published table: load, %overflow, bytes/entry, hitprobe, missprobe
/// (64-bit, 8-byte keys and values).
pub const GO_TABLE: [(f64, f64, f64, f64, f64); 9] = [
    (4.00, 2.13, 20.77, 3.00, 4.00),
    (4.50, 4.05, 17.30, 3.25, 4.50),
    (5.00, 6.85, 14.77, 3.50, 5.00),
    (5.50, 10.55, 12.94, 3.75, 5.50),
    (6.00, 15.27, 11.67, 4.00, 6.00),
    (6.50, 20.90, 10.79, 4.25, 6.50),
    (7.00, 27.14, 10.15, 4.50, 7.00),
    (7.50, 34.03, 9.73, 4.75, 7.50),
    (8.00, 41.10, 9.40, 5.00, 8.00),
];

/// The load at which gomap and Go grow.
pub const MAX_LOAD: f64 = 6.5;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct LoadFactorConfig {
    /// Maps averaged per load.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub maps: u32,
    /// B of the measured tables (2^B buckets each).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(4..=18))]
    pub b: u8,
    /// First seed (map j uses seed + j).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `gomap-lab loadfactor`.
pub struct LoadFactor;

impl Experiment for LoadFactor {
    const ID: &'static str = "loadfactor";
    const TITLE: &'static str = "Go's load-factor table, regenerated";
    const ABOUT: &'static str = "Regenerate Go's load-factor table (runtime/map.go) on gomap, \
        beside Go's";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = LoadFactorConfig;
    type Outcome = LoadFactorOutcome;

    fn run(args: &LoadFactorConfig, ctx: &Ctx<'_>) -> anyhow::Result<LoadFactorOutcome> {
        let bar = ctx.bar(GO_TABLE.len() as u64, "loadfactor: loads");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        let maps = match effort {
            Effort::Quick => 8,
            Effort::Full => 32,
        };
        vec![format!("--maps {maps} --b 10 --seed 1")]
    }
}

/// One load: gomap's numbers beside Go's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LoadRow {
    /// Entries per bucket.
    pub load: f64,
    /// `plain` (a map made with the count as hint) or `half-table` (the lower half
    /// of a map one `B` larger; see the module docs).
    pub method: &'static str,
    /// Percentage of buckets with an overflow bucket: gomap.
    pub overflow_pct: f64,
    /// The same, Go's table.
    pub go_overflow_pct: f64,
    /// Overhead bytes per entry (buckets and overflow buckets, less the 16 bytes of
    /// key and value): gomap.
    pub bytes_per_entry: f64,
    /// The same, Go's table.
    pub go_bytes_per_entry: f64,
    /// Entries checked by a lookup of a present key: gomap.
    pub hit_probe: f64,
    /// The same, Go's table.
    pub go_hit_probe: f64,
    /// Entries checked by a lookup of an absent key: gomap.
    pub miss_probe: f64,
    /// The same, Go's table.
    pub go_miss_probe: f64,
    /// Maps averaged.
    pub maps: u32,
    /// Buckets measured per map.
    pub buckets: usize,
}

/// Sums over measured chains.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    buckets: usize,
    entries: usize,
    chains_with_overflow: usize,
    overflow_buckets: usize,
    hit: usize,
    miss: usize,
    bucket_size: usize,
}

impl Sums {
    /// Adds the first `used` chains of `map`.
    fn add<S>(&mut self, map: &GoMap<u64, u64, S>, used: usize) {
        let l = map.layout();
        assert!(!l.header.growing, "a measured table must not be growing");
        self.bucket_size = l.bucket_size;
        for (i, chain) in l.buckets.iter().enumerate() {
            let full: usize = chain
                .iter()
                .map(|b| b.top.iter().filter(|&&t| is_full(t)).count())
                .sum();
            if i >= used {
                assert_eq!(full, 0, "keys outside the measured half");
                continue;
            }
            self.buckets += 1;
            self.entries += full;
            self.chains_with_overflow += usize::from(chain.len() > 1);
            self.overflow_buckets += chain.len() - 1;
            self.hit += full * (full + 1) / 2;
            self.miss += full;
        }
    }
}

/// Inserts `count` distinct random-looking keys (see [`scatter`]); `salt` varies
/// them from map to map.
fn fill<S: BuildHasher>(mut m: GoMap<u64, u64, S>, count: usize, salt: u64) -> GoMap<u64, u64, S> {
    for i in 0..count as u64 {
        m.insert(scatter(i ^ (salt << 40)), i);
    }
    m
}

/// A map of `2^(b+1)` buckets holding `count` keys, all hashed into its lower
/// `2^b` buckets (bit `b` of every hash cleared).
fn half_table(b: u8, seed: u64, count: usize) -> GoMap<u64, u64, Masked> {
    // The smallest hint that gives B = b + 1, or the count if that is larger.
    let hint = count.max(13 * (1usize << b) / 2 + 1);
    let m = fill(
        GoMap::with_capacity_hasher_and_seeds(hint, Masked::new(seed, 1 << b), seed_sequence(seed)),
        count,
        seed,
    );
    assert_eq!(m.header().b, b + 1);
    m
}

/// Measures load `load` over `config.maps` maps.
fn measure(config: &LoadFactorConfig, load: f64) -> (LoadRow, usize) {
    let buckets = 1usize << config.b;
    let count = (load * buckets as f64).round() as usize;
    let mut sums = Sums::default();
    let plain = load <= MAX_LOAD;
    for j in 0..config.maps as u64 {
        let seed = config.seed + j;
        if plain {
            let m = fill(
                GoMap::with_capacity_hasher_and_seeds(count, fixed(seed), seed_sequence(seed)),
                count,
                seed,
            );
            assert_eq!(m.header().b, config.b);
            sums.add(&m, buckets);
        } else {
            sums.add(&half_table(config.b, seed, count), buckets);
        }
    }
    let go = GO_TABLE
        .iter()
        .find(|g| (g.0 - load).abs() < 1e-9)
        .copied()
        .unwrap_or((load, f64::NAN, f64::NAN, f64::NAN, f64::NAN));
    let n = sums.entries as f64;
    let b = sums.buckets as f64;
    let row = LoadRow {
        load,
        method: if plain { "plain" } else { "half-table" },
        overflow_pct: 100.0 * sums.chains_with_overflow as f64 / b,
        go_overflow_pct: go.1,
        bytes_per_entry: (b + sums.overflow_buckets as f64) * sums.bucket_size as f64 / n - 16.0,
        go_bytes_per_entry: go.2,
        hit_probe: sums.hit as f64 / n,
        go_hit_probe: go.3,
        miss_probe: sums.miss as f64 / b,
        go_miss_probe: go.4,
        maps: config.maps,
        buckets,
    };
    (row, sums.entries)
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct LoadFactorOutcome {
    /// One row per load, 4.0 to 8.0 by 0.5.
    pub rows: Vec<LoadRow>,
}

/// Measures every load of Go's table.
pub fn run(config: &LoadFactorConfig, progress: &ProgressBar) -> LoadFactorOutcome {
    let rows = GO_TABLE
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (row, _) = measure(config, g.0);
            progress.set_position(i as u64 + 1);
            row
        })
        .collect();
    LoadFactorOutcome { rows }
}

impl Outcome for LoadFactorOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Go's load-factor table (runtime/map.go) beside gomap's, maximally loaded tables",
            &[
                ("load", Align::Right),
                ("%overflow", Align::Right),
                ("Go", Align::Right),
                ("ratio", Align::Right),
                ("bytes/entry", Align::Right),
                ("Go", Align::Right),
                ("ratio", Align::Right),
                ("hitprobe", Align::Right),
                ("Go", Align::Right),
                ("missprobe", Align::Right),
                ("Go", Align::Right),
                ("method", Align::Left),
            ],
        );
        for r in &self.rows {
            t.row(vec![
                format!("{:.2}", r.load),
                format!("{:.2}", r.overflow_pct),
                format!("{:.2}", r.go_overflow_pct),
                format!("{:.3}", r.overflow_pct / r.go_overflow_pct),
                format!("{:.2}", r.bytes_per_entry),
                format!("{:.2}", r.go_bytes_per_entry),
                format!("{:.3}", r.bytes_per_entry / r.go_bytes_per_entry),
                format!("{:.2}", r.hit_probe),
                format!("{:.2}", r.go_hit_probe),
                format!("{:.2}", r.miss_probe),
                format!("{:.2}", r.go_miss_probe),
                r.method.to_owned(),
            ]);
        }
        let (maps, buckets) = self.rows.first().map_or((0, 0), |r| (r.maps, r.buckets));
        vec![t.with_note(format!(
            "Each row averages {maps} maps of {buckets} measured buckets (u64 → u64, 144-byte \
             buckets). bytes/entry = (buckets + overflow buckets) × 144 / entries − 16, the \
             unused preallocated pool not counted, as in Go's table. gomap grows at 6.5 like Go, \
             so rows above 6.5 (method half-table) measure the lower half of a map one B larger, \
             all keys hashed into it: the same buckets at load L, with growth kept away."
        ))]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let ours = self.rows.iter().map(|r| (r.load, r.overflow_pct)).collect();
        let go = self
            .rows
            .iter()
            .map(|r| (r.load, r.go_overflow_pct))
            .collect();
        let chart = Chart {
            title: "Buckets with an overflow bucket, at maximum load".into(),
            x: Axis::linear("load factor (entries per bucket)", 3.8..8.2),
            y: Axis::linear("% of buckets with an overflow bucket", 0.0..45.0),
            series: vec![
                Series::line("gomap (measured)", BLUE, ours),
                Series::dots("Go's table in runtime/map.go", ORANGE, go),
            ],
            right: None,
            guides: vec![],
            legend: LegendAt::UpperLeft,
        };
        Ok(Some(Figure {
            caption:
                "gomap's overflow share (line) lies on Go's published numbers (dots) at every \
                      load; at Go's chosen 6.5 about a fifth of the buckets have overflowed."
                    .into(),
            svg: chart.to_svg()?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rows_match_the_map_s_own_stats() {
        let config = LoadFactorConfig {
            maps: 1,
            b: 8,
            seed: 3,
        };
        let count = 6 * 256;
        let m = fill(
            GoMap::with_capacity_hasher_and_seeds(count, fixed(3), seed_sequence(3)),
            count,
            3,
        );
        let s = m.stats();
        let (row, entries) = measure(&config, 6.0);
        assert_eq!(entries, count);
        assert!((row.hit_probe - s.probe.hit_mean).abs() < 1e-9);
        assert!((row.miss_probe - s.probe.miss_mean).abs() < 1e-9);
        assert!((row.miss_probe - 6.0).abs() < 1e-9);
    }

    #[test]
    fn half_tables_agree_with_plain_maps_where_both_work() {
        // At load 6.0 both methods work; they must measure the same thing.
        let config = LoadFactorConfig {
            maps: 8,
            b: 9,
            seed: 11,
        };
        let buckets = 1usize << config.b;
        let count = 6 * buckets;
        let mut half = Sums::default();
        for j in 0..config.maps as u64 {
            half.add(&half_table(config.b, config.seed + 100 + j, count), buckets);
        }
        let (plain, _) = measure(&config, 6.0);
        let half_pct = 100.0 * half.chains_with_overflow as f64 / half.buckets as f64;
        assert!(
            (half_pct - plain.overflow_pct).abs() < 3.0,
            "{half_pct} vs {}",
            plain.overflow_pct
        );
    }

    #[test]
    fn rows_track_go_s_table() {
        let out = run(
            &LoadFactorConfig {
                maps: 4,
                b: 9,
                seed: 1,
            },
            &ProgressBar::hidden(),
        );
        for r in &out.rows {
            assert!((r.overflow_pct - r.go_overflow_pct).abs() < 3.0, "{r:?}");
            assert!((r.miss_probe - r.go_miss_probe).abs() < 1e-9, "{r:?}");
            assert!((r.hit_probe - r.go_hit_probe).abs() < 0.1, "{r:?}");
        }
    }
}
