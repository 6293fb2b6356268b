//! Go's fallback hash: the hash a Go process computes for a `uint64` or
//! `string` map key when it does not use AES instructions (no AES on the
//! CPU, or `GODEBUG=cpu.aes=off`), reproduced from the process's key
//! material.
//!
//! Go seeds the fallback hash with a per-process `hashkey` of four words and
//! each map with its own seed. Given both, [`hash_u64`] and [`hash_str`]
//! return exactly what the runtime computes (Go 1.24 and later, the Swiss
//! map), and [`GoHashBuilder`] plugs them into a map as its `BuildHasher`.
//! Both oracles print the `hashkey` in their first record (`oracle/swiss`'s
//! `env`; the classic oracle's `hashkey`, under `GODEBUG=cpu.aes=off`), so a
//! replay can recompute every recorded hash. Go 1.23's classic map already
//! keys its fallback with all four words, as 1.24+ does.
//!
//! ## Two generations
//!
//! Go 1.19 (the classic map) has the same hash family (wyhash-style folded
//! multiplies) with a different key schedule: only `hashkey[0]` is used,
//! combined with a fixed constant, and fixed constants take the place of
//! `hashkey[1..3]`; its map seed is the 32-bit `hash0`. [`hash_u64_go119`]
//! and [`hash_str_go119`] compute that variant. [`GoHasher`] picks the
//! generation by the width of the seed a map writes first: `write_u64` (the
//! Swiss map's 64-bit seed) or `write_u32` (`GoMap`'s `hash0`).
//!
//! Go: internal/runtime/maps.memHash64Fallback, memHashFallback (1.24+);
//! runtime.memhash64Fallback, memhashFallback (1.19).

#![forbid(unsafe_code)]

use core::hash::{BuildHasher, Hasher};

/// The multiplier of the final mix, in both generations.
const M5: u64 = 0x1d8e_4e27_c47d_124f;

/// Go 1.19's fixed constants: `M1` is folded into the seed with
/// `hashkey[0]`; `M2..M4` stand where Go 1.24+ uses `hashkey[1..3]`.
const M1: u64 = 0xa076_1d64_78bd_642f;
const M2: u64 = 0xe703_7ed1_a0b4_28db;
const M3: u64 = 0x8ebc_6af0_9c88_c6e3;
const M4: u64 = 0x5899_65cc_7537_4cc3;

/// The folded 128-bit product: high half xor low half.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p >> 64) as u64 ^ p as u64
}

/// What a generation mixes in: `seed_xor` is folded into the map seed first,
/// `k1..k3` into the words of the key.
#[derive(Clone, Copy)]
struct Schedule {
    seed_xor: u64,
    k1: u64,
    k2: u64,
    k3: u64,
}

impl Schedule {
    /// Go 1.24+: the four words of `hashkey`.
    fn swiss(hk: &[u64; 4]) -> Self {
        Schedule {
            seed_xor: hk[0],
            k1: hk[1],
            k2: hk[2],
            k3: hk[3],
        }
    }

    /// Go 1.19: `hashkey[0]` with fixed constants.
    fn go119(hashkey0: u64) -> Self {
        Schedule {
            seed_xor: hashkey0 ^ M1,
            k1: M2,
            k2: M3,
            k3: M4,
        }
    }

    fn u64(self, key: u64, seed: u64) -> u64 {
        mix(M5 ^ 8, mix(key ^ self.k1, key ^ seed ^ self.seed_xor))
    }

    fn bytes(self, p: &[u8], seed: u64) -> u64 {
        let r4 = |i: usize| u64::from(u32::from_le_bytes(p[i..i + 4].try_into().unwrap()));
        let r8 = |i: usize| u64::from_le_bytes(p[i..i + 8].try_into().unwrap());
        let s = p.len();
        let mut seed = seed ^ self.seed_xor;
        let (a, b) = match s {
            0 => return seed,
            1..=3 => (
                u64::from(p[0]) | u64::from(p[s >> 1]) << 8 | u64::from(p[s - 1]) << 16,
                0,
            ),
            4 => (r4(0), r4(0)),
            5..=7 => (r4(0), r4(s - 4)),
            8 => (r8(0), r8(0)),
            9..=16 => (r8(0), r8(s - 8)),
            _ => {
                let (mut at, mut left) = (0, s);
                if left > 48 {
                    let (mut seed1, mut seed2) = (seed, seed);
                    while left > 48 {
                        seed = mix(r8(at) ^ self.k1, r8(at + 8) ^ seed);
                        seed1 = mix(r8(at + 16) ^ self.k2, r8(at + 24) ^ seed1);
                        seed2 = mix(r8(at + 32) ^ self.k3, r8(at + 40) ^ seed2);
                        at += 48;
                        left -= 48;
                    }
                    seed ^= seed1 ^ seed2;
                }
                while left > 16 {
                    seed = mix(r8(at) ^ self.k1, r8(at + 8) ^ seed);
                    at += 16;
                    left -= 16;
                }
                // The last 16 bytes of the string; they may overlap bytes
                // the loops already mixed in.
                (r8(at + left - 16), r8(at + left - 8))
            }
        };
        mix(M5 ^ s as u64, mix(a ^ self.k1, b ^ seed))
    }
}

/// Go 1.24+'s hash of a `uint64` key under map seed `seed`.
///
/// ```
/// // Recorded by Go 1.27.3 (testdata/swiss/samples/s1_small.jsonl).
/// let hk = [619832470726721034, 14223262770687513367, 1286849218604547217, 3114156905221150051];
/// assert_eq!(gomap::gohash::hash_u64(5, 3372727500152304311, &hk), 914138018953475873);
/// ```
///
/// Go: internal/runtime/maps.memHash64Fallback
pub fn hash_u64(key: u64, seed: u64, hashkey: &[u64; 4]) -> u64 {
    Schedule::swiss(hashkey).u64(key, seed)
}

/// Go 1.24+'s hash of a string key (its UTF-8 bytes) under map seed `seed`.
///
/// Go: internal/runtime/maps.memHashFallback (strhash of the string's bytes)
pub fn hash_str(bytes: &[u8], seed: u64, hashkey: &[u64; 4]) -> u64 {
    Schedule::swiss(hashkey).bytes(bytes, seed)
}

/// Go 1.19's hash of a `uint64` key under the map's 32-bit `hash0`; only
/// `hashkey[0]` takes part.
///
/// Go: runtime.memhash64Fallback (Go 1.19)
pub fn hash_u64_go119(key: u64, hash0: u32, hashkey0: u64) -> u64 {
    Schedule::go119(hashkey0).u64(key, u64::from(hash0))
}

/// Go 1.19's hash of a string key under the map's 32-bit `hash0`.
///
/// Go: runtime.memhashFallback (Go 1.19)
pub fn hash_str_go119(bytes: &[u8], hash0: u32, hashkey0: u64) -> u64 {
    Schedule::go119(hashkey0).bytes(bytes, u64::from(hash0))
}

/// A `BuildHasher` that reproduces a Go process's map hashes, given the
/// process's `hashkey` (the Swiss oracle's env record carries it).
///
/// Contract (what [`GoHasher`] accepts): first the map seed, then one key,
/// then `finish`:
/// - the seed as `write_u64` (Go 1.24+: [`hash_u64`]/[`hash_str`]) or as
///   `write_u32` (Go 1.19's `hash0`: [`hash_u64_go119`]/[`hash_str_go119`],
///   from `hashkey[0]`);
/// - a `u64` key as one `write_u64`, which is what `u64`'s `Hash` does;
/// - a string key as `write` of its bytes, optionally followed by
///   `write_u8(0xff)`, which is what `str`'s and `String`'s `Hash` do
///   (the terminator is not part of Go's hash).
///
/// That is the order in which `GoMap` hashes (seed, then `key.hash(..)`), so
/// `GoMap<u64, _, GoHashBuilder>` and `GoMap<String, _, GoHashBuilder>` hash
/// exactly as Go does. Other key types write other sequences and make the
/// hasher panic with a message saying what it got.
///
/// ```
/// use core::hash::{BuildHasher, Hash, Hasher};
/// use gomap::gohash::{hash_str, GoHashBuilder};
///
/// let b = GoHashBuilder { hashkey: [1, 2, 3, 4] };
/// let mut h = b.build_hasher();
/// h.write_u64(42); // the map seed
/// "key".hash(&mut h);
/// assert_eq!(h.finish(), hash_str(b"key", 42, &b.hashkey));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoHashBuilder {
    /// The process's fallback hash key (Go: internal/runtime/maps.hashkey).
    pub hashkey: [u64; 4],
}

impl BuildHasher for GoHashBuilder {
    type Hasher = GoHasher;

    fn build_hasher(&self) -> GoHasher {
        GoHasher {
            hashkey: self.hashkey,
            seed: Seed::None,
            key: KeyState::None,
        }
    }
}

/// The map seed a [`GoHasher`] received, which names the generation.
#[derive(Debug, Clone, Copy)]
enum Seed {
    None,
    /// Go 1.24+: a 64-bit seed.
    Swiss(u64),
    /// Go 1.19: the 32-bit `hash0`.
    Classic(u32),
}

/// The key a [`GoHasher`] received so far.
#[derive(Debug, Clone)]
enum KeyState {
    None,
    U64(u64),
    /// String bytes; `terminated` once the `str` terminator byte arrived.
    Bytes {
        bytes: Vec<u8>,
        terminated: bool,
    },
}

/// The hasher of [`GoHashBuilder`]; see there for what it accepts.
#[derive(Debug, Clone)]
pub struct GoHasher {
    hashkey: [u64; 4],
    seed: Seed,
    key: KeyState,
}

impl GoHasher {
    #[cold]
    #[inline(never)]
    fn misuse(&self, what: &str) -> ! {
        panic!(
            "GoHasher: {what} (after seed {:?}, key {:?}); it hashes a map seed then one u64 or string key",
            self.seed, self.key
        )
    }
}

impl Hasher for GoHasher {
    fn write(&mut self, bytes: &[u8]) {
        match (&self.seed, &mut self.key) {
            (Seed::None, _) => self.misuse("bytes before the map seed"),
            (_, KeyState::None) => {
                self.key = KeyState::Bytes {
                    bytes: bytes.to_vec(),
                    terminated: false,
                }
            }
            (
                _,
                KeyState::Bytes {
                    bytes: b,
                    terminated: false,
                },
            ) => b.extend_from_slice(bytes),
            _ => self.misuse("a second key"),
        }
    }

    fn write_u8(&mut self, i: u8) {
        match &mut self.key {
            KeyState::Bytes {
                terminated: t @ false,
                ..
            } if i == 0xff => *t = true,
            _ => self.misuse("a u8 that is not a string's terminator"),
        }
    }

    fn write_u32(&mut self, i: u32) {
        match self.seed {
            Seed::None => self.seed = Seed::Classic(i),
            _ => self.misuse("a u32 key"),
        }
    }

    fn write_u64(&mut self, i: u64) {
        match (self.seed, &self.key) {
            (Seed::None, _) => self.seed = Seed::Swiss(i),
            (_, KeyState::None) => self.key = KeyState::U64(i),
            _ => self.misuse("a second key"),
        }
    }

    fn write_usize(&mut self, _: usize) {
        self.misuse("a usize (a length prefix: slice keys are not Go strings)")
    }

    fn finish(&self) -> u64 {
        match (self.seed, &self.key) {
            (Seed::Swiss(seed), KeyState::U64(k)) => hash_u64(*k, seed, &self.hashkey),
            (Seed::Swiss(seed), KeyState::Bytes { bytes, .. }) => {
                hash_str(bytes, seed, &self.hashkey)
            }
            (Seed::Classic(h0), KeyState::U64(k)) => hash_u64_go119(*k, h0, self.hashkey[0]),
            (Seed::Classic(h0), KeyState::Bytes { bytes, .. }) => {
                hash_str_go119(bytes, h0, self.hashkey[0])
            }
            _ => self.misuse("finish before a seed and a key"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::hash::Hash;

    fn via_hasher<K: Hash + ?Sized>(
        b: &GoHashBuilder, seed: Option<u64>, hash0: Option<u32>, k: &K,
    ) -> u64 {
        let mut h = b.build_hasher();
        if let Some(s) = seed {
            h.write_u64(s);
        }
        if let Some(s) = hash0 {
            h.write_u32(s);
        }
        k.hash(&mut h);
        h.finish()
    }

    #[test]
    fn hasher_feeds_match_the_functions() {
        let b = GoHashBuilder {
            hashkey: [0x1234_5678_9abc_def1, 3, 0xdead_beef, u64::MAX],
        };
        for len in 0..120 {
            let s: String = (0..len)
                .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                .collect();
            assert_eq!(
                via_hasher(&b, Some(99), None, &s),
                hash_str(s.as_bytes(), 99, &b.hashkey)
            );
            assert_eq!(
                via_hasher(&b, Some(99), None, s.as_str()),
                hash_str(s.as_bytes(), 99, &b.hashkey)
            );
            assert_eq!(
                via_hasher(&b, None, Some(7), &s),
                hash_str_go119(s.as_bytes(), 7, b.hashkey[0])
            );
        }
        for k in [0u64, 1, 1 << 40, u64::MAX] {
            assert_eq!(
                via_hasher(&b, Some(5), None, &k),
                hash_u64(k, 5, &b.hashkey)
            );
            assert_eq!(
                via_hasher(&b, None, Some(5), &k),
                hash_u64_go119(k, 5, b.hashkey[0])
            );
        }
    }

    #[test]
    fn empty_string_is_the_keyed_seed() {
        let hk = [11, 22, 33, 44];
        assert_eq!(hash_str(b"", 5, &hk), 5 ^ 11);
        assert_eq!(hash_str_go119(b"", 5, 11), 5 ^ 11 ^ M1);
    }

    #[test]
    #[should_panic(expected = "finish before a seed and a key")]
    fn finish_without_key_panics() {
        let mut h = GoHashBuilder { hashkey: [0; 4] }.build_hasher();
        h.write_u64(1);
        let _ = h.finish();
    }

    #[test]
    #[should_panic(expected = "a second key")]
    fn tuple_keys_panic() {
        let b = GoHashBuilder { hashkey: [0; 4] };
        via_hasher(&b, Some(1), None, &(1u64, 2u64));
    }
}
