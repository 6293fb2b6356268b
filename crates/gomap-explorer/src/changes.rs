//! The slots an op changed: two snapshots of an array's tophash bytes, keys
//! and values, compared slot by slot.

#![forbid(unsafe_code)]

use gomap::BucketView;

use crate::ExKey;

/// The most changed slots a [`Detail`](crate::Detail) lists.
pub const CHANGED_LIMIT: usize = 4096;

/// One bucket's contents for change detection: tophash bytes, key
/// fingerprints, values.
pub(crate) type BucketShot = ([u8; 8], [Option<u64>; 8], [Option<u64>; 8]);

/// An array's contents for change detection, chain by chain.
pub(crate) type Shot = Vec<Vec<BucketShot>>;

pub(crate) fn shot<K: ExKey>(chains: &[Vec<BucketView<'_, K, u64>>]) -> Shot {
    chains
        .iter()
        .map(|c| {
            c.iter()
                .map(|b| {
                    (
                        b.top,
                        b.keys.map(|k| k.map(ExKey::fingerprint)),
                        b.vals.map(|v| v.copied()),
                    )
                })
                .collect()
        })
        .collect()
}

/// Appends to `out` the slots of `after` that differ from `before` (a
/// missing bucket counts as empty).
pub(crate) fn diff(after: &Shot, before: Option<&Shot>, array: usize, out: &mut Vec<[usize; 4]>) {
    const EMPTY: BucketShot = ([0; 8], [None; 8], [None; 8]);
    for (b, chain) in after.iter().enumerate() {
        for (l, now) in chain.iter().enumerate() {
            let was = before
                .and_then(|s| s.get(b))
                .and_then(|c| c.get(l))
                .unwrap_or(&EMPTY);
            for s in 0..8 {
                if (now.0[s], now.1[s], now.2[s]) != (was.0[s], was.1[s], was.2[s])
                    && out.len() < CHANGED_LIMIT
                {
                    out.push([array, b, l, s]);
                }
            }
        }
    }
}
