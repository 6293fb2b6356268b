//! A small seeded random generator (splitmix64) for reproducible experiments.

#![forbid(unsafe_code)]

/// splitmix64: a 64-bit state stepped by the golden ratio and mixed; good enough to
/// pick keys and victims, and reproducible from its seed.
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
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

/// The `i`-th of a sequence of distinct, random-looking keys: splitmix64's
/// finalizer, a bijection of `u64`.
///
/// Sequential integers are a poor stand-in for real keys: under a multiplicative
/// hash such as foldhash's they fall into buckets more evenly than random keys
/// would, and tables built from them overflow less than Go's table assumes.
pub fn scatter(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stays_below_its_bound_and_repeats() {
        let mut a = super::SplitMix64::new(5);
        let mut b = super::SplitMix64::new(5);
        for _ in 0..1000 {
            let x = a.below(7);
            assert!(x < 7);
            assert_eq!(x, b.below(7));
        }
    }
}
