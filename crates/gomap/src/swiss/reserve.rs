//! Group arrays kept ready for the next split, so that it writes no fresh
//! page.
//!
//! A split moves a full table's 896 entries into two new 1,024-slot tables.
//! Moving them takes about 40 µs; writing the two new arrays' control words
//! took as long again in a 10-million-key run, because they were fresh
//! memory: a page fault per 4 KiB, about 3 µs each on the machines we
//! measure on (`bench/swiss-perf.md`, "The split's page faults"). Go pays
//! the same, as its tables are fresh allocations too. None of it is the
//! layout's: what the split writes, and where, does not change.
//!
//! So the map keeps up to [`READY`] empty full-size arrays. A split takes
//! its two halves from here and gives back the array it emptied (with every
//! tombstone cleared, as a new array would be); a table's grow to 1,024
//! slots takes one. The inserts into a table that is near its next growth
//! (fewer than [`WARM_AT`] free slots) each ready a few more pages of a new
//! array ([`Warming`]), so the page faults fall one or two at a time on
//! ordinary inserts, ahead of the split.
//!
//! Memory: at most two full-size arrays beyond the map's tables (34 KiB for
//! `u64` keys and values), counted in `stats().bytes.reserve`. Small maps,
//! whose tables never reach 512 slots, keep none.

use super::group::{GroupArray, Warming, SLOTS};
use super::table::MAX_TABLE_CAPACITY;

/// Groups of a full-size (1,024-slot) table.
const FULL_GROUPS: usize = MAX_TABLE_CAPACITY / SLOTS;

/// Arrays the reserve holds: the two halves of one split.
const READY: usize = 2;

/// A table with fewer free slots than this (`growthLeft`) readies the
/// reserve on every insert. Readying two arrays takes at most 66 steps
/// (the largest slots, 256 bytes, make 263 KiB arrays), under the 128
/// inserts such a table takes to fill.
pub(crate) const WARM_AT: usize = 128;

/// Bytes readied per step: two pages.
const STEP: usize = 8192;

/// Empty full-size group arrays for splits and grows, and the one being
/// readied. Invariant: every array in `ready` has [`FULL_GROUPS`] groups
/// and no full slot, and there are at most [`READY`] of them.
pub(crate) struct Reserve<K, V> {
    ready: Vec<GroupArray<K, V>>,
    warming: Option<Warming<K, V>>,
}

impl<K, V> Reserve<K, V> {
    /// An empty reserve (allocates nothing).
    pub(crate) const fn new() -> Self {
        Reserve {
            ready: Vec::new(),
            warming: None,
        }
    }

    /// A full-size array with every control byte empty: a ready one if
    /// there is one, else a new one.
    pub(crate) fn take(&mut self) -> GroupArray<K, V> {
        self.ready
            .pop()
            .unwrap_or_else(|| GroupArray::new(FULL_GROUPS))
    }

    /// Keeps `groups`, which holds no entries, for a later split if it is
    /// full-size and there is room; else frees it.
    pub(crate) fn give_back(&mut self, mut groups: GroupArray<K, V>) {
        if groups.len() == FULL_GROUPS && self.ready.len() < READY {
            // Tombstones become empty bytes, as in a new array.
            groups.reset_marks();
            debug_assert!((0..groups.len()).all(|g| groups.ctrl(g).match_full().is_empty()));
            self.ready.push(groups);
        }
    }

    /// Whether the reserve is short of arrays (inlined on the insert path,
    /// before the call to [`Reserve::warm`]).
    #[inline(always)]
    pub(crate) fn short(&self) -> bool {
        self.ready.len() < READY
    }

    /// One step of readying the next array. Called by inserts into a table
    /// with fewer than [`WARM_AT`] free slots while [`Reserve::short`].
    pub(crate) fn warm(&mut self) {
        let warming = self
            .warming
            .get_or_insert_with(|| Warming::new(FULL_GROUPS));
        if warming.step(STEP) {
            let warming = self.warming.take().expect("readied above");
            match warming.finish() {
                Ok(groups) => self.ready.push(groups),
                Err(_) => unreachable!("step said the array is ready"),
            }
        }
    }

    /// Frees every array.
    pub(crate) fn release(&mut self) {
        self.ready = Vec::new();
        self.warming = None;
    }

    /// Bytes held: the ready arrays and the one being readied.
    pub(crate) fn bytes(&self) -> usize {
        self.ready.iter().map(GroupArray::bytes).sum::<usize>()
            + self.warming.as_ref().map_or(0, Warming::bytes)
            + self.ready.capacity() * core::mem::size_of::<GroupArray<K, V>>()
    }

    /// Arrays ready now.
    #[cfg(test)]
    pub(crate) fn ready(&self) -> usize {
        self.ready.len()
    }

    /// Checks the invariant.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.ready.len() > READY {
            return Err(format!("reserve holds {} arrays", self.ready.len()));
        }
        for (i, g) in self.ready.iter().enumerate() {
            if g.len() != FULL_GROUPS {
                return Err(format!("reserve array {i} has {} groups", g.len()));
            }
            if let Some(at) = (0..g.len()).find(|&at| g.ctrl(at).bytes().iter().any(|&b| b != 0x80))
            {
                return Err(format!("reserve array {i}: group {at} is not all empty"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warming_readies_arrays_until_full() {
        let mut r: Reserve<u64, u64> = Reserve::new();
        let mut steps = 0;
        while r.short() {
            r.warm();
            steps += 1;
            r.check().unwrap();
        }
        assert_eq!(r.ready(), READY);
        // 17,408 bytes per array, 8 KiB a step: 3 steps each.
        assert_eq!(steps, 6);
        let a = r.take();
        assert_eq!(a.len(), FULL_GROUPS);
        assert!((0..a.len()).all(|g| a.ctrl(g).match_full().is_empty()));
        r.give_back(a);
        assert_eq!(r.ready(), READY);
        r.release();
        assert_eq!(r.bytes(), 0);
    }

    #[test]
    fn give_back_clears_tombstones_and_refuses_other_sizes() {
        let mut r: Reserve<u64, String> = Reserve::new();
        let mut a = r.take();
        a.write(3, 1, 7, 1, "x".into());
        let _ = a.take(3, 1, super::super::group::Mark::Deleted);
        r.give_back(a);
        r.check().unwrap();
        assert_eq!(r.ready(), 1);
        r.give_back(GroupArray::new(FULL_GROUPS / 2));
        assert_eq!(r.ready(), 1);
    }

    #[test]
    fn warming_large_slots_stays_within_the_warm_window() {
        // 256-byte slots (the largest inline ones): 263 KiB arrays.
        let mut r: Reserve<[u8; 128], [u8; 128]> = Reserve::new();
        let mut steps = 0;
        while r.short() {
            r.warm();
            steps += 1;
        }
        r.check().unwrap();
        assert!(steps <= WARM_AT, "{steps} steps");
    }
}
