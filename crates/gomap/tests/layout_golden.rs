//! Layout fidelity guard for performance work on the engine: deterministic
//! operation streams (fixed hasher, fixed seeds) whose full layouts — header,
//! every chain's tophash bytes, keys, values and bucket origins, the old
//! array while growing, the pool — are folded into one digest at many points.
//! The expected digests were recorded before the engine's hot paths were
//! optimised; any change in layout or growth behaviour changes them.
//!
//! If a change is *meant* to alter layouts (it should not: layouts follow
//! Go 1.19), the Go replay is the judge, not this file.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use gomap::{BucketOrigin, GoMap, Layout};

/// A fixed, seedless hasher: a splitmix64-style mix over every write.
#[derive(Default)]
struct MixHasher(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = mix(self.0 ^ u64::from_le_bytes(b) ^ (chunk.len() as u64) << 59);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = mix(self.0.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = mix(self.0.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ i);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Fixed = BuildHasherDefault<MixHasher>;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
}

/// FNV-1a over a byte stream.
struct Digest(u64);
impl Digest {
    fn new() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
    fn u64(&mut self, x: u64) {
        for b in x.to_le_bytes() {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn bytes(&mut self, bs: &[u8]) {
        self.u64(bs.len() as u64);
        for &b in bs {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
}

fn fold_layout<K, V>(
    d: &mut Digest, l: &Layout<'_, K, V>, key: impl Fn(&K) -> Vec<u8>, val: impl Fn(&V) -> u64,
) {
    let h = l.header;
    for x in [
        h.count as u64,
        h.flags as u64,
        h.b as u64,
        h.noverflow as u64,
        h.hash0 as u64,
        h.nevacuate as u64,
        h.growing as u64,
    ] {
        d.u64(x);
    }
    d.u64(l.bucket_size as u64);
    d.u64(l.arr_len as u64);
    match l.pool {
        Some(p) => {
            d.u64(1);
            d.u64(p.next_overflow.map_or(u64::MAX, |i| i as u64));
            d.u64(p.pre_free as u64);
        }
        None => d.u64(0),
    }
    for chains in std::iter::once(&l.buckets).chain(l.old.iter()) {
        d.u64(chains.len() as u64);
        for chain in chains {
            d.u64(chain.len() as u64);
            for b in chain {
                d.u64(match b.at {
                    BucketOrigin::Main => 0,
                    BucketOrigin::Pool(i) => 1 + i as u64,
                    BucketOrigin::Heap => u64::MAX,
                });
                d.bytes(&b.top);
                for i in 0..8 {
                    match (b.keys[i], b.vals[i]) {
                        (Some(k), Some(v)) => {
                            d.bytes(&key(k));
                            d.u64(val(v));
                        }
                        _ => d.u64(0xdead),
                    }
                }
            }
        }
    }
}

/// Runs a mixed stream (inserts, overwrites, removes, lookups, entry, clear)
/// over keys `0..space` turned into `K` by `mk`, checking against std's map,
/// and returns the digest of the layouts seen.
fn run<K, F, G>(steps: usize, space: u64, hint: usize, stress: bool, mk: F, kb: G) -> u64
where
    K: std::hash::Hash + Eq + Clone + std::fmt::Debug,
    F: Fn(u64) -> K,
    G: Fn(&K) -> Vec<u8> + Copy,
{
    let mut next_seed = 0x1234_5678u32;
    let seeds = move || {
        next_seed = next_seed.wrapping_mul(0x9e37_79b9).wrapping_add(1);
        next_seed
    };
    let mut m: GoMap<K, u64, Fixed> =
        GoMap::with_capacity_hasher_and_seeds(hint, Fixed::default(), seeds);
    m.set_stress_tuning(stress);
    let mut model: HashMap<K, u64> = HashMap::new();
    let mut rng = Rng(space ^ steps as u64 ^ hint as u64 ^ stress as u64);
    let mut d = Digest::new();
    for step in 0..steps {
        let r = rng.next();
        // Phases: grow, churn, shrink — so deletes, emptyRest runs, same-size
        // growth and reseeding on empty all happen.
        let phase = step * 3 / steps;
        let k = mk(r % space);
        let op = (r >> 32) % 10;
        let insert = match phase {
            0 => op < 7,
            1 => op < 4,
            _ => op < 1,
        };
        if insert {
            if op % 2 == 0 {
                assert_eq!(
                    m.insert(k.clone(), step as u64),
                    model.insert(k, step as u64)
                );
            } else {
                *m.entry(k.clone()).or_insert(0) += 1;
                *model.entry(k).or_insert(0) += 1;
            }
        } else if op < 8 {
            assert_eq!(m.remove(&k), model.remove(&k));
        } else {
            assert_eq!(m.get(&k), model.get(&k));
        }
        if step % 499 == 0 || step + 1 == steps {
            m.check_invariants();
            assert_eq!(m.len(), model.len());
            fold_layout(&mut d, &m.layout(), kb, |v| *v);
        }
        if step == steps / 2 + 7 {
            m.clear();
            model.clear();
            fold_layout(&mut d, &m.layout(), kb, |v| *v);
        }
    }
    // Remove everything left (the last remove reseeds).
    let left: Vec<K> = model.keys().cloned().collect();
    for k in left {
        assert_eq!(m.remove(&k), model.remove(&k));
    }
    m.check_invariants();
    fold_layout(&mut d, &m.layout(), kb, |v| *v);
    d.0
}

fn u64_bytes(k: &u64) -> Vec<u8> {
    k.to_le_bytes().to_vec()
}

fn digests() -> Vec<(&'static str, u64)> {
    vec![
        (
            "u64 no hint",
            run(60_000, 30_000, 0, false, |x| x, u64_bytes),
        ),
        (
            "u64 hint",
            run(
                40_000,
                20_000,
                5_000,
                false,
                |x| x.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                u64_bytes,
            ),
        ),
        ("u64 small", run(20_000, 40, 0, false, |x| x, u64_bytes)),
        ("u64 stress", run(20_000, 5_000, 0, true, |x| x, u64_bytes)),
        (
            "u32",
            run(
                30_000,
                10_000,
                0,
                false,
                |x| x as u32,
                |k: &u32| k.to_le_bytes().to_vec(),
            ),
        ),
        (
            "u8",
            run(5_000, 256, 0, false, |x| x as u8, |k: &u8| vec![*k]),
        ),
        (
            "string",
            run(
                30_000,
                10_000,
                0,
                false,
                |x| x.to_string(),
                |k: &String| k.as_bytes().to_vec(),
            ),
        ),
        (
            "big key",
            run(
                6_000,
                2_000,
                0,
                false,
                |x| [x; 20],
                |k: &[u64; 20]| k[0].to_le_bytes().to_vec(),
            ),
        ),
    ]
}

/// Digests recorded with the engine before its hot-path optimisation.
const GOLDEN: &[(&str, u64)] = &[
    ("u64 no hint", 0xecc5d54174e1ce27),
    ("u64 hint", 0x2b6eb30ea70afe91),
    ("u64 small", 0x0f46b343aa97a62f),
    ("u64 stress", 0x3386db2ef546756c),
    ("u32", 0x741706bd839e7d0c),
    ("u8", 0x4db5c395ba022407),
    ("string", 0x9e2616900fd10c50),
    ("big key", 0xfe449d67b762b839),
];

#[test]
#[cfg_attr(
    miri,
    ignore = "digest guard, no unsafe of its own; model.rs and shapes.rs cover the engine under Miri"
)]
fn layouts_unchanged() {
    let got = digests();
    if GOLDEN.is_empty() || std::env::var_os("GOMAP_PRINT_GOLDEN").is_some() {
        for (name, d) in &got {
            println!("(\"{name}\", {d:#018x}),");
        }
    }
    for ((name, d), (gname, g)) in got.iter().zip(GOLDEN) {
        assert_eq!(name, gname);
        assert_eq!(d, g, "layout digest changed for {name}");
    }
    assert_eq!(got.len(), GOLDEN.len(), "golden digests missing");
}

/// Iteration follows Go's order: from some start bucket, wrapping, and in
/// every bucket of a chain from the same slot offset. The yielded order must
/// be one of the 2^B × 8 orders the layout allows.
#[test]
#[cfg_attr(
    miri,
    ignore = "digest guard, no unsafe of its own; model.rs and shapes.rs cover the engine under Miri"
)]
fn iteration_order_is_gos() {
    for (n, removes) in [(5usize, 0usize), (40, 10), (300, 120), (700, 0)] {
        let mut m: GoMap<u64, u64, Fixed> = GoMap::with_capacity_and_hasher(0, Fixed::default());
        for k in 0..n as u64 {
            m.insert(k * 7919, k);
        }
        for k in 0..removes as u64 {
            m.remove(&(k * 3 * 7919));
        }
        // Finish any growth so the walk is over one array.
        let mut extra = 1_000_000u64;
        while m.header().growing {
            m.insert(extra, 0);
            extra += 1;
        }
        let l = m.layout();
        let nb = l.buckets.len();
        let orders: Vec<Vec<u64>> = (0..nb)
            .flat_map(|start| (0..8).map(move |off| (start, off)))
            .map(|(start, off)| {
                let mut v = Vec::new();
                for k in 0..nb {
                    for b in &l.buckets[(start + k) % nb] {
                        for s in 0..8 {
                            if let Some(key) = b.keys[(s + off) % 8] {
                                v.push(*key);
                            }
                        }
                    }
                }
                v
            })
            .collect();
        for _ in 0..20 {
            let got: Vec<u64> = m.keys().copied().collect();
            assert_eq!(got.len(), m.len());
            assert!(
                orders.contains(&got),
                "iteration order is not Go's (n = {n})"
            );
        }
    }
}
