//! The claims of the five articles, as data.
//!
//! One entry per checkable claim. Each quote is a verbatim substring of its
//! article (a test checks it against `shared/seeds/` when the folder is
//! present), each prediction names the measurements of [`super::measure`] it
//! is compared with, and each source is a line of Go 1.19's `src/runtime/`
//! (or `src/sync/`) that a test checks against an installed Go 1.19.
//!
//! Where an article is partly right — the right value for a wrong reason, or
//! one row of a table right and another wrong — the claim has a part per
//! statement, so its verdict comes out `partly`.

use super::{Article, Check, Claim, Expect, Lit, Part, Source};

const YES: Expect = Expect::Eq(Lit::Bool(true));
const NO: Expect = Expect::Eq(Lit::Bool(false));

const fn int(i: i64) -> Expect {
    Expect::Eq(Lit::Int(i))
}

const fn float(x: f64) -> Expect {
    Expect::Eq(Lit::Float(x))
}

const fn text(s: &'static str) -> Expect {
    Expect::Eq(Lit::Str(s))
}

/// A number strictly above 1.
const GT_ONE: Expect = Expect::Rule("> 1", |v| v.as_f64().is_some_and(|x| x > 1.0));
/// A load strictly above 6.5.
const GT_6_5: Expect = Expect::Rule("> 6.5", |v| v.as_f64().is_some_and(|x| x > 6.5));
/// A byte whose low three bits are zero.
const LOW3_CLEAR: Expect = Expect::Rule("low 3 bits clear", |v| {
    v.as_u64().is_some_and(|x| x & 7 == 0)
});

const fn at(file: &'static str, line: u32, anchor: &'static str) -> Option<Source> {
    Some(Source { file, line, anchor })
}

/// The parts of a claim: `key => expectation`, in order.
macro_rules! parts {
    ($($k:expr => $e:expr),+ $(,)?) => {
        Check::Parts(&[$(Part { key: $k, expect: $e }),+])
    };
}

/// Every claim, grouped by article, in the order the article makes them.
pub static CLAIMS: &[Claim] = &[
    // ---- 000: dlv traces of the growth path; what a length passed to make does.
    Claim {
        id: "a000-small-hint-gives-8-buckets",
        article: Article::A000,
        section: "1",
        quote: "若 n <= 8,运行时直接分配 2^3 = 8 个 bucket",
        says: "make(map, n) with n ≤ 8 allocates 2^3 = 8 buckets (B = 3)",
        check: parts!["hint.b.8" => int(3), "hint.buckets.8" => int(8)],
        how: "make a map[uint64]uint64 with hint 8 and read B and the bucket count from its header",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-growth-in-mapgrow",
        article: Article::A000,
        section: "1",
        quote: "Go 运行时中 map 的扩容逻辑藏在 runtime.mapassign 和底层 runtime.growWork / runtime.mapgrow 中",
        says: "growth lives in runtime.mapassign, runtime.growWork and runtime.mapgrow",
        check: parts![
            "gosrc.defines.growWork" => YES,
            "gosrc.defines.mapgrow" => YES,
        ],
        how: "look for the two functions' declarations in Go 1.19's runtime sources",
        source: at("map.go", 1128, "func growWork("),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-hint-9-gives-b4",
        article: Article::A000,
        section: "1",
        quote: "当 makemap 传入 9 时,runtime.roundupsize(uintptr(9)) 返回 16,最终 h.B = 4",
        says: "make(map, 9) gives B = 4 (16 buckets), via roundupsize(9) = 16",
        check: parts![
            "hint.b.9" => int(4),
            "gosrc.makemap.calls_roundupsize" => YES,
        ],
        how: "make a map[uint64]uint64 with hint 9 and read B; look for roundupsize in makemap's body",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-hint-8-fast-path-b3",
        article: Article::A000,
        section: "1",
        quote: "因此传 8 仍走快速路径(h.B = 3),传 9 才真正触发 mapgrow 调用链",
        says: "a hint of 8 still takes the fast path with B = 3; 9 is the first hint that leaves it",
        check: parts![
            "hint.first_hint_above_b0" => int(9),
            "hint.b.8" => int(3),
        ],
        how: "make maps with hints 0 to 63, find the first whose B is not 0, and read B for hint 8",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "hint",
    },
    Claim {
        id: "a000-table-9-16-gives-b4",
        article: Article::A000,
        section: "1",
        quote: "| 9–16 | 是 | 4 | 16 |",
        says: "hints 9 to 16 give B = 4 and 16 buckets",
        check: parts![
            "hint.b.9" => int(4),
            "hint.b.16" => int(4),
            "hint.buckets.16" => int(16),
        ],
        how: "make maps with hints 9 and 16 and read B and the bucket count",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-mapmakewithhmap",
        article: Article::A000,
        section: "2.1",
        quote: "mapmakewithhmap 是 Go 运行时中用于初始化哈希映射(hmap)的核心函数,位于 src/runtime/map.go",
        says: "runtime/map.go has a function mapmakewithhmap that initializes the hmap",
        check: parts!["gosrc.defines.mapmakewithhmap" => YES],
        how: "look for func mapmakewithhmap in Go 1.19's runtime sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a000-buckets-lazy",
        article: Article::A000,
        section: "2.1",
        quote: "该函数不直接分配数据桶(bucket),仅初始化 hmap 元信息;实际桶延迟分配(lazy allocation)",
        says: "make never allocates the bucket array; buckets are allocated lazily",
        check: parts![
            "hint.allocated.0" => int(0),
            "hint.allocated.100" => int(0),
        ],
        how: "make maps with hints 0 and 100 and count the buckets allocated before any insert",
        source: at("map.go", 329, "h.buckets, nextOverflow = makeBucketArray(t, h.B, nil)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-hint-bitlen",
        article: Article::A000,
        section: "2.2",
        quote: "h.B = uint8(unsafe.BitLen(uint(hint))) // 预估 B 值",
        says: "makemap sets B to the bit length of the hint (1000 → 10)",
        check: parts!["hint.b.1000" => int(10)],
        how: "make a map[uint64]uint64 with hint 1000 and read B",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-first-write-hashgrow",
        article: Article::A000,
        section: "2.2",
        quote: "仅初始化 hmap 结构体,buckets == nil;首次写入触发 hashGrow() 分配底层数组",
        says: "make(map) leaves buckets nil, and the first write calls hashGrow to allocate them",
        check: parts![
            "hint.allocated.0" => int(0),
            "grow.first_insert_grows" => YES,
        ],
        how: "make a map without a hint, count its buckets, insert once and watch for a growth event",
        source: at("map.go", 604, "h.buckets = newobject(t.bucket)"),
        experiment: "grow",
    },
    Claim {
        id: "a000-hmap-bucketshift-field",
        article: Article::A000,
        section: "2.2",
        quote: "h.bucketShift = h.B // 直接赋值,零开销",
        says: "hmap has a field bucketShift that makemap sets to B",
        check: parts!["gosrc.hmap.has_field.bucketShift" => YES],
        how: "read the fields of type hmap in Go 1.19's map.go",
        source: at("map.go", 184, "func bucketShift(b uint8) uintptr"),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-fast64-skips-growwork",
        article: Article::A000,
        section: "2.3",
        quote: "jz 和 jnz 跳转直接绕过 runtime.growWork 调用点(地址 0x130+),证实 fast path 的零开销分支逻辑",
        says: "mapassign_fast64 jumps around growWork: the fast path does no growth work",
        check: parts![
            "gosrc.fast64.calls_growwork" => NO,
            "grow.u64_insert_does_growth_work" => NO,
        ],
        how: "look for growWork_fast64 in mapassign_fast64's body, and watch inserts into a growing map[uint64]uint64 for evacuations",
        source: at("map_fast64.go", 116, "growWork_fast64(t, h, bucket)"),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-fast64-in-map-fast64-go",
        article: Article::A000,
        section: "2.3",
        quote: "TEXT runtime.mapassign_fast64(SB) /usr/local/go/src/runtime/map_fast64.go",
        says: "runtime.mapassign_fast64 is defined in runtime/map_fast64.go",
        check: parts![
            "gosrc.defines.mapassign_fast64" => YES,
            "gosrc.file.map_fast64.go" => YES,
        ],
        how: "look for the file and the function in Go 1.19's runtime sources",
        source: at("map_fast64.go", 93, "func mapassign_fast64("),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-fast-path-only-when-not-growing",
        article: Article::A000,
        section: "2.3",
        quote: "h.oldbuckets == nil && h.buckets != nil时启用",
        says: "the fast functions are used only while the map is not growing",
        check: parts!["gosrc.fast64.handles_growing" => NO],
        how: "look for a growing test in mapassign_fast64's body (a function that handles growth cannot be reserved for maps that are not growing)",
        source: at("map_fast64.go", 115, "if h.growing() {"),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-b-smallest-power-of-two",
        article: Article::A000,
        section: "2.4",
        quote: "该函数将 len 映射为最小满足 2^B ≥ len 的 B 值",
        says: "B is the smallest B with 2^B ≥ hint (1025 → B = 11)",
        check: parts!["hint.b.1025" => int(11)],
        how: "make a map[uint64]uint64 with hint 1025 and read B",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-table-len-1",
        article: Article::A000,
        section: "2.4",
        quote: "| 1 | 0 | 1 | ~7 |",
        says: "hint 1 gives B = 0, one bucket, and the first overflow/growth near 7 entries",
        check: parts![
            "hint.b.1" => int(0),
            "hint.buckets.1" => int(1),
            "grow.count_at_start.b0" => Expect::Between(6.0, 7.0),
        ],
        how: "make a map with hint 1 and read B; fill a map from empty and note the entries when B = 0 starts doubling",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "grow",
    },
    Claim {
        id: "a000-table-len-9",
        article: Article::A000,
        section: "2.4",
        quote: "| 9 | 4 | 16 | ~104 |",
        says: "hint 9 gives B = 4, 16 buckets, and growth near 104 entries",
        check: parts![
            "hint.b.9" => int(4),
            "hint.buckets.9" => int(16),
            "grow.count_at_start.b4" => Expect::Between(100.0, 108.0),
        ],
        how: "make a map with hint 9 and read B; fill a map from empty and note the entries when B = 4 starts doubling",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "grow",
    },
    Claim {
        id: "a000-overflow-after-8-minus-b",
        article: Article::A000,
        section: "2.4",
        quote: "当某 bucket 元素数超过 bucketShift - B(即 8 - B)时,runtime 将分配 overflow bucket",
        says: "a bucket gets an overflow bucket once it holds more than 8 − B entries (4 at B = 4)",
        check: parts!["overflow.chain_full_at.b4" => int(4)],
        how: "steer keys into one bucket of a B = 4 map and count its entries when the first overflow bucket is linked",
        source: at("map.go", 664, "newb := h.newoverflow(t, b)"),
        experiment: "layout",
    },
    Claim {
        id: "a000-allocs-hint-vs-none",
        article: Article::A000,
        section: "2.5",
        quote: "| allocs/op | 2.1 | 1.0 |",
        says: "make plus the first insert costs 2.1 allocations without a length and 1.0 with len 1024",
        check: parts![
            "go.allocs.make_and_insert.hint0" => Expect::Between(2.0, 2.2),
            "go.allocs.make_and_insert.hint1024" => Expect::Between(0.9, 1.1),
        ],
        how: "go test -bench with -benchmem on make plus one insert, with and without a hint, the map escaping",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "goruntime",
    },
    Claim {
        id: "a000-mapmaketiny",
        article: Article::A000,
        section: "3.1",
        quote: "编译器需根据目标平台资源约束动态选择 mapmaketiny(超精简)或 mapmake(标准功能)后端",
        says: "the compiler chooses between two runtime back ends, mapmaketiny and mapmake",
        check: parts![
            "gosrc.defines.mapmaketiny" => YES,
            "gosrc.defines.mapmake" => YES,
        ],
        how: "look for both functions in Go 1.19's runtime sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a000-first-assign-grows",
        article: Article::A000,
        section: "3.2",
        quote: "当 hmap.B == 0 时,底层哈希表尚未初始化,首次 mapassign 必然触发扩容流程",
        says: "the first insert into a B = 0 map always runs the growth path",
        check: parts!["grow.first_insert_grows" => YES],
        how: "insert once into make(map) and watch for a growth event",
        source: at("map.go", 604, "h.buckets = newobject(t.bucket)"),
        experiment: "grow",
    },
    Claim {
        id: "a000-first-assign-one-bucket",
        article: Article::A000,
        section: "3.2",
        quote: "h.buckets = newarray(t.buckets, 1) // 首次分配1个bucket",
        says: "the first insert into a map made without a hint allocates one bucket",
        check: parts!["hint.first_insert.arr_len.0" => int(1)],
        how: "insert once into make(map) and count the buckets of its array",
        source: at("map.go", 604, "h.buckets = newobject(t.bucket)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-write-barrier-gc-miss",
        article: Article::A000,
        section: "3.3",
        quote: "该代码中 newoverflow() 返回的新 bucket 若未被写屏障立即观测,GC 可能将其误判为不可达",
        says: "a new overflow bucket may be missed by the GC's write barrier and collected",
        check: Check::NotMeasurable(
            "Go's write barrier and GC marking have no counterpart in a Rust map, which frees buckets with the array that owns them",
        ),
        how: "—",
        source: at("map.go", 246, "func (h *hmap) newoverflow(t *maptype, b *bmap) *bmap"),
        experiment: "layout",
    },
    Claim {
        id: "a000-threshold-64-at-b6",
        article: Article::A000,
        section: "4.1",
        quote: "CMPQ AX, $64 // AX = h.count, 64 = overload threshold (6.5 * B)",
        says: "at B = 6 the growth threshold compared with h.count is 64",
        check: parts!["grow.count_at_start.b6" => int(64)],
        how: "fill a map from empty and note the entries when B = 6 starts doubling",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "grow",
    },
    Claim {
        id: "a000-mapgrow-vs-fast64",
        article: Article::A000,
        section: "4.2",
        quote: "runtime.mapgrow 与 runtime.mapassign_fast64 均含 map 和数字后缀",
        says: "the runtime has both runtime.mapgrow and runtime.mapassign_fast64 for dlv to trace",
        check: parts![
            "gosrc.defines.mapgrow" => YES,
            "gosrc.defines.mapassign_fast64" => YES,
        ],
        how: "look for both functions in Go 1.19's runtime sources",
        source: at("map_fast64.go", 93, "func mapassign_fast64("),
        experiment: "gosrc",
    },
    Claim {
        id: "a000-hint-1024-16-byte-buckets",
        article: Article::A000,
        section: "4.3",
        quote: "实际分配 2^10 = 1024 个 bucket,每个 16 字节",
        says: "make(map[int]int, 1024) allocates 1024 buckets of 16 bytes each",
        check: parts![
            "hint.buckets.1024" => int(1024),
            "layout.bucket_size.u64_u64" => int(16),
        ],
        how: "make a map[uint64]uint64 with hint 1024 and read its bucket count and bucket size",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "layout",
    },
    Claim {
        id: "a000-hint-0-lazy-first-insert",
        article: Article::A000,
        section: "4.3",
        quote: "make(map[int]int, 0):惰性分配,初始 bucket 为 nil,首次写入才分配基础 bucket",
        says: "make(map[int]int, 0) allocates no bucket; the first write allocates one",
        check: parts![
            "hint.allocated.0" => int(0),
            "hint.first_insert.arr_len.0" => int(1),
        ],
        how: "make a map with hint 0, count its buckets, insert once and count again",
        source: at("map.go", 604, "h.buckets = newobject(t.bucket)"),
        experiment: "hint",
    },
    Claim {
        id: "a000-hint-1024-16-kib",
        article: Article::A000,
        section: "4.3",
        quote: "16512 | 1024 | 16 KiB total |",
        says: "make(map[int]int, 1024) allocates 1024 buckets, 16 KiB in all",
        check: parts![
            "hint.buckets.1024" => int(1024),
            "hint.bucket_bytes.1024" => int(16384),
        ],
        how: "make a map[uint64]uint64 with hint 1024 and read the bytes of its bucket array (overflow pool included)",
        source: at("map.go", 356, "up := roundupsize(sz)"),
        experiment: "hint",
    },
    // ---- 001: the memory layout.
    Claim {
        id: "a001-bmap-holds-pointers",
        article: Article::A001,
        section: "1",
        quote: "固定大小的桶(通常 8 键值对),含 top hash 数组、key/value/overflow 指针",
        says: "a bucket holds 8 pairs: a tophash array and pointers to keys, values and the overflow bucket",
        check: parts![
            "layout.slots" => int(8),
            "layout.string_key_by_pointer" => YES,
        ],
        how: "read the slot count and the bucket size of a map with 16-byte keys (stored inline: 208 bytes; by pointer: 144)",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "layout",
    },
    Claim {
        id: "a001-tophash-first-8-bytes",
        article: Article::A001,
        section: "1",
        quote: "每个 bucket 前 8 字节,存储 key 哈希高 8 位",
        says: "the first 8 bytes of a bucket hold the top 8 bits of each key's hash",
        check: parts![
            "offsets.u64_u64.tophash" => int(0),
            "layout.tophash_bytes" => int(8),
            "layout.tophash_top8" => YES,
        ],
        how: "read a bucket's layout, and compare each full slot's mark with the top byte of its key's hash (an identity hasher)",
        source: at("map.go", 195, "func tophash(hash uintptr) uint8"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-mapheader-fields",
        article: Article::A001,
        section: "1",
        quote: "注:`reflect.MapHeader` 仅暴露 `Count`、`B`(bucket 数量的对数)、`Flags` 等关键字段",
        says: "package reflect has a MapHeader type exposing Count, B and Flags",
        check: parts!["gosrc.reflect.defines.MapHeader" => YES],
        how: "look for type MapHeader in Go 1.19's reflect sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a001-hint-4-gives-b2",
        article: Article::A001,
        section: "1",
        quote: "`B=2` 表示当前有 `2^2 = 4` 个主 bucket",
        says: "make(map[string]int, 4) has B = 2, four main buckets",
        check: parts!["hint.b.4" => int(2), "hint.buckets.4" => int(4)],
        how: "make a map with hint 4 and read B",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a001-go-dumpmaps",
        article: Article::A001,
        section: "2.1",
        quote: "Go 运行时通过 go:dumpmaps 指令导出的内存布局快照",
        says: "a go:dumpmaps directive makes the runtime dump map layouts",
        check: parts!["gosrc.directive.dumpmaps" => YES],
        how: "search Go 1.19's runtime and the compiler's directive parser for go:dumpmaps",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a001-hmap-offset-table",
        article: Article::A001,
        section: "2.1",
        quote: "| count | 0 | 元素总数(int) |\n| flags | 8 | 状态标志(uint8) |\n| B | 12 | bucket 数量幂次(uint8) |\n| noverflow | 16 | 溢出桶计数(uint16) |",
        says: "on 64-bit systems hmap.count is at offset 0, flags at 8, B at 12, noverflow at 16",
        check: parts![
            "gosrc.hmap.offset.count" => int(0),
            "gosrc.hmap.offset.flags" => int(8),
            "gosrc.hmap.offset.B" => int(12),
            "gosrc.hmap.offset.noverflow" => int(16),
        ],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 116, "type hmap struct"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-hmap-hash0-at-24",
        article: Article::A001,
        section: "2.1",
        quote: "hash0 uint32 // offset=24",
        says: "hmap.hash0 is at offset 24",
        check: parts!["gosrc.hmap.offset.hash0" => int(24)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 123, "hash0     uint32"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-hmap-buckets-at-32",
        article: Article::A001,
        section: "2.1",
        quote: "buckets unsafe.Pointer // offset=32",
        says: "hmap.buckets is at offset 32",
        check: parts!["gosrc.hmap.offset.buckets" => int(32)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 125, "buckets    unsafe.Pointer"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-hmap-oldbuckets-at-40",
        article: Article::A001,
        section: "2.1",
        quote: "oldbuckets unsafe.Pointer // offset=40",
        says: "hmap.oldbuckets is at offset 40",
        check: parts!["gosrc.hmap.offset.oldbuckets" => int(40)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 126, "oldbuckets unsafe.Pointer"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-flags-bucketshift-samesize",
        article: Article::A001,
        section: "2.3",
        quote: "flags:位标记(如bucketShift、sameSizeGrow),控制迁移行为",
        says: "hmap.flags holds bits such as bucketShift and sameSizeGrow",
        check: parts![
            "gosrc.flag_defined.bucketShift" => YES,
            "gosrc.flag_defined.sameSizeGrow" => YES,
            "grow.same_size.flag" => int(8),
        ],
        how: "read the flag constants of Go 1.19's map.go, and a gomap header's flags during a same-size growth",
        source: at("map.go", 104, "sameSizeGrow = 8"),
        experiment: "gosrc",
    },
    Claim {
        id: "a001-oldbuckets-nil-unless-growing",
        article: Article::A001,
        section: "2.3",
        quote: "oldbuckets:扩容前桶数组指针,仅在!h.growing()时为 nil",
        says: "oldbuckets is the pre-growth array, nil exactly when the map is not growing",
        check: parts!["grow.old_present_iff_growing" => YES],
        how: "fill a map through several growths and compare, after each insert, whether an old array exists with whether it grows",
        source: at("map.go", 1105, "func (h *hmap) growing() bool"),
        experiment: "grow",
    },
    Claim {
        id: "a001-nevacuate-atomic",
        article: Article::A001,
        section: "2.3",
        quote: "h.nevacuate 是原子递增游标,确保并发安全迁移",
        says: "nevacuate is advanced atomically so evacuation is safe under concurrency",
        check: parts!["gosrc.nevacuate_atomic" => YES],
        how: "look for an atomic operation on nevacuate in Go 1.19's map code",
        source: at("map.go", 1267, "h.nevacuate++"),
        experiment: "gosrc",
    },
    Claim {
        id: "a001-grow-work-one-bucket",
        article: Article::A001,
        section: "2.3",
        quote: "// nevacuate 指向下一个待迁移的旧桶",
        says: "growWork evacuates the old bucket at nevacuate, one bucket per call",
        check: parts!["grow.max_evacuations_per_write" => int(1)],
        how: "fill a map through growths and count the old buckets each insert evacuates",
        source: at("map.go", 1131, "evacuate(t, h, bucket&h.oldbucketmask())"),
        experiment: "grow",
    },
    Claim {
        id: "a001-hash0-at-16",
        article: Article::A001,
        section: "2.4",
        quote: "偏移 16 处写入 h.hash0",
        says: "makemap writes hash0 at offset 16 of the hmap",
        check: parts!["gosrc.hmap.offset.hash0" => int(16)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 123, "hash0     uint32"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-gc-scans-both-arrays",
        article: Article::A001,
        section: "2.5",
        quote: "该结构中 buckets 和 oldbuckets 可能同时非空,GC 需遍历二者确保所有存活元素被标记",
        says: "mid-growth both buckets and oldbuckets hold live entries, so both must be walked",
        check: parts!["grow.both_arrays_hold_entries" => YES],
        how: "mid-growth, look for live entries in the old array and in the new one",
        source: at("map.go", 1060, "h.oldbuckets = oldbuckets"),
        experiment: "grow",
    },
    Claim {
        id: "a001-cache-line-per-access",
        article: Article::A001,
        section: "3.1",
        quote: "现代CPU缓存行通常为64字节,若bucket大小未对齐,单次访问可能跨两个缓存行",
        says: "a bucket access touches one cache line, or two when the bucket straddles a line",
        check: parts![
            "cachelines.hit.mean.load6_5" => Expect::AtMost(2.0),
            "cachelines.miss.mean.load6_5" => Expect::AtMost(2.0),
        ],
        how: "for every key of a real B = 8 map at load 6.5 (and for absent keys), count the 64-byte lines its lookup reads",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "cachelines",
    },
    Claim {
        id: "a001-three-segment-layout",
        article: Article::A001,
        section: "3.2",
        quote: "key/value/overflow三段式布局",
        says: "a bucket is laid out in three segments — keys, values, overflow — with the keys first",
        check: parts![
            "layout.segments" => int(3),
            "offsets.u64_u64.keys" => int(0),
        ],
        how: "read the parts of a real bucket and their byte offsets",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "offsets",
    },
    Claim {
        id: "a001-tlb-miss",
        article: Article::A001,
        section: "3.3",
        quote: "在多bucket哈希表中,跨bucket指针跳转易引发TLB miss",
        says: "pointer jumps between buckets cause TLB misses",
        check: Check::NotMeasurable(
            "TLB misses depend on Go's heap placement and the machine's page tables; a Rust map's allocations say nothing about them",
        ),
        how: "—",
        source: None,
        experiment: "cachelines",
    },
    Claim {
        id: "a001-max-overflow-mem",
        article: Article::A001,
        section: "4.1",
        quote: "h.noverflow*uintptr(unsafe.Sizeof(b)) > maxOverflowMem",
        says: "an overflow bucket is allocated when overflow memory exceeds maxOverflowMem",
        check: parts!["gosrc.mentions.maxOverflowMem" => YES],
        how: "look for maxOverflowMem in Go 1.19's runtime sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a001-overflow-when-full-no-free",
        article: Article::A001,
        section: "4.1",
        quote: "若目标bucket已满且无空闲溢出桶(overflow bucket)",
        says: "an overflow bucket is allocated when the target bucket is full and no free overflow bucket is left",
        check: parts![
            "overflow.chain_full_at.b4" => int(8),
            "overflow.first_source.b4" => text("pool"),
        ],
        how: "steer keys into one bucket of a B = 4 map; note its entries when the first overflow bucket is linked and where that bucket came from",
        source: at("map.go", 248, "if h.extra != nil && h.extra.nextOverflow != nil"),
        experiment: "layout",
    },
    Claim {
        id: "a001-overflow-8-byte-object",
        article: Article::A001,
        section: "4.1",
        quote: "用于满足overflow bucket的8-byte对齐小对象分配",
        says: "an overflow bucket is a small 8-byte allocation",
        check: parts!["layout.bucket_size.u64_u64" => int(8)],
        how: "read the bucket size of a map[uint64]uint64 (an overflow bucket is a whole bucket)",
        source: at("map.go", 263, "ovf = (*bmap)(newobject(t.bucket))"),
        experiment: "layout",
    },
    Claim {
        id: "a001-overflow-scattered",
        article: Article::A001,
        section: "4.2",
        quote: "链表在逻辑上连续,但其节点常分散于不同内存页甚至不同NUMA节点",
        says: "overflow buckets are usually scattered in memory rather than next to their array",
        check: parts!["overflow.heap_share.b12" => Expect::AtLeast(0.5)],
        how: "fill a B = 12 map to load 6.5 and count the overflow buckets outside the array's preallocated pool",
        source: at("map.go", 263, "ovf = (*bmap)(newobject(t.bucket))"),
        experiment: "layout",
    },
    Claim {
        id: "a001-delete-prunes-overflow",
        article: Article::A001,
        section: "4.3",
        quote: "当哈希表发生键删除时,若对应桶(bucket)存在 overflow 链表,系统会启动惰性剪枝",
        says: "deletes prune trailing empty overflow buckets (3 or more) off a chain",
        check: parts!["shrink.overflow_pruned" => YES],
        how: "build a chain of 8 buckets in a B = 4 map, delete all its keys and measure the chain again",
        source: at("map.go", 777, "b.tophash[i] = emptyRest"),
        experiment: "shrink",
    },
    Claim {
        id: "a001-long-chains-hot",
        article: Article::A001,
        section: "4.4",
        quote: "在高并发哈希表场景中,overflow链表过长易引发遍历热点",
        says: "long overflow chains make lookups that walk them expensive",
        check: parts!["cachelines.miss.long_over_short" => Expect::AtLeast(1.5)],
        how: "in a real B = 8 map at load 6.5, compare the cache lines a miss reads on chains with overflow with those on single buckets",
        source: at("map.go", 432, "for ; b != nil; b = b.overflow(t) {"),
        experiment: "cachelines",
    },
    // ---- 002: growth.
    Claim {
        id: "a002-load-count-over-b",
        article: Article::A002,
        section: "1",
        quote: "count / B > 6.5(B为桶数量的对数),即平均每个桶承载超 6.5 个键值对时,触发增量扩容",
        says: "the map grows when count / B > 6.5 (B the log of the bucket count), i.e. more than 6.5 entries per bucket",
        check: parts![
            "loadfactor.count_over_b_at_growth.b4" => Expect::Between(6.0, 7.0),
            "loadfactor.count_over_2b_at_growth.b4" => Expect::Between(6.0, 7.0),
        ],
        how: "fill a map from empty; when B = 4 starts doubling, divide the entries by B and by 2^B",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "loadfactor",
    },
    Claim {
        id: "a002-overflow-more-than-2b",
        article: Article::A002,
        section: "1",
        quote: "溢出桶过多阈值(overflow > 2^B):当溢出桶总数超过",
        says: "a same-size growth starts when the overflow buckets exceed 2^B",
        check: parts![
            "grow.same_size.exists" => YES,
            "grow.same_size.noverflow_ratio_at_start" => GT_ONE,
        ],
        how: "provoke a same-size growth with deletes and inserts and compare noverflow with 2^B when it starts",
        source: at("map.go", 1101, "return noverflow >= uint16(1)<<(B&15)"),
        experiment: "grow",
    },
    Claim {
        id: "a002-third-count-threshold",
        article: Article::A002,
        section: "1",
        quote: "键值对总数阈值(count > 1:当元素数突破约 10.7 亿",
        says: "a third trigger forces growth when the count passes about 1.07 billion",
        check: parts!["gosrc.growth_triggers" => int(3)],
        how: "count the conditions of the growth test in Go 1.19's mapassign",
        source: at("map.go", 657, "if !h.growing() && (overLoadFactor(h.count+1, h.B) || tooManyOverflowBuckets(h.noverflow, h.B)) {"),
        experiment: "gosrc",
    },
    Claim {
        id: "a002-same-size-rebuilds",
        article: Article::A002,
        section: "1",
        quote: "等量扩容(sameSizeGrow):仅重建所有 bucket(含 overflow 链),不改变",
        says: "a same-size growth rebuilds every bucket and its overflow chain without changing B",
        check: parts![
            "grow.same_size.keeps_b" => YES,
            "grow.same_size.overflow_after_over_before" => Expect::AtMost(0.99),
        ],
        how: "provoke a same-size growth, finish it, and compare B and the overflow buckets before and after",
        source: at("map.go", 1048, "h.flags |= sameSizeGrow"),
        experiment: "grow",
    },
    Claim {
        id: "a002-doubling-incremental",
        article: Article::A002,
        section: "1",
        quote: "B自增 1,桶数量翻倍,旧桶分批迁移至新空间,期间读写操作自动参与“渐进式搬迁”",
        says: "a doubling raises B by 1, doubles the buckets and moves old buckets in batches, reads and writes both taking part",
        check: parts![
            "grow.double.b_step" => int(1),
            "grow.double.bucket_ratio" => float(2.0),
            "grow.max_evacuations_per_write" => Expect::AtMost(2.0),
            "grow.lookups_evacuate" => YES,
        ],
        how: "fill a map through growths; read B's steps, count evacuations per insert, and watch lookups during a growth for evacuations",
        source: at("map.go", 1128, "func growWork(t *maptype, h *hmap, bucket uintptr)"),
        experiment: "grow",
    },
    Claim {
        id: "a002-concurrent-writes-fatal",
        article: Article::A002,
        section: "1",
        quote: "并发写入未加锁的 map 将触发 fatal error: concurrent map writes。该 panic 不可 recover",
        says: "concurrent unlocked writes end in 'fatal error: concurrent map writes', which recover cannot catch",
        check: parts!["gosrc.concurrent_writes.unrecoverable" => YES],
        how: "find how Go 1.19's map.go reports the race: fatal or throw end the program, recover cannot catch them",
        source: at("map.go", 595, "fatal(\"concurrent map writes\")"),
        experiment: "gosrc",
    },
    Claim {
        id: "a002-reads-evacuate",
        article: Article::A002,
        section: "1",
        quote: "// 读协程(仍可能触发写搬迁)",
        says: "a goroutine that only reads may still trigger evacuation",
        check: parts!["grow.lookups_evacuate" => YES],
        how: "mid-growth, look up every key and watch for evacuation events",
        source: at("map.go", 426, "if !evacuated(oldb) {"),
        experiment: "grow",
    },
    Claim {
        id: "a002-range-during-growth",
        article: Article::A002,
        section: "1",
        quote: "range遍历 map 本身不加锁,但若遍历中发生扩容,迭代器行为未定义(可能漏键或重复)",
        says: "a range during a growth may miss or repeat keys",
        check: parts![
            "rangegrow.missed" => Expect::AtLeast(1.0),
            "rangegrow.repeated" => Expect::AtLeast(1.0),
        ],
        how: "range over a map that starts mid-growth while each step inserts (growing it again) and some steps delete; count keys missed and repeated",
        source: at("map.go", 866, "func mapiternext(it *hiter)"),
        experiment: "rangegrow",
    },
    Claim {
        id: "a002-b-halves",
        article: Article::A002,
        section: "2.1",
        quote: "// B 增加1 ⇒ 桶数翻倍;B 减少1 ⇒ 桶数减半",
        says: "B grows by one to double the buckets and can also shrink by one to halve them",
        check: parts![
            "grow.double.bucket_ratio" => float(2.0),
            "shrink.b_drop" => Expect::AtLeast(1.0),
        ],
        how: "read B's steps while filling a map, then delete every key and read B again",
        source: at("map.go", 1058, "h.B += bigger"),
        experiment: "shrink",
    },
    Claim {
        id: "a002-nevacuate-atomic",
        article: Article::A002,
        section: "2.1",
        quote: "nevacuate是迁移进度游标,其递增需原子操作",
        says: "nevacuate is the evacuation cursor and is advanced atomically",
        check: parts!["gosrc.nevacuate_atomic" => YES],
        how: "look for an atomic operation on nevacuate in Go 1.19's map code",
        source: at("map.go", 1267, "h.nevacuate++"),
        experiment: "gosrc",
    },
    Claim {
        id: "a002-oldbuckets-half",
        article: Article::A002,
        section: "2.2",
        quote: "oldbuckets仅在扩容中非空,大小为buckets的一半(即 2^(B-1))",
        says: "oldbuckets is non-nil only while growing, and half the size of buckets",
        check: parts![
            "grow.old_present_iff_growing" => YES,
            "grow.double.old_over_new" => float(0.5),
        ],
        how: "during doublings, compare the old array's bucket count with the new one's",
        source: at("map.go", 126, "oldbuckets unsafe.Pointer"),
        experiment: "grow",
    },
    Claim {
        id: "a002-bmap-one-byte-fields",
        article: Article::A002,
        section: "2.2",
        quote: "bmap)包含 8 个键值对槽位 + 1 字节溢出指针 + 1 字节 top hash 缓存",
        says: "a bucket has 8 slots, a 1-byte overflow pointer and a 1-byte tophash",
        check: parts![
            "layout.slots" => int(8),
            "layout.overflow_ptr_bytes" => int(1),
            "layout.tophash_bytes" => int(1),
        ],
        how: "read a real bucket's slot count and the sizes of its tophash array and overflow pointer",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "offsets",
    },
    Claim {
        id: "a002-newbuckets",
        article: Article::A002,
        section: "2.2",
        quote: "h.buckets = h.newbuckets",
        says: "hmap has a newbuckets field that replaces buckets when a growth ends",
        check: parts!["gosrc.hmap.has_field.newbuckets" => YES],
        how: "read the fields of type hmap in Go 1.19's map.go",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a002-load-factor-formula",
        article: Article::A002,
        section: "2.3",
        quote: "loadFactor := float64(len(map)) / float64(1 << B)",
        says: "the load factor is len(map) / 2^B, and growth comes at 6.5",
        check: parts!["loadfactor.count_over_2b_at_growth.b4" => float(6.5)],
        how: "fill a map from empty; when B = 4 starts doubling, divide the entries by 2^B",
        source: at("map.go", 71, "loadFactorNum = 13"),
        experiment: "loadfactor",
    },
    Claim {
        id: "a002-threshold-table",
        article: Article::A002,
        section: "2.3",
        quote: "| 0 | 1 | 6 |\n| 4 | 16 | 104 |\n| 8 | 256 | 1664 |",
        says: "the length that triggers growth is 6 at B = 0, 104 at B = 4 and 1664 at B = 8",
        check: parts![
            "grow.count_at_start.b0" => int(6),
            "grow.count_at_start.b4" => int(104),
            "grow.count_at_start.b8" => int(1664),
        ],
        how: "fill a map from empty and note the entries when each B starts doubling",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "grow",
    },
    Claim {
        id: "a002-same-size-needs-b10",
        article: Article::A002,
        section: "2.4",
        quote: "tooManyOverflowBuckets判断:noverflow >= (1 << B) && (1 << B) >= 1024,避免小 map 过早扩容",
        says: "same-size growth needs noverflow ≥ 2^B and 2^B ≥ 1024 (B ≥ 10)",
        check: parts![
            "grow.same_size.noverflow_ratio_at_start" => Expect::AtLeast(1.0),
            "grow.same_size.min_b" => Expect::AtLeast(10.0),
        ],
        how: "provoke a same-size growth in a B = 2 map; compare noverflow with 2^B when it starts and read B",
        source: at("map.go", 1101, "return noverflow >= uint16(1)<<(B&15)"),
        experiment: "grow",
    },
    Claim {
        id: "a002-large-key-trigger",
        article: Article::A002,
        section: "2.4",
        quote: "key 过大导致 bucket overflow:当 key 大小 > 128 字节,运行时自动启用",
        says: "keys over 128 bytes are stored by pointer, and their allocations are a third growth trigger",
        check: parts![
            "layout.key200.indirect" => YES,
            "grow.large_key.extra_growths" => Expect::AtLeast(1.0),
        ],
        how: "insert 1,000 200-byte keys and 1,000 8-byte keys, compare their growths, and read the big keys' bucket size",
        source: at("map.go", 78, "maxKeySize  = 128"),
        experiment: "grow",
    },
    Claim {
        id: "a002-load-over-2b-table",
        article: Article::A002,
        section: "2.4",
        quote: "| 负载因子超限 | count / 2^B > 6.5 |",
        says: "growth starts when count / 2^B would exceed 6.5",
        check: parts![
            "loadfactor.max_load_without_growth.b4" => Expect::AtMost(6.5),
            "loadfactor.load_after_trigger.b4" => GT_6_5,
        ],
        how: "fill a map from empty; note the fullest a B = 4 map gets and the load the growing insert would make",
        source: at("map.go", 657, "if !h.growing() && (overLoadFactor(h.count+1, h.B) || tooManyOverflowBuckets(h.noverflow, h.B)) {"),
        experiment: "loadfactor",
    },
    Claim {
        id: "a002-hashmap-go",
        article: Article::A002,
        section: "2.5",
        quote: "在 hashmap.go 的 growWork 或 evacuate 函数入口设断点",
        says: "growWork and evacuate live in hashmap.go",
        check: parts![
            "gosrc.file.hashmap.go" => YES,
            "gosrc.defines.growWork" => YES,
            "gosrc.defines.evacuate" => YES,
        ],
        how: "look for the file and the functions in Go 1.19's runtime sources",
        source: at("map.go", 1152, "func evacuate(t *maptype, h *hmap, oldbucket uintptr)"),
        experiment: "gosrc",
    },
    Claim {
        id: "a002-same-size-page-reuse",
        article: Article::A002,
        section: "3.1",
        quote: "等量扩容并非简单复制,而是基于内存页级复用的轻量伸缩机制",
        says: "a same-size growth reuses memory pages instead of copying into a new array",
        check: parts!["grow.same_size.new_array" => NO],
        how: "provoke a same-size growth and look for a separate old array while it runs",
        source: at("map.go", 1050, "oldbuckets := h.buckets"),
        experiment: "grow",
    },
    Claim {
        id: "a002-same-size-slab-trigger",
        article: Article::A002,
        section: "3.1",
        quote: "当前 slab 中空闲对象数 minFreeObjs = 3)",
        says: "a same-size growth starts when a slab's free objects fall below minFreeObjs = 3",
        check: parts![
            "gosrc.mentions.minFreeObjs" => YES,
            "grow.same_size.noverflow_ratio_at_start" => Expect::Between(0.0, 0.5),
        ],
        how: "look for minFreeObjs in Go 1.19's runtime; provoke a same-size growth and compare noverflow with 2^B when it starts",
        source: at("map.go", 1101, "return noverflow >= uint16(1)<<(B&15)"),
        experiment: "grow",
    },
    Claim {
        id: "a002-evacuate-only-overflowed",
        article: Article::A002,
        section: "3.2",
        quote: "overflow链非空且tophash已标记为evacuatedX/evacuatedY时,才启动evacuate();",
        says: "evacuate() runs only for buckets with an overflow chain already marked evacuated",
        check: parts!["grow.evacuates_buckets_without_overflow" => NO],
        how: "when B = 4 starts doubling, note the old buckets without overflow and watch whether they are evacuated",
        source: at("map.go", 1152, "func evacuate(t *maptype, h *hmap, oldbucket uintptr)"),
        experiment: "grow",
    },
    Claim {
        id: "a002-x-y-halves",
        article: Article::A002,
        section: "3.2",
        quote: "第B位为 0→x,为 1→y",
        says: "an evacuated entry goes to X (same index) when its new hash bit is 0 and to Y (index + old size) when it is 1",
        check: parts![
            "grow.x_keeps_index" => YES,
            "grow.y_adds_old_size" => YES,
        ],
        how: "grow a map of chosen hashes and find each evacuated entry in the new array",
        source: at("map.go", 1221, "b.tophash[i] = evacuatedX + useY"),
        experiment: "grow",
    },
    Claim {
        id: "a002-evacuated-marks",
        article: Article::A002,
        section: "3.2",
        quote: "evacuatedX |\n已迁入低地址半区 |\nevacuatedY |\n已迁入高地址半区 |\nemptyRest |\n本 bucket 后续键已清空 |",
        says: "evacuatedX marks a slot moved to the low half, evacuatedY to the high half, emptyRest a slot after which the bucket is empty",
        check: parts![
            "tophash.evacuated_x" => int(2),
            "tophash.evacuated_y" => int(3),
            "tophash.empty_rest" => int(0),
        ],
        how: "grow a map of chosen hashes and read the marks left on old slots by where their entries went; read a fresh bucket's unused slots",
        source: at("map.go", 95, "evacuatedX     = 2"),
        experiment: "layout",
    },
    Claim {
        id: "a002-bucket-spinlock",
        article: Article::A002,
        section: "4.1",
        quote: "采用bucket级自旋锁将锁粒度从表级降至桶级,配合dirty bit标记机制实现无锁读路径优化",
        says: "during growth each bucket has a spin lock and a dirty bit for lock-free reads",
        check: parts![
            "gosrc.bmap.has_field.lock" => YES,
            "gosrc.bmap.has_field.dirty" => YES,
        ],
        how: "read the fields of type bmap in Go 1.19's map.go",
        source: at("map.go", 150, "type bmap struct"),
        experiment: "gosrc",
    },
    Claim {
        id: "a002-range-phantom-missed",
        article: Article::A002,
        section: "4.2",
        quote: "迭代器(range)在扩容中遭遇的“幻读”与“漏读”现象复现与源码印证",
        says: "a range during a growth shows phantom reads and missed reads",
        check: parts![
            "rangegrow.invented" => Expect::AtLeast(1.0),
            "rangegrow.missed" => Expect::AtLeast(1.0),
            "rangegrow.deleted_yielded" => Expect::AtLeast(1.0),
        ],
        how: "range over a map that starts mid-growth while inserts grow it again and deletes remove keys not yet reached; count phantom and missed entries",
        source: at("map.go", 866, "func mapiternext(it *hiter)"),
        experiment: "rangegrow",
    },
    Claim {
        id: "a002-range-snapshot",
        article: Article::A002,
        section: "4.2",
        quote: "range 编译期展开为固定 len 的循环,且底层 *array 指针在迭代起始即快照;扩容后新 slice 指向不同内存,旧迭代不受影响",
        says: "a range walks a snapshot taken when it starts: a growth during it changes nothing it yields",
        check: parts![
            "rangegrow.inserted_some_seen" => NO,
            "rangegrow.deleted_yielded" => Expect::AtLeast(1.0),
        ],
        how: "range over a map that grows during the range; see whether entries inserted after it started are yielded and entries deleted before it reached them are not",
        source: at("map.go", 866, "func mapiternext(it *hiter)"),
        experiment: "rangegrow",
    },
    Claim {
        id: "a002-syncmap-delete-loadorstore-panic",
        article: Article::A002,
        section: "4.3",
        quote: "sync.Map.Delete与LoadOrStore并发调用时,若内部桶迁移未完成,LoadOrStore可能解引用已置为nil的旧桶指针,触发 panic",
        says: "concurrent sync.Map Delete and LoadOrStore can panic on a nil bucket pointer",
        check: parts!["syncmap.race.delete_loadorstore_panics" => YES],
        how: "race 5,000 Deletes against 5,000 LoadOrStores of one key on gomap's SyncMap while a third thread forces promotions",
        source: at("../sync/map.go", 207, "func (m *Map) LoadOrStore(key, value any) (actual any, loaded bool)"),
        experiment: "syncmap",
    },
    Claim {
        id: "a002-syncmap-misses-loadfactor",
        article: Article::A002,
        section: "4.3",
        quote: "misses++ ≥ loadFactor",
        says: "sync.Map promotes the dirty map once misses reach a load factor (a constant near 6.5)",
        check: parts!["syncmap.misses_to_promote.dirty20" => Expect::Between(6.0, 7.0)],
        how: "fill a SyncMap's dirty map with 20 keys and count the missed loads until it is promoted",
        source: at("../sync/map.go", 362, "if m.misses < len(m.dirty) {"),
        experiment: "syncmap",
    },
    Claim {
        id: "a002-syncmap-amended-nil-dirty",
        article: Article::A002,
        section: "4.3",
        quote: "| 删除后 | read.amended = true, dirty == nil |",
        says: "after a delete the read map is amended while the dirty map is nil",
        check: parts!["syncmap.amended_without_dirty_seen" => YES],
        how: "drive a SyncMap through stores, deletes, promotions and LoadOrStore, checking its state after each",
        source: at("../sync/map.go", 72, "amended bool"),
        experiment: "syncmap",
    },
    Claim {
        id: "a002-syncmap-loadorstore-skips-read",
        article: Article::A002,
        section: "4.3",
        quote: "LoadOrStore 跳过 read 直接查 dirty",
        says: "LoadOrStore skips the read map and goes straight to the dirty map",
        check: parts!["syncmap.loadorstore_hits_read" => NO],
        how: "LoadOrStore a key of a SyncMap's read map and see whether it answers without a dirty map",
        source: at("../sync/map.go", 210, "if e, ok := read.m[key]; ok {"),
        experiment: "syncmap",
    },
    // ---- 003: slot reuse.
    Claim {
        id: "a003-map-fast-go",
        article: Article::A003,
        section: "1",
        quote: "在 map_fast.go 第89–112行中,Go runtime 对 mapassign_fast32 和 mapassign_fast64 的 slot 复用逻辑进行了高度优化",
        says: "mapassign_fast32 and mapassign_fast64 live in runtime/map_fast.go",
        check: parts![
            "gosrc.file.map_fast.go" => YES,
            "gosrc.defines.mapassign_fast32" => YES,
            "gosrc.defines.mapassign_fast64" => YES,
        ],
        how: "look for the file and the functions in Go 1.19's runtime sources",
        source: at("map_fast64.go", 93, "func mapassign_fast64("),
        experiment: "gosrc",
    },
    Claim {
        id: "a003-reuse-avoids-allocation",
        article: Article::A003,
        section: "1",
        quote: "跳过新分配、直接复写已存在但已标记为“可覆盖”的 bucket slot,从而避免内存分配与 GC 压力",
        says: "an insert after a delete overwrites the freed slot instead of allocating",
        check: parts![
            "reuse.empty_one_reused" => YES,
            "reuse.no_alloc" => YES,
        ],
        how: "delete a key, insert another into the same bucket, and watch for a reuse and for any new bucket",
        source: at("map.go", 622, "if isEmpty(b.tophash[i]) && inserti == nil {"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-reuse-needs-hash-match",
        article: Article::A003,
        section: "1",
        quote: "键哈希匹配且桶索引一致",
        says: "a slot is reused only by a key whose hash matches and whose bucket index is the same",
        check: parts!["reuse.needs_tophash_match" => YES],
        how: "delete a key and insert one with another tophash into the same bucket; see whether it takes the freed slot",
        source: at("map.go", 622, "if isEmpty(b.tophash[i]) && inserti == nil {"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-isempty-both-marks",
        article: Article::A003,
        section: "1",
        quote: "tophash[i] == emptyRest || tophash[i] == emptyOne(注意:emptyRest表示后续全空,emptyOne表示单个空槽)",
        says: "a slot is free when marked emptyRest (it and everything after is empty) or emptyOne (this slot only)",
        check: parts![
            "tophash.empty_rest" => int(0),
            "tophash.empty_one" => int(1),
            "reuse.empty_one_reused" => YES,
        ],
        how: "read the marks of a bucket's unused and deleted slots, and see a new key take an emptyOne slot",
        source: at("map.go", 111, "func isEmpty(x uint8) bool"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-atomic-or8",
        article: Article::A003,
        section: "1",
        quote: "第107行附近调用的 atomic.Or8(&b.tophash[i], top) 并非仅设置高位",
        says: "mapassign_fast64 writes the tophash with atomic.Or8, an implicit barrier",
        check: parts!["gosrc.fast64.uses_atomic_or8" => YES],
        how: "look for atomic.Or8 in Go 1.19's map_fast64.go",
        source: at("map_fast64.go", 107, "h.flags ^= hashWriting"),
        experiment: "gosrc",
    },
    Claim {
        id: "a003-emptyone-to-tophash",
        article: Article::A003,
        section: "1",
        quote: "确认tophash[i]由emptyOne变为带 hash 高位的值",
        says: "on reuse, the slot's tophash goes from emptyOne to the new key's top hash bits",
        check: parts![
            "reuse.top_before" => int(1),
            "reuse.top_after_is_hash" => YES,
        ],
        how: "read a freed slot's mark before and after a new key takes it",
        source: at("map.go", 94, "emptyOne       = 1"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-sync-with-remote",
        article: Article::A003,
        section: "2.1",
        quote: "核心逻辑位于 syncWithRemote(ctx context.Context, opts *SyncOptions)(第92行)",
        says: "the slot-reuse lines centre on a function syncWithRemote",
        check: parts!["gosrc.defines.syncWithRemote" => YES],
        how: "look for func syncWithRemote in Go 1.19's runtime sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a003-delete-sets-emptyrest",
        article: Article::A003,
        section: "2.2",
        quote: "Go 运行时在 map 删除键后,将 b.tophash[i] 置为 0(即 emptyRest)",
        says: "a delete sets the slot's tophash to 0, which is emptyRest",
        check: parts![
            "tophash.after_delete_mid" => int(0),
            "tophash.empty_rest" => int(0),
        ],
        how: "delete a key that has a full slot after it and read its mark; read a never-used slot's mark",
        source: at("map.go", 762, "b.tophash[i] = emptyOne"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-delete-lock-prefix",
        article: Article::A003,
        section: "2.2",
        quote: "LOCK XADDL $0, (SP) // 隐式 mfence —— Go 编译器为写零自动注入 LOCK 前缀指令",
        says: "the tophash store of a delete is made with a LOCK-prefixed (atomic) instruction",
        check: parts!["gosrc.mapdelete.tophash_store" => text("atomic")],
        how: "read how Go 1.19's mapdelete writes the mark (a plain assignment compiles to a plain store)",
        source: at("map.go", 762, "b.tophash[i] = emptyOne"),
        experiment: "gosrc",
    },
    Claim {
        id: "a003-wbwrite",
        article: Article::A003,
        section: "2.3",
        quote: "该赋值会触发 wbwrite,因 *string 是指针类型",
        says: "assigning a nil pointer key calls the runtime's wbwrite",
        check: parts!["gosrc.defines.wbwrite" => YES],
        how: "look for func wbwrite in Go 1.19's runtime sources",
        source: None,
        experiment: "gosrc",
    },
    Claim {
        id: "a003-reuse-same-hash",
        article: Article::A003,
        section: "2.5",
        quote: "新插入 key 的 hash 值与原 slot hash 匹配(避免误复用)",
        says: "a deleted slot is reused only by a key whose hash matches the deleted one's",
        check: parts!["reuse.needs_tophash_match" => YES],
        how: "delete a key and insert one with another hash into the same bucket; see whether it takes the freed slot",
        source: at("map.go", 623, "inserti = &b.tophash[i]"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-reuse-load-below-075",
        article: Article::A003,
        section: "2.5",
        quote: "< 0.75,跳过 resize 路径",
        says: "slots are reused only while the load is below 0.75",
        check: parts!["reuse.load_at_reuse" => Expect::AtMost(0.75)],
        how: "fill a B = 2 map to load 6.5, delete one key, insert another into its bucket and note the load at the reuse",
        source: at("map.go", 622, "if isEmpty(b.tophash[i]) && inserti == nil {"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-deleted-memory-stays",
        article: Article::A003,
        section: "3.2",
        quote: "当一个 slot 被逻辑删除(如 map 删除键值对后未立即回收内存),其底层内存仍驻留于 span 中",
        says: "deleting entries frees no map memory: the buckets stay",
        check: parts!["shrink.bytes_ratio_after_delete" => float(1.0)],
        how: "fill a map with 10,000 keys, delete them all, and compare its bucket bytes",
        source: at("map.go", 762, "b.tophash[i] = emptyOne"),
        experiment: "shrink",
    },
    Claim {
        id: "a003-low-3-bits-state",
        article: Article::A003,
        section: "3.3",
        quote: "AX为slot状态字;$7掩码提取低3位,代表未使用,可安全写入",
        says: "a free slot is one whose state byte has its low 3 bits clear",
        check: parts!["tophash.empty_one" => LOW3_CLEAR],
        how: "read the mark a delete leaves on a slot that new keys may take",
        source: at("map.go", 94, "emptyOne       = 1"),
        experiment: "layout",
    },
    Claim {
        id: "a003-tophash-top-8",
        article: Article::A003,
        section: "4.1",
        quote: "tophash 仅取哈希值高 8 位",
        says: "a slot's tophash is the hash's top 8 bits",
        check: parts!["layout.tophash_top8" => YES],
        how: "compare each full slot's mark with the top byte of its key's hash (an identity hasher)",
        source: at("map.go", 196, "top := uint8(hash >> (goarch.PtrSize*8 - 8))"),
        experiment: "layout",
    },
    Claim {
        id: "a003-tophash-false-match",
        article: Article::A003,
        section: "4.1",
        quote: "不同键被错误判定为“已存在”,跳过实际桶内查找",
        says: "keys with equal tophash are wrongly judged present without comparing the keys",
        check: parts!["lookups.false_matches" => Expect::AtLeast(1.0)],
        how: "put 8 keys with one bucket and one tophash in a map and look up each of them and 8 absent keys with the same tophash",
        source: at("map.go", 444, "if t.key.equal(key, k) {"),
        experiment: "layout",
    },
    Claim {
        id: "a003-throw-concurrent-writes",
        article: Article::A003,
        section: "4.2",
        quote: "而原生 map 在并发写时直接触发 throw(\"concurrent map writes\") panic",
        says: "the built-in map calls throw(\"concurrent map writes\") on concurrent writes",
        check: parts![
            "gosrc.concurrent_writes.unrecoverable" => YES,
            "gosrc.concurrent_writes.call" => text("throw"),
        ],
        how: "find the call that reports the race in Go 1.19's map.go",
        source: at("map.go", 595, "fatal(\"concurrent map writes\")"),
        experiment: "gosrc",
    },
    Claim {
        id: "a003-syncmap-writes-only-dirty",
        article: Article::A003,
        section: "4.2",
        quote: "写操作仅更新 dirty map,不立即清理 read 中的 stale entry",
        says: "sync.Map writes update only the dirty map, and deleted entries stay in the read map",
        check: parts![
            "syncmap.store_existing_updates_read" => NO,
            "syncmap.deleted_stays_in_read" => YES,
        ],
        how: "store to a key of a SyncMap's read map and see whether the read map serves the new value; delete one and look for it in the read map",
        source: at("../sync/map.go", 146, "if e, ok := read.m[key]; ok && e.tryStore(&value) {"),
        experiment: "syncmap",
    },
    Claim {
        id: "a003-native-map-no-reuse",
        article: Article::A003,
        section: "4.2",
        quote: "makemap初始化后 slot 分配完全由哈希函数与当前 B(bucket 数)决定,无跨写入复用概念",
        says: "in the built-in map a slot is fixed by the hash and B; no slot is reused across writes",
        check: parts!["reuse.native_reuses_deleted_slot" => NO],
        how: "delete a key and insert another into its bucket; see whether it takes the freed slot",
        source: at("map.go", 622, "if isEmpty(b.tophash[i]) && inserti == nil {"),
        experiment: "reuse",
    },
    Claim {
        id: "a003-syncmap-dirty-threshold",
        article: Article::A003,
        section: "4.2",
        quote: "E[dirty map 达阈值?]",
        says: "sync.Map promotes the dirty map once the dirty map itself reaches a size threshold",
        check: parts!["syncmap.promotes_on_dirty_size" => YES],
        how: "store 1,000 new keys into a SyncMap without loads and see whether the dirty map is promoted",
        source: at("../sync/map.go", 362, "if m.misses < len(m.dirty) {"),
        experiment: "syncmap",
    },
    Claim {
        id: "a003-hint-1024-buckets",
        article: Article::A003,
        section: "4.3",
        quote: "make(map[string]int, 1024) // 触发初始 hmap.buckets = 2^10 = 1024",
        says: "make(map, 1024) allocates 2^10 = 1024 buckets",
        check: parts!["hint.buckets.1024" => int(1024)],
        how: "make a map with hint 1024 and read its bucket count",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a003-no-hint-one-bucket",
        article: Article::A003,
        section: "4.3",
        quote: "make(map[string]int) // 初始 buckets = 2^0 = 1,快速触发多次扩容",
        says: "a map made without a hint starts with 2^0 = 1 bucket and soon grows several times",
        check: parts![
            "hint.b.0" => int(0),
            "prealloc.doublings.hint0_n1024" => Expect::AtLeast(2.0),
        ],
        how: "make a map without a hint, read B, and count the doublings of 1,024 inserts",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "prealloc",
    },
    Claim {
        id: "a003-hint-ceil-log2",
        article: Article::A003,
        section: "4.3",
        quote: "运行时按 2^ceil(log2(hint)) 对齐",
        says: "the runtime rounds the hint up to 2^ceil(log2(hint)) buckets (1000 → 1024)",
        check: parts!["hint.buckets.1000" => int(1024)],
        how: "make a map with hint 1000 and read its bucket count",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a003-prealloc-avoids-rehash",
        article: Article::A003,
        section: "4.3",
        quote: "预分配合适 bucket 数量可显著减少重哈希频次与内存跳转",
        says: "preallocating enough buckets avoids the rehashes",
        check: parts![
            "prealloc.doublings.hint1024_n1024" => int(0),
            "prealloc.doublings.hint0_n1024" => Expect::AtLeast(1.0),
        ],
        how: "insert 1,024 keys into maps made with hints 0 and 1024 and count their doublings",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "prealloc",
    },
    Claim {
        id: "a003-allocspan-in-mcache",
        article: Article::A003,
        section: "4.4",
        quote: "在 src/runtime/mcache.go 的 allocSpan 函数中插入",
        says: "allocSpan is a function of src/runtime/mcache.go",
        check: parts!["gosrc.mcache_go.defines.allocSpan" => YES],
        how: "look for allocSpan's declaration in Go 1.19's mcache.go",
        source: at("mheap.go", 1125, "func (h *mheap) allocSpan("),
        experiment: "gosrc",
    },
    // ---- 004: what make(map[string]int) allocates.
    Claim {
        id: "a004-no-file",
        article: Article::A004,
        section: "1",
        quote: "make(map[string]int) 不生成文件,是因为它根本不涉及文件系统操作",
        says: "make(map[string]int) makes no file-system call at all",
        check: parts![
            "go.strace.make_map.file_syscalls_delta" => int(0),
            "syscalls.gomap.file_syscalls" => int(0),
        ],
        how: "strace a Go program with and without make(map[string]int, 100) and compare their file calls; strace gomap's own make, insert and growth",
        source: at("map.go", 304, "func makemap(t *maptype, hint int, h *hmap) *hmap"),
        experiment: "syscalls",
    },
    Claim {
        id: "a004-hmap-48-bytes",
        article: Article::A004,
        section: "1",
        quote: "hmap结构体(约 48 字节,含哈希种子、计数、B 值等字段)",
        says: "the hmap is about 48 bytes",
        check: parts!["gosrc.hmap.size" => int(48)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 116, "type hmap struct"),
        experiment: "offsets",
    },
    Claim {
        id: "a004-one-320-byte-bucket",
        article: Article::A004,
        section: "1",
        quote: "按默认负载因子(6.5)预分配 1 个",
        says: "make(map[string]int) preallocates one bucket of 8 slots, about 320 bytes",
        check: parts![
            "hint.allocated.0" => int(1),
            "layout.slots" => int(8),
            "layout.bucket_size.string_int" => Expect::Between(300.0, 340.0),
        ],
        how: "make a map without a hint and count its buckets; read a map[string]int bucket's slots and size",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "layout",
    },
    Claim {
        id: "a004-strace-no-openat",
        article: Article::A004,
        section: "1",
        quote: "输出中可见 mmap(MAP_ANONYMOUS) 和 brk,但绝无任何文件路径或 openat 调用",
        says: "strace of the program shows anonymous mmaps and brk but no openat at all",
        check: parts![
            "go.strace.make_map.mmap_anon_whole_program" => Expect::AtLeast(1.0),
            "go.strace.make_map.openat_whole_program" => int(0),
        ],
        how: "strace the article's program (make(map[string]int, 100) then select{}) and count its anonymous mmaps and openat calls",
        source: at("map.go", 304, "func makemap(t *maptype, hint int, h *hmap) *hmap"),
        experiment: "syscalls",
    },
    Claim {
        id: "a004-open-addressing",
        article: Article::A004,
        section: "2.1",
        quote: "每个 bucket 固定容纳 8 个键值对,采用开放寻址+线性探测处理冲突",
        says: "a bucket holds 8 pairs, and collisions are resolved by open addressing with linear probing",
        check: parts![
            "layout.slots" => int(8),
            "overflow.next_bucket_probed" => YES,
            "probe.linear" => YES,
        ],
        how: "fill one bucket of a B = 4 map and see whether its 9th key goes to the next bucket or to an overflow bucket (and, where keys do probe, whether the 17th goes to the bucket after that)",
        source: at("map.go", 664, "newb := h.newoverflow(t, b)"),
        experiment: "layout",
    },
    Claim {
        id: "a004-b-starts-0-doubles",
        article: Article::A004,
        section: "2.1",
        quote: "B 是关键缩放因子:初始为 0(1 个 bucket),插入触发扩容时 B++,数组长度翻倍",
        says: "B starts at 0 (one bucket), and each growth from inserts adds one to B, doubling the array",
        check: parts![
            "hint.b.0" => int(0),
            "hint.buckets.0" => int(1),
            "grow.double.b_step" => int(1),
            "grow.double.bucket_ratio" => float(2.0),
        ],
        how: "make a map without a hint and read B; fill it and read B's steps",
        source: at("map.go", 1058, "h.B += bigger"),
        experiment: "grow",
    },
    Claim {
        id: "a004-incremental-no-stw",
        article: Article::A004,
        section: "2.1",
        quote: "扩容非瞬时完成,采用渐进式搬迁(incremental rehashing)避免 STW",
        says: "growth is incremental: a few buckets move per write, never the whole table at once",
        check: parts![
            "grow.max_evacuations_per_write" => Expect::AtMost(2.0),
            "grow.u64_insert_does_growth_work" => YES,
        ],
        how: "fill a map through 14 doublings and count the old buckets each insert evacuates",
        source: at("map.go", 1134, "if h.growing() {"),
        experiment: "grow",
    },
    Claim {
        id: "a004-load-at-least-6-5",
        article: Article::A004,
        section: "2.1",
        quote: "负载因子 ≥ 6.5(平均每个 bucket 元素数)",
        says: "an insert grows the map once it finds 6.5 or more entries per bucket",
        check: parts![
            "loadfactor.count_over_2b_at_growth.b4" => Expect::AtLeast(6.5),
            "loadfactor.count_over_2b_at_growth.b8" => Expect::AtLeast(6.5),
        ],
        how: "fill a map from empty and divide its entries by 2^B when B = 4 and B = 8 start doubling",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "loadfactor",
    },
    Claim {
        id: "a004-no-growth-from-b15",
        article: Article::A004,
        section: "2.1",
        quote: "A[写操作] -->|B < 15 且负载高| B[启动扩容]",
        says: "a growth starts only while B < 15",
        check: parts!["grow.doubles_past_b15" => NO],
        how: "make a map at B = 15, fill it one entry past its load and read B",
        source: at("map.go", 1097, "if B > 15 {"),
        experiment: "grow",
    },
    Claim {
        id: "a004-growth-doubles-memory",
        article: Article::A004,
        section: "2.1",
        quote: "| 扩容中 | 2× | 新/旧数组双查(按 hash & nevacuate 判断) |",
        says: "mid-growth a map takes 2× its memory, and 1× again once done",
        check: parts![
            "grow.double.bytes_during_over_before" => Expect::Between(1.9, 2.1),
            "grow.double.bytes_after_over_before" => Expect::Between(0.9, 1.1),
        ],
        how: "compare a map's bucket bytes before, during and after its doubling from B = 4",
        source: at("map.go", 1060, "h.oldbuckets = oldbuckets"),
        experiment: "grow",
    },
    Claim {
        id: "a004-hint-0-gives-32-buckets",
        article: Article::A004,
        section: "2.2",
        quote: "hint默认为 0,触发bucketShift(0) == 0,最终采用默认桶数量1 << 5 = 32",
        says: "make(map) without a hint gets the default 1 << 5 = 32 buckets",
        check: parts!["hint.b.0" => int(5), "hint.buckets.0" => int(32)],
        how: "make a map without a hint and read B",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "hint",
    },
    Claim {
        id: "a004-hmap-on-stack",
        article: Article::A004,
        section: "2.2",
        quote: "hmap结构体(固定大小,通常栈上分配,但指针字段指向堆)",
        says: "the hmap is usually allocated on the stack",
        check: parts!["go.escape.make_nonescaping_on_stack" => YES],
        how: "go build -gcflags=-m on a function whose make(map[string]int) does not escape",
        source: at("map.go", 312, "h = new(hmap)"),
        experiment: "goruntime",
    },
    Claim {
        id: "a004-hint-4-b2-makemap-small",
        article: Article::A004,
        section: "2.3",
        quote: "make(map[int]int, 4)初始hmap字段(如B=2,buckets指向 runtime·makemap_small 分配的小对象)",
        says: "make(map[int]int, 4) has B = 2 and buckets that runtime.makemap_small allocated",
        check: parts![
            "gosrc.defines.makemap_small" => YES,
            "hint.b.4" => int(2),
            "hint.allocated.4" => Expect::AtLeast(1.0),
        ],
        how: "make a map with hint 4, read B and count its buckets; look for makemap_small in the runtime",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "hint",
    },
    Claim {
        id: "a004-header-24-bytes",
        article: Article::A004,
        section: "2.4",
        quote: "仅初始化 hmap 结构体(24 字节)",
        says: "the hmap is 24 bytes",
        check: parts!["gosrc.hmap.size" => int(24)],
        how: "lay out the fields of Go 1.19's hmap declaration by amd64's sizes and alignment",
        source: at("map.go", 116, "type hmap struct"),
        experiment: "offsets",
    },
    Claim {
        id: "a004-hint-100-128-buckets",
        article: Article::A004,
        section: "2.4",
        quote: "128 buckets | 1 + bucket array | ~1.1 KB |",
        says: "make(map[int]int, 100) allocates 128 buckets, about 1.1 KB",
        check: parts![
            "hint.buckets.100" => int(128),
            "hint.bucket_bytes.100" => Expect::Between(1000.0, 1200.0),
        ],
        how: "make a map[uint64]uint64 with hint 100 and read its bucket count and bucket bytes",
        source: at("map.go", 319, "for overLoadFactor(hint, B)"),
        experiment: "hint",
    },
    Claim {
        id: "a004-first-insert-one-bucket",
        article: Article::A004,
        section: "2.4",
        quote: "m[1] = 1 // 触发 bucket 初始化(2^0 = 1 bucket)",
        says: "the first insert into make(map[int]int) allocates 2^0 = 1 bucket",
        check: parts!["hint.first_insert.arr_len.0" => int(1)],
        how: "insert once into make(map) and count the buckets of its array",
        source: at("map.go", 604, "h.buckets = newobject(t.bucket)"),
        experiment: "hint",
    },
    Claim {
        id: "a004-new-map-unusable",
        article: Article::A004,
        section: "2.5",
        quote: "new(map[string]int是类型错误用法,无法正常使用",
        says: "new(map[string]int) is a type error and cannot be used",
        check: parts![
            "go.new_map.compiles" => NO,
            "go.new_map.write_panics" => YES,
        ],
        how: "compile a program with new(map[string]int), then write through it",
        source: at("map.go", 580, "panic(plainError(\"assignment to entry in nil map\"))"),
        experiment: "goruntime",
    },
    Claim {
        id: "a004-literal-stays-on-stack",
        article: Article::A004,
        section: "2.5",
        quote: "return map[string]int{} // 不逃逸(小 map):编译器内联初始化",
        says: "a map literal returned from a function does not escape",
        check: parts![
            "go.escape.returned_literal_escapes" => NO,
            "go.escape.returned_make_escapes" => YES,
        ],
        how: "go build -gcflags=-m on the article's f1 and f2",
        source: at("map.go", 293, "func makemap_small() *hmap"),
        experiment: "goruntime",
    },
    Claim {
        id: "a004-strace-empty",
        article: Article::A004,
        section: "3.2",
        quote: "实际输出为空——证实 map 初始化完全在用户态内存完成",
        says: "the traced open/write/fdatasync calls of make(map[string]int) are none",
        check: parts!["go.strace.make_map.file_syscalls_delta" => int(0)],
        how: "strace a Go program with and without make(map[string]int, 100) and compare their file calls",
        source: at("map.go", 304, "func makemap(t *maptype, hint int, h *hmap) *hmap"),
        experiment: "syscalls",
    },
    Claim {
        id: "a004-17-rehashes-for-100k",
        article: Article::A004,
        section: "4.1",
        quote: "未预分配,10万条记录将触发约17次rehash(2→4→8→…→131072)",
        says: "without preallocation, 100,000 entries cause about 17 rehashes, ending at 131072 buckets",
        check: parts![
            "grow.doublings.100000" => Expect::Between(16.0, 18.0),
            "grow.final_buckets.100000" => int(131072),
        ],
        how: "insert 100,000 keys into make(map[uint64]uint64) and count its doublings and final buckets",
        source: at("map.go", 1086, "return count > bucketCnt"),
        experiment: "grow",
    },
    Claim {
        id: "a004-concurrent-write-or-range",
        article: Article::A004,
        section: "4.2",
        quote: "任意 goroutine 同时执行写操作(m[key] = val)或写+读(delete + range)即触发 runtime.throw(“concurrent map writes”)",
        says: "two writers, or a delete racing a range, both end in 'concurrent map writes'",
        check: parts![
            "go.concurrent.write_write.message" => text("concurrent map writes"),
            "go.concurrent.delete_range.message" => text("concurrent map writes"),
        ],
        how: "run the two races in Go 1.19 and read the fatal error each prints",
        source: at("map.go", 595, "fatal(\"concurrent map writes\")"),
        experiment: "goruntime",
    },
    Claim {
        id: "a004-hashwriting-atomic",
        article: Article::A004,
        section: "4.2",
        quote: "该 panic 由运行时在 mapassign_fast64 等底层函数中通过原子检查 h.flags&hashWriting 触发",
        says: "mapassign_fast64 and the others detect the race with an atomic check of h.flags&hashWriting",
        check: parts![
            "gosrc.fast64.checks_hashwriting" => YES,
            "gosrc.hashwriting_check_atomic" => YES,
        ],
        how: "read mapassign_fast64 for the hashWriting test and the map code for atomics on it",
        source: at("map_fast64.go", 101, "if h.flags&hashWriting != 0 {"),
        experiment: "gosrc",
    },
    Claim {
        id: "a004-check-then-set",
        article: Article::A004,
        section: "4.2",
        quote: "mapassign在插入前设置hashWriting标志位,若检测到另一 goroutine 已置位,则立即 panic",
        says: "mapassign checks hashWriting, fails at once if another goroutine set it, and sets it before inserting",
        check: parts![
            "gosrc.mapassign.checks_before_setting" => YES,
            "gosrc.concurrent_writes.unrecoverable" => YES,
        ],
        how: "read the order of the check and the set in Go 1.19's mapassign",
        source: at("map.go", 601, "h.flags ^= hashWriting"),
        experiment: "gosrc",
    },
    Claim {
        id: "a004-syncmap-read-hit-atomic",
        article: Article::A004,
        section: "4.2",
        quote: "B -->|是| C[原子更新 read map]",
        says: "a sync.Map write of a key the read map holds is an atomic update there; others lock and go to the dirty map",
        check: parts![
            "syncmap.store_existing_updates_read" => YES,
            "syncmap.store_new_goes_dirty" => YES,
        ],
        how: "store to a key of a SyncMap's read map and to a new key, and read the state after each",
        source: at("../sync/map.go", 146, "if e, ok := read.m[key]; ok && e.tryStore(&value) {"),
        experiment: "syncmap",
    },
    Claim {
        id: "a004-delete-frees-map",
        article: Article::A004,
        section: "4.4",
        quote: "delete(cache, key)或使用带 TTL 的bigcache",
        says: "deleting keys from a big map gives its memory back",
        check: parts![
            "shrink.bytes_ratio_after_delete" => Expect::AtMost(0.5),
            "go.shrink.bytes_ratio_after_delete" => Expect::AtMost(0.5),
        ],
        how: "fill a map with 10,000 keys, delete them all, and compare its bucket bytes, in gomap and in Go 1.19's heap",
        source: at("map.go", 762, "b.tophash[i] = emptyOne"),
        experiment: "shrink",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{evaluate, measure, Measurements, Verdict};
    use std::path::{Path, PathBuf};

    fn seeds() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
    }

    #[test]
    fn ids_are_unique() {
        for (i, c) in CLAIMS.iter().enumerate() {
            assert!(CLAIMS[..i].iter().all(|d| d.id != c.id), "{}", c.id);
        }
    }

    /// Every quote is a verbatim substring of its article (where the shared
    /// folder beside the repository is present).
    #[test]
    fn quotes_are_verbatim() {
        for c in CLAIMS {
            let Ok(text) = std::fs::read_to_string(seeds().join(c.article.file())) else {
                continue;
            };
            assert!(
                text.contains(c.quote),
                "{}: {:?} not in {}",
                c.id,
                c.quote,
                c.article.file()
            );
            assert!(c.quote.chars().count() <= 200, "{}: quote too long", c.id);
        }
    }

    /// The titles are the articles' own first lines.
    #[test]
    fn titles_are_the_articles() {
        for a in Article::ALL {
            let Ok(text) = std::fs::read_to_string(seeds().join(a.file())) else {
                continue;
            };
            assert!(
                text.lines().next().unwrap_or("").contains(a.title()),
                "{a:?}"
            );
        }
    }

    /// Every source line exists in Go 1.19 and says what the claim points at.
    #[test]
    fn sources_point_into_go_1_19() {
        let root = Path::new("/usr/lib/go-1.19/src/runtime");
        if !root.exists() {
            eprintln!("skipped: Go 1.19's sources are not at {}", root.display());
            return;
        }
        for c in CLAIMS {
            let Some(s) = c.source else { continue };
            let text = std::fs::read_to_string(root.join(s.file))
                .unwrap_or_else(|e| panic!("{}: {}: {e}", c.id, s.file));
            let line = text.lines().nth(s.line as usize - 1).unwrap_or("");
            assert!(
                line.contains(s.anchor),
                "{}: {s} is {line:?}, not {:?}",
                c.id,
                s.anchor
            );
        }
    }

    /// A claim's verdict follows its measurement: every measurable claim is
    /// decided once with values meeting each part and once with values
    /// breaking each, and the verdict moves from right to wrong.
    #[test]
    fn every_verdict_is_computed() {
        for c in CLAIMS {
            let Check::Parts(parts) = c.check else {
                continue;
            };
            let (mut meet, mut break_) = (Measurements::new(), Measurements::new());
            for p in parts {
                let (yes, no) = super::super::measure::witnesses(&p.expect)
                    .unwrap_or_else(|| panic!("{}: no witness for {}", c.id, p.expect));
                meet.put(p.key, yes, "x");
                break_.put(p.key, no, "x");
            }
            assert_eq!(evaluate(c, &meet).verdict, Verdict::Right, "{}", c.id);
            assert_eq!(evaluate(c, &break_).verdict, Verdict::Wrong, "{}", c.id);
        }
    }

    /// Every key a claim uses is recorded by a quick collection, unless its
    /// family is marked unavailable: a typo in a key cannot pass.
    #[test]
    fn every_key_is_measured() {
        let m = measure::collect(measure::Budget::Quick);
        let mut missing = Vec::new();
        for c in CLAIMS {
            let Check::Parts(parts) = c.check else {
                continue;
            };
            for p in parts {
                if m.get(p.key).is_none() && m.why_missing(p.key).is_none() {
                    missing.push(format!("{}: {}", c.id, p.key));
                }
            }
        }
        assert!(missing.is_empty(), "not measured: {missing:#?}");
    }

    /// Claims that are true of Go 1.19, decided on real measurements: a
    /// regression in gomap (or in a measurement) that flips one fails here.
    #[test]
    fn known_true_claims_come_out_right() {
        let m = measure::collect(measure::Budget::Quick);
        if m.why_missing("gosrc.").is_some() {
            eprintln!("skipped: Go 1.19's sources are not installed");
            return;
        }
        for id in KNOWN_TRUE {
            let c = CLAIMS
                .iter()
                .find(|c| c.id == *id)
                .unwrap_or_else(|| panic!("no claim {id}"));
            let checked = evaluate(c, &m);
            assert_eq!(
                checked.verdict,
                Verdict::Right,
                "{id}: {}",
                checked.measured
            );
        }
    }

    /// Claims known to be right (checked against Go 1.19's source and
    /// `shared/go-map/FACTS.md`).
    const KNOWN_TRUE: &[&str] = &[
        "a000-fast64-in-map-fast64-go",
        "a000-first-assign-one-bucket",
        "a000-hint-0-lazy-first-insert",
        "a001-tophash-first-8-bytes",
        "a001-oldbuckets-nil-unless-growing",
        "a001-gc-scans-both-arrays",
        "a001-overflow-when-full-no-free",
        "a001-long-chains-hot",
        "a002-same-size-rebuilds",
        "a002-concurrent-writes-fatal",
        "a002-oldbuckets-half",
        "a002-load-factor-formula",
        "a002-load-over-2b-table",
        "a002-x-y-halves",
        "a002-evacuated-marks",
        "a003-reuse-avoids-allocation",
        "a003-isempty-both-marks",
        "a003-emptyone-to-tophash",
        "a003-deleted-memory-stays",
        "a003-tophash-top-8",
        "a003-no-hint-one-bucket",
        "a003-prealloc-avoids-rehash",
        "a004-hmap-48-bytes",
        "a004-b-starts-0-doubles",
        "a004-incremental-no-stw",
        "a004-first-insert-one-bucket",
        "a004-check-then-set",
        "a004-syncmap-read-hit-atomic",
    ];

    /// Prints the catalogue's verdicts on a quick collection, per article and
    /// in all (`cargo test -p gomap-lab --lib claims::catalog::tests::counts -- --nocapture`).
    #[test]
    fn counts_by_article_and_verdict() {
        let m = measure::collect(measure::Budget::Quick);
        let checked = crate::claims::evaluate_all(&m);
        for a in Article::ALL {
            let of: Vec<_> = checked
                .iter()
                .filter(|c| c.article == a.file())
                .cloned()
                .collect();
            println!(
                "{:?}: {} claims {:?}",
                a,
                of.len(),
                crate::claims::counts(&of)
            );
        }
        println!(
            "all: {} claims {:?}",
            checked.len(),
            crate::claims::counts(&checked)
        );
        for c in &checked {
            println!("{:<14} {:<40} {}", c.verdict.as_str(), c.id, c.measured);
        }
        assert!(checked.len() >= 60);
    }
}
