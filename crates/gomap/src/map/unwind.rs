//! Unwind safety: a [`GoMap`] and a [`SyncMap`] are `UnwindSafe` and
//! `RefUnwindSafe` when their keys, values and hasher are, as std's
//! `HashMap` (and a `Mutex<HashMap>`) is.
//!
//! The compiler cannot see this on its own because the map boxes two hooks,
//! `dyn Observer` and `dyn SeedSource`, whose traits do not require unwind
//! safety. We declare it instead of adding `UnwindSafe + RefUnwindSafe` to
//! those traits, because the bounds would turn away observers users already
//! write (one holding an `Arc` of a non-poisoning lock, say) and buy nothing:
//!
//! - Through `&GoMap` the hooks are never called (only writes emit events
//!   or draw seeds), so a shared map a panic unwound past shows nothing but
//!   its own state, which every panic leaves valid (see the crate's
//!   "Safety" section).
//! - A closure that owns the map reaches the hooks only through it, and
//!   drops it while unwinding.
//!
//! A `SyncMap` misses the auto traits for another reason: its memory
//! collector (`seize`) keeps per-thread state in `UnsafeCell`s. It is made
//! to be shared by threads any of which may panic, and a panic in user code
//! leaves it valid and its lock not poisoned (see its docs), which is the
//! guarantee `RefUnwindSafe` asks for.

#![forbid(unsafe_code)]

use core::panic::{RefUnwindSafe, UnwindSafe};

use super::GoMap;
use crate::engine::Engine;
use crate::SyncMap;

/// Declared, not derived: the boxed observer and seed source are reached
/// only through the map, and a panic leaves the map valid (std's map is
/// `UnwindSafe` on the same terms).
impl<K: UnwindSafe, V: UnwindSafe, S: UnwindSafe, E: Engine> UnwindSafe for GoMap<K, V, S, E> {}
/// Declared, not derived: `&GoMap` never calls the boxed observer or seed
/// source, and a panic leaves the map valid (std's map is
/// `RefUnwindSafe` on the same terms).
impl<K: RefUnwindSafe, V: RefUnwindSafe, S: RefUnwindSafe, E: Engine> RefUnwindSafe
    for GoMap<K, V, S, E>
{
}

/// Declared, not derived (its collector's per-thread cells hide it): a
/// panic in user code leaves a `SyncMap` valid and its lock not poisoned.
impl<K: UnwindSafe, V: UnwindSafe, S: UnwindSafe> UnwindSafe for SyncMap<K, V, S> {}
/// Declared, not derived (its collector's per-thread cells hide it): a
/// panic in user code leaves a `SyncMap` valid and its lock not poisoned.
impl<K: RefUnwindSafe, V: RefUnwindSafe, S: RefUnwindSafe> RefUnwindSafe for SyncMap<K, V, S> {}
