#!/usr/bin/env python3
"""Writes the Swiss-map oracle's case scripts in cases/ (run from anywhere).

The scripts are committed; this generator only saves typing and makes the
pseudo-random ones reproducible (splitmix64 with fixed seeds). Every script
is an op script for oracle/swiss (SWISS-PROTOCOL.md "Input"); its comments
say what each part exercises. Re-running it rewrites the scripts identically.

Dumps sit at the interesting points only (a dump of a map with several
1024-slot tables is ~40 KB per table); `hdr` (header, directory and table
counters) is cheap and frequent.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
TOP = 1 << 63  # the hash bit that picks the directory half


def write(name, lines):
    with open(os.path.join(CASES, name + ".txt"), "w") as f:
        f.write("\n".join(lines).lstrip("\n") + "\n")


class SplitMix64:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


# Key counts at which make(map, 0) changes shape (SWISS-FACTS.md): the 9th
# key leaves the small map, then each table doubles at 15, 29, 57, 113, 225,
# 449 keys, and the 897th splits the 1024-slot table.
STEPS = [8, 9, 14, 15, 28, 29, 56, 57, 112, 113, 224, 225, 448, 449, 896, 897]


def growth(kt, last, dump_upto, every):
    """seq keys 1..last with a dump (small shapes) or hdr at every step and
    an hdr every `every` keys after the first split."""
    out = [f"# growth of make({kt}, 0) to {last} keys: small map, table doublings,",
           "# the first splits and directory doublings", f"make {kt} u64 0"]
    at = 0
    marks = sorted(set(STEPS + list(range(897 + every, last + 1, every)) + [last]))
    for m in marks:
        if m > last:
            break
        out.append(f"seq {at + 1} {m}")
        out.append("dump" if m <= dump_upto or m == 897 else "hdr")
        at = m
    return out


def local_split(kt):
    # After the first split (dir 2: left = hash top bit 0, right = top bit 1,
    # both localDepth 1), fill only the left half: its split doubles the
    # directory to 4 (left halves localDepth 2, right still 1). Then fill the
    # right half: its split rewrites its two entries without doubling.
    out = [f"# a split without directory doubling (c_local_split), {kt} keys",
           f"make {kt} u64 0", "seq 1 897", "dump"]
    for half, value in (("left", 0), ("right", TOP)):
        out.append(f"# fill the {half} half (hash bit 63 = {value >> 63}) until it splits")
        for _ in range(26):
            out.append(f"fill 20 {TOP:#x} {value:#x}")
            out.append("hdr")
        out.append("dump")
    return out


def key_text(kt, n):
    if kt == "u64":
        return str(n)
    # short words, 16-byte and longer-than-48-byte keys: every string branch
    if n % 3 == 1:
        return f"k{n}"
    if n % 3 == 2:
        return f"churn/key/{n:06d}"
    return f"churn/key/{n}/padding-to-pass-forty-eight-bytes-of-text"


def churn(kt, rng, ops, keyspace, weights, hdr_every, dump_every, first=0):
    put, dele, get = weights
    out = []
    for n in range(1, ops + 1):
        r = rng.below(put + dele + get)
        k = key_text(kt, first + rng.below(keyspace))
        if r < put:
            out.append(f"put {k} {rng.next()}")
        elif r < put + dele:
            out.append(f"del {k}")
        else:
            out.append(f"get {k}")
        if dump_every and n % dump_every == 0:
            out.append("dump")
        elif hdr_every and n % hdr_every == 0:
            out.append("hdr")
    return out


def delete_churn():
    rng = SplitMix64(14)
    out = ["# delete-heavy churn: tombstones in full groups, pruning before growth",
           "# a 16/32-slot table, key space 24, deletes as often as puts",
           "make u64 u64 0", "seq 1 14", "dump"]
    out += churn("u64", rng, 1500, 24, (45, 45, 10), 10, 150, first=1)
    out += ["# a 128-slot table (hint 100), key space 130",
            "make u64 u64 100", "seq 1 100", "dump"]
    out += churn("u64", rng, 4000, 130, (48, 44, 8), 25, 500, first=1)
    out += ["# aimed: fill one 16-slot table's group 0, delete from it, refill",
            "make u64 u64 0", "fill 8 0x80 0", "fill 6 0x80 0x80", "dump"]
    for _ in range(4):
        out += ["pick @t 0x80 0", "put @t 1", "del @t", "hdr"]
    out += ["fill 2 0x80 0x80", "dump"]
    out += ["# str keys, key space 40", "make str u64 0"]
    out += churn("str", rng, 2000, 40, (45, 45, 10), 20, 400)
    out.append("dump")
    return out


def reseed():
    out = ["# emptying a map draws a new seed; a delete on an empty map does not",
           "make u64 u64 0", "seq 1 6", "hdr"]
    out += [f"del {k}" for k in range(1, 7)] + ["dump", "del 3", "hdr", "seq 1 40", "hdr"]
    out += [f"del {k}" for k in range(40, 0, -1)] + ["dump", "del 1", "clear", "hdr", "seq 100 120", "dump"]
    out += ["# a map of several tables emptied key by key", "make u64 u64 0", "seq 1 2000", "hdr"]
    out += [f"del {k}" for k in range(1, 2001)] + ["hdr", "seq 1 10", "hdr"]
    out += ["# str keys", "make str u64 0", "put a 1", "put b 2", "del a", "del b", "dump",
            "put a 3", "put b 4", "put c 5"] + [f"put s{k} {k}" for k in range(20)] + ["hdr"]
    out += ["del a", "del b", "del c"] + [f"del s{k}" for k in range(20)] + ["dump", 'del ""', "hdr"]
    return out


def clear_large():
    out = ["# clear of a large map: tables and directory kept, reset to empty",
           "make u64 u64 0", "seq 1 5000", "hdr", "clear", "hdr", "get 17", "seq 1 300", "hdr",
           "clear", "clear", "hdr",
           "# tombstones only: a 16-slot table whose deletes left tombstones, then clear",
           "make u64 u64 0", "fill 8 0x80 0", "fill 6 0x80 0x80", "dump"]
    out += ["pick @a 0x80 0", "put @a 1", "del @a", "dump", "clear", "dump", "clear", "hdr",
            "# str keys", "make str u64 0", "seq 1 3000", "hdr", "clear", "dump", "seq 1 20", "hdr"]
    return out


def hints():
    out = ["# make(map, hint) at the edges, filled to the hint and one key past it"]
    for kt in ("u64", "str"):
        for h in (8, 9, 896, 897, 1024, 10000):
            out += [f"make {kt} u64 {h}", "hdr" if h > 100 else "dump"]
            if h >= 896:
                out += [f"seq 1 {h // 2}", "hdr"]
                out += [f"seq {h // 2 + 1} {h}", "hdr", f"put {key_text(kt, h + 1) if kt == 'u64' else 'extra'} 1", "hdr"]
            else:
                out += [f"seq 1 {h}", "dump", f"put {h + 1} 1" if kt == "u64" else "put extra 1", "dump"]
    return out


def churn_60k(kt):
    rng = SplitMix64(60_000 + (kt == "str"))
    out = [f"# 60,000 random ops on {kt} keys (put 50, del 35, get 15) over 6,000 keys,",
           "# after filling 3,000 with seq", f"make {kt} u64 0", "seq 1 3000", "hdr"]
    out += churn(kt, rng, 60_000, 6_000, (50, 35, 15), 1_000, 0, first=1)
    out.append("dump")
    return out


def main():
    os.makedirs(CASES, exist_ok=True)
    write("growth_u64", growth("u64", 2100, 113, 25))
    write("growth_str", growth("str", 2100, 57, 50))
    long = growth("u64", 10000, 57, 250)
    long[-1] = "dump"
    write("growth_long_u64", long)
    write("local_split_u64", local_split("u64"))
    write("local_split_str", local_split("str"))
    write("delete_churn", delete_churn())
    write("reseed", reseed())
    write("clear_large", clear_large())
    write("hints", hints())
    write("churn_u64", churn_60k("u64"))
    write("churn_str", churn_60k("str"))


if __name__ == "__main__":
    main()
