package main

// Read-only views of Go 1.27's Swiss-table map (internal/runtime/maps) and of
// the map type descriptor (internal/abi.MapType), 64-bit little-endian only.
//
// The runtime exports none of these types, so the oracle declares structs
// with the same field order and casts runtime pointers to them; it only ever
// reads through them. selfCheck (selfcheck.go) proves at startup that each
// view matches the running runtime, and the oracle refuses to run otherwise.

import "unsafe"

// hashKey is the runtime's fallback hash key, drawn once per process.
// Go: internal/runtime/maps.hashkey
//
//go:linkname hashKey internal/runtime/maps.hashkey
var hashKey [4]uintptr

// useAESHash tells whether the runtime hashes with AES instructions; the
// oracle needs the fallback hash (GODEBUG=cpu.aes=off) so a replay can
// recompute every hash from hashKey.
// Go: internal/runtime/maps.UseAeshash
//
//go:linkname useAESHash internal/runtime/maps.UseAeshash
var useAESHash bool

// typeHeader mirrors the header every type descriptor starts with.
// Go: internal/abi.Type
type typeHeader struct {
	size       uintptr
	ptrBytes   uintptr
	hash       uint32
	tflag      uint8
	align      uint8
	fieldAlign uint8
	kind       uint8
	equal      func(unsafe.Pointer, unsafe.Pointer) bool
	gcData     *byte
	str        int32
	ptrToThis  int32
}

// mapTypeDesc mirrors a map type descriptor: key(i) lives at
// keysOff + i*keyStride of a group and elem(i) at elemsOff + i*elemStride,
// in both group layouts.
// Go: internal/abi.MapType
type mapTypeDesc struct {
	typ        typeHeader
	key        *typeHeader
	elem       *typeHeader
	group      *typeHeader
	hasher     func(unsafe.Pointer, uintptr) uintptr
	groupSize  uintptr
	keysOff    uintptr
	keyStride  uintptr
	elemsOff   uintptr
	elemStride uintptr
	elemOff    uintptr
	flags      uint32
}

const (
	// kindMask keeps the kind bits of typeHeader.kind.
	kindMask = 0x1f
	// kindMap is the kind number of a map type.
	kindMap = 21
	// flagIndirectKey and flagIndirectElem mark slots that hold pointers to
	// keys or elems over 128 bytes; our two map types must have neither.
	flagIndirectKey  = 4
	flagIndirectElem = 8
)

// mapHeader mirrors what a map value points to.
// Go: internal/runtime/maps.Map
type mapHeader struct {
	used              uint64
	seed              uintptr
	dirPtr            unsafe.Pointer // small map: its one group; else *[dirLen]*tableHeader
	dirLen            int
	globalDepth       uint8
	globalShift       uint8
	writing           uint8
	tombstonePossible bool
	clearSeq          uint64
}

// tableHeader mirrors one table of the directory.
// Go: internal/runtime/maps.table
type tableHeader struct {
	used       uint16
	capacity   uint16
	growthLeft uint16
	localDepth uint8
	index      int
	groups     unsafe.Pointer // lengthMask+1 groups of groupSize bytes
	lengthMask uint64
}

const (
	// groupSlots is the number of slots in a group.
	groupSlots = 8
	// ctrlEmpty and ctrlDeleted are the control bytes of an empty slot and
	// of a tombstone; 0x00..0x7F is a full slot holding H2 of its hash.
	ctrlEmpty   = 0x80
	ctrlDeleted = 0xFE
)

// eface mirrors an interface value holding a non-interface type.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// typeOf returns the type descriptor of v's dynamic type.
func typeOf(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// mapTypeOf returns the descriptor of the map type of m (a map value).
func mapTypeOf(m any) *mapTypeDesc { return (*mapTypeDesc)(typeOf(m)) }

// headerOf returns the header a map value points to (nil for a nil map).
// pm points to a variable of a map type.
func headerOf(pm unsafe.Pointer) *mapHeader { return *(**mapHeader)(pm) }

// tables returns the directory of a map with dirLen > 0.
func (h *mapHeader) directory() []*tableHeader {
	if h.dirLen == 0 {
		return nil
	}
	return unsafe.Slice((**tableHeader)(h.dirPtr), h.dirLen)
}

// groupAt returns group g of table t.
func (t *tableHeader) groupAt(mt *mapTypeDesc, g uint64) unsafe.Pointer {
	return unsafe.Add(t.groups, uintptr(g)*mt.groupSize)
}

// ctrlOf returns the 8 control bytes of a group, slot order.
func ctrlOf(group unsafe.Pointer) [groupSlots]uint8 { return *(*[groupSlots]uint8)(group) }

// slotKey and slotElem return the address of slot i's key and elem.
func slotKey(mt *mapTypeDesc, group unsafe.Pointer, i int) unsafe.Pointer {
	return unsafe.Add(group, mt.keysOff+uintptr(i)*mt.keyStride)
}

func slotElem(mt *mapTypeDesc, group unsafe.Pointer, i int) unsafe.Pointer {
	return unsafe.Add(group, mt.elemsOff+uintptr(i)*mt.elemStride)
}
