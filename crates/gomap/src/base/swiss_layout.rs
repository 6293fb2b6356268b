//! Read-only views of a [`SwissMap`](crate::SwissMap)'s insides: the header
//! (Go's `maps.Map`), the directory with every table and group, and
//! statistics — what a debugger would show for a Go 1.24+ map.
//!
//! Tables are numbered as the Swiss oracle's dumps number them: in order of
//! first appearance in the directory, so `dir` is non-decreasing and a
//! table shared by several entries shows as a repeated id. With the `serde`
//! feature, [`SwissHeader`] and [`SwissStats`] serialize with Go's field
//! names.

#![forbid(unsafe_code)]

/// The map header, Go's `maps.Map`, after the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct SwissHeader {
    /// Live entries. Go: `used`.
    pub used: usize,
    /// The 64-bit hash seed. Go: `seed`.
    pub seed: u64,
    /// Directory entries; 0 for a small or unallocated map. Go: `dirLen`.
    pub dir_len: usize,
    /// log2 of the directory length. Go: `globalDepth`.
    pub global_depth: u8,
    /// `64 − globalDepth` with a directory, else 0. Go: `globalShift`.
    pub global_shift: u8,
    /// A table delete has left a tombstone since the last clear. Go: `tombstonePossible`.
    pub tombstone_possible: bool,
    /// Clears that did work. Go: `clearSeq`.
    pub clear_seq: u64,
    /// A group or directory is allocated (Go: `dirPtr != nil`).
    pub alloc: bool,
    /// Distinct tables in the directory.
    pub ntables: usize,
}

/// One group: its 8 control bytes and the entries of its full slots.
#[derive(Debug)]
pub struct SwissGroupView<'a, K, V> {
    /// Control bytes, slot order: 0x80 empty, 0xFE deleted, else H2.
    pub ctrl: [u8; 8],
    /// The entry of each full slot; `None` for empty and deleted slots.
    pub slots: [Option<(&'a K, &'a V)>; 8],
}

/// One table and its groups in memory order.
#[derive(Debug)]
pub struct SwissTableView<'a, K, V> {
    /// The table's id (order of first appearance in the directory).
    pub id: usize,
    /// Live entries. Go: `used`.
    pub used: usize,
    /// Slots. Go: `capacity`.
    pub capacity: usize,
    /// Empty slots left before growth. Go: `growthLeft`.
    pub growth_left: usize,
    /// Go: `localDepth`.
    pub local_depth: u8,
    /// First directory entry pointing here. Go: `index`.
    pub index: usize,
    /// Groups 0 ..= `lengthMask`.
    pub groups: Vec<SwissGroupView<'a, K, V>>,
}

impl<K, V> SwissTableView<'_, K, V> {
    /// Groups − 1. Go: `groups.lengthMask`.
    pub fn length_mask(&self) -> usize {
        self.groups.len() - 1
    }
}

/// A snapshot of the whole map. See [`SwissMap::layout`](crate::SwissMap).
#[derive(Debug)]
pub struct SwissLayout<'a, K, V> {
    /// The header.
    pub header: SwissHeader,
    /// Bytes per group (Rust's sizes of `K` and `V`).
    pub group_size: usize,
    /// Tombstones (0xFE bytes) in the whole map.
    pub tombstones: usize,
    /// The small map's group, when there is no directory.
    pub small: Option<SwissGroupView<'a, K, V>>,
    /// Per directory entry, the id of the table it points to.
    pub dir: Vec<usize>,
    /// The tables by id.
    pub tables: Vec<SwissTableView<'a, K, V>>,
}

/// One table's load.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct SwissTableLoad {
    /// First directory entry of the table.
    pub index: usize,
    /// Slots.
    pub capacity: usize,
    /// Live entries.
    pub used: usize,
    /// Empty slots left before growth.
    pub growth_left: usize,
    /// Deleted slots.
    pub tombstones: usize,
    /// `used / capacity`.
    pub load: f64,
}

/// Lookup cost in groups probed.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SwissProbeStats {
    /// Mean groups a lookup of a present key reads (1 = found in its home group).
    pub hit_mean: f64,
    /// Most groups a lookup of a present key reads.
    pub hit_max: usize,
    /// Mean groups a lookup of an absent key reads, over home groups.
    pub miss_mean: f64,
    /// Most groups a lookup of an absent key reads.
    pub miss_max: usize,
}

/// Bytes the map holds, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SwissByteStats {
    /// The map value itself.
    pub header: usize,
    /// The directory (one word per entry), as Go's.
    pub directory: usize,
    /// What gomap's directory holds beyond Go's pointer per entry: a copy,
    /// per entry, of where its table's groups are (16 bytes each), which
    /// lets a lookup skip loading the table, and the next doubling's
    /// entries and heads, built ahead a few at a time by every split
    /// (capacity for `2 · dir_len` of each). Not in Go's map.
    pub heads: usize,
    /// Every table's groups (or the small group).
    pub groups: usize,
    /// What gomap keeps so that a split allocates nothing and writes no
    /// fresh page: up to two empty full-size group arrays (none while no
    /// table has 512 slots) and the buffer growth hashes entries into. Not
    /// in Go's map. [`SwissMap::shrink_to_fit`](crate::SwissMap) frees it.
    pub reserve: usize,
    /// Boxes of keys and values over 128 bytes.
    pub indirect: usize,
    /// All of the above.
    pub total: usize,
}

/// A Swiss map's statistics. See [`SwissMap::stats`](crate::SwissMap).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SwissStats {
    /// The header.
    pub header: SwissHeader,
    /// Per table, in id order.
    pub tables: Vec<SwissTableLoad>,
    /// Tombstones in the whole map.
    pub tombstones: usize,
    /// Lookup cost.
    pub probe: SwissProbeStats,
    /// Bytes by part.
    pub bytes: SwissByteStats,
}
