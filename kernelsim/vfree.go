package kernelsim

import "fmt"

// Freeing and translating vmalloc memory, and the reports of mm/vmalloc.c:
// vfree(), vmalloc_to_page(), the page-table walk behind every access to the
// vmalloc and module spaces, and the warnings a misuse produces.

// Vfree mirrors vfree(): unmap the area that starts at a, give every page
// back to the buddy allocator, free the pages array and the vm_struct.
// vfree(NULL) does nothing. An address that is not page aligned, or page
// aligned but not the start of a vm area (a kmalloc pointer, a pointer into
// the middle of a buffer, a second vfree), gets the kernel's WARNING and is
// otherwise ignored, as on Linux; the error is nil because a WARN does not
// kill the task.
//
// Unlike Linux, vfree() from interrupt context frees at once instead of
// deferring to a work item (vfree_atomic).
func (k *Kernel) Vfree(a Addr) error {
	if a == 0 {
		return nil
	}
	if a&(PageSize-1) != 0 {
		return k.vfreeWarn(vfreeBadAddrSite, LogWarning, "Trying to vfree() bad address (%s)", a)
	}
	area := k.findVMArea(a)
	if area == nil {
		return k.vfreeWarn(vfreeNonexistentSite, LogErr, "Trying to vfree() nonexistent vm area (%s)", a)
	}
	k.vfreeArea(area)
	return nil
}

// The WARN() sites in Debian 6.1's __vunmap(): file:line, and the function
// and offset the trapping instruction is at.
var (
	vfreeBadAddrSite     = warnSite{"mm/vmalloc.c:2675", "__vunmap+0x27c/0x2c0"}
	vfreeNonexistentSite = warnSite{"mm/vmalloc.c:2682", "__vunmap+0x266/0x2c0"}
	vmallocZeroSite      = warnSite{"mm/vmalloc.c:3150", "__vmalloc_node_range+0x6e1/0x810"}
)

// warnSite is where a WARN() sits in the simulated kernel.
type warnSite struct {
	file string // "mm/vmalloc.c:2682"
	rip  string // "__vunmap+0x266/0x2c0"
}

// vfreeWarn prints WARN(1, fmt, addr) from __vunmap and records a
// "bad-vfree" report.
func (k *Kernel) vfreeWarn(site warnSite, level int, format string, a Addr) error {
	msg := fmt.Sprintf(format, k.HashPointer(a))
	k.warnMsg(level, msg, site, "vfree+0x2b/0x90")
	return k.report("bad-vfree", msg, false)
}

// vmWarnOnce prints a WARN_ON_ONCE() splat of mm/vmalloc.c the first time
// key is seen since boot.
func (k *Kernel) vmWarnOnce(key string, site warnSite, callers ...string) {
	if k.vm.once == nil {
		k.vm.once = map[string]bool{}
	}
	if k.vm.once[key] {
		return
	}
	k.vm.once[key] = true
	k.warnMsg(LogWarning, "", site, callers...)
	k.report("warning", fmt.Sprintf("WARNING: CPU: 0 PID: %d at %s %s", k.Current().PID, site.file, site.rip), false)
}

// warnMsg mirrors WARN(cond, fmt, ...) at site, the message printed at
// level (see warn). callers are the kernel functions between the warning
// one and the script, innermost first.
func (k *Kernel) warnMsg(level int, msg string, site warnSite, callers ...string) {
	k.warn(level, site.file, site.rip, msg, callers)
}

// vmallocWarnAlloc mirrors warn_alloc(gfp, NULL, fmt, ...) for vmalloc's
// failures: "insmod: vmalloc error: size 8192, page order 0, failed to
// allocate pages, mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null),
// cpuset=/,mems_allowed=0", the stack and the Mem-Info block.
// __GFP_NOWARN and the rate limit (warnAllocAllowed) silence it.
func (k *Kernel) vmallocWarnAlloc(gfp GFP, format string, args ...any) {
	if !k.warnAllocAllowed(gfp) {
		return
	}
	t := k.Current()
	title := fmt.Sprintf("%s: %s, mode:%s, nodemask=(null)", t.Comm, fmt.Sprintf(format, args...), gfp.Mode())
	k.printk(LogWarning, "%s,cpuset=/,mems_allowed=0\n", title)
	k.dumpStack(LogWarning, "warn_alloc+0x138/0x1b0", "__vmalloc_node_range+0x5a8/0x810", "__vmalloc_node+0x4a/0x70")
	k.showMem(ZoneNormal)
	k.report("vmalloc-failure", title, false)
}

// vmTranslate resolves an address in the vmalloc or module space to its
// backing frame, as the CPU's page-table walk would; ok is false where
// nothing is mapped (a guard page, a hole, a lazily freed area, an area made
// at boot).
func (k *Kernel) vmTranslate(a Addr) (pfn PFN, ok bool) {
	v := k.vmAreaContaining(a)
	if v == nil {
		return 0, false
	}
	i := uint64(a-v.Addr) >> PageShift
	if i >= uint64(len(v.Pages)) {
		return 0, false
	}
	return v.Pages[i], true
}

// VmallocToPage mirrors vmalloc_to_page(): the frame mapped at a vmalloc or
// module address, found by walking the kernel page tables. Like Linux 6.1 it
// also answers for the direct map (the walk stops at the huge-page leaf);
// ok is false where nothing is mapped.
func (k *Kernel) VmallocToPage(a Addr) (PFN, bool) {
	switch {
	case IsVmallocAddr(a) || IsModuleAddr(a):
		return k.vmTranslate(a)
	case IsDirectMapAddr(a):
		return k.VirtToPage(a)
	}
	return 0, false
}

// VmallocToPFN mirrors vmalloc_to_pfn(): page_to_pfn(vmalloc_to_page(a)),
// 0 where nothing is mapped.
func (k *Kernel) VmallocToPFN(a Addr) PFN {
	pfn, _ := k.VmallocToPage(a)
	return pfn
}

// FindVMArea mirrors find_vm_area(): the vm area that starts at a, or nil.
// Tests and reports read its pages and caller.
func (k *Kernel) FindVMArea(a Addr) *VMStruct { return k.findVMArea(a) }

// VMAreas returns the busy vm areas in address order, as /proc/vmallocinfo
// lists them; leak checks look for a module's areas among them.
func (k *Kernel) VMAreas() []*VMStruct { return append([]*VMStruct(nil), k.vm.busy...) }

// Caller returns the area's caller as /proc/vmallocinfo prints it (%pS).
func (v *VMStruct) Caller() string { return v.caller.String() }

// CallerFrame returns the script frame that allocated the area and the
// module it belongs to; ok is false for an area kernelsim itself made.
func (v *VMStruct) CallerFrame() (f Frame, ok bool) {
	return v.caller.frame, v.caller.frame.File != ""
}
