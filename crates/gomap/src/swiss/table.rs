//! One Swiss table: up to 1,024 slots in groups, probed quadratically, with
//! its own `localDepth` under the directory. Go: `internal/runtime/maps.table`.

use super::dir::dir_index;
use super::group::{h2, BitSet, GroupArray, Mark, ProbeGroup, ProbeSeq, CTRL_DELETED, SLOTS};

/// The largest table, in slots; a full one splits instead of doubling.
/// Go: `maxTableCapacity`.
pub(crate) const MAX_TABLE_CAPACITY: usize = 1024;

/// Where an insert of an absent key goes in a table. Go: the slot
/// `table.PutSlot` settles on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InsertSlot {
    /// A tombstone remembered on the probe path: reused without touching
    /// `growthLeft`, and never a reason to grow.
    Tombstone { group: usize, slot: usize },
    /// The first empty slot of the first group whose first free slot is
    /// empty; taking it needs `growthLeft > 0`.
    Empty { group: usize, slot: usize },
}

/// How the write-side probe of a table ended. Go: the two ways out of
/// `table.PutSlot`'s walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PutSlot {
    /// The key is in the table, at this slot.
    Found { group: usize, slot: usize },
    /// The key is absent; an insert goes here.
    Absent(InsertSlot),
}

/// What one group of the `PutSlot` walk holds for the key.
enum Visit {
    /// The key, at this slot.
    Key(usize),
    /// Not the key; the group's first free slot, and whether it is a
    /// tombstone (Go's walk goes on past one).
    Free { slot: usize, tombstone: bool },
    /// Not the key, and no free slot.
    Full,
}

/// One group of the `PutSlot` walk ([`SubTable::put_slot`]).
#[inline(always)]
fn visit<K, V>(group: ProbeGroup<'_, K, V>, hash: u64, eq: &mut impl FnMut(&K) -> bool) -> Visit {
    for (i, k) in group.matches(hash) {
        if eq(k) {
            return Visit::Key(i);
        }
    }
    match group.ctrl.match_empty_or_deleted().first() {
        Some(slot) => Visit::Free {
            slot,
            tombstone: group.ctrl.get(slot) == CTRL_DELETED,
        },
        None => Visit::Full,
    }
}

/// A table. Go: `table`.
pub(crate) struct SubTable<K, V> {
    pub(crate) groups: GroupArray<K, V>,
    /// Live entries. Go: `used`.
    pub(crate) used: usize,
    /// Slots. Go: `capacity`.
    pub(crate) capacity: usize,
    /// Empty slots an insert may still take before the table must grow.
    /// Go: `growthLeft`. Invariant: `max_growth_left() − used − growth_left`
    /// is the number of tombstones.
    pub(crate) growth_left: usize,
    /// Hash bits (from the top) this table is selected by. Go: `localDepth`.
    pub(crate) local_depth: u8,
    /// The smallest hash that selects this table: its top `local_depth`
    /// bits are the table's, the rest zero. Go keeps `index`, the first
    /// directory entry pointing here, which every directory doubling must
    /// rewrite in every table; this does not change when the directory
    /// doubles, and gives `index` for any depth ([`SubTable::index`]).
    pub(crate) first_hash: u64,
}

impl<K, V> SubTable<K, V> {
    /// An empty table of `capacity` slots (rounded up to a power of two, at
    /// least 8). Go: `newTable`.
    pub(crate) fn new(capacity: usize, first_hash: u64, local_depth: u8) -> Self {
        let capacity = capacity.max(SLOTS).next_power_of_two();
        assert!(capacity <= MAX_TABLE_CAPACITY);
        Self::with_groups(GroupArray::new(capacity / SLOTS), first_hash, local_depth)
    }

    /// An empty table over `groups`, which has no full slot and no
    /// tombstone (a new array, or one from the map's reserve).
    pub(crate) fn with_groups(groups: GroupArray<K, V>, first_hash: u64, local_depth: u8) -> Self {
        let capacity = groups.len() * SLOTS;
        assert!(capacity <= MAX_TABLE_CAPACITY);
        let mut t = SubTable {
            groups,
            used: 0,
            capacity,
            growth_left: 0,
            local_depth,
            first_hash,
        };
        t.growth_left = t.max_growth_left();
        t
    }

    /// The first directory entry that points here, under a directory of
    /// depth `global_depth`. Go: `index`.
    #[inline]
    pub(crate) fn index(&self, global_depth: u8) -> usize {
        dir_index(self.first_hash, global_depth)
    }

    /// `growthLeft` of an empty table: 7/8 of the slots (one less than the
    /// slots for a one-group table). Go: `maxGrowthLeft`.
    pub(crate) fn max_growth_left(&self) -> usize {
        if self.capacity <= SLOTS {
            self.capacity - 1
        } else {
            self.capacity * 7 / 8
        }
    }

    /// Deleted slots, from the bookkeeping. Go: `tombstones`.
    pub(crate) fn tombstones(&self) -> usize {
        self.max_growth_left() - self.used - self.growth_left
    }

    /// Walks the probe of `hash` from its home group, calling `visit` with
    /// every full slot whose control byte is `H2(hash)` until it returns
    /// false, and stops at the first group with an empty byte. The range
    /// cursor's walk (see [`GroupArray::probe_h2`]). Go: the loop of
    /// `table.getWithKey`.
    #[inline]
    pub(crate) fn probe_h2(&self, hash: u64, visit: impl FnMut(usize, usize, &K) -> bool) {
        self.groups.probe_h2(hash, false, visit)
    }

    /// The full slot holding a key with `hash` that `eq` accepts. `eq` only
    /// sees keys whose control byte is `H2(hash)`. Go: `table.getWithKey`.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(usize, usize)> {
        self.groups.find(hash, false, eq)
    }

    /// Go's `PutSlot` walk, in one pass: looks for the key `eq` accepts
    /// among the full slots whose byte is `H2(hash)`, group by group, while
    /// noting where an absent key would go — the first group with a free
    /// slot; a tombstone there is remembered (the first one only) and the
    /// probe goes on until a group whose first free slot is empty. `eq`
    /// sees the keys Go's walk compares (which may reach past the group
    /// where a lookup stops).
    ///
    /// The walk is two loops, before and after the first tombstone, rather
    /// than one loop with an optional tombstone: the common insert meets no
    /// tombstone, and in one loop the remembered position and its flag
    /// were live across the whole probe, spilled to the stack
    /// (`bench/swiss-perf.md`, session 16).
    #[inline]
    pub(crate) fn put_slot(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> PutSlot {
        let mut probe = self.groups.probe(hash);
        let (tomb_group, tomb_slot) = loop {
            let Some(group) = probe.next() else {
                unreachable!("a probe never ends")
            };
            match visit(group, hash, &mut eq) {
                Visit::Key(slot) => {
                    return PutSlot::Found {
                        group: group.index,
                        slot,
                    }
                }
                Visit::Free {
                    slot,
                    tombstone: false,
                } => {
                    return PutSlot::Absent(InsertSlot::Empty {
                        group: group.index,
                        slot,
                    })
                }
                Visit::Free {
                    slot,
                    tombstone: true,
                } => break (group.index, slot),
                Visit::Full => {}
            }
        };
        // Past the first tombstone the walk still looks for the key, and
        // ends where it would have ended without one.
        for group in probe {
            match visit(group, hash, &mut eq) {
                Visit::Key(slot) => {
                    return PutSlot::Found {
                        group: group.index,
                        slot,
                    }
                }
                Visit::Free {
                    tombstone: false, ..
                } => {
                    return PutSlot::Absent(InsertSlot::Tombstone {
                        group: tomb_group,
                        slot: tomb_slot,
                    })
                }
                Visit::Free {
                    tombstone: true, ..
                }
                | Visit::Full => {}
            }
        }
        unreachable!("a probe never ends")
    }

    /// Where an absent key with `hash` would be inserted: [`Self::put_slot`]
    /// with no key to find.
    pub(crate) fn insert_slot(&self, hash: u64) -> InsertSlot {
        match self.put_slot(hash, |_| false) {
            PutSlot::Absent(at) => at,
            PutSlot::Found { .. } => unreachable!("put_slot found a key no `eq` accepts"),
        }
    }

    /// Stores an absent key's entry at `at` when that needs no growth
    /// work: a tombstone, or an empty slot while `growthLeft > 0`. Else the
    /// entry comes back. Go: the two writes at the end of `PutSlot`.
    #[inline]
    pub(crate) fn try_put(
        &mut self, at: InsertSlot, hash: u64, key: K, val: V,
    ) -> Result<(usize, usize), (K, V)> {
        let (group, slot) = match at {
            InsertSlot::Tombstone { group, slot } => (group, slot),
            InsertSlot::Empty { group, slot } if self.growth_left > 0 => {
                self.growth_left -= 1;
                (group, slot)
            }
            InsertSlot::Empty { .. } => return Err((key, val)),
        };
        self.groups.write(group, slot, h2(hash), key, val);
        self.used += 1;
        Ok((group, slot))
    }

    /// Moves the `used` entries of `src` (a table's groups, or the small
    /// map's group) into one of `dests` (Go's `grow` and `split` loops;
    /// [`GroupArray::move_hashed_into`] says how, and why nothing is lost
    /// if `hash` panics). `pick` chooses a destination by the hash; `moved`
    /// hears of each move as `(hash, from, to)`. `src` is left without
    /// entries. Panics, before anything moves, unless every destination is
    /// empty and has room for `used` entries.
    pub(crate) fn move_all<const N: usize>(
        src: &mut GroupArray<K, V>, used: usize, mut dests: [&mut SubTable<K, V>; N],
        hash: impl FnMut(&K) -> u64, pick: impl FnMut(u64) -> usize,
        moved: impl FnMut(u64, (usize, usize), (usize, usize)),
    ) {
        for d in &dests {
            assert!(
                d.used == 0 && d.growth_left == d.max_growth_left() && d.growth_left >= used,
                "a growth destination is empty and has room"
            );
        }
        let counts =
            src.move_hashed_into(dests.each_mut().map(|d| &mut d.groups), hash, pick, moved);
        for (d, n) in dests.into_iter().zip(counts) {
            d.used += n;
            d.growth_left -= n;
        }
    }

    /// Removes the entry at `(g, i)` with Go's rule: an empty mark if its
    /// group has an empty byte (`growthLeft` + 1), else a tombstone.
    /// Returns the entry and whether a tombstone was left.
    /// Go: the removal half of `table.Delete`.
    #[inline]
    pub(crate) fn remove_at(&mut self, g: usize, i: usize) -> ((K, V), bool) {
        let tombstone = self.groups.ctrl(g).match_empty().is_empty();
        let entry = self.groups.take(g, i, Self::removal_mark(tombstone));
        self.removed(tombstone);
        (entry, tombstone)
    }

    /// [`Self::find`] and [`Self::remove_at`] in one: the slot the probe
    /// found is emptied without being checked again.
    #[inline]
    pub(crate) fn remove_found(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool,
    ) -> Option<((K, V), bool)> {
        let found = self.groups.find_full(hash, false, eq)?;
        let tombstone = !found.group_has_empty();
        let entry = found.take(Self::removal_mark(tombstone));
        self.removed(tombstone);
        Some((entry, tombstone))
    }

    #[inline(always)]
    fn removal_mark(tombstone: bool) -> Mark {
        if tombstone {
            Mark::Deleted
        } else {
            Mark::Empty
        }
    }

    /// The counts after a removal.
    #[inline(always)]
    fn removed(&mut self, tombstone: bool) {
        self.used -= 1;
        if !tombstone {
            self.growth_left += 1;
        }
    }

    /// Go's `pruneTombstones` (1.25+), called when an insert needs an empty
    /// slot and `growthLeft` is 0. If at least a tenth of the slots are
    /// tombstones, a group is *needed* when it has an empty byte or lies
    /// strictly before a live key's group on that key's probe path (its
    /// tombstones keep the key reachable); the tombstones of the other
    /// groups become empty if they are at least a tenth of the slots.
    /// Returns `None` when the first test fails, else the tombstones freed
    /// (0 if too few). Hashes every key before it changes anything, so a
    /// panicking hasher leaves the table as it was.
    pub(crate) fn prune_tombstones(&mut self, hasher: &dyn Fn(&K) -> u64) -> Option<usize> {
        if self.tombstones() * 10 < self.capacity {
            return None;
        }
        let groups = self.groups.len();
        let mut needed = vec![false; groups];
        for g in 0..groups {
            let ctrl = self.groups.ctrl(g);
            for i in ctrl.match_full() {
                let Some(k) = self.groups.key(g, i) else {
                    continue;
                };
                let mut seq = ProbeSeq::new(hasher(k), groups);
                while seq.group() != g {
                    if !self
                        .groups
                        .ctrl(seq.group())
                        .match_empty_or_deleted()
                        .is_empty()
                    {
                        needed[seq.group()] = true;
                    }
                    seq.advance();
                }
            }
            if !ctrl.match_empty().is_empty() {
                needed[g] = true;
            }
        }
        let count: usize = (0..groups)
            .filter(|&g| !needed[g])
            .map(|g| self.groups.ctrl(g).match_deleted().count())
            .sum();
        if count * 10 < self.capacity {
            return Some(0);
        }
        for g in (0..groups).filter(|&g| !needed[g]) {
            let deleted: BitSet = self.groups.ctrl(g).match_deleted();
            for i in deleted {
                self.groups.set_mark(g, i, Mark::Empty);
                self.growth_left += 1;
            }
        }
        Some(count)
    }

    /// A copy with every entry in the same slot.
    pub(crate) fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        SubTable {
            groups: self.groups.clone_array(),
            used: self.used,
            capacity: self.capacity,
            growth_left: self.growth_left,
            local_depth: self.local_depth,
            first_hash: self.first_hash,
        }
    }
}
