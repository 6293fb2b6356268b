//! The directory: for each of its `2^globalDepth` entries, the table it
//! names and a copy of that table's [`Head`] (so a lookup reaches the
//! groups without loading the table).
//!
//! ## Doubling ahead of time
//!
//! Go doubles the directory inside the insert whose split needs it: a new
//! array of twice the entries, each old entry written twice. At 16,384
//! entries that is 128 KiB of fresh memory for Go and, with the heads,
//! 384 KiB here; most of the cost is the first write to each fresh page,
//! and it made that one insert the map's largest pause (`bench/swiss-perf.md`,
//! "Pauses"). So the directory also holds the doubled image it will
//! become, built a few entries at a time by every split before the one
//! that needs it: `next[2i]` and `next[2i + 1]` are entry `i` for every
//! `i < ready`, and every write to an entry below `ready` goes to its two
//! images too. A doubling finishes the image (nothing left, once enough
//! splits have passed) and swaps it in. What the map holds, and every
//! decision it makes, is Go's at each step; only when the copying happens
//! is ours.

use super::group::Head;

/// Entries each split copies into the next doubling's image. Between two
/// doublings a directory of `2^g` entries sees about `0.4 · 2^g` splits (a
/// 10-million-key run with fixed seeds: 7,000 splits between the doublings
/// to 8,192 and to 16,384 entries), so 8 entries a split finish the image
/// several times over before it is needed, for 16 writes a split.
const COPY_PER_SPLIT: usize = 8;

/// A directory entry's contents: the table's index in the table list, and
/// its groups.
pub(crate) struct Directory {
    /// `ids[i]`: the table entry `i` names (an index into the table list).
    ids: Vec<usize>,
    /// `heads[i]`: that table's groups. Same length as `ids`.
    heads: Vec<Head>,
    /// The doubled directory, built ahead: `2 · ready` entries, each of the
    /// first `ready` entries of `ids` twice. Capacity `2 · ids.len()` once
    /// started (empty, with none, before the first split).
    next_ids: Vec<usize>,
    /// The heads of `next_ids`.
    next_heads: Vec<Head>,
}

impl Directory {
    /// A directory with these entries (`ids.len()` a power of two, one head
    /// per entry) and nothing built ahead.
    pub(crate) fn new(ids: Vec<usize>, heads: Vec<Head>) -> Self {
        debug_assert!(ids.len().is_power_of_two() && ids.len() == heads.len());
        Directory {
            ids,
            heads,
            next_ids: Vec::new(),
            next_heads: Vec::new(),
        }
    }

    /// Number of entries (`2^globalDepth`).
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Table ids, entry by entry.
    #[inline(always)]
    pub(crate) fn ids(&self) -> &[usize] {
        &self.ids
    }

    /// Heads, entry by entry (same length as [`Directory::ids`]).
    #[inline(always)]
    pub(crate) fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Entries of the next doubling already built.
    fn ready(&self) -> usize {
        self.next_ids.len() / 2
    }

    /// Points entries `from..from + len` at table `id`, whose groups are
    /// `head`, in the directory and in the image built ahead.
    pub(crate) fn set(&mut self, from: usize, len: usize, id: usize, head: Head) {
        self.ids[from..from + len].fill(id);
        self.set_heads(from, len, head);
        let built = self.ready().min(from + len);
        if from < built {
            self.next_ids[2 * from..2 * built].fill(id);
        }
    }

    /// Sets the head of entries `from..from + len` (the entries of a table
    /// whose groups changed), in the directory and in the image.
    pub(crate) fn set_heads(&mut self, from: usize, len: usize, head: Head) {
        self.heads[from..from + len].fill(head);
        let built = self.ready().min(from + len);
        if from < built {
            self.next_heads[2 * from..2 * built].fill(head);
        }
    }

    /// Copies up to [`COPY_PER_SPLIT`] more entries into the image of the
    /// next doubling; the first call after a doubling reserves the image's
    /// memory (untouched until written, so this costs no page faults yet).
    pub(crate) fn build_ahead(&mut self) {
        self.extend_image(COPY_PER_SPLIT);
    }

    fn extend_image(&mut self, count: usize) {
        let n = self.ids.len();
        if self.next_ids.capacity() < 2 * n {
            self.next_ids = Vec::with_capacity(2 * n);
            self.next_heads = Vec::with_capacity(2 * n);
        }
        let from = self.ready();
        let to = (from + count).min(n);
        for i in from..to {
            let (id, head) = (self.ids[i], self.heads[i]);
            self.next_ids.extend([id, id]);
            self.next_heads.extend([head, head]);
        }
    }

    /// Doubles the directory: entry `i` becomes entries `2i` and `2i + 1`.
    /// Whatever of the image the splits have not built is copied now.
    pub(crate) fn double(&mut self) {
        self.extend_image(self.ids.len());
        self.ids = core::mem::take(&mut self.next_ids);
        self.heads = core::mem::take(&mut self.next_heads);
    }

    /// Bytes of the directory's arrays, the image built ahead included
    /// (reserved capacity counted as held).
    pub(crate) fn bytes(&self) -> (usize, usize) {
        let ids = (self.ids.capacity() + self.next_ids.capacity()) * core::mem::size_of::<usize>();
        let heads =
            (self.heads.capacity() + self.next_heads.capacity()) * core::mem::size_of::<Head>();
        (ids, heads)
    }

    /// Checks the image built ahead against the directory: `Err` names the
    /// first entry whose image differs.
    pub(crate) fn check_image(&self) -> Result<(), String> {
        if self.next_ids.len() != self.next_heads.len()
            || self.next_ids.len() % 2 != 0
            || self.ready() > self.len()
        {
            return Err(format!(
                "image of the next doubling: {} ids, {} heads for {} entries",
                self.next_ids.len(),
                self.next_heads.len(),
                self.len()
            ));
        }
        for i in 0..self.ready() {
            let ids_ok = self.next_ids[2 * i..2 * i + 2] == [self.ids[i]; 2];
            let heads_ok = self.next_heads[2 * i..2 * i + 2] == [self.heads[i]; 2];
            if !ids_ok || !heads_ok {
                return Err(format!(
                    "entry {i} differs from its image in the next doubling"
                ));
            }
        }
        Ok(())
    }
}

impl Clone for Directory {
    /// The entries only; the copy builds its own image ahead. (A clone of
    /// a map rebuilds the heads for its own tables anyway.)
    fn clone(&self) -> Self {
        Directory::new(self.ids.clone(), self.heads.clone())
    }
}

impl core::ops::Deref for Directory {
    type Target = [usize];

    /// The table ids: `dir[i]`, `dir.len()` and `dir.iter()` read the
    /// directory as a slice; writes go through [`Directory::set`].
    #[inline(always)]
    fn deref(&self) -> &[usize] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swiss::group::GroupArray;

    #[test]
    fn doubling_ahead_matches_doubling_at_once() {
        let arrays: Vec<GroupArray<u64, u64>> = (0..4).map(|_| GroupArray::new(1)).collect();
        let head = |t: usize| arrays[t].head();
        let mut d = Directory::new(vec![0, 0, 1, 2], vec![head(0), head(0), head(1), head(2)]);
        d.build_ahead();
        assert_eq!(d.ready(), 4);
        d.check_image().unwrap();
        // A write after the image is built reaches it.
        d.set(2, 1, 3, head(3));
        d.set_heads(0, 2, head(1));
        d.check_image().unwrap();
        d.double();
        assert_eq!(d.ids(), &[0, 0, 0, 0, 3, 3, 2, 2]);
        assert_eq!(d.heads()[..4], [head(1); 4]);
        assert_eq!(d.heads()[4..6], [head(3); 2]);
        // Nothing built: the doubling copies it all.
        d.double();
        assert_eq!(d.len(), 16);
        assert_eq!(d.ids()[8..10], [3, 3]);
        d.check_image().unwrap();
    }
}
