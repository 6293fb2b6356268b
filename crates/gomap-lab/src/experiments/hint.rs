//! `make(map, hint)`: the `B` a hint gives, the buckets and the preallocated
//! overflow pool allocated, and their bytes — for each key/value size — beside the
//! `B` the articles claim.

#![forbid(unsafe_code)]

use gomap::GoMap;
use serde::Serialize;

use crate::claims::{self, ClaimCheck, Verdict};
use crate::experiments::{to_values, Outcome};
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

/// What to run.
#[derive(Debug, Clone)]
pub struct HintConfig {
    /// The hints.
    pub hints: Vec<usize>,
    /// The key/value types.
    pub kvs: Vec<KvType>,
}

impl Default for HintConfig {
    fn default() -> Self {
        HintConfig {
            hints: DEFAULT_HINTS.to_vec(),
            kvs: vec![KvType::U64U64, KvType::StrU64],
        }
    }
}

impl HintConfig {
    /// The command line that runs this configuration.
    pub fn command(&self) -> String {
        let kvs: Vec<&str> = self.kvs.iter().map(|k| k.name()).collect();
        let hints: Vec<String> = self.hints.iter().map(usize::to_string).collect();
        format!(
            "gomap-lab hint --kv {} --hints {}",
            kvs.join(","),
            hints.join(",")
        )
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
                let (claimed_b, claim) = claims::claimed_b(hint);
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
                    claim_article: claim.article,
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
    /// The articles' general claims about `make`.
    pub checks: Vec<ClaimCheck>,
}

/// Makes a map for each type and hint and reads its layout.
pub fn run(config: &HintConfig) -> HintOutcome {
    let rows = config
        .kvs
        .iter()
        .flat_map(|&kv| kv.visit(MakeMaps(&config.hints, kv)))
        .collect();
    HintOutcome {
        rows,
        checks: checks(),
    }
}

fn one(kv: KvType, hint: usize) -> HintRow {
    kv.visit(MakeMaps(&[hint], kv)).remove(0)
}

/// Checks of the articles' claims about `make`, each from maps made here.
fn checks() -> Vec<ClaimCheck> {
    let u = KvType::U64U64;
    let range_b = |hints: std::ops::RangeInclusive<usize>| {
        let bs: Vec<u8> = hints.clone().map(|h| one(u, h).b).collect();
        let (lo, hi) = (bs[0], bs[bs.len() - 1]);
        if lo == hi {
            format!("hint {}–{} → B = {lo}", hints.start(), hints.end())
        } else {
            format!("hint {}–{} → B = {lo}…{hi}", hints.start(), hints.end())
        }
    };
    let h0 = one(u, 0);
    let h9 = one(u, 9);
    let h1024 = one(u, 1024);
    let h1025 = one(u, 1025);
    let s0 = one(KvType::StrU64, 0);
    let mut first = GoMap::<Box<str>, u64>::new();
    first.insert("k".into(), 1);
    let first_bytes = first.stats().bytes.bucket_array;
    vec![
        ClaimCheck::new(
            "hint-1-8-gives-b3",
            format!(
                "{}: one bucket, allocated by the first insert, not 8",
                range_b(1..=8)
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "hint-9-16-gives-b4",
            format!(
                "hint 9 → B = {}; {}; {}",
                h9.b,
                range_b(9..=13),
                range_b(14..=16)
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "hint-power-of-two",
            format!(
                "B is the smallest with hint ≤ 6.5·2^B: 1025 → B = {} ({} buckets), not 11",
                h1025.b, h1025.buckets
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "hint-1024-gives-1024-buckets",
            format!(
                "make(map, 1024) → B = {}: {} buckets + {} preallocated overflow buckets",
                h1024.b, h1024.buckets, h1024.prealloc_overflow
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "hint-0-gives-32-buckets",
            format!(
                "hint 0 → B = {}, {} buckets allocated by make; the first insert allocates 1",
                h0.b, h0.allocated
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "bucket-is-16-bytes",
            format!(
                "a map[int]int bucket is {} bytes (8 tophash + 8×8 keys + 8×8 values + 8 overflow \
                 pointer); make(map[int]int, 1024) allocates {} buckets = {} bytes",
                h1024.bucket_size,
                h1024.allocated,
                thousands(h1024.bytes as u64)
            ),
            Verdict::Wrong,
        ),
        ClaimCheck::new(
            "make-allocates-320-byte-bucket",
            format!(
                "make(map[string]uint64) allocates {} bytes of buckets; the first insert allocates \
                 one {}-byte bucket",
                s0.bytes, first_bytes
            ),
            Verdict::Wrong,
        ),
    ]
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
        vec![t, claims::table(&self.checks)]
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.rows)
    }

    fn claims(&self) -> Vec<ClaimCheck> {
        self.checks.clone()
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
    }

    #[test]
    fn hints_give_go_s_b_and_pool() {
        let out = run(&HintConfig {
            hints: vec![8, 9, 13, 14, 53, 104, 105],
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
