//! `GoSet` against `std::collections::HashSet`: random op sequences run on
//! both, with `check_invariants()` and a full comparison after every op
//! (plain and stress-tuned sets), then the set algebra on random pairs, and
//! the engine views of a `map[T]struct{}`. Written from `HashSet`'s docs.
//!
//! Under Miri the case counts and sequence lengths shrink.
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use gomap::GoSet;
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;

/// An element whose identity (`tag`) is not part of its equality, so
/// `replace` and `insert` can be told apart: equal elements share `n`.
#[derive(Clone, Copy, Debug)]
struct El {
    n: u64,
    tag: u64,
}

impl PartialEq for El {
    fn eq(&self, o: &El) -> bool {
        self.n == o.n
    }
}
impl Eq for El {}
impl Hash for El {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.n.hash(h)
    }
}
impl Borrow<u64> for El {
    fn borrow(&self) -> &u64 {
        &self.n
    }
}

#[derive(Clone, Debug)]
enum Op {
    Insert(u64, u64),
    Replace(u64, u64),
    Contains(u64),
    Get(u64),
    Take(u64),
    Remove(u64),
    Clear,
    Retain(u64, u64),
    ExtractIf { m: u64, r: u64, take: usize },
    Drain { take: usize },
    Reserve(usize),
    Extend(Vec<u64>),
}

fn op(keys: u64) -> impl Strategy<Value = Op> {
    let k = 0..keys;
    prop_oneof![
        20 => (k.clone(), any::<u64>()).prop_map(|(k, t)| Op::Insert(k, t)),
        4 => (k.clone(), any::<u64>()).prop_map(|(k, t)| Op::Replace(k, t)),
        4 => k.clone().prop_map(Op::Contains),
        3 => k.clone().prop_map(Op::Get),
        3 => k.clone().prop_map(Op::Take),
        8 => k.clone().prop_map(Op::Remove),
        1 => Just(Op::Clear),
        1 => (2u64..5, 0u64..5).prop_map(|(m, r)| Op::Retain(m, r % m)),
        2 => (2u64..5, 0u64..5, 0usize..20).prop_map(|(m, r, take)| Op::ExtractIf { m, r: r % m, take }),
        1 => (0usize..10).prop_map(|take| Op::Drain { take }),
        1 => (0usize..100).prop_map(Op::Reserve),
        2 => prop::collection::vec(k, 0..30).prop_map(Op::Extend),
    ]
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig {
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    };
    if cfg!(miri) {
        c.cases = 4;
        c.failure_persistence = None;
        c.max_shrink_iters = 0;
    }
    c
}

fn len() -> usize {
    if cfg!(miri) {
        40
    } else {
        400
    }
}

fn assert_same(set: &GoSet<El>, model: &HashSet<El>) {
    set.check_invariants();
    assert_eq!(set.len(), model.len());
    assert_eq!(set.is_empty(), model.is_empty());
    assert_eq!(set.iter().count(), model.len());
    for e in model {
        let got = set.get(&e.n).expect("element of the model missing");
        assert_eq!(got.tag, e.tag, "stored element differs for {}", e.n);
    }
}

fn run(ops: &[Op], stress: bool) {
    let mut set: GoSet<El> = GoSet::new();
    set.set_stress_tuning(stress);
    let mut model: HashSet<El> = HashSet::new();
    for op in ops {
        match op.clone() {
            Op::Insert(n, tag) => {
                assert_eq!(set.insert(El { n, tag }), model.insert(El { n, tag }))
            }
            Op::Replace(n, tag) => {
                let got = set.replace(El { n, tag }).map(|e| e.tag);
                let want = model.replace(El { n, tag }).map(|e| e.tag);
                assert_eq!(got, want);
            }
            Op::Contains(n) => assert_eq!(set.contains(&n), model.contains(&n)),
            Op::Get(n) => assert_eq!(set.get(&n).map(|e| e.tag), model.get(&n).map(|e| e.tag)),
            Op::Take(n) => assert_eq!(set.take(&n).map(|e| e.tag), model.take(&n).map(|e| e.tag)),
            Op::Remove(n) => assert_eq!(set.remove(&n), model.remove(&n)),
            Op::Clear => {
                set.clear();
                model.clear();
            }
            Op::Retain(m, r) => {
                set.retain(|e| e.n % m != r);
                model.retain(|e| e.n % m != r);
            }
            Op::ExtractIf { m, r, take } => {
                let got: Vec<El> = set.extract_if(|e| e.n % m == r).take(take).collect();
                for e in &got {
                    assert_eq!(e.n % m, r);
                    let was = model.take(e).expect("extracted an element not in the set");
                    assert_eq!(was.tag, e.tag);
                }
                let left = model.iter().filter(|e| e.n % m == r).count();
                assert!(got.len() == take || left == 0, "stopped early");
            }
            Op::Drain { take } => {
                let before = model.len();
                let got: Vec<El> = set.drain().take(take).collect();
                assert_eq!(got.len(), take.min(before));
                for e in &got {
                    assert!(model.contains(e));
                }
                model.clear();
            }
            Op::Reserve(n) => {
                set.reserve(n);
                assert!(set.capacity() >= set.len() + n);
            }
            Op::Extend(ns) => {
                set.extend(ns.iter().map(|&n| El { n, tag: n }));
                model.extend(ns.iter().map(|&n| El { n, tag: n }));
            }
        }
        assert_same(&set, &model);
    }
}

fn small_set(keys: u64) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0..keys, 0..if cfg!(miri) { 20 } else { 120 })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ops_match_hashset_small_keys(ops in prop::collection::vec(op(24), 0..len())) {
        run(&ops, false);
    }

    #[test]
    fn ops_match_hashset_wide_keys(ops in prop::collection::vec(op(2_000), 0..len())) {
        run(&ops, false);
    }

    #[test]
    fn ops_match_hashset_mid_evacuation(ops in prop::collection::vec(op(200), 0..len())) {
        run(&ops, true);
    }

    #[test]
    fn algebra_matches_hashset(a in small_set(150), b in small_set(150)) {
        let (ga, gb): (GoSet<u64>, GoSet<u64>) = (a.iter().copied().collect(), b.iter().copied().collect());
        let (sa, sb): (HashSet<u64>, HashSet<u64>) = (a.iter().copied().collect(), b.iter().copied().collect());
        let std = |it: Vec<&u64>| -> (usize, HashSet<u64>) { (it.len(), it.into_iter().copied().collect()) };
        let want = |it: Vec<&u64>| -> (usize, HashSet<u64>) { std(it) };
        prop_assert_eq!(std(ga.difference(&gb).collect()), want(sa.difference(&sb).collect()));
        prop_assert_eq!(std(gb.difference(&ga).collect()), want(sb.difference(&sa).collect()));
        prop_assert_eq!(std(ga.symmetric_difference(&gb).collect()), want(sa.symmetric_difference(&sb).collect()));
        prop_assert_eq!(std(ga.intersection(&gb).collect()), want(sa.intersection(&sb).collect()));
        prop_assert_eq!(std(gb.intersection(&ga).collect()), want(sb.intersection(&sa).collect()));
        prop_assert_eq!(std(ga.union(&gb).collect()), want(sa.union(&sb).collect()));
        prop_assert_eq!(ga.is_disjoint(&gb), sa.is_disjoint(&sb));
        prop_assert_eq!(ga.is_subset(&gb), sa.is_subset(&sb));
        prop_assert_eq!(ga.is_superset(&gb), sa.is_superset(&sb));
        prop_assert_eq!(ga == gb, sa == sb);
        let as_std = |s: GoSet<u64>| -> HashSet<u64> { s.check_invariants(); s.into_iter().collect() };
        prop_assert_eq!(as_std(&ga | &gb), &sa | &sb);
        prop_assert_eq!(as_std(&ga & &gb), &sa & &sb);
        prop_assert_eq!(as_std(&ga ^ &gb), &sa ^ &sb);
        prop_assert_eq!(as_std(&ga - &gb), &sa - &sb);
    }
}

#[test]
fn subsets_and_equality() {
    let small: GoSet<u64> = [1, 2].into();
    let big: GoSet<u64> = [1, 2, 3].into();
    let other: GoSet<u64> = [4, 5].into();
    assert!(small.is_subset(&big) && !big.is_subset(&small));
    assert!(big.is_superset(&small) && !small.is_superset(&big));
    assert!(small.is_disjoint(&other) && !small.is_disjoint(&big));
    let empty = GoSet::<u64>::new();
    assert!(empty.is_subset(&small) && empty.is_disjoint(&small) && small.is_superset(&empty));
    assert!(small.is_subset(&small) && small.is_superset(&small));
    let same: GoSet<u64> = [2, 1].into();
    assert_eq!(small, same);
    assert_ne!(small, big);
    assert_eq!(GoSet::<u64>::default(), empty);
}

#[test]
fn traits_build_and_show_sets() {
    let one: GoSet<u64> = [7].into();
    assert_eq!(format!("{one:?}"), "{7}");
    assert_eq!(format!("{:?}", GoSet::<u64>::new()), "{}");
    assert_eq!(format!("{:?}", one.iter()), "[7]");
    let mut s: GoSet<u64> = (0..10).collect();
    s.extend(&[10, 11]);
    s.extend(vec![12]);
    assert_eq!(s.len(), 13);
    let mut by_ref: Vec<u64> = (&s).into_iter().copied().collect();
    by_ref.sort();
    assert_eq!(by_ref, (0..13).collect::<Vec<_>>());
    let c = s.clone();
    assert_eq!(c, s);
    assert_eq!(c.header(), s.header(), "a clone has the same layout");
    let mut owned: Vec<u64> = c.into_iter().collect();
    owned.sort();
    assert_eq!(owned, by_ref);
    let mut it = s.clone().into_iter();
    it.next();
    let shown = format!("{it:?}");
    assert_eq!(shown, format!("{:?}", it.collect::<Vec<_>>()));
    let mut d = s.drain();
    d.next();
    let shown = format!("{d:?}");
    assert_eq!(shown, format!("{:?}", d.collect::<Vec<_>>()));
    assert!(s.is_empty());
    assert!(s.try_reserve(10).is_ok());
    s.shrink_to_fit();
    let tagged: GoSet<u64, Tagged> = GoSet::with_capacity_and_hasher(4, Tagged(9));
    assert_eq!(tagged.hasher().0, 9);
    let tagged: GoSet<u64, Tagged> = GoSet::with_hasher(Tagged(3));
    assert_eq!(tagged.hasher().0, 3);
}

/// A `BuildHasher` with something to tell it apart.
#[derive(Clone, Default)]
struct Tagged(u8);

impl std::hash::BuildHasher for Tagged {
    type Hasher = std::hash::DefaultHasher;
    fn build_hasher(&self) -> Self::Hasher {
        std::hash::DefaultHasher::new()
    }
}

#[test]
fn extract_if_takes_the_matching_elements_and_reseeds_when_empty() {
    let mut next = 0;
    let mut s: GoSet<u64, gomap::DefaultHashBuilder> =
        GoSet::with_capacity_hasher_and_seeds(0, Default::default(), move || {
            next += 1;
            next
        });
    s.extend(0..100);
    let mut odd: Vec<u64> = s.extract_if(|v| v % 2 == 1).collect();
    odd.sort();
    assert_eq!(odd, (0..100).filter(|v| v % 2 == 1).collect::<Vec<_>>());
    assert_eq!((s.len(), s.header().hash0), (50, 1));
    s.check_invariants();
    assert_eq!(s.extract_if(|_| true).count(), 50);
    assert_eq!(s.header().hash0, 2, "emptied by extract_if: a new seed");
}

#[test]
fn a_set_is_a_map_to_a_zero_size_value() {
    // Go's bucket for map[uint64]struct{}: 8 tophash bytes, 8 keys, no
    // values, the overflow pointer.
    let mut s: GoSet<u64> = GoSet::with_capacity(100);
    let l = s.layout();
    assert_eq!(l.bucket_size, 8 + 8 * 8 + 8);
    assert_eq!(l.header.b, 4);
    let m: gomap::GoMap<u64, ()> = gomap::GoMap::with_capacity(100);
    assert_eq!(m.layout().bucket_size, l.bucket_size);
    for i in 0..1000 {
        s.insert(i);
    }
    let st = s.stats();
    assert_eq!((st.count, st.b), (1000, 8));
    assert_eq!(s.header().count, 1000);
    assert!(s.capacity() >= 1000);
}

#[test]
fn sets_are_unwind_safe() {
    fn both<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>(_: &T) {}
    let s: GoSet<String> = GoSet::new();
    both(&s);
    assert_eq!(std::panic::catch_unwind(|| s.len()).unwrap(), 0);
}
