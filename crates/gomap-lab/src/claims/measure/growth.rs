//! `hint.*`, `grow.*`, `loadfactor.*`, `shrink.*`, `prealloc.*` and
//! `rangegrow.*`: maps made, filled, emptied and ranged over, watched through
//! their headers, layouts and events.

use std::collections::{BTreeMap, HashMap, HashSet};

use foldhash::fast::FixedState;
use gomap::events::{Event, GrowKind};
use gomap::tophash::{is_evacuated, is_full};
use gomap::GoMap;

use super::{ident_key, yes_no, Ident, Log};
use crate::claims::Measurements;
use crate::hashers::{fixed, seed_sequence};
use crate::kv::Key200;
use crate::rng::scatter;

type Fixed = GoMap<u64, u64, FixedState>;

/// A reproducible `map[uint64]uint64` made with `hint`.
fn fixed_map(hint: usize, seed: u64) -> Fixed {
    GoMap::with_capacity_hasher_and_seeds(hint, fixed(seed), seed_sequence(seed))
}

/// Bytes of buckets a map holds (every array and overflow bucket; not the header).
fn bucket_bytes<K, V, S>(m: &GoMap<K, V, S>) -> usize {
    let b = m.stats().bytes;
    b.total - b.header
}

/// `hint.*`: what `make(map, N)` allocates.
pub(super) fn hint(m: &mut Measurements) {
    for n in [
        0usize, 1, 4, 7, 8, 9, 13, 14, 16, 26, 27, 100, 1000, 1024, 1025,
    ] {
        let map: GoMap<u64, u64> = GoMap::with_capacity(n);
        let l = map.layout();
        let b = l.header.b;
        m.put(format!("hint.b.{n}"), b, format!("make(map, {n}): B = {b}"));
        m.put(
            format!("hint.buckets.{n}"),
            l.header.buckets(),
            format!("make(map, {n}): {} buckets", l.header.buckets()),
        );
        m.put(
            format!("hint.allocated.{n}"),
            l.arr_len,
            format!("make(map, {n}) allocates {} buckets", l.arr_len),
        );
        let bytes = map.stats().bytes.bucket_array;
        m.put(
            format!("hint.bucket_bytes.{n}"),
            bytes,
            format!("make(map[uint64]uint64, {n}): {bytes} bytes of buckets"),
        );
    }
    let first = (0..64usize)
        .find(|&n| GoMap::<u64, u64>::with_capacity(n).header().b > 0)
        .unwrap_or(64);
    m.put(
        "hint.first_hint_above_b0",
        first,
        format!("the smallest hint with B > 0 is {first}"),
    );
    let mut map: GoMap<u64, u64> = GoMap::new();
    map.insert(1, 1);
    let arr = map.layout().arr_len;
    m.put(
        "hint.first_insert.arr_len.0",
        arr,
        format!("make(map) then one insert: {arr} bucket(s)"),
    );
}

/// `grow.*` and `loadfactor.*` from filling a map from empty.
pub(super) fn grow(m: &mut Measurements) {
    let mut map: GoMap<u64, u64> = GoMap::new();
    let log = Log::default();
    map.set_observer(log.clone());
    map.insert(0, 0);
    let first = log
        .take()
        .iter()
        .any(|e| matches!(e, Event::GrowStart { .. }));
    m.put(
        "grow.first_insert_grows",
        first,
        format!(
            "the first insert into make(map) starts a growth: {}",
            yes_no(first)
        ),
    );

    let mut map = fixed_map(0, 1);
    let log = Log::default();
    map.set_observer(log.clone());
    let n = 100_000u64;
    let mut count_at_start: BTreeMap<u8, usize> = BTreeMap::new();
    let (mut doublings, mut max_evac, mut b_step, mut growth_work) = (0usize, 0usize, 0u8, false);
    let mut old_iff_growing = true;
    let mut both_hold = false;
    let mut old_over_new: Option<f64> = None;
    let mut lookups_checked: Option<bool> = None;
    let mut single_chain: Option<Vec<bool>> = None;
    let mut evac_without_overflow = false;
    let (mut bytes_before_b4, mut bytes_during_b4, mut bytes_after_b4) = (0usize, 0usize, 0usize);
    for i in 0..n {
        let before = if i < 3000 { bucket_bytes(&map) } else { 0 };
        let was_growing = map.header().growing;
        map.insert(scatter(i), i);
        let events = log.take();
        let mut evac = 0;
        let mut started = None;
        for e in &events {
            match *e {
                Event::GrowStart {
                    kind: GrowKind::Double,
                    old_b,
                    new_b,
                    count,
                    ..
                } => {
                    doublings += 1;
                    b_step = b_step.max(new_b - old_b);
                    count_at_start.entry(old_b).or_insert(count);
                    started = Some(old_b);
                }
                Event::Evacuate { old_bucket, .. } => {
                    evac += 1;
                    if was_growing {
                        if let Some(single) = &single_chain {
                            if single.get(old_bucket).copied().unwrap_or(false) {
                                evac_without_overflow = true;
                            }
                        }
                    }
                }
                Event::GrowDone { b: 5, .. } if bytes_after_b4 == 0 => {
                    bytes_after_b4 = bucket_bytes(&map);
                }
                _ => {}
            }
        }
        max_evac = max_evac.max(evac);
        if evac > 0 && was_growing {
            growth_work = true;
        }
        if i < 3000 && (map.header().growing || started.is_some()) {
            let l = map.layout();
            if l.old.is_some() != l.header.growing {
                old_iff_growing = false;
            }
            if let Some(old) = &l.old {
                if old_over_new.is_none() && l.header.flags & 8 == 0 {
                    old_over_new = Some(old.len() as f64 / l.buckets.len() as f64);
                }
                let old_live = old
                    .iter()
                    .any(|c| c.iter().any(|b| b.top.iter().any(|&t| is_full(t))));
                let new_live = l
                    .buckets
                    .iter()
                    .any(|c| c.iter().any(|b| b.top.iter().any(|&t| is_full(t))));
                both_hold |= old_live && new_live;
                if started == Some(4) {
                    single_chain = Some(
                        old.iter()
                            .map(|c| c.len() == 1 && !is_evacuated(c[0].top[0]))
                            .collect(),
                    );
                    bytes_before_b4 = before;
                    bytes_during_b4 = bucket_bytes(&map);
                }
            }
            if lookups_checked.is_none() && l.header.growing && l.header.b >= 4 {
                drop(l);
                for j in 0..=i {
                    let _ = map.get(&scatter(j));
                }
                lookups_checked = Some(
                    log.take()
                        .iter()
                        .any(|e| matches!(e, Event::Evacuate { .. })),
                );
            }
        }
        if !map.header().growing && i > 200 {
            single_chain = None;
        }
        if i + 1 == n {
            let h = map.header();
            m.put(
                "grow.doublings.100000",
                doublings,
                format!("100,000 inserts without a hint: {doublings} doublings"),
            );
            m.put(
                "grow.final_b.100000",
                h.b,
                format!("100,000 inserts: B = {}", h.b),
            );
            m.put(
                "grow.final_buckets.100000",
                h.buckets(),
                format!("100,000 inserts: {} buckets", h.buckets()),
            );
        }
    }
    for (&b, &count) in &count_at_start {
        m.put(
            format!("grow.count_at_start.b{b}"),
            count,
            format!("the doubling from B = {b} starts with {count} entries (the next insert)"),
        );
        let buckets = (1u64 << b) as f64;
        let load = count as f64 / buckets;
        m.put(
            format!("loadfactor.count_over_2b_at_growth.b{b}"),
            load,
            format!("count / 2^B = {load} when the doubling from B = {b} starts"),
        );
        if b > 0 {
            let per_b = count as f64 / f64::from(b);
            m.put(
                format!("loadfactor.count_over_b_at_growth.b{b}"),
                per_b,
                format!("count / B = {per_b} when the doubling from B = {b} starts"),
            );
        }
        if b == 4 {
            m.put(
                "loadfactor.max_load_without_growth.b4",
                load,
                format!("a B = 4 map holds {count} entries (load {load}) without growing"),
            );
            let after = (count + 1) as f64 / buckets;
            m.put(
                "loadfactor.load_after_trigger.b4",
                after,
                format!("the insert that grows it would make the load {after}"),
            );
        }
    }
    m.put(
        "grow.max_evacuations_per_write",
        max_evac,
        format!("one insert evacuated at most {max_evac} old buckets"),
    );
    m.put(
        "grow.u64_insert_does_growth_work",
        growth_work,
        format!(
            "inserts into a map[uint64]uint64 evacuate old buckets while it grows: {}",
            yes_no(growth_work)
        ),
    );
    let lookups = lookups_checked.unwrap_or(false);
    m.put(
        "grow.lookups_evacuate",
        lookups,
        format!(
            "lookups of every key during a growth evacuate buckets: {}",
            yes_no(lookups)
        ),
    );
    m.put(
        "grow.double.b_step",
        b_step,
        format!("a doubling raises B by {b_step}"),
    );
    let ratio = f64::from(1u32 << b_step);
    m.put(
        "grow.double.bucket_ratio",
        ratio,
        format!("a doubling multiplies the buckets by {ratio}"),
    );
    if let Some(r) = old_over_new {
        m.put(
            "grow.double.old_over_new",
            r,
            format!("while doubling, the old array has {r} × the new one's buckets"),
        );
    }
    let during = bytes_during_b4 as f64 / bytes_before_b4.max(1) as f64;
    let after = bytes_after_b4 as f64 / bytes_before_b4.max(1) as f64;
    m.put(
        "grow.double.bytes_during_over_before",
        during,
        format!(
            "doubling from B = 4: {bytes_before_b4} bytes of buckets before, {bytes_during_b4} mid-growth ({during:.2}×)"
        ),
    );
    m.put(
        "grow.double.bytes_after_over_before",
        after,
        format!("and {bytes_after_b4} after it ({after:.2}×)"),
    );
    m.put(
        "grow.old_present_iff_growing",
        old_iff_growing,
        format!(
            "the old array exists exactly while the map grows: {}",
            yes_no(old_iff_growing)
        ),
    );
    m.put(
        "grow.both_arrays_hold_entries",
        both_hold,
        format!(
            "mid-growth, old and new arrays both hold live entries: {}",
            yes_no(both_hold)
        ),
    );
    m.put(
        "grow.evacuates_buckets_without_overflow",
        evac_without_overflow,
        format!(
            "old buckets without an overflow chain are evacuated too: {}",
            yes_no(evac_without_overflow)
        ),
    );
}

/// `grow.same_size.*`: a same-size growth provoked at `B = 2` by overflow
/// buckets a churn of deletes leaves sparse.
pub(super) fn same_size(m: &mut Measurements) {
    let mut map: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(20, Ident);
    let log = Log::default();
    map.set_observer(log.clone());
    let key = |bucket: u64, j: u64| ident_key(((j * 29 + 7) % 250 + 5) as u8, j, bucket);
    for j in 0..25 {
        map.insert(key(0, j), j);
    }
    for j in 0..20 {
        map.remove(&key(0, j));
    }
    for j in 0..9 {
        map.insert(key(1, j), j);
    }
    map.insert(key(2, 0), 0);
    let start = log.take().into_iter().find_map(|e| match e {
        Event::GrowStart {
            kind: GrowKind::SameSize,
            old_b,
            new_b,
            noverflow,
            ..
        } => Some((old_b, new_b, noverflow)),
        _ => None,
    });
    m.put(
        "grow.same_size.exists",
        start.is_some(),
        format!(
            "14 entries in 4 buckets with 4 overflow buckets: same-size growth {}",
            if start.is_some() {
                "started"
            } else {
                "did not start"
            }
        ),
    );
    let Some((old_b, new_b, noverflow)) = start else {
        return;
    };
    m.put(
        "grow.same_size.min_b",
        old_b,
        format!("a same-size growth started at B = {old_b}"),
    );
    let ratio = f64::from(noverflow) / f64::from(1u32 << old_b);
    m.put(
        "grow.same_size.noverflow_ratio_at_start",
        ratio,
        format!(
            "it started with noverflow = {noverflow}, 2^B = {} (ratio {ratio})",
            1u32 << old_b
        ),
    );
    m.put(
        "grow.same_size.keeps_b",
        old_b == new_b,
        format!("B {old_b} → {new_b}"),
    );
    let l = map.layout();
    let (flags, new_array) = (l.header.flags, l.old.is_some());
    drop(l);
    m.put(
        "grow.same_size.flag",
        flags,
        format!("header flags mid same-size growth: {flags}"),
    );
    m.put(
        "grow.same_size.new_array",
        new_array,
        format!(
            "a same-size growth allocates a new array and keeps the old one until evacuated: {}",
            yes_no(new_array)
        ),
    );
    for _ in 0..64 {
        if !map.header().growing {
            break;
        }
        map.remove(&u64::MAX);
    }
    let after = map.layout().overflow_buckets();
    let r = after as f64 / f64::from(noverflow.max(1));
    m.put(
        "grow.same_size.overflow_after_over_before",
        r,
        format!("overflow buckets: {noverflow} before, {after} after the repack"),
    );
}

/// `grow.large_key.extra_growths` and `layout.key200.indirect`.
pub(super) fn large_keys(m: &mut Measurements) {
    fn growths<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> usize {
        let mut map: GoMap<K, u64> = GoMap::new();
        let log = Log::default();
        map.set_observer(log.clone());
        for (i, k) in keys.enumerate() {
            map.insert(k, i as u64);
        }
        log.take()
            .iter()
            .filter(|e| matches!(e, Event::GrowStart { .. }))
            .count()
    }
    let big = |i: u64| {
        let mut a = [0u8; 200];
        a[..8].copy_from_slice(&scatter(i).to_le_bytes());
        Key200(a)
    };
    let g200 = growths((0..1000).map(big));
    let g64 = growths((0..1000).map(scatter));
    let extra = g200 as i64 - g64 as i64;
    m.put(
        "grow.large_key.extra_growths",
        extra,
        format!("1,000 inserts: {g200} growths with 200-byte keys, {g64} with 8-byte keys"),
    );
    let map: GoMap<Key200, u64> = GoMap::new();
    let l = map.layout();
    let indirect = l.bucket_size < 8 + 8 * l.key_size;
    m.put(
        "layout.key200.indirect",
        indirect,
        format!(
            "a 200-byte key's bucket is {} bytes: keys stored {}",
            l.bucket_size,
            if indirect {
                "by pointer"
            } else {
                "in the slots"
            }
        ),
    );
}

/// `grow.doubles_past_b15`: a map at `B = 15` filled past its load.
pub(super) fn past_b15(m: &mut Measurements) {
    let hint = 212_992;
    let mut map = fixed_map(hint, 3);
    let b0 = map.header().b;
    for i in 0..=hint as u64 {
        map.insert(scatter(i), i);
    }
    let b1 = map.header().b;
    m.put(
        "grow.doubles_past_b15",
        b1 > b0 && b0 >= 15,
        format!(
            "a map made at B = {b0} and filled with {} entries reaches B = {b1}",
            hint + 1
        ),
    );
}

/// `shrink.*`: memory after deleting every key, and after clear.
pub(super) fn shrink(m: &mut Measurements) {
    let mut map = fixed_map(0, 5);
    let n = 10_000u64;
    for i in 0..n {
        map.insert(scatter(i), i);
    }
    while map.header().growing {
        map.insert(scatter(0), 0);
    }
    let (b0, bytes0) = (map.header().b, bucket_bytes(&map));
    for i in 0..n {
        map.remove(&scatter(i));
    }
    let (b1, bytes1) = (map.header().b, bucket_bytes(&map));
    for i in 0..n {
        map.insert(scatter(i), i);
    }
    map.clear();
    let (b2, bytes2) = (map.header().b, bucket_bytes(&map));
    m.put("shrink.b_before", b0, format!("{n} entries: B = {b0}"));
    m.put(
        "shrink.b_after_delete",
        b1,
        format!("after deleting all: B = {b1}"),
    );
    m.put(
        "shrink.b_drop",
        i64::from(b0) - i64::from(b1),
        format!("B {b0} → {b1} after deleting every key"),
    );
    m.put("shrink.b_after_clear", b2, format!("after clear: B = {b2}"));
    m.put(
        "shrink.bytes_before",
        bytes0,
        format!("{bytes0} bytes of buckets with {n} entries"),
    );
    m.put(
        "shrink.bytes_after_delete",
        bytes1,
        format!("{bytes1} bytes after deleting them all"),
    );
    m.put(
        "shrink.bytes_after_clear",
        bytes2,
        format!("{bytes2} bytes after clear"),
    );
    let r1 = bytes1 as f64 / bytes0 as f64;
    let r2 = bytes2 as f64 / bytes0 as f64;
    m.put(
        "shrink.bytes_ratio_after_delete",
        r1,
        format!("bucket bytes after deleting every key: {r1:.2}× ({bytes0} → {bytes1})"),
    );
    m.put(
        "shrink.bytes_ratio_after_clear",
        r2,
        format!("bucket bytes after clear: {r2:.2}×"),
    );

    let mut chain: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(100, Ident);
    for j in 0..64 {
        chain.insert(ident_key((j % 200 + 5) as u8, j, 0), j);
    }
    let before = chain.layout().buckets[0].len();
    for j in 0..64 {
        chain.remove(&ident_key((j % 200 + 5) as u8, j, 0));
    }
    let after = chain.layout().buckets[0].len();
    m.put(
        "shrink.overflow_pruned",
        after < before,
        format!("a chain of {before} buckets is {after} long after deleting all 64 of its keys"),
    );
}

/// `prealloc.*`: doublings of 1,024 inserts with and without a hint.
pub(super) fn prealloc(m: &mut Measurements) {
    for hint in [0usize, 1024] {
        let mut map = fixed_map(hint, 9);
        let log = Log::default();
        map.set_observer(log.clone());
        for i in 0..1024 {
            map.insert(scatter(i), i);
        }
        let d = log
            .take()
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::GrowStart {
                        kind: GrowKind::Double,
                        ..
                    }
                )
            })
            .count();
        m.put(
            format!("prealloc.doublings.hint{hint}_n1024"),
            d,
            format!("make(map, {hint}) + 1,024 inserts: {d} doublings"),
        );
    }
}

/// `rangegrow.*`: a `range()` cursor walking a map that starts mid-growth,
/// while each step inserts a new key (growth work, and a second growth) and
/// every fourth step deletes an entry the range has not reached.
///
/// The cursor starts at a random bucket and slot, as Go's range does, so the
/// counts of inserted entries seen vary from run to run; the values the
/// claims read (repeats, misses, phantoms, whether some inserted entries are
/// seen and some not) do not.
pub(super) fn range_across_growth(m: &mut Measurements) {
    let mut map = fixed_map(0, 11);
    let log = Log::default();
    map.set_observer(log.clone());
    let original: Vec<u64> = (0..105).map(scatter).collect();
    for (i, &k) in original.iter().enumerate() {
        map.insert(k, i as u64);
    }
    let started_mid_growth = map.header().growing;
    log.take();
    let mut ever: HashSet<u64> = original.iter().copied().collect();
    let mut deleted: HashSet<u64> = HashSet::new();
    let mut yielded: HashMap<u64, usize> = HashMap::new();
    let mut inserted: Vec<u64> = Vec::new();
    let mut r = map.range();
    let mut step = 0u64;
    while let Some((&k, _)) = r.next(&map) {
        *yielded.entry(k).or_insert(0) += 1;
        step += 1;
        let new = scatter(1_000_000 + step);
        ever.insert(new);
        inserted.push(new);
        map.insert(new, step);
        if step % 4 == 0 {
            if let Some(&victim) = original
                .iter()
                .rev()
                .find(|k| !yielded.contains_key(k) && !deleted.contains(k))
            {
                map.remove(&victim);
                deleted.insert(victim);
            }
        }
        if step > 10_000 {
            break;
        }
    }
    let growths = log
        .take()
        .iter()
        .filter(|e| matches!(e, Event::GrowStart { .. } | Event::GrowDone { .. }))
        .count();
    let repeated = yielded.values().filter(|&&c| c > 1).count();
    let missed = original
        .iter()
        .filter(|k| !deleted.contains(k) && !yielded.contains_key(k))
        .count();
    let invented = yielded.keys().filter(|k| !ever.contains(k)).count();
    let deleted_yielded = deleted.iter().filter(|k| yielded.contains_key(k)).count();
    let seen = inserted.iter().filter(|k| yielded.contains_key(k)).count();
    let context = format!(
        "a range over 105 entries ({}mid-growth at the start), {} inserts and {} deletes during it, {growths} growth starts and ends",
        if started_mid_growth { "" } else { "not " },
        inserted.len(),
        deleted.len()
    );
    m.put(
        "rangegrow.repeated",
        repeated,
        format!("{context}: {repeated} entries yielded twice"),
    );
    m.put(
        "rangegrow.missed",
        missed,
        format!("{missed} entries present throughout never yielded"),
    );
    m.put(
        "rangegrow.invented",
        invented,
        format!("{invented} entries yielded that were never inserted"),
    );
    m.put(
        "rangegrow.deleted_yielded",
        deleted_yielded,
        format!("{deleted_yielded} entries deleted before reached yet yielded"),
    );
    m.put(
        "rangegrow.growths_during",
        growths,
        format!("{growths} growth starts and ends during the range"),
    );
    m.put(
        "rangegrow.inserted_some_seen",
        seen > 0,
        format!(
            "{seen} of {} entries inserted during the range were yielded",
            inserted.len()
        ),
    );
    m.put(
        "rangegrow.inserted_some_unseen",
        seen < inserted.len(),
        format!("{} were not", inserted.len() - seen),
    );
}
