package main

// Concurrent misuse of a map, which the runtime detects and answers with a
// fatal error: the process dies with exit status 2 and a message on stderr,
// and no deferred recover runs. Each goroutine defers a recover that would
// print "claims: recovered" and exit 0, so a caller sees whether one ran.

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

func crash(kind string) {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2) // two goroutines must run at once for the runtime to see them
	}
	m := make(map[int]int)
	for i := 0; i < 1000; i++ {
		m[i] = i
	}
	writer := func() {
		defer recovered()
		for i := 0; ; i++ {
			m[i%1000] = i
		}
	}
	var other func()
	switch kind {
	case "writes":
		other = writer
	case "read-write":
		other = func() {
			defer recovered()
			s := 0
			for i := 0; ; i++ {
				s += m[i%1000]
			}
		}
	case "iterate-write":
		other = func() {
			defer recovered()
			s := 0
			for {
				for _, v := range m {
					s += v
				}
			}
		}
	default:
		usage()
	}
	go writer()
	go other()
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "claims: no fatal error in 10 s")
	os.Exit(1)
}

func recovered() {
	if r := recover(); r != nil {
		fmt.Fprintf(os.Stderr, "claims: recovered: %v\n", r)
		os.Exit(0)
	}
}
