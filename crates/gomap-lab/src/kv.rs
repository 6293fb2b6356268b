//! The key and value types an experiment can run with (`--kv u64:u64`), and the
//! keys the experiments insert.
//!
//! A map's layout depends on the sizes of its key and value, so the lab runs the
//! same generic experiment monomorphized for each choice: [`KvType::visit`] calls a
//! [`KvVisitor`]'s generic method with the concrete types.

#![forbid(unsafe_code)]

use std::fmt;
use std::hash::Hash;
use std::str::FromStr;

/// A 200-byte key: above Go's 128-byte limit, so the map stores a pointer to it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key200(pub [u8; 200]);

impl fmt::Debug for Key200 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Key200({:#x})",
            u64::from_le_bytes(self.0[..8].try_into().unwrap_or_default())
        )
    }
}

/// A key type the experiments can make distinct keys of.
pub trait LabKey: Hash + Eq + 'static {
    /// The `i`-th key; distinct for distinct `i` (for `u8` and `u32`, within their range).
    fn nth(i: u64) -> Self;
}

impl LabKey for u64 {
    fn nth(i: u64) -> Self {
        crate::rng::scatter(i)
    }
}

impl LabKey for u32 {
    fn nth(i: u64) -> Self {
        i as u32
    }
}

impl LabKey for u8 {
    fn nth(i: u64) -> Self {
        i as u8
    }
}

impl LabKey for Box<str> {
    fn nth(i: u64) -> Self {
        format!("key-{i}").into_boxed_str()
    }
}

impl LabKey for Key200 {
    fn nth(i: u64) -> Self {
        let mut k = [0u8; 200];
        k[..8].copy_from_slice(&i.to_le_bytes());
        Key200(k)
    }
}

/// A value type the experiments can make values of.
pub trait LabValue: 'static {
    /// The value stored with the `i`-th key.
    fn nth(i: u64) -> Self;
}

impl LabValue for u64 {
    fn nth(i: u64) -> Self {
        i
    }
}

impl LabValue for u32 {
    fn nth(i: u64) -> Self {
        i as u32
    }
}

/// A generic computation over a key and value type.
pub trait KvVisitor {
    /// What it computes.
    type Output;
    /// Runs it for `K → V`.
    fn visit<K: LabKey, V: LabValue>(self) -> Self::Output;
}

/// A key/value type pair, named like Go map types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvType {
    /// `u64 → u64`: Go's `map[uint64]uint64`, 144-byte buckets.
    U64U64,
    /// `Box<str> → u64`: Go's `map[string]uint64` (16-byte keys), 208-byte buckets.
    StrU64,
    /// `u32 → u32`: 80-byte buckets.
    U32U32,
    /// `u8 → u64`: 88-byte buckets (keys and values are grouped, so no padding).
    U8U64,
    /// 200-byte keys → `u64`: keys stored by pointer, 144-byte buckets.
    K200U64,
}

impl KvType {
    /// Every choice, in the order `--help` lists them.
    pub const ALL: [KvType; 5] = [
        KvType::U64U64,
        KvType::StrU64,
        KvType::U32U32,
        KvType::U8U64,
        KvType::K200U64,
    ];

    /// The flag spelling: `u64:u64`, `str:u64`, `u32:u32`, `u8:u64`, `k200:u64`.
    pub fn name(self) -> &'static str {
        match self {
            KvType::U64U64 => "u64:u64",
            KvType::StrU64 => "str:u64",
            KvType::U32U32 => "u32:u32",
            KvType::U8U64 => "u8:u64",
            KvType::K200U64 => "k200:u64",
        }
    }

    /// The Go map type with the same layout.
    pub fn go_type(self) -> &'static str {
        match self {
            KvType::U64U64 => "map[uint64]uint64",
            KvType::StrU64 => "map[string]uint64",
            KvType::U32U32 => "map[uint32]uint32",
            KvType::U8U64 => "map[uint8]uint64",
            KvType::K200U64 => "map[[200]byte]uint64",
        }
    }

    /// Runs `visitor` with this choice's concrete types.
    pub fn visit<T: KvVisitor>(self, visitor: T) -> T::Output {
        match self {
            KvType::U64U64 => visitor.visit::<u64, u64>(),
            KvType::StrU64 => visitor.visit::<Box<str>, u64>(),
            KvType::U32U32 => visitor.visit::<u32, u32>(),
            KvType::U8U64 => visitor.visit::<u8, u64>(),
            KvType::K200U64 => visitor.visit::<Key200, u64>(),
        }
    }
}

impl fmt::Display for KvType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KvType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        KvType::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = KvType::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown key:value type {s:?}; choose from {}",
                    names.join(", ")
                )
            })
    }
}

impl serde::Serialize for KvType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct BucketSize;
    impl KvVisitor for BucketSize {
        type Output = usize;
        fn visit<K: LabKey, V: LabValue>(self) -> usize {
            gomap::GoMap::<K, V>::with_capacity(100)
                .layout()
                .bucket_size
        }
    }

    #[test]
    fn bucket_sizes_are_go_s() {
        let sizes: Vec<usize> = KvType::ALL.iter().map(|k| k.visit(BucketSize)).collect();
        assert_eq!(sizes, [144, 208, 80, 88, 144]);
    }

    #[test]
    fn names_round_trip() {
        for k in KvType::ALL {
            assert_eq!(k.name().parse::<KvType>(), Ok(k));
        }
        assert!("u64".parse::<KvType>().unwrap_err().contains("choose from"));
    }
}
