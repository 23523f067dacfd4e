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
//     (kmemleak reports it after its next scan; kscript's LeakCheck
//     at once: kmemleak.go);
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
// misc device m still has registered (by .owner = THIS_MODULE, or by the
// script line that registered it), then checks m's objects for leaks
// (LeakCheck). All are kscript's own findings (Report.Kscript). It returns how many reports it made. None of
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
		title := fmt.Sprintf("%s %s [%s] still %s after module %s was unloaded (%s)",
			p.Kind, p.Func, p.Module, pendingVerb(p.Kind), m.Name, p.Detail)
		k.reportLeftBehind("pending-after-unload", title+k.leftSites(m, p.Site, pendingDoneBy(p.Kind), "cancel"), m, p.Site)
		n++
	}
	for _, c := range k.chrdevsLeftBy(m) {
		title := fmt.Sprintf("%s still registered after module %s was unloaded", c.what, m.Name)
		k.reportLeftBehind("chrdev-left-registered", title+k.leftSites(m, c.site, "registered", "unregister"), m, c.site)
		n++
	}
	return n + k.LeakCheck(m.Name)
}

// leftSites is the part of a left-behind report that names the script
// lines: where the thing was set up, and the exit function that should
// have undone it. "" when neither is known.
func (k *Kernel) leftSites(m *Module, site Frame, did, undo string) string {
	var s string
	if site.File != "" {
		s = fmt.Sprintf("; %s at %s:%d in %s", did, site.File, site.Line, site.Func)
	}
	switch e := m.Info.ExitAt; {
	case e.File != "":
		s += fmt.Sprintf("; the exit function %s (%s:%d) did not %s it", e.Func, e.File, e.Line, undo)
	case !m.Info.HasExit:
		s += "; the module has no exit function"
	}
	return s
}

// reportLeftBehind records a report about something m left at rmmod; its
// stack is the line that set it up, then the exit function, so that an
// explanation points at both.
func (k *Kernel) reportLeftBehind(class, title string, m *Module, site Frame) {
	r := k.note(class, title)
	r.Stack = nil
	if site.File != "" {
		r.Stack = append(r.Stack, site)
	}
	if m.Info.ExitAt.File != "" {
		r.Stack = append(r.Stack, m.Info.ExitAt)
	}
}

// pendingDoneBy says how a piece of deferred work was set up.
func pendingDoneBy(kind string) string {
	switch kind {
	case "timer":
		return "armed"
	case "work":
		return "queued"
	case "irq":
		return "requested"
	}
	return "scheduled"
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

// leftChrdev is a char device registration a module left behind.
type leftChrdev struct {
	what string // "char device region 246:0-255 \"leakdev\""
	site Frame  // the script line that registered it
}

// chrdevsLeftBy describes the char device regions, cdevs and misc devices
// m left registered, in /proc/devices order: those whose owner is m
// (.owner = THIS_MODULE) and, since Linux records no owner for a region,
// those kscript saw m's code register (a driver that forgot .owner).
func (k *Kernel) chrdevsLeftBy(m *Module) []leftChrdev {
	var out []leftChrdev
	seen := map[*Cdev]bool{}
	for major := uint32(0); major < chrdevMajorMax; major++ {
		for _, cd := range k.dev.chrdevs[major%chrdevMajorHashSize] {
			owned := cd.cdev != nil && cd.cdev.Owner == m
			if cd.major == major && (owned || cd.site.Module == m.Name && cd.site.Module != "") {
				if cd.cdev != nil {
					seen[cd.cdev] = true
				}
				out = append(out, leftChrdev{fmt.Sprintf("char device region %d:%d-%d %q", cd.major, cd.baseminor,
					cd.baseminor+cd.minorct-1, cd.name), cd.site})
			}
		}
	}
	for _, cm := range k.dev.cdevMap {
		if c := cm.c; (c.Owner == m || c.site.Module == m.Name && c.site.Module != "") && !seen[c] {
			seen[c] = true
			out = append(out, leftChrdev{fmt.Sprintf("cdev %s (%d minors)", c.Dev, c.Count), c.site})
		}
	}
	for _, md := range k.dev.misc.list {
		if md.Fops != nil && md.Fops.Owner == m {
			out = append(out, leftChrdev{fmt.Sprintf("misc device %q (10:%d)", md.Name, md.Minor), Frame{}})
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
	k.die(fmt.Sprintf("Oops: %04x", pfInstr), fmt.Sprintf("%#x", uint64(a)), faultRegs{kind: regsFetch, addr: a}, nil)
	if k.InInterrupt() { // oops_end: an Oops in interrupt context cannot kill a task
		k.panicLines("Fatal exception in interrupt")
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
