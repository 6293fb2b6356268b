//! The experiment registry: one [`Experiment`] impl per experiment, and
//! [`ALL`], the list that the command line, `--help`, `--json` and the report
//! iterate. Adding an experiment touches its own module and one line of
//! [`ALL`].
//!
//! An experiment's arguments are a clap-derived struct used as they are by
//! its run; the report runs each experiment from command lines
//! ([`Experiment::report_runs`]) parsed by the same struct, so the
//! "Regenerate" line under every figure is the very line that produced it.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use clap::{ArgMatches, Args, FromArgMatches};
use indicatif::ProgressBar;

use super::{Effort, Outcome};
use crate::progress;

/// What a run may use besides its arguments.
pub struct Ctx<'a> {
    /// Where relative output paths (`trace --out FILE`) are written: the
    /// working directory on the command line, the report's directory in a
    /// report.
    pub dir: &'a Path,
    /// Whether to draw progress bars (on a terminal only, either way).
    pub progress: bool,
}

impl Ctx<'_> {
    /// A bar for one phase of `len` steps named `label`: a new bar per
    /// phase, so a label and its length always belong together and never run
    /// backwards. Hidden when progress is off or standard error is no
    /// terminal.
    pub fn bar(&self, len: u64, label: &str) -> ProgressBar {
        if self.progress {
            progress::bar(len, label)
        } else {
            ProgressBar::hidden()
        }
    }

    /// `path` resolved against [`Ctx::dir`].
    pub fn path(&self, path: &Path) -> PathBuf {
        if self.dir == Path::new(".") {
            path.to_owned()
        } else {
            self.dir.join(path)
        }
    }
}

/// One experiment of the lab.
pub trait Experiment: 'static {
    /// Its subcommand and report section id.
    const ID: &'static str;
    /// Its report section title.
    const TITLE: &'static str;
    /// One line for `--help`.
    const ABOUT: &'static str;
    /// What Go does, a paragraph for the report.
    const EXPLAIN: &'static str;
    /// Whether it draws a figure (`--svg FILE`).
    const FIGURE: bool;
    /// Its command-line arguments, used as they are by [`Experiment::run`].
    type Args: Args + FromArgMatches + fmt::Debug;
    /// What a run returns.
    type Outcome: Outcome + 'static;

    /// Runs it.
    fn run(args: &Self::Args, ctx: &Ctx<'_>) -> anyhow::Result<Self::Outcome>;

    /// The report's runs: each a command line after the subcommand name
    /// (`--inserts 300000`), parsed as [`Experiment::Args`].
    fn report_runs(effort: Effort) -> Vec<String>;
}

/// An experiment behind a vtable, for [`ALL`].
pub trait Registered: Sync {
    /// [`Experiment::ID`].
    fn id(&self) -> &'static str;
    /// [`Experiment::TITLE`].
    fn title(&self) -> &'static str;
    /// [`Experiment::EXPLAIN`].
    fn explain(&self) -> &'static str;
    /// Its subcommand: the experiment's arguments plus `--json` (and `--svg`
    /// when it draws).
    fn command(&self) -> clap::Command;
    /// Runs it from parsed arguments.
    fn run_matches(&self, m: &ArgMatches, ctx: &Ctx<'_>) -> anyhow::Result<Box<dyn Outcome>>;
    /// The report's runs, as command lines after the subcommand name.
    fn report_runs(&self, effort: Effort) -> Vec<String>;
    /// Runs it from a command line after the subcommand name.
    fn run_line(&self, line: &str, ctx: &Ctx<'_>) -> anyhow::Result<Box<dyn Outcome>> {
        let argv = std::iter::once(self.id()).chain(line.split_whitespace());
        let m = self.command().try_get_matches_from(argv)?;
        self.run_matches(&m, ctx)
    }
}

/// The [`Registered`] face of an [`Experiment`].
pub struct Entry<E>(PhantomData<fn() -> E>);

impl<E> Entry<E> {
    /// The entry.
    pub const NEW: Entry<E> = Entry(PhantomData);
}

impl<E: Experiment> Registered for Entry<E> {
    fn id(&self) -> &'static str {
        E::ID
    }

    fn title(&self) -> &'static str {
        E::TITLE
    }

    fn explain(&self) -> &'static str {
        E::EXPLAIN
    }

    fn command(&self) -> clap::Command {
        // The arguments' doc comment would become the about text: set it after.
        let mut c = E::Args::augment_args(clap::Command::new(E::ID))
            .about(E::ABOUT)
            .long_about(None)
            .arg(
                clap::Arg::new("json")
                    .long("json")
                    .action(clap::ArgAction::SetTrue)
                    .help("Print the rows as JSON objects, one per line, instead of tables"),
            );
        if E::FIGURE {
            c = c.arg(
                clap::Arg::new("svg")
                    .long("svg")
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("Also write the figure to this SVG file"),
            );
        }
        c
    }

    fn run_matches(&self, m: &ArgMatches, ctx: &Ctx<'_>) -> anyhow::Result<Box<dyn Outcome>> {
        let args = E::Args::from_arg_matches(m)?;
        Ok(Box::new(E::run(&args, ctx)?))
    }

    fn report_runs(&self, effort: Effort) -> Vec<String> {
        E::report_runs(effort)
    }
}

/// Every experiment, in the report's order.
pub static ALL: &[&dyn Registered] = &[
    &Entry::<super::hint::Hint>::NEW,
    &Entry::<super::grow::Grow>::NEW,
    &Entry::<super::trace::Trace>::NEW,
    &Entry::<super::layout::Layout>::NEW,
    &Entry::<super::reuse::Reuse>::NEW,
    &Entry::<super::prealloc::Prealloc>::NEW,
    &Entry::<super::loadfactor::LoadFactor>::NEW,
    &Entry::<super::syncmap::SyncMapLab>::NEW,
    &Entry::<super::latency::Latency>::NEW,
    &Entry::<super::generations::Generations>::NEW,
    &Entry::<super::swiss_hint::SwissHint>::NEW,
    &Entry::<super::swiss_growth::SwissGrowth>::NEW,
    &Entry::<super::swiss_tombstones::SwissTombstones>::NEW,
];

/// The experiment named `id`.
pub fn find(id: &str) -> Option<&'static dyn Registered> {
    ALL.iter().copied().find(|e| e.id() == id)
}

/// Arguments as the command line defaults them, for tests and callers
/// that want an experiment's standard run.
pub fn defaults<A: Args + FromArgMatches>() -> A {
    let m = A::augment_args(clap::Command::new("defaults"))
        .try_get_matches_from(["defaults"])
        .expect("every argument has a default");
    A::from_arg_matches(&m).expect("defaults parse")
}
