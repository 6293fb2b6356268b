//! Model tests: `GoMap` against `std::collections::HashMap`.
//!
//! One operation model ([`Op`]) drives every test here: proptest generates
//! long op sequences, [`Harness::apply`] runs each op on both maps and compares
//! the results, and after EVERY op the map's `check_invariants()` runs and its
//! contents are compared with the model. The same sequences run
//!
//! - on `u64` keys from a small key space (so removes and overwrites hit), a
//!   medium one (so maps grow through several doublings) and the full one;
//! - on `Box<str>` and `String` keys (208-byte buckets, lookups through `&str`);
//! - with `set_stress_tuning(true)` on every map, so maps spend most of their
//!   life mid-evacuation and every op meets a half-moved table;
//! - with a colliding hasher (three tophashes, five buckets), so chains are long,
//!   overflow buckets and same-size growths are common and `Eq` runs on every
//!   probe.
//!
//! A deterministic 200,000-op run (splitmix64) against std closes the file, and
//! every shrunk failure a property test ever found lives on as a named
//! `regression_*` test with its op list.
//!
//! Under Miri the case counts and sequence lengths shrink (see [`config`]).
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::hash::{BuildHasher, Hash, Hasher};

use gomap::{DefaultHashBuilder, GoMap};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm};

// ---------------------------------------------------------------------------
// The operation model
// ---------------------------------------------------------------------------

/// One operation on a map. Values are always `u64`.
#[derive(Clone, Debug)]
enum Op<K> {
    /// `insert`; the returned old value is compared.
    Insert(K, u64),
    /// `get`.
    Get(K),
    /// `get_mut`, then add to the value in place.
    GetMut(K, u64),
    /// `get_key_value`.
    GetKeyValue(K),
    /// `map[&k]` for a present key (a plain `get` check when absent).
    Index(K),
    /// `contains_key`.
    ContainsKey(K),
    /// `remove`.
    Remove(K),
    /// `remove_entry`.
    RemoveEntry(K),
    /// `clear`.
    Clear,
    /// `retain`, keeping entries whose `key_num % m != r`, and bumping the
    /// value of every kept entry through the `&mut V` it is given.
    Retain { m: u64, r: u64 },
    /// `entry(k).or_insert(v)`, then add 1 through the returned `&mut V`.
    OrInsert(K, u64),
    /// `entry(k).or_insert_with(|| v)`, then add 1 through the returned `&mut V`.
    OrInsertWith(K, u64),
    /// `entry(k).or_default()`, then add 1.
    OrDefault(K),
    /// `entry(k).and_modify(|v| *v ^= x).or_insert(x)`.
    AndModifyOrInsert(K, u64),
    /// `entry(k).key()` is `k`; the entry is dropped unused.
    EntryKey(K),
    /// `drain()` to the end; the drained entries are exactly the model's.
    Drain,
    /// `drain()`, take this many entries, drop the iterator: the map is empty.
    DrainPart(usize),
    /// `into_iter()` to the end, compared with the model, then rebuilt with
    /// `FromIterator`.
    IntoIter,
    /// `into_iter()`, take this many entries, drop the iterator; the map
    /// becomes a fresh one.
    IntoIterPart(usize),
    /// `iter()`, `(&map).into_iter()`, `len()`: compared as sets.
    Iter,
    /// `keys()` compared as a set.
    Keys,
    /// `values()` compared as a multiset.
    Values,
    /// `iter_mut()`: add to every value.
    IterMut(u64),
    /// `values_mut()`: add to every value.
    ValuesMut(u64),
    /// `(&mut map).into_iter()`: xor every value.
    IntoIterMut(u64),
    /// `clone()`, compared; keep the clone or the original.
    Clone { keep_clone: bool },
    /// `extend` with owned pairs.
    Extend(Vec<(K, u64)>),
    /// `extend` with borrowed pairs (owned for key types that are not `Copy`).
    ExtendRef(Vec<(K, u64)>),
    /// Replace the map with one collected from these pairs.
    FromIter(Vec<(K, u64)>),
    /// Move every entry into a fresh `with_capacity(hint)` map.
    Rebuild(usize),
    /// `==` against a map built from the model, `!=` after changing one value.
    PartialEq,
}

/// What the model needs from a key type.
trait ModelKey: Clone + Hash + Eq + Debug {
    /// The borrowed form lookups go through (`u64` for `u64`, `str` for strings).
    type Q: ?Sized + Hash + Eq;
    /// `self` as a lookup key.
    fn q(&self) -> &Self::Q;
    /// A number derived from the key, for `Retain`'s predicate.
    fn num(&self) -> u64;
    /// `map.extend(pairs)` through `(&K, &V)` where `K: Copy`; owned otherwise.
    fn extend_by_ref<S: BuildHasher>(map: &mut GoMap<Self, u64, S>, pairs: &[(Self, u64)]) {
        map.extend(pairs.iter().cloned());
    }
}

impl ModelKey for u64 {
    type Q = u64;
    fn q(&self) -> &u64 {
        self
    }
    fn num(&self) -> u64 {
        *self
    }
    fn extend_by_ref<S: BuildHasher>(map: &mut GoMap<u64, u64, S>, pairs: &[(u64, u64)]) {
        map.extend(pairs.iter().map(|(k, v)| (k, v)));
    }
}

/// FNV-1a over the bytes: a stable number for string keys.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl ModelKey for Box<str> {
    type Q = str;
    fn q(&self) -> &str {
        self
    }
    fn num(&self) -> u64 {
        fnv(self.as_bytes())
    }
}

impl ModelKey for String {
    type Q = str;
    fn q(&self) -> &str {
        self
    }
    fn num(&self) -> u64 {
        fnv(self.as_bytes())
    }
}

// ---------------------------------------------------------------------------
// Hashers
// ---------------------------------------------------------------------------

/// A hasher that lets through only 3 tophashes and 5 bucket indexes, so chains
/// are long, overflow buckets (pool and heap) are taken all the time, same-size
/// growths follow, and `Eq` is called on nearly every probe. The map's seed is
/// mixed in, so a reseed reshuffles the chains.
#[derive(Clone, Copy, Default, Debug)]
struct Colliding;

struct CollidingHasher(u64);

impl Hasher for CollidingHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 29);
        ((x % 3) << 56) | (x % 5)
    }
}

impl BuildHasher for Colliding {
    type Hasher = CollidingHasher;
    fn build_hasher(&self) -> CollidingHasher {
        CollidingHasher(0xcbf2_9ce4_8422_2325)
    }
}

// ---------------------------------------------------------------------------
// The harness: one map, one model, a check after every op
// ---------------------------------------------------------------------------

struct Harness<K, S> {
    map: GoMap<K, u64, S>,
    model: HashMap<K, u64>,
    stress: bool,
    /// Ops applied so far (for the periodic checks).
    step: usize,
    /// Natively, maps over 256 entries run `check_invariants` every `period`
    /// ops (1: after every op) and compare every entry every `32 * period`
    /// ops; smaller maps are fully checked after every op. See [`MIRI_PERIOD`].
    period: usize,
}

/// Under Miri, `check_invariants` costs about half a second of interpreted
/// time on a 60-entry map (it rehashes every key), which would make the
/// property tests take hours. Miri is here to find undefined behaviour, which
/// the ops themselves exercise; there every map is checked (invariants and
/// contents) every 8th op and at the end of a run.
const MIRI_PERIOD: usize = 8;

impl<K, S> Harness<K, S>
where
    K: ModelKey + Borrow<K::Q>,
    S: BuildHasher + Default + Clone,
{
    fn new(hint: usize, stress: bool) -> Self {
        let mut h = Harness {
            map: GoMap::with_capacity_and_hasher(0, S::default()),
            model: HashMap::new(),
            stress,
            step: 0,
            period: 1,
        };
        h.map = h.fresh(hint);
        h.check();
        h
    }

    /// A new empty map with this hint, stress-tuned when the harness is.
    fn fresh(&self, hint: usize) -> GoMap<K, u64, S> {
        let mut m = GoMap::with_capacity_and_hasher(hint, S::default());
        m.set_stress_tuning(self.stress);
        m.check_invariants();
        m
    }

    /// Adopt a map built elsewhere (clone, collect): tune it, check it.
    fn adopt(&mut self, mut m: GoMap<K, u64, S>) {
        m.set_stress_tuning(self.stress);
        self.map = m;
    }

    fn run(&mut self, ops: &[Op<K>]) {
        for op in ops {
            self.apply(op);
            self.check();
        }
        self.map.check_invariants();
        self.check_full();
    }

    /// Only the long runs check big maps less often than after every op.
    fn with_period(mut self, period: usize) -> Self {
        self.period = period;
        self
    }

    /// After every op: the structural invariants (for maps over 256 entries
    /// every `period` ops), the counts, and (for maps up to 128 entries, else
    /// every `32 * period` ops) every model entry by lookup. Under Miri both
    /// run every [`MIRI_PERIOD`] ops (or `period`, if longer) instead.
    fn check(&mut self) {
        self.step += 1;
        let (small_invariants, small_full, period, full_period) = if cfg!(miri) {
            let p = self.period.max(MIRI_PERIOD);
            (0, 0, p, p)
        } else {
            (256, 128, self.period, 32 * self.period)
        };
        if self.model.len() <= small_invariants || self.step % period == 0 {
            self.map.check_invariants();
        }
        assert_eq!(self.map.len(), self.model.len(), "len");
        assert_eq!(self.map.is_empty(), self.model.is_empty(), "is_empty");
        assert_eq!(self.map.header().count, self.model.len(), "header().count");
        assert!(self.map.capacity() >= self.map.len(), "capacity < len");
        if self.model.len() <= small_full || self.step % full_period == 0 {
            self.check_full();
        }
    }

    fn check_full(&self) {
        for (k, v) in &self.model {
            assert_eq!(self.map.get(k.q()), Some(v), "get({k:?})");
        }
    }

    fn apply(&mut self, op: &Op<K>) {
        let map = &mut self.map;
        let model = &mut self.model;
        match op {
            Op::Insert(k, v) => {
                assert_eq!(
                    map.insert(k.clone(), *v),
                    model.insert(k.clone(), *v),
                    "insert {k:?}"
                );
            }
            Op::Get(k) => assert_eq!(map.get(k.q()), model.get(k.q()), "get {k:?}"),
            Op::GetMut(k, d) => {
                let a = map.get_mut(k.q()).map(|v| {
                    *v = v.wrapping_add(*d);
                    *v
                });
                let b = model.get_mut(k.q()).map(|v| {
                    *v = v.wrapping_add(*d);
                    *v
                });
                assert_eq!(a, b, "get_mut {k:?}");
            }
            Op::GetKeyValue(k) => {
                assert_eq!(
                    map.get_key_value(k.q()),
                    model.get_key_value(k.q()),
                    "get_key_value {k:?}"
                );
            }
            Op::Index(k) => match model.get(k.q()) {
                Some(v) => assert_eq!(&map[k.q()], v, "index {k:?}"),
                None => assert_eq!(map.get(k.q()), None, "get {k:?}"),
            },
            Op::ContainsKey(k) => {
                assert_eq!(
                    map.contains_key(k.q()),
                    model.contains_key(k.q()),
                    "contains_key {k:?}"
                );
            }
            Op::Remove(k) => assert_eq!(map.remove(k.q()), model.remove(k.q()), "remove {k:?}"),
            Op::RemoveEntry(k) => {
                assert_eq!(
                    map.remove_entry(k.q()),
                    model.remove_entry(k.q()),
                    "remove_entry {k:?}"
                );
            }
            Op::Clear => {
                map.clear();
                model.clear();
            }
            Op::Retain { m, r } => {
                let keep = |k: &K| k.num() % *m != *r;
                map.retain(|k, v| {
                    let kept = keep(k);
                    if kept {
                        *v = v.wrapping_add(1);
                    }
                    kept
                });
                model.retain(|k, v| {
                    let kept = keep(k);
                    if kept {
                        *v = v.wrapping_add(1);
                    }
                    kept
                });
            }
            Op::OrInsert(k, v) => {
                let a = map.entry(k.clone()).or_insert(*v);
                let b = model.entry(k.clone()).or_insert(*v);
                assert_eq!(*a, *b, "or_insert {k:?}");
                *a = a.wrapping_add(1);
                *b = b.wrapping_add(1);
            }
            Op::OrInsertWith(k, v) => {
                let was_present = model.contains_key(k.q());
                let mut called = false;
                let a = map.entry(k.clone()).or_insert_with(|| {
                    called = true;
                    *v
                });
                let b = model.entry(k.clone()).or_insert(*v);
                assert_eq!(*a, *b, "or_insert_with {k:?}");
                *a = a.wrapping_add(1);
                *b = b.wrapping_add(1);
                assert_eq!(
                    called, !was_present,
                    "or_insert_with called its closure wrongly"
                );
            }
            Op::OrDefault(k) => {
                let a = map.entry(k.clone()).or_default();
                let b = model.entry(k.clone()).or_default();
                assert_eq!(*a, *b, "or_default {k:?}");
                *a = a.wrapping_add(1);
                *b = b.wrapping_add(1);
            }
            Op::AndModifyOrInsert(k, x) => {
                let a = *map.entry(k.clone()).and_modify(|v| *v ^= *x).or_insert(*x);
                let b = *model
                    .entry(k.clone())
                    .and_modify(|v| *v ^= *x)
                    .or_insert(*x);
                assert_eq!(a, b, "and_modify.or_insert {k:?}");
            }
            Op::EntryKey(k) => {
                let e = map.entry(k.clone());
                assert_eq!(e.key(), k, "entry.key");
            }
            Op::Drain => {
                let got: Vec<(K, u64)> = map.drain().collect();
                assert_same_entries(&got, model);
                model.clear();
                assert!(map.is_empty(), "map not empty after drain");
            }
            Op::DrainPart(n) => {
                let mut d = map.drain();
                let mut seen = HashSet::new();
                for _ in 0..*n {
                    let Some((k, v)) = d.next() else { break };
                    assert_eq!(model.get(k.q()), Some(&v), "drained {k:?}");
                    assert!(seen.insert(k), "drained twice");
                }
                drop(d);
                model.clear();
                assert!(map.is_empty(), "map not empty after a dropped drain");
            }
            Op::IntoIter => {
                let old = std::mem::replace(map, GoMap::with_capacity_and_hasher(0, S::default()));
                let got: Vec<(K, u64)> = old.into_iter().collect();
                assert_same_entries(&got, model);
                let rebuilt: GoMap<K, u64, S> = got.into_iter().collect();
                rebuilt.check_invariants();
                self.adopt(rebuilt);
            }
            Op::IntoIterPart(n) => {
                let old = std::mem::replace(map, GoMap::with_capacity_and_hasher(0, S::default()));
                let mut it = old.into_iter();
                let mut seen = HashSet::new();
                for _ in 0..*n {
                    let Some((k, v)) = it.next() else { break };
                    assert_eq!(model.get(k.q()), Some(&v), "into_iter yielded {k:?}");
                    assert!(seen.insert(k), "into_iter yielded a key twice");
                }
                drop(it);
                model.clear();
                let fresh = self.fresh(0);
                self.map = fresh;
            }
            Op::Iter => {
                let got: Vec<(K, u64)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
                assert_same_entries(&got, model);
                let got: Vec<(K, u64)> =
                    (&*map).into_iter().map(|(k, v)| (k.clone(), *v)).collect();
                assert_same_entries(&got, model);
                assert_eq!(map.iter().count(), model.len(), "iter().count()");
            }
            Op::Keys => {
                let keys: Vec<&K> = map.keys().collect();
                assert_eq!(keys.len(), model.len(), "keys().len");
                let set: HashSet<&K> = keys.into_iter().collect();
                assert_eq!(set, model.keys().collect::<HashSet<&K>>(), "keys()");
            }
            Op::Values => {
                let mut a: Vec<u64> = map.values().copied().collect();
                let mut b: Vec<u64> = model.values().copied().collect();
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "values()");
            }
            Op::IterMut(d) => {
                let mut n = 0;
                for (k, v) in map.iter_mut() {
                    assert!(model.contains_key(k.q()), "iter_mut yielded {k:?}");
                    *v = v.wrapping_add(*d);
                    n += 1;
                }
                assert_eq!(n, model.len(), "iter_mut count");
                model.values_mut().for_each(|v| *v = v.wrapping_add(*d));
            }
            Op::ValuesMut(d) => {
                let mut n = 0;
                for v in map.values_mut() {
                    *v = v.wrapping_add(*d);
                    n += 1;
                }
                assert_eq!(n, model.len(), "values_mut count");
                model.values_mut().for_each(|v| *v = v.wrapping_add(*d));
            }
            Op::IntoIterMut(x) => {
                let mut n = 0;
                for (_, v) in &mut *map {
                    *v ^= *x;
                    n += 1;
                }
                assert_eq!(n, model.len(), "(&mut map).into_iter() count");
                model.values_mut().for_each(|v| *v ^= *x);
            }
            Op::Clone { keep_clone } => {
                let c = map.clone();
                c.check_invariants();
                assert_eq!(c.len(), map.len(), "clone len");
                assert!(c == *map, "clone != original");
                for (k, v) in model.iter() {
                    assert_eq!(c.get(k.q()), Some(v), "clone get {k:?}");
                }
                if *keep_clone {
                    self.adopt(c);
                }
            }
            Op::Extend(pairs) => {
                map.extend(pairs.iter().cloned());
                model.extend(pairs.iter().cloned());
            }
            Op::ExtendRef(pairs) => {
                K::extend_by_ref(map, pairs);
                model.extend(pairs.iter().cloned());
            }
            Op::FromIter(pairs) => {
                let m: GoMap<K, u64, S> = pairs.iter().cloned().collect();
                m.check_invariants();
                *model = pairs.iter().cloned().collect();
                self.adopt(m);
            }
            Op::Rebuild(hint) => {
                let mut m = self.fresh(*hint);
                for (k, v) in self.map.iter() {
                    assert_eq!(
                        m.insert(k.clone(), *v),
                        None,
                        "rebuild: duplicate key {k:?}"
                    );
                }
                m.check_invariants();
                self.map = m;
            }
            Op::PartialEq => {
                let mut other: GoMap<K, u64, S> =
                    model.iter().map(|(k, v)| (k.clone(), *v)).collect();
                assert!(*map == other, "map != a map with the same entries");
                assert!(other == *map, "== is not symmetric");
                if let Some(k) = model.keys().next() {
                    *other.get_mut(k.q()).unwrap() ^= 1;
                    assert!(*map != other, "map == a map with one value changed");
                    other.remove(k.q());
                    assert!(*map != other, "map == a map with one entry less");
                }
            }
        }
    }
}

/// `got` holds each model entry exactly once and nothing else.
fn assert_same_entries<K: ModelKey>(got: &[(K, u64)], model: &HashMap<K, u64>) {
    assert_eq!(
        got.len(),
        model.len(),
        "iteration yielded {} entries, model has {}",
        got.len(),
        model.len()
    );
    let as_map: HashMap<&K, u64> = got.iter().map(|(k, v)| (k, *v)).collect();
    assert_eq!(as_map.len(), got.len(), "iteration yielded a key twice");
    for (k, v) in model {
        assert_eq!(as_map.get(k), Some(v), "iteration: entry {k:?}");
    }
}

// ---------------------------------------------------------------------------
// Strategies and configuration
// ---------------------------------------------------------------------------

/// Op sequence length: long natively, short under Miri.
const MAX_OPS: usize = if cfg!(miri) { 32 } else { 400 };

/// Property-test configuration: `PROPTEST_CASES` natively (256 by default),
/// 4 cases under Miri, where nothing is written to disk either.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig {
        // ChaCha (the default) dominates the run time of an unoptimized test build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    };
    if cfg!(miri) {
        c.cases = 4;
        c.failure_persistence = None;
        c.max_shrink_iters = 0;
    } else {
        c.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        )));
    }
    c
}

fn op<K: Clone + Debug + 'static>(
    key: impl Strategy<Value = K> + Clone + 'static,
) -> impl Strategy<Value = Op<K>> {
    let pairs = prop::collection::vec((key.clone(), any::<u64>()), 0..24);
    prop_oneof![
        24 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::Insert(k, v)),
        6 => key.clone().prop_map(Op::Get),
        3 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        2 => key.clone().prop_map(Op::GetKeyValue),
        2 => key.clone().prop_map(Op::Index),
        3 => key.clone().prop_map(Op::ContainsKey),
        10 => key.clone().prop_map(Op::Remove),
        3 => key.clone().prop_map(Op::RemoveEntry),
        1 => Just(Op::Clear),
        1 => (1u64..8, 0u64..8).prop_map(|(m, r)| Op::Retain { m, r }),
        3 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::OrInsert(k, v)),
        2 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::OrInsertWith(k, v)),
        2 => key.clone().prop_map(Op::OrDefault),
        2 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::AndModifyOrInsert(k, v)),
        1 => key.clone().prop_map(Op::EntryKey),
        1 => Just(Op::Drain),
        1 => (0usize..40).prop_map(Op::DrainPart),
        1 => Just(Op::IntoIter),
        1 => (0usize..40).prop_map(Op::IntoIterPart),
        2 => Just(Op::Iter),
        1 => Just(Op::Keys),
        1 => Just(Op::Values),
        1 => any::<u64>().prop_map(Op::IterMut),
        1 => any::<u64>().prop_map(Op::ValuesMut),
        1 => any::<u64>().prop_map(Op::IntoIterMut),
        2 => any::<bool>().prop_map(|keep_clone| Op::Clone { keep_clone }),
        3 => pairs.clone().prop_map(Op::Extend),
        2 => pairs.clone().prop_map(Op::ExtendRef),
        1 => pairs.prop_map(Op::FromIter),
        1 => (0usize..300).prop_map(Op::Rebuild),
        1 => Just(Op::PartialEq),
    ]
}

fn ops<K: Clone + Debug + 'static>(
    key: impl Strategy<Value = K> + Clone + 'static,
) -> impl Strategy<Value = Vec<Op<K>>> {
    prop::collection::vec(op(key), 1..MAX_OPS)
}

/// Deletes and overwrites hit often; maps stay below ~48 entries.
fn small_u64() -> impl Strategy<Value = u64> + Clone {
    0u64..48
}

/// Maps grow through several doublings (up to a few thousand entries).
fn medium_u64() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![0u64..64, 0u64..4096]
}

fn full_u64() -> impl Strategy<Value = u64> + Clone {
    any::<u64>()
}

/// Strings that repeat (`k0`..`k63`, so deletes hit) and arbitrary ones
/// (any printable Unicode, up to 24 chars; under Miri, where the regex
/// generator is slow, any 0 to 8 chars).
fn string_key() -> impl Strategy<Value = String> + Clone {
    let arbitrary = if cfg!(miri) {
        prop::collection::vec(any::<char>(), 0..8)
            .prop_map(|cs| cs.into_iter().collect::<String>())
            .boxed()
    } else {
        "\\PC{0,24}".boxed()
    };
    prop_oneof![
        3 => (0u32..64).prop_map(|n| format!("k{n}")),
        1 => arbitrary,
    ]
}

fn box_str_key() -> impl Strategy<Value = Box<str>> + Clone {
    string_key().prop_map(String::into_boxed_str)
}

fn run<K, S>(hint: usize, stress: bool, ops: &[Op<K>])
where
    K: ModelKey + Borrow<K::Q>,
    S: BuildHasher + Default + Clone,
{
    Harness::<K, S>::new(hint, stress).run(ops);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn u64_small_keys(hint in 0usize..64, ops in ops(small_u64())) {
        run::<u64, DefaultHashBuilder>(hint, false, &ops);
    }

    #[test]
    fn u64_medium_keys(hint in 0usize..300, ops in ops(medium_u64())) {
        run::<u64, DefaultHashBuilder>(hint, false, &ops);
    }

    #[test]
    fn u64_full_keys(hint in 0usize..300, ops in ops(full_u64())) {
        run::<u64, DefaultHashBuilder>(hint, false, &ops);
    }

    #[test]
    fn box_str_keys(hint in 0usize..64, ops in ops(box_str_key())) {
        run::<Box<str>, DefaultHashBuilder>(hint, false, &ops);
    }

    #[test]
    fn string_keys(hint in 0usize..64, ops in ops(string_key())) {
        run::<String, DefaultHashBuilder>(hint, false, &ops);
    }

    #[test]
    fn stress_u64_small_keys(hint in 0usize..64, ops in ops(small_u64())) {
        run::<u64, DefaultHashBuilder>(hint, true, &ops);
    }

    #[test]
    fn stress_u64_medium_keys(hint in 0usize..300, ops in ops(medium_u64())) {
        run::<u64, DefaultHashBuilder>(hint, true, &ops);
    }

    #[test]
    fn stress_u64_full_keys(hint in 0usize..300, ops in ops(full_u64())) {
        run::<u64, DefaultHashBuilder>(hint, true, &ops);
    }

    #[test]
    fn stress_box_str_keys(hint in 0usize..64, ops in ops(box_str_key())) {
        run::<Box<str>, DefaultHashBuilder>(hint, true, &ops);
    }

    #[test]
    fn colliding_u64_small_keys(hint in 0usize..64, ops in ops(small_u64())) {
        run::<u64, Colliding>(hint, false, &ops);
    }

    #[test]
    fn colliding_u64_medium_keys(hint in 0usize..300, ops in ops(0u64..600)) {
        run::<u64, Colliding>(hint, false, &ops);
    }

    #[test]
    fn stress_colliding_u64_small_keys(hint in 0usize..64, ops in ops(small_u64())) {
        run::<u64, Colliding>(hint, true, &ops);
    }

    #[test]
    fn stress_colliding_string_keys(hint in 0usize..64, ops in ops(string_key())) {
        run::<String, Colliding>(hint, true, &ops);
    }
}

// ---------------------------------------------------------------------------
// A deterministic long run
// ---------------------------------------------------------------------------

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` ops of a seeded mix on `u64` keys. The key space changes every
/// `n / 10` ops (16, 1024, 64, 4096, 8 ...), so the map grows through many
/// doublings, shrinks by deletes, and churns at every size.
fn long_run_ops(seed: u64, n: usize) -> Vec<Op<u64>> {
    const SPACES: [u64; 10] = [16, 1024, 64, 4096, 8, 300, 2048, 2, 512, 100_000];
    let mut rng = SplitMix64(seed);
    let phase_len = (n / SPACES.len()).max(1);
    (0..n)
        .map(|i| {
            let space = SPACES[(i / phase_len) % SPACES.len()];
            let k = rng.below(space);
            let v = rng.next();
            match rng.below(1000) {
                0..=399 => Op::Insert(k, v),
                400..=549 => Op::Get(k),
                550..=749 => Op::Remove(k),
                750..=799 => Op::ContainsKey(k),
                800..=849 => Op::GetMut(k, v),
                850..=899 => Op::OrInsert(k, v),
                900..=949 => Op::AndModifyOrInsert(k, v),
                950..=979 => Op::RemoveEntry(k),
                980..=989 => Op::GetKeyValue(k),
                990..=994 => Op::EntryKey(k),
                995..=996 => Op::Retain {
                    m: 2 + rng.below(5),
                    r: rng.below(2),
                },
                997 => Op::Clone {
                    keep_clone: rng.below(2) == 0,
                },
                998 => Op::Iter,
                _ => {
                    if rng.below(8) == 0 {
                        Op::Clear
                    } else {
                        Op::Rebuild(rng.below(5000) as usize)
                    }
                }
            }
        })
        .collect()
}

const LONG_RUN: usize = if cfg!(miri) { 400 } else { 200_000 };

/// Maps reach ~60,000 entries (B = 14) here, so big maps are checked every 64
/// ops rather than after each (small ones still after every op).
#[test]
fn long_run_against_std() {
    Harness::<u64, DefaultHashBuilder>::new(0, false)
        .with_period(64)
        .run(&long_run_ops(0x5eed_0001, LONG_RUN));
}

#[test]
fn long_run_against_std_stress_tuned() {
    Harness::<u64, DefaultHashBuilder>::new(0, true)
        .with_period(64)
        .run(&long_run_ops(0x5eed_0002, LONG_RUN));
}

// ---------------------------------------------------------------------------
// Regressions: shrunk failures of the property tests above
// ---------------------------------------------------------------------------

/// Found by `box_str_keys`/`stress_box_str_keys` (string keys in chains long
/// enough to overflow): deleting every entry leaves empty overflow buckets
/// linked, so a chain can hold more buckets than the map has entries, and an
/// older `check_invariants` wrongly bounded the chain length by the count.
/// The same shape in op-list form, on the colliding hasher.
#[test]
fn regression_empty_overflow_chains_outnumber_entries() {
    let ops: Vec<Op<u64>> = (0..120)
        .map(|k| Op::Insert(k, k))
        .chain((0..120).map(Op::Remove))
        .chain([Op::Insert(7, 7), Op::Remove(7), Op::Iter])
        .collect();
    let mut h = Harness::<u64, Colliding>::new(0, false);
    h.run(&ops);
    assert!(h.map.is_empty());
    assert!(
        h.map.layout().overflow_buckets() > 0,
        "the shape was not reached"
    );
}
