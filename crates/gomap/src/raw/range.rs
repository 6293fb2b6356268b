//! The range cursor's engine: Go's `range` semantics (entries may be
//! inserted and removed between steps) without holding a borrow.
//!
//! Go's iterator walks the bucket array it started on and relies on the
//! garbage collector to keep that array, and the keys evacuated out of it,
//! alive. A Rust map frees them, so the cursor keeps its place in *hash
//! space* instead, where growth never moves anything:
//!
//! - At creation the cursor fixes `B_it` (the map's `B` then), a random
//!   start group and a random 64-bit mask `R`. A *group* is the set of keys
//!   whose hash has the same low `B_it` bits — one bucket at creation, and
//!   `2^(B - B_it)` buckets after later doublings.
//! - Groups are visited in order from the start, wrapping, like Go's buckets.
//! - Within a group, entries are yielded in increasing order of
//!   `key(h) = reverse_bits(h >> B_it) ^ R`. Its top `d` bits are the
//!   (reversed, masked) bucket bits a table with `B_it + d` uses, so the
//!   group's current buckets are visited in key order one after another,
//!   and each step scans only the bucket holding the cursor's last key and
//!   the empty ones after it.
//! - The cursor remembers the last key it yielded. Hashes never change
//!   while the map holds any entry (the seed changes only when it empties),
//!   so an entry present throughout is yielded exactly once, a removed one
//!   is not, and an inserted one at most once, across any number of
//!   doublings and same-size growths. A key is never yielded twice, even if
//!   it is removed and inserted again: its order key is behind the cursor.
//! - When the map is emptied and reseeded, every entry in it was inserted
//!   after the cursor was made, so the cursor ends.
//!
//! # Runs of equal hashes
//!
//! Distinct keys whose 64-bit hashes are equal share one order key, so hash
//! space alone cannot tell them apart. A sound hasher makes this vanishingly
//! rare; a degenerate one (or one an attacker chose keys for) makes it
//! common, and the contract must hold for any hasher. Such keys always sit
//! in one chain: the same bucket, before and after any growth.
//!
//! Within a run the cursor goes by *chain offset*, `8 * link + slot` (link
//! 0 is the main bucket). It yields the run's members in offset order and
//! keeps `next`, the offset just past the member it yielded last.
//! Invariant: every member below `next` was yielded, or was inserted after
//! the run began (which the contract lets the cursor skip). It holds
//! because:
//!
//! - Between evacuations no entry moves and no bucket leaves a chain
//!   (deletes only mark slots empty; overflow buckets are only appended), so
//!   offsets are stable. An insert may fill a slot below `next` — a new
//!   member, which may be skipped — and a delete removes a member wherever
//!   it is. Neither needs the cursor's attention.
//! - Evacuation moves a chain's entries to a fresh, empty chain (X or, when
//!   doubling, Y) in offset order, and all members of a run go the same
//!   way. So the members below `next` are exactly those that land below
//!   `next'`, the number of entries from below `next` that go where the run
//!   goes. Evacuation is the only thing that moves entries, so it is the
//!   only thing that must tell the cursor: the table keeps a registry of the
//!   runs cursors are inside ([`TieRegistry`]), and `evacuate` rewrites
//!   `next` for those on the chain it moves. A clear, or a delete of the
//!   last entry, reseeds and ends every cursor, and empties the registry.
//!
//! When a run starts, the cursor yields the member with the lowest offset;
//! later it yields the first member at or above `next`. The run ends when
//! no member is left at or above `next`, and the cursor moves on to greater
//! order keys, so the invariant gives "exactly once" for members present
//! throughout and "never twice" for every entry. (A member removed and
//! inserted again is a new entry and may be yielded again, as in Go, whose
//! iterator yields a key re-inserted into a slot ahead of it.)
//!
//! Why offsets and not the members' own slot addresses: a set of addresses
//! grows with the run and needs the delete path to drop addresses it frees;
//! one offset per cursor is constant space, and deletes and inserts leave it
//! valid. Why a registry at all: nothing in a chain after evacuation says
//! where its entries used to be, and the layout must stay Go's, so there is
//! no room for a per-entry mark.
//!
//! The cost falls on the rare case. A cursor registers only when it yields
//! a member of a run with members left after it; the normal step pays one
//! branch on "in a run?". Inserts and deletes do nothing for cursors, and
//! `evacuate` (already out of line) pays one branch on "any run
//! registered?". The registry holds weak references, so a cursor dropped
//! mid-run is forgotten at the next registration, evacuation or reseed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::bucket::{BucketRef, Full};
use super::shape::*;
use super::RawTable;

/// A cursor's position; it holds no pointer into the table.
#[derive(Debug)]
pub struct RangeState {
    b_it: u8,
    start: usize,
    mask: u64,
    /// Groups finished.
    visited: usize,
    /// Order key of the last entry yielded in the current group.
    last: Option<u64>,
    /// The run of equal hashes the cursor is inside, when members of it may
    /// be left to yield; its hash's order key is `last`.
    run: Option<Arc<TieRun>>,
    /// The table's `epoch` at creation.
    epoch: u32,
    done: bool,
}

/// A cursor's place inside a run of entries with one 64-bit hash, shared by
/// the cursor and the table's [`TieRegistry`] so that evacuation can carry
/// it to the new chain.
#[derive(Debug)]
pub(crate) struct TieRun {
    /// The hash every member of the run has.
    hash: u64,
    /// Chain offset (`8 * link + slot`) just past the member yielded last,
    /// in the chain that holds `hash` now. Invariant: every member below it
    /// was yielded, or inserted after the run began.
    ///
    /// Written by the cursor's step (through `&RawTable`) and by evacuation
    /// (through `&mut RawTable`). Those never overlap: whatever hands the
    /// table from a reader to a writer (a lock, a join, a borrow ending)
    /// orders them, so `Relaxed` is enough; the atomic only makes the
    /// shared cell `Sync`.
    next: AtomicUsize,
}

impl TieRun {
    /// The run's hash.
    pub(super) fn hash(&self) -> u64 {
        self.hash
    }

    /// The offset the cursor resumes from.
    pub(super) fn next(&self) -> usize {
        self.next.load(Ordering::Relaxed)
    }

    /// Moves the place to `offset` (after a step, or when evacuation
    /// renumbers the chain).
    pub(super) fn set_next(&self, offset: usize) {
        self.next.store(offset, Ordering::Relaxed);
    }
}

/// The runs range cursors are inside, for evacuation to carry along. Empty
/// unless distinct keys of the map share a 64-bit hash and a cursor stands
/// between two of them.
pub(crate) type TieRegistry = crate::base::ties::TieRegistry<TieRun>;

/// The entry a step picked in a bucket.
struct Pick<'a, K, V> {
    slot: Full<'a, K, V>,
    /// Chain offset of the slot.
    offset: usize,
    hash: u64,
    /// Its order key.
    key: u64,
    /// Whether another entry with the same hash sits at a higher offset.
    more: bool,
}

/// Reverses the low `d` bits of `x`.
#[inline]
fn rev_bits(x: u64, d: u8) -> u64 {
    if d == 0 {
        0
    } else {
        x.reverse_bits() >> (64 - d as u32)
    }
}

impl<K, V> RawTable<K, V> {
    /// A cursor at a random group with a random in-group order.
    pub(crate) fn range_state(&self) -> RangeState {
        let r = fastrand::u64(..);
        RangeState {
            b_it: self.b,
            start: (r as usize) & self.bucket_mask(),
            mask: fastrand::u64(..),
            visited: 0,
            last: None,
            run: None,
            epoch: self.epoch,
            done: false,
        }
    }

    /// The next entry for the cursor, or `None` when it is done.
    pub(crate) fn range_next(
        &self, st: &mut RangeState, hasher: impl Fn(&K) -> u64,
    ) -> Option<(&K, &V)> {
        if st.done || st.epoch != self.epoch || self.b < st.b_it || self.count == 0 {
            st.done = true;
            st.run = None;
            return None;
        }
        if let Some(run) = &st.run {
            let next = self.run_next(run, &hasher);
            if !next.is_some_and(|(_, more)| more) {
                st.run = None;
            }
            if let Some((slot, _)) = next {
                return Some(slot.entry());
            }
        }
        let groups = 1usize << st.b_it;
        let d = self.b - st.b_it;
        let order = |h: u64| (h >> st.b_it).reverse_bits() ^ st.mask;
        while st.visited < groups {
            let g = (st.start + st.visited) & (groups - 1);
            // Top `d` bits of an order key name its sub-bucket of the group.
            let top = |key: u64| if d == 0 { 0 } else { key >> (64 - d as u32) };
            let first_t = st.last.map_or(0, top);
            let rtop = top(st.mask);
            for t in first_t..(1u64 << d) {
                let n = g | ((rev_bits(t ^ rtop, d) as usize) << st.b_it);
                let above = if t == first_t { st.last } else { None };
                if let Some(p) = self.range_pick(n, above, &hasher, &order) {
                    st.last = Some(p.key);
                    if p.more {
                        st.run = Some(self.enter_run(p.hash, p.offset + 1));
                    }
                    return Some(p.slot.entry());
                }
            }
            st.visited += 1;
            st.last = None;
        }
        st.done = true;
        None
    }

    /// The chain that holds bucket `n`'s entries now (see
    /// [`Self::live_chain`]).
    fn range_chain(&self, n: usize) -> BucketRef<'_, K, V> {
        self.live_chain(n)
            .expect("a map with entries has an array")
            .head
    }

    /// In current bucket `n`, the entry with the smallest order key above
    /// `above` (any, when `None`); among entries with that key (equal
    /// hashes), the one with the lowest chain offset.
    fn range_pick(
        &self, n: usize, above: Option<u64>, hasher: &impl Fn(&K) -> u64,
        order: &impl Fn(u64) -> u64,
    ) -> Option<Pick<'_, K, V>> {
        let mask_now = self.bucket_mask();
        let mut best: Option<Pick<'_, K, V>> = None;
        let mut base = 0;
        for bk in self.range_chain(n).chain() {
            for slot in bk.full() {
                let i = slot.index();
                let h = hasher(slot.key());
                if h as usize & mask_now != n {
                    continue; // an old chain's entry that belongs to the other half
                }
                let key = order(h);
                if above.is_some_and(|lo| key <= lo) {
                    continue;
                }
                match &mut best {
                    Some(p) if p.key < key => {}
                    // Same bucket and order key: the same hash.
                    Some(p) if p.key == key => p.more = true,
                    _ => {
                        best = Some(Pick {
                            slot,
                            offset: base + i,
                            hash: h,
                            key,
                            more: false,
                        })
                    }
                }
            }
            base += BUCKET_CNT;
        }
        best
    }

    /// Starts tracking a run the cursor has just entered, with `next` just
    /// past the member it yields.
    #[cold]
    #[inline(never)]
    fn enter_run(&self, hash: u64, next: usize) -> Arc<TieRun> {
        let run = Arc::new(TieRun {
            hash,
            next: AtomicUsize::new(next),
        });
        self.ties.register(&run);
        run
    }

    /// The run's first member at or above its `next` offset, and whether
    /// another member follows it; moves `next` past it.
    #[cold]
    #[inline(never)]
    fn run_next(
        &self, run: &TieRun, hasher: &impl Fn(&K) -> u64,
    ) -> Option<(Full<'_, K, V>, bool)> {
        let hash = run.hash();
        let from = run.next();
        let mut found: Option<(Full<'_, K, V>, usize)> = None;
        let mut base = 0;
        for bk in self.range_chain(hash as usize).chain() {
            for slot in bk.matching(hash) {
                let i = slot.index();
                if base + i < from || hasher(slot.key()) != hash {
                    continue;
                }
                if let Some((f, offset)) = found {
                    run.set_next(offset + 1);
                    return Some((f, true));
                }
                found = Some((slot, base + i));
            }
            base += BUCKET_CNT;
        }
        let (f, offset) = found?;
        run.set_next(offset + 1);
        Some((f, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key gets this hash: one chain, one run.
    fn same(_: &u64) -> u64 {
        0x5eed_0000_0000_0003
    }

    fn table(n: u64) -> RawTable<u64, u64> {
        let mut t = RawTable::empty(0);
        for k in 0..n {
            t.insert(same(&k), k, k, same).expect("fits");
        }
        t
    }

    fn registered(t: &mut RawTable<u64, u64>) -> usize {
        t.ties.registered()
    }

    #[test]
    fn a_cursor_registers_inside_a_run_and_leaves_at_its_end() {
        let t = table(3);
        let mut st = t.range_state();
        assert_eq!(t.range_next(&mut st, same).map(|(k, _)| *k), Some(0));
        assert!(st.run.is_some());
        assert_eq!(t.ties.live().len(), 1);
        assert_eq!(t.range_next(&mut st, same).map(|(k, _)| *k), Some(1));
        assert_eq!(t.range_next(&mut st, same).map(|(k, _)| *k), Some(2));
        // The last member: nothing left after it, so the run is dropped.
        assert!(st.run.is_none());
        assert!(t.ties.live().is_empty());
        assert_eq!(t.range_next(&mut st, same), None);
    }

    #[test]
    fn a_cursor_dropped_mid_run_is_forgotten() {
        let mut t = table(20);
        let mut st = t.range_state();
        t.range_next(&mut st, same).expect("an entry");
        assert_eq!(registered(&mut t), 1);
        drop(st);
        // The registry holds it weakly: nothing keeps the place alive.
        assert!(t.ties.live().is_empty());
        // The next registration prunes it.
        let mut st2 = t.range_state();
        t.range_next(&mut st2, same).expect("an entry");
        assert_eq!(registered(&mut t), 1);
        drop(st2);
        // So does the next evacuation: grow until one happens.
        let mut k = 100;
        while registered(&mut t) != 0 {
            t.insert(same(&k), k, k, same).expect("fits");
            k += 1;
            assert!(k < 1000, "no evacuation");
        }
    }

    #[test]
    fn reseeding_forgets_every_run() {
        let mut t = table(4);
        let mut st = t.range_state();
        t.range_next(&mut st, same).expect("an entry");
        t.clear(7);
        assert_eq!(registered(&mut t), 0);
        assert_eq!(t.range_next(&mut st, same), None);
        assert!(st.run.is_none());
    }
}
