//! Go's range contract for `GoMap::range`, checked against a model over
//! random interleavings of steps, inserts, removes, clears and growths.
#![forbid(unsafe_code)]

use gomap::GoMap;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

#[derive(Debug, Clone)]
enum Op {
    Step,
    Insert(u16),
    Remove(u16),
    Clear,
    /// Insert this many fresh keys at once: forces growths mid-range.
    Burst(u16),
}

fn op(keys: u16) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Step),
        3 => (0..keys).prop_map(Op::Insert),
        3 => (0..keys).prop_map(Op::Remove),
        1 => (1u16..200).prop_map(Op::Burst),
        1 => Just(Op::Clear).prop_filter("rare", |_| true),
    ]
}

/// Runs one range over a map with `initial` keys while applying `ops`, and
/// checks the contract. `exact` is false for a hasher with collisions, where
/// only "never twice" and "only real entries" are promised.
fn check_range<S: BuildHasher + Default>(initial: u16, ops: &[Op], stress: bool, exact: bool) {
    let mut m: GoMap<u64, u64, S> = GoMap::with_hasher(S::default());
    m.set_stress_tuning(stress);
    let mut model: HashMap<u64, u64> = HashMap::new();
    for k in 0..initial as u64 {
        m.insert(k, k);
        model.insert(k, k);
    }
    let mut throughout: HashSet<u64> = model.keys().copied().collect();
    let mut yielded: HashSet<u64> = HashSet::new();
    let mut next_fresh = 1_000_000u64;
    let mut r = m.range();
    let mut finished = false;
    let mut step = |m: &GoMap<u64, u64, S>,
                    model: &HashMap<u64, u64>,
                    yielded: &mut HashSet<u64>| match r.next(m) {
        Some((k, v)) => {
            assert_eq!(
                model.get(k),
                Some(v),
                "yielded an entry that is not in the map"
            );
            assert!(yielded.insert(*k), "key {k} yielded twice");
            true
        }
        None => false,
    };
    for op in ops {
        match *op {
            Op::Step => {
                if !step(&m, &model, &mut yielded) {
                    finished = true;
                    break;
                }
            }
            Op::Insert(k) => {
                let k = k as u64;
                assert_eq!(m.insert(k, k + 1), model.insert(k, k + 1));
            }
            Op::Remove(k) => {
                let k = k as u64;
                assert_eq!(m.remove(&k), model.remove(&k));
                throughout.remove(&k);
            }
            Op::Clear => {
                m.clear();
                model.clear();
                throughout.clear();
            }
            Op::Burst(n) => {
                for _ in 0..n {
                    m.insert(next_fresh, next_fresh);
                    model.insert(next_fresh, next_fresh);
                    next_fresh += 1;
                }
            }
        }
        m.check_invariants();
    }
    if !finished {
        while step(&m, &model, &mut yielded) {}
    }
    if exact {
        for k in &throughout {
            assert!(
                yielded.contains(k),
                "key {k} present throughout was never yielded"
            );
        }
    }
}

/// A hasher that collides on purpose: only 3 distinct hashes per 8 keys.
#[derive(Default, Clone)]
struct Colliding;
struct CollidingHasher(u64);
impl BuildHasher for Colliding {
    type Hasher = CollidingHasher;
    fn build_hasher(&self) -> CollidingHasher {
        CollidingHasher(0)
    }
}
impl Hasher for CollidingHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, k: u64) {
        // The seed (written first as u32) is folded in; keys collide mod 3.
        self.0 = (self.0 ^ (k % 3)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Foldhash = gomap::DefaultHashBuilder;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        // ChaCha (the default) dominates an interpreted run's time.
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// Operation counts and initial sizes, scaled down under Miri (CI runs the
/// whole core suite there within minutes).
const MAX_OPS: usize = if cfg!(miri) { 60 } else { 400 };
const MAX_INITIAL: u16 = if cfg!(miri) { 60 } else { 300 };
const MAX_OPS_COLLIDING: usize = if cfg!(miri) { 40 } else { 200 };

proptest! {
    #![proptest_config(config())]

    #[test]
    fn range_contract(initial in 0u16..MAX_INITIAL, ops in prop::collection::vec(op(400), 0..MAX_OPS)) {
        check_range::<Foldhash>(initial, &ops, false, true);
    }

    #[test]
    fn range_contract_mid_growth(initial in 0u16..MAX_INITIAL, ops in prop::collection::vec(op(400), 0..MAX_OPS)) {
        check_range::<Foldhash>(initial, &ops, true, true);
    }

    #[test]
    fn range_never_twice_with_colliding_hashes(initial in 0u16..60, ops in prop::collection::vec(op(80), 0..MAX_OPS_COLLIDING)) {
        check_range::<Colliding>(initial, &ops, false, false);
    }
}

/// Go's TestIterGrowAndDelete, in our words: range over a map, and at the
/// first step insert enough keys to make it grow, then delete half of the
/// original keys; every surviving original key is still yielded exactly once
/// and no deleted one is.
#[test]
fn grow_and_delete_while_ranging() {
    let n: u64 = if cfg!(miri) { 60 } else { 1000 };
    let mut m: GoMap<u64, u64> = (0..n).map(|k| (k, k)).collect();
    let mut r = m.range();
    let mut seen = HashSet::new();
    let mut first_key = None;
    while let Some((&k, _)) = r.next(&m) {
        assert!(seen.insert(k));
        if first_key.is_none() {
            first_key = Some(k);
            for i in n..n * 8 {
                m.insert(i, i);
            }
            for i in (0..n).filter(|i| i % 2 == 1) {
                if i != k {
                    m.remove(&i);
                }
            }
        }
    }
    for k in (0..n).filter(|k| k % 2 == 0) {
        assert!(seen.contains(&k), "{k} not yielded");
    }
    // The key yielded first was ranged over before the deletes, so it was kept.
    let first_key = first_key.expect("the map is not empty");
    for k in (0..n).filter(|k| k % 2 == 1 && *k != first_key) {
        assert!(!seen.contains(&k), "deleted {k} yielded");
    }
}

/// Deleting the current entry at every step (Go's "delete while ranging"
/// idiom) empties the map and yields every entry once.
#[test]
fn delete_each_while_ranging() {
    let n: u64 = if cfg!(miri) { 50 } else { 2000 };
    let mut m: GoMap<u64, u64> = (0..n).map(|k| (k, k)).collect();
    let mut r = m.range();
    let mut count = 0;
    while let Some((&k, _)) = r.next(&m) {
        m.remove(&k);
        count += 1;
    }
    assert_eq!(count, n);
    assert!(m.is_empty());
}

/// Clear while ranging ends the range: nothing present at the start is
/// left, and nothing inserted afterwards is required.
#[test]
fn clear_ends_the_range() {
    let mut m: GoMap<u64, u64> = (0..100).map(|k| (k, k)).collect();
    let mut r = m.range();
    r.next(&m).unwrap();
    m.clear();
    m.insert(5, 5);
    assert_eq!(r.next(&m), None);
}

/// Each cursor starts somewhere random: over many cursors, the first key
/// yielded varies (Go's TestMapIterOrder idea).
#[test]
fn random_start() {
    let m: GoMap<u64, u64> = (0..64).map(|k| (k, k)).collect();
    let firsts: HashSet<u64> = (0..if cfg!(miri) { 10 } else { 100 })
        .map(|_| *m.range().next(&m).unwrap().0)
        .collect();
    assert!(firsts.len() > 2, "first keys: {firsts:?}");
}

#[test]
#[should_panic(expected = "different map")]
fn cursor_from_another_map_panics() {
    let a: GoMap<u64, u64> = (0..10).map(|k| (k, k)).collect();
    let b = a.clone();
    let mut r = a.range();
    r.next(&b);
}
