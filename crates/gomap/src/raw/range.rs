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
//!   doublings and same-size growths.
//! - When the map is emptied and reseeded, every entry in it was inserted
//!   after the cursor was made, so the cursor ends.
//!
//! Distinct keys with the same 64-bit hash share one `key(h)`; the cursor
//! yields them in chain order (which growth preserves) and counts how many it
//! yielded. If the map changed between two steps inside such a run, the
//! cursor skips the rest of the run rather than risk yielding an entry twice.

use super::shape::*;
use super::{Bucket, RawTable};

/// A cursor's position; it holds no pointer into the table.
#[derive(Clone, Debug)]
pub(crate) struct RangeState {
    b_it: u8,
    start: usize,
    mask: u64,
    /// Groups finished.
    visited: usize,
    /// Order key of the last entry yielded in the current group.
    last: Option<u64>,
    /// Entries yielded whose order key equals `last`.
    tie_rank: usize,
    /// `mods` when the last entry was yielded.
    mods: u64,
    /// The table's `epoch` at creation.
    epoch: u32,
    done: bool,
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
            tie_rank: 0,
            mods: self.mods,
            epoch: self.epoch,
            done: false,
        }
    }

    /// The next entry for the cursor, or `None` when it is done.
    pub(crate) fn range_next(
        &self,
        st: &mut RangeState,
        hasher: impl Fn(&K) -> u64,
    ) -> Option<(&K, &V)> {
        if st.done || st.epoch != self.epoch || self.b < st.b_it || self.count == 0 {
            st.done = true;
            return None;
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
                let lower = if t == first_t { st.last } else { None };
                if let Some((b, i, key, rank)) = self.range_pick(n, lower, st, &hasher, &order) {
                    if Some(key) == st.last {
                        st.tie_rank += 1;
                    } else {
                        st.last = Some(key);
                        st.tie_rank = rank + 1;
                    }
                    st.mods = self.mods;
                    // SAFETY: `(b, i)` is a full slot of a live chain, and
                    // the entry lives as long as the shared borrow.
                    return Some(unsafe { Self::entry_at(b, i) });
                }
            }
            st.visited += 1;
            st.last = None;
            st.tie_rank = 0;
        }
        st.done = true;
        None
    }

    /// In current bucket `n`, the entry with the smallest order key above
    /// `lower` (or equal to it, for the next of a run of equal hashes), with
    /// its rank within its run.
    fn range_pick(
        &self,
        n: usize,
        lower: Option<u64>,
        st: &RangeState,
        hasher: &impl Fn(&K) -> u64,
        order: &impl Fn(u64) -> u64,
    ) -> Option<(Bucket, usize, u64, usize)> {
        let mask_now = self.bucket_mask();
        let mut chain = self.main_bucket(n);
        if let Some(old) = &self.oldbuckets {
            let j = n & (old.base() - 1);
            // SAFETY: `j < 2^oldB`.
            let ob = unsafe { old.bucket(j, Self::BUCKET_SIZE) };
            // SAFETY: `ob` is a live main bucket.
            if !is_evacuated_mark(unsafe { Self::top(ob, 0) }) {
                chain = ob;
            }
        }
        let ties_ok = st.mods == self.mods;
        let mut best: Option<(Bucket, usize, u64)> = None;
        let mut best_rank = 0;
        let mut equal_seen = 0;
        let mut b = Some(chain);
        while let Some(bk) = b {
            for i in 0..BUCKET_CNT {
                // SAFETY: `bk` is a live bucket of the chain.
                if !is_full(unsafe { Self::top(bk, i) }) {
                    continue;
                }
                // SAFETY: the slot is full.
                let h = hasher(unsafe { &*Self::key_ptr(bk, i) });
                if h as usize & mask_now != n {
                    continue; // an old chain's entry that belongs to the other half
                }
                let key = order(h);
                match lower {
                    Some(lo) if key < lo => continue,
                    Some(lo) if key == lo => {
                        // The next unyielded entry of the current run.
                        if ties_ok && equal_seen == st.tie_rank {
                            best = Some((bk, i, key));
                            best_rank = equal_seen;
                        }
                        equal_seen += 1;
                        continue;
                    }
                    _ => {}
                }
                if best.is_some_and(|(_, _, bkey)| bkey <= key) {
                    continue;
                }
                best = Some((bk, i, key));
                best_rank = 0;
            }
            // SAFETY: `bk` is live.
            b = unsafe { Self::overflow(bk) };
        }
        best.map(|(bk, i, key)| (bk, i, key, best_rank))
    }
}
