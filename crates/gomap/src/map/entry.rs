//! The entry API: one write-side lookup, then read, modify, insert or remove.

#![forbid(unsafe_code)]

use core::fmt;
use core::hash::BuildHasher;
use core::marker::PhantomData;
use core::mem;

use super::capacity_panic;
use crate::base::hash::SeedSource;
use crate::engine::{Classic, Engine, OccupiedSlot, SeedOf, Table, TableOf, VacantSlot};

/// A view into one key's place in a [`GoMap`](crate::GoMap), from
/// [`GoMap::entry`](crate::GoMap::entry).
pub enum Entry<'a, K: 'a, V: 'a, S, E: Engine = Classic> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, S, E>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V, S, E>),
}

/// A present key's entry.
pub struct OccupiedEntry<'a, K: 'a, V: 'a, S, E: Engine = Classic> {
    pub(crate) raw: <TableOf<K, V, E> as Table<K, V>>::Occupied<'a>,
    pub(crate) seeds: &'a mut Option<Box<dyn SeedSource>>,
    /// The key passed to `entry` (std hands it back from some methods).
    pub(crate) key: Option<K>,
    pub(crate) _hasher: PhantomData<&'a S>,
}

/// An absent key's entry.
pub struct VacantEntry<'a, K: 'a, V: 'a, S, E: Engine = Classic> {
    pub(crate) vacancy: Vacancy<'a, K, V, S, E>,
    pub(crate) key: K,
}

/// What a vacant entry holds besides its key, for `entry` and `entry_ref`
/// alike: the engine's vacant slot and what an insert needs to rehash the
/// entries a growth moves and to hand back an occupied entry.
pub(crate) struct Vacancy<'a, K: 'a, V: 'a, S, E: Engine> {
    pub(crate) raw: <TableOf<K, V, E> as Table<K, V>>::Vacant<'a>,
    pub(crate) hash_builder: &'a S,
    pub(crate) seed: SeedOf<K, V, E>,
    /// The map's seed source, for the occupied entry `insert_entry` returns.
    pub(crate) seeds: &'a mut Option<Box<dyn SeedSource>>,
}

impl<'a, K: core::hash::Hash, V, S: BuildHasher, E: Engine> Vacancy<'a, K, V, S, E> {
    /// Inserts the entry (growing first where Go would).
    pub(crate) fn insert(self, key: K, val: V) -> &'a mut V {
        let (hb, seed) = (self.hash_builder, self.seed);
        let inserted = self
            .raw
            .insert(key, val, |k| TableOf::<K, V, E>::hash_of(hb, seed, k));
        inserted.unwrap_or_else(|e| capacity_panic(e)).1
    }

    /// Inserts the entry and returns it as an occupied one.
    pub(crate) fn insert_entry(self, key: K, val: V) -> OccupiedEntry<'a, K, V, S, E> {
        let (hb, seed) = (self.hash_builder, self.seed);
        let inserted = self
            .raw
            .insert_occupied(key, val, |k| TableOf::<K, V, E>::hash_of(hb, seed, k));
        OccupiedEntry::new(
            inserted.unwrap_or_else(|e| capacity_panic(e)),
            self.seeds,
            None,
        )
    }
}

impl<'a, K, V, S, E: Engine> OccupiedEntry<'a, K, V, S, E> {
    /// An occupied entry over the engine's slot; `key` is the key passed to
    /// `entry`, if any.
    pub(crate) fn new(
        raw: <TableOf<K, V, E> as Table<K, V>>::Occupied<'a>,
        seeds: &'a mut Option<Box<dyn SeedSource>>, key: Option<K>,
    ) -> Self {
        OccupiedEntry {
            raw,
            seeds,
            key,
            _hasher: PhantomData,
        }
    }
}

impl<'a, K, V, S: BuildHasher, E: Engine> Entry<'a, K, V, S, E>
where
    K: core::hash::Hash,
{
    /// The value, inserting `default` if absent.
    ///
    /// ```
    /// let mut m = gomap::GoMap::new();
    /// *m.entry("a").or_insert(0) += 5;
    /// *m.entry("a").or_insert(0) += 5;
    /// assert_eq!(m["a"], 10);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default),
        }
    }

    /// The value, inserting `f()` if absent.
    pub fn or_insert_with<F: FnOnce() -> V>(self, f: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(f()),
        }
    }

    /// The value, inserting `f(&key)` if absent.
    pub fn or_insert_with_key<F: FnOnce(&K) -> V>(self, f: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let val = f(&v.key);
                v.insert(val)
            }
        }
    }

    /// The value, inserting `V::default()` if absent.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if present.
    ///
    /// ```
    /// let mut m = gomap::GoMap::new();
    /// m.entry("k").and_modify(|v| *v += 1).or_insert(1);
    /// m.entry("k").and_modify(|v| *v += 1).or_insert(1);
    /// assert_eq!(m["k"], 2);
    /// ```
    pub fn and_modify<F: FnOnce(&mut V)>(mut self, f: F) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }

    /// The entry's key.
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }
}

impl<'a, K, V, S, E: Engine> OccupiedEntry<'a, K, V, S, E> {
    /// The key stored in the map.
    pub fn key(&self) -> &K {
        self.raw.key()
    }

    /// The value.
    pub fn get(&self) -> &V {
        self.raw.get()
    }

    /// The value, mutably.
    pub fn get_mut(&mut self) -> &mut V {
        self.raw.get_mut()
    }

    /// The value, mutably, for the map's lifetime.
    pub fn into_mut(self) -> &'a mut V {
        self.raw.into_mut()
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, val: V) -> V {
        mem::replace(self.raw.get_mut(), val)
    }

    /// Removes the entry, returning its value.
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning the stored key and the value.
    pub fn remove_entry(self) -> (K, V) {
        let seeds = self.seeds;
        self.raw.remove(|| TableOf::<K, V, E>::draw_seed(seeds))
    }

    /// The key that was passed to [`GoMap::entry`](crate::GoMap::entry).
    pub fn take_key(&mut self) -> Option<K> {
        self.key.take()
    }
}

impl<'a, K: core::hash::Hash, V, S: BuildHasher, E: Engine> VacantEntry<'a, K, V, S, E> {
    /// The key that would be inserted.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Takes the key back without inserting.
    pub fn into_key(self) -> K {
        self.key
    }

    /// Inserts the value (starting a growth first when Go would).
    pub fn insert(self, val: V) -> &'a mut V {
        self.vacancy.insert(self.key, val)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, E: Engine> fmt::Debug for Entry<'_, K, V, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f
                .debug_struct("Occupied")
                .field("key", o.key())
                .field("value", o.get())
                .finish(),
            Entry::Vacant(v) => f.debug_tuple("Vacant").field(&v.key).finish(),
        }
    }
}
