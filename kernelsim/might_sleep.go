package kernelsim

import "fmt"

// Sleeping in atomic context.
//
// A function that may sleep (wait for memory to be reclaimed, for a mutex,
// for a page fault to be served, for time to pass) gives the CPU to another
// task. Code in atomic context cannot: a softirq or hardirq handler has no
// task of its own to put to sleep, and a spinlock holder would leave the
// lock held while others spin on it. With CONFIG_DEBUG_ATOMIC_SLEEP every
// sleeping primitive starts with might_sleep(), which reports the mistake
// even when this particular call would not have slept:
//
//	BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274
//	in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 14, name: ksoftirqd/0
//	preempt_count: 100, expected: 0
//	RCU nest depth: 0, expected: 0
//	CPU: 0 PID: 14 Comm: ksoftirqd/0 Tainted: G           OE      6.1.0-28-amd64 #1  Debian 6.1.119-1
//	...
//
// The report is not fatal: the call goes on (and usually does not sleep).
// If the code really schedules while atomic, schedule() itself complains
// with "BUG: scheduling while atomic".

// MightSleep mirrors might_sleep() (include/linux/kernel.h) at site, the
// FILE:LINE of the might_sleep() call; an empty site means the innermost
// script line, as a might_sleep() written in the script itself reports.
// frames are the kernel functions between __might_resched and the script,
// innermost first (e.g. "mutex_lock+0x1a/0x40"). It reports whether a
// report was printed.
func (k *Kernel) MightSleep(site string, frames ...string) bool {
	if site == "" {
		site = k.scriptSite()
	}
	return k.mightResched(site, frames)
}

// MightAlloc mirrors might_alloc(gfp) (include/linux/sched/mm.h), the first
// thing every slab and page allocation does: an allocation that allows
// direct reclaim (gfpflags_allow_blocking: GFP_KERNEL, GFP_USER, GFP_NOIO,
// GFP_NOFS, ...) may sleep, so it must not be made in atomic context;
// GFP_ATOMIC and GFP_NOWAIT never sleep. frames are as for MightSleep
// (for kmalloc: "__kmem_cache_alloc_node+0x..", "kmalloc_trace+0x..").
func (k *Kernel) MightAlloc(gfp GFP, frames ...string) bool {
	if !gfp.AllowsBlocking() {
		return false
	}
	return k.mightResched(SiteMightAlloc, frames)
}

// MightFault mirrors might_fault() (mm/memory.c:__might_fault), which the
// user-copy functions start with: touching user memory may take a page
// fault, and serving it may sleep. Unlike Linux, pagefault_disable() is not
// simulated, so the check always applies.
func (k *Kernel) MightFault(site string, frames ...string) bool {
	return k.MightSleep(site, frames...)
}

// mightResched mirrors __might_resched() (kernel/sched/core.c) as
// __might_sleep() calls it, with no offsets expected.
func (k *Kernel) mightResched(site string, frames []string) bool {
	if !k.boot.mightSleep || k.simulatorContext() || k.MaySleep() {
		// Without CONFIG_DEBUG_ATOMIC_SLEEP (the stock build) might_sleep()
		// checks nothing; schedule() still catches a real sleep.
		return false
	}
	// Rate limit: at most one report per second, machine-wide
	// (time_before(jiffies, prev_jiffy + HZ) && prev_jiffy).
	j := k.Jiffies()
	if prev := k.sched.mightPrevJiffy; prev != 0 && j < prev+HZ {
		return false
	}
	k.sched.mightPrevJiffy = j
	t := k.Current()
	title := "BUG: sleeping function called from invalid context at " + site
	k.logLines(LogErr, title,
		fmt.Sprintf("in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: %d, name: %s",
			flag01(k.InAtomic()), flag01(k.IrqsDisabled()), t.PID, t.Comm),
		fmt.Sprintf("preempt_count: %x, expected: 0", k.PreemptCount()),
		fmt.Sprintf("RCU nest depth: %d, expected: 0", t.rcuDepth))
	k.dumpStack(LogWarning, append(append([]string(nil), mightReschedFrames...), frames...)...)
	k.Taint(TaintWarn)
	k.report("sleeping-in-atomic", title, false)
	return true
}

// scriptSite is the innermost script line as "file.star:LINE".
func (k *Kernel) scriptSite() string {
	if st := k.stack(); len(st) > 0 {
		return fmt.Sprintf("%s:%d", st[0].File, st[0].Line)
	}
	return "unknown:0"
}

// schedule mirrors the debugging checks schedule() makes before it gives
// the CPU away (kernel/sched/core.c:schedule_debug): scheduling with a
// non-zero preempt_count is a bug. It reports whether the caller may
// really sleep. frames are the callers of schedule(), innermost first.
func (k *Kernel) schedule(frames ...string) bool {
	if k.PreemptCount() == 0 || k.simulatorContext() {
		return true
	}
	k.scheduleBug(append(append([]string(nil), scheduleFrames...), frames...)...)
	return false
}

// scheduleBug mirrors __schedule_bug(): the count printed includes the
// preempt_disable() that schedule() itself did.
func (k *Kernel) scheduleBug(frames ...string) {
	t := k.Current()
	title := fmt.Sprintf("BUG: scheduling while atomic: %s/%d/0x%08x", t.Comm, t.PID, k.PreemptCount()+PreemptOffset)
	k.printk(LogErr, "%s\n", title)
	k.printModulesLine()
	k.dumpStack(LogWarning, frames...)
	k.Taint(TaintWarn)
	k.report("scheduling-while-atomic", title, false)
}

// printModulesLine prints print_modules()'s line (module_procfs.go
// formats the list).
func (k *Kernel) printModulesLine() {
	k.printk(LogWarning, "Modules linked in:%s\n", k.printModules())
}

// flag01 is C's view of a bool in a %d.
func flag01(b bool) int {
	if b {
		return 1
	}
	return 0
}
