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

use core::marker::PhantomData;

use super::shape::*;
use super::{Bucket, RawTable};

/// A cursor over the full slots of a table. It holds raw pointers into the
/// table; the safe wrappers tie it to a borrow of the table (or own it).
pub(crate) struct RawIter<K, V> {
    /// Current array's first bucket and log2 size.
    new: Option<(Bucket, u8)>,
    /// Old array's first bucket and log2 size, while growing.
    old: Option<(Bucket, u8)>,
    start: usize,
    offset: usize,
    /// Buckets of the new array visited so far.
    visited: usize,
    /// Bucket being walked, and the next slot counter (0..8) in it.
    cur: Option<Bucket>,
    slot: usize,
    /// Entries not yet yielded.
    remaining: usize,
    _marker: PhantomData<(K, V)>,
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

    /// The next full slot, as (bucket, slot index).
    ///
    /// # Safety
    /// The table this cursor was made from is alive, and since then has only
    /// changed by slots this cursor already yielded being emptied.
    pub(crate) unsafe fn next_slot(&mut self) -> Option<(Bucket, usize)> {
        if self.remaining == 0 {
            return None;
        }
        let size = RawTable::<K, V>::BUCKET_SIZE;
        let (base, b) = self.new?;
        let mask = (1usize << b) - 1;
        loop {
            let bucket = match self.cur {
                Some(bk) => bk,
                None => {
                    if self.visited > mask {
                        return None;
                    }
                    let n = (self.start + self.visited) & mask;
                    self.visited += 1;
                    self.slot = 0;
                    // SAFETY: `n < 2^B`, inside the array.
                    let mut bk = unsafe { base.add(n * size) };
                    if let Some((obase, ob)) = self.old {
                        let j = n & ((1usize << ob) - 1);
                        // SAFETY: `j < 2^oldB`, inside the old array.
                        let obk = unsafe { obase.add(j * size) };
                        // SAFETY: `obk` is a live main bucket.
                        if !is_evacuated_mark(unsafe { RawTable::<K, V>::top(obk, 0) }) {
                            if n != j {
                                continue;
                            }
                            bk = obk;
                        }
                    }
                    self.cur = Some(bk);
                    bk
                }
            };
            if self.slot < BUCKET_CNT {
                // Slots in visiting order: byte j of `order` is slot
                // (j + offset) % 8; the next one is the first full slot at or
                // after position `self.slot`.
                // SAFETY: `bucket` is live (caller's contract).
                let full = super::full_slots(unsafe { RawTable::<K, V>::tops_word(bucket) });
                let order =
                    full.rotate_right((self.offset * 8) as u32) & (u64::MAX << (self.slot * 8));
                if order != 0 {
                    let j = super::first_slot(order);
                    self.slot = j + 1;
                    self.remaining -= 1;
                    return Some((bucket, (j + self.offset) & (BUCKET_CNT - 1)));
                }
            }
            // SAFETY: `bucket` is live.
            self.cur = unsafe { RawTable::<K, V>::overflow(bucket) };
            self.slot = 0;
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// A cursor from a random bucket and slot offset.
    pub(crate) fn raw_iter(&self) -> RawIter<K, V> {
        let r = fastrand::u64(..) as usize;
        let b = self.b;
        RawIter {
            new: self.buckets.as_ref().map(|a| (a.ptr, a.b)),
            old: self.oldbuckets.as_ref().map(|a| (a.ptr, a.b)),
            start: r & ((1usize << b) - 1),
            offset: (r >> b) & (BUCKET_CNT - 1),
            visited: 0,
            cur: None,
            slot: 0,
            remaining: self.count,
            _marker: PhantomData,
        }
    }

    /// The entry of a slot yielded by a cursor of this table.
    ///
    /// # Safety
    /// `(b, i)` was yielded by a cursor over this table, the slot is still
    /// full, and the caller picks a lifetime no longer than the table's borrow.
    #[inline(always)]
    pub(crate) unsafe fn entry_at<'a>(b: Bucket, i: usize) -> (&'a K, &'a V) {
        // SAFETY: forwarded from the caller.
        unsafe { (&*Self::key_ptr(b, i), &*Self::val_ptr(b, i)) }
    }

    /// Like [`Self::entry_at`] with a mutable value.
    ///
    /// # Safety
    /// As for `entry_at`, and the caller holds the table uniquely and yields
    /// each slot at most once.
    #[inline(always)]
    pub(crate) unsafe fn entry_at_mut<'a>(b: Bucket, i: usize) -> (&'a K, &'a mut V) {
        // SAFETY: forwarded from the caller.
        unsafe { (&*Self::key_ptr(b, i), &mut *Self::val_ptr(b, i)) }
    }
}

/// An owning iterator: moves entries out of a table it owns. A slot it has
/// taken is marked emptyOne so the table's `Drop` skips it.
pub(crate) struct RawIntoIter<K, V> {
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

    pub(crate) fn next(&mut self) -> Option<(K, V)> {
        // SAFETY: the cursor belongs to `self.table`, which we own and only
        // change by emptying yielded slots.
        let (b, i) = unsafe { self.iter.next_slot() }?;
        // SAFETY: the slot is full; after reading it we mark it empty so the
        // table's `Drop` does not drop it again. A main bucket's first mark
        // becomes 1, never an evacuation mark, so the walk is unaffected.
        unsafe {
            let kv = RawTable::<K, V>::read_entry(b, i);
            RawTable::<K, V>::set_top(b, i, EMPTY_ONE);
            self.table.count -= 1;
            Some(kv)
        }
    }

    /// Gives the (now empty) table back.
    pub(crate) fn into_table(mut self) -> RawTable<K, V> {
        while self.next().is_some() {}
        self.table
    }
}

/// `drain`: the map's table is moved out into this iterator; when it ends,
/// the table is cleared Go-style (keeping `B` and its array) and put back.
/// If the iterator is leaked, the map stays empty and valid.
pub(crate) struct RawDrain<'a, K, V> {
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

    pub(crate) fn next(&mut self) -> Option<(K, V)> {
        self.inner.as_mut()?.next()
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
pub(crate) struct RawIterRef<'a, K, V> {
    iter: RawIter<K, V>,
    _table: PhantomData<&'a RawTable<K, V>>,
}

impl<K, V> Clone for RawIterRef<'_, K, V> {
    fn clone(&self) -> Self {
        RawIterRef {
            iter: self.iter.clone(),
            _table: PhantomData,
        }
    }
}

impl<'a, K, V> RawIterRef<'a, K, V> {
    pub(crate) fn new(table: &'a RawTable<K, V>) -> Self {
        RawIterRef {
            iter: table.raw_iter(),
            _table: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }
}

impl<'a, K, V> Iterator for RawIterRef<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        // SAFETY: the table is borrowed shared for 'a, so it is alive and
        // unchanged; the slot is full when yielded.
        unsafe {
            let (b, i) = self.iter.next_slot()?;
            Some(RawTable::<K, V>::entry_at(b, i))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.iter.len(), Some(self.iter.len()))
    }
}

/// Iteration with mutable values over a uniquely borrowed table.
pub(crate) struct RawIterMut<'a, K, V> {
    iter: RawIter<K, V>,
    _table: PhantomData<&'a mut RawTable<K, V>>,
}

impl<'a, K, V> RawIterMut<'a, K, V> {
    pub(crate) fn new(table: &'a mut RawTable<K, V>) -> Self {
        RawIterMut {
            iter: table.raw_iter(),
            _table: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.iter.len()
    }
}

impl<'a, K, V> Iterator for RawIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        // SAFETY: the table is borrowed uniquely for 'a and unchanged; each
        // slot is yielded once, so the `&mut V`s never alias.
        unsafe {
            let (b, i) = self.iter.next_slot()?;
            Some(RawTable::<K, V>::entry_at_mut(b, i))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.iter.len(), Some(self.iter.len()))
    }
}

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
