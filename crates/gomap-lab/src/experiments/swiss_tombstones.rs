//! Delete-heavy churn at a steady size, on both generations with the same
//! keys and victims: the Swiss map's tombstones over time, when a table
//! prunes them and when it has to grow instead, and `growthLeft` — beside
//! the classic map's reuse of deleted slots and its same-size growths.

#![forbid(unsafe_code)]

use std::hash::BuildHasher;

use gomap::events::{Event, GrowKind, Recorder};
use gomap::{GoMap, SwissMap};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, fixed_swiss, seed_sequence};
use crate::kv::LabKey;
use crate::plot::{Axis, Chart, LegendAt, PlotError, Series, BLUE, GREEN, ORANGE, RED};
use crate::rng::SplitMix64;
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "A Swiss table delete writes a tombstone (0xFE) only when the key's group \
has no empty slot, else it frees the slot (0x80) and gives growthLeft back. Tombstones cost \
growthLeft until an insert finds growthLeft at 0: then, if a tenth of the table's slots are \
tombstones, Go 1.25+ tries to prune those no probe needs; if it frees a tenth of the slots the \
insert goes on, else the table grows (or splits) although the map holds no more entries than \
before. The classic map has no tombstone count: an insert reuses the first deleted slot of its \
chain, and emptied overflow buckets pile up until a same-size growth repacks them.";

/// The largest map and the longest churn accepted.
pub const MAX_ENTRIES: u64 = 5_000_000;
/// The longest churn accepted.
pub const MAX_OPS: u64 = 100_000_000;

/// What to run.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SwissTombstonesConfig {
    /// Entries the maps are filled with and held at.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(9..=MAX_ENTRIES))]
    pub entries: u64,
    /// Delete/insert pairs: delete a random live key, insert a new one.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=MAX_OPS))]
    pub ops: u64,
    /// Seed of the hasher, the maps' hash seeds and the victims.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Samples of tombstones and growthLeft over the churn.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(2..=10_000))]
    pub samples: u64,
}

/// `gomap-lab swiss-tombstones`.
pub struct SwissTombstones;

impl Experiment for SwissTombstones {
    const ID: &'static str = "swiss-tombstones";
    const TITLE: &'static str = "Go 1.24+ deletes: tombstones, pruning and growth at a steady size";
    const ABOUT: &'static str = "Delete/insert churn at a steady size: the Swiss map's \
        tombstones, prunes and growths over time beside the classic map's slot reuse and \
        same-size growths";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = SwissTombstonesConfig;
    type Outcome = SwissTombstonesOutcome;

    fn run(args: &SwissTombstonesConfig, ctx: &Ctx<'_>) -> anyhow::Result<SwissTombstonesOutcome> {
        let bar = ctx.bar(2 * args.ops, "swiss-tombstones: churn ops");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        let ops = match effort {
            Effort::Quick => 100_000,
            Effort::Full => 400_000,
        };
        vec![format!(
            "--entries 20000 --ops {ops} --seed 1 --samples 100"
        )]
    }
}

/// A prune, a failed prune, or a growth during the churn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnStep {
    /// The churn op (1-based) whose insert did it.
    pub op: u64,
    /// `prune` (tombstones freed), `prune_failed` (too few could be freed),
    /// `rehash`, `split` or `dir_double`.
    pub step: &'static str,
    /// The table's first directory entry.
    pub index: usize,
    /// Its slots (before a rehash).
    pub capacity: usize,
    /// Tombstones in the table before (prunes only).
    pub tombstones: usize,
    /// Tombstones turned empty (prunes only).
    pub pruned: usize,
}

/// Both maps after one churn op.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChurnSample {
    /// Churn ops so far.
    pub op: u64,
    /// Swiss: tombstones (0xFE control bytes) in the whole map.
    pub tombstones: usize,
    /// Swiss: `growthLeft` summed over the tables.
    pub growth_left: usize,
    /// Swiss: slots over all tables.
    pub slots: usize,
    /// Swiss: distinct tables.
    pub tables: usize,
    /// Classic: slots marked emptyOne.
    pub empty_one: usize,
    /// Classic: overflow buckets linked.
    pub overflow: usize,
    /// Classic: `B`.
    #[serde(rename = "B")]
    pub b: u8,
}

/// Counts over the whole churn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChurnTotals {
    /// Swiss: prunes that freed tombstones.
    pub prunes: usize,
    /// Swiss: prunes that could not free enough, so the table grew.
    pub prunes_failed: usize,
    /// Swiss: tombstones freed by prunes.
    pub pruned: usize,
    /// Swiss: rehashes into twice the slots.
    pub rehashes: usize,
    /// Swiss: splits.
    pub splits: usize,
    /// Swiss: directory doublings.
    pub dir_doubles: usize,
    /// Swiss: growths that kept the table's slot count (Go 1.24+ has none).
    pub same_capacity_growths: usize,
    /// Swiss: slots before the churn.
    pub slots_before: usize,
    /// Classic: inserts that reused a deleted (emptyOne) slot.
    pub slot_reuses: usize,
    /// Classic: same-size growths.
    pub same_size_growths: usize,
    /// Classic: doublings.
    pub doublings: usize,
    /// Classic: `B` before the churn.
    pub b_before: u8,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct SwissTombstonesOutcome {
    /// What ran.
    pub entries: u64,
    /// Churn ops.
    pub ops: u64,
    /// Totals over the churn.
    pub totals: ChurnTotals,
    /// The Swiss map's prunes and growths, in order.
    pub steps: Vec<ChurnStep>,
    /// Both maps over time.
    pub samples: Vec<ChurnSample>,
}

/// The churn both maps go through: fill with `K::nth(1..=entries)`, then per
/// op delete a random live key and insert the next new one. `op` is called
/// after each op's insert (op 0: after the fill).
fn churn<K: LabKey>(
    config: &SwissTombstonesConfig,
    mut remove: impl FnMut(&K),
    mut insert: impl FnMut(K),
    mut op: impl FnMut(u64),
) {
    let mut live: Vec<u64> = (1..=config.entries).collect();
    for &i in &live {
        insert(K::nth(i));
    }
    op(0);
    let mut rng = SplitMix64::new(config.seed ^ 0x7453_7769_7373);
    for j in 1..=config.ops {
        let at = rng.below(live.len());
        remove(&K::nth(live.swap_remove(at)));
        let fresh = config.entries + j;
        insert(K::nth(fresh));
        live.push(fresh);
        op(j);
    }
}

/// The Swiss map's steps among one op's events.
fn swiss_steps(op: u64, events: &[Event], steps: &mut Vec<ChurnStep>, totals: &mut ChurnTotals) {
    for e in events {
        let step = match *e {
            Event::SwissPrune {
                index,
                capacity,
                tombstones,
                pruned,
            } => {
                if pruned > 0 {
                    totals.prunes += 1;
                    totals.pruned += pruned;
                } else {
                    totals.prunes_failed += 1;
                }
                ChurnStep {
                    op,
                    step: if pruned > 0 { "prune" } else { "prune_failed" },
                    index,
                    capacity,
                    tombstones,
                    pruned,
                }
            }
            Event::SwissGrow {
                index,
                old_capacity,
                new_capacity,
                ..
            } => {
                totals.rehashes += 1;
                totals.same_capacity_growths += usize::from(new_capacity == old_capacity);
                ChurnStep {
                    op,
                    step: "rehash",
                    index,
                    capacity: old_capacity,
                    tombstones: 0,
                    pruned: 0,
                }
            }
            Event::SwissSplit { index, .. } => {
                totals.splits += 1;
                ChurnStep {
                    op,
                    step: "split",
                    index,
                    capacity: 1024,
                    tombstones: 0,
                    pruned: 0,
                }
            }
            Event::SwissDirectoryDouble { dir_len, .. } => {
                totals.dir_doubles += 1;
                ChurnStep {
                    op,
                    step: "dir_double",
                    index: 0,
                    capacity: dir_len,
                    tombstones: 0,
                    pruned: 0,
                }
            }
            _ => continue,
        };
        steps.push(step);
    }
}

/// Tombstones, `growthLeft`, slots and tables of `m`.
fn swiss_state<K, V, S: BuildHasher>(m: &SwissMap<K, V, S>) -> (usize, usize, usize, usize) {
    let l = m.layout();
    (
        l.tombstones,
        l.tables.iter().map(|t| t.growth_left).sum(),
        l.tables.iter().map(|t| t.capacity).sum(),
        l.tables.len(),
    )
}

/// Runs the churn on both maps.
pub fn run(config: &SwissTombstonesConfig, progress: &ProgressBar) -> SwissTombstonesOutcome {
    let every = (config.ops / config.samples).max(1);
    let sampled = |j: u64| j % every == 0 || j == config.ops;
    let tick = (config.ops / 100).max(1);

    // The Swiss map.
    let mut totals = ChurnTotals::default();
    let mut steps = Vec::new();
    let mut samples = Vec::new();
    let swiss = std::cell::RefCell::new(fixed_swiss::<u64, u64>(0, config.seed));
    let log = Recorder::new();
    churn::<u64>(
        config,
        |k| {
            swiss.borrow_mut().remove(k);
        },
        |k| {
            swiss.borrow_mut().insert(k, 0);
        },
        |j| {
            let m = swiss.borrow();
            if j == 0 {
                totals.slots_before = swiss_state(&*m).2;
                drop(m);
                swiss.borrow_mut().set_observer(log.clone());
                return;
            }
            swiss_steps(j, &log.take(), &mut steps, &mut totals);
            if sampled(j) {
                let (tombstones, growth_left, slots, tables) = swiss_state(&*m);
                samples.push(ChurnSample {
                    op: j,
                    tombstones,
                    growth_left,
                    slots,
                    tables,
                    empty_one: 0,
                    overflow: 0,
                    b: 0,
                });
            }
            if j % tick == 0 {
                progress.set_position(j);
            }
        },
    );

    // The classic map, same keys, victims and hasher.
    let classic = std::cell::RefCell::new(GoMap::<u64, u64, _>::with_capacity_hasher_and_seeds(
        0,
        fixed(config.seed),
        seed_sequence(config.seed),
    ));
    let mut next = 0;
    churn::<u64>(
        config,
        |k| {
            classic.borrow_mut().remove(k);
        },
        |k| {
            classic.borrow_mut().insert(k, 0);
        },
        |j| {
            if j == 0 {
                totals.b_before = classic.borrow().header().b;
                classic.borrow_mut().set_observer(log.clone());
                return;
            }
            for e in log.take() {
                match e {
                    Event::SlotReused { .. } => totals.slot_reuses += 1,
                    Event::GrowStart {
                        kind: GrowKind::SameSize,
                        ..
                    } => totals.same_size_growths += 1,
                    Event::GrowStart { .. } => totals.doublings += 1,
                    _ => {}
                }
            }
            if sampled(j) {
                let m = classic.borrow();
                let s = m.stats();
                if let Some(sample) = samples.get_mut(next) {
                    sample.empty_one = s.empty_one;
                    sample.overflow = s.overflow.pool + s.overflow.heap;
                    sample.b = s.b;
                }
                next += 1;
            }
            if j % tick == 0 {
                progress.set_position(config.ops + j);
            }
        },
    );
    SwissTombstonesOutcome {
        entries: config.entries,
        ops: config.ops,
        totals,
        steps,
        samples,
    }
}

impl Outcome for SwissTombstonesOutcome {
    fn tables(&self) -> Vec<Table> {
        let t = &self.totals;
        let last = self.samples.last().copied();
        let mut counts = Table::new(
            format!(
                "{} delete/insert pairs at {} entries: what each generation did",
                thousands(self.ops),
                thousands(self.entries)
            ),
            &[
                ("map", Align::Left),
                ("what", Align::Left),
                ("count", Align::Right),
            ],
        );
        let swiss = "Swiss (Go 1.24+)";
        let classic = "classic (Go 1.19)";
        let n = |x: usize| thousands(x as u64);
        let slots_after = last.map_or(0, |s| s.slots);
        let b_after = last.map_or(0, |s| s.b);
        let lines = [
            (swiss, "prunes that freed tombstones", n(t.prunes)),
            (swiss, "tombstones freed by them", n(t.pruned)),
            (
                swiss,
                "prunes that freed too few (the table grew)",
                n(t.prunes_failed),
            ),
            (swiss, "rehashes (twice the slots)", n(t.rehashes)),
            (swiss, "splits", n(t.splits)),
            (
                swiss,
                "growths keeping the slot count",
                n(t.same_capacity_growths),
            ),
            (
                swiss,
                "slots before → after",
                format!("{} → {}", n(t.slots_before), n(slots_after)),
            ),
            (classic, "inserts reusing a deleted slot", n(t.slot_reuses)),
            (classic, "same-size growths", n(t.same_size_growths)),
            (classic, "doublings", n(t.doublings)),
            (
                classic,
                "B before → after",
                format!("{} → {b_after}", t.b_before),
            ),
        ];
        for (map, what, count) in lines {
            counts.row(vec![map.into(), what.into(), count]);
        }
        let counts = counts.with_note(
            "Swiss: SwissPrune (pruned > 0 or 0), SwissGrow and SwissSplit events. classic: \
             SlotReused events count reuses of emptyOne slots only (a freed slot later turned \
             emptyRest is reused uncounted), and GrowStart events by kind.",
        );

        let mut over_time = Table::new(
            "Over the churn (every tenth sample)",
            &[
                ("op", Align::Right),
                ("Swiss tombstones", Align::Right),
                ("Swiss growthLeft", Align::Right),
                ("Swiss slots", Align::Right),
                ("Swiss tables", Align::Right),
                ("classic emptyOne", Align::Right),
                ("classic overflow buckets", Align::Right),
                ("classic B", Align::Right),
            ],
        );
        let stride = (self.samples.len() / 10).max(1);
        for (i, s) in self.samples.iter().enumerate() {
            if i % stride != stride - 1 && i + 1 != self.samples.len() {
                continue;
            }
            over_time.row(vec![
                thousands(s.op),
                thousands(s.tombstones as u64),
                thousands(s.growth_left as u64),
                thousands(s.slots as u64),
                thousands(s.tables as u64),
                thousands(s.empty_one as u64),
                thousands(s.overflow as u64),
                s.b.to_string(),
            ]);
        }

        let mut prunes = Table::new(
            "The Swiss map's first prunes and growths during the churn",
            &[
                ("op", Align::Right),
                ("step", Align::Left),
                ("table", Align::Right),
                ("slots", Align::Right),
                ("tombstones", Align::Right),
                ("freed", Align::Right),
            ],
        );
        for s in self.steps.iter().take(20) {
            prunes.row(vec![
                thousands(s.op),
                s.step.into(),
                s.index.to_string(),
                thousands(s.capacity as u64),
                thousands(s.tombstones as u64),
                thousands(s.pruned as u64),
            ]);
        }
        let prunes = prunes.with_note(format!(
            "{} steps in all (--json lists them). A prune is tried only by an insert that needs \
             an empty slot and finds growthLeft 0, and only when a tenth of the table's slots are \
             tombstones.",
            self.steps.len()
        ));
        vec![counts, over_time, prunes]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        let mut lines = to_values(&[&self.totals]);
        lines.extend(to_values(&self.steps));
        lines.extend(to_values(&self.samples));
        lines
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let pts = |f: fn(&ChurnSample) -> usize| -> Vec<(f64, f64)> {
            self.samples
                .iter()
                .map(|s| (s.op as f64, f(s) as f64))
                .collect()
        };
        let prunes: Vec<(f64, f64)> = self
            .steps
            .iter()
            .filter(|s| s.step == "prune")
            .map(|s| (s.op as f64, s.pruned as f64))
            .collect();
        let top = self
            .samples
            .iter()
            .map(|s| s.tombstones.max(s.empty_one).max(s.growth_left))
            .chain(prunes.iter().map(|p| p.1 as usize))
            .max()
            .unwrap_or(1) as f64;
        let chart = Chart {
            title: format!(
                "Dead slots while churning {} entries",
                thousands(self.entries)
            ),
            x: Axis::linear("delete/insert pairs", 0.0..(self.ops.max(1) as f64)),
            y: Axis::linear("slots", 0.0..(top * 1.15).max(2.0)),
            series: vec![
                Series::line("Swiss tombstones", BLUE, pts(|s| s.tombstones)),
                Series::line("Swiss growthLeft", GREEN, pts(|s| s.growth_left)),
                Series::line("classic emptyOne slots", ORANGE, pts(|s| s.empty_one)),
                Series::dots("Swiss prune: tombstones freed", RED, prunes),
            ],
            right: None,
            guides: vec![],
            legend: LegendAt::UpperRight,
        };
        Ok(Some(Figure {
            caption: format!(
                "Tombstones rise while growthLeft falls; each red dot is a prune that freed \
                 tombstones ({} prunes, {} failed ones that grew the table instead). The classic \
                 map's deleted slots are reused by any later insert into their chain.",
                self.totals.prunes, self.totals.prunes_failed
            ),
            svg: chart.to_svg()?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_leaves_tombstones_and_prunes() {
        let out = run(
            &SwissTombstonesConfig {
                entries: 3000,
                ops: 30_000,
                seed: 1,
                samples: 30,
            },
            &ProgressBar::hidden(),
        );
        assert_eq!(out.samples.len(), 30);
        assert!(out.samples.iter().any(|s| s.tombstones > 0));
        assert!(
            out.totals.prunes + out.totals.prunes_failed > 0,
            "{:?}",
            out.totals
        );
        assert_eq!(out.totals.same_capacity_growths, 0);
        assert!(out.samples.iter().all(|s| s.b > 0));
        assert!(out.figure().unwrap().is_some());
    }
}
