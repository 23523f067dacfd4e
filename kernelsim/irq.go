package kernelsim

import (
	"fmt"
	"strings"
)

// Hardware interrupts (kernel/irq/manage.c, kernel/irq/handle.c,
// kernel/irq/proc.c).
//
// A device signals the CPU on an interrupt line; the CPU stops whatever it
// was doing — any task, in user or kernel mode, unless interrupts are
// disabled — and runs the handlers registered for that line with
// request_irq(), in hardirq context: preempt_count gains HARDIRQ_OFFSET and
// interrupts stay disabled until the handler returns. A handler must be
// quick and must never sleep; it acknowledges the device and defers the
// rest (a tasklet, a work item). On the way out, irq_exit() runs the
// softirqs the handler raised.
//
// The simulated machine is a QEMU i440FX PC: 24 IO-APIC lines, of which
// the legacy devices already use some, as /proc/interrupts shows on Debian.

// nrIRQs is the number of interrupt lines: the IO-APIC's 24 pins.
const nrIRQs = 24

// Request flags (include/linux/interrupt.h).
const (
	IRQFTriggerRising  uint64 = 0x00000001
	IRQFTriggerFalling uint64 = 0x00000002
	IRQFTriggerHigh    uint64 = 0x00000004
	IRQFTriggerLow     uint64 = 0x00000008
	IRQFShared         uint64 = 0x00000080
	IRQFProbeShared    uint64 = 0x00000100
	IRQFTimer          uint64 = 0x00000200 | IRQFNoSuspend | IRQFNoThread
	IRQFPercpu         uint64 = 0x00000400
	IRQFNoBalancing    uint64 = 0x00000800
	IRQFIRQPoll        uint64 = 0x00001000
	IRQFOneshot        uint64 = 0x00002000
	IRQFNoSuspend      uint64 = 0x00004000
	IRQFNoThread       uint64 = 0x00010000
)

// IRQReturn mirrors irqreturn_t.
type IRQReturn int

// The values a handler returns.
const (
	IRQNone       IRQReturn = 0 // IRQ_NONE: not my device
	IRQHandled    IRQReturn = 1 // IRQ_HANDLED
	IRQWakeThread IRQReturn = 2 // IRQ_WAKE_THREAD
)

// IRQHandler is an interrupt handler the embedder built around a script
// function; Fn receives nothing (the closure passes irq and dev_id).
type IRQHandler struct {
	Func   string
	Module string
	Fn     func() (IRQReturn, error)
}

// irqAction mirrors struct irqaction: one handler on a line.
type irqAction struct {
	handler IRQHandler
	flags   uint64
	name    string
	devID   uint64 // dev_id, compared by value as Linux compares the pointer
	builtin bool   // registered by a built-in driver at boot
	site    Frame  // where request_irq was called (kscript's record, for reports)
}

// irqDesc mirrors struct irq_desc: a line's handlers and statistics.
type irqDesc struct {
	actions []*irqAction
	count   uint64 // kstat_irqs on CPU 0
	hwirq   int    // IO-APIC pin
	flow    string // "edge" or "fasteoi": the flow handler's name
}

// bootIRQ registers the interrupt lines and the built-in drivers' handlers
// that Debian 12 in QEMU has at a shell prompt, with their boot counts.
func (k *Kernel) bootIRQ() {
	k.irq.descs = make([]irqDesc, nrIRQs)
	for i := range k.irq.descs {
		k.irq.descs[i] = irqDesc{hwirq: i, flow: "edge"}
	}
	k.irq.descs[0].hwirq = 2 // the PIT is wired to IO-APIC pin 2
	k.irq.descs[9].flow = "fasteoi"
	for _, b := range []struct {
		irq   int
		flags uint64
		name  string
		count uint64
	}{
		{0, IRQFNoBalancing | IRQFIRQPoll | IRQFTimer, "timer", 36},
		{1, IRQFShared, "i8042", 9},
		{4, 0, "ttyS0", 0},
		{8, 0, "rtc0", 0},
		{9, IRQFShared, "acpi", 0},
		{12, IRQFShared, "i8042", 15},
		{14, IRQFShared, "ata_piix", 0},
		{15, IRQFShared, "ata_piix", 114},
	} {
		d := &k.irq.descs[b.irq]
		d.count = b.count
		d.actions = append(d.actions, &irqAction{
			handler: IRQHandler{Func: b.name + "_interrupt", Fn: builtinIRQHandler},
			flags:   b.flags, name: b.name, devID: 0xffff888003000000 + uint64(b.irq)*0x400, builtin: true,
		})
	}
}

// builtinIRQHandler stands for the handlers of the devices a booted
// machine has: they never see an interrupt of theirs in the simulation. A
// plain function, not a closure, so that a copied kernel (kclone) holds no
// function value bound to another kernel.
func builtinIRQHandler() (IRQReturn, error) { return IRQNone, nil }

// RequestIRQ mirrors request_irq(irq, handler, flags, name, dev) →
// request_threaded_irq → __setup_irq: 0, or -EINVAL (no such line, no
// handler, a shared request without dev_id), or -EBUSY (the line is taken
// and not both requests say IRQF_SHARED, after printing genirq's "Flags
// mismatch" line). It allocates its irqaction with GFP_KERNEL, so it may
// sleep.
func (k *Kernel) RequestIRQ(irq int, h IRQHandler, flags uint64, name string, devID uint64) int {
	if irq < 0 || irq >= nrIRQs || h.Fn == nil || (flags&IRQFShared != 0 && devID == 0) {
		return -int(EINVAL)
	}
	k.MightAlloc(GFP_KERNEL, "__kmem_cache_alloc_node+0x15d/0x2b0", "kmalloc_trace+0x26/0x90", "request_threaded_irq+0x8a/0x190")
	d := &k.irq.descs[irq]
	if len(d.actions) > 0 {
		old := d.actions[0]
		if old.flags&flags&IRQFShared == 0 {
			if flags&IRQFProbeShared == 0 {
				k.printk(LogErr, "genirq: Flags mismatch irq %d. %08x (%s) vs. %08x (%s)\n", irq, flags, name, old.flags, old.name)
			}
			return -int(EBUSY)
		}
	}
	d.actions = append(d.actions, &irqAction{handler: h, flags: flags, name: name, devID: devID, site: k.callSite()})
	return 0
}

// FreeIRQ mirrors free_irq(irq, dev_id): remove the handler registered
// with dev_id and return its name (the devname free_irq returns). Freeing
// a handler that is not there is a bug Linux WARNs about; ok is then false.
// free_irq takes a mutex, so it may sleep. Unlike Linux, a call from
// interrupt context gets no "Trying to free IRQ %d from IRQ context!" WARN
// of its own, only the mutex's sleeping report.
func (k *Kernel) FreeIRQ(irq int, devID uint64) (name string, ok bool) {
	// __free_irq() is inlined into free_irq() in Debian's 6.1 build.
	k.MightSleep(SiteMutexLock, "mutex_lock+0x1a/0x40", "free_irq+0x64/0x340")
	if irq < 0 || irq >= nrIRQs {
		return "", false
	}
	d := &k.irq.descs[irq]
	for i, a := range d.actions {
		if a.devID == devID && !a.builtin {
			d.actions = append(d.actions[:i:i], d.actions[i+1:]...)
			return a.name, true
		}
	}
	// Line and RIP of Debian's 6.1 build (its __bug_table).
	k.ctxWarn("kernel/irq/manage.c:1887", "free_irq+0x1d3/0x340",
		fmt.Sprintf("Trying to free already-free IRQ %d", irq))
	return "", false
}

// RaiseIRQ is the "irq N" step: interrupt line irq fires while the CPU is
// idle. Every handler on the line runs in hardirq context (interrupts
// off, preempt_count HARDIRQ_OFFSET on top of the idle task's 1), then
// irq_exit runs the softirqs they raised. A line with no handler is masked
// at the IO-APIC: nothing happens. An error is returned for a line that
// does not exist, or from a failing handler (an Oops in interrupt context,
// which Linux turns into a panic).
func (k *Kernel) RaiseIRQ(irq int) error {
	if irq < 0 || irq >= nrIRQs {
		return fmt.Errorf("irq %d: no such interrupt line, want 0-%d", irq, nrIRQs-1)
	}
	d := &k.irq.descs[irq]
	if len(d.actions) == 0 {
		return nil
	}
	return k.runAs(&k.sched.idle, cpuState{preemptCount: PreemptOffset + HardirqOffset, irqsOff: true, irqStack: true}, func() error {
		d.count++
		k.tick(1_500)
		if err := k.withEntry(hardirqFrames, func() error { return k.handleIRQEvent(d) }); err != nil {
			return err
		}
		return k.irqExit(deviceIRQExitFrames)
	})
}

// handleIRQEvent mirrors __handle_irq_event_percpu(): call every action.
func (k *Kernel) handleIRQEvent(d *irqDesc) error {
	for _, a := range append([]*irqAction(nil), d.actions...) {
		if gone, err := k.callGone(a.handler.Module, a.handler.Func); gone { // module_gone.go
			return err
		}
		if _, err := a.handler.Fn(); err != nil {
			return err
		}
	}
	return nil
}

// IRQCount returns how many times line irq has fired on CPU 0.
func (k *Kernel) IRQCount(irq int) uint64 {
	if irq < 0 || irq >= nrIRQs {
		return 0
	}
	return k.irq.descs[irq].count
}

// pendingIRQs lists the handlers modules have registered.
func (k *Kernel) pendingIRQs() []Pending {
	var out []Pending
	for irq := range k.irq.descs {
		for _, a := range k.irq.descs[irq].actions {
			if !a.builtin {
				out = append(out, Pending{Kind: "irq", Func: a.handler.Func, Module: a.handler.Module,
					Detail: fmt.Sprintf("irq %d (%s)", irq, a.name), Site: a.site})
			}
		}
	}
	return out
}

// procInterrupts mirrors show_interrupts() (kernel/irq/proc.c) and x86's
// arch_show_interrupts for the two CPUs: lines with handlers, or that have
// fired, then the architecture's counters. Unlike Linux, only the lines
// counters kernelsim simulates are non-zero, and the list of per-CPU
// architecture counters is shortened to NMI, LOC, ERR and MIS.
func (k *Kernel) procInterrupts() string {
	var b strings.Builder
	const prec = 3
	fmt.Fprintf(&b, "%*s", prec+8, "")
	for cpu := 0; cpu < 2; cpu++ {
		fmt.Fprintf(&b, "CPU%-8d", cpu)
	}
	b.WriteString("\n")
	for irq, d := range k.irq.descs {
		if len(d.actions) == 0 && d.count == 0 {
			continue
		}
		fmt.Fprintf(&b, "%*d: %10d %10d  %8s %*d-%-8s", prec, irq, d.count, 0, "IO-APIC", prec, d.hwirq, d.flow)
		for i, a := range d.actions {
			sep := "  "
			if i > 0 {
				sep = ", "
			}
			b.WriteString(sep + a.name)
		}
		b.WriteString("\n")
	}
	loc := (k.Jiffies() - InitialJiffies) / 4
	fmt.Fprintf(&b, "%*s: %10d %10d   Non-maskable interrupts\n", prec, "NMI", 0, 0)
	fmt.Fprintf(&b, "%*s: %10d %10d   Local timer interrupts\n", prec, "LOC", loc, loc*9/10)
	fmt.Fprintf(&b, "%*s: %10d\n", prec, "ERR", 0)
	fmt.Fprintf(&b, "%*s: %10d\n", prec, "MIS", 0)
	return b.String()
}
