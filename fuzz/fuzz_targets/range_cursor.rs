//! `GoMap::range` cursors stepped between arbitrary writes, two at once,
//! checked against Go's range contract (README, "Ranging while changing the
//! map"):
//!
//! - every entry present from a cursor's creation to its end is yielded
//!   exactly once;
//! - an entry removed before the cursor reaches it is not yielded (whatever
//!   a cursor yields is in the map now, with its current value), and an
//!   inserted one at most once;
//! - never a key that was never in the map.
//!
//! An *entry* is a key's tenure, from the insert that adds it to the remove
//! or clear that ends it: a key removed and inserted again is a new entry,
//! which a range may yield again. `check_invariants()` runs after every op.
#![no_main]

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use arbitrary::{Arbitrary, Unstructured};
use gomap::{GoMap, Range};
use gomap_fuzz::{begin, trace, Constant, FewBits, Good, HasherKind};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Config {
    hasher: HasherKind,
    stress: bool,
    /// Keys `0..initial` are in the map before the first cursor starts.
    initial: u8,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// Steps cursor `c % 2` once (starting it if it is not running).
    Step(u8),
    /// Steps cursor `c % 2` `n` times.
    Steps(u8, u8),
    /// Starts cursor `c % 2` afresh, ending the one it had.
    Restart(u8),
    /// Drops cursor `c % 2` before its end.
    Abandon(u8),
    /// Inserts (or overwrites) key `k % 64`.
    Insert(u8),
    Remove(u8),
    Clear,
    /// Inserts `n` keys never used before (up to [`MAX_LEN`] in the map):
    /// growths mid-range.
    Burst(u8),
    /// Removes every key `k` with `k % (m + 2) == 0`, through `retain`.
    Retain(u8),
    /// `reserve(8 n)`: finishes a growth and doubles at once.
    Reserve(u8),
    Stress(bool),
}

/// `Burst` stops at this many entries: with [`Constant`] every insert
/// walks the whole chain, and bigger maps only make runs slower.
const MAX_LEN: usize = 512;

/// An entry: a key and the number of its tenure.
type EntryId = (u32, u32);

struct Cursor {
    range: Range<u32, u64>,
    /// The entries present when it started.
    start: HashSet<EntryId>,
    yielded: HashSet<EntryId>,
}

struct Run<S> {
    map: GoMap<u32, u64, S>,
    /// Every key's current value.
    model: HashMap<u32, u64>,
    /// Every key's latest tenure (also for keys no longer present).
    tenure: HashMap<u32, u32>,
    /// Every key ever inserted.
    ever: HashSet<u32>,
    /// The next never-used key for `Burst`.
    fresh: u32,
    /// The value the next write stores, so that every write is told apart.
    next_val: u64,
    cursors: [Option<Cursor>; 2],
}

impl<S: BuildHasher + Default> Run<S> {
    fn id(&self, k: u32) -> EntryId {
        (k, self.tenure[&k])
    }

    fn present(&self) -> HashSet<EntryId> {
        self.model.keys().map(|&k| self.id(k)).collect()
    }

    fn insert(&mut self, k: u32) {
        self.next_val += 1;
        let v = self.next_val;
        let added = self.map.insert(k, v).is_none();
        assert_eq!(added, self.model.insert(k, v).is_none(), "insert({k})");
        if added {
            *self.tenure.entry(k).or_insert(0) += 1;
        }
        self.ever.insert(k);
    }

    fn remove(&mut self, k: u32) {
        assert_eq!(self.map.remove(&k), self.model.remove(&k), "remove({k})");
    }

    fn start(&mut self, c: usize) {
        self.cursors[c] = Some(Cursor {
            range: self.map.range(),
            start: self.present(),
            yielded: HashSet::new(),
        });
    }

    /// Steps cursor `c`; at its end, checks that it yielded every entry
    /// present throughout, and retires it.
    fn step(&mut self, c: usize) {
        if self.cursors[c].is_none() {
            self.start(c);
        }
        let cur = self.cursors[c].as_mut().expect("started above");
        match cur.range.next(&self.map) {
            Some((&k, &v)) => {
                assert!(
                    self.ever.contains(&k),
                    "cursor {c} yielded {k}, never in the map"
                );
                assert_eq!(
                    self.model.get(&k),
                    Some(&v),
                    "cursor {c} yielded {k} => {v}, not in the map so"
                );
                let id = (k, self.tenure[&k]);
                assert!(
                    cur.yielded.insert(id),
                    "cursor {c} yielded entry {id:?} twice"
                );
            }
            None => {
                let cur = self.cursors[c].take().expect("stepped above");
                let present = self.present();
                for id in cur.start.intersection(&present) {
                    assert!(
                        cur.yielded.contains(id),
                        "cursor {c} ended without entry {id:?}, present throughout"
                    );
                }
            }
        }
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Step(c) => self.step(usize::from(c % 2)),
            Op::Steps(c, n) => {
                for _ in 0..n {
                    self.step(usize::from(c % 2));
                }
            }
            Op::Restart(c) => self.start(usize::from(c % 2)),
            Op::Abandon(c) => self.cursors[usize::from(c % 2)] = None,
            Op::Insert(k) => self.insert(u32::from(k % 64)),
            Op::Remove(k) => self.remove(u32::from(k % 64)),
            Op::Clear => {
                self.map.clear();
                self.model.clear();
            }
            Op::Burst(n) => {
                for _ in 0..usize::from(n).min(MAX_LEN.saturating_sub(self.model.len())) {
                    self.fresh += 1;
                    self.insert(self.fresh);
                }
            }
            Op::Retain(m) => {
                let gone = |k: &u32| k.is_multiple_of(u32::from(m) + 2);
                self.map.retain(|k, _| !gone(k));
                self.model.retain(|k, _| !gone(k));
            }
            Op::Reserve(n) => self.map.reserve(8 * usize::from(n)),
            Op::Stress(on) => self.map.set_stress_tuning(on),
        }
        self.map.check_invariants();
        assert_eq!(self.map.len(), self.model.len(), "len");
    }
}

fn run<S: BuildHasher + Default>(cfg: &Config, u: &mut Unstructured<'_>) {
    let mut map = GoMap::with_hasher(S::default());
    map.set_stress_tuning(cfg.stress);
    let mut r = Run {
        map,
        model: HashMap::new(),
        tenure: HashMap::new(),
        ever: HashSet::new(),
        fresh: 1 << 16,
        next_val: 0,
        cursors: [None, None],
    };
    for k in 0..u32::from(cfg.initial % 64) {
        r.insert(k);
    }
    for op in u.arbitrary_iter::<Op>().into_iter().flatten() {
        let Ok(op) = op else { break };
        if trace() {
            eprintln!("{op:?}");
        }
        r.apply(&op);
    }
    // Run both cursors to their ends, so every input checks completeness.
    for c in 0..2 {
        while r.cursors[c].is_some() {
            r.step(c);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Some(cfg) = begin::<Config>(&mut u) else {
        return;
    };
    match cfg.hasher {
        HasherKind::Constant => run::<Constant>(&cfg, &mut u),
        HasherKind::FewBits => run::<FewBits>(&cfg, &mut u),
        HasherKind::Good => run::<Good>(&cfg, &mut u),
    }
});
