//! # gomap — Go 1.19's runtime hash map, in Rust
//!
//! [`GoMap`] is the map of Go 1.19's `runtime/map.go`, bucket for bucket,
//! behind the API of `std::collections::HashMap`. Given the same hashes and
//! seeds, a `GoMap<u64, u64>` goes through exactly the layouts a Go
//! `map[uint64]uint64` goes through: the same `B`, the same slots, the same
//! overflow chains, the same growth steps. The repository proves this by
//! replaying recordings of a real Go 1.19 runtime (see `gomap-lab replay`).
//! Go 1.22 and 1.23 run the same map and their recordings replay the same;
//! Go 1.21's grows at a load factor of 6 instead of 6.5, so it is not matched
//! (`oracle/README.md`, "Versions").
//!
//! ## Two generations
//!
//! Go 1.24 replaced this map with a Swiss table (`internal/runtime/maps`).
//! [`SwissMap`] is that map as Go 1.27.3 runs it, behind the same API: a
//! `GoMap` whose engine parameter is [`Swiss`] instead of the default
//! [`Classic`]. Its constructors come from the [`SwissNew`] and
//! [`SwissWithHasher`] traits, so that `GoMap::new()` keeps meaning the
//! classic map. The rest of this essay describes the classic engine; the
//! Swiss engine's design is on [`SwissMap`] and in `src/swiss/mod.rs`.
//!
//! ## Layout
//!
//! The map is an array of `2^B` buckets. A bucket has 8 slots: first the 8
//! *tophash* bytes (the top byte of each slot's hash, or a mark), then the 8
//! keys, then the 8 values, then a pointer to an overflow bucket. Keys and
//! values are grouped rather than interleaved so that a `u8 → u64` map needs
//! no padding. Keys or values larger than 128 bytes live in their own box and
//! the slot holds the pointer. For `u64 → u64` a bucket is 144 bytes; for a
//! 16-byte string key to `u64` it is 208 — the sizes of Go's `bmap`.
//!
//! A key's hash picks its bucket with its low `B` bits; its top byte is the
//! slot's tophash (values below 5 are bumped up by 5, because 0–4 are marks:
//! *emptyRest* — this and every later slot of the chain is empty, so a
//! lookup can stop; *emptyOne*; and three marks for evacuated slots). A
//! lookup compares tophash bytes first and keys only where they match.
//!
//! When a bucket's 8 slots are full, an overflow bucket is linked to it.
//! From `B = 4`, the bucket array is allocated with spare buckets behind the
//! main ones — `2^(B-4)`, rounded up to fill Go's malloc size class — which
//! are handed out as overflow buckets before any is allocated on its own.
//!
//! ## Growth
//!
//! An insert of a new key starts a growth when the map holds more than 6.5
//! entries per bucket (it doubles `B`), or when it has taken about as many
//! overflow buckets as it has buckets (it keeps `B` and repacks the chains:
//! a *same-size* growth, which heals maps left sparse by deletes). A growth
//! allocates the new array and nothing more. The move is paid off by later
//! writes: each insert or delete first *evacuates* the old bucket its key
//! comes from, then one more at the `nevacuate` mark — so no single write
//! ever moves more than two buckets' chains. Lookups during a growth read the
//! old bucket when it has not been evacuated yet. This is why a `GoMap` has
//! no rehash pause: the worst insert pays for the allocation and two chains,
//! not for the whole table.
//!
//! ## Iteration
//!
//! Iteration starts at a random bucket and a random slot offset each time,
//! as Go's `range` does, so no program can depend on an order. During a
//! growth it walks the new array's order and reads not-yet-evacuated old
//! buckets in place.
//!
//! ## Hashing and seeds
//!
//! The map hashes a key with its `S: BuildHasher` after writing its own
//! 32-bit seed (`hash0`) into the hasher. Like Go, it draws a new seed when a
//! delete removes the last entry and when a non-empty map is cleared. Seeds
//! come from a thread-local generator or from a [`SeedSource`] you pass in,
//! which makes a map reproducible. The default `S` is
//! [`DefaultHashBuilder`] (foldhash): see its docs for why.
//!
//! ## Differences from Go that are not layout
//!
//! Go keeps slices of overflow-bucket pointers for its garbage collector and
//! allocates every overflow bucket beyond the pool on its own; gomap carves
//! those "heap" buckets from chunks owned by the array whose chains they
//! extend, and frees them with that array — after a growth, a chunk per
//! write, so no single write pays for freeing a whole generation of them.
//! Overwriting a key keeps the stored key, as std does. `retain` removes in place with Go's delete bookkeeping
//! but without growth work; the growth resumes with the next write.
//!
//! ## Sharing a map between threads
//!
//! A Go map written from two goroutines at once crashes with "concurrent
//! map writes"; a `GoMap` written from two threads does not compile, since
//! writes need `&mut`. Put it behind a lock, or use [`SyncMap`]: Go 1.19's
//! `sync.Map` (a lock-free read map, a locked dirty map, promotion after
//! enough misses) built on two `GoMap`s, with loads that take no lock.
//!
//! ## Safety
//!
//! All `unsafe` code is in the private `raw` module, the Swiss engine's
//! private `swiss` module and, for the concurrent map, the private
//! `sync_map` module; every other module is
//! `#![forbid(unsafe_code)]`. Every `unsafe fn` states its contract under
//! `# Safety` and every `unsafe` block says why the contract holds. A user
//! `Hash`, `Eq`, `Clone` or `Drop` that panics leaves the map valid: during
//! an evacuation all keys are hashed before any entry moves, and a `Drop`
//! that panics while the map drops many entries does not keep the others
//! from being dropped.

#![warn(missing_docs)]

// The layers, leaf first (ARCHITECTURE.md says what may import what).
mod base;
mod engine;
mod introspect;
mod map;
mod raw;
mod swiss;
mod sync_map;

pub mod gohash;
pub use base::swiss_layout;
pub use base::tophash;
pub use introspect::{events, layout, stats};
pub use map::set;

pub use base::hash::{DefaultHashBuilder, SeedSource};
pub use engine::{Classic, Engine, Swiss};
pub use equivalent::Equivalent;
pub use layout::{BucketOrigin, BucketView, Header, Layout, PoolState, ReadFrom};
pub use map::entry::{Entry, OccupiedEntry, VacantEntry};
pub use map::entry_ref::{EntryRef, VacantEntryRef};
pub use map::iter::{
    Drain, IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Values, ValuesMut,
};
pub use map::range::Range;
pub use map::set::GoSet;
pub use map::std_api::ExtractIf;
pub use map::swiss::{SwissNew, SwissWithHasher};
pub use map::{GoMap, TryReserveError, MAX_BUCKET_BYTES};

/// Go 1.24+'s runtime map — the Swiss table of `internal/runtime/maps` —
/// with the same std-shaped API as [`GoMap`].
///
/// A small map (up to 8 entries) is one group of 8 control bytes and 8
/// slots; beyond that, tables of up to 1,024 slots under an
/// extendible-hashing directory, probed quadratically by group, growing by
/// rehash to double size and then by split. Given the same hashes and
/// seeds, a `SwissMap<u64, u64>` reaches exactly the layouts (directory,
/// tables, control bytes, slots) a Go 1.27.3 `map[uint64]uint64` reaches;
/// `tests/swiss_samples.rs` replays recordings of the real runtime. Go 1.25
/// and 1.26 agree except for an overwrite in a full small map, which grows
/// them to a table. A key is hashed as: build a hasher, `write_u64(seed)`,
/// then `key.hash(..)`.
///
/// ```
/// use gomap::{SwissMap, SwissNew};
///
/// let mut m = SwissMap::new();
/// for i in 0..9u64 { m.insert(i, i * 10); }
/// let h = m.header();
/// // The 9th key moved the small map into a 16-slot table under a one-entry directory.
/// assert_eq!((h.used, h.dir_len, h.global_depth), (9, 1, 0));
/// assert_eq!(m.layout().tables[0].capacity, 16);
/// assert_eq!(m.get(&3), Some(&30));
/// ```
pub type SwissMap<K, V, S = DefaultHashBuilder> = GoMap<K, V, S, Swiss>;
#[doc(hidden)]
pub use sync_map::DebugState as SyncMapDebugState;
#[doc(hidden)]
pub use sync_map::{DebugEntry as SyncMapDebugEntry, DebugEntryState as SyncMapEntryState};
pub use sync_map::{Pinned, Ref, SyncMap};

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
