package grade

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/scenario"
)

// TestFailKeptRuns counts the machines lesson 10's submissions take with
// its fail_kept: check. Its steps are the lesson's first steps, so the
// lesson's run shows which allocations a module keeps: a reference
// solution, or an honest module that also checks a scratch object, takes
// no machine beyond the planned runs; a module whose 50th allocation is a
// throwaway, or that keeps spare objects from another line, one more (in
// which its unchecked allocation oopses). With the check's steps not the
// lesson's first steps, the run without fault injection is one more.
func TestFailKeptRuns(t *testing.T) {
	own := filepath.Join(t.TempDir(), "10_kmem_cache.yaml")
	src, err := os.ReadFile("../../lessons/10_kmem_cache.yaml")
	if err != nil {
		t.Fatal(err)
	}
	steps := "        - make\n        - sudo head -n 4 /proc/slabinfo\n        - sudo insmod kmem_cache_test.ko\n        - sudo head -n 3 /proc/slabinfo\n"
	if !strings.Contains(string(src), steps) {
		t.Fatal("lesson 10's handles-enomem steps are not the lesson's first four")
	}
	alt := strings.Replace(string(src), steps, "        - make\n        - sudo insmod kmem_cache_test.ko\n", 1)
	abs, _ := filepath.Abs("../../lessons/exercises")
	alt = strings.ReplaceAll(alt, "exercises/", abs+"/")
	if err := os.WriteFile(own, []byte(alt), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		solution  = "../../lessons/exercises/10_kmem_cache.solution.star"
		gotoStyle = "testdata/honest/10_kmem_cache/goto_cleanup.star"
		throwaway = "testdata/cheats/10_kmem_cache/throwaway_checked.star"
		sameLine  = "testdata/cheats/10_kmem_cache/throwaway_same_line.star"
		spares    = "testdata/cheats/10_kmem_cache/spares_kept.star"
	)
	for _, tc := range []struct {
		lesson, sub string
		extra       int64
		full        bool
	}{
		{"../../lessons/10_kmem_cache.yaml", solution, 0, true},
		{"../../lessons/10_kmem_cache.yaml", gotoStyle, 0, true},
		{"../../lessons/10_kmem_cache.yaml", throwaway, 1, false},
		{"../../lessons/10_kmem_cache.yaml", sameLine, 1, false},
		{"../../lessons/10_kmem_cache.yaml", spares, 1, false},
		{own, solution, 1, true},
		{own, throwaway, 2, false},
	} {
		var n atomic.Int64
		cfg := realConfig()
		cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) {
			n.Add(1)
			return kruntime.NewMachine(o)
		}
		g := newGrader(t, cfg, tc.lesson)
		g.Submission(readSubmission(tc.sub)) // the probe of fault injection boots once
		n.Store(0)
		r := g.Submission(readSubmission(tc.sub))
		if got, want := n.Load(), int64(len(g.runs))+tc.extra; got != want {
			t.Errorf("%s with %s: %d machines, want %d (%d planned runs + %d)", tc.sub, tc.lesson, got, want, len(g.runs), tc.extra)
		}
		if r.FullMarks() != tc.full {
			t.Errorf("%s with %s: %d/%d: %s", tc.sub, tc.lesson, r.Score, r.MaxScore, checkStatuses(r))
		}
		if c := checkByID(r, "handles-enomem"); c == nil || (c.Status == Pass) != tc.full {
			t.Errorf("%s with %s: handles-enomem: %s", tc.sub, tc.lesson, checkStatuses(r))
		}
	}
}
