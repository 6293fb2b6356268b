//! What a map asks of the kernel, phase by phase, read from strace.
//!
//! A traced program announces each phase by writing one line,
//! `gomap-phase: NAME`, to standard error in a single `write`; every system
//! call strace records after that line (on any thread) belongs to that phase,
//! and everything before the first line to [`STARTUP_PHASE`]. Two programs
//! are traced this way: `gomap-syscall-probe` (gomap's own map, here) and the
//! Go 1.19 claims program's `phases` mode ([`crate::gofacts`]), with the same
//! strace classes, so the two reports read side by side.
//!
//! [`parse_strace`] reads strace's `-f -o FILE` format: each line a PID, the
//! call with its arguments and ` = ` result; a call another thread
//! interrupted is split into `<unfinished ...>` and `<... NAME resumed>`
//! halves, which are joined per PID; signal (`---`) and exit (`+++`) lines
//! are skipped. A line that fits none of these is an error with its line
//! number, never a guess.
//!
//! [`probe`] runs `gomap-syscall-probe` under strace. The probe binary is
//! built by `cargo build -p gomap-lab` (it is one of the crate's binaries)
//! and looked for next to the running executable.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::child;

/// The prefix of a phase marker line (the phase name follows, then `\n`).
pub const PHASE_MARKER: &str = "gomap-phase: ";
/// The phase of every call before the first marker: the program's start-up.
pub const STARTUP_PHASE: &str = "startup";
/// The strace filter both traced programs run under: the memory class
/// (`mmap`, `munmap`, `mremap`, `madvise`, `mprotect`, `brk`, ...), the file
/// class (`openat`, `stat`, ...), and the writes that carry the markers and
/// could persist data.
pub const STRACE_FILTER: &str = "trace=memory,file,write,fsync,fdatasync";
/// Keys the probe inserts by default: 2^21, so the map doubles up to B = 19
/// (an 80 MB bucket array with its pool). gomap maps every array of 128 KiB
/// and more straight from the OS (`MAP_MIN` in gomap's `raw/alloc.rs`) and
/// releases a retired one 128 KiB per later write (cleared into its pool of
/// mappings, or unmapped), so the trace shows each of these steps.
pub const DEFAULT_PROBE_KEYS: u64 = 1 << 21;

/// Calls of one kind and the bytes their length argument named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStats {
    /// Calls made, failed ones included.
    pub calls: u64,
    /// Sum of the length argument over the calls that succeeded (for `brk`,
    /// the growth of the program break).
    pub bytes: u64,
}

impl CallStats {
    fn add(&mut self, ok: bool, bytes: u64) {
        self.calls += 1;
        if ok {
            self.bytes += bytes;
        }
    }
}

/// The system calls of one phase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSyscalls {
    /// The phase's name from its marker line ([`STARTUP_PHASE`] for the first).
    pub phase: String,
    /// `mmap`: every mapping, with its length.
    pub mmap: CallStats,
    /// Of `mmap`, those with `PROT_NONE`: address space reserved, no memory usable yet.
    pub mmap_reserve: CallStats,
    /// `munmap`, with the length unmapped.
    pub munmap: CallStats,
    /// `mremap`, with the new length.
    pub mremap: CallStats,
    /// `madvise` by advice (`MADV_DONTNEED`, `MADV_HUGEPAGE`, ...), with the length advised.
    pub madvise: BTreeMap<String, CallStats>,
    /// `mprotect`, with the length.
    pub mprotect: CallStats,
    /// `brk`, with the growth of the program break.
    pub brk: CallStats,
    /// Bytes the program break moved down (malloc trimming its heap).
    pub brk_released: u64,
    /// Paths passed to `open`/`openat`/`creat`.
    pub opened: Vec<String>,
    /// Every other traced call by name (marker writes are not counted).
    pub other: BTreeMap<String, u64>,
    /// Calls that returned an error.
    pub failed: u64,
}

impl PhaseSyscalls {
    fn new(phase: &str) -> PhaseSyscalls {
        PhaseSyscalls {
            phase: phase.to_string(),
            ..PhaseSyscalls::default()
        }
    }

    /// All `madvise` calls, whatever the advice.
    pub fn madvise_total(&self) -> CallStats {
        self.madvise
            .values()
            .fold(CallStats::default(), |a, s| CallStats {
                calls: a.calls + s.calls,
                bytes: a.bytes + s.bytes,
            })
    }

    /// Calls that map, unmap, remap, advise, protect or move the break.
    pub fn memory_calls(&self) -> u64 {
        self.mmap.calls
            + self.munmap.calls
            + self.mremap.calls
            + self.madvise_total().calls
            + self.mprotect.calls
            + self.brk.calls
    }
}

/// strace output that does not read as strace output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StraceParseError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong with it.
    pub reason: String,
}

impl fmt::Display for StraceParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "strace output line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for StraceParseError {}

/// One completed call: name, top-level arguments, and the numeric result
/// (`None` for `?`).
#[derive(Debug, PartialEq, Eq)]
struct Call {
    name: String,
    args: Vec<String>,
    result: Option<i64>,
}

/// Splits `-o FILE` strace output into phases and counts each phase's calls.
pub fn parse_strace(text: &str) -> Result<Vec<PhaseSyscalls>, StraceParseError> {
    let mut done = Vec::new();
    let mut phase = PhaseSyscalls::new(STARTUP_PHASE);
    let mut pending: HashMap<u32, String> = HashMap::new();
    let mut brk_end: Option<i64> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let err = |reason: String| StraceParseError { line: n, reason };
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with("strace: ") {
            continue;
        }
        let (pid, rest) = split_pid(line).map_err(err)?;
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue; // a signal delivered, a thread exited
        }
        let full = if let Some(after) = rest.strip_prefix("<... ") {
            let (_, tail) = after
                .split_once(" resumed>")
                .ok_or_else(|| err(format!("a resumed call without ' resumed>': {rest:?}")))?;
            let head = pending
                .remove(&pid)
                .ok_or_else(|| err(format!("pid {pid} resumes a call it never started")))?;
            format!("{head}{tail}")
        } else if let Some(head) = rest.strip_suffix("<unfinished ...>") {
            if pending.insert(pid, head.trim_end().to_string()).is_some() {
                return Err(err(format!("pid {pid} starts a second unfinished call")));
            }
            continue;
        } else {
            rest.to_string()
        };
        let call = parse_call(&full).map_err(err)?;
        if let Some(name) = marker(&call).map_err(err)? {
            done.push(std::mem::replace(&mut phase, PhaseSyscalls::new(&name)));
            continue;
        }
        count(&mut phase, &call, &mut brk_end).map_err(err)?;
    }
    if let Some(pid) = pending.keys().next() {
        return Err(StraceParseError {
            line: text.lines().count(),
            reason: format!("pid {pid}'s unfinished call never resumed"),
        });
    }
    done.push(phase);
    Ok(done)
}

/// Splits the PID strace puts in front of each line under `-f` (`123 ` or
/// `[pid 123] `); a line without one belongs to PID 0.
fn split_pid(line: &str) -> Result<(u32, &str), String> {
    if let Some(after) = line.strip_prefix("[pid ") {
        let (digits, rest) = after.split_once(']').ok_or("unterminated [pid N]")?;
        let pid = digits
            .trim()
            .parse()
            .map_err(|_| format!("bad pid {digits:?}"))?;
        return Ok((pid, rest.trim_start()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(' ') {
        let pid = line[..digits]
            .parse()
            .map_err(|_| format!("bad pid in {line:?}"))?;
        return Ok((pid, line[digits..].trim_start()));
    }
    Ok((0, line))
}

/// Parses `name(arg, arg, ...) = result [extra]`, honouring quoted strings
/// (with backslash escapes) and nested brackets in arguments.
fn parse_call(text: &str) -> Result<Call, String> {
    let open = text
        .find('(')
        .ok_or_else(|| format!("not a system call: {text:?}"))?;
    let name = &text[..open];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!("not a system call name: {name:?}"));
    }
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut start = open + 1;
    let mut close = None;
    for (i, c) in text[open + 1..].char_indices() {
        let i = i + open + 1;
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => {
                close = Some(i);
                break;
            }
            ')' | ']' | '}' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced {c:?} in {text:?}"))?
            }
            ',' if depth == 0 => {
                args.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    let close = close.ok_or_else(|| format!("unterminated argument list: {text:?}"))?;
    let last = text[start..close].trim();
    if !last.is_empty() || !args.is_empty() {
        args.push(last.to_string());
    }
    let after = text[close + 1..].trim_start();
    let result = after
        .strip_prefix('=')
        .ok_or_else(|| format!("no ' = result' after the arguments: {text:?}"))?
        .split_whitespace()
        .next()
        .ok_or_else(|| format!("empty result: {text:?}"))?;
    let result = if result == "?" {
        None
    } else {
        Some(parse_int(result).ok_or_else(|| format!("result {result:?} is not a number"))?)
    };
    Ok(Call {
        name: name.to_string(),
        args,
        result,
    })
}

/// A decimal or `0x` hexadecimal integer, optionally negative.
fn parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let v = match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()? as i64,
        None => digits.parse::<i64>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// The phase a marker `write` starts, or `None` for any other call.
fn marker(call: &Call) -> Result<Option<String>, String> {
    if call.name != "write" {
        return Ok(None);
    }
    let Some(body) = call.args.get(1).and_then(|a| a.strip_prefix('"')) else {
        return Ok(None);
    };
    let Some(name) = body.strip_prefix(PHASE_MARKER) else {
        return Ok(None);
    };
    let end = name.find(['\\', '"']).unwrap_or(name.len());
    let name = &name[..end];
    if name.is_empty() {
        return Err("a phase marker without a name".to_string());
    }
    Ok(Some(name.to_string()))
}

/// The string a quoted argument holds, without quotes (escapes left as strace wrote them).
fn unquote(arg: &str) -> String {
    let s = arg.strip_prefix('"').unwrap_or(arg);
    let s = s.strip_suffix("...").unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s).to_string()
}

fn len_arg(call: &Call, i: usize) -> Result<u64, String> {
    let a = call
        .args
        .get(i)
        .ok_or_else(|| format!("{} has no argument {i}", call.name))?;
    parse_int(a)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| format!("{}'s length argument {a:?} is not a number", call.name))
}

/// Adds one call to a phase's counts.
fn count(p: &mut PhaseSyscalls, call: &Call, brk_end: &mut Option<i64>) -> Result<(), String> {
    let ok = call.result.is_some_and(|r| r >= 0);
    if call.result.is_some_and(|r| r < 0) {
        p.failed += 1;
    }
    match call.name.as_str() {
        "mmap" | "mmap2" => {
            let len = len_arg(call, 1)?;
            p.mmap.add(ok, len);
            if call.args.get(2).map(String::as_str) == Some("PROT_NONE") {
                p.mmap_reserve.add(ok, len);
            }
        }
        "munmap" => p.munmap.add(ok, len_arg(call, 1)?),
        "mremap" => p.mremap.add(ok, len_arg(call, 2)?),
        "mprotect" => p.mprotect.add(ok, len_arg(call, 1)?),
        "madvise" => {
            let len = len_arg(call, 1)?;
            let advice = call.args.get(2).ok_or("madvise without advice")?;
            p.madvise.entry(advice.clone()).or_default().add(ok, len);
        }
        "brk" => {
            // brk returns the break after the call; the first one (brk(NULL)) sets the base.
            let mut grown = 0;
            if let Some(now) = call.result.filter(|&r| r > 0) {
                if let Some(prev) = brk_end.replace(now) {
                    grown = now.saturating_sub(prev).max(0) as u64;
                    p.brk_released += prev.saturating_sub(now).max(0) as u64;
                }
            }
            p.brk.add(true, grown);
        }
        name @ ("open" | "openat" | "creat") => {
            let i = if name == "openat" { 1 } else { 0 };
            let path = call
                .args
                .get(i)
                .ok_or_else(|| format!("{name} without a path"))?;
            p.opened.push(unquote(path));
            *p.other.entry(name.to_string()).or_default() += 1;
        }
        name => *p.other.entry(name.to_string()).or_default() += 1,
    }
    Ok(())
}

/// Why a measurement could not be made (a missing tool, a failed build):
/// one line for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    /// The reason, one line.
    pub reason: String,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Unavailable {}

fn unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable {
        reason: reason.into(),
    }
}

/// strace, found and working.
#[derive(Debug, Clone)]
pub struct Strace {
    /// The executable.
    pub path: PathBuf,
    /// The first line of `strace -V`.
    pub version: String,
}

/// Finds strace: `/usr/bin/strace`, else `strace` on `PATH`, if `strace -V`
/// runs; then makes sure it may trace here (a container without ptrace
/// permission has strace but cannot use it) by tracing itself printing its
/// version.
pub fn find_strace() -> Result<Strace, Unavailable> {
    let mut cands = vec![PathBuf::from("/usr/bin/strace")];
    if let Some(path) = std::env::var_os("PATH") {
        cands.extend(std::env::split_paths(&path).map(|d| d.join("strace")));
    }
    let limit = Duration::from_secs(10);
    for path in cands.into_iter().filter(|p| p.is_file()) {
        let Ok(out) = child::run(Command::new(&path).arg("-V"), limit) else {
            continue;
        };
        if !out.status.success() {
            continue;
        }
        let version = child::first_line(&String::from_utf8_lossy(&out.stdout)).to_string();
        let mut probe = Command::new(&path);
        probe
            .args(["-o", "/dev/null", "-e", "trace=none"])
            .arg(&path)
            .arg("-V");
        return match child::run(&mut probe, limit) {
            Ok(t) if t.status.success() => Ok(Strace { path, version }),
            Ok(t) => Err(unavailable(format!(
                "strace cannot trace here: {}",
                child::first_line(&t.stderr)
            ))),
            Err(e) => Err(unavailable(format!("strace cannot trace here: {e}"))),
        };
    }
    Err(unavailable(
        "strace not found: install strace (apt-get install strace)",
    ))
}

/// Runs `program args` under strace with [`STRACE_FILTER`], writing the trace
/// into `dir`, and returns the run and the parsed phases. A strace that
/// cannot trace (no ptrace permission) is [`Unavailable`]; the program's own
/// failure or unparseable output is too, with the reason.
pub fn trace(
    strace: &Strace,
    dir: &Path,
    program: &Path,
    args: &[&str],
    limit: Duration,
) -> Result<(child::Finished, Vec<PhaseSyscalls>), Unavailable> {
    let file = dir.join("trace.txt");
    let mut cmd = Command::new(&strace.path);
    cmd.args(["-f", "-s", "64", "-e", STRACE_FILTER, "-o"])
        .arg(&file)
        .arg(program)
        .args(args);
    let run = child::run(&mut cmd, limit).map_err(unavailable)?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    if !run.status.success() || text.is_empty() {
        let why = child::first_line(&run.stderr);
        return Err(unavailable(format!(
            "strace of {} failed ({}): {why}",
            program.display(),
            run.status
        )));
    }
    let phases = parse_strace(&text).map_err(|e| unavailable(e.to_string()))?;
    Ok((run, phases))
}

/// gomap's map as the probe saw it at the end of a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeMapState {
    /// The phase that just ended.
    pub phase: String,
    /// Keys in the map (`len()`).
    pub count: usize,
    /// The header's B (log2 of the bucket count).
    pub b: u8,
    /// Bytes the map holds (`stats().bytes.total`: header, arrays, overflow);
    /// measured only in the probe's `stats-` phases.
    pub bytes: Option<usize>,
}

/// What gomap's map asked of the kernel, per phase of the probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyscallReport {
    /// strace's version line.
    pub strace: String,
    /// The traced command, as run.
    pub command: String,
    /// Keys the probe inserted.
    pub keys: u64,
    /// Calls per phase: `startup` (the dynamic loader, Rust's runtime and
    /// `main` up to the first marker), `new`, `first-insert`, `grow`,
    /// `stats-full`, `delete-all`, `stats-empty`, `drop`, `exit` (the
    /// `stats-` phases are the probe measuring the map, not the map).
    pub phases: Vec<PhaseSyscalls>,
    /// The map at the end of each phase, as the probe reported it.
    pub map: Vec<ProbeMapState>,
    /// Wall time of the traced run, milliseconds.
    pub elapsed_ms: u64,
}

impl SyscallReport {
    /// The phase called `name`, if the trace had it.
    pub fn phase(&self, name: &str) -> Option<&PhaseSyscalls> {
        self.phases.iter().find(|p| p.phase == name)
    }
}

/// The probe binary next to the running executable (or one directory up,
/// where cargo puts binaries relative to test executables in `deps/`).
pub fn probe_binary() -> Result<PathBuf, Unavailable> {
    let exe =
        std::env::current_exe().map_err(|e| unavailable(format!("no current executable: {e}")))?;
    let name = format!("gomap-syscall-probe{}", std::env::consts::EXE_SUFFIX);
    let dirs = exe
        .parent()
        .into_iter()
        .chain(exe.parent().and_then(Path::parent));
    for dir in dirs {
        let cand = dir.join(&name);
        if cand.is_file() {
            return Ok(cand);
        }
    }
    Err(unavailable(format!(
        "{name} not found next to {}: build it with cargo build -p gomap-lab",
        exe.display()
    )))
}

/// Runs the probe found by [`probe_binary`] with [`DEFAULT_PROBE_KEYS`] under strace.
pub fn probe() -> Result<SyscallReport, Unavailable> {
    probe_with(&probe_binary()?, DEFAULT_PROBE_KEYS)
}

/// Runs the probe at `binary`, inserting `keys` keys, under strace.
pub fn probe_with(binary: &Path, keys: u64) -> Result<SyscallReport, Unavailable> {
    let strace = find_strace()?;
    let dir = child::Scratch::new("syscalls").map_err(unavailable)?;
    let keys_arg = keys.to_string();
    let start = Instant::now();
    let (run, phases) = trace(
        &strace,
        dir.path(),
        binary,
        &[&keys_arg],
        Duration::from_secs(60),
    )?;
    let elapsed_ms = start.elapsed().as_millis() as u64;
    let map = parse_probe_states(&String::from_utf8_lossy(&run.stdout)).map_err(unavailable)?;
    Ok(SyscallReport {
        strace: strace.version,
        command: format!(
            "{} -f -s 64 -e {STRACE_FILTER} -o FILE {} {keys}",
            strace.path.display(),
            binary.display()
        ),
        keys,
        phases,
        map,
        elapsed_ms,
    })
}

/// Reads the probe's standard output: one JSON [`ProbeMapState`] per line.
pub fn parse_probe_states(text: &str) -> Result<Vec<ProbeMapState>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("probe output line {}: {e}", i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"101 brk(NULL)                         = 0x55d000
101 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000
101 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
101 write(2, "gomap-phase: grow\n", 18) = 18
101 brk(0x57e000)                     = 0x57e000
101 brk(0x56e000)                     = 0x56e000
101 mmap(NULL, 151003136, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
102 madvise(0xc000000000, 2097152, MADV_DONTNEED) = 0
101 <... mmap resumed>)                = 0x7e0000
[pid 102] mmap(0xc000000000, 67108864, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xc000000000
101 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=101, si_uid=0} ---
101 write(1, "a, b) = 5", 9)           = 9
101 mmap(NULL, 1, PROT_READ, MAP_PRIVATE, -1, 0) = -1 ENOMEM (Cannot allocate memory)
101 write(2, "gomap-phase: drop\n", 18) = 18
101 munmap(0x7e0000, 151003136)        = 0
101 +++ exited with 0 +++
"#;

    #[test]
    fn phases_counts_and_bytes() {
        let p = parse_strace(SAMPLE).unwrap();
        let names: Vec<_> = p.iter().map(|p| p.phase.as_str()).collect();
        assert_eq!(names, ["startup", "grow", "drop"]);
        assert_eq!(
            p[0].mmap,
            CallStats {
                calls: 1,
                bytes: 8192
            }
        );
        assert_eq!(p[0].brk.calls, 1);
        assert_eq!(p[0].opened, ["/etc/ld.so.cache"]);
        let g = &p[1];
        assert_eq!(
            g.brk,
            CallStats {
                calls: 2,
                bytes: 0x57e000 - 0x55d000
            }
        );
        assert_eq!(g.brk_released, 0x10000);
        // The failed mmap counts as a call, not as bytes.
        assert_eq!(
            g.mmap,
            CallStats {
                calls: 3,
                bytes: 151003136 + 67108864
            }
        );
        assert_eq!(
            g.mmap_reserve,
            CallStats {
                calls: 1,
                bytes: 67108864
            }
        );
        assert_eq!(
            g.madvise["MADV_DONTNEED"],
            CallStats {
                calls: 1,
                bytes: 2097152
            }
        );
        assert_eq!(g.failed, 1);
        assert_eq!(
            g.other.get("write"),
            Some(&1),
            "a quoted ') = ' is not the end of a call"
        );
        assert_eq!(
            p[2].munmap,
            CallStats {
                calls: 1,
                bytes: 151003136
            }
        );
        assert_eq!(g.memory_calls(), 6);
    }

    #[test]
    fn malformed_lines_are_errors_with_line_numbers() {
        for (text, line) in [
            ("101 mmap(NULL, 8192\n", 1),
            (
                "101 write(2, \"x\", 1) = 1\n101 mmap(NULL, big, PROT_READ) = 0x1\n",
                2,
            ),
            ("101 <... mmap resumed>) = 0\n", 1),
            (
                "101 mmap(NULL, 1, PROT_READ, 0, -1, 0 <unfinished ...>\n",
                1,
            ),
            ("hello world\n", 1),
            ("101 brk(NULL) = what\n", 1),
            ("101 madvise(0x1, 4096) = 0\n", 1),
            ("101 write(2, \"gomap-phase: \\n\", 14) = 14\n", 1),
            ("[pid x] brk(NULL) = 0\n", 1),
        ] {
            let e = parse_strace(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
        }
    }

    #[test]
    fn call_grammar() {
        let c = parse_call(r#"rt_sigaction(SIGSEGV, {sa_handler=0x1, sa_mask=~[], sa_flags=SA_ONSTACK}, NULL, 8) = 0"#)
            .unwrap();
        assert_eq!(c.args.len(), 4);
        assert_eq!(parse_call("exit_group(0) = ?").unwrap().result, None);
        assert_eq!(
            parse_call("getpid() = 7").unwrap().args,
            Vec::<String>::new()
        );
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("12a"), None);
    }

    /// A real trace of the Go claims program's `phases` mode (strace 6.1, Go 1.19.8).
    #[test]
    fn captured_go_trace() {
        let p = parse_strace(include_str!("../tests/data/gofacts/go-phases.strace")).unwrap();
        let names: Vec<_> = p.iter().map(|p| p.phase.as_str()).collect();
        assert_eq!(
            names,
            [
                "startup",
                "make-small",
                "make-hint-100",
                "make-large",
                "grow-large",
                "drop-and-free",
                "exit"
            ]
        );
        assert_eq!(
            p[0].opened,
            ["/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"]
        );
        assert!(
            p[0].mmap_reserve.bytes > 0,
            "the runtime reserves its arenas at start-up"
        );
        assert_eq!(
            p[1].memory_calls(),
            0,
            "a small make is served from the heap already mapped"
        );
        assert!(
            p[5].madvise["MADV_DONTNEED"].bytes > 30 << 20,
            "FreeOSMemory returns the arrays"
        );
        assert!(p.iter().all(|p| p.failed == 0));
    }

    #[test]
    fn probe_states_parse_and_reject() {
        let s =
            parse_probe_states("{\"phase\":\"new\",\"count\":0,\"b\":0,\"bytes\":48}\n\n").unwrap();
        assert_eq!(s[0].bytes, Some(48));
        assert!(parse_probe_states("{\"phase\":\"new\"}").is_err());
        assert!(parse_probe_states("not json").is_err());
    }
}
