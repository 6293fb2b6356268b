// Command gomapbench runs the gomap benchmark workloads on Go's own map
// with the same keys as the Rust benches, and prints JSON. It means the same
// under every toolchain it is built with: scripts/bench.sh builds it with
// Go 1.19 (the classic map GoMap reproduces) and with Go 1.27.3 (the Swiss
// map SwissMap reproduces), and -label names the build in the output.
//
//	go run . -mode bench [-quick] [-big]   ns/op per workload, key type and N
//	go run . -mode latency -n 10000000     every insert timed, no hint, 3 runs
//	go run . -mode latency -map none       the same timing loop without a map
//	go run . -mode memory -n 10000000      peak and final RSS after n inserts
//	go run . -mode keys                    first keys and checksums (cross-check)
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU returns the calling OS thread's CPU time in nanoseconds
// (CLOCK_THREAD_CPUTIME_ID); main locks its goroutine to one thread, so this
// is the benchmark's own CPU time, without the time it spent descheduled.
func threadCPU() int64 {
	var ts syscall.Timespec
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		panic(errno)
	}
	return ts.Nano()
}

// clock is the benches' clock: thread CPU time, or wall time with
// GOMAP_BENCH_CLOCK=wall (as in the Rust benches).
var clock = threadCPU

func wallNs() int64 { return time.Now().UnixNano() }

type result struct {
	Key      string  `json:"key"`
	Workload string  `json:"workload"`
	N        int     `json:"n"`
	NsPerOp  float64 `json:"ns_per_op"`
	Samples  int     `json:"samples"`
}

var (
	quick   bool
	sink    uint64
	measure time.Duration
	warm    time.Duration
)

// sample runs setup (untimed) and f (timed) until there are at least 10
// samples and the measurement time has passed, after a warm-up; returns the
// median of the per-op times. A sample batches enough runs of f to last about
// 200µs, so small N is not dominated by the clock.
func sample(ops int, setup func(), f func()) (float64, int) {
	best := int64(1 << 62)
	deadline := time.Now().Add(warm)
	for runs := 0; runs < 2 || time.Now().Before(deadline); runs++ {
		setup()
		t := clock()
		f()
		if d := clock() - t; d < best {
			best = d
		}
	}
	batch := 1
	if best > 0 && best < 200000 {
		batch = int(200000 / best)
	}
	var per []float64
	deadline = time.Now().Add(measure)
	for len(per) < 10 || time.Now().Before(deadline) {
		var total int64
		for i := 0; i < batch; i++ {
			setup()
			if i == 0 {
				runtime.GC()
			}
			t := clock()
			f()
			total += clock() - t
		}
		per = append(per, float64(total)/float64(batch*ops))
		if len(per) >= 1000 {
			break
		}
	}
	sort.Float64s(per)
	m := len(per) / 2
	med := per[m]
	if len(per)%2 == 0 {
		med = (per[m-1] + per[m]) / 2
	}
	return med, len(per)
}

func benchU64(n int) []result {
	all := u64Keys(max(2*n, mixedKeyCount(n, mixedOps)))
	keys, misses := all[:n], all[n:2*n]
	order := shuffledIndices(n)
	probes := make([]uint64, n)
	for i, j := range order {
		probes[i] = keys[j]
	}
	build := func() map[uint64]uint64 {
		m := make(map[uint64]uint64)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		return m
	}
	full := build()
	ops := mixedOpsFor(n, mixedOps)
	var work map[uint64]uint64
	nop := func() {}
	var out []result
	add := func(w string, ops int, setup func(), f func()) {
		ns, s := sample(ops, setup, f)
		out = append(out, result{"u64", w, n, ns, s})
	}
	add("insert", n, nop, func() {
		m := make(map[uint64]uint64)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		work = m
	})
	add("insert_hint", n, nop, func() {
		m := make(map[uint64]uint64, n)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		work = m
	})
	add("lookup_hit", n, nop, func() {
		var s uint64
		for _, k := range probes {
			v, ok := full[k]
			if !ok {
				v = 1
			}
			s += v
		}
		sink += s
	})
	add("lookup_miss", n, nop, func() {
		var s uint64
		for _, k := range misses {
			v, ok := full[k]
			if !ok {
				v = 1
			}
			s += v
		}
		sink += s
	})
	add("remove", n, func() { work = build() }, func() {
		m := work
		for _, k := range probes {
			delete(m, k)
		}
	})
	add("iterate", n, nop, func() {
		var s uint64
		for _, v := range full {
			s += v
		}
		sink += s
	})
	add("mixed", mixedOps, func() { work = build() }, func() {
		m := work
		var s uint64
		for _, op := range ops {
			k := all[op.Idx]
			switch op.Kind {
			case opLookup:
				v, ok := m[k]
				if !ok {
					v = 1
				}
				s += v
			case opInsert:
				m[k] = uint64(op.Idx)
			case opRemove:
				delete(m, k)
			}
		}
		sink += s
	})
	_ = work
	return out
}

// cloneString returns a copy with its own backing array, so lookups do not
// take Go's pointer-equality shortcut (a caller's probe strings are usually
// separate allocations; the Rust benches use separate Strings too).
func cloneString(s string) string { return string(append([]byte(nil), s...)) }

func benchString(n int) []result {
	all := stringKeys(max(2*n, mixedKeyCount(n, mixedOps)))
	keys, misses := all[:n], all[n:2*n]
	order := shuffledIndices(n)
	probes := make([]string, n)
	for i, j := range order {
		probes[i] = cloneString(keys[j])
	}
	mixKeys := make([]string, mixedKeyCount(n, mixedOps))
	for i := range mixKeys {
		mixKeys[i] = cloneString(all[i])
	}
	build := func() map[string]uint64 {
		m := make(map[string]uint64)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		return m
	}
	full := build()
	ops := mixedOpsFor(n, mixedOps)
	var work map[string]uint64
	nop := func() {}
	var out []result
	add := func(w string, ops int, setup func(), f func()) {
		ns, s := sample(ops, setup, f)
		out = append(out, result{"string", w, n, ns, s})
	}
	add("insert", n, nop, func() {
		m := make(map[string]uint64)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		work = m
	})
	add("insert_hint", n, nop, func() {
		m := make(map[string]uint64, n)
		for i, k := range keys {
			m[k] = uint64(i)
		}
		work = m
	})
	add("lookup_hit", n, nop, func() {
		var s uint64
		for _, k := range probes {
			v, ok := full[k]
			if !ok {
				v = 1
			}
			s += v
		}
		sink += s
	})
	add("lookup_miss", n, nop, func() {
		var s uint64
		for _, k := range misses {
			v, ok := full[k]
			if !ok {
				v = 1
			}
			s += v
		}
		sink += s
	})
	add("remove", n, func() { work = build() }, func() {
		m := work
		for _, k := range probes {
			delete(m, k)
		}
	})
	add("iterate", n, nop, func() {
		var s uint64
		for _, v := range full {
			s += v
		}
		sink += s
	})
	add("mixed", mixedOps, func() { work = build() }, func() {
		m := work
		var s uint64
		for _, op := range ops {
			switch op.Kind {
			case opLookup:
				v, ok := m[mixKeys[op.Idx]]
				if !ok {
					v = 1
				}
				s += v
			case opInsert:
				m[all[op.Idx]] = uint64(op.Idx)
			case opRemove:
				delete(m, mixKeys[op.Idx])
			}
		}
		sink += s
	})
	_ = work
	return out
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// procStatus returns a size field of /proc/self/status ("VmHWM", the peak
// resident set, or "VmRSS", the current one) in bytes, or -1.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field+":") {
			fields := strings.Fields(line)
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return -1
}

// vmHWM returns the process's peak resident set size in bytes.
func vmHWM() int64 { return procStatus("VmHWM") }

// minorFaults returns the minor page faults the calling thread has taken
// (getrusage(RUSAGE_THREAD)).
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		panic(err)
	}
	return ru.Minflt
}

// inserter is one latency subject: a fresh Go map, or none (the timing
// loop alone).
type inserter interface {
	put(k, v uint64)
	size() int
}

type goMap map[uint64]uint64

func (m goMap) put(k, v uint64) { m[k] = v }
func (m goMap) size() int       { return len(m) }

// noMap is the timing loop's floor: the key is produced and kept (as a
// black_box would), nothing else.
type noMap struct{ n int }

func (m *noMap) put(k, v uint64) { sink += k ^ v; m.n++ }
func (m *noMap) size() int       { return m.n }

// timedPass inserts the key stream into m, writing each insert's wall and
// thread CPU time into wall[i] and cpu[i], and returns the pass's wall time.
// The goMap case is written out so the insert is a plain map assignment,
// with no interface call in the timed loop.
func timedPass(m inserter, wall, cpu []uint32) time.Duration {
	// As mapstat does: wall time and thread CPU time between two clock reads
	// around each insert.
	n := len(wall)
	r := splitMix64{seed}
	start := time.Now()
	prev := start
	prevCPU := threadCPU()
	if gm, ok := m.(goMap); ok {
		for i := 0; i < n; i++ {
			gm[r.next()] = uint64(i)
			now := time.Now()
			nowCPU := threadCPU()
			wall[i] = clamp32(now.Sub(prev).Nanoseconds())
			cpu[i] = clamp32(nowCPU - prevCPU)
			prev, prevCPU = now, nowCPU
		}
	} else {
		for i := 0; i < n; i++ {
			m.put(r.next(), uint64(i))
			now := time.Now()
			nowCPU := threadCPU()
			wall[i] = clamp32(now.Sub(prev).Nanoseconds())
			cpu[i] = clamp32(nowCPU - prevCPU)
			prev, prevCPU = now, nowCPU
		}
	}
	total := time.Since(start)
	if m.size() != n {
		panic("lost inserts")
	}
	return total
}

// worst5 returns the 5 largest samples as [ns, entry count after the
// insert], largest first (the count is 1-based, to line up with growth
// starts).
func worst5(v []uint32) [][2]uint64 {
	var top [][2]uint64
	for i, t := range v {
		if len(top) < 5 || uint64(t) > top[len(top)-1][0] {
			at := sort.Search(len(top), func(j int) bool { return top[j][0] < uint64(t) })
			top = append(top, [2]uint64{})
			copy(top[at+1:], top[at:])
			top[at] = [2]uint64{uint64(t), uint64(i + 1)}
			if len(top) > 5 {
				top = top[:5]
			}
		}
	}
	return top
}

// latencyStats sorts v and returns its max, p99.99, p99.9 and p50.
func latencyStats(v []uint32) map[string]any {
	n := len(v)
	sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
	q := func(p float64) uint32 { return v[int(float64(n-1)*p)] }
	return map[string]any{"max_ns": v[n-1], "p9999_ns": q(0.9999), "p999_ns": q(0.999), "p50_ns": q(0.5)}
}

// latency times every insert of the key stream, runs times, each into a
// fresh map (or none), and keeps for each insert index the smallest sample
// over the runs: a pause the map causes falls on the same insert in every
// run, the machine's noise does not (see mapstat.rs, which does the same).
// The second-smallest sample is kept too: it also keeps pauses that only
// later runs pay (memory handed back by the allocator).
// runtime.GC() runs between runs, untimed, so each run starts with the last
// map collected; its memory stays in Go's heap for the next run.
func latency(name, label string, n, runs int) map[string]any {
	wall := make([]uint32, n)
	cpu := make([]uint32, n)
	stable := make([]uint32, n)
	second := make([]uint32, n) // second-smallest sample per insert
	for i := range stable {
		stable[i] = 1<<32 - 1
		second[i] = 1<<32 - 1
	}
	if name == "none" {
		label += "_none" // beside mapstat's "none" in latency.jsonl
	}
	out := map[string]any{"map": label, "n": n, "runs": runs, "go_version": runtime.Version()}
	var runTotal, runMinflt []int64
	for run := 0; run < runs; run++ {
		var m inserter = &noMap{}
		if name == "go" {
			m = goMap(make(map[uint64]uint64))
		}
		faults := minorFaults()
		runTotal = append(runTotal, timedPass(m, wall, cpu).Nanoseconds())
		runMinflt = append(runMinflt, minorFaults()-faults)
		sink += uint64(m.size())
		m = nil
		runtime.GC()
		for i, c := range cpu {
			if c < stable[i] {
				second[i] = stable[i]
				stable[i] = c
			} else if c < second[i] {
				second[i] = c
			}
		}
		if run == 0 {
			// The single-run figures are the first run's, as a one-shot
			// measurement in a fresh process would see them.
			out["total_ns"] = runTotal[0]
			out["worst_cpu"] = worst5(cpu)
			out["wall"] = latencyStats(wall)
			out["cpu"] = latencyStats(cpu)
		}
	}
	if runs < 2 {
		copy(second, stable)
	}
	out["worst_stable"] = worst5(stable)
	out["stable"] = latencyStats(stable)
	out["worst_stable2"] = worst5(second)
	out["stable2"] = latencyStats(second)
	out["run_total_ns"] = runTotal
	out["run_minflt"] = runMinflt
	return out
}

func clamp32(x int64) uint32 {
	if x > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(x)
}

// memory inserts n keys into a fresh map and reports the peak resident set
// above the baseline, and the resident set at the end (the map still live),
// so peak ÷ final says how much growing costs beyond the map it builds.
func memory(label string, n int) map[string]any {
	base := vmHWM()
	r := splitMix64{seed}
	m := make(map[uint64]uint64)
	for i := 0; i < n; i++ {
		m[r.next()] = uint64(i)
	}
	peak := vmHWM()
	final := procStatus("VmRSS")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sink += uint64(len(m))
	runtime.KeepAlive(m)
	return map[string]any{
		"map": label, "n": n, "baseline_bytes": base, "peak_bytes": peak,
		"final_bytes":      final,
		"bytes_per_entry":  float64(peak-base) / float64(n),
		"heap_inuse_bytes": ms.HeapInuse,
		"go_version":       runtime.Version(),
	}
}

func main() {
	mode := flag.String("mode", "bench", "bench | latency | memory | keys")
	n := flag.Int("n", 10000000, "keys for latency and memory")
	runsDefault := 3
	if v, err := strconv.Atoi(os.Getenv("GOMAP_BENCH_RUNS")); err == nil {
		runsDefault = v
	}
	runs := flag.Int("runs", runsDefault, "latency: runs of the key stream, each into a fresh map (default $GOMAP_BENCH_RUNS, else 3)")
	latMap := flag.String("map", "go", "latency: go, or none (the timing loop alone)")
	label := flag.String("label", "go", "the map's name in latency and memory output (scripts/bench.sh: go for Go 1.19, go127 for Go 1.27)")
	big := flag.Bool("big", false, "also u64 keys at N = 1e7")
	flag.BoolVar(&quick, "quick", false, "short warm-up and measurement")
	flag.Parse()
	runtime.LockOSThread()
	if os.Getenv("GOMAP_BENCH_CLOCK") == "wall" {
		clock = wallNs
	}
	measure, warm = 1500*time.Millisecond, 500*time.Millisecond
	if quick {
		measure, warm = 600*time.Millisecond, 200*time.Millisecond
	}
	enc := json.NewEncoder(os.Stdout)
	switch *mode {
	case "bench":
		var res []result
		for _, n := range []int{1000, 100000} {
			res = append(res, benchU64(n)...)
		}
		if *big {
			res = append(res, benchU64(10000000)...)
		}
		for _, n := range []int{1000, 100000, 1000000} {
			res = append(res, benchString(n)...)
		}
		enc.Encode(map[string]any{"go_version": runtime.Version(), "results": res, "sink": sink})
	case "latency":
		if *runs < 1 || (*latMap != "go" && *latMap != "none") {
			fmt.Fprintln(os.Stderr, "-runs must be >= 1 and -map go or none")
			os.Exit(2)
		}
		enc.Encode(latency(*latMap, *label, *n, *runs))
	case "memory":
		enc.Encode(memory(*label, *n))
	case "keys":
		ks := u64Keys(4)
		enc.Encode(map[string]any{"first_keys": ks, "first_string": stringKeys(1)[0],
			"shuffle_head": shuffledIndices(10), "mixed_head": mixedOpsFor(1000, 8)})
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
}
