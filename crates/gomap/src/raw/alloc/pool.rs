//! The OS side: anonymous mappings, and the process-wide pool of zeroed
//! mappings (bucket arrays and overflow chunks) kept for reuse.
//!
//! A fresh mapping costs a page fault per 4 KiB on first touch, and on this
//! project's VM the faults, not the zeroing, were 40–47 % of the time of
//! inserting 100,000 `u64`s (`perf record` of `hotpath insert` and
//! `insert_hint`). Go's heap keeps freed spans and clears them for the next
//! map instead; the pool does the same for arrays of [`MAP_MIN`] bytes and
//! up and for mapped overflow chunks: memory no longer used is cleared (a
//! [`RELEASE_CHUNK`](super::slab::RELEASE_CHUNK) per write when a growth retires an array, so no write
//! pauses for it) and the next mapping of exactly that size is taken from
//! here, already zero and faulted in.
//!
//! Bounds: arrays of at most [`POOL_MAX_ARRAY`] bytes, [`POOL_MAX_BYTES`]
//! in all; what does not fit is unmapped as before. Pooled memory stays in
//! the process's resident set until reused.

use core::ptr::NonNull;
use std::sync::{Mutex, PoisonError};

/// Arrays of at least this many bytes are mapped straight from the OS (on
/// Unix): their pages are zero until first touched, so an allocation costs
/// no zeroing, the first-touch faults spread over the writes that follow,
/// and freeing one can be spread out too (see [`Retired`](super::slab::Retired)).
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
/// arrays that are no longer used go to the pool, so a program that
/// makes and drops maps in a loop does not pay fresh page faults each time.
pub(crate) const MAP_MIN: usize = 128 << 10;

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

/// Gives a whole mapping to the the pool, zeroed, or unmaps it when the
/// pool has no room.
///
/// # Safety
/// `p..p + bytes` is a whole mapping made by [`map_zeroed`]`(bytes)` (or
/// taken from the pool), and nothing uses it afterwards.
pub(super) unsafe fn release_mapping(p: NonNull<u8>, bytes: usize) {
    // SAFETY: per the caller; the memory is zeroed before the pool has it.
    unsafe {
        if reserve(bytes) {
            core::ptr::write_bytes(p.as_ptr(), 0, bytes);
            give_reserved(p, bytes);
        } else {
            unmap(p, bytes);
        }
    }
}

#[cfg(unix)]
pub(super) fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
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
pub(super) fn map_zeroed(_bytes: usize) -> Option<NonNull<u8>> {
    unreachable!("mapping is only used on unix")
}

/// Unmaps `bytes` bytes at `p`.
///
/// # Safety
/// `p` is page-aligned, `p..p + bytes` lies in a mapping made by
/// [`map_zeroed`], and nothing uses it afterwards.
#[cfg(unix)]
pub(super) unsafe fn unmap(p: NonNull<u8>, bytes: usize) {
    // SAFETY: per the caller.
    let rc = unsafe { libc::munmap(p.as_ptr().cast(), bytes) };
    debug_assert_eq!(rc, 0, "munmap");
}

#[cfg(not(unix))]
pub(super) unsafe fn unmap(_p: NonNull<u8>, _bytes: usize) {
    unreachable!("mapping is only used on unix")
}
