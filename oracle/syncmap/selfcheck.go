package main

// Startup verification: the views of mirror.go fit only Go 1.19's sync
// package on a 64-bit platform. Before recording, the recorder confirms
// through reflect that they have the real types' fields, offsets and sizes,
// and then that Maps driven through known ops show the states Go 1.19's
// algorithm must reach.

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

func selfCheck() error {
	v := runtime.Version()
	if v != "go1.19" && !strings.HasPrefix(v, "go1.19.") {
		return fmt.Errorf("built with %s; the views mirror Go 1.19's sync.Map and need go1.19.x", v)
	}
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return fmt.Errorf("needs a 64-bit platform")
	}
	for _, f := range []func() error{checkTypes, checkStates, checkRevive} {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// sameFields checks that real and view have the same fields, in order, with
// the same names, offsets and sizes, and the same size overall.
func sameFields(real, view reflect.Type) error {
	if real.Size() != view.Size() || real.NumField() != view.NumField() {
		return fmt.Errorf("%s is %d bytes with %d fields; its view %s is %d bytes with %d",
			real, real.Size(), real.NumField(), view, view.Size(), view.NumField())
	}
	for i := 0; i < real.NumField(); i++ {
		r, w := real.Field(i), view.Field(i)
		if r.Name != w.Name || r.Offset != w.Offset || r.Type.Size() != w.Type.Size() || r.Type.Kind() != w.Type.Kind() {
			return fmt.Errorf("%s field %d is %s %s at %d (%d bytes); the view has %s %s at %d (%d bytes)",
				real, i, r.Name, r.Type, r.Offset, r.Type.Size(), w.Name, w.Type, w.Offset, w.Type.Size())
		}
	}
	return nil
}

// checkTypes compares the views with sync's types as reflect sees them.
func checkTypes() error {
	mapType := reflect.TypeOf(sync.Map{})
	if err := sameFields(mapType, reflect.TypeOf(mapView{})); err != nil {
		return err
	}
	if got := mapType.Field(1).Type; got != reflect.TypeOf(atomic.Value{}) {
		return fmt.Errorf("sync.Map.read is %s, not atomic.Value", got)
	}
	anyType := reflect.TypeOf((*any)(nil)).Elem()
	dirty := mapType.Field(2).Type
	if dirty.Kind() != reflect.Map || dirty.Key() != anyType || dirty.Elem().Kind() != reflect.Pointer {
		return fmt.Errorf("sync.Map.dirty is %s, not map[any]*entry", dirty)
	}
	entryType := dirty.Elem().Elem()
	if entryType.String() != "sync.entry" {
		return fmt.Errorf("sync.Map.dirty's elements point to %s, not sync.entry", entryType)
	}
	if err := sameFields(entryType, reflect.TypeOf(entryView{})); err != nil {
		return err
	}
	if k := entryType.Field(0).Type.Kind(); k != reflect.UnsafePointer {
		return fmt.Errorf("sync.entry.p is a %s, not an unsafe.Pointer", k)
	}
	if syncExpunged == nil {
		return fmt.Errorf("sync.expunged, linked by name, is nil")
	}

	// The type of what read holds is only reachable through a stored value.
	var m sync.Map
	m.Store(1, 1)
	ro := viewOf(&m).read.Load()
	roType := reflect.TypeOf(ro)
	if roType == nil || roType.String() != "sync.readOnly" {
		return fmt.Errorf("sync.Map.read holds %v, not sync.readOnly", roType)
	}
	if err := sameFields(roType, reflect.TypeOf(readOnlyView{})); err != nil {
		return err
	}
	if roType.Field(0).Type != dirty {
		return fmt.Errorf("sync.readOnly.m is %s, not the dirty map's type %s", roType.Field(0).Type, dirty)
	}
	return nil
}

// want is a state in a compact form: read and dirty list "key=value",
// "key:deleted" or "key:expunged" by ascending key; dirty is "nil" when there
// is no dirty map.
type want struct {
	read, dirty string
	amended     bool
	misses      int
}

// compact renders st in want's form.
func compact(st state) want {
	var read, dirty []string
	show := func(k int, s *slot) string {
		if s.State == stateLive {
			return fmt.Sprintf("%d=%d", k, *s.Value)
		}
		return fmt.Sprintf("%d:%s", k, s.State)
	}
	for _, e := range st.Entries {
		if e.Read != nil {
			read = append(read, show(e.Key, e.Read))
		}
		if e.Dirty != nil {
			dirty = append(dirty, show(e.Key, e.Dirty))
		}
	}
	w := want{read: strings.Join(read, " "), dirty: strings.Join(dirty, " "), amended: st.Amended, misses: st.Misses}
	if st.DirtyLen == nil {
		w.dirty = "nil"
	}
	return w
}

// expect reads m's state and compares it with w after the step named what;
// it also checks the lengths and, for keys in both maps, that the maps share
// the entry (Go 1.19's dirty map never holds a copy of a read entry).
func expect(m *sync.Map, what string, w want) error {
	st, err := readState(m)
	if err != nil {
		return fmt.Errorf("after %s: %v", what, err)
	}
	if got := compact(st); got != w {
		return fmt.Errorf("after %s: the views show %+v, Go 1.19 must be at %+v", what, got, w)
	}
	inRead, inDirty := 0, 0
	for _, e := range st.Entries {
		if e.Read != nil {
			inRead++
		}
		if e.Dirty != nil {
			inDirty++
		}
		if e.Read != nil && e.Dirty != nil && !e.Shared {
			return fmt.Errorf("after %s: key %d has different entries in the read and dirty maps", what, e.Key)
		}
	}
	if inRead != st.ReadLen || (st.DirtyLen != nil && inDirty != *st.DirtyLen) {
		return fmt.Errorf("after %s: lengths %d/%v disagree with the entries walked", what, st.ReadLen, st.DirtyLen)
	}
	return nil
}

// checkStates drives a Map through every transition of its life cycle and
// compares each state the views show with what Go 1.19's algorithm reaches.
func checkStates() error {
	var m sync.Map
	steps := []struct {
		what string
		do   func() bool // false: the op's own result is wrong
		want want
	}{
		{"nothing", func() bool { return true }, want{"", "nil", false, 0}},
		{"Store(1, 10)", func() bool { m.Store(1, 10); return true }, want{"", "1=10", true, 0}},
		{"Store(2, 20)", func() bool { m.Store(2, 20); return true }, want{"", "1=10 2=20", true, 0}},
		{"Load(1), a miss", func() bool { v, ok := m.Load(1); return ok && v == 10 }, want{"", "1=10 2=20", true, 1}},
		{"Load(9), the 2nd miss: promotion", func() bool { _, ok := m.Load(9); return !ok }, want{"1=10 2=20", "nil", false, 0}},
		{"Store(1, 11), lock-free", func() bool { m.Store(1, 11); return true }, want{"1=11 2=20", "nil", false, 0}},
		{"Delete(2)", func() bool { m.Delete(2); return true }, want{"1=11 2:deleted", "nil", false, 0}},
		{"Store(3, 30), rebuilding dirty", func() bool { m.Store(3, 30); return true }, want{"1=11 2:expunged", "1=11 3=30", true, 0}},
		{"Store(2, 22), reviving", func() bool { m.Store(2, 22); return true }, want{"1=11 2=22", "1=11 2=22 3=30", true, 0}},
		{"Range: promotion", func() bool { n := 0; m.Range(func(_, _ any) bool { n++; return true }); return n == 3 }, want{"1=11 2=22 3=30", "nil", false, 0}},
	}
	for _, s := range steps {
		if !s.do() {
			return fmt.Errorf("%s returned a wrong result", s.what)
		}
		if err := expect(&m, s.what, s.want); err != nil {
			return err
		}
	}
	return nil
}

// checkRevive checks that an expunged entry is the same *entry the read map
// held before, that storing to it puts that very entry into the dirty map,
// and that the sentinel linked by name is the one sync writes.
func checkRevive() error {
	var m sync.Map
	m.Store(1, 1)
	m.Range(func(_, _ any) bool { return true })
	before := viewOf(&m).readOnly().m[1]
	m.Delete(1)
	m.Store(2, 2)
	v := viewOf(&m)
	e := v.readOnly().m[1]
	if e != before || atomic.LoadPointer(&e.p) != syncExpunged {
		return fmt.Errorf("Delete then a new key did not leave the read map's entry holding sync.expunged")
	}
	if _, ok := v.dirty[1]; ok {
		return fmt.Errorf("an expunged key is in the dirty map")
	}
	m.Store(1, 3)
	if v.dirty[1] != before {
		return fmt.Errorf("storing to an expunged key did not put its read entry into the dirty map")
	}
	return nil
}
