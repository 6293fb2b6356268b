package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSelfCheck(t *testing.T) {
	if err := selfCheck(); err != nil {
		t.Fatal(err)
	}
}

// TestSelectRuntime: exactly the verified releases are accepted, each with
// its load factor, and the running toolchain's entry stays selected.
func TestSelectRuntime(t *testing.T) {
	defer func() {
		if err := runningRuntime(); err != nil {
			t.Fatal(err)
		}
	}()
	for _, c := range []struct {
		version string
		lfNum   uint64 // 0: refused
		headers bool
	}{
		{"go1.19", 13, false}, {"go1.19.8", 13, false}, {"go1.19.13", 13, false},
		{"go1.20.14", 0, false}, {"go1.21.12", 0, false}, {"go1.21.13", 12, false},
		{"go1.22.10", 13, true}, {"go1.22.12", 0, false}, {"go1.23.9", 13, true},
		{"go1.24.0", 0, false}, {"go1.190", 0, false}, {"devel go1.23", 0, false},
	} {
		err := selectRuntime(c.version)
		if (err == nil) != (c.lfNum != 0) {
			t.Errorf("%s: accepted=%v, want %v", c.version, err == nil, c.lfNum != 0)
			continue
		}
		if err == nil && (rt.loadFactorNum != c.lfNum || rt.mallocHeaders != c.headers) {
			t.Errorf("%s: %+v, want load factor %d/2, headers %v", c.version, rt, c.lfNum, c.headers)
		}
	}
}

func TestTokenize(t *testing.T) {
	got, err := tokenize(`put "a b\"c" 5 # comment`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`put`, `"a b\"c"`, `5`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := tokenize(`put "abc 5`); err == nil {
		t.Fatal("unterminated literal accepted")
	}
}

func runScript(t *testing.T, script string) []map[string]interface{} {
	t.Helper()
	var buf bytes.Buffer
	if err := newRunner(newOutput(&buf)).run(strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]interface{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]interface{}
		d := json.NewDecoder(strings.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&r); err != nil {
			t.Fatalf("bad JSON %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestScriptRecords(t *testing.T) {
	recs := runScript(t, `make str u64 9
pick @a 1 0
put @a 1
put "x\ty" 2
get "x\ty"
get nope
dump
del @a
hdr
`)
	kinds := []string{}
	for _, r := range recs {
		k := r["t"].(string)
		if op, ok := r["op"]; ok {
			k += ":" + op.(string)
		}
		kinds = append(kinds, k+"@"+r["i"].(json.Number).String())
	}
	want := []string{"op:make@0", "op:put@2", "op:put@3", "op:get@4", "op:get@5", "dump@6", "op:del@7", "hdr@8"}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("records %v, want %v", kinds, want)
	}
	if recs[3]["ok"] != true || recs[4]["ok"] != false {
		t.Fatal("get results wrong")
	}
	if recs[2]["key"] != "x\ty" {
		t.Fatalf("string key round trip: %q", recs[2]["key"])
	}
	if n := len(recs[5]["arr"].([]interface{})); n != 2 {
		t.Fatalf("dump of B=1 map lists %d buckets", n)
	}
}

func TestSparseAutodump(t *testing.T) {
	// Growth 8 -> 9 (1665th insert, 256 old buckets) under sparse dumping.
	recs := runScript(t, "make u64 u64 0\nseq 1 1664\nautodump sparse 2 3 16\nseq 1665 2100\n")
	dumped := map[string]bool{}
	for _, r := range recs {
		if r["t"] == "dump" {
			dumped[r["i"].(json.Number).String()] = true
		}
	}
	var writes []bool
	growingBefore := false
	for _, r := range recs {
		if r["t"] != "op" || r["op"] == "make" || r["line"].(json.Number).String() != "4" {
			continue
		}
		g := r["growing"].(bool)
		if growingBefore || g {
			writes = append(writes, dumped[r["i"].(json.Number).String()])
		}
		growingBefore = g
	}
	w := len(writes)
	if w < 10 {
		t.Fatalf("growth took only %d writes", w)
	}
	for n, d := range writes {
		k := n + 1
		want := k <= 2 || k%16 == 0 || k > w-3
		if d != want {
			t.Fatalf("write %d of %d: dumped=%v, want %v", k, w, d, want)
		}
	}
}
