package grade

import (
	"os"
	"sync"
	"syscall"
)

// lane grades submissions one after another: in this process, or in a
// worker process (isolation.go).
type lane interface {
	grade(Submission) *Result
	// abort stops the lane at once: the batch was interrupted and what it
	// is grading will not be waited for.
	abort()
	// close ends the lane after its last submission.
	close()
}

// inProcess grades in the calling process.
type inProcess struct{ l *Lane }

func (l inProcess) grade(s Submission) *Result { return l.l.Submission(s) }
func (inProcess) abort()                       {}
func (inProcess) close()                       {}

// graded is a submission's result and its place in the batch.
type graded struct {
	i   int
	res *Result
}

// Grade grades every submission, cfg.Jobs at a time, and returns the batch
// in the submissions' order. When cfg.Stop delivers a signal, Grade
// returns at once: the results so far, every other submission NotGraded,
// the batch marked interrupted.
func (g *Grader) Grade(subs []Submission) *Batch {
	b := g.newBatch()
	b.Results = make([]*Result, len(subs))
	next := make(chan int)
	done := make(chan graded, len(subs)) // never blocks a lane, even after an interrupt
	quit := make(chan struct{})
	lanes := make([]lane, min(max(1, g.cfg.Jobs), max(1, len(subs))))
	var wg sync.WaitGroup
	for j := range lanes {
		lanes[j] = g.newLane()
		wg.Add(1)
		go func(l lane) {
			defer wg.Done()
			defer l.close()
			for i := range next {
				done <- graded{i, l.grade(subs[i])}
			}
		}(lanes[j])
	}
	go func() {
		defer close(next)
		for i := range subs {
			select {
			case next <- i:
			case <-quit:
				return
			}
		}
	}()
	for n := 0; n < len(subs); n++ {
		select {
		case d := <-done:
			b.Results[d.i] = d.res
			if g.cfg.Progress != nil {
				g.cfg.Progress(n+1, len(subs))
			}
		case sig := <-g.cfg.Stop: // a nil Stop never delivers
			close(quit)
			for _, l := range lanes {
				l.abort()
			}
			g.interrupt(b, subs, signalName(sig))
			return b
		}
	}
	wg.Wait()
	return b
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
