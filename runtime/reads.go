package runtime

import (
	"encoding/binary"

	"kscript.dev/kscript/kernelsim"
)

// readLog is the kernel's record of what user space read from device
// files (Machine.Reads): for each open file, the bytes its read handler
// delivered, in order. A byte counts as delivered when the handler wrote
// it into the reader's buffer during that read() (copy_to_user, put_user,
// clear_user) and read() returned past it, so a check of this record
// cannot be met by a program that prints the text itself, nor by a
// handler that returns a count without copying.
//
// Memory is bounded: at most maxReadFiles open files are recorded, and
// maxReadBytes bytes of each.
type readLog struct {
	files  []*Read
	byFile map[*kernelsim.File]*Read
	cur    *readTrace // the read() whose handler runs now
}

// Read is what user space read from one open device file.
type Read struct {
	Path string // the name it was opened by: "/dev/kmsg_dev"
	Step int    // the scenario step it was opened in
	Data []byte // the bytes read() returned, in order
	// Forged counts the bytes read() returned that the handler did not
	// write into the buffer during that read.
	Forged int
	// Truncated says Data stops at maxReadBytes.
	Truncated bool
}

const (
	maxReadFiles = 256
	maxReadBytes = 64 << 10
)

// readTrace collects what a read handler writes into the reader's buffer.
type readTrace struct {
	buf    kernelsim.Addr
	count  uint64
	pieces []readPiece
}

// readPiece is bytes written at offset off of the buffer.
type readPiece struct {
	off  uint64
	data []byte
}

// wrote notes data written to user address to while the handler runs.
func (t *readTrace) wrote(to kernelsim.Addr, data []byte) {
	if t == nil || len(data) == 0 || to < t.buf || uint64(to-t.buf) >= t.count {
		return
	}
	off := uint64(to - t.buf)
	data = data[:min(uint64(len(data)), t.count-off)]
	t.pieces = append(t.pieces, readPiece{off: off, data: append([]byte(nil), data...)})
}

// begin starts the trace of a read() of count bytes into buf.
func (l *readLog) begin(buf kernelsim.Addr, count uint64) *readTrace {
	prev := l.cur
	l.cur = &readTrace{buf: buf, count: min(count, maxReadBytes)}
	return prev
}

// end closes the trace of the read() on f that returned ret, in step.
func (l *readLog) end(f *kernelsim.File, ret int64, step int32, prev *readTrace) {
	t := l.cur
	l.cur = prev
	r := l.file(f, step)
	if t == nil || ret <= 0 || r == nil || r.Truncated {
		return
	}
	n := min(uint64(ret), t.count)
	data := make([]byte, n)
	written := make([]bool, n)
	for _, p := range t.pieces {
		for i, b := range p.data {
			if j := p.off + uint64(i); j < n {
				data[j], written[j] = b, true
			}
		}
	}
	for _, w := range written {
		if !w {
			r.Forged++
		}
	}
	if room := maxReadBytes - len(r.Data); len(data) > room {
		data, r.Truncated = data[:room], true
	}
	r.Data = append(r.Data, data...)
}

// file returns the record of f, made at its first read; nil when the log
// is full.
func (l *readLog) file(f *kernelsim.File, step int32) *Read {
	if r := l.byFile[f]; r != nil {
		return r
	}
	if len(l.files) >= maxReadFiles {
		return nil
	}
	if l.byFile == nil {
		l.byFile = make(map[*kernelsim.File]*Read)
	}
	r := &Read{Path: f.Path, Step: int(step)}
	l.byFile[f] = r
	l.files = append(l.files, r)
	return r
}

// userWrote notes bytes kernel code put at user address to (copy_to_user,
// put_user, clear_user), for the read() being traced.
func (e *env) userWrote(to kernelsim.Addr, data []byte) {
	e.reads.cur.wrote(to, data)
}

// copiedToUser notes what copy_to_user(to, from, n) copied, done bytes:
// the source bytes, peeked at again in kernel memory (without the checks
// the copy made: nothing is reported twice).
func (e *env) copiedToUser(to, from kernelsim.Addr, done uint64) {
	if e.reads.cur == nil || done == 0 {
		return
	}
	buf := make([]byte, min(done, maxReadBytes))
	e.k.Peek(from, buf)
	e.userWrote(to, buf)
}

// putUserBytes is what put_user(x, ptr) of size stores: x little-endian.
func putUserBytes(x uint64, size int) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	return b[:size]
}

// Reads returns what user space read from device files so far, one Read
// per open file, in the order they were first read.
func (m *Machine) Reads() []Read {
	out := make([]Read, len(m.env.reads.files))
	for i, r := range m.env.reads.files {
		out[i] = *r
		out[i].Data = append([]byte(nil), r.Data...)
	}
	return out
}
