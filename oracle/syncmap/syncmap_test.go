package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func TestSelfCheck(t *testing.T) {
	if err := selfCheck(); err != nil {
		t.Fatal(err)
	}
}

// A view whose fields are out of order must be refused.
func TestSameFieldsRefusesAWrongView(t *testing.T) {
	type swapped struct {
		mu     sync.Mutex
		read   any
		misses int
		dirty  map[any]*entryView
	}
	if err := sameFields(reflect.TypeOf(sync.Map{}), reflect.TypeOf(swapped{})); err == nil {
		t.Fatal("a view with dirty and misses swapped was accepted")
	}
}

// The expected states are strict: a state one miss off is refused.
func TestExpectRefusesAWrongState(t *testing.T) {
	var m sync.Map
	m.Store(1, 1)
	m.Load(1) // promotes
	if err := expect(&m, "Load", want{"1=1", "nil", false, 0}); err != nil {
		t.Fatal(err)
	}
	if err := expect(&m, "Load", want{"1=1", "nil", false, 1}); err == nil {
		t.Fatal("a wrong miss count was accepted")
	}
	if unsafe.Sizeof(m) != unsafe.Sizeof(mapView{}) {
		t.Fatal("view size")
	}
}

func TestScriptErrorsNameTheLine(t *testing.T) {
	for _, script := range []string{"store 1 2\nstor 1 2\n", "store 1 2\nload\n", "store 1 2\nload x\n", "store 1 2\nload 9999999999\n"} {
		err := run(strings.NewReader(script), &bytes.Buffer{})
		var se *scriptError
		if !errors.As(err, &se) || se.line != 2 {
			t.Errorf("%q: got %v, want a script error on line 2", script, err)
		}
	}
}

func TestRecords(t *testing.T) {
	var buf bytes.Buffer
	script := "# c\nstore 1 10\nload 1 # promotes\ndelete 1\nstore 2 20\nrange\n"
	if err := run(strings.NewReader(script), &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d records, want 5", len(lines))
	}
	var recs []record
	for _, l := range lines {
		var r struct {
			record
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r.record)
	}
	if recs[0].Line != 2 || recs[1].Line != 3 || recs[1].Op != "load" || recs[1].ReadLen != 1 || recs[1].DirtyLen != nil {
		t.Errorf("load record: %s", lines[1])
	}
	want := `"entries":[{"key":1,"read":{"state":"expunged"},"dirty":null,"shared":false},{"key":2,"read":null,"dirty":{"state":"live","value":20},"shared":false}]`
	if !strings.Contains(lines[3], want) {
		t.Errorf("store 2 record: %s", lines[3])
	}
	if !strings.Contains(lines[4], `"result":{"visited":[[2,20]]},"read_len":1,"amended":false,"dirty_len":null`) {
		t.Errorf("range record: %s", lines[4])
	}
}
