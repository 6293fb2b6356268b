// Command oracle drives real Go maps (map[uint64]uint64 and
// map[string]uint64; Go 1.19 or another release of versions.go) through an
// op script and records, as JSON lines, every op with the runtime's own hash
// of its key and the map header after it, and on request the full bucket
// layout. See README.md and PROTOCOL.md.
package main

import (
	"errors"
	"io"
	"os"

	"gomap/oracle/internal/cli"
)

func main() {
	cli.Main("oracle", selfCheck, func(script io.Reader) error {
		out := newOutput(os.Stdout)
		if rec := hashkeyRecord(); rec != nil {
			out.emit(rec)
		}
		err := newRunner(out).run(script)
		if err != nil {
			out.flush()
		}
		return err
	}, func(err error) bool {
		var le *layoutError
		return errors.As(err, &le)
	})
}
