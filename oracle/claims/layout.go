package main

// The map header, measured two independent ways: go/types lays out the
// header as declared in the toolchain's own runtime/map.go (with the gc
// compiler's sizes for this GOARCH), and a mirror struct declared here is
// checked field by field against that layout and then against live maps,
// each field by a behaviour only that field shows.

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"unsafe"
)

// hmapMirror has the field layout of Go 1.19's runtime header (the value a
// map variable points to). Only ever read through pointers the runtime owns.
type hmapMirror struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      *extraMirror
}

// extraMirror has the layout of the header's optional part.
type extraMirror struct {
	overflow     unsafe.Pointer
	oldoverflow  unsafe.Pointer
	nextOverflow unsafe.Pointer
}

// typeMirror has the layout of the common header of a runtime type descriptor.
type typeMirror struct {
	size       uintptr
	ptrdata    uintptr
	hash       uint32
	tflag      uint8
	align      uint8
	fieldAlign uint8
	kind       uint8
	equal      unsafe.Pointer
	gcdata     unsafe.Pointer
	str        int32
	ptrToThis  int32
}

// mapTypeMirror has the layout of a map type descriptor.
type mapTypeMirror struct {
	typ        typeMirror
	key        *typeMirror
	elem       *typeMirror
	bucket     *typeMirror
	hasher     unsafe.Pointer
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
	flags      uint32
}

const (
	kindMap    = 21 // a type descriptor's kind for maps
	minTopHash = 5  // the least tophash of a live slot; below it are empty/evacuated marks
)

// headerOf returns the runtime header behind a map value (nil for a nil map).
func headerOf[K comparable, V any](m map[K]V) *hmapMirror {
	return *(**hmapMirror)(unsafe.Pointer(&m))
}

// mapTypeOf returns the runtime descriptor of the map type of m.
func mapTypeOf[K comparable, V any](m map[K]V) *mapTypeMirror {
	var e interface{} = m
	return (*mapTypeMirror)((*[2]unsafe.Pointer)(unsafe.Pointer(&e))[0])
}

type fieldFacts struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}

type checkFacts struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

type layoutFacts struct {
	Source        string       `json:"source"`
	HmapSize      int64        `json:"hmap_size"`
	MapextraSize  int64        `json:"mapextra_size"`
	Fields        []fieldFacts `json:"fields"`
	ExtraFields   []fieldFacts `json:"extra_fields"`
	Constants     []constFacts `json:"constants"`
	MirrorSize    int64        `json:"mirror_size"`
	HmapAllocSize int64        `json:"hmap_alloc_bytes"`
	Checks        []checkFacts `json:"checks"`
}

type constFacts struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// sourceConsts are the map.go constants reported (all plain integer literals
// or expressions of each other in Go 1.19).
var sourceConsts = []string{"bucketCntBits", "bucketCnt", "loadFactorNum", "loadFactorDen",
	"maxKeySize", "maxElemSize", "emptyRest", "emptyOne", "evacuatedX", "evacuatedY",
	"evacuatedEmpty", "minTopHash", "iterator", "oldIterator", "hashWriting", "sameSizeGrow"}

// layout type-checks the declarations of hmap, mapextra and bmap (and the
// constants they need) taken from GOROOT/src/runtime/map.go.
func layout(goroot string) (*layoutFacts, error) {
	src := filepath.Join(goroot, "src", "runtime", "map.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, src, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the runtime's map header declaration: %v", err)
	}
	want := map[string]bool{"hmap": true, "mapextra": true, "bmap": true}
	for _, c := range sourceConsts {
		want[c] = true
	}
	var decls []ast.Decl
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || (g.Tok != token.TYPE && g.Tok != token.CONST) {
			continue
		}
		var specs []ast.Spec
		for _, s := range g.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				if want[s.Name.Name] {
					specs = append(specs, s)
				}
			case *ast.ValueSpec:
				if len(s.Names) == 1 && len(s.Values) == 1 && want[s.Names[0].Name] {
					specs = append(specs, s)
				}
			}
		}
		if len(specs) > 0 {
			decls = append(decls, &ast.GenDecl{Tok: g.Tok, Specs: specs})
		}
	}
	unsafeImport := &ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{&ast.ImportSpec{
		Path: &ast.BasicLit{Kind: token.STRING, Value: `"unsafe"`}}}}
	file := &ast.File{Name: ast.NewIdent("runtime"), Decls: append([]ast.Decl{unsafeImport}, decls...)}
	sizes := types.SizesFor("gc", runtime.GOARCH)
	conf := types.Config{Importer: importer.Default(), Sizes: sizes}
	pkg, err := conf.Check("runtime", fset, []*ast.File{file}, nil)
	if err != nil {
		return nil, fmt.Errorf("type-checking the map header from %s: %v", src, err)
	}
	structOf := func(name string) (*types.Struct, error) {
		o := pkg.Scope().Lookup(name)
		if o == nil {
			return nil, fmt.Errorf("%s declares no type %s", src, name)
		}
		s, ok := o.Type().Underlying().(*types.Struct)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not a struct", src, name)
		}
		return s, nil
	}
	fieldsOf := func(s *types.Struct) []fieldFacts {
		vars := make([]*types.Var, s.NumFields())
		for i := range vars {
			vars[i] = s.Field(i)
		}
		offs := sizes.Offsetsof(vars)
		out := make([]fieldFacts, len(vars))
		for i, v := range vars {
			out[i] = fieldFacts{Name: v.Name(), Type: types.TypeString(v.Type(), types.RelativeTo(pkg)),
				Offset: offs[i], Size: sizes.Sizeof(v.Type())}
		}
		return out
	}
	h, err := structOf("hmap")
	if err != nil {
		return nil, err
	}
	x, err := structOf("mapextra")
	if err != nil {
		return nil, err
	}
	lf := &layoutFacts{
		Source:       src,
		HmapSize:     sizes.Sizeof(h),
		MapextraSize: sizes.Sizeof(x),
		Fields:       fieldsOf(h),
		ExtraFields:  fieldsOf(x),
		MirrorSize:   int64(unsafe.Sizeof(hmapMirror{})),
	}
	for _, name := range sourceConsts {
		o, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok {
			return nil, fmt.Errorf("%s declares no constant %s", src, name)
		}
		v, exact := constantInt64(o)
		if !exact {
			return nil, fmt.Errorf("%s: constant %s is not an int64", src, name)
		}
		lf.Constants = append(lf.Constants, constFacts{Name: name, Value: v})
	}
	lf.HmapAllocSize = int64(allocBytes(func() { sinkIntMap = make(map[int]int) }))
	lf.Checks = liveChecks(lf)
	return lf, nil
}

// mirrorFields lists the mirror's fields in declaration order.
func mirrorFields() []fieldFacts {
	var h hmapMirror
	return []fieldFacts{
		{"count", "", int64(unsafe.Offsetof(h.count)), int64(unsafe.Sizeof(h.count))},
		{"flags", "", int64(unsafe.Offsetof(h.flags)), int64(unsafe.Sizeof(h.flags))},
		{"B", "", int64(unsafe.Offsetof(h.B)), int64(unsafe.Sizeof(h.B))},
		{"noverflow", "", int64(unsafe.Offsetof(h.noverflow)), int64(unsafe.Sizeof(h.noverflow))},
		{"hash0", "", int64(unsafe.Offsetof(h.hash0)), int64(unsafe.Sizeof(h.hash0))},
		{"buckets", "", int64(unsafe.Offsetof(h.buckets)), int64(unsafe.Sizeof(h.buckets))},
		{"oldbuckets", "", int64(unsafe.Offsetof(h.oldbuckets)), int64(unsafe.Sizeof(h.oldbuckets))},
		{"nevacuate", "", int64(unsafe.Offsetof(h.nevacuate)), int64(unsafe.Sizeof(h.nevacuate))},
		{"extra", "", int64(unsafe.Offsetof(h.extra)), int64(unsafe.Sizeof(h.extra))},
	}
}

func check(name string, ok bool, format string, args ...interface{}) checkFacts {
	return checkFacts{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)}
}

// liveChecks confirms the mirror against the source layout and then reads
// live maps through it, one behaviour per field.
func liveChecks(lf *layoutFacts) []checkFacts {
	var out []checkFacts
	mf := mirrorFields()
	same := len(mf) == len(lf.Fields)
	for i := 0; same && i < len(mf); i++ {
		s := lf.Fields[i]
		same = mf[i].Name == s.Name && mf[i].Offset == s.Offset && mf[i].Size == s.Size
	}
	out = append(out, check("mirror-matches-source", same && lf.MirrorSize == lf.HmapSize,
		"mirror %d bytes, map.go's hmap %d bytes; fields agree: %v", lf.MirrorSize, lf.HmapSize, same))
	if !same {
		return out // reading live maps through a wrong mirror would mean nothing
	}

	// count (offset 0): len() of a map as it changes.
	m := make(map[int]int)
	okCount := true
	for i := 0; i < 100; i++ {
		m[i] = i
		okCount = okCount && headerOf(m).count == len(m)
	}
	for i := 0; i < 50; i++ {
		delete(m, i)
		okCount = okCount && headerOf(m).count == len(m)
	}
	out = append(out, check("count", okCount, "header count equals len() after each of 100 inserts and 50 deletes"))

	// B (offset 9): the B that make(map, hint) picks for a range of hints.
	okB, detail := true, ""
	for _, hint := range []int{0, 8, 9, 13, 14, 100, 1024, 10000} {
		got, want := headerOf(make(map[int]int, hint)).B, expectedB(hint)
		okB = okB && got == want
		detail += fmt.Sprintf("hint %d: B=%d (want %d); ", hint, got, want)
	}
	out = append(out, check("B", okB, "%s", detail))

	// buckets (16) and extra (40): a hinted map's array is allocated at
	// make, and the preallocated overflow pool starts right after 2^B buckets.
	mt := mapTypeOf(m)
	h100 := make(map[int]int, 100)
	hh := headerOf(h100)
	poolStart := unsafe.Add(hh.buckets, uintptr(1)<<hh.B*uintptr(mt.bucketsize))
	okExtra := hh.buckets != nil && hh.extra != nil && hh.extra.nextOverflow == poolStart
	out = append(out, check("buckets+extra", okExtra,
		"make(map[int]int, 100): B=%d, buckets set: %v, extra.nextOverflow = buckets + 2^B*%d: %v",
		hh.B, hh.buckets != nil, mt.bucketsize, okExtra))
	e := make(map[int]int)
	sinkIntMap = e
	nilBefore := headerOf(e).buckets == nil
	e[1] = 1
	out = append(out, check("buckets-lazy", nilBefore && headerOf(e).buckets != nil,
		"make(map[int]int) that escapes: buckets nil until the first insert: %v, set after: %v",
		nilBefore, headerOf(e).buckets != nil))
	sinkIntMap = nil

	// oldbuckets (24) and nevacuate (32): the 105th insert into a map at B=4
	// starts a doubling; the old array is the previous one and evacuation
	// proceeds a bucket or two per write until nevacuate reaches 16.
	g := make(map[int]int)
	for i := 0; i < 104; i++ {
		g[i] = i
	}
	before := headerOf(g).buckets
	bBefore := headerOf(g).B
	g[104] = 104
	gh := headerOf(g)
	started := gh.B == bBefore+1 && gh.oldbuckets == before && gh.nevacuate >= 1 && gh.nevacuate < 16
	startDetail := fmt.Sprintf("after insert 105: B %d->%d, oldbuckets is the old array: %v, nevacuate %d",
		bBefore, gh.B, gh.oldbuckets == before, gh.nevacuate)
	for i := 0; i < 32 && gh.oldbuckets != nil; i++ {
		g[i] = -i // overwrites do evacuation work too
	}
	finished := gh.oldbuckets == nil && gh.nevacuate == 16
	out = append(out, check("oldbuckets+nevacuate", started && finished,
		"%s; after overwrites: oldbuckets nil: %v, nevacuate %d", startDetail, gh.oldbuckets == nil, gh.nevacuate))

	// flags (8): the iterator bit is set while a range loop runs.
	flagsBefore := headerOf(g).flags
	var flagsDuring uint8
	for range g {
		flagsDuring = headerOf(g).flags
		break
	}
	out = append(out, check("flags", flagsBefore == 0 && flagsDuring&1 == 1,
		"flags %#x before a range loop, %#x inside it (iterator = 1)", flagsBefore, flagsDuring))

	// hash0 (12): a map reseeds when its last key is deleted.
	s := map[int]int{1: 1}
	seed0 := headerOf(s).hash0
	s[2] = 2
	seedKept := headerOf(s).hash0 == seed0
	delete(s, 1)
	delete(s, 2)
	out = append(out, check("hash0", seedKept && headerOf(s).hash0 != seed0,
		"seed kept by an insert: %v; changed when the map emptied: %v", seedKept, headerOf(s).hash0 != seed0))

	// noverflow (10): the overflow buckets found by walking every chain of a
	// crowded map (B = 8, 1600 keys) equal the header's count, and the live
	// slots found equal count.
	c := make(map[int]int, 1600)
	for i := 0; i < 1600; i++ {
		c[i] = i
	}
	ch := headerOf(c)
	ovf, live := walkChains(ch, uintptr(mt.bucketsize))
	out = append(out, check("noverflow", ch.oldbuckets == nil && int(ch.noverflow) == ovf && live == ch.count && ovf > 0,
		"B=%d, 1600 keys: noverflow %d, overflow buckets on the chains %d, live slots %d", ch.B, ch.noverflow, ovf, live))

	// The type descriptor mirror, used for bucket sizes.
	ti := mapTypeOf(map[int]int{})
	ts := mapTypeOf(map[string]int{})
	okType := ti.typ.size == 8 && ti.typ.kind&0x1f == kindMap && ti.key.size == 8 && ts.key.size == 16 &&
		ti.elem.size == 8 && ti.bucket.size == uintptr(ti.bucketsize) && ts.bucket.size == uintptr(ts.bucketsize)
	out = append(out, check("map-type-descriptor", okType,
		"map type: size %d, kind %d; key sizes %d/%d; bucket type size = bucketsize: %d/%d",
		ti.typ.size, ti.typ.kind&0x1f, ti.key.size, ts.key.size, ti.bucket.size, ts.bucket.size))
	return out
}

// expectedB is make(map, hint)'s B: the least B with hint <= 6.5 * 2^B, or 0
// for hint <= 8 (one bucket holds 8).
func expectedB(hint int) uint8 {
	var b uint8
	for hint > 8 && uint64(hint) > 13*(uint64(1)<<b)/2 {
		b++
	}
	return b
}

// walkChains counts the overflow buckets and live slots on every chain of a
// map that is not growing.
func walkChains(h *hmapMirror, bucketsize uintptr) (overflow, live int) {
	for i := uintptr(0); i < uintptr(1)<<h.B; i++ {
		b := unsafe.Add(h.buckets, i*bucketsize)
		for first := true; b != nil; first = false {
			if !first {
				overflow++
			}
			top := (*[8]uint8)(b)
			for _, t := range top {
				if t >= minTopHash {
					live++
				}
			}
			b = *(*unsafe.Pointer)(unsafe.Add(b, bucketsize-unsafe.Sizeof(uintptr(0))))
		}
	}
	return overflow, live
}

func constantInt64(c *types.Const) (int64, bool) {
	var v int64
	_, err := fmt.Sscan(c.Val().ExactString(), &v)
	return v, err == nil
}
