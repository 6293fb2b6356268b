//! Parsing: what a well-formed stream is, and how a malformed one is reported.

use std::io::Write;

use gomap_lab::input::{Input, InputError};
use gomap_lab::protocol::{parse_line, BucketAt, Key, Record};
use gomap_lab::replay::prepare;

const MAKE: &str = r#"{"t":"op","i":0,"op":"make","kt":"u64","hint":0,"seed":0,"count":0,"flags":0,"B":0,"noverflow":0,"hash0":7,"nevacuate":0,"growing":false}"#;
const PUT: &str = r#"{"t":"op","i":1,"op":"put","key":1,"val":10,"hash":99,"seed":7,"count":1,"flags":0,"B":0,"noverflow":0,"hash0":7,"nevacuate":0,"growing":false}"#;

fn parse_error(line: &str) -> String {
    parse_line(line).expect_err("the line is malformed")
}

/// The error of the first bad record of `text`, as (line, message).
fn stream_error(text: &str) -> (usize, String) {
    let input = Input::bytes("test", text.as_bytes().to_vec());
    let error = input
        .records()
        .unwrap()
        .find_map(Result::err)
        .expect("the stream is malformed");
    match error {
        InputError::Malformed { line, message, .. } => (line, message),
        other => panic!("expected a malformed-input error, got {other}"),
    }
}

fn prepare_error(text: &str) -> (usize, String) {
    let input = Input::bytes("test", text.as_bytes().to_vec());
    match prepare(input.records().unwrap()).expect_err("the stream cannot be replayed") {
        InputError::Malformed { line, message, .. } => (line, message),
        other => panic!("expected a malformed-input error, got {other}"),
    }
}

#[test]
fn integers_up_to_u64_max_are_exact() {
    let line = PUT
        .replace(r#""key":1"#, r#""key":18446744073709551615"#)
        .replace(r#""hash":99"#, r#""hash":18446744073709551614"#)
        .replace(r#""val":10"#, r#""val":18446744073709551613"#);
    let Some(Record::Op(op)) = parse_line(&line).unwrap() else {
        panic!("an op record")
    };
    assert_eq!(op.key, Some(Key::U64(u64::MAX)));
    assert_eq!(op.hash, Some(u64::MAX - 1));
    assert_eq!(op.val, Some(u64::MAX - 2));
}

#[test]
fn integers_that_are_not_u64_are_rejected() {
    let too_big = PUT.replace(r#""count":1"#, r#""count":18446744073709551616"#);
    assert!(
        parse_error(&too_big).contains("expected u64"),
        "{}",
        parse_error(&too_big)
    );
    let negative = PUT.replace(r#""count":1"#, r#""count":-1"#);
    assert!(
        parse_error(&negative).contains("-1"),
        "{}",
        parse_error(&negative)
    );
    let fraction = PUT.replace(r#""count":1"#, r#""count":1.5"#);
    assert!(
        parse_error(&fraction).contains("1.5"),
        "{}",
        parse_error(&fraction)
    );
    let key = PUT.replace(r#""key":1"#, r#""key":-3"#);
    assert!(parse_error(&key).contains("a key"), "{}", parse_error(&key));
}

#[test]
fn each_kind_of_malformed_line_is_named() {
    assert!(parse_error("{").contains("not valid JSON"));
    assert!(parse_error("[1,2]").contains("JSON object"));
    assert!(parse_error(r#"{"i":1}"#).contains("no `t`"));
    assert!(parse_error(r#"{"t":"frob","i":1}"#).contains("unknown record type"));
    assert!(parse_error(r#"{"t":5}"#).contains("`t` must be a string"));
    let no_count = PUT.replace(r#""count":1,"#, "");
    assert!(parse_error(&no_count).contains("missing field `count`"));
    let get_without_ok = PUT.replace(r#""op":"put""#, r#""op":"get""#);
    assert_eq!(parse_error(&get_without_ok), "get record has no `ok`");
    let make_without_kt = MAKE.replace(r#""kt":"u64","#, "");
    assert_eq!(parse_error(&make_without_kt), "make record has no `kt`");
    let unknown_op = PUT.replace(r#""op":"put""#, r#""op":"upsert""#);
    assert!(parse_error(&unknown_op).contains("unknown variant `upsert`"));
}

#[test]
fn dump_fields_are_checked() {
    let dump = |arr: &str| {
        format!(
            r#"{{"t":"dump","i":2,"kt":"u64","count":0,"flags":0,"B":0,"noverflow":0,"hash0":7,"buckets":"0x1","oldbuckets":null,"nevacuate":0,"extra":null,"bucketsize":144,"arr_len":1,"arr":{arr}}}"#
        )
    };
    let bucket = r#"{"at":"pre:17","top":[0,0,0,0,0,0,0,0],"keys":null,"vals":[null,null,null,null,null,null,null,null]}"#;
    let Some(Record::Dump(ok)) = parse_line(&dump(&format!("[[{bucket}]]"))).unwrap() else {
        panic!("a dump")
    };
    let arr = ok.arr.unwrap();
    assert_eq!(arr[0][0].at, BucketAt::Pre(17));
    assert_eq!(arr[0][0].slot_keys(), <[Option<Key>; 8]>::default());
    let bad_at = bucket.replace("pre:17", "pool:1");
    assert!(
        parse_error(&dump(&format!("[[{bad_at}]]"))).contains("\"main\", \"heap\" or \"pre:N\"")
    );
    let short_top = bucket.replace("[0,0,0,0,0,0,0,0]", "[0,0,0]");
    assert!(parse_error(&dump(&format!("[[{short_top}]]"))).contains("invalid length 3"));
    let no_arr = dump("[]").replace(r#","arr":[]"#, "");
    assert_eq!(parse_error(&no_arr), "dump record has no `arr`");
    let no_extra = dump("[]").replace(r#""extra":null,"#, "");
    assert_eq!(parse_error(&no_extra), "dump record has no `extra`");
}

#[test]
fn a_malformed_line_is_named_by_its_number() {
    let text = format!("{MAKE}\n\n{PUT}\n{{\"t\":\"op\"\n");
    let (line, message) = stream_error(&text);
    assert_eq!(line, 4);
    assert!(message.contains("not valid JSON"), "{message}");
    let display = InputError::Malformed {
        name: "f.jsonl".into(),
        line,
        message,
    }
    .to_string();
    assert!(
        display.starts_with("f.jsonl: line 4: not valid JSON"),
        "{display}"
    );
}

#[test]
fn invalid_utf8_is_named_by_its_line() {
    let mut bytes = format!("{MAKE}\n").into_bytes();
    bytes.extend_from_slice(b"{\"t\":\"op\xff\"}\n");
    let input = Input::bytes("test", bytes);
    let error = input.records().unwrap().find_map(Result::err).unwrap();
    assert!(
        matches!(&error, InputError::Malformed { line: 2, message, .. } if message == "not valid UTF-8"),
        "{error}"
    );
}

#[test]
fn gzip_streams_are_read_like_plain_ones() {
    let text = format!("{MAKE}\n{PUT}\n");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    let gz = Input::bytes("test.gz", encoder.finish().unwrap());
    let plain = Input::bytes("test", text.into_bytes());
    let read = |input: &Input| -> Vec<(usize, Record)> {
        input.records().unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(read(&gz), read(&plain));
    assert_eq!(read(&gz).len(), 2);
}

#[test]
fn streams_that_cannot_be_replayed_are_rejected_before_replaying() {
    let (line, message) = prepare_error(&format!("{PUT}\n"));
    assert_eq!((line, message.as_str()), (1, "a `put` before any `make`"));

    let str_key = PUT.replace(r#""key":1"#, r#""key":"one""#);
    let (line, message) = prepare_error(&format!("{MAKE}\n{str_key}\n"));
    assert_eq!(line, 2);
    assert!(
        message.contains("is a str key, but the map made at line 1 has u64 keys"),
        "{message}"
    );

    let no_hash = PUT.replace(r#""hash":99,"#, "");
    let (line, message) = prepare_error(&format!("{MAKE}\n{no_hash}\n"));
    assert_eq!((line, message.as_str()), (2, "`put` record has no `hash`"));

    let other_hash = PUT
        .replace(r#""hash":99"#, r#""hash":98"#)
        .replace(r#""i":1"#, r#""i":2"#);
    let (line, message) = prepare_error(&format!("{MAKE}\n{PUT}\n{other_hash}\n"));
    assert_eq!(line, 3);
    assert!(message.contains("has hash 98 here but 99"), "{message}");

    let wide_seed = PUT.replace(r#""seed":7"#, r#""seed":4294967296"#);
    let (line, message) = prepare_error(&format!("{MAKE}\n{wide_seed}\n"));
    assert_eq!(line, 2);
    assert!(message.contains("does not fit in 32 bits"), "{message}");

    let dump =
        r#"{"t":"hdr","i":0,"count":0,"flags":0,"B":0,"noverflow":0,"hash0":7,"nevacuate":0}"#;
    let (line, message) = prepare_error(&format!("{dump}\n"));
    assert_eq!(
        (line, message.as_str()),
        (1, "a hdr record before any `make`")
    );
}

/// Regression (issue 17): a one-line stream whose `make` hint asks for a
/// 154 GB bucket array made the lab try to allocate it and exit 1 with a
/// panic message. The hint is refused up front, naming the bound; a hint
/// Go itself ignores (over its 2^48-byte cut) still replays, as B = 0.
#[test]
fn regression_a_hostile_make_hint_is_refused_before_allocating() {
    let hostile = MAKE.replace(r#""hint":0"#, r#""hint":4294967296"#);
    let (line, message) = prepare_error(&hostile);
    assert_eq!(line, 1);
    assert!(
        message.contains("hint 4294967296") && message.contains("256 MiB"),
        "{message}"
    );
    let huge = MAKE.replace(r#""hint":0"#, r#""hint":18446744073709551615"#);
    let input = Input::bytes("test", huge.into_bytes());
    assert!(prepare(input.records().unwrap()).is_ok());
    // Just under the bound, B = 20 for u64 keys (151 MB), is accepted.
    let ok = MAKE.replace(r#""hint":0"#, r#""hint":6815744"#);
    let input = Input::bytes("test", ok.into_bytes());
    assert!(prepare(input.records().unwrap()).is_ok());
}
