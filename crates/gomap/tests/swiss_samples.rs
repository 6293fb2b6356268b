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
    name: &str,
    recs: &[Value],
    hashes: &Arc<HashMap<Vec<u8>, u64>>,
    n: &mut Compared,
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
