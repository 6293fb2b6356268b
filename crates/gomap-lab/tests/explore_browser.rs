//! The explorer page in a real browser. Headless Chromium opens
//! `explore.html` (written by `gomap_lab::explore::write`) with a scenario in
//! its URL fragment and `auto=1`, so the page applies every op one at a
//! time, drawing each step, and then writes what it drew — every bucket
//! row read back from the DOM, the header after each step, the range
//! cursor's yields and the event timeline — into `<pre id="state">`. The
//! test reads that from `--dump-dom` and compares it with a native
//! `GoMap` given the same ops, hasher and seeds. Any console message from
//! the page (an error, a warning, an uncaught exception) fails the test.
//!
//! The scenario is the issue's: 27 inserts into `make(map[uint64]uint64)`
//! (the 27th starts the doubling from B = 2 to 3), stepping through the
//! growth, and deleting while ranging. It runs on the classic engine
//! (`eng=classic`), on the Swiss engine (`eng=swiss`: every group's control
//! bytes and slots as drawn, each step's header and table counters, and the
//! timeline, against a native `SwissMap`'s `layout()`), and side by side
//! (`eng=both`: both checks on one page).
//!
//! Skipped, with the reason printed, when Chromium is not installed (set
//! `CHROMIUM` to its path if it is not `chromium` on `PATH`) or when the lab
//! was built without the wasm32 target; `.ci/run` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use gomap::swiss_layout::SwissGroupView;
use gomap::{BucketOrigin, BucketView, GoMap, SwissMap, SwissWithHasher};
use gomap_explorer::{range_seed, seed_stream, ExplorerHasher};
use gomap_lab::hashers::seed_sequence;
use serde_json::{json, Value};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explore_browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens the page at `fragment` and returns the page's state JSON.
fn run_page(chromium: &Path, page: &Path, fragment: &str) -> Value {
    let profile = tempdir(&format!("profile-{}", fragment.len()));
    let url = format!("file://{}#{fragment}", page.display());
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=30000",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Chromium logs every console message at INFO as `:CONSOLE`, whatever
    // its level; the page writes none of its own, so any is a failure.
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") && l.contains("explore.html"))
        .collect();
    assert!(
        console.is_empty(),
        "the page wrote to the console:\n{}",
        console.join("\n")
    );
    assert!(out.status.success(), "chromium failed:\n{stderr}");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"state\">")
        .unwrap_or_else(|| panic!("no state in the page's DOM:\n{stderr}"))
        + "<pre id=\"state\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(
        !text.is_empty(),
        "the page did not finish its scenario:\n{stderr}"
    );
    let state: Value = serde_json::from_str(&text).expect("the state is JSON");
    assert_eq!(state["errors"], json!([]), "the page caught errors");
    state
}

fn tempdir(name: &str) -> PathBuf {
    let dir = scratch().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The ops of a scenario, natively.
enum NativeOp {
    Insert(u64),
    RangeStart,
    NextDelete,
}

/// What the page's state holds, computed natively.
struct Native {
    steps: Vec<Value>,
    buckets: Value,
    old: Value,
    yielded: Vec<String>,
    events: Vec<String>,
    /// The Swiss directory (table id per entry); null for the classic map.
    dir: Value,
}

fn chain_json(chain: &[BucketView<'_, u64, u64>]) -> Value {
    chain
        .iter()
        .map(|b| {
            let at = match b.at {
                BucketOrigin::Main => "main".to_owned(),
                BucketOrigin::Pool(i) => format!("pool:{i}"),
                BucketOrigin::Heap => "heap".to_owned(),
            };
            json!({
                "at": at,
                "top": b.top,
                "k": b.keys.map(|k| k.map(|k| k.to_string())),
                "v": b.vals.map(|v| v.map(|v| v.to_string())),
            })
        })
        .collect()
}

/// A map of either engine with the explorer's hasher.
type Map<E> = GoMap<u64, u64, ExplorerHasher, E>;

/// Runs `ops` on `m` as the page does (fastrand seeded before each cursor
/// as the page seeds it); returns the map, `step(m)` after each op, what
/// the cursor yielded and the event names, `make` first.
fn drive<E: gomap::Engine>(
    mut m: Map<E>,
    ops: &[NativeOp],
    mut step: impl FnMut(&Map<E>) -> Value,
) -> (Map<E>, Vec<Value>, Vec<String>, Vec<String>) {
    let seed = 1;
    let names: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec!["make".to_owned()]));
    let sink = Arc::clone(&names);
    m.set_observer(move |e: &gomap::events::Event| sink.lock().unwrap().push(e.name().to_owned()));
    let mut cursor = None;
    let mut ranges = 0;
    let mut steps = Vec::new();
    let mut yielded = Vec::new();
    for op in ops {
        match op {
            NativeOp::Insert(k) => {
                m.insert(*k, *k);
            }
            NativeOp::RangeStart => {
                fastrand::seed(range_seed(seed, ranges));
                ranges += 1;
                cursor = Some(m.range());
            }
            NativeOp::NextDelete => {
                if let Some(c) = &mut cursor {
                    match c.next(&m) {
                        Some((&k, _)) => {
                            m.remove(&k);
                            yielded.push(k.to_string());
                        }
                        None => cursor = None,
                    }
                }
            }
        }
        steps.push(step(&m));
    }
    let events = names.lock().unwrap().clone();
    (m, steps, yielded, events)
}

fn native(ops: &[NativeOp]) -> Native {
    fastrand::seed(1);
    let m = GoMap::with_capacity_hasher_and_seeds(0, ExplorerHasher::default(), seed_sequence(1));
    let (m, steps, yielded, events) = drive(m, ops, |m| {
        m.check_invariants();
        let h = m.header();
        json!({
            "count": h.count, "B": h.b, "flags": h.flags, "noverflow": h.noverflow,
            "hash0": h.hash0, "nevacuate": h.nevacuate, "growing": h.growing,
        })
    });
    let l = m.layout();
    let buckets = l.buckets.iter().map(|c| chain_json(c)).collect();
    let old = match &l.old {
        Some(old) => old.iter().map(|c| chain_json(c)).collect(),
        None => Value::Null,
    };
    Native {
        steps,
        buckets,
        old,
        yielded,
        events,
        dir: Value::Null,
    }
}

/// The page's `[t, g, ctrl, k, v]` row of a group.
fn group_json(t: Option<usize>, g: usize, group: &SwissGroupView<'_, u64, u64>) -> Value {
    json!({
        "t": t,
        "g": g,
        "ctrl": group.ctrl,
        "k": group.slots.map(|s| s.map(|(k, _)| k.to_string())),
        "v": group.slots.map(|s| s.map(|(_, v)| v.to_string())),
    })
}

/// What the page's Swiss state holds, computed natively with a `SwissMap`
/// made and seeded as the page makes its own.
fn native_swiss(ops: &[NativeOp]) -> Native {
    fastrand::seed(1);
    let m = SwissMap::with_capacity_hasher_and_seeds(0, ExplorerHasher::default(), seed_stream(1));
    let (m, steps, yielded, events) = drive(m, ops, |m| {
        m.check_invariants();
        let l = m.layout();
        let h = l.header;
        let tables: Vec<Value> = l
            .tables
            .iter()
            .map(|t| json!([t.local_depth, t.capacity, t.growth_left, t.used]))
            .collect();
        json!({
            "used": h.used, "seed": format!("{:016x}", h.seed), "dir_len": h.dir_len,
            "global_depth": h.global_depth, "ntables": h.ntables,
            "tombstones": l.tombstones, "tables": tables,
        })
    });
    let l = m.layout();
    let mut groups: Vec<Value> = l.small.iter().map(|g| group_json(None, 0, g)).collect();
    for t in &l.tables {
        for (i, g) in t.groups.iter().enumerate() {
            groups.push(group_json(Some(t.id), i, g));
        }
    }
    Native {
        steps,
        buckets: Value::Array(groups),
        old: Value::Null,
        yielded,
        events,
        dir: json!(l.dir),
    }
}

/// Compares the Swiss half of a page's state with `ops` run natively.
fn check_swiss(fragment: &str, state: &Value, ops: &[NativeOp]) {
    let want = native_swiss(ops);
    let steps = state["ssteps"].as_array().expect("Swiss steps");
    assert_eq!(
        steps.len(),
        want.steps.len(),
        "{fragment}: one Swiss step per op"
    );
    for (i, (got, want)) in steps.iter().zip(&want.steps).enumerate() {
        for field in [
            "used",
            "seed",
            "dir_len",
            "global_depth",
            "ntables",
            "tombstones",
            "tables",
        ] {
            assert_eq!(
                got[field],
                want[field],
                "{fragment}: Swiss field {field} after op {} ({})",
                i + 1,
                got["op"]
            );
        }
    }
    assert_eq!(
        state["sgroups"], want.buckets,
        "{fragment}: the Swiss groups drawn (control bytes, keys, values)"
    );
    // The directory, as runs [table, first entry, entries], expanded.
    let mut dir = Vec::new();
    for run in state["sdir"].as_array().unwrap() {
        let id = run[0].as_u64().unwrap();
        dir.extend(std::iter::repeat(id).take(run[2].as_u64().unwrap() as usize));
    }
    assert_eq!(json!(dir), want.dir, "{fragment}: the Swiss directory");
    let got_events: Vec<&str> = state["sevents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(got_events, want.events, "{fragment}: the Swiss timeline");
    if !want.yielded.is_empty() {
        let got: Vec<&str> = state["srange"]["yielded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y[0].as_str().unwrap())
            .collect();
        assert_eq!(
            got, want.yielded,
            "{fragment}: what the Swiss cursor yielded"
        );
    }
    // Hovering a full slot (when one is left) shows its key, value and
    // full hash.
    let any_key = want
        .buckets
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["k"].as_array().unwrap().iter().any(|k| !k.is_null()));
    let tip = state["stip"].as_str().unwrap();
    if any_key {
        for part in ["ctrl    0x", "key ", "value ", "hash    0x", "H2 0x"] {
            assert!(tip.contains(part), "Swiss hover text lacks {part:?}: {tip}");
        }
    }
}

/// Runs `fragment` in the page and compares it with `ops` run natively.
fn check(chromium: &Path, page: &Path, fragment: &str, ops: &[NativeOp]) -> Value {
    let state = run_page(chromium, page, &format!("{fragment}&auto=1"));
    if state["eng"] != "classic" {
        check_swiss(fragment, &state, ops);
        if state["eng"] == "swiss" {
            assert!(
                state.get("steps").is_none(),
                "{fragment}: classic state drawn"
            );
            return state;
        }
    }
    let want = native(ops);
    let steps = state["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), want.steps.len(), "{fragment}: one step per op");
    for (i, (got, want)) in steps.iter().zip(&want.steps).enumerate() {
        for field in [
            "count",
            "B",
            "flags",
            "noverflow",
            "hash0",
            "nevacuate",
            "growing",
        ] {
            assert_eq!(
                got[field],
                want[field],
                "{fragment}: header field {field} after op {} ({})",
                i + 1,
                got["op"]
            );
        }
    }
    assert_eq!(
        state["buckets"], want.buckets,
        "{fragment}: the buckets drawn"
    );
    assert_eq!(state["old"], want.old, "{fragment}: the old array drawn");
    let got_events: Vec<String> = state["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got_events, want.events, "{fragment}: the event timeline");
    if !want.yielded.is_empty() {
        let got: Vec<&str> = state["range"]["yielded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y[0].as_str().unwrap())
            .collect();
        assert_eq!(got, want.yielded, "{fragment}: what the cursor yielded");
    }
    state
}

/// The browser to drive, or `None` (with the reason printed) when this
/// machine lacks Chromium or the lab was built without the wasm module.
fn browser_and_wasm() -> Option<PathBuf> {
    let Some(chromium) = chromium() else {
        println!("skipped: chromium is not installed (apt-get install chromium, or set CHROMIUM)");
        return None;
    };
    if gomap_lab::explore::WASM.is_none() {
        println!("skipped: gomap-lab was built without the wasm32 target (rustup target add wasm32-unknown-unknown)");
        return None;
    }
    Some(chromium)
}

#[test]
#[cfg_attr(miri, ignore = "runs a browser")]
fn the_page_shows_what_the_engine_does() {
    let Some(chromium) = browser_and_wasm() else {
        return;
    };
    let dir = tempdir("page");
    let page = gomap_lab::explore::write(&dir).expect("writing explore.html");

    let inserts: Vec<NativeOp> = (1..=27).map(NativeOp::Insert).collect();
    // 1. 27 inserts: the last starts the doubling, and the page draws the
    // old array mid-evacuation.
    let state = check(&chromium, &page, "kt=u64&hint=0&seed=1&ops=i1-27", &inserts);
    assert_eq!(state["header"]["growing"], true);
    assert_eq!(state["header"]["B"], 3);
    // Hovering a full slot shows its key, value and full hash.
    let tip = state["tip"].as_str().unwrap();
    for part in ["key ", "value ", "hash    0x", "tophash 0x"] {
        assert!(tip.contains(part), "hover text lacks {part:?}: {tip}");
    }

    // The controls: stepping back and forth, jumping to the next growth
    // start (the 9th and 14th inserts start one), typed ops, range buttons,
    // appended ops and workloads, hovering; then the page's own URL
    // reproduces the state it reached exactly.
    let ui = run_page(
        &chromium,
        &page,
        "kt=u64&hint=0&seed=1&ops=i1-27,i28-40&auto=ui",
    );
    let pos = |i: usize| {
        (
            ui["pos"][i][0].as_str().unwrap().to_owned(),
            ui["pos"][i][1].as_u64().unwrap(),
        )
    };
    assert_eq!(pos(0), ("toStart".to_owned(), 0));
    assert_eq!(pos(1), ("jump".to_owned(), 9));
    assert_eq!(pos(2), ("jump".to_owned(), 14));
    assert_eq!(pos(3), ("back".to_owned(), 13));
    assert_eq!(
        ui["reproduced"], true,
        "reloading {} gave another state",
        ui["hash"]
    );
    assert!(
        ui["tip"].as_str().unwrap().contains("hash    0x"),
        "{}",
        ui["tip"]
    );
    // The engine choice is part of the URL: the page switched to both
    // engines before reloading, and the reload reproduced both maps.
    assert_eq!(ui["eng"], "both");
    assert!(ui["hash"].as_str().unwrap().starts_with("#eng=both&"));

    // 2 and 3. Step through the growth while deleting as the cursor yields:
    // first part way (the map still full of entries), then to the end.
    for (n, fragment) in [
        (6, "kt=u64&hint=0&seed=1&ops=i1-27,r,nd*6"),
        (28, "kt=u64&hint=0&seed=1&ops=i1-27,r,nd*28"),
    ] {
        let mut ops: Vec<NativeOp> = (1..=27).map(NativeOp::Insert).collect();
        ops.push(NativeOp::RangeStart);
        ops.extend((0..n).map(|_| NativeOp::NextDelete));
        let state = check(&chromium, &page, fragment, &ops);
        let yielded = state["range"]["yielded"].as_array().unwrap().len();
        assert_eq!(yielded, n.min(27));
        assert_eq!(
            state["header"]["growing"], false,
            "{fragment}: the growth is done"
        );
    }
}

#[test]
#[cfg_attr(miri, ignore = "runs a browser")]
fn the_page_shows_what_the_swiss_engine_does() {
    let Some(chromium) = browser_and_wasm() else {
        return;
    };
    let dir = tempdir("swiss-page");
    let page = gomap_lab::explore::write(&dir).expect("writing explore.html");
    let scenario = |n: usize| {
        let mut ops: Vec<NativeOp> = (1..=27).map(NativeOp::Insert).collect();
        if n > 0 {
            ops.push(NativeOp::RangeStart);
            ops.extend((0..n).map(|_| NativeOp::NextDelete));
        }
        ops
    };

    // 1. The Swiss engine alone: 27 inserts take the small map through its
    // first rehashes (8 → 16 at the 9th key, 16 → 32 at the 15th).
    let state = check(
        &chromium,
        &page,
        "eng=swiss&kt=u64&hint=0&seed=1&ops=i1-27",
        &scenario(0),
    );
    let rehashes = state["sevents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| *e == "rehash")
        .count();
    assert_eq!(rehashes, 2, "{}", state["sevents"]);
    assert_eq!(state["sheader"]["used"], 27);
    // 2. Deleting while ranging on the Swiss map: tombstones and a cursor.
    check(
        &chromium,
        &page,
        "eng=swiss&kt=u64&hint=0&seed=1&ops=i1-27,r,nd*10",
        &scenario(10),
    );
    // 3. Side by side: the same ops drawn for both engines on one page,
    // each against its own native map, and a timeline with both.
    let state = check(
        &chromium,
        &page,
        "eng=both&kt=u64&hint=0&seed=1&ops=i1-27,r,nd*28",
        &scenario(28),
    );
    let timeline = state["stimeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("C "))
            && timeline
                .iter()
                .any(|t| t.as_str().unwrap().starts_with("S ")),
        "the side-by-side timeline has both engines' events: {timeline:?}"
    );
}
