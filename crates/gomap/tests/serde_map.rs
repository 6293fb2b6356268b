//! serde for `GoMap` and `GoSet` (feature `serde`): the same JSON as std's
//! `HashMap` and `HashSet`, round trips, derived structs, duplicate keys, and
//! a length hint that lies. Run with
//! `cargo test -p gomap --features serde --test serde_map`.
#![cfg(feature = "serde")]
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap, HashSet};

use gomap::{GoMap, GoSet};
use serde::de::value::{Error as ValueError, MapDeserializer, SeqDeserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Scaled down under Miri.
const N: u64 = if cfg!(miri) { 30 } else { 500 };

#[test]
fn a_map_serializes_as_std_does() {
    let pairs: Vec<(String, u64)> = (0..N).map(|i| (format!("k{i}"), i * 3)).collect();
    let go: GoMap<String, u64> = pairs.iter().cloned().collect();
    let std: HashMap<String, u64> = pairs.iter().cloned().collect();
    let go_json = serde_json::to_string(&go).unwrap();
    let std_json = serde_json::to_string(&std).unwrap();
    let go_value: Value = serde_json::from_str(&go_json).unwrap();
    let std_value: Value = serde_json::from_str(&std_json).unwrap();
    assert_eq!(go_value, std_value);
    assert!(go_value.is_object());
    // Integer keys become strings, as for std's map.
    let ints: GoMap<u32, bool> = [(1, true), (2, false)].into();
    assert_eq!(
        serde_json::to_value(&ints).unwrap(),
        serde_json::to_value(HashMap::from([(1u32, true), (2, false)])).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&GoMap::<u8, u8>::new()).unwrap(),
        "{}"
    );
}

#[test]
fn a_set_serializes_as_a_sequence() {
    let go: GoSet<u64> = (0..N).collect();
    let value = serde_json::to_value(&go).unwrap();
    let items = value.as_array().expect("a JSON array");
    assert_eq!(items.len(), N as usize);
    let back: HashSet<u64> = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(back, (0..N).collect::<HashSet<_>>());
    assert_eq!(serde_json::to_string(&GoSet::<u8>::new()).unwrap(), "[]");
    assert_eq!(serde_json::to_string(&GoSet::from([5u8])).unwrap(), "[5]");
}

#[test]
fn round_trips() {
    let go: GoMap<u64, Vec<String>> = (0..N).map(|i| (i, vec![i.to_string(); 2])).collect();
    let json = serde_json::to_string(&go).unwrap();
    let back: GoMap<u64, Vec<String>> = serde_json::from_str(&json).unwrap();
    back.check_invariants();
    assert_eq!(back, go);
    // Through std's map and back.
    let std: HashMap<u64, Vec<String>> = serde_json::from_str(&json).unwrap();
    let again: GoMap<u64, Vec<String>> =
        serde_json::from_str(&serde_json::to_string(&std).unwrap()).unwrap();
    assert_eq!(again, go);

    let set: GoSet<String> = (0..N).map(|i| format!("s{i}")).collect();
    let json = serde_json::to_string(&set).unwrap();
    let back: GoSet<String> = serde_json::from_str(&json).unwrap();
    back.check_invariants();
    assert_eq!(back, set);
}

#[test]
fn the_hint_sizes_the_map_as_with_capacity() {
    let json =
        serde_json::to_string(&(0..N).map(|i| (i, i)).collect::<BTreeMap<u64, u64>>()).unwrap();
    // serde_json gives no length hint; a value deserializer does.
    let m: GoMap<u64, u64> = serde_json::from_str(&json).unwrap();
    assert_eq!(m.len(), N as usize);
    let exact = MapDeserializer::<_, ValueError>::new((0..N).map(|i| (i, i)));
    let m = GoMap::<u64, u64>::deserialize(exact).unwrap();
    assert_eq!(m.len(), N as usize);
    assert!(
        !m.header().growing,
        "sized for N up front: no growth while filling"
    );
    assert_eq!(
        m.header().b,
        GoMap::<u64, u64>::with_capacity(N as usize).header().b
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Config {
    name: String,
    limits: GoMap<String, u32>,
    tags: GoSet<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct StdConfig {
    name: String,
    limits: HashMap<String, u32>,
    tags: HashSet<String>,
}

#[test]
fn a_derived_struct_with_map_fields() {
    let c = Config {
        name: "svc".into(),
        limits: [("cpu".to_string(), 2), ("mem".to_string(), 512)].into(),
        tags: ["a".to_string(), "b".to_string()].into(),
    };
    let json = serde_json::to_string(&c).unwrap();
    let back: Config = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    // The same document reads as the std-typed struct, and its JSON value
    // is the GoMap-typed struct's.
    let s: StdConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(s.limits["mem"], 512);
    assert_eq!(s.tags.len(), 2);
    let from_std: Config = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(from_std, c);
    let v_go = serde_json::to_value(&c).unwrap();
    let v_std = serde_json::to_value(&s).unwrap();
    assert_eq!(v_go["limits"], v_std["limits"]);
}

#[test]
fn duplicate_keys_last_value_wins_as_in_std() {
    let json = r#"{"a": 1, "b": 2, "a": 3}"#;
    let go: GoMap<String, u32> = serde_json::from_str(json).unwrap();
    let std: HashMap<String, u32> = serde_json::from_str(json).unwrap();
    assert_eq!((go.len(), go["a"], go["b"]), (2, 3, 2));
    assert_eq!(
        go.iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<HashMap<_, _>>(),
        std
    );
    let set: GoSet<u32> = serde_json::from_str("[1, 2, 1, 1]").unwrap();
    assert_eq!(set, GoSet::from([1, 2]));
}

#[test]
fn errors_are_the_formats() {
    assert!(serde_json::from_str::<GoMap<String, u32>>("[1, 2]").is_err());
    assert!(serde_json::from_str::<GoMap<String, u32>>(r#"{"a": "x"}"#).is_err());
    assert!(serde_json::from_str::<GoSet<u32>>(r#"{"a": 1}"#).is_err());
}

/// An iterator that claims to hold far more items than it does.
struct Lying<I>(I, usize);

impl<I: Iterator> Iterator for Lying<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

#[test]
fn a_huge_length_hint_is_capped() {
    // 1 MiB of (u64, u64) is 65,536 entries: at most B = 14 (144-byte
    // buckets, 2.4 MB). Uncapped, 2^24 would make B = 22 (600 MB), and 2^40
    // 24 TB; a hint past Go's 2^48-byte limit is ignored by `with_capacity`.
    for hint in [1usize << 24, 1 << 40, usize::MAX / 4] {
        let pairs = [(1u64, 2u64), (3, 4)].into_iter();
        let de = MapDeserializer::<_, ValueError>::new(Lying(pairs, hint));
        let m = GoMap::<u64, u64>::deserialize(de).unwrap();
        assert_eq!((m.len(), m[&1], m[&3]), (2, 2, 4));
        assert!(m.header().b <= 14, "hint {hint}: B = {}", m.header().b);
        m.check_invariants();

        // 1 MiB of u64 is 131,072 elements: at most B = 15.
        let de = SeqDeserializer::<_, ValueError>::new(Lying([1u64, 2, 3].into_iter(), hint));
        let s = GoSet::<u64>::deserialize(de).unwrap();
        assert_eq!(s.len(), 3);
        assert!(s.header().b <= 15, "hint {hint}: B = {}", s.header().b);
    }
}
