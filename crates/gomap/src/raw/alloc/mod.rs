//! Memory for buckets, split by job:
//!
//! - [`size_class`]: Go's malloc size classes and how many buckets an
//!   array for `2^B` holds (`makeBucketArray`'s preallocated pool);
//! - [`array`](mod@array): [`BucketArray`], one allocation of main and pool buckets;
//! - [`slab`]: the heap overflow buckets of an array, and the release of a
//!   finished growth's old array a piece per write;
//! - [`pool`]: the OS side, anonymous mappings and the process-wide pool of
//!   zeroed ones.
//!
//! Go allocates each overflow bucket beyond the pool on its own
//! (`newobject`) and leaves it to the garbage collector. gomap carves them
//! from chunks that belong to the array whose chains they extend (an
//! [`OverflowSlab`](slab::OverflowSlab)): they are freed with that array, a chunk per write
//! after a growth ends, instead of one `free` each. Which bucket is "pool"
//! and which is "heap" is unchanged: a heap bucket is any overflow bucket
//! outside the array.
//!
//! Arrays and chunks come from one pair of functions, [`alloc_zeroed`] and
//! [`free_zeroed`], which differ only in the size from which a
//! [`Purpose`] is mapped from the OS.

mod array;
pub(crate) mod pool;
mod size_class;
mod slab;

use core::alloc::Layout;
use core::ptr::NonNull;

pub(crate) use array::BucketArray;
pub(crate) use size_class::{array_len, MAX_ALLOC};
pub(crate) use slab::Retired;

/// Why an array could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AllocFailure {
    pub(crate) bytes: Option<usize>,
}

/// The layout of `len` buckets of `size` bytes aligned to `align`.
pub(crate) fn bucket_layout(len: usize, size: usize, align: usize) -> Option<Layout> {
    let bytes = len.checked_mul(size)?;
    Layout::from_size_align(bytes, align).ok()
}

/// What an allocation of zeroed buckets is for, which decides from what
/// size it is mapped from the OS instead of taken from the global
/// allocator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Purpose {
    /// A bucket array: mapped from [`pool::MAP_MIN`] bytes.
    Array,
    /// A chunk of an [`OverflowSlab`](slab::OverflowSlab): mapped from half the largest chunk,
    /// so that releasing one is a single small `munmap` (or, when the pool
    /// has room, a clear for reuse) rather than a `free` that may make the
    /// C allocator trim its heap.
    Chunk,
}

impl Purpose {
    /// The smallest allocation of this purpose that is mapped.
    const fn map_min(self) -> usize {
        match self {
            Purpose::Array => pool::MAP_MIN,
            Purpose::Chunk => slab::CHUNK_MAX_BYTES / 2,
        }
    }

    /// Whether an allocation of this layout is (or was) mapped.
    #[inline]
    pub(crate) fn is_mapped(self, layout: Layout) -> bool {
        // Miri models the global allocator, not partial munmap: it takes
        // the ordinary path there.
        cfg!(all(unix, not(miri))) && layout.size() >= self.map_min() && layout.align() <= 4096
    }
}

/// Allocates zeroed memory for `purpose`. What is mapped comes from the
/// pool when it holds a mapping of that size, else from the OS as zero
/// pages, so it pays no up-front zeroing (the global allocator may hand
/// back reused memory that `calloc` must clear). `None` when the memory
/// is not to be had.
pub(crate) fn alloc_zeroed(layout: Layout, purpose: Purpose) -> Option<NonNull<u8>> {
    if layout.size() > isize::MAX as usize {
        return None;
    }
    if purpose.is_mapped(layout) {
        return pool::take(layout.size()).or_else(|| pool::map_zeroed(layout.size()));
    }
    // SAFETY: every bucket layout has a non-zero size (a bucket holds at
    // least its tophash bytes and overflow pointer).
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
}

/// Frees memory from [`alloc_zeroed`]: a mapping goes to the pool, cleared,
/// or is unmapped when the pool has no room.
///
/// # Safety
/// `p` came from `alloc_zeroed(layout, purpose)` and is not used afterwards.
pub(crate) unsafe fn free_zeroed(p: NonNull<u8>, layout: Layout, purpose: Purpose) {
    if purpose.is_mapped(layout) {
        // SAFETY: the whole mapping, per the caller.
        unsafe { pool::release_mapping(p, layout.size()) }
    } else {
        // SAFETY: allocated by the global allocator with this layout.
        unsafe { std::alloc::dealloc(p.as_ptr(), layout) }
    }
}
