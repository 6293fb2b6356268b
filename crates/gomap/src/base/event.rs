//! What a map tells an observer: the event types and the [`Observer`]
//! trait. A leaf: the engines emit these, the public `events` module
//! re-exports them and adds ready-made observers.

#![forbid(unsafe_code)]

/// The kind of a growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrowKind {
    /// `B` grows by one: the map was over load factor 6.5.
    Double,
    /// `B` stays: too many overflow buckets (Go's `sameSizeGrow`).
    SameSize,
}

impl GrowKind {
    /// `"double"` or `"same-size"`.
    pub fn as_str(self) -> &'static str {
        match self {
            GrowKind::Double => "double",
            GrowKind::SameSize => "same-size",
        }
    }
}

/// Where an overflow bucket came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverflowSource {
    /// The array's preallocated pool (allocation index).
    Pool(usize),
    /// A fresh heap allocation.
    Heap,
}

/// Why the hash seed changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReseedCause {
    /// A delete (or `retain`, or an entry removal) removed the last entry.
    DeleteToEmpty,
    /// `clear` or `drain` of a non-empty map.
    Clear,
}

/// Something the map did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// The map was made with this hint and got this `B` (emitted by the
    /// constructors that take an observer).
    Make {
        /// The capacity hint.
        hint: usize,
        /// The `B` it gave.
        b: u8,
    },
    /// A growth started (inside an insert of a new key).
    GrowStart {
        /// Doubling or same-size.
        kind: GrowKind,
        /// `B` before.
        old_b: u8,
        /// `B` after.
        new_b: u8,
        /// Entries when it started.
        count: usize,
        /// Overflow buckets counted when it started.
        noverflow: u16,
    },
    /// One old bucket's chain was moved to the new array.
    Evacuate {
        /// Index in the old array.
        old_bucket: usize,
        /// Entries moved to the same index.
        to_x: usize,
        /// Entries moved to index + old size.
        to_y: usize,
    },
    /// The last old bucket was evacuated.
    GrowDone {
        /// Doubling or same-size.
        kind: GrowKind,
        /// `B` now.
        b: u8,
        /// Writes (inserts and deletes) that did growth work, the one that
        /// started the growth included.
        writes: usize,
    },
    /// An overflow bucket was linked to a chain.
    OverflowTaken {
        /// Bucket index of the chain in the current array.
        bucket: usize,
        /// Pool or heap.
        source: OverflowSource,
        /// Whether an evacuation (rather than an insert) needed it.
        by_evacuation: bool,
    },
    /// An insert reused a slot a delete had marked emptyOne.
    SlotReused {
        /// Bucket index of the chain.
        bucket: usize,
        /// Position in the chain: bucket `link` of it (0 = main), slot `slot`.
        link: usize,
        /// Slot in that bucket.
        slot: usize,
    },
    /// The hash seed changed.
    Reseed {
        /// Why.
        cause: ReseedCause,
        /// The new seed.
        hash0: u32,
    },
    /// A non-empty map was cleared.
    Clear {
        /// Entries dropped.
        count: usize,
        /// `B`, which clear keeps.
        b: u8,
    },
    /// A Swiss map was made with this hint (emitted by the constructors
    /// that take an observer).
    SwissMake {
        /// The capacity hint.
        hint: usize,
        /// Directory entries it got (0: the unallocated small map).
        dir_len: usize,
        /// Slots of each table.
        capacity: usize,
    },
    /// A Swiss table rehashed into one of twice the slots (the small map's
    /// group into its first 16-slot table included, as 8 → 16). Go:
    /// `table.grow`, `growToTable`.
    SwissGrow {
        /// The table's first directory entry.
        index: usize,
        /// Slots before.
        old_capacity: usize,
        /// Slots after.
        new_capacity: usize,
        /// Entries moved.
        used: usize,
        /// The table's `localDepth`, which a grow keeps.
        local_depth: u8,
    },
    /// A full 1,024-slot Swiss table split in two by hash bit
    /// `63 − local_depth`. Go: `table.split`.
    SwissSplit {
        /// The old table's first directory entry (after any doubling).
        index: usize,
        /// The old table's `localDepth`; both halves have one more.
        local_depth: u8,
        /// Entries that went to the left half (the bit clear).
        left_used: usize,
        /// Entries that went to the right half.
        right_used: usize,
    },
    /// A split of a table as deep as the directory doubled the directory.
    /// Go: `installTableSplit`.
    SwissDirectoryDouble {
        /// `globalDepth` before.
        old_global_depth: u8,
        /// `globalDepth` after.
        global_depth: u8,
        /// Directory entries after.
        dir_len: usize,
    },
    /// An insert found `growthLeft` 0 and a tenth of the table's slots
    /// deleted, so it tried `pruneTombstones` (Go 1.25+) before growing.
    SwissPrune {
        /// The table's first directory entry.
        index: usize,
        /// Its slots.
        capacity: usize,
        /// Tombstones before.
        tombstones: usize,
        /// Tombstones turned empty (0: too few were unneeded, so it grows).
        pruned: usize,
    },
    /// A Swiss map's `clear` that did work: every table reset, capacity
    /// and directory kept.
    SwissClear {
        /// Entries dropped.
        count: usize,
        /// Distinct tables reset (0 for the small map).
        ntables: usize,
        /// `clearSeq` after.
        clear_seq: u64,
    },
    /// A Swiss map drew a new 64-bit seed.
    SwissReseed {
        /// Why.
        cause: ReseedCause,
        /// The new seed.
        seed: u64,
    },
}

impl Event {
    /// A short name: `make`, `grow`, `evacuate`, `grow_done`, `overflow`,
    /// `reuse`, `reseed`, `clear`; for the Swiss map also `rehash`,
    /// `split`, `dir_double`, `prune`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Make { .. } => "make",
            Event::GrowStart { .. } => "grow",
            Event::Evacuate { .. } => "evacuate",
            Event::GrowDone { .. } => "grow_done",
            Event::OverflowTaken { .. } => "overflow",
            Event::SlotReused { .. } => "reuse",
            Event::Reseed { .. } => "reseed",
            Event::Clear { .. } => "clear",
            Event::SwissMake { .. } => "make",
            Event::SwissGrow { .. } => "rehash",
            Event::SwissSplit { .. } => "split",
            Event::SwissDirectoryDouble { .. } => "dir_double",
            Event::SwissPrune { .. } => "prune",
            Event::SwissClear { .. } => "clear",
            Event::SwissReseed { .. } => "reseed",
        }
    }
}

/// Receives a map's events, synchronously, inside the operation that caused
/// them. Keep it cheap; it must not touch the map.
pub trait Observer: Send + Sync + 'static {
    /// Called once per event.
    fn on_event(&mut self, event: &Event);
}

impl<F: FnMut(&Event) + Send + Sync + 'static> Observer for F {
    fn on_event(&mut self, event: &Event) {
        self(event)
    }
}

/// The observer a table delivers its events to, if one is attached: the
/// one place both engines deliver from.
#[derive(Default)]
pub struct ObserverSlot(Option<Box<dyn Observer>>);

impl ObserverSlot {
    /// No observer.
    pub(crate) const fn none() -> Self {
        ObserverSlot(None)
    }

    /// Attaches `observer` (or detaches, with `None`).
    pub(crate) fn set(&mut self, observer: Option<Box<dyn Observer>>) {
        self.0 = observer;
    }

    /// Detaches the observer and hands it back.
    pub(crate) fn take(&mut self) -> Option<Box<dyn Observer>> {
        self.0.take()
    }

    /// Whether an observer is attached, for events costly to describe.
    #[inline(always)]
    pub(crate) fn is_attached(&self) -> bool {
        self.0.is_some()
    }

    /// Delivers an event if an observer is attached; `make` only runs then.
    #[inline(always)]
    pub(crate) fn emit(&mut self, make: impl FnOnce() -> Event) {
        if let Some(o) = &mut self.0 {
            o.on_event(&make());
        }
    }
}
