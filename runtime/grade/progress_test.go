package grade

import (
	"sync"
	"testing"
	"time"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// TestProgressNamesSlowSubmission: while a submission is being graded,
// every tick reports it and how long it has been graded, by the batch's
// clock; once the batch is done nothing is waited on. The slow submission
// is held by a gated machine and the clock and ticks are the test's, so
// nothing depends on real time.
func TestProgressNamesSlowSubmission(t *testing.T) {
	good, slow := "testdata/subs/good.star", "testdata/subs/fake_output.star"
	gate := make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(gate)
		}
	}()
	cfg := fakeConfig()
	cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) {
		m, err := scenariotest.New(o)
		return gated{m, good, gate}, err
	}
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tick := make(chan time.Time)
	reports := make(chan Progress, 100)
	cfg.Jobs, cfg.Now, cfg.Tick = 1, clock.Now, tick
	cfg.Progress = func(p Progress) { reports <- p }
	g := newGrader(t, cfg, "testdata/hello.yaml")
	batch := make(chan *Batch)
	go func() { batch <- g.Grade(Submissions([]string{good, slow})) }()

	awaitReport(t, reports, func(p Progress) bool { return p.Done == 1 && p.Waiting == slow })
	tick <- clock.advance(1500 * time.Millisecond)
	p := awaitReport(t, reports, func(p Progress) bool { return p.For > 0 })
	if p.Waiting != slow || p.For != 1500*time.Millisecond || p.Done != 1 || p.Total != 2 {
		t.Errorf("after 1.5 s: %+v, want %s waited on for 1.5s, 1/2 done", p, slow)
	}
	tick <- clock.advance(time.Second)
	p = awaitReport(t, reports, func(Progress) bool { return true })
	if p.Waiting != slow || p.For != 2500*time.Millisecond {
		t.Errorf("after 2.5 s: %+v, want %s waited on for 2.5s", p, slow)
	}

	close(gate)
	released = true
	p = awaitReport(t, reports, func(p Progress) bool { return p.Done == 2 })
	if p.Waiting != "" || p.For != 0 {
		t.Errorf("batch done: %+v, want nothing waited on", p)
	}
	if b := <-batch; !b.Complete() {
		t.Errorf("batch not complete")
	}
}

// awaitReport returns the first report that ok accepts, skipping others.
func awaitReport(t *testing.T, reports <-chan Progress, ok func(Progress) bool) Progress {
	t.Helper()
	deadline := time.After(2 * time.Minute) // ends only a test that already fails
	for {
		select {
		case p := <-reports:
			if ok(p) {
				return p
			}
		case <-deadline:
			t.Fatal("the awaited progress report never came")
		}
	}
}
