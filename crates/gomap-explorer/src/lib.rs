//! # gomap-explorer: Go's two map generations, op by op, for a web page
//!
//! The report's `explore.html` runs this crate compiled to
//! `wasm32-unknown-unknown`. An [`Explorer`] holds a *scenario* — key type,
//! `make` hint, seed — and its *script*, a list of [`Op`]s, with a position
//! in it. Stepping applies the next op to two real maps, a classic
//! [`gomap::GoMap`] and a [`gomap::SwissMap`], and records for each what a
//! reader wants to see: the key's hash and the bits that choose its bucket
//! and tophash (classic) or its directory entry, first group and H2 byte
//! (Swiss), the slots a lookup of it reads, the map's events (growth,
//! evacuation, overflow buckets, slot reuse; rehash, split, directory
//! doubling, prune; reseeds), and what a range cursor yields while the map
//! changes under it. [`Explorer::snapshot`] writes the classic map's state,
//! for a window of buckets, as JSON; [`Explorer::swiss_snapshot`] the Swiss
//! map's, for a window of groups. Both maps run every op so that the page
//! can show either, or both side by side, without replaying. A range op
//! runs each map's own cursor, so `nd` deletes what *that* map yielded.
//!
//! ## Reproducible everywhere
//!
//! A scenario replays to the same layouts in the page and natively: keys
//! are hashed with [`ExplorerHasher`] (SipHash-1-3 with a fixed key, whose
//! hashes do not depend on the target, unlike foldhash's — see
//! [`hashing`]); each map's seeds come from its own [`seed_stream`] of the
//! scenario seed (the Swiss map takes two draws per 64-bit seed); and fastrand's thread-local generator, which gomap draws from for
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
//! ## The pieces
//!
//! [`script`] (ops and their text form), [`workload`] (generated op lists),
//! [`hashing`] (the hasher and seed streams), [`probe`] (a classic lookup's
//! path through a layout), `changes` (the slots an op changed), [`swiss`]
//! (the Swiss map's probe, changes and JSON), `snapshot` and [`json`] (the
//! JSON the page reads), [`exports`] (the wasm ABI). The trait
//! `Generation` is what the explorer needs from each engine beyond
//! `GoMap`'s API, so stepping, ranges and events are written once.

// `deny`, not `forbid`: `exports` must allow the lint for its `#[no_mangle]`
// attributes (see there); every other module forbids unsafe code itself.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod changes;
pub mod exports;
pub mod hashing;
pub mod json;
pub mod probe;
pub mod script;
mod snapshot;
pub mod swiss;
pub mod workload;

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use gomap::events::{Event, Recorder};
use gomap::swiss_layout::SwissHeader;
use gomap::{Classic, GoMap, Range, Swiss, SwissMap, SwissWithHasher};

pub use changes::CHANGED_LIMIT;
use changes::{diff, shot, Shot};
pub use hashing::{hash_of, seed_stream, swiss_hash_of, ExplorerHasher};
use json::Json;
pub use probe::{probe, top_hash, Probe, ProbeSlot};
pub use script::{Key, KeyType, Op, Then};
use snapshot::{detail_json, event_json, layout_json, range_json, swiss_detail_json};
pub use swiss::{swiss_probe, SwissProbe, SwissSpot};
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
    /// Its hash in a Swiss map with seed `seed`.
    fn hash_under(&self, seed: u64) -> u64;
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
    fn hash_under(&self, seed: u64) -> u64 {
        swiss_hash_of(seed, self)
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
    fn hash_under(&self, seed: u64) -> u64 {
        swiss_hash_of(seed, &*self.s)
    }
}

/// A map of generation `G` with the explorer's hasher.
type Map<K, G> = GoMap<K, u64, ExplorerHasher, G>;

/// What the explorer needs from a map generation beyond `GoMap`'s API,
/// which is written once over both engines.
trait Generation: gomap::Engine {
    /// A lookup's path through the layout.
    type Probe: Clone + std::fmt::Debug;
    /// Where a changed slot is.
    type Spot: Copy + std::fmt::Debug;
    /// A map's contents, for change detection.
    type Shot;
    /// A map of this generation sized for `hint`, seeded from `seeds`.
    fn made<K: ExKey>(hint: usize, seeds: impl gomap::SeedSource) -> Map<K, Self>;
    /// The event the log starts with.
    fn make_event<K: ExKey>(hint: usize, map: &Map<K, Self>) -> Event;
    /// The key's hash in `map`, and the bits of it that choose where it
    /// goes: `B` (classic) or `globalDepth` (Swiss).
    fn key_hash<K: ExKey>(map: &Map<K, Self>, k: &Key) -> (u64, u8);
    /// The path a lookup of `key` takes.
    fn probe<K: ExKey>(map: &Map<K, Self>, hash: u64, key: &K) -> Self::Probe;
    /// The contents.
    fn shot<K: ExKey>(map: &Map<K, Self>) -> Self::Shot;
    /// The slots that differ between `before` and `after`, given the op's
    /// `events`.
    fn diff(before: &Self::Shot, after: &Self::Shot, events: &[Event], out: &mut Vec<Self::Spot>);
}

impl Generation for Classic {
    type Probe = Probe;
    type Spot = [usize; 4];
    type Shot = (Shot, Option<Shot>);

    fn made<K: ExKey>(hint: usize, seeds: impl gomap::SeedSource) -> Map<K, Classic> {
        GoMap::with_capacity_hasher_and_seeds(hint, ExplorerHasher::default(), seeds)
    }
    fn make_event<K: ExKey>(hint: usize, map: &Map<K, Classic>) -> Event {
        Event::Make {
            hint,
            b: map.header().b,
        }
    }
    fn key_hash<K: ExKey>(map: &Map<K, Classic>, k: &Key) -> (u64, u8) {
        let h = map.header();
        let hash = match k {
            Key::U64(n) => hash_of(h.hash0, n),
            Key::Str(s) => hash_of(h.hash0, &**s),
        };
        (hash, h.b)
    }
    fn probe<K: ExKey>(map: &Map<K, Classic>, hash: u64, key: &K) -> Probe {
        probe(&map.layout(), hash, key)
    }
    fn shot<K: ExKey>(map: &Map<K, Classic>) -> Self::Shot {
        let l = map.layout();
        (shot(&l.buckets), l.old.as_deref().map(shot))
    }
    fn diff(before: &Self::Shot, after: &Self::Shot, events: &[Event], out: &mut Vec<[usize; 4]>) {
        let ((cur, old), (now, now_old)) = (before, after);
        let grew = events.iter().any(|e| matches!(e, Event::GrowStart { .. }));
        // A growth that started in this op made a new current array; the
        // old array is the one that was current.
        let (cur_was, old_was) = if grew {
            (None, Some(cur))
        } else {
            (Some(cur), old.as_ref())
        };
        diff(now, cur_was, 0, out);
        if let Some(now_old) = now_old {
            diff(now_old, old_was, 1, out);
        }
    }
}

impl Generation for Swiss {
    type Probe = SwissProbe;
    type Spot = SwissSpot;
    type Shot = swiss::SwissShot;

    fn made<K: ExKey>(hint: usize, seeds: impl gomap::SeedSource) -> Map<K, Swiss> {
        SwissMap::with_capacity_hasher_and_seeds(hint, ExplorerHasher::default(), seeds)
    }
    fn make_event<K: ExKey>(hint: usize, map: &Map<K, Swiss>) -> Event {
        let l = map.layout();
        Event::SwissMake {
            hint,
            dir_len: l.header.dir_len,
            capacity: l.tables.first().map_or(0, |t| t.capacity),
        }
    }
    fn key_hash<K: ExKey>(map: &Map<K, Swiss>, k: &Key) -> (u64, u8) {
        let h = map.header();
        let hash = match k {
            Key::U64(n) => swiss_hash_of(h.seed, n),
            Key::Str(s) => swiss_hash_of(h.seed, &**s),
        };
        (hash, h.global_depth)
    }
    fn probe<K: ExKey>(map: &Map<K, Swiss>, hash: u64, key: &K) -> SwissProbe {
        swiss_probe(&map.layout(), hash, key)
    }
    fn shot<K: ExKey>(map: &Map<K, Swiss>) -> Self::Shot {
        swiss::swiss_shot(&map.layout())
    }
    fn diff(before: &Self::Shot, after: &Self::Shot, _: &[Event], out: &mut Vec<SwissSpot>) {
        swiss::swiss_diff(after, before, out);
    }
}

/// A map of one key type with its range cursor.
struct Engine<K, G: Generation> {
    map: Map<K, G>,
    cursor: Option<Range<K, u64, G>>,
}

/// The map, by key type.
enum AnyEngine<G: Generation> {
    U64(Engine<u64, G>),
    Str(Engine<GoStr, G>),
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

/// What the last op did, for the page's step view. `P` is the lookup path
/// of the map's generation ([`Probe`] or [`SwissProbe`]), `C` where a
/// changed slot is.
#[derive(Debug, Clone)]
pub struct Detail<P = Probe, C = [usize; 4]> {
    /// Its index in the script.
    pub index: usize,
    /// Its token.
    pub op: String,
    /// The key it concerned, with its hash under the seed before the op and
    /// the bits that choose its place before it: the classic map's `B`, the
    /// Swiss map's `globalDepth`.
    pub key: Option<(Key, u64, u8)>,
    /// A lookup's path before the op (for ops on a key, while the map has
    /// at most [`PROBE_LIMIT`] entries or the op was stepped alone).
    pub probe: Option<P>,
    /// What happened, in words (`inserted`, `overwrote 5`, …).
    pub result: String,
    /// The slots whose control byte or tophash, key or value the op
    /// changed (recorded when the probe is; at most [`CHANGED_LIMIT`]):
    /// classic `[array (0 current, 1 old), bucket, link, slot]`, Swiss
    /// `[row, slot]` ([`swiss`]).
    pub changed: Vec<C>,
}

/// What the last op did to the Swiss map.
pub type SwissDetail = Detail<SwissProbe, SwissSpot>;

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
    /// The seed changed (either map).
    pub const RESEED: u32 = 32;
    /// A Swiss table rehashed into twice the slots.
    pub const REHASH: u32 = 64;
    /// A Swiss table split in two.
    pub const SPLIT: u32 = 128;
    /// The Swiss directory doubled.
    pub const DIR_DOUBLE: u32 = 256;
    /// A Swiss table pruned its tombstones (or tried to).
    pub const PRUNE: u32 = 512;
}

fn event_bit(e: &Event) -> u32 {
    match e {
        Event::GrowStart { .. } => mask::GROW,
        Event::Evacuate { .. } => mask::EVACUATE,
        Event::GrowDone { .. } => mask::GROW_DONE,
        Event::OverflowTaken { .. } => mask::OVERFLOW,
        Event::SlotReused { .. } => mask::REUSE,
        Event::Reseed { .. } | Event::SwissReseed { .. } => mask::RESEED,
        Event::SwissGrow { .. } => mask::REHASH,
        Event::SwissSplit { .. } => mask::SPLIT,
        Event::SwissDirectoryDouble { .. } => mask::DIR_DOUBLE,
        Event::SwissPrune { .. } => mask::PRUNE,
        _ => 0,
    }
}

/// One generation's map and what the explorer recorded about it.
struct Side<G: Generation> {
    engine: AnyEngine<G>,
    /// Filled by the map's observer during an op.
    pending: Recorder,
    log: Vec<Logged>,
    /// Events of `log` already handed out by [`Explorer::take_events`].
    taken: usize,
    last: Option<Detail<G::Probe, G::Spot>>,
    ranges: u32,
    range_log: Option<RangeLog>,
}

impl<G: Generation> Side<G> {
    /// The map made for `s`, its log holding the make.
    fn made(s: Scenario) -> Side<G> {
        fastrand::seed(s.seed);
        let pending = Recorder::new();
        let engine = match s.kt {
            KeyType::U64 => AnyEngine::U64(Engine::made(s.hint, s.seed, pending.clone())),
            KeyType::Str => AnyEngine::Str(Engine::made(s.hint, s.seed, pending.clone())),
        };
        let make = with_engine!(&engine, e => G::make_event(s.hint, &e.map));
        pending.take();
        Side {
            engine,
            pending,
            log: vec![Logged {
                op: None,
                event: make,
            }],
            taken: 0,
            last: None,
            ranges: 0,
            range_log: None,
        }
    }

    fn len(&self) -> usize {
        with_engine!(&self.engine, e => e.map.len())
    }

    fn apply_next(&mut self, op: &Op, index: usize, want_probe: bool, seed: u64) {
        let before = want_probe.then(|| with_engine!(&self.engine, e => G::shot(&e.map)));
        let (mut detail, range_start) = with_engine!(&mut self.engine, e => {
            e.apply(op, index, want_probe, range_seed(seed, self.ranges), &mut self.range_log)
        });
        if range_start {
            self.ranges += 1;
        }
        let events = self.pending.take();
        if let Some(before) = before {
            let after = with_engine!(&self.engine, e => G::shot(&e.map));
            G::diff(&before, &after, &events, &mut detail.changed);
        }
        self.log.extend(events.into_iter().map(|event| Logged {
            op: Some(index),
            event,
        }));
        self.last = Some(detail);
    }

    fn take_events(&mut self, max: usize) -> String {
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

    /// The event counts, the range log and the last detail (via `detail`),
    /// the parts of a snapshot both generations write.
    fn common_json(&self, j: &mut Json, detail: impl Fn(&mut Json, &Detail<G::Probe, G::Spot>)) {
        j.key("last");
        match &self.last {
            Some(d) => detail(j, d),
            None => {
                j.null();
            }
        }
        j.key("range");
        match &self.range_log {
            Some(r) => range_json(j, r),
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
    }
}

/// The explorer: a scenario, its script, and both generations' maps at a
/// position in it. Every op runs on the classic map and on the Swiss map.
pub struct Explorer {
    scenario: Scenario,
    script: Vec<Op>,
    pos: usize,
    classic: Side<Classic>,
    swiss: Side<Swiss>,
}

impl Explorer {
    /// A map made for `scenario`, with an empty script. The hint is capped
    /// at [`MAX_HINT`].
    pub fn new(scenario: Scenario) -> Explorer {
        let scenario = Scenario {
            hint: scenario.hint.min(MAX_HINT),
            ..scenario
        };
        Explorer {
            scenario,
            script: Vec::new(),
            pos: 0,
            // The Swiss map first: fastrand is then left as seeded for the
            // classic map, as it was before the Swiss map joined.
            swiss: Side::made(scenario),
            classic: Side::made(scenario),
        }
    }

    /// Makes the maps afresh and rewinds to the start of the script.
    fn remake(&mut self) {
        self.swiss = Side::made(self.scenario);
        self.classic = Side::made(self.scenario);
        self.pos = 0;
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

    /// The classic map's header.
    pub fn header(&self) -> gomap::Header {
        with_engine!(&self.classic.engine, e => e.map.header())
    }

    /// The Swiss map's header.
    pub fn swiss_header(&self) -> SwissHeader {
        with_engine!(&self.swiss.engine, e => e.map.header())
    }

    /// The classic `u64 → u64` map, when the scenario's keys are `u64`.
    pub fn map_u64(&self) -> Option<&GoMap<u64, u64, ExplorerHasher>> {
        match &self.classic.engine {
            AnyEngine::U64(e) => Some(&e.map),
            AnyEngine::Str(_) => None,
        }
    }

    /// The Swiss `u64 → u64` map, when the scenario's keys are `u64`.
    pub fn swiss_u64(&self) -> Option<&SwissMap<u64, u64, ExplorerHasher>> {
        match &self.swiss.engine {
            AnyEngine::U64(e) => Some(&e.map),
            AnyEngine::Str(_) => None,
        }
    }

    /// Every event of the classic map so far.
    pub fn events(&self) -> &[Logged] {
        &self.classic.log
    }

    /// Every event of the Swiss map so far.
    pub fn swiss_events(&self) -> &[Logged] {
        &self.swiss.log
    }

    /// The classic map's last range cursor's log.
    pub fn range_log(&self) -> Option<&RangeLog> {
        self.classic.range_log.as_ref()
    }

    /// What the last op did to the classic map.
    pub fn last(&self) -> Option<&Detail> {
        self.classic.last.as_ref()
    }

    /// What the last op did to the Swiss map.
    pub fn swiss_last(&self) -> Option<&SwissDetail> {
        self.swiss.last.as_ref()
    }

    /// Appends ops to the script (after its end, not at the position).
    pub fn push(&mut self, ops: impl IntoIterator<Item = Op>) {
        self.script.extend(ops);
    }

    /// Appends `n` ops of workload `w`.
    pub fn push_workload(&mut self, w: Workload, n: usize) {
        let ops = workload::generate(w, n, self.scenario.kt, &self.script, self.scenario.seed);
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
            self.apply_next(n == 1, i + 1 == n);
        }
        n
    }

    /// Applies ops until one causes an event (in either map) whose [`mask`]
    /// bit is in `mask`, at most `max`; returns how many were applied.
    pub fn step_until(&mut self, mask: u32, max: usize) -> usize {
        let mut done = 0;
        while done < max && self.pos < self.script.len() {
            let before = (self.classic.log.len(), self.swiss.log.len());
            self.apply_next(false, true);
            done += 1;
            let hit = |log: &[Logged]| log.iter().any(|l| event_bit(&l.event) & mask != 0);
            if hit(&self.classic.log[before.0..]) || hit(&self.swiss.log[before.1..]) {
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

    /// Applies the next op to both maps. Each records a lookup path when
    /// the op runs `alone`, or when it is the `last` of a batch and the map
    /// has at most [`PROBE_LIMIT`] entries.
    fn apply_next(&mut self, alone: bool, last: bool) {
        let index = self.pos;
        let op = self.script[index].clone();
        let seed = self.scenario.seed;
        let want = |n: usize| alone || last && n <= PROBE_LIMIT;
        // The Swiss map first, for the reason given in `new`.
        let w = want(self.swiss.len());
        self.swiss.apply_next(&op, index, w, seed);
        let w = want(self.classic.len());
        self.classic.apply_next(&op, index, w, seed);
        self.pos += 1;
    }

    /// The classic map's events since the last call, as a JSON array (at
    /// most `max`, the latest; the rest are counted in `"skipped"`).
    pub fn take_events(&mut self, max: usize) -> String {
        self.classic.take_events(max)
    }

    /// The Swiss map's events since the last call, as
    /// [`Explorer::take_events`] gives the classic map's.
    pub fn take_swiss_events(&mut self, max: usize) -> String {
        self.swiss.take_events(max)
    }

    /// The scenario, position and next op: the start of both snapshots.
    fn scenario_json(&self, j: &mut Json, engine: &str) {
        let s = self.scenario;
        j.key("engine").str(engine);
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
    }

    /// The classic map's state as JSON (`"engine": "classic"`): the
    /// scenario and position, the header, the buckets `first .. first +
    /// count` of the current array and `old_first .. old_first + old_count`
    /// of the old one, a summary of every bucket in at most `cells` cells
    /// per array, the last op's detail, the range cursor's log and the next
    /// op.
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
        self.scenario_json(&mut j, "classic");
        with_engine!(&self.classic.engine, e => {
            let layout = e.map.layout();
            layout_json(&mut j, &layout, first, count, old_first, old_count, cells, e.map.header().hash0);
        });
        self.classic.common_json(&mut j, detail_json);
        j.end_obj();
        j.finish()
    }

    /// The Swiss map's state as JSON (`"engine": "swiss"`): the scenario
    /// and position, the header, the directory as runs of entries sharing a
    /// table, every table's depth, capacity, growthLeft, used and
    /// tombstones, the group rows `first .. first + count` ([`swiss`]) with
    /// their control bytes and slots, a summary of all rows in at most
    /// `cells` cells, the last op's detail (with the key's hash split into
    /// directory bits, probe start group and H2, and its probe), the range
    /// cursor's log and the event counts.
    pub fn swiss_snapshot(&self, first: usize, count: usize, cells: usize) -> String {
        let mut j = Json::new();
        j.obj();
        self.scenario_json(&mut j, "swiss");
        with_engine!(&self.swiss.engine, e => {
            swiss::swiss_layout_json(&mut j, &e.map.layout(), first, count, cells);
        });
        self.swiss.common_json(&mut j, swiss_detail_json);
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

impl<K: ExKey, G: Generation> Engine<K, G> {
    fn made(hint: usize, seed: u64, observer: impl gomap::events::Observer) -> Engine<K, G> {
        let mut map = G::made(hint, seed_stream(seed));
        map.set_observer(observer);
        Engine { map, cursor: None }
    }

    /// Applies `op`; returns its detail and whether it started a cursor.
    fn apply(
        &mut self,
        op: &Op,
        index: usize,
        want_probe: bool,
        range_seed: u64,
        range_log: &mut Option<RangeLog>,
    ) -> (Detail<G::Probe, G::Spot>, bool) {
        let key_info = |map: &Map<K, G>, k: &Key| {
            let (hash, bits) = G::key_hash(map, k);
            Some((k.clone(), hash, bits))
        };
        let probe_of = |map: &Map<K, G>, k: &Key, hash: u64| {
            want_probe.then(|| G::probe(map, hash, &K::from_key(k)))
        };
        fn live(log: &mut Option<RangeLog>) -> Option<&mut RangeLog> {
            log.as_mut().filter(|r| !r.done)
        }
        let mut started = false;
        let (key, probe, result) = match op {
            Op::Insert(k, v) => {
                let info = key_info(&self.map, k);
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
                let info = key_info(&self.map, k);
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
                let info = key_info(&self.map, k);
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
                        let info = key_info(&self.map, &k);
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
                        (info, None, result)
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
        let s = x.swiss_snapshot(0, 1 << 20, 64);
        x.seek(10);
        x.seek(350);
        assert_eq!(a, x.snapshot(0, 1 << 20, 0, 1 << 20, 64));
        assert_eq!(s, x.swiss_snapshot(0, 1 << 20, 64));
    }

    #[test]
    fn the_swiss_map_runs_the_same_ops_beside_the_classic_one() {
        let mut x = Explorer::new(scenario());
        x.push(script::parse("i1-9", KeyType::U64).unwrap());
        x.step(8);
        assert_eq!(x.swiss_header().used, 8);
        assert!(x.swiss_u64().unwrap().layout().small.is_some());
        // The 9th key moves the small map's group into a 16-slot table.
        assert_eq!(x.step_until(mask::REHASH, 10), 1);
        let l = x.swiss_u64().unwrap().layout();
        assert_eq!((l.tables.len(), l.tables[0].capacity), (1, 16));
        assert_eq!(x.header().count, 9);
        let names: Vec<&str> = x.swiss_events().iter().map(|l| l.event.name()).collect();
        assert_eq!(names, ["make", "rehash"]);
        // The 9th key went in after the 8 it moved: its slot changed.
        let d = x.swiss_last().unwrap();
        assert!(!d.changed.is_empty());
        let s = x.swiss_snapshot(0, 2, 8);
        assert!(s.starts_with(r#"{"engine":"swiss""#), "{s}");
        assert!(s.contains(r#""dir":[[0,0,1]]"#), "{s}");
    }

    #[test]
    fn a_swiss_probe_finds_the_key_where_the_layout_has_it() {
        let mut x = Explorer::new(scenario());
        x.push(script::parse("i1-100,g7,g1000", KeyType::U64).unwrap());
        x.step(101);
        let d = x.swiss_last().unwrap();
        assert_eq!(d.result, "found 7");
        let p = d.probe.as_ref().unwrap();
        assert_eq!(p.stop, "found");
        let hit = p.compared.last().unwrap();
        assert!(hit.found);
        let l = x.swiss_u64().unwrap().layout();
        let t = &l.tables[p.table.unwrap()];
        assert_eq!(
            t.groups[hit.group].slots[hit.slot].map(|(k, _)| *k),
            Some(7)
        );
        assert_eq!(*p.probed.last().unwrap(), hit.group);
        // Every compared slot's control byte is the key's H2.
        let h2 = (d.key.as_ref().unwrap().1 & 0x7f) as u8;
        for c in &p.compared {
            assert_eq!(t.groups[c.group].ctrl[c.slot], h2);
        }
        // An absent key's probe ends at a group with an empty slot.
        x.step(1);
        let p = x.swiss_last().unwrap().probe.as_ref().unwrap();
        assert_eq!(p.stop, "empty");
        let l = x.swiss_u64().unwrap().layout();
        let t = &l.tables[p.table.unwrap()];
        let last = *p.probed.last().unwrap();
        assert!(t.groups[last].ctrl.contains(&swiss::CTRL_EMPTY));
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
