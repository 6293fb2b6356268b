//! The `gomap-lab` binary: output, messages and exit statuses (0 match, 1 differ,
//! 2 bad input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/oracle/samples")
        .join(name)
}

fn lab(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gomap-lab runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn help_describes_the_commands() {
    let output = lab(&["--help"], b"");
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for command in ["replay", "compare", "verify"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn malformed_input_exits_2_naming_the_line() {
    let make = r#"{"t":"op","i":0,"op":"make","kt":"u64","hint":0,"seed":0,"count":0,"flags":0,"B":0,"noverflow":0,"hash0":7,"nevacuate":0,"growing":false}"#;
    let stream = format!("{make}\n{{\"t\":\"op\",\"i\":1}}\n");
    let output = lab(&["replay"], stream.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("<stdin>: line 2: op record: missing field"),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing is replayed from a malformed stream"
    );

    let bad = scratch("bad.jsonl", format!("{make}\nnot json\n").as_bytes());
    let output = lab(
        &[
            "compare",
            sample("b_grow.jsonl").to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("bad.jsonl: line 2: not valid JSON"));

    let output = lab(&["verify", "/nonexistent/x.jsonl"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("/nonexistent/x.jsonl"));

    let output = lab(&["compare", "only-one-file"], b"");
    assert_eq!(output.status.code(), Some(2), "usage errors exit 2");
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn replay_then_compare_matches_and_a_change_is_found() {
    let go = sample("c_samesize.jsonl");
    let output = lab(&["replay"], &std::fs::read(&go).unwrap());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let ours = scratch("c_samesize.replay.jsonl", &output.stdout);
    assert_eq!(text(&output.stdout).lines().count(), 87);

    let output = lab(
        &["compare", go.to_str().unwrap(), ours.to_str().unwrap()],
        b"",
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        "87 records compared: no differences\n"
    );

    let changed =
        text(&std::fs::read(&ours).unwrap()).replacen(r#""count":1,"#, r#""count":2,"#, 1);
    let changed = scratch("c_samesize.changed.jsonl", changed.as_bytes());
    let output = lab(
        &["compare", go.to_str().unwrap(), changed.to_str().unwrap()],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    let report = text(&output.stdout);
    assert!(
        report.starts_with("i=2 put: count: go 1, ours 2\n"),
        "{report}"
    );
    assert!(report.contains("1 differences in 1 records"), "{report}");
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn compare_reads_gzip_and_verify_replays_in_process() {
    let go = sample("d_strings.jsonl");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(&go).unwrap()).unwrap();
    let gz = scratch("d_strings.jsonl.gz", &encoder.finish().unwrap());
    let output = lab(
        &["compare", gz.to_str().unwrap(), go.to_str().unwrap()],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));

    let output = lab(&["verify", gz.to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    // The shared sample predates the hashkey record: verify says so.
    assert_eq!(
        text(&output.stdout),
        "183 records compared: no differences\nhashes not recomputed: no hashkey record \
         (recorded with AES hashing, or before the record existed)\n"
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn a_replay_that_cannot_go_on_exits_1_naming_the_record() {
    let stream = text(&std::fs::read(sample("b_grow.jsonl")).unwrap());
    let mut lines: Vec<String> = stream.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replace(r#""seed":4229692545"#, r#""seed":4229692544"#);
    let stream = lines.join("\n");

    let output = lab(&["replay"], stream.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("<stdin>: line 2 (i=1 put): replay failed: the map asked for the hash of key 1 under seed 4229692545"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "the missing-hash panic is reported once: {stderr}"
    );
    assert_eq!(
        text(&output.stdout).lines().count(),
        1,
        "the records before it are written"
    );

    let file = scratch("reseeded.jsonl", stream.as_bytes());
    let output = lab(&["verify", file.to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("replay failed"));
}

/// Regression (issue 17): `replay` and `verify` of a stream whose `make`
/// hint asks for a 154 GB array exited 1 with a panic and a backtrace; they
/// exit 2 with one line naming the bound.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn hostile_hint_exits_2_without_a_panic() {
    let stream = r#"{"t":"op","i":0,"op":"make","kt":"u64","hint":4294967296,"seed":0,"count":0,"flags":0,"B":0,"noverflow":0,"hash0":1,"nevacuate":0,"growing":false}"#;
    let file = scratch("hostile_hint.jsonl", stream.as_bytes());
    for args in [&["replay"][..], &["verify", file.to_str().unwrap()]] {
        // Only replay reads standard input (verify may exit before a write).
        let stdin: &[u8] = if args[0] == "replay" {
            stream.as_bytes()
        } else {
            b""
        };
        let output = lab(args, stdin);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{stderr}"
        );
        assert!(stderr.contains("at most 256 MiB"), "{stderr}");
    }
}
