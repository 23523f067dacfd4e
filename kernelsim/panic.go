package kernelsim

import (
	"fmt"
	"strings"
)

// Taint flags mirror kernel/panic.c's taint_flags table, in its order: the
// letters print_tainted() prints, ' ' where a flag is not set.
const (
	TaintProprietaryModule   = iota // P (G when clear)
	TaintForcedModule               // F
	TaintCPUOutOfSpec               // S
	TaintForcedRmmod                // R
	TaintMachineCheck               // M
	TaintBadPage                    // B
	TaintUser                       // U
	TaintDie                        // D
	TaintOverriddenACPITable        // A
	TaintWarn                       // W
	TaintCrap                       // C
	TaintFirmwareWorkaround         // I
	TaintOOTModule                  // O
	TaintUnsignedModule             // E
	TaintSoftLockup                 // L
	TaintLivepatch                  // K
	TaintAux                        // X
	TaintRandstruct                 // T
	TaintTest                       // N: a KUnit test has run (6.1 adds it, TAINT_FLAGS_COUNT 19)
	taintFlagsCount
)

const taintLetters = "PFSRMBUDAWCIOELKXTN"

// Taint mirrors add_taint(): it sets flag in the kernel's taint mask.
func (k *Kernel) Taint(flag int) { k.taint |= 1 << flag }

// Tainted mirrors test_taint().
func (k *Kernel) Tainted(flag int) bool { return k.taint&(1<<flag) != 0 }

// TaintString mirrors print_tainted(): "Not tainted" or "Tainted: G           OE     "
// (one column per flag of the 19, ' ' where it is clear).
func (k *Kernel) TaintString() string {
	if k.taint == 0 {
		return "Not tainted"
	}
	return "Tainted: " + taintLettersOf(k.taint, true)
}

// taintLettersOf formats mask as print_tainted() does; with full false only the
// set letters are returned, as /proc/modules prints a module's taints ("OE").
func taintLettersOf(mask uint32, full bool) string {
	var b strings.Builder
	for i := 0; i < taintFlagsCount; i++ {
		switch set := mask&(1<<i) != 0; {
		case set:
			b.WriteByte(taintLetters[i])
		case i == TaintProprietaryModule && full:
			b.WriteByte('G')
		case full:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// utsRelease and utsVersion are what uname -r and uname -v print on the
// simulated machine (Debian 12's kernel).
const (
	utsRelease  = "6.1.0-28-amd64"
	utsVersion  = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	hardwareStr = "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014"
)

// dumpStack mirrors dump_stack_lvl() (lib/dump_stack.c) for the current task:
// the CPU/Comm/Tainted line, the hardware name and a call trace. kernelTop
// are the kernel functions between the report and the script (innermost
// first, "kmalloc_trace+0x26/0x90" style); the script frames come next,
// symbolised as scripts/decode_stacktrace.sh prints them; then the entry
// path that led into the script.
func (k *Kernel) dumpStack(level int, kernelTop ...string) {
	t := k.Current()
	k.printk(level, "CPU: 0 PID: %d Comm: %s %s %s %s\n", t.PID, t.Comm, k.TaintString(), utsRelease, shortVersion())
	k.printk(level, "Hardware name: %s\n", hardwareStr)
	k.printWorkerInfo(level) // sched.go: "Workqueue: events fn [mod]" in a kworker
	k.printTrace(level, append([]string{"dump_stack_lvl+0x44/0x5c"}, kernelTop...))
}

// FormatFrame formats a script frame as scripts/decode_stacktrace.sh decodes
// a module frame: "hello_kmalloc_init (hello_kmalloc.star:23) [hello_kmalloc]".
func FormatFrame(f Frame) string {
	if f.File == "" {
		return f.Func
	}
	s := fmt.Sprintf("%s (%s:%d)", f.Func, f.File, f.Line)
	if f.Module != "" {
		s += " [" + f.Module + "]"
	}
	return s
}

// shortVersion is what follows the release in dump_stack_print_info():
// mainline prints the version up to its first blank ("#1"); Debian's
// patch appends " " and its package version, which starts with a blank of
// its own, hence the two spaces in "#1  Debian 6.1.119-1".
func shortVersion() string { return "#1  Debian 6.1.119-1" }

// procSysKernelTainted mirrors proc_taint()'s read side (kernel/sysctl.c):
// the taint mask as a decimal number, 12288 (O|E) after the first
// out-of-tree, unsigned module.
func (k *Kernel) procSysKernelTainted() string { return fmt.Sprintf("%d\n", k.taint) }

// The sysctls that decide what an unprivileged reader sees, as Debian 12
// sets them: CONFIG_SECURITY_DMESG_RESTRICT=y makes dmesg root-only;
// kptr_restrict keeps the kernel's default 0, so %pK hashes like %p for
// everyone (/proc/vmallocinfo), while kallsyms_show_value() still needs
// CAP_SYSLOG (Debian's perf_event_paranoid is 3), so /proc/modules shows
// its addresses to root only.
const (
	dmesgRestrict = 1
	kptrRestrict  = 0
)

// panicLines mirrors panic(msg) on Debian's kernel (panic_timeout 0, no
// kdump): the message, the kernel offset (KASLR is off in the VM) and the
// end marker; then the machine stops. Every CPU halts: no task, softirq,
// timer or work runs again and nothing more is logged, until a reboot.
func (k *Kernel) panicLines(msg string) {
	k.logLines(LogEmerg,
		"Kernel panic - not syncing: "+msg,
		"Kernel Offset: disabled",
		"---[ end Kernel panic - not syncing: "+msg+" ]---")
	k.panicMsg = msg
}

// Panicked returns panic()'s message once the kernel has panicked, "" while
// it runs. The embedder must not run anything on a panicked kernel: the
// machine is down.
func (k *Kernel) Panicked() string { return k.panicMsg }
