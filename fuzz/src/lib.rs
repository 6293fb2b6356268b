//! What the fuzz targets share: the hashers that make collisions common, the
//! key and value types a target picks from, and the per-input seeding that
//! makes every run of an input the same run.
//!
//! A target turns the fuzzer's bytes into a choice of types and hasher plus a
//! list of ops (with [`arbitrary`]), runs each op on the map under test and on
//! a model, and compares. Keys are numbered, and the input picks how many
//! numbers a run uses ([`KeySpace`]): in a small space removes and overwrites
//! hit keys that are present; in a large one maps grow. The types' own
//! `Arbitrary` would almost never repeat a key.
#![forbid(unsafe_code)]

use std::borrow::Borrow;
use std::fmt::Debug;
use std::hash::{BuildHasher, Hash, Hasher};

use arbitrary::{Arbitrary, Unstructured};

// ---------------------------------------------------------------------------
// Hashers
// ---------------------------------------------------------------------------

/// gomap's default hash function (foldhash, fast) with a fixed key.
pub type Good = foldhash::fast::FixedState;

/// Every key, under every map seed, hashes to the same value: one bucket,
/// one tophash, and every lookup compares keys along the whole chain.
#[derive(Clone, Copy, Default, Debug)]
pub struct Constant;

/// The hasher of [`Constant`].
pub struct ConstantHasher;

impl Hasher for ConstantHasher {
    fn write(&mut self, _: &[u8]) {}
    fn finish(&self) -> u64 {
        0x9e37_79b9_7f4a_7c15
    }
}

impl BuildHasher for Constant {
    type Hasher = ConstantHasher;
    fn build_hasher(&self) -> ConstantHasher {
        ConstantHasher
    }
}

/// [`Good`]'s hash with all but three bits cleared: the top two (four
/// tophash values) and the lowest (two buckets at most). The map's seed
/// still goes in, so a reseed reshuffles keys between those few classes.
#[derive(Clone, Copy, Default, Debug)]
pub struct FewBits;

/// The bits [`FewBits`] keeps.
const FEW_BITS: u64 = (0b11 << 62) | 0b1;

/// The hasher of [`FewBits`].
pub struct FewBitsHasher(<Good as BuildHasher>::Hasher);

impl Hasher for FewBitsHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u32(&mut self, x: u32) {
        self.0.write_u32(x);
    }
    fn write_u64(&mut self, x: u64) {
        self.0.write_u64(x);
    }
    fn finish(&self) -> u64 {
        self.0.finish() & FEW_BITS
    }
}

impl BuildHasher for FewBits {
    type Hasher = FewBitsHasher;
    fn build_hasher(&self) -> FewBitsHasher {
        FewBitsHasher(Good::default().build_hasher())
    }
}

/// Which hasher a run uses.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum HasherKind {
    /// [`Constant`].
    Constant,
    /// [`FewBits`].
    FewBits,
    /// [`Good`].
    Good,
}

// ---------------------------------------------------------------------------
// Keys and values
// ---------------------------------------------------------------------------

/// A type the targets store as values, made from a small [`Gen::Seed`].
pub trait Gen: Clone + Eq + Debug {
    /// What the fuzzer's bytes decide.
    type Seed: for<'a> Arbitrary<'a> + Clone + Debug;
    /// The value for `seed`.
    fn make(seed: &Self::Seed) -> Self;
}

/// A map key type: key number `i`, for every `i` of a [`KeySpace`].
pub trait Key: Clone + Eq + Debug + Hash + Borrow<Self::Q> {
    /// The borrowed form lookups go through (`str` for `String`).
    type Q: ?Sized + Hash + Eq;
    /// Key number `i` (distinct numbers give distinct keys, except that
    /// `u8` has only 256).
    fn nth(i: u16) -> Self;
    /// `self` as a lookup key.
    fn q(&self) -> &Self::Q;
    /// A number derived from the key, for `retain`'s predicate.
    fn num(&self) -> u64;
}

/// How many distinct keys a run draws from.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum KeySpace {
    /// 4 keys: a map that empties and refills (reseeds, emptyRest runs).
    Tiny,
    /// 16 keys: about two buckets' worth, so overflow chains form under a
    /// colliding hasher and deletes hit.
    Small,
    /// 64 keys: a few growths.
    Medium,
    /// 256 keys: growth to larger `B`; deletes seldom hit.
    Large,
}

impl KeySpace {
    /// The key a seed names.
    pub fn key<K: Key>(self, seed: u8) -> K {
        let n = match self {
            KeySpace::Tiny => 4,
            KeySpace::Small => 16,
            KeySpace::Medium => 64,
            KeySpace::Large => 256,
        };
        K::nth(u16::from(seed) % n)
    }
}

/// A map value type.
pub trait Value: Gen + Default + Hash {
    /// Changes the value in place, depending on `by`.
    fn bump(&mut self, by: u8);
}

macro_rules! int_gen {
    ($($t:ty),*) => {$(
        impl Gen for $t {
            type Seed = $t;
            fn make(seed: &$t) -> $t {
                *seed
            }
        }
        impl Key for $t {
            type Q = $t;
            fn nth(i: u16) -> $t {
                i as $t
            }
            fn q(&self) -> &$t {
                self
            }
            fn num(&self) -> u64 {
                u64::from(*self)
            }
        }
        impl Value for $t {
            fn bump(&mut self, by: u8) {
                *self = self.wrapping_add(<$t>::from(by)).rotate_left(1);
            }
        }
    )*};
}
int_gen!(u8, u16);

/// Key `i` is `k<i>`, and for one key in three a run of `·` (two bytes
/// each in UTF-8) after it, so that some keys are longer than 16 bytes.
impl Key for String {
    type Q = str;
    fn nth(i: u16) -> String {
        format!(
            "k{i}{}",
            "·".repeat(usize::from(i % 3 / 2) * usize::from(i % 11))
        )
    }
    fn q(&self) -> &str {
        self
    }
    fn num(&self) -> u64 {
        self.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

/// Bytes in a [`Big`]: over Go's 128-byte limit, so both a key and a value
/// of this type are stored indirectly (a pointer in the bucket).
pub const BIG: usize = 130;

/// A key or value too large to sit inside a bucket. Keys differ only in
/// their last two bytes, so `Eq` reads all of them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Big(pub [u8; BIG]);

impl Debug for Big {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Big({:02x}..{:02x})", self.0[0], self.0[BIG - 1])
    }
}

impl Default for Big {
    fn default() -> Big {
        Big([0; BIG])
    }
}

impl Gen for Big {
    type Seed = u8;
    fn make(seed: &u8) -> Big {
        Big([*seed; BIG])
    }
}

impl Key for Big {
    type Q = Big;
    fn nth(i: u16) -> Big {
        let mut b = [0xab; BIG];
        b[BIG - 2..].copy_from_slice(&i.to_le_bytes());
        Big(b)
    }
    fn q(&self) -> &Big {
        self
    }
    fn num(&self) -> u64 {
        u64::from(u16::from_le_bytes([self.0[BIG - 2], self.0[BIG - 1]]))
    }
}

impl Value for Big {
    fn bump(&mut self, by: u8) {
        self.0[0] = self.0[0].wrapping_add(by);
        self.0[BIG - 1] ^= by | 1;
    }
}

// ---------------------------------------------------------------------------
// Per-input setup
// ---------------------------------------------------------------------------

/// Seeds gomap's thread-local generator (map seeds, iteration and range
/// starts) from the input, so that running an input again (or minimizing
/// it) repeats the same layouts and the same iteration orders.
pub fn seed_rng(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    fastrand::seed(u.arbitrary()?);
    Ok(())
}

/// Counts of the same entries, for comparing iterations as multisets.
pub fn counts<T: Hash + Eq>(
    items: impl IntoIterator<Item = T>,
) -> std::collections::HashMap<T, usize> {
    let mut m = std::collections::HashMap::new();
    for x in items {
        *m.entry(x).or_insert(0) += 1;
    }
    m
}

/// Whether `GOMAP_FUZZ_TRACE` is set: the targets then print their config
/// and every op to standard error, so a crash file reads as an op list
/// (`GOMAP_FUZZ_TRACE=1 cargo +nightly fuzz run -a <target> <file>`).
pub fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("GOMAP_FUZZ_TRACE").is_some())
}

/// The opening every map target shares: its configuration drawn from the
/// input (printed when [`trace`] is on), then gomap's generator seeded from
/// the input (see [`seed_rng`]). `None` when the input is too short for
/// either, which the target skips.
pub fn begin<'a, C: Arbitrary<'a> + Debug>(u: &mut Unstructured<'a>) -> Option<C> {
    let cfg = C::arbitrary(u).ok()?;
    if trace() {
        eprintln!("{cfg:?}");
    }
    seed_rng(u).ok()?;
    Some(cfg)
}
