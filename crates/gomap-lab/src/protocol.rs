//! The oracle record format of `PROTOCOL.md`, as typed serde structs.
//!
//! A stream is JSON lines; each line is one record, told apart by its `"t"`:
//! `op` (one map operation and the header after it), `dump` (the full layout) or
//! `hdr` (the header and array summary only). Every integer is an exact decimal up to
//! 2^64−1 and is read as `u64` (serde_json keeps such numbers integral; one beyond
//! `u64::MAX`, a negative one or a fraction is rejected, never rounded).
//!
//! Parsing is two-step so that errors say what is wrong in the protocol's terms: the
//! line is read as a JSON value, its `t` picks the record type, and the typed struct is
//! read from the value and then checked for what serde cannot express (for example
//! that a `get` carries `ok`). Fields a record may carry beyond the ones named here
//! (an oracle's `overflow`/`oldoverflow` bookkeeping) are accepted and ignored.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key type of a map, from the `make` record's `kt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// `map[uint64]uint64`; replayed as `GoMap<u64, u64, _>`.
    U64,
    /// `map[string]uint64`; replayed as `GoMap<Box<str>, u64, _>`.
    Str,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::U64 => "u64",
            KeyType::Str => "str",
        })
    }
}

/// The operation an op record performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// A new map (`kt`, `hint`), replacing the current one.
    Make,
    /// Insert or overwrite `key` with `val`.
    Put,
    /// Delete `key`.
    Del,
    /// Look `key` up; the record carries `ok` and `val` (0 when absent).
    Get,
    /// Go's `clear` (`runtime.mapclear`).
    Clear,
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpKind::Make => "make",
            OpKind::Put => "put",
            OpKind::Del => "del",
            OpKind::Get => "get",
            OpKind::Clear => "clear",
        })
    }
}

/// A map key as it appears in records: a number in u64 maps, a string in str maps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A key of a `u64` map.
    U64(u64),
    /// A key of a `str` map.
    Str(String),
}

impl Key {
    /// The key type this key belongs to.
    pub fn key_type(&self) -> KeyType {
        match self {
            Key::U64(_) => KeyType::U64,
            Key::Str(_) => KeyType::Str,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::U64(k) => write!(f, "{k}"),
            Key::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::U64(k) => serializer.serialize_u64(*k),
            Key::Str(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key: an integer in 0..=2^64-1 or a string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key::U64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
                Ok(Key::Str(v))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// The header fields every record carries (Go's `hmap`, less its pointers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderFields {
    /// Live entries.
    pub count: u64,
    /// Header flags; only 8 (same-size growth) is compared.
    pub flags: u64,
    /// log2 of the bucket count.
    #[serde(rename = "B")]
    pub b: u64,
    /// Overflow buckets taken (exact while B < 16).
    pub noverflow: u64,
    /// The hash seed.
    pub hash0: u64,
    /// Evacuation progress: old buckets below it are evacuated.
    pub nevacuate: u64,
}

/// One op record: the operation, its hash and seed, and the header after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpRecord {
    /// Op index from 0.
    pub i: u64,
    /// The script line the op came from, if the oracle says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The operation.
    pub op: OpKind,
    /// `make` only: the key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kt: Option<KeyType>,
    /// `make` only: the size hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<u64>,
    /// `put`, `del`, `get`: the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    /// `put`: the value stored; `get`: the value returned (0 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val: Option<u64>,
    /// `get`: whether the key was present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// The hash of `key` under `seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<u64>,
    /// `hash0` before the op (0 for `make`).
    pub seed: u64,
    /// The header after the op.
    #[serde(flatten)]
    pub header: HeaderFields,
    /// Whether a growth is in progress after the op.
    pub growing: bool,
}

/// A dump or hdr record. A dump carries the whole layout; a hdr needs only the header
/// fields, and whatever else it carries is compared when both sides have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayoutRecord {
    /// The op index this record takes.
    pub i: u64,
    /// The script line, if the oracle says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The map's key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kt: Option<KeyType>,
    /// The header.
    #[serde(flatten)]
    pub header: HeaderFields,
    /// Whether a growth is in progress (Go's oracle does not write it in dumps:
    /// `oldbuckets` says the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growing: Option<bool>,
    /// Any non-null token when the bucket array exists; `Some(None)` is `null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub buckets: Option<Option<Value>>,
    /// Any non-null token while growing; `Some(None)` is `null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub oldbuckets: Option<Option<Value>>,
    /// The overflow pool; `Some(None)` is `null` (no pool state to report).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub extra: Option<Option<Extra>>,
    /// Bytes per bucket (144 for u64 keys, 208 for str keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucketsize: Option<u64>,
    /// Buckets in the array's allocation (2^B plus the pool; 0 without an array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arr_len: Option<u64>,
    /// For each bucket index, its chain, main bucket first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arr: Option<Vec<Chain>>,
    /// The old array's chains while growing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Vec<Chain>>,
}

/// Reads a field that may be `null` as `Some(None)`, so that a missing field (`None`,
/// by `#[serde(default)]`) and a `null` one stay apart.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The preallocated-overflow-pool state of a dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// Allocation index of the next free pool bucket, or null when none is left.
    pub next_overflow: Option<u64>,
    /// Pool buckets still free.
    pub pre_free: u64,
}

impl Extra {
    /// What `"extra": null` means: no pool bucket to hand out.
    pub const NONE: Extra = Extra {
        next_overflow: None,
        pre_free: 0,
    };
}

/// One bucket index's chain: its main bucket, then its overflow buckets in link order.
pub type Chain = Vec<Bucket>;

/// One bucket of a dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Where the bucket lives.
    pub at: BucketAt,
    /// The 8 tophash bytes.
    pub top: [u8; 8],
    /// The key of each slot whose top is at least 5; `None` (JSON null) for the whole
    /// array means no slot holds a key.
    #[serde(default)]
    pub keys: Option<[Option<Key>; 8]>,
    /// The value of each slot whose top is at least 5.
    #[serde(default)]
    pub vals: Option<[Option<u64>; 8]>,
}

impl Bucket {
    /// The keys, with a `null` array read as eight empty slots.
    pub fn slot_keys(&self) -> [Option<Key>; 8] {
        self.keys.clone().unwrap_or_default()
    }

    /// The values, with a `null` array read as eight empty slots.
    pub fn slot_vals(&self) -> [Option<u64>; 8] {
        self.vals.unwrap_or_default()
    }
}

/// Where a bucket lives: `"main"`, `"pre:N"` or `"heap"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketAt {
    /// The bucket array's own bucket for this index.
    Main,
    /// The preallocated overflow bucket at index N of the array's allocation.
    Pre(u64),
    /// An overflow bucket allocated on its own.
    Heap,
}

impl fmt::Display for BucketAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BucketAt::Main => f.write_str("main"),
            BucketAt::Pre(n) => write!(f, "pre:{n}"),
            BucketAt::Heap => f.write_str("heap"),
        }
    }
}

impl Serialize for BucketAt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BucketAt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "main" => Ok(BucketAt::Main),
            "heap" => Ok(BucketAt::Heap),
            other => other
                .strip_prefix("pre:")
                .and_then(|n| n.parse().ok())
                .map(BucketAt::Pre)
                .ok_or_else(|| {
                    de::Error::custom(format!(
                        "bucket `at` must be \"main\", \"heap\" or \"pre:N\", not {other:?}"
                    ))
                }),
        }
    }
}

/// The three record types, in the order they sort within one `i`: an op comes before
/// the dump that may follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// `"t":"op"`.
    Op,
    /// `"t":"hdr"`.
    Hdr,
    /// `"t":"dump"`.
    Dump,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Op => "op",
            RecordKind::Hdr => "hdr",
            RecordKind::Dump => "dump",
        })
    }
}

/// One record of a stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Record {
    /// An operation and the header after it.
    Op(OpRecord),
    /// The full layout.
    Dump(LayoutRecord),
    /// The header only.
    Hdr(LayoutRecord),
}

impl Record {
    /// The record's op index.
    pub fn i(&self) -> u64 {
        match self {
            Record::Op(r) => r.i,
            Record::Dump(r) | Record::Hdr(r) => r.i,
        }
    }

    /// The record's type.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Op(_) => RecordKind::Op,
            Record::Dump(_) => RecordKind::Dump,
            Record::Hdr(_) => RecordKind::Hdr,
        }
    }

    /// What the record is, for messages: the op name, `dump` or `hdr`.
    pub fn what(&self) -> String {
        match self {
            Record::Op(r) => r.op.to_string(),
            other => other.kind().to_string(),
        }
    }

    /// The record as one JSON line (without the newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("records serialize to JSON")
    }
}

/// The optional first record of a classic stream (our extension of PROTOCOL.md, see
/// oracle/README.md): the oracle ran with Go's fallback hash (`GODEBUG=cpu.aes=off`)
/// and this is the process's `runtime.hashkey`, from which every recorded hash can be
/// recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashkeyRecord {
    /// Always `"hashkey"`.
    pub t: String,
    /// The oracle's `runtime.Version()`.
    pub go: String,
    /// Whether the runtime hashed with AES (the record is only written when it did not).
    pub aes: bool,
    /// `runtime.hashkey`.
    pub hashkey: [u64; 4],
}

/// Reads `text` as a hashkey record: `Ok(None)` when it is not one (its `t` is not
/// `"hashkey"`), an error when it is one but malformed.
pub fn parse_hashkey(text: &str) -> Result<Option<HashkeyRecord>, String> {
    let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
        if text.contains(r#""t":"hashkey""#) {
            return Err("truncated or invalid hashkey record".to_owned());
        }
        return Ok(None);
    };
    if value.get("t").and_then(Value::as_str) != Some("hashkey") {
        return Ok(None);
    }
    let record: HashkeyRecord = typed(value, "hashkey")?;
    if record.aes {
        return Err("hashkey record: aes is true; hashes can only be recomputed from a recording made under GODEBUG=cpu.aes=off".to_owned());
    }
    Ok(Some(record))
}

/// Parses one line of a stream. A blank line is `Ok(None)`; an error says what is
/// wrong with the line (the caller adds where it is).
pub fn parse_line(text: &str) -> Result<Option<Record>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let kind = match value.get("t") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => return Err(format!("`t` must be a string, not {other}")),
        None if value.is_object() => return Err("record has no `t` field".to_owned()),
        None => return Err(format!("a record must be a JSON object, not {value}")),
    };
    let record = match kind.as_str() {
        "op" => Record::Op(typed::<OpRecord>(value, "op")?),
        "dump" => Record::Dump(typed::<LayoutRecord>(value, "dump")?),
        "hdr" => Record::Hdr(typed::<LayoutRecord>(value, "hdr")?),
        other => {
            return Err(format!(
                "unknown record type \"t\":{other:?} (expected \"op\", \"dump\" or \"hdr\"; \
                 \"hashkey\" only as the first record)"
            ))
        }
    };
    check(&record)?;
    Ok(Some(record))
}

fn typed<T: serde::de::DeserializeOwned>(value: Value, kind: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{kind} record: {e}"))
}

/// The rules serde cannot express: which op needs which field, what a dump must hold.
fn check(record: &Record) -> Result<(), String> {
    let missing = |what: &str, field: &str| Err(format!("{what} record has no `{field}`"));
    match record {
        Record::Op(op) => {
            let what = op.op;
            let needs: &[(&str, bool)] = match op.op {
                OpKind::Make => &[("kt", op.kt.is_some()), ("hint", op.hint.is_some())],
                OpKind::Put => &[("key", op.key.is_some()), ("val", op.val.is_some())],
                OpKind::Del => &[("key", op.key.is_some())],
                OpKind::Get => &[
                    ("key", op.key.is_some()),
                    ("ok", op.ok.is_some()),
                    ("val", op.val.is_some()),
                ],
                OpKind::Clear => &[],
            };
            for &(field, has) in needs {
                if !has {
                    return missing(&what.to_string(), field);
                }
            }
            Ok(())
        }
        Record::Dump(dump) => {
            let needs = [
                ("buckets", dump.buckets.is_some()),
                ("oldbuckets", dump.oldbuckets.is_some()),
                ("extra", dump.extra.is_some()),
                ("arr_len", dump.arr_len.is_some()),
                ("arr", dump.arr.is_some()),
            ];
            for (field, has) in needs {
                if !has {
                    return missing("dump", field);
                }
            }
            Ok(())
        }
        Record::Hdr(_) => Ok(()),
    }
}
