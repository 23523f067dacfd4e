package kernelsim

import (
	"fmt"
	"strings"
)

// The simulated machine's two CPUs, as the kernel reports them: the boot
// line of arch/x86/kernel/smpboot.c, /proc/cpuinfo (arch/x86/kernel/cpu/proc.c)
// and /proc/stat (fs/proc/stat.c).
//
// The VM is QEMU's `-cpu host -smp 2` on a Cascade Lake Xeon, one socket
// with two cores. What the rest of kernelsim relies on is in its flags:
// smap and smep (a __user pointer dereferenced in kernel mode faults),
// pdpe1gb (1 GiB pages: DirectMap1G and the 1 GiB hstate in show_mem), and
// arch_capabilities reporting RDCL_NO, so page-table isolation is off and
// an Oops header says NOPTI.

// prefillPossibleMap mirrors prefill_possible_map()'s report, printed at
// the end of setup_arch(): every CPU ACPI lists is possible, none hotplug.
func (k *Kernel) prefillPossibleMap() {
	k.printk(LogInfo, "smpboot: Allowing %d CPUs, 0 hotplug CPUs\n", nrCPUIDs)
}

// cpuinfo is struct cpuinfo_x86 of both CPUs (they differ only in their ids).
var cpuinfo = struct {
	vendor, modelName                         string
	family, model, stepping, cpuidLevel       int
	microcode                                 int
	khz, cacheKB, physBits, virtBits          int
	flags, bugs                               string
	clflushSize, cacheAlignment, bogomipsX100 int
}{
	vendor: "GenuineIntel", modelName: "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz",
	family: 6, model: 85, stepping: 7, cpuidLevel: 22, microcode: 0x1,
	khz: 2992968, cacheKB: 16384, physBits: 40, virtBits: 48,
	flags: "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss " +
		"syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 " +
		"fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor " +
		"lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase " +
		"tsc_adjust bmi1 avx2 smep bmi2 erms invpcid mpx avx512f avx512dq rdseed adx smap clflushopt clwb " +
		"avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke avx512_vnni md_clear " +
		"arch_capabilities",
	bugs:        "spectre_v1 spectre_v2 spec_store_bypass swapgs taa mmio_stale_data retbleed eibrs_pbrsb gds bhi",
	clflushSize: 64, cacheAlignment: 64, bogomipsX100: 598593,
}

// procCpuinfo mirrors show_cpuinfo() with show_cpuinfo_core() and the
// 64-bit show_cpuinfo_misc(): one block per CPU, each ending in a blank line.
func (k *Kernel) procCpuinfo() string {
	c := &cpuinfo
	var b strings.Builder
	for cpu := 0; cpu < nrCPUIDs; cpu++ {
		fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nmodel name\t: %s\n",
			cpu, c.vendor, c.family, c.model, c.modelName)
		fmt.Fprintf(&b, "stepping\t: %d\nmicrocode\t: 0x%x\ncpu MHz\t\t: %d.%03d\ncache size\t: %d KB\n",
			c.stepping, c.microcode, c.khz/1000, c.khz%1000, c.cacheKB)
		fmt.Fprintf(&b, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n",
			nrCPUIDs, cpu, nrCPUIDs, cpu, cpu)
		fmt.Fprintf(&b, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %d\nwp\t\t: yes\n", c.cpuidLevel)
		fmt.Fprintf(&b, "flags\t\t: %s\nbugs\t\t: %s\nbogomips\t: %d.%02d\n", c.flags, c.bugs, c.bogomipsX100/100, c.bogomipsX100%100)
		fmt.Fprintf(&b, "clflush size\t: %d\ncache_alignment\t: %d\naddress sizes\t: %d bits physical, %d bits virtual\npower management:\n\n",
			c.clflushSize, c.cacheAlignment, c.physBits, c.virtBits)
	}
	return b.String()
}

// userHZ is USER_HZ: /proc/stat counts time in hundredths of a second.
const userHZ = 100

// procStat mirrors show_stat(): CPU time per state in USER_HZ ticks (all
// CPUs, then each), the interrupt total and per-IRQ counts, context
// switches, boot time, forks, running and blocked tasks, and the softirq
// total and per-vector counts. Unlike Linux, the time split is derived from
// the simulated clock: an idle VM, a little system time per CPU, and the
// per-IRQ list stops at the last line kernelsim has set up, and the
// context-switch count is a boot figure plus a rate, not counted.
func (k *Kernel) procStat() string {
	ticks := k.now / (1_000_000_000 / userHZ)
	var b strings.Builder
	type times struct{ user, system, idle, irq, softirq uint64 }
	per := make([]times, nrCPUIDs)
	var sum times
	for cpu := range per {
		t := times{user: ticks / 40, system: ticks / 25, irq: 0, softirq: ticks / 400}
		if cpu == 1 {
			t.user, t.system = t.user*9/10, t.system*9/10
		}
		t.idle = ticks - t.user - t.system - t.softirq
		per[cpu] = t
		sum.user, sum.system, sum.idle, sum.irq, sum.softirq = sum.user+t.user, sum.system+t.system, sum.idle+t.idle, sum.irq+t.irq, sum.softirq+t.softirq
	}
	line := func(name string, t times) {
		fmt.Fprintf(&b, "%s %d 0 %d %d 0 %d %d 0 0 0\n", name, t.user, t.system, t.idle, t.irq, t.softirq)
	}
	line("cpu ", sum)
	for cpu, t := range per {
		line(fmt.Sprintf("cpu%d", cpu), t)
	}
	var irqs []uint64
	var total uint64
	for _, d := range k.irq.descs {
		irqs = append(irqs, d.count)
		total += d.count
	}
	fmt.Fprintf(&b, "intr %d", total)
	for _, n := range irqs {
		fmt.Fprintf(&b, " %d", n)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "ctxt %d\n", 41_237+ticks*9)
	fmt.Fprintf(&b, "btime %d\n", bootEpoch)
	fmt.Fprintf(&b, "processes %d\n", k.sched.nextPID)
	b.WriteString("procs_running 1\nprocs_blocked 0\n")
	var soft [NRSoftirqs]uint64
	var softTotal uint64
	for nr := range soft {
		soft[nr] = bootSoftirqCounts[nr][0] + bootSoftirqCounts[nr][1] + k.irq.softirq.counts[nr]
		softTotal += soft[nr]
	}
	fmt.Fprintf(&b, "softirq %d", softTotal)
	for _, n := range soft {
		fmt.Fprintf(&b, " %d", n)
	}
	b.WriteString("\n")
	return b.String()
}

// bootEpoch is the machine's boot time in seconds since the epoch
// (/proc/stat's btime): the simulated machine has no wall clock, so it is
// fixed, 2024-11-25 09:00:00 UTC, a few days after the kernel's build date.
const bootEpoch = 1732525200
