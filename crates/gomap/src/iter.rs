//! Iterators over a `GoMap`. All start at a random bucket and slot offset,
//! as Go's `range` does, and walk a growing map in the new array's order.

#![forbid(unsafe_code)]

use core::fmt;
use core::iter::FusedIterator;

use crate::raw::{RawDrain, RawIntoIter, RawIterMut, RawIterRef, RawTable};

/// Iterator over `(&K, &V)`, from [`GoMap::iter`](crate::GoMap::iter).
pub struct Iter<'a, K, V> {
    pub(crate) inner: RawIterRef<'a, K, V>,
}

impl<'a, K, V> Iter<'a, K, V> {
    pub(crate) fn new(table: &'a RawTable<K, V>) -> Self {
        Iter {
            inner: RawIterRef::new(table),
        }
    }
}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
impl<K, V> ExactSizeIterator for Iter<'_, K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Iterator over `(&K, &mut V)`, from [`GoMap::iter_mut`](crate::GoMap::iter_mut).
pub struct IterMut<'a, K, V> {
    pub(crate) inner: RawIterMut<'a, K, V>,
}

impl<'a, K, V> IterMut<'a, K, V> {
    pub(crate) fn new(table: &'a mut RawTable<K, V>) -> Self {
        IterMut {
            inner: RawIterMut::new(table),
        }
    }
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {
    fn len(&self) -> usize {
        self.inner.len()
    }
}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

/// Owning iterator, from `GoMap::into_iter`. Entries not taken are dropped
/// with it; if one's `Drop` panics, the others are still dropped (see
/// [A panicking `Drop`](crate::GoMap#a-panicking-drop)).
pub struct IntoIter<K, V> {
    pub(crate) inner: RawIntoIter<K, V>,
}

impl<K, V> IntoIter<K, V> {
    pub(crate) fn new(table: RawTable<K, V>) -> Self {
        IntoIter {
            inner: RawIntoIter::new(table),
        }
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.inner.len(), Some(self.inner.len()))
    }
}
impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

/// Draining iterator, from [`GoMap::drain`](crate::GoMap::drain).
pub struct Drain<'a, K, V> {
    pub(crate) inner: RawDrain<'a, K, V>,
}

impl<'a, K, V> Drain<'a, K, V> {
    pub(crate) fn new(table: &'a mut RawTable<K, V>, seed: u32) -> Self {
        Drain {
            inner: RawDrain::new(table, seed),
        }
    }
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.inner.len(), Some(self.inner.len()))
    }
}
impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

macro_rules! projection {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime)?>, $inner:ty, $item:ty, |$p:pat_param| $e:expr) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            pub(crate) inner: $inner,
        }
        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$p| $e)
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }
        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}
    };
}

projection!(
    /// Iterator over keys, from [`GoMap::keys`](crate::GoMap::keys).
    Keys<'a>, Iter<'a, K, V>, &'a K, |(k, _)| k
);
projection!(
    /// Iterator over values, from [`GoMap::values`](crate::GoMap::values).
    Values<'a>, Iter<'a, K, V>, &'a V, |(_, v)| v
);
projection!(
    /// Iterator over mutable values, from [`GoMap::values_mut`](crate::GoMap::values_mut).
    ValuesMut<'a>, IterMut<'a, K, V>, &'a mut V, |(_, v)| v
);
projection!(
    /// Owning iterator over keys, from [`GoMap::into_keys`](crate::GoMap::into_keys).
    IntoKeys<>, IntoIter<K, V>, K, |(k, _)| k
);
projection!(
    /// Owning iterator over values, from [`GoMap::into_values`](crate::GoMap::into_values).
    IntoValues<>, IntoIter<K, V>, V, |(_, v)| v
);
