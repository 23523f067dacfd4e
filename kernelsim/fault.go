package kernelsim

import "fmt"

// Kernel page faults, mirroring arch/x86/mm/fault.c (page_fault_oops,
// show_fault_oops, dump_pagetable) and arch/x86/kernel/dumpstack.c (__die,
// oops_end).
//
// When kernel code touches an address with no mapping, the CPU raises #PF
// with an error code saying what the access was (bit 0: the page was
// present, a protection fault; bit 1: a write; bit 2: from user mode). There
// is no exception fixup for an ordinary dereference, so the kernel prints
// what it knows — the address, the access, the page-table walk — and dies
// with an Oops: the current task is killed and the kernel tainted D.
//
// A kernel-mode access to a user address is refused by SMAP (Supervisor Mode
// Access Prevention) even when the user page is mapped: only
// copy_{to,from}_user, which open the window with STAC, may touch user
// memory.

// x86 page fault error code bits (enum x86_pf_error_code).
const (
	pfProt  = 1 << 0
	pfWrite = 1 << 1
	pfUser  = 1 << 2
)

// nonCanonical reports whether a is outside both canonical halves of the
// 48-bit address space: touching it raises #GP, not #PF.
func nonCanonical(a Addr) bool { return a >= 0x0000800000000000 && a < 0xffff800000000000 }

// pageFault reports a kernel-mode access to a that faults and returns the
// *Oops the caller must propagate. rip names the kernel function doing the
// access ("memset_orig+0x33/0xb0"), or "" when it is the script itself.
func (k *Kernel) pageFault(a Addr, write bool, rip string) error {
	return k.pageFaultIn(a, write, rip)
}

// pageFaultIn is pageFault with the kernel functions between the faulting
// one and the script (or the entry path), innermost first, for the trace.
func (k *Kernel) pageFaultIn(a Addr, write bool, rip string, callers ...string) error {
	if nonCanonical(a) {
		return k.generalProtectionFault(a, rip)
	}
	code := 0
	if write {
		code |= pfWrite
	}
	if IsUserAddr(a) && a >= PageSize && k.userPagePresent(a) {
		code |= pfProt // SMAP: the page is there, kernel mode may not touch it
	}
	class, title := "oops", fmt.Sprintf("BUG: unable to handle page fault for address: %016x", uint64(a))
	if a < PageSize {
		class, title = "null-deref", fmt.Sprintf("BUG: kernel NULL pointer dereference, address: %016x", uint64(a))
	}
	access := "read access"
	if write {
		access = "write access"
	}
	k.printk(LogAlert, "%s\n", title)
	k.printk(LogAlert, "#PF: supervisor %s in kernel mode\n", access)
	k.printk(LogAlert, "#PF: error_code(0x%04x) - %s\n", code, pfReason(code))
	k.printk(LogInfo, "%s\n", k.dumpPagetable(a))
	k.die(fmt.Sprintf("Oops: %04x", code), rip, faultRegs{kind: regsData, addr: a, write: write}, callers)
	return k.report(class, title, true)
}

func pfReason(code int) string {
	if code&pfProt == 0 {
		return "not-present page"
	}
	return "permissions violation"
}

// userPagePresent says whether a user address is mapped in the current
// process (user_mm.go). It is a plain call, not a function stored in the
// kernel: a copied kernel (kclone) must hold no function bound to the
// kernel it was copied from.
func (k *Kernel) userPagePresent(a Addr) bool { return k.userAddrPresent(a) }

// dumpPagetable mirrors dump_pagetable(): the page-table walk down to the
// first level that is not present (plausible entries: the simulation has no
// page tables).
func (k *Kernel) dumpPagetable(a Addr) string {
	switch {
	case IsUserAddr(a) && a < PageSize:
		return "PGD 0 P4D 0 "
	case IsUserAddr(a) && k.userPagePresent(a):
		return "PGD 800000000a9b3067 P4D 800000000a9b3067 PUD a9b5067 PMD a9b6067 PTE 800000000a9b7067"
	case IsUserAddr(a):
		return "PGD 800000000a9b3067 P4D 800000000a9b3067 PUD a9b5067 PMD 0 "
	case IsDirectMapAddr(a), a >= VmemmapBase && a < VmemmapBase+1<<40:
		return "PGD 19a01067 P4D 19a01067 PUD 0 "
	}
	return "PGD 19a0e067 P4D 19a0e067 PUD 19a10067 PMD 4a1f067 PTE 0"
}

// generalProtectionFault mirrors exc_general_protection() for a
// non-canonical address (die_addr).
func (k *Kernel) generalProtectionFault(a Addr, rip string) error {
	title := fmt.Sprintf("general protection fault, probably for non-canonical address %#x: 0000 [#%d] %s", uint64(a), k.dieCounter(), k.oopsFlags())
	k.printk(LogWarning, "%s\n", title)
	// A #GP records no address: CR2 keeps the last page fault's.
	k.dieBody(rip, faultRegs{kind: regsData, addr: a}, nil)
	return k.report("oops", title, true)
}

// dieCounter is the number the next Oops gets ("[#1]"): one more than the
// fatal reports so far, whoever made them.
func (k *Kernel) dieCounter() int {
	n := 1
	for _, r := range k.reports {
		if r.Fatal {
			n++
		}
	}
	return n
}

// die mirrors __die(): the Oops line, then the body.
func (k *Kernel) die(str, rip string, r faultRegs, callers []string) {
	k.printk(LogWarning, "%s [#%d] %s\n", str, k.dieCounter(), k.oopsFlags())
	k.dieBody(rip, r, callers)
}

// dieBody mirrors __die_body() and oops_end(): the task line, registers,
// call trace, modules and CR2; taint D; the end marker, then the registers
// again as the "executive summary" in case the Oops scrolled away.
func (k *Kernel) dieBody(rip string, r faultRegs, callers []string) {
	t := k.Current()
	if stack := k.stack(); rip == "" && len(stack) > 0 {
		rip = FormatFrame(stack[0])
	}
	k.printk(LogWarning, "CPU: 0 PID: %d Comm: %s %s %s %s\n", t.PID, t.Comm, k.TaintString(), utsRelease, shortVersion())
	k.printk(LogWarning, "Hardware name: %s\n", hardwareStr)
	k.printWorkerInfo(LogWarning) // "Workqueue: events fn [mod]" in a kworker
	k.printk(LogWarning, "RIP: 0010:%s\n", rip)
	k.printRegs(LogWarning, r)
	k.printTrace(LogWarning, callers)
	k.printk(LogWarning, "Modules linked in:%s\n", k.modulesLinkedIn())
	k.printk(LogWarning, "CR2: %016x\n", r.cr2())
	k.addTaintUnreliable(TaintDie)
	k.printk(LogWarning, "---[ end trace %016x ]---\n", 0)
	k.printk(LogWarning, "RIP: 0010:%s\n", rip)
	k.printRegs(LogWarning, r)
	if k.InInterrupt() { // oops_end: no task to kill in interrupt context
		k.panicLines("Fatal exception in interrupt")
	}
}
