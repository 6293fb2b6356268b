//! Raw primitives behind the std API's newer methods: `extract_if`,
//! `get_disjoint_mut` and `insert_entry` (the iterators' views are in
//! `iter_views.rs`). Each is built on the table's existing private helpers
//! (`find`, `take_slot`, `insert_vacant`, `live_chain_heads`), so it follows
//! the same delete and insert bookkeeping as the operations it extends.

use super::shape::*;
use super::{Bucket, CapacityError, RawOccupied, RawTable, RawVacant, Slot};
use crate::events::ReseedCause;

// ----------------------------------------------------------------------
// extract_if: `retain`'s walk, one removal at a time.
// ----------------------------------------------------------------------

/// A cursor over every full slot of a table that takes out the entries a
/// predicate picks, with Go's delete bookkeeping and no growth work (as
/// `retain`). Holding the table's unique borrow keeps its bucket pointers
/// valid: nothing but this cursor can change the table while it lives, and
/// its removals only rewrite tophash bytes, so no bucket moves or is freed.
pub(crate) struct RawExtract<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    /// Chain heads not started yet, last first (popped from the end).
    heads: Vec<Bucket>,
    /// The chain being walked: its main bucket and the bucket in it.
    head: Option<Bucket>,
    cur: Option<Bucket>,
    /// The next slot of `cur` to look at.
    slot: usize,
}

// SAFETY: the cursor is a `&mut RawTable` plus pointers into that table's
// buckets, used only through that borrow; sending it is sending the borrow,
// which is `Send` when the table is (`K: Send, V: Send`).
unsafe impl<K: Send, V: Send> Send for RawExtract<'_, K, V> {}
// SAFETY: through `&RawExtract` nothing is reachable but the entry count.
unsafe impl<K: Sync, V: Sync> Sync for RawExtract<'_, K, V> {}

impl<'a, K, V> RawExtract<'a, K, V> {
    pub(crate) fn new(table: &'a mut RawTable<K, V>) -> Self {
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

    /// Entries left in the table (visited or not).
    pub(crate) fn table_len(&self) -> usize {
        self.table.count
    }

    /// The next entry `pred` picks, taken out of the table. Every full slot
    /// is offered to `pred` at most once. `reseed` gives the new seed when
    /// the removal empties the table.
    ///
    /// A `pred` that panics leaves the table as it was before the call
    /// (the slot it was looking at stays full, and is not offered again).
    pub(crate) fn next(
        &mut self,
        mut pred: impl FnMut(&K, &mut V) -> bool,
        reseed: impl FnOnce() -> u32,
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
                // docs); its overflow link is null or live.
                self.cur = unsafe { RawTable::<K, V>::overflow(b) };
                self.slot = 0;
                continue;
            }
            let i = self.slot;
            self.slot += 1;
            // SAFETY: `b` is a live bucket and `i < 8`.
            if !is_full(unsafe { RawTable::<K, V>::top(b, i) }) {
                continue;
            }
            // SAFETY: the slot is full; the unique borrow of the table makes
            // `&mut V` exclusive for the call.
            let (k, v) = unsafe { RawTable::<K, V>::entry_at_mut(b, i) };
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

// ----------------------------------------------------------------------
// get_disjoint_mut.
// ----------------------------------------------------------------------

impl<K, V> RawTable<K, V> {
    /// The entries for `N` probes at once, each value mutable. Probe `n` has
    /// hash `hashes[n]` and matches the keys `eq(n, key)` accepts.
    ///
    /// # Panics
    /// If two probes find the same entry: two `&mut` to one value would
    /// alias. Nothing is changed then.
    pub(crate) fn get_disjoint_mut<const N: usize>(
        &mut self,
        hashes: [u64; N],
        mut eq: impl FnMut(usize, &K) -> bool,
    ) -> [Option<(&K, &mut V)>; N] {
        let slots: [Option<Slot>; N] = core::array::from_fn(|n| self.find(hashes[n], |k| eq(n, k)));
        for (i, a) in slots.iter().enumerate() {
            let Some(a) = a else { continue };
            for b in slots[..i].iter().flatten() {
                assert!(
                    !(a.bucket == b.bucket && a.index == b.index),
                    "gomap: get_disjoint_mut: two keys name the same entry"
                );
            }
        }
        // SAFETY: every `Some` slot is full (`find` under this borrow) and no
        // two name the same slot (checked above), so the `&mut V`s are to
        // distinct values, exclusive through our unique borrow of the table.
        slots.map(|s| s.map(|s| unsafe { Self::entry_at_mut(s.bucket, s.index) }))
    }
}

// ----------------------------------------------------------------------
// insert_entry: a vacant entry becomes an occupied one.
// ----------------------------------------------------------------------

impl<'a, K, V> RawVacant<'a, K, V> {
    /// Inserts the entry (starting a growth first when Go would) and hands
    /// back the occupied entry for it.
    pub(crate) fn insert_occupied(
        self,
        key: K,
        val: V,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<RawOccupied<'a, K, V>, CapacityError> {
        let hash = self.pos.hash;
        let (bucket, index) = self.table.insert_vacant(self.pos, key, val, &hasher)?;
        // A write lands in the current array, in the chain of the key's main
        // bucket (its growth work evacuated that bucket first).
        let head = self
            .table
            .main_bucket(hash as usize & self.table.bucket_mask());
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

// ----------------------------------------------------------------------
// A set's `replace`: swap the stored key for an equal one.
// ----------------------------------------------------------------------

impl<K, V> RawOccupied<'_, K, V> {
    /// Puts `key` in the slot in place of the stored key, which it returns.
    /// The caller passes a key equal to the stored one (same hash), so the
    /// slot's tophash and chain stay right.
    pub(crate) fn replace_key(&mut self, key: K) -> K {
        // SAFETY: the slot is full (it came from a lookup under the unique
        // borrow this entry holds), so its key is initialized; `replace`
        // moves the old key out and the new one in, leaving it initialized.
        unsafe {
            core::ptr::replace(
                RawTable::<K, V>::key_ptr(self.slot.bucket, self.slot.index),
                key,
            )
        }
    }
}
