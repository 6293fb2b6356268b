//! The JSON the page reads: a layout window with per-cell summaries, the
//! last op's detail, the range cursor's log, and events.

#![forbid(unsafe_code)]

use gomap::events::{Event, GrowKind, OverflowSource, ReseedCause};
use gomap::{BucketOrigin, BucketView, Layout};

use crate::json::Json;
use crate::probe::{evacuated, top_hash};
use crate::swiss::{dir_index, h2, swiss_probe_json};
use crate::{hash_of, Detail, ExKey, Key, Logged, RangeLog, SwissDetail, Then};

/// A key's full hash under `hash0`, as 16 hex digits.
fn hash_text<K: ExKey>(hash0: u32, k: &K) -> String {
    let hash = match k.to_key() {
        Key::U64(n) => hash_of(hash0, &n),
        Key::Str(s) => hash_of(hash0, &*s),
    };
    format!("{hash:016x}")
}

fn origin(at: BucketOrigin) -> String {
    match at {
        BucketOrigin::Main => "main".to_owned(),
        BucketOrigin::Pool(i) => format!("pool:{i}"),
        BucketOrigin::Heap => "heap".to_owned(),
    }
}

fn chain_json<K: ExKey>(j: &mut Json, chain: &[BucketView<'_, K, u64>], hash0: u32) {
    j.arr();
    for b in chain {
        j.obj().key("at").str(&origin(b.at)).key("top").arr();
        for t in b.top {
            j.uint(u64::from(t));
        }
        j.end_arr().key("k").arr();
        for k in b.keys {
            match k {
                Some(k) => j.str(&k.to_key().to_string()),
                None => j.null(),
            };
        }
        j.end_arr().key("v").arr();
        for v in b.vals {
            match v {
                Some(v) => j.str(&v.to_string()),
                None => j.null(),
            };
        }
        j.end_arr().key("h").arr();
        for k in b.keys {
            match k {
                Some(k) => j.str(&hash_text(hash0, k)),
                None => j.null(),
            };
        }
        j.end_arr().end_obj();
    }
    j.end_arr();
}

/// Per-cell summary of an array: entries and overflow buckets of each run
/// of `per` buckets, and evacuated buckets (old array).
fn heat_json<K, V>(j: &mut Json, chains: &[Vec<BucketView<'_, K, V>>], cells: usize) {
    let cells = cells.clamp(1, 4096);
    let per = chains.len().div_ceil(cells).max(1);
    j.obj().key("per").uint(per as u64);
    let mut entries = Vec::new();
    let mut overflow = Vec::new();
    let mut evac = Vec::new();
    for group in chains.chunks(per) {
        let mut n = 0;
        let mut o = 0;
        let mut e = 0;
        for c in group {
            n += c
                .iter()
                .map(|b| b.top.iter().filter(|&&t| t >= 5).count())
                .sum::<usize>();
            o += c.len() - 1;
            e += usize::from(evacuated(c));
        }
        entries.push(n);
        overflow.push(o);
        evac.push(e);
    }
    for (name, v) in [
        ("entries", entries),
        ("overflow", overflow),
        ("evacuated", evac),
    ] {
        j.key(name).arr();
        for x in v {
            j.uint(x as u64);
        }
        j.end_arr();
    }
    j.end_obj();
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn layout_json<K: ExKey>(
    j: &mut Json,
    l: &Layout<'_, K, u64>,
    first: usize,
    count: usize,
    old_first: usize,
    old_count: usize,
    cells: usize,
    hash0: u32,
) {
    let h = l.header;
    j.key("h").obj();
    j.key("count").uint(h.count as u64);
    j.key("flags").uint(u64::from(h.flags));
    j.key("B").uint(u64::from(h.b));
    j.key("noverflow").uint(u64::from(h.noverflow));
    j.key("hash0").uint(u64::from(h.hash0));
    j.key("nevacuate").uint(h.nevacuate as u64);
    j.key("growing").bool(h.growing);
    j.key("same_size")
        .bool(h.flags & gomap::Header::SAME_SIZE_GROW != 0);
    j.end_obj();
    j.key("bucket_size").uint(l.bucket_size as u64);
    j.key("arr_len").uint(l.arr_len as u64);
    j.key("pool");
    match l.pool {
        Some(p) => {
            j.obj().key("next");
            match p.next_overflow {
                Some(n) => j.uint(n as u64),
                None => j.null(),
            };
            j.key("free").uint(p.pre_free as u64).end_obj()
        }
        None => j.null(),
    };
    let ovf_pool = l
        .buckets
        .iter()
        .flatten()
        .filter(|b| matches!(b.at, BucketOrigin::Pool(_)))
        .count();
    let ovf_heap = l
        .buckets
        .iter()
        .flatten()
        .filter(|b| b.at == BucketOrigin::Heap)
        .count();
    j.key("overflow")
        .obj()
        .key("pool")
        .uint(ovf_pool as u64)
        .key("heap")
        .uint(ovf_heap as u64)
        .end_obj();
    j.key("nb").uint(l.buckets.len() as u64);
    j.key("first").uint(first.min(l.buckets.len()) as u64);
    j.key("buckets").arr();
    for c in l.buckets.iter().skip(first).take(count) {
        chain_json(j, c, hash0);
    }
    j.end_arr();
    j.key("heat");
    heat_json(j, &l.buckets, cells);
    match &l.old {
        Some(old) => {
            j.key("onb").uint(old.len() as u64);
            j.key("ofirst").uint(old_first.min(old.len()) as u64);
            j.key("old").arr();
            for c in old.iter().skip(old_first).take(old_count) {
                chain_json(j, c, hash0);
            }
            j.end_arr();
            j.key("oheat");
            heat_json(j, old, cells);
        }
        None => {
            j.key("onb").uint(0);
            j.key("old").null();
        }
    }
}

fn key_json(j: &mut Json, k: &Key) {
    j.str(&k.to_string());
}

/// The fields of a detail both generations write.
fn detail_head<P, C>(j: &mut Json, d: &Detail<P, C>) {
    j.obj();
    j.key("index").uint(d.index as u64);
    j.key("op").str(&d.op);
    j.key("result").str(&d.result);
}

/// The Swiss map's detail: the key's hash with its directory entry (top
/// `globalDepth` bits) and H2 (low 7 bits), the changed `[row, slot]`s and
/// the probe.
pub(crate) fn swiss_detail_json(j: &mut Json, d: &SwissDetail) {
    detail_head(j, d);
    j.key("key");
    match &d.key {
        Some((k, hash, gd)) => {
            j.obj();
            j.key("k");
            key_json(j, k);
            j.key("hash").str(&format!("{hash:016x}"));
            j.key("global_depth").uint(u64::from(*gd));
            j.key("dir").uint(dir_index(*hash, *gd) as u64);
            j.key("h2").uint(u64::from(h2(*hash)));
            j.end_obj()
        }
        None => j.null(),
    };
    j.key("changed").arr();
    for [row, slot] in &d.changed {
        j.arr().uint(*row as u64).uint(*slot as u64).end_arr();
    }
    j.end_arr();
    j.key("probe");
    match &d.probe {
        Some(p) => swiss_probe_json(j, p),
        None => {
            j.null();
        }
    }
    j.end_obj();
}

pub(crate) fn detail_json(j: &mut Json, d: &Detail) {
    detail_head(j, d);
    j.key("key");
    match &d.key {
        Some((k, hash, b)) => {
            j.obj();
            j.key("k");
            key_json(j, k);
            j.key("hash").str(&format!("{hash:016x}"));
            j.key("B").uint(u64::from(*b));
            j.key("bucket").uint(hash & ((1u64 << b) - 1));
            j.key("top").uint(u64::from(top_hash(*hash)));
            j.end_obj()
        }
        None => j.null(),
    };
    j.key("changed").arr();
    for c in &d.changed {
        j.arr();
        for x in c {
            j.uint(*x as u64);
        }
        j.end_arr();
    }
    j.end_arr();
    j.key("probe");
    match &d.probe {
        Some(p) => {
            j.obj();
            j.key("old")
                .bool(p.old)
                .key("bucket")
                .uint(p.bucket as u64)
                .key("stop")
                .str(p.stop);
            j.key("slots").arr();
            for s in &p.slots {
                j.arr()
                    .uint(s.link as u64)
                    .uint(s.slot as u64)
                    .uint(u64::from(s.top))
                    .bool(s.compared)
                    .bool(s.found)
                    .end_arr();
            }
            j.end_arr().end_obj()
        }
        None => j.null(),
    };
    j.end_obj();
}

pub(crate) fn range_json(j: &mut Json, r: &RangeLog) {
    j.obj();
    j.key("n").uint(u64::from(r.n));
    j.key("present_at_start").uint(r.present_at_start as u64);
    j.key("done").bool(r.done);
    j.key("yielded").arr();
    for (k, v, then) in &r.yielded {
        j.arr();
        key_json(j, k);
        j.str(&v.to_string());
        j.str(match then {
            Then::Nothing => "",
            Then::Delete => "deleted",
            Then::Insert => "inserted",
        });
        j.end_arr();
    }
    j.end_arr();
    for (name, keys) in [("deleted", &r.deleted), ("inserted", &r.inserted)] {
        j.key(name).arr();
        for k in keys {
            key_json(j, k);
        }
        j.end_arr();
    }
    j.end_obj();
}

fn reseed_cause(c: ReseedCause) -> &'static str {
    match c {
        ReseedCause::DeleteToEmpty => "delete-to-empty",
        ReseedCause::Clear => "clear",
    }
}

fn kind(k: GrowKind) -> &'static str {
    k.as_str()
}

pub(crate) fn event_json(j: &mut Json, l: &Logged) {
    j.obj();
    j.key("op");
    match l.op {
        Some(i) => j.uint(i as u64),
        None => j.null(),
    };
    j.key("name").str(l.event.name());
    match &l.event {
        Event::Make { hint, b } => {
            j.key("hint")
                .uint(*hint as u64)
                .key("B")
                .uint(u64::from(*b));
        }
        Event::GrowStart {
            kind: k,
            old_b,
            new_b,
            count,
            noverflow,
        } => {
            j.key("kind")
                .str(kind(*k))
                .key("old_B")
                .uint(u64::from(*old_b));
            j.key("new_B")
                .uint(u64::from(*new_b))
                .key("count")
                .uint(*count as u64);
            j.key("noverflow").uint(u64::from(*noverflow));
        }
        Event::Evacuate {
            old_bucket,
            to_x,
            to_y,
        } => {
            j.key("old_bucket").uint(*old_bucket as u64);
            j.key("to_x")
                .uint(*to_x as u64)
                .key("to_y")
                .uint(*to_y as u64);
        }
        Event::GrowDone { kind: k, b, writes } => {
            j.key("kind").str(kind(*k)).key("B").uint(u64::from(*b));
            j.key("writes").uint(*writes as u64);
        }
        Event::OverflowTaken {
            bucket,
            source,
            by_evacuation,
        } => {
            j.key("bucket").uint(*bucket as u64);
            j.key("from").str(&match source {
                OverflowSource::Pool(i) => format!("pool:{i}"),
                OverflowSource::Heap => "heap".to_owned(),
            });
            j.key("by_evacuation").bool(*by_evacuation);
        }
        Event::SlotReused { bucket, link, slot } => {
            j.key("bucket").uint(*bucket as u64);
            j.key("link")
                .uint(*link as u64)
                .key("slot")
                .uint(*slot as u64);
        }
        Event::Reseed { cause, hash0 } => {
            j.key("cause").str(reseed_cause(*cause));
            j.key("hash0").uint(u64::from(*hash0));
        }
        Event::Clear { count, b } => {
            j.key("count")
                .uint(*count as u64)
                .key("B")
                .uint(u64::from(*b));
        }
        Event::SwissMake {
            hint,
            dir_len,
            capacity,
        } => {
            j.key("hint").uint(*hint as u64);
            j.key("dir_len").uint(*dir_len as u64);
            j.key("capacity").uint(*capacity as u64);
        }
        Event::SwissGrow {
            index,
            old_capacity,
            new_capacity,
            used,
            local_depth,
        } => {
            j.key("index").uint(*index as u64);
            j.key("old_capacity").uint(*old_capacity as u64);
            j.key("new_capacity").uint(*new_capacity as u64);
            j.key("used").uint(*used as u64);
            j.key("local_depth").uint(u64::from(*local_depth));
        }
        Event::SwissSplit {
            index,
            local_depth,
            left_used,
            right_used,
        } => {
            j.key("index").uint(*index as u64);
            j.key("local_depth").uint(u64::from(*local_depth));
            j.key("left_used").uint(*left_used as u64);
            j.key("right_used").uint(*right_used as u64);
        }
        Event::SwissDirectoryDouble {
            old_global_depth,
            global_depth,
            dir_len,
        } => {
            j.key("old_global_depth").uint(u64::from(*old_global_depth));
            j.key("global_depth").uint(u64::from(*global_depth));
            j.key("dir_len").uint(*dir_len as u64);
        }
        Event::SwissPrune {
            index,
            capacity,
            tombstones,
            pruned,
        } => {
            j.key("index").uint(*index as u64);
            j.key("capacity").uint(*capacity as u64);
            j.key("tombstones").uint(*tombstones as u64);
            j.key("pruned").uint(*pruned as u64);
        }
        Event::SwissClear {
            count,
            ntables,
            clear_seq,
        } => {
            j.key("count").uint(*count as u64);
            j.key("ntables").uint(*ntables as u64);
            j.key("clear_seq").uint(*clear_seq);
        }
        Event::SwissReseed { cause, seed } => {
            j.key("cause").str(reseed_cause(*cause));
            j.key("seed").str(&format!("{seed:016x}"));
        }
        other => {
            j.key("debug").str(&format!("{other:?}"));
        }
    }
    j.end_obj();
}
