package main

// The startup self-check: every view of rt.go is tried against the running
// runtime, and the fallback hash of fallback.go against the map types' own
// hasher. Each passed item is counted (the env record's hashcheck and
// mapcheck); the first failure stops the oracle (exit 3).

import (
	"fmt"
	"runtime"
	"strconv"
	"unsafe"
)

// checkError is a failed self-check item.
type checkError struct{ msg string }

func (e *checkError) Error() string { return "self-check: " + e.msg }

// checker counts passed items and remembers the first failure.
type checker struct {
	n   uint64
	err error
}

func (c *checker) check(ok bool, format string, a ...any) {
	if c.err != nil {
		return
	}
	if !ok {
		c.err = &checkError{msg: fmt.Sprintf(format, a...)}
		return
	}
	c.n++
}

// splitmix64 is the self-check's deterministic generator.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// envFacts is what the env record reports besides hashkey.
type envFacts struct {
	layout    string
	groupU64  uint64
	groupStr  uint64
	slots     [2][3]uint64 // per key type: slot stride, key 0 offset, elem 0 offset
	hashcheck uint64
	mapcheck  uint64
}

// selfCheck runs every check; env is valid only when err is nil.
func selfCheck() (env envFacts, err error) {
	if unsafe.Sizeof(uintptr(0)) != 8 || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		return env, &checkError{msg: "the oracle supports 64-bit little-endian amd64 and arm64 only, not " + runtime.GOARCH}
	}
	var hc, mc checker
	checkHashes(&hc)
	if hc.err != nil {
		return env, hc.err
	}
	lu := checkMapType(&mc, mapTypeOf(sinkU64), typeOf(uint64(0)), 8)
	ls := checkMapType(&mc, mapTypeOf(sinkStr), typeOf(""), 16)
	mc.check(lu == ls, "u64 map has %s groups, str map %s", lu, ls)
	checkSmall(&mc)
	checkHints(&mc)
	checkFilled(&mc, ktU64, 3000)
	checkFilled(&mc, ktStr, 3000)
	if mc.err != nil {
		return env, mc.err
	}
	mu, ms := mapTypeOf(sinkU64), mapTypeOf(sinkStr)
	return envFacts{
		layout: lu, groupU64: uint64(mu.groupSize), groupStr: uint64(ms.groupSize),
		slots: [2][3]uint64{
			{uint64(mu.keyStride), uint64(mu.keysOff), uint64(mu.elemsOff)},
			{uint64(ms.keyStride), uint64(ms.keysOff), uint64(ms.elemsOff)},
		},
		hashcheck: hc.n, mapcheck: mc.n,
	}, nil
}

// checkHashes compares fallback.go with the map types' hashers: 3000 u64
// keys and 3000 strings of 0..255 bytes (every branch of the string hash),
// each under its own seed.
func checkHashes(c *checker) {
	hk := processHashKey()
	mu, ms := mapTypeOf(sinkU64), mapTypeOf(sinkStr)
	g := splitmix64(1)
	for n := 0; n < 3000; n++ {
		k, seed := g.next(), g.next()
		if n < 64 {
			k = uint64(n) // small keys too
		}
		got := uint64(mu.hasher(unsafe.Pointer(&k), uintptr(seed)))
		want := fallbackU64(k, seed, &hk)
		c.check(got == want, "u64 key %d seed %d: runtime hash %d, fallback formula %d", k, seed, got, want)
	}
	for n := 0; n < 3000; n++ {
		p := make([]byte, n%256)
		for i := range p {
			p[i] = byte(g.next())
		}
		s, seed := string(p), g.next()
		got := uint64(ms.hasher(unsafe.Pointer(&s), uintptr(seed)))
		want := fallbackBytes(p, seed, &hk)
		c.check(got == want, "string of %d bytes seed %d: runtime hash %d, fallback formula %d", len(p), seed, got, want)
	}
}

// checkMapType checks a map type descriptor for a key of keySize bytes and
// a uint64 elem, and returns its group layout.
func checkMapType(c *checker, mt *mapTypeDesc, key unsafe.Pointer, keySize uintptr) string {
	c.check(mt.typ.kind&kindMask == kindMap, "map type kind %d is not %d", mt.typ.kind&kindMask, kindMap)
	c.check(mt.typ.size == 8, "map type size %d, want 8 (a pointer)", mt.typ.size)
	c.check(unsafe.Pointer(mt.key) == key, "map type key is not the key type")
	c.check(unsafe.Pointer(mt.elem) == typeOf(uint64(0)), "map type elem is not uint64")
	c.check(mt.key.size == keySize && mt.elem.size == 8, "key/elem sizes %d/%d", mt.key.size, mt.elem.size)
	c.check(mt.group != nil && mt.group.size == mt.groupSize, "group type size differs from groupSize %d", mt.groupSize)
	c.check(mt.groupSize == 8+groupSlots*(keySize+8), "groupSize %d, want %d", mt.groupSize, 8+groupSlots*(keySize+8))
	c.check(mt.hasher != nil, "no hasher")
	c.check(mt.flags&(flagIndirectKey|flagIndirectElem) == 0, "flags %#x: indirect key or elem", mt.flags)
	c.check(mt.keysOff == 8, "keysOff %d, want 8 (after the control word)", mt.keysOff)
	switch {
	case mt.keyStride == keySize+8 && mt.elemStride == keySize+8 && mt.elemsOff == 8+keySize:
		c.check(mt.elemOff == keySize, "interleaved slot: elemOff %d, want %d", mt.elemOff, keySize)
		return "interleaved"
	case mt.keyStride == keySize && mt.elemStride == 8 && mt.elemsOff == 8+groupSlots*keySize:
		c.n++
		return "split"
	}
	c.check(false, "unknown group layout: keysOff %d keyStride %d elemsOff %d elemStride %d",
		mt.keysOff, mt.keyStride, mt.elemsOff, mt.elemStride)
	return ""
}

// checkSmall follows make(map, 0) through eight inserts (one small group,
// slot order) to the ninth (a 16-slot table), and an emptied map's reseed.
func checkSmall(c *checker) {
	sinkU64 = make(map[uint64]uint64)
	h := headerOf(unsafe.Pointer(&sinkU64))
	mt := mapTypeOf(sinkU64)
	c.check(h.used == 0 && h.dirPtr == nil && h.dirLen == 0 && h.globalShift == 0 && h.clearSeq == 0 && !h.tombstonePossible,
		"make(map) header: used %d alloc %v dirLen %d", h.used, h.dirPtr != nil, h.dirLen)
	seed := h.seed
	for k := uint64(1); k <= 8; k++ {
		sinkU64[k*7] = k
		c.check(h.used == k && uint64(len(sinkU64)) == k && h.dirPtr != nil && h.dirLen == 0 && h.seed == seed,
			"small map after %d puts: used %d dirLen %d", k, h.used, h.dirLen)
		ctrl := ctrlOf(h.dirPtr)
		for i := uint64(0); i < k; i++ {
			key := *(*uint64)(slotKey(mt, h.dirPtr, int(i)))
			hash := uint64(mt.hasher(unsafe.Pointer(&key), seed))
			c.check(key == (i+1)*7 && *(*uint64)(slotElem(mt, h.dirPtr, int(i))) == i+1 && uint64(ctrl[i]) == hash&0x7f,
				"small slot %d: key %d ctrl %#x", i, key, ctrl[i])
		}
		for i := k; i < groupSlots; i++ {
			c.check(ctrl[i] == ctrlEmpty, "small slot %d ctrl %#x, want empty", i, ctrl[i])
		}
	}
	sinkU64[9*7] = 9
	c.check(h.dirLen == 1 && h.globalDepth == 0 && h.globalShift == 64 && h.used == 9, "ninth put: dirLen %d shift %d", h.dirLen, h.globalShift)
	if h.dirLen == 1 {
		t := h.directory()[0]
		c.check(t.used == 9 && t.capacity == 16 && t.growthLeft == 5 && t.localDepth == 0 && t.index == 0 && t.lengthMask == 1,
			"first table: used %d capacity %d growthLeft %d lengthMask %d", t.used, t.capacity, t.growthLeft, t.lengthMask)
	}
	for k := uint64(1); k <= 9; k++ {
		delete(sinkU64, k*7)
	}
	c.check(h.used == 0 && h.seed != seed, "emptying the map kept seed %d (used %d)", h.seed, h.used)
	sinkU64[1] = 1
	seed = h.seed
	clear(sinkU64)
	c.check(h.used == 0 && h.clearSeq == 1 && h.seed != seed && h.dirLen == 1 && h.directory()[0].capacity == 16 && h.directory()[0].growthLeft == 14,
		"clear: clearSeq %d, capacity kept, growthLeft reset", h.clearSeq)
}

// checkHints checks make(map, hint)'s directory and tables (SWISS-FACTS.md
// table) for both key types.
func checkHints(c *checker) {
	type want struct{ hint, tables, capacity, depth int }
	for _, w := range []want{{0, 0, 0, 0}, {1, 0, 0, 0}, {8, 0, 0, 0}, {9, 1, 16, 0}, {14, 1, 16, 0}, {100, 1, 128, 0},
		{896, 1, 1024, 0}, {897, 2, 512, 1}, {1000, 2, 1024, 1}, {1024, 2, 1024, 1}, {10000, 16, 1024, 4}} {
		for _, kt := range []keyType{ktU64, ktStr} {
			var h *mapHeader
			if kt == ktU64 {
				sinkU64 = make(map[uint64]uint64, w.hint)
				h = headerOf(unsafe.Pointer(&sinkU64))
			} else {
				sinkStr = make(map[string]uint64, w.hint)
				h = headerOf(unsafe.Pointer(&sinkStr))
			}
			if w.tables == 0 {
				c.check(h.dirPtr == nil && h.dirLen == 0, "%s hint %d: alloc %v dirLen %d", kt, w.hint, h.dirPtr != nil, h.dirLen)
				continue
			}
			c.check(h.dirLen == w.tables && int(h.globalDepth) == w.depth && int(h.globalShift) == 64-w.depth,
				"%s hint %d: dirLen %d globalDepth %d", kt, w.hint, h.dirLen, h.globalDepth)
			if h.dirLen != w.tables {
				return
			}
			for i, t := range h.directory() {
				c.check(t.index == i && int(t.capacity) == w.capacity && int(t.localDepth) == w.depth &&
					int(t.growthLeft) == w.capacity*7/8 && t.used == 0 && t.lengthMask == uint64(w.capacity/8-1),
					"%s hint %d table %d: index %d capacity %d growthLeft %d", kt, w.hint, i, t.index, t.capacity, t.growthLeft)
			}
		}
	}
}

// checkFilled puts n keys into make(map, 0) (through the first splits and
// directory doubling) and then finds every key where the map's rules put
// it: in the table its directory entry names, in a full slot whose control
// byte is its H2, on its probe path before any group with an empty slot.
// Every table's counters and directory span are checked too.
func checkFilled(c *checker, kt keyType, n int) {
	var h *mapHeader
	var mt *mapTypeDesc
	key := func(i int) mapKey {
		if kt == ktStr {
			return mapKey{s: "self/" + strconv.Itoa(i)}
		}
		return mapKey{u: uint64(i)*0x9e3779b97f4a7c15 + 1}
	}
	if kt == ktU64 {
		sinkU64 = make(map[uint64]uint64)
		for i := 0; i < n; i++ {
			sinkU64[key(i).u] = uint64(i)
		}
		h, mt = headerOf(unsafe.Pointer(&sinkU64)), mapTypeOf(sinkU64)
	} else {
		sinkStr = make(map[string]uint64)
		for i := 0; i < n; i++ {
			sinkStr[key(i).s] = uint64(i)
		}
		h, mt = headerOf(unsafe.Pointer(&sinkStr)), mapTypeOf(sinkStr)
	}
	c.check(h.used == uint64(n) && h.dirLen >= 2 && h.dirLen == 1<<h.globalDepth && int(h.globalShift) == 64-int(h.globalDepth),
		"%s map of %d keys: used %d dirLen %d globalDepth %d", kt, n, h.used, h.dirLen, h.globalDepth)
	if c.err != nil {
		return
	}
	dir := h.directory()
	sum := uint64(0)
	for _, t := range distinctTables(h) {
		span := 1 << (h.globalDepth - t.localDepth)
		ok := t.index%span == 0 && t.index+span <= len(dir)
		for j := 0; ok && j < span; j++ {
			ok = dir[t.index+j] == t
		}
		full, tombs := 0, 0
		for g := uint64(0); g <= t.lengthMask; g++ {
			for _, b := range ctrlOf(t.groupAt(mt, g)) {
				switch {
				case b == ctrlDeleted:
					tombs++
				case b < ctrlEmpty:
					full++
				}
			}
		}
		c.check(ok && full == int(t.used) && int(t.capacity) == int(t.lengthMask+1)*groupSlots &&
			int(t.capacity)*7/8-full-tombs == int(t.growthLeft),
			"%s table at index %d: span %d, used %d full %d growthLeft %d capacity %d", kt, t.index, span, t.used, full, t.growthLeft, t.capacity)
		sum += uint64(t.used)
	}
	c.check(sum == h.used, "%s tables hold %d keys, header says %d", kt, sum, h.used)
	for i := 0; i < n && c.err == nil; i++ {
		k := key(i)
		hash := hashWith(mt, kt, k, h.seed)
		t := dir[hash>>h.globalShift]
		g := (hash >> 7) & t.lengthMask
		found := false
		for step := uint64(1); step <= t.lengthMask+1 && !found; step++ {
			grp := t.groupAt(mt, g)
			ctrl := ctrlOf(grp)
			for s := 0; s < groupSlots; s++ {
				if uint64(ctrl[s]) == hash&0x7f && readKey(kt, slotKey(mt, grp, s)) == k {
					found = *(*uint64)(slotElem(mt, grp, s)) == uint64(i)
					break
				}
			}
			if found {
				break
			}
			hasEmpty := false
			for _, b := range ctrl {
				hasEmpty = hasEmpty || b == ctrlEmpty
			}
			if hasEmpty {
				break
			}
			g = (g + step) & t.lengthMask
		}
		c.check(found, "%s key %d (%q): not on its probe path with its H2 and value", kt, k.u, k.s)
	}
}
