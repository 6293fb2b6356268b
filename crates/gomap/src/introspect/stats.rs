//! `GoMap::stats()`: what `pprof` and a debugger would tell about a Go map,
//! computed from a layout snapshot.
//!
//! Probe statistics use the terms of the table at the top of Go's
//! `runtime/map.go`: *hit probe* is the number of entries a lookup of a
//! present key checks (its position among the full slots of the chain the
//! lookup reads), *miss probe* the number a lookup of an absent key checks
//! (every full slot of the chain), averaged over entries and over buckets
//! respectively.

#![forbid(unsafe_code)]

use core::mem::size_of;

use crate::base::event::GrowKind;
use crate::base::header::Header;
use crate::base::layout::{BucketOrigin, Chain, Layout, ReadFrom};
use crate::base::tophash::{is_evacuated, is_full, EMPTY_ONE};
use crate::GoMap;

/// A map's statistics. See [`GoMap::stats`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Stats {
    /// Live entries.
    pub count: usize,
    /// log2 of the bucket count.
    pub b: u8,
    /// Main buckets, `2^B`.
    pub buckets: usize,
    /// Bytes per bucket.
    pub bucket_size: usize,
    /// Entries per main bucket.
    pub load_factor: f64,
    /// Overflow buckets of the current array.
    pub overflow: OverflowStats,
    /// Slots marked emptyOne (deleted, with full slots after them).
    pub empty_one: usize,
    /// The growth in progress.
    pub growth: Option<GrowthStats>,
    /// Bytes by part.
    pub bytes: ByteStats,
    /// Lookup cost.
    pub probe: ProbeStats,
}

/// Overflow buckets linked into the current array's chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OverflowStats {
    /// Taken from the preallocated pool.
    pub pool: usize,
    /// Allocated on the heap.
    pub heap: usize,
    /// Pool buckets still free.
    pub pool_free: usize,
    /// Main buckets with at least one overflow bucket (Go's table calls the
    /// percentage of these "%overflow").
    pub chains_with_overflow: usize,
}

/// Progress of a growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GrowthStats {
    /// Doubling or same-size.
    #[cfg_attr(feature = "serde", serde(serialize_with = "kind_str"))]
    pub kind: GrowKind,
    /// Old buckets already evacuated.
    pub evacuated: usize,
    /// Old buckets in all.
    pub total: usize,
}

#[cfg(feature = "serde")]
fn kind_str<S: serde::Serializer>(k: &GrowKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

/// Bytes the map holds, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ByteStats {
    /// The `GoMap` value itself (Go's `hmap`).
    pub header: usize,
    /// The current bucket array, preallocated pool included.
    pub bucket_array: usize,
    /// Heap overflow buckets of the current array.
    pub overflow: usize,
    /// The old array and its heap overflow buckets, while growing.
    pub old: usize,
    /// Boxes of keys and values larger than 128 bytes.
    pub indirect: usize,
    /// All of the above.
    pub total: usize,
}

/// Lookup cost, in entries checked.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProbeStats {
    /// Mean entries checked by a lookup of a present key.
    pub hit_mean: f64,
    /// Mean entries checked by a lookup of an absent key.
    pub miss_mean: f64,
    /// `chain_lengths[n]`: chains a lookup may read that are `n` buckets long.
    pub chain_lengths: Vec<usize>,
}

fn full_slots<K, V>(chain: &Chain<'_, K, V>) -> usize {
    chain
        .iter()
        .map(|b| b.top.iter().filter(|&&t| is_full(t)).count())
        .sum()
}

fn chain_is_evacuated<K, V>(chain: &Chain<'_, K, V>) -> bool {
    is_evacuated(chain[0].top[0])
}

impl Stats {
    pub(crate) fn of<K, V, S>(map: &GoMap<K, V, S>) -> Stats {
        Stats::from_layout(&map.layout(), size_of::<GoMap<K, V, S>>())
    }

    /// Statistics of a snapshot; `header_bytes` is the size of the map value.
    pub fn from_layout<K, V>(l: &Layout<'_, K, V>, header_bytes: usize) -> Stats {
        let h: Header = l.header;
        let size = l.bucket_size;
        let mut overflow = OverflowStats {
            pool_free: l.pool.map_or(0, |p| p.pre_free),
            ..OverflowStats::default()
        };
        let mut empty_one = 0;
        for chain in &l.buckets {
            if chain.len() > 1 {
                overflow.chains_with_overflow += 1;
            }
            for b in chain {
                match b.at {
                    BucketOrigin::Main => {}
                    BucketOrigin::Pool(_) => overflow.pool += 1,
                    BucketOrigin::Heap => overflow.heap += 1,
                }
                empty_one += b.top.iter().filter(|&&t| t == EMPTY_ONE).count();
            }
        }
        let mut old_bytes = 0;
        let growth = l.old.as_ref().map(|old| {
            let mut evacuated = 0;
            let mut heap = 0;
            for chain in old {
                if chain_is_evacuated(chain) {
                    evacuated += 1;
                } else {
                    empty_one += chain
                        .iter()
                        .map(|b| b.top.iter().filter(|&&t| t == EMPTY_ONE).count())
                        .sum::<usize>();
                }
                heap += chain.iter().filter(|b| b.at == BucketOrigin::Heap).count();
            }
            old_bytes = (l.old_arr_len + heap) * size;
            GrowthStats {
                kind: if h.flags & Header::SAME_SIZE_GROW != 0 {
                    GrowKind::SameSize
                } else {
                    GrowKind::Double
                },
                evacuated,
                total: old.len(),
            }
        });

        // Probe statistics over the chains lookups read: per bucket index of
        // the current array, the chain the snapshot says holds it now.
        let mut hit_total = 0usize;
        let mut miss_total = 0usize;
        let mut chain_lengths = Vec::new();
        let nb = l.buckets.len();
        for (n, read) in l.read_from.iter().enumerate() {
            let (chain, counted_here) = match (*read, &l.old) {
                // Entries of an old chain are counted once, at their X index.
                (ReadFrom::Old(j), Some(old)) => (&old[j], n == j),
                _ => (&l.buckets[n], true),
            };
            let full = full_slots(chain);
            miss_total += full;
            if chain_lengths.len() <= chain.len() {
                chain_lengths.resize(chain.len() + 1, 0);
            }
            chain_lengths[chain.len()] += 1;
            if counted_here {
                hit_total += full * (full + 1) / 2;
            }
        }
        let indirect = h.count
            * (if l.key_size > 128 { l.key_size } else { 0 }
                + if l.val_size > 128 { l.val_size } else { 0 });
        let bucket_array = l.arr_len * size;
        let heap_bytes = overflow.heap * size;
        let total = header_bytes + bucket_array + heap_bytes + old_bytes + indirect;
        Stats {
            count: h.count,
            b: h.b,
            buckets: nb.max(1 << h.b),
            bucket_size: size,
            load_factor: h.load_factor(),
            overflow,
            empty_one,
            growth,
            bytes: ByteStats {
                header: header_bytes,
                bucket_array,
                overflow: heap_bytes,
                old: old_bytes,
                indirect,
                total,
            },
            probe: ProbeStats {
                hit_mean: if h.count == 0 {
                    0.0
                } else {
                    hit_total as f64 / h.count as f64
                },
                miss_mean: if nb == 0 {
                    0.0
                } else {
                    miss_total as f64 / nb as f64
                },
                chain_lengths,
            },
        }
    }
}
