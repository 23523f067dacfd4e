package grade

import (
	"sync/atomic"
	"time"
	"unsafe"
)

// workerPage is a page of memory a worker and its batch share (on Linux a
// memfd, which the batch maps and hands the worker as its file descriptor
// 3; workerpage_linux.go). In it the worker notes, with plain stores and no
// system call, which of the submissions sent to it it is grading and when
// it began or ended one. That is what lets a worker hold its answers back
// and send several in one write (answerWriter), waking its batch once per
// several submissions instead of once per submission, and still have its
// death reported for the right submission: when a worker dies, the batch
// reads the page to learn which submission it was grading; the answers it
// held back for the submissions before that one are lost with it, and
// those submissions are graded again by the next worker (grading is
// deterministic: the same results). Without a page (another system, or a
// memfd refused) a worker answers each submission at once, as it did
// before answers were batched.
type workerPage struct {
	mem []byte // a page, mapped shared
}

// The page's words (atomic, 8-byte aligned at the page's start).
const (
	pageBegun = iota // how many submissions the worker has begun grading
	pageEnded        // how many it has finished grading
	pageAt           // when it last began or finished one, in Unix nanoseconds
	pageWords
)

func (p *workerPage) words() *[pageWords]atomic.Int64 {
	return (*[pageWords]atomic.Int64)(unsafe.Pointer(unsafe.SliceData(p.mem)))
}

// begin notes that the worker begins its n-th submission (from 1).
func (p *workerPage) begin(n int) {
	if p == nil {
		return
	}
	w := p.words()
	w[pageAt].Store(time.Now().UnixNano())
	w[pageBegun].Store(int64(n))
}

// end notes that the worker has graded its n-th submission.
func (p *workerPage) end(n int) {
	if p == nil {
		return
	}
	w := p.words()
	w[pageAt].Store(time.Now().UnixNano())
	w[pageEnded].Store(int64(n))
}

// state returns what the worker last noted: how many submissions it has
// begun and finished, and when it last began or finished one (the zero
// time if it has done neither).
func (p *workerPage) state() (begun, ended int, at time.Time) {
	w := p.words()
	begun, ended = int(w[pageBegun].Load()), int(w[pageEnded].Load())
	if ns := w[pageAt].Load(); ns != 0 {
		at = time.Unix(0, ns)
	}
	return begun, ended, at
}

// reset clears the page for a new worker.
func (p *workerPage) reset() {
	w := p.words()
	for i := range w {
		w[i].Store(0)
	}
}
