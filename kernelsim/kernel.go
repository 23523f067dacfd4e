package kernelsim

import (
	"fmt"
	"math/rand/v2"
)

// Config describes the simulated machine. The zero value of every field means
// its default, so Config{} is a 512 MiB Debian 12 machine.
type Config struct {
	// RAM is the simulated physical memory in bytes (default 512 MiB). Memory
	// contents are allocated lazily, page by page, on first write, so a large
	// machine costs little real memory.
	RAM uint64
	// Seed keys %p hashing and every other pseudo-random choice (timestamps'
	// jitter, the pages boot leaves allocated). Same seed, same output.
	Seed uint64
	// Stock boots Debian's stock 6.1 build instead of kscript's default
	// debug build (KASAN, kmemleak, SLUB debug checks, DEBUG_ATOMIC_SLEEP):
	// see cmdline.go.
	Stock bool
	// Cmdline holds boot parameters added to the kernel command line, as
	// on the GRUB line: kasan_multi_shot, slub_debug=P, init_on_alloc=0,
	// kmemleak=off change the machine (cmdline.go); others are passed to
	// user space, as Linux does.
	Cmdline string
	// NoPCP turns the per-CPU page lists off, for a first look at the
	// Buddy System: every order-0..3 allocation and free then shows in
	// /proc/buddyinfo. Unlike Linux, which has no such switch.
	NoPCP bool
}

// DefaultRAM is the simulated RAM when Config.RAM is zero.
const DefaultRAM = 512 << 20

// ramSize words a RAM size for an error: "64 MiB", "1 KiB", "100 bytes".
func ramSize(n uint64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// MinRAM is the smallest machine kscript boots: Debian 12's kernel image,
// initrd and boot allocations need about 110 MiB before the first free page.
const MinRAM = 128 << 20

// Frame is one symbolised frame of a call trace: a script line in a function,
// or a kernel function when File is empty.
type Frame struct {
	Func   string // "hello_kmalloc_init", or a kernel symbol such as "kmalloc_trace"
	File   string // "hello_kmalloc.star"; empty for kernel frames
	Line   int
	Col    int
	Module string // the module the frame belongs to, "" for the core kernel
}

// String formats f as call traces print it: " hello_kmalloc_init+0x2c/0x90
// [hello_kmalloc] (hello_kmalloc.star:23)" style is up to the printer; this is
// the short form "file.star:LINE in func" used in explanations.
func (f Frame) String() string {
	if f.File == "" {
		return f.Func
	}
	return fmt.Sprintf("%s:%d in %s", f.File, f.Line, f.Func)
}

// Report is one kernel report the simulation produced: a BUG, WARNING, Oops,
// KASAN or kmemleak report, an allocation failure warning. Its text is already
// in the printk log; the Report is the structured record that the health
// summary, expectations (bugs:) and explanations read.
type Report struct {
	// Class names the bug class, stable for lessons and graders:
	// "page-allocation-failure", "slab-out-of-bounds", "use-after-free",
	// "double-free", "invalid-free", "bad-page-state", "sleeping-in-atomic",
	// "null-deref", "memory-leak", "usercopy", "warning", "oops", ...
	Class string
	// Title is the report's header line as printed ("BUG: KASAN: ...").
	Title string
	// Fatal is true when Linux would kill the current task (Oops, BUG()).
	Fatal bool
	// Stack is the script call stack when the report was made, innermost first.
	Stack []Frame
	// Time is the simulated time of the report in nanoseconds since boot.
	Time uint64
	// Shadow is a KASAN report's memory state; nil for other reports.
	Shadow *KasanShadow
	// Kscript marks kscript's own finding: something kscript knows that
	// Linux 6.1 does not print (a leak at rmmod, a free with the wrong
	// order, a device left registered). Nothing of it is in the kernel
	// log; the health summary lists it apart from the kernel's reports.
	Kscript bool
}

// Oops is returned by kernel operations after a fatal report (an Oops or
// BUG()): Linux kills the current task, so the caller must unwind the script
// and must not continue. Its report is already in the log.
type Oops struct {
	Report *Report
}

func (o *Oops) Error() string { return o.Report.Title }

// Kernel is one simulated machine: its physical memory, allocators, printk
// log, modules, execution contexts, devices and processes. It is not safe for
// concurrent use; each grading job uses a Kernel of its own.
type Kernel struct {
	cfg  Config
	boot bootParams // cmdline.go: the build's options and the boot parameters
	rng  *rand.Rand

	// now is the simulated monotonic clock in nanoseconds since boot
	// (local_clock()); it only moves forward, by Advance and by the small
	// fixed costs of kernel operations.
	now uint64

	// Stack, when set by the embedder, returns the current script call stack
	// (innermost first); reports and /proc/vmallocinfo callers use it.
	Stack func() []Frame

	reports []Report
	taint   uint32 // panic.go: the taint mask
	// panicMsg is panic()'s message once the kernel has panicked: the
	// machine is stopped (panic.go).
	panicMsg string

	log   printkLog    // printk.go
	mem   physMem      // physmem.go
	zones zoneSet      // mmzone.go
	slab  slabState    // slab_common.go, slub.go
	vm    vmallocState // vmalloc.go
	mods  moduleState  // module.go
	sched schedState   // sched.go: contexts, preempt_count, tasks
	irq   irqState     // softirq.go, timer.go, workqueue.go, irq.go
	dev   devState     // char_dev.go, vfs.go
	procs procState    // task.go, uaccess.go: user processes
	dbg   dbgState     // fault_inject.go, kmemleak.go, kasan.go: debugging facilities
}

// checkRAM refuses a machine smaller than Debian 12's kernel and initrd
// need, or larger than kscript simulates.
func checkRAM(ram uint64) error {
	switch {
	case ram < MinRAM:
		return fmt.Errorf("ram: %s is too small for Debian 12's kernel and initrd, want at least 128M", ramSize(ram))
	case ram > 1<<40:
		return fmt.Errorf("ram: %d GiB is too large, want at most 1T", ram>>30)
	}
	return nil
}

// New boots a simulated machine: it sizes the zones for cfg.RAM, reserves the
// pages the kernel image and boot allocations take, creates the kmalloc caches
// and prints the boot log.
func New(cfg Config) (*Kernel, error) {
	if cfg.RAM == 0 {
		cfg.RAM = DefaultRAM
	}
	if err := checkRAM(cfg.RAM); err != nil {
		return nil, err
	}
	k := &Kernel{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6b736372697074))}
	for _, step := range []func() error{
		k.parseCmdline, // cmdline.go: the build and the boot parameters
		k.bootLog,      // printk.go: the boot banner
		k.bootMemory,   // physmem.go, mmzone.go: frames, zones, boot reservations
		k.bootSlab,     // slab_common.go: kmalloc caches
		k.bootVmalloc,  // vmalloc.go
		k.bootModules,  // module.go
		k.bootSched,    // sched.go
		k.bootDevices,  // char_dev.go: built-in majors
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// bootTime is where the simulated clock stands when New returns: Debian 12
// in a small VM reaches a shell prompt a few seconds after boot.
const bootTime = 4_812_345_000

// Config returns the configuration the kernel was booted with.
func (k *Kernel) Config() Config { return k.cfg }

// Facilities reports which debugging facilities this boot has: KASAN,
// kmemleak and DEBUG_ATOMIC_SLEEP's might_sleep checks (the debug build has
// all three; the stock build none; kmemleak=off turns kmemleak off).
func (k *Kernel) Facilities() (kasan, kmemleak, mightSleep bool) {
	return k.boot.kasan, k.boot.kmemleak, k.boot.mightSleep
}

// Now returns the simulated monotonic clock in nanoseconds since boot.
func (k *Kernel) Now() uint64 { return k.now }

// Advance moves the simulated clock forward by ns nanoseconds.
func (k *Kernel) Advance(ns uint64) { k.now += ns }

// tick advances the clock by the cost of a small kernel operation: a fixed
// base plus seeded jitter, so timestamps look like a real machine's and stay
// deterministic.
func (k *Kernel) tick(baseNS uint64) { k.now += baseNS + k.rng.Uint64N(baseNS/2+1) }

// Rand returns the kernel's seeded random source, for simulated choices only.
func (k *Kernel) Rand() *rand.Rand { return k.rng }

// stack returns the embedder's current call stack, or nil.
func (k *Kernel) stack() []Frame {
	if k.Stack == nil {
		return nil
	}
	return k.Stack()
}

// report records a report whose text has already been printed. When fatal,
// it returns the *Oops that the caller must propagate; otherwise nil.
func (k *Kernel) report(class, title string, fatal bool) error {
	k.reports = append(k.reports, Report{Class: class, Title: title, Fatal: fatal, Stack: k.stack(), Time: k.now})
	if fatal {
		r := k.reports[len(k.reports)-1]
		return &Oops{Report: &r}
	}
	return nil
}

// note records kscript's own finding (Report.Kscript): no kernel line is
// printed; the stack is the script's, as for a report.
func (k *Kernel) note(class, title string) *Report {
	k.reports = append(k.reports, Report{Class: class, Title: title, Stack: k.stack(), Time: k.now, Kscript: true})
	return &k.reports[len(k.reports)-1]
}

// Reports returns every report made since boot, oldest first.
func (k *Kernel) Reports() []Report { return k.reports }
