//! The `gomap-lab` command line.
#![forbid(unsafe_code)]

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use gomap_lab::claims::{self, measure};
use gomap_lab::compare::{compare_inputs, Comparison, DEFAULT_SHOWN};
use gomap_lab::experiments::registry::{self, Ctx, Registered};
use gomap_lab::experiments::{Effort, Outcome};
use gomap_lab::hashes::MissingHash;
use gomap_lab::input::{Input, InputError};
use gomap_lab::replay::Replay;
use gomap_lab::report::{self, Plan};
use gomap_lab::swiss_compare::{compare_swiss_inputs, verify_swiss};
use gomap_lab::swiss_replay::{self, is_swiss_input, read_swiss};
use gomap_lab::verify::verify;
use gomap_lab::{jsonl, progress};

/// Exit status: the streams match (or the replay finished).
const EXIT_MATCH: u8 = 0;
/// Exit status: the streams differ (or the replay had to stop).
const EXIT_DIFFERENT: u8 = 1;
/// Exit status: bad input or usage.
const EXIT_BAD_INPUT: u8 = 2;

/// Replays Go oracle recordings on gomap and compares the layouts with Go's, and runs
/// the experiments that show Go's map as it is (gomap's layout equals Go's).
///
/// Start with `gomap-lab report --out report/`: every experiment in one HTML page.
///
/// Exit status: 0 on success (or when streams match), 1 when streams differ (or a
/// replay had to stop, or a file could not be written), 2 on malformed input or bad
/// usage.
#[derive(Debug, Parser)]
#[command(name = "gomap-lab", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay an oracle stream (standard input, plain or gzip) on gomap and write
    /// gomap's own stream, with the same `i`s, to standard output. A Swiss stream
    /// (first record `"t":"env"`) is replayed on SwissMap, every hash recomputed.
    Replay,
    /// Compare a stream with a reference recording under PROTOCOL.md's (or, for Swiss
    /// streams, SWISS-PROTOCOL.md's) "What a replay must match" (either file may be
    /// gzip; `-` is standard input).
    Compare {
        /// The reference stream (Go's recording).
        go: PathBuf,
        /// The stream to check (for example a replay's output).
        ours: PathBuf,
        /// How many differences to print.
        #[arg(long, default_value_t = DEFAULT_SHOWN)]
        show: usize,
    },
    /// Replay a recording in-process and compare the replay with it.
    Verify {
        /// The recording (plain or gzip).
        file: PathBuf,
        /// How many differences to print.
        #[arg(long, default_value_t = DEFAULT_SHOWN)]
        show: usize,
    },
    /// Every claim of the five articles with its verdict, computed from
    /// measurements (gomap's, and Go 1.19's where installed).
    Claims(ClaimsArgs),
    /// Run every experiment into one self-contained HTML report (DIR/index.html).
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
struct ClaimsArgs {
    /// Print one JSON array of claims (id, article, section, quote, verdict,
    /// measured, source, …) instead of a table.
    #[arg(long)]
    json: bool,
    /// Only the claims with this verdict (right, partly, wrong,
    /// not-measurable, needs-go).
    #[arg(long)]
    verdict: Option<String>,
    /// Only the claims shown in this report section (hint, grow, layout,
    /// offsets, cachelines, rangegrow, shrink, gosrc, goruntime, syscalls, …).
    #[arg(long)]
    section: Option<String>,
    /// Also print the measurements the claims are decided on.
    #[arg(long, conflicts_with = "json")]
    measurements: bool,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Directory to write index.html (and trace.json) into; created if missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Smaller runs: about 5 s instead of about 20 s (two cores).
    #[arg(long)]
    quick: bool,
}

/// The command line: the fixed commands of [`Cli`] and one subcommand per
/// registered experiment.
fn command_line() -> clap::Command {
    registry::ALL
        .iter()
        .fold(Cli::command(), |c, e| c.subcommand(e.command()))
}

fn main() -> ExitCode {
    let matches = command_line().get_matches();
    silence_missing_hash_panics();
    let result = match matches.subcommand() {
        Some((name, sub)) if registry::find(name).is_some() => {
            let experiment = registry::find(name).expect("checked");
            run_experiment(experiment, sub)
        }
        _ => match Cli::from_arg_matches(&matches) {
            Ok(cli) => run(cli.command),
            Err(e) => e.exit(),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("gomap-lab: error: {error:#}");
            let bad_input = error.downcast_ref::<InputError>().is_some();
            ExitCode::from(if bad_input {
                EXIT_BAD_INPUT
            } else {
                EXIT_DIFFERENT
            })
        }
    }
}

/// A missing hash is reported as a replay failure; the default hook would also print
/// an opaque "Box<dyn Any>" panic message for it. Other panics keep the default hook.
fn silence_missing_hash_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<MissingHash>().is_none() {
            default_hook(info);
        }
    }));
}

fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Replay => replay(),
        Command::Compare { go, ours, show } => {
            let (go, ours) = (input(&go)?, input(&ours)?);
            let comparison = if is_swiss_input(&go)? {
                compare_swiss_inputs(&go, &ours, show)?
            } else {
                compare_inputs(&go, &ours, show)?
            };
            Ok(report(&comparison))
        }
        Command::Verify { file, show } => {
            let file = Input::file(&file);
            if is_swiss_input(&file)? {
                let verification = verify_swiss(&file, show)?;
                let code = report(&verification.comparison);
                for mismatch in &verification.hash_mismatches {
                    println!("recorded hash differs: {mismatch}");
                }
                return Ok(if verification.is_match() {
                    code
                } else {
                    EXIT_DIFFERENT
                });
            }
            let verification = verify(&file, show)?;
            let code = report(&verification.comparison);
            let hashes = &verification.hashes;
            match &hashes.skipped {
                Some(why) => println!("{why}"),
                None => println!(
                    "hashes recomputed: {} equal, {} different",
                    hashes.recomputed,
                    hashes.mismatches.len()
                ),
            }
            for mismatch in &hashes.mismatches {
                println!("{}: {mismatch}", file.name());
            }
            if let Some(failure) = &verification.failure {
                println!("{failure}");
            }
            Ok(if verification.is_match() {
                code
            } else {
                EXIT_DIFFERENT
            })
        }
        Command::Claims(a) => claims_command(&a),
        Command::Report(a) => {
            let plan = Plan::new(if a.quick { Effort::Quick } else { Effort::Full });
            let summary = report::run(&plan, &a.out)?;
            for (section, took) in &summary.timings {
                eprintln!("{section:>16}  {:6.2} s", took.as_secs_f64());
            }
            println!(
                "wrote {} in {:.1} s",
                summary.index.display(),
                summary.total.as_secs_f64()
            );
            Ok(EXIT_MATCH)
        }
    }
}

/// Runs a registered experiment from its parsed arguments: prints its
/// drawing and tables (or its JSON lines) and writes its figure.
fn run_experiment(e: &dyn Registered, m: &clap::ArgMatches) -> anyhow::Result<u8> {
    let ctx = Ctx {
        dir: Path::new("."),
        progress: true,
    };
    let outcome = e.run_matches(m, &ctx)?;
    let json = m.get_flag("json");
    let svg = m.try_get_one::<PathBuf>("svg").ok().flatten();
    if !json {
        if let Some(text) = outcome.text() {
            println!("{text}");
        }
    }
    show(outcome.as_ref(), json, svg.map(PathBuf::as_path))?;
    Ok(outcome.exit_code())
}

/// `gomap-lab claims`.
fn claims_command(a: &ClaimsArgs) -> anyhow::Result<u8> {
    let wanted = match &a.verdict {
        None => None,
        Some(v) => Some(
            claims::Verdict::ALL
                .into_iter()
                .find(|x| x.as_str() == v)
                .ok_or_else(|| {
                    InputError::Usage(format!(
                        "--verdict {v:?}: one of right, partly, wrong, not-measurable, needs-go"
                    ))
                })?,
        ),
    };
    let bar = progress::spinner("measuring");
    let measured = measure::collect(measure::Budget::Quick);
    bar.finish_and_clear();
    if let Some(section) = &a.section {
        if !claims::catalog::CLAIMS
            .iter()
            .any(|c| c.experiment == section)
        {
            let mut sections: Vec<&str> = claims::catalog::CLAIMS
                .iter()
                .map(|c| c.experiment)
                .collect();
            sections.sort_unstable();
            sections.dedup();
            return Err(InputError::Usage(format!(
                "--section {section:?}: no claim is shown there; sections: {}",
                sections.join(", ")
            ))
            .into());
        }
    }
    let checked: Vec<_> = claims::evaluate_all(&measured)
        .into_iter()
        .filter(|c| wanted.map_or(true, |w| c.verdict == w))
        .filter(|c| a.section.as_deref().map_or(true, |s| c.experiment == s))
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    if a.json {
        serde_json::to_writer_pretty(&mut out, &checked).context("writing JSON")?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", claims::table(&checked).to_text())?;
        let counts: Vec<String> = claims::counts(&checked)
            .iter()
            .map(|(v, n)| format!("{n} {v}"))
            .collect();
        writeln!(out, "{} claims: {}", checked.len(), counts.join(", "))?;
        if a.measurements {
            let mut keys: Vec<&str> = Vec::new();
            for c in &checked {
                let claim = claims::catalog::CLAIMS.iter().find(|k| k.id == c.id);
                if let Some(claims::Claim {
                    check: claims::Check::Parts(parts),
                    ..
                }) = claim
                {
                    for p in parts.iter() {
                        if !keys.contains(&p.key) {
                            keys.push(p.key);
                        }
                    }
                }
            }
            writeln!(
                out,
                "\n{}",
                claims::measurements_table(&measured, &keys).to_text()
            )?;
        }
    }
    out.flush()?;
    Ok(EXIT_MATCH)
}

/// Prints an experiment's tables (or its JSON lines) and writes its figure.
fn show(outcome: &dyn Outcome, json: bool, svg: Option<&Path>) -> anyhow::Result<u8> {
    let mut out = BufWriter::new(io::stdout().lock());
    if json {
        jsonl::write_lines(&mut out, &outcome.json_lines()).context("writing JSON lines")?;
    } else {
        for table in outcome.tables() {
            writeln!(out, "{}", table.to_text())?;
        }
    }
    if json {
        // Standard output carries only JSON lines.
        write_figure(outcome, svg, &mut io::stderr())?;
    } else {
        write_figure(outcome, svg, &mut out)?;
    }
    out.flush()?;
    Ok(EXIT_MATCH)
}

/// Writes the outcome's figure to `svg`, when asked.
fn write_figure(
    outcome: &dyn Outcome,
    svg: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let Some(path) = svg else { return Ok(()) };
    let figure = outcome
        .figure()?
        .context("this experiment draws no figure")?;
    std::fs::write(path, figure.svg).with_context(|| format!("writing {}", path.display()))?;
    writeln!(out, "wrote {}", path.display())?;
    Ok(())
}

/// A path as an input; `-` is standard input.
fn input(path: &Path) -> Result<Input, InputError> {
    if path.as_os_str() == "-" {
        Input::stdin()
    } else {
        Ok(Input::file(path))
    }
}

fn replay() -> anyhow::Result<u8> {
    let input = Input::stdin()?;
    if is_swiss_input(&input)? {
        return replay_swiss(&input);
    }
    let mut replay = Replay::start(&input)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for step in replay.by_ref() {
        let Some(output) = step?.output else { break };
        writeln!(out, "{}", output.to_json_line()).context("writing the replay")?;
    }
    out.flush().context("writing the replay")?;
    let mismatches = &replay.hash_check().mismatches;
    for mismatch in mismatches {
        eprintln!("gomap-lab: {}: {mismatch}", input.name());
    }
    Ok(match replay.failure() {
        Some(failure) => {
            eprintln!("gomap-lab: {failure}");
            EXIT_DIFFERENT
        }
        None if !mismatches.is_empty() => EXIT_DIFFERENT,
        None => EXIT_MATCH,
    })
}

/// `gomap-lab replay` of a Swiss stream: our stream on standard output; a
/// recorded hash our recomputation contradicts is a replay failure.
fn replay_swiss(input: &Input) -> anyhow::Result<u8> {
    let stream = read_swiss(input)?;
    let ours = swiss_replay::replay(&stream).map_err(|e| InputError::Malformed {
        name: input.name().to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let mut out = BufWriter::new(io::stdout().lock());
    for line in ours.json_lines() {
        writeln!(out, "{line}").context("writing the replay")?;
    }
    out.flush().context("writing the replay")?;
    for mismatch in &ours.hash_mismatches {
        eprintln!("gomap-lab: recorded hash differs: {mismatch}");
    }
    Ok(if ours.hash_mismatches.is_empty() {
        EXIT_MATCH
    } else {
        EXIT_DIFFERENT
    })
}

/// Prints the first differences and the summary; returns the exit status.
fn report(comparison: &Comparison) -> u8 {
    for difference in comparison.differences() {
        println!("{difference}");
    }
    let unshown = comparison.total_differences() - comparison.differences().len();
    if unshown > 0 {
        println!("... and {unshown} more differences");
    }
    println!("{}", comparison.summary());
    if comparison.is_match() {
        EXIT_MATCH
    } else {
        EXIT_DIFFERENT
    }
}
