//! The articles' claims, as data, and their verdicts, computed.
//!
//! The five articles in `shared/seeds/` make claims about Go's map. Each
//! claim here carries the article's own words (a short verbatim quote), what
//! those words predict (a value or a rule over named measurements), how the
//! lab measures it, and where the truth rests in Go 1.19's `src/runtime/`.
//! Nothing in this module decides a verdict by hand: [`evaluate`] compares
//! each prediction with a [`Measurements`] table, which the experiments'
//! measuring code fills ([`measure`]) from runs of gomap (whose layout and
//! growth are Go's, proven by the oracle replay) and, for what only Go's
//! runtime can answer, from Go 1.19 itself.
//!
//! Why a table of named measurements between the two halves: the claims stay
//! plain data that a reviewer can read against the article, the measuring
//! code can be tested on its own, and a test can feed any claim a different
//! measurement and watch its verdict change.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod measure;
pub mod scope;
pub mod swiss;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::table::{Align, Table};

/// One of the five articles in `shared/seeds/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Article {
    /// dlv traces of the growth path; what passing a length to `make` does.
    A000,
    /// The memory layout: `hmap`, buckets, overflow chains, cache lines.
    A001,
    /// Growth: three thresholds, two modes, one panic.
    A002,
    /// `map_fast.go` read line by line: when a deleted slot is reused.
    A003,
    /// What `make(map[string]int)` allocates, and memory traps.
    A004,
}

impl Article {
    /// Every article, in file order.
    pub const ALL: [Article; 5] = [
        Article::A000,
        Article::A001,
        Article::A002,
        Article::A003,
        Article::A004,
    ];

    /// The file name under `shared/seeds/`.
    pub fn file(self) -> &'static str {
        match self {
            Article::A000 => "000_4afbaddb56c29d13.txt",
            Article::A001 => "001_7dfd99227760990b.txt",
            Article::A002 => "002_f7b55b8d948fc370.txt",
            Article::A003 => "003_fda20bf46ffabf46.txt",
            Article::A004 => "004_fc345d6f17fff2c9.txt",
        }
    }

    /// The article's title, as its first line gives it (without "第一章:").
    pub fn title(self) -> &'static str {
        match self {
            Article::A000 => "Go runtime调试手记:用dlv trace捕获mapgrow调用链——传长度如何跳过第1次扩容分支",
            Article::A001 => "Go map内存布局图谱总览与实验环境搭建",
            Article::A002 => "Go map扩容机制深度拆解:3个关键阈值、2种扩容模式与1次致命panic风险预警",
            Article::A003 => "Go runtime/map_fast.go源码逐行精读(第89–112行):slot复用的2个前置条件与1个隐式屏障",
            Article::A004 => "【Go语言内存管理核心陷阱】:make(map[string]int)为何不生成文件?99%开发者误解的底层真相",
        }
    }

    /// The title in English, our translation.
    pub fn title_en(self) -> &'static str {
        match self {
            Article::A000 => "Go runtime debugging notes: catching the mapgrow call chain with dlv trace — how passing a length skips the first growth",
            Article::A001 => "An atlas of Go map memory layout, and setting up the lab",
            Article::A002 => "Go map growth taken apart: 3 thresholds, 2 growth modes and 1 fatal panic",
            Article::A003 => "runtime/map_fast.go read line by line (lines 89–112): 2 preconditions and 1 hidden barrier of slot reuse",
            Article::A004 => "Go memory management's core trap: why make(map[string]int) creates no file — the truth 99% of developers miss",
        }
    }

    /// The article whose file is `file`.
    pub fn from_file(file: &str) -> Option<Article> {
        Article::ALL.into_iter().find(|a| a.file() == file)
    }
}

/// A place in Go 1.19's runtime source: `file:line` under `GOROOT/src/runtime/`.
/// `anchor` is text that line contains, so a test can check the reference
/// against an installed Go 1.19 and a wrong line number cannot survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// File under `src/runtime/`, e.g. `map.go` (`../sync/map.go` for sync.Map).
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
    /// Text on that line.
    pub anchor: &'static str,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `../sync/map.go` (sync.Map's claims) reads as `src/sync/map.go`.
        match self.file.strip_prefix("../") {
            Some(rest) => write!(f, "src/{}:{}", rest, self.line),
            None => write!(f, "src/runtime/{}:{}", self.file, self.line),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A literal an article predicts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit {
    /// An integer (sizes, counts, `B`).
    Int(i64),
    /// A number compared with a tolerance of 1e-9 relative.
    Float(f64),
    /// Yes or no.
    Bool(bool),
    /// A name or a message.
    Str(&'static str),
}

impl Lit {
    fn matches(self, v: &Value) -> bool {
        match (self, v) {
            (Lit::Int(a), Value::Number(n)) => n.as_i64() == Some(a),
            (Lit::Float(a), Value::Number(n)) => n
                .as_f64()
                .is_some_and(|b| (a - b).abs() <= 1e-9 * a.abs().max(1.0)),
            (Lit::Bool(a), Value::Bool(b)) => a == *b,
            (Lit::Str(a), Value::String(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Float(x) => write!(f, "{x}"),
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// What a claim expects of one measurement.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// The measurement equals the literal.
    Eq(Lit),
    /// The measurement differs from the literal.
    Ne(Lit),
    /// A number at least this large.
    AtLeast(f64),
    /// A number at most this large.
    AtMost(f64),
    /// A number in `lo..=hi`.
    Between(f64, f64),
    /// Any rule over the value, described for the reader.
    Rule(&'static str, fn(&Value) -> bool),
}

impl Expect {
    /// Whether `v` meets the expectation.
    pub fn holds(&self, v: &Value) -> bool {
        match *self {
            Expect::Eq(l) => l.matches(v),
            Expect::Ne(l) => !l.matches(v),
            Expect::AtLeast(lo) => v.as_f64().is_some_and(|x| x >= lo),
            Expect::AtMost(hi) => v.as_f64().is_some_and(|x| x <= hi),
            Expect::Between(lo, hi) => v.as_f64().is_some_and(|x| (lo..=hi).contains(&x)),
            Expect::Rule(_, f) => f(v),
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Eq(l) => write!(f, "= {l}"),
            Expect::Ne(l) => write!(f, "≠ {l}"),
            Expect::AtLeast(x) => write!(f, "≥ {x}"),
            Expect::AtMost(x) => write!(f, "≤ {x}"),
            Expect::Between(a, b) => write!(f, "in {a}..={b}"),
            Expect::Rule(d, _) => f.write_str(d),
        }
    }
}

/// One measurable part of a claim's prediction.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    /// The measurement, by its key in [`Measurements`].
    pub key: &'static str,
    /// What the article predicts it to be.
    pub expect: Expect,
}

/// How a claim is decided.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Every part holds: right; none: wrong; some: partly.
    Parts(&'static [Part]),
    /// No measurement can decide it; the reason says why (for example "GC
    /// marking has no counterpart in a Rust map").
    NotMeasurable(&'static str),
}

/// One claim of one article.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// A stable name, kebab-case.
    pub id: &'static str,
    /// The article.
    pub article: Article,
    /// The section, as the article numbers it (`"2.4"`, or `"1"` for an
    /// unnumbered chapter opening).
    pub section: &'static str,
    /// The article's own words: a short substring of the file, verbatim.
    pub quote: &'static str,
    /// What the quote says, in English.
    pub says: &'static str,
    /// How the prediction is decided.
    pub check: Check,
    /// How the lab measures it, one sentence.
    pub how: &'static str,
    /// Where the truth rests in Go 1.19; `None` when the claim names
    /// something Go 1.19's runtime does not have.
    pub source: Option<Source>,
    /// The id of the report section that shows the measurement.
    pub experiment: &'static str,
}

/// How a claim fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The measurement contradicts the claim.
    Wrong,
    /// Part of the claim holds.
    Partly,
    /// The measurement agrees.
    Right,
    /// No measurement can decide it.
    NotMeasurable,
    /// Only Go 1.19's runtime can decide it, and it is not installed.
    NeedsGo,
}

impl Verdict {
    /// Every verdict, in the order the report counts them.
    pub const ALL: [Verdict; 5] = [
        Verdict::Right,
        Verdict::Partly,
        Verdict::Wrong,
        Verdict::NotMeasurable,
        Verdict::NeedsGo,
    ];

    /// `right`, `wrong`, `partly`, `not-measurable` or `needs-go`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Wrong => "wrong",
            Verdict::Partly => "partly",
            Verdict::Right => "right",
            Verdict::NotMeasurable => "not-measurable",
            Verdict::NeedsGo => "needs-go",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One measured value, and how to show it to a reader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// The value a prediction is compared with.
    pub value: Value,
    /// The value in words, with its unit or context (`"B = 4 (16 buckets)"`).
    pub shown: String,
}

/// Why a family of measurements is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    /// One line for the reader.
    pub reason: String,
    /// The family needs Go 1.19 itself (its verdicts are `needs-go`).
    pub needs_go: bool,
}

/// Measurements by key. Keys are dotted names (`hint.b.9`); a family of keys
/// (a prefix such as `go.`) can be marked unavailable with a reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Measurements {
    values: BTreeMap<String, Measured>,
    unavailable: BTreeMap<String, Unavailable>,
}

impl Measurements {
    /// An empty table.
    pub fn new() -> Measurements {
        Measurements::default()
    }

    /// Records `key`. A key recorded twice keeps the last value.
    pub fn put(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Value>,
        shown: impl Into<String>,
    ) {
        self.values.insert(
            key.into(),
            Measured {
                value: value.into(),
                shown: shown.into(),
            },
        );
    }

    /// Marks every key starting with `prefix` as not measured here.
    pub fn unavailable(
        &mut self,
        prefix: impl Into<String>,
        reason: impl Into<String>,
        needs_go: bool,
    ) {
        self.unavailable.insert(
            prefix.into(),
            Unavailable {
                reason: reason.into(),
                needs_go,
            },
        );
    }

    /// The measurement under `key`.
    pub fn get(&self, key: &str) -> Option<&Measured> {
        self.values.get(key)
    }

    /// Why `key` is missing, if its family was marked unavailable.
    pub fn why_missing(&self, key: &str) -> Option<&Unavailable> {
        self.unavailable
            .iter()
            .filter(|(p, _)| key.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, u)| u)
    }

    /// Every key measured.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// A claim with its computed verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    /// The claim's id.
    pub id: &'static str,
    /// The article's file name under `shared/seeds/`.
    pub article: &'static str,
    /// The article's title.
    pub title: &'static str,
    /// Its section.
    pub section: &'static str,
    /// The article's words, verbatim.
    pub quote: &'static str,
    /// The claim in English.
    pub says: &'static str,
    /// What it predicts, per measurement (`hint.b.9 = 4`).
    pub predicts: String,
    /// The verdict, computed by [`evaluate`].
    pub verdict: Verdict,
    /// What was measured, in words (or why nothing could be).
    pub measured: String,
    /// How it is measured.
    pub how: &'static str,
    /// Where it rests in Go 1.19's source (`src/runtime/map.go:1070`), or a
    /// note that Go 1.19 has no such thing.
    pub source: String,
    /// The report section that shows it.
    pub experiment: &'static str,
}

/// Decides `claim` against `m`: each part's prediction is compared with its
/// measurement. All parts hold: right; none: wrong; some: partly. A part
/// whose measurement is missing makes the claim `needs-go` (its family needs
/// Go 1.19 and Go is absent) or `not-measurable` (with the family's reason,
/// or "not measured" for a key nothing recorded, which the catalogue's tests
/// rule out).
pub fn evaluate(claim: &Claim, m: &Measurements) -> Checked {
    let predicts;
    let (verdict, measured) = match claim.check {
        Check::NotMeasurable(reason) => {
            predicts = String::from("—");
            (Verdict::NotMeasurable, reason.to_owned())
        }
        Check::Parts(parts) => {
            predicts = parts
                .iter()
                .map(|p| format!("{} {}", p.key, p.expect))
                .collect::<Vec<_>>()
                .join("; ");
            let mut held = 0;
            let mut shown = Vec::new();
            let mut missing: Option<(Verdict, String)> = None;
            for p in parts {
                match m.get(p.key) {
                    Some(v) => {
                        if p.expect.holds(&v.value) {
                            held += 1;
                        }
                        shown.push(v.shown.clone());
                    }
                    None => {
                        let why = match m.why_missing(p.key) {
                            Some(u) if u.needs_go => (Verdict::NeedsGo, u.reason.clone()),
                            Some(u) => (Verdict::NotMeasurable, u.reason.clone()),
                            None => (
                                Verdict::NotMeasurable,
                                format!("{} was not measured", p.key),
                            ),
                        };
                        // needs-go wins over not-measurable: installing Go decides it.
                        if !matches!(missing, Some((Verdict::NeedsGo, _))) {
                            missing = Some(why);
                        }
                    }
                }
            }
            match missing {
                Some(m) => m,
                None => {
                    let verdict = if held == parts.len() {
                        Verdict::Right
                    } else if held == 0 {
                        Verdict::Wrong
                    } else {
                        Verdict::Partly
                    };
                    dedup_in_order(&mut shown);
                    (verdict, shown.join("; "))
                }
            }
        }
    };
    Checked {
        id: claim.id,
        article: claim.article.file(),
        title: claim.article.title(),
        section: claim.section,
        quote: claim.quote,
        says: claim.says,
        predicts,
        verdict,
        measured,
        how: claim.how,
        source: match claim.source {
            Some(s) => s.to_string(),
            None => String::from("not in Go 1.19's runtime"),
        },
        experiment: claim.experiment,
    }
}

/// The claims as a terminal table: article and section, claim, measured,
/// verdict.
pub fn table(checked: &[Checked]) -> Table {
    let mut t = Table::new(
        "The articles' claims, each verdict computed from a measurement",
        &[
            ("claim", Align::Left),
            ("article §", Align::Left),
            ("says", Align::Left),
            ("measured", Align::Left),
            ("verdict", Align::Left),
        ],
    );
    for c in checked {
        t.row(vec![
            c.id.to_owned(),
            format!("{} §{}", &c.article[..3], c.section),
            c.says.to_owned(),
            c.measured.clone(),
            c.verdict.as_str().to_owned(),
        ]);
    }
    t
}

/// The measurement keys that the claims shown in report section `section`
/// read, in catalogue order, each once.
pub fn keys_of_section(section: &str) -> Vec<&'static str> {
    let mut keys = Vec::new();
    for c in catalog::CLAIMS.iter().filter(|c| c.experiment == section) {
        if let Check::Parts(parts) = c.check {
            for p in parts {
                if !keys.contains(&p.key) {
                    keys.push(p.key);
                }
            }
        }
    }
    keys
}

/// The measurements under `keys` as a table: key, value, and the value in
/// words (or why it is missing).
pub fn measurements_table(m: &Measurements, keys: &[&str]) -> Table {
    let mut t = Table::new(
        "The measurements these claims are decided on",
        &[
            ("key", Align::Left),
            ("value", Align::Left),
            ("measured", Align::Left),
        ],
    );
    for &k in keys {
        let (value, shown) = match (m.get(k), m.why_missing(k)) {
            (Some(v), _) => (v.value.to_string(), v.shown.clone()),
            (None, Some(u)) => ("—".to_owned(), u.reason.clone()),
            (None, None) => ("—".to_owned(), "not measured".to_owned()),
        };
        t.row(vec![k.to_owned(), value, shown]);
    }
    t
}

fn dedup_in_order(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

/// Every claim of the catalogue, decided against `m`, in catalogue order.
pub fn evaluate_all(m: &Measurements) -> Vec<Checked> {
    catalog::CLAIMS.iter().map(|c| evaluate(c, m)).collect()
}

/// How many of `checked` got each verdict, in [`Verdict::ALL`] order.
pub fn counts(checked: &[Checked]) -> Vec<(Verdict, usize)> {
    Verdict::ALL
        .iter()
        .map(|&v| (v, checked.iter().filter(|c| c.verdict == v).count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTS: &[Part] = &[
        Part {
            key: "t.a",
            expect: Expect::Eq(Lit::Int(4)),
        },
        Part {
            key: "t.b",
            expect: Expect::AtLeast(10.0),
        },
    ];

    const CLAIM: Claim = Claim {
        id: "test",
        article: Article::A000,
        section: "1",
        quote: "q",
        says: "s",
        check: Check::Parts(PARTS),
        how: "h",
        source: None,
        experiment: "hint",
    };

    fn with(a: i64, b: f64) -> Measurements {
        let mut m = Measurements::new();
        m.put("t.a", a, format!("a = {a}"));
        m.put("t.b", b, format!("b = {b}"));
        m
    }

    #[test]
    fn verdicts_follow_the_measurements() {
        assert_eq!(evaluate(&CLAIM, &with(4, 12.0)).verdict, Verdict::Right);
        assert_eq!(evaluate(&CLAIM, &with(5, 12.0)).verdict, Verdict::Partly);
        assert_eq!(evaluate(&CLAIM, &with(4, 2.0)).verdict, Verdict::Partly);
        assert_eq!(evaluate(&CLAIM, &with(5, 2.0)).verdict, Verdict::Wrong);
        assert_eq!(evaluate(&CLAIM, &with(4, 12.0)).measured, "a = 4; b = 12");
    }

    #[test]
    fn missing_measurements_say_why() {
        let mut m = Measurements::new();
        m.put("t.a", 4, "a = 4");
        let c = evaluate(&CLAIM, &m);
        assert_eq!(c.verdict, Verdict::NotMeasurable);
        assert!(c.measured.contains("t.b"), "{}", c.measured);
        m.unavailable("t.", "Go 1.19 is not installed", true);
        let c = evaluate(&CLAIM, &m);
        assert_eq!(
            (c.verdict, c.measured.as_str()),
            (Verdict::NeedsGo, "Go 1.19 is not installed")
        );
    }

    #[test]
    fn literals_compare_by_kind() {
        assert!(Expect::Eq(Lit::Int(48)).holds(&Value::from(48)));
        assert!(!Expect::Eq(Lit::Int(48)).holds(&Value::from("48")));
        assert!(Expect::Eq(Lit::Float(6.5)).holds(&Value::from(6.5)));
        assert!(Expect::Ne(Lit::Bool(true)).holds(&Value::from(false)));
        assert!(Expect::Between(1.0, 2.0).holds(&Value::from(1.5)));
        assert!(!Expect::AtMost(1.0).holds(&Value::from("x")));
    }
}
