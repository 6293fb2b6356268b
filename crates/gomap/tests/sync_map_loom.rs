//! Loom model checks of `SyncMap`'s entry state machine and of promotion.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p gomap --test sync_map_loom --release`.
//!
//! Under `cfg(loom)` the map's atomics and lock come from loom, and its
//! reclaimer is a stand-in that frees nothing until the map is dropped (see
//! `sync_map/primitive.rs`): these tests check our orderings and state
//! transitions, not seize. Each model starts by seeding `fastrand`, which
//! picks where a `GoMap` iteration starts, so every execution of a model
//! walks maps in the same order, as loom requires. The models are small
//! enough for loom to explore every interleaving (no preemption bound):
//! about five seconds in all. `LOOM_MAX_PREEMPTIONS=n` bounds the search if
//! a model grows.
#![forbid(unsafe_code)]
#![cfg(loom)]

use gomap::SyncMap;
use loom::sync::Arc;
use loom::thread;

/// Runs `f` under loom, exhaustively unless `LOOM_MAX_PREEMPTIONS` is set.
fn model(f: impl Fn() + Sync + Send + 'static) {
    loom::model::Builder::new().check(move || {
        fastrand::seed(0x5eed);
        f();
    });
}

/// A map with `keys` stored and promoted to the read map.
fn promoted(keys: &[(u32, u32)]) -> Arc<SyncMap<u32, u32>> {
    let m = SyncMap::new();
    for &(k, v) in keys {
        m.store(k, v);
    }
    m.range(|_, _| true); // promotes the dirty map
    assert_eq!(m.debug_state().dirty_len, None);
    Arc::new(m)
}

/// The race the expunged state exists for: a lock-free store reviving a
/// deleted entry while another thread builds the dirty map and tries to
/// expunge that entry. Whoever wins, the stored value must survive the next
/// promotion.
#[test]
fn store_races_expunge() {
    model(|| {
        let m = promoted(&[(1, 1)]);
        m.delete(&1); // entry 1: deleted, in the read map only
        let m2 = Arc::clone(&m);
        let builder = thread::spawn(move || m2.store(2, 2)); // builds the dirty map
        m.store(1, 10); // lock-free unless it finds entry 1 expunged
        builder.join().unwrap();
        m.check_invariants();
        m.range(|_, _| true); // promote: nothing may be lost
        assert_eq!(m.load(&1).map(|r| *r), Some(10));
        assert_eq!(m.load(&2).map(|r| *r), Some(2));
        assert_eq!(m.len(), 2);
    });
}

/// Two `load_or_store`s of a deleted entry in the read map (lock-free path)
/// or of an absent key (locked path): exactly one stores.
#[test]
fn load_or_store_one_winner() {
    for in_read_map in [true, false] {
        model(move || {
            let m = if in_read_map {
                let m = promoted(&[(1, 0)]);
                m.delete(&1);
                m
            } else {
                Arc::new(SyncMap::new())
            };
            let m2 = Arc::clone(&m);
            let t = thread::spawn(move || {
                let (v, loaded) = m2.load_or_store(1, 20);
                (*v, loaded)
            });
            let (v1, loaded1) = {
                let (v, loaded) = m.load_or_store(1, 10);
                (*v, loaded)
            };
            let (v2, loaded2) = t.join().unwrap();
            assert!(loaded1 != loaded2, "exactly one load_or_store stores");
            assert_eq!(v1, v2, "both see the winner's value");
            assert_eq!(m.load(&1).map(|r| *r), Some(v1));
            m.check_invariants();
        });
    }
}

/// Two compare-and-swap increments of one counter, on the lock-free path
/// (key in the read map) and on the locked path (key only in the dirty
/// map, where the first miss also promotes): both must land.
#[test]
fn cas_increments_add_up() {
    for in_read_map in [true, false] {
        model(move || {
            let m = if in_read_map {
                promoted(&[(1, 0)])
            } else {
                let m = Arc::new(SyncMap::new());
                m.store(1, 0);
                m
            };
            let inc = |m: &SyncMap<u32, u32>| loop {
                let cur = *m.load(&1).unwrap();
                if m.compare_and_swap(&1, &cur, cur + 1) {
                    break;
                }
            };
            let m2 = Arc::clone(&m);
            let t = thread::spawn(move || inc(&m2));
            inc(&m);
            t.join().unwrap();
            assert_eq!(*m.load(&1).unwrap(), 2);
            m.check_invariants();
        });
    }
}

/// Promotion by misses racing with a writer that adds a key and a thread
/// that deletes one: the read map published by the promotion must hold
/// every entry, and the miss count must restart.
#[test]
fn promotion_races_writes() {
    model(|| {
        let m = Arc::new(SyncMap::new());
        m.store(1, 1);
        m.store(2, 2); // both in the dirty map only; the read map is amended
        let m2 = Arc::clone(&m);
        let loader = thread::spawn(move || {
            // Two misses on a dirty map of two entries: the second promotes,
            // unless a concurrent write changed the picture.
            let a = m2.load(&1).map(|r| *r);
            let b = m2.load(&2).map(|r| *r);
            (a, b)
        });
        let m3 = Arc::clone(&m);
        let writer = thread::spawn(move || m3.store(3, 3));
        let deleted = m.load_and_delete(&1).map(|r| *r);
        let (a, b) = loader.join().unwrap();
        writer.join().unwrap();
        assert_eq!(deleted, Some(1));
        assert!(a == Some(1) || a.is_none());
        assert_eq!(b, Some(2));
        m.check_invariants();
        assert_eq!(m.load(&1).map(|r| *r), None);
        assert_eq!(m.load(&3).map(|r| *r), Some(3));
        assert_eq!(m.len(), 2);
    });
}

/// A lock-free load racing a promotion must find the key in one read map
/// or the other, never in neither.
#[test]
fn load_never_misses_across_promotion() {
    model(|| {
        let m = Arc::new(SyncMap::new());
        m.store(1, 1); // dirty only, amended
        let m2 = Arc::clone(&m);
        let promoter = thread::spawn(move || m2.range(|_, _| true));
        assert_eq!(m.load(&1).map(|r| *r), Some(1));
        promoter.join().unwrap();
        m.check_invariants();
    });
}

/// `clear` racing a lock-free store into an entry of the read map it
/// replaces: the store either happened before the clear (and is gone) or
/// lands in the new map — never in an orphaned entry that `len` counts.
#[test]
fn clear_races_store() {
    model(|| {
        let m = promoted(&[(1, 1)]);
        let m2 = Arc::clone(&m);
        let clearer = thread::spawn(move || m2.clear());
        m.store(1, 2);
        clearer.join().unwrap();
        m.check_invariants();
        match m.load(&1).map(|r| *r) {
            Some(v) => assert_eq!((v, m.len()), (2, 1)),
            None => assert_eq!(m.len(), 0),
        }
    });
}

/// Deleting a key that is only in the dirty map while another thread
/// overwrites it: the result is one of the two orders.
#[test]
fn delete_races_store_in_dirty_map() {
    model(|| {
        let m = Arc::new(SyncMap::new());
        m.store(1, 1); // dirty only
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || m2.swap(1, 2).map(|r| *r));
        let deleted = m.load_and_delete(&1).map(|r| *r);
        let swapped = t.join().unwrap();
        m.check_invariants();
        let now = m.load(&1).map(|r| *r);
        match (deleted, swapped) {
            // delete, then swap: the swap saw nothing and its value stays
            (Some(1), None) => assert_eq!(now, Some(2)),
            // swap, then delete: the delete took the swapped-in value
            (Some(2), Some(1)) => assert_eq!(now, None),
            other => panic!("not a serialization: {other:?}"),
        }
    });
}
