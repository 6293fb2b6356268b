package main

// The program strace watches: it makes maps in phases and announces each
// with a "gomap-phase: NAME" line written straight to stderr, so the
// system calls between two markers belong to the phase named by the first.
// Everything before the first marker is the runtime's start-up.

import (
	"os"
	"runtime"
	"runtime/debug"
)

func phase(name string) { os.Stderr.WriteString("gomap-phase: " + name + "\n") }

func phases() {
	phase("make-small")
	sinkStrMap = make(map[string]int)
	sinkStrMap["a"] = 1
	phase("make-hint-100")
	sinkStrMap = make(map[string]int, 100)
	phase("make-large")
	sinkIntMap = make(map[int]int, 1<<20)
	phase("grow-large")
	g := make(map[int]int)
	for i := 0; i < 1<<20; i++ {
		g[i] = i
	}
	phase("drop-and-free")
	g, sinkIntMap, sinkStrMap = nil, nil, nil
	runtime.GC()
	debug.FreeOSMemory()
	phase("exit")
	_ = g
}
