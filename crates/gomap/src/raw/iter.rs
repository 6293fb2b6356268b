//! Iteration in Go's order: from a random bucket, wrapping around, and
//! within each bucket from a random slot offset. Go: `mapiterinit`,
//! `mapiternext`.
//!
//! During a growth the walk follows the new array's bucket order. A new
//! bucket whose old bucket is not evacuated yet is empty (only evacuation
//! fills it), so the old chain is read in its place — once, at the X index
//! (the old chain holds the entries of both X and Y). Nothing here rehashes
//! a key: the borrow of the table rules out changes during the walk.

#[path = "iter_views.rs"]
mod views;

use core::iter::FusedIterator;
use core::marker::PhantomData;

use super::bucket::{Bucket, BucketRef, Full};
use super::group::first_slot;
use super::shape::*;
use super::RawTable;

/// A cursor over the full slots of a table. It holds no borrow: each step
/// is given the table, and the safe wrappers tie the cursor to a borrow of
/// the table (or own it).
pub(crate) struct RawIter<K, V> {
    start: usize,
    offset: usize,
    /// Buckets of the current array visited so far.
    visited: usize,
    /// Bucket being walked, and the next slot counter (0..8) in it.
    cur: Option<Bucket<K, V>>,
    slot: usize,
    /// Entries not yet yielded.
    remaining: usize,
}

impl<K, V> Clone for RawIter<K, V> {
    fn clone(&self) -> Self {
        RawIter { ..*self }
    }
}

impl<K, V> RawIter<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.remaining
    }

    /// The next full slot of `table`.
    ///
    /// # Safety
    /// `table` is the table this cursor was made from, and since then it
    /// has only changed by slots this cursor already yielded being emptied.
    pub(crate) unsafe fn next_slot<'t>(
        &mut self, table: &'t RawTable<K, V>,
    ) -> Option<Full<'t, K, V>> {
        if self.remaining == 0 {
            return None;
        }
        let mask = table.bucket_mask();
        loop {
            let bucket = match self.cur {
                // SAFETY: `cur` is a bucket of a chain of `table` that no
                // change since it was stored has freed (caller's contract),
                // and the shared borrow rules out writes during 't.
                Some(bk) => unsafe { bk.get::<'t>() },
                None => {
                    if self.visited > mask {
                        return None;
                    }
                    let n = (self.start + self.visited) & mask;
                    self.visited += 1;
                    self.slot = 0;
                    let chain = table.live_chain(n)?;
                    // An old chain holds both halves' entries: read it once,
                    // at its X index.
                    if chain.old.is_some_and(|j| j != n) {
                        continue;
                    }
                    self.cur = Some(chain.head.erase());
                    chain.head
                }
            };
            if self.slot < BUCKET_CNT {
                // Slots in visiting order: byte j of `order` is slot
                // (j + offset) % 8; the next one is the first full slot at or
                // after position `self.slot`.
                let full = bucket.full();
                let order = full.mask().0.rotate_right((self.offset * 8) as u32)
                    & (u64::MAX << (self.slot * 8));
                if order != 0 {
                    let j = first_slot(order);
                    self.slot = j + 1;
                    self.remaining -= 1;
                    return full.get((j + self.offset) & (BUCKET_CNT - 1));
                }
            }
            self.cur = bucket.overflow().map(BucketRef::erase);
            self.slot = 0;
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// A cursor from a random bucket and slot offset.impl<K, V> RawTable<K, V> {
    /// A cursor from a random bucket and slot offset.
    pub(crate) fn raw_iter(&self) -> RawIter<K, V> {
        let r = fastrand::u64(..) as usize;
        let b = self.b;
        RawIter {
            start: r & ((1usize << b) - 1),
            offset: (r >> b) & (BUCKET_CNT - 1),
            visited: 0,
            cur: None,
            slot: 0,
            remaining: self.count,
        }
    }
}

/// An owning iterator: moves entries out of a table it owns. A slot it has
/// taken is marked emptyOne so the table's `Drop` skips it.
pub struct RawIntoIter<K, V> {
    table: RawTable<K, V>,
    iter: RawIter<K, V>,
}

impl<K, V> RawIntoIter<K, V> {
    pub(crate) fn new(table: RawTable<K, V>) -> Self {
        let iter = table.raw_iter();
        RawIntoIter { table, iter }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }

    /// Gives the (now empty) table back.
    pub(crate) fn into_table(mut self) -> RawTable<K, V> {
        while self.next().is_some() {}
        self.table
    }
}

impl<K, V> Iterator for RawIntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        // SAFETY: the cursor belongs to `self.table`, which we own and only
        // change by emptying yielded slots.
        let slot = unsafe { self.iter.next_slot(&self.table) }?;
        let (b, i) = (slot.bucket().erase(), slot.index());
        // SAFETY: the slot is full and the table ours; after reading it we
        // mark it empty so the table's `Drop` does not drop it again. A main
        // bucket's first mark becomes 1, never an evacuation mark, so the
        // walk is unaffected.
        unsafe {
            let kv = b.read_entry(i);
            b.set_top(i, EMPTY_ONE);
            self.table.count -= 1;
            Some(kv)
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }
}

/// `drain`: the map's table is moved out into this iterator; when it ends,
/// the table is cleared Go-style (keeping `B` and its array) and put back.
/// If the iterator is leaked, the map stays empty and valid.
pub struct RawDrain<'a, K, V> {
    inner: Option<RawIntoIter<K, V>>,
    /// Entries the map held when the drain started.
    count: usize,
    home: &'a mut RawTable<K, V>,
}

impl<'a, K, V> RawDrain<'a, K, V> {
    /// Starts draining; `seed` becomes the map's seed (Go's clear reseeds).
    pub(crate) fn new(home: &'a mut RawTable<K, V>, seed: u32) -> Self {
        if home.count == 0 {
            return RawDrain {
                inner: None,
                count: 0,
                home,
            };
        }
        let count = home.count;
        let table = home.take(seed);
        RawDrain {
            inner: Some(RawIntoIter::new(table)),
            count,
            home,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |it| it.len())
    }
}

impl<K, V> Iterator for RawDrain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.as_mut()?.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }
}

impl<K, V> Drop for RawDrain<'_, K, V> {
    fn drop(&mut self) {
        if let Some(it) = self.inner.take() {
            // Drops the rest. If an entry's `Drop` panics, the iterator
            // taken by `into_table` is dropped while unwinding, and with it
            // its table, which drops the entries left (`drop_entries`); the
            // map still holds the empty table from `new`.
            let mut table = it.into_table();
            let seed = self.home.hash0;
            // Every slot is empty now, but marks and overflow chains remain:
            // reset them the way `clear` does, with the seed drawn at `new`.
            table.reset_cleared(seed, self.count);
            *self.home = table;
        }
    }
}

/// Shared iteration over a borrowed table.
pub struct RawIterRef<'a, K, V> {
    iter: RawIter<K, V>,
    table: &'a RawTable<K, V>,
}

impl<K, V> Clone for RawIterRef<'_, K, V> {
    fn clone(&self) -> Self {
        RawIterRef {
            iter: self.iter.clone(),
            table: self.table,
        }
    }
}

impl<'a, K, V> RawIterRef<'a, K, V> {
    pub(crate) fn new(table: &'a RawTable<K, V>) -> Self {
        RawIterRef {
            iter: table.raw_iter(),
            table,
        }
    }
}

impl<'a, K, V> Iterator for RawIterRef<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        // SAFETY: the cursor was made from `self.table`, borrowed shared for
        // 'a, so it is alive and unchanged.
        let slot = unsafe { self.iter.next_slot(self.table) }?;
        Some(slot.entry())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.iter.len(), Some(self.iter.len()))
    }
}

/// Iteration with mutable values over a uniquely borrowed table.
pub struct RawIterMut<'a, K, V> {
    iter: RawIter<K, V>,
    /// The table, borrowed uniquely for 'a by `new`; the cursor reads it
    /// through this shared reborrow and hands out each value once.
    table: &'a RawTable<K, V>,
    _unique: PhantomData<&'a mut RawTable<K, V>>,
}

impl<'a, K, V> RawIterMut<'a, K, V> {
    pub(crate) fn new(table: &'a mut RawTable<K, V>) -> Self {
        RawIterMut {
            iter: table.raw_iter(),
            table,
            _unique: PhantomData,
        }
    }
}

impl<'a, K, V> Iterator for RawIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        // SAFETY: the cursor was made from `self.table`, which is borrowed
        // uniquely for 'a and so unchanged.
        let slot = unsafe { self.iter.next_slot(self.table) }?;
        let (b, i) = (slot.bucket().erase(), slot.index());
        // SAFETY: the slot is full and live for 'a; each slot is yielded
        // once and the cursor never reads a value, so the `&mut V`s never
        // alias anything.
        Some(unsafe { b.entry_mut(i) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.iter.len(), Some(self.iter.len()))
    }
}

impl<K, V> ExactSizeIterator for RawIterRef<'_, K, V> {}
impl<K, V> ExactSizeIterator for RawIterMut<'_, K, V> {}
impl<K, V> ExactSizeIterator for RawIntoIter<K, V> {}
impl<K, V> ExactSizeIterator for RawDrain<'_, K, V> {}
// Each returns `None` for good once its count of remaining entries is 0.
impl<K, V> FusedIterator for RawIterRef<'_, K, V> {}
impl<K, V> FusedIterator for RawIterMut<'_, K, V> {}
impl<K, V> FusedIterator for RawIntoIter<K, V> {}
impl<K, V> FusedIterator for RawDrain<'_, K, V> {}

// SAFETY: these iterators hand out `&K`/`&V` (and `&mut V`) only; they are
// as thread-safe as the references they stand for.
unsafe impl<K: Sync, V: Sync> Send for RawIterRef<'_, K, V> {}
// SAFETY: as above.
unsafe impl<K: Sync, V: Sync> Sync for RawIterRef<'_, K, V> {}
// SAFETY: `&mut V` is Send when V is Send; keys are only shared.
unsafe impl<K: Sync, V: Send> Send for RawIterMut<'_, K, V> {}
// SAFETY: `&mut V` is Sync when V is Sync.
unsafe impl<K: Sync, V: Sync> Sync for RawIterMut<'_, K, V> {}
// SAFETY: the owning iterator owns Ks and Vs like the table does.
unsafe impl<K: Send, V: Send> Send for RawIntoIter<K, V> {}
// SAFETY: as above; `&RawIntoIter` exposes nothing.
unsafe impl<K: Sync, V: Sync> Sync for RawIntoIter<K, V> {}
