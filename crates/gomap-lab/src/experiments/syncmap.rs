//! `sync.Map`'s life cycle on [`gomap::SyncMap`], step by step, beside Go 1.19's.
//!
//! One script format drives both sides: `oracle/syncmap` runs it on a real Go 1.19
//! `sync.Map` and records the private state after every op (see its README); this
//! module runs it on `SyncMap<i64, i64>`, builds the same records from
//! `debug_state` and `debug_entries`, and compares them record by record. The
//! experiment prints the steps as a table and checks the articles' claims about
//! `sync.Map` against them.

#![forbid(unsafe_code)]

use std::fmt;

use gomap::{SyncMap, SyncMapDebugEntry, SyncMapEntryState};
use serde::{Deserialize, Serialize};

use std::path::PathBuf;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Outcome};
use crate::input::InputError;
use crate::table::{Align, Table};

/// The built-in walkthrough: every transition of the life cycle in 15 ops.
pub const WALKTHROUGH: &str = include_str!("../../../../testdata/syncmap/walkthrough.txt");

/// Go 1.19's recording of [`WALKTHROUGH`] (`scripts/record-syncmap.sh`).
pub const WALKTHROUGH_GO: &str = include_str!("../../../../testdata/syncmap/walkthrough.jsonl");

/// What Go does, for the report.
pub const ABOUT: &str = "sync.Map keeps two maps of keys to shared entries. Loads look in the \
read map without a lock. New keys go to the dirty map, under a mutex; the first one after a \
promotion copies the read map into a new dirty map (leaving out deleted entries, which it marks \
expunged) and sets amended. A load that misses the read map while it is amended takes the lock \
and counts a miss; when the misses reach len(dirty), the dirty map becomes the read map as it \
stands. Range promotes at once. A store to a key the read map holds swaps its entry without the \
lock, unless the entry is expunged: then the lock is taken and the entry goes back into the \
dirty map first. The table is SyncMap's state after each op; the comparison with Go 1.19's \
recording of the same script is below it.";

/// `gomap-lab syncmap`.
pub struct SyncMapLab;

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncMapArgs {
    /// Script of sync.Map ops (store K V, load K, delete K, load_or_store K V,
    /// load_and_delete K, range) [default: the built-in walkthrough,
    /// testdata/syncmap/walkthrough.txt].
    pub script: Option<PathBuf>,
    /// Go 1.19's recording of the same script (oracle/syncmap, see
    /// scripts/record-syncmap.sh): compare after every op; exit 1 on a difference.
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,
}

impl Experiment for SyncMapLab {
    const ID: &'static str = "syncmap";
    const TITLE: &'static str = "sync.Map: read map, dirty map, misses and promotion";
    const ABOUT: &'static str = "sync.Map's life cycle on SyncMap, step by step (read map, \
        amended, dirty map, misses, entries); with --compare, checked against Go 1.19's \
        recording of the same script";
    const EXPLAIN: &'static str = ABOUT;
    const FIGURE: bool = false;
    type Args = SyncMapArgs;
    type Outcome = SyncMapOutcome;

    fn run(a: &SyncMapArgs, ctx: &Ctx<'_>) -> anyhow::Result<SyncMapOutcome> {
        let read = |path: &PathBuf| {
            let path = ctx.path(path);
            std::fs::read_to_string(&path).map_err(|error| InputError::Io {
                name: path.display().to_string(),
                error,
            })
        };
        if a.script.is_none() && a.compare.is_none() {
            // The walkthrough is compared with Go's committed recording of it.
            return Ok(walkthrough());
        }
        let (name, script) = match &a.script {
            Some(path) => (path.display().to_string(), read(path)?),
            None => ("walkthrough".to_owned(), WALKTHROUGH.to_owned()),
        };
        let recording = match &a.compare {
            Some(path) => Some((path.display().to_string(), read(path)?)),
            None => None,
        };
        Ok(run(
            &name,
            &script,
            recording.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        )?)
    }

    fn report_runs(_: Effort) -> Vec<String> {
        vec![String::new()]
    }
}

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
    fn parse(name: &str, args: &[i64]) -> Result<Op, String> {
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The op's script line.
    pub line: usize,
    /// The op's name.
    pub op: String,
    /// Its arguments.
    pub args: Vec<i64>,
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

impl Step {
    /// The op as a script line.
    pub fn op_text(&self) -> String {
        let mut s = self.op.clone();
        for a in &self.args {
            s += &format!(" {a}");
        }
        s
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
        op: line.op.name().to_owned(),
        args: line.op.args(),
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
    pub op: String,
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
        op: go.op_text(),
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
        if (g.line, &g.op, &g.args) != (o.line, &o.op, &o.args) {
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

/// What the run of one script showed.
#[derive(Debug, Clone)]
pub struct SyncMapOutcome {
    /// The script's name (`walkthrough` for the built-in one).
    pub script: String,
    /// SyncMap's state after each op.
    pub steps: Vec<Step>,
    /// The comparison with Go's recording, when there was one: the recording's
    /// name and the first difference.
    pub go: Option<(String, Option<Difference>)>,
}

/// Runs `script` (named `name`) and, given Go's recording of it, compares.
pub fn run(
    name: &str,
    script: &str,
    recording: Option<(&str, &str)>,
) -> Result<SyncMapOutcome, InputError> {
    let steps = run_script(&parse_script(name, script)?);
    let go = match recording {
        None => None,
        Some((rec_name, text)) => {
            let go_steps = parse_recording(rec_name, text)?;
            Some((rec_name.to_owned(), compare(rec_name, &go_steps, &steps)?))
        }
    };
    Ok(SyncMapOutcome {
        script: name.to_owned(),
        steps,
        go,
    })
}

/// The built-in walkthrough, compared with Go's committed recording of it.
pub fn walkthrough() -> SyncMapOutcome {
    run(
        "walkthrough",
        WALKTHROUGH,
        Some(("testdata/syncmap/walkthrough.jsonl", WALKTHROUGH_GO)),
    )
    .expect("the built-in walkthrough and its recording are well-formed")
}

/// What changed between two consecutive states, in words.
fn events(prev: Option<&Step>, cur: &Step, op: Op) -> String {
    let empty = Step {
        line: 0,
        op: String::new(),
        args: Vec::new(),
        result: None,
        read_len: 0,
        amended: false,
        dirty_len: None,
        misses: 0,
        entries: Vec::new(),
    };
    let prev = prev.unwrap_or(&empty);
    let mut out = Vec::new();
    let key = op.key();
    let before = key.and_then(|k| prev.entry(k));
    if cur.misses > prev.misses {
        out.push(format!(
            "miss {} (len(dirty) = {})",
            cur.misses,
            cur.dirty_len.unwrap_or(0)
        ));
    }
    if prev.dirty_len.is_some() && cur.dirty_len.is_none() {
        let by = if op == Op::Range {
            "range".to_owned()
        } else {
            format!(
                "miss {} = len(dirty) {}",
                prev.misses + 1,
                prev.dirty_len.unwrap_or(0)
            )
        };
        out.push(format!("promoted ({by}): dirty became read"));
    }
    if prev.dirty_len.is_none() && cur.dirty_len.is_some() {
        let expunged: Vec<String> = cur
            .entries
            .iter()
            .filter(|e| {
                e.read.is_some_and(|s| s.state == State::Expunged)
                    && prev
                        .entry(e.key)
                        .and_then(|p| p.read)
                        .is_some_and(|s| s.state != State::Expunged)
            })
            .map(|e| e.key.to_string())
            .collect();
        let mut s = "dirty rebuilt from read, amended".to_owned();
        if !expunged.is_empty() {
            s += &format!("; expunged {}", expunged.join(", "));
        }
        out.push(s);
    }
    if let (Some(b), Some(k)) = (before, key) {
        let was = b.read.map(|s| s.state);
        let now = cur.entry(k).and_then(|e| e.read).map(|s| s.state);
        if was == Some(State::Expunged) && now == Some(State::Live) {
            out.push(format!("revived {k}: entry back in dirty"));
        } else if matches!(op, Op::Store(..))
            && was.is_some()
            && prev.dirty_len == cur.dirty_len
            && prev.amended == cur.amended
        {
            out.push("read entry swapped, no lock".to_owned());
        }
    }
    out.join("; ")
}

impl SyncMapOutcome {
    /// The step table.
    pub fn step_table(&self) -> Table {
        let mut t = Table::new(
            format!("SyncMap, step by step ({})", self.script),
            &[
                ("line", Align::Right),
                ("op", Align::Left),
                ("result", Align::Left),
                ("read", Align::Right),
                ("amended", Align::Left),
                ("dirty", Align::Right),
                ("misses", Align::Right),
                ("read map", Align::Left),
                ("dirty map (* = shared)", Align::Left),
                ("what happened", Align::Left),
            ],
        );
        let script = parse_ops(&self.steps);
        for (i, s) in self.steps.iter().enumerate() {
            t.row(vec![
                s.line.to_string(),
                s.op_text(),
                s.result.as_ref().map_or(String::new(), |r| r.to_string()),
                s.read_len.to_string(),
                s.amended.to_string(),
                s.dirty_len.map_or("-".to_owned(), |n| n.to_string()),
                s.misses.to_string(),
                s.read_text(),
                s.dirty_text(),
                events(i.checked_sub(1).map(|j| &self.steps[j]), s, script[i]),
            ]);
        }
        t.with_note(
            "read/dirty: lengths (- = no dirty map); entries are key:value, deleted (p = nil) or \
             expunged; * marks a dirty entry that is the read map's entry itself.",
        )
    }

    /// The comparison with Go, as a one-row table (none without a recording).
    pub fn go_table(&self) -> Option<Table> {
        let (name, diff) = self.go.as_ref()?;
        let mut t = Table::new(
            "SyncMap against Go 1.19's sync.Map (oracle/syncmap recording)",
            &[
                ("recording", Align::Left),
                ("ops", Align::Right),
                ("verdict", Align::Left),
            ],
        );
        t.row(vec![
            name.clone(),
            self.steps.len().to_string(),
            match diff {
                None => "same state after every op: result, read map, amended, dirty map, misses, every entry and whether it is shared".to_owned(),
                Some(d) => d.to_string().trim_end().to_owned(),
            },
        ]);
        Some(t)
    }

    /// Whether the run was compared with Go and matched.
    pub fn matches_go(&self) -> Option<bool> {
        self.go.as_ref().map(|(_, d)| d.is_none())
    }
}

/// The ops of `steps` (they were built from ops, so this cannot fail).
fn parse_ops(steps: &[Step]) -> Vec<Op> {
    steps
        .iter()
        .map(|s| Op::parse(&s.op, &s.args).expect("steps record valid ops"))
        .collect()
}

impl Outcome for SyncMapOutcome {
    fn tables(&self) -> Vec<Table> {
        let mut tables = vec![self.step_table()];
        tables.extend(self.go_table());
        tables
    }

    fn json_lines(&self) -> Vec<serde_json::Value> {
        to_values(&self.steps)
    }

    fn exit_code(&self) -> u8 {
        match self.matches_go() {
            Some(false) => 1,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_parse_and_errors_name_the_line() {
        let ops = parse_script("s", "# c\nstore 1 2 # x\n\nrange\n").unwrap();
        assert_eq!(
            ops,
            [
                ScriptLine {
                    line: 2,
                    op: Op::Store(1, 2)
                },
                ScriptLine {
                    line: 4,
                    op: Op::Range
                }
            ]
        );
        for bad in ["store 1\n", "stor 1 2\n", "load x\n", "load 9999999999\n"] {
            let err = parse_script("s", &format!("load 1\n{bad}")).unwrap_err();
            assert!(err.to_string().starts_with("s: line 2: "), "{err}");
        }
    }

    #[test]
    fn walkthrough_matches_go() {
        let o = walkthrough();
        assert_eq!(o.matches_go(), Some(true), "{:?}", o.go);
    }

    /// Regression (issue 17): a script with no ops, empty or comments only,
    /// runs to no steps instead of panicking.
    #[test]
    fn regression_a_script_without_ops_has_no_steps() {
        for script in ["", "# only a comment\n\n", "\n\n"] {
            let o = run("s", script, None).unwrap();
            assert!(o.steps.is_empty());
            let _ = o.tables();
        }
    }

    #[test]
    fn a_changed_step_is_the_first_difference() {
        let o = walkthrough();
        let mut go = parse_recording("r", WALKTHROUGH_GO).unwrap();
        go[3].misses += 1;
        go[5].amended = !go[5].amended;
        let d = compare("r", &go, &o.steps).unwrap().unwrap();
        assert_eq!((d.line, d.what.as_str()), (go[3].line, "misses"));
        go.pop();
        assert!(compare("r", &go, &o.steps).is_err());
    }
}
