package kernelsim

import "fmt"

// The reports of code that can never make progress, and the other splats
// the context code prints: the soft-lockup watchdog (kernel/watchdog.c),
// the hung-task detector (kernel/hung_task.c), WARN() (kernel/panic.c:
// __warn) and the Oops of a call through a NULL function pointer
// (arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c).
//
// The register lines after "RIP:" are page_alloc_report.go's plausible,
// seed-stable values (printRegs), as in the memory reports.

// Thread flags sched_show_task prints: a user task in a syscall, a kthread.
const (
	userThreadFlags    = 0x00004002
	kthreadThreadFlags = 0x00004000
)

// softLockup mirrors watchdog_timer_fn()'s report: the CPU has spun in
// kernel code (an endless spin on a lock this CPU holds, a wait for a
// timer callback that is this code) for 2*watchdog_thresh seconds. rip is
// where it spins; frames are its callers, innermost first. Linux's CPU
// stays stuck; kernelsim ends the call: the returned error is fatal.
func (k *Kernel) softLockup(rip string, frames ...string) error {
	k.now += 22_000_000_000
	t := k.Current()
	title := fmt.Sprintf("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [%s:%d]", t.Comm, t.PID)
	k.printk(LogEmerg, "%s\n", title)
	k.printModulesLine()
	k.ctxShowRegs(LogWarning, rip, frames)
	k.Taint(TaintSoftLockup)
	return k.report("soft-lockup", title, true)
}

// hungTask mirrors check_hung_task(): a task has slept uninterruptibly
// (state D) for hung_task_timeout_secs, 120 s, waiting for something that
// will never happen. frames are where it sleeps, innermost first (from
// __schedule). Linux's task stays blocked; kernelsim ends the call: the
// returned error is fatal.
func (k *Kernel) hungTask(frames []string) error {
	k.now += 120*1_000_000_000 + tickNSec
	t := k.Current()
	title := fmt.Sprintf("INFO: task %s:%d blocked for more than 120 seconds.", t.Comm, t.PID)
	k.logLines(LogErr, title,
		fmt.Sprintf("      %s %s %s", k.TaintString(), utsRelease, "#1"),
		`"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.`)
	flags, ppid := userThreadFlags, t.PPID
	if t.kthread {
		flags = kthreadThreadFlags
	}
	if ppid == 0 {
		ppid = shellPID
	}
	k.printk(LogInfo, "task:%-15.15s state:D stack:0     pid:%-5d ppid:%-6d flags:0x%08x\n", t.Comm, t.PID, ppid, flags)
	k.printWorkerInfo(LogInfo)
	k.printTrace(LogInfo, frames)
	return k.report("hung-task", title, true)
}

// ctxWarn mirrors WARN(1, msg) at site (FILE:LINE) in function rip:
// the cut-here line, the message, the WARNING line, the modules, the
// interrupted registers (see above) and call trace, the end marker; then
// TAINT_WARN. frames are rip's callers, innermost first.
func (k *Kernel) ctxWarn(site, rip, msg string, frames ...string) {
	t := k.Current()
	k.printk(LogWarning, "------------[ cut here ]------------\n")
	k.printk(LogWarning, "%s\n", msg)
	k.printk(LogWarning, "WARNING: CPU: 0 PID: %d at %s %s\n", t.PID, site, rip)
	k.printModulesLine()
	k.ctxShowRegsAt(LogWarning, rip, ud2Regs(rip), frames)
	k.printk(LogWarning, "---[ end trace 0000000000000000 ]---\n")
	k.Taint(TaintWarn)
	k.report("warning", "WARNING: CPU: 0 PID: "+fmt.Sprint(t.PID)+" at "+site+" "+rip, false)
}

// nullCallOops mirrors the Oops of a call through a NULL function pointer
// — a tasklet scheduled or a timer armed before it was set up — and, in
// interrupt context, the panic that follows (oops_end: "Fatal exception in
// interrupt"). The returned error is fatal.
func (k *Kernel) nullCallOops() error {
	const title = "BUG: kernel NULL pointer dereference, address: 0000000000000000"
	k.logLines(LogAlert, title,
		"#PF: supervisor instruction fetch in kernel mode",
		"#PF: error_code(0x0010) - not-present page")
	k.printk(LogAlert, "PGD 0 P4D 0 \n")
	k.sched.oopsCount++
	k.printk(LogWarning, "Oops: 0010 [#%d] %s\n", k.sched.oopsCount, k.oopsFlags())
	k.ctxShowRegs(LogWarning, "0x0", nil)
	k.printModulesLine()
	k.printk(LogWarning, "CR2: 0000000000000000\n")
	k.printk(LogWarning, "---[ end trace 0000000000000000 ]---\n")
	k.printk(LogWarning, "RIP: 0010:0x0\n")
	k.printk(LogWarning, "Code: Unable to access opcode bytes at 0xffffffffffffffd6.\n")
	k.Taint(TaintDie)
	if k.InInterrupt() {
		k.panicLines("Fatal exception in interrupt")
	}
	return k.report("null-deref", title, true)
}

// ctxShowRegs mirrors show_regs() for a kernel-mode context: the CPU line
// (show_regs_print_info), the RIP line and the call trace of the
// interrupted code, which starts at rip's caller.
func (k *Kernel) ctxShowRegs(level int, rip string, frames []string) {
	k.ctxShowRegsAt(level, rip, faultRegs{kind: regsLoop}, frames)
}

// ctxShowRegsAt is ctxShowRegs with the registers r.
func (k *Kernel) ctxShowRegsAt(level int, rip string, r faultRegs, frames []string) {
	t := k.Current()
	k.printk(level, "CPU: 0 PID: %d Comm: %s %s %s %s\n", t.PID, t.Comm, k.TaintString(), utsRelease, shortVersion())
	k.printk(level, "Hardware name: %s\n", hardwareStr)
	k.printWorkerInfo(level)
	k.printk(level, "RIP: 0010:%s\n", rip)
	if rip == "0x0" {
		// The registers of a call through NULL are not worth faking.
		k.printk(level, "Code: Unable to access opcode bytes at 0xffffffffffffffd6.\n")
	} else {
		k.printRegs(level, r)
	}
	k.printTrace(level, frames)
}

// printTrace mirrors show_trace_log_lvl(): "Call Trace:", the stack
// markers, frames, the script frames and the task's entry path.
func (k *Kernel) printTrace(level int, frames []string) {
	k.printk(level, "Call Trace:\n")
	k.printk(level, " %s\n", k.traceOpener())
	for _, f := range frames {
		k.printk(level, " %s\n", f)
	}
	for _, f := range k.stack() {
		k.printk(level, " %s\n", FormatFrame(f))
	}
	for _, f := range k.Current().entry {
		k.printk(level, " %s\n", f)
	}
	k.printk(level, " </TASK>\n")
}
