//! `gomap-lab report`: every experiment in one self-contained HTML page — SVG
//! figures inline, tables, a few sentences on what Go does and where the articles
//! were wrong, and the command that regenerates each figure. Opens with no network.

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::claims::{ClaimCheck, Verdict};
use crate::experiments::grow::{self, GrowConfig};
use crate::experiments::hint::{self, HintConfig};
use crate::experiments::latency::{self, LatencyConfig};
use crate::experiments::layout::{self, LayoutConfig};
use crate::experiments::loadfactor::{self, LoadFactorConfig};
use crate::experiments::prealloc::{self, PreallocConfig};
use crate::experiments::reuse::{self, ReuseConfig};
use crate::experiments::syncmap;
use crate::experiments::trace;
use crate::experiments::{Effort, Outcome};
use crate::html::{escape, STYLE};
use crate::plot::PlotError;
use crate::progress;

/// The sizes each experiment runs at.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Quick or full.
    pub effort: Effort,
    /// `hint`.
    pub hint: HintConfig,
    /// `grow`.
    pub grow: GrowConfig,
    /// `layout`, one per scenario.
    pub layouts: Vec<LayoutConfig>,
    /// `reuse`.
    pub reuse: ReuseConfig,
    /// `prealloc`.
    pub prealloc: PreallocConfig,
    /// `loadfactor`.
    pub loadfactor: LoadFactorConfig,
    /// `latency`.
    pub latency: LatencyConfig,
    /// `trace`: inserts.
    pub trace_inserts: u64,
}

impl Plan {
    /// The sizes for `effort`.
    pub fn new(effort: Effort) -> Plan {
        let quick = effort == Effort::Quick;
        Plan {
            effort,
            hint: HintConfig::default(),
            grow: GrowConfig {
                // Past 212,993, where B goes from 15 to 16, even when quick.
                inserts: if quick { 300_000 } else { 1_000_000 },
                seed: 1,
            },
            layouts: vec![
                LayoutConfig::default(),
                LayoutConfig {
                    hint: 53,
                    keys: 104,
                    delete: 30,
                    ..LayoutConfig::default()
                },
            ],
            reuse: ReuseConfig {
                b: 8,
                load_tenths: 60,
                ops: if quick { 100_000 } else { 400_000 },
                seed: 1,
            },
            prealloc: PreallocConfig {
                sizes: if quick {
                    vec![1_000, 100_000]
                } else {
                    vec![1_000, 100_000, 1_000_000]
                },
                reps: if quick { 3 } else { 7 },
            },
            loadfactor: LoadFactorConfig {
                maps: if quick { 8 } else { 32 },
                b: 10,
                seed: 1,
            },
            latency: LatencyConfig {
                inserts: if quick { 200_000 } else { 1_000_000 },
                seed: 1,
                runs: if quick { 3 } else { 5 },
            },
            trace_inserts: 100_000,
        }
    }
}

/// Writing the report failed.
#[derive(Debug)]
pub enum ReportError {
    /// A figure could not be drawn.
    Plot(PlotError),
    /// A file could not be written.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Plot(e) => write!(f, "{e}"),
            ReportError::Io(p, e) => write!(f, "writing {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for ReportError {}

impl From<PlotError> for ReportError {
    fn from(e: PlotError) -> Self {
        ReportError::Plot(e)
    }
}

/// One section of the page.
struct Section {
    id: &'static str,
    title: &'static str,
    html: String,
    claims: Vec<ClaimCheck>,
    took: Duration,
}

/// What the report run produced.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// The page.
    pub index: PathBuf,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// Time per section.
    pub timings: Vec<(&'static str, Duration)>,
    /// Time for the whole run.
    pub total: Duration,
}

fn section_html(
    about: &str,
    outcomes: &[(&dyn Outcome, String)],
    extra: &str,
) -> Result<String, PlotError> {
    let mut html = format!("<p>{}</p>\n", escape(about));
    html += extra;
    for (outcome, command) in outcomes {
        if let Some(figure) = outcome.figure()? {
            let _ = write!(
                html,
                "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                strip_xml_declaration(&figure.svg),
                escape(&figure.caption)
            );
        }
        for table in outcome.tables() {
            // The claims go to the section's own claims table, with quotes.
            if table.title.starts_with("The articles' claims") {
                continue;
            }
            html += &table.to_html();
        }
        let _ = writeln!(
            html,
            "<p class=\"note\">Regenerate: <code>cargo run --release -p gomap-lab -- {}</code></p>",
            escape(command.trim_start_matches("gomap-lab "))
        );
    }
    Ok(html)
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn claims_html(checks: &[ClaimCheck], with_section: Option<&[(&str, &str)]>) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<table class=\"claims\">\n<tr><th>article</th><th>claim</th><th>measured on gomap (Go 1.19's layout)</th><th>verdict</th></tr>\n",
    );
    for (i, c) in checks.iter().enumerate() {
        let article = match with_section {
            Some(ids) => format!("<a href=\"#{}\">{}</a>", ids[i].0, escape(c.claim.article)),
            None => escape(c.claim.article),
        };
        let _ = writeln!(
            html,
            "<tr><td><code>{article}</code></td><td>{}<br><span class=\"note\" lang=\"zh\">“{}”</span></td><td>{}</td><td class=\"verdict-{v}\">{v}</td></tr>",
            escape(c.claim.says),
            escape(c.claim.quote),
            escape(&c.measured),
            v = c.verdict.as_str()
        );
    }
    html + "</table>\n"
}

fn write(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, contents).map_err(|e| ReportError::Io(path.to_owned(), e))
}

/// Runs every experiment of `plan` and writes `index.html` (and the trace file it
/// links to) into `out`.
pub fn run(plan: &Plan, out: &Path, bar: &ProgressBar) -> Result<ReportSummary, ReportError> {
    let start = Instant::now();
    std::fs::create_dir_all(out).map_err(|e| ReportError::Io(out.to_owned(), e))?;
    let mut sections: Vec<Section> = Vec::new();
    let mut files = Vec::new();

    let mut timed =
        |id, title, f: &mut dyn FnMut() -> Result<(String, Vec<ClaimCheck>), ReportError>| {
            let t = Instant::now();
            let (html, claims) = f()?;
            sections.push(Section {
                id,
                title,
                html,
                claims,
                took: t.elapsed(),
            });
            Ok::<(), ReportError>(())
        };

    progress::phase(bar, 1, "hint");
    timed(
        "hint",
        "make(map, hint): B, buckets and the overflow pool",
        &mut || {
            let o = hint::run(&plan.hint);
            Ok((
                section_html(hint::ABOUT, &[(&o, plan.hint.command())], "")?,
                o.claims(),
            ))
        },
    )?;

    progress::phase(bar, plan.grow.inserts, "grow");
    timed(
        "grow",
        "Growth: when, which kind, and who pays",
        &mut || {
            let o = grow::run(&plan.grow, bar);
            Ok((
                section_html(grow::ABOUT, &[(&o, plan.grow.command())], "")?,
                o.claims(),
            ))
        },
    )?;

    progress::phase(bar, 1, "trace");
    timed("trace", "The growths as a Chrome trace", &mut || {
        let o = trace::run(plan.trace_inserts);
        let path = out.join("trace.json");
        let json =
            serde_json::to_vec(&o.trace).map_err(|e| ReportError::Io(path.clone(), e.into()))?;
        write(&path, &json)?;
        files.push(path);
        let link = format!(
            "<p><a href=\"trace.json\">trace.json</a>: {} grow slices and {} evacuate events — \
             open it in <code>ui.perfetto.dev</code> or <code>chrome://tracing</code>.</p>\n",
            o.grow_slices, o.evacuate_events
        );
        let command = format!(
            "gomap-lab trace --inserts {} --out trace.json",
            plan.trace_inserts
        );
        Ok((
            section_html(trace::ABOUT, &[(&o, command)], &link)?,
            o.claims(),
        ))
    })?;

    progress::phase(bar, plan.layouts.len() as u64, "layout");
    timed("layout", "Inside the buckets", &mut || {
        let outcomes: Vec<_> = plan
            .layouts
            .iter()
            .map(|c| (layout::run(c), c.command()))
            .collect();
        let refs: Vec<(&dyn Outcome, String)> = outcomes
            .iter()
            .map(|(o, c)| (o as &dyn Outcome, c.clone()))
            .collect();
        let claims = outcomes
            .first()
            .map(|(o, _)| o.claims())
            .unwrap_or_default();
        Ok((section_html(layout::ABOUT, &refs, "")?, claims))
    })?;

    progress::phase(bar, plan.reuse.ops, "reuse");
    timed(
        "reuse",
        "Deleted slots: emptyOne, emptyRest and reuse",
        &mut || {
            let o = reuse::run(&plan.reuse, bar);
            let walk = format!(
            "<figure>\n{}\n<figcaption>The walk-through, one row per step (commands in the table below).</figcaption>\n</figure>\n",
            strip_xml_declaration(&o.diagram().to_svg()?)
        );
            Ok((
                section_html(reuse::ABOUT, &[(&o, plan.reuse.command())], &walk)?,
                o.claims(),
            ))
        },
    )?;

    progress::phase(bar, plan.prealloc.sizes.len() as u64, "prealloc");
    timed(
        "prealloc",
        "Passing the length to make, measured",
        &mut || {
            let o = prealloc::run(&plan.prealloc, bar);
            Ok((
                section_html(prealloc::ABOUT, &[(&o, plan.prealloc.command())], "")?,
                o.claims(),
            ))
        },
    )?;

    progress::phase(bar, loadfactor::GO_TABLE.len() as u64, "loadfactor");
    timed(
        "loadfactor",
        "Go's load-factor table, regenerated",
        &mut || {
            let o = loadfactor::run(&plan.loadfactor, bar);
            Ok((
                section_html(loadfactor::ABOUT, &[(&o, plan.loadfactor.command())], "")?,
                o.claims(),
            ))
        },
    )?;

    timed(
        "syncmap",
        "sync.Map: read map, dirty map, misses and promotion",
        &mut || {
            let o = syncmap::walkthrough();
            Ok((
                section_html(syncmap::ABOUT, &[(&o, "gomap-lab syncmap".to_owned())], "")?,
                o.claims(),
            ))
        },
    )?;

    timed(
        "latency",
        "Insert latency: incremental growth vs whole-table rehash",
        &mut || {
            let o = latency::run(&plan.latency, bar);
            Ok((
                section_html(latency::ABOUT, &[(&o, plan.latency.command())], "")?,
                o.claims(),
            ))
        },
    )?;
    bar.finish_and_clear();

    let total = start.elapsed();
    let index = out.join("index.html");
    write(&index, page(plan, &sections, total).as_bytes())?;
    files.insert(0, index.clone());
    Ok(ReportSummary {
        index,
        files,
        timings: sections.iter().map(|s| (s.id, s.took)).collect(),
        total,
    })
}

/// CPUs and, on Linux, the load average: the context for the timings.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned));
    match load {
        Some(load) => format!(", {cpus} CPUs, load average {load} at the end"),
        None => format!(", {cpus} CPUs"),
    }
}

fn page(plan: &Plan, sections: &[Section], total: Duration) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>gomap lab report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Go's map, measured: the gomap lab report</h1>\n\
         <p>Every number below comes from running the experiment on <code>gomap</code>, a Rust \
         rebuild of Go 1.19's runtime map whose layout equals Go's bucket for bucket (the \
         repository's oracle replays real Go runtime maps against it on every CI run). Where one \
         of the five articles in <code>shared/seeds/</code> made a claim, it stands beside the \
         measured number.</p>\n<p class=\"note\">Run: <code>cargo run --release -p gomap-lab -- \
         report --out report/{quick}</code> ({effort} run, {secs:.1} s{machine}). Counts and \
         layouts are exact and repeatable; times depend on the machine and on what else it \
         runs.</p>\n",
        quick = if plan.effort == Effort::Quick {
            " --quick"
        } else {
            ""
        },
        effort = if plan.effort == Effort::Quick {
            "quick"
        } else {
            "full"
        },
        secs = total.as_secs_f64(),
        machine = machine(),
    );
    html += "<nav><h2 id=\"contents\">Contents</h2>\n<ol>\n<li><a href=\"#claims\">The articles' claims at a glance</a></li>\n";
    for s in sections {
        let _ = writeln!(
            html,
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            escape(s.title)
        );
    }
    html += "</ol>\n</nav>\n";
    let all: Vec<ClaimCheck> = sections.iter().flat_map(|s| s.claims.clone()).collect();
    let ids: Vec<(&str, &str)> = sections
        .iter()
        .flat_map(|s| s.claims.iter().map(move |_| (s.id, s.title)))
        .collect();
    let count = |v: Verdict| all.iter().filter(|c| c.verdict == v).count();
    let _ = write!(
        html,
        "<h2 id=\"claims\">The articles' claims at a glance</h2>\n<p>{} claims checked: {} wrong, \
         {} partly right, {} right. The article column links to the section that measures the \
         claim.</p>\n{}",
        all.len(),
        count(Verdict::Wrong),
        count(Verdict::Partly),
        count(Verdict::Right),
        claims_html(&all, Some(&ids))
    );
    for (i, s) in sections.iter().enumerate() {
        let _ = write!(
            html,
            "<section id=\"{}\">\n<h2>{}. {}</h2>\n",
            s.id,
            i + 1,
            escape(s.title)
        );
        if !s.claims.is_empty() {
            html += "<h3>Where the articles were wrong</h3>\n";
            html += &claims_html(&s.claims, None);
        }
        html += "<h3>Measured</h3>\n";
        html += &s.html;
        let _ = writeln!(
            html,
            "<p class=\"note\">Section ran in {:.2} s.</p>\n</section>",
            s.took.as_secs_f64()
        );
    }
    html + "</body>\n</html>\n"
}
