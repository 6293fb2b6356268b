//! A tight loop over one gomap workload, for `perf record` / callgrind
//! (criterion's own setup would dominate a profile).
//!
//! ```text
//! cargo build --release -p gomap --example hotpath
//! perf record -g target/release/examples/hotpath insert_hint 100000 200
//! valgrind --tool=callgrind target/release/examples/hotpath lookup_hit 100000 5
//! ```
//!
//! Workloads: insert, insert_hint, insert_observed (insert with a no-op
//! observer attached), lookup_hit, lookup_miss, remove, iterate, and the
//! same hits through a promoted `SyncMap`: syncmap_load (a guard per load)
//! and syncmap_pinned_load (one `pin()` per 64 loads, as the `SyncMap
//! (pin)` rows of `benches/sync_map.rs`), and syncmap_store (overwrites of
//! the keys a promoted `SyncMap` holds: the write of the 99/1 benchmark);
//! and with `String` keys (the decimal text of the same keys): str_insert,
//! str_insert_hint, str_lookup_hit, str_lookup_miss, str_iterate. For
//! comparison, hashbrown (with foldhash) runs hb_insert, hb_insert_hint,
//! hb_lookup_hit, hb_lookup_miss, hb_remove and hb_str_lookup_hit; and the
//! concurrent maps `benches/sync_map.rs` compares `SyncMap` with, on the
//! same hits: dashmap_load, papaya_load (a guard per load),
//! papaya_pinned_load (one `pin()` per 64 loads) and rwlock_load
//! (`RwLock<HashMap>`, a read lock per load).
#![forbid(unsafe_code)]

use std::hint::black_box;

use gomap::DefaultHashBuilder;

type Hashbrown<K> = hashbrown::HashMap<K, u64, foldhash::fast::RandomState>;

#[path = "../benches/common/clock.rs"]
mod clock;
#[path = "../benches/common/keys.rs"]
mod keys;
use keys::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = args.first().map_or("insert", String::as_str).to_string();
    let n = args
        .get(1)
        .map_or(100_000, |s| s.parse::<f64>().unwrap() as usize);
    let reps = args.get(2).map_or(100, |s| s.parse::<usize>().unwrap());
    let (keys, misses) = u64_keys_and_misses(n);
    let order = shuffled_indices(n);
    let probes: Vec<u64> = order.iter().map(|&i| keys[i]).collect();
    // The full map only for the workloads that read it, so an insert
    // profile holds nothing but the timed inserts.
    let mut full = gomap::GoMap::<u64, u64>::new();
    let sync = gomap::SyncMap::<u64, u64>::new();
    if work.starts_with("syncmap") {
        for (i, &k) in keys.iter().enumerate() {
            sync.store(k, i as u64);
        }
        sync.range(|_, _| true); // promote: every load is lock-free
    } else if !work.starts_with("insert") {
        for (i, &k) in keys.iter().enumerate() {
            full.insert(k, i as u64);
        }
    }
    // `String` keys: the decimal text of the same stream, probed through
    // separately allocated copies, as in `benches/maps.rs`.
    let (mut str_keys, mut str_probes, mut str_misses) = (Vec::new(), Vec::new(), Vec::new());
    let mut str_full = gomap::GoMap::<String, u64>::new();
    if work.starts_with("str_") {
        str_keys = keys.iter().map(u64::to_string).collect();
        str_probes = probes.iter().map(u64::to_string).collect();
        str_misses = misses.iter().map(u64::to_string).collect();
        if !work.starts_with("str_insert") {
            for (i, k) in str_keys.iter().enumerate() {
                str_full.insert(k.clone(), i as u64);
            }
        }
    }
    // The same workloads on hashbrown with foldhash, gomap's hasher: the
    // reference for instruction counts.
    let mut hb_full = Hashbrown::<u64>::default();
    let mut hb_str_full = Hashbrown::<String>::default();
    if work.starts_with("hb_str") {
        for (i, k) in keys.iter().enumerate() {
            hb_str_full.insert(k.to_string(), i as u64);
        }
        str_probes = probes.iter().map(u64::to_string).collect();
    } else if work.starts_with("hb_") && !work.starts_with("hb_insert") {
        for (i, &k) in keys.iter().enumerate() {
            hb_full.insert(k, i as u64);
        }
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
            "insert" | "insert_hint" | "insert_observed" => {
                let hint = if work == "insert_hint" { n } else { 0 };
                let mut m = gomap::GoMap::<u64, u64>::with_capacity(hint);
                if work == "insert_observed" {
                    // Every event built and delivered, then discarded.
                    m.set_observer(|e: &gomap::events::Event| {
                        black_box(e);
                    });
                }
                for (i, &k) in keys.iter().enumerate() {
                    m.insert(k, i as u64);
                }
                s += m.len() as u64;
            }
            "lookup_hit" => {
                for k in &probes {
                    s = s.wrapping_add(*full.get(k).unwrap());
                }
            }
            "lookup_miss" => {
                for k in &misses {
                    s = s.wrapping_add(full.get(k).map_or(1, |v| *v));
                }
            }
            "remove" => {
                let mut m = full.clone();
                for k in &probes {
                    s = s.wrapping_add(m.remove(k).unwrap());
                }
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
            "str_insert_hint" | "str_insert" => {
                let hint = if work == "str_insert_hint" { n } else { 0 };
                let mut m = gomap::GoMap::<String, u64>::with_capacity(hint);
                for (i, k) in str_keys.iter().enumerate() {
                    m.insert(k.clone(), i as u64);
                }
                s += m.len() as u64;
            }
            "str_lookup_hit" => {
                for k in &str_probes {
                    s = s.wrapping_add(*str_full.get(k).unwrap());
                }
            }
            "str_lookup_miss" => {
                for k in &str_misses {
                    s = s.wrapping_add(str_full.get(k).map_or(1, |v| *v));
                }
            }
            "hb_insert" | "hb_insert_hint" => {
                let hint = if work == "hb_insert_hint" { n } else { 0 };
                let mut m = Hashbrown::with_capacity_and_hasher(hint, Default::default());
                for (i, &k) in keys.iter().enumerate() {
                    m.insert(k, i as u64);
                }
                s += m.len() as u64;
            }
            "hb_lookup_hit" => {
                for k in &probes {
                    s = s.wrapping_add(*hb_full.get(k).unwrap());
                }
            }
            "hb_lookup_miss" => {
                for k in &misses {
                    s = s.wrapping_add(hb_full.get(k).map_or(1, |v| *v));
                }
            }
            "hb_remove" => {
                let mut m = hb_full.clone();
                for k in &probes {
                    s = s.wrapping_add(m.remove(k).unwrap());
                }
            }
            "hb_str_lookup_hit" => {
                for k in &str_probes {
                    s = s.wrapping_add(*hb_str_full.get(k).unwrap());
                }
            }
            "str_iterate" => {
                for (_, v) in str_full.iter() {
                    s = s.wrapping_add(*v);
                }
            }
            "syncmap_store" => {
                for (i, k) in probes.iter().enumerate() {
                    sync.store(*k, i as u64);
                }
                s += sync.len() as u64;
            }
            "iterate" => {
                for (_, v) in full.iter() {
                    s = s.wrapping_add(*v);
                }
            }
            w => panic!("unknown workload {w}"),
        }
    }
    let ns = (clock::thread_cpu_ns() - t) as f64 / (reps * n) as f64;
    black_box(s);
    println!("{work} n={n} reps={reps}: {ns:.2} ns/op (thread CPU time, including any clone)");
}
