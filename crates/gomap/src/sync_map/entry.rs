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
//! - **expunged** ([`expunged`], the address `usize::MAX`): the key has no value
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
//! # Values and slots
//!
//! A published value is never changed in place: an update publishes a new
//! value and takes the old one out of `p`, so a reader holding a guard can
//! keep a plain `&V` to what it loaded. Where a value lives depends on its
//! type:
//!
//! - A value of at most [`INLINE_MAX`] bytes lives in one of two **slots**
//!   inside the entry's own allocation, so a load reaches it in the same
//!   cache line or the next one as `p`, instead of following `p` to a box
//!   the allocator placed anywhere: one dependent cache miss fewer by
//!   construction, and timed faster or within noise (rows `chain_inline`
//!   and `chain_boxed` of `benches/sync_map_load.rs`;
//!   `bench/syncmap-design.md`, "Values inside the entry"). A writer
//!   claims a free slot, writes its value there and publishes it; the
//!   slot becomes free again only when the collector reclaims it, after
//!   every guard that could have loaded it is gone. With two slots, a key
//!   whose writes are further apart than that grace period never leaves
//!   its entry. A writer that finds both slots busy boxes its value
//!   instead.
//! - A larger value, or a zero-sized one, lives in its own box, as in Go.
//!
//! # Why a slot is never read while it is written
//!
//! A slot is plain memory, written with ordinary stores: a value of up to
//! 64 bytes cannot be written atomically, so a reader that overlapped a
//! writer would see a torn value (and the program would have a data race).
//! The design rules the overlap out by construction; no reader ever checks
//! what it read:
//!
//! 1. Only the thread whose compare-exchange set a slot's bit in the
//!    header's `refs_busy` word writes the slot, and it writes the whole
//!    value before publishing it.
//!    The publishing swap or compare-exchange on `p` is Release and a
//!    reader's `protect` is Acquire, so a reader that sees the pointer sees
//!    the complete value.
//! 2. A reader reaches a slot only through `p`, under a guard. While the
//!    value is published its bit stays set, so no writer can claim the
//!    slot.
//! 3. The writer that takes the value out of `p` retires the slot, and the
//!    bit stays set until the collector reclaims it — after every guard
//!    that was alive at the retirement is dropped, so after the last read
//!    of every reader that could have loaded the pointer. The reclaimer
//!    drops the value in place and clears the bit with Release; the next
//!    claimer's Acquire on `refs_busy` orders that drop, and through the
//!    collector the readers' reads, before its own write.
//!
//! The same rules answer the other questions slots raise:
//!
//! - **Values that own resources** (`String`, anything with `Drop`) are
//!   moved into a slot once and never moved again, and dropped exactly once,
//!   in place, by whoever ends their life: the reclaimer after a
//!   retirement, the last entry reference (`free`) for the value `p` still
//!   holds, or the writer itself for a value it placed but never published
//!   (a failed comparison, an expunged entry: see `Placed`).
//! - **`V` need not be `Copy`**: the one bitwise copy is the move into the
//!   slot, the same move `Box::new` makes.
//! - **Interior mutability** (atomics, a `Mutex` inside `V`) works as with
//!   a box: readers share `&V`, and the value does not move while anyone
//!   can see it.
//! - **ABA on `p`**: a compare-exchange expects a pointer the caller loaded
//!   under its guard, and the slot that pointer names cannot be reclaimed,
//!   so cannot be claimed and published again, while that guard lives. A
//!   stale expectation can only fail.
//! - **A `V::drop` that panics** in the reclaimer leaves the slot's bit
//!   set: later writers box their values, and the entry, whose allocation
//!   lives while any bit is set, leaks. Nothing is freed twice.
//!
//! Tests: `slots_in_use_are_never_overwritten` (held values survive later
//! stores), `overwrites_race_with_loads` (two writers and a reader with
//! real slot reuse, small enough for Miri's data-race detector), and the
//! drop counts of `every_inline_value_is_dropped_exactly_once`. The loom
//! models do not reach slot reuse: their stand-in reclaimer frees nothing
//! until the map is dropped.
//!
//! # Reclamation
//!
//! The thread whose swap or compare-exchange takes a value out of `p`
//! retires it at once through its guard: a box is freed by the collector; a
//! slot is handed to the collector as a pointer to the entry tagged with
//! the slot's index, and reclaiming it drops the value in place and clears
//! the slot's bit. The taker may keep reading the value under its own
//! guard, which is how `swap` and `load_and_delete` return the old value
//! without cloning.
//!
//! The entry's allocation is held by one word, `refs_busy`: the slot bits
//! in its low bits and, above them, a count of references — one per map
//! holding the entry (or operation that took it out of the dirty map). The
//! allocation is freed by whoever brings the whole word to zero:
//!
//! - The last reference, while it still holds its count, drops the value
//!   `p` holds (nobody can reach it any more), then gives up its count and
//!   the bit of `p`'s slot, if `p` is in one, in a single subtraction.
//! - A reclaimer drops its slot's value, then clears the slot's bit.
//!
//! So a retired slot needs no reference of its own: its bit, set until
//! the reclaimer clears it, keeps the word above zero. One word rather
//! than a separate count and bit word, because it makes a store over an
//! existing value three read-modify-writes of the entry (claim a slot,
//! swap `p`, and, in the reclaimer, clear the bit) instead of five (the
//! retirement's increment of the count and the reclaimer's decrement as
//! well), and the header two words instead of three. The locked
//! instructions it saves are the ones that wait for the entry's cache
//! misses, so a store saves more time than its instruction count says
//! (`bench/syncmap-design.md`, "One word for references and slot bits").
//!
//! Invariant: `refs_busy` is zero only once nothing will touch the
//! allocation again. While a reference exists its count is above zero;
//! when the last one goes, `p` holds no slot value any more (it was
//! dropped, and its bit cleared, by the same subtraction that gave up the
//! count), and every other set bit belongs to a retired slot whose
//! reclaimer has yet to run. A claimed but unpublished slot belongs to an
//! operation that reached the entry through a map, so it exists only while
//! a reference does.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::ptr::{self, NonNull};
use std::alloc::{alloc, dealloc, handle_alloc_error};

use super::primitive::{fence, AtomicPtr, AtomicUsize, Guard, Ordering, Reclaim};

/// State *deleted*: the key has no value, and the entry is in the dirty map
/// whenever a dirty map exists. Go: `p == nil`.
pub(crate) const DELETED: *mut () = ptr::null_mut();

/// State *expunged*: the key has no value and the entry is in no map that a
/// writer may add to. Go: `p == expunged`.
///
/// The address `usize::MAX`, which no allocation, no slot and no dangling
/// zero-size-box pointer (whose address is `V`'s alignment) can have. A
/// constant, so that a load tells a value from both marks with one add and
/// one compare, where the address of a static had to be loaded first. The
/// pointer has no provenance and is only ever compared, never read.
#[inline(always)]
pub(crate) fn expunged<V>() -> *mut V {
    ptr::null_mut::<u8>().wrapping_sub(1).cast::<V>()
}

/// What a value pointer means.
#[inline(always)]
fn is_value<V>(p: *mut V) -> bool {
    // Neither null nor `usize::MAX`: the one compare the two tests become.
    (p as usize).wrapping_add(1) > 1
}

/// A value pointer read from an entry: either nothing (the entry was
/// deleted or expunged) or a live value. The caller must read it only under
/// the guard it was loaded with.
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

/// Largest value, in bytes, kept in the entry's slots rather than boxed.
/// Two slots of this size keep an entry within three cache lines; larger
/// values would make every entry pay for two copies' worth of memory.
pub(crate) const INLINE_MAX: usize = 64;

/// Slots per entry: a bit each in the low bits of [`Header::refs_busy`].
const SLOTS: usize = 2;

/// The slot bits of [`Header::refs_busy`]: bit `i` set means slot `i` is
/// claimed — being written, published, or retired and not yet reclaimed.
const BUSY_MASK: usize = (1 << SLOTS) - 1;

/// One counted reference in [`Header::refs_busy`]: the count sits above
/// the slot bits.
const ONE_REF: usize = 1 << SLOTS;

/// A value owned by the current thread that has not been published yet:
/// as given, or boxed after an earlier attempt found no free slot.
pub(crate) enum NewValue<V> {
    /// Not placed anywhere yet.
    Unplaced(V),
    /// Boxed by an earlier attempt; published as is.
    Boxed(Box<V>),
}

impl<V> NewValue<V> {
    /// Takes ownership of `value`.
    pub(crate) fn new(value: V) -> Self {
        NewValue::Unplaced(value)
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

/// The start of an entry's allocation; the slots follow it.
/// Go: `sync.entry`, plus the slots and the reference count.
///
/// `repr(C)` keeps `p` last, next to the slots: a load reads `p` and then
/// the value. For `V = u64` the entry takes 32 bytes at a 16-byte-aligned
/// address, `p` at offset 8 and the slots at 16 and 24; then `p` shares
/// its cache line with each slot three times in four (the start at 48
/// puts both slots in the next line). No spare word pads `p` to offset
/// 16, where it would share slot 0's line always: a pinned load timed the
/// same with and without one (`bench/syncmap-design.md`, "Header layout").
#[repr(C)]
struct Header<V> {
    /// What holds the allocation: the slot bits ([`BUSY_MASK`]; only a
    /// slot's claimer writes it) and, above them, the count of references
    /// in units of [`ONE_REF`]. Zero frees the entry; see the module
    /// documentation.
    refs_busy: AtomicUsize,
    /// The state: [`DELETED`], [`expunged`], or a live value (in a slot or
    /// a box). See the module documentation for the state machine.
    p: AtomicPtr<V>,
    /// The entry owns the value `p` points to and the values in its slots.
    _owns: PhantomData<V>,
}

/// A counted reference to one key's entry, shared by the read map and the
/// dirty map. Go: `*entry`.
pub(crate) struct Entry<V> {
    /// The allocation: a [`Header`], then the slots if `V` has any.
    ptr: NonNull<Header<V>>,
    /// We own a share of the header (and so of the values).
    _owns: PhantomData<Header<V>>,
}

// SAFETY: an `Entry` hands out `&V` to any thread that holds it (`V:
// Sync`) and its last holder drops the values, on whatever thread that is
// (`V: Send`); its own fields are atomics. The same bounds as `Arc<V>`.
unsafe impl<V: Send + Sync> Send for Entry<V> {}
// SAFETY: as for `Send`: shared access reads values and atomics only.
unsafe impl<V: Send + Sync> Sync for Entry<V> {}

/// A value written into an entry (a claimed slot, or a box) that is not
/// published yet. Dropping it drops the value and frees its place; a panic
/// in `V: PartialEq` during a compare-and-swap unwinds through here.
struct Placed<'e, V> {
    /// The entry whose slot we claimed (unused for a box).
    entry: &'e Entry<V>,
    /// Where the value is.
    ptr: NonNull<V>,
    /// The claimed slot, or `None` for a box.
    slot: Option<usize>,
}

impl<V> Placed<'_, V> {
    /// Hands the value over to the entry it was published into.
    fn publish(self) -> NonNull<V> {
        let p = self.ptr;
        mem::forget(self);
        p
    }

    /// Takes the value back out, unpublished, freeing the slot.
    fn unplace(self) -> NewValue<V> {
        let this = ManuallyDrop::new(self);
        match this.slot {
            Some(i) => {
                // SAFETY: the slot is claimed by us and holds our value, never
                // published; reading it moves the value out.
                let v = unsafe { this.ptr.as_ptr().read() };
                this.entry.release_slot(i);
                NewValue::Unplaced(v)
            }
            // SAFETY: `ptr` came from `Box::into_raw` in `place` and was
            // never published; we still own it.
            None => NewValue::Boxed(unsafe { Box::from_raw(this.ptr.as_ptr()) }),
        }
    }
}

impl<V> Drop for Placed<'_, V> {
    fn drop(&mut self) {
        match self.slot {
            Some(i) => {
                // SAFETY: the slot is claimed by us and holds our value, never
                // published, so no other thread can read it.
                unsafe { ptr::drop_in_place(self.ptr.as_ptr()) };
                // A panic in `V::drop` skips this: the slot stays claimed,
                // which only means later writers box their values.
                self.entry.release_slot(i);
            }
            // SAFETY: as in `unplace`: a box from `place`, never published.
            None => drop(unsafe { Box::from_raw(self.ptr.as_ptr()) }),
        }
    }
}

/// A new value on its way into one entry: placed lazily, on the first
/// attempt to publish it, and kept placed across retries.
struct Staged<'e, V> {
    /// The value while not placed.
    new: Option<NewValue<V>>,
    /// The value once placed.
    placed: Option<Placed<'e, V>>,
}

impl<'e, V> Staged<'e, V> {
    /// Stages `new`, not placed yet.
    fn new(new: NewValue<V>) -> Self {
        Staged {
            new: Some(new),
            placed: None,
        }
    }

    /// The pointer to publish, placing the value into `entry` if needed.
    fn ptr(&mut self, entry: &'e Entry<V>) -> *mut V {
        let placed = match self.placed.take() {
            Some(p) => p,
            None => entry.place(self.new.take().expect("a staged value is new or placed")),
        };
        self.placed.insert(placed).ptr.as_ptr()
    }

    /// The value after a successful publication of [`Staged::ptr`].
    fn publish(self) -> NonNull<V> {
        self.placed
            .expect("a value is placed before it is published")
            .publish()
    }

    /// The value back, unpublished.
    fn into_new(self) -> NewValue<V> {
        match self.placed {
            Some(p) => p.unplace(),
            None => self.new.expect("a staged value is new or placed"),
        }
    }
}

impl<V> Entry<V> {
    /// Whether values of type `V` live in slots (see the module
    /// documentation); otherwise they are boxed.
    const INLINE: bool = mem::size_of::<V>() != 0 && mem::size_of::<V>() <= INLINE_MAX;

    /// The allocation's layout and the offset of slot 0.
    #[inline(always)]
    fn layout() -> (Layout, usize) {
        let slots = if Self::INLINE { SLOTS } else { 0 };
        let (layout, offset) = Layout::new::<Header<V>>()
            .extend(Layout::array::<V>(slots).expect("INLINE_MAX bounds the slots"))
            .expect("INLINE_MAX bounds the entry");
        (layout.pad_to_align(), offset)
    }

    /// A live entry holding `value`, and the published value's pointer.
    /// Go: `newEntry`.
    pub(crate) fn new(value: NewValue<V>) -> (Self, NonNull<V>) {
        let (layout, _) = Self::layout();
        // SAFETY: the layout is never zero-sized: it holds a `Header`.
        let raw = unsafe { alloc(layout) }.cast::<Header<V>>();
        let Some(ptr) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        // SAFETY: `ptr` is a fresh allocation with room and alignment for a
        // `Header` at its start.
        unsafe {
            ptr.as_ptr().write(Header {
                refs_busy: AtomicUsize::new(ONE_REF),
                p: AtomicPtr::new(ptr::null_mut()),
                _owns: PhantomData,
            });
        }
        let entry = Entry {
            ptr,
            _owns: PhantomData,
        };
        let p = entry.place(value).publish();
        // Relaxed: the entry is not shared yet. It reaches other threads
        // through the lock or the read map's Release publication, which
        // carry this store and the value's contents with them.
        entry.header().p.store(p.as_ptr(), Ordering::Relaxed);
        (entry, p)
    }

    /// The header.
    #[inline(always)]
    fn header(&self) -> &Header<V> {
        // SAFETY: we hold a reference, so the allocation is live and its
        // header initialized; the header is only accessed through `&`.
        unsafe { self.ptr.as_ref() }
    }

    /// Slot `i`'s address. Only meaningful when `Self::INLINE`.
    #[inline(always)]
    fn slot(&self, i: usize) -> *mut V {
        debug_assert!(Self::INLINE && i < SLOTS);
        let (_, offset) = Self::layout();
        // `wrapping_add` stays inside the allocation (the layout has room
        // for `SLOTS` values at `offset`) and keeps its provenance.
        self.ptr
            .as_ptr()
            .cast::<u8>()
            .wrapping_add(offset + i * mem::size_of::<V>())
            .cast::<V>()
    }

    /// Which slot `p` is, if it is one of ours.
    #[inline(always)]
    fn slot_index(&self, p: *mut V) -> Option<usize> {
        if !Self::INLINE {
            return None;
        }
        (0..SLOTS).find(|&i| self.slot(i) == p)
    }

    /// Claims a free slot, if `V` is inlined and one is free.
    #[inline]
    fn claim_slot(&self) -> Option<usize> {
        if !Self::INLINE {
            return None;
        }
        let word = &self.header().refs_busy;
        // Relaxed: a first guess; the compare-exchange decides.
        let mut cur = word.load(Ordering::Relaxed);
        loop {
            let free = !cur & BUSY_MASK;
            if free == 0 {
                return None;
            }
            let bit = free & free.wrapping_neg();
            // Acquire on success: pairs with the Release subtraction that
            // cleared the bit (`release_slot` or `Header::reclaim`), so the
            // drop of the slot's previous value happens before we write the
            // new one. The word's read-modify-writes since then (reference
            // counting, the other slot's claims) continue that release
            // sequence, so it holds whichever of them we read. Relaxed on
            // failure: we only retry.
            match word.compare_exchange(cur, cur | bit, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return Some(bit.trailing_zeros() as usize),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Frees slot `i`, claimed by this thread and never published, whose
    /// value the caller has dropped or moved out.
    #[inline]
    fn release_slot(&self, i: usize) {
        // Release: pairs with the Acquire in `claim_slot`, so whatever we
        // did to the slot happens before the next claimer writes it. The
        // word cannot reach zero here: we reached the entry through a map,
        // whose reference it counts.
        let old = self.header().refs_busy.fetch_sub(1 << i, Ordering::Release);
        debug_assert!(old & (1 << i) != 0 && old >= ONE_REF);
    }

    /// Puts `new` where it can be published: a free slot of this entry,
    /// else a box.
    fn place(&self, new: NewValue<V>) -> Placed<'_, V> {
        let (ptr, slot) = match new {
            NewValue::Boxed(b) => (Box::into_raw(b), None),
            NewValue::Unplaced(v) => match self.claim_slot() {
                Some(i) => {
                    let p = self.slot(i);
                    // SAFETY: we claimed slot `i`, so no other thread writes
                    // it, and no reader can reach it: it is not published,
                    // and its previous value was reclaimed after every
                    // guard that could have loaded it was gone.
                    unsafe { p.write(v) };
                    (p, Some(i))
                }
                None => (Box::into_raw(Box::new(v)), None),
            },
        };
        Placed {
            entry: self,
            // SAFETY: a slot address inside our allocation or a box, never
            // null.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
            slot,
        }
    }

    /// Retires a value this thread just took out of `p`.
    ///
    /// # Safety
    ///
    /// `v` was taken out of this entry's `p` by this thread's successful
    /// swap or compare-exchange (so no later load can find it, and nobody
    /// else retires it), while `guard` was held.
    unsafe fn retire_value(&self, v: NonNull<V>, guard: &Guard<'_>) {
        match self.slot_index(v.as_ptr()) {
            Some(i) => {
                // No reference is taken: slot `i`'s bit, which stays set
                // until `Header::reclaim` clears it, keeps the allocation
                // alive even if every map drops the entry first. Header
                // alignment leaves bit 0 free for the slot index.
                let tagged = self
                    .ptr
                    .as_ptr()
                    .cast::<u8>()
                    .wrapping_add(i)
                    .cast::<Header<V>>();
                // SAFETY: the caller took the value out of `p`, so it is
                // unreachable for later loads and retired only here, once;
                // `Header::reclaim` undoes the tag and clears the bit.
                unsafe { guard.retire(tagged) }
            }
            // SAFETY: a value that is not in a slot is a box from `place`;
            // the caller took it out of `p`, so it is unreachable and
            // retired once.
            None => unsafe { guard.retire_box(v.as_ptr()) },
        }
    }

    /// Whether `a` and `b` are the same entry.
    pub(crate) fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.ptr == b.ptr
    }

    /// The value, if live. Go: `entry.load`.
    #[inline]
    pub(crate) fn load(&self, guard: &Guard<'_>) -> Loaded<V> {
        loaded(guard.protect(&self.header().p))
    }

    /// Whether the entry is expunged (for invariant checks; a snapshot).
    pub(crate) fn is_expunged(&self) -> bool {
        self.header().p.load(Ordering::Relaxed) == expunged::<V>()
    }

    /// Whether the entry holds a value (for invariant checks; a snapshot).
    pub(crate) fn is_live(&self) -> bool {
        is_value(self.header().p.load(Ordering::Relaxed))
    }

    /// Stores `new` unless the entry is expunged, returning the previous
    /// state: deleted, or a value already retired under `guard` (readable
    /// until `guard` is dropped). Lock-free. Go: `entry.trySwap` (and
    /// `tryStore`).
    #[inline]
    pub(crate) fn try_swap(
        &self, new: NewValue<V>, guard: &Guard<'_>,
    ) -> Result<Loaded<V>, NewValue<V>> {
        let p_ref = &self.header().p;
        let mut p = guard.protect(p_ref);
        if p == expunged::<V>() {
            return Err(new);
        }
        // Placed once, up front rather than through `Staged`: every store
        // comes this way, and the common case publishes at the first try.
        let placed = self.place(new);
        let target = placed.ptr.as_ptr();
        loop {
            // AcqRel on success: Release publishes our value to readers'
            // Acquire loads; Acquire pairs with the Release that published
            // the value we take out, which we may read and which the
            // reclaimer drops. Acquire on failure: pairs with the same
            // Release for the value we will retry against.
            match p_ref.compare_exchange(p, target, Ordering::AcqRel, Ordering::Acquire) {
                Ok(old) => {
                    placed.publish();
                    let old = loaded(old);
                    if let Some(v) = old {
                        // SAFETY: our compare-exchange took `v` out of `p`
                        // under `guard`.
                        unsafe { self.retire_value(v, guard) };
                    }
                    return Ok(old);
                }
                Err(actual) if actual == expunged::<V>() => return Err(placed.unplace()),
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
        self.header()
            .p
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
    /// the previous state; a previous value is already retired under
    /// `guard`. Go: `entry.swapLocked` (and `storeLocked`).
    pub(crate) fn swap_locked(&self, new: NewValue<V>, guard: &Guard<'_>) -> Loaded<V> {
        let new = self.place(new).publish();
        // AcqRel: Release publishes our value; Acquire pairs with the
        // Release that published the value we take out (we may return it,
        // and the reclaimer drops it).
        let old = self.header().p.swap(new.as_ptr(), Ordering::AcqRel);
        debug_assert!(old != expunged::<V>(), "swap_locked on an expunged entry");
        let old = loaded(old);
        if let Some(v) = old {
            // SAFETY: our swap took `v` out of `p` under `guard`.
            unsafe { self.retire_value(v, guard) };
        }
        old
    }

    /// Returns the value if there is one; otherwise stores `new` if the
    /// entry is not expunged. Go: `entry.tryLoadOrStore`.
    pub(crate) fn try_load_or_store(&self, new: NewValue<V>, guard: &Guard<'_>) -> LoadOrStore<V> {
        let p_ref = &self.header().p;
        let mut p = guard.protect(p_ref);
        let mut new = Staged::new(new);
        loop {
            if p == expunged::<V>() {
                return LoadOrStore::Expunged(new.into_new());
            }
            if let Some(v) = loaded(p) {
                return LoadOrStore::Loaded(v);
            }
            let target = new.ptr(self);
            // Release on success: publishes our value. Acquire on failure:
            // pairs with the Release that published the value we may then
            // return.
            match p_ref.compare_exchange(p, target, Ordering::Release, Ordering::Acquire) {
                Ok(_) => return LoadOrStore::Stored(new.publish()),
                Err(actual) => p = actual,
            }
        }
    }

    /// Deletes the value, returning it (already retired under `guard`).
    /// Go: `entry.delete`.
    pub(crate) fn delete(&self, guard: &Guard<'_>) -> Loaded<V> {
        let p_ref = &self.header().p;
        let mut p = guard.protect(p_ref);
        loop {
            loaded(p)?;
            // Acquire on success: pairs with the Release that published the
            // value we take out (we return it; the reclaimer drops it). No
            // Release: a deleted state publishes no data. Relaxed on
            // failure: we only compare the new state before retrying.
            match p_ref.compare_exchange(p, DELETED.cast(), Ordering::Acquire, Ordering::Relaxed) {
                Ok(old) => {
                    let old = loaded(old);
                    if let Some(v) = old {
                        // SAFETY: our compare-exchange took `v` out of `p`
                        // under `guard`.
                        unsafe { self.retire_value(v, guard) };
                    }
                    return old;
                }
                Err(actual) => p = actual,
            }
        }
    }

    /// Swaps in `new` if the value equals `old`. On success returns the
    /// replaced value (already retired under `guard`); on failure gives
    /// `new` back. Go: `entry.tryCompareAndSwap`.
    pub(crate) fn try_compare_and_swap(
        &self, old: &V, new: NewValue<V>, guard: &Guard<'_>,
    ) -> Result<NonNull<V>, NewValue<V>>
    where
        V: PartialEq,
    {
        let p_ref = &self.header().p;
        let mut p = guard.protect(p_ref);
        let mut new = Staged::new(new);
        loop {
            let Some(cur) = loaded(p) else {
                return Err(new.into_new());
            };
            // SAFETY: `cur` was loaded under `guard` (by `protect` or by the
            // failed compare-exchange below, whose Acquire makes its
            // contents visible); values are retired only through the
            // collector, so it stays readable while `guard` lives.
            if unsafe { cur.as_ref() } != old {
                return Err(new.into_new());
            }
            let target = new.ptr(self);
            // AcqRel on success: Release publishes our value; Acquire pairs
            // with the Release of the value we take out for the reclaimer.
            // Acquire on failure: pairs with the Release that published the
            // value we compare against next.
            match p_ref.compare_exchange(p, target, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    new.publish();
                    // SAFETY: our compare-exchange took `cur` out of `p`
                    // under `guard`.
                    unsafe { self.retire_value(cur, guard) };
                    return Ok(cur);
                }
                Err(actual) => p = actual,
            }
        }
    }

    /// Deletes the value if it equals `old`, returning the removed value
    /// (already retired under `guard`). Go: the loop in
    /// `Map.CompareAndDelete`.
    pub(crate) fn try_compare_and_delete(&self, old: &V, guard: &Guard<'_>) -> Loaded<V>
    where
        V: PartialEq,
    {
        let p_ref = &self.header().p;
        let mut p = guard.protect(p_ref);
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
            match p_ref.compare_exchange(p, DELETED.cast(), Ordering::Acquire, Ordering::Acquire) {
                Ok(_) => {
                    // SAFETY: our compare-exchange took `cur` out of `p`
                    // under `guard`.
                    unsafe { self.retire_value(cur, guard) };
                    return Some(cur);
                }
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
        let p_ref = &self.header().p;
        let mut p = p_ref.load(Ordering::Relaxed);
        while p.is_null() {
            match p_ref.compare_exchange(p, expunged::<V>(), Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(actual) => p = actual,
            }
        }
        p == expunged::<V>()
    }

    /// Expunges the entry whatever its state; returns whether it held a
    /// value (now retired under `guard`). Called under the lock by `clear`
    /// on entries that no map will hold any more, so that a lock-free
    /// writer still holding an old read map is sent to the lock instead of
    /// writing into an orphan.
    pub(crate) fn expunge_orphan(&self, guard: &Guard<'_>) -> bool {
        // Acquire: pairs with the Release that published the value we take
        // out, which the reclaimer drops.
        let old = self.header().p.swap(expunged::<V>(), Ordering::Acquire);
        match loaded(old) {
            Some(v) => {
                // SAFETY: our swap took `v` out of `p` under `guard`.
                unsafe { self.retire_value(v, guard) };
                true
            }
            None => false,
        }
    }

    /// Undoes [`Entry::try_expunge_locked`] while unwinding out of a failed
    /// dirty-map build (the lock is still held).
    pub(crate) fn undo_expunge_locked(&self) {
        self.unexpunge_locked();
    }
}

impl<V> Clone for Entry<V> {
    fn clone(&self) -> Self {
        // Relaxed: as for `Arc`, a new reference is made from an existing
        // one, which keeps the entry alive meanwhile; no data is published.
        self.header()
            .refs_busy
            .fetch_add(ONE_REF, Ordering::Relaxed);
        Entry {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<V> Drop for Entry<V> {
    fn drop(&mut self) {
        let word = &self.header().refs_busy;
        // Relaxed: a first guess; the compare-exchange decides.
        let mut cur = word.load(Ordering::Relaxed);
        // Another reference exists: give up ours. A compare-exchange
        // rather than a subtraction, because the last reference must drop
        // `p`'s value before it gives up its count (see `drop_last`), and
        // a subtraction would give it up before we knew we were last.
        while cur >= 2 * ONE_REF {
            // Release on success: pairs with the Acquire fence taken by
            // the last reference before it drops `p`'s value, and by
            // whoever brings the word to zero before freeing, so every use
            // of the entry through this reference happens before (as in
            // `Arc`). Relaxed on failure: we only retry.
            match word.compare_exchange_weak(
                cur,
                cur - ONE_REF,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        // Ours is the only reference, and no other can be made without
        // one. Acquire: pairs with the Release of every other holder's
        // compare-exchange above, which the word's later read-modify-writes
        // (slot claims and releases) carry in its release sequence up to
        // the value we read.
        fence(Ordering::Acquire);
        // SAFETY: this is the last reference, its count is still in the
        // word, and the fence synchronized us with every other holder.
        unsafe { Self::drop_last(self.ptr) }
    }
}

impl<V> Entry<V> {
    /// Drops the value `p` holds and gives up the last reference, freeing
    /// the allocation unless a retired slot still awaits its reclaimer
    /// (which then frees it).
    ///
    /// # Safety
    ///
    /// - The last reference to the entry is being given up, and its count
    ///   is still in `refs_busy`.
    /// - The caller synchronized with every other holder's last use.
    unsafe fn drop_last(ptr: NonNull<Header<V>>) {
        // No thread can be reading the value any more: every map that held
        // the entry has been freed — a read map (and a dirty map dropped by
        // `clear`) by the collector, after every guard that could have
        // reached the entry through it; a dirty map by the map's own drop or
        // under the lock, when no load can find the entry through it. Slots
        // other than `p`'s are free, or retired and left to their
        // reclaimers: a claimed, unpublished slot belongs to an operation
        // that holds a reference through a map.
        let entry = ManuallyDrop::new(Entry {
            ptr,
            _owns: PhantomData,
        });
        // Relaxed: the caller's Acquire synchronized us with every writer
        // of `p`.
        let p = entry.header().p.load(Ordering::Relaxed);
        let mut give_up = ONE_REF;
        if is_value(p) {
            match entry.slot_index(p) {
                Some(i) => {
                    // SAFETY: the published value in slot `i` is owned by
                    // the entry, and per the above nobody reads it. Our
                    // count keeps the allocation alive meanwhile.
                    unsafe { ptr::drop_in_place(p) };
                    give_up += 1 << i;
                }
                // SAFETY: a published value outside the slots is a box owned
                // by the entry, and nobody reads it.
                None => drop(unsafe { Box::from_raw(p) }),
            }
        }
        // Our count and `p`'s slot bit in one subtraction, so that the word
        // never shows no reference while `p`'s value still awaits its drop.
        // Release: pairs with the Acquire fence of the reclaimer that
        // brings the word to zero, if one does, so our read of `p` and the
        // drop of its value happen before the allocation is freed.
        if entry
            .header()
            .refs_busy
            .fetch_sub(give_up, Ordering::Release)
            == give_up
        {
            // Acquire: pairs with the Release subtractions of the
            // reclaimers that ran before us.
            fence(Ordering::Acquire);
            // SAFETY: we brought the word to zero: no reference is left and
            // no slot awaits reclamation, and the fence synchronized us with
            // every earlier holder and reclaimer.
            unsafe { Self::free_allocation(ptr) }
        }
    }

    /// Frees the allocation, whose values are all dropped.
    ///
    /// # Safety
    ///
    /// The caller brought `refs_busy` to zero with a Release subtraction and
    /// then took an Acquire fence: nothing will touch the allocation again,
    /// and every value in it has been dropped.
    unsafe fn free_allocation(ptr: NonNull<Header<V>>) {
        let (layout, _) = Self::layout();
        // SAFETY: the header is initialized and ours alone; after dropping
        // it we free the allocation `new` made with the same layout.
        unsafe {
            ptr::drop_in_place(ptr.as_ptr());
            dealloc(ptr.as_ptr().cast::<u8>(), layout);
        }
    }
}

impl<V> Reclaim for Header<V> {
    /// Reclaims a retired slot: `tagged` is the entry's address with the
    /// slot index in bit 0, given by `Entry::retire_value`. The slot's bit,
    /// still set, keeps the allocation alive until we clear it.
    unsafe fn reclaim(tagged: *mut Self) {
        let i = tagged as usize & 1;
        let raw = tagged.cast::<u8>().wrapping_sub(i).cast::<Self>();
        // SAFETY: `raw` is the untagged entry address `retire_value` took
        // from a live `Entry`, never null.
        let ptr = unsafe { NonNull::new_unchecked(raw) };
        // Not a counted reference: never dropped, only used to reach the
        // slot and the word.
        let entry = ManuallyDrop::new(Entry {
            ptr,
            _owns: PhantomData,
        });
        // SAFETY: the value in slot `i` was taken out of `p` and retired
        // once; the collector calls this after every guard that could have
        // loaded it is gone, so we drop it alone. The allocation is alive:
        // the slot's bit is set until we clear it below.
        unsafe { ptr::drop_in_place(entry.slot(i)) };
        let bit = 1 << i;
        // Release: pairs with the Acquire in `claim_slot`, so the drop
        // happens before the next claimer writes the slot, and with the
        // Acquire fence of whoever brings the word to zero, so it happens
        // before the allocation is freed. After this we touch the
        // allocation only if we are the one who freed it.
        if entry.header().refs_busy.fetch_sub(bit, Ordering::Release) == bit {
            // Acquire: pairs with the Release subtractions of the last
            // reference and of the other reclaimers.
            fence(Ordering::Acquire);
            // SAFETY: we brought the word to zero: the last reference is
            // gone (it dropped `p`'s value) and no other slot awaits
            // reclamation; the fence synchronized us with all of them.
            unsafe { Entry::<V>::free_allocation(ptr) }
        }
    }
}
