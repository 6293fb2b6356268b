//! The Swiss map's side of the explorer: a lookup's path through a
//! [`SwissLayout`] (directory entry, table, the groups of its quadratic
//! probe, the slots whose control byte equals H2), the slots an op changed,
//! and the snapshot JSON of the directory, tables and a window of groups.
//!
//! Groups are drawn as one list of *rows*: the small map's group is row 0;
//! with a directory, table 0's groups come first, then table 1's, and so on
//! (tables by id, groups in memory order). A row number is what the page
//! scrolls to and what [`SwissSpot`] names.

#![forbid(unsafe_code)]

use gomap::swiss_layout::{SwissGroupView, SwissLayout};

use crate::json::Json;
use crate::ExKey;

/// Control byte of an empty slot.
pub const CTRL_EMPTY: u8 = 0x80;
/// Control byte of a deleted slot (a tombstone).
pub const CTRL_DELETED: u8 = 0xFE;

/// H1, the hash without its low 7 bits: its top `globalDepth` bits choose
/// the directory entry, its low bits the probe's first group.
pub fn h1(hash: u64) -> u64 {
    hash >> 7
}

/// H2, the hash's low 7 bits: the control byte of a full slot.
pub fn h2(hash: u64) -> u8 {
    (hash & 0x7f) as u8
}

/// The directory entry of `hash` in a directory of `2^global_depth`
/// entries (its top `global_depth` bits; 0 for depth 0).
pub fn dir_index(hash: u64, global_depth: u8) -> usize {
    if global_depth == 0 {
        0
    } else {
        (hash >> (64 - u32::from(global_depth))) as usize
    }
}

/// Go's probe sequence over `groups` groups (a power of two) from H1: group
/// `h1 & mask`, then steps of 1, 2, 3, … (offsets 0, 1, 3, 6, …), which
/// visits every group once in the first `groups` steps.
pub fn probe_groups(h1: u64, groups: usize) -> impl Iterator<Item = usize> {
    let mask = groups - 1;
    let mut g = (h1 as usize) & mask;
    (0..groups).map(move |i| {
        if i > 0 {
            g = (g + i) & mask;
        }
        g
    })
}

/// One slot a Swiss lookup compared: its control byte equalled H2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissCompared {
    /// The group.
    pub group: usize,
    /// The slot in it.
    pub slot: usize,
    /// Whether the key there was the one looked up.
    pub found: bool,
}

/// The path a lookup of a key takes through a Swiss layout before an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissProbe {
    /// The table read (its id), or `None` for the small map's group.
    pub table: Option<usize>,
    /// The directory entry that chose it (0 for the small map).
    pub dir: usize,
    /// The table's groups (1 for the small map).
    pub groups: usize,
    /// The row of the table's group 0 in the page's group list.
    pub row0: usize,
    /// The groups read, in probe order (all 8 control bytes of each are
    /// matched against H2 at once).
    pub probed: Vec<usize>,
    /// The slots whose control byte equalled H2, in order.
    pub compared: Vec<SwissCompared>,
    /// Why it stopped: `found`, `empty` (a group with an empty slot ends
    /// the probe), `end` (the small map's one group, or every group read),
    /// or `none` (no group is allocated yet).
    pub stop: &'static str,
}

/// Compares the slots of `group` whose control byte is `h2` with `key`;
/// returns whether one held it.
fn match_group<K: Eq>(
    group: &SwissGroupView<'_, K, u64>,
    index: usize,
    h2: u8,
    key: &K,
    out: &mut Vec<SwissCompared>,
) -> bool {
    for slot in 0..8 {
        if group.ctrl[slot] == h2 {
            let found = group.slots[slot].is_some_and(|(k, _)| k == key);
            out.push(SwissCompared {
                group: index,
                slot,
                found,
            });
            if found {
                return true;
            }
        }
    }
    false
}

/// The path a lookup of `key` (hash `hash`) takes through `layout`.
pub fn swiss_probe<K: Eq>(layout: &SwissLayout<'_, K, u64>, hash: u64, key: &K) -> SwissProbe {
    let h2 = h2(hash);
    let mut compared = Vec::new();
    if let Some(small) = &layout.small {
        // The small map compares every slot that matches H2, then stops.
        let found = match_group(small, 0, h2, key, &mut compared);
        return SwissProbe {
            table: None,
            dir: 0,
            groups: 1,
            row0: 0,
            probed: vec![0],
            compared,
            stop: if found { "found" } else { "end" },
        };
    }
    if layout.dir.is_empty() {
        return SwissProbe {
            table: None,
            dir: 0,
            groups: 0,
            row0: 0,
            probed: Vec::new(),
            compared,
            stop: "none",
        };
    }
    let dir = dir_index(hash, layout.header.global_depth);
    let id = layout.dir[dir];
    let table = &layout.tables[id];
    let row0 = layout.tables[..id].iter().map(|t| t.groups.len()).sum();
    let mut probed = Vec::new();
    let mut stop = "end";
    for g in probe_groups(h1(hash), table.groups.len()) {
        probed.push(g);
        let group = &table.groups[g];
        if match_group(group, g, h2, key, &mut compared) {
            stop = "found";
            break;
        }
        if group.ctrl.contains(&CTRL_EMPTY) {
            stop = "empty";
            break;
        }
    }
    SwissProbe {
        table: Some(id),
        dir,
        groups: table.groups.len(),
        row0,
        probed,
        compared,
        stop,
    }
}

/// A slot the op changed: `[row, slot]` in the layout after it.
pub type SwissSpot = [usize; 2];

/// One group's contents for change detection.
type GroupShot = ([u8; 8], [Option<(u64, u64)>; 8]);

/// Every group's contents, row by row.
pub(crate) type SwissShot = Vec<GroupShot>;

fn group_shot<K: ExKey>(g: &SwissGroupView<'_, K, u64>) -> GroupShot {
    (
        g.ctrl,
        g.slots.map(|s| s.map(|(k, v)| (k.fingerprint(), *v))),
    )
}

/// The rows of `layout`: the small group, or each table's groups in id order.
fn rows<'l, 'a, K>(
    layout: &'l SwissLayout<'a, K, u64>,
) -> impl Iterator<Item = (Option<usize>, usize, &'l SwissGroupView<'a, K, u64>)> {
    let small = layout.small.iter().map(|g| (None, 0, g));
    let tables = layout
        .tables
        .iter()
        .flat_map(|t| t.groups.iter().enumerate().map(|(i, g)| (Some(t.id), i, g)));
    small.chain(tables)
}

pub(crate) fn swiss_shot<K: ExKey>(layout: &SwissLayout<'_, K, u64>) -> SwissShot {
    rows(layout).map(|(_, _, g)| group_shot(g)).collect()
}

/// Appends to `out` the slots of `after` that differ from `before` at the
/// same row (a missing row counts as empty).
pub(crate) fn swiss_diff(after: &SwissShot, before: &SwissShot, out: &mut Vec<SwissSpot>) {
    const EMPTY: GroupShot = ([CTRL_EMPTY; 8], [None; 8]);
    for (row, now) in after.iter().enumerate() {
        let was = before.get(row).unwrap_or(&EMPTY);
        for s in 0..8 {
            if (now.0[s], now.1[s]) != (was.0[s], was.1[s]) && out.len() < crate::CHANGED_LIMIT {
                out.push([row, s]);
            }
        }
    }
}

/// Per-cell summary of the rows: full slots and tombstones of each run of
/// `per` rows.
fn swiss_heat_json<K>(j: &mut Json, layout: &SwissLayout<'_, K, u64>, nrows: usize, cells: usize) {
    let cells = cells.clamp(1, 4096);
    let per = nrows.div_ceil(cells).max(1);
    let mut full = vec![0u64; nrows.div_ceil(per)];
    let mut dead = vec![0u64; full.len()];
    for (row, (_, _, g)) in rows(layout).enumerate() {
        full[row / per] += g.ctrl.iter().filter(|&&c| c < CTRL_EMPTY).count() as u64;
        dead[row / per] += g.ctrl.iter().filter(|&&c| c == CTRL_DELETED).count() as u64;
    }
    j.obj().key("per").uint(per as u64);
    for (name, v) in [("entries", full), ("tombstones", dead)] {
        j.key(name).arr();
        for x in v {
            j.uint(x);
        }
        j.end_arr();
    }
    j.end_obj();
}

/// The Swiss map's state: header, directory as runs of entries sharing a
/// table, every table's counters, rows `first .. first + count` of the
/// group list, and a summary of all rows in at most `cells` cells.
pub(crate) fn swiss_layout_json<K: ExKey>(
    j: &mut Json,
    l: &SwissLayout<'_, K, u64>,
    first: usize,
    count: usize,
    cells: usize,
) {
    let h = l.header;
    j.key("h").obj();
    j.key("used").uint(h.used as u64);
    j.key("seed").str(&format!("{:016x}", h.seed));
    j.key("dir_len").uint(h.dir_len as u64);
    j.key("global_depth").uint(u64::from(h.global_depth));
    j.key("global_shift").uint(u64::from(h.global_shift));
    j.key("tombstone_possible").bool(h.tombstone_possible);
    j.key("clear_seq").uint(h.clear_seq);
    j.key("alloc").bool(h.alloc);
    j.key("ntables").uint(h.ntables as u64);
    j.end_obj();
    j.key("group_size").uint(l.group_size as u64);
    j.key("tombstones").uint(l.tombstones as u64);
    j.key("small").bool(l.small.is_some());
    // The directory as runs: [table id, first entry, entries].
    j.key("dir").arr();
    let mut i = 0;
    while i < l.dir.len() {
        let id = l.dir[i];
        let n = l.dir[i..].iter().take_while(|&&t| t == id).count();
        j.arr()
            .uint(id as u64)
            .uint(i as u64)
            .uint(n as u64)
            .end_arr();
        i += n;
    }
    j.end_arr();
    j.key("tables").arr();
    let mut row = usize::from(l.small.is_some());
    for t in &l.tables {
        let dead = t
            .groups
            .iter()
            .flat_map(|g| g.ctrl)
            .filter(|&c| c == CTRL_DELETED)
            .count();
        j.obj();
        j.key("id").uint(t.id as u64);
        j.key("index").uint(t.index as u64);
        j.key("local_depth").uint(u64::from(t.local_depth));
        j.key("capacity").uint(t.capacity as u64);
        j.key("growth_left").uint(t.growth_left as u64);
        j.key("used").uint(t.used as u64);
        j.key("tombstones").uint(dead as u64);
        j.key("groups").uint(t.groups.len() as u64);
        j.key("row").uint(row as u64);
        j.end_obj();
        row += t.groups.len();
    }
    j.end_arr();
    let nrows = row;
    j.key("nrows").uint(nrows as u64);
    j.key("first").uint(first.min(nrows) as u64);
    j.key("groups").arr();
    for (t, g, group) in rows(l).skip(first).take(count) {
        j.obj();
        j.key("t");
        match t {
            Some(t) => j.uint(t as u64),
            None => j.null(),
        };
        j.key("g").uint(g as u64);
        j.key("ctrl").arr();
        for c in group.ctrl {
            j.uint(u64::from(c));
        }
        j.end_arr().key("k").arr();
        for s in group.slots {
            match s {
                Some((k, _)) => j.str(&k.to_key().to_string()),
                None => j.null(),
            };
        }
        j.end_arr().key("v").arr();
        for s in group.slots {
            match s {
                Some((_, v)) => j.str(&v.to_string()),
                None => j.null(),
            };
        }
        j.end_arr().key("h").arr();
        for s in group.slots {
            match s {
                Some((k, _)) => j.str(&format!("{:016x}", k.hash_under(h.seed))),
                None => j.null(),
            };
        }
        j.end_arr().end_obj();
    }
    j.end_arr();
    j.key("heat");
    swiss_heat_json(j, l, nrows, cells);
}

/// The probe's JSON.
pub(crate) fn swiss_probe_json(j: &mut Json, p: &SwissProbe) {
    j.obj();
    j.key("table");
    match p.table {
        Some(t) => j.uint(t as u64),
        None => j.null(),
    };
    j.key("dir").uint(p.dir as u64);
    j.key("groups").uint(p.groups as u64);
    j.key("row0").uint(p.row0 as u64);
    j.key("stop").str(p.stop);
    j.key("probed").arr();
    for g in &p.probed {
        j.uint(*g as u64);
    }
    j.end_arr();
    j.key("compared").arr();
    for c in &p.compared {
        j.arr()
            .uint(c.group as u64)
            .uint(c.slot as u64)
            .bool(c.found)
            .end_arr();
    }
    j.end_arr();
    j.end_obj();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_sequence_is_triangular_and_visits_every_group() {
        let seq: Vec<usize> = probe_groups(5, 16).take(5).collect();
        assert_eq!(seq, [5, 6, 8, 11, 15]);
        let mut all: Vec<usize> = probe_groups(123, 128).collect();
        all.sort_unstable();
        assert_eq!(all, (0..128).collect::<Vec<_>>());
    }

    #[test]
    fn hash_bits_split_as_go_splits_them() {
        let hash = 0xC000_0000_0000_01FFu64;
        assert_eq!(h2(hash), 0x7f);
        assert_eq!(h1(hash) & 0b11, 0b11);
        assert_eq!(dir_index(hash, 0), 0);
        assert_eq!(dir_index(hash, 2), 3);
        assert_eq!(dir_index(hash, 1), 1);
    }
}
