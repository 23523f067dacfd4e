package kernelsim

import "fmt"

// This file holds the warnings the slab code prints, WARN()/WARN_ON_ONCE()
// with a message (kernel/panic.c: __warn_printk, __warn), and panic(); the
// Oopses come from fault.go.

// slabWARN mirrors WARN(1, msg) / WARN_ON(1) at file:line in function rip
// ("kmem_cache_destroy+0x14d/0x160"), reported as class: the cut-here line, the message, the
// WARNING line, the modules, the registers and the call trace; then
// TAINT_WARN, after the splat as __warn() adds it (so the splat's own
// Tainted: line has no W yet).
func (k *Kernel) slabWARN(class, file string, line int, rip, msg string) {
	title := msg
	if title == "" {
		title = fmt.Sprintf("WARNING: CPU: 0 PID: %d at %s:%d %s", k.Current().PID, file, line, rip)
	}
	k.warn(LogWarning, fmt.Sprintf("%s:%d", file, line), rip, msg, nil)
	k.report(class, title, false)
}

// slabWarnOnce mirrors WARN_ON_ONCE()/WARN_ONCE(): the first time the site
// file:line fires it warns and reports true; afterwards it is silent.
func (k *Kernel) slabWarnOnce(file string, line int, rip, msg string) bool {
	return k.slabWarnOnceClass("warning", file, line, rip, msg)
}

// slabWarnOnceClass is slabWarnOnce reported as class.
func (k *Kernel) slabWarnOnceClass(class, file string, line int, rip, msg string) bool {
	key := fmt.Sprintf("%s:%d", file, line)
	if k.slab.warnedOnce[key] {
		return false
	}
	if k.slab.warnedOnce == nil {
		k.slab.warnedOnce = map[string]bool{}
	}
	k.slab.warnedOnce[key] = true
	k.slabWARN(class, file, line, rip, msg)
	return true
}

// structPageOf mirrors virt_to_page() as kfree() and kmem_cache_free() use
// it, on any address: __pa(a) >> PAGE_SHIFT (for an address below the
// kernel text mapping, a - PAGE_OFFSET, wrapping as the CPU does). ok is
// false when that struct page is not backed by memory: reading it faults.
func (k *Kernel) structPageOf(a Addr) (PFN, bool) {
	pfn := PFN(physAddrOf(a) >> PageShift)
	return pfn, k.PFNValid(pfn)
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

// slabPanic mirrors panic(msg): the machine stops.
func (k *Kernel) slabPanic(msg string) error {
	k.printk(LogEmerg, "Kernel panic - not syncing: %s\n", msg)
	k.dumpStack(LogEmerg, "panic+0x118/0x2ec")
	k.printk(LogEmerg, "Kernel Offset: disabled\n")
	k.printk(LogEmerg, "---[ end Kernel panic - not syncing: %s ]---\n", msg)
	k.panicMsg = msg
	return k.report("panic", "Kernel panic - not syncing: "+msg, true)
}
