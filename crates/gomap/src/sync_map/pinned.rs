//! [`Pinned`]: a `SyncMap` borrowed together with one reclamation guard, so
//! that a run of operations pays for entering the collector once.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::primitive::Guard;
use super::SyncMap;

/// A [`SyncMap`] with the current thread pinned: every operation through
/// it shares the one reclamation guard taken by [`SyncMap::pin`].
///
/// A [`SyncMap::load`] enters the map's collector and leaves it again,
/// which costs an atomic swap on a word of the current thread and a few
/// thread-local look-ups (measured: see `BENCHMARKS-syncmap.md`). Through
/// a `Pinned`, a load is the lookup alone, and it returns a plain `&V`
/// that lives as long as the handle. This is the same trade papaya's
/// `HashMap::pin` makes.
///
/// The price: while a `Pinned` (or a [`Ref`](super::Ref)) lives, nothing
/// the map retires — replaced values, deleted values, old read maps — can
/// be freed, by any thread. Keep a handle for a bounded run of operations
/// (one request, one batch) and drop it; do not park it in a long-lived
/// structure.
///
/// Like a `Ref`, a `Pinned` marks the current thread, so it is neither
/// `Send` nor `Sync`.
///
/// ```
/// let m = gomap::SyncMap::new();
/// for i in 0..100 {
///     m.store(i, i * 2);
/// }
/// let pinned = m.pin();
/// let mut sum = 0;
/// for i in 0..100 {
///     sum += *pinned.load(&i).unwrap();
/// }
/// assert_eq!(sum, 9900);
/// // A value loaded through the handle stays readable while the handle
/// // lives, even after another store replaces it.
/// let old = pinned.load(&7).unwrap();
/// pinned.store(7, 0);
/// assert_eq!((*old, *pinned.load(&7).unwrap()), (14, 0));
/// ```
pub struct Pinned<'m, K, V, S> {
    /// The map the operations act on.
    map: &'m SyncMap<K, V, S>,
    /// Keeps everything loaded through this handle allocated.
    guard: Guard<'m>,
}

impl<K, V, S> SyncMap<K, V, S> {
    /// Pins the current thread and returns a handle whose operations share
    /// that one guard. See [`Pinned`] for the cost of holding it.
    #[inline]
    pub fn pin(&self) -> Pinned<'_, K, V, S> {
        Pinned {
            map: self,
            guard: self.collector.enter(),
        }
    }
}

impl<'m, K, V, S> Pinned<'m, K, V, S> {
    /// The map this handle pins.
    pub fn map(&self) -> &'m SyncMap<K, V, S> {
        self.map
    }
}

impl<K, V, S> Pinned<'_, K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Clone,
{
    /// The value for `key`, if any; [`SyncMap::load`] without its guard.
    /// The reference stays valid while the handle lives, whatever other
    /// threads store meanwhile.
    #[inline]
    pub fn load<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let value = self.map.load_in(key, &self.guard)?;
        // SAFETY: `value` was loaded under `self.guard` with Acquire (by
        // `Entry::load`); values are freed only through the collector, which
        // waits for that guard, and the returned borrow of `self` ends
        // before the guard is dropped. Values are never mutated in place.
        Some(unsafe { value.as_ref() })
    }

    /// Whether `key` has a value.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.load_in(key, &self.guard).is_some()
    }

    /// Sets the value for `key`; [`SyncMap::store`] under this handle's
    /// guard.
    #[inline]
    pub fn store(&self, key: K, value: V) {
        self.map.store_in(key, value, &self.guard);
    }
}

impl<K, V, S> fmt::Debug for Pinned<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pinned").finish_non_exhaustive()
    }
}
