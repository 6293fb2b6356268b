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
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;
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

/// Runs `iters` operations on each thread, [`PIN_OPS`] at a time; returns
/// the slowest thread's time on the benches' clock.
fn run<M: Map>(m: &M, streams: &[Vec<Op>], iters: u64) -> Duration {
    let barrier = Barrier::new(streams.len());
    let wall = clock::use_wall();
    std::thread::scope(|s| {
        let handles: Vec<_> = streams
            .iter()
            .map(|ops| {
                let barrier = &barrier;
                s.spawn(move || {
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
                    if wall {
                        start.elapsed()
                    } else {
                        Duration::from_nanos(clock::thread_cpu_ns() - cpu)
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

fn bench<M: Map>(c: &mut Criterion, reads: u8, threads: usize) {
    let write_pct = 100 - reads;
    let mut group = c.benchmark_group(format!("sync_map/{reads}-{write_pct}/{threads}t"));
    group.throughput(Throughput::Elements(threads as u64));
    let streams: Vec<_> = (0..threads as u64)
        .map(|t| stream(t + 1, write_pct))
        .collect();
    let m = M::with_keys(KEYS);
    group.bench_function(BenchmarkId::from_parameter(M::NAME), |b| {
        b.iter_custom(|iters| run(&m, &streams, iters));
    });
    group.finish();
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
