//! Go 1.19's `sync.Map`, recorded, and [`gomap::SyncMap`] held to the
//! recording: the script language both sides run, the record written after
//! every op (by `oracle/syncmap` on a real `sync.Map`, by [`run_script`] on
//! `SyncMap`), and the comparison of the two, step by step. The map-oracle
//! counterparts are [`crate::protocol`], [`crate::replay`] and
//! [`crate::compare`]; the `gomap-lab syncmap` experiment
//! ([`crate::experiments::syncmap`]) narrates and tabulates the steps.

#![forbid(unsafe_code)]

use std::fmt;

use gomap::{SyncMap, SyncMapDebugEntry, SyncMapEntryState};
use serde::{Deserialize, Serialize};

use crate::input::InputError;

/// One op of a script: Go 1.19's `sync.Map` methods, on integer keys and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `store K V`: `Store`.
    Store(i64, i64),
    /// `load K`: `Load`.
    Load(i64),
    /// `delete K`: `Delete`.
    Delete(i64),
    /// `load_or_store K V`: `LoadOrStore`.
    LoadOrStore(i64, i64),
    /// `load_and_delete K`: `LoadAndDelete`.
    LoadAndDelete(i64),
    /// `range`: `Range` over every pair.
    Range,
}

impl Op {
    /// The op's name in scripts and records.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Store(..) => "store",
            Op::Load(_) => "load",
            Op::Delete(_) => "delete",
            Op::LoadOrStore(..) => "load_or_store",
            Op::LoadAndDelete(_) => "load_and_delete",
            Op::Range => "range",
        }
    }

    /// Its arguments, as recorded.
    pub fn args(&self) -> Vec<i64> {
        match *self {
            Op::Store(k, v) | Op::LoadOrStore(k, v) => vec![k, v],
            Op::Load(k) | Op::Delete(k) | Op::LoadAndDelete(k) => vec![k],
            Op::Range => Vec::new(),
        }
    }

    /// The key it acts on, if any.
    pub fn key(&self) -> Option<i64> {
        self.args().first().copied()
    }

    /// The op named `name` with `args`, as the Go recorder accepts it.
    pub fn parse(name: &str, args: &[i64]) -> Result<Op, String> {
        let want = match name {
            "store" | "load_or_store" => 2,
            "load" | "delete" | "load_and_delete" => 1,
            "range" => 0,
            _ => {
                return Err(format!(
                    "unknown op {name:?} (ops: store, load, delete, load_or_store, load_and_delete, range)"
                ))
            }
        };
        if args.len() != want {
            return Err(format!("{name} takes {want} arguments, got {}", args.len()));
        }
        Ok(match name {
            "store" => Op::Store(args[0], args[1]),
            "load_or_store" => Op::LoadOrStore(args[0], args[1]),
            "load" => Op::Load(args[0]),
            "delete" => Op::Delete(args[0]),
            "load_and_delete" => Op::LoadAndDelete(args[0]),
            _ => Op::Range,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        for a in self.args() {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// An op and the 1-based script line it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLine {
    /// Its line in the script.
    pub line: usize,
    /// The op.
    pub op: Op,
}

/// Parses a script (`name` is for messages): one op per line, 32-bit decimal
/// integer arguments, `#` starting a comment, blank lines ignored.
pub fn parse_script(name: &str, text: &str) -> Result<Vec<ScriptLine>, InputError> {
    let mut ops = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let bad = |message: String| InputError::Malformed {
            name: name.to_owned(),
            line: i + 1,
            message,
        };
        let code = raw.split('#').next().unwrap_or("");
        let mut fields = code.split_whitespace();
        let Some(op) = fields.next() else { continue };
        let args = fields
            .map(|f| {
                f.parse::<i32>().map(i64::from).map_err(|_| {
                    bad(format!(
                        "{op}: argument {f:?} is not a 32-bit decimal integer"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        ops.push(ScriptLine {
            line: i + 1,
            op: Op::parse(op, &args).map_err(bad)?,
        });
    }
    Ok(ops)
}

/// What an entry holds, in one map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// A value.
    Live,
    /// Deleted (`p == nil`).
    Deleted,
    /// Deleted and left out of the dirty map (`p == expunged`).
    Expunged,
}

/// One map's entry for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// Its state.
    pub state: State,
    /// The value, when live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.state, self.value) {
            (State::Live, Some(v)) => write!(f, "{v}"),
            (State::Live, None) => f.write_str("live?"),
            (State::Deleted, _) => f.write_str("deleted"),
            (State::Expunged, _) => f.write_str("expunged"),
        }
    }
}

/// One key of the read map, the dirty map, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    /// The key.
    pub key: i64,
    /// Its entry in the read map, if the read map has the key.
    pub read: Option<Slot>,
    /// Its entry in the dirty map, if there is one and it has the key.
    pub dirty: Option<Slot>,
    /// Both maps hold the key, on the same entry.
    pub shared: bool,
}

/// An op's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OpResult {
    /// `load` (value, ok), `load_or_store` (actual, loaded), `load_and_delete`
    /// (value, loaded).
    Pair {
        /// The value returned, if any.
        value: Option<i64>,
        /// ok / loaded.
        ok: bool,
    },
    /// `range`: the pairs visited, by ascending key.
    Range {
        /// The pairs.
        visited: Vec<(i64, i64)>,
    },
}

impl fmt::Display for OpResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpResult::Pair { value: Some(v), ok } => write!(f, "{v}, {ok}"),
            OpResult::Pair { value: None, ok } => write!(f, "nil, {ok}"),
            OpResult::Range { visited } => {
                let pairs: Vec<String> = visited.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                write!(f, "[{}]", pairs.join(" "))
            }
        }
    }
}

/// The record written after each op, by Go's recorder and by [`run_script`].
/// In JSON the op is two fields, `op` (its name) and `args`; parsing checks
/// them, so a record always holds a valid [`Op`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawStep", into = "RawStep")]
pub struct Step {
    /// The op's script line.
    pub line: usize,
    /// The op.
    pub op: Op,
    /// Its result (`None` for `store` and `delete`).
    pub result: Option<OpResult>,
    /// Keys in the read map, deleted and expunged ones included.
    pub read_len: usize,
    /// The read map's amended flag.
    pub amended: bool,
    /// Keys in the dirty map, or `None` when there is none.
    pub dirty_len: Option<usize>,
    /// Misses since the last promotion.
    pub misses: usize,
    /// Every key of either map, ascending.
    pub entries: Vec<EntryRecord>,
}

/// [`Step`] as the JSON record spells it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    line: usize,
    op: String,
    args: Vec<i64>,
    result: Option<OpResult>,
    read_len: usize,
    amended: bool,
    dirty_len: Option<usize>,
    misses: usize,
    entries: Vec<EntryRecord>,
}

impl TryFrom<RawStep> for Step {
    type Error = String;

    fn try_from(r: RawStep) -> Result<Step, String> {
        Ok(Step {
            line: r.line,
            op: Op::parse(&r.op, &r.args)?,
            result: r.result,
            read_len: r.read_len,
            amended: r.amended,
            dirty_len: r.dirty_len,
            misses: r.misses,
            entries: r.entries,
        })
    }
}

impl From<Step> for RawStep {
    fn from(s: Step) -> RawStep {
        RawStep {
            line: s.line,
            op: s.op.name().to_owned(),
            args: s.op.args(),
            result: s.result,
            read_len: s.read_len,
            amended: s.amended,
            dirty_len: s.dirty_len,
            misses: s.misses,
            entries: s.entries,
        }
    }
}

impl Step {
    /// The op as a script line.
    pub fn op_text(&self) -> String {
        self.op.to_string()
    }

    /// The entry record of `key`, if either map has it.
    pub fn entry(&self, key: i64) -> Option<&EntryRecord> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The read map as text: `key:entry`, ascending.
    pub fn read_text(&self) -> String {
        let cells: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| e.read.map(|s| format!("{}:{s}", e.key)))
            .collect();
        cells.join(" ")
    }

    /// The dirty map as text (`-` when there is none); `*` marks an entry
    /// shared with the read map.
    pub fn dirty_text(&self) -> String {
        if self.dirty_len.is_none() {
            return "-".to_owned();
        }
        let cells: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| {
                e.dirty
                    .map(|s| format!("{}:{s}{}", e.key, if e.shared { "*" } else { "" }))
            })
            .collect();
        cells.join(" ")
    }
}

/// Converts one map's entry state as `SyncMap` reports it.
fn slot(state: &SyncMapEntryState<i64>) -> Slot {
    match state {
        SyncMapEntryState::Live(v) => Slot {
            state: State::Live,
            value: Some(*v),
        },
        SyncMapEntryState::Deleted => Slot {
            state: State::Deleted,
            value: None,
        },
        SyncMapEntryState::Expunged => Slot {
            state: State::Expunged,
            value: None,
        },
    }
}

/// Runs `op` on `m`.
fn apply(m: &SyncMap<i64, i64>, op: Op) -> Option<OpResult> {
    let pair = |value: Option<i64>, ok| Some(OpResult::Pair { value, ok });
    match op {
        Op::Store(k, v) => {
            m.store(k, v);
            None
        }
        Op::Delete(k) => {
            m.delete(&k);
            None
        }
        Op::Load(k) => {
            let v = m.load(&k).map(|r| *r);
            pair(v, v.is_some())
        }
        Op::LoadOrStore(k, v) => {
            let (actual, loaded) = m.load_or_store(k, v);
            pair(Some(*actual), loaded)
        }
        Op::LoadAndDelete(k) => {
            let v = m.load_and_delete(&k).map(|r| *r);
            pair(v, v.is_some())
        }
        Op::Range => {
            let mut visited = Vec::new();
            m.range(|k, v| {
                visited.push((*k, *v));
                true
            });
            visited.sort_unstable();
            Some(OpResult::Range { visited })
        }
    }
}

/// The record of `m`'s state after the op of `line`.
fn step(line: &ScriptLine, result: Option<OpResult>, m: &SyncMap<i64, i64>) -> Step {
    let state = m.debug_state();
    let mut entries: Vec<EntryRecord> = m
        .debug_entries()
        .iter()
        .map(|e: &SyncMapDebugEntry<i64, i64>| EntryRecord {
            key: e.key,
            read: e.read.as_ref().map(slot),
            dirty: e.dirty.as_ref().map(slot),
            shared: e.shared,
        })
        .collect();
    entries.sort_unstable_by_key(|e| e.key);
    Step {
        line: line.line,
        op: line.op,
        result,
        read_len: state.read_len,
        amended: state.amended,
        dirty_len: state.dirty_len,
        misses: state.misses,
        entries,
    }
}

/// Runs `script` on a new `SyncMap<i64, i64>` and records the state after
/// every op. The map's invariants are checked after each op too.
pub fn run_script(script: &[ScriptLine]) -> Vec<Step> {
    let m = SyncMap::new();
    script
        .iter()
        .map(|line| {
            let result = apply(&m, line.op);
            m.check_invariants();
            step(line, result, &m)
        })
        .collect()
}

/// Parses a recording of `oracle/syncmap` (`name` is for messages).
pub fn parse_recording(name: &str, text: &str) -> Result<Vec<Step>, InputError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| InputError::Malformed {
                name: name.to_owned(),
                line: i + 1,
                message: format!("not a sync.Map record: {e}"),
            })
        })
        .collect()
}

/// The first place where SyncMap's steps and Go's differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The script line of the op after which they differ.
    pub line: usize,
    /// The op.
    pub op: Op,
    /// What differs: `result`, `misses`, `key 2`, ….
    pub what: String,
    /// Go 1.19's side.
    pub go: String,
    /// SyncMap's side.
    pub ours: String,
    /// Go's state in full.
    pub go_step: Step,
    /// SyncMap's state in full.
    pub our_step: Step,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "first difference after script line {} (`{}`): {}: Go 1.19 has {}, SyncMap has {}",
            self.line, self.op, self.what, self.go, self.ours
        )?;
        for (who, s) in [("Go 1.19", &self.go_step), ("SyncMap", &self.our_step)] {
            writeln!(
                f,
                "  {who:8} read [{}] amended={} dirty [{}] misses={}",
                s.read_text(),
                s.amended,
                s.dirty_text(),
                s.misses
            )?;
        }
        Ok(())
    }
}

/// Renders an entry record's two sides for a difference message.
fn entry_text(e: Option<&EntryRecord>) -> String {
    match e {
        None => "no such key".to_owned(),
        Some(e) => {
            let side = |s: Option<Slot>| s.map_or("absent".to_owned(), |s| s.to_string());
            format!(
                "read {}, dirty {}{}",
                side(e.read),
                side(e.dirty),
                if e.shared { ", shared" } else { "" }
            )
        }
    }
}

/// The first difference between a step of Go's and the step of ours for the
/// same op, if any.
fn step_difference(go: &Step, ours: &Step) -> Option<Difference> {
    let opt = |v: Option<usize>| v.map_or("none".to_owned(), |n| n.to_string());
    let result = |r: &Option<OpResult>| r.as_ref().map_or("nothing".to_owned(), |r| r.to_string());
    let mut fields: Vec<(String, String, String)> = vec![
        ("result".into(), result(&go.result), result(&ours.result)),
        (
            "read_len".into(),
            go.read_len.to_string(),
            ours.read_len.to_string(),
        ),
        (
            "amended".into(),
            go.amended.to_string(),
            ours.amended.to_string(),
        ),
        ("dirty_len".into(), opt(go.dirty_len), opt(ours.dirty_len)),
        (
            "misses".into(),
            go.misses.to_string(),
            ours.misses.to_string(),
        ),
    ];
    let mut keys: Vec<i64> = go
        .entries
        .iter()
        .chain(&ours.entries)
        .map(|e| e.key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        let (g, o) = (go.entry(k), ours.entry(k));
        if g != o {
            fields.push((format!("key {k}"), entry_text(g), entry_text(o)));
        }
    }
    if go.entries != ours.entries && fields.iter().all(|(_, g, o)| g == o) {
        // Same keys and states in another order: only an unsorted side can do this.
        fields.push((
            "order of entries".into(),
            "ascending".into(),
            "other".into(),
        ));
    }
    let (what, g, o) = fields.into_iter().find(|(_, g, o)| g != o)?;
    Some(Difference {
        line: go.line,
        op: go.op,
        what,
        go: g,
        ours: o,
        go_step: go.clone(),
        our_step: ours.clone(),
    })
}

/// Compares Go's recording with SyncMap's steps for the same script.
///
/// A recording of another script (other ops, or another number of them) is
/// malformed input, named by the recording's line; otherwise the answer is
/// the first op after which the states differ, or `None`.
pub fn compare(
    recording_name: &str,
    go: &[Step],
    ours: &[Step],
) -> Result<Option<Difference>, InputError> {
    let mismatch = |line: usize, message: String| InputError::Malformed {
        name: recording_name.to_owned(),
        line,
        message,
    };
    for (i, (g, o)) in go.iter().zip(ours).enumerate() {
        if (g.line, g.op) != (o.line, o.op) {
            return Err(mismatch(
                i + 1,
                format!(
                    "records `{}` from script line {}, but the script's op {} is `{}` on line {}: \
                     a recording of another script",
                    g.op_text(),
                    g.line,
                    i + 1,
                    o.op_text(),
                    o.line
                ),
            ));
        }
    }
    if go.len() != ours.len() {
        return Err(mismatch(
            go.len().min(ours.len()) + 1,
            format!(
                "the recording has {} records, the script {} ops: a recording of another script",
                go.len(),
                ours.len()
            ),
        ));
    }
    Ok(go.iter().zip(ours).find_map(|(g, o)| step_difference(g, o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's op is checked as it is parsed: an unknown op or a wrong
    /// argument count is malformed input naming the line, and a record
    /// written back is the record read.
    #[test]
    fn records_carry_typed_ops() {
        let good = r#"{"line":3,"op":"store","args":[1,2],"result":null,"read_len":0,"amended":true,"dirty_len":1,"misses":0,"entries":[]}"#;
        let steps = parse_recording("r", good).unwrap();
        assert_eq!(steps[0].op, Op::Store(1, 2));
        assert_eq!(serde_json::to_string(&steps[0]).unwrap(), good);
        for bad in [
            good.replace("\"store\"", "\"stor\""),
            good.replace("[1,2]", "[1]"),
        ] {
            let err = parse_recording("r", &format!("\n{bad}")).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("r: line 2: not a sync.Map record"),
                "{err}"
            );
        }
    }
}
