//! The one chain walker and the one tophash scan.
//!
//! [`RawTable::live_chain`] answers "which chain holds bucket `n` now":
//! during a growth, the old chain while it is not evacuated, else the
//! current one. Lookups, iteration, the range cursor, the invariant check
//! and the layout snapshot all ask it. [`scan`] is Go's lookup loop over
//! such a chain, shared by `find`, `probe` and `remove`; the chain's
//! buckets come from [`BucketRef::chain`](super::bucket::BucketRef::chain).

use super::bucket::{BucketRef, Full, Tops};
use super::RawTable;
use crate::base::tophash::is_evacuated;

/// The chain that holds a bucket's entries now.
pub(crate) struct LiveChain<'a, K, V> {
    /// Its main bucket.
    pub(crate) head: BucketRef<'a, K, V>,
    /// `Some(j)` when it is old bucket `j`'s chain, not yet evacuated
    /// (which holds the entries of both halves of a doubling).
    pub(crate) old: Option<usize>,
}

impl<K, V> RawTable<K, V> {
    /// The chain that holds bucket `n & (2^B - 1)` now: during a growth, the
    /// old bucket it comes from while that is not evacuated, else the
    /// current bucket. `None` before the first array. Go: the `oldbuckets`
    /// test of `mapaccess` and `mapiternext`.
    #[inline(always)]
    pub(crate) fn live_chain(&self, n: usize) -> Option<LiveChain<'_, K, V>> {
        let head = self.buckets.as_ref()?.main(n);
        if let Some(old) = &self.oldbuckets {
            // Old index: the low oldB bits (for a same-size growth, the same
            // index, since both arrays have `2^B` buckets).
            let ob = old.main(n);
            if !is_evacuated(ob.top(0)) {
                return Some(LiveChain {
                    head: ob,
                    old: Some(n & (old.base() - 1)),
                });
            }
        }
        Some(LiveChain { head, old: None })
    }
}

/// What a [`scan`] found.
pub(crate) enum Scan<'a, K, V> {
    /// The slot whose key is the probe's.
    Found(Full<'a, K, V>),
    /// The key is not in the chain.
    Absent {
        /// The first empty slot of the chain (sought only when the scan
        /// was asked to).
        vacancy: Option<(BucketRef<'a, K, V>, usize)>,
        /// The last bucket looked at.
        last: BucketRef<'a, K, V>,
        /// Whether the scan stopped at an emptyRest mark (else at the end
        /// of the chain).
        at_rest: bool,
    },
}

/// Go's lookup loop: compares the keys of the slots whose tophash is the
/// hash's, in slot order, bucket by bucket, and stops at the first
/// emptyRest. With `VACANCY`, it also remembers the first empty slot, as
/// `mapassign` does.
///
/// Go compares slot by slot; the masks visit the same candidates in the
/// same order (no full slot follows an emptyRest in a chain). The vacancy
/// is sought in a first loop that ends at the first bucket with an empty
/// slot, so that no later bucket pays for the search (a test per bucket
/// that the compiler would turn into straight-line code).
#[inline(always)]
pub(crate) fn scan<'a, K, V, const VACANCY: bool>(
    head: BucketRef<'a, K, V>, hash: u64, mut eq: impl FnMut(&K) -> bool,
) -> Scan<'a, K, V> {
    let absent = |vacancy, last, at_rest| Scan::Absent {
        vacancy,
        last,
        at_rest,
    };
    let mut b = head;
    let mut vacancy = None;
    if VACANCY {
        loop {
            let tops = b.read();
            if let Some(slot) = key_in(tops, hash, &mut eq) {
                return Scan::Found(slot);
            }
            // A bucket without an empty slot has no emptyRest either.
            if let Some(i) = tops.group().match_empty().lowest() {
                vacancy = Some((b, i));
                if tops.group().match_empty_rest().any() {
                    return absent(vacancy, b, true);
                }
                // The rest of the chain is scanned as a lookup scans it.
                match b.overflow() {
                    Some(next) => b = next,
                    None => return absent(vacancy, b, false),
                }
                break;
            }
            match b.overflow() {
                Some(next) => b = next,
                None => return absent(vacancy, b, false),
            }
        }
    }
    loop {
        let tops = b.read();
        if let Some(slot) = key_in(tops, hash, &mut eq) {
            return Scan::Found(slot);
        }
        if tops.group().match_empty_rest().any() {
            return absent(vacancy, b, true);
        }
        match b.overflow() {
            Some(next) => b = next,
            None => return absent(vacancy, b, false),
        }
    }
}

/// The slot of one bucket whose key is the probe's: candidates by tophash
/// in slot order, each cleared only once its key did not match.
#[inline(always)]
fn key_in<'a, K, V>(
    tops: Tops<'a, K, V>, hash: u64, eq: &mut impl FnMut(&K) -> bool,
) -> Option<Full<'a, K, V>> {
    let mut candidates = tops.matching(hash);
    while let Some(slot) = candidates.first() {
        if eq(slot.key()) {
            return Some(slot);
        }
        candidates.skip_first();
    }
    None
}
