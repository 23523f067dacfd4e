package grade

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// maxEach is how many calls a fail_each: check fails in turn at most: a
// lesson's module makes one to a few allocations of a kind in the steps of
// such a check, so a submission that makes more is one that tries to bury
// the allocation it uses among throwaway ones.
const maxEach = 32

// failEach is systematic fault injection for the checks of run pr that
// say fail_each: true and passed on its run (TARGET:nth=N): the check's
// scenario runs again with nth=1, 2, … (all but N), until a run makes
// fewer calls of that kind than nth (the fault was not consumed). Each of
// those runs must end without a kernel report (an Oops on the NULL the
// module did not check) and as the check's own expectations say init
// ends and what it leaves behind (eachExpect): insmod failing with
// "Cannot allocate memory", memory restored. So a module that checks a throwaway allocation
// made first and not the one it keeps loses the check: with the second
// call failing, it oopses.
//
// The sweep costs a run at least (the one that shows the module makes no
// more calls), so it is skipped when the check's steps are the first steps
// of the lesson's own scenario, as typed, and the lesson's run (already
// made, the same machine going through the same steps: the same run but
// for the failure) made no more such calls than N by the end of them
// (counted, per step): there is no other call to fail.
func (g *Grader) failEach(sub Submission, pr *plannedRun, res *Result, budget *kruntime.Budget, lane kernelSource, counted *[]*faultCounter) {
	var checks []*CheckResult
	var sets []*lesson.Expect
	for _, i := range pr.checks {
		c := g.lesson.Exercise.Checks[i]
		if c.FailEach && res.Checks[i].Status == Pass {
			checks = append(checks, res.Checks[i])
			sets = append(sets, eachExpect(c.Expect))
		}
	}
	if len(checks) == 0 || len(pr.fail) != 1 {
		return
	}
	spec, err := kernelsim.ParseFailSpec(pr.fail[0])
	if err != nil || spec.Nth == 0 {
		return
	}
	target, _, _ := strings.Cut(pr.fail[0], ":")
	steps := pr.steps
	if steps == nil {
		steps = g.lesson.Scenario
	}
	for _, c := range *counted {
		if n := c.calls[spec.Target]; prefix(steps, c.steps) && len(steps) <= len(n) && n[len(steps)-1] <= spec.Nth {
			return
		}
	}
	want := messages.T("each-want", target, maxEach)
	tested := 0
	for n := uint64(1); len(checks) > 0; n++ {
		if n == spec.Nth {
			continue
		}
		if tested++; tested > maxEach {
			for _, c := range checks {
				c.Status, c.Points = Fail, 0
				c.Failures = append(c.Failures, Expectation{Name: "fail_each", Want: want, Got: messages.T("each-many", target, maxEach)})
			}
			return
		}
		each := fmt.Sprintf("%s:nth=%d", target, n)
		opts := g.cfg.Options
		opts.Budget = budget
		if lane != nil {
			opts.NewKernel = lane.NewKernel
		}
		opts.Fail = append(append([]string(nil), opts.Fail...), each)
		obs := &faultObserver{target: spec.Target}
		out, err := scenario.Run(scenario.Config{Options: opts, NewMachine: g.cfg.NewMachine, Observer: obs}, scenario.Input{
			Script: sub.Path, Src: sub.Src, Module: g.lesson.ModuleName(), Steps: steps, Sets: sets,
			Programs: g.programs,
		})
		if err == nil {
			err = out.Stopped
		}
		if err != nil {
			st, why := stopped(err)
			for _, c := range checks {
				c.Status, c.Points, c.Reason = st, 0, messages.T("each-stopped", each, why)
				if out != nil {
					c.Report = relevantReport(out.Health)
				}
			}
			return
		}
		if !obs.consumed {
			return // the scenario makes fewer than n such calls: each one has been failed
		}
		// The checks that fail with this call failing drop out.
		var keepC []*CheckResult
		var keepS []*lesson.Expect
		for k, c := range checks {
			var failed []Expectation
			if len(out.Health.Bugs) > 0 {
				failed = append(failed, Expectation{Name: "fail_each", Want: want, Got: messages.T("each-bug", each, out.Health.Bugs[0].Title)})
			}
			if k < len(out.Sets) {
				for _, e := range out.Sets[k].Checks {
					if !e.Pass && (len(failed) == 0 || e.Name == "insmod") {
						failed = append(failed, Expectation{Name: e.Name, Want: e.Want, Got: messages.T("each-stopped", each, e.Got)})
					}
				}
			}
			if len(failed) == 0 {
				keepC, keepS = append(keepC, c), append(keepS, sets[k])
				continue
			}
			c.Status, c.Points = Fail, 0
			c.Failures = append(c.Failures, failed...)
			c.Report = relevantReport(out.Health)
		}
		checks, sets = keepC, keepS
	}
}

// eachExpect is what every run of a fail_each: check must show besides
// a kernel without reports: what its own expectations say of how init
// ends and what is left behind (insmod:, dmesg_not:, memory_restored:,
// no_leaks:), not the lines and calls that belong to the failure the
// lesson chose.
func eachExpect(e *lesson.Expect) *lesson.Expect {
	if e == nil {
		return &lesson.Expect{}
	}
	return &lesson.Expect{Insmod: e.Insmod, DmesgNot: e.DmesgNot, MemoryRestored: e.MemoryRestored, NoLeaks: e.NoLeaks}
}

// prefix reports whether steps are the first steps of run, as typed.
func prefix(steps, run []lesson.Step) bool {
	if len(steps) == 0 || len(steps) > len(run) {
		return false
	}
	for i, st := range steps {
		if run[i].Run != st.Run || len(run[i].Capture) > 0 || len(st.Capture) > 0 {
			return false
		}
	}
	return true
}

// faultTargets are the kinds of fault, in a fixed order.
var faultTargets = []kernelsim.FaultTarget{kernelsim.FaultSlab, kernelsim.FaultPageAlloc, kernelsim.FaultVmalloc, kernelsim.FaultUsercopy}

// faultCounter counts, in a run without fault injection, the calls of
// each kind that fail_each: checks fail in turn, armed with probability=0
// (a fault attribute that never fails but sees every call).
type faultCounter struct {
	steps   []lesson.Step
	targets map[kernelsim.FaultTarget]string   // the kinds to count, by their spec names
	calls   map[kernelsim.FaultTarget][]uint64 // after each step
}

// counter returns a faultCounter for the kinds of the exercise's
// fail_each: checks that armed (the batch's own --fail) leaves free.
func (g *Grader) counter(steps []lesson.Step, armed []string) *faultCounter {
	c := &faultCounter{steps: steps, targets: map[kernelsim.FaultTarget]string{}, calls: map[kernelsim.FaultTarget][]uint64{}}
	for _, ch := range g.lesson.Exercise.Checks {
		if !ch.FailEach || len(ch.Fail) != 1 {
			continue
		}
		if spec, err := kernelsim.ParseFailSpec(ch.Fail[0]); err == nil {
			name, _, _ := strings.Cut(ch.Fail[0], ":")
			c.targets[spec.Target] = name
		}
	}
	for _, a := range armed {
		if spec, err := kernelsim.ParseFailSpec(a); err == nil {
			delete(c.targets, spec.Target)
		}
	}
	return c
}

func (c *faultCounter) BeforeStep(int, string, *kernelsim.Kernel) {}

func (c *faultCounter) AfterStep(i int, _ string, _ string, k *kernelsim.Kernel) {
	if k == nil {
		return
	}
	for _, s := range k.FaultInjection() {
		if _, ok := c.targets[s.Target]; ok && len(c.calls[s.Target]) == i {
			c.calls[s.Target] = append(c.calls[s.Target], s.Calls)
		}
	}
}

// faultObserver notes, after each step, whether the armed nth fault of
// its target has fired.
type faultObserver struct {
	target   kernelsim.FaultTarget
	consumed bool
}

func (o *faultObserver) BeforeStep(int, string, *kernelsim.Kernel) {}

func (o *faultObserver) AfterStep(_ int, _ string, _ string, k *kernelsim.Kernel) {
	if k == nil {
		return
	}
	for _, s := range k.FaultInjection() {
		if s.Target == o.target {
			o.consumed = s.Nth == 0
		}
	}
}
