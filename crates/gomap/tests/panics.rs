//! Unwind safety: user code that panics inside a map operation — `Hash`,
//! `Eq`, `Clone`, `Drop`, a `retain` predicate, an `or_insert_with` closure —
//! leaves the map consistent (`check_invariants` passes), loses nothing that was
//! in it, and never drops anything twice.
//!
//! Injected panics carry the payload [`Boom`] and are armed per key or per
//! value serial through thread-local switches (each test runs on its own
//! thread). A panic hook silences `Boom` panics so the output stays readable;
//! any other panic is a real failure and is re-raised.
//!
//! The rare paths are made common: every test runs on plain maps and on
//! stress-tuned maps (mid-evacuation nearly always), and the cruellest case
//! arms the `Hash` of a key that sits in a not-yet-evacuated old bucket, so an
//! insert or remove of a *different* key panics half-way through evacuation.
#![forbid(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::{self, catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use gomap::GoMap;

/// Scaled down under Miri.
const N: u64 = if cfg!(miri) { 40 } else { 400 };

/// Whether the `i`th op of a loop is followed by `check_invariants`: every
/// op natively; every 8th under Miri, where one call on a 60-entry map costs
/// about half a second of interpreted time (it rehashes every key).
fn check_after(i: u64) -> bool {
    !cfg!(miri) || i % 8 == 0
}

// ---------------------------------------------------------------------------
// Injected panics
// ---------------------------------------------------------------------------

/// The payload of every injected panic.
#[derive(Debug)]
struct Boom;

fn boom() -> ! {
    panic::panic_any(Boom)
}

thread_local! {
    /// Keys whose `Hash` panics.
    static HASH_ARMED: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    /// Keys whose `Eq` panics (on either side of the comparison).
    static EQ_ARMED: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    /// Serials of `Tracked` values whose next `Drop` panics.
    static DROP_ARMED: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    /// `Tracked::clone` panics when this reaches 0 (counts down per clone).
    static CLONES_LEFT: Cell<u64> = const { Cell::new(u64::MAX) };
    /// Serials of `Tracked` values alive.
    static LIVE: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static NEXT_SERIAL: Cell<u64> = const { Cell::new(0) };
}

fn arm_hash(k: u64) {
    HASH_ARMED.with(|s| s.borrow_mut().insert(k));
}
fn disarm_hash(k: u64) {
    HASH_ARMED.with(|s| s.borrow_mut().remove(&k));
}
fn arm_eq(k: u64) {
    EQ_ARMED.with(|s| s.borrow_mut().insert(k));
}
fn disarm_eq(k: u64) {
    EQ_ARMED.with(|s| s.borrow_mut().remove(&k));
}
fn arm_drop(id: u64) {
    DROP_ARMED.with(|s| s.borrow_mut().insert(id));
}
fn is_live(id: u64) -> bool {
    LIVE.with(|l| l.borrow().contains(&id))
}
fn live_count() -> usize {
    LIVE.with(|l| l.borrow().len())
}

/// Silences `Boom` panics; everything else goes to the previous hook.
fn quiet() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<Boom>().is_none() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, which must end in an injected panic.
#[track_caller]
fn expect_boom<R>(f: impl FnOnce() -> R) {
    if try_boom(f).is_some() {
        panic!("expected an injected panic, but the operation completed");
    }
}

/// Runs `f`: `Some` with its result, `None` if it ended in an injected panic.
fn try_boom<R>(f: impl FnOnce() -> R) -> Option<R> {
    quiet();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(payload) if payload.is::<Boom>() => None,
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// A key whose `Hash` and `Eq` panic when armed.
#[derive(Clone, Copy, Debug)]
struct Key(u64);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if HASH_ARMED.with(|s| s.borrow().contains(&self.0)) {
            boom();
        }
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        if EQ_ARMED.with(|s| s.borrow().contains(&self.0) || s.borrow().contains(&other.0)) {
            boom();
        }
        self.0 == other.0
    }
}

impl Eq for Key {}

/// A value (or key) with a serial tracked in `LIVE`: its `Drop` panics when
/// armed, its `Clone` when `CLONES_LEFT` runs out. Equality and hashing use
/// `n` only.
#[derive(Debug)]
struct Tracked {
    n: u64,
    id: u64,
}

impl Tracked {
    fn new(n: u64) -> Tracked {
        let id = NEXT_SERIAL.with(|c| {
            let id = c.get();
            c.set(id + 1);
            id
        });
        LIVE.with(|l| l.borrow_mut().insert(id));
        Tracked { n, id }
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Tracked {
        let left = CLONES_LEFT.with(|c| {
            let left = c.get().saturating_sub(1);
            if c.get() != u64::MAX {
                c.set(left);
            }
            left
        });
        if left == 0 {
            CLONES_LEFT.with(|c| c.set(u64::MAX));
            boom();
        }
        Tracked::new(self.n)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        assert!(
            LIVE.with(|l| l.borrow_mut().remove(&self.id)),
            "Tracked #{} (n = {}) dropped twice",
            self.id,
            self.n
        );
        if DROP_ARMED.with(|s| s.borrow_mut().remove(&self.id)) {
            boom();
        }
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Tracked) -> bool {
        self.n == other.n
    }
}

impl Eq for Tracked {}

impl Hash for Tracked {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.n.hash(state);
    }
}

type PMap = GoMap<Key, Tracked>;

const VAL: u64 = 1_000_000;

/// Keys `0..n`, key `k` → value `k + VAL`.
fn filled(n: u64, stress: bool) -> PMap {
    let mut m = PMap::new();
    m.set_stress_tuning(stress);
    for k in 0..n {
        m.insert(Key(k), Tracked::new(k + VAL));
    }
    m.check_invariants();
    m
}

/// The map holds exactly `keys`, each with its value, all values alive, and
/// its invariants hold.
#[track_caller]
fn assert_holds(m: &PMap, keys: impl IntoIterator<Item = u64>) {
    m.check_invariants();
    let mut n = 0;
    for k in keys {
        let v = m.get(&Key(k)).unwrap_or_else(|| panic!("key {k} lost"));
        assert_eq!(v.n, k + VAL, "key {k} has the wrong value");
        assert!(
            is_live(v.id),
            "key {k}'s value was dropped but is still in the map"
        );
        n += 1;
    }
    assert_eq!(m.len(), n, "len");
    assert_eq!(m.iter().count(), n, "iter().count()");
}

/// A stress-tuned map of `0..` keys (at least `n`) in the middle of a
/// *doubling* whose old array still has a bucket with entries; returns the
/// map, the keys, and a key that sits in a not-yet-evacuated old bucket.
fn mid_doubling(n: u64) -> (PMap, u64, u64) {
    let mut m = filled(n, true);
    let mut next = n;
    loop {
        let h = m.header();
        if h.growing && h.flags & 8 == 0 {
            let victim = m
                .layout()
                .old
                .as_ref()
                .unwrap()
                .iter()
                .flat_map(|chain| {
                    chain
                        .iter()
                        .flat_map(|b| b.keys.iter().flatten().map(|k| k.0))
                })
                .next();
            if let Some(victim) = victim {
                return (m, next, victim);
            }
        }
        m.insert(Key(next), Tracked::new(next + VAL));
        next += 1;
        assert!(
            next < n + 100_000,
            "no doubling with unevacuated entries came"
        );
    }
}

// ---------------------------------------------------------------------------
// Hash
// ---------------------------------------------------------------------------

#[test]
fn hash_panic_inserting_a_new_key() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        arm_hash(N + 5);
        let v = Tracked::new(0);
        let vid = v.id;
        expect_boom(|| m.insert(Key(N + 5), v));
        assert!(
            !is_live(vid),
            "the value of a failed insert was not dropped"
        );
        expect_boom(|| m.entry(Key(N + 5)).key().0);
        expect_boom(|| m.extend((N..N + 10).map(|k| (Key(k), Tracked::new(k + VAL)))));
        disarm_hash(N + 5);
        // extend inserted N..N+5 before the panic; the rest were dropped.
        assert_holds(&m, 0..N + 5);
        assert_eq!(live_count(), m.len());
        for k in N + 5..2 * N {
            m.insert(Key(k), Tracked::new(k + VAL));
        }
        assert_holds(&m, 0..2 * N);
        drop(m);
        assert_eq!(live_count(), 0);
    }
}

#[test]
fn hash_panic_in_lookups_and_removes_of_the_key() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        arm_hash(7);
        expect_boom(|| m.get(&Key(7)).is_some());
        expect_boom(|| m.contains_key(&Key(7)));
        expect_boom(|| m.get_key_value(&Key(7)).is_some());
        expect_boom(|| m.get_mut(&Key(7)).is_some());
        expect_boom(|| m.remove(&Key(7)));
        expect_boom(|| m.remove_entry(&Key(7)));
        expect_boom(|| m.entry(Key(7)).key().0);
        disarm_hash(7);
        assert_holds(&m, 0..N);
        drop(m);
        assert_eq!(live_count(), 0);
    }
}

/// Inserting other keys into a map mid-doubling while the `Hash` of a key in a
/// not-yet-evacuated old bucket panics: evacuation must rehash that key, so
/// some insert panics half-way through moving its bucket.
#[test]
fn hash_panic_of_another_key_during_evacuation_by_insert() {
    let (mut m, mut next, victim) = mid_doubling(N);
    let mut keys: BTreeSet<u64> = (0..next).collect();
    arm_hash(victim);
    let mut pending = None;
    for _ in 0..100_000 {
        assert!(
            m.header().growing,
            "the growth ended without rehashing key {victim}"
        );
        let k = next;
        next += 1;
        match try_boom(|| m.insert(Key(k), Tracked::new(k + VAL))) {
            Some(_) => {
                keys.insert(k);
            }
            None => {
                pending = Some(k);
                break;
            }
        }
    }
    let pending = pending.expect("no insert ever panicked");
    // Lookups do not hash stored keys: the map answers with the key still armed.
    // (check_invariants rehashes every key, so it waits for the disarm.)
    for &k in keys.iter().filter(|&&k| k != victim) {
        assert_eq!(
            m.get(&Key(k)).map(|v| v.n),
            Some(k + VAL),
            "key {k} (armed: {victim}, pending: {pending})"
        );
    }
    disarm_hash(victim);
    // The insert that panicked may or may not have stored its key.
    if let Some(v) = m.get(&Key(pending)) {
        assert_eq!(v.n, pending + VAL);
        keys.insert(pending);
    }
    assert_holds(&m, keys.iter().copied());
    assert_eq!(
        live_count(),
        m.len(),
        "a value was leaked or dropped while still stored"
    );
    // The map carries on. A stress-tuned map this overloaded starts a new
    // growth in the very insert that ends one, so let the default tuning
    // catch B up with the count: the growth must then end.
    m.set_stress_tuning(false);
    let limit = next + 100_000;
    while m.header().growing {
        assert!(
            next < limit,
            "the growth never ended after the panic: {:?}",
            m.header()
        );
        m.insert(Key(next), Tracked::new(next + VAL));
        keys.insert(next);
        next += 1;
    }
    for k in (0..next).step_by(3) {
        if keys.remove(&k) {
            assert_eq!(m.remove(&Key(k)).map(|v| v.n), Some(k + VAL));
        }
    }
    assert_holds(&m, keys.iter().copied());
    drop(m);
    assert_eq!(live_count(), 0);
}

/// The same through removes: a remove does growth work before it deletes, so a
/// panic there must leave the key it was removing in place.
#[test]
fn hash_panic_of_another_key_during_evacuation_by_remove() {
    let (mut m, next, victim) = mid_doubling(N);
    let mut keys: BTreeSet<u64> = (0..next).collect();
    arm_hash(victim);
    let mut pending = None;
    // Present keys first, then absent ones (a delete of an absent key also
    // does growth work while the map is not empty).
    for k in (0..next)
        .rev()
        .filter(|&k| k != victim)
        .chain(next..next + 100_000)
    {
        match try_boom(|| m.remove(&Key(k))) {
            Some(v) => {
                let expected = if keys.contains(&k) {
                    Some(k + VAL)
                } else {
                    None
                };
                assert_eq!(v.map(|v| v.n), expected, "remove {k}");
                keys.remove(&k);
            }
            None => {
                pending = Some(k);
                break;
            }
        }
        if !m.header().growing {
            break;
        }
    }
    let pending = pending.expect("no remove panicked before the growth ended");
    disarm_hash(victim);
    m.check_invariants();
    // The panicking remove may have been one of an absent key.
    let expected = keys.contains(&pending).then_some(pending + VAL);
    assert_eq!(
        m.get(&Key(pending)).map(|v| v.n),
        expected,
        "the remove that panicked in growth work had already deleted its key"
    );
    assert_holds(&m, keys.iter().copied());
    assert_eq!(live_count(), m.len());
    for &k in &keys {
        assert_eq!(m.remove(&Key(k)).map(|v| v.n), Some(k + VAL));
    }
    assert_holds(&m, []);
    drop(m);
    assert_eq!(live_count(), 0);
}

/// `retain`, `iter` and `drain` mid-growth may hash old-bucket keys (Go's
/// iterator does, to filter an unevacuated old bucket); if they panic, nothing
/// is lost or dropped twice.
#[test]
fn hash_panic_while_iterating_mid_growth() {
    // iter
    let (m, next, victim) = mid_doubling(N);
    arm_hash(victim);
    let seen = try_boom(|| m.iter().count());
    disarm_hash(victim);
    if let Some(seen) = seen {
        assert_eq!(seen, m.len());
    }
    assert_holds(&m, 0..next);
    drop(m);
    assert_eq!(live_count(), 0);

    // retain: keeps the even keys; none of them may be lost
    let (mut m, next, victim) = mid_doubling(N);
    arm_hash(victim);
    let finished = try_boom(|| {
        m.retain(|k, v| {
            assert_eq!(k.0 + VAL, v.n);
            k.0 % 2 == 0
        })
    });
    disarm_hash(victim);
    m.check_invariants();
    for k in (0..next).filter(|k| k % 2 == 0) {
        assert_eq!(
            m.get(&Key(k)).map(|v| v.n),
            Some(k + VAL),
            "retain lost key {k}"
        );
    }
    if finished.is_some() {
        assert_eq!(m.len() as u64, next.div_ceil(2));
    }
    assert_eq!(live_count(), m.len(), "retain leaked or double-dropped");
    let kept: Vec<u64> = m.keys().map(|k| k.0).collect();
    assert_holds(&m, kept);
    drop(m);
    assert_eq!(live_count(), 0);

    // drain, dropped half-way
    let (mut m, next, victim) = mid_doubling(N);
    arm_hash(victim);
    let _ = try_boom(|| {
        let mut d = m.drain();
        for _ in 0..next / 2 {
            drop(d.next());
        }
    });
    disarm_hash(victim);
    m.check_invariants();
    let left: Vec<u64> = m.keys().map(|k| k.0).collect();
    assert_holds(&m, left);
    drop(m);
    assert_eq!(live_count(), 0);
}

// ---------------------------------------------------------------------------
// Eq
// ---------------------------------------------------------------------------

#[test]
fn eq_panic_in_lookup_insert_remove() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        arm_eq(9);
        expect_boom(|| m.get(&Key(9)).is_some());
        expect_boom(|| m.contains_key(&Key(9)));
        expect_boom(|| m.get_mut(&Key(9)).is_some());
        let v = Tracked::new(0);
        let vid = v.id;
        expect_boom(|| m.insert(Key(9), v));
        assert!(
            !is_live(vid),
            "the value of a failed insert was not dropped"
        );
        expect_boom(|| m.remove(&Key(9)));
        expect_boom(|| m.remove_entry(&Key(9)));
        expect_boom(|| m.entry(Key(9)).key().0);
        disarm_eq(9);
        assert_holds(&m, 0..N);
        // Mid-growth: inserts of other keys keep the map moving; then again.
        for k in N..N + 40 {
            m.insert(Key(k), Tracked::new(k + VAL));
            arm_eq(9);
            expect_boom(|| m.insert(Key(9), Tracked::new(0)));
            expect_boom(|| m.remove(&Key(9)));
            disarm_eq(9);
            if check_after(k) {
                m.check_invariants();
            }
        }
        assert_holds(&m, 0..N + 40);
        drop(m);
        assert_eq!(live_count(), 0);
    }
}

// ---------------------------------------------------------------------------
// User closures
// ---------------------------------------------------------------------------

#[test]
fn or_insert_with_closure_panics() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        for k in N..N + 30 {
            expect_boom(|| m.entry(Key(k)).or_insert_with(|| boom()).n);
            if check_after(k) {
                m.check_invariants();
            }
            assert!(!m.contains_key(&Key(k)));
            // Let stress-tuned maps move on between attempts.
            m.insert(Key(k + 1000), Tracked::new(k + 1000 + VAL));
        }
        expect_boom(|| {
            m.entry(Key(3))
                .and_modify(|_| boom())
                .or_insert_with(|| unreachable!())
                .n
        });
        assert_holds(&m, (0..N).chain(N + 1000..N + 1030));
        drop(m);
        assert_eq!(live_count(), 0);
    }
}

#[test]
fn retain_predicate_panics() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        expect_boom(|| {
            m.retain(|k, _| {
                if k.0 == N / 2 {
                    boom();
                }
                k.0 % 2 == 0
            })
        });
        m.check_invariants();
        for k in (0..N).filter(|k| k % 2 == 0) {
            assert_eq!(
                m.get(&Key(k)).map(|v| v.n),
                Some(k + VAL),
                "retain lost key {k}"
            );
        }
        assert_eq!(live_count(), m.len(), "retain leaked or double-dropped");
        let kept: Vec<u64> = m.keys().map(|k| k.0).collect();
        assert_holds(&m, kept);
        // And a full retain afterwards.
        m.retain(|k, _| k.0 % 2 == 0);
        assert_holds(&m, (0..N).filter(|k| k % 2 == 0));
        drop(m);
        assert_eq!(live_count(), 0);
    }
}

// ---------------------------------------------------------------------------
// Clone
// ---------------------------------------------------------------------------

#[test]
fn clone_panics_half_way() {
    for stress in [false, true] {
        let m = filled(N, stress);
        CLONES_LEFT.with(|c| c.set(N / 2));
        expect_boom(|| m.clone());
        assert_holds(&m, 0..N);
        assert_eq!(
            live_count(),
            m.len(),
            "the partial clone leaked its entries"
        );
        let c = m.clone();
        assert_holds(&c, 0..N);
        drop((m, c));
        assert_eq!(live_count(), 0);
    }
}

// ---------------------------------------------------------------------------
// Drop
// ---------------------------------------------------------------------------
//
// When an entry's `Drop` panics while the map drops many (clear, the map's
// own drop, the rest of an `IntoIter` or `Drain`), the entries after it are
// still dropped while unwinding, as the rest of a `Vec` is: every value is
// dropped exactly once (`Tracked` asserts "not twice") and none leaks. Only
// one value is armed per test: a second panic while unwinding would abort,
// as it does for a `Vec`.

fn armed_value_of(m: &PMap, k: u64) -> u64 {
    let id = m[&Key(k)].id;
    arm_drop(id);
    id
}

#[track_caller]
fn assert_no_leak(what: &str) {
    assert_eq!(
        live_count(),
        0,
        "{what}: values leaked after a panicking Drop"
    );
}

/// Keys whose value is armed, one per run: the first, a middle and the last
/// one inserted. Where each sits in the drop order depends on the hashes;
/// between them the panicking entry has entries on both sides.
const ARMED_KEYS: [u64; 3] = [0, 17, N - 1];

#[test]
fn drop_panic_during_clear_drops_the_rest() {
    for stress in [false, true] {
        for armed_key in ARMED_KEYS {
            let mut m = filled(N, stress);
            let before = m.header();
            let armed = armed_value_of(&m, armed_key);
            expect_boom(|| m.clear());
            assert!(!is_live(armed));
            assert_eq!(
                live_count(),
                0,
                "clear leaked values after a panicking Drop"
            );
            // The map is left as a clear that returned leaves it: empty,
            // same B, no growth, a new seed.
            let h = m.header();
            assert_eq!(
                (h.count, h.b, h.flags, h.noverflow, h.nevacuate),
                (0, before.b, 0, 0, 0)
            );
            assert!(!h.growing);
            assert_ne!(h.hash0, before.hash0, "clear reseeds");
            assert_holds(&m, []);
            m.insert(Key(5000), Tracked::new(5000 + VAL));
            assert_holds(&m, [5000]);
            m.clear();
            assert_holds(&m, []);
            drop(m);
            assert_no_leak("clear");
        }
    }
}

#[test]
fn drop_panic_during_retain_leaves_the_rest_in_the_map() {
    for stress in [false, true] {
        let mut m = filled(N, stress);
        let armed = armed_value_of(&m, 17);
        expect_boom(|| m.retain(|k, _| k.0 % 2 == 0));
        assert!(!is_live(armed));
        m.check_invariants();
        assert!(
            !m.contains_key(&Key(17)),
            "the entry whose value's Drop panicked is still in the map"
        );
        for k in (0..N).filter(|k| k % 2 == 0) {
            assert_eq!(
                m.get(&Key(k)).map(|v| v.n),
                Some(k + VAL),
                "retain lost key {k}"
            );
        }
        // Nothing leaked: every value alive is in the map (the odd keys
        // retain had not reached yet stay).
        assert_eq!(live_count(), m.len(), "retain leaked or double-dropped");
        let left: Vec<u64> = m.keys().map(|k| k.0).collect();
        assert_holds(&m, left);
        m.retain(|k, _| k.0 % 2 == 0);
        assert_holds(&m, (0..N).filter(|k| k % 2 == 0));
        drop(m);
        assert_no_leak("retain");
    }
}

#[test]
fn drop_panic_during_map_drop_drops_the_rest() {
    for stress in [false, true] {
        for armed_key in ARMED_KEYS {
            let m = filled(N, stress);
            let armed = armed_value_of(&m, armed_key);
            expect_boom(|| drop(m));
            assert!(!is_live(armed));
            assert_no_leak("map drop");
        }
    }
}

/// A key's `Drop` panics: its value is still dropped (a tuple drops its
/// other fields while unwinding), and so is every later entry.
#[test]
fn key_drop_panic_during_map_drop_drops_its_value_and_the_rest() {
    for stress in [false, true] {
        let mut m: GoMap<Tracked, Tracked> = GoMap::new();
        m.set_stress_tuning(stress);
        for k in 0..N {
            m.insert(Tracked::new(k), Tracked::new(k + VAL));
        }
        let (key_id, val_id) = m
            .iter()
            .find(|(k, _)| k.n == 17)
            .map(|(k, v)| (k.id, v.id))
            .unwrap();
        arm_drop(key_id);
        expect_boom(|| drop(m));
        assert!(!is_live(key_id) && !is_live(val_id));
        assert_no_leak("map drop (panicking key)");
    }
}

/// Consumes half of `m.into_iter()`, keeping what it yields, then arms the
/// value of an entry not yielded yet and drops the iterator.
#[test]
fn drop_panic_during_into_iter_drop_drops_the_rest() {
    for stress in [false, true] {
        for taken in [0, 1, N as usize / 2, N as usize - 1] {
            let m = filled(N, stress);
            let all: Vec<(u64, u64)> = m.iter().map(|(k, v)| (k.0, v.id)).collect();
            let mut it = m.into_iter();
            let kept: Vec<(Key, Tracked)> = it.by_ref().take(taken).collect();
            assert_eq!(it.len(), N as usize - taken);
            let yielded: HashSet<u64> = kept.iter().map(|(k, _)| k.0).collect();
            let &(_, armed) = all
                .iter()
                .find(|(k, _)| !yielded.contains(k))
                .expect("an entry not yielded yet");
            arm_drop(armed);
            expect_boom(|| drop(it));
            assert!(!is_live(armed));
            assert_eq!(
                live_count(),
                kept.len(),
                "into_iter's drop leaked values after a panicking Drop"
            );
            assert!(kept.iter().all(|(_, v)| is_live(v.id)));
            drop(kept);
            assert_no_leak("into_iter");
        }
    }
}

/// A drain dropped part-way whose remaining entries include one with a
/// panicking `Drop`: the rest is dropped and the map is left empty and
/// valid (with no bucket array: the drained table is not put back).
#[test]
fn drop_panic_during_drain_drop_drops_the_rest() {
    for stress in [false, true] {
        for taken in [0, 1, N as usize / 2] {
            let mut m = filled(N, stress);
            let all: Vec<(u64, u64)> = m.iter().map(|(k, v)| (k.0, v.id)).collect();
            let mut drain = m.drain();
            let kept: Vec<(Key, Tracked)> = drain.by_ref().take(taken).collect();
            let yielded: HashSet<u64> = kept.iter().map(|(k, _)| k.0).collect();
            let &(_, armed) = all
                .iter()
                .find(|(k, _)| !yielded.contains(k))
                .expect("an entry not drained yet");
            arm_drop(armed);
            expect_boom(|| drop(drain));
            assert!(!is_live(armed));
            assert_eq!(
                live_count(),
                kept.len(),
                "drain's drop leaked values after a panicking Drop"
            );
            assert_holds(&m, []);
            assert_eq!(m.header().b, 0);
            m.insert(Key(1), Tracked::new(1 + VAL));
            assert_holds(&m, [1]);
            drop((m, kept));
            assert_no_leak("drain");
        }
    }
}

/// Overwriting drops the offered key; if that `Drop` panics, the map still
/// holds the key with one of the two values, alive, and the other is not
/// dropped twice. The other may leak: when a local's `Drop` panics after the
/// return value is built, Rust skips dropping the return value
/// (rust-lang/rust#47949), and std's `HashMap::insert` leaks the old value here.
#[test]
fn drop_panic_of_the_redundant_key_on_overwrite() {
    for stress in [false, true] {
        let mut m: GoMap<Tracked, Tracked> = GoMap::new();
        m.set_stress_tuning(stress);
        for k in 0..N {
            m.insert(Tracked::new(k), Tracked::new(k + VAL));
        }
        let old_val = m.get(&Tracked::new(7)).unwrap().id;
        let key = Tracked::new(7);
        arm_drop(key.id);
        let new_val = Tracked::new(77);
        let new_id = new_val.id;
        expect_boom(|| m.insert(key, new_val));
        m.check_invariants();
        let stored = m.get(&Tracked::new(7)).expect("key 7 lost").id;
        assert!(stored == old_val || stored == new_id);
        assert!(is_live(stored), "the stored value was dropped");
        let other = if stored == old_val { new_id } else { old_val };
        assert_eq!(m.len() as u64, N);
        drop(m);
        let leaked = live_count();
        assert!(
            leaked == 0 || (leaked == 1 && is_live(other)),
            "{leaked} values alive after the map's drop"
        );
        LIVE.with(|l| l.borrow_mut().clear());
    }
}
