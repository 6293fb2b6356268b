//! Hash builders and seed sources for experiments that must be reproducible or
//! must shape where keys land.
//!
//! gomap hashes a key by writing its 32-bit seed and then the key into a hasher
//! from its `BuildHasher`. [`fixed`] makes that hasher deterministic;
//! [`seed_sequence`] makes the seeds deterministic; [`Masked`] clears chosen bits of
//! every hash, which steers keys into chosen buckets while the top byte (the
//! tophash) stays random.

#![forbid(unsafe_code)]

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::FixedState;
use gomap::{SwissMap, SwissWithHasher};

use crate::rng::SplitMix64;

/// The hasher gomap uses by default (foldhash), with a fixed key.
pub fn fixed(seed: u64) -> FixedState {
    FixedState::with_seed(seed)
}

/// A deterministic stream of 32-bit map seeds (splitmix64 from `seed`).
pub fn seed_sequence(seed: u64) -> impl FnMut() -> u32 + Send + Sync + 'static {
    let mut rng = SplitMix64::new(seed);
    move || rng.next_u64() as u32
}

/// A reproducible `SwissMap` made with `hint`: foldhash under [`fixed`]`(seed)`
/// and 64-bit map seeds from [`seed_sequence`]`(seed)`. A `GoMap` made from
/// the same `seed` hashes every key with the same hasher, so the two
/// generations can be run on one workload.
pub fn fixed_swiss<K, V>(hint: usize, seed: u64) -> SwissMap<K, V, FixedState> {
    SwissMap::with_capacity_hasher_and_seeds(hint, fixed(seed), seed_sequence(seed))
}

/// A `BuildHasher` whose hashes have the bits of `clear` set to zero.
///
/// With `clear = 1 << (B - 1)` every key of a `2^B`-bucket map lands in its lower
/// half; with `clear = 0xFFFF` every key lands in bucket 0 (for `B ≤ 16`).
#[derive(Debug, Clone)]
pub struct Masked {
    inner: FixedState,
    clear: u64,
}

impl Masked {
    /// Hashes of foldhash keyed with `seed`, with the bits of `clear` zeroed.
    pub fn new(seed: u64, clear: u64) -> Masked {
        Masked {
            inner: fixed(seed),
            clear,
        }
    }
}

impl BuildHasher for Masked {
    type Hasher = MaskedHasher;

    fn build_hasher(&self) -> MaskedHasher {
        MaskedHasher {
            inner: self.inner.build_hasher(),
            clear: self.clear,
        }
    }
}

/// The hasher of [`Masked`].
pub struct MaskedHasher {
    inner: <FixedState as BuildHasher>::Hasher,
    clear: u64,
}

impl Hasher for MaskedHasher {
    fn finish(&self) -> u64 {
        self.inner.finish() & !self.clear
    }

    fn write(&mut self, bytes: &[u8]) {
        self.inner.write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.inner.write_u8(i);
    }

    fn write_u32(&mut self, i: u32) {
        self.inner.write_u32(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.inner.write_u64(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.inner.write_usize(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_hashes_keep_their_top_byte_and_clear_the_mask() {
        let plain = fixed(7);
        let masked = Masked::new(7, 0xFFFF);
        for k in 0..100u64 {
            let (a, b) = (plain.hash_one(k), masked.hash_one(k));
            assert_eq!(b & 0xFFFF, 0);
            assert_eq!(a >> 56, b >> 56);
        }
    }

    #[test]
    fn seed_sequences_repeat() {
        let (mut a, mut b) = (seed_sequence(3), seed_sequence(3));
        for _ in 0..10 {
            assert_eq!(a(), b());
        }
    }
}
