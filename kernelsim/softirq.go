package kernelsim

import (
	"fmt"
	"strings"
)

// Softirqs (kernel/softirq.c).
//
// A hardirq handler must be short: interrupts are off while it runs. Work
// that can wait a little is "raised" as a softirq, a bit in a per-CPU
// pending mask, and done later with interrupts on, still in interrupt
// context: on the way out of the hardirq (irq_exit), when bottom halves are
// re-enabled (local_bh_enable), or, when softirqs were raised from process
// context or keep coming back, in the per-CPU thread ksoftirqd. There are
// ten vectors, run in priority order; tasklets and timers are built on
// them.

// Softirq vectors (include/linux/interrupt.h), in priority order.
const (
	HISoftirq = iota
	TimerSoftirq
	NetTxSoftirq
	NetRxSoftirq
	BlockSoftirq
	IRQPollSoftirq
	TaskletSoftirq
	SchedSoftirq
	HrtimerSoftirq
	RCUSoftirq
	NRSoftirqs
)

// SoftirqNames are the vectors' names as /proc/softirqs prints them.
var SoftirqNames = [NRSoftirqs]string{"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"}

// maxSoftirqRestart mirrors MAX_SOFTIRQ_RESTART: __do_softirq re-checks the
// pending mask this many times before leaving the rest to ksoftirqd.
const maxSoftirqRestart = 10

// irqState holds pending softirqs, tasklets, timers, work and irq handlers.
type irqState struct {
	softirq softirqState // softirq.go, tasklet.go
	timers  timerBase    // timer.go
	wq      workqueue    // workqueue.go
	descs   []irqDesc    // irq.go
}

// softirqState mirrors the per-CPU softirq state of CPU 0.
type softirqState struct {
	pending uint32             // local_softirq_pending()
	counts  [NRSoftirqs]uint64 // kstat_softirqs_cpu, /proc/softirqs
	vec     taskletList        // tasklet_vec
	hiVec   taskletList        // tasklet_hi_vec
}

// RaiseSoftirq mirrors raise_softirq(nr): mark vector nr pending. Raised
// outside interrupt context it wakes ksoftirqd/0, which runs at the next
// deterministic point (RunDeferred); raised in a hardirq handler it runs
// at irq_exit. A vector number out of range is ignored.
func (k *Kernel) RaiseSoftirq(nr int) {
	if nr < 0 || nr >= NRSoftirqs {
		return
	}
	flags := k.LocalIrqSave()
	k.raiseSoftirqIrqoff(nr)
	k.LocalIrqRestore(flags)
}

// raiseSoftirqIrqoff mirrors raise_softirq_irqoff(). Unlike Linux, waking
// ksoftirqd needs no flag: RunDeferred runs whatever is pending.
func (k *Kernel) raiseSoftirqIrqoff(nr int) {
	k.irq.softirq.pending |= 1 << nr
}

// SoftirqPending mirrors local_softirq_pending().
func (k *Kernel) SoftirqPending() uint32 { return k.irq.softirq.pending }

// RunPendingSoftirqs runs the pending softirqs in ksoftirqd/0, as
// run_ksoftirqd() does for softirqs raised from process context (a
// tasklet_schedule in a module's init, in a syscall). The runtime calls it,
// through RunDeferred, after each syscall and shell step.
func (k *Kernel) RunPendingSoftirqs() error {
	if k.irq.softirq.pending == 0 {
		return nil
	}
	t := &k.sched.ksoftirqd
	t.entry = ksoftirqdFrames
	k.tick(30_000) // wake_up_process(ksoftirqd) and the context switch
	// ksoftirqd_run_begin() disables interrupts; __do_softirq enables them.
	return k.runAs(t, cpuState{irqsOff: true}, k.doSoftirq)
}

// irqExit mirrors irq_exit() (kernel/softirq.c:__irq_exit_rcu): leave
// hardirq context and, if that leaves the CPU outside any interrupt
// context with softirqs pending, run them on the interrupt stack
// (invoke_softirq). exitFrames is the interrupt's exit path.
func (k *Kernel) irqExit(exitFrames []string) error {
	k.sched.cpu.preemptCount -= HardirqOffset
	if k.InInterrupt() || k.irq.softirq.pending == 0 {
		return nil
	}
	return k.withEntry(exitFrames, k.doSoftirq)
}

// doSoftirqOwnStack mirrors do_softirq() from process context
// (local_bh_enable): x86 switches to the interrupt stack to run them.
func (k *Kernel) doSoftirqOwnStack() error {
	frames := append(append([]string(nil), bhEnableFrames...), k.outerScriptFrames()...)
	saved := k.sched.cpu
	defer func() { k.sched.cpu = saved }()
	k.sched.cpu.irqStack = true
	k.sched.cpu.irqsOff = true
	return k.withEntry(frames, k.doSoftirq)
}

// doSoftirq mirrors __do_softirq(): with SOFTIRQ_OFFSET added to
// preempt_count and interrupts on, run every pending vector in priority
// order; repeat while new ones were raised, at most maxSoftirqRestart
// times, then leave the rest pending (for ksoftirqd). It returns with the
// caller's context restored, even on error; vectors not yet run when a
// handler fails stay pending.
func (k *Kernel) doSoftirq() error {
	saved := k.sched.cpu
	defer func() { k.sched.cpu = saved }()
	k.sched.cpu.preemptCount += SoftirqOffset
	for restart := maxSoftirqRestart; restart > 0; restart-- {
		pending := k.irq.softirq.pending
		k.irq.softirq.pending = 0
		k.sched.cpu.irqsOff = false
		for nr := 0; nr < NRSoftirqs; nr++ {
			if pending&(1<<nr) == 0 {
				continue
			}
			pending &^= 1 << nr
			k.irq.softirq.counts[nr]++
			prev := k.PreemptCount()
			if err := k.softirqAction(nr); err != nil {
				k.irq.softirq.pending |= pending
				return err
			}
			k.checkSoftirqLeak(nr, prev)
		}
		k.sched.cpu.irqsOff = true
		if k.irq.softirq.pending == 0 {
			break
		}
	}
	return nil
}

// softirqActionAddr are the addresses of the vectors' handlers in the
// kernel text, for the %p of the leak message.
var softirqActionAddr = [NRSoftirqs]Addr{
	0xffffffff8e2a6e40, 0xffffffff8e33a4b0, 0xffffffff8ecb1ed0, 0xffffffff8ecb2d20, 0xffffffff8e7d8c10,
	0xffffffff8e7f3550, 0xffffffff8e2a6e00, 0xffffffff8e2f0e70, 0xffffffff8e3475a0, 0xffffffff8e30ca80,
}

// checkSoftirqLeak mirrors __do_softirq's check that a handler gave back
// what it took: a tasklet or timer that returns holding a spinlock leaves
// preempt_count raised, which Linux reports and repairs. Unlike Linux,
// where call_timer_fn first WARNs about a timer's own leak ("timer: %pS
// preempt leak"), kernelsim prints this message for timers too.
func (k *Kernel) checkSoftirqLeak(nr int, prev uint32) {
	if now := k.PreemptCount(); now != prev {
		k.printk(LogErr, "softirq: huh, entered softirq %d %s %s with preempt_count %08x, exited with %08x?\n",
			nr, SoftirqNames[nr], k.hashedPtr(softirqActionAddr[nr]), prev, now)
		k.sched.cpu.preemptCount = prev
		k.sched.cpu.irqsOff = false
	}
}

// softirqAction mirrors the softirq_vec table that open_softirq() fills:
// the handler of each vector. Vectors kernelsim does not simulate
// (networking, block, RCU) have nothing to do.
func (k *Kernel) softirqAction(nr int) error {
	switch nr {
	case HISoftirq:
		return k.taskletAction(&k.irq.softirq.hiVec, HISoftirq)
	case TimerSoftirq:
		return k.runTimerSoftirq()
	case TaskletSoftirq:
		return k.taskletAction(&k.irq.softirq.vec, TaskletSoftirq)
	}
	return nil
}

// SoftirqCounts returns how many times each vector has run on CPU 0
// (/proc/softirqs).
func (k *Kernel) SoftirqCounts() [NRSoftirqs]uint64 { return k.irq.softirq.counts }

// bootSoftirqCounts are the per-vector counts on CPU 0 and CPU 1 of a
// Debian 12 VM at a shell prompt a few seconds after boot; the simulation
// adds what it runs to CPU 0's.
var bootSoftirqCounts = [NRSoftirqs][2]uint64{
	{0, 1}, {412, 388}, {2, 0}, {61, 47}, {118, 96},
	{0, 0}, {7, 3}, {590, 533}, {0, 0}, {1021, 986},
}

// procSoftirqs mirrors show_softirqs() (fs/proc/softirqs.c).
func (k *Kernel) procSoftirqs() string {
	var b strings.Builder
	b.WriteString("                    ")
	for cpu := 0; cpu < 2; cpu++ {
		fmt.Fprintf(&b, "CPU%-8d", cpu)
	}
	b.WriteString("\n")
	for nr, name := range SoftirqNames {
		c := bootSoftirqCounts[nr]
		fmt.Fprintf(&b, "%12s: %10d %10d\n", name, c[0]+k.irq.softirq.counts[nr], c[1])
	}
	return b.String()
}
