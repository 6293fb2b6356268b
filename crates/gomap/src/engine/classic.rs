//! The classic engine (`raw::RawTable`) behind the [`Table`] seam: a thin
//! adapter, so `raw` knows nothing of the seam and the seam nothing of
//! buckets. The engine's own types (entries, iterators, errors) are the
//! seam's; what is left here is naming them and the few methods whose
//! classic form differs from the Swiss one.

#![forbid(unsafe_code)]

use core::hash::Hasher;

use super::{
    forward_common, remaining_via_inherent, table_types, CapacityError, ExtractCursor,
    OccupiedSlot, RawEntry, Remaining, Table, VacantSlot,
};
use crate::base::event::{ObserverSlot, ReseedCause};
use crate::base::hash::SeedSource;
use crate::raw::{
    RangeState, RawDrain, RawExtract, RawIntoIter, RawIterMut, RawIterRef, RawOccupied, RawTable,
    RawVacant,
};

impl<'a, K, V> OccupiedSlot<'a, K, V> for RawOccupied<'a, K, V> {
    type Seed = u32;
    #[inline]
    fn key(&self) -> &K {
        RawOccupied::key(self)
    }
    #[inline]
    fn get(&self) -> &V {
        RawOccupied::get(self)
    }
    #[inline]
    fn get_mut(&mut self) -> &mut V {
        RawOccupied::get_mut(self)
    }
    #[inline]
    fn into_mut(self) -> &'a mut V {
        RawOccupied::into_mut(self)
    }
    #[inline]
    fn remove(self, reseed: impl FnOnce() -> u32) -> (K, V) {
        RawOccupied::remove(self, reseed)
    }
    fn replace_key(&mut self, key: K) -> K {
        RawOccupied::replace_key(self, key)
    }
}

impl<'a, K, V> VacantSlot<'a, K, V> for RawVacant<'a, K, V> {
    type Occupied = RawOccupied<'a, K, V>;
    #[inline]
    fn insert(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError> {
        RawVacant::insert(self, key, val, hasher)
    }
    fn insert_occupied(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<RawOccupied<'a, K, V>, CapacityError> {
        RawVacant::insert_occupied(self, key, val, hasher)
    }
}

impl<K, V> ExtractCursor<K, V> for RawExtract<'_, K, V> {
    type Seed = u32;
    fn next(
        &mut self, pred: impl FnMut(&K, &mut V) -> bool, reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        RawExtract::next(self, pred, reseed)
    }
    fn table_len(&self) -> usize {
        RawExtract::table_len(self)
    }
}

remaining_via_inherent!(RawIterMut<'_, K, V>, RawIntoIter<K, V>, RawDrain<'_, K, V>);

impl<K, V> Table<K, V> for RawTable<K, V> {
    table_types! {
        seed: u32, range: RangeState, into_iter: RawIntoIter,
        Occupied = RawOccupied, Vacant = RawVacant, Iter = RawIterRef, IterMut = RawIterMut,
        Drain = RawDrain, Extract = RawExtract,
    }

    forward_common!(RawTable);

    #[inline]
    fn draw_seed(source: &mut Option<Box<dyn SeedSource>>) -> u32 {
        crate::base::hash::draw_seed(source)
    }

    /// Go 1.19 mixes the 32-bit `h.hash0` into every hash.
    #[inline(always)]
    fn hash_seed<H: Hasher>(h: &mut H, seed: u32) {
        h.write_u32(seed);
    }

    fn with_hint(hint: usize, seed: u32) -> Result<Self, CapacityError> {
        RawTable::with_hint(hint, seed)
    }

    #[inline(always)]
    fn seed(&self) -> u32 {
        self.hash0()
    }

    /// 8 for `B = 0`, else 6.5 × 2^B, or `len()` while a growth runs past it.
    fn capacity(&self) -> usize {
        let b = self.b();
        let threshold = if b == 0 { 8 } else { 13 * ((1usize << b) / 2) };
        threshold.max(RawTable::len(self))
    }

    #[inline(always)]
    fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        RawTable::get(self, hash, eq)
    }

    #[inline(always)]
    fn get_mut(&mut self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &mut V)> {
        RawTable::get_mut(self, hash, eq)
    }

    #[inline(always)]
    fn insert(
        &mut self, hash: u64, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<Option<V>, CapacityError>
    where
        K: Eq,
    {
        RawTable::insert(self, hash, key, val, hasher)
    }

    #[inline(always)]
    fn entry(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<Self::Occupied<'_>, Self::Vacant<'_>>, CapacityError> {
        RawTable::entry(self, hash, eq, hasher)
    }

    #[inline(always)]
    fn remove(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        RawTable::remove(self, hash, eq, hasher, reseed)
    }

    fn reseed(&mut self, seed: u32, cause: ReseedCause) {
        RawTable::reseed(self, seed, cause)
    }

    fn reserve(
        &mut self, additional: usize, hasher: impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError> {
        RawTable::reserve(self, additional, hasher)
    }

    fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        self.clone()
    }

    fn range_next(&self, st: &mut RangeState, hasher: impl Fn(&K) -> u64) -> Option<(&K, &V)> {
        RawTable::range_next(self, st, hasher)
    }
}
