//! The articles' claims about the classic map, decided again on Go 1.24+'s
//! Swiss map.
//!
//! A claim of the catalogue predicts values of named measurements
//! (`loadfactor.count_over_2b_at_growth.b4 = 6.5`). [`measure`] fills a
//! second [`Measurements`] table under the same names with the Swiss map's
//! counterpart of each quantity, measured on a real `SwissMap` (entries per
//! 8-slot group when a 16-group table grows; the control byte a delete
//! writes; groups one insert moves), each `shown` string saying which
//! counterpart it is. [`check`] then runs the catalogue's own [`evaluate`]
//! on both tables, so the article's prediction is compared with each
//! generation by the same code, and no verdict is written by hand.
//!
//! Why counterparts under the classic names rather than new claims: the
//! claim stays the article's, word for word and prediction for prediction;
//! only the map it is measured on changes.

#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hash, Hasher};

use gomap::{SwissMap, SwissWithHasher};
use serde::Serialize;

use super::{catalog, evaluate, Checked, Measurements, Verdict};
use crate::experiments::swiss_growth::{record_swiss, SwissGrowthRow};
use crate::experiments::swiss_tombstones::{self, SwissTombstonesConfig};
use crate::hashers::{fixed_swiss, seed_sequence, Masked};
use crate::kv::LabKey;

/// The catalogue's claims about the classic map that the Swiss map is
/// checked against: layout, load factor, growth and deletes.
pub const CARRIED: &[&str] = &[
    "a004-open-addressing",
    "a002-load-factor-formula",
    "a002-threshold-table",
    "a002-doubling-incremental",
    "a004-incremental-no-stw",
    "a003-tophash-top-8",
    "a003-delete-sets-emptyrest",
    "a002-overflow-more-than-2b",
];

/// Keys the growth timeline fills from this many inserts: past the first
/// split (897) and a few more, so a map of 256 groups grows too.
const TIMELINE_INSERTS: u64 = 5_000;

/// One claim decided on both generations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwissClaim {
    /// The claim decided on the classic map (gomap's `GoMap`, Go 1.19's layout).
    pub classic: Checked,
    /// The same claim decided on the Swiss map's counterparts.
    pub swiss: Checked,
}

impl SwissClaim {
    /// Whether the claim holds (every part) on the Swiss map.
    pub fn holds_in_swiss(&self) -> bool {
        self.swiss.verdict == Verdict::Right
    }
}

/// Decides every [`CARRIED`] claim on `classic` and on `swiss`.
pub fn check(classic: &Measurements, swiss: &Measurements) -> Vec<SwissClaim> {
    CARRIED
        .iter()
        .map(|id| {
            let claim = catalog::CLAIMS
                .iter()
                .find(|c| c.id == *id)
                .expect("CARRIED names catalogue claims (a test checks)");
            SwissClaim {
                classic: evaluate(claim, classic),
                swiss: evaluate(claim, swiss),
            }
        })
        .collect()
}

/// The Swiss map's hash of `k`: the seed written first, then the key, as
/// the map does (`SwissWithHasher::with_capacity_hasher_and_seeds`).
fn swiss_hash<K: Hash, S: BuildHasher>(s: &S, seed: u64, k: &K) -> u64 {
    let mut h = s.build_hasher();
    h.write_u64(seed);
    k.hash(&mut h);
    h.finish()
}

/// The Swiss counterparts of the [`CARRIED`] claims' measurements, under the
/// classic names.
pub fn measure(seed: u64) -> Measurements {
    let mut m = Measurements::new();
    timeline(&mut m, seed);
    probe(&mut m, seed);
    control_bytes(&mut m, seed);
    churn(&mut m, seed);
    m
}

/// `loadfactor.count_over_2b_at_growth.b4`, `grow.count_at_start.bN`,
/// `grow.double.*`, `grow.max_evacuations_per_write`,
/// `grow.u64_insert_does_growth_work`, `grow.lookups_evacuate`: from the
/// growth events of [`TIMELINE_INSERTS`] inserts, and a replay of the same
/// inserts that looks at each growing insert from before and after.
fn timeline(m: &mut Measurements, seed: u64) {
    let mut map = fixed_swiss::<u64, u64>(0, seed);
    let rows = record_swiss(&mut map, TIMELINE_INSERTS, |_, _, _| {});
    // Groups and tables before each row's insert: the small map's one
    // group until the first row, then the last row of an earlier insert.
    let mut before: Vec<(usize, usize)> = Vec::with_capacity(rows.len());
    let (mut groups, mut tables, mut insert, mut next) = (1, 1, 0, (1, 1));
    for r in &rows {
        if r.insert != insert {
            (groups, tables) = next;
            insert = r.insert;
        }
        before.push((groups, tables));
        next = (r.groups, r.tables);
    }
    let grows = |r: &SwissGrowthRow| matches!(r.event, "rehash" | "split");

    let per_group = rows
        .iter()
        .find(|r| r.event == "rehash" && r.old_capacity == 128)
        .map(|r| r.entries as f64 / 16.0);
    if let Some(x) = per_group {
        m.put(
            "loadfactor.count_over_2b_at_growth.b4",
            x,
            format!("Swiss: {x} entries per 8-slot group when a 16-group (128-slot) table grows"),
        );
    }
    for (b, g) in [(0u8, 1usize), (4, 16), (8, 256)] {
        let at = rows
            .iter()
            .zip(&before)
            .find(|(r, (groups, _))| grows(r) && *groups == g);
        if let Some((r, _)) = at {
            m.put(
                format!("grow.count_at_start.b{b}"),
                r.entries,
                format!(
                    "Swiss: a map of {g} group{} (8·{g} slots) first grows at {} entries",
                    if g == 1 { "" } else { "s" },
                    r.entries
                ),
            );
        }
    }
    if let Some(r) = rows.iter().find(|r| r.event == "dir_double") {
        let step = r.dir_len.trailing_zeros() as i64 - i64::from(r.depth);
        m.put(
            "grow.double.b_step",
            step,
            format!(
                "Swiss: a directory doubling steps globalDepth by {step} ({} → {} entries)",
                r.dir_len / 2,
                r.dir_len
            ),
        );
    }
    if let Some((r, (g, t))) = rows
        .iter()
        .zip(&before)
        .find(|(r, (_, t))| grows(r) && *t >= 2)
    {
        let ratio = r.groups as f64 / *g as f64;
        m.put(
            "grow.double.bucket_ratio",
            ratio,
            format!(
                "Swiss: the first growth of a {t}-table map takes it from {g} to {} groups (×{ratio:.2}): one table grows, not the map",
                r.groups
            ),
        );
    }
    let most = rows
        .iter()
        .filter(|r| grows(r))
        .map(|r| r.old_capacity / 8)
        .max()
        .unwrap_or(0);
    m.put(
        "grow.max_evacuations_per_write",
        most,
        format!("Swiss: one insert rehashed up to {most} old groups, the whole table"),
    );

    // The replay: the same seeds give the same map, insert for insert.
    let growing: BTreeSet<u64> = rows.iter().filter(|r| grows(r)).map(|r| r.insert).collect();
    let mut again = fixed_swiss::<u64, u64>(0, seed);
    let mut left_over = 0usize;
    let mut lookups_changed = None;
    for i in 1..=TIMELINE_INSERTS {
        let used_before: Vec<(usize, usize)> = if growing.contains(&i) {
            let l = again.layout();
            if l.tables.is_empty() {
                vec![(0, l.header.used)]
            } else {
                l.tables.iter().map(|t| (t.index, t.used)).collect()
            }
        } else {
            Vec::new()
        };
        again.insert(u64::nth(i), i);
        for r in rows.iter().filter(|r| r.insert == i && grows(r)) {
            let held = used_before
                .iter()
                .find(|(index, _)| *index == r.index)
                .map_or(0, |&(_, used)| used);
            left_over += held.saturating_sub(r.moved);
        }
        if lookups_changed.is_none() && rows.iter().any(|r| r.insert == i && r.event == "split") {
            let snapshot = |m: &SwissMap<u64, u64, _>| {
                let l = m.layout();
                l.tables
                    .iter()
                    .map(|t| {
                        let ctrl: Vec<[u8; 8]> = t.groups.iter().map(|g| g.ctrl).collect();
                        (t.capacity, t.used, t.growth_left, ctrl)
                    })
                    .collect::<Vec<_>>()
            };
            let before = snapshot(&again);
            let found = (1..=i.min(1000))
                .chain(TIMELINE_INSERTS + 1..TIMELINE_INSERTS + 1000)
                .filter(|&k| again.get(&u64::nth(k)).is_some())
                .count();
            lookups_changed = Some((before != snapshot(&again), found));
        }
    }
    m.put(
        "grow.u64_insert_does_growth_work",
        left_over > 0,
        format!(
            "Swiss: growing inserts left {left_over} entries of their tables for later writes (each moved its whole table)"
        ),
    );
    if let Some((changed, found)) = lookups_changed {
        m.put(
            "grow.lookups_evacuate",
            changed,
            format!(
                "Swiss: {found} lookups right after a split {} the tables",
                if changed { "changed" } else { "did not change" }
            ),
        );
    }
}

/// `layout.slots` and `overflow.next_bucket_probed`: keys steered into one
/// home group of a 16-group table (their hash bits 7–13 cleared, so `H1`
/// picks group 0), read back from the layout.
fn probe(m: &mut Measurements, seed: u64) {
    let mut map: SwissMap<u64, u64, Masked> = SwissMap::with_capacity_hasher_and_seeds(
        100,
        Masked::new(seed, 0x7F << 7),
        seed_sequence(seed),
    );
    let groups_at_make = map.layout().tables[0].groups.len();
    for i in 1..=17 {
        map.insert(u64::nth(i), i);
    }
    let l = map.layout();
    let t = &l.tables[0];
    let group_of = |k: u64| {
        t.groups
            .iter()
            .position(|g| g.slots.iter().flatten().any(|(key, _)| **key == k))
    };
    let shown = |g: Option<usize>| g.map_or("?".to_owned(), |g| g.to_string());
    let slots = t.capacity / t.groups.len();
    m.put(
        "layout.slots",
        slots,
        format!(
            "Swiss: a group has {slots} slots ({} slots over {} groups)",
            t.capacity,
            t.groups.len()
        ),
    );
    let home = group_of(u64::nth(1));
    let ninth = group_of(u64::nth(9));
    let seventeenth = group_of(u64::nth(17));
    let probed = home.is_some()
        && ninth.is_some()
        && ninth != home
        && t.groups.len() == groups_at_make
        && l.tables.len() == 1;
    m.put(
        "overflow.next_bucket_probed",
        probed,
        format!(
            "Swiss: with its home group {} full, the 9th key went to group {} of the same table, no memory added; the 17th went to group {} ({})",
            shown(home),
            shown(ninth),
            shown(seventeenth),
            match (home, seventeenth) {
                (Some(h), Some(g)) if g == h + 2 => "the next group again: a linear probe",
                (Some(_), Some(_)) => "not the next group again: the probe is not linear",
                _ => "not found",
            }
        ),
    );
    // A linear probe visits home, home + 1, home + 2, ...; Go's visits
    // home, home + 1, home + 3, ... (triangular steps), within one table.
    let groups = t.groups.len();
    let step = |from: Option<usize>, to: Option<usize>| {
        from.zip(to).map(|(a, b)| (b + groups - a) % groups)
    };
    let linear = probed && step(home, ninth) == Some(1) && step(ninth, seventeenth) == Some(1);
    m.put(
        "probe.linear",
        linear,
        format!(
            "Swiss: from the home group the probe stepped {} then {} groups{}",
            step(home, ninth).map_or("?".to_owned(), |s| s.to_string()),
            step(ninth, seventeenth).map_or("?".to_owned(), |s| s.to_string()),
            if linear {
                ": linear"
            } else {
                ": not a linear probe"
            }
        ),
    );
}

/// `layout.tophash_top8`, `tophash.after_delete_mid`, `tophash.empty_rest`:
/// every full slot's control byte against its key's hash; the byte a delete
/// from a full group writes; the byte of a never-used slot.
fn control_bytes(m: &mut Measurements, seed: u64) {
    let mut map = fixed_swiss::<u64, u64>(0, seed);
    for i in 1..=1000 {
        map.insert(u64::nth(i), i);
    }
    let (hb, map_seed) = (map.hasher().clone(), map.header().seed);
    let (mut full, mut top8, mut low7) = (0usize, 0usize, 0usize);
    let mut in_full_group = None;
    {
        let l = map.layout();
        for (ti, t) in l.tables.iter().enumerate() {
            for (gi, g) in t.groups.iter().enumerate() {
                for (si, slot) in g.slots.iter().enumerate() {
                    if let Some((k, _)) = slot {
                        let h = swiss_hash(&hb, map_seed, *k);
                        full += 1;
                        top8 += usize::from(g.ctrl[si] == (h >> 56) as u8);
                        low7 += usize::from(g.ctrl[si] == (h & 0x7F) as u8);
                        if in_full_group.is_none() && !g.ctrl.contains(&0x80) {
                            in_full_group = Some((**k, ti, gi, si));
                        }
                    }
                }
            }
        }
    }
    m.put(
        "layout.tophash_top8",
        full > 0 && top8 == full,
        format!(
            "Swiss: {top8} of {full} control bytes equal the hash's top 8 bits; {low7} equal its low 7 bits (H2)"
        ),
    );
    m.put(
        "swiss.h2_is_low7",
        full > 0 && low7 == full,
        format!("Swiss: {low7} of {full} control bytes are H2, the hash's low 7 bits"),
    );
    if let Some((k, ti, gi, si)) = in_full_group {
        map.remove(&k);
        let byte = map.layout().tables[ti].groups[gi].ctrl[si];
        m.put(
            "tophash.after_delete_mid",
            byte,
            format!("Swiss: a delete from a full group writes {byte:#04x} (a tombstone)"),
        );
    }
    let fresh = fixed_swiss::<u64, u64>(100, seed);
    let byte = fresh.layout().tables[0].groups[0].ctrl[0];
    m.put(
        "tophash.empty_rest",
        byte,
        format!("Swiss: a never-used slot's control byte is {byte:#04x}"),
    );
}

/// `grow.same_size.exists`, `grow.same_size.noverflow_ratio_at_start`: a
/// delete/insert churn at a steady size; the Swiss counterparts of the
/// classic clean-up are growths that keep the slot count (none) and the
/// tombstones that trigger a prune.
fn churn(m: &mut Measurements, seed: u64) {
    let out = swiss_tombstones::run(
        &SwissTombstonesConfig {
            entries: 3000,
            ops: 30_000,
            seed,
            samples: 10,
        },
        &indicatif::ProgressBar::hidden(),
    );
    let same = out.totals.same_capacity_growths;
    m.put(
        "grow.same_size.exists",
        same > 0,
        format!(
            "Swiss: {same} growths kept their table's slots in {} delete/insert pairs ({} rehashes, {} splits, {} prunes, {} failed prunes)",
            out.ops, out.totals.rehashes, out.totals.splits, out.totals.prunes, out.totals.prunes_failed
        ),
    );
    if let Some(p) = out.steps.iter().find(|s| s.step.starts_with("prune")) {
        let ratio = p.tombstones as f64 / p.capacity as f64;
        m.put(
            "grow.same_size.noverflow_ratio_at_start",
            ratio,
            format!(
                "Swiss: the first clean-up (a prune attempt, {}) started at {} tombstones in {} slots ({ratio:.2} of the table)",
                if p.pruned > 0 { "it freed some" } else { "it freed too few, so the table grew" },
                p.tombstones, p.capacity
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Check;

    #[test]
    fn carried_claims_are_in_the_catalogue_and_measured() {
        let swiss = measure(1);
        for id in CARRIED {
            let claim = catalog::CLAIMS.iter().find(|c| c.id == *id).expect(id);
            let Check::Parts(parts) = claim.check else {
                panic!("{id} has no parts")
            };
            for p in parts {
                assert!(swiss.get(p.key).is_some(), "{id}: {} not measured", p.key);
            }
        }
    }

    #[test]
    fn swiss_counterparts_are_go_1_24_s() {
        let s = measure(1);
        let v = |k: &str| s.get(k).unwrap().value.clone();
        assert_eq!(v("loadfactor.count_over_2b_at_growth.b4"), 7.0);
        assert_eq!(v("grow.count_at_start.b0"), 8);
        assert_eq!(v("grow.count_at_start.b4"), 112);
        assert_eq!(v("layout.slots"), 8);
        // Probed, but with triangular steps (1, then 2): not linear.
        assert_eq!(v("overflow.next_bucket_probed"), true);
        assert_eq!(v("probe.linear"), false);
        assert_eq!(v("tophash.after_delete_mid"), 0xFE);
        assert_eq!(v("tophash.empty_rest"), 0x80);
        assert_eq!(v("layout.tophash_top8"), false);
        assert_eq!(v("grow.max_evacuations_per_write"), 128);
        assert_eq!(v("grow.u64_insert_does_growth_work"), false);
        assert_eq!(v("grow.lookups_evacuate"), false);
        // The hash is recomputed right: every control byte is its H2.
        assert_eq!(v("swiss.h2_is_low7"), true);
    }

    /// The verdict follows the measurement: a Swiss map that grew at 6.5
    /// per group would make the load-factor claim right.
    #[test]
    fn verdicts_flip_with_the_measurement() {
        let classic = Measurements::new();
        let mut swiss = measure(1);
        let row = |s: &Measurements| {
            check(&classic, s)
                .into_iter()
                .find(|c| c.swiss.id == "a002-load-factor-formula")
                .unwrap()
        };
        assert_eq!(row(&swiss).swiss.verdict, Verdict::Wrong);
        swiss.put("loadfactor.count_over_2b_at_growth.b4", 6.5, "6.5");
        assert!(row(&swiss).holds_in_swiss());
    }
}
