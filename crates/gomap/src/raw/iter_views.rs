//! Read-only views of the entries an iterator has not yielded yet, for
//! `Debug`. A child of `iter` so it can read the iterators' cursor state
//! without widening its visibility.

use super::{RawDrain, RawIntoIter, RawIterMut, RawIterRef};

impl<K, V> RawIterMut<'_, K, V> {
    /// The entries this iterator has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> RawIterRef<'_, K, V> {
        RawIterRef {
            iter: self.iter.clone(),
            table: self.table,
        }
    }
}

impl<K, V> RawIntoIter<K, V> {
    /// The entries this iterator has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> RawIterRef<'_, K, V> {
        RawIterRef {
            iter: self.iter.clone(),
            table: &self.table,
        }
    }
}

impl<K, V> RawDrain<'_, K, V> {
    /// The entries this drain has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.inner
            .as_ref()
            .map(RawIntoIter::remaining)
            .into_iter()
            .flatten()
    }
}
