// Command syncmap records Go 1.19's sync.Map from the inside: it runs a
// script of sync.Map operations on small integer keys and, after every op,
// writes one JSON line with the op, its result and the Map's private state
// (read map, amended flag, dirty map, miss count, and each key's entry: live,
// deleted or expunged, and whether the read and dirty maps share it). The
// project's SyncMap is replayed against these recordings. See README.md.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

const usage = `usage: syncmap [SCRIPT]     run SCRIPT (or stdin) and write JSON lines to stdout
       syncmap -check         only run the startup self-check`

func main() {
	args := os.Args[1:]
	if len(args) > 1 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := selfCheck(); err != nil {
		fmt.Fprintf(os.Stderr, "syncmap: self-check failed, refusing to run: %v\n", err)
		os.Exit(3)
	}
	if len(args) == 1 && args[0] == "-check" {
		fmt.Fprintln(os.Stderr, "syncmap: self-check passed")
		return
	}
	var in io.Reader = os.Stdin
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "syncmap: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriter(os.Stdout)
	err := run(in, out)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "syncmap: %v\n", err)
	var me *memoryError
	if errors.As(err, &me) {
		os.Exit(4)
	}
	os.Exit(2)
}
