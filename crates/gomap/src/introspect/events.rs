//! Growth, evacuation and allocation events, delivered to an [`Observer`]
//! the map carries — what the articles watch Go's map for with `dlv trace`
//! and `go tool trace`.
//!
//! A map without an observer pays one predictable branch at each rare event
//! site (a growth starting, a bucket evacuated, an overflow bucket taken, a
//! deleted slot reused, a reseed, a clear) and nothing on lookups.
//! `cargo bench -p gomap --bench observer` compares the two.
//!
//! [`Recorder`] keeps the events for you to take; any `FnMut(&Event)` is an
//! observer too.
//!
//! ```
//! use gomap::events::{Event, GrowKind, Recorder};
//!
//! let log = Recorder::new();
//! let mut m = gomap::GoMap::<u64, u64>::new();
//! m.set_observer(log.clone());
//! for i in 0..9 { m.insert(i, i); }
//! let events = log.take();
//! assert!(events.iter().any(|e| matches!(e,
//!     Event::GrowStart { kind: GrowKind::Double, old_b: 0, new_b: 1, count: 8, .. })));
//! assert!(log.take().is_empty(), "take() empties the log");
//! ```

#![forbid(unsafe_code)]

pub use crate::base::event::{Event, GrowKind, Observer, OverflowSource, ReseedCause};

/// An observer that keeps every event it receives until they are taken: a
/// cloneable handle, so one clone goes into the map and the other stays with
/// the caller.
///
/// It locks a mutex per event; that is the cost of handing events across a
/// handle, and events are rare (growths, evacuations, overflow buckets,
/// reuses, reseeds, clears), never per lookup.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    events: std::sync::Arc<std::sync::Mutex<Vec<Event>>>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Every event recorded since the last `take`, oldest first; the
    /// recorder is empty afterwards.
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.lock())
    }

    /// How many events wait to be taken.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no event waits to be taken.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The log, even if a thread panicked while holding it (a `Vec` push
    /// cannot leave it half-written).
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Event>> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Observer for Recorder {
    fn on_event(&mut self, event: &Event) {
        self.lock().push(event.clone());
    }
}

/// An observer that forwards every event to the [`tracing`] crate as a
/// `TRACE`-level event with target `gomap` (feature `tracing`).
#[cfg(feature = "tracing")]
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingObserver;

#[cfg(feature = "tracing")]
impl Observer for TracingObserver {
    fn on_event(&mut self, event: &Event) {
        match *event {
            Event::Make { hint, b } => tracing::trace!(target: "gomap", hint, b, "make"),
            Event::GrowStart {
                kind,
                old_b,
                new_b,
                count,
                noverflow,
            } => {
                tracing::debug!(target: "gomap", kind = kind.as_str(), old_b, new_b, count, noverflow, "grow start")
            }
            Event::Evacuate {
                old_bucket,
                to_x,
                to_y,
            } => tracing::trace!(target: "gomap", old_bucket, to_x, to_y, "evacuate"),
            Event::GrowDone { kind, b, writes } => {
                tracing::debug!(target: "gomap", kind = kind.as_str(), b, writes, "grow done")
            }
            Event::OverflowTaken {
                bucket,
                source,
                by_evacuation,
            } => {
                let (pool, index) = match source {
                    OverflowSource::Pool(i) => (true, i as i64),
                    OverflowSource::Heap => (false, -1),
                };
                tracing::trace!(target: "gomap", bucket, pool, index, by_evacuation, "overflow bucket")
            }
            Event::SlotReused { bucket, link, slot } => {
                tracing::trace!(target: "gomap", bucket, link, slot, "deleted slot reused")
            }
            Event::Reseed { cause, hash0 } => {
                tracing::trace!(target: "gomap", cause = ?cause, hash0, "reseed")
            }
            Event::Clear { count, b } => tracing::debug!(target: "gomap", count, b, "clear"),
            ref other => tracing::debug!(target: "gomap", event = ?other, "{}", other.name()),
        }
    }
}

#[cfg(feature = "serde")]
pub use chrome::ChromeTrace;

#[cfg(feature = "serde")]
mod chrome {
    use super::{Event, Observer, OverflowSource};
    use serde_json::{json, Value};
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::Instant;

    /// An observer that records a [Chrome trace-event] file, which Perfetto
    /// (ui.perfetto.dev) and `chrome://tracing` open (feature `serde`).
    ///
    /// Each growth is one complete slice (`"ph": "X"`) named `grow`, from the
    /// insert that started it to the write that finished it, with `kind`,
    /// `old_B`, `new_B`, `count` and `writes` as args; each evacuated old
    /// bucket is an instant event named `evacuate`; other events are instant
    /// events under their [`Event::name`]. A `map` counter tracks count and B.
    ///
    /// [Chrome trace-event]: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
    ///
    /// ```
    /// let trace = gomap::events::ChromeTrace::new();
    /// let mut m = gomap::GoMap::<u64, u64>::with_capacity_and_observer(0, trace.clone());
    /// for i in 0..100 { m.insert(i, i); }
    /// let json = trace.to_json();
    /// let grows = json["traceEvents"].as_array().unwrap().iter()
    ///     .filter(|e| e["name"] == "grow" && e["ph"] == "X").count();
    /// assert_eq!(grows, 4); // 9th, 14th, 27th and 53rd inserts
    /// ```
    #[derive(Clone, Debug)]
    pub struct ChromeTrace {
        inner: Arc<Mutex<Buffer>>,
    }

    #[derive(Debug)]
    struct Buffer {
        start: Instant,
        events: Vec<Value>,
        /// The open growth: start timestamp (µs) and its args.
        open: Option<(f64, Value)>,
        last_ts: f64,
    }

    impl Default for ChromeTrace {
        fn default() -> Self {
            Self::new()
        }
    }

    impl ChromeTrace {
        /// An empty trace; time 0 is now.
        pub fn new() -> Self {
            ChromeTrace {
                inner: Arc::new(Mutex::new(Buffer {
                    start: Instant::now(),
                    events: Vec::new(),
                    open: None,
                    last_ts: 0.0,
                })),
            }
        }

        /// The trace as a JSON object with `traceEvents`. A growth still in
        /// progress is closed at the last event, with `"unfinished": true`.
        pub fn to_json(&self) -> Value {
            let buf = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let mut events = buf.events.clone();
            if let Some((ts, args)) = &buf.open {
                let mut args = args.clone();
                args["unfinished"] = json!(true);
                events.push(slice(*ts, buf.last_ts - ts, args));
            }
            json!({ "traceEvents": events, "displayTimeUnit": "ns" })
        }

        /// Writes the trace JSON.
        pub fn write_to(&self, w: impl std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(w, &self.to_json()).map_err(std::io::Error::other)
        }
    }

    fn slice(ts: f64, dur: f64, args: Value) -> Value {
        json!({"name": "grow", "cat": "gomap", "ph": "X", "ts": ts, "dur": dur,
               "pid": 1, "tid": 1, "args": args})
    }

    fn instant(name: &str, ts: f64, args: Value) -> Value {
        json!({"name": name, "cat": "gomap", "ph": "i", "s": "t", "ts": ts,
               "pid": 1, "tid": 1, "args": args})
    }

    impl Observer for ChromeTrace {
        fn on_event(&mut self, event: &Event) {
            let mut buf = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let ts = buf.start.elapsed().as_secs_f64() * 1e6;
            buf.last_ts = ts;
            match *event {
                // The slice opens here and closes at `GrowDone`; the counter
                // track shows the new `B` from the start.
                Event::GrowStart {
                    kind,
                    old_b: from,
                    new_b: to,
                    count: n,
                    noverflow,
                } => {
                    let args = json!({"kind": kind.as_str(), "old_B": from, "new_B": to,
                                      "count": n, "noverflow": noverflow});
                    buf.open = Some((ts, args));
                    buf.events
                        .push(json!({"name": "map", "ph": "C", "ts": ts, "pid": 1,
                                           "args": {"count": n, "B": to}}));
                }
                Event::GrowDone { b, writes, .. } => {
                    if let Some((start, mut args)) = buf.open.take() {
                        args["writes"] = json!(writes);
                        buf.events.push(slice(start, ts - start, args));
                    }
                    buf.events.push(
                        json!({"name": "map", "ph": "C", "ts": ts, "pid": 1, "args": {"B": b}}),
                    );
                }
                Event::Evacuate {
                    old_bucket,
                    to_x,
                    to_y,
                } => {
                    let e = instant(
                        "evacuate",
                        ts,
                        json!({"old_bucket": old_bucket, "to_x": to_x, "to_y": to_y}),
                    );
                    buf.events.push(e);
                }
                Event::OverflowTaken {
                    bucket,
                    source,
                    by_evacuation,
                } => {
                    let from = match source {
                        OverflowSource::Pool(i) => json!({"pool": i}),
                        OverflowSource::Heap => json!("heap"),
                    };
                    let e = instant(
                        "overflow",
                        ts,
                        json!({"bucket": bucket, "from": from, "by_evacuation": by_evacuation}),
                    );
                    buf.events.push(e);
                }
                ref other => {
                    let e = instant(other.name(), ts, json!({"event": format!("{other:?}")}));
                    buf.events.push(e);
                }
            }
        }
    }
}
