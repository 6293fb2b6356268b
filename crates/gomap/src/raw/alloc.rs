//! Bucket arrays and overflow buckets: how many buckets an array of `2^B`
//! holds (Go's `makeBucketArray`, with the malloc size classes that decide the
//! preallocated overflow pool), and the raw allocations behind them.
//!
//! Go allocates each overflow bucket beyond the pool on its own
//! (`newobject`) and leaves it to the garbage collector. gomap carves them
//! from chunks that belong to the array whose chains they extend (an
//! [`OverflowSlab`]): they are freed with that array, a chunk per write
//! after a growth ends, instead of one `free` each. Which bucket is "pool"
//! and which is "heap" is unchanged: a heap bucket is any overflow bucket
//! outside the array.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::alloc::{alloc_zeroed, dealloc};

/// Go's malloc size classes for small objects (bytes), ascending. An
/// allocation below 32 KiB is rounded up to the first class that fits it.
/// Data from the Go 1.19 runtime's size-class table.
const SIZE_CLASSES: [u16; 67] = [
    8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352,
    384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
    2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];

/// Objects of this size and above are "large": Go rounds them up to whole pages.
const MAX_SMALL_SIZE: usize = 32768;
/// Go's heap page size.
const PAGE_SIZE: usize = 8192;

/// The largest allocation Go's heap would attempt (its `maxAlloc` on 64-bit
/// Linux); a hint whose buckets would exceed it is ignored, as Go does.
pub(crate) const MAX_ALLOC: usize = if usize::BITS == 64 {
    1 << 48
} else {
    isize::MAX as usize
};

/// The size Go's allocator really hands out for a request of `size` bytes.
/// Go: `roundupsize`.
pub(crate) fn round_up_size(size: usize) -> usize {
    if size < MAX_SMALL_SIZE {
        // The first class at least as large as the request.
        let i = SIZE_CLASSES.partition_point(|&class| (class as usize) < size);
        SIZE_CLASSES[i] as usize
    } else {
        match size.checked_add(PAGE_SIZE - 1) {
            Some(n) => n / PAGE_SIZE * PAGE_SIZE,
            None => size,
        }
    }
}

/// How many buckets an array for `2^b` buckets of `bucket_size` bytes
/// allocates: `2^b`, plus, from `b = 4`, `2^(b-4)` overflow buckets rounded up
/// to fill the malloc size class. `None` when the byte size overflows.
pub(crate) fn array_len(b: u8, bucket_size: usize) -> Option<usize> {
    let base = 1usize.checked_shl(b as u32)?;
    if b < 4 {
        return Some(base);
    }
    let want = base.checked_add(base >> 4)?;
    let bytes = want.checked_mul(bucket_size)?;
    Some(round_up_size(bytes) / bucket_size)
}

/// One allocation of buckets: the `2^b` main buckets, followed by the
/// preallocated overflow pool (`len - 2^b` buckets). Zeroed when made, so
/// every tophash is `EMPTY_REST` and every overflow pointer null.
///
/// Invariant: `ptr` points to `len * bucket_size` bytes allocated with
/// [`array_layout`]`(len, bucket_size, align)` for the owning table's shape.
pub(crate) struct BucketArray {
    /// First byte of bucket 0.
    pub(crate) ptr: NonNull<u8>,
    /// log2 of the number of main buckets.
    pub(crate) b: u8,
    /// Buckets in the allocation: main buckets plus the pool.
    pub(crate) len: usize,
    /// The heap overflow buckets linked from this array's chains.
    pub(crate) slab: OverflowSlab,
}

/// Why an array could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AllocFailure {
    pub(crate) bytes: Option<usize>,
}

pub(crate) fn array_layout(len: usize, size: usize, align: usize) -> Option<Layout> {
    let bytes = len.checked_mul(size)?;
    Layout::from_size_align(bytes, align).ok()
}

impl BucketArray {
    /// Allocates a zeroed array for `2^b` buckets of the given shape.
    pub(crate) fn new(b: u8, size: usize, align: usize) -> Result<BucketArray, AllocFailure> {
        let len = array_len(b, size).ok_or(AllocFailure { bytes: None })?;
        let layout = array_layout(len, size, align).ok_or(AllocFailure { bytes: None })?;
        let ptr = alloc_zeroed_bytes(layout)?;
        Ok(BucketArray {
            ptr,
            b,
            len,
            slab: OverflowSlab::new(),
        })
    }

    /// Number of main buckets, `2^b`.
    #[inline(always)]
    pub(crate) fn base(&self) -> usize {
        1 << self.b
    }

    /// Whether the array carries a preallocated overflow pool.
    #[inline]
    pub(crate) fn has_pool(&self) -> bool {
        self.len != self.base()
    }

    /// Bucket `i` of the allocation.
    ///
    /// # Safety
    /// `i < self.len`, and `size` is the bucket size the array was made with.
    #[inline(always)]
    pub(crate) unsafe fn bucket(&self, i: usize, size: usize) -> NonNull<u8> {
        debug_assert!(i < self.len);
        // SAFETY: the caller keeps `i` inside the allocation, so the offset is
        // in bounds of one allocated object and the result is non-null.
        unsafe { self.ptr.add(i * size) }
    }

    /// The allocation index of `p` if it points into this array.
    #[inline]
    pub(crate) fn index_of(&self, p: NonNull<u8>, size: usize) -> Option<usize> {
        let start = self.ptr.as_ptr() as usize;
        let addr = p.as_ptr() as usize;
        if addr >= start && addr < start + self.len * size {
            Some((addr - start) / size)
        } else {
            None
        }
    }

    /// Frees the array and its heap overflow buckets (not the entries).
    ///
    /// # Safety
    /// `size` and `align` are the ones the array was made with, and no pointer
    /// into it or its overflow buckets is used afterwards.
    pub(crate) unsafe fn free(self, size: usize, align: usize) {
        let layout = array_layout(self.len, size, align).expect("layout was valid at allocation");
        // SAFETY: the array was allocated with exactly this layout (type
        // invariant), by `alloc_zeroed_bytes`; the slab's chunks are unused.
        unsafe {
            free_bytes(self.ptr, layout);
            self.slab.free_all();
        }
    }

    /// Frees the array like [`Self::free`], except for what would stall the
    /// write that ends a growth: a mapped array (unmapping hundreds of
    /// megabytes at once takes milliseconds) and overflow chunks of more
    /// than [`RELEASE_CHUNK`] bytes are returned as [`Retired`], to be
    /// released a piece per later write.
    ///
    /// # Safety
    /// As for [`Self::free`].
    pub(crate) unsafe fn retire(self, size: usize, align: usize) -> Option<Retired> {
        let layout = array_layout(self.len, size, align).expect("layout was valid at allocation");
        let mapping = if is_mapped(layout) {
            Some(RetiredMapping {
                ptr: self.ptr,
                bytes: layout.size(),
                done: 0,
                // Cleared for reuse when the pool has room for it, else
                // unmapped.
                keep: pool::reserve(layout.size()),
            })
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { free_bytes(self.ptr, layout) };
            None
        };
        let chunks = if self.slab.bytes() <= RELEASE_CHUNK {
            // SAFETY: forwarded from the caller.
            unsafe { self.slab.free_all() };
            Vec::new()
        } else {
            self.slab.chunks
        };
        (mapping.is_some() || !chunks.is_empty()).then_some(Retired { mapping, chunks })
    }
}

/// One chunk of an [`OverflowSlab`]: zeroed memory for whole buckets.
///
/// Invariant: `ptr` was allocated by [`alloc_chunk`] with `layout`.
pub(crate) struct Chunk {
    ptr: NonNull<u8>,
    layout: Layout,
}

/// The heap overflow buckets of one bucket array, carved in order from
/// zeroed chunks: the first holds [`CHUNK_MIN_BUCKETS`] buckets and each
/// next one twice as many as the last, up to [`CHUNK_MAX_BYTES`] of them.
/// A bucket is never freed on its own: Go frees an overflow bucket only
/// once its whole array is dead, and so does gomap.
///
/// Invariant: the first `used` buckets of the last chunk, and all of the
/// earlier chunks, have been handed out; the rest are zero.
pub(crate) struct OverflowSlab {
    chunks: Vec<Chunk>,
    /// Buckets handed out from the last chunk.
    used: usize,
}

/// Buckets in a slab's first chunk: enough for the overflow of a small map
/// without a pool (`B < 4`), little enough to waste nothing that matters.
pub(crate) const CHUNK_MIN_BUCKETS: usize = 8;

/// Largest chunk, in bytes. Chunks of at least half of it are mapped from
/// the OS (on Unix), so that releasing one is a single small `munmap` (or,
/// when the [`pool`] has room, a clear for reuse) rather than a `free` that
/// may make the C allocator trim its heap.
pub(crate) const CHUNK_MAX_BYTES: usize = 64 << 10;

impl OverflowSlab {
    pub(crate) const fn new() -> Self {
        OverflowSlab {
            chunks: Vec::new(),
            used: 0,
        }
    }

    /// A zeroed bucket of `size` bytes aligned to `align`, owned by the slab.
    /// Aborts on allocation failure, like `Box::new`.
    #[inline]
    pub(crate) fn alloc(&mut self, size: usize, align: usize) -> NonNull<u8> {
        if let Some(last) = self.chunks.last() {
            if (self.used + 1) * size <= last.layout.size() {
                // SAFETY: in bounds of the chunk, by the test above.
                let p = unsafe { last.ptr.add(self.used * size) };
                self.used += 1;
                return p;
            }
        }
        self.alloc_in_new_chunk(size, align)
    }

    #[cold]
    #[inline(never)]
    fn alloc_in_new_chunk(&mut self, size: usize, align: usize) -> NonNull<u8> {
        let max = (CHUNK_MAX_BYTES / size).max(1);
        let buckets = self
            .chunks
            .last()
            .map_or(CHUNK_MIN_BUCKETS, |c| c.layout.size() / size * 2)
            .min(max);
        let layout = array_layout(buckets, size, align).expect("bucket layout");
        let ptr = alloc_chunk(layout).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        self.chunks.push(Chunk { ptr, layout });
        self.used = 1;
        ptr
    }

    /// Bytes held in chunks.
    pub(crate) fn bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.layout.size()).sum()
    }

    /// Frees every chunk.
    ///
    /// # Safety
    /// No bucket of the slab is used afterwards.
    pub(crate) unsafe fn free_all(self) {
        for c in self.chunks {
            // SAFETY: per the caller and the chunk's invariant.
            unsafe { c.free() };
        }
    }
}

impl Chunk {
    /// # Safety
    /// No bucket of the chunk is used afterwards.
    unsafe fn free(self) {
        // SAFETY: allocated by `alloc_chunk` with this layout (invariant).
        unsafe { free_chunk(self.ptr, self.layout) }
    }
}

/// Whether a chunk of this layout is mapped from the OS (and pooled).
#[inline]
fn chunk_is_mapped(layout: Layout) -> bool {
    cfg!(all(unix, not(miri))) && layout.size() >= CHUNK_MAX_BYTES / 2 && layout.align() <= 4096
}

fn alloc_chunk(layout: Layout) -> Option<NonNull<u8>> {
    if chunk_is_mapped(layout) {
        return pool::take(layout.size()).or_else(|| map_zeroed(layout.size()));
    }
    // SAFETY: a chunk holds at least one bucket, so its size is not zero.
    NonNull::new(unsafe { alloc_zeroed(layout) })
}

/// # Safety
/// `p` came from `alloc_chunk(layout)` and is not used afterwards.
unsafe fn free_chunk(p: NonNull<u8>, layout: Layout) {
    if chunk_is_mapped(layout) {
        // SAFETY: the whole mapping, per the caller.
        unsafe { release_mapping(p, layout.size()) }
    } else {
        // SAFETY: allocated by the global allocator with this layout.
        unsafe { dealloc(p.as_ptr(), layout) }
    }
}

/// Arrays of at least this many bytes are mapped straight from the OS (on
/// Unix): their pages are zero until first touched, so an allocation costs
/// no zeroing, the first-touch faults spread over the writes that follow,
/// and freeing one can be spread out too (see [`Retired`]).
///
/// Why 128 KiB: the C allocator hands a process memory it freed before,
/// and `calloc` then clears the whole array inside the insert that starts
/// the growth, page faults included. Measured with `mapstat latency gomap`
/// (each insert's second-smallest time of 3 runs; see BENCHMARKS.md), the
/// growth starts to `B` = 10–14 paid 90–140 µs that way with a 4 MiB
/// threshold, and 40–105 µs at `B` = 10 (a 155 KB array) with 256 KiB;
/// with 128 KiB no insert of 200,000 took more than 21–30 µs. Lower costs
/// more than it saves: at 64 KiB, making and dropping a 1,000-entry
/// `String`-keyed map with a hint (a 70 KB array) took 4.4× as long,
/// since every map paid `mmap`, `munmap` and fresh page faults. Mapped
/// arrays that are no longer used go to the [`pool`], so a program that
/// makes and drops maps in a loop does not pay fresh page faults each time.
pub(crate) const MAP_MIN: usize = 128 << 10;

/// Bytes a [`Retired::step`] clears or unmaps: small enough that one step
/// stays far below 100 µs.
pub(crate) const RELEASE_CHUNK: usize = 128 << 10;

/// Whether an allocation of this layout is (or was) mapped.
#[inline]
fn is_mapped(layout: Layout) -> bool {
    // Miri models the global allocator, not partial munmap: it takes the
    // ordinary path there.
    cfg!(all(unix, not(miri))) && layout.size() >= MAP_MIN && layout.align() <= 4096
}

/// The memory of a bucket array that is no longer used, released a piece
/// at a time: the mapped array [`RELEASE_CHUNK`] bytes per step (cleared
/// for the [`pool`], or unmapped), then its overflow chunks one per step.
/// Whatever is left is released when it is dropped.
///
/// Invariant: nothing points into the memory it holds.
pub(crate) struct Retired {
    mapping: Option<RetiredMapping>,
    chunks: Vec<Chunk>,
}

/// Invariant: `ptr..ptr + bytes` was one mapping made by `alloc_zeroed_bytes`,
/// of which the first `done` bytes (a multiple of [`RELEASE_CHUNK`], so of
/// the page size) are already zeroed (`keep`: the pool holds a reservation
/// of `bytes` for it) or unmapped (otherwise); the rest is still mapped.
struct RetiredMapping {
    ptr: NonNull<u8>,
    bytes: usize,
    done: usize,
    keep: bool,
}

impl RetiredMapping {
    /// Zeroes or unmaps the next `n` bytes.
    fn release(&mut self, n: usize) {
        debug_assert!(self.done + n <= self.bytes);
        // SAFETY: by the invariant, `done..done + n` is still mapped,
        // unused by anything, and starts on a page boundary.
        unsafe {
            let p = self.ptr.add(self.done);
            if self.keep {
                core::ptr::write_bytes(p.as_ptr(), 0, n);
            } else {
                unmap(p, n);
            }
        }
        self.done += n;
        if self.done == self.bytes && self.keep {
            // SAFETY: the whole mapping is zero, unused, and reserved.
            unsafe { pool::give_reserved(self.ptr, self.bytes) };
        }
    }
}

impl Retired {
    /// Releases the next piece. Returns whether everything is released.
    pub(crate) fn step(&mut self) -> bool {
        if let Some(m) = &mut self.mapping {
            m.release(RELEASE_CHUNK.min(m.bytes - m.done));
            if m.done == m.bytes {
                self.mapping = None;
            }
        } else if let Some(c) = self.chunks.pop() {
            // SAFETY: nothing points into a retired chunk (invariant).
            unsafe { c.free() };
        }
        self.mapping.is_none() && self.chunks.is_empty()
    }
}

impl Drop for Retired {
    fn drop(&mut self) {
        if let Some(m) = &mut self.mapping {
            if m.done < m.bytes {
                m.release(m.bytes - m.done);
            }
        }
        for c in self.chunks.drain(..) {
            // SAFETY: as in `step`.
            unsafe { c.free() };
        }
    }
}

/// Allocates zeroed memory; arrays of [`MAP_MIN`] bytes and more are mapped
/// from the OS as zero pages, so a growth pays no up-front zeroing (the
/// global allocator may hand back reused memory that `calloc` must clear).
fn alloc_zeroed_bytes(layout: Layout) -> Result<NonNull<u8>, AllocFailure> {
    let fail = AllocFailure {
        bytes: Some(layout.size()),
    };
    if layout.size() > isize::MAX as usize {
        return Err(fail);
    }
    if is_mapped(layout) {
        if let Some(p) = pool::take(layout.size()) {
            return Ok(p);
        }
        return map_zeroed(layout.size()).ok_or(fail);
    }
    // SAFETY: every bucket layout has a non-zero size (a bucket holds at
    // least its tophash bytes and overflow pointer).
    let p = unsafe { alloc_zeroed(layout) };
    NonNull::new(p).ok_or(fail)
}

/// Frees memory from [`alloc_zeroed_bytes`].
///
/// # Safety
/// `p` came from `alloc_zeroed_bytes(layout)` and is not used afterwards.
unsafe fn free_bytes(p: NonNull<u8>, layout: Layout) {
    if is_mapped(layout) {
        // SAFETY: the whole mapping, per the caller.
        unsafe { release_mapping(p, layout.size()) }
    } else {
        // SAFETY: allocated by the global allocator with this layout.
        unsafe { dealloc(p.as_ptr(), layout) }
    }
}

/// Zeroed mappings kept for reuse, process-wide: bucket arrays and
/// overflow chunks.
///
/// A fresh mapping costs a page fault per 4 KiB on first touch, and on this
/// project's VM the faults, not the zeroing, were 40–47 % of the time of
/// inserting 100,000 `u64`s (`perf record` of `hotpath insert` and
/// `insert_hint`). Go's heap keeps freed spans and clears them for the next
/// map instead; the pool does the same for arrays of [`MAP_MIN`] bytes and
/// up and for mapped overflow chunks: memory no longer used is cleared (a
/// [`RELEASE_CHUNK`] per write when a growth retires an array, so no write
/// pauses for it) and the next mapping of exactly that size is taken from
/// here, already zero and faulted in.
///
/// Bounds: arrays of at most [`POOL_MAX_ARRAY`] bytes, [`POOL_MAX_BYTES`]
/// in all; what does not fit is unmapped as before. Pooled memory stays in
/// the process's resident set until reused.
pub(crate) mod pool {
    use core::ptr::NonNull;
    use std::sync::{Mutex, PoisonError};

    /// Largest array the pool keeps (the C allocator's own ceiling for
    /// reusing freed memory instead of unmapping it is 32 MiB too).
    pub(crate) const POOL_MAX_ARRAY: usize = 32 << 20;
    /// Most bytes the pool holds or has promised, in all.
    pub(crate) const POOL_MAX_BYTES: usize = 64 << 20;

    struct Pool {
        /// `(address, bytes)` of zeroed mappings, most recent last.
        free: Vec<(usize, usize)>,
        /// Bytes in `free` plus bytes reserved by arrays being cleared.
        bytes: usize,
    }

    static POOL: Mutex<Pool> = Mutex::new(Pool {
        free: Vec::new(),
        bytes: 0,
    });

    fn lock() -> std::sync::MutexGuard<'static, Pool> {
        // The pool's state is consistent between statements; a panic
        // elsewhere while it was held leaves nothing half-done.
        POOL.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves room for an array of `bytes` that will be cleared and given
    /// back with [`give_reserved`]. False when it is too large or the pool
    /// is full.
    pub(crate) fn reserve(bytes: usize) -> bool {
        if bytes > POOL_MAX_ARRAY {
            return false;
        }
        let mut pool = lock();
        if pool.bytes + bytes > POOL_MAX_BYTES {
            return false;
        }
        pool.bytes += bytes;
        true
    }

    /// Hands the pool a zeroed mapping, against an earlier [`reserve`].
    ///
    /// # Safety
    /// `p..p + bytes` is a whole mapping made by `map_zeroed(bytes)`, all of
    /// it zero, used by nothing, and `reserve(bytes)` returned true for it.
    pub(crate) unsafe fn give_reserved(p: NonNull<u8>, bytes: usize) {
        lock().free.push((p.as_ptr() as usize, bytes));
    }

    /// A zeroed mapping of exactly `bytes`, if the pool has one.
    pub(crate) fn take(bytes: usize) -> Option<NonNull<u8>> {
        let mut pool = lock();
        let i = pool.free.iter().rposition(|&(_, n)| n == bytes)?;
        let (addr, _) = pool.free.swap_remove(i);
        pool.bytes -= bytes;
        NonNull::new(addr as *mut u8)
    }

    /// Bytes the pool holds or has reserved.
    #[cfg(test)]
    pub(crate) fn bytes() -> usize {
        lock().bytes
    }
}

/// Gives a whole mapping to the [`pool`], zeroed, or unmaps it when the
/// pool has no room.
///
/// # Safety
/// `p..p + bytes` is a whole mapping made by [`map_zeroed`]`(bytes)` (or
/// taken from the pool), and nothing uses it afterwards.
unsafe fn release_mapping(p: NonNull<u8>, bytes: usize) {
    // SAFETY: per the caller; the memory is zeroed before the pool has it.
    unsafe {
        if pool::reserve(bytes) {
            core::ptr::write_bytes(p.as_ptr(), 0, bytes);
            pool::give_reserved(p, bytes);
        } else {
            unmap(p, bytes);
        }
    }
}

#[cfg(unix)]
fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping at an address of the kernel's
    // choosing touches no existing memory. Its pages read as zero.
    let p = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        None
    } else {
        NonNull::new(p.cast::<u8>())
    }
}

#[cfg(not(unix))]
fn map_zeroed(_bytes: usize) -> Option<NonNull<u8>> {
    unreachable!("mapping is only used on unix")
}

/// Unmaps `bytes` bytes at `p`.
///
/// # Safety
/// `p` is page-aligned, `p..p + bytes` lies in a mapping made by
/// [`map_zeroed`], and nothing uses it afterwards.
#[cfg(unix)]
unsafe fn unmap(p: NonNull<u8>, bytes: usize) {
    // SAFETY: per the caller.
    let rc = unsafe { libc::munmap(p.as_ptr().cast(), bytes) };
    debug_assert_eq!(rc, 0, "munmap");
}

#[cfg(not(unix))]
unsafe fn unmap(_p: NonNull<u8>, _bytes: usize) {
    unreachable!("mapping is only used on unix")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FACTS.md: the preallocated pool for B = 4..=12, 144- and 208-byte buckets.
    #[test]
    fn pool_sizes_match_go() {
        let u64_pool = [2, 5, 7, 14, 28, 56, 113, 170, 284];
        let str_pool = [3, 7, 4, 9, 19, 39, 78, 157, 275];
        for (i, b) in (4u8..=12).enumerate() {
            assert_eq!(
                array_len(b, 144).unwrap() - (1 << b),
                u64_pool[i],
                "B={b} 144"
            );
            assert_eq!(
                array_len(b, 208).unwrap() - (1 << b),
                str_pool[i],
                "B={b} 208"
            );
        }
        for b in 13u8..=20 {
            assert_eq!(array_len(b, 144).unwrap() - (1 << b), 1 << (b - 4));
            assert_eq!(array_len(b, 208).unwrap() - (1 << b), 1 << (b - 4));
        }
        for b in 0u8..4 {
            assert_eq!(array_len(b, 144), Some(1 << b));
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "mapping is disabled under Miri")]
    fn retired_mapping_releases_in_chunks() {
        let b = 15; // 2^15 + 2^11 pool buckets of 144 bytes: 5 MB, mapped
        let arr = BucketArray::new(b, 144, 8).unwrap();
        let bytes = arr.len * 144;
        assert!(bytes >= MAP_MIN);
        // SAFETY: the array is fresh and zeroed; nothing else uses it.
        unsafe { arr.ptr.as_ptr().add(bytes - 1).write(7) };
        // SAFETY: same shape as allocated; not used afterwards.
        let mut r = unsafe { arr.retire(144, 8) }.expect("mapped");
        let steps = bytes.div_ceil(RELEASE_CHUNK);
        for i in 1..=steps {
            assert_eq!(r.step(), i == steps);
        }
        // A small array is freed at once.
        let small = BucketArray::new(4, 144, 8).unwrap();
        // SAFETY: as above.
        assert!(unsafe { small.retire(144, 8) }.is_none());
    }

    /// An array retired with room in the pool is cleared a chunk per step
    /// and handed back, zero, to the next array of its size; with no room
    /// it is unmapped instead. A bucket size no other test uses (200
    /// bytes) keeps parallel tests from taking it first.
    #[test]
    #[cfg_attr(miri, ignore = "mapping is disabled under Miri")]
    fn retired_arrays_are_reused_zeroed() {
        let (b, size) = (11, 200);
        let arr = BucketArray::new(b, size, 8).unwrap();
        let bytes = arr.len * size;
        assert!((MAP_MIN..=pool::POOL_MAX_ARRAY).contains(&bytes));
        let first = arr.ptr;
        // SAFETY: the array is ours and `bytes` long.
        unsafe { core::ptr::write_bytes(arr.ptr.as_ptr(), 0xA5, bytes) };
        // SAFETY: same shape as allocated; not used afterwards.
        let mut r = unsafe { arr.retire(size, 8) }.expect("mapped");
        let kept = r.mapping.as_ref().unwrap().keep;
        while !r.step() {}
        assert!(pool::bytes() <= pool::POOL_MAX_BYTES);
        let again = BucketArray::new(b, size, 8).unwrap();
        if kept {
            assert_eq!(again.ptr, first, "the retired array comes back");
        }
        // SAFETY: the array is `bytes` long and initialized (zero or cleared).
        let mem = unsafe { core::slice::from_raw_parts(again.ptr.as_ptr(), bytes) };
        assert!(mem.iter().all(|&x| x == 0), "a reused array is zero");
        // Freed while dirty: cleared before the pool has it.
        // SAFETY: as above.
        unsafe {
            core::ptr::write_bytes(again.ptr.as_ptr(), 0x5A, bytes);
            again.free(size, 8);
        }
        let third = BucketArray::new(b, size, 8).unwrap();
        // SAFETY: as above.
        let mem = unsafe { core::slice::from_raw_parts(third.ptr.as_ptr(), bytes) };
        assert!(mem.iter().all(|&x| x == 0), "a reused array is zero");
        // SAFETY: not used afterwards.
        unsafe { third.free(size, 8) };
    }

    #[test]
    fn roundupsize() {
        assert_eq!(round_up_size(1), 8);
        assert_eq!(round_up_size(144), 144);
        assert_eq!(round_up_size(145), 160);
        assert_eq!(round_up_size(32767), 32768);
        assert_eq!(round_up_size(32769), 40960);
    }
}
