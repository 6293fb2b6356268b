//! Unusual key and value shapes, and the Go 1.19 facts (shared/go-map/FACTS.md)
//! that can be seen through the public API.
//!
//! Shapes: zero-sized keys and values (with and without `Drop`), keys and
//! values of 128, 129 and 200+ bytes (over 128 bytes they are stored
//! indirectly), `u128` and over-aligned (`align(32)`, `align(64)`) keys and
//! values, whose references must be properly aligned.
//!
//! Facts: B for a `with_capacity` hint, the inserts that start each doubling,
//! bucket sizes, the preallocated overflow pool per B and bucket size, a
//! same-size growth from delete/insert churn, absurd hints, when `hash0` is
//! redrawn, and what `clear` keeps.
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::mem::{align_of, size_of};

use gomap::{DefaultHashBuilder, GoMap, Header, PoolState};

/// Scaled down under Miri.
const N: u64 = if cfg!(miri) { 40 } else { 2_000 };

/// Whether the `i`th op of a loop is followed by `check_invariants`: every
/// op natively; every 8th under Miri, where one call on a 60-entry map costs
/// about half a second of interpreted time (it rehashes every key).
fn check_after(i: u64) -> bool {
    !cfg!(miri) || i % 8 == 0
}

/// A map of this key and value type whose every op is followed by a check
/// (see [`check_after`]).
fn checked_fill<K: Hash + Eq + Clone + std::fmt::Debug, V: Clone + PartialEq + std::fmt::Debug>(
    stress: bool, entries: impl IntoIterator<Item = (K, V)>,
) -> GoMap<K, V> {
    let mut m = GoMap::new();
    m.set_stress_tuning(stress);
    for (i, (k, v)) in (0u64..).zip(entries) {
        m.insert(k.clone(), v.clone());
        if check_after(i) {
            m.check_invariants();
        }
        assert_eq!(m.get(&k), Some(&v));
    }
    m.check_invariants();
    m
}

// ---------------------------------------------------------------------------
// Zero-sized keys and values
// ---------------------------------------------------------------------------

#[test]
fn zst_key_and_value() {
    for hint in [0, 100] {
        let mut m: GoMap<(), ()> = GoMap::with_capacity(hint);
        m.check_invariants();
        assert_eq!(m.get(&()), None);
        assert_eq!(m.insert((), ()), None);
        m.check_invariants();
        assert_eq!(m.insert((), ()), Some(()));
        assert_eq!(m.len(), 1);
        assert_eq!(m.get(&()), Some(&()));
        assert_eq!(m.iter().count(), 1);
        assert_eq!(m.clone().into_iter().collect::<Vec<_>>(), vec![((), ())]);
        assert_eq!(m.remove(&()), Some(()));
        assert!(m.is_empty());
        assert_eq!(m.remove(&()), None);
        m.entry(()).or_default();
        assert_eq!(m.drain().count(), 1);
        m.check_invariants();
        assert!(m.is_empty());
    }
}

#[test]
fn zst_key_u64_value() {
    let mut m: GoMap<(), u64> = GoMap::new();
    assert_eq!(m.insert((), 1), None);
    assert_eq!(m.insert((), 2), Some(1));
    *m.get_mut(&()).unwrap() += 40;
    assert_eq!(m[&()], 42);
    *m.entry(()).or_insert(0) += 1;
    assert_eq!(m.get_key_value(&()), Some((&(), &43)));
    m.check_invariants();
    m.retain(|_, v| *v != 43);
    assert!(m.is_empty());
    m.check_invariants();
}

#[test]
fn u64_key_zst_value_as_a_set() {
    for stress in [false, true] {
        let mut m = checked_fill(stress, (0..N).map(|k| (k, ())));
        assert_eq!(m.len() as u64, N);
        for k in (0..N).step_by(2) {
            assert_eq!(m.remove(&k), Some(()));
            if check_after(k / 2) {
                m.check_invariants();
            }
        }
        assert!((0..N).all(|k| m.contains_key(&k) == (k % 2 == 1)));
        let c = m.clone();
        assert!(c == m);
        m.retain(|k, _| k % 3 != 0);
        m.check_invariants();
        let mut keys: Vec<u64> = m.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            (0..N)
                .filter(|k| k % 2 == 1 && k % 3 != 0)
                .collect::<Vec<_>>()
        );
        assert_eq!(c.into_iter().count() as u64, N / 2);
    }
}

thread_local! {
    static ZST_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// A zero-sized value that counts its drops.
#[derive(Debug, PartialEq)]
struct DropZst;

impl Drop for DropZst {
    fn drop(&mut self) {
        ZST_DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn zst_drops() -> usize {
    ZST_DROPS.with(|d| d.get())
}

#[test]
fn zst_value_with_drop() {
    let n = N as usize;
    let mut m: GoMap<u64, DropZst> = GoMap::new();
    m.set_stress_tuning(true);
    for k in 0..N {
        assert!(m.insert(k, DropZst).is_none());
    }
    assert_eq!(zst_drops(), 0, "growth dropped a zero-sized value");
    // The returned old value is dropped here, by us.
    drop(m.insert(0, DropZst));
    assert_eq!(zst_drops(), 1);
    drop(m.remove(&1));
    assert_eq!(zst_drops(), 2);
    m.retain(|k, _| k % 2 == 0);
    assert_eq!(zst_drops(), 2 + n / 2 - 1);
    m.check_invariants();
    let left = m.len();
    drop(m);
    assert_eq!(zst_drops(), 2 + n / 2 - 1 + left);
}

// ---------------------------------------------------------------------------
// Big keys and values (stored indirectly over 128 bytes)
// ---------------------------------------------------------------------------

fn big<const L: usize>(n: u64) -> [u8; L] {
    let mut a = [0u8; L];
    for (i, b) in a.iter_mut().enumerate() {
        *b = (n.wrapping_mul(31).wrapping_add(i as u64 * 7) >> (i % 7)) as u8;
    }
    a[..8].copy_from_slice(&n.to_le_bytes());
    a
}

#[test]
fn big_keys_200_bytes() {
    for stress in [false, true] {
        let mut m = checked_fill(stress, (0..N).map(|n| (big::<200>(n), n)));
        for n in 0..N {
            assert_eq!(m.get(&big::<200>(n)), Some(&n));
        }
        for (k, v) in m.iter() {
            assert_eq!(*k, big::<200>(*v));
        }
        for n in (0..N).step_by(3) {
            assert_eq!(m.remove(&big::<200>(n)), Some(n));
            if check_after(n / 3) {
                m.check_invariants();
            }
        }
        assert_eq!(m.remove_entry(&big::<200>(1)), Some((big::<200>(1), 1)));
        let c = m.clone();
        assert!(c == m);
        assert_eq!(m.drain().count(), c.len());
        m.check_invariants();
    }
}

#[test]
fn big_values_200_bytes() {
    for stress in [false, true] {
        let mut m = checked_fill(stress, (0..N).map(|n| (n, big::<200>(n))));
        for n in 0..N {
            assert_eq!(m.get(&n), Some(&big::<200>(n)));
        }
        m.get_mut(&5).unwrap()[199] ^= 0xff;
        assert_ne!(m[&5], big::<200>(5));
        assert_eq!(
            m.insert(5, big::<200>(5000)).map(|v| v[199]),
            Some(big::<200>(5)[199] ^ 0xff)
        );
        for v in m.values_mut() {
            v[100] = 1;
        }
        assert!(m.values().all(|v| v[100] == 1));
        m.retain(|k, _| k % 2 == 0);
        m.check_invariants();
        assert_eq!(
            m.into_iter()
                .filter(|(k, v)| v[..8] == k.to_le_bytes())
                .count() as u64,
            N.div_ceil(2)
        );
    }
}

#[test]
fn big_keys_and_values_at_the_indirect_boundary() {
    let m = checked_fill(true, (0..N).map(|n| (big::<128>(n), big::<129>(n))));
    for n in 0..N {
        assert_eq!(m.get(&big::<128>(n)), Some(&big::<129>(n)));
    }
    let m = checked_fill(true, (0..N).map(|n| (big::<129>(n), big::<128>(n))));
    for n in 0..N {
        assert_eq!(m.get(&big::<129>(n)), Some(&big::<128>(n)));
    }
    let m = checked_fill(true, (0..N).map(|n| (big::<300>(n), big::<300>(n + 1))));
    for n in 0..N {
        assert_eq!(m.get(&big::<300>(n)), Some(&big::<300>(n + 1)));
    }
}

// ---------------------------------------------------------------------------
// Alignment
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(align(32))]
struct A32(u64);

/// 256 bytes, 64-aligned: stored indirectly, and the indirect allocation must
/// honour the alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C, align(64))]
struct Wide([u64; 32]);

fn wide(n: u64) -> Wide {
    Wide([n; 32])
}

fn assert_aligned<T>(r: &T) {
    assert_eq!(
        r as *const T as usize % align_of::<T>(),
        0,
        "misaligned {}",
        std::any::type_name::<T>()
    );
}

fn check_alignment<K, V>(m: &GoMap<K, V>) {
    for (k, v) in m.iter() {
        assert_aligned(k);
        assert_aligned(v);
    }
    if let Some(old) = m.layout().old {
        for b in old.iter().flatten() {
            b.keys.iter().flatten().for_each(|k| assert_aligned(*k));
            b.vals.iter().flatten().for_each(|v| assert_aligned(*v));
        }
    }
}

#[test]
fn u128_keys_and_values() {
    for stress in [false, true] {
        let entries = (0..N).map(|n| (((n as u128) << 64) | n as u128, u128::MAX - n as u128));
        let mut m = checked_fill(stress, entries);
        check_alignment(&m);
        for n in 0..N {
            let k = ((n as u128) << 64) | n as u128;
            assert_aligned(m.get(&k).unwrap());
            assert_eq!(m.remove(&k), Some(u128::MAX - n as u128));
            if n % 16 == 0 {
                check_alignment(&m);
                m.check_invariants();
            }
        }
        assert!(m.is_empty());
    }
}

#[test]
fn over_aligned_keys_and_values() {
    assert_eq!(size_of::<A32>(), 32);
    for stress in [false, true] {
        let mut m = checked_fill(stress, (0..N).map(|n| (A32(n), A32(!n))));
        check_alignment(&m);
        for n in (0..N).step_by(2) {
            assert_eq!(m.remove(&A32(n)), Some(A32(!n)));
        }
        m.check_invariants();
        check_alignment(&m);
        for v in m.values_mut() {
            assert_aligned(v);
            v.0 += 1;
        }
        let m = checked_fill(stress, (0..N / 2).map(|n| (wide(n), A32(n))));
        check_alignment(&m);
        let m = checked_fill(stress, (0..N / 2).map(|n| (A32(n), wide(n))));
        check_alignment(&m);
        for n in 0..N / 2 {
            assert_aligned(m.get(&A32(n)).unwrap());
        }
    }
}

// ---------------------------------------------------------------------------
// Facts: B for a hint
// ---------------------------------------------------------------------------

/// FACTS: the smallest B such that NOT (hint > 8 && hint > 13 * (2^B / 2)).
fn expected_b(hint: usize) -> u8 {
    let mut b = 0u32;
    while hint > 8 && (hint as u128) > 13 * ((1u128 << b) / 2) {
        b += 1;
    }
    b as u8
}

#[test]
fn hint_table() {
    let table = [
        (0, 0),
        (8, 0),
        (9, 1),
        (13, 1),
        (14, 2),
        (26, 2),
        (27, 3),
        (52, 3),
        (53, 4),
        (104, 4),
        (105, 5),
        (208, 5),
        (209, 6),
    ];
    for (hint, b) in table {
        assert_eq!(expected_b(hint), b, "FACTS formula at hint {hint}");
        assert_eq!(
            GoMap::<u64, u64>::with_capacity(hint).header().b,
            b,
            "with_capacity({hint})"
        );
    }
    let top = if cfg!(miri) { 120 } else { 20_000 };
    for hint in 0..=top {
        let m = GoMap::<u64, u64>::with_capacity(hint);
        let h = m.header();
        assert_eq!(h.b, expected_b(hint), "with_capacity({hint})");
        assert_eq!(
            (h.count, h.flags, h.noverflow, h.nevacuate, h.growing),
            (0, 0, 0, 0, false)
        );
        let l = m.layout();
        if h.b == 0 {
            assert_eq!(
                l.arr_len, 0,
                "B = 0: no array until the first insert (hint {hint})"
            );
        } else {
            assert!(
                l.arr_len >= 1 << h.b,
                "B > 0: the array is allocated at make (hint {hint})"
            );
        }
    }
    // B = 0 allocates its one bucket on the first insert.
    let mut m = GoMap::<u64, u64>::with_capacity(8);
    m.insert(1, 1);
    assert_eq!((m.header().b, m.layout().arr_len), (0, 1));
}

#[test]
fn absurd_hints_are_ignored() {
    for hint in [usize::MAX, 1 << 62] {
        let mut m = GoMap::<u64, u64>::with_capacity(hint);
        assert_eq!(m.header().b, 0, "hint {hint}");
        assert_eq!(m.layout().arr_len, 0);
        for k in 0..100 {
            m.insert(k, k);
        }
        m.check_invariants();
        assert!((0..100).all(|k| m[&k] == k));
        let mut s =
            GoMap::<Box<str>, u64>::with_capacity_and_hasher(hint, DefaultHashBuilder::default());
        assert_eq!(s.header().b, 0);
        s.insert("x".into(), 1);
        assert_eq!(s["x"], 1);
    }
}

// ---------------------------------------------------------------------------
// Facts: when doublings start
// ---------------------------------------------------------------------------

#[test]
fn doublings_start_on_the_documented_inserts() {
    const STARTS: [u64; 7] = [9, 14, 27, 53, 105, 209, 417];
    let mut m = GoMap::<u64, u64>::new();
    let mut b = 0;
    for i in 1..=420u64 {
        let before = m.header();
        assert_eq!(before.b, b);
        m.insert(i, i);
        let after = m.header();
        if STARTS.contains(&i) {
            assert!(!before.growing, "insert {i}: a growth was still running");
            assert_eq!(after.b, b + 1, "insert {i} must start a doubling");
            assert_eq!(after.flags & Header::SAME_SIZE_GROW, 0);
            // From B = 0 and B = 1 the same insert evacuates every old bucket.
            assert_eq!(after.growing, i > 14, "insert {i}: growing");
            b += 1;
        } else {
            assert_eq!(after.b, b, "insert {i} must not change B");
            assert!(
                !after.growing || before.growing,
                "insert {i} started a growth"
            );
        }
        if STARTS.contains(&i) || (!cfg!(miri) && i % 16 == 0) {
            m.check_invariants();
        }
    }
    // 212,993rd key: B 15 → 16.
    if !cfg!(miri) {
        let mut m = GoMap::<u64, u64>::with_capacity(212_992);
        assert_eq!(m.header().b, 15);
        for i in 0..212_992 {
            m.insert(i, i);
        }
        assert_eq!((m.header().b, m.header().growing), (15, false));
        m.insert(u64::MAX, 0);
        assert_eq!((m.header().b, m.header().growing), (16, true));
    }
}

#[test]
fn overwrites_and_deletes_never_start_a_growth() {
    let mut m = GoMap::<u64, u64>::new();
    for k in 0..8 {
        m.insert(k, k);
    }
    for k in 0..8 {
        m.insert(k, k + 1);
        m.remove(&100);
        *m.entry(k).or_insert(0) += 1;
        assert_eq!((m.header().b, m.header().growing), (0, false));
    }
    m.insert(8, 8);
    assert_eq!(m.header().b, 1);
}

// ---------------------------------------------------------------------------
// Facts: bucket sizes and the overflow pool
// ---------------------------------------------------------------------------

/// FACTS layout: tophash[8], 8 keys, 8 values, the overflow pointer; a key
/// or value over 128 bytes takes a pointer's slot.
fn go_bucket_size<K, V>() -> usize {
    let slot = |size: usize| if size > 128 { size_of::<usize>() } else { size };
    8 + 8 * slot(size_of::<K>()) + 8 * slot(size_of::<V>()) + size_of::<usize>()
}

#[test]
fn bucket_sizes() {
    assert_eq!(GoMap::<u64, u64>::new().layout().bucket_size, 144);
    assert_eq!(GoMap::<Box<str>, u64>::new().layout().bucket_size, 208);
    assert_eq!(GoMap::<&str, u64>::new().layout().bucket_size, 208);
    macro_rules! check {
        ($($k:ty => $v:ty),* $(,)?) => {$(
            assert_eq!(
                GoMap::<$k, $v>::new().layout().bucket_size,
                go_bucket_size::<$k, $v>(),
                "bucket size of {} => {}", stringify!($k), stringify!($v)
            );
        )*};
    }
    check!(
        u8 => u8, u16 => u8, u32 => u8, u8 => u32, u32 => u32, u64 => u8,
        String => u64, u64 => String, (u64, u64) => u64,
        [u8; 128] => u64, [u8; 129] => u64, [u8; 200] => u64,
        u64 => [u8; 128], u64 => [u8; 129], u64 => [u8; 200], [u8; 200] => [u8; 200],
    );
    assert_eq!(go_bucket_size::<[u8; 200], u64>(), 144);
    assert_eq!(go_bucket_size::<[u8; 128], u64>(), 1104);
}

/// FACTS table: pool buckets after the 2^B main ones, for B = 4..=12.
const POOL_144: [usize; 9] = [2, 5, 7, 14, 28, 56, 113, 170, 284];
const POOL_208: [usize; 9] = [3, 7, 4, 9, 19, 39, 78, 157, 275];

fn check_pool<K: Hash + Eq>(b: u8, expected: usize) {
    let hint = 13 << (b - 1);
    let m = GoMap::<K, u64>::with_capacity(hint);
    let l = m.layout();
    let what = std::any::type_name::<K>();
    assert_eq!(l.header.b, b, "{what}: with_capacity({hint})");
    assert_eq!(
        l.arr_len - (1 << b),
        expected,
        "{what}: pool size at B = {b}"
    );
    assert_eq!(
        l.pool,
        Some(PoolState {
            next_overflow: Some(1 << b),
            pre_free: expected
        }),
        "{what}: fresh pool at B = {b}"
    );
    assert_eq!(l.buckets.len(), 1 << b);
}

#[test]
fn overflow_pool_sizes() {
    // Under Miri B 9..=12 (thousands of buckets per layout) would take many
    // minutes; the table is the same arithmetic at every B.
    let top = if cfg!(miri) { 8 } else { 12 };
    for b in 4..=top {
        check_pool::<u64>(b, POOL_144[b as usize - 4]);
        check_pool::<Box<str>>(b, POOL_208[b as usize - 4]);
    }
    if !cfg!(miri) {
        for b in 13..=15u8 {
            check_pool::<u64>(b, 1 << (b - 4));
            check_pool::<Box<str>>(b, 1 << (b - 4));
        }
    }
    for b in 1..=3u8 {
        let l = GoMap::<u64, u64>::with_capacity(13 << (b - 1))
            .layout()
            .arr_len;
        assert_eq!(l, 1 << b, "no pool below B = 4");
        assert!(GoMap::<u64, u64>::with_capacity(13 << (b - 1))
            .layout()
            .pool
            .is_none());
    }
}

// ---------------------------------------------------------------------------
// Facts: same-size growth, seeds, clear
// ---------------------------------------------------------------------------

/// Hash = the key itself; the seed is ignored. Puts keys in chosen buckets.
#[derive(Clone, Copy, Default, Debug)]
struct Identity;

struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, _: &[u8]) {
        unreachable!("Identity hashes u64 keys only")
    }
    fn write_u32(&mut self, _seed: u32) {}
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl BuildHasher for Identity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

/// Seeds 1, 2, 3, ... so every redraw of `hash0` is visible and countable.
fn counting_seeds() -> impl FnMut() -> u32 + Send + Sync + 'static {
    let mut n = 0;
    move || {
        n += 1;
        n
    }
}

/// The churn of FACTS sample c: at B = 2, fill each bucket with 9 keys (one
/// overflow bucket each), delete them; after the 4th overflow the next insert
/// of a new key starts a same-size growth.
#[test]
fn same_size_growth_from_churn_in_chosen_buckets() {
    let mut m: GoMap<u64, u64, Identity> =
        GoMap::with_capacity_hasher_and_seeds(16, Identity, counting_seeds());
    assert_eq!(m.header().b, 2);
    m.insert(400, 0); // keeps count > 0, so no reseed
    for bucket in 0..4u64 {
        let keys: Vec<u64> = (1..=9).map(|i| bucket + 4 * i).collect();
        for &k in &keys {
            m.insert(k, k);
            m.check_invariants();
            assert_eq!(m.header().flags, 0);
        }
        assert_eq!(m.header().noverflow as u64, bucket + 1);
        for &k in &keys {
            assert_eq!(m.remove(&k), Some(k));
            m.check_invariants();
        }
    }
    let h = m.header();
    assert_eq!(
        (h.b, h.noverflow, h.count, h.growing, h.hash0),
        (2, 4, 1, false, 1)
    );
    m.insert(1000, 1);
    let h = m.header();
    assert_eq!(
        h.flags & Header::SAME_SIZE_GROW,
        Header::SAME_SIZE_GROW,
        "{h:?}"
    );
    assert_eq!(h.b, 2);
    m.check_invariants();
    while m.header().growing {
        m.insert(m.len() as u64 + 2000, 0);
        m.check_invariants();
    }
    let h = m.header();
    assert_eq!((h.b, h.flags), (2, 0));
    assert_eq!(m.get(&400), Some(&0));
}

/// Random churn at a constant count below the load limit: overflow buckets
/// pile up until a same-size growth starts (the classic Go map leak-guard).
/// Keys are random (sequential keys under foldhash spread too evenly over 8
/// buckets to overflow often) and a random one is deleted after each insert.
#[test]
fn same_size_growth_from_random_churn() {
    let mut rng = 0x1234_5678_u64;
    let mut random = move || {
        rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let z = (rng ^ (rng >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let count = 40; // B = 3 holds up to 52
    let mut m = GoMap::<u64, u64>::with_capacity(count);
    assert_eq!(m.header().b, 3);
    let mut keys: Vec<u64> = (0..count).map(|_| random()).collect();
    for &k in &keys {
        m.insert(k, k);
    }
    let limit = if cfg!(miri) { 20_000 } else { 1_000_000 };
    let mut ops = 0;
    while m.header().flags & Header::SAME_SIZE_GROW == 0 {
        assert!(
            ops < limit,
            "no same-size growth after {ops} churn ops: {:?}",
            m.header()
        );
        let k = random();
        assert_eq!(m.insert(k, k), None);
        keys.push(k);
        let gone = keys.swap_remove((random() % keys.len() as u64) as usize);
        assert_eq!(m.remove(&gone), Some(gone));
        ops += 1;
        assert_eq!(m.header().b, 3, "churn at a constant count changed B");
    }
    m.check_invariants();
    assert_eq!(m.len(), count);
    for k in keys {
        assert_eq!(m.get(&k), Some(&k));
    }
}

#[test]
fn hash0_is_drawn_at_make_on_emptying_delete_and_on_clear() {
    let mut m: GoMap<u64, u64> =
        GoMap::with_capacity_hasher_and_seeds(0, DefaultHashBuilder::default(), counting_seeds());
    assert_eq!(m.header().hash0, 1, "drawn once at make");
    // Deletes on an empty map do nothing at all.
    m.remove(&5);
    assert_eq!(m.header().hash0, 1);
    m.insert(1, 1);
    m.insert(2, 2);
    m.remove(&3);
    m.remove(&1);
    assert_eq!(m.header().hash0, 1, "no draw while the map is not empty");
    m.remove(&2);
    assert_eq!(
        m.header().hash0,
        2,
        "a delete that empties the map draws a seed"
    );
    m.remove(&2);
    m.clear();
    assert_eq!(m.header().hash0, 2, "clear of an empty map does nothing");
    // Many inserts and growths draw nothing.
    for k in 0..N {
        m.insert(k, k);
    }
    assert_eq!(m.header().hash0, 2, "inserts and growth do not draw seeds");
    m.clear();
    assert_eq!(m.header().hash0, 3, "clear of a non-empty map draws a seed");
    m.insert(7, 7);
    assert_eq!(m.remove_entry(&7), Some((7, 7)));
    assert_eq!(m.header().hash0, 4);
    m.insert(7, 7);
    m.retain(|_, _| false);
    m.insert(8, 8);
    drop(m.drain());
    m.check_invariants();
    assert!(m.is_empty());
}

#[test]
fn emptying_delete_reseeds_mid_growth() {
    let mut m: GoMap<u64, u64> =
        GoMap::with_capacity_hasher_and_seeds(0, DefaultHashBuilder::default(), counting_seeds());
    for k in 0..27 {
        m.insert(k, k);
    }
    assert!(m.header().growing);
    let seed = m.header().hash0;
    for k in 0..26 {
        m.remove(&k);
    }
    assert_eq!(m.header().hash0, seed);
    m.remove(&26);
    assert_eq!(m.header().hash0, seed + 1);
    m.check_invariants();
    m.insert(1, 1);
    assert_eq!(m[&1], 1);

    // Stress-tuned, so the map is still growing when it becomes empty.
    // Whether a given run gets there depends on where the keys hash, so
    // the hasher is fixed per attempt: the search is the same on every
    // run (with randomly keyed hashers it missed about one run in 15).
    let mut found = false;
    for attempt in 0..200u64 {
        let mut m: GoMap<u64, u64, foldhash::fast::FixedState> =
            GoMap::with_capacity_hasher_and_seeds(
                0,
                foldhash::fast::FixedState::with_seed(attempt),
                counting_seeds(),
            );
        m.set_stress_tuning(true);
        let n = 40 + attempt % 50;
        for k in 0..n {
            m.insert(k, k);
        }
        for k in 0..n - 1 {
            m.remove(&k);
        }
        if !m.header().growing {
            continue;
        }
        let seed = m.header().hash0;
        m.remove(&(n - 1));
        let h = m.header();
        if !h.growing {
            continue;
        }
        found = true;
        assert_eq!(
            (h.count, h.hash0),
            (0, seed + 1),
            "an emptying delete mid-growth reseeds"
        );
        m.check_invariants();
        // Delete and clear on an empty map do nothing, even mid-growth.
        m.remove(&1);
        assert_eq!(m.header(), h);
        m.clear();
        assert_eq!(
            m.header(),
            h,
            "clear of an empty map mid-growth must do nothing"
        );
        m.check_invariants();
        m.insert(5, 5);
        m.check_invariants();
        assert_eq!(m[&5], 5);
        break;
    }
    assert!(found, "never caught a stress-tuned map empty mid-growth");
}

#[test]
fn clear_keeps_b_and_the_array_and_resets_the_rest() {
    let mut m: GoMap<u64, u64, Identity> =
        GoMap::with_capacity_hasher_and_seeds(0, Identity, counting_seeds());
    // 105 keys: B 4 → 5 starts on the 105th, mid-growth after it.
    for k in 0..105 {
        m.insert(k, k);
    }
    // Bucket 0 gets three overflow buckets: the pool's first ones go.
    for k in 1..=24 {
        m.insert(k << 20, 0);
    }
    let before = m.layout();
    let (b, arr_len) = (before.header.b, before.arr_len);
    assert_eq!(b, 5);
    assert!(before.header.noverflow > 0);
    assert!(before.pool.unwrap().pre_free < POOL_144[1]);
    drop(before);
    m.clear();
    m.check_invariants();
    let after = m.layout();
    assert_eq!(
        after.header,
        Header {
            count: 0,
            flags: 0,
            b,
            noverflow: 0,
            hash0: 2,
            nevacuate: 0,
            growing: false
        }
    );
    assert_eq!(after.arr_len, arr_len, "clear keeps the array");
    assert!(after.old.is_none());
    assert_eq!(
        after.pool,
        Some(PoolState {
            next_overflow: Some(1 << b),
            pre_free: POOL_144[1]
        }),
        "clear refills the pool"
    );
    assert!(after
        .buckets
        .iter()
        .all(|chain| chain.len() == 1 && chain[0].top == [0; 8]));
    drop(after);
    m.insert(3, 3);
    assert_eq!(m.header().b, b);
}

// ---------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------

#[test]
fn send_sync_default_debug() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<GoMap<u64, u64>>();
    send_sync::<GoMap<String, Vec<u8>>>();
    send_sync::<gomap::Range<String, Vec<u8>>>();
    let m: GoMap<u64, u64> = GoMap::default();
    assert!(m.is_empty());
    assert_eq!(format!("{m:?}"), "{}");
    let m: GoMap<u64, u64> = [(1, 2)].into_iter().collect();
    assert_eq!(format!("{m:?}"), "{1: 2}");
    let m: GoMap<&str, u64> = GoMap::with_hasher(DefaultHashBuilder::default());
    assert_eq!(m.hasher().hash_one(1u64), m.hasher().hash_one(1u64));
}
