//! Map benchmarks (issues 6 and 15): gomap's two engines (`GoMap`, the
//! classic map, and `SwissMap`) against std (SipHash and foldhash),
//! hashbrown, indexmap and griddle, on the workloads `bench/go` runs on Go's
//! maps (1.19's and 1.27's) with the same keys (see `common/keys.rs`).
//!
//! `cargo bench -p gomap --bench maps` runs u64 keys at N = 1e3 and 1e5 and
//! String keys at N = 1e3, 1e5 and 1e6. Environment:
//! - `GOMAP_BENCH_BIG=1` adds u64 keys at N = 1e7 (minutes per map);
//! - `GOMAP_BENCH_QUICK=1` shortens warm-up and measurement (scripts/bench.sh);
//! - `GOMAP_BENCH_MAPS=gomap,hashbrown` runs only the named maps
//!   (scripts/bench.sh runs each map in a process of its own: maps measured
//!   later in a shared process get their key copies from fresher heap
//!   memory, which favours them; `bench/analysis.md` has the figures).
//!
//! Every benchmark's iteration does a whole workload over N keys (or
//! `MIXED_OPS` operations); scripts/bench_report.py divides criterion's
//! median by that count to get ns/op. All fast-hasher maps use
//! foldhash::fast::RandomState, gomap's default.
//!
//! Time is the thread's CPU time (see `common/clock.rs`); set
//! `GOMAP_BENCH_CLOCK=wall` for wall time.
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::Hash;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode};

#[path = "common/clock.rs"]
mod clock;
#[path = "common/keys.rs"]
mod keys;
use keys::*;

type Fast = foldhash::fast::RandomState;

/// The operations a workload needs, over any of the maps.
trait BenchMap<K>: Clone {
    fn make(hint: usize) -> Self;
    fn put(&mut self, k: K, v: u64);
    fn look<Q: ?Sized + Hash + Eq>(&self, q: &Q) -> Option<u64>
    where
        K: Borrow<Q>;
    fn del<Q: ?Sized + Hash + Eq>(&mut self, q: &Q) -> Option<u64>
    where
        K: Borrow<Q>;
    fn fold(&self) -> u64;
}

macro_rules! std_like {
    ($ty:ty, $make:expr, $del:ident) => {
        impl<K: Hash + Eq + Clone> BenchMap<K> for $ty {
            #[inline]
            fn make(hint: usize) -> Self {
                $make(hint)
            }
            #[inline]
            fn put(&mut self, k: K, v: u64) {
                self.insert(k, v);
            }
            #[inline]
            fn look<Q: ?Sized + Hash + Eq>(&self, q: &Q) -> Option<u64>
            where
                K: Borrow<Q>,
            {
                self.get(q).copied()
            }
            #[inline]
            fn del<Q: ?Sized + Hash + Eq>(&mut self, q: &Q) -> Option<u64>
            where
                K: Borrow<Q>,
            {
                self.$del(q)
            }
            #[inline]
            fn fold(&self) -> u64 {
                let mut s = 0u64;
                for (_, v) in self.iter() {
                    s = s.wrapping_add(*v);
                }
                s
            }
        }
    };
}

std_like!(gomap::GoMap<K, u64>, |h| gomap::GoMap::with_capacity(h), remove);
std_like!(
    gomap::SwissMap<K, u64>,
    <gomap::SwissMap<K, u64> as gomap::SwissNew>::with_capacity,
    remove
);
std_like!(std::collections::HashMap<K, u64>, |h| std::collections::HashMap::with_capacity(h), remove);
std_like!(
    std::collections::HashMap<K, u64, Fast>,
    |h| std::collections::HashMap::with_capacity_and_hasher(h, Fast::default()),
    remove
);
std_like!(
    hashbrown::HashMap<K, u64, Fast>,
    |h| hashbrown::HashMap::with_capacity_and_hasher(h, Fast::default()),
    remove
);
// swap_remove: O(1), the fair counterpart of a hash map delete.
std_like!(
    indexmap::IndexMap<K, u64, Fast>,
    |h| indexmap::IndexMap::with_capacity_and_hasher(h, Fast::default()),
    swap_remove
);
std_like!(
    griddle::HashMap<K, u64, Fast>,
    |h| griddle::HashMap::with_capacity_and_hasher(h, Fast::default()),
    remove
);

/// Key types: u64, and String probed with &str.
trait Key: Hash + Eq + Clone + Borrow<Self::Probe> {
    type Probe: ?Sized + Hash + Eq;
    const NAME: &'static str;
    fn gen(n: usize) -> Vec<Self>;
    /// Fresh copies (for String: new allocations, as a caller's own probes would be).
    fn copies(v: &[Self]) -> Vec<Self> {
        v.to_vec()
    }
}
impl Key for u64 {
    type Probe = u64;
    const NAME: &'static str = "u64";
    fn gen(n: usize) -> Vec<u64> {
        u64_keys(n)
    }
}
impl Key for String {
    type Probe = str;
    const NAME: &'static str = "string";
    fn gen(n: usize) -> Vec<String> {
        string_keys(n)
    }
}

fn quick() -> bool {
    std::env::var_os("GOMAP_BENCH_QUICK").is_some_and(|v| v != "0")
}

fn big() -> bool {
    std::env::var_os("GOMAP_BENCH_BIG").is_some_and(|v| v != "0")
}

fn wanted(map: &str) -> bool {
    match std::env::var("GOMAP_BENCH_MAPS") {
        Ok(list) if !list.is_empty() => list.split(',').any(|m| m.trim() == map),
        _ => true,
    }
}

fn configure<T: Measurement>(g: &mut BenchmarkGroup<'_, T>, n: usize) {
    let (warm, meas) = if quick() { (0.2, 0.6) } else { (0.5, 1.5) };
    g.warm_up_time(Duration::from_secs_f64(warm));
    g.measurement_time(Duration::from_secs_f64(meas));
    g.sample_size(10);
    // Whole-workload iterations are long at large N: one iteration per
    // sample instead of criterion's 1..=10 ramp (55 iterations minimum).
    if n >= 100_000 {
        g.sampling_mode(SamplingMode::Flat);
    }
}

/// Shared inputs for one key type and N.
struct Inputs<K> {
    keys: Vec<K>,
    /// Shuffled copies of the keys (separate allocations for strings).
    probes: Vec<K>,
    misses: Vec<K>,
    /// Keys for the mixed workload (the map keys, then the ones it inserts).
    mixed_keys: Vec<K>,
    mixed: Vec<MixedOp>,
}

impl<K: Key> Inputs<K> {
    fn new(n: usize) -> Self {
        let ops = MIXED_OPS;
        let total = (2 * n).max(mixed_key_count(n, ops));
        let all = K::gen(total);
        let keys = all[..n].to_vec();
        let misses = all[n..2 * n].to_vec();
        let live: HashSet<&K> = keys.iter().collect();
        assert_eq!(live.len(), n, "duplicate keys");
        assert!(
            misses.iter().all(|k| !live.contains(k)),
            "a miss probe is a key"
        );
        let order = shuffled_indices(n);
        let probes = K::copies(&order.iter().map(|&i| keys[i].clone()).collect::<Vec<_>>());
        let mixed_keys = K::copies(&all[..mixed_key_count(n, ops)]);
        Inputs {
            keys,
            probes,
            misses,
            mixed_keys,
            mixed: mixed_ops(n, ops),
        }
    }
}

fn build<K: Key, M: BenchMap<K>>(keys: &[K], hint: usize) -> M {
    let mut m = M::make(hint);
    for (i, k) in keys.iter().enumerate() {
        m.put(k.clone(), i as u64);
    }
    m
}

fn run_map<K: Key, M: BenchMap<K>, T: Measurement>(
    c: &mut Criterion<T>, name: &str, n: usize, inp: &Inputs<K>,
) {
    if !wanted(name) {
        return;
    }
    let id = |w: &str| format!("{}-{}", K::NAME, w);
    let full: M = build(&inp.keys, 0);

    let mut bench = |w: &str, f: &mut dyn FnMut(&mut criterion::Bencher<'_, T>)| {
        let mut g = c.benchmark_group(id(w));
        configure(&mut g, n);
        g.bench_function(criterion::BenchmarkId::new(name, n), |b| f(b));
        g.finish();
    };

    // Insert N new keys into an empty map (hint 0, then hint N). The key
    // vector is cloned outside the timed region; the map is dropped outside it.
    for (w, hint) in [("insert", 0), ("insert_hint", n)] {
        bench(w, &mut |b| {
            b.iter_batched(
                || inp.keys.clone(),
                |keys| {
                    let mut m = M::make(hint);
                    for (i, k) in keys.into_iter().enumerate() {
                        m.put(k, i as u64);
                    }
                    m
                },
                BatchSize::PerIteration,
            )
        });
    }

    bench("lookup_hit", &mut |b| {
        b.iter(|| {
            let mut s = 0u64;
            for k in &inp.probes {
                s = s.wrapping_add(full.look(k.borrow()).unwrap_or(1));
            }
            black_box(s)
        })
    });

    bench("lookup_miss", &mut |b| {
        b.iter(|| {
            let mut s = 0u64;
            for k in &inp.misses {
                s = s.wrapping_add(full.look(k.borrow()).unwrap_or(1));
            }
            black_box(s)
        })
    });

    bench("remove", &mut |b| {
        b.iter_batched(
            || full.clone(),
            |mut m| {
                let mut s = 0u64;
                for k in &inp.probes {
                    s = s.wrapping_add(m.del(k.borrow()).unwrap_or(1));
                }
                black_box(s);
                m
            },
            BatchSize::PerIteration,
        )
    });

    bench("iterate", &mut |b| b.iter(|| black_box(full.fold())));

    // Steady mixed workload, MIXED_OPS operations from the full map.
    bench("mixed", &mut |b| {
        b.iter_batched(
            || (full.clone(), inp.mixed_keys[n..].to_vec()),
            |(mut m, new_keys)| {
                let mut s = 0u64;
                let mut new_keys = new_keys.into_iter();
                for op in &inp.mixed {
                    match *op {
                        MixedOp::Lookup(i) => {
                            s = s.wrapping_add(m.look(inp.mixed_keys[i].borrow()).unwrap_or(1))
                        }
                        MixedOp::Insert(i) => m.put(new_keys.next().unwrap(), i as u64),
                        MixedOp::Remove(i) => {
                            s = s.wrapping_add(m.del(inp.mixed_keys[i].borrow()).unwrap_or(1))
                        }
                    }
                }
                black_box(s);
                m
            },
            BatchSize::PerIteration,
        )
    });
}

fn run_all<K: Key, T: Measurement>(c: &mut Criterion<T>, n: usize) {
    let inp = Inputs::<K>::new(n);
    run_map::<K, gomap::GoMap<K, u64>, T>(c, "gomap", n, &inp);
    run_map::<K, gomap::SwissMap<K, u64>, T>(c, "swissmap", n, &inp);
    run_map::<K, hashbrown::HashMap<K, u64, Fast>, T>(c, "hashbrown", n, &inp);
    run_map::<K, std::collections::HashMap<K, u64, Fast>, T>(c, "std_foldhash", n, &inp);
    run_map::<K, std::collections::HashMap<K, u64>, T>(c, "std_siphash", n, &inp);
    run_map::<K, indexmap::IndexMap<K, u64, Fast>, T>(c, "indexmap", n, &inp);
    run_map::<K, griddle::HashMap<K, u64, Fast>, T>(c, "griddle", n, &inp);
}

fn benches<T: Measurement>(c: &mut Criterion<T>) {
    for n in [1_000, 100_000] {
        run_all::<u64, T>(c, n);
    }
    if big() {
        run_all::<u64, T>(c, 10_000_000);
    }
    // N = 100,000 for issue 15's goals (SwissMap at 1e3 and 1e5, both key types).
    for n in [1_000, 100_000, 1_000_000] {
        run_all::<String, T>(c, n);
    }
}

clock::main_with_clock!(benches);
