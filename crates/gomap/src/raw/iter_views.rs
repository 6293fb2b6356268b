//! Read-only views of the iterators' remaining entries (for `Debug`) and
//! empty iterators (for `Default`). A child of `iter` so it can read the
//! iterators' cursor state without widening its visibility.

use core::marker::PhantomData;

use super::{RawDrain, RawIntoIter, RawIter, RawIterMut, RawIterRef};

impl<K, V> RawIter<K, V> {
    /// An iterator that yields nothing.
    fn empty() -> Self {
        RawIter {
            new: None,
            old: None,
            start: 0,
            offset: 0,
            visited: 0,
            cur: None,
            slot: 0,
            remaining: 0,
            _marker: PhantomData,
        }
    }
}

impl<K, V> RawIterRef<'_, K, V> {
    /// An iterator over no table that yields nothing.
    pub(crate) fn empty() -> Self {
        RawIterRef {
            iter: RawIter::empty(),
            _table: PhantomData,
        }
    }
}

impl<K, V> RawIterMut<'_, K, V> {
    /// The entries this iterator has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> RawIterRef<'_, K, V> {
        RawIterRef {
            iter: self.iter.clone(),
            _table: PhantomData,
        }
    }
}

impl<K, V> RawIntoIter<K, V> {
    /// The entries this iterator has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> RawIterRef<'_, K, V> {
        RawIterRef {
            iter: self.iter.clone(),
            _table: PhantomData,
        }
    }
}

impl<K, V> RawDrain<'_, K, V> {
    /// The entries this drain has not yielded yet, read-only.
    pub(crate) fn remaining(&self) -> RawIterRef<'_, K, V> {
        match &self.inner {
            Some(it) => it.remaining(),
            None => RawIterRef::empty(),
        }
    }
}
