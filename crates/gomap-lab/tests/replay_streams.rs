//! Replay on streams built from the samples: streams with several `make`s, the
//! replay's own output as input, and a recording the map cannot follow.

use std::path::{Path, PathBuf};

use gomap_lab::compare::compare_inputs;
use gomap_lab::input::Input;
use gomap_lab::replay::Replay;
use gomap_lab::verify::verify;
use serde_json::Value;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/oracle/samples")
        .join(name)
}

fn lines(name: &str) -> Vec<Value> {
    std::fs::read_to_string(sample(name))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn input(name: &str, records: &[Value]) -> Input {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    Input::bytes(name, text.into_bytes())
}

/// The replay's output for `input`, as a stream.
fn replayed(input: &Input) -> Input {
    let mut replay = Replay::start(input).unwrap();
    let mut text = String::new();
    for step in replay.by_ref() {
        text += &step
            .unwrap()
            .output
            .expect("the replay goes on")
            .to_json_line();
        text.push('\n');
    }
    assert!(replay.failure().is_none());
    Input::bytes("replayed", text.into_bytes())
}

#[test]
fn a_recording_compiled_in_replays_exactly_also_under_miri() {
    // No file access, so Miri runs it too and checks the core's unsafe code along a
    // path Go recorded: overflow chains, emptyRest propagation, a reseed.
    let recording = include_str!("../../../testdata/oracle/samples/e_emptyrest.jsonl");
    let verification = verify(
        &Input::bytes("e_emptyrest", recording.as_bytes().to_vec()),
        20,
    )
    .unwrap();
    assert!(
        verification.is_match(),
        "{:#?}",
        verification.comparison.differences()
    );
}

#[test]
#[cfg_attr(miri, ignore = "reads files")]
fn a_stream_of_maps_of_both_key_types_replays_exactly() {
    // The u64 growth recording, then the string-key recording renumbered after it:
    // each make replaces the map, so the second part still matches Go.
    let mut records = lines("b_grow.jsonl");
    let next_i = records
        .iter()
        .map(|r| r["i"].as_u64().unwrap())
        .max()
        .unwrap()
        + 1;
    for mut record in lines("d_strings.jsonl") {
        record["i"] = (record["i"].as_u64().unwrap() + next_i).into();
        records.push(record);
    }
    let verification = verify(&input("u64-then-str", &records), 20).unwrap();
    assert!(
        verification.is_match(),
        "{:#?}",
        verification.comparison.differences()
    );
    assert_eq!(verification.comparison.records(), records.len());
}

#[test]
#[cfg_attr(miri, ignore = "reads files")]
fn the_replay_output_is_itself_a_stream_that_replays_to_itself() {
    let go = Input::file(sample("f_clear_growing.jsonl"));
    let ours = replayed(&go);
    assert!(compare_inputs(&go, &ours, 20).unwrap().is_match());
    // It carries its own seeds and hashes, so it can be replayed again.
    let again = replayed(&ours);
    let verification = verify(&ours, 20).unwrap();
    assert!(verification.is_match());
    assert!(compare_inputs(&ours, &again, 20).unwrap().is_match());
}

#[test]
#[cfg_attr(miri, ignore = "reads files")]
fn a_hash_the_recording_lacks_stops_the_replay_naming_the_record() {
    // Record the first put under another seed: the map, seeded as Go was, asks for
    // key 1 under the real seed, which the recording no longer holds.
    let mut records = lines("b_grow.jsonl");
    let seed = records[1]["seed"].as_u64().unwrap();
    records[1]["seed"] = (seed ^ 1).into();
    let verification = verify(&input("reseeded", &records), 5).unwrap();
    let failure = verification.failure.expect("the replay stops");
    assert_eq!(
        (failure.line, failure.i, failure.what.as_str()),
        (2, 1, "put")
    );
    assert!(
        failure
            .message
            .contains(&format!("key 1 under seed {seed}")),
        "{failure}"
    );
    assert!(failure
        .to_string()
        .starts_with("reseeded: line 2 (i=1 put): replay failed:"));
    // That record and every one after it are missing from the replay.
    assert_eq!(
        verification.comparison.total_differences(),
        records.len() - 1
    );
    assert_eq!(verification.comparison.differences()[0].path, "record");
}

#[test]
#[cfg_attr(miri, ignore = "reads files")]
fn a_seed_drawn_where_go_drew_none_shows_as_a_hash0_difference() {
    // Pretend Go did not reseed when the last key was deleted: the map still draws
    // (it must), gets the placeholder seed, and its hash0 differs from then on.
    let mut records = lines("e_emptyrest.jsonl");
    let last_del = records.iter().rposition(|r| r["op"] == "del").unwrap();
    let old_seed = records[last_del]["seed"].clone();
    for record in &mut records[last_del..] {
        record["hash0"] = old_seed.clone();
    }
    let verification = verify(&input("no-reseed", &records), 5).unwrap();
    let first = &verification.comparison.differences()[0];
    assert_eq!(first.path, "hash0");
    assert_eq!(first.ours, "0");
}
