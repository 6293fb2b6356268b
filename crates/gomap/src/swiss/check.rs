//! `check`: every structural invariant of the Swiss map, for tests.

use super::group::{h2, ProbeSeq, CTRL_DELETED, CTRL_EMPTY, SLOTS};
use super::table::MAX_TABLE_CAPACITY;
use super::{Body, RawSwiss};

impl<K, V> RawSwiss<K, V> {
    /// Checks the invariants; with `hasher`, also that every full slot's
    /// byte is its key's H2 and every key is reachable by its probe from
    /// its home group in the table its directory entry selects.
    pub(crate) fn check(&self, hasher: Option<&dyn Fn(&K) -> u64>) -> Result<(), String> {
        match &self.body {
            Body::Empty => {
                if self.used != 0 || self.global_depth != 0 || self.global_shift != 0 {
                    return Err(format!(
                        "unallocated map with used {} depth {}",
                        self.used, self.global_depth
                    ));
                }
            }
            Body::Small(g) => {
                if self.global_depth != 0 || self.global_shift != 0 {
                    return Err("small map with a depth".into());
                }
                let full = g.ctrl(0).match_full().count();
                if full != self.used {
                    return Err(format!("small map: {full} full slots, used {}", self.used));
                }
                for b in g.ctrl(0).bytes() {
                    if b == CTRL_DELETED {
                        return Err("small map holds a tombstone".into());
                    }
                }
                if let Some(hasher) = hasher {
                    for i in g.ctrl(0).match_full() {
                        let k = g.key(0, i).ok_or("full slot without key")?;
                        if g.ctrl(0).get(i) != h2(hasher(k)) {
                            return Err(format!("small slot {i}: ctrl is not H2 of its key"));
                        }
                    }
                }
            }
            Body::Dir { dir, tables } => {
                let gd = self.global_depth;
                if dir.len() != 1usize << gd {
                    return Err(format!("dirLen {} with globalDepth {gd}", dir.len()));
                }
                dir.check(tables)?;
                self.reserve.check()?;
                if self.global_shift != 64 - gd {
                    return Err(format!(
                        "globalShift {} with globalDepth {gd}",
                        self.global_shift
                    ));
                }
                let mut sum = 0;
                let mut seen = vec![false; tables.len()];
                for (id, t) in tables.iter().enumerate() {
                    let index = t.index(gd);
                    let ctx = |m: String| format!("table {id} (index {index}): {m}");
                    if t.local_depth > gd {
                        return Err(ctx(format!(
                            "localDepth {} > globalDepth {gd}",
                            t.local_depth
                        )));
                    }
                    let n = 1usize << (gd - t.local_depth);
                    if t.first_hash.checked_shl(u32::from(t.local_depth)) != Some(0) {
                        return Err(ctx(format!(
                            "first hash {:#x} has bits below localDepth",
                            t.first_hash
                        )));
                    }
                    if index % n != 0 || index + n > dir.len() {
                        return Err(ctx(format!("index not aligned to {n} entries")));
                    }
                    for (d, &e) in dir.iter().enumerate() {
                        let inside = d >= index && d < index + n;
                        if inside != (e == id) {
                            return Err(ctx(format!("directory entry {d} points to {e}")));
                        }
                    }
                    seen[id] = true;
                    if !t.capacity.is_power_of_two()
                        || t.capacity > MAX_TABLE_CAPACITY
                        || t.capacity != t.groups.len() * SLOTS
                    {
                        return Err(ctx(format!("capacity {}", t.capacity)));
                    }
                    let (mut full, mut deleted) = (0, 0);
                    for g in 0..t.groups.len() {
                        let bytes = t.groups.ctrl(g).bytes();
                        let e = bytes.iter().filter(|&&b| b == CTRL_EMPTY).count();
                        let d = bytes.iter().filter(|&&b| b == CTRL_DELETED).count();
                        let f = bytes.iter().filter(|&&b| b < CTRL_EMPTY).count();
                        if e + d + f != SLOTS {
                            return Err(ctx(format!("group {g}: invalid control byte {bytes:?}")));
                        }
                        if e > 0 && d > 0 {
                            return Err(ctx(format!(
                                "group {g} holds both empty and deleted bytes"
                            )));
                        }
                        full += f;
                        deleted += d;
                    }
                    if full != t.used {
                        return Err(ctx(format!("{full} full slots, used {}", t.used)));
                    }
                    if t.max_growth_left() < t.used + deleted
                        || t.growth_left != t.max_growth_left() - t.used - deleted
                    {
                        return Err(ctx(format!(
                            "growthLeft {} != {} − used {} − tombstones {deleted}",
                            t.growth_left,
                            t.max_growth_left(),
                            t.used
                        )));
                    }
                    if deleted > 0 && !self.tombstone_possible {
                        return Err(ctx("tombstones without tombstonePossible".into()));
                    }
                    if let Some(hasher) = hasher {
                        for g in 0..t.groups.len() {
                            for i in t.groups.ctrl(g).match_full() {
                                let k = t.groups.key(g, i).ok_or("full slot without key")?;
                                let h = hasher(k);
                                if t.groups.ctrl(g).get(i) != h2(h) {
                                    return Err(ctx(format!("group {g} slot {i}: ctrl is not H2")));
                                }
                                if dir[self.dir_index(h)] != id {
                                    return Err(ctx(format!(
                                        "group {g} slot {i}: key belongs to another table"
                                    )));
                                }
                                let mut seq = ProbeSeq::new(h, t.groups.len());
                                while seq.group() != g {
                                    if !t.groups.ctrl(seq.group()).match_empty().is_empty() {
                                        return Err(ctx(format!(
                                            "group {g} slot {i}: probe stops at group {} first",
                                            seq.group()
                                        )));
                                    }
                                    seq.advance();
                                    if seq.steps() > t.groups.len() {
                                        return Err(ctx(format!(
                                            "group {g} slot {i}: not on its probe"
                                        )));
                                    }
                                }
                            }
                        }
                    }
                    sum += t.used;
                }
                if seen.iter().any(|s| !s) {
                    return Err("a table not in the directory".into());
                }
                if sum != self.used {
                    return Err(format!("used {} != sum of tables {sum}", self.used));
                }
            }
        }
        Ok(())
    }
}
