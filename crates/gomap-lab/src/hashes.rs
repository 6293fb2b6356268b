//! Go's hashes, replayed: the table of recorded hashes and the `BuildHasher` that
//! answers from it.
//!
//! Go's string and integer hashes use an AES key drawn per process, so they cannot be
//! recomputed here; the oracle records, for every keyed op, the hash the runtime
//! computed for that key under that seed. The map asks its hasher for
//! `write_u32(hash0)` followed by the key's own `Hash` (`u64::hash` writes its 8 bytes;
//! `str::hash` writes the bytes and then `0xff`). [`ReplayHasher`] buffers exactly
//! those bytes and `finish` looks them up, so the table is keyed by the byte string the
//! map will write: the answer never depends on how the map splits its writes.
//!
//! A lookup that misses means the map asked for a hash Go never computed (a wrong
//! seed, or a key hashed that Go did not hash). `Hasher::finish` cannot fail, so it
//! panics with a [`MissingHash`] payload; the replay catches it and reports it.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use crate::protocol::{Key, KeyType};

/// The last byte `str::hash` writes after the string's bytes.
const STR_HASH_TERMINATOR: u8 = 0xff;

/// The hashes a recording holds: `(seed, key) → hash`, one table per key type.
#[derive(Debug, Default)]
pub struct RecordedHashes {
    /// Keyed by the bytes a `u64` map's hasher receives.
    u64_keys: HashMap<Box<[u8]>, u64>,
    /// Keyed by the bytes a `Box<str>` map's hasher receives.
    str_keys: HashMap<Box<[u8]>, u64>,
}

impl RecordedHashes {
    /// An empty table.
    pub fn new() -> RecordedHashes {
        RecordedHashes::default()
    }

    fn table(&self, key_type: KeyType) -> &HashMap<Box<[u8]>, u64> {
        match key_type {
            KeyType::U64 => &self.u64_keys,
            KeyType::Str => &self.str_keys,
        }
    }

    /// Records that `key` hashes to `hash` under `seed`. Fails with a description when
    /// the table already holds a different hash for the same seed and key.
    pub fn insert(&mut self, seed: u32, key: &Key, hash: u64) -> Result<(), String> {
        let table = match key.key_type() {
            KeyType::U64 => &mut self.u64_keys,
            KeyType::Str => &mut self.str_keys,
        };
        let earlier = *table.entry(hasher_input(seed, key)).or_insert(hash);
        if earlier == hash {
            Ok(())
        } else {
            Err(format!(
                "key {key} under seed {seed} has hash {hash} here but {earlier} in an earlier record"
            ))
        }
    }

    /// The recorded hash of `key` under `seed`.
    pub fn get(&self, seed: u32, key: &Key) -> Option<u64> {
        self.table(key.key_type())
            .get(&hasher_input(seed, key))
            .copied()
    }

    /// How many `(seed, key)` pairs the table holds.
    pub fn len(&self) -> usize {
        self.u64_keys.len() + self.str_keys.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bytes a map's hasher receives for `key` under `seed`: `write_u32(seed)`, then
/// the key's `Hash` (each integer write is the integer's native-endian bytes).
fn hasher_input(seed: u32, key: &Key) -> Box<[u8]> {
    let mut bytes = seed.to_ne_bytes().to_vec();
    match key {
        Key::U64(k) => bytes.extend_from_slice(&k.to_ne_bytes()),
        Key::Str(s) => {
            bytes.extend_from_slice(s.as_bytes());
            bytes.push(STR_HASH_TERMINATOR);
        }
    }
    bytes.into_boxed_slice()
}

/// The panic payload of a hash lookup that missed; the replay turns it into an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingHash {
    /// The seed the map wrote, if it wrote one.
    pub seed: Option<u32>,
    /// The key, decoded from the bytes the map wrote.
    pub key: String,
}

impl MissingHash {
    fn decode(key_type: KeyType, bytes: &[u8]) -> MissingHash {
        let Some((seed, rest)) = bytes.split_first_chunk::<4>() else {
            return MissingHash {
                seed: None,
                key: format!("(hasher input {bytes:02x?})"),
            };
        };
        let key = match (key_type, rest) {
            (KeyType::U64, &[b0, b1, b2, b3, b4, b5, b6, b7]) => {
                u64::from_ne_bytes([b0, b1, b2, b3, b4, b5, b6, b7]).to_string()
            }
            (KeyType::Str, [text @ .., STR_HASH_TERMINATOR]) => {
                format!("{:?}", String::from_utf8_lossy(text))
            }
            _ => format!("(hasher input after the seed {rest:02x?})"),
        };
        MissingHash {
            seed: Some(u32::from_ne_bytes(*seed)),
            key,
        }
    }
}

impl fmt::Display for MissingHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seed {
            Some(seed) => write!(
                f,
                "the map asked for the hash of key {} under seed {seed}, which the recording does not hold",
                self.key
            ),
            None => write!(
                f,
                "the map hashed {} without writing a 32-bit seed first",
                self.key
            ),
        }
    }
}

/// The `BuildHasher` of a replayed map: hashes come from the recording.
#[derive(Clone)]
pub struct ReplayState {
    hashes: Arc<RecordedHashes>,
    key_type: KeyType,
}

impl ReplayState {
    /// A hasher builder for a map of `key_type` keys that answers from `hashes`.
    pub fn new(hashes: Arc<RecordedHashes>, key_type: KeyType) -> ReplayState {
        ReplayState { hashes, key_type }
    }
}

impl fmt::Debug for ReplayState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayState")
            .field("key_type", &self.key_type)
            .field("recorded_hashes", &self.hashes.len())
            .finish()
    }
}

impl BuildHasher for ReplayState {
    type Hasher = ReplayHasher;

    fn build_hasher(&self) -> ReplayHasher {
        ReplayHasher {
            hashes: Arc::clone(&self.hashes),
            key_type: self.key_type,
            bytes: Vec::new(),
        }
    }
}

/// Buffers every byte written; `finish` returns the recorded hash for them.
#[derive(Debug)]
pub struct ReplayHasher {
    hashes: Arc<RecordedHashes>,
    key_type: KeyType,
    bytes: Vec<u8>,
}

impl Hasher for ReplayHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// # Panics
    /// With a [`MissingHash`] payload when the recording holds no hash for the bytes
    /// written.
    fn finish(&self) -> u64 {
        match self.hashes.table(self.key_type).get(self.bytes.as_slice()) {
            Some(&hash) => hash,
            None => std::panic::panic_any(MissingHash::decode(self.key_type, &self.bytes)),
        }
    }
}
