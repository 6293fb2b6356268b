//! The experiment subcommands run end to end: `--json` output parses and carries
//! Go's numbers, figures are written, bad arguments exit 2, and `report --quick`
//! writes its page with every section. Sizes are small to keep the suite fast.

use std::path::{Path, PathBuf};
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the lab, expects success, and parses every stdout line as JSON.
fn json_lines(args: &[&str]) -> Vec<Value> {
    let out = lab(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("experiments")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn svg_at(path: &Path) -> String {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    svg
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn every_subcommand_has_help() {
    let out = lab(&["--help"]);
    let help = text(&out.stdout);
    for command in [
        "hint",
        "grow",
        "layout",
        "reuse",
        "prealloc",
        "loadfactor",
        "latency",
        "trace",
        "syncmap",
        "swiss",
        "swiss-hint",
        "swiss-growth",
        "swiss-tombstones",
        "report",
    ] {
        assert!(help.contains(command), "{help}");
        let sub = lab(&[command, "--help"]);
        assert_eq!(sub.status.code(), Some(0), "{command}");
        assert!(text(&sub.stdout).contains("Usage: gomap-lab"), "{command}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn hint_json_has_go_s_b_and_pool() {
    let rows = json_lines(&["hint", "--hints", "0,8,9,13,14,53,104,105,1024", "--json"]);
    let by_hint = |h: u64| rows.iter().find(|r| r["hint"] == h).unwrap();
    for (hint, b, buckets, pool) in [
        (0, 0, 1, 0),
        (8, 0, 1, 0),
        (9, 1, 2, 0),
        (13, 1, 2, 0),
        (14, 2, 4, 0),
        (53, 4, 16, 2),
        (104, 4, 16, 2),
        (105, 5, 32, 5),
        (1024, 8, 256, 28),
    ] {
        let r = by_hint(hint);
        assert_eq!(r["B"], b, "{r}");
        assert_eq!(r["buckets"], buckets, "{r}");
        assert_eq!(r["prealloc_overflow"], pool, "{r}");
    }
    // The articles' claims ride along: "hint 8 gives B = 3", "hint 9 gives B = 4".
    assert_eq!(by_hint(8)["claimed_b"], 3);
    assert_eq!(by_hint(9)["claimed_b"], 4);
    assert_eq!(by_hint(53)["bytes"], 18 * 144);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn hint_pools_depend_on_the_bucket_size() {
    let rows = json_lines(&[
        "hint",
        "--hints",
        "53-54,105",
        "--kv",
        "str:u64,u8:u64,k200:u64",
        "--json",
    ]);
    assert_eq!(rows.len(), 9);
    let pool = |kv: &str, hint: u64| {
        rows.iter()
            .find(|r| r["kv"] == kv && r["hint"] == hint)
            .unwrap()["prealloc_overflow"]
            .clone()
    };
    assert_eq!(pool("str:u64", 53), 3);
    assert_eq!(pool("str:u64", 105), 7);
    let size = |kv: &str| rows.iter().find(|r| r["kv"] == kv).unwrap()["bucket_size"].clone();
    assert_eq!(size("str:u64"), 208);
    assert_eq!(size("u8:u64"), 88);
    assert_eq!(size("k200:u64"), 144);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn grow_lists_go_s_growth_points_and_draws() {
    let dir = scratch("grow");
    let svg = dir.join("grow.svg");
    let rows = json_lines(&[
        "grow",
        "--inserts",
        "2000",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let starts: Vec<u64> = rows
        .iter()
        .map(|r| r["started_at"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, [9, 14, 27, 53, 105, 209, 417, 833, 1665]);
    assert!(rows.iter().all(|r| r["kind"] == "double"));
    assert!(rows
        .iter()
        .all(|r| r["max_evacuated_per_write"].as_u64().unwrap() <= 2));
    assert!(svg_at(&svg).contains("Load factor"));
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn layout_draws_the_old_array_mid_growth() {
    let dir = scratch("layout");
    let svg = dir.join("layout.svg");
    let out = lab(&[
        "layout",
        "--keys",
        "20",
        "--stop-mid-growth",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("B = 3, count = 27"), "{shown}");
    assert!(shown.contains("old array: 4 buckets"), "{shown}");
    assert!(svg_at(&svg).contains("old array"));

    let rows = json_lines(&[
        "layout", "--hint", "53", "--keys", "104", "--delete", "30", "--json",
    ]);
    let l = &rows[0];
    assert_eq!(l["header"]["B"], 4);
    assert_eq!(l["header"]["count"], 74);
    assert_eq!(l["buckets"].as_array().unwrap().len(), 16);
    assert_eq!(l["misplaced"], 0);
    assert!(l["empty_one"].as_u64().unwrap() > 0);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn reuse_counts_reuse_and_same_size_growth() {
    let rows = json_lines(&["reuse", "--b", "4", "--ops", "5000", "--json"]);
    let steps: Vec<&Value> = rows.iter().filter(|r| r["record"] == "step").collect();
    assert_eq!(steps.len(), 7);
    assert_eq!(steps[1]["empty_one"], 1);
    assert_eq!(steps[4]["reused"], 1);
    let churn = rows.iter().find(|r| r["record"] == "churn").unwrap();
    assert!(churn["reused"].as_u64().unwrap() > 0);
    assert!(churn["same_size_growths"].as_u64().unwrap() > 0);
    assert!(rows
        .iter()
        .any(|r| r["record"] == "growth" && r["kind"] == "same-size"));
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn prealloc_compares_with_and_without_the_hint() {
    let rows = json_lines(&["prealloc", "--sizes", "1000", "--reps", "1", "--json"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["hint"].as_u64(), rows[0]["growths"].as_u64()),
        (Some(0), Some(8))
    );
    assert_eq!(
        (rows[1]["hint"].as_u64(), rows[1]["growths"].as_u64()),
        (Some(1000), Some(0))
    );
    assert_eq!(rows[1]["arrays"], 1);
    assert!(rows[0]["bytes_allocated"].as_u64() > rows[1]["bytes_allocated"].as_u64());
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn loadfactor_tracks_go_s_table() {
    let rows = json_lines(&["loadfactor", "--maps", "4", "--b", "8", "--json"]);
    assert_eq!(rows.len(), 9);
    for r in &rows {
        let (ours, go) = (
            r["overflow_pct"].as_f64().unwrap(),
            r["go_overflow_pct"].as_f64().unwrap(),
        );
        assert!((ours - go).abs() < 4.0, "{r}");
        let miss = r["miss_probe"].as_f64().unwrap();
        assert!((miss - r["load"].as_f64().unwrap()).abs() < 1e-9, "{r}");
    }
    assert_eq!(rows[5]["method"], "plain");
    assert_eq!(rows[6]["method"], "half-table");
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn latency_reports_three_maps() {
    let dir = scratch("latency");
    let svg = dir.join("latency.svg");
    let rows = json_lines(&[
        "latency",
        "--inserts",
        "3000",
        "--runs",
        "1",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let maps: Vec<&str> = rows.iter().map(|r| r["map"].as_str().unwrap()).collect();
    assert_eq!(maps, ["gomap", "std", "hashbrown"]);
    for r in &rows {
        assert!(r["p50_ns"].as_u64() <= r["max_ns"].as_u64(), "{r}");
    }
    svg_at(&svg);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn trace_has_a_grow_slice_per_growth_and_evacuate_events() {
    let dir = scratch("trace");
    let file = dir.join("trace.json");
    let out = lab(&["trace", "--inserts", "100", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let trace: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let grows: Vec<&Value> = events.iter().filter(|e| e["name"] == "grow").collect();
    assert_eq!(grows.len(), 4);
    assert!(grows
        .iter()
        .all(|g| g["ph"] == "X" && g["dur"].as_f64().is_some()));
    let b: Vec<(u64, u64)> = grows
        .iter()
        .map(|g| {
            (
                g["args"]["old_B"].as_u64().unwrap(),
                g["args"]["new_B"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(b, [(0, 1), (1, 2), (2, 3), (3, 4)]);
    assert!(grows.iter().all(|g| g["args"]["kind"] == "double"));
    let evacuations = events.iter().filter(|e| e["name"] == "evacuate").count();
    assert_eq!(evacuations, 1 + 2 + 4 + 8);

    let summary = json_lines(&[
        "trace",
        "--inserts",
        "100",
        "--out",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(summary[0]["grow_slices"], 4);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn bad_arguments_exit_2_with_a_message() {
    for args in [
        &["hint", "--hints", "x"][..],
        &["hint", "--hints", "9-3"],
        &["hint", "--hints", "99999999999"],
        &["hint", "--kv", "u64:str"],
        &["grow", "--inserts", "0"],
        &["grow", "--inserts", "many"],
        &["layout", "--stop-mid-growth", "--finish-growth"],
        &["reuse", "--load", "7"],
        &["loadfactor", "--b", "2"],
        &["latency", "--runs", "0"],
        &["trace", "--inserts", "10"],
        &["swiss-growth", "--inserts", "999999999999"],
        &["swiss-growth", "--inserts", "0"],
        &["swiss-hint", "--hints", "99999999999"],
        &["swiss-tombstones", "--entries", "3"],
        &["swiss-tombstones", "--ops", "1e9"],
        &["swiss", "--inserts", "100000000000"],
        &["swiss", "--runs", "0"],
        &["report"],
        &["nonsense"],
    ] {
        let out = lab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
    }
    let out = lab(&["hint", "--kv", "u64:str"]);
    assert!(
        text(&out.stderr).contains("choose from u64:u64"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn report_quick_writes_its_page() {
    let dir = scratch("report");
    let out = lab(&["report", "--quick", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for section in [
        "id=\"claims\"",
        "id=\"hint\"",
        "id=\"grow\"",
        "id=\"trace\"",
        "id=\"layout\"",
        "id=\"reuse\"",
        "id=\"prealloc\"",
        "id=\"loadfactor\"",
        "id=\"latency\"",
        "id=\"syncmap\"",
        "id=\"swiss\"",
        "id=\"swiss-hint\"",
        "id=\"swiss-growth\"",
        "id=\"swiss-tombstones\"",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert!(html.matches("<svg").count() >= 7);
    assert!(html.contains("The articles' claims"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("id=\"not-covered\""));
    for family in ["offsets", "cachelines", "rangegrow", "shrink", "gosrc"] {
        assert!(
            html.contains(&format!("id=\"{family}\"")),
            "missing section {family}"
        );
        assert!(html.contains(&format!("claims --section {family} --measurements")));
    }
    assert!(html.contains(&format!("report --out {} --quick", dir.display())));
    assert!(html.contains("Regenerate: <code>cargo run --release -p gomap-lab -- grow"));
    assert!(html.contains("000_4afbaddb56c29d13.txt"));
    assert!(html.contains("sync.Map: read map, dirty map, misses and promotion"));
    assert!(html.contains("same state after every op"));
    assert!(html.contains("Go 1.24+: the Swiss map"));
    assert!(html.contains("What the articles say that no longer holds in Go 1.24+"));
    // Self-contained: nothing is loaded from elsewhere (the SVG namespace URI is a
    // name, not a fetch).
    for loader in [
        "src=\"http",
        "href=\"http",
        "<link",
        "<script",
        "<img",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(loader), "{loader}");
    }
    let trace: Value =
        serde_json::from_slice(&std::fs::read(dir.join("trace.json")).unwrap()).unwrap();
    assert!(trace["traceEvents"].as_array().unwrap().len() > 100);
}

fn syncmap_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/syncmap")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn syncmap_walkthrough_prints_steps_claims_and_go() {
    let out = lab(&["syncmap"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("promoted (miss 2 = len(dirty) 2)"),
        "{stdout}"
    );
    assert!(stdout.contains("revived 2"), "{stdout}");
    assert!(stdout.contains("same state after every op"), "{stdout}");
    let steps = json_lines(&["syncmap", "--json"]);
    assert_eq!(steps.len(), 15);
    assert_eq!(steps[3]["misses"], 0);
    assert_eq!(steps[3]["dirty_len"], Value::Null);
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn syncmap_compare_exits_1_on_a_difference_and_2_on_bad_input() {
    let script = syncmap_file("promotion.txt");
    let good = syncmap_file("promotion.jsonl");
    let out = lab(&["syncmap", &script, "--compare", &good]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let dir = scratch("syncmap");
    let recording = std::fs::read_to_string(&good).unwrap();
    // Go's misses one lower after the second miss.
    let lines: Vec<&str> = recording.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("\"misses\":2"))
        .unwrap();
    let mut changed = lines.clone();
    let edited = lines[i].replace("\"misses\":2", "\"misses\":1");
    changed[i] = &edited;
    let wrong = dir.join("wrong.jsonl");
    std::fs::write(&wrong, changed.join("\n")).unwrap();
    let out = lab(&["syncmap", &script, "--compare", wrong.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("misses: Go 1.19 has 1, SyncMap has 2"),
        "{}",
        text(&out.stdout)
    );

    let broken = dir.join("broken.jsonl");
    std::fs::write(
        &broken,
        recording.replacen("\"amended\":true", "\"amended\":tru", 1),
    )
    .unwrap();
    let out = lab(&["syncmap", &script, "--compare", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.jsonl: line 1:"),
        "{}",
        text(&out.stderr)
    );

    let other = syncmap_file("range.jsonl");
    let out = lab(&["syncmap", &script, "--compare", &other]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("another script"),
        "{}",
        text(&out.stderr)
    );

    let bad_script = dir.join("bad.txt");
    std::fs::write(&bad_script, "store 1 1\nlod 2\n").unwrap();
    let out = lab(&["syncmap", bad_script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.txt: line 2: unknown op"),
        "{}",
        text(&out.stderr)
    );
}

/// `claims --json` is one JSON array of claims with the fields the issue
/// fixes, every verdict one of the five.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn claims_json_is_an_array_of_claims() {
    let out = lab(&["claims", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let claims: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let claims = claims.as_array().expect("an array");
    assert!(!claims.is_empty());
    for c in claims {
        for field in [
            "id", "article", "section", "quote", "verdict", "measured", "source",
        ] {
            assert!(c[field].is_string(), "{field} in {c}");
        }
        let v = c["verdict"].as_str().unwrap();
        assert!(
            ["right", "partly", "wrong", "not-measurable", "needs-go"].contains(&v),
            "{v}"
        );
    }
    let out = lab(&["claims", "--verdict", "sideways"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Regressions (issue 18): errors a user met, each now one clear line.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn errors_say_what_is_wrong_once() {
    // A missing file: the OS error once, not twice.
    let out = lab(&["syncmap", "/nonexistent/script.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    // --out naming a file.
    let dir = scratch("out-is-a-file");
    let file = dir.join("index.html");
    std::fs::write(&file, "x").unwrap();
    let out = lab(&["report", "--quick", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("that is a file"),
        "{}",
        text(&out.stderr)
    );
    // No keys: no "insert keys 1…0".
    let out = lab(&["layout", "--keys", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("1…0") && stdout.contains("no inserts"),
        "{stdout}"
    );
}

/// Regression (issue 17/18): a sync.Map script with no ops ran into a panic
/// (exit 101); it is an empty run now.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn syncmap_script_without_ops_does_not_panic() {
    let dir = scratch("syncmap-empty");
    for (name, script) in [("empty.txt", ""), ("comments.txt", "# nothing\n\n# here\n")] {
        let path = dir.join(name);
        std::fs::write(&path, script).unwrap();
        let out = lab(&["syncmap", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
    }
}

/// Without Go 1.19 the claims only its runtime can decide are `needs-go`,
/// each with the reason; with it (CI installs it) none is.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn claims_need_go_only_without_go() {
    let out = Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .args(["claims", "--json"])
        .env("GOMAP_GO119", "/nonexistent/go")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let claims: Value = serde_json::from_slice(&out.stdout).unwrap();
    let needs: Vec<&Value> = claims
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "needs-go")
        .collect();
    assert!(needs.len() >= 5, "{} needs-go claims", needs.len());
    for c in &needs {
        assert!(
            c["measured"].as_str().unwrap().contains("GOMAP_GO119"),
            "{c}"
        );
    }
    if Path::new("/usr/lib/go-1.19/bin/go").exists() {
        let out = lab(&["claims", "--verdict", "needs-go"]);
        assert!(
            text(&out.stdout).contains(" 0 needs-go"),
            "{}",
            text(&out.stdout)
        );
    }
}

// ---- The Swiss map's experiments: each `--json` row checked against a
// `SwissMap` built here with the same hasher and seeds (its own `layout()`,
// `stats()` and events), not against literals alone.

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
    let svg = scratch("swiss-growth").join("g.svg");
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
    svg_at(&svg);
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
