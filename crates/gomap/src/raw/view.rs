//! Read-only views of the table for `layout()`: the raw layer fills the
//! plain data types of `crate::layout` and never exposes a pointer.

use super::alloc::BucketArray;
use super::bucket::BucketRef;
use super::shape::*;
use super::RawTable;
use crate::layout::{BucketOrigin, BucketView, Chain, Layout, PoolState, ReadFrom};

impl<K, V> RawTable<K, V> {
    /// A snapshot of the header and every chain.
    pub(crate) fn layout(&self) -> Layout<'_, K, V> {
        let arr_len = self.buckets.as_ref().map_or(0, |a| a.len());
        let pool = self
            .buckets
            .as_ref()
            .filter(|a| a.has_pool())
            .map(|a| PoolState {
                next_overflow: self.next_overflow,
                pre_free: self.next_overflow.map_or(0, |n| a.len() - n),
            });
        let read_from = self.buckets.as_ref().map_or_else(Vec::new, |a| {
            (0..a.base())
                .map(|n| match self.live_chain(n).and_then(|c| c.old) {
                    Some(j) => ReadFrom::Old(j),
                    None => ReadFrom::Current,
                })
                .collect()
        });
        Layout {
            header: self.header(),
            bucket_size: Self::BUCKET_SIZE,
            key_size: core::mem::size_of::<K>(),
            val_size: core::mem::size_of::<V>(),
            arr_len,
            pool,
            buckets: self.buckets.as_ref().map_or_else(Vec::new, Self::chains),
            old: self.oldbuckets.as_ref().map(Self::chains),
            old_arr_len: self.oldbuckets.as_ref().map_or(0, |a| a.len()),
            read_from,
        }
    }

    fn chains(arr: &BucketArray<K, V>) -> Vec<Chain<'_, K, V>> {
        (0..arr.base())
            .map(|i| {
                arr.main(i)
                    .chain()
                    .enumerate()
                    .map(|(link, b)| {
                        let at = if link == 0 {
                            BucketOrigin::Main
                        } else {
                            arr.index_of(b.as_ptr())
                                .map_or(BucketOrigin::Heap, BucketOrigin::Pool)
                        };
                        Self::bucket_view(b, at)
                    })
                    .collect()
            })
            .collect()
    }

    fn bucket_view(b: BucketRef<'_, K, V>, at: BucketOrigin) -> BucketView<'_, K, V> {
        let mut keys = [None; BUCKET_CNT];
        let mut vals = [None; BUCKET_CNT];
        for slot in b.full() {
            let (k, v) = slot.entry();
            keys[slot.index()] = Some(k);
            vals[slot.index()] = Some(v);
        }
        BucketView {
            at,
            top: b.tops().to_bytes(),
            keys,
            vals,
        }
    }
}
