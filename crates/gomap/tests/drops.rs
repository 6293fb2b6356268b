//! Drop accounting: every key and value a map ever owned is dropped exactly
//! once, and never while the map still holds it.
//!
//! Keys and values are [`Counted`]: each instance takes a fresh serial from a
//! [`Ledger`] when it is made (or cloned) and hands it back when dropped. The
//! ledger panics on a second drop of a serial, and each test ends by asserting
//! that nothing is still alive (no leak) once the map and every value taken out
//! of it are gone. Each operation that drops or moves entries is covered, on
//! plain maps and on stress-tuned maps caught mid-evacuation, with inline and
//! indirectly stored (over 128 bytes) keys and values.
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use gomap::GoMap;

/// Scaled down under Miri.
const N: u64 = if cfg!(miri) { 60 } else { 1_000 };

// ---------------------------------------------------------------------------
// The ledger and the counted types
// ---------------------------------------------------------------------------

/// Which serials are alive.
#[derive(Default)]
struct Ledger {
    next: Cell<u64>,
    live: RefCell<BTreeSet<u64>>,
}

impl Ledger {
    fn new() -> Rc<Ledger> {
        Rc::new(Ledger::default())
    }

    fn mint(&self) -> u64 {
        let id = self.next.get();
        self.next.set(id + 1);
        self.live.borrow_mut().insert(id);
        id
    }

    fn retire(&self, id: u64) {
        assert!(
            self.live.borrow_mut().remove(&id),
            "serial #{id} dropped twice"
        );
    }

    fn is_live(&self, id: u64) -> bool {
        self.live.borrow().contains(&id)
    }

    fn live(&self) -> usize {
        self.live.borrow().len()
    }

    fn assert_none_live(&self) {
        let live = self.live.borrow();
        assert!(
            live.is_empty(),
            "{} never dropped (leaked): {:?}",
            live.len(),
            live.iter().take(10).collect::<Vec<_>>()
        );
    }
}

/// A key or value whose lifetime the ledger tracks. Equality and hashing look
/// at `n` only, so two instances with one `n` are the same key; `Borrow<u64>`
/// lets lookups use a bare `u64`.
struct Counted {
    n: u64,
    id: u64,
    ledger: Rc<Ledger>,
}

impl Counted {
    fn new(ledger: &Rc<Ledger>, n: u64) -> Counted {
        Counted {
            n,
            id: ledger.mint(),
            ledger: Rc::clone(ledger),
        }
    }
}

impl Clone for Counted {
    fn clone(&self) -> Counted {
        Counted::new(&self.ledger, self.n)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.ledger.retire(self.id);
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Counted) -> bool {
        self.n == other.n
    }
}

impl Eq for Counted {}

impl Hash for Counted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.n.hash(state);
    }
}

impl Borrow<u64> for Counted {
    fn borrow(&self) -> &u64 {
        &self.n
    }
}

impl std::fmt::Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.n, self.id)
    }
}

/// A counted key or value of 208 bytes: stored indirectly (a pointer in the slot).
#[derive(Clone, Debug)]
struct Big {
    pad: [u64; 25],
    c: Counted,
}

impl Big {
    fn new(ledger: &Rc<Ledger>, n: u64) -> Big {
        Big {
            pad: [n; 25],
            c: Counted::new(ledger, n),
        }
    }
}

impl PartialEq for Big {
    fn eq(&self, other: &Big) -> bool {
        self.c == other.c
    }
}

impl Eq for Big {}

impl Hash for Big {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.c.hash(state);
    }
}

impl Borrow<u64> for Big {
    fn borrow(&self) -> &u64 {
        &self.c.n
    }
}

type CMap = GoMap<Counted, Counted>;

/// A map of `0..n`, key `i` → value `i + 1_000_000`, with all drops checked.
fn filled(l: &Rc<Ledger>, n: u64, stress: bool) -> CMap {
    let mut m = CMap::new();
    m.set_stress_tuning(stress);
    for i in 0..n {
        assert!(m
            .insert(Counted::new(l, i), Counted::new(l, i + 1_000_000))
            .is_none());
    }
    m.check_invariants();
    assert_eq!(l.live(), 2 * m.len());
    m
}

/// A stress-tuned map with at least `n` entries that is mid-evacuation.
fn growing(l: &Rc<Ledger>, n: u64) -> CMap {
    let mut m = filled(l, n, true);
    let mut i = n;
    while !m.header().growing {
        m.insert(Counted::new(l, i), Counted::new(l, i + 1_000_000));
        i += 1;
        assert!(i < n + 100_000, "a stress-tuned map never started growing");
    }
    m.check_invariants();
    assert_eq!(l.live(), 2 * m.len());
    m
}

fn assert_contents(m: &CMap, keys: impl IntoIterator<Item = u64>) {
    let mut n = 0;
    for k in keys {
        assert_eq!(m.get(&k).map(|v| v.n), Some(k + 1_000_000), "key {k}");
        n += 1;
    }
    assert_eq!(m.len(), n);
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn growth_from_empty_moves_without_dropping() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = CMap::new();
        m.set_stress_tuning(stress);
        for i in 0..N {
            m.insert(Counted::new(&l, i), Counted::new(&l, i + 1_000_000));
            // Nothing is dropped while entries move between arrays.
            assert_eq!(l.live(), 2 * m.len(), "after inserting {i}");
        }
        m.check_invariants();
        assert_contents(&m, 0..N);
        drop(m);
        l.assert_none_live();
    }
}

#[test]
fn insert_overwrite_returns_old_value_and_drops_the_new_key() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = filled(&l, 40, stress);
        let old_key_id = m.get_key_value(&7).unwrap().0.id;
        let new_key = Counted::new(&l, 7);
        let new_key_id = new_key.id;
        let new_val = Counted::new(&l, 77);
        let new_val_id = new_val.id;
        let old = m.insert(new_key, new_val).expect("key 7 was present");
        assert_eq!(old.n, 7 + 1_000_000);
        assert!(l.is_live(old.id));
        assert!(!l.is_live(new_key_id), "the new key was not dropped");
        let (k, v) = m.get_key_value(&7).unwrap();
        assert_eq!(
            k.id, old_key_id,
            "the stored key was replaced (std keeps the old key)"
        );
        assert_eq!(v.id, new_val_id);
        drop(old);
        assert_eq!(l.live(), 2 * m.len());
        m.check_invariants();
        drop(m);
        l.assert_none_live();
    }
}

#[test]
fn remove_and_remove_entry_hand_out_what_they_take() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = filled(&l, 50, stress);
        let v = m.remove(&3).unwrap();
        assert_eq!(v.n, 1_000_003);
        // The key is dropped by remove, the value is ours.
        assert_eq!(l.live(), 2 * m.len() + 1);
        drop(v);
        let (k, v) = m.remove_entry(&4).unwrap();
        assert_eq!((k.n, v.n), (4, 1_000_004));
        assert_eq!(l.live(), 2 * m.len() + 2);
        drop((k, v));
        assert!(m.remove(&3).is_none());
        assert_eq!(l.live(), 2 * m.len());
        // Remove everything: the map reseeds when it becomes empty.
        for i in 0..50 {
            drop(m.remove(&i));
            assert_eq!(l.live(), 2 * m.len());
        }
        m.check_invariants();
        assert!(m.is_empty());
        drop(m);
        l.assert_none_live();
    }
}

#[test]
fn get_mut_replace_and_entry_drop_what_they_discard() {
    let l = Ledger::new();
    let mut m = filled(&l, 30, false);
    *m.get_mut(&5).unwrap() = Counted::new(&l, 55);
    assert_eq!(l.live(), 2 * m.len());
    // Occupied: the offered key and value are dropped, the closure never runs.
    let offered_key = Counted::new(&l, 6);
    let offered_key_id = offered_key.id;
    assert_eq!(
        m.entry(offered_key).or_insert(Counted::new(&l, 0)).n,
        1_000_006
    );
    assert!(!l.is_live(offered_key_id));
    assert_eq!(
        m.entry(Counted::new(&l, 6))
            .or_insert_with(|| unreachable!())
            .n,
        1_000_006
    );
    m.entry(Counted::new(&l, 6))
        .and_modify(|v| *v = Counted::new(&l, 66));
    assert_eq!(m[&6].n, 66);
    assert_eq!(l.live(), 2 * m.len());
    // An entry that is dropped unused drops its key.
    drop(m.entry(Counted::new(&l, 1000)));
    drop(m.entry(Counted::new(&l, 6)));
    assert_eq!(l.live(), 2 * m.len());
    // Vacant: both are stored.
    m.entry(Counted::new(&l, 1000))
        .or_insert_with(|| Counted::new(&l, 1_001_000));
    assert_eq!(l.live(), 2 * m.len());
    assert_eq!(m.len(), 31);
    m.check_invariants();
    drop(m);
    l.assert_none_live();
}

#[test]
fn extend_with_duplicates_drops_the_losers() {
    let l = Ledger::new();
    let mut m = filled(&l, 20, false);
    let pairs: Vec<(Counted, Counted)> = (10..40)
        .map(|i| (Counted::new(&l, i), Counted::new(&l, i + 1_000_000)))
        .collect();
    m.extend(pairs);
    // 10 keys were duplicates: their new keys and old values are gone.
    assert_eq!(m.len(), 40);
    assert_eq!(l.live(), 80);
    m.check_invariants();
    let collected: CMap = (0..30)
        .map(|i| (Counted::new(&l, i % 15), Counted::new(&l, i)))
        .collect();
    assert_eq!(collected.len(), 15);
    assert_eq!(l.live(), 80 + 30);
    drop(collected);
    drop(m);
    l.assert_none_live();
}

#[test]
fn clone_owns_its_own_copies() {
    for stress in [false, true] {
        let l = Ledger::new();
        let m = if stress {
            growing(&l, N / 2)
        } else {
            filled(&l, N / 2, false)
        };
        let before = l.live();
        let c = m.clone();
        c.check_invariants();
        assert_eq!(l.live(), 2 * before);
        assert!(c == m);
        drop(m);
        assert_eq!(l.live(), before);
        c.check_invariants();
        assert_eq!(c.len() * 2, before);
        drop(c);
        l.assert_none_live();
    }
}

#[test]
fn clear_drops_everything_and_the_map_is_reusable() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = if stress {
            growing(&l, N / 2)
        } else {
            filled(&l, N / 2, false)
        };
        m.clear();
        m.check_invariants();
        assert!(m.is_empty());
        l.assert_none_live();
        m.clear();
        for i in 0..100 {
            m.insert(Counted::new(&l, i), Counted::new(&l, i + 1_000_000));
        }
        assert_contents(&m, 0..100);
        drop(m);
        l.assert_none_live();
    }
}

#[test]
fn retain_drops_exactly_the_rejected() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = if stress {
            growing(&l, N / 2)
        } else {
            filled(&l, N / 2, false)
        };
        let n = m.len() as u64;
        m.retain(|k, v| {
            assert_eq!(k.n + 1_000_000, v.n);
            k.n % 3 != 0
        });
        m.check_invariants();
        assert_eq!(l.live(), 2 * m.len());
        assert_contents(&m, (0..n).filter(|k| k % 3 != 0));
        m.retain(|_, _| false);
        m.check_invariants();
        l.assert_none_live();
        drop(m);
    }
}

#[test]
fn drain_dropped_half_way_drops_the_rest() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m = if stress {
            growing(&l, N / 2)
        } else {
            filled(&l, N / 2, false)
        };
        let n = m.len();
        let mut taken = Vec::new();
        {
            let mut d = m.drain();
            for _ in 0..n / 2 {
                taken.push(d.next().unwrap());
            }
        }
        assert!(m.is_empty());
        m.check_invariants();
        assert_eq!(l.live(), 2 * taken.len());
        let keys: BTreeSet<u64> = taken.iter().map(|(k, _)| k.n).collect();
        assert_eq!(keys.len(), n / 2, "drain yielded a key twice");
        drop(taken);
        l.assert_none_live();
        // A fully consumed drain, then reuse.
        for i in 0..50 {
            m.insert(Counted::new(&l, i), Counted::new(&l, i + 1_000_000));
        }
        assert_eq!(m.drain().count(), 50);
        l.assert_none_live();
        m.insert(Counted::new(&l, 1), Counted::new(&l, 1_000_001));
        assert_contents(&m, [1]);
        drop(m);
        l.assert_none_live();
    }
}

#[test]
// Forgetting a Drain may leak entries (as std's does), and Miri's leak checker
// would report them at exit.
#[cfg_attr(miri, ignore)]
fn drain_leaked_does_not_double_drop() {
    // std leaves the map empty or full after a leaked Drain; gomap may do either
    // as long as nothing is dropped twice and the map stays consistent.
    let l = Ledger::new();
    let mut m = filled(&l, 40, true);
    {
        let mut d = m.drain();
        drop(d.next());
        std::mem::forget(d);
    }
    m.check_invariants();
    for (k, v) in m.iter() {
        assert!(l.is_live(k.id) && l.is_live(v.id));
    }
    drop(m);
}

#[test]
fn into_iter_dropped_half_way_drops_the_rest() {
    for stress in [false, true] {
        let l = Ledger::new();
        let m = if stress {
            growing(&l, N / 2)
        } else {
            filled(&l, N / 2, false)
        };
        let n = m.len();
        let mut it = m.into_iter();
        let taken: Vec<_> = it.by_ref().take(n / 2).collect();
        drop(it);
        assert_eq!(l.live(), 2 * taken.len());
        let keys: BTreeSet<u64> = taken.iter().map(|(k, _)| k.n).collect();
        assert_eq!(keys.len(), n / 2);
        drop(taken);
        l.assert_none_live();
    }
}

#[test]
fn map_drop_mid_growth() {
    // Stress-tuned: the old array still holds entries when the map goes.
    let l = Ledger::new();
    let m = growing(&l, N / 2);
    assert!(m.layout().old.is_some());
    drop(m);
    l.assert_none_live();
    // Default tuning: insert 27 into an empty map (B 2 → 3 starts on the 27th).
    let l = Ledger::new();
    let m = filled(&l, 27, false);
    assert!(
        m.header().growing,
        "inserting the 27th key starts a growth that one insert cannot finish"
    );
    drop(m);
    l.assert_none_live();
}

#[test]
fn indirect_keys_and_values_drop_once() {
    for stress in [false, true] {
        let l = Ledger::new();
        let mut m: GoMap<Big, Big> = GoMap::new();
        m.set_stress_tuning(stress);
        for i in 0..N / 2 {
            assert!(m.insert(Big::new(&l, i), Big::new(&l, i + 1)).is_none());
            assert_eq!(l.live(), 2 * m.len());
        }
        m.check_invariants();
        let old = m.insert(Big::new(&l, 3), Big::new(&l, 33)).unwrap();
        assert_eq!(old.pad, [4; 25]);
        drop(old);
        assert_eq!(l.live(), 2 * m.len());
        drop(m.remove(&5));
        m.retain(|k, _| k.c.n % 4 != 0);
        assert_eq!(l.live(), 2 * m.len());
        let c = m.clone();
        assert_eq!(l.live(), 4 * m.len());
        for (k, v) in c.iter() {
            assert_eq!(k.pad, [k.c.n; 25]);
            assert_eq!(m.get(&k.c.n), Some(v));
        }
        let mut d = m.drain();
        drop(d.next());
        drop(d);
        assert_eq!(l.live(), 2 * c.len());
        let mut it = c.into_iter();
        drop(it.next());
        drop(it);
        l.assert_none_live();
        m.check_invariants();
    }
}
