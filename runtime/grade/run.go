package grade

import (
	"errors"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/explain"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// plannedRun is one scenario run of a submission: its steps and fault
// injection, and the checks judged on it.
type plannedRun struct {
	steps  []lesson.Step // nil: the lesson's scenario (or the default one)
	fail   []string
	checks []int // indexes into the exercise's checks
	// verify are the checks among them whose dmesg lines have checked
	// placeholders ({{pfn}}, {{kptr}}): judged on a verify run too.
	verify []int
}

// plan groups the exercise's checks by the run they need: the same steps
// and the same fault-injection specs make the same run.
func plan(l *lesson.Lesson) []plannedRun {
	var runs []plannedRun
	index := map[string]int{}
	for i, c := range l.Exercise.Checks {
		steps := c.Scenario
		if len(steps) == 0 {
			steps = nil
		}
		key := runKey(steps, c.Fail)
		j, ok := index[key]
		if !ok {
			j = len(runs)
			index[key] = j
			runs = append(runs, plannedRun{steps: steps, fail: c.Fail})
		}
		runs[j].checks = append(runs[j].checks, i)
		if checksValues(c.Expect) {
			runs[j].verify = append(runs[j].verify, i)
		}
	}
	return runs
}

// runKey identifies a run by its steps (with their captures) and specs.
func runKey(steps []lesson.Step, fail []string) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.Run)
		for _, c := range s.Capture {
			b.WriteString("\x01" + c.Name + "=" + c.Pattern)
		}
		b.WriteByte(0)
	}
	b.WriteString("\x02" + strings.Join(fail, "\x00"))
	return b.String()
}

// runOne runs one planned run of a submission and judges its checks. It
// returns true when the submission could not even be loaded: every check
// has then been marked and grading the submission is over.
func (g *Grader) runOne(sub Submission, pr *plannedRun, res *Result, budget *kruntime.Budget, lane kernelSource, st *runState) (stop bool) {
	if len(pr.fail) > 0 && !g.faultInjection() {
		for _, i := range pr.checks {
			c := res.Checks[i]
			c.Status, c.CannotRun = Skip, true
			c.Reason = messages.T("no-fault-injection", strings.Join(pr.fail, " "))
		}
		return false
	}
	opts := g.cfg.Options
	opts.Budget = budget
	if lane != nil {
		opts.NewKernel = lane.NewKernel
	}
	opts.Fail = append(append([]string(nil), opts.Fail...), pr.fail...)
	steps := pr.steps
	if steps == nil {
		steps = g.lesson.Scenario
	}
	var count *faultCounter
	if len(pr.fail) == 0 {
		// Count the calls fail_each: checks would fail in turn (failEach).
		count = g.counter(steps, opts.Fail)
		for _, t := range faultTargets {
			if name, ok := count.targets[t]; ok {
				opts.Fail = append(opts.Fail, name+":probability=0")
			}
		}
	}
	sets := make([]*lesson.Expect, len(pr.checks))
	for k, i := range pr.checks {
		sets[k] = g.lesson.Exercise.Checks[i].Expect
	}
	cfg := scenario.Config{Options: opts, NewMachine: g.cfg.NewMachine}
	if count != nil && len(count.targets) > 0 {
		cfg.Observer = count
	}
	var watched []keptSpec
	if len(pr.fail) == 0 {
		// Follow the calls fail_kept: checks fail (failKept), when their
		// steps begin this run.
		watched = g.keptSpecs(steps, st)
		cfg.NewMachine = g.watchKept(&cfg.Options, watched, st)
	}
	out, err := scenario.Run(cfg, scenario.Input{
		Script: sub.Path, Src: sub.Src, Module: g.lesson.ModuleName(), Steps: steps, Sets: sets,
		Programs: g.programs, KeepHeld: len(pr.verify) > 0,
	})
	if err != nil {
		st, why := stopped(err)
		g.errorAll(res, st, why)
		return true
	}
	res.noteShadowed(out.Shadowed)
	if out.Stopped != nil {
		for _, s := range watched {
			delete(st.kept, s.check) // a run cut short shows no fate
		}
	}
	if count != nil && len(count.targets) > 0 && out.Stopped == nil {
		st.counted = append(st.counted, count)
	}
	for k, i := range pr.checks {
		var set scenario.Set // none when the run stopped early
		if k < len(out.Sets) {
			set = out.Sets[k]
		}
		judge(res.Checks[i], out, set)
	}
	if out.Stopped == nil {
		g.verify(sub, pr, res, budget, lane, out.Held)
	}
	g.failEach(sub, pr, res, budget, lane, &st.counted)
	g.failKept(sub, pr, res, budget, lane, st)
	return false
}

// judge decides one check from its run and its expectations' outcomes.
func judge(c *CheckResult, out *scenario.Result, set scenario.Set) {
	if out.Stopped != nil {
		c.Status, c.Reason = stopped(out.Stopped)
		c.Report = relevantReport(out.Health)
		return
	}
	for _, e := range set.Checks {
		if !e.Pass {
			c.Failures = append(c.Failures, Expectation{Name: e.Name, Want: e.Want, Got: e.Got})
		}
	}
	if len(c.Failures) == 0 && !healthy(set.Expect, out.Health) {
		// No expectation failed, but the kernel reported a bug the check
		// did not expect.
		c.Failures = append(c.Failures, Expectation{Name: "health", Want: messages.T("healthy-kernel"), Got: out.Health.Problems()})
	}
	if len(c.Failures) == 0 {
		c.Status, c.Points = Pass, c.MaxPoints
		return
	}
	c.Status = Fail
	c.Report = relevantReport(out.Health)
}

// healthy reports whether the kernel's health is acceptable for a check:
// no bug report (BUG, WARNING, Oops, KASAN…) unless its expectations judge
// bugs (bugs:, no_bugs:, clean:). Leaks and free memory are judged only by
// the checks that ask (no_leaks:, memory_restored:, clean:): a module that
// forgets a kfree in its exit function loses the points for freeing, not
// those for loading; and the kernel itself may keep memory a run made it
// allocate (a slab grown for the files a step opened), as Linux does.
func healthy(e *lesson.Expect, h scenario.Health) bool {
	judgesBugs := e != nil && (len(e.Bugs) > 0 || e.NoBugs != nil || e.Clean != nil)
	return judgesBugs || len(h.Bugs) == 0
}

// stopped classifies an error that stopped a run or kept it from starting.
func stopped(err error) (Status, i18n.Text) {
	var le *kruntime.LimitError
	var se *kruntime.ScriptError
	var ie *kruntime.InternalError
	var me *scenario.MachineError
	var ke *kruntime.KilledError
	switch {
	case errors.As(err, &le):
		return Timeout, messages.T("step-limit", le.Pos, le.Steps)
	case errors.As(err, &se):
		return Error, messages.T("script-error", scriptErrorText(se))
	case errors.As(err, &ke) && ke.Oops != nil:
		// The kernel stopped the module's code (an Oops, a BUG(), a
		// lockup): the submission's bug, judged with its report.
		return Fail, messages.T("kernel-stopped", ke.Oops.Report.Title)
	case errors.As(err, &ie):
		return Error, messages.T("internal-error", ie.Error())
	case errors.As(err, &me):
		return Error, messages.T("machine-error", me.Error())
	}
	return Error, messages.T("internal-error", err.Error())
}

// scriptErrorText is a script error as Starlark or kscript wrote it; in
// Thai, kscript's translation when it has one, the original quoted after
// it (the words a student searches for).
func scriptErrorText(se *kruntime.ScriptError) i18n.Text {
	t := i18n.Plain(se.Error())
	if th, ok := kruntime.ThaiMessage(se.Msg); ok && th != se.Msg {
		t.TH = se.Pos + ": " + th + " (“" + se.Msg + "”)"
	}
	return t
}

// relevantReport picks the kernel report that explains a failure: the
// first fatal one (an Oops kills the task and ends what the module was
// doing), else the first bug, else the first leak.
func relevantReport(h scenario.Health) *Report {
	var pick *kernelsim.Report
	for i := range h.Bugs {
		if h.Bugs[i].Fatal {
			pick = &h.Bugs[i]
			break
		}
	}
	switch {
	case pick != nil:
	case len(h.Bugs) > 0:
		pick = &h.Bugs[0]
	case len(h.Leaks) > 0:
		pick = &h.Leaks[0]
	default:
		return nil
	}
	var thai string
	if e, ok := explain.Lookup(explain.Key(*pick), "th"); ok && pick.Kscript {
		thai = e.Title
	}
	return &Report{Class: pick.Class, Title: pick.Title, Where: scenario.ScriptLine(*pick),
		Kscript: pick.Kscript, ThaiTitle: thai,
		Explain: i18n.Text{EN: explain.For(*pick, "en"), TH: explain.For(*pick, "th")}}
}
