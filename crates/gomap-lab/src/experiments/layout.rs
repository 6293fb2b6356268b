//! A map's buckets, drawn: tophash bytes, full and empty slots, overflow chains and
//! where each overflow bucket came from, and the old array mid-growth — for a
//! scenario chosen by flags.

#![forbid(unsafe_code)]

use std::hash::{BuildHasher, Hash, Hasher};

use gomap::tophash::{is_full, EMPTY_ONE};
use gomap::{BucketOrigin, BucketView, GoMap, Header};
use serde::Serialize;

use crate::diagram::{self, Cells, Diagram, Row, Section};
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{Effort, Figure, Outcome};
use crate::hashers::{fixed, seed_sequence};
use crate::plot::PlotError;
use crate::table::{Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "A bucket holds 8 slots: 8 tophash bytes (the hash's top byte, or a mark \
for an empty or evacuated slot), then 8 keys, 8 values and an overflow pointer. A key lives in \
the chain of bucket hash & (2^B − 1); when that chain's 8 slots are taken, an overflow bucket is \
linked, from the array's preallocated pool while it lasts, then from the heap. This is chaining, \
not open addressing. During a growth the old array stays until every old bucket is evacuated.";

/// Most buckets of one array drawn in the SVG (the terminal shows all of them).
pub const MAX_DRAWN: usize = 64;

/// The largest number of keys a scenario may insert.
pub const MAX_KEYS: u64 = 1_000_000;

/// The scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct LayoutConfig {
    /// The hint passed to make.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=super::hint::MAX_HINT as u64))]
    pub hint: u64,
    /// Keys to insert (1, 2, …).
    #[arg(long, default_value_t = 27, value_parser = clap::value_parser!(u64).range(0..=MAX_KEYS))]
    pub keys: u64,
    /// After the inserts, keep inserting until a growth is in progress.
    #[arg(long)]
    pub stop_mid_growth: bool,
    /// Then delete this many keys, the first inserted first.
    #[arg(long, default_value_t = 0)]
    pub delete: u64,
    /// At the end, rewrite keys until a growth in progress has finished.
    #[arg(long, conflicts_with = "stop_mid_growth")]
    pub finish_growth: bool,
    /// Seed of the hasher and of the map's hash seeds (same seed, same drawing).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `gomap-lab layout`.
pub struct Layout;

impl Experiment for Layout {
    const ID: &'static str = "layout";
    const TITLE: &'static str = "Inside the buckets";
    const ABOUT: &'static str = "Draw a map's buckets (tophash bytes, empty slots, overflow \
        chains, the old array mid-growth) for a scenario, in the terminal and as SVG";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = true;
    type Args = LayoutConfig;
    type Outcome = LayoutOutcome;

    fn run(args: &LayoutConfig, _: &Ctx<'_>) -> anyhow::Result<LayoutOutcome> {
        Ok(run(args))
    }

    fn report_runs(_: Effort) -> Vec<String> {
        vec![
            "--keys 27 --seed 1".into(),
            "--hint 53 --keys 104 --delete 30 --seed 1".into(),
        ]
    }
}

/// One bucket, owned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketSnap {
    /// `main`, `pool N` (allocation index N of the array) or `heap`.
    pub at: String,
    /// Tophash bytes.
    pub top: [u8; 8],
    /// The key in each full slot.
    pub keys: [Option<u64>; 8],
}

/// The whole map after the scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutOutcome {
    /// What was done, in words.
    pub scenario: String,
    /// The header.
    pub header: Header,
    /// Bytes per bucket.
    pub bucket_size: usize,
    /// Buckets in the current allocation, pool included.
    pub arr_len: usize,
    /// Pool buckets still free.
    pub pool_free: usize,
    /// Chains of the current array.
    pub buckets: Vec<Vec<BucketSnap>>,
    /// Chains of the old array, while growing.
    pub old: Option<Vec<Vec<BucketSnap>>>,
    /// Full slots, in both arrays while growing.
    pub full: usize,
    /// Slots marked emptyOne, in both arrays while growing.
    pub empty_one: usize,
    /// Overflow buckets of the current array from the pool.
    pub overflow_pool: usize,
    /// Overflow buckets of the current array from the heap.
    pub overflow_heap: usize,
    /// Keys found outside the chain of `hash & (2^B − 1)` (always 0: chaining).
    pub misplaced: usize,
}

fn snap(chain: &[BucketView<'_, u64, u64>]) -> Vec<BucketSnap> {
    chain
        .iter()
        .map(|b| BucketSnap {
            at: match b.at {
                BucketOrigin::Main => "main".into(),
                BucketOrigin::Pool(i) => format!("pool {i}"),
                BucketOrigin::Heap => "heap".into(),
            },
            top: b.top,
            keys: b.keys.map(|k| k.copied()),
        })
        .collect()
}

/// The hash gomap computes for `key` under map seed `hash0`: the seed, then the key,
/// into one hasher of the map's `BuildHasher`.
fn map_hash<S: BuildHasher>(s: &S, hash0: u32, key: u64) -> u64 {
    let mut h = s.build_hasher();
    h.write_u32(hash0);
    key.hash(&mut h);
    h.finish()
}

/// Runs the scenario and snapshots the map.
pub fn run(config: &LayoutConfig) -> LayoutOutcome {
    let hasher = fixed(config.seed);
    let mut m: GoMap<u64, u64, _> = GoMap::with_capacity_hasher_and_seeds(
        config.hint as usize,
        hasher.clone(),
        seed_sequence(config.seed),
    );
    let mut next = 1u64;
    let mut steps = vec![format!("make(map[uint64]uint64, {})", config.hint)];
    while next <= config.keys
        || (config.stop_mid_growth && !m.header().growing && next <= 2 * MAX_KEYS)
    {
        m.insert(next, next * 10);
        next += 1;
    }
    steps.push(match next - 1 {
        0 => "no inserts".to_owned(),
        1 => "insert key 1".to_owned(),
        n => format!("insert keys 1…{n}"),
    });
    let deleted = config.delete.min(next - 1);
    for k in 1..=deleted {
        m.remove(&k);
    }
    if deleted > 0 {
        steps.push(format!("delete keys 1…{deleted}"));
    }
    if config.finish_growth && m.header().growing {
        let mut rewrites = 0;
        for k in deleted + 1..next {
            if !m.header().growing {
                break;
            }
            m.insert(k, k * 10);
            rewrites += 1;
        }
        steps.push(format!("rewrite {rewrites} keys to finish the growth"));
    }
    let l = m.layout();
    let h = l.header;
    let mask = (1usize << h.b) - 1;
    let mut misplaced = 0;
    for (i, chain) in l.buckets.iter().enumerate() {
        for k in chain.iter().flat_map(|b| b.keys.iter().flatten()) {
            if map_hash(&hasher, h.hash0, **k) as usize & mask != i {
                misplaced += 1;
            }
        }
    }
    let (mut full, mut empty_one, mut pool, mut heap) = (0, 0, 0, 0);
    for b in l.buckets.iter().chain(l.old.iter().flatten()).flatten() {
        full += b.top.iter().filter(|&&t| is_full(t)).count();
        empty_one += b.top.iter().filter(|&&t| t == EMPTY_ONE).count();
    }
    for b in l.buckets.iter().flatten() {
        match b.at {
            BucketOrigin::Pool(_) => pool += 1,
            BucketOrigin::Heap => heap += 1,
            BucketOrigin::Main => {}
        }
    }
    LayoutOutcome {
        scenario: steps.join("; "),
        header: h,
        bucket_size: l.bucket_size,
        arr_len: l.arr_len,
        pool_free: l.pool.map_or(0, |p| p.pre_free),
        buckets: l.buckets.iter().map(|c| snap(c)).collect(),
        old: l
            .old
            .as_ref()
            .map(|old| old.iter().map(|c| snap(c)).collect()),
        full,
        empty_one,
        overflow_pool: pool,
        overflow_heap: heap,
        misplaced,
    }
}

impl LayoutOutcome {
    fn text_rows(chains: &[Vec<BucketSnap>], prefix: &str) -> Vec<String> {
        chains
            .iter()
            .enumerate()
            .map(|(i, chain)| {
                let parts: Vec<String> = chain
                    .iter()
                    .enumerate()
                    .map(|(j, b)| {
                        let cells = diagram::bucket_text(&b.top);
                        if j == 0 {
                            cells
                        } else {
                            format!("-> {} {cells}", b.at)
                        }
                    })
                    .collect();
                format!("  {prefix}{i:<4} {}", parts.join(" "))
            })
            .collect()
    }

    /// The header line: B, count, growth state.
    pub fn header_text(&self) -> String {
        let h = &self.header;
        let growth = if h.growing {
            let kind = if h.flags & Header::SAME_SIZE_GROW != 0 {
                "same-size"
            } else {
                "doubling"
            };
            format!(", growing ({kind}, nevacuate {})", h.nevacuate)
        } else {
            String::new()
        };
        format!(
            "B = {}, count = {}, noverflow = {}, hash0 = {:#010x}{growth}",
            h.b, h.count, h.noverflow, h.hash0
        )
    }

    /// The map drawn in text, one chain per line.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n{}\n", self.scenario, self.header_text());
        out += &format!(
            "bucket array: {} buckets of {} bytes + {} pool ({} free); its overflow buckets: {} \
             pool, {} heap; {} full slots and {} emptyOne in all\n",
            1usize << self.header.b,
            self.bucket_size,
            self.arr_len.saturating_sub(1 << self.header.b),
            self.pool_free,
            self.overflow_pool,
            self.overflow_heap,
            self.full,
            self.empty_one
        );
        if self.arr_len == 0 {
            out += "  (no bucket yet: a B = 0 map allocates its bucket at the first insert)\n";
        } else {
            out += &(Self::text_rows(&self.buckets, "b").join("\n") + "\n");
        }
        if let Some(old) = &self.old {
            out += &format!(
                "old array: {} buckets, evacuated below {} and where marked >X >Y >E\n",
                old.len(),
                self.header.nevacuate
            );
            out += &(Self::text_rows(old, "o").join("\n") + "\n");
        }
        out + diagram::TEXT_LEGEND + "\n"
    }

    fn section(heading: String, chains: &[Vec<BucketSnap>]) -> Section {
        let mut rows: Vec<Row> = chains
            .iter()
            .take(MAX_DRAWN)
            .enumerate()
            .map(|(i, chain)| Row {
                label: i.to_string(),
                chain: chain
                    .iter()
                    .map(|b| Cells {
                        origin: b.at.clone(),
                        top: b.top,
                    })
                    .collect(),
                note: String::new(),
            })
            .collect();
        if chains.len() > MAX_DRAWN {
            if let Some(last) = rows.last_mut() {
                last.note = format!("… {} more buckets not drawn", chains.len() - MAX_DRAWN);
            }
        }
        Section { heading, rows }
    }

    /// The map as a bucket diagram.
    pub fn diagram(&self) -> Diagram {
        let mut sections = vec![Self::section(
            format!(
                "bucket array: 2^{} = {} buckets of {} bytes, {} pool buckets",
                self.header.b,
                1usize << self.header.b,
                self.bucket_size,
                self.arr_len.saturating_sub(1 << self.header.b)
            ),
            &self.buckets,
        )];
        if let Some(old) = &self.old {
            sections.push(Self::section(
                format!(
                    "old array: {} buckets, being evacuated (nevacuate = {})",
                    old.len(),
                    self.header.nevacuate
                ),
                old,
            ));
        }
        Diagram {
            title: self.scenario.clone(),
            subtitle: self.header_text(),
            sections,
        }
    }
}

impl Outcome for LayoutOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Map after the scenario",
            &[("what", Align::Left), ("value", Align::Left)],
        );
        t.row(vec!["scenario".into(), self.scenario.clone()]);
        t.row(vec!["header".into(), self.header_text()]);
        t.row(vec![
            "bucket size".into(),
            format!("{} bytes", self.bucket_size),
        ]);
        t.row(vec![
            "allocation".into(),
            format!(
                "{} buckets ({} main, {} pool, {} pool free)",
                self.arr_len,
                1usize << self.header.b,
                self.arr_len.saturating_sub(1 << self.header.b),
                self.pool_free
            ),
        ]);
        t.row(vec![
            "full slots / emptyOne".into(),
            format!("{} / {}", self.full, self.empty_one),
        ]);
        t.row(vec![
            "overflow buckets (current array)".into(),
            format!(
                "{} from the pool, {} from the heap",
                self.overflow_pool, self.overflow_heap
            ),
        ]);
        t.row(vec![
            "keys outside their chain".into(),
            self.misplaced.to_string(),
        ]);
        vec![t]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        vec![serde_json::to_value(self).expect("a layout serializes")]
    }

    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        Ok(Some(Figure {
            caption: format!(
                "{}. Each row is one chain: the main bucket, then its overflow buckets.",
                self.scenario
            ),
            svg: self.diagram().to_svg()?,
        }))
    }

    fn text(&self) -> Option<String> {
        Some(self.to_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_is_mid_growth() {
        let out = run(&crate::experiments::registry::defaults::<LayoutConfig>());
        assert_eq!(
            (out.header.b, out.header.count, out.header.growing),
            (3, 27, true)
        );
        assert_eq!(out.old.as_ref().map(Vec::len), Some(4));
        assert_eq!(out.misplaced, 0);
        assert!(out.to_text().contains("old array"));
    }

    #[test]
    fn stop_mid_growth_continues_to_the_next_growth() {
        let out = run(&LayoutConfig {
            keys: 20,
            stop_mid_growth: true,
            ..crate::experiments::registry::defaults::<LayoutConfig>()
        });
        assert_eq!((out.header.count, out.header.growing), (27, true));
        let done = run(&LayoutConfig {
            keys: 27,
            finish_growth: true,
            ..crate::experiments::registry::defaults::<LayoutConfig>()
        });
        assert!(!done.header.growing && done.old.is_none());
    }
}
