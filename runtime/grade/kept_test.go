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
// keptPickCount machines beyond the planned runs (the kept calls picked
// from its hash, each handled); a module whose 50th allocation is a
// throwaway, or that keeps spare objects from another line, or whose NULL
// check is tied to the 50th call's index, one more (in which its
// unchecked allocation oopses, and no pick runs after it). With the
// check's steps not the lesson's first steps, the run without fault
// injection is one more.
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
		indexTied = "testdata/cheats/10_kmem_cache/index_tied_check.star"
	)
	for _, tc := range []struct {
		lesson, sub string
		extra       int64
		full        bool
	}{
		{"../../lessons/10_kmem_cache.yaml", solution, keptPickCount, true},
		{"../../lessons/10_kmem_cache.yaml", gotoStyle, keptPickCount, true},
		{"../../lessons/10_kmem_cache.yaml", throwaway, 1, false},
		{"../../lessons/10_kmem_cache.yaml", sameLine, 1, false},
		{"../../lessons/10_kmem_cache.yaml", spares, 1, false},
		{"../../lessons/10_kmem_cache.yaml", indexTied, 1, false},
		{own, solution, 1 + keptPickCount, true},
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

// TestKeptPicksFollowTheSource grades lesson 10's cheat whose NULL check
// is tied to the index the lesson's spec fails (nth=50): a kept call
// picked from the submission's hash oopses. The picks are the same on
// every kernel seed, byte for byte, and move when the source changes, so
// that no submission can know them in advance.
func TestKeptPicksFollowTheSource(t *testing.T) {
	sub := readSubmission("testdata/cheats/10_kmem_cache/index_tied_check.star")
	got := func(seed uint64, s Submission) string {
		cfg := realConfig()
		cfg.Options.Kernel.Seed = seed
		r := newGrader(t, cfg, "../../lessons/10_kmem_cache.yaml").Submission(s)
		c := checkByID(r, "handles-enomem")
		if c == nil || c.Status == Pass || len(c.Failures) == 0 {
			t.Fatalf("seed %d: handles-enomem: %s", seed, checkStatuses(r))
		}
		g := c.Failures[0].Got.String()
		if strings.Contains(g, "nth=50,") {
			t.Errorf("seed %d: the pick is the spec's own call: %s", seed, g)
		}
		return g
	}
	first := got(0, sub)
	if again := got(7, sub); again != first {
		t.Errorf("the picks differ with the seed:\n%s\n%s", first, again)
	}
	moved := false
	for _, c := range []string{"a", "b", "c"} {
		other := sub
		other.Src = append(append([]byte(nil), sub.Src...), "# "+c+"\n"...)
		if got(0, other) != first {
			moved = true
		}
	}
	if !moved {
		t.Errorf("the picks do not follow the source: %s", first)
	}
}
