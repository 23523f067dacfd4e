package kernelsim

import "fmt"

// WARN() and BUG() splats as x86-64 Linux 6.1 prints them (kernel/panic.c
// __warn, lib/bug.c report_bug, arch/x86/kernel/dumpstack.c __die and
// oops_end). Both start from an invalid opcode (ud2) the macro plants:
// WARN prints its message and a call trace and carries on, tainting the
// kernel with W; BUG prints "kernel BUG at file:line!", the Oops header and
// a call trace, taints with D and kills the current task.
//
// The register lines are fault.go's printRegs: plausible, seed-stable
// values, since a script has no registers.

const (
	cutHere       = "------------[ cut here ]------------"
	oopsEndMarker = "---[ end trace 0000000000000000 ]---"
)

// reportWarn mirrors WARN(1, msg) from function ripSym at file:line; see
// warn. The caller records the Report.
func (k *Kernel) reportWarn(file string, line int, ripSym, msg string, kernelTop []string) {
	k.warn(LogWarning, fmt.Sprintf("%s:%d", file, line), ripSym, msg, kernelTop)
}

// warn mirrors WARN()/WARN_ON() on x86, kernelsim's one implementation of
// it: __warn_printk() prints "cut here" and the message (if any, at
// msgLevel), then the ud2 trap reaches __warn(): the WARNING line with its
// site ("mm/page_alloc.c:5534") and function, the loaded modules, the CPU
// and hardware lines, the RIP, registers and call trace (kernelTop, then
// the script frames, then the entry path), the end marker; then taint W,
// which __warn adds last, so the splat itself does not show it yet.
func (k *Kernel) warn(msgLevel int, site, ripSym, msg string, kernelTop []string) {
	k.printk(LogWarning, "%s\n", cutHere)
	if msg != "" {
		k.printk(msgLevel, "%s\n", msg)
	}
	k.printk(LogWarning, "WARNING: CPU: 0 PID: %d at %s %s\n", k.Current().PID, site, ripSym)
	k.printk(LogWarning, "Modules linked in:%s\n", k.modulesLinkedIn())
	k.showRegs(LogWarning, ripSym, kernelTop)
	k.printk(LogWarning, "%s\n", oopsEndMarker)
	k.Taint(TaintWarn)
}

// reportBUG mirrors BUG() at file:line inside function ripSym: report_bug's
// "kernel BUG at" line, __die's "invalid opcode" header, the registers'
// place taken by the RIP, the call trace and the modules, oops_end's end
// marker, the registers again (oops_end's "executive summary") and taint
// D. It records the fatal Report (class, title) and
// returns its *Oops: the caller kills the task.
func (k *Kernel) reportBUG(file string, line int, ripSym, class, title string, kernelTop []string) error {
	k.printk(LogWarning, "%s\n", cutHere)
	k.printk(LogCrit, "kernel BUG at %s:%d!\n", file, line)
	k.printk(LogWarning, "invalid opcode: 0000 [#%d] %s\n", k.dieCounter(), k.oopsFlags())
	k.showRegs(LogWarning, ripSym, kernelTop)
	k.printk(LogWarning, "Modules linked in:%s\n", k.modulesLinkedIn())
	k.printk(LogWarning, "%s\n", oopsEndMarker)
	// oops_end's executive summary: __show_regs() of the first Oops again.
	k.printk(LogWarning, "RIP: 0010:%s\n", ripSym)
	k.printRegs(LogWarning, ud2Regs(ripSym))
	k.Taint(TaintDie)
	return k.report(class, title, true)
}

// showRegs mirrors show_regs() for a fault in kernel mode: the CPU line
// (dump_stack_print_info), the hardware name, RIP and registers, then the
// call trace
// (show_trace_log_lvl): kernelTop, the script frames, the entry path.
func (k *Kernel) showRegs(level int, ripSym string, kernelTop []string) {
	t := k.Current()
	k.printk(level, "CPU: 0 PID: %d Comm: %s %s %s %s\n", t.PID, t.Comm, k.TaintString(), utsRelease, shortVersion())
	k.printk(level, "Hardware name: %s\n", hardwareStr)
	k.printWorkerInfo(level)
	k.printk(level, "RIP: 0010:%s\n", ripSym)
	k.printRegs(level, ud2Regs(ripSym))
	k.printTrace(level, kernelTop)
}
