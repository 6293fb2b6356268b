//! The Swiss-map oracle's record format (`SWISS-PROTOCOL.md`), as typed serde
//! structs, and a reader that checks a whole stream.
//!
//! A Swiss stream is JSON lines. Its first record is `"t":"env"` (the
//! recorder's toolchain, group layout and the process's hash key); then
//! `op` (one map operation, its hash and seed, the header after it), `hdr`
//! (header, directory and table counters), `dump` (the same plus every
//! group) and `iter` (the key order of one `range`). Every integer is an exact
//! decimal up to 2^64−1, read as `u64`. Keys are numbers in `u64` maps and
//! strings in `str` maps; the reader holds each key to the key type of the
//! `make` before it.
//!
//! [`read_stream`] refuses, naming the line, whatever a replay could not
//! trust: malformed JSON, a stream that ends inside a record, a first record
//! that is not `env`, unknown record types, missing fields, keys of the wrong
//! type, control bytes other than full (0x00..=0x7F), empty (0x80) and
//! deleted (0xFE), keys or values on slots that are not full (or missing on
//! full ones), group counts that are not `lengthMask + 1`, a directory that
//! names a missing table or breaks the directory's rules. Its size guard
//! refuses a record that asks for an absurd size — a `make` hint whose
//! directory and tables would exceed [`MAX_MAP_BYTES`], a capacity,
//! `lengthMask` or `dirLen` that is not a power of two or out of range —
//! when the record is read, so a replay never allocates for it.

#![forbid(unsafe_code)]

use std::fmt;
use std::io::{BufRead, Read};

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::protocol::{Key, KeyType, OpKind};

/// The most memory a stream may ask one map to hold (directory, table
/// headers and groups): 256 MiB, far above every case the oracle records
/// (hint 10,000 is 2.2 MiB) and far below what would hurt a test machine.
pub const MAX_MAP_BYTES: u64 = 256 << 20;

/// The longest line the reader accepts; a dump of a map within
/// [`MAX_MAP_BYTES`] stays well below it.
pub const MAX_LINE_BYTES: u64 = 512 << 20;

/// Slots per group. Go: abi.MapGroupSlots
pub const GROUP_SLOTS: usize = 8;
/// The largest table. Go: internal/runtime/maps.maxTableCapacity
pub const MAX_TABLE_CAPACITY: u64 = 1024;
/// Control byte of an empty slot. Go: internal/runtime/maps.ctrlEmpty
pub const CTRL_EMPTY: u8 = 0x80;
/// Control byte of a deleted slot (tombstone). Go: internal/runtime/maps.ctrlDeleted
pub const CTRL_DELETED: u8 = 0xFE;

/// The first record of a stream: who recorded it and with which hash key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRecord {
    /// The toolchain, e.g. `go1.27.3`.
    pub go: String,
    /// The recorder's architecture.
    pub goarch: String,
    /// Whether the runtime hashed with AES; always false (hashes must be recomputable).
    pub aes: bool,
    /// The process's fallback hash key. Go: internal/runtime/maps.hashkey
    pub hashkey: [u64; 4],
    /// Group layout: `interleaved` (key, elem per slot) or `split`.
    pub layout: String,
    /// Group size of `map[uint64]uint64` (136).
    pub group_u64: u64,
    /// Group size of `map[string]uint64` (200).
    pub group_str: u64,
    /// Per key type (u64, str): slot stride, offset of key 0, offset of elem 0.
    pub slot_u64_str: [[u64; 3]; 2],
    /// Hashes the recorder's self-check recomputed.
    pub hashcheck: u64,
    /// Other self-check items that passed.
    pub mapcheck: u64,
}

/// The map header every op, hdr and dump record carries (after the op).
/// Go: internal/runtime/maps.Map
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwissHeader {
    /// Live entries.
    pub used: u64,
    /// The map's seed after the op.
    pub seed_after: u64,
    /// Whether a group or directory is allocated (`dirPtr != nil`).
    pub alloc: bool,
    /// Directory entries; 0 for a small or unallocated map.
    #[serde(rename = "dirLen")]
    pub dir_len: u64,
    /// log2 of `dir_len`.
    #[serde(rename = "globalDepth")]
    pub global_depth: u64,
    /// 64 − `global_depth` (0 while `dir_len` is 0).
    #[serde(rename = "globalShift")]
    pub global_shift: u64,
    /// Whether a delete may have left a tombstone (null on go1.24).
    #[serde(rename = "tombstonePossible")]
    pub tombstone_possible: Option<bool>,
    /// Clears that did work.
    #[serde(rename = "clearSeq")]
    pub clear_seq: u64,
    /// Distinct tables in the directory.
    pub ntables: u64,
}

/// The table a keyed op's hash selects, after the op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabFields {
    /// The directory index (`hash >> globalShift`).
    pub dir: u64,
    /// The table's first directory index.
    pub index: u64,
    /// Live entries of the table.
    pub used: u64,
    /// Slots.
    pub capacity: u64,
    /// Inserts into empty slots left before the table must grow or split.
    #[serde(rename = "growthLeft")]
    pub growth_left: u64,
    /// The table's depth in the directory.
    #[serde(rename = "localDepth")]
    pub local_depth: u64,
}

/// One op record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwissOpRecord {
    /// Op index from 0.
    pub i: u64,
    /// The script line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The operation.
    pub op: OpKind,
    /// `make`: the key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kt: Option<KeyType>,
    /// `make`: the hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<u64>,
    /// Keyed ops: the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    /// `put`: the value stored; `get`: the value read (0 if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val: Option<u64>,
    /// `get`: whether the key was present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// Keyed ops: the runtime's hash of the key under `seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<u64>,
    /// The map's seed before the op (0 for `make`).
    pub seed: u64,
    /// The header after the op.
    #[serde(flatten)]
    pub header: SwissHeader,
    /// Keyed ops on a map with a directory: the table the hash selects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab: Option<TabFields>,
}

/// One group: 8 control bytes, and keys and values of the full slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Control bytes, slot order: 0x00..=0x7F full (H2), 0x80 empty, 0xFE deleted.
    pub ctrl: [u8; GROUP_SLOTS],
    /// Keys of full slots, null elsewhere.
    pub keys: [Option<Key>; GROUP_SLOTS],
    /// Values of full slots, null elsewhere.
    pub vals: [Option<u64>; GROUP_SLOTS],
}

/// One table of a hdr or dump record. Go: internal/runtime/maps.table
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Position in `tables`, numbered by first appearance in the directory.
    pub id: u64,
    /// Live entries.
    pub used: u64,
    /// Slots (a power of two, 8..=1024).
    pub capacity: u64,
    /// Inserts into empty slots left before the table must grow or split.
    #[serde(rename = "growthLeft")]
    pub growth_left: u64,
    /// The table's depth in the directory.
    #[serde(rename = "localDepth")]
    pub local_depth: u64,
    /// Its first directory index.
    pub index: u64,
    /// Groups − 1.
    #[serde(rename = "lengthMask")]
    pub length_mask: u64,
    /// `dump` only: the groups in memory order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Group>>,
}

/// A hdr or dump record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwissLayoutRecord {
    /// Op index.
    pub i: u64,
    /// The script line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The map's key type.
    pub kt: KeyType,
    /// The header.
    #[serde(flatten)]
    pub header: SwissHeader,
    /// 0xFE bytes in the whole map.
    pub tombstones: u64,
    /// `dump` of an allocated small map: its one group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small: Option<Group>,
    /// The table id of each directory entry (present iff `dirLen` > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<Vec<u64>>,
    /// The distinct tables (present iff `dirLen` > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<Table>>,
}

/// An iter record: the order one `range` returned (not replayable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IterRecord {
    /// Op index.
    pub i: u64,
    /// The script line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The keys in iteration order.
    pub keys: Vec<Key>,
}

/// One record of a Swiss stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwissRecord {
    /// The env record (first line).
    Env(EnvRecord),
    /// An op record.
    Op(SwissOpRecord),
    /// A dump record.
    Dump(SwissLayoutRecord),
    /// A hdr record.
    Hdr(SwissLayoutRecord),
    /// An iter record.
    Iter(IterRecord),
}

impl SwissRecord {
    /// The op index (None for env).
    pub fn i(&self) -> Option<u64> {
        match self {
            SwissRecord::Env(_) => None,
            SwissRecord::Op(r) => Some(r.i),
            SwissRecord::Dump(r) | SwissRecord::Hdr(r) => Some(r.i),
            SwissRecord::Iter(r) => Some(r.i),
        }
    }
}

/// A record and the line it was read from (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    /// Line number in the stream.
    pub line: usize,
    /// The record.
    pub record: SwissRecord,
}

/// A whole checked stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissStream {
    /// The env record.
    pub env: EnvRecord,
    /// Every record after it, in order.
    pub records: Vec<Numbered>,
}

/// Why a stream was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissError {
    /// The 1-based line of the offending record (the line after the last
    /// one for a stream that ends too early).
    pub line: usize,
    /// What is wrong, in the protocol's terms.
    pub message: String,
}

impl fmt::Display for SwissError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for SwissError {}

/// Whether a stream whose first line is `first_line` is a Swiss stream (its
/// first record is `"t":"env"`); the classic oracle's streams start with an op.
pub fn is_swiss_stream(first_line: &str) -> bool {
    matches!(
        serde_json::from_str::<Value>(first_line.trim()),
        Ok(Value::Object(m)) if m.get("t").and_then(Value::as_str) == Some("env")
    )
}

/// Parses one line into a record (blank: `Ok(None)`), checking what one
/// record can show on its own; the error says what is wrong (the caller
/// adds where). `kt`, when known, is the key type keys must have.
pub fn parse_record(text: &str, kt: Option<KeyType>) -> Result<Option<SwissRecord>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            format!("truncated record (the line ends inside the JSON value: {e})")
        } else {
            format!("not valid JSON: {e}")
        }
    })?;
    let t = match value.get("t") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => return Err(format!("`t` must be a string, not {other}")),
        None if value.is_object() => return Err("record has no `t` field".to_owned()),
        None => return Err(format!("a record must be a JSON object, not {value}")),
    };
    let record = match t.as_str() {
        "env" => SwissRecord::Env(typed(value, "env")?),
        "op" => SwissRecord::Op(typed(value, "op")?),
        "dump" => SwissRecord::Dump(typed(value, "dump")?),
        "hdr" => SwissRecord::Hdr(typed(value, "hdr")?),
        "iter" => SwissRecord::Iter(typed(value, "iter")?),
        other => {
            return Err(format!(
                "unknown record type \"t\":{other:?} (expected \"env\", \"op\", \"dump\", \"hdr\" or \"iter\")"
            ))
        }
    };
    check_record(&record, kt)?;
    Ok(Some(record))
}

fn typed<T: serde::de::DeserializeOwned>(value: Value, kind: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{kind} record: {e}"))
}

/// Bytes of one group of a key type. Go: abi.MapType.GroupSize
fn group_bytes(kt: KeyType) -> u64 {
    match kt {
        KeyType::U64 => 8 + 8 * 16,
        KeyType::Str => 8 + 8 * 24,
    }
}

/// What `make(map, hint)` allocates in Go 1.24+ (directory, table headers,
/// groups), following the runtime's integer sizing, including the hints it
/// ignores (an overflowing or over-`maxAlloc` hint gives an empty map).
/// Go: internal/runtime/maps.NewMap
pub fn make_bytes(kt: KeyType, hint: u64) -> u64 {
    const MAX_ALLOC: u64 = 1 << 48;
    // makemap takes an int: a hint beyond i64::MAX is negative there, then 0.
    let hint = if hint > i64::MAX as u64 { 0 } else { hint };
    if hint <= GROUP_SLOTS as u64 {
        return 0; // the small map's group comes with the first put
    }
    let target = hint.wrapping_mul(8) / 7;
    if target < hint {
        return 0;
    }
    let dir = target.div_ceil(MAX_TABLE_CAPACITY);
    let Some(dir) = dir.checked_next_power_of_two() else {
        return 0;
    };
    match dir
        .checked_mul(MAX_TABLE_CAPACITY)
        .and_then(|s| s.checked_mul(group_bytes(kt)))
    {
        Some(mem) if mem <= MAX_ALLOC => {}
        _ => return 0,
    }
    let capacity = (target / dir).max(8).next_power_of_two();
    // Each entry a pointer, each table a 32-byte header and its groups.
    dir * 8 + dir * (32 + capacity / 8 * group_bytes(kt))
}

fn check_key(key: &Key, kt: Option<KeyType>, what: &str) -> Result<(), String> {
    match kt {
        Some(kt) if key.key_type() != kt => Err(format!(
            "{what}: key {key} is not a {kt} key (the map was made with kt {kt})"
        )),
        _ => Ok(()),
    }
}

/// The header's own rules and the size guard on its counts.
fn check_header(h: &SwissHeader, kt: Option<KeyType>) -> Result<(), String> {
    if h.dir_len == 0 {
        if h.global_depth != 0 || h.global_shift != 0 || h.ntables != 0 {
            return Err(format!(
                "dirLen 0 with globalDepth {}, globalShift {}, ntables {} (all must be 0)",
                h.global_depth, h.global_shift, h.ntables
            ));
        }
        if h.used > GROUP_SLOTS as u64 {
            return Err(format!("used {} in a small map (at most 8)", h.used));
        }
        return Ok(());
    }
    if !h.dir_len.is_power_of_two() || h.dir_len > 1 << 20 {
        return Err(format!(
            "absurd size: dirLen {} is not a power of two up to 2^20",
            h.dir_len
        ));
    }
    if h.global_depth != u64::from(h.dir_len.trailing_zeros())
        || h.global_shift != 64 - h.global_depth
    {
        return Err(format!(
            "dirLen {} with globalDepth {} and globalShift {} (want {} and {})",
            h.dir_len,
            h.global_depth,
            h.global_shift,
            h.dir_len.trailing_zeros(),
            64 - h.dir_len.trailing_zeros()
        ));
    }
    if h.ntables == 0 || h.ntables > h.dir_len {
        return Err(format!("ntables {} with dirLen {}", h.ntables, h.dir_len));
    }
    let table = MAX_TABLE_CAPACITY / 8 * group_bytes(kt.unwrap_or(KeyType::Str));
    if h.ntables.saturating_mul(table) > MAX_MAP_BYTES {
        return Err(format!(
            "absurd size: {} tables of up to {table} bytes exceed {MAX_MAP_BYTES} bytes",
            h.ntables
        ));
    }
    if h.used > h.ntables * MAX_TABLE_CAPACITY {
        return Err(format!(
            "used {} in {} tables of at most 1024 slots",
            h.used, h.ntables
        ));
    }
    Ok(())
}

/// A table's capacity and depth rules (also for an op's `tab`).
fn check_table_shape(
    capacity: u64,
    local_depth: u64,
    h: &SwissHeader,
    what: &str,
) -> Result<(), String> {
    if !capacity.is_power_of_two() || !(8..=MAX_TABLE_CAPACITY).contains(&capacity) {
        return Err(format!(
            "absurd size: {what} capacity {capacity} is not a power of two in 8..=1024"
        ));
    }
    if local_depth > h.global_depth {
        return Err(format!(
            "{what}: localDepth {local_depth} above globalDepth {}",
            h.global_depth
        ));
    }
    Ok(())
}

fn check_group(g: &Group, kt: KeyType, what: &str) -> Result<u64, String> {
    let mut tombstones = 0;
    for (s, &c) in g.ctrl.iter().enumerate() {
        let full = c < CTRL_EMPTY;
        if !full && c != CTRL_EMPTY && c != CTRL_DELETED {
            return Err(format!("{what} slot {s}: control byte {c:#04x} is not full (0x00..=0x7f), empty (0x80) or deleted (0xfe)"));
        }
        tombstones += u64::from(c == CTRL_DELETED);
        match (full, &g.keys[s], &g.vals[s]) {
            (true, Some(k), Some(_)) => check_key(k, Some(kt), &format!("{what} slot {s}"))?,
            (true, _, _) => {
                return Err(format!(
                    "{what} slot {s}: full (ctrl {c}) but its key or value is null"
                ))
            }
            (false, None, None) => {}
            (false, _, _) => {
                return Err(format!(
                    "{what} slot {s}: ctrl {c:#04x} is not full but a key or value is present"
                ))
            }
        }
    }
    Ok(tombstones)
}

fn check_layout(r: &SwissLayoutRecord, dump: bool, kt: Option<KeyType>) -> Result<(), String> {
    let h = &r.header;
    let kind = if dump { "dump" } else { "hdr" };
    if let Some(kt) = kt {
        if r.kt != kt {
            return Err(format!(
                "{kind} of a {} map, but the map was made with kt {kt}",
                r.kt
            ));
        }
    }
    check_header(h, Some(r.kt))?;
    let mut tombstones = 0;
    match (&r.small, dump && h.dir_len == 0 && h.alloc) {
        (Some(g), true) => tombstones += check_group(g, r.kt, "small")?,
        (None, false) => {}
        (Some(_), false) => {
            return Err(format!(
                "{kind} has `small`, which only a dump of an allocated small map has"
            ))
        }
        (None, true) => return Err("dump of an allocated small map has no `small`".to_owned()),
    }
    let (dir, tables) = match (&r.dir, &r.tables, h.dir_len) {
        (None, None, 0) => return Ok(()),
        (Some(d), Some(t), n) if n > 0 => (d, t),
        (_, _, 0) => return Err(format!("{kind} with dirLen 0 has `dir` or `tables`")),
        _ => {
            return Err(format!(
                "{kind} with dirLen {} lacks `dir` or `tables`",
                h.dir_len
            ))
        }
    };
    if dir.len() as u64 != h.dir_len {
        return Err(format!(
            "`dir` has {} entries, dirLen is {}",
            dir.len(),
            h.dir_len
        ));
    }
    if tables.len() as u64 != h.ntables {
        return Err(format!(
            "`tables` has {} tables, ntables is {}",
            tables.len(),
            h.ntables
        ));
    }
    if let Some((e, &id)) = dir.iter().enumerate().find(|(_, &id)| id >= h.ntables) {
        return Err(format!(
            "`dir[{e}]` names table {id}, but there are {} tables",
            h.ntables
        ));
    }
    let mut used = 0;
    for (n, t) in tables.iter().enumerate() {
        let what = format!("table {n}");
        if t.id != n as u64 {
            return Err(format!(
                "{what} has id {} (ids are positions in `tables`)",
                t.id
            ));
        }
        check_table_shape(t.capacity, t.local_depth, h, &what)?;
        if t.length_mask + 1 != t.capacity / GROUP_SLOTS as u64 {
            return Err(format!(
                "absurd size: {what} lengthMask {} with capacity {} (want {})",
                t.length_mask,
                t.capacity,
                t.capacity / 8 - 1
            ));
        }
        if t.used > t.capacity * 7 / 8 || t.used + t.growth_left > t.capacity * 7 / 8 {
            return Err(format!(
                "{what}: used {} + growthLeft {} exceed 7/8 of capacity {}",
                t.used, t.growth_left, t.capacity
            ));
        }
        // Its entries: 2^(globalDepth - localDepth) from `index`, all naming it.
        let span = 1u64 << (h.global_depth - t.local_depth);
        if t.index % span != 0 || t.index + span > h.dir_len {
            return Err(format!(
                "{what}: index {} is not a start of {span} directory entries",
                t.index
            ));
        }
        if let Some(bad) = (t.index..t.index + span).find(|&e| dir[e as usize] != n as u64) {
            return Err(format!(
                "{what} spans directory entries {}..{} but `dir[{bad}]` is {}",
                t.index,
                t.index + span,
                dir[bad as usize]
            ));
        }
        match (&t.groups, dump) {
            (Some(gs), true) => {
                if gs.len() as u64 != t.length_mask + 1 {
                    return Err(format!(
                        "{what} has {} groups, lengthMask + 1 is {}",
                        gs.len(),
                        t.length_mask + 1
                    ));
                }
                let mut full = 0;
                for (g, grp) in gs.iter().enumerate() {
                    tombstones += check_group(grp, r.kt, &format!("{what} group {g}"))?;
                    full += grp.ctrl.iter().filter(|&&c| c < CTRL_EMPTY).count() as u64;
                }
                if full != t.used {
                    return Err(format!("{what}: {full} full slots, used is {}", t.used));
                }
            }
            (None, false) => {}
            (None, true) => return Err(format!("dump: {what} has no `groups`")),
            (Some(_), false) => {
                return Err(format!("hdr: {what} has `groups` (only a dump has them)"))
            }
        }
        used += t.used;
    }
    if used != h.used {
        return Err(format!(
            "the tables hold {used} entries, used is {}",
            h.used
        ));
    }
    if dump && tombstones != r.tombstones {
        return Err(format!(
            "tombstones is {}, the groups hold {tombstones} deleted bytes",
            r.tombstones
        ));
    }
    Ok(())
}

/// The rules one record can show on its own (plus its key type, if known).
fn check_record(record: &SwissRecord, kt: Option<KeyType>) -> Result<(), String> {
    match record {
        SwissRecord::Env(env) => {
            if env.aes {
                return Err("env: aes is true; the recorder must run under GODEBUG=cpu.aes=off so hashes can be recomputed".to_owned());
            }
            Ok(())
        }
        SwissRecord::Op(op) => {
            let needs: &[(&str, bool)] = match op.op {
                OpKind::Make => &[("kt", op.kt.is_some()), ("hint", op.hint.is_some())],
                OpKind::Put => &[
                    ("key", op.key.is_some()),
                    ("val", op.val.is_some()),
                    ("hash", op.hash.is_some()),
                ],
                OpKind::Del => &[("key", op.key.is_some()), ("hash", op.hash.is_some())],
                OpKind::Get => &[
                    ("key", op.key.is_some()),
                    ("val", op.val.is_some()),
                    ("ok", op.ok.is_some()),
                    ("hash", op.hash.is_some()),
                ],
                OpKind::Clear => &[],
            };
            if let Some((field, _)) = needs.iter().find(|(_, has)| !has) {
                return Err(format!("{} record has no `{field}`", op.op));
            }
            let kt = if op.op == OpKind::Make { op.kt } else { kt };
            if op.op == OpKind::Make {
                let (kt, hint) = (op.kt.unwrap_or(KeyType::U64), op.hint.unwrap_or(0));
                let bytes = make_bytes(kt, hint);
                if bytes > MAX_MAP_BYTES {
                    return Err(format!("absurd size: make hint {hint} asks for {bytes} bytes of directory and tables (the limit is {MAX_MAP_BYTES})"));
                }
            }
            if let Some(k) = &op.key {
                check_key(k, kt, &format!("{} record", op.op))?;
            }
            check_header(&op.header, kt)?;
            match (&op.tab, op.header.dir_len > 0 && op.key.is_some()) {
                (Some(t), true) => {
                    check_table_shape(t.capacity, t.local_depth, &op.header, "tab")?;
                    if t.dir >= op.header.dir_len || t.index > t.dir {
                        return Err(format!(
                            "tab: dir {} index {} with dirLen {}",
                            t.dir, t.index, op.header.dir_len
                        ));
                    }
                }
                (None, false) => {}
                (None, true) => {
                    return Err(format!(
                        "{} record on a map with a directory has no `tab`",
                        op.op
                    ))
                }
                (Some(_), false) => {
                    return Err(format!(
                    "{} record has `tab`, but only keyed ops on a map with a directory have one",
                    op.op
                ))
                }
            }
            Ok(())
        }
        SwissRecord::Dump(r) => check_layout(r, true, kt),
        SwissRecord::Hdr(r) => check_layout(r, false, kt),
        SwissRecord::Iter(r) => {
            for k in &r.keys {
                check_key(k, kt, "iter")?;
            }
            Ok(())
        }
    }
}

/// Reads and checks a whole Swiss stream: the env record first, then
/// records with consecutive `i` from 0, each keyed record in the key type of
/// the `make` before it. The first problem stops the read with its line.
pub fn read_stream<R: BufRead>(mut reader: R) -> Result<SwissStream, SwissError> {
    let mut env: Option<EnvRecord> = None;
    let mut records = Vec::new();
    let mut kt: Option<KeyType> = None;
    let mut next_i = 0u64;
    let mut line = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| SwissError {
                line: line + 1,
                message: format!("read error: {e}"),
            })?;
        if n == 0 {
            break;
        }
        line += 1;
        let err = |message: String| SwissError { line, message };
        if buf.len() as u64 > MAX_LINE_BYTES {
            return Err(err(format!(
                "absurd size: a line longer than {MAX_LINE_BYTES} bytes"
            )));
        }
        let ends_stream = buf.last() != Some(&b'\n');
        let text = std::str::from_utf8(&buf).map_err(|e| err(format!("not valid UTF-8: {e}")))?;
        let record = match parse_record(text, kt) {
            Ok(None) => continue,
            Ok(Some(r)) => r,
            Err(m) if ends_stream && m.starts_with("truncated") => {
                return Err(err(format!(
                    "{m}; the stream ends without a newline: truncated"
                )))
            }
            Err(m) => return Err(err(m)),
        };
        match (&record, env.is_some()) {
            (SwissRecord::Env(e), false) => {
                env = Some(e.clone());
                continue;
            }
            (SwissRecord::Env(_), true) => return Err(err("a second env record".to_owned())),
            (_, false) => {
                return Err(err("the first record is not `\"t\":\"env\"` (not a Swiss stream, or its env record is missing)".to_owned()))
            }
            _ => {}
        }
        let i = record.i().expect("only env has no i");
        if i != next_i {
            return Err(err(format!("record has i {i}, expected {next_i} (i counts every op, dump, hdr and iter from 0)")));
        }
        next_i += 1;
        match &record {
            SwissRecord::Op(op) if op.op == OpKind::Make => kt = op.kt,
            SwissRecord::Env(_) => unreachable!(),
            _ if kt.is_none() => return Err(err("a record before the first make".to_owned())),
            _ => {}
        }
        records.push(Numbered { line, record });
    }
    let env = env.ok_or(SwissError {
        line: line + 1,
        message: "empty stream: no env record".to_owned(),
    })?;
    Ok(SwissStream { env, records })
}
