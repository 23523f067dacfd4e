package kernelsim

import (
	"fmt"
	"sort"
)

// procFiles maps each simulated /proc file to the function that generates
// it, as fs/proc's proc_create_seq_* registrations do. Each generator lives
// beside the subsystem whose state it prints.
func (k *Kernel) procFiles() map[string]func() string {
	return map[string]func() string{
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

		"/sys/kernel/debug/kmemleak": k.KmemleakFile, // mm/kmemleak.c (debugging)
	}
}

// ReadProc returns the contents of a simulated /proc file, or ENOENT.
func (k *Kernel) ReadProc(path string) (string, error) {
	gen, ok := k.procFiles()[path]
	if !ok {
		return "", ENOENT
	}
	return gen(), nil
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
