package grade

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/lesson"
)

// TestRepoLessons is kscript test over the repository's lessons: each
// lesson's script meets its expectations, each reference solution earns
// full marks, each starter does not.
func TestRepoLessons(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d lessons, want at least 10", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			lt := TestLesson(realConfig(), f, "en")
			if lt.Error != nil {
				t.Fatal(lt.Error)
			}
			if len(lt.Parts) != 3 {
				t.Errorf("lesson %s has no exercise (parts %d)", name, len(lt.Parts))
			}
			for _, p := range lt.Parts {
				if !p.OK {
					t.Errorf("%s failed:\n  %s", p.Name, strings.Join(p.Diags, "\n  "))
				}
			}
		})
	}
}

// TestSeedModulesScoreFullMarks grades each lesson's own script, the
// port of the workshop's module, with the lesson's exercise: it earns full
// marks, as a student who ports the seed faithfully must. Lesson 8's script
// is the corrected module by default (TestSeedLesson8 grades the seed's);
// lesson 11's is the buggy driver its exercise starts from.
func TestSeedModulesScoreFullMarks(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	for _, f := range files {
		l := loadLesson(t, f)
		if l.Exercise == nil || l.ID == "11_memory_bugs" {
			continue // lesson 11's script is the buggy driver: the exercise's starter
		}
		t.Run(l.ID, func(t *testing.T) {
			g := newGrader(t, realConfig(), f)
			r := g.Submission(readSubmission(l.Script))
			if !r.FullMarks() {
				t.Errorf("%s: %d/%d, %s\n%s", l.Script, r.Score, r.MaxScore, checkStatuses(r), feedback(r))
			}
		})
	}
}

// TestSeedLesson8 grades the workshop's own uaccess_test.c (unbounded
// copy_from_user) with lesson 8: it loses the bounded-copy points, and
// keeps those of the checks its code gets right.
func TestSeedLesson8(t *testing.T) {
	g := newGrader(t, realConfig(), "../../lessons/08_copy_from_user.yaml")
	r := g.Submission(readSubmission("testdata/seed_08_uaccess_test.star"))
	byID := map[string]*CheckResult{}
	for _, c := range r.Checks {
		byID[c.ID] = c
	}
	if byID["loads"].Status != Pass || byID["round-trip"].Status != Pass {
		t.Errorf("the seed's module must load and round-trip: %s", checkStatuses(r))
	}
	if c := byID["bounded-copy"]; c.Status != Fail || c.Points != 0 {
		t.Errorf("bounded-copy: %s %d points, want FAIL 0:\n%s", c.Status, c.Points, strings.Join(c.Feedback("en"), "\n"))
	}
	if r.FullMarks() {
		t.Errorf("the seed's module earns full marks: %s", checkStatuses(r))
	}
}

// TestSeedLesson8Bounded grades the workshop's module ported from the seed
// (not from the starter: it has no user programs of its own) with the
// minimal fix, a bounded copy: the lesson's own user programs test it, and
// it earns full marks.
func TestSeedLesson8Bounded(t *testing.T) {
	g := newGrader(t, realConfig(), "../../lessons/08_copy_from_user.yaml")
	r := g.Submission(readSubmission("testdata/seed_08_bounded.star"))
	if !r.FullMarks() {
		t.Errorf("%d/%d, %s\n%s", r.Score, r.MaxScore, checkStatuses(r), feedback(r))
	}
	if len(r.Notes) != 0 {
		t.Errorf("notes %v, want none: the submission declares no user program", r.Notes)
	}
}

// TestHarnessReplacesSubmissionPrograms: a submission cannot earn a check
// by rewriting the user program the check runs. Lesson 8's unbounded driver
// with a long_write that writes 27 bytes and prints "wrote 40 bytes" loses
// bounded-copy, and the feedback says, in both languages, that its
// long_write was ignored.
func TestHarnessReplacesSubmissionPrograms(t *testing.T) {
	g := newGrader(t, realConfig(), "../../lessons/08_copy_from_user.yaml")
	r := g.Submission(readSubmission("testdata/subs08/cheat_long_write.star"))
	for _, c := range r.Checks {
		if c.ID == "bounded-copy" && (c.Status != Fail || c.Points != 0) {
			t.Errorf("bounded-copy: %s %d points, want FAIL 0", c.Status, c.Points)
		}
	}
	if len(r.Notes) != 1 {
		t.Fatalf("notes %v, want one about long_write", r.Notes)
	}
	n := r.Notes[0]
	if !strings.Contains(n.EN, `user_program "long_write" is ignored`) || !strings.Contains(n.TH, `user_program "long_write" ในงานที่ส่งถูกข้ามไป`) {
		t.Errorf("note %+v, want long_write named as ignored in English and Thai", n)
	}
	var buf strings.Builder
	if err := Write(&buf, &Batch{Lesson: "08", Results: []*Result{r}}, WriteOptions{Format: "json", Lang: "th"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"notes": [`) {
		t.Errorf("json results carry no notes:\n%s", buf.String())
	}
}

// lessonSeeds is how many seeds TestRepoLessonsEverySeed tries: a lesson
// must not depend on the seed, which moves timestamps, hashed pointers,
// where boot left memory and the pauses between steps.
const lessonSeeds = 32

// TestRepoLessonsEverySeed runs, on each seed 0..lessonSeeds-1, every
// lesson's script through its scenario (every expectation holds, the
// kernel stays healthy) and grades every reference solution (full marks).
// One boot per seed, copied (kclone) for every run; seeds in parallel.
func TestRepoLessonsEverySeed(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	var lessons []*lesson.Lesson
	for _, f := range files {
		if l := loadLesson(t, f); l.Exercise != nil {
			lessons = append(lessons, l)
		}
	}
	if len(lessons) < 10 {
		t.Fatalf("%d lessons with an exercise, want at least 10", len(lessons))
	}
	for seed := range uint64(lessonSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			cfg := realConfig()
			cfg.Options.Kernel.Seed = seed
			snap, err := kclone.Take(cfg.Options.Kernel)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Options.NewKernel = snap.NewKernel
			for _, l := range lessons {
				if p := testScript(cfg, l, "en"); !p.OK {
					t.Errorf("%s: the lesson's script fails:\n  %s", l.ID, strings.Join(p.Diags, "\n  "))
				}
				g, err := New(cfg, l)
				if err != nil {
					t.Fatal(err)
				}
				if r := g.Submission(readSubmission(l.Rel(l.Exercise.Solution))); !r.FullMarks() {
					t.Errorf("%s: the solution scores %d/%d: %s\n%s", l.ID, r.Score, r.MaxScore, checkStatuses(r), feedback(r))
				}
			}
		})
	}
}

// TestLesson11ChecksAreAboutTheirBug: each of lesson 11's bug checks fails
// on the starter because of its own bug, the kernel report (or kscript's
// finding) of that class at that check's step, so a check passes only when
// that bug is gone from a function that still does the work.
func TestLesson11ChecksAreAboutTheirBug(t *testing.T) {
	g := newGrader(t, realConfig(), "../../lessons/11_memory_bugs.yaml")
	r := g.Submission(readSubmission("../../lessons/exercises/11_memory_bugs.star"))
	for id, class := range map[string]string{
		"oob": "slab-out-of-bounds", "uaf": "use-after-free", "double": "double-free",
		"leak": "memory-leak", "global": "global-out-of-bounds", "atomic": "sleeping-in-atomic",
		"vfree": "bad-vfree", "null-ptr": "null-deref",
	} {
		c := checkByID(r, id)
		if c == nil {
			t.Fatalf("no check %s", id)
		}
		if c.Status != Fail || c.Report == nil || c.Report.Class != class {
			t.Errorf("check %s on the starter: %s, report %+v, want FAIL with a %s report", id, c.Status, c.Report, class)
		}
	}
}
