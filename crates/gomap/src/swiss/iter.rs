//! Iterators over a Swiss map, in Go's order: tables from a random
//! directory offset (snapped back to each table's first entry), slots from
//! a random offset within each table. Go: `Iter.Init`, `Iter.Next` for a
//! map that does not change while it is walked.

use core::iter::FusedIterator;
use core::mem;

use super::group::{GroupArray, Mark, OrderedSlots, SlotsMut, SLOTS};
use super::table::SubTable;
use super::tables::Tables;
use super::{Body, RawSwiss};
use crate::base::event::Event;

/// Tables in Go's iteration order for the random `dir_offset`: directory
/// index `(i + dirOffset) & (dirLen − 1)`, snapped back to the table's
/// `index` (which shifts the offset), then `i` advances past the table's
/// entries.
fn table_order<K, V>(
    dir: &[usize], tables: &Tables<K, V>, global_depth: u8, dir_offset: u64,
) -> Vec<usize> {
    let mut out = Vec::with_capacity(tables.len());
    let len = dir.len() as u64;
    let mut off = dir_offset;
    let mut i = 0u64;
    while i < len {
        let mut d = i.wrapping_add(off) & (len - 1);
        let t = dir[d as usize];
        let index = tables[t].index(global_depth) as u64;
        if index != d {
            off = off.wrapping_sub(d - index);
            d = index;
        }
        debug_assert_eq!(dir[d as usize], t);
        out.push(t);
        i += 1u64 << (global_depth - tables[t].local_depth);
    }
    out
}

/// `(&K, &V)` in Go's order.
pub struct SwissIter<'a, K, V> {
    map: &'a RawSwiss<K, V>,
    order: Vec<usize>,
    /// Tables in `order` started so far (the small group counts as one).
    ti: usize,
    /// The walk of the current table.
    slots: Option<OrderedSlots<'a, K, V>>,
    entry_offset: usize,
    remaining: usize,
}

impl<K, V> Clone for SwissIter<'_, K, V> {
    fn clone(&self) -> Self {
        SwissIter {
            map: self.map,
            order: self.order.clone(),
            ti: self.ti,
            slots: self.slots.clone(),
            entry_offset: self.entry_offset,
            remaining: self.remaining,
        }
    }
}

impl<'a, K, V> SwissIter<'a, K, V> {
    pub(crate) fn new(map: &'a RawSwiss<K, V>) -> Self {
        let entry_offset = fastrand::usize(..);
        let order = match &map.body {
            Body::Dir { dir, tables } if map.used > 0 => {
                table_order(dir, tables, map.global_depth, fastrand::u64(..))
            }
            _ => Vec::new(),
        };
        SwissIter {
            map,
            order,
            ti: 0,
            slots: None,
            entry_offset,
            remaining: map.used,
        }
    }
}

impl<'a, K, V> Iterator for SwissIter<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            if let Some(entry) = self.slots.as_mut().and_then(Iterator::next) {
                self.remaining -= 1;
                return Some(entry);
            }
            let groups: &'a GroupArray<K, V> = match &self.map.body {
                Body::Empty => return None,
                Body::Small(g) if self.ti == 0 => g,
                Body::Small(_) => return None,
                Body::Dir { tables, .. } => &tables[*self.order.get(self.ti)?].groups,
            };
            self.ti += 1;
            self.slots = Some(groups.ordered(self.entry_offset));
        }
    }

    /// The walk without `next`'s state kept in `self` between entries:
    /// each table's slots are folded in one local loop.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        let mut acc = init;
        if self.remaining == 0 {
            return acc;
        }
        if let Some(slots) = self.slots {
            acc = slots.fold(acc, &mut f);
        }
        match &self.map.body {
            Body::Empty => acc,
            Body::Small(g) if self.ti == 0 => g.ordered(self.entry_offset).fold(acc, f),
            Body::Small(_) => acc,
            Body::Dir { tables, .. } => {
                for &t in &self.order[self.ti.min(self.order.len())..] {
                    acc = tables[t]
                        .groups
                        .ordered(self.entry_offset)
                        .fold(acc, &mut f);
                }
                acc
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> ExactSizeIterator for SwissIter<'_, K, V> {}
impl<K, V> FusedIterator for SwissIter<'_, K, V> {}

/// `(&K, &mut V)` in Go's order.
pub struct SwissIterMut<'a, K, V> {
    /// One slot walk per table, in reverse order (popped from the end).
    walks: Vec<SlotsMut<'a, K, V>>,
    remaining: usize,
}

impl<'a, K, V> SwissIterMut<'a, K, V> {
    pub(crate) fn new(map: &'a mut RawSwiss<K, V>) -> Self {
        let entry_offset = fastrand::usize(..);
        let remaining = map.used;
        let global_depth = map.global_depth;
        let walks = match &mut map.body {
            Body::Empty => Vec::new(),
            Body::Small(g) => vec![g.entries_mut(entry_offset)],
            Body::Dir { dir, tables } => {
                let order = table_order(dir, tables, global_depth, fastrand::u64(..));
                let mut slots: Vec<Option<&'a mut SubTable<K, V>>> =
                    tables.iter_mut().map(Some).collect();
                order
                    .iter()
                    .rev()
                    .map(|&t| {
                        slots[t]
                            .take()
                            .expect("each table once")
                            .groups
                            .entries_mut(entry_offset)
                    })
                    .collect()
            }
        };
        SwissIterMut { walks, remaining }
    }
}

impl<'a, K: 'a, V: 'a> Iterator for SwissIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        while let Some(walk) = self.walks.last_mut() {
            if let Some(entry) = walk.next() {
                self.remaining -= 1;
                return Some(entry);
            }
            self.walks.pop();
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a, K: 'a, V: 'a> ExactSizeIterator for SwissIterMut<'a, K, V> {}
impl<'a, K: 'a, V: 'a> FusedIterator for SwissIterMut<'a, K, V> {}

/// Moves entries out of a body in Go's order; the entries not taken drop
/// with it.
pub(crate) struct BodyTake<K, V> {
    body: Body<K, V>,
    order: Vec<usize>,
    ti: usize,
    e: usize,
    entry_offset: usize,
    remaining: usize,
}

impl<K, V> BodyTake<K, V> {
    fn new(body: Body<K, V>, used: usize, global_depth: u8) -> Self {
        let order = match &body {
            Body::Dir { dir, tables } => table_order(dir, tables, global_depth, fastrand::u64(..)),
            _ => Vec::new(),
        };
        BodyTake {
            body,
            order,
            ti: 0,
            e: 0,
            entry_offset: fastrand::usize(..),
            remaining: used,
        }
    }

    fn next(&mut self) -> Option<(K, V)> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            let small = matches!(self.body, Body::Small(_));
            let groups: &mut GroupArray<K, V> = match &mut self.body {
                Body::Empty => return None,
                Body::Small(g) => g,
                Body::Dir { tables, .. } => &mut tables[*self.order.get(self.ti)?].groups,
            };
            let cap = groups.len() * SLOTS;
            while self.e < cap {
                let pos = (self.e + self.entry_offset) & (cap - 1);
                self.e += 1;
                let (g, i) = (pos / SLOTS, pos % SLOTS);
                if groups.is_full(g, i) {
                    self.remaining -= 1;
                    return Some(groups.take(g, i, Mark::Empty));
                }
            }
            self.ti += 1;
            self.e = 0;
            if small {
                return None;
            }
        }
    }
}

/// Owned entries in Go's order.
impl<K, V> BodyTake<K, V> {
    /// The entries not taken yet, read-only, in the order `next` takes them.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let arrays: Vec<&GroupArray<K, V>> = match &self.body {
            Body::Empty => Vec::new(),
            Body::Small(g) => vec![g],
            Body::Dir { tables, .. } => self.order[self.ti.min(self.order.len())..]
                .iter()
                .map(|&t| &tables[t].groups)
                .collect(),
        };
        let (first, offset) = (self.e, self.entry_offset);
        arrays
            .into_iter()
            .enumerate()
            .flat_map(move |(n, groups)| {
                let cap = groups.len() * SLOTS;
                let from = if n == 0 { first } else { 0 };
                (from..cap).filter_map(move |e| {
                    let pos = (e + offset) & (cap - 1);
                    groups.entry(pos / SLOTS, pos % SLOTS)
                })
            })
            .take(self.remaining)
    }
}

pub struct SwissIntoIter<K, V>(BodyTake<K, V>);

impl<K, V> SwissIntoIter<K, V> {
    pub(crate) fn new(mut map: RawSwiss<K, V>) -> Self {
        let body = mem::replace(&mut map.body, Body::Empty);
        SwissIntoIter(BodyTake::new(body, map.used, map.global_depth))
    }
}

impl<K, V> Iterator for SwissIntoIter<K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.remaining, Some(self.0.remaining))
    }
}

impl<K, V> ExactSizeIterator for SwissIntoIter<K, V> {}
impl<K, V> FusedIterator for SwissIntoIter<K, V> {}

/// Owned entries of a map being cleared. The map is empty (and
/// unallocated) while the drain lives; dropping the drain drops the rest
/// and hands the map its reset tables back, as a `clear` leaves them.
pub struct SwissDrain<'a, K, V> {
    map: &'a mut RawSwiss<K, V>,
    take: Option<BodyTake<K, V>>,
    global_depth: u8,
    global_shift: u8,
}

impl<'a, K, V> SwissDrain<'a, K, V> {
    /// Go's `clear` bookkeeping happens here (unless it would be a no-op);
    /// the tables come back when the drain is dropped.
    pub(crate) fn new(map: &'a mut RawSwiss<K, V>, seed: u64) -> Self {
        if map.clear_is_noop() {
            return SwissDrain {
                global_depth: map.global_depth,
                global_shift: map.global_shift,
                map,
                take: None,
            };
        }
        let used = map.used;
        let (global_depth, global_shift) = (map.global_depth, map.global_shift);
        let body = mem::replace(&mut map.body, Body::Empty);
        let ntables = match &body {
            Body::Dir { tables, .. } => tables.len(),
            _ => 0,
        };
        map.used = 0;
        map.tombstone_possible = false;
        map.clear_seq += 1;
        map.global_depth = 0;
        map.global_shift = 0;
        map.set_seed(seed, crate::events::ReseedCause::Clear);
        let clear_seq = map.clear_seq;
        map.emit(|| Event::SwissClear {
            count: used,
            ntables,
            clear_seq,
        });
        SwissDrain {
            map,
            take: Some(BodyTake::new(body, used, global_depth)),
            global_depth,
            global_shift,
        }
    }
}

impl<K, V> Iterator for SwissDrain<'_, K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        self.take.as_mut()?.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.take.as_ref().map_or(0, |t| t.remaining);
        (n, Some(n))
    }
}

impl<K, V> ExactSizeIterator for SwissDrain<'_, K, V> {}
impl<K, V> FusedIterator for SwissDrain<'_, K, V> {}

impl<K, V> Drop for SwissDrain<'_, K, V> {
    fn drop(&mut self) {
        let Some(take) = &mut self.take else {
            return;
        };
        // A panicking Drop here unwinds with `take` still owned by the
        // drain, which then drops the rest; the map stays empty.
        while let Some(entry) = take.next() {
            drop(entry);
        }
        let Some(take) = self.take.take() else {
            return;
        };
        let mut body = take.body;
        match &mut body {
            Body::Empty => {}
            Body::Small(g) => g.reset_marks(),
            Body::Dir { tables, .. } => {
                for t in tables.iter_mut() {
                    t.used = 0;
                    t.growth_left = t.max_growth_left();
                    t.groups.reset_marks();
                }
            }
        }
        self.map.body = body;
        self.map.global_depth = self.global_depth;
        self.map.global_shift = self.global_shift;
    }
}

impl<K, V> SwissIterMut<'_, K, V> {
    /// The entries not yielded yet, read-only, in the order `next` yields them.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.walks.iter().rev().flat_map(|w| w.remaining())
    }
}

impl<K, V> SwissIntoIter<K, V> {
    /// The entries not yielded yet, read-only, in the order `next` yields them.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.0.remaining()
    }
}

impl<K, V> SwissDrain<'_, K, V> {
    /// The entries not yielded yet, read-only, in the order `next` yields them.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.take.iter().flat_map(|t| t.remaining())
    }
}
