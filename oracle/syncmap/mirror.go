package main

// Read-only views of Go 1.19's sync.Map (src/sync/map.go, 64-bit).
//
// sync keeps all of Map's state in unexported fields, so the recorder declares
// structs with the same field layout and reads a Map through them. The views
// are only ever read, from the one goroutine that also runs every operation,
// so no lock is needed; selfCheck (selfcheck.go) compares them with the real
// types through reflect and with states reached by known operations before
// anything is recorded.

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// mapView mirrors sync.Map.
type mapView struct {
	mu     sync.Mutex         // guards dirty and misses
	read   atomic.Value       // holds a readOnly (see readOnlyView); empty in a zero Map
	dirty  map[any]*entryView // nil between a promotion and the next new key
	misses int                // loads that took the lock since the last promotion
}

// readOnlyView mirrors sync.readOnly, the value read holds.
type readOnlyView struct {
	m       map[any]*entryView // the read map
	amended bool               // dirty has a key m lacks
}

// entryView mirrors sync.entry: p is nil (deleted), the package's expunged
// sentinel (deleted and left out of dirty), or a *any holding the value.
//
// Reading sync's map[any]*entry as map[any]*entryView is sound because the two
// map types have the same key type, the same hasher and pointer-sized
// elements, so the runtime lays out and walks their buckets alike.
type entryView struct {
	p unsafe.Pointer
}

// syncExpunged is sync's own expunged sentinel, the pointer every expunged
// entry holds.
//
//go:linkname syncExpunged sync.expunged
var syncExpunged unsafe.Pointer

// ifaceWords is the two-word layout of an interface value.
type ifaceWords struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// viewOf returns the view of m.
func viewOf(m *sync.Map) *mapView {
	return (*mapView)(unsafe.Pointer(m))
}

// readOnly returns the read map and the amended flag. A zero Map has stored
// nothing in read yet, which sync treats as an empty, unamended read map.
func (v *mapView) readOnly() readOnlyView {
	r := v.read.Load()
	if r == nil {
		return readOnlyView{}
	}
	// A readOnly is two words, so the interface holds a pointer to a copy.
	return *(*readOnlyView)((*ifaceWords)(unsafe.Pointer(&r)).data)
}

// entryState names what an entry's p holds.
type entryState string

const (
	stateLive     entryState = "live"     // p points at the value
	stateDeleted  entryState = "deleted"  // p is nil
	stateExpunged entryState = "expunged" // p is the sentinel
)

// state reads e.p once and returns its state and, if live, the value.
func (e *entryView) state() (entryState, any) {
	p := atomic.LoadPointer(&e.p)
	switch p {
	case nil:
		return stateDeleted, nil
	case syncExpunged:
		return stateExpunged, nil
	default:
		return stateLive, *(*any)(p)
	}
}
