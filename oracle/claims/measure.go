package main

// Allocation, collection and memory measurements. Each one runs a function
// between two runtime.ReadMemStats calls (which stop the world and flush
// every per-P allocation cache, so the counts are exact to the object);
// maps that must live on the heap are stored in package-level sinks.

import (
	"runtime"
	"time"
)

var (
	sinkIntMap map[int]int
	sinkStrMap map[string]int
)

// memDelta is what the runtime's statistics moved by across one call.
type memDelta struct {
	Mallocs      uint64 `json:"mallocs"`
	Bytes        uint64 `json:"bytes"`
	NumGC        uint32 `json:"num_gc"`
	PauseTotalNs uint64 `json:"pause_total_ns"`
}

func delta(f func()) memDelta {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return memDelta{
		Mallocs:      b.Mallocs - a.Mallocs,
		Bytes:        b.TotalAlloc - a.TotalAlloc,
		NumGC:        b.NumGC - a.NumGC,
		PauseTotalNs: b.PauseTotalNs - a.PauseTotalNs,
	}
}

// quietest runs setup and then measures f, several times, and keeps the
// trial that counted the fewest objects. The runtime allocates for itself
// now and then (a worker goroutine, a timer) and MemStats counts those
// objects with ours; a background allocation can only add to a delta, so
// the quietest trial is f's own cost. Every caller measures something
// deterministic, which makes the minimum exact, not an estimate.
func quietest(setup, f func()) memDelta {
	const trials = 5
	var best memDelta
	for t := 0; t < trials; t++ {
		setup()
		d := delta(f)
		if t == 0 || d.Mallocs < best.Mallocs || (d.Mallocs == best.Mallocs && d.Bytes < best.Bytes) {
			best = d
		}
	}
	return best
}

func nothing() {}

func allocBytes(f func()) uint64 { return quietest(nothing, f).Bytes }

type bucketFacts struct {
	MapType          string `json:"map_type"`
	KeySize          uint8  `json:"key_size"`
	ElemSize         uint8  `json:"elem_size"`
	BucketSize       uint16 `json:"bucket_size"`
	FirstBucketAlloc uint64 `json:"first_bucket_alloc_bytes"`
}

// bucketSizes reads the bucket size from each map type's descriptor and
// measures what the first insert into an empty, escaping map allocates.
func bucketSizes() []bucketFacts {
	ti := mapTypeOf(map[int]int{})
	ts := mapTypeOf(map[string]int{})
	firstInt := quietest(func() { sinkIntMap = make(map[int]int) }, func() { sinkIntMap[1] = 1 }).Bytes
	firstStr := quietest(func() { sinkStrMap = make(map[string]int) }, func() { sinkStrMap["a"] = 1 }).Bytes
	sinkIntMap, sinkStrMap = nil, nil
	return []bucketFacts{
		{"map[int]int", ti.keysize, ti.elemsize, ti.bucketsize, firstInt},
		{"map[string]int", ts.keysize, ts.elemsize, ts.bucketsize, firstStr},
	}
}

type hintFacts struct {
	MapType string `json:"map_type"`
	Hint    int    `json:"hint"`
	B       uint8  `json:"b"`
	Mallocs uint64 `json:"mallocs"`
	Bytes   uint64 `json:"bytes"`
}

// hints measures make(map, hint) of an escaping map: its B and what it
// allocates (the header and, for B > 0, the bucket array with its pool).
func hints() []hintFacts {
	var out []hintFacts
	for _, hint := range []int{0, 8, 9, 100, 1024} {
		var b uint8
		d := quietest(nothing, func() { sinkIntMap = make(map[int]int, hint) })
		b = headerOf(sinkIntMap).B
		out = append(out, hintFacts{"map[int]int", hint, b, d.Mallocs, d.Bytes})
		d = quietest(nothing, func() { sinkStrMap = make(map[string]int, hint) })
		b = headerOf(sinkStrMap).B
		out = append(out, hintFacts{"map[string]int", hint, b, d.Mallocs, d.Bytes})
	}
	sinkIntMap, sinkStrMap = nil, nil
	return out
}

type stackFacts struct {
	Inserts int    `json:"inserts"`
	Mallocs uint64 `json:"mallocs"`
	Bytes   uint64 `json:"bytes"`
}

//go:noinline
func localMap(n int) int {
	m := make(map[int]int)
	for i := 0; i < n; i++ {
		m[i] = i
	}
	return len(m)
}

// stackMaps measures a map that does not escape: the compiler places its
// header and first bucket in the frame, so up to 8 inserts allocate nothing.
func stackMaps() []stackFacts {
	var out []stackFacts
	for _, n := range []int{0, 1, 8, 9} {
		d := quietest(nothing, func() { localMap(n) })
		out = append(out, stackFacts{n, d.Mallocs, d.Bytes})
	}
	return out
}

type fillFacts struct {
	Hint             int      `json:"hint"`
	Keys             int      `json:"keys"`
	FirstInsert      memDelta `json:"first_insert"`
	Fill             memDelta `json:"fill"`
	FinalB           uint8    `json:"final_b"`
	FillNanos        int64    `json:"fill_ns"`
	HeapInuseAfterGC uint64   `json:"heap_inuse_after_gc"`
}

// fills makes an escaping map[int]int with each hint and fills it with keys
// 0..n-1, after a collection, measuring the first insert and the whole fill
// (make included) separately.
func fills() []fillFacts {
	var out []fillFacts
	for _, c := range []struct{ hint, n int }{{0, 1024}, {1024, 1024}, {0, 1 << 18}, {1 << 18, 1 << 18}} {
		first := quietest(func() { sinkIntMap = make(map[int]int, c.hint) }, func() { sinkIntMap[0] = 0 })
		sinkIntMap = nil
		runtime.GC()
		var took time.Duration
		fill := delta(func() {
			start := time.Now()
			m := make(map[int]int, c.hint)
			for i := 0; i < c.n; i++ {
				m[i] = i
			}
			took = time.Since(start)
			sinkIntMap = m
		})
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		out = append(out, fillFacts{c.hint, c.n, first, fill, headerOf(sinkIntMap).B, took.Nanoseconds(), ms.HeapInuse})
		sinkIntMap = nil
	}
	runtime.GC()
	return out
}

type memPoint struct {
	Count     int    `json:"count"`
	B         uint8  `json:"b"`
	Noverflow uint16 `json:"noverflow"`
	Buckets   bool   `json:"buckets_allocated"`
	HeapInuse uint64 `json:"heap_inuse"`
}

type shrinkFacts struct {
	How    string   `json:"how"`
	Keys   int      `json:"keys"`
	Before memPoint `json:"before"`
	After  memPoint `json:"after_delete"`
	Drop   memPoint `json:"after_drop"`
}

func point(m map[int]int) memPoint {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if m == nil {
		return memPoint{HeapInuse: ms.HeapInuse}
	}
	h := headerOf(m)
	return memPoint{h.count, h.B, h.noverflow, h.buckets != nil, ms.HeapInuse}
}

// shrinks fills a map with 2^18 keys, deletes every key (one delete per key,
// or the range-delete loop the compiler turns into runtime.mapclear), and
// reads B and the heap in use after a collection; then drops the map.
func shrinks() []shrinkFacts {
	const n = 1 << 18
	var out []shrinkFacts
	for _, how := range []string{"delete-each", "range-delete"} {
		sinkIntMap = nil
		m := make(map[int]int)
		for i := 0; i < n; i++ {
			m[i] = i
		}
		sinkIntMap = m
		s := shrinkFacts{How: how, Keys: n, Before: point(sinkIntMap)}
		if how == "delete-each" {
			for i := 0; i < n; i++ {
				delete(m, i)
			}
		} else {
			for k := range m {
				delete(m, k)
			}
		}
		s.After = point(sinkIntMap)
		m, sinkIntMap = nil, nil
		s.Drop = point(nil)
		out = append(out, s)
	}
	return out
}

type nilWriteFacts struct {
	Recovered      bool   `json:"recovered"`
	Message        string `json:"message"`
	IsRuntimeError bool   `json:"is_runtime_error"`
}

// nilMapWrite writes to a nil map under a deferred recover: an ordinary,
// recoverable run-time panic, unlike the concurrent-write fatal error.
func nilMapWrite() (f nilWriteFacts) {
	defer func() {
		r := recover()
		f.Recovered = r != nil
		if e, ok := r.(runtime.Error); ok {
			f.IsRuntimeError = true
			f.Message = e.Error()
		} else if r != nil {
			f.Message = "non-error panic value"
		}
	}()
	var m map[string]int
	m["a"] = 1
	return f
}
