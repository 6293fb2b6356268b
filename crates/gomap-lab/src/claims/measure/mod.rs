//! The measurements the claims are decided on.
//!
//! [`collect`] runs small, fast measurements on gomap (whose layout and
//! growth are Go 1.19's, as the oracle replay proves), reads Go 1.19's own
//! source where a claim names something the runtime has or lacks, and, for
//! what only Go's runtime can answer, takes Go 1.19's own answers. Each
//! provider fills one family of keys; every key is listed here with its type.
//! A key's value is always computed by running or reading something — none
//! restates a fact of Go's by hand.
//!
//! # Families measured on gomap
//!
//! - `hint.b.N` (int): the `B` of `make(map[uint64]uint64, N)`;
//!   `hint.buckets.N` (int): `2^B`; `hint.allocated.N` (int): buckets the
//!   array allocated by `make` holds (0: none until the first insert);
//!   `hint.bucket_bytes.N` (int): bytes of that array;
//!   `hint.first_hint_above_b0` (int): the smallest hint whose `B` is not 0;
//!   `hint.first_insert.arr_len.0` (int): buckets a hint-0 map holds after
//!   one insert.
//! - `grow.*` (filling a map from empty, watched through `gomap::events`):
//!   `grow.count_at_start.bN` (int): entries when the doubling from `B = N`
//!   started; `grow.first_insert_grows` (bool): the first insert into an
//!   empty map starts a growth; `grow.doublings.100000`, `grow.final_b.100000`,
//!   `grow.final_buckets.100000` (int): doublings, `B` and buckets after
//!   100,000 inserts without a hint; `grow.max_evacuations_per_write` (int):
//!   most old buckets one insert evacuated; `grow.u64_insert_does_growth_work`
//!   (bool): an insert into a `u64` map evacuates while growing;
//!   `grow.lookups_evacuate` (bool): lookups during a growth evacuate;
//!   `grow.double.b_step` (int), `grow.double.bucket_ratio` (float),
//!   `grow.double.old_over_new` (float: old array / new array while growing);
//!   `grow.double.bytes_during_over_before`, `grow.double.bytes_after_over_before`
//!   (float: bucket bytes mid-growth and after, over those before it);
//!   `grow.old_present_iff_growing` (bool); `grow.both_arrays_hold_entries`
//!   (bool); `grow.evacuates_buckets_without_overflow` (bool);
//!   `grow.x_keeps_index`, `grow.y_adds_old_size` (bool: where evacuated
//!   entries land); `grow.doubles_past_b15` (bool: a map at `B = 15` still
//!   doubles); `grow.same_size.exists` (bool), `grow.same_size.min_b` (int:
//!   `B` of the same-size growth provoked), `grow.same_size.noverflow_ratio_at_start`
//!   (float: `noverflow / 2^B` when it started), `grow.same_size.keeps_b`
//!   (bool), `grow.same_size.flag` (int: header flags mid-growth),
//!   `grow.same_size.new_array` (bool: it allocates a new array),
//!   `grow.same_size.overflow_after_over_before` (float);
//!   `grow.large_key.extra_growths` (int: growths of 1,000 200-byte keys
//!   beyond those of 1,000 `u64` keys).
//! - `loadfactor.count_over_2b_at_growth.bN`, `loadfactor.count_over_b_at_growth.bN`
//!   (float: entries over `2^B`, and over `B`, when the doubling from `B = N`
//!   started); `loadfactor.max_load_without_growth.b4` (float: the fullest a
//!   `B = 4` map gets without growing); `loadfactor.load_after_trigger.b4`.
//! - `layout.bucket_size.u64_u64`, `layout.bucket_size.string_int` (int: bytes
//!   per bucket; a Go string is 16 bytes, like `Box<str>`); `layout.slots`
//!   (int); `layout.tophash_bytes` (int); `layout.overflow_ptr_bytes` (int);
//!   `layout.segments` (int: parts of a bucket); `layout.string_key_by_pointer`
//!   (bool: 16-byte keys stored as pointers); `layout.key200.indirect` (bool);
//!   `layout.tophash_top8` (bool: a full slot's mark is the hash's top byte).
//! - `offsets.KV.{tophash,keys,values,overflow}` (int, `KV` = `u64_u64` or
//!   `string_int`): byte offsets of the four parts in a bucket.
//! - `tophash.*` (int): the marks a real map writes — `empty_rest`,
//!   `empty_one`, `evacuated_x`, `evacuated_y`, `evacuated_empty`, `min_full`
//!   (the mark of a full slot whose hash's top byte is 0), `after_delete_mid`
//!   (a delete with a full slot after it), `after_delete_last`.
//! - `overflow.chain_full_at.b4` (int: entries in a bucket when its first
//!   overflow bucket is linked, `B = 4`); `overflow.first_source.b4` (str:
//!   `pool` or `heap`); `overflow.next_bucket_probed` (bool: a full bucket's
//!   key goes to the next bucket); `overflow.heap_share.b12` (float: share of
//!   overflow buckets allocated on their own, at load 6.5).
//! - `cachelines.*` (float): 64-byte lines a lookup reads (tophash bytes,
//!   each key whose tophash matches, the value, overflow links), mean over a
//!   real `B = 8` map's keys (`hit`) or over absent keys (`miss`), at loads
//!   4 and 6.5: `cachelines.{hit,miss}.mean.load{4,6_5}`,
//!   `cachelines.hit.max.load6_5`, `cachelines.miss.long_over_short` (mean
//!   miss lines on chains with overflow over those on single buckets). The
//!   model puts the bucket array and each heap overflow bucket at a 64-byte
//!   boundary.
//! - `lookups.false_matches` (int): wrong answers of lookups among keys whose
//!   tophash and bucket are equal.
//! - `reuse.*`: `needs_tophash_match` (bool: only a key with the deleted
//!   key's tophash reuses its slot), `empty_one_reused` (bool),
//!   `top_before`, `top_after_is_hash`, `no_alloc` (bool: the reinsert takes
//!   no bucket), `native_reuses_deleted_slot` (bool), `load_at_reuse` (float:
//!   load of a map where a reuse was seen).
//! - `rangegrow.*` (a `range()` cursor walking a map while inserts and
//!   deletes grow it): `repeated`, `missed`, `invented`, `deleted_yielded`
//!   (int: entries yielded twice, present throughout but never yielded, never
//!   inserted, deleted before reached yet yielded), `growths_during` (int),
//!   `inserted_some_seen`, `inserted_some_unseen` (bool).
//! - `shrink.*`: `b_before`, `b_after_delete`, `b_drop`, `b_after_clear`
//!   (int); `bytes_before`, `bytes_after_delete`, `bytes_after_clear` (int);
//!   `bytes_ratio_after_delete`, `bytes_ratio_after_clear` (float);
//!   `overflow_pruned` (bool: deleting every key of a long chain unlinks
//!   overflow buckets).
//! - `prealloc.doublings.hint0_n1024`, `prealloc.doublings.hint1024_n1024` (int).
//! - `syncmap.*` (gomap's `SyncMap`, Go's `sync.Map` state for state):
//!   `misses_to_promote.dirty5`, `misses_to_promote.dirty20` (int),
//!   `promotes_on_dirty_size` (bool), `amended_without_dirty_seen` (bool),
//!   `deleted_stays_in_read` (bool), `store_existing_updates_read` (bool),
//!   `store_new_goes_dirty` (bool), `loadorstore_hits_read` (bool),
//!   `expunged_on_dirty_build` (bool), `race.delete_loadorstore_panics` (bool).
//!
//! # Go 1.19's source (`gosrc.*`; needs the sources of `golang-1.19-go`)
//!
//! `gosrc.defines.NAME` (bool: `runtime/*.go` or `sync/map.go` declares
//! `func NAME`); `gosrc.mentions.NAME` (bool: the name occurs anywhere in
//! `runtime/*.go`); `gosrc.file.NAME` (bool: `runtime/NAME` exists);
//! `gosrc.mcache_go.defines.allocSpan`; `gosrc.reflect.defines.MapHeader`;
//! `gosrc.directive.dumpmaps` (bool: the compiler or runtime knows a
//! `go:dumpmaps` directive); `gosrc.hmap.size`, `gosrc.hmap.offset.FIELD`
//! (int: `hmap` laid out by amd64's sizes and alignment from its declaration);
//! `gosrc.hmap.has_field.NAME`, `gosrc.bmap.has_field.NAME` (bool);
//! `gosrc.flag_defined.NAME` (bool: a header flag constant); `gosrc.growth_triggers`
//! (int: conditions that start a growth in `mapassign`);
//! `gosrc.fast64.{calls_growwork,handles_growing,checks_hashwriting,uses_atomic_or8}`
//! (bool); `gosrc.hashwriting_check_atomic`, `gosrc.nevacuate_atomic` (bool);
//! `gosrc.mapdelete.tophash_store` (str: `plain` or `atomic`);
//! `gosrc.makemap.calls_roundupsize` (bool); `gosrc.concurrent_writes.unrecoverable`
//! (bool: raised by `fatal` or `throw`, never by `panic`);
//! `gosrc.concurrent_writes.call` (str: `fatal` or `throw`);
//! `gosrc.mapassign.checks_before_setting` (bool).
//!
//! # Go 1.19's runtime (`go.*`; from `gofacts`, marked unavailable until it is wired)
//!
//! - `go.hmap.size`, `go.hmap.offset.{count,flags,B,noverflow,hash0,buckets,oldbuckets,nevacuate,extra}`
//!   (int): `unsafe.Sizeof`/`Offsetof` of a mirror Go checks against a live map.
//! - `go.concurrent.write_write.message` (str: the fatal error two writing
//!   goroutines get, without `fatal error: `), `go.concurrent.delete_range.message`
//!   (str: the same for a delete racing a range), `go.concurrent.recoverable`
//!   (bool: `recover()` catches it).
//! - `go.allocs.make_and_insert.hint0`, `go.allocs.make_and_insert.hint1024`
//!   (float: allocs/op of `make` plus one insert, map escaping).
//! - `go.escape.make_nonescaping_on_stack` (bool), `go.escape.returned_literal_escapes`
//!   (bool), `go.escape.returned_make_escapes` (bool),
//!   `go.asm.nonescaping_make_calls_runtime` (bool: a non-escaping
//!   `make(map[string]int)` still calls into the runtime).
//! - `go.new_map.compiles` (bool), `go.new_map.write_panics` (bool: `(*new(map[string]int))["a"] = 1`).
//! - `go.strace.make_map.file_syscalls_delta` (int: open/openat/write/fsync/fdatasync
//!   calls of a program with `make(map[string]int, 100)` minus those of the same
//!   program without it); `go.strace.make_map.openat_whole_program` (int);
//!   `go.strace.make_map.mmap_anon_whole_program` (int).
//! - `go.shrink.bytes_ratio_after_delete` (float: heap in use by a map after
//!   deleting every key, over before).
//!
//! # gomap's system calls (`syscalls.*`; from `syscalls`, unavailable until wired)
//!
//! - `syscalls.gomap.file_syscalls` (int: file system calls made by
//!   `GoMap::new`, its first insert and a growth to `B = 16`).

use serde_json::Value;

use super::{Expect, Lit, Measurements};
use crate::gofacts::{GoFacts, GoUnavailable};
use crate::syscalls::{PhaseSyscalls, SyscallReport, Unavailable as SyscallsUnavailable};

mod gosrc;
mod growth;
mod layout;
mod reuse;
mod syncmap;

/// How much a collection may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Seconds: what `gomap-lab claims` and the report's `--quick` run.
    Quick,
    /// The report's full sizes. Every measurement here is already small and
    /// exact, so both budgets measure the same maps.
    Full,
}

/// Every measurement the catalogue needs.
pub fn collect(budget: Budget) -> Measurements {
    let _ = budget;
    let mut m = on_gomap();
    syncmap::syncmap(&mut m);
    gosrc::gosrc(&mut m, std::path::Path::new(gosrc::GO_ROOT));
    // Go 1.19's programs and strace of gomap take seconds each and are
    // independent: run them side by side.
    let (facts, traced) = std::thread::scope(|s| {
        let facts = s.spawn(crate::gofacts::collect);
        let traced = crate::syscalls::probe();
        (
            facts.join().unwrap_or_else(|_| {
                Err(GoUnavailable {
                    reason: "measuring Go 1.19 panicked".to_owned(),
                })
            }),
            traced,
        )
    });
    go(&mut m, facts);
    syscalls(&mut m, traced);
    m
}

/// The families measured on `GoMap` alone (hint, growth, layout, reuse):
/// no other process, no Go, well under a second. The Swiss map's section
/// decides the classic map's claims on these.
pub fn on_gomap() -> Measurements {
    let mut m = Measurements::new();
    growth::hint(&mut m);
    growth::grow(&mut m);
    growth::same_size(&mut m);
    growth::large_keys(&mut m);
    growth::past_b15(&mut m);
    growth::shrink(&mut m);
    growth::prealloc(&mut m);
    growth::range_across_growth(&mut m);
    layout::layout(&mut m);
    layout::tophash(&mut m);
    layout::overflow(&mut m);
    layout::cachelines(&mut m);
    layout::lookups(&mut m);
    reuse::reuse(&mut m);
    m
}

/// `go.*`: answers only Go 1.19's runtime has, from [`crate::gofacts`]; the
/// whole family is `needs-go`, with the reason, when Go 1.19 cannot be run.
fn go(m: &mut Measurements, facts: Result<GoFacts, GoUnavailable>) {
    match facts {
        Ok(f) => go_facts(m, &f),
        Err(e) => m.unavailable("go.", e.reason, true),
    }
}

/// Puts the `go.*` keys read off `f`. A key whose part of the facts is
/// missing is left out, so the claims reading it say so.
fn go_facts(m: &mut Measurements, f: &GoFacts) {
    let v = &f.go_version;
    m.put(
        "go.hmap.size",
        f.layout.hmap_size,
        format!("{v}: hmap is {} bytes", f.layout.hmap_size),
    );
    for field in &f.layout.fields {
        m.put(
            format!("go.hmap.offset.{}", field.name),
            field.offset,
            format!("{v}: hmap.{} at byte {}", field.name, field.offset),
        );
    }
    // make plus the first insert, the map escaping: make's own mallocs
    // (the `hints` runs) and the first insert's (the `fill` runs).
    for hint in [0i64, 1024] {
        let make = f
            .hints
            .iter()
            .find(|h| h.map_type == "map[int]int" && h.hint == hint);
        let first = f.fill.iter().find(|r| r.hint == hint);
        if let (Some(make), Some(first)) = (make, first) {
            let allocs = make.mallocs + first.first_insert.mallocs;
            m.put(
                format!("go.allocs.make_and_insert.hint{hint}"),
                allocs as f64,
                format!(
                    "{v}: make(map[int]int, {hint}) and one insert: {allocs} allocations ({} by make, {} by the insert)",
                    make.mallocs, first.first_insert.mallocs
                ),
            );
        }
    }
    let escape = |name: &str| f.escape_case(name);
    if let Some(c) = escape("MakeLocal") {
        let on_stack = !c.escapes && !c.runtime_calls.iter().any(|r| r.starts_with("makemap"));
        m.put(
            "go.escape.make_nonescaping_on_stack",
            on_stack,
            format!(
                "{v}: a make(map[string]int) that never leaves its function {} (runtime calls: {})",
                if c.escapes {
                    "escapes"
                } else {
                    "does not escape"
                },
                c.runtime_calls.join(", ")
            ),
        );
        m.put(
            "go.asm.nonescaping_make_calls_runtime",
            !c.runtime_calls.is_empty(),
            format!("{v}: its code calls {}", c.runtime_calls.join(", ")),
        );
    }
    for (key, name, what) in [
        (
            "go.escape.returned_literal_escapes",
            "LiteralReturned",
            "a returned map[string]int{}",
        ),
        (
            "go.escape.returned_make_escapes",
            "MakeReturned",
            "a returned make(map[string]int)",
        ),
    ] {
        if let Some(c) = escape(name) {
            m.put(
                key,
                c.escapes,
                format!(
                    "{v}: {what} {}",
                    if c.escapes {
                        "escapes to the heap"
                    } else {
                        "stays on the stack"
                    }
                ),
            );
        }
    }
    // new(map[string]int) compiles (the escape file has functions using it,
    // and it built), and writing through it panics with a nil-map error.
    let new_compiles = escape("NewLocal").is_some() || escape("NewReturned").is_some();
    m.put(
        "go.new_map.compiles",
        new_compiles,
        format!(
            "{v}: new(map[string]int) {}",
            if new_compiles {
                "compiles"
            } else {
                "was not compiled"
            }
        ),
    );
    let w = &f.nil_map_write;
    m.put(
        "go.new_map.write_panics",
        w.recovered && w.is_runtime_error,
        format!(
            "{v}: writing through it panics with {:?}, which recover() catches",
            w.message
        ),
    );
    let crash = |kind: &str| f.concurrent.iter().find(|c| c.kind == kind);
    for (key, kind, what) in [
        (
            "go.concurrent.write_write.message",
            "writes",
            "two goroutines writing",
        ),
        (
            "go.concurrent.delete_range.message",
            "iterate-write",
            "a delete racing a range",
        ),
    ] {
        if let Some(c) = crash(kind) {
            if let Some(msg) = &c.fatal_error {
                m.put(
                    key,
                    msg.as_str(),
                    format!(
                        "{v}: {what} dies with \"fatal error: {msg}\" (exit {:?})",
                        c.exit_code
                    ),
                );
            }
        }
    }
    if let Some(c) = crash("writes") {
        m.put(
            "go.concurrent.recoverable",
            c.recovered,
            format!(
                "{v}: recover() {} it",
                if c.recovered {
                    "catches"
                } else {
                    "never catches"
                }
            ),
        );
    }
    if let Some(s) = f.shrink.iter().find(|s| s.how == "delete-each") {
        let ratio = s.after_delete.heap_inuse as f64 / s.before.heap_inuse.max(1) as f64;
        m.put(
            "go.shrink.bytes_ratio_after_delete",
            ratio,
            format!(
                "{v}: deleting all {} keys leaves B = {} and {:.2}× the heap in use ({} → {} bytes)",
                s.keys, s.after_delete.b, ratio, s.before.heap_inuse, s.after_delete.heap_inuse
            ),
        );
    }
    match &f.strace {
        Some(t) => {
            let file_calls = |p: &PhaseSyscalls| {
                p.opened.len() as u64
                    + ["write", "fsync", "fdatasync"]
                        .iter()
                        .filter_map(|n| p.other.get(*n))
                        .sum::<u64>()
            };
            let make: u64 = ["make-small", "make-hint-100"]
                .iter()
                .filter_map(|n| t.phase(n))
                .map(file_calls)
                .sum();
            m.put(
                "go.strace.make_map.file_syscalls_delta",
                make,
                format!("{v} under strace: make(map[string]int) and make(map[string]int, 100) make {make} file calls"),
            );
            let opened: usize = t.phases.iter().map(|p| p.opened.len()).sum();
            let names: Vec<&str> = t
                .phases
                .iter()
                .flat_map(|p| p.opened.iter().map(String::as_str))
                .collect();
            m.put(
                "go.strace.make_map.openat_whole_program",
                opened,
                format!(
                    "the whole program opens {opened} file(s): {}",
                    names.join(", ")
                ),
            );
            let mmaps: u64 = t.phases.iter().map(|p| p.mmap.calls).sum();
            put_phases(m, "go.strace", v, &t.phases);
            m.put(
                "go.strace.make_map.mmap_anon_whole_program",
                mmaps,
                format!("and makes {mmaps} anonymous mmap calls"),
            );
        }
        None => m.unavailable(
            "go.strace.",
            f.strace_missing
                .clone()
                .unwrap_or_else(|| "strace is not installed".to_owned()),
            false,
        ),
    }
}

/// `PREFIX.phase.NAME` for every traced phase: its memory calls, counted,
/// for the report's table of what the kernel is asked for.
fn put_phases(m: &mut Measurements, prefix: &str, who: &str, phases: &[PhaseSyscalls]) {
    for p in phases {
        let mb = |b: u64| b as f64 / (1 << 20) as f64;
        let madvise = p.madvise_total();
        let shown = format!(
            "{who}, phase {}: {} mmap ({:.1} MiB), {} munmap ({:.1} MiB), {} mremap, {} madvise, {} brk, {} file opened",
            p.phase,
            p.mmap.calls,
            mb(p.mmap.bytes),
            p.munmap.calls,
            mb(p.munmap.bytes),
            p.mremap.calls,
            madvise.calls,
            p.brk.calls,
            p.opened.len()
        );
        let value = serde_json::json!({
            "mmap": p.mmap.calls, "mmap_bytes": p.mmap.bytes,
            "munmap": p.munmap.calls, "munmap_bytes": p.munmap.bytes,
            "mremap": p.mremap.calls, "madvise": madvise.calls,
            "brk": p.brk.calls, "opened": p.opened.len(),
        });
        m.put(format!("{prefix}.phase.{}", p.phase), value, shown);
    }
}

/// `syscalls.*`: gomap's own system calls, traced with strace
/// ([`crate::syscalls`]); not-measurable, with the reason, without strace.
fn syscalls(m: &mut Measurements, report: Result<SyscallReport, SyscallsUnavailable>) {
    let r = match report {
        Ok(r) => r,
        Err(e) => return m.unavailable("syscalls.", e.reason, false),
    };
    let phases = ["new", "first-insert", "grow"];
    let file: u64 = phases
        .iter()
        .filter_map(|n| r.phase(n))
        .map(|p| {
            p.opened.len() as u64
                + ["fsync", "fdatasync"]
                    .iter()
                    .filter_map(|n| p.other.get(*n))
                    .sum::<u64>()
        })
        .sum();
    let mmaps: u64 = phases
        .iter()
        .filter_map(|n| r.phase(n))
        .map(|p| p.mmap.calls)
        .sum();
    put_phases(m, "syscalls.gomap", "gomap", &r.phases);
    m.put(
        "syscalls.gomap.file_syscalls",
        file,
        format!(
            "gomap under strace: GoMap::new, its first insert and {} inserts make {file} file calls (and {mmaps} mmap calls for arrays ≥ 128 KiB)",
            r.keys
        ),
    );
}

/// The reader's words for a yes/no.
pub(crate) fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A value meeting `e` and one breaking it, for the tests that see each
/// verdict change with its measurement. A rule's witnesses are listed by its
/// description in [`rule_witnesses`].
pub fn witnesses(e: &Expect) -> Option<(Value, Value)> {
    let lit = |l: Lit| -> (Value, Value) {
        match l {
            Lit::Int(i) => (i.into(), (i + 1).into()),
            Lit::Float(x) => (x.into(), (x * 2.0 + 1.0).into()),
            Lit::Bool(b) => (b.into(), (!b).into()),
            Lit::Str(s) => (s.into(), format!("not {s}").into()),
        }
    };
    Some(match *e {
        Expect::Eq(l) => lit(l),
        Expect::Ne(l) => {
            let (a, b) = lit(l);
            (b, a)
        }
        Expect::AtLeast(x) => (x.into(), (x - 1.0).into()),
        Expect::AtMost(x) => (x.into(), (x + 1.0).into()),
        Expect::Between(lo, hi) => (lo.into(), (hi + 1.0).into()),
        Expect::Rule(desc, _) => return rule_witnesses(desc),
    })
}

/// A value meeting and one breaking each rule the catalogue uses, by the
/// rule's description.
pub fn rule_witnesses(desc: &str) -> Option<(Value, Value)> {
    Some(match desc {
        "> 1" => (1.5.into(), 1.0.into()),
        "> 6.5" => (7.0.into(), 6.5.into()),
        "low 3 bits clear" => (8.into(), 1.into()),
        _ => return None,
    })
}

/// A `BuildHasher` whose hash of a `u64` key is the key itself (the map's
/// seed is ignored), so a measurement chooses each key's bucket (its low
/// bits) and tophash (its top byte).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ident;

/// The hasher of [`Ident`].
pub(crate) struct IdentHasher(u64);

impl std::hash::BuildHasher for Ident {
    type Hasher = IdentHasher;

    fn build_hasher(&self) -> IdentHasher {
        IdentHasher(0)
    }
}

impl std::hash::Hasher for IdentHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u32(&mut self, _seed: u32) {}

    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

/// A key for an [`Ident`] map: tophash byte `top`, low bits `bucket`, and
/// `n` in between to tell keys apart.
pub(crate) fn ident_key(top: u8, n: u64, bucket: u64) -> u64 {
    (u64::from(top) << 56) | ((n & 0xFF_FFFF) << 24) | (bucket & 0xFF_FFFF)
}

/// Every event a map reports, kept until taken.
#[derive(Clone, Default)]
pub(crate) struct Log(std::sync::Arc<std::sync::Mutex<Vec<gomap::events::Event>>>);

impl gomap::events::Observer for Log {
    fn on_event(&mut self, e: &gomap::events::Event) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(e.clone());
    }
}

impl Log {
    /// The events since the last take.
    pub(crate) fn take(&self) -> Vec<gomap::events::Event> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test -p gomap-lab --lib prints_every -- --nocapture` lists them.
    #[test]
    fn prints_every_measurement() {
        let t = std::time::Instant::now();
        let m = collect(Budget::Quick);
        for k in m.keys() {
            let v = m.get(k).unwrap();
            println!("{k} = {} | {}", v.value, v.shown);
        }
        println!("took {:?}", t.elapsed());
    }
}
