//! Growth of Go 1.24+'s map over N inserts into an empty `SwissMap`: every
//! rehash (one table into one of twice the slots), split (a full 1,024-slot
//! table into two) and directory doubling, with the entry count where it
//! happened, read from the map's events — beside where the classic map
//! doubles on the same keys.

#![forbid(unsafe_code)]

use std::hash::BuildHasher;

use gomap::events::{Event, Recorder};
use gomap::{GoMap, SwissMap};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::experiments::grow::{self, GrowRow};
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, fixed_swiss, seed_sequence};
use crate::kv::LabKey;
use crate::plot::{Axis, Chart, LegendAt, PlotError, Series, BLUE, ORANGE};
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "A Swiss map grows one table at a time, inside the insert that finds the \
table's growthLeft at 0: a table under 1,024 slots is rehashed into one of twice the slots, a \
full 1,024-slot table is split into two by one more hash bit, and a split of a table as deep as \
the directory doubles the directory. Every move happens in that one insert; nothing is left for \
later writes. The classic map doubles its whole bucket array and moves it over the next writes.";

/// The largest run accepted.
pub const MAX_INSERTS: u64 = 20_000_000;

/// What to run.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SwissGrowthConfig {
    /// Keys inserted into an empty `SwissMap<u64, u64>` (and the same keys into a `GoMap`).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=MAX_INSERTS))]
    pub inserts: u64,
    /// Seed of the hasher and of the maps' hash seeds.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timeline rows the table shows (all are in `--json`).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub show: u64,
}

/// `gomap-lab swiss-growth`.
pub struct SwissGrowth;

impl Experiment for SwissGrowth {
    const ID: &'static str = "swiss-growth";
    const TITLE: &'static str = "Go 1.24+ growth: rehashes, splits and directory doublings";
    const ABOUT: &'static str = "Insert N keys into an empty Swiss map: every rehash, split and \
        directory doubling with the entry count where it happened, beside the classic map's \
        doublings on the same keys";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = SwissGrowthConfig;
    type Outcome = SwissGrowthOutcome;

    fn run(args: &SwissGrowthConfig, ctx: &Ctx<'_>) -> anyhow::Result<SwissGrowthOutcome> {
        let bar = ctx.bar(args.inserts, "swiss-growth: inserts");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        let inserts = match effort {
            Effort::Quick => 20_000,
            Effort::Full => 200_000,
        };
        vec![format!("--inserts {inserts} --seed 1 --show 30")]
    }
}

/// One growth step of a Swiss map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwissGrowthRow {
    /// The insert (1-based) in which it happened.
    pub insert: u64,
    /// `rehash`, `split`, `dir_double` or `prune`.
    pub event: &'static str,
    /// Entries before that insert.
    pub entries: usize,
    /// The table's first directory entry (0 for a directory doubling).
    pub index: usize,
    /// Slots of the table before (0 for a directory doubling).
    pub old_capacity: usize,
    /// Slots after, over the tables the step left (a split leaves two).
    pub new_capacity: usize,
    /// Entries moved (a prune: tombstones turned empty).
    pub moved: usize,
    /// The table's `localDepth` before (a doubling: `globalDepth` before).
    pub depth: u8,
    /// Distinct tables after the insert.
    pub tables: usize,
    /// Directory entries after the insert.
    pub dir_len: usize,
    /// Groups over all tables after the insert.
    pub groups: usize,
}

/// Tables and directory entries after one insert, for the figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SwissSample {
    /// Inserts so far.
    pub insert: u64,
    /// Distinct tables.
    pub tables: usize,
    /// Directory entries (0: the small map).
    pub dir_len: usize,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct SwissGrowthOutcome {
    /// What ran.
    pub inserts: u64,
    /// Timeline rows shown in the table.
    pub show: u64,
    /// Every growth step of the Swiss map, in order.
    pub rows: Vec<SwissGrowthRow>,
    /// The classic map's growths on the same keys.
    pub classic: Vec<GrowRow>,
    /// Tables and directory just before and after each step, and at the end.
    #[serde(skip)]
    pub samples: Vec<SwissSample>,
}

/// The rows one insert's events give; `entries` is the map's length before
/// it, `after` its layout after it.
fn rows_of<K, V>(
    insert: u64,
    entries: usize,
    events: &[Event],
    after: &SwissMap<K, V, impl BuildHasher>,
) -> Vec<SwissGrowthRow> {
    let l = after.layout();
    let tables = l.tables.len();
    let groups = l.tables.iter().map(|t| t.groups.len()).sum();
    let dir_len = l.header.dir_len;
    events
        .iter()
        .filter_map(|e| {
            let (index, old_capacity, new_capacity, moved, depth) = match *e {
                Event::SwissGrow {
                    index,
                    old_capacity,
                    new_capacity,
                    used,
                    local_depth,
                } => (index, old_capacity, new_capacity, used, local_depth),
                Event::SwissSplit {
                    index,
                    local_depth,
                    left_used,
                    right_used,
                } => {
                    // Both halves are tables of the split one's slots.
                    let cap = l
                        .tables
                        .iter()
                        .find(|t| t.index == index)
                        .map_or(0, |t| t.capacity);
                    (index, cap, 2 * cap, left_used + right_used, local_depth)
                }
                Event::SwissDirectoryDouble {
                    old_global_depth, ..
                } => (0, 0, 0, 0, old_global_depth),
                Event::SwissPrune {
                    index,
                    capacity,
                    pruned,
                    ..
                } => (index, capacity, capacity, pruned, 0),
                _ => return None,
            };
            Some(SwissGrowthRow {
                insert,
                event: e.name(),
                entries,
                index,
                old_capacity,
                new_capacity,
                moved,
                depth,
                tables,
                dir_len,
                groups,
            })
        })
        .collect()
}

/// Inserts the keys `K::nth(1..=inserts)` into `map`, recording every growth
/// step; `after` is called after each insert with its number and the map.
pub fn record_swiss<K: LabKey, S: BuildHasher>(
    map: &mut SwissMap<K, u64, S>,
    inserts: u64,
    mut after: impl FnMut(u64, &[SwissGrowthRow], &SwissMap<K, u64, S>),
) -> Vec<SwissGrowthRow> {
    let log = Recorder::new();
    map.set_observer(log.clone());
    let mut rows = Vec::new();
    for i in 1..=inserts {
        let entries = map.len();
        map.insert(K::nth(i), i);
        let events = log.take();
        let new = if events.is_empty() {
            Vec::new()
        } else {
            rows_of(i, entries, &events, map)
        };
        after(i, &new, map);
        rows.extend(new);
    }
    map.remove_observer();
    rows
}

/// The classic map's growths on the keys [`record_swiss`] inserts, with the
/// same hasher and seed.
pub fn classic_growths(inserts: u64, seed: u64) -> Vec<GrowRow> {
    let map: GoMap<u64, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(0, fixed(seed), seed_sequence(seed));
    grow::record(map, inserts, |_, _| {})
}

/// Inserts `config.inserts` keys into both generations and records every
/// growth.
pub fn run(config: &SwissGrowthConfig, progress: &ProgressBar) -> SwissGrowthOutcome {
    let mut map = fixed_swiss::<u64, u64>(0, config.seed);
    let mut samples = vec![SwissSample {
        insert: 0,
        tables: 0,
        dir_len: 0,
    }];
    let tick = (config.inserts / 200).max(1);
    let rows = record_swiss(&mut map, config.inserts, |i, new, m| {
        if let Some(last) = new.last() {
            let before = *samples.last().expect("starts with one");
            samples.push(SwissSample {
                insert: i - 1,
                ..before
            });
            samples.push(SwissSample {
                insert: i,
                tables: last.tables,
                dir_len: last.dir_len,
            });
        }
        if i % tick == 0 {
            progress.set_position(i);
        }
        if i == config.inserts {
            let h = m.header();
            samples.push(SwissSample {
                insert: i,
                tables: h.ntables,
                dir_len: h.dir_len,
            });
        }
    });
    let classic = classic_growths(config.inserts, config.seed);
    progress.set_position(config.inserts);
    SwissGrowthOutcome {
        inserts: config.inserts,
        show: config.show,
        rows,
        classic,
        samples,
    }
}

/// Insert numbers as a short list: the first `head`, "…", the last.
pub fn short_list(at: &[u64], head: usize) -> String {
    let mut parts: Vec<String> = at.iter().take(head).map(|&i| thousands(i)).collect();
    if at.len() > head + 1 {
        parts.push("…".into());
    }
    if at.len() > head {
        parts.push(thousands(*at.last().expect("non-empty")));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

impl SwissGrowthOutcome {
    /// Steps of one kind: their inserts.
    fn inserts_of(&self, event: &str) -> Vec<u64> {
        self.rows
            .iter()
            .filter(|r| r.event == event)
            .map(|r| r.insert)
            .collect()
    }

    fn summary_table(&self) -> Table {
        let mut t = Table::new(
            format!(
                "Where each generation grows while inserting the same {} keys",
                thousands(self.inserts)
            ),
            &[
                ("map", Align::Left),
                ("step", Align::Left),
                ("count", Align::Right),
                ("at inserts", Align::Left),
                ("most entries moved by one insert", Align::Right),
            ],
        );
        for event in ["rehash", "split", "dir_double"] {
            let at = self.inserts_of(event);
            let moved = self
                .rows
                .iter()
                .filter(|r| r.event == event)
                .map(|r| r.moved)
                .max()
                .unwrap_or(0);
            t.row(vec![
                "Swiss (Go 1.24+)".into(),
                event.into(),
                at.len().to_string(),
                short_list(&at, 8),
                if event == "dir_double" {
                    "—".into()
                } else {
                    thousands(moved as u64)
                },
            ]);
        }
        let at: Vec<u64> = self.classic.iter().map(|r| r.started_at).collect();
        t.row(vec![
            "classic (Go 1.19)".into(),
            "doubling of B".into(),
            at.len().to_string(),
            short_list(&at, 8),
            // Buckets, not entries: at most two per write, whatever the size.
            format!(
                "{} buckets",
                self.classic
                    .iter()
                    .map(|r| r.max_evacuated_per_write)
                    .max()
                    .unwrap_or(0)
            ),
        ]);
        t.with_note(
            "Swiss: from the map's SwissGrow, SwissSplit and SwissDirectoryDouble events. \
             classic: GrowStart events; its column counts old buckets one write evacuated, since \
             a classic growth is spread over the writes after it.",
        )
    }

    fn timeline_table(&self) -> Table {
        let mut t = Table::new(
            "The Swiss map's growth timeline",
            &[
                ("insert", Align::Right),
                ("step", Align::Left),
                ("entries", Align::Right),
                ("table", Align::Right),
                ("slots", Align::Right),
                ("moved", Align::Right),
                ("depth", Align::Right),
                ("tables after", Align::Right),
                ("directory after", Align::Right),
                ("groups after", Align::Right),
            ],
        );
        for r in self.rows.iter().take(self.show as usize) {
            let slots = match r.event {
                "dir_double" => "—".to_owned(),
                "split" => format!("{} → 2 × {}", r.old_capacity, r.old_capacity),
                _ => format!("{} → {}", r.old_capacity, r.new_capacity),
            };
            t.row(vec![
                thousands(r.insert),
                r.event.into(),
                thousands(r.entries as u64),
                r.index.to_string(),
                slots,
                thousands(r.moved as u64),
                r.depth.to_string(),
                thousands(r.tables as u64),
                thousands(r.dir_len as u64),
                thousands(r.groups as u64),
            ]);
        }
        let hidden = self.rows.len().saturating_sub(self.show as usize);
        let note = if hidden > 0 {
            format!(
                "First {} of {} steps; --json lists all. depth: the table's localDepth (a doubling: \
                 globalDepth before it).",
                self.show,
                self.rows.len()
            )
        } else {
            "depth: the table's localDepth (a doubling: globalDepth before it).".into()
        };
        t.with_note(note)
    }
}

impl Outcome for SwissGrowthOutcome {
    fn tables(&self) -> Vec<Table> {
        vec![self.summary_table(), self.timeline_table()]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let pts = |f: fn(&SwissSample) -> usize| -> Vec<(f64, f64)> {
            self.samples
                .iter()
                .map(|s| (s.insert.max(1) as f64, f(s) as f64))
                .collect()
        };
        let top = self
            .samples
            .iter()
            .map(|s| s.tables.max(s.dir_len))
            .max()
            .unwrap_or(1) as f64;
        let chart = Chart {
            title: format!(
                "Tables and directory entries while inserting {} keys",
                thousands(self.inserts)
            ),
            x: Axis::log("inserts (log scale)", 1.0..(self.inserts.max(2) as f64)),
            y: Axis::linear("count", 0.0..(top * 1.1).max(2.0)),
            series: vec![
                Series::line("directory entries", ORANGE, pts(|s| s.dir_len)),
                Series::line("tables", BLUE, pts(|s| s.tables)),
            ],
            right: None,
            guides: vec![],
            legend: LegendAt::UpperLeft,
        };
        let splits = self.inserts_of("split").len();
        let doublings = self.inserts_of("dir_double").len();
        Ok(Some(Figure {
            caption: format!(
                "One table (rehashed {} times) until the first split; then tables grow one split \
                 at a time ({splits} splits) while the directory doubles in steps ({doublings} \
                 doublings), running ahead of the table count.",
                self.inserts_of("rehash").len()
            ),
            svg: chart.to_svg()?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_where_go_1_24_does() {
        let out = run(
            &SwissGrowthConfig {
                inserts: 2000,
                seed: 1,
                show: 40,
            },
            &ProgressBar::hidden(),
        );
        let rehash = out.inserts_of("rehash");
        assert_eq!(rehash, [9, 15, 29, 57, 113, 225, 449]);
        let first_split = out.rows.iter().find(|r| r.event == "split").unwrap();
        assert_eq!((first_split.insert, first_split.moved), (897, 896));
        assert_eq!(out.inserts_of("dir_double")[0], 897);
        let classic: Vec<u64> = out.classic.iter().map(|r| r.started_at).collect();
        assert_eq!(classic, [9, 14, 27, 53, 105, 209, 417, 833, 1665]);
        assert!(out.figure().unwrap().is_some());
    }
}
