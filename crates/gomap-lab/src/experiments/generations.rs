//! "Go 1.24+: the Swiss map": both generations on one workload — the same
//! keys, inserted in the same order, hashed by the same hasher — compared on
//! where each grows, bytes per entry, probe lengths and the slowest single
//! insert; then the articles' claims about the classic map decided again on
//! the Swiss map ([`crate::claims::swiss`]).

#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::hash::BuildHasher;
use std::time::Instant;

use gomap::{GoMap, SwissMap};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::claims::swiss::{self as swiss_claims, SwissClaim};
use crate::claims::{measure, Verdict};
use crate::experiments::latency::us;
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::swiss_growth::{classic_growths, record_swiss, short_list};
use crate::experiments::{to_values, Effort, Outcome};
use crate::hashers::{fixed, fixed_swiss, seed_sequence};
use crate::kv::LabKey;
use crate::table::{thousands, Align, Table};

/// What the section shows, for the report.
pub const ABOUT: &str = "Go 1.24 replaced the classic map with a Swiss table: groups of 8 slots \
with 8 control bytes (H2, the hash's low 7 bits, or empty or deleted), tables of at most 1,024 \
slots filled to 7/8, and a directory of tables indexed by the hash's top bits. Here both \
generations (GoMap as Go 1.19, SwissMap as Go 1.27.3, each proven against its Go by the oracle) \
run the same inserts with the same hasher: where each grows, what each costs per entry, how far a \
lookup walks, and the slowest insert. Then the articles' claims about the classic map are \
decided again, by the same code, on the Swiss map's measurements.";

/// The largest run accepted.
pub const MAX_INSERTS: u64 = 10_000_000;

/// What to run.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct GenerationsConfig {
    /// Keys inserted into an empty map of each generation.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(10..=MAX_INSERTS))]
    pub inserts: u64,
    /// Seed of the shared hasher and of the maps' hash seeds.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timed runs per map; each insert keeps its fastest time.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub runs: u32,
}

/// `gomap-lab swiss`.
pub struct Generations;

impl Experiment for Generations {
    const ID: &'static str = "swiss";
    const TITLE: &'static str = "Go 1.24+: the Swiss map";
    const ABOUT: &'static str = "Both generations on the same inserts: growth points, bytes per \
        entry, probe lengths, the slowest insert, and which of the articles' classic-map claims \
        still hold";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = false;
    type Args = GenerationsConfig;
    type Outcome = GenerationsOutcome;

    fn run(args: &GenerationsConfig, ctx: &Ctx<'_>) -> anyhow::Result<GenerationsOutcome> {
        let bar = ctx.bar(2 + 2 * u64::from(args.runs), "swiss: passes");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        vec![match effort {
            Effort::Quick => "--inserts 100000 --seed 1 --runs 2".into(),
            Effort::Full => "--inserts 1000000 --seed 1 --runs 3".into(),
        }]
    }
}

/// One generation's growths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthPoints {
    /// `classic` or `swiss`.
    pub map: &'static str,
    /// What grew: `doubling`, `same-size`, `rehash`, `split`, `dir_double`.
    pub step: &'static str,
    /// The insert (1-based) of each.
    pub at: Vec<u64>,
}

/// Both maps at one size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeRow {
    /// Entries.
    pub entries: u64,
    /// Classic: all bytes over entries.
    pub classic_bytes_per_entry: f64,
    /// Swiss: all bytes over entries.
    pub swiss_bytes_per_entry: f64,
    /// Classic: mean buckets (main and overflow) a lookup of a present key walks.
    pub classic_hit_mean: f64,
    /// Classic: most buckets a present key's lookup walks.
    pub classic_hit_max: usize,
    /// Classic: mean buckets a lookup of an absent key walks (its whole chain).
    pub classic_miss_mean: f64,
    /// Classic: the longest chain.
    pub classic_miss_max: usize,
    /// Whether the classic map was mid-growth (its numbers are then the new array's).
    pub classic_growing: bool,
    /// Swiss: mean groups a lookup of a present key probes.
    pub swiss_hit_mean: f64,
    /// Swiss: most groups.
    pub swiss_hit_max: usize,
    /// Swiss: mean groups a lookup of an absent key probes.
    pub swiss_miss_mean: f64,
    /// Swiss: most groups.
    pub swiss_miss_max: usize,
}

/// One generation's per-insert times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PauseRow {
    /// `classic` or `swiss`.
    pub map: &'static str,
    /// Median insert, ns.
    pub p50_ns: u64,
    /// 99.9th percentile, ns.
    pub p999_ns: u64,
    /// The slowest insert, ns.
    pub max_ns: u64,
    /// Which insert (1-based).
    pub max_at: u64,
    /// Whether that insert started a growth (classic) or grew a table (Swiss).
    pub max_was_growth: bool,
    /// The slowest insert among those that grew.
    pub max_growth_ns: u64,
    /// The slowest insert among those that did not.
    pub max_other_ns: u64,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct GenerationsOutcome {
    /// What ran.
    pub inserts: u64,
    /// Timed runs per map.
    pub runs: u32,
    /// Where each grows.
    pub growths: Vec<GrowthPoints>,
    /// Bytes and probes at several sizes.
    pub sizes: Vec<SizeRow>,
    /// The slowest inserts.
    pub pauses: Vec<PauseRow>,
    /// The classic claims decided on both.
    pub claims: Vec<SwissClaim>,
}

/// Sizes to measure at: powers of ten from 10 below `n`, and `n`.
fn checkpoints(n: u64) -> BTreeSet<u64> {
    let mut at: BTreeSet<u64> = std::iter::successors(Some(10u64), |x| x.checked_mul(10))
        .take_while(|&x| x < n)
        .collect();
    at.insert(n);
    at
}

/// Buckets walked by lookups in the classic map's current array: a present
/// key in bucket `j` of its chain walks `j + 1`; an absent key walks its
/// whole chain. `(hit mean, hit max, miss mean, miss max)`.
fn classic_walks<K, V, S>(m: &GoMap<K, V, S>) -> (f64, usize, f64, usize) {
    let l = m.layout();
    let (mut hit_sum, mut hits, mut hit_max) = (0usize, 0usize, 0usize);
    let (mut miss_sum, mut miss_max) = (0usize, 0usize);
    for chain in &l.buckets {
        for (j, b) in chain.iter().enumerate() {
            let full = b.keys.iter().filter(|k| k.is_some()).count();
            hit_sum += full * (j + 1);
            hits += full;
            if full > 0 {
                hit_max = hit_max.max(j + 1);
            }
        }
        miss_sum += chain.len();
        miss_max = miss_max.max(chain.len());
    }
    let chains = l.buckets.len().max(1);
    (
        hit_sum as f64 / hits.max(1) as f64,
        hit_max,
        miss_sum as f64 / chains as f64,
        miss_max,
    )
}

/// Times each of `n` inserts of `K::nth(1..=n)` into `map`.
fn time_inserts<M>(n: u64, mut map: M, insert: impl Fn(&mut M, u64)) -> Vec<u32> {
    let mut lat = Vec::with_capacity(n as usize);
    for i in 1..=n {
        let t = Instant::now();
        insert(&mut map, i);
        lat.push(t.elapsed().as_nanos().min(u128::from(u32::MAX)) as u32);
    }
    lat
}

/// The fastest of `runs` timings of each insert.
fn fastest(runs: u32, progress: &ProgressBar, mut timed: impl FnMut() -> Vec<u32>) -> Vec<u32> {
    let mut best = timed();
    progress.inc(1);
    for _ in 1..runs {
        best.iter_mut()
            .zip(timed())
            .for_each(|(b, l)| *b = (*b).min(l));
        progress.inc(1);
    }
    best
}

fn pause_row(map: &'static str, lat: &[u32], growing: &BTreeSet<u64>) -> PauseRow {
    let mut sorted = lat.to_vec();
    sorted.sort_unstable();
    let pct =
        |p: f64| u64::from(sorted[((p * sorted.len() as f64) as usize).min(sorted.len() - 1)]);
    let (at, &max) = lat
        .iter()
        .enumerate()
        .max_by_key(|(_, &v)| v)
        .expect("at least one insert");
    let max_among = |grew: bool| {
        lat.iter()
            .enumerate()
            .filter(|(i, _)| growing.contains(&(*i as u64 + 1)) == grew)
            .map(|(_, &v)| u64::from(v))
            .max()
            .unwrap_or(0)
    };
    PauseRow {
        map,
        p50_ns: pct(0.5),
        p999_ns: pct(0.999),
        max_ns: u64::from(max),
        max_at: at as u64 + 1,
        max_was_growth: growing.contains(&(at as u64 + 1)),
        max_growth_ns: max_among(true),
        max_other_ns: max_among(false),
    }
}

fn size_row<S: BuildHasher>(
    entries: u64,
    classic: &GoMap<u64, u64, S>,
    swiss: &SwissMap<u64, u64, S>,
) -> SizeRow {
    let cs = classic.stats();
    let ss = swiss.stats();
    let (hit_mean, hit_max, miss_mean, miss_max) = classic_walks(classic);
    SizeRow {
        entries,
        classic_bytes_per_entry: cs.bytes.total as f64 / entries as f64,
        swiss_bytes_per_entry: ss.bytes.total as f64 / entries as f64,
        classic_hit_mean: hit_mean,
        classic_hit_max: hit_max,
        classic_miss_mean: miss_mean,
        classic_miss_max: miss_max,
        classic_growing: classic.header().growing,
        swiss_hit_mean: ss.probe.hit_mean,
        swiss_hit_max: ss.probe.hit_max,
        swiss_miss_mean: ss.probe.miss_mean,
        swiss_miss_max: ss.probe.miss_max,
    }
}

/// Runs both generations on `config.inserts` inserts.
pub fn run(config: &GenerationsConfig, progress: &ProgressBar) -> GenerationsOutcome {
    let (n, seed) = (config.inserts, config.seed);
    let at = checkpoints(n);

    // Growth, bytes and probes: one pass each, the classic map at the
    // checkpoints kept aside so both are measured at the same sizes.
    let mut classic: GoMap<u64, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(0, fixed(seed), seed_sequence(seed));
    let mut swiss = fixed_swiss::<u64, u64>(0, seed);
    let mut sizes = Vec::new();
    let rows = record_swiss(&mut swiss, n, |i, _, s| {
        if at.contains(&i) {
            while classic.len() < i as usize {
                let k = classic.len() as u64 + 1;
                classic.insert(u64::nth(k), k);
            }
            sizes.push(size_row(i, &classic, s));
        }
    });
    progress.inc(1);
    let classic_rows = classic_growths(n, seed);
    progress.inc(1);

    let mut growths = Vec::new();
    for (step, kind) in [("doubling", "double"), ("same-size", "same-size")] {
        let at: Vec<u64> = classic_rows
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.started_at)
            .collect();
        if !at.is_empty() || step == "doubling" {
            growths.push(GrowthPoints {
                map: "classic",
                step,
                at,
            });
        }
    }
    for step in ["rehash", "split", "dir_double"] {
        growths.push(GrowthPoints {
            map: "swiss",
            step,
            at: rows
                .iter()
                .filter(|r| r.event == step)
                .map(|r| r.insert)
                .collect(),
        });
    }

    // The slowest inserts, timed apart from any measuring.
    let classic_growing: BTreeSet<u64> = classic_rows.iter().map(|r| r.started_at).collect();
    let swiss_growing: BTreeSet<u64> = rows
        .iter()
        .filter(|r| r.event != "dir_double")
        .map(|r| r.insert)
        .collect();
    let classic_lat = fastest(config.runs, progress, || {
        let m: GoMap<u64, u64, _> =
            GoMap::with_capacity_hasher_and_seeds(0, fixed(seed), seed_sequence(seed));
        time_inserts(n, m, |m, i| {
            m.insert(u64::nth(i), i);
        })
    });
    let swiss_lat = fastest(config.runs, progress, || {
        time_inserts(n, fixed_swiss::<u64, u64>(0, seed), |m, i| {
            m.insert(u64::nth(i), i);
        })
    });
    let pauses = vec![
        pause_row("classic", &classic_lat, &classic_growing),
        pause_row("swiss", &swiss_lat, &swiss_growing),
    ];

    let claims = swiss_claims::check(&measure::on_gomap(), &swiss_claims::measure(seed));
    GenerationsOutcome {
        inserts: n,
        runs: config.runs,
        growths,
        sizes,
        pauses,
        claims,
    }
}

impl GenerationsOutcome {
    /// The claims table: "What the articles say that no longer holds in Go 1.24+".
    pub fn claims_table(&self) -> Table {
        let mut t = Table::new(
            "What the articles say that no longer holds in Go 1.24+",
            &[
                ("article §", Align::Left),
                ("claim (about the classic map)", Align::Left),
                ("Go 1.19 (GoMap)", Align::Left),
                ("Go 1.24+ (SwissMap) measured", Align::Left),
                ("Go 1.24+ verdict", Align::Left),
            ],
        );
        for c in &self.claims {
            t.row(vec![
                format!("{} §{}", &c.classic.article[..3], c.classic.section),
                c.classic.says.to_owned(),
                c.classic.verdict.as_str().to_owned(),
                c.swiss.measured.clone(),
                if c.holds_in_swiss() {
                    "still holds".to_owned()
                } else {
                    format!("no longer holds ({})", c.swiss.verdict)
                },
            ]);
        }
        let gone = self.claims.iter().filter(|c| !c.holds_in_swiss()).count();
        let wrong_then = self
            .claims
            .iter()
            .filter(|c| c.classic.verdict != Verdict::Right)
            .count();
        t.with_note(format!(
            "{gone} of {} claims do not hold on the Swiss map ({wrong_then} did not fully hold on \
             the classic map either). Each claim's own prediction (gomap-lab claims) is compared \
             with the Swiss map's counterpart of each measurement by the same evaluation; the \
             measured column says which counterpart. Verdicts: right = still holds; partly, \
             wrong = some or none of its parts hold.",
            self.claims.len()
        ))
    }
}

impl Outcome for GenerationsOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut grow = Table::new(
            format!(
                "Where each generation grows: {} inserts, same keys and hasher",
                thousands(self.inserts)
            ),
            &[
                ("map", Align::Left),
                ("step", Align::Left),
                ("count", Align::Right),
                ("at inserts", Align::Left),
            ],
        );
        for g in &self.growths {
            grow.row(vec![
                if g.map == "classic" {
                    "classic (Go 1.19)".into()
                } else {
                    "Swiss (Go 1.24+)".into()
                },
                g.step.into(),
                thousands(g.at.len() as u64),
                short_list(&g.at, 10),
            ]);
        }
        let grow = grow.with_note(
            "classic: GrowStart events (the whole bucket array doubles, moved over later writes). \
             Swiss: SwissGrow (one table rehashed into twice the slots), SwissSplit and \
             SwissDirectoryDouble events, each done inside its insert.",
        );

        let mut sizes = Table::new(
            "Bytes per entry and probe lengths at the same sizes",
            &[
                ("entries", Align::Right),
                ("classic B/entry", Align::Right),
                ("Swiss B/entry", Align::Right),
                ("classic hit: buckets mean / max", Align::Right),
                ("classic miss: buckets mean / max", Align::Right),
                ("Swiss hit: groups mean / max", Align::Right),
                ("Swiss miss: groups mean / max", Align::Right),
            ],
        );
        for r in &self.sizes {
            sizes.row(vec![
                format!(
                    "{}{}",
                    thousands(r.entries),
                    if r.classic_growing {
                        " (classic mid-growth)"
                    } else {
                        ""
                    }
                ),
                format!("{:.1}", r.classic_bytes_per_entry),
                format!("{:.1}", r.swiss_bytes_per_entry),
                format!("{:.3} / {}", r.classic_hit_mean, r.classic_hit_max),
                format!("{:.3} / {}", r.classic_miss_mean, r.classic_miss_max),
                format!("{:.3} / {}", r.swiss_hit_mean, r.swiss_hit_max),
                format!("{:.3} / {}", r.swiss_miss_mean, r.swiss_miss_max),
            ]);
        }
        let sizes = sizes.with_note(
            "u64 → u64. Bytes: stats().bytes.total (header, arrays or directory and groups, \
             overflow buckets) over entries. classic: buckets of a chain (main, then overflow) a \
             lookup walks, read off layout(); a miss walks the whole chain. Swiss: groups probed, \
             from stats() (a miss stops at the first group with an empty slot).",
        );

        let mut pause = Table::new(
            format!(
                "The slowest single insert, {} inserts (each insert: fastest of {} runs)",
                thousands(self.inserts),
                self.runs
            ),
            &[
                ("map", Align::Left),
                ("p50", Align::Right),
                ("p99.9", Align::Right),
                ("max", Align::Right),
                ("slowest insert #", Align::Right),
                ("it grew the map", Align::Left),
                ("slowest growing insert", Align::Right),
                ("slowest other insert", Align::Right),
            ],
        );
        for p in &self.pauses {
            pause.row(vec![
                p.map.into(),
                us(p.p50_ns),
                us(p.p999_ns),
                us(p.max_ns),
                thousands(p.max_at),
                if p.max_was_growth { "yes" } else { "no" }.into(),
                us(p.max_growth_ns),
                us(p.max_other_ns),
            ]);
        }
        let pause = pause.with_note(
            "Wall-clock times from std::time::Instant around each insert, on a shared machine: \
             the fastest of the runs filters preemption, not everything. A growing insert: one \
             that started a classic doubling (it allocates the new array; the moves come later), \
             or one that rehashed or split a Swiss table (it moves the whole table at once).",
        );
        vec![grow, sizes, pause, self.claims_table()]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        fn tagged(kind: &str, mut v: serde_json::Value) -> serde_json::Value {
            if let Some(o) = v.as_object_mut() {
                o.insert("row".into(), kind.into());
            }
            v
        }
        let mut lines = Vec::new();
        lines.extend(
            to_values(&self.growths)
                .into_iter()
                .map(|v| tagged("growth", v)),
        );
        lines.extend(
            to_values(&self.sizes)
                .into_iter()
                .map(|v| tagged("size", v)),
        );
        lines.extend(
            to_values(&self.pauses)
                .into_iter()
                .map(|v| tagged("pause", v)),
        );
        for c in &self.claims {
            lines.push(tagged(
                "claim",
                serde_json::json!({
                    "id": c.swiss.id,
                    "article": c.swiss.article,
                    "section": c.swiss.section,
                    "predicts": c.swiss.predicts,
                    "classic_verdict": c.classic.verdict,
                    "classic_measured": c.classic.measured,
                    "swiss_verdict": c.swiss.verdict,
                    "swiss_measured": c.swiss.measured,
                    "holds_in_swiss": c.holds_in_swiss(),
                }),
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_both_generations() {
        let out = run(
            &GenerationsConfig {
                inserts: 5000,
                seed: 1,
                runs: 1,
            },
            &ProgressBar::hidden(),
        );
        let sizes: Vec<u64> = out.sizes.iter().map(|r| r.entries).collect();
        assert_eq!(sizes, [10, 100, 1000, 5000]);
        let rehash = &out.growths.iter().find(|g| g.step == "rehash").unwrap().at;
        assert_eq!(rehash[..3], [9, 15, 29]);
        for r in &out.sizes {
            assert!(
                r.swiss_hit_mean >= 1.0 && r.classic_hit_mean >= 1.0,
                "{r:?}"
            );
            assert!(r.classic_miss_max >= r.classic_hit_max, "{r:?}");
        }
        assert_eq!(out.pauses.len(), 2);
        assert_eq!(out.claims.len(), swiss_claims::CARRIED.len());
        assert!(out.claims.iter().any(|c| !c.holds_in_swiss()));
        assert_eq!(
            out.json_lines().len(),
            out.growths.len() + 4 + 2 + out.claims.len()
        );
    }
}
