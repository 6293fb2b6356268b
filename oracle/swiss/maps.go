package main

// The two real maps the oracle drives. They live in package variables so
// that every make escapes to the heap: a map the compiler proves local gets
// its header and first group on the stack, which a recording must not show.

import (
	"strconv"
	"unsafe"
)

// keyType is the key type of a recorded map.
type keyType uint8

const (
	ktU64 keyType = iota // map[uint64]uint64
	ktStr                // map[string]uint64
)

func (kt keyType) String() string {
	if kt == ktStr {
		return "str"
	}
	return "u64"
}

// mapKey is a key of either key type (u for u64 maps, s for str maps).
type mapKey struct {
	u uint64
	s string
}

var (
	liveU64 map[uint64]uint64
	liveStr map[string]uint64
	// sinkU64 and sinkStr hold the self-check's maps (heap maps too).
	sinkU64 map[uint64]uint64
	sinkStr map[string]uint64
)

// makeLive replaces the live map of kt by make(map, hint), hint known only
// at run time (runtime.makemap).
//
//go:noinline
func makeLive(kt keyType, hint int) {
	if kt == ktStr {
		liveStr = make(map[string]uint64, hint)
	} else {
		liveU64 = make(map[uint64]uint64, hint)
	}
}

// liveHeader returns the live map's header.
func liveHeader(kt keyType) *mapHeader {
	if kt == ktStr {
		return headerOf(unsafe.Pointer(&liveStr))
	}
	return headerOf(unsafe.Pointer(&liveU64))
}

// liveType returns the live map's type descriptor.
func liveType(kt keyType) *mapTypeDesc {
	if kt == ktStr {
		return mapTypeOf(liveStr)
	}
	return mapTypeOf(liveU64)
}

// hashWith is the map type's own hasher applied to k under seed.
func hashWith(mt *mapTypeDesc, kt keyType, k mapKey, seed uintptr) uint64 {
	if kt == ktStr {
		s := k.s
		return uint64(mt.hasher(unsafe.Pointer(&s), seed))
	}
	u := k.u
	return uint64(mt.hasher(unsafe.Pointer(&u), seed))
}

//go:noinline
func livePut(kt keyType, k mapKey, v uint64) {
	if kt == ktStr {
		liveStr[k.s] = v
	} else {
		liveU64[k.u] = v
	}
}

//go:noinline
func liveDel(kt keyType, k mapKey) {
	if kt == ktStr {
		delete(liveStr, k.s)
	} else {
		delete(liveU64, k.u)
	}
}

//go:noinline
func liveGet(kt keyType, k mapKey) (uint64, bool) {
	if kt == ktStr {
		v, ok := liveStr[k.s]
		return v, ok
	}
	v, ok := liveU64[k.u]
	return v, ok
}

//go:noinline
func liveClear(kt keyType) {
	if kt == ktStr {
		clear(liveStr)
	} else {
		clear(liveU64)
	}
}

// liveIter returns the keys in the order one range loop visits them.
//
//go:noinline
func liveIter(kt keyType) []mapKey {
	var ks []mapKey
	if kt == ktStr {
		for k := range liveStr {
			ks = append(ks, mapKey{s: k})
		}
	} else {
		for k := range liveU64 {
			ks = append(ks, mapKey{u: k})
		}
	}
	return ks
}

// liveHas tells whether k is in the live map (without recording anything).
func liveHas(kt keyType, k mapKey) bool {
	_, ok := liveGet(kt, k)
	return ok
}

// freshKey is fresh candidate n: 2^40+n, or "#n" for str maps.
func freshKey(kt keyType, n uint64) mapKey {
	if kt == ktStr {
		return mapKey{s: "#" + strconv.FormatUint(n, 10)}
	}
	return mapKey{u: 1<<40 + n}
}

// readKey reads the key stored at p (a slot's key).
func readKey(kt keyType, p unsafe.Pointer) mapKey {
	if kt == ktStr {
		return mapKey{s: *(*string)(p)}
	}
	return mapKey{u: *(*uint64)(p)}
}
