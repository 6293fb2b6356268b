//! The `gomap-lab` command line.
#![forbid(unsafe_code)]

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use gomap_lab::compare::{compare_inputs, Comparison, DEFAULT_SHOWN};
use gomap_lab::hashes::MissingHash;
use gomap_lab::input::{Input, InputError};
use gomap_lab::replay::Replay;
use gomap_lab::verify::verify;

/// Exit status: the streams match (or the replay finished).
const EXIT_MATCH: u8 = 0;
/// Exit status: the streams differ (or the replay had to stop).
const EXIT_DIFFERENT: u8 = 1;
/// Exit status: bad input or usage.
const EXIT_BAD_INPUT: u8 = 2;

/// Replays Go oracle recordings on gomap and compares the layouts with Go's.
///
/// Exit status: 0 when the streams match, 1 when they differ (or a replay had to
/// stop), 2 on malformed input or bad usage.
#[derive(Debug, Parser)]
#[command(name = "gomap-lab", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay an oracle stream (standard input, plain or gzip) on gomap and write
    /// gomap's own stream, with the same `i`s, to standard output.
    Replay,
    /// Compare a stream with a reference recording under PROTOCOL.md's "What a replay
    /// must match" (either file may be gzip; `-` is standard input).
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    silence_missing_hash_panics();
    match run(cli.command) {
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
            let comparison = compare_inputs(&input(&go)?, &input(&ours)?, show)?;
            Ok(report(&comparison))
        }
        Command::Verify { file, show } => {
            let verification = verify(&Input::file(&file), show)?;
            let code = report(&verification.comparison);
            if let Some(failure) = &verification.failure {
                println!("{failure}");
            }
            Ok(if verification.is_match() {
                code
            } else {
                EXIT_DIFFERENT
            })
        }
    }
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
    let mut replay = Replay::start(&input)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for step in replay.by_ref() {
        let Some(output) = step?.output else { break };
        writeln!(out, "{}", output.to_json_line()).context("writing the replay")?;
    }
    out.flush().context("writing the replay")?;
    Ok(match replay.failure() {
        Some(failure) => {
            eprintln!("gomap-lab: {failure}");
            EXIT_DIFFERENT
        }
        None => EXIT_MATCH,
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
