//! `GoMap::range`: a cursor with Go's `range` semantics. See
//! [`GoMap::range`](crate::GoMap::range) for the contract.

#![forbid(unsafe_code)]

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;

use crate::hash::make_hash;
use crate::raw::RangeState;
use crate::GoMap;

/// A range cursor over a [`GoMap`], from [`GoMap::range`]. It holds no
/// borrow between steps; pass the map to each [`Range::next`].
///
/// Dropping a cursor before its end is fine: the map forgets it (a cursor
/// standing between two keys with equal hashes is known to the map, which
/// holds it weakly).
pub struct Range<K, V> {
    map_id: u64,
    state: RangeState,
    _entries: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Range<K, V> {
    pub(crate) fn new(map_id: u64, state: RangeState) -> Self {
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
    pub fn next<'m, S>(&mut self, map: &'m GoMap<K, V, S>) -> Option<(&'m K, &'m V)>
    where
        K: Eq + Hash,
        S: BuildHasher,
    {
        assert!(
            map.id == self.map_id,
            "gomap: a range cursor was used with a different map than the one it was made from"
        );
        let seed = map.table.hash0();
        let hb = &map.hash_builder;
        map.table
            .range_next(&mut self.state, |k| make_hash(hb, seed, k))
    }
}

impl<K, V> fmt::Debug for Range<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Range").field("state", &self.state).finish()
    }
}
