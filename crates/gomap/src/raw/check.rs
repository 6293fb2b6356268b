//! `check_invariants`: every structural rule the table must obey after any
//! operation, stated once and checked by the tests after every step.

use std::collections::HashSet;

use super::alloc::BucketArray;
use super::bucket::BucketRef;
use super::shape::*;
use super::{RawTable, SAME_SIZE_GROW};

impl<K, V> RawTable<K, V> {
    /// Checks the table's invariants; with `hasher`, also that every key sits
    /// in the bucket its hash selects and carries its hash's tophash.
    pub(crate) fn check(&self, hasher: Option<&dyn Fn(&K) -> u64>) -> Result<(), String> {
        // The cached growth limits agree with Go's tests at their edges.
        for (count, ovf) in [
            (self.load_limit, self.overflow_limit.wrapping_sub(1)),
            (self.load_limit.wrapping_add(1), self.overflow_limit),
        ] {
            let cached = (count > self.load_limit, ovf >= self.overflow_limit);
            let by_go = (
                super::over_load_factor_by_definition(count, self.b, self.stress),
                super::too_many_overflow_buckets(ovf, self.b),
            );
            if count != 0 && ovf != u16::MAX && cached != by_go {
                return Err(format!(
                    "growth limits ({}, {}) are stale for B={} stress={}",
                    self.load_limit, self.overflow_limit, self.b, self.stress
                ));
            }
        }
        if self.mask != (1usize << self.b) - 1 {
            return Err(format!(
                "cached mask {:#x} is stale for B={}",
                self.mask, self.b
            ));
        }
        let Some(arr) = &self.buckets else {
            if self.b != 0 || self.count != 0 || self.oldbuckets.is_some() {
                return Err("no bucket array but B, count or growth state is set".into());
            }
            return Ok(());
        };
        if arr.b() != self.b {
            return Err(format!(
                "array is for B={} but header says B={}",
                arr.b(),
                self.b
            ));
        }
        if self.flags & !SAME_SIZE_GROW != 0 {
            return Err(format!("unexpected flags {:#x}", self.flags));
        }
        // Growth state.
        match &self.oldbuckets {
            None => {
                if self.flags & SAME_SIZE_GROW != 0 {
                    return Err("same-size flag set while not growing".into());
                }
            }
            Some(old) => {
                let same = self.flags & SAME_SIZE_GROW != 0;
                let want = if same { self.b } else { self.b.wrapping_sub(1) };
                if old.b() != want {
                    return Err(format!(
                        "old array B={} for new B={} (same-size={same})",
                        old.b(),
                        self.b
                    ));
                }
                if self.nevacuate >= old.base() {
                    return Err(format!(
                        "growing with nevacuate={} >= {}",
                        self.nevacuate,
                        old.base()
                    ));
                }
            }
        }
        // Pool.
        if arr.has_pool() {
            if let Some(n) = self.next_overflow {
                if n < arr.base() || n >= arr.len() {
                    return Err(format!(
                        "next_overflow {n} outside pool {}..{}",
                        arr.base(),
                        arr.len()
                    ));
                }
            }
        } else if self.next_overflow.is_some() {
            return Err("next_overflow set on an array without a pool".into());
        }
        let pool_end = self.next_overflow.unwrap_or(arr.len());
        let mut pool_used = vec![false; arr.len() - arr.base()];

        let mut full = 0usize;
        let mut overflow = 0usize;
        let mut linked = HashSet::new();
        for n in 0..arr.base() {
            let chain = Self::chain_of(arr.main(n), arr, Some(&mut pool_used), &mut linked)?;
            overflow += chain.len() - 1;
            if let Some(old) = &self.oldbuckets {
                let j = n & (old.base() - 1);
                let live = self.live_chain(n).expect("the array is allocated");
                let evacuated = live.old.is_none();
                if !evacuated
                    && (chain.len() != 1
                        || Self::chain_tops(&chain).iter().any(|&t| t != EMPTY_REST))
                {
                    return Err(format!(
                        "new bucket {n} filled before old bucket {j} was evacuated"
                    ));
                }
                if j < self.nevacuate && !evacuated {
                    return Err(format!(
                        "old bucket {j} below nevacuate={} not evacuated",
                        self.nevacuate
                    ));
                }
            }
            full += self
                .check_chain(&chain, n, self.b, hasher, false)
                .map_err(|e| format!("bucket {n}: {e}"))?;
        }
        for (k, used) in pool_used.iter().enumerate() {
            let idx = arr.base() + k;
            if *used != (idx < pool_end) {
                return Err(format!(
                    "pool bucket {idx}: linked={used} but next_overflow={:?}",
                    self.next_overflow
                ));
            }
        }
        if let Some(old) = &self.oldbuckets {
            for j in 0..old.base() {
                let head = old.main(j);
                if is_evacuated(head.top(0)) {
                    let tops = head.tops().to_bytes();
                    if tops.iter().any(|&t| !is_evacuated(t)) {
                        return Err(format!("old bucket {j} partially evacuated: {tops:?}"));
                    }
                    if head.overflow().is_some() {
                        return Err(format!(
                            "evacuated old bucket {j} still links overflow buckets"
                        ));
                    }
                    continue;
                }
                let chain = Self::chain_of(head, old, None, &mut linked)?;
                full += self
                    .check_chain(&chain, j, old.b(), hasher, true)
                    .map_err(|e| format!("old bucket {j}: {e}"))?;
            }
        }
        if full != self.count {
            return Err(format!("count={} but {full} full slots", self.count));
        }
        if self.b < 16 && self.noverflow != overflow as u16 {
            return Err(format!(
                "noverflow={} but {overflow} overflow buckets",
                self.noverflow
            ));
        }
        // A range cursor's place in a run of equal hashes lies within the
        // chain holding that hash (evacuation renumbered it if it moved).
        for run in self.ties.live() {
            let n = run.hash() as usize & self.bucket_mask();
            let live = self
                .live_chain(n)
                .ok_or("a range run in a map without an array")?;
            let slots = live.head.chain().count() * BUCKET_CNT;
            if run.next() > slots {
                return Err(format!(
                    "a range cursor's run in bucket {n} resumes at offset {} of a {slots}-slot chain",
                    run.next()
                ));
            }
        }
        Ok(())
    }

    /// The buckets of the chain at `head`. `linked` collects every overflow
    /// bucket seen in the whole table, so a bucket linked twice (or a cycle)
    /// is caught.
    fn chain_of<'a>(
        head: BucketRef<'a, K, V>, arr: &BucketArray<K, V>, mut pool_used: Option<&mut Vec<bool>>,
        linked: &mut HashSet<usize>,
    ) -> Result<Vec<BucketRef<'a, K, V>>, String> {
        let mut chain = vec![head];
        // The walk stops at the first bucket seen twice, so a cycle ends it.
        for bk in head.chain().skip(1) {
            if !linked.insert(bk.as_ptr().as_ptr() as usize) {
                return Err("an overflow bucket is linked twice (or a chain has a cycle)".into());
            }
            if let Some(idx) = arr.index_of(bk.as_ptr()) {
                if idx < arr.base() {
                    return Err(format!("main bucket {idx} linked as an overflow bucket"));
                }
                if let Some(used) = pool_used.as_deref_mut() {
                    let u = &mut used[idx - arr.base()];
                    if *u {
                        return Err(format!("pool bucket {idx} linked twice"));
                    }
                    *u = true;
                }
            }
            chain.push(bk);
        }
        Ok(chain)
    }

    fn chain_tops(chain: &[BucketRef<'_, K, V>]) -> Vec<u8> {
        chain.iter().flat_map(|b| b.tops().to_bytes()).collect()
    }

    /// Checks one chain's marks and keys; returns its number of full slots.
    fn check_chain(
        &self, chain: &[BucketRef<'_, K, V>], index: usize, b: u8,
        hasher: Option<&dyn Fn(&K) -> u64>, old: bool,
    ) -> Result<usize, String> {
        let tops = Self::chain_tops(chain);
        let mut full = 0;
        let mut rest_from = None;
        for (p, &t) in tops.iter().enumerate() {
            if is_evacuated(t) {
                return Err(format!("evacuation mark {t} in a live chain at slot {p}"));
            }
            if t == EMPTY_REST && rest_from.is_none() {
                rest_from = Some(p);
            }
            if let Some(r) = rest_from {
                if t != EMPTY_REST {
                    return Err(format!("slot {p} is {t} after emptyRest at slot {r}"));
                }
            }
            if let Some(slot) = chain[p / BUCKET_CNT].slot(p % BUCKET_CNT) {
                full += 1;
                if let Some(h) = hasher {
                    let hash = h(slot.key());
                    let mask = (1usize << b) - 1;
                    if hash as usize & mask != index {
                        return Err(format!(
                            "slot {p}: key hashes to bucket {}",
                            hash as usize & mask
                        ));
                    }
                    if tophash(hash) != t {
                        return Err(format!(
                            "slot {p}: tophash {t} but key's is {}",
                            tophash(hash)
                        ));
                    }
                }
            }
        }
        // The slot before the emptyRest run (or the chain's last slot, when
        // there is no run) is never emptyOne: a delete turns such a slot
        // into emptyRest.
        let before = match rest_from {
            Some(0) => None,
            Some(r) => Some(r - 1),
            None => Some(tops.len() - 1),
        };
        if let Some(p) = before {
            if tops[p] == EMPTY_ONE {
                return Err(format!("emptyOne at slot {p} is followed by no full slot"));
            }
        }
        // An overflow bucket is linked only when the chain before it was full,
        // and deletes never unlink one; so an empty trailing overflow bucket is
        // possible and fine. Nothing more to check for `old`.
        let _ = old;
        Ok(full)
    }
}
