//! `GoMap`: the safe, std-shaped map, written once over the engine seam
//! (`crate::engine::Table`).

#![forbid(unsafe_code)]

mod classic;
pub(crate) mod entry;
pub(crate) mod entry_ref;
pub(crate) mod iter;
mod iter_traits;
pub(crate) mod range;
#[cfg(feature = "serde")]
mod serde;
pub mod set;
pub(crate) mod std_api;
pub(crate) mod swiss;
mod unwind;

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::Index;
use core::sync::atomic::{AtomicU64, Ordering};

use equivalent::Equivalent;

use self::entry::{Entry, OccupiedEntry, Vacancy, VacantEntry};
use self::iter::{Drain, IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Values, ValuesMut};
use self::range::Range;
use crate::base::event::{Observer, ReseedCause};
use crate::base::hash::{DefaultHashBuilder, SeedSource};
use crate::engine::{CapacityError, Classic, Engine, RawEntry, Table, TableOf};
use crate::raw::MAX_ALLOC;

/// Go 1.19's runtime hash map, with the API of `std::collections::HashMap`.
///
/// Buckets of 8 slots with tophash bytes, overflow chains, a preallocated
/// overflow pool, growth at load factor 6.5 (or same-size growth when
/// overflow buckets pile up) paid off incrementally by later writes: the
/// layout after any sequence of operations is the one a Go 1.19 map of the
/// same key and value sizes reaches with the same hashes. See the crate
/// documentation for the design.
///
/// ```
/// use gomap::GoMap;
///
/// let mut ages = GoMap::new();
/// ages.insert("gopher", 13);
/// ages.insert("ferris", 9);
/// assert_eq!(ages.get("gopher"), Some(&13));
/// *ages.entry("ferris").or_insert(0) += 1;
/// assert_eq!(ages["ferris"], 10);
/// assert_eq!(ages.remove("gopher"), Some(13));
/// assert_eq!(ages.len(), 1);
/// ```
///
/// # A panicking `Drop`
///
/// Where the map drops many entries at once — its own drop, [`GoMap::clear`],
/// and the rest of an [`IntoIter`] or [`Drain`] dropped part-way — an entry
/// whose key's or value's `Drop` panics does not stop the others: they are
/// dropped while the panic unwinds, as a `Vec` drops its remaining
/// elements, so nothing leaks (std's `HashMap` leaks them). A second panic
/// during that unwinding aborts the process, as it does for a `Vec`. The
/// walk does no extra work when no `Drop` panics. [`GoMap::retain`] takes an
/// entry out of the map before dropping it, so a panic there leaves the
/// entries it has not visited yet in the map.
pub struct GoMap<K, V, S = DefaultHashBuilder, E: Engine = Classic> {
    table: E::Table<K, V>,
    hash_builder: S,
    seeds: Option<Box<dyn SeedSource>>,
    /// Identifies this map to range cursors; 0 until a cursor needs it, so
    /// that [`GoMap::with_hasher`] can be `const`.
    id: AtomicU64,
}

/// Source of map identities for range cursors.
static NEXT_MAP_ID: AtomicU64 = AtomicU64::new(1);

fn next_map_id() -> u64 {
    // Relaxed: ids need only be unique, which the single counter gives.
    NEXT_MAP_ID.fetch_add(1, Ordering::Relaxed)
}

#[cold]
#[inline(never)]
pub(crate) fn capacity_panic(e: CapacityError) -> ! {
    panic!("gomap: {e}")
}

impl<K, V, S, E: Engine> GoMap<K, V, S, E> {
    /// The one constructor every engine's public constructors call: draws
    /// the first seed, then sizes the table for `hint` by the engine's
    /// `make` rule.
    pub(crate) fn build(
        hint: usize, hash_builder: S, mut seeds: Option<Box<dyn SeedSource>>,
    ) -> Self {
        let seed = E::Table::<K, V>::draw_seed(&mut seeds);
        let table = E::Table::<K, V>::with_hint(hint, seed).unwrap_or_else(|e| capacity_panic(e));
        GoMap {
            table,
            hash_builder,
            seeds,
            id: AtomicU64::new(0),
        }
    }

    /// This map's identity for range cursors.
    pub(crate) fn id(&self) -> u64 {
        // Relaxed: the id is a plain value that no other memory depends on;
        // a race between two first cursors is settled by the exchange.
        let id = self.id.load(Ordering::Relaxed);
        if id != 0 {
            return id;
        }
        let fresh = next_map_id();
        match self
            .id
            .compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => fresh,
            Err(won) => won,
        }
    }

    /// The entry whose key `eq` accepts among those with hash `hash`: a
    /// lookup for callers that hash with this map's builder and seed
    /// themselves (SyncMap hashes once for two maps).
    #[inline(always)]
    pub(crate) fn get_hashed(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        self.table.get(hash, eq)
    }

    /// The engine's table, for the engine's own views and constructors.
    pub(crate) fn table(&self) -> &E::Table<K, V> {
        &self.table
    }

    /// The engine's table, mutably, for the engine's own constructors.
    pub(crate) fn table_mut(&mut self) -> &mut E::Table<K, V> {
        &mut self.table
    }

    /// Draws the map's next seed from its source.
    fn draw_seed(&mut self) -> <E::Table<K, V> as Table<K, V>>::Seed {
        E::Table::<K, V>::draw_seed(&mut self.seeds)
    }

    /// The map's `BuildHasher`.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// Entries the map can hold before an insert starts a doubling: 8 for
    /// `B = 0`, else 6.5 × 2^B — or `len()`, if that is more (a growth in
    /// progress defers the next one, so a map can run past its load factor
    /// until the current growth ends).
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Removes every entry. Go's `clear` (`runtime.mapclear`): keeps `B` and
    /// the bucket array, drops a growth in progress, refills the overflow
    /// pool and draws a new seed. Does nothing to an empty map.
    ///
    /// If an entry's `Drop` panics, the other entries are still dropped and
    /// then the panic continues; the map is left as a `clear` that returned
    /// leaves it (empty, same `B` and array, new seed) and stays usable. See
    /// [A panicking `Drop`](GoMap#a-panicking-drop).
    pub fn clear(&mut self) {
        if self.table.clear_is_noop() {
            return;
        }
        let seed = self.draw_seed();
        self.table.clear(seed);
    }

    /// A cursor with Go's `range` semantics: it holds no borrow of the map
    /// between steps, so the map may be changed while ranging.
    ///
    /// Go's contract holds, for any hasher: every entry present from the
    /// cursor's creation to its end is yielded exactly once; an entry
    /// removed before the cursor reaches it is not yielded; an entry
    /// inserted meanwhile is yielded at most once; nothing is yielded twice
    /// — across any number of growths, clears and reseeds. Each cursor
    /// starts at a random bucket and in-bucket order. Using a cursor with
    /// another map panics.
    ///
    /// A key removed and inserted again is a new entry, which Go lets a
    /// range yield again. This cursor keeps its place by hash, so it never
    /// yields a key twice unless that key shares its 64-bit hash with
    /// another (which a sound hasher makes vanishingly rare).
    ///
    /// ```
    /// let mut m: gomap::GoMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// let mut r = m.range();
    /// let mut seen = 0;
    /// while let Some((&k, _)) = r.next(&m) {
    ///     seen += 1;
    ///     if k % 2 == 0 {
    ///         m.remove(&k);          // delete while ranging
    ///     }
    ///     if k < 1000 {
    ///         m.insert(k + 1000, 0); // insert while ranging: yielded at most once
    ///     }
    /// }
    /// assert!(seen >= 100 && seen <= 200);
    /// assert!(m.keys().all(|k| k % 2 == 1 || *k >= 1000));
    /// ```
    pub fn range(&self) -> Range<K, V, E> {
        Range::new(self.id(), self.table.range_state())
    }

    /// An iterator over `(&K, &V)`, starting at a random bucket and slot
    /// offset like Go's `range`.
    pub fn iter(&self) -> Iter<'_, K, V, E> {
        Iter {
            inner: self.table.iter(),
        }
    }

    /// An iterator over `(&K, &mut V)`.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, E> {
        IterMut {
            inner: self.table.iter_mut(),
        }
    }

    /// An iterator over the keys.
    pub fn keys(&self) -> Keys<'_, K, V, E> {
        Keys { inner: self.iter() }
    }

    /// An iterator over the values.
    pub fn values(&self) -> Values<'_, K, V, E> {
        Values { inner: self.iter() }
    }

    /// An iterator over the values, mutably.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, E> {
        ValuesMut {
            inner: self.iter_mut(),
        }
    }

    /// Consumes the map, yielding its keys.
    pub fn into_keys(self) -> IntoKeys<K, V, E> {
        IntoKeys {
            inner: self.into_iter(),
        }
    }

    /// Consumes the map, yielding its values.
    pub fn into_values(self) -> IntoValues<K, V, E> {
        IntoValues {
            inner: self.into_iter(),
        }
    }

    /// Removes every entry, yielding them. The map keeps `B` and its array
    /// (as after [`GoMap::clear`]) once the iterator is dropped.
    ///
    /// The map is empty from the start: if the drain is leaked, or an
    /// entry's `Drop` panics while the drain drops the entries not taken
    /// (the others are still dropped, see [A panicking
    /// `Drop`](GoMap#a-panicking-drop)), it is left empty with no bucket
    /// array, as a new map.
    pub fn drain(&mut self) -> Drain<'_, K, V, E> {
        let seed = if !self.table.clear_is_noop() {
            self.draw_seed()
        } else {
            self.table.seed()
        };
        Drain {
            inner: self.table.drain(seed),
        }
    }

    /// Keeps only the entries for which `f` returns true. Entries are
    /// removed in place with Go's delete bookkeeping (no rehashing and no
    /// growth work); a growth in progress continues afterwards.
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, f: F) {
        let removed = self.table.retain(f);
        if removed > 0 && self.table.len() == 0 {
            let seed = self.draw_seed();
            self.table.reseed(seed, ReseedCause::DeleteToEmpty);
        }
    }

    /// Attaches an observer that receives the map's [`events`](crate::events)
    /// from now on, replacing any previous one.
    pub fn set_observer(&mut self, observer: impl Observer) {
        self.table.observer().set(Some(Box::new(observer)));
    }

    /// Detaches the observer and hands it back (`None` if there was none).
    pub fn remove_observer(&mut self) -> Option<Box<dyn Observer>> {
        self.table.observer().take()
    }
}

impl<K, V, S, E: Engine> GoMap<K, V, S, E>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    #[inline(always)]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        E::Table::<K, V>::hash_of(&self.hash_builder, self.table.seed(), key)
    }

    /// One step of a `range()` cursor made from this map.
    pub(crate) fn range_step(
        &self, state: &mut <E::Table<K, V> as Table<K, V>>::RangeState,
    ) -> Option<(&K, &V)> {
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        self.table
            .range_next(state, |k| E::Table::<K, V>::hash_of(hb, seed, k))
    }

    /// The value for `key`.
    #[inline(always)]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.get_key_value(key).map(|(_, v)| v)
    }

    /// The stored key and value for `key`.
    #[inline(always)]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = self.hash(key);
        self.table.get(hash, |k| key.equivalent(k))
    }

    /// Whether the map holds `key`.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.get_key_value(key).is_some()
    }

    /// The value for `key`, mutably.
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = self.hash(key);
        self.table
            .get_mut(hash, |k| key.equivalent(k))
            .map(|(_, v)| v)
    }

    /// Inserts or overwrites. Returns the old value when the key was
    /// present (the stored key is kept, as in std). Go: `m[k] = v`.
    #[inline]
    pub fn insert(&mut self, key: K, val: V) -> Option<V> {
        // The entry API's work without building an `Entry`: one write-side
        // lookup, then overwrite or insert in place.
        let hash = self.hash(&key);
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        // `move`: the closure holds the seed itself, not its address, so
        // nothing is written to the stack for it unless the engine's growth
        // path makes it a `&dyn Fn`.
        self.table
            .insert(hash, key, val, move |k| {
                E::Table::<K, V>::hash_of(hb, seed, k)
            })
            .unwrap_or_else(|e| capacity_panic(e))
    }

    /// Removes `key`, returning its value. Go: `delete(m, k)` — including
    /// its growth work, and a new seed when the map becomes empty.
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning the stored key and value.
    #[inline]
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = self.hash(key);
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        let seeds = &mut self.seeds;
        self.table.remove(
            hash,
            |k| key.equivalent(k),
            |k| E::Table::<K, V>::hash_of(hb, seed, k),
            || E::Table::<K, V>::draw_seed(seeds),
        )
    }

    /// The entry for `key`, for in-place manipulation. Like Go's
    /// `mapassign`, this does the write's growth work up front.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S, E> {
        let hash = self.hash(&key);
        match self.raw_entry(hash, |k| *k == key) {
            RawEntry::Occupied((raw, seeds)) => {
                Entry::Occupied(OccupiedEntry::new(raw, seeds, Some(key)))
            }
            RawEntry::Vacant(vacancy) => Entry::Vacant(VacantEntry { vacancy, key }),
        }
    }

    /// The write-side lookup both entry APIs start from: the engine's slot
    /// with the map's seed source, or a [`Vacancy`] ready to insert.
    #[allow(clippy::type_complexity)]
    fn raw_entry(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool,
    ) -> RawEntry<
        (
            <TableOf<K, V, E> as Table<K, V>>::Occupied<'_>,
            &mut Option<Box<dyn SeedSource>>,
        ),
        Vacancy<'_, K, V, S, E>,
    > {
        let seed = self.table.seed();
        let hash_builder = &self.hash_builder;
        let raw = self
            .table
            .entry(hash, eq, |k| {
                E::Table::<K, V>::hash_of(hash_builder, seed, k)
            })
            .unwrap_or_else(|e| capacity_panic(e));
        let seeds = &mut self.seeds;
        match raw {
            RawEntry::Occupied(raw) => RawEntry::Occupied((raw, seeds)),
            RawEntry::Vacant(raw) => RawEntry::Vacant(Vacancy {
                raw,
                hash_builder,
                seed,
                seeds,
            }),
        }
    }

    /// Makes room for `additional` more entries without a growth: finishes
    /// a growth in progress and doubles (evacuating at once) until
    /// `len() + additional` entries are within load factor 6.5.
    ///
    /// # Panics
    /// If the bucket array cannot be allocated; the map is unchanged then.
    pub fn reserve(&mut self, additional: usize) {
        if let Err(e) = self.try_reserve(additional) {
            capacity_panic(e.0);
        }
    }

    /// Like [`GoMap::reserve`], returning an error instead of panicking
    /// when the bucket array cannot be allocated.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        self.table
            .reserve(additional, |k| E::Table::<K, V>::hash_of(hb, seed, k))
            .map_err(TryReserveError)
    }

    /// Frees what the map holds beyond Go's layout, which never shrinks
    /// (`clear` keeps the buckets or tables too): for a [`SwissMap`](crate::SwissMap), the
    /// empty group arrays it keeps for its next split (`stats().bytes.reserve`);
    /// for a classic `GoMap`, nothing. Build a new map to release the rest.
    pub fn shrink_to_fit(&mut self) {
        self.table.shrink_to_fit();
    }

    /// Checks every structural invariant (tophash marks, the emptyRest rule,
    /// count, evacuation marks, the pool, `noverflow` while `B < 16`) and
    /// that every key sits in the bucket its hash selects. Panics with a
    /// description on the first violation. Meant for tests; costs O(n).
    pub fn check_invariants(&self) {
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        let hasher = |k: &K| E::Table::<K, V>::hash_of(hb, seed, k);
        if let Err(e) = self.table.check(Some(&hasher)) {
            panic!("gomap invariant violated: {e}");
        }
    }
}

/// The error of [`GoMap::try_reserve`]: a bucket array could not be
/// allocated.
#[derive(Clone, PartialEq, Eq)]
pub struct TryReserveError(CapacityError);

impl fmt::Debug for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TryReserveError {}

/// The largest allocation gomap attempts for a bucket array, in bytes (Go's
/// `maxAlloc`); `with_capacity` ignores hints whose buckets exceed it.
pub const MAX_BUCKET_BYTES: usize = MAX_ALLOC;

impl<K, V, S: Default, E: Engine> Default for GoMap<K, V, S, E> {
    fn default() -> Self {
        Self::build(0, S::default(), None)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, E: Engine> fmt::Debug for GoMap<K, V, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Clone, V: Clone, S: Clone, E: Engine> Clone for GoMap<K, V, S, E> {
    /// A copy with the identical layout: same `B`, seed, chains, slots and
    /// growth progress. Seeds of the copy come from the random generator.
    fn clone(&self) -> Self {
        GoMap {
            table: self.table.clone_table(),
            hash_builder: self.hash_builder.clone(),
            seeds: None,
            id: AtomicU64::new(0),
        }
    }
}

impl<K, V, S, E: Engine> PartialEq for GoMap<K, V, S, E>
where
    K: Eq + Hash,
    V: PartialEq,
    S: BuildHasher,
{
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|ov| v == ov))
    }
}

impl<K: Eq + Hash, V: Eq, S: BuildHasher, E: Engine> Eq for GoMap<K, V, S, E> {}

impl<K, Q, V, S, E: Engine> Index<&Q> for GoMap<K, V, S, E>
where
    K: Eq + Hash,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("key not found in GoMap")
    }
}

impl<K: Eq + Hash, V, S: BuildHasher, E: Engine> Extend<(K, V)> for GoMap<K, V, S, E> {
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K, V, S, E: Engine> Extend<(&'a K, &'a V)> for GoMap<K, V, S, E>
where
    K: Eq + Hash + Copy,
    V: Copy,
    S: BuildHasher,
{
    fn extend<T: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.insert(*k, *v);
        }
    }
}

impl<K: Eq + Hash, V, S: BuildHasher + Default, E: Engine> FromIterator<(K, V)>
    for GoMap<K, V, S, E>
{
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let iter = iter.into_iter();
        let mut map = Self::build(iter.size_hint().0, S::default(), None);
        map.extend(iter);
        map
    }
}

impl<K, V, S, E: Engine> IntoIterator for GoMap<K, V, S, E> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V, E>;

    fn into_iter(self) -> IntoIter<K, V, E> {
        IntoIter {
            inner: self.table.into_iter(),
        }
    }
}

impl<'a, K, V, S, E: Engine> IntoIterator for &'a GoMap<K, V, S, E> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V, E>;

    fn into_iter(self) -> Iter<'a, K, V, E> {
        self.iter()
    }
}

impl<'a, K, V, S, E: Engine> IntoIterator for &'a mut GoMap<K, V, S, E> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V, E>;

    fn into_iter(self) -> IterMut<'a, K, V, E> {
        self.iter_mut()
    }
}
