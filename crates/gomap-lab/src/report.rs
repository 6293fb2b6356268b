//! `gomap-lab report`: every experiment in one self-contained HTML page — the
//! articles' claims first, each with its computed verdict, then one section
//! per registered experiment with its figures, tables, the claims it decides
//! and the command line that regenerates each figure. Opens with no network.

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::claims::{self, measure, Checked};
use crate::experiments::registry::{self, Ctx};
use crate::experiments::Effort;
use crate::html::{escape, strip_xml_declaration, STYLE};
use crate::progress;

/// How big the report's runs are.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Quick or full.
    pub effort: Effort,
}

impl Plan {
    /// The plan for `effort`.
    pub fn new(effort: Effort) -> Plan {
        Plan { effort }
    }
}

/// One section of the page.
struct Section {
    id: String,
    title: String,
    html: String,
    claims: Vec<Checked>,
    took: Duration,
}

/// What the report run produced.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// The page.
    pub index: PathBuf,
    /// Time per section.
    pub timings: Vec<(String, Duration)>,
    /// Time for the whole run.
    pub total: Duration,
}

/// Titles of the report sections that show claims measured outside the
/// registered experiments (by [`measure`] alone).
fn measurement_section_title(id: &str) -> String {
    match id {
        "offsets" => "Byte offsets: hmap and the bucket".into(),
        "cachelines" => "Cache lines a lookup touches".into(),
        "rangegrow" => "Ranging while the map grows".into(),
        "shrink" => "Deleting everything: the map does not shrink".into(),
        "syscalls" => "What the kernel is asked for".into(),
        "gosrc" => "Names the articles use, looked up in Go 1.19's source".into(),
        "goruntime" => "Only Go's runtime can answer: measured on Go 1.19".into(),
        other => format!("Measurements: {other}"),
    }
}

/// Runs every experiment for `plan` and writes `index.html` (and the files
/// experiments write, such as `trace.json`) into `out`, which is created if
/// missing.
pub fn run(plan: &Plan, out: &Path) -> anyhow::Result<ReportSummary> {
    let start = Instant::now();
    if out.exists() && !out.is_dir() {
        return Err(crate::input::InputError::Usage(format!(
            "--out {}: that is a file; the report needs a directory to write index.html into",
            out.display()
        ))
        .into());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let ctx = Ctx {
        dir: out,
        progress: true,
    };

    let t = Instant::now();
    let spinner = progress::spinner("claims: measuring");
    let budget = match plan.effort {
        Effort::Quick => measure::Budget::Quick,
        Effort::Full => measure::Budget::Full,
    };
    let measured = measure::collect(budget);
    let checked = claims::evaluate_all(&measured);
    spinner.finish_and_clear();
    let measuring = t.elapsed();

    let mut sections = Vec::new();
    for e in registry::ALL {
        let t = Instant::now();
        let mut html = format!("<p>{}</p>\n", escape(e.explain()));
        for line in e.report_runs(plan.effort) {
            let outcome = e
                .run_line(&line, &ctx)
                .with_context(|| format!("gomap-lab {} {line}", e.id()))?;
            let mut command = format!("gomap-lab {} {line}", e.id());
            if let Some(figure) = outcome.figure()? {
                let _ = write!(
                    html,
                    "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                    strip_xml_declaration(&figure.svg),
                    escape(&figure.caption)
                );
                let _ = write!(command, " --svg {}.svg", e.id());
            }
            if let Some(extra) = outcome.extra_html()? {
                html += &extra;
            }
            for table in outcome.tables() {
                html += &table.to_html();
            }
            let _ = writeln!(
                html,
                "<p class=\"note\">Regenerate: <code>cargo run --release -p gomap-lab -- {}</code></p>",
                escape(command.trim_start_matches("gomap-lab ").trim_end())
            );
        }
        sections.push(Section {
            id: e.id().to_owned(),
            title: e.title().to_owned(),
            html,
            claims: checked
                .iter()
                .filter(|c| c.experiment == e.id())
                .cloned()
                .collect(),
            took: t.elapsed(),
        });
    }
    // Claims measured by `measure` alone get a section per family.
    let mut families: Vec<&str> = checked
        .iter()
        .map(|c| c.experiment)
        .filter(|id| registry::find(id).is_none())
        .collect();
    families.sort_unstable();
    families.dedup();
    for id in families {
        // The claims' measurements, then the rest of the family's own keys
        // (the per-phase system calls, for one).
        let mut keys = claims::keys_of_section(id);
        let extra: &[&str] = match id {
            "syscalls" => &["syscalls.gomap.phase.", "go.strace.phase."],
            _ => &[],
        };
        for k in measured.keys() {
            if extra.iter().any(|p| k.starts_with(p)) && !keys.contains(&k) {
                keys.push(k);
            }
        }
        let html = format!(
            "{}<p class=\"note\">Regenerate: <code>cargo run --release -p gomap-lab -- claims \
             --section {id} --measurements</code></p>\n",
            claims::measurements_table(&measured, &keys).to_html()
        );
        sections.push(Section {
            id: id.to_owned(),
            title: measurement_section_title(id),
            html,
            claims: checked
                .iter()
                .filter(|c| c.experiment == id)
                .cloned()
                .collect(),
            took: Duration::ZERO,
        });
    }

    let total = start.elapsed();
    let index = out.join("index.html");
    let page = page(plan, out, &checked, &sections, measuring, total);
    std::fs::write(&index, page).with_context(|| format!("writing {}", index.display()))?;
    crate::explore::write(out)
        .with_context(|| format!("writing {}", out.join(crate::explore::FILE).display()))?;
    let mut timings = vec![("claims".to_owned(), measuring)];
    timings.extend(sections.iter().map(|s| (s.id.clone(), s.took)));
    Ok(ReportSummary {
        index,
        timings,
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

/// The claims as an HTML table. `link` adds a link from each claim to the
/// section that shows its measurement.
fn claims_html(checked: &[Checked], link: bool) -> String {
    if checked.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<div class=\"wide\"><table class=\"claims\">\n<tr><th>article §</th><th>claim</th>\
         <th>measured</th><th>verdict</th><th>Go 1.19</th></tr>\n",
    );
    for c in checked {
        let article = format!(
            "<span title=\"{}\">{}</span> §{}",
            escape(c.title),
            escape(&c.article[..3]),
            escape(c.section)
        );
        let article = if link {
            format!("<a href=\"#{}\">{article}</a>", escape(c.experiment))
        } else {
            article
        };
        let _ = writeln!(
            html,
            "<tr id=\"claim-{id}\"><td>{article}</td><td>{}<br><span class=\"quote\" lang=\"zh\">“{}”</span></td>\
             <td>{}<br><span class=\"note\">{}</span></td><td class=\"verdict-{v}\">{v}</td><td>{}</td></tr>",
            escape(c.says),
            escape(c.quote),
            escape(&c.measured),
            escape(c.how),
            if c.source.starts_with("src/") {
                format!("<code>{}</code>", escape(&c.source))
            } else {
                escape(&c.source)
            },
            id = escape(c.id),
            v = c.verdict.as_str()
        );
    }
    html + "</table></div>\n"
}

fn page(
    plan: &Plan,
    out: &Path,
    checked: &[Checked],
    sections: &[Section],
    measuring: Duration,
    total: Duration,
) -> String {
    let quick = plan.effort == Effort::Quick;
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>gomap lab report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Go's map, measured: the gomap lab report</h1>\n\
         <p>Every number below comes from running the experiment on <code>gomap</code>, a Rust \
         rebuild of Go 1.19's runtime map whose layout equals Go's bucket for bucket (the \
         repository's oracle replays real Go runtime maps against it on every CI run), or, where \
         only Go's runtime can answer, from Go 1.19 itself. The five articles in \
         <code>shared/seeds/</code> make claims about Go's map; each claim below stands beside \
         its measurement, with a verdict computed from the two.</p>\n<p class=\"note\">Run: \
         <code>cargo run --release -p gomap-lab -- report --out {dir}{quick}</code> ({effort} \
         run, {secs:.1} s{machine}). Counts and layouts are exact and repeatable; times depend \
         on the machine and on what else it runs.</p>\n",
        dir = escape(&out.display().to_string()),
        quick = if quick { " --quick" } else { "" },
        effort = if quick { "quick" } else { "full" },
        secs = total.as_secs_f64(),
        machine = machine(),
    );
    html += "<p><b><a href=\"explore.html\">Explore the map op by op</a></b>: the real engine, compiled to WebAssembly, in a page that steps through inserts, growth, evacuation and ranging.</p>\n";
    html += "<p><b><a href=\"#swiss\">Go 1.24+: the Swiss map</a></b>: Go 1.24 replaced this map with a Swiss table; that section runs both generations on the same inserts and decides the articles' claims again on the new map.</p>\n";
    html += "<nav><h2 id=\"contents\">Contents</h2>\n<ol>\n<li><a href=\"#claims\">The articles' claims</a></li>\n";
    for s in sections {
        let _ = writeln!(
            html,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&s.id),
            escape(&s.title)
        );
    }
    html += "</ol>\n</nav>\n";
    let counts: Vec<String> = claims::counts(checked)
        .iter()
        .map(|(v, n)| format!("<span class=\"verdict-{v}\">{n} {v}</span>", v = v.as_str()))
        .collect();
    let _ = write!(
        html,
        "<h2 id=\"claims\">The articles' claims</h2>\n<p>{} claims from the five articles \
         (<code>gomap-lab claims</code>; <code>--json</code> for the data):</p>\n\
         <p class=\"counts\">{}</p>\n<p class=\"note\">Each verdict is computed: the article's \
         prediction is compared with the measurement. <b>right</b>: every part holds; \
         <b>partly</b>: some do; <b>wrong</b>: none does; <b>not-measurable</b>: nothing can \
         decide it (the reason is given); <b>needs-go</b>: only Go 1.19's runtime can, and it is \
         not installed. The article column links to the section with the measurement; hover it \
         for the article's title. Measuring took {:.2} s.</p>\n{}",
        checked.len(),
        counts.join(""),
        measuring.as_secs_f64(),
        claims_html(checked, true)
    );
    html += &articles_html();
    html += &not_covered_html();
    for (i, s) in sections.iter().enumerate() {
        let _ = write!(
            html,
            "<section id=\"{}\">\n<h2>{}. {}</h2>\n",
            escape(&s.id),
            i + 1,
            escape(&s.title)
        );
        if !s.claims.is_empty() {
            html += "<h3>The articles' claims it decides</h3>\n";
            html += &claims_html(&s.claims, false);
        }
        if !s.html.is_empty() {
            html += "<h3>Measured</h3>\n";
            html += &s.html;
            // Measurement-family sections were measured with the claims.
            if !s.took.is_zero() {
                let _ = writeln!(
                    html,
                    "<p class=\"note\">Section ran in {:.2} s.</p>",
                    s.took.as_secs_f64()
                );
            }
        }
        html += "</section>\n";
    }
    html + "</body>\n</html>\n"
}

/// The sections of the articles no claim comes from, each with the reason.
fn not_covered_html() -> String {
    let mut html = format!(
        "<h3 id=\"not-covered\">Not covered here</h3>\n<p>Every numbered section of every \
         article is either the section of a claim above or listed here, with why no claim is drawn \
         from it ({} sections).</p>\n<div class=\"wide\"><table>\n<tr><th>article §</th>\
         <th>heading</th><th>why not</th></tr>\n",
        claims::scope::NOT_COVERED.len()
    );
    for u in claims::scope::NOT_COVERED {
        let _ = writeln!(
            html,
            "<tr><td><span title=\"{}\">{}</span> §{}</td><td lang=\"zh\">{}</td><td>{}</td></tr>",
            escape(u.article.title()),
            escape(&u.article.file()[..3]),
            escape(u.section),
            escape(u.title),
            escape(u.reason)
        );
    }
    html + "</table></div>\n"
}

/// The five articles, by file name and title.
fn articles_html() -> String {
    let mut html = String::from(
        "<h3>The articles</h3>\n<div class=\"wide\"><table>\n<tr><th>file</th><th>title</th></tr>\n",
    );
    for a in claims::Article::ALL {
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td><td lang=\"zh\">{}<br><span class=\"note\" lang=\"en\">{}</span></td></tr>",
            escape(a.file()),
            escape(a.title()),
            escape(a.title_en())
        );
    }
    html + "</table></div>\n"
}
