//! `Clone`: a copy with the identical layout — same arrays, chains, pool
//! use, slots, marks and growth progress — with no rehashing.

use super::alloc::BucketArray;
use super::shape::*;
use super::{Bucket, RawTable};

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
        let alloc = |a: &BucketArray| {
            Self::new_array(a.b)
                .unwrap_or_else(|e| panic!("gomap: cannot allocate a bucket array for B = {}", e.b))
        };
        t.buckets = self.buckets.as_ref().map(alloc);
        t.oldbuckets = self.oldbuckets.as_ref().map(alloc);
        for (src, dst) in [
            (&self.buckets, &mut t.buckets),
            (&self.oldbuckets, &mut t.oldbuckets),
        ] {
            if let (Some(src), Some(dst)) = (src, dst) {
                for i in 0..src.base() {
                    // SAFETY: `i < 2^b`; both arrays have the same shape and
                    // length (same `b`, same bucket size).
                    unsafe {
                        let s = src.bucket(i, Self::BUCKET_SIZE);
                        let d = dst.bucket(i, Self::BUCKET_SIZE);
                        Self::clone_chain(s, d, src, dst);
                    }
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
    /// `s` is a live main bucket of `src`; `d` the main bucket with the same
    /// index of the freshly allocated, zeroed `dst` owned by the clone.
    unsafe fn clone_chain(s: Bucket, d: Bucket, src: &BucketArray, dst: &mut BucketArray) {
        let size = Self::BUCKET_SIZE;
        let (mut s, mut d) = (s, d);
        loop {
            for i in 0..BUCKET_CNT {
                // SAFETY: `s` and `d` are live buckets; a full source slot
                // holds an entry; the destination slot is empty and its mark
                // turns full only after the entry is written.
                unsafe {
                    let top = Self::top(s, i);
                    if is_full(top) {
                        let (k, v) = Self::entry_at(s, i);
                        Self::write_entry(d, i, k.clone(), v.clone());
                    }
                    Self::set_top(d, i, top);
                }
            }
            // SAFETY: `s` is live.
            let Some(next) = (unsafe { Self::overflow(s) }) else {
                return;
            };
            let dnext = match src.index_of(next, size) {
                // SAFETY: the same pool index exists in `dst` (same length).
                Some(idx) => unsafe { dst.bucket(idx, size) },
                None => dst.slab.alloc(size, Self::ALIGN),
            };
            // SAFETY: `d` is live; `dnext` is a zeroed bucket now owned by
            // the clone through this link.
            unsafe { Self::set_overflow(d, Some(dnext)) };
            s = next;
            d = dnext;
        }
    }
}
