package main

// The runtime's fallback hash (the one Go uses without AES instructions),
// written from SWISS-FACTS.md "Hash". selfCheck compares it with the map
// type's own hasher, so every recording's hashkey is known to reproduce its
// hashes; the Rust crate's gohash module implements the same formulas.

import (
	"encoding/binary"
	"math/bits"
)

// hashM5 is the multiplier of the final mix.
const hashM5 = 0x1d8e4e27c47d124f

// hashMix folds the 128-bit product of a and b into 64 bits.
func hashMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fallbackU64 is the hash of a uint64 key.
// Go: internal/runtime/maps.memHash64Fallback
func fallbackU64(k, seed uint64, hk *[4]uint64) uint64 {
	return hashMix(hashM5^8, hashMix(k^hk[1], k^seed^hk[0]))
}

// fallbackBytes is the hash of a string's bytes.
// Go: internal/runtime/maps.memHashFallback
func fallbackBytes(p []byte, seed uint64, hk *[4]uint64) uint64 {
	r4 := func(i int) uint64 { return uint64(binary.LittleEndian.Uint32(p[i:])) }
	r8 := func(i int) uint64 { return binary.LittleEndian.Uint64(p[i:]) }
	s := len(p)
	seed ^= hk[0]
	var a, b uint64
	switch {
	case s == 0:
		return seed
	case s < 4:
		a = uint64(p[0]) | uint64(p[s>>1])<<8 | uint64(p[s-1])<<16
	case s == 4:
		a = r4(0)
		b = a
	case s < 8:
		a, b = r4(0), r4(s-4)
	case s == 8:
		a = r8(0)
		b = a
	case s <= 16:
		a, b = r8(0), r8(s-8)
	default:
		at, left := 0, s
		if left > 48 {
			s1, s2 := seed, seed
			for ; left > 48; left -= 48 {
				seed = hashMix(r8(at)^hk[1], r8(at+8)^seed)
				s1 = hashMix(r8(at+16)^hk[2], r8(at+24)^s1)
				s2 = hashMix(r8(at+32)^hk[3], r8(at+40)^s2)
				at += 48
			}
			seed ^= s1 ^ s2
		}
		for ; left > 16; left -= 16 {
			seed = hashMix(r8(at)^hk[1], r8(at+8)^seed)
			at += 16
		}
		// The last 16 bytes, which may overlap bytes already mixed.
		a, b = r8(at+left-16), r8(at+left-8)
	}
	return hashMix(hashM5^uint64(s), hashMix(a^hk[1], b^seed))
}

// processHashKey returns the runtime's hash key as uint64s.
func processHashKey() [4]uint64 {
	var hk [4]uint64
	for i, v := range hashKey {
		hk[i] = uint64(v)
	}
	return hk
}
