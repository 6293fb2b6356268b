//! The iterators' `Clone`, `Debug` and `Default`, as std's map iterators
//! have them. `Debug` prints the entries an iterator has not yielded yet,
//! in the order it would yield them, without advancing it.

#![forbid(unsafe_code)]

use core::fmt;

use crate::iter::{Drain, IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Values, ValuesMut};
use crate::raw::{RawIterRef, RawTable};

impl<K, V> Clone for Keys<'_, K, V> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> Clone for Values<'_, K, V> {
    fn clone(&self) -> Self {
        Values {
            inner: self.inner.clone(),
        }
    }
}

/// A `Debug` list of what `it` yields, mapped by `f`.
fn list<'a, K: 'a, V: 'a, T: fmt::Debug>(
    f: &mut fmt::Formatter<'_>,
    it: RawIterRef<'a, K, V>,
    pick: impl Fn((&'a K, &'a V)) -> T,
) -> fmt::Result {
    f.debug_list().entries(it.map(pick)).finish()
}

impl<K: fmt::Debug, V> fmt::Debug for Keys<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug> fmt::Debug for Values<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}

impl<K, V: fmt::Debug> fmt::Debug for ValuesMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(_, v)| v)
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}

impl<K: fmt::Debug, V> fmt::Debug for IntoKeys<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(k, _)| k)
    }
}

impl<K, V: fmt::Debug> fmt::Debug for IntoValues<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(_, v)| v)
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}

impl<K, V> Default for Iter<'_, K, V> {
    /// An iterator that yields nothing.
    fn default() -> Self {
        Iter {
            inner: RawIterRef::empty(),
        }
    }
}

impl<K, V> Default for Keys<'_, K, V> {
    /// An iterator that yields nothing.
    fn default() -> Self {
        Keys {
            inner: Iter::default(),
        }
    }
}

impl<K, V> Default for Values<'_, K, V> {
    /// An iterator that yields nothing.
    fn default() -> Self {
        Values {
            inner: Iter::default(),
        }
    }
}

impl<K, V> Default for IntoIter<K, V> {
    /// An iterator that yields nothing (over a map with no buckets).
    fn default() -> Self {
        IntoIter::new(RawTable::empty(0))
    }
}
