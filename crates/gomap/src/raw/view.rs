//! Read-only views of the table for `layout()`: the raw layer fills the
//! plain data types of `crate::layout` and never exposes a pointer.

use super::alloc::BucketArray;
use super::shape::*;
use super::{Bucket, RawTable};
use crate::base::layout::{BucketOrigin, BucketView, Chain, Layout, PoolState};

impl<K, V> RawTable<K, V> {
    /// A snapshot of the header and every chain.
    pub(crate) fn layout(&self) -> Layout<'_, K, V> {
        let arr_len = self.buckets.as_ref().map_or(0, |a| a.len);
        let pool = self
            .buckets
            .as_ref()
            .filter(|a| a.has_pool())
            .map(|a| PoolState {
                next_overflow: self.next_overflow,
                pre_free: self.next_overflow.map_or(0, |n| a.len - n),
            });
        Layout {
            header: self.header(),
            bucket_size: Self::BUCKET_SIZE,
            key_size: core::mem::size_of::<K>(),
            val_size: core::mem::size_of::<V>(),
            arr_len,
            pool,
            buckets: self
                .buckets
                .as_ref()
                .map_or_else(Vec::new, |a| self.chains(a)),
            old: self.oldbuckets.as_ref().map(|a| self.chains(a)),
        }
    }

    fn chains(&self, arr: &BucketArray) -> Vec<Chain<'_, K, V>> {
        (0..arr.base())
            .map(|i| {
                let mut chain = Vec::with_capacity(1);
                // SAFETY: `i < 2^b <= len`.
                let mut b = Some(unsafe { arr.bucket(i, Self::BUCKET_SIZE) });
                let mut first = true;
                while let Some(bk) = b {
                    let at = if first {
                        BucketOrigin::Main
                    } else {
                        arr.index_of(bk, Self::BUCKET_SIZE)
                            .map_or(BucketOrigin::Heap, BucketOrigin::Pool)
                    };
                    first = false;
                    chain.push(self.bucket_view(bk, at));
                    // SAFETY: `bk` is a live bucket of this table.
                    b = unsafe { Self::overflow(bk) };
                }
                chain
            })
            .collect()
    }

    fn bucket_view(&self, b: Bucket, at: BucketOrigin) -> BucketView<'_, K, V> {
        // SAFETY: `b` is a live bucket; full slots hold entries that live as
        // long as the shared borrow of the table.
        let top = unsafe { Self::tops(b) };
        let mut keys = [None; BUCKET_CNT];
        let mut vals = [None; BUCKET_CNT];
        for i in 0..BUCKET_CNT {
            if is_full(top[i]) {
                // SAFETY: as above; the slot is full.
                let (k, v) = unsafe { Self::entry_at(b, i) };
                keys[i] = Some(k);
                vals[i] = Some(v);
            }
        }
        BucketView {
            at,
            top,
            keys,
            vals,
        }
    }
}
