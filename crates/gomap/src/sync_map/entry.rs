//! The entry: one key's slot, shared by the read map and the dirty map, and
//! the state machine of its value pointer. Go: `sync.entry`.
//!
//! # States
//!
//! An entry's pointer `p` is in one of three states:
//!
//! - **live**: `p` points to a boxed value. The entry is in the read map,
//!   the dirty map, or both; if the dirty map exists, the entry is in it.
//! - **deleted** ([`DELETED`], null): the key has no value. If the dirty
//!   map exists the entry is in it; a lock-free store may revive it.
//! - **expunged** ([`expunged`], a sentinel address): the key has no value
//!   and the entry is in no map a writer may add to — either the dirty map
//!   exists and lacks it, or `clear` orphaned it. Only a writer holding the
//!   lock may revive an expunged entry of the current read map, and it must
//!   put the entry in the dirty map first.
//!
//! ```text
//!             store / swap / load_or_store (lock-free or locked)
//!   deleted ──────────────────────────────────────────────► live
//!      ▲  ◄──────────────────────────────────────────────  │  ▲
//!      │   delete / load_and_delete / compare_and_delete  │  │ store, swap,
//!      │                                                   │  │ compare_and_swap
//!      │ unexpunge_locked      try_expunge_locked          └──┘
//!      │ (then into dirty)     (building a dirty map)
//!   expunged ◄──────────────── deleted
//!   expunged ◄──────────────── live, deleted   (clear: orphaned entries)
//! ```
//!
//! Every transition between *deleted* and *expunged* happens under the
//! map's lock, which is what keeps "in the dirty map" and "not expunged" in
//! step: lock-free writers only move between *deleted* and *live*, and
//! refuse to touch an expunged entry.
//!
//! # Values and reclamation
//!
//! A value lives in its own box, published by a Release store of its
//! pointer, and is never changed in place: an update swaps in a new box.
//! The thread whose swap or compare-exchange takes a value pointer out of
//! `p` owns the retirement of that box and hands it to the collector, which
//! frees it after every guard that could have loaded it is gone. The caller
//! may keep reading it under its own guard until then, which is how
//! `swap` and `load_and_delete` return the old value without cloning.

use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use super::primitive::{AtomicPtr, Guard, Ordering};

/// State *deleted*: the key has no value, and the entry is in the dirty map
/// whenever a dirty map exists. Go: `p == nil`.
pub(crate) const DELETED: *mut () = ptr::null_mut();

/// The byte whose address is the *expunged* mark. A static has an address
/// no heap allocation can share, and never a dangling zero-size-box address.
static EXPUNGED_MARK: u8 = 0;

/// State *expunged*: the key has no value and the entry is in no map that a
/// writer may add to. Go: `p == expunged`.
#[inline(always)]
pub(crate) fn expunged<V>() -> *mut V {
    ptr::addr_of!(EXPUNGED_MARK).cast::<V>().cast_mut()
}

/// What a value pointer means.
#[inline(always)]
fn is_value<V>(p: *mut V) -> bool {
    !p.is_null() && p != expunged::<V>()
}

/// A value owned by the current thread that has not been published yet.
/// It is boxed on first need, so a `load_or_store` that finds a value
/// never allocates. Dropping it frees the value; publishing it hands the
/// box to an entry.
pub(crate) struct NewValue<V> {
    /// The value before it is boxed.
    value: Option<V>,
    /// The box, leaked while we own it, once made.
    boxed: Option<NonNull<V>>,
}

impl<V> NewValue<V> {
    /// Takes ownership of `value`, not boxed yet.
    pub(crate) fn new(value: V) -> Self {
        NewValue {
            value: Some(value),
            boxed: None,
        }
    }

    /// The pointer that will be published, boxing the value if needed.
    fn as_ptr(&mut self) -> *mut V {
        if let Some(p) = self.boxed {
            return p.as_ptr();
        }
        let value = self.value.take().expect("NewValue holds a value or a box");
        let p = NonNull::from(Box::leak(Box::new(value)));
        self.boxed = Some(p);
        p.as_ptr()
    }

    /// Gives up ownership: the box now belongs to the entry it was stored
    /// into.
    fn publish(mut self) -> NonNull<V> {
        let p = self.as_ptr();
        self.boxed = None;
        // SAFETY: `as_ptr` returns a pointer from `Box::leak`, never null.
        unsafe { NonNull::new_unchecked(p) }
    }
}

impl<V> Drop for NewValue<V> {
    fn drop(&mut self) {
        if let Some(p) = self.boxed {
            // SAFETY: we still own the box: it was never published.
            drop(unsafe { Box::from_raw(p.as_ptr()) });
        }
    }
}

/// A value pointer taken from an entry: either nothing (the entry was
/// deleted or expunged) or a live value's box. The caller must read it only
/// under the guard it was loaded with.
pub(crate) type Loaded<V> = Option<NonNull<V>>;

/// Turns a raw state into [`Loaded`].
#[inline(always)]
fn loaded<V>(p: *mut V) -> Loaded<V> {
    if is_value(p) {
        NonNull::new(p)
    } else {
        None
    }
}

/// The outcome of [`Entry::try_load_or_store`].
pub(crate) enum LoadOrStore<V> {
    /// The entry had a value; ours was dropped.
    Loaded(NonNull<V>),
    /// The entry was deleted and now holds our value.
    Stored(NonNull<V>),
    /// The entry is expunged; here is our value back.
    Expunged(NewValue<V>),
}

/// One key's slot, shared (through `Arc`) by the read map and the dirty map.
/// Go: `sync.entry`.
pub(crate) struct Entry<V> {
    /// The state: [`DELETED`], [`expunged`], or a live value's box. See the
    /// module documentation for the state machine.
    p: AtomicPtr<V>,
    /// The entry owns the live value it points to.
    _owns: PhantomData<Box<V>>,
}

impl<V> Entry<V> {
    /// A live entry holding `value`, and the published value's pointer.
    /// Go: `newEntry`.
    pub(crate) fn new(value: NewValue<V>) -> (Self, NonNull<V>) {
        let p = value.publish();
        let entry = Entry {
            p: AtomicPtr::new(p.as_ptr()),
            _owns: PhantomData,
        };
        (entry, p)
    }

    /// The value, if live. Go: `entry.load`.
    #[inline]
    pub(crate) fn load(&self, guard: &Guard<'_>) -> Loaded<V> {
        loaded(guard.protect(&self.p))
    }

    /// Whether the entry is expunged (for invariant checks; a snapshot).
    pub(crate) fn is_expunged(&self) -> bool {
        self.p.load(Ordering::Relaxed) == expunged::<V>()
    }

    /// Whether the entry holds a value (for invariant checks; a snapshot).
    pub(crate) fn is_live(&self) -> bool {
        is_value(self.p.load(Ordering::Relaxed))
    }

    /// Stores `new` unless the entry is expunged, returning the previous
    /// state (deleted or a value whose retirement the caller now owns).
    /// Lock-free. Go: `entry.trySwap` (and `tryStore`).
    #[inline]
    pub(crate) fn try_swap(
        &self,
        mut new: NewValue<V>,
        guard: &Guard<'_>,
    ) -> Result<Loaded<V>, NewValue<V>> {
        let mut p = guard.protect(&self.p);
        loop {
            if p == expunged::<V>() {
                return Err(new);
            }
            // AcqRel on success: Release publishes our value to readers'
            // Acquire loads; Acquire pairs with the Release that published
            // the value we take out, which we may read and which the
            // reclaimer drops. Acquire on failure: pairs with the same
            // Release for the value we will retry against.
            match self
                .p
                .compare_exchange(p, new.as_ptr(), Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(old) => {
                    new.publish();
                    return Ok(loaded(old));
                }
                Err(actual) => p = actual,
            }
        }
    }

    /// Moves an expunged entry to *deleted*; returns whether it was
    /// expunged. The caller holds the map's lock and, if this returns true,
    /// must put the entry in the dirty map before unlocking.
    /// Go: `entry.unexpungeLocked`.
    pub(crate) fn unexpunge_locked(&self) -> bool {
        // Relaxed: the move between expunged and deleted carries no data,
        // and which map holds the entry is published by the lock. The
        // compare-exchange itself is ordered against lock-free writers by
        // the modification order of `p`: they refuse an expunged entry.
        self.p
            .compare_exchange(
                expunged::<V>(),
                DELETED.cast(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// Stores `new` into an entry known not to be expunged (the caller
    /// holds the lock, and has unexpunged the entry if needed), returning
    /// the previous state. Go: `entry.swapLocked` (and `storeLocked`).
    pub(crate) fn swap_locked(&self, new: NewValue<V>) -> Loaded<V> {
        // AcqRel: Release publishes our value; Acquire pairs with the
        // Release that published the value we take out (we may return it,
        // and the reclaimer drops it).
        let old = self.p.swap(new.publish().as_ptr(), Ordering::AcqRel);
        debug_assert!(old != expunged::<V>(), "swap_locked on an expunged entry");
        loaded(old)
    }

    /// Returns the value if there is one; otherwise stores `new` if the
    /// entry is not expunged. Go: `entry.tryLoadOrStore`.
    pub(crate) fn try_load_or_store(
        &self,
        mut new: NewValue<V>,
        guard: &Guard<'_>,
    ) -> LoadOrStore<V> {
        let mut p = guard.protect(&self.p);
        loop {
            if p == expunged::<V>() {
                return LoadOrStore::Expunged(new);
            }
            if let Some(v) = loaded(p) {
                return LoadOrStore::Loaded(v);
            }
            // Release on success: publishes our value. Acquire on failure:
            // pairs with the Release that published the value we may then
            // return.
            match self
                .p
                .compare_exchange(p, new.as_ptr(), Ordering::Release, Ordering::Acquire)
            {
                Ok(_) => return LoadOrStore::Stored(new.publish()),
                Err(actual) => p = actual,
            }
        }
    }

    /// Deletes the value, returning it (its retirement is the caller's).
    /// Go: `entry.delete`.
    pub(crate) fn delete(&self, guard: &Guard<'_>) -> Loaded<V> {
        let mut p = guard.protect(&self.p);
        loop {
            loaded(p)?;
            // Acquire on success: pairs with the Release that published the
            // value we take out (we return it; the reclaimer drops it). No
            // Release: a deleted state publishes no data. Relaxed on
            // failure: we only compare the new state before retrying.
            match self
                .p
                .compare_exchange(p, DELETED.cast(), Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(old) => return loaded(old),
                Err(actual) => p = actual,
            }
        }
    }

    /// Swaps in `new` if the value equals `old`. On success returns the
    /// replaced value (its retirement is the caller's); on failure gives
    /// `new` back. Go: `entry.tryCompareAndSwap`.
    pub(crate) fn try_compare_and_swap(
        &self,
        old: &V,
        mut new: NewValue<V>,
        guard: &Guard<'_>,
    ) -> Result<NonNull<V>, NewValue<V>>
    where
        V: PartialEq,
    {
        let mut p = guard.protect(&self.p);
        loop {
            let Some(cur) = loaded(p) else {
                return Err(new);
            };
            // SAFETY: `cur` was loaded under `guard` (by `protect` or by the
            // failed compare-exchange below, whose Acquire makes its
            // contents visible); the box is retired only through the
            // collector, so it stays allocated while `guard` lives.
            if unsafe { cur.as_ref() } != old {
                return Err(new);
            }
            // AcqRel on success: Release publishes our value; Acquire pairs
            // with the Release of the value we take out for the reclaimer.
            // Acquire on failure: pairs with the Release that published the
            // value we compare against next.
            match self
                .p
                .compare_exchange(p, new.as_ptr(), Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    new.publish();
                    return Ok(cur);
                }
                Err(actual) => p = actual,
            }
        }
    }

    /// Deletes the value if it equals `old`, returning the removed value
    /// (its retirement is the caller's). Go: the loop in
    /// `Map.CompareAndDelete`.
    pub(crate) fn try_compare_and_delete(&self, old: &V, guard: &Guard<'_>) -> Loaded<V>
    where
        V: PartialEq,
    {
        let mut p = guard.protect(&self.p);
        loop {
            let cur = loaded(p)?;
            // SAFETY: as in `try_compare_and_swap`: `cur` was loaded under
            // `guard` with Acquire and is retired only through the collector.
            if unsafe { cur.as_ref() } != old {
                return None;
            }
            // Acquire on success: pairs with the Release that published the
            // value we take out for the reclaimer. Acquire on failure: pairs
            // with the Release that published the value we compare next.
            match self
                .p
                .compare_exchange(p, DELETED.cast(), Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => return Some(cur),
                Err(actual) => p = actual,
            }
        }
    }

    /// Marks a deleted entry expunged; returns whether the entry is now
    /// expunged. Called under the lock while building a dirty map, for each
    /// entry of the read map: an expunged entry is left out of the dirty map.
    /// Go: `entry.tryExpungeLocked`.
    pub(crate) fn try_expunge_locked(&self) -> bool {
        // Relaxed throughout: see `unexpunge_locked`. A lock-free writer
        // racing with us either revives the entry first (our exchange fails
        // and the entry, now live, goes into the dirty map) or sees the mark
        // and takes the lock, which we hold until the dirty map is complete.
        let mut p = self.p.load(Ordering::Relaxed);
        while p.is_null() {
            match self
                .p
                .compare_exchange(p, expunged::<V>(), Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => p = actual,
            }
        }
        p == expunged::<V>()
    }

    /// Expunges the entry whatever its state and returns the value it held
    /// (its retirement is the caller's). Called under the lock by `clear` on
    /// entries that no map will hold any more, so that a lock-free writer
    /// still holding an old read map is sent to the lock instead of writing
    /// into an orphan.
    pub(crate) fn expunge_orphan(&self) -> Loaded<V> {
        // Acquire: pairs with the Release that published the value we take
        // out, which the reclaimer drops.
        loaded(self.p.swap(expunged::<V>(), Ordering::Acquire))
    }

    /// Undoes [`Entry::try_expunge_locked`] while unwinding out of a failed
    /// dirty-map build (the lock is still held).
    pub(crate) fn undo_expunge_locked(&self) {
        self.unexpunge_locked();
    }
}

impl<V> Drop for Entry<V> {
    fn drop(&mut self) {
        // An entry goes when the last map holding it is freed, and no thread
        // can be reading its value by then:
        // - a read map, and a dirty map dropped by `clear`, is freed by the
        //   collector only after every guard that was active when it was
        //   retired has ended — and a thread that reached the entry through
        //   it did so under such a guard;
        // - otherwise a dirty map is freed only by the map's own drop, with
        //   `&mut` access, when no guard exists;
        // - an entry taken out of the dirty map alone (`load_and_delete`)
        //   has its value taken out and retired first;
        // - an entry that was never published is ours alone.
        // So the value, if any, can be freed at once.
        //
        // Relaxed: in each case this thread already synchronizes with every
        // writer of `p` — through the collector's grace period (a writer's
        // guard ends after its write and before reclamation), or through
        // whatever gave us exclusive access.
        let p = self.p.load(Ordering::Relaxed);
        if is_value(p) {
            // SAFETY: a live pointer is a box owned by this entry (it was
            // published into `p` and never taken out), and per the above no
            // reader remains.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}
