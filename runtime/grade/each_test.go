package grade

import (
	"sync/atomic"
	"testing"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/scenario"
)

// TestFailEachRuns counts the machines a submission takes: a reference
// solution none beyond the planned runs (the run without fault injection
// counted its allocations, so the fail_each sweep is skipped), a module
// with a same-size throwaway allocation first one more, in which the
// second allocation fails and the unchecked one oopses.
func TestFailEachRuns(t *testing.T) {
	for _, tc := range []struct {
		lesson, sub string
		extra       int64
		full        bool
	}{
		{"01_kmalloc", "../../lessons/exercises/01_kmalloc.solution.star", 0, true},
		{"03_atomic", "../../lessons/exercises/03_atomic.solution.star", 0, true},
		{"02_kfree", "../../lessons/exercises/02_kfree.solution.star", 0, true},
		{"01_kmalloc", "testdata/cheats/01_kmalloc/decoy_same_size.star", 1, false},
		{"03_atomic", "testdata/cheats/03_atomic/decoy_same_size.star", 1, false},
		// nth=2 fails the scratch buffer, nth=3 finds no third call.
		{"01_kmalloc", "testdata/honest/01_kmalloc/two_allocations.star", 2, true},
	} {
		var n atomic.Int64
		cfg := realConfig()
		cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) {
			n.Add(1)
			return kruntime.NewMachine(o)
		}
		g := newGrader(t, cfg, "../../lessons/"+tc.lesson+".yaml")
		g.Submission(readSubmission(tc.sub)) // the probe of fault injection boots once
		n.Store(0)
		r := g.Submission(readSubmission(tc.sub))
		if got, want := n.Load(), int64(len(g.runs))+tc.extra; got != want {
			t.Errorf("%s: %d machines, want %d (%d planned runs + %d)", tc.sub, got, want, len(g.runs), tc.extra)
		}
		if r.FullMarks() != tc.full {
			t.Errorf("%s: %d/%d: %s", tc.sub, r.Score, r.MaxScore, checkStatuses(r))
		}
	}
}
