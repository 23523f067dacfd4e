package kernelsim

// Tasklets (kernel/softirq.c, include/linux/interrupt.h).
//
// A tasklet is a function a driver asks to run "soon", in softirq context:
// tasklet_schedule() puts it at the tail of this CPU's list and raises
// TASKLET_SOFTIRQ (tasklet_hi_schedule: the HI list and HI_SOFTIRQ, which
// runs before every other vector). Two state bits make it simple to use:
//
//	TASKLET_STATE_SCHED  queued: scheduling it again does nothing, so a
//	                     tasklet scheduled twice before it runs runs once
//	TASKLET_STATE_RUN    running: a tasklet never runs on two CPUs at once
//
// and a count disables it: tasklet_disable() increments it, and a disabled
// tasklet that comes up in the list is put back at the tail, still
// scheduled, until tasklet_enable() brings the count back to zero. Being
// softirq code, a tasklet must not sleep: GFP_ATOMIC, not GFP_KERNEL.

// Tasklet state bits (TASKLET_STATE_SCHED, TASKLET_STATE_RUN).
const (
	TaskletStateSched uint32 = 1 << 0
	TaskletStateRun   uint32 = 1 << 1
)

// Tasklet mirrors struct tasklet_struct: its state bits, its disable count
// and its callback (the modern tasklet_setup() kind, which receives the
// tasklet itself).
type Tasklet struct {
	cb    Callback
	state uint32
	count int32
	hi    bool  // queued on the HI list
	site  Frame // where it was last scheduled (kscript's record, for reports)
}

// taskletList mirrors struct tasklet_head, kept as a slice in list order.
type taskletList struct {
	list []*Tasklet
}

// NewTasklet returns a zeroed struct tasklet_struct, as a static C
// declaration gives: no callback yet (tasklet()).
func NewTasklet() *Tasklet { return &Tasklet{} }

// TaskletSetup mirrors tasklet_setup(t, callback): not scheduled, enabled,
// calling cb. As on Linux, setting up a tasklet that is still queued
// corrupts it: it stays in the list without its SCHED bit, and when its
// turn comes the softirq skips it.
func (k *Kernel) TaskletSetup(t *Tasklet, cb Callback) {
	t.cb, t.state, t.count = cb, 0, 0
}

// DeclareTasklet mirrors DECLARE_TASKLET(name, callback): a tasklet set up
// at compile time; DECLARE_TASKLET_DISABLED when disabled (count 1).
func DeclareTasklet(cb Callback, disabled bool) *Tasklet {
	t := &Tasklet{cb: cb}
	if disabled {
		t.count = 1
	}
	return t
}

// State returns the tasklet's state bits.
func (t *Tasklet) State() uint32 { return t.state }

// Count returns the tasklet's disable count.
func (t *Tasklet) Count() int { return int(t.count) }

// TaskletSchedule mirrors tasklet_schedule(t).
func (k *Kernel) TaskletSchedule(t *Tasklet) {
	k.taskletSchedule(t, &k.irq.softirq.vec, TaskletSoftirq)
}

// TaskletHiSchedule mirrors tasklet_hi_schedule(t).
func (k *Kernel) TaskletHiSchedule(t *Tasklet) {
	k.taskletSchedule(t, &k.irq.softirq.hiVec, HISoftirq)
}

// taskletSchedule mirrors tasklet_schedule and __tasklet_schedule_common:
// unless already scheduled, append to the tail of the list, with
// interrupts off, and raise the softirq.
func (k *Kernel) taskletSchedule(t *Tasklet, l *taskletList, nr int) {
	if t.state&TaskletStateSched != 0 {
		return
	}
	t.state |= TaskletStateSched
	t.site = k.callSite()
	flags := k.LocalIrqSave()
	t.hi = nr == HISoftirq
	l.list = append(l.list, t)
	k.raiseSoftirqIrqoff(nr)
	k.LocalIrqRestore(flags)
}

// taskletAction mirrors tasklet_action_common(): take the whole list; run
// each tasklet that is enabled and not running; put the others back at the
// tail and raise the softirq again. If a callback fails, the tasklets not
// yet looked at go back to the head of the list.
func (k *Kernel) taskletAction(l *taskletList, nr int) error {
	list := l.list
	l.list = nil
	for i, t := range list {
		if t.state&TaskletStateRun == 0 && t.count == 0 {
			if err := k.taskletRun(t); err != nil {
				l.list = append(append([]*Tasklet(nil), list[i+1:]...), l.list...)
				if len(l.list) > 0 {
					k.raiseSoftirqIrqoff(nr)
				}
				return err
			}
			continue
		}
		l.list = append(l.list, t)
		k.raiseSoftirqIrqoff(nr)
	}
	return nil
}

// taskletRun runs one tasklet with TASKLET_STATE_RUN set, clearing
// TASKLET_STATE_SCHED first so that the callback may schedule it again.
func (k *Kernel) taskletRun(t *Tasklet) error {
	t.state |= TaskletStateRun
	defer func() { t.state &^= TaskletStateRun }()
	if t.state&TaskletStateSched == 0 {
		// tasklet_clear_sched(): WARN_ONCE; the tasklet does not run.
		return nil
	}
	t.state &^= TaskletStateSched
	return k.withEntry(taskletActionFrames, func() error {
		if t.cb.Fn == nil {
			return k.nullCallOops()
		}
		if gone, err := k.callGone(t.cb.Module, t.cb.Func); gone { // module_gone.go
			return err
		}
		return t.cb.Fn()
	})
}

// TaskletDisableNosync mirrors tasklet_disable_nosync(t).
func (k *Kernel) TaskletDisableNosync(t *Tasklet) { t.count++ }

// TaskletDisable mirrors tasklet_disable(t): disable it, then wait until it
// is not running (tasklet_unlock_wait). On one CPU it can only be running
// if this is its own callback, which would wait for itself forever; unlike
// Linux, kernelsim reports the sleep in atomic context and does not wait.
func (k *Kernel) TaskletDisable(t *Tasklet) {
	t.count++
	if t.state&TaskletStateRun != 0 {
		k.MightSleep(SiteWaitVarEvent, append(append([]string(nil), waitVarFrames...), "tasklet_unlock_wait+0x5c/0x90")...)
	}
}

// TaskletEnable mirrors tasklet_enable(t). As on Linux, an unbalanced
// enable makes the count negative, and the tasklet never runs again.
func (k *Kernel) TaskletEnable(t *Tasklet) { t.count-- }

// TaskletKill mirrors tasklet_kill(t): make sure the tasklet is neither
// scheduled nor running. A scheduled tasklet is waited for: the caller
// sleeps, which lets ksoftirqd run it. A disabled one never runs, so the
// wait never ends (a classic hang at rmmod), reported as Linux's hung-task
// detector does. From interrupt context Linux first complains, then
// sleeps where it must not.
func (k *Kernel) TaskletKill(t *Tasklet) error {
	if k.InInterrupt() {
		k.printk(LogNotice, "softirq: Attempt to kill tasklet from interrupt\n")
	}
	if t.state&TaskletStateSched == 0 {
		return nil
	}
	k.MightSleep(SiteWaitVarEvent, append(append([]string(nil), waitVarFrames...), "tasklet_kill+0x37/0x60")...)
	if !k.MaySleep() {
		// Unlike Linux, which would now schedule away from atomic
		// context, kernelsim takes the tasklet off its list.
		k.dequeueTasklet(t)
		return nil
	}
	for range maxDeferredPasses {
		if t.state&TaskletStateSched == 0 || k.irq.softirq.pending == 0 {
			break
		}
		if err := k.RunPendingSoftirqs(); err != nil {
			return err
		}
	}
	if t.state&TaskletStateSched != 0 {
		return k.hungTask(append(append([]string(nil), blockedFrames...), "tasklet_kill+0x4d/0x60"))
	}
	return nil
}

// dequeueTasklet removes t from whichever list holds it and clears SCHED.
func (k *Kernel) dequeueTasklet(t *Tasklet) {
	for _, l := range []*taskletList{&k.irq.softirq.hiVec, &k.irq.softirq.vec} {
		for i, q := range l.list {
			if q == t {
				l.list = append(l.list[:i:i], l.list[i+1:]...)
				break
			}
		}
	}
	t.state &^= TaskletStateSched
}

// pendingTasklets lists the queued tasklets, HI list first.
func (k *Kernel) pendingTasklets() []Pending {
	var out []Pending
	for _, l := range []*taskletList{&k.irq.softirq.hiVec, &k.irq.softirq.vec} {
		for _, t := range l.list {
			p := Pending{Kind: "tasklet", Func: t.cb.Func, Module: t.cb.Module, Detail: "scheduled", Site: t.site}
			if t.hi {
				p.Kind = "hi-tasklet"
			}
			if t.count != 0 {
				p.Detail = "scheduled, disabled"
			}
			out = append(out, p)
		}
	}
	return out
}
