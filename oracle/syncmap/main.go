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
	"io"
	"os"

	"gomap/oracle/internal/cli"
)

func main() {
	cli.Main("syncmap", selfCheck, func(script io.Reader) error {
		out := bufio.NewWriter(os.Stdout)
		err := run(script, out)
		if ferr := out.Flush(); err == nil {
			err = ferr
		}
		return err
	}, func(err error) bool {
		var me *memoryError
		return errors.As(err, &me)
	})
}
