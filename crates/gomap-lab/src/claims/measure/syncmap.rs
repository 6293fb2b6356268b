//! `syncmap.*`: gomap's `SyncMap` (Go 1.19's `sync.Map`, state for state)
//! driven through its promotion, delete and expunge paths.

use gomap::{SyncMap, SyncMapEntryState};

use super::yes_no;
use crate::claims::Measurements;

/// Promotes the dirty map by missing absent keys; returns the misses it took.
fn promote(m: &SyncMap<u64, u64>) -> usize {
    let mut n = 0;
    while m.debug_state().dirty_len.is_some() && n < 1_000_000 {
        let _ = m.load(&u64::MAX);
        n += 1;
    }
    n
}

/// `syncmap.*`.
pub(super) fn syncmap(m: &mut Measurements) {
    let mut amended_without_dirty = false;
    let mut watch = |s: &SyncMap<u64, u64>| {
        let d = s.debug_state();
        amended_without_dirty |= d.amended && d.dirty_len.is_none();
    };
    for n in [5u64, 20] {
        let s = SyncMap::new();
        for k in 0..n {
            s.store(k, k);
            watch(&s);
        }
        let misses = promote(&s);
        watch(&s);
        m.put(
            format!("syncmap.misses_to_promote.dirty{n}"),
            misses,
            format!("a dirty map of {n} entries is promoted after {misses} missed loads"),
        );
    }

    let s = SyncMap::new();
    for k in 0..1000u64 {
        s.store(k, k);
    }
    let grew = s.debug_state().dirty_len.is_none();
    watch(&s);
    m.put(
        "syncmap.promotes_on_dirty_size",
        grew,
        format!(
            "1,000 stores of new keys without a load promote the dirty map: {}",
            yes_no(grew)
        ),
    );

    // Keys 0..4 in the read map, no dirty map.
    let s = SyncMap::new();
    for k in 0..4u64 {
        s.store(k, k);
    }
    promote(&s);
    watch(&s);
    s.store(1, 100);
    watch(&s);
    let st = s.debug_state();
    let updated = st.dirty_len.is_none() && s.load(&1).map(|v| *v) == Some(100) && st.misses == 0;
    m.put(
        "syncmap.store_existing_updates_read",
        updated,
        format!(
            "a store to a key of the read map updates its entry in place, no dirty map made: {}",
            yes_no(updated)
        ),
    );
    let (v, loaded) = s.load_or_store(2, 7);
    let hit = loaded && *v == 2 && s.debug_state().dirty_len.is_none();
    drop(v);
    watch(&s);
    m.put(
        "syncmap.loadorstore_hits_read",
        hit,
        format!(
            "LoadOrStore of a key in the read map answers from it without a dirty map: {}",
            yes_no(hit)
        ),
    );
    s.delete(&3);
    watch(&s);
    let stays = s
        .debug_entries()
        .iter()
        .any(|e| e.key == 3 && matches!(e.read, Some(SyncMapEntryState::Deleted)));
    m.put(
        "syncmap.deleted_stays_in_read",
        stays,
        format!(
            "a deleted key stays in the read map as a deleted entry: {}",
            yes_no(stays)
        ),
    );
    s.store(50, 50);
    watch(&s);
    let st = s.debug_state();
    let new_dirty = st.amended && st.dirty_len.is_some();
    m.put(
        "syncmap.store_new_goes_dirty",
        new_dirty,
        format!(
            "a store of a new key builds the dirty map and marks the read map amended: {}",
            yes_no(new_dirty)
        ),
    );
    let entries = s.debug_entries();
    let expunged = entries.iter().any(|e| {
        e.key == 3 && matches!(e.read, Some(SyncMapEntryState::Expunged)) && e.dirty.is_none()
    });
    m.put(
        "syncmap.expunged_on_dirty_build",
        expunged,
        format!(
            "building the dirty map expunges the deleted entry and leaves it out: {}",
            yes_no(expunged)
        ),
    );
    s.load_and_delete(&50);
    watch(&s);
    promote(&s);
    watch(&s);
    m.put(
        "syncmap.amended_without_dirty_seen",
        amended_without_dirty,
        format!(
            "amended without a dirty map, after any of the operations above: {}",
            yes_no(amended_without_dirty)
        ),
    );

    // Delete racing LoadOrStore of one key, while a third thread forces promotions.
    let s: SyncMap<u64, u64> = SyncMap::new();
    let panicked = std::thread::scope(|sc| {
        let a = sc.spawn(|| {
            for _ in 0..5000 {
                s.delete(&1);
            }
        });
        let b = sc.spawn(|| {
            for i in 0..5000 {
                let _ = s.load_or_store(1, i);
            }
        });
        let c = sc.spawn(|| {
            for i in 0..5000u64 {
                s.store(10 + i % 50, i);
                let _ = s.load(&u64::MAX);
            }
        });
        [a.join(), b.join(), c.join()].iter().any(Result::is_err)
    });
    m.put(
        "syncmap.race.delete_loadorstore_panics",
        panicked,
        format!(
            "5,000 Deletes racing 5,000 LoadOrStores of one key, with promotions: a panic {}",
            if panicked {
                "occurred"
            } else {
                "never occurred"
            }
        ),
    );
}
