//! The newer parts of std's `HashMap` API, over the engine's `raw` calls:
//! [`GoMap::extract_if`], [`GoMap::get_disjoint_mut`],
//! [`Entry::insert_entry`] and [`VacantEntry::insert_entry`].

#![forbid(unsafe_code)]

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

use super::entry::{Entry, OccupiedEntry, VacantEntry};
use super::GoMap;
use crate::base::hash::SeedSource;
use crate::engine::{Classic, Engine, ExtractCursor, Table, TableOf};

impl<K, V, S, E: Engine> GoMap<K, V, S, E> {
    /// An iterator that removes and yields every entry for which `pred`
    /// returns true, as std's `HashMap::extract_if`.
    ///
    /// Each entry is offered to `pred` once, with its value mutable. The
    /// removals are `retain`'s: Go's delete bookkeeping in place, no
    /// rehashing and no growth work, and a new seed when the map becomes
    /// empty. Dropping the iterator early keeps every entry it has not
    /// yielded; a `pred` that panics leaves the map valid, holding every
    /// entry not yet yielded.
    ///
    /// ```
    /// let mut m: gomap::GoMap<u32, u32> = (0..8).map(|i| (i, i * 10)).collect();
    /// let mut odd: Vec<u32> = m.extract_if(|k, _| k % 2 == 1).map(|(k, _)| k).collect();
    /// odd.sort();
    /// assert_eq!(odd, [1, 3, 5, 7]);
    /// assert_eq!(m.len(), 4);
    /// ```
    pub fn extract_if<F>(&mut self, pred: F) -> ExtractIf<'_, K, V, F, E>
    where
        F: FnMut(&K, &mut V) -> bool,
    {
        ExtractIf {
            raw: self.table.extract(),
            seeds: &mut self.seeds,
            pred,
        }
    }
}

/// The iterator of [`GoMap::extract_if`]: yields the removed entries.
pub struct ExtractIf<'a, K: 'a, V: 'a, F, E: Engine = Classic> {
    raw: <TableOf<K, V, E> as Table<K, V>>::Extract<'a>,
    seeds: &'a mut Option<Box<dyn SeedSource>>,
    pred: F,
}

impl<K, V, F, E: Engine> Iterator for ExtractIf<'_, K, V, F, E>
where
    F: FnMut(&K, &mut V) -> bool,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        let seeds = &mut *self.seeds;
        self.raw
            .next(&mut self.pred, || TableOf::<K, V, E>::draw_seed(seeds))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.raw.table_len()))
    }
}

impl<K, V, F, E: Engine> FusedIterator for ExtractIf<'_, K, V, F, E> where
    F: FnMut(&K, &mut V) -> bool
{
}

impl<K, V, F, E: Engine> fmt::Debug for ExtractIf<'_, K, V, F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf")
            .field("len", &self.raw.table_len())
            .finish_non_exhaustive()
    }
}

impl<K, V, S, E: Engine> GoMap<K, V, S, E>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    /// The values of `N` keys at once, each mutable; `None` for a key the
    /// map lacks. As std's `HashMap::get_disjoint_mut`.
    ///
    /// # Panics
    /// If any two of the keys are equal, present or not (std's contract).
    ///
    /// ```
    /// let mut m = gomap::GoMap::from([("a", 1), ("b", 2)]);
    /// let [a, b, c] = m.get_disjoint_mut(["a", "b", "c"]);
    /// std::mem::swap(a.unwrap(), b.unwrap());
    /// assert!(c.is_none());
    /// assert_eq!((m["a"], m["b"]), (2, 1));
    /// ```
    pub fn get_disjoint_mut<Q, const N: usize>(&mut self, ks: [&Q; N]) -> [Option<&mut V>; N]
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        for (i, a) in ks.iter().enumerate() {
            assert!(
                !ks[..i].contains(a),
                "gomap: get_disjoint_mut: keys {i} and another are equal"
            );
        }
        let seed = self.table.seed();
        let hb = &self.hash_builder;
        let hashes = ks.map(|k| TableOf::<K, V, E>::hash_of(hb, seed, k));
        self.table
            .get_disjoint_mut(hashes, |n, k| k.borrow() == ks[n])
            .map(|e| e.map(|(_, v)| v))
    }
}

impl<'a, K: Hash, V, S: BuildHasher, E: Engine> Entry<'a, K, V, S, E> {
    /// Sets the value, inserting the key if absent, and returns the
    /// occupied entry. As std's `Entry::insert_entry`.
    ///
    /// ```
    /// let mut m = gomap::GoMap::new();
    /// let e = m.entry("k").insert_entry(1);
    /// assert_eq!((e.key(), e.get()), (&"k", &1));
    /// let e = m.entry("k").insert_entry(2);
    /// assert_eq!(e.remove(), 2);
    /// assert!(m.is_empty());
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, S, E> {
        match self {
            Entry::Occupied(mut o) => {
                o.insert(value);
                o
            }
            Entry::Vacant(v) => v.insert_entry(value),
        }
    }
}

impl<'a, K: Hash, V, S: BuildHasher, E: Engine> VacantEntry<'a, K, V, S, E> {
    /// Inserts the value (starting a growth first when Go would) and
    /// returns the occupied entry. As std's `VacantEntry::insert_entry`.
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, S, E> {
        self.vacancy.insert_entry(self.key, value)
    }
}
