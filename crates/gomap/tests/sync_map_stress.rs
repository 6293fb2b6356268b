//! Multi-threaded stress tests of `SyncMap`, checked against a
//! `Mutex<HashMap>` model: per-thread key partitions whose every result must
//! match the model, compare-and-swap counters that must add up, one winner
//! per `load_or_store`, and reads that never go backwards.
//!
//! Not run under Miri (too slow with real threads and these sizes); the
//! single-threaded tests in `sync_map.rs` are. Run them in release for more
//! interleavings: `cargo test -p gomap --test sync_map_stress --release`.
#![forbid(unsafe_code)]
#![cfg(not(miri))]

use std::collections::HashMap;
use std::sync::{Barrier, Mutex};
use std::thread;

use gomap::SyncMap;

/// Threads per test: more than the machine's cores, so that threads are
/// also preempted mid-operation.
const THREADS: u64 = 4;

/// Operations per thread; more in release builds.
fn ops() -> u64 {
    if cfg!(debug_assertions) {
        50_000
    } else {
        500_000
    }
}

#[test]
fn partitioned_ops_match_mutex_model() {
    const KEYS_PER_THREAD: u64 = 64;
    let m: SyncMap<u64, u64> = SyncMap::new();
    // One model per partition, so that the threads' SyncMap operations
    // overlap instead of queueing on one model lock.
    let models: Vec<Mutex<HashMap<u64, u64>>> =
        (0..THREADS).map(|_| Mutex::new(HashMap::new())).collect();
    thread::scope(|s| {
        for t in 0..THREADS {
            let (m, model) = (&m, &models[t as usize]);
            s.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(t);
                // A handle kept across many operations, so that its cached
                // read map goes stale under promotions and deletes.
                let mut pinned = m.pin();
                for i in 0..ops() {
                    if i % 256 == 0 {
                        pinned = m.pin();
                    }
                    // Thread t owns the keys equal to t modulo THREADS, so
                    // the model's answer for them is exact.
                    let k = rng.u64(..KEYS_PER_THREAD) * THREADS + t;
                    let v = rng.u64(..4);
                    let mut model = model.lock().unwrap();
                    match rng.u8(..9) {
                        0 => assert_eq!(m.load(&k).map(|r| *r), model.get(&k).copied()),
                        1 => assert_eq!(pinned.load(&k).copied(), model.get(&k).copied()),
                        2 => {
                            m.store(k, v);
                            model.insert(k, v);
                        }
                        3 => assert_eq!(m.swap(k, v).map(|r| *r), model.insert(k, v)),
                        4 => {
                            let had = model.get(&k).copied();
                            let (got, loaded) = m.load_or_store(k, v);
                            assert_eq!((*got, loaded), (had.unwrap_or(v), had.is_some()));
                            model.entry(k).or_insert(v);
                        }
                        5 => assert_eq!(m.load_and_delete(&k).map(|r| *r), model.remove(&k)),
                        6 => {
                            let want = model.get(&k) == Some(&v);
                            if want {
                                model.insert(k, v + 1);
                            }
                            assert_eq!(m.compare_and_swap(&k, &v, v + 1), want);
                        }
                        7 => {
                            let want = model.get(&k) == Some(&v);
                            if want {
                                model.remove(&k);
                            }
                            assert_eq!(m.compare_and_delete(&k, &v), want);
                        }
                        _ => {
                            // Keys another thread owns: any answer is
                            // possible, but a value must be one the model
                            // could hold (values stay below 5).
                            drop(model);
                            let other = rng.u64(..KEYS_PER_THREAD * THREADS);
                            if let Some(r) = m.load(&other) {
                                assert!(*r < 5);
                            }
                            if i % 512 == 0 {
                                let mut seen = std::collections::HashSet::new();
                                m.range(|k, v| {
                                    assert!(seen.insert(*k), "range visited {k} twice");
                                    assert!(*v < 5);
                                    true
                                });
                            }
                        }
                    }
                }
            });
        }
    });
    m.check_invariants();
    let model: HashMap<u64, u64> = models
        .into_iter()
        .flat_map(|m| m.into_inner().unwrap())
        .collect();
    let mut contents = HashMap::new();
    m.range(|k, v| {
        contents.insert(*k, *v);
        true
    });
    assert_eq!(contents, model);
    assert_eq!(m.len(), model.len());
}

#[test]
fn cas_counters_add_up() {
    const COUNTERS: u64 = 8;
    let m: SyncMap<u64, u64> = SyncMap::new();
    let model: Mutex<HashMap<u64, u64>> = Mutex::new(HashMap::new());
    let per_thread = ops() / 4;
    thread::scope(|s| {
        for t in 0..THREADS {
            let (m, model) = (&m, &model);
            s.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(100 + t);
                for _ in 0..per_thread {
                    let k = rng.u64(..COUNTERS);
                    loop {
                        let cur = m.load_or_store(k, 0).0.to_owned();
                        if m.compare_and_swap(&k, &cur, cur + 1) {
                            break;
                        }
                    }
                    *model.lock().unwrap().entry(k).or_insert(0) += 1;
                    // New keys now and then, so the dirty map is rebuilt and
                    // promoted while the counters run.
                    if rng.u8(..16) == 0 {
                        m.store(1_000 + rng.u64(..1 << 20), 0);
                    }
                }
            });
        }
    });
    m.check_invariants();
    let model = model.into_inner().unwrap();
    let mut total = 0;
    for k in 0..COUNTERS {
        let got = *m.load(&k).unwrap();
        assert_eq!(Some(&got), model.get(&k));
        total += got;
    }
    assert_eq!(total, THREADS * per_thread);
}

#[test]
fn load_or_store_has_one_winner() {
    const KEYS_PER_ROUND: u64 = 32;
    let rounds = ops() / 200;
    let m: SyncMap<u64, u64> = SyncMap::new();
    let barrier = Barrier::new(THREADS as usize);
    // key -> (winner, how many threads stored)
    let model: Mutex<HashMap<u64, (u64, u64)>> = Mutex::new(HashMap::new());
    let results: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for t in 0..THREADS {
            let (m, barrier, model, results) = (&m, &barrier, &model, &results);
            s.spawn(move || {
                let mut mine = Vec::new();
                for r in 0..rounds {
                    barrier.wait();
                    for i in 0..KEYS_PER_ROUND {
                        // Threads walk the round's keys in different orders.
                        let k = r * KEYS_PER_ROUND + (i * (2 * t + 1)) % KEYS_PER_ROUND;
                        let (v, loaded) = m.load_or_store(k, t);
                        if !loaded {
                            assert_eq!(*v, t);
                            let mut model = model.lock().unwrap();
                            let e = model.entry(k).or_insert((t, 0));
                            e.1 += 1;
                        }
                        mine.push((k, *v));
                    }
                    // Deletes of earlier rounds' keys keep entries moving
                    // between deleted and expunged.
                    if r > 0 {
                        m.delete(&((r - 1) * KEYS_PER_ROUND + t));
                    }
                }
                results.lock().unwrap().extend(mine);
            });
        }
    });
    let model = model.into_inner().unwrap();
    assert_eq!(model.len() as u64, rounds * KEYS_PER_ROUND);
    for (k, (_, stores)) in &model {
        assert_eq!(*stores, 1, "key {k} was stored {stores} times");
    }
    for (k, v) in results.into_inner().unwrap() {
        assert_eq!(
            v, model[&k].0,
            "key {k}: a thread saw a value other than the winner's"
        );
    }
    m.check_invariants();
}

#[test]
fn reads_never_go_backwards() {
    const KEYS: u64 = 64;
    const WRITERS: u64 = 2;
    let m: SyncMap<u64, u64> = SyncMap::new();
    let writes = ops();
    thread::scope(|s| {
        for w in 0..WRITERS {
            let m = &m;
            s.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(200 + w);
                // Writer w owns keys equal to w modulo WRITERS and writes
                // each one increasing values, by store, swap and CAS.
                let mut next = vec![1u64; KEYS as usize];
                for i in 0..writes {
                    let k = rng.u64(..KEYS / WRITERS) * WRITERS + w;
                    let v = next[k as usize];
                    next[k as usize] += 1;
                    match i % 4 {
                        0 => m.store(k, v),
                        1 => assert!(m.swap(k, v).is_none_or(|old| *old < v)),
                        2 => {
                            if !m.compare_and_swap(&k, &(v - 1), v) {
                                m.store(k, v);
                            }
                        }
                        _ => {
                            // A delete lets a reader see nothing; the key
                            // then comes back with a larger value.
                            m.delete(&k);
                            m.store(k, v);
                        }
                    }
                    if rng.u8(..32) == 0 {
                        // Fresh keys force dirty-map rebuilds and promotions.
                        m.store(KEYS + rng.u64(..1 << 20), 0);
                    }
                }
            });
        }
        for r in 0..THREADS - WRITERS {
            let m = &m;
            s.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(300 + r);
                let mut last = vec![0u64; KEYS as usize];
                for i in 0..writes {
                    if i % 1024 == 0 {
                        m.range(|k, v| {
                            if *k < KEYS {
                                assert!(*v >= last[*k as usize], "range went backwards");
                                last[*k as usize] = *v;
                            }
                            true
                        });
                    }
                    let k = rng.u64(..KEYS);
                    if let Some(v) = m.load(&k) {
                        assert!(
                            *v >= last[k as usize],
                            "key {k}: {} after {}",
                            *v,
                            last[k as usize]
                        );
                        last[k as usize] = *v;
                    }
                }
            });
        }
    });
    m.check_invariants();
}

#[test]
fn clear_races_with_writes() {
    let m: SyncMap<u64, u64> = SyncMap::new();
    let rounds = ops() / 4;
    thread::scope(|s| {
        for t in 0..THREADS - 1 {
            let m = &m;
            s.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(400 + t);
                for _ in 0..rounds {
                    let k = rng.u64(..256);
                    match rng.u8(..4) {
                        0 => m.store(k, k),
                        1 => drop(m.load_or_store(k, k)),
                        2 => m.delete(&k),
                        _ => {
                            if let Some(v) = m.load(&k) {
                                assert_eq!(*v, k);
                            }
                        }
                    }
                }
            });
        }
        let m = &m;
        s.spawn(move || {
            for _ in 0..rounds / 64 {
                m.clear();
                thread::yield_now();
            }
        });
    });
    // The live count survived the races: it matches what range finds.
    m.check_invariants();
    let mut n = 0;
    m.range(|_, _| {
        n += 1;
        true
    });
    assert_eq!(m.len(), n);
}

/// Writers overwrite a few keys as fast as they can while readers check
/// that every value they load is whole (all words equal) and that each
/// key's values never go backwards. A slot reused while a reader could
/// still see it would show up as a torn or stale value. `N` words per
/// value: small values live in their entry's slots, large ones in boxes.
fn values_are_never_torn<const N: usize>() {
    const WRITERS: u64 = 2;
    const KEYS_PER_WRITER: u64 = 2;
    let m: SyncMap<u64, [u64; N]> = SyncMap::new();
    for k in 0..WRITERS * KEYS_PER_WRITER {
        m.store(k, [0; N]);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    thread::scope(|s| {
        for w in 0..WRITERS {
            let m = &m;
            s.spawn(move || {
                for i in 1..=ops() / 4 {
                    let k = w * KEYS_PER_WRITER + i % KEYS_PER_WRITER;
                    m.store(k, [i; N]);
                }
            });
        }
        for r in 0..THREADS - WRITERS {
            let (m, done) = (&m, &done);
            s.spawn(move || {
                let mut last = vec![0; (WRITERS * KEYS_PER_WRITER) as usize];
                let mut check = |k: u64, v: &[u64; N]| {
                    assert!(v.iter().all(|&x| x == v[0]), "torn value {v:?}");
                    assert!(v[0] >= last[k as usize], "key {k} went backwards");
                    last[k as usize] = v[0];
                };
                let mut i = 0u64;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    if (i + r) % 2 == 0 {
                        let pinned = m.pin();
                        for j in 0..16 {
                            let k = (i + j) % (WRITERS * KEYS_PER_WRITER);
                            check(k, pinned.load(&k).unwrap());
                        }
                    } else {
                        let k = i % (WRITERS * KEYS_PER_WRITER);
                        check(k, &m.load(&k).unwrap());
                    }
                    i += 1;
                }
            });
        }
        // Writers are the first handles; stop readers when they finish.
        s.spawn(|| {
            while m.load(&(KEYS_PER_WRITER - 1)).unwrap()[0] < ops() / 4 - 1
                || m.load(&(2 * KEYS_PER_WRITER - 1)).unwrap()[0] < ops() / 4 - 1
            {
                thread::yield_now();
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    });
}

#[test]
fn inline_values_are_never_torn() {
    values_are_never_torn::<4>();
}

#[test]
fn boxed_values_are_never_torn() {
    values_are_never_torn::<16>();
}
