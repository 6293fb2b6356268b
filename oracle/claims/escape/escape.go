// Command escape is never run: gomap-lab compiles it with -gcflags=-m to ask
// Go 1.19's escape analysis where each way of making a map puts the map
// (article 004, §2.5: make vs new vs a literal). Each function is one case;
// the lab names a compiler diagnostic by the function whose body holds it,
// so each function holds exactly one map-making expression.
package main

// MakeLocal makes a map that never leaves the function.
func MakeLocal() int {
	m := make(map[string]int)
	m["a"] = 1
	return len(m)
}

// MakeReturned makes a map and returns it.
func MakeReturned() map[string]int {
	return make(map[string]int)
}

// MakeHint4Returned is article 004's makeMapNoEscape: a hinted map returned.
func MakeHint4Returned() map[int]int {
	m := make(map[int]int, 4)
	return m
}

// MakeHint1024Local makes a large hinted map that stays local.
func MakeHint1024Local() int {
	m := make(map[int]int, 1024)
	m[1] = 1
	return len(m)
}

// LiteralLocal makes an empty literal map that stays local.
func LiteralLocal() int {
	m := map[string]int{}
	m["a"] = 1
	return len(m)
}

// LiteralReturned returns an empty literal map.
func LiteralReturned() map[string]int {
	return map[string]int{}
}

// NewLocal allocates a pointer to a nil map that stays local.
func NewLocal() int {
	p := new(map[string]int)
	return len(*p)
}

// NewReturned returns a pointer to a nil map.
func NewReturned() *map[string]int {
	return new(map[string]int)
}

// Sink keeps a map reachable from a global.
var Sink map[string]int

// MakeStoredGlobal stores a new map in a global.
func MakeStoredGlobal() {
	Sink = make(map[string]int)
}

func main() {}
