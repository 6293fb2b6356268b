//! The directory: for each of its `2^globalDepth` entries, the table it
//! names (as an id, and as the table's address, which is what Go's
//! directory holds) and a copy of that table's [`Head`] (so a lookup
//! reaches the groups without loading the table).
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

use core::ptr::NonNull;

use super::group::Head;
use super::table::SubTable;
use super::tables::Tables;

/// The directory entry `hash` selects at depth `global_depth`: the hash's
/// top `global_depth` bits, so always below `2^global_depth`, the
/// directory's length. Two shifts, so that depth 0 (which would be a
/// shift by 64) needs no branch: the first clears the top bit, the second
/// (by 63 − depth, at most 63) keeps the top `depth` bits. Go:
/// `Map.directoryIndex`.
#[inline(always)]
pub(crate) fn dir_index(hash: u64, global_depth: u8) -> usize {
    debug_assert!(global_depth < 64);
    ((hash >> 1) >> (63 - u32::from(global_depth))) as usize
}

/// Where a table is: an address into the segments of a [`Tables`], which
/// never move (see `tables.rs`).
pub(crate) struct TablePtr<K, V>(NonNull<SubTable<K, V>>);

// Copy for any K and V (a derive would ask K: Copy, V: Copy).
impl<K, V> Clone for TablePtr<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for TablePtr<K, V> {}

impl<K, V> PartialEq for TablePtr<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

// SAFETY: a TablePtr is an address with no access of its own: reaching the
// table needs `TablePtr::get`, which takes a unique borrow of the `Tables`
// it points into, and that owner's Send and Sync are what K's and V's are.
unsafe impl<K, V> Send for TablePtr<K, V> {}
// SAFETY: as for Send: a shared TablePtr gives no access at all.
unsafe impl<K, V> Sync for TablePtr<K, V> {}

impl<K, V> TablePtr<K, V> {
    /// The address of `table`, which must live in a segment of a `Tables`
    /// (see [`Tables::ptr`]).
    pub(crate) fn new(table: NonNull<SubTable<K, V>>) -> Self {
        TablePtr(table)
    }

    /// The address, to compare.
    pub(crate) fn addr(self) -> *const SubTable<K, V> {
        self.0.as_ptr()
    }

    /// The table, borrowed for as long as `owner` is.
    ///
    /// # Safety
    /// `self` came from `owner.ptr(id)` for some `id < owner.len()` (tables
    /// are never removed, and segments never move, so it stays valid for
    /// the owner's life).
    #[inline(always)]
    pub(crate) unsafe fn get(self, owner: &mut Tables<K, V>) -> &mut SubTable<K, V> {
        let _ = owner;
        // SAFETY: the table is alive inside `owner`'s segments (the
        // caller's promise), and the unique borrow of `owner` rules out any
        // other access to it for the returned lifetime.
        unsafe { &mut *self.0.as_ptr() }
    }
}

/// Entries each split copies into the next doubling's image. Between two
/// doublings a directory of `2^g` entries sees about `0.4 · 2^g` splits (a
/// 10-million-key run with fixed seeds: 7,000 splits between the doublings
/// to 8,192 and to 16,384 entries), so 8 entries a split finish the image
/// several times over before it is needed, for 16 writes a split.
const COPY_PER_SPLIT: usize = 8;

/// The directory of a map whose tables are a [`Tables<K, V>`].
pub(crate) struct Directory<K, V> {
    /// `ids[i]`: the table entry `i` names (an index into the table list).
    ids: Vec<usize>,
    /// `ptrs[i]`: that table's address in the table list (what Go's
    /// directory holds), so an insert reaches it with one load. Same length.
    ptrs: Vec<TablePtr<K, V>>,
    /// `heads[i]`: that table's groups. Same length as `ids`.
    heads: Vec<Head>,
    /// The doubled directory, built ahead: `2 · ready` entries, each of the
    /// first `ready` entries of `ids` twice. Capacity `2 · ids.len()` once
    /// started (empty, with none, before the first split).
    next_ids: Vec<usize>,
    /// The addresses of `next_ids`.
    next_ptrs: Vec<TablePtr<K, V>>,
    /// The heads of `next_ids`.
    next_heads: Vec<Head>,
    /// Entries of the image whose memory is reserved and written once
    /// (see [`Directory::prepare_image`]); 0 after every doubling.
    touched: usize,
}

/// Image entries each [`Directory::prepare_image`] step writes: a page of
/// ids and of addresses, two of heads.
const TOUCH_PER_STEP: usize = 4096 / core::mem::size_of::<usize>();

impl<K, V> Directory<K, V> {
    /// A directory whose entry `i` names table `ids[i]` of `tables`
    /// (`ids.len()` a power of two), with nothing built ahead.
    pub(crate) fn new(ids: Vec<usize>, tables: &mut Tables<K, V>) -> Self {
        debug_assert!(ids.len().is_power_of_two());
        let heads = ids.iter().map(|&t| tables[t].groups.head()).collect();
        let ptrs = ids.iter().map(|&t| tables.ptr(t)).collect();
        Directory {
            ids,
            ptrs,
            heads,
            next_ids: Vec::new(),
            next_ptrs: Vec::new(),
            next_heads: Vec::new(),
            touched: 0,
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

    /// Table addresses, entry by entry (same length as [`Directory::ids`]).
    #[inline(always)]
    pub(crate) fn ptrs(&self) -> &[TablePtr<K, V>] {
        &self.ptrs
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

    /// Points entries `from..from + len` at table `id` of `tables`, in the
    /// directory and in the image built ahead.
    pub(crate) fn set(&mut self, from: usize, len: usize, id: usize, tables: &mut Tables<K, V>) {
        let ptr = tables.ptr(id);
        self.ids[from..from + len].fill(id);
        self.ptrs[from..from + len].fill(ptr);
        self.set_heads(from, len, tables[id].groups.head());
        let built = self.ready().min(from + len);
        if from < built {
            self.next_ids[2 * from..2 * built].fill(id);
            self.next_ptrs[2 * from..2 * built].fill(ptr);
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

    /// Whether the image's memory is reserved and written once, so that
    /// building it allocates nothing and faults no page in.
    #[inline(always)]
    pub(crate) fn prepared(&self) -> bool {
        self.touched >= 2 * self.ids.len()
    }

    /// One step of getting the image's memory ready, done by ordinary
    /// inserts rather than by the split that builds the image: the first
    /// three steps reserve the three arrays (an `mmap` each once they are
    /// large, 3–25 µs apiece in the runs of `bench/swiss-perf.md`); each
    /// later one writes the next [`TOUCH_PER_STEP`] entries of their spare
    /// capacity (a first write to fresh memory is a page fault, about 3 µs).
    /// The values written are placeholders that building overwrites.
    pub(crate) fn prepare_image(&mut self) {
        let want = 2 * self.ids.len();
        if self.next_ids.capacity() < want {
            self.next_ids = Vec::with_capacity(want);
            return;
        }
        if self.next_ptrs.capacity() < want {
            self.next_ptrs = Vec::with_capacity(want);
            return;
        }
        if self.next_heads.capacity() < want {
            self.next_heads = Vec::with_capacity(want);
            return;
        }
        let (ptr, head) = (self.ptrs[0], self.heads[0]);
        let from = self.touched.max(self.next_ids.len());
        let to = (from + TOUCH_PER_STEP).min(want);
        let len = self.next_ids.len();
        // One write per 512 bytes: every page of each array's spare
        // capacity is written at least once.
        for i in (from..to).step_by(64) {
            self.next_ids.spare_capacity_mut()[i - len].write(0);
            self.next_ptrs.spare_capacity_mut()[i - len].write(ptr);
            self.next_heads.spare_capacity_mut()[i - len].write(head);
        }
        self.touched = to;
    }

    /// Copies up to [`COPY_PER_SPLIT`] more entries into the image of the
    /// next doubling, if its memory is reserved (see
    /// [`Directory::prepare_image`]); a doubling copies whatever is left.
    pub(crate) fn build_ahead(&mut self) {
        if self.next_heads.capacity() >= 2 * self.ids.len() {
            self.extend_image(COPY_PER_SPLIT);
        }
    }

    fn extend_image(&mut self, count: usize) {
        let n = self.ids.len();
        if self.next_ids.capacity() < 2 * n {
            self.next_ids = Vec::with_capacity(2 * n);
        }
        if self.next_ptrs.capacity() < 2 * n {
            self.next_ptrs = Vec::with_capacity(2 * n);
        }
        if self.next_heads.capacity() < 2 * n {
            self.next_heads = Vec::with_capacity(2 * n);
        }
        let from = self.ready();
        let to = (from + count).min(n);
        for i in from..to {
            let (id, ptr, head) = (self.ids[i], self.ptrs[i], self.heads[i]);
            self.next_ids.extend([id, id]);
            self.next_ptrs.extend([ptr, ptr]);
            self.next_heads.extend([head, head]);
        }
    }

    /// Doubles the directory: entry `i` becomes entries `2i` and `2i + 1`.
    /// Whatever of the image the splits have not built is copied now.
    pub(crate) fn double(&mut self) {
        self.extend_image(self.ids.len());
        self.ids = core::mem::take(&mut self.next_ids);
        self.ptrs = core::mem::take(&mut self.next_ptrs);
        self.heads = core::mem::take(&mut self.next_heads);
        self.touched = 0;
    }

    /// Bytes of the directory's arrays, the image built ahead included
    /// (reserved capacity counted as held).
    pub(crate) fn bytes(&self) -> usize {
        let ids = (self.ids.capacity() + self.next_ids.capacity()) * core::mem::size_of::<usize>();
        let ptrs = (self.ptrs.capacity() + self.next_ptrs.capacity())
            * core::mem::size_of::<TablePtr<K, V>>();
        let heads =
            (self.heads.capacity() + self.next_heads.capacity()) * core::mem::size_of::<Head>();
        ids + ptrs + heads
    }

    /// Checks every entry's address and head against `tables`, and the
    /// image built ahead against the directory: `Err` says what differs.
    pub(crate) fn check(&self, tables: &Tables<K, V>) -> Result<(), String> {
        let n = self.len();
        if self.ptrs.len() != n || self.heads.len() != n {
            return Err(format!(
                "{n} ids, {} addresses, {} heads",
                self.ptrs.len(),
                self.heads.len()
            ));
        }
        for i in 0..n {
            let t = self.ids[i];
            if t >= tables.len() {
                return Err(format!(
                    "directory entry {i} names table {t} of {}",
                    tables.len()
                ));
            }
            if self.ptrs[i].addr() != tables.addr(t) {
                return Err(format!("directory entry {i}: not the address of table {t}"));
            }
            if self.heads[i] != tables[t].groups.head() {
                return Err(format!(
                    "directory entry {i}: its head is not table {t}'s groups"
                ));
            }
        }
        let built = self.next_ids.len();
        if self.next_ptrs.len() != built
            || self.next_heads.len() != built
            || built % 2 != 0
            || built > 2 * n
        {
            return Err(format!(
                "image of the next doubling: {built} ids, {} addresses, {} heads for {n} entries",
                self.next_ptrs.len(),
                self.next_heads.len(),
            ));
        }
        for i in 0..self.ready() {
            let same = self.next_ids[2 * i..2 * i + 2] == [self.ids[i]; 2]
                && self.next_ptrs[2 * i..2 * i + 2] == [self.ptrs[i]; 2]
                && self.next_heads[2 * i..2 * i + 2] == [self.heads[i]; 2];
            if !same {
                return Err(format!(
                    "entry {i} differs from its image in the next doubling"
                ));
            }
        }
        Ok(())
    }
}

impl<K, V> core::ops::Deref for Directory<K, V> {
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

    #[test]
    fn doubling_ahead_matches_doubling_at_once() {
        let mut tables: Tables<u64, u64> = (0..4).map(|i| SubTable::new(8, i, 0)).collect();
        let mut d = Directory::new(vec![0, 0, 1, 2], &mut tables);
        // Nothing is built before the image's memory is reserved.
        d.build_ahead();
        assert_eq!(d.ready(), 0);
        let mut steps = 0;
        while !d.prepared() {
            d.prepare_image();
            steps += 1;
        }
        // Three reservations, then one step writes all 8 image entries.
        assert_eq!(steps, 4);
        d.check(&tables).unwrap();
        d.build_ahead();
        assert_eq!(d.ready(), 4);
        d.check(&tables).unwrap();
        // Writes after the image is built reach it.
        d.set(2, 1, 3, &mut tables);
        tables[2] = SubTable::new(16, 2, 0);
        assert!(d.check(&tables).is_err(), "a stale head is caught");
        d.set_heads(3, 1, tables[2].groups.head());
        d.check(&tables).unwrap();
        d.double();
        assert_eq!(d.ids(), &[0, 0, 0, 0, 3, 3, 2, 2]);
        d.check(&tables).unwrap();
        // Nothing built: the doubling copies it all.
        d.double();
        assert_eq!(d.len(), 16);
        assert_eq!(d.ids()[8..10], [3, 3]);
        d.check(&tables).unwrap();
    }
}
