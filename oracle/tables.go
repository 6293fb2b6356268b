package main

// The two real Go maps the oracle drives. Every operation below is a plain Go
// map statement, so the compiler emits exactly the runtime calls a Go program
// would (mapassign_fast64, mapdelete_faststr, mapclear, ...).

import (
	"strconv"
	"unsafe"
)

// mapKey holds a key of either key type; which field is meaningful depends on
// the key type of the map it is used with.
type mapKey struct {
	u   uint64
	s   string
	str bool
}

func (k mapKey) String() string {
	if k.str {
		return strconv.Quote(k.s)
	}
	return strconv.FormatUint(k.u, 10)
}

type table interface {
	kt() string
	put(k mapKey, v uint64)
	del(k mapKey)
	get(k mapKey) (uint64, bool)
	clear()
	header() *mapHeader
	desc() *mapTypeDesc
	hash(k mapKey, seed uint32) uint64
	// readKey decodes the key stored in a bucket slot.
	readKey(slot unsafe.Pointer) mapKey
}

var (
	u64Desc = (*mapTypeDesc)(unsafe.Pointer(typeOf(map[uint64]uint64(nil))))
	strDesc = (*mapTypeDesc)(unsafe.Pointer(typeOf(map[string]uint64(nil))))
)

func newTable(kt string, hint int) table {
	if kt == "str" {
		return &strTable{m: make(map[string]uint64, hint)}
	}
	return &u64Table{m: make(map[uint64]uint64, hint)}
}

type u64Table struct{ m map[uint64]uint64 }

func (t *u64Table) kt() string                  { return "u64" }
func (t *u64Table) put(k mapKey, v uint64)      { t.m[k.u] = v }
func (t *u64Table) del(k mapKey)                { delete(t.m, k.u) }
func (t *u64Table) get(k mapKey) (uint64, bool) { v, ok := t.m[k.u]; return v, ok }
func (t *u64Table) desc() *mapTypeDesc          { return u64Desc }

// clear uses the range-and-delete loop, which the compiler (Go 1.19 and
// later) replaces with a single runtime.mapclear call (selfCheck confirms it
// did).
func (t *u64Table) clear() {
	m := t.m
	for k := range m {
		delete(m, k)
	}
}

func (t *u64Table) header() *mapHeader { return *(**mapHeader)(unsafe.Pointer(&t.m)) }

func (t *u64Table) hash(k mapKey, seed uint32) uint64 {
	x := k.u
	return uint64(u64Desc.hasher(unsafe.Pointer(&x), uintptr(seed)))
}

func (t *u64Table) readKey(slot unsafe.Pointer) mapKey { return mapKey{u: *(*uint64)(slot)} }

type strTable struct{ m map[string]uint64 }

func (t *strTable) kt() string                  { return "str" }
func (t *strTable) put(k mapKey, v uint64)      { t.m[k.s] = v }
func (t *strTable) del(k mapKey)                { delete(t.m, k.s) }
func (t *strTable) get(k mapKey) (uint64, bool) { v, ok := t.m[k.s]; return v, ok }
func (t *strTable) desc() *mapTypeDesc          { return strDesc }

func (t *strTable) clear() {
	m := t.m
	for k := range m {
		delete(m, k)
	}
}

func (t *strTable) header() *mapHeader { return *(**mapHeader)(unsafe.Pointer(&t.m)) }

func (t *strTable) hash(k mapKey, seed uint32) uint64 {
	x := k.s
	return uint64(strDesc.hasher(unsafe.Pointer(&x), uintptr(seed)))
}

func (t *strTable) readKey(slot unsafe.Pointer) mapKey {
	return mapKey{s: *(*string)(slot), str: true}
}
