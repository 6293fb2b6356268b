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
//!   inside the entry (reached through the entry's slot index, a dependent
//!   load, as `SyncMap`'s pointer into the entry is), or in its own box
//!   (after random overwrites, as in a map whose values are boxed and
//!   rewritten). Both are safe Rust with the memory accesses of the real
//!   chain: nothing writes during the timed part.
//! - `seize_guard`: entering and leaving a seize collector, nothing else.
//! - `syncmap_load` and `syncmap_pinned_load`: the real thing, after every
//!   key was overwritten three times, per-operation guard or one pinned
//!   handle for the whole sample.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// An entry with its value inside, as `SyncMap` lays out a small value:
/// `slot` names which of `slots` holds the value, and the value is read at
/// an address computed from it, so the second load waits for the first, as
/// a pointer into the entry would make it. 24 bytes, the same 32-byte
/// malloc chunk as a pointer and a value. The Acquire load is a plain load
/// on x86, as `SyncMap`'s is.
struct InlineEntry {
    slot: AtomicUsize,
    slots: [u64; 2],
}

impl InlineEntry {
    fn new(value: u64) -> Self {
        InlineEntry {
            slot: AtomicUsize::new(0),
            slots: [value, 0],
        }
    }

    #[inline]
    fn load(&self) -> u64 {
        // The mask keeps the index in bounds without a branch.
        self.slots[self.slot.load(Ordering::Acquire) & 1]
    }
}

/// An entry whose value is boxed elsewhere: the read follows the entry's
/// pointer to the box, a second allocation.
struct BoxedEntry {
    value: Box<u64>,
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

    let inline: GoMap<u64, Box<InlineEntry>> = (0..KEYS)
        .map(|k| (k, Box::new(InlineEntry::new(k))))
        .collect();
    g.bench_function("chain_inline", |b| {
        run(b, &keys, |k| inline[&k].load());
    });

    let mut boxed: GoMap<u64, Box<BoxedEntry>> = GoMap::new();
    for k in 0..KEYS {
        boxed.insert(k, Box::new(BoxedEntry { value: Box::new(k) }));
    }
    // Overwrite in random order, as a stream of random writes would: each
    // new box reuses memory the allocator got back from an earlier one, so
    // the boxes stay as compact as before, only permuted. The new box is
    // allocated before the old one is freed, as a swap-then-retire would.
    for _ in 0..3 {
        for _ in 0..KEYS {
            let k = rng.u64(..KEYS);
            let e = boxed.get_mut(&k).unwrap();
            let old = std::mem::replace(&mut e.value, Box::new(k));
            drop(old);
        }
    }
    g.bench_function("chain_boxed", |b| {
        run(b, &keys, |k| *boxed[&k].value);
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

clock::main_with_clock!(benches);
