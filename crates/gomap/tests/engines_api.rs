//! The std surface the shared layer writes once, run on both engines: the
//! same assertions for `GoMap` (classic) and `SwissMap`, so an engine that
//! implements the seam gets each method's documented behaviour.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use gomap::{Classic, Engine, GoMap, GoSet, Swiss, SwissWithHasher};

type Hb = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

/// An empty map of engine `E` (constructors are per engine).
trait Make: Engine {
    fn map<K, V>() -> GoMap<K, V, Hb, Self>;
}
impl Make for Classic {
    fn map<K, V>() -> GoMap<K, V, Hb, Classic> {
        GoMap::with_hasher(Hb::default())
    }
}
impl Make for Swiss {
    fn map<K, V>() -> GoMap<K, V, Hb, Swiss> {
        <GoMap<K, V, Hb, Swiss> as SwissWithHasher<Hb>>::with_hasher(Hb::default())
    }
}

const N: u64 = if cfg!(miri) { 40 } else { 3000 };

fn filled<E: Make>() -> GoMap<u64, u64, Hb, E> {
    let mut m = E::map();
    for i in 0..N {
        m.insert(i, i * 10);
    }
    m
}

fn extract_if_takes_exactly_the_matches<E: Make>() {
    let mut m = filled::<E>();
    let mut taken: Vec<u64> = m
        .extract_if(|k, v| {
            *v += 1;
            k % 3 == 0
        })
        .map(|(k, v)| {
            assert_eq!(v, k * 10 + 1);
            k
        })
        .collect();
    taken.sort_unstable();
    assert_eq!(taken, (0..N).filter(|k| k % 3 == 0).collect::<Vec<_>>());
    assert_eq!(m.len() as u64, N - taken.len() as u64);
    // The predicate saw every entry once: the kept ones were bumped too.
    assert!(m.iter().all(|(k, v)| k % 3 != 0 && *v == k * 10 + 1));
    m.check_invariants();
}

fn extract_if_dropped_early_keeps_the_rest<E: Make>() {
    let mut m = filled::<E>();
    let first: Vec<(u64, u64)> = m.extract_if(|_, _| true).take(5).collect();
    assert_eq!(first.len(), 5);
    assert_eq!(m.len() as u64, N - 5);
    for (k, _) in &first {
        assert!(!m.contains_key(k));
    }
    m.check_invariants();
}

fn extract_if_with_a_panicking_predicate<E: Make>() {
    let mut m = filled::<E>();
    let mut seen = 0;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        m.extract_if(|_, _| {
            seen += 1;
            if seen == 10 {
                panic!("predicate");
            }
            seen % 2 == 0
        })
        .count()
    }));
    assert!(r.is_err());
    // Four entries were taken (the 2nd, 4th, 6th and 8th seen); the rest stay.
    assert_eq!(m.len() as u64, N - 4);
    m.check_invariants();
}

fn extract_all_reseeds_and_empties<E: Make>() {
    let mut m = filled::<E>();
    assert_eq!(m.extract_if(|_, _| true).count() as u64, N);
    assert!(m.is_empty());
    m.insert(1, 1);
    assert_eq!(m.get(&1), Some(&1));
    m.check_invariants();
}

fn get_disjoint_mut_swaps<E: Make>() {
    let mut m = filled::<E>();
    let [a, b, c] = m.get_disjoint_mut([&1, &2, &(N + 1)]);
    std::mem::swap(a.unwrap(), b.unwrap());
    assert!(c.is_none());
    assert_eq!((m[&1], m[&2]), (20, 10));
    let [] = m.get_disjoint_mut::<u64, 0>([]);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = m.get_disjoint_mut([&3, &3]);
    }));
    assert!(r.is_err(), "equal keys must panic");
    m.check_invariants();
}

fn insert_entry_then_remove<E: Make>() {
    let mut m = filled::<E>();
    let o = m.entry(N + 7).insert_entry(70);
    assert_eq!((*o.key(), *o.get()), (N + 7, 70));
    assert_eq!(o.remove(), 70);
    assert!(!m.contains_key(&(N + 7)));
    {
        let o = m.entry(5).insert_entry(55);
        assert_eq!(*o.get(), 55);
    }
    assert_eq!(m[&5], 55);
    m.check_invariants();
}

fn entry_ref_converts_only_to_insert<E: Make>() {
    let mut m: GoMap<String, u64, Hb, E> = E::map();
    *m.entry_ref("a").or_insert(0) += 1;
    *m.entry_ref("a").or_insert(0) += 1;
    *m.entry_ref("b").or_default() += 5;
    assert_eq!((m["a"], m["b"]), (2, 5));
    m.check_invariants();
}

fn iterators_debug_what_is_left<E: Make>() {
    let mut m: GoMap<u64, char, Hb, E> = E::map();
    m.insert(1, 'x');
    assert_eq!(format!("{:?}", m.keys()), "[1]");
    assert_eq!(format!("{:?}", m.values()), "['x']");
    assert_eq!(format!("{:?}", m.iter_mut()), "[(1, 'x')]");
    let mut it = m.clone().into_iter();
    assert_eq!(format!("{it:?}"), "[(1, 'x')]");
    it.next();
    assert_eq!(format!("{it:?}"), "[]");
    let d = m.drain();
    assert_eq!(format!("{d:?}"), "[(1, 'x')]");
}

fn against_std<E: Make>() {
    let mut m: GoMap<u64, u64, Hb, E> = E::map();
    let mut s = HashMap::new();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..(N * 4) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = x % (N / 2 + 1);
        match x % 5 {
            0..=2 => assert_eq!(m.insert(k, x), s.insert(k, x)),
            3 => assert_eq!(m.remove(&k), s.remove(&k)),
            _ => {
                let a: Vec<u64> = m.extract_if(|k2, _| *k2 == k).map(|(k, _)| k).collect();
                // std's own extract_if is newer than our MSRV: its effect here.
                let b: Vec<u64> = s.remove(&k).map(|_| k).into_iter().collect();
                assert_eq!(a, b);
            }
        }
    }
    assert_eq!(m.len(), s.len());
    assert!(s.iter().all(|(k, v)| m.get(k) == Some(v)));
    m.check_invariants();
}

fn sets<E: Make>() {
    let mut s: GoSet<u64, Hb, E> = GoSet::default();
    for i in 0..N {
        assert!(s.insert(i));
    }
    assert!(!s.insert(3));
    assert_eq!(s.replace(3), Some(3));
    assert_eq!(s.take(&4), Some(4));
    assert!(!s.contains(&4));
    let odd: Vec<u64> = {
        let mut v: Vec<u64> = s.extract_if(|k| k % 2 == 1).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(odd.len() as u64, N / 2);
    assert!(s.iter().all(|k| k % 2 == 0));
    s.check_invariants();
}

macro_rules! both_engines {
    ($($f:ident),*) => {
        mod classic { $( #[test] fn $f() { super::$f::<gomap::Classic>(); } )* }
        mod swiss { $( #[test] fn $f() { super::$f::<gomap::Swiss>(); } )* }
    };
}

both_engines!(
    extract_if_takes_exactly_the_matches,
    extract_if_dropped_early_keeps_the_rest,
    extract_if_with_a_panicking_predicate,
    extract_all_reseeds_and_empties,
    get_disjoint_mut_swaps,
    insert_entry_then_remove,
    entry_ref_converts_only_to_insert,
    iterators_debug_what_is_left,
    against_std,
    sets
);
