package grade

import (
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/grade/kclone"
)

func TestVerifySeed(t *testing.T) {
	for _, s := range []uint64{0, 1, 2, 7, 42, 99, 0x5eed, 1<<64 - 1} {
		if VerifySeed(s) == s {
			t.Errorf("VerifySeed(%d) is the seed itself", s)
		}
	}
}

// TestVerifyPlan: only the checks whose dmesg lines have {{pfn}} or
// {{kptr}} get a verify run.
func TestVerifyPlan(t *testing.T) {
	g := newGrader(t, realConfig(), "../../lessons/05_free_pages.yaml")
	var ids []string
	for _, r := range g.runs {
		for _, i := range r.verify {
			ids = append(ids, g.lesson.Exercise.Checks[i].ID)
		}
	}
	if strings.Join(ids, " ") != "loads" {
		t.Errorf("verified checks %v, want [loads]", ids)
	}
}

// TestVerifyRun grades, on seed 0 and with a boot cache, the cheat that
// types in the pfn seed 0 gives the workshop's module: its check fails on
// the verify run alone, and the feedback says so in both languages. The
// verify seed's boot image is cached beside the grading seed's.
func TestVerifyRun(t *testing.T) {
	dir := t.TempDir()
	cfg := realConfig()
	cfg.Boot = kclone.OpenCache(dir)
	g := newGrader(t, cfg, "../../lessons/05_free_pages.yaml")
	r := g.Lane().Submission(readSubmission("testdata/cheats/05_free_pages/typed_pfn_seed0.star"))
	c := checkByID(r, "loads")
	if c.Status != Fail || len(c.Failures) == 0 {
		t.Fatalf("loads: %s, want FAIL: %s", c.Status, checkStatuses(r))
	}
	got := c.Failures[0].Got
	for _, want := range []string{"passed on seed 0, but not on the verify run (kernel seed 24301", "66488 is not the pfn"} {
		if !strings.Contains(got.EN, want) {
			t.Errorf("feedback %q lacks %q", got.EN, want)
		}
	}
	if !strings.Contains(got.TH, "ผ่านบน seed 0 แต่ไม่ผ่านในการรันตรวจซ้ำ") {
		t.Errorf("Thai feedback %q does not say the verify run failed", got.TH)
	}
	if r := g.Submission(readSubmission("../../lessons/exercises/05_free_pages.solution.star")); !r.FullMarks() {
		t.Errorf("solution: %d/%d: %s", r.Score, r.MaxScore, checkStatuses(r))
	}
	again := kclone.OpenCache(dir)
	if again.Image(g.cfg.Options.Kernel) == nil || again.Image(g.verifyConfig()) == nil {
		t.Error("the grading seed's and the verify seed's boot images are not both cached")
	}
}
