package main

// The op-script interpreter: parses scripts (PROTOCOL.md "Input" plus the
// helper ops documented in README.md), runs them against a real Go map and
// writes the records.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// scriptError is a mistake in the script (exit status 2).
type scriptError struct {
	line int
	msg  string
}

func (e *scriptError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// layoutError means the oracle could not make sense of the runtime's memory
// (exit status 4): its view of the runtime structures is wrong.
type layoutError struct {
	line int
	err  error
}

func (e *layoutError) Error() string {
	return fmt.Sprintf("line %d: inconsistent runtime map layout: %v", e.line, e.err)
}

type autodumpMode int

const (
	autodumpOff autodumpMode = iota
	autodumpOn
	autodumpSparse
	autodumpAll
)

// firstPickCandidate is where the search for keys of `pick` starts; it is
// far from the small keys scripts use directly.
const firstPickCandidate = 1<<40 + 1

// maxPickTries bounds the search of one `pick`.
const maxPickTries = 1 << 26

type runner struct {
	out  *output
	t    table
	i    int // index of the next record
	line int
	vars map[string]mapKey
	buf  []byte

	mode                   autodumpMode
	sparseHead, sparseTail int
	sparseEvery            int
	growthWrites           int // writes since (and including) the one that started the growth
	nextPick               uint64
	winLo, winHi           uint64 // keys of the `window` helper: live ones are winLo..winHi-1
}

func newRunner(out *output) *runner {
	return &runner{out: out, vars: map[string]mapKey{}, nextPick: firstPickCandidate}
}

func (r *runner) fail(format string, args ...interface{}) error {
	return &scriptError{r.line, fmt.Sprintf(format, args...)}
}

// tokenize splits a script line into tokens. A token starting with '#' starts
// a comment; a token starting with '"' or '`' is a Go string literal and may
// contain blanks.
func tokenize(s string) ([]string, error) {
	var toks []string
	for {
		s = strings.TrimLeft(s, " \t\r")
		if s == "" || s[0] == '#' {
			return toks, nil
		}
		end := 0
		switch s[0] {
		case '"':
			end = 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, errors.New("unterminated string literal")
			}
			end++
		case '`':
			k := strings.IndexByte(s[1:], '`')
			if k < 0 {
				return nil, errors.New("unterminated raw string literal")
			}
			end = k + 2
		default:
			end = strings.IndexAny(s, " \t\r")
			if end < 0 {
				end = len(s)
			}
		}
		if end < len(s) && s[end] != ' ' && s[end] != '\t' && s[end] != '\r' {
			return nil, errors.New("string literal must be followed by a blank")
		}
		toks = append(toks, s[:end])
		s = s[end:]
	}
}

func (r *runner) run(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for sc.Scan() {
		r.line++
		toks, err := tokenize(sc.Text())
		if err != nil {
			return r.fail("%v", err)
		}
		if len(toks) == 0 {
			continue
		}
		if err := r.exec(toks); err != nil {
			return err
		}
		if r.out.err != nil {
			return r.out.err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return r.out.flush()
}

func (r *runner) needArgs(toks []string, n int, usage string) error {
	if len(toks) != n+1 {
		return r.fail("usage: %s", usage)
	}
	return nil
}

func (r *runner) needMap() error {
	if r.t == nil {
		return r.fail("%s before the first make", "map op")
	}
	return nil
}

func (r *runner) uintArg(tok string, bits int) (uint64, error) {
	v, err := strconv.ParseUint(tok, 10, bits)
	if err != nil {
		return 0, r.fail("bad number %q", tok)
	}
	return v, nil
}

// keyArg parses a key token for the current map's key type.
func (r *runner) keyArg(tok string) (mapKey, error) {
	if strings.HasPrefix(tok, "@") {
		k, ok := r.vars[tok]
		if !ok {
			return mapKey{}, r.fail("unbound variable %s", tok)
		}
		if k.str != (r.t.kt() == "str") {
			return mapKey{}, r.fail("variable %s was picked for a %s map", tok, map[bool]string{true: "str", false: "u64"}[k.str])
		}
		return k, nil
	}
	if r.t.kt() == "u64" {
		v, err := r.uintArg(tok, 64)
		return mapKey{u: v}, err
	}
	s := tok
	if tok[0] == '"' || tok[0] == '`' {
		var err error
		if s, err = strconv.Unquote(tok); err != nil {
			return mapKey{}, r.fail("bad string literal %s", tok)
		}
	}
	if !validKeyText(s) {
		return mapKey{}, r.fail("string key %s is not valid UTF-8 (JSON cannot carry it)", tok)
	}
	return mapKey{s: s, str: true}, nil
}

func (r *runner) exec(toks []string) error {
	switch toks[0] {
	case "make":
		if err := r.needArgs(toks, 3, "make u64|str u64 HINT"); err != nil {
			return err
		}
		if (toks[1] != "u64" && toks[1] != "str") || toks[2] != "u64" {
			return r.fail("only `make u64 u64` and `make str u64` are supported")
		}
		hint, err := r.uintArg(toks[3], 63)
		if err != nil {
			return err
		}
		return r.doMake(toks[1], int(hint))
	case "put":
		if err := r.needArgs(toks, 2, "put KEY VAL"); err != nil {
			return err
		}
		if err := r.needMap(); err != nil {
			return err
		}
		k, err := r.keyArg(toks[1])
		if err != nil {
			return err
		}
		v, err := r.uintArg(toks[2], 64)
		if err != nil {
			return err
		}
		return r.doPut(k, v)
	case "del", "get":
		if err := r.needArgs(toks, 1, toks[0]+" KEY"); err != nil {
			return err
		}
		if err := r.needMap(); err != nil {
			return err
		}
		k, err := r.keyArg(toks[1])
		if err != nil {
			return err
		}
		if toks[0] == "del" {
			return r.doDel(k)
		}
		return r.doGet(k)
	case "clear":
		if err := r.needArgs(toks, 0, "clear"); err != nil {
			return err
		}
		if err := r.needMap(); err != nil {
			return err
		}
		return r.doClear()
	case "seq":
		if err := r.needArgs(toks, 2, "seq FROM TO"); err != nil {
			return err
		}
		if err := r.needMap(); err != nil {
			return err
		}
		from, err := r.uintArg(toks[1], 64)
		if err != nil {
			return err
		}
		to, err := r.uintArg(toks[2], 64)
		if err != nil {
			return err
		}
		if from > to {
			return r.fail("seq: FROM > TO")
		}
		for n := from; ; n++ {
			k := mapKey{u: n}
			if r.t.kt() == "str" {
				k = mapKey{s: strconv.FormatUint(n, 10), str: true}
			}
			if err := r.doPut(k, n); err != nil {
				return err
			}
			if n == to {
				return nil
			}
		}
	case "dump", "hdr":
		if err := r.needArgs(toks, 0, toks[0]); err != nil {
			return err
		}
		if err := r.needMap(); err != nil {
			return err
		}
		if err := r.state(toks[0] == "dump", false); err != nil {
			return err
		}
		r.i++
		return nil
	case "pick":
		if err := r.needArgs(toks, 3, "pick @v BITS IDX"); err != nil {
			return err
		}
		return r.doPick(toks[1], 1, toks[2], toks[3], false)
	case "pickn":
		if err := r.needArgs(toks, 4, "pickn @p N BITS IDX"); err != nil {
			return err
		}
		n, err := r.uintArg(toks[2], 20)
		if err != nil {
			return err
		}
		return r.doPick(toks[1], int(n), toks[3], toks[4], true)
	case "putn", "deln":
		if err := r.needArgs(toks, 3, toks[0]+" @p FROM TO"); err != nil {
			return err
		}
		return r.doVarRange(toks[0] == "putn", toks[1], toks[2], toks[3])
	case "autodump":
		return r.doAutodump(toks)
	case "churn":
		return r.doChurn(toks)
	case "window":
		return r.doWindow(toks)
	}
	return r.fail("unknown op %q", toks[0])
}

// before captures what autodump compares an op's outcome with.
type before struct {
	seed    uint32
	B       uint8
	flags   uint8
	growing bool
}

func (r *runner) snapshot() before {
	h := r.t.header()
	return before{h.hash0, h.B, h.flags, h.oldbuckets != nil}
}

func (r *runner) opStart(op string) []byte {
	b := append(r.buf[:0], `{"t":"op"`...)
	b = appendUintField(b, "i", uint64(r.i))
	b = appendUintField(b, "line", uint64(r.line))
	b = appendField(b, "op")
	return appendJSONString(b, op)
}

// opEnd finishes an op record, emits it and applies autodump.
func (r *runner) opEnd(b []byte, pre before, write bool) error {
	b = appendOpHeader(b, r.t.header())
	b = append(b, '}')
	r.out.emit(b)
	r.buf = b
	err := r.autodump(pre, write)
	r.i++
	return err
}

// state emits a dump or hdr record with the current index; a tentative one
// is tagged with the growth write it belongs to.
func (r *runner) state(full, tentative bool) error {
	b, err := appendState(r.buf[:0], r.t, r.i, r.line, full)
	if err != nil {
		return &layoutError{r.line, err}
	}
	if tentative {
		r.out.emitTentative(b, r.growthWrites)
	} else {
		r.out.emit(b)
	}
	r.buf = b
	return nil
}

// autodump decides whether the op just recorded is followed by a dump.
//
// all: after every op.
//
// on: after every op that leaves the map growing, ends a growth, or changes
// B or the flags.
//
// sparse HEAD TAIL EVERY: the same ops count, but only writes (put, del,
// clear) are dumped, and during a growth only the write that starts it, the
// first HEAD and last TAIL writes of the growth, and every EVERY-th write
// (counting the starting write as the first). The last TAIL writes are found
// by holding their dumps back until the growth ends; when anything else
// intervenes first (make, autodump, end of script) the held dumps are kept.
func (r *runner) autodump(pre before, write bool) error {
	if r.mode == autodumpAll {
		return r.state(true, false)
	}
	h := r.t.header()
	growing := h.oldbuckets != nil
	if !(pre.growing || growing || pre.B != h.B || pre.flags != h.flags) {
		return nil
	}
	switch r.mode {
	case autodumpOn:
		return r.state(true, false)
	case autodumpSparse:
		if !write {
			return nil
		}
		if pre.growing {
			r.growthWrites++
		} else {
			r.growthWrites = 1
		}
		if !growing {
			r.out.keepAll()
			return r.state(true, false)
		}
		// Should the next write end the growth, the last TAIL writes are
		// the ones numbered from growthWrites+2-TAIL on.
		err := r.state(true, r.growthWrites > r.sparseHead && r.growthWrites%r.sparseEvery != 0)
		r.out.dropBefore(r.growthWrites + 2 - r.sparseTail)
		return err
	}
	return nil
}

func (r *runner) doMake(kt string, hint int) error {
	r.out.keepAll()
	r.t = newTable(kt, hint)
	r.growthWrites = 0
	r.winLo, r.winHi = windowFirstKey, windowFirstKey
	b := r.opStart("make")
	b = appendField(b, "kt")
	b = appendJSONString(b, kt)
	b = appendUintField(b, "hint", uint64(hint))
	b = appendUintField(b, "seed", 0)
	b = appendOpHeader(b, r.t.header())
	b = append(b, '}')
	r.out.emit(b)
	r.buf = b
	r.i++
	return nil
}

func (r *runner) doPut(k mapKey, v uint64) error {
	pre := r.snapshot()
	hash := r.t.hash(k, pre.seed)
	r.t.put(k, v)
	b := r.opStart("put")
	b = appendKey(appendField(b, "key"), k)
	b = appendUintField(b, "val", v)
	b = appendUintField(b, "hash", hash)
	b = appendUintField(b, "seed", uint64(pre.seed))
	return r.opEnd(b, pre, true)
}

func (r *runner) doDel(k mapKey) error {
	pre := r.snapshot()
	hash := r.t.hash(k, pre.seed)
	r.t.del(k)
	b := r.opStart("del")
	b = appendKey(appendField(b, "key"), k)
	b = appendUintField(b, "hash", hash)
	b = appendUintField(b, "seed", uint64(pre.seed))
	return r.opEnd(b, pre, true)
}

func (r *runner) doGet(k mapKey) error {
	pre := r.snapshot()
	hash := r.t.hash(k, pre.seed)
	v, ok := r.t.get(k)
	b := r.opStart("get")
	b = appendKey(appendField(b, "key"), k)
	b = appendUintField(b, "val", v)
	b = appendField(b, "ok")
	b = strconv.AppendBool(b, ok)
	b = appendUintField(b, "hash", hash)
	b = appendUintField(b, "seed", uint64(pre.seed))
	return r.opEnd(b, pre, false)
}

func (r *runner) doClear() error {
	pre := r.snapshot()
	r.t.clear()
	b := r.opStart("clear")
	b = appendUintField(b, "seed", uint64(pre.seed))
	return r.opEnd(b, pre, true)
}

// doPick binds fresh keys whose hash under the current seed falls into
// bucket idx of a 2^bits table. Candidates are tried in ascending order
// from firstPickCandidate, shared by all picks of a run; a candidate
// already in the map is skipped. str maps use the candidate's decimal text.
// Each bound key takes one op index (as in the samples), but no record.
func (r *runner) doPick(name string, n int, bitsTok, idxTok string, numbered bool) error {
	if err := r.needMap(); err != nil {
		return err
	}
	if !strings.HasPrefix(name, "@") || len(name) < 2 {
		return r.fail("variable names start with @")
	}
	bits, err := r.uintArg(bitsTok, 6)
	if err != nil || bits > 32 {
		return r.fail("BITS must be 0..32")
	}
	idx, err := r.uintArg(idxTok, 64)
	if err != nil {
		return err
	}
	mask := uint64(1)<<bits - 1
	if idx > mask {
		return r.fail("IDX %d does not fit in %d bits", idx, bits)
	}
	seed := r.t.header().hash0
	str := r.t.kt() == "str"
	for j := 0; j < n; j++ {
		found := false
		for tries := 0; tries < maxPickTries; tries++ {
			c := r.nextPick
			r.nextPick++
			k := mapKey{u: c}
			if str {
				k = mapKey{s: strconv.FormatUint(c, 10), str: true}
			}
			if r.t.hash(k, seed)&mask != idx {
				continue
			}
			if _, present := r.t.get(k); present {
				continue
			}
			v := name
			if numbered {
				v = name + strconv.Itoa(j)
			}
			r.vars[v] = k
			r.i++ // a pick takes an op index, though it writes no record
			found = true
			break
		}
		if !found {
			return r.fail("pick: no key found for bucket %d of 2^%d", idx, bits)
		}
	}
	return nil
}

// doVarRange runs put @pJ J (putn) or del @pJ (deln) for J = FROM..TO,
// descending when FROM > TO.
func (r *runner) doVarRange(put bool, name, fromTok, toTok string) error {
	if err := r.needMap(); err != nil {
		return err
	}
	from, err := r.uintArg(fromTok, 20)
	if err != nil {
		return err
	}
	to, err := r.uintArg(toTok, 20)
	if err != nil {
		return err
	}
	step := uint64(1)
	if from > to {
		step = ^uint64(0)
	}
	for j := from; ; j += step {
		k, err := r.keyArg(name + strconv.FormatUint(j, 10))
		if err != nil {
			return err
		}
		if put {
			err = r.doPut(k, j)
		} else {
			err = r.doDel(k)
		}
		if err != nil || j == to {
			return err
		}
	}
}

func (r *runner) doAutodump(toks []string) error {
	r.out.keepAll()
	r.growthWrites = 0
	switch {
	case len(toks) == 2 && toks[1] == "on":
		r.mode = autodumpOn
	case len(toks) == 2 && toks[1] == "all":
		r.mode = autodumpAll
	case len(toks) == 2 && toks[1] == "off":
		r.mode = autodumpOff
	case len(toks) == 5 && toks[1] == "sparse":
		var v [3]uint64
		for j := range v {
			n, err := r.uintArg(toks[2+j], 20)
			if err != nil {
				return err
			}
			v[j] = n
		}
		if v[1] < 1 || v[2] < 1 {
			return r.fail("autodump sparse: TAIL and EVERY must be at least 1")
		}
		r.mode = autodumpSparse
		r.sparseHead, r.sparseTail, r.sparseEvery = int(v[0]), int(v[1]), int(v[2])
	default:
		return r.fail("usage: autodump on|off|all|sparse HEAD TAIL EVERY")
	}
	return nil
}

// splitmix64 is the deterministic generator behind `churn`.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// churnKeyText is the str-map key for churn key number n: mostly decimal
// text, every third one a longer string.
func churnKeyText(n uint64) string {
	if n%3 == 2 {
		return "churn/key/" + strconv.FormatUint(n, 10) + "/padding-past-32-bytes"
	}
	return strconv.FormatUint(n, 10)
}

// doChurn: churn N SEED KEYSPACE [PUT DEL GET] emits N random ops on keys
// 0..KEYSPACE-1, chosen with the given relative weights (default 50 35 15).
func (r *runner) doChurn(toks []string) error {
	if len(toks) != 4 && len(toks) != 7 {
		return r.fail("usage: churn N SEED KEYSPACE [PUT DEL GET]")
	}
	if err := r.needMap(); err != nil {
		return err
	}
	var a [6]uint64
	a[3], a[4], a[5] = 50, 35, 15
	for j := 1; j < len(toks); j++ {
		v, err := r.uintArg(toks[j], 64)
		if err != nil {
			return err
		}
		a[j-1] = v
	}
	n, seed, space := a[0], a[1], a[2]
	wPut, wDel, wGet := a[3], a[4], a[5]
	total := wPut + wDel + wGet
	if space == 0 || total == 0 {
		return r.fail("churn: KEYSPACE and the weight sum must be positive")
	}
	rng := splitmix64(seed)
	str := r.t.kt() == "str"
	for j := uint64(0); j < n; j++ {
		w := rng.next() % total
		kn := rng.next() % space
		k := mapKey{u: kn}
		if str {
			k = mapKey{s: churnKeyText(kn), str: true}
		}
		var err error
		switch {
		case w < wPut:
			err = r.doPut(k, rng.next()>>1)
		case w < wPut+wDel:
			err = r.doDel(k)
		default:
			err = r.doGet(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// windowFirstKey is the first key number of the `window` helper.
const windowFirstKey = 1 << 32

// doWindow: window N SEED W [GET] emits N ops of a queue-like workload: a
// write step deletes the oldest key while more than W are live, else inserts
// the next key number; with probability GET% (default 10) a step is instead a
// lookup of a random key number near the window (present or absent). Keys
// continue from the previous `window` on the same map. Insert-new/delete-old
// traffic spreads tombstones over all buckets while chains keep growing:
// the workload that makes same-size growth happen.
func (r *runner) doWindow(toks []string) error {
	if len(toks) != 4 && len(toks) != 5 {
		return r.fail("usage: window N SEED W [GET]")
	}
	if err := r.needMap(); err != nil {
		return err
	}
	a := [4]uint64{0, 0, 0, 10}
	for j := 1; j < len(toks); j++ {
		v, err := r.uintArg(toks[j], 64)
		if err != nil {
			return err
		}
		a[j-1] = v
	}
	n, seed, w, getPct := a[0], a[1], a[2], a[3]
	if w == 0 || getPct > 100 {
		return r.fail("window: W must be positive and GET at most 100")
	}
	rng := splitmix64(seed)
	str := r.t.kt() == "str"
	key := func(kn uint64) mapKey {
		if str {
			return mapKey{s: churnKeyText(kn), str: true}
		}
		return mapKey{u: kn}
	}
	for j := uint64(0); j < n; j++ {
		var err error
		switch {
		case rng.next()%100 < getPct:
			span := r.winHi - r.winLo + 2*w
			err = r.doGet(key(r.winLo - w + rng.next()%span))
		case r.winHi-r.winLo > w:
			err = r.doDel(key(r.winLo))
			r.winLo++
		default:
			err = r.doPut(key(r.winHi), rng.next()>>1)
			r.winHi++
		}
		if err != nil {
			return err
		}
	}
	return nil
}
