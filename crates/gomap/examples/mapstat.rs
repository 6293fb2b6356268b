//! Insertion tail latency and peak memory, one map per process (issue 6).
//!
//! ```text
//! cargo run --release -p gomap --example mapstat -- latency gomap [N]
//! cargo run --release -p gomap --example mapstat -- memory gomap [N]
//! cargo run --release -p gomap --example mapstat -- keys
//! ```
//!
//! Maps: gomap, swissmap (with fixed seeds: see [`FixedSwiss`]), hashbrown, std_foldhash, std_siphash, indexmap, griddle, and
//! `none` (the timing loop with no map: the machine's floor).
//! N defaults to 1e7 `u64 → u64` keys from the shared splitmix64 stream,
//! inserted with no hint. `latency` times every insert (the clock read
//! between two inserts, as `bench/go` does) in wall time and in thread CPU
//! time, in `GOMAP_BENCH_RUNS` runs (default 3) of the same keys into a fresh
//! map. It prints max, p99.99, p99.9, p50 of the first run's samples, and of
//! the *stable* samples: each insert's minimum over the runs, which keeps the
//! pauses the map causes and drops the machine's noise (see [`latency`]);
//! `memory` prints the peak RSS (VmHWM from /proc/self/status) above the
//! process's baseline, per entry, the RSS at the end (VmRSS, the map still
//! live), and for gomap's maps the bytes the map's own structure holds
//! (`stats().bytes.total`), the size growth ends at. Output is one JSON line.
#![forbid(unsafe_code)]

use std::time::Instant;

use gomap::SwissWithHasher;

#[path = "../benches/common/clock.rs"]
mod clock;
#[path = "../benches/common/keys.rs"]
mod keys;
use keys::*;

type Fast = foldhash::fast::RandomState;

/// `SwissMap` with a fixed hasher key and map seed. Where a Swiss table
/// splits depends on the hashes, so with random seeds each run's splits
/// fall on different inserts and the per-insert minimum over the runs (the
/// *stable* sample) would drop them; with fixed seeds every run makes the
/// same decisions, as the count-driven growth of the other maps does. The
/// hash costs the same as with `RandomState`.
type FixedSwiss = gomap::SwissMap<u64, u64, foldhash::fast::FixedState>;

fn fixed_swiss() -> FixedSwiss {
    FixedSwiss::with_capacity_hasher_and_seeds(
        0,
        foldhash::fast::FixedState::with_seed(SEED),
        || 0x5eed_u32,
    )
}

/// Lists a map's growth events per insert for `n` inserts (see [`swiss_events`]).
type Explain = fn(usize) -> Vec<(usize, &'static str)>;

/// The growth events of every insert of the key stream into a fresh
/// [`fixed_swiss`] map, as `(entry count after the insert, event name)`:
/// the same decisions the timed runs made, observed in an untimed pass.
fn swiss_events(n: usize) -> Vec<(usize, &'static str)> {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::sync::{Arc, Mutex};
    let at = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut m = fixed_swiss();
    let (at2, seen2) = (Arc::clone(&at), Arc::clone(&seen));
    m.set_observer(move |e: &gomap::events::Event| {
        seen2.lock().unwrap().push((at2.load(Relaxed), e.name()));
    });
    let mut r = SplitMix64(SEED);
    for i in 0..n {
        at.store(i + 1, Relaxed);
        m.insert(r.next_u64(), i as u64);
    }
    drop(m);
    let out = seen.lock().unwrap().clone();
    out
}

trait Insert {
    fn put(&mut self, k: u64, v: u64);
    fn size(&self) -> usize;
    /// Bytes the map's own structure holds, where the map can say
    /// (`stats().bytes.total`): the size growth ends at.
    fn live_bytes(&self) -> Option<usize> {
        None
    }
}

macro_rules! insert_impl {
    ($($ty:ty $(=> $live:expr)?),* $(,)?) => {$(
        impl Insert for $ty {
            #[inline]
            fn put(&mut self, k: u64, v: u64) {
                self.insert(k, v);
            }
            fn size(&self) -> usize {
                self.len()
            }
            $(fn live_bytes(&self) -> Option<usize> {
                Some($live(self))
            })?
        }
    )*};
}

insert_impl!(
    gomap::GoMap<u64, u64> => |m: &gomap::GoMap<u64, u64>| m.stats().bytes.total,
    FixedSwiss => |m: &FixedSwiss| m.stats().bytes.total,
    hashbrown::HashMap<u64, u64, Fast>,
    std::collections::HashMap<u64, u64, Fast>,
    std::collections::HashMap<u64, u64>,
    indexmap::IndexMap<u64, u64, Fast>,
    griddle::HashMap<u64, u64, Fast>
);

/// No map: the timing loop's floor. `put` hands the key and value to
/// `black_box`, so the loop still produces every key and reads both clocks,
/// and the `none` row shows what the machine and the clock reads cost alone.
struct NoMap(usize);

impl Insert for NoMap {
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        std::hint::black_box((k, v));
        self.0 += 1;
    }
    fn size(&self) -> usize {
        self.0
    }
}

/// `latency`'s number of runs: `GOMAP_BENCH_RUNS`, default 3.
fn runs() -> usize {
    std::env::var("GOMAP_BENCH_RUNS").map_or(3, |v| {
        v.parse::<usize>()
            .ok()
            .filter(|&r| r >= 1)
            .expect("GOMAP_BENCH_RUNS: a whole number >= 1")
    })
}

/// A size field of /proc/self/status in bytes (`VmHWM:`, the peak
/// resident set, or `VmRSS:`, the current one); 0 if unreadable.
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn vm_hwm() -> u64 {
    proc_status("VmHWM:")
}

/// A duration in nanoseconds as a sample (`u32`: up to 4.29 s, clamped).
#[inline]
fn ns32(ns: u128) -> u32 {
    ns.min(u32::MAX as u128) as u32
}

/// Minor page faults this thread has taken so far (`getrusage(RUSAGE_THREAD)`).
fn minor_faults() -> u64 {
    let ru = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
        .expect("getrusage(RUSAGE_THREAD)");
    ru.minor_page_faults() as u64
}

/// One pass of the timed loop: inserts the key stream into `m`, writing each
/// insert's wall and thread CPU time into `wall[i]` and `cpu[i]`. Returns the
/// pass's total wall time. The map is dropped after the clock stops.
fn timed_pass<M: Insert>(mut m: M, wall: &mut [u32], cpu: &mut [u32]) -> u128 {
    // Two clocks per insert: wall time, and the thread's CPU time, which
    // leaves out the time the thread was descheduled (the machine may be
    // shared); page faults and everything else the insert does on the CPU
    // count in both. Each sample is the time between two clock reads.
    let n = wall.len();
    let mut r = SplitMix64(SEED);
    let start = Instant::now();
    let mut prev = start;
    let mut prev_cpu = clock::thread_cpu_ns();
    for i in 0..n {
        m.put(r.next_u64(), i as u64);
        let now = Instant::now();
        let now_cpu = clock::thread_cpu_ns();
        wall[i] = ns32((now - prev).as_nanos());
        cpu[i] = ns32((now_cpu - prev_cpu) as u128);
        prev = now;
        prev_cpu = now_cpu;
    }
    let total = start.elapsed().as_nanos();
    assert_eq!(m.size(), n);
    total
}

/// The 5 largest samples as `[ns, entry count after the insert]`, largest
/// first — the count is 1-based, to line up with growth starts.
fn worst5(v: &[u32]) -> Vec<[u64; 2]> {
    let mut top: Vec<(u32, usize)> = Vec::with_capacity(6);
    for (i, &t) in v.iter().enumerate() {
        if top.len() < 5 || t > top[top.len() - 1].0 {
            let at = top.partition_point(|&(u, _)| u >= t);
            top.insert(at, (t, i + 1));
            top.truncate(5);
        }
    }
    top.into_iter().map(|(t, i)| [t as u64, i as u64]).collect()
}

/// Max, p99.99, p99.9 and p50 of `v` (sorts it).
fn stats(v: &mut [u32]) -> String {
    v.sort_unstable();
    let n = v.len();
    let q = |p: f64| v[((n - 1) as f64 * p) as usize];
    format!(
        "{{\"max_ns\":{},\"p9999_ns\":{},\"p999_ns\":{},\"p50_ns\":{}}}",
        v[n - 1],
        q(0.9999),
        q(0.999),
        q(0.5)
    )
}

/// Times every insert of the key stream, `runs` times, each into a fresh map
/// from `make`, and prints one JSON line.
///
/// A run alone cannot tell a pause from noise: this machine's clocks are
/// charged for time the hypervisor takes (milliseconds at a time, on any
/// instruction), so the slowest sample of a run is the machine's, not the
/// map's. A pause the map causes — a growth step, an allocation, a rehash —
/// falls on the same insert in every run, because the keys and the map's
/// decisions are the same; noise does not. So for each insert index we keep
/// the smallest of its `runs` samples (the *stable* sample) and report the
/// distribution of those next to the first run's own figures.
///
/// The minimum is optimistic: a pause that only a reused process pays (the
/// allocator handing back memory it must clear, in runs 2 and later) is
/// hidden by a first run that did not pay it. So the second-smallest sample
/// of each insert (`stable2`; the median when `runs` is 3) is reported too:
/// it drops noise that hits one run, and keeps any pause seen in two.
/// Memory: the current run's two arrays and two arrays of order statistics,
/// whatever `runs` is.
///
/// `explain`, where given, lists the map's growth events per insert (see
/// [`swiss_events`]); each of the five worst stable and second-smallest
/// samples is then printed with the events of its insert.
fn latency<M: Insert>(
    name: &str, make: impl Fn() -> M, n: usize, runs: usize, explain: Option<Explain>,
) {
    let mut wall = vec![0u32; n];
    let mut cpu = vec![0u32; n];
    let mut stable = vec![u32::MAX; n];
    let mut second = vec![u32::MAX; n];
    let mut first = String::new();
    let mut run_total = Vec::with_capacity(runs);
    let mut run_minflt = Vec::with_capacity(runs);
    for run in 0..runs {
        let faults = minor_faults();
        run_total.push(timed_pass(make(), &mut wall, &mut cpu));
        run_minflt.push(minor_faults() - faults);
        for ((s, s2), &c) in stable.iter_mut().zip(&mut second).zip(&cpu) {
            if c < *s {
                *s2 = *s;
                *s = c;
            } else if c < *s2 {
                *s2 = c;
            }
        }
        if run == 0 {
            // The single-run figures are the first run's: a fresh process,
            // as a one-shot measurement would see it.
            let worst = worst5(&cpu);
            first = format!(
                "\"total_ns\":{},\"wall\":{},\"cpu\":{},\"worst_cpu\":{worst:?}",
                run_total[0],
                stats(&mut wall),
                stats(&mut cpu)
            );
        }
    }
    let worst_stable = worst5(&stable);
    // With one run there is no second sample: the second-smallest is the run.
    if runs < 2 {
        second.copy_from_slice(&stable);
    }
    let worst_second = worst5(&second);
    let mut events = String::new();
    if let Some(explain) = explain {
        let all = explain(n);
        let of = |w: &[[u64; 2]]| -> Vec<Vec<&'static str>> {
            w.iter()
                .map(|&[_, at]| {
                    all.iter()
                        .filter(|&&(i, _)| i as u64 == at)
                        .map(|&(_, e)| e)
                        .collect()
                })
                .collect()
        };
        events = format!(
            ",\"worst_stable_events\":{:?},\"worst_stable2_events\":{:?}",
            of(&worst_stable),
            of(&worst_second)
        );
    }
    println!(
        "{{\"map\":\"{name}\",\"n\":{n},\"runs\":{runs},{first},\"stable\":{},\"worst_stable\":{worst_stable:?},\"stable2\":{},\"worst_stable2\":{worst_second:?}{events},\"run_total_ns\":{run_total:?},\"run_minflt\":{run_minflt:?}}}",
        stats(&mut stable),
        stats(&mut second)
    );
}

fn memory<M: Insert>(name: &str, make: impl Fn() -> M, n: usize, base: u64) {
    let mut m = make();
    let mut r = SplitMix64(SEED);
    for i in 0..n {
        m.put(r.next_u64(), i as u64);
    }
    let peak = vm_hwm();
    let final_rss = proc_status("VmRSS:");
    assert_eq!(m.size(), n);
    // After the peak was read: `stats` allocates a little.
    let live = m
        .live_bytes()
        .map_or(String::new(), |b| format!(",\"live_bytes\":{b}"));
    println!(
        "{{\"map\":\"{name}\",\"n\":{n},\"baseline_bytes\":{base},\"peak_bytes\":{peak},\"final_bytes\":{final_rss}{live},\"bytes_per_entry\":{:.2}}}",
        (peak - base) as f64 / n as f64
    );
}

fn run(mode: &str, name: &str, n: usize) {
    if mode == "latency" && std::env::var_os("MAPSTAT_PRETOUCH").is_some() {
        // Touch (and give back) more memory than the run needs, so the
        // kernel's — and a VM host's — first-touch costs are paid up front.
        let mut v = vec![0u8; 2 << 30];
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(&v);
    }
    let base = vm_hwm();
    macro_rules! go {
        ($make:expr) => {
            go!($make, None)
        };
        ($make:expr, $explain:expr) => {
            match mode {
                "latency" => latency(name, $make, n, runs(), $explain),
                "memory" => memory(name, $make, n, base),
                _ => panic!("unknown mode {mode}"),
            }
        };
    }
    match name {
        "gomap" => go!(gomap::GoMap::<u64, u64>::new),
        "swissmap" => go!(fixed_swiss, Some(swiss_events)),
        "hashbrown" => go!(hashbrown::HashMap::<u64, u64, Fast>::default),
        "std_foldhash" => go!(std::collections::HashMap::<u64, u64, Fast>::default),
        "std_siphash" => go!(std::collections::HashMap::<u64, u64>::new),
        "indexmap" => go!(indexmap::IndexMap::<u64, u64, Fast>::default),
        "griddle" => go!(griddle::HashMap::<u64, u64, Fast>::default),
        "none" => go!(|| NoMap(0)),
        _ => panic!("unknown map {name}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("latency", String::as_str);
    if mode == "keys" {
        // The same summary `bench/go -mode keys` prints, to cross-check the
        // two generators.
        let ks = u64_keys(4);
        let first = string_keys(1).remove(0);
        let shuffle: Vec<usize> = shuffled_indices(10);
        let mixed: Vec<String> = mixed_ops(1000, 8)
            .into_iter()
            .map(|op| match op {
                MixedOp::Lookup(i) => format!("{{\"Kind\":0,\"Idx\":{i}}}"),
                MixedOp::Insert(i) => format!("{{\"Kind\":1,\"Idx\":{i}}}"),
                MixedOp::Remove(i) => format!("{{\"Kind\":2,\"Idx\":{i}}}"),
            })
            .collect();
        println!(
            "{{\"first_keys\":{ks:?},\"first_string\":\"{first}\",\"mixed_head\":[{}],\"shuffle_head\":{shuffle:?}}}",
            mixed.join(",")
        );
        return;
    }
    let name = args.get(1).map_or("gomap", String::as_str);
    let n = args
        .get(2)
        .map_or(10_000_000, |s| s.parse::<f64>().expect("N") as usize);
    run(mode, name, n);
}
