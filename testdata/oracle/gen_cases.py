#!/usr/bin/env python3
"""Writes the oracle case scripts in cases/ (run from anywhere).

The scripts are committed; this generator only saves typing. Every script is
an op script for the oracle (oracle/README.md); comments in the output explain
what each part exercises. Re-running it rewrites the scripts identically.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def write(name, text):
    with open(os.path.join(CASES, name + ".txt"), "w") as f:
        f.write(text.lstrip("\n"))


def b_for_hint(h, bucketsize):
    # Go ignores hints whose bucket memory exceeds maxAlloc (2^48 on amd64).
    if h * bucketsize > 1 << 48 or h >= 1 << 63:
        return 0
    b = 0
    while h > 8 and h > 13 * ((1 << b) // 2):
        b += 1
    return b


def hint_sweep(kt, bucketsize):
    hints = {0, 1, 8, 9}
    for b in range(1, 15):
        lo = 9 if b == 1 else 13 * 2 ** (b - 2) + 1
        hi = 13 * 2 ** (b - 1)
        hints |= {lo - 1, lo, lo + 1, hi - 1, hi, hi + 1}
    out = [f"""
# make(map, hint) for every hint at a B boundary (+-1) for B = 0..14, plus 0,
# 1, 8, 9, and hints so large that Go ignores them (B = 0).
# Each make is followed by a dump; from B = 12 on only the first make of a B
# is dumped and the others get a hdr (a B = 14 dump lists 16384 buckets).
# hint ranges: 0-8 -> B=0, 9-13 -> 1, then (13*2^(B-2), 13*2^(B-1)] -> B.
"""]
    dumped = set()
    for h in sorted(hints):
        b = b_for_hint(h, bucketsize)
        out.append(f"make {kt} u64 {h}\n")
        if b <= 11 or b not in dumped:
            out.append("dump\n")
            dumped.add(b)
        else:
            out.append("hdr\n")
    big = (1 << 48) // bucketsize + 1
    out.append(f"""# hints Go ignores: hint * bucketsize overflows or exceeds maxAlloc (2^48)
make {kt} u64 4611686018427387904
dump
make {kt} u64 9223372036854775807
dump
# smallest hint with hint*{bucketsize} > 2^48
make {kt} u64 {big}
dump
# a B = 0 map gets its single bucket at the first insert
make {kt} u64 0
put 1 1
dump
make {kt} u64 8
put 1 1
dump
""")
    write(f"hint_sweep_{kt}", "".join(out))


write("grow_u64", """
# Doubling growth at every B from 0->1 to 11->12, map[uint64]uint64, keys
# 1..15400 inserted in order into make(map, 0).
# A growth B->B+1 starts with the insert of key 13*2^(B-1)+1 (9, 14, 27, 53,
# 105, 209, 417, 833, 1665, 3329, 6657, 13313) and ends when every old bucket
# has been evacuated (at most 2^B writes later).
#
# Dump policy (full per-op dumps above B = 8 would be gigabytes):
# - growths up to new B = 8 (keys 1..1600): `autodump on`, a full dump after
#   every op that starts, continues or ends a growth;
# - growths to B = 9..12 (keys 1601..15400): `autodump sparse 4 4 32`, dumps
#   at the write that starts the growth, the first 4 and the last 4 writes of
#   the growth, and every 32nd write in between.
make u64 u64 0
autodump on
seq 1 1600
autodump sparse 4 4 32
seq 1601 15400
autodump off
dump
""")

write("grow_str", """
# Doubling growth of map[string]uint64 (208-byte buckets, bucket type holds
# pointers): keys "1".."4000" inserted in order into make(map, 0).
# Growths up to 7->8 (starts at key 833) dumped after every op while growing;
# 8->9 (key 1665) and 9->10 (key 3329) sparse: the starting write, first 4,
# last 4 and every 32nd write of the growth.
make str u64 0
autodump on
seq 1 1000
autodump sparse 4 4 32
seq 1001 4000
autodump off
dump
""")


def grow_work():
    out = ["""
# Growth work: which ops evacuate during a growth.
# Part 1: growth 4->5 (starts with the 105th insert, 16 old buckets). Every
# write evacuates old bucket hash&15 and then old bucket nevacuate: an
# overwrite does, a delete of an absent key does; lookups (present or absent)
# never do. Dump after every op.
make u64 u64 0
seq 1 104
autodump all
put 105 105
get 1
get 1000000
get 1000001
put 1 1001
get 1000002
del 1000003
get 2
del 1000004
put 2 1002
del 3
get 3
"""]
    for j in range(10):
        out.append(f"del {1000010 + j}\nget {1000030 + j}\nput {4 + j} {2000 + j}\n")
    out.append("""autodump off
dump
# Part 2: lookups of absent keys during growth 6->7 (417th insert, 64 old
# buckets) change nothing; then overwrites finish the growth.
make u64 u64 0
seq 1 416
autodump on
put 417 417
""")
    for j in range(40):
        out.append(f"get {5000000 + j}\n")
    out.append("get 1\nget 416\n")
    for j in range(70):
        out.append(f"put {j + 1} {j + 1}\n")
    out.append("""autodump off
dump
# Part 3: a map made with hint 100 (B = 4, array with overflow pool from
# make) grows 4->5; the growth allocates a new array with its own pool.
make u64 u64 100
seq 1 104
dump
autodump on
seq 105 140
autodump off
dump
# Part 4: the same for string keys, growth 3->4 from make(map, 40).
make str u64 40
seq 1 52
dump
autodump on
seq 53 80
autodump off
dump
""")
    write("grow_work", "".join(out))


grow_work()


def churn_delete_cycles(var, nkeys, bits, buckets, keep_prefix=None):
    """For each bucket: pick nkeys fresh keys into it, insert, delete them."""
    out = []
    for j in buckets:
        v = f"@{var}{j}_"
        out.append(f"pickn {v} {nkeys} {bits} {j}\nputn {v} 0 {nkeys - 1}\ndeln {v} 0 {nkeys - 1}\n")
    return "".join(out)


def samesize():
    out = ["""
# Same-size growth (too many overflow buckets): noverflow >= 2^min(B,15)
# while not over the load factor; the next insert of a NEW key starts a
# growth that keeps B and sets flag 8; evacuation compacts the chains
# (X only).
#
# Part 1: B = 2 (hint 16). For each bucket insert 9 keys hashing into it
# (one overflow bucket) and delete them again; a permanent key @k keeps the
# count > 0 so the seed never changes. Then noverflow = 4 = 2^B.
make u64 u64 16
pick @k 2 0
put @k 1000
""", churn_delete_cycles("a", 9, 2, range(4)), """dump
# an overwrite never starts a growth
put @k 1001
hdr
autodump on
pick @n 2 1
put @n 7
put @k 1002
put @k 1003
put @k 1004
put @k 1005
autodump off
dump
# Part 2: B = 4 (hint 60): 16 cycles as above in buckets 0..15; the first two
# overflow buckets come from the preallocated pool (indices 16, 17), the
# other 14 from the heap. The growth then allocates a new array with a pool.
make u64 u64 60
pick @k 4 0
put @k 1
""", churn_delete_cycles("b", 9, 4, range(16)), """dump
autodump on
pick @n 4 9
put @n 2
""", "put @k 3\n" * 20, """autodump off
dump
# Part 3: B = 5 (hint 150) with long live chains: buckets 0..9 hold 17 live
# keys each (2 overflow buckets per chain: the pool's 5, then heap), and 12
# insert/delete cycles in buckets 10..21 bring noverflow to 32 = 2^5.
# Evacuation copies each 17-key chain into a main bucket plus 2 overflow
# buckets of the NEW array, using its pool and then the heap.
make u64 u64 150
""", "".join(f"pickn @l{j}_ 17 5 {j}\nputn @l{j}_ 0 16\n" for j in range(10)), """dump
""", churn_delete_cycles("c", 9, 5, range(10, 22)), """dump
autodump on
pick @n 5 30
put @n 5
""", "".join(f"put @l{j % 10}_{j // 10} {100 + j}\n" for j in range(40)), """autodump off
dump
# Part 4: string keys at B = 4 (pool of 3).
make str u64 60
pick @k 4 0
put @k 1
""", churn_delete_cycles("s", 9, 4, range(16)), """dump
autodump on
pick @n 4 9
put @n 2
""", "put @k 3\n" * 20, """autodump off
dump
"""]
    write("samesize", "".join(out))


samesize()


def pool_exhaustion():
    out = ["""
# The preallocated overflow pool running out into heap overflow buckets.
# Part 1: u64, B = 4 (hint 60): pool of 2 buckets (indices 16, 17 of the
# 18-bucket allocation). 40 keys into bucket 3: main + 4 overflow buckets
# (pre:16, pre:17, then heap, heap). Taking the pool's last bucket clears its
# link back to the array start. Then a 9-key chain in bucket 7 gets a heap
# bucket; then deletes from the long chain, dumped after every op.
make u64 u64 60
dump
pickn @a 40 4 3
"""]
    out.append("putn @a 0 8\ndump\nputn @a 9 16\ndump\nputn @a 17 24\ndump\nputn @a 25 39\ndump\n")
    out.append("""pickn @b 9 4 7
putn @b 0 8
dump
autodump all
del @a39
del @a31
del @a32
del @a38
del @a24
del @a23
del @a16
del @a15
del @a0
autodump off
dump
# inserting into the holes: first free slot of the chain is reused
pickn @c 6 4 3
autodump all
putn @c 0 5
autodump off
# now grow 4->5 (105th key): the long chain is evacuated into the new
# array, whose own pool is used first
""")
    out.append("seq 1 60\ndump\nautodump on\nseq 61 120\nautodump off\ndump\n")
    out.append("""
# Part 2: str, B = 4: pool of 3 (indices 16..18 of 19). 40 keys into
# bucket 9: pre:16, pre:17, pre:18, then heap.
make str u64 60
pickn @s 40 4 9
putn @s 0 39
dump
pickn @t 9 4 2
putn @t 0 8
dump
# Part 3: u64, B = 5 (hint 150): pool of 5 shared by several chains: buckets
# 0, 1, 2 take 2 overflow buckets each; the 6th overflow bucket is the
# first from the heap.
make u64 u64 150
""")
    for j in range(3):
        out.append(f"pickn @p{j}_ 17 5 {j}\nputn @p{j}_ 0 16\ndump\n")
    out.append("""
# Part 4: B = 3 (no pool below B = 4): overflow buckets always come from the
# heap; for a pointer-free map the header's extra record appears.
make u64 u64 30
dump
pickn @q 20 3 6
putn @q 0 19
dump
make str u64 30
pickn @r 20 3 6
putn @r 0 19
dump
""")
    write("pool_exhaustion", "".join(out))


pool_exhaustion()


def perm(n, seed):
    # deterministic shuffle (LCG), independent of Python's random module
    a = list(range(n))
    x = seed
    for i in range(n - 1, 0, -1):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        j = (x >> 33) % (i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def emptyrest():
    out = ["""
# emptyOne (1) / emptyRest (0) marks on delete, within a bucket and across
# overflow links. Each part: B = 3 (hint 30), a chain of keys @aJ in bucket
# 5 (main holds a0..a7, the first overflow a8..a15, the next a16..), plus a
# permanent key @k in bucket 2 so the count never reaches 0. Dump after every
# op (autodump all).
"""]

    def part(title, kt, n, order, extra=""):
        s = [f"# {title}\nmake {kt} u64 30\npick @k 3 2\nput @k 1\npickn @a {n} 3 5\nputn @a 0 {n - 1}\ndump\nautodump all\n"]
        s += [f"del @a{j}\n" for j in order]
        s.append(extra)
        s.append("autodump off\n")
        return "".join(s)

    out.append(part("Part 1: 20 keys, deleted from the end of the chain backwards (each delete "
                    "is the chain's last live slot: emptyRest, walking back across links)",
                    "u64", 20, range(19, -1, -1)))
    out.append(part("Part 2: 20 keys, deleted front to back (emptyOne until the last one, which "
                    "turns the whole chain into emptyRest)", "u64", 20, range(20)))
    out.append(part("Part 3: slot 7 of the main bucket first (overflow live: emptyOne), then "
                    "the overflow buckets' keys; the marks propagate back through slot 7",
                    "u64", 20, [7, 6, 15, 19, 18, 17, 16, 8, 9, 10, 11, 12, 13, 14, 5, 4, 3, 2, 1, 0]))
    out.append(part("Part 4: 24 keys (three full buckets): slot 7 of the last bucket (no next: "
                    "emptyRest), slot 7 of the middle bucket (next live: emptyOne), ...",
                    "u64", 24, [23, 15, 7, 16, 22, 21, 20, 19, 18, 17, 14, 8, 9, 10, 11, 12, 13, 0, 6, 5, 1, 2, 3, 4]))
    out.append(part("Part 5: 20 keys in a shuffled order, then new keys refill the holes "
                    "(first empty slot of the chain) and more shuffled deletes",
                    "u64", 20, perm(20, 7),
                    "pickn @b 12 3 5\nputn @b 0 11\n" + "".join(f"del @b{j}\n" for j in perm(12, 3))))
    out.append(part("Part 6: deletes of absent keys and of keys in other buckets leave the "
                    "chain alone; then a shuffled order",
                    "u64", 17, perm(17, 11),
                    "del 123456789\ndel @k\n"))
    out.append(part("Part 7: string keys, backwards", "str", 20, range(19, -1, -1)))
    out.append(part("Part 8: string keys, shuffled", "str", 24, perm(24, 5)))
    write("emptyrest", "".join(out))


emptyrest()


def same_size_setup(kt, bits, hint, live):
    """A map in same-size growth with few keys: `live` permanent keys, and
    2^bits insert/delete cycles of 9 keys each to reach noverflow = 2^bits."""
    s = [f"make {kt} u64 {hint}\npickn @k {live} {bits} 0\nputn @k 0 {live - 1}\n"]
    s.append(churn_delete_cycles(f"z{kt}{bits}_", 9, bits, range(2 ** bits)))
    s.append(f"hdr\nautodump on\npick @n {bits} 1\nput @n 99\n")
    return "".join(s)


def delete_to_empty():
    out = ["""
# A delete that empties the map mid-growth reseeds hash0 (and the growth
# goes on: old buckets stay until later inserts evacuate them). A doubling
# always finishes before its keys can all be deleted (every delete evacuates),
# so the growths here are same-size growths of maps with very few keys.
# Part 1: u64, B = 3, 2 live keys at the start of the growth.
""", same_size_setup("u64", 3, 27, 1), """del @k0
# emptying delete: reseed mid-growth
del @n
# on an empty map: a delete does nothing at all (no growth work), lookups
# and a clear neither
del @k0
del 12345
get @n
get 777
clear
dump
# inserts under the new seed evacuate the (empty) old buckets
seq 1 12
autodump off
dump
# Part 2: u64, B = 4 (pool in use), 3 live keys.
""", same_size_setup("u64", 4, 60, 2), """del @k1
del @k0
del @n
del 5
get 5
clear
seq 1 20
autodump off
dump
# Part 3: str, B = 3.
""", same_size_setup("str", 3, 27, 1), """del @n
del @k0
del @k0
get @k0
clear
seq 1 12
autodump off
dump
# Part 4: deletes on empty maps that are not growing: no buckets yet (B=0),
# a fresh hinted map, and a map emptied by deletes.
make u64 u64 0
del 1
get 1
dump
make u64 u64 100
del 1
dump
put 1 1
put 2 2
del 1
del 2
del 2
del 3
dump
make str u64 0
del x
dump
"""]
    write("delete_to_empty_growing", "".join(out))


delete_to_empty()


def clear_case():
    out = ["""
# clear: Go's range-delete loop, compiled to runtime.mapclear. On a map with
# count 0 it does nothing (even mid-growth). Otherwise it keeps B and the
# bucket array (zeroed), drops the old array, resets noverflow, nevacuate and
# flag 8, empties extra, refills the overflow pool and reseeds hash0.
# Part 1: no bucket array yet; then B = 0 with its bucket.
make u64 u64 0
clear
dump
put 1 1
put 2 2
clear
dump
clear
dump
put 3 3
dump
# Part 2: B = 4 with the pool used up and heap overflow buckets.
make u64 u64 60
pickn @a 40 4 3
putn @a 0 39
dump
clear
dump
pickn @b 20 4 3
putn @b 0 19
dump
# Part 3: mid-doubling (4->5) clear.
make u64 u64 0
seq 1 106
dump
clear
dump
seq 1 30
dump
# Part 4: mid-same-size-growth clear of a non-empty map.
""", same_size_setup("u64", 3, 27, 3), """clear
autodump off
dump
seq 1 10
dump
# Part 5: clear of an empty map mid-growth does nothing (the old array stays).
""", same_size_setup("u64", 2, 16, 1), """del @k0
del @n
clear
dump
put 1 1
put 2 2
autodump off
dump
# Part 6: B = 3 pointer-free map with heap overflow (extra.overflow in use).
make u64 u64 30
pickn @c 12 3 1
putn @c 0 11
dump
clear
dump
# Part 7: string keys: B = 4 with pool used, then mid-growth.
make str u64 60
pickn @s 40 4 3
putn @s 0 39
dump
clear
dump
make str u64 0
seq 1 60
dump
clear
dump
seq 1 5
dump
"""]
    write("clear", "".join(out))


clear_case()


def churn(kt, seed0):
    out = [f"""
# Random churn of map[{'uint64' if kt == 'u64' else 'string'}]uint64, over 50,000 ops, generated by
# the oracle's deterministic helpers (oracle/README.md):
#   churn N SEED KEYSPACE PUT DEL GET: N random puts/dels/gets (weights) on
#     keys 0..KEYSPACE-1;
#   window N SEED W: a queue: insert the next key, delete the oldest once
#     more than W are live, 10% lookups near the window.
# Every chunk is 1000 ops followed by a hdr; a dump after every 5 chunks.
# Phases: a queue of 100 keys at B = 4, then widened to 205, 410, 825 keys
# (doublings up to B = 7, and same-size growths at B = 4, 5, 6, 7); clear;
# random churn on 600 keys, then deletes only until the map empties (the
# emptying delete reseeds; later deletes on the empty map do nothing); churn
# on 5 keys (the map empties and reseeds again and again); random churn on
# 20000 keys (doublings up to B = 10); a map made with hint 1600 (B = 8)
# under random churn near its load limit.
make {kt} u64 0
"""]
    seed = seed0
    n = 0

    def chunk(op):
        nonlocal seed, n
        seed += 1
        n += 1
        s = f"{op.format(seed=seed)}\nhdr\n"
        if n % 5 == 0:
            s += "dump\n"
        return s

    phases = [
        (5, "window 1000 {seed} 100"),
        (5, "window 1000 {seed} 205"),
        (8, "window 1000 {seed} 410"),
        (16, "window 1000 {seed} 824"),
        None,
        (4, "churn 1000 {seed} 600 70 20 10"),
        (7, "churn 1000 {seed} 600 0 95 5"),
        (2, "churn 1000 {seed} 5 30 60 10"),
        (8, "churn 1000 {seed} 20000 60 30 10"),
    ]
    for ph in phases:
        if ph is None:
            out.append("clear\ndump\n")
            continue
        cnt, op = ph
        for _ in range(cnt):
            out.append(chunk(op))
    out.append(f"# a hinted map (B = 8), churn around its load limit\nmake {kt} u64 1600\n")
    for _ in range(6):
        out.append(chunk("churn 1000 {seed} 3300 50 45 5"))
    out.append("dump\n")
    write(f"churn_{kt}", "".join(out))


churn("u64", 1000)
churn("str", 2000)

if __name__ == "__main__":
    hint_sweep("u64", 144)
    hint_sweep("str", 208)
