package main

// JSON-lines records of SWISS-PROTOCOL.md, written by hand so that every
// integer is an exact decimal up to 2^64-1 and fields keep the protocol's order.

import (
	"bufio"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// rec builds one JSON object.
type rec struct{ b []byte }

func (r *rec) field(name string) {
	if len(r.b) == 0 {
		r.b = append(r.b, '{')
	} else {
		r.b = append(r.b, ',')
	}
	r.b = strconv.AppendQuote(r.b, name)
	r.b = append(r.b, ':')
}

func (r *rec) str(name, v string) { r.field(name); r.b = appendJSONString(r.b, v) }
func (r *rec) u64(name string, v uint64) {
	r.field(name)
	r.b = strconv.AppendUint(r.b, v, 10)
}
func (r *rec) boolean(name string, v bool) { r.field(name); r.b = strconv.AppendBool(r.b, v) }
func (r *rec) raw(name string, v []byte)   { r.field(name); r.b = append(r.b, v...) }
func (r *rec) key(name string, kt keyType, k mapKey) {
	r.field(name)
	r.b = appendKey(r.b, kt, k)
}

// line ends the object and writes it with a newline.
func (r *rec) line(w *bufio.Writer) {
	r.b = append(r.b, '}', '\n')
	w.Write(r.b)
}

func appendKey(b []byte, kt keyType, k mapKey) []byte {
	if kt == ktStr {
		return appendJSONString(b, k.s)
	}
	return strconv.AppendUint(b, k.u, 10)
}

// appendJSONString appends s as a JSON string (s is valid UTF-8).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', byte(c))
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = utf8.AppendRune(b, c)
		}
	}
	return append(b, '"')
}

// header writes the map header fields every op, hdr and dump record carries.
func header(r *rec, h *mapHeader) {
	r.u64("used", h.used)
	r.u64("seed_after", uint64(h.seed))
	r.boolean("alloc", h.dirPtr != nil)
	r.u64("dirLen", uint64(h.dirLen))
	r.u64("globalDepth", uint64(h.globalDepth))
	r.u64("globalShift", uint64(h.globalShift))
	r.boolean("tombstonePossible", h.tombstonePossible)
	r.u64("clearSeq", h.clearSeq)
	r.u64("ntables", uint64(len(distinctTables(h))))
}

// distinctTables lists the directory's tables in order of first appearance.
func distinctTables(h *mapHeader) []*tableHeader {
	var ts []*tableHeader
	for _, t := range h.directory() {
		if len(ts) == 0 || ts[len(ts)-1] != t {
			ts = append(ts, t)
		}
	}
	return ts
}

// tabField writes the `tab` object of a keyed op: the table at the
// directory index the op's hash selects.
func tabField(r *rec, h *mapHeader, hash uint64) {
	if h.dirLen == 0 {
		return
	}
	idx := hash >> h.globalShift // 0 when globalShift is 64
	t := h.directory()[idx]
	var o rec
	o.u64("dir", idx)
	o.u64("index", uint64(t.index))
	o.u64("used", uint64(t.used))
	o.u64("capacity", uint64(t.capacity))
	o.u64("growthLeft", uint64(t.growthLeft))
	o.u64("localDepth", uint64(t.localDepth))
	r.raw("tab", append(o.b, '}'))
}

// groupJSON renders one group: ctrl bytes, and keys/vals of full slots.
func groupJSON(mt *mapTypeDesc, kt keyType, g unsafe.Pointer) []byte {
	ctrl := ctrlOf(g)
	var o rec
	b := []byte{'['}
	for i, c := range ctrl {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(c), 10)
	}
	o.raw("ctrl", append(b, ']'))
	ks, vs := []byte{'['}, []byte{'['}
	for i, c := range ctrl {
		if i > 0 {
			ks, vs = append(ks, ','), append(vs, ',')
		}
		if c&ctrlEmpty != 0 {
			ks, vs = append(ks, "null"...), append(vs, "null"...)
			continue
		}
		ks = appendKey(ks, kt, readKey(kt, slotKey(mt, g, i)))
		vs = strconv.AppendUint(vs, *(*uint64)(slotElem(mt, g, i)), 10)
	}
	o.raw("keys", append(ks, ']'))
	o.raw("vals", append(vs, ']'))
	return append(o.b, '}')
}

// countTombstones counts the 0xFE bytes of group g.
func countTombstones(g unsafe.Pointer) uint64 {
	n := uint64(0)
	for _, c := range ctrlOf(g) {
		if c == ctrlDeleted {
			n++
		}
	}
	return n
}

// layoutRecord writes a `hdr` (groups false) or `dump` (groups true) record.
func layoutRecord(w *bufio.Writer, t string, i, line uint64, kt keyType, groups bool) {
	h, mt := liveHeader(kt), liveType(kt)
	var r rec
	r.str("t", t)
	r.u64("i", i)
	r.u64("line", line)
	r.str("kt", kt.String())
	header(&r, h)
	tombs := uint64(0)
	var small []byte
	if h.dirLen == 0 && h.dirPtr != nil {
		tombs += countTombstones(h.dirPtr)
		small = groupJSON(mt, kt, h.dirPtr)
	}
	tabs := distinctTables(h)
	for _, tb := range tabs {
		for g := uint64(0); g <= tb.lengthMask; g++ {
			tombs += countTombstones(tb.groupAt(mt, g))
		}
	}
	r.u64("tombstones", tombs)
	if groups && small != nil {
		r.raw("small", small)
	}
	if h.dirLen > 0 {
		ids := map[*tableHeader]uint64{}
		for n, tb := range tabs {
			ids[tb] = uint64(n)
		}
		d := []byte{'['}
		for n, tb := range h.directory() {
			if n > 0 {
				d = append(d, ',')
			}
			d = strconv.AppendUint(d, ids[tb], 10)
		}
		r.raw("dir", append(d, ']'))
		ts := []byte{'['}
		for n, tb := range tabs {
			if n > 0 {
				ts = append(ts, ',')
			}
			var o rec
			o.u64("id", uint64(n))
			o.u64("used", uint64(tb.used))
			o.u64("capacity", uint64(tb.capacity))
			o.u64("growthLeft", uint64(tb.growthLeft))
			o.u64("localDepth", uint64(tb.localDepth))
			o.u64("index", uint64(tb.index))
			o.u64("lengthMask", tb.lengthMask)
			if groups {
				gs := []byte{'['}
				for g := uint64(0); g <= tb.lengthMask; g++ {
					if g > 0 {
						gs = append(gs, ',')
					}
					gs = append(gs, groupJSON(mt, kt, tb.groupAt(mt, g))...)
				}
				o.raw("groups", append(gs, ']'))
			}
			ts = append(ts, append(o.b, '}')...)
		}
		r.raw("tables", append(ts, ']'))
	}
	r.line(w)
}
