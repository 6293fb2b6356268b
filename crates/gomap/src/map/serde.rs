//! serde for [`GoMap`] and [`GoSet`] (feature `serde`): a map serializes as
//! a map and a set as a sequence, exactly as std's `HashMap` and `HashSet`
//! do, so swapping one for the other changes no serialized form.
//!
//! Deserializing inserts entry by entry, so a repeated key keeps the first
//! key and the last value, as std's map does. The map is sized up front
//! from the format's length hint, capped at 1 MiB of entries as serde caps
//! its own collections: a hostile length prefix must not make us allocate
//! before a single entry has been read.

#![forbid(unsafe_code)]

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::set::GoSet;
use super::GoMap;
use crate::engine::Engine;

/// The most bytes of elements a length hint may make us reserve; serde's
/// own limit for `Vec` and `HashMap`.
const MAX_PREALLOC_BYTES: usize = 1024 * 1024;

/// A visitor's marker for the type it builds (owning none of it).
type Makes<T> = PhantomData<fn() -> T>;

/// The capacity to reserve for a hint of `hint` elements of type `T`.
fn cautious<T>(hint: Option<usize>) -> usize {
    let per = core::mem::size_of::<T>().max(1);
    hint.unwrap_or(0).min(MAX_PREALLOC_BYTES / per)
}

impl<K: Serialize, V: Serialize, S, E: Engine> Serialize for GoMap<K, V, S, E> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<T: Serialize, S, E: Engine> Serialize for GoSet<T, S, E> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for v in self {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

impl<'de, K, V, S, E: Engine> Deserialize<'de> for GoMap<K, V, S, E>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V, S, E: Engine>(Makes<GoMap<K, V, S, E>>);

        impl<'de, K, V, S, E: Engine> Visitor<'de> for MapVisitor<K, V, S, E>
        where
            K: Deserialize<'de> + Eq + Hash,
            V: Deserialize<'de>,
            S: BuildHasher + Default,
        {
            type Value = GoMap<K, V, S, E>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let hint = cautious::<(K, V)>(access.size_hint());
                let mut map = GoMap::build(hint, S::default(), None);
                while let Some((k, v)) = access.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<'de, T, S, E: Engine> Deserialize<'de> for GoSet<T, S, E>
where
    T: Deserialize<'de> + Eq + Hash,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor<T, S, E: Engine>(Makes<GoSet<T, S, E>>);

        impl<'de, T, S, E: Engine> Visitor<'de> for SetVisitor<T, S, E>
        where
            T: Deserialize<'de> + Eq + Hash,
            S: BuildHasher + Default,
        {
            type Value = GoSet<T, S, E>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let hint = cautious::<T>(access.size_hint());
                let mut set = GoSet::from_map(GoMap::build(hint, S::default(), None));
                while let Some(v) = access.next_element()? {
                    set.insert(v);
                }
                Ok(set)
            }
        }

        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}
