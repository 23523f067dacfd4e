package grade

import (
	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// The verify run. A check whose dmesg lines have {{pfn}} or {{kptr}}
// passes only on a line whose value the module's own allocations gave it
// (runtime/held.go). But the simulation is deterministic: the module
// workshop hands out, run on the grading seed, prints the very frame and
// pointer the submission's allocation will get, and a submission that
// types that number into its printk would pass, on that seed only.
//
// So each such check that passed is judged again on a second run of its
// scenario, on a kernel booted with the verify seed (VerifySeed of the
// grading seed) whose page allocator never hands out the page frames the
// module got on the first run (kernelsim.AvoidFrames: taken at once when
// free, withheld when freed later) and whose vmalloc ranges are reserved
// (ReserveVmallocRange): the module cannot get them again, so no value
// that passed the first run can pass this one, however it was chosen,
// while a module that prints what its allocation gave it passes both. Its
// checked dmesg lines are what the verify run judges (verifyExpect). The seed changes the rest (the %p hashing key,
// where boot left its slabs and free blocks). The check passes only when
// it passes on both runs; failing on the verify run alone, its feedback
// says so.

// VerifySeed is the kernel seed of the verify runs of a batch graded with
// seed: a fixed mix of it, never seed itself.
func VerifySeed(seed uint64) uint64 { return seed ^ 0x5eed }

// verifyConfig is the kernel configuration of the verify runs.
func (g *Grader) verifyConfig() kernelsim.Config {
	cfg := g.cfg.Options.Kernel
	cfg.Seed = VerifySeed(cfg.Seed)
	return cfg
}

// verifyCaller names the vmalloc ranges a verify run reserves, in
// /proc/vmallocinfo.
const verifyCaller = "kscript_verify_reserved"

// verify makes the verify run of run pr for its checks with checked
// placeholders that passed on it, held being what the module held on it,
// and fails those that do not pass again.
func (g *Grader) verify(sub Submission, pr *plannedRun, res *Result, budget *kruntime.Budget, lane kernelSource, held *kruntime.HeldMemory) {
	var checks []*CheckResult
	var sets []*lesson.Expect
	for _, i := range pr.verify {
		if res.Checks[i].Status == Pass {
			checks = append(checks, res.Checks[i])
			sets = append(sets, verifyExpect(g.lesson.Exercise.Checks[i].Expect))
		}
	}
	if len(checks) == 0 || budget.Exhausted() {
		return
	}
	opts := g.cfg.Options
	opts.Budget = budget
	opts.Kernel = g.verifyConfig()
	boot := opts.NewKernel
	if lane != nil {
		boot = lane.NewKernel
	}
	if boot == nil {
		boot = kernelsim.New
	}
	opts.NewKernel = func(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
		k, err := boot(cfg)
		if err == nil && held != nil {
			k.AvoidFrames(held.Frames)
			for _, a := range held.Areas {
				k.ReserveVmallocRange(a.Start, a.Size, verifyCaller)
			}
		}
		return k, err
	}
	opts.Fail = append(append([]string(nil), opts.Fail...), pr.fail...)
	steps := pr.steps
	if steps == nil {
		steps = g.lesson.Scenario
	}
	out, err := scenario.Run(scenario.Config{Options: opts, NewMachine: g.cfg.NewMachine}, scenario.Input{
		Script: sub.Path, Src: sub.Src, Module: g.lesson.ModuleName(), Steps: steps, Sets: sets,
		Programs: g.programs,
	})
	seed, vseed := g.cfg.Options.Kernel.Seed, opts.Kernel.Seed
	for k, c := range checks {
		again := &CheckResult{MaxPoints: c.MaxPoints}
		switch {
		case err != nil:
			again.Status, again.Reason = stopped(err)
		case k < len(out.Sets):
			judge(again, out, out.Sets[k])
		default:
			judge(again, out, scenario.Set{})
		}
		if again.Status == Pass {
			continue
		}
		c.Points, c.Report = 0, again.Report
		if again.Status != Fail {
			c.Status, c.Reason = again.Status, messages.T("verify-stopped", seed, vseed, again.Reason)
			continue
		}
		c.Status = Fail
		for _, f := range again.Failures {
			c.Failures = append(c.Failures, Expectation{Name: f.Name, Want: f.Want, Got: messages.T("verify-failed", seed, vseed, seed, f.Got)})
		}
	}
}

// verifyExpect is what a verify run judges of a check's expectations
// e: its dmesg lines with checked placeholders, and a kernel without
// reports. The rest was judged on the first run; and the verify run's
// kernel keeps the blocks it withheld (AvoidFrames), so its free memory
// does not come back as a module's run leaves it.
func verifyExpect(e *lesson.Expect) *lesson.Expect {
	v := &lesson.Expect{}
	for _, m := range e.Dmesg {
		if m.Checked() {
			v.Dmesg = append(v.Dmesg, m)
		}
	}
	return v
}

// checksValues reports whether e has dmesg lines with checked
// placeholders ({{pfn}}, {{kptr}}).
func checksValues(e *lesson.Expect) bool {
	if e == nil {
		return false
	}
	for i := range e.Dmesg {
		if e.Dmesg[i].Checked() {
			return true
		}
	}
	return false
}
