//! `SwissMap` and user code that misbehaves: drop counting (no leak, no
//! double drop, including clear, drain and into_iter dropped part-way and
//! keys and values over 128 bytes, which the map boxes), and a panicking
//! `Hash`, `Eq` or `Drop` leaving the map valid with nothing lost — also
//! when the panic comes from the hasher part-way through a grow or split,
//! which hashes each key as it moves it.
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

use gomap::{SwissMap, SwissNew};

/// Live count: +1 per value made, −1 per drop. Goes negative on a double drop.
#[derive(Clone, Default)]
struct Live(Arc<AtomicIsize>);

impl Live {
    fn get(&self) -> isize {
        self.0.load(Ordering::SeqCst)
    }
}

struct Counted<T> {
    payload: T,
    live: Live,
}

impl<T> Counted<T> {
    fn new(payload: T, live: &Live) -> Self {
        live.0.fetch_add(1, Ordering::SeqCst);
        Counted {
            payload,
            live: live.clone(),
        }
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        let before = self.live.0.fetch_sub(1, Ordering::SeqCst);
        assert!(before > 0, "double drop");
    }
}

impl<T: PartialEq> PartialEq for Counted<T> {
    fn eq(&self, o: &Self) -> bool {
        self.payload == o.payload
    }
}
impl<T: Eq> Eq for Counted<T> {}
impl<T: Hash> Hash for Counted<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.payload.hash(h);
    }
}

const N: u64 = if cfg!(miri) { 40 } else { 3000 };

fn drops_with<K: Hash + Eq>(
    make_key: impl Fn(u64) -> K, make_val: impl Fn(u64) -> Counted<[u8; 8]>, live: &Live,
) {
    let mut m = SwissMap::new();
    for i in 0..N {
        m.insert(make_key(i), make_val(i));
    }
    // Overwrites drop the old value and the passed key.
    for i in 0..N / 2 {
        m.insert(make_key(i), make_val(i));
    }
    for i in 0..N / 3 {
        assert!(m.remove(&make_key(i)).is_some());
    }
    m.retain(|_, v| v.payload[0] % 2 == 0);
    m.check_invariants();
    // clear keeps tables, drops every entry.
    m.clear();
    assert_eq!(live.get(), 0, "clear dropped every entry once");
    for i in 0..N {
        m.insert(make_key(i), make_val(i));
    }
    let taken: Vec<_> = m.drain().take(5).collect();
    drop(taken);
    assert_eq!(m.len(), 0);
    for i in 0..N {
        m.insert(make_key(i), make_val(i));
    }
    let mut it = m.into_iter();
    drop(it.next());
    drop(it);
}

#[test]
fn no_leak_no_double_drop() {
    let live = Live::default();
    drops_with(
        |i| Counted::new(i, &live),
        |i| Counted::new([i as u8; 8], &live),
        &live,
    );
    assert_eq!(live.get(), 0);
}

#[test]
fn no_leak_with_boxed_keys_and_values() {
    // Keys over 128 bytes are stored by pointer: the boxes must be freed too.
    let live = Live::default();
    drops_with(
        |i| Counted::new((i, [0u8; 200]), &live),
        |i| Counted::new([i as u8; 8], &live),
        &live,
    );
    assert_eq!(live.get(), 0);
    let mut m = SwissMap::new();
    for i in 0..N {
        m.insert(i, Counted::new([i; 40], &live)); // a 320-byte value, boxed
    }
    assert_eq!(m.get(&3).map(|v| v.payload[0]), Some(3));
    m.check_invariants();
    drop(m);
    assert_eq!(live.get(), 0);
}

thread_local! {
    /// Hashing the key with this number panics.
    static PANIC_HASH: Cell<Option<u64>> = const { Cell::new(None) };
    /// Comparing with the key with this number panics.
    static PANIC_EQ: Cell<Option<u64>> = const { Cell::new(None) };
    /// Dropping the value with this number panics.
    static PANIC_DROP: Cell<Option<u64>> = const { Cell::new(None) };
}

#[derive(Debug)]
struct Touchy(u64);

impl Hash for Touchy {
    fn hash<H: Hasher>(&self, h: &mut H) {
        if PANIC_HASH.with(Cell::get) == Some(self.0) {
            panic!("hash of {}", self.0);
        }
        self.0.hash(h);
    }
}
impl PartialEq for Touchy {
    fn eq(&self, o: &Self) -> bool {
        if PANIC_EQ.with(Cell::get) == Some(self.0) {
            panic!("eq with {}", self.0);
        }
        self.0 == o.0
    }
}
impl Eq for Touchy {}

struct Bomb(u64, Live);
impl Drop for Bomb {
    fn drop(&mut self) {
        self.1 .0.fetch_sub(1, Ordering::SeqCst);
        if PANIC_DROP.with(Cell::get) == Some(self.0) {
            panic!("drop of {}", self.0);
        }
    }
}

fn all_present(m: &SwissMap<Touchy, u64>, n: u64) {
    m.check_invariants();
    assert_eq!(m.len() as u64, n);
    for i in 0..n {
        assert_eq!(m.get(&Touchy(i)), Some(&i), "lost {i}");
    }
}

/// A hasher panic during the rehash of every table size and during a
/// split loses nothing: every size the map grows through is tried.
#[test]
fn panicking_hash_during_grow_and_split() {
    let n = if cfg!(miri) { 20 } else { 900 };
    let mut m = SwissMap::new();
    let mut panics = 0;
    for i in 0..n {
        // Before inserting key i, arm a panic on key 0, which every rehash
        // hashes; a plain insert of i never hashes key 0.
        PANIC_HASH.with(|c| c.set(Some(0)));
        let r = catch_unwind(AssertUnwindSafe(|| m.insert(Touchy(i), i)));
        PANIC_HASH.with(|c| c.set(None));
        if r.is_err() {
            panics += 1;
            // The insert grew (or split): it panicked before moving
            // anything; the key was not inserted. Retry without the panic.
            all_present(&m, i);
            m.insert(Touchy(i), i);
        }
        all_present(&m, i + 1);
    }
    assert!(
        m.header().dir_len >= 2 || cfg!(miri),
        "the map reached a split"
    );
    // Key 0's own insert, then 8 → 16 → … → 1024 (7 rehashes) and the
    // split at key 897; under Miri the first two rehashes.
    assert_eq!(
        panics,
        if cfg!(miri) { 3 } else { 9 },
        "every grow and the split panicked once"
    );
}

thread_local! {
    /// Hash calls left before one panics (`Countdown`'s `Hash`).
    static HASHES_LEFT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// A key whose `Hash` panics when `HASHES_LEFT` runs out; `PAD` bytes of
/// padding make it large enough for the map to box (over 128 bytes).
struct Countdown<const PAD: usize>(Counted<u64>, [u8; PAD]);

impl<const PAD: usize> Hash for Countdown<PAD> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        if let Some(n) = HASHES_LEFT.with(Cell::get) {
            if n == 0 {
                panic!("hash of {}", self.0.payload);
            }
            HASHES_LEFT.with(|c| c.set(Some(n - 1)));
        }
        self.0.hash(h);
    }
}
impl<const PAD: usize> PartialEq for Countdown<PAD> {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl<const PAD: usize> Eq for Countdown<PAD> {}

/// Every insert panics once, in the hash call halfway through its map:
/// in the middle of the growth move when the insert grows or splits a
/// table, where half the entries have gone to the new table(s). Nothing
/// is lost or dropped twice, and nothing leaks.
fn hash_panics_halfway_through_a_rehash<const PAD: usize>() {
    let n = if cfg!(miri) { 40 } else { 1000 };
    let live = Live::default();
    let mut m = SwissMap::new();
    let mut mid_rehash = 0;
    for i in 0..n {
        let key = |i| Countdown::<PAD>(Counted::new(i, &live), [0; PAD]);
        // The new key's own hash, then (if the insert rehashes) the first
        // half of the map's keys.
        HASHES_LEFT.with(|c| c.set(Some(1 + i / 2)));
        let r = catch_unwind(AssertUnwindSafe(|| {
            m.insert(key(i), Counted::new(i, &live))
        }));
        HASHES_LEFT.with(|c| c.set(None));
        if r.is_err() {
            mid_rehash += 1;
            m.insert(key(i), Counted::new(i, &live));
        }
        m.check_invariants();
        assert_eq!(m.len() as u64, i + 1);
        // Every key and value made so far is in the map, once.
        assert_eq!(live.get(), 2 * (i as isize + 1), "after insert {i}");
        for j in 0..=i {
            assert_eq!(m.get(&key(j)).map(|v| v.payload), Some(j), "lost {j}");
        }
    }
    assert!(
        mid_rehash >= if cfg!(miri) { 3 } else { 8 },
        "{mid_rehash} rehashes panicked"
    );
    drop(m);
    assert_eq!(live.get(), 0);
}

#[test]
fn hash_panic_in_the_middle_of_a_rehash_loses_nothing() {
    hash_panics_halfway_through_a_rehash::<0>();
}

#[test]
fn hash_panic_in_the_middle_of_a_rehash_loses_no_boxed_key() {
    hash_panics_halfway_through_a_rehash::<200>();
}

#[test]
fn panicking_hash_of_the_new_key_changes_nothing() {
    let mut m = SwissMap::new();
    for i in 0..100 {
        m.insert(Touchy(i), i);
    }
    let before = m.header();
    PANIC_HASH.with(|c| c.set(Some(500)));
    assert!(catch_unwind(AssertUnwindSafe(|| m.insert(Touchy(500), 0))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| m.remove(&Touchy(500)))).is_err());
    PANIC_HASH.with(|c| c.set(None));
    assert_eq!(m.header(), before);
    all_present(&m, 100);
}

#[test]
fn panicking_eq_changes_nothing() {
    let mut m = SwissMap::new();
    for i in 0..200 {
        m.insert(Touchy(i), i);
    }
    let before = m.header();
    for probe in [3u64, 150] {
        PANIC_EQ.with(|c| c.set(Some(probe)));
        assert!(catch_unwind(AssertUnwindSafe(|| m.insert(Touchy(probe), 0))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| m.remove(&Touchy(probe)))).is_err());
        PANIC_EQ.with(|c| c.set(None));
    }
    assert_eq!(m.header(), before);
    all_present(&m, 200);
}

#[test]
fn panicking_drop_in_clear_drops_the_rest() {
    let live = Live::default();
    let mut m = SwissMap::new();
    for i in 0..N {
        live.0.fetch_add(1, Ordering::SeqCst);
        m.insert(i, Bomb(i, live.clone()));
    }
    let tables = m.header().ntables;
    PANIC_DROP.with(|c| c.set(Some(N / 2)));
    assert!(catch_unwind(AssertUnwindSafe(|| m.clear())).is_err());
    PANIC_DROP.with(|c| c.set(None));
    assert_eq!(live.get(), 0, "every entry dropped despite the panic");
    m.check_invariants();
    assert_eq!(m.len(), 0);
    assert_eq!(m.header().ntables, tables, "clear kept the tables");
    m.insert(1, Bomb(1, live.clone()));
    live.0.fetch_add(1, Ordering::SeqCst);
    assert_eq!(m.len(), 1);
    drop(m);
    assert_eq!(live.get(), 0);
}

#[test]
fn panicking_drop_in_drop_and_into_iter_drops_the_rest() {
    for part in [false, true] {
        let live = Live::default();
        let mut m = SwissMap::new();
        for i in 0..N {
            live.0.fetch_add(1, Ordering::SeqCst);
            m.insert(i, Bomb(i, live.clone()));
        }
        let r = catch_unwind(AssertUnwindSafe(move || {
            if part {
                let mut it = m.into_iter();
                // Keep one entry out (it drops while the panic unwinds);
                // the bomb is another one, among those the iterator drops.
                let first = it.next().expect("an entry");
                PANIC_DROP.with(|c| c.set(Some(if first.0 == 7 { 8 } else { 7 })));
                drop(it);
                drop(first);
            } else {
                PANIC_DROP.with(|c| c.set(Some(7)));
                drop(m);
            }
        }));
        PANIC_DROP.with(|c| c.set(None));
        assert!(r.is_err(), "the bomb went off");
        assert_eq!(live.get(), 0, "part {part}: every entry dropped");
    }
}

#[test]
fn panicking_drop_in_drain_leaves_an_empty_map() {
    let live = Live::default();
    let mut m = SwissMap::new();
    for i in 0..N {
        live.0.fetch_add(1, Ordering::SeqCst);
        m.insert(i, Bomb(i, live.clone()));
    }
    PANIC_DROP.with(|c| c.set(Some(N - 1)));
    let r = catch_unwind(AssertUnwindSafe(|| drop(m.drain())));
    PANIC_DROP.with(|c| c.set(None));
    assert!(r.is_err());
    assert_eq!(live.get(), 0);
    m.check_invariants();
    assert_eq!(m.len(), 0);
    live.0.fetch_add(1, Ordering::SeqCst);
    m.insert(3, Bomb(3, live.clone()));
    assert!(m.contains_key(&3));
    drop(m);
    assert_eq!(live.get(), 0);
}
