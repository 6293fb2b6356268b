//! `make(map, hint)` in Go 1.24+: the directory, tables, slots per table,
//! groups and bytes a hint gives a real `SwissMap`, beside the classic map's
//! `B` for the same hint.

#![forbid(unsafe_code)]

use gomap::{GoMap, SwissMap, SwissNew};
use serde::Serialize;

use crate::experiments::hint::{Hints, MAX_HINT};
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Outcome};
use crate::kv::{KvType, KvVisitor, LabKey, LabValue};
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "Go 1.24+'s make(map, hint) aims at 7/8 load: it takes ⌊hint·8/7⌋ slots, \
splits them over a power-of-two number of tables of at most 1,024 slots each, and rounds each \
table up to a power of two. A hint ≤ 8 gives the small map, which allocates its one 8-slot group \
at the first insert. So hint 896 fits one full 1,024-slot table while hint 897 gets two 512-slot \
tables; the classic map's B for the same hints is beside each row.";

/// [`crate::experiments::hint::DEFAULT_HINTS`]'s counterpart: the edges of Go
/// 1.24+'s sizing rule.
const DEFAULT_HINTS_ARG: &str = "0,1,8,9,14,15,100,112,113,896,897,1000,1024,1025,10000,100000";

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct SwissHintConfig {
    /// Hints, as a list and inclusive ranges: `0,8,9,100-120`.
    #[arg(long, default_value = DEFAULT_HINTS_ARG)]
    pub hints: Hints,
    /// Key:value types, comma-separated: u64:u64, str:u64 (16-byte Box<str> keys),
    /// u32:u32, u8:u64, k200:u64 (200-byte keys).
    #[arg(long = "kv", value_delimiter = ',', default_value = "u64:u64")]
    pub kvs: Vec<KvType>,
}

/// `gomap-lab swiss-hint`.
pub struct SwissHint;

impl Experiment for SwissHint {
    const ID: &'static str = "swiss-hint";
    const TITLE: &'static str = "Go 1.24+ make(map, hint): directory, tables and groups";
    const ABOUT: &'static str = "make(map, hint) on the Swiss map: directory size, tables, slots \
        per table, groups and bytes each hint gives, beside the classic map's B";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = false;
    type Args = SwissHintConfig;
    type Outcome = SwissHintOutcome;

    fn run(args: &SwissHintConfig, _: &Ctx<'_>) -> anyhow::Result<SwissHintOutcome> {
        Ok(run(args))
    }

    fn report_runs(_: Effort) -> Vec<String> {
        vec![format!("--kv u64:u64,str:u64 --hints {DEFAULT_HINTS_ARG}")]
    }
}

/// One Swiss map made with one hint, and the classic map made with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwissHintRow {
    /// Key and value types.
    pub kv: KvType,
    /// The hint passed to `make`.
    pub hint: usize,
    /// Directory entries (0: the small map). Go: `dirLen`.
    pub dir_len: usize,
    /// Go: `globalDepth`.
    pub global_depth: u8,
    /// Distinct tables.
    pub tables: usize,
    /// Slots of each table (all tables `make` builds have the same).
    pub capacity: usize,
    /// Groups of 8 slots over all tables.
    pub groups: usize,
    /// Inserts the tables take before one grows: the sum of `growthLeft`.
    pub growth_left: usize,
    /// Bytes per group.
    pub group_size: usize,
    /// Bytes `make` allocated: directory and groups.
    pub bytes: usize,
    /// Whether `make` allocated anything (false: the small map waits for its
    /// first insert).
    pub allocated: bool,
    /// The classic map's `B` for this hint.
    #[serde(rename = "classic_B")]
    pub classic_b: u8,
    /// The classic map's bucket array bytes for this hint.
    pub classic_bytes: usize,
}

struct MakeMaps<'a>(&'a [usize], KvType);

impl KvVisitor for MakeMaps<'_> {
    type Output = Vec<SwissHintRow>;

    fn visit<K: LabKey, V: LabValue>(self) -> Vec<SwissHintRow> {
        let MakeMaps(hints, kv) = self;
        hints
            .iter()
            .map(|&hint| {
                let m: SwissMap<K, V> = SwissMap::with_capacity(hint);
                let l = m.layout();
                let s = m.stats();
                let classic: GoMap<K, V> = GoMap::with_capacity(hint);
                SwissHintRow {
                    kv,
                    hint,
                    dir_len: l.header.dir_len,
                    global_depth: l.header.global_depth,
                    tables: l.tables.len(),
                    capacity: l.tables.first().map_or(0, |t| t.capacity),
                    groups: l.tables.iter().map(|t| t.groups.len()).sum::<usize>()
                        + usize::from(l.small.is_some()),
                    growth_left: l.tables.iter().map(|t| t.growth_left).sum(),
                    group_size: l.group_size,
                    bytes: s.bytes.directory + s.bytes.groups,
                    allocated: l.header.alloc,
                    classic_b: classic.header().b,
                    classic_bytes: classic.stats().bytes.bucket_array,
                }
            })
            .collect()
    }
}

/// The result: one row per key/value type and hint.
#[derive(Debug, Clone, Serialize)]
pub struct SwissHintOutcome {
    /// The rows, by type, then hint.
    pub rows: Vec<SwissHintRow>,
}

/// Makes a Swiss map and a classic map for each type and hint and reads
/// their layouts.
pub fn run(config: &SwissHintConfig) -> SwissHintOutcome {
    debug_assert!(config.hints.0.iter().all(|&h| h <= MAX_HINT));
    let rows = config
        .kvs
        .iter()
        .flat_map(|&kv| kv.visit(MakeMaps(&config.hints.0, kv)))
        .collect();
    SwissHintOutcome { rows }
}

impl Outcome for SwissHintOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "make(map, hint) in Go 1.24+: what SwissMap allocates, beside the classic map",
            &[
                ("kv", Align::Left),
                ("hint", Align::Right),
                ("directory", Align::Right),
                ("tables × slots", Align::Right),
                ("groups", Align::Right),
                ("growthLeft", Align::Right),
                ("group bytes", Align::Right),
                ("bytes", Align::Right),
                ("classic B", Align::Right),
                ("classic bytes", Align::Right),
            ],
        );
        for r in &self.rows {
            let shape = if r.tables == 0 {
                "small map".to_owned()
            } else {
                format!(
                    "{} × {}",
                    thousands(r.tables as u64),
                    thousands(r.capacity as u64)
                )
            };
            let bytes = if r.allocated {
                thousands(r.bytes as u64)
            } else {
                format!("0 ({} at 1st insert)", r.group_size)
            };
            t.row(vec![
                r.kv.name().to_owned(),
                thousands(r.hint as u64),
                thousands(r.dir_len as u64),
                shape,
                thousands(r.groups as u64),
                thousands(r.growth_left as u64),
                r.group_size.to_string(),
                bytes,
                r.classic_b.to_string(),
                thousands(r.classic_bytes as u64),
            ]);
        }
        vec![t.with_note(
            "Read from SwissMap::with_capacity(hint)'s layout() and stats(), and \
             GoMap::with_capacity(hint)'s header() and stats(). growthLeft: inserts before the \
             first table grows (7/8 of each table's slots). bytes: directory (one word per entry) \
             and groups; the classic column is its bucket array with the overflow pool.",
        )]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_give_go_1_24_s_tables() {
        let out = run(&SwissHintConfig {
            hints: Hints(vec![8, 9, 896, 897, 1024, 10_000]),
            kvs: vec![KvType::U64U64],
        });
        let got: Vec<(usize, usize, usize, usize)> = out
            .rows
            .iter()
            .map(|r| (r.hint, r.dir_len, r.tables, r.capacity))
            .collect();
        assert_eq!(
            got,
            [
                (8, 0, 0, 0),
                (9, 1, 1, 16),
                (896, 1, 1, 1024),
                (897, 2, 2, 512),
                (1024, 2, 2, 1024),
                (10_000, 16, 16, 1024)
            ]
        );
        assert!(out.rows.iter().all(|r| r.group_size == 136));
        assert_eq!(out.rows[2].growth_left, 896);
        assert_eq!(out.rows[2].groups, 128);
    }
}
