//! The seam between the std-shaped map and the engines behind it.
//!
//! [`GoMap`](crate::GoMap) is written once, over the crate-internal trait
//! [`Table`]: lookups, writes, the entry API, iteration, `range()`, `retain`,
//! `drain`, the traits. An engine is a type implementing `Table`; an
//! [`Engine`] marker names it, so a map's generation is a type parameter
//! (`GoMap<K, V, S, Classic>`) rather than a second copy of the map.
//!
//! Decisions, each with its reason:
//!
//! - **A marker with a generic associated type, not the table type itself,
//!   is the parameter**, so public signatures read `GoMap<K, V, S, Classic>`
//!   and never name a raw table.
//! - **The trait is sealed and its table side is crate-internal**: an engine
//!   holds `unsafe` invariants the safe layer relies on, so only this crate
//!   can supply one.
//! - **Hashing stays in the safe layer**: the engine receives finished
//!   64-bit hashes and a rehash closure for moving entries, as Go's map
//!   receives `t.hasher`. The engine only says how its seed enters a hash
//!   ([`Table::hash_seed`]), since Go's two generations differ there (a
//!   32-bit `hash0` for the classic map, a 64-bit seed for the Swiss map).
//! - **Engine-specific views (`header()`, `layout()`, `stats()`) are inherent
//!   methods on `GoMap<K, V, S, ThatEngine>`**, not trait methods: their
//!   types differ by generation.

#![forbid(unsafe_code)]

use core::fmt;
use core::hash::{BuildHasher, Hash, Hasher};
use core::iter::FusedIterator;

use crate::base::event::{ObserverSlot, ReseedCause};
use crate::base::hash::SeedSource;

mod classic;
mod swiss;

/// Which of Go's map generations a [`GoMap`](crate::GoMap) runs. Sealed:
/// the engines are this crate's.
pub trait Engine: sealed::Sealed + Sized + 'static {
    /// The engine's table for keys `K` and values `V`.
    #[doc(hidden)]
    type Table<K, V>: Table<K, V>;
}

/// Go 1.19's classic map (Go ≤ 1.23): buckets of 8 slots with tophash bytes,
/// overflow chains, incremental evacuation. The default engine of
/// [`GoMap`](crate::GoMap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Classic;

impl Engine for Classic {
    type Table<K, V> = crate::raw::RawTable<K, V>;
}

/// Go 1.24+'s Swiss-table map: groups of 8 slots with control bytes,
/// tables of up to 1,024 slots under an extendible-hashing directory.
/// Matches Go 1.27.3, and Go 1.25 and 1.26 too except where a small map
/// holding 8 keys overwrites one (they grow to a table there, 1.27 stays
/// small). The engine of [`SwissMap`](crate::SwissMap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Swiss;

impl Engine for Swiss {
    type Table<K, V> = crate::swiss::RawSwiss<K, V>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Classic {}
    impl Sealed for super::Swiss {}
}

pub use crate::base::seam::{CapacityError, RawEntry};

/// A full slot found by [`Table::entry`], holding the table's unique borrow.
pub trait OccupiedSlot<'a, K, V> {
    /// The engine's seed type, drawn again when a remove empties the map.
    type Seed;
    fn key(&self) -> &K;
    fn get(&self) -> &V;
    fn get_mut(&mut self) -> &mut V;
    fn into_mut(self) -> &'a mut V;
    /// Removes the entry with the engine's delete rules; `reseed` is called
    /// when the map becomes empty.
    fn remove(self, reseed: impl FnOnce() -> Self::Seed) -> (K, V);
    /// Swaps the stored key for `key`, which equals it (a set's `replace`).
    fn replace_key(&mut self, key: K) -> K;
}

/// A vacant position found by [`Table::entry`], holding the table's unique
/// borrow; the write's growth work is already done.
pub trait VacantSlot<'a, K, V> {
    /// The slot's full counterpart, for `insert_entry`.
    type Occupied: OccupiedSlot<'a, K, V>;
    /// Inserts the entry (growing first where Go would); `hasher` rehashes
    /// entries a growth moves.
    fn insert(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError>;
    /// Inserts the entry and hands it back as an occupied one.
    fn insert_occupied(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<Self::Occupied, CapacityError>;
}

/// An `extract_if` walk, holding the table's unique borrow.
pub trait ExtractCursor<K, V> {
    /// The engine's seed type.
    type Seed;
    /// The next entry `pred` accepts, removed with the engine's delete rules
    /// (no growth work); `reseed` is called when the map becomes empty.
    fn next(
        &mut self, pred: impl FnMut(&K, &mut V) -> bool, reseed: impl FnOnce() -> Self::Seed,
    ) -> Option<(K, V)>;
    /// Entries left in the table.
    fn table_len(&self) -> usize;
}

/// An iterator's entries not yet yielded, read-only and in the order it
/// would yield them, for `Debug`.
pub trait Remaining<K, V> {
    fn remaining<'a>(&'a self) -> impl Iterator<Item = (&'a K, &'a V)>
    where
        K: 'a,
        V: 'a;
}

/// An engine's table: everything the safe layer needs, in hashes and
/// closures. Implemented by `raw::RawTable` (the classic map) and
/// `swiss::RawSwiss` (the Swiss map).
///
/// Contract for every implementation:
/// - `eq` closures are only called on keys whose stored hash matches the
///   hash passed in (as far as the engine records hashes), and may panic:
///   the table stays valid.
/// - `hasher` closures may panic: the table stays valid and loses nothing.
/// - The iterators yield every entry exactly once, in Go's random order.
pub trait Table<K, V>: Sized {
    /// The map's hash seed (Go's `h.hash0` / `m.seed`).
    type Seed: Copy + Eq + fmt::Debug;
    type Occupied<'a>: OccupiedSlot<'a, K, V, Seed = Self::Seed>
    where
        Self: 'a;
    type Vacant<'a>: VacantSlot<'a, K, V, Occupied = Self::Occupied<'a>>
    where
        Self: 'a;
    type Iter<'a>: Iterator<Item = (&'a K, &'a V)> + ExactSizeIterator + FusedIterator + Clone
    where
        Self: 'a,
        K: 'a,
        V: 'a;
    type IterMut<'a>: Iterator<Item = (&'a K, &'a mut V)>
        + ExactSizeIterator
        + FusedIterator
        + Remaining<K, V>
    where
        Self: 'a,
        K: 'a,
        V: 'a;
    type IntoIter: Iterator<Item = (K, V)> + ExactSizeIterator + FusedIterator + Remaining<K, V>;
    type Drain<'a>: Iterator<Item = (K, V)> + ExactSizeIterator + FusedIterator + Remaining<K, V>
    where
        Self: 'a;
    type Extract<'a>: ExtractCursor<K, V, Seed = Self::Seed>
    where
        Self: 'a;
    /// A `range()` cursor's position; it borrows nothing.
    type RangeState: fmt::Debug;

    /// Draws a seed from `source`, or at random without one.
    fn draw_seed(source: &mut Option<Box<dyn SeedSource>>) -> Self::Seed;
    /// Feeds `seed` to a fresh hasher, before the key.
    fn hash_seed<H: Hasher>(h: &mut H, seed: Self::Seed);

    /// The hash the map uses for `key`: a hasher from `s`, the seed, then
    /// the key.
    #[inline(always)]
    fn hash_of<Q: Hash + ?Sized, S: BuildHasher>(s: &S, seed: Self::Seed, key: &Q) -> u64 {
        let mut h = s.build_hasher();
        Self::hash_seed(&mut h, seed);
        key.hash(&mut h);
        h.finish()
    }

    /// An empty table sized for `hint` entries by Go's `make` rule.
    fn with_hint(hint: usize, seed: Self::Seed) -> Result<Self, CapacityError>;
    fn len(&self) -> usize;
    fn seed(&self) -> Self::Seed;
    /// Entries the table holds before its next growth, or `len()` if more.
    fn capacity(&self) -> usize;

    fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)>;
    fn get_mut(&mut self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &mut V)>;
    /// Inserts or overwrites (keeping the stored key), returning the old value.
    fn insert(
        &mut self, hash: u64, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<Option<V>, CapacityError>
    where
        K: Eq;
    /// The write-side lookup: does the write's growth work, then finds the
    /// key's slot or a vacant one.
    #[allow(clippy::type_complexity)]
    fn entry(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<Self::Occupied<'_>, Self::Vacant<'_>>, CapacityError>;
    /// Removes the key with the engine's delete rules (and growth work);
    /// `reseed` is called when the map becomes empty.
    fn remove(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> Self::Seed,
    ) -> Option<(K, V)>;
    /// The entries of `N` keys, mutably; `eq(n, k)` tells whether `k` is
    /// the `n`th key. Panics if two of them are the same entry.
    fn get_disjoint_mut<const N: usize>(
        &mut self, hashes: [u64; N], eq: impl FnMut(usize, &K) -> bool,
    ) -> [Option<(&K, &mut V)>; N];
    /// Starts an `extract_if` walk.
    fn extract(&mut self) -> Self::Extract<'_>;
    /// Removes in place the entries `keep` rejects; returns how many.
    fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) -> usize;
    /// Whether Go's `clear` would do nothing (and draw no seed): an empty
    /// map, for the classic engine; an empty map with no tombstone
    /// possible, for the Swiss engine (Go 1.25+ resets tables holding only
    /// tombstones).
    fn clear_is_noop(&self) -> bool {
        self.len() == 0
    }
    /// Go's `clear` with the new seed `seed`. Called only when
    /// [`Table::clear_is_noop`] is false.
    fn clear(&mut self, seed: Self::Seed);
    /// Sets the seed (a map that became empty draws a new one).
    fn reseed(&mut self, seed: Self::Seed, cause: ReseedCause);
    fn reserve(
        &mut self, additional: usize, hasher: impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError>;
    /// Frees memory held beyond the map's layout (the Swiss engine's split
    /// reserve); the layout itself never shrinks, as in Go.
    fn shrink_to_fit(&mut self) {}
    /// A copy with the identical layout.
    fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone;

    fn iter(&self) -> Self::Iter<'_>;
    fn iter_mut(&mut self) -> Self::IterMut<'_>;
    fn into_iter(self) -> Self::IntoIter;
    /// Empties the table, yielding its entries; `seed` is its next seed.
    fn drain(&mut self, seed: Self::Seed) -> Self::Drain<'_>;
    fn range_state(&self) -> Self::RangeState;
    fn range_next(&self, st: &mut Self::RangeState, hasher: impl Fn(&K) -> u64)
        -> Option<(&K, &V)>;

    /// The table's observer slot, which the safe layer attaches to and
    /// emits `make` events through.
    fn observer(&mut self) -> &mut ObserverSlot;
    /// Every structural invariant; with `hasher`, also that every key sits
    /// where its hash places it.
    fn check(&self, hasher: Option<&dyn Fn(&K) -> u64>) -> Result<(), String>;
}

/// The table type of engine `E` for `K → V`.
pub(crate) type TableOf<K, V, E> = <E as Engine>::Table<K, V>;
/// The seed type of engine `E`.
pub(crate) type SeedOf<K, V, E> = <TableOf<K, V, E> as Table<K, V>>::Seed;

/// The [`Table`] methods both engines implement as a call to their own
/// inherent method of the same name: written once here and expanded inside
/// each engine's `impl Table`, so an adapter spells out only what differs.
/// `$raw` is the engine's table type.
macro_rules! forward_common {
    ($raw:ident) => {
        #[inline(always)]
        fn len(&self) -> usize {
            $raw::len(self)
        }

        fn get_disjoint_mut<const N: usize>(
            &mut self, hashes: [u64; N], eq: impl FnMut(usize, &K) -> bool,
        ) -> [Option<(&K, &mut V)>; N] {
            $raw::get_disjoint_mut(self, hashes, eq)
        }

        fn extract(&mut self) -> Self::Extract<'_> {
            $raw::extract(self)
        }

        fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) -> usize {
            $raw::retain(self, keep)
        }

        fn clear(&mut self, seed: Self::Seed) {
            $raw::clear(self, seed)
        }

        fn range_state(&self) -> Self::RangeState {
            $raw::range_state(self)
        }

        #[inline]
        fn iter(&self) -> Self::Iter<'_> {
            <Self::Iter<'_>>::new(self)
        }

        #[inline]
        fn iter_mut(&mut self) -> Self::IterMut<'_> {
            <Self::IterMut<'_>>::new(self)
        }

        fn into_iter(self) -> Self::IntoIter {
            <Self::IntoIter>::new(self)
        }

        fn drain(&mut self, seed: Self::Seed) -> Self::Drain<'_> {
            <Self::Drain<'_>>::new(self, seed)
        }

        #[inline(always)]
        fn observer(&mut self) -> &mut ObserverSlot {
            &mut self.observer
        }

        fn check(&self, hasher: Option<&dyn Fn(&K) -> u64>) -> Result<(), String> {
            $raw::check(self, hasher).map_err(|e| format!("{e}\nheader: {:?}", self.header()))
        }
    };
}
use forward_common;

/// The associated types of an engine's [`Table`] impl, named by the
/// engine's own types: every engine's table has the same shape of types
/// (borrowing ones are generic over the borrow's lifetime).
macro_rules! table_types {
    (seed: $seed:ty, range: $range:ty, into_iter: $into:ident, $($assoc:ident = $ty:ident),* $(,)?) => {
        type Seed = $seed;
        type RangeState = $range;
        type IntoIter = $into<K, V>;
        $(
            type $assoc<'a> = $ty<'a, K, V> where Self: 'a;
        )*
    };
}
use table_types;

/// [`Remaining`] for iterators whose inherent `remaining()` already is the
/// read-only view.
macro_rules! remaining_via_inherent {
    ($($ty:ty),*) => {$(
        impl<K, V> Remaining<K, V> for $ty {
            fn remaining<'b>(&'b self) -> impl Iterator<Item = (&'b K, &'b V)>
            where
                K: 'b,
                V: 'b,
            {
                <$ty>::remaining(self)
            }
        }
    )*};
}
use remaining_via_inherent;
