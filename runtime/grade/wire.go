package grade

// The worker protocol's encoding: the messages between a batch and its
// grading workers (workerHello, workerJob, workerReply), written by hand
// rather than with encoding/gob, whose package initialisation (about 360
// allocations building its type tables) every kscript process paid for at
// start-up, --help included, though only grading workers talk gob.
//
// A message is its length (unsigned varint) and that many bytes: a kind
// byte, then the fields in a fixed order. Integers are varints (signed
// zigzag, or unsigned), a bool is one byte 0 or 1, a string or byte slice
// its length and bytes, a slice its count and elements, a pointer a byte
// 0 (nil) or 1 and the value. As with gob, an empty slice arrives as nil
// and unexported fields (CheckResult.hint) are not sent.
//
// An answer (workerReply) carries only what the worker judged: the
// submission's path, the maximum score and each check's ID, title, points,
// visibility, needs and fault-injection specs are the lesson's, which the
// batch has too and fills in itself (Grader.replyTemplate). A lesson 03
// answer went from about 1.3 KiB and 60 strings to decode to a tenth of
// that; and no worker can say a check is other than the lesson's.
//
// Both ends are the same kscript binary, so there is no versioning; but a
// worker is where a hostile submission runs, and its answer is only bytes:
// every length and count is checked against what the message holds before
// anything is allocated, a message is at most maxWireMessage bytes, and
// anything malformed (a short message, a bool that is not 0 or 1, bytes
// left over, the wrong kind) is an error, never a panic. The batch then
// treats the worker as dead (processLane.died). TestWireRoundTrip fills
// every exported field by reflection, so a field added to a message type
// and not to this file fails it.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// maxWireMessage bounds one message: a submission is at most
// MaxSubmissionBytes and each text of a result MessageLimit bytes, so real
// messages are far smaller. (gob's bound was 1 GiB.) With the counts
// checked against the bytes each element takes at least, what a message
// decodes to is at most about 20 times its size.
const maxWireMessage = 32 << 20

// Message kinds: the first byte of each message.
const (
	wireHello = 'H'
	wireJob   = 'J'
	wireReply = 'R'
)

var errWireMalformed = errors.New("malformed message")

// wireWriter appends a message's fields to buf.
type wireWriter struct{ buf []byte }

func (w *wireWriter) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *wireWriter) int(v int64)   { w.buf = binary.AppendVarint(w.buf, v) }

func (w *wireWriter) bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *wireWriter) string(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *wireWriter) bytes(b []byte) {
	w.uint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *wireWriter) strings(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.string(s)
	}
}

func (w *wireWriter) text(t i18n.Text) {
	w.string(t.EN)
	w.string(t.TH)
}

// wireReader takes a message's fields from buf. The first error sticks:
// every later read returns a zero value, and err says what went wrong.
type wireReader struct {
	buf []byte
	err error
}

func (r *wireReader) fail() {
	if r.err == nil {
		r.err = errWireMalformed
	}
	r.buf = nil
}

func (r *wireReader) uint() uint64 {
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *wireReader) int() int64 {
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// Bytes the smallest encoded elements take: a string or byte (its length),
// a Text, an Expectation, a CheckResult.
const (
	minByte        = 1
	minText        = 2
	minExpectation = 1 + 2*minText
	minCheck       = 9
)

// count reads a length or element count of elements that take at least
// size bytes each: it cannot claim more than what is left of the message.
func (r *wireReader) count(size int) int {
	n := r.uint()
	if n > uint64(len(r.buf)/size) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *wireReader) bool() bool {
	if len(r.buf) == 0 || r.buf[0] > 1 {
		r.fail()
		return false
	}
	b := r.buf[0] == 1
	r.buf = r.buf[1:]
	return b
}

func (r *wireReader) string() string {
	n := r.count(minByte)
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

func (r *wireReader) bytes() []byte {
	n := r.count(minByte)
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	copy(b, r.buf)
	r.buf = r.buf[n:]
	return b
}

// status reads a Status; the statuses kscript has are not allocated
// again for every check of every answer.
func (r *wireReader) status() Status {
	n := r.count(minByte)
	b := r.buf[:n]
	r.buf = r.buf[n:]
	for _, st := range [...]Status{Pass, Fail, Skip, Error, Timeout, NotGraded} {
		if string(b) == string(st) {
			return st
		}
	}
	return Status(b)
}

func (r *wireReader) strings() []string {
	n := r.count(minByte)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.string()
	}
	return ss
}

func (r *wireReader) text() i18n.Text {
	return i18n.Text{EN: r.string(), TH: r.string()}
}

func (r *wireReader) intValue() int { return int(r.int()) }

// writeWire writes one message of kind, its fields appended by put.
func writeWire(w *bufio.Writer, kind byte, put func(*wireWriter)) error {
	var m wireWriter
	return m.write(w, kind, put)
}

// write is writeWire through m, whose buffer is kept for the next
// message: a lane's submissions and a worker's answers are encoded
// without growing a buffer from nothing for each (a 3 KiB submission
// took ten allocations and copies).
func (m *wireWriter) write(w *bufio.Writer, kind byte, put func(*wireWriter)) error {
	m.buf = append(m.buf[:0], kind)
	put(m)
	if len(m.buf) > maxWireMessage {
		return fmt.Errorf("worker protocol: a message of %d bytes, more than %d", len(m.buf), maxWireMessage)
	}
	var n [binary.MaxVarintLen64]byte
	if _, err := w.Write(n[:binary.PutUvarint(n[:], uint64(len(m.buf)))]); err != nil {
		return err
	}
	_, err := w.Write(m.buf)
	return err
}

// readWire reads one message of kind, its fields taken by get. It
// returns io.EOF when the input ends before a message, and an error
// (never a panic) for anything else than a whole, well-formed message.
func readWire(rd *bufio.Reader, kind byte, get func(*wireReader)) error {
	size, err := binary.ReadUvarint(rd)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return fmt.Errorf("worker protocol: %w", noEOF(err))
	}
	if size == 0 || size > maxWireMessage {
		return fmt.Errorf("worker protocol: a message of %d bytes", size)
	}
	// The buffer grows as the bytes arrive: a length that lies costs no
	// more memory than the bytes sent.
	buf := make([]byte, min(size, 64<<10))
	for done := 0; ; {
		n, err := io.ReadFull(rd, buf[done:])
		done += n
		if err != nil {
			return fmt.Errorf("worker protocol: %w", noEOF(err))
		}
		if uint64(done) == size {
			break
		}
		buf = append(buf, make([]byte, min(size-uint64(done), uint64(done)))...)
	}
	if buf[0] != kind {
		return fmt.Errorf("worker protocol: message kind %q, want %q", buf[0], kind)
	}
	r := wireReader{buf: buf[1:]}
	get(&r)
	if r.err == nil && len(r.buf) != 0 {
		r.err = fmt.Errorf("%d bytes left over", len(r.buf))
	}
	if r.err != nil {
		return fmt.Errorf("worker protocol: %c message: %w", kind, r.err)
	}
	return nil
}

// noEOF turns an end of input inside a message into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (h *workerHello) put(w *wireWriter) {
	w.string(h.Lesson)
	o := &h.Options
	w.uint(o.Kernel.RAM)
	w.uint(o.Kernel.Seed)
	w.bool(o.Kernel.Stock)
	w.string(o.Kernel.Cmdline)
	w.bool(o.Kernel.NoPCP)
	w.uint(o.MaxSteps)
	w.int(int64(o.Timeout))
	w.strings(o.Fail)
	w.string(o.Lang)
	w.bool(h.FreshBoot)
	w.uint(h.Memory)
	w.string(h.BootDir)
	w.bool(h.Page)
}

func (h *workerHello) get(r *wireReader) {
	h.Lesson = r.string()
	h.Options = wireOptions{
		Kernel: kernelsim.Config{RAM: r.uint(), Seed: r.uint(), Stock: r.bool(), Cmdline: r.string(), NoPCP: r.bool()},
	}
	o := &h.Options
	o.MaxSteps = r.uint()
	o.Timeout = time.Duration(r.int())
	o.Fail = r.strings()
	o.Lang = r.string()
	h.FreshBoot = r.bool()
	h.Memory = r.uint()
	h.BootDir = r.string()
	h.Page = r.bool()
}

func (j *workerJob) put(w *wireWriter) {
	w.string(j.Path)
	w.bytes(j.Src)
}

func (j *workerJob) get(r *wireReader) {
	j.Path = r.string()
	j.Src = r.bytes()
}

func (rep *workerReply) put(w *wireWriter) {
	res := rep.Result
	w.bool(res != nil)
	if res == nil {
		return
	}
	w.string(string(res.Status))
	w.int(int64(res.Score))
	w.text(res.Message)
	w.uint(uint64(len(res.Notes)))
	for _, n := range res.Notes {
		w.text(n)
	}
	w.uint(uint64(len(res.Checks)))
	for _, c := range res.Checks {
		putCheck(w, c)
	}
	w.string(res.Stack)
}

// get completes rep.Result, the lesson's part of the submission's result
// (Grader.replyTemplate), with what the worker judged. An answer with
// another number of checks than the lesson has is malformed.
func (rep *workerReply) get(r *wireReader) {
	res := rep.Result
	if !r.bool() {
		rep.Result = nil
		return
	}
	if res == nil {
		res = &Result{}
		rep.Result = res
	}
	res.Status = r.status()
	res.Score = r.intValue()
	res.Message = r.text()
	if n := r.count(minText); n > 0 {
		res.Notes = make([]i18n.Text, n)
		for i := range res.Notes {
			res.Notes[i] = r.text()
		}
	}
	if r.count(minCheck) != len(res.Checks) {
		r.fail()
		return
	}
	for _, c := range res.Checks {
		getCheck(r, c)
	}
	res.Stack = r.string()
}

// putCheck writes what a worker judged of a check: not its ID, title,
// maximum points, visibility, needs and fault-injection specs, which are
// the lesson's.
func putCheck(w *wireWriter, c *CheckResult) {
	if c == nil {
		c = &CheckResult{} // gob refused nil elements; no lane sends one
	}
	w.string(string(c.Status))
	w.int(int64(c.Points))
	w.uint(uint64(len(c.Failures)))
	for _, f := range c.Failures {
		w.string(f.Name)
		w.text(f.Want)
		w.text(f.Got)
	}
	w.bool(c.Report != nil)
	if p := c.Report; p != nil {
		w.string(p.Class)
		w.string(p.Title)
		w.string(p.Where)
		w.bool(p.Kscript)
		w.string(p.ThaiTitle)
		w.text(p.Explain)
	}
	w.text(c.Reason)
	w.text(c.Hint)
	w.bool(c.CannotRun)
}

// getCheck fills in c, the lesson's part of a check's result, with what
// putCheck wrote.
func getCheck(r *wireReader, c *CheckResult) {
	c.Status = r.status()
	c.Points = r.intValue()
	c.Failures = nil
	if n := r.count(minExpectation); n > 0 {
		c.Failures = make([]Expectation, n)
		for i := range c.Failures {
			c.Failures[i] = Expectation{Name: r.string(), Want: r.text(), Got: r.text()}
		}
	}
	c.Report = nil
	if r.bool() {
		c.Report = &Report{Class: r.string(), Title: r.string(), Where: r.string(), Kscript: r.bool(), ThaiTitle: r.string(), Explain: r.text()}
	}
	c.Reason = r.text()
	c.Hint = r.text()
	c.CannotRun = r.bool()
}
