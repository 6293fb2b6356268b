//! `Clone`: a copy with the identical layout — same arrays, chains, pool
//! use, slots, marks and growth progress — with no rehashing.

use super::alloc::BucketArray;
use super::bucket::{Bucket, BucketRef};
use super::shape::BUCKET_CNT;
use super::RawTable;

impl<K: Clone, V: Clone> Clone for RawTable<K, V> {
    fn clone(&self) -> Self {
        let mut t = RawTable::empty(self.hash0);
        t.flags = self.flags;
        t.noverflow = self.noverflow;
        t.nevacuate = self.nevacuate;
        t.next_overflow = self.next_overflow;
        t.stress = self.stress;
        t.set_b(self.b);
        // Arrays first, so a panicking `clone` below unwinds into a table
        // whose `Drop` frees everything made so far: tophash bytes are only
        // set full after the entry is written.
        let alloc =
            |a: &BucketArray<K, V>| Self::new_array(a.b()).unwrap_or_else(|e| panic!("gomap: {e}"));
        t.buckets = self.buckets.as_ref().map(alloc);
        t.oldbuckets = self.oldbuckets.as_ref().map(alloc);
        for (src, dst) in [
            (&self.buckets, &mut t.buckets),
            (&self.oldbuckets, &mut t.oldbuckets),
        ] {
            if let (Some(src), Some(dst)) = (src, dst) {
                for i in 0..src.base() {
                    let d = dst.main(i).erase();
                    // SAFETY: `d` is main bucket `i` of the fresh, zeroed
                    // `dst`, which only the clone owns.
                    unsafe { Self::clone_chain(src.main(i), d, src, dst) };
                }
            }
        }
        t.count = self.count;
        t
    }
}

impl<K: Clone, V: Clone> RawTable<K, V> {
    /// Copies one chain: links the matching overflow buckets (pool buckets
    /// at the same index, fresh heap buckets for heap ones), then clones
    /// the entries slot for slot and copies every mark.
    ///
    /// # Safety
    /// `d` is the main bucket with `s`'s index of `dst`, a freshly
    /// allocated, zeroed array of `src`'s length owned by the clone.
    unsafe fn clone_chain(
        s: BucketRef<'_, K, V>, d: Bucket<K, V>, src: &BucketArray<K, V>,
        dst: &mut BucketArray<K, V>,
    ) {
        let (mut s, mut d) = (s, d);
        // A walk by hand, not `chain()`: the link is read once, here, for
        // both chains.
        loop {
            // Slot by slot, each mark right after its entry (if any), so a
            // panicking `clone` leaves a bucket whose full marks all have
            // entries. (One byte load per slot: cheaper here than reading
            // the group once and taking it apart: `bench/engine-seam.md`.)
            for i in 0..BUCKET_CNT {
                let mark = s.top(i);
                if let Some(slot) = s.slot(i) {
                    let (k, v) = slot.entry();
                    // SAFETY: `d` is a live bucket of the clone's array (the
                    // caller's, or linked below), which nothing else
                    // reaches; slot `i < 8` is empty there and its mark
                    // turns full only after the entry is written.
                    unsafe { d.write_entry(i, k.clone(), v.clone()) };
                }
                // SAFETY: `d` is live and only the clone reaches it; a
                // full `mark` is written only after slot `i`'s entry, just
                // above, so every full mark in `d` has its entry.
                unsafe { d.set_top(i, mark) };
            }
            let Some(next) = s.overflow() else {
                return;
            };
            let dnext = match src.index_of(next.as_ptr()) {
                // The same pool index exists in `dst` (same length).
                Some(idx) => dst.at(idx).erase(),
                None => dst.heap_bucket(),
            };
            // SAFETY: `d` is live; `dnext` is a zeroed bucket of `dst`, now
            // linked once.
            unsafe { d.set_overflow(Some(dnext)) };
            (s, d) = (next, dnext);
        }
    }
}
