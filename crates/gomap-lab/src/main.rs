//! The `gomap-lab` command line.
#![forbid(unsafe_code)]

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use gomap_lab::compare::{compare_inputs, Comparison, DEFAULT_SHOWN};
use gomap_lab::experiments::grow::{self, GrowConfig};
use gomap_lab::experiments::hint::{self, HintConfig};
use gomap_lab::experiments::latency::{self, LatencyConfig};
use gomap_lab::experiments::layout::{self, LayoutConfig};
use gomap_lab::experiments::loadfactor::{self, LoadFactorConfig};
use gomap_lab::experiments::prealloc::{self, PreallocConfig};
use gomap_lab::experiments::reuse::{self, ReuseConfig};
use gomap_lab::experiments::syncmap;
use gomap_lab::experiments::{trace, Effort, Outcome};
use gomap_lab::hashes::MissingHash;
use gomap_lab::input::{Input, InputError};
use gomap_lab::kv::KvType;
use gomap_lab::replay::Replay;
use gomap_lab::report::{self, Plan};
use gomap_lab::verify::verify;
use gomap_lab::{claims, jsonl, progress};

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
    /// make(map, hint): the B, buckets, preallocated overflow pool and bytes each hint
    /// gives, beside the B the articles claim.
    Hint(HintArgs),
    /// Insert N keys into an empty map: every growth (when, kind, writes to pay it
    /// off) and a plot of load factor and B.
    Grow(GrowArgs),
    /// Draw a map's buckets (tophash bytes, empty slots, overflow chains, the old
    /// array mid-growth) for a scenario, in the terminal and as SVG.
    Layout(LayoutArgs),
    /// Deletes and inserts: emptyOne/emptyRest step by step on one chain, then
    /// churn counts of slot reuse, overflow buckets and same-size growths.
    Reuse(ReuseArgs),
    /// make(map) vs make(map, N): arrays allocated, heap overflow buckets, bytes,
    /// growths and time.
    Prealloc(PreallocArgs),
    /// Regenerate Go's load-factor table (runtime/map.go) on gomap, beside Go's.
    Loadfactor(LoadFactorArgs),
    /// Per-insert latency, gomap vs std HashMap vs hashbrown: percentiles and a
    /// log-scale plot.
    Latency(LatencyArgs),
    /// Write the Chrome trace (Perfetto) of inserting N keys into an empty map.
    Trace(TraceArgs),
    /// sync.Map's life cycle on SyncMap, step by step (read map, amended, dirty map,
    /// misses, entries), beside the articles' claims; with --compare, checked against
    /// Go 1.19's recording of the same script.
    Syncmap(SyncmapArgs),
    /// Run every experiment into one self-contained HTML report (DIR/index.html).
    Report(ReportArgs),
}

/// Output options shared by the experiments.
#[derive(Debug, clap::Args)]
struct Output {
    /// Print the rows as JSON objects, one per line, instead of tables.
    #[arg(long)]
    json: bool,
}

/// Output options of experiments that draw a figure.
#[derive(Debug, clap::Args)]
struct FigureOutput {
    /// Print the rows as JSON objects, one per line, instead of tables.
    #[arg(long)]
    json: bool,
    /// Also write the figure to this SVG file.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

/// A list of hints; its own type so clap treats the whole list as one value.
#[derive(Debug, Clone)]
struct Hints(Vec<usize>);

fn parse_hint_list(s: &str) -> Result<Hints, String> {
    hint::parse_hints(s).map(Hints)
}

#[derive(Debug, clap::Args)]
struct HintArgs {
    /// Hints, as a list and inclusive ranges: `0,8,9,100-120` [default: 0,1,8,9,13,14,…,1000000]
    #[arg(long, value_parser = parse_hint_list)]
    hints: Option<Hints>,
    /// Key:value types, comma-separated: u64:u64, str:u64 (16-byte Box<str> keys),
    /// u32:u32, u8:u64, k200:u64 (200-byte keys).
    #[arg(long, value_delimiter = ',', default_value = "u64:u64")]
    kv: Vec<KvType>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, clap::Args)]
struct GrowArgs {
    /// Keys to insert.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=grow::MAX_INSERTS as u64))]
    inserts: u64,
    /// Seed of the hasher and of the map's hash seeds.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    output: FigureOutput,
}

#[derive(Debug, clap::Args)]
struct LayoutArgs {
    /// Keys to insert (1, 2, …).
    #[arg(long, default_value_t = 27, value_parser = clap::value_parser!(u64).range(0..=layout::MAX_KEYS as u64))]
    keys: u64,
    /// The hint passed to make.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=hint::MAX_HINT as u64))]
    hint: u64,
    /// After the inserts, keep inserting until a growth is in progress.
    #[arg(long)]
    stop_mid_growth: bool,
    /// Then delete this many keys, the first inserted first.
    #[arg(long, default_value_t = 0)]
    delete: u64,
    /// At the end, rewrite keys until a growth in progress has finished.
    #[arg(long, conflicts_with = "stop_mid_growth")]
    finish_growth: bool,
    /// Seed of the hasher and of the map's hash seeds (same seed, same drawing).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    output: FigureOutput,
}

fn parse_load(s: &str) -> Result<u32, String> {
    let load: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if !(0.5..=6.5).contains(&load) {
        return Err(format!(
            "load {load} is outside 0.5–6.5 (above 6.5 the map would grow)"
        ));
    }
    Ok((load * 10.0).round() as u32)
}

#[derive(Debug, clap::Args)]
struct ReuseArgs {
    /// B of the churned map.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=16))]
    b: u8,
    /// Entries per bucket kept during the churn (0.5–6.5).
    #[arg(long, default_value = "6.0", value_parser = parse_load)]
    load: u32,
    /// Delete/insert pairs.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    ops: u64,
    /// Seed of hashers, map seeds and victims.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    output: FigureOutput,
}

#[derive(Debug, clap::Args)]
struct PreallocArgs {
    /// Map sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,100000,1000000", value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    sizes: Vec<u64>,
    /// Timed repetitions per size (the median is shown).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    reps: u32,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, clap::Args)]
struct LoadFactorArgs {
    /// Maps averaged per load.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    maps: u32,
    /// B of the measured tables (2^B buckets each).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(4..=18))]
    b: u8,
    /// First seed (map j uses seed + j).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    output: FigureOutput,
}

#[derive(Debug, clap::Args)]
struct LatencyArgs {
    /// Keys to insert into each map.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=latency::MAX_INSERTS as u64))]
    inserts: u64,
    /// Identical runs per map; each insert keeps its fastest time (filters out
    /// preemption by other processes).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
    /// Hash key shared by the three maps.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    output: FigureOutput,
}

#[derive(Debug, clap::Args)]
struct TraceArgs {
    /// Keys to insert.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=trace::MAX_INSERTS as u64))]
    inserts: u64,
    /// Where to write the trace JSON.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, clap::Args)]
struct SyncmapArgs {
    /// Script of sync.Map ops (store K V, load K, delete K, load_or_store K V,
    /// load_and_delete K, range) [default: the built-in walkthrough,
    /// testdata/syncmap/walkthrough.txt].
    script: Option<PathBuf>,
    /// Go 1.19's recording of the same script (oracle/syncmap, see
    /// scripts/record-syncmap.sh): compare after every op; exit 1 on a difference.
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Directory to write index.html (and trace.json) into; created if missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Smaller runs: seconds instead of about a minute.
    #[arg(long)]
    quick: bool,
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
        Command::Hint(a) => {
            let config = HintConfig {
                hints: a
                    .hints
                    .map_or_else(|| hint::DEFAULT_HINTS.to_vec(), |h| h.0),
                kvs: a.kv,
            };
            show(&hint::run(&config), a.output.json, None)
        }
        Command::Grow(a) => {
            let config = GrowConfig {
                inserts: a.inserts,
                seed: a.seed,
            };
            let bar = progress::bar(a.inserts, "grow");
            let outcome = grow::run(&config, &bar);
            bar.finish_and_clear();
            show(&outcome, a.output.json, a.output.svg.as_deref())
        }
        Command::Layout(a) => {
            let config = LayoutConfig {
                hint: a.hint as usize,
                keys: a.keys,
                stop_mid_growth: a.stop_mid_growth,
                delete: a.delete,
                finish_growth: a.finish_growth,
                seed: a.seed,
            };
            let outcome = layout::run(&config);
            if a.output.json {
                return show(&outcome, true, a.output.svg.as_deref());
            }
            let mut out = io::stdout().lock();
            writeln!(out, "{}", outcome.to_text())?;
            writeln!(out, "{}", claims::table(&outcome.claims()).to_text())?;
            write_figure(&outcome, a.output.svg.as_deref(), &mut out)?;
            Ok(EXIT_MATCH)
        }
        Command::Reuse(a) => {
            let config = ReuseConfig {
                b: a.b,
                load_tenths: a.load,
                ops: a.ops,
                seed: a.seed,
            };
            let bar = progress::bar(a.ops, "reuse");
            let outcome = reuse::run(&config, &bar);
            bar.finish_and_clear();
            show(&outcome, a.output.json, a.output.svg.as_deref())
        }
        Command::Prealloc(a) => {
            let config = PreallocConfig {
                sizes: a.sizes,
                reps: a.reps,
            };
            let bar = progress::bar(config.sizes.len() as u64, "prealloc");
            let outcome = prealloc::run(&config, &bar);
            bar.finish_and_clear();
            show(&outcome, a.output.json, None)
        }
        Command::Loadfactor(a) => {
            let config = LoadFactorConfig {
                maps: a.maps,
                b: a.b,
                seed: a.seed,
            };
            let bar = progress::bar(loadfactor::GO_TABLE.len() as u64, "loadfactor");
            let outcome = loadfactor::run(&config, &bar);
            bar.finish_and_clear();
            show(&outcome, a.output.json, a.output.svg.as_deref())
        }
        Command::Latency(a) => {
            let config = LatencyConfig {
                inserts: a.inserts,
                seed: a.seed,
                runs: a.runs,
            };
            let bar = progress::bar(3 * a.runs as u64, "latency");
            let outcome = latency::run(&config, &bar);
            bar.finish_and_clear();
            show(&outcome, a.output.json, a.output.svg.as_deref())
        }
        Command::Trace(a) => {
            let outcome = trace::run(a.inserts);
            let file = std::fs::File::create(&a.out)
                .with_context(|| format!("creating {}", a.out.display()))?;
            let mut w = BufWriter::new(file);
            serde_json::to_writer(&mut w, &outcome.trace)
                .and_then(|()| w.flush().map_err(serde_json::Error::io))
                .with_context(|| format!("writing {}", a.out.display()))?;
            let code = show(&outcome, a.output.json, None)?;
            if !a.output.json {
                println!("wrote {}", a.out.display());
            }
            Ok(code)
        }
        Command::Syncmap(a) => syncmap_command(a),
        Command::Report(a) => {
            let plan = Plan::new(if a.quick { Effort::Quick } else { Effort::Full });
            let bar = progress::bar(1, "report");
            let summary = report::run(&plan, &a.out, &bar)?;
            for (section, took) in &summary.timings {
                eprintln!("{section:>12}  {:6.2} s", took.as_secs_f64());
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

/// `gomap-lab syncmap`: runs the script, prints the steps (and claims), and
/// with a recording exits 1 on the first difference from Go.
fn syncmap_command(a: SyncmapArgs) -> anyhow::Result<u8> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|error| InputError::Io {
            name: path.display().to_string(),
            error,
        })
    };
    let (name, script) = match &a.script {
        Some(path) => (path.display().to_string(), read(path)?),
        None => ("walkthrough".to_owned(), syncmap::WALKTHROUGH.to_owned()),
    };
    let recording = match &a.compare {
        Some(path) => Some((path.display().to_string(), read(path)?)),
        None => None,
    };
    let outcome = if a.script.is_none() && recording.is_none() {
        // The walkthrough is compared with Go's committed recording of it.
        syncmap::walkthrough()
    } else {
        syncmap::run(
            &name,
            &script,
            recording.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        )?
    };
    show(&outcome, a.output.json, None)?;
    Ok(match outcome.matches_go() {
        Some(false) => {
            if a.output.json {
                if let Some((_, Some(d))) = &outcome.go {
                    eprint!("{d}");
                }
            }
            EXIT_DIFFERENT
        }
        _ => EXIT_MATCH,
    })
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
