package main

// The op-script interpreter (SWISS-PROTOCOL.md "Input").

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scriptError is a bad script line; the oracle exits 2.
type scriptError struct {
	line int
	msg  string
}

func (e *scriptError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// runner holds the interpreter's state across a script.
type runner struct {
	w     *bufio.Writer
	kt    keyType
	made  bool              // a make has run
	op    uint64            // next op index
	fresh uint64            // last fresh candidate number tried (pick/fill)
	vars  map[string]mapKey // @names bound by pick
	line  int
}

func newRunner(w *bufio.Writer) *runner {
	return &runner{w: w, vars: map[string]mapKey{}}
}

func (r *runner) fail(format string, a ...any) error {
	return &scriptError{line: r.line, msg: fmt.Sprintf(format, a...)}
}

// run interprets a whole script.
func (r *runner) run(script io.Reader) error {
	sc := bufio.NewScanner(script)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		r.line++
		var toks []string
		for _, t := range strings.Fields(sc.Text()) {
			if strings.HasPrefix(t, "#") {
				break
			}
			toks = append(toks, t)
		}
		if len(toks) == 0 {
			continue
		}
		if err := r.exec(toks); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading script: %w", err)
	}
	return nil
}

// arity checks the number of arguments of an op.
func (r *runner) arity(toks []string, min, max int) error {
	if n := len(toks) - 1; n < min || n > max {
		if min == max {
			return r.fail("%s takes %d arguments, got %d", toks[0], min, n)
		}
		return r.fail("%s takes %d to %d arguments, got %d", toks[0], min, max, n)
	}
	return nil
}

// parseU64 reads a decimal or 0x-hex integer.
func (r *runner) parseU64(tok, what string) (uint64, error) {
	var v uint64
	var err error
	if strings.HasPrefix(tok, "0x") || strings.HasPrefix(tok, "0X") {
		v, err = strconv.ParseUint(tok[2:], 16, 64)
	} else {
		v, err = strconv.ParseUint(tok, 10, 64)
	}
	if err != nil {
		return 0, r.fail("bad %s %q (want a decimal or 0x-hex integer up to 2^64-1)", what, tok)
	}
	return v, nil
}

// parseKey reads a key of the current map's type, or a bound @name.
func (r *runner) parseKey(tok string) (mapKey, error) {
	if strings.HasPrefix(tok, "@") {
		k, ok := r.vars[tok]
		if !ok {
			return mapKey{}, r.fail("%s is not bound (pick binds it)", tok)
		}
		return k, nil
	}
	if r.kt == ktU64 {
		u, err := r.parseU64(tok, "u64 key")
		return mapKey{u: u}, err
	}
	s := tok
	if strings.HasPrefix(tok, `"`) {
		var err error
		if s, err = strconv.Unquote(tok); err != nil {
			return mapKey{}, r.fail("bad string literal %s", tok)
		}
	}
	if !utf8.ValidString(s) {
		return mapKey{}, r.fail("key %s is not valid UTF-8", tok)
	}
	return mapKey{s: s}, nil
}

// parseVal reads a value: an integer, or a bound u64 @name.
func (r *runner) parseVal(tok string) (uint64, error) {
	if strings.HasPrefix(tok, "@") {
		k, err := r.parseKey(tok)
		if err != nil {
			return 0, err
		}
		if r.kt != ktU64 {
			return 0, r.fail("%s is a string key, not a value", tok)
		}
		return k.u, nil
	}
	return r.parseU64(tok, "value")
}

func (r *runner) exec(toks []string) error {
	if toks[0] != "make" && !r.made {
		return r.fail("%s before the first make", toks[0])
	}
	switch toks[0] {
	case "make":
		if err := r.arity(toks, 3, 3); err != nil {
			return err
		}
		var kt keyType
		switch toks[1] {
		case "u64":
			kt = ktU64
		case "str":
			kt = ktStr
		default:
			return r.fail("make: key type %q is not u64 or str", toks[1])
		}
		if toks[2] != "u64" {
			return r.fail("make: elem type %q is not u64", toks[2])
		}
		hint, err := r.parseU64(toks[3], "hint")
		if err != nil {
			return err
		}
		if hint > math.MaxInt64 {
			return r.fail("make: hint %d does not fit an int", hint)
		}
		r.kt, r.made = kt, true
		r.vars = map[string]mapKey{}
		makeLive(kt, int(hint))
		var o rec
		r.opStart(&o, "make")
		o.str("kt", kt.String())
		o.u64("hint", hint)
		o.u64("seed", 0)
		header(&o, liveHeader(kt))
		o.line(r.w)
	case "put":
		if err := r.arity(toks, 2, 2); err != nil {
			return err
		}
		k, err := r.parseKey(toks[1])
		if err != nil {
			return err
		}
		v, err := r.parseVal(toks[2])
		if err != nil {
			return err
		}
		r.put(k, v)
	case "del", "get":
		if err := r.arity(toks, 1, 1); err != nil {
			return err
		}
		k, err := r.parseKey(toks[1])
		if err != nil {
			return err
		}
		h := liveHeader(r.kt)
		seed := h.seed
		hash := hashWith(liveType(r.kt), r.kt, k, seed)
		var o rec
		r.opStart(&o, toks[0])
		o.key("key", r.kt, k)
		if toks[0] == "del" {
			liveDel(r.kt, k)
		} else {
			v, ok := liveGet(r.kt, k)
			o.u64("val", v)
			o.boolean("ok", ok)
		}
		r.opEnd(&o, hash, seed)
	case "clear":
		if err := r.arity(toks, 0, 0); err != nil {
			return err
		}
		seed := liveHeader(r.kt).seed
		liveClear(r.kt)
		var o rec
		r.opStart(&o, "clear")
		o.u64("seed", uint64(seed))
		header(&o, liveHeader(r.kt))
		o.line(r.w)
	case "seq":
		if err := r.arity(toks, 2, 2); err != nil {
			return err
		}
		from, err := r.parseU64(toks[1], "seq start")
		if err != nil {
			return err
		}
		to, err := r.parseU64(toks[2], "seq end")
		if err != nil {
			return err
		}
		if to < from || to-from >= 1<<24 {
			return r.fail("seq %d %d: want FROM <= TO and fewer than 2^24 keys", from, to)
		}
		for i := from; ; i++ {
			k := mapKey{u: i}
			if r.kt == ktStr {
				k = mapKey{s: strconv.FormatUint(i, 10)}
			}
			r.put(k, i)
			if i == to {
				break
			}
		}
	case "dump", "hdr":
		if err := r.arity(toks, 0, 0); err != nil {
			return err
		}
		layoutRecord(r.w, toks[0], r.op, uint64(r.line), r.kt, toks[0] == "dump")
		r.op++
	case "iter":
		if err := r.arity(toks, 0, 0); err != nil {
			return err
		}
		var o rec
		o.str("t", "iter")
		o.u64("i", r.op)
		o.u64("line", uint64(r.line))
		b := []byte{'['}
		for n, k := range liveIter(r.kt) {
			if n > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, r.kt, k)
		}
		o.raw("keys", append(b, ']'))
		o.line(r.w)
		r.op++
	case "pick":
		if err := r.arity(toks, 3, 3); err != nil {
			return err
		}
		if !strings.HasPrefix(toks[1], "@") || len(toks[1]) < 2 {
			return r.fail("pick: %q is not an @name", toks[1])
		}
		k, err := r.aim(toks[2], toks[3])
		if err != nil {
			return err
		}
		r.vars[toks[1]] = k
	case "fill":
		if err := r.arity(toks, 3, 4); err != nil {
			return err
		}
		n, err := r.parseU64(toks[1], "count")
		if err != nil {
			return err
		}
		if n > 1<<24 {
			return r.fail("fill: count %d over 2^24", n)
		}
		var val uint64
		fixed := len(toks) == 5
		if fixed {
			if val, err = r.parseVal(toks[4]); err != nil {
				return err
			}
		}
		for j := uint64(0); j < n; j++ {
			k, err := r.aim(toks[2], toks[3])
			if err != nil {
				return err
			}
			v := val
			if !fixed {
				// The key itself; for str maps its candidate number.
				v = k.u
				if r.kt == ktStr {
					v = r.fresh
				}
			}
			r.put(k, v)
		}
	default:
		return r.fail("unknown op %q", toks[0])
	}
	return nil
}

// aim returns the next fresh key (not in the map) whose hash under the
// current seed has hash & mask == value.
func (r *runner) aim(maskTok, valueTok string) (mapKey, error) {
	mask, err := r.parseU64(maskTok, "mask")
	if err != nil {
		return mapKey{}, err
	}
	value, err := r.parseU64(valueTok, "value")
	if err != nil {
		return mapKey{}, err
	}
	if value&^mask != 0 {
		return mapKey{}, r.fail("value %#x has bits outside mask %#x: no key can match", value, mask)
	}
	if bitsSet(mask) > 24 {
		return mapKey{}, r.fail("mask %#x asks for more than 24 hash bits", mask)
	}
	mt, seed := liveType(r.kt), liveHeader(r.kt).seed
	for tries := 0; tries < 1<<30; tries++ {
		r.fresh++
		k := freshKey(r.kt, r.fresh)
		if hashWith(mt, r.kt, k, seed)&mask == value && !liveHas(r.kt, k) {
			return k, nil
		}
	}
	return mapKey{}, r.fail("no fresh key found for mask %#x value %#x", mask, value)
}

func bitsSet(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// put performs one put op and writes its record.
func (r *runner) put(k mapKey, v uint64) {
	seed := liveHeader(r.kt).seed
	hash := hashWith(liveType(r.kt), r.kt, k, seed)
	var o rec
	r.opStart(&o, "put")
	o.key("key", r.kt, k)
	o.u64("val", v)
	livePut(r.kt, k, v)
	r.opEnd(&o, hash, seed)
}

// opStart writes the fields that open every op record and takes an op index.
func (r *runner) opStart(o *rec, op string) {
	o.str("t", "op")
	o.u64("i", r.op)
	o.u64("line", uint64(r.line))
	o.str("op", op)
	r.op++
}

// opEnd writes hash, seed, the header after the op and `tab`, and ends the record.
func (r *runner) opEnd(o *rec, hash uint64, seed uintptr) {
	o.u64("hash", hash)
	o.u64("seed", uint64(seed))
	h := liveHeader(r.kt)
	header(o, h)
	tabField(o, h, hash)
	o.line(r.w)
}
