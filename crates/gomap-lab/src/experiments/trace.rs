//! The Chrome trace of inserting N keys into an empty `GoMap<u64, u64>`: one
//! complete slice named `grow` per growth, from the insert that started it to the
//! write that finished it, and one `evacuate` event per evacuated old bucket — for
//! Perfetto (ui.perfetto.dev) or `chrome://tracing`.

#![forbid(unsafe_code)]

use gomap::events::ChromeTrace;
use gomap::GoMap;
use serde::Serialize;

use std::path::PathBuf;

use anyhow::Context;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Figure, Outcome};
use crate::hashers::{fixed, seed_sequence};
use crate::plot::{Axis, Chart, LegendAt, PlotError, Series, BLUE, ORANGE};
use crate::table::{thousands, Align, Table};

/// What the trace shows, for the report.
pub const ABOUT: &str = "The same growths as a timeline: each growth is a slice from the insert \
that started it to the write that finished it, and each evacuated old bucket an instant event \
inside it. Open the file in ui.perfetto.dev or chrome://tracing.";

/// The largest run accepted (the trace holds one event per evacuated bucket).
pub const MAX_INSERTS: u64 = 10_000_000;

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct TraceConfig {
    /// Keys to insert.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=MAX_INSERTS))]
    pub inserts: u64,
    /// Seed of the hasher and of the map's hash seeds: the same seed, the same
    /// trace (event for event; only the timestamps differ).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the trace JSON.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `gomap-lab trace`.
pub struct Trace;

impl Experiment for Trace {
    const ID: &'static str = "trace";
    const TITLE: &'static str = "The growths as a Chrome trace";
    const ABOUT: &'static str = "Write the Chrome trace (Perfetto) of inserting N keys into an \
        empty map";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = TraceConfig;
    type Outcome = TraceOutcome;

    fn run(args: &TraceConfig, ctx: &Ctx<'_>) -> anyhow::Result<TraceOutcome> {
        let mut outcome = run(args.inserts, args.seed);
        let path = ctx.path(&args.out);
        let json = serde_json::to_vec(&outcome.trace).context("serializing the trace")?;
        std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
        outcome.file = Some(args.out.clone());
        Ok(outcome)
    }

    fn report_runs(_: Effort) -> Vec<String> {
        vec!["--inserts 100000 --seed 1 --out trace.json".into()]
    }
}

/// The result: the trace and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct TraceOutcome {
    /// Keys inserted.
    pub inserts: u64,
    /// `grow` slices (`"ph": "X"`).
    pub grow_slices: usize,
    /// `evacuate` events.
    pub evacuate_events: usize,
    /// All events.
    pub events: usize,
    /// The trace JSON.
    #[serde(skip)]
    pub trace: serde_json::Value,
    /// Where it was written, as given.
    pub file: Option<PathBuf>,
}

/// Inserts `inserts` keys into an empty map recording a Chrome trace. The
/// hasher and the map's seeds come from `seed`, so the growths, evacuations
/// and overflow buckets, and with them the events, are the same on every run.
pub fn run(inserts: u64, seed: u64) -> TraceOutcome {
    let trace = ChromeTrace::new();
    let mut m: GoMap<u64, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(0, fixed(seed), seed_sequence(seed));
    m.set_observer(trace.clone());
    for i in 0..inserts {
        m.insert(i, i);
    }
    drop(m);
    let json = trace.to_json();
    let events = json["traceEvents"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let count = |name: &str, ph: &str| {
        events
            .iter()
            .filter(|e| e["name"] == name && e["ph"] == ph)
            .count()
    };
    TraceOutcome {
        inserts,
        grow_slices: count("grow", "X"),
        evacuate_events: count("evacuate", "i"),
        events: events.len(),
        trace: json,
        file: None,
    }
}

impl Outcome for TraceOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            format!(
                "Chrome trace of {} inserts into make(map[uint64]uint64)",
                thousands(self.inserts)
            ),
            &[("events", Align::Left), ("count", Align::Right)],
        );
        t.row(vec![
            "grow slices (ph X)".into(),
            thousands(self.grow_slices as u64),
        ]);
        t.row(vec![
            "evacuate events".into(),
            thousands(self.evacuate_events as u64),
        ]);
        t.row(vec!["all events".into(), thousands(self.events as u64)]);
        vec![t.with_note("Open the file in ui.perfetto.dev or chrome://tracing.")]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(std::slice::from_ref(self))
    }

    /// The trace drawn: each growth's slice as a span of time on the row of
    /// the `B` it grows to, so the doubling durations and the gaps between
    /// them can be seen without opening Perfetto.
    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        let slices: Vec<(f64, f64, f64, bool)> = self.trace["traceEvents"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|e| e["name"] == "grow" && e["ph"] == "X")
            .filter_map(|e| {
                let ts = e["ts"].as_f64()? / 1000.0;
                let dur = e["dur"].as_f64()? / 1000.0;
                let b = e["args"]["new_B"].as_f64()?;
                Some((ts, ts + dur, b, e["args"]["kind"] == "same-size"))
            })
            .collect();
        if slices.is_empty() {
            return Ok(None);
        }
        let end = slices.iter().map(|s| s.1).fold(0.0, f64::max).max(1e-3);
        let top = slices.iter().map(|s| s.2).fold(0.0, f64::max);
        // One series per growth: a span at its B.
        let series = slices
            .iter()
            .enumerate()
            .map(|(i, &(a, b, y, same))| {
                let label = match (i, same) {
                    (0, _) => "doubling (one span per growth)",
                    (_, true) => "same-size",
                    _ => "",
                };
                Series::line(
                    label,
                    if same { ORANGE } else { BLUE },
                    vec![(a, y), (b, y)],
                )
            })
            .collect();
        let chart = Chart {
            title: format!("grow slices of the trace: {} growths", slices.len()),
            x: Axis::linear("time since the map was made, ms", 0.0..end * 1.02),
            y: Axis::linear("B after the growth", 0.0..top + 1.0),
            series,
            right: None,
            guides: vec![],
            legend: LegendAt::UpperLeft,
        };
        Ok(Some(Figure {
            caption: "Each line is one growth, from the insert that started it to the write that \
                      finished it, at the B it grows to: every growth is spread over many \
                      inserts, and the last ones take longest because they have the most old \
                      buckets to move, two per write."
                .into(),
            svg: chart.to_svg()?,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn four_growths_in_100_inserts() {
        let out = super::run(100, 1);
        assert_eq!(out.grow_slices, 4);
        assert_eq!(out.evacuate_events, 1 + 2 + 4 + 8);
        let slices: Vec<&serde_json::Value> = out.trace["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "grow")
            .collect();
        assert_eq!(slices[0]["args"]["old_B"], 0);
        assert_eq!(slices[0]["args"]["new_B"], 1);
        assert_eq!(slices[0]["args"]["kind"], "double");
    }

    /// The same seed gives the same events, run after run (the header of
    /// the report promises exact, repeatable counts).
    #[test]
    fn the_same_seed_gives_the_same_events() {
        let a = super::run(20_000, 7);
        let b = super::run(20_000, 7);
        assert_eq!(
            (a.grow_slices, a.evacuate_events, a.events),
            (b.grow_slices, b.evacuate_events, b.events)
        );
        let names = |o: &super::TraceOutcome| -> Vec<String> {
            o.trace["traceEvents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| format!("{}{}{}", e["name"], e["ph"], e["args"]))
                .collect()
        };
        assert_eq!(names(&a), names(&b));
    }
}
