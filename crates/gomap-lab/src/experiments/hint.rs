//! `make(map, hint)`: the `B` a hint gives, the buckets and the preallocated
//! overflow pool allocated, and their bytes — for each key/value size — beside the
//! `B` the articles claim.

#![forbid(unsafe_code)]

use gomap::GoMap;
use serde::Serialize;

use crate::claims::Article;
use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Outcome};
use crate::kv::{KvType, KvVisitor, LabKey, LabValue};
use crate::table::{thousands, Align, Table};

/// What Go does, for the report.
pub const ABOUT: &str = "make(map, hint) picks the smallest B for which hint entries stay at or \
below the load factor 6.5 (hint ≤ 8 always gives B = 0), not the smallest power of two above the \
hint. B = 0 allocates nothing until the first insert. From B = 4 the bucket array carries spare \
overflow buckets: 2^(B−4) rounded up to fill Go's malloc size class, so the pool depends on the \
bucket size.";

/// The hints shown when none are given.
pub const DEFAULT_HINTS: &[usize] = &[
    0, 1, 8, 9, 13, 14, 16, 26, 27, 52, 53, 100, 104, 105, 208, 209, 1000, 1024, 1025, 10_000,
    100_000, 1_000_000,
];

/// The largest hint accepted: above it the array alone takes hundreds of megabytes.
pub const MAX_HINT: usize = 1 << 22;

/// The most hints one run accepts.
pub const MAX_HINTS: usize = 100_000;

/// Parses `0,8,9,100-120`: numbers and inclusive ranges, separated by commas.
pub fn parse_hints(s: &str) -> Result<Vec<usize>, String> {
    let mut hints = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let number = |t: &str| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| format!("{t:?} is not a hint (a non-negative integer)"))
        };
        let (lo, hi) = match item.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(item)?, number(item)?),
        };
        if lo > hi {
            return Err(format!("range {item:?} runs backwards"));
        }
        if hi > MAX_HINT {
            return Err(format!(
                "hint {hi} is too large: the lab allocates the map for real; at most {MAX_HINT}"
            ));
        }
        if hints.len() + (hi - lo) >= MAX_HINTS {
            return Err(format!("more than {MAX_HINTS} hints"));
        }
        hints.extend(lo..=hi);
    }
    if hints.is_empty() {
        return Err("no hints given".into());
    }
    Ok(hints)
}

/// A list of hints; its own type so clap treats the whole list as one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hints(pub Vec<usize>);

impl std::str::FromStr for Hints {
    type Err = String;

    fn from_str(s: &str) -> Result<Hints, String> {
        parse_hints(s).map(Hints)
    }
}

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct HintConfig {
    /// Hints, as a list and inclusive ranges: `0,8,9,100-120`.
    #[arg(long, default_value = DEFAULT_HINTS_ARG)]
    pub hints: Hints,
    /// Key:value types, comma-separated: u64:u64, str:u64 (16-byte Box<str> keys),
    /// u32:u32, u8:u64, k200:u64 (200-byte keys).
    #[arg(long = "kv", value_delimiter = ',', default_value = "u64:u64")]
    pub kvs: Vec<KvType>,
}

/// [`DEFAULT_HINTS`] as the command line writes them.
const DEFAULT_HINTS_ARG: &str =
    "0,1,8,9,13,14,16,26,27,52,53,100,104,105,208,209,1000,1024,1025,10000,100000,1000000";

/// `gomap-lab hint`.
pub struct Hint;

impl Experiment for Hint {
    const ID: &'static str = "hint";
    const TITLE: &'static str = "make(map, hint): B, buckets and the overflow pool";
    const ABOUT: &'static str = "make(map, hint): the B, buckets, preallocated overflow pool and \
        bytes each hint gives, beside the B the articles claim";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = false;
    type Args = HintConfig;
    type Outcome = HintOutcome;

    fn run(args: &HintConfig, _: &Ctx<'_>) -> anyhow::Result<HintOutcome> {
        Ok(run(args))
    }

    fn report_runs(_: Effort) -> Vec<String> {
        vec![format!("--kv u64:u64,str:u64 --hints {DEFAULT_HINTS_ARG}")]
    }
}

/// The `B` an article says `make(map, hint)` gives, and which article: a
/// claim about that very hint first, then one about a range of hints, then
/// the "smallest B with 2^B ≥ hint" rule of article 000 (which 003 repeats).
pub fn claimed_b(hint: usize) -> (u8, Article) {
    match hint {
        0 => (5, Article::A004),
        1..=8 => (3, Article::A000),
        9..=16 => (4, Article::A000),
        1024 => (10, Article::A003),
        _ => (
            (usize::BITS - (hint - 1).leading_zeros()) as u8,
            Article::A000,
        ),
    }
}

/// One map made with one hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HintRow {
    /// Key and value types.
    pub kv: KvType,
    /// The hint passed to `make`.
    pub hint: usize,
    /// The `B` the map got.
    #[serde(rename = "B")]
    pub b: u8,
    /// Main buckets, `2^B`.
    pub buckets: usize,
    /// Preallocated overflow buckets behind the main ones.
    pub prealloc_overflow: usize,
    /// Buckets allocated by `make` (main and pool); 0 for `B = 0`, whose bucket
    /// comes with the first insert.
    pub allocated: usize,
    /// Bytes per bucket.
    pub bucket_size: usize,
    /// Bytes of the bucket array allocated by `make`.
    pub bytes: usize,
    /// The insert that starts the map's first doubling.
    pub first_growth_at: usize,
    /// The `B` an article claims for this hint.
    pub claimed_b: u8,
    /// The article the claim is from.
    pub claim_article: &'static str,
}

/// The insert (1-based) that starts a doubling of a map at `b` filled from empty:
/// the first `n` with `n > 8` and `n > 6.5 · 2^b`.
pub fn first_growth_at(b: u8) -> usize {
    if b == 0 {
        9
    } else {
        13 * (1usize << (b - 1)) + 1
    }
}

struct MakeMaps<'a>(&'a [usize], KvType);

impl KvVisitor for MakeMaps<'_> {
    type Output = Vec<HintRow>;

    fn visit<K: LabKey, V: LabValue>(self) -> Vec<HintRow> {
        let MakeMaps(hints, kv) = self;
        hints
            .iter()
            .map(|&hint| {
                let m: GoMap<K, V> = GoMap::with_capacity(hint);
                let l = m.layout();
                let b = l.header.b;
                let (claimed_b, article) = claimed_b(hint);
                HintRow {
                    kv,
                    hint,
                    b,
                    buckets: 1 << b,
                    prealloc_overflow: l.arr_len.saturating_sub(1 << b),
                    allocated: l.arr_len,
                    bucket_size: l.bucket_size,
                    bytes: m.stats().bytes.bucket_array,
                    first_growth_at: first_growth_at(b),
                    claimed_b,
                    claim_article: article.file(),
                }
            })
            .collect()
    }
}

/// The result: one row per key/value type and hint.
#[derive(Debug, Clone, Serialize)]
pub struct HintOutcome {
    /// The rows, by type, then hint.
    pub rows: Vec<HintRow>,
}

/// Makes a map for each type and hint and reads its layout.
pub fn run(config: &HintConfig) -> HintOutcome {
    let rows = config
        .kvs
        .iter()
        .flat_map(|&kv| kv.visit(MakeMaps(&config.hints.0, kv)))
        .collect();
    HintOutcome { rows }
}

impl Outcome for HintOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "make(map, hint): what gomap allocates (Go 1.19's numbers) beside the articles' B",
            &[
                ("kv", Align::Left),
                ("hint", Align::Right),
                ("B", Align::Right),
                ("buckets", Align::Right),
                ("prealloc overflow", Align::Right),
                ("bucket bytes", Align::Right),
                ("array bytes", Align::Right),
                ("1st growth at insert", Align::Right),
                ("articles' B", Align::Right),
                ("from", Align::Left),
            ],
        );
        for r in &self.rows {
            let bytes = if r.allocated == 0 {
                format!("0 ({} at 1st insert)", r.bucket_size)
            } else {
                thousands(r.bytes as u64)
            };
            t.row(vec![
                r.kv.name().to_owned(),
                thousands(r.hint as u64),
                r.b.to_string(),
                thousands(r.buckets as u64),
                thousands(r.prealloc_overflow as u64),
                r.bucket_size.to_string(),
                bytes,
                thousands(r.first_growth_at as u64),
                if r.claimed_b == r.b {
                    format!("{} (right)", r.claimed_b)
                } else {
                    format!("{} (wrong)", r.claimed_b)
                },
                r.claim_article[..3].to_owned(),
            ]);
        }
        let t = t.with_note(
            "articles' B: the B the named article (shared/seeds/NNN_*.txt) gives for that hint, or \
             its rule \"smallest B with 2^B ≥ hint\". B = 0 allocates its one bucket at the first insert.",
        );
        vec![t]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_ranges() {
        assert_eq!(parse_hints("0,8, 9").unwrap(), [0, 8, 9]);
        assert_eq!(parse_hints("3-5,7").unwrap(), [3, 4, 5, 7]);
        assert!(parse_hints("5-3").is_err());
        assert!(parse_hints("x").is_err());
        assert!(parse_hints("").is_err());
        assert!(parse_hints(&format!("{}", MAX_HINT + 1)).is_err());
        assert_eq!(parse_hints(DEFAULT_HINTS_ARG).unwrap(), DEFAULT_HINTS);
    }

    #[test]
    fn hints_give_go_s_b_and_pool() {
        let out = run(&HintConfig {
            hints: Hints(vec![8, 9, 13, 14, 53, 104, 105]),
            kvs: vec![KvType::U64U64],
        });
        let got: Vec<(usize, u8, usize)> = out
            .rows
            .iter()
            .map(|r| (r.hint, r.b, r.prealloc_overflow))
            .collect();
        assert_eq!(
            got,
            [
                (8, 0, 0),
                (9, 1, 0),
                (13, 1, 0),
                (14, 2, 0),
                (53, 4, 2),
                (104, 4, 2),
                (105, 5, 5)
            ]
        );
        assert_eq!(out.rows[4].bytes, 18 * 144);
        assert_eq!(first_growth_at(0), 9);
        assert_eq!(first_growth_at(4), 105);
    }
}
