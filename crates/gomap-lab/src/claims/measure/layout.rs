//! `layout.*`, `offsets.*`, `tophash.*`, `overflow.*`, `cachelines.*` and
//! `lookups.*`: what a bucket holds and where, read from real maps' layouts.

use std::collections::HashSet;
use std::hash::BuildHasher;

use gomap::events::{Event, OverflowSource};
use gomap::tophash::{is_evacuated, is_full, EMPTY_REST};
use gomap::{BucketOrigin, GoMap, Layout};

use super::{ident_key, yes_no, Ident, Log};
use crate::claims::Measurements;
use crate::hashers::{fixed, seed_sequence};
use crate::rng::{scatter, SplitMix64};

/// Byte offsets of a bucket's four parts, from the sizes a layout reports:
/// the 8 tophash bytes, the 8 keys, the 8 values, the overflow pointer.
fn offsets<K, V>(l: &Layout<'_, K, V>) -> [usize; 4] {
    let slots = 8;
    let (ks, vs) = (slot_size(l.key_size), slot_size(l.val_size));
    let keys = slots;
    let values = keys + slots * ks;
    let overflow = values + slots * vs;
    [0, keys, values, overflow]
}

/// Bytes a key or value takes in its slot: itself, or a pointer above 128.
fn slot_size(size: usize) -> usize {
    if size > 128 {
        8
    } else {
        size
    }
}

/// `layout.*` and `offsets.*`.
pub(super) fn layout(m: &mut Measurements) {
    let mut a: GoMap<u64, u64> = GoMap::new();
    a.insert(1, 1);
    let mut s: GoMap<Box<str>, i64> = GoMap::new();
    s.insert("a".into(), 1);
    let la = a.layout();
    let ls = s.layout();
    let slots = la.buckets[0][0].top.len();
    m.put("layout.slots", slots, format!("a bucket has {slots} slots"));
    m.put(
        "layout.tophash_bytes",
        slots,
        format!("{slots} tophash bytes, one per slot"),
    );
    m.put(
        "layout.bucket_size.u64_u64",
        la.bucket_size,
        format!("map[uint64]uint64: {} bytes per bucket", la.bucket_size),
    );
    m.put(
        "layout.bucket_size.string_int",
        ls.bucket_size,
        format!("map[string]int: {} bytes per bucket", ls.bucket_size),
    );
    for (name, l_off, size) in [
        ("u64_u64", offsets(&la), la.bucket_size),
        ("string_int", offsets(&ls), ls.bucket_size),
    ] {
        for (part, off) in ["tophash", "keys", "values", "overflow"].iter().zip(l_off) {
            m.put(
                format!("offsets.{name}.{part}"),
                off,
                format!("{name}: {part} at byte {off} of {size}"),
            );
        }
    }
    let [_, keys, values, overflow] = offsets(&la);
    let ptr = la.bucket_size - overflow;
    m.put(
        "layout.overflow_ptr_bytes",
        ptr,
        format!("the overflow pointer takes the last {ptr} bytes"),
    );
    let segments = [keys, values - keys, overflow - values, ptr]
        .iter()
        .filter(|&&n| n > 0)
        .count();
    m.put(
        "layout.segments",
        segments,
        format!("a bucket has {segments} parts: tophash bytes, keys, values, overflow pointer"),
    );
    let by_pointer = ls.bucket_size == 8 + 8 * 8 + 8 * 8 + 8;
    m.put(
        "layout.string_key_by_pointer",
        by_pointer,
        format!(
            "16-byte keys make a {}-byte bucket: stored {}",
            ls.bucket_size,
            if by_pointer {
                "by pointer"
            } else {
                "in the slots"
            }
        ),
    );
    drop(la);

    let mut id: GoMap<u64, u64, Ident> = GoMap::with_hasher(Ident);
    let keys: Vec<u64> = (0..6u64)
        .map(|j| ident_key(0x10 + 0x25 * j as u8, j, 0))
        .collect();
    for &k in &keys {
        id.insert(k, k);
    }
    let l = id.layout();
    let b = &l.buckets[0][0];
    let top8 = keys.iter().all(|&k| {
        let slot = b.keys.iter().position(|x| x == &Some(&k));
        slot.is_some_and(|s| b.top[s] == (k >> 56) as u8)
    });
    m.put(
        "layout.tophash_top8",
        top8,
        format!(
            "each full slot's tophash is its hash's top byte: {}",
            yes_no(top8)
        ),
    );
}

/// `tophash.*` and where evacuated entries go (`grow.x_keeps_index`,
/// `grow.y_adds_old_size`).
pub(super) fn tophash(m: &mut Measurements) {
    let mut map: GoMap<u64, u64, Ident> = GoMap::with_hasher(Ident);
    let (a, b, c) = (
        ident_key(0x10, 1, 0),
        ident_key(0x20, 2, 0),
        ident_key(0, 3, 0),
    );
    map.insert(a, 1);
    map.insert(b, 2);
    map.insert(c, 3);
    let top = map.layout().buckets[0][0].top;
    m.put(
        "tophash.empty_rest",
        top[3],
        format!("a never-used slot after the full ones is marked {}", top[3]),
    );
    m.put(
        "tophash.min_full",
        top[2],
        format!(
            "a full slot whose hash's top byte is 0 is marked {}",
            top[2]
        ),
    );
    map.remove(&a);
    let t = map.layout().buckets[0][0].top[0];
    m.put(
        "tophash.after_delete_mid",
        t,
        format!("delete of a slot with full slots after it leaves mark {t}"),
    );
    m.put(
        "tophash.empty_one",
        t,
        format!("a deleted slot before full ones is marked {t}"),
    );
    map.remove(&c);
    let t = map.layout().buckets[0][0].top[2];
    m.put(
        "tophash.after_delete_last",
        t,
        format!("delete of the last full slot leaves mark {t}"),
    );

    // A B = 2 map filled to load 6.5 with keys spread evenly, then grown.
    let mut g: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(20, Ident);
    let old_size = g.header().buckets() as u64;
    let keys: Vec<u64> = (0..26u64)
        .map(|j| ident_key((j * 37 % 240 + 5) as u8, j, (j % 4) | (j / 4 % 2) << 2))
        .collect();
    for &k in &keys {
        g.insert(k, k);
    }
    let slots: Vec<Vec<Option<u64>>> = g
        .layout()
        .buckets
        .iter()
        .map(|c| c[0].keys.iter().map(|k| k.copied()).collect())
        .collect();
    let log = Log::default();
    g.set_observer(log.clone());
    g.insert(ident_key(0x99, 99, 0), 0);
    let l = g.layout();
    let (mut x_ok, mut y_ok, mut seen_x, mut seen_y) = (true, true, None, None);
    let mut empty_mark = None;
    if let Some(old) = &l.old {
        for (i, chain) in old.iter().enumerate() {
            let t = chain[0].top;
            if !is_evacuated(t[0]) {
                continue;
            }
            for (s, &mark) in t.iter().enumerate() {
                let Some(k) = slots[i][s] else {
                    empty_mark = Some(mark);
                    continue;
                };
                let dest = (k & (2 * old_size - 1)) as usize;
                let found = l.buckets[dest]
                    .iter()
                    .any(|b| b.keys.iter().any(|x| x == &Some(&k)));
                if k & old_size == 0 {
                    seen_x = Some(mark);
                    x_ok &= found && dest == i;
                } else {
                    seen_y = Some(mark);
                    y_ok &= found && dest == i + old_size as usize;
                }
            }
        }
    }
    if let Some(x) = seen_x {
        m.put(
            "tophash.evacuated_x",
            x,
            format!("an old slot whose entry moved to the same index is marked {x}"),
        );
    }
    if let Some(y) = seen_y {
        m.put(
            "tophash.evacuated_y",
            y,
            format!("an old slot whose entry moved to index + 2^(B-1) is marked {y}"),
        );
    }
    if let Some(e) = empty_mark {
        m.put(
            "tophash.evacuated_empty",
            e,
            format!("an empty slot of an evacuated old bucket is marked {e}"),
        );
    }
    m.put(
        "grow.x_keeps_index",
        x_ok && seen_x.is_some(),
        format!(
            "entries whose new hash bit is 0 stay at their old index: {}",
            yes_no(x_ok)
        ),
    );
    m.put(
        "grow.y_adds_old_size",
        y_ok && seen_y.is_some(),
        format!(
            "entries whose new hash bit is 1 move to index + {old_size}: {}",
            yes_no(y_ok)
        ),
    );
}

/// `overflow.*`: when and from where a chain gets overflow buckets.
pub(super) fn overflow(m: &mut Measurements) {
    let mut map: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(100, Ident);
    let b = map.header().b;
    let log = Log::default();
    map.set_observer(log.clone());
    let mut full_at = None;
    let mut source = None;
    for j in 0..9u64 {
        let before = map.layout().buckets[0][0]
            .top
            .iter()
            .filter(|&&t| is_full(t))
            .count();
        map.insert(ident_key((j * 11 + 5) as u8, j, 0), j);
        for e in log.take() {
            if let Event::OverflowTaken { source: s, .. } = e {
                full_at.get_or_insert(before);
                source.get_or_insert(match s {
                    OverflowSource::Pool(_) => "pool",
                    OverflowSource::Heap => "heap",
                });
            }
        }
    }
    if let Some(n) = full_at {
        m.put(
            format!("overflow.chain_full_at.b{b}"),
            n,
            format!(
                "at B = {b}, a bucket gets its first overflow bucket when it holds {n} entries"
            ),
        );
    }
    if let Some(s) = source {
        m.put(
            format!("overflow.first_source.b{b}"),
            s,
            format!("that overflow bucket comes from the {s}"),
        );
    }
    let l = map.layout();
    let ninth = ident_key((8 * 11 + 5) as u8, 8, 0);
    let in_next = l.buckets[1]
        .iter()
        .any(|bk| bk.keys.iter().any(|k| k == &Some(&ninth)));
    m.put(
        "overflow.next_bucket_probed",
        in_next,
        format!(
            "the 9th key of a full bucket lands in the next bucket: {}; its chain is {} buckets long",
            yes_no(in_next),
            l.buckets[0].len()
        ),
    );
    // Linear probing would need a probe first: a key that stays in its own
    // bucket's chain is not probed for at all.
    m.put(
        "probe.linear",
        in_next,
        if in_next {
            "the 9th key was probed into the next bucket"
        } else {
            "no probe, linear or other: a full bucket grows an overflow chain"
        },
    );
    drop(l);

    let hint = 26_624;
    let mut big: GoMap<u64, u64, _> =
        GoMap::with_capacity_hasher_and_seeds(hint, fixed(21), seed_sequence(21));
    for i in 0..hint as u64 {
        big.insert(scatter(i), i);
    }
    let o = big.stats().overflow;
    let share = o.heap as f64 / (o.heap + o.pool).max(1) as f64;
    m.put(
        format!("overflow.heap_share.b{}", big.header().b),
        share,
        format!(
            "B = {} at load 6.5: {} overflow buckets from the array's pool, {} allocated on their own ({:.0}%)",
            big.header().b,
            o.pool,
            o.heap,
            share * 100.0
        ),
    );
}

/// The 64-byte lines a lookup of a key with hash `h` reads in `l`, the
/// hashes being the keys themselves (an [`Ident`] map), and whether it hit.
fn lines_read(l: &Layout<'_, u64, u64>, key: u64) -> (usize, bool) {
    let bs = l.bucket_size;
    let [_, koff, voff, ooff] = offsets(l);
    let mask = (l.buckets.len() - 1) as u64;
    let top = {
        let t = (key >> 56) as u8;
        if t < 5 {
            t + 5
        } else {
            t
        }
    };
    let mut lines: HashSet<(usize, usize)> = HashSet::new();
    let mut touch = |region: usize, base: usize, from: usize, len: usize| {
        for line in (base + from) / 64..=(base + from + len - 1) / 64 {
            lines.insert((region, line));
        }
    };
    let chain = &l.buckets[(key & mask) as usize];
    let mut heap_region = 1;
    'chain: for b in chain {
        let (region, base) = match b.at {
            BucketOrigin::Main => (0, (key & mask) as usize * bs),
            BucketOrigin::Pool(i) => (0, i * bs),
            BucketOrigin::Heap => {
                heap_region += 1;
                (heap_region, 0)
            }
        };
        touch(region, base, 0, 8);
        for s in 0..8 {
            if b.top[s] == EMPTY_REST {
                break 'chain;
            }
            if b.top[s] != top {
                continue;
            }
            touch(region, base, koff + s * 8, 8);
            if b.keys[s] == Some(&key) {
                touch(region, base, voff + s * 8, 8);
                return (lines.len(), true);
            }
        }
        touch(region, base, ooff, 8);
    }
    (lines.len(), false)
}

/// `cachelines.*`: cache lines per lookup in a real `B = 8` map at two loads.
pub(super) fn cachelines(m: &mut Measurements) {
    let mut rng = SplitMix64::new(17);
    for (name, count) in [("load4", 1024usize), ("load6_5", 1664)] {
        let mut map: GoMap<u64, u64, Ident> = GoMap::with_capacity_and_hasher(1664, Ident);
        let keys: Vec<u64> = (0..count).map(|_| rng.next_u64()).collect();
        for &k in &keys {
            map.insert(k, k);
        }
        let l = map.layout();
        let hits: Vec<usize> = keys.iter().map(|&k| lines_read(&l, k).0).collect();
        let hit_mean = hits.iter().sum::<usize>() as f64 / hits.len() as f64;
        let mask = (l.buckets.len() - 1) as u64;
        let (mut short, mut long) = (Vec::new(), Vec::new());
        let mut misses = Vec::new();
        for _ in 0..4096 {
            let k = rng.next_u64();
            let (n, found) = lines_read(&l, k);
            if found {
                continue;
            }
            misses.push(n);
            if l.buckets[(k & mask) as usize].len() > 1 {
                long.push(n);
            } else {
                short.push(n);
            }
        }
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
        let miss_mean = mean(&misses);
        m.put(
            format!("cachelines.hit.mean.{name}"),
            hit_mean,
            format!(
                "{count} keys in 256 buckets of {} bytes: a hit reads {hit_mean:.2} cache lines on average",
                l.bucket_size
            ),
        );
        m.put(
            format!("cachelines.miss.mean.{name}"),
            miss_mean,
            format!("a miss reads {miss_mean:.2}"),
        );
        if name == "load6_5" {
            let max = hits.iter().copied().max().unwrap_or(0);
            m.put(
                "cachelines.hit.max.load6_5",
                max,
                format!("the worst hit reads {max} lines"),
            );
            let ratio = mean(&long) / mean(&short);
            m.put(
                "cachelines.miss.long_over_short",
                ratio,
                format!(
                    "a miss on a chain with overflow reads {:.2} lines, on a single bucket {:.2} ({ratio:.2}×)",
                    mean(&long),
                    mean(&short)
                ),
            );
        }
    }
}

/// `lookups.false_matches`: lookups among keys sharing bucket and tophash.
pub(super) fn lookups(m: &mut Measurements) {
    let mut map: GoMap<u64, u64, Ident> = GoMap::with_hasher(Ident);
    for j in 0..8u64 {
        map.insert(ident_key(0x77, j, 0), j);
    }
    let mut wrong = 0;
    for j in 0..8u64 {
        if map.get(&ident_key(0x77, j, 0)) != Some(&j) {
            wrong += 1;
        }
    }
    for j in 100..108u64 {
        if map.get(&ident_key(0x77, j, 0)).is_some() {
            wrong += 1;
        }
    }
    let same = map.hasher().hash_one(ident_key(0x77, 1, 0)) >> 56;
    m.put(
        "lookups.false_matches",
        wrong,
        format!(
            "16 lookups among 8 keys that share bucket 0 and tophash {same:#x}: {wrong} wrong answers"
        ),
    );
}
