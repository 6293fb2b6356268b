//! The explorer's hashing: one function that gives the same 64-bit hash on
//! wasm32 and on x86-64, and the stream of map seeds a scenario seed names.
//!
//! gomap's default hasher, foldhash, is not that function: without 128-bit
//! multiplies (wasm32 lacks them unless the `wide-arithmetic` proposal is
//! enabled) it approximates its folded multiply, so its hashes on wasm32
//! differ from its hashes on x86-64 for the same key and seed. The explorer
//! uses std's SipHash-1-3 with its fixed zero key instead: plain 64-bit
//! arithmetic, the same on every target, so the page's layouts equal the
//! ones a native `GoMap` reaches (the browser test compares them). Like Go,
//! whose hash function is fixed per process, the scenario changes where
//! keys land through the map's seed, `hash0`, not through the function.

#![forbid(unsafe_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

/// The explorer's `BuildHasher`: SipHash-1-3 with the zero key.
pub type ExplorerHasher = BuildHasherDefault<DefaultHasher>;

/// The hash a `GoMap<_, _, ExplorerHasher>` with seed `hash0` computes for
/// `key`: gomap writes the seed into a fresh hasher, then the key.
pub fn hash_of<Q: Hash + ?Sized>(hash0: u32, key: &Q) -> u64 {
    let mut h = ExplorerHasher::default().build_hasher();
    h.write_u32(hash0);
    key.hash(&mut h);
    h.finish()
}

/// The hash a `SwissMap<_, _, ExplorerHasher>` with seed `seed` computes
/// for `key`: the Swiss engine writes its 64-bit seed first, then the key.
pub fn swiss_hash_of<Q: Hash + ?Sized>(seed: u64, key: &Q) -> u64 {
    let mut h = ExplorerHasher::default().build_hasher();
    h.write_u64(seed);
    key.hash(&mut h);
    h.finish()
}

/// splitmix64, the generator behind the seed stream and the workloads.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The map seeds (`hash0`) of a scenario with seed `seed`: the low 32 bits
/// of splitmix64's outputs — the stream `gomap-lab`'s `seed_sequence` gives.
pub fn seed_stream(seed: u64) -> impl FnMut() -> u32 + Send + Sync + 'static {
    let mut rng = SplitMix64::new(seed);
    move || rng.next_u64() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_is_what_a_map_with_that_seed_uses() {
        // A map with seed s puts key k in bucket hash_of(s, k) & mask: check
        // it through the layout of a one-bucket-per-key-sized map.
        let mut seeds = seed_stream(9);
        let hash0 = seeds();
        let mut m: gomap::GoMap<u64, u64, ExplorerHasher> =
            gomap::GoMap::with_capacity_hasher_and_seeds(
                100,
                ExplorerHasher::default(),
                seed_stream(9),
            );
        assert_eq!(m.header().hash0, hash0);
        m.insert(42, 1);
        let l = m.layout();
        let mask = (1u64 << l.header.b) - 1;
        let bucket = (hash_of(hash0, &42u64) & mask) as usize;
        assert!(l.buckets[bucket][0].keys.contains(&Some(&42)));
    }

    #[test]
    fn swiss_hash_of_is_what_a_swiss_map_with_that_seed_uses() {
        use gomap::SwissWithHasher;
        let mut m: gomap::SwissMap<u64, u64, ExplorerHasher> =
            gomap::SwissMap::with_capacity_hasher_and_seeds(
                100,
                ExplorerHasher::default(),
                seed_stream(9),
            );
        m.insert(42, 1);
        let l = m.layout();
        let hash = swiss_hash_of(l.header.seed, &42u64);
        let t = &l.tables[0];
        let g = (hash >> 7) as usize & t.length_mask();
        let s = t.groups[g].slots.iter().position(|s| s.is_some()).unwrap();
        assert_eq!(t.groups[g].ctrl[s], (hash & 0x7f) as u8);
    }

    #[test]
    fn hashes_are_fixed_values() {
        // SipHash-1-3 with the zero key: these hold on every target (the
        // browser test checks the page against native layouts too).
        assert_eq!(hash_of(0, &0u64), 0x21ce_683a_8657_94df);
        assert_eq!(hash_of(7, "go"), 0x639c_cf5c_b8f9_e0ed);
    }
}
