//! Comparing two Swiss streams under SWISS-PROTOCOL.md, "What a replay must
//! match".
//!
//! Records pair by `i` (in a Swiss stream every record has its own `i`, and
//! the reader holds them consecutive from 0); one present in a stream and
//! missing from the other is a difference, as is a pair of different types.
//!
//! What is compared, per record type:
//! - env: `hashkey` (the rest names the recorder).
//! - op: `op`, `kt`, `hint`, `key`, `val`, `ok` (so that streams of
//!   different scripts never compare equal, and a `get`'s result is
//!   checked), `hash` (both sides compute it: Go's runtime and our
//!   recomputation), the header (`used`, `seed_after`, `alloc`, `dirLen`,
//!   `globalDepth`, `globalShift`, `tombstonePossible` unless the
//!   reference's is null, `clearSeq`, `ntables`) and `tab` with its six
//!   fields.
//! - hdr: `kt`, the header, `tombstones`, `dir`, the number of tables and per
//!   table `id`, `used`, `capacity`, `growthLeft`, `localDepth`, `index`,
//!   `lengthMask`.
//! - dump: all of hdr, plus `small` and every group of every table: its 8
//!   `ctrl` bytes and the `keys` and `vals` of its slots.
//!
//! Never compared: `line`, `seed` (the previous record's `seed_after`
//! already is), and iter records beyond their presence (Go's range order
//! depends on two random offsets).

#![forbid(unsafe_code)]

use std::fmt;

use serde::Serialize;

use crate::compare::{Comparison, Side};
use crate::input::{Input, InputError};
use crate::swiss_protocol::{
    EnvRecord, Group, SwissHeader, SwissLayoutRecord, SwissOpRecord, SwissRecord, SwissStream,
};
use crate::swiss_replay::{read_swiss, replay, HashMismatch};

/// Compares our records with the reference's, keeping the first `keep`
/// differences. Both record sequences are in stream order, env excluded.
pub fn compare_records<'a>(
    go_env: &EnvRecord,
    go: impl IntoIterator<Item = &'a SwissRecord>,
    our_env: &EnvRecord,
    ours: impl IntoIterator<Item = &'a SwissRecord>,
    keep: usize,
) -> Comparison {
    let mut comparison = Comparison::new(keep);
    comparison.pair_with(None, |c| {
        let mut f = Fields {
            comparison: c,
            i: 0,
            what: "env",
        };
        f.check("hashkey", &go_env.hashkey, &our_env.hashkey);
    });
    let mut go = go.into_iter().peekable();
    let mut ours = ours.into_iter().peekable();
    loop {
        let (g, o) = match (go.peek(), ours.peek()) {
            (None, None) => break,
            (Some(g), Some(o)) if g.i() == o.i() => (go.next(), ours.next()),
            (Some(g), Some(o)) if g.i() < o.i() => (go.next(), None),
            (Some(_), None) => (go.next(), None),
            _ => (None, ours.next()),
        };
        pair(&mut comparison, g, o);
    }
    comparison
}

fn pair(comparison: &mut Comparison, go: Option<&SwissRecord>, ours: Option<&SwissRecord>) {
    match (go, ours) {
        (None, None) => {}
        (Some(g), None) => comparison.pair_with(Some(Side::Ours), |c| {
            c.found(g.i().unwrap_or(0), &what(g), "record", "present", "missing")
        }),
        (None, Some(o)) => comparison.pair_with(Some(Side::Go), |c| {
            c.found(o.i().unwrap_or(0), &what(o), "record", "missing", "present")
        }),
        (Some(g), Some(o)) => {
            let what = what(g);
            comparison.pair_with(None, |c| {
                let mut f = Fields {
                    comparison: c,
                    i: g.i().unwrap_or(0),
                    what: &what,
                };
                match (g, o) {
                    (SwissRecord::Op(g), SwissRecord::Op(o)) => f.op(g, o),
                    (SwissRecord::Dump(g), SwissRecord::Dump(o)) => f.layout(g, o, true),
                    (SwissRecord::Hdr(g), SwissRecord::Hdr(o)) => f.layout(g, o, false),
                    (SwissRecord::Iter(_), SwissRecord::Iter(_)) => {}
                    _ => f.check("t", kind(g), kind(o)),
                }
            });
        }
    }
}

/// A record's type, as its `t`.
fn kind(r: &SwissRecord) -> &'static str {
    match r {
        SwissRecord::Env(_) => "env",
        SwissRecord::Op(_) => "op",
        SwissRecord::Dump(_) => "dump",
        SwissRecord::Hdr(_) => "hdr",
        SwissRecord::Iter(_) => "iter",
    }
}

/// How a difference names its record: the op, or the record type.
fn what(r: &SwissRecord) -> String {
    match r {
        SwissRecord::Op(op) => op.op.to_string(),
        other => kind(other).to_owned(),
    }
}

/// The field-by-field comparison of one pair of records.
struct Fields<'a> {
    comparison: &'a mut Comparison,
    i: u64,
    what: &'a str,
}

impl Fields<'_> {
    fn check<T: PartialEq + Serialize + ?Sized>(
        &mut self,
        path: impl fmt::Display,
        go: &T,
        ours: &T,
    ) {
        if go != ours {
            let json = |value: &T| serde_json::to_string(value).expect("values serialize");
            let (path, go, ours) = (path.to_string(), json(go), json(ours));
            self.comparison.found(self.i, self.what, &path, &go, &ours);
        }
    }

    fn op(&mut self, go: &SwissOpRecord, ours: &SwissOpRecord) {
        self.check("op", &go.op, &ours.op);
        self.check("kt", &go.kt, &ours.kt);
        self.check("hint", &go.hint, &ours.hint);
        self.check("key", &go.key, &ours.key);
        self.check("val", &go.val, &ours.val);
        self.check("ok", &go.ok, &ours.ok);
        self.check("hash", &go.hash, &ours.hash);
        self.header(&go.header, &ours.header);
        match (&go.tab, &ours.tab) {
            (Some(g), Some(o)) => {
                self.check("tab.dir", &g.dir, &o.dir);
                self.check("tab.index", &g.index, &o.index);
                self.check("tab.used", &g.used, &o.used);
                self.check("tab.capacity", &g.capacity, &o.capacity);
                self.check("tab.growthLeft", &g.growth_left, &o.growth_left);
                self.check("tab.localDepth", &g.local_depth, &o.local_depth);
            }
            (None, None) => {}
            (g, o) => self.check("tab", &presence(g), &presence(o)),
        }
    }

    fn header(&mut self, go: &SwissHeader, ours: &SwissHeader) {
        self.check("used", &go.used, &ours.used);
        self.check("seed_after", &go.seed_after, &ours.seed_after);
        self.check("alloc", &go.alloc, &ours.alloc);
        self.check("dirLen", &go.dir_len, &ours.dir_len);
        self.check("globalDepth", &go.global_depth, &ours.global_depth);
        self.check("globalShift", &go.global_shift, &ours.global_shift);
        // Null in go1.24 recordings, which lack the field.
        if go.tombstone_possible.is_some() {
            self.check(
                "tombstonePossible",
                &go.tombstone_possible,
                &ours.tombstone_possible,
            );
        }
        self.check("clearSeq", &go.clear_seq, &ours.clear_seq);
        self.check("ntables", &go.ntables, &ours.ntables);
    }

    fn layout(&mut self, go: &SwissLayoutRecord, ours: &SwissLayoutRecord, dump: bool) {
        self.check("kt", &go.kt, &ours.kt);
        self.header(&go.header, &ours.header);
        self.check("tombstones", &go.tombstones, &ours.tombstones);
        self.check("dir", &go.dir, &ours.dir);
        let no_tables = Vec::new();
        let go_tables = go.tables.as_ref().unwrap_or(&no_tables);
        let our_tables = ours.tables.as_ref().unwrap_or(&no_tables);
        self.check("tables.len", &go_tables.len(), &our_tables.len());
        for (n, (g, o)) in go_tables.iter().zip(our_tables).enumerate() {
            let at = |field: &str| format!("tables[{n}].{field}");
            self.check(at("id"), &g.id, &o.id);
            self.check(at("used"), &g.used, &o.used);
            self.check(at("capacity"), &g.capacity, &o.capacity);
            self.check(at("growthLeft"), &g.growth_left, &o.growth_left);
            self.check(at("localDepth"), &g.local_depth, &o.local_depth);
            self.check(at("index"), &g.index, &o.index);
            self.check(at("lengthMask"), &g.length_mask, &o.length_mask);
            if dump {
                let no_groups = Vec::new();
                let gg = g.groups.as_ref().unwrap_or(&no_groups);
                let og = o.groups.as_ref().unwrap_or(&no_groups);
                self.check(at("groups.len"), &gg.len(), &og.len());
                for (k, (g, o)) in gg.iter().zip(og).enumerate() {
                    self.group(&format!("tables[{n}].groups[{k}]"), g, o);
                }
            }
        }
        if dump {
            match (&go.small, &ours.small) {
                (Some(g), Some(o)) => self.group("small", g, o),
                (None, None) => {}
                (g, o) => self.check("small", &presence(g), &presence(o)),
            }
        }
    }

    fn group(&mut self, path: &str, go: &Group, ours: &Group) {
        self.check(format_args!("{path}.ctrl"), &go.ctrl, &ours.ctrl);
        self.check(format_args!("{path}.keys"), &go.keys, &ours.keys);
        self.check(format_args!("{path}.vals"), &go.vals, &ours.vals);
    }
}

fn presence<T>(x: &Option<T>) -> &'static str {
    if x.is_some() {
        "present"
    } else {
        "absent"
    }
}

/// Compares two Swiss streams (each plain or gzip).
pub fn compare_swiss_inputs(
    go: &Input,
    ours: &Input,
    keep: usize,
) -> Result<Comparison, InputError> {
    let go = read_swiss(go)?;
    let ours = read_swiss(ours)?;
    Ok(compare_streams(&go, &ours, keep))
}

/// Compares two parsed Swiss streams.
pub fn compare_streams(go: &SwissStream, ours: &SwissStream, keep: usize) -> Comparison {
    compare_records(
        &go.env,
        go.records.iter().map(|n| &n.record),
        &ours.env,
        ours.records.iter().map(|n| &n.record),
        keep,
    )
}

/// The outcome of replaying a Swiss recording and comparing the replay with it.
#[derive(Debug)]
pub struct SwissVerification {
    /// The recording (reference) against our replay.
    pub comparison: Comparison,
    /// Recorded hashes our recomputation contradicts (each is also a `hash`
    /// difference in `comparison` where the seeds agree).
    pub hash_mismatches: Vec<HashMismatch>,
}

impl SwissVerification {
    /// Whether the replay reached exactly the recorded layouts with exactly
    /// the recorded hashes.
    pub fn is_match(&self) -> bool {
        self.comparison.is_match() && self.hash_mismatches.is_empty()
    }
}

/// Replays a parsed recording and compares the replay with it.
pub fn verify_stream(stream: &SwissStream, keep: usize) -> Result<SwissVerification, InputError> {
    let ours = replay(stream).map_err(|e| InputError::Malformed {
        name: "<stream>".to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let go = stream.records.iter().map(|n| &n.record);
    Ok(SwissVerification {
        comparison: compare_records(&stream.env, go, &ours.env, &ours.records, keep),
        hash_mismatches: ours.hash_mismatches,
    })
}

/// Reads a Swiss recording (plain or gzip), replays it and compares.
pub fn verify_swiss(input: &Input, keep: usize) -> Result<SwissVerification, InputError> {
    let stream = read_swiss(input)?;
    verify_stream(&stream, keep).map_err(|e| match e {
        InputError::Malformed { line, message, .. } => InputError::Malformed {
            name: input.name().to_owned(),
            line,
            message,
        },
        other => other,
    })
}
