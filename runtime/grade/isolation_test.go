package grade

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

// TestMain lets the test binary be its own grading worker: run with
// KSCRIPT_GRADE_TEST_WORKER=1, it serves one batch (ServeWorker) on the
// Starlark bridge's machine, as kscript's hidden grade-worker command does.
func TestMain(m *testing.M) {
	if os.Getenv("KSCRIPT_GRADE_TEST_WORKER") == "1" {
		var newMachine func(kruntime.Options) (scenario.Machine, error)
		if path := os.Getenv("KSCRIPT_GRADE_TEST_CRASH"); path != "" {
			newMachine = func(o kruntime.Options) (scenario.Machine, error) {
				m, err := kruntime.NewMachine(o)
				return crashing{m, path}, err
			}
		}
		if err := ServeWorker(os.Stdin, os.Stdout, newMachine); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(70)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testWorkers grades in worker processes of the test binary, each allowed
// memory more bytes of address space.
func testWorkers(memory uint64) *Workers {
	return &Workers{Memory: memory, Command: func() *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "KSCRIPT_GRADE_TEST_WORKER=1")
		return cmd
	}}
}

// TestWorkersSameResults: grading in worker processes gives the results
// of grading in process, byte for byte, in every format.
func TestWorkersSameResults(t *testing.T) {
	cfg := realConfig()
	cfg.Workers = testWorkers(DefaultWorkerMemory)
	in, out := gradeAll(t, realConfig(), 2), gradeAll(t, cfg, 2)
	for _, f := range Formats {
		for _, lang := range []string{"en", "th"} {
			if x, y := render(t, in, f, lang), render(t, out, f, lang); string(x) != string(y) {
				t.Errorf("%s/%s: in process and in workers differ:\n%s\n----\n%s", f, lang, x, y)
			}
		}
	}
}

// TestUnreadSameResults: submissions read by the lanes that take them
// (UnreadSubmissions) grade as submissions read first, byte for byte, in
// process and in workers, one lane and two; a file that cannot be read is
// the same ERROR.
func TestUnreadSameResults(t *testing.T) {
	paths := append(SubmissionPaths([]string{"testdata/subs"}), "testdata/subs/nonexistent.star", "testdata/subs")
	for _, workers := range []bool{false, true} {
		for _, jobs := range []int{1, 2} {
			cfg := realConfig()
			cfg.Jobs = jobs
			if workers {
				cfg.Workers = testWorkers(DefaultWorkerMemory)
			}
			read := newGrader(t, cfg, "testdata/hello.yaml").Grade(ReadSubmissions(paths))
			unread := newGrader(t, cfg, "testdata/hello.yaml").Grade(UnreadSubmissions(paths))
			for _, f := range Formats {
				if x, y := render(t, read, f, "en"), render(t, unread, f, "en"); string(x) != string(y) {
					t.Errorf("workers %v, --jobs %d, %s: read first and read by the lanes differ:\n%s\n----\n%s", workers, jobs, f, x, y)
				}
			}
		}
	}
}

// writeSub writes a submission into dir and returns its path.
func writeSub(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWorkerSurvivesMemoryBomb: a submission that makes the interpreter
// allocate more than its worker may kills its worker, not the batch: it is
// an ERROR saying so, and the next submission is graded by a new worker.
// The sandbox lets the values a submission keeps grow to 16 bytes a step
// (an element costs a step), so with 30 million steps (up to 480 MB) a
// worker allowed 256 MiB more than it starts with meets its limit. (At 128
// MiB a good submission's fresh worker sometimes met it too, on a loaded
// machine: the Go runtime's own address space grows with its threads.)
func TestWorkerSurvivesMemoryBomb(t *testing.T) {
	dir := t.TempDir()
	bomb := writeSub(t, dir, "bomb.star", "keep = []\nfor i in range(1000):\n    keep.append([None] * 1000000)\n")
	cfg := realConfig()
	cfg.Options.MaxSteps = 30_000_000
	cfg.Workers = testWorkers(256 << 20)
	g := newGrader(t, cfg, "testdata/hello.yaml")
	b := g.Grade(Submissions([]string{"testdata/subs/good.star", bomb, "testdata/subs/good.star"}))
	got := [3]Status{b.Results[0].Status, b.Results[1].Status, b.Results[2].Status}
	if got != [3]Status{Pass, Error, Pass} {
		t.Errorf("statuses %v, want PASS ERROR PASS; messages: %q %q %q", got, b.Results[0].Message.EN, b.Results[1].Message.EN, b.Results[2].Message.EN)
	}
	msg := b.Results[1].Message
	for _, want := range []string{"more memory than a submission may (256 MiB", "out of memory"} {
		if !strings.Contains(msg.EN, want) {
			t.Errorf("message %q lacks %q", msg.EN, want)
		}
	}
	if !strings.Contains(msg.TH, "หน่วยความจำ") {
		t.Errorf("Thai message %q", msg.TH)
	}
}

// gated is a machine that loads only the script at path, and blocks on
// any other until the test ends.
type gated struct {
	scenario.Machine
	path string
	gate chan struct{}
}

func (m gated) LoadScript(path string, src []byte, module string) error {
	if path != m.path && path != "kscript_fault_probe.star" {
		<-m.gate
	}
	return m.Machine.LoadScript(path, src, module)
}

// blockAfter returns a configuration whose machines grade only the
// submission at path and block on every other: the batch is then
// certainly under way, and stuck, when it is interrupted.
func blockAfter(t *testing.T, path string) Config {
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	cfg := fakeConfig()
	cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) {
		m, err := scenariotest.New(o)
		return gated{m, path, gate}, err
	}
	return cfg
}

// TestInterrupt: a signal mid-batch returns at once with the results so
// far and every other submission NOT_GRADED, the batch incomplete.
func TestInterrupt(t *testing.T) {
	subs := Submissions([]string{"testdata/subs/good.star", "testdata/subs/fake_output.star", "testdata/subs/oops.star"})
	for _, tc := range []struct {
		name string
		cfg  func() Config
	}{
		{"in process", func() Config { return blockAfter(t, "testdata/subs/good.star") }},
		{"workers", func() Config {
			// A script that never ends: the worker is stuck on it.
			cfg := realConfig()
			cfg.Options.MaxSteps, cfg.Options.Timeout = 1<<62, time.Hour
			cfg.Workers = testWorkers(DefaultWorkerMemory)
			return cfg
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			stop := make(chan os.Signal, 1)
			cfg.Stop, cfg.Jobs = stop, 1
			cfg.Progress = func(p Progress) {
				if p.Done == 1 && len(stop) == 0 {
					stop <- syscall.SIGTERM
				}
			}
			s := subs
			if cfg.Workers != nil {
				s = append(s[:1:1], Submission{Path: "loop.star", Src: []byte("def f():\n    while True:\n        pass\nf()\n")})
			}
			b := newGrader(t, cfg, "testdata/hello.yaml").Grade(s)
			if b.Complete() || b.Interrupted != "SIGTERM" || b.AllPassed() {
				t.Errorf("batch complete=%v interrupted=%q", b.Complete(), b.Interrupted)
			}
			if b.Results[0].Status != Pass {
				t.Errorf("first submission %s, want PASS", b.Results[0].Status)
			}
			for _, r := range b.Results[1:] {
				if r.Status != NotGraded || !strings.Contains(r.Message.EN, "interrupted (SIGTERM)") || r.Checks[0].Status != NotGraded {
					t.Errorf("%s: %s %q, want NOT_GRADED", r.Submission, r.Status, r.Message.EN)
				}
			}
			for _, f := range Formats {
				if out := render(t, b, f, "en"); !strings.Contains(string(out), "SIGTERM") {
					t.Errorf("%s does not say the batch was interrupted:\n%s", f, out)
				}
			}
		})
	}
}

// TestWireOptions: every field of kruntime.Options either reaches the
// workers (wireOptions) or is known not to need to.
func TestWireOptions(t *testing.T) {
	known := map[string]bool{"Kernel": true, "MaxSteps": true, "Timeout": true, "Fail": true, "Lang": true,
		"Budget": true, "Trace": true, "TraceOut": true, "NewKernel": true} // the last four: per submission, or in-process only
	ot := reflect.TypeOf(kruntime.Options{})
	for i := range ot.NumField() {
		if name := ot.Field(i).Name; !known[name] {
			t.Errorf("kruntime.Options.%s does not reach grading workers: add it to wireOptions (isolation.go)", name)
		}
	}
	o := kruntime.Options{Kernel: kernelsim.Config{RAM: 1 << 28, Seed: 3}, MaxSteps: 7, Timeout: time.Second, Fail: []string{"kmalloc:nth=1"}, Lang: "th"}
	if got := toWire(o).options(); !reflect.DeepEqual(got, o) {
		t.Errorf("round trip: %+v, want %+v", got, o)
	}
}

// TestBootImagesSameResults: grading with boot images (Config.Boot) gives
// the results of grading without: the first batch boots, takes its
// snapshot and writes the image; the next ones, in process and in worker
// processes, copy the image.
func TestBootImagesSameResults(t *testing.T) {
	dir := t.TempDir()
	subs, _ := filepath.Glob("testdata/cheats/03_atomic/*.star")
	subs = append(subs, "../../lessons/exercises/03_atomic.solution.star", "../../lessons/exercises/03_atomic.starter.star")
	grade := func(cfg Config) []byte {
		cfg.Jobs = 2
		b := newGrader(t, cfg, "../../lessons/03_atomic.yaml").Grade(Submissions(subs))
		return render(t, b, "json", "en")
	}
	want := grade(realConfig())
	withBoot := func(workers bool) Config {
		cfg := realConfig()
		cfg.Boot = kclone.OpenCache(dir)
		if workers {
			cfg.Workers = testWorkers(DefaultWorkerMemory)
		}
		return cfg
	}
	for _, tc := range []struct {
		name    string
		workers bool
	}{{"first batch, in process", false}, {"in worker processes", true}, {"again in process", false}} {
		if got := grade(withBoot(tc.workers)); string(got) != string(want) {
			t.Fatalf("%s: results differ from grading without boot images:\n%s\n----\n%s", tc.name, got, want)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "boot-*.img")); len(files) != 1 {
			t.Fatalf("%s: %d image files, want 1", tc.name, len(files))
		}
	}
	if c := kclone.OpenCache(dir); c.Image(loadLesson(t, "../../lessons/03_atomic.yaml").KernelConfig(realConfig().Options.Kernel)) == nil {
		t.Error("no image of the lesson's kernel")
	}
}

// TestStartWorkers: workers started before Grade grade its submissions
// as lanes started by Grade do (no more than Config.Jobs of them), and
// the ones a batch of fewer submissions does not need are ended with it.
func TestStartWorkers(t *testing.T) {
	cfg := realConfig()
	cfg.Jobs = 2
	cfg.Workers = testWorkers(DefaultWorkerMemory)
	subs := Submissions([]string{"testdata/subs/good.star"})
	want := newGrader(t, cfg, "testdata/hello.yaml").Grade(subs)
	g := newGrader(t, cfg, "testdata/hello.yaml")
	g.StartWorkers(5)
	if len(g.started) != 2 {
		t.Fatalf("%d workers started, want Config.Jobs = 2", len(g.started))
	}
	started := g.started[0].(*processLane).cmd
	got := g.Grade(subs)
	if len(g.started) != 0 {
		t.Errorf("%d started lanes left after the batch", len(g.started))
	}
	if started.ProcessState == nil {
		t.Errorf("a started worker still runs after the batch")
	}
	if x, y := render(t, want, "json", "en"), render(t, got, "json", "en"); string(x) != string(y) {
		t.Errorf("with started workers:\n%s\nwant\n%s", y, x)
	}
}

// TestWorkerDeadlineQueued: a worker that does not answer within
// Workers.Deadline is killed, its submission an ERROR that says so, and the
// submissions sent to it ahead of their turn (processLane.serve) are graded
// by the next worker as if nothing had happened, at any --jobs.
func TestWorkerDeadlineQueued(t *testing.T) {
	loop := Submission{Path: "loop.star", Src: []byte("def f():\n    while True:\n        pass\nf()\n")}
	good := Submissions([]string{"testdata/subs/good.star"})[0]
	for _, jobs := range []int{1, 2} {
		cfg := realConfig()
		cfg.Options.MaxSteps, cfg.Options.Timeout = 1<<62, time.Hour
		cfg.Jobs = jobs
		cfg.Workers = testWorkers(DefaultWorkerMemory)
		cfg.Workers.Deadline = time.Second
		b := newGrader(t, cfg, "testdata/hello.yaml").Grade([]Submission{good, loop, good, good, good})
		for i, r := range b.Results {
			want := Pass
			if i == 1 {
				want = Error
			}
			if r.Status != want {
				t.Errorf("jobs %d: %s #%d: %s %q, want %s", jobs, r.Submission, i, r.Status, r.Message.EN, want)
			}
		}
		if msg := b.Results[1].Message.EN; !strings.Contains(msg, "did not finish this submission within 1s") {
			t.Errorf("jobs %d: the looping submission's message %q", jobs, msg)
		}
	}
}

// crashing is a machine whose process dies when it loads the script at
// path, as a worker killed by a submission does.
type crashing struct {
	scenario.Machine
	path string
}

func (m crashing) LoadScript(path string, src []byte, module string) error {
	if path == m.path {
		fmt.Fprintln(os.Stderr, "fatal error: test crash")
		os.Exit(2)
	}
	return m.Machine.LoadScript(path, src, module)
}

// TestWorkerDiesMidBatch: a worker that dies grading a submission has its
// death reported for that submission, wherever it is in the batch and
// however many answers the worker held back (answerWriter): those are
// lost with it, and the submissions are graded again by the next worker,
// as are those sent to it ahead of their turn; every other result is the
// one grading in process gives.
func TestWorkerDiesMidBatch(t *testing.T) {
	src, err := os.ReadFile("testdata/subs/good.star")
	if err != nil {
		t.Fatal(err)
	}
	batch := func(before, after int) []Submission {
		var subs []Submission
		for i := range before + 1 + after {
			p := fmt.Sprintf("good%d.star", i)
			if i == before {
				p = "crash.star"
			}
			subs = append(subs, Submission{Path: p, Src: src})
		}
		return subs
	}
	for _, tc := range []struct {
		name          string
		before, after int
	}{
		{"first", 0, 3},
		{"second", 1, 3},
		{"after answers held back", 5, 5},
		{"last", 4, 0},
		{"alone", 0, 0},
		{"after more than a batch of answers", answerBatch + 3, answerBatch + 5},
	} {
		for _, jobs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/jobs%d", tc.name, jobs), func(t *testing.T) {
				subs := batch(tc.before, tc.after)
				cfg := realConfig()
				cfg.Jobs = jobs
				want := newGrader(t, cfg, "testdata/hello.yaml").Grade(subs)
				cfg.Workers = testWorkers(DefaultWorkerMemory)
				command := cfg.Workers.Command
				cfg.Workers.Command = func() *exec.Cmd {
					cmd := command()
					cmd.Env = append(cmd.Env, "KSCRIPT_GRADE_TEST_CRASH=crash.star")
					return cmd
				}
				got := newGrader(t, cfg, "testdata/hello.yaml").Grade(subs)
				for i, r := range got.Results {
					if i == tc.before {
						if r.Status != Error || !strings.Contains(r.Message.EN, "test crash") {
							t.Errorf("%s: %s %q, want ERROR for its worker's crash", r.Submission, r.Status, r.Message.EN)
						}
						continue
					}
					if x, y := render(t, &Batch{Results: []*Result{want.Results[i]}}, "json", "en"), render(t, &Batch{Results: []*Result{r}}, "json", "en"); string(x) != string(y) {
						t.Errorf("%s: in a worker:\n%s\nin process:\n%s", r.Submission, y, x)
					}
				}
			})
		}
	}
}

// TestCulprit: a dead worker's death is reported for the submission its
// page says it began last, when that is one of those it was sent, else
// for the first unanswered.
func TestCulprit(t *testing.T) {
	page, f := newWorkerPage()
	if page == nil {
		t.Skip("no shared page on this system")
	}
	defer f.Close()
	defer page.release()
	for _, tc := range []struct {
		begun, answered, sent, want int
	}{
		{0, 0, 2, 0},    // died before its first submission
		{1, 0, 2, 0},    // grading its first
		{3, 0, 5, 2},    // its third; the first two's answers were held back
		{7, 5, 4, 1},    // its seventh, having answered five
		{5, 5, 3, 0},    // between submissions, all it finished answered
		{9, 5, 3, 0},    // beyond what it was sent: not to be believed
		{40, 0, 64, 39}, // after a batch of answers held back
	} {
		l := &processLane{page: page}
		page.reset()
		page.begin(tc.begun)
		if got := l.culprit(tc.answered, tc.sent); got != tc.want {
			t.Errorf("begun %d, answered %d, sent %d: culprit %d, want %d", tc.begun, tc.answered, tc.sent, got, tc.want)
		}
	}
	if got := (&processLane{}).culprit(3, 5); got != 0 {
		t.Errorf("without a page: culprit %d, want the first unanswered", got)
	}
}

// TestReadUpTo: a file is read whole whatever its size was when it was
// looked at (it may have grown or shrunk since), and never beyond max.
func TestReadUpTo(t *testing.T) {
	for _, tc := range []struct {
		data      string
		size, max int64
		want      string
	}{
		{"", 0, 11, ""},
		{"hello", 5, 11, "hello"},
		{"hello", 0, 11, "hello"},
		{"hello", 2, 11, "hello"},
		{"hello", 50, 11, "hello"},
		{"hello world, more", 5, 11, "hello world"},
		{"hello world", 11, 11, "hello world"},
	} {
		got, err := readUpTo(iotest.OneByteReader(strings.NewReader(tc.data)), tc.size, tc.max)
		if err != nil || string(got) != tc.want {
			t.Errorf("readUpTo(%q, %d, %d) = %q, %v, want %q", tc.data, tc.size, tc.max, got, err, tc.want)
		}
		got, err = readUpTo(strings.NewReader(tc.data), tc.size, tc.max)
		if err != nil || string(got) != tc.want {
			t.Errorf("readUpTo(%q, %d, %d) = %q, %v, want %q", tc.data, tc.size, tc.max, got, err, tc.want)
		}
	}
	dir := t.TempDir()
	p := writeSub(t, dir, "grown.star", strings.Repeat("x", 100))
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	writeSub(t, dir, "grown.star", strings.Repeat("x", 300))
	if _, err := readOpened(p, st, 200); err == nil || !strings.Contains(err.Error(), "201 bytes, more than the 200") {
		t.Errorf("a file grown past the limit since Lstat: %v", err)
	}
	if src, err := readOpened(p, st, 1000); err != nil || len(src) != 300 {
		t.Errorf("a file grown since Lstat: %d bytes, %v", len(src), err)
	}
	other := writeSub(t, dir, "other.star", "x")
	if _, err := readOpened(other, st, 1000); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("another file than Lstat's: %v", err)
	}
}
