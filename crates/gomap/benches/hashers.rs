//! Which `BuildHasher` should be gomap's default? Each candidate inside
//! `GoMap`, on the workloads where hashing is most of the work that is not
//! a cache miss: inserting N keys into a map made with capacity N, and
//! looking every key up (shuffled).
//!
//! ```text
//! cargo bench -p gomap --bench hashers
//! ```
//!
//! Candidates: foldhash `fast` (the default) and `quality`, aHash, rustc-hash
//! (FxHash) and std's SipHash-1-3. Keys: `u64` at N = 1e5 and `String`
//! (decimal text, probed with separately allocated copies) at N = 1e5, from
//! the same key streams as `benches/maps.rs`. The map writes its 32-bit seed
//! before the key, so every candidate hashes a `u32` then the key.
//! `GOMAP_BENCH_QUICK=1` shortens warm-up and measurement. Time is the
//! thread's CPU time (see `common/clock.rs`); divide by N for ns per op.
#![forbid(unsafe_code)]

use std::collections::hash_map::RandomState as SipHash;
use std::hash::{BuildHasher, Hash};
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{BatchSize, Criterion, SamplingMode};
use gomap::GoMap;

#[path = "common/clock.rs"]
mod clock;
#[path = "common/keys.rs"]
mod keys;
use keys::*;

const N: usize = 100_000;

/// aHash with random keys (its own `Default` needs an RNG feature that
/// pulls in getrandom; the hashing is the same).
#[derive(Clone)]
struct AHash(ahash::RandomState);

impl Default for AHash {
    fn default() -> Self {
        let k = || fastrand::u64(..);
        AHash(ahash::RandomState::with_seeds(k(), k(), k(), k()))
    }
}

impl BuildHasher for AHash {
    type Hasher = ahash::AHasher;
    #[inline]
    fn build_hasher(&self) -> ahash::AHasher {
        self.0.build_hasher()
    }
}

fn quick() -> bool {
    std::env::var_os("GOMAP_BENCH_QUICK").is_some_and(|v| v != "0")
}

fn run<K, S, T>(c: &mut Criterion<T>, key: &str, hasher: &str, keys: &[K], probes: &[K])
where
    K: Hash + Eq + Clone,
    S: BuildHasher + Default,
    T: Measurement,
{
    let (warm, meas) = if quick() { (0.2, 0.8) } else { (0.5, 2.0) };
    let mut g = c.benchmark_group(format!("hashers-{key}"));
    g.warm_up_time(Duration::from_secs_f64(warm));
    g.measurement_time(Duration::from_secs_f64(meas));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function(format!("insert_hint/{hasher}"), |b| {
        b.iter_batched(
            || keys.to_vec(),
            |keys| {
                let mut m: GoMap<K, u64, S> = GoMap::with_capacity_and_hasher(N, S::default());
                for (i, k) in keys.into_iter().enumerate() {
                    m.insert(k, i as u64);
                }
                m
            },
            BatchSize::PerIteration,
        )
    });
    let mut full: GoMap<K, u64, S> = GoMap::with_capacity_and_hasher(0, S::default());
    for (i, k) in keys.iter().enumerate() {
        full.insert(k.clone(), i as u64);
    }
    g.bench_function(format!("lookup_hit/{hasher}"), |b| {
        b.iter(|| {
            let mut s = 0u64;
            for k in probes {
                s = s.wrapping_add(*full.get(k).unwrap());
            }
            black_box(s)
        })
    });
    g.finish();
}

fn all<K: Hash + Eq + Clone, T: Measurement>(c: &mut Criterion<T>, key: &str, keys: &[K]) {
    let order = shuffled_indices(keys.len());
    let probes: Vec<K> = order.iter().map(|&i| keys[i].clone()).collect();
    run::<K, foldhash::fast::RandomState, T>(c, key, "foldhash_fast", keys, &probes);
    run::<K, foldhash::quality::RandomState, T>(c, key, "foldhash_quality", keys, &probes);
    run::<K, AHash, T>(c, key, "ahash", keys, &probes);
    run::<K, rustc_hash::FxBuildHasher, T>(c, key, "fxhash", keys, &probes);
    run::<K, SipHash, T>(c, key, "siphash", keys, &probes);
}

fn benches<T: Measurement>(c: &mut Criterion<T>) {
    all(c, "u64", &u64_keys(N));
    all(c, "string", &string_keys(N));
}

clock::main_with_clock!(benches);
