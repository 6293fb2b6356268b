//! Handles to buckets: where a bucket's tophash bytes, keys, values and
//! overflow link are, for a table of keys `K` and values `V`.
//!
//! Two handles, after hashbrown's `Bucket<T>`:
//!
//! - [`BucketRef<'a, K, V>`] is a live bucket that nothing writes to for
//!   `'a`. Only a [`BucketArray`] borrowed for `'a` (its main and pool
//!   buckets) and the overflow link of another `BucketRef<'a>` make one,
//!   so reading through it — tophash bytes, the overflow link, the entries
//!   of full slots — needs no argument at the call: the borrow is the proof.
//! - [`Bucket<K, V>`] is the same address with the lifetime erased, for
//!   positions kept across a mutation of the table (a lookup's result that
//!   a write then uses, an iterator's cursor). Everything done through it
//!   is `unsafe`, and its contract is the one thing a type cannot say: the
//!   bucket is still live and the caller holds the table as it must.
//!
//! A bucket is Go's `bmap`; its byte layout is [`Shape`]'s.
//!
//! [`BucketArray`]: super::alloc::BucketArray

use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use super::group::{BitMask, Group};
use super::shape::{Shape, BUCKET_CNT};
use crate::base::tophash::{is_full, tophash};

/// A live bucket of a table of `K`s and `V`s that nothing writes to, moves
/// or frees for `'a`.
///
/// Invariant: `ptr` is the first byte of a bucket of [`Shape<K, V>`],
/// inside an array or a slab chunk that is borrowed shared for `'a` (so
/// neither it nor any bucket its overflow link leads to changes during
/// `'a`); its full slots hold initialised entries.
pub(crate) struct BucketRef<'a, K, V> {
    ptr: NonNull<u8>,
    _array: PhantomData<&'a (K, V)>,
}

impl<K, V> Clone for BucketRef<'_, K, V> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for BucketRef<'_, K, V> {}

impl<K, V> PartialEq for BucketRef<'_, K, V> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<K, V> Eq for BucketRef<'_, K, V> {}

impl<'a, K, V> BucketRef<'a, K, V> {
    /// # Safety
    /// `ptr` meets the type's invariant for `'a`.
    #[inline(always)]
    pub(super) unsafe fn from_raw(ptr: NonNull<u8>) -> Self {
        BucketRef {
            ptr,
            _array: PhantomData,
        }
    }

    /// The bucket's address.
    #[inline(always)]
    pub(super) fn as_ptr(self) -> NonNull<u8> {
        self.ptr
    }

    /// The same bucket with the lifetime erased, to keep across a mutation.
    #[inline(always)]
    pub(super) fn erase(self) -> Bucket<K, V> {
        Bucket {
            ptr: self.ptr,
            _shape: PhantomData,
        }
    }

    /// The 8 tophash bytes as one word.
    #[inline(always)]
    pub(super) fn tops(self) -> Group {
        // SAFETY: the first 8 bytes of a live bucket are its tophash array
        // (invariant); nothing writes them during `'a`.
        Group::from_bytes(unsafe { ptr::read(self.ptr.as_ptr() as *const [u8; 8]) })
    }

    /// The tophash byte of slot `i` (`i < 8`; taken modulo 8, so any `i`
    /// reads inside the bucket).
    #[inline(always)]
    pub(super) fn top(self, i: usize) -> u8 {
        debug_assert!(i < BUCKET_CNT);
        // SAFETY: the first 8 bytes of a live bucket are its tophash array
        // (invariant), and `i % 8` is one of them; nothing writes them
        // during `'a`.
        unsafe { *self.ptr.as_ptr().add(i & (BUCKET_CNT - 1)) }
    }

    /// The next bucket of the chain. Go: `bmap.overflow`.
    #[inline(always)]
    pub(super) fn overflow(self) -> Option<BucketRef<'a, K, V>> {
        // SAFETY: the overflow pointer is the pointer-aligned word at
        // `OVF_OFF` of a live bucket. It is null or a bucket of the same
        // array or its slab, which the same borrow keeps (invariant).
        unsafe {
            let link = *(self.ptr.as_ptr().add(Shape::<K, V>::OVF_OFF) as *const *mut u8);
            NonNull::new(link).map(|p| BucketRef::from_raw(p))
        }
    }

    /// The buckets of the chain from this one on.
    #[inline(always)]
    pub(super) fn chain(self) -> ChainIter<'a, K, V> {
        ChainIter { next: Some(self) }
    }

    /// The tophash bytes as they are now, with the bucket: scans read them
    /// once and ask several questions.
    #[inline(always)]
    pub(super) fn read(self) -> Tops<'a, K, V> {
        Tops {
            bucket: self,
            group: self.tops(),
        }
    }

    /// The full slots whose tophash is `hash`'s. Go: the `b.tophash[i] !=
    /// top` test of a lookup.
    #[inline(always)]
    pub(super) fn matching(self, hash: u64) -> FullSlots<'a, K, V> {
        self.read().matching(hash)
    }

    /// Every full slot, in slot order.
    #[inline(always)]
    pub(super) fn full(self) -> FullSlots<'a, K, V> {
        self.read().full()
    }

    /// Slot `i`, if it is full.
    #[inline(always)]
    pub(super) fn slot(self, i: usize) -> Option<Full<'a, K, V>> {
        is_full(self.top(i)).then_some(Full {
            bucket: self,
            index: i,
        })
    }
}

/// The tophash bytes of a [`BucketRef`], read once.
pub(crate) struct Tops<'a, K, V> {
    bucket: BucketRef<'a, K, V>,
    /// The bucket's tophash bytes (they do not change during `'a`).
    group: Group,
}

impl<K, V> Clone for Tops<'_, K, V> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Tops<'_, K, V> {}

impl<'a, K, V> Tops<'a, K, V> {
    /// The bytes.
    #[inline(always)]
    pub(super) fn group(self) -> Group {
        self.group
    }

    /// The full slots whose tophash is `hash`'s.
    #[inline(always)]
    pub(super) fn matching(self, hash: u64) -> FullSlots<'a, K, V> {
        // A hash's tophash is at least `MIN_TOP_HASH`, so every slot that
        // matches it is full.
        FullSlots {
            bucket: self.bucket,
            mask: self.group.match_top(tophash(hash)),
        }
    }

    /// Every full slot, in slot order.
    #[inline(always)]
    pub(super) fn full(self) -> FullSlots<'a, K, V> {
        FullSlots {
            bucket: self.bucket,
            mask: self.group.match_full(),
        }
    }
}

/// A full slot of a [`BucketRef`]: only the bucket's scans make one, from
/// its own tophash bytes, so the entry is there to read.
pub(crate) struct Full<'a, K, V> {
    bucket: BucketRef<'a, K, V>,
    index: usize,
}

impl<K, V> Clone for Full<'_, K, V> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Full<'_, K, V> {}

impl<'a, K, V> Full<'a, K, V> {
    /// The bucket.
    #[inline(always)]
    pub(super) fn bucket(self) -> BucketRef<'a, K, V> {
        self.bucket
    }

    /// The slot index, `0..8`.
    #[inline(always)]
    pub(super) fn index(self) -> usize {
        self.index
    }

    /// The key.
    #[inline(always)]
    pub(super) fn key(self) -> &'a K {
        // SAFETY: the slot is full, so it holds an initialised key (or the
        // box of one), which the bucket's borrow keeps for `'a`.
        unsafe { &*self.bucket.erase().key_ptr(self.index) }
    }

    /// The value.
    #[inline(always)]
    pub(super) fn val(self) -> &'a V {
        // SAFETY: as in `key`.
        unsafe { &*self.bucket.erase().val_ptr(self.index) }
    }

    /// The key and the value.
    #[inline(always)]
    pub(super) fn entry(self) -> (&'a K, &'a V) {
        (self.key(), self.val())
    }
}

/// Full slots of one bucket, in slot order.
pub(crate) struct FullSlots<'a, K, V> {
    bucket: BucketRef<'a, K, V>,
    /// The slots not yet yielded; each is full.
    mask: BitMask,
}

impl<'a, K, V> FullSlots<'a, K, V> {
    /// The slots as a mask.
    #[inline(always)]
    pub(super) fn mask(&self) -> BitMask {
        self.mask
    }

    /// The lowest of the slots, without taking it out.
    #[inline(always)]
    pub(super) fn first(&self) -> Option<Full<'a, K, V>> {
        let index = self.mask.lowest()?;
        Some(Full {
            bucket: self.bucket,
            index,
        })
    }

    /// Takes the lowest slot out (after [`Self::first`]: a scan clears a
    /// candidate only once its key did not match, as Go's loop moves on).
    #[inline(always)]
    pub(super) fn skip_first(&mut self) {
        self.mask.0 &= self.mask.0.wrapping_sub(1);
    }

    /// Slot `i`, if it is one of these.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> Option<Full<'a, K, V>> {
        (i < BUCKET_CNT && self.mask.0 & BitMask::slot(i) != 0).then_some(Full {
            bucket: self.bucket,
            index: i,
        })
    }
}

impl<'a, K, V> Iterator for FullSlots<'a, K, V> {
    type Item = Full<'a, K, V>;

    #[inline(always)]
    fn next(&mut self) -> Option<Full<'a, K, V>> {
        let index = self.mask.next()?;
        Some(Full {
            bucket: self.bucket,
            index,
        })
    }
}

/// The buckets of a chain, from a given one to the last.
pub(crate) struct ChainIter<'a, K, V> {
    next: Option<BucketRef<'a, K, V>>,
}

impl<'a, K, V> Iterator for ChainIter<'a, K, V> {
    type Item = BucketRef<'a, K, V>;

    #[inline(always)]
    fn next(&mut self) -> Option<BucketRef<'a, K, V>> {
        let b = self.next?;
        self.next = b.overflow();
        Some(b)
    }
}

/// A bucket of a table of `K`s and `V`s with the lifetime erased: a
/// position kept while the table changes. See the module docs.
///
/// Every method is `unsafe` with the same first obligation, written
/// *live* below: the bucket is still a bucket of the table it came from
/// (its array, or that array's slab, is not freed), and that table has the
/// shape `(K, V)`. Writing methods also need the caller to hold that table
/// uniquely (`&mut`, or ownership), so that no [`BucketRef`] into it exists.
pub(crate) struct Bucket<K, V> {
    ptr: NonNull<u8>,
    _shape: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Clone for Bucket<K, V> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Bucket<K, V> {}

impl<K, V> PartialEq for Bucket<K, V> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<K, V> Eq for Bucket<K, V> {}

impl<K, V> Bucket<K, V> {
    /// A bucket at `ptr`, not yet known to be live: a fresh bucket an array
    /// or slab just handed out.
    #[inline(always)]
    pub(super) fn from_raw(ptr: NonNull<u8>) -> Self {
        Bucket {
            ptr,
            _shape: PhantomData,
        }
    }

    /// Reads through the bucket for `'x`.
    ///
    /// # Safety
    /// The bucket is live and nothing writes to it or its chain, moves or
    /// frees them during `'x`.
    #[inline(always)]
    pub(super) unsafe fn get<'x>(self) -> BucketRef<'x, K, V> {
        // SAFETY: the caller's obligations are the type invariant's.
        unsafe { BucketRef::from_raw(self.ptr) }
    }

    /// Writes the tophash of slot `i`.
    ///
    /// # Safety
    /// The bucket is live, its table held uniquely; `i < 8`.
    #[inline(always)]
    pub(super) unsafe fn set_top(self, i: usize, top: u8) {
        debug_assert!(i < BUCKET_CNT);
        // SAFETY: tophash bytes are the first 8 bytes of a live bucket.
        unsafe { *self.ptr.as_ptr().add(i) = top }
    }

    /// Writes all 8 tophash bytes.
    ///
    /// # Safety
    /// The bucket is live, its table held uniquely.
    #[inline(always)]
    pub(super) unsafe fn set_tops(self, tops: Group) {
        // SAFETY: the first 8 bytes of a live bucket are its tophash array.
        unsafe { ptr::write(self.ptr.as_ptr() as *mut [u8; 8], tops.to_bytes()) }
    }

    /// Links `ovf` after this bucket (or cuts the chain here).
    ///
    /// # Safety
    /// The bucket is live, its table held uniquely; `ovf` is a live bucket
    /// of the same array or its slab, not on any chain yet.
    #[inline(always)]
    pub(super) unsafe fn set_overflow(self, ovf: Option<Bucket<K, V>>) {
        let p = ovf.map_or(ptr::null_mut(), |b| b.ptr.as_ptr());
        // SAFETY: the overflow pointer is the pointer-aligned word at
        // `OVF_OFF` of a live bucket.
        unsafe { *(self.ptr.as_ptr().add(Shape::<K, V>::OVF_OFF) as *mut *mut u8) = p }
    }

    /// Pointer to the key in slot `i` (through the box for indirect keys).
    ///
    /// # Safety
    /// The bucket is live; `i < 8`; for indirect keys, the slot is full.
    #[inline(always)]
    pub(super) unsafe fn key_ptr(self, i: usize) -> *mut K {
        // SAFETY: the slot lies inside the bucket; slots are aligned for
        // their type by the shape's offsets.
        unsafe {
            let slot = self.ptr.as_ptr().add(Shape::<K, V>::key_off(i));
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
    pub(super) unsafe fn val_ptr(self, i: usize) -> *mut V {
        // SAFETY: as in `key_ptr`.
        unsafe {
            let slot = self.ptr.as_ptr().add(Shape::<K, V>::val_off(i));
            if Shape::<K, V>::INDIRECT_VAL {
                *(slot as *mut *mut V)
            } else {
                slot as *mut V
            }
        }
    }

    /// The entry in slot `i`, for `'x`.
    ///
    /// # Safety
    /// The bucket is live and nothing writes to its slot `i` during `'x`;
    /// the slot is full.
    #[inline(always)]
    pub(super) unsafe fn entry<'x>(self, i: usize) -> (&'x K, &'x V) {
        // SAFETY: per the caller; the slot holds an initialised entry.
        unsafe { (&*self.key_ptr(i), &*self.val_ptr(i)) }
    }

    /// The entry in slot `i`, with the value mutable, for `'x`.
    ///
    /// # Safety
    /// The bucket is live and its table held uniquely for `'x`; slot `i` is
    /// full and no other reference to its value exists during `'x`.
    #[inline(always)]
    pub(super) unsafe fn entry_mut<'x>(self, i: usize) -> (&'x K, &'x mut V) {
        // SAFETY: per the caller; the slot holds an initialised entry.
        unsafe { (&*self.key_ptr(i), &mut *self.val_ptr(i)) }
    }

    /// Writes an entry into an empty slot (boxing indirect keys/values).
    ///
    /// # Safety
    /// The bucket is live, its table held uniquely; `i < 8`; the slot holds
    /// no entry.
    #[inline(always)]
    pub(super) unsafe fn write_entry(self, i: usize, key: K, val: V) {
        // SAFETY: the slot is inside the bucket, aligned and empty.
        unsafe {
            let ks = self.ptr.as_ptr().add(Shape::<K, V>::key_off(i));
            let vs = self.ptr.as_ptr().add(Shape::<K, V>::val_off(i));
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
    /// The bucket is live, its table held uniquely; `i < 8`; the slot is
    /// full and is not read again as full.
    #[inline(always)]
    pub(super) unsafe fn read_entry(self, i: usize) -> (K, V) {
        // SAFETY: the slot holds an initialised entry that we take
        // ownership of; indirect slots hold pointers from `Box::into_raw`.
        unsafe {
            let ks = self.ptr.as_ptr().add(Shape::<K, V>::key_off(i));
            let vs = self.ptr.as_ptr().add(Shape::<K, V>::val_off(i));
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

    /// Drops the entry in a full slot in place.
    ///
    /// # Safety
    /// As for [`Self::read_entry`].
    #[inline]
    pub(super) unsafe fn drop_entry(self, i: usize) {
        if Shape::<K, V>::NEEDS_DROP {
            // SAFETY: forwarded from the caller.
            drop(unsafe { self.read_entry(i) });
        }
    }

    /// Moves the raw slot contents (the entry, or the box pointers of an
    /// indirect entry) from slot `si` of this bucket to slot `di` of `dst`.
    /// Go's evacuation copy.
    ///
    /// # Safety
    /// Both buckets are live, their table held uniquely; `si, di < 8`; the
    /// source slot is full and treated as empty afterwards; the destination
    /// slot is empty; the slots are distinct.
    #[inline(always)]
    pub(super) unsafe fn move_slot(self, si: usize, dst: Bucket<K, V>, di: usize) {
        // SAFETY: both slots are inside their buckets and do not overlap
        // (distinct slots); slot sizes are the shape's.
        unsafe {
            let (ko, vo) = (Shape::<K, V>::KEY_OFF, Shape::<K, V>::VAL_OFF);
            let ksz = Shape::<K, V>::key_off(1) - ko;
            let vsz = Shape::<K, V>::val_off(1) - vo;
            ptr::copy_nonoverlapping(
                self.ptr.as_ptr().add(ko + si * ksz),
                dst.ptr.as_ptr().add(ko + di * ksz),
                ksz,
            );
            ptr::copy_nonoverlapping(
                self.ptr.as_ptr().add(vo + si * vsz),
                dst.ptr.as_ptr().add(vo + di * vsz),
                vsz,
            );
        }
    }
}
