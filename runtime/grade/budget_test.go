package grade

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// gradeRunaway grades testdata/runaway with lesson 01's exercise.
func gradeRunaway(t *testing.T) *Batch {
	t.Helper()
	g := newGrader(t, realConfig(), "../../lessons/01_kmalloc.yaml")
	return g.Grade(Submissions([]string{"testdata/runaway"}))
}

// TestRunawaySubmissions: each kind of runaway submission ends in a
// normal, deterministic outcome with the sandbox's reason, never a crash,
// an exhausted host or the wall-time backstop.
func TestRunawaySubmissions(t *testing.T) {
	want := map[string]struct {
		status Status
		reason string
	}{
		"big_list.star":          {Error, "*: result too large: 1048577 elements"},
		"big_string.star":        {Error, "*: result too large: 1048577 bytes"},
		"doubling.star":          {Error, "+: result too large: 2097152 bytes"},
		"fail_huge.star":         {Error, "more bytes not shown"},
		"memset_loop.star":       {Timeout, "step budget exhausted at testdata/runaway/memset_loop.star:7:"},
		"nested_str.star":        {Error, "str: result too large"},
		"recursion_kmalloc.star": {Error, "recursion too deep: more than 1000 nested calls"},
		"resched_tasklet.star":   {Timeout, "step budget exhausted at testdata/runaway/resched_tasklet.star:"},
	}
	b := gradeRunaway(t)
	if len(b.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(b.Results), len(want))
	}
	for _, r := range b.Results {
		name := r.Submission[strings.LastIndex(r.Submission, "/")+1:]
		w := want[name]
		fb := feedback(r)
		if r.Checks[0].Status != w.status || !strings.Contains(fb, w.reason) {
			t.Errorf("%s: %s, want %s with %q:\n%s", name, checkStatuses(r), w.status, w.reason, fb)
		}
		if len(fb) > 64<<10 {
			t.Errorf("%s: %d bytes of feedback", name, len(fb))
		}
	}
}

// TestRunawayUnderLoad grades the runaway submissions idle and with busy
// goroutines beside them: the results are the same byte for byte, because
// the budget counts steps, not time.
func TestRunawayUnderLoad(t *testing.T) {
	idle := render(t, gradeRunaway(t), "json", "en")
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for !stop.Load() {
				n++
			}
			_ = n
		}()
	}
	loaded := render(t, gradeRunaway(t), "json", "en")
	stop.Store(true)
	wg.Wait()
	if !bytes.Equal(idle, loaded) {
		t.Errorf("results differ under load:\n%s\n----\n%s", idle, loaded)
	}
}
