//! The Swiss map's `range()` cursor: Go's `range` contract without a borrow
//! held between steps.
//!
//! Go's iterator keeps a pointer to the table it walks and, when that table
//! has been replaced by a grow or split, looks each key up again in the
//! current map. A Rust map frees replaced tables, so the cursor keeps its
//! place in *hash space*, which no grow or split changes:
//!
//! - The directory partitions hash space into ranges of top bits, one per
//!   table; tables only ever get finer (a split halves a range, nothing
//!   merges). The cursor fixes a start point at creation — the first hash
//!   of the table a random directory entry selects, as Go snaps its random
//!   directory offset back to a table's first entry — and walks hash space
//!   from there, wrapping, one *region* at a time.
//! - A region is the rest of the range of the table the cursor's boundary
//!   selects when it gets there (the whole space for a small map), clipped
//!   to the walk's end. Because tables only get finer, every boundary is
//!   still a table's first hash later, so regions never overlap and
//!   together cover hash space exactly once.
//! - Entering a region, the cursor records the hashes of the entries in it
//!   (in Go's in-table order from a random slot offset), each hash once.
//!   Each step takes the next recorded hash and looks it up in the map as
//!   it is now: an entry present throughout was present when its region was
//!   recorded and is found wherever it has moved, so it is yielded exactly
//!   once; a removed one is not found; an inserted one is yielded only if
//!   its hash was recorded, and then once.
//! - The seed changes only when the map empties (a delete of the last
//!   entry, a clear), and everything present after that was inserted after
//!   the cursor was made, so a reseed ends the cursor (`epoch`).
//!
//! # Runs of equal hashes
//!
//! Distinct keys with one 64-bit hash are told apart by *position* (slot
//! index in their table): the cursor yields them in probe order, keeping
//! the positions it yielded in a [`TieRun`]. Entries move only when a table
//! grows or splits, and all keys of one hash move together; the map keeps a
//! registry of the runs cursors are inside ([`TieRegistry`]) and rewrites
//! their positions as it moves entries. Deletes and inserts move nothing: a
//! key inserted into a yielded position is new, and may be skipped. A sound
//! hasher makes runs vanishingly rare, so the registry is empty and costs
//! one branch per grow.

use std::sync::{Arc, Mutex, PoisonError};

use super::group::{h2, SLOTS};
use super::{Body, Loc, RawSwiss};

/// A cursor's position; it holds no pointer into the map.
#[derive(Debug)]
pub struct SwissRangeState {
    /// The map's `epoch` at creation.
    epoch: u64,
    /// Where the walk of hash space starts.
    start: u64,
    /// Hash space covered by the regions entered so far, from `start`.
    covered: u128,
    /// Go's random in-table slot offset.
    entry_offset: usize,
    /// Hashes recorded for the current region, and the next to take.
    pending: Vec<u64>,
    next: usize,
    /// The run of equal hashes the cursor is inside.
    run: Option<Arc<TieRun>>,
    done: bool,
}

const SPACE: u128 = 1 << 64;

/// A cursor's place inside a run of entries sharing one hash.
#[derive(Debug)]
pub(crate) struct TieRun {
    hash: u64,
    /// Positions (`group · 8 + slot`) of the run's members yielded so far,
    /// in the table that holds `hash` now.
    yielded: Mutex<Vec<usize>>,
}

impl TieRun {
    fn yielded(&self) -> std::sync::MutexGuard<'_, Vec<usize>> {
        self.yielded.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The runs range cursors stand inside, for grows and splits to carry along.
pub(crate) type TieRegistry = crate::base::ties::TieRegistry<TieRun>;

impl TieRegistry {
    /// Entries moved as `(hash, old position, new position)`: every live
    /// run's yielded positions follow their entries.
    pub(crate) fn moved(&mut self, moves: &[(u64, usize, usize)]) {
        self.for_each_live(|run| {
            let mut yielded = run.yielded();
            let new: Vec<usize> = moves
                .iter()
                .filter(|&&(h, from, _)| h == run.hash && yielded.contains(&from))
                .map(|&(_, _, to)| to)
                .collect();
            *yielded = new;
        });
    }
}

impl<K, V> RawSwiss<K, V> {
    /// A new cursor: Go's `Iter.Init` draws the two offsets.
    pub(crate) fn range_state(&self) -> SwissRangeState {
        let entry_offset = fastrand::usize(..);
        let start = match &self.body {
            Body::Dir { dir, tables } if self.global_depth > 0 => {
                let d = fastrand::usize(..dir.len());
                tables[dir[d]].first_hash
            }
            _ => 0,
        };
        SwissRangeState {
            epoch: self.epoch,
            start,
            covered: 0,
            entry_offset,
            pending: Vec::new(),
            next: 0,
            run: None,
            done: self.used == 0,
        }
    }

    /// Calls `f` with every location holding an entry whose hash is
    /// `hash`, in probe order, until it returns false.
    fn locs_with_hash(
        &self, hash: u64, hasher: &dyn Fn(&K) -> u64, mut f: impl FnMut(Loc) -> bool,
    ) {
        match &self.body {
            Body::Empty => {}
            Body::Small(g) => {
                for slot in g.ctrl(0).match_h2(h2(hash)) {
                    let loc = Loc {
                        table: None,
                        group: 0,
                        slot,
                    };
                    if g.key(0, slot).is_some_and(|k| hasher(k) == hash) && !f(loc) {
                        return;
                    }
                }
            }
            Body::Dir { dir, tables } => {
                let t = Self::table_of(dir, self.global_depth, hash);
                tables[t].probe_h2(hash, |group, slot, k| {
                    hasher(k) != hash
                        || f(Loc {
                            table: Some(t),
                            group,
                            slot,
                        })
                });
            }
        }
    }

    /// Records the next region's hashes; false when the walk is over.
    fn enter_region(&self, st: &mut SwissRangeState, hasher: &dyn Fn(&K) -> u64) -> bool {
        if st.covered >= SPACE {
            return false;
        }
        let boundary = st.start.wrapping_add(st.covered as u64);
        let (len, groups) = match &self.body {
            Body::Empty => (SPACE - st.covered, None),
            Body::Small(g) => (SPACE - st.covered, Some(g)),
            Body::Dir { dir, tables } => {
                let table = &tables[Self::table_of(dir, self.global_depth, boundary)];
                let range = SPACE >> table.local_depth;
                let first = u128::from(boundary) & !(range - 1);
                let len = (first + range - u128::from(boundary)).min(SPACE - st.covered);
                (len, Some(&table.groups))
            }
        };
        let lo = st.covered;
        let hi = st.covered + len;
        st.covered = hi;
        st.pending.clear();
        st.next = 0;
        if let Some(groups) = groups {
            let cap = groups.len() * SLOTS;
            let mut found: Vec<(u64, usize)> = Vec::new();
            for e in 0..cap {
                let pos = (e + st.entry_offset) & (cap - 1);
                if let Some(k) = groups.key(pos / SLOTS, pos % SLOTS) {
                    let h = hasher(k);
                    let rel = u128::from(h.wrapping_sub(st.start));
                    if rel >= lo && rel < hi {
                        found.push((h, e));
                    }
                }
            }
            // Each hash once, in first-seen order.
            found.sort_unstable();
            found.dedup_by_key(|(h, _)| *h);
            found.sort_unstable_by_key(|&(_, e)| e);
            st.pending.extend(found.into_iter().map(|(h, _)| h));
        }
        true
    }

    /// One step of a cursor. Go: `Iter.Next` with the guarantees in the
    /// module docs.
    pub(crate) fn range_next(
        &self, st: &mut SwissRangeState, hasher: &dyn Fn(&K) -> u64,
    ) -> Option<(&K, &V)> {
        loop {
            if st.done {
                return None;
            }
            if st.epoch != self.epoch {
                st.done = true;
                st.run = None;
                return None;
            }
            if let Some(run) = &st.run {
                let mut found = None;
                {
                    let yielded = run.yielded();
                    self.locs_with_hash(run.hash, hasher, |loc| {
                        let pos = loc.group * SLOTS + loc.slot;
                        if yielded.contains(&pos) {
                            true
                        } else {
                            found = Some((loc, pos));
                            false
                        }
                    });
                }
                if let Some((loc, pos)) = found {
                    run.yielded().push(pos);
                    return Some(self.entry_at(loc));
                }
                st.run = None;
                st.next += 1;
                continue;
            }
            if st.next < st.pending.len() {
                let h = st.pending[st.next];
                let mut first = None;
                let mut count = 0;
                self.locs_with_hash(h, hasher, |loc| {
                    count += 1;
                    first.get_or_insert(loc);
                    count < 2
                });
                match (first, count) {
                    (None, _) => st.next += 1,
                    (Some(loc), 1) => {
                        st.next += 1;
                        return Some(self.entry_at(loc));
                    }
                    _ => {
                        let run = Arc::new(TieRun {
                            hash: h,
                            yielded: Mutex::new(Vec::new()),
                        });
                        self.ties.register(&run);
                        st.run = Some(run);
                    }
                }
                continue;
            }
            if !self.enter_region(st, hasher) {
                st.done = true;
                return None;
            }
        }
    }
}
