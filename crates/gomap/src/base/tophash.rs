//! The tophash byte of a slot: the top byte of its key's hash, or one of
//! five marks. Go: the `emptyRest` … `minTopHash` constants of
//! `runtime/map.go`.
//!
//! Every bucket starts with 8 of these bytes, one per slot. A byte from
//! [`MIN_TOP_HASH`] up says the slot holds an entry whose hash has that top
//! byte; the values below it are marks. A hash whose top byte falls below
//! [`MIN_TOP_HASH`] is bumped up by it, so a full slot is never read as a
//! mark. These names are public so that views of a [`Layout`] (stats, the
//! lab, a debugger) read the marks by name instead of by number.
//!
//! [`Layout`]: crate::Layout

#![forbid(unsafe_code)]

/// This slot and every later slot of its chain (overflow buckets included)
/// is empty, so a lookup can stop here. Go: `emptyRest`.
pub const EMPTY_REST: u8 = 0;
/// This slot is empty; a later slot of the chain may be full. Go: `emptyOne`.
pub const EMPTY_ONE: u8 = 1;
/// Old-array slot whose entry moved to the X half (same index) of the new
/// array. Go: `evacuatedX`.
pub const EVACUATED_X: u8 = 2;
/// Old-array slot whose entry moved to the Y half (index + old bucket
/// count) of the new array. Go: `evacuatedY`.
pub const EVACUATED_Y: u8 = 3;
/// Old-array slot that was empty when its bucket was evacuated.
/// Go: `evacuatedEmpty`.
pub const EVACUATED_EMPTY: u8 = 4;
/// Smallest tophash of a full slot. Go: `minTopHash`.
pub const MIN_TOP_HASH: u8 = 5;

/// Whether `top` marks an empty slot of a bucket not yet evacuated
/// (emptyRest or emptyOne). Go: `isEmpty`.
#[inline(always)]
pub const fn is_empty(top: u8) -> bool {
    top <= EMPTY_ONE
}

/// Whether `top` is one of the three evacuation marks. Read on a bucket's
/// slot 0, it says whether the whole bucket is evacuated. Go: `evacuated`.
#[inline(always)]
pub const fn is_evacuated(top: u8) -> bool {
    top > EMPTY_ONE && top < MIN_TOP_HASH
}

/// Whether `top` is the tophash of a slot that holds an entry.
#[inline(always)]
pub const fn is_full(top: u8) -> bool {
    top >= MIN_TOP_HASH
}

/// The tophash of a hash: its top byte, moved clear of the marks.
/// Go: `runtime.tophash`.
#[inline(always)]
pub const fn tophash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tophash_avoids_marks() {
        assert_eq!(tophash(0), MIN_TOP_HASH);
        assert_eq!(tophash(4 << 56), 9);
        assert_eq!(tophash(5 << 56), 5);
        assert_eq!(tophash(u64::MAX), 255);
        for top in 0..=255u8 {
            assert!(is_full(tophash(u64::from(top) << 56)));
        }
    }

    #[test]
    fn every_byte_is_exactly_one_kind() {
        for top in 0..=255u8 {
            let kinds = [is_empty(top), is_evacuated(top), is_full(top)];
            assert_eq!(kinds.iter().filter(|&&k| k).count(), 1, "{top}");
        }
        assert!(is_empty(EMPTY_REST) && is_empty(EMPTY_ONE));
        for mark in [EVACUATED_X, EVACUATED_Y, EVACUATED_EMPTY] {
            assert!(is_evacuated(mark));
        }
        assert!(is_full(MIN_TOP_HASH) && !is_full(MIN_TOP_HASH - 1));
    }
}
