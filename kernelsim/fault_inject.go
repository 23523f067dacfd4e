package kernelsim

import "fmt"

// Fault injection, mirroring lib/fault-inject.c (struct fault_attr,
// should_fail_ex, fail_dump), mm/failslab.c (failslab), mm/page_alloc.c
// (fail_page_alloc) and lib/fault-inject-usercopy.c (fail_usercopy).
//
// A kernel built with CONFIG_FAULT_INJECTION can be told to make some
// allocations or user copies fail on purpose, so that the error paths of a
// driver — the code after "if (!p) return -ENOMEM;" that never runs on a
// healthy machine — get exercised. Each kind of fault has a struct
// fault_attr, configured in /sys/kernel/debug/<name>/:
//
//	probability  percent of the calls that fail (0: never)
//	interval     only every interval-th call may fail
//	times        how many failures at most (-1: no limit)
//	space        the first `space` bytes of requests are let through
//	verbose      0 silent, 1 the FAULT_INJECTION lines, 2 also a stack dump
//
// and /proc/self/fail-nth makes exactly the Nth call from now fail, once
// (systematic fault injection, what syzkaller uses). kscript's --fail SPEC
// sets them all in one string: "kmalloc:nth=2", "page_alloc:probability=10,
// times=3", "vmalloc:times=1", "usercopy:nth=1".
//
// The allocators ask before they allocate, as Linux's hooks do:
//
//	kmalloc, kmem_cache_alloc   slab_pre_alloc_hook -> should_failslab     shouldFailSlab
//	alloc_pages and friends     prepare_alloc_pages -> should_fail_alloc_page  shouldFailAlloc
//	vmalloc                     (kscript's own fail_vmalloc)              shouldFailVmalloc
//	copy_{from,to}_user         _copy_{from,to}_user -> should_fail_usercopy  shouldFailUsercopy
//
// and a "yes" makes the call fail as if memory had run out (NULL, without
// the allocation failure warning: the allocator returns before trying) or
// as if the user page were missing (all bytes left uncopied).
//
// Unlike Linux, where the debugfs defaults leave GFP_KERNEL allocations alone
// (failslab and fail_page_alloc have ignore-gfp-wait=Y, fail_page_alloc also
// ignore-gfp-highmem=Y and min-order=1, so only atomic allocations of order
// 1 and above could fail), kscript's defaults are those of a tester who wants
// a driver's error paths: ignore-gfp-wait=N, ignore-gfp-highmem=N,
// min-order=0. The spec options restore Linux's values.
//
// Unlike Linux, whose fail-nth is per task and counts the calls of every kind
// of fault, kscript's nth belongs to one kind ("the 2nd kmalloc"), whatever
// task makes the calls.
//
// Only calls made while script code is on the call stack count, as if
// require-start/require-end (the stack trace filter of
// CONFIG_FAULT_INJECTION_STACKTRACE_FILTER) bounded the module space: the
// kernel's own allocations at boot or in a shell command never fail. Calls
// the kernel makes on behalf of the script do count (vmalloc kmallocs its
// struct vm_struct, a new slab takes pages), as they would on Linux.

// FaultTarget names a kind of injected fault: one struct fault_attr.
type FaultTarget int

// The fault kinds, under Linux's debugfs names.
const (
	FaultSlab      FaultTarget = iota // failslab: kmalloc, kmem_cache_alloc
	FaultPageAlloc                    // fail_page_alloc: alloc_pages and everything built on it
	FaultVmalloc                      // fail_vmalloc: kscript's own, a vmalloc area's pages
	FaultUsercopy                     // fail_usercopy: copy_from_user, copy_to_user
	nrFaultTargets
)

// faultNames are the attributes' dentry names, what fail_dump prints (%pd).
var faultNames = [nrFaultTargets]string{"failslab", "fail_page_alloc", "fail_vmalloc", "fail_usercopy"}

func (t FaultTarget) String() string {
	if t < 0 || t >= nrFaultTargets {
		return fmt.Sprintf("FaultTarget(%d)", int(t))
	}
	return faultNames[t]
}

// faultAttr mirrors struct fault_attr (include/linux/fault-inject.h) with
// the extra switches of its users (failslab's ignore_gfp_reclaim,
// fail_page_alloc's ignore_gfp_highmem and min_order) and kscript's nth.
type faultAttr struct {
	spec  FailSpec
	times int64  // atomic times: failures left, -1 for no limit
	space int64  // atomic space: bytes still let through
	count uint64 // count: calls seen, for interval
	nth   uint64 // calls until the one that fails (fail-nth); 0 when off
	calls uint64 // kscript's: calls asked about that could fail (script code on the stack)
}

// faultState holds the armed fault attributes; nil where a kind is off, so
// that an allocator's check costs one comparison.
type faultState struct {
	attr [nrFaultTargets]*faultAttr
}

// dbgState is the state of the debugging facilities: fault injection,
// kmemleak and KASAN.
type dbgState struct {
	fault faultState
	leak  kmemleakState
	kasan kasanState
}

// SetFaultInjection arms the fault attributes described by specs (see
// ParseFailSpec), replacing any earlier configuration; an empty list turns
// fault injection off. nth counts from now. Errors name the bad spec and
// leave the earlier configuration in place.
func (k *Kernel) SetFaultInjection(specs []string) error {
	var st faultState
	for _, s := range specs {
		fs, err := ParseFailSpec(s)
		if err != nil {
			return err
		}
		if st.attr[fs.Target] != nil {
			return fmt.Errorf("fail: %q: %s is already set by %q", s, fs.Target, st.attr[fs.Target].spec.Text)
		}
		st.attr[fs.Target] = &faultAttr{spec: fs, times: fs.Times, space: fs.Space, nth: fs.Nth}
	}
	k.dbg.fault = st
	k.updatePageFast()
	return nil
}

// FaultInjection returns the armed specs in target order, with the
// counters as they stand now (times and space left, nth still to go).
func (k *Kernel) FaultInjection() []FailSpec {
	var out []FailSpec
	for _, a := range k.dbg.fault.attr {
		if a != nil {
			s := a.spec
			s.Times, s.Space, s.Nth, s.Calls = a.times, a.space, a.nth, a.calls
			out = append(out, s)
		}
	}
	return out
}

// FaultCalls returns how many calls the fault attribute of target has been
// asked about that could fail (FailSpec.Calls), and whether it is armed:
// FaultInjection's count of one kind, without building the list, for a
// caller that asks after every allocation (runtime's kept watch).
func (k *Kernel) FaultCalls(target FaultTarget) (uint64, bool) {
	if target < 0 || target >= nrFaultTargets {
		return 0, false
	}
	if a := k.dbg.fault.attr[target]; a != nil {
		return a.calls, true
	}
	return 0, false
}

// The kernel frames between dump_stack() and the caller of each check, as
// a Debian 6.1 call trace shows them.
var (
	failslabFrames     = []string{"should_fail_ex+0x1b2/0x1e0", "should_failslab+0x9/0x20"}
	failPageFrames     = []string{"should_fail_ex+0x1b2/0x1e0", "should_fail_alloc_page+0x3a/0x50", "prepare_alloc_pages.constprop.0+0x16f/0x1a0", "__alloc_pages+0xa0/0x330"}
	failVmallocFrames  = []string{"should_fail_ex+0x1b2/0x1e0", "__vmalloc_area_node+0x1c4/0x2a0", "__vmalloc_node_range+0x12a/0x810"}
	failUsercopyFrames = []string{"should_fail_ex+0x1b2/0x1e0", "should_fail_usercopy+0x1a/0x20"}
)

// shouldFailSlab mirrors __should_failslab() (mm/failslab.c), which
// slab_pre_alloc_hook() calls before every slab allocation: size is the
// cache's object_size (what space counts). __GFP_NOFAIL allocations never
// fail; __GFP_NOWARN ones fail silently. callers are the kernel frames
// below should_failslab for the stack dump ("kmalloc_trace+0x26/0x90").
//
// Unlike Linux, the allocator's own bootstrap caches are not exempted by
// name: kernelsim never allocates from them with script code on the stack.
func (k *Kernel) shouldFailSlab(gfp GFP, size uint64, callers ...string) bool {
	a := k.dbg.fault.attr[FaultSlab]
	return a != nil && k.failSlab(a, gfp, size, callers)
}

func (k *Kernel) failSlab(a *faultAttr, gfp GFP, size uint64, callers []string) bool {
	if gfp&GFPNoFail != 0 {
		return false
	}
	if a.spec.IgnoreGFPWait && gfp&GFPDirectReclaim != 0 {
		return false
	}
	return k.shouldFail(a, int64(size), gfp&GFPNoWarn != 0, failslabFrames, callers)
}

// shouldFailAlloc mirrors __should_fail_alloc_page() (mm/page_alloc.c),
// which prepare_alloc_pages() calls before every page allocation: space
// counts pages (1 << order). callers are the frames below __alloc_pages.
// Unlike Linux, movable allocations (a user program's memory, the page
// cache) never fail: kscript's page_alloc fault is for the module's own.
func (k *Kernel) shouldFailAlloc(gfp GFP, order int, callers ...string) bool {
	a := k.dbg.fault.attr[FaultPageAlloc]
	return a != nil && k.failPageAlloc(a, gfp, order, callers)
}

func (k *Kernel) failPageAlloc(a *faultAttr, gfp GFP, order int, callers []string) bool {
	if order < a.spec.MinOrder || gfp&(GFPNoFail|GFPMovable) != 0 {
		return false
	}
	if a.spec.IgnoreGFPHighmem && gfp&GFPHighmem != 0 || a.spec.IgnoreGFPWait && gfp&GFPDirectReclaim != 0 {
		return false
	}
	return k.shouldFail(a, 1<<order, gfp&GFPNoWarn != 0, failPageFrames, callers)
}

// shouldFailVmalloc is kscript's fail_vmalloc: asked once per vmalloc area
// (size bytes) before its pages are allocated; a "yes" makes the area's
// page allocation fail, so vmalloc prints its "failed to allocate pages"
// warning and returns NULL. Unlike Linux, which has no such attribute (a
// vmalloc fails through fail_page_alloc on one of its order-0 pages), it
// lets a lesson fail a vmalloc without failing every other allocation.
func (k *Kernel) shouldFailVmalloc(size uint64, callers ...string) bool {
	a := k.dbg.fault.attr[FaultVmalloc]
	if a == nil {
		return false
	}
	return k.shouldFail(a, int64(size), false, failVmallocFrames, callers)
}

// shouldFailUsercopy mirrors should_fail_usercopy()
// (lib/fault-inject-usercopy.c): _copy_from_user and _copy_to_user ask it
// first and, on a "yes", copy nothing and return n (copy_from_user also
// zero-fills the destination). callers are the frames below
// should_fail_usercopy ("_copy_from_user+0x2b/0x80").
func (k *Kernel) shouldFailUsercopy(callers ...string) bool {
	a := k.dbg.fault.attr[FaultUsercopy]
	if a == nil {
		return false
	}
	return k.shouldFail(a, 1, false, failUsercopyFrames, callers)
}

// shouldFail mirrors should_fail_ex() (lib/fault-inject.c): the fail-nth
// countdown first, then times, space, interval and probability, in Linux's
// order. nowarn is FAULT_NOWARN (__GFP_NOWARN): fail without fail_dump.
func (k *Kernel) shouldFail(a *faultAttr, size int64, nowarn bool, frames, callers []string) bool {
	if !k.failStacktrace() {
		return false
	}
	a.calls++
	if a.nth > 0 {
		a.nth--
		if a.nth > 0 {
			return false
		}
	} else {
		switch {
		case a.spec.Probability == 0, a.times == 0:
			return false
		case a.space > size:
			a.space -= size
			return false
		}
		if a.spec.Interval > 1 {
			a.count++
			if a.count%a.spec.Interval != 0 {
				return false
			}
		}
		if a.spec.Probability <= k.rng.Uint64N(100) { // prandom_u32_max(100)
			return false
		}
	}
	if !nowarn {
		k.failDump(a, frames, callers)
	}
	if a.times > 0 { // atomic_dec_not_zero, unless times is -1
		a.times--
	}
	k.report("fault-injection", "FAULT_INJECTION: forcing a failure.", false)
	return true
}

// failStacktrace stands for fail_stacktrace() with require-start and
// require-end around the module space: only calls with script code on the
// stack may fail.
func (k *Kernel) failStacktrace() bool {
	for _, f := range k.stack() {
		if f.File != "" {
			return true
		}
	}
	return false
}

// failDump mirrors fail_dump(): one KERN_NOTICE printk of two lines (the
// counters as they are before this failure is counted), then dump_stack()
// when verbose > 1. The ratelimit is off, as FAULT_ATTR_INITIALIZER leaves it.
func (k *Kernel) failDump(a *faultAttr, frames, callers []string) {
	if a.spec.Verbose < 1 {
		return
	}
	k.printk(LogNotice, "FAULT_INJECTION: forcing a failure.\nname %s, interval %d, probability %d, space %d, times %d\n",
		a.spec.Target, a.spec.Interval, a.spec.Probability, a.space, a.times)
	if a.spec.Verbose > 1 {
		k.dumpStack(LogWarning, append(append([]string(nil), frames...), callers...)...)
	}
}
