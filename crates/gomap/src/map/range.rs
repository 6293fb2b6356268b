//! `GoMap::range`: a cursor with Go's `range` semantics. See
//! [`GoMap::range`](crate::GoMap::range) for the contract.

#![forbid(unsafe_code)]

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;

use crate::engine::{Classic, Engine, Table, TableOf};
use crate::GoMap;

/// A range cursor over a [`GoMap`], from [`GoMap::range`]. It holds no
/// borrow between steps; pass the map to each [`Range::next`].
///
/// Dropping a cursor before its end is fine: the map forgets it (a cursor
/// standing between two keys with equal hashes is known to the map, which
/// holds it weakly).
pub struct Range<K, V, E: Engine = Classic> {
    map_id: u64,
    state: <TableOf<K, V, E> as Table<K, V>>::RangeState,
    _entries: PhantomData<fn() -> (K, V)>,
}

impl<K, V, E: Engine> Range<K, V, E> {
    pub(crate) fn new(map_id: u64, state: <TableOf<K, V, E> as Table<K, V>>::RangeState) -> Self {
        Range {
            map_id,
            state,
            _entries: PhantomData,
        }
    }

    /// The next entry, or `None` when the range is over.
    ///
    /// # Panics
    /// If `map` is not the map this cursor was made from.
    pub fn next<'m, S>(&mut self, map: &'m GoMap<K, V, S, E>) -> Option<(&'m K, &'m V)>
    where
        K: Eq + Hash,
        S: BuildHasher,
    {
        assert!(
            map.id() == self.map_id,
            "gomap: a range cursor was used with a different map than the one it was made from"
        );
        map.range_step(&mut self.state)
    }
}

impl<K, V, E: Engine> fmt::Debug for Range<K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Range").field("state", &self.state).finish()
    }
}
