//! Claims only Go's runtime can answer, measured on Go 1.19 itself.
//!
//! The articles in `shared/seeds/` say things about Go's maps that no Rust
//! map can settle: how big the runtime's `hmap` is and where its fields sit,
//! what `make(map, hint)` allocates, whether a hint changes the garbage
//! collector's work, what escape analysis decides for `make`, `new` and a
//! literal, what a concurrent write does to the process, which system calls
//! a `make` triggers, and whether a map gives memory back. [`collect`] asks a
//! real Go 1.19 toolchain:
//!
//! 1. It finds Go 1.19 ([`find_go`]: `GOMAP_GO119`, else
//!    `/usr/lib/go-1.19/bin/go`, else `go` on `PATH` when that is go1.19.x).
//! 2. It writes the Go sources of `oracle/claims` (compiled into this crate
//!    with `include_str!`, so the lab measures from any directory) into a
//!    scratch directory and builds them there offline, with the environment
//!    of `scripts/go119.sh` and a private build cache that is deleted
//!    afterwards. Two builds run at once: the claims program, and
//!    `escape/escape.go` compiled with `-gcflags='-m -S'` (escape analysis
//!    and the assembly, which shows which runtime call each form compiles to).
//! 3. It runs the claims program, which prints one JSON document of
//!    measurements taken inside the runtime ([`GoFacts::layout`] and the
//!    allocation figures), then runs its `crash` mode once per kind of
//!    concurrent misuse, and, when strace is installed, its `phases` mode
//!    under strace ([`crate::syscalls`] parses the trace).
//!
//! The Rust side runs the second and third programs rather than the claims
//! program itself: the crash must kill a process of its own, strace must
//! wrap one, and the compiler's diagnostics are a build's output, so the one
//! place that knows the toolchain and its environment runs all of them and
//! every parser sits here, under unit tests. Nothing is cached between runs
//! but Go's build cache inside the scratch directory; a run takes a few
//! seconds, most of it the two cold builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::child;
use crate::syscalls::{self, PhaseSyscalls};

/// The claims program's sources, as `(path under the module root, text)`.
const CLAIMS_SOURCES: [(&str, &str); 5] = [
    (
        "claims/main.go",
        include_str!("../../../oracle/claims/main.go"),
    ),
    (
        "claims/layout.go",
        include_str!("../../../oracle/claims/layout.go"),
    ),
    (
        "claims/measure.go",
        include_str!("../../../oracle/claims/measure.go"),
    ),
    (
        "claims/crash.go",
        include_str!("../../../oracle/claims/crash.go"),
    ),
    (
        "claims/phases.go",
        include_str!("../../../oracle/claims/phases.go"),
    ),
];
/// The escape-analysis cases: one function per way of making a map.
pub const ESCAPE_SOURCE: &str = include_str!("../../../oracle/claims/escape/escape.go");
/// The kinds of concurrent misuse the claims program's `crash` mode knows.
pub const CRASH_KINDS: [&str; 3] = ["writes", "read-write", "iterate-write"];
/// What [`GoUnavailable`] says when no Go 1.19 is found.
pub const GO_MISSING: &str = "Go 1.19 not found: install golang-1.19-go or set GOMAP_GO119";

/// Why Go 1.19 could not answer: one line for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoUnavailable {
    /// The reason, one line (no Go 1.19, a failed build, bad program output).
    pub reason: String,
}

impl std::fmt::Display for GoUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for GoUnavailable {}

fn unavailable(reason: impl Into<String>) -> GoUnavailable {
    GoUnavailable {
        reason: reason.into(),
    }
}

/// Everything [`collect`] measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoFacts {
    /// The `go` executable used.
    pub go: String,
    /// `runtime.Version()` of the claims program, e.g. `go1.19.8`.
    pub go_version: String,
    /// `runtime.GOARCH` (the sizes below are this architecture's).
    pub goarch: String,
    /// The map header: its declaration laid out, and the mirror that reads it checked on live maps.
    pub layout: HmapLayout,
    /// Bucket sizes from the map type descriptors, and what a first bucket costs.
    pub buckets: Vec<BucketSize>,
    /// `make(map, hint)` of a map that escapes: its B and what it allocates.
    pub hints: Vec<HintAlloc>,
    /// A map that does not escape, filled with a few keys: what it allocates.
    pub stack_maps: Vec<StackMapAlloc>,
    /// Filling a map with and without a length hint: allocations and collections.
    pub fill: Vec<FillRun>,
    /// Deleting every key of a large map: whether B and the heap shrink.
    pub shrink: Vec<ShrinkRun>,
    /// A write to a nil map under `recover()`.
    pub nil_map_write: NilMapWrite,
    /// Escape analysis and the runtime calls of each way of making a map (`escape/escape.go`).
    pub escape: Vec<EscapeCase>,
    /// Each kind of concurrent misuse, run in a process of its own.
    pub concurrent: Vec<ConcurrentMisuse>,
    /// The system calls of `make` in phases, under strace; `None` when strace is missing.
    pub strace: Option<GoStrace>,
    /// Why [`GoFacts::strace`] is `None`.
    pub strace_missing: Option<String>,
    /// Wall time of [`collect`], milliseconds.
    pub elapsed_ms: u64,
}

impl GoFacts {
    /// The escape case of the function `name` in `escape/escape.go`.
    pub fn escape_case(&self, function: &str) -> Option<&EscapeCase> {
        self.escape.iter().find(|c| c.function == function)
    }

    /// The header field called `name` (Go's spelling: `count`, `B`, `hash0`, ...).
    pub fn hmap_field(&self, name: &str) -> Option<&HmapField> {
        self.layout.fields.iter().find(|f| f.name == name)
    }
}

/// The runtime's map header (`hmap`) and its optional part (`mapextra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmapLayout {
    /// The file whose declarations were laid out: `$GOROOT/src/runtime/map.go`.
    pub source: String,
    /// `sizeof(hmap)`: go/types with the gc compiler's sizes for this GOARCH, from the declaration.
    pub hmap_size: i64,
    /// `sizeof(mapextra)`, likewise.
    pub mapextra_size: i64,
    /// `hmap`'s fields in order, with offset and size.
    pub fields: Vec<HmapField>,
    /// `mapextra`'s fields in order.
    pub extra_fields: Vec<HmapField>,
    /// map.go's constants (bucketCnt, loadFactorNum/Den, tophash marks, flag bits), as declared.
    pub constants: Vec<GoConstant>,
    /// `unsafe.Sizeof` of the claims program's own mirror of the header.
    pub mirror_size: i64,
    /// Bytes `make(map[int]int)` of an escaping map allocates (the header alone, size-class rounded).
    pub hmap_alloc_bytes: i64,
    /// Checks of the mirror: against the declaration, then one behaviour of each field on a live map.
    pub checks: Vec<LiveCheck>,
}

impl HmapLayout {
    /// The value of map.go's constant `name`.
    pub fn constant(&self, name: &str) -> Option<i64> {
        self.constants
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value)
    }
}

/// One struct field as the compiler lays it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmapField {
    /// The field's name in map.go.
    pub name: String,
    /// Its declared type.
    pub r#type: String,
    /// Byte offset from the start of the struct.
    pub offset: i64,
    /// Size in bytes.
    pub size: i64,
}

/// A constant declared in map.go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoConstant {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: i64,
}

/// One check of the header mirror.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveCheck {
    /// What is checked: `mirror-matches-source`, or the field(s) a behaviour shows
    /// (`count`, `B`, `buckets+extra`, `buckets-lazy`, `oldbuckets+nevacuate`,
    /// `flags`, `hash0`, `noverflow`, `map-type-descriptor`).
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

/// A map type's bucket, from its runtime type descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSize {
    /// `map[int]int` or `map[string]int`.
    pub map_type: String,
    /// The descriptor's key slot size.
    pub key_size: u8,
    /// The descriptor's value slot size.
    pub elem_size: u8,
    /// The descriptor's `bucketsize`: 8 tophash bytes, 8 keys, 8 values, the overflow pointer.
    pub bucket_size: u16,
    /// Bytes the first insert into an empty escaping `make(map)` allocates (`TotalAlloc` delta).
    pub first_bucket_alloc_bytes: u64,
}

/// `make(map, hint)` of an escaping map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintAlloc {
    /// `map[int]int` or `map[string]int`.
    pub map_type: String,
    /// The hint.
    pub hint: i64,
    /// The header's B afterwards (read through the mirror).
    pub b: u8,
    /// Heap objects `make` allocated (`MemStats.Mallocs` delta).
    pub mallocs: u64,
    /// Bytes `make` allocated (`MemStats.TotalAlloc` delta: header, array, pool; size-class rounded).
    pub bytes: u64,
}

/// A map that never leaves its function, made with `make(map[int]int)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackMapAlloc {
    /// Keys inserted.
    pub inserts: i64,
    /// Heap objects the call allocated (header and first bucket live in the frame).
    pub mallocs: u64,
    /// Bytes it allocated.
    pub bytes: u64,
}

/// What the runtime's statistics moved by across one measured step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemDelta {
    /// Heap objects allocated (`Mallocs` delta).
    pub mallocs: u64,
    /// Bytes allocated (`TotalAlloc` delta).
    pub bytes: u64,
    /// Garbage collections completed (`NumGC` delta).
    pub num_gc: u32,
    /// Stop-the-world pause time of those collections, ns (`PauseTotalNs` delta).
    pub pause_total_ns: u64,
}

/// `make(map[int]int, hint)` filled with keys `0..keys`, after a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillRun {
    /// The hint.
    pub hint: i64,
    /// Keys inserted.
    pub keys: i64,
    /// The first insert alone, into a fresh map made with the hint.
    pub first_insert: MemDelta,
    /// `make` and every insert.
    pub fill: MemDelta,
    /// B at the end.
    pub final_b: u8,
    /// Wall time of the fill, ns (one run; noisy).
    pub fill_ns: i64,
    /// `HeapInuse` after a collection with the filled map live.
    pub heap_inuse_after_gc: u64,
}

/// The map at one point of a [`ShrinkRun`], read after `runtime.GC()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemPoint {
    /// The header's count (0 once the map is dropped).
    pub count: i64,
    /// The header's B.
    pub b: u8,
    /// The header's overflow-bucket count (exact below B = 16, approximate from there).
    pub noverflow: u16,
    /// Whether the header points at a bucket array.
    pub buckets_allocated: bool,
    /// `MemStats.HeapInuse`, bytes.
    pub heap_inuse: u64,
}

/// A map of `keys` keys emptied, then dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShrinkRun {
    /// `delete-each` (`delete(m, k)` per key) or `range-delete` (the
    /// `for k := range m { delete(m, k) }` loop, compiled to `runtime.mapclear`).
    pub how: String,
    /// Keys inserted (into `make(map[int]int)`, no hint).
    pub keys: i64,
    /// Full.
    pub before: MemPoint,
    /// After every key was deleted, the map still referenced.
    pub after_delete: MemPoint,
    /// After the last reference was dropped.
    pub after_drop: MemPoint,
}

/// `var m map[string]int; m["a"] = 1` under a deferred `recover()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NilMapWrite {
    /// Whether `recover()` caught it (an ordinary panic).
    pub recovered: bool,
    /// The panic's message.
    pub message: String,
    /// Whether the panic value is a `runtime.Error`.
    pub is_runtime_error: bool,
}

/// One map-making expression of `escape/escape.go`, as the compiler saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscapeCase {
    /// The function holding it (`MakeLocal`, `MakeReturned`, `NewReturned`, ...).
    pub function: String,
    /// Its line in escape.go.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// The expression, as `-m` prints it (`make(map[string]int)`, `map[string]int{}`, ...).
    pub expr: String,
    /// `-m`'s verdict: "escapes to heap" (true) or "does not escape" (false).
    pub escapes: bool,
    /// The runtime functions the function's assembly calls (`-S`), stack-growth prologue left out.
    pub runtime_calls: Vec<String>,
}

/// One concurrent misuse of a map, in a process of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrentMisuse {
    /// `writes`, `read-write` or `iterate-write` (two goroutines, the second writes, reads or ranges).
    pub kind: String,
    /// The process's exit status (`None`: killed by a signal).
    pub exit_code: Option<i32>,
    /// The text after `fatal error: ` on stderr's first such line.
    pub fatal_error: Option<String>,
    /// Whether a deferred `recover()` in either goroutine ran.
    pub recovered: bool,
    /// Whether stderr holds a goroutine stack trace (`goroutine N [...]:`).
    pub goroutine_trace: bool,
    /// stderr's first three lines.
    pub stderr_head: String,
}

impl ConcurrentMisuse {
    /// A fatal error: exit status 2, a `fatal error:` line, and no recover ran.
    pub fn is_fatal(&self) -> bool {
        self.exit_code == Some(2) && self.fatal_error.is_some() && !self.recovered
    }
}

/// The claims program's `phases` mode under strace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoStrace {
    /// strace's version line.
    pub strace: String,
    /// Calls per phase: `startup` (the Go runtime before `main`),
    /// `make-small` (`make(map[string]int)` and one insert), `make-hint-100`,
    /// `make-large` (`make(map[int]int, 1<<20)`: B = 18, a 40 MB array with its pool),
    /// `grow-large` (2^20 inserts into `make(map[int]int)`), `drop-and-free`
    /// (`runtime.GC` and `debug.FreeOSMemory`), `exit`.
    pub phases: Vec<PhaseSyscalls>,
}

impl GoStrace {
    /// The phase called `name`.
    pub fn phase(&self, name: &str) -> Option<&PhaseSyscalls> {
        self.phases.iter().find(|p| p.phase == name)
    }
}

/// The claims program's JSON document (the Go side's `report`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsDoc {
    go_version: String,
    goarch: String,
    layout: HmapLayout,
    buckets: Vec<BucketSize>,
    hints: Vec<HintAlloc>,
    stack_maps: Vec<StackMapAlloc>,
    fill: Vec<FillRun>,
    shrink: Vec<ShrinkRun>,
    nil_map_write: NilMapWrite,
}

/// A Go 1.19 toolchain.
#[derive(Debug, Clone)]
pub struct GoToolchain {
    /// The `go` executable.
    pub go: PathBuf,
    /// Its version, e.g. `go1.19.8`.
    pub version: String,
}

/// The version in `go version` output (`go version go1.19.8 linux/amd64` → `go1.19.8`).
pub fn parse_go_version(output: &str) -> Option<String> {
    let v = output
        .trim()
        .strip_prefix("go version ")?
        .split_whitespace()
        .next()?;
    v.starts_with("go").then(|| v.to_string())
}

/// Whether a version is Go 1.19 (`go1.19` or `go1.19.N`).
pub fn is_go119(version: &str) -> bool {
    version == "go1.19"
        || version
            .strip_prefix("go1.19.")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn version_of(go: &Path) -> Result<String, String> {
    let out = child::run(
        Command::new(go).arg("version").env("GOTOOLCHAIN", "local"),
        Duration::from_secs(10),
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_go_version(&text).ok_or_else(|| {
        format!(
            "unexpected `go version` output {:?}",
            child::first_line(&text)
        )
    })
}

/// Finds Go 1.19: `$GOMAP_GO119` (which must be one), else
/// `/usr/lib/go-1.19/bin/go`, else `go` on `PATH` if it is go1.19.x.
pub fn find_go() -> Result<GoToolchain, GoUnavailable> {
    if let Some(p) = std::env::var_os("GOMAP_GO119") {
        let go = PathBuf::from(p);
        let version = version_of(&go)
            .map_err(|e| unavailable(format!("GOMAP_GO119={}: {e}", go.display())))?;
        if !is_go119(&version) {
            return Err(unavailable(format!(
                "GOMAP_GO119={} is {version}, not Go 1.19",
                go.display()
            )));
        }
        return Ok(GoToolchain { go, version });
    }
    let mut cands = vec![PathBuf::from("/usr/lib/go-1.19/bin/go")];
    if let Some(path) = std::env::var_os("PATH") {
        cands.extend(std::env::split_paths(&path).map(|d| d.join("go")));
    }
    for go in cands.into_iter().filter(|p| p.is_file()) {
        if let Ok(version) = version_of(&go) {
            if is_go119(&version) {
                return Ok(GoToolchain { go, version });
            }
        }
    }
    Err(unavailable(GO_MISSING))
}

/// A `go` command with `scripts/go119.sh`'s offline environment, its caches in `scratch`.
fn go_command(tc: &GoToolchain, scratch: &Path) -> Command {
    let mut cmd = Command::new(&tc.go);
    cmd.env("GOCACHE", scratch.join("gocache"))
        .env("GOPATH", scratch.join("gopath"))
        .env("GOMODCACHE", scratch.join("gopath/pkg/mod"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GO111MODULE", "on")
        .env("GOENV", "off")
        .env("CGO_ENABLED", "0")
        .env("GOWORK", "off");
    cmd
}

const BUILD_LIMIT: Duration = Duration::from_secs(120);
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// The crash program gives up by itself after 10 s (it crashes in milliseconds).
const CRASH_LIMIT: Duration = Duration::from_secs(15);

/// Builds and runs the Go 1.19 programs and gathers their measurements.
pub fn collect() -> Result<GoFacts, GoUnavailable> {
    let start = Instant::now();
    let tc = find_go()?;
    let scratch = child::Scratch::new("gofacts").map_err(unavailable)?;
    let dir = scratch.path();
    let src = dir.join("src");
    write_sources(&src).map_err(unavailable)?;

    let goroot = {
        let out = child::run(go_command(&tc, dir).args(["env", "GOROOT"]), RUN_LIMIT)
            .map_err(unavailable)?;
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    };

    // The two builds share the cache and run at once.
    let claims_bin = dir.join("claims-bin");
    let mut claims_build = go_command(&tc, dir);
    claims_build
        .current_dir(&src)
        .arg("build")
        .arg("-o")
        .arg(&claims_bin)
        .arg("./claims");
    let mut escape_build = go_command(&tc, dir);
    escape_build
        .current_dir(&src)
        .args(["build", "-gcflags=-m -S", "-o"])
        .arg(dir.join("escape-bin"))
        .arg("./escape");
    let escape = thread::spawn(move || child::run(&mut escape_build, BUILD_LIMIT));
    let built = child::run(&mut claims_build, BUILD_LIMIT).map_err(unavailable)?;
    let escape = escape
        .join()
        .map_err(|_| unavailable("the escape-analysis build thread panicked"))?;
    if !built.status.success() {
        return Err(unavailable(format!(
            "building oracle/claims failed: {}",
            build_error(&built.stderr)
        )));
    }
    let escape = escape.map_err(unavailable)?;
    if !escape.status.success() {
        return Err(unavailable(format!(
            "building oracle/claims/escape failed: {}",
            build_error(&escape.stderr)
        )));
    }
    let escape = parse_escape(&escape.stderr, ESCAPE_SOURCE).map_err(unavailable)?;

    let out = child::run(
        Command::new(&claims_bin).arg("-goroot").arg(&goroot),
        RUN_LIMIT,
    )
    .map_err(unavailable)?;
    if !out.status.success() {
        return Err(unavailable(format!(
            "oracle/claims failed ({}): {}",
            out.status,
            child::first_line(&out.stderr)
        )));
    }
    let doc = parse_claims(&out.stdout).map_err(unavailable)?;

    // A crash run that hangs or cannot start is recorded as not fatal (with
    // the reason as its stderr), not as a failure of the whole collection.
    let concurrent = CRASH_KINDS
        .iter()
        .map(|kind| {
            match child::run(Command::new(&claims_bin).args(["crash", kind]), CRASH_LIMIT) {
                Ok(run) => parse_crash(kind, run.status.code(), &run.stderr),
                Err(why) => parse_crash(kind, None, &why),
            }
        })
        .collect();

    let (strace, strace_missing) = match trace_phases(&claims_bin, dir) {
        Ok(s) => (Some(s), None),
        Err(why) => (None, Some(why)),
    };

    Ok(GoFacts {
        go: tc.go.display().to_string(),
        go_version: doc.go_version,
        goarch: doc.goarch,
        layout: doc.layout,
        buckets: doc.buckets,
        hints: doc.hints,
        stack_maps: doc.stack_maps,
        fill: doc.fill,
        shrink: doc.shrink,
        nil_map_write: doc.nil_map_write,
        escape,
        concurrent,
        strace,
        strace_missing,
        elapsed_ms: start.elapsed().as_millis() as u64,
    })
}

fn write_sources(src: &Path) -> Result<(), String> {
    let files = CLAIMS_SOURCES.iter().copied().chain([
        ("go.mod", "module gomap/oracle\n\ngo 1.19\n"),
        ("escape/escape.go", ESCAPE_SOURCE),
    ]);
    for (path, text) in files {
        let p = src.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write {}: {e}", parent.display()))?;
        }
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// The first compiler error in a failed build's output, one line.
fn build_error(stderr: &str) -> String {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("(no output)")
        .to_string()
}

fn trace_phases(claims_bin: &Path, dir: &Path) -> Result<GoStrace, String> {
    let strace = syscalls::find_strace().map_err(|u| u.reason)?;
    let trace_dir = dir.join("strace");
    std::fs::create_dir_all(&trace_dir).map_err(|e| e.to_string())?;
    let (_, phases) = syscalls::trace(&strace, &trace_dir, claims_bin, &["phases"], RUN_LIMIT)
        .map_err(|u| u.reason)?;
    Ok(GoStrace {
        strace: strace.version,
        phases,
    })
}

/// Parses the claims program's JSON document.
fn parse_claims(stdout: &[u8]) -> Result<ClaimsDoc, String> {
    serde_json::from_slice(stdout)
        .map_err(|e| format!("oracle/claims printed unreadable JSON: {e}"))
}

/// Reads `go build -gcflags='-m -S'` output for `source` (escape.go): one
/// case per "escapes to heap" / "does not escape" diagnostic of escape.go,
/// named by the function whose body holds its line, with the runtime calls
/// of that function's assembly. Output without a single such diagnostic is
/// an error (a changed format, or a build that printed nothing).
pub fn parse_escape(output: &str, source: &str) -> Result<Vec<EscapeCase>, String> {
    // Line number (1-based) -> the function declared most recently above it.
    let mut owner: Vec<Option<String>> = vec![None];
    let mut current = None;
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("func ") {
            current = rest
                .split('(')
                .next()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty());
        }
        owner.push(current.clone());
    }
    let mut cases: Vec<EscapeCase> = Vec::new();
    let mut asm_fn: Option<String> = None;
    let mut calls: Vec<(String, String)> = Vec::new();
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("main.") {
            if let Some((name, _)) = rest.split_once(" STEXT") {
                asm_fn = Some(name.to_string());
                continue;
            }
        }
        if let Some((_, after)) = line.split_once("\tCALL\t") {
            let target = after.split_whitespace().next().unwrap_or("");
            let target = target.strip_suffix("(SB)").unwrap_or(target);
            if let Some(f) = &asm_fn {
                if !target.starts_with("runtime.morestack") && !target.is_empty() {
                    calls.push((f.clone(), target.to_string()));
                }
            }
            continue;
        }
        let Some((pos, message)) = line.split_once(": ") else {
            continue;
        };
        let mut parts = pos.rsplitn(3, ':');
        let (Some(col), Some(ln), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if !path.ends_with("escape.go") {
            continue;
        }
        let (Ok(ln), Ok(col)) = (ln.parse::<u32>(), col.parse::<u32>()) else {
            continue;
        };
        let (expr, escapes) = if let Some(e) = message.strip_suffix(" escapes to heap") {
            (e, true)
        } else if let Some(e) = message.strip_suffix(" does not escape") {
            (e, false)
        } else {
            continue;
        };
        let function = owner.get(ln as usize).cloned().flatten().ok_or_else(|| {
            format!("escape.go:{ln}: a diagnostic outside any function: {line:?}")
        })?;
        cases.push(EscapeCase {
            function,
            line: ln,
            column: col,
            expr: expr.to_string(),
            escapes,
            runtime_calls: vec![],
        });
    }
    if cases.is_empty() {
        return Err("the compiler printed no escape-analysis verdicts for escape.go".to_string());
    }
    for c in &mut cases {
        c.runtime_calls = calls
            .iter()
            .filter(|(f, _)| *f == c.function)
            .map(|(_, t)| t.clone())
            .collect();
    }
    Ok(cases)
}

/// Reads one crash run: its exit status and standard error.
pub fn parse_crash(kind: &str, exit_code: Option<i32>, stderr: &str) -> ConcurrentMisuse {
    let fatal_error = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("fatal error: "))
        .map(str::to_string);
    let goroutine_trace = stderr.lines().any(|l| {
        l.strip_prefix("goroutine ")
            .and_then(|r| r.split_once(' '))
            .is_some_and(|(n, rest)| n.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with('['))
    });
    ConcurrentMisuse {
        kind: kind.to_string(),
        exit_code,
        fatal_error,
        recovered: stderr.contains("claims: recovered:"),
        goroutine_trace,
        stderr_head: stderr.lines().take(3).collect::<Vec<_>>().join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions() {
        assert_eq!(
            parse_go_version("go version go1.19.8 linux/amd64\n").as_deref(),
            Some("go1.19.8")
        );
        assert_eq!(parse_go_version("go version devel +abc linux/amd64"), None);
        assert_eq!(parse_go_version("bash: go: not found"), None);
        assert_eq!(parse_go_version(""), None);
        assert!(is_go119("go1.19") && is_go119("go1.19.13"));
        assert!(
            !is_go119("go1.190")
                && !is_go119("go1.19.")
                && !is_go119("go1.20.1")
                && !is_go119("go1.19rc1")
        );
    }

    const ESCAPE_OUTPUT: &str = "# gomap/oracle/escape
./escape.go:9:6: can inline MakeLocal
./escape.go:10:11: make(map[string]int) does not escape
./escape.go:17:13: make(map[string]int) escapes to heap
./escape.go:47:10: new(map[string]int) does not escape
main.MakeLocal STEXT size=173 args=0x0 locals=0x128 funcid=0x0 align=0x0
\t0x0061 00097 (/tmp/x/escape/escape.go:10)\tCALL\truntime.fastrand(SB)
\t0x0082 00130 (/tmp/x/escape/escape.go:11)\tCALL\truntime.mapassign_faststr(SB)
\t0x00a3 00163 (/tmp/x/escape/escape.go:9)\tCALL\truntime.morestack_noctxt(SB)
main.MakeReturned STEXT size=40 args=0x0 locals=0x8 funcid=0x0 align=0x0
\t0x0012 00018 (/tmp/x/escape/escape.go:17)\tCALL\truntime.makemap_small(SB)
";

    #[test]
    fn escape_output_against_the_real_source() {
        let cases = parse_escape(ESCAPE_OUTPUT, ESCAPE_SOURCE).unwrap();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].function, "MakeLocal");
        assert!(!cases[0].escapes);
        assert_eq!(
            cases[0].runtime_calls,
            ["runtime.fastrand", "runtime.mapassign_faststr"]
        );
        assert_eq!(
            (cases[1].function.as_str(), cases[1].escapes),
            ("MakeReturned", true)
        );
        assert_eq!(cases[1].runtime_calls, ["runtime.makemap_small"]);
        assert_eq!(cases[2].function, "NewLocal");
        assert_eq!(cases[2].expr, "new(map[string]int)");
        assert!(cases[2].runtime_calls.is_empty());
    }

    #[test]
    fn escape_output_malformed() {
        assert!(parse_escape("", ESCAPE_SOURCE).is_err());
        assert!(parse_escape(
            "./escape.go:x:y: make(map[int]int) escapes to heap\n",
            ESCAPE_SOURCE
        )
        .is_err());
        // A verdict on a line before any function is an error, not a guess.
        assert!(parse_escape(
            "./escape.go:1:1: make(map[int]int) escapes to heap\n",
            ESCAPE_SOURCE
        )
        .is_err());
        assert!(parse_escape(
            "./other.go:10:11: make(map[int]int) escapes to heap\n",
            ESCAPE_SOURCE
        )
        .is_err());
    }

    #[test]
    fn crash_output() {
        let stderr =
            "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\nruntime.throw(...)\n";
        let c = parse_crash("writes", Some(2), stderr);
        assert_eq!(c.fatal_error.as_deref(), Some("concurrent map writes"));
        assert!(c.goroutine_trace && c.is_fatal());
        let r = parse_crash("writes", Some(0), "claims: recovered: boom\n");
        assert!(r.recovered && !r.is_fatal() && r.fatal_error.is_none() && !r.goroutine_trace);
        let k = parse_crash("writes", None, "");
        assert!(!k.is_fatal());
        assert!(!parse_crash("writes", Some(2), "goroutine x [running]:\n").goroutine_trace);
    }

    #[test]
    fn claims_document_rejects_drift() {
        assert!(parse_claims(b"not json").is_err());
        assert!(parse_claims(b"{\"go_version\":\"go1.19.8\"}").is_err());
        let sample = include_str!("../tests/data/gofacts/claims.json");
        let doc = parse_claims(sample.as_bytes()).unwrap();
        assert_eq!(doc.layout.hmap_size, 48);
        let mut v: serde_json::Value = serde_json::from_str(sample).unwrap();
        v["layout"]["unknown_field"] = serde_json::json!(1);
        assert!(
            parse_claims(v.to_string().as_bytes()).is_err(),
            "an unknown field is drift"
        );
    }
}
