//! Single-threaded tests of `SyncMap`: the API against std's `HashMap` as a
//! model, promotion and expunging seen through `debug_state`, drops counted,
//! panicking keys. Runs under Miri:
//! `cargo +nightly miri test -p gomap --test sync_map` (sizes shrink there).
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gomap::SyncMap;
use proptest::prelude::*;

/// Scales a size down under Miri.
fn scaled(n: usize) -> usize {
    if cfg!(miri) {
        (n / 16).max(4)
    } else {
        n
    }
}

/// One operation of the model test.
#[derive(Clone, Debug)]
enum Op {
    Load(u8),
    Store(u8, u8),
    LoadOrStore(u8, u8),
    LoadAndDelete(u8),
    Delete(u8),
    Swap(u8, u8),
    CompareAndSwap(u8, u8, u8),
    CompareAndDelete(u8, u8),
    /// Range, stopping after this many visits (0 = never stop early).
    Range(u8),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    // Few keys and few values, so that compare-and-swaps succeed and keys
    // go round the deleted / expunged / revived cycle often.
    let k = 0u8..12;
    let v = 0u8..4;
    prop_oneof![
        6 => k.clone().prop_map(Op::Load),
        4 => (k.clone(), v.clone()).prop_map(|(k, v)| Op::Store(k, v)),
        2 => (k.clone(), v.clone()).prop_map(|(k, v)| Op::LoadOrStore(k, v)),
        2 => k.clone().prop_map(Op::LoadAndDelete),
        1 => k.clone().prop_map(Op::Delete),
        2 => (k.clone(), v.clone()).prop_map(|(k, v)| Op::Swap(k, v)),
        2 => (k.clone(), v.clone(), v.clone()).prop_map(|(k, a, b)| Op::CompareAndSwap(k, a, b)),
        1 => (k, v).prop_map(|(k, v)| Op::CompareAndDelete(k, v)),
        1 => (0u8..4).prop_map(Op::Range),
        1 => Just(Op::Clear),
    ]
}

/// Applies `ops` to a `SyncMap` and to the model, comparing every result and
/// checking the map's invariants after every step.
fn run(ops: &[Op]) {
    let m: SyncMap<u8, u8> = SyncMap::new();
    let mut model: HashMap<u8, u8> = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        let ctx = || format!("step {i}: {op:?}");
        match *op {
            Op::Load(k) => assert_eq!(m.load(&k).map(|r| *r), model.get(&k).copied(), "{}", ctx()),
            Op::Store(k, v) => {
                m.store(k, v);
                model.insert(k, v);
            }
            Op::LoadOrStore(k, v) => {
                let had = model.contains_key(&k);
                let want = *model.entry(k).or_insert(v);
                let (got, loaded) = m.load_or_store(k, v);
                assert_eq!((*got, loaded), (want, had), "{}", ctx());
            }
            Op::LoadAndDelete(k) => {
                assert_eq!(
                    m.load_and_delete(&k).map(|r| *r),
                    model.remove(&k),
                    "{}",
                    ctx()
                )
            }
            Op::Delete(k) => {
                m.delete(&k);
                model.remove(&k);
            }
            Op::Swap(k, v) => {
                assert_eq!(m.swap(k, v).map(|r| *r), model.insert(k, v), "{}", ctx())
            }
            Op::CompareAndSwap(k, old, new) => {
                let want = model.get(&k) == Some(&old);
                if want {
                    model.insert(k, new);
                }
                assert_eq!(m.compare_and_swap(&k, &old, new), want, "{}", ctx());
            }
            Op::CompareAndDelete(k, old) => {
                let want = model.get(&k) == Some(&old);
                if want {
                    model.remove(&k);
                }
                assert_eq!(m.compare_and_delete(&k, &old), want, "{}", ctx());
            }
            Op::Range(stop) => {
                let mut seen = HashMap::new();
                m.range(|k, v| {
                    assert!(seen.insert(*k, *v).is_none(), "range visited a key twice");
                    stop == 0 || seen.len() < usize::from(stop)
                });
                if stop == 0 || model.len() < usize::from(stop) {
                    assert_eq!(seen, model, "{}", ctx());
                } else {
                    assert_eq!(seen.len(), usize::from(stop), "{}", ctx());
                    for (k, v) in &seen {
                        assert_eq!(model.get(k), Some(v), "{}", ctx());
                    }
                }
            }
            Op::Clear => {
                m.clear();
                model.clear();
            }
        }
        m.check_invariants();
        assert_eq!(m.len(), model.len(), "{}", ctx());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn matches_std_hashmap(ops in prop::collection::vec(op(), 1..if cfg!(miri) { 60 } else { 300 })) {
        run(&ops);
    }
}

#[test]
fn regression_expunged_entry_revived_by_store() {
    // Store a key, promote it, delete it, then make a dirty map (which
    // expunges it) and store it again: the store must take the lock and put
    // the entry back into the dirty map.
    use Op::*;
    run(&[
        Store(1, 1),
        Load(2),
        Delete(1),
        Store(2, 2),
        Store(1, 3),
        Range(0),
        Load(1),
    ]);
}

#[test]
fn promotion_after_misses() {
    let m = SyncMap::new();
    let n = scaled(64);
    for k in 0..n {
        m.store(k, k);
    }
    let s = m.debug_state();
    assert_eq!((s.read_len, s.amended, s.dirty_len), (0, true, Some(n)));
    // Each load misses the read map and takes the lock; the n-th miss pays
    // for the copy and promotes.
    for k in 0..n - 1 {
        assert_eq!(*m.load(&k).unwrap(), k);
    }
    assert_eq!(m.debug_state().misses, n - 1);
    assert_eq!(*m.load(&(n - 1)).unwrap(), n - 1);
    let s = m.debug_state();
    assert_eq!(
        (s.read_len, s.amended, s.dirty_len, s.misses),
        (n, false, None, 0)
    );
    m.check_invariants();

    // Now deletes and overwrites are lock-free and build no dirty map...
    m.delete(&0);
    m.store(1, 100);
    assert_eq!(m.debug_state().dirty_len, None);
    // ...until a new key arrives: the dirty map is rebuilt without the
    // deleted key, which is expunged.
    m.store(n, n);
    let s = m.debug_state();
    assert_eq!((s.read_len, s.amended, s.dirty_len), (n, true, Some(n)));
    m.check_invariants();
    // Reviving the expunged key goes through the lock and the dirty map.
    m.store(0, 7);
    assert_eq!(m.debug_state().dirty_len, Some(n + 1));
    assert_eq!(*m.load(&0).unwrap(), 7);
    m.check_invariants();
}

/// A dirty map promoted in the middle of a growth finishes it first, so
/// lock-free loads never look in an old bucket array.
#[test]
fn promotion_finishes_a_growth_in_progress() {
    let sizes = if cfg!(miri) { 53..=55 } else { 1..=120 };
    let mut caught_growing = 0;
    for n in sizes {
        let m = SyncMap::new();
        for k in 0..n {
            m.store(k, k);
        }
        if m.debug_state().dirty_growing {
            caught_growing += 1;
        }
        m.range(|_, _| true); // promotes
        let s = m.debug_state();
        assert_eq!((s.read_len, s.read_growing), (n, false), "n = {n}");
        for k in 0..n {
            assert_eq!(*m.load(&k).unwrap(), k);
        }
        m.check_invariants();
    }
    // Some sizes stop inside a growth (Go's map evacuates at most two old
    // buckets per write), or this test would prove nothing.
    assert!(caught_growing > 0);
}

#[test]
fn range_promotes_and_allows_reentrant_calls() {
    let m = SyncMap::new();
    for k in 0..scaled(32) {
        m.store(k, k);
    }
    assert!(m.debug_state().amended);
    let mut visited = 0;
    m.range(|k, v| {
        visited += 1;
        assert_eq!(k, v);
        // The closure may use the map: these do not deadlock.
        m.store(*k, *v + 1000);
        m.delete(&(k + 1));
        m.store(k + 10_000, 0);
        true
    });
    assert!(visited > 0);
    m.check_invariants();
}

#[test]
fn refs_keep_old_values_alive() {
    let m = SyncMap::new();
    m.store(1, String::from("one"));
    let loaded = m.load(&1).unwrap();
    let swapped = m.swap(1, String::from("uno")).unwrap();
    let deleted = m.load_and_delete(&1).unwrap();
    m.store(1, String::from("eins"));
    m.clear();
    assert_eq!(*loaded, "one");
    assert_eq!(*swapped, "one");
    assert_eq!(*deleted, "uno");
    assert_eq!(format!("{loaded:?} {deleted}"), "\"one\" uno");
    assert!(loaded == String::from("one"));
}

/// A value that counts its drops; `PAD` bytes of padding choose whether
/// `SyncMap` keeps it in an entry's slots (small) or boxes it (large).
struct Counted<const PAD: usize>(Arc<AtomicUsize>, #[allow(dead_code)] u32, [u8; PAD]);

impl<const PAD: usize> Drop for Counted<PAD> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl<const PAD: usize> PartialEq for Counted<PAD> {
    fn eq(&self, other: &Self) -> bool {
        self.1 == other.1
    }
}

/// Every operation, with values that count their drops.
fn every_value_dropped_exactly_once<const PAD: usize>() {
    let drops = Arc::new(AtomicUsize::new(0));
    let made = Cell::new(0usize);
    let v = |x| {
        made.set(made.get() + 1);
        Counted::<PAD>(Arc::clone(&drops), x, [0; PAD])
    };
    {
        let m = SyncMap::new();
        let n = scaled(100) as u32;
        for k in 0..n {
            m.store(k, v(k));
        }
        for k in 0..n {
            drop(m.load(&k)); // misses: promotes
        }
        for k in 0..n {
            m.store(k, v(k + 1)); // lock-free overwrites
        }
        {
            // Overwrites while pinned: retired slots cannot be reclaimed,
            // so later stores fall back to boxes.
            let pinned = m.pin();
            for round in 0..4 {
                pinned.store(0, v(round));
            }
        }
        for k in (0..n).step_by(3) {
            m.delete(&k);
        }
        m.store(n, v(0)); // rebuilds the dirty map, expunging
        let (_, loaded) = m.load_or_store(1, v(9));
        assert!(loaded);
        drop(m.swap(2, v(2)));
        assert!(m.compare_and_swap(&4, &v(5), v(6)));
        assert!(!m.compare_and_swap(&4, &v(5), v(7)));
        assert!(m.compare_and_delete(&5, &v(6)));
        m.clear();
        for k in 0..n {
            m.store(k, v(k));
        }
    }
    assert_eq!(drops.load(Ordering::Relaxed), made.get());
}

#[test]
fn every_inline_value_is_dropped_exactly_once() {
    every_value_dropped_exactly_once::<0>();
}

#[test]
fn every_boxed_value_is_dropped_exactly_once() {
    every_value_dropped_exactly_once::<128>();
}

/// While old values are still readable, stores cannot reuse their slots:
/// they take the other slot, then boxes; every value reads back intact.
#[test]
fn slots_in_use_are_never_overwritten() {
    let m = SyncMap::new();
    m.store(1, [1u64; 4]);
    let pinned = m.pin();
    let mut held = vec![pinned.load(&1).unwrap()];
    for i in 2..8 {
        pinned.store(1, [i; 4]);
        held.push(pinned.load(&1).unwrap());
    }
    for (i, v) in held.iter().enumerate() {
        assert_eq!(**v, [i as u64 + 1; 4]);
    }
    drop(held);
    drop(pinned);
    // Once the pin is gone, slots are reclaimed and reused (after a batch
    // of retirements: 256 per thread, 32 under Miri).
    for i in 0..scaled(2_000) as u64 {
        m.store(1, [i; 4]);
        assert_eq!(*m.load(&1).unwrap(), [i; 4]);
    }
}

/// A value whose comparison panics on demand.
#[derive(Debug)]
struct Grumpy(u8, Arc<AtomicUsize>);

impl PartialEq for Grumpy {
    fn eq(&self, other: &Self) -> bool {
        assert!(self.0 != 13 && other.0 != 13, "unlucky");
        self.0 == other.0
    }
}

impl Drop for Grumpy {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn panicking_comparison_drops_the_new_value() {
    let drops = Arc::new(AtomicUsize::new(0));
    let g = |x| Grumpy(x, Arc::clone(&drops));
    {
        let m = SyncMap::new();
        m.store(1, g(13));
        let r = catch_unwind(AssertUnwindSafe(|| m.compare_and_swap(&1, &g(1), g(2))));
        assert!(r.is_err());
        // Both the comparand and the new value were dropped.
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        assert_eq!(m.load(&1).unwrap().0, 13);
        m.store(1, g(3));
        assert!(m.compare_and_swap(&1, &g(3), g(4)));
        m.check_invariants();
    }
    // 13, 1, 2, 3 (replaced), 3 (comparand), 4.
    assert_eq!(drops.load(Ordering::Relaxed), 6);
}

#[test]
fn pinned_handle() {
    let m = SyncMap::new();
    let n = scaled(100) as u64;
    for k in 0..n {
        m.store(k, k.to_string());
    }
    let pinned = m.pin();
    assert!(std::ptr::eq(pinned.map(), &m));
    // Misses through the handle promote as `load` does.
    for k in 0..n {
        assert_eq!(
            pinned.load(&k).map(String::as_str),
            Some(k.to_string().as_str())
        );
    }
    assert!(!m.debug_state().amended);
    let old = pinned.load(&0).unwrap();
    pinned.store(0, String::from("new"));
    pinned.store(n, String::from("added"));
    assert_eq!(old, "0");
    assert_eq!(pinned.load(&0).unwrap(), "new");
    assert!(pinned.contains_key(&n));
    assert!(!pinned.contains_key(&(n + 1)));
    // Other operations on the map work while it is pinned.
    assert_eq!(*m.load_and_delete(&1).unwrap(), "1");
    assert!(pinned.load(&1).is_none());
    assert_eq!(format!("{pinned:?}"), "Pinned { .. }");
    drop(pinned);
    m.check_invariants();
    assert_eq!(m.len(), n as usize);
}

/// A `Pinned` handle looks keys up in the read map it loaded last; every
/// way the map can move on under it (promotion, deletes, the rebuild that
/// expunges, revival, `clear`) must still give the current value, as a
/// plain `load` does.
#[test]
fn pinned_handle_follows_replaced_read_maps() {
    let m = SyncMap::new();
    for k in 0..8u64 {
        m.store(k, k);
    }
    m.range(|_, _| true); // promote: keys 0..8 in the read map
    let pinned = m.pin();
    assert_eq!(pinned.load(&3), Some(&3));
    // A new key lives in the dirty map only; the cached read map lacks it.
    m.store(100, 100);
    assert_eq!(pinned.load(&100), Some(&100));
    // Promotion replaces the read map under the handle.
    m.range(|_, _| true);
    assert_eq!(pinned.load(&100), Some(&100));
    assert_eq!(pinned.load(&3), Some(&3));
    // Deleted, then expunged by the next rebuild of the dirty map, then
    // revived by a store: the handle sees each state.
    m.delete(&3);
    assert_eq!(pinned.load(&3), None);
    m.store(200, 200); // rebuilds the dirty map, expunging key 3's entry
    assert_eq!(pinned.load(&3), None);
    m.store(3, 33); // revives the entry through the lock
    assert_eq!(pinned.load(&3), Some(&33));
    m.range(|_, _| true);
    m.delete(&4);
    m.store(300, 300); // key 4 expunged in the read map the handle cached
    m.range(|_, _| true); // and gone from the read map after it
    assert_eq!(pinned.load(&4), None);
    m.store(4, 44); // a new entry for key 4
    assert_eq!(pinned.load(&4), Some(&44));
    // `clear` orphans every entry; later stores make new ones.
    m.clear();
    for k in [0, 3, 4, 100, 200, 300] {
        assert_eq!(pinned.load(&k), None, "key {k} after clear");
    }
    m.store(0, 1000);
    assert_eq!(pinned.load(&0), Some(&1000));
    assert!(pinned.contains_key(&0));
    assert!(!pinned.contains_key(&1));
    drop(pinned);
    m.check_invariants();
    assert_eq!(m.len(), 1);
}

#[test]
fn zero_sized_values() {
    let m = SyncMap::new();
    m.store(1u32, ());
    m.store(2u32, ());
    assert!(m.load(&1).is_some());
    assert!(m.load_and_delete(&1).is_some());
    assert!(m.load(&1).is_none());
    assert!(m.compare_and_swap(&2, &(), ()));
    m.check_invariants();
    assert_eq!(m.len(), 1);
}

#[test]
fn borrowed_keys_and_values() {
    // The map's collector is its own, so nothing it holds must be 'static.
    let words = vec![String::from("a"), String::from("b")];
    let m = SyncMap::new();
    for w in &words {
        m.store(w.as_str(), w);
    }
    assert_eq!(*m.load("b").unwrap(), &words[1]);
    drop(m);
    drop(words);
}

thread_local! {
    /// When set, cloning a `Touchy` key panics.
    static PANIC_ON_CLONE: Cell<bool> = const { Cell::new(false) };
}

/// A key whose `Clone` can be made to panic.
#[derive(PartialEq, Eq, Hash, Debug)]
struct Touchy(u32);

impl Clone for Touchy {
    fn clone(&self) -> Self {
        if PANIC_ON_CLONE.with(Cell::get) {
            panic!("Touchy::clone");
        }
        Touchy(self.0)
    }
}

#[test]
fn panic_while_building_the_dirty_map_is_undone() {
    let m = SyncMap::new();
    let n = scaled(40) as u32;
    for k in 0..n {
        m.store(Touchy(k), k);
    }
    m.range(|_, _| true); // promote
    for k in (0..n).step_by(2) {
        m.delete(&Touchy(k));
    }
    assert_eq!(m.debug_state().dirty_len, None);
    // The next new key clones the read map's keys and panics midway.
    PANIC_ON_CLONE.with(|p| p.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| m.store(Touchy(n), n)));
    PANIC_ON_CLONE.with(|p| p.set(false));
    assert!(r.is_err());
    // No half-built dirty map, no stray expunged entry, nothing lost.
    assert_eq!(m.debug_state().dirty_len, None);
    m.check_invariants();
    for k in 0..n {
        assert_eq!(m.load(&Touchy(k)).map(|r| *r), (k % 2 == 1).then_some(k));
    }
    // Deleted keys can be stored again, lock-free.
    m.store(Touchy(0), 100);
    m.store(Touchy(n), n);
    m.check_invariants();
    assert_eq!(m.len(), n as usize / 2 + 2);
}

/// A key whose `Hash` can be made to panic.
#[derive(PartialEq, Eq, Clone, Debug)]
struct Jumpy(u32);

thread_local! {
    static PANIC_ON_HASH: Cell<bool> = const { Cell::new(false) };
}

impl std::hash::Hash for Jumpy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if PANIC_ON_HASH.with(Cell::get) {
            panic!("Jumpy::hash");
        }
        self.0.hash(state);
    }
}

/// Promotion finishes the dirty map's growth, which rehashes keys of old
/// buckets; a `Hash` that panics there leaves the dirty map in place,
/// nothing lost, and the next promotion succeeds.
#[test]
fn panic_while_finishing_a_growth_at_promotion() {
    let m = SyncMap::new();
    let n = 53; // the 53rd key starts the 8 -> 16 bucket growth
    for k in 0..n {
        m.store(Jumpy(k), k);
    }
    assert!(m.debug_state().dirty_growing);
    PANIC_ON_HASH.with(|p| p.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| m.range(|_, _| true)));
    PANIC_ON_HASH.with(|p| p.set(false));
    assert!(r.is_err());
    let s = m.debug_state();
    assert_eq!(
        (s.read_len, s.amended, s.dirty_len),
        (0, true, Some(n as usize))
    );
    m.check_invariants();
    m.range(|_, _| true); // promotes this time
    let s = m.debug_state();
    assert_eq!(
        (s.read_len, s.read_growing, s.dirty_len),
        (n as usize, false, None)
    );
    for k in 0..n {
        assert_eq!(*m.load(&Jumpy(k)).unwrap(), k);
    }
    m.check_invariants();
}

#[test]
fn debug_default_and_traits() {
    let m: SyncMap<u8, &str> = SyncMap::default();
    m.store(1, "x");
    assert_eq!(format!("{m:?}"), "{1: \"x\"}");
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SyncMap<String, Vec<u8>>>();
    let _: &std::collections::hash_map::RandomState =
        SyncMap::<u8, u8, _>::with_hasher(std::collections::hash_map::RandomState::new()).hasher();
}

/// Two writers and a reader on a few keys, small enough for Miri, whose
/// data-race detector then checks that no slot is written while another
/// thread can still read it (slots are reused here, since seize reclaims
/// as the threads' guards come and go).
#[test]
fn overwrites_race_with_loads() {
    let m: SyncMap<u8, [u64; 2]> = SyncMap::new();
    for k in 0..2 {
        m.store(k, [0; 2]);
    }
    let rounds = scaled(2_000) as u64;
    std::thread::scope(|s| {
        for w in 0..2u64 {
            let m = &m;
            s.spawn(move || {
                for i in 1..=rounds {
                    m.store((i % 2) as u8, [w + i; 2]);
                }
            });
        }
        s.spawn(|| {
            for i in 0..rounds {
                let k = (i % 2) as u8;
                let v = *m.load(&k).unwrap();
                assert_eq!(v[0], v[1], "torn value");
                if i % 8 == 0 {
                    let pinned = m.pin();
                    let v = pinned.load(&(1 - k)).unwrap();
                    assert_eq!(v[0], v[1], "torn value");
                }
            }
        });
    });
    m.check_invariants();
}
