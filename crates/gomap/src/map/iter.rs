//! Iterators over a `GoMap`. All start at a random bucket and slot offset,
//! as Go's `range` does, and walk a growing map in the new array's order.

#![forbid(unsafe_code)]

use core::fmt;
use core::iter::FusedIterator;

use crate::engine::{Classic, Engine, Table, TableOf};

/// One public iterator: a struct around `inner` whose items are `inner`'s
/// mapped by the closure, with the std traits every map iterator has.
macro_rules! projection {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime)?>, $inner:ty, $item:ty, |$p:pat_param| $e:expr) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V, E: Engine = Classic>
        where
            $(K: $lt, V: $lt,)?
        {
            pub(crate) inner: $inner,
        }
        impl<$($lt,)? K, V, E: Engine> Iterator for $name<$($lt,)? K, V, E> {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$p| $e)
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
            // Forwarded, so an engine's own `fold` (a walk that keeps its
            // state in registers) serves `for_each`, `sum` and friends.
            #[inline]
            fn fold<B, F: FnMut(B, $item) -> B>(self, init: B, mut f: F) -> B {
                self.inner.fold(init, move |acc, $p| f(acc, $e))
            }
        }
        impl<$($lt,)? K, V, E: Engine> ExactSizeIterator for $name<$($lt,)? K, V, E> {}
        impl<$($lt,)? K, V, E: Engine> FusedIterator for $name<$($lt,)? K, V, E> {}
    };
}

projection!(
    /// Iterator over `(&K, &V)`, from [`GoMap::iter`](crate::GoMap::iter).
    Iter<'a>, <TableOf<K, V, E> as Table<K, V>>::Iter<'a>, (&'a K, &'a V), |kv| kv
);
projection!(
    /// Iterator over `(&K, &mut V)`, from [`GoMap::iter_mut`](crate::GoMap::iter_mut).
    IterMut<'a>, <TableOf<K, V, E> as Table<K, V>>::IterMut<'a>, (&'a K, &'a mut V), |kv| kv
);
projection!(
    /// Owning iterator, from `GoMap::into_iter`. Entries not taken are dropped
    /// with it; if one's `Drop` panics, the others are still dropped (see
    /// [A panicking `Drop`](crate::GoMap#a-panicking-drop)).
    IntoIter<>, <TableOf<K, V, E> as Table<K, V>>::IntoIter, (K, V), |kv| kv
);
projection!(
    /// Draining iterator, from [`GoMap::drain`](crate::GoMap::drain).
    Drain<'a>, <TableOf<K, V, E> as Table<K, V>>::Drain<'a>, (K, V), |kv| kv
);

impl<K, V, E: Engine> Clone for Iter<'_, K, V, E> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, E: Engine> fmt::Debug for Iter<'_, K, V, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

projection!(
    /// Iterator over keys, from [`GoMap::keys`](crate::GoMap::keys).
    Keys<'a>, Iter<'a, K, V, E>, &'a K, |(k, _)| k
);
projection!(
    /// Iterator over values, from [`GoMap::values`](crate::GoMap::values).
    Values<'a>, Iter<'a, K, V, E>, &'a V, |(_, v)| v
);
projection!(
    /// Iterator over mutable values, from [`GoMap::values_mut`](crate::GoMap::values_mut).
    ValuesMut<'a>, IterMut<'a, K, V, E>, &'a mut V, |(_, v)| v
);
projection!(
    /// Owning iterator over keys, from [`GoMap::into_keys`](crate::GoMap::into_keys).
    IntoKeys<>, IntoIter<K, V, E>, K, |(k, _)| k
);
projection!(
    /// Owning iterator over values, from [`GoMap::into_values`](crate::GoMap::into_values).
    IntoValues<>, IntoIter<K, V, E>, V, |(_, v)| v
);
