//! A tight loop over one map workload, for `perf record` / callgrind
//! (criterion's own setup would dominate a profile).
//!
//! ```text
//! cargo build --release -p gomap --example hotpath
//! perf record -g target/release/examples/hotpath insert_hint 100000 200
//! valgrind --tool=callgrind target/release/examples/hotpath sw_lookup_hit 100000 5
//! ```
//!
//! A workload name is `[MAP_][str_]WORK`: `WORK` is one of insert,
//! insert_hint, lookup_hit, lookup_miss, remove (from a clone of the full
//! map, the clone included), iterate and mixed (the steady workload of
//! `benches/maps.rs`, `MIXED_OPS` operations per repetition); `str_` makes
//! the keys `String`s (the decimal text of the same keys, probed through
//! separately allocated copies, as in `benches/maps.rs`); `MAP_` picks the
//! map: none for `GoMap`, `sw_` for `SwissMap`, `hb_` for hashbrown (all
//! three with foldhash, gomap's default hasher). So `sw_str_lookup_hit` is
//! `SwissMap<String, u64>` hits.
//!
//! Besides those: insert_observed (a `GoMap` insert with a no-op observer
//! attached); the same hits through a promoted `SyncMap`: syncmap_load (a
//! guard per load) and syncmap_pinned_load (one `pin()` per 64 loads, as
//! the `SyncMap (pin)` rows of `benches/sync_map.rs`), and syncmap_store
//! (overwrites of the keys a promoted `SyncMap` holds: the write of the
//! 99/1 benchmark); and the concurrent maps `benches/sync_map.rs` compares
//! `SyncMap` with, on the same hits: dashmap_load, papaya_load (a guard per
//! load), papaya_pinned_load (one `pin()` per 64 loads) and rwlock_load
//! (`RwLock<HashMap>`, a read lock per load).
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::hash::Hash;
use std::hint::black_box;

use gomap::{DefaultHashBuilder, SwissNew};

type Hashbrown<K> = hashbrown::HashMap<K, u64, foldhash::fast::RandomState>;

#[path = "../benches/common/clock.rs"]
mod clock;
#[path = "../benches/common/keys.rs"]
mod keys;
use keys::*;

/// What a generic workload needs from a map.
trait HotMap<K>: Clone {
    fn make(hint: usize) -> Self;
    fn put(&mut self, k: K, v: u64);
    fn look<Q: ?Sized + Hash + Eq>(&self, q: &Q) -> Option<u64>
    where
        K: Borrow<Q>;
    fn del<Q: ?Sized + Hash + Eq>(&mut self, q: &Q) -> Option<u64>
    where
        K: Borrow<Q>;
    fn fold(&self) -> u64;
    fn size(&self) -> usize;
}

macro_rules! hot_map {
    ($ty:ty, $make:expr) => {
        impl<K: Hash + Eq + Clone> HotMap<K> for $ty {
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
                self.remove(q)
            }
            #[inline]
            fn fold(&self) -> u64 {
                self.values().fold(0u64, |s, v| s.wrapping_add(*v))
            }
            fn size(&self) -> usize {
                self.len()
            }
        }
    };
}

hot_map!(gomap::GoMap<K, u64>, gomap::GoMap::with_capacity);
hot_map!(gomap::SwissMap<K, u64>, <gomap::SwissMap<K, u64> as SwissNew>::with_capacity);
hot_map!(Hashbrown<K>, |h| Hashbrown::with_capacity_and_hasher(
    h,
    Default::default()
));

/// A workload's inputs for one key type: the map keys, their shuffled
/// copies, the miss probes, and the mixed workload's keys and operations.
struct Inputs<K> {
    keys: Vec<K>,
    probes: Vec<K>,
    misses: Vec<K>,
    mixed_keys: Vec<K>,
    mixed: Vec<MixedOp>,
}

impl<K: Clone> Inputs<K> {
    /// `conv` turns the u64 key stream into `K`; every vector is made by
    /// its own `conv` calls, so `String` probes are separate allocations.
    fn new(n: usize, conv: impl Fn(u64) -> K) -> Self {
        let total = (2 * n).max(mixed_key_count(n, MIXED_OPS));
        let all = u64_keys(total);
        let order = shuffled_indices(n);
        Inputs {
            keys: all[..n].iter().map(|&k| conv(k)).collect(),
            probes: order.iter().map(|&i| conv(all[i])).collect(),
            misses: all[n..2 * n].iter().map(|&k| conv(k)).collect(),
            mixed_keys: all[..mixed_key_count(n, MIXED_OPS)]
                .iter()
                .map(|&k| conv(k))
                .collect(),
            mixed: mixed_ops(n, MIXED_OPS),
        }
    }
}

/// Runs the generic workload `work` (named `name` on the command line) on
/// map type `M`, `reps` times, and prints its time per operation. The full map (for the workloads that
/// read one) is built before the clock starts.
fn run_generic<K, M>(name: &str, work: &str, inp: &Inputs<K>, reps: usize)
where
    K: Hash + Eq + Clone + Borrow<K::Probe> + Probe,
    M: HotMap<K>,
{
    let n = inp.keys.len();
    let reads_full = !work.starts_with("insert");
    let mut full = M::make(0);
    if reads_full {
        for (i, k) in inp.keys.iter().enumerate() {
            full.put(k.clone(), i as u64);
        }
    }
    let ops = if work == "mixed" { MIXED_OPS } else { n };
    let t = clock::thread_cpu_ns();
    let mut s = 0u64;
    for _ in 0..reps {
        match work {
            "insert" | "insert_hint" => {
                let hint = if work == "insert_hint" { n } else { 0 };
                let mut m = M::make(hint);
                for (i, k) in inp.keys.iter().enumerate() {
                    m.put(k.clone(), i as u64);
                }
                s += m.size() as u64;
            }
            "lookup_hit" => {
                for k in &inp.probes {
                    s = s.wrapping_add(full.look(k.borrow()).unwrap());
                }
            }
            "lookup_miss" => {
                for k in &inp.misses {
                    s = s.wrapping_add(full.look(k.borrow()).unwrap_or(1));
                }
            }
            "remove" => {
                let mut m = full.clone();
                for k in &inp.probes {
                    s = s.wrapping_add(m.del(k.borrow()).unwrap());
                }
            }
            "iterate" => s = s.wrapping_add(full.fold()),
            "mixed" => {
                let mut m = full.clone();
                let mut fresh = inp.mixed_keys[n..].iter();
                for op in &inp.mixed {
                    match *op {
                        MixedOp::Lookup(i) => {
                            s = s.wrapping_add(m.look(inp.mixed_keys[i].borrow()).unwrap_or(1))
                        }
                        MixedOp::Insert(i) => m.put(fresh.next().unwrap().clone(), i as u64),
                        MixedOp::Remove(i) => {
                            s = s.wrapping_add(m.del(inp.mixed_keys[i].borrow()).unwrap_or(1))
                        }
                    }
                }
            }
            w => unreachable!("{w} is not in GENERIC"),
        }
    }
    let ns = (clock::thread_cpu_ns() - t) as f64 / (reps * ops) as f64;
    black_box(s);
    println!("{name} n={n} reps={reps}: {ns:.2} ns/op (thread CPU time, including any clone)");
}

/// The borrowed form a key is probed with (`str` for `String`).
trait Probe {
    type Probe: ?Sized + Hash + Eq;
}
impl Probe for u64 {
    type Probe = u64;
}
impl Probe for String {
    type Probe = str;
}

/// The generic workloads, each run on any map and key type.
const GENERIC: [&str; 7] = [
    "insert",
    "insert_hint",
    "lookup_hit",
    "lookup_miss",
    "remove",
    "iterate",
    "mixed",
];

/// Runs `[MAP_][str_]WORK` if it names a generic workload.
fn run_named(work: &str, n: usize, reps: usize) -> Option<()> {
    let (map, rest) = match work.split_once('_') {
        Some(("sw", rest)) => ("sw", rest),
        Some(("hb", rest)) => ("hb", rest),
        _ => ("go", work),
    };
    let base = rest.strip_prefix("str_").unwrap_or(rest);
    if !GENERIC.contains(&base) {
        return None;
    }
    if base.len() < rest.len() {
        let inp = Inputs::new(n, |k| k.to_string());
        match map {
            "sw" => run_generic::<String, gomap::SwissMap<String, u64>>(work, base, &inp, reps),
            "hb" => run_generic::<String, Hashbrown<String>>(work, base, &inp, reps),
            _ => run_generic::<String, gomap::GoMap<String, u64>>(work, base, &inp, reps),
        }
    } else {
        let inp = Inputs::new(n, |k| k);
        match map {
            "sw" => run_generic::<u64, gomap::SwissMap<u64, u64>>(work, base, &inp, reps),
            "hb" => run_generic::<u64, Hashbrown<u64>>(work, base, &inp, reps),
            _ => run_generic::<u64, gomap::GoMap<u64, u64>>(work, base, &inp, reps),
        }
    }
    Some(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = args.first().map_or("insert", String::as_str).to_string();
    let n = args
        .get(1)
        .map_or(100_000, |s| s.parse::<f64>().unwrap() as usize);
    let reps = args.get(2).map_or(100, |s| s.parse::<usize>().unwrap());
    if run_named(&work, n, reps).is_some() {
        return;
    }
    let (keys, _) = u64_keys_and_misses(n);
    let order = shuffled_indices(n);
    let probes: Vec<u64> = order.iter().map(|&i| keys[i]).collect();
    let sync = gomap::SyncMap::<u64, u64>::new();
    if work.starts_with("syncmap") {
        for (i, &k) in keys.iter().enumerate() {
            sync.store(k, i as u64);
        }
        sync.range(|_, _| true); // promote: every load is lock-free
    }
    // The concurrent maps `benches/sync_map.rs` compares `SyncMap` with,
    // holding the same keys, for the `syncmap_*` workloads' counterparts.
    let dash = dashmap::DashMap::<u64, u64, DefaultHashBuilder>::default();
    let papaya = papaya::HashMap::<u64, u64, DefaultHashBuilder>::default();
    let rwlock = std::sync::RwLock::new(
        std::collections::HashMap::<u64, u64, DefaultHashBuilder>::default(),
    );
    match work.as_str() {
        "dashmap_load" => keys.iter().enumerate().for_each(|(i, &k)| {
            dash.insert(k, i as u64);
        }),
        "papaya_load" | "papaya_pinned_load" => {
            let m = papaya.pin();
            keys.iter().enumerate().for_each(|(i, &k)| {
                m.insert(k, i as u64);
            });
        }
        "rwlock_load" => {
            let mut m = rwlock.write().unwrap();
            keys.iter().enumerate().for_each(|(i, &k)| {
                m.insert(k, i as u64);
            });
        }
        _ => {}
    }
    let t = clock::thread_cpu_ns();
    let mut s = 0u64;
    for _ in 0..reps {
        match work.as_str() {
            "insert_observed" => {
                let mut m = gomap::GoMap::<u64, u64>::new();
                // Every event built and delivered, then discarded.
                m.set_observer(|e: &gomap::events::Event| {
                    black_box(e);
                });
                for (i, &k) in keys.iter().enumerate() {
                    m.insert(k, i as u64);
                }
                s += m.len() as u64;
            }
            "syncmap_load" => {
                for k in &probes {
                    s = s.wrapping_add(*sync.load(k).unwrap());
                }
            }
            "syncmap_pinned_load" => {
                for chunk in probes.chunks(64) {
                    let pinned = sync.pin();
                    for k in chunk {
                        s = s.wrapping_add(*pinned.load(k).unwrap());
                    }
                }
            }
            "syncmap_store" => {
                for (i, k) in probes.iter().enumerate() {
                    sync.store(*k, i as u64);
                }
                s += sync.len() as u64;
            }
            "dashmap_load" => {
                for k in &probes {
                    s = s.wrapping_add(*dash.get(k).unwrap());
                }
            }
            "papaya_load" => {
                for k in &probes {
                    s = s.wrapping_add(*papaya.pin().get(k).unwrap());
                }
            }
            "papaya_pinned_load" => {
                for chunk in probes.chunks(64) {
                    let pinned = papaya.pin();
                    for k in chunk {
                        s = s.wrapping_add(*pinned.get(k).unwrap());
                    }
                }
            }
            "rwlock_load" => {
                for k in &probes {
                    s = s.wrapping_add(*rwlock.read().unwrap().get(k).unwrap());
                }
            }
            w => panic!("unknown workload {w}"),
        }
    }
    let ns = (clock::thread_cpu_ns() - t) as f64 / (reps * n) as f64;
    black_box(s);
    println!("{work} n={n} reps={reps}: {ns:.2} ns/op (thread CPU time)");
}
