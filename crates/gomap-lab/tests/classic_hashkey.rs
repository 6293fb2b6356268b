//! The hashkey record of classic streams (oracle/README.md, "The hashkey record"):
//! with it every recorded hash is recomputed from the key, the seed and the key
//! material, a wrong one fails the replay by its line, and a malformed record is bad
//! input (exit 2).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use gomap_lab::input::Input;
use gomap_lab::verify::verify;

fn recorded(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/oracle/recorded")
        .join(name)
}

/// The decompressed text of a committed recording.
fn text_of(name: &str) -> String {
    let mut text = String::new();
    Input::file(recorded(name))
        .reader()
        .expect("the recording opens")
        .read_to_string(&mut text)
        .expect("the recording reads");
    text
}

/// Runs `gomap-lab verify` on `text` (written to a scratch file named `tag`):
/// exit status and stdout + stderr.
fn verify_cli(tag: &str, text: &str) -> (i32, String) {
    let path = std::env::temp_dir().join(format!(
        "gomap-classic-hashkey-{}-{tag}.jsonl",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("scratch file");
    let out = Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .arg("verify")
        .arg(&path)
        .output()
        .expect("gomap-lab runs");
    std::fs::remove_file(&path).ok();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().expect("an exit status"), all)
}

#[test]
#[cfg_attr(miri, ignore = "reads files and replays thousands of ops")]
fn every_committed_recording_recomputes_its_hashes() {
    let dir = recorded("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("testdata/oracle/recorded exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl.gz"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no recordings in {}", dir.display());
    for name in names {
        let v = verify(&Input::file(recorded(&name)), 5).expect("the recording is well formed");
        assert_eq!(v.hashes.skipped, None, "{name}: hashes were not recomputed");
        assert!(v.hashes.recomputed > 0, "{name}: no hash recomputed");
        assert_eq!(v.hashes.mismatches, [], "{name}");
        assert!(v.is_match(), "{name}: {}", v.comparison.summary());
    }
}

#[test]
fn one_altered_hash_fails_the_replay_naming_its_line() {
    let text = text_of("clear.jsonl.gz");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // The third keyed op, so the altered line is not simply the first op.
    let (at, _) = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"hash\":"))
        .nth(2)
        .expect("the recording has keyed ops");
    let start = lines[at].find("\"hash\":").unwrap() + "\"hash\":".len();
    let len = lines[at][start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap();
    let recorded: u64 = lines[at][start..start + len].parse().unwrap();
    let altered = recorded ^ 1;
    lines[at].replace_range(start..start + len, &altered.to_string());
    let (code, out) = verify_cli("altered", &(lines.join("\n") + "\n"));
    assert_eq!(code, 1, "{out}");
    let want = format!(
        "line {}: recorded hash {altered}, recomputed {recorded}",
        at + 1
    );
    assert!(out.contains(&want), "expected {want:?} in:\n{out}");
    assert!(out.contains("1 different"), "{out}");

    // `replay` reports it too, by line, with the same exit status.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gomap-lab"))
        .arg("replay")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gomap-lab runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    let replayed = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&replayed.stderr);
    assert_eq!(replayed.status.code(), Some(1), "{err}");
    assert!(err.contains(&want), "expected {want:?} in:\n{err}");

    // The unaltered text verifies, recomputing.
    let (code, out) = verify_cli("unaltered", &text);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("hashes recomputed:") && out.contains(" 0 different"),
        "{out}"
    );
}

#[test]
fn a_stream_without_the_record_is_replayed_and_says_so() {
    let text = text_of("clear.jsonl.gz");
    let (first, rest) = text.split_once('\n').unwrap();
    assert!(first.contains("\"t\":\"hashkey\""), "{first}");
    let (code, out) = verify_cli("nokey", rest);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("hashes not recomputed: no hashkey record"),
        "{out}"
    );
}

#[test]
fn a_malformed_hashkey_record_exits_2_naming_its_line() {
    let text = text_of("clear.jsonl.gz");
    let (first, rest) = text.split_once('\n').unwrap();
    let cases = [
        ("truncated", format!("{}\n{rest}", &first[..first.len() / 2]), 1),
        (
            "three-words",
            format!("{{\"t\":\"hashkey\",\"go\":\"go1.19.8\",\"aes\":false,\"hashkey\":[1,3,5]}}\n{rest}"),
            1,
        ),
        (
            "aes",
            format!("{}\n{rest}", first.replace("\"aes\":false", "\"aes\":true")),
            1,
        ),
        ("not-first", format!("{}\n{first}\n{}", rest.lines().next().unwrap(), rest), 2),
    ];
    for (tag, stream, line) in cases {
        let (code, out) = verify_cli(tag, &stream);
        assert_eq!(code, 2, "{tag}: {out}");
        assert!(out.contains(&format!("line {line}: ")), "{tag}: {out}");
        assert!(!out.contains("panicked"), "{tag}: {out}");
    }
}

#[test]
fn a_release_without_a_known_schedule_is_replayed_and_says_so() {
    let text = text_of("clear.jsonl.gz");
    let (first, rest) = text.split_once('\n').unwrap();
    let go = first
        .split("\"go\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let renamed = first.replace(go, "go1.22.10");
    let (code, out) = verify_cli("go122", &format!("{renamed}\n{rest}"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("fallback key schedule of go1.22.10 is not implemented"),
        "{out}"
    );
}
