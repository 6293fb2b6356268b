//! Hashing: the user's `BuildHasher`, the map's own 32-bit seed mixed into
//! every hash, and where new seeds come from.

#![forbid(unsafe_code)]

use core::hash::{BuildHasher, Hash, Hasher};

/// The default hash builder: [foldhash](https://docs.rs/foldhash)'s fast,
/// randomly keyed hasher.
///
/// Why foldhash: the map writes its 32-bit seed and then the key into one
/// hasher. foldhash buffers small integer writes in a 128-bit sponge, so the
/// seed and a `u64` key together cost one folded multiply — the seed adds a
/// shift and an `or` (the whole hash is about ten instructions in the
/// compiled insert path). For a string the seed waits in the sponge and is
/// folded in by `finish`, which has to fold the `str` terminator byte
/// anyway. A default hasher of our own that folded the seed some other way
/// would have nothing left to save, so there is none.
///
/// Inside `GoMap`, foldhash's fast variant is the fastest of the five
/// candidates (foldhash fast and quality, aHash, FxHash, SipHash-1-3), or
/// tied with aHash, on `u64` and `String` inserts and lookups: `cargo
/// bench -p gomap --bench hashers` measures them, and `bench/hashers.md`
/// has the figures.
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

    /// The next 64-bit seed, for the Swiss map (Go 1.24+ seeds a map with a
    /// full 64-bit random value). By default two 32-bit seeds, high half
    /// first; a replay that must reproduce recorded 64-bit seeds overrides it.
    fn next_seed_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_seed());
        (hi << 32) | u64::from(self.next_seed())
    }
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

/// Draws a 64-bit seed from `source`, or from the thread-local generator.
pub(crate) fn draw_seed_u64(source: &mut Option<Box<dyn SeedSource>>) -> u64 {
    match source {
        Some(s) => s.next_seed_u64(),
        None => fastrand::u64(..),
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
