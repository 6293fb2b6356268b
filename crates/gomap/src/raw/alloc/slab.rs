//! The heap overflow buckets of an array (an [`OverflowSlab`] of zeroed
//! chunks), and the memory of a finished growth's old array, released a
//! piece per write ([`Retired`]).

use core::alloc::Layout;
use core::ptr::NonNull;

use super::pool::{self, unmap};
use super::{alloc_zeroed, bucket_layout, free_zeroed, Purpose};

/// One chunk of an [`OverflowSlab`]: zeroed memory for whole buckets.
///
/// Invariant: `ptr` was allocated by [`alloc_zeroed`] with `layout` for
/// [`Purpose::Chunk`].
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
        let layout = bucket_layout(buckets, size, align).expect("bucket layout");
        let ptr = alloc_zeroed(layout, Purpose::Chunk)
            .unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
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
        // SAFETY: allocated by `alloc_zeroed` with this layout for chunks
        // (invariant).
        unsafe { free_zeroed(self.ptr, self.layout, Purpose::Chunk) }
    }
}

/// Bytes a [`Retired::step`] clears or unmaps: small enough that one step
/// stays far below 100 µs.
pub(crate) const RELEASE_CHUNK: usize = 128 << 10;

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

/// Invariant: `ptr..ptr + bytes` was one mapping made by [`alloc_zeroed`],
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
    /// What is left to release of an array at `ptr` allocated with `layout`
    /// and its slab: the array when it is mapped (to be cleared for the
    /// pool when it has room, else unmapped) and the slab's chunks when
    /// they are more than one step's worth. The rest is freed now; `None`
    /// when nothing is left.
    ///
    /// # Safety
    /// `ptr` was allocated by [`alloc_zeroed`] with `layout` for
    /// [`Purpose::Array`], and nothing uses it or the slab's buckets
    /// afterwards.
    pub(crate) unsafe fn of(
        ptr: NonNull<u8>, layout: Layout, slab: OverflowSlab,
    ) -> Option<Retired> {
        let mapping = if Purpose::Array.is_mapped(layout) {
            Some(RetiredMapping {
                ptr,
                bytes: layout.size(),
                done: 0,
                // Cleared for reuse when the pool has room for it, else
                // unmapped.
                keep: pool::reserve(layout.size()),
            })
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { free_zeroed(ptr, layout, Purpose::Array) };
            None
        };
        let chunks = if slab.bytes() <= RELEASE_CHUNK {
            // SAFETY: forwarded from the caller.
            unsafe { slab.free_all() };
            Vec::new()
        } else {
            slab.chunks
        };
        (mapping.is_some() || !chunks.is_empty()).then_some(Retired { mapping, chunks })
    }

    /// Whether the mapped array goes to the pool (it had room).
    #[cfg(test)]
    pub(crate) fn keeps_mapping(&self) -> bool {
        self.mapping.as_ref().is_some_and(|m| m.keep)
    }

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
