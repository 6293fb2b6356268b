//! The engine: Go's `hmap` and its buckets in raw memory.
//!
//! Everything `unsafe` in the map lives under this module. The safe layers
//! above (`map`, `entry`, `iter`) hold a [`RawTable`] and call its safe
//! methods; the few handles they keep across calls ([`RawOccupied`],
//! [`RawVacant`], [`RawIter`]) borrow the table, so the borrow checker keeps
//! them valid.
//!
//! Hashing is the caller's business: operations take the key's 64-bit hash
//! and, where a growth step may need to rehash other keys, a `hasher`
//! closure. The seed lives here (`hash0`) because Go keeps it in the header,
//! but drawing a new one is the caller's job too.

mod alloc;
mod check;
mod clone;
mod grow;
mod guard;
mod iter;
mod range;
mod shape;
mod std_api;
mod view;

use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

pub(crate) use alloc::MAX_ALLOC;
use alloc::{AllocFailure, BucketArray, OverflowSlab, Retired};
pub(crate) use iter::{RawDrain, RawIntoIter, RawIterMut, RawIterRef};
pub(crate) use range::RangeState;
use range::TieRegistry;
use shape::*;
pub(crate) use std_api::RawExtract;

use crate::events::{Event, Observer, OverflowSource, ReseedCause};
use crate::layout::Header;

/// Buckets an array for `2^b` buckets of `bucket_size` bytes allocates
/// (main buckets plus the preallocated pool), by Go's `makeBucketArray` rule.
pub(crate) fn array_len_for(b: u8, bucket_size: usize) -> usize {
    alloc::array_len(b, bucket_size).unwrap_or(0)
}

/// Flag bit: the growth in progress keeps the bucket count. Go: `sameSizeGrow`.
pub(crate) const SAME_SIZE_GROW: u8 = 8;

/// Why a bucket array could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CapacityError {
    pub(crate) b: u8,
    pub(crate) bytes: Option<usize>,
}

/// Go's `hmap` for keys `K` and values `V`.
pub(crate) struct RawTable<K, V> {
    /// Live entries. Go: `count`.
    count: usize,
    /// Flag bits; only [`SAME_SIZE_GROW`] is used. Go: `flags`.
    flags: u8,
    /// log2 of the number of main buckets. Go: `B`.
    b: u8,
    /// Overflow buckets taken since the last growth or clear (sampled from
    /// `B = 16`). Go: `noverflow`.
    noverflow: u16,
    /// The hash seed. Go: `hash0`.
    hash0: u32,
    /// The current array; `None` until a `B = 0` map's first insert.
    /// Go: `buckets`.
    buckets: Option<BucketArray>,
    /// The array being evacuated; `Some` exactly while growing.
    /// Go: `oldbuckets`.
    oldbuckets: Option<BucketArray>,
    /// Old buckets below this index are evacuated. Go: `nevacuate`.
    nevacuate: usize,
    /// Allocation index of the next free pool bucket of `buckets`.
    /// Go: `extra.nextOverflow`.
    next_overflow: Option<usize>,
    /// Test-only tuning: load factor 1 and no evacuation at `nevacuate`.
    stress: bool,
    /// The largest count `2^b` buckets hold without being over the load
    /// factor, and the `noverflow` that counts as too many overflow
    /// buckets: `over_load_factor` and `too_many_overflow_buckets` for the
    /// current `b` and `stress`, worked out when either changes so that an
    /// insert tests them with two compares. Not part of Go's header.
    load_limit: usize,
    overflow_limit: u16,
    /// `2^B - 1`, worked out when `B` changes (every lookup and write masks
    /// its hash with it). Not part of Go's header.
    mask: usize,
    /// Writes that did growth work since the growth in progress started.
    grow_writes: usize,
    /// Seeds installed since the table was made: a range cursor ends when
    /// the map was emptied and reseeded under it.
    epoch: u32,
    /// Range cursors standing inside runs of equal hashes, which evacuation
    /// must carry to the new chains (not part of Go's map state; see
    /// `range`). Empty unless distinct keys share a 64-bit hash.
    ties: TieRegistry,
    /// Receives events; `None` costs one branch at each event site.
    observer: Option<Box<dyn Observer>>,
    /// The memory of the last finished growth's old array, when it was
    /// mapped: cleared for the array pool or unmapped, a chunk per write
    /// (not part of Go's map state; Go
    /// leaves the old array to its garbage collector).
    retired: Option<Retired>,
    /// The table owns `K`s and `V`s.
    _marker: PhantomData<(K, V)>,
}

// SAFETY: the table owns its keys and values like a `Vec<(K, V)>`; its raw
// pointers are never shared with anything outside it.
unsafe impl<K: Send, V: Send> Send for RawTable<K, V> {}
// SAFETY: `&RawTable` only hands out `&K` and `&V`.
unsafe impl<K: Sync, V: Sync> Sync for RawTable<K, V> {}

/// A bucket pointer: the address of a bucket's tophash bytes.
pub(crate) type Bucket = NonNull<u8>;

// ----------------------------------------------------------------------
// SWAR over a bucket's 8 tophash bytes, read as one little-endian `u64`
// (byte `i` is slot `i`). Each mask has the high bit of byte `i` set when
// slot `i` qualifies; the lowest set bit is the first slot.
// ----------------------------------------------------------------------

const LSB: u64 = 0x0101_0101_0101_0101;
const MSB: u64 = 0x8080_8080_8080_8080;

/// Bytes of `x` that are zero. Exact: no carries cross bytes.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !((x & !MSB).wrapping_add(!MSB) | x) & MSB
}

/// Slots whose tophash is `top`.
#[inline(always)]
fn match_top(tops: u64, top: u8) -> u64 {
    zero_bytes(tops ^ (LSB * top as u64))
}

/// Slots that are empty (emptyRest or emptyOne). Go: `isEmpty`.
#[inline(always)]
fn empty_slots(tops: u64) -> u64 {
    zero_bytes(tops & !LSB)
}

/// Slots marked emptyRest. By the emptyRest rule, every later slot of the
/// chain is empty too, so a scan may stop at the first one.
#[inline(always)]
fn rest_slots(tops: u64) -> u64 {
    zero_bytes(tops)
}

/// Slots that hold an entry (tophash >= MIN_TOP_HASH).
#[inline(always)]
fn full_slots(tops: u64) -> u64 {
    // Below 0x80, adding 0x80 - MIN_TOP_HASH sets the high bit exactly from
    // MIN_TOP_HASH up (no carry leaves the byte); from 0x80 the byte's own
    // high bit is set.
    ((tops & !MSB).wrapping_add(LSB * (0x80 - MIN_TOP_HASH) as u64) | tops) & MSB
}

/// Slot index of a mask's lowest set bit.
#[inline(always)]
fn first_slot(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// A full slot found by a lookup: bucket, slot index and the chain's main
/// bucket (needed to walk back over emptyOne marks on delete).
#[derive(Clone, Copy)]
struct Slot {
    bucket: Bucket,
    index: usize,
    head: Bucket,
}

/// Where a new key would go if no growth intervenes: the first empty slot of
/// the chain, or, when there is none, the chain's last bucket to link an
/// overflow bucket to.
#[derive(Clone, Copy)]
enum Vacancy {
    Slot(Bucket, usize),
    AfterLast(Bucket),
}

/// The result of the write-side lookup (Go's `mapassign` up to its scan).
enum Probe {
    Found(Slot),
    Vacant(VacantPos),
}

/// An insert position, valid until the table is next mutated.
struct VacantPos {
    hash: u64,
    vacancy: Vacancy,
}

/// A write-side lookup's result, borrowing the table until it is used.
pub(crate) enum RawEntry<'a, K, V> {
    Occupied(RawOccupied<'a, K, V>),
    Vacant(RawVacant<'a, K, V>),
}

/// A full slot, held with the table's unique borrow so it stays valid.
pub(crate) struct RawOccupied<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    slot: Slot,
}

impl<'a, K, V> RawOccupied<'a, K, V> {
    pub(crate) fn key(&self) -> &K {
        self.table.slot_ref(self.slot).0
    }

    pub(crate) fn get(&self) -> &V {
        self.table.slot_ref(self.slot).1
    }

    pub(crate) fn get_mut(&mut self) -> &mut V {
        self.table.slot_mut(self.slot).1
    }

    pub(crate) fn into_mut(self) -> &'a mut V {
        self.table.slot_mut(self.slot).1
    }

    /// Deletes the entry (Go's delete bookkeeping, no further growth work;
    /// the lookup that made this entry already did it). `reseed` gives the
    /// new seed if this empties the map.
    pub(crate) fn remove(self, reseed: impl FnOnce() -> u32) -> (K, V) {
        let kv = self.table.take_slot(self.slot);
        if self.table.count == 0 {
            self.table.reseed(reseed(), ReseedCause::DeleteToEmpty);
        }
        kv
    }
}

/// Where an absent key will go, held with the table's unique borrow.
pub(crate) struct RawVacant<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    pos: VacantPos,
}

impl<'a, K, V> RawVacant<'a, K, V> {
    /// Inserts the entry (starting a growth first when Go would).
    pub(crate) fn insert(
        self,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError> {
        let (b, i) = self.table.insert_vacant(self.pos, key, val, &hasher)?;
        // SAFETY: `insert_vacant` just wrote an entry into this slot, and the
        // unique borrow of the table makes `&mut V` exclusive.
        Ok(unsafe { Self::entry_refs(b, i) })
    }

    /// # Safety
    /// Slot `i` of the live bucket `b` is full.
    #[inline(always)]
    unsafe fn entry_refs(b: Bucket, i: usize) -> (&'a K, &'a mut V) {
        // SAFETY: per the caller.
        unsafe {
            (
                &*RawTable::<K, V>::key_ptr(b, i),
                &mut *RawTable::<K, V>::val_ptr(b, i),
            )
        }
    }
}

impl<K, V> RawTable<K, V> {
    pub(crate) const BUCKET_SIZE: usize = Shape::<K, V>::SIZE;
    const ALIGN: usize = Shape::<K, V>::ALIGN;

    // ------------------------------------------------------------------
    // Bucket accessors. Every `b: Bucket` below points to a live bucket of
    // this table's shape: a main or pool bucket of one of its arrays, or a
    // heap overflow bucket linked from one.
    // ------------------------------------------------------------------

    /// # Safety
    /// `b` is a live bucket of this table; `i < 8`.
    #[inline(always)]
    unsafe fn top(b: Bucket, i: usize) -> u8 {
        debug_assert!(i < BUCKET_CNT);
        // SAFETY: tophash bytes are the first 8 bytes of a live bucket.
        unsafe { *b.as_ptr().add(i) }
    }

    /// # Safety
    /// `b` is a live bucket of this table; `i < 8`.
    #[inline(always)]
    unsafe fn set_top(b: Bucket, i: usize, top: u8) {
        debug_assert!(i < BUCKET_CNT);
        // SAFETY: as in `top`; the table is borrowed mutably by every caller.
        unsafe { *b.as_ptr().add(i) = top }
    }

    /// # Safety
    /// `b` is a live bucket of this table.
    #[inline(always)]
    unsafe fn tops(b: Bucket) -> [u8; 8] {
        // SAFETY: the first 8 bytes of a live bucket are its tophash array.
        unsafe { ptr::read(b.as_ptr() as *const [u8; 8]) }
    }

    /// The tophash bytes as one little-endian word (byte `i` is slot `i`).
    ///
    /// # Safety
    /// `b` is a live bucket of this table.
    #[inline(always)]
    unsafe fn tops_word(b: Bucket) -> u64 {
        // SAFETY: the first 8 bytes of a live bucket are its tophash array;
        // buckets are pointer-aligned, so the read is aligned too.
        u64::from_le_bytes(unsafe { Self::tops(b) })
    }

    /// Writes all 8 tophash bytes from one little-endian word.
    ///
    /// # Safety
    /// `b` is a live bucket of this table.
    #[inline(always)]
    unsafe fn set_tops_word(b: Bucket, tops: u64) {
        // SAFETY: the first 8 bytes of a live bucket are its tophash array;
        // the table is borrowed mutably by every caller.
        unsafe { ptr::write(b.as_ptr() as *mut [u8; 8], tops.to_le_bytes()) }
    }

    /// # Safety
    /// `b` is a live bucket of this table.
    #[inline(always)]
    unsafe fn overflow(b: Bucket) -> Option<Bucket> {
        // SAFETY: the overflow pointer is the pointer-aligned word at
        // `OVF_OFF` of a live bucket; buckets are at least pointer-aligned.
        unsafe { NonNull::new(*(b.as_ptr().add(Shape::<K, V>::OVF_OFF) as *const *mut u8)) }
    }

    /// # Safety
    /// `b` is a live bucket of this table; `ovf` is null or a live bucket.
    #[inline(always)]
    unsafe fn set_overflow(b: Bucket, ovf: Option<Bucket>) {
        let p = ovf.map_or(ptr::null_mut(), |p| p.as_ptr());
        // SAFETY: see `overflow`.
        unsafe { *(b.as_ptr().add(Shape::<K, V>::OVF_OFF) as *mut *mut u8) = p }
    }

    /// Pointer to the key in slot `i` (through the box for indirect keys).
    ///
    /// # Safety
    /// `b` is a live bucket; `i < 8`; for indirect keys, the slot is full.
    #[inline(always)]
    unsafe fn key_ptr(b: Bucket, i: usize) -> *mut K {
        // SAFETY: the slot lies inside the bucket; slots are aligned for
        // their type by the shape's offsets.
        unsafe {
            let slot = b.as_ptr().add(Shape::<K, V>::key_off(i));
            if Shape::<K, V>::INDIRECT_KEY {
                *(slot as *mut *mut K)
            } else {
                slot as *mut K
            }
        }
    }

    /// Pointer to the value in slot `i` (through the box for indirect values).
    ///
    /// # Safety
    /// As for [`Self::key_ptr`].
    #[inline(always)]
    unsafe fn val_ptr(b: Bucket, i: usize) -> *mut V {
        // SAFETY: as in `key_ptr`.
        unsafe {
            let slot = b.as_ptr().add(Shape::<K, V>::val_off(i));
            if Shape::<K, V>::INDIRECT_VAL {
                *(slot as *mut *mut V)
            } else {
                slot as *mut V
            }
        }
    }

    /// Writes an entry into an empty slot (boxing indirect keys/values).
    ///
    /// # Safety
    /// `b` is a live bucket; `i < 8`; the slot holds no entry.
    #[inline(always)]
    unsafe fn write_entry(b: Bucket, i: usize, key: K, val: V) {
        // SAFETY: the slot is inside the bucket, aligned and empty.
        unsafe {
            let ks = b.as_ptr().add(Shape::<K, V>::key_off(i));
            let vs = b.as_ptr().add(Shape::<K, V>::val_off(i));
            if Shape::<K, V>::INDIRECT_KEY {
                (ks as *mut *mut K).write(Box::into_raw(Box::new(key)));
            } else {
                (ks as *mut K).write(key);
            }
            if Shape::<K, V>::INDIRECT_VAL {
                (vs as *mut *mut V).write(Box::into_raw(Box::new(val)));
            } else {
                (vs as *mut V).write(val);
            }
        }
    }

    /// Moves the entry out of a full slot, leaving the slot logically empty
    /// (its tophash is the caller's to update).
    ///
    /// # Safety
    /// `b` is a live bucket; `i < 8`; the slot is full and is not read again
    /// as full.
    #[inline(always)]
    unsafe fn read_entry(b: Bucket, i: usize) -> (K, V) {
        // SAFETY: the slot holds an initialized entry that we take ownership
        // of; indirect slots hold pointers from `Box::into_raw`.
        unsafe {
            let ks = b.as_ptr().add(Shape::<K, V>::key_off(i));
            let vs = b.as_ptr().add(Shape::<K, V>::val_off(i));
            let k = if Shape::<K, V>::INDIRECT_KEY {
                *Box::from_raw(*(ks as *mut *mut K))
            } else {
                (ks as *mut K).read()
            };
            let v = if Shape::<K, V>::INDIRECT_VAL {
                *Box::from_raw(*(vs as *mut *mut V))
            } else {
                (vs as *mut V).read()
            };
            (k, v)
        }
    }

    /// Moves the raw slot contents (the entry, or the box pointers of an
    /// indirect entry) from one slot to another. Go's evacuation copy.
    ///
    /// # Safety
    /// Both buckets are live; the source slot is full, the destination empty;
    /// afterwards the source is treated as empty.
    #[inline(always)]
    unsafe fn move_slot(src: Bucket, si: usize, dst: Bucket, di: usize) {
        // SAFETY: both slots are inside their buckets and do not overlap
        // (distinct buckets or distinct indices); slot sizes are the shape's.
        unsafe {
            let (ko, vo) = (Shape::<K, V>::KEY_OFF, Shape::<K, V>::VAL_OFF);
            let ksz = Shape::<K, V>::key_off(1) - ko;
            let vsz = Shape::<K, V>::val_off(1) - vo;
            ptr::copy_nonoverlapping(
                src.as_ptr().add(ko + si * ksz),
                dst.as_ptr().add(ko + di * ksz),
                ksz,
            );
            ptr::copy_nonoverlapping(
                src.as_ptr().add(vo + si * vsz),
                dst.as_ptr().add(vo + di * vsz),
                vsz,
            );
        }
    }

    /// Drops the entry in a full slot in place.
    ///
    /// # Safety
    /// As for [`Self::read_entry`].
    #[inline]
    unsafe fn drop_entry(b: Bucket, i: usize) {
        if mem::needs_drop::<K>()
            || mem::needs_drop::<V>()
            || Shape::<K, V>::INDIRECT_KEY
            || Shape::<K, V>::INDIRECT_VAL
        {
            // SAFETY: forwarded from the caller.
            drop(unsafe { Self::read_entry(b, i) });
        }
    }

    // ------------------------------------------------------------------
    // Construction.
    // ------------------------------------------------------------------

    /// Go's `makemap`: picks `B` for `hint` and allocates the array when
    /// `B > 0`. A hint whose buckets could never be allocated is ignored.
    pub(crate) fn with_hint(hint: usize, hash0: u32) -> Result<Self, CapacityError> {
        let hint = match hint.checked_mul(Self::BUCKET_SIZE) {
            Some(bytes) if bytes <= MAX_ALLOC => hint,
            _ => 0,
        };
        let mut b = 0u8;
        while over_load_factor(hint, b, false) {
            b += 1;
        }
        let mut t = RawTable::empty(hash0);
        t.set_b(b);
        if b > 0 {
            let arr = Self::new_array(b)?;
            t.next_overflow = arr.has_pool().then(|| arr.base());
            t.buckets = Some(arr);
        }
        Ok(t)
    }

    /// A table with `B = 0` and no array.
    pub(crate) const fn empty(hash0: u32) -> Self {
        RawTable {
            count: 0,
            flags: 0,
            b: 0,
            noverflow: 0,
            hash0,
            buckets: None,
            oldbuckets: None,
            nevacuate: 0,
            next_overflow: None,
            stress: false,
            // `b = 0`: over the load factor above one full bucket; one
            // overflow bucket is too many.
            load_limit: BUCKET_CNT,
            overflow_limit: 1,
            mask: 0,
            grow_writes: 0,
            epoch: 0,
            ties: TieRegistry::new(),
            observer: None,
            retired: None,
            _marker: PhantomData,
        }
    }

    fn new_array(b: u8) -> Result<BucketArray, CapacityError> {
        BucketArray::new(b, Self::BUCKET_SIZE, Self::ALIGN)
            .map_err(|AllocFailure { bytes }| CapacityError { b, bytes })
    }

    pub(crate) fn set_stress(&mut self, on: bool) {
        self.stress = on;
        self.set_b(self.b);
    }

    /// Sets `B` and the growth limits that follow from it.
    #[inline]
    pub(crate) fn set_b(&mut self, b: u8) {
        self.b = b;
        self.mask = (1usize << b) - 1;
        self.load_limit = load_limit(b, self.stress);
        self.overflow_limit = 1u16 << b.min(15);
    }

    pub(crate) fn set_observer(&mut self, observer: Option<Box<dyn Observer>>) {
        self.observer = observer;
    }

    pub(crate) fn take_observer(&mut self) -> Option<Box<dyn Observer>> {
        self.observer.take()
    }

    /// Delivers an event if an observer is attached; `make` only runs then.
    #[inline(always)]
    pub(crate) fn emit(&mut self, make: impl FnOnce() -> Event) {
        if let Some(o) = &mut self.observer {
            o.on_event(&make());
        }
    }

    /// Installs a new seed and reports it. Every range cursor ends, so the
    /// runs they were inside are forgotten.
    pub(crate) fn reseed(&mut self, seed: u32, cause: ReseedCause) {
        self.hash0 = seed;
        self.epoch = self.epoch.wrapping_add(1);
        if !self.ties.is_empty() {
            self.ties.clear();
        }
        self.emit(|| Event::Reseed { cause, hash0: seed });
    }

    // ------------------------------------------------------------------
    // Header.
    // ------------------------------------------------------------------

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    #[inline(always)]
    pub(crate) fn hash0(&self) -> u32 {
        self.hash0
    }

    pub(crate) fn b(&self) -> u8 {
        self.b
    }

    #[inline(always)]
    fn growing(&self) -> bool {
        self.oldbuckets.is_some()
    }

    #[inline(always)]
    fn same_size_grow(&self) -> bool {
        self.flags & SAME_SIZE_GROW != 0
    }

    pub(crate) fn header(&self) -> Header {
        Header {
            count: self.count,
            flags: self.flags,
            b: self.b,
            noverflow: self.noverflow,
            hash0: self.hash0,
            nevacuate: self.nevacuate,
            growing: self.growing(),
        }
    }

    #[inline(always)]
    fn bucket_mask(&self) -> usize {
        self.mask
    }

    // ------------------------------------------------------------------
    // Lookup. Go: mapaccess1 / mapaccess2 / mapaccessK.
    // ------------------------------------------------------------------

    /// The chain a lookup reads: the current bucket, or, during a growth,
    /// the old bucket when it has not been evacuated yet.
    #[inline(always)]
    fn read_bucket(&self, hash: u64) -> Option<Bucket> {
        let arr = self.buckets.as_ref()?;
        let mut idx = hash as usize & self.bucket_mask();
        // SAFETY: `idx < 2^B <= arr.len`.
        let mut b = unsafe { arr.bucket(idx, Self::BUCKET_SIZE) };
        if let Some(old) = &self.oldbuckets {
            if !self.same_size_grow() {
                idx &= old.base() - 1;
            }
            // SAFETY: `idx` is masked to the old array's bucket count.
            let ob = unsafe { old.bucket(idx, Self::BUCKET_SIZE) };
            // SAFETY: `ob` is a live main bucket of the old array.
            if !is_evacuated_mark(unsafe { Self::top(ob, 0) }) {
                b = ob;
            }
        }
        Some(b)
    }

    /// The entry whose key equals the probe.
    #[inline(always)]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        let s = self.find(hash, eq)?;
        Some(self.slot_ref(s))
    }

    /// The entry whose key equals the probe, with its value mutable.
    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let s = self.find(hash, eq)?;
        Some(self.slot_mut(s))
    }

    /// Finds the slot holding a key equal to the probe.
    #[inline(always)]
    fn find(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<Slot> {
        if self.count == 0 {
            return None;
        }
        let head = self.read_bucket(hash)?;
        let top = top_hash(hash);
        let mut b = head;
        loop {
            // Go's loop compares slot by slot and stops at the first
            // emptyRest; the masks visit the same candidates in the same
            // order (no full slot follows an emptyRest in a chain).
            // SAFETY: `b` is a live bucket of this table's chain.
            let tops = unsafe { Self::tops_word(b) };
            let mut m = match_top(tops, top);
            while m != 0 {
                let i = first_slot(m);
                // SAFETY: a slot whose tophash is >= MIN_TOP_HASH is full.
                if eq(unsafe { &*Self::key_ptr(b, i) }) {
                    return Some(Slot {
                        bucket: b,
                        index: i,
                        head,
                    });
                }
                m &= m - 1;
            }
            if rest_slots(tops) != 0 {
                return None;
            }
            // SAFETY: `b` is live; its overflow link is null or live.
            b = unsafe { Self::overflow(b) }?;
        }
    }

    /// The entry in a slot found under the current borrow.
    #[inline(always)]
    fn slot_ref(&self, s: Slot) -> (&K, &V) {
        // SAFETY: `Slot`s come from `find`/`probe` on this table and the
        // shared borrow proves no mutation happened since.
        unsafe {
            (
                &*Self::key_ptr(s.bucket, s.index),
                &*Self::val_ptr(s.bucket, s.index),
            )
        }
    }

    /// The entry in a slot found under the current borrow, mutably.
    #[inline(always)]
    fn slot_mut(&mut self, s: Slot) -> (&K, &mut V) {
        // SAFETY: as in `slot_ref`; the unique borrow makes `&mut V` exclusive.
        unsafe {
            (
                &*Self::key_ptr(s.bucket, s.index),
                &mut *Self::val_ptr(s.bucket, s.index),
            )
        }
    }

    // ------------------------------------------------------------------
    // Insert. Go: mapassign.
    // ------------------------------------------------------------------

    /// Whether a write has work to do before its lookup: allocate a `B = 0`
    /// map's first bucket, release a chunk of a retired array, or evacuate.
    #[inline(always)]
    fn write_needs_prep(&self) -> bool {
        self.buckets.is_none() | self.retired.is_some() | self.oldbuckets.is_some()
    }

    /// The work a write does before its lookup (see `write_needs_prep`):
    /// Go's `if h.buckets == nil { .. }` and `if h.growing() { growWork(..) }`
    /// at the top of `mapassign` and `mapdelete`.
    ///
    /// `hasher` rehashes other keys during evacuation; if it panics, no entry
    /// has moved (see `grow::evacuate`).
    #[inline(never)]
    fn prepare_write(
        &mut self,
        hash: u64,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError> {
        if self.buckets.is_none() {
            self.buckets = Some(Self::new_array(0)?);
        }
        if self.retired.is_some() {
            self.release_step();
        }
        if self.growing() {
            let bucket = hash as usize & self.bucket_mask();
            self.grow_work(bucket, hasher);
        }
        Ok(())
    }

    /// Inserts `key` or overwrites its value, returning the old value (the
    /// stored key is kept). Go: `mapassign` and the store after it. Does
    /// this write's growth work first, as [`Self::entry`] does.
    #[inline]
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<Option<V>, CapacityError>
    where
        K: Eq,
    {
        match self.probe(hash, |k| *k == key, &hasher)? {
            Probe::Found(s) => Ok(Some(mem::replace(self.slot_mut(s).1, val))),
            Probe::Vacant(pos) => {
                self.insert_vacant(pos, key, val, &hasher)?;
                Ok(None)
            }
        }
    }

    /// The write-side lookup: allocates the first bucket of a `B = 0` map,
    /// does this write's share of growth work, then scans the chain for the
    /// key, remembering the first empty slot.
    ///
    /// `hasher` rehashes other keys during evacuation; if it panics, no entry
    /// has moved (see `grow::evacuate`).
    pub(crate) fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<'_, K, V>, CapacityError> {
        Ok(match self.probe(hash, eq, &hasher)? {
            Probe::Found(slot) => RawEntry::Occupied(RawOccupied { table: self, slot }),
            Probe::Vacant(pos) => RawEntry::Vacant(RawVacant { table: self, pos }),
        })
    }

    #[inline(always)]
    fn probe(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<Probe, CapacityError> {
        if self.write_needs_prep() {
            self.prepare_write(hash, hasher)?;
        }
        let head = self.main_bucket(hash as usize & self.bucket_mask());
        let top = top_hash(hash);
        let mut b = head;
        let mut vacancy = None;
        loop {
            // Same scan as Go's mapassign: key candidates in slot order, the
            // first empty slot remembered, stop at the first emptyRest.
            // SAFETY: `b` is a live bucket of the chain.
            let tops = unsafe { Self::tops_word(b) };
            let mut m = match_top(tops, top);
            while m != 0 {
                let i = first_slot(m);
                // SAFETY: the slot is full.
                if eq(unsafe { &*Self::key_ptr(b, i) }) {
                    return Ok(Probe::Found(Slot {
                        bucket: b,
                        index: i,
                        head,
                    }));
                }
                m &= m - 1;
            }
            if vacancy.is_none() {
                let e = empty_slots(tops);
                if e != 0 {
                    vacancy = Some(Vacancy::Slot(b, first_slot(e)));
                }
            }
            if rest_slots(tops) != 0 {
                return Ok(Probe::Vacant(VacantPos {
                    hash,
                    vacancy: vacancy.expect("an emptyRest slot is empty"),
                }));
            }
            // SAFETY: `b` is live.
            match unsafe { Self::overflow(b) } {
                Some(next) => b = next,
                None => {
                    return Ok(Probe::Vacant(VacantPos {
                        hash,
                        vacancy: vacancy.unwrap_or(Vacancy::AfterLast(b)),
                    }))
                }
            }
        }
    }

    /// Releases (clears for the pool, or unmaps) the next chunk of the
    /// retired old array.
    #[cold]
    #[inline(never)]
    fn release_step(&mut self) {
        if let Some(r) = &mut self.retired {
            if r.step() {
                self.retired = None;
            }
        }
    }

    /// Main bucket `i` of the current array.
    #[inline(always)]
    fn main_bucket(&self, i: usize) -> Bucket {
        let arr = self.buckets.as_ref().expect("array allocated");
        debug_assert!(i < arr.base());
        // SAFETY: `i < 2^B <= arr.len`.
        unsafe { arr.bucket(i, Self::BUCKET_SIZE) }
    }

    /// Whether inserting a new key must start a growth first: the map is
    /// not growing and would go over load factor 6.5, or has too many
    /// overflow buckets. Go: the test before `hashGrow` in `mapassign`.
    #[inline(always)]
    fn must_grow_to_insert(&self) -> bool {
        // `over_load_factor(count + 1, ..)` and `too_many_overflow_buckets`,
        // through the limits `set_b` keeps.
        !self.growing()
            & ((self.count >= self.load_limit) | (self.noverflow >= self.overflow_limit))
    }

    /// Inserts a key known to be absent at the position [`Self::probe`]
    /// returned, starting a growth first when Go would. Returns the slot.
    ///
    /// If a growth starts, its first evacuation may call `hasher`; should that
    /// panic, the growth has started but nothing else changed, and `key` and
    /// `val` are dropped.
    #[inline(always)]
    fn insert_vacant(
        &mut self,
        pos: VacantPos,
        key: K,
        val: V,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<(Bucket, usize), CapacityError> {
        if self.must_grow_to_insert() {
            return self.grow_and_insert(pos.hash, key, val, hasher);
        }
        Ok(self.place(pos.hash, pos.vacancy, key, val))
    }

    /// Starts a growth, does the inserting write's growth work, then inserts
    /// into the chain the key now belongs to. Go: `hashGrow(); goto again`.
    #[cold]
    #[inline(never)]
    fn grow_and_insert(
        &mut self,
        hash: u64,
        key: K,
        val: V,
        hasher: &impl Fn(&K) -> u64,
    ) -> Result<(Bucket, usize), CapacityError> {
        self.hash_grow()?;
        let bucket = hash as usize & self.bucket_mask();
        self.grow_work(bucket, hasher);
        let vacancy = self.first_vacancy(bucket);
        Ok(self.place(hash, vacancy, key, val))
    }

    /// Writes a new entry at `vacancy` (linking an overflow bucket when the
    /// chain is full) and counts it.
    #[inline(always)]
    fn place(&mut self, hash: u64, vacancy: Vacancy, key: K, val: V) -> (Bucket, usize) {
        let (b, i) = match vacancy {
            Vacancy::Slot(b, i) => {
                if self.observer.is_some() {
                    self.note_slot_reuse(hash, b, i);
                }
                (b, i)
            }
            Vacancy::AfterLast(last) => {
                let bucket = hash as usize & self.bucket_mask();
                (self.new_overflow(last, bucket, false), 0)
            }
        };
        // SAFETY: `b` is a live bucket of the key's chain and slot `i` is empty.
        unsafe {
            Self::write_entry(b, i, key, val);
            Self::set_top(b, i, top_hash(hash));
        }
        self.count += 1;
        (b, i)
    }

    /// Reports an insert into a slot a delete emptied (observer attached).
    #[cold]
    #[inline(never)]
    fn note_slot_reuse(&mut self, hash: u64, b: Bucket, slot: usize) {
        // SAFETY: `b` is a live bucket of the key's chain; `slot < 8`.
        if unsafe { Self::top(b, slot) } != EMPTY_ONE {
            return;
        }
        let bucket = hash as usize & self.bucket_mask();
        let link = Self::link_index(self.main_bucket(bucket), b);
        self.emit(|| Event::SlotReused { bucket, link, slot });
    }

    /// Position of bucket `b` in the chain starting at `head` (0 = main).
    fn link_index(head: Bucket, b: Bucket) -> usize {
        let mut n = 0;
        let mut cur = Some(head);
        while let Some(c) = cur {
            if c == b {
                return n;
            }
            n += 1;
            // SAFETY: `c` is a live bucket of the chain.
            cur = unsafe { Self::overflow(c) };
        }
        n
    }

    /// First empty slot of bucket `bucket`'s chain (after a growth restarted
    /// the insert; the key is known to be absent).
    fn first_vacancy(&self, bucket: usize) -> Vacancy {
        let mut b = self.main_bucket(bucket);
        loop {
            // SAFETY: `b` is live.
            let e = empty_slots(unsafe { Self::tops_word(b) });
            if e != 0 {
                return Vacancy::Slot(b, first_slot(e));
            }
            // SAFETY: `b` is live.
            match unsafe { Self::overflow(b) } {
                Some(next) => b = next,
                None => return Vacancy::AfterLast(b),
            }
        }
    }

    /// Links a fresh overflow bucket after `last`: the next pool bucket if
    /// any is left, else a heap bucket from the array's slab. Go: `newoverflow`.
    fn new_overflow(&mut self, last: Bucket, bucket: usize, by_evacuation: bool) -> Bucket {
        let arr = self.buckets.as_mut().expect("array allocated");
        let (ovf, source) = match self.next_overflow {
            Some(idx) => {
                self.next_overflow = (idx + 1 < arr.len).then_some(idx + 1);
                // SAFETY: pool indices stay below `arr.len`.
                (
                    unsafe { arr.bucket(idx, Self::BUCKET_SIZE) },
                    OverflowSource::Pool(idx),
                )
            }
            None => (
                arr.slab.alloc(Self::BUCKET_SIZE, Self::ALIGN),
                OverflowSource::Heap,
            ),
        };
        self.incr_noverflow();
        self.emit(|| Event::OverflowTaken {
            bucket,
            source,
            by_evacuation,
        });
        // SAFETY: `last` is the live last bucket of a chain; `ovf` is a fresh,
        // zeroed bucket of this table.
        unsafe { Self::set_overflow(last, Some(ovf)) };
        ovf
    }

    /// Go: `incrnoverflow`. Exact below `B = 16`; above, counted with
    /// probability `1 / 2^(B-15)` so the 16-bit counter keeps meaning
    /// "about as many overflow buckets as main buckets".
    fn incr_noverflow(&mut self) {
        if self.b < 16 {
            self.noverflow = self.noverflow.wrapping_add(1);
        } else {
            let mask = (1u32 << (self.b - 15)) - 1;
            if fastrand::u32(..) & mask == 0 {
                self.noverflow = self.noverflow.wrapping_add(1);
            }
        }
    }

    // ------------------------------------------------------------------
    // Delete. Go: mapdelete.
    // ------------------------------------------------------------------

    /// Removes the entry equal to the probe, doing this write's growth work
    /// first (when the map is not empty, even if the key is absent).
    /// `reseed` gives the new seed if this empties the map.
    #[inline]
    pub(crate) fn remove(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        if self.count == 0 {
            return None;
        }
        if self.write_needs_prep() {
            // Cannot fail: a map with entries has its array.
            self.prepare_write(hash, &hasher).ok()?;
        }
        let top = top_hash(hash);
        let head = self.main_bucket(hash as usize & self.bucket_mask());
        let mut b = head;
        loop {
            // The scan of `find`, on the current array.
            // SAFETY: `b` is a live bucket of the chain.
            let tops = unsafe { Self::tops_word(b) };
            let mut m = match_top(tops, top);
            while m != 0 {
                let i = first_slot(m);
                // SAFETY: the slot is full.
                if eq(unsafe { &*Self::key_ptr(b, i) }) {
                    let kv = self.take_slot(Slot {
                        bucket: b,
                        index: i,
                        head,
                    });
                    if self.count == 0 {
                        self.reseed_to_empty(reseed);
                    }
                    return Some(kv);
                }
                m &= m - 1;
            }
            if rest_slots(tops) != 0 {
                return None;
            }
            // SAFETY: `b` is live.
            b = unsafe { Self::overflow(b) }?;
        }
    }

    /// A delete emptied the map: install a new seed. Go: `mapdelete`'s
    /// `if h.count == 0 { h.hash0 = fastrand() }`.
    #[cold]
    #[inline(never)]
    fn reseed_to_empty(&mut self, reseed: impl FnOnce() -> u32) {
        self.reseed(reseed(), ReseedCause::DeleteToEmpty);
    }

    /// Moves the entry out of a full slot and marks the slot deleted.
    fn take_slot(&mut self, s: Slot) -> (K, V) {
        // SAFETY: `s` names a full slot of this table (it came from a lookup
        // under the current borrow), and we mark it empty right after.
        let kv = unsafe { Self::read_entry(s.bucket, s.index) };
        // SAFETY: same slot.
        unsafe { Self::mark_deleted(s) };
        self.count -= 1;
        kv
    }

    /// Marks a just-emptied slot emptyOne, or emptyRest when nothing full
    /// follows it in the chain, then turns the emptyOne run before it into
    /// emptyRest, walking back across overflow links to the main bucket.
    ///
    /// # Safety
    /// `s` names a slot of a live chain of this table whose entry was moved out.
    unsafe fn mark_deleted(s: Slot) {
        let Slot {
            mut bucket,
            index: mut i,
            head,
        } = s;
        // SAFETY: every bucket touched below is `s.bucket`, its overflow
        // successor, or a bucket on the live chain from `head` to it; slot
        // indices stay below 8.
        unsafe {
            Self::set_top(bucket, i, EMPTY_ONE);
            let next_is_rest = if i == BUCKET_CNT - 1 {
                match Self::overflow(bucket) {
                    Some(ovf) => Self::top(ovf, 0) == EMPTY_REST,
                    None => true,
                }
            } else {
                Self::top(bucket, i + 1) == EMPTY_REST
            };
            if !next_is_rest {
                return;
            }
            loop {
                Self::set_top(bucket, i, EMPTY_REST);
                if i == 0 {
                    if bucket == head {
                        return;
                    }
                    // Find the bucket before this one in the chain.
                    let mut prev = head;
                    while Self::overflow(prev) != Some(bucket) {
                        prev = Self::overflow(prev).expect("bucket is on its chain");
                    }
                    bucket = prev;
                    i = BUCKET_CNT - 1;
                } else {
                    i -= 1;
                }
                if Self::top(bucket, i) != EMPTY_ONE {
                    return;
                }
            }
        }
    }

    /// Removes every entry for which `keep` says no, in place, without
    /// rehashing and without growth work. Returns how many were removed.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) -> usize {
        let mut removed = 0;
        let chains: Vec<Bucket> = self.live_chain_heads();
        for head in chains {
            let mut b = head;
            loop {
                for i in 0..BUCKET_CNT {
                    // SAFETY: `b` is a live bucket of this table.
                    if !is_full(unsafe { Self::top(b, i) }) {
                        continue;
                    }
                    // SAFETY: the slot is full; `keep` gets exclusive access
                    // to the value through our unique borrow.
                    let k = unsafe { &*Self::key_ptr(b, i) };
                    // SAFETY: as above.
                    let v = unsafe { &mut *Self::val_ptr(b, i) };
                    if !keep(k, v) {
                        // The table is consistent before the entry is dropped,
                        // so a panicking `Drop` loses nothing else.
                        drop(self.take_slot(Slot {
                            bucket: b,
                            index: i,
                            head,
                        }));
                        removed += 1;
                    }
                }
                // SAFETY: `b` is live.
                match unsafe { Self::overflow(b) } {
                    Some(next) => b = next,
                    None => break,
                }
            }
        }
        removed
    }

    /// Main buckets of every chain that holds entries: the current array's,
    /// and the old array's not yet evacuated.
    fn live_chain_heads(&self) -> Vec<Bucket> {
        let mut heads = Vec::new();
        for arr in [&self.buckets, &self.oldbuckets].into_iter().flatten() {
            for i in 0..arr.base() {
                // SAFETY: `i < 2^b <= len`.
                let b = unsafe { arr.bucket(i, Self::BUCKET_SIZE) };
                // SAFETY: `b` is a live main bucket.
                if !is_evacuated_mark(unsafe { Self::top(b, 0) }) {
                    heads.push(b);
                }
            }
        }
        heads
    }

    // ------------------------------------------------------------------
    // Clear. Go: mapclear.
    // ------------------------------------------------------------------

    /// Go's `mapclear`: on a non-empty map, drops every entry, keeps `B` and
    /// the array (zeroed), drops the old array, refills the pool, resets the
    /// growth state and installs `seed`. An empty map is left as it is.
    ///
    /// If an entry's `Drop` panics, the other entries are still dropped
    /// (see [`Self::drop_entries`]) and the table is still reset, so the
    /// panic leaves it exactly as a clear that returned would.
    pub(crate) fn clear(&mut self, seed: u32) {
        if self.count == 0 {
            return;
        }
        let count = self.count;
        let mut this = guard::guard(self, |t| t.reset_cleared(seed, count));
        // SAFETY: the guard resets the table after the drops (also when a
        // panicking `Drop` unwinds), so no dropped entry is seen as full again.
        unsafe { this.drop_entries() };
    }

    /// Drops every entry in place without updating any tophash.
    ///
    /// A panicking `Drop` does not stop the walk: the entries after the one
    /// that panicked are dropped while unwinding (by [`DropRest`]'s `Drop`),
    /// as dropping a slice drops its remaining elements, so nothing leaks;
    /// a second panic during that aborts the process, as it does for a
    /// slice. The walk needs no extra work when nothing panics.
    ///
    /// # Safety
    /// The caller must make every slot empty (or free the table) afterwards,
    /// also when this unwinds.
    unsafe fn drop_entries(&mut self) {
        if !(mem::needs_drop::<K>()
            || mem::needs_drop::<V>()
            || Shape::<K, V>::INDIRECT_KEY
            || Shape::<K, V>::INDIRECT_VAL)
        {
            return;
        }
        let mut rest = DropRest::<K, V> {
            heads: self.live_chain_heads().into_iter(),
            bucket: None,
            slot: 0,
            _entries: PhantomData,
        };
        // SAFETY: `rest` walks the live chains of this table, each once;
        // their full slots hold entries nobody dropped, and the caller never
        // reads them as full again.
        unsafe { rest.drop_from_here() };
    }

    /// The structural half of `clear`: everything but dropping entries.
    /// `cleared` is how many entries the clear removed (for the event).
    fn reset_cleared(&mut self, seed: u32, cleared: usize) {
        if let Some(old) = self.oldbuckets.take() {
            // SAFETY: the old array and its heap buckets belong to this table
            // and nothing points into them once it is taken out.
            unsafe { Self::free_array(old) };
        }
        if let Some(arr) = &mut self.buckets {
            // SAFETY: the array's heap overflow buckets are freed before the
            // array is zeroed, which also drops every link to them.
            unsafe {
                mem::replace(&mut arr.slab, OverflowSlab::new()).free_all();
                ptr::write_bytes(arr.ptr.as_ptr(), 0, arr.len * Self::BUCKET_SIZE);
            }
            self.next_overflow = arr.has_pool().then(|| arr.base());
        }
        self.flags &= !SAME_SIZE_GROW;
        self.nevacuate = 0;
        self.noverflow = 0;
        self.count = 0;
        let b = self.b;
        self.emit(|| Event::Clear { count: cleared, b });
        self.reseed(seed, ReseedCause::Clear);
    }

    /// Frees an array and its heap overflow buckets (not its entries).
    ///
    /// # Safety
    /// `arr` belonged to this table and no pointer into it is used afterwards.
    unsafe fn free_array(arr: BucketArray) {
        // SAFETY: forwarded from the caller.
        unsafe { arr.free(Self::BUCKET_SIZE, Self::ALIGN) }
    }

    /// Moves the whole table out, leaving an empty `B = 0` table with `seed`.
    pub(crate) fn take(&mut self, seed: u32) -> RawTable<K, V> {
        let stress = self.stress;
        let t = mem::replace(self, RawTable::empty(seed));
        self.set_stress(stress);
        t
    }
}

/// A [`RawTable::drop_entries`] walk in progress: the chains not started yet
/// and the next slot of the current chain. Its `Drop` finishes the walk, so
/// when an entry's `Drop` panics the entries after it are still dropped.
///
/// Invariant: every slot from the position on (the rest of `bucket`'s
/// chain from `slot`, then the chains of `heads`) is a slot of one table
/// whose full slots hold entries not yet dropped, which only this walk
/// drops. Only `drop_entries` makes one, under its caller's contract.
struct DropRest<K, V> {
    /// Main buckets of the chains not started yet.
    heads: std::vec::IntoIter<Bucket>,
    /// The bucket being walked; `None` between chains.
    bucket: Option<Bucket>,
    /// The next slot of `bucket` to look at.
    slot: usize,
    _entries: PhantomData<(K, V)>,
}

impl<K, V> DropRest<K, V> {
    /// Drops every entry from the position on. The position moves past a
    /// slot before its entry is dropped, so a panic out of that `Drop`
    /// leaves the walk at the next slot.
    ///
    /// # Safety
    /// The type's invariant holds (so does it afterwards: the walk is done,
    /// or stands where a panicking entry left it).
    unsafe fn drop_from_here(&mut self) {
        loop {
            let b = match self.bucket {
                Some(b) => b,
                None => match self.heads.next() {
                    Some(head) => {
                        self.bucket = Some(head);
                        self.slot = 0;
                        head
                    }
                    None => return,
                },
            };
            while self.slot < BUCKET_CNT {
                let i = self.slot;
                self.slot += 1;
                // SAFETY: by the invariant `b` is a live bucket and a full
                // slot holds an entry no one has dropped; the position is
                // already past it, so it is dropped once.
                unsafe {
                    if is_full(RawTable::<K, V>::top(b, i)) {
                        RawTable::<K, V>::drop_entry(b, i);
                    }
                }
            }
            // SAFETY: `b` is live (dropping entries does not free buckets).
            self.bucket = unsafe { RawTable::<K, V>::overflow(b) };
            self.slot = 0;
        }
    }
}

impl<K, V> Drop for DropRest<K, V> {
    /// Runs when the walk ends (then there is nothing left) or when an
    /// entry's `Drop` panicked (then it drops the rest while unwinding).
    fn drop(&mut self) {
        // SAFETY: the invariant holds wherever `drop_from_here` stopped.
        unsafe { self.drop_from_here() };
    }
}

impl<K, V> Drop for RawTable<K, V> {
    fn drop(&mut self) {
        let mut this = guard::guard(self, |t| {
            if let Some(old) = t.oldbuckets.take() {
                // SAFETY: the table is being dropped; nothing uses it again.
                unsafe { RawTable::<K, V>::free_array(old) };
            }
            if let Some(arr) = t.buckets.take() {
                // SAFETY: as above.
                unsafe { RawTable::<K, V>::free_array(arr) };
            }
        });
        // SAFETY: the table is freed right after by the guard, also when a
        // panicking `Drop` unwinds out of `drop_entries`.
        unsafe { this.drop_entries() };
    }
}

/// Whether `count` entries overload `2^b` buckets: more than 8, and more than
/// 6.5 per bucket (13/2, computed as Go does with integer division), or more
/// than 1 per bucket under stress tuning. Go: `overLoadFactor`.
#[inline(always)]
pub(crate) fn over_load_factor(count: usize, b: u8, stress: bool) -> bool {
    count > load_limit(b, stress)
}

/// The largest count that does not overload `2^b` buckets (see
/// [`over_load_factor`]); `usize::MAX` when `2^b` buckets could never exist.
pub(crate) const fn load_limit(b: u8, stress: bool) -> usize {
    let buckets = if b < usize::BITS as u8 - 4 {
        1usize << b
    } else {
        return usize::MAX;
    };
    let limit = if stress {
        buckets
    } else {
        (buckets / 2).saturating_mul(13)
    };
    if limit < BUCKET_CNT {
        BUCKET_CNT
    } else {
        limit
    }
}

/// Go's `overLoadFactor` written out, against which the cached limits are
/// checked.
fn over_load_factor_by_definition(count: usize, b: u8, stress: bool) -> bool {
    if count <= BUCKET_CNT {
        return false;
    }
    let buckets = match 1usize.checked_shl(b as u32) {
        Some(n) if b < usize::BITS as u8 - 4 => n,
        _ => return false,
    };
    if stress {
        count > buckets
    } else {
        count > (buckets / 2).saturating_mul(13)
    }
}

/// Whether `noverflow` overflow buckets are "as many as main buckets" (capped
/// at `2^15`), which starts a same-size growth. Go: `tooManyOverflowBuckets`.
#[inline(always)]
pub(crate) fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
    let b = b.min(15);
    noverflow >= 1u16 << b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_masks_match_byte_loops() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..if cfg!(miri) { 300u64 } else { 20_000 } {
            // Bytes drawn mostly from the marks and a few tophash values.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = [0u8, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0x81, 0xfe, 0xff];
            let mut bytes = [0u8; 8];
            for (j, byte) in bytes.iter_mut().enumerate() {
                *byte = pick[((x >> (j * 5 + 3)) % pick.len() as u64) as usize];
            }
            let w = u64::from_le_bytes(bytes);
            let top = pick[(round % pick.len() as u64) as usize].max(MIN_TOP_HASH);
            let mask = |f: &dyn Fn(u8) -> bool| {
                bytes.iter().enumerate().fold(
                    0u64,
                    |m, (j, &t)| if f(t) { m | 0x80 << (j * 8) } else { m },
                )
            };
            assert_eq!(match_top(w, top), mask(&|t| t == top), "{bytes:?} {top}");
            assert_eq!(empty_slots(w), mask(&|t| is_empty(t)), "{bytes:?}");
            assert_eq!(rest_slots(w), mask(&|t| t == EMPTY_REST), "{bytes:?}");
            assert_eq!(full_slots(w), mask(&|t| is_full(t)), "{bytes:?}");
        }
    }

    #[test]
    fn load_limit_matches_the_definition() {
        for b in 0..=70u8 {
            for stress in [false, true] {
                let limit = load_limit(b, stress);
                for count in [
                    0,
                    1,
                    7,
                    8,
                    9,
                    12,
                    13,
                    14,
                    26,
                    27,
                    52,
                    53,
                    1 << 20,
                    usize::MAX - 1,
                ]
                .into_iter()
                .chain([limit.saturating_sub(1), limit, limit.saturating_add(1)])
                {
                    assert_eq!(
                        over_load_factor(count, b, stress),
                        over_load_factor_by_definition(count, b, stress),
                        "count {count} b {b} stress {stress}"
                    );
                }
            }
        }
    }

    #[test]
    fn hint_to_b() {
        let cases = [
            (0, 0),
            (8, 0),
            (9, 1),
            (13, 1),
            (14, 2),
            (26, 2),
            (27, 3),
            (52, 3),
            (53, 4),
            (104, 4),
            (105, 5),
            (208, 5),
            (209, 6),
        ];
        for (hint, b) in cases {
            let mut bb = 0;
            while over_load_factor(hint, bb, false) {
                bb += 1;
            }
            assert_eq!(bb, b, "hint {hint}");
        }
    }
}
