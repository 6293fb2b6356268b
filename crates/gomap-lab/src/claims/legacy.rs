//! The claims the experiments checked by hand before the catalogue
//! ([`super::catalog`]) existed; removed as each experiment moves to it.
//!
//! Every quote below is a verbatim excerpt of the named article file; `says` is our
//! English reading of it. Only claims the lab can check by running a map are here.

use serde::Serialize;

use super::Verdict;
use crate::table::{Align, Table};

/// `000_…`: dlv traces of `mapgrow`; what passing a length to `make` does.
pub const ARTICLE_000: &str = "000_4afbaddb56c29d13.txt";
/// `001_…`: the memory layout of `hmap`, buckets and overflow chains.
pub const ARTICLE_001: &str = "001_7dfd99227760990b.txt";
/// `002_…`: growth: three thresholds, two kinds of growth.
pub const ARTICLE_002: &str = "002_f7b55b8d948fc370.txt";
/// `003_…`: whether deleted slots are reused.
pub const ARTICLE_003: &str = "003_fda20bf46ffabf46.txt";
/// `004_…`: what `make(map[string]int)` allocates.
pub const ARTICLE_004: &str = "004_fc345d6f17fff2c9.txt";

/// One claim of one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// A stable name for the claim.
    pub id: &'static str,
    /// The article's file name in `shared/seeds/`.
    pub article: &'static str,
    /// The article's words (Chinese), verbatim.
    pub quote: &'static str,
    /// What the quote says, in English.
    pub says: &'static str,
}

/// Every claim the lab checks.
pub static CLAIMS: &[Claim] = &[
    Claim {
        id: "hint-1-8-gives-b3",
        article: ARTICLE_000,
        quote: "若 n <= 8,运行时直接分配 2^3 = 8 个 bucket",
        says: "make(map, n) with n ≤ 8 allocates 2^3 = 8 buckets (B = 3)",
    },
    Claim {
        id: "hint-9-16-gives-b4",
        article: ARTICLE_000,
        quote: "当 makemap 传入 9 时,runtime.roundupsize(uintptr(9)) 返回 16,最终 h.B = 4",
        says: "hint 9 (and 9–16) gives B = 4, 16 buckets",
    },
    Claim {
        id: "hint-power-of-two",
        article: ARTICLE_000,
        quote: "该函数将 len 映射为最小满足 2^B ≥ len 的 B 值",
        says: "B is the smallest B with 2^B ≥ hint (1025 → B = 11)",
    },
    Claim {
        id: "hint-1024-gives-1024-buckets",
        article: ARTICLE_003,
        quote: "make(map[string]int, 1024) // 触发初始 hmap.buckets = 2^10 = 1024",
        says: "make(map, 1024) allocates 2^10 = 1024 buckets; hints round up to 2^ceil(log2(hint))",
    },
    Claim {
        id: "hint-0-gives-32-buckets",
        article: ARTICLE_004,
        quote: "hint默认为 0,触发bucketShift(0) == 0,最终采用默认桶数量1 << 5 = 32",
        says: "make(map) without a hint gets the default 1 << 5 = 32 buckets",
    },
    Claim {
        id: "bucket-is-16-bytes",
        article: ARTICLE_000,
        quote: "实际分配 2^10 = 1024 个 bucket,每个 16 字节",
        says: "make(map[int]int, 1024) allocates 1024 buckets of 16 bytes each",
    },
    Claim {
        id: "make-allocates-320-byte-bucket",
        article: ARTICLE_004,
        quote: "按默认负载因子(6.5)预分配 1 个 … bmap桶(8 个键值对槽位),共约 320 字节",
        says: "make(map[string]int) preallocates one bucket of about 320 bytes",
    },
    Claim {
        id: "heap-for-hint-1024",
        article: ARTICLE_000,
        quote: "make(..., 1024) | … 16512 | 1024 | 16 KiB total",
        says: "make(map[int]int, 1024): 16512 KiB in use, 1024 buckets, 16 KiB of buckets",
    },
    Claim {
        id: "overflow-after-8-minus-b",
        article: ARTICLE_000,
        quote: "当某 bucket 元素数超过 bucketShift - B(即 8 - B)时,runtime 将分配 overflow bucket",
        says: "a bucket gets an overflow bucket once it holds more than 8 − B entries",
    },
    Claim {
        id: "open-addressing",
        article: ARTICLE_004,
        quote: "每个 bucket 固定容纳 8 个键值对,采用开放寻址+线性探测处理冲突",
        says: "collisions are resolved by open addressing with linear probing",
    },
    Claim {
        id: "load-is-count-over-b",
        article: ARTICLE_002,
        quote: "count / B > 6.5(B为桶数量的对数)",
        says: "the map grows when count / B > 6.5, B being log2 of the bucket count",
    },
    Claim {
        id: "growth-thresholds",
        article: ARTICLE_002,
        quote: "| 0 | 1 | 6 | … | 4 | 16 | 104 | … | 8 | 256 | 1664 |",
        says: "the length that triggers growth is 6 at B = 0, 104 at B = 4, 1664 at B = 8",
    },
    Claim {
        id: "large-key-triggers-growth",
        article: ARTICLE_002,
        quote: "key 过大导致 bucket overflow:当 key 大小 > 128 字节,运行时自动启用 … extra字段存储指针,若该字段频繁分配则触发扩容",
        says: "keys larger than 128 bytes are a third growth trigger",
    },
    Claim {
        id: "no-growth-from-b15",
        article: ARTICLE_004,
        quote: "A[写操作] -->|B < 15 且负载高| B[启动扩容]",
        says: "a growth starts only while B < 15",
    },
    Claim {
        id: "same-size-needs-b10",
        article: ARTICLE_002,
        quote: "| 溢出桶过多 | noverflow ≥ 2^B 且 B ≥ 10 |",
        says: "same-size growth needs noverflow ≥ 2^B and B ≥ 10",
    },
    Claim {
        id: "rehash-17-for-100k",
        article: ARTICLE_004,
        quote: "未预分配,10万条记录将触发约17次rehash(2→4→8→…→131072)",
        says: "without preallocation, 100,000 entries cause about 17 rehashes (2→4→…→131072)",
    },
    Claim {
        id: "delete-sets-emptyrest",
        article: ARTICLE_003,
        quote: "Go 运行时在 map 删除键后,将 b.tophash[i] 置为 0(即 emptyRest)",
        says: "a delete sets the slot's tophash to 0 (emptyRest)",
    },
    Claim {
        id: "reuse-needs-same-hash",
        article: ARTICLE_003,
        quote: "复用判定条件 … 新插入 key 的 hash 值与原 slot hash 匹配(避免误复用)",
        says: "a deleted slot is reused only by a key whose hash matches the deleted one's",
    },
    Claim {
        id: "native-map-never-reuses",
        article: ARTICLE_003,
        quote: "原生 … map:无并发安全设计,makemap初始化后 slot 分配完全由哈希函数与当前 B(bucket 数)决定,无跨写入复用概念",
        says: "in the built-in map a slot is fixed by the hash and B alone: no reuse of slots across writes",
    },
    Claim {
        id: "delete-prunes-overflow",
        article: ARTICLE_001,
        quote: "当哈希表发生键删除时,若对应桶(bucket)存在 overflow 链表,系统会启动惰性剪枝:仅在链表尾部连续空节点 ≥ 3 个时,才截断冗余尾段",
        says: "deletes prune an overflow chain once 3 or more empty buckets trail it",
    },
    Claim {
        id: "syncmap-promote-at-threshold",
        article: ARTICLE_003,
        quote: "D --> E[dirty map 达阈值?] … E -->|是| F[dirtyToRead:迁移并复用有效 slot]",
        says: "sync.Map moves the dirty map to the read map (dirtyToRead) once the dirty map reaches a threshold",
    },
    Claim {
        id: "syncmap-misses-loadfactor",
        article: ARTICLE_002,
        quote: "B --> C[misses++ ≥ loadFactor] … C --> D[dirty promoted to read]",
        says: "sync.Map promotes the dirty map once misses reach a load factor",
    },
    Claim {
        id: "syncmap-delete-sets-amended",
        article: ARTICLE_002,
        quote: "| 删除后 | read.amended = true, dirty == nil |",
        says: "after a sync.Map delete the read map is amended while the dirty map is nil",
    },
    Claim {
        id: "syncmap-loadorstore-skips-read",
        article: ARTICLE_002,
        quote: "LoadOrStore 跳过 read 直接查 dirty",
        says: "sync.Map's LoadOrStore skips the read map and goes straight to the dirty map",
    },
    Claim {
        id: "syncmap-writes-only-dirty",
        article: ARTICLE_003,
        quote: "写操作仅更新 dirty map,不立即清理 read 中的 stale entry",
        says: "sync.Map writes update only the dirty map, and stale entries stay in the read map",
    },
    Claim {
        id: "syncmap-read-hit-atomic",
        article: ARTICLE_004,
        quote: "B -->|是| C[原子更新 read map] … B -->|否| D[加锁写入 dirty map]",
        says: "a sync.Map write of a key the read map holds is an atomic update there; any other write locks and goes to the dirty map",
    },
];

/// The claim named `id`. Panics on an unknown id: the ids are fixed in this file.
pub fn claim(id: &str) -> &'static Claim {
    CLAIMS
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no claim named {id:?}"))
}

/// A claim beside what the lab measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimCheck {
    /// The claim.
    pub claim: &'static Claim,
    /// What gomap (Go's layout) actually does, with the numbers.
    pub measured: String,
    /// Whether the claim survived.
    pub verdict: Verdict,
}

impl ClaimCheck {
    /// A check of the claim named `id`.
    pub fn new(id: &str, measured: impl Into<String>, verdict: Verdict) -> ClaimCheck {
        ClaimCheck {
            claim: claim(id),
            measured: measured.into(),
            verdict,
        }
    }
}

/// The checks as a table: article, claim, what gomap measured, verdict.
pub fn table(checks: &[ClaimCheck]) -> Table {
    let mut t = Table::new(
        "The articles' claims beside the measurement",
        &[
            ("article", Align::Left),
            ("claim", Align::Left),
            ("measured (gomap = Go 1.19's layout)", Align::Left),
            ("verdict", Align::Left),
        ],
    );
    for c in checks {
        t.row(vec![
            c.claim.article.to_owned(),
            c.claim.says.to_owned(),
            c.measured.clone(),
            c.verdict.as_str().to_owned(),
        ]);
    }
    t
}

/// The `B` an article says `make(map, hint)` gives, where one says so: a claim about
/// that very hint first, then a claim about a range of hints, then the general
/// power-of-two rule of [`ARTICLE_000`] (which [`ARTICLE_003`] repeats).
pub fn claimed_b(hint: usize) -> (u8, &'static Claim) {
    match hint {
        0 => (5, claim("hint-0-gives-32-buckets")),
        1..=8 => (3, claim("hint-1-8-gives-b3")),
        9..=16 => (4, claim("hint-9-16-gives-b4")),
        1024 => (10, claim("hint-1024-gives-1024-buckets")),
        _ => {
            let b = usize::BITS - (hint - 1).leading_zeros();
            (b as u8, claim("hint-power-of-two"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_articles_known() {
        for (i, c) in CLAIMS.iter().enumerate() {
            assert!(CLAIMS[..i].iter().all(|d| d.id != c.id), "{}", c.id);
            assert!([
                ARTICLE_000,
                ARTICLE_001,
                ARTICLE_002,
                ARTICLE_003,
                ARTICLE_004
            ]
            .contains(&c.article));
        }
    }

    #[test]
    fn claimed_b_follows_the_articles() {
        assert_eq!(claimed_b(8).0, 3);
        assert_eq!(claimed_b(9).0, 4);
        assert_eq!(claimed_b(17).0, 5);
        assert_eq!(claimed_b(32).0, 5);
        assert_eq!(claimed_b(33).0, 6);
        assert_eq!(claimed_b(1024).0, 10);
        assert_eq!(claimed_b(1025).0, 11);
    }

    /// The quotes are verbatim: where the articles are present (the shared folder
    /// beside the repository), each quote's pieces occur in its file.
    #[test]
    fn quotes_occur_in_their_articles() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
        for c in CLAIMS {
            let Ok(text) = std::fs::read_to_string(dir.join(c.article)) else {
                continue;
            };
            for piece in c.quote.split(" … ") {
                assert!(
                    text.contains(piece),
                    "{}: {piece:?} not in {}",
                    c.id,
                    c.article
                );
            }
        }
    }
}
