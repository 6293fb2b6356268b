//! gomap's introspection views written as protocol records: `map.layout()` becomes a
//! dump or hdr record in the oracle's format.
//!
//! Addresses mean nothing across processes, so `buckets` and `oldbuckets` are written
//! as fixed tokens that only say whether the array exists.

use gomap::{BucketOrigin, BucketView, Header, Layout, PoolState};

use crate::protocol::{Bucket, BucketAt, Extra, HeaderFields, Key, KeyType, LayoutRecord};

/// The token written for an existing bucket array.
const BUCKETS_TOKEN: &str = "0x1";
/// The token written for an existing old bucket array.
const OLDBUCKETS_TOKEN: &str = "0x2";

/// A key type the lab replays, and its form in records.
pub trait JsonKey: Sized {
    /// The `kt` of maps with this key type.
    const KEY_TYPE: KeyType;

    /// The key as written in records (u64: a number; `Box<str>`: a string).
    fn to_json_key(&self) -> Key;

    /// The key a record names, or `None` when it is of the other key type.
    fn from_json_key(key: &Key) -> Option<Self>;
}

impl JsonKey for u64 {
    const KEY_TYPE: KeyType = KeyType::U64;

    fn to_json_key(&self) -> Key {
        Key::U64(*self)
    }

    fn from_json_key(key: &Key) -> Option<u64> {
        match key {
            Key::U64(k) => Some(*k),
            Key::Str(_) => None,
        }
    }
}

impl JsonKey for Box<str> {
    const KEY_TYPE: KeyType = KeyType::Str;

    fn to_json_key(&self) -> Key {
        Key::Str(self.to_string())
    }

    fn from_json_key(key: &Key) -> Option<Box<str>> {
        match key {
            Key::Str(s) => Some(s.as_str().into()),
            Key::U64(_) => None,
        }
    }
}

/// The header fields of a record.
pub fn header_fields(header: &Header) -> HeaderFields {
    HeaderFields {
        count: header.count as u64,
        flags: u64::from(header.flags),
        b: u64::from(header.b),
        noverflow: u64::from(header.noverflow),
        hash0: u64::from(header.hash0),
        nevacuate: header.nevacuate as u64,
    }
}

/// A hdr record: the header and the array summary, without buckets.
pub fn hdr_record<K: JsonKey>(
    i: u64,
    line: Option<u64>,
    layout: &Layout<'_, K, u64>,
) -> LayoutRecord {
    let token = |exists: bool, token: &str| Some(exists.then(|| token.into()));
    LayoutRecord {
        i,
        line,
        kt: Some(K::KEY_TYPE),
        header: header_fields(&layout.header),
        growing: None,
        buckets: token(layout.arr_len > 0, BUCKETS_TOKEN),
        oldbuckets: token(layout.old.is_some(), OLDBUCKETS_TOKEN),
        extra: Some(layout.pool.as_ref().map(extra)),
        bucketsize: Some(layout.bucket_size as u64),
        arr_len: Some(layout.arr_len as u64),
        arr: None,
        old: None,
    }
}

/// A dump record: the hdr record plus every chain of the array and the old array.
pub fn dump_record<K: JsonKey>(
    i: u64,
    line: Option<u64>,
    layout: &Layout<'_, K, u64>,
) -> LayoutRecord {
    LayoutRecord {
        arr: Some(chains(&layout.buckets)),
        old: layout.old.as_deref().map(chains),
        ..hdr_record(i, line, layout)
    }
}

fn extra(pool: &PoolState) -> Extra {
    Extra {
        next_overflow: pool.next_overflow.map(|n| n as u64),
        pre_free: pool.pre_free as u64,
    }
}

fn chains<K: JsonKey>(array: &[Vec<BucketView<'_, K, u64>>]) -> Vec<Vec<Bucket>> {
    array
        .iter()
        .map(|chain| chain.iter().map(bucket).collect())
        .collect()
}

fn bucket<K: JsonKey>(view: &BucketView<'_, K, u64>) -> Bucket {
    Bucket {
        at: match view.at {
            BucketOrigin::Main => BucketAt::Main,
            BucketOrigin::Pool(n) => BucketAt::Pre(n as u64),
            BucketOrigin::Heap => BucketAt::Heap,
        },
        top: view.top,
        keys: Some(view.keys.map(|k| k.map(JsonKey::to_json_key))),
        vals: Some(view.vals.map(|v| v.copied())),
    }
}
