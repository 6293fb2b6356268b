package main

// Read-only views of the runtime's map data structures (64-bit): Go 1.19's
// runtime._type, maptype, hmap and mapextra, which keep this layout through
// Go 1.23 (1.21 moved the first two to internal/abi as abi.Type and
// abi.MapType, renaming fields only; see versions.go).
//
// The runtime does not export these types, so the oracle declares structs with
// the same field layout and casts runtime pointers to them. They are only ever
// used to read memory owned by the runtime; the oracle never allocates one.
// selfCheck (selfcheck.go) verifies at startup that the layout assumptions
// hold for the running toolchain, and the program refuses to run otherwise.

import "unsafe"

// typeHeader mirrors the common header of every runtime type descriptor.
type typeHeader struct {
	size       uintptr
	ptrdata    uintptr
	hash       uint32
	tflag      uint8
	align      uint8
	fieldAlign uint8
	kind       uint8
	equal      func(unsafe.Pointer, unsafe.Pointer) bool
	gcdata     *byte
	str        int32
	ptrToThis  int32
}

// mapTypeDesc mirrors the runtime descriptor of a map type. hasher is the
// function every map operation uses to hash a key: (pointer to key, seed).
type mapTypeDesc struct {
	typ        typeHeader
	key        *typeHeader
	elem       *typeHeader
	bucket     *typeHeader
	hasher     func(unsafe.Pointer, uintptr) uintptr
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
	flags      uint32
}

// mapHeader mirrors the runtime's map header (what a map value points to).
type mapHeader struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      *mapExtra
}

// mapExtra mirrors the optional part of the header: the GC bookkeeping slices
// of overflow buckets (pointer-free maps only) and the next free bucket of the
// preallocated overflow pool.
type mapExtra struct {
	overflow     *[]unsafe.Pointer
	oldoverflow  *[]unsafe.Pointer
	nextOverflow unsafe.Pointer
}

// ifaceWords is the two-word representation of an empty interface value.
type ifaceWords struct {
	typ  *typeHeader
	data unsafe.Pointer
}

const (
	slotsPerBucket = 8
	kindMask       = 0x1f
	kindUint64     = 11
	kindString     = 24
	kindMapType    = 21

	flagSameSize = 8
)

// typeOf returns the runtime type descriptor stored in an interface value.
func typeOf(v interface{}) *typeHeader {
	return (*ifaceWords)(unsafe.Pointer(&v)).typ
}

// offset returns p advanced by n bytes.
func offset(p unsafe.Pointer, n uintptr) unsafe.Pointer {
	return unsafe.Pointer(uintptr(p) + n)
}

// overflowOf reads the overflow link stored in the last word of a bucket.
func overflowOf(b unsafe.Pointer, bucketsize uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(offset(b, bucketsize-unsafe.Sizeof(uintptr(0))))
}

// topOf returns the 8 tophash bytes at the start of a bucket.
func topOf(b unsafe.Pointer) *[slotsPerBucket]uint8 {
	return (*[slotsPerBucket]uint8)(b)
}
