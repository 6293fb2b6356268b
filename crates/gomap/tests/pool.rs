//! The pool of zeroed mappings (`raw/alloc.rs`) is shared by every map in
//! the process: arrays and overflow chunks that one map retires or drops are
//! cleared and handed to the next map that asks for that size, on any
//! thread. These tests build, grow, clone, clear and drop maps large enough
//! to be mapped (arrays of 128 KiB and up) from several threads at once, so
//! that maps keep receiving memory other maps used, and check every entry
//! and every invariant as they go: a mapping handed out twice, or not
//! cleared, shows up as a missing, stale or duplicated entry.
#![forbid(unsafe_code)]

use std::thread;

use gomap::GoMap;

/// Keys per map: enough for arrays of `B` = 10..=13 (147 KB to 1.2 MB of
/// 144-byte buckets), all of them mapped and poolable.
const N: u64 = 40_000;

fn key(t: u64, round: u64, i: u64) -> u64 {
    // Distinct per thread and round, spread over the hash space.
    (t << 56 | round << 40 | i).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn check(m: &GoMap<u64, u64>, t: u64, round: u64, live: impl Iterator<Item = u64>) {
    let mut n = 0;
    for i in live {
        assert_eq!(
            m.get(&key(t, round, i)),
            Some(&i),
            "thread {t} round {round} key {i}"
        );
        n += 1;
    }
    assert_eq!(m.len(), n);
    assert_eq!(m.iter().count(), n);
    m.check_invariants();
}

#[test]
#[cfg_attr(miri, ignore = "mappings and the pool are not used under Miri")]
fn maps_on_many_threads_reuse_each_others_memory() {
    let rounds = 12;
    let workers: Vec<_> = (0..4u64)
        .map(|t| {
            thread::spawn(move || {
                for round in 0..rounds {
                    // Grows through every poolable size; its retired arrays
                    // and chunks go to the pool while other threads take.
                    let mut m = GoMap::new();
                    for i in 0..N {
                        m.insert(key(t, round, i), i);
                    }
                    check(&m, t, round, 0..N);
                    // A clone takes a fresh array of the same size.
                    let c = m.clone();
                    // Removing half and reinserting leaves tombstones and
                    // overflow buckets to be reused.
                    for i in (0..N).step_by(2) {
                        assert_eq!(m.remove(&key(t, round, i)), Some(i));
                    }
                    check(&m, t, round, (1..N).step_by(2));
                    check(&c, t, round, 0..N);
                    drop(c);
                    for i in (0..N).step_by(2) {
                        m.insert(key(t, round, i), i);
                    }
                    check(&m, t, round, 0..N);
                    // A hinted map right after drops: its array may come
                    // from the pool and must read as empty.
                    let h: GoMap<u64, u64> = GoMap::with_capacity(N as usize);
                    assert_eq!(h.iter().count(), 0);
                    h.check_invariants();
                    if round % 3 == 0 {
                        m.clear();
                        assert_eq!(m.iter().count(), 0);
                        m.check_invariants();
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked");
    }
}
