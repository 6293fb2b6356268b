//! The Chrome trace of inserting N keys into an empty `GoMap<u64, u64>`: one
//! complete slice named `grow` per growth, from the insert that started it to the
//! write that finished it, and one `evacuate` event per evacuated old bucket — for
//! Perfetto (ui.perfetto.dev) or `chrome://tracing`.

#![forbid(unsafe_code)]

use gomap::events::ChromeTrace;
use gomap::GoMap;
use serde::Serialize;

use crate::experiments::{to_values, Outcome};
use crate::table::{thousands, Align, Table};

/// What the trace shows, for the report.
pub const ABOUT: &str = "The same growths as a timeline: each growth is a slice from the insert \
that started it to the write that finished it, and each evacuated old bucket an instant event \
inside it. Open the file in ui.perfetto.dev or chrome://tracing.";

/// The largest run accepted (the trace holds one event per evacuated bucket).
pub const MAX_INSERTS: u64 = 10_000_000;

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
}

/// Inserts `inserts` keys into an empty map recording a Chrome trace.
pub fn run(inserts: u64) -> TraceOutcome {
    let trace = ChromeTrace::new();
    let mut m: GoMap<u64, u64> = GoMap::with_capacity_and_observer(0, trace.clone());
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
}

#[cfg(test)]
mod tests {
    #[test]
    fn four_growths_in_100_inserts() {
        let out = super::run(100);
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
}
