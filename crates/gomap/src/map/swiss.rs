//! `SwissMap`'s constructors and its engine's views: the Swiss-engine
//! counterparts of `GoMap`'s classic ones (type inference needs a concrete
//! engine, so each engine has its own).

#![forbid(unsafe_code)]

use core::hash::{BuildHasher, Hash};

use super::GoMap;
use crate::base::event::{Event, Observer};
use crate::base::hash::{DefaultHashBuilder, SeedSource};
use crate::base::swiss_layout::{SwissHeader, SwissLayout, SwissStats};
use crate::engine::{Swiss, Table};
use crate::swiss::RawSwiss;

/// `SwissMap`'s constructors with the default hasher:
/// `use gomap::SwissNew;` brings them in scope.
///
/// They are a trait rather than inherent methods because `GoMap::new()`
/// with no type arguments must keep meaning the classic map: two inherent
/// `new`s on `GoMap<.., Classic>` and `GoMap<.., Swiss>` would make every
/// such call ambiguous, while an inherent method shadows a trait one.
///
/// ```
/// use gomap::{SwissMap, SwissNew};
///
/// let m: SwissMap<u64, u64> = SwissMap::with_capacity(897);
/// let l = m.layout();
/// assert_eq!(l.dir, vec![0, 1]);
/// assert_eq!((l.tables[0].capacity, l.tables[1].capacity), (512, 512));
/// ```
pub trait SwissNew: Sized {
    /// An empty small map with no group yet; the first insert allocates it.
    /// Go: `make(map[K]V)`.
    fn new() -> Self;

    /// An empty map sized for `hint` entries by Go 1.24+'s `make` rule: a
    /// hint ≤ 8 gives the unallocated small map; otherwise
    /// `target = ⌊hint·8/7⌋` slots over `pow2ceil(⌈target/1024⌉)` tables of
    /// `pow2ceil(max(8, ⌊target/tables⌋))` slots (integer arithmetic). A
    /// hint whose tables would exceed 2^48 bytes gives the small map, as
    /// Go's `maxAlloc` test does.
    fn with_capacity(hint: usize) -> Self;

    /// Like [`SwissNew::with_capacity`], with an observer attached from the
    /// start, so it also sees the [`Event::SwissMake`].
    fn with_capacity_and_observer(hint: usize, observer: impl Observer) -> Self;
}

impl<K, V> SwissNew for GoMap<K, V, DefaultHashBuilder, Swiss> {
    fn new() -> Self {
        Self::build(0, DefaultHashBuilder::default(), None)
    }

    fn with_capacity(hint: usize) -> Self {
        Self::build(hint, DefaultHashBuilder::default(), None)
    }

    fn with_capacity_and_observer(hint: usize, observer: impl Observer) -> Self {
        let mut m = <Self as SwissNew>::with_capacity(hint);
        let h = m.header();
        let capacity = m.layout().tables.first().map_or(0, |t| t.capacity);
        let table = m.table_mut();
        table.observer().set(Some(Box::new(observer)));
        table.observer().emit(|| Event::SwissMake {
            hint,
            dir_len: h.dir_len,
            capacity,
        });
        m
    }
}

/// `SwissMap`'s constructors with a chosen hasher (a trait for the reason
/// given on [`SwissNew`]).
pub trait SwissWithHasher<S>: Sized {
    /// An empty map using `hash_builder`.
    fn with_hasher(hash_builder: S) -> Self;

    /// An empty map sized for `hint` entries (see
    /// [`SwissNew::with_capacity`]), using `hash_builder`.
    fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self;

    /// Like [`SwissWithHasher::with_capacity_and_hasher`], with the map's
    /// 64-bit seeds drawn from `seeds` ([`SeedSource::next_seed_u64`])
    /// instead of a random generator; the first is drawn here. The map
    /// hashes a key as: build a hasher, `write_u64(seed)`, then
    /// `key.hash(..)` — with a matching `BuildHasher` this reproduces a Go
    /// map exactly.
    fn with_capacity_hasher_and_seeds(hint: usize, hash_builder: S, seeds: impl SeedSource)
        -> Self;
}

impl<K, V, S> SwissWithHasher<S> for GoMap<K, V, S, Swiss> {
    fn with_hasher(hash_builder: S) -> Self {
        Self::build(0, hash_builder, None)
    }

    fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self {
        Self::build(hint, hash_builder, None)
    }

    fn with_capacity_hasher_and_seeds(
        hint: usize, hash_builder: S, seeds: impl SeedSource,
    ) -> Self {
        Self::build(hint, hash_builder, Some(Box::new(seeds)))
    }
}

/// The Swiss engine's own views.
impl<K, V, S> GoMap<K, V, S, Swiss> {
    /// The header, Go's `maps.Map`: used, seed, directory length and
    /// depths, `tombstonePossible`, `clearSeq`.
    pub fn header(&self) -> SwissHeader {
        self.table().header()
    }

    /// A read-only snapshot: the small group, or the directory (table ids,
    /// shared tables repeated) and every table with every group's control
    /// bytes and entries.
    pub fn layout(&self) -> SwissLayout<'_, K, V> {
        self.table().layout()
    }
}

impl<K: Hash, V, S: BuildHasher> GoMap<K, V, S, Swiss> {
    /// Load per table, tombstones, probe lengths in groups for hits and
    /// misses, bytes by part. O(entries + groups); hashes every key.
    ///
    /// ```
    /// use gomap::SwissNew;
    /// let mut m = gomap::SwissMap::<u64, u64>::new();
    /// for i in 0..100 { m.insert(i, i); }
    /// let s = m.stats();
    /// assert_eq!(s.tables.len(), 1);
    /// assert!(s.probe.hit_mean >= 1.0 && s.probe.miss_mean >= 1.0);
    /// ```
    pub fn stats(&self) -> SwissStats {
        let seed = self.table().seed();
        let hb = self.hasher();
        self.table()
            .stats(&|k: &K| RawSwiss::<K, V>::hash_of(hb, seed, k))
    }
}

// No `From<[(K, V); N]>` for `SwissMap`: a second `From` impl on `GoMap<K,
// V, DefaultHashBuilder, _>` would make an unannotated `GoMap::from([..])`
// ambiguous. `[..].into_iter().collect::<SwissMap<_, _>>()` does the same.
