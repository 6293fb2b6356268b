//! `SyncMap` on one thread against a `HashMap` model: every op, plain and
//! through `pin()` (a pinned handle held across other ops, so its cached
//! read map goes stale through promotions and clears), with
//! `check_invariants()` after each.
#![no_main]

use std::collections::HashMap;
use std::hash::BuildHasher;

use arbitrary::{Arbitrary, Unstructured};
use gomap::SyncMap;
use gomap_fuzz::{begin, trace, Constant, FewBits, Good, HasherKind, Key, KeySpace};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum KeyKind {
    U8,
    Str,
}

#[derive(Arbitrary, Debug)]
struct Config {
    keys: KeyKind,
    space: KeySpace,
    hasher: HasherKind,
}

/// A value to compare with: the key's current one, or this one.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum Old {
    Current,
    Value(u8),
}

#[derive(Arbitrary, Debug)]
enum Op<K> {
    Load(K),
    Store(K, u8),
    LoadOrStore(K, u8),
    LoadAndDelete(K),
    Delete(K),
    Swap(K, u8),
    CompareAndSwap(K, Old, u8),
    CompareAndDelete(K, Old),
    /// `range`, stopping after `n` entries if `Some(n)`.
    Range(Option<u8>),
    Clear,
    Len,
    /// Pins once and runs these ops through the handle (or, for plain ops,
    /// on the map while the handle lives).
    Pin(Vec<PinOp<K>>),
}

#[derive(Arbitrary, Debug)]
enum PinOp<K> {
    Load(K),
    ContainsKey(K),
    Store(K, u8),
    /// A plain op on the map while the handle lives.
    Map(Box<Op<K>>),
}

/// The key's current value, or the given one.
fn old<K: Key>(model: &HashMap<K, u8>, k: &K, old: Old) -> u8 {
    match old {
        Old::Current => model.get(k.q()).copied().unwrap_or(0),
        Old::Value(v) => v,
    }
}

fn check<K: Key, S: BuildHasher + Clone>(map: &SyncMap<K, u8, S>, model: &HashMap<K, u8>) {
    map.check_invariants();
    assert_eq!(map.len(), model.len(), "len");
    assert_eq!(map.is_empty(), model.is_empty(), "is_empty");
}

fn apply<K: Key, S: BuildHasher + Clone>(
    map: &SyncMap<K, u8, S>,
    model: &mut HashMap<K, u8>,
    space: KeySpace,
    op: &Op<u8>,
) {
    match op {
        Op::Load(k) => {
            let k = space.key::<K>(*k);
            assert_eq!(
                map.load(k.q()).map(|r| *r),
                model.get(k.q()).copied(),
                "load({k:?})"
            );
        }
        Op::Store(k, v) => {
            let k = space.key::<K>(*k);
            map.store(k.clone(), *v);
            model.insert(k, *v);
        }
        Op::LoadOrStore(k, v) => {
            let k = space.key::<K>(*k);
            let (got, loaded) = map.load_or_store(k.clone(), *v);
            let want = match model.get(k.q()) {
                Some(&old) => (old, true),
                None => {
                    model.insert(k.clone(), *v);
                    (*v, false)
                }
            };
            assert_eq!((*got, loaded), want, "load_or_store({k:?}, {v})");
        }
        Op::LoadAndDelete(k) => {
            let k = space.key::<K>(*k);
            assert_eq!(
                map.load_and_delete(k.q()).map(|r| *r),
                model.remove(k.q()),
                "load_and_delete({k:?})"
            );
        }
        Op::Delete(k) => {
            let k = space.key::<K>(*k);
            map.delete(k.q());
            model.remove(k.q());
        }
        Op::Swap(k, v) => {
            let k = space.key::<K>(*k);
            assert_eq!(
                map.swap(k.clone(), *v).map(|r| *r),
                model.insert(k.clone(), *v),
                "swap({k:?}, {v})"
            );
        }
        Op::CompareAndSwap(k, o, new) => {
            let k = space.key::<K>(*k);
            let o = old(model, &k, *o);
            let want = model.get(k.q()) == Some(&o);
            if want {
                model.insert(k.clone(), *new);
            }
            assert_eq!(
                map.compare_and_swap(k.q(), &o, *new),
                want,
                "compare_and_swap({k:?}, {o}, {new})"
            );
        }
        Op::CompareAndDelete(k, o) => {
            let k = space.key::<K>(*k);
            let o = old(model, &k, *o);
            let want = model.get(k.q()) == Some(&o);
            if want {
                model.remove(k.q());
            }
            assert_eq!(
                map.compare_and_delete(k.q(), &o),
                want,
                "compare_and_delete({k:?}, {o})"
            );
        }
        Op::Range(stop) => {
            let mut seen: HashMap<K, u8> = HashMap::new();
            map.range(|k, v| {
                assert!(
                    seen.insert(k.clone(), *v).is_none(),
                    "range yielded {k:?} twice"
                );
                stop.is_none_or(|n| seen.len() < usize::from(n).max(1))
            });
            for (k, v) in &seen {
                assert_eq!(model.get(k.q()), Some(v), "range yielded {k:?} => {v}");
            }
            if stop.is_none() {
                assert_eq!(seen.len(), model.len(), "range missed entries");
            }
        }
        Op::Clear => {
            map.clear();
            model.clear();
        }
        Op::Len => assert_eq!(map.len(), model.len(), "len"),
        Op::Pin(ops) => {
            let pinned = map.pin();
            for op in ops {
                match op {
                    PinOp::Load(k) => {
                        let k = space.key::<K>(*k);
                        assert_eq!(pinned.load(k.q()), model.get(k.q()), "pinned load({k:?})");
                    }
                    PinOp::ContainsKey(k) => {
                        let k = space.key::<K>(*k);
                        assert_eq!(
                            pinned.contains_key(k.q()),
                            model.contains_key(k.q()),
                            "pinned contains_key({k:?})"
                        );
                    }
                    PinOp::Store(k, v) => {
                        let k = space.key::<K>(*k);
                        pinned.store(k.clone(), *v);
                        model.insert(k, *v);
                    }
                    PinOp::Map(op) => apply(pinned.map(), model, space, op),
                }
                check(map, model);
            }
        }
    }
}

fn run<K: Key, S: BuildHasher + Clone>(space: KeySpace, hasher: S, u: &mut Unstructured<'_>) {
    let map: SyncMap<K, u8, S> = SyncMap::with_hasher(hasher);
    let mut model = HashMap::new();
    for op in u.arbitrary_iter::<Op<u8>>().into_iter().flatten() {
        let Ok(op) = op else { break };
        if trace() {
            eprintln!("{op:?}");
        }
        apply(&map, &mut model, space, &op);
        check(&map, &model);
    }
    for (k, v) in &model {
        assert_eq!(
            map.load(k.q()).map(|r| *r),
            Some(*v),
            "load({k:?}) at the end"
        );
    }
}

fn with_keys<S: BuildHasher + Clone>(cfg: &Config, hasher: S, u: &mut Unstructured<'_>) {
    match cfg.keys {
        KeyKind::U8 => run::<u8, S>(cfg.space, hasher, u),
        KeyKind::Str => run::<String, S>(cfg.space, hasher, u),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Some(cfg) = begin::<Config>(&mut u) else {
        return;
    };
    match cfg.hasher {
        HasherKind::Constant => with_keys(&cfg, Constant, &mut u),
        HasherKind::FewBits => with_keys(&cfg, FewBits, &mut u),
        HasherKind::Good => with_keys(&cfg, Good::default(), &mut u),
    }
});
