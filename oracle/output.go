package main

// Ordered output with room for undecided records.
//
// In sparse autodump mode (see script.go) whether a dump taken during a growth
// is kept depends on how many writes the growth still needs, which is only
// known once the growth ends. Such dumps are queued as "tentative" together
// with everything written after them; the queue holds at most a few of them.

import (
	"bufio"
	"io"
)

// held is an undecided record: its place in the queue and a caller's tag.
type held struct {
	idx int
	tag int
}

type output struct {
	w         *bufio.Writer
	queue     [][]byte // records waiting behind a tentative one; nil = dropped
	tentative []held   // undecided records, oldest first
	err       error
}

func newOutput(w io.Writer) *output {
	return &output{w: bufio.NewWriterSize(w, 1<<20)}
}

func (o *output) write(rec []byte) {
	if o.err != nil {
		return
	}
	if _, err := o.w.Write(rec); err != nil {
		o.err = err
		return
	}
	if err := o.w.WriteByte('\n'); err != nil {
		o.err = err
	}
}

// emit outputs a record that will certainly be kept.
func (o *output) emit(rec []byte) {
	if len(o.queue) == 0 {
		o.write(rec)
		return
	}
	o.queue = append(o.queue, append([]byte(nil), rec...))
}

// emitTentative queues a record whose fate is decided later.
func (o *output) emitTentative(rec []byte, tag int) {
	o.queue = append(o.queue, append([]byte(nil), rec...))
	o.tentative = append(o.tentative, held{len(o.queue) - 1, tag})
}

// dropBefore drops the undecided records tagged below tag.
func (o *output) dropBefore(tag int) {
	for len(o.tentative) > 0 && o.tentative[0].tag < tag {
		o.queue[o.tentative[0].idx] = nil
		o.tentative = o.tentative[1:]
	}
	o.drain()
}

// keepAll decides every tentative record in favour of keeping it.
func (o *output) keepAll() {
	o.tentative = o.tentative[:0]
	o.drain()
}

// drain writes out the queue up to the first undecided record.
func (o *output) drain() {
	stop := len(o.queue)
	if len(o.tentative) > 0 {
		stop = o.tentative[0].idx
	}
	for _, rec := range o.queue[:stop] {
		if rec != nil {
			o.write(rec)
		}
	}
	n := copy(o.queue, o.queue[stop:])
	for j := n; j < len(o.queue); j++ {
		o.queue[j] = nil
	}
	o.queue = o.queue[:n]
	for j := range o.tentative {
		o.tentative[j].idx -= stop
	}
}

func (o *output) flush() error {
	o.keepAll()
	if o.err != nil {
		return o.err
	}
	return o.w.Flush()
}
