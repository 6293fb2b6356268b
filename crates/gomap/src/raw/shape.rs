//! The shape of one bucket: where the tophash bytes, keys, values and the
//! overflow pointer live, computed at compile time for each `(K, V)`.
//!
//! A bucket is Go's `bmap`, `#[repr(C)]` in spirit:
//!
//! ```text
//! [ tophash: [u8; 8] | key 0 .. key 7 | value 0 .. value 7 | overflow: *mut bucket ]
//! ```
//!
//! Keys (values) larger than [`MAX_INLINE_SIZE`] bytes are stored indirectly:
//! the slot holds a pointer to a boxed key (value), as Go does. The layout is
//! expressed as byte offsets rather than a generic struct because the slot type
//! depends on a size test, which a Rust type cannot do.

use core::marker::PhantomData;
use core::mem::{align_of, size_of};

/// Slots per bucket. Go: `bucketCnt`.
pub(crate) const BUCKET_CNT: usize = 8;

pub(crate) use crate::base::tophash::{
    is_evacuated, is_full, tophash, EMPTY_ONE, EMPTY_REST, EVACUATED_EMPTY, EVACUATED_X,
    EVACUATED_Y,
};

/// Keys and values larger than this are boxed and the slot holds the pointer.
/// Go: `maxKeySize` / `maxElemSize`.
pub(crate) const MAX_INLINE_SIZE: usize = 128;

const fn round_up(n: usize, align: usize) -> usize {
    n.div_ceil(align) * align
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Byte offsets and sizes of a bucket holding `K` keys and `V` values.
pub(crate) struct Shape<K, V>(PhantomData<(K, V)>);

impl<K, V> Shape<K, V> {
    /// Keys are boxed and the slot holds a `*mut K`.
    pub(crate) const INDIRECT_KEY: bool = size_of::<K>() > MAX_INLINE_SIZE;
    /// Values are boxed and the slot holds a `*mut V`.
    pub(crate) const INDIRECT_VAL: bool = size_of::<V>() > MAX_INLINE_SIZE;

    const KEY_SLOT: usize = if Self::INDIRECT_KEY {
        size_of::<*mut K>()
    } else {
        size_of::<K>()
    };
    const KEY_ALIGN: usize = if Self::INDIRECT_KEY {
        align_of::<*mut K>()
    } else {
        align_of::<K>()
    };
    const VAL_SLOT: usize = if Self::INDIRECT_VAL {
        size_of::<*mut V>()
    } else {
        size_of::<V>()
    };
    const VAL_ALIGN: usize = if Self::INDIRECT_VAL {
        align_of::<*mut V>()
    } else {
        align_of::<V>()
    };

    /// Offset of key slot 0 (Go's `dataOffset` for 8-byte-aligned keys).
    pub(crate) const KEY_OFF: usize = round_up(BUCKET_CNT, Self::KEY_ALIGN);
    /// Offset of value slot 0.
    pub(crate) const VAL_OFF: usize =
        round_up(Self::KEY_OFF + BUCKET_CNT * Self::KEY_SLOT, Self::VAL_ALIGN);
    /// Offset of the overflow pointer: the bucket's last word.
    pub(crate) const OVF_OFF: usize = round_up(
        Self::VAL_OFF + BUCKET_CNT * Self::VAL_SLOT,
        align_of::<*mut u8>(),
    );
    /// Alignment of a bucket.
    pub(crate) const ALIGN: usize =
        max(align_of::<*mut u8>(), max(Self::KEY_ALIGN, Self::VAL_ALIGN));
    /// Size of a bucket in bytes: 144 for `u64 → u64`, 208 for a 16-byte string
    /// key to `u64`, as Go's `bmap` for the same types.
    pub(crate) const SIZE: usize = round_up(Self::OVF_OFF + size_of::<*mut u8>(), Self::ALIGN);

    /// Whether dropping an entry in place does anything: a `K` or `V` with
    /// drop glue, or a box to free.
    pub(crate) const NEEDS_DROP: bool = core::mem::needs_drop::<K>()
        || core::mem::needs_drop::<V>()
        || Self::INDIRECT_KEY
        || Self::INDIRECT_VAL;

    /// Byte offset of key slot `i`.
    #[inline(always)]
    pub(crate) const fn key_off(i: usize) -> usize {
        Self::KEY_OFF + i * Self::KEY_SLOT
    }

    /// Byte offset of value slot `i`.
    #[inline(always)]
    pub(crate) const fn val_off(i: usize) -> usize {
        Self::VAL_OFF + i * Self::VAL_SLOT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bucket_sizes() {
        assert_eq!(Shape::<u64, u64>::SIZE, 144);
        assert_eq!(Shape::<Box<str>, u64>::SIZE, 208);
        assert_eq!(Shape::<&str, u64>::SIZE, 208);
        assert_eq!(Shape::<u64, u64>::OVF_OFF, 136);
        assert_eq!(Shape::<[u8; 200], u64>::SIZE, 8 + 64 + 64 + 8);
        const { assert!(Shape::<[u8; 200], u64>::INDIRECT_KEY) };
        const { assert!(!Shape::<[u8; 128], u64>::INDIRECT_KEY) };
        assert_eq!(Shape::<(), ()>::SIZE, 16);
    }
}
