package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
)

type gradeFlags struct {
	lesson    string
	format    string
	jobs      int
	output    string
	inProcess bool
	memory    string
	memorySet bool // --worker-memory was given, not its default
}

// exitSignal plus the signal's number is the exit status of a batch
// interrupted by SIGINT (130) or SIGTERM (143), as a shell reports it.
const exitSignal = 128

// maxLessonBytes is the largest lesson file grade reads.
const maxLessonBytes = 4 << 20

func (a *app) gradeCommand() *command {
	var f gradeFlags
	c := &command{
		use:   "grade --lesson L.yaml SUBMISSION…",
		short: "Autograde submissions of a lesson's exercise",
		long: `grade runs each submission (a .star file; a folder stands for every .star
file in it, sorted) on fresh simulated machines through every check of the
lesson's exercise: the check's scenario, its fault injection, its
expectations, including calls: checks on the kernel's own record of API
calls, which printing the expected text cannot fake. A submission takes the
lesson's module name whatever its file is called.

Each check earns its points or none; a check whose prerequisites (needs:)
did not pass is skipped. Feedback, in --lang, shows the failed expectation
as expected versus actual, the kernel report that explains it with its
script line, and the lesson's hint. A submission that does not parse is an
ERROR with file:line:col, one that loops forever a TIMEOUT (the step limit
decides, so results never depend on the machine's speed), one that crashes
the simulated kernel a normal, explained result. The batch always finishes
and always writes its results.

Isolation: each of the --jobs lanes grades in a worker process of its own
(kscript itself), whose address space may grow by --worker-memory at most:
a submission that exhausts memory or the stack kills its worker, not the
batch, and is an ERROR that says so; the worker is restarted. Submissions
must be regular files of at most 1 MiB: symbolic links, devices and pipes
are refused (ERROR), never read.

Formats: text (the default; coloured on a terminal), json (kscript's own
schema, lessons/README.md), gradescope (results.json for one submission; for
several, {"submissions": [{"file", "results"}]}), junit (one testsuite per
submission), tap (KTAP). Control characters from submissions are escaped in
every format, each message is capped at 8 KiB, and in text every line a
submission may have written is indented. Results are byte-identical for the
same inputs, whatever --jobs is and with or without --in-process.

-o FILE is written to a temporary file beside it and renamed, so FILE is
never half written; it says "not finished" from the start of the batch
until the results replace it. On SIGINT or SIGTERM the batch stops, and
the results so far are written with every other submission NOT_GRADED and
the batch marked incomplete.

Exit 0 when every check of every submission passed, 1 otherwise, 3 when
the lesson file is broken, 130 or 143 when SIGINT or SIGTERM interrupted
the batch.`,
		example: `  kscript grade --lesson lessons/01_kmalloc.yaml alice.star bob.star
  kscript grade --lesson lessons/01_kmalloc.yaml submissions/ --jobs 2 --format json -o results.json
  kscript grade --lesson lessons/01_kmalloc.yaml /autograder/submission/ --format gradescope -o /autograder/results/results.json
  kscript grade --lesson lessons/01_kmalloc.yaml --lang th alice.star`,
		args: minimumNArgs(1),
		run: func(c *command, args []string) error {
			if m := c.lookup("worker-memory"); m != nil {
				f.memorySet = m.changed
			}
			return a.grade(f, args)
		},
	}
	c.defineFlags = func(fs *flagSet) {
		lessonFlag := fs.stringVar(&f.lesson, "lesson", "", "the lesson file whose exercise grades the submissions (required)")
		fs.stringVarP(&f.format, "format", "f", "text", "results format: "+strings.Join(grade.Formats, ", ")).complete = fixedCompletion(grade.Formats...)
		fs.intVarP(&f.jobs, "jobs", "j", 1, "submissions graded at once")
		fs.stringVarP(&f.output, "output", "o", "", "write the results to FILE instead of standard output")
		fs.boolVar(&f.inProcess, "in-process", false, "grade in this process, not in worker processes (a submission that exhausts memory then ends the batch)")
		fs.stringVar(&f.memory, "worker-memory", "2G", "address space each worker process may add to what it starts with, at least 256M + 32 bytes per --max-steps step + RAM/32 + the lesser of 2×RAM and 256 bytes per step (raised to that when not given); 0: no limit")
		lessonFlag.required = true
		lessonFlag.exts = []string{"yaml", "yml"}
	}
	return c
}

// workerMemoryFloor is the least address space a grading worker may add to
// what it starts with (--worker-memory) for grades not to depend on the
// machine's load. A worker that hits its cap dies of Go's "out of memory"
// and the submission is an ERROR; how much a worker holds at its peak
// depends on when Go's collector last ran, which depends on the load. So the
// cap must sit above anything a submission within its budget can make the
// worker hold, with room for the collector:
//
//   - 256 MiB for the worker itself: Go reserves its heap in 64 MiB arenas,
//     and a worker grading honest submissions of the repository's lessons
//     grows by up to about 130 MiB (measured, two arenas);
//   - 32 bytes per step of the budget: what a submission builds is paid
//     for, a step per element (16 bytes, a Starlark value) and a step per 16
//     bytes of string (README, The step budget), so a budget of N steps can
//     keep 16·N bytes, twice over for the collector's garbage;
//   - RAM/32 for the simulated machine's page state of the submission
//     being graded and the next one;
//   - the page contents a submission writes: a page of simulated RAM that
//     is written is held as 4 KiB of the worker's memory (a page never
//     written costs nothing), and writing costs a step per 256 bytes
//     (memset, memcpy…), so a budget of N steps can fill min(RAM, 256·N)
//     bytes of pages in a run, and at most 256·N in all its runs: up to
//     min(2·RAM, 256·N) held at once, a run's pages beside the garbage of
//     the run before. (Without this, a submission filling the default
//     512 MiB and keeping lists beside it was an ERROR at the old floor of
//     578M one time in five, at random; with --ram 4G one writing 2.3 GB of
//     pages within its budget killed its worker at the default 2G.)
//
// Measured: with the default cap (2G), and with caps of 384 MiB and more,
// no honest submission was an ERROR; at 128–256 MiB, under load, one in
// four to eight submissions keeping 32 MB of lists was, at random.
func workerMemoryFloor(maxSteps, ram uint64) uint64 {
	if maxSteps == 0 {
		maxSteps = kruntime.DefaultMaxSteps
	}
	if ram == 0 {
		ram = kernelsim.DefaultRAM
	}
	if maxSteps > maxWorkerMemory/32 {
		return math.MaxUint64
	}
	return 256<<20 + 32*maxSteps + ram/32 + min(2*ram, 256*maxSteps)
}

// maxWorkerMemory is where a cap stops meaning anything (64 TiB): a worker
// whose floor is above it grades without one.
const maxWorkerMemory = 64 << 40

// formatSize writes n as parseSize reads it, in MiB rounded up ("577M").
func formatSize(n uint64) string {
	return fmt.Sprintf("%dM", (n+1<<20-1)>>20)
}

func maxStepsOf(o kruntime.Options) uint64 {
	if o.MaxSteps == 0 {
		return kruntime.DefaultMaxSteps
	}
	return o.MaxSteps
}

func (a *app) grade(f gradeFlags, args []string) error {
	if !member(grade.Formats, f.format) {
		return usage("grade: --format: %q: want one of %s", f.format, strings.Join(grade.Formats, ", "))
	}
	if f.jobs < 1 {
		return usage("grade: --jobs: %d: want at least 1", f.jobs)
	}
	var memory uint64
	if f.memory != "0" {
		var err error
		if memory, err = parseSize(f.memory); err != nil {
			return usage("grade: --worker-memory: %v", err)
		}
		floor := workerMemoryFloor(a.opts.MaxSteps, a.opts.Kernel.RAM)
		switch {
		case memory >= floor:
		case f.memorySet:
			return fail(exitUsage, "%s", i18n.Text{
				EN: fmt.Sprintf("kscript grade: --worker-memory %s: below %s, the least with which a grade cannot depend on the machine's load at --max-steps %d: "+
					"a submission that keeps the values its step budget lets it build would run its worker out of memory or not depending on when Go's collector ran. "+
					"Give at least %s, or lower --max-steps.", f.memory, formatSize(floor), maxStepsOf(a.opts), formatSize(floor)),
				TH: fmt.Sprintf("kscript grade: --worker-memory %s: น้อยกว่า %s ซึ่งเป็นค่าต่ำสุดที่คะแนนจะไม่ขึ้นกับภาระของเครื่องเมื่อ --max-steps %d: "+
					"submission ที่เก็บค่าไว้เท่าที่งบ step อนุญาตอาจทำให้ worker หน่วยความจำหมดหรือไม่หมดก็ได้ แล้วแต่ว่า garbage collector ของ Go ทำงานตอนไหน "+
					"ให้ใช้อย่างน้อย %s หรือลด --max-steps", f.memory, formatSize(floor), maxStepsOf(a.opts), formatSize(floor)),
			}.In(a.lang))
		case floor > maxWorkerMemory:
			memory = 0 // a budget this large has no cap worth the name
		default:
			memory = floor
		}
	}
	// A lesson id ("01_kmalloc", "01") stands for that lesson, in its
	// public form when only the lessons built into kscript have it. A path
	// must exist: a grading host whose course folder is missing (a wrong
	// working directory) would otherwise grade without the hidden checks.
	if filepath.Ext(f.lesson) != "" || strings.ContainsRune(f.lesson, filepath.Separator) {
		if _, err := os.Stat(f.lesson); err != nil {
			missing := fail(exitUsage, "%s", i18n.Text{
				EN: fmt.Sprintf("kscript grade: --lesson %s: no such file (only a lesson id such as 03_atomic stands for the lesson built into kscript, its public form without hidden checks)", f.lesson),
				TH: fmt.Sprintf("kscript grade: --lesson %s: ไม่มีไฟล์นี้ (เฉพาะชื่อบทเรียนอย่าง 03_atomic เท่านั้นที่ใช้บทเรียนซึ่งอยู่ใน kscript ได้ ในรูปแบบสาธารณะที่ไม่มี check ที่ซ่อนไว้)", f.lesson),
			}.In(a.lang))
			if werr := a.writeResults(f, grade.LessonError(f.lesson, err)); werr != nil {
				return werr
			}
			return missing
		}
	}
	if p, ferr := findLesson(lessonsDir, f.lesson); ferr == nil {
		f.lesson = p
	}
	l, err := loadLesson(f.lesson)
	if err == nil && l.Exercise != nil {
		if note := grade.PublicNote(l, a.lang); note != "" {
			fmt.Fprintln(a.stderr, "kscript: "+note)
		}
	}
	if err == nil && l.Exercise == nil {
		err = fmt.Errorf("%s: no exercise: section to grade by", f.lesson)
	}
	if err != nil {
		// A results file is written even now, saying why nothing was graded.
		if werr := a.writeResults(f, grade.LessonError(f.lesson, err)); werr != nil {
			return werr
		}
		return inputError(err)
	}
	if a.getenv("GOGC") == "" {
		// A batch allocates a few MiB per run and keeps little: collecting
		// less often nearly doubles the throughput on two cores.
		debug.SetGCPercent(400)
	}
	paths := grade.SubmissionPaths(args)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	opts := a.opts
	opts.NewKernel = nil // the grader copies a snapshot (or a.boot's image) of its own
	cfg := grade.Config{Options: opts, NewMachine: a.newMachine, Jobs: f.jobs, Progress: a.progressBar(len(paths)), Stop: stop, Boot: a.boot}
	if cfg.Progress != nil {
		tick := time.NewTicker(barTick)
		defer tick.Stop()
		cfg.Tick = tick.C
	}
	if !f.inProcess && !a.opts.Trace {
		cfg.Workers = &grade.Workers{Command: a.workerCommand, Memory: memory}
	}
	if cfg.Progress != nil {
		defer fmt.Fprint(a.stderr, "\r\033[K")
	}
	g, err := grade.New(cfg, l)
	if err != nil {
		return fail(exitInput, "kscript: grade: %v", err)
	}
	if f.output != "" {
		// Until the results replace it, -o says the batch is not finished:
		// a batch killed outright (SIGKILL) leaves no stale results behind.
		unread := make([]grade.Submission, len(paths))
		for i, p := range paths {
			unread[i] = grade.Submission{Path: p}
		}
		if err := a.writeResults(f, g.Unfinished(unread)); err != nil {
			return err
		}
	}
	g.StartWorkers(len(paths))
	subs := grade.ReadSubmissions
	if cfg.Workers != nil {
		// The workers start while this process makes its heap; each
		// submission is read when a lane takes it, so the first go to
		// the workers as soon as they are ready, not after the last file
		// is read (UnreadSubmissions).
		subs = grade.UnreadSubmissions
		// This process's heap (the submissions, the workers' answers, the
		// results) is made at once, not faulted in 4 KiB at a time: about
		// 5.5 KiB per submission of lesson 03, up to the collector's goal
		// at GOGC 400 (16 MiB). 1000 submissions: the process's page
		// faults 1,760 -> 700-800. Its collection waits for CPU the
		// starting workers hold (5-12 ms), so the heap is made beside the
		// lanes, not before them.
		go grade.PrepareHeap(min(len(paths)*(6<<10), 16<<20))
		// The workers grade; this process only hands them submissions and
		// collects their results, a few microseconds of work each. With
		// one P its goroutines (a lane per worker, the batch's) hand over
		// on one thread instead of waking idle ones on the CPUs the
		// workers need: --jobs 2, 1000 submissions of lesson 03, 22%
		// fewer context switches.
		runtime.GOMAXPROCS(1)
	}
	b := g.Grade(subs(paths))
	if a.getenv("KSCRIPT_DEBUG") != "" {
		for _, r := range b.Results {
			if r.Stack != "" {
				fmt.Fprintf(a.stderr, "%s: %s\n%s", r.Submission, r.Message.EN, r.Stack)
			}
		}
	}
	if err := a.writeResults(f, b); err != nil {
		return err
	}
	if !b.Complete() {
		return &exitError{code: exitSignal + signalNumber(b.Interrupted)}
	}
	if !b.AllPassed() {
		return &exitError{code: exitFailed}
	}
	return nil
}

// writeResults writes the batch in the chosen format to -o FILE, or to
// standard output (the text format coloured there).
func (a *app) writeResults(f gradeFlags, b *grade.Batch) error {
	o := grade.WriteOptions{Format: f.format, Lang: a.lang}
	if f.output == "" {
		if f.format == "text" {
			o.Paint = painter()
		}
		if err := grade.Write(a.stdout, b, o); err != nil {
			return a.lost("grade", err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := grade.Write(&buf, b, o); err != nil {
		return fail(exitInternal, "kscript: grade: %v", err)
	}
	if err := writeFileAtomic(f.output, buf.Bytes()); err != nil {
		return fail(exitUsage, "kscript: grade: -o: %s", fileError(err))
	}
	return nil
}

// writeFileAtomic writes data to a temporary file in path's folder and
// renames it to path: whoever reads path (and whatever kills kscript)
// sees the old file or the new one, never half of one.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadLesson loads the lesson file after making sure it is a regular file
// of a sane size: --lesson /dev/zero fails at once instead of reading
// forever. (The lesson is the instructor's: a symbolic link to it is
// followed.)
func loadLesson(path string) (*lesson.Lesson, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxLessonBytes {
		if _, err := grade.ReadRegular(path, maxLessonBytes); err != nil {
			return nil, err
		}
	}
	return lesson.Load(path)
}

// signalNumber is the number of a signal named as grade.Batch.Interrupted
// names it.
func signalNumber(name string) int {
	switch name {
	case "SIGINT":
		return int(syscall.SIGINT)
	case "SIGTERM":
		return int(syscall.SIGTERM)
	case "SIGHUP":
		return int(syscall.SIGHUP)
	}
	return 0
}

// gradeWorkerCommand is the hidden worker mode of grade: it grades the
// submissions its batch sends on standard input (grade.ServeWorker).
func (a *app) gradeWorkerCommand() *command {
	return &command{
		use:    "grade-worker",
		short:  "Grade submissions sent on standard input (kscript grade's worker processes)",
		hidden: true,
		args:   noArgs,
		run: func(*command, []string) error {
			// The worker's answers go to standard output itself (a
			// pipe from the batch, which ServeWorker writes with raw
			// system calls), not through outWriter: ServeWorker
			// returns a failed write itself.
			out := a.stdout
			if o, ok := out.(*outWriter); ok {
				out = o.w
			}
			if err := grade.ServeWorker(a.stdin, out, a.newMachine); err != nil {
				return fail(exitInternal, "kscript: %v", err)
			}
			return nil
		},
	}
}

// workerCommand is the command of one worker process: this kscript, by
// the name it was started with, in its hidden worker mode.
func (a *app) workerCommand() *exec.Cmd {
	self := os.Args[0]
	if p, err := exec.LookPath(self); err == nil {
		self = p
	} else if p, err := os.Executable(); err == nil {
		self = p
	}
	return exec.Command(self, "grade-worker")
}

// progressBar returns a progress callback drawing a bar on standard error
// when it is a terminal and there is more than one submission; else nil.
func (a *app) progressBar(total int) func(grade.Progress) {
	f, ok := a.stderr.(*os.File)
	if !ok || total < 2 || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return nil
	}
	return func(p grade.Progress) { drawBar(a.stderr, p, a.lang) }
}

// barTick is how often the bar is redrawn while no submission finishes,
// and slowAfter how long one submission is graded before the bar names
// it: a bar that stands at 300/301 then says what it waits for.
const (
	barTick   = 500 * time.Millisecond
	slowAfter = 2 * time.Second
)

var barMessages = i18n.Lazy(barMessagesTable)

func barMessagesTable() i18n.Catalog {
	return i18n.Catalog{
		"waiting": {"  still grading %s (%d s)", "  ยังตรวจ %s อยู่ (%d วินาที)"},
	}
}

// drawBar draws "[#########           ]  45/100" over the current line,
// followed by the submission graded for slowAfter or longer, if any. The
// line stays within 79 columns, so that it never wraps on an 80-column
// terminal (a wrapped line could not be drawn over): a long path loses
// its start.
func drawBar(w io.Writer, p grade.Progress, lang string) {
	const width = 30
	n := p.Done * width / max(p.Total, 1)
	bar := fmt.Sprintf("[%s%s] %*d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), len(fmt.Sprint(p.Total)), p.Done, p.Total)
	if p.Waiting != "" && p.For >= slowAfter {
		secs := int(p.For / time.Second)
		room := 79 - i18n.Width(bar) - i18n.Width(barMessages.T("waiting", "", secs).In(lang))
		bar += barMessages.T("waiting", shortenLeft(p.Waiting, room), secs).In(lang)
	}
	fmt.Fprint(w, "\r"+bar+"\033[K")
}

// shortenLeft returns s cut to at most cols columns by dropping its
// start, marked with "…".
func shortenLeft(s string, cols int) string {
	if i18n.Width(s) <= cols {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && i18n.Width(string(r))+1 > cols {
		r = r[1:]
	}
	return "…" + string(r)
}

func member(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
