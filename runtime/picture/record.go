package picture

import (
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// maxEvents bounds the buddy events kept per step: a step that fills
// memory makes millions, and the pictures show the first few anyway.
const maxEvents = 4096

// Step is what the pictures of one scenario step are drawn from.
type Step struct {
	N      int    // from 1
	Run    string // the command as typed
	Output string // what it printed
	Before *Snapshot
	After  *Snapshot
	// Events are the buddy allocator's takes, splits, merges and puts
	// during the step, in order; Dropped counts those past maxEvents.
	Events  []kernelsim.BuddyEvent
	Dropped int
	// Reports are the kernel reports the step produced; Log the kernel
	// log lines it printed.
	Reports []kernelsim.Report
	Log     []kernelsim.LogRecord
}

// Recorder records the steps of a scenario (a scenario.StepObserver).
type Recorder struct {
	Steps []*Step
	// Machine is the simulated machine's kernel command line (its
	// options), read before the first step.
	Machine string

	cur     *Step
	reports int
	seq     uint64
}

// BeforeStep snapshots the machine and starts recording buddy events.
func (r *Recorder) BeforeStep(i int, run string, k *kernelsim.Kernel) {
	if r.Machine == "" {
		cmdline, _ := k.ReadProc("/proc/cmdline")
		r.Machine = strings.TrimSpace(cmdline)
	}
	st := &Step{N: i + 1, Run: run, Before: Take(k)}
	r.cur = st
	r.reports = len(k.Reports())
	r.seq = k.NextSeq()
	k.SetBuddyObserver(func(e kernelsim.BuddyEvent) {
		if len(st.Events) < maxEvents {
			st.Events = append(st.Events, e)
		} else {
			st.Dropped++
		}
	})
}

// AfterStep snapshots the machine again and keeps the step.
func (r *Recorder) AfterStep(_ int, _ string, output string, k *kernelsim.Kernel) {
	st := r.cur
	if st == nil {
		return
	}
	k.SetBuddyObserver(nil)
	st.Output, st.After = output, Take(k)
	if reps := k.Reports(); len(reps) > r.reports {
		st.Reports = append([]kernelsim.Report(nil), reps[r.reports:]...)
	}
	st.Log = append([]kernelsim.LogRecord(nil), k.LogSince(r.seq)...)
	r.Steps = append(r.Steps, st)
	r.cur = nil
}
