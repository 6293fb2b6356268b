package main

import (
	"runtime"
	"testing"
)

// TestMeasure runs every in-process measurement and requires each mirror
// check to hold, so a toolchain the mirror does not fit fails here first.
func TestMeasure(t *testing.T) {
	r, err := measure(runtime.GOROOT())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Layout.Checks {
		if !c.OK {
			t.Errorf("%s: %s", c.Name, c.Detail)
		}
	}
	if r.Layout.HmapSize != 48 || r.Layout.MirrorSize != 48 {
		t.Errorf("hmap is %d bytes, mirror %d; want 48", r.Layout.HmapSize, r.Layout.MirrorSize)
	}
	if !r.NilMapWrite.Recovered {
		t.Error("a nil-map write was not recoverable")
	}
}
