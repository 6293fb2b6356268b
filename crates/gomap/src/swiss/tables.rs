//! The map's tables, by id, in segments that never move.
//!
//! A `Vec` of tables reallocates when it fills: every table struct is
//! copied to fresh memory at once. The table count reaches each power of
//! two at about the insert that doubles the directory, so that copy
//! (458 KiB at 8,192 tables) landed on the map's largest pause: 50–300 µs
//! of the doubling insert at 6.5 million keys, most of it first writes to
//! fresh pages (`bench/swiss-perf.md`, "Pauses"). Here tables live in
//! segments of [`SEGMENT`] tables, each allocated with its whole capacity
//! when the previous one is full: no table is ever copied, and only the
//! short list of segments reallocates. Go allocates each table on its own,
//! which moves nothing either.

use core::ptr::NonNull;

use super::dir::TablePtr;
use super::table::SubTable;

/// Tables by id: id `i` lives in segment `i / SEGMENT` at offset
/// `i % SEGMENT`. Invariant: every segment but the last is full, and every
/// segment was made with capacity `SEGMENT`, which its length never
/// exceeds (so its buffer never moves).
pub(crate) struct Tables<K, V> {
    segments: Vec<Vec<SubTable<K, V>>>,
    len: usize,
}

/// Tables per segment. Inserts, removes and lookups reach a table through
/// the directory's address for it, so only the slower paths (growth,
/// iteration, views) find a table by id: a shift and a mask with equal
/// segments. At 64 tables (3.5 KiB for `u64` keys) the list of segments of a
/// 10-million-key map has 190 entries, whose reallocations copy a few KiB.
const SEGMENT: usize = 64;

/// The segment and offset of table `id`.
#[inline(always)]
fn place(id: usize) -> (usize, usize) {
    (id / SEGMENT, id % SEGMENT)
}

impl<K, V> Tables<K, V> {
    pub(crate) fn new() -> Self {
        Tables {
            segments: Vec::new(),
            len: 0,
        }
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds a table; its id is the old length.
    pub(crate) fn push(&mut self, table: SubTable<K, V>) {
        let (s, _) = place(self.len);
        if s == self.segments.len() {
            self.segments.push(Vec::with_capacity(SEGMENT));
        }
        let seg = &mut self.segments[s];
        debug_assert!(seg.len() < seg.capacity());
        seg.push(table);
        self.len += 1;
    }

    #[cfg(test)]
    pub(crate) fn get(&self, id: usize) -> Option<&SubTable<K, V>> {
        let (s, o) = place(id);
        self.segments.get(s)?.get(o)
    }

    /// The address of table `id` (valid for as long as this list lives:
    /// tables are replaced in place, never removed, and segments never
    /// move). Panics if there is no such table.
    pub(crate) fn ptr(&mut self, id: usize) -> TablePtr<K, V> {
        let (s, o) = place(id);
        let seg = &mut self.segments[s];
        assert!(o < seg.len(), "no table {id}");
        // The segment's own buffer pointer, not a reference to its tables:
        // later borrows of the segment leave it valid.
        TablePtr::new(
            NonNull::new(seg.as_mut_ptr().wrapping_add(o)).expect("a Vec's buffer is not null"),
        )
    }

    /// The address of table `id`, to compare with a [`TablePtr`]'s.
    pub(crate) fn addr(&self, id: usize) -> *const SubTable<K, V> {
        let (s, o) = place(id);
        self.segments[s].as_ptr().wrapping_add(o)
    }

    /// Every table, in id order.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &SubTable<K, V>> + '_ {
        self.segments.iter().flatten()
    }

    /// Every table, in id order, mutably.
    pub(crate) fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut SubTable<K, V>> + '_ {
        self.segments.iter_mut().flatten()
    }

    /// Drops every table's entries, keeping the tables; if a `Drop`
    /// panics, the remaining entries are still dropped while it unwinds.
    pub(crate) fn drop_entries_unwinding(&mut self) {
        struct Rest<'a, K, V>(
            core::slice::IterMut<'a, Vec<SubTable<K, V>>>,
            core::slice::IterMut<'a, SubTable<K, V>>,
        );
        impl<K, V> Rest<'_, K, V> {
            fn run(&mut self) {
                loop {
                    for t in self.1.by_ref() {
                        t.groups.drop_entries();
                    }
                    match self.0.next() {
                        Some(seg) => self.1 = seg.iter_mut(),
                        None => return,
                    }
                }
            }
        }
        impl<K, V> Drop for Rest<'_, K, V> {
            fn drop(&mut self) {
                self.run();
            }
        }
        let mut rest = Rest(self.segments.iter_mut(), [].iter_mut());
        rest.run();
    }
}

impl<K, V> core::ops::Index<usize> for Tables<K, V> {
    type Output = SubTable<K, V>;

    #[inline]
    fn index(&self, id: usize) -> &SubTable<K, V> {
        let (s, o) = place(id);
        &self.segments[s][o]
    }
}

impl<K, V> core::ops::IndexMut<usize> for Tables<K, V> {
    #[inline]
    fn index_mut(&mut self, id: usize) -> &mut SubTable<K, V> {
        let (s, o) = place(id);
        &mut self.segments[s][o]
    }
}

impl<K, V> FromIterator<SubTable<K, V>> for Tables<K, V> {
    fn from_iter<I: IntoIterator<Item = SubTable<K, V>>>(iter: I) -> Self {
        let mut t = Tables::new();
        for table in iter {
            t.push(table);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_fill_segments_in_order() {
        let got: Vec<_> = [0, 1, SEGMENT - 1, SEGMENT, 3 * SEGMENT + 5]
            .map(place)
            .into();
        assert_eq!(got, [(0, 0), (0, 1), (0, SEGMENT - 1), (1, 0), (3, 5)]);
    }

    #[test]
    fn tables_keep_their_place() {
        let mut t: Tables<u64, u64> = (0..5).map(|i| SubTable::new(8, i, 0)).collect();
        let first = &t[0] as *const SubTable<u64, u64>;
        let n = 2 * SEGMENT as u64 + 3;
        for i in 5..n {
            t.push(SubTable::new(8, i, 0));
        }
        assert_eq!(t.len(), n as usize);
        assert!(core::ptr::eq(first, &t[0]), "a table moved");
        assert_eq!(
            t.iter().map(|s| s.first_hash).collect::<Vec<_>>(),
            (0..n).collect::<Vec<_>>()
        );
        assert!(t.get(n as usize).is_none() && t.get(n as usize - 1).is_some());
    }
}
