package main

// The JSON record written after every op: the op, its result, and the Map's
// private state read through the views of mirror.go.

import (
	"fmt"
	"sort"
	"sync"
)

// slot is one map's view of one key's entry.
type slot struct {
	State entryState `json:"state"`
	Value *int       `json:"value,omitempty"` // only when live
}

// entryRecord is one key of the read map, the dirty map, or both.
type entryRecord struct {
	Key   int   `json:"key"`
	Read  *slot `json:"read"`  // null: not in the read map
	Dirty *slot `json:"dirty"` // null: not in the dirty map (or no dirty map)
	// Shared: both maps hold the key and map it to the same *entry.
	Shared bool `json:"shared"`
}

// state is what the recorder reads out of a Map.
type state struct {
	ReadLen  int           `json:"read_len"`
	Amended  bool          `json:"amended"`
	DirtyLen *int          `json:"dirty_len"` // null: no dirty map
	Misses   int           `json:"misses"`
	Entries  []entryRecord `json:"entries"` // ascending keys
}

// pairResult is Load's (value, ok), LoadOrStore's (actual, loaded) and
// LoadAndDelete's (value, loaded).
type pairResult struct {
	Value *int `json:"value"`
	Ok    bool `json:"ok"`
}

// rangeResult is every pair Range visited, by ascending key (Range's own
// order is random).
type rangeResult struct {
	Visited [][2]int `json:"visited"`
}

// record is one output line.
type record struct {
	Line   int    `json:"line"`
	Op     string `json:"op"`
	Args   []int  `json:"args"`
	Result any    `json:"result"` // null for store and delete
	state
}

// memoryError means a key or value read through the views is not what the
// script put there (exit status 4).
type memoryError struct{ msg string }

func (e *memoryError) Error() string { return e.msg }

// asInt returns v as an int; every key and value a script stores is one.
func asInt(v any, what string) (int, error) {
	n, ok := v.(int)
	if !ok {
		return 0, &memoryError{fmt.Sprintf("%s read through the views is %T(%v), not an int", what, v, v)}
	}
	return n, nil
}

// slotOf reads one entry.
func slotOf(e *entryView, key int) (*slot, error) {
	st, v := e.state()
	s := &slot{State: st}
	if st == stateLive {
		n, err := asInt(v, fmt.Sprintf("the value of key %d", key))
		if err != nil {
			return nil, err
		}
		s.Value = &n
	}
	return s, nil
}

// readState reads m's private state. Only the goroutine that runs the ops
// calls it, between ops.
func readState(m *sync.Map) (state, error) {
	v := viewOf(m)
	ro := v.readOnly()
	st := state{ReadLen: len(ro.m), Amended: ro.amended, Misses: v.misses}
	if v.dirty != nil {
		n := len(v.dirty)
		st.DirtyLen = &n
	}
	byKey := map[int]*entryRecord{}
	get := func(k any) (*entryRecord, error) {
		n, err := asInt(k, "a key")
		if err != nil {
			return nil, err
		}
		r := byKey[n]
		if r == nil {
			r = &entryRecord{Key: n}
			byKey[n] = r
		}
		return r, nil
	}
	for k, e := range ro.m {
		r, err := get(k)
		if err != nil {
			return st, err
		}
		if r.Read, err = slotOf(e, r.Key); err != nil {
			return st, err
		}
		if d, ok := v.dirty[k]; ok {
			r.Shared = d == e
		}
	}
	for k, e := range v.dirty {
		r, err := get(k)
		if err != nil {
			return st, err
		}
		if r.Dirty, err = slotOf(e, r.Key); err != nil {
			return st, err
		}
	}
	st.Entries = make([]entryRecord, 0, len(byKey))
	for _, r := range byKey {
		st.Entries = append(st.Entries, *r)
	}
	sort.Slice(st.Entries, func(i, j int) bool { return st.Entries[i].Key < st.Entries[j].Key })
	return st, nil
}
