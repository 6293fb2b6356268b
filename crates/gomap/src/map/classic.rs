//! The classic engine's part of `GoMap`: its constructors (each must name
//! the engine, since type inference cannot fall back on a default type
//! parameter) and its own views of Go 1.19's `hmap` and buckets.

#![forbid(unsafe_code)]

use core::hash::Hash;
use core::sync::atomic::AtomicU64;

use super::GoMap;
use crate::base::event::{Event, Observer};
use crate::base::hash::{DefaultHashBuilder, SeedSource};
use crate::base::header::Header;
use crate::base::layout::Layout;
use crate::engine::Classic;
use crate::introspect::stats::Stats;
use crate::raw::RawTable;

impl<K, V> GoMap<K, V, DefaultHashBuilder> {
    /// An empty map with `B = 0`; its first bucket is allocated by the first
    /// insert. Go: `make(map[K]V)`.
    pub fn new() -> Self {
        Self::with_capacity_and_hasher(0, DefaultHashBuilder::default())
    }

    /// An empty map sized for `hint` entries by Go's rule: the smallest `B`
    /// with `hint <= 8` or `hint <= 6.5 * 2^B`. Go: `make(map[K]V, hint)`.
    ///
    /// A hint whose buckets could never be allocated (more than 2^48 bytes)
    /// is ignored, as Go ignores it. A hint that passes that test but still
    /// cannot be allocated panics with a message naming the size.
    ///
    /// ```
    /// let m: gomap::GoMap<u64, u64> = gomap::GoMap::with_capacity(8);
    /// assert_eq!(m.header().b, 0);
    /// let m: gomap::GoMap<u64, u64> = gomap::GoMap::with_capacity(9);
    /// assert_eq!(m.header().b, 1);
    /// ```
    pub fn with_capacity(hint: usize) -> Self {
        Self::with_capacity_and_hasher(hint, DefaultHashBuilder::default())
    }

    /// Like [`GoMap::with_capacity`], with an observer attached from the
    /// start, so it also sees the [`Event::Make`].
    pub fn with_capacity_and_observer(hint: usize, observer: impl Observer) -> Self {
        let mut m = Self::with_capacity(hint);
        let table = m.table_mut();
        table.observer.set(Some(Box::new(observer)));
        let b = table.b();
        table.observer.emit(|| Event::Make { hint, b });
        m
    }
}

impl<K, V, S> GoMap<K, V, S> {
    /// An empty map using `hash_builder`, with `B = 0` and no bucket array.
    ///
    /// `const`, as std's, so a map can start in a `static`. A `const fn`
    /// cannot draw a random seed, so such a map starts with seed 0 (Go's
    /// `hash0`) and draws a random one the first time it becomes empty or
    /// is cleared, as every map does; pick a randomly keyed `hash_builder`
    /// if the first seed must be unpredictable.
    ///
    /// ```
    /// use std::collections::hash_map::DefaultHasher;
    /// use std::hash::BuildHasher;
    /// use std::sync::Mutex;
    ///
    /// struct Fixed;
    /// impl BuildHasher for Fixed {
    ///     type Hasher = DefaultHasher;
    ///     fn build_hasher(&self) -> DefaultHasher { DefaultHasher::new() }
    /// }
    ///
    /// static M: Mutex<gomap::GoMap<u64, u64, Fixed>> = Mutex::new(gomap::GoMap::with_hasher(Fixed));
    /// M.lock().unwrap().insert(1, 2);
    /// assert_eq!(M.lock().unwrap().get(&1), Some(&2));
    /// ```
    pub const fn with_hasher(hash_builder: S) -> Self {
        GoMap {
            table: RawTable::empty(0),
            hash_builder,
            seeds: None,
            id: AtomicU64::new(0),
        }
    }

    /// An empty map sized for `hint` entries (see [`GoMap::with_capacity`]),
    /// using `hash_builder`.
    pub fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self {
        Self::build(hint, hash_builder, None)
    }

    /// Like [`GoMap::with_capacity_and_hasher`], with the map's seeds
    /// (Go's `hash0`) drawn from `seeds` instead of a random generator. The
    /// first is drawn here.
    ///
    /// Together with a `BuildHasher` this makes a map fully reproducible; the
    /// oracle replay feeds Go's recorded seeds this way. The map hashes a key
    /// as: build a hasher, `write_u32(seed)`, then `key.hash(..)`.
    ///
    /// ```
    /// use gomap::GoMap;
    /// use std::hash::BuildHasherDefault;
    /// use std::collections::hash_map::DefaultHasher;
    ///
    /// let mut next = 0u32;
    /// let seeds = move || { next += 1; next };
    /// let m: GoMap<u64, u64, BuildHasherDefault<DefaultHasher>> =
    ///     GoMap::with_capacity_hasher_and_seeds(0, Default::default(), seeds);
    /// assert_eq!(m.header().hash0, 1);
    /// ```
    pub fn with_capacity_hasher_and_seeds(
        hint: usize, hash_builder: S, seeds: impl SeedSource,
    ) -> Self {
        Self::build(hint, hash_builder, Some(Box::new(seeds)))
    }
}

/// The classic engine's own views.
impl<K, V, S> GoMap<K, V, S, Classic> {
    /// The header (Go's `hmap`): count, flags, B, noverflow, hash0,
    /// nevacuate, and whether a growth is in progress.
    ///
    /// ```
    /// let mut m = gomap::GoMap::new();
    /// for i in 0..27u64 { m.insert(i, i); }
    /// let h = m.header();
    /// // The 27th insert doubles 4 buckets to 8 and evacuates at most 2 of the old ones.
    /// assert_eq!((h.count, h.b, h.growing), (27, 3, true));
    /// ```
    pub fn header(&self) -> Header {
        self.table().header()
    }

    /// A read-only snapshot of every bucket: tophash bytes, keys and values,
    /// overflow chains and where each overflow bucket came from, the old
    /// array while growing, and the preallocated pool.
    ///
    /// ```
    /// let mut m: gomap::GoMap<u64, u64> = gomap::GoMap::with_capacity(100);
    /// m.insert(7, 70);
    /// let l = m.layout();
    /// assert_eq!((l.header.b, l.bucket_size, l.arr_len), (4, 144, 18));
    /// assert_eq!(l.pool.unwrap().pre_free, 2);
    /// let full: usize = l.buckets.iter().flatten().map(|b| b.keys.iter().flatten().count()).sum();
    /// assert_eq!(full, 1);
    /// ```
    pub fn layout(&self) -> Layout<'_, K, V> {
        self.table().layout()
    }

    /// Statistics in the terms of Go's load-factor table: occupancy,
    /// overflow buckets (pool and heap), growth progress, bytes by part, and
    /// the entries a lookup checks. O(number of buckets).
    ///
    /// ```
    /// let mut m = gomap::GoMap::<u64, u64>::with_capacity(1000);
    /// for i in 0..1000 { m.insert(i, i); }
    /// let s = m.stats();
    /// assert_eq!((s.count, s.b, s.buckets), (1000, 8, 256));
    /// assert!(s.probe.hit_mean >= 1.0 && s.probe.miss_mean > 0.0);
    /// ```
    pub fn stats(&self) -> Stats {
        Stats::of(self)
    }

    /// Test-only tuning: grow at load factor 1 instead of 6.5 and evacuate
    /// only the bucket a write touches, so the map spends most of its life
    /// mid-growth. Breaks fidelity with Go on purpose; never use it outside
    /// tests.
    #[doc(hidden)]
    pub fn set_stress_tuning(&mut self, on: bool) {
        self.table.set_stress(on);
    }
}

impl<K: Eq + Hash, V, const N: usize> From<[(K, V); N]> for GoMap<K, V, DefaultHashBuilder> {
    fn from(arr: [(K, V); N]) -> Self {
        arr.into_iter().collect()
    }
}
