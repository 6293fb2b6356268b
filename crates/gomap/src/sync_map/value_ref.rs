//! [`Ref`]: a value read from a `SyncMap`, kept alive by a reclamation
//! guard rather than by a copy or a reference count.

use core::fmt;
use core::ops::Deref;
use core::ptr::NonNull;

use super::primitive::Guard;

/// A value loaded from a [`SyncMap`](super::SyncMap); dereferences to `&V`.
///
/// A `Ref` holds the map's reclamation guard, so the value it points to
/// stays allocated even if another thread replaces or deletes it meanwhile:
/// the `Ref` shows the value as it was when it was loaded, the way a Go
/// `Load` returns the interface value it found. Holding one costs nothing
/// for other threads' reads and writes, but postpones the freeing of
/// everything the map retires meanwhile; drop it when done, and copy the
/// value out (`*r` or `r.clone()`) to keep it longer.
///
/// `Ref` is neither `Send` nor `Sync`: the guard marks the current thread.
///
/// ```
/// use gomap::SyncMap;
///
/// let m = SyncMap::new();
/// m.store("k", String::from("old"));
/// let old = m.load("k").unwrap();
/// m.store("k", String::from("new")); // `old` still reads the old value
/// assert_eq!(*old, "old");
/// assert_eq!(*m.load("k").unwrap(), "new");
/// ```
pub struct Ref<'a, V> {
    /// The value, in its entry's slot or in a box.
    value: NonNull<V>,
    /// Keeps `value` allocated.
    _guard: Guard<'a>,
}

impl<'a, V> Ref<'a, V> {
    /// Wraps a value pointer loaded under `guard`.
    ///
    /// # Safety
    ///
    /// - `value` was loaded from the map under `guard` with Acquire ordering
    ///   (or stored by this thread), and points to a live value.
    /// - That value is dropped and its memory freed or reused only through
    ///   the collector `guard` belongs to.
    pub(crate) unsafe fn new(guard: Guard<'a>, value: NonNull<V>) -> Self {
        Ref {
            value,
            _guard: guard,
        }
    }
}

impl<V> Deref for Ref<'_, V> {
    type Target = V;

    #[inline]
    fn deref(&self) -> &V {
        // SAFETY: per `Ref::new`, the value is dropped only by the collector,
        // which waits for the guard we own; the value is never mutated in
        // place, so a shared reference is sound.
        unsafe { self.value.as_ref() }
    }
}

impl<V: fmt::Debug> fmt::Debug for Ref<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<V: fmt::Display> fmt::Display for Ref<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<V: PartialEq> PartialEq<V> for Ref<'_, V> {
    fn eq(&self, other: &V) -> bool {
        **self == *other
    }
}
