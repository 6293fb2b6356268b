//! Builds the read-only views of `swiss_layout` from the map.

use super::group::{GroupArray, ProbeSeq, Shape, CTRL_DELETED};
use super::{Body, RawSwiss};
use crate::base::swiss_layout::{
    SwissByteStats, SwissGroupView, SwissHeader, SwissLayout, SwissProbeStats, SwissStats,
    SwissTableLoad, SwissTableView,
};

fn group_view<K, V>(groups: &GroupArray<K, V>, g: usize) -> SwissGroupView<'_, K, V> {
    SwissGroupView {
        ctrl: groups.ctrl(g).bytes(),
        slots: core::array::from_fn(|i| groups.entry(g, i)),
    }
}

fn count_deleted<K, V>(groups: &GroupArray<K, V>) -> usize {
    (0..groups.len())
        .map(|g| {
            groups
                .ctrl(g)
                .bytes()
                .iter()
                .filter(|&&b| b == CTRL_DELETED)
                .count()
        })
        .sum()
}

impl<K, V> RawSwiss<K, V> {
    /// Tables in order of first appearance in the directory, and the
    /// directory as those ids.
    fn numbering(&self) -> (Vec<usize>, Vec<usize>) {
        let Body::Dir { dir, tables } = &self.body else {
            return (Vec::new(), Vec::new());
        };
        let mut id_of = vec![usize::MAX; tables.len()];
        let mut order = Vec::with_capacity(tables.len());
        let ids = dir
            .iter()
            .map(|&t| {
                if id_of[t] == usize::MAX {
                    id_of[t] = order.len();
                    order.push(t);
                }
                id_of[t]
            })
            .collect();
        (order, ids)
    }

    /// Go's header fields. Go: `maps.Map`.
    pub(crate) fn header(&self) -> SwissHeader {
        SwissHeader {
            used: self.used,
            seed: self.seed,
            dir_len: self.dir_len(),
            global_depth: self.global_depth,
            global_shift: self.global_shift,
            tombstone_possible: self.tombstone_possible,
            clear_seq: self.clear_seq,
            alloc: self.allocated(),
            ntables: match &self.body {
                Body::Dir { tables, .. } => tables.len(),
                _ => 0,
            },
        }
    }

    /// Every table and group.
    pub(crate) fn layout(&self) -> SwissLayout<'_, K, V> {
        let (order, dir) = self.numbering();
        let (small, tables, tombstones) = match &self.body {
            Body::Empty => (None, Vec::new(), 0),
            Body::Small(g) => (Some(group_view(g, 0)), Vec::new(), count_deleted(g)),
            Body::Dir { tables, .. } => {
                let views = order
                    .iter()
                    .enumerate()
                    .map(|(id, &t)| {
                        let t = &tables[t];
                        SwissTableView {
                            id,
                            used: t.used,
                            capacity: t.capacity,
                            growth_left: t.growth_left,
                            local_depth: t.local_depth,
                            index: t.index(self.global_depth),
                            groups: (0..t.groups.len())
                                .map(|g| group_view(&t.groups, g))
                                .collect(),
                        }
                    })
                    .collect();
                let tombstones = tables.iter().map(|t| count_deleted(&t.groups)).sum();
                (None, views, tombstones)
            }
        };
        SwissLayout {
            header: self.header(),
            group_size: Shape::<K, V>::GROUP_SIZE,
            tombstones,
            small,
            dir,
            tables,
        }
    }

    /// Load, tombstones, probe lengths and bytes; `hasher` gives each key's
    /// hash for the hit probes.
    pub(crate) fn stats(&self, hasher: &dyn Fn(&K) -> u64) -> SwissStats {
        let (order, _) = self.numbering();
        let mut loads = Vec::new();
        let mut probe = SwissProbeStats::default();
        let (mut hits, mut hit_sum, mut homes, mut miss_sum) = (0usize, 0usize, 0usize, 0usize);
        let mut group_bytes = 0;
        let mut tombstones = 0;
        let mut walk = |groups: &GroupArray<K, V>, small: bool| {
            group_bytes += groups.bytes();
            for g in 0..groups.len() {
                for i in groups.ctrl(g).match_full() {
                    let Some(k) = groups.key(g, i) else { continue };
                    let mut seq = ProbeSeq::new(hasher(k), groups.len());
                    while !small && seq.group() != g {
                        seq.advance();
                    }
                    let n = seq.steps() + 1;
                    hits += 1;
                    hit_sum += n;
                    probe.hit_max = probe.hit_max.max(n);
                }
                // A miss homed at g reads groups until one has an empty byte.
                let mut seq = ProbeSeq::new((g as u64) << 7, groups.len());
                while !small && groups.ctrl(seq.group()).match_empty().is_empty() {
                    seq.advance();
                    if seq.steps() > groups.len() {
                        break;
                    }
                }
                let n = seq.steps() + 1;
                homes += 1;
                miss_sum += n;
                probe.miss_max = probe.miss_max.max(n);
            }
        };
        match &self.body {
            Body::Empty => {}
            Body::Small(g) => {
                tombstones = count_deleted(g);
                walk(g, true);
            }
            Body::Dir { tables, .. } => {
                for &t in &order {
                    let t = &tables[t];
                    let dead = count_deleted(&t.groups);
                    tombstones += dead;
                    loads.push(SwissTableLoad {
                        index: t.index(self.global_depth),
                        capacity: t.capacity,
                        used: t.used,
                        growth_left: t.growth_left,
                        tombstones: dead,
                        load: t.used as f64 / t.capacity as f64,
                    });
                    walk(&t.groups, false);
                }
            }
        }
        if hits > 0 {
            probe.hit_mean = hit_sum as f64 / hits as f64;
        }
        if homes > 0 {
            probe.miss_mean = miss_sum as f64 / homes as f64;
        }
        let indirect = self.used
            * (if Shape::<K, V>::KEY_INDIRECT {
                core::mem::size_of::<K>()
            } else {
                0
            } + if Shape::<K, V>::VAL_INDIRECT {
                core::mem::size_of::<V>()
            } else {
                0
            });
        let header = core::mem::size_of::<Self>();
        // Go's directory: a pointer per entry. The rest of ours (the
        // heads, the next doubling built ahead, spare capacity) is `heads`.
        let directory = self.dir_len() * core::mem::size_of::<usize>();
        let heads = match &self.body {
            Body::Dir { dir, .. } => dir.bytes() - directory,
            _ => 0,
        };
        let reserve = self.reserve.bytes();
        SwissStats {
            header: self.header(),
            tables: loads,
            tombstones,
            probe,
            bytes: SwissByteStats {
                header,
                directory,
                heads,
                groups: group_bytes,
                reserve,
                indirect,
                total: header + directory + heads + group_bytes + reserve + indirect,
            },
        }
    }
}
