package main

// The script interpreter: one sync.Map op per line, a record after each.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// scriptError is a mistake in the script (exit status 2).
type scriptError struct {
	line int
	msg  string
}

func (e *scriptError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// arity is the number of integer arguments each op takes. Go 1.19's sync.Map
// has exactly these methods (Swap, CompareAndSwap and CompareAndDelete came
// in Go 1.20).
var arity = map[string]int{
	"store":           2, // Store(K, V)
	"load":            1, // Load(K)
	"delete":          1, // Delete(K)
	"load_or_store":   2, // LoadOrStore(K, V)
	"load_and_delete": 1, // LoadAndDelete(K)
	"range":           0, // Range, visiting every pair
}

// parseLine returns the op and its arguments, or an empty op for a blank or
// comment line. `#` starts a comment anywhere.
func parseLine(text string) (string, []int, error) {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return "", nil, nil
	}
	op := fields[0]
	n, ok := arity[op]
	if !ok {
		return "", nil, fmt.Errorf("unknown op %q (ops: store, load, delete, load_or_store, load_and_delete, range)", op)
	}
	if len(fields)-1 != n {
		return "", nil, fmt.Errorf("%s takes %d arguments, got %d", op, n, len(fields)-1)
	}
	args := make([]int, n)
	for i, f := range fields[1:] {
		v, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			return "", nil, fmt.Errorf("%s: argument %q is not a 32-bit decimal integer", op, f)
		}
		args[i] = int(v)
	}
	return op, args, nil
}

// apply runs one op on m and returns its result (nil for store and delete).
func apply(m *sync.Map, op string, args []int) (any, error) {
	pair := func(v any, ok bool) (any, error) {
		r := pairResult{Ok: ok}
		if v != nil {
			n, err := asInt(v, op+"'s value")
			if err != nil {
				return nil, err
			}
			r.Value = &n
		}
		return r, nil
	}
	switch op {
	case "store":
		m.Store(args[0], args[1])
		return nil, nil
	case "load":
		return pair(m.Load(args[0]))
	case "delete":
		m.Delete(args[0])
		return nil, nil
	case "load_or_store":
		return pair(m.LoadOrStore(args[0], args[1]))
	case "load_and_delete":
		return pair(m.LoadAndDelete(args[0]))
	case "range":
		r := rangeResult{Visited: [][2]int{}}
		var err error
		m.Range(func(k, v any) bool {
			var kn, vn int
			if kn, err = asInt(k, "a key Range visited"); err != nil {
				return false
			}
			if vn, err = asInt(v, "a value Range visited"); err != nil {
				return false
			}
			r.Visited = append(r.Visited, [2]int{kn, vn})
			return true
		})
		sort.Slice(r.Visited, func(i, j int) bool { return r.Visited[i][0] < r.Visited[j][0] })
		return r, err
	}
	panic("unreachable: parseLine accepts only the ops of arity")
}

// run executes the script in on a fresh Map and writes a record per op to out.
func run(in io.Reader, out io.Writer) error {
	var m sync.Map
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	for line := 1; sc.Scan(); line++ {
		op, args, err := parseLine(sc.Text())
		if err != nil {
			return &scriptError{line, err.Error()}
		}
		if op == "" {
			continue
		}
		result, err := apply(&m, op, args)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		st, err := readState(&m)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := enc.Encode(record{Line: line, Op: op, Args: args, Result: result, state: st}); err != nil {
			return err
		}
	}
	return sc.Err()
}
