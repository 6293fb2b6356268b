//! `GoMap` against `std::collections::HashMap`, op by op, over every method
//! of the std API, with `check_invariants()` after every op.
//!
//! The input picks the key type (`u8`, `u16`, `String`, [`Big`]), the value
//! type (`u16`, [`Big`]; a `Big` key or value is stored indirectly, as Go
//! does above 128 bytes), the hasher ([`Constant`], [`FewBits`], [`Good`]),
//! the hint, whether stress tuning starts on, and then a list of [`Op`]s.
#![no_main]

use std::collections::HashMap;
use std::hash::BuildHasher;

use arbitrary::{Arbitrary, Unstructured};
use gomap::{Entry, GoMap};
use gomap_fuzz::{
    begin, counts, trace, Big, Constant, FewBits, Good, HasherKind, Key, KeySpace, Value,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum KeyKind {
    U8,
    U16,
    Str,
    Big,
}

#[derive(Arbitrary, Debug)]
enum ValKind {
    U16,
    Big,
}

#[derive(Arbitrary, Debug)]
struct Config {
    keys: KeyKind,
    space: KeySpace,
    vals: ValKind,
    hasher: HasherKind,
    stress: bool,
    /// `with_capacity` hint, up to 1023.
    hint: u16,
}

/// One op, on key numbers (`K`) and seeds of values (`V`). Its
/// `Arbitrary` (below) weighs the kinds: writes and removes are most ops.
#[derive(Clone, Debug)]
enum Op<K, V> {
    Insert(K, V),
    Get(K),
    GetMut(K, u8),
    GetKeyValue(K),
    ContainsKey(K),
    Index(K),
    Remove(K),
    RemoveEntry(K),
    Entry(K, EntryOp<V>),
    /// `retain`: drop entries whose `num() % (m + 1) == r`, bump the rest.
    Retain(u8, u8),
    /// `drain()`: `None` to the end, `Some(n)` for `n` entries then drop.
    Drain(Option<u8>),
    /// `into_iter()`: `None` to the end, `Some(n)` for `n` entries; the map
    /// is rebuilt from what came out.
    IntoIter(Option<u8>),
    IntoKeys,
    IntoValues,
    /// `extend` with these pairs (the first [`MAX_EXTEND`] of them).
    Extend(Vec<(K, V)>),
    /// `extend` with keys `k`, `k + 1`, ... `k + n - 1` (at most
    /// [`MAX_EXTEND`]), each with this value bumped by its index: many
    /// distinct keys from four bytes, where random inputs mostly repeat one.
    ExtendRun(u8, u8, V),
    Clear,
    Reserve(u8),
    TryReserve(u8),
    /// `try_reserve` of more than memory holds: an error, map untouched.
    TryReserveHuge(bool),
    ShrinkToFit,
    /// `iter`, `&map` into_iter, `keys`, `values`, `Debug`: compared as multisets.
    Iter,
    IterMut(u8),
    ValuesMut(u8),
    IntoIterMut(u8),
    Clone(bool),
    PartialEq,
    /// Move everything into a fresh `with_capacity(hint)` map.
    Rebuild(u8),
    Stress(bool),
    /// `stats()` and `layout()` agree with the count.
    Introspect,
}

/// One byte picks the kind of op; inserts, removes, lookups and the entry
/// API take most of the byte's range, so that random inputs build maps up
/// and tear them down rather than call `shrink_to_fit` a thousand times
/// (the derived impl spends four bytes per choice and weighs all 29 kinds
/// alike).
impl<'a, K: Arbitrary<'a>, V: Arbitrary<'a>> Arbitrary<'a> for Op<K, V> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? {
            0..=63 | 234..=255 => Op::Insert(u.arbitrary()?, u.arbitrary()?),
            64..=103 => Op::Remove(u.arbitrary()?),
            104..=111 => Op::RemoveEntry(u.arbitrary()?),
            112..=127 => Op::Get(u.arbitrary()?),
            128..=131 => Op::GetMut(u.arbitrary()?, u.arbitrary()?),
            132..=135 => Op::GetKeyValue(u.arbitrary()?),
            136..=139 => Op::ContainsKey(u.arbitrary()?),
            140..=143 => Op::Index(u.arbitrary()?),
            144..=175 => Op::Entry(u.arbitrary()?, u.arbitrary()?),
            176..=179 => Op::Retain(u.arbitrary()?, u.arbitrary()?),
            180..=181 => Op::Drain(u.arbitrary()?),
            182..=183 => Op::IntoIter(u.arbitrary()?),
            184 => Op::IntoKeys,
            185 => Op::IntoValues,
            186..=187 => Op::Extend(u.arbitrary()?),
            188..=193 => Op::ExtendRun(u.arbitrary()?, u.arbitrary()?, u.arbitrary()?),
            194..=195 => Op::Clear,
            196..=199 => Op::Reserve(u.arbitrary()?),
            200..=201 => Op::TryReserve(u.arbitrary()?),
            202 => Op::TryReserveHuge(u.arbitrary()?),
            203 => Op::ShrinkToFit,
            204..=209 => Op::Iter,
            210..=211 => Op::IterMut(u.arbitrary()?),
            212..=213 => Op::ValuesMut(u.arbitrary()?),
            214..=215 => Op::IntoIterMut(u.arbitrary()?),
            216..=219 => Op::Clone(u.arbitrary()?),
            220..=221 => Op::PartialEq,
            222..=225 => Op::Rebuild(u.arbitrary()?),
            226..=229 => Op::Stress(u.arbitrary()?),
            230..=233 => Op::Introspect,
        })
    }
}

/// What to do with `map.entry(k)`.
#[derive(Arbitrary, Clone, Debug)]
enum EntryOp<V> {
    OrInsert(V),
    OrInsertWith(V),
    OrInsertWithKey(V),
    OrDefault,
    AndModifyOrInsert(u8, V),
    /// Occupied: `insert` (and `take_key`); vacant: `insert`.
    Insert(V),
    /// Occupied: `remove`; vacant: `into_key`.
    Remove,
    /// Occupied: `remove_entry`; vacant: dropped.
    RemoveEntry,
    /// Occupied: `get_mut` then `into_mut`.
    Modify(u8),
    Key,
}

/// Above this many entries, contents are compared every [`FULL_EVERY`] ops
/// (and at the end) instead of after every op: with [`Constant`] a lookup
/// walks the whole chain, and per-op full checks would go cubic.
const FULL_MAX: usize = 64;
const FULL_EVERY: usize = 16;

/// `Extend` takes at most this many pairs: a longer list from a long input
/// would make one op build a map of thousands of entries, which every later
/// op then checks in full (and, with [`Constant`], searches end to end).
const MAX_EXTEND: usize = 64;

struct Run<K, V, S> {
    map: GoMap<K, V, S>,
    model: HashMap<K, V>,
    stress: bool,
    space: KeySpace,
    step: usize,
}

impl<K: Key, V: Value, S: BuildHasher + Clone + Default> Run<K, V, S> {
    fn fresh(&self, hint: usize) -> GoMap<K, V, S> {
        let mut m = GoMap::with_capacity_and_hasher(hint, S::default());
        m.set_stress_tuning(self.stress);
        m
    }

    fn adopt(&mut self, mut m: GoMap<K, V, S>) {
        m.set_stress_tuning(self.stress);
        self.map = m;
    }

    fn check(&mut self) {
        self.step += 1;
        self.map.check_invariants();
        assert_eq!(self.map.len(), self.model.len(), "len");
        assert_eq!(self.map.is_empty(), self.model.is_empty(), "is_empty");
        assert!(self.map.capacity() >= self.map.len(), "capacity < len");
        if self.model.len() <= FULL_MAX || self.step.is_multiple_of(FULL_EVERY) {
            self.check_full();
        }
    }

    fn check_full(&self) {
        for (k, v) in &self.model {
            assert_eq!(self.map.get(k.q()), Some(v), "get({k:?})");
        }
    }

    /// `got` holds each model entry exactly once and nothing else.
    fn same_entries<'a>(&self, got: impl IntoIterator<Item = (&'a K, &'a V)>)
    where
        K: 'a,
        V: 'a,
    {
        let got: Vec<_> = got.into_iter().collect();
        assert_eq!(got.len(), self.model.len(), "entries yielded");
        for (k, v) in got {
            assert_eq!(self.model.get(k.q()), Some(v), "yielded {k:?}");
        }
        // Equal lengths and every yielded key in the model: no key twice
        // unless another is missing, which the key counts rule out.
    }

    fn apply(&mut self, op: &Op<u8, V::Seed>) {
        let space = self.space;
        let (map, model) = (&mut self.map, &mut self.model);
        match op {
            Op::Insert(k, v) => {
                let (k, v) = (space.key::<K>(*k), V::make(v));
                assert_eq!(map.insert(k.clone(), v.clone()), model.insert(k, v));
            }
            Op::Get(k) => {
                let k = space.key::<K>(*k);
                assert_eq!(map.get(k.q()), model.get(k.q()));
            }
            Op::GetMut(k, by) => {
                let k = space.key::<K>(*k);
                match (map.get_mut(k.q()), model.get_mut(k.q())) {
                    (Some(a), Some(b)) => {
                        a.bump(*by);
                        b.bump(*by);
                    }
                    (None, None) => {}
                    (a, b) => panic!("get_mut({k:?}): {a:?} vs {b:?}"),
                }
            }
            Op::GetKeyValue(k) => {
                let k = space.key::<K>(*k);
                assert_eq!(map.get_key_value(k.q()), model.get_key_value(k.q()));
            }
            Op::ContainsKey(k) => {
                let k = space.key::<K>(*k);
                assert_eq!(map.contains_key(k.q()), model.contains_key(k.q()));
            }
            Op::Index(k) => {
                let k = space.key::<K>(*k);
                if let Some(v) = model.get(k.q()) {
                    assert_eq!(&map[k.q()], v);
                }
            }
            Op::Remove(k) => {
                let k = space.key::<K>(*k);
                assert_eq!(map.remove(k.q()), model.remove(k.q()));
            }
            Op::RemoveEntry(k) => {
                let k = space.key::<K>(*k);
                assert_eq!(map.remove_entry(k.q()), model.remove_entry(k.q()));
            }
            Op::Entry(k, e) => entry(map, model, space.key::<K>(*k), e),
            Op::Retain(m, r) => {
                let keep = |k: &K| k.num() % (u64::from(*m) + 1) != u64::from(*r);
                map.retain(|k, v| {
                    v.bump(1);
                    keep(k)
                });
                model.retain(|k, v| {
                    v.bump(1);
                    keep(k)
                });
            }
            Op::Drain(n) => {
                let got: Vec<(K, V)> = match n {
                    None => map.drain().collect(),
                    Some(n) => map.drain().take(usize::from(*n)).collect(),
                };
                assert!(map.is_empty(), "drain left entries");
                if n.is_none() {
                    assert_eq!(got.len(), model.len(), "drained entries");
                }
                assert_eq!(
                    counts(got.iter().map(|(k, _)| k)).len(),
                    got.len(),
                    "drained a key twice"
                );
                for (k, v) in &got {
                    assert_eq!(model.get(k.q()), Some(v), "drained {k:?}");
                }
                model.clear();
            }
            Op::IntoIter(n) => {
                let old = std::mem::replace(map, GoMap::with_hasher(S::default()));
                let it = old.into_iter();
                assert_eq!(it.len(), model.len(), "into_iter len");
                let got: Vec<(K, V)> = match n {
                    None => it.collect(),
                    Some(n) => it.take(usize::from(*n)).collect(),
                };
                self.same_or_subset(&got, n.is_none());
                self.model = got.iter().cloned().collect();
                let rebuilt: GoMap<K, V, S> = got.into_iter().collect();
                self.adopt(rebuilt);
            }
            Op::IntoKeys => {
                let old = std::mem::replace(map, GoMap::with_hasher(S::default()));
                let keys: Vec<K> = old.into_keys().collect();
                assert_eq!(counts(&keys), counts(model.keys()), "into_keys");
                let rebuilt = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                self.adopt(rebuilt);
            }
            Op::IntoValues => {
                let old = std::mem::replace(map, GoMap::with_hasher(S::default()));
                let vals: Vec<V> = old.into_values().collect();
                assert_eq!(counts(&vals), counts(model.values()), "into_values");
                model.clear();
                self.map = self.fresh(0);
            }
            Op::Extend(pairs) => {
                let pairs: Vec<(K, V)> = pairs
                    .iter()
                    .take(MAX_EXTEND)
                    .map(|(k, v)| (space.key::<K>(*k), V::make(v)))
                    .collect();
                map.extend(pairs.iter().cloned());
                model.extend(pairs);
            }
            Op::ExtendRun(k, n, v) => {
                let pairs: Vec<(K, V)> = (0..(*n).min(MAX_EXTEND as u8))
                    .map(|i| {
                        let mut v = V::make(v);
                        v.bump(i);
                        (space.key::<K>(k.wrapping_add(i)), v)
                    })
                    .collect();
                map.extend(pairs.iter().cloned());
                model.extend(pairs);
            }
            Op::Clear => {
                map.clear();
                model.clear();
            }
            Op::Reserve(n) => {
                map.reserve(usize::from(*n));
                assert!(
                    map.capacity() >= map.len() + usize::from(*n),
                    "reserve({n})"
                );
            }
            Op::TryReserve(n) => {
                map.try_reserve(usize::from(*n)).expect("small try_reserve");
                assert!(
                    map.capacity() >= map.len() + usize::from(*n),
                    "try_reserve({n})"
                );
            }
            Op::TryReserveHuge(max) => {
                let before = format!("{:?}", map.header());
                let n = if *max { usize::MAX } else { usize::MAX / 1024 };
                assert!(map.try_reserve(n).is_err(), "try_reserve({n}) succeeded");
                assert_eq!(
                    format!("{:?}", map.header()),
                    before,
                    "a failed try_reserve changed the map"
                );
            }
            Op::ShrinkToFit => map.shrink_to_fit(),
            Op::Iter => {
                let it = self.map.iter();
                assert_eq!(it.len(), self.model.len(), "iter len");
                self.same_entries(it);
                self.same_entries(&self.map);
                assert_eq!(counts(self.map.keys()), counts(self.model.keys()), "keys");
                assert_eq!(
                    counts(self.map.values()),
                    counts(self.model.values()),
                    "values"
                );
                let _ = format!("{:?}", self.map);
            }
            Op::IterMut(by) => {
                let mut n = 0;
                for (_, v) in map.iter_mut() {
                    v.bump(*by);
                    n += 1;
                }
                assert_eq!(n, model.len(), "iter_mut");
                model.values_mut().for_each(|v| v.bump(*by));
            }
            Op::ValuesMut(by) => {
                map.values_mut().for_each(|v| v.bump(*by));
                model.values_mut().for_each(|v| v.bump(*by));
            }
            Op::IntoIterMut(by) => {
                for (_, v) in &mut *map {
                    v.bump(*by);
                }
                model.values_mut().for_each(|v| v.bump(*by));
            }
            Op::Clone(keep) => {
                let c = map.clone();
                c.check_invariants();
                assert!(c == *map, "clone != original");
                assert_eq!(c.header().b, map.header().b, "clone's B");
                if *keep {
                    self.adopt(c);
                }
            }
            Op::PartialEq => {
                let mut other: GoMap<K, V, S> =
                    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                assert!(*map == other, "== a map of the same entries");
                if let Some(k) = model.keys().next().cloned() {
                    let mut v = other[k.q()].clone();
                    v.bump(1);
                    if v == other[k.q()] {
                        v.bump(2);
                    }
                    other.insert(k.clone(), v);
                    assert!(*map != other, "== with a changed value");
                    other.remove(k.q());
                    assert!(*map != other, "== with an entry fewer");
                }
            }
            Op::Rebuild(hint) => {
                let mut m = self.fresh(usize::from(*hint));
                m.extend(self.map.drain());
                self.map = m;
            }
            Op::Stress(on) => {
                self.stress = *on;
                map.set_stress_tuning(*on);
            }
            Op::Introspect => {
                assert_eq!(map.stats().count, model.len(), "stats().count");
                assert_eq!(map.header().count, model.len(), "header().count");
                let _ = map.layout().buckets.len();
            }
        }
    }

    /// `got` is the model's entries (all of them when `all`), each once.
    fn same_or_subset(&self, got: &[(K, V)], all: bool) {
        if all {
            assert_eq!(got.len(), self.model.len(), "entries yielded");
        }
        assert_eq!(
            counts(got.iter().map(|(k, _)| k)).len(),
            got.len(),
            "a key twice"
        );
        for (k, v) in got {
            assert_eq!(self.model.get(k.q()), Some(v), "yielded {k:?}");
        }
    }
}

fn entry<K: Key, V: Value, S: BuildHasher>(
    map: &mut GoMap<K, V, S>,
    model: &mut HashMap<K, V>,
    k: K,
    e: &EntryOp<V::Seed>,
) {
    match e {
        EntryOp::OrInsert(v) => {
            let v = V::make(v);
            let a = map.entry(k.clone()).or_insert(v.clone()).clone();
            assert_eq!(&a, model.entry(k).or_insert(v));
        }
        EntryOp::OrInsertWith(v) => {
            let v = V::make(v);
            let a = map.entry(k.clone()).or_insert_with(|| v.clone()).clone();
            assert_eq!(&a, model.entry(k).or_insert(v));
        }
        EntryOp::OrInsertWithKey(v) => {
            let v = V::make(v);
            let a = map
                .entry(k.clone())
                .or_insert_with_key(|key| {
                    assert_eq!(key, &k, "or_insert_with_key's key");
                    v.clone()
                })
                .clone();
            assert_eq!(&a, model.entry(k).or_insert(v));
        }
        EntryOp::OrDefault => {
            let a = map.entry(k.clone()).or_default();
            a.bump(3);
            let b = model.entry(k).or_default();
            b.bump(3);
            assert_eq!(a, b);
        }
        EntryOp::AndModifyOrInsert(by, v) => {
            let v = V::make(v);
            let a = map
                .entry(k.clone())
                .and_modify(|x| x.bump(*by))
                .or_insert(v.clone())
                .clone();
            let b = model.entry(k).and_modify(|x| x.bump(*by)).or_insert(v);
            assert_eq!(&a, b);
        }
        EntryOp::Insert(v) => {
            let v = V::make(v);
            match map.entry(k.clone()) {
                Entry::Occupied(mut o) => {
                    assert_eq!(o.key(), &k);
                    assert_eq!(Some(o.get()), model.get(k.q()));
                    assert_eq!(o.take_key().as_ref(), Some(&k), "take_key");
                    assert!(o.take_key().is_none(), "take_key twice");
                    let old = o.insert(v.clone());
                    assert_eq!(Some(old), model.insert(k, v));
                }
                Entry::Vacant(vac) => {
                    assert!(!model.contains_key(k.q()), "vacant, but in the model");
                    assert_eq!(vac.key(), &k);
                    assert_eq!(vac.insert(v.clone()), &v);
                    model.insert(k, v);
                }
            }
        }
        EntryOp::Remove => match map.entry(k.clone()) {
            Entry::Occupied(o) => assert_eq!(Some(o.remove()), model.remove(k.q())),
            Entry::Vacant(vac) => {
                assert!(!model.contains_key(k.q()), "vacant, but in the model");
                assert_eq!(vac.into_key(), k);
            }
        },
        EntryOp::RemoveEntry => match map.entry(k.clone()) {
            Entry::Occupied(o) => assert_eq!(Some(o.remove_entry()), model.remove_entry(k.q())),
            Entry::Vacant(_) => assert!(!model.contains_key(k.q()), "vacant, but in the model"),
        },
        EntryOp::Modify(by) => match map.entry(k.clone()) {
            Entry::Occupied(mut o) => {
                o.get_mut().bump(*by);
                o.into_mut().bump(*by);
                let b = model
                    .get_mut(k.q())
                    .expect("occupied, but not in the model");
                b.bump(*by);
                b.bump(*by);
            }
            Entry::Vacant(_) => assert!(!model.contains_key(k.q()), "vacant, but in the model"),
        },
        EntryOp::Key => assert_eq!(map.entry(k.clone()).key(), &k),
    }
}

fn run<K: Key, V: Value, S: BuildHasher + Clone + Default>(cfg: &Config, u: &mut Unstructured<'_>) {
    let mut r = Run::<K, V, S> {
        map: GoMap::with_hasher(S::default()),
        model: HashMap::new(),
        stress: cfg.stress,
        space: cfg.space,
        step: 0,
    };
    r.map = r.fresh(usize::from(cfg.hint % 1024));
    r.check();
    for op in u.arbitrary_iter::<Op<u8, V::Seed>>().into_iter().flatten() {
        let Ok(op) = op else { break };
        if trace() {
            eprintln!("{op:?}");
        }
        r.apply(&op);
        r.check();
    }
    r.check_full();
}

fn with_vals<K: Key, S: BuildHasher + Clone + Default>(cfg: &Config, u: &mut Unstructured<'_>) {
    match cfg.vals {
        ValKind::U16 => run::<K, u16, S>(cfg, u),
        ValKind::Big => run::<K, Big, S>(cfg, u),
    }
}

fn with_keys<S: BuildHasher + Clone + Default>(cfg: &Config, u: &mut Unstructured<'_>) {
    match cfg.keys {
        KeyKind::U8 => with_vals::<u8, S>(cfg, u),
        KeyKind::U16 => with_vals::<u16, S>(cfg, u),
        KeyKind::Str => with_vals::<String, S>(cfg, u),
        KeyKind::Big => with_vals::<Big, S>(cfg, u),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Some(cfg) = begin::<Config>(&mut u) else {
        return;
    };
    match cfg.hasher {
        HasherKind::Constant => with_keys::<Constant>(&cfg, &mut u),
        HasherKind::FewBits => with_keys::<FewBits>(&cfg, &mut u),
        HasherKind::Good => with_keys::<Good>(&cfg, &mut u),
    }
});
