//! The Swiss-table engine: Go 1.24+'s map (`internal/runtime/maps`), as
//! Go 1.27.3 runs it.
//!
//! ## Layout
//!
//! A map with at most 8 entries is a *small map*: one group and no
//! directory. A group has 8 control bytes, then 8 `(key, value)` slots. A
//! control byte is 0x80 (empty), 0xFE (deleted: a tombstone) or, for a full
//! slot, H2 — the low 7 bits of its key's hash. A small map's lookup
//! compares all 8 bytes; an insert takes the first empty slot.
//!
//! The 9th key turns the group into a *table* of 16 slots under a
//! one-entry *directory*. Tables have up to 1,024 slots. The top
//! `globalDepth` bits of a hash pick a directory entry, and each table is
//! pointed to by the `2^(globalDepth − localDepth)` contiguous entries that
//! share its top `localDepth` bits (extendible hashing). Inside a table,
//! H1 = hash >> 7 picks the home group and probing is quadratic over groups;
//! a lookup stops at the first group with an empty byte.
//!
//! ## Growth
//!
//! A table keeps `growthLeft`, the empty slots it may still fill: 7/8 of
//! its slots minus the live entries and the tombstones. Only an insert that
//! needs an empty slot — one that found no tombstone on its probe path — and
//! finds `growthLeft` 0 does growth work: first `pruneTombstones` (Go 1.25+),
//! which turns tombstones no probe needs back into empty slots; if that
//! frees too few, the table *rehashes*: into a table of twice the slots
//! while that is at most 1,024, else it *splits* into two 1,024-slot tables
//! by the next hash bit, doubling the directory when the table was already
//! as deep as the directory. The interrupted insert then starts over. All of
//! a table's keys are hashed before any entry moves, so a panicking hasher
//! loses nothing.
//!
//! ## Deletes and clear
//!
//! A small map's delete always leaves an empty byte. A table's delete
//! leaves an empty byte if the key's group has one (a probe would stop
//! there anyway), else a tombstone, and the map remembers that tombstones
//! may exist (`tombstonePossible`). A delete that leaves the map empty, and
//! a `clear` that does work, draw a new seed. `clear` is a no-op only for a
//! map with no entries and no possible tombstones; otherwise every table is
//! reset, keeping its capacity, and the directory stays.
//!
//! ## How the code differs from Go's (not what it computes)
//!
//! Control words are matched with SSE2 on x86-64 (SWAR elsewhere), and
//! each directory entry keeps a copy of where its table's groups are (a
//! [`group::Head`]), so a lookup goes from the directory to the groups
//! without loading the table; Go loads the table. The directory's next
//! doubling is built a few entries at a time by the splits before it
//! (`dir.rs`), tables live in segments that never move (`tables.rs`), and a
//! table keeps the first hash it owns instead of Go's `index`, so a
//! doubling rewrites no table: each of these took a copy out of the insert
//! that doubles the directory, which had been the map's largest pause.
//! A split takes its two arrays from a reserve of empty ones, and the next
//! image's memory is ready too (`reserve.rs`). Inserts into nearly full
//! tables fill both in a page at a time, so a split allocates nothing and
//! faults no page in. None of it changes the layout, the probe order or any growth decision
//! (`bench/swiss-perf.md` has the measurements).
//!
//! ## Iteration
//!
//! Go starts each iteration at a random directory offset (snapped back to
//! the start of the table found there) and a random slot offset within
//! each table; the iterators here do the same. `range()` keeps its place in
//! hash space (see `range.rs`), since tables move under it.

mod check;
mod dir;
mod group;
mod iter;
mod range;
mod reserve;
mod table;
mod tables;
mod view;

pub(crate) use iter::{SwissDrain, SwissIntoIter, SwissIter, SwissIterMut};
pub(crate) use range::SwissRangeState;

use dir::{dir_index, Directory};
use group::{h2, ArrayRef, GroupArray, Shape, SLOTS};
use reserve::{Reserve, WARM_AT};
use table::{InsertSlot, PutSlot, SubTable, MAX_TABLE_CAPACITY};
use tables::Tables;

use crate::base::event::{Event, ObserverSlot, ReseedCause};

/// The largest allocation a `make` hint may ask for, in bytes; a larger
/// hint gives an empty map, as Go's `maxAlloc` test does (amd64's value;
/// on 32-bit targets, the most a Rust allocation may be).
pub(crate) const MAX_ALLOC: usize = if usize::BITS == 64 {
    1 << 48
} else {
    isize::MAX as usize
};

/// Where the map's entries live.
///
/// `repr(u8)` gives the enum a tag byte of its own. Without it the tag
/// hides in a niche of the `Vec`s' capacities, and telling the variants
/// apart, which every lookup does first, took 10 instructions instead of 2.
#[repr(u8)]
pub(crate) enum Body<K, V> {
    /// No group yet (`dirPtr == nil`).
    Empty,
    /// The small map's single group (`dirLen == 0`).
    Small(GroupArray<K, V>),
    /// The directory: `dir[i]` is an index into `tables`. Every table in
    /// `tables` is in the directory. Invariants (kept by `with_hint`,
    /// `grow_to_table` and `split`, verified by `check`), which the
    /// unchecked lookups of [`RawSwiss::table_at_mut`] and [`RawSwiss::get`]
    /// rely on: `dir.len()` is `2^globalDepth`, every entry is below
    /// `tables.len()`, every entry's address is `tables.ptr` of the table
    /// it names, and every entry's head is that table's groups; all three
    /// are set by every change to the directory or to a table's groups
    /// before any user code (hasher, `Eq`, observer) runs
    /// (`Directory::check` verifies them).
    Dir {
        dir: Directory<K, V>,
        tables: Tables<K, V>,
    },
}

/// A full slot's place: the table (`None` for the small group), group and slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) table: Option<usize>,
    pub(crate) group: usize,
    pub(crate) slot: usize,
}

impl Loc {
    /// Slot `slot` of group `group` of directory table `t`.
    const fn in_table(t: usize, group: usize, slot: usize) -> Loc {
        Loc {
            table: Some(t),
            group,
            slot,
        }
    }
}

/// An `extract_if` walk: every full slot's location, taken up front. A
/// delete only rewrites a control byte, so no entry moves while the walk
/// holds the map's unique borrow.
pub struct SwissExtract<'a, K, V> {
    map: &'a mut RawSwiss<K, V>,
    /// Locations still to visit, last first.
    locs: Vec<Loc>,
}

impl<K, V> SwissExtract<'_, K, V> {
    /// The next entry `pred` accepts, removed with Go's delete rules;
    /// `reseed` gives the new seed if this empties the map.
    pub(crate) fn next(
        &mut self, mut pred: impl FnMut(&K, &mut V) -> bool, reseed: impl FnOnce() -> u64,
    ) -> Option<(K, V)> {
        while let Some(loc) = self.locs.pop() {
            let (k, v) = self.map.entry_at_mut(loc);
            if pred(k, v) {
                let kv = self.map.remove_at(loc);
                if self.map.used == 0 {
                    self.locs.clear();
                    self.map.set_seed(reseed(), ReseedCause::DeleteToEmpty);
                }
                return Some(kv);
            }
        }
        None
    }

    /// Entries left in the map.
    pub(crate) fn table_len(&self) -> usize {
        self.map.used
    }
}

/// The Swiss map. Go: `maps.Map`.
pub struct RawSwiss<K, V> {
    /// Live entries. Go: `used`.
    pub(crate) used: usize,
    /// The hash seed. Go: `seed`.
    pub(crate) seed: u64,
    /// log2 of the directory length. Go: `globalDepth`.
    pub(crate) global_depth: u8,
    /// `64 − globalDepth` once there is a directory, else 0. Go: `globalShift`.
    pub(crate) global_shift: u8,
    /// A table delete has left a tombstone since the last clear. Go: `tombstonePossible`.
    pub(crate) tombstone_possible: bool,
    /// Clears that did work. Go: `clearSeq`.
    pub(crate) clear_seq: u64,
    pub(crate) body: Body<K, V>,
    /// Bumped at every reseed: range cursors made before it end.
    pub(crate) epoch: u64,
    /// Runs of equal hashes range cursors stand inside.
    pub(crate) ties: range::TieRegistry,
    pub(crate) observer: ObserverSlot,
    /// Empty full-size group arrays for the next split (`reserve.rs`).
    pub(crate) reserve: Reserve<K, V>,
}

impl<K, V> RawSwiss<K, V> {
    /// An empty map sized for `hint` entries by Go's `make` rule (integer
    /// arithmetic throughout): `target = ⌊hint·8/7⌋`, `dirSize =
    /// pow2ceil(⌈target/1024⌉)`, each of the `dirSize` tables holding
    /// `pow2ceil(max(8, ⌊target/dirSize⌋))` slots. A hint ≤ 8 gives the
    /// unallocated small map, and so does one whose tables would exceed
    /// [`MAX_ALLOC`]. Go: `NewMap`.
    pub(crate) fn with_hint(hint: usize, seed: u64) -> Self {
        let mut m = RawSwiss {
            used: 0,
            seed,
            global_depth: 0,
            global_shift: 0,
            tombstone_possible: false,
            clear_seq: 0,
            body: Body::Empty,
            epoch: 0,
            ties: range::TieRegistry::new(),
            observer: ObserverSlot::none(),
            reserve: Reserve::new(),
        };
        if hint <= SLOTS {
            return m;
        }
        let Some(target) = hint.checked_mul(SLOTS).map(|x| x / 7) else {
            return m;
        };
        let Some(dir_size) = target
            .div_ceil(MAX_TABLE_CAPACITY)
            .checked_next_power_of_two()
        else {
            return m;
        };
        let too_big = dir_size
            .checked_mul(MAX_TABLE_CAPACITY)
            .and_then(|s| s.checked_mul(Shape::<K, V>::GROUP_SIZE))
            .map_or(true, |bytes| bytes > MAX_ALLOC);
        if too_big {
            return m;
        }
        let depth = dir_size.trailing_zeros() as u8;
        m.global_depth = depth;
        m.global_shift = 64 - depth;
        let mut tables: Tables<K, V> = (0..dir_size)
            .map(|i| SubTable::new(target / dir_size, first_hash(i, depth), depth))
            .collect();
        m.body = Body::Dir {
            dir: Directory::new((0..dir_size).collect(), &mut tables),
            tables,
        };
        m
    }

    /// Number of entries.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    /// Directory entries (0 for a small or unallocated map). Go: `dirLen`.
    pub(crate) fn dir_len(&self) -> usize {
        match &self.body {
            Body::Dir { dir, .. } => dir.len(),
            _ => 0,
        }
    }

    /// Whether a group or directory is allocated (`dirPtr != nil`).
    pub(crate) fn allocated(&self) -> bool {
        !matches!(self.body, Body::Empty)
    }

    /// The directory entry `hash` selects. Go: `directoryIndex`.
    #[inline(always)]
    pub(crate) fn dir_index(&self, hash: u64) -> usize {
        if self.global_depth == 0 {
            0
        } else {
            (hash >> self.global_shift) as usize
        }
    }

    /// The table `hash` selects (an index into `tables`): the directory
    /// entry of the top `global_depth` bits. Go: `directoryAt(directoryIndex(hash))`.
    #[inline(always)]
    pub(crate) fn table_of(dir: &[usize], global_depth: u8, hash: u64) -> usize {
        dir[dir_index(hash, global_depth)]
    }

    /// The table `hash` selects, mutably, through the directory's
    /// address for it: one load, and no bounds checks.
    ///
    /// # Safety
    /// `dir` and `tables` are the fields of this map's `Body::Dir` and
    /// `global_depth` its `global_depth`, so the invariants stated on
    /// [`Body::Dir`] hold for them.
    #[inline(always)]
    pub(crate) unsafe fn table_at_mut<'a>(
        dir: &Directory<K, V>, tables: &'a mut Tables<K, V>, global_depth: u8, hash: u64,
    ) -> &'a mut SubTable<K, V> {
        let index = dir_index(hash, global_depth);
        let ptrs = dir.ptrs();
        debug_assert!(index < ptrs.len() && dir[index] < tables.len());
        // SAFETY: `index` has `global_depth` bits, so it is below
        // `2^global_depth`, the directory's length; each entry's address is
        // `tables.ptr` of the table it names (the caller's invariants).
        unsafe { ptrs.get_unchecked(index).get(tables) }
    }

    /// The entry with `hash` that `eq` accepts. Go: `Map.getWithKey`.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<Loc> {
        match &self.body {
            Body::Empty => None,
            Body::Small(g) => {
                let (group, slot) = g.find(hash, true, eq)?;
                Some(Loc {
                    table: None,
                    group,
                    slot,
                })
            }
            Body::Dir { dir, tables } => {
                let t = Self::table_of(dir, self.global_depth, hash);
                let (group, slot) = tables[t].find(hash, eq)?;
                Some(Loc {
                    table: Some(t),
                    group,
                    slot,
                })
            }
        }
    }

    /// The entry with `hash` that `eq` accepts, read in place (no [`Loc`]
    /// to look up again). Go: `Map.getWithKey`.
    #[inline]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        match &self.body {
            Body::Empty => None,
            Body::Small(g) => g.find_entry(hash, true, eq),
            // SAFETY: the fields of this map's directory, with its depth.
            Body::Dir { dir, .. } => {
                let index = dir_index(hash, self.global_depth);
                let heads = dir.heads();
                debug_assert!(index < heads.len());
                // SAFETY: the directory has `2^globalDepth` heads (the
                // invariants on `Body::Dir`) and `index` has `globalDepth`
                // bits; that head is the group array of the table the entry
                // names, alive and unchanged while `&self` is borrowed.
                unsafe { ArrayRef::from_head(*heads.get_unchecked(index)) }
                    .find_entry(hash, false, eq)
            }
        }
    }

    /// [`RawSwiss::get`] with the value mutable.
    #[inline]
    pub(crate) fn get_mut(
        &mut self, hash: u64, eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let global_depth = self.global_depth;
        match &mut self.body {
            Body::Empty => None,
            Body::Small(g) => g.find_entry_mut(hash, true, eq),
            Body::Dir { dir, tables } => {
                // SAFETY: the fields of this map's directory, with its depth.
                unsafe { Self::table_at_mut(dir, tables, global_depth, hash) }
                    .groups
                    .find_entry_mut(hash, false, eq)
            }
        }
    }

    /// The groups holding `loc`.
    fn groups_at(&self, loc: Loc) -> &GroupArray<K, V> {
        match (&self.body, loc.table) {
            (Body::Small(g), None) => g,
            (Body::Dir { tables, .. }, Some(t)) => &tables[t].groups,
            _ => unreachable!("a location from another shape of the map"),
        }
    }

    fn groups_at_mut(&mut self, loc: Loc) -> &mut GroupArray<K, V> {
        match (&mut self.body, loc.table) {
            (Body::Small(g), None) => g,
            (Body::Dir { tables, .. }, Some(t)) => &mut tables[t].groups,
            _ => unreachable!("a location from another shape of the map"),
        }
    }

    /// The entry at a full slot's location.
    #[inline]
    pub(crate) fn entry_at(&self, loc: Loc) -> (&K, &V) {
        self.groups_at(loc)
            .entry(loc.group, loc.slot)
            .expect("location of a full slot")
    }

    /// The entry at a full slot's location, value mutable.
    #[inline]
    pub(crate) fn entry_at_mut(&mut self, loc: Loc) -> (&K, &mut V) {
        self.groups_at_mut(loc)
            .entry_mut(loc.group, loc.slot)
            .expect("location of a full slot")
    }

    /// Inserts a key known to be absent, doing Go's growth work: allocate
    /// the small group, grow the small map to a table, prune, grow or split
    /// — each time starting the insert over. Go: `Map.PutSlot` for a new key.
    pub(crate) fn insert_absent(
        &mut self, hash: u64, key: K, val: V, hasher: &dyn Fn(&K) -> u64,
    ) -> Loc {
        self.insert_absent_at(hash, key, val, hasher, None)
    }

    /// Inserts or overwrites in one write-side probe (Go's `PutSlot`): a
    /// present key's value is replaced and returned (the stored key kept);
    /// an absent key goes where that probe ended, with the growth work of
    /// [`RawSwiss::insert_absent`]. Go: `Map.PutSlot`.
    ///
    /// `hasher` is taken by value and made a `&dyn Fn` only on the growth
    /// and small-map paths: a `&dyn` made up front is a closure written to
    /// the stack on every insert.
    #[inline(always)]
    pub(crate) fn insert(
        &mut self, hash: u64, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Option<V>
    where
        K: Eq,
    {
        let global_depth = self.global_depth;
        match &mut self.body {
            Body::Dir { dir, tables } => {
                // SAFETY: the fields of this map's directory, with its depth.
                let table = unsafe { Self::table_at_mut(dir, tables, global_depth, hash) };
                match table.put_slot(hash, |k| *k == key) {
                    PutSlot::Found { group, slot } => {
                        let (_, v) = table
                            .groups
                            .entry_mut(group, slot)
                            .expect("put_slot finds full slots");
                        Some(core::mem::replace(v, val))
                    }
                    PutSlot::Absent(at) => {
                        match table.try_put(at, hash, key, val) {
                            Ok(_) => {
                                self.used += 1;
                                if table.growth_left < WARM_AT
                                    && table.capacity >= MAX_TABLE_CAPACITY / 2
                                    && (self.reserve.short() || !dir.prepared())
                                {
                                    chore(dir, &mut self.reserve);
                                }
                            }
                            // Growth work first: the general path.
                            Err((key, val)) => {
                                let t = Self::table_of(dir, global_depth, hash);
                                self.insert_absent_at(hash, key, val, &hasher, Some((t, at)));
                            }
                        }
                        None
                    }
                }
            }
            Body::Small(_) | Body::Empty => self.insert_small(hash, key, val, &hasher),
        }
    }

    /// [`RawSwiss::insert`] for a map without a directory: out of the
    /// directory path's line, so that path inlines into its caller.
    #[inline(never)]
    fn insert_small(&mut self, hash: u64, key: K, val: V, hasher: &dyn Fn(&K) -> u64) -> Option<V>
    where
        K: Eq,
    {
        if let Body::Small(g) = &mut self.body {
            if let Some((_, v)) = g.find_entry_mut(hash, true, |k| *k == key) {
                return Some(core::mem::replace(v, val));
            }
        }
        self.insert_absent_at(hash, key, val, hasher, None);
        None
    }

    /// [`RawSwiss::insert_absent`], where `first`, when given, is the
    /// insert slot the caller's probe already found in table `first.0`
    /// (used for the first try only: growth work starts the insert over).
    fn insert_absent_at(
        &mut self, hash: u64, mut key: K, mut val: V, hasher: &dyn Fn(&K) -> u64,
        mut first: Option<(usize, InsertSlot)>,
    ) -> Loc {
        loop {
            match &mut self.body {
                Body::Empty => {
                    self.body = Body::Small(GroupArray::new(1));
                }
                Body::Small(g) => {
                    if let Some(i) = g.ctrl(0).match_empty_or_deleted().first() {
                        g.write(0, i, h2(hash), key, val);
                        self.used += 1;
                        return Loc {
                            table: None,
                            group: 0,
                            slot: i,
                        };
                    }
                    self.grow_to_table(hasher);
                }
                Body::Dir { dir, tables } => {
                    let (t, at) = match first.take() {
                        Some(found) => found,
                        None => {
                            let t = Self::table_of(dir, self.global_depth, hash);
                            (t, tables[t].insert_slot(hash))
                        }
                    };
                    (key, val) = match tables[t].try_put(at, hash, key, val) {
                        Ok((group, slot)) => {
                            self.used += 1;
                            let table = &tables[t];
                            if table.growth_left < WARM_AT
                                && table.capacity >= MAX_TABLE_CAPACITY / 2
                                && (self.reserve.short() || !dir.prepared())
                            {
                                chore(dir, &mut self.reserve);
                            }
                            return Loc::in_table(t, group, slot);
                        }
                        Err(entry) => entry,
                    };
                    let table = &mut tables[t];
                    if table.growth_left == 0 {
                        let tombstones = table.tombstones();
                        let capacity = table.capacity;
                        let index = table.index(self.global_depth);
                        if let Some(pruned) = table.prune_tombstones(hasher) {
                            self.emit(|| Event::SwissPrune {
                                index,
                                capacity,
                                tombstones,
                                pruned,
                            });
                        }
                    }
                    let Body::Dir { tables, .. } = &mut self.body else {
                        unreachable!()
                    };
                    (key, val) = match tables[t].try_put(at, hash, key, val) {
                        Ok((group, slot)) => {
                            self.used += 1;
                            return Loc::in_table(t, group, slot);
                        }
                        Err(entry) => entry,
                    };
                    self.rehash(t, hasher);
                }
            }
        }
    }

    /// The small group's 8 entries move, in slot order, into a new 16-slot
    /// table under a one-entry directory. Go: `growToTable`.
    #[cold]
    #[inline(never)]
    fn grow_to_table(&mut self, hasher: &dyn Fn(&K) -> u64) {
        let Body::Small(g) = &mut self.body else {
            unreachable!("grow_to_table of a map that is not small")
        };
        let mut table = SubTable::new(2 * SLOTS, 0, 0);
        let mut moves = Vec::new();
        let track = !self.ties.is_empty();
        SubTable::move_all(
            g,
            self.used,
            [&mut table],
            hasher,
            |_| 0,
            |h, from, to| record_move(&mut moves, track, h, from, to),
        );
        let mut tables: Tables<K, V> = core::iter::once(table).collect();
        self.body = Body::Dir {
            dir: Directory::new(vec![0], &mut tables),
            tables,
        };
        self.global_depth = 0;
        self.global_shift = 64;
        self.ties.moved(&moves);
        let used = self.used;
        self.emit(|| Event::SwissGrow {
            index: 0,
            old_capacity: SLOTS,
            new_capacity: 2 * SLOTS,
            used,
            local_depth: 0,
        });
    }

    /// Table `t` doubles its slots, or splits if it is at 1,024. Go: `table.rehash`.
    #[cold]
    #[inline(never)]
    fn rehash(&mut self, t: usize, hasher: &dyn Fn(&K) -> u64) {
        let Body::Dir { tables, .. } = &self.body else {
            unreachable!()
        };
        if tables[t].capacity * 2 <= MAX_TABLE_CAPACITY {
            self.grow(t, hasher);
        } else {
            self.split(t, hasher);
        }
    }

    /// Go: `table.grow`.
    fn grow(&mut self, t: usize, hasher: &dyn Fn(&K) -> u64) {
        let global_depth = self.global_depth;
        let Body::Dir { dir, tables } = &mut self.body else {
            unreachable!()
        };
        let old = &mut tables[t];
        let mut new = if old.capacity * 2 == MAX_TABLE_CAPACITY {
            SubTable::with_groups(self.reserve.take(), old.first_hash, old.local_depth)
        } else {
            SubTable::new(old.capacity * 2, old.first_hash, old.local_depth)
        };
        let mut moves = Vec::new();
        let track = !self.ties.is_empty();
        SubTable::move_all(
            &mut old.groups,
            old.used,
            [&mut new],
            hasher,
            |_| 0,
            |h, from, to| record_move(&mut moves, track, h, from, to),
        );
        let (index, old_capacity, local_depth) =
            (old.index(global_depth), old.capacity, old.local_depth);
        let (new_capacity, used) = (new.capacity, new.used);
        let head = new.groups.head();
        *old = new;
        dir.set_heads(index, 1 << (global_depth - local_depth), head);
        self.ties.moved(&moves);
        self.emit(|| Event::SwissGrow {
            index,
            old_capacity,
            new_capacity,
            used,
            local_depth,
        });
    }

    /// Go: `table.split` and `Map.installTableSplit`.
    fn split(&mut self, t: usize, hasher: &dyn Fn(&K) -> u64) {
        let old_global = self.global_depth;
        let Body::Dir { dir, tables } = &mut self.body else {
            unreachable!()
        };
        let old = &mut tables[t];
        let old_depth = old.local_depth;
        let depth = old_depth + 1;
        let bit = 1u64 << (64 - u32::from(depth));
        let left_first = old.first_hash;
        let mut left = SubTable::with_groups(self.reserve.take(), left_first, depth);
        let mut right = SubTable::with_groups(self.reserve.take(), left_first | bit, depth);
        let right_id = tables.len();
        let mut moves = Vec::new();
        let track = !self.ties.is_empty();
        let old = &mut tables[t];
        SubTable::move_all(
            &mut old.groups,
            old.used,
            [&mut left, &mut right],
            hasher,
            |h| usize::from(h & bit != 0),
            |h, from, to| record_move(&mut moves, track, h, from, to),
        );
        let doubled = old_depth == old_global;
        let global_depth = if doubled {
            // Every entry twice; the tables keep their `first_hash`.
            dir.double();
            old_global + 1
        } else {
            // Part of the next doubling's copy, ahead of time.
            dir.build_ahead();
            old_global
        };
        let entries = 1usize << (global_depth - depth);
        let left_index = left.index(global_depth);
        let (left_used, right_used) = (left.used, right.used);
        let emptied = core::mem::replace(&mut tables[t], left);
        self.reserve.give_back(emptied.groups);
        tables.push(right);
        dir.set(left_index, entries, t, tables);
        dir.set(left_index + entries, entries, right_id, tables);
        let dir_len = dir.len();
        if doubled {
            self.global_depth = global_depth;
            self.global_shift = 64 - global_depth;
        }
        self.ties.moved(&moves);
        if doubled {
            self.emit(|| Event::SwissDirectoryDouble {
                old_global_depth: global_depth - 1,
                global_depth,
                dir_len,
            });
        }
        self.emit(|| Event::SwissSplit {
            index: left_index,
            local_depth: old_depth,
            left_used,
            right_used,
        });
    }

    /// Swaps the stored key at `loc` for `key`, which equals it.
    pub(crate) fn replace_key_at(&mut self, loc: Loc, key: K) -> K {
        self.groups_at_mut(loc)
            .replace_key(loc.group, loc.slot, key)
    }

    /// The entries of `N` keys, mutably; `eq(n, k)` tells whether `k` is
    /// the `n`th key. Panics if two of them are the same entry.
    pub(crate) fn get_disjoint_mut<const N: usize>(
        &mut self, hashes: [u64; N], mut eq: impl FnMut(usize, &K) -> bool,
    ) -> [Option<(&K, &mut V)>; N] {
        let locs: [Option<Loc>; N] = core::array::from_fn(|n| self.find(hashes[n], |k| eq(n, k)));
        for (i, a) in locs.iter().enumerate() {
            let Some(a) = a else { continue };
            assert!(
                !locs[..i].iter().flatten().any(|b| b == a),
                "gomap: get_disjoint_mut: two keys name the same entry"
            );
        }
        let ptrs = locs.map(|l| l.and_then(|l| self.groups_at_mut(l).entry_ptrs(l.group, l.slot)));
        // SAFETY: each pointer is to a full slot of a group array this map
        // owns (the heap memory behind it, which none of the borrows above
        // retagged), and the slots are pairwise distinct (checked above), so
        // the `&mut V`s never alias; the unique borrow of `self`, which the
        // results keep for their lifetime, rules out every other access.
        ptrs.map(|p| p.map(|(k, v)| unsafe { (&*k.as_ptr(), &mut *v.as_ptr()) }))
    }

    /// Starts an `extract_if` walk over every full slot.
    pub(crate) fn extract(&mut self) -> SwissExtract<'_, K, V> {
        let mut locs = self.locations();
        locs.reverse();
        SwissExtract { map: self, locs }
    }

    /// Removes the entry at `loc` with Go's delete rules. Returns it; the
    /// caller reseeds when the map became empty. Go: `Map.Delete` after the
    /// key was found.
    pub(crate) fn remove_at(&mut self, loc: Loc) -> (K, V) {
        let entry = match (&mut self.body, loc.table) {
            (Body::Small(g), None) => g.take(loc.group, loc.slot, group::Mark::Empty),
            (Body::Dir { tables, .. }, Some(t)) => {
                let (entry, tombstone) = tables[t].remove_at(loc.group, loc.slot);
                if tombstone {
                    self.tombstone_possible = true;
                }
                entry
            }
            _ => unreachable!("a location from another shape of the map"),
        };
        self.used -= 1;
        entry
    }

    /// Finds the entry with `hash` that `eq` accepts and removes it with
    /// Go's delete rules, in the table the probe found it in (no [`Loc`] to
    /// resolve again). The caller reseeds when the map became empty.
    /// Go: `Map.Delete`.
    #[inline]
    pub(crate) fn remove_found(&mut self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(K, V)> {
        let global_depth = self.global_depth;
        let entry = match &mut self.body {
            Body::Empty => return None,
            Body::Small(g) => g.find_full(hash, true, eq)?.take(group::Mark::Empty),
            Body::Dir { dir, tables } => {
                // SAFETY: the fields of this map's directory, with its depth.
                let table = unsafe { Self::table_at_mut(dir, tables, global_depth, hash) };
                let (entry, tombstone) = table.remove_found(hash, eq)?;
                if tombstone {
                    self.tombstone_possible = true;
                }
                entry
            }
        };
        self.used -= 1;
        Some(entry)
    }

    /// Whether Go's `clear` would do nothing: no entries and no tombstone
    /// possible (Go 1.25+).
    pub(crate) fn clear_is_noop(&self) -> bool {
        self.used == 0 && !self.tombstone_possible
    }

    /// Go 1.27's `clear` (when not a no-op): every table reset (all bytes
    /// empty, `growthLeft` at its maximum), capacity, directory and depths
    /// kept; `used` 0, `tombstonePossible` false, `clearSeq` + 1, seed
    /// `seed`. The bookkeeping comes first, so a panicking `Drop` leaves
    /// the cleared map.
    pub(crate) fn clear(&mut self, seed: u64) {
        let count = self.used;
        self.used = 0;
        self.tombstone_possible = false;
        self.clear_seq += 1;
        self.set_seed(seed, ReseedCause::Clear);
        let ntables = match &self.body {
            Body::Dir { tables, .. } => tables.len(),
            _ => 0,
        };
        let clear_seq = self.clear_seq;
        self.emit(|| Event::SwissClear {
            count,
            ntables,
            clear_seq,
        });
        match &mut self.body {
            Body::Empty => {}
            Body::Small(g) => {
                g.reset_marks();
                g.drop_entries();
            }
            Body::Dir { tables, .. } => {
                for t in tables.iter_mut() {
                    t.used = 0;
                    t.growth_left = t.max_growth_left();
                    t.groups.reset_marks();
                }
                tables.drop_entries_unwinding();
            }
        }
    }

    /// Sets the seed; every range cursor made before ends.
    pub(crate) fn set_seed(&mut self, seed: u64, cause: ReseedCause) {
        self.seed = seed;
        self.epoch += 1;
        self.ties.clear();
        self.emit(|| Event::SwissReseed { cause, seed });
    }

    /// Removes in place the entries `keep` rejects, with Go's delete rules.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) -> usize {
        let mut removed = 0;
        let locs = self.locations();
        for loc in locs {
            let (k, v) = self.entry_at_mut(loc);
            if !keep(k, v) {
                drop(self.remove_at(loc));
                removed += 1;
            }
        }
        removed
    }

    /// Every full slot, tables in `tables` order, groups and slots in order.
    fn locations(&self) -> Vec<Loc> {
        let mut out = Vec::with_capacity(self.used);
        match &self.body {
            Body::Empty => {}
            Body::Small(g) => out.extend(g.ctrl(0).match_full().map(|slot| Loc {
                table: None,
                group: 0,
                slot,
            })),
            Body::Dir { tables, .. } => {
                for (t, table) in tables.iter().enumerate() {
                    for (group, slot) in full_positions(&table.groups) {
                        out.push(Loc {
                            table: Some(t),
                            group,
                            slot,
                        });
                    }
                }
            }
        }
        out
    }

    /// Entries the map holds before some table must grow, counted as Go
    /// counts room: live entries plus every table's `growthLeft` (8 for the
    /// small map). One table may fill before the others.
    pub(crate) fn capacity(&self) -> usize {
        match &self.body {
            Body::Empty | Body::Small(_) => SLOTS.max(self.used),
            Body::Dir { tables, .. } => {
                self.used + tables.iter().map(|t| t.growth_left).sum::<usize>()
            }
        }
    }

    /// Grows the smallest table (splitting at 1,024 slots) until
    /// [`RawSwiss::capacity`] reaches `len() + additional`. Go has no
    /// `reserve`; this is `make`'s sizing reached by growth, so one table
    /// may still fill before the others.
    pub(crate) fn reserve(&mut self, additional: usize, hasher: &dyn Fn(&K) -> u64) {
        let want = self.used.saturating_add(additional);
        if want <= SLOTS {
            return;
        }
        if matches!(self.body, Body::Empty) {
            self.body = Body::Small(GroupArray::new(1));
        }
        if matches!(self.body, Body::Small(_)) {
            self.grow_to_table(hasher);
        }
        loop {
            let Body::Dir { tables, .. } = &self.body else {
                unreachable!()
            };
            let room = self.used + tables.iter().map(|t| t.growth_left).sum::<usize>();
            if room >= want {
                return;
            }
            let (t, _) = tables
                .iter()
                .enumerate()
                .min_by_key(|(_, t)| t.capacity)
                .expect("a directory has a table");
            self.rehash(t, hasher);
        }
    }

    /// Frees the empty arrays kept for the next split (`reserve.rs`); the
    /// layout is untouched.
    pub(crate) fn release_reserve(&mut self) {
        self.reserve.release();
    }

    /// A copy with the identical layout and seed.
    pub(crate) fn clone_map(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        let body = match &self.body {
            Body::Empty => Body::Empty,
            Body::Small(g) => Body::Small(g.clone_array()),
            Body::Dir { dir, tables } => {
                let mut tables: Tables<K, V> = tables.iter().map(SubTable::clone_table).collect();
                Body::Dir {
                    dir: Directory::new(dir.ids().to_vec(), &mut tables),
                    tables,
                }
            }
        };
        RawSwiss {
            used: self.used,
            seed: self.seed,
            global_depth: self.global_depth,
            global_shift: self.global_shift,
            tombstone_possible: self.tombstone_possible,
            clear_seq: self.clear_seq,
            body,
            epoch: 0,
            ties: range::TieRegistry::new(),
            observer: ObserverSlot::none(),
            reserve: Reserve::new(),
        }
    }

    /// Delivers an event if an observer is attached.
    #[inline(always)]
    pub(crate) fn emit(&mut self, make: impl FnOnce() -> Event) {
        self.observer.emit(make);
    }
}

/// Work done ahead of a split by the inserts into a table near its next
/// growth (`growthLeft` under [`WARM_AT`], 512 slots or more), so that the
/// split allocates nothing and writes no fresh page: one step of readying
/// the directory's next image, and one of the reserve's next array.
#[cold]
#[inline(never)]
fn chore<K, V>(dir: &mut Directory<K, V>, reserve: &mut Reserve<K, V>) {
    if !dir.prepared() {
        dir.prepare_image();
    }
    if reserve.short() {
        reserve.warm();
    }
}

/// Full slots of `groups` in group/slot order: the order grow and split
/// move entries in.
fn full_slots<K, V>(groups: &GroupArray<K, V>) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..groups.len()).flat_map(move |g| groups.ctrl(g).match_full().map(move |i| (g, i)))
}

/// [`full_slots`], collected.
fn full_positions<K, V>(groups: &GroupArray<K, V>) -> Vec<(usize, usize)> {
    full_slots(groups).collect()
}

/// Notes a growth move for the range cursors' ties when `track` (they
/// stand in a run of equal hashes): `(hash, old position, new position)`,
/// positions as `group · 8 + slot`.
#[inline(always)]
fn record_move(
    moves: &mut Vec<(u64, usize, usize)>, track: bool, hash: u64, from: (usize, usize),
    to: (usize, usize),
) {
    if track {
        moves.push((hash, from.0 * SLOTS + from.1, to.0 * SLOTS + to.1));
    }
}

/// The smallest hash that selects directory entry `index` of a directory of
/// depth `depth` (a table's [`SubTable::first_hash`]).
fn first_hash(index: usize, depth: u8) -> u64 {
    if depth == 0 {
        0
    } else {
        (index as u64) << (64 - u32::from(depth))
    }
}
