//! Raw primitives behind the std API's newer methods: `extract_if`,
//! `get_disjoint_mut`, `insert_entry` and a set's `replace` (the iterators'
//! views are in `iter_views.rs`). Each is built on the table's own helpers
//! (`find`, `take_slot`, `insert_vacant`, `live_chain_heads`), so it follows
//! the same delete and insert bookkeeping as the operations it extends.

use super::shape::*;
use super::{Bucket, BucketRef, CapacityError, RawOccupied, RawTable, RawVacant, Slot};
use crate::base::event::ReseedCause;

/// An `extract_if` walk: `retain`'s walk over the live chains, stopping at
/// each entry the predicate takes. It holds the table's unique borrow, so
/// the chain positions it keeps stay live: deletes free no bucket, and
/// nothing else can change the table meanwhile.
pub struct RawExtract<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    /// Heads of the chains still to walk, last first.
    heads: Vec<Bucket<K, V>>,
    /// The chain being walked: its head, the bucket and the next slot.
    head: Option<Bucket<K, V>>,
    cur: Option<Bucket<K, V>>,
    slot: usize,
}

// SAFETY: the cursor is a `&mut RawTable` plus positions in that table's
// buckets, used only through that borrow; sending it is sending the borrow,
// which is `Send` when the table is (`K: Send, V: Send`).
unsafe impl<K: Send, V: Send> Send for RawExtract<'_, K, V> {}
// SAFETY: through `&RawExtract` nothing is reachable but the entry count.
unsafe impl<K: Sync, V: Sync> Sync for RawExtract<'_, K, V> {}

impl<K, V> RawTable<K, V> {
    /// Starts an `extract_if` walk over the live chains.
    pub(crate) fn extract(&mut self) -> RawExtract<'_, K, V> {
        RawExtract::new(self)
    }
}

impl<'a, K, V> RawExtract<'a, K, V> {
    fn new(table: &'a mut RawTable<K, V>) -> Self {
        let mut heads = if table.count == 0 {
            Vec::new()
        } else {
            table.live_chain_heads()
        };
        heads.reverse();
        RawExtract {
            table,
            heads,
            head: None,
            cur: None,
            slot: 0,
        }
    }

    /// Entries left in the table.
    pub(crate) fn table_len(&self) -> usize {
        self.table.count
    }

    /// The next entry `pred` accepts, removed with Go's delete bookkeeping
    /// (no growth work); `reseed` gives the new seed if this empties the map.
    pub(crate) fn next(
        &mut self, mut pred: impl FnMut(&K, &mut V) -> bool, reseed: impl FnOnce() -> u32,
    ) -> Option<(K, V)> {
        loop {
            if self.table.count == 0 {
                // Nothing is left to offer; stop walking the chains.
                self.heads.clear();
                self.cur = None;
                return None;
            }
            let b = match self.cur {
                Some(b) => b,
                None => {
                    let head = self.heads.pop()?;
                    self.head = Some(head);
                    self.cur = Some(head);
                    self.slot = 0;
                    head
                }
            };
            if self.slot == BUCKET_CNT {
                // SAFETY: `b` is a live bucket of this table (see the type's
                // docs); the handle ends with this statement.
                self.cur = unsafe { b.get() }.overflow().map(BucketRef::erase);
                self.slot = 0;
                continue;
            }
            let i = self.slot;
            self.slot += 1;
            // SAFETY: as above.
            if !is_full(unsafe { b.get() }.top(i)) {
                continue;
            }
            // SAFETY: the slot is full; the unique borrow of the table makes
            // `&mut V` exclusive, and the references end before the slot is
            // taken.
            let (k, v) = unsafe { b.entry_mut(i) };
            if pred(k, v) {
                let head = self.head.expect("a chain is being walked");
                let kv = self.table.take_slot(Slot {
                    bucket: b,
                    index: i,
                    head,
                });
                if self.table.count == 0 {
                    self.table.reseed(reseed(), ReseedCause::DeleteToEmpty);
                }
                return Some(kv);
            }
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// The entries of `N` keys, mutably; `eq(n, k)` tells whether `k` is the
    /// `n`th key. Panics if two of them are the same entry.
    pub(crate) fn get_disjoint_mut<const N: usize>(
        &mut self, hashes: [u64; N], mut eq: impl FnMut(usize, &K) -> bool,
    ) -> [Option<(&K, &mut V)>; N] {
        let slots: [Option<(Bucket<K, V>, usize)>; N] = core::array::from_fn(|n| {
            self.find(hashes[n], |k| eq(n, k))
                .map(|f| (f.bucket().erase(), f.index()))
        });
        for (i, a) in slots.iter().enumerate() {
            let Some(a) = a else { continue };
            assert!(
                !slots[..i].iter().flatten().any(|b| b == a),
                "gomap: get_disjoint_mut: two keys name the same entry"
            );
        }
        // SAFETY: every `Some` slot is full (`find` under this borrow) and no
        // two name the same slot (checked above), so the `&mut V`s are to
        // distinct values, exclusive through our unique borrow of the table.
        slots.map(|s| s.map(|(b, i)| unsafe { b.entry_mut(i) }))
    }
}

impl<'a, K, V> RawVacant<'a, K, V> {
    /// Inserts the entry (growing first where Go would) and returns it as
    /// an occupied entry.
    pub(crate) fn insert_occupied(
        self, key: K, val: V, hasher: impl Fn(&K) -> u64,
    ) -> Result<RawOccupied<'a, K, V>, CapacityError> {
        let hash = self.pos.hash;
        let (bucket, index) = self.table.insert_vacant(self.pos, key, val, &hasher)?;
        // A write lands in the current array, in the chain of the key's main
        // bucket (its growth work evacuated that bucket first).
        let head = self
            .table
            .main_bucket(hash as usize & self.table.bucket_mask())
            .erase();
        Ok(RawOccupied {
            table: self.table,
            slot: Slot {
                bucket,
                index,
                head,
            },
        })
    }
}

impl<K, V> RawOccupied<'_, K, V> {
    /// Swaps the stored key for `key` (equal to it), returning the old one.
    pub(crate) fn replace_key(&mut self, key: K) -> K {
        // SAFETY: the slot is full (it came from a lookup under the unique
        // borrow this entry holds), so its key is initialized; `replace`
        // moves the old key out and the new one in, leaving it initialized.
        unsafe { core::ptr::replace(self.slot.bucket.key_ptr(self.slot.index), key) }
    }
}
