//! The Swiss replay: every Go 1.27.3 recording and sample replays to an
//! identical stream with every hash recomputed; a tampered recording (one
//! control byte, one hash, one `used`) is reported at the record that was
//! changed; the command line tells Swiss streams by their env record and
//! refuses a truncated one with its line number and exit status 2.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use gomap_lab::input::Input;
use gomap_lab::protocol::OpKind;
use gomap_lab::swiss_compare::{compare_streams, verify_stream, verify_swiss};
use gomap_lab::swiss_protocol::{is_swiss_stream, read_stream, SwissRecord, SwissStream};
use gomap_lab::swiss_replay::replay;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn streams(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".jsonl"))
        .collect();
    v.sort();
    v
}

fn read_text(path: &Path) -> String {
    let f = fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut s = String::new();
    r.read_to_string(&mut s).unwrap();
    s
}

fn sample(name: &str) -> PathBuf {
    repo().join("testdata/swiss/samples").join(name)
}

/// Every recording (and, with `GOMAP_SWISS_RECORDINGS`, a fresh set) and
/// every sample verifies with no difference and no contradicted hash.
#[test]
fn every_recording_and_sample_is_identical() {
    let mut dirs = vec![
        repo().join("testdata/swiss/samples"),
        repo().join("testdata/swiss/recorded"),
    ];
    if let Some(d) = std::env::var_os("GOMAP_SWISS_RECORDINGS") {
        dirs.push(PathBuf::from(d));
    }
    let mut files = 0;
    for dir in dirs {
        for p in streams(&dir) {
            let v = verify_swiss(&Input::file(&p), 5)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let shown: Vec<String> = v
                .comparison
                .differences()
                .iter()
                .map(|d| d.to_string())
                .collect();
            assert!(
                v.is_match(),
                "{}: {}\n{}\n{:?}",
                p.display(),
                v.comparison.summary(),
                shown.join("\n"),
                v.hash_mismatches
            );
            let lines = read_text(&p)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
            assert_eq!(v.comparison.records(), lines, "{}", p.display());
            files += 1;
        }
    }
    assert!(
        files >= 17,
        "{files} streams: samples or recordings missing"
    );
}

/// The replay's own stream is a Swiss stream the reader accepts, its
/// hashes are all recomputed, and it compares equal with the recording.
#[test]
fn replay_writes_a_stream_that_compares_equal() {
    let path = repo().join("testdata/swiss/recorded/local_split_str.jsonl.gz");
    let go = read_stream(read_text(&path).as_bytes()).unwrap();
    let ours = replay(&go).unwrap();
    let keyed = go
        .records
        .iter()
        .filter(|n| matches!(&n.record, SwissRecord::Op(op) if op.key.is_some()))
        .count() as u64;
    assert!(keyed > 1000);
    assert_eq!(ours.env.hashcheck, keyed, "every recorded hash recomputed");
    assert!(ours.hash_mismatches.is_empty());
    let text: String = ours.json_lines().map(|l| l + "\n").collect();
    assert!(is_swiss_stream(text.lines().next().unwrap()));
    let back = read_stream(text.as_bytes()).unwrap();
    assert_eq!(back.records.len(), go.records.len());
    assert_eq!(back.env.go, "gomap");
    let c = compare_streams(&go, &back, 5);
    assert!(c.is_match(), "{}", c.summary());
    // Go's own iter order is not ours, and it is not compared.
    let tabs = back
        .records
        .iter()
        .filter(|n| matches!(&n.record, SwissRecord::Op(op) if op.tab.is_some()))
        .count();
    assert!(tabs > 1000, "the case splits tables: {tabs} tab fields");
}

/// A sample's records as JSON values (env first).
fn values(path: &Path) -> Vec<Value> {
    read_text(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stream_of(values: &[Value]) -> SwissStream {
    let text: String = values.iter().map(|v| format!("{v}\n")).collect();
    read_stream(text.as_bytes()).expect("a tampered stream still follows the protocol")
}

/// Verifies a tampered stream; returns the differences as text.
fn differences(values: &[Value]) -> (Vec<String>, gomap_lab::swiss_compare::SwissVerification) {
    let v = verify_stream(&stream_of(values), 50).unwrap();
    let d = v
        .comparison
        .differences()
        .iter()
        .map(|d| d.to_string())
        .collect();
    (d, v)
}

#[test]
fn a_changed_ctrl_byte_is_reported_at_its_dump() {
    let mut vs = values(&sample("s2_growth.jsonl"));
    // The first dump with a table: one full slot's H2 changed to another H2.
    let (at, i) = vs
        .iter()
        .enumerate()
        .find(|(_, v)| v["t"] == "dump" && v["tables"].is_array())
        .map(|(at, v)| (at, v["i"].as_u64().unwrap()))
        .expect("s2_growth has a dump with a directory");
    let ctrl = &mut vs[at]["tables"][0]["groups"][0]["ctrl"];
    let slot = (0..8)
        .find(|&s| ctrl[s].as_u64().unwrap() < 0x80)
        .expect("a full slot in group 0");
    let h2 = ctrl[slot].as_u64().unwrap();
    ctrl[slot] = Value::from(h2 ^ 1);
    let (d, v) = differences(&vs);
    assert_eq!(
        d,
        [format!(
            "i={i} dump: tables[0].groups[0].ctrl: go {}, ours {}",
            vs[at]["tables"][0]["groups"][0]["ctrl"],
            {
                let mut ours = vs[at]["tables"][0]["groups"][0]["ctrl"].clone();
                ours[slot] = Value::from(h2);
                ours
            }
        )]
    );
    assert!(v.hash_mismatches.is_empty() && !v.is_match());
}

#[test]
fn a_changed_hash_is_reported_at_its_op() {
    let mut vs = values(&sample("s5_strings.jsonl"));
    let at = vs
        .iter()
        .position(|v| v["t"] == "op" && v["op"] == "put" && v["i"].as_u64() > Some(3))
        .unwrap();
    let i = vs[at]["i"].as_u64().unwrap();
    let recorded = vs[at]["hash"].as_u64().unwrap();
    vs[at]["hash"] = Value::from(recorded ^ 0x10);
    let (d, v) = differences(&vs);
    // The recomputation contradicts the record itself...
    assert_eq!(v.hash_mismatches.len(), 1, "{:?}", v.hash_mismatches);
    let m = &v.hash_mismatches[0];
    assert_eq!((m.i, m.line, m.op), (i, at + 1, OpKind::Put));
    assert_eq!((m.recorded, m.recomputed), (recorded ^ 0x10, recorded));
    // ...and our stream's hash differs from it, at that record only.
    assert_eq!(
        d,
        [format!(
            "i={i} put: hash: go {}, ours {recorded}",
            recorded ^ 0x10
        )]
    );
}

#[test]
fn a_changed_used_is_reported_at_its_op() {
    let mut vs = values(&sample("s1_small.jsonl"));
    let at = vs
        .iter()
        .position(|v| v["t"] == "op" && v["op"] == "put" && v["used"].as_u64() == Some(5))
        .unwrap();
    let i = vs[at]["i"].as_u64().unwrap();
    vs[at]["used"] = Value::from(6u64);
    let (d, v) = differences(&vs);
    assert_eq!(d, [format!("i={i} put: used: go 6, ours 5")]);
    assert!(v.hash_mismatches.is_empty());
}

fn lab(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn cli_replay_and_compare_a_swiss_stream() {
    let path = sample("s8_strlen.jsonl");
    let go = fs::read(&path).unwrap();
    let out = lab(&["replay"], &go);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = String::from_utf8(out.stdout).unwrap();
    assert!(
        ours.starts_with("{\"t\":\"env\",\"go\":\"gomap\""),
        "{ours:.100}"
    );
    assert_eq!(ours.lines().count(), read_text(&path).lines().count());
    let cmp = lab(&["compare", path.to_str().unwrap(), "-"], ours.as_bytes());
    let text = String::from_utf8_lossy(&cmp.stdout);
    assert_eq!(cmp.status.code(), Some(0), "{text}");
    assert!(text.contains("no differences"), "{text}");
    // One changed value in our stream is one difference, exit status 1.
    let changed = ours.replacen("\"used\":3,", "\"used\":4,", 1);
    assert_ne!(changed, ours);
    let cmp = lab(
        &["compare", path.to_str().unwrap(), "-"],
        changed.as_bytes(),
    );
    let text = String::from_utf8_lossy(&cmp.stdout);
    assert_eq!(cmp.status.code(), Some(1), "{text}");
    assert!(text.contains("used: go 3, ours 4"), "{text}");
}

#[test]
fn cli_verify_reports_a_tampered_recording() {
    let good = repo().join("testdata/swiss/recorded/reseed.jsonl.gz");
    let out = lab(&["verify", good.to_str().unwrap()], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut vs = values(&sample("s9_tombstones.jsonl"));
    let at = vs
        .iter()
        .position(|v| v["t"] == "op" && v["hash"].is_u64())
        .unwrap();
    let i = vs[at]["i"].as_u64().unwrap();
    vs[at]["hash"] = Value::from(vs[at]["hash"].as_u64().unwrap().wrapping_add(1));
    let dir = std::env::temp_dir().join(format!("swiss_replay_{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tampered.jsonl");
    fs::write(
        &file,
        vs.iter().map(|v| format!("{v}\n")).collect::<String>(),
    )
    .unwrap();
    let out = lab(&["verify", file.to_str().unwrap()], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("i={i} ")), "{text}");
    assert!(text.contains(&format!("line {}", at + 1)), "{text}");
    // `gomap-lab replay` says so too, after writing its stream.
    let out = lab(&["replay"], &fs::read(&file).unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("i={i} ")));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_refuses_a_truncated_stream_naming_the_line() {
    let text = read_text(&sample("s2_growth.jsonl"));
    let lines: Vec<&str> = text.lines().collect();
    // Ten whole lines, then half of the eleventh.
    let mut cut = lines[..10].join("\n");
    cut.push('\n');
    cut.push_str(&lines[10][..lines[10].len() / 2]);
    let out = lab(&["replay"], cut.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 11") && err.contains("truncated"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing is replayed from a bad stream"
    );
    // verify and compare read the same way.
    let dir = std::env::temp_dir().join(format!("swiss_trunc_{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cut.jsonl");
    fs::write(&file, &cut).unwrap();
    let out = lab(&["verify", file.to_str().unwrap()], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cut.jsonl: line 11"), "{err}");
    let go = sample("s2_growth.jsonl");
    let out = lab(
        &["compare", go.to_str().unwrap(), file.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 11"));
    fs::remove_dir_all(&dir).unwrap();
}
