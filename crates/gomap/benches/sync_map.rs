//! `SyncMap` against the concurrent maps Rust programs use instead:
//! dashmap, papaya, `RwLock<HashMap>` and `Mutex<HashMap>`, for 99/1, 90/10
//! and 50/50 read/write mixes on 1 and 2 threads, all in one run.
//!
//! `cargo bench -p gomap --bench sync_map -- --warm-up-time 1 --measurement-time 2`
//!
//! The workload: 10,000 `u64` keys, all present before timing starts (for
//! `SyncMap`, promoted to the read map, its steady state). Each thread walks
//! its own pre-generated random stream of operations; a read is a load of a
//! random key and a write overwrites a random key. Every map hashes with
//! the same hasher (foldhash, gomap's default), so the comparison is of the
//! concurrency designs, not of hash functions. Loads copy the `u64` out
//! under whatever guard or lock the map hands back. Criterion reports
//! throughput in operations per second over all threads; each thread runs
//! `iters` operations, and the slowest thread's time is the sample's.
//!
//! Two rows are not per-operation: `SyncMap (pin)` and `papaya (pin)` run
//! each group of [`PIN_OPS`] operations under one pinned handle
//! (`SyncMap::pin`, papaya's `HashMap::pin`), the way a thread serving one
//! request would; every other map takes its guard or lock per operation.
//!
//! The clock is each thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`, see
//! `common/clock.rs`), because the project's machine is shared and wall
//! time mostly measures how long other jobs kept our threads off a core.
//! CPU time still counts spinning and cache-line transfers, but not time a
//! thread sleeps in the kernel waiting for a lock, which flatters the
//! locked maps at 2 threads. `GOMAP_BENCH_CLOCK=wall` times wall clock.
//!
//! A two-thread figure only says something about contention if the two
//! threads really ran at the same time. Each thread is therefore bound to a
//! CPU of its own (`sched_setaffinity`; `GOMAP_BENCH_AFFINITY=0` leaves the
//! placement to the scheduler), and every sample measures how much the
//! threads overlapped: with CPU times `c1`, `c2` inside a wall-clock window
//! `W` (first start to last finish), both ran together for at least
//! `c1 + c2 - W`, and the sample's **overlap** is that over `W`, clamped to
//! `[0, 1]`. Two threads taking turns on one core score 0; two threads on
//! two idle cores score about 1. The median overlap of each multi-thread
//! benchmark is printed after it, and appended as one JSON line to the file
//! `GOMAP_BENCH_OVERLAP_OUT` names, if set (`scripts/bench.sh` does, and
//! publishes it beside each two-thread figure).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;
use std::sync::{Barrier, Mutex, RwLock};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gomap::{DefaultHashBuilder, SyncMap};

#[path = "common/clock.rs"]
mod clock;

/// Keys in the map.
const KEYS: u64 = 10_000;
/// Length of each thread's operation stream (cycled).
const STREAM: usize = 1 << 14;
/// Operations per pinned handle in the `(pin)` rows; divides [`STREAM`].
const PIN_OPS: usize = 64;

/// A concurrent map under test.
trait Map: Sync {
    const NAME: &'static str;
    fn with_keys(n: u64) -> Self;
    fn read(&self, k: u64) -> Option<u64>;
    fn write(&self, k: u64, v: u64);
    /// Runs a slice of a stream, `v` being the value writes store. Maps
    /// measured under one pinned handle per slice override this.
    #[inline]
    fn run_ops(&self, ops: &[Op], v: u64) {
        for op in ops {
            if op.write {
                self.write(op.key, v);
            } else {
                black_box(self.read(black_box(op.key)));
            }
        }
    }
}

/// `SyncMap` with one [`SyncMap::pin`] per [`PIN_OPS`] operations.
struct PinnedSyncMap(SyncMap<u64, u64>);

impl Map for PinnedSyncMap {
    const NAME: &'static str = "SyncMap (pin)";
    fn with_keys(n: u64) -> Self {
        PinnedSyncMap(Map::with_keys(n))
    }
    fn read(&self, k: u64) -> Option<u64> {
        self.0.pin().load(&k).copied()
    }
    fn write(&self, k: u64, v: u64) {
        self.0.store(k, v);
    }
    #[inline]
    fn run_ops(&self, ops: &[Op], v: u64) {
        let m = self.0.pin();
        for op in ops {
            if op.write {
                m.store(op.key, v);
            } else {
                black_box(m.load(&black_box(op.key)).copied());
            }
        }
    }
}

/// papaya with one `HashMap::pin` per [`PIN_OPS`] operations.
struct PinnedPapaya(papaya::HashMap<u64, u64, DefaultHashBuilder>);

impl Map for PinnedPapaya {
    const NAME: &'static str = "papaya (pin)";
    fn with_keys(n: u64) -> Self {
        PinnedPapaya(Map::with_keys(n))
    }
    fn read(&self, k: u64) -> Option<u64> {
        self.0.pin().get(&k).copied()
    }
    fn write(&self, k: u64, v: u64) {
        self.0.pin().insert(k, v);
    }
    #[inline]
    fn run_ops(&self, ops: &[Op], v: u64) {
        let m = self.0.pin();
        for op in ops {
            if op.write {
                m.insert(op.key, v);
            } else {
                black_box(m.get(&black_box(op.key)).copied());
            }
        }
    }
}

impl Map for SyncMap<u64, u64> {
    const NAME: &'static str = "SyncMap";
    fn with_keys(n: u64) -> Self {
        let m = SyncMap::new();
        for k in 0..n {
            m.store(k, k);
        }
        m.range(|_, _| true); // promote: the steady state of a read-mostly map
        m
    }
    #[inline]
    fn read(&self, k: u64) -> Option<u64> {
        self.load(&k).map(|r| *r)
    }
    #[inline]
    fn write(&self, k: u64, v: u64) {
        self.store(k, v);
    }
}

impl Map for dashmap::DashMap<u64, u64, DefaultHashBuilder> {
    const NAME: &'static str = "dashmap";
    fn with_keys(n: u64) -> Self {
        let m = dashmap::DashMap::with_hasher(DefaultHashBuilder::default());
        for k in 0..n {
            m.insert(k, k);
        }
        m
    }
    #[inline]
    fn read(&self, k: u64) -> Option<u64> {
        self.get(&k).map(|r| *r)
    }
    #[inline]
    fn write(&self, k: u64, v: u64) {
        self.insert(k, v);
    }
}

impl Map for papaya::HashMap<u64, u64, DefaultHashBuilder> {
    const NAME: &'static str = "papaya";
    fn with_keys(n: u64) -> Self {
        let m = papaya::HashMap::with_hasher(DefaultHashBuilder::default());
        for k in 0..n {
            m.pin().insert(k, k);
        }
        m
    }
    #[inline]
    fn read(&self, k: u64) -> Option<u64> {
        self.pin().get(&k).copied()
    }
    #[inline]
    fn write(&self, k: u64, v: u64) {
        self.pin().insert(k, v);
    }
}

impl Map for RwLock<HashMap<u64, u64, DefaultHashBuilder>> {
    const NAME: &'static str = "RwLock<HashMap>";
    fn with_keys(n: u64) -> Self {
        RwLock::new((0..n).map(|k| (k, k)).collect())
    }
    #[inline]
    fn read(&self, k: u64) -> Option<u64> {
        self.read().unwrap().get(&k).copied()
    }
    #[inline]
    fn write(&self, k: u64, v: u64) {
        self.write().unwrap().insert(k, v);
    }
}

impl Map for Mutex<HashMap<u64, u64, DefaultHashBuilder>> {
    const NAME: &'static str = "Mutex<HashMap>";
    fn with_keys(n: u64) -> Self {
        Mutex::new((0..n).map(|k| (k, k)).collect())
    }
    #[inline]
    fn read(&self, k: u64) -> Option<u64> {
        self.lock().unwrap().get(&k).copied()
    }
    #[inline]
    fn write(&self, k: u64, v: u64) {
        self.lock().unwrap().insert(k, v);
    }
}

/// One operation of a stream: a key, and whether it is a write.
#[derive(Clone, Copy)]
struct Op {
    key: u64,
    write: bool,
}

/// A thread's operation stream: `write_pct` percent writes, random keys.
fn stream(seed: u64, write_pct: u8) -> Vec<Op> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..STREAM)
        .map(|_| Op {
            key: rng.u64(..KEYS),
            write: rng.u8(..100) < write_pct,
        })
        .collect()
}

/// The overlap of every multi-thread sample of the benchmark running now.
static OVERLAPS: Mutex<Vec<f64>> = Mutex::new(Vec::new());

/// The CPUs benchmark threads are bound to, one each, in thread order:
/// empty when `GOMAP_BENCH_AFFINITY=0` or when this process may run on
/// fewer CPUs than `threads` (then the scheduler places the threads).
fn cpus_for(threads: usize) -> Vec<usize> {
    use nix::sched::{sched_getaffinity, CpuSet};
    use nix::unistd::Pid;
    if threads < 2 || std::env::var("GOMAP_BENCH_AFFINITY").is_ok_and(|v| v == "0") {
        return Vec::new();
    }
    let Ok(allowed) = sched_getaffinity(Pid::from_raw(0)) else {
        return Vec::new();
    };
    let cpus: Vec<usize> = (0..CpuSet::count())
        .filter(|&c| allowed.is_set(c).unwrap_or(false))
        .take(threads)
        .collect();
    if cpus.len() < threads {
        return Vec::new();
    }
    cpus
}

/// Binds the calling thread to `cpu`.
fn bind_to(cpu: usize) {
    use nix::sched::{sched_setaffinity, CpuSet};
    use nix::unistd::Pid;
    let mut set = CpuSet::new();
    set.set(cpu)
        .expect("a CPU from sched_getaffinity fits a CpuSet");
    sched_setaffinity(Pid::from_raw(0), &set).expect("sched_setaffinity to an allowed CPU");
}

/// What one thread of a sample measured.
struct ThreadTimes {
    /// Wall clock when it started and finished its operations.
    start: Instant,
    end: Instant,
    /// Its CPU time over the operations.
    cpu: Duration,
}

/// The fraction of the sample's wall-clock window in which every thread
/// ran, at least (see the module documentation); for two threads,
/// `(c1 + c2 - W) / W`.
fn overlap(times: &[ThreadTimes]) -> f64 {
    let first = times.iter().map(|t| t.start).min().unwrap();
    let last = times.iter().map(|t| t.end).max().unwrap();
    let window = last.duration_since(first).as_secs_f64();
    if window == 0.0 {
        return 0.0;
    }
    let cpu: f64 = times.iter().map(|t| t.cpu.as_secs_f64()).sum();
    let idle = (times.len() - 1) as f64 * window;
    ((cpu - idle) / window).clamp(0.0, 1.0)
}

/// Runs `iters` operations on each thread, [`PIN_OPS`] at a time, each
/// thread on a CPU of its own when [`cpus_for`] finds enough; returns the
/// slowest thread's time on the benches' clock, and records the sample's
/// [`overlap`] if there is more than one thread.
fn run<M: Map>(m: &M, streams: &[Vec<Op>], iters: u64) -> Duration {
    let barrier = Barrier::new(streams.len());
    let wall = clock::use_wall();
    let cpus = cpus_for(streams.len());
    let times: Vec<ThreadTimes> = std::thread::scope(|s| {
        let handles: Vec<_> = streams
            .iter()
            .enumerate()
            .map(|(t, ops)| {
                let barrier = &barrier;
                let cpu = cpus.get(t).copied();
                s.spawn(move || {
                    if let Some(c) = cpu {
                        bind_to(c);
                    }
                    barrier.wait();
                    let start = Instant::now();
                    let cpu = clock::thread_cpu_ns();
                    let mut done = 0;
                    while done < iters {
                        let at = done as usize % STREAM;
                        let n = PIN_OPS.min((iters - done) as usize);
                        m.run_ops(&ops[at..at + n], done);
                        done += n as u64;
                    }
                    let cpu = Duration::from_nanos(clock::thread_cpu_ns() - cpu);
                    ThreadTimes {
                        start,
                        end: Instant::now(),
                        cpu,
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    if times.len() > 1 {
        OVERLAPS.lock().unwrap().push(overlap(&times));
    }
    times
        .iter()
        .map(|t| {
            if wall {
                t.end.duration_since(t.start)
            } else {
                t.cpu
            }
        })
        .max()
        .unwrap()
}

/// Prints the median overlap of the benchmark just run and appends it to
/// `GOMAP_BENCH_OVERLAP_OUT`, if set.
fn report_overlap(group: &str, name: &str, threads: usize, bound: bool) {
    let mut v = std::mem::take(&mut *OVERLAPS.lock().unwrap());
    if v.is_empty() {
        return;
    }
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    let (lo, hi) = (v[0], v[v.len() - 1]);
    eprintln!(
        "{group}/{name}: overlap median {median:.2} (min {lo:.2}, max {hi:.2}, {} samples, {})",
        v.len(),
        if bound {
            "one CPU per thread"
        } else {
            "placed by the scheduler"
        }
    );
    if let Ok(path) = std::env::var("GOMAP_BENCH_OVERLAP_OUT") {
        let line = format!(
            "{{\"group\":\"{group}\",\"map\":\"{name}\",\"threads\":{threads},\"bound\":{bound},\"median\":{median:.4},\"min\":{lo:.4},\"max\":{hi:.4},\"samples\":{}}}",
            v.len()
        );
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("GOMAP_BENCH_OVERLAP_OUT names a writable file");
        writeln!(f, "{line}").expect("write the overlap line");
    }
}

fn bench<M: Map>(c: &mut Criterion, reads: u8, threads: usize) {
    let write_pct = 100 - reads;
    let mut group = c.benchmark_group(format!("sync_map/{reads}-{write_pct}/{threads}t"));
    group.throughput(Throughput::Elements(threads as u64));
    let streams: Vec<_> = (0..threads as u64)
        .map(|t| stream(t + 1, write_pct))
        .collect();
    let m = M::with_keys(KEYS);
    OVERLAPS.lock().unwrap().clear();
    group.bench_function(BenchmarkId::from_parameter(M::NAME), |b| {
        b.iter_custom(|iters| run(&m, &streams, iters));
    });
    group.finish();
    let name = format!("sync_map/{reads}-{write_pct}/{threads}t");
    report_overlap(&name, M::NAME, threads, !cpus_for(threads).is_empty());
}

fn all(c: &mut Criterion) {
    for reads in [99, 90, 50] {
        for threads in [1, 2] {
            bench::<SyncMap<u64, u64>>(c, reads, threads);
            bench::<PinnedSyncMap>(c, reads, threads);
            bench::<dashmap::DashMap<u64, u64, DefaultHashBuilder>>(c, reads, threads);
            bench::<papaya::HashMap<u64, u64, DefaultHashBuilder>>(c, reads, threads);
            bench::<PinnedPapaya>(c, reads, threads);
            bench::<RwLock<HashMap<u64, u64, DefaultHashBuilder>>>(c, reads, threads);
            bench::<Mutex<HashMap<u64, u64, DefaultHashBuilder>>>(c, reads, threads);
        }
    }
}

criterion_group!(benches, all);
criterion_main!(benches);
