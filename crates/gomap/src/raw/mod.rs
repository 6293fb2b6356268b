//! The engine: Go's `hmap` and its buckets in raw memory.
//!
//! Everything `unsafe` in the map lives under this module. The safe layers
//! above (`map`, `entry`, `iter`) hold a [`RawTable`] and call its safe
//! methods; the few handles they keep across calls ([`RawOccupied`],
//! [`RawVacant`], the iterators) borrow the table, so the borrow checker keeps
//! them valid.
//!
//! Three tiers, from bytes up:
//!
//! - [`group`]: the SWAR tier, 8 tophash bytes as one word and the slot
//!   masks a scan needs, over the marks of [`crate::base::tophash`];
//! - [`bucket`] and [`alloc`]: memory. A [`BucketRef`] is a live bucket
//!   borrowed from its [`BucketArray`], so reads through it are safe; the
//!   erased [`Bucket`] keeps a position across a mutation and writes
//!   through it are `unsafe` with one stated contract. [`chain`] holds the
//!   one walker ("the chain that holds bucket `n` now") and the one tophash
//!   scan every lookup uses;
//! - this module and its operation files (`grow`, `iter`, `range`,
//!   `clone`, `check`, `view`): the table, in Go's lifecycle order.
//!
//! Hashing is the caller's business: operations take the key's 64-bit hash
//! and, where a growth step may need to rehash other keys, a `hasher`
//! closure. The seed lives here (`hash0`) because Go keeps it in the header,
//! but drawing a new one is the caller's job too.

mod alloc;
mod bucket;
mod chain;
mod check;
mod clone;
mod group;
mod grow;
mod guard;
mod iter;
mod range;
mod shape;
mod std_api;
mod view;

use core::marker::PhantomData;
use core::mem;

pub(crate) use alloc::MAX_ALLOC;
use alloc::{AllocFailure, BucketArray, Retired};
use bucket::{Bucket, BucketRef, Full};
pub(crate) use iter::{RawDrain, RawIntoIter, RawIterMut, RawIterRef};
pub(crate) use range::RangeState;
use range::TieRegistry;
use shape::*;
pub(crate) use std_api::RawExtract;

use crate::base::event::{Event, ObserverSlot, OverflowSource, ReseedCause};
use crate::base::header::Header;
pub(crate) use crate::base::seam::CapacityError;

/// Flag bit: the growth in progress keeps the bucket count. Defined once,
/// on the public [`Header`] that reports the flags. Go: `sameSizeGrow`.
pub(crate) const SAME_SIZE_GROW: u8 = Header::SAME_SIZE_GROW;

/// Go's `hmap` for keys `K` and values `V`.
pub struct RawTable<K, V> {
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
    buckets: Option<BucketArray<K, V>>,
    /// The array being evacuated; `Some` exactly while growing.
    /// Go: `oldbuckets`.
    oldbuckets: Option<BucketArray<K, V>>,
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
    pub(crate) observer: ObserverSlot,
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

/// A full slot found by a write-side lookup: bucket, slot index and the
/// chain's main bucket (needed to walk back over emptyOne marks on delete).
struct Slot<K, V> {
    bucket: Bucket<K, V>,
    index: usize,
    head: Bucket<K, V>,
}

impl<K, V> Clone for Slot<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Slot<K, V> {}

/// Where a new key would go if no growth intervenes: the first empty slot of
/// the chain, or, when there is none, the chain's last bucket to link an
/// overflow bucket to.
enum Vacancy<K, V> {
    Slot(Bucket<K, V>, usize),
    AfterLast(Bucket<K, V>),
}

/// The result of the write-side lookup (Go's `mapassign` up to its scan).
enum Probe<K, V> {
    Found(Slot<K, V>),
    Vacant(VacantPos<K, V>),
}

/// An insert position, valid until the table is next mutated.
struct VacantPos<K, V> {
    hash: u64,
    vacancy: Vacancy<K, V>,
}

/// A write-side lookup's result, borrowing the table until it is used.
pub(crate) type RawEntry<'a, K, V> =
    crate::base::seam::RawEntry<RawOccupied<'a, K, V>, RawVacant<'a, K, V>>;

/// A full slot, held with the table's unique borrow so it stays valid.
pub struct RawOccupied<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    slot: Slot<K, V>,
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
pub struct RawVacant<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    pos: VacantPos<K, V>,
}

impl<'a, K, V> RawVacant<'a, K, V> {
    /// Inserts the entry (starting a growth first when Go would).
    pub(crate) fn insert(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<(&'a K, &'a mut V), CapacityError> {
        let (b, i) = self.table.insert_vacant(self.pos, key, val, &hasher)?;
        // SAFETY: `insert_vacant` just wrote an entry into slot `i` of `b`, a
        // live bucket of the table we hold uniquely for 'a, so the `&mut V`
        // is the only reference to that value.
        Ok(unsafe { b.entry_mut(i) })
    }
}

impl<K, V> RawTable<K, V> {
    pub(crate) const BUCKET_SIZE: usize = Shape::<K, V>::SIZE;

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
            observer: ObserverSlot::none(),
            retired: None,
            _marker: PhantomData,
        }
    }

    fn new_array(b: u8) -> Result<BucketArray<K, V>, CapacityError> {
        BucketArray::new(b).map_err(|AllocFailure { bytes }| CapacityError::Buckets { b, bytes })
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

    /// Delivers an event if an observer is attached; `make` only runs then.
    #[inline(always)]
    pub(crate) fn emit(&mut self, make: impl FnOnce() -> Event) {
        self.observer.emit(make);
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

    /// The entry whose key equals the probe.
    #[inline(always)]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        Some(self.find(hash, eq)?.entry())
    }

    /// The entry whose key equals the probe, with its value mutable.
    #[inline]
    pub(crate) fn get_mut(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let found = self.find(hash, eq)?;
        let (b, i) = (found.bucket().erase(), found.index());
        // SAFETY: the slot was found full in a live bucket of this table,
        // which the unique borrow returned with the references keeps
        // unchanged and unshared.
        Some(unsafe { b.entry_mut(i) })
    }

    /// The full slot holding a key equal to the probe, in the chain that
    /// holds the key's bucket now. Go: `mapaccess2`.
    #[inline(always)]
    fn find(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<Full<'_, K, V>> {
        if self.count == 0 {
            return None;
        }
        let chain = self.live_chain(hash as usize)?;
        match chain::scan::<K, V, false>(chain.head, hash, eq) {
            chain::Scan::Found(f) => Some(f),
            chain::Scan::Absent { .. } => None,
        }
    }

    /// The entry in a slot a write-side lookup found.
    #[inline(always)]
    fn slot_ref(&self, s: Slot<K, V>) -> (&K, &V) {
        // SAFETY: `Slot`s come from `probe` on this table under the unique
        // borrow their holder still has, so the slot is full and live; the
        // shared borrow of `self` rules out writes while the references live.
        unsafe { s.bucket.entry(s.index) }
    }

    /// The entry in a slot a write-side lookup found, mutably.
    #[inline(always)]
    fn slot_mut(&mut self, s: Slot<K, V>) -> (&K, &mut V) {
        // SAFETY: as in `slot_ref`; the unique borrow makes `&mut V` exclusive.
        unsafe { s.bucket.entry_mut(s.index) }
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
        &mut self, hash: u64, hasher: &impl Fn(&K) -> u64,
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
        &mut self, hash: u64, key: K, val: V, hasher: impl Fn(&K) -> u64,
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
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
    ) -> Result<RawEntry<'_, K, V>, CapacityError> {
        Ok(match self.probe(hash, eq, &hasher)? {
            Probe::Found(slot) => RawEntry::Occupied(RawOccupied { table: self, slot }),
            Probe::Vacant(pos) => RawEntry::Vacant(RawVacant { table: self, pos }),
        })
    }

    #[inline(always)]
    fn probe(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: &impl Fn(&K) -> u64,
    ) -> Result<Probe<K, V>, CapacityError> {
        if self.write_needs_prep() {
            self.prepare_write(hash, hasher)?;
        }
        let head = self.main_bucket(hash as usize);
        // Same scan as Go's mapassign: key candidates in slot order, the
        // first empty slot remembered, stop at the first emptyRest.
        Ok(match chain::scan::<K, V, true>(head, hash, eq) {
            chain::Scan::Found(f) => Probe::Found(Slot {
                bucket: f.bucket().erase(),
                index: f.index(),
                head: head.erase(),
            }),
            chain::Scan::Absent {
                vacancy,
                last,
                at_rest,
            } => Probe::Vacant(VacantPos {
                hash,
                vacancy: match vacancy {
                    Some((b, i)) => Vacancy::Slot(b.erase(), i),
                    None => {
                        debug_assert!(!at_rest, "an emptyRest slot is empty");
                        Vacancy::AfterLast(last.erase())
                    }
                },
            }),
        })
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

    /// Main bucket `i & (2^B - 1)` of the current array.
    #[inline(always)]
    fn main_bucket(&self, i: usize) -> BucketRef<'_, K, V> {
        self.buckets.as_ref().expect("array allocated").main(i)
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
        &mut self, pos: VacantPos<K, V>, key: K, val: V, hasher: &impl Fn(&K) -> u64,
    ) -> Result<(Bucket<K, V>, usize), CapacityError> {
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
        &mut self, hash: u64, key: K, val: V, hasher: &impl Fn(&K) -> u64,
    ) -> Result<(Bucket<K, V>, usize), CapacityError> {
        self.hash_grow()?;
        let bucket = hash as usize & self.bucket_mask();
        self.grow_work(bucket, hasher);
        let vacancy = self.first_vacancy(bucket);
        Ok(self.place(hash, vacancy, key, val))
    }

    /// Writes a new entry at `vacancy` (linking an overflow bucket when the
    /// chain is full) and counts it.
    #[inline(always)]
    fn place(
        &mut self, hash: u64, vacancy: Vacancy<K, V>, key: K, val: V,
    ) -> (Bucket<K, V>, usize) {
        let (b, i) = match vacancy {
            Vacancy::Slot(b, i) => {
                if self.observer.is_attached() {
                    self.note_slot_reuse(hash, b, i);
                }
                (b, i)
            }
            Vacancy::AfterLast(last) => {
                let bucket = hash as usize & self.bucket_mask();
                (self.new_overflow(last, bucket, false), 0)
            }
        };
        // SAFETY: `b` is a live bucket of the key's chain in this table,
        // which we hold uniquely, and slot `i` is empty.
        unsafe {
            b.write_entry(i, key, val);
            b.set_top(i, tophash(hash));
        }
        self.count += 1;
        (b, i)
    }

    /// Reports an insert into a slot a delete emptied (observer attached).
    #[cold]
    #[inline(never)]
    fn note_slot_reuse(&mut self, hash: u64, b: Bucket<K, V>, slot: usize) {
        // SAFETY: `b` is a live bucket of the key's chain, found under this
        // unique borrow; nothing writes to it while `b` is read here.
        let b = unsafe { b.get() };
        if b.top(slot) != EMPTY_ONE {
            return;
        }
        let bucket = hash as usize & self.bucket_mask();
        let link = self
            .main_bucket(bucket)
            .chain()
            .position(|c| c == b)
            .unwrap_or(0);
        self.emit(|| Event::SlotReused { bucket, link, slot });
    }

    /// First empty slot of bucket `bucket`'s chain (after a growth restarted
    /// the insert; the key is known to be absent).
    fn first_vacancy(&self, bucket: usize) -> Vacancy<K, V> {
        let mut last = self.main_bucket(bucket);
        for b in last.chain() {
            if let Some(i) = b.tops().match_empty().lowest() {
                return Vacancy::Slot(b.erase(), i);
            }
            last = b;
        }
        Vacancy::AfterLast(last.erase())
    }

    /// Links a fresh overflow bucket after `last`: the next pool bucket if
    /// any is left, else a heap bucket from the array's slab. Go: `newoverflow`.
    fn new_overflow(
        &mut self, last: Bucket<K, V>, bucket: usize, by_evacuation: bool,
    ) -> Bucket<K, V> {
        let arr = self.buckets.as_mut().expect("array allocated");
        let (ovf, source) = match self.next_overflow {
            Some(idx) => {
                self.next_overflow = (idx + 1 < arr.len()).then_some(idx + 1);
                (arr.at(idx).erase(), OverflowSource::Pool(idx))
            }
            None => (arr.heap_bucket(), OverflowSource::Heap),
        };
        self.incr_noverflow();
        self.emit(|| Event::OverflowTaken {
            bucket,
            source,
            by_evacuation,
        });
        // SAFETY: `last` is the live last bucket of a chain of the current
        // array, which we hold uniquely; `ovf` is a fresh, zeroed bucket of
        // the same array (pool buckets are handed out once) or its slab.
        unsafe { last.set_overflow(Some(ovf)) };
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
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool, hasher: impl Fn(&K) -> u64,
        reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        if self.count == 0 {
            return None;
        }
        if self.write_needs_prep() {
            // Cannot fail: a map with entries has its array.
            self.prepare_write(hash, &hasher).ok()?;
        }
        let head = self.main_bucket(hash as usize);
        // The scan of `find`, on the current array.
        let found = match chain::scan::<K, V, false>(head, hash, eq) {
            chain::Scan::Found(f) => Slot {
                bucket: f.bucket().erase(),
                index: f.index(),
                head: head.erase(),
            },
            chain::Scan::Absent { .. } => return None,
        };
        let kv = self.take_slot(found);
        if self.count == 0 {
            self.reseed_to_empty(reseed);
        }
        Some(kv)
    }

    /// A delete emptied the map: install a new seed. Go: `mapdelete`'s
    /// `if h.count == 0 { h.hash0 = fastrand() }`.
    #[cold]
    #[inline(never)]
    fn reseed_to_empty(&mut self, reseed: impl FnOnce() -> u32) {
        self.reseed(reseed(), ReseedCause::DeleteToEmpty);
    }

    /// Moves the entry out of a full slot and marks the slot deleted.
    fn take_slot(&mut self, s: Slot<K, V>) -> (K, V) {
        // SAFETY: `s` names a full slot of this table (it came from a lookup
        // under the current borrow), and we mark it empty right after.
        let kv = unsafe { s.bucket.read_entry(s.index) };
        // SAFETY: same slot, its entry just moved out; we hold the table
        // uniquely.
        unsafe { Self::mark_deleted(s) };
        self.count -= 1;
        kv
    }

    /// Marks a just-emptied slot emptyOne, or emptyRest when nothing full
    /// follows it in the chain, then turns the emptyOne run before it into
    /// emptyRest, walking back across overflow links to the main bucket.
    ///
    /// # Safety
    /// `s` names a slot of a live chain of this table, held uniquely, whose
    /// entry was moved out.
    unsafe fn mark_deleted(s: Slot<K, V>) {
        let Slot {
            mut bucket,
            index: mut i,
            head,
        } = s;
        // SAFETY: every bucket touched below is `s.bucket`, its overflow
        // successor, or a bucket on the live chain from `head` to it; each
        // read handle lives only until the next write; slot indices stay
        // below 8.
        unsafe {
            bucket.set_top(i, EMPTY_ONE);
            let next_is_rest = if i == BUCKET_CNT - 1 {
                match bucket.get().overflow() {
                    Some(ovf) => ovf.top(0) == EMPTY_REST,
                    None => true,
                }
            } else {
                bucket.get().top(i + 1) == EMPTY_REST
            };
            if !next_is_rest {
                return;
            }
            loop {
                bucket.set_top(i, EMPTY_REST);
                if i == 0 {
                    if bucket == head {
                        return;
                    }
                    // Find the bucket before this one in the chain.
                    let before = head
                        .get()
                        .chain()
                        .find(|b| b.overflow().map(BucketRef::erase) == Some(bucket));
                    bucket = before.expect("bucket is on its chain").erase();
                    i = BUCKET_CNT - 1;
                } else {
                    i -= 1;
                }
                if bucket.get().top(i) != EMPTY_ONE {
                    return;
                }
            }
        }
    }

    /// Removes every entry for which `keep` says no, in place, without
    /// rehashing and without growth work. Returns how many were removed.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) -> usize {
        let mut removed = 0;
        let chains: Vec<Bucket<K, V>> = self.live_chain_heads();
        for head in chains {
            let mut b = Some(head);
            while let Some(bk) = b {
                for i in 0..BUCKET_CNT {
                    // SAFETY: `bk` is a live bucket of this table, which we
                    // hold uniquely; the read handle ends before any write.
                    if !is_full(unsafe { bk.get() }.top(i)) {
                        continue;
                    }
                    // SAFETY: the slot is full; `keep` gets exclusive access
                    // to the value through our unique borrow, and the
                    // references end before the slot is taken.
                    let (k, v) = unsafe { bk.entry_mut(i) };
                    if !keep(k, v) {
                        // The table is consistent before the entry is dropped,
                        // so a panicking `Drop` loses nothing else.
                        drop(self.take_slot(Slot {
                            bucket: bk,
                            index: i,
                            head,
                        }));
                        removed += 1;
                    }
                }
                // SAFETY: `bk` is live (deletes free no bucket).
                b = unsafe { bk.get() }.overflow().map(BucketRef::erase);
            }
        }
        removed
    }

    /// Main buckets of every chain that holds entries: the current array's,
    /// and the old array's not yet evacuated.
    fn live_chain_heads(&self) -> Vec<Bucket<K, V>> {
        let mut heads = Vec::new();
        for arr in [&self.buckets, &self.oldbuckets].into_iter().flatten() {
            heads.extend(
                (0..arr.base())
                    .map(|i| arr.main(i))
                    .filter(|b| !is_evacuated(b.top(0)))
                    .map(BucketRef::erase),
            );
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
        if !Shape::<K, V>::NEEDS_DROP {
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
            old.free();
        }
        if let Some(arr) = &mut self.buckets {
            arr.clear();
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
    heads: std::vec::IntoIter<Bucket<K, V>>,
    /// The bucket being walked; `None` between chains.
    bucket: Option<Bucket<K, V>>,
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
                    if is_full(b.get().top(i)) {
                        b.drop_entry(i);
                    }
                }
            }
            // SAFETY: `b` is live (dropping entries does not free buckets).
            self.bucket = unsafe { b.get() }.overflow().map(BucketRef::erase);
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
                old.free();
            }
            if let Some(arr) = t.buckets.take() {
                arr.free();
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
