//! The byte tier and the memory tier of a Swiss table: control words matched
//! eight bytes at a time, and [`GroupArray`], an allocation of groups whose
//! safe methods keep "control byte full ⇔ slot initialized".
//!
//! A group is Go's `group`: one 8-byte control word (byte `i` belongs to
//! slot `i`), then 8 slots, each a `(key, value)` pair laid out like Go's
//! `struct { key K; elem V }`. A key or value over 128 bytes is stored in its
//! own box and the slot holds the pointer, as Go stores it indirectly, so a
//! slot never grows past Go's bound.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};

/// Slots per group. Go: `abi.MapGroupSlots`.
pub(crate) const SLOTS: usize = 8;
/// Control byte of a slot that was never used since the last reset. Go: `ctrlEmpty`.
pub(crate) const CTRL_EMPTY: u8 = 0x80;
/// Control byte of a slot whose entry was deleted (a tombstone). Go: `ctrlDeleted`.
pub(crate) const CTRL_DELETED: u8 = 0xFE;
/// A control word of 8 empty bytes.
const ALL_EMPTY: u64 = 0x8080_8080_8080_8080;
/// The top bit of each byte. Go: `bitsetMSB`.
const MSB: u64 = 0x8080_8080_8080_8080;
/// Keys and values larger than this are stored by pointer. Go: `abi.MapMaxKeyBytes`/`MapMaxElemBytes`.
pub(crate) const MAX_INLINE: usize = 128;

/// H1: the part of the hash that picks the first group of a probe. Go: `h1`.
#[inline(always)]
pub(crate) fn h1(hash: u64) -> u64 {
    hash >> 7
}

/// H2: the 7 bits stored in a full slot's control byte. Go: `h2`.
#[inline(always)]
pub(crate) fn h2(hash: u64) -> u8 {
    (hash & 0x7f) as u8
}

/// A group's control word. Go: `ctrlGroup`.
///
/// The `match_*` methods compare all 8 bytes at once. On x86-64 they use
/// SSE2 (part of the baseline, so always present): the word goes into the
/// low half of an XMM register, one `pcmpeqb` compares every byte and
/// `pmovmskb` gathers one bit per slot, which is 3 instructions where the
/// exact SWAR form takes 11 (`bench/swiss-perf.md` has the counts). Other
/// targets use SWAR on the word, with one bit per byte. Both give exactly
/// the slots Go's `ctrlGroup` methods give: no false positives, so a match
/// costs a key comparison only when the H2 bytes are equal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct CtrlWord(pub(crate) u64);

impl CtrlWord {
    /// Control byte of slot `i`.
    #[inline(always)]
    pub(crate) fn get(self, i: usize) -> u8 {
        (self.0 >> (8 * i)) as u8
    }

    /// Bytes equal to `h2` (exact: no false positives). Go: `matchH2`.
    #[inline(always)]
    pub(crate) fn match_h2(self, h2: u8) -> BitSet {
        BitSet(simd::eq_bytes(self.0, h2))
    }

    /// Empty bytes. Go: `matchEmpty`.
    #[inline(always)]
    pub(crate) fn match_empty(self) -> BitSet {
        BitSet(simd::eq_bytes(self.0, CTRL_EMPTY))
    }

    /// Empty or deleted bytes: those with the top bit set. Go: `matchEmptyOrDeleted`.
    #[inline(always)]
    pub(crate) fn match_empty_or_deleted(self) -> BitSet {
        BitSet(simd::top_bits(self.0))
    }

    /// Deleted bytes.
    #[inline(always)]
    pub(crate) fn match_deleted(self) -> BitSet {
        BitSet(simd::eq_bytes(self.0, CTRL_DELETED))
    }

    /// Full bytes: those with the top bit clear. Go: `matchFull`.
    #[inline(always)]
    pub(crate) fn match_full(self) -> BitSet {
        BitSet(simd::top_bits(self.0) ^ simd::ALL_SLOTS)
    }

    /// The 8 bytes, slot order.
    pub(crate) fn bytes(self) -> [u8; SLOTS] {
        self.0.to_le_bytes()
    }
}

// The byte comparisons behind `CtrlWord`, one implementation per target
// class; each gives a mask in `BitSet`'s representation. The SWAR one is
// compiled everywhere, so x86-64's tests can check SSE2 against it.
#[cfg(target_arch = "x86_64")]
use sse2 as simd;
#[cfg(not(target_arch = "x86_64"))]
use swar as simd;

/// SSE2: slot `i`'s bit is bit `i`.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::{_mm_cmpeq_epi8, _mm_cvtsi64_si128, _mm_movemask_epi8};

    /// Bits per slot in a mask: slot `i` is bit `i`.
    pub(super) const STRIDE_SHIFT: u32 = 0;
    /// Every slot's bit.
    pub(super) const ALL_SLOTS: u64 = 0xff;

    /// 0x01 in each byte.
    const LSB: u64 = 0x0101_0101_0101_0101;

    /// One bit per byte of `word` equal to `b`.
    #[inline(always)]
    pub(super) fn eq_bytes(word: u64, b: u8) -> u64 {
        // `b` is spread over 8 bytes by a multiply and moved over with the
        // word (3 instructions where `_mm_set1_epi8` takes 5). Both leave
        // the 8 lanes above zero, which always compare equal, so the mask
        // keeps the low 8 bits only.
        // SAFETY: SSE2 is part of the x86-64 baseline, so these
        // instructions exist on every machine this code is compiled for;
        // they only compute on registers. (Newer compilers treat them as
        // safe here and would call the block unused.)
        #[allow(unused_unsafe)]
        let m = unsafe {
            _mm_movemask_epi8(_mm_cmpeq_epi8(
                _mm_cvtsi64_si128(word as i64),
                _mm_cvtsi64_si128((LSB * u64::from(b)) as i64),
            ))
        };
        (m as u64) & ALL_SLOTS
    }

    /// One bit per byte of `word` whose top bit is set.
    #[inline(always)]
    pub(super) fn top_bits(word: u64) -> u64 {
        // SAFETY: as in `eq_bytes`: a baseline SSE2 instruction on registers.
        #[allow(unused_unsafe)]
        let m = unsafe { _mm_movemask_epi8(_mm_cvtsi64_si128(word as i64)) };
        // The lanes above are zero, so this mask changes no bit; it tells
        // the compiler that a slot found in the set is below 8, which
        // spares the slot-range check of a write to it.
        (m as u64) & ALL_SLOTS
    }

    /// Asks for the cache line at `p` ahead of its first read.
    #[inline(always)]
    pub(super) fn prefetch(p: *const u8) {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: `prefetcht0` is baseline SSE; a prefetch reads nothing
        // and cannot fault, whatever the address.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>())
        }
    }
}

/// SWAR on the 64-bit word: slot `i`'s bit is bit 7 of byte `i`.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
mod swar {
    use super::MSB;

    /// The low 7 bits of each byte.
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    /// 0x01 in each byte. Go: `bitsetLSB`.
    const LSB: u64 = 0x0101_0101_0101_0101;

    pub(super) const STRIDE_SHIFT: u32 = 3;
    pub(super) const ALL_SLOTS: u64 = MSB;

    #[inline(always)]
    pub(super) fn eq_bytes(word: u64, b: u8) -> u64 {
        let v = word ^ (LSB * u64::from(b));
        // A byte of `v` is zero iff neither its top bit nor (its low 7 bits
        // + 0x7f) has bit 7 set; the sum never carries into the next byte,
        // so there are no false positives.
        !(((v & LOW7) + LOW7) | v) & MSB
    }

    #[inline(always)]
    pub(super) fn top_bits(word: u64) -> u64 {
        word & MSB
    }

    /// No prefetch: stable Rust has no portable prefetch hint. (x86-64's
    /// tests compile this module to check SSE2 against it, without this.)
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    #[inline(always)]
    pub(super) fn prefetch(_p: *const u8) {}
}

/// Where slot `i`'s control byte lies in its group's word: bits 8i..8i+8
/// of the word are byte i in memory on a little-endian machine, byte 7 − i
/// on a big-endian one.
#[inline(always)]
const fn byte_at(i: usize) -> usize {
    if cfg!(target_endian = "big") {
        SLOTS - 1 - i
    } else {
        i
    }
}

/// Quadratic probe over the groups of a table (or any power-of-two group
/// array): `p0 = H1 & mask`, then
/// `p_i = (p_{i-1} + i) & mask`, which visits every group once per
/// `mask + 1` steps. Go: `probeSeq`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProbeSeq {
    mask: usize,
    offset: usize,
    index: usize,
}

impl ProbeSeq {
    /// The probe of `hash` over `groups` groups (a power of two).
    #[inline(always)]
    pub(crate) fn new(hash: u64, groups: usize) -> Self {
        let mask = groups - 1;
        ProbeSeq {
            mask,
            offset: (h1(hash) as usize) & mask,
            index: 0,
        }
    }

    /// The group the probe is at. Always below the group count it was made
    /// with: the offset is masked by `groups − 1`.
    #[inline(always)]
    pub(crate) fn group(&self) -> usize {
        self.offset
    }

    /// Steps taken (0 at the home group).
    #[inline(always)]
    pub(crate) fn steps(&self) -> usize {
        self.index
    }

    /// Moves to the next group.
    #[inline(always)]
    pub(crate) fn advance(&mut self) {
        self.index += 1;
        self.offset = (self.offset + self.index) & self.mask;
    }
}

/// The groups of one probe sequence over a [`GroupArray`]
/// ([`GroupArray::probe`]): an endless iterator.
pub(crate) struct Probe<'a, K, V> {
    arr: ArrayRef<'a, K, V>,
    /// At the group the next call hands out.
    seq: ProbeSeq,
}

impl<'a, K, V> Iterator for Probe<'a, K, V> {
    type Item = ProbeGroup<'a, K, V>;
    #[inline(always)]
    fn next(&mut self) -> Option<ProbeGroup<'a, K, V>> {
        let index = self.seq.group();
        self.seq.advance();
        // SAFETY: the sequence was made with `arr.groups`, so index < groups.
        let ctrl = unsafe { self.arr.ctrl_unchecked(index) };
        Some(ProbeGroup {
            arr: self.arr,
            index,
            ctrl,
        })
    }
}

/// One group on a probe: its index and control word. Only a [`Probe`]
/// makes one, so its index is in range for its array.
pub(crate) struct ProbeGroup<'a, K, V> {
    arr: ArrayRef<'a, K, V>,
    /// The group's index in its array.
    pub(crate) index: usize,
    /// Its control word.
    pub(crate) ctrl: CtrlWord,
}

// Copy for any K and V (a derive would ask K: Copy, V: Copy).
impl<K, V> Clone for ProbeGroup<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for ProbeGroup<'_, K, V> {}

impl<'a, K, V> ProbeGroup<'a, K, V> {
    /// The full slots whose control byte is `H2(hash)`, with their keys.
    /// Go: `ctrlGroup.matchH2`, then `group.key`.
    #[inline(always)]
    pub(crate) fn matches(self, hash: u64) -> impl Iterator<Item = (usize, &'a K)> {
        self.ctrl.match_h2(h2(hash)).map(move |i| {
            // SAFETY: index < groups (a `Probe` made this group), i < 8 (a
            // bit of one group's match), and byte i equals H2 < 0x80, so the
            // slot is full and its key stays initialized while `arr` is
            // borrowed.
            unsafe {
                let (k, _) = self.arr.fields_unchecked(self.index, i);
                (i, &*k)
            }
        })
    }
}

/// Where a group array's groups are: its address and group count, copied
/// out of the array ([`GroupArray::head`]). The map keeps one per directory
/// entry, so a lookup goes from the directory straight to the groups
/// instead of loading the table first: one dependent load less, which was
/// most of a lookup's time at N = 1,000 (`bench/swiss-perf.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Head {
    ptr: NonNull<u8>,
    groups: usize,
}

// SAFETY: a Head is an address with no access of its own: reading through
// it needs `ArrayRef::from_head`, whose caller holds a borrow of the array's
// owner, and that owner's Send and Sync are what the GroupArray's are.
unsafe impl Send for Head {}
// SAFETY: as above.
unsafe impl Sync for Head {}

/// A shared borrow of a [`GroupArray`] as its address and group count, so
/// it can be made from a [`Head`] without the array itself. Probes and
/// lookups run on it.
pub(crate) struct ArrayRef<'a, K, V> {
    ptr: NonNull<u8>,
    groups: usize,
    _borrow: PhantomData<&'a GroupArray<K, V>>,
}

// Copy for any K and V (a derive would ask K: Copy, V: Copy).
impl<K, V> Clone for ArrayRef<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for ArrayRef<'_, K, V> {}

impl<'a, K, V> ArrayRef<'a, K, V> {
    /// The array a head was taken from.
    ///
    /// # Safety
    /// `head` is `GroupArray::<K, V>::head()` of an array that is still
    /// alive (not dropped, and its groups not replaced) and that nothing
    /// mutates for `'a`.
    #[inline(always)]
    pub(crate) unsafe fn from_head(head: Head) -> Self {
        ArrayRef {
            ptr: head.ptr,
            groups: head.groups,
            _borrow: PhantomData,
        }
    }

    /// Group `g`'s control word, unchecked.
    ///
    /// # Safety
    /// `g < groups`.
    #[inline(always)]
    unsafe fn ctrl_unchecked(self, g: usize) -> CtrlWord {
        debug_assert!(g < self.groups);
        // SAFETY: g < groups (caller), so the word is inside the allocation,
        // at a group's start (8-aligned) and initialized by `new`.
        CtrlWord(unsafe {
            ptr::read(
                self.ptr
                    .as_ptr()
                    .add(g * Shape::<K, V>::GROUP_SIZE)
                    .cast::<u64>(),
            )
        })
    }

    /// Pointers to the key and value of slot `i` of group `g`, following
    /// the boxes of indirect fields, unchecked.
    ///
    /// # Safety
    /// `g < groups`, `i < SLOTS`, and the slot is full.
    #[inline(always)]
    unsafe fn fields_unchecked(self, g: usize, i: usize) -> (*const K, *mut V) {
        debug_assert!(g < self.groups && i < SLOTS);
        // SAFETY: the slot lies inside the allocation (caller's bounds);
        // it is full (caller), so both fields are initialized, holding the
        // box pointers where the shape says indirect.
        unsafe {
            let p = self.ptr.as_ptr().add(
                g * Shape::<K, V>::GROUP_SIZE
                    + Shape::<K, V>::SLOTS_OFF
                    + i * Shape::<K, V>::SLOT_SIZE,
            );
            (
                field_ptr::<K>(p, Shape::<K, V>::KEY_INDIRECT),
                field_ptr::<V>(p.add(Shape::<K, V>::VAL_OFF), Shape::<K, V>::VAL_INDIRECT),
            )
        }
    }

    /// Prefetches the lines of group `g` after the one its control word
    /// starts, up to two: all of a group of 16-byte slots (136 bytes,
    /// three lines), slots 0 to 3 or 4 of a group of 32-byte ones (264
    /// bytes, five lines). Go's layout puts the control word
    /// and the slots in one group, so a lookup that misses the cache waits
    /// for the word, matches it, then waits again for the slot's line; the
    /// prefetch overlaps the two. Only lookups prefetch (`probe_h2`: gets,
    /// removes, the range cursor), not the insert walks, whose growth moves
    /// write into tables that are in cache; and only the home group (a hit
    /// is almost always there). Misses pay for lines they never read:
    /// `bench/swiss-perf.md`, "Prefetching the home group's slots (session
    /// 13)", has both sides.
    #[inline(always)]
    fn prefetch_slots(self, g: usize) {
        let size = Shape::<K, V>::GROUP_SIZE;
        // Addresses inside group g (each offset is below `size`), though a
        // prefetch of any address would be harmless.
        let gp = self.ptr.as_ptr().wrapping_add(g * size);
        if size > 64 {
            simd::prefetch(gp.wrapping_add(64));
        }
        if size > 128 {
            simd::prefetch(gp.wrapping_add(128));
        }
    }

    /// See [`GroupArray::probe`].
    #[inline(always)]
    pub(crate) fn probe(self, hash: u64) -> Probe<'a, K, V> {
        Probe {
            arr: self,
            seq: ProbeSeq::new(hash, self.groups),
        }
    }

    /// See [`GroupArray::probe_h2`].
    #[inline(always)]
    pub(crate) fn probe_h2(
        self, hash: u64, small: bool, mut visit: impl FnMut(usize, usize, &'a K) -> bool,
    ) {
        // Whether the walk goes on past `group`.
        let mut scan = |group: ProbeGroup<'a, K, V>| {
            for (i, k) in group.matches(hash) {
                if !visit(group.index, i, k) {
                    return false;
                }
            }
            group.ctrl.match_empty().is_empty()
        };
        let mut probe = self.probe(hash);
        let Some(home) = probe.next() else {
            unreachable!("a probe never ends")
        };
        // The home group's slot lines are prefetched once its control word
        // is read; a small map's one group is as hot as the map. The home
        // group is the loop's first turn written out, so that no flag says
        // which turn is the first.
        if !small {
            self.prefetch_slots(home.index);
        }
        if !scan(home) || small {
            return;
        }
        for group in probe {
            if !scan(group) {
                return;
            }
        }
    }

    /// See [`GroupArray::find`].
    #[inline(always)]
    pub(crate) fn find(
        self, hash: u64, small: bool, mut eq: impl FnMut(&K) -> bool,
    ) -> Option<(usize, usize)> {
        let mut found = None;
        self.probe_h2(hash, small, |g, i, k| {
            if eq(k) {
                found = Some((g, i));
                false
            } else {
                true
            }
        });
        found
    }

    /// See [`GroupArray::find_entry`].
    #[inline(always)]
    pub(crate) fn find_entry(
        self, hash: u64, small: bool, eq: impl FnMut(&K) -> bool,
    ) -> Option<(&'a K, &'a V)> {
        let (g, i) = self.find(hash, small, eq)?;
        // SAFETY: `find` returns only full slots of this array; both fields
        // are initialized and stay so while the array is borrowed for 'a.
        unsafe {
            let (k, v) = self.fields_unchecked(g, i);
            Some((&*k, &*v))
        }
    }
}

/// A full slot of a [`GroupArray`], made only by [`GroupArray::find_full`]
/// from what its probe found: `g < groups`, `i < SLOTS` and the slot full.
/// The handle holds the array's unique borrow, so nothing can empty the
/// slot or replace the array while it lives; its methods rely on that
/// instead of checking again (`take` checks the slot, the group and the
/// byte).
pub(crate) struct FullSlot<'a, K, V> {
    arr: &'a mut GroupArray<K, V>,
    g: usize,
    i: usize,
}

impl<K, V> FullSlot<'_, K, V> {
    /// Whether the slot's group has an empty byte: a removal then leaves
    /// an empty byte, else a tombstone (Go's rule).
    #[inline(always)]
    pub(crate) fn group_has_empty(&self) -> bool {
        // SAFETY: g < groups (the handle's invariant).
        !unsafe { self.arr.as_ref().ctrl_unchecked(self.g) }
            .match_empty()
            .is_empty()
    }

    /// Moves the entry out, leaving `mark`: [`GroupArray::take`] without
    /// its checks.
    #[inline(always)]
    pub(crate) fn take(self, mark: Mark) -> (K, V) {
        let (g, i) = (self.g, self.i);
        // SAFETY: g < groups, i < SLOTS and the slot is full (the handle's
        // invariant), so the control byte and both fields lie inside the
        // allocation and the fields are initialized; the byte written no
        // longer says full, so they are read exactly once. The pointers
        // come from the array's own, which owns the allocation, and the
        // handle's `&mut` makes the accesses unique.
        unsafe {
            let group = self.arr.ptr.as_ptr().add(g * Shape::<K, V>::GROUP_SIZE);
            ptr::write(group.add(byte_at(i)), mark.byte());
            let p = group.add(Shape::<K, V>::SLOTS_OFF + i * Shape::<K, V>::SLOT_SIZE);
            (
                read_field::<K>(p, Shape::<K, V>::KEY_INDIRECT),
                read_field::<V>(p.add(Shape::<K, V>::VAL_OFF), Shape::<K, V>::VAL_INDIRECT),
            )
        }
    }
}

/// A set of slots of one group, one bit each: bit `i` on x86-64 (the
/// `pmovmskb` mask), bit 7 of byte `i` elsewhere (the SWAR mask). Go: `bitset`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BitSet(u64);

impl BitSet {
    /// Whether no slot is in the set.
    #[inline(always)]
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The lowest slot in the set. Go: `bitset.first`.
    #[inline(always)]
    pub(crate) fn first(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some((self.0.trailing_zeros() >> simd::STRIDE_SHIFT) as usize)
        }
    }

    /// Number of slots in the set.
    #[inline(always)]
    pub(crate) fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The slots `s` and above (`s < 8`).
    #[inline(always)]
    fn keep_from(self, s: usize) -> BitSet {
        BitSet(self.0 & (u64::MAX << (s << simd::STRIDE_SHIFT)))
    }

    /// The slots below `s` (`s < 8`).
    #[inline(always)]
    fn keep_below(self, s: usize) -> BitSet {
        BitSet(self.0 & !(u64::MAX << (s << simd::STRIDE_SHIFT)))
    }
}

/// Positions of a group array in Go's in-table iteration order, slot
/// positions `(e + offset) & (capacity − 1)` for `e = 0, 1, …`, visited a
/// group at a time: the start group from its start slot, the groups after
/// it (wrapping), then the start group's slots before the start slot. One
/// control word is read per group instead of one byte per slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotCursor {
    groups: usize,
    /// The start group and slot.
    g0: usize,
    s0: usize,
    /// Groups read so far (`groups + 1` steps: the start group twice).
    step: usize,
    /// The group of `pending`.
    g: usize,
    /// Full slots of group `g` not handed out yet.
    pending: BitSet,
}

impl SlotCursor {
    /// A walk over `groups` groups (a power of two) from `offset`.
    pub(crate) fn new(groups: usize, offset: usize) -> Self {
        let p0 = offset & (groups * SLOTS - 1);
        SlotCursor {
            groups,
            g0: p0 / SLOTS,
            s0: p0 % SLOTS,
            step: 0,
            g: 0,
            pending: BitSet(0),
        }
    }

    /// The next full slot as `(group, slot)`, reading control words with
    /// `ctrl`; `None` once every position was visited. A slot is named iff
    /// its byte was full when its group's word was read.
    #[inline]
    pub(crate) fn next(&mut self, ctrl: impl Fn(usize) -> CtrlWord) -> Option<(usize, usize)> {
        loop {
            if let Some(i) = self.pending.next() {
                return Some((self.g, i));
            }
            if self.step > self.groups {
                return None;
            }
            let g = (self.g0 + self.step) & (self.groups - 1);
            let full = ctrl(g).match_full();
            self.pending = if self.step == 0 {
                full.keep_from(self.s0)
            } else if self.step == self.groups {
                full.keep_below(self.s0)
            } else {
                full
            };
            self.g = g;
            self.step += 1;
        }
    }
}

/// The entries of one group array in Go's in-table iteration order
/// ([`GroupArray::ordered`]). Only that method makes one, so the slots its
/// cursor names are full slots of `arr`, which the shared borrow keeps as
/// they are.
pub(crate) struct OrderedSlots<'a, K, V> {
    arr: &'a GroupArray<K, V>,
    cursor: SlotCursor,
}

impl<K, V> Clone for OrderedSlots<'_, K, V> {
    fn clone(&self) -> Self {
        OrderedSlots {
            arr: self.arr,
            cursor: self.cursor,
        }
    }
}

impl<'a, K, V> Iterator for OrderedSlots<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        let arr = self.arr;
        let (g, i) = self.cursor.next(|g| arr.ctrl(g))?;
        // SAFETY: the cursor named (g, i) from group g's control word of
        // `arr` (read by the bounds-checked `ctrl`; i < 8), where the byte
        // was full; `arr` has been shared-borrowed since, so the slot is
        // still full and its fields stay initialized for 'a.
        unsafe {
            let (k, v) = arr.fields_unchecked(g, i);
            Some((&*k, &*v))
        }
    }
}

impl Iterator for BitSet {
    type Item = usize;
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        let i = self.first()?;
        self.0 &= self.0 - 1;
        Some(i)
    }
}

const fn round_up(n: usize, align: usize) -> usize {
    (n + align - 1) & !(align - 1)
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// How a slot stores a `T`: inline, or (over [`MAX_INLINE`] bytes) as a
/// pointer to its own box.
struct Field<T>(PhantomData<T>);

impl<T> Field<T> {
    /// Stored by pointer.
    const INDIRECT: bool = size_of::<T>() > MAX_INLINE;
    /// Bytes the field takes in the slot.
    const SIZE: usize = if Self::INDIRECT {
        size_of::<*mut T>()
    } else {
        size_of::<T>()
    };
    /// Alignment of the field in the slot.
    const ALIGN: usize = if Self::INDIRECT {
        align_of::<*mut T>()
    } else {
        align_of::<T>()
    };
}

/// The byte layout of a group for `K → V`: Go's `MapType` sizes.
pub(crate) struct Shape<K, V>(PhantomData<(K, V)>);

impl<K, V> Shape<K, V> {
    /// The key is boxed and the slot holds the pointer. Go: `IndirectKey`.
    pub(crate) const KEY_INDIRECT: bool = Field::<K>::INDIRECT;
    /// The value is boxed and the slot holds the pointer. Go: `IndirectElem`.
    pub(crate) const VAL_INDIRECT: bool = Field::<V>::INDIRECT;
    const KEY_SIZE: usize = Field::<K>::SIZE;
    const KEY_ALIGN: usize = Field::<K>::ALIGN;
    const VAL_SIZE: usize = Field::<V>::SIZE;
    const VAL_ALIGN: usize = Field::<V>::ALIGN;
    /// Offset of the value within a slot. Go: `ElemOff`.
    pub(crate) const VAL_OFF: usize = round_up(Self::KEY_SIZE, Self::VAL_ALIGN);
    const SLOT_ALIGN: usize = max(Self::KEY_ALIGN, Self::VAL_ALIGN);
    /// Bytes per slot. Go: `SlotSize`.
    pub(crate) const SLOT_SIZE: usize = round_up(Self::VAL_OFF + Self::VAL_SIZE, Self::SLOT_ALIGN);
    /// Offset of slot 0 in a group (after the control word).
    pub(crate) const SLOTS_OFF: usize = round_up(8, Self::SLOT_ALIGN);
    const GROUP_ALIGN: usize = max(8, Self::SLOT_ALIGN);
    /// Bytes per group. Go: `GroupSize`.
    pub(crate) const GROUP_SIZE: usize =
        round_up(Self::SLOTS_OFF + SLOTS * Self::SLOT_SIZE, Self::GROUP_ALIGN);
}

/// A power-of-two array of groups, owning the entries in its full slots.
///
/// Invariant: a slot's control byte is full (< 0x80) iff its key and value
/// fields are initialized (holding the box pointers where the shape says
/// indirect). Every method keeps it, so callers need no `unsafe`: reading a
/// slot checks its byte, writing a full slot is refused.
pub(crate) struct GroupArray<K, V> {
    ptr: NonNull<u8>,
    /// Number of groups, a power of two.
    groups: usize,
    _owns: PhantomData<(K, V)>,
}

// SAFETY: a GroupArray owns its entries as a `Vec<(K, V)>` would; sending
// or sharing it sends or shares them.
unsafe impl<K: Send, V: Send> Send for GroupArray<K, V> {}
// SAFETY: as above; `&GroupArray` hands out only `&K`/`&V`.
unsafe impl<K: Sync, V: Sync> Sync for GroupArray<K, V> {}

impl<K, V> GroupArray<K, V> {
    fn layout(groups: usize) -> Layout {
        // GROUP_SIZE ≤ 8 + 8 · 2 · (128 + 128) bytes and tables have at most
        // 128 groups, so this cannot overflow.
        Layout::from_size_align(
            groups * Shape::<K, V>::GROUP_SIZE,
            Shape::<K, V>::GROUP_ALIGN,
        )
        .expect("group array layout")
    }

    /// `groups` groups with every control byte empty. Go: `newGroups` + `setEmpty`.
    pub(crate) fn new(groups: usize) -> Self {
        assert!(groups.is_power_of_two());
        let layout = Self::layout(groups);
        // SAFETY: the layout has a non-zero size (a group holds at least its
        // 8-byte control word).
        let raw = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout)
        };
        let mut arr = GroupArray {
            ptr,
            groups,
            _owns: PhantomData,
        };
        for g in 0..groups {
            arr.write_ctrl(g, CtrlWord(ALL_EMPTY));
        }
        arr
    }

    /// Number of groups.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.groups
    }

    /// Bytes of the allocation.
    pub(crate) fn bytes(&self) -> usize {
        self.groups * Shape::<K, V>::GROUP_SIZE
    }

    /// Address of group `g`'s control word. Panics if `g` is out of range.
    #[inline(always)]
    fn group_ptr(&self, g: usize) -> *mut u8 {
        assert!(g < self.groups, "group index out of range");
        // SAFETY: g < groups, so the offset stays inside the allocation.
        unsafe { self.ptr.as_ptr().add(g * Shape::<K, V>::GROUP_SIZE) }
    }

    /// Address of slot `i` of group `g` (its key field).
    #[inline(always)]
    fn slot_ptr(&self, g: usize, i: usize) -> *mut u8 {
        assert!(i < SLOTS);
        // SAFETY: group_ptr checked g; slot i < 8 lies inside the group.
        unsafe {
            self.group_ptr(g)
                .add(Shape::<K, V>::SLOTS_OFF + i * Shape::<K, V>::SLOT_SIZE)
        }
    }

    /// Group `g`'s control word.
    #[inline(always)]
    pub(crate) fn ctrl(&self, g: usize) -> CtrlWord {
        // SAFETY: the control word is at the group's start, 8-aligned (the
        // group alignment is at least 8) and initialized by `new`.
        CtrlWord(unsafe { ptr::read(self.group_ptr(g).cast::<u64>()) })
    }

    #[inline(always)]
    fn write_ctrl(&mut self, g: usize, w: CtrlWord) {
        // SAFETY: as in `ctrl`; `&mut self` makes the write unique.
        unsafe { ptr::write(self.group_ptr(g).cast::<u64>(), w.0) }
    }

    #[inline(always)]
    fn set_byte(&mut self, g: usize, i: usize, b: u8) {
        assert!(i < SLOTS);
        // SAFETY: group_ptr checked g, and byte_at(i) < 8 is inside the
        // group's control word; `&mut self` makes the write unique.
        unsafe { ptr::write(self.group_ptr(g).add(byte_at(i)), b) }
    }

    /// Whether slot `i` of group `g` is full.
    #[inline(always)]
    pub(crate) fn is_full(&self, g: usize, i: usize) -> bool {
        self.ctrl(g).get(i) < CTRL_EMPTY
    }

    /// This array as an [`ArrayRef`].
    #[inline(always)]
    pub(crate) fn as_ref(&self) -> ArrayRef<'_, K, V> {
        ArrayRef {
            ptr: self.ptr,
            groups: self.groups,
            _borrow: PhantomData,
        }
    }

    /// Where this array's groups are, for a directory's copy.
    #[inline(always)]
    pub(crate) fn head(&self) -> Head {
        Head {
            ptr: self.ptr,
            groups: self.groups,
        }
    }

    /// The groups on the probe of `hash`, home group first, without end
    /// (the caller decides where a probe stops). Go: `probeSeq` over
    /// `groups.group`.
    #[inline(always)]
    pub(crate) fn probe(&self, hash: u64) -> Probe<'_, K, V> {
        self.as_ref().probe(hash)
    }

    /// Walks the probe of `hash`, calling `visit(g, i, key)` for every full
    /// slot whose control byte is `H2(hash)` until it returns false, and
    /// stops after the first group with an empty byte — or after group 0
    /// when `small` (a small map's one group is searched alone: it may have
    /// no empty byte). The lookup walk: lookups and the range cursor use it.
    /// Go: the loops of `table.getWithKey` and `Map.getWithKeySmall`.
    #[inline(always)]
    pub(crate) fn probe_h2(
        &self, hash: u64, small: bool, visit: impl FnMut(usize, usize, &K) -> bool,
    ) {
        self.as_ref().probe_h2(hash, small, visit)
    }

    /// The first full slot on the probe of `hash` (see [`Self::probe_h2`])
    /// whose key `eq` accepts, as `(group, slot)`.
    #[inline(always)]
    pub(crate) fn find(
        &self, hash: u64, small: bool, eq: impl FnMut(&K) -> bool,
    ) -> Option<(usize, usize)> {
        self.as_ref().find(hash, small, eq)
    }

    /// The entry [`Self::find`] finds.
    #[inline(always)]
    pub(crate) fn find_entry(
        &self, hash: u64, small: bool, eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &V)> {
        self.as_ref().find_entry(hash, small, eq)
    }

    /// The entry [`Self::find`] finds, the value mutable.
    #[inline(always)]
    pub(crate) fn find_entry_mut(
        &mut self, hash: u64, small: bool, eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let (g, i) = self.find(hash, small, eq)?;
        // SAFETY: as in `find_entry`; `&mut self` makes the value
        // reference unique.
        unsafe {
            let (k, v) = self.fields_unchecked(g, i);
            Some((&*k, &mut *v))
        }
    }

    /// The full slot [`Self::find`] finds, as a handle that removes its
    /// entry without checking the slot a second time.
    #[inline(always)]
    pub(crate) fn find_full(
        &mut self, hash: u64, small: bool, eq: impl FnMut(&K) -> bool,
    ) -> Option<FullSlot<'_, K, V>> {
        let (g, i) = self.find(hash, small, eq)?;
        Some(FullSlot { arr: self, g, i })
    }

    /// Pointers to the key and value of slot `i` of group `g`, following
    /// the boxes of indirect fields, unchecked.
    ///
    /// # Safety
    /// `g < self.len()`, `i < SLOTS`, and the slot is full.
    #[inline(always)]
    unsafe fn fields_unchecked(&self, g: usize, i: usize) -> (*const K, *mut V) {
        // SAFETY: the caller's bounds and fullness.
        unsafe { self.as_ref().fields_unchecked(g, i) }
    }

    /// Panics if the slot is full: that would forget its entry.
    pub(crate) fn set_mark(&mut self, g: usize, i: usize, mark: Mark) {
        assert!(!self.is_full(g, i), "set_mark on a full slot");
        self.set_byte(g, i, mark.byte());
    }

    /// Marks every non-full slot empty (clear, drain: tombstones go).
    pub(crate) fn reset_marks(&mut self) {
        for g in 0..self.groups {
            let w = self.ctrl(g);
            // Full bytes (top bit clear) stay; every other byte becomes 0x80.
            let full_bytes = ((!w.0 & MSB) >> 7) * 0xff;
            self.write_ctrl(g, CtrlWord((w.0 & full_bytes) | (ALL_EMPTY & !full_bytes)));
        }
    }

    /// Stores `(key, val)` in the non-full slot `i` of group `g` with
    /// control byte `h2`. Panics if `g` or `i` is out of range.
    ///
    /// That the slot is not full is the caller's to know (every caller
    /// found it by a free byte of the same control word) and is checked in
    /// debug builds only: writing over a full slot would leak its entry,
    /// not break memory safety, and the release check cost a hinted insert
    /// 4 of its 130 instructions (`bench/swiss-perf.md`, session 16).
    #[inline]
    pub(crate) fn write(&mut self, g: usize, i: usize, h2: u8, key: K, val: V) {
        debug_assert!(!self.is_full(g, i), "write into a full slot");
        debug_assert!(h2 < CTRL_EMPTY);
        let p = self.slot_ptr(g, i);
        // SAFETY: p is slot i's key field and p + VAL_OFF its value field,
        // aligned by the shape and unused (the byte is not full); boxing
        // happens before the control byte says full.
        unsafe {
            write_field::<K>(p, key, Shape::<K, V>::KEY_INDIRECT);
            write_field::<V>(
                p.add(Shape::<K, V>::VAL_OFF),
                val,
                Shape::<K, V>::VAL_INDIRECT,
            );
        }
        self.set_byte(g, i, h2);
    }

    /// Moves the entry out of the full slot `i` of group `g`, leaving
    /// `mark`. Panics if the slot is not full.
    #[inline]
    pub(crate) fn take(&mut self, g: usize, i: usize, mark: Mark) -> (K, V) {
        assert!(self.is_full(g, i), "take from a non-full slot");
        let p = self.slot_ptr(g, i);
        self.set_byte(g, i, mark.byte());
        // SAFETY: the slot was full, so both fields are initialized; the
        // byte no longer says full, so they are read exactly once.
        unsafe {
            (
                read_field::<K>(p, Shape::<K, V>::KEY_INDIRECT),
                read_field::<V>(p.add(Shape::<K, V>::VAL_OFF), Shape::<K, V>::VAL_INDIRECT),
            )
        }
    }

    /// The key of slot `i` of group `g`, if full.
    #[inline(always)]
    pub(crate) fn key(&self, g: usize, i: usize) -> Option<&K> {
        if !self.is_full(g, i) {
            return None;
        }
        // SAFETY: the slot is full, so its key field is initialized; the
        // reference lives as long as `&self`, which keeps the slot.
        Some(unsafe { field_ref::<K>(self.slot_ptr(g, i), Shape::<K, V>::KEY_INDIRECT) })
    }

    /// The entry of slot `i` of group `g`, if full.
    #[inline(always)]
    pub(crate) fn entry(&self, g: usize, i: usize) -> Option<(&K, &V)> {
        let (k, v) = self.full_fields(g, i)?;
        // SAFETY: as in `key`, for both fields.
        unsafe {
            Some((
                field_ref::<K>(k, Shape::<K, V>::KEY_INDIRECT),
                field_ref::<V>(v, Shape::<K, V>::VAL_INDIRECT),
            ))
        }
    }

    /// Pointers to the key and value fields of slot `i` of group `g`, if
    /// the slot is full.
    #[inline(always)]
    fn full_fields(&self, g: usize, i: usize) -> Option<(*mut u8, *mut u8)> {
        if !self.is_full(g, i) {
            return None;
        }
        let p = self.slot_ptr(g, i);
        Some((p, p.wrapping_add(Shape::<K, V>::VAL_OFF)))
    }

    /// The entry of slot `i` of group `g`, if full, with the value mutable.
    #[inline(always)]
    pub(crate) fn entry_mut(&mut self, g: usize, i: usize) -> Option<(&K, &mut V)> {
        let (k, v) = self.full_fields(g, i)?;
        // SAFETY: as in `entry`; `&mut self` makes the value reference unique.
        unsafe {
            Some((
                field_ref::<K>(k, Shape::<K, V>::KEY_INDIRECT),
                field_mut::<V>(v, Shape::<K, V>::VAL_INDIRECT),
            ))
        }
    }

    /// Swaps the key of full slot `i` of group `g` for `key` (equal to it,
    /// so its control byte stays right), returning the old key.
    ///
    /// # Panics
    /// If the slot is not full.
    pub(crate) fn replace_key(&mut self, g: usize, i: usize, key: K) -> K {
        assert!(self.is_full(g, i), "replace_key on a slot that is not full");
        // SAFETY: the slot is full, so its key field is initialized;
        // `&mut self` makes the reference unique while we swap.
        let k = unsafe { field_mut::<K>(self.slot_ptr(g, i), Shape::<K, V>::KEY_INDIRECT) };
        core::mem::replace(k, key)
    }

    /// Pointers to the key and value of full slot `i` of group `g`, or
    /// `None` if the slot is not full. The pointers stay valid while the
    /// slot stays full and the array is not freed.
    pub(crate) fn entry_ptrs(&mut self, g: usize, i: usize) -> Option<(NonNull<K>, NonNull<V>)> {
        if !self.is_full(g, i) {
            return None;
        }
        let p = self.slot_ptr(g, i);
        // SAFETY: the slot is full, so both fields are initialized; the
        // references end within this statement, leaving raw pointers.
        unsafe {
            Some((
                NonNull::from(field_mut::<K>(p, Shape::<K, V>::KEY_INDIRECT)),
                NonNull::from(field_mut::<V>(
                    p.add(Shape::<K, V>::VAL_OFF),
                    Shape::<K, V>::VAL_INDIRECT,
                )),
            ))
        }
    }

    /// Every full slot's entry, positions visited as `(e + start) &
    /// (capacity − 1)` for `e = 0, 1, …` (Go's in-table iteration order).
    pub(crate) fn ordered(&self, start: usize) -> OrderedSlots<'_, K, V> {
        OrderedSlots {
            arr: self,
            cursor: SlotCursor::new(self.groups, start),
        }
    }

    /// Every full slot's entry with a mutable value, positions visited as
    /// `(e + start) & (capacity − 1)` for `e = 0, 1, …` (Go's in-table
    /// iteration order).
    pub(crate) fn entries_mut(&mut self, start: usize) -> SlotsMut<'_, K, V> {
        SlotsMut {
            ptr: self.ptr,
            groups: self.groups,
            start,
            e: 0,
            _borrow: PhantomData,
        }
    }

    /// Drops every entry, each slot marked empty before its entry drops. If
    /// a `Drop` panics, the rest are dropped while the panic unwinds.
    pub(crate) fn drop_entries(&mut self) {
        self.drop_entries_from(0);
    }

    fn drop_entries_from(&mut self, from: usize) {
        struct Rest<'a, K, V>(&'a mut GroupArray<K, V>, usize);
        impl<K, V> Drop for Rest<'_, K, V> {
            fn drop(&mut self) {
                self.0.drop_entries_from(self.1);
            }
        }
        if !core::mem::needs_drop::<(K, V)>()
            && !Shape::<K, V>::KEY_INDIRECT
            && !Shape::<K, V>::VAL_INDIRECT
        {
            for g in from / SLOTS..self.groups {
                for i in self.ctrl(g).match_full() {
                    self.set_byte(g, i, CTRL_EMPTY);
                }
            }
            return;
        }
        for pos in from..self.groups * SLOTS {
            let (g, i) = (pos / SLOTS, pos % SLOTS);
            if self.is_full(g, i) {
                let entry = self.take(g, i, Mark::Empty);
                let rest = Rest(self, pos + 1);
                drop(entry);
                core::mem::forget(rest);
            }
        }
    }

    /// A copy with every entry cloned into the same slot. If a `clone`
    /// panics, the entries cloned so far are dropped.
    pub(crate) fn clone_array(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        let mut out = GroupArray::new(self.groups);
        for g in 0..self.groups {
            for i in 0..SLOTS {
                if let Some((k, v)) = self.entry(g, i) {
                    out.write(g, i, self.ctrl(g).get(i), k.clone(), v.clone());
                }
            }
            // Marks of non-full slots (tombstones) are copied after the
            // entries: `write` refuses only full slots.
            for i in 0..SLOTS {
                let b = self.ctrl(g).get(i);
                if b == CTRL_DELETED {
                    out.set_mark(g, i, Mark::Deleted);
                }
            }
        }
        out
    }
}

// Growth: moving every entry of an array into fresh ones (Go's `grow`
// and `split` loops), without re-checking what the walk already knows.
impl<K, V> GroupArray<K, V> {
    /// Moves every entry into one of `dests`, in group/slot order (Go's
    /// `grow` and `split` loops): each key is hashed where it lies
    /// (`hash`), `pick` chooses a destination by the hash, and the slot's
    /// bytes go to the first free slot on that hash's probe there (Go's
    /// `uncheckedPutSlot`). `moved` then hears of the move as `(hash, from,
    /// to)`, positions as `(group, slot)`. Returns how many entries each
    /// destination got; this array is left with none.
    ///
    /// One pass, hashing and moving each entry in turn, where hashing every
    /// key first cost a second walk and a buffer of hashes
    /// (`bench/swiss-perf.md`, session 16). Nothing is lost if `hash`,
    /// `pick` or `moved` panics, because entries are copied, not moved,
    /// until the last one is placed, and only then does this array let go
    /// of them: while the panic unwinds, this array still holds every entry
    /// and each destination forgets what it holds (its bytes set empty,
    /// nothing dropped). So the destinations should be empty: entries one
    /// held before would leak, nothing worse. Each destination needs a free
    /// slot for every entry `pick` sends it, or its probe never ends.
    pub(crate) fn move_hashed_into<const N: usize>(
        &mut self, dests: [&mut GroupArray<K, V>; N], mut hash: impl FnMut(&K) -> u64,
        mut pick: impl FnMut(u64) -> usize,
        mut moved: impl FnMut(u64, (usize, usize), (usize, usize)),
    ) -> [usize; N] {
        /// Dropped only while a panic unwinds (it is forgotten once every
        /// entry is placed): the destinations let go of their copies.
        struct Forget<'a, K, V, const N: usize>([&'a mut GroupArray<K, V>; N]);
        impl<K, V, const N: usize> Drop for Forget<'_, K, V, N> {
            fn drop(&mut self) {
                for d in self.0.iter_mut() {
                    d.forget_entries();
                }
            }
        }
        let dests = Forget(dests);
        let mut counts = [0; N];
        for g in 0..self.groups {
            for i in self.ctrl(g).match_full() {
                // SAFETY: g < groups (the loop) and i < 8 (a bit of group
                // g's word), and that byte is full, so the key is
                // initialized; nothing writes to this array before the
                // loop ends.
                let (key, src) = unsafe {
                    let (k, _) = self.fields_unchecked(g, i);
                    (&*k, self.slot_bytes_unchecked(g, i))
                };
                let h = hash(key);
                let d = pick(h);
                // SAFETY: `src` is a full slot of this array, which is not
                // the destination (`dests` holds unique borrows of arrays
                // apart from `self`); the destination marks its copy full
                // and this array keeps its own until every entry is placed,
                // then one of the two lets go: this array below, or the
                // destination in `Forget::drop`.
                let to = unsafe { dests.0[d].put_slot_bytes(h, src) };
                counts[d] += 1;
                moved(h, (g, i), to);
            }
        }
        // Every entry is placed: the destinations own them now.
        core::mem::forget(dests);
        self.forget_entries();
        counts
    }

    /// Marks every slot empty without dropping an entry: what a full slot
    /// held is leaked, or owned by another array (the two copies of
    /// [`GroupArray::move_hashed_into`]).
    fn forget_entries(&mut self) {
        for g in 0..self.groups {
            self.write_ctrl(g, CtrlWord(ALL_EMPTY));
        }
    }

    /// The first byte of slot `i` of group `g`.
    ///
    /// # Safety
    /// `g < self.len()` and `i < 8`.
    #[inline(always)]
    unsafe fn slot_bytes_unchecked(&self, g: usize, i: usize) -> *const u8 {
        debug_assert!(g < self.groups && i < SLOTS);
        // SAFETY: within the allocation, by the caller's bounds.
        unsafe {
            self.ptr.as_ptr().add(
                g * Shape::<K, V>::GROUP_SIZE
                    + Shape::<K, V>::SLOTS_OFF
                    + i * Shape::<K, V>::SLOT_SIZE,
            )
        }
    }

    /// Copies the slot at `src` into the first empty or deleted slot on
    /// the probe of `hash`, marks it full with `H2(hash)` and returns its
    /// position. Go: `uncheckedPutSlot`. Without a free slot this never
    /// returns.
    ///
    /// # Safety
    /// `src` is a full slot of another array of the same `K` and `V` (the
    /// same slot layout, box pointers included), outside this one. Both
    /// arrays then mark the entry full: before either drops it or hands it
    /// out mutably, the caller makes one of them let go of it.
    #[inline(always)]
    unsafe fn put_slot_bytes(&mut self, hash: u64, src: *const u8) -> (usize, usize) {
        let (g, i) = self
            .probe(hash)
            .find_map(|group| Some((group.index, group.ctrl.match_empty_or_deleted().first()?)))
            .expect("an endless probe");
        // SAFETY: g < groups (a `Probe` index) and i < 8 (a bit of its
        // control word), read from this array under the unique borrow held
        // since: the slot is free, so nothing is overwritten, and its byte
        // lies in the group's word. `src` is a slot of the same size in
        // another allocation (caller), so the two do not overlap.
        unsafe {
            let gp = self.ptr.as_ptr().add(g * Shape::<K, V>::GROUP_SIZE);
            let dst = gp.add(Shape::<K, V>::SLOTS_OFF + i * Shape::<K, V>::SLOT_SIZE);
            ptr::copy_nonoverlapping(src, dst, Shape::<K, V>::SLOT_SIZE);
            ptr::write(gp.add(byte_at(i)), h2(hash));
        }
        (g, i)
    }
}

/// A group array readied a little at a time, so that the split which
/// takes it writes no fresh page (`reserve.rs` says why). It is allocated
/// at once, but its control words are written a step at a time, each step
/// also touching every page it covers. Until the last control word is
/// written it is not a [`GroupArray`], so nothing can read one that is
/// unwritten: [`Warming::finish`] is the only way to get the array.
pub(crate) struct Warming<K, V> {
    ptr: NonNull<u8>,
    /// Number of groups, a power of two.
    groups: usize,
    /// Bytes from the start whose control words are written and whose
    /// pages are touched.
    done: usize,
    _owns: PhantomData<(K, V)>,
}

// SAFETY: a Warming array holds no entries, only memory it owns.
unsafe impl<K, V> Send for Warming<K, V> {}
// SAFETY: as above; `&Warming` reads nothing.
unsafe impl<K, V> Sync for Warming<K, V> {}

/// The page size the steps assume: a smaller real page leaves pages for
/// the split to touch; a larger one is touched more than once.
const PAGE: usize = 4096;

impl<K, V> Warming<K, V> {
    /// `groups` groups of memory, nothing written yet.
    pub(crate) fn new(groups: usize) -> Self {
        assert!(groups.is_power_of_two());
        let layout = GroupArray::<K, V>::layout(groups);
        // SAFETY: the layout has a non-zero size (a group holds at least its
        // 8-byte control word).
        let raw = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout)
        };
        Warming {
            ptr,
            groups,
            done: 0,
            _owns: PhantomData,
        }
    }

    /// Bytes of the allocation.
    pub(crate) fn bytes(&self) -> usize {
        self.groups * Shape::<K, V>::GROUP_SIZE
    }

    /// Readies the next `step` bytes (at least one): writes all-empty into
    /// every control word that starts in them and one byte into each page
    /// they reach that no control word of theirs touches. Returns whether
    /// the whole array is ready.
    pub(crate) fn step(&mut self, step: usize) -> bool {
        let size = Shape::<K, V>::GROUP_SIZE;
        let len = self.bytes();
        let (from, to) = (self.done, (self.done + step.max(1)).min(len));
        let base = self.ptr.as_ptr() as usize;
        // The first byte of the range, then each page start inside it.
        let mut at = from;
        while at < to {
            // A byte within a control word is covered by that word's write:
            // this step's, or an earlier one's (which must not be undone).
            if at % size >= 8 {
                // SAFETY: at < len, inside the allocation, and in a slot's
                // bytes (at least 8 past its group's start), which hold
                // nothing: no control byte is full yet.
                unsafe { ptr::write_volatile(self.ptr.as_ptr().add(at), 0) }
            }
            at = (base + at + PAGE) / PAGE * PAGE - base;
        }
        for g in from.div_ceil(size)..to.div_ceil(size).min(self.groups) {
            // SAFETY: g < groups, so the word is inside the allocation, at a
            // group start (8-aligned, as the group alignment is at least 8).
            unsafe { ptr::write(self.ptr.as_ptr().add(g * size).cast::<u64>(), ALL_EMPTY) }
        }
        self.done = to;
        to == len
    }

    /// The array, once every step is done; else `self` back.
    pub(crate) fn finish(self) -> Result<GroupArray<K, V>, Self> {
        if self.done < self.bytes() {
            return Err(self);
        }
        let this = core::mem::ManuallyDrop::new(self);
        // Every control word is written (all-empty), which is all a
        // `GroupArray` with no full slot needs; the allocation passes to it.
        Ok(GroupArray {
            ptr: this.ptr,
            groups: this.groups,
            _owns: PhantomData,
        })
    }
}

impl<K, V> Drop for Warming<K, V> {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout, and holding no
        // entries; `finish` does not drop what it hands on.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), GroupArray::<K, V>::layout(self.groups)) }
    }
}

impl<K, V> Drop for GroupArray<K, V> {
    fn drop(&mut self) {
        struct Free<'a, K, V>(&'a mut GroupArray<K, V>);
        impl<K, V> Drop for Free<'_, K, V> {
            fn drop(&mut self) {
                // SAFETY: allocated in `new` with this layout; nothing
                // refers to it any more.
                unsafe {
                    std::alloc::dealloc(
                        self.0.ptr.as_ptr(),
                        GroupArray::<K, V>::layout(self.0.groups),
                    )
                }
            }
        }
        let free = Free(self);
        // Nothing to drop (no `Drop` glue, no boxes): the memory goes back
        // as it is, without a pass over the control words.
        if core::mem::needs_drop::<(K, V)>()
            || Shape::<K, V>::KEY_INDIRECT
            || Shape::<K, V>::VAL_INDIRECT
        {
            free.0.drop_entries();
        }
    }
}

/// The mark a non-full slot carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mark {
    /// 0x80.
    Empty,
    /// 0xFE, a tombstone.
    Deleted,
}

impl Mark {
    fn byte(self) -> u8 {
        match self {
            Mark::Empty => CTRL_EMPTY,
            Mark::Deleted => CTRL_DELETED,
        }
    }
}

/// Full slots of one group array with mutable values, in Go's in-table
/// iteration order: slot positions `(e + start) & (capacity − 1)`.
pub(crate) struct SlotsMut<'a, K, V> {
    ptr: NonNull<u8>,
    groups: usize,
    start: usize,
    /// Positions visited.
    e: usize,
    _borrow: PhantomData<&'a mut GroupArray<K, V>>,
}

// SAFETY: a SlotsMut is a `&'a mut GroupArray` that hands out `&K` and
// `&mut V`: sending it needs what sending those needs.
unsafe impl<K: Sync, V: Send> Send for SlotsMut<'_, K, V> {}
// SAFETY: as above; a shared SlotsMut gives access to nothing.
unsafe impl<K: Sync, V: Sync> Sync for SlotsMut<'_, K, V> {}

impl<'a, K: 'a, V: 'a> Iterator for SlotsMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        let cap = self.groups * SLOTS;
        while self.e < cap {
            let pos = (self.e + self.start) & (cap - 1);
            self.e += 1;
            let (g, i) = (pos / SLOTS, pos % SLOTS);
            // SAFETY: g < groups; the control word is initialized (see
            // `GroupArray::ctrl`).
            let gp = unsafe { self.ptr.as_ptr().add(g * Shape::<K, V>::GROUP_SIZE) };
            // SAFETY: the control word at gp is aligned and initialized.
            let w = CtrlWord(unsafe { ptr::read(gp.cast::<u64>()) });
            if w.get(i) >= CTRL_EMPTY {
                continue;
            }
            // SAFETY: the slot is full, so both fields are initialized; the
            // iterator holds the array's unique borrow for 'a and visits
            // each position once, so the `&mut V`s never alias.
            unsafe {
                let p = gp.add(Shape::<K, V>::SLOTS_OFF + i * Shape::<K, V>::SLOT_SIZE);
                return Some((
                    field_ref::<K>(p, Shape::<K, V>::KEY_INDIRECT),
                    field_mut::<V>(p.add(Shape::<K, V>::VAL_OFF), Shape::<K, V>::VAL_INDIRECT),
                ));
            }
        }
        None
    }
}

impl<K, V> SlotsMut<'_, K, V> {
    /// The full slots this walk has not visited yet, read-only, in the
    /// order `next` would visit them.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let cap = self.groups * SLOTS;
        (self.e..cap).filter_map(move |e| {
            let pos = (e + self.start) & (cap - 1);
            let (g, i) = (pos / SLOTS, pos % SLOTS);
            // SAFETY: g < groups; the control word is initialized (see
            // `GroupArray::ctrl`).
            let gp = unsafe { self.ptr.as_ptr().add(g * Shape::<K, V>::GROUP_SIZE) };
            // SAFETY: the control word at gp is aligned and initialized.
            let w = CtrlWord(unsafe { ptr::read(gp.cast::<u64>()) });
            if w.get(i) >= CTRL_EMPTY {
                return None;
            }
            // SAFETY: the slot is full, so both fields are initialized. Its
            // position is at or after `e`, so `next` has not handed out its
            // `&mut V`; the walk holds the array's unique borrow, so nothing
            // writes the slot while `&self` lives.
            unsafe {
                let p = gp.add(Shape::<K, V>::SLOTS_OFF + i * Shape::<K, V>::SLOT_SIZE);
                Some((
                    field_ref::<K>(p, Shape::<K, V>::KEY_INDIRECT),
                    field_ref::<V>(p.add(Shape::<K, V>::VAL_OFF), Shape::<K, V>::VAL_INDIRECT),
                ))
            }
        })
    }
}

/// Writes `v` into the field at `p`, boxed when `indirect`.
///
/// # Safety
/// - `p` is valid for writes of `T` (or of `*mut T` when `indirect`) and
///   aligned for it;
/// - the field holds no live value (it is overwritten without a drop).
#[inline(always)]
unsafe fn write_field<T>(p: *mut u8, v: T, indirect: bool) {
    if indirect {
        let b = Box::into_raw(Box::new(v));
        // SAFETY: the caller guarantees p is a valid, aligned *mut T field.
        unsafe { ptr::write(p.cast::<*mut T>(), b) }
    } else {
        // SAFETY: the caller guarantees p is a valid, aligned T field.
        unsafe { ptr::write(p.cast::<T>(), v) }
    }
}

/// Moves the value out of the field at `p`.
///
/// # Safety
/// - the field at `p` was written by [`write_field`] with the same
///   `indirect` and has not been read out since;
/// - the caller treats it as uninitialized afterwards.
#[inline(always)]
unsafe fn read_field<T>(p: *mut u8, indirect: bool) -> T {
    if indirect {
        // SAFETY: the field holds a pointer from Box::into_raw (caller).
        unsafe { *Box::from_raw(ptr::read(p.cast::<*mut T>())) }
    } else {
        // SAFETY: the field holds an initialized T (caller).
        unsafe { ptr::read(p.cast::<T>()) }
    }
}

/// A pointer to the value in the field at `p` (through its box when
/// `indirect`), made without a reference.
///
/// # Safety
/// - the field at `p` is initialized (as by [`write_field`] with the same
///   `indirect`): when indirect, it holds a live box pointer.
#[inline(always)]
unsafe fn field_ptr<T>(p: *mut u8, indirect: bool) -> *mut T {
    if indirect {
        // SAFETY: the field holds a box pointer (caller).
        unsafe { ptr::read(p.cast::<*mut T>()) }
    } else {
        p.cast::<T>()
    }
}

/// A shared reference to the value in the field at `p`.
///
/// # Safety
/// - the field at `p` is initialized (as by [`write_field`] with the same
///   `indirect`) and stays so, unmutated, for `'a`.
#[inline(always)]
unsafe fn field_ref<'a, T>(p: *mut u8, indirect: bool) -> &'a T {
    if indirect {
        // SAFETY: the field holds a live box pointer (caller).
        unsafe { &**p.cast::<*const T>() }
    } else {
        // SAFETY: the field holds a live T (caller).
        unsafe { &*p.cast::<T>() }
    }
}

/// A unique reference to the value in the field at `p`.
///
/// # Safety
/// - as [`field_ref`], and no other reference to the value exists for `'a`.
#[inline(always)]
unsafe fn field_mut<'a, T>(p: *mut u8, indirect: bool) -> &'a mut T {
    if indirect {
        // SAFETY: the field holds a live box pointer, uniquely borrowed (caller).
        unsafe { &mut **p.cast::<*mut T>() }
    } else {
        // SAFETY: the field holds a live T, uniquely borrowed (caller).
        unsafe { &mut *p.cast::<T>() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_go() {
        assert_eq!(Shape::<u64, u64>::GROUP_SIZE, 136);
        assert_eq!(Shape::<u64, u64>::SLOT_SIZE, 16);
        assert_eq!(Shape::<u64, u64>::VAL_OFF, 8);
        // A 16-byte key (Go's string header) to u64: 24-byte slots, 200-byte groups.
        assert_eq!(Shape::<[u64; 2], u64>::GROUP_SIZE, 200);
        assert_eq!(Shape::<[u64; 2], u64>::VAL_OFF, 16);
        // Over 128 bytes: stored by pointer.
        const { assert!(Shape::<[u8; 129], u64>::KEY_INDIRECT) };
        assert_eq!(Shape::<[u8; 129], u64>::SLOT_SIZE, 16);
        const { assert!(!Shape::<[u8; 128], u64>::KEY_INDIRECT) };
    }

    #[test]
    fn ctrl_matching() {
        let w = CtrlWord(u64::from_le_bytes([
            0x05, 0x80, 0xFE, 0x05, 0x06, 0x04, 0x80, 0x7f,
        ]));
        assert_eq!(w.match_h2(5).collect::<Vec<_>>(), vec![0, 3]);
        assert_eq!(w.match_h2(4).collect::<Vec<_>>(), vec![5]);
        assert_eq!(w.match_empty().collect::<Vec<_>>(), vec![1, 6]);
        assert_eq!(w.match_deleted().collect::<Vec<_>>(), vec![2]);
        assert_eq!(
            w.match_empty_or_deleted().collect::<Vec<_>>(),
            vec![1, 2, 6]
        );
        assert_eq!(w.match_full().collect::<Vec<_>>(), vec![0, 3, 4, 5, 7]);
        // No false positive after a matching byte (the classic SWAR borrow).
        let w = CtrlWord(u64::from_le_bytes([
            0x00, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        ]));
        assert_eq!(w.match_h2(0).collect::<Vec<_>>(), vec![0]);
        assert_eq!(w.match_h2(1).collect::<Vec<_>>(), vec![1]);
    }

    /// The slots a mask of either representation names.
    fn slots(mask: u64, shift: u32) -> Vec<usize> {
        (0..64)
            .filter(|b| mask >> b & 1 == 1)
            .map(|b| b >> shift)
            .collect()
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn sse2_agrees_with_swar() {
        // Words built from the bytes that occur (0x00, 0x7f, H2 values, the
        // two marks) plus pseudo-random ones; every probe byte among them.
        let interesting = [
            0x00u8,
            0x01,
            0x05,
            0x7e,
            0x7f,
            CTRL_EMPTY,
            CTRL_DELETED,
            0xff,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        // Under Miri a few words suffice: it checks the intrinsics are
        // sound, the native run checks the answers (113 s for 300 words).
        for n in 0..if cfg!(miri) { 16 } else { 4000u64 } {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let w = if n % 2 == 0 {
                u64::from_le_bytes(core::array::from_fn(|i| {
                    interesting[(x >> (3 * i)) as usize % interesting.len()]
                }))
            } else {
                x
            };
            for b in interesting
                .iter()
                .copied()
                .chain([(x >> 60) as u8, (x >> 3) as u8])
            {
                assert_eq!(
                    slots(sse2::eq_bytes(w, b), sse2::STRIDE_SHIFT),
                    slots(swar::eq_bytes(w, b), swar::STRIDE_SHIFT),
                    "eq_bytes({w:#018x}, {b:#04x})"
                );
            }
            assert_eq!(
                slots(sse2::top_bits(w), sse2::STRIDE_SHIFT),
                slots(swar::top_bits(w), swar::STRIDE_SHIFT)
            );
            assert_eq!(
                slots(sse2::top_bits(w) ^ sse2::ALL_SLOTS, sse2::STRIDE_SHIFT),
                slots(swar::top_bits(w) ^ swar::ALL_SLOTS, swar::STRIDE_SHIFT)
            );
        }
    }

    #[test]
    fn swar_matches_bytes() {
        let w = u64::from_le_bytes([0x05, 0x80, 0xFE, 0x05, 0x00, 0x04, 0x80, 0x7f]);
        for b in [0x00u8, 0x05, 0x04, 0x7f, 0x80, 0xFE, 0x33] {
            let want: Vec<usize> = (0..8).filter(|&i| w.to_le_bytes()[i] == b).collect();
            assert_eq!(slots(swar::eq_bytes(w, b), swar::STRIDE_SHIFT), want);
        }
        assert_eq!(slots(swar::top_bits(w), swar::STRIDE_SHIFT), vec![1, 2, 6]);
    }

    #[test]
    fn reset_marks_keeps_full() {
        let mut a: GroupArray<u64, String> = GroupArray::new(1);
        a.write(0, 2, 9, 1, "x".into());
        a.write(0, 3, 9, 2, "y".into());
        let _ = a.take(0, 3, Mark::Deleted);
        assert_eq!(a.ctrl(0).get(3), CTRL_DELETED);
        a.reset_marks();
        assert_eq!(
            a.ctrl(0).bytes(),
            [0x80, 0x80, 9, 0x80, 0x80, 0x80, 0x80, 0x80]
        );
        assert_eq!(a.entry(0, 2).map(|(k, v)| (*k, v.as_str())), Some((1, "x")));
    }
}
