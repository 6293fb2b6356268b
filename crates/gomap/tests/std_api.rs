//! The newer std `HashMap` API on `GoMap`: `extract_if`, `get_disjoint_mut`,
//! `Entry::insert_entry`, the iterators' `Clone`/`Debug`/`Default`, unwind
//! safety and `entry_ref`. Written from std's documentation of each method;
//! every test that changes a map runs `check_invariants()` after it, and the
//! ones that remove do so on plain, stress-tuned (mid-evacuation) and
//! colliding-hash maps, where chains are long and removals walk back over
//! overflow buckets.
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, DefaultHasher, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

use gomap::events::{Event, Recorder, ReseedCause};
use gomap::{Entry, GoMap, SyncMap};

/// Scaled down under Miri.
const N: u64 = if cfg!(miri) { 80 } else { 2_000 };

/// std's SipHash, or (`colliding`) a hash that puts every key in one of 5
/// buckets with one of 3 tophashes: long chains, many overflow buckets,
/// `Eq` on every probe.
#[derive(Clone, Default)]
struct Hb {
    colliding: bool,
}

struct H {
    colliding: bool,
    inner: DefaultHasher,
    last: u64,
}

impl Hasher for H {
    fn finish(&self) -> u64 {
        if self.colliding {
            ((self.last % 3) << 56) | (self.last % 5)
        } else {
            self.inner.finish()
        }
    }
    fn write(&mut self, bytes: &[u8]) {
        self.inner.write(bytes);
        for &b in bytes {
            self.last = self.last.wrapping_mul(31).wrapping_add(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.inner.write_u64(n);
        self.last = n;
    }
}

impl BuildHasher for Hb {
    type Hasher = H;
    fn build_hasher(&self) -> H {
        H {
            colliding: self.colliding,
            inner: DefaultHasher::new(),
            last: 0,
        }
    }
}

type Map = GoMap<u64, u64, Hb>;

/// The three kinds of map every removal test runs on, each holding `k -> 10k`
/// for `k < n` (fewer keys on the colliding map, whose chains are O(n)).
fn maps(n: u64) -> Vec<(&'static str, Map)> {
    let mut stress = Map::with_hasher(Hb::default());
    stress.set_stress_tuning(true);
    let mut out = vec![
        ("plain", Map::with_hasher(Hb::default())),
        ("stress", stress),
        ("colliding", Map::with_hasher(Hb { colliding: true })),
    ];
    for (name, m) in &mut out {
        let n = if *name == "colliding" { n.min(300) } else { n };
        for i in 0..n {
            m.insert(i, i * 10);
        }
        m.check_invariants();
    }
    out
}

fn contents(m: &Map) -> HashMap<u64, u64> {
    m.iter().map(|(&k, &v)| (k, v)).collect()
}

// ---------------------------------------------------------------------------
// extract_if
// ---------------------------------------------------------------------------

#[test]
fn extract_if_takes_exactly_the_matching_entries() {
    for (name, mut m) in maps(N) {
        let before = contents(&m);
        let taken: Vec<(u64, u64)> = m.extract_if(|k, _| k % 3 == 0).collect();
        m.check_invariants();
        let taken_keys: HashSet<u64> = taken.iter().map(|&(k, _)| k).collect();
        assert_eq!(
            taken_keys.len(),
            taken.len(),
            "{name}: an entry came out twice"
        );
        for &(k, v) in &taken {
            assert_eq!(k % 3, 0, "{name}");
            assert_eq!(before[&k], v, "{name}");
        }
        let want: HashMap<u64, u64> = before.into_iter().filter(|(k, _)| k % 3 != 0).collect();
        assert_eq!(contents(&m), want, "{name}");
        assert_eq!(m.len(), want.len(), "{name}");
        let n = if name == "colliding" { N.min(300) } else { N };
        assert_eq!(taken.len() + m.len(), n as usize, "{name}");
        // The map keeps working: inserts and removes after the extraction.
        for i in 0..50 {
            m.insert(i * 3, 1);
            m.remove(&(i * 3 + 1));
            m.check_invariants();
        }
    }
}

#[test]
fn extract_if_offers_each_entry_once_with_its_value_mutable() {
    for (name, mut m) in maps(N) {
        let len = m.len();
        let mut offered = HashSet::new();
        let none: Vec<_> = m
            .extract_if(|k, v| {
                assert!(offered.insert(*k), "{name}: key {k} offered twice");
                *v += 1;
                false
            })
            .collect();
        assert!(none.is_empty());
        assert_eq!(offered.len(), len, "{name}: not every entry was offered");
        m.check_invariants();
        assert!(m.iter().all(|(k, v)| *v == k * 10 + 1), "{name}");
    }
}

#[test]
fn extract_if_dropped_early_keeps_what_it_did_not_yield() {
    for (name, mut m) in maps(N) {
        let before = contents(&m);
        let mut it = m.extract_if(|_, _| true);
        let taken: Vec<(u64, u64)> = it.by_ref().take(5).collect();
        drop(it);
        m.check_invariants();
        assert_eq!(m.len(), before.len() - 5, "{name}");
        for (k, _) in &taken {
            assert!(!m.contains_key(k), "{name}");
        }
        for (k, v) in &before {
            if !taken.iter().any(|(t, _)| t == k) {
                assert_eq!(m.get(k), Some(v), "{name}");
            }
        }
    }
}

#[test]
fn extract_if_is_fused_and_bounds_its_size_hint() {
    let mut m: GoMap<u64, u64> = (0..20).map(|i| (i, i)).collect();
    let mut it = m.extract_if(|k, _| *k < 4);
    assert_eq!(it.size_hint(), (0, Some(20)));
    assert!(format!("{it:?}").starts_with("ExtractIf"));
    assert_eq!(it.by_ref().count(), 4);
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    assert_eq!(it.size_hint(), (0, Some(16)));
}

/// Seeds 1, 2, 3, ...
fn counting_seeds() -> impl FnMut() -> u32 + Send + Sync + 'static {
    let mut next = 0;
    move || {
        next += 1;
        next
    }
}

#[test]
fn extract_if_draws_a_new_seed_when_it_empties_the_map() {
    let mut m: GoMap<u64, u64, Hb> =
        GoMap::with_capacity_hasher_and_seeds(0, Hb::default(), counting_seeds());
    for i in 0..100 {
        m.insert(i, i);
    }
    assert_eq!(m.header().hash0, 1);
    // Extracting only some keeps the seed.
    assert_eq!(m.extract_if(|k, _| *k >= 50).count(), 50);
    assert_eq!(m.header().hash0, 1);
    let rec = Recorder::new();
    m.set_observer(rec.clone());
    assert_eq!(m.extract_if(|_, _| true).count(), 50);
    assert!(m.is_empty());
    assert_eq!(m.header().hash0, 2);
    let reseeds: Vec<_> = rec
        .take()
        .into_iter()
        .filter(|e| matches!(e, Event::Reseed { .. }))
        .collect();
    assert!(
        matches!(
            reseeds[..],
            [Event::Reseed {
                cause: ReseedCause::DeleteToEmpty,
                hash0: 2
            }]
        ),
        "{reseeds:?}"
    );
    // An empty map yields nothing and keeps its seed.
    assert_eq!(m.extract_if(|_, _| true).count(), 0);
    assert_eq!(m.header().hash0, 2);
    m.check_invariants();
    m.insert(7, 7);
    assert_eq!(m.get(&7), Some(&7));
}

#[test]
fn extract_if_does_no_growth_work() {
    let mut m: GoMap<u64, u64> = GoMap::new();
    for i in 0..(if cfg!(miri) { 53 } else { 6657 }) {
        m.insert(i, i);
    }
    let h = m.header();
    assert!(h.growing, "the last insert starts a doubling");
    m.extract_if(|k, _| k % 2 == 0).for_each(drop);
    let after = m.header();
    assert!(after.growing);
    assert_eq!(after.nevacuate, h.nevacuate, "extract_if evacuated");
    m.check_invariants();
}

/// Counts live instances; a second drop of one instance panics.
struct Tracked {
    n: u64,
    dropped: Cell<bool>,
    live: Rc<Cell<i64>>,
}

impl Tracked {
    fn new(n: u64, live: &Rc<Cell<i64>>) -> Tracked {
        live.set(live.get() + 1);
        Tracked {
            n,
            dropped: Cell::new(false),
            live: live.clone(),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        assert!(!self.dropped.replace(true), "dropped twice");
        self.live.set(self.live.get() - 1);
    }
}

#[test]
fn extract_if_with_a_panicking_predicate_keeps_the_rest() {
    let live = Rc::new(Cell::new(0));
    for stress in [false, true] {
        let mut m: GoMap<u64, Tracked> = GoMap::new();
        m.set_stress_tuning(stress);
        for i in 0..N {
            m.insert(i, Tracked::new(i, &live));
        }
        let mut calls = 0;
        let mut taken = Vec::new();
        let r = catch_unwind(AssertUnwindSafe(|| {
            for kv in m.extract_if(|k, _| {
                calls += 1;
                if calls == N / 2 {
                    panic!("predicate panics");
                }
                k % 2 == 0
            }) {
                taken.push(kv);
            }
        }));
        assert!(r.is_err());
        m.check_invariants();
        assert_eq!(m.len() + taken.len(), N as usize, "an entry was lost");
        assert!(!taken.is_empty());
        for (k, v) in &taken {
            assert_eq!(*k, v.n);
            assert!(!m.contains_key(k));
        }
        assert!(m.iter().all(|(k, v)| *k == v.n));
        assert_eq!(live.get(), N as i64, "an entry was dropped");
        // The map is usable after the panic.
        m.insert(N, Tracked::new(N, &live));
        m.remove(&0);
        m.remove(&1);
        m.check_invariants();
        drop(taken);
        drop(m);
        assert_eq!(live.get(), 0, "leaked or double-counted");
    }
}

// ---------------------------------------------------------------------------
// get_disjoint_mut
// ---------------------------------------------------------------------------

#[test]
fn get_disjoint_mut_gives_each_present_value() {
    for (name, mut m) in maps(N) {
        let [a, b, missing, c] = m.get_disjoint_mut([&1, &2, &(N + 7), &3]);
        assert!(missing.is_none(), "{name}");
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        assert_eq!((*a, *b, *c), (10, 20, 30), "{name}");
        std::mem::swap(a, c);
        *b += 1;
        assert_eq!((m[&1], m[&2], m[&3]), (30, 21, 10), "{name}");
        m.check_invariants();
    }
}

#[test]
fn get_disjoint_mut_with_no_keys_and_on_an_empty_map() {
    let mut m: GoMap<String, u64> = GoMap::new();
    let none: [Option<&mut u64>; 0] = m.get_disjoint_mut::<str, 0>([]);
    assert_eq!(none.len(), 0);
    assert!(matches!(m.get_disjoint_mut(["a", "b"]), [None, None]));
    m.insert("a".to_string(), 1);
    let [a, b] = m.get_disjoint_mut(["a", "b"]);
    *a.unwrap() = 5;
    assert!(b.is_none());
    assert_eq!(m["a"], 5);
}

#[test]
#[should_panic(expected = "get_disjoint_mut")]
fn get_disjoint_mut_panics_on_equal_present_keys() {
    let mut m: GoMap<u64, u64> = (0..10).map(|i| (i, i)).collect();
    let _ = m.get_disjoint_mut([&1, &2, &1]);
}

#[test]
#[should_panic(expected = "get_disjoint_mut")]
fn get_disjoint_mut_panics_on_equal_absent_keys() {
    let mut m: GoMap<u64, u64> = (0..10).map(|i| (i, i)).collect();
    let _ = m.get_disjoint_mut([&100, &100]);
}

// ---------------------------------------------------------------------------
// insert_entry
// ---------------------------------------------------------------------------

#[test]
fn insert_entry_on_vacant_and_occupied() {
    let mut m: GoMap<String, u64> = GoMap::new();
    let mut e = m.entry("a".to_string()).insert_entry(1);
    assert_eq!((e.key().as_str(), *e.get()), ("a", 1));
    *e.get_mut() += 1;
    assert_eq!(m["a"], 2);
    let e = m.entry("a".to_string()).insert_entry(7);
    assert_eq!(*e.get(), 7);
    assert_eq!(m.len(), 1);
    match m.entry("b".to_string()) {
        Entry::Vacant(v) => {
            let o = v.insert_entry(3);
            assert_eq!(o.into_mut(), &mut 3);
        }
        Entry::Occupied(_) => panic!("b is absent"),
    }
    assert_eq!((m["a"], m["b"], m.len()), (7, 3, 2));
}

#[test]
fn insert_entry_then_remove_through_the_entry() {
    // Each new key is inserted through `insert_entry` and every other one
    // removed through the entry it returned: the removal must find the slot
    // the insert used, in whatever chain and array (after growths, in
    // overflow buckets) that was.
    for (name, mut m) in maps(0) {
        let mut model = HashMap::new();
        let n = if name == "colliding" { 300 } else { N };
        for i in 0..n {
            let e = m.entry(i).insert_entry(i + 1);
            assert_eq!((*e.key(), *e.get()), (i, i + 1));
            if i % 2 == 1 {
                assert_eq!(e.remove_entry(), (i, i + 1), "{name}");
            } else {
                model.insert(i, i + 1);
            }
            m.check_invariants();
        }
        assert_eq!(contents(&m), model, "{name}");
        // And remove the survivors through fresh occupied entries.
        for i in (0..n).step_by(2) {
            match m.entry(i) {
                Entry::Occupied(o) => assert_eq!(o.remove(), i + 1),
                Entry::Vacant(_) => panic!("{name}: {i} missing"),
            }
            m.check_invariants();
        }
        assert!(m.is_empty(), "{name}");
    }
}

// ---------------------------------------------------------------------------
// Iterator traits
// ---------------------------------------------------------------------------

fn sample() -> GoMap<u64, String> {
    (0..if cfg!(miri) { 12 } else { 40 })
        .map(|i| (i, format!("v{i}")))
        .collect()
}

#[test]
fn keys_and_values_clone_from_where_they_stand() {
    let m = sample();
    let mut keys = m.keys();
    keys.next();
    let rest: Vec<_> = keys.clone().collect();
    assert_eq!(rest.len(), m.len() - 1);
    assert_eq!(keys.collect::<Vec<_>>(), rest);
    let mut values = m.values();
    values.next();
    values.next();
    let rest: Vec<_> = values.clone().collect();
    assert_eq!(rest.len(), m.len() - 2);
    assert_eq!(values.collect::<Vec<_>>(), rest);
}

/// `Debug` of a partly used iterator lists exactly what it still yields,
/// in order, and does not advance it.
macro_rules! debug_is_rest {
    ($it:expr) => {{
        let mut it = $it;
        it.next();
        let shown = format!("{:?}", it);
        let shown_again = format!("{:?}", it);
        let rest: Vec<_> = it.collect();
        assert_eq!(shown, format!("{:?}", rest));
        assert_eq!(shown, shown_again);
        rest.len()
    }};
}

#[test]
fn debug_shows_the_entries_left() {
    let mut m = sample();
    let n = m.len() - 1;
    assert_eq!(debug_is_rest!(m.iter()), n);
    assert_eq!(debug_is_rest!(m.keys()), n);
    assert_eq!(debug_is_rest!(m.values()), n);
    assert_eq!(debug_is_rest!(m.iter_mut()), n);
    assert_eq!(debug_is_rest!(m.values_mut()), n);
    assert_eq!(debug_is_rest!(m.clone().into_iter()), n);
    assert_eq!(debug_is_rest!(m.clone().into_keys()), n);
    assert_eq!(debug_is_rest!(m.clone().into_values()), n);
    assert_eq!(debug_is_rest!(m.drain()), n);
    assert!(m.is_empty());
    assert_eq!(format!("{:?}", m.drain()), "[]");
    let one: GoMap<u8, char> = GoMap::from([(1, 'x')]);
    assert_eq!(format!("{:?}", one.iter()), "[(1, 'x')]");
    assert_eq!(format!("{:?}", one.keys()), "[1]");
    assert_eq!(format!("{:?}", one.values()), "['x']");
    assert_eq!(format!("{:?}", one.into_iter()), "[(1, 'x')]");
}

// ---------------------------------------------------------------------------
// Unwind safety
// ---------------------------------------------------------------------------

fn unwind_safe<T: UnwindSafe>(_: &T) {}
fn ref_unwind_safe<T: RefUnwindSafe>(_: &T) {}

#[test]
fn maps_are_unwind_safe_for_ordinary_types() {
    let m: GoMap<u64, String> = GoMap::new();
    unwind_safe(&m);
    ref_unwind_safe(&m);
    let with_hooks: GoMap<String, Vec<u8>, Hb> =
        GoMap::with_capacity_hasher_and_seeds(0, Hb::default(), counting_seeds());
    unwind_safe(&with_hooks);
    ref_unwind_safe(&with_hooks);
    let s: SyncMap<u64, String> = SyncMap::new();
    unwind_safe(&s);
    ref_unwind_safe(&s);
}

#[test]
fn catch_unwind_over_a_borrowed_map() {
    let mut m: GoMap<u64, u64> = (0..100).map(|i| (i, i)).collect();
    m.set_observer(Recorder::new());
    assert_eq!(catch_unwind(|| m.len()).unwrap(), 100);
    let r = catch_unwind(|| {
        let sum: u64 = m.values().sum();
        if sum > 0 {
            panic!("after reading {sum}");
        }
    });
    assert!(r.is_err());
    // An owned map moved into the closure.
    let r = catch_unwind(move || {
        let mut m = m;
        m.insert(1000, 1);
        m.len()
    });
    assert_eq!(r.unwrap(), 101);
    let s: SyncMap<u64, u64> = SyncMap::new();
    s.store(1, 2);
    assert_eq!(catch_unwind(|| *s.load(&1).unwrap()).unwrap(), 2);
}

// ---------------------------------------------------------------------------
// entry_ref
// ---------------------------------------------------------------------------

thread_local! {
    /// `Key::from(&str)` calls on this thread.
    static CONVERSIONS: Cell<usize> = const { Cell::new(0) };
}

/// A key that counts its conversions from `&str`; hashes and compares as
/// its `str` (the `Borrow` contract).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Key(String);

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        CONVERSIONS.with(|c| c.set(c.get() + 1));
        Key(s.to_string())
    }
}

fn conversions() -> usize {
    CONVERSIONS.with(|c| c.get())
}

#[test]
fn entry_ref_converts_the_key_only_to_insert() {
    let mut m: GoMap<Key, u64> = GoMap::new();
    let start = conversions();
    let words = ["x", "y", "x", "z", "x", "y"];
    for w in words {
        *m.entry_ref(w).or_insert(0) += 1;
        m.check_invariants();
    }
    assert_eq!(conversions() - start, 3, "one conversion per distinct word");
    assert_eq!((m["x"], m["y"], m["z"]), (3, 2, 1));

    // and_modify, or_insert_with, or_default, key.
    m.entry_ref("x").and_modify(|v| *v *= 10).or_insert(0);
    assert_eq!(m["x"], 30);
    m.entry_ref("w").and_modify(|v| *v *= 10).or_insert(5);
    assert_eq!(m["w"], 5);
    assert_eq!(*m.entry_ref("v").or_insert_with(|| 9), 9);
    assert_eq!(*m.entry_ref("u").or_default(), 0);
    assert_eq!(m.entry_ref("u").key(), "u");
    assert_eq!(m.entry_ref("absent").key(), "absent");
    assert!(!m.contains_key("absent"), "a vacant entry inserts nothing");
    assert_eq!(conversions() - start, 6);

    // insert: sets the value either way and hands back the occupied entry.
    let e = m.entry_ref("x").insert(1);
    assert_eq!((e.key(), e.get()), (&Key("x".into()), &1));
    let e = m.entry_ref("t").insert(2);
    assert_eq!(e.remove_entry(), (Key("t".into()), 2));
    assert!(!m.contains_key("t"));
    assert_eq!(conversions() - start, 7);
    m.check_invariants();
    match m.entry_ref("x") {
        gomap::EntryRef::Occupied(o) => assert_eq!(*o.get(), 1),
        gomap::EntryRef::Vacant(_) => panic!("x is present"),
    }
    match m.entry_ref("s") {
        gomap::EntryRef::Vacant(v) => {
            assert_eq!(v.key(), "s");
            *v.insert(4) += 1;
        }
        gomap::EntryRef::Occupied(_) => panic!("s is absent"),
    }
    assert_eq!(m["s"], 5);
}

#[test]
fn entry_ref_through_growths() {
    let mut m: GoMap<String, u64> = GoMap::new();
    m.set_stress_tuning(true);
    let mut model = HashMap::new();
    for i in 0..N {
        let k = format!("k{}", i % (N / 2));
        *m.entry_ref(k.as_str()).or_default() += i;
        *model.entry(k).or_default() += i;
        m.check_invariants();
    }
    let got: HashMap<String, u64> = m.into_iter().collect();
    assert_eq!(got, model);
}

#[test]
fn extract_if_is_send_and_sync_as_std_s() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let mut m: GoMap<u64, String> = (0..10).map(|i| (i, i.to_string())).collect();
    let it = m.extract_if(|k, _| *k < 3);
    send_sync(&it);
    let taken = std::thread::scope(|s| s.spawn(move || it.count()).join().unwrap());
    assert_eq!((taken, m.len()), (3, 7));
}
