//! Growth over N inserts into an empty map: when each growth starts, its kind, how
//! many writes paid off its evacuation, and load factor and `B` over time.

#![forbid(unsafe_code)]

use gomap::events::{Event, Recorder};
use gomap::GoMap;
use indicatif::ProgressBar;
use serde::Serialize;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, seed_sequence};
use crate::kv::{Key200, LabKey};
use crate::plot::{Axis, Chart, Guide, LegendAt, PlotError, Series, BLUE, ORANGE};
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "An insert of a new key doubles the bucket array when the map would \
exceed 6.5 entries per bucket (the 9th, 14th, 27th, 53rd, 105th … insert). The new array is only \
allocated; every later write evacuates at most two old buckets, so a growth is paid off over the \
next writes instead of in one pause. Key size plays no part: keys over 128 bytes are stored by \
pointer and grow at the same counts.";

/// The largest run accepted.
pub const MAX_INSERTS: u64 = 50_000_000;

/// How many inserts the 200-byte-key comparison runs at most.
const LARGE_KEY_INSERTS: u64 = 20_000;

/// What to run.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct GrowConfig {
    /// Keys inserted into an empty `GoMap<u64, u64>`.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_INSERTS))]
    pub inserts: u64,
    /// Seed of the hasher and of the map's hash seeds.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `gomap-lab grow`.
pub struct Grow;

impl Experiment for Grow {
    const ID: &'static str = "grow";
    const TITLE: &'static str = "Growth: when, which kind, and who pays";
    const ABOUT: &'static str = "Insert N keys into an empty map: every growth (when, kind, \
        writes to pay it off) and a plot of load factor and B";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = GrowConfig;
    type Outcome = GrowOutcome;

    fn run(args: &GrowConfig, ctx: &Ctx<'_>) -> anyhow::Result<GrowOutcome> {
        let bar = ctx.bar(args.inserts, "grow: inserts");
        let outcome = run(args, &bar);
        bar.finish_and_clear();
        Ok(outcome)
    }

    fn report_runs(effort: Effort) -> Vec<String> {
        // Past 212,993, where B goes from 15 to 16, even when quick.
        let inserts = match effort {
            Effort::Quick => 300_000,
            Effort::Full => 1_000_000,
        };
        vec![format!("--inserts {inserts} --seed 1")]
    }
}

/// One growth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowRow {
    /// The insert (1-based) that started it.
    pub started_at: u64,
    /// `double` or `same-size`.
    pub kind: &'static str,
    /// `B` before.
    pub old_b: u8,
    /// `B` after.
    pub new_b: u8,
    /// Entries when it started.
    pub count: usize,
    /// Entries per bucket when it started.
    pub load: f64,
    /// Writes that did its growth work, the starting insert included; `None` while
    /// it was still running at the end.
    pub writes: Option<usize>,
    /// The insert that finished it.
    pub finished_at: Option<u64>,
    /// Old buckets evacuated.
    pub evacuated: usize,
    /// Most old buckets evacuated by one write.
    pub max_evacuated_per_write: usize,
}

/// Load factor and `B` after one insert.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Inserts so far.
    pub insert: u64,
    /// Entries per bucket.
    pub load: f64,
    /// `B`.
    #[serde(rename = "B")]
    pub b: u8,
}

/// The result.
#[derive(Debug, Clone, Serialize)]
pub struct GrowOutcome {
    /// What ran.
    pub inserts: u64,
    /// Every growth, in order.
    pub rows: Vec<GrowRow>,
    /// Load factor and `B` on a geometric grid of inserts, and around each growth.
    pub samples: Vec<Sample>,
    /// The inserts that started growths with 200-byte keys, over the first
    /// `large_key_inserts` inserts.
    pub large_key_growths: Vec<u64>,
    /// How many inserts the 200-byte-key run made.
    pub large_key_inserts: u64,
}

#[derive(Default)]
struct Growths {
    rows: Vec<GrowRow>,
    last_evac_insert: u64,
    evac_this_write: usize,
}

impl Growths {
    fn on(&mut self, insert: u64, e: &Event) {
        match *e {
            Event::GrowStart {
                kind,
                old_b,
                new_b,
                count,
                ..
            } => self.rows.push(GrowRow {
                started_at: insert,
                kind: kind.as_str(),
                old_b,
                new_b,
                count,
                load: count as f64 / (1u64 << old_b) as f64,
                writes: None,
                finished_at: None,
                evacuated: 0,
                max_evacuated_per_write: 0,
            }),
            Event::Evacuate { .. } => {
                if insert == self.last_evac_insert {
                    self.evac_this_write += 1;
                } else {
                    self.last_evac_insert = insert;
                    self.evac_this_write = 1;
                }
                if let Some(row) = self.rows.last_mut() {
                    row.evacuated += 1;
                    row.max_evacuated_per_write =
                        row.max_evacuated_per_write.max(self.evac_this_write);
                }
            }
            Event::GrowDone { writes, .. } => {
                if let Some(row) = self.rows.last_mut() {
                    row.writes = Some(writes);
                    row.finished_at = Some(insert);
                }
            }
            _ => {}
        }
    }
}

/// Runs `inserts` inserts of distinct keys into an empty map, recording growths;
/// `sample` is called after each insert with the insert number and the map.
pub(crate) fn record<K: LabKey, S: std::hash::BuildHasher>(
    mut map: GoMap<K, u64, S>,
    inserts: u64,
    mut sample: impl FnMut(u64, &GoMap<K, u64, S>),
) -> Vec<GrowRow> {
    let log = Recorder::new();
    map.set_observer(log.clone());
    let mut growths = Growths::default();
    for i in 1..=inserts {
        map.insert(K::nth(i), i);
        for e in log.take() {
            growths.on(i, &e);
        }
        sample(i, &map);
    }
    growths.rows
}

/// Inserts `config.inserts` keys and records every growth.
pub fn run(config: &GrowConfig, progress: &ProgressBar) -> GrowOutcome {
    let map: GoMap<u64, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(0, fixed(config.seed), seed_sequence(config.seed));
    let mut samples = Vec::new();
    let mut next_sample = 1u64;
    let mut last_b = 0u8;
    let tick = (config.inserts / 200).max(1);
    let rows = record(map, config.inserts, |i, m| {
        let h = m.header();
        if h.b != last_b {
            // Just before the growth, then just after.
            let before = (i - 1) as f64 / (1u64 << last_b) as f64;
            samples.push(Sample {
                insert: i - 1,
                load: before,
                b: last_b,
            });
            last_b = h.b;
        }
        if i >= next_sample || i == config.inserts || h.b != last_b {
            samples.push(Sample {
                insert: i,
                load: h.load_factor(),
                b: h.b,
            });
            next_sample = (i + 1).max((i as f64 * 1.01) as u64);
        }
        if i % tick == 0 {
            progress.set_position(i);
        }
    });
    let large_key_inserts = config.inserts.min(LARGE_KEY_INSERTS);
    let large: GoMap<Key200, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(0, fixed(config.seed), seed_sequence(config.seed));
    let large_key_growths: Vec<u64> = record(large, large_key_inserts, |_, _| {})
        .iter()
        .map(|r| r.started_at)
        .collect();
    progress.set_position(config.inserts);
    GrowOutcome {
        inserts: config.inserts,
        rows,
        samples,
        large_key_growths,
        large_key_inserts,
    }
}

impl GrowOutcome {
    /// The growths as a table.
    pub fn growth_table(&self) -> Table {
        let mut t = Table::new(
            format!(
                "Growths while inserting {} keys into make(map[uint64]uint64)",
                thousands(self.inserts)
            ),
            &[
                ("#", Align::Right),
                ("started at insert", Align::Right),
                ("kind", Align::Left),
                ("B", Align::Left),
                ("count", Align::Right),
                ("load", Align::Right),
                ("writes to finish", Align::Right),
                ("finished at insert", Align::Right),
                ("old buckets moved", Align::Right),
                ("max moved by one write", Align::Right),
            ],
        );
        for (i, r) in self.rows.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                thousands(r.started_at),
                r.kind.to_owned(),
                format!("{} → {}", r.old_b, r.new_b),
                thousands(r.count as u64),
                format!("{:.2}", r.load),
                r.writes.map_or("(running)".into(), |w| thousands(w as u64)),
                r.finished_at.map_or("-".into(), thousands),
                thousands(r.evacuated as u64),
                r.max_evacuated_per_write.to_string(),
            ]);
        }
        t.with_note(
            "writes to finish: inserts (and deletes) that did growth work, the starting insert \
             included. Each write moves at most 2 old buckets, so no insert pays for the whole table.",
        )
    }
}

impl Outcome for GrowOutcome {
    fn tables(&self) -> Vec<Table> {
        vec![self.growth_table()]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let load: Vec<(f64, f64)> = self
            .samples
            .iter()
            .map(|s| (s.insert.max(1) as f64, s.load))
            .collect();
        // B as steps: hold the old value up to the insert that changed it.
        let mut b: Vec<(f64, f64)> = Vec::new();
        for s in &self.samples {
            let x = s.insert.max(1) as f64;
            if let Some(&(_, prev)) = b.last() {
                if prev != s.b as f64 {
                    b.push((x, prev));
                }
            }
            b.push((x, s.b as f64));
        }
        let max_b = self.samples.iter().map(|s| s.b).max().unwrap_or(0) as f64;
        let chart = Chart {
            title: format!(
                "Load factor and B while inserting {} keys",
                thousands(self.inserts)
            ),
            x: Axis::log("inserts (log scale)", 1.0..(self.inserts.max(2) as f64)),
            y: Axis::linear("load factor (entries per bucket)", 0.0..8.5),
            series: vec![Series::line("load factor", BLUE, load)],
            right: Some((
                Axis::linear("B", 0.0..(max_b + 1.0)),
                vec![Series::line("B", ORANGE, b)],
            )),
            guides: vec![Guide {
                y: 6.5,
                label: "6.5: growth trigger".into(),
            }],
            legend: LegendAt::LowerRight,
        };
        Ok(Some(Figure {
            caption:
                "Load factor (left) saws between 3.25 and 6.5 as B (right) steps up by one at each \
                      doubling; the map is briefly mid-growth after each step."
                    .into(),
            svg: chart.to_svg()?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gomap::events::GrowKind;

    #[test]
    fn growths_start_where_go_s_do() {
        let out = run(
            &GrowConfig {
                inserts: 2000,
                seed: 1,
            },
            &ProgressBar::hidden(),
        );
        let starts: Vec<u64> = out.rows.iter().map(|r| r.started_at).collect();
        assert_eq!(starts, [9, 14, 27, 53, 105, 209, 417, 833, 1665]);
        assert!(out.rows.iter().all(|r| r.kind == GrowKind::Double.as_str()));
        assert!(out.rows.iter().all(|r| r.max_evacuated_per_write <= 2));
        assert_eq!(out.large_key_growths, starts);
        assert_eq!(out.rows[0].evacuated, 1);
    }
}
