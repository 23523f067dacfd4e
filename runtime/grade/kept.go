package grade

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// runState is what a submission's runs leave for the ones after them: the
// calls its runs without fault injection counted (failEach) and what they
// showed of the calls fail_kept: checks fail (failKept).
type runState struct {
	counted []*faultCounter
	kept    map[int]*kruntime.KeptWatch // by check index
}

// keptSpec is what a fail_kept: check's watch follows: its fault kind,
// the spec's nth, and the check's steps.
type keptSpec struct {
	check  int
	target kernelsim.FaultTarget
	name   string // the kind's spec name: "kmalloc"
	nth    uint64
	steps  []lesson.Step
}

// keptSpecs returns the fail_kept: checks whose steps are the first
// steps of a run of steps without fault injection (all of them when steps
// is nil), whose watch has not been made yet.
func (g *Grader) keptSpecs(steps []lesson.Step, st *runState) []keptSpec {
	var out []keptSpec
	for i, c := range g.lesson.Exercise.Checks {
		if !c.FailKept || len(c.Fail) != 1 || st.kept[i] != nil {
			continue
		}
		spec, err := kernelsim.ParseFailSpec(c.Fail[0])
		if err != nil || spec.Nth == 0 {
			continue
		}
		own := c.Scenario
		if len(own) == 0 {
			own = g.lesson.Scenario
		}
		if steps != nil && !prefix(own, steps) {
			continue
		}
		name, _, _ := strings.Cut(c.Fail[0], ":")
		out = append(out, keptSpec{check: i, target: spec.Target, name: name, nth: spec.Nth, steps: own})
	}
	return out
}

// watchKept arms opts for the watches of specs (a fault attribute that
// never fails but counts, for each kind the batch's own --fail leaves
// free) and returns the machine constructor that arms them.
func (g *Grader) watchKept(opts *kruntime.Options, specs []keptSpec, st *runState) func(kruntime.Options) (scenario.Machine, error) {
	boot := g.cfg.NewMachine
	if boot == nil {
		boot = func(o kruntime.Options) (scenario.Machine, error) { return kruntime.NewMachine(o) }
	}
	if len(specs) == 0 {
		return g.cfg.NewMachine
	}
	for _, s := range specs {
		armed := false
		for _, f := range opts.Fail {
			if spec, err := kernelsim.ParseFailSpec(f); err == nil && spec.Target == s.target {
				armed = true
			}
		}
		if !armed {
			opts.Fail = append(opts.Fail, s.name+":probability=0")
		}
	}
	return func(o kruntime.Options) (scenario.Machine, error) {
		m, err := boot(o)
		if err != nil {
			return m, err
		}
		wm, ok := m.(interface {
			WatchKept(kernelsim.FaultTarget, uint64, int) *kruntime.KeptWatch
		})
		if !ok {
			return m, nil
		}
		if st.kept == nil {
			st.kept = map[int]*kruntime.KeptWatch{}
		}
		for _, s := range specs {
			st.kept[s.check] = wm.WatchKept(s.target, s.nth, len(s.steps))
		}
		return m, nil
	}
}

// failKept ties the injected failure of the fail_kept: checks of run pr
// that passed on it (TARGET:nth=N) to the allocations the module keeps.
// The same steps without fault injection (a run already made whose steps
// begin with the check's, else a run of its own) show which call was the
// Nth of its kind and whether its object was still allocated at the end
// of the check's steps. When it was, the check stands: the failure hit an
// allocation the module keeps. When it was not (a throwaway allocation,
// made, checked and freed first, took the failure), the check's steps run
// again with the first call after it whose object the module keeps
// failing instead (else the last one before it), and that run must end as
// a fail_each: run does: no kernel report, init ending and memory left as
// the check says (eachExpect). So does the first kept call of each other
// script position whose calls made objects the module kept (keptTrials):
// spare objects kept beside the used ones cannot take the failure for
// them either. A module that keeps no object of the kind by the end of
// the check's steps fails the check: the failure cannot land on what it
// keeps. Last, keptPickCount kept calls picked from a hash of the source
// (keptPicks) fail, each in a run of its own, so that a NULL check tied
// to the Nth call's index does not pass. An honest module, whose Nth call
// is one of the allocations it keeps, all made at one position, costs
// those runs and no other.
//
// Up to the injected failure, a run with nth=N armed is the run without
// it, step for step (the simulation is deterministic, and the step
// pauses depend on the seed and the steps alone), so the Nth call of the
// run without injection is the call the check's run failed.
func (g *Grader) failKept(sub Submission, pr *plannedRun, res *Result, budget *kruntime.Budget, lane kernelSource, st *runState) {
	for _, i := range pr.checks {
		c := g.lesson.Exercise.Checks[i]
		cr := res.Checks[i]
		if !c.FailKept || cr.Status != Pass || len(pr.fail) != 1 {
			continue
		}
		w := st.kept[i]
		if w == nil {
			specs := g.keptSpecs(nil, st)
			var mine []keptSpec
			for _, s := range specs {
				if s.check == i {
					mine = append(mine, s)
				}
			}
			if len(mine) == 0 {
				continue
			}
			opts := g.runOptions(budget, lane)
			boot := g.watchKept(&opts, mine, st)
			out, err := scenario.Run(scenario.Config{Options: opts, NewMachine: boot}, scenario.Input{
				Script: sub.Path, Src: sub.Src, Module: g.lesson.ModuleName(), Steps: mine[0].steps,
				Programs: g.programs,
			})
			if err == nil {
				err = out.Stopped
			}
			if err != nil {
				s, why := stopped(err)
				cr.Status, cr.Points, cr.Reason = s, 0, messages.T("kept-stopped", why)
				if out != nil {
					cr.Report = relevantReport(out.Health)
				}
				continue
			}
			if w = st.kept[i]; w == nil {
				continue
			}
		}
		if !w.Counted() {
			continue
		}
		spec, err := kernelsim.ParseFailSpec(pr.fail[0])
		if err != nil || spec.Nth == 0 {
			continue
		}
		target, _, _ := strings.Cut(pr.fail[0], ":")
		want := messages.T("kept-want", target)
		trials, failed := keptTrials(w, target, spec.Nth)
		if failed != nil {
			cr.Status, cr.Points = Fail, 0
			cr.Failures = append(cr.Failures, Expectation{Name: "fail_kept", Want: want, Got: *failed})
			continue
		}
		trials = append(trials, keptPicks(w, target, spec.Nth, trials, pickSeed(g.lesson.ID, c.ID, sub.Src))...)
		for _, t := range trials {
			if !g.keptTrial(sub, pr, &c, cr, t, want, budget, lane) {
				break
			}
		}
	}
}

// keptTrial is a call a fail_kept: check fails in a run of its own, and
// why: the one that stands for the Nth call, the first of a position, or
// one picked from the submission's hash (keptPicks).
type keptTrial struct {
	nth  uint64
	spec string    // "kmalloc:nth=65"
	why  i18n.Text // for the feedback
}

// keptTrials returns the calls whose failure a fail_kept: check also
// tries, given watch w of its steps without fault injection: when the Nth
// call did not make an object the module kept, the first kept one after
// it (else the last before it); then the first kept call of each other
// position whose calls made kept objects (spare objects, kept beside the
// ones the module uses, cannot take the failure for them either). A
// module that keeps objects from the Nth call's position alone, the Nth
// among them, makes none (no run). It returns the failure to report
// instead when there is nothing the failure could land on, or more
// positions than maxEach.
func keptTrials(w *kruntime.KeptWatch, target string, nth uint64) ([]keptTrial, *i18n.Text) {
	var trials []keptTrial
	done := map[string]bool{}
	nthCall, found := w.NthCall()
	if !found || !nthCall.Kept {
		why := messages.T("kept-nth-none", target, nth)
		if found {
			why = messages.T("kept-nth-freed", target, nth, nthCall.Pos, nthCall.Step, nthCall.Freed)
		}
		kept, ok := w.KeptCall()
		if !ok {
			t := messages.T("kept-none", why, target)
			return nil, &t
		}
		spec := fmt.Sprintf("%s:nth=%d", target, kept.Nth)
		trials = append(trials, keptTrial{nth: kept.Nth, spec: spec, why: messages.T("kept-instead", why, spec, kept.Pos)})
		done[kept.Pos] = true
	} else {
		done[nthCall.Pos] = true
	}
	for _, k := range w.KeptSites() {
		if done[k.Pos] {
			continue
		}
		done[k.Pos] = true
		spec := fmt.Sprintf("%s:nth=%d", target, k.Nth)
		trials = append(trials, keptTrial{nth: k.Nth, spec: spec, why: messages.T("kept-site", spec, k.Pos)})
	}
	if len(trials) > maxEach {
		t := messages.T("kept-many", len(trials), target, maxEach)
		return nil, &t
	}
	return trials, nil
}

// keptPickCount is how many kept calls, besides the ones keptTrials
// names, a fail_kept: check fails, each in a run of its own.
const keptPickCount = 3

// keptPicks returns up to keptPickCount more calls to fail, drawn from the
// calls whose object the module kept (watch w), but the Nth and the ones
// tried already, from the hash h of the submission (pickSeed). A module
// whose NULL check is tied to the one call the lesson's public spec fails
// (if not p and i == 45) handles the Nth and no other: the picks reach
// its other calls, and no submission can know them in advance, since
// changing the source to handle them changes them. Calls are picked by
// their rank among the kept calls, never by a map's order, so the same
// source and lesson fail the same calls on every seed. An honest module,
// which handles any of them, pays keptPickCount runs; one that keeps
// fewer calls, fewer.
func keptPicks(w *kruntime.KeptWatch, target string, nth uint64, tried []keptTrial, h uint64) []keptTrial {
	skip := map[uint64]bool{nth: true}
	for _, t := range tried {
		skip[t.nth] = true
	}
	var pool []kruntime.KeptCall
	for _, k := range w.KeptCalls() {
		if !skip[k.Nth] {
			pool = append(pool, k)
		}
	}
	var picked []kruntime.KeptCall
	for len(picked) < keptPickCount && len(pool) > 0 {
		h = splitmix(h)
		i := int(h % uint64(len(pool)))
		picked = append(picked, pool[i])
		pool = append(pool[:i], pool[i+1:]...)
	}
	slices.SortFunc(picked, func(a, b kruntime.KeptCall) int {
		if a.Nth < b.Nth {
			return -1
		}
		return 1 // the picks are distinct calls
	})
	out := make([]keptTrial, 0, len(picked))
	for _, k := range picked {
		spec := fmt.Sprintf("%s:nth=%d", target, k.Nth)
		out = append(out, keptTrial{nth: k.Nth, spec: spec, why: messages.T("kept-pick", spec, k.Pos)})
	}
	return out
}

// pickSeed hashes a submission's source with its lesson and check: the
// seed of keptPicks. The kernel's seed is left out, so that a submission
// scores the same on every seed.
func pickSeed(lessonID, checkID string, src []byte) uint64 {
	d := sha256.New()
	fmt.Fprintf(d, "kscript fail_kept picks\x00%s\x00%s\x00", lessonID, checkID)
	d.Write(src)
	return binary.LittleEndian.Uint64(d.Sum(nil))
}

// splitmix is one step of SplitMix64: a well-mixed sequence from a seed.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// keptTrial runs check c's steps with the call of t failing and judges
// the run as a fail_each: run is judged (eachExpect, and no kernel
// report), into cr. It reports whether the check still stands.
func (g *Grader) keptTrial(sub Submission, pr *plannedRun, c *lesson.Check, cr *CheckResult, t keptTrial, want i18n.Text, budget *kruntime.Budget, lane kernelSource) bool {
	opts := g.runOptions(budget, lane)
	opts.Fail = append(opts.Fail, t.spec)
	out, err := scenario.Run(scenario.Config{Options: opts, NewMachine: g.cfg.NewMachine}, scenario.Input{
		Script: sub.Path, Src: sub.Src, Module: g.lesson.ModuleName(), Steps: pr.stepsOr(g.lesson.Scenario),
		Sets: []*lesson.Expect{eachExpect(c.Expect)}, Programs: g.programs,
	})
	if err == nil {
		err = out.Stopped
	}
	if err != nil {
		s, why := stopped(err)
		cr.Status, cr.Points, cr.Reason = s, 0, messages.T("kept-got", t.why, why)
		if out != nil {
			cr.Report = relevantReport(out.Health)
		}
		return false
	}
	var failed []Expectation
	if len(out.Health.Bugs) > 0 {
		failed = append(failed, Expectation{Name: "fail_kept", Want: want, Got: messages.T("kept-got", t.why, out.Health.Bugs[0].Title)})
	}
	if len(out.Sets) > 0 {
		for _, e := range out.Sets[0].Checks {
			if !e.Pass && (len(failed) == 0 || e.Name == "insmod") {
				failed = append(failed, Expectation{Name: e.Name, Want: e.Want, Got: messages.T("kept-got", t.why, e.Got)})
			}
		}
	}
	if len(failed) == 0 {
		return true
	}
	cr.Status, cr.Points = Fail, 0
	cr.Failures = append(cr.Failures, failed...)
	cr.Report = relevantReport(out.Health)
	return false
}

// runOptions are the options of one of a submission's runs: the batch's,
// with the submission's step budget and the lane's kernels.
func (g *Grader) runOptions(budget *kruntime.Budget, lane kernelSource) kruntime.Options {
	opts := g.cfg.Options
	opts.Budget = budget
	if lane != nil {
		opts.NewKernel = lane.NewKernel
	}
	opts.Fail = append([]string(nil), opts.Fail...)
	return opts
}

// stepsOr returns the run's steps, or def for a run of the lesson's.
func (pr *plannedRun) stepsOr(def []lesson.Step) []lesson.Step {
	if pr.steps == nil {
		return def
	}
	return pr.steps
}
