//! Replaying a recording on gomap (PROTOCOL.md, "Replaying").
//!
//! A replay reads its input twice. The first pass ([`prepare`]) checks that the
//! records form a stream that can be replayed (every op after a `make`, keys of the
//! map's key type, every keyed op with its hash, seeds of 32 bits) and collects the
//! table of recorded hashes. The second pass ([`Replay`]) performs each op record on a
//! `GoMap` whose hasher answers from that table and whose seed source hands out the
//! seeds Go drew, and answers each record with gomap's own record of the same `i`.
//!
//! Seeds: before each op the driver empties the seed queue and, when the record shows
//! that Go drew a seed during the op (`hash0 != seed`, and always for `make`), pushes
//! that seed. A map that draws where Go drew none gets [`UNRECORDED_SEED`]; one that
//! does not draw where Go did keeps its old seed. Either way its `hash0` then differs
//! from the recording's, which the comparison reports.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::hash::Hash;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use gomap::gohash::{hash_str, hash_str_go119, hash_u64, hash_u64_go119};
use gomap::{GoMap, Layout};

use crate::dump::{dump_record, hdr_record, header_fields, JsonKey};
use crate::hashes::{MissingHash, RecordedHashes, ReplayState};
use crate::input::{Input, InputError, Records};
use crate::protocol::{Key, KeyType, OpKind, OpRecord, Record};

/// The seed handed to a map that draws one where the recording shows no draw.
pub const UNRECORDED_SEED: u32 = 0;

/// How a recording's hashes were checked: recomputed from its hashkey record, or not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashCheck {
    /// Why the hashes were not recomputed (no hashkey record, or a Go release whose
    /// fallback key schedule the lab does not implement); `None` when they were.
    pub skipped: Option<String>,
    /// Hashes recomputed and found equal to the recorded ones.
    pub recomputed: u64,
    /// Each recorded hash that differs from the recomputed one.
    pub mismatches: Vec<HashMismatch>,
}

/// A recorded hash that Go's fallback hash, recomputed, contradicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashMismatch {
    /// The op record's line.
    pub line: usize,
    /// The recorded hash.
    pub recorded: u64,
    /// The hash recomputed from the key, the seed and the hashkey.
    pub recomputed: u64,
}

impl fmt::Display for HashMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: recorded hash {}, recomputed {}",
            self.line, self.recorded, self.recomputed
        )
    }
}

/// The key schedule of a recording's fallback hash, by its Go release: Go 1.19 keys
/// it by `hashkey[0]` and fixed constants, Go 1.23 by all four words (as 1.24+).
/// Go 1.21 and 1.22 are not recomputed: their sources have not been checked.
fn schedule(go: &str, hashkey: [u64; 4]) -> Result<impl Fn(&Key, u32) -> u64, String> {
    let go119 = go == "go1.19" || go.starts_with("go1.19.");
    if !go119 && go != "go1.23.9" {
        return Err(format!(
            "hashes not recomputed: the fallback key schedule of {go} is not implemented \
             (Go 1.19 and 1.23.9 are)"
        ));
    }
    Ok(move |key: &Key, seed: u32| match (go119, key) {
        (true, Key::U64(k)) => hash_u64_go119(*k, seed, hashkey[0]),
        (true, Key::Str(k)) => hash_str_go119(k.as_bytes(), seed, hashkey[0]),
        (false, Key::U64(k)) => hash_u64(*k, u64::from(seed), &hashkey),
        (false, Key::Str(k)) => hash_str(k.as_bytes(), u64::from(seed), &hashkey),
    })
}

/// The first pass: checks that `records` can be replayed and collects their hashes.
pub fn prepare(records: Records) -> Result<RecordedHashes, InputError> {
    prepare_checked(records).map(|(hashes, _)| hashes)
}

/// [`prepare`], recomputing every recorded hash when the stream starts with a
/// hashkey record. The table then holds the recomputed hashes, so a wrong recorded
/// one is reported once here and not again as a replay failure.
pub fn prepare_checked(mut records: Records) -> Result<(RecordedHashes, HashCheck), InputError> {
    let name = records.name().to_owned();
    let malformed = |line: usize, message: String| InputError::Malformed {
        name: name.clone(),
        line,
        message,
    };
    let mut hashes = RecordedHashes::new();
    let mut check = HashCheck::default();
    // The key type of the current map and the line of its `make`.
    let mut current: Option<(KeyType, usize)> = None;
    let first = records.next();
    let hasher = match records.hashkey() {
        None => Err(
            "hashes not recomputed: no hashkey record (recorded with AES hashing, \
                     or before the record existed)"
                .to_owned(),
        ),
        Some(record) => schedule(&record.go, record.hashkey),
    };
    let hasher = hasher.map_err(|why| check.skipped = Some(why)).ok();
    for item in first.into_iter().chain(records) {
        let (line, record) = item?;
        let op = match &record {
            Record::Op(op) => op,
            Record::Dump(_) | Record::Hdr(_) => {
                if current.is_none() {
                    return Err(malformed(
                        line,
                        format!("a {} record before any `make`", record.kind()),
                    ));
                }
                continue;
            }
        };
        let seed = seed32(op.seed).map_err(|e| malformed(line, format!("`seed`: {e}")))?;
        seed32(op.header.hash0).map_err(|e| malformed(line, format!("`hash0`: {e}")))?;
        if op.op == OpKind::Make {
            let kt = op.kt.expect("protocol checks that make records have kt");
            let hint = op
                .hint
                .expect("protocol checks that make records have a hint");
            check_hint(kt, hint).map_err(|message| malformed(line, message))?;
            current = Some((kt, line));
            continue;
        }
        let Some((kt, make_line)) = current else {
            return Err(malformed(line, format!("a `{}` before any `make`", op.op)));
        };
        let Some(key) = &op.key else { continue };
        if key.key_type() != kt {
            return Err(malformed(
                line,
                format!(
                    "key {key} is a {} key, but the map made at line {make_line} has {kt} keys",
                    key.key_type()
                ),
            ));
        }
        let mut hash = op
            .hash
            .ok_or_else(|| malformed(line, format!("`{}` record has no `hash`", op.op)))?;
        if let Some(hasher) = &hasher {
            let recomputed = hasher(key, seed);
            if recomputed == hash {
                check.recomputed += 1;
            } else {
                check.mismatches.push(HashMismatch {
                    line,
                    recorded: hash,
                    recomputed,
                });
                hash = recomputed;
            }
        }
        hashes
            .insert(seed, key, hash)
            .map_err(|message| malformed(line, message))?;
    }
    Ok((hashes, check))
}

/// The largest bucket array a replayed `make` may ask for: 256 MiB. Go's
/// oracle cases stay far below it (hint sweeps reach B = 14, 2.4 MB), and
/// a stream can only grow a map one recorded insert at a time; a hint is
/// the one field with which a few bytes of hostile input could make the
/// lab allocate gigabytes.
pub const MAX_MAKE_ARRAY_BYTES: u64 = 256 << 20;

/// Go's `maxAlloc` on 64-bit Linux: a hint whose buckets would exceed it is
/// ignored by Go (and gomap), giving `B = 0`, so replaying it costs nothing.
const GO_MAX_ALLOC: u128 = 1 << 48;

/// Refuses a `make` hint whose bucket array would exceed
/// [`MAX_MAKE_ARRAY_BYTES`], unless Go itself would ignore it.
fn check_hint(kt: KeyType, hint: u64) -> Result<(), String> {
    // Bytes per bucket of the replayed maps: 8 tophash bytes, 8 keys, 8
    // u64 values and the overflow pointer.
    let bucket: u128 = match kt {
        KeyType::U64 => 144,
        KeyType::Str => 208,
    };
    if u128::from(hint) * bucket > GO_MAX_ALLOC {
        return Ok(());
    }
    // makemap's rule: the smallest B whose 2^B buckets hold `hint` entries
    // at load factor 6.5 (any hint up to 8 fits one bucket).
    let mut b = 0u32;
    while hint > 8 && u128::from(hint) * 2 > 13u128 << b {
        b += 1;
    }
    let bytes = (1u128 << b) * bucket;
    if bytes > u128::from(MAX_MAKE_ARRAY_BYTES) {
        return Err(format!(
            "`make` with hint {hint} asks for B = {b}, a bucket array of {bytes} bytes; the \
             replay allocates at most {} MiB for one `make` (B ≤ {} for {kt} keys)",
            MAX_MAKE_ARRAY_BYTES >> 20,
            (0..64u32)
                .take_while(|&b| (1u128 << b) * bucket <= u128::from(MAX_MAKE_ARRAY_BYTES))
                .last()
                .unwrap_or(0)
        ));
    }
    Ok(())
}

fn seed32(value: u64) -> Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("{value} does not fit in 32 bits"))
}

/// Why a replay stopped: the map panicked, or asked for a hash the recording does
/// not hold (it diverged from Go). Records from here on have no replayed counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayFailure {
    /// The input stream's name.
    pub name: String,
    /// The line of the record being replayed.
    pub line: usize,
    /// The record's `i`.
    pub i: u64,
    /// The op name, `dump` or `hdr`.
    pub what: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ReplayFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line {} (i={} {}): replay failed: {}",
            self.name, self.line, self.i, self.what, self.message
        )
    }
}

impl std::error::Error for ReplayFailure {}

/// One replayed record: the input record and gomap's answer to it (`None` once the
/// replay has failed).
#[derive(Debug)]
pub struct Step {
    /// The input record's line.
    pub line: usize,
    /// The input record.
    pub input: Record,
    /// gomap's record with the same `i`.
    pub output: Option<Record>,
}

/// The second pass over an input: yields a [`Step`] per record.
pub struct Replay {
    records: Records,
    replayer: Replayer,
    failure: Option<ReplayFailure>,
    check: HashCheck,
}

impl Replay {
    /// Runs the first pass over `input` and opens it for the second.
    pub fn start(input: &Input) -> Result<Replay, InputError> {
        let (hashes, check) = prepare_checked(input.records()?)?;
        Ok(Replay {
            records: input.records()?,
            replayer: Replayer::new(hashes),
            failure: None,
            check,
        })
    }

    /// How the first pass checked the recorded hashes.
    pub fn hash_check(&self) -> &HashCheck {
        &self.check
    }

    /// The failure that stopped the replay, if one did.
    pub fn failure(&self) -> Option<&ReplayFailure> {
        self.failure.as_ref()
    }
}

impl Iterator for Replay {
    type Item = Result<Step, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (line, input) = match self.records.next()? {
            Ok(item) => item,
            Err(error) => return Some(Err(error)),
        };
        let output = if self.failure.is_some() {
            None
        } else {
            match self.replayer.replay(&input) {
                Ok(output) => Some(output),
                Err(message) => {
                    self.failure = Some(ReplayFailure {
                        name: self.records.name().to_owned(),
                        line,
                        i: input.i(),
                        what: input.what(),
                        message,
                    });
                    None
                }
            }
        };
        Some(Ok(Step {
            line,
            input,
            output,
        }))
    }
}

/// The map being replayed, by the key type of its `make`.
enum ReplayMap {
    U64(GoMap<u64, u64, ReplayState>),
    Str(GoMap<Box<str>, u64, ReplayState>),
}

/// Drives gomap through records, one at a time.
pub struct Replayer {
    hashes: Arc<RecordedHashes>,
    /// The seeds the map will draw next; shared with the map's seed source.
    seeds: Arc<Mutex<VecDeque<u32>>>,
    map: Option<ReplayMap>,
}

impl Replayer {
    /// A replayer whose maps hash through `hashes`.
    pub fn new(hashes: RecordedHashes) -> Replayer {
        Replayer {
            hashes: Arc::new(hashes),
            seeds: Arc::default(),
            map: None,
        }
    }

    /// Performs `record` (an op) or describes the map (a dump or hdr), and returns
    /// gomap's record with the same `i`. A panic inside the map (including a missing
    /// hash) is caught and returned as the error; the map is dropped then, since its
    /// state is no longer known.
    pub fn replay(&mut self, record: &Record) -> Result<Record, String> {
        let result = catch_unwind(AssertUnwindSafe(|| self.replay_unguarded(record)));
        result.unwrap_or_else(|payload| {
            self.map = None;
            Err(panic_message(payload))
        })
    }

    fn replay_unguarded(&mut self, record: &Record) -> Result<Record, String> {
        match (record, &self.map) {
            (Record::Op(op), _) => self.op(op).map(Record::Op),
            (_, Some(ReplayMap::U64(map))) => Ok(describe(record, &map.layout())),
            (_, Some(ReplayMap::Str(map))) => Ok(describe(record, &map.layout())),
            (_, None) => Err("no map to describe (no `make` before it)".to_owned()),
        }
    }

    fn op(&mut self, op: &OpRecord) -> Result<OpRecord, String> {
        let seed = match (&self.map, op.op) {
            (_, OpKind::Make) => 0,
            (Some(ReplayMap::U64(map)), _) => map.header().hash0,
            (Some(ReplayMap::Str(map)), _) => map.header().hash0,
            (None, _) => return Err("no map to operate on (no `make` before it)".to_owned()),
        };
        {
            let mut seeds = self.seeds.lock().unwrap_or_else(PoisonError::into_inner);
            seeds.clear();
            if op.op == OpKind::Make || op.header.hash0 != op.seed {
                let drawn = u32::try_from(op.header.hash0)
                    .map_err(|_| format!("hash0 {} does not fit in 32 bits", op.header.hash0))?;
                seeds.push_back(drawn);
            }
        }
        let outcome = if op.op == OpKind::Make {
            self.make(op)?;
            Outcome::default()
        } else {
            match self.map.as_mut().expect("checked above") {
                ReplayMap::U64(map) => perform(map, op)?,
                ReplayMap::Str(map) => perform(map, op)?,
            }
        };
        let header = match self.map.as_ref().expect("a map exists after an op") {
            ReplayMap::U64(map) => map.header(),
            ReplayMap::Str(map) => map.header(),
        };
        Ok(OpRecord {
            i: op.i,
            line: op.line,
            op: op.op,
            kt: op.kt,
            hint: op.hint,
            key: op.key.clone(),
            val: outcome.val,
            ok: outcome.ok,
            hash: op.key.as_ref().and_then(|key| self.hashes.get(seed, key)),
            seed: u64::from(seed),
            header: header_fields(&header),
            growing: header.growing,
        })
    }

    fn make(&mut self, op: &OpRecord) -> Result<(), String> {
        let (Some(kt), Some(hint)) = (op.kt, op.hint) else {
            return Err("a make record needs `kt` and `hint`".to_owned());
        };
        // A hint beyond the address space is one Go ignores too (it yields B = 0).
        let hint = usize::try_from(hint).unwrap_or(usize::MAX);
        let queue = Arc::clone(&self.seeds);
        let seeds = move || {
            queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop_front()
                .unwrap_or(UNRECORDED_SEED)
        };
        let state = ReplayState::new(Arc::clone(&self.hashes), kt);
        // Drop the old map first, so that a panic while making leaves no stale map.
        self.map = None;
        self.map = Some(match kt {
            KeyType::U64 => {
                ReplayMap::U64(GoMap::with_capacity_hasher_and_seeds(hint, state, seeds))
            }
            KeyType::Str => {
                ReplayMap::Str(GoMap::with_capacity_hasher_and_seeds(hint, state, seeds))
            }
        });
        Ok(())
    }
}

/// gomap's answer to a dump or hdr record.
fn describe<K: JsonKey>(record: &Record, layout: &Layout<'_, K, u64>) -> Record {
    match record {
        Record::Dump(r) => Record::Dump(dump_record(r.i, r.line, layout)),
        Record::Hdr(r) => Record::Hdr(hdr_record(r.i, r.line, layout)),
        Record::Op(_) => unreachable!("ops are performed, not described"),
    }
}

/// What an op returned, for its record.
#[derive(Debug, Default)]
struct Outcome {
    /// `put`: the value stored; `get`: the value found, or 0.
    val: Option<u64>,
    /// `get`: whether the key was found.
    ok: Option<bool>,
}

/// Performs a `put`, `del`, `get` or `clear` on `map`.
fn perform<K: JsonKey + Hash + Eq>(
    map: &mut GoMap<K, u64, ReplayState>,
    op: &OpRecord,
) -> Result<Outcome, String> {
    let key = || {
        let key = op
            .key
            .as_ref()
            .ok_or_else(|| format!("a `{}` record needs a key", op.op))?;
        K::from_json_key(key).ok_or_else(|| format!("key {key} is not a {} key", K::KEY_TYPE))
    };
    Ok(match op.op {
        OpKind::Put => {
            let val = op.val.ok_or("a `put` record needs a `val`")?;
            map.insert(key()?, val);
            Outcome {
                val: Some(val),
                ok: None,
            }
        }
        OpKind::Del => {
            map.remove(&key()?);
            Outcome::default()
        }
        OpKind::Get => {
            let found = map.get(&key()?).copied();
            Outcome {
                val: Some(found.unwrap_or(0)),
                ok: Some(found.is_some()),
            }
        }
        OpKind::Clear => {
            map.clear();
            Outcome::default()
        }
        OpKind::Make => unreachable!("make is performed by Replayer::make"),
    })
}

/// Describes a caught panic.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(missing) = payload.downcast_ref::<MissingHash>() {
        missing.to_string()
    } else if let Some(text) = payload.downcast_ref::<&str>() {
        format!("the map panicked: {text}")
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!("the map panicked: {text}")
    } else {
        "the map panicked (with a payload that is not text)".to_owned()
    }
}
