package kernelsim

// Task mirrors the parts of Linux's struct task_struct (include/linux/sched.h)
// that reports and user programs need: pid, comm and, for user processes, the
// address space.
type Task struct {
	PID  int
	Comm string // at most 15 bytes, as TASK_COMM_LEN-1
	UID  int    // 0 for root; user programs run as an ordinary user (1000)
	PPID int    // the parent's pid, for hung-task reports; 0 means the shell
	// entry is the kernel call path that led from user space into the code
	// now running (the syscall path: do_syscall_64, __do_sys_finit_module,
	// load_module, ...), outermost last; dump_stack prints it below the
	// script frames.
	entry []string

	// kthread marks kernel threads (ksoftirqd, kworker): PF_KTHREAD.
	kthread bool
	// idle marks the idle task swapper/0, is_idle_task(). The idle loop
	// runs with preemption disabled, so its preempt_count is 1, and
	// __might_resched complains about any sleep in it.
	idle bool
	// rcuDepth mirrors current->rcu_read_lock_nesting (CONFIG_PREEMPT_RCU).
	rcuDepth int
}

// schedState holds current, the pid allocator, the CPU's execution context
// (preempt_count and friends) and the kernel threads that run deferred work.
type schedState struct {
	current *Task
	nextPID int
	idle    Task // swapper/0: the task softirqs interrupt when nothing runs
	cpu     cpuState

	ksoftirqd Task // ksoftirqd/0: runs softirqs raised from process context
	kworker   Task // kworker/0:1: runs the system workqueue's work items

	// mightPrevJiffy is __might_resched's static prev_jiffy: reports are
	// rate-limited to one per second (HZ jiffies), machine-wide.
	mightPrevJiffy uint64

	// oopsCount mirrors die_counter, the "[#N]" of Oops lines.
	oopsCount int
}

// firstPID is the pid the first simulated command gets: a Debian VM has a
// few hundred tasks by the time a user types at a shell.
const firstPID = 1203

// shellPID is the pid of the root shell the scenario's commands are typed
// into; commands are its children.
const shellPID = 1187

// The pids of the kernel threads kernelsim runs deferred work in, as a
// 2-CPU Debian 12 VM numbers them at boot (ksoftirqd/0 is the 14th task
// created; kworker/0:1 comes a little later).
const (
	ksoftirqdPID = 14
	kworkerPID   = 37
)

func (k *Kernel) bootSched() error {
	k.sched.nextPID = firstPID
	k.sched.idle = Task{PID: 0, Comm: "swapper/0", idle: true, kthread: true, entry: idleFrames}
	k.sched.ksoftirqd = Task{PID: ksoftirqdPID, Comm: "ksoftirqd/0", kthread: true, PPID: 2}
	k.sched.kworker = Task{PID: kworkerPID, Comm: "kworker/0:1", kthread: true, PPID: 2}
	k.sched.current = &k.sched.idle
	k.sched.cpu = cpuState{preemptCount: k.sched.idle.preemptBase()}
	k.bootIRQ()
	return nil
}

// preemptBase is the preempt_count a task runs with when it holds nothing:
// 0, except for the idle task, whose loop keeps preemption disabled.
func (t *Task) preemptBase() uint32 {
	if t.idle {
		return PreemptOffset
	}
	return 0
}

// NewTask mirrors fork+exec of a command named comm: a new pid, comm
// truncated to 15 bytes as TASK_COMM_LEN does.
func (k *Kernel) NewTask(comm string, uid int) *Task {
	if len(comm) > 15 {
		comm = comm[:15]
	}
	t := &Task{PID: k.sched.nextPID, Comm: comm, UID: uid, PPID: shellPID}
	k.sched.nextPID += 1 + k.rng.IntN(3)
	return t
}

// Current mirrors the current macro: the task whose context code runs in.
func (k *Kernel) Current() *Task { return k.sched.current }

// RunTask runs fn with t as current, in process context (preempt_count 0,
// interrupts on), entered through the kernel call path entry (outermost
// last, as a call trace lists it), then restores the previous current task
// and context. It returns fn's error.
//
// When fn returns to user space still holding a spinlock (preempt_count
// not back to 0), the task's next trip through the scheduler on its way
// out reports "BUG: scheduling while atomic", as Linux does; the count is
// then reset, as schedule_debug() resets it. When fn failed with an Oops,
// the task dies instead, and make_task_dead() notes the count.
func (k *Kernel) RunTask(t *Task, entry []string, fn func() error) error {
	prevEntry := t.entry
	t.entry = entry
	defer func() { t.entry = prevEntry }()
	return k.runAs(t, cpuState{preemptCount: t.preemptBase()}, func() error {
		err := fn()
		if k.PreemptCount() != t.preemptBase() && !t.kthread {
			k.leftAtomic(t, err)
		}
		return err
	})
}

// leftAtomic reports a task leaving the kernel in atomic context.
func (k *Kernel) leftAtomic(t *Task, err error) {
	if _, died := err.(*Oops); died {
		k.printk(LogInfo, "note: %s[%d] exited with preempt_count %d\n", t.Comm, t.PID, k.PreemptCount())
	} else {
		t.entry = exitToUserFrames
		k.scheduleBug(scheduleFrames...)
	}
	k.sched.cpu = cpuState{preemptCount: t.preemptBase()}
}

// runAs switches the CPU to task t in context ctx, runs fn, and switches
// back, restoring the previous task and context even when fn fails. It is
// the simulation's context switch (kernel/sched/core.c:context_switch):
// preempt_count is per CPU on x86, but each task gets its own back when it
// runs again.
func (k *Kernel) runAs(t *Task, ctx cpuState, fn func() error) error {
	prev, prevCtx := k.sched.current, k.sched.cpu
	k.sched.current, k.sched.cpu = t, ctx
	defer func() { k.sched.current, k.sched.cpu = prev, prevCtx }()
	return fn()
}

// withEntry runs fn with the current task's entry frames replaced by frames,
// so that a report made inside fn shows how the CPU got there (an interrupt
// entry, a softirq, a worker). The interrupted task's own path follows.
func (k *Kernel) withEntry(frames []string, fn func() error) error {
	t := k.Current()
	prev := t.entry
	t.entry = append(append([]string(nil), frames...), prev...)
	defer func() { t.entry = prev }()
	return fn()
}

// outerScriptFrames formats the script frames of the code now running, for
// a nested context entered on the same task (softirqs run by
// local_bh_enable): its reports must show the interrupted script below the
// kernel frames. The embedder's Stack must return only the innermost
// script invocation's frames, so these are not printed twice.
func (k *Kernel) outerScriptFrames() []string {
	var out []string
	for _, f := range k.stack() {
		out = append(out, FormatFrame(f))
	}
	return out
}

// traceOpener is the marker that opens a call trace: <IRQ> when the CPU is
// on its interrupt stack, else <TASK> (arch/x86/kernel/dumpstack.c
// show_trace_log_lvl prints the name of each stack it walks).
func (k *Kernel) traceOpener() string {
	if k.sched.cpu.irqStack {
		return "<IRQ>"
	}
	return "<TASK>"
}

// printWorkerInfo mirrors print_worker_info() (kernel/workqueue.c), which
// dump_stack calls: a kworker running a work item says which.
func (k *Kernel) printWorkerInfo(level int) {
	if w := k.sched.cpu.work; w != nil && k.Current() == &k.sched.kworker {
		k.printk(level, "Workqueue: events %s\n", w.cb.symbol())
	}
}
