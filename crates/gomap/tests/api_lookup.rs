//! Lookups by an `Equivalent` key, the `const` constructor, and the engine
//! parameter spelled out: the parts of the std surface the shared layer adds
//! for every engine.

use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Mutex;

use gomap::{Classic, Equivalent, GoMap};

/// A key stored as owned text and a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Owned {
    name: String,
    n: u32,
}

/// The same key, borrowed: hashes exactly as `Owned` does (field by field,
/// `str` as `String` hashes), so it can look `Owned` keys up without
/// allocating.
struct Borrowed<'a> {
    name: &'a str,
    n: u32,
}

impl Hash for Borrowed<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.name.hash(h);
        self.n.hash(h);
    }
}

impl Equivalent<Owned> for Borrowed<'_> {
    fn equivalent(&self, key: &Owned) -> bool {
        self.name == key.name && self.n == key.n
    }
}

#[test]
fn lookups_by_an_equivalent_key() {
    let mut m: GoMap<Owned, u32> = GoMap::new();
    for n in 0..100 {
        m.insert(
            Owned {
                name: format!("k{n}"),
                n,
            },
            n * 10,
        );
    }
    let names: Vec<String> = (0..=100).map(|n| format!("k{n}")).collect();
    let probe = |n: u32| Borrowed {
        name: &names[n as usize],
        n,
    };
    assert_eq!(m.get(&probe(7)), Some(&70));
    assert_eq!(m[&probe(8)], 80);
    assert!(m.contains_key(&probe(99)));
    // Same name, other number: a different key.
    assert!(!m.contains_key(&Borrowed { name: "k7", n: 8 }));
    *m.get_mut(&probe(9)).unwrap() += 1;
    assert_eq!(
        m.get_key_value(&probe(9)).map(|(k, v)| (k.n, *v)),
        Some((9, 91))
    );
    assert_eq!(m.remove(&probe(10)), Some(100));
    assert_eq!(m.remove_entry(&probe(10)), None);
    assert_eq!(m.len(), 99);
    m.check_invariants();
}

#[test]
fn borrowed_forms_still_work() {
    // The blanket `Equivalent` impl covers every `K: Borrow<Q>` lookup std allows.
    let mut m: GoMap<String, u32> = GoMap::new();
    m.insert("gopher".to_string(), 1);
    assert_eq!(m.get("gopher"), Some(&1));
    assert_eq!(m.remove("gopher"), Some(1));
    let mut v: GoMap<Vec<u8>, u8> = GoMap::new();
    v.insert(vec![1, 2], 3);
    assert_eq!(v[&[1u8, 2][..]], 3);
}

/// A hash builder a `const` can name: every hasher starts from the same state.
#[derive(Debug, Clone, Copy, Default)]
struct Fixed;

impl BuildHasher for Fixed {
    type Hasher = DefaultHasher;
    fn build_hasher(&self) -> DefaultHasher {
        DefaultHasher::new()
    }
}

static SHARED: Mutex<GoMap<u64, u64, Fixed>> = Mutex::new(GoMap::with_hasher(Fixed));

#[test]
fn const_with_hasher_builds_a_static_map() {
    {
        let mut m = SHARED.lock().unwrap();
        for i in 0..1000 {
            m.insert(i, i * 2);
        }
        // A `const` map starts with seed 0 (it cannot draw one).
        assert_eq!(m.len(), 1000);
        m.check_invariants();
    }
    let m = SHARED.lock().unwrap();
    assert_eq!(m.get(&999), Some(&1998));
    // It ranges like any other map: the cursor identity is assigned lazily.
    let mut r = m.range();
    let mut n = 0;
    while r.next(&m).is_some() {
        n += 1;
    }
    assert_eq!(n, 1000);
}

#[test]
fn const_map_seed_is_zero_until_it_empties() {
    let mut m: GoMap<u64, u64, Fixed> = GoMap::with_hasher(Fixed);
    assert_eq!(m.header().hash0, 0);
    m.insert(1, 1);
    assert_eq!(m.header().hash0, 0);
    // Emptying draws a new seed, as for every map (Go reseeds on delete-to-empty).
    let mut seen_nonzero = false;
    for _ in 0..4 {
        m.insert(1, 1);
        m.remove(&1);
        seen_nonzero |= m.header().hash0 != 0;
    }
    assert!(seen_nonzero, "four random 32-bit seeds were all 0");
}

#[test]
fn cursors_of_two_maps_are_told_apart() {
    let a: GoMap<u64, u64, Fixed> = [(1, 1)].into_iter().collect();
    let b: GoMap<u64, u64, Fixed> = GoMap::with_hasher(Fixed);
    let mut r = a.range();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        r.next(&b);
    }));
    assert!(caught.is_err(), "a cursor used with another map must panic");
    // A clone is another map too.
    let c = a.clone();
    let mut r = a.range();
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        r.next(&c);
    }))
    .is_err());
}

#[test]
fn the_engine_parameter_defaults_to_classic() {
    fn takes_explicit(m: &GoMap<u64, u64, gomap::DefaultHashBuilder, Classic>) -> usize {
        m.len()
    }
    let m: GoMap<u64, u64> = (0..10).map(|i| (i, i)).collect();
    assert_eq!(takes_explicit(&m), 10);
}
