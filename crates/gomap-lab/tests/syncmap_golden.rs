//! `SyncMap` replays every script of `testdata/syncmap/` and must reach, after
//! every op, the state Go 1.19's `sync.Map` reached in the committed recording
//! (`scripts/record-syncmap.sh`): the op's result, the read map's length and
//! amended flag, the dirty map's length (or its absence), the miss count, and
//! each key's entry in both maps (live value, deleted, expunged) and whether the
//! maps share it.

use std::path::{Path, PathBuf};

use gomap_lab::syncmap_oracle::{compare, parse_recording, parse_script, run_script};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/syncmap")
}

/// The script names (without `.txt`), sorted.
fn scripts() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("testdata/syncmap exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".txt")?.to_owned())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_script_has_a_recording_that_covers_it() {
    let names = scripts();
    assert!(names.len() >= 5, "scripts: {names:?}");
    for name in &names {
        let recording = dir().join(format!("{name}.jsonl"));
        assert!(
            recording.exists(),
            "{name}.txt has no recording; run scripts/record-syncmap.sh"
        );
    }
}

#[test]
fn syncmap_matches_go_after_every_op() {
    let mut failures = Vec::new();
    for name in scripts() {
        let script_path = dir().join(format!("{name}.txt"));
        let rec_path = dir().join(format!("{name}.jsonl"));
        let script = std::fs::read_to_string(&script_path).unwrap();
        let recording = std::fs::read_to_string(&rec_path).unwrap();
        let ops = parse_script(&script_path.display().to_string(), &script).unwrap();
        let go = parse_recording(&rec_path.display().to_string(), &recording).unwrap();
        let ours = run_script(&ops);
        assert_eq!(go.len(), ops.len(), "{name}: one record per op");
        match compare(&rec_path.display().to_string(), &go, &ours).unwrap() {
            None => {}
            Some(d) => failures.push(format!("{name}.txt: {d}")),
        }
    }
    assert!(
        failures.is_empty(),
        "SyncMap differs from Go 1.19's sync.Map:\n{}",
        failures.join("\n")
    );
}

/// The comparison sees a promotion one miss early: Go's recording of
/// `promotion.txt` with the promoting miss moved one load earlier (as a map
/// that promoted at misses + 1 >= len(dirty) would behave) is a difference.
#[test]
fn a_promotion_one_miss_early_is_caught() {
    let script = std::fs::read_to_string(dir().join("promotion.txt")).unwrap();
    let recording = std::fs::read_to_string(dir().join("promotion.jsonl")).unwrap();
    let ours = run_script(&parse_script("promotion.txt", &script).unwrap());
    let mut go = parse_recording("promotion.jsonl", &recording).unwrap();
    // The record of the second miss (misses = 2 of len(dirty) = 3).
    let i = go
        .iter()
        .position(|s| s.misses == 2 && s.dirty_len == Some(3))
        .expect("promotion.txt reaches miss 2 of 3");
    let promoted = go[i + 1].clone();
    go[i] = gomap_lab::syncmap_oracle::Step {
        line: go[i].line,
        op: go[i].op,
        result: go[i].result.clone(),
        ..promoted
    };
    let d = compare("promotion.jsonl", &go, &ours)
        .unwrap()
        .expect("an early promotion must differ");
    assert_eq!(d.line, go[i].line);
    assert_eq!(d.what, "read_len", "{d}");
}
