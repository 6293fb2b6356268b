//! The registry of *tie runs* both engines keep for their `range()`
//! cursors: a cursor standing inside a run of distinct keys that share one
//! 64-bit hash tells them apart by position, and a grow or split that moves
//! those keys must carry the positions along. What a run records differs by
//! engine (`R`); how the map finds the live ones does not.
//!
//! The registry holds `Weak` handles, so a cursor dropped mid-run frees its
//! place: dead entries are pruned at the next registration, move or reseed.
//! A sound hasher makes runs vanishingly rare, so the list is empty and a
//! grow pays one branch for it.

use std::sync::{Arc, Mutex, PoisonError, Weak};

/// The runs range cursors are inside.
#[derive(Debug)]
pub(crate) struct TieRegistry<R> {
    runs: Mutex<Vec<Weak<R>>>,
}

impl<R> TieRegistry<R> {
    pub(crate) const fn new() -> Self {
        TieRegistry {
            runs: Mutex::new(Vec::new()),
        }
    }

    /// The list, through a unique borrow: no locking. No user code runs
    /// while the lock is held, so it is never poisoned by a panic of ours;
    /// a poisoned list would still be consistent, so poison is ignored.
    #[inline(always)]
    fn runs_mut(&mut self) -> &mut Vec<Weak<R>> {
        self.runs.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether no cursor is (or may be) inside a run.
    #[inline(always)]
    pub(crate) fn is_empty(&mut self) -> bool {
        self.runs_mut().is_empty()
    }

    /// Registers a run a cursor has entered (through the shared borrow a
    /// cursor step holds, hence the lock), pruning runs whose cursors are
    /// gone.
    pub(crate) fn register(&self, run: &Arc<R>) {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.retain(|w| w.strong_count() > 0);
        runs.push(Arc::downgrade(run));
    }

    /// Calls `f` on every run whose cursor is still alive and forgets the
    /// others.
    pub(crate) fn for_each_live(&mut self, mut f: impl FnMut(&R)) {
        self.runs_mut().retain(|w| match w.upgrade() {
            Some(run) => {
                f(&run);
                true
            }
            None => false,
        });
    }

    /// Forgets every run: the map was reseeded, which ends every cursor.
    pub(crate) fn clear(&mut self) {
        let runs = self.runs_mut();
        runs.clear();
        runs.shrink_to_fit();
    }

    /// The live runs, for the invariant check.
    pub(crate) fn live(&self) -> Vec<Arc<R>> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.iter().filter_map(Weak::upgrade).collect()
    }

    /// Entries in the list, dead ones included, for tests of pruning.
    #[cfg(test)]
    pub(crate) fn registered(&mut self) -> usize {
        self.runs_mut().len()
    }
}
