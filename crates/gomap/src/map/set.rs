//! `GoSet`: a set as Go programs write one, `map[T]struct{}`, with the API
//! of `std::collections::HashSet`.
//!
//! A set is a [`GoMap<T, ()>`](GoMap). Go's map for a zero-size value has
//! the same buckets with an empty values area (a `u64` set's bucket is 80
//! bytes: 8 tophash bytes, 8 keys, the overflow pointer), so a `GoSet`
//! grows, overflows and evacuates exactly as that Go map does, and the
//! engine views (`header`, `layout`, `stats`, `check_invariants`) read it
//! the same way.

#![forbid(unsafe_code)]

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::{Chain, FusedIterator};
use core::ops::{BitAnd, BitOr, BitXor, Sub};

use super::entry::Entry;
use super::iter::{Drain as MapDrain, IntoKeys, Keys};
use super::{GoMap, TryReserveError};
use crate::base::hash::{DefaultHashBuilder, SeedSource};
use crate::base::header::Header;
use crate::base::layout::Layout;
use crate::engine::{Classic, Engine, ExtractCursor, OccupiedSlot, Remaining, Table, TableOf};
use crate::introspect::stats::Stats;

/// A hash set: Go's `map[T]struct{}`, with the API of
/// `std::collections::HashSet`.
///
/// ```
/// use gomap::GoSet;
///
/// let mut seen = GoSet::new();
/// assert!(seen.insert("gopher"));
/// assert!(!seen.insert("gopher"));
/// assert!(seen.contains("gopher"));
/// let other: GoSet<&str> = ["ferris", "gopher"].into();
/// let both: Vec<_> = seen.intersection(&other).collect();
/// assert_eq!(both, [&"gopher"]);
/// ```
pub struct GoSet<T, S = DefaultHashBuilder, E: Engine = Classic> {
    map: GoMap<T, (), S, E>,
}

impl<T> GoSet<T, DefaultHashBuilder, Classic> {
    /// An empty set with `B = 0`. Go: `make(map[T]struct{})`.
    pub fn new() -> Self {
        GoSet { map: GoMap::new() }
    }

    /// An empty set sized for `hint` elements by Go's rule (see
    /// [`GoMap::with_capacity`]). Go: `make(map[T]struct{}, hint)`.
    pub fn with_capacity(hint: usize) -> Self {
        GoSet {
            map: GoMap::with_capacity(hint),
        }
    }
}

impl<T, S> GoSet<T, S, Classic> {
    /// An empty set using `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        GoSet {
            map: GoMap::with_hasher(hash_builder),
        }
    }

    /// An empty set sized for `hint` elements, using `hash_builder`.
    pub fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self {
        GoSet {
            map: GoMap::with_capacity_and_hasher(hint, hash_builder),
        }
    }

    /// Like [`GoSet::with_capacity_and_hasher`], with seeds from `seeds`
    /// (see [`GoMap::with_capacity_hasher_and_seeds`]).
    pub fn with_capacity_hasher_and_seeds(
        hint: usize, hash_builder: S, seeds: impl SeedSource,
    ) -> Self {
        GoSet {
            map: GoMap::with_capacity_hasher_and_seeds(hint, hash_builder, seeds),
        }
    }

    /// The header (Go's `hmap`) of the map under the set.
    pub fn header(&self) -> Header {
        self.map.header()
    }

    /// A read-only snapshot of every bucket (values are `()`).
    pub fn layout(&self) -> Layout<'_, T, ()> {
        self.map.layout()
    }

    /// Statistics in the terms of Go's load-factor table (see
    /// [`GoMap::stats`]).
    pub fn stats(&self) -> Stats {
        Stats::of(&self.map)
    }

    /// Test-only tuning (see `GoMap::set_stress_tuning`).
    #[doc(hidden)]
    pub fn set_stress_tuning(&mut self, on: bool) {
        self.map.set_stress_tuning(on)
    }
}

impl<T, S, E: Engine> GoSet<T, S, E> {
    /// The set over `map`, for constructors that build the map generically.
    pub(crate) fn from_map(map: GoMap<T, (), S, E>) -> Self {
        GoSet { map }
    }

    /// The set's `BuildHasher`.
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set has no elements.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Elements the set holds before an insert starts a doubling (see
    /// [`GoMap::capacity`]).
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// Removes every element, as [`GoMap::clear`]: keeps `B` and the array,
    /// draws a new seed.
    pub fn clear(&mut self) {
        self.map.clear()
    }

    /// An iterator over the elements, from a random bucket and slot offset.
    pub fn iter(&self) -> Iter<'_, T, E> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Removes every element, yielding them (see [`GoMap::drain`]).
    pub fn drain(&mut self) -> Drain<'_, T, E> {
        Drain {
            inner: self.map.drain(),
        }
    }

    /// Keeps only the elements for which `f` returns true (see
    /// [`GoMap::retain`]).
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.map.retain(|k, _| f(k))
    }

    /// An iterator that removes and yields the elements for which `pred`
    /// returns true (see [`GoMap::extract_if`]).
    pub fn extract_if<F: FnMut(&T) -> bool>(&mut self, pred: F) -> ExtractIf<'_, T, F, E> {
        ExtractIf {
            raw: self.map.table.extract(),
            seeds: &mut self.map.seeds,
            pred,
        }
    }
}

impl<T: Eq + Hash, S: BuildHasher, E: Engine> GoSet<T, S, E> {
    /// Adds `value`; returns whether it was absent. A present value is
    /// kept, and `value` dropped (use [`GoSet::replace`] to swap it).
    pub fn insert(&mut self, value: T) -> bool {
        self.map.insert(value, ()).is_none()
    }

    /// Adds `value`, replacing and returning an equal element if there was
    /// one.
    pub fn replace(&mut self, value: T) -> Option<T> {
        match self.map.entry(value) {
            Entry::Occupied(mut o) => {
                let new = o.take_key().expect("entry keeps the key it was given");
                Some(o.raw.replace_key(new))
            }
            Entry::Vacant(v) => {
                v.insert(());
                None
            }
        }
    }

    /// Whether the set holds `value`.
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, _)| k)
    }

    /// Removes and returns the stored element equal to `value`.
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, _)| k)
    }

    /// Removes `value`; returns whether it was present. Go:
    /// `delete(m, v)`.
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Does nothing: a Go map never shrinks (see [`GoMap::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit()
    }

    /// Makes room for `additional` more elements without a growth (see
    /// [`GoMap::reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional)
    }

    /// Like [`GoSet::reserve`], returning an error instead of panicking.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.map.try_reserve(additional)
    }

    /// The elements of `self` not in `other`.
    pub fn difference<'a>(&'a self, other: &'a GoSet<T, S, E>) -> Difference<'a, T, S, E> {
        Difference {
            iter: self.iter(),
            other,
        }
    }

    /// The elements in exactly one of `self` and `other`.
    pub fn symmetric_difference<'a>(
        &'a self, other: &'a GoSet<T, S, E>,
    ) -> SymmetricDifference<'a, T, S, E> {
        SymmetricDifference {
            iter: self.difference(other).chain(other.difference(self)),
        }
    }

    /// The elements in both `self` and `other` (those of the smaller set
    /// that the larger holds: fewer lookups).
    pub fn intersection<'a>(&'a self, other: &'a GoSet<T, S, E>) -> Intersection<'a, T, S, E> {
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        Intersection {
            iter: small.iter(),
            other: large,
        }
    }

    /// The elements in `self` or `other`, each once (all of the larger set,
    /// then what the smaller adds: fewer lookups).
    pub fn union<'a>(&'a self, other: &'a GoSet<T, S, E>) -> Union<'a, T, S, E> {
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        Union {
            iter: large.iter().chain(small.difference(large)),
        }
    }

    /// Whether `self` and `other` have no element in common.
    pub fn is_disjoint(&self, other: &GoSet<T, S, E>) -> bool {
        self.intersection(other).next().is_none()
    }

    /// Whether every element of `self` is in `other`.
    pub fn is_subset(&self, other: &GoSet<T, S, E>) -> bool {
        self.len() <= other.len() && self.iter().all(|v| other.contains(v))
    }

    /// Whether every element of `other` is in `self`.
    pub fn is_superset(&self, other: &GoSet<T, S, E>) -> bool {
        other.is_subset(self)
    }

    /// Checks the map's structural invariants (see
    /// [`GoMap::check_invariants`]). Panics on the first violation.
    pub fn check_invariants(&self) {
        self.map.check_invariants()
    }
}

// ---------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------

impl<T, S: Default, E: Engine> Default for GoSet<T, S, E> {
    fn default() -> Self {
        GoSet::from_map(GoMap::default())
    }
}

impl<T: Clone, S: Clone, E: Engine> Clone for GoSet<T, S, E> {
    /// A copy with the identical layout (see `GoMap`'s `clone`).
    fn clone(&self) -> Self {
        GoSet {
            map: self.map.clone(),
        }
    }
}

impl<T: fmt::Debug, S, E: Engine> fmt::Debug for GoSet<T, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Eq + Hash, S: BuildHasher, E: Engine> PartialEq for GoSet<T, S, E> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.is_subset(other)
    }
}

impl<T: Eq + Hash, S: BuildHasher, E: Engine> Eq for GoSet<T, S, E> {}

impl<T: Eq + Hash, S: BuildHasher + Default, E: Engine> FromIterator<T> for GoSet<T, S, E> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        GoSet {
            map: iter.into_iter().map(|v| (v, ())).collect(),
        }
    }
}

impl<T: Eq + Hash, const N: usize> From<[T; N]> for GoSet<T, DefaultHashBuilder, Classic> {
    fn from(arr: [T; N]) -> Self {
        arr.into_iter().collect()
    }
}

impl<T: Eq + Hash, S: BuildHasher, E: Engine> Extend<T> for GoSet<T, S, E> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|v| (v, ())))
    }
}

impl<'a, T: Eq + Hash + Copy + 'a, S: BuildHasher, E: Engine> Extend<&'a T> for GoSet<T, S, E> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied())
    }
}

impl<T, S, E: Engine> IntoIterator for GoSet<T, S, E> {
    type Item = T;
    type IntoIter = IntoIter<T, E>;

    fn into_iter(self) -> IntoIter<T, E> {
        IntoIter {
            inner: self.map.into_keys(),
        }
    }
}

impl<'a, T, S, E: Engine> IntoIterator for &'a GoSet<T, S, E> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T, E>;

    fn into_iter(self) -> Iter<'a, T, E> {
        self.iter()
    }
}

macro_rules! set_op {
    ($trait:ident, $method:ident, $what:literal, $build:ident) => {
        impl<T, S, E: Engine> $trait<&GoSet<T, S, E>> for &GoSet<T, S, E>
        where
            T: Eq + Hash + Clone,
            S: BuildHasher + Default,
        {
            type Output = GoSet<T, S, E>;

            #[doc = concat!("The ", $what, " of two sets, as a new set.")]
            fn $method(self, rhs: &GoSet<T, S, E>) -> GoSet<T, S, E> {
                self.$build(rhs).cloned().collect()
            }
        }
    };
}

set_op!(BitOr, bitor, "union", union);
set_op!(BitAnd, bitand, "intersection", intersection);
set_op!(BitXor, bitxor, "symmetric difference", symmetric_difference);
set_op!(Sub, sub, "difference", difference);

// ---------------------------------------------------------------------------
// Iterators
// ---------------------------------------------------------------------------

/// Iterator over `&T`, from [`GoSet::iter`].
pub struct Iter<'a, T: 'a, E: Engine = Classic> {
    inner: Keys<'a, T, (), E>,
}

impl<T, E: Engine> Clone for Iter<'_, T, E> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<'a, T, E: Engine> Iterator for Iter<'a, T, E> {
    type Item = &'a T;
    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
impl<T, E: Engine> ExactSizeIterator for Iter<'_, T, E> {}
impl<T, E: Engine> FusedIterator for Iter<'_, T, E> {}

impl<T: fmt::Debug, E: Engine> fmt::Debug for Iter<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// Owning iterator, from `GoSet::into_iter`.
pub struct IntoIter<T, E: Engine = Classic> {
    inner: IntoKeys<T, (), E>,
}

impl<T, E: Engine> Iterator for IntoIter<T, E> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
impl<T, E: Engine> ExactSizeIterator for IntoIter<T, E> {}
impl<T, E: Engine> FusedIterator for IntoIter<T, E> {}

impl<T: fmt::Debug, E: Engine> fmt::Debug for IntoIter<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// Draining iterator, from [`GoSet::drain`].
pub struct Drain<'a, T: 'a, E: Engine = Classic> {
    inner: MapDrain<'a, T, (), E>,
}

impl<T, E: Engine> Iterator for Drain<'_, T, E> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        self.inner.next().map(|(k, ())| k)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
impl<T, E: Engine> ExactSizeIterator for Drain<'_, T, E> {}
impl<T, E: Engine> FusedIterator for Drain<'_, T, E> {}

impl<T: fmt::Debug, E: Engine> fmt::Debug for Drain<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.inner.inner.remaining().map(|(k, _)| k))
            .finish()
    }
}

/// The iterator of [`GoSet::extract_if`]: yields the removed elements.
pub struct ExtractIf<'a, T: 'a, F, E: Engine = Classic> {
    raw: <TableOf<T, (), E> as Table<T, ()>>::Extract<'a>,
    seeds: &'a mut Option<Box<dyn SeedSource>>,
    pred: F,
}

impl<T, F: FnMut(&T) -> bool, E: Engine> Iterator for ExtractIf<'_, T, F, E> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let seeds = &mut *self.seeds;
        let pred = &mut self.pred;
        self.raw
            .next(|k, _| pred(k), || TableOf::<T, (), E>::draw_seed(seeds))
            .map(|(k, ())| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.raw.table_len()))
    }
}

impl<T, F: FnMut(&T) -> bool, E: Engine> FusedIterator for ExtractIf<'_, T, F, E> {}

impl<T, F, E: Engine> fmt::Debug for ExtractIf<'_, T, F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf")
            .field("len", &self.raw.table_len())
            .finish_non_exhaustive()
    }
}

/// The elements of one set not in another, from [`GoSet::difference`].
pub struct Difference<'a, T: 'a, S, E: Engine = Classic> {
    iter: Iter<'a, T, E>,
    other: &'a GoSet<T, S, E>,
}

/// The elements in both of two sets, from [`GoSet::intersection`].
pub struct Intersection<'a, T: 'a, S, E: Engine = Classic> {
    iter: Iter<'a, T, E>,
    other: &'a GoSet<T, S, E>,
}

impl<'a, T: Eq + Hash, S: BuildHasher, E: Engine> Iterator for Difference<'a, T, S, E> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        let other = self.other;
        self.iter.find(|v| !other.contains(*v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher, E: Engine> Iterator for Intersection<'a, T, S, E> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        let other = self.other;
        self.iter.find(|v| other.contains(*v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

/// The elements in exactly one of two sets, from
/// [`GoSet::symmetric_difference`].
pub struct SymmetricDifference<'a, T: 'a, S, E: Engine = Classic> {
    iter: Chain<Difference<'a, T, S, E>, Difference<'a, T, S, E>>,
}

/// The elements in either of two sets, from [`GoSet::union`].
pub struct Union<'a, T: 'a, S, E: Engine = Classic> {
    iter: Chain<Iter<'a, T, E>, Difference<'a, T, S, E>>,
}

impl<'a, T: Eq + Hash, S: BuildHasher, E: Engine> Iterator for SymmetricDifference<'a, T, S, E> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.iter.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher, E: Engine> Iterator for Union<'a, T, S, E> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        self.iter.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

macro_rules! algebra_traits {
    ($($name:ident { $($field:ident),* }),*) => {$(
        impl<T, S> Clone for $name<'_, T, S> {
            fn clone(&self) -> Self {
                $name { $($field: self.$field.clone()),* }
            }
        }
        impl<T: Eq + Hash, S: BuildHasher> FusedIterator for $name<'_, T, S> {}
        impl<T: fmt::Debug + Eq + Hash, S: BuildHasher> fmt::Debug for $name<'_, T, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    )*};
}

algebra_traits!(
    Difference { iter, other },
    Intersection { iter, other },
    SymmetricDifference { iter },
    Union { iter }
);
