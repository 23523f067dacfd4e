package kernelsim

// Task mirrors the parts of Linux's struct task_struct (include/linux/sched.h)
// that reports and user programs need: pid, comm and, for user processes, the
// address space.
type Task struct {
	PID  int
	Comm string // at most 15 bytes, as TASK_COMM_LEN-1
	UID  int    // 0 for root; user programs run as an ordinary user (1000)
	// entry is the kernel call path that led from user space into the code
	// now running (the syscall path: do_syscall_64, __do_sys_finit_module,
	// load_module, ...), outermost last; dump_stack prints it below the
	// script frames.
	entry []string
}

// schedState holds current, the pid allocator and the execution context
// (preempt_count and friends).
type schedState struct {
	current *Task
	nextPID int
	idle    Task // swapper/0: the task softirqs interrupt when nothing runs
}

// firstPID is the pid the first simulated command gets: a Debian VM has a
// few hundred tasks by the time a user types at a shell.
const firstPID = 1203

func (k *Kernel) bootSched() error {
	k.sched.nextPID = firstPID
	k.sched.idle = Task{PID: 0, Comm: "swapper/0"}
	k.sched.current = &k.sched.idle
	return nil
}

// NewTask mirrors fork+exec of a command named comm: a new pid, comm
// truncated to 15 bytes as TASK_COMM_LEN does.
func (k *Kernel) NewTask(comm string, uid int) *Task {
	if len(comm) > 15 {
		comm = comm[:15]
	}
	t := &Task{PID: k.sched.nextPID, Comm: comm, UID: uid}
	k.sched.nextPID += 1 + k.rng.IntN(3)
	return t
}

// Current mirrors the current macro: the task whose context code runs in.
func (k *Kernel) Current() *Task { return k.sched.current }

// RunTask runs fn with t as current, entered through the kernel call path
// entry (outermost last, as a call trace lists it), then restores the previous
// current task. It returns fn's error.
func (k *Kernel) RunTask(t *Task, entry []string, fn func() error) error {
	prev, prevEntry := k.sched.current, t.entry
	k.sched.current, t.entry = t, entry
	defer func() { k.sched.current, t.entry = prev, prevEntry }()
	return fn()
}
