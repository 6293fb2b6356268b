//! The read map and its atomic slot. Go: `Map.read` holding a `readOnly`.
//!
//! Go publishes `readOnly{m, amended}` as one immutable value behind an
//! `atomic.Value`. We publish the same pair as one word: a pointer to the
//! boxed read map with `amended` in its low bit (the map is at least
//! pointer-aligned, so bit 0 of its address is always free). Setting
//! `amended` therefore needs no allocation and can never be seen apart from
//! the map it describes.

use super::entry::Entry;
use super::primitive::{AtomicPtr, Guard, Ordering};
use crate::GoMap;

/// The map type of both the read map and the dirty map: keys to shared
/// entries. Go: `map[any]*entry`.
pub(crate) type EntryMap<K, V, S> = GoMap<K, Entry<V>, S>;

/// Bit 0 of the slot: the dirty map holds some key the read map lacks.
/// Go: `readOnly.amended`.
const AMENDED: usize = 1;

const _: () = assert!(
    core::mem::align_of::<EntryMap<u8, u8, ()>>() > AMENDED,
    "the read map's alignment must leave bit 0 of its address free"
);

/// A snapshot of the slot: the read map and whether it is amended.
/// Go: `readOnly`.
pub(crate) struct ReadOnly<'g, K, V, S> {
    /// The read map. Lives at least as long as the guard it was loaded
    /// with.
    pub(crate) m: &'g EntryMap<K, V, S>,
    /// Whether the dirty map holds a key `m` lacks.
    pub(crate) amended: bool,
}

/// The atomic slot holding the current read map. Loaded lock-free under a
/// guard; stored only under the map's lock. Go: `Map.read`.
pub(crate) struct ReadSlot<K, V, S> {
    /// Tagged pointer: a `Box<EntryMap>` leaked, plus [`AMENDED`] in bit 0.
    /// Never null.
    ptr: AtomicPtr<EntryMap<K, V, S>>,
}

/// Splits a slot word into the map pointer and the amended bit.
#[inline(always)]
fn untag<T>(p: *mut T) -> (*mut T, bool) {
    let tag = p as usize & AMENDED;
    // `wrapping_sub` on the byte pointer keeps the allocation's provenance.
    (p.cast::<u8>().wrapping_sub(tag).cast::<T>(), tag != 0)
}

/// Joins a map pointer and the amended bit into a slot word.
#[inline(always)]
fn tag<T>(p: *mut T, amended: bool) -> *mut T {
    p.cast::<u8>()
        .wrapping_add(usize::from(amended))
        .cast::<T>()
}

impl<K, V, S> ReadSlot<K, V, S> {
    /// A slot holding `map`, not amended.
    pub(crate) fn new(map: EntryMap<K, V, S>) -> Self {
        ReadSlot {
            ptr: AtomicPtr::new(Box::into_raw(Box::new(map))),
        }
    }

    /// The current read map. Go: `m.loadReadOnly()`.
    #[inline(always)]
    pub(crate) fn load<'g>(&self, guard: &'g Guard<'_>) -> ReadOnly<'g, K, V, S> {
        // `protect` loads with Acquire, pairing with the Release in
        // `publish` and `set_amended`.
        let (p, amended) = untag(guard.protect(&self.ptr));
        // SAFETY: the slot always holds a leaked `Box<EntryMap>`; a map
        // taken out of the slot is retired through the collector, so one we
        // loaded under `guard` stays allocated while `guard` lives. Read
        // maps are never mutated after publication.
        let m = unsafe { &*p };
        ReadOnly { m, amended }
    }

    /// Marks the current read map amended. The caller holds the lock.
    pub(crate) fn set_amended(&self) {
        // Relaxed load: only lock holders store to the slot, and we are one.
        let (p, _) = untag(self.ptr.load(Ordering::Relaxed));
        // Release: pairs with the Acquire in `load`. Even though the map is
        // not new, this store starts a new release sequence: a reader that
        // sees this word must also see the map's contents, which were
        // published to us through the lock.
        self.ptr.store(tag(p, true), Ordering::Release);
    }

    /// Publishes `map` as the read map, not amended, and retires the old
    /// one under `guard`. The caller holds the lock. Go: `m.read.Store`.
    pub(crate) fn publish(&self, map: EntryMap<K, V, S>, guard: &Guard<'_>) {
        let new = Box::into_raw(Box::new(map));
        // Release: pairs with the Acquire in `load`, so a reader that sees
        // the new map sees it fully built. No Acquire needed for the old
        // one: it was published to us through the lock.
        let (old, _) = untag(self.ptr.swap(new, Ordering::Release));
        // SAFETY: `old` is the leaked box the slot held, now unreachable for
        // any thread that loads the slot from here on, and retired once
        // (only the thread that swapped it out retires it). `K`, `V` and `S`
        // are `Send` whenever the map is shared (its `Send`/`Sync` bounds).
        unsafe { guard.retire_box(old) }
    }
}

impl<K, V, S> Drop for ReadSlot<K, V, S> {
    fn drop(&mut self) {
        // Relaxed: `&mut self` means no other thread can touch the slot, and
        // whatever gave us that access synchronized us with its writers.
        let (p, _) = untag(self.ptr.load(Ordering::Relaxed));
        // SAFETY: the slot owns the leaked box it holds; no guard can be
        // alive (they borrow the map).
        drop(unsafe { Box::from_raw(p) });
    }
}
