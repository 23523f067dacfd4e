package grade

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// lane grades submissions one after another: in this process, or in a
// worker process (isolation.go).
type lane interface {
	// serve grades the submissions f hands it until f has none left,
	// telling news of each (see graded): its start, when watched, and its
	// result.
	serve(subs []Submission, f *feed, news chan<- graded, watched bool)
	// abort stops the lane at once: the batch was interrupted and what it
	// is grading will not be waited for.
	abort()
	// close ends the lane after its last submission.
	close()
}

// inProcess grades in the calling process.
type inProcess struct{ l *Lane }

func (inProcess) abort() {}
func (inProcess) close() {}

func (l inProcess) serve(subs []Submission, f *feed, news chan<- graded, watched bool) {
	for i, ok := f.claim(); ok; i, ok = f.claim() {
		readTaken(subs, i)
		if watched {
			news <- graded{i, nil}
		}
		news <- graded{i, l.l.Submission(subs[i])}
	}
}

// feed hands a batch's submissions, by index and in order, to its lanes,
// until none is left or the batch is interrupted. Lanes take them as they
// need them: one whose submissions grade faster takes more.
type feed struct {
	n     int           // submissions in the batch
	lanes int           // lanes taking them
	taken atomic.Int64  // submissions handed out
	quit  chan struct{} // closed when the batch is interrupted
}

// claim returns the next submission's index, or false when there is none
// left or the batch was interrupted.
func (f *feed) claim() (int, bool) {
	select {
	case <-f.quit:
		return 0, false
	default:
	}
	i := f.taken.Add(1) - 1
	if i >= int64(f.n) {
		return 0, false
	}
	return int(i), true
}

// left is how many submissions no lane has taken yet.
func (f *feed) left() int { return max(0, f.n-int(f.taken.Load())) }

// graded is a lane's news of submission i: it started (res is nil), or
// it was graded.
type graded struct {
	i   int
	res *Result
}

// Progress is how a batch stands, for a progress display.
type Progress struct {
	Done, Total int
	// Waiting is the submission (its Path) graded for the longest time
	// among those being graded now, and For how long it has been; "" when
	// none is. A display names it when For grows long: one slow
	// submission then explains a bar that stands still.
	Waiting string
	For     time.Duration
}

// Grade grades every submission, cfg.Jobs at a time, and returns the batch
// in the submissions' order. When cfg.Stop delivers a signal, Grade
// returns at once: the results so far, every other submission NotGraded,
// the batch marked interrupted.
func (g *Grader) Grade(subs []Submission) *Batch {
	b := g.newBatch()
	b.Results = make([]*Result, len(subs))
	// Each lane's start and end of a submission arrive in order on one
	// channel, which never blocks a lane, even after an interrupt.
	news := make(chan graded, 2*len(subs))
	lanes := make([]lane, min(max(1, g.cfg.Jobs), max(1, len(subs))))
	f := &feed{n: len(subs), lanes: len(lanes), quit: make(chan struct{})}
	// A lane's start of a submission is news only for a progress display
	// (watch.report names the submission waited on): without one, a lane
	// sends only its results, and the batch's goroutine is woken once per
	// submission, not twice.
	watched := g.cfg.Progress != nil
	var wg sync.WaitGroup
	for j := range lanes {
		lanes[j] = g.takeLane()
		wg.Add(1)
		go func(l lane) {
			defer wg.Done()
			defer l.close()
			l.serve(subs, f, news, watched)
		}(lanes[j])
	}
	w := g.newWatch(subs)
	for w.done < len(subs) {
		select {
		case d := <-news:
			if d.res != nil {
				b.Results[d.i] = d.res
			}
			w.record(d)
		case <-g.cfg.Tick: // a nil Tick never ticks
			w.report()
		case sig := <-g.cfg.Stop: // a nil Stop never delivers
			close(f.quit)
			for _, l := range lanes {
				l.abort()
			}
			g.interrupt(b, subs, signalName(sig))
			for _, l := range g.started {
				l.abort()
			}
			g.closeStarted()
			return b
		}
	}
	wg.Wait()
	g.closeStarted()
	return b
}

// closeStarted ends the lanes StartWorkers started that Grade did not
// need (fewer submissions than lanes).
func (g *Grader) closeStarted() {
	for _, l := range g.started {
		l.close()
	}
	g.started = nil
}

// watch keeps what Progress reports: how many submissions are done, and
// when each of those being graded started.
type watch struct {
	g       *Grader
	subs    []Submission
	done    int
	started map[int]time.Time
}

func (g *Grader) newWatch(subs []Submission) *watch {
	return &watch{g: g, subs: subs, started: map[int]time.Time{}}
}

func (w *watch) now() time.Time {
	if w.g.cfg.Now != nil {
		return w.g.cfg.Now()
	}
	return time.Now()
}

// record notes a lane's news and reports it.
func (w *watch) record(d graded) {
	if d.res == nil {
		w.started[d.i] = w.now()
	} else {
		delete(w.started, d.i)
		w.done++
	}
	w.report()
}

// report calls Progress with the batch as it stands; the submission
// waited on is the one started first (the lowest index among equals).
func (w *watch) report() {
	if w.g.cfg.Progress == nil {
		return
	}
	p := Progress{Done: w.done, Total: len(w.subs)}
	first := -1
	for i, t := range w.started {
		if first < 0 || t.Before(w.started[first]) || t.Equal(w.started[first]) && i < first {
			first = i
		}
	}
	if first >= 0 {
		p.Waiting, p.For = w.subs[first].Path, w.now().Sub(w.started[first])
	}
	w.g.cfg.Progress(p)
}

// Unfinished returns the batch as it stands before grading starts: every
// submission NotGraded, the batch "not finished". The CLI writes it to -o
// first, so that a batch killed outright leaves that, not an older batch's
// results.
func (g *Grader) Unfinished(subs []Submission) *Batch {
	b := g.newBatch()
	b.Results = make([]*Result, len(subs))
	g.interrupt(b, subs, "not finished")
	return b
}

// StartWorkers starts the worker processes of n lanes (no more than
// Config.Jobs) now, for the next Grade to use, when the configuration
// grades in workers; otherwise it does nothing. A worker takes some
// milliseconds to start (the process, the lesson, the boot image): a
// caller that starts them before reading the submissions has both done
// at once.
func (g *Grader) StartWorkers(n int) {
	if g.cfg.Workers == nil {
		return
	}
	for range min(n, max(1, g.cfg.Jobs)) - len(g.started) {
		l := &processLane{g: g, w: g.cfg.Workers}
		if l.start() != nil {
			l.close()
			return // Grade starts its lanes itself, and reports why they fail
		}
		g.started = append(g.started, l)
	}
}

// takeLane returns a lane StartWorkers started, else a new one.
func (g *Grader) takeLane() lane {
	if n := len(g.started); n > 0 {
		l := g.started[n-1]
		g.started = g.started[:n-1]
		return l
	}
	return g.newLane()
}

// newLane returns a lane of the kind the configuration asks for.
func (g *Grader) newLane() lane {
	if g.cfg.Workers != nil {
		return &processLane{g: g, w: g.cfg.Workers}
	}
	return inProcess{g.Lane()}
}

// interrupt marks every submission without a result NotGraded, and the
// batch interrupted by why.
func (g *Grader) interrupt(b *Batch, subs []Submission, why string) {
	b.Interrupted = why
	for i, r := range b.Results {
		if r == nil {
			r = g.newResult(subs[i].Path)
			g.errorAll(r, NotGraded, messages.T("not-graded", why))
			cleanResult(r)
			b.Results[i] = r
		}
	}
}

// signalName names a signal as kill(1) does: "SIGTERM".
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.Signal(1): // SIGHUP, which js/wasm's syscall does not name
		return "SIGHUP"
	case nil:
		return "stopped"
	}
	return sig.String()
}
