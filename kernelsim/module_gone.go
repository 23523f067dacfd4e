package kernelsim

import "fmt"

// What a module leaves behind when it is removed.
//
// rmmod frees a module's code and data (free_module: module_memfree of its
// core layout). Everything else the module registered with the kernel must
// have been undone by its exit function first, because Linux keeps no list
// of "things module X registered" and cannot clean up after it:
//
//   - memory it allocated and did not free stays allocated for ever
//     (kmemleak reports it: kmemleak.go);
//   - a tasklet still scheduled, a timer still armed, work still queued or
//     an interrupt handler still requested point at code that no longer
//     exists: when the softirq, the timer interrupt, the worker or the
//     device runs them, the CPU jumps into unmapped memory and the kernel
//     Oopses with an instruction fetch fault (CallUnloadedCode);
//   - a char device region or cdev still registered keeps its name and
//     file_operations pointing into the freed module: cat /proc/devices
//     prints freed memory, opening the device calls freed code.
//
// Linux prints nothing at rmmod for any of these; the trouble comes later,
// often far from its cause. kscript records a report for each at once
// (CheckModuleGone), so that the health summary and the explanation can
// name the mistake, and simulates the later crash when the dangling
// callback runs.

// CheckModuleGone checks what module m left behind; the runtime calls it
// right after ModuleFree(m). It records a "pending-after-unload" report for
// each tasklet, timer, work item or irq handler of m still registered, a
// "chrdev-left-registered" report for each char device region, cdev or
// misc device m still has registered (recognised by .owner = THIS_MODULE;
// a driver without .owner cannot be told apart), then runs kmemleak over
// m's objects (KmemleakScan). It returns how many reports it made. None of
// them is fatal: rmmod itself succeeds, as on Linux.
func (k *Kernel) CheckModuleGone(m *Module) int {
	l := &k.dbg.leak
	if l.gone == nil {
		l.gone = map[string]*Module{}
	}
	l.gone[m.Name] = m
	if m.core != nil {
		k.kasanUnregisterGlobals(m.core.Addr, m.core.End())
	}
	n := 0
	for _, p := range k.PendingFor(m.Name) {
		k.report("pending-after-unload", fmt.Sprintf("%s %s [%s] still %s after module %s was unloaded (%s)",
			p.Kind, p.Func, p.Module, pendingVerb(p.Kind), m.Name, p.Detail), false)
		n++
	}
	for _, what := range k.chrdevsLeftBy(m) {
		k.report("chrdev-left-registered", fmt.Sprintf("%s still registered after module %s was unloaded", what, m.Name), false)
		n++
	}
	return n + k.KmemleakScan(m.Name)
}

// pendingVerb says what state a piece of deferred work is left in.
func pendingVerb(kind string) string {
	switch kind {
	case "tasklet", "hi-tasklet":
		return "scheduled"
	case "timer":
		return "pending"
	case "work":
		return "queued"
	}
	return "requested"
}

// chrdevsLeftBy describes the char device regions, cdevs and misc devices
// whose owner is m, in /proc/devices order.
func (k *Kernel) chrdevsLeftBy(m *Module) []string {
	var out []string
	seen := map[*Cdev]bool{}
	for major := uint32(0); major < chrdevMajorMax; major++ {
		for _, cd := range k.dev.chrdevs[major%chrdevMajorHashSize] {
			if cd.major == major && cd.cdev != nil && cd.cdev.Owner == m {
				seen[cd.cdev] = true
				out = append(out, fmt.Sprintf("char device region %d:%d-%d %q", cd.major, cd.baseminor,
					cd.baseminor+cd.minorct-1, cd.name))
			}
		}
	}
	for _, cm := range k.dev.cdevMap {
		if c := cm.c; c.Owner == m && !seen[c] {
			seen[c] = true
			out = append(out, fmt.Sprintf("cdev %s (%d minors)", c.Dev, c.Count))
		}
	}
	for _, md := range k.dev.misc.list {
		if md.Fops != nil && md.Fops.Owner == m {
			out = append(out, fmt.Sprintf("misc device %q (10:%d)", md.Name, md.Minor))
		}
	}
	return out
}

// CallUnloadedCode simulates the kernel calling function fn of module
// after the module was removed: the code is unmapped, so the call faults
// on the instruction fetch and the kernel Oopses, as Linux does when a
// forgotten timer or tasklet fires after rmmod:
//
//	BUG: unable to handle page fault for address: ffffffffc0a1e010
//	#PF: supervisor instruction fetch in kernel mode
//	#PF: error_code(0x0010) - not-present page
//	...
//	RIP: 0010:0xffffffffc0a1e010
//
// The subsystem about to run a callback whose module is gone calls it
// instead of the callback, and propagates the *Oops it returns (class
// "unloaded-code"). The address is where fn was while the module was
// loaded, when CheckModuleGone saw the module go.
func (k *Kernel) CallUnloadedCode(module, fn string) error {
	a := k.unloadedSymAddr(module, fn)
	title := fmt.Sprintf("BUG: unable to handle page fault for address: %016x", uint64(a))
	k.printk(LogAlert, "%s\n", title)
	k.printk(LogAlert, "#PF: supervisor instruction fetch in kernel mode\n")
	k.printk(LogAlert, "#PF: error_code(0x%04x) - not-present page\n", pfInstr)
	k.printk(LogInfo, "%s\n", k.dumpPagetable(a))
	k.die(fmt.Sprintf("Oops: %04x", pfInstr), fmt.Sprintf("%#x", uint64(a)), uint64(a))
	if k.InInterrupt() { // oops_end: an Oops in interrupt context cannot kill a task
		k.logLines(LogEmerg,
			"Kernel panic - not syncing: Fatal exception in interrupt",
			"Kernel Offset: disabled",
			"---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---")
	}
	return k.report("unloaded-code", title, true)
}

// callGone is what the deferred-work code calls before running cb: when
// cb's module is gone, the call Oopses (CallUnloadedCode) instead of
// running the script function. gone is false when cb may run.
func (k *Kernel) callGone(module, fn string) (gone bool, err error) {
	if module == "" || !k.ModuleGone(module) {
		return false, nil
	}
	return true, k.CallUnloadedCode(module, fn)
}

// pfInstr mirrors X86_PF_INSTR: the fault was an instruction fetch.
const pfInstr = 1 << 4

// ModuleGone reports whether module was removed and CheckModuleGone saw it
// go, and it has not been loaded again since: its callbacks are dangling.
func (k *Kernel) ModuleGone(module string) bool {
	return k.dbg.leak.gone[module] != nil && k.FindModule(module) == nil
}

// unloadedSymAddr is the address fn had in module's text.
func (k *Kernel) unloadedSymAddr(module, fn string) Addr {
	if m := k.dbg.leak.gone[module]; m != nil && m.core != nil {
		s := m.symFor(Frame{Func: fn})
		if s.init {
			return m.initBase
		}
		return m.Base() + Addr(s.off)
	}
	return ModulesVaddr + kernelTextAddr(module+"/"+fn)&0xfffff0
}
