#!/usr/bin/env python3
"""Independent check of oracle recordings against a model written from
FACTS.md (not from Go's source): replays every op record with the recorded
hashes and seeds and compares headers, lookups and dumps as PROTOCOL.md says a
replay must (plus the GC bookkeeping counts in `extra`).

    model_check.py [--load-factor-num N] FILE.jsonl[.gz]...

--load-factor-num N models a load factor of N/2 instead of FACTS.md's 13/2:
Go 1.21's runtime grows at 12/2 (see oracle/README.md, "Versions"), and
`--load-factor-num 12` shows its recordings differ from Go 1.19's in nothing
else. Exit status 1 on the first mismatch. Slow but simple; it exists to validate
the oracle and FACTS.md, not to replace the project's replayer.
"""
import gzip
import json
import sys

EMPTY_REST, EMPTY_ONE, EVAC_X, EVAC_Y, EVAC_EMPTY, MIN_TOP = 0, 1, 2, 3, 4, 5
CLASSES = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
           288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
           1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
           6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432,
           19072, 20480, 21760, 24576, 27264, 28672, 32768]


def alloc_size(n):
    if n < 32768:
        return next(c for c in CLASSES if c >= n)
    return (n + 8191) // 8192 * 8192


def array_len(b, bs):
    n = 1 << b
    if b < 4:
        return n
    return alloc_size((n + (1 << (b - 4))) * bs) // bs


# The load factor times 2 (FACTS.md: 13); set by --load-factor-num.
LOAD_FACTOR_NUM = 13


def over_load(count, b):
    return count > 8 and count > LOAD_FACTOR_NUM * ((1 << b) // 2)


def tophash(h):
    t = h >> 56
    return t + MIN_TOP if t < MIN_TOP else t


class Mismatch(Exception):
    pass


class Bucket:
    __slots__ = ("top", "keys", "vals", "ovf", "at")

    def __init__(self, at):
        self.top = [0] * 8
        self.keys = [None] * 8
        self.vals = [None] * 8
        self.ovf = None
        self.at = at


class Array:
    def __init__(self, b, bs):
        self.n = 1 << b
        self.alloc = array_len(b, bs)
        self.main = [Bucket("main") for _ in range(self.n)]
        self.next = self.n if self.alloc > self.n else None  # next free pool index


class Model:
    def __init__(self, kt, hint, hash0, hashes):
        self.kt = kt
        self.bs = 144 if kt == "u64" else 208
        self.ptrs = kt == "str"
        if hint * self.bs > 1 << 48:
            hint = 0
        b = 0
        while over_load(hint, b):
            b += 1
        self.B = b
        self.count = 0
        self.flags = 0
        self.noverflow = 0
        self.hash0 = hash0
        self.nevacuate = 0
        self.buckets = Array(b, self.bs) if b > 0 else None
        self.old = None
        self.hashes = hashes
        # extra: None or dict(overflow=None|int, oldoverflow=None|int)
        self.extra = None
        if self.buckets is not None and self.buckets.next is not None:
            self.extra = {"overflow": None, "oldoverflow": None}

    def h(self, key):
        return self.hashes[(self.hash0, json.dumps(key))]

    def growing(self):
        return self.old is not None

    def old_nbuckets(self):
        return self.old.n

    # --- overflow buckets
    def new_overflow(self, arr, b):
        if arr.next is not None:
            idx = arr.next
            ovf = Bucket(f"pre:{idx}")
            arr.next = None if idx == arr.alloc - 1 else idx + 1
        else:
            ovf = Bucket("heap")
        self.noverflow += 1
        if not self.ptrs:
            if self.extra is None:
                self.extra = {"overflow": None, "oldoverflow": None}
            self.extra["overflow"] = (self.extra["overflow"] or 0) + 1
        b.ovf = ovf
        return ovf

    # --- growth
    def hash_grow(self):
        bigger = 1
        if not over_load(self.count + 1, self.B):
            bigger = 0
            self.flags |= 8
        self.old = self.buckets
        self.buckets = Array(self.B + bigger, self.bs)
        self.B += bigger
        self.nevacuate = 0
        self.noverflow = 0
        if self.extra is not None and self.extra["overflow"] is not None:
            self.extra["oldoverflow"] = self.extra["overflow"]
            self.extra["overflow"] = None
        if self.buckets.next is not None and self.extra is None:
            self.extra = {"overflow": None, "oldoverflow": None}

    def evacuated(self, b):
        return EVAC_X <= b.top[0] <= EVAC_EMPTY

    def evacuate(self, ob):
        newbit = self.old.n
        b0 = self.old.main[ob]
        if not self.evacuated(b0):
            same = self.flags & 8
            dst = [[self.buckets.main[ob], 0], None]
            if not same:
                dst[1] = [self.buckets.main[ob + newbit], 0]
            b = b0
            while b is not None:
                for i in range(8):
                    top = b.top[i]
                    if top <= EMPTY_ONE:
                        b.top[i] = EVAC_EMPTY
                        continue
                    if top < MIN_TOP:
                        raise Mismatch(f"bad evacuation state {top}")
                    y = 0
                    if not same and self.h(b.keys[i]) & newbit:
                        y = 1
                    b.top[i] = EVAC_X + y
                    d = dst[y]
                    if d[1] == 8:
                        d[0] = self.new_overflow(self.buckets, d[0])
                        d[1] = 0
                    d[0].top[d[1]] = top
                    d[0].keys[d[1]] = b.keys[i]
                    d[0].vals[d[1]] = b.vals[i]
                    d[1] += 1
                b = b.ovf
            if self.ptrs:
                # keys, values and the overflow link of the main bucket cleared
                b0.keys = [None] * 8
                b0.vals = [None] * 8
                b0.ovf = None
        if ob == self.nevacuate:
            self.nevacuate += 1
            stop = min(self.nevacuate + 1024, newbit)
            while self.nevacuate != stop and self.evacuated(self.old.main[self.nevacuate]):
                self.nevacuate += 1
            if self.nevacuate == newbit:
                self.old = None
                if self.extra is not None:
                    self.extra["oldoverflow"] = None
                self.flags &= ~8

    def grow_work(self, bucket):
        omask = self.old.n - 1
        self.evacuate(bucket & omask)
        if self.growing():
            self.evacuate(self.nevacuate)

    # --- ops
    def put(self, key, val):
        hv = self.h(key)
        if self.buckets is None:
            self.buckets = Array(0, self.bs)
        while True:
            mask = (1 << self.B) - 1
            bucket = hv & mask
            if self.growing():
                self.grow_work(bucket)
            b = self.buckets.main[bucket]
            top = tophash(hv)
            ins = None
            done = False
            last = b
            while b is not None and not done:
                last = b
                for i in range(8):
                    if b.top[i] != top:
                        if b.top[i] <= EMPTY_ONE and ins is None:
                            ins = (b, i)
                        if b.top[i] == EMPTY_REST:
                            done = True
                            break
                        continue
                    if b.keys[i] == key:
                        b.vals[i] = val
                        return
                if not done:
                    b = b.ovf
            if not self.growing() and (over_load(self.count + 1, self.B) or
                                       self.noverflow >= 1 << min(self.B, 15)):
                self.hash_grow()
                continue
            if ins is None:
                # walk to the chain's end
                while last.ovf is not None:
                    last = last.ovf
                nb = self.new_overflow(self.buckets, last)
                ins = (nb, 0)
            bb, i = ins
            bb.top[i] = top
            bb.keys[i] = key
            bb.vals[i] = val
            self.count += 1
            return

    def delete(self, key, new_seed):
        if self.count == 0:
            return
        hv = self.h(key)
        bucket = hv & ((1 << self.B) - 1)
        if self.growing():
            self.grow_work(bucket)
        b0 = b = self.buckets.main[bucket]
        top = tophash(hv)
        while b is not None:
            for i in range(8):
                if b.top[i] != top:
                    if b.top[i] == EMPTY_REST:
                        return
                    continue
                if b.keys[i] != key:
                    continue
                b.keys[i] = None
                b.vals[i] = None
                b.top[i] = EMPTY_ONE
                if i == 7:
                    rest = b.ovf is None or b.ovf.top[0] == EMPTY_REST
                else:
                    rest = b.top[i + 1] == EMPTY_REST
                if rest:
                    while True:
                        b.top[i] = EMPTY_REST
                        if i == 0:
                            if b is b0:
                                break
                            c = b0
                            while c.ovf is not b:
                                c = c.ovf
                            b, i = c, 7
                        else:
                            i -= 1
                        if b.top[i] != EMPTY_ONE:
                            break
                self.count -= 1
                if self.count == 0:
                    self.hash0 = new_seed
                return
            b = b.ovf

    def get(self, key):
        hv = self.h(key)
        mask = (1 << self.B) - 1
        if self.buckets is None:
            return 0, False
        b = self.buckets.main[hv & mask]
        if self.growing():
            om = self.old.n - 1
            ob = self.old.main[hv & om]
            if not self.evacuated(ob):
                b = ob
        top = tophash(hv)
        while b is not None:
            for i in range(8):
                if b.top[i] == top and b.keys[i] == key:
                    return b.vals[i], True
            b = b.ovf
        return 0, False

    def clear(self, new_seed):
        if self.count == 0:
            return
        self.flags &= ~8
        self.old = None
        self.nevacuate = 0
        self.noverflow = 0
        self.count = 0
        self.hash0 = new_seed
        if self.extra is not None:
            self.extra = {"overflow": None, "oldoverflow": None}
        self.buckets = Array(self.B, self.bs)

    # --- comparison
    def header(self):
        return {"count": self.count, "flags": self.flags, "B": self.B, "noverflow": self.noverflow,
                "hash0": self.hash0, "nevacuate": self.nevacuate, "growing": self.growing()}

    def chains(self, arr):
        out = []
        for b in arr.main:
            ch = []
            while b is not None:
                ch.append({"at": b.at, "top": list(b.top),
                           "keys": [b.keys[i] if b.top[i] >= MIN_TOP else None for i in range(8)],
                           "vals": [b.vals[i] if b.top[i] >= MIN_TOP else None for i in range(8)]})
                b = b.ovf
            out.append(ch)
        return out

    def extra_view(self):
        if self.extra is None:
            return None
        nxt = self.buckets.next if self.buckets is not None else None
        return {"overflow": self.extra["overflow"], "oldoverflow": self.extra["oldoverflow"],
                "next_overflow": nxt, "pre_free": 0 if nxt is None else self.buckets.alloc - nxt}


def fail(path, rec, msg):
    raise Mismatch(f"{path}: record i={rec['i']} line={rec.get('line')}: {msg}")


def check(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        recs = [json.loads(l) for l in f]
    # The optional first record (oracle/README.md, "The hashkey record")
    # carries the process's hash key; this model takes hashes as recorded.
    recs = [r for r in recs if r["t"] != "hashkey"]
    hashes = {}
    for r in recs:
        if r["t"] == "op" and "hash" in r:
            k = (r["seed"], json.dumps(r["key"]))
            if hashes.setdefault(k, r["hash"]) != r["hash"]:
                fail(path, r, "two hashes for one (seed, key)")
    m = None
    stats = {"ops": 0, "dumps": 0}
    for r in recs:
        if r["t"] == "op":
            stats["ops"] += 1
            op = r["op"]
            if op == "make":
                m = Model(r["kt"], r["hint"], r["hash0"], hashes)
            else:
                if r["seed"] != m.hash0:
                    fail(path, r, f"seed {r['seed']} != model hash0 {m.hash0}")
                if op == "put":
                    m.put(r["key"], r["val"])
                elif op == "del":
                    m.delete(r["key"], r["hash0"])
                elif op == "get":
                    v, ok = m.get(r["key"])
                    if (v, ok) != (r["val"], r["ok"]):
                        fail(path, r, f"get gave {(v, ok)}, recorded {(r['val'], r['ok'])}")
                elif op == "clear":
                    m.clear(r["hash0"])
            hd = m.header()
            for k, v in hd.items():
                if k == "noverflow" and m.B >= 16:
                    continue
                if r[k] != v:
                    fail(path, r, f"{k}: recorded {r[k]}, model {v}")
        else:
            stats["dumps"] += 1
            hd = m.header()
            for k, v in hd.items():
                if k != "growing" and r[k] != v:
                    fail(path, r, f"{r['t']} {k}: recorded {r[k]}, model {v}")
            if (r["oldbuckets"] is not None) != m.growing():
                fail(path, r, "growing differs")
            alen = 0 if m.buckets is None else m.buckets.alloc
            if r["arr_len"] != alen:
                fail(path, r, f"arr_len recorded {r['arr_len']}, model {alen}")
            if r["extra"] != m.extra_view():
                fail(path, r, f"extra recorded {r['extra']}, model {m.extra_view()}")
            if r["t"] != "dump":
                continue
            want = m.chains(m.buckets) if m.buckets is not None else []
            if r["arr"] != want:
                for j, (x, y) in enumerate(zip(r["arr"], want)):
                    if x != y:
                        fail(path, r, f"arr[{j}] recorded {x}\n model {y}")
                fail(path, r, "arr length differs")
            if m.growing():
                wold = m.chains(m.old)
                for j, (x, y) in enumerate(zip(r["old"], wold)):
                    if m.evacuated(m.old.main[j]):
                        if x[0]["top"] != y[0]["top"]:
                            fail(path, r, f"old[{j}] (evacuated) top recorded {x[0]['top']}, model {y[0]['top']}")
                        if not m.ptrs and x != y:
                            fail(path, r, f"old[{j}] (evacuated, u64) recorded {x}\n model {y}")
                    elif x != y:
                        fail(path, r, f"old[{j}] recorded {x}\n model {y}")
                if len(r["old"]) != len(wold):
                    fail(path, r, "old length differs")
            elif "old" in r:
                fail(path, r, "old present but model not growing")
    return stats


def main():
    global LOAD_FACTOR_NUM
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "--load-factor-num":
        LOAD_FACTOR_NUM = int(args[1])
        args = args[2:]
    bad = 0
    for p in args:
        try:
            s = check(p)
            print(f"ok   {p}: {s['ops']} ops, {s['dumps']} dump/hdr records")
        except Mismatch as e:
            print(f"FAIL {e}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
