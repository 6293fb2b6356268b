//! The path a lookup of a key takes through a layout: the bucket it reads
//! (old or new array while growing), each tophash byte it checks, the keys
//! it compares, and why it stops — as Go's `mapaccess` walks a chain.

#![forbid(unsafe_code)]

use gomap::{BucketView, Layout};

/// One slot a lookup read: where, its tophash byte, and what it concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSlot {
    /// Bucket of the chain (0 = the main bucket).
    pub link: usize,
    /// Slot in that bucket.
    pub slot: usize,
    /// Its tophash byte.
    pub top: u8,
    /// Whether the tophash equals the key's, so the key was compared.
    pub compared: bool,
    /// Whether the key compared equal.
    pub found: bool,
}

/// The path a lookup of a key takes through the layout before an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The lookup reads the old array (its bucket there is not evacuated).
    pub old: bool,
    /// The bucket it reads, in that array.
    pub bucket: usize,
    /// The slots it read, in order.
    pub slots: Vec<ProbeSlot>,
    /// Why it stopped: `found`, `emptyRest` or `end` (of the chain).
    pub stop: &'static str,
}

/// Go's tophash of a hash: its top byte, raised above the marks.
pub fn top_hash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < 5 {
        top + 5
    } else {
        top
    }
}

/// Whether an old chain was evacuated (its first mark is 2, 3 or 4).
pub(crate) fn evacuated<K, V>(chain: &[BucketView<'_, K, V>]) -> bool {
    (2..=4).contains(&chain[0].top[0])
}

/// The path a lookup of `key` (with hash `hash`) takes through `layout`.
pub fn probe<K: Eq, V>(layout: &Layout<'_, K, V>, hash: u64, key: &K) -> Probe {
    let h = layout.header;
    let top = top_hash(hash);
    if layout.buckets.is_empty() {
        // A `B = 0` map before its first insert has no bucket to read.
        return Probe {
            old: false,
            bucket: 0,
            slots: Vec::new(),
            stop: "end",
        };
    }
    let (old, bucket, chain) = match &layout.old {
        Some(old) => {
            let ob = (hash as usize) & (old.len() - 1);
            if evacuated(&old[ob]) {
                let b = (hash as usize) & (h.buckets() - 1);
                (false, b, &layout.buckets[b])
            } else {
                (true, ob, &old[ob])
            }
        }
        None => {
            let b = (hash as usize) & (h.buckets() - 1);
            (false, b, &layout.buckets[b])
        }
    };
    let mut slots = Vec::new();
    for (link, b) in chain.iter().enumerate() {
        for slot in 0..8 {
            let t = b.top[slot];
            if t == 0 {
                slots.push(ProbeSlot {
                    link,
                    slot,
                    top: t,
                    compared: false,
                    found: false,
                });
                return Probe {
                    old,
                    bucket,
                    slots,
                    stop: "emptyRest",
                };
            }
            let compared = t == top;
            let found = compared && b.keys[slot] == Some(key);
            slots.push(ProbeSlot {
                link,
                slot,
                top: t,
                compared,
                found,
            });
            if found {
                return Probe {
                    old,
                    bucket,
                    slots,
                    stop: "found",
                };
            }
        }
    }
    Probe {
        old,
        bucket,
        slots,
        stop: "end",
    }
}
