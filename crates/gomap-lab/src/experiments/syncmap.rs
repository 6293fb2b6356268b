//! `sync.Map`'s life cycle on [`gomap::SyncMap`], step by step, beside Go 1.19's.
//!
//! The script, record and comparison machinery is [`crate::syncmap_oracle`];
//! this experiment runs a script there, narrates what each op did, prints
//! the steps as a table and the comparison with Go 1.19's recording.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use crate::experiments::registry::{Ctx, Experiment};
use crate::experiments::{to_values, Effort, Outcome};
use crate::input::InputError;
pub use crate::syncmap_oracle::{
    compare, parse_recording, parse_script, run_script, Difference, EntryRecord, Op, OpResult,
    ScriptLine, Slot, State, Step,
};
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
        op: Op::Range,
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
        let script: Vec<Op> = self.steps.iter().map(|s| s.op).collect();
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
