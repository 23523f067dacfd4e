package kernelsim

import (
	"fmt"
	"sort"
)

// procFiles maps each simulated /proc file to the function that generates
// it, as fs/proc's proc_create_seq_* registrations do. Each generator lives
// beside the subsystem whose state it prints.
func (k *Kernel) procFiles() map[string]func() string {
	files := map[string]func() string{
		"/proc/buddyinfo":    k.procBuddyinfo,    // mm/vmstat.c (memory core)
		"/proc/zoneinfo":     k.procZoneinfo,     // mm/vmstat.c (memory core)
		"/proc/pagetypeinfo": k.procPagetypeinfo, // mm/vmstat.c (memory core)
		"/proc/meminfo":      k.procMeminfo,      // fs/proc/meminfo.c (memory core)
		"/proc/slabinfo":     k.procSlabinfo,     // mm/slab_common.c (slab)
		"/proc/vmallocinfo":  k.procVmallocinfo,  // mm/vmalloc.c (vmalloc)
		"/proc/modules":      k.procModules,      // kernel/module/procfs.c (modules)
		"/proc/devices":      k.procDevices,      // fs/proc/devices.c (char devices)
		"/proc/interrupts":   k.procInterrupts,   // kernel/irq/proc.c (contexts)
		"/proc/softirqs":     k.procSoftirqs,     // fs/proc/softirqs.c (contexts)
		"/proc/version":      k.procVersion,      // fs/proc/version.c (cmdline.go)
		"/proc/cmdline":      k.procCmdline,      // fs/proc/cmdline.c (cmdline.go)
		"/proc/cpuinfo":      k.procCpuinfo,      // arch/x86/kernel/cpu/proc.c
		"/proc/stat":         k.procStat,         // fs/proc/stat.c

		"/proc/sys/kernel/tainted":        k.procSysKernelTainted, // kernel/sysctl.c proc_taint
		"/proc/sys/kernel/dmesg_restrict": func() string { return fmt.Sprintf("%d\n", dmesgRestrict) },
		"/proc/sys/kernel/kptr_restrict":  func() string { return fmt.Sprintf("%d\n", kptrRestrict) },
	}
	if k.boot.kmemleak { // CONFIG_DEBUG_KMEMLEAK: the debug build only
		files[kmemleakPath] = k.KmemleakFile // mm/kmemleak.c (debugging)
	}
	return files
}

// kmemleakPath is kmemleak's debugfs file.
const kmemleakPath = "/sys/kernel/debug/kmemleak"

// WriteProc writes data to a simulated /proc or debugfs file, as root's
// write(2) would: /sys/kernel/debug/kmemleak takes kmemleak's commands
// (kmemleakWrite); the other files have no write handler here (EIO), a
// missing file is ENOENT.
func (k *Kernel) WriteProc(path string, data []byte) error {
	if _, ok := k.procFiles()[path]; !ok {
		return ENOENT
	}
	if path == kmemleakPath {
		return k.kmemleakWrite(string(data))
	}
	return EIO
}

// ReadProc returns the contents of a simulated /proc file, or ENOENT.
func (k *Kernel) ReadProc(path string) (string, error) {
	gen, ok := k.procFiles()[path]
	if !ok {
		return "", ENOENT
	}
	if path == kmemleakPath && k.dbg.leak.off {
		return "", EBUSY // kmemleak_seq_start after kmemleak_disable
	}
	return gen(), nil
}

// ReadProcUnprivileged is ReadProc for a reader without CAP_SYSLOG (a user
// without sudo): the same files, but /proc/modules hides the module
// addresses (procModulesFor). Which files such a reader may open at all is
// the caller's business (their modes).
func (k *Kernel) ReadProcUnprivileged(path string) (string, error) {
	if path == "/proc/modules" {
		return k.procModulesFor(false), nil
	}
	return k.ReadProc(path)
}

// ProcFiles lists the simulated /proc files, sorted.
func (k *Kernel) ProcFiles() []string {
	var names []string
	for n := range k.procFiles() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
