//! The Swiss map's experiments run end to end (`swiss-hint`, `swiss-growth`,
//! `swiss-tombstones`, `swiss`): each `--json` row is checked against a
//! `SwissMap` built here with the same hasher and seeds — its own
//! `layout()`, `stats()` and events — not against literals alone; absurd
//! sizes exit 2.

use std::process::{Command, Output};

use gomap::events::Recorder;
use gomap::{GoMap, SwissMap, SwissNew};
use gomap_lab::hashers::fixed_swiss;
use gomap_lab::kv::LabKey;
use serde_json::Value;

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .args(args)
        .output()
        .expect("gomap-lab runs")
}

fn json_lines(args: &[&str]) -> Vec<Value> {
    let out = lab(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn n(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("{v} is not a count")) as usize
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn swiss_hint_rows_are_swiss_map_layouts() {
    let rows = json_lines(&[
        "swiss-hint",
        "--hints",
        "0,8,9,100,896,897,1024,10000",
        "--kv",
        "u64:u64,str:u64",
        "--json",
    ]);
    assert_eq!(rows.len(), 16);
    for r in &rows {
        let hint = n(&r["hint"]);
        let (dir_len, tables, capacity, groups, growth_left, bytes, group_size) =
            if r["kv"] == "u64:u64" {
                shape(&SwissMap::<u64, u64>::with_capacity(hint))
            } else {
                shape(&SwissMap::<Box<str>, u64>::with_capacity(hint))
            };
        assert_eq!(n(&r["dir_len"]), dir_len, "{r}");
        assert_eq!(n(&r["tables"]), tables, "{r}");
        assert_eq!(n(&r["capacity"]), capacity, "{r}");
        assert_eq!(n(&r["groups"]), groups, "{r}");
        assert_eq!(n(&r["growth_left"]), growth_left, "{r}");
        assert_eq!(n(&r["bytes"]), bytes, "{r}");
        assert_eq!(n(&r["group_size"]), group_size, "{r}");
        let classic: GoMap<u64, u64> = GoMap::with_capacity(hint);
        assert_eq!(n(&r["classic_B"]), usize::from(classic.header().b), "{r}");
    }
    // And Go 1.24+'s numbers (SWISS-FACTS.md): 897 gets two 512-slot tables.
    let row = |hint: u64| rows.iter().find(|r| r["hint"] == hint).unwrap();
    assert_eq!((n(&row(897)["tables"]), n(&row(897)["capacity"])), (2, 512));
    assert_eq!(n(&row(896)["growth_left"]), 896);
    assert_eq!(row(8)["allocated"], false);
}

type Shape = (usize, usize, usize, usize, usize, usize, usize);

fn shape<K: std::hash::Hash, V>(m: &SwissMap<K, V>) -> Shape {
    let l = m.layout();
    let s = m.stats();
    (
        l.header.dir_len,
        l.tables.len(),
        l.tables.first().map_or(0, |t| t.capacity),
        l.tables.iter().map(|t| t.groups.len()).sum::<usize>() + usize::from(l.small.is_some()),
        l.tables.iter().map(|t| t.growth_left).sum(),
        s.bytes.directory + s.bytes.groups,
        l.group_size,
    )
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn swiss_growth_rows_are_the_map_s_events() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("swiss-growth");
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("g.svg");
    let rows = json_lines(&[
        "swiss-growth",
        "--inserts",
        "4000",
        "--seed",
        "3",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    // The same inserts here, watched through the map's own observer.
    let mut m = fixed_swiss::<u64, u64>(0, 3);
    let log = Recorder::new();
    m.set_observer(log.clone());
    let mut expected = Vec::new();
    for i in 1..=4000u64 {
        m.insert(u64::nth(i), i);
        for e in log.take() {
            if matches!(e.name(), "rehash" | "split" | "dir_double" | "prune") {
                let h = m.header();
                expected.push((i, e.name().to_owned(), h.ntables, h.dir_len));
            }
        }
    }
    let got: Vec<(u64, String, usize, usize)> = rows
        .iter()
        .map(|r| {
            (
                r["insert"].as_u64().unwrap(),
                r["event"].as_str().unwrap().to_owned(),
                n(&r["tables"]),
                n(&r["dir_len"]),
            )
        })
        .collect();
    assert_eq!(got, expected);
    for r in &rows {
        assert_eq!(
            n(&r["entries"]) as u64,
            r["insert"].as_u64().unwrap() - 1,
            "{r}"
        );
    }
    let rehash: Vec<u64> = got
        .iter()
        .filter(|g| g.1 == "rehash")
        .map(|g| g.0)
        .collect();
    assert_eq!(rehash, [9, 15, 29, 57, 113, 225, 449]);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn swiss_tombstones_samples_keep_the_growth_left_invariant() {
    let lines = json_lines(&[
        "swiss-tombstones",
        "--entries",
        "2500",
        "--ops",
        "25000",
        "--samples",
        "25",
        "--json",
    ]);
    let totals = &lines[0];
    let steps: Vec<&Value> = lines.iter().filter(|l| l.get("step").is_some()).collect();
    let samples: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("growth_left").is_some())
        .collect();
    assert_eq!(samples.len(), 25);
    let prunes = steps.iter().filter(|s| s["step"] == "prune").count();
    assert_eq!(n(&totals["prunes"]), prunes);
    assert_eq!(totals["same_capacity_growths"], 0);
    // SwissMap's own rule: per table, 7/8 of the slots = used + growthLeft +
    // tombstones; summed over tables, with the map at its steady size.
    for s in &samples {
        assert_eq!(
            n(&s["slots"]) * 7 / 8,
            2500 + n(&s["growth_left"]) + n(&s["tombstones"]),
            "{s}"
        );
    }
    assert!(samples.iter().any(|s| n(&s["tombstones"]) > 0));
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn swiss_section_measures_both_generations_on_one_workload() {
    let lines = json_lines(&["swiss", "--inserts", "3000", "--runs", "1", "--json"]);
    let rows = |kind: &str| -> Vec<&Value> { lines.iter().filter(|l| l["row"] == kind).collect() };
    // Bytes and probes are the maps' own stats at that size.
    let sizes = rows("size");
    assert_eq!(sizes.len(), 4);
    for r in sizes {
        let entries = r["entries"].as_u64().unwrap();
        let mut m = fixed_swiss::<u64, u64>(0, 1);
        for i in 1..=entries {
            m.insert(u64::nth(i), i);
        }
        let s = m.stats();
        let per_entry = s.bytes.total as f64 / entries as f64;
        assert!(
            (r["swiss_bytes_per_entry"].as_f64().unwrap() - per_entry).abs() < 1e-9,
            "{r}"
        );
        assert_eq!(r["swiss_hit_max"], s.probe.hit_max);
        assert_eq!(r["swiss_miss_max"], s.probe.miss_max);
    }
    let growth = rows("growth");
    let splits = growth.iter().find(|g| g["step"] == "split").unwrap();
    assert_eq!(splits["map"], "swiss");
    assert_eq!(splits["at"][0], 897);
    let doublings = growth.iter().find(|g| g["step"] == "doubling").unwrap();
    assert_eq!(doublings["at"][0], 9);
    for p in rows("pause") {
        assert!(
            p["max_ns"].as_u64().unwrap() >= p["p999_ns"].as_u64().unwrap(),
            "{p}"
        );
    }
    let claims = rows("claim");
    assert!(claims.len() >= 6);
    let load = claims
        .iter()
        .find(|c| c["id"] == "a002-load-factor-formula")
        .unwrap();
    assert_eq!(load["classic_verdict"], "right");
    assert_eq!(load["swiss_verdict"], "wrong");
    assert!(load["swiss_measured"]
        .as_str()
        .unwrap()
        .contains("7 entries per 8-slot group"));
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn absurd_sizes_exit_2() {
    for args in [
        &["swiss-growth", "--inserts", "999999999999"][..],
        &["swiss-growth", "--inserts", "0"],
        &["swiss-hint", "--hints", "99999999999"],
        &["swiss-tombstones", "--entries", "3"],
        &["swiss-tombstones", "--ops", "1e9"],
        &["swiss", "--inserts", "100000000000"],
        &["swiss", "--runs", "0"],
    ] {
        let out = lab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error"),
            "{args:?}"
        );
    }
}
