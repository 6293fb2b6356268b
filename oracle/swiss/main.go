// Command swiss records Go 1.27.3's Swiss-table map: it drives real
// map[uint64]uint64 and map[string]uint64 values through an op script and
// writes, as JSON lines (SWISS-PROTOCOL.md), every op with the runtime's own
// hash of its key and the map header after it, and on request the whole
// layout: directory, tables, every group's control bytes, keys and values.
// See README.md.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
)

// wantVersion is the release whose internals rt.go mirrors.
const wantVersion = "go1.27.3"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status: 0 ok, 2 bad usage
// or script error, 3 self-check failed or wrong environment.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	checkOnly := false
	if len(args) > 0 && args[0] == "-check" {
		checkOnly, args = true, args[1:]
	}
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: swiss [-check] [SCRIPT]  (script on stdin without SCRIPT)")
		return 2
	}
	if v := runtime.Version(); v != wantVersion {
		fmt.Fprintf(stderr, "swiss: built with %s; the mirrors are verified for %s only\n", v, wantVersion)
		return 3
	}
	if useAESHash {
		fmt.Fprintln(stderr, "swiss: the runtime hashes with AES; run under GODEBUG=cpu.aes=off so that hashes follow the fallback formulas")
		return 3
	}
	env, err := selfCheck()
	if err != nil {
		fmt.Fprintln(stderr, "swiss:", err)
		return 3
	}
	if checkOnly {
		fmt.Fprintf(stderr, "swiss: self-check ok (hashcheck %d, mapcheck %d)\n", env.hashcheck, env.mapcheck)
		return 0
	}
	script := stdin
	if len(args) == 1 {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintln(stderr, "swiss:", err)
			return 2
		}
		defer f.Close()
		script = f
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	writeEnv(w, env)
	err = newRunner(w).run(script)
	if ferr := w.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintln(stderr, "swiss:", err)
		var se *scriptError
		if errors.As(err, &se) {
			return 2
		}
		return 1
	}
	return 0
}

// writeEnv writes the env record.
func writeEnv(w *bufio.Writer, env envFacts) {
	var r rec
	r.str("t", "env")
	r.str("go", runtime.Version())
	r.str("goarch", runtime.GOARCH)
	r.boolean("aes", useAESHash)
	hk := processHashKey()
	r.raw("hashkey", []byte(fmt.Sprintf("[%d,%d,%d,%d]", hk[0], hk[1], hk[2], hk[3])))
	r.str("layout", env.layout)
	r.u64("group_u64", env.groupU64)
	r.u64("group_str", env.groupStr)
	s := env.slots
	r.raw("slot_u64_str", []byte("[["+strconv.FormatUint(s[0][0], 10)+","+strconv.FormatUint(s[0][1], 10)+","+strconv.FormatUint(s[0][2], 10)+
		"],["+strconv.FormatUint(s[1][0], 10)+","+strconv.FormatUint(s[1][1], 10)+","+strconv.FormatUint(s[1][2], 10)+"]]"))
	r.u64("hashcheck", env.hashcheck)
	r.u64("mapcheck", env.mapcheck)
	r.line(w)
}
