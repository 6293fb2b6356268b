//! The iterators' `Clone` and `Debug`, as std's map iterators have them. `Debug` prints the entries an iterator has not yielded yet,
//! in the order it would yield them, without advancing it.

#![forbid(unsafe_code)]

use core::fmt;

use super::iter::{Drain, IntoIter, IntoKeys, IntoValues, IterMut, Keys, Values, ValuesMut};
use crate::engine::{Engine, Remaining};

impl<K, V, E: Engine> Clone for Keys<'_, K, V, E> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V, E: Engine> Clone for Values<'_, K, V, E> {
    fn clone(&self) -> Self {
        Values {
            inner: self.inner.clone(),
        }
    }
}

/// A `Debug` list of what `it` yields, mapped by `f`.
fn list<'a, K: 'a, V: 'a, T: fmt::Debug>(
    f: &mut fmt::Formatter<'_>, it: impl Iterator<Item = (&'a K, &'a V)>,
    pick: impl Fn((&'a K, &'a V)) -> T,
) -> fmt::Result {
    f.debug_list().entries(it.map(pick)).finish()
}

impl<K: fmt::Debug, V, E: Engine> fmt::Debug for Keys<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug, E: Engine> fmt::Debug for Values<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K: fmt::Debug, V: fmt::Debug, E: Engine> fmt::Debug for IterMut<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}

impl<K, V: fmt::Debug, E: Engine> fmt::Debug for ValuesMut<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(_, v)| v)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, E: Engine> fmt::Debug for IntoIter<K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}

impl<K: fmt::Debug, V, E: Engine> fmt::Debug for IntoKeys<K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(k, _)| k)
    }
}

impl<K, V: fmt::Debug, E: Engine> fmt::Debug for IntoValues<K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.inner.remaining(), |(_, v)| v)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, E: Engine> fmt::Debug for Drain<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, self.inner.remaining(), |kv| kv)
    }
}
