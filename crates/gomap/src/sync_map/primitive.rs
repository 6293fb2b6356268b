//! The atomics, the lock and the memory reclaimer that [`SyncMap`] is built
//! on, imported from this one module so that `--cfg loom` can swap them all.
//!
//! Normally the reclaimer is a thin facade over a per-map
//! [`seize::Collector`] (the crate documentation of `sync_map` says why seize).
//! Under loom it is a stand-in that keeps every retired allocation until the
//! map is dropped: loom cannot model seize's own atomics, and a reclaimer
//! that never frees early is trivially correct, so the loom tests check what
//! they are meant to check — the entry state machine and promotion — and
//! nothing else. seize's protocol is covered by seize's own test suite, and
//! ours runs under Miri with the real collector.
//!
//! [`SyncMap`]: super::SyncMap

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{fence, AtomicIsize, AtomicPtr, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{fence, AtomicIsize, AtomicPtr, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

pub(crate) use reclaim::{Collector, Guard};

/// An allocation that is retired through [`Guard::retire`] and knows how to
/// free itself once no guard can still read it.
pub(crate) trait Reclaim {
    /// Frees `ptr`.
    ///
    /// # Safety
    ///
    /// - `ptr` was passed to [`Guard::retire`] once, and this is the one
    ///   call the collector makes for it.
    /// - No thread will read through `ptr` again.
    unsafe fn reclaim(ptr: *mut Self);
}

/// Frees a `Box<T>` that was turned into a raw pointer.
///
/// # Safety
///
/// - `ptr` came from `Box::<T>::into_raw` and has not been freed.
/// - No thread will read `*ptr` again.
unsafe fn drop_box<T>(ptr: *mut T) {
    // SAFETY: the caller promises `ptr` is an unfreed `Box<T>` that nobody
    // will read again.
    drop(unsafe { Box::from_raw(ptr) });
}

#[cfg(not(loom))]
mod reclaim {
    use super::{AtomicPtr, Ordering};
    use seize::Guard as _;

    /// How many retired allocations a thread collects before seize tries
    /// to free them: 256, not seize's default of 32. Each try starts with a
    /// process-wide barrier (`membarrier`), which interrupts every other
    /// thread of the process running at that moment, readers included, so
    /// fewer tries leave the readers alone for longer; on the 99/1
    /// benchmark 256 gained most at two threads, and 1024 nothing more
    /// (`bench/syncmap-design.md`, "seize batch size", with the command).
    /// The price is up to 256 retired values per thread not yet freed, and
    /// a slot waits that much longer before it can hold a new value (a key
    /// rewritten faster boxes its values meanwhile). Under Miri, seize's
    /// default: the tests' few hundred writes must still see slots
    /// reclaimed and reused.
    const BATCH_SIZE: usize = if cfg!(miri) { 32 } else { 256 };

    /// The map's memory reclaimer: every value and every read map that is
    /// replaced goes through it, so a reader holding a [`Guard`] never sees
    /// its memory freed.
    pub(crate) struct Collector(seize::Collector);

    /// Proof that the current thread is inside a read-side critical section
    /// of one [`Collector`]: anything loaded with [`Guard::protect`] and
    /// retired after the load stays allocated until this guard is dropped.
    /// Not `Send`: it marks the thread, not a task.
    pub(crate) struct Guard<'c>(seize::LocalGuard<'c>);

    impl Collector {
        pub(crate) fn new() -> Self {
            Collector(seize::Collector::new().batch_size(BATCH_SIZE))
        }

        /// Enters a critical section. Reentrant: nested guards are cheap and
        /// the thread stays protected until the outermost one is dropped.
        #[inline]
        pub(crate) fn enter(&self) -> Guard<'_> {
            Guard(self.0.enter())
        }
    }

    impl Guard<'_> {
        /// Loads `ptr` so that what it points to stays allocated for the
        /// life of this guard, even if another thread retires it.
        #[inline]
        pub(crate) fn protect<T>(&self, ptr: &AtomicPtr<T>) -> *mut T {
            // Acquire: pairs with the Release store or swap that published the
            // pointee (the read map's publication in `ReadSlot`, a value's in
            // `Entry`), so its contents are visible to us. seize raises this
            // to SeqCst so that the load takes part in the order of its
            // barriers.
            self.0.protect(ptr, Ordering::Acquire)
        }

        /// Frees the `Box<T>` at `ptr` once no guard that might have loaded
        /// it is alive — and never before this guard is dropped, so the
        /// caller may keep reading it until then.
        ///
        /// # Safety
        ///
        /// - `ptr` came from `Box::<T>::into_raw` and is retired only once.
        /// - `ptr` is no longer reachable from the map: a thread that enters
        ///   after this call cannot load it.
        /// - `T: Send` when the map is shared: the box may be freed on
        ///   another thread (the map's `Send`/`Sync` bounds ensure this).
        #[inline]
        pub(crate) unsafe fn retire_box<T>(&self, ptr: *mut T) {
            /// seize's reclaimer signature around [`super::drop_box`].
            ///
            /// # Safety
            ///
            /// As [`super::drop_box`]; seize calls it once no guard can
            /// still read `ptr`.
            unsafe fn reclaim<T>(ptr: *mut T, _: &seize::Collector) {
                // SAFETY: seize runs this once, after every guard that could
                // have loaded `ptr` is gone; `retire_box`'s caller promised
                // it is an unfreed box retired once.
                unsafe { super::drop_box(ptr) }
            }
            // SAFETY: the caller promises `ptr` is unreachable for threads
            // entering from now on and that it is a `Box<T>` retired once,
            // which is what `reclaim` needs.
            unsafe { self.0.defer_retire(ptr, reclaim::<T>) }
        }

        /// Calls `T::reclaim(ptr)` once no guard that might have loaded
        /// what `ptr` stands for is alive — and never before this guard is
        /// dropped.
        ///
        /// # Safety
        ///
        /// - `ptr` is retired only once, and `T::reclaim` may be called on
        ///   it (see [`super::Reclaim::reclaim`]).
        /// - What `ptr` stands for is no longer reachable from the map: a
        ///   thread that enters after this call cannot load it.
        /// - `T::reclaim` may run on another thread (the map's `Send`/`Sync`
        ///   bounds make that sound).
        #[inline]
        pub(crate) unsafe fn retire<T: super::Reclaim>(&self, ptr: *mut T) {
            /// seize's reclaimer signature around [`super::Reclaim::reclaim`].
            ///
            /// # Safety
            ///
            /// As [`super::Reclaim::reclaim`]; seize calls it once no guard
            /// can still read through `ptr`.
            unsafe fn reclaim<T: super::Reclaim>(ptr: *mut T, _: &seize::Collector) {
                // SAFETY: seize runs this once, after every guard that could
                // have loaded `ptr` is gone; `retire`'s caller promised it
                // is retired once and reclaimable.
                unsafe { T::reclaim(ptr) }
            }
            // SAFETY: forwarded from the caller, as in `retire_box`.
            unsafe { self.0.defer_retire(ptr, reclaim::<T>) }
        }
    }
}

#[cfg(loom)]
mod reclaim {
    use super::{AtomicPtr, Ordering};
    use std::marker::PhantomData;

    /// One retired allocation and the function that frees it.
    struct Retired {
        /// The allocation, type-erased.
        ptr: *mut (),
        /// `drop_box::<T>` for the allocation's `T`.
        free: unsafe fn(*mut ()),
    }

    // SAFETY: a `Retired` is only freed, never read; the map's `Send`/`Sync`
    // bounds make its pointee `Send`.
    unsafe impl Send for Retired {}

    /// Loom stand-in: retired allocations are kept until the map drops.
    pub(crate) struct Collector {
        /// Everything retired so far. A std mutex on purpose: it is not part
        /// of the protocol under test, so loom need not explore it.
        retired: std::sync::Mutex<Vec<Retired>>,
    }

    /// Loom stand-in for a critical section: nothing is freed while the
    /// collector lives, so a guard need not do anything.
    pub(crate) struct Guard<'c> {
        /// The collector entered.
        collector: &'c Collector,
        /// Not `Send`, like the real guard.
        _not_send: PhantomData<*mut ()>,
    }

    impl Collector {
        pub(crate) fn new() -> Self {
            Collector {
                retired: std::sync::Mutex::new(Vec::new()),
            }
        }

        pub(crate) fn enter(&self) -> Guard<'_> {
            Guard {
                collector: self,
                _not_send: PhantomData,
            }
        }
    }

    impl Guard<'_> {
        pub(crate) fn protect<T>(&self, ptr: &AtomicPtr<T>) -> *mut T {
            // Acquire: pairs with the Release store or swap that published
            // the pointee, as in the real facade.
            ptr.load(Ordering::Acquire)
        }

        /// # Safety
        ///
        /// As for the real `retire_box`.
        pub(crate) unsafe fn retire_box<T>(&self, ptr: *mut T) {
            /// Frees a `Box<T>` held as `*mut ()`.
            ///
            /// # Safety
            ///
            /// As [`super::drop_box`], with `ptr` a `Box<T>`.
            unsafe fn free<T>(ptr: *mut ()) {
                // SAFETY: `ptr` is the `Box<T>` that `retire_box::<T>` kept.
                unsafe { super::drop_box(ptr.cast::<T>()) }
            }
            self.collector.retired.lock().unwrap().push(Retired {
                ptr: ptr.cast(),
                free: free::<T>,
            });
        }

        /// # Safety
        ///
        /// As for the real `retire`.
        pub(crate) unsafe fn retire<T: super::Reclaim>(&self, ptr: *mut T) {
            /// Calls `T::reclaim` on a pointer held as `*mut ()`.
            ///
            /// # Safety
            ///
            /// As [`super::Reclaim::reclaim`], with `ptr` a `*mut T`.
            unsafe fn free<T: super::Reclaim>(ptr: *mut ()) {
                // SAFETY: `ptr` is the `*mut T` that `retire::<T>` kept,
                // retired once; the collector is being dropped.
                unsafe { T::reclaim(ptr.cast::<T>()) }
            }
            self.collector.retired.lock().unwrap().push(Retired {
                ptr: ptr.cast(),
                free: free::<T>,
            });
        }
    }

    impl Drop for Collector {
        fn drop(&mut self) {
            let retired = self.retired.get_mut().unwrap();
            for r in retired.drain(..) {
                // SAFETY: the map is being dropped, so no guard exists, and
                // each allocation was retired once.
                unsafe { (r.free)(r.ptr) }
            }
        }
    }
}
