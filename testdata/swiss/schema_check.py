#!/usr/bin/env python3
"""Compare two Swiss-map recordings of the same script record by record.

    schema_check.py REFERENCE.jsonl[.gz] OURS.jsonl[.gz]

Hashes, seeds and the hash key differ between processes, and so do layouts
of keys not aimed by hash; what must not differ is the shape of the stream:
the same records (t, i, line, op) with the same fields in the same order,
and the fields that do not depend on the hash key: the header counters,
get results, keys and values of op records, whether an op drew a new seed,
the `tab` counters of single-table maps, and in aimed scripts (every key
from pick/fill) the tombstone counts and growthLeft. Exit 1 on the first difference.
"""
import gzip
import json
import sys

SAME = ["t", "i", "line", "op", "kt", "hint", "val", "ok", "used", "alloc",
        "dirLen", "globalDepth", "globalShift", "clearSeq", "ntables"]
# Whether a delete leaves a tombstone depends on where keys landed, so
# tombstonePossible and tombstones are compared only in aimed scripts
# (every key from pick/fill), where hash bits fix the layout.
AIMED_ONLY = ["tombstonePossible", "tombstones"]


def records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return [json.loads(line) for line in f]


def main(ref_path, ours_path):
    ref, ours = records(ref_path), records(ours_path)
    if len(ref) != len(ours):
        sys.exit(f"{ours_path}: {len(ours)} records, reference {len(ref)}")
    aimed = False
    all_aimed = all(r.get("op") in (None, "make", "clear") or
                    (isinstance(r["key"], int) and r["key"] >= 1 << 40) for r in ref)
    for n, (a, b) in enumerate(zip(ref, ours), 1):
        where = f"{ours_path}: record {n}"
        if list(a) != list(b):
            sys.exit(f"{where}: fields {list(b)}, reference {list(a)}")
        for k in SAME:
            if k in a and a[k] != b[k] and not (k == "val" and aimed):
                sys.exit(f"{where}: {k} = {b[k]!r}, reference {a[k]!r}")
        for k in AIMED_ONLY:
            if all_aimed and k in a and a[k] != b[k]:
                sys.exit(f"{where}: {k} = {b[k]!r}, reference {a[k]!r} (aimed script)")
        if a["t"] == "op":
            if (a["seed_after"] != a["seed"]) != (b["seed_after"] != b["seed"]):
                sys.exit(f"{where}: drew a new seed in one stream only")
            ta, tb = dict(a.get("tab", {})), dict(b.get("tab", {}))
            if not all_aimed:
                ta.pop("growthLeft", None), tb.pop("growthLeft", None)
            if "tab" in a and a["ntables"] == 1 and ta != tb:
                sys.exit(f"{where}: tab {b['tab']}, reference {a['tab']}")
            if "key" not in a:
                pass
            elif isinstance(a["key"], int) and a["key"] >= 1 << 40:
                aimed = True  # fresh keys from pick/fill differ by seed
            elif a["key"] != b["key"] and not (
                    isinstance(a["key"], str) and a["key"].startswith("#")):
                sys.exit(f"{where}: key {b['key']!r}, reference {a['key']!r}")
        if "tables" in a:
            for ta, tb in zip(a["tables"], b["tables"]):
                if list(ta) != list(tb):
                    sys.exit(f"{where}: table fields differ")
                if len(a["tables"]) == 1:
                    for k in ("used", "capacity", "localDepth", "index", "lengthMask") + (
                            ("growthLeft",) if all_aimed else ()):
                        if ta[k] != tb[k]:
                            sys.exit(f"{where}: table {k} = {tb[k]}, reference {ta[k]}")
        for g in ("small",):
            if g in a and list(a[g]) != list(b[g]):
                sys.exit(f"{where}: {g} fields differ")
    print(f"{ours_path}: {len(ours)} records match {ref_path} in shape")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
