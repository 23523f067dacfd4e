package kernelsim

import "fmt"

// This file holds the warning and Oops printers the slab code needs:
// WARN()/WARN_ON_ONCE() (kernel/panic.c: __warn), the x86 page fault and
// general protection Oopses (arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c)
// and panic(). They print what Linux prints, minus the register dump and
// Code: bytes, which would mean nothing for a simulated CPU.

// slabWARN mirrors WARN(1, msg) / WARN_ON(1) at file:line in function rip
// ("kmem_cache_destroy+0x14d/0x160"): the cut-here line, the message, the
// WARNING line, the modules, the registers' RIP and the call trace; then
// TAINT_WARN.
func (k *Kernel) slabWARN(file string, line int, rip, msg string) {
	t := k.Current()
	k.printk(LogWarning, "------------[ cut here ]------------\n")
	if msg != "" {
		k.printk(LogWarning, "%s\n", msg)
	}
	k.printk(LogWarning, "WARNING: CPU: 0 PID: %d at %s:%d %s\n", t.PID, file, line, rip)
	k.printk(LogWarning, "Modules linked in:%s\n", k.modulesLinkedIn())
	k.showRegsTrace(LogWarning, rip)
	k.printk(LogWarning, "---[ end trace 0000000000000000 ]---\n")
	title := msg
	if title == "" {
		title = fmt.Sprintf("WARNING: CPU: 0 PID: %d at %s:%d %s", t.PID, file, line, rip)
	}
	class := "warning"
	switch {
	case len(msg) > 18 && msg[:18] == "kmem_cache_destroy":
		class = "cache-still-has-objects"
	case len(msg) > 14 && msg[:14] == "cache_from_obj":
		class = "invalid-free"
	}
	k.report(class, title, false)
	k.Taint(TaintWarn)
}

// slabWarnOnce mirrors WARN_ON_ONCE()/WARN_ONCE(): the first time the site
// file:line fires it warns and reports true; afterwards it is silent.
func (k *Kernel) slabWarnOnce(file string, line int, rip, msg string) bool {
	key := fmt.Sprintf("%s:%d", file, line)
	if k.slab.warnedOnce[key] {
		return false
	}
	if k.slab.warnedOnce == nil {
		k.slab.warnedOnce = map[string]bool{}
	}
	k.slab.warnedOnce[key] = true
	k.slabWARN(file, line, rip, msg)
	return true
}

// modulesLinkedIn mirrors print_modules()'s list: " name(OE) ...". The
// module list belongs to module.go; until it offers one, the list is empty.
func (k *Kernel) modulesLinkedIn() string { return "" }

// showRegsTrace prints the part of show_regs() and dump_stack() that means
// something here: the task line, the hardware, RIP, and the call trace.
func (k *Kernel) showRegsTrace(level int, rip string) {
	t := k.Current()
	k.printk(level, "CPU: 0 PID: %d Comm: %s %s %s %s\n", t.PID, t.Comm, k.TaintString(), utsRelease, shortVersion())
	k.printk(level, "Hardware name: %s\n", hardwareStr)
	k.printk(level, "RIP: 0010:%s\n", rip)
	k.printk(level, "Call Trace:\n")
	k.printk(level, " <TASK>\n")
	for _, f := range k.stack() {
		k.printk(level, " %s\n", FormatFrame(f))
	}
	for _, f := range t.entry {
		k.printk(level, " %s\n", f)
	}
	k.printk(level, " </TASK>\n")
}

// structPageOf mirrors virt_to_page() as kfree() and kmem_cache_free() use
// it, on any address: __pa(a) >> PAGE_SHIFT (for an address below the
// kernel text mapping, a - PAGE_OFFSET, wrapping as the CPU does). ok is
// false when that struct page is not backed by memory: reading it faults.
func (k *Kernel) structPageOf(a Addr) (PFN, bool) {
	pfn := physAddrOf(a) >> PageShift
	return PFN(pfn), pfn < uint64(k.MaxPFN()) && k.PFNValid(PFN(pfn))
}

// physAddrOf mirrors __phys_addr_nodebug() with phys_base 0.
func physAddrOf(a Addr) uint64 {
	const startKernelMap Addr = 0xffffffff80000000 // __START_KERNEL_map
	if a >= startKernelMap {
		return uint64(a - startKernelMap)
	}
	return uint64(a - PageOffset)
}

// structPageFaultAddr is the address virt_to_folio(a) faults on: the
// compound_head word of a's struct page.
func structPageFaultAddr(a Addr) Addr {
	return VmemmapBase + Addr(physAddrOf(a)>>PageShift)*StructPageSize + 8
}

// pageFaultOops mirrors page_fault_oops() for a kernel read of an unmapped
// address in function rip.
func (k *Kernel) pageFaultOops(addr Addr, rip string) error {
	title := fmt.Sprintf("BUG: unable to handle page fault for address: %016x", uint64(addr))
	k.printk(LogAlert, "%s\n", title)
	k.printk(LogAlert, "#PF: supervisor read access in kernel mode\n")
	k.printk(LogAlert, "#PF: error_code(0x0000) - not-present page\n")
	k.printk(LogWarning, "PGD 0 P4D 0 \n")
	return k.slabDie("Oops: 0000", rip, "oops", title, fmt.Sprintf("CR2: %016x", uint64(addr)))
}

// nullDerefOops mirrors page_fault_oops() for an access near NULL.
func (k *Kernel) nullDerefOops(addr Addr, rip string) error {
	title := fmt.Sprintf("BUG: kernel NULL pointer dereference, address: %016x", uint64(addr))
	k.printk(LogAlert, "%s\n", title)
	k.printk(LogAlert, "#PF: supervisor read access in kernel mode\n")
	k.printk(LogAlert, "#PF: error_code(0x0000) - not-present page\n")
	k.printk(LogWarning, "PGD 0 P4D 0 \n")
	return k.slabDie("Oops: 0000", rip, "null-deref", title, fmt.Sprintf("CR2: %016x", uint64(addr)))
}

// gpfOops mirrors exc_general_protection() for a dereference of a
// non-canonical address, such as SLUB's 0x6b poison.
func (k *Kernel) gpfOops(addr Addr, rip string) error {
	head := fmt.Sprintf("general protection fault, probably for non-canonical address %#x: 0000", uint64(addr))
	return k.slabDie(head, rip, "oops", head, "")
}

// slabDie mirrors die() and oops_end(): the Oops header with its counter,
// the task, RIP and trace, the modules, then TAINT_DIE. It returns the
// *Oops that kills the current task.
func (k *Kernel) slabDie(head, rip, class, title, cr2 string) error {
	n := 1
	for _, r := range k.reports {
		if r.Fatal {
			n++
		}
	}
	k.printk(LogWarning, "%s [#%d] PREEMPT SMP NOPTI\n", head, n)
	k.showRegsTrace(LogWarning, rip)
	k.printk(LogWarning, "Modules linked in:%s\n", k.modulesLinkedIn())
	if cr2 != "" {
		k.printk(LogWarning, "%s\n", cr2)
	}
	k.printk(LogWarning, "---[ end trace 0000000000000000 ]---\n")
	k.Taint(TaintDie)
	return k.report(class, title, true)
}

// slabPanic mirrors panic(msg): the machine stops.
func (k *Kernel) slabPanic(msg string) error {
	k.printk(LogEmerg, "Kernel panic - not syncing: %s\n", msg)
	k.dumpStack(LogEmerg, "panic+0x118/0x2ec")
	k.printk(LogEmerg, "Kernel Offset: disabled\n")
	k.printk(LogEmerg, "---[ end Kernel panic - not syncing: %s ]---\n", msg)
	return k.report("panic", "Kernel panic - not syncing: "+msg, true)
}
