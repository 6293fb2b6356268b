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

/// The kind of a growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrowKind {
    /// `B` grows by one: the map was over load factor 6.5.
    Double,
    /// `B` stays: too many overflow buckets (Go's `sameSizeGrow`).
    SameSize,
}

impl GrowKind {
    /// `"double"` or `"same-size"`.
    pub fn as_str(self) -> &'static str {
        match self {
            GrowKind::Double => "double",
            GrowKind::SameSize => "same-size",
        }
    }
}

/// Where an overflow bucket came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverflowSource {
    /// The array's preallocated pool (allocation index).
    Pool(usize),
    /// A fresh heap allocation.
    Heap,
}

/// Why the hash seed changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReseedCause {
    /// A delete (or `retain`, or an entry removal) removed the last entry.
    DeleteToEmpty,
    /// `clear` or `drain` of a non-empty map.
    Clear,
}

/// Something the map did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// The map was made with this hint and got this `B` (emitted by the
    /// constructors that take an observer).
    Make {
        /// The capacity hint.
        hint: usize,
        /// The `B` it gave.
        b: u8,
    },
    /// A growth started (inside an insert of a new key).
    GrowStart {
        /// Doubling or same-size.
        kind: GrowKind,
        /// `B` before.
        old_b: u8,
        /// `B` after.
        new_b: u8,
        /// Entries when it started.
        count: usize,
        /// Overflow buckets counted when it started.
        noverflow: u16,
    },
    /// One old bucket's chain was moved to the new array.
    Evacuate {
        /// Index in the old array.
        old_bucket: usize,
        /// Entries moved to the same index.
        to_x: usize,
        /// Entries moved to index + old size.
        to_y: usize,
    },
    /// The last old bucket was evacuated.
    GrowDone {
        /// Doubling or same-size.
        kind: GrowKind,
        /// `B` now.
        b: u8,
        /// Writes (inserts and deletes) that did growth work, the one that
        /// started the growth included.
        writes: usize,
    },
    /// An overflow bucket was linked to a chain.
    OverflowTaken {
        /// Bucket index of the chain in the current array.
        bucket: usize,
        /// Pool or heap.
        source: OverflowSource,
        /// Whether an evacuation (rather than an insert) needed it.
        by_evacuation: bool,
    },
    /// An insert reused a slot a delete had marked emptyOne.
    SlotReused {
        /// Bucket index of the chain.
        bucket: usize,
        /// Position in the chain: bucket `link` of it (0 = main), slot `slot`.
        link: usize,
        /// Slot in that bucket.
        slot: usize,
    },
    /// The hash seed changed.
    Reseed {
        /// Why.
        cause: ReseedCause,
        /// The new seed.
        hash0: u32,
    },
    /// A non-empty map was cleared.
    Clear {
        /// Entries dropped.
        count: usize,
        /// `B`, which clear keeps.
        b: u8,
    },
    /// A Swiss map was made with this hint (emitted by the constructors
    /// that take an observer).
    SwissMake {
        /// The capacity hint.
        hint: usize,
        /// Directory entries it got (0: the unallocated small map).
        dir_len: usize,
        /// Slots of each table.
        capacity: usize,
    },
    /// A Swiss table rehashed into one of twice the slots (the small map's
    /// group into its first 16-slot table included, as 8 → 16). Go:
    /// `table.grow`, `growToTable`.
    SwissGrow {
        /// The table's first directory entry.
        index: usize,
        /// Slots before.
        old_capacity: usize,
        /// Slots after.
        new_capacity: usize,
        /// Entries moved.
        used: usize,
        /// The table's `localDepth`, which a grow keeps.
        local_depth: u8,
    },
    /// A full 1,024-slot Swiss table split in two by hash bit
    /// `63 − local_depth`. Go: `table.split`.
    SwissSplit {
        /// The old table's first directory entry (after any doubling).
        index: usize,
        /// The old table's `localDepth`; both halves have one more.
        local_depth: u8,
        /// Entries that went to the left half (the bit clear).
        left_used: usize,
        /// Entries that went to the right half.
        right_used: usize,
    },
    /// A split of a table as deep as the directory doubled the directory.
    /// Go: `installTableSplit`.
    SwissDirectoryDouble {
        /// `globalDepth` before.
        old_global_depth: u8,
        /// `globalDepth` after.
        global_depth: u8,
        /// Directory entries after.
        dir_len: usize,
    },
    /// An insert found `growthLeft` 0 and a tenth of the table's slots
    /// deleted, so it tried `pruneTombstones` (Go 1.25+) before growing.
    SwissPrune {
        /// The table's first directory entry.
        index: usize,
        /// Its slots.
        capacity: usize,
        /// Tombstones before.
        tombstones: usize,
        /// Tombstones turned empty (0: too few were unneeded, so it grows).
        pruned: usize,
    },
    /// A Swiss map's `clear` that did work: every table reset, capacity
    /// and directory kept.
    SwissClear {
        /// Entries dropped.
        count: usize,
        /// Distinct tables reset (0 for the small map).
        ntables: usize,
        /// `clearSeq` after.
        clear_seq: u64,
    },
    /// A Swiss map drew a new 64-bit seed.
    SwissReseed {
        /// Why.
        cause: ReseedCause,
        /// The new seed.
        seed: u64,
    },
}

impl Event {
    /// A short name: `make`, `grow`, `evacuate`, `grow_done`, `overflow`,
    /// `reuse`, `reseed`, `clear`; for the Swiss map also `rehash`,
    /// `split`, `dir_double`, `prune`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Make { .. } => "make",
            Event::GrowStart { .. } => "grow",
            Event::Evacuate { .. } => "evacuate",
            Event::GrowDone { .. } => "grow_done",
            Event::OverflowTaken { .. } => "overflow",
            Event::SlotReused { .. } => "reuse",
            Event::Reseed { .. } => "reseed",
            Event::Clear { .. } => "clear",
            Event::SwissMake { .. } => "make",
            Event::SwissGrow { .. } => "rehash",
            Event::SwissSplit { .. } => "split",
            Event::SwissDirectoryDouble { .. } => "dir_double",
            Event::SwissPrune { .. } => "prune",
            Event::SwissClear { .. } => "clear",
            Event::SwissReseed { .. } => "reseed",
        }
    }
}

/// Receives a map's events, synchronously, inside the operation that caused
/// them. Keep it cheap; it must not touch the map.
pub trait Observer: Send + Sync + 'static {
    /// Called once per event.
    fn on_event(&mut self, event: &Event);
}

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

impl<F: FnMut(&Event) + Send + Sync + 'static> Observer for F {
    fn on_event(&mut self, event: &Event) {
        self(event)
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
                Event::GrowStart {
                    kind,
                    old_b,
                    new_b,
                    count,
                    noverflow,
                } => {
                    let args = json!({"kind": kind.as_str(), "old_B": old_b, "new_B": new_b,
                                      "count": count, "noverflow": noverflow});
                    buf.open = Some((ts, args));
                    buf.events
                        .push(json!({"name": "map", "ph": "C", "ts": ts, "pid": 1,
                                           "args": {"count": count, "B": new_b}}));
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
