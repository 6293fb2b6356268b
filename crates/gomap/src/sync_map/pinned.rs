//! [`Pinned`]: a `SyncMap` borrowed together with one reclamation guard, so
//! that a run of operations pays for entering the collector once.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use core::cell::Cell;
use core::ptr::NonNull;

use super::entry::Loaded;
use super::primitive::Guard;
use super::read::EntryMap;
use super::{find, SyncMap};

/// A [`SyncMap`] with the current thread pinned: every operation through
/// it shares the one reclamation guard taken by [`SyncMap::pin`].
///
/// A [`SyncMap::load`] enters the map's collector and leaves it again,
/// which costs an atomic swap on a word of the current thread and a few
/// thread-local look-ups (measured: `bench/syncmap-design.md`, "Where a
/// load's time goes"). Through
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
    /// The read map this handle last loaded from the read slot, under
    /// `guard` (an `EntryMap<K, V, S>`; a byte pointer so that the `Cell`
    /// leaves the handle covariant in `K`, `V` and `S`). Loads look here
    /// first and go back to the slot only when this map does not give a
    /// value; see [`Pinned::load_in`] for why that is consistent.
    read: Cell<NonNull<u8>>,
    /// Keeps everything loaded through this handle allocated.
    guard: Guard<'m>,
}

impl<K, V, S> SyncMap<K, V, S> {
    /// Pins the current thread and returns a handle whose operations share
    /// that one guard. See [`Pinned`] for the cost of holding it.
    #[inline]
    pub fn pin(&self) -> Pinned<'_, K, V, S> {
        let guard = self.collector.enter();
        let read = NonNull::from(self.read.load(&guard).m).cast::<u8>();
        Pinned {
            map: self,
            read: Cell::new(read),
            guard,
        }
    }
}

impl<K, V, S> Pinned<'_, K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Clone,
{
    /// The read map this handle last loaded.
    #[inline(always)]
    fn cached(&self) -> &EntryMap<K, V, S> {
        // SAFETY: `read` holds a read map loaded from the slot under
        // `self.guard`. A read map taken out of the slot is retired through
        // the collector, which frees it only after that guard is dropped,
        // and the returned borrow of `self` ends before the guard does.
        // Read maps are never mutated after publication.
        unsafe { self.read.get().cast::<EntryMap<K, V, S>>().as_ref() }
    }

    /// [`SyncMap::load_in`] that starts at the read map this handle last
    /// loaded instead of at the read slot, saving a dependent load.
    ///
    /// Consistent, though the cached map may have been replaced since:
    /// an entry is the current entry for its key for as long as it is not
    /// expunged. A key gets a new entry only when it is in neither the
    /// read map nor the dirty map, and an entry leaves the dirty map only
    /// expunged (when the dirty map is rebuilt, or by `clear`) or with a key
    /// the current read map lacks (`load_and_delete`, which a key of an
    /// earlier read map never is, as its entry stays in every later read
    /// map until it is expunged). An expunged entry that is not in the
    /// current read map can never be revived. So a value found in a cached
    /// map's entry is the key's value at the moment it is read, as for a
    /// load from the current map; when the cached map gives no value, the
    /// load starts over from the read slot.
    #[inline(always)]
    fn load_in<Q>(&self, key: &Q) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.map.hash(key);
        let found = find(self.cached(), hash, key);
        if let Some(v) = found.and_then(|e| e.load(&self.guard)) {
            return Some(v);
        }
        self.load_miss(key, hash, found.is_some())
    }

    /// The rest of [`Pinned::load_in`] when the cached map has no value for
    /// `key`: `found` tells whether it has the key at all.
    #[inline(never)]
    fn load_miss<Q>(&self, key: &Q, hash: u64, found: bool) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let read = self.map.read.load(&self.guard);
        let current = NonNull::from(read.m).cast::<u8>();
        if current != self.read.get() {
            // Promoted or cleared since: look in the new map, and keep it.
            self.read.set(current);
            return self.map.load_from(read, key, hash, &self.guard);
        }
        // The same map: `load_from` would find what we found. A key it
        // has (with no value) is no miss; an absent one is, if amended.
        if found || !read.amended {
            return None;
        }
        self.map.load_slow(key, &self.guard)
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
        let value = self.load_in(key)?;
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
        self.load_in(key).is_some()
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
