// Package scenario runs a module script through its scenario on a fresh
// simulated machine, as `kscript run` does: the shell steps of its lesson
// (or the default ones), the terminal transcript they produce, a health
// summary of the kernel afterwards (reports, leaks, whether free memory came
// back) and the lesson's expectations, each passed or failed with what was
// expected and what happened.
package scenario

import (
	"bytes"
	"errors"
	"kscript.dev/kscript/runtime/lazyre"
	"path/filepath"
	"strings"
	"time"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lazy"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/shell"
)

// Machine is what a scenario needs of a simulated machine: the shell's
// needs, loading scripts, and the record of API calls. *kruntime.Machine
// satisfies it.
type Machine interface {
	shell.Machine
	LoadScript(path string, src []byte, moduleName string) error
	Calls() []kruntime.Call
}

// Config configures scenario runs.
type Config struct {
	Options kruntime.Options
	// NewMachine boots a machine; nil means kruntime.NewMachine.
	NewMachine func(kruntime.Options) (Machine, error)
	// Observer, when set, sees the kernel before and after every step
	// (the pictures of `kscript run --report`).
	Observer StepObserver
}

// StepObserver watches a scenario step by step. BeforeStep is called
// before step i (from 0) runs, AfterStep after it, with what it printed.
type StepObserver interface {
	BeforeStep(i int, run string, k *kernelsim.Kernel)
	AfterStep(i int, run string, output string, k *kernelsim.Kernel)
}

// Input is one run: a module script, and the lesson beside it if any.
type Input struct {
	Script string // the script's path, as the user named it
	Src    []byte
	Lesson *lesson.Lesson // nil: the default scenario, no expectations
	// Module overrides the module name (a graded submission takes the
	// lesson's); empty means the lesson's module:, else the file's stem.
	Module string
	// Steps and Expect override the lesson's (an exercise check's own).
	Steps  []lesson.Step
	Expect *lesson.Expect
	// Programs are the programs files loaded beside the script (the
	// lesson's harness); nil means the lesson's, if there is a lesson.
	Programs []ProgramFile
	// Sets are more expectations to judge the same run by, each on its own
	// (the exercise checks that share a scenario and fault injection); their
	// outcomes are Result.Sets, in the same order.
	Sets []*lesson.Expect
	// KeepHeld asks for Result.Held: what the module held of page blocks
	// and vmalloc areas (the grader's verify run takes it first).
	KeepHeld bool
}

// MachineError is a machine that could not boot (a bad --ram).
type MachineError struct{ Err error }

func (e *MachineError) Error() string { return e.Err.Error() }
func (e *MachineError) Unwrap() error { return e.Err }

// Run runs in on a fresh machine. Its error is for a run that could not
// start: a *MachineError, or the *kruntime.ScriptError of a script that does
// not load. Everything after that, including a script error during insmod,
// is in the Result.
func Run(cfg Config, in Input) (*Result, error) {
	boot := cfg.NewMachine
	if boot == nil {
		boot = func(o kruntime.Options) (Machine, error) { return kruntime.NewMachine(o) }
	}
	if in.Lesson != nil {
		cfg.Options.Kernel = in.Lesson.KernelConfig(cfg.Options.Kernel) // the lesson's machine:
	}
	m, err := boot(cfg.Options)
	if err != nil {
		return nil, &MachineError{err}
	}
	module := in.moduleName()
	if err := m.LoadScript(in.Script, in.Src, module); err != nil {
		return nil, err
	}
	programs := in.Programs
	if programs == nil && in.Lesson != nil {
		if programs, err = ReadPrograms(in.Lesson); err != nil {
			return nil, err
		}
	}
	shadowed, err := loadPrograms(m, programs)
	if err != nil {
		return nil, err
	}
	r := &runner{m: m, sh: shell.New(m), module: module, res: &Result{}, exp: in.expect(), sets: in.Sets,
		procAt: map[*lesson.ProcExpect]string{}, obs: cfg.Observer}
	r.sh.Lang = cfg.Options.Lang
	r.src = in.Src
	r.defaultScenario = in.Steps == nil && in.Expect == nil && len(in.Sets) == 0 &&
		(in.Lesson == nil || len(in.Lesson.Scenario) == 0)
	if in.Lesson != nil {
		r.res.LessonFile = in.Lesson.File
	}
	r.res.Shadowed = shadowed
	r.run(in.steps(module, m.Programs()))
	r.res.Health = r.health()
	r.res.Expect = r.exp
	if hm, ok := m.(interface{ HeldMemory() kruntime.HeldMemory }); ok && in.KeepHeld {
		held := hm.HeldMemory()
		r.res.Held = &held
	}
	if r.res.Stopped != nil {
		return r.res, nil
	}
	if r.exp != nil {
		r.res.Checks = append(r.res.Checks, r.check(r.exp)...)
	}
	for _, e := range r.sets {
		checks := append([]CheckResult(nil), r.captures...)
		if e != nil {
			checks = append(checks, r.check(e)...)
		}
		r.res.Sets = append(r.res.Sets, Set{Expect: e, Checks: checks})
	}
	return r.res, nil
}

func (in Input) moduleName() string {
	switch {
	case in.Module != "":
		return in.Module
	case in.Lesson != nil && in.Lesson.Module != "":
		return in.Lesson.Module
	}
	return strings.TrimSuffix(filepath.Base(in.Script), filepath.Ext(in.Script))
}

func (in Input) expect() *lesson.Expect {
	if in.Expect != nil {
		return in.Expect
	}
	if in.Lesson != nil {
		return in.Lesson.Expect
	}
	return nil
}

// steps returns the steps to run: the override, the lesson's, else the
// default scenario of DESIGN §3.
func (in Input) steps(module string, programs []string) []lesson.Step {
	switch {
	case in.Steps != nil:
		return in.Steps
	case in.Lesson != nil && len(in.Lesson.Scenario) > 0:
		return in.Lesson.Scenario
	}
	return DefaultSteps(module, programs)
}

// DefaultSteps is the scenario of a script without a lesson: build, load
// (pending softirqs run as the insmod returns), run each user program,
// unload, then show the kernel log.
func DefaultSteps(module string, programs []string) []lesson.Step {
	texts := []string{"make", "sudo insmod " + module + ".ko"}
	for _, p := range programs {
		texts = append(texts, "./"+p)
	}
	texts = append(texts, "sudo rmmod "+module, "sudo dmesg")
	steps := make([]lesson.Step, len(texts))
	for i, t := range texts {
		steps[i].Run = t
	}
	return steps
}

// runner holds one run's state.
type runner struct {
	m      Machine
	sh     *shell.Shell
	module string
	res    *Result

	exp      *lesson.Expect
	steps    []lesson.Step
	sets     []*lesson.Expect
	procAt   map[*lesson.ProcExpect]string // /proc files read after their step
	objAt    map[*lesson.ObjectExpect]objectsSeen
	dangAt   map[*lesson.Expect][]string // Machine.Dangling when a no_dangling: step began
	captures []CheckResult               // failed captures

	startSeq uint64 // the first log record of the run
	// Memory is compared per load cycle, from an insmod with no module
	// loaded to the rmmod (or failed insmod) that leaves none loaded, so
	// that what happens between cycles (pressure, fragment) is not taken
	// for a leak. before is the open cycle's snapshot; cycles counts the
	// closed ones, diffs their differences.
	before *snapshot
	cycles int
	diffs  []i18n.Text
	// reclaimedKB is the page cache reclaim freed during closed load
	// cycles (diffReclaimed).
	reclaimedKB uint64
	loaded      int // successful insmods minus successful rmmods
	obs         StepObserver

	src             []byte          // the script, for kscript's findings
	defaultScenario bool            // DefaultSteps: findings judge the run
	captured        map[string]bool // variables set by captures
}

// run runs the steps, writing the transcript, until the end or a fatal error.
func (r *runner) run(steps []lesson.Step) {
	r.steps = steps
	r.startSeq = r.m.Kernel().NextSeq()
	r.sh.Hooks = shell.Hooks{Before: r.beforeExec, After: r.afterExec}
	var t bytes.Buffer
	stepper, _ := r.m.(interface{ SetStep(int) })
	for i := 0; i < len(steps); i++ {
		st := steps[i]
		if stepper != nil {
			stepper.SetStep(i + 1)
		}
		if err := r.think(); err != nil && !r.panicked(err) {
			r.res.Stopped = err
			break
		}
		r.readObjectsBefore(i + 1)
		r.sh.NotePanic(&t) // a panic in a timer while the student typed
		writePrompt(&t, st.Run)
		r.writeTrace(&t, st.Run)
		devices := ""
		if r.defaultScenario && strings.Contains(st.Run, "insmod") {
			devices, _ = r.m.Kernel().ReadProc("/proc/devices")
		}
		if r.obs != nil {
			r.obs.BeforeStep(i, st.Run, r.m.Kernel())
		}
		var out bytes.Buffer
		var err error
		if st.Script != nil {
			_, err = r.sh.RunScript(st.Script, &out, &out)
		} else {
			_, err = r.sh.Run(st.Run, &out, &out)
		}
		t.Write(out.Bytes())
		if r.obs != nil {
			r.obs.AfterStep(i, st.Run, out.String(), r.m.Kernel())
		}
		r.capture(st, out.String())
		r.writeCaptures(&t, st)
		if devices != "" && err == nil {
			steps = insertSteps(steps, i+1, chrdevSteps(r.m.Kernel(), devices))
		}
		r.readProcAfter(i + 1)
		if err != nil {
			r.res.Stopped = err
			break
		}
		if exited, _ := r.sh.Exited(); exited {
			break
		}
	}
	r.res.Transcript = t.String()
	r.res.Log = r.m.Kernel().LogSince(r.startSeq)
}

// insertSteps returns steps with the commands texts inserted at i.
func insertSteps(steps []lesson.Step, i int, texts []string) []lesson.Step {
	if len(texts) == 0 {
		return steps
	}
	more := make([]lesson.Step, len(texts))
	for j, t := range texts {
		more[j].Run = t
	}
	return append(steps[:i:i], append(more, steps[i:]...)...)
}

// capturedVar is a $NAME or ${NAME} reference in a command text.
var capturedVar = lazyre.New(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// writeTrace shows a step that uses captured variables as bash -x shows a
// command: "+ " and the command with the variables' values, so that the
// transcript says what ran (mknod /dev/x c 246 0, not only c $MAJOR 0).
// A step without a "$", or a run that has captured nothing yet, shows
// nothing and is not searched (capturedVar would find no variable to
// show, and compiling it cost every run some 30,000 instructions).
func (r *runner) writeTrace(w *bytes.Buffer, run string) {
	if len(r.captured) == 0 || !strings.Contains(run, "$") {
		return
	}
	used := false
	expanded := capturedVar.ReplaceAllStringFunc(run, func(ref string) string {
		name := capturedVar.FindStringSubmatch(ref)[1]
		if !r.captured[name] {
			return ref
		}
		used = true
		return r.sh.Var(name)
	})
	if used {
		for _, line := range strings.Split(strings.TrimRight(expanded, "\n"), "\n") {
			w.WriteString("+ " + line + "\n")
		}
	}
}

// writeCaptures shows what a step's captures set, as a comment line of
// kscript's: "# kscript: MAJOR=246 (captured from this output)".
func (r *runner) writeCaptures(w *bytes.Buffer, st lesson.Step) {
	for _, c := range st.Capture {
		if !r.captured[c.Name] {
			continue
		}
		w.WriteString("# kscript: " + c.Name + "=" + r.sh.Var(c.Name) + " " +
			findingMessages.T("captured", c.Pattern).In(r.sh.Lang) + "\n")
	}
}

// The pause before each step, as a student takes to type the next command:
// typingPause, then a seeded jitter of up to typingJitter so that dmesg
// timestamps look like a real session's.
const (
	typingPause  = 1500 * time.Millisecond
	typingJitter = 3 * time.Second
)

// think lets simulated time pass before a step. Timers that come due during
// the fixed typingPause fire, on every seed alike; the seeded jitter then
// ends before the next armed timer would fire, so that it moves timestamps
// but never decides whether a timer runs before or after the next step (a
// module that arms a 2 s timer and a scenario that applies memory pressure
// in the next step: the timer fires after the pressure on every seed).
// Unlike a real terminal, where a slow typist sees the timer fire first.
func (r *runner) think() error {
	k := r.m.Kernel()
	jitter := uint64(k.Rand().Int64N(int64(typingJitter)))
	t, canTick := r.m.(interface{ Tick(time.Duration) error })
	if !canTick {
		k.Advance(uint64(typingPause) + jitter)
		return nil
	}
	if err := t.Tick(typingPause); err != nil {
		return err
	}
	if next, ok := k.NextTimerExpiry(); ok {
		now := k.Now()
		jitter = min(jitter, max(next, now+1)-now-1)
	}
	return t.Tick(time.Duration(jitter))
}

// writePrompt writes a step as the terminal shows it typed: "$ " and the
// command, with "> " before continuation lines.
func writePrompt(w *bytes.Buffer, run string) {
	for i, line := range strings.Split(strings.TrimRight(run, "\n"), "\n") {
		if i == 0 {
			w.WriteString("$ ")
		} else {
			w.WriteString("> ")
		}
		w.WriteString(line)
		w.WriteByte('\n')
	}
}

// objectsSeen is what an objects: expectation found when its step began.
type objectsSeen struct{ objects, holding int }

// readObjectsBefore reads the objects, and the modules' pointers, that
// expectations check when step n begins.
func (r *runner) readObjectsBefore(n int) {
	om, objOK := r.m.(interface {
		ObjectsHolding(cache string, data []byte) (int, int)
	})
	dm, dangOK := r.m.(interface{ Dangling() []string })
	for _, e := range append([]*lesson.Expect{r.exp}, r.sets...) {
		if e == nil {
			continue
		}
		if dangOK && e.NoDangling != nil && e.NoDangling.Resolve(r.steps) == n {
			if r.dangAt == nil {
				r.dangAt = map[*lesson.Expect][]string{}
			}
			r.dangAt[e] = dm.Dangling()
		}
		if !objOK {
			continue
		}
		for i := range e.Objects {
			if o := &e.Objects[i]; o.Step != nil && o.Step.Resolve(r.steps) == n {
				if r.objAt == nil {
					r.objAt = map[*lesson.ObjectExpect]objectsSeen{}
				}
				objects, holding := om.ObjectsHolding(o.Cache, []byte(o.Has))
				r.objAt[o] = objectsSeen{objects, holding}
			}
		}
	}
}

// readProcAfter reads the /proc files that expectations check after step n.
func (r *runner) readProcAfter(n int) {
	for _, e := range append([]*lesson.Expect{r.exp}, r.sets...) {
		if e == nil {
			continue
		}
		for i := range e.Proc {
			if p := &e.Proc[i]; p.Step == n {
				text, err := r.m.Kernel().ReadProc(p.File)
				if err != nil {
					text = ""
				}
				r.procAt[p] = text
			}
		}
	}
}

// capture sets the step's capture variables from its output.
func (r *runner) capture(st lesson.Step, out string) {
	for _, c := range st.Capture {
		if c.Re == nil {
			continue
		}
		m := c.Re.FindStringSubmatch(out)
		if m == nil {
			res := CheckResult{Name: "capture " + c.Name, Want: i18n.Plain(c.Pattern),
				Got: messages.T("capture-none", st.Run)}
			r.res.Checks = append(r.res.Checks, res)
			r.captures = append(r.captures, res)
			continue
		}
		v := m[0]
		if len(m) > 1 {
			v = m[1]
		}
		r.sh.SetVar(c.Name, v)
		if r.captured == nil {
			r.captured = map[string]bool{}
		}
		r.captured[c.Name] = true
	}
}

// beforeExec opens a load cycle: an insmod while no module is loaded.
func (r *runner) beforeExec(name string, _ []string) {
	if name == "insmod" && r.loaded == 0 && r.before == nil {
		r.before = takeSnapshot(r.m.Kernel())
	}
}

// afterExec keeps count of the modules loaded and, when none is any more,
// closes the load cycle: after the rmmod, or after an insmod whose init
// failed (its error path must give back what it took too). An insmod killed
// by an Oops leaves its module loaded, as on Linux.
func (r *runner) afterExec(rec shell.Record) {
	switch {
	case rec.Name == "insmod" && (rec.Status == 0 || rec.Status == 128+9):
		r.loaded++
	case rec.Name == "rmmod" && rec.Status == 0:
		r.loaded = max(0, r.loaded-len(rec.Args))
	case rec.Name != "insmod" && rec.Name != "rmmod":
		return
	}
	if r.before != nil && r.loaded == 0 {
		after := takeSnapshot(r.m.Kernel())
		r.diffs = append(r.diffs, r.before.diff(after)...)
		r.reclaimedKB += r.before.cacheKB - min(r.before.cacheKB, after.cacheKB)
		r.before, r.cycles = nil, r.cycles+1
	}
}

// panicked reports whether err is the kernel dying in interrupt context
// (a timer or softirq Oops, then "Kernel panic - not syncing"): the run
// goes on, each later step saying the machine is down, and the panic is a
// kernel report like any other.
func (r *runner) panicked(err error) bool {
	var ke *kruntime.KilledError
	return errors.As(err, &ke) && r.m.Kernel().Panicked() != ""
}

// stoppedCode is the exit code for an error that stopped a scenario.
func stoppedCode(err error) int {
	var se *kruntime.ScriptError
	var le *kruntime.LimitError
	var ke *kruntime.KilledError
	switch {
	case errors.As(err, &se):
		return 3
	case errors.As(err, &le):
		return 4
	case errors.As(err, &ke):
		return 1 // an Oops in a tasklet or timer: the kernel panicked
	}
	return 70
}

// notBugs are the report classes that are not kernel bugs: allocation
// failures (a GFP_ATOMIC allocation may fail under pressure, a vmalloc may
// fail, without any bug), the lines fault injection prints, and leaks
// (counted apart).
var notBugs = lazy.NewMap(notBugsTable)

func notBugsTable() map[string]bool {
	return map[string]bool{
		"page-allocation-failure": true,
		"vmalloc-failure":         true,
		"fault-injection":         true,
		"memory-leak":             true,
	}
}

// bugReports are the reports that count as kernel bugs.
func bugReports(reports []kernelsim.Report) []kernelsim.Report {
	var out []kernelsim.Report
	for _, rep := range reports {
		if !notBugs.Get()[rep.Class] {
			out = append(out, rep)
		}
	}
	return out
}
