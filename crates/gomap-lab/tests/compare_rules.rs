//! The comparison rules of PROTOCOL.md ("What a replay must match") on small synthetic
//! streams: each compared field, when changed, is reported; each ignored one is not.

use gomap_lab::compare::{compare_inputs, Comparison, Difference};
use gomap_lab::input::{Input, InputError};
use serde_json::{json, Value};

fn header(count: u64, b: u64, hash0: u64, nevacuate: u64) -> Value {
    json!({"count": count, "flags": 0, "B": b, "noverflow": 0, "hash0": hash0, "nevacuate": nevacuate})
}

fn with(mut record: Value, fields: Value) -> Value {
    for (name, value) in fields.as_object().unwrap() {
        record[name] = value.clone();
    }
    record
}

fn bucket(at: &str, top: [u8; 8], keys: [Option<u64>; 8]) -> Value {
    json!({"at": at, "top": top, "keys": keys, "vals": keys.map(|k| k.map(|k| k * 10))})
}

/// A small stream: make, two puts, a get, a dump mid-growth (one old bucket evacuated,
/// one not), a del, a hdr.
fn stream() -> Vec<Value> {
    let op = |i: u64, op: &str, count: u64, extra: Value| {
        with(
            with(
                json!({"t": "op", "i": i, "line": i + 1, "op": op, "seed": 7, "growing": false}),
                header(count, 1, 7, 0),
            ),
            extra,
        )
    };
    let k = |n: u64| Some(n);
    vec![
        op(0, "make", 0, json!({"kt": "u64", "hint": 9, "seed": 0})),
        op(1, "put", 1, json!({"key": 1, "val": 10, "hash": 11})),
        op(
            2,
            "put",
            2,
            json!({"key": 2, "val": 20, "hash": 22, "growing": true, "B": 2, "nevacuate": 1}),
        ),
        op(
            3,
            "get",
            2,
            json!({"key": 2, "val": 20, "ok": true, "hash": 22, "growing": true, "B": 2, "nevacuate": 1}),
        ),
        with(
            json!({"t": "dump", "i": 4, "kt": "u64", "buckets": "0xc000010000",
                   "oldbuckets": "0xc000020000",
                   "extra": {"overflow": null, "oldoverflow": 1, "next_overflow": null, "pre_free": 0},
                   "bucketsize": 144, "arr_len": 4}),
            with(
                header(2, 2, 7, 1),
                json!({
                    "arr": [
                        [bucket("main", [40, 0, 0, 0, 0, 0, 0, 0], [k(1), None, None, None, None, None, None, None])],
                        [bucket("main", [0; 8], [None; 8])],
                        [bucket("main", [0; 8], [None; 8])],
                        [bucket("main", [0; 8], [None; 8])],
                    ],
                    "old": [
                        [bucket("main", [2, 4, 4, 4, 4, 4, 4, 4], [None; 8]),
                         bucket("heap", [4; 8], [None; 8])],
                        [bucket("main", [77, 0, 0, 0, 0, 0, 0, 0], [k(2), None, None, None, None, None, None, None])],
                    ],
                }),
            ),
        ),
        op(
            5,
            "del",
            1,
            json!({"key": 1, "hash": 11, "B": 2, "nevacuate": 2}),
        ),
        with(
            json!({"t": "hdr", "i": 6, "kt": "u64", "buckets": "0xc000010000", "oldbuckets": null,
                   "extra": null, "bucketsize": 144, "arr_len": 4}),
            header(1, 2, 7, 2),
        ),
    ]
}

fn text(records: &[Value]) -> Vec<u8> {
    records
        .iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

fn compare(go: &[Value], ours: &[Value]) -> Result<Comparison, InputError> {
    compare_inputs(
        &Input::bytes("go", text(go)),
        &Input::bytes("ours", text(ours)),
        100,
    )
}

/// The differences found after `change` is applied to a copy of the stream.
fn differences_after(change: impl FnOnce(&mut Vec<Value>)) -> Vec<Difference> {
    let go = stream();
    let mut ours = stream();
    change(&mut ours);
    compare(&go, &ours).unwrap().differences().to_vec()
}

/// Asserts that `change` is reported as exactly one difference at `path` of record `i`.
#[track_caller]
fn assert_one(i: u64, path: &str, change: impl FnOnce(&mut Vec<Value>)) {
    let differences = differences_after(change);
    assert_eq!(differences.len(), 1, "{differences:#?}");
    assert_eq!((differences[0].i, differences[0].path.as_str()), (i, path));
}

#[track_caller]
fn assert_none(change: impl FnOnce(&mut Vec<Value>)) {
    let differences = differences_after(change);
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn identical_streams_match() {
    let comparison = compare(&stream(), &stream()).unwrap();
    assert!(comparison.is_match());
    assert_eq!(comparison.total_differences(), 0);
    assert_eq!(comparison.records(), 7);
    assert_eq!(comparison.summary(), "7 records compared: no differences");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn op_header_fields_are_compared() {
    assert_one(1, "count", |s| s[1]["count"] = json!(2));
    assert_one(1, "flags&8", |s| s[1]["flags"] = json!(8));
    assert_one(1, "B", |s| s[1]["B"] = json!(2));
    assert_one(1, "noverflow", |s| s[1]["noverflow"] = json!(1));
    assert_one(1, "hash0", |s| s[1]["hash0"] = json!(8));
    assert_one(2, "nevacuate", |s| s[2]["nevacuate"] = json!(2));
    assert_one(2, "growing", |s| s[2]["growing"] = json!(false));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn op_results_and_arguments_are_compared() {
    assert_one(3, "val", |s| s[3]["val"] = json!(0));
    assert_one(3, "ok", |s| s[3]["ok"] = json!(false));
    assert_one(1, "key", |s| s[1]["key"] = json!(3));
    assert_one(1, "key", |s| s[1]["key"] = json!("1"));
    assert_one(1, "val", |s| s[1]["val"] = json!(11));
    assert_one(1, "op", |s| s[1]["op"] = json!("del"));
    assert_one(0, "kt", |s| s[0]["kt"] = json!("str"));
    assert_one(0, "hint", |s| s[0]["hint"] = json!(8));
}

#[test]
fn a_difference_names_record_field_and_both_values() {
    let differences = differences_after(|s| s[3]["val"] = json!(0));
    assert_eq!(differences[0].to_string(), "i=3 get: val: go 20, ours 0");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn fields_outside_the_contract_are_ignored() {
    assert_none(|s| {
        s[1]["flags"] = json!(1 | 2 | 4);
        s[1]["line"] = json!(99);
        s[1]["seed"] = json!(5);
        s[1]["hash"] = json!(5);
        s[4]["buckets"] = json!("0x1");
        s[4]["oldbuckets"] = json!(2);
        s[4]["extra"]["overflow"] = json!(3);
        s[4]["extra"]["oldoverflow"] = json!(null);
        s[6]["extra"] = json!({"next_overflow": null, "pre_free": 0});
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn noverflow_is_compared_only_below_b_16() {
    let at_b = |b: u64| {
        let mut go = stream();
        go[1]["B"] = json!(b);
        let mut ours = go.clone();
        ours[1]["noverflow"] = json!(1000);
        compare(&go, &ours).unwrap().total_differences()
    };
    assert_eq!(at_b(15), 1);
    assert_eq!(at_b(16), 0);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn dump_fields_are_compared() {
    assert_one(4, "count", |s| s[4]["count"] = json!(3));
    assert_one(4, "arr_len", |s| s[4]["arr_len"] = json!(5));
    assert_one(4, "bucketsize", |s| s[4]["bucketsize"] = json!(208));
    assert_one(4, "kt", |s| s[4]["kt"] = json!("str"));
    assert_one(4, "buckets", |s| s[4]["buckets"] = json!(null));
    assert_one(4, "oldbuckets", |s| s[4]["oldbuckets"] = json!(null));
    assert_one(4, "extra.pre_free", |s| {
        s[4]["extra"]["pre_free"] = json!(1)
    });
    assert_one(4, "extra.next_overflow", |s| {
        s[4]["extra"]["next_overflow"] = json!(4)
    });
    assert_one(4, "extra.pre_free", |s| {
        s[4]["extra"] = json!({"next_overflow": null, "pre_free": 2})
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn every_bucket_of_the_array_is_compared() {
    assert_one(4, "arr[0][0].top", |s| {
        s[4]["arr"][0][0]["top"][1] = json!(1)
    });
    assert_one(4, "arr[0][0].keys", |s| {
        s[4]["arr"][0][0]["keys"][0] = json!(5)
    });
    assert_one(4, "arr[0][0].vals", |s| {
        s[4]["arr"][0][0]["vals"][0] = json!(5)
    });
    assert_one(4, "arr[0][0].at", |s| {
        s[4]["arr"][0][0]["at"] = json!("heap")
    });
    assert_one(4, "arr[3].chain_length", |s| {
        let overflow = bucket("pre:4", [0; 8], [None; 8]);
        s[4]["arr"][3].as_array_mut().unwrap().push(overflow);
    });
    assert_one(4, "arr.len", |s| {
        s[4]["arr"].as_array_mut().unwrap().pop();
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn keys_null_means_no_keys() {
    assert_none(|s| s[4]["arr"][1][0]["keys"] = json!(null));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn old_buckets_not_yet_evacuated_are_compared_in_full() {
    assert_one(4, "old[1][0].keys", |s| {
        s[4]["old"][1][0]["keys"][0] = json!(3)
    });
    assert_one(4, "old[1].chain_length", |s| {
        let overflow = bucket("heap", [0; 8], [None; 8]);
        s[4]["old"][1].as_array_mut().unwrap().push(overflow);
    });
    assert_one(4, "old", |s| {
        s[4].as_object_mut().unwrap().remove("old");
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn evacuated_old_buckets_are_compared_by_main_top_only() {
    // Go cuts the overflow link of evacuated buckets in some maps and keeps it in
    // others; the chain behind an evacuated main bucket is not compared.
    assert_none(|s| {
        s[4]["old"][0].as_array_mut().unwrap().pop();
        s[4]["old"][0][0]["at"] = json!("heap");
    });
    assert_one(4, "old[0][0].top", |s| {
        s[4]["old"][0][0]["top"][1] = json!(2)
    });
    // A bucket evacuated on one side only is a difference of its main top.
    assert_one(4, "old[1][0].top", |s| {
        s[4]["old"][1][0]["top"] = json!([2, 4, 4, 4, 4, 4, 4, 4]);
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn hdr_fields_are_compared_when_both_carry_them() {
    assert_one(6, "hash0", |s| s[6]["hash0"] = json!(1));
    assert_one(6, "arr_len", |s| s[6]["arr_len"] = json!(8));
    assert_one(6, "oldbuckets", |s| s[6]["oldbuckets"] = json!("0x2"));
    assert_none(|s| {
        let hdr = s[6].as_object_mut().unwrap();
        for field in [
            "kt",
            "buckets",
            "oldbuckets",
            "extra",
            "bucketsize",
            "arr_len",
        ] {
            hdr.remove(field);
        }
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn a_record_missing_on_either_side_is_a_difference() {
    let go = stream();
    let mut ours = stream();
    ours.remove(3);
    let comparison = compare(&go, &ours).unwrap();
    assert_eq!(comparison.total_differences(), 1);
    let difference = &comparison.differences()[0];
    assert_eq!(
        difference.to_string(),
        "i=3 get: record: go present, ours missing"
    );
    assert!(comparison
        .summary()
        .contains("1 records missing from ours, 0 missing from go"));

    let comparison = compare(&ours, &go).unwrap();
    assert_eq!(comparison.differences()[0].go, "missing");

    // Different record types at one i are different records.
    let mut ours = stream();
    ours[6]["t"] = json!("dump");
    ours[6]["arr"] = json!([]);
    assert_eq!(compare(&go, &ours).unwrap().total_differences(), 2);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn only_the_first_differences_are_kept_but_all_are_counted() {
    let go = stream();
    let mut ours = stream();
    for record in &mut ours {
        record["count"] = json!(100);
    }
    let comparison = compare_inputs(
        &Input::bytes("go", text(&go)),
        &Input::bytes("ours", text(&ours)),
        3,
    )
    .unwrap();
    assert_eq!(comparison.differences().len(), 3);
    assert_eq!(comparison.total_differences(), 7);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "dozens of comparisons of safe code only; too slow under Miri"
)]
fn records_out_of_order_are_malformed() {
    let mut ours = stream();
    ours.swap(1, 2);
    match compare(&stream(), &ours) {
        Err(InputError::Malformed {
            name,
            line,
            message,
        }) => {
            assert_eq!((name.as_str(), line), ("ours", 3));
            assert!(message.contains("follows i=2 op (line 2)"), "{message}");
        }
        other => panic!("expected malformed input, got {other:?}"),
    }
    let mut ours = stream();
    ours.insert(2, ours[1].clone());
    let Err(InputError::Malformed {
        line: 3, message, ..
    }) = compare(&stream(), &ours)
    else {
        panic!("expected malformed input")
    };
    assert!(
        message.contains("a second i=1 op record (the first is at line 2)"),
        "{message}"
    );
}
