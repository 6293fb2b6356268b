//! Model tests: `SwissMap` against `std::collections::HashMap`, with
//! `check_invariants()` after every op, and `range()` cursors under
//! deletes, inserts, growth and splits.
//!
//! One operation model ([`Op`]) drives the property tests on `u64` keys
//! from a small key space (deletes and overwrites hit, tombstones and
//! prunes happen), a larger one (tables grow and split), `String` keys,
//! and a colliding hasher (3 H2 values, 5 home groups, 4 directory
//! prefixes), so probes are long, `Eq` runs on nearly every probe and
//! groups fill up, leaving tombstones.
//!
//! Under Miri the case counts and sequence lengths shrink (see [`config`]).
#![forbid(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::hash::{BuildHasher, Hash, Hasher};

use gomap::{DefaultHashBuilder, SwissMap, SwissWithHasher};
use proptest::prelude::*;

/// One operation. Values are always `u64`.
#[derive(Clone, Debug)]
enum Op<K> {
    Insert(K, u64),
    Get(K),
    GetMut(K, u64),
    Remove(K),
    RemoveEntry(K),
    Clear,
    Retain {
        m: u64,
        r: u64,
    },
    OrInsert(K, u64),
    EntryRemove(K),
    Drain,
    DrainPart(usize),
    IntoIterPart(usize),
    Iter,
    IterMut(u64),
    Clone,
    Extend(Vec<(K, u64)>),
    Reserve(usize),
    /// Walk a `range()` cursor to the end with no changes: exactly the
    /// model's entries.
    Range,
}

trait ModelKey: Clone + Hash + Eq + Debug + Ord {
    fn num(&self) -> u64;
}
impl ModelKey for u64 {
    fn num(&self) -> u64 {
        *self
    }
}
impl ModelKey for String {
    fn num(&self) -> u64 {
        self.bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    }
}

/// 3 H2 values, 5 home groups, 4 directory prefixes, seed mixed in.
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
        (x % 3) | ((x % 5) << 7) | ((x % 4) << 62)
    }
}
impl BuildHasher for Colliding {
    type Hasher = CollidingHasher;
    fn build_hasher(&self) -> CollidingHasher {
        CollidingHasher(0xcbf2_9ce4_8422_2325)
    }
}

struct Harness<K, S> {
    map: SwissMap<K, u64, S>,
    model: HashMap<K, u64>,
    step: usize,
}

impl<K: ModelKey, S: BuildHasher + Default + Clone> Harness<K, S> {
    fn new(hint: usize) -> Self {
        Harness {
            map: SwissMap::with_capacity_and_hasher(hint, S::default()),
            model: HashMap::new(),
            step: 0,
        }
    }

    fn run(&mut self, ops: &[Op<K>]) {
        for op in ops {
            self.apply(op);
            self.check();
        }
        self.check_full();
    }

    fn check(&mut self) {
        self.step += 1;
        if !cfg!(miri) || self.step % 8 == 0 {
            self.map.check_invariants();
        }
        assert_eq!(self.map.len(), self.model.len(), "len");
        assert_eq!(self.map.header().used, self.model.len(), "header().used");
        assert!(self.map.capacity() >= self.map.len());
        if self.model.len() <= 64 || self.step % 32 == 0 {
            self.check_full();
        }
    }

    fn check_full(&self) {
        for (k, v) in &self.model {
            assert_eq!(self.map.get(k), Some(v), "get({k:?})");
        }
        assert_eq!(self.map.iter().count(), self.model.len());
    }

    fn apply(&mut self, op: &Op<K>) {
        let (map, model) = (&mut self.map, &mut self.model);
        match op {
            Op::Insert(k, v) => assert_eq!(map.insert(k.clone(), *v), model.insert(k.clone(), *v)),
            Op::Get(k) => assert_eq!(map.get(k), model.get(k)),
            Op::GetMut(k, d) => {
                let a = map.get_mut(k).map(|v| {
                    *v = v.wrapping_add(*d);
                    *v
                });
                let b = model.get_mut(k).map(|v| {
                    *v = v.wrapping_add(*d);
                    *v
                });
                assert_eq!(a, b);
            }
            Op::Remove(k) => {
                let seed = map.header().seed;
                assert_eq!(map.remove(k), model.remove(k));
                // Go re-rolls the seed exactly when a delete empties the map.
                let rerolled = map.header().seed != seed;
                if rerolled {
                    assert!(
                        model.is_empty(),
                        "seed changed on a delete that left entries"
                    );
                }
            }
            Op::RemoveEntry(k) => assert_eq!(map.remove_entry(k), model.remove_entry(k)),
            Op::Clear => {
                let before = map.header();
                map.clear();
                model.clear();
                let after = map.header();
                if before.used == 0 && !before.tombstone_possible {
                    assert_eq!(before, after, "a no-op clear changes nothing");
                } else {
                    assert_eq!(after.clear_seq, before.clear_seq + 1);
                    assert_eq!(
                        (after.dir_len, after.global_depth),
                        (before.dir_len, before.global_depth)
                    );
                    assert!(!after.tombstone_possible);
                    let l = map.layout();
                    assert_eq!(l.tombstones, 0);
                    assert!(l.tables.iter().all(|t| t.growth_left == t.capacity * 7 / 8));
                }
            }
            Op::Retain { m, r } => {
                let (m, r) = (*m, *r);
                map.retain(|k, v| {
                    *v = v.wrapping_add(1);
                    k.num() % m != r
                });
                model.retain(|k, v| {
                    *v = v.wrapping_add(1);
                    k.num() % m != r
                });
            }
            Op::OrInsert(k, v) => {
                *map.entry(k.clone()).or_insert(*v) += 1;
                *model.entry(k.clone()).or_insert(*v) += 1;
            }
            Op::EntryRemove(k) => {
                let a = match map.entry(k.clone()) {
                    gomap::Entry::Occupied(o) => Some(o.remove()),
                    gomap::Entry::Vacant(_) => None,
                };
                assert_eq!(a, model.remove(k));
            }
            Op::Drain => {
                let mut a: Vec<_> = map.drain().collect();
                let mut b: Vec<_> = model.drain().collect();
                a.sort();
                b.sort();
                assert_eq!(a, b);
            }
            Op::DrainPart(n) => {
                let got: Vec<_> = map.drain().take(*n).collect();
                for (k, v) in got {
                    assert_eq!(model.get(&k), Some(&v));
                }
                model.clear();
            }
            Op::IntoIterPart(n) => {
                let m = std::mem::replace(map, SwissMap::with_hasher(S::default()));
                let got: Vec<_> = m.into_iter().take(*n).collect();
                for (k, v) in got {
                    assert_eq!(model.get(&k), Some(&v));
                }
                model.clear();
            }
            Op::Iter => {
                // `next` and `fold` (the engine's own) walk the same order,
                // from the start and from part way.
                let mut it = map.iter();
                let head: Vec<(K, u64)> =
                    it.by_ref().take(2).map(|(k, v)| (k.clone(), *v)).collect();
                let mut by_next = head.clone();
                // A `for` loop calls `next`.
                for (k, v) in it.clone() {
                    by_next.push((k.clone(), *v));
                }
                let by_fold = it.fold(head, |mut acc, (k, v)| {
                    acc.push((k.clone(), *v));
                    acc
                });
                assert_eq!(by_next, by_fold);
                let a: HashMap<_, _> = by_fold.into_iter().collect();
                assert_eq!(&a, model);
                assert_eq!(map.iter().len(), model.len());
            }
            Op::IterMut(d) => {
                for (_, v) in map.iter_mut() {
                    *v ^= d;
                }
                for v in model.values_mut() {
                    *v ^= d;
                }
            }
            Op::Clone => {
                let c = map.clone();
                c.check_invariants();
                assert_eq!(c.header().used, map.header().used);
                assert_eq!(c.layout().dir, map.layout().dir);
                *map = c;
            }
            Op::Extend(pairs) => {
                map.extend(pairs.iter().cloned());
                model.extend(pairs.iter().cloned());
            }
            Op::Reserve(n) => {
                map.reserve(*n);
                assert!(map.capacity() >= map.len() + n);
            }
            Op::Range => {
                let mut r = map.range();
                let mut seen = HashSet::new();
                while let Some((k, v)) = r.next(map) {
                    assert_eq!(model.get(k), Some(v));
                    assert!(seen.insert(k.clone()), "range yielded {k:?} twice");
                }
                assert_eq!(seen.len(), model.len());
            }
        }
    }
}

fn op_strategy<K: ModelKey + 'static>(
    key: impl Strategy<Value = K> + Clone + 'static,
) -> impl Strategy<Value = Op<K>> {
    let k = key.clone();
    prop_oneof![
        30 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Op::Insert(k, v)),
        10 => k.clone().prop_map(Op::Get),
        4 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        20 => k.clone().prop_map(Op::Remove),
        3 => k.clone().prop_map(Op::RemoveEntry),
        1 => Just(Op::Clear),
        1 => (2u64..6, 0u64..6).prop_map(|(m, r)| Op::Retain { m, r }),
        5 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Op::OrInsert(k, v)),
        3 => k.clone().prop_map(Op::EntryRemove),
        1 => Just(Op::Drain),
        1 => (0usize..5).prop_map(Op::DrainPart),
        1 => (0usize..5).prop_map(Op::IntoIterPart),
        2 => Just(Op::Iter),
        1 => any::<u64>().prop_map(Op::IterMut),
        1 => Just(Op::Clone),
        1 => proptest::collection::vec((key, any::<u64>()), 0..20).prop_map(Op::Extend),
        1 => (0usize..40).prop_map(Op::Reserve),
        2 => Just(Op::Range),
    ]
}

fn config() -> ProptestConfig {
    if cfg!(miri) {
        ProptestConfig {
            cases: 4,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    } else {
        ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }
}

/// Sequence length: long enough to grow through several tables natively.
const LEN: usize = if cfg!(miri) { 60 } else { 1500 };

proptest! {
    #![proptest_config(config())]

    #[test]
    fn model_u64_small_keys(hint in 0usize..40, ops in proptest::collection::vec(op_strategy(0u64..24), 0..LEN)) {
        Harness::<u64, DefaultHashBuilder>::new(hint).run(&ops);
    }

    #[test]
    fn model_u64_medium_keys(hint in 0usize..2000, ops in proptest::collection::vec(op_strategy(0u64..3000), 0..LEN)) {
        Harness::<u64, DefaultHashBuilder>::new(hint).run(&ops);
    }

    #[test]
    fn model_string_keys(ops in proptest::collection::vec(op_strategy((0u32..200).prop_map(|i| format!("key-{i}"))), 0..LEN)) {
        Harness::<String, DefaultHashBuilder>::new(0).run(&ops);
    }

    #[test]
    fn model_colliding(ops in proptest::collection::vec(op_strategy(0u64..120), 0..LEN)) {
        Harness::<u64, Colliding>::new(0).run(&ops);
    }
}

/// A deterministic churn run: inserts grow the map through splits and
/// directory doublings, deletes leave tombstones, with checks throughout.
#[test]
fn long_churn_against_std() {
    let n: u64 = if cfg!(miri) { 300 } else { 60_000 };
    let space = if cfg!(miri) { 40 } else { 6_000 };
    let mut h = Harness::<u64, DefaultHashBuilder>::new(0);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = x % space;
        let op = if x % 5 < 3 {
            Op::Insert(k, x)
        } else {
            Op::Remove(k)
        };
        h.apply(&op);
        h.step += 1;
        if h.step % 101 == 0 {
            h.map.check_invariants();
            h.check_full();
        }
    }
    h.map.check_invariants();
    h.check_full();
}

/// Grows one map through directory doublings large enough that the next
/// doubling's image is still partly built when later splits write to it
/// (past 8 entries a split copies only part of it), checking the
/// invariants, which compare every entry, address and head with its
/// image, and every key's lookup as the directory grows.
#[test]
fn directory_built_ahead_through_doublings() {
    let n: u64 = if cfg!(miri) { 1_200 } else { 80_000 };
    let every = if cfg!(miri) { 397 } else { 1_999 };
    let mut m: SwissMap<u64, u64> = SwissMap::default();
    let mut dir_lens = Vec::new();
    for i in 0..n {
        let k = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        assert_eq!(m.insert(k, i), None);
        if i % every == 0 {
            m.check_invariants();
            let d = m.stats().header.dir_len;
            if dir_lens.last() != Some(&d) {
                dir_lens.push(d);
            }
        }
    }
    m.check_invariants();
    for i in 0..n {
        assert_eq!(m.get(&i.wrapping_mul(0x9e37_79b9_7f4a_7c15)), Some(&i));
    }
    for i in (0..n).step_by(3) {
        assert_eq!(m.remove(&i.wrapping_mul(0x9e37_79b9_7f4a_7c15)), Some(i));
    }
    m.check_invariants();
    if !cfg!(miri) {
        assert!(
            dir_lens.last().is_some_and(|&d| d >= 64),
            "the directory grew to {dir_lens:?} only"
        );
    }
}

/// The split reserve (`swiss/reserve.rs`) and the directory image's
/// preparation change only where a split's memory comes from: a map that
/// drops them over and over (`shrink_to_fit`) keeps the layout of its
/// identical twin that does not, through grows, splits, doublings and
/// deletes; the reserve stays within its two full-size arrays and buffer.
fn reserve_twins<S: BuildHasher + Clone>(mut a: SwissMap<u64, u64, S>) {
    let n: u64 = if cfg!(miri) { 2_500 } else { 60_000 };
    let every = if cfg!(miri) { 499 } else { 4_999 };
    a.insert(u64::MAX, 0);
    let mut b = a.clone();
    let mut most = 0;
    for i in 0..n {
        let k = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        assert_eq!(a.insert(k, i), b.insert(k, i));
        if i % 4 == 3 {
            let old = (i / 2).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            assert_eq!(a.remove(&old), b.remove(&old));
        }
        if i % 97 == 0 {
            b.shrink_to_fit();
            assert_eq!(b.stats().bytes.reserve, 0);
        }
        if i % 31 == 0 {
            most = most.max(a.stats().bytes.reserve);
        }
        if i % every == 0 {
            a.check_invariants();
            b.check_invariants();
            assert_eq!(format!("{:?}", a.layout()), format!("{:?}", b.layout()));
        }
    }
    a.check_invariants();
    assert_eq!(format!("{:?}", a.layout()), format!("{:?}", b.layout()));
    // Two arrays of 128 groups of 136 bytes, 896 hashes, a little `Vec`.
    assert!(most > 0, "the reserve was never used");
    assert!(
        most <= 2 * 128 * 136 + 896 * 8 + 64,
        "reserve of {most} bytes"
    );
    assert_eq!(
        a.clone().stats().bytes.reserve,
        0,
        "a clone starts without one"
    );
}

#[test]
fn split_reserve_changes_no_layout() {
    reserve_twins(SwissMap::<u64, u64>::default());
}

/// Regression (CI, stop 24: "reserve of 48992 bytes", about 1 run in 20
/// with random seeds): a split of a table holding fewer than 896 entries
/// left the kept hash buffer a few hashes short of the next full split,
/// and `Vec::reserve` then doubled it to 1,772 hashes. This hasher and
/// seed reproduce it. The growth moves have had no hash buffer since
/// they hash each key as they move it (session 16); the test stays, for
/// the reserve's bound on the same map.
// Under Miri the random-seeded twin above runs the same code.
#[test]
#[cfg_attr(miri, ignore)]
fn split_hash_buffer_stays_one_table() {
    let mut next = 0u32;
    let seeds = move || {
        next = next.wrapping_add(0x9e37_79b9);
        next
    };
    reserve_twins(SwissMap::<u64, u64, _>::with_capacity_hasher_and_seeds(
        0,
        foldhash::fast::FixedState::with_seed(15),
        seeds,
    ));
}

// ---------------------------------------------------------------------------
// range() cursors
// ---------------------------------------------------------------------------

/// Walks a cursor while `step` changes the map after every yielded entry;
/// checks the contract: everything present throughout is yielded exactly
/// once, nothing twice, nothing that was removed before the cursor
/// reached it.
fn range_contract<S: BuildHasher + Default + Clone>(
    initial: u64, mut step: impl FnMut(&mut SwissMap<u64, u64, S>, u64, &mut HashSet<u64>),
) {
    let mut m: SwissMap<u64, u64, S> = SwissMap::with_hasher(S::default());
    for i in 0..initial {
        m.insert(i, i);
    }
    let before: HashSet<u64> = m.keys().copied().collect();
    let mut removed = HashSet::new();
    let mut seen = HashSet::new();
    let mut r = m.range();
    while let Some((&k, _)) = r.next(&m) {
        assert!(seen.insert(k), "yielded {k} twice");
        assert!(
            !removed.contains(&k) || m.contains_key(&k),
            "yielded removed {k}"
        );
        step(&mut m, k, &mut removed);
        if !cfg!(miri) || seen.len() % 8 == 0 {
            m.check_invariants();
        }
    }
    for k in &before {
        if !removed.contains(k) {
            assert!(seen.contains(k), "{k} present throughout was not yielded");
        }
    }
}

/// Entries a range test starts with: enough for a directory natively.
const RANGE_N: u64 = if cfg!(miri) { 30 } else { 3000 };

#[test]
fn range_with_deletes() {
    range_contract::<DefaultHashBuilder>(RANGE_N, |m, k, removed| {
        // Delete the yielded key and one ahead of it.
        for d in [k, k.wrapping_mul(7) % RANGE_N] {
            if m.remove(&d).is_some() {
                removed.insert(d);
            }
        }
    });
}

#[test]
fn range_with_inserts_through_splits() {
    let mut next = 100_000u64;
    range_contract::<DefaultHashBuilder>(RANGE_N / 6, move |m, _, _| {
        // Four inserts per step: the map grows from one table through
        // splits and directory doublings while the cursor runs.
        for _ in 0..4 {
            m.insert(next, 0);
            next += 1;
        }
    });
}

#[test]
fn range_with_churn_and_colliding_hashes() {
    let mut next = 10_000u64;
    range_contract::<Colliding>(RANGE_N / 15, move |m, k, removed| {
        if k % 3 == 0 && m.remove(&(k / 3)).is_some() {
            removed.insert(k / 3);
        }
        m.insert(next, 1);
        next += 1;
    });
}

#[test]
fn range_ends_when_the_map_is_emptied() {
    let mut m: SwissMap<u64, u64> = (0..100u64).map(|i| (i, i)).collect();
    let mut r = m.range();
    assert!(r.next(&m).is_some());
    m.clear();
    m.insert(5, 5);
    assert_eq!(r.next(&m), None, "a reseed ends the cursor");
}

/// Equal 64-bit hashes for distinct keys: the cursor tells them apart by
/// position, also across the grows that move them.
#[derive(Clone, Copy, Default)]
struct Constant;
struct ConstantHasher;
impl Hasher for ConstantHasher {
    fn write(&mut self, _: &[u8]) {}
    fn finish(&self) -> u64 {
        0x1234_5678_9abc_def0
    }
}
impl BuildHasher for Constant {
    type Hasher = ConstantHasher;
    fn build_hasher(&self) -> ConstantHasher {
        ConstantHasher
    }
}

#[test]
fn range_over_equal_hashes_through_grows() {
    let mut m: SwissMap<u64, u64, Constant> = SwissMap::with_hasher(Constant);
    for i in 0..12 {
        m.insert(i, i);
    }
    let mut seen = HashSet::new();
    let mut r = m.range();
    let mut next = 100;
    while let Some((&k, _)) = r.next(&m) {
        assert!(seen.insert(k), "yielded {k} twice");
        if next < 140 {
            // Grows 16 → 32 → 64 while the cursor is inside the run.
            m.insert(next, 0);
            next += 1;
        }
        m.check_invariants();
    }
    for i in 0..12 {
        assert!(seen.contains(&i), "{i} not yielded");
    }
}

/// The map and its iterators cross threads like std's.
#[test]
fn send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<SwissMap<u64, String>>();
    both::<gomap::Iter<'static, u64, String, gomap::Swiss>>();
    both::<gomap::IterMut<'static, u64, String, gomap::Swiss>>();
    both::<gomap::IntoIter<u64, String, gomap::Swiss>>();
    both::<gomap::Drain<'static, u64, String, gomap::Swiss>>();
    both::<gomap::Range<u64, String, gomap::Swiss>>();
}
