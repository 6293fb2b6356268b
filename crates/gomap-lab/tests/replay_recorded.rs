//! Every recording of a real Go map in the repository, replayed on gomap, must be
//! reached exactly: the samples (testdata/oracle/samples, Go 1.19.8) and the project
//! oracle's recordings (testdata/oracle/recorded). New files are picked up as they are
//! added.

use std::path::{Path, PathBuf};

use gomap_lab::input::Input;
use gomap_lab::verify::verify;

fn testdata(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/oracle")
        .join(dir)
}

/// The recordings in `dir` (`*.jsonl`, `*.jsonl.gz`), sorted; none if it is absent.
fn recordings(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")
        })
        .collect();
    files.sort();
    files
}

/// Verifies every file, then fails once, listing every file that did not match.
fn assert_all_match(files: &[PathBuf]) {
    let mut failures = Vec::new();
    for file in files {
        let verification = match verify(&Input::file(file), 20) {
            Ok(verification) => verification,
            Err(error) => {
                failures.push(format!("{}: malformed: {error}", file.display()));
                continue;
            }
        };
        if verification.is_match() {
            continue;
        }
        let mut report = format!("{}:", file.display());
        for difference in verification.comparison.differences() {
            report += &format!("\n    {difference}");
        }
        if let Some(failure) = &verification.failure {
            report += &format!("\n    {failure}");
        }
        report += &format!("\n    {}", verification.comparison.summary());
        failures.push(report);
    }
    assert!(
        failures.is_empty(),
        "{} of {} recordings differ from the replay:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
#[cfg_attr(miri, ignore = "reads files and replays thousands of ops")]
fn samples_replay_exactly() {
    let files = recordings(&testdata("samples"));
    assert!(
        !files.is_empty(),
        "no recordings in {}",
        testdata("samples").display()
    );
    assert_all_match(&files);
}

#[test]
#[cfg_attr(miri, ignore = "reads files and replays thousands of ops")]
fn oracle_recordings_replay_exactly() {
    let files = recordings(&testdata("recorded"));
    if files.is_empty() {
        eprintln!("no recordings in {} yet", testdata("recorded").display());
    }
    assert_all_match(&files);
}
