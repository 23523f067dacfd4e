package grade

import (
	"bufio"
	"sync"
	"time"
)

// answerBatch is how many answers a worker with a shared page
// (workerPage) holds back at most before it sends them in one write, and
// pageAhead how many submissions its batch sends it ahead of their turn:
// twice as many, so that the worker has the next ones while its batch
// reads a batch of answers and sends more. holdBack is how long a worker
// holds an answer back at most (a long submission after short ones: the
// batch's progress display and its results so far still see them).
//
// Measured (1000 submissions of lesson 03, two CPUs): a worker that
// answered each submission at once woke its batch once per submission, and
// each wake-up was a process switch on a CPU a worker needed; at 32 answers
// a write the batch's context switches fell from about 2,900 to 1,000.
const (
	answerBatch = 32
	pageAhead   = 2 * answerBatch
	holdBack    = 20 * time.Millisecond
)

// answerWriter writes a worker's answers, holding up to max of them back
// to send them in one write. It sends what it holds when it holds max,
// when an answer has waited holdBack, when the worker's input has nothing
// more for it (flush, called before the worker waits), and at the end.
type answerWriter struct {
	mu      sync.Mutex
	w       *bufio.Writer
	m       wireWriter
	max     int
	pending int
	timer   *time.Timer // sends what is held back after holdBack
	err     error       // the first failed write: the worker's end
}

// newAnswerWriter returns an answerWriter that sends each answer at once
// (until holdUpTo).
func newAnswerWriter(w *bufio.Writer) *answerWriter { return &answerWriter{w: w, max: 1} }

// holdUpTo has a hold up to n answers back; before its first answer.
func (a *answerWriter) holdUpTo(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.max = max(1, n)
	if a.timer == nil {
		a.timer = time.AfterFunc(time.Hour, func() { _ = a.flush() })
		a.timer.Stop()
	}
}

// put writes rep, encoded now (a lane's results may be reused by its
// next submission), and sends it when it is time to.
func (a *answerWriter) put(rep *workerReply) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	if err := a.m.write(a.w, wireReply, rep.put); err != nil {
		a.err = err
		return err
	}
	a.pending++
	if a.pending >= a.max {
		return a.flushLocked()
	}
	if a.pending == 1 && a.timer != nil {
		a.timer.Reset(holdBack)
	}
	return nil
}

// flush sends the answers held back.
func (a *answerWriter) flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flushLocked()
}

func (a *answerWriter) flushLocked() error {
	if a.pending == 0 || a.err != nil {
		return a.err
	}
	a.pending = 0
	if a.timer != nil {
		a.timer.Stop()
	}
	a.err = a.w.Flush()
	return a.err
}
