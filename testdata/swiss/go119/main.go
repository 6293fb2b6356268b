// Command go119 prints test vectors of Go 1.19's fallback hash: the
// process's hashkey, then the map types' own hashes of u64 keys under
// 32-bit seeds (hash0) and of strings of 0..200 bytes. Run under
// GODEBUG=cpu.aes=off (the first line says "aes":false then):
//
//	cd testdata/swiss/go119 && GOTOOLCHAIN=local GOPROXY=off /usr/lib/go-1.19/bin/go build -o /tmp/go119 . &&
//	GODEBUG=cpu.aes=off /tmp/go119 > fallback_hashes.jsonl
//
// crates/gomap/tests/gohash.rs recomputes every hash with
// gomap::gohash::{hash_u64_go119, hash_str_go119}.
package main

import (
	"fmt"
	"unsafe"
)

//go:linkname hashkey runtime.hashkey
var hashkey [4]uintptr

//go:linkname useAeshash runtime.useAeshash
var useAeshash bool

type eface struct{ typ, data unsafe.Pointer }

// The head of runtime.maptype (Go 1.19) up to its hasher.
type maptype struct {
	typ    [48]byte
	key    unsafe.Pointer
	elem   unsafe.Pointer
	bucket unsafe.Pointer
	hasher func(unsafe.Pointer, uintptr) uintptr
}

func main() {
	mu := map[uint64]uint64{}
	ms := map[string]uint64{}
	tu := (*maptype)((*eface)(unsafe.Pointer(&[]any{mu}[0])).typ)
	ts := (*maptype)((*eface)(unsafe.Pointer(&[]any{ms}[0])).typ)
	fmt.Printf("{\"aes\":%v,\"hashkey\":[%d,%d,%d,%d]}\n", useAeshash, hashkey[0], hashkey[1], hashkey[2], hashkey[3])
	x := uint64(12345)
	for i := 0; i < 64; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		k := x
		seed := uint32(x >> 17)
		fmt.Printf("{\"key\":%d,\"hash0\":%d,\"hash\":%d}\n", k, seed, uint64(tu.hasher(unsafe.Pointer(&k), uintptr(seed))))
	}
	for n := 0; n <= 200; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte((i*7+n)%26)
		}
		s := string(b)
		seed := uint32(n * 2654435761)
		fmt.Printf("{\"key\":%q,\"hash0\":%d,\"hash\":%d}\n", s, seed, uint64(ts.hasher(unsafe.Pointer(&s), uintptr(seed))))
	}
}
