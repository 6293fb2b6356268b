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
//! ## The pieces
//!
//! [`script`] (ops and their text form), [`workload`] (generated op lists),
//! [`hashing`] (the hasher and seed streams), [`probe`] (a lookup's path
//! through a layout), `changes` (the slots an op changed), `snapshot` and
//! [`json`] (the JSON the page reads), [`exports`] (the wasm ABI).
//!
//! The Swiss map (Go 1.24's generation) is not here yet: the snapshot
//! carries `"engine": "classic"`, the field a second engine will set.

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
pub mod workload;

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use gomap::events::{Event, Recorder};
use gomap::{GoMap, Range};

use changes::{diff, shot, Shot};
pub use hashing::{hash_of, seed_stream, ExplorerHasher};
use json::Json;
pub use probe::{probe, top_hash, Probe, ProbeSlot};
pub use script::{Key, KeyType, Op, Then};
use snapshot::{detail_json, event_json, layout_json, range_json};
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
    pending: Recorder,
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
            pending: Recorder::new(),
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
        let observer = self.pending.clone();
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
        self.pending.take();
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
        let events = self.pending.take();
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
