//! `SyncMap`: Go 1.19's `sync.Map` (`src/sync/map.go`) over two `GoMap`s.
//!
//! The user guide — design, consistency, why loads return a guard, why
//! seize, where a load's time goes — is the documentation of [`SyncMap`]
//! below. The pieces: `entry.rs` holds the entry (its state machine —
//! deleted / expunged / live — and the slots small values live in),
//! `read.rs` the atomically published read map, `value_ref.rs` the [`Ref`]
//! loads return, `pinned.rs` the [`Pinned`] handle, and `primitive.rs` the
//! atomics, lock and reclaimer that loom swaps out. Functions that need the
//! lock take `&mut Dirty` (only a lock guard hands one out) and keep Go's
//! `Locked` suffix.

mod entry;
mod pinned;
mod primitive;
mod read;
mod value_ref;

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;
use std::sync::PoisonError;

use self::entry::{Entry, LoadOrStore, Loaded, NewValue};
use self::primitive::{AtomicIsize, Collector, Guard, Mutex, MutexGuard, Ordering};
use self::read::{EntryMap, ReadOnly, ReadSlot};
use crate::base::hash::make_hash;
use crate::{DefaultHashBuilder, GoMap};

pub use self::pinned::Pinned;
pub use self::value_ref::Ref;

/// Go 1.19's `sync.Map`: a concurrent map whose reads take no lock.
///
/// ```
/// use gomap::SyncMap;
/// use std::sync::Arc;
///
/// let hits = Arc::new(SyncMap::new());
/// std::thread::scope(|s| {
///     for t in 0..2 {
///         let hits = Arc::clone(&hits);
///         s.spawn(move || {
///             for page in ["/", "/about"] {
///                 // One winner per key; the loser sees the winner's value.
///                 let (first, loaded) = hits.load_or_store(page, t);
///                 assert!(loaded || *first == t);
///             }
///         });
///     }
/// });
/// assert_eq!(hits.len(), 2);
/// let mut pages = Vec::new();
/// hits.range(|k, _| { pages.push(*k); true });
/// pages.sort();
/// assert_eq!(pages, ["/", "/about"]);
/// ```
///
/// # Two threads, one map
///
/// A Go map written from two goroutines at once dies with
/// `fatal error: concurrent map writes`, and the Go documentation sends such
/// programs to `sync.Map`. In Rust the same program does not compile: a
/// [`GoMap`] can be written only through `&mut`, and two threads cannot
/// both hold one.
///
/// ```compile_fail,E0499
/// let mut m = gomap::GoMap::new();
/// std::thread::scope(|s| {
///     s.spawn(|| m.insert(1, "one")); // first mutable borrow of `m`
///     s.spawn(|| m.insert(2, "two")); // error[E0499]: a second one
/// });
/// ```
///
/// The fixes are the ones Go offers: a lock around the map, or the
/// concurrent map Go programs reach for.
///
/// ```
/// use std::sync::Mutex;
/// use gomap::{GoMap, SyncMap};
///
/// let locked = Mutex::new(GoMap::new());
/// let shared = SyncMap::new();
/// std::thread::scope(|s| {
///     s.spawn(|| { locked.lock().unwrap().insert(1, "one"); shared.store(1, "one"); });
///     s.spawn(|| { locked.lock().unwrap().insert(2, "two"); shared.store(2, "two"); });
/// });
/// assert_eq!(locked.lock().unwrap().len(), 2);
/// assert_eq!(shared.len(), 2);
/// ```
///
/// # What `SyncMap` is for
///
/// As in Go, a `SyncMap` is a specialist. It shines when keys are written
/// once and read many times (caches that only grow), and when threads
/// write disjoint sets of keys; then reads take no lock and touch no shared
/// cache line, and overwrites of existing keys take no lock either. A
/// workload that keeps adding and removing keys pays for a lock and for
/// periodic copies of the map; there a `Mutex<GoMap>` or a sharded map
/// does better (see *Performance* below).
///
/// # Design
///
/// The map keeps two [`GoMap`]s from keys to shared *entries*:
///
/// - the **read map**, published through one atomic pointer and never
///   changed after publication. Any thread loads it without a lock and
///   looks keys up in it. Its entries, though, can be updated in place:
///   storing a new value for a key the read map has is one compare-exchange
///   on the entry.
/// - the **dirty map**, behind a mutex. It holds every entry of the read
///   map that is not *expunged* (see below) plus the keys added since the
///   read map was last replaced, so that it can become the next read map
///   as it is. The pointer word of the read map also carries an *amended*
///   bit: the dirty map has keys the read map lacks.
///
/// A load looks in the read map; only when the key is missing and the map
/// is amended does it take the lock and look in the dirty map, counting a
/// **miss**. Once the misses since the last promotion reach the size of the
/// dirty map — enough lock round trips to pay for the copy that follows — the
/// dirty map is **promoted**: it becomes the read map as it stands, and the
/// dirty map is dropped. The next write of a new key rebuilds the dirty map
/// from the read map, cloning keys and sharing entries, and on the way marks
/// every deleted entry *expunged* and leaves it out — which is how deleted
/// keys eventually disappear from the read map. An expunged entry refuses
/// lock-free writes; a writer that meets one takes the lock, puts the entry
/// back into the dirty map and only then revives it. The entry state
/// machine is documented in `sync_map/entry.rs`.
///
/// | Go 1.19 `sync` | here |
/// |---|---|
/// | `Map.read` (`atomic.Value` of `readOnly{m, amended}`) | one tagged pointer: the boxed read map, `amended` in bit 0 |
/// | `Map.mu`, `Map.dirty`, `Map.misses` | a `Mutex` around the dirty map and the miss count |
/// | `*entry` with `p` nil / expunged / `*any` | `Entry<V>`, a counted allocation, with `p` null / a sentinel / the value: in one of the entry's two slots if it has at most 64 bytes, else a `Box<V>` |
/// | the garbage collector | a per-map [`seize`] collector for replaced values and read maps |
///
/// # Loads return a guard
///
/// [`load`](SyncMap::load) returns a [`Ref`], which dereferences to the
/// value and holds the map's reclamation guard. This is the fastest shape
/// for reads: a guard writes only a word that belongs to the current
/// thread, on the way in and on the way out, where returning `Arc<V>` would
/// write the value's
/// shared reference count on every load (the cache line then bounces
/// between the cores of every reader of a hot key), and returning `V` would
/// demand `V: Clone` and pay for the clone. One guard protects both steps
/// of a load — the read map and the value — which a per-pointer scheme
/// such as `arc-swap` cannot share. Copy the value out when you need it
/// past the next statement; see [`Ref`].
///
/// # Pinning: one guard for many operations
///
/// Entering and leaving the collector costs every `load` the same fixed
/// amount: seize's thread-local look-ups on the way in, an atomic swap on
/// the current thread's own word on the way out (`bench/syncmap-design.md`,
/// "Where a load's time goes", measures its share of a load). A thread
/// that does several operations in a row can pay it once:
/// [`pin`](SyncMap::pin) returns a [`Pinned`] handle whose
/// [`load`](Pinned::load) returns a plain `&V` that lives as long as the
/// handle. Like a `Ref`, a live handle delays the freeing of everything
/// the map retires meanwhile, for every thread; hold one for a bounded run
/// of operations, such as one request. A handle also remembers the read
/// map it last loaded and looks there first, which saves each load the
/// read of the map's read slot; it goes back to the slot whenever that map
/// gives no value, so its loads see what a plain `load` would (the
/// argument is on `Pinned::load_in` in `sync_map/pinned.rs`).
///
/// # Memory reclamation: why seize
///
/// A value replaced by `store` may still be read by a thread that loaded it
/// a moment earlier, and so may a read map replaced by a promotion, so
/// neither can be freed at once. The map hands them to a [`seize`]
/// collector that frees them once every guard that could have loaded them
/// is gone.
///
/// seize rather than crossbeam-epoch: a seize collector belongs to the map
/// and is drained when the map drops, so `K`, `V` and `S` need not be
/// `Send + 'static` (`SyncMap<&str, &T>` works, and nothing outlives the
/// map), at a cost inside the map within noise of crossbeam-epoch's.
/// crossbeam-epoch's collector is global: a destructor it defers may run
/// on any thread after the map is gone. Not arc-swap: it protects each
/// pointer on its own, and a load follows two (the read map, then the
/// value), so it pays twice. A load's cost is dominated by its cache
/// misses (see *Performance*), not by its guard. The reclaimer is one small
/// facade in `sync_map/primitive.rs`, the only code a change of reclaimer
/// touches. The measurements, and the commands that regenerate them, are in
/// `bench/syncmap-design.md` ("Reclaimers").
///
/// Every guard above performs at least one atomic read-modify-write per
/// critical section. seize enters with a plain store (on Linux it moves
/// the cost of ordering that store onto the retiring thread, which issues
/// a process-wide `membarrier`), but it leaves with a swap that collects
/// the batches other threads retired meanwhile; crossbeam-epoch pins with
/// a read-modify-write or a full fence. On x86 either is a full barrier:
/// the next load may not pass it, so back-to-back loads no longer overlap
/// their cache misses as a loop of plain lookups does. A
/// [`Pinned`] handle pays for one guard per run of operations instead of
/// one per load; *Performance* below compares the two.
///
/// No established crate offers a cheaper per-load guard. The epoch
/// schemes all write with a read-modify-write or a fence when a thread
/// enters or leaves its outermost critical section (seize's swap on
/// leaving, crossbeam-epoch's and sdd's exchange on pinning): that is how
/// a reader tells writers it has stopped. Hazard pointers could protect a
/// load with plain stores if the fence after each store were asymmetric
/// (paid by the reclaimer through `membarrier`), but the `haphazard`
/// crate's is a full `SeqCst` fence: a barrier per protected pointer, two
/// per load. And a hazard pointer protects one pointer at a time, so a
/// [`Pinned`] handle, which keeps every value it loaded readable, cannot
/// be built on them at all.
///
/// Each thread gathers 256 retirements before seize tries to free them,
/// not seize's default of 32: every try begins with a process-wide
/// `membarrier`, which interrupts the other running threads of the
/// process — the readers of a read-mostly map among them (see
/// `BATCH_SIZE` in `sync_map/primitive.rs`).
///
/// # Performance
///
/// A load walks bucket → entry → value, as Go's does (`*entry`, then
/// `*any`); values of up to 64 bytes sit in the entry itself (see
/// `sync_map/entry.rs`), which saves the last of those memory accesses.
///
/// A pinned load costs a little more than an uncontended `RwLock` read
/// and a `HashMap` lookup together. An unpinned load costs more than the
/// lookup plus the guard, because the guard's swap on leaving is a full
/// barrier (see above): each load's cache misses are paid one after the
/// other instead of overlapping with the next load's. So on one thread
/// both run behind dashmap and `RwLock<HashMap>`: a load through Go's two
/// levels (bucket, then entry) misses L1 more often than a lookup in a
/// hashbrown-based map, whose pairs sit inline. On two threads that really
/// run at once, `SyncMap` is ahead of both, since its loads write nothing
/// another thread reads and the locked maps bounce their lock words
/// between the cores. Writes pay a claim of a slot, a compare-exchange and
/// a retirement each, plus an allocation when both slots are busy, so
/// `SyncMap` falls behind locked maps as the write share grows, as Go
/// documents for `sync.Map`.
///
/// The figures: `BENCHMARKS.md` at the repository root compares `SyncMap`
/// with dashmap, papaya and locked `HashMap`s (`scripts/bench.sh`);
/// `bench/syncmap.md` has the instruction and cache-miss counts behind it
/// (`scripts/callgrind_ops.sh` on `examples/hotpath.rs`), and
/// `bench/syncmap-design.md` a load taken apart in time ("Where a load's
/// time goes", `cargo bench -p gomap --bench sync_map_load`).
///
/// # Consistency
///
/// Each operation on one key is atomic: a load sees the value of some
/// store that did not finish after the load began, a [`load_or_store`]
/// race has exactly one winner, and a successful [`compare_and_swap`] acts
/// on the value it compared. Like Go's `Range`, [`range`] is not a
/// snapshot: it visits each key present throughout the call once and may
/// or may not see concurrent changes; its closure may call any method of
/// the map. [`len`] counts live values with one atomic counter: exact
/// whenever no write is in flight, approximate otherwise (Go has no `Len`
/// because an exact one would need a lock).
///
/// [`load_or_store`]: SyncMap::load_or_store
/// [`compare_and_swap`]: SyncMap::compare_and_swap
/// [`range`]: SyncMap::range
/// [`len`]: SyncMap::len
///
/// # Differences from Go
///
/// - Keys are typed and must be `Clone`: the dirty map is rebuilt from the
///   read map by cloning its keys (Go copies interface words). Wrap keys
///   that are expensive to clone in `Arc`.
/// - `clear` (Go 1.23's `Clear`) expunges every entry of the maps it drops,
///   so a lock-free store that raced with it lands in the new map instead
///   of in an orphaned entry.
/// - Every inner map of one `SyncMap` has the same seed (Go's `hash0`,
///   drawn at random per `SyncMap`), where Go draws one per map: a load
///   then hashes its key before it has loaded the read map, instead of
///   after, which takes the hash off the chain of dependent loads
///   (`bench/syncmap-design.md`, "One seed for every inner map").
/// - Orderings are Rust's: see the comment on each atomic operation.
/// - A `Hash`, `Eq` or `Clone` of `K` that panics leaves the map memory-safe
///   and usable; a dirty-map rebuild interrupted by a panic is undone. The
///   lock is not considered poisoned.
///
/// # Thread safety
///
/// `SyncMap<K, V, S>` is `Send` and `Sync` when `K`, `V` and `S` are both
/// (values and keys are dropped by whichever thread frees them, and read by
/// all). A map of `Rc`s is neither:
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>(_: &T) {}
/// shared(&gomap::SyncMap::<std::rc::Rc<u8>, u8>::new());
/// ```
///
/// A [`Ref`] holds a guard tied to the thread that loaded it, so it cannot
/// be sent to another thread; copy the value out instead:
///
/// ```compile_fail,E0277
/// let m = gomap::SyncMap::new();
/// m.store(1, 1);
/// let r = m.load(&1).unwrap();
/// std::thread::scope(|s| { s.spawn(move || *r); });
/// ```
pub struct SyncMap<K, V, S = DefaultHashBuilder> {
    /// The read map and its amended bit; loaded without the lock.
    /// Go: `Map.read`.
    read: ReadSlot<K, V, S>,
    /// The dirty map and the miss count. Go: `Map.mu`, `Map.dirty` and
    /// `Map.misses`.
    locked: Mutex<Dirty<K, V, S>>,
    /// Number of live entries, give or take writes in flight (it can dip
    /// below zero for a moment when a delete's decrement overtakes the
    /// matching store's increment).
    live: AtomicIsize,
    /// Cloned into every inner map.
    hash_builder: S,
    /// The seed (Go's `hash0`) of every inner map: all of them hash a key
    /// alike, so a load hashes it with the fields here, before it has
    /// loaded the read map, and the hash is ready when the map is (see
    /// `load_in`).
    seed: u32,
    /// Frees replaced values and read maps once no guard can see them.
    collector: Collector,
    /// The map owns `EntryMap`s (the read slot holds one by raw pointer),
    /// which gives `SyncMap` their auto traits: `Send` and `Sync` when `K`,
    /// `V` and `S` are `Send + Sync`.
    _owns: PhantomData<EntryMap<K, V, S>>,
}

/// What the lock protects. Go: the fields of `Map` guarded by `mu`.
struct Dirty<K, V, S> {
    /// The dirty map: every entry of the read map that is not expunged,
    /// plus keys added since the last promotion. `None` from a promotion
    /// until the next write of a new key. Go: `Map.dirty`.
    map: Option<EntryMap<K, V, S>>,
    /// Loads that took the lock since the last promotion. Go: `Map.misses`.
    misses: usize,
}

impl<K, V> SyncMap<K, V, DefaultHashBuilder> {
    /// An empty map. Go: `var m sync.Map`.
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::default())
    }
}

impl<K, V, S: Clone> SyncMap<K, V, S> {
    /// An empty map whose inner maps hash with clones of `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        // Under loom every execution must take the same path, so the seed
        // is fixed (the tests also seed iteration's random start).
        #[cfg(loom)]
        let seed = 0x5eed;
        #[cfg(not(loom))]
        let seed = fastrand::u32(..);
        SyncMap {
            read: ReadSlot::new(new_map(&hash_builder, seed, 0)),
            locked: Mutex::new(Dirty {
                map: None,
                misses: 0,
            }),
            live: AtomicIsize::new(0),
            hash_builder,
            seed,
            collector: Collector::new(),
            _owns: PhantomData,
        }
    }
}

impl<K, V, S> SyncMap<K, V, S> {
    /// Number of keys with a value. Exact when no write is in flight;
    /// otherwise one of the counts the map passed through, give or take the
    /// writes still running.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store(1, "a");
    /// m.store(1, "b");
    /// m.store(2, "c");
    /// m.delete(&1);
    /// assert_eq!(m.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        // Relaxed: a statistic; it publishes no data.
        usize::try_from(self.live.load(Ordering::Relaxed)).unwrap_or(0)
    }

    /// Whether [`len`](SyncMap::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The hash builder the inner maps clone.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Adds `n` to the live count.
    #[inline]
    fn live_add(&self, n: isize) {
        // Relaxed: a statistic, exact once writers are joined; see `len`.
        self.live.fetch_add(n, Ordering::Relaxed);
    }

    /// Takes the lock. A panic in user code (a key's `Hash`, `Eq` or
    /// `Clone`) while it was held leaves the state consistent (see
    /// `dirty_locked`), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Dirty<K, V, S>> {
        self.locked.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A new, empty inner map with a clone of `hash_builder` and the map's
/// `seed` as its `hash0`, now and after any reseed (Go reseeds a map that
/// a delete empties).
fn new_map<K, V, S: Clone>(hash_builder: &S, seed: u32, hint: usize) -> EntryMap<K, V, S> {
    GoMap::with_capacity_hasher_and_seeds(hint, hash_builder.clone(), move || seed)
}

/// The entry for `key` in `m`, given `hash`, the key's hash under the
/// SyncMap's hash builder and seed: `m.get(key)` without hashing again.
///
/// Every inner map hashes with a clone of that hash builder and with that
/// seed as its `hash0` (see `new_map`), so `hash` is the hash `m` itself
/// would compute: a clone of a `BuildHasher` builds the same hashes, which
/// std's `HashMap::clone` relies on too. (A hash builder that broke this
/// could only make lookups miss; `m` stays memory-safe under any hash.)
#[inline(always)]
fn find<'m, K, V, S, Q>(m: &'m EntryMap<K, V, S>, hash: u64, key: &Q) -> Option<&'m Entry<V>>
where
    K: Borrow<Q>,
    Q: Eq + ?Sized,
{
    m.get_hashed(hash, |k| k.borrow() == key).map(|(_, e)| e)
}

/// When a lookup that took the lock counts as a miss, by Go's rule for
/// each operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// Whenever the dirty map was consulted (`Load`, `LoadAndDelete`,
    /// `CompareAndDelete`): the key takes the slow path until a promotion.
    Always,
    /// Only when the dirty map had the key (`CompareAndSwap`).
    IfFound,
}

/// The value pointer `Ref` and retirement code works with.
///
/// # Safety
///
/// `p` was loaded under `guard` (or published by this thread) and its value is
/// freed only through `guard`'s collector.
unsafe fn make_ref<'a, V>(guard: Guard<'a>, p: core::ptr::NonNull<V>) -> Ref<'a, V> {
    // SAFETY: forwarded from the caller.
    unsafe { Ref::new(guard, p) }
}

impl<K, V, S> SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Clone,
{
    /// The value for `key`, if any. Go: `Map.Load`.
    ///
    /// Lock-free unless the key is missing from the read map while the dirty
    /// map has keys the read map lacks; such a *miss* takes the lock and
    /// counts toward promoting the dirty map.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store(String::from("gopher"), 13);
    /// assert_eq!(*m.load("gopher").unwrap(), 13);
    /// assert!(m.load("ferris").is_none());
    /// ```
    #[inline]
    pub fn load<Q>(&self, key: &Q) -> Option<Ref<'_, V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let guard = self.collector.enter();
        let value = self.load_in(key, &guard)?;
        // SAFETY: `value` was loaded under `guard` with Acquire (by
        // `Entry::load`), and values are freed only through the collector.
        Some(unsafe { make_ref(guard, value) })
    }

    /// The value pointer for `key` under `guard`: [`SyncMap::load`]'s
    /// lookup.
    #[inline(always)]
    fn load_in<Q>(&self, key: &Q, guard: &Guard<'_>) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Hash first: it needs only `self`, so it overlaps with the loads of
        // the read slot and the map's header instead of following them.
        let hash = self.hash(key);
        self.load_from(self.read.load(guard), key, hash, guard)
    }

    /// The hash every inner map computes for `key` (see [`find`]).
    #[inline(always)]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        make_hash(&self.hash_builder, self.seed, key)
    }

    /// The value pointer for `key`, whose hash is `hash`, looked up in
    /// `read`, a snapshot of the read slot loaded under `guard`.
    #[inline(always)]
    fn load_from<Q>(
        &self, read: ReadOnly<'_, K, V, S>, key: &Q, hash: u64, guard: &Guard<'_>,
    ) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match find(read.m, hash, key) {
            Some(e) => e.load(guard),
            None if read.amended => self.load_slow(key, guard),
            None => None,
        }
    }

    /// The locked half of [`SyncMap::load`].
    #[cold]
    #[inline(never)]
    fn load_slow<Q>(&self, key: &Q, guard: &Guard<'_>) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Found or not, the key takes this path until the next promotion.
        self.locked_lookup(
            key,
            guard,
            Miss::Always,
            (),
            |e, ()| e.load(guard),
            |dirty, ()| dirty.get(key).map(|e| e.load(guard)),
        )
    }

    /// Sets the value for `key`. Go: `Map.Store`.
    ///
    /// Lock-free when the key is in the read map and not expunged.
    pub fn store(&self, key: K, value: V) {
        self.store_in(key, value, &self.collector.enter());
    }

    /// [`SyncMap::store`] under `guard` (shared with [`Pinned::store`]).
    #[inline]
    fn store_in(&self, key: K, value: V, guard: &Guard<'_>) {
        // The replaced value, if any, is retired by the entry.
        self.swap_inner(key, value, guard);
    }

    /// Sets the value for `key` and returns the previous one, if any.
    /// Go: `Map.Swap` (Go 1.20).
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// assert!(m.swap("k", 1).is_none());
    /// assert_eq!(*m.swap("k", 2).unwrap(), 1);
    /// ```
    pub fn swap(&self, key: K, value: V) -> Option<Ref<'_, V>> {
        let guard = self.collector.enter();
        let old = self.swap_inner(key, value, &guard)?;
        // SAFETY: `old` was taken out with Acquire under `guard` and retired
        // by its entry through `guard`, which keeps it allocated until
        // `guard` (moved into the `Ref`) is dropped.
        Some(unsafe { make_ref(guard, old) })
    }

    /// Stores `value` for `key`; returns the value it replaced, already
    /// retired under `guard`.
    #[inline]
    fn swap_inner(&self, key: K, value: V, guard: &Guard<'_>) -> Loaded<V> {
        let new = NewValue::new(value);
        let hash = self.hash(&key);
        let read = self.read.load(guard);
        let new = match find(read.m, hash, &key) {
            Some(e) => match e.try_swap(new, guard) {
                Ok(old) => {
                    if old.is_none() {
                        self.live_add(1);
                    }
                    return old;
                }
                Err(new) => new,
            },
            None => new,
        };
        self.swap_slow(key, new, guard)
    }

    /// The locked half of [`SyncMap::swap`] and [`SyncMap::store`].
    #[cold]
    #[inline(never)]
    fn swap_slow(&self, key: K, new: NewValue<V>, guard: &Guard<'_>) -> Loaded<V> {
        let mut dirty = self.lock();
        let read = self.read.load(guard);
        let old = if let Some(e) = read.m.get(&key) {
            self.unexpunge_locked(&mut dirty, &key, e);
            e.swap_locked(new, guard)
        } else if let Some(e) = dirty.map.as_ref().and_then(|m| m.get(&key)) {
            e.swap_locked(new, guard)
        } else {
            if !read.amended {
                // The first new key since the last promotion.
                self.dirty_locked(&mut dirty, guard);
                self.read.set_amended();
            }
            let (entry, _) = Entry::new(new);
            dirty_map(&mut dirty).insert(key, entry);
            None
        };
        if old.is_none() {
            self.live_add(1);
        }
        old
    }

    /// Returns the value for `key` if there is one; otherwise stores
    /// `value` and returns it. The flag is true when the value was loaded,
    /// false when stored. Go: `Map.LoadOrStore`.
    ///
    /// When threads race to `load_or_store` the same absent key, exactly
    /// one stores; every other gets its value back with `true`.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// let (v, loaded) = m.load_or_store("k", 1);
    /// assert_eq!((*v, loaded), (1, false));
    /// let (v, loaded) = m.load_or_store("k", 2);
    /// assert_eq!((*v, loaded), (1, true));
    /// ```
    pub fn load_or_store(&self, key: K, value: V) -> (Ref<'_, V>, bool) {
        let guard = self.collector.enter();
        let read = self.read.load(&guard);
        let mut new = NewValue::new(value);
        if let Some(e) = read.m.get(&key) {
            match e.try_load_or_store(new, &guard) {
                LoadOrStore::Loaded(v) => {
                    // SAFETY: loaded under `guard` with Acquire; values are
                    // freed only through the collector.
                    return (unsafe { make_ref(guard, v) }, true);
                }
                LoadOrStore::Stored(v) => {
                    self.live_add(1);
                    // SAFETY: we published `v` under `guard`; values are freed
                    // only through the collector.
                    return (unsafe { make_ref(guard, v) }, false);
                }
                LoadOrStore::Expunged(n) => new = n,
            }
        }
        let (v, loaded) = self.load_or_store_slow(key, new, &guard);
        // SAFETY: `v` was loaded or published under `guard`; values are freed
        // only through the collector.
        (unsafe { make_ref(guard, v) }, loaded)
    }

    /// The locked half of [`SyncMap::load_or_store`].
    #[cold]
    #[inline(never)]
    fn load_or_store_slow(
        &self, key: K, new: NewValue<V>, guard: &Guard<'_>,
    ) -> (core::ptr::NonNull<V>, bool) {
        let mut dirty = self.lock();
        let read = self.read.load(guard);
        if let Some(e) = read.m.get(&key) {
            self.unexpunge_locked(&mut dirty, &key, e);
            return self.finish_load_or_store(e, new, guard);
        }
        if let Some(e) = dirty.map.as_ref().and_then(|m| m.get(&key)) {
            let result = self.finish_load_or_store(e, new, guard);
            self.miss_locked(&mut dirty, guard);
            return result;
        }
        if !read.amended {
            // The first new key since the last promotion.
            self.dirty_locked(&mut dirty, guard);
            self.read.set_amended();
        }
        let (entry, v) = Entry::new(new);
        dirty_map(&mut dirty).insert(key, entry);
        self.live_add(1);
        (v, false)
    }

    /// `try_load_or_store` on an entry known not to be expunged (the lock
    /// is held).
    fn finish_load_or_store(
        &self, e: &Entry<V>, new: NewValue<V>, guard: &Guard<'_>,
    ) -> (core::ptr::NonNull<V>, bool) {
        match e.try_load_or_store(new, guard) {
            LoadOrStore::Loaded(v) => (v, true),
            LoadOrStore::Stored(v) => {
                self.live_add(1);
                (v, false)
            }
            LoadOrStore::Expunged(_) => {
                unreachable!("sync_map: only lock holders expunge, and we hold the lock")
            }
        }
    }

    /// Deletes `key`, returning its value if it had one.
    /// Go: `Map.LoadAndDelete`.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store("k", 1);
    /// assert_eq!(*m.load_and_delete("k").unwrap(), 1);
    /// assert!(m.load_and_delete("k").is_none());
    /// ```
    pub fn load_and_delete<Q>(&self, key: &Q) -> Option<Ref<'_, V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let guard = self.collector.enter();
        let read = self.read.load(&guard);
        let old = match read.m.get(key) {
            Some(e) => e.delete(&guard),
            // The entry is in no read map, so the lock is the only way to
            // it: once out of the dirty map it is ours.
            None if read.amended => self.locked_lookup(
                key,
                &guard,
                Miss::Always,
                (),
                |e, ()| e.delete(&guard),
                |dirty, ()| dirty.remove(key).map(|e| e.delete(&guard)),
            ),
            None => None,
        }?;
        self.live_add(-1);
        // SAFETY: taken out with Acquire under `guard`, and retired by its
        // entry through `guard`, so it stays allocated while the `Ref` holds
        // `guard`.
        Some(unsafe { make_ref(guard, old) })
    }

    /// Deletes `key`. Go: `Map.Delete`.
    pub fn delete<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.load_and_delete(key);
    }
}

/// The compare-and-act operations (Go 1.20), for values that can be compared.
impl<K, V: PartialEq, S> SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Clone,
{
    /// Replaces the value for `key` with `new` if it equals `old`; returns
    /// whether it did. An absent key never matches.
    /// Go: `Map.CompareAndSwap` (Go 1.20).
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store("hits", 1);
    /// assert!(m.compare_and_swap("hits", &1, 2));
    /// assert!(!m.compare_and_swap("hits", &1, 3));
    /// assert_eq!(*m.load("hits").unwrap(), 2);
    /// ```
    pub fn compare_and_swap<Q>(&self, key: &Q, old: &V, new: V) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let guard = self.collector.enter();
        let read = self.read.load(&guard);
        let new = NewValue::new(new);
        let replaced = match read.m.get(key) {
            Some(e) => e.try_compare_and_swap(old, new, &guard).ok(),
            // Go counts a miss here only when the dirty map has the key.
            None if read.amended => self.locked_lookup(
                key,
                &guard,
                Miss::IfFound,
                new,
                |e, new| e.try_compare_and_swap(old, new, &guard).ok(),
                |dirty, new| {
                    let e = dirty.get(key)?;
                    Some(e.try_compare_and_swap(old, new, &guard).ok())
                },
            ),
            None => None,
        };
        // A replaced value is retired by its entry.
        replaced.is_some()
    }

    /// Deletes `key` if its value equals `old`; returns whether it did.
    /// Go: `Map.CompareAndDelete` (Go 1.20).
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store("k", 1);
    /// assert!(!m.compare_and_delete("k", &2));
    /// assert!(m.compare_and_delete("k", &1));
    /// assert!(m.load("k").is_none());
    /// ```
    pub fn compare_and_delete<Q>(&self, key: &Q, old: &V) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let guard = self.collector.enter();
        let read = self.read.load(&guard);
        let deleted = match read.m.get(key) {
            Some(e) => e.try_compare_and_delete(old, &guard),
            // A key found in the dirty map stays there even if deleted:
            // like Go, we leave it to be expunged after the next promotion.
            None if read.amended => self.locked_lookup(
                key,
                &guard,
                Miss::Always,
                (),
                |e, ()| e.try_compare_and_delete(old, &guard),
                |dirty, ()| {
                    dirty
                        .get(key)
                        .map(|e| e.try_compare_and_delete(old, &guard))
                },
            ),
            None => None,
        };
        // A deleted value is retired by its entry.
        let deleted = deleted.is_some();
        if deleted {
            self.live_add(-1);
        }
        deleted
    }
}

impl<K, V, S> SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Clone,
{
    /// Calls `f` on each key and value until it returns `false`.
    /// Go: `Map.Range`.
    ///
    /// Not a snapshot: every key present for the whole call is visited
    /// once, with some value it had during the call; keys stored or deleted
    /// meanwhile may or may not be. `f` may call any method of the map. If
    /// the dirty map has keys the read map lacks, `range` promotes it first
    /// (the walk is O(n) anyway), so the walk takes no lock.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// for i in 0..10 { m.store(i, i * i); }
    /// let mut sum = 0;
    /// m.range(|_, v| { sum += v; true });
    /// assert_eq!(sum, 285);
    /// let mut seen = 0;
    /// m.range(|_, _| { seen += 1; seen < 3 }); // stop after three
    /// assert_eq!(seen, 3);
    /// ```
    pub fn range<F>(&self, mut f: F)
    where
        F: FnMut(&K, &V) -> bool,
    {
        let guard = self.collector.enter();
        let mut read = self.read.load(&guard);
        if read.amended {
            let mut dirty = self.lock();
            read = self.read.load(&guard);
            if read.amended {
                self.promote_locked(&mut dirty, &guard);
                read = self.read.load(&guard);
            }
        }
        for (k, e) in read.m.iter() {
            if let Some(v) = e.load(&guard) {
                // SAFETY: loaded under `guard` with Acquire; values are freed
                // only through the collector, after `guard` is dropped.
                if !f(k, unsafe { v.as_ref() }) {
                    break;
                }
            }
        }
    }

    /// Deletes every key. Go: `Map.Clear` (Go 1.23).
    ///
    /// Entries of the old maps are expunged, so a store racing with `clear`
    /// either happens before it (and is cleared) or lands in the new map.
    ///
    /// ```
    /// let m = gomap::SyncMap::new();
    /// m.store(1, 1);
    /// m.clear();
    /// assert!(m.is_empty());
    /// assert!(m.load(&1).is_none());
    /// ```
    pub fn clear(&self) {
        let guard = self.collector.enter();
        let read = self.read.load(&guard);
        if read.m.is_empty() && !read.amended {
            return;
        }
        let mut dirty = self.lock();
        let read = self.read.load(&guard);
        let old_dirty = dirty.map.take();
        dirty.misses = 0;
        // Publish the empty map first, so new operations stop finding the
        // old entries; `read.m` stays readable under `guard`.
        self.read
            .publish(new_map(&self.hash_builder, self.seed, 0), &guard);
        // Every live or deleted entry is in the dirty map when there is one
        // (the read map's others are expunged already), else in the read map.
        let old = old_dirty.as_ref().unwrap_or(read.m);
        let mut removed = 0;
        for e in old.values() {
            // A removed value is retired by its entry.
            if e.expunge_orphan(&guard) {
                removed += 1;
            }
        }
        self.live_add(-removed);
        if let Some(m) = old_dirty {
            // Retired, not dropped: threads that found an entry in it under
            // the lock may still hold values they loaded from it (see
            // `Entry`'s `Drop`).
            let m = Box::into_raw(Box::new(m));
            // SAFETY: the dirty map is out of the lock's state, so no thread
            // can reach it from now on; the box is retired once.
            unsafe { guard.retire_box(m) };
        }
    }

    /// The locked half of a keyed read or delete. Under the lock the read
    /// map is loaded again — a promotion may have happened while we waited,
    /// and then the key is there and this is no miss — and `in_read` acts on
    /// its entry. Otherwise, if the dirty map has keys the read map lacks,
    /// `in_dirty` acts on the dirty map (`None`: the key is not there) and
    /// the lookup counts as a miss by Go's rule for the operation, `miss`.
    /// `arg` goes to whichever of the two runs.
    #[cold]
    #[inline(never)]
    fn locked_lookup<Q, A>(
        &self, key: &Q, guard: &Guard<'_>, miss: Miss, arg: A,
        in_read: impl FnOnce(&Entry<V>, A) -> Loaded<V>,
        in_dirty: impl FnOnce(&mut EntryMap<K, V, S>, A) -> Option<Loaded<V>>,
    ) -> Loaded<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut dirty = self.lock();
        let read = self.read.load(guard);
        if let Some(e) = read.m.get(key) {
            return in_read(e, arg);
        }
        if !read.amended {
            return None;
        }
        let found = dirty.map.as_mut().and_then(|m| in_dirty(m, arg));
        if found.is_some() || miss == Miss::Always {
            self.miss_locked(&mut dirty, guard);
        }
        found.flatten()
    }

    /// Counts a miss and promotes the dirty map once the misses since the
    /// last promotion reach its size. Go: `Map.missLocked`.
    fn miss_locked(&self, dirty: &mut Dirty<K, V, S>, guard: &Guard<'_>) {
        dirty.misses += 1;
        let len = dirty.map.as_ref().map_or(0, GoMap::len);
        if dirty.misses < len {
            return;
        }
        self.promote_locked(dirty, guard);
    }

    /// Makes the dirty map the read map. Go: the tail of `Map.missLocked`.
    ///
    /// Unlike Go, we first finish any growth of the dirty map still in
    /// progress. A read map is never written, so a growth left half done at
    /// promotion would stay half done for the read map's whole life, and
    /// every load of a key whose old bucket is not evacuated yet would look
    /// at the old array first: one more dependent memory access on the
    /// lock-free path, to save work that is at most one evacuation per old
    /// bucket, done once under the lock.
    fn promote_locked(&self, dirty: &mut Dirty<K, V, S>, guard: &Guard<'_>) {
        dirty.misses = 0;
        // The read map is amended only while a dirty map exists, and callers
        // promote only an amended map.
        if let Some(m) = dirty.map.as_mut() {
            // While the map is still in `dirty`: should a key's `Hash` panic
            // during the evacuation, the dirty map stays where it is, whole.
            m.reserve(0);
        }
        if let Some(m) = dirty.map.take() {
            self.read.publish(m, guard);
        }
    }

    /// Builds the dirty map from the read map if there is none: clones
    /// every key whose entry is not deleted, and expunges the deleted ones
    /// instead. Go: `Map.dirtyLocked`.
    fn dirty_locked(&self, dirty: &mut Dirty<K, V, S>, guard: &Guard<'_>) {
        if dirty.map.is_some() {
            return;
        }
        let read = self.read.load(guard);
        let mut m = new_map(&self.hash_builder, self.seed, read.m.len());
        // If a key's `Clone` or `Hash` panics midway, revive what we
        // expunged: without a dirty map no entry of the read map may be
        // expunged (see `check_invariants`), so this restores the state we
        // found.
        let undo = UndoExpunges(read.m);
        for (k, e) in read.m.iter() {
            if !e.try_expunge_locked() {
                m.insert(k.clone(), e.clone());
            }
        }
        core::mem::forget(undo);
        dirty.map = Some(m);
    }

    /// Before writing to an entry found in the read map under the lock:
    /// if it is expunged, puts it back into the dirty map, then revives it.
    /// Go: `e.unexpungeLocked()` followed by `m.dirty[key] = e`, in the
    /// order that keeps the state valid if the insert's `Hash` panics.
    fn unexpunge_locked(&self, dirty: &mut Dirty<K, V, S>, key: &K, e: &Entry<V>) {
        // Only lock holders move an entry into or out of *expunged*, and
        // we hold the lock, so this test stays true until we act on it.
        if e.is_expunged() {
            // An expunged entry of the read map implies a dirty map exists.
            dirty_map(dirty).insert(key.clone(), e.clone());
            let was_expunged = e.unexpunge_locked();
            debug_assert!(was_expunged);
        }
    }

    /// The sizes of the two maps and the miss count, for tests that need to
    /// see promotions happen. A snapshot taken under the lock.
    #[doc(hidden)]
    pub fn debug_state(&self) -> DebugState {
        let guard = self.collector.enter();
        let dirty = self.lock();
        let read = self.read.load(&guard);
        DebugState {
            read_len: read.m.len(),
            read_growing: read.m.header().growing,
            amended: read.amended,
            dirty_len: dirty.map.as_ref().map(GoMap::len),
            dirty_growing: dirty.map.as_ref().is_some_and(|m| m.header().growing),
            misses: dirty.misses,
        }
    }

    /// Checks the invariants that tie the read map, the dirty map and the
    /// entries together, and that [`len`](SyncMap::len) is exact. Panics
    /// on the first violation. For tests: call it only while no other thread
    /// uses the map.
    #[doc(hidden)]
    pub fn check_invariants(&self) {
        let guard = self.collector.enter();
        let dirty = self.lock();
        let read = self.read.load(&guard);
        read.m.check_invariants();
        assert_eq!(
            read.m.header().hash0,
            self.seed,
            "sync_map: the read map's seed is not the map's"
        );
        assert!(
            !read.m.header().growing,
            "sync_map: the read map is in the middle of a growth"
        );
        let authoritative = match &dirty.map {
            None => {
                assert!(!read.amended, "sync_map: amended without a dirty map");
                for (_, e) in read.m.iter() {
                    assert!(
                        !e.is_expunged(),
                        "sync_map: expunged entry without a dirty map"
                    );
                }
                read.m
            }
            Some(d) => {
                d.check_invariants();
                assert_eq!(
                    d.header().hash0,
                    self.seed,
                    "sync_map: the dirty map's seed is not the map's"
                );
                for (k, e) in read.m.iter() {
                    match d.get(k) {
                        Some(de) => assert!(
                            Entry::ptr_eq(e, de),
                            "sync_map: read and dirty maps hold different entries for a key"
                        ),
                        None => assert!(
                            e.is_expunged(),
                            "sync_map: a read entry missing from the dirty map is not expunged"
                        ),
                    }
                }
                for (k, e) in d.iter() {
                    assert!(
                        !e.is_expunged(),
                        "sync_map: expunged entry in the dirty map"
                    );
                    assert!(
                        read.amended || read.m.contains_key(k),
                        "sync_map: dirty map has a new key but the read map is not amended"
                    );
                }
                d
            }
        };
        let live = authoritative.values().filter(|e| e.is_live()).count();
        assert_eq!(self.len(), live, "sync_map: live count is off");
    }

    /// Every key of the read map and the dirty map with its entry's state
    /// in each, and whether the two maps share the entry, in no particular
    /// order: what Go's `sync.Map` recorder (`oracle/syncmap`) reads out
    /// of a real `sync.Map`. A snapshot taken under the lock; for tests and
    /// the lab, while no other thread writes.
    #[doc(hidden)]
    pub fn debug_entries(&self) -> Vec<DebugEntry<K, V>>
    where
        V: Clone,
    {
        let guard = self.collector.enter();
        let dirty = self.lock();
        let read = self.read.load(&guard);
        let state = |e: &Entry<V>| {
            if e.is_expunged() {
                return DebugEntryState::Expunged;
            }
            match e.load(&guard) {
                // SAFETY: loaded under `guard` with Acquire; values are
                // freed only through the collector, after `guard` is dropped,
                // and the clone is done before that.
                Some(v) => DebugEntryState::Live(unsafe { v.as_ref() }.clone()),
                None => DebugEntryState::Deleted,
            }
        };
        let mut out = Vec::new();
        for (k, e) in read.m.iter() {
            let d = dirty.map.as_ref().and_then(|m| m.get(k));
            out.push(DebugEntry {
                key: k.clone(),
                read: Some(state(e)),
                dirty: d.map(state),
                shared: d.is_some_and(|d| Entry::ptr_eq(e, d)),
            });
        }
        for (k, e) in dirty.map.iter().flat_map(|m| m.iter()) {
            if !read.m.contains_key(k) {
                out.push(DebugEntry {
                    key: k.clone(),
                    read: None,
                    dirty: Some(state(e)),
                    shared: false,
                });
            }
        }
        out
    }
}

/// One key as [`SyncMap::debug_entries`] reports it.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugEntry<K, V> {
    /// The key.
    pub key: K,
    /// Its entry in the read map, or `None` if the read map lacks the key.
    pub read: Option<DebugEntryState<V>>,
    /// Its entry in the dirty map, or `None` if the dirty map lacks the key
    /// or there is no dirty map.
    pub dirty: Option<DebugEntryState<V>>,
    /// Whether both maps hold the key and map it to the same entry.
    pub shared: bool,
}

/// What an entry holds. Go: `entry.p`.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebugEntryState<V> {
    /// A value (`p` points at it).
    Live(V),
    /// Deleted (`p` is nil); the entry stays until the next rebuild of the
    /// dirty map expunges it.
    Deleted,
    /// Deleted and left out of the dirty map (`p` is the `expunged` mark).
    Expunged,
}

/// What [`SyncMap::debug_state`] reports.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugState {
    /// Entries in the read map, deleted ones included.
    pub read_len: usize,
    /// Whether the read map is in the middle of a growth (it should never
    /// be: promotion finishes a growth first).
    pub read_growing: bool,
    /// Whether the read map is marked amended.
    pub amended: bool,
    /// Entries in the dirty map, or `None` when there is none.
    pub dirty_len: Option<usize>,
    /// Whether the dirty map is in the middle of a growth.
    pub dirty_growing: bool,
    /// Misses since the last promotion.
    pub misses: usize,
}

/// The dirty map, which the caller knows exists.
fn dirty_map<K, V, S>(dirty: &mut Dirty<K, V, S>) -> &mut EntryMap<K, V, S> {
    dirty.map.as_mut().expect(
        "sync_map: the dirty map exists while the read map is amended or has expunged entries",
    )
}

/// Scope guard for [`SyncMap::dirty_locked`]: on unwind, revives the read
/// map's expunged entries.
struct UndoExpunges<'a, K, V, S>(&'a EntryMap<K, V, S>);

impl<K, V, S> Drop for UndoExpunges<'_, K, V, S> {
    fn drop(&mut self) {
        for e in self.0.values() {
            e.undo_expunge_locked();
        }
    }
}

impl<K, V, S: Default + Clone> Default for SyncMap<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K, V, S> fmt::Debug for SyncMap<K, V, S>
where
    K: Eq + Hash + Clone + fmt::Debug,
    V: fmt::Debug,
    S: BuildHasher + Clone,
{
    /// Formats the entries `range` visits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_map();
        self.range(|k, v| {
            out.entry(k, v);
            true
        });
        out.finish()
    }
}
