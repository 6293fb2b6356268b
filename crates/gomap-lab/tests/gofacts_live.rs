//! Live measurements: Go 1.19's facts (`gofacts::collect`) and gomap's
//! system calls (`syscalls::probe_with`). Each test is skipped, with the
//! reason printed, where Go 1.19 or strace is not installed.

use gomap_lab::{gofacts, syscalls};
use std::path::Path;
use std::time::Instant;

#[test]
fn go119_facts_are_sane() {
    let start = Instant::now();
    let facts = match gofacts::collect() {
        Ok(f) => f,
        Err(e) if e.reason == gofacts::GO_MISSING => {
            eprintln!("skipped: {e}");
            return;
        }
        Err(e) => panic!("Go 1.19 is installed but collect failed: {e}"),
    };
    eprintln!("collect() took {:?}", start.elapsed());
    assert!(gofacts::is_go119(&facts.go_version));
    let l = &facts.layout;
    for c in &l.checks {
        assert!(c.ok, "{}: {}", c.name, c.detail);
    }
    assert_eq!(
        (
            l.hmap_size,
            l.mirror_size,
            l.hmap_alloc_bytes,
            l.mapextra_size
        ),
        (48, 48, 48, 24)
    );
    let offsets: Vec<(&str, i64)> = l
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.offset))
        .collect();
    assert_eq!(
        offsets,
        [
            ("count", 0),
            ("flags", 8),
            ("B", 9),
            ("noverflow", 10),
            ("hash0", 12),
            ("buckets", 16),
            ("oldbuckets", 24),
            ("nevacuate", 32),
            ("extra", 40)
        ]
    );
    assert_eq!(
        (l.constant("loadFactorNum"), l.constant("loadFactorDen")),
        (Some(13), Some(2))
    );
    let sizes: Vec<u16> = facts.buckets.iter().map(|b| b.bucket_size).collect();
    assert_eq!(sizes, [144, 208]);
    assert!(facts
        .buckets
        .iter()
        .all(|b| b.first_bucket_alloc_bytes == b.bucket_size as u64));
    // A map that stays in its frame allocates nothing for up to 8 keys.
    assert!(facts
        .stack_maps
        .iter()
        .filter(|s| s.inserts <= 8)
        .all(|s| s.mallocs == 0));
    // A hint of the final size: no allocation on the first insert, fewer in all.
    let fill = |hint, keys| {
        facts
            .fill
            .iter()
            .find(|f| f.hint == hint && f.keys == keys)
            .unwrap()
    };
    assert_eq!(fill(1024, 1024).first_insert.mallocs, 0);
    assert!(fill(1024, 1024).fill.mallocs < fill(0, 1024).fill.mallocs);
    // Emptying keeps B and the array.
    for s in &facts.shrink {
        assert_eq!(s.after_delete.b, s.before.b, "{}", s.how);
        assert!(s.after_delete.buckets_allocated && s.after_delete.count == 0);
        if s.how == "delete-each" {
            assert_eq!(
                s.after_delete.noverflow, s.before.noverflow,
                "deletes keep overflow buckets"
            );
        }
        assert!(s.after_drop.heap_inuse < s.after_delete.heap_inuse / 4);
    }
    assert!(facts.nil_map_write.recovered && facts.nil_map_write.is_runtime_error);
    for c in &facts.concurrent {
        assert!(c.is_fatal(), "{c:?}");
    }
    assert_eq!(
        facts.concurrent[0].fatal_error.as_deref(),
        Some("concurrent map writes")
    );
    let case = |f| {
        facts
            .escape_case(f)
            .unwrap_or_else(|| panic!("no escape case {f}"))
    };
    assert!(!case("MakeLocal").escapes && case("MakeReturned").escapes);
    assert!(!case("LiteralLocal").escapes && case("LiteralReturned").escapes);
    assert!(!case("NewLocal").escapes && case("NewReturned").escapes);
    match (&facts.strace, &facts.strace_missing) {
        (Some(s), _) => {
            assert_eq!(s.phase("make-small").map(|p| p.memory_calls()), Some(0));
            assert!(s
                .phase(syscalls::STARTUP_PHASE)
                .is_some_and(|p| p.mmap.calls > 0));
        }
        (None, why) => eprintln!("strace part skipped: {why:?}"),
    }
}

#[test]
fn gomap_probe_under_strace() {
    let binary = Path::new(env!("CARGO_BIN_EXE_gomap-syscall-probe"));
    if let Err(e) = syscalls::find_strace() {
        eprintln!("skipped: {e}");
        return;
    }
    let start = Instant::now();
    let keys = 1 << 20;
    let r = syscalls::probe_with(binary, keys).unwrap_or_else(|e| panic!("probe failed: {e}"));
    eprintln!("probe_with({keys}) took {:?}", start.elapsed());
    let phase = |n| r.phase(n).unwrap_or_else(|| panic!("no phase {n}"));
    assert_eq!(
        phase("new").memory_calls(),
        0,
        "GoMap::new allocates nothing"
    );
    let grow = phase("grow");
    assert!(
        grow.mmap.calls > 0 && grow.mmap.bytes > 30 << 20,
        "{grow:?}"
    );
    assert_eq!(
        phase("delete-all").munmap.calls,
        0,
        "emptying the map keeps its arrays"
    );
    assert!(phase("drop").munmap.bytes > 30 << 20);
    let state = |n| {
        r.map
            .iter()
            .find(|s| s.phase == n)
            .unwrap_or_else(|| panic!("no state {n}"))
    };
    assert_eq!((state("grow").count, state("grow").b), (keys as usize, 18));
    assert_eq!(state("delete-all").b, 18, "B stays when the map empties");
    assert_eq!(state("stats-empty").bytes, state("stats-full").bytes);
}
