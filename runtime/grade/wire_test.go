package grade

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/i18n"
)

// fill sets every exported field reachable from v (a pointer) to a value
// of its own, different from the zero value: strings, numbers and bools
// from a counter, slices with two elements, pointers to filled values.
// Unexported fields stay zero: neither gob nor the worker protocol sends
// them.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d<ก>\x00", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n) * -1000003)
	case reflect.Uint64:
		v.SetUint(uint64(*n) << 40)
	case reflect.Uint8: // a byte of a []byte
		v.SetUint(uint64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic("fill: a field of kind " + v.Kind().String() + ": teach fill and wire.go about it")
	}
}

type wireMessage interface {
	put(*wireWriter)
	get(*wireReader)
}

func encodeWire(t testing.TB, kind byte, m wireMessage) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := writeWire(w, kind, m.put); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeWire(b []byte, kind byte, m wireMessage) error {
	return readWire(bufio.NewReader(bytes.NewReader(b)), kind, m.get)
}

// gobRoundTrip is what the protocol delivered when it was gob.
func gobRoundTrip(t *testing.T, in, out any) {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	if err := gob.NewDecoder(&buf).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// lessonPart is the part of a worker's result that the batch makes itself
// (Grader.replyTemplate) and the worker does not send: a copy of r's
// submission path, maximum score and its checks' ID, title, maximum
// points, visibility, needs and fault-injection specs.
func lessonPart(r *Result) *Result {
	if r == nil {
		return nil
	}
	t := &Result{Submission: r.Submission, MaxScore: r.MaxScore}
	for _, c := range r.Checks {
		t.Checks = append(t.Checks, &CheckResult{ID: c.ID, Title: c.Title, MaxPoints: c.MaxPoints, Visibility: c.Visibility, Needs: c.Needs, Fail: c.Fail})
	}
	return t
}

// withLessonPart sets the lesson's part of res (see lessonPart) to that of
// from.
func withLessonPart(res, from *Result) {
	if res == nil || from == nil {
		return
	}
	res.Submission, res.MaxScore = from.Submission, from.MaxScore
	for i, c := range res.Checks {
		f := from.Checks[i]
		c.ID, c.Title, c.MaxPoints, c.Visibility, c.Needs, c.Fail = f.ID, f.Title, f.MaxPoints, f.Visibility, f.Needs, f.Fail
	}
}

// TestWireRoundTrip: every exported field of every message arrives, as
// gob delivered it, whether filled, empty (empty slices arrive nil, as with
// gob) or zero; in an answer, the lesson's part of the result is the one
// the batch made (lessonPart).
func TestWireRoundTrip(t *testing.T) {
	n := 0
	var hello workerHello
	var job workerJob
	var rep workerReply
	for _, v := range []any{&hello, &job, &rep} {
		fill(reflect.ValueOf(v).Elem(), &n)
	}
	// Unsent fields must not be filled: the round trip would lose them.
	for _, c := range rep.Result.Checks {
		c.hint = i18n.Text{}
	}
	empty := &Result{Notes: []i18n.Text{}, Checks: []*CheckResult{{Needs: []string{}, Failures: []Expectation{}}}}
	cases := []struct {
		kind byte
		in   wireMessage
		out  func() wireMessage
	}{
		{wireHello, &hello, func() wireMessage { return new(workerHello) }},
		{wireHello, &workerHello{}, func() wireMessage { return new(workerHello) }},
		{wireJob, &job, func() wireMessage { return new(workerJob) }},
		{wireJob, &workerJob{Src: []byte{}}, func() wireMessage { return new(workerJob) }},
		{wireJob, &workerJob{Path: "big.star", Src: bytes.Repeat([]byte("#\n"), MaxSubmissionBytes/2)}, func() wireMessage { return new(workerJob) }},
		{wireReply, &rep, nil},
		{wireReply, &workerReply{}, nil},
		{wireReply, &workerReply{Result: empty}, nil},
		{wireReply, &workerReply{Result: &Result{Checks: []*CheckResult{{Report: &Report{}}}}}, nil},
	}
	for i, tc := range cases {
		if tc.out == nil { // an answer: decoded into the lesson's part
			in := tc.in.(*workerReply).Result
			tc.out = func() wireMessage { return &workerReply{Result: lessonPart(in)} }
		}
		got := tc.out()
		if err := decodeWire(encodeWire(t, tc.kind, tc.in), tc.kind, got); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		want := tc.out()
		gobRoundTrip(t, tc.in, want)
		if w, ok := want.(*workerReply); ok {
			withLessonPart(w.Result, tc.in.(*workerReply).Result)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: got\n%#v\nwant (as gob delivered it)\n%#v", i, got, want)
		}
		if i == 0 || i == 2 || i == 5 {
			if reflect.DeepEqual(got, tc.out()) || !reflect.DeepEqual(got, tc.in) {
				t.Errorf("case %d: filled message does not survive the round trip:\n%#v\n%#v", i, got, tc.in)
			}
		}
	}
}

// TestWireMinimumSizes: the smallest encodings are what the decoder's
// count checks assume.
func TestWireMinimumSizes(t *testing.T) {
	w := &wireWriter{}
	putCheck(w, &CheckResult{})
	if len(w.buf) != minCheck {
		t.Errorf("empty CheckResult: %d bytes, minCheck is %d", len(w.buf), minCheck)
	}
	w = &wireWriter{}
	w.text(i18n.Text{})
	if len(w.buf) != minText {
		t.Errorf("empty Text: %d bytes, minText is %d", len(w.buf), minText)
	}
}

// TestWireHostile: malformed input from a worker is an error, never a
// panic nor a huge allocation: truncated messages, every byte of a real
// message changed, lengths and counts larger than the message, random
// bytes, oversize messages, a message of the wrong kind or with bytes
// left over.
func TestWireHostile(t *testing.T) {
	n := 0
	var rep workerReply
	fill(reflect.ValueOf(&rep).Elem(), &n)
	for _, c := range rep.Result.Checks {
		c.hint = i18n.Text{}
	}
	good := encodeWire(t, wireReply, &rep)
	decode := func(b []byte) error { return decodeWire(b, wireReply, &workerReply{Result: lessonPart(rep.Result)}) }
	if err := decode(good); err != nil {
		t.Fatal(err)
	}
	// An answer about another number of checks than the lesson has.
	short := lessonPart(rep.Result)
	short.Checks = short.Checks[:1]
	if err := decodeWire(good, wireReply, &workerReply{Result: short}); err == nil {
		t.Error("an answer with more checks than the lesson has was read")
	}
	// Every proper prefix is an error: EOF only before the first byte.
	for i := range good {
		err := decode(good[:i])
		if err == nil || (i == 0) != (err == io.EOF) {
			t.Fatalf("prefix of %d bytes: %v", i, err)
		}
		if i > 0 && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("prefix of %d bytes: %v, want an unexpected EOF", i, err)
		}
	}
	// Every byte changed: an error or some message, never a panic.
	for i := range good {
		for _, x := range []byte{0x00, 0x01, 0x02, 0x7f, 0x80, 0xff} {
			b := bytes.Clone(good)
			b[i] = x
			_ = decode(b)
		}
	}
	msg := func(payload ...byte) []byte {
		return append(binary.AppendUvarint(nil, uint64(len(payload))), payload...)
	}
	for name, b := range map[string][]byte{
		"empty message":   msg(),
		"wrong kind":      msg(wireJob, 0),
		"bool 2":          msg(wireReply, 2),
		"left over":       msg(wireReply, 0, 0),
		"huge string":     msg(wireReply, 1, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"huge count":      msg(wireReply, 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f),
		"varint overflow": msg(wireReply, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"over the limit":  binary.AppendUvarint(nil, maxWireMessage+1),
		"2^64-1 bytes":    binary.AppendUvarint(nil, 1<<64-1),
		"bad length":      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"lying length":    append(binary.AppendUvarint(nil, maxWireMessage), wireReply, 0),
	} {
		if err := decode(b); err == nil || err == io.EOF {
			t.Errorf("%s: %v, want an error", name, err)
		}
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, 1+rnd.IntN(64))
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		if rnd.IntN(2) == 0 {
			b = msg(append([]byte{wireReply}, b...)...)
		}
		_ = decode(b)
	}
	// A message the writer will not send.
	var buf bytes.Buffer
	big := workerJob{Src: []byte(strings.Repeat("x", maxWireMessage))}
	if err := writeWire(bufio.NewWriter(&buf), wireJob, big.put); err == nil {
		t.Error("a message over the limit was written")
	}
}

// FuzzWireReply: no input makes decoding a reply panic, and what decodes
// encodes back to the same bytes.
func FuzzWireReply(f *testing.F) {
	n := 0
	var rep workerReply
	fill(reflect.ValueOf(&rep).Elem(), &n)
	for _, c := range rep.Result.Checks {
		c.hint = i18n.Text{}
	}
	f.Add(encodeWire(f, wireReply, &rep))
	f.Add(encodeWire(f, wireReply, &workerReply{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := workerReply{Result: lessonPart(rep.Result)}
		if decodeWire(b, wireReply, &got) != nil {
			return
		}
		again := encodeWire(t, wireReply, &got)
		back := workerReply{Result: lessonPart(rep.Result)}
		if err := decodeWire(again, wireReply, &back); err != nil || !reflect.DeepEqual(got, back) {
			t.Errorf("re-encoding %q: %v", b, err)
		}
	})
}
