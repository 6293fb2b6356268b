//! The SWAR tier: a bucket's 8 tophash bytes read as one little-endian
//! `u64` (byte `i` is slot `i`), and the byte masks a scan needs, built on
//! the marks of [`crate::base::tophash`].
//!
//! A [`BitMask`] has the high bit of byte `i` set when slot `i` qualifies;
//! its lowest set bit is the first such slot. Deals only in bytes: which
//! bucket the word came from is the caller's business (hashbrown keeps the
//! same split between its control bytes and its table).

use crate::base::tophash::{EMPTY_ONE, MIN_TOP_HASH};

/// `0x01` in every byte.
pub(super) const LSB: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte: every slot of a bucket, as a mask.
pub(super) const MSB: u64 = 0x8080_8080_8080_8080;

/// Bytes of `x` that are zero. Exact: no carries cross bytes.
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    !((x & !MSB).wrapping_add(!MSB) | x) & MSB
}

/// The 8 tophash bytes of one bucket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Group(pub(super) u64);

impl Group {
    /// The group of these tophash bytes.
    #[inline(always)]
    pub(super) const fn from_bytes(tops: [u8; 8]) -> Group {
        Group(u64::from_le_bytes(tops))
    }

    /// The tophash bytes.
    #[inline(always)]
    pub(super) const fn to_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }

    /// Slots whose tophash is `top`.
    #[inline(always)]
    pub(super) const fn match_top(self, top: u8) -> BitMask {
        BitMask(zero_bytes(self.0 ^ (LSB * top as u64)))
    }

    /// Slots that are empty (emptyRest or emptyOne). Go: `isEmpty`.
    #[inline(always)]
    pub(super) const fn match_empty(self) -> BitMask {
        // Clearing bit 0 maps emptyOne onto emptyRest and nothing else
        // onto zero.
        const { assert!(EMPTY_ONE == 1) };
        BitMask(zero_bytes(self.0 & !LSB))
    }

    /// Slots marked emptyRest. By the emptyRest rule every later slot of
    /// the chain is empty too, so a scan may stop at the first one.
    #[inline(always)]
    pub(super) const fn match_empty_rest(self) -> BitMask {
        const { assert!(crate::base::tophash::EMPTY_REST == 0) };
        BitMask(zero_bytes(self.0))
    }

    /// Slots that hold an entry (tophash >= `MIN_TOP_HASH`).
    #[inline(always)]
    pub(super) const fn match_full(self) -> BitMask {
        // Below 0x80, adding 0x80 - MIN_TOP_HASH sets the high bit exactly
        // from MIN_TOP_HASH up (no carry leaves the byte); from 0x80 the
        // byte's own high bit is set.
        BitMask(((self.0 & !MSB).wrapping_add(LSB * (0x80 - MIN_TOP_HASH) as u64) | self.0) & MSB)
    }
}

/// A set of slots of one bucket: the high bit of byte `i` stands for slot
/// `i`. Iterates the slots in ascending order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct BitMask(pub(super) u64);

impl BitMask {
    /// Whether any slot is in the set.
    #[inline(always)]
    pub(super) const fn any(self) -> bool {
        self.0 != 0
    }

    /// The lowest slot of the set, if any.
    #[inline(always)]
    pub(super) const fn lowest(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some(first_slot(self.0))
        }
    }

    /// The mask of one slot.
    #[inline(always)]
    pub(super) const fn slot(i: usize) -> u64 {
        0x80 << (i * 8)
    }
}

impl Iterator for BitMask {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        let i = self.lowest()?;
        self.0 &= self.0 - 1;
        Some(i)
    }
}

/// Slot index of a raw mask's lowest set bit.
#[inline(always)]
pub(super) const fn first_slot(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::tophash::{is_empty, is_full, EMPTY_REST};

    #[test]
    fn swar_masks_match_byte_loops() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..if cfg!(miri) { 300u64 } else { 20_000 } {
            // Bytes drawn mostly from the marks and a few tophash values.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = [0u8, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0x81, 0xfe, 0xff];
            let mut bytes = [0u8; 8];
            for (j, byte) in bytes.iter_mut().enumerate() {
                *byte = pick[((x >> (j * 5 + 3)) % pick.len() as u64) as usize];
            }
            let g = Group::from_bytes(bytes);
            assert_eq!(g.to_bytes(), bytes);
            let top = pick[(round % pick.len() as u64) as usize].max(MIN_TOP_HASH);
            let mask = |f: &dyn Fn(u8) -> bool| {
                bytes.iter().enumerate().fold(
                    0u64,
                    |m, (j, &t)| if f(t) { m | BitMask::slot(j) } else { m },
                )
            };
            assert_eq!(g.match_top(top).0, mask(&|t| t == top), "{bytes:?} {top}");
            assert_eq!(g.match_empty().0, mask(&|t| is_empty(t)), "{bytes:?}");
            assert_eq!(
                g.match_empty_rest().0,
                mask(&|t| t == EMPTY_REST),
                "{bytes:?}"
            );
            assert_eq!(g.match_full().0, mask(&|t| is_full(t)), "{bytes:?}");
            let slots: Vec<usize> = g.match_full().collect();
            let want: Vec<usize> = (0..8).filter(|&j| is_full(bytes[j])).collect();
            assert_eq!(slots, want, "{bytes:?}");
            assert_eq!(g.match_full().lowest(), want.first().copied());
        }
    }
}
