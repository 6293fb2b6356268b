// Command claims answers, on a live Go 1.19 runtime, the questions about
// maps that only the runtime itself can answer (issue 18): the map header's
// size and field offsets, bucket sizes, what make(map, hint) allocates, how
// filling a map with and without a length hint allocates and collects,
// whether a map gives memory back when emptied, and what a write to a nil
// map does. gomap-lab builds it offline and reads its one JSON document.
//
//	claims -goroot DIR            measure; print the JSON document
//	claims crash KIND             crash with a concurrent map misuse
//	                              (writes, read-write, iterate-write)
//	claims phases                 make maps in phases, each announced by a
//	                              "gomap-phase: NAME" line on stderr (for strace)
//
// Standard library only, go 1.19; 64-bit only (the header mirror says so).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "crash":
			if len(os.Args) != 3 {
				usage()
			}
			crash(os.Args[2])
			return
		case "phases":
			phases()
			return
		}
	}
	goroot := flag.String("goroot", runtime.GOROOT(), "Go root whose src/runtime/map.go declares the map header")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() != 0 {
		usage()
	}
	r, err := measure(*goroot)
	if err != nil {
		fmt.Fprintf(os.Stderr, "claims: %v\n", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		fmt.Fprintf(os.Stderr, "claims: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: claims [-goroot DIR] | claims crash writes|read-write|iterate-write | claims phases")
	os.Exit(2)
}

// report is the JSON document; gomap-lab's gofacts module mirrors it.
type report struct {
	GoVersion   string        `json:"go_version"`
	GOARCH      string        `json:"goarch"`
	Layout      layoutFacts   `json:"layout"`
	Buckets     []bucketFacts `json:"buckets"`
	Hints       []hintFacts   `json:"hints"`
	StackMaps   []stackFacts  `json:"stack_maps"`
	Fill        []fillFacts   `json:"fill"`
	Shrink      []shrinkFacts `json:"shrink"`
	NilMapWrite nilWriteFacts `json:"nil_map_write"`
}

func measure(goroot string) (*report, error) {
	if runtime.Version() != "go1.19" && !hasPrefix(runtime.Version(), "go1.19.") {
		return nil, fmt.Errorf("built with %s; the header mirror is Go 1.19's", runtime.Version())
	}
	lay, err := layout(goroot)
	if err != nil {
		return nil, err
	}
	r := &report{
		GoVersion:   runtime.Version(),
		GOARCH:      runtime.GOARCH,
		Layout:      *lay,
		Buckets:     bucketSizes(),
		Hints:       hints(),
		StackMaps:   stackMaps(),
		Fill:        fills(),
		Shrink:      shrinks(),
		NilMapWrite: nilMapWrite(),
	}
	return r, nil
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
