//! # gomap-explorer: the classic map, op by op, for a web page
//!
//! The report's `explore.html` runs this crate compiled to
//! `wasm32-unknown-unknown`. An [`Explorer`] holds a *scenario* — key type,
//! `make` hint, seed — and its *script*, a list of [`Op`]s, with a position
//! in it. Stepping applies the next op to a real [`gomap::GoMap`] and
//! records what a reader wants to see about it: the key's hash and the bits
//! that choose its bucket and tophash, the slots a lookup of it reads, the
//! map's events (growth, evacuation, overflow buckets, slot reuse,
//! reseeds), and what a range cursor yields while the map changes under
//! it. [`Explorer::snapshot`] writes all of it, for a window of buckets, as
//! JSON.
//!
//! ## Reproducible everywhere
//!
//! A scenario replays to the same layouts in the page and natively: keys
//! are hashed with [`ExplorerHasher`] (SipHash-1-3 with a fixed key, whose
//! hashes do not depend on the target, unlike foldhash's — see
//! [`hashing`]); the map's seeds come from [`seed_stream`] of the scenario
//! seed; and fastrand's thread-local generator, which gomap draws from for
//! range cursors and for sampling `noverflow` above `B = 15`, is seeded
//! when the map is made and again before each cursor is started.
//!
//! ## The wasm interface
//!
//! [`exports`] is the page's ABI: `extern "C"` functions that take and
//! return integers, over one thread-local [`Explorer`]. Text comes in a
//! byte at a time; JSON goes out through a buffer whose address and length
//! the page reads from the module's memory. No `unsafe` code exists in this
//! crate.
//!
//! The Swiss map (Go 1.24's generation) is not here yet: the snapshot
//! carries `"engine": "classic"`, the field a second engine will set.

// `deny`, not `forbid`: `exports` must allow the lint for its `#[no_mangle]`
// attributes (see there); every other module forbids unsafe code itself.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod exports;
pub mod hashing;
pub mod json;
pub mod script;
pub mod workload;

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use gomap::events::{Event, GrowKind, OverflowSource, ReseedCause};
use gomap::{BucketOrigin, BucketView, GoMap, Layout, Range};

pub use hashing::{hash_of, seed_stream, ExplorerHasher};
use json::Json;
pub use script::{Key, KeyType, Op, Then};
pub use workload::Workload;

/// A scenario: what the map is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// The key type.
    pub kt: KeyType,
    /// The `make` hint.
    pub hint: usize,
    /// Seeds the map's `hash0` stream, the workloads and fastrand.
    pub seed: u64,
}

/// The largest hint the explorer accepts (a 2^20-bucket map, B = 17).
pub const MAX_HINT: usize = 1 << 20;

/// The seed fastrand gets before the `n`-th range cursor (from 0) of a
/// scenario with seed `seed` is started.
pub fn range_seed(seed: u64, n: u32) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(n) + 1)
}

/// A string key of Go's size: a `Box<str>` padded to 16 bytes on 32-bit
/// targets, so a `map[string]uint64` bucket is 208 bytes in the page as it
/// is in Go on 64-bit machines (and the overflow pool, which Go sizes from
/// the bucket size, is the same too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoStr {
    s: Box<str>,
    #[cfg(target_pointer_width = "32")]
    _pad: u64,
}

impl GoStr {
    fn new(s: &str) -> GoStr {
        GoStr {
            s: s.into(),
            #[cfg(target_pointer_width = "32")]
            _pad: 0,
        }
    }
}

impl Hash for GoStr {
    /// As the `str`, so that lookups by `&str` find it.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.s.hash(state);
    }
}

impl Borrow<str> for GoStr {
    fn borrow(&self) -> &str {
        &self.s
    }
}

/// A key type the explorer's maps use.
trait ExKey: Eq + Hash + Sized + 'static {
    /// The key for `k`, which has this type.
    fn from_key(k: &Key) -> Self;
    /// Back to a [`Key`].
    fn to_key(&self) -> Key;
    /// A number that tells keys apart, for change detection.
    fn fingerprint(&self) -> u64;
}

impl ExKey for u64 {
    fn from_key(k: &Key) -> u64 {
        match k {
            Key::U64(n) => *n,
            Key::Str(_) => unreachable!("a string key in a u64 map"),
        }
    }
    fn to_key(&self) -> Key {
        Key::U64(*self)
    }
    fn fingerprint(&self) -> u64 {
        *self
    }
}

impl ExKey for GoStr {
    fn from_key(k: &Key) -> GoStr {
        match k {
            Key::Str(s) => GoStr::new(s),
            Key::U64(_) => unreachable!("a u64 key in a string map"),
        }
    }
    fn to_key(&self) -> Key {
        Key::Str(self.s.clone())
    }
    fn fingerprint(&self) -> u64 {
        hash_of(0, &*self.s)
    }
}

/// A map of one key type with its range cursor.
struct Engine<K> {
    map: GoMap<K, u64, ExplorerHasher>,
    cursor: Option<Range<K, u64>>,
}

/// The map, by key type.
enum AnyEngine {
    U64(Engine<u64>),
    Str(Engine<GoStr>),
}

/// Runs `$body` with `$e` bound to the engine, whatever its key type.
macro_rules! with_engine {
    ($any:expr, $e:ident => $body:expr) => {
        match $any {
            AnyEngine::U64($e) => $body,
            AnyEngine::Str($e) => $body,
        }
    };
}

/// One slot a lookup read: where, its tophash byte, and what it concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSlot {
    /// Bucket of the chain (0 = the main bucket).
    pub link: usize,
    /// Slot in that bucket.
    pub slot: usize,
    /// Its tophash byte.
    pub top: u8,
    /// Whether the tophash equals the key's, so the key was compared.
    pub compared: bool,
    /// Whether the key compared equal.
    pub found: bool,
}

/// The path a lookup of a key takes through the layout before an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The lookup reads the old array (its bucket there is not evacuated).
    pub old: bool,
    /// The bucket it reads, in that array.
    pub bucket: usize,
    /// The slots it read, in order.
    pub slots: Vec<ProbeSlot>,
    /// Why it stopped: `found`, `emptyRest` or `end` (of the chain).
    pub stop: &'static str,
}

/// What the last op did, for the page's step view.
#[derive(Debug, Clone)]
pub struct Detail {
    /// Its index in the script.
    pub index: usize,
    /// Its token.
    pub op: String,
    /// The key it concerned, with its hash under the seed before the op and
    /// the map's `B` before it.
    pub key: Option<(Key, u64, u8)>,
    /// A lookup's path before the op (for ops on a key, while the map has
    /// at most [`PROBE_LIMIT`] entries or the op was stepped alone).
    pub probe: Option<Probe>,
    /// What happened, in words (`inserted`, `overwrote 5`, …).
    pub result: String,
    /// The slots whose tophash, key or value the op changed, as `[array
    /// (0 current, 1 old), bucket, link, slot]` (recorded when the probe is;
    /// at most [`CHANGED_LIMIT`]).
    pub changed: Vec<[usize; 4]>,
}

/// The most changed slots a [`Detail`] lists.
pub const CHANGED_LIMIT: usize = 4096;

/// One bucket's contents for change detection: tophash bytes, key
/// fingerprints, values.
type BucketShot = ([u8; 8], [Option<u64>; 8], [Option<u64>; 8]);

/// An array's contents for change detection, chain by chain.
type Shot = Vec<Vec<BucketShot>>;

fn shot<K: ExKey>(chains: &[Vec<BucketView<'_, K, u64>>]) -> Shot {
    chains
        .iter()
        .map(|c| {
            c.iter()
                .map(|b| {
                    (
                        b.top,
                        b.keys.map(|k| k.map(ExKey::fingerprint)),
                        b.vals.map(|v| v.copied()),
                    )
                })
                .collect()
        })
        .collect()
}

/// Appends to `out` the slots of `after` that differ from `before` (a
/// missing bucket counts as empty).
fn diff(after: &Shot, before: Option<&Shot>, array: usize, out: &mut Vec<[usize; 4]>) {
    const EMPTY: BucketShot = ([0; 8], [None; 8], [None; 8]);
    for (b, chain) in after.iter().enumerate() {
        for (l, now) in chain.iter().enumerate() {
            let was = before
                .and_then(|s| s.get(b))
                .and_then(|c| c.get(l))
                .unwrap_or(&EMPTY);
            for s in 0..8 {
                if (now.0[s], now.1[s], now.2[s]) != (was.0[s], was.1[s], was.2[s])
                    && out.len() < CHANGED_LIMIT
                {
                    out.push([array, b, l, s]);
                }
            }
        }
    }
}

/// Above this many entries, ops run several at a time record no lookup path
/// (it needs a layout, O(buckets)); a single step always records one.
pub const PROBE_LIMIT: usize = 4096;

/// An event with the index of the op that caused it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Script index of the op (`None` for the make).
    pub op: Option<usize>,
    /// The event.
    pub event: Event,
}

/// What a range cursor did, for the range panel.
#[derive(Debug, Clone, Default)]
pub struct RangeLog {
    /// Which cursor of the scenario this is (from 0).
    pub n: u32,
    /// Entries when it started.
    pub present_at_start: usize,
    /// What it yielded, in order, with what the step did then.
    pub yielded: Vec<(Key, u64, Then)>,
    /// Keys deleted while it ran (by `d` or `nd` ops).
    pub deleted: Vec<Key>,
    /// Keys inserted while it ran (new keys only).
    pub inserted: Vec<Key>,
    /// It returned `None`.
    pub done: bool,
}

/// Event kinds, as bits, for [`Explorer::step_until`].
pub mod mask {
    /// A growth started.
    pub const GROW: u32 = 1;
    /// An old bucket was evacuated.
    pub const EVACUATE: u32 = 2;
    /// The growth ended.
    pub const GROW_DONE: u32 = 4;
    /// An overflow bucket was linked.
    pub const OVERFLOW: u32 = 8;
    /// A deleted slot was reused.
    pub const REUSE: u32 = 16;
    /// The seed changed.
    pub const RESEED: u32 = 32;
}

fn event_bit(e: &Event) -> u32 {
    match e {
        Event::GrowStart { .. } => mask::GROW,
        Event::Evacuate { .. } => mask::EVACUATE,
        Event::GrowDone { .. } => mask::GROW_DONE,
        Event::OverflowTaken { .. } => mask::OVERFLOW,
        Event::SlotReused { .. } => mask::REUSE,
        Event::Reseed { .. } => mask::RESEED,
        _ => 0,
    }
}

/// The explorer: a scenario, its script, and the map at a position in it.
pub struct Explorer {
    scenario: Scenario,
    script: Vec<Op>,
    pos: usize,
    engine: AnyEngine,
    /// Filled by the map's observer during an op.
    pending: Arc<Mutex<Vec<Event>>>,
    log: Vec<Logged>,
    /// Events of `log` already handed out by [`Explorer::take_events`].
    taken: usize,
    last: Option<Detail>,
    ranges: u32,
    range_log: Option<RangeLog>,
}

impl Explorer {
    /// A map made for `scenario`, with an empty script. The hint is capped
    /// at [`MAX_HINT`].
    pub fn new(scenario: Scenario) -> Explorer {
        let scenario = Scenario {
            hint: scenario.hint.min(MAX_HINT),
            ..scenario
        };
        let mut x = Explorer {
            scenario,
            script: Vec::new(),
            pos: 0,
            engine: AnyEngine::U64(Engine {
                map: GoMap::with_hasher(ExplorerHasher::default()),
                cursor: None,
            }),
            pending: Arc::default(),
            log: Vec::new(),
            taken: 0,
            last: None,
            ranges: 0,
            range_log: None,
        };
        x.remake();
        x
    }

    /// Makes the map afresh and rewinds to the start of the script.
    fn remake(&mut self) {
        let Scenario { kt, hint, seed } = self.scenario;
        fastrand::seed(seed);
        let sink = Arc::clone(&self.pending);
        let observer = move |e: &Event| {
            sink.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(e.clone())
        };
        self.engine = match kt {
            KeyType::U64 => AnyEngine::U64(Engine::made(hint, seed, observer)),
            KeyType::Str => AnyEngine::Str(Engine::made(hint, seed, observer)),
        };
        let b = self.header().b;
        self.log = vec![Logged {
            op: None,
            event: Event::Make { hint, b },
        }];
        self.taken = 0;
        self.pos = 0;
        self.last = None;
        self.ranges = 0;
        self.range_log = None;
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The scenario.
    pub fn scenario(&self) -> Scenario {
        self.scenario
    }

    /// The script.
    pub fn script(&self) -> &[Op] {
        &self.script
    }

    /// Ops applied so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The map's header.
    pub fn header(&self) -> gomap::Header {
        with_engine!(&self.engine, e => e.map.header())
    }

    /// The `u64 → u64` map, when the scenario's keys are `u64`.
    pub fn map_u64(&self) -> Option<&GoMap<u64, u64, ExplorerHasher>> {
        match &self.engine {
            AnyEngine::U64(e) => Some(&e.map),
            AnyEngine::Str(_) => None,
        }
    }

    /// Every event so far.
    pub fn events(&self) -> &[Logged] {
        &self.log
    }

    /// The last range cursor's log.
    pub fn range_log(&self) -> Option<&RangeLog> {
        self.range_log.as_ref()
    }

    /// What the last op did.
    pub fn last(&self) -> Option<&Detail> {
        self.last.as_ref()
    }

    /// Appends ops to the script (after its end, not at the position).
    pub fn push(&mut self, ops: impl IntoIterator<Item = Op>) {
        self.script.extend(ops);
    }

    /// Appends `n` ops of workload `w`.
    pub fn push_workload(&mut self, w: Workload, n: usize) {
        let hash0 = seed_stream(self.scenario.seed)();
        let ops = workload::generate(
            w,
            n,
            self.scenario.kt,
            &self.script,
            self.scenario.seed,
            hash0,
        );
        self.script.extend(ops);
    }

    /// Drops the script after the position, appends `op` and applies it:
    /// what typing an op into the page does.
    pub fn apply_now(&mut self, op: Op) {
        self.script.truncate(self.pos);
        self.script.push(op);
        self.step(1);
    }

    /// Drops the script after the position, appends `ops` and applies them.
    pub fn apply_all_now(&mut self, ops: Vec<Op>) {
        self.script.truncate(self.pos);
        let n = ops.len();
        self.script.extend(ops);
        self.step(n);
    }

    /// Applies up to `n` ops; returns how many were applied.
    pub fn step(&mut self, n: usize) -> usize {
        let n = n.min(self.script.len() - self.pos);
        for i in 0..n {
            let probe = n == 1 || i + 1 == n && self.header().count <= PROBE_LIMIT;
            self.apply_next(probe);
        }
        n
    }

    /// Applies ops until one causes an event whose [`mask`] bit is in
    /// `mask`, at most `max`; returns how many were applied.
    pub fn step_until(&mut self, mask: u32, max: usize) -> usize {
        let mut done = 0;
        while done < max && self.pos < self.script.len() {
            let before = self.log.len();
            let probe = self.header().count <= PROBE_LIMIT;
            self.apply_next(probe);
            done += 1;
            if self.log[before..]
                .iter()
                .any(|l| event_bit(&l.event) & mask != 0)
            {
                break;
            }
        }
        done
    }

    /// Moves to position `pos` of the script (replaying from the make when
    /// it lies behind).
    pub fn seek(&mut self, pos: usize) {
        let pos = pos.min(self.script.len());
        if pos < self.pos {
            self.remake();
        }
        let n = pos - self.pos;
        self.step(n);
    }

    /// Makes the map afresh with `scenario` and an empty script.
    pub fn reset(&mut self, scenario: Scenario) {
        *self = Explorer::new(scenario);
    }

    fn apply_next(&mut self, want_probe: bool) {
        let index = self.pos;
        let op = self.script[index].clone();
        let seed = self.scenario.seed;
        let before = want_probe.then(|| with_engine!(&self.engine, e => e.shots()));
        let (mut detail, range_start) = with_engine!(&mut self.engine, e => {
            e.apply(&op, index, want_probe, range_seed(seed, self.ranges), &mut self.range_log)
        });
        if range_start {
            self.ranges += 1;
        }
        self.pos += 1;
        let events =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if let Some((cur, old)) = before {
            let (now, now_old) = with_engine!(&self.engine, e => e.shots());
            let grew = events.iter().any(|e| matches!(e, Event::GrowStart { .. }));
            // A growth that started in this op made a new current array; the
            // old array is the one that was current.
            let (cur_was, old_was) = if grew {
                (None, Some(&cur))
            } else {
                (Some(&cur), old.as_ref())
            };
            diff(&now, cur_was, 0, &mut detail.changed);
            if let Some(now_old) = &now_old {
                diff(now_old, old_was, 1, &mut detail.changed);
            }
        }
        self.log.extend(events.into_iter().map(|event| Logged {
            op: Some(index),
            event,
        }));
        self.last = Some(detail);
    }

    /// Events since the last call, as a JSON array (at most `max`, the
    /// latest; the rest are counted in `"skipped"`).
    pub fn take_events(&mut self, max: usize) -> String {
        let new = &self.log[self.taken..];
        let skip = new.len().saturating_sub(max);
        let mut j = Json::new();
        j.obj().key("skipped").uint(skip as u64).key("events").arr();
        for l in &new[skip..] {
            event_json(&mut j, l);
        }
        j.end_arr().end_obj();
        self.taken = self.log.len();
        j.finish()
    }

    /// The state as JSON: the scenario and position, the header, the
    /// buckets `first .. first + count` of the current array and
    /// `old_first .. old_first + old_count` of the old one, a summary of
    /// every bucket in at most `cells` cells per array, the last op's
    /// detail, the range cursor's log and the next op.
    pub fn snapshot(
        &self,
        first: usize,
        count: usize,
        old_first: usize,
        old_count: usize,
        cells: usize,
    ) -> String {
        let mut j = Json::new();
        j.obj();
        let s = self.scenario;
        j.key("engine").str("classic");
        j.key("kt").str(s.kt.as_str());
        j.key("hint").uint(s.hint as u64);
        j.key("seed").uint(s.seed);
        j.key("pos").uint(self.pos as u64);
        j.key("len").uint(self.script.len() as u64);
        j.key("next");
        match self.script.get(self.pos) {
            Some(op) => j.str(&op.to_string()),
            None => j.null(),
        };
        with_engine!(&self.engine, e => {
            let layout = e.map.layout();
            layout_json(&mut j, &layout, first, count, old_first, old_count, cells, e.map.header().hash0);
        });
        j.key("last");
        match &self.last {
            Some(d) => detail_json(&mut j, d),
            None => {
                j.null();
            }
        }
        j.key("range");
        match &self.range_log {
            Some(r) => range_json(&mut j, r),
            None => {
                j.null();
            }
        }
        j.key("events_total").uint(self.log.len() as u64);
        j.key("event_counts").obj();
        let mut counts: Vec<(&str, u64)> = Vec::new();
        for l in &self.log {
            let name = l.event.name();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        for (name, c) in counts {
            j.key(name).uint(c);
        }
        j.end_obj();
        j.end_obj();
        j.finish()
    }

    /// Ops `from .. to` of the script as text (the `ops=` form).
    pub fn script_text(&self, from: usize, to: usize) -> String {
        let to = to.min(self.script.len());
        let from = from.min(to);
        let parts: Vec<String> = self.script[from..to]
            .iter()
            .map(|op| op.to_string())
            .collect();
        parts.join(",")
    }
}

impl<K: ExKey> Engine<K> {
    fn made(hint: usize, seed: u64, observer: impl gomap::events::Observer) -> Engine<K> {
        let mut map = GoMap::with_capacity_hasher_and_seeds(
            hint,
            ExplorerHasher::default(),
            seed_stream(seed),
        );
        map.set_observer(observer);
        Engine { map, cursor: None }
    }

    fn shots(&self) -> (Shot, Option<Shot>) {
        let l = self.map.layout();
        (shot(&l.buckets), l.old.as_deref().map(shot))
    }

    /// Applies `op`; returns its detail and whether it started a cursor.
    fn apply(
        &mut self,
        op: &Op,
        index: usize,
        want_probe: bool,
        range_seed: u64,
        range_log: &mut Option<RangeLog>,
    ) -> (Detail, bool) {
        let h = self.map.header();
        let key_info = |k: &Key| {
            let hash = match k {
                Key::U64(n) => hash_of(h.hash0, n),
                Key::Str(s) => hash_of(h.hash0, &**s),
            };
            Some((k.clone(), hash, h.b))
        };
        let probe_of = |map: &GoMap<K, u64, ExplorerHasher>, k: &Key, hash: u64| {
            want_probe.then(|| probe(&map.layout(), hash, &K::from_key(k)))
        };
        fn live(log: &mut Option<RangeLog>) -> Option<&mut RangeLog> {
            log.as_mut().filter(|r| !r.done)
        }
        let mut started = false;
        let (key, probe, result) = match op {
            Op::Insert(k, v) => {
                let info = key_info(k);
                let p = probe_of(&self.map, k, info.as_ref().map_or(0, |i| i.1));
                let result = match self.map.insert(K::from_key(k), *v) {
                    Some(old) => format!("overwrote {old}"),
                    None => {
                        if let Some(r) = live(range_log) {
                            r.inserted.push(k.clone());
                        }
                        "inserted".to_owned()
                    }
                };
                (info, p, result)
            }
            Op::Remove(k) => {
                let info = key_info(k);
                let p = probe_of(&self.map, k, info.as_ref().map_or(0, |i| i.1));
                let result = match self.map.remove(&K::from_key(k)) {
                    Some(v) => {
                        if let Some(r) = live(range_log) {
                            r.deleted.push(k.clone());
                        }
                        format!("deleted (value {v})")
                    }
                    None => "absent: nothing to delete".to_owned(),
                };
                (info, p, result)
            }
            Op::Get(k) => {
                let info = key_info(k);
                let p = probe_of(&self.map, k, info.as_ref().map_or(0, |i| i.1));
                let result = match self.map.get(&K::from_key(k)) {
                    Some(v) => format!("found {v}"),
                    None => "absent".to_owned(),
                };
                (info, p, result)
            }
            Op::RangeStart => {
                fastrand::seed(range_seed);
                let n = range_log.as_ref().map_or(0, |r| r.n + 1);
                self.cursor = Some(self.map.range());
                *range_log = Some(RangeLog {
                    n,
                    present_at_start: self.map.len(),
                    ..RangeLog::default()
                });
                started = true;
                (
                    None,
                    None,
                    format!("cursor started over {} entries", self.map.len()),
                )
            }
            Op::RangeNext(then) => match (&mut self.cursor, live(range_log)) {
                (Some(cursor), Some(log)) => match cursor.next(&self.map) {
                    Some((k, v)) => {
                        let (k, v) = (k.to_key(), *v);
                        let mut result = format!("yielded {k} = {v}");
                        match then {
                            Then::Nothing => {}
                            Then::Delete => {
                                self.map.remove(&K::from_key(&k));
                                log.deleted.push(k.clone());
                                result += ", deleted it";
                            }
                            Then::Insert => {
                                let new = k.inserted_while_ranging();
                                if self.map.insert(K::from_key(&new), 0).is_none() {
                                    log.inserted.push(new.clone());
                                }
                                result += &format!(", inserted {new}");
                            }
                        }
                        log.yielded.push((k.clone(), v, *then));
                        (key_info(&k), None, result)
                    }
                    None => {
                        log.done = true;
                        self.cursor = None;
                        (None, None, "the range is over".to_owned())
                    }
                },
                _ => (None, None, "no cursor: start one with r".to_owned()),
            },
        };
        let detail = Detail {
            index,
            op: op.to_string(),
            key,
            probe,
            result,
            changed: Vec::new(),
        };
        (detail, started)
    }
}

/// Go's tophash of a hash: its top byte, raised above the marks.
pub fn top_hash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < 5 {
        top + 5
    } else {
        top
    }
}

/// Whether an old chain was evacuated (its first mark is 2, 3 or 4).
fn evacuated<K, V>(chain: &[BucketView<'_, K, V>]) -> bool {
    (2..=4).contains(&chain[0].top[0])
}

/// The path a lookup of `key` (with hash `hash`) takes through `layout`.
pub fn probe<K: Eq, V>(layout: &Layout<'_, K, V>, hash: u64, key: &K) -> Probe {
    let h = layout.header;
    let top = top_hash(hash);
    if layout.buckets.is_empty() {
        // A `B = 0` map before its first insert has no bucket to read.
        return Probe {
            old: false,
            bucket: 0,
            slots: Vec::new(),
            stop: "end",
        };
    }
    let (old, bucket, chain) = match &layout.old {
        Some(old) => {
            let ob = (hash as usize) & (old.len() - 1);
            if evacuated(&old[ob]) {
                let b = (hash as usize) & (h.buckets() - 1);
                (false, b, &layout.buckets[b])
            } else {
                (true, ob, &old[ob])
            }
        }
        None => {
            let b = (hash as usize) & (h.buckets() - 1);
            (false, b, &layout.buckets[b])
        }
    };
    let mut slots = Vec::new();
    for (link, b) in chain.iter().enumerate() {
        for slot in 0..8 {
            let t = b.top[slot];
            if t == 0 {
                slots.push(ProbeSlot {
                    link,
                    slot,
                    top: t,
                    compared: false,
                    found: false,
                });
                return Probe {
                    old,
                    bucket,
                    slots,
                    stop: "emptyRest",
                };
            }
            let compared = t == top;
            let found = compared && b.keys[slot] == Some(key);
            slots.push(ProbeSlot {
                link,
                slot,
                top: t,
                compared,
                found,
            });
            if found {
                return Probe {
                    old,
                    bucket,
                    slots,
                    stop: "found",
                };
            }
        }
    }
    Probe {
        old,
        bucket,
        slots,
        stop: "end",
    }
}

/// Displayed text of a key.
trait KeyText {
    fn text(&self) -> String;
}

impl KeyText for u64 {
    fn text(&self) -> String {
        self.to_string()
    }
}

impl KeyText for GoStr {
    fn text(&self) -> String {
        self.s.to_string()
    }
}

fn hash_text<K: ExKey>(hash0: u32, k: &K) -> String {
    let hash = match k.to_key() {
        Key::U64(n) => hash_of(hash0, &n),
        Key::Str(s) => hash_of(hash0, &*s),
    };
    format!("{hash:016x}")
}

fn origin(at: BucketOrigin) -> String {
    match at {
        BucketOrigin::Main => "main".to_owned(),
        BucketOrigin::Pool(i) => format!("pool:{i}"),
        BucketOrigin::Heap => "heap".to_owned(),
    }
}

fn chain_json<K: ExKey + KeyText>(j: &mut Json, chain: &[BucketView<'_, K, u64>], hash0: u32) {
    j.arr();
    for b in chain {
        j.obj().key("at").str(&origin(b.at)).key("top").arr();
        for t in b.top {
            j.uint(u64::from(t));
        }
        j.end_arr().key("k").arr();
        for k in b.keys {
            match k {
                Some(k) => j.str(&k.text()),
                None => j.null(),
            };
        }
        j.end_arr().key("v").arr();
        for v in b.vals {
            match v {
                Some(v) => j.str(&v.to_string()),
                None => j.null(),
            };
        }
        j.end_arr().key("h").arr();
        for k in b.keys {
            match k {
                Some(k) => j.str(&hash_text(hash0, k)),
                None => j.null(),
            };
        }
        j.end_arr().end_obj();
    }
    j.end_arr();
}

/// Per-cell summary of an array: entries and overflow buckets of each run
/// of `per` buckets, and evacuated buckets (old array).
fn heat_json<K, V>(j: &mut Json, chains: &[Vec<BucketView<'_, K, V>>], cells: usize) {
    let cells = cells.clamp(1, 4096);
    let per = chains.len().div_ceil(cells).max(1);
    j.obj().key("per").uint(per as u64);
    let mut entries = Vec::new();
    let mut overflow = Vec::new();
    let mut evac = Vec::new();
    for group in chains.chunks(per) {
        let mut n = 0;
        let mut o = 0;
        let mut e = 0;
        for c in group {
            n += c
                .iter()
                .map(|b| b.top.iter().filter(|&&t| t >= 5).count())
                .sum::<usize>();
            o += c.len() - 1;
            e += usize::from(evacuated(c));
        }
        entries.push(n);
        overflow.push(o);
        evac.push(e);
    }
    for (name, v) in [
        ("entries", entries),
        ("overflow", overflow),
        ("evacuated", evac),
    ] {
        j.key(name).arr();
        for x in v {
            j.uint(x as u64);
        }
        j.end_arr();
    }
    j.end_obj();
}

#[allow(clippy::too_many_arguments)]
fn layout_json<K: ExKey + KeyText>(
    j: &mut Json,
    l: &Layout<'_, K, u64>,
    first: usize,
    count: usize,
    old_first: usize,
    old_count: usize,
    cells: usize,
    hash0: u32,
) {
    let h = l.header;
    j.key("h").obj();
    j.key("count").uint(h.count as u64);
    j.key("flags").uint(u64::from(h.flags));
    j.key("B").uint(u64::from(h.b));
    j.key("noverflow").uint(u64::from(h.noverflow));
    j.key("hash0").uint(u64::from(h.hash0));
    j.key("nevacuate").uint(h.nevacuate as u64);
    j.key("growing").bool(h.growing);
    j.key("same_size")
        .bool(h.flags & gomap::Header::SAME_SIZE_GROW != 0);
    j.end_obj();
    j.key("bucket_size").uint(l.bucket_size as u64);
    j.key("arr_len").uint(l.arr_len as u64);
    j.key("pool");
    match l.pool {
        Some(p) => {
            j.obj().key("next");
            match p.next_overflow {
                Some(n) => j.uint(n as u64),
                None => j.null(),
            };
            j.key("free").uint(p.pre_free as u64).end_obj()
        }
        None => j.null(),
    };
    let ovf_pool = l
        .buckets
        .iter()
        .flatten()
        .filter(|b| matches!(b.at, BucketOrigin::Pool(_)))
        .count();
    let ovf_heap = l
        .buckets
        .iter()
        .flatten()
        .filter(|b| b.at == BucketOrigin::Heap)
        .count();
    j.key("overflow")
        .obj()
        .key("pool")
        .uint(ovf_pool as u64)
        .key("heap")
        .uint(ovf_heap as u64)
        .end_obj();
    j.key("nb").uint(l.buckets.len() as u64);
    j.key("first").uint(first.min(l.buckets.len()) as u64);
    j.key("buckets").arr();
    for c in l.buckets.iter().skip(first).take(count) {
        chain_json(j, c, hash0);
    }
    j.end_arr();
    j.key("heat");
    heat_json(j, &l.buckets, cells);
    match &l.old {
        Some(old) => {
            j.key("onb").uint(old.len() as u64);
            j.key("ofirst").uint(old_first.min(old.len()) as u64);
            j.key("old").arr();
            for c in old.iter().skip(old_first).take(old_count) {
                chain_json(j, c, hash0);
            }
            j.end_arr();
            j.key("oheat");
            heat_json(j, old, cells);
        }
        None => {
            j.key("onb").uint(0);
            j.key("old").null();
        }
    }
}

fn key_json(j: &mut Json, k: &Key) {
    j.str(&k.to_string());
}

fn detail_json(j: &mut Json, d: &Detail) {
    j.obj();
    j.key("index").uint(d.index as u64);
    j.key("op").str(&d.op);
    j.key("result").str(&d.result);
    j.key("key");
    match &d.key {
        Some((k, hash, b)) => {
            j.obj();
            j.key("k");
            key_json(j, k);
            j.key("hash").str(&format!("{hash:016x}"));
            j.key("B").uint(u64::from(*b));
            j.key("bucket").uint(hash & ((1u64 << b) - 1));
            j.key("top").uint(u64::from(top_hash(*hash)));
            j.end_obj()
        }
        None => j.null(),
    };
    j.key("changed").arr();
    for c in &d.changed {
        j.arr();
        for x in c {
            j.uint(*x as u64);
        }
        j.end_arr();
    }
    j.end_arr();
    j.key("probe");
    match &d.probe {
        Some(p) => {
            j.obj();
            j.key("old")
                .bool(p.old)
                .key("bucket")
                .uint(p.bucket as u64)
                .key("stop")
                .str(p.stop);
            j.key("slots").arr();
            for s in &p.slots {
                j.arr()
                    .uint(s.link as u64)
                    .uint(s.slot as u64)
                    .uint(u64::from(s.top))
                    .bool(s.compared)
                    .bool(s.found)
                    .end_arr();
            }
            j.end_arr().end_obj()
        }
        None => j.null(),
    };
    j.end_obj();
}

fn range_json(j: &mut Json, r: &RangeLog) {
    j.obj();
    j.key("n").uint(u64::from(r.n));
    j.key("present_at_start").uint(r.present_at_start as u64);
    j.key("done").bool(r.done);
    j.key("yielded").arr();
    for (k, v, then) in &r.yielded {
        j.arr();
        key_json(j, k);
        j.str(&v.to_string());
        j.str(match then {
            Then::Nothing => "",
            Then::Delete => "deleted",
            Then::Insert => "inserted",
        });
        j.end_arr();
    }
    j.end_arr();
    for (name, keys) in [("deleted", &r.deleted), ("inserted", &r.inserted)] {
        j.key(name).arr();
        for k in keys {
            key_json(j, k);
        }
        j.end_arr();
    }
    j.end_obj();
}

fn kind(k: GrowKind) -> &'static str {
    k.as_str()
}

fn event_json(j: &mut Json, l: &Logged) {
    j.obj();
    j.key("op");
    match l.op {
        Some(i) => j.uint(i as u64),
        None => j.null(),
    };
    j.key("name").str(l.event.name());
    match &l.event {
        Event::Make { hint, b } => {
            j.key("hint")
                .uint(*hint as u64)
                .key("B")
                .uint(u64::from(*b));
        }
        Event::GrowStart {
            kind: k,
            old_b,
            new_b,
            count,
            noverflow,
        } => {
            j.key("kind")
                .str(kind(*k))
                .key("old_B")
                .uint(u64::from(*old_b));
            j.key("new_B")
                .uint(u64::from(*new_b))
                .key("count")
                .uint(*count as u64);
            j.key("noverflow").uint(u64::from(*noverflow));
        }
        Event::Evacuate {
            old_bucket,
            to_x,
            to_y,
        } => {
            j.key("old_bucket").uint(*old_bucket as u64);
            j.key("to_x")
                .uint(*to_x as u64)
                .key("to_y")
                .uint(*to_y as u64);
        }
        Event::GrowDone { kind: k, b, writes } => {
            j.key("kind").str(kind(*k)).key("B").uint(u64::from(*b));
            j.key("writes").uint(*writes as u64);
        }
        Event::OverflowTaken {
            bucket,
            source,
            by_evacuation,
        } => {
            j.key("bucket").uint(*bucket as u64);
            j.key("from").str(&match source {
                OverflowSource::Pool(i) => format!("pool:{i}"),
                OverflowSource::Heap => "heap".to_owned(),
            });
            j.key("by_evacuation").bool(*by_evacuation);
        }
        Event::SlotReused { bucket, link, slot } => {
            j.key("bucket").uint(*bucket as u64);
            j.key("link")
                .uint(*link as u64)
                .key("slot")
                .uint(*slot as u64);
        }
        Event::Reseed { cause, hash0 } => {
            j.key("cause").str(match cause {
                ReseedCause::DeleteToEmpty => "delete-to-empty",
                ReseedCause::Clear => "clear",
            });
            j.key("hash0").uint(u64::from(*hash0));
        }
        Event::Clear { count, b } => {
            j.key("count")
                .uint(*count as u64)
                .key("B")
                .uint(u64::from(*b));
        }
        other => {
            j.key("debug").str(&format!("{other:?}"));
        }
    }
    j.end_obj();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario {
            kt: KeyType::U64,
            hint: 0,
            seed: 1,
        }
    }

    #[test]
    fn the_27th_insert_starts_a_doubling_and_later_writes_finish_it() {
        let mut x = Explorer::new(scenario());
        x.push(script::parse("i1-27,d1,d2,d3", KeyType::U64).unwrap());
        x.step(27);
        let h = x.header();
        assert_eq!((h.count, h.b, h.growing), (27, 3, true));
        let grows = x
            .events()
            .iter()
            .filter(|l| l.event.name() == "grow")
            .count();
        assert_eq!(grows, 3);
        let n = x.step_until(mask::GROW_DONE, 10);
        assert!(n >= 1 && !x.header().growing, "{n}");
    }

    #[test]
    fn a_probe_finds_the_key_where_the_layout_has_it() {
        let mut x = Explorer::new(scenario());
        x.push(script::parse("i1-20,g7", KeyType::U64).unwrap());
        x.step(21);
        let d = x.last().unwrap();
        let p = d.probe.as_ref().unwrap();
        assert_eq!(p.stop, "found");
        assert!(p.slots.last().unwrap().found);
        assert_eq!(d.result, "found 7");
    }

    #[test]
    fn seeking_back_replays_to_the_same_state() {
        let mut x = Explorer::new(scenario());
        x.push_workload(Workload::Churn, 300);
        x.push(script::parse("r,nd*50", KeyType::U64).unwrap());
        x.seek(350);
        let a = x.snapshot(0, 1 << 20, 0, 1 << 20, 64);
        x.seek(10);
        x.seek(350);
        assert_eq!(a, x.snapshot(0, 1 << 20, 0, 1 << 20, 64));
    }

    #[test]
    fn string_buckets_have_go_s_size() {
        let mut x = Explorer::new(Scenario {
            kt: KeyType::Str,
            hint: 0,
            seed: 1,
        });
        x.apply_now(Op::Insert(Key::Str("go".into()), 1));
        assert!(x.snapshot(0, 1, 0, 0, 1).contains("\"bucket_size\":208"));
    }
}
