//! The map's tables, by id, in segments that never move.
//!
//! A `Vec` of tables reallocates when it fills: every table struct is
//! copied to fresh memory at once. The table count reaches each power of
//! two at about the insert that doubles the directory, so that copy
//! (458 KiB at 8,192 tables) landed on the map's largest pause: 50–300 µs
//! of the doubling insert at 6.5 million keys, most of it first writes to
//! fresh pages (`bench/swiss-perf.md`, "Pauses"). Here segment `s` holds
//! `2^s` tables and is allocated, with its whole capacity, when the
//! previous one is full; nothing is ever copied, and a segment's pages are
//! touched one table at a time as tables are added. Go allocates each
//! table on its own, which moves nothing either.

use super::table::SubTable;

/// Tables by id: id `i` lives in segment `⌊log2(i + 1)⌋` at offset
/// `i + 1 − 2^segment`. Invariant: every segment but the last is full, and
/// no segment's length ever exceeds the capacity it was made with (so its
/// buffer never moves).
pub(crate) struct Tables<K, V> {
    segments: Vec<Vec<SubTable<K, V>>>,
    len: usize,
}

/// The segment and offset of table `id`.
#[inline(always)]
fn place(id: usize) -> (usize, usize) {
    let n = id + 1;
    let s = n.ilog2() as usize;
    (s, n - (1 << s))
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
            self.segments.push(Vec::with_capacity(1 << s));
        }
        let seg = &mut self.segments[s];
        debug_assert!(seg.len() < seg.capacity());
        seg.push(table);
        self.len += 1;
    }

    pub(crate) fn get(&self, id: usize) -> Option<&SubTable<K, V>> {
        let (s, o) = place(id);
        self.segments.get(s)?.get(o)
    }

    /// Table `id`, without bounds checks.
    ///
    /// # Safety
    /// `id < self.len()`.
    #[inline(always)]
    pub(crate) unsafe fn get_unchecked_mut(&mut self, id: usize) -> &mut SubTable<K, V> {
        debug_assert!(id < self.len);
        let (s, o) = place(id);
        // SAFETY: `id < len` (the caller's promise) and segments before the
        // last are full, so segment `s` exists and holds offset `o`.
        unsafe { self.segments.get_unchecked_mut(s).get_unchecked_mut(o) }
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
        let got: Vec<_> = (0..8).map(place).collect();
        assert_eq!(
            got,
            [
                (0, 0),
                (1, 0),
                (1, 1),
                (2, 0),
                (2, 1),
                (2, 2),
                (2, 3),
                (3, 0)
            ]
        );
    }

    #[test]
    fn tables_keep_their_place() {
        let mut t: Tables<u64, u64> = (0..5).map(|i| SubTable::new(8, i, 0)).collect();
        let first = &t[0] as *const SubTable<u64, u64>;
        for i in 5..40 {
            t.push(SubTable::new(8, i, 0));
        }
        assert_eq!(t.len(), 40);
        assert!(core::ptr::eq(first, &t[0]), "a table moved");
        assert_eq!(
            t.iter().map(|s| s.first_hash).collect::<Vec<_>>(),
            (0..40).collect::<Vec<_>>()
        );
        assert!(t.get(40).is_none() && t.get(39).is_some());
    }
}
