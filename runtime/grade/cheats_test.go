package grade

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheatsDoNotEarnFullMarks grades the cheats of testdata/cheats, one
// folder per lesson: submissions that print what the checks look for, or
// call the API with arguments that do no work (kfree(NULL), a copy of 0
// bytes), or free what a later step needs. None earns full marks, and
// each check a cheat's "# not-pass:" line names does not pass.
func TestCheatsDoNotEarnFullMarks(t *testing.T) {
	files, _ := filepath.Glob("testdata/cheats/*/*.star")
	if len(files) < 10 {
		t.Fatalf("%d cheats, want at least 10", len(files))
	}
	graders := map[string]*Grader{}
	for _, f := range files {
		id := filepath.Base(filepath.Dir(f))
		t.Run(id+"/"+strings.TrimSuffix(filepath.Base(f), ".star"), func(t *testing.T) {
			g := graders[id]
			if g == nil {
				g = newGrader(t, realConfig(), "../../lessons/"+id+".yaml")
				graders[id] = g
			}
			sub := readSubmission(f)
			r := g.Submission(sub)
			if r.FullMarks() {
				t.Fatalf("full marks (%d/%d): %s", r.Score, r.MaxScore, checkStatuses(r))
			}
			for _, id := range notPass(t, sub.Src) {
				c := checkByID(r, id)
				if c == nil {
					t.Fatalf("no check %q", id)
				}
				if c.Status == Pass {
					t.Errorf("check %s passed, want it not to: %s", id, checkStatuses(r))
				}
			}
		})
	}
}

// TestHonestWorkEarnsFullMarks grades the submissions of testdata/honest:
// correct solutions written in ways the checks must not punish (many
// calls that do nothing besides the work).
func TestHonestWorkEarnsFullMarks(t *testing.T) {
	files, _ := filepath.Glob("testdata/honest/*/*.star")
	if len(files) == 0 {
		t.Fatal("no honest submissions")
	}
	for _, f := range files {
		id := filepath.Base(filepath.Dir(f))
		t.Run(id+"/"+strings.TrimSuffix(filepath.Base(f), ".star"), func(t *testing.T) {
			g := newGrader(t, realConfig(), "../../lessons/"+id+".yaml")
			r := g.Submission(readSubmission(f))
			if !r.FullMarks() {
				t.Errorf("%d/%d: %s\n%s", r.Score, r.MaxScore, checkStatuses(r), feedback(r))
			}
		})
	}
}

// notPass reads the "# not-pass: id id…" line of a cheat.
func notPass(t *testing.T, src []byte) []string {
	for _, l := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(l, "# not-pass:"); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatal(`no "# not-pass:" line`)
	return nil
}

func checkByID(r *Result, id string) *CheckResult {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}
