//! Which memory-reclamation crate should `SyncMap` use? This measures each
//! candidate on the shape of a `SyncMap` load: enter a read-side critical
//! section, load a protected pointer to an immutable "read map", load a
//! protected pointer to a value from it, read the value, leave. One
//! operation in a hundred replaces the value and retires the old one, like
//! a 99/1 read/write mix; a read-only group isolates the guard's cost.
//! 1 and 2 threads, in the same run.
//!
//! `cargo bench -p gomap --bench reclaim -- --warm-up-time 1 --measurement-time 2`
//!
//! The time reported is per operation per thread (each thread runs `iters`
//! operations; the slowest thread's time is reported).

use std::hint::black_box;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// The value read on every operation.
type Value = [u64; 4];

/// One reclamation scheme, holding a two-level structure: a "read map"
/// pointer leading to a value pointer.
trait Scheme: Sync {
    const NAME: &'static str;
    fn new() -> Self;
    /// A protected two-level load; returns the value's first word.
    fn read(&self) -> u64;
    /// Replaces the value and retires the old one.
    fn write(&self, v: u64);
}

/// seize: one guard protects both loads. `BATCH` is the collector's batch
/// size (0 = seize's default, 32 on this machine): every batch retired
/// costs one process-wide heavy barrier.
struct Seize<const BATCH: usize> {
    collector: seize::Collector,
    outer: AtomicPtr<SeizeOuter>,
}

struct SeizeOuter {
    inner: AtomicPtr<Value>,
}

impl<const BATCH: usize> Scheme for Seize<BATCH> {
    const NAME: &'static str = if BATCH == 0 {
        "seize"
    } else {
        "seize-batch-1024"
    };
    fn new() -> Self {
        let inner = AtomicPtr::new(Box::into_raw(Box::new([1; 4])));
        let collector = match BATCH {
            0 => seize::Collector::new(),
            n => seize::Collector::new().batch_size(n),
        };
        Seize {
            collector,
            outer: AtomicPtr::new(Box::into_raw(Box::new(SeizeOuter { inner }))),
        }
    }
    #[inline]
    fn read(&self) -> u64 {
        use seize::Guard;
        let guard = self.collector.enter();
        let outer = guard.protect(&self.outer, Ordering::Acquire);
        // SAFETY: never retired while the scheme lives.
        let inner = guard.protect(unsafe { &(*outer).inner }, Ordering::Acquire);
        // SAFETY: protected by `guard`.
        unsafe { (*inner)[0] }
    }
    fn write(&self, v: u64) {
        use seize::Guard;
        let guard = self.collector.enter();
        let outer = guard.protect(&self.outer, Ordering::Acquire);
        let new = Box::into_raw(Box::new([v; 4]));
        // SAFETY: `outer` is never retired while the scheme lives.
        let old = unsafe { &(*outer).inner }.swap(new, Ordering::AcqRel);
        // SAFETY: `old` is unreachable after the swap and retired once.
        unsafe { guard.defer_retire(old, seize::reclaim::boxed) };
    }
}

impl<const BATCH: usize> Drop for Seize<BATCH> {
    fn drop(&mut self) {
        let outer = *self.outer.get_mut();
        // SAFETY: exclusive access; both boxes are live.
        unsafe {
            drop(Box::from_raw(*(*outer).inner.get_mut()));
            drop(Box::from_raw(outer));
        }
    }
}

/// crossbeam-epoch: one pin protects both loads (global collector).
struct Epoch {
    outer: crossbeam_epoch::Atomic<EpochOuter>,
}

struct EpochOuter {
    inner: crossbeam_epoch::Atomic<Value>,
}

impl Scheme for Epoch {
    const NAME: &'static str = "crossbeam-epoch";
    fn new() -> Self {
        Epoch {
            outer: crossbeam_epoch::Atomic::new(EpochOuter {
                inner: crossbeam_epoch::Atomic::new([1; 4]),
            }),
        }
    }
    #[inline]
    fn read(&self) -> u64 {
        let guard = crossbeam_epoch::pin();
        let outer = self.outer.load(Ordering::Acquire, &guard);
        // SAFETY: never retired while the scheme lives.
        let inner = unsafe { outer.deref() }
            .inner
            .load(Ordering::Acquire, &guard);
        // SAFETY: protected by `guard`.
        unsafe { inner.deref()[0] }
    }
    fn write(&self, v: u64) {
        let guard = crossbeam_epoch::pin();
        let outer = self.outer.load(Ordering::Acquire, &guard);
        // SAFETY: never retired while the scheme lives.
        let old = unsafe { outer.deref() }.inner.swap(
            crossbeam_epoch::Owned::new([v; 4]),
            Ordering::AcqRel,
            &guard,
        );
        // SAFETY: `old` is unreachable after the swap and destroyed once.
        unsafe { guard.defer_destroy(old) };
    }
}

impl Drop for Epoch {
    fn drop(&mut self) {
        // SAFETY: exclusive access.
        unsafe {
            let g = crossbeam_epoch::unprotected();
            let outer = self.outer.load(Ordering::Relaxed, g);
            drop(outer.deref().inner.load(Ordering::Relaxed, g).into_owned());
            drop(outer.into_owned());
        }
    }
}

/// arc-swap: each level is its own protected load (two debt slots).
struct ArcSwap {
    outer: arc_swap::ArcSwap<ArcSwapOuter>,
}

struct ArcSwapOuter {
    inner: arc_swap::ArcSwap<Value>,
}

impl Scheme for ArcSwap {
    const NAME: &'static str = "arc-swap";
    fn new() -> Self {
        ArcSwap {
            outer: arc_swap::ArcSwap::from_pointee(ArcSwapOuter {
                inner: arc_swap::ArcSwap::from_pointee([1; 4]),
            }),
        }
    }
    #[inline]
    fn read(&self) -> u64 {
        let outer = self.outer.load();
        let inner = outer.inner.load();
        inner[0]
    }
    fn write(&self, v: u64) {
        self.outer.load().inner.store(Arc::new([v; 4]));
    }
}

/// Runs `iters` operations on each of `threads` threads, one write per
/// `write_every` (never if 0); returns the slowest thread's time.
fn run<S: Scheme>(s: &S, threads: usize, iters: u64, write_every: u64) -> Duration {
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        if write_every != 0 && i % write_every == write_every - 1 {
                            s.write(i);
                        } else {
                            black_box(s.read());
                        }
                    }
                    start.elapsed()
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

fn bench<S: Scheme>(c: &mut Criterion) {
    // 99/1 is the mix the choice is made on; read-only isolates the cost of
    // the guard itself from the cost of retiring and freeing.
    for (name, write_every) in [("reclaim/99-1", 100), ("reclaim/read-only", 0)] {
        let mut group = c.benchmark_group(name);
        for threads in [1, 2] {
            group.bench_function(BenchmarkId::new(S::NAME, format!("{threads}t")), |b| {
                let s = S::new();
                b.iter_custom(|iters| run(&s, threads, iters, write_every));
            });
        }
        group.finish();
    }
}

fn all(c: &mut Criterion) {
    bench::<Seize<0>>(c);
    bench::<Seize<1024>>(c);
    bench::<Epoch>(c);
    bench::<ArcSwap>(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
