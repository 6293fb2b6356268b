//! The classic engine (`raw::RawTable`) behind the [`Table`] seam: a thin
//! adapter, so `raw` knows nothing of the seam and the seam nothing of
//! buckets. Every method forwards; the iterator newtypes only add the std
//! traits the safe layer promises.

#![forbid(unsafe_code)]

use core::hash::Hasher;
use core::iter::FusedIterator;

use super::{CapacityError, ExtractCursor, OccupiedSlot, RawEntry, Remaining, Table, VacantSlot};
use crate::base::event::{Event, Observer, ReseedCause};
use crate::base::hash::SeedSource;
use crate::raw::{self, RawDrain, RawExtract, RawIntoIter, RawIterMut, RawIterRef, RawTable};

impl From<raw::CapacityError> for CapacityError {
    #[cold]
    fn from(e: raw::CapacityError) -> Self {
        CapacityError::Buckets {
            b: e.b,
            bytes: e.bytes,
        }
    }
}

impl<'a, K, V> OccupiedSlot<'a, K, V> for raw::RawOccupied<'a, K, V> {
    type Seed = u32;
    #[inline]
    fn key(&self) -> &K {
        raw::RawOccupied::key(self)
    }
    #[inline]
    fn get(&self) -> &V {
        raw::RawOccupied::get(self)
    }
    #[inline]
    fn get_mut(&mut self) -> &mut V {
        raw::RawOccupied::get_mut(self)
    }
    #[inline]
    fn into_mut(self) -> &'a mut V {
        raw::RawOccupied::into_mut(self)
    }
    #[inline]
    fn remove(self, reseed: impl FnOnce() -> u32) -> (K, V) {
        raw::RawOccupied::remove(self, reseed)
    }
    fn replace_key(&mut self, key: K) -> K {
        raw::RawOccupied::replace_key(self, key)
    }
}

impl<'a, K, V> VacantSlot<'a, K, V> for raw::RawVacant<'a, K, V> {
    type Occupied = raw::RawOccupied<'a, K, V>;
    #[inline]
    fn insert(
        self,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError> {
        Ok(raw::RawVacant::insert(self, key, val, hasher)?)
    }
    fn insert_occupied(
        self,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<raw::RawOccupied<'a, K, V>, CapacityError> {
        Ok(raw::RawVacant::insert_occupied(self, key, val, hasher)?)
    }
}

impl<K, V> ExtractCursor<K, V> for RawExtract<'_, K, V> {
    type Seed = u32;
    fn next(
        &mut self,
        pred: impl FnMut(&K, &mut V) -> bool,
        reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        RawExtract::next(self, pred, reseed)
    }
    fn table_len(&self) -> usize {
        RawExtract::table_len(self)
    }
}

impl<K, V> Remaining<K, V> for ClassicIterMut<'_, K, V> {
    fn remaining<'b>(&'b self) -> impl Iterator<Item = (&'b K, &'b V)>
    where
        K: 'b,
        V: 'b,
    {
        self.0.remaining()
    }
}

impl<K, V> Remaining<K, V> for ClassicIntoIter<K, V> {
    fn remaining<'b>(&'b self) -> impl Iterator<Item = (&'b K, &'b V)>
    where
        K: 'b,
        V: 'b,
    {
        self.0.remaining()
    }
}

impl<K, V> Remaining<K, V> for ClassicDrain<'_, K, V> {
    fn remaining<'b>(&'b self) -> impl Iterator<Item = (&'b K, &'b V)>
    where
        K: 'b,
        V: 'b,
    {
        self.0.remaining().into_iter().flatten()
    }
}

/// `(&K, &V)` in Go's order.
pub struct ClassicIter<'a, K, V>(RawIterRef<'a, K, V>);
/// `(&K, &mut V)` in Go's order.
pub struct ClassicIterMut<'a, K, V>(RawIterMut<'a, K, V>);
/// Owned entries in Go's order.
pub struct ClassicIntoIter<K, V>(RawIntoIter<K, V>);
/// Owned entries of an emptied map.
pub struct ClassicDrain<'a, K, V>(RawDrain<'a, K, V>);

impl<K, V> Clone for ClassicIter<'_, K, V> {
    fn clone(&self) -> Self {
        ClassicIter(self.0.clone())
    }
}

impl<'a, K, V> Iterator for ClassicIter<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.len(), Some(self.0.len()))
    }
}

impl<'a, K, V> Iterator for ClassicIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.len(), Some(self.0.len()))
    }
}

impl<K, V> Iterator for ClassicIntoIter<K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.0.next()
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.len(), Some(self.0.len()))
    }
}

impl<K, V> Iterator for ClassicDrain<'_, K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.0.next()
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.len(), Some(self.0.len()))
    }
}

impl<K, V> ExactSizeIterator for ClassicIter<'_, K, V> {}
impl<K, V> ExactSizeIterator for ClassicIterMut<'_, K, V> {}
impl<K, V> ExactSizeIterator for ClassicIntoIter<K, V> {}
impl<K, V> ExactSizeIterator for ClassicDrain<'_, K, V> {}
// Each returns `None` for good once its count of remaining entries is 0.
impl<K, V> FusedIterator for ClassicIter<'_, K, V> {}
impl<K, V> FusedIterator for ClassicIterMut<'_, K, V> {}
impl<K, V> FusedIterator for ClassicIntoIter<K, V> {}
impl<K, V> FusedIterator for ClassicDrain<'_, K, V> {}

impl<K, V> Table<K, V> for RawTable<K, V> {
    type Seed = u32;
    type Occupied<'a>
        = raw::RawOccupied<'a, K, V>
    where
        Self: 'a;
    type Vacant<'a>
        = raw::RawVacant<'a, K, V>
    where
        Self: 'a;
    type Iter<'a>
        = ClassicIter<'a, K, V>
    where
        Self: 'a,
        K: 'a,
        V: 'a;
    type IterMut<'a>
        = ClassicIterMut<'a, K, V>
    where
        Self: 'a,
        K: 'a,
        V: 'a;
    type IntoIter = ClassicIntoIter<K, V>;
    type Drain<'a>
        = ClassicDrain<'a, K, V>
    where
        Self: 'a;
    type Extract<'a>
        = RawExtract<'a, K, V>
    where
        Self: 'a;
    type RangeState = raw::RangeState;

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
        Ok(RawTable::with_hint(hint, seed)?)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        RawTable::len(self)
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
        &mut self,
        hash: u64,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<Option<V>, CapacityError>
    where
        K: Eq,
    {
        Ok(RawTable::insert(self, hash, key, val, hasher)?)
    }

    #[inline(always)]
    fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<Self::Occupied<'_>, Self::Vacant<'_>>, CapacityError> {
        Ok(match RawTable::entry(self, hash, eq, hasher)? {
            raw::RawEntry::Occupied(o) => RawEntry::Occupied(o),
            raw::RawEntry::Vacant(v) => RawEntry::Vacant(v),
        })
    }

    #[inline(always)]
    fn remove(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        RawTable::remove(self, hash, eq, hasher, reseed)
    }

    fn get_disjoint_mut<const N: usize>(
        &mut self,
        hashes: [u64; N],
        eq: impl FnMut(usize, &K) -> bool,
    ) -> [Option<(&K, &mut V)>; N] {
        RawTable::get_disjoint_mut(self, hashes, eq)
    }

    fn extract(&mut self) -> RawExtract<'_, K, V> {
        RawExtract::new(self)
    }

    fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) -> usize {
        RawTable::retain(self, keep)
    }

    fn clear(&mut self, seed: u32) {
        RawTable::clear(self, seed)
    }

    fn reseed(&mut self, seed: u32, cause: ReseedCause) {
        RawTable::reseed(self, seed, cause)
    }

    fn reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError> {
        Ok(RawTable::reserve(self, additional, hasher)?)
    }

    fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        self.clone()
    }

    #[inline]
    fn iter(&self) -> ClassicIter<'_, K, V> {
        ClassicIter(RawIterRef::new(self))
    }

    #[inline]
    fn iter_mut(&mut self) -> ClassicIterMut<'_, K, V> {
        ClassicIterMut(RawIterMut::new(self))
    }

    fn into_iter(self) -> ClassicIntoIter<K, V> {
        ClassicIntoIter(RawIntoIter::new(self))
    }

    fn drain(&mut self, seed: u32) -> ClassicDrain<'_, K, V> {
        ClassicDrain(RawDrain::new(self, seed))
    }

    fn range_state(&self) -> raw::RangeState {
        RawTable::range_state(self)
    }

    fn range_next(&self, st: &mut raw::RangeState, hasher: impl Fn(&K) -> u64) -> Option<(&K, &V)> {
        RawTable::range_next(self, st, hasher)
    }

    fn set_observer(&mut self, observer: Option<Box<dyn Observer>>) {
        RawTable::set_observer(self, observer)
    }

    fn take_observer(&mut self) -> Option<Box<dyn Observer>> {
        RawTable::take_observer(self)
    }

    fn emit(&mut self, make: impl FnOnce() -> Event) {
        RawTable::emit(self, make)
    }

    fn check(&self, hasher: Option<&dyn Fn(&K) -> u64>) -> Result<(), String> {
        RawTable::check(self, hasher).map_err(|e| format!("{e}\nheader: {:?}", self.header()))
    }
}
