package kernelsim

// Execution contexts.
//
// Linux keeps one word per CPU, preempt_count, that says what kind of code
// the CPU is running (include/linux/preempt.h):
//
//	         PREEMPT_MASK: 0x000000ff  preempt_disable() depth (spinlocks)
//	         SOFTIRQ_MASK: 0x0000ff00  softirq: serving (0x100), bh disabled (0x200 each)
//	         HARDIRQ_MASK: 0x000f0000  hardirq nesting
//	             NMI_MASK: 0x00f00000  NMI nesting
//
// Code runs in "process context" when the count is zero: it belongs to the
// current task, and it may sleep. Anything else is "atomic": a softirq
// (tasklets, timers) or a hardirq handler borrows whatever task the CPU was
// running, and a spinlock holder must not give up the CPU, so none of them
// may sleep. Interrupts being disabled (local_irq_save, spin_lock_irqsave) is
// a separate flag with the same consequence.
//
// kernelsim simulates one CPU (CPU 0) running everything; its preempt_count
// and interrupt flag live in schedState.

// The preempt_count layout of include/linux/preempt.h.
const (
	PreemptMask          uint32 = 0x000000ff
	SoftirqMask          uint32 = 0x0000ff00
	HardirqMask          uint32 = 0x000f0000
	NMIMask              uint32 = 0x00f00000
	PreemptOffset        uint32 = 0x00000001 // PREEMPT_OFFSET: one preempt_disable()
	SoftirqOffset        uint32 = 0x00000100 // SOFTIRQ_OFFSET: serving a softirq
	SoftirqDisableOffset uint32 = 0x00000200 // SOFTIRQ_DISABLE_OFFSET: one local_bh_disable()
	HardirqOffset        uint32 = 0x00010000 // HARDIRQ_OFFSET: in a hardirq handler
	NMIOffset            uint32 = 0x00100000 // NMI_OFFSET
)

// eflagsIF is the interrupt-enable bit of x86's EFLAGS; local_irq_save()
// returns the whole register, 0x246 being its usual value with interrupts on.
const (
	eflagsIF      = 0x200
	eflagsIRQOn   = 0x246
	eflagsIRQsOff = eflagsIRQOn &^ eflagsIF
)

// cpuState is what Linux keeps per CPU about the code running on it:
// preempt_count, the interrupt flag (EFLAGS.IF) and which stack it runs on.
type cpuState struct {
	preemptCount uint32
	irqsOff      bool
	// irqStack is set while the CPU runs hardirq or softirq code on the
	// per-CPU interrupt stack: call traces then open with <IRQ>.
	irqStack bool
	// work is the work item the kworker is executing, for dump_stack's
	// "Workqueue:" line; nil otherwise.
	work *Work
}

// PreemptCount mirrors preempt_count().
func (k *Kernel) PreemptCount() uint32 { return k.sched.cpu.preemptCount }

// IrqsDisabled mirrors irqs_disabled().
func (k *Kernel) IrqsDisabled() bool { return k.sched.cpu.irqsOff }

// InNMI mirrors in_nmi().
func (k *Kernel) InNMI() bool { return k.PreemptCount()&NMIMask != 0 }

// InHardirq mirrors in_hardirq() (formerly in_irq()): running a hardirq handler.
func (k *Kernel) InHardirq() bool { return k.PreemptCount()&HardirqMask != 0 }

// InServingSoftirq mirrors in_serving_softirq(): running a softirq handler
// (a tasklet, a timer callback).
func (k *Kernel) InServingSoftirq() bool { return k.PreemptCount()&SoftirqOffset != 0 }

// InSoftirq mirrors in_softirq(): serving a softirq *or* with bottom halves
// disabled (local_bh_disable, spin_lock_bh), as Linux defines it.
func (k *Kernel) InSoftirq() bool { return k.PreemptCount()&SoftirqMask != 0 }

// InInterrupt mirrors in_interrupt(): any of NMI, hardirq or softirq count
// set — which, as in Linux, includes code that merely disabled bottom halves.
func (k *Kernel) InInterrupt() bool {
	return k.PreemptCount()&(NMIMask|HardirqMask|SoftirqMask) != 0
}

// InAtomic mirrors in_atomic(): preempt_count() != 0. As in Linux,
// disabled interrupts do not count here; __might_resched (MightSleep)
// checks both.
func (k *Kernel) InAtomic() bool { return k.PreemptCount() != 0 }

// InTask mirrors in_task(): process context, i.e. not in an NMI, a hardirq
// or a softirq handler (bottom halves may be disabled).
func (k *Kernel) InTask() bool {
	return k.PreemptCount()&(NMIMask|HardirqMask|SoftirqOffset) == 0
}

// ContextName names the current execution context for the runtime's call
// record and for explanations: "hardirq", "softirq", "atomic" (process
// context that may not sleep: a spinlock held, interrupts or bottom halves
// disabled) or "process". Between steps (see simulatorContext) it is
// "process".
func (k *Kernel) ContextName() string {
	return [...]string{"process", "softirq", "hardirq", "atomic"}[k.ContextKind()]
}

// Execution contexts, as ContextKind returns them.
const (
	ContextProcess = iota
	ContextSoftirq
	ContextHardirq
	ContextAtomic
)

// ContextKind is ContextName as one of the Context* constants.
func (k *Kernel) ContextKind() int {
	switch {
	case k.simulatorContext():
		return ContextProcess
	case k.InNMI() || k.InHardirq():
		return ContextHardirq
	case k.InServingSoftirq():
		return ContextSoftirq
	case k.PreemptCount() != 0 || k.IrqsDisabled():
		return ContextAtomic
	}
	return ContextProcess
}

// MaySleep reports whether code may sleep here: process context with
// nothing that forbids it. It is what __might_resched checks.
func (k *Kernel) MaySleep() bool {
	t := k.Current()
	return k.PreemptCount() == 0 && !k.IrqsDisabled() && t.rcuDepth == 0 && !t.idle
}

// simulatorContext reports whether no simulated kernel code is running:
// during boot (Linux's SYSTEM_BOOTING, when __might_resched stays quiet),
// or between steps, when the CPU rests in the idle task and only the
// simulator itself acts (setting up a scenario, the pressure step). Unlike
// Linux, where the idle task never allocates, kernelsim lets the simulator
// use the kernel's own functions there without context reports.
func (k *Kernel) simulatorContext() bool {
	t := k.sched.current
	return t == nil || (t.idle && k.PreemptCount() == PreemptOffset && !k.IrqsDisabled())
}

// PreemptDisable mirrors preempt_disable().
func (k *Kernel) PreemptDisable() { k.sched.cpu.preemptCount += PreemptOffset }

// PreemptEnable mirrors preempt_enable(). Unlike Linux, where an unbalanced
// call silently underflows the count (CONFIG_DEBUG_PREEMPT is off on
// Debian), kernelsim never lets the preemption depth go below zero.
func (k *Kernel) PreemptEnable() {
	if k.sched.cpu.preemptCount&PreemptMask != 0 {
		k.sched.cpu.preemptCount -= PreemptOffset
	}
}

// LocalIrqSave mirrors local_irq_save(flags): disable interrupts and return
// the previous EFLAGS (0x246 when they were on, 0x46 when off).
func (k *Kernel) LocalIrqSave() uint64 {
	flags := uint64(eflagsIRQOn)
	if k.sched.cpu.irqsOff {
		flags = eflagsIRQsOff
	}
	k.sched.cpu.irqsOff = true
	return flags
}

// LocalIrqRestore mirrors local_irq_restore(flags).
func (k *Kernel) LocalIrqRestore(flags uint64) { k.sched.cpu.irqsOff = flags&eflagsIF == 0 }

// LocalIrqDisable mirrors local_irq_disable().
func (k *Kernel) LocalIrqDisable() { k.sched.cpu.irqsOff = true }

// LocalIrqEnable mirrors local_irq_enable().
func (k *Kernel) LocalIrqEnable() { k.sched.cpu.irqsOff = false }

// LocalBhDisable mirrors local_bh_disable(): softirqs cannot run on this
// CPU until the matching LocalBhEnable.
func (k *Kernel) LocalBhDisable() { k.sched.cpu.preemptCount += SoftirqDisableOffset }

// LocalBhEnable mirrors local_bh_enable() (kernel/softirq.c:__local_bh_enable_ip):
// when this re-enables bottom halves in process context and softirqs are
// pending, they run at once, on the interrupt stack, before it returns.
func (k *Kernel) LocalBhEnable() error {
	if k.sched.cpu.preemptCount&SoftirqMask < SoftirqDisableOffset {
		return nil // unbalanced: see PreemptEnable
	}
	k.sched.cpu.preemptCount -= SoftirqDisableOffset
	if k.InInterrupt() || k.IrqsDisabled() || k.irq.softirq.pending == 0 {
		return nil
	}
	return k.doSoftirqOwnStack()
}

// RCUReadLock mirrors rcu_read_lock() on a CONFIG_PREEMPT_RCU kernel such as
// Debian's: it does not touch preempt_count but counts a nesting depth in
// the task, which __might_resched reports ("RCU nest depth").
func (k *Kernel) RCUReadLock() { k.Current().rcuDepth++ }

// RCUReadUnlock mirrors rcu_read_unlock().
func (k *Kernel) RCUReadUnlock() {
	if t := k.Current(); t.rcuDepth > 0 {
		t.rcuDepth--
	}
}
