package main

// The Go releases the oracle has been verified on, and the two places where
// their classic maps differ. The runtime's map code (runtime/map.go and its
// fast variants) is the same algorithm from Go 1.19 through Go 1.23, and the
// structs rt.go mirrors keep their layout: Go 1.21 moved the type
// descriptors to internal/abi (abi.Type, abi.MapType) and renamed their
// fields, but field order, types and sizes did not change; hmap and mapextra
// did not change at all. What did change:
//
//   - Go 1.21 computes the load factor constant as (8*13/16)*2 in integer
//     arithmetic, which is 12, so its maps grow at 6 entries per bucket
//     instead of 6.5 (golang/go#63438; Go 1.22 reorders the expression and
//     is back at 13). make's hint and the doubling trigger move with it.
//   - Go 1.22 gives heap objects that hold pointers and are larger than 512
//     bytes an 8-byte header in front of the object (allocation headers), and
//     the map's size-class rounding of a bucket array leaves room for it. For
//     the two map types the oracle records this changes no pool size (the
//     self-check confirms it against FACTS.md's table), but the arithmetic in
//     sizeclass.go follows the running version.
//
// Go 1.20 is not on the list: nobody has verified it.

import (
	"fmt"
	"runtime"
	"strings"
)

// goRuntime is what the oracle needs to know about one Go release line.
type goRuntime struct {
	// loadFactorNum is the load factor times 2: a map with 2^B buckets
	// doubles on the insert that takes count past loadFactorNum * 2^B / 2.
	loadFactorNum uint64
	// mallocHeaders: small heap objects with pointers above 512 bytes carry
	// an 8-byte header inside their size class.
	mallocHeaders bool
	// hashkeyOdd: the runtime forces every runtime.hashkey word odd (checked
	// from Go 1.19's source; not relied on for other releases).
	hashkeyOdd bool
}

// verifiedRelease is one entry of the list of accepted toolchains.
type verifiedRelease struct {
	// release is an exact runtime.Version(), or "go1.19" which also
	// accepts every go1.19.N (the reference line; FACTS.md was written
	// from 1.19.8).
	release string
	rt      goRuntime
}

var verifiedReleases = []verifiedRelease{
	{"go1.19", goRuntime{loadFactorNum: 13, hashkeyOdd: true}},
	{"go1.21.13", goRuntime{loadFactorNum: 12}},
	{"go1.22.10", goRuntime{loadFactorNum: 13, mallocHeaders: true}},
	{"go1.23.9", goRuntime{loadFactorNum: 13, mallocHeaders: true}},
}

// rt describes the running toolchain; selectRuntime sets it before anything
// else runs, and the Go 1.19 values stand until then.
var rt = verifiedReleases[0].rt

// selectRuntime finds the running toolchain in verifiedReleases and makes it
// rt, or says which releases would be accepted.
func selectRuntime(version string) error {
	for _, r := range verifiedReleases {
		if version == r.release || (r.release == "go1.19" && strings.HasPrefix(version, "go1.19.")) {
			rt = r.rt
			return nil
		}
	}
	names := make([]string, len(verifiedReleases))
	for i, r := range verifiedReleases {
		names[i] = r.release
	}
	names[0] = "go1.19.x"
	return fmt.Errorf("built with %s; the oracle has been verified on %s only", version, strings.Join(names, ", "))
}

// runningRuntime selects the toolchain this binary was built with.
func runningRuntime() error { return selectRuntime(runtime.Version()) }

// overLoad reports whether count entries exceed the load factor of 2^B
// buckets (Go: runtime.overLoadFactor).
func overLoad(count uint64, b uint8) bool {
	return count > slotsPerBucket && count > rt.loadFactorNum*((uint64(1)<<b)/2)
}

// hintB is the B that make(map, hint) gives: the smallest B whose buckets
// hold hint entries within the load factor.
func hintB(hint uint64) uint8 {
	b := uint8(0)
	for overLoad(hint, b) {
		b++
	}
	return b
}

// doublingAt is the count after the insert that starts doubling 2^B buckets.
func doublingAt(b uint8) uint64 {
	if b == 0 {
		return slotsPerBucket + 1
	}
	return rt.loadFactorNum*(uint64(1)<<b)/2 + 1
}
