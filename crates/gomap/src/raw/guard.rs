//! A scope guard: runs a closure on a value when the guard goes out of scope,
//! on return and on unwind alike. Used to leave the table consistent when a
//! user's `Drop` or `Clone` panics.

use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};

pub(crate) struct Guard<T, F: FnMut(&mut T)> {
    value: T,
    on_exit: ManuallyDrop<F>,
}

pub(crate) fn guard<T, F: FnMut(&mut T)>(value: T, on_exit: F) -> Guard<T, F> {
    Guard {
        value,
        on_exit: ManuallyDrop::new(on_exit),
    }
}

impl<T, F: FnMut(&mut T)> Deref for Guard<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T, F: FnMut(&mut T)> DerefMut for Guard<T, F> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T, F: FnMut(&mut T)> Drop for Guard<T, F> {
    fn drop(&mut self) {
        (self.on_exit)(&mut self.value);
        // SAFETY: `on_exit` is dropped exactly once, here, and never used again.
        unsafe { ManuallyDrop::drop(&mut self.on_exit) };
    }
}
