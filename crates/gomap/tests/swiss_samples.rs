//! The proof that `SwissMap` is Go 1.27.3's map: every recording in
//! `tests/data/swiss/` (what a real Go 1.27.3 runtime recorded, format in
//! SWISS-PROTOCOL.md) is replayed with the recorded hashes and seeds, and
//! after every op the header, the `get` result and the key's table must be
//! the recorded ones; every `hdr`/`dump` must match field for field, down to
//! each group's control bytes, keys and values.
//!
//! Hashes come from a `(seed, key) → hash` table built from the op records
//! (every live key was inserted under the current seed, so it covers grow
//! rehashes too); seeds from a `SeedSource` that returns each recorded new
//! seed in turn.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use gomap::{SeedSource, SwissMap, SwissWithHasher};
use serde_json::Value;

/// The bytes a hasher was fed: the map's seed (`write_u64`) then the key.
#[derive(Default)]
struct Capture(Vec<u8>);

impl Hasher for Capture {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        unreachable!("Capture only records")
    }
}

fn capture<K: Hash>(seed: u64, key: &K) -> Vec<u8> {
    let mut c = Capture::default();
    c.write_u64(seed);
    key.hash(&mut c);
    c.0
}

/// Looks up the recorded hash of whatever (seed, key) it was fed.
struct Lookup {
    table: Arc<HashMap<Vec<u8>, u64>>,
    fed: Vec<u8>,
}

impl Hasher for Lookup {
    fn write(&mut self, bytes: &[u8]) {
        self.fed.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        *self
            .table
            .get(&self.fed)
            .unwrap_or_else(|| panic!("no recorded hash for hasher input {:?}", self.fed))
    }
}

#[derive(Clone)]
struct Recorded(Arc<HashMap<Vec<u8>, u64>>);

impl BuildHasher for Recorded {
    type Hasher = Lookup;
    fn build_hasher(&self) -> Lookup {
        Lookup {
            table: self.0.clone(),
            fed: Vec::new(),
        }
    }
}

/// The recorded seeds, in the order the map draws them.
struct Seeds(std::vec::IntoIter<u64>);

impl SeedSource for Seeds {
    fn next_seed(&mut self) -> u32 {
        unreachable!("the Swiss map draws 64-bit seeds")
    }
    fn next_seed_u64(&mut self) -> u64 {
        self.0.next().expect("the map drew more seeds than Go did")
    }
}

/// A recorded key type.
trait Key: Hash + Eq + Clone + std::fmt::Debug {
    fn parse(v: &Value) -> Self;
    fn json(&self) -> Value;
}

impl Key for u64 {
    fn parse(v: &Value) -> u64 {
        v.as_u64().expect("u64 key")
    }
    fn json(&self) -> Value {
        Value::from(*self)
    }
}

impl Key for String {
    fn parse(v: &Value) -> String {
        v.as_str().expect("str key").to_owned()
    }
    fn json(&self) -> Value {
        Value::from(self.as_str())
    }
}

fn u(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("field {field} missing in {v}"))
}

/// Compares one field, failing with the record's index and the field name.
fn same(ctx: &str, field: &str, ours: Value, go: &Value) {
    assert_eq!(
        &ours, go,
        "{ctx}: field `{field}` differs (ours {ours}, Go {go})"
    );
}

fn check_header<K>(ctx: &str, m: &SwissMap<K, u64, Recorded>, rec: &Value) {
    let h = m.header();
    same(ctx, "used", h.used.into(), &rec["used"]);
    same(ctx, "seed_after", h.seed.into(), &rec["seed_after"]);
    same(ctx, "alloc", h.alloc.into(), &rec["alloc"]);
    same(ctx, "dirLen", h.dir_len.into(), &rec["dirLen"]);
    same(
        ctx,
        "globalDepth",
        h.global_depth.into(),
        &rec["globalDepth"],
    );
    same(
        ctx,
        "globalShift",
        h.global_shift.into(),
        &rec["globalShift"],
    );
    if !rec["tombstonePossible"].is_null() {
        same(
            ctx,
            "tombstonePossible",
            h.tombstone_possible.into(),
            &rec["tombstonePossible"],
        );
    }
    same(ctx, "clearSeq", h.clear_seq.into(), &rec["clearSeq"]);
    same(ctx, "ntables", h.ntables.into(), &rec["ntables"]);
}

fn check_layout<K: Key>(ctx: &str, m: &SwissMap<K, u64, Recorded>, rec: &Value, groups: bool) {
    check_header(ctx, m, rec);
    let l = m.layout();
    same(ctx, "tombstones", l.tombstones.into(), &rec["tombstones"]);
    // A map without a directory records none.
    let go_dir = if rec["dir"].is_null() {
        Value::from(Vec::<u64>::new())
    } else {
        rec["dir"].clone()
    };
    same(ctx, "dir", Value::from(l.dir.clone()), &go_dir);
    let tables = rec["tables"].as_array().map_or(&[][..], |v| v.as_slice());
    assert_eq!(l.tables.len(), tables.len(), "{ctx}: number of tables");
    let group_json = |ctrl: &[u8; 8], slots: &[Option<(&K, &u64)>; 8]| {
        let keys: Vec<Value> = slots
            .iter()
            .map(|s| s.map_or(Value::Null, |(k, _)| k.json()))
            .collect();
        let vals: Vec<Value> = slots
            .iter()
            .map(|s| s.map_or(Value::Null, |(_, v)| (*v).into()))
            .collect();
        (
            Value::from(ctrl.to_vec()),
            Value::from(keys),
            Value::from(vals),
        )
    };
    for (t, rt) in l.tables.iter().zip(tables) {
        let tctx = format!("{ctx}, table {}", t.id);
        same(&tctx, "id", t.id.into(), &rt["id"]);
        same(&tctx, "used", t.used.into(), &rt["used"]);
        same(&tctx, "capacity", t.capacity.into(), &rt["capacity"]);
        same(&tctx, "growthLeft", t.growth_left.into(), &rt["growthLeft"]);
        same(&tctx, "localDepth", t.local_depth.into(), &rt["localDepth"]);
        same(&tctx, "index", t.index.into(), &rt["index"]);
        same(
            &tctx,
            "lengthMask",
            t.length_mask().into(),
            &rt["lengthMask"],
        );
        if groups {
            let rgroups = rt["groups"].as_array().expect("groups");
            assert_eq!(t.groups.len(), rgroups.len(), "{tctx}: number of groups");
            for (g, (ours, go)) in t.groups.iter().zip(rgroups).enumerate() {
                let gctx = format!("{tctx}, group {g}");
                let (c, k, v) = group_json(&ours.ctrl, &ours.slots);
                same(&gctx, "ctrl", c, &go["ctrl"]);
                same(&gctx, "keys", k, &go["keys"]);
                same(&gctx, "vals", v, &go["vals"]);
            }
        }
    }
    if groups {
        match (&l.small, rec.get("small")) {
            (None, None) => {}
            (Some(g), Some(go)) => {
                let (c, k, v) = group_json(&g.ctrl, &g.slots);
                same(ctx, "small.ctrl", c, &go["ctrl"]);
                same(ctx, "small.keys", k, &go["keys"]);
                same(ctx, "small.vals", v, &go["vals"]);
            }
            (ours, go) => panic!(
                "{ctx}: small group present: ours {}, Go {}",
                ours.is_some(),
                go.is_some()
            ),
        }
    }
}

/// Counts of what a replay compared, so a test can say it did work.
#[derive(Default, Debug)]
struct Compared {
    ops: usize,
    gets: usize,
    tabs: usize,
    dumps: usize,
    groups: usize,
}

/// Replays the records from one `make` to the next on a fresh map.
fn replay_map<K: Key>(
    name: &str, recs: &[Value], hashes: &Arc<HashMap<Vec<u8>, u64>>, n: &mut Compared,
) {
    let make = &recs[0];
    let seeds: Vec<u64> = recs
        .iter()
        .filter(|r| r["t"] == "op" && r["seed_after"] != r["seed"])
        .map(|r| u(r, "seed_after"))
        .collect();
    let hint = u(make, "hint") as usize;
    let mut m: SwissMap<K, u64, Recorded> = SwissMap::with_capacity_hasher_and_seeds(
        hint,
        Recorded(hashes.clone()),
        Seeds(seeds.into_iter()),
    );
    for rec in recs {
        let ctx = format!(
            "{name}: record i={} ({})",
            rec["i"],
            rec["op"]
                .as_str()
                .unwrap_or(rec["t"].as_str().unwrap_or(""))
        );
        match rec["t"].as_str().expect("t") {
            "op" => {
                let key = || K::parse(&rec["key"]);
                match rec["op"].as_str().expect("op") {
                    "make" => {}
                    "put" => {
                        m.insert(key(), u(rec, "val"));
                    }
                    "del" => {
                        m.remove(&key());
                    }
                    "get" => {
                        let got = m.get(&key()).copied();
                        same(&ctx, "ok", got.is_some().into(), &rec["ok"]);
                        same(&ctx, "val", got.unwrap_or(0).into(), &rec["val"]);
                        n.gets += 1;
                    }
                    "clear" => m.clear(),
                    other => panic!("{ctx}: unknown op {other}"),
                }
                check_header(&ctx, &m, rec);
                if let Some(tab) = rec.get("tab") {
                    let l = m.layout();
                    let d = u(tab, "dir") as usize;
                    let t = &l.tables[l.dir[d]];
                    same(&ctx, "tab.index", t.index.into(), &tab["index"]);
                    same(&ctx, "tab.used", t.used.into(), &tab["used"]);
                    same(&ctx, "tab.capacity", t.capacity.into(), &tab["capacity"]);
                    same(
                        &ctx,
                        "tab.growthLeft",
                        t.growth_left.into(),
                        &tab["growthLeft"],
                    );
                    same(
                        &ctx,
                        "tab.localDepth",
                        t.local_depth.into(),
                        &tab["localDepth"],
                    );
                    // The record names the directory entry the key's hash selects.
                    let h = u(rec, "hash");
                    let want = if l.header.global_depth == 0 {
                        0
                    } else {
                        (h >> l.header.global_shift) as usize
                    };
                    same(&ctx, "tab.dir", want.into(), &tab["dir"]);
                    n.tabs += 1;
                }
                m.check_invariants();
                n.ops += 1;
            }
            "dump" => {
                check_layout(&ctx, &m, rec, true);
                n.dumps += 1;
                n.groups += m
                    .layout()
                    .tables
                    .iter()
                    .map(|t| t.groups.len())
                    .sum::<usize>();
            }
            "hdr" => {
                check_layout(&ctx, &m, rec, false);
                n.dumps += 1;
            }
            "iter" => {
                // The order depends on two random offsets; the keys must be the live ones.
                let mut ours: Vec<Value> = m.keys().map(Key::json).collect();
                let mut go = rec["keys"].as_array().expect("keys").clone();
                ours.sort_by_key(|v| v.to_string());
                go.sort_by_key(|v| v.to_string());
                assert_eq!(ours, go, "{ctx}: iter keys");
            }
            other => panic!("{ctx}: unknown record type {other}"),
        }
    }
}

fn replay(name: &str) -> Compared {
    let path = format!(
        "{}/tests/data/swiss/{name}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let recs: Vec<Value> = text
        .lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1)))
        .collect();
    assert_eq!(recs[0]["t"], "env", "{name}: first record");
    assert_eq!(recs[0]["go"], "go1.27.3");
    // The (seed, key) → hash table, from every op record with a key, each
    // key read as the type of the map its `make` made.
    let mut table = HashMap::new();
    let mut kt = String::new();
    for r in recs.iter().filter(|r| r["t"] == "op") {
        if r["op"] == "make" {
            kt = r["kt"].as_str().expect("kt").to_owned();
        }
        if r["key"].is_null() {
            continue;
        }
        let seed = u(r, "seed");
        let bytes = match kt.as_str() {
            "u64" => capture(seed, &u64::parse(&r["key"])),
            _ => capture(seed, &String::parse(&r["key"])),
        };
        let h = u(r, "hash");
        if let Some(old) = table.insert(bytes, h) {
            assert_eq!(old, h, "{name}: two hashes recorded for one (seed, key)");
        }
    }
    let hashes = Arc::new(table);
    let mut n = Compared::default();
    let starts: Vec<usize> = (0..recs.len())
        .filter(|&i| recs[i]["op"] == "make")
        .collect();
    for (j, &s) in starts.iter().enumerate() {
        let end = starts.get(j + 1).copied().unwrap_or(recs.len());
        match recs[s]["kt"].as_str().expect("kt") {
            "u64" => replay_map::<u64>(name, &recs[s..end], &hashes, &mut n),
            "str" => replay_map::<String>(name, &recs[s..end], &hashes, &mut n),
            other => panic!("{name}: key type {other}"),
        }
    }
    n
}

macro_rules! sample {
    ($($test:ident => $name:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            let n = replay($name);
            assert!(n.ops > 0 && n.dumps > 0, "{}: nothing compared: {n:?}", $name);
        }
    )*};
}

sample! {
    s1_small => "s1_small",
    s2_growth => "s2_growth",
    s3_prune => "s3_prune",
    s5_strings => "s5_strings",
    s6_reroll_clear => "s6_reroll_clear",
    s7_hints => "s7_hints",
    s8_strlen => "s8_strlen",
    s9_tombstones => "s9_tombstones",
}

/// Every sample file in the folder has a test above.
#[test]
fn every_sample_is_replayed() {
    let dir = format!("{}/tests/data/swiss", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("data dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "s1_small",
            "s2_growth",
            "s3_prune",
            "s5_strings",
            "s6_reroll_clear",
            "s7_hints",
            "s8_strlen",
            "s9_tombstones"
        ]
        .map(|n| format!("{n}.jsonl"))
    );
}

// ---------------------------------------------------------------------------
// Splits and directory doubling (not in the samples): synthetic, with the
// checks after every op while small and periodically later.
// ---------------------------------------------------------------------------

use gomap::events::{Event, Recorder};
use gomap::SwissNew;

/// Growth of one map to 10,000 keys: the rehash points of SWISS-FACTS.md
/// (keys 9, 15, 29, 57, 113, 225, 449), the first split at key 897 with a
/// directory doubling 1 → 2, later splits with and without doubling, and
/// every structural invariant along the way.
#[test]
fn growth_through_splits_and_doublings() {
    let n: u64 = if cfg!(miri) { 1000 } else { 10_000 };
    let log = Recorder::new();
    let mut m: SwissMap<u64, u64> = SwissMap::with_capacity_and_observer(0, log.clone());
    assert!(matches!(
        log.take()[..],
        [Event::SwissMake {
            hint: 0,
            dir_len: 0,
            ..
        }]
    ));
    let mut grows = Vec::new();
    let (mut splits, mut doublings, mut splits_without_doubling) = (0, 0, 0);
    for i in 1..=n {
        let before = m.header();
        m.insert(i, i);
        if i <= 2000 || i % 97 == 0 {
            m.check_invariants();
        }
        let events = log.take();
        let doubled = events
            .iter()
            .any(|e| matches!(e, Event::SwissDirectoryDouble { .. }));
        // One insert can double the directory more than once: a split that
        // sends every entry to one side leaves the insert's table full, and
        // the retry splits it again (about 1 map in 300 with foldhash's fast
        // hash and these sequential keys: `cargo run --release -p gomap
        // --example split_balance`). Each doubling starts from the last.
        let mut depth_now = before.global_depth;
        for e in &events {
            match *e {
                Event::SwissGrow {
                    old_capacity,
                    new_capacity,
                    used,
                    ..
                } => {
                    assert_eq!(new_capacity, 2 * old_capacity);
                    grows.push((i, old_capacity, new_capacity, used));
                }
                Event::SwissSplit {
                    left_used,
                    right_used,
                    local_depth,
                    ..
                } => {
                    splits += 1;
                    assert_eq!(
                        left_used + right_used,
                        896,
                        "a split moves a full 1024 table"
                    );
                    if !doubled {
                        splits_without_doubling += 1;
                        assert!(local_depth < before.global_depth);
                    }
                    if splits == 1 {
                        assert_eq!(i, 897, "the first split is at key 897");
                        assert_eq!(local_depth, 0);
                    }
                }
                Event::SwissDirectoryDouble {
                    old_global_depth,
                    global_depth,
                    dir_len,
                } => {
                    doublings += 1;
                    assert_eq!(global_depth, old_global_depth + 1);
                    assert_eq!(dir_len, 1 << global_depth);
                    assert_eq!(old_global_depth, depth_now);
                    depth_now = global_depth;
                }
                Event::SwissPrune { .. } | Event::SwissReseed { .. } | Event::SwissClear { .. } => {
                    panic!("insert-only growth did {e:?}")
                }
                _ => {}
            }
        }
        let h = m.header();
        assert_eq!(h.used as u64, i);
        if h.dir_len > 0 {
            assert_eq!(h.dir_len, 1 << h.global_depth);
            assert_eq!(h.global_shift, 64 - h.global_depth);
        }
    }
    let first: Vec<_> = grows
        .iter()
        .take(7)
        .map(|&(i, old, new, _)| (i, old, new))
        .collect();
    assert_eq!(
        first,
        [
            (9, 8, 16),
            (15, 16, 32),
            (29, 32, 64),
            (57, 64, 128),
            (113, 128, 256),
            (225, 256, 512),
            (449, 512, 1024)
        ]
    );
    assert_eq!(
        grows.len(),
        7,
        "tables beyond the first split are born at 1024: {grows:?}"
    );
    assert!(
        splits >= 2 && doublings >= 1,
        "splits {splits}, doublings {doublings}"
    );
    if !cfg!(miri) {
        assert!(
            splits_without_doubling >= 1,
            "no split without doubling in {splits} splits"
        );
    }
    let l = m.layout();
    assert!(l.tables.iter().all(|t| t.capacity == 1024));
    assert_eq!(l.tables.len(), l.header.ntables);
    assert_eq!(l.tables.len(), splits + 1);
    // Every table's directory entries are contiguous and aligned.
    for t in &l.tables {
        let span = 1usize << (l.header.global_depth - t.local_depth);
        assert_eq!(t.index % span, 0);
        assert!(l.dir[t.index..t.index + span].iter().all(|&id| id == t.id));
    }
    m.check_invariants();
    for i in 1..=n {
        assert_eq!(m.get(&i), Some(&i));
    }
}

/// Hashes whose bit 62 is always 0 (a mix of the key otherwise): the
/// first split (on bit 63) is even, the next ones (on bit 62) send every
/// entry left. The map's seed, written first, is ignored.
#[derive(Default, Clone)]
struct Bit62Clear;

struct Bit62Hasher(u64);

impl Hasher for Bit62Hasher {
    fn write(&mut self, _: &[u8]) {
        unreachable!("u64 keys and seeds only")
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
    fn finish(&self) -> u64 {
        let mut z = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) & !(1 << 62)
    }
}

impl BuildHasher for Bit62Clear {
    type Hasher = Bit62Hasher;
    fn build_hasher(&self) -> Bit62Hasher {
        Bit62Hasher(0)
    }
}

/// Regression (stop 25's CI, `growth_through_splits_and_doublings` with a
/// random seed): a split that moves all 896 entries to one side leaves the
/// insert's table full, so the same insert splits again and the directory
/// doubles twice, 1 → 2 → 3. The test had assumed one doubling per insert.
#[test]
fn regression_one_sided_split_doubles_the_directory_twice_in_one_insert() {
    let log = Recorder::new();
    let mut m: SwissMap<u64, u64, Bit62Clear> =
        SwissWithHasher::with_capacity_and_hasher(0, Bit62Clear);
    m.set_observer(log.clone());
    let mut twice = None;
    for i in 1..=3000u64 {
        m.insert(i, i);
        let events = log.take();
        // One pass: the directory doublings and the splits, in order.
        let (mut doublings, mut splits) = (Vec::new(), Vec::new());
        for e in &events {
            match *e {
                Event::SwissDirectoryDouble {
                    old_global_depth,
                    global_depth,
                    ..
                } => doublings.push((old_global_depth, global_depth)),
                Event::SwissSplit {
                    left_used,
                    right_used,
                    ..
                } => splits.push((left_used, right_used)),
                _ => {}
            }
        }
        if doublings.len() > 1 {
            assert_eq!(doublings, [(1, 2), (2, 3)], "insert {i}: {events:?}");
            assert_eq!(splits.len(), 2, "insert {i}: {events:?}");
            assert_eq!(splits[0], (896, 0), "the first split is one-sided");
            assert_eq!(splits[1].0 + splits[1].1, 896);
            twice = Some(i);
            m.check_invariants();
        }
    }
    assert!(twice.is_some(), "no insert doubled twice");
    m.check_invariants();
    assert_eq!(m.len(), 3000);
    for i in 1..=3000u64 {
        assert_eq!(m.get(&i), Some(&i));
    }
}

/// SWISS-FACTS.md's hint table, and filling to the hint.
#[test]
fn make_hint_table() {
    // (hint, tables, capacity, globalDepth); 0 tables = unallocated small map.
    let table: &[(usize, usize, usize, u8)] = &[
        (0, 0, 0, 0),
        (1, 0, 0, 0),
        (8, 0, 0, 0),
        (9, 1, 16, 0),
        (14, 1, 16, 0),
        (100, 1, 128, 0),
        (896, 1, 1024, 0),
        (897, 2, 512, 1),
        (1000, 2, 1024, 1),
        (1024, 2, 1024, 1),
        (10_000, 16, 1024, 4),
        (100_000, 128, 1024, 7),
    ];
    for &(hint, tables, capacity, depth) in table {
        let m: SwissMap<u64, u64> = SwissMap::with_capacity(hint);
        m.check_invariants();
        let l = m.layout();
        assert_eq!(l.header.alloc, tables > 0, "hint {hint}: alloc");
        assert_eq!(l.tables.len(), tables, "hint {hint}: tables");
        assert_eq!(l.header.global_depth, depth, "hint {hint}: globalDepth");
        assert_eq!(
            l.dir,
            (0..tables).collect::<Vec<_>>(),
            "hint {hint}: directory"
        );
        for t in &l.tables {
            assert_eq!(
                (t.capacity, t.growth_left, t.local_depth),
                (capacity, capacity * 7 / 8, depth)
            );
        }
    }
    // Filling to the hint never grows for these...
    for hint in [8usize, 9, 896, 1024, 10_000] {
        let log = Recorder::new();
        let mut m: SwissMap<u64, u64> = SwissMap::with_capacity_and_observer(hint, log.clone());
        for i in 0..hint as u64 {
            m.insert(i, i);
        }
        let grew = log
            .take()
            .iter()
            .any(|e| matches!(e, Event::SwissGrow { .. } | Event::SwissSplit { .. }));
        assert!(!grew, "hint {hint}: filling to the hint grew");
        m.check_invariants();
    }
    // ...hint 897 grows one 512 table to 1024 (897 keys over 2 × 448), and
    // hint 896 splits at key 897.
    let log = Recorder::new();
    let mut m: SwissMap<u64, u64> = SwissMap::with_capacity_and_observer(897, log.clone());
    for i in 0..897u64 {
        m.insert(i, i);
    }
    let grows: Vec<_> = log
        .take()
        .into_iter()
        .filter(|e| matches!(e, Event::SwissGrow { .. }))
        .collect();
    assert!(
        matches!(
            grows[..],
            [Event::SwissGrow {
                old_capacity: 512,
                new_capacity: 1024,
                ..
            }]
        ),
        "{grows:?}"
    );
    let log = Recorder::new();
    let mut m: SwissMap<u64, u64> = SwissMap::with_capacity_and_observer(896, log.clone());
    for i in 0..897u64 {
        m.insert(i, i);
    }
    assert!(log
        .take()
        .iter()
        .any(|e| matches!(e, Event::SwissSplit { local_depth: 0, .. })));
    assert_eq!(m.header().dir_len, 2);
    // An absurd hint gives the unallocated small map, as Go's maxAlloc test does.
    let m: SwissMap<u64, u64> = SwissMap::with_capacity(usize::MAX / 2);
    assert!(!m.header().alloc);
}

/// Delete-heavy churn in one table: tombstones appear, some inserts prune
/// them instead of growing, and the bookkeeping holds after every op.
#[test]
fn tombstones_and_pruning() {
    let log = Recorder::new();
    let mut m: SwissMap<u64, u64> = SwissMap::with_capacity_and_observer(0, log.clone());
    let mut x = 1u64;
    let mut live: Vec<u64> = Vec::new();
    let (mut prunes, mut pruned) = (0, 0);
    let ops = if cfg!(miri) { 500 } else { 40_000 };
    for _ in 0..ops {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        if live.len() < 100 || (x >> 40) % 2 == 0 && live.len() < 110 {
            let k = x >> 8;
            m.insert(k, k);
            live.push(k);
        } else {
            let k = live.swap_remove(((x >> 20) as usize) % live.len());
            assert_eq!(m.remove(&k), Some(k));
        }
        m.check_invariants();
        for e in log.take() {
            if let Event::SwissPrune {
                pruned: p,
                tombstones,
                capacity,
                ..
            } = e
            {
                assert!(tombstones * 10 >= capacity);
                prunes += 1;
                pruned += p;
            }
        }
    }
    let s = m.stats();
    assert_eq!(s.tombstones, m.layout().tombstones);
    assert!(m.header().tombstone_possible);
    assert!(
        prunes > 0 && pruned > 0,
        "no prune freed anything ({prunes} attempts)"
    );
    // The table never grew past what 110 live keys need.
    assert!(s.tables.iter().all(|t| t.capacity <= 256), "{:?}", s.tables);
}
