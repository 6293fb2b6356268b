//! Hashing: the user's `BuildHasher`, the map's own 32-bit seed mixed into
//! every hash, and where new seeds come from.

#![forbid(unsafe_code)]

use core::hash::{BuildHasher, Hash, Hasher};

/// The default hash builder: [foldhash](https://docs.rs/foldhash)'s fast,
/// randomly keyed hasher.
///
/// Why foldhash: the map writes its 32-bit seed and then the key into one
/// hasher; foldhash buffers small writes in a 128-bit sponge, so the seed and
/// a `u64` key cost a single folded multiply, where SipHash (std's default)
/// runs its full rounds. Measured in BENCHMARKS.md (`scripts/bench.sh
/// quick`), where the same std `HashMap` runs with both: at N = 100,000 u64
/// keys, lookups with foldhash took 9.1 ns against SipHash's 30.1 and
/// inserts 25.1 ns against 69.4 — SipHash alone would cost more than Go's
/// whole map. A head-to-head of foldhash, aHash and FxHash inside `GoMap`
/// is still to be added (issue 6).
pub type DefaultHashBuilder = foldhash::fast::RandomState;

/// A source of 32-bit hash seeds (Go's `hash0`).
///
/// A map draws a seed when it is made, when a delete removes its last entry,
/// and when a non-empty map is cleared — where Go calls `fastrand()`. The
/// default source is a thread-local random generator; inject your own with
/// [`GoMap::with_capacity_hasher_and_seeds`](crate::GoMap::with_capacity_hasher_and_seeds)
/// to replay a recorded Go map or to make runs reproducible.
pub trait SeedSource: Send + Sync + 'static {
    /// The next seed.
    fn next_seed(&mut self) -> u32;
}

impl<F: FnMut() -> u32 + Send + Sync + 'static> SeedSource for F {
    fn next_seed(&mut self) -> u32 {
        self()
    }
}

/// Draws a seed from `source`, or from the thread-local generator.
pub(crate) fn draw_seed(source: &mut Option<Box<dyn SeedSource>>) -> u32 {
    match source {
        Some(s) => s.next_seed(),
        None => fastrand::u32(..),
    }
}

/// The map's hash of `key` under `seed`: the seed is written to the hasher
/// first, then the key. This is the contract a replaying hasher relies on.
#[inline(always)]
pub(crate) fn make_hash<Q: Hash + ?Sized, S: BuildHasher>(s: &S, seed: u32, key: &Q) -> u64 {
    let mut h = s.build_hasher();
    h.write_u32(seed);
    key.hash(&mut h);
    h.finish()
}
