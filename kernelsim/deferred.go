package kernelsim

import (
	"fmt"
	"sort"
)

// Deferred work and when it runs.
//
// On Linux, tasklets, timers, work items and interrupt handlers run
// whenever the hardware or the scheduler decides. kernelsim runs them
// synchronously, never on goroutines, at deterministic points:
//
//   - RunDeferred, which the runtime calls after every syscall and every
//     shell step: expired timers fire (a timer interrupt on the idle CPU),
//     softirqs raised from process context run in ksoftirqd/0 (as
//     wakeup_softirqd() arranges), then queued work runs in kworker/0:1.
//   - Tick (the "tick DURATION" step) and Msleep: simulated time passes
//     jiffy by jiffy through every timer expiry, with the same processing
//     after each timer interrupt.
//   - RaiseIRQ (the "irq N" step): the handlers run in hardirq context,
//     then irq_exit() runs the softirqs they raised, on the interrupt stack.
//   - LocalBhEnable and spin_unlock_bh: pending softirqs run at once.
//   - FlushWork, CancelWorkSync, TaskletKill: what they wait for runs.
//
// Unlike Linux, where an interrupt may arrive while any task runs, in
// kernelsim interrupts always interrupt the idle task swapper/0: the CPU is
// idle between steps, and a task that sleeps leaves it idle.

// Callback is a deferred function the embedder built around a script
// function: a tasklet's, a timer's or a work item's callback. Fn receives
// nothing — the embedder's closure passes the script its struct (the
// tasklet, the timer_list, the work_struct) itself.
type Callback struct {
	Func   string       // the script function's name: "my_tasklet_func"
	Module string       // the owning module, "" for the core kernel
	Fn     func() error // runs the script function; nil is a NULL pointer
}

// symbol formats the callback as %ps prints a function: "fn [module]".
func (c Callback) symbol() string {
	if c.Module == "" {
		return c.Func
	}
	return c.Func + " [" + c.Module + "]"
}

// maxDeferredPasses bounds one RunDeferred: deferred work that keeps
// rescheduling itself (a tasklet that schedules itself, a disabled tasklet
// that is requeued forever) is left pending for the next point. Unlike
// Linux, where ksoftirqd would keep running it, burning the CPU.
const maxDeferredPasses = 64

// RunDeferred runs the deferred work that is due, in the order Linux would
// most likely run it on an otherwise idle CPU: expired timers, pending
// softirqs (ksoftirqd/0), queued work (kworker/0:1), again until nothing is
// left or maxDeferredPasses passes have run. The runtime calls it after
// every syscall and shell step. An error from a callback (an Oops, a script
// error) stops it and is returned; the rest stays pending.
func (k *Kernel) RunDeferred() error {
	if k.panicMsg != "" {
		return nil // a panicked machine runs nothing
	}
	return k.runAs(&k.sched.idle, idleCPU(), func() error {
		for range maxDeferredPasses {
			did, err := k.deferredPass()
			if err != nil || !did {
				return err
			}
		}
		return nil
	})
}

// deferredPass does one round of RunDeferred's work.
func (k *Kernel) deferredPass() (bool, error) {
	did := false
	if k.timersDue() {
		did = true
		if err := k.timerInterrupt(); err != nil {
			return did, err
		}
	}
	if k.irq.softirq.pending != 0 {
		did = true
		if err := k.RunPendingSoftirqs(); err != nil {
			return did, err
		}
	}
	if k.workPending() {
		did = true
		if err := k.RunPendingWork(); err != nil {
			return did, err
		}
	}
	return did, nil
}

// idleCPU is the CPU context of the idle loop.
func idleCPU() cpuState { return cpuState{preemptCount: PreemptOffset} }

// Pending is one piece of deferred work still registered with the kernel
// on behalf of a module: a scheduled tasklet, an armed timer, queued work,
// a requested interrupt handler.
type Pending struct {
	Kind   string // "tasklet", "hi-tasklet", "timer", "work", "irq"
	Func   string // the callback's name
	Module string
	Detail string // "scheduled", "disabled", "expires in 250 jiffies", "irq 1 (my_kbd)"
	// Site is the script line that last scheduled, armed, queued or
	// requested it (zero when no script frame was on the stack).
	Site Frame
}

func (p Pending) String() string {
	return fmt.Sprintf("%s %s [%s]: %s", p.Kind, p.Func, p.Module, p.Detail)
}

// PendingFor lists the deferred work still registered on behalf of module,
// in a deterministic order: tasklets in queue order (HI first), timers in
// firing order, work in queue order, interrupt handlers by irq number. A
// module must have cancelled all of it before it is unloaded.
func (k *Kernel) PendingFor(module string) []Pending {
	var out []Pending
	for _, p := range k.allPending() {
		if p.Module == module {
			out = append(out, p)
		}
	}
	return out
}

func (k *Kernel) allPending() []Pending {
	var out []Pending
	out = append(out, k.pendingTasklets()...)
	out = append(out, k.pendingTimers()...)
	out = append(out, k.pendingWork()...)
	out = append(out, k.pendingIRQs()...)
	return out
}

// PendingModules lists the modules that own pending deferred work, sorted.
func (k *Kernel) PendingModules() []string {
	seen := map[string]bool{}
	var mods []string
	for _, p := range k.allPending() {
		if p.Module != "" && !seen[p.Module] {
			seen[p.Module] = true
			mods = append(mods, p.Module)
		}
	}
	sort.Strings(mods)
	return mods
}

// callSite is the innermost script frame of the current call stack: where
// a script registered or scheduled something, for kscript's own reports
// about what a module left behind. The zero Frame outside script code.
func (k *Kernel) callSite() Frame {
	for _, f := range k.stack() {
		if f.File != "" {
			return f
		}
	}
	return Frame{}
}
