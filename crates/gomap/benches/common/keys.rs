//! The key sequences every benchmark uses, in Rust and (mirrored line for
//! line) in `bench/go/main.go`, so gomap, the Rust baselines and Go's map see
//! exactly the same keys in the same order.
//!
//! - keys: the splitmix64 stream from [`SEED`]; `u64` keys are its outputs,
//!   `String` keys their decimal text. Map keys are outputs `0..n`; miss
//!   probes are outputs `n..2n` (distinct from the map keys, checked).
//! - shuffles: Fisher–Yates driven by a splitmix64 stream from [`SHUFFLE_SEED`].
//! - mixed workload: see [`MixedOp`].
#![forbid(unsafe_code)]
#![allow(dead_code)]

/// Seed of the key stream.
pub const SEED: u64 = 0x676f_6d61_7042_656e; // "gomapBen"
/// Seed of the shuffle stream.
pub const SHUFFLE_SEED: u64 = 0x5348_5546_464c_4521;
/// Seed of the mixed workload's lookup picks.
pub const MIX_SEED: u64 = 0x4d49_5845_4421_2121;
/// Operations in one run of the mixed workload.
pub const MIXED_OPS: usize = 200_000;

/// splitmix64 (Steele, Lea, Flood 2014), the generator of Java's
/// `SplittableRandom` and of xoshiro's seeding.
#[derive(Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Outputs `0..n` of the key stream.
pub fn u64_keys(n: usize) -> Vec<u64> {
    let mut r = SplitMix64(SEED);
    (0..n).map(|_| r.next_u64()).collect()
}

/// `n` map keys followed by `n` miss probes.
pub fn u64_keys_and_misses(n: usize) -> (Vec<u64>, Vec<u64>) {
    let mut all = u64_keys(2 * n);
    let misses = all.split_off(n);
    (all, misses)
}

/// Decimal text of the `u64` keys.
pub fn string_keys(n: usize) -> Vec<String> {
    u64_keys(n).into_iter().map(|k| k.to_string()).collect()
}

/// A Fisher–Yates shuffle of `0..n`: for i from n-1 down to 1, swap i with
/// `next % (i + 1)`.
pub fn shuffled_indices(n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let mut r = SplitMix64(SHUFFLE_SEED);
    for i in (1..n).rev() {
        let j = (r.next_u64() % (i as u64 + 1)) as usize;
        idx.swap(i, j);
    }
    idx
}

/// One operation of the steady mixed workload. The map starts with keys
/// `0..n`; the live keys are always the window `lo..hi` of the key stream.
/// Operation `i` is, by `i % 4`: 0 and 2 — look up key
/// `lo + MIX.next() % (hi - lo)` (a hit); 1 — insert key `hi` (new), `hi += 1`;
/// 3 — remove key `lo` (the oldest), `lo += 1`. So 50% lookups, 25% inserts,
/// 25% removes, and the size stays between n and n + 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MixedOp {
    Lookup(usize),
    Insert(usize),
    Remove(usize),
}

/// The mixed workload's operations for a map of `n` keys (key indices into
/// the key stream, which must be at least `n + ops / 4 + 1` long).
pub fn mixed_ops(n: usize, ops: usize) -> Vec<MixedOp> {
    let mut r = SplitMix64(MIX_SEED);
    let (mut lo, mut hi) = (0usize, n);
    (0..ops)
        .map(|i| match i % 4 {
            1 => {
                hi += 1;
                MixedOp::Insert(hi - 1)
            }
            3 => {
                lo += 1;
                MixedOp::Remove(lo - 1)
            }
            _ => MixedOp::Lookup(lo + (r.next_u64() % (hi - lo) as u64) as usize),
        })
        .collect()
}

/// Keys the mixed workload needs for a map of `n`.
pub fn mixed_key_count(n: usize, ops: usize) -> usize {
    n + ops / 4 + 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn splitmix_reference() {
        // First outputs of splitmix64 seeded with 0 (reference values).
        let mut r = super::SplitMix64(0);
        assert_eq!(r.next_u64(), 0xe220a8397b1dcdaf);
        assert_eq!(r.next_u64(), 0x6e789e6aa1b965f4);
    }
}
