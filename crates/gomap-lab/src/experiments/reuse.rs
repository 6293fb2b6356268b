//! Deleted slots: what a delete writes (emptyOne, emptyRest), which insert takes a
//! freed slot, what happens to emptied overflow buckets — step by step on one
//! chain — and, under long delete/insert churn, how often slots are reused and how
//! overflow buckets pile up until a same-size growth repacks them.

#![forbid(unsafe_code)]

use gomap::events::{Event, GrowKind, OverflowSource, Recorder};
use gomap::tophash::{EMPTY_ONE, EMPTY_REST};
use gomap::{BucketOrigin, GoMap};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::diagram::{self, Cells, Diagram, Row, Section};
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, seed_sequence, Masked};
use crate::plot::{Axis, Chart, Guide, LegendAt, PlotError, Series, GREEN, ORANGE, RED};
use crate::rng::{scatter, SplitMix64};
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "A delete marks its slot emptyOne (1); only when nothing full follows it \
in the chain does it write emptyRest (0), and then turns the emptyOne slots before it into \
emptyRest too, so lookups can stop early. An insert takes the first empty slot of its chain — \
any key, whatever its hash — and links a new overflow bucket only when the chain has none. \
Emptied overflow buckets stay linked. Under churn they accumulate until noverflow reaches 2^B \
(for B < 16), and a same-size growth repacks the chains, at any B.";

fn parse_load(s: &str) -> Result<u32, String> {
    let load: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if !(0.5..=6.5).contains(&load) {
        return Err(format!(
            "load {load} is outside 0.5–6.5 (above 6.5 the map would grow)"
        ));
    }
    Ok((load * 10.0).round() as u32)
}

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct ReuseConfig {
    /// B of the churned map.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub b: u8,
    /// Entries per bucket kept during the churn (0.5–6.5).
    #[arg(long = "load", default_value = "6.0", value_parser = parse_load)]
    pub load_tenths: u32,
    /// Delete/insert pairs.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub ops: u64,
    /// Seed of hashers, map seeds and victims.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `gomap-lab reuse`.
pub struct Reuse;

impl Experiment for Reuse {
    const ID: &'static str = "reuse";
    const TITLE: &'static str = "Deleted slots: emptyOne, emptyRest and reuse";
    const ABOUT: &'static str = "Deletes and inserts: emptyOne/emptyRest step by step on one \
        chain, then churn counts of slot reuse, overflow buckets and same-size growths";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = ReuseConfig;
    type Outcome = ReuseOutcome;

    fn run(args: &ReuseConfig, ctx: &Ctx<'_>) -> anyhow::Result<ReuseOutcome> {
        let bar = ctx.bar(args.ops, "reuse: churn ops");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        let ops = match effort {
            Effort::Quick => 100_000,
            Effort::Full => 400_000,
        };
        vec![format!("--b 8 --load 6.0 --ops {ops} --seed 1")]
    }
}

impl ReuseConfig {
    /// Entries the churned map holds.
    pub fn entries(&self) -> usize {
        ((1usize << self.b) * self.load_tenths as usize) / 10
    }
}

/// The chain after one step of the walk-through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What the step did.
    pub action: String,
    /// The chain: each bucket's origin and tophash bytes.
    pub chain: Vec<(String, [u8; 8])>,
    /// Slots marked emptyOne.
    pub empty_one: usize,
    /// Slots marked emptyRest.
    pub empty_rest: usize,
    /// Slots that a delete had freed and that hold a key again after the
    /// step (read off the layouts: emptyOne and emptyRest slots alike).
    pub reused: usize,
    /// Events of the step: overflow buckets linked.
    pub overflow_taken: usize,
}

/// Counts over the churn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChurnCounts {
    /// Inserts of new keys.
    pub inserts: u64,
    /// Inserts that took a slot a delete had marked emptyOne (the map's
    /// `SlotReused` events). A freed slot a later delete turned emptyRest is
    /// reused too but not counted here, so this is a lower bound.
    pub reused: u64,
    /// Overflow buckets linked from the pool.
    pub overflow_pool: u64,
    /// Overflow buckets linked from the heap.
    pub overflow_heap: u64,
    /// Of those, linked by an evacuation.
    pub overflow_by_evacuation: u64,
    /// Same-size growths started.
    pub same_size_growths: u64,
    /// Doublings started.
    pub doublings: u64,
}

/// One sample of the churned map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChurnSample {
    /// Delete/insert pairs so far.
    pub op: u64,
    /// Slots marked emptyOne.
    pub empty_one: usize,
    /// Overflow buckets linked in the current array.
    pub overflow_buckets: usize,
    /// The header's `noverflow`.
    pub noverflow: u16,
}

/// A growth during the churn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChurnGrowth {
    /// The op that started it.
    pub op: u64,
    /// `double` or `same-size`.
    #[serde(serialize_with = "grow_kind")]
    pub kind: GrowKind,
    /// `B` when it started.
    #[serde(rename = "B")]
    pub b: u8,
    /// `noverflow` when it started.
    pub noverflow: u16,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct ReuseOutcome {
    /// The configuration.
    #[serde(skip)]
    pub config: ReuseConfig,
    /// The walk-through on one chain.
    pub steps: Vec<Step>,
    /// Churn counts.
    pub counts: ChurnCounts,
    /// Churn growths.
    pub growths: Vec<ChurnGrowth>,
    /// Churn samples.
    pub samples: Vec<ChurnSample>,
}

#[derive(Default)]
struct Tally {
    counts: ChurnCounts,
    growths: Vec<(GrowKind, u8, u16)>,
}

impl Tally {
    fn on(&mut self, e: &Event) {
        match *e {
            Event::SlotReused { .. } => self.counts.reused += 1,
            Event::OverflowTaken {
                source,
                by_evacuation,
                ..
            } => {
                match source {
                    OverflowSource::Pool(_) => self.counts.overflow_pool += 1,
                    OverflowSource::Heap => self.counts.overflow_heap += 1,
                }
                if by_evacuation {
                    self.counts.overflow_by_evacuation += 1;
                }
            }
            Event::GrowStart {
                kind,
                old_b,
                noverflow,
                ..
            } => {
                match kind {
                    GrowKind::SameSize => self.counts.same_size_growths += 1,
                    GrowKind::Double => self.counts.doublings += 1,
                }
                self.growths.push((kind, old_b, noverflow));
            }
            _ => {}
        }
    }
}

impl Tally {
    /// Counts every event `log` holds, emptying it.
    fn drain(&mut self, log: &Recorder) {
        for e in log.take() {
            self.on(&e);
        }
    }
}

/// The walk-through: 40 keys hashed into bucket 0 of a `B = 4` map (a 5-bucket
/// chain), then deletes and inserts on that chain. Returns the steps and the
/// tophash bytes of the freed slot and of the key that took it at step 5.
///
/// A step's `reused` is read off the layouts, not from events: a slot that
/// held a key a delete removed, and holds a key again, was reused, whether
/// the delete left it emptyOne or emptyRest. The keys inserted after deletes
/// are chosen with a tophash different from the deleted key's in the slot
/// they take, so the walk-through cannot be read as "a slot goes to a key
/// with the same hash".
fn walk_through(seed: u64) -> (Vec<Step>, [u8; 2]) {
    // Clearing the low 16 bits of every hash sends every key to bucket 0.
    let log = Recorder::new();
    let mut m: GoMap<u64, u64, Masked> =
        GoMap::with_capacity_hasher_and_seeds(53, Masked::new(seed, 0xFFFF), seed_sequence(seed));
    m.set_observer(log.clone());
    let mut steps = Vec::new();
    // Occupancy of the chain at the last step, the slots deletes have freed
    // (with the tophash they held), by (bucket in chain, slot).
    let mut occupied: Vec<[bool; 8]> = Vec::new();
    let mut freed: std::collections::HashMap<(usize, usize), u8> = Default::default();
    let mut last_tops: Vec<[u8; 8]> = Vec::new();
    let mut record = |m: &GoMap<u64, u64, Masked>, action: String| {
        let l = m.layout();
        let chain: Vec<(String, [u8; 8])> = l.buckets[0]
            .iter()
            .map(|b| {
                let at = match b.at {
                    BucketOrigin::Main => "main".to_owned(),
                    BucketOrigin::Pool(i) => format!("pool {i}"),
                    BucketOrigin::Heap => "heap".to_owned(),
                };
                (at, b.top)
            })
            .collect();
        let now: Vec<[bool; 8]> = l.buckets[0]
            .iter()
            .map(|b| b.keys.map(|k| k.is_some()))
            .collect();
        let mut reused = 0;
        for (bi, slots) in now.iter().enumerate() {
            for (si, &full) in slots.iter().enumerate() {
                let was = occupied.get(bi).is_some_and(|o| o[si]);
                if was && !full {
                    freed.insert((bi, si), last_tops[bi][si]);
                } else if !was && full && freed.remove(&(bi, si)).is_some() {
                    reused += 1;
                }
            }
        }
        occupied = now;
        last_tops = chain.iter().map(|(_, t)| *t).collect();
        let tops = || chain.iter().flat_map(|(_, t)| t.iter());
        let mut t = Tally::default();
        t.drain(&log);
        steps.push(Step {
            empty_one: tops().filter(|&&t| t == EMPTY_ONE).count(),
            empty_rest: tops().filter(|&&t| t == EMPTY_REST).count(),
            reused,
            overflow_taken: (t.counts.overflow_pool + t.counts.overflow_heap) as usize,
            action,
            chain,
        });
    };
    for k in 1..=40 {
        m.insert(k, k);
    }
    record(&m, "insert keys 1…40: all hash to bucket 0 (B = 4)".into());
    let freed_top = m.layout().buckets[0][0].top[3];
    m.remove(&4);
    record(&m, "delete key 4 (main bucket, slot 3)".into());
    for k in 33..=39 {
        m.remove(&k);
    }
    record(&m, "delete keys 33…39 (last bucket, slots 0–6)".into());
    m.remove(&40);
    record(&m, "delete key 40, the chain's last entry".into());
    let first = key_with_other_tophash(&m, 1000, (0, 3), freed_top);
    m.insert(first, first);
    let new_top = m.layout().buckets[0][0].top[3];
    record(
        &m,
        format!("insert key {first} (tophash {new_top:#04x}, not key 4's {freed_top:#04x})"),
    );
    let nine_top = m.layout().buckets[0][1].top[0];
    for k in 9..=32 {
        m.remove(&k);
    }
    record(
        &m,
        "delete keys 9…32: every overflow bucket is now empty".into(),
    );
    let second = key_with_other_tophash(&m, 2000, (1, 0), nine_top);
    m.insert(second, second);
    record(
        &m,
        format!(
            "insert key {second}: the first empty slot is now in the first overflow bucket \
             (tophash {:#04x}, not deleted key 9's {nine_top:#04x})",
            m.layout().buckets[0][1].top[0]
        ),
    );
    (steps, [freed_top, new_top])
}

/// The first key from `from` up that, inserted into a copy of `m`, lands in
/// chain position `at` (bucket in chain, slot) with a tophash other than
/// `other`.
fn key_with_other_tophash(
    m: &GoMap<u64, u64, Masked>,
    from: u64,
    at: (usize, usize),
    other: u8,
) -> u64 {
    (from..from + 1000)
        .find(|&k| {
            let mut probe = m.clone();
            probe.remove_observer();
            probe.insert(k, k);
            let l = probe.layout();
            let b = &l.buckets[0][at.0];
            b.keys[at.1] == Some(&k) && b.top[at.1] != other
        })
        .unwrap_or(from)
}

/// Delete/insert churn at constant size.
fn churn(
    config: &ReuseConfig,
    progress: &ProgressBar,
) -> (ChurnCounts, Vec<ChurnGrowth>, Vec<ChurnSample>) {
    let log = Recorder::new();
    let mut tally = Tally::default();
    let entries = config.entries();
    let mut m: GoMap<u64, u64, _> = GoMap::with_capacity_hasher_and_seeds(
        entries,
        fixed(config.seed),
        seed_sequence(config.seed),
    );
    let mut present: Vec<u64> = (0..entries as u64).map(scatter).collect();
    for &k in &present {
        m.insert(k, k);
    }
    m.set_observer(log.clone());
    let mut rng = SplitMix64::new(config.seed ^ 0x5EED);
    let every = (config.ops / 200).max(1);
    let mut samples = Vec::new();
    let mut growths = Vec::new();
    let sample = |op: u64, m: &GoMap<u64, u64, _>| {
        let s = m.stats();
        ChurnSample {
            op,
            empty_one: s.empty_one,
            overflow_buckets: s.overflow.pool + s.overflow.heap,
            noverflow: m.header().noverflow,
        }
    };
    samples.push(sample(0, &m));
    let mut seen_growths = 0;
    for op in 1..=config.ops {
        let victim = rng.below(present.len());
        m.remove(&present[victim]);
        // Keys 0..entries were inserted first; op n inserts key entries + n − 1.
        let fresh = entries as u64 + op - 1;
        m.insert(scatter(fresh), fresh);
        present[victim] = scatter(fresh);
        tally.drain(&log);
        for &(kind, b, noverflow) in &tally.growths[seen_growths..] {
            growths.push(ChurnGrowth {
                op,
                kind,
                b,
                noverflow,
            });
        }
        seen_growths = tally.growths.len();
        if op % every == 0 {
            samples.push(sample(op, &m));
            progress.set_position(op);
        }
    }
    let mut counts = tally.counts;
    counts.inserts = config.ops;
    (counts, growths, samples)
}

/// Runs the walk-through and the churn.
pub fn run(config: &ReuseConfig, progress: &ProgressBar) -> ReuseOutcome {
    let (steps, _) = walk_through(config.seed);
    let (counts, growths, samples) = churn(config, progress);
    ReuseOutcome {
        config: *config,
        steps,
        counts,
        growths,
        samples,
    }
}

impl ReuseOutcome {
    /// The walk-through as a diagram: one row per step.
    pub fn diagram(&self) -> Diagram {
        let rows = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| Row {
                label: format!("step {}", i + 1),
                chain: s
                    .chain
                    .iter()
                    .map(|(at, top)| Cells {
                        origin: at.clone(),
                        top: *top,
                    })
                    .collect(),
                note: s.action.clone(),
            })
            .collect();
        Diagram {
            title: "Bucket 0's chain, step by step".into(),
            subtitle: "make(map[uint64]uint64, 53): B = 4; a hasher that clears the low 16 hash bits sends every key to bucket 0".into(),
            sections: vec![Section { heading: "chain of bucket 0".into(), rows }],
        }
    }

    fn steps_table(&self) -> Table {
        let mut t = Table::new(
            "Walk-through: one chain (40 keys all hashed to bucket 0 of a B = 4 map)",
            &[
                ("step", Align::Right),
                ("action", Align::Left),
                ("chain (tophash per slot)", Align::Left),
                ("emptyOne", Align::Right),
                ("emptyRest", Align::Right),
                ("reused", Align::Right),
            ],
        );
        for (i, s) in self.steps.iter().enumerate() {
            let chain: Vec<String> = s
                .chain
                .iter()
                .enumerate()
                .map(|(j, (at, top))| {
                    if j == 0 {
                        diagram::bucket_text(top)
                    } else {
                        format!("-> {at} {}", diagram::bucket_text(top))
                    }
                })
                .collect();
            t.row(vec![
                (i + 1).to_string(),
                s.action.clone(),
                chain.join(" "),
                s.empty_one.to_string(),
                s.empty_rest.to_string(),
                s.reused.to_string(),
            ]);
        }
        t.with_note(diagram::TEXT_LEGEND)
    }

    fn churn_table(&self) -> Table {
        let c = &self.counts;
        let mut t = Table::new(
            format!(
                "Churn: {} delete/insert pairs on a map of {} entries at B = {} (load {:.1})",
                thousands(c.inserts),
                thousands(self.config.entries() as u64),
                self.config.b,
                self.config.load_tenths as f64 / 10.0
            ),
            &[("count", Align::Left), ("value", Align::Right)],
        );
        let pct = |n: u64| {
            format!(
                "{} ({:.1}%)",
                thousands(n),
                100.0 * n as f64 / c.inserts.max(1) as f64
            )
        };
        t.row(vec![
            "inserts into an emptyOne slot (a lower bound of slots reused)".into(),
            pct(c.reused),
        ]);
        t.row(vec![
            "overflow buckets linked from the pool".into(),
            thousands(c.overflow_pool),
        ]);
        t.row(vec![
            "overflow buckets linked from the heap".into(),
            thousands(c.overflow_heap),
        ]);
        t.row(vec![
            "… of them by an evacuation".into(),
            thousands(c.overflow_by_evacuation),
        ]);
        t.row(vec![
            "same-size growths".into(),
            thousands(c.same_size_growths),
        ]);
        t.row(vec!["doublings".into(), thousands(c.doublings)]);
        if let Some(s) = self.samples.last() {
            t.row(vec![
                "emptyOne slots at the end".into(),
                thousands(s.empty_one as u64),
            ]);
        }
        let firsts: Vec<String> = self
            .growths
            .iter()
            .take(5)
            .map(|g| {
                format!(
                    "op {} ({}, noverflow {})",
                    thousands(g.op),
                    g.kind.as_str(),
                    g.noverflow
                )
            })
            .collect();
        if firsts.is_empty() {
            t
        } else {
            t.with_note(format!("first growths: {}", firsts.join("; ")))
        }
    }
}

impl Outcome for ReuseOutcome {
    fn tables(&self) -> Vec<Table> {
        vec![self.steps_table(), self.churn_table()]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        #[derive(Serialize)]
        #[serde(tag = "record", rename_all = "lowercase")]
        enum Line<'a> {
            Step(&'a Step),
            Churn(&'a ChurnCounts),
            Growth(&'a ChurnGrowth),
        }
        let mut lines: Vec<Line<'_>> = self.steps.iter().map(Line::Step).collect();
        lines.push(Line::Churn(&self.counts));
        lines.extend(self.growths.iter().map(Line::Growth));
        to_values(&lines)
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let pts = |f: &dyn Fn(&ChurnSample) -> f64| -> Vec<(f64, f64)> {
            self.samples.iter().map(|s| (s.op as f64, f(s))).collect()
        };
        let top = self
            .samples
            .iter()
            .map(|s| s.empty_one.max(s.noverflow as usize))
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let same: Vec<(f64, f64)> = self
            .growths
            .iter()
            .filter(|g| g.kind == GrowKind::SameSize)
            .map(|g| (g.op as f64, g.noverflow as f64))
            .collect();
        let chart = Chart {
            title: format!(
                "Delete/insert churn at B = {}: deleted slots and overflow buckets",
                self.config.b
            ),
            x: Axis::linear("delete/insert pairs", 0.0..(self.config.ops.max(1) as f64)),
            y: Axis::linear("count", 0.0..top * 1.45),
            series: vec![
                Series::line("emptyOne slots", ORANGE, pts(&|s| s.empty_one as f64)),
                Series::line("noverflow (header)", GREEN, pts(&|s| s.noverflow as f64)),
                Series::dots("same-size growth starts", RED, same),
            ],
            right: None,
            guides: vec![Guide {
                y: (1u32 << self.config.b.min(15)) as f64,
                label: format!(
                    "2^{}: noverflow that starts a same-size growth",
                    self.config.b.min(15)
                ),
            }],
            legend: LegendAt::UpperRight,
        };
        Ok(Some(Figure {
            caption: format!(
                "Under churn, inserts refill deleted slots, but chains that overflow keep their \
                 overflow buckets; when noverflow reaches 2^{} = {}, a same-size growth repacks \
                 the chains and the count restarts.",
                self.config.b,
                1u32 << self.config.b.min(15)
            ),
            svg: chart.to_svg()?,
        }))
    }

    fn extra_html(&self) -> Result<Option<String>, PlotError> {
        Ok(Some(format!(
            "<figure>\n{}\n<figcaption>The walk-through, one row per step (commands in the table \
             below).</figcaption>\n</figure>\n",
            crate::html::strip_xml_declaration(&self.diagram().to_svg()?)
        )))
    }
}

fn grow_kind<S: serde::Serializer>(k: &GrowKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gomap::tophash::is_full;

    #[test]
    fn walk_through_shows_go_s_marks() {
        let (steps, [_, _]) = walk_through(1);
        assert_eq!(steps[0].chain.len(), 5);
        let origins: Vec<&str> = steps[0].chain.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(origins, ["main", "pool 16", "pool 17", "heap", "heap"]);
        assert_eq!(steps[1].chain[0].1[3], EMPTY_ONE, "emptyOne");
        assert_eq!(steps[2].chain[4].1[..7], [1; 7]);
        assert!(is_full(steps[2].chain[4].1[7]));
        assert_eq!(steps[3].chain[4].1, [0; 8], "emptyRest spread back");
        assert_eq!(steps[4].reused, 1);
        // Regression (issue 18): the slot a delete freed and a later delete
        // turned emptyRest is reused too, and by a key of another tophash.
        assert_eq!(steps[6].reused, 1);
        assert_ne!(steps[6].chain[1].1[0], steps[0].chain[1].1[0]);
        assert_ne!(steps[4].chain[0].1[3], steps[0].chain[0].1[3]);
        assert!(is_full(steps[4].chain[0].1[3]));
        assert_eq!(
            steps[5].chain.len(),
            5,
            "emptied overflow buckets stay linked"
        );
    }

    #[test]
    fn churn_reuses_slots_and_grows_same_size() {
        let config = ReuseConfig {
            b: 4,
            load_tenths: 60,
            ops: 5000,
            seed: 1,
        };
        let out = run(&config, &ProgressBar::hidden());
        assert!(out.counts.reused > 0);
        assert_eq!(out.counts.doublings, 0);
        assert!(out.counts.same_size_growths > 0, "{:?}", out.counts);
    }
}
