//! Comparing two streams under PROTOCOL.md, "What a replay must match".
//!
//! Records are matched by `i` and type (an op and the dump that follows it share an
//! `i`); a record present in one stream and missing in the other is a difference.
//! Streams must list records in increasing order of `i`, an op before the dump or hdr
//! of the same `i` (as oracles and the replay write them), so both are read once, side
//! by side, however large they are.
//!
//! What is compared, per record type:
//! - op: `op`, `kt`, `hint`, `key`, `val`, `ok` (so that streams of different scripts
//!   never compare equal, and a `get`'s result is checked), then the header: `count`,
//!   `flags & 8`, `B`, `noverflow` (only while the reference's B < 16: Go counts
//!   overflow buckets approximately above), `hash0`, `nevacuate`, `growing`.
//! - dump: the header; `buckets` and `oldbuckets` as null or not (addresses are never
//!   compared); `arr_len`; `extra.next_overflow` and `extra.pre_free`, `extra: null`
//!   being read as no pool (`next_overflow` null, `pre_free` 0); every bucket of `arr`
//!   (chain length, `at`, `top`, `keys`, `vals`); the presence of `old` and, in it,
//!   every old bucket in full, except that for an evacuated one (its main bucket's
//!   `top[0]` is 2, 3 or 4) only the main bucket's `top` is compared: Go zeroes the
//!   rest of such buckets for its garbage collector in some maps.
//! - hdr: the header, and of the fields a dump has, those that both records carry.
//! - in dumps and hdrs, `kt`, `bucketsize` and `growing` when both records carry them
//!   (`bucketsize` is not in PROTOCOL's list, but a difference there means a wrong key
//!   type, so it is reported).
//!
//! Never compared: `line`, `seed`, `hash`, `extra.overflow`/`extra.oldoverflow`, and
//! flag bits other than 8.

use std::fmt;

use serde::Serialize;

use crate::input::{Input, InputError, Records};
use crate::protocol::{
    Bucket, Chain, Extra, HeaderFields, LayoutRecord, OpRecord, Record, RecordKind,
};

/// How many differences the command line prints by default.
pub const DEFAULT_SHOWN: usize = 20;

/// The header flag that is compared: a same-size growth is in progress.
const SAME_SIZE_GROW: u64 = gomap::Header::SAME_SIZE_GROW as u64;

/// Go's `noverflow` is exact only below this B.
const EXACT_NOVERFLOW_BELOW_B: u64 = 16;

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The record's `i`.
    pub i: u64,
    /// The record: its op, `dump` or `hdr`.
    pub what: String,
    /// The field, as a path (`count`, `arr[3][1].top`, `record` for a missing record).
    pub path: String,
    /// The reference stream's value, as JSON.
    pub go: String,
    /// The other stream's value, as JSON.
    pub ours: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "i={} {}: {}: go {}, ours {}",
            self.i, self.what, self.path, self.go, self.ours
        )
    }
}

/// The result of comparing two streams: the first differences and counts of all.
#[derive(Debug, Clone)]
pub struct Comparison {
    keep: usize,
    differences: Vec<Difference>,
    total_differences: usize,
    records: usize,
    differing_records: usize,
    missing_in_go: usize,
    missing_in_ours: usize,
}

impl Comparison {
    /// An empty comparison that keeps the first `keep` differences (and counts all).
    pub fn new(keep: usize) -> Comparison {
        Comparison {
            keep,
            differences: Vec::new(),
            total_differences: 0,
            records: 0,
            differing_records: 0,
            missing_in_go: 0,
            missing_in_ours: 0,
        }
    }

    /// The first differences found, at most `keep` of them.
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// How many differences were found in all.
    pub fn total_differences(&self) -> usize {
        self.total_differences
    }

    /// Whether the streams match.
    pub fn is_match(&self) -> bool {
        self.total_differences == 0
    }

    /// How many records (matched pairs and records without a counterpart) were seen.
    pub fn records(&self) -> usize {
        self.records
    }

    /// A one-line summary.
    pub fn summary(&self) -> String {
        if self.is_match() {
            return format!("{} records compared: no differences", self.records);
        }
        format!(
            "{} records compared: {} differences in {} records \
             ({} records missing from ours, {} missing from go)",
            self.records,
            self.total_differences,
            self.differing_records,
            self.missing_in_ours,
            self.missing_in_go
        )
    }

    /// Compares one record of the reference stream with its counterpart; either may be
    /// missing.
    pub fn pair(&mut self, go: Option<&Record>, ours: Option<&Record>) {
        self.records += 1;
        let before = self.total_differences;
        match (go, ours) {
            (None, None) => {}
            (Some(go), None) => {
                self.missing_in_ours += 1;
                self.found(go.i(), &go.what(), "record", "present", "missing");
            }
            (None, Some(ours)) => {
                self.missing_in_go += 1;
                self.found(ours.i(), &ours.what(), "record", "missing", "present");
            }
            (Some(go), Some(ours)) => {
                let what = go.what();
                let mut fields = Fields {
                    comparison: self,
                    i: go.i(),
                    what: &what,
                };
                match (go, ours) {
                    (Record::Op(g), Record::Op(o)) => fields.op(g, o),
                    (Record::Dump(g), Record::Dump(o)) => fields.layout(RecordKind::Dump, g, o),
                    (Record::Hdr(g), Record::Hdr(o)) => fields.layout(RecordKind::Hdr, g, o),
                    _ => fields.check("t", &go.kind().to_string(), &ours.kind().to_string()),
                }
            }
        }
        if self.total_differences > before {
            self.differing_records += 1;
        }
    }

    /// Counts one pair that another comparator (the Swiss one) compares:
    /// `compare` reports each difference through [`Comparison::found`];
    /// `missing` says which side lacks the record, if one does.
    pub(crate) fn pair_with(&mut self, missing: Option<Side>, compare: impl FnOnce(&mut Self)) {
        self.records += 1;
        let before = self.total_differences;
        match missing {
            Some(Side::Go) => self.missing_in_go += 1,
            Some(Side::Ours) => self.missing_in_ours += 1,
            None => {}
        }
        compare(self);
        if self.total_differences > before {
            self.differing_records += 1;
        }
    }

    /// Records one difference: record `i` (`what`), field `path`, the two values as JSON.
    pub(crate) fn found(&mut self, i: u64, what: &str, path: &str, go: &str, ours: &str) {
        self.total_differences += 1;
        if self.differences.len() < self.keep {
            self.differences.push(Difference {
                i,
                what: what.to_owned(),
                path: path.to_owned(),
                go: go.to_owned(),
                ours: ours.to_owned(),
            });
        }
    }
}

/// One of the two streams of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The reference stream.
    Go,
    /// The stream under test.
    Ours,
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

    /// Compares a field only when both records carry it.
    fn check_both<T: PartialEq + Serialize>(
        &mut self,
        path: &str,
        go: &Option<T>,
        ours: &Option<T>,
    ) {
        if let (Some(go), Some(ours)) = (go, ours) {
            self.check(path, go, ours);
        }
    }

    fn op(&mut self, go: &OpRecord, ours: &OpRecord) {
        self.check("op", &go.op, &ours.op);
        self.check("kt", &go.kt, &ours.kt);
        self.check("hint", &go.hint, &ours.hint);
        self.check("key", &go.key, &ours.key);
        self.check("val", &go.val, &ours.val);
        self.check("ok", &go.ok, &ours.ok);
        self.header(&go.header, &ours.header);
        self.check("growing", &go.growing, &ours.growing);
    }

    fn header(&mut self, go: &HeaderFields, ours: &HeaderFields) {
        self.check("count", &go.count, &ours.count);
        self.check(
            "flags&8",
            &(go.flags & SAME_SIZE_GROW),
            &(ours.flags & SAME_SIZE_GROW),
        );
        self.check("B", &go.b, &ours.b);
        if go.b < EXACT_NOVERFLOW_BELOW_B {
            self.check("noverflow", &go.noverflow, &ours.noverflow);
        }
        self.check("hash0", &go.hash0, &ours.hash0);
        self.check("nevacuate", &go.nevacuate, &ours.nevacuate);
    }

    fn layout(&mut self, kind: RecordKind, go: &LayoutRecord, ours: &LayoutRecord) {
        self.check_both("kt", &go.kt, &ours.kt);
        self.header(&go.header, &ours.header);
        self.check_both("growing", &go.growing, &ours.growing);
        let allocated = |token: &Option<Option<serde_json::Value>>| {
            token
                .as_ref()
                .map(|token| token.as_ref().map(|_| "non-null"))
        };
        self.check_both(
            "buckets",
            &allocated(&go.buckets),
            &allocated(&ours.buckets),
        );
        self.check_both(
            "oldbuckets",
            &allocated(&go.oldbuckets),
            &allocated(&ours.oldbuckets),
        );
        self.check_both("arr_len", &go.arr_len, &ours.arr_len);
        if let (Some(go_extra), Some(our_extra)) = (&go.extra, &ours.extra) {
            let go_extra = go_extra.as_ref().unwrap_or(&Extra::NONE);
            let our_extra = our_extra.as_ref().unwrap_or(&Extra::NONE);
            self.check(
                "extra.next_overflow",
                &go_extra.next_overflow,
                &our_extra.next_overflow,
            );
            self.check("extra.pre_free", &go_extra.pre_free, &our_extra.pre_free);
        }
        self.check_both("bucketsize", &go.bucketsize, &ours.bucketsize);
        if let (Some(go_arr), Some(our_arr)) = (&go.arr, &ours.arr) {
            self.chains("arr", go_arr, our_arr, Evacuation::Absent);
        }
        match (&go.old, &ours.old) {
            (Some(go_old), Some(our_old)) => {
                self.chains("old", go_old, our_old, Evacuation::Possible)
            }
            (None, None) => {}
            (go_old, our_old) if kind == RecordKind::Dump => {
                let presence = |old: &Option<Vec<Chain>>| old.as_ref().map(|_| "present");
                self.check("old", &presence(go_old), &presence(our_old));
            }
            _ => {}
        }
    }

    fn chains(&mut self, name: &str, go: &[Chain], ours: &[Chain], evacuation: Evacuation) {
        self.check(format_args!("{name}.len"), &go.len(), &ours.len());
        for (index, (go_chain, our_chain)) in go.iter().zip(ours).enumerate() {
            if evacuation == Evacuation::Possible
                && (is_evacuated(go_chain) || is_evacuated(our_chain))
            {
                let top = |chain: &Chain| chain.first().map(|bucket| bucket.top);
                self.check(
                    format_args!("{name}[{index}][0].top"),
                    &top(go_chain),
                    &top(our_chain),
                );
                continue;
            }
            self.check(
                format_args!("{name}[{index}].chain_length"),
                &go_chain.len(),
                &our_chain.len(),
            );
            for (position, (g, o)) in go_chain.iter().zip(our_chain).enumerate() {
                self.bucket(&format!("{name}[{index}][{position}]"), g, o);
            }
        }
    }

    fn bucket(&mut self, path: &str, go: &Bucket, ours: &Bucket) {
        self.check(format_args!("{path}.at"), &go.at, &ours.at);
        self.check(format_args!("{path}.top"), &go.top, &ours.top);
        self.check(
            format_args!("{path}.keys"),
            &go.slot_keys(),
            &ours.slot_keys(),
        );
        self.check(
            format_args!("{path}.vals"),
            &go.slot_vals(),
            &ours.slot_vals(),
        );
    }
}

/// Whether a bucket array may hold evacuated buckets (only an old array does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evacuation {
    Absent,
    Possible,
}

/// Whether an old bucket has been evacuated: its main bucket's first tophash is one of
/// the evacuation marks (evacuatedX 2, evacuatedY 3, evacuatedEmpty 4).
fn is_evacuated(chain: &Chain) -> bool {
    chain
        .first()
        .is_some_and(|bucket| gomap::tophash::is_evacuated(bucket.top[0]))
}

/// Checks that a stream's records come in increasing order of `(i, type)`.
#[derive(Debug, Default)]
pub struct OrderCheck {
    /// The last record accepted, and its line.
    last: Option<((u64, RecordKind), usize)>,
}

impl OrderCheck {
    /// An order check that has seen no record yet.
    pub fn new() -> OrderCheck {
        OrderCheck::default()
    }

    /// Accepts the record at `line`, or says why it is out of order.
    pub fn accept(&mut self, line: usize, record: &Record) -> Result<(), String> {
        let key = (record.i(), record.kind());
        if let Some((last, last_line)) = self.last {
            if key == last {
                return Err(format!(
                    "a second i={} {} record (the first is at line {last_line})",
                    key.0, key.1
                ));
            }
            if key < last {
                return Err(format!(
                    "record i={} {} follows i={} {} (line {last_line}): records must come \
                     in increasing order of `i`, an op before the dump or hdr of its `i`",
                    key.0, key.1, last.0, last.1
                ));
            }
        }
        self.last = Some((key, line));
        Ok(())
    }
}

/// A stream read in order, one record at a time.
struct Ordered {
    records: Records,
    order: OrderCheck,
}

impl Ordered {
    fn next(&mut self) -> Result<Option<Record>, InputError> {
        match self.records.next() {
            None => Ok(None),
            Some(Err(error)) => Err(error),
            Some(Ok((line, record))) => {
                self.order
                    .accept(line, &record)
                    .map_err(|message| self.records.malformed(line, message))?;
                Ok(Some(record))
            }
        }
    }
}

/// Compares stream `ours` with the reference stream `go`, keeping the first `keep`
/// differences.
pub fn compare_inputs(go: &Input, ours: &Input, keep: usize) -> Result<Comparison, InputError> {
    let mut go_records = Ordered {
        records: go.records()?,
        order: OrderCheck::new(),
    };
    let mut our_records = Ordered {
        records: ours.records()?,
        order: OrderCheck::new(),
    };
    let mut comparison = Comparison::new(keep);
    let mut go_next = go_records.next()?;
    let mut our_next = our_records.next()?;
    loop {
        let order = match (&go_next, &our_next) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(g), Some(o)) => (g.i(), g.kind()).cmp(&(o.i(), o.kind())),
        };
        match order {
            std::cmp::Ordering::Less => {
                comparison.pair(go_next.as_ref(), None);
                go_next = go_records.next()?;
            }
            std::cmp::Ordering::Greater => {
                comparison.pair(None, our_next.as_ref());
                our_next = our_records.next()?;
            }
            std::cmp::Ordering::Equal => {
                comparison.pair(go_next.as_ref(), our_next.as_ref());
                go_next = go_records.next()?;
                our_next = our_records.next()?;
            }
        }
    }
    Ok(comparison)
}
