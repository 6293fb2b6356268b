//! The classic map's snapshot types: every bucket chain as `dlv` or `gdb`
//! would show it for a Go map. Plain data in the leaf layer, so the engine
//! fills them without importing the public views (`gomap::layout`
//! re-exports them).

#![forbid(unsafe_code)]

use super::header::Header;

/// Where a bucket's memory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketOrigin {
    /// A main bucket of the array (index = its bucket number).
    Main,
    /// A preallocated overflow bucket at this index of the array's allocation.
    Pool(usize),
    /// An overflow bucket allocated on its own.
    Heap,
}

/// One bucket of a chain: its 8 tophash bytes and the entries in its slots.
#[derive(Debug)]
pub struct BucketView<'a, K, V> {
    /// Where this bucket lives.
    pub at: BucketOrigin,
    /// The tophash bytes, marks included (0 emptyRest, 1 emptyOne, 2
    /// evacuatedX, 3 evacuatedY, 4 evacuatedEmpty, ≥ 5 a full slot; named
    /// in [`crate::base::tophash`]).
    pub top: [u8; 8],
    /// The key in each full slot.
    pub keys: [Option<&'a K>; 8],
    /// The value in each full slot.
    pub vals: [Option<&'a V>; 8],
}

impl<K, V> Clone for BucketView<'_, K, V> {
    fn clone(&self) -> Self {
        BucketView {
            at: self.at,
            top: self.top,
            keys: self.keys,
            vals: self.vals,
        }
    }
}

/// The state of the preallocated overflow pool of the current array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PoolState {
    /// Allocation index of the next free pool bucket; `None` once used up.
    pub next_overflow: Option<usize>,
    /// Pool buckets still free.
    pub pre_free: usize,
}

/// Which chain holds a bucket index's entries now: the one a lookup of a
/// key in that bucket reads. Go: the `oldbuckets` test of `mapaccess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadFrom {
    /// The current array's chain at the same index.
    Current,
    /// The old array's chain at this index, not yet evacuated. During a
    /// doubling it holds the entries of two current bucket indices.
    Old(usize),
}

/// A bucket chain: the main bucket, then its overflow buckets in link order.
pub type Chain<'a, K, V> = Vec<BucketView<'a, K, V>>;

/// A snapshot of the whole map.
#[derive(Debug)]
pub struct Layout<'a, K, V> {
    /// The header.
    pub header: Header,
    /// Bytes per bucket (144 for `u64 → u64`, 208 for `Box<str> → u64`).
    pub bucket_size: usize,
    /// `size_of::<K>()`; keys above 128 bytes are boxed.
    pub key_size: usize,
    /// `size_of::<V>()`; values above 128 bytes are boxed.
    pub val_size: usize,
    /// Buckets in the current array's allocation (`2^B` plus the pool); 0
    /// while a `B = 0` map has not allocated its bucket yet.
    pub arr_len: usize,
    /// The pool, when the current array was allocated with one (`B ≥ 4`).
    pub pool: Option<PoolState>,
    /// For each bucket index of the current array, its chain.
    pub buckets: Vec<Chain<'a, K, V>>,
    /// The old array while a growth is in progress. An evacuated old bucket
    /// shows only its main bucket, whose marks are all 2, 3 or 4.
    pub old: Option<Vec<Chain<'a, K, V>>>,
    /// Buckets in the old array's allocation (`2^oldB` plus its pool); 0
    /// when not growing.
    pub old_arr_len: usize,
    /// For each bucket index of the current array, the chain that holds its
    /// entries now (empty while a `B = 0` map has no bucket).
    pub read_from: Vec<ReadFrom>,
}

impl<K, V> Layout<'_, K, V> {
    /// Overflow buckets linked into the current array's chains.
    pub fn overflow_buckets(&self) -> usize {
        self.buckets.iter().map(|c| c.len() - 1).sum()
    }
}

/// With the `serde` feature, a [`Layout`] serializes to the body of a dump
/// record of the oracle protocol (`../shared/go-map/PROTOCOL.md`): the
/// header fields, `buckets`/`oldbuckets` (a token or null — addresses mean
/// nothing across processes), `extra`, `bucketsize`, `arr_len`, `arr` and,
/// while growing, `old`. The caller adds `t`, `i` and `kt`.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// let mut m: gomap::GoMap<u64, u64> = gomap::GoMap::new();
/// m.insert(1, 10);
/// let v = serde_json::to_value(m.layout()).unwrap();
/// assert_eq!(v["B"], 0);
/// assert_eq!(v["arr"][0][0]["at"], "main");
/// assert_eq!(v["bucketsize"], 144);
/// # }
/// ```
#[cfg(feature = "serde")]
mod ser {
    use super::{BucketOrigin, BucketView, Layout};
    use serde::ser::{SerializeMap, SerializeStruct};
    use serde::{Serialize, Serializer};

    impl Serialize for BucketOrigin {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                BucketOrigin::Main => s.serialize_str("main"),
                BucketOrigin::Pool(i) => s.serialize_str(&format!("pre:{i}")),
                BucketOrigin::Heap => s.serialize_str("heap"),
            }
        }
    }

    impl<K: Serialize, V: Serialize> Serialize for BucketView<'_, K, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("BucketView", 4)?;
            st.serialize_field("at", &self.at)?;
            st.serialize_field("top", &self.top)?;
            st.serialize_field("keys", &self.keys)?;
            st.serialize_field("vals", &self.vals)?;
            st.end()
        }
    }

    impl<K: Serialize, V: Serialize> Serialize for Layout<'_, K, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let h = &self.header;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("count", &h.count)?;
            m.serialize_entry("flags", &h.flags)?;
            m.serialize_entry("B", &h.b)?;
            m.serialize_entry("noverflow", &h.noverflow)?;
            m.serialize_entry("hash0", &h.hash0)?;
            m.serialize_entry("buckets", &(self.arr_len > 0).then_some("array"))?;
            m.serialize_entry("oldbuckets", &self.old.as_ref().map(|_| "old"))?;
            m.serialize_entry("nevacuate", &h.nevacuate)?;
            m.serialize_entry("extra", &self.pool)?;
            m.serialize_entry("bucketsize", &self.bucket_size)?;
            m.serialize_entry("arr_len", &self.arr_len)?;
            m.serialize_entry("arr", &self.buckets)?;
            if let Some(old) = &self.old {
                m.serialize_entry("old", old)?;
            }
            m.end()
        }
    }
}
