// Package cli is the command-line shell the repository's Go 1.19 recorders
// share (the map oracle and oracle/syncmap): their arguments, the self-check
// that runs before any script, and the exit statuses their READMEs document.
package cli

import (
	"fmt"
	"io"
	"os"
)

// Main runs the recorder called name and exits with its status.
//
//	NAME [SCRIPT]   run SCRIPT, or standard input when it is absent or "-"
//	NAME -check     run the startup self-check only
//
// selfCheck runs first, always; run gets the script and writes the
// recording to standard output. Exit status: 0 ok, 2 bad usage or an error
// from run, 3 a failed self-check, 4 an error from run that isMemory
// accepts (the runtime's memory did not look as the recorder expects).
func Main(name string, selfCheck func() error, run func(script io.Reader) error, isMemory func(error) bool) {
	args := os.Args[1:]
	if len(args) > 1 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		fmt.Fprintf(os.Stderr, "usage: %s [SCRIPT]   run SCRIPT (or stdin) and write JSON lines to stdout\n"+
			"       %s -check    only run the startup self-check\n", name, name)
		os.Exit(2)
	}
	if err := selfCheck(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: self-check failed, refusing to run: %v\n", name, err)
		os.Exit(3)
	}
	if len(args) == 1 && args[0] == "-check" {
		fmt.Fprintf(os.Stderr, "%s: self-check passed\n", name)
		return
	}
	var in io.Reader = os.Stdin
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	err := run(in)
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	if isMemory(err) {
		os.Exit(4)
	}
	os.Exit(2)
}
