//! The Swiss engine (`swiss::RawSwiss`) behind the [`Table`] seam: the
//! entry handles and the forwarding impl. Go 1.24+ seeds a map with a full
//! 64-bit value, so the seed is a `u64` written to the hasher before the key.

#![forbid(unsafe_code)]

use core::hash::Hasher;

use super::{
    forward_common, remaining_via_inherent, table_types, CapacityError, ExtractCursor,
    OccupiedSlot, RawEntry, Remaining, Table, VacantSlot,
};
use crate::base::event::{ObserverSlot, ReseedCause};
use crate::base::hash::SeedSource;
use crate::swiss::{
    Loc, RawSwiss, SwissDrain, SwissExtract, SwissIntoIter, SwissIter, SwissIterMut,
    SwissRangeState,
};

/// A present key's slot, holding the map's unique borrow.
pub struct SwissOccupied<'a, K, V> {
    map: &'a mut RawSwiss<K, V>,
    loc: Loc,
}

/// An absent key's place: the insert runs Go's whole `PutSlot` path then.
pub struct SwissVacant<'a, K, V> {
    map: &'a mut RawSwiss<K, V>,
    hash: u64,
}

impl<'a, K, V> OccupiedSlot<'a, K, V> for SwissOccupied<'a, K, V> {
    type Seed = u64;
    fn key(&self) -> &K {
        self.map.entry_at(self.loc).0
    }
    fn get(&self) -> &V {
        self.map.entry_at(self.loc).1
    }
    fn get_mut(&mut self) -> &mut V {
        self.map.entry_at_mut(self.loc).1
    }
    fn into_mut(self) -> &'a mut V {
        self.map.entry_at_mut(self.loc).1
    }
    fn remove(self, reseed: impl FnOnce() -> u64) -> (K, V) {
        let entry = self.map.remove_at(self.loc);
        if self.map.len() == 0 {
            self.map.set_seed(reseed(), ReseedCause::DeleteToEmpty);
        }
        entry
    }
    fn replace_key(&mut self, key: K) -> K {
        self.map.replace_key_at(self.loc, key)
    }
}

impl<'a, K, V> VacantSlot<'a, K, V> for SwissVacant<'a, K, V> {
    type Occupied = SwissOccupied<'a, K, V>;
    fn insert(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError> {
        let loc = self.map.insert_absent(self.hash, key, val, &hasher);
        Ok(self.map.entry_at_mut(loc))
    }
    fn insert_occupied(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<SwissOccupied<'a, K, V>, CapacityError> {
        let loc = self.map.insert_absent(self.hash, key, val, &hasher);
        Ok(SwissOccupied { map: self.map, loc })
    }
}

impl<K, V> ExtractCursor<K, V> for SwissExtract<'_, K, V> {
    type Seed = u64;
    fn next(
        &mut self, pred: impl FnMut(&K, &mut V) -> bool, reseed: impl FnOnce() -> u64,
    ) -> Option<(K, V)> {
        SwissExtract::next(self, pred, reseed)
    }
    fn table_len(&self) -> usize {
        SwissExtract::table_len(self)
    }
}

remaining_via_inherent!(SwissIterMut<'_, K, V>, SwissIntoIter<K, V>, SwissDrain<'_, K, V>);

impl<K, V> Table<K, V> for RawSwiss<K, V> {
    table_types! {
        seed: u64, range: SwissRangeState, into_iter: SwissIntoIter,
        Occupied = SwissOccupied, Vacant = SwissVacant, Iter = SwissIter, IterMut = SwissIterMut,
        Drain = SwissDrain, Extract = SwissExtract,
    }

    forward_common!(RawSwiss);

    #[inline]
    fn draw_seed(source: &mut Option<Box<dyn SeedSource>>) -> u64 {
        crate::base::hash::draw_seed_u64(source)
    }

    /// Go 1.24+ passes the 64-bit `m.seed` to the hasher with the key.
    #[inline(always)]
    fn hash_seed<H: Hasher>(h: &mut H, seed: u64) {
        h.write_u64(seed);
    }

    fn with_hint(hint: usize, seed: u64) -> Result<Self, CapacityError> {
        Ok(RawSwiss::with_hint(hint, seed))
    }

    #[inline(always)]
    fn seed(&self) -> u64 {
        self.seed
    }

    fn capacity(&self) -> usize {
        RawSwiss::capacity(self)
    }

    fn clear_is_noop(&self) -> bool {
        RawSwiss::clear_is_noop(self)
    }

    #[inline]
    fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        RawSwiss::get(self, hash, eq)
    }

    #[inline]
    fn get_mut(&mut self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &mut V)> {
        RawSwiss::get_mut(self, hash, eq)
    }

    #[inline]
    fn insert(
        &mut self, hash: u64, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<Option<V>, CapacityError>
    where
        K: Eq,
    {
        Ok(RawSwiss::insert(self, hash, key, val, hasher))
    }

    fn entry(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, _hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<Self::Occupied<'_>, Self::Vacant<'_>>, CapacityError> {
        Ok(match self.find(hash, eq) {
            Some(loc) => RawEntry::Occupied(SwissOccupied { map: self, loc }),
            None => RawEntry::Vacant(SwissVacant { map: self, hash }),
        })
    }

    #[inline]
    fn remove(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, _hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> u64,
    ) -> Option<(K, V)> {
        let entry = self.remove_found(hash, eq)?;
        if self.used == 0 {
            self.set_seed(reseed(), ReseedCause::DeleteToEmpty);
        }
        Some(entry)
    }

    fn reseed(&mut self, seed: u64, cause: ReseedCause) {
        self.set_seed(seed, cause)
    }

    fn reserve(
        &mut self, additional: usize, hasher: impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError> {
        RawSwiss::reserve(self, additional, &hasher);
        Ok(())
    }

    fn shrink_to_fit(&mut self) {
        self.release_reserve();
    }

    fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        self.clone_map()
    }

    fn range_next(&self, st: &mut SwissRangeState, hasher: impl Fn(&K) -> u64) -> Option<(&K, &V)> {
        RawSwiss::range_next(self, st, &hasher)
    }
}
