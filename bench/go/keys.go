package main

// The key sequences, mirrored line for line from
// crates/gomap/benches/common/keys.rs: the Rust maps and this program see the
// same keys, probes, shuffles and mixed operations.

import "strconv"

const (
	seed        uint64 = 0x676f6d617042656e // "gomapBen"
	shuffleSeed uint64 = 0x53485546464c4521
	mixSeed     uint64 = 0x4d49584544212121
	mixedOps           = 200000
)

type splitMix64 struct{ s uint64 }

func (r *splitMix64) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func u64Keys(n int) []uint64 {
	r := splitMix64{seed}
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.next()
	}
	return out
}

func stringKeys(n int) []string {
	ks := u64Keys(n)
	out := make([]string, n)
	for i, k := range ks {
		out[i] = strconv.FormatUint(k, 10)
	}
	return out
}

func shuffledIndices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	r := splitMix64{shuffleSeed}
	for i := n - 1; i >= 1; i-- {
		j := int(r.next() % uint64(i+1))
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx
}

const (
	opLookup = iota
	opInsert
	opRemove
)

type mixedOp struct {
	Kind int
	Idx  int
}

func mixedOpsFor(n, ops int) []mixedOp {
	r := splitMix64{mixSeed}
	lo, hi := 0, n
	out := make([]mixedOp, ops)
	for i := range out {
		switch i % 4 {
		case 1:
			hi++
			out[i] = mixedOp{opInsert, hi - 1}
		case 3:
			lo++
			out[i] = mixedOp{opRemove, lo - 1}
		default:
			out[i] = mixedOp{opLookup, lo + int(r.next()%uint64(hi-lo))}
		}
	}
	return out
}

func mixedKeyCount(n, ops int) int { return n + ops/4 + 1 }
