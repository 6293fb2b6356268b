//! Read-only views of the table for `layout()`: the raw layer fills the
//! plain data types of `crate::layout` and never exposes a pointer.

use super::alloc::BucketArray;
use super::bucket::BucketRef;
use super::shape::*;
use super::RawTable;
use crate::base::layout::{BucketOrigin, BucketView, Chain, Layout, PoolState, ReadFrom};

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

#[cfg(test)]
mod tests {
    use super::super::alloc::array_len;
    use super::*;

    fn spread(k: &u64) -> u64 {
        k.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// Mid-growth, the snapshot says for every bucket index which chain a
    /// lookup reads (the old one exactly while it is not evacuated, once
    /// per old chain at its X index), and how long the old allocation is.
    #[test]
    fn read_from_follows_evacuation() {
        let mut t = RawTable::<u64, u64>::empty(7);
        t.set_stress(true);
        let mut seen_old = 0;
        for k in 0..if cfg!(miri) { 60 } else { 600 } {
            t.insert(spread(&k), k, k, spread).unwrap();
            let l = t.layout();
            assert_eq!(l.read_from.len(), l.buckets.len());
            let Some(old) = &l.old else {
                assert_eq!(l.old_arr_len, 0);
                assert!(l.read_from.iter().all(|r| *r == ReadFrom::Current));
                continue;
            };
            let old_b = old.len().trailing_zeros() as u8;
            assert_eq!(
                Some(l.old_arr_len),
                array_len(old_b, RawTable::<u64, u64>::BUCKET_SIZE)
            );
            for (n, read) in l.read_from.iter().enumerate() {
                let j = n & (old.len() - 1);
                let evacuated = crate::base::tophash::is_evacuated(old[j][0].top[0]);
                if evacuated {
                    assert_eq!(*read, ReadFrom::Current, "bucket {n}");
                } else {
                    assert_eq!(*read, ReadFrom::Old(j), "bucket {n}");
                    seen_old += 1;
                }
            }
        }
        assert!(seen_old > 0, "the test saw no growth in progress");
    }
}
