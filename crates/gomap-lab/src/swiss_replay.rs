//! Replaying a Swiss stream (`SWISS-PROTOCOL.md`) on [`gomap::SwissMap`].
//!
//! Every map of the stream is a `SwissMap<u64, u64, GoHashBuilder>` or a
//! `SwissMap<String, u64, GoHashBuilder>`, hashing with Go 1.27.3's fallback
//! hash under the env record's `hashkey`: the replay computes every hash
//! itself rather than looking recorded ones up, so a recording is also a
//! set of test vectors. Each op record's `hash` is recomputed from its own
//! `seed` and key; one that differs is a [`HashMismatch`] naming the record,
//! and our stream carries the hash under our seed, which the comparator
//! checks too.
//!
//! Seeds are the one thing taken from the recording: Go draws them at
//! random, so a [`SeedSource`] hands the map each recorded new seed (the
//! `seed_after` of every op record whose `seed_after` differs from its
//! `seed`) in the order Go drew them ("Replaying", step 2). A map that draws
//! more seeds than Go did gets [`EXTRA_SEED`], and the seed difference shows
//! in the comparison.
//!
//! The replay writes its own records in the recording's format, one per
//! recorded record with the same `i`: op records with the header after the
//! op and the key's `tab`, hdr and dump records from `SwissMap::layout`,
//! iter records in our range order. [`crate::swiss_compare`] pairs them.
//!
//! Go: internal/runtime/maps (the map), SWISS-PROTOCOL.md (the records).

#![forbid(unsafe_code)]

use std::hash::Hash;

use gomap::gohash::{hash_str, hash_u64, GoHashBuilder};
use gomap::swiss_layout::{SwissGroupView, SwissHeader as MapHeader};
use gomap::{SeedSource, SwissMap, SwissWithHasher};
use serde::Serialize;
use serde_json::Value;

use crate::input::{Input, InputError};
use crate::protocol::{Key, KeyType, OpKind};
use crate::swiss_protocol::{
    read_stream, EnvRecord, Group, IterRecord, Numbered, SwissError, SwissHeader,
    SwissLayoutRecord, SwissOpRecord, SwissRecord, SwissStream, TabFields, Table,
};

/// What our `env` record names as its toolchain.
pub const OUR_TOOLCHAIN: &str = "gomap";

/// The seed a map gets when it draws more seeds than the recording holds; a
/// replay that gets it has already diverged, which the comparison reports.
pub const EXTRA_SEED: u64 = 0;

/// Reads and checks a whole Swiss stream from `input` (plain or gzip); a
/// problem is bad input naming the line.
pub fn read_swiss(input: &Input) -> Result<SwissStream, InputError> {
    read_stream(input.reader()?).map_err(|e| InputError::Malformed {
        name: input.name().to_owned(),
        line: e.line,
        message: e.message,
    })
}

/// Whether `input`'s first record is `"t":"env"` (a Swiss stream).
pub fn is_swiss_input(input: &Input) -> Result<bool, InputError> {
    Ok(crate::swiss_protocol::is_swiss_stream(&input.first_line()?))
}

/// A recorded `hash` that is not what Go's fallback hash gives for the
/// record's key under the record's `seed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashMismatch {
    /// The record's `i`.
    pub i: u64,
    /// Its line in the recording.
    pub line: usize,
    /// Its op.
    pub op: OpKind,
    /// The key.
    pub key: Key,
    /// The seed the record names.
    pub seed: u64,
    /// The recorded hash.
    pub recorded: u64,
    /// What we compute.
    pub recomputed: u64,
}

impl std::fmt::Display for HashMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "i={} {} (line {}): hash: recorded {}, recomputed {} (key {}, seed {})",
            self.i, self.op, self.line, self.recorded, self.recomputed, self.key, self.seed
        )
    }
}

/// What a replay produced: our stream (env first) and the recorded hashes
/// that our recomputation contradicts.
#[derive(Debug, Clone)]
pub struct SwissReplay {
    /// Our env record (the recording's hash key and layout, our toolchain).
    pub env: EnvRecord,
    /// Our records, one per recorded record, with the same `i`s.
    pub records: Vec<SwissRecord>,
    /// Recorded hashes that differ from the recomputation, in stream order.
    pub hash_mismatches: Vec<HashMismatch>,
}

impl SwissReplay {
    /// Our stream as JSON lines (env first), each `t` first.
    pub fn json_lines(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(json_line("env", &self.env)).chain(self.records.iter().map(record_line))
    }
}

/// One record as a line of the stream.
pub fn record_line(record: &SwissRecord) -> String {
    match record {
        SwissRecord::Env(r) => json_line("env", r),
        SwissRecord::Op(r) => json_line("op", r),
        SwissRecord::Dump(r) => json_line("dump", r),
        SwissRecord::Hdr(r) => json_line("hdr", r),
        SwissRecord::Iter(r) => json_line("iter", r),
    }
}

fn json_line(t: &str, record: &impl Serialize) -> String {
    let fields = serde_json::to_string(record).expect("records serialize");
    // Every record serializes as a non-empty object; `t` goes in front.
    let rest = fields
        .strip_prefix('{')
        .expect("a record serializes as an object");
    format!(
        "{{\"t\":{}{}{rest}",
        Value::from(t),
        if rest == "}" { "" } else { "," }
    )
}

/// A key type the replay drives: how it is hashed and how it is written.
trait ReplayKey: Hash + Eq + Clone + Send + Sync + 'static {
    /// The recorded key as this type (None: the wrong key type).
    fn from_key(key: &Key) -> Option<Self>;
    /// The key as records write it.
    fn to_key(&self) -> Key;
    /// Go's fallback hash of the key. Go: maps' typ.Hasher without AES.
    fn go_hash(&self, seed: u64, hashkey: &[u64; 4]) -> u64;
}

impl ReplayKey for u64 {
    fn from_key(key: &Key) -> Option<u64> {
        match key {
            Key::U64(k) => Some(*k),
            Key::Str(_) => None,
        }
    }
    fn to_key(&self) -> Key {
        Key::U64(*self)
    }
    fn go_hash(&self, seed: u64, hashkey: &[u64; 4]) -> u64 {
        hash_u64(*self, seed, hashkey)
    }
}

impl ReplayKey for String {
    fn from_key(key: &Key) -> Option<String> {
        match key {
            Key::Str(k) => Some(k.clone()),
            Key::U64(_) => None,
        }
    }
    fn to_key(&self) -> Key {
        Key::Str(self.clone())
    }
    fn go_hash(&self, seed: u64, hashkey: &[u64; 4]) -> u64 {
        hash_str(self.as_bytes(), seed, hashkey)
    }
}

/// Go's fallback hash of a recorded key.
fn go_hash(key: &Key, seed: u64, hashkey: &[u64; 4]) -> u64 {
    match key {
        Key::U64(k) => k.go_hash(seed, hashkey),
        Key::Str(k) => hash_str(k.as_bytes(), seed, hashkey),
    }
}

/// The recorded seeds of one map, in the order Go drew them.
struct RecordedSeeds(std::vec::IntoIter<u64>);

impl SeedSource for RecordedSeeds {
    fn next_seed(&mut self) -> u32 {
        // The Swiss map draws only 64-bit seeds; half of one serves if asked.
        self.next_seed_u64() as u32
    }
    fn next_seed_u64(&mut self) -> u64 {
        self.0.next().unwrap_or(EXTRA_SEED)
    }
}

/// Replays a checked stream; our records pair with the recording's by `i`.
/// An error (a record a hand-built stream could hold but [`read_stream`]
/// refuses) names the line.
pub fn replay(stream: &SwissStream) -> Result<SwissReplay, SwissError> {
    let hashkey = stream.env.hashkey;
    let mut out = SwissReplay {
        env: EnvRecord {
            go: OUR_TOOLCHAIN.to_owned(),
            goarch: std::env::consts::ARCH.to_owned(),
            mapcheck: 0,
            hashcheck: 0,
            ..stream.env.clone()
        },
        records: Vec::with_capacity(stream.records.len()),
        hash_mismatches: Vec::new(),
    };
    // The recorded hashes first: each from its own record alone.
    for n in &stream.records {
        if let SwissRecord::Op(op) = &n.record {
            if let (Some(key), Some(recorded)) = (&op.key, op.hash) {
                let recomputed = go_hash(key, op.seed, &hashkey);
                if recomputed == recorded {
                    out.env.hashcheck += 1;
                } else {
                    out.hash_mismatches.push(HashMismatch {
                        i: op.i,
                        line: n.line,
                        op: op.op,
                        key: key.clone(),
                        seed: op.seed,
                        recorded,
                        recomputed,
                    });
                }
            }
        }
    }
    // Then each map, from its `make` to the next.
    let starts: Vec<usize> = (0..stream.records.len())
        .filter(
            |&k| matches!(&stream.records[k].record, SwissRecord::Op(op) if op.op == OpKind::Make),
        )
        .collect();
    if let Some(first) = stream.records.first() {
        if starts.first() != Some(&0) {
            return Err(SwissError {
                line: first.line,
                message: "a record before the first make".to_owned(),
            });
        }
    }
    for (j, &s) in starts.iter().enumerate() {
        let end = starts.get(j + 1).copied().unwrap_or(stream.records.len());
        let records = &stream.records[s..end];
        let SwissRecord::Op(make) = &records[0].record else {
            unreachable!("starts are make records")
        };
        match make.kt {
            Some(KeyType::U64) => replay_map::<u64>(records, hashkey, &mut out.records)?,
            Some(KeyType::Str) => replay_map::<String>(records, hashkey, &mut out.records)?,
            None => {
                return Err(SwissError {
                    line: records[0].line,
                    message: "make record has no `kt`".to_owned(),
                })
            }
        }
    }
    Ok(out)
}

/// Replays one map: `records` from its `make` to the record before the next.
fn replay_map<K: ReplayKey>(
    records: &[Numbered],
    hashkey: [u64; 4],
    out: &mut Vec<SwissRecord>,
) -> Result<(), SwissError> {
    let SwissRecord::Op(make) = &records[0].record else {
        unreachable!("a map's records start with its make")
    };
    let seeds: Vec<u64> = records
        .iter()
        .filter_map(|n| match &n.record {
            SwissRecord::Op(op) if op.header.seed_after != op.seed => Some(op.header.seed_after),
            _ => None,
        })
        .collect();
    let hint = make.hint.unwrap_or(0);
    let hint = usize::try_from(hint).map_err(|_| SwissError {
        line: records[0].line,
        message: format!("absurd size: make hint {hint} does not fit this machine's usize"),
    })?;
    let mut m: SwissMap<K, u64, GoHashBuilder> = SwissMap::with_capacity_hasher_and_seeds(
        hint,
        GoHashBuilder { hashkey },
        RecordedSeeds(seeds.into_iter()),
    );
    let kt = make.kt.unwrap_or(KeyType::U64);
    for n in records {
        let err = |message: String| SwissError {
            line: n.line,
            message,
        };
        let ours = match &n.record {
            SwissRecord::Op(op) => {
                let key = match &op.key {
                    None => None,
                    Some(k) => Some(K::from_key(k).ok_or_else(|| {
                        err(format!("{} record: key {k} is not a {kt} key", op.op))
                    })?),
                };
                let need_key = || {
                    key.clone()
                        .ok_or_else(|| err(format!("{} record has no `key`", op.op)))
                };
                let seed = m.header().seed;
                let (mut val, mut ok) = (None, None);
                match op.op {
                    OpKind::Make => {}
                    OpKind::Put => {
                        let v = op
                            .val
                            .ok_or_else(|| err("put record has no `val`".to_owned()))?;
                        m.insert(need_key()?, v);
                        val = Some(v);
                    }
                    OpKind::Del => {
                        m.remove(&need_key()?);
                    }
                    OpKind::Get => {
                        let got = m.get(&need_key()?).copied();
                        ok = Some(got.is_some());
                        val = Some(got.unwrap_or(0));
                    }
                    OpKind::Clear => m.clear(),
                }
                let hash = key.as_ref().map(|k| k.go_hash(seed, &hashkey));
                let header = header_fields(&m.header());
                let tab = match hash {
                    Some(h) if header.dir_len > 0 => Some(tab_of(&m, h)),
                    _ => None,
                };
                SwissRecord::Op(SwissOpRecord {
                    i: op.i,
                    line: op.line,
                    op: op.op,
                    kt: op.kt,
                    hint: op.hint,
                    key: key.as_ref().map(ReplayKey::to_key),
                    val,
                    ok,
                    hash,
                    seed: if op.op == OpKind::Make { 0 } else { seed },
                    header,
                    tab,
                })
            }
            SwissRecord::Dump(r) => SwissRecord::Dump(layout_record(&m, r, kt, true)),
            SwissRecord::Hdr(r) => SwissRecord::Hdr(layout_record(&m, r, kt, false)),
            SwissRecord::Iter(r) => SwissRecord::Iter(IterRecord {
                i: r.i,
                line: r.line,
                keys: m.keys().map(ReplayKey::to_key).collect(),
            }),
            SwissRecord::Env(_) => return Err(err("a second env record".to_owned())),
        };
        out.push(ours);
    }
    Ok(())
}

/// The map's header as records write it.
fn header_fields(h: &MapHeader) -> SwissHeader {
    SwissHeader {
        used: h.used as u64,
        seed_after: h.seed,
        alloc: h.alloc,
        dir_len: h.dir_len as u64,
        global_depth: u64::from(h.global_depth),
        global_shift: u64::from(h.global_shift),
        tombstone_possible: Some(h.tombstone_possible),
        clear_seq: h.clear_seq,
        ntables: h.ntables as u64,
    }
}

/// The table `hash` selects, after the op: directory index `hash >>
/// globalShift` (0 while the directory has one entry).
/// Go: internal/runtime/maps.Map.directoryIndex
fn tab_of<K>(m: &SwissMap<K, u64, GoHashBuilder>, hash: u64) -> TabFields {
    let l = m.layout();
    let dir = if l.header.global_depth == 0 {
        0
    } else {
        (hash >> l.header.global_shift) as usize
    };
    let t = &l.tables[l.dir[dir]];
    TabFields {
        dir: dir as u64,
        index: t.index as u64,
        used: t.used as u64,
        capacity: t.capacity as u64,
        growth_left: t.growth_left as u64,
        local_depth: u64::from(t.local_depth),
    }
}

fn group_of<K: ReplayKey>(g: &SwissGroupView<'_, K, u64>) -> Group {
    Group {
        ctrl: g.ctrl,
        keys: g.slots.map(|s| s.map(|(k, _)| k.to_key())),
        vals: g.slots.map(|s| s.map(|(_, v)| *v)),
    }
}

/// Our hdr or dump record for the recorded one `r` (its `i` and `line`).
fn layout_record<K: ReplayKey>(
    m: &SwissMap<K, u64, GoHashBuilder>,
    r: &SwissLayoutRecord,
    kt: KeyType,
    dump: bool,
) -> SwissLayoutRecord {
    let l = m.layout();
    let header = header_fields(&l.header);
    let directory = header.dir_len > 0;
    SwissLayoutRecord {
        i: r.i,
        line: r.line,
        kt,
        header,
        tombstones: l.tombstones as u64,
        small: if dump {
            l.small.as_ref().map(group_of)
        } else {
            None
        },
        dir: directory.then(|| l.dir.iter().map(|&d| d as u64).collect()),
        tables: directory.then(|| {
            l.tables
                .iter()
                .map(|t| Table {
                    id: t.id as u64,
                    used: t.used as u64,
                    capacity: t.capacity as u64,
                    growth_left: t.growth_left as u64,
                    local_depth: u64::from(t.local_depth),
                    index: t.index as u64,
                    length_mask: t.length_mask() as u64,
                    groups: dump.then(|| t.groups.iter().map(group_of).collect()),
                })
                .collect()
        }),
    }
}
