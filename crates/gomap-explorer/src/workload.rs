//! Workloads: op lists generated from a kind, a length and the scenario's
//! seed, appended to a scenario's script.

#![forbid(unsafe_code)]

use gomap::SeedSource;

use crate::hashing::{hash_of, seed_stream, swiss_hash_of, SplitMix64};
use crate::script::{Key, KeyType, Op};

/// The kinds of workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Inserts of consecutive keys after the largest `u64` key the script
    /// already uses (`k1`, `k2`, … for strings).
    Sequential,
    /// Inserts of random keys.
    Random,
    /// Inserts of keys whose hashes, under the map's first seed, agree in
    /// their low [`COLLIDING_BITS`] bits: while `B ≤ 8` they all land in one
    /// bucket, whose chain grows an overflow bucket every 8 keys.
    Colliding,
    /// Inserts of keys whose hashes, under the Swiss map's first seed,
    /// agree in H1's low [`SWISS_COLLIDING_BITS`] bits: while the map has
    /// one table (up to 896 entries) they all start their probe at one
    /// group, so each new key walks further along the probe sequence.
    SwissColliding,
    /// Delete-heavy churn: fills to 6.5 entries per bucket (the most a map
    /// holds without doubling; at most 2^[`CHURN_MAX_B`] buckets, and
    /// within a quarter of `n`), then alternates
    /// deleting a random live key and inserting a fresh one — the pattern
    /// that piles up overflow buckets until a same-size growth starts.
    Churn,
}

/// The largest `B` churn fills a map for: a small map, whose 2^B overflow
/// buckets (the same-size threshold) pile up within a few thousand ops.
pub const CHURN_MAX_B: u32 = 4;

/// Low hash bits that colliding keys share.
pub const COLLIDING_BITS: u32 = 8;

/// Low bits of H1 (hash bits 7 and up) that Swiss-colliding keys share: 7
/// bits choose the group in the largest table (1,024 slots, 128 groups).
pub const SWISS_COLLIDING_BITS: u32 = 7;

impl Workload {
    /// The workload numbered `n` in the page's menu (0 sequential, 1 random,
    /// 2 colliding, 3 churn, 4 Swiss-colliding).
    pub fn from_index(n: u32) -> Option<Workload> {
        [
            Workload::Sequential,
            Workload::Random,
            Workload::Colliding,
            Workload::Churn,
            Workload::SwissColliding,
        ]
        .get(n as usize)
        .copied()
    }
}

/// `n` ops of workload `w`, for a scenario of key type `kt` whose script is
/// `script` so far; `seed` is the scenario's: it picks the random keys, and
/// colliding keys collide under the first map seed its stream gives (the
/// classic map's `hash0`, or the Swiss map's 64-bit seed).
pub fn generate(w: Workload, n: usize, kt: KeyType, script: &[Op], seed: u64) -> Vec<Op> {
    // Each workload of a script draws different keys: the generator is
    // keyed by the script's length too.
    let mut rng = SplitMix64::new(seed ^ (script.len() as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let mut ops = Vec::with_capacity(n);
    let fresh = |rng: &mut SplitMix64| -> Key {
        match kt {
            KeyType::U64 => Key::U64(rng.next_u64()),
            KeyType::Str => {
                let x = rng.next_u64();
                let s: String = (0..8)
                    .map(|i| (b'a' + ((x >> (5 * i)) % 26) as u8) as char)
                    .collect();
                Key::Str(s.into())
            }
        }
    };
    match w {
        Workload::Sequential => {
            let start = script
                .iter()
                .filter_map(|op| match op {
                    Op::Insert(Key::U64(k), _) => Some(k.saturating_add(1)),
                    _ => None,
                })
                .max()
                .unwrap_or(1);
            let start_str = script
                .iter()
                .filter(|op| matches!(op, Op::Insert(..)))
                .count()
                + 1;
            for i in 0..n {
                let k = match kt {
                    KeyType::U64 => Key::U64(start.wrapping_add(i as u64)),
                    KeyType::Str => Key::Str(format!("k{}", start_str + i).into()),
                };
                let v = (script.len() + i) as u64;
                ops.push(Op::Insert(k, v));
            }
        }
        Workload::Random => {
            for i in 0..n {
                ops.push(Op::Insert(fresh(&mut rng), (script.len() + i) as u64));
            }
        }
        Workload::Colliding | Workload::SwissColliding => {
            // The bits the keys share, and the hash they share them in.
            let (shift, bits) = if w == Workload::Colliding {
                (0, COLLIDING_BITS)
            } else {
                (7, SWISS_COLLIDING_BITS)
            };
            let hash0 = seed_stream(seed)();
            let swiss_seed = seed_stream(seed).next_seed_u64();
            let hash = |k: &Key| match (w, k) {
                (Workload::Colliding, Key::U64(k)) => hash_of(hash0, k),
                (Workload::Colliding, Key::Str(s)) => hash_of(hash0, &**s),
                (_, Key::U64(k)) => swiss_hash_of(swiss_seed, k),
                (_, Key::Str(s)) => swiss_hash_of(swiss_seed, &**s),
            };
            let mask = (1u64 << bits) - 1;
            let first = fresh(&mut rng);
            let target = hash(&first) >> shift & mask;
            ops.push(Op::Insert(first, script.len() as u64));
            while ops.len() < n {
                let k = fresh(&mut rng);
                if hash(&k) >> shift & mask == target {
                    ops.push(Op::Insert(k, (script.len() + ops.len()) as u64));
                }
            }
        }
        Workload::Churn => {
            // Fill to the most entries a map can hold without doubling
            // (6.5 per bucket) within a quarter of the ops, so the churn runs
            // on full chains.
            let mut b = 0;
            while b < CHURN_MAX_B && 13usize << b <= n / 4 {
                b += 1;
            }
            let fill = if b == 0 { 8.min(n) } else { 13 << (b - 1) };
            let mut live: Vec<Key> = Vec::new();
            while ops.len() < n {
                if live.len() < fill || ops.len() % 2 == 1 {
                    let k = fresh(&mut rng);
                    live.push(k.clone());
                    ops.push(Op::Insert(k, (script.len() + ops.len()) as u64));
                } else {
                    let i = rng.below(live.len());
                    ops.push(Op::Remove(live.swap_remove(i)));
                }
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_keys_share_their_low_hash_bits() {
        let hash0 = seed_stream(1)();
        let ops = generate(Workload::Colliding, 20, KeyType::U64, &[], 1);
        let lows: Vec<u64> = ops
            .iter()
            .map(|op| match op {
                Op::Insert(Key::U64(k), _) => hash_of(hash0, k) & 0xFF,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(lows.len(), 20);
        assert!(lows.iter().all(|&l| l == lows[0]));
    }

    #[test]
    fn swiss_colliding_keys_start_their_probe_in_one_group() {
        // Through the engine: 40 keys in one 64-slot table (8 groups), each
        // key's probe starts at the same group, so they fill the groups
        // along one probe sequence.
        let mut x = crate::Explorer::new(crate::Scenario {
            kt: KeyType::U64,
            hint: 0,
            seed: 1,
        });
        x.push_workload(Workload::SwissColliding, 40);
        x.step(39);
        x.step(1);
        let p = x.swiss_last().unwrap().probe.as_ref().unwrap();
        let start = p.probed[0];
        let m = x.swiss_u64().unwrap();
        let l = m.layout();
        assert_eq!(l.tables.len(), 1);
        let seed = l.header.seed;
        for t in &l.tables {
            for g in &t.groups {
                for (k, _) in g.slots.iter().flatten() {
                    let h1 = swiss_hash_of(seed, *k) >> 7;
                    assert_eq!(h1 as usize & t.length_mask(), start);
                }
            }
        }
        // The 40th key walked past full groups to find a place.
        assert!(p.probed.len() >= 5, "{:?}", p.probed);
    }

    #[test]
    fn sequential_continues_after_the_script_and_churn_deletes_only_live_keys() {
        let script = [Op::Insert(Key::U64(5), 5)];
        let ops = generate(Workload::Sequential, 2, KeyType::U64, &script, 1);
        assert_eq!(
            ops,
            [Op::Insert(Key::U64(6), 1), Op::Insert(Key::U64(7), 2)]
        );
        let ops = generate(Workload::Churn, 200, KeyType::Str, &[], 3);
        let mut live = std::collections::HashSet::new();
        let mut deletes = 0;
        for op in &ops {
            match op {
                Op::Insert(k, _) => assert!(live.insert(k.clone())),
                Op::Remove(k) => {
                    assert!(live.remove(k));
                    deletes += 1;
                }
                _ => unreachable!(),
            }
        }
        assert!(deletes > 80, "{deletes}");
    }

    #[test]
    fn churn_starts_a_same_size_growth_within_3000_ops() {
        // What the page's churn preset promises.
        let mut x = crate::Explorer::new(crate::Scenario {
            kt: KeyType::U64,
            hint: 0,
            seed: 1,
        });
        x.push_workload(Workload::Churn, 3000);
        x.step(3000);
        let same_size = x
            .events()
            .iter()
            .filter(|l| {
                matches!(
                    l.event,
                    gomap::events::Event::GrowStart {
                        kind: gomap::events::GrowKind::SameSize,
                        ..
                    }
                )
            })
            .count();
        assert!(same_size >= 1);
        assert_eq!(x.header().b, 4);
    }
}
