//! `entry_ref`: hashbrown's entry by borrowed key, which builds the owned
//! key (`K: From<&Q>`) only when it inserts.

#![forbid(unsafe_code)]

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::entry::{OccupiedEntry, Vacancy};
use super::GoMap;
use crate::engine::{Classic, Engine, RawEntry, Table, TableOf};

impl<K: Eq + Hash, V, S: BuildHasher, E: Engine> GoMap<K, V, S, E> {
    /// The entry for a borrowed `key`, as hashbrown's `entry_ref`: a lookup
    /// needs no owned key, and an insert makes one with `K::from(key)`. Like
    /// [`GoMap::entry`], it does the write's growth work up front.
    ///
    /// ```
    /// let mut words: gomap::GoMap<String, u32> = gomap::GoMap::new();
    /// for w in "a b a c a".split(' ') {
    ///     *words.entry_ref(w).or_insert(0) += 1; // a String only per new word
    /// }
    /// assert_eq!((words["a"], words["b"], words.len()), (3, 1, 3));
    /// ```
    pub fn entry_ref<'a, 'b, Q>(&'a mut self, key: &'b Q) -> EntryRef<'a, 'b, K, Q, V, S, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = TableOf::<K, V, E>::hash_of(&self.hash_builder, self.table.seed(), key);
        match self.raw_entry(hash, |k| k.borrow() == key) {
            RawEntry::Occupied((raw, seeds)) => {
                EntryRef::Occupied(OccupiedEntry::new(raw, seeds, None))
            }
            RawEntry::Vacant(vacancy) => EntryRef::Vacant(VacantEntryRef { vacancy, key }),
        }
    }
}

/// A view into one key's place in a [`GoMap`], from
/// [`GoMap::entry_ref`]: the key is borrowed (`&'b Q`) until an insert
/// turns it into a `K`.
pub enum EntryRef<'a, 'b, K: 'a, Q: ?Sized, V: 'a, S, E: Engine = Classic> {
    /// The key is present (the occupied entry of [`GoMap::entry`]).
    Occupied(OccupiedEntry<'a, K, V, S, E>),
    /// The key is absent.
    Vacant(VacantEntryRef<'a, 'b, K, Q, V, S, E>),
}

/// An absent key's entry, holding the borrowed key.
pub struct VacantEntryRef<'a, 'b, K: 'a, Q: ?Sized, V: 'a, S, E: Engine = Classic> {
    vacancy: Vacancy<'a, K, V, S, E>,
    key: &'b Q,
}

impl<'a, 'b, K, Q, V, S, E: Engine> EntryRef<'a, 'b, K, Q, V, S, E>
where
    K: Hash + From<&'b Q>,
    Q: ?Sized,
    S: BuildHasher,
{
    /// The value, inserting `default` if absent.
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            EntryRef::Occupied(o) => o.into_mut(),
            EntryRef::Vacant(v) => v.insert(default),
        }
    }

    /// The value, inserting `f()` if absent.
    pub fn or_insert_with<F: FnOnce() -> V>(self, f: F) -> &'a mut V {
        match self {
            EntryRef::Occupied(o) => o.into_mut(),
            EntryRef::Vacant(v) => v.insert(f()),
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
    pub fn and_modify<F: FnOnce(&mut V)>(mut self, f: F) -> Self {
        if let EntryRef::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }

    /// Sets the value, inserting the key if absent, and returns the
    /// occupied entry.
    pub fn insert(self, value: V) -> OccupiedEntry<'a, K, V, S, E> {
        match self {
            EntryRef::Occupied(mut o) => {
                o.insert(value);
                o
            }
            EntryRef::Vacant(v) => v.insert_entry(value),
        }
    }
}

impl<K, Q, V, S, E: Engine> EntryRef<'_, '_, K, Q, V, S, E>
where
    K: Borrow<Q>,
    Q: ?Sized,
{
    /// The entry's key: the stored one if present, else the borrowed one.
    pub fn key(&self) -> &Q {
        match self {
            EntryRef::Occupied(o) => o.key().borrow(),
            EntryRef::Vacant(v) => v.key,
        }
    }
}

impl<'a, 'b, K, Q, V, S, E: Engine> VacantEntryRef<'a, 'b, K, Q, V, S, E>
where
    K: Hash + From<&'b Q>,
    Q: ?Sized,
    S: BuildHasher,
{
    /// The borrowed key that would be inserted.
    pub fn key(&self) -> &'b Q {
        self.key
    }

    /// Inserts `K::from(key)` with the value (starting a growth first when
    /// Go would).
    pub fn insert(self, value: V) -> &'a mut V {
        self.vacancy.insert(K::from(self.key), value)
    }

    /// Inserts `K::from(key)` with the value and returns the occupied entry.
    fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, S, E> {
        self.vacancy.insert_entry(K::from(self.key), value)
    }
}

impl<K, Q, V, S, E: Engine> fmt::Debug for EntryRef<'_, '_, K, Q, V, S, E>
where
    K: fmt::Debug,
    Q: fmt::Debug + ?Sized,
    V: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryRef::Occupied(o) => f
                .debug_struct("Occupied")
                .field("key", o.key())
                .field("value", o.get())
                .finish(),
            EntryRef::Vacant(v) => f.debug_tuple("VacantRef").field(&v.key).finish(),
        }
    }
}
