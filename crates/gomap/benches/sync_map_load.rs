//! Where the time of one `SyncMap` load goes. One thread, loads only, the
//! same 10,000 `u64` keys and random key stream as `benches/sync_map.rs`,
//! timed on the thread's CPU clock (`common/clock.rs`):
//!
//! `cargo bench -p gomap --bench sync_map_load -- --warm-up-time 1 --measurement-time 2`
//!
//! The rows peel a load apart:
//!
//! - `hashmap` and `rwlock_hashmap`: std's `HashMap::get`, bare and behind
//!   an uncontended `RwLock` (the lock's two atomic read-modify-writes).
//! - `gomap`: `GoMap<u64, u64>::get`, the bucket lookup alone.
//! - `chain_inline` and `chain_boxed`: a read map of entries as `SyncMap`
//!   lays it out (bucket → entry → value), without any guard; the value is
//!   inside the entry, or in its own box (after random overwrites, as in a
//!   map whose values are boxed and rewritten).
//! - `seize_guard`: entering and leaving a seize collector, nothing else.
//! - `syncmap_load` and `syncmap_pinned_load`: the real thing, after every
//!   key was overwritten three times, per-operation guard or one pinned
//!   handle for the whole sample.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::RwLock;

use criterion::measurement::Measurement;
use criterion::{Bencher, Criterion};
use gomap::{DefaultHashBuilder, GoMap, SyncMap};

#[path = "common/clock.rs"]
mod clock;

/// Keys in every map.
const KEYS: u64 = 10_000;
/// Length of the random key stream (cycled).
const STREAM: usize = 1 << 14;

/// An entry with its value inside: `p` points at `value`.
struct InlineEntry {
    p: AtomicPtr<u64>,
    value: u64,
}

/// An owned `InlineEntry`, held by raw pointer so that `p` may point into
/// it.
struct InlineBox(*mut InlineEntry);

impl InlineBox {
    fn new(value: u64) -> Self {
        let raw = Box::into_raw(Box::new(InlineEntry {
            p: AtomicPtr::new(std::ptr::null_mut()),
            value,
        }));
        // SAFETY: `raw` is a live, exclusively owned allocation.
        unsafe { (*raw).p = AtomicPtr::new(std::ptr::addr_of_mut!((*raw).value)) };
        InlineBox(raw)
    }

    fn load(&self) -> u64 {
        // SAFETY: the allocation lives as long as `self`; `p` points at its
        // `value`, which nobody writes after `new`.
        unsafe { *(*self.0).p.load(Ordering::Acquire) }
    }
}

impl Drop for InlineBox {
    fn drop(&mut self) {
        // SAFETY: made by `Box::into_raw` in `new`, freed once.
        drop(unsafe { Box::from_raw(self.0) });
    }
}

/// An entry whose value is boxed elsewhere.
struct BoxedEntry {
    p: AtomicPtr<u64>,
}

impl Drop for BoxedEntry {
    fn drop(&mut self) {
        // SAFETY: `p` always holds a box made by `Box::into_raw`, owned by
        // this entry.
        drop(unsafe { Box::from_raw(*self.p.get_mut()) });
    }
}

/// Runs `f` on the stream's keys, `iters` times in all.
fn run<M: Measurement>(b: &mut Bencher<'_, M>, keys: &[u64], mut f: impl FnMut(u64) -> u64) {
    b.iter(|| {
        let mut acc = 0;
        for &k in keys {
            acc ^= f(black_box(k));
        }
        acc
    });
}

fn benches<M: Measurement>(c: &mut Criterion<M>) {
    let mut rng = fastrand::Rng::with_seed(1);
    let keys: Vec<u64> = (0..STREAM).map(|_| rng.u64(..KEYS)).collect();
    let mut g = c.benchmark_group("sync_map_load");
    g.throughput(criterion::Throughput::Elements(STREAM as u64));

    let std_map: HashMap<u64, u64, DefaultHashBuilder> = (0..KEYS).map(|k| (k, k)).collect();
    g.bench_function("hashmap", |b| {
        run(b, &keys, |k| std_map[&k]);
    });
    let locked = RwLock::new(std_map.clone());
    g.bench_function("rwlock_hashmap", |b| {
        run(b, &keys, |k| locked.read().unwrap()[&k]);
    });
    let go: GoMap<u64, u64> = (0..KEYS).map(|k| (k, k)).collect();
    g.bench_function("gomap", |b| {
        run(b, &keys, |k| go[&k]);
    });

    let inline: GoMap<u64, InlineBox> = (0..KEYS).map(|k| (k, InlineBox::new(k))).collect();
    g.bench_function("chain_inline", |b| {
        run(b, &keys, |k| inline[&k].load());
    });

    let mut boxed: GoMap<u64, Box<BoxedEntry>> = GoMap::new();
    for k in 0..KEYS {
        let p = AtomicPtr::new(Box::into_raw(Box::new(k)));
        boxed.insert(k, Box::new(BoxedEntry { p }));
    }
    // Overwrite in random order, as a stream of random writes would: each
    // new box reuses memory the allocator got back from an earlier one, so
    // the boxes stay as compact as before, only permuted.
    for _ in 0..3 {
        for _ in 0..KEYS {
            let k = rng.u64(..KEYS);
            let e = &boxed[&k];
            let old = e.p.swap(Box::into_raw(Box::new(k)), Ordering::Relaxed);
            // SAFETY: `old` was the entry's box, now swapped out and ours.
            drop(unsafe { Box::from_raw(old) });
        }
    }
    g.bench_function("chain_boxed", |b| {
        run(b, &keys, |k| {
            let p = boxed[&k].p.load(Ordering::Acquire);
            // SAFETY: `p` is the entry's live box; nobody replaces it during
            // the benchmark.
            unsafe { *p }
        });
    });

    let collector = seize::Collector::new();
    g.bench_function("seize_guard", |b| {
        run(b, &keys, |k| {
            let guard = collector.enter();
            black_box(&guard);
            k
        });
    });

    let m = SyncMap::new();
    for k in 0..KEYS {
        m.store(k, k);
    }
    m.range(|_, _| true); // promote
    for _ in 0..3 {
        for _ in 0..KEYS {
            let k = rng.u64(..KEYS);
            m.store(k, k);
        }
    }
    g.bench_function("syncmap_load", |b| {
        run(b, &keys, |k| *m.load(&k).unwrap());
    });
    g.bench_function("syncmap_pinned_load", |b| {
        let pinned = m.pin();
        run(b, &keys, |k| *pinned.load(&k).unwrap());
    });
    g.finish();
}

fn main() {
    if clock::use_wall() {
        let mut c = Criterion::default().configure_from_args();
        benches(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::default()
            .with_measurement(clock::ThreadCpu::new())
            .configure_from_args();
        benches(&mut c);
        c.final_summary();
    }
}
