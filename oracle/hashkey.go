package main

// The process's fallback hash key, for the optional first record of a stream.
//
// Without AES instructions (GODEBUG=cpu.aes=off) the runtime hashes map keys
// with its wyhash-style fallback, keyed by the per-process runtime.hashkey and
// each map's hash0. When the fallback is in use the oracle writes the key as
// its first record, so a replay can recompute every recorded hash (see
// README.md, "The hashkey record"). With AES in use the record is not written
// and the stream is exactly PROTOCOL.md's.

import (
	"fmt"
	"runtime"
	"strconv"
	"unsafe"
)

// runtimeHashkey is the runtime's fallback hash key (four random words drawn
// at startup). Go 1.23 links it only with -ldflags=-checklinkname=0.
//
//go:linkname runtimeHashkey runtime.hashkey
var runtimeHashkey [4]uintptr

// runtimeUseAeshash says whether the runtime hashes with AES instructions.
//
//go:linkname runtimeUseAeshash runtime.useAeshash
var runtimeUseAeshash bool

// checkHashkey checks that the linked symbols look like the runtime's: a
// 4-word key (32 bytes on 64-bit) and, when the fallback is in use, not all
// zero and odd words where the release forces them odd (Go 1.19). With AES
// the runtime never draws the key, so there is nothing more to check.
func checkHashkey() error {
	if n := unsafe.Sizeof(runtimeHashkey); n != 32 {
		return fmt.Errorf("hashkey mirror is %d bytes, expected 32", n)
	}
	if runtimeUseAeshash {
		return nil
	}
	zero := true
	for i, w := range runtimeHashkey {
		if w != 0 {
			zero = false
		}
		if rt.hashkeyOdd && w&1 == 0 {
			return fmt.Errorf("runtime.hashkey[%d] = %#x is even; %s makes every word odd, so the linked symbol is not the hash key", i, w, runtime.Version())
		}
	}
	if zero {
		return fmt.Errorf("runtime.hashkey reads as all zero: the linked symbol is not the initialised hash key")
	}
	return nil
}

// hashkeyRecord returns the first record of a stream when the fallback hash
// is in use, or nil when the runtime hashes with AES.
func hashkeyRecord() []byte {
	if runtimeUseAeshash {
		return nil
	}
	b := []byte(`{"t":"hashkey","go":`)
	b = appendJSONString(b, runtime.Version())
	b = append(b, `,"aes":false,"hashkey":[`...)
	for i, w := range runtimeHashkey {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(w), 10)
	}
	return append(b, ']', '}')
}
