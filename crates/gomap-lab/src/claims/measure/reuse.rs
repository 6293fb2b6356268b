//! `reuse.*`: when an insert takes a slot a delete emptied.

use gomap::events::Event;
use gomap::GoMap;

use super::{ident_key, yes_no, Ident, Log};
use crate::claims::Measurements;

/// `reuse.*`.
pub(super) fn reuse(m: &mut Measurements) {
    let mut map: GoMap<u64, u64, Ident> = GoMap::with_hasher(Ident);
    let log = Log::default();
    map.set_observer(log.clone());
    let (a, b, c) = (
        ident_key(0x10, 1, 0),
        ident_key(0x20, 2, 0),
        ident_key(0x30, 3, 0),
    );
    for k in [a, b, c] {
        map.insert(k, k);
    }
    map.remove(&a);
    let before = map.layout();
    let (top_before, len_before, arr_before) = (
        before.buckets[0][0].top[0],
        before.buckets[0].len(),
        before.arr_len,
    );
    drop(before);
    log.take();
    // A different key, same bucket, a different tophash.
    let d = ident_key(0x40, 4, 0);
    map.insert(d, d);
    let events = log.take();
    let after = map.layout();
    let reused = after.buckets[0][0].keys[0] == Some(&d)
        && events.iter().any(|e| matches!(e, Event::SlotReused { .. }));
    let top_after = after.buckets[0][0].top[0];
    let no_alloc = after.buckets[0].len() == len_before
        && after.arr_len == arr_before
        && !events
            .iter()
            .any(|e| matches!(e, Event::OverflowTaken { .. }));
    drop(after);
    m.put(
        "reuse.needs_tophash_match",
        !reused,
        format!(
            "a deleted slot (tophash 0x10) is reused by a key with tophash 0x40: {}",
            yes_no(reused)
        ),
    );
    m.put(
        "reuse.empty_one_reused",
        reused && top_before == 1,
        format!(
            "a slot marked {top_before} after its delete is taken by the next new key of its bucket: {}",
            yes_no(reused)
        ),
    );
    m.put(
        "reuse.native_reuses_deleted_slot",
        reused,
        format!("the plain map reuses a deleted slot: {}", yes_no(reused)),
    );
    m.put(
        "reuse.top_before",
        top_before,
        format!("the slot's mark before the insert: {top_before}"),
    );
    m.put(
        "reuse.top_after_is_hash",
        top_after == 0x40,
        format!("after it: {top_after:#x}, the new key's top hash byte"),
    );
    m.put(
        "reuse.no_alloc",
        no_alloc,
        format!(
            "the reinsert took no new bucket and allocated nothing: {}",
            yes_no(no_alloc)
        ),
    );

    // A full map: B = 2 at load 6.5, one delete, one insert into that bucket.
    let mut full: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(20, Ident);
    let log = Log::default();
    full.set_observer(log.clone());
    let keys: Vec<u64> = (0..26u64)
        .map(|j| ident_key((j * 7 % 240 + 5) as u8, j, j % 4))
        .collect();
    for &k in &keys {
        full.insert(k, k);
    }
    full.remove(&keys[0]);
    log.take();
    let load = full.header().load_factor();
    full.insert(ident_key(0xEE, 500, 0), 0);
    let seen = log
        .take()
        .iter()
        .any(|e| matches!(e, Event::SlotReused { .. }));
    if seen {
        m.put(
            "reuse.load_at_reuse",
            load,
            format!("a slot reused in a map at load {load}"),
        );
    }
}
