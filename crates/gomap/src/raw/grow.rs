//! Growth: starting one (Go's `hashGrow`) and paying it off a bucket at a
//! time (`growWork`, `evacuate`, `advanceEvacuationMark`).

use super::alloc::BucketArray;
use super::bucket::{Bucket, BucketRef};
use super::group::{BitMask, Group, LSB, MSB};
use super::range::TieRegistry;
use super::shape::*;
use super::{CapacityError, RawTable, SAME_SIZE_GROW};
use crate::base::event::{Event, GrowKind};

/// An evacuation destination: a bucket of the new array and the next free
/// slot in it. Go: `evacDst`.
struct EvacDst<K, V> {
    bucket: Bucket<K, V>,
    slot: usize,
}

/// Which entries of an old chain go to Y: one tophash-style mask per bucket
/// of the chain (the high bit of byte `i` set when slot `i` goes to Y).
/// Chains of up to 8 buckets fit inline; longer ones, which only a
/// degenerate hasher produces, spill to the heap.
struct YMasks {
    inline: [u64; 8],
    spill: Vec<u64>,
}

impl YMasks {
    fn new() -> Self {
        YMasks {
            inline: [0; 8],
            spill: Vec::new(),
        }
    }

    #[inline]
    fn set(&mut self, bucket: usize, mask: u64) {
        if bucket < 8 {
            self.inline[bucket] = mask;
        } else {
            self.spill.push(mask);
        }
    }

    #[inline]
    fn get(&self, bucket: usize) -> u64 {
        if bucket < 8 {
            self.inline[bucket]
        } else {
            self.spill[bucket - 8]
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// Starts a growth: doubling when the map is over its load factor,
    /// otherwise a same-size growth (too many overflow buckets). The new
    /// array is allocated first, so a failed allocation changes nothing.
    /// Go: `hashGrow`.
    #[cold]
    #[inline(never)]
    pub(super) fn hash_grow(&mut self) -> Result<(), CapacityError> {
        let bigger = super::over_load_factor(self.count + 1, self.b, self.stress);
        self.start_growth(bigger)
    }

    /// Starts a doubling (`bigger`) or same-size growth.
    fn start_growth(&mut self, bigger: bool) -> Result<(), CapacityError> {
        let new = Self::new_array(self.b + u8::from(bigger))?;
        self.start_growth_with(bigger, new);
        Ok(())
    }

    /// Starts a growth into `new`, an array for `B + 1` (`bigger`) or `B`.
    fn start_growth_with(&mut self, bigger: bool, new: BucketArray<K, V>) {
        let new_b = self.b + u8::from(bigger);
        debug_assert_eq!(new.base(), 1 << new_b);
        let (old_b, count, noverflow) = (self.b, self.count, self.noverflow);
        self.emit(|| Event::GrowStart {
            kind: if bigger {
                GrowKind::Double
            } else {
                GrowKind::SameSize
            },
            old_b,
            new_b,
            count,
            noverflow,
        });
        if !bigger {
            self.flags |= SAME_SIZE_GROW;
        }
        self.grow_writes = 0;
        self.next_overflow = new.has_pool().then(|| new.base());
        self.oldbuckets = self.buckets.replace(new);
        self.set_b(new_b);
        self.nevacuate = 0;
        self.noverflow = 0;
    }

    /// One write's share of growth work: evacuate the old bucket that
    /// `bucket` (an index in the new array) comes from, then, if the growth
    /// is still going, the old bucket at `nevacuate`. Go: `growWork`.
    #[inline]
    pub(super) fn grow_work(&mut self, bucket: usize, hasher: &impl Fn(&K) -> u64) {
        self.grow_writes += 1;
        let old_mask = self.old_base() - 1;
        self.evacuate(bucket & old_mask, hasher);
        if self.growing() && !self.stress {
            self.evacuate(self.nevacuate, hasher);
        }
    }

    /// Buckets in the old array, `2^oldB` (Go's `noldbuckets`).
    fn old_base(&self) -> usize {
        self.oldbuckets.as_ref().expect("growing").base()
    }

    /// Moves every entry of old bucket `oldbucket`'s chain to the new array:
    /// to the same index (X) or, when doubling, to `oldbucket + 2^oldB` (Y)
    /// by the hash bit `2^oldB`. Entries keep their old-chain order. Old
    /// slots are marked 2/3, empty ones 4. Go: `evacuate`.
    ///
    /// Panic safety: every key is hashed before any entry moves, so a
    /// panicking `hasher` leaves the bucket untouched and the table valid.
    #[cold]
    #[inline(never)]
    fn evacuate(&mut self, oldbucket: usize, hasher: &impl Fn(&K) -> u64) {
        let old = self.oldbuckets.as_ref().expect("growing");
        let newbit = old.base();
        let head = old.main(oldbucket);
        if !is_evacuated(head.top(0)) {
            let doubling = !self.same_size_grow();
            // Phase 1: hash (user code, may panic), nothing moves yet.
            let mut ymasks = YMasks::new();
            if doubling {
                for (n, bk) in head.chain().enumerate() {
                    let mut ymask = 0;
                    for slot in bk.full() {
                        if hasher(slot.key()) as usize & newbit != 0 {
                            ymask |= BitMask::slot(slot.index());
                        }
                    }
                    ymasks.set(n, ymask);
                }
            }
            // Range cursors inside a run of equal hashes on this chain learn
            // where their place goes before the entries move.
            if !self.ties.is_empty() {
                Self::carry_tie_runs(&mut self.ties, head, oldbucket, newbit, doubling, &ymasks);
            }
            // Phase 2: move. No user code runs from here on. The old chain
            // is walked through erased handles, since linking overflow
            // buckets to the new chains needs the table mutably.
            let head = head.erase();
            let x_bucket = self.main_bucket(oldbucket).erase();
            let mut x = EvacDst {
                bucket: x_bucket,
                slot: 0,
            };
            let mut y = EvacDst {
                bucket: if doubling {
                    self.main_bucket(oldbucket + newbit).erase()
                } else {
                    x_bucket
                },
                slot: 0,
            };
            let (mut to_x, mut to_y) = (0, 0);
            let mut b = Some(head);
            let mut n = 0;
            while let Some(bk) = b {
                // SAFETY: `bk` is a live bucket of the old chain; no write
                // touches it until its marks are set below.
                let tops = unsafe { bk.get() }.tops();
                let full = tops.match_full().0;
                assert!(
                    full | tops.match_empty().0 == MSB,
                    "gomap: bad map state during evacuation"
                );
                let ymask = if doubling { ymasks.get(n) } else { 0 };
                to_y += ymask.count_ones() as usize;
                to_x += (full & !ymask).count_ones() as usize;
                // Full slots in slot order, as Go moves them.
                for i in BitMask(full) {
                    let use_y = ymask & BitMask::slot(i) != 0;
                    let (dst, index) = if use_y {
                        (&mut y, oldbucket + newbit)
                    } else {
                        (&mut x, oldbucket)
                    };
                    if dst.slot == BUCKET_CNT {
                        dst.bucket = self.new_overflow(dst.bucket, index, true);
                        dst.slot = 0;
                    }
                    // SAFETY: both buckets are live and the table is ours
                    // uniquely; the source slot is full, the destination slot
                    // empty (new chains fill densely from slot 0 and only
                    // evacuation writes to them before this old bucket is
                    // done); they are in different arrays.
                    unsafe {
                        bk.move_slot(i, dst.bucket, dst.slot);
                        dst.bucket.set_top(dst.slot, (tops.0 >> (i * 8)) as u8);
                    }
                    dst.slot += 1;
                }
                // Mark every slot at once: empty ones EVACUATED_EMPTY, full
                // ones EVACUATED_X or EVACUATED_Y. Per byte that is
                // 4 - 2·full + 1·y, which never borrows across bytes.
                let (full1, y1) = (full >> 7, ymask >> 7);
                let marks = LSB * EVACUATED_EMPTY as u64
                    - (EVACUATED_EMPTY - EVACUATED_X) as u64 * full1
                    + (EVACUATED_Y - EVACUATED_X) as u64 * y1;
                // SAFETY: `bk` is live; its entries have all moved. The read
                // handle for its link ends before any other write.
                unsafe {
                    bk.set_tops(Group(marks));
                    b = bk.get().overflow().map(BucketRef::erase);
                }
                n += 1;
            }
            // The old chain's overflow buckets are dead now: unlink them
            // (Go leaves them to its GC). Heap ones are freed with the old
            // array's slab when the growth ends.
            // SAFETY: `head` is a live main bucket of the old array, held
            // uniquely.
            unsafe { head.set_overflow(None) };
            self.emit(|| Event::Evacuate {
                old_bucket: oldbucket,
                to_x,
                to_y,
            });
        }
        if oldbucket == self.nevacuate {
            self.advance_evacuation_mark(newbit);
        }
    }

    /// Renumbers the place of every range cursor inside a run of equal
    /// hashes on old chain `oldbucket`, which is about to move in offset
    /// order: a run's `next` offset becomes the number of the chain's
    /// entries below it that go where the run goes (X, or Y by the hash bit
    /// `newbit` when doubling), which is the offset just past them in the
    /// new chain. See the `range` module for why that keeps the cursor's
    /// invariant.
    #[cold]
    #[inline(never)]
    fn carry_tie_runs(
        ties: &mut TieRegistry, head: BucketRef<'_, K, V>, oldbucket: usize, newbit: usize,
        doubling: bool, ymasks: &YMasks,
    ) {
        ties.for_each_live(|run| {
            let hash = run.hash() as usize;
            if hash & (newbit - 1) != oldbucket {
                return;
            }
            let to_y = doubling && hash & newbit != 0;
            let end = run.next();
            let mut below = 0;
            let mut base = 0;
            for (n, bk) in head.chain().enumerate() {
                if base >= end {
                    break;
                }
                let full = bk.tops().match_full().0;
                let ymask = if doubling { ymasks.get(n) } else { 0 };
                let mut same_way = if to_y { ymask } else { full & !ymask };
                // Only the slots below `end`.
                if end - base < BUCKET_CNT {
                    same_way &= (1u64 << ((end - base) * 8)) - 1;
                }
                below += same_way.count_ones() as usize;
                base += BUCKET_CNT;
            }
            run.set_next(below);
        });
    }

    /// Moves `nevacuate` past the evacuated prefix (at most 1024 buckets per
    /// call) and ends the growth when it reaches the old bucket count.
    /// Go: `advanceEvacuationMark`.
    fn advance_evacuation_mark(&mut self, newbit: usize) {
        self.nevacuate += 1;
        let stop = (self.nevacuate + 1024).min(newbit);
        while self.nevacuate != stop && self.old_bucket_evacuated(self.nevacuate) {
            self.nevacuate += 1;
        }
        if self.nevacuate == newbit {
            let old = self.oldbuckets.take().expect("growing");
            // Every evacuation cut its chain's overflow links, so there is
            // nothing to walk: free the array and its slab (walking 2^oldB
            // buckets here would stall this write).
            #[cfg(debug_assertions)]
            for i in 0..old.base() {
                let linked = old.main(i).overflow().is_some();
                debug_assert!(!linked, "evacuated old bucket {i} still linked");
            }
            // Every old bucket is evacuated, so the old array and its
            // overflow buckets hold no entries. A mapped array and a large
            // slab are retired and released by later writes.
            if let Some(r) = old.retire() {
                self.retired = Some(r);
            }
            let kind = if self.same_size_grow() {
                GrowKind::SameSize
            } else {
                GrowKind::Double
            };
            self.flags &= !SAME_SIZE_GROW;
            let (b, writes) = (self.b, self.grow_writes);
            self.emit(|| Event::GrowDone { kind, b, writes });
        }
    }

    fn old_bucket_evacuated(&self, i: usize) -> bool {
        let old = self.oldbuckets.as_ref().expect("growing");
        is_evacuated(old.main(i).top(0))
    }

    /// Grows until `count + additional` entries fit under the load factor:
    /// finishes the growth in progress, then doubles and evacuates at once as
    /// often as needed. Rust's `reserve`; Go has no counterpart, so the map
    /// ends where inserting that many keys would have taken it, minus the
    /// incremental steps.
    ///
    /// Every array the doublings need is allocated before anything moves, so
    /// a failed reserve returns with the map exactly as it was, after work
    /// proportional to the allocation attempts only (the arrays are mapped
    /// zero pages; nothing is touched until an evacuation writes to it). A
    /// map that never allocated gets its final array directly, as
    /// `make(map, hint)` would have made it.
    pub(crate) fn reserve(
        &mut self, additional: usize, hasher: impl Fn(&K) -> u64,
    ) -> Result<(), CapacityError> {
        let want = self.count.saturating_add(additional);
        // Refuse up front what no allocation could hold, rather than
        // doubling towards it.
        let mut target = self.b;
        while super::over_load_factor(want, target, self.stress) {
            target += 1;
        }
        let fits = super::alloc::array_len(target, Self::BUCKET_SIZE)
            .and_then(|n| n.checked_mul(Self::BUCKET_SIZE))
            .is_some_and(|bytes| bytes <= super::MAX_ALLOC);
        if !fits {
            return Err(CapacityError::Buckets {
                b: target,
                bytes: None,
            });
        }
        if self.buckets.is_none() {
            // `B = 0`, no entries, no growth: nothing to evacuate.
            if target > 0 {
                let array = Self::new_array(target)?;
                self.next_overflow = array.has_pool().then(|| array.base());
                self.buckets = Some(array);
                self.set_b(target);
            }
            return Ok(());
        }
        // Largest first: it is the one most likely to fail, and the error
        // then names the `B` the request needs.
        let arrays = (self.b + 1..=target)
            .rev()
            .map(Self::new_array)
            .collect::<Result<Vec<_>, _>>()?;
        self.finish_growth(&hasher);
        for array in arrays.into_iter().rev() {
            self.start_growth_with(true, array);
            self.finish_growth(&hasher);
        }
        Ok(())
    }

    /// Evacuates every old bucket left, ending the growth in progress.
    fn finish_growth(&mut self, hasher: &impl Fn(&K) -> u64) {
        while self.growing() {
            let n = self.nevacuate;
            self.grow_work_at(n, hasher);
        }
    }

    /// Evacuates old bucket `n` (and advances `nevacuate`), counting it as a
    /// growth write.
    fn grow_work_at(&mut self, n: usize, hasher: &impl Fn(&K) -> u64) {
        self.grow_writes += 1;
        self.evacuate(n, hasher);
    }
}
