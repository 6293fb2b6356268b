//! The Swiss stream reader: every sample and recording parses, and each kind
//! of malformed, truncated or absurd stream is refused with its line number.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use gomap_lab::swiss_protocol::{
    is_swiss_stream, make_bytes, read_stream, KeyType, SwissRecord, MAX_MAP_BYTES,
};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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

fn streams(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".jsonl"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_sample_and_recording_parses() {
    let mut dirs = vec![
        repo().join("testdata/swiss/samples"),
        repo().join("testdata/swiss/recorded"),
    ];
    if let Some(d) = std::env::var_os("GOMAP_SWISS_RECORDINGS") {
        dirs.push(PathBuf::from(d));
    }
    let (mut files, mut dumps) = (0, 0);
    for dir in dirs {
        for p in streams(&dir) {
            let text = read_text(&p);
            let s = read_stream(text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert_eq!(s.records.len() + 1, text.lines().count(), "{}", p.display());
            assert_eq!(s.env.go, "go1.27.3");
            assert!(is_swiss_stream(text.lines().next().unwrap()));
            dumps += s
                .records
                .iter()
                .filter(|r| matches!(r.record, SwissRecord::Dump(_)))
                .count();
            files += 1;
        }
    }
    assert!(
        files >= 17 && dumps > 100,
        "{files} streams, {dumps} dumps: samples or recordings missing"
    );
}

#[test]
fn classic_streams_are_not_swiss() {
    let classic = streams(&repo().join("testdata/oracle/recorded"));
    let first = BufReader::new(flate2::read::GzDecoder::new(
        fs::File::open(&classic[0]).unwrap(),
    ))
    .lines()
    .next()
    .unwrap()
    .unwrap();
    assert!(!is_swiss_stream(&first), "{first}");
    assert!(!is_swiss_stream("not json"));
    assert!(!is_swiss_stream(r#"{"t":"envy"}"#));
    assert!(is_swiss_stream(r#" {"t":"env","go":"go1.27.3"} "#));
}

/// The sample s1_small as lines, and the (1-based) line of its first dump
/// with tables.
fn base() -> (Vec<String>, usize) {
    let text = read_text(&repo().join("testdata/swiss/samples/s1_small.jsonl"));
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let dump = lines
        .iter()
        .position(|l| l.contains(r#""t":"dump""#) && l.contains(r#""tables""#))
        .unwrap()
        + 1;
    (lines, dump)
}

fn refused(text: &str) -> (usize, String) {
    let e = read_stream(text.as_bytes()).expect_err("the stream is refused");
    assert!(e.to_string().starts_with(&format!("line {}: ", e.line)));
    (e.line, e.message)
}

/// Line `n` of the sample rewritten by `f` (as JSON), the stream refused at
/// line `n` with a message containing `want`.
fn refused_at(n: usize, want: &str, f: impl FnOnce(&mut Value)) {
    let (mut lines, _) = base();
    let mut v: Value = serde_json::from_str(&lines[n - 1]).unwrap();
    f(&mut v);
    lines[n - 1] = v.to_string();
    let (line, message) = refused(&(lines.join("\n") + "\n"));
    assert_eq!(
        (line, message.contains(want)),
        (n, true),
        "want {want:?}: {message}"
    );
}

#[test]
fn the_untouched_base_parses() {
    let (lines, dump) = base();
    read_stream((lines.join("\n") + "\n").as_bytes()).unwrap();
    assert!(dump > 2);
}

#[test]
fn malformed_lines_are_named() {
    let (lines, _) = base();
    let with = |n: usize, text: &str| {
        let mut l = lines.clone();
        l[n - 1] = text.to_owned();
        l.join("\n") + "\n"
    };
    let cases: &[(&str, usize, &str)] = &[
        (r#"{"t":"op" 1}"#, 3, "not valid JSON"),
        (r#"{"t":"op","i":1,"#, 3, "truncated record"),
        ("[1,2]", 3, "JSON object"),
        (r#"{"i":1}"#, 3, "no `t`"),
        (r#"{"t":7}"#, 3, "`t` must be a string"),
        (r#"{"t":"frob","i":1}"#, 3, "unknown record type"),
        (r#"{"t":"op","i":1,"op":"put"}"#, 3, "missing field"),
    ];
    for &(text, n, want) in cases {
        let (line, message) = refused(&with(n, text));
        assert_eq!(
            (line, message.contains(want)),
            (n, true),
            "{text}: {message}"
        );
    }
}

#[test]
fn stream_level_errors() {
    let (lines, _) = base();
    // No env first.
    let (line, m) = refused(&(lines[1..].join("\n") + "\n"));
    assert_eq!(line, 1);
    assert!(m.contains("first record is not"), "{m}");
    // Empty.
    let (line, m) = refused("");
    assert_eq!((line, m.contains("empty stream")), (1, true), "{m}");
    let (line, m) = refused("\n\n");
    assert_eq!((line, m.contains("empty stream")), (3, true), "{m}");
    // Truncated inside the last record, no final newline.
    let all = lines.join("\n");
    let cut = &all[..all.len() - 20];
    let (line, m) = refused(cut);
    assert_eq!(line, lines.len());
    assert!(
        m.contains("truncated") && m.contains("without a newline"),
        "{m}"
    );
    // A second env.
    let mut l = lines.clone();
    l.insert(3, lines[0].clone());
    let (line, m) = refused(&(l.join("\n") + "\n"));
    assert_eq!((line, m.contains("second env")), (4, true), "{m}");
    // A record dropped: the next i is off.
    let mut l = lines.clone();
    l.remove(3);
    let (line, m) = refused(&(l.join("\n") + "\n"));
    assert_eq!((line, m.contains("expected 2")), (4, true), "{m}");
    // Invalid UTF-8.
    let mut bytes = (lines[..3].join("\n") + "\n").into_bytes();
    bytes.extend_from_slice(b"{\"t\":\"op\xff\"}\n");
    let e = read_stream(&bytes[..]).unwrap_err();
    assert_eq!((e.line, e.message.contains("UTF-8")), (4, true), "{e}");
}

#[test]
fn record_rules() {
    let (_, dump) = base();
    refused_at(1, "aes is true", |v| v["aes"] = json!(true));
    refused_at(1, "invalid length 3", |v| v["hashkey"] = json!([1, 2, 3]));
    refused_at(3, "expected u64", |v| v["used"] = json!(-1));
    refused_at(3, "expected u64", |v| {
        v["hash"] = json!(18446744073709551616u128 as f64)
    });
    refused_at(3, "is not a u64 key", |v| v["key"] = json!("five"));
    refused_at(3, "put record has no `hash`", |v| {
        v.as_object_mut().unwrap().remove("hash");
    });
    refused_at(5, "get record has no `ok`", |v| {
        v.as_object_mut().unwrap().remove("ok");
    });
    refused_at(2, "make record has no `kt`", |v| {
        v.as_object_mut().unwrap().remove("kt");
    });
    refused_at(
        3,
        "has `tab`",
        |v| {
            v["tab"] =
                json!({"dir":0,"index":0,"used":1,"capacity":16,"growthLeft":13,"localDepth":0})
        },
    );
    refused_at(3, "globalDepth", |v| v["globalDepth"] = json!(1));
    // The first dump with tables.
    refused_at(dump, "groups, lengthMask + 1", |v| {
        v["tables"][0]["groups"].as_array_mut().unwrap().pop();
    });
    refused_at(dump, "control byte 0x81", |v| {
        v["tables"][0]["groups"][0]["ctrl"][0] = json!(0x81)
    });
    refused_at(dump, "expected u8", |v| {
        v["tables"][0]["groups"][0]["ctrl"][0] = json!(300)
    });
    refused_at(dump, "not full but a key", |v| {
        let g = &mut v["tables"][0]["groups"][0];
        let s = g["keys"]
            .as_array()
            .unwrap()
            .iter()
            .position(|k| !k.is_null())
            .unwrap();
        g["ctrl"][s] = json!(0x80);
    });
    refused_at(dump, "key or value is null", |v| {
        let g = &mut v["tables"][0]["groups"][0];
        let s = g["keys"]
            .as_array()
            .unwrap()
            .iter()
            .position(|k| !k.is_null())
            .unwrap();
        g["vals"][s] = Value::Null;
    });
    refused_at(dump, "`dir[0]` names table 5", |v| v["dir"][0] = json!(5));
    refused_at(dump, "`dir` has 2 entries", |v| v["dir"] = json!([0, 0]));
    refused_at(dump, "has no `groups`", |v| {
        v["tables"][0].as_object_mut().unwrap().remove("groups");
    });
    refused_at(dump, "tombstones is 3", |v| v["tombstones"] = json!(3));
    refused_at(dump, "full slots, used is", |v| {
        v["tables"][0]["used"] = json!(1)
    });
    refused_at(dump, "kt u64", |v| v["kt"] = json!("str"));
}

#[test]
fn absurd_sizes_are_refused() {
    let (_, dump) = base();
    refused_at(2, "absurd size: make hint 100000000", |v| {
        v["hint"] = json!(100_000_000u64)
    });
    refused_at(dump, "absurd size: table 0 capacity 100", |v| {
        v["tables"][0]["capacity"] = json!(100)
    });
    refused_at(dump, "absurd size: table 0 capacity 4096", |v| {
        v["tables"][0]["capacity"] = json!(4096)
    });
    refused_at(dump, "absurd size: table 0 lengthMask 7", |v| {
        v["tables"][0]["lengthMask"] = json!(7)
    });
    refused_at(dump, "absurd size: dirLen 3", |v| v["dirLen"] = json!(3));
    refused_at(dump, "absurd size: dirLen 2199023255552", |v| {
        v["dirLen"] = json!(1u64 << 41)
    });
    refused_at(3, "absurd size: dirLen 6", |v| v["dirLen"] = json!(6));
    // A hint Go itself ignores (its groups would pass maxAlloc) gives an
    // empty small map, so it is no reason to refuse the stream.
    let (mut lines, _) = base();
    let mut v: Value = serde_json::from_str(&lines[1]).unwrap();
    v["hint"] = json!(1u64 << 62);
    lines[1] = v.to_string();
    read_stream((lines.join("\n") + "\n").as_bytes()).unwrap();
}

#[test]
fn make_sizes_follow_go() {
    // SWISS-FACTS.md's hint table (tables x capacity): per table a directory
    // pointer, a 32-byte header and capacity/8 groups.
    let groups = make_bytes;
    assert_eq!(groups(KeyType::U64, 8), 0);
    assert_eq!(groups(KeyType::U64, 9), 8 + 32 + 2 * 136);
    assert_eq!(groups(KeyType::U64, 896), 8 + 32 + 128 * 136);
    assert_eq!(groups(KeyType::U64, 897), 2 * (8 + 32 + 64 * 136));
    assert_eq!(groups(KeyType::U64, 10_000), 16 * (8 + 32 + 128 * 136));
    assert_eq!(groups(KeyType::Str, 100_000), 128 * (8 + 32 + 128 * 200));
    assert!(groups(KeyType::U64, 1 << 24) > MAX_MAP_BYTES);
    assert_eq!(groups(KeyType::U64, 1 << 62), 0, "Go ignores it");
    assert_eq!(groups(KeyType::U64, u64::MAX), 0, "negative as an int");
}
