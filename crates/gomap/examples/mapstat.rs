//! Insertion tail latency and peak memory, one map per process (issue 6).
//!
//! ```text
//! cargo run --release -p gomap --example mapstat -- latency gomap [N]
//! cargo run --release -p gomap --example mapstat -- memory gomap [N]
//! cargo run --release -p gomap --example mapstat -- keys
//! ```
//!
//! Maps: gomap, hashbrown, std_foldhash, std_siphash, indexmap, griddle.
//! N defaults to 1e7 `u64 → u64` keys from the shared splitmix64 stream,
//! inserted with no hint. `latency` times every insert (the clock read
//! between two inserts, as `bench/go` does) in wall time and in thread CPU
//! time, and prints max, p99.99, p99.9, p50 of each;
//! `memory` prints the peak RSS (VmHWM from /proc/self/status) above the
//! process's baseline, per entry. Output is one JSON line.

use std::time::Instant;

#[path = "../benches/common/clock.rs"]
mod clock;
#[path = "../benches/common/keys.rs"]
mod keys;
use keys::*;

type Fast = foldhash::fast::RandomState;

trait Insert {
    fn put(&mut self, k: u64, v: u64);
    fn size(&self) -> usize;
}

macro_rules! insert_impl {
    ($($ty:ty),*) => {$(
        impl Insert for $ty {
            #[inline]
            fn put(&mut self, k: u64, v: u64) {
                self.insert(k, v);
            }
            fn size(&self) -> usize {
                self.len()
            }
        }
    )*};
}

insert_impl!(
    gomap::GoMap<u64, u64>,
    hashbrown::HashMap<u64, u64, Fast>,
    std::collections::HashMap<u64, u64, Fast>,
    std::collections::HashMap<u64, u64>,
    indexmap::IndexMap<u64, u64, Fast>,
    griddle::HashMap<u64, u64, Fast>
);

fn vm_hwm() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn latency<M: Insert>(name: &str, mut m: M, n: usize) {
    // Two clocks per insert: wall time, and the thread's CPU time, which
    // leaves out the time the thread was descheduled (the machine may be
    // shared); page faults and everything else the insert does on the CPU
    // count in both. Each sample is the time between two clock reads.
    let mut wall = vec![0u32; n];
    let mut cpu = vec![0u32; n];
    let mut r = SplitMix64(SEED);
    let start = Instant::now();
    let mut prev = start;
    let mut prev_cpu = clock::thread_cpu_ns();
    for i in 0..n {
        m.put(r.next_u64(), i as u64);
        let now = Instant::now();
        let now_cpu = clock::thread_cpu_ns();
        wall[i] = (now - prev).as_nanos().min(u32::MAX as u128) as u32;
        cpu[i] = (now_cpu - prev_cpu).min(u32::MAX as u64) as u32;
        prev = now;
        prev_cpu = now_cpu;
    }
    let total = start.elapsed().as_nanos();
    assert_eq!(m.size(), n);
    // Which inserts were slowest (1-based entry count after the insert), to
    // line them up with growth starts and ends.
    let mut worst: Vec<(u32, usize)> = cpu.iter().enumerate().map(|(i, &t)| (t, i + 1)).collect();
    worst.sort_unstable_by(|a, b| b.cmp(a));
    worst.truncate(5);
    let stats = |v: &mut Vec<u32>| {
        v.sort_unstable();
        let q = |p: f64| v[((n - 1) as f64 * p) as usize];
        format!(
            "{{\"max_ns\":{},\"p9999_ns\":{},\"p999_ns\":{},\"p50_ns\":{}}}",
            v[n - 1],
            q(0.9999),
            q(0.999),
            q(0.5)
        )
    };
    println!(
        "{{\"map\":\"{name}\",\"n\":{n},\"total_ns\":{total},\"wall\":{},\"cpu\":{},\"worst_cpu\":{:?}}}",
        stats(&mut wall),
        stats(&mut cpu),
        worst.iter().map(|&(t, i)| [t as usize, i]).collect::<Vec<_>>()
    );
}

fn memory<M: Insert>(name: &str, mut m: M, n: usize, base: u64) {
    let mut r = SplitMix64(SEED);
    for i in 0..n {
        m.put(r.next_u64(), i as u64);
    }
    let peak = vm_hwm();
    assert_eq!(std::hint::black_box(&m).size(), n);
    println!(
        "{{\"map\":\"{name}\",\"n\":{n},\"baseline_bytes\":{base},\"peak_bytes\":{peak},\"bytes_per_entry\":{:.2}}}",
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
        ($m:expr) => {
            match mode {
                "latency" => latency(name, $m, n),
                "memory" => memory(name, $m, n, base),
                _ => panic!("unknown mode {mode}"),
            }
        };
    }
    match name {
        "gomap" => go!(gomap::GoMap::<u64, u64>::new()),
        "hashbrown" => go!(hashbrown::HashMap::<u64, u64, Fast>::default()),
        "std_foldhash" => go!(std::collections::HashMap::<u64, u64, Fast>::default()),
        "std_siphash" => go!(std::collections::HashMap::<u64, u64>::new()),
        "indexmap" => go!(indexmap::IndexMap::<u64, u64, Fast>::default()),
        "griddle" => go!(griddle::HashMap::<u64, u64, Fast>::default()),
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
