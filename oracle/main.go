// Command oracle drives real Go 1.19 maps (map[uint64]uint64 and
// map[string]uint64) through an op script and records, as JSON lines, every
// op with the runtime's own hash of its key and the map header after it, and
// on request the full bucket layout. See README.md and PROTOCOL.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const usage = `usage: oracle [SCRIPT]     run SCRIPT (or stdin) and write JSON lines to stdout
       oracle -check         only run the startup self-check`

func main() {
	args := os.Args[1:]
	if len(args) > 1 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := selfCheck(); err != nil {
		fmt.Fprintf(os.Stderr, "oracle: self-check failed, refusing to run: %v\n", err)
		os.Exit(3)
	}
	if len(args) == 1 && args[0] == "-check" {
		fmt.Fprintln(os.Stderr, "oracle: self-check passed")
		return
	}
	var in io.Reader = os.Stdin
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	out := newOutput(os.Stdout)
	err := newRunner(out).run(in)
	if err == nil {
		return
	}
	out.flush()
	fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
	var le *layoutError
	if errors.As(err, &le) {
		os.Exit(4)
	}
	os.Exit(2)
}
