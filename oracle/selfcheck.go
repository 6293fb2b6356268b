package main

// Startup verification: the oracle reads runtime memory through the mirror
// structs in rt.go, which fit only the releases of versions.go on a 64-bit
// platform. Before recording anything it confirms, against maps it builds
// itself, that the mirrors, the hasher, the load factor and the bucket-array
// arithmetic of the running release describe reality.

import (
	"fmt"
	"strconv"
	"unsafe"
)

// factsPool is the preallocated overflow pool size per B (4..12) from
// FACTS.md; for B >= 13 it is 2^(B-4). Every verified release has these
// pools (versions.go says why Go 1.22's allocation header leaves them alone).
var factsPool = map[string][]uintptr{
	"u64": {2, 5, 7, 14, 28, 56, 113, 170, 284},
	"str": {3, 7, 4, 9, 19, 39, 78, 157, 275},
}

func check(ok bool, format string, args ...interface{}) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}

func selfCheck() error {
	if err := runningRuntime(); err != nil {
		return err
	}
	if err := checkStructs(); err != nil {
		return err
	}
	if err := checkAllocSize(); err != nil {
		return err
	}
	if err := checkHashkey(); err != nil {
		return err
	}
	for _, kt := range []string{"u64", "str"} {
		for _, f := range []func(string) error{checkDescriptor, checkHasher, checkHints, checkSmallGrowth, checkPlacement, checkPools, checkClear} {
			if err := f(kt); err != nil {
				return fmt.Errorf("%s map: %v", kt, err)
			}
		}
	}
	return nil
}

func checkStructs() error {
	if err := check(unsafe.Sizeof(uintptr(0)) == 8, "needs a 64-bit platform"); err != nil {
		return err
	}
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"type header", unsafe.Sizeof(typeHeader{}), 48},
		{"map type", unsafe.Sizeof(mapTypeDesc{}), 88},
		{"map header", unsafe.Sizeof(mapHeader{}), 48},
		{"map extra", unsafe.Sizeof(mapExtra{}), 24},
	} {
		if c.got != c.want {
			return fmt.Errorf("mirror of the runtime %s is %d bytes, expected %d", c.name, c.got, c.want)
		}
	}
	return nil
}

// checkAllocSize compares allocSize with the allocator: appending n
// elements to a nil slice asks for exactly n elements, and the slice's
// capacity then shows the usable size of that allocation (Go:
// runtime.growslice rounds with roundupsize, as makeBucketArray does). Slices
// of pointers see Go 1.22's allocation header above 512 bytes (128 pointers
// fit 1024 bytes in Go 1.19 and 143 in Go 1.22), slices of integers never.
func checkAllocSize() error {
	for _, n := range []int{1, 63, 64, 65, 128, 129, 300, 442, 2000, 4095, 4096, 5000} {
		p := append([]*byte(nil), make([]*byte, n)...)
		u := append([]uint64(nil), make([]uint64, n)...)
		size := uintptr(n) * 8
		if want := allocSize(size, true) / 8; uintptr(cap(p)) != want {
			return fmt.Errorf("%d pointers got room for %d, allocSize predicts %d", n, cap(p), want)
		}
		if want := allocSize(size, false) / 8; uintptr(cap(u)) != want {
			return fmt.Errorf("%d integers got room for %d, allocSize predicts %d", n, cap(u), want)
		}
	}
	return nil
}

// testKey returns a key of the table's type built from n.
func testKey(t table, n uint64) mapKey {
	if t.kt() == "str" {
		return mapKey{s: "k" + strconv.FormatUint(n, 10), str: true}
	}
	return mapKey{u: n}
}

func checkDescriptor(kt string) error {
	t := newTable(kt, 0)
	d := t.desc()
	keyType, keySize, bucketSize := typeOf(uint64(0)), uintptr(8), uintptr(144)
	if kt == "str" {
		keyType, keySize, bucketSize = typeOf(""), 16, 208
	}
	return firstErr(
		check(d.typ.kind&kindMask == kindMapType, "type descriptor kind %d is not map", d.typ.kind&kindMask),
		check(d.key == keyType, "descriptor's key type is not the key type"),
		check(d.elem == typeOf(uint64(0)), "descriptor's value type is not uint64"),
		check(d.key.size == keySize && uintptr(d.keysize) == keySize, "key size %d/%d, expected %d", d.key.size, d.keysize, keySize),
		check(d.elemsize == 8, "value slot size %d, expected 8", d.elemsize),
		check(uintptr(d.bucketsize) == bucketSize, "bucketsize %d, expected %d", d.bucketsize, bucketSize),
		check(d.bucket != nil && d.bucket.size == bucketSize, "bucket type size differs from bucketsize"),
		check((d.bucket.ptrdata == 0) == (kt == "u64"), "bucket pointer data %d unexpected", d.bucket.ptrdata),
		check(d.hasher != nil, "no hasher"),
	)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func checkHasher(kt string) error {
	t := newTable(kt, 0)
	seen := map[uint64]bool{}
	for n := uint64(0); n < 1000; n++ {
		k := testKey(t, n)
		h := t.hash(k, 12345)
		if h != t.hash(k, 12345) {
			return fmt.Errorf("hasher is not deterministic")
		}
		if h == t.hash(k, 54321) && h == t.hash(k, 1) {
			return fmt.Errorf("hasher ignores the seed")
		}
		seen[h] = true
	}
	return check(len(seen) == 1000, "hasher collides on 1000 small keys")
}

// checkHints makes maps with hints on both sides of each B's limit, for
// load factor 6.5 (FACTS.md: 9, 14, 27, 53, 105 and 209 start a new B) and
// for 6 (Go 1.21: 13, 25, 49, 97, 193), and checks the B that hintB predicts
// for the running release; a hint too large to allocate is ignored (B=0).
func checkHints(kt string) error {
	type hintCase struct {
		hint int
		B    uint8
	}
	cases := []hintCase{{1 << 62, 0}}
	for _, hint := range []int{0, 1, 8, 9, 12, 13, 14, 24, 25, 26, 27, 48, 49, 52, 53, 96, 97, 104, 105, 192, 193, 208, 209} {
		cases = append(cases, hintCase{hint, hintB(uint64(hint))})
	}
	// Two limits written out, so that hintB itself is checked: the largest
	// hints for B=1 and B=5 (FACTS.md's at 6.5, Go 1.21's at 6).
	limits := map[uint64][2]uint64{13: {13, 208}, 12: {12, 192}}[rt.loadFactorNum]
	if hintB(limits[0]) != 1 || hintB(limits[0]+1) != 2 || hintB(limits[1]) != 5 || hintB(limits[1]+1) != 6 {
		return fmt.Errorf("hintB disagrees with the hint table of load factor %d/2", rt.loadFactorNum)
	}
	for _, c := range cases {
		t := newTable(kt, c.hint)
		h := t.header()
		if h.B != c.B || h.count != 0 || h.flags != 0 || h.oldbuckets != nil {
			return fmt.Errorf("make with hint %d: B=%d count=%d flags=%d, expected B=%d and an empty map", c.hint, h.B, h.count, h.flags, c.B)
		}
		if (h.buckets == nil) != (c.B == 0) {
			return fmt.Errorf("make with hint %d: bucket array allocated=%v", c.hint, h.buckets != nil)
		}
	}
	return nil
}

// checkSmallGrowth inserts into make(map, 0) until B=2: B stays 0 for 8
// inserts, the 9th doubles to B=1 (and that insert's growth work finishes the
// growth: the old array is one bucket), and the insert that takes count past
// the load factor of two buckets (the 14th at 6.5, the 13th at 6) doubles
// again. This is where the load factor of the running release shows.
func checkSmallGrowth(kt string) error {
	t := newTable(kt, 0)
	h := t.header()
	last := doublingAt(1)
	for n := uint64(1); n <= last; n++ {
		t.put(testKey(t, n), n)
		want := uint8(0)
		if n >= doublingAt(0) {
			want = 1
		}
		if n == last {
			want = 2
		}
		if h.B != want || h.count != int(n) || h.buckets == nil {
			return fmt.Errorf("after %d inserts into make(map, 0): B=%d count=%d, expected B=%d", n, h.B, h.count, want)
		}
	}
	seed := h.hash0
	t.put(testKey(t, 1), 100) // overwrite: nothing changes
	t.del(testKey(t, 1000))   // absent key
	if uint64(h.count) != last || h.hash0 != seed {
		return fmt.Errorf("overwrite/absent delete changed count or seed")
	}
	return nil
}

// walkLive calls f for every live slot of an array: the bucket index, the
// slot's tophash byte and its key.
func walkLive(t table, a bucketArray, f func(bucket uintptr, top uint8, k mapKey) error) error {
	d := t.desc()
	for i := uintptr(0); i < a.nbuckets; i++ {
		n := 0
		for p := offset(a.base, i*a.bucketsize); p != nil; p = overflowOf(p, a.bucketsize) {
			if n++; n > maxChain {
				return fmt.Errorf("endless chain")
			}
			top := topOf(p)
			for s := uintptr(0); s < slotsPerBucket; s++ {
				if top[s] >= minTopHash {
					k := t.readKey(offset(p, slotsPerBucket+s*uintptr(d.keysize)))
					if err := f(i, top[s], k); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func tophashOf(h uint64) uint8 {
	top := uint8(h >> 56)
	if top < minTopHash {
		top += minTopHash
	}
	return top
}

// checkPlacement fills a map and checks every stored key sits in the bucket
// and under the tophash that our hasher predicts — also mid-growth, for the
// not yet evacuated old buckets.
func checkPlacement(kt string) error {
	t := newTable(kt, 300) // B = 6
	h := t.header()
	n := doublingAt(6) + 3 // three inserts into growth 6 -> 7 (420 at load factor 6.5)
	for j := uint64(0); j < n; j++ {
		t.put(testKey(t, j), j)
	}
	if h.B != 7 || h.oldbuckets == nil || uint64(h.count) != n {
		return fmt.Errorf("after %d inserts into make(map, 300): B=%d growing=%v count=%d; expected B=7, growing", n, h.B, h.oldbuckets != nil, h.count)
	}
	found := 0
	verify := func(a bucketArray) error {
		mask := uint64(a.nbuckets - 1)
		return walkLive(t, a, func(i uintptr, top uint8, k mapKey) error {
			hv := t.hash(k, h.hash0)
			if hv&mask != uint64(i) || tophashOf(hv) != top {
				return fmt.Errorf("key %v is in bucket %d with tophash %d, but hashes to bucket %d tophash %d", k, i, top, hv&mask, tophashOf(hv))
			}
			found++
			return nil
		})
	}
	if err := verify(newBucketArray(h.buckets, h.B, t.desc())); err != nil {
		return err
	}
	if err := verify(newBucketArray(h.oldbuckets, h.B-1, t.desc())); err != nil {
		return err
	}
	// Each live key is either still in the old array (not yet evacuated)
	// or in the new one, never both.
	return check(uint64(found) == n, "found %d live slots for %d keys", found, n)
}

// checkPools makes a map for every B from 4 to 14 and checks the pool
// arithmetic: the free-pool pointer starts right after the 2^B buckets, the
// bucket at the computed end of the allocation carries the link back to the
// array start, and the size matches the table in FACTS.md.
func checkPools(kt string) error {
	for B := uint8(4); B <= 14; B++ {
		hint := int(doublingAt(B) - 1) // the largest hint that gives B
		t := newTable(kt, hint)
		h := t.header()
		bs := uintptr(t.desc().bucketsize)
		if h.B != B {
			return fmt.Errorf("make with hint %d gave B=%d, expected %d", hint, h.B, B)
		}
		a := newBucketArray(h.buckets, B, t.desc())
		want := uintptr(1) << (B - 4)
		if B <= 12 {
			want = factsPool[kt][B-4]
		}
		if a.alloc-a.nbuckets != want {
			return fmt.Errorf("B=%d: computed pool of %d buckets, FACTS.md says %d", B, a.alloc-a.nbuckets, want)
		}
		if h.extra == nil || h.extra.nextOverflow != offset(h.buckets, a.nbuckets*bs) {
			return fmt.Errorf("B=%d: free pool pointer does not point right after the %d buckets", B, a.nbuckets)
		}
		if overflowOf(offset(h.buckets, (a.alloc-1)*bs), bs) != h.buckets {
			return fmt.Errorf("B=%d: bucket %d is not the pool's last bucket (no link back to the array)", B, a.alloc-1)
		}
		if overflowOf(offset(h.buckets, (a.alloc-2)*bs), bs) != nil {
			return fmt.Errorf("B=%d: bucket %d unexpectedly links somewhere", B, a.alloc-2)
		}
	}
	return nil
}

// checkClear confirms that clear compiled to runtime.mapclear: a loop that
// iterates and deletes could neither drop the old array of an unfinished
// growth nor reset noverflow and nevacuate.
func checkClear(kt string) error {
	t := newTable(kt, 60) // B = 4
	h := t.header()
	// 30 keys into bucket 0: a chain with overflow buckets.
	added := uint64(0)
	for j := uint64(1000); added < 30; j++ {
		if k := testKey(t, j); t.hash(k, h.hash0)&15 == 0 {
			t.put(k, j)
			added++
		}
	}
	// Fill up to the key that starts growth 4 -> 5 (the 105th at load
	// factor 6.5); that insert evacuates old bucket 0, whose 30 keys
	// overflow in the new array.
	for j := uint64(0); uint64(h.count) < doublingAt(4); j++ {
		t.put(testKey(t, j), j)
	}
	if h.oldbuckets == nil || h.B != 5 || h.noverflow == 0 {
		return fmt.Errorf("setup for the clear check: B=%d growing=%v noverflow=%d, expected B=5, growing, overflow", h.B, h.oldbuckets != nil, h.noverflow)
	}
	buckets := h.buckets
	t.clear()
	if h.count != 0 || h.B != 5 || h.buckets != buckets || h.noverflow != 0 || h.nevacuate != 0 || h.flags != 0 || h.oldbuckets != nil {
		return fmt.Errorf("clear mid-growth left count=%d B=%d noverflow=%d nevacuate=%d flags=%d growing=%v: not runtime.mapclear",
			h.count, h.B, h.noverflow, h.nevacuate, h.flags, h.oldbuckets != nil)
	}
	a := newBucketArray(h.buckets, h.B, t.desc())
	if h.extra == nil || h.extra.nextOverflow != offset(h.buckets, a.nbuckets*a.bucketsize) {
		return fmt.Errorf("clear did not refill the overflow pool")
	}
	seed := h.hash0
	t.clear() // clear of an empty map does nothing
	return check(h.hash0 == seed, "clear of an empty map reseeded")
}
