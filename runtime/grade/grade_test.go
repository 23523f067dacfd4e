package grade

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

// fakeConfig grades on the scenario package's stand-in machine, which
// knows the fault-injection spec kmalloc:nth=N.
func fakeConfig() Config {
	return Config{
		Options:    kruntime.Options{MaxSteps: 200_000},
		NewMachine: func(o kruntime.Options) (scenario.Machine, error) { return scenariotest.New(o) },
	}
}

// realConfig grades on the Starlark bridge's machine.
func realConfig() Config {
	return Config{Options: kruntime.Options{MaxSteps: 1_000_000}}
}

func loadLesson(t testing.TB, file string) *lesson.Lesson {
	t.Helper()
	l, err := lesson.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func newGrader(t testing.TB, cfg Config, file string) *Grader {
	t.Helper()
	g, err := New(cfg, loadLesson(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// checkStatuses summarises a result as "loads=PASS allocates=FAIL …".
func checkStatuses(r *Result) string {
	var parts []string
	for _, c := range r.Checks {
		parts = append(parts, c.ID+"="+string(c.Status))
	}
	return strings.Join(parts, " ")
}

// feedback is every check's feedback in English, one string.
func feedback(r *Result) string {
	var lines []string
	lines = append(lines, r.Message.EN)
	for _, c := range r.Checks {
		lines = append(lines, c.Feedback("en")...)
	}
	return strings.Join(lines, "\n")
}

func TestGradeSubmissions(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		file     string
		status   Status
		score    int
		checks   string
		feedback []string // substrings of the feedback
	}{
		{"good", fakeConfig(), "good", Pass, 10,
			"loads=PASS allocates=PASS frees=PASS healthy=PASS enomem=PASS", nil},
		{"starter", fakeConfig(), "starter", Fail, 0,
			"loads=FAIL allocates=SKIP frees=SKIP healthy=SKIP enomem=SKIP",
			[]string{"dmesg: expected: hello: got a buffer", "actual: no such line in the kernel log",
				"skipped: needs loads, which did not pass", "hint: Print the two lines and return 0."}},
		{"fake output", fakeConfig(), "fake_output", Fail, 3,
			"loads=PASS allocates=FAIL frees=SKIP healthy=PASS enomem=FAIL",
			[]string{"calls kmalloc: expected: at least 1 call with GFP_KERNEL", "actual: 0 calls",
				"insmod: expected: Cannot allocate memory", "actual: every insmod succeeded"}},
		{"no NULL check", fakeConfig(), "no_null_check", Fail, 7,
			"loads=PASS allocates=PASS frees=PASS healthy=PASS enomem=FAIL",
			[]string{"hint: Check for NULL."}},
		{"syntax error", fakeConfig(), "syntax_error", Error, 0,
			"loads=ERROR allocates=ERROR frees=ERROR healthy=ERROR enomem=ERROR",
			[]string{"testdata/subs/syntax_error.star:3:"}},
		{"endless loop", fakeConfig(), "endless_loop", Timeout, 0,
			"loads=TIMEOUT allocates=SKIP frees=SKIP healthy=SKIP enomem=SKIP",
			[]string{"step budget exhausted at testdata/subs/endless_loop.star:7:", "all 200000 Starlark steps"}},

		{"real: fake output", realConfig(), "fake_output", Fail, 3,
			"loads=PASS allocates=FAIL frees=SKIP healthy=PASS enomem=",
			[]string{"calls kmalloc: expected: at least 1 call with GFP_KERNEL", "actual: 0 calls"}},
		{"real: syntax error", realConfig(), "syntax_error", Error, 0,
			"loads=ERROR allocates=ERROR frees=ERROR healthy=ERROR enomem=ERROR",
			[]string{"testdata/subs/syntax_error.star:3:"}},
		{"real: endless loop", realConfig(), "endless_loop", Timeout, 0,
			"loads=TIMEOUT allocates=SKIP frees=SKIP healthy=SKIP enomem=SKIP",
			[]string{"step budget exhausted at testdata/subs/endless_loop.star:7:", "the submission used all 1000000 Starlark steps"}},
		{"real: oops", realConfig(), "oops", Fail, 0,
			"loads=FAIL allocates=SKIP frees=SKIP healthy=SKIP enomem=",
			[]string{"insmod: expected: ok", "actual: Killed",
				"kernel report: BUG: kernel NULL pointer dereference", "(at oops.star:7 in hello_init)",
				"kscript: null-deref", "What went wrong:", "Usual fix:"}},
		{"real: unbounded allocation", realConfig(), "unbounded_alloc", Fail, 5,
			"loads=PASS allocates=PASS frees=FAIL healthy=PASS enomem=",
			[]string{"dmesg: expected: hello: freed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGrader(t, tt.cfg, "testdata/hello.yaml")
			r := g.Submission(readSubmission(filepath.Join("testdata/subs", tt.file+".star")))
			if got := checkStatuses(r); !strings.HasPrefix(got, tt.checks) {
				t.Errorf("checks: %s\nwant %s", got, tt.checks)
			}
			if r.Status != tt.status || r.Score != tt.score || r.MaxScore != 10 {
				t.Errorf("status %s, score %d/%d; want %s, %d/10", r.Status, r.Score, r.MaxScore, tt.status, tt.score)
			}
			fb := feedback(r)
			for _, want := range tt.feedback {
				if !strings.Contains(fb, want) {
					t.Errorf("feedback lacks %q:\n%s", want, fb)
				}
			}
		})
	}
}

// TestFaultInjectionUnavailable: on a machine that ignores Options.Fail the
// fault-injection check is skipped as unable to run, not failed, and a
// correct solution still counts as full marks for kscript test.
func TestFaultInjectionUnavailable(t *testing.T) {
	cfg := realConfig()
	g := newGrader(t, cfg, "testdata/hello.yaml")
	if g.faultInjection() {
		t.Skip("the runtime injects faults now: the check runs for real (TestGradeSubmissions)")
	}
	r := g.Submission(readSubmission("testdata/subs/good.star"))
	c := r.Checks[4]
	if c.Status != Skip || !c.CannotRun || !strings.Contains(c.Reason.EN, "cannot inject faults") {
		t.Errorf("enomem: %s %v %q", c.Status, c.CannotRun, c.Reason.EN)
	}
	if !r.FullMarks() || r.Score != 7 {
		t.Errorf("FullMarks %v, score %d", r.FullMarks(), r.Score)
	}
}

func TestUnreadableSubmission(t *testing.T) {
	g := newGrader(t, fakeConfig(), "testdata/hello.yaml")
	b := g.Grade(Submissions([]string{"testdata/subs/nonexistent.star", "testdata/subs/good.star"}))
	if len(b.Results) != 2 {
		t.Fatalf("%d results", len(b.Results))
	}
	r := b.Results[0]
	if r.Status != Error || r.Message.EN != "cannot read the submission: testdata/subs/nonexistent.star: no such file" {
		t.Errorf("missing file: %s %q", r.Status, r.Message.EN)
	}
	if b.Results[1].Status != Pass {
		t.Errorf("the batch did not go on: %s", b.Results[1].Status)
	}
}

func TestSubmissionsFolder(t *testing.T) {
	subs := Submissions([]string{"testdata/subs"})
	var names []string
	for _, s := range subs {
		names = append(names, filepath.Base(s.Path))
	}
	want := "endless_loop.star fake_output.star good.star no_null_check.star oops.star starter.star syntax_error.star unbounded_alloc.star"
	if strings.Join(names, " ") != want {
		t.Errorf("Submissions(folder) = %s", strings.Join(names, " "))
	}
}

// panicky is a machine whose LoadScript panics for one file, as a bug in
// kscript would.
type panicky struct{ scenario.Machine }

func (p panicky) LoadScript(path string, src []byte, module string) error {
	if strings.Contains(path, "good") {
		panic("kscript bug")
	}
	return p.Machine.LoadScript(path, src, module)
}

func TestInternalPanicIsRecovered(t *testing.T) {
	cfg := fakeConfig()
	boot := cfg.NewMachine
	cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) {
		m, err := boot(o)
		return panicky{m}, err
	}
	g := newGrader(t, cfg, "testdata/hello.yaml")
	b := g.Grade(Submissions([]string{"testdata/subs/good.star", "testdata/subs/starter.star"}))
	r := b.Results[0]
	if r.Status != Error || !strings.Contains(r.Message.EN, "kscript internal error") || !strings.Contains(r.Message.EN, "kscript bug") || !strings.Contains(r.Stack, "panicky") {
		t.Errorf("panicking submission: %s %q", r.Status, r.Message.EN)
	}
	if b.Results[1].Status != Fail {
		t.Errorf("next submission: %s, want FAIL", b.Results[1].Status)
	}
}

// TestRunsShared: checks with the same scenario and fault injection share
// one run; the others get their own.
func TestRunsShared(t *testing.T) {
	g := newGrader(t, fakeConfig(), "testdata/hello.yaml")
	var got []string
	for _, r := range g.runs {
		got = append(got, fmt.Sprint(r.checks, r.fail))
	}
	if want := "[0 1 2 3] [] [4] [kmalloc:nth=1]"; strings.Join(got, " ") != want {
		t.Errorf("runs = %s, want %s", strings.Join(got, " "), want)
	}
}

func TestNoExercise(t *testing.T) {
	l := loadLesson(t, "testdata/hello.yaml")
	l.Exercise = nil
	if _, err := New(fakeConfig(), l); err == nil {
		t.Error("New of a lesson without an exercise: no error")
	}
}

func TestCatalogue(t *testing.T) {
	if m := messages.Missing(); len(m) > 0 {
		t.Errorf("messages without both languages: %v", m)
	}
	if m := messages.VerbMismatch(); len(m) > 0 {
		t.Errorf("messages whose languages take different arguments: %v", m)
	}
}

// TestSnapshotTaken: the grader copies one booted kernel for every run,
// whoever boots the machines (the CLI passes its own NewMachine), unless
// told to boot afresh.
func TestSnapshotTaken(t *testing.T) {
	cfg := realConfig()
	cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) { return kruntime.NewMachine(o) }
	if g := newGrader(t, cfg, "testdata/hello.yaml"); g.cfg.Options.NewKernel == nil {
		t.Error("no snapshot with a NewMachine of the caller's")
	}
	cfg.FreshBoot = true
	if g := newGrader(t, cfg, "testdata/hello.yaml"); g.cfg.Options.NewKernel != nil {
		t.Error("a snapshot although FreshBoot is set")
	}
}

// TestWorkOopsIsTheSubmissions: an Oops in a work item (a kworker's, in a
// pause between steps) is the submission's bug, judged with its report,
// never "kscript internal error".
func TestWorkOopsIsTheSubmissions(t *testing.T) {
	l := loadLesson(t, "testdata/hello.yaml")
	for i := range l.Exercise.Checks {
		if c := &l.Exercise.Checks[i]; c.ID == "enomem" {
			// A step after insmod: the timer fires, and the work Oopses,
			// while the student types it.
			c.Scenario = append(c.Scenario, lesson.Step{Run: "sudo dmesg | tail -n 1"})
		}
	}
	g, err := New(realConfig(), l)
	if err != nil {
		t.Fatal(err)
	}
	r := g.Submission(readSubmission("testdata/work_oops.star"))
	c := checkByID(r, "enomem")
	if c == nil {
		t.Fatal("no check enomem")
	}
	fb := strings.Join(c.Feedback("en"), "\n")
	if c.Status != Fail || strings.Contains(fb, "internal error") {
		t.Errorf("enomem: %s, want FAIL, not an internal error:\n%s", c.Status, fb)
	}
	for _, want := range []string{"kernel report: BUG: kernel NULL pointer dereference", "(at work_oops.star:10 in fill)"} {
		if !strings.Contains(fb, want) {
			t.Errorf("feedback lacks %q:\n%s", want, fb)
		}
	}
}

// TestStoppedByTheKernel: a run the kernel stopped (the task running the
// module's code killed by an Oops, a lockup) is a failed check with the
// report's title, in English and Thai; never kscript's internal error.
func TestStoppedByTheKernel(t *testing.T) {
	title := "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]"
	err := &kruntime.KilledError{Oops: &kernelsim.Oops{Report: &kernelsim.Report{Class: "soft-lockup", Title: title, Fatal: true}}}
	st, why := stopped(fmt.Errorf("step 3: %w", err))
	if st != Fail || !strings.Contains(why.EN, title) || !strings.Contains(why.TH, title) ||
		strings.Contains(why.EN, "internal") || why.TH == why.EN {
		t.Errorf("stopped: %s, %q / %q; want FAIL with the report's title in both languages", st, why.EN, why.TH)
	}
}
