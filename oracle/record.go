package main

// JSON-lines records in the format of PROTOCOL.md. Records are built by hand
// with strconv appends: dumps of large tables are written thousands of times.

import (
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal. s must be valid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendKey(b []byte, k mapKey) []byte {
	if k.str {
		return appendJSONString(b, k.s)
	}
	return strconv.AppendUint(b, k.u, 10)
}

func validKeyText(s string) bool { return utf8.ValidString(s) }

func appendField(b []byte, name string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendUintField(b []byte, name string, v uint64) []byte {
	return strconv.AppendUint(appendField(b, name), v, 10)
}

// appendOpHeader appends the header fields every op record ends with.
func appendOpHeader(b []byte, h *mapHeader) []byte {
	b = appendUintField(b, "count", uint64(h.count))
	b = appendUintField(b, "flags", uint64(h.flags))
	b = appendUintField(b, "B", uint64(h.B))
	b = appendUintField(b, "noverflow", uint64(h.noverflow))
	b = appendUintField(b, "hash0", uint64(h.hash0))
	b = appendUintField(b, "nevacuate", uint64(h.nevacuate))
	b = appendField(b, "growing")
	return strconv.AppendBool(b, h.oldbuckets != nil)
}

func appendPointerToken(b []byte, p unsafe.Pointer) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	b = append(b, '"', '0', 'x')
	b = strconv.AppendUint(b, uint64(uintptr(p)), 16)
	return append(b, '"')
}

// bucketArray describes one bucket array allocation of a map.
type bucketArray struct {
	base       unsafe.Pointer
	nbuckets   uintptr // 2^B of this array
	alloc      uintptr // buckets in the allocation (nbuckets + pool)
	bucketsize uintptr
}

// newBucketArray describes the array at base of 2^b buckets of the map type d.
func newBucketArray(base unsafe.Pointer, b uint8, d *mapTypeDesc) bucketArray {
	bucketsize := uintptr(d.bucketsize)
	if base == nil {
		return bucketArray{bucketsize: bucketsize}
	}
	return bucketArray{base, uintptr(1) << b, arrayLen(b, bucketsize, d.bucket.ptrdata != 0), bucketsize}
}

// poolIndex returns the allocation index of p when p points at a pool bucket
// of this array, or -1 when p lies outside the allocation.
func (a bucketArray) poolIndex(p unsafe.Pointer) (int, error) {
	start := uintptr(a.base)
	end := start + a.alloc*a.bucketsize
	addr := uintptr(p)
	if addr < start || addr >= end {
		return -1, nil
	}
	off := addr - start
	if off%a.bucketsize != 0 || off/a.bucketsize < a.nbuckets {
		return 0, fmt.Errorf("overflow pointer %#x lies inside the bucket array [%#x,%#x) but not on a pool bucket", addr, start, end)
	}
	return int(off / a.bucketsize), nil
}

// maxChain bounds a chain walk, to stop on a corrupt (cyclic) chain.
const maxChain = 1 << 20

// appendChains appends the "arr"/"old" value: each bucket's chain.
func appendChains(b []byte, t table, a bucketArray) ([]byte, error) {
	d := t.desc()
	ks, es := uintptr(d.keysize), uintptr(d.elemsize)
	keysAt := uintptr(slotsPerBucket)
	valsAt := keysAt + slotsPerBucket*ks
	b = append(b, '[')
	for i := uintptr(0); i < a.nbuckets; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		p := offset(a.base, i*a.bucketsize)
		at := -2 // -2: main bucket; -1: heap; >= 0: pool index
		for n := 0; ; n++ {
			if n == maxChain {
				return nil, fmt.Errorf("overflow chain of bucket %d longer than %d", i, maxChain)
			}
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"at":`...)
			switch {
			case at == -2:
				b = append(b, `"main"`...)
			case at == -1:
				b = append(b, `"heap"`...)
			default:
				b = append(b, `"pre:`...)
				b = strconv.AppendInt(b, int64(at), 10)
				b = append(b, '"')
			}
			top := topOf(p)
			b = append(b, `,"top":[`...)
			for s := 0; s < slotsPerBucket; s++ {
				if s > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendUint(b, uint64(top[s]), 10)
			}
			b = append(b, `],"keys":[`...)
			for s := uintptr(0); s < slotsPerBucket; s++ {
				if s > 0 {
					b = append(b, ',')
				}
				if top[s] < minTopHash {
					b = append(b, "null"...)
				} else {
					b = appendKey(b, t.readKey(offset(p, keysAt+s*ks)))
				}
			}
			b = append(b, `],"vals":[`...)
			for s := uintptr(0); s < slotsPerBucket; s++ {
				if s > 0 {
					b = append(b, ',')
				}
				if top[s] < minTopHash {
					b = append(b, "null"...)
				} else {
					b = strconv.AppendUint(b, *(*uint64)(offset(p, valsAt+s*es)), 10)
				}
			}
			b = append(b, "]}"...)
			next := overflowOf(p, a.bucketsize)
			if next == nil {
				break
			}
			idx, err := a.poolIndex(next)
			if err != nil {
				return nil, fmt.Errorf("bucket %d: %v", i, err)
			}
			at = idx
			p = next
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

const minTopHash = 5

// appendExtra appends the "extra" value. It also checks the pool convention:
// while the pool has free buckets, its last bucket links back to the array.
func appendExtra(b []byte, h *mapHeader, cur bucketArray) ([]byte, error) {
	x := h.extra
	if x == nil {
		return append(b, "null"...), nil
	}
	b = append(b, `{"overflow":`...)
	if x.overflow == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(len(*x.overflow)), 10)
	}
	b = append(b, `,"oldoverflow":`...)
	if x.oldoverflow == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(len(*x.oldoverflow)), 10)
	}
	b = append(b, `,"next_overflow":`...)
	free := 0
	if x.nextOverflow == nil {
		b = append(b, "null"...)
	} else {
		idx, err := cur.poolIndex(x.nextOverflow)
		if err == nil && idx < 0 {
			err = fmt.Errorf("next free pool bucket %#x is outside the bucket array", uintptr(x.nextOverflow))
		}
		if err != nil {
			return nil, err
		}
		last := offset(cur.base, (cur.alloc-1)*cur.bucketsize)
		if overflowOf(last, cur.bucketsize) != cur.base {
			return nil, fmt.Errorf("pool's last bucket (index %d) does not link back to the array: computed array length %d is wrong", cur.alloc-1, cur.alloc)
		}
		b = strconv.AppendInt(b, int64(idx), 10)
		free = int(cur.alloc) - idx
	}
	b = append(b, `,"pre_free":`...)
	b = strconv.AppendInt(b, int64(free), 10)
	return append(b, '}'), nil
}

// appendState appends a "dump" (full=true) or "hdr" record, without newline.
func appendState(b []byte, t table, i, line int, full bool) ([]byte, error) {
	h := t.header()
	bs := uintptr(t.desc().bucketsize)
	if full {
		b = append(b, `{"t":"dump"`...)
	} else {
		b = append(b, `{"t":"hdr"`...)
	}
	b = appendUintField(b, "i", uint64(i))
	b = appendUintField(b, "line", uint64(line))
	b = appendField(b, "kt")
	b = appendJSONString(b, t.kt())
	b = appendUintField(b, "count", uint64(h.count))
	b = appendUintField(b, "flags", uint64(h.flags))
	b = appendUintField(b, "B", uint64(h.B))
	b = appendUintField(b, "noverflow", uint64(h.noverflow))
	b = appendUintField(b, "hash0", uint64(h.hash0))
	b = appendPointerToken(appendField(b, "buckets"), h.buckets)
	b = appendPointerToken(appendField(b, "oldbuckets"), h.oldbuckets)
	b = appendUintField(b, "nevacuate", uint64(h.nevacuate))
	cur := newBucketArray(h.buckets, h.B, t.desc())
	var err error
	if b, err = appendExtra(appendField(b, "extra"), h, cur); err != nil {
		return nil, err
	}
	b = appendUintField(b, "bucketsize", uint64(bs))
	b = appendUintField(b, "arr_len", uint64(cur.alloc))
	if full {
		if b, err = appendChains(appendField(b, "arr"), t, cur); err != nil {
			return nil, fmt.Errorf("arr: %v", err)
		}
		if h.oldbuckets != nil {
			oldB := h.B - 1
			if h.flags&flagSameSize != 0 {
				oldB = h.B
			}
			old := newBucketArray(h.oldbuckets, oldB, t.desc())
			if b, err = appendChains(appendField(b, "old"), t, old); err != nil {
				return nil, fmt.Errorf("old: %v", err)
			}
		}
	}
	return append(b, '}'), nil
}
