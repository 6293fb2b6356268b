//! [`BucketArray`]: one allocation of buckets, with the heap overflow
//! buckets its chains took.

use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use super::super::bucket::{Bucket, BucketRef};
use super::super::shape::Shape;
use super::slab::{OverflowSlab, Retired};
use super::{
    alloc_zeroed, bucket_layout, free_zeroed, size_class::array_len, AllocFailure, Purpose,
};

/// One allocation of buckets for a table of `K`s and `V`s: the `2^b` main
/// buckets, followed by the preallocated overflow pool (`len - 2^b`
/// buckets), and the slab of heap overflow buckets linked from its chains.
/// Zeroed when made, so every tophash is `EMPTY_REST` and every overflow
/// pointer null.
///
/// Invariant: `ptr` points to `len` buckets of [`Shape<K, V>`] allocated
/// by [`alloc_zeroed`] for [`Purpose::Array`] with
/// `bucket_layout(len, SIZE, ALIGN)`; `mask + 1` is a power of two no
/// larger than `len`; every overflow link in the array and the slab is
/// null or points to a bucket of the array or the slab. Only the methods
/// below touch the fields, and each keeps this.
pub(crate) struct BucketArray<K, V> {
    /// First byte of bucket 0.
    ptr: NonNull<u8>,
    /// `2^b - 1`: main bucket indices are masked with it.
    mask: usize,
    /// Buckets in the allocation: main buckets plus the pool.
    len: usize,
    /// The heap overflow buckets linked from this array's chains.
    slab: OverflowSlab,
    _shape: PhantomData<fn() -> (K, V)>,
}

impl<K, V> BucketArray<K, V> {
    const SIZE: usize = Shape::<K, V>::SIZE;
    const ALIGN: usize = Shape::<K, V>::ALIGN;

    /// Allocates a zeroed array for `2^b` buckets. Go: `makeBucketArray`.
    pub(crate) fn new(b: u8) -> Result<Self, AllocFailure> {
        let len = array_len(b, Self::SIZE).ok_or(AllocFailure { bytes: None })?;
        let layout =
            bucket_layout(len, Self::SIZE, Self::ALIGN).ok_or(AllocFailure { bytes: None })?;
        let ptr = alloc_zeroed(layout, Purpose::Array).ok_or(AllocFailure {
            bytes: Some(layout.size()),
        })?;
        Ok(BucketArray {
            ptr,
            mask: (1usize << b) - 1,
            len,
            slab: OverflowSlab::new(),
            _shape: PhantomData,
        })
    }

    /// log2 of the number of main buckets.
    #[inline]
    pub(crate) fn b(&self) -> u8 {
        self.mask.count_ones() as u8
    }

    /// Number of main buckets, `2^b`.
    #[inline(always)]
    pub(crate) fn base(&self) -> usize {
        self.mask + 1
    }

    /// Buckets in the allocation, pool included.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the array carries a preallocated overflow pool.
    #[inline]
    pub(crate) fn has_pool(&self) -> bool {
        self.len != self.base()
    }

    /// Main bucket `i & (2^b - 1)`: a hash picks its bucket by its low `b`
    /// bits, so callers pass the hash and the array masks it.
    #[inline(always)]
    pub(crate) fn main(&self, i: usize) -> BucketRef<'_, K, V> {
        // SAFETY: `i & mask < 2^b <= len`, so the bucket is inside the
        // allocation, which the shared borrow of `self` keeps unchanged.
        unsafe { BucketRef::from_raw(self.ptr.add((i & self.mask) * Self::SIZE)) }
    }

    /// Bucket `idx` of the allocation (a pool bucket from `2^b` on).
    ///
    /// # Panics
    /// If `idx` is outside the allocation.
    #[inline]
    pub(crate) fn at(&self, idx: usize) -> BucketRef<'_, K, V> {
        assert!(
            idx < self.len,
            "bucket {idx} outside an array of {}",
            self.len
        );
        // SAFETY: in bounds by the test above; as in `main`.
        unsafe { BucketRef::from_raw(self.ptr.add(idx * Self::SIZE)) }
    }

    /// The allocation index of `p` if it is a bucket of this array (main or
    /// pool), `None` for a heap bucket.
    #[inline]
    pub(crate) fn index_of(&self, p: NonNull<u8>) -> Option<usize> {
        let start = self.ptr.as_ptr() as usize;
        let addr = p.as_ptr() as usize;
        if addr >= start && addr < start + self.len * Self::SIZE {
            Some((addr - start) / Self::SIZE)
        } else {
            None
        }
    }

    /// A fresh zeroed heap overflow bucket from the slab, owned by this
    /// array, to be linked into one of its chains. Aborts on allocation
    /// failure, like `Box::new`.
    #[inline]
    pub(crate) fn heap_bucket(&mut self) -> Bucket<K, V> {
        Bucket::from_raw(self.slab.alloc(Self::SIZE, Self::ALIGN))
    }

    /// Makes the array as it was when allocated: frees the heap overflow
    /// buckets and zeroes every bucket (so every link is null again). The
    /// entries in it are not dropped.
    pub(crate) fn clear(&mut self) {
        // SAFETY: the links to the slab's buckets are all in this array or
        // the slab, and the zeroing below drops them; the unique borrow
        // rules out a `BucketRef` into either.
        unsafe {
            core::mem::replace(&mut self.slab, OverflowSlab::new()).free_all();
            ptr::write_bytes(self.ptr.as_ptr(), 0, self.len * Self::SIZE);
        }
    }

    fn layout(&self) -> core::alloc::Layout {
        bucket_layout(self.len, Self::SIZE, Self::ALIGN).expect("layout was valid at allocation")
    }

    /// Frees the array and its heap overflow buckets (not the entries).
    pub(crate) fn free(self) {
        let layout = self.layout();
        // SAFETY: allocated with exactly this layout for arrays (invariant);
        // taking `self` by value rules out a `BucketRef` into it, and the
        // slab's chunks are linked only from here.
        unsafe {
            free_zeroed(self.ptr, layout, Purpose::Array);
            self.slab.free_all();
        }
    }

    /// Frees the array like [`Self::free`], except for what would stall the
    /// write that ends a growth: a mapped array (unmapping hundreds of
    /// megabytes at once takes milliseconds) and overflow chunks of more
    /// than [`RELEASE_CHUNK`](super::slab::RELEASE_CHUNK) bytes are
    /// returned as [`Retired`], to be released a piece per later write.
    pub(crate) fn retire(self) -> Option<Retired> {
        let layout = self.layout();
        // SAFETY: as in `free`.
        unsafe { Retired::of(self.ptr, layout, self.slab) }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pool;
    use super::*;

    /// Key and value types whose bucket is 200 bytes, a size no other test
    /// uses: 8 tophash bytes, 8 × 11 key bytes, 8 × 12 value bytes, the
    /// link.
    type K200 = [u8; 11];
    type V200 = [u8; 12];

    #[test]
    #[cfg_attr(miri, ignore = "mapping is disabled under Miri")]
    fn retired_mapping_releases_in_chunks() {
        let b = 15; // 2^15 + 2^11 pool buckets of 144 bytes: 5 MB, mapped
        let arr = BucketArray::<u64, u64>::new(b).unwrap();
        let bytes = arr.len() * 144;
        assert!(bytes >= pool::MAP_MIN);
        // SAFETY: the array is fresh and ours; the byte is inside it.
        unsafe { arr.ptr.as_ptr().add(bytes - 1).write(7) };
        let mut r = arr.retire().expect("mapped");
        let steps = bytes.div_ceil(super::super::slab::RELEASE_CHUNK);
        for i in 1..=steps {
            assert_eq!(r.step(), i == steps);
        }
        // A small array is freed at once.
        let small = BucketArray::<u64, u64>::new(4).unwrap();
        assert!(small.retire().is_none());
    }

    /// An array retired with room in the pool is cleared a chunk per step
    /// and handed back, zero, to the next array of its size; with no room
    /// it is unmapped instead. A bucket size no other test uses (200
    /// bytes) keeps parallel tests from taking it first.
    #[test]
    #[cfg_attr(miri, ignore = "mapping is disabled under Miri")]
    fn retired_arrays_are_reused_zeroed() {
        let (b, size) = (11, 200);
        assert_eq!(Shape::<K200, V200>::SIZE, size);
        let arr = BucketArray::<K200, V200>::new(b).unwrap();
        let bytes = arr.len() * size;
        assert!((pool::MAP_MIN..=pool::POOL_MAX_ARRAY).contains(&bytes));
        let first = arr.ptr;
        // SAFETY: the array is ours and `bytes` long.
        unsafe { core::ptr::write_bytes(arr.ptr.as_ptr(), 0xA5, bytes) };
        let mut r = arr.retire().expect("mapped");
        let kept = r.keeps_mapping();
        while !r.step() {}
        assert!(pool::bytes() <= pool::POOL_MAX_BYTES);
        let again = BucketArray::<K200, V200>::new(b).unwrap();
        if kept {
            assert_eq!(again.ptr, first, "the retired array comes back");
        }
        // SAFETY: the array is `bytes` long and initialized (zero or cleared).
        let mem = unsafe { core::slice::from_raw_parts(again.ptr.as_ptr(), bytes) };
        assert!(mem.iter().all(|&x| x == 0), "a reused array is zero");
        // Freed while dirty: cleared before the pool has it.
        // SAFETY: as above.
        unsafe { core::ptr::write_bytes(again.ptr.as_ptr(), 0x5A, bytes) };
        again.free();
        let third = BucketArray::<K200, V200>::new(b).unwrap();
        // SAFETY: as above.
        let mem = unsafe { core::slice::from_raw_parts(third.ptr.as_ptr(), bytes) };
        assert!(mem.iter().all(|&x| x == 0), "a reused array is zero");
        third.free();
    }
}
