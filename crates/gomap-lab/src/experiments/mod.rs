//! The experiments. Each module runs one on gomap and returns a typed result that
//! implements [`Outcome`]: the CLI prints its tables (or JSON lines), writes its
//! figure, and the report renders all of it. Each registers itself once, in
//! [`registry::ALL`], through [`registry::Experiment`].

#![forbid(unsafe_code)]

pub mod generations;
pub mod grow;
pub mod hint;
pub mod latency;
pub mod layout;
pub mod loadfactor;
pub mod prealloc;
pub mod registry;
pub mod reuse;
pub mod swiss_growth;
pub mod swiss_hint;
pub mod swiss_tombstones;
pub mod syncmap;
pub mod trace;

use crate::plot::PlotError;
use crate::table::Table;

/// A drawn figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What it shows, one line.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// What an experiment shows.
pub trait Outcome {
    /// Its tables, most important first.
    fn tables(&self) -> Vec<Table>;

    /// Its rows as JSON objects, one per `--json` line.
    fn json_lines(&self) -> Vec<serde_json::Value>;

    /// Its figure, if it draws one.
    fn figure(&self) -> Result<Option<Figure>, PlotError> {
        Ok(None)
    }

    /// A drawing for the terminal, printed before the tables.
    fn text(&self) -> Option<String> {
        None
    }

    /// More HTML for its report section, after the figure.
    fn extra_html(&self) -> Result<Option<String>, PlotError> {
        Ok(None)
    }

    /// The command's exit status: 0, or 1 when the run found a difference
    /// (a comparison with Go's recording).
    fn exit_code(&self) -> u8 {
        0
    }
}

/// How much work a run does: the report's `--quick` picks [`Effort::Quick`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    /// Small sizes, few repetitions: seconds.
    Quick,
    /// The sizes the report is meant to show.
    Full,
}

/// Serializes rows for `--json`; rows are plain data, so this cannot fail.
pub(crate) fn to_values<T: serde::Serialize>(rows: &[T]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|r| serde_json::to_value(r).expect("rows serialize to JSON"))
        .collect()
}
