//! How much of a hinted fill is the first touch of fresh pages: the
//! `insert_hint` workload of `benches/maps.rs` (`with_capacity(N)`, then N
//! pre-built keys moved in), with the allocation and the inserts timed
//! apart and the minor page faults of both counted.
//!
//! ```text
//! cargo run --release -p gomap --example fresh_pages -- [N] [REPS] [MAPS]
//! GLIBC_TUNABLES=glibc.malloc.trim_threshold=4000000000:glibc.malloc.mmap_threshold=4000000000 \
//!   target/release/examples/fresh_pages [N] [REPS]
//! ```
//!
//! Each repetition builds a fresh map of `String` keys (the decimal text of
//! the shared splitmix64 stream, as in the benchmarks), N = 1,000,000 by
//! default, and drops it untimed. glibc gives a freed block of that size
//! back to the kernel, so the next map's memory arrives as fresh pages
//! that fault on first touch: in the allocation for `SwissMap` (it writes
//! every group's control word, Go's empty byte being 0x80), in the inserts
//! for hashbrown (its slots are written where keys land). The second
//! command keeps freed memory in the process, as Go's heap does between
//! the maps of `bench/go`. Prints, per map, the median over the
//! repetitions: allocation ms, inserts ns per key, and faults per 1,000
//! keys. Times are the thread's CPU time, as in the benchmarks. `MAPS`
//! (default `swissmap,hashbrown,gomap`) picks the maps, e.g. one at a time
//! under `perf stat`.
#![forbid(unsafe_code)]

use gomap::SwissNew;

#[path = "../benches/common/clock.rs"]
mod clock;
#[path = "../benches/common/keys.rs"]
mod keys;

/// Minor page faults this thread has taken so far.
fn minor_faults() -> u64 {
    let ru = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
        .expect("getrusage(RUSAGE_THREAD)");
    ru.minor_page_faults() as u64
}

/// One repetition's figures: allocation ns, insert ns, faults in each.
struct Rep {
    alloc_ns: u64,
    insert_ns: u64,
    alloc_faults: u64,
    insert_faults: u64,
}

/// A map the example fills: made with room for `n` keys, then filled.
trait Fill {
    fn with_room(n: usize) -> Self;
    fn put(&mut self, k: String, v: u64);
    fn size(&self) -> usize;
}

macro_rules! fill {
    ($ty:ty, $n:ident => $make:expr) => {
        impl Fill for $ty {
            fn with_room($n: usize) -> Self {
                $make
            }
            fn put(&mut self, k: String, v: u64) {
                self.insert(k, v);
            }
            fn size(&self) -> usize {
                self.len()
            }
        }
    };
}

fill!(gomap::SwissMap<String, u64>, n => gomap::SwissMap::with_capacity(n));
fill!(gomap::GoMap<String, u64>, n => gomap::GoMap::with_capacity(n));
fill!(
    hashbrown::HashMap<String, u64, foldhash::fast::RandomState>,
    n => hashbrown::HashMap::with_capacity_and_hasher(n, Default::default())
);

/// Times making an `M` for the keys of `batch` and inserting them; the
/// map is dropped after the clocks stop.
fn rep<M: Fill>(batch: Vec<String>) -> Rep {
    let n = batch.len();
    let (f0, t0) = (minor_faults(), clock::thread_cpu_ns());
    let mut m = M::with_room(n);
    let (f1, t1) = (minor_faults(), clock::thread_cpu_ns());
    for (i, k) in batch.into_iter().enumerate() {
        m.put(k, i as u64);
    }
    let (f2, t2) = (minor_faults(), clock::thread_cpu_ns());
    assert_eq!(m.size(), n);
    drop(m);
    Rep {
        alloc_ns: t1 - t0,
        insert_ns: t2 - t1,
        alloc_faults: f1 - f0,
        insert_faults: f2 - f1,
    }
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn report(name: &str, n: usize, reps: &[Rep]) {
    let col = |f: &dyn Fn(&Rep) -> u64| median(reps.iter().map(f).collect());
    let per_k = |faults: u64| faults as f64 * 1000.0 / n as f64;
    println!(
        "{name:<10} alloc {:7.2} ms ({:6.1} faults/1k keys)  inserts {:7.1} ns/key ({:6.1} faults/1k keys)",
        col(&|r| r.alloc_ns) as f64 / 1e6,
        per_k(col(&|r| r.alloc_faults)),
        col(&|r| r.insert_ns) as f64 / n as f64,
        per_k(col(&|r| r.insert_faults)),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse = |i: usize, default: usize| -> usize {
        args.get(i).map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("fresh_pages: not a count: {a:?} (usage: fresh_pages [N] [REPS] [MAPS])");
                std::process::exit(2)
            })
        })
    };
    let (n, reps) = (parse(0, 1_000_000).max(1), parse(1, 7).max(1));
    let maps = args
        .get(2)
        .map_or("swissmap,hashbrown,gomap", String::as_str);
    type Run = fn(Vec<String>) -> Rep;
    let all: [(&str, Run); 3] = [
        ("swissmap", rep::<gomap::SwissMap<String, u64>>),
        (
            "hashbrown",
            rep::<hashbrown::HashMap<String, u64, foldhash::fast::RandomState>>,
        ),
        ("gomap", rep::<gomap::GoMap<String, u64>>),
    ];
    let mut chosen = Vec::new();
    for name in maps.split(',') {
        let Some(&(name, run)) = all.iter().find(|(m, _)| *m == name) else {
            eprintln!("fresh_pages: unknown map {name:?} (maps: swissmap, hashbrown, gomap)");
            std::process::exit(2);
        };
        chosen.push((name, run, Vec::new()));
    }
    let keys = keys::string_keys(n);
    let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    println!("N = {n}, {reps} repetitions, GLIBC_TUNABLES={tunables:?}");
    for _ in 0..reps {
        // The maps take turns, so load that comes and goes falls on all.
        for (_, run, reps) in &mut chosen {
            reps.push(run(keys.clone()));
        }
    }
    for (name, _, reps) in &chosen {
        report(name, n, reps);
    }
}
