package kernelsim

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// KASAN's reports, mirroring mm/kasan/report.c of Linux 6.1 (print_report,
// print_error_description, print_address_description, describe_object,
// print_memory_metadata):
//
//	==================================================================
//	BUG: KASAN: slab-out-of-bounds in hello_init+0x45/0x1000 [hello]
//	Write of size 1 at addr ffff888003a4c164 by task insmod/1234
//
//	CPU: 0 PID: 1234 Comm: insmod Tainted: G           OE      6.1.0-28-amd64 ...
//	Call Trace: ... (dump_stack)
//
//	Allocated by task 1234:
//	 kasan_save_stack+0x1e/0x40 ...
//
//	The buggy address belongs to the object at ffff888003a4c100
//	 which belongs to the cache kmalloc-128 of size 128
//	The buggy address is located 100 bytes inside of
//	 128-byte region [ffff888003a4c100, ffff888003a4c180)
//
//	The buggy address belongs to the physical page:
//	page:... (dump_page)
//
//	Memory state around the buggy address:
//	 ffff888003a4c000: fc fc fc fc fc fc fc fc fc fc fc fc fc fc fc fc
//	 ...
//	>ffff888003a4c100: 00 00 00 00 00 00 00 00 00 00 00 00 04 fc fc fc
//	                                                       ^
//	==================================================================
//
// The report ends by tainting the kernel B (bad page), which turns lock
// debugging off the first time.

const kasanRule = "=================================================================="

// The kernel frames of the report's own stack and of its allocation and
// free tracks (kasan_save_stack and friends), as a 6.1 build prints them.
var (
	kasanReportFrames  = []string{"print_report+0x17f/0x47b", "kasan_report+0xad/0x130"}
	kasanMemsetFrames  = []string{"kasan_check_range+0x115/0x1f0", "memset+0x20/0x40"}
	kasanMemmoveFrames = []string{"kasan_check_range+0x115/0x1f0", "memmove+0x28/0x60"}
	kasanTrackFrames   = []string{"kasan_save_stack+0x1e/0x40", "kasan_set_track+0x21/0x30"}
	kasanAllocFrames   = lazy.NewMap(kasanAllocFramesTable)
	kasanFreeFrames    = lazy.NewMap(kasanFreeFramesTable)
)

func kasanAllocFramesTable() map[bool][]string {
	return map[bool][]string{
		true:  {"__kasan_kmalloc+0x7a/0x90", "kmalloc_trace+0x26/0x90"},
		false: {"__kasan_slab_alloc+0x6a/0x90", "kmem_cache_alloc+0x1a5/0x2e0"},
	}
}

func kasanFreeFramesTable() map[bool][]string {
	return map[bool][]string{
		true:  {"kasan_set_free_info+0x20/0x40", "____kasan_slab_free+0x15d/0x1b0", "__kmem_cache_free+0xcc/0x2a0", "kfree+0x7a/0x130"},
		false: {"kasan_set_free_info+0x20/0x40", "____kasan_slab_free+0x15d/0x1b0", "kmem_cache_free+0x14e/0x3b0"},
	}
}

// kasanAccess is the check the compiler puts before a load or store of n
// bytes at a (__asan_loadN/__asan_storeN), and memset/memcpy's check of
// their range (with callers "memset+0x20/0x40" after kasan_check_range). A
// bad access is reported; kasanAccess says whether it was bad, so that
// memset and memcpy can skip it as Linux's do. Only the direct map, the
// vmalloc area and the module space have shadow memory.
func (k *Kernel) kasanAccess(a Addr, n uint64, write bool) bool {
	off := a - k.dbg.kasan.okPage
	return (off >= PageSize || Addr(n) > PageSize-off) && k.kasanLoadStore(a, n, write)
}

// kasanLoadStore is kasanAccess's slow path.
func (k *Kernel) kasanLoadStore(a Addr, n uint64, write bool) bool {
	return k.kasanCheck(a, n, write, nil)
}

// kasanCheckRange is memset's and memmove's check of their range
// (kasan_check_range), with their kernel frames for the report.
func (k *Kernel) kasanCheckRange(a Addr, n uint64, write bool, callers []string) bool {
	return k.kasanCheck(a, n, write, callers)
}

func (k *Kernel) kasanCheck(a Addr, n uint64, write bool, callers []string) bool {
	r, bad, ok := k.kasanFind(a, n)
	if ok {
		return false
	}
	k.kasanReport(r, bad, write, callers)
	return true
}

// kasanFind checks an access: ok when it is allowed (or not checked),
// else the range and its first bad byte.
func (k *Kernel) kasanFind(a Addr, n uint64) (r kasanRange, bad Addr, ok bool) {
	ks := &k.dbg.kasan
	switch {
	case ks.off || ks.depth > 0 || n == 0 || a < PageOffset:
		return r, 0, true
	case ks.ctor != 0 && a >= ks.ctor && a+Addr(n) <= ks.ctor+Addr(ks.ctorSize):
		return r, 0, true
	}
	r = kasanRange{a: a, n: n}
	if IsDirectMapAddr(a) {
		if sl := k.slab.byPFN.get(PFN((a - PageOffset) >> PageShift)); sl != nil {
			if obj, size, ok := k.slabCache(sl).kasanObject(sl, a); ok {
				if a+Addr(n) <= obj+Addr(size) {
					return r, 0, true
				}
				r.origin, r.originSz = obj, size
			}
		}
	}
	bad, ok = k.kasanFirstBad(r)
	return r, bad, ok
}

// kasanReport mirrors kasan_report() for an access. As report_enabled()
// does, only the first report of the boot is printed unless the command
// line has kasan_multi_shot; with it, unlike Linux, which prints every
// report, kscript prints one per script line and bug type, so that a loop
// does not flood the log.
func (k *Kernel) kasanReport(r kasanRange, bad Addr, write bool, callers []string) {
	bugType := k.kasanBugType(r, bad)
	ip, key := k.kasanIP()
	ks := &k.dbg.kasan
	if !k.boot.kasanMultiShot && ks.reportedOnce {
		return // KASAN_BIT_REPORTED is set: later reports are dropped
	}
	if ks.reported == nil {
		ks.reported = map[string]bool{}
	}
	if ks.reported[key+" "+bugType] {
		return
	}
	ks.reported[key+" "+bugType] = true
	ks.reportedOnce = true
	title := fmt.Sprintf("BUG: KASAN: %s in %s", bugType, ip)
	rw := map[bool]string{false: "Read", true: "Write"}[write]
	t := k.Current()
	k.printk(LogErr, "%s\n", kasanRule)
	k.printk(LogErr, "%s\n", title)
	k.printk(LogErr, "%s of size %d at addr %016x by task %s/%d\n", rw, r.n, uint64(r.a), t.Comm, t.PID)
	k.printk(LogErr, "\n")
	k.kasanAddressDescription(r.a, r.origin, callers)
	shadow := k.kasanMemoryState(r, bad)
	shadow.Access, shadow.Size, shadow.Write = r.a, r.n, write
	k.printk(LogErr, "%s\n", kasanRule)
	k.addTaintUnreliable(TaintBadPage)
	k.report(bugType, title, false)
	k.reports[len(k.reports)-1].Shadow = shadow
}

// kasanIP is %pS of the instruction that made the access: the innermost
// script frame, symbolised in its module's text ("hello_init+0x45/0x1000
// [hello]"); and the key that stands for its line.
func (k *Kernel) kasanIP() (ip, key string) {
	for _, f := range k.stack() {
		if f.File == "" {
			continue
		}
		key = fmt.Sprintf("%s:%d", f.File, f.Line)
		if k.dbg.kasan.ip != "" {
			return k.dbg.kasan.ip, key
		}
		if m := k.FindModule(f.Module); m != nil {
			if s, ok := m.symbolize(f); ok {
				return s, key
			}
		}
		return FormatFrame(f), key
	}
	return "0x0", ""
}

// kasanAddressDescription mirrors print_address_description(): the stack,
// then what the address belongs to (a slab object with its tracks, a global
// variable, a vmalloc mapping) and the physical page.
//
// origin, when not 0, is the slab object the access started in: a byte
// past it is described relative to it ("to the right of"), as Linux, whose
// KASAN objects carry a redzone after them, finds it nearest.
func (k *Kernel) kasanAddressDescription(a, origin Addr, callers []string) {
	k.kasanAddressDescriptionFrames(a, origin, append(append([]string(nil), kasanReportFrames...), callers...))
}

// kasanAddressDescriptionFrames is print_address_description() with the
// report's kernel frames given whole.
func (k *Kernel) kasanAddressDescriptionFrames(a, origin Addr, frames []string) {
	k.dumpStack(LogErr, frames...)
	k.printk(LogErr, "\n")
	page, hasPage := PFN(0), false
	switch {
	case IsDirectMapAddr(a):
		pfn, ok := k.VirtToPage(a)
		if !ok {
			break
		}
		page, hasPage = pfn, true
		if sl := k.virtToSlab(a); sl != nil {
			k.kasanDescribeObject(sl, a, origin)
			page = PFN(sl.pfn)
		} else if head, state := k.pageBlockOf(pfn); state != blockUnknown {
			page = head
		}
	case IsModuleAddr(a):
		k.kasanDescribeGlobal(a)
	case IsVmallocAddr(a):
		if v := k.vmAreaContaining(a); v != nil {
			k.printk(LogErr, "The buggy address belongs to the virtual mapping at\n [%016x, %016x) created by:\n %s\n",
				uint64(v.Addr), uint64(v.End()), v.Caller())
			k.printk(LogErr, "\n")
			page, hasPage = k.vmTranslate(a)
		}
	}
	if hasPage {
		k.printk(LogErr, "The buggy address belongs to the physical page:\n")
		k.dumpPage(page, "kasan: bad access detected")
		k.printk(LogErr, "\n")
	}
}

// kasanDescribeObject mirrors describe_object(): the object's allocation
// and free tracks, then where the address lies relative to it. The object
// is nearest_obj() of the address.
func (k *Kernel) kasanDescribeObject(sl *Slab, a, origin Addr) {
	s := k.slabCache(sl)
	at := a
	if origin != 0 && k.virtToSlab(origin) == sl {
		at = origin
	}
	idx := min(int((at-sl.addr())/Addr(s.size)), int(sl.objects)-1)
	obj := s.objAddr(sl, idx)
	if t := s.track(sl, idx); sl.hasMeta() && t != nil {
		k.kasanPrintTrack("Allocated", t.AllocPID, t.AllocStack, kasanAllocFrames.Get()[s.kmalloc])
		k.kasanPrintTrack("Freed", t.FreePID, t.FreeStack, kasanFreeFrames.Get()[s.kmalloc])
	}
	k.printk(LogErr, "The buggy address belongs to the object at %016x\n which belongs to the cache %s of size %d\n",
		uint64(obj), s.Name, s.objectSize)
	rel, bytes := "inside", uint64(a-obj)
	switch {
	case a < obj:
		rel, bytes = "to the left", uint64(obj-a)
	case a >= obj+Addr(s.objectSize):
		rel, bytes = "to the right", uint64(a-obj-Addr(s.objectSize))
	}
	k.printk(LogErr, "The buggy address is located %d bytes %s of\n %d-byte region [%016x, %016x)\n",
		bytes, rel, s.objectSize, uint64(obj), uint64(obj)+uint64(s.objectSize))
	k.printk(LogErr, "\n")
}

// kasanPrintTrack mirrors print_track(): "Allocated by task N:" and the
// saved stack, when there is one.
func (k *Kernel) kasanPrintTrack(what string, pid int, stack []Frame, allocator []string) {
	if stack == nil {
		return
	}
	k.printk(LogErr, "%s by task %d:\n", what, pid)
	for _, f := range append(append([]string(nil), kasanTrackFrames...), allocator...) {
		k.printk(LogErr, " %s\n", f)
	}
	for _, f := range stack {
		k.printk(LogErr, " %s\n", FormatFrame(f))
	}
	k.printk(LogErr, "\n")
}

// kasanDescribeGlobal mirrors the "belongs to the variable" lines: %pS of
// the address, the global's name and offset in the module's symbols.
func (k *Kernel) kasanDescribeGlobal(a Addr) {
	gs := k.dbg.kasan.globals
	for _, g := range gs {
		if a < g.addr || a >= g.addr+Addr(g.sizeWithRedzone) {
			continue
		}
		name := g.name
		if name == "" {
			name = fmt.Sprintf("static_buffer_%x", uint64(g.addr)&0xffff)
		}
		mod := ""
		for _, m := range k.Modules() {
			if m.core != nil && a >= m.core.Addr && a < m.core.End() {
				mod = " [" + m.Name + "]"
			}
		}
		k.printk(LogErr, "The buggy address belongs to the variable:\n")
		k.printk(LogErr, " %s+%#x/%#x%s\n", name, uint64(a-g.addr), g.sizeWithRedzone, mod)
		k.printk(LogErr, "\n")
		return
	}
}

// kasanMemoryState mirrors print_memory_metadata(): five rows of 16 shadow
// bytes (128 bytes of memory each) around the first bad address, the row
// holding it marked with '>' and the granule with '^' beneath.
func (k *Kernel) kasanMemoryState(r kasanRange, bad Addr) *KasanShadow {
	const rowBytes = 16 * kasanGranule
	row := bad&^(rowBytes-1) - 2*rowBytes
	shadow := &KasanShadow{Start: row, Bad: bad}
	k.printk(LogErr, "Memory state around the buggy address:\n")
	for i := -2; i <= 2; i++ {
		mark := " "
		if i == 0 {
			mark = ">"
		}
		var hex [16 * 3]byte
		for g := 0; g < 16; g++ {
			p := row + Addr(g*kasanGranule)
			sh := k.kasanShadow(p)
			if p+kasanGranule > r.a && p < r.a+Addr(r.n) {
				sh = k.kasanShadowIn(r, p)
			}
			shadow.Bytes[(i+2)*16+g] = sh
			const digits = "0123456789abcdef"
			hex[g*3], hex[g*3+1], hex[g*3+2] = digits[sh>>4], digits[sh&15], ' '
		}
		k.printk(LogErr, "%s%016x: %s\n", mark, uint64(row), hex[:len(hex)-1])
		if i == 0 {
			off := 3 + 16 + int(bad-row)/kasanGranule*3 + 1
			k.printk(LogErr, "%*c\n", off, '^')
		}
		row += rowBytes
	}
	return shadow
}

// KasanShadow is the memory state a KASAN report printed: five rows of 16
// shadow bytes (80 granules of 8 bytes) around the first bad address, kept
// with the report so that a picture can draw what the text shows.
type KasanShadow struct {
	Start  Addr     // the address the first shadow byte describes
	Bad    Addr     // the first bad address (the row marked '>')
	Access Addr     // the access: Size bytes at Access
	Size   uint64   // the access's size
	Write  bool     // a write, else a read
	Bytes  [80]byte // the shadow bytes, row by row
}

// Frames of an invalid or double free's report: kasan_report_invalid_free
// called from ____kasan_slab_free, itself inlined into the free.
var kasanInvalidFreeFrames = []string{"print_report+0x17f/0x47b", "kasan_report_invalid_free+0xbb/0x110", "____kasan_slab_free+0x1a4/0x1b0"}

// kasanReportInvalidFree mirrors kasan_report_invalid_free() as
// ____kasan_slab_free calls it (mm/kasan/common.c, mm/kasan/report.c of
// 6.1): bugType is "invalid-free" for a pointer that is not an object's
// start (nearest_obj(cache, slab, object) != object) and "double-free" for
// an object already freed (!kasan_byte_accessible). caller is the free's
// frame: kfree's "kfree+0x7a/0x130" (the report's ip is where
// __kmem_cache_free returns to in kfree), or kmem_cache_free's, which
// inlines slab_free, so that the ip is its return address in the script.
// The header's second line is print_error_description's "Free of addr %px
// by task %s/%d"; the rest is an access report's. As report_enabled()
// says, only the first KASAN report of a boot is printed without
// kasan_multi_shot; the free is refused all the same.
func (k *Kernel) kasanReportInvalidFree(a Addr, bugType, caller string) {
	ip, key := k.kasanIP()
	if strings.HasPrefix(caller, "kfree+") {
		ip = "kfree+0x7a/0x130"
		caller = ip
	}
	frames := append(append([]string(nil), kasanInvalidFreeFrames...), caller)
	if strings.HasPrefix(caller, "kfree+") {
		frames = append(frames[:len(frames)-1], "__kmem_cache_free+0x1b8/0x2a0", caller)
	}
	k.kasanReportBadFree(a, bugType, ip, key, frames)
}

// kasanLargeFreeFrames are the frames above the script of a report that
// free_large_kmalloc()'s kasan_kfree_large() makes: __kasan_kfree_large
// (mm/kasan/common.c) calls kasan_report_invalid_free. kfree tail-calls
// free_large_kmalloc (in Debian's build), so its _RET_IP_, the report's
// ip, is the script's. The offsets are estimates: Debian ships no KASAN
// build.
var kasanLargeFreeFrames = []string{"print_report+0x17f/0x47b", "kasan_report_invalid_free+0xbb/0x110",
	"__kasan_kfree_large+0x9a/0xb0", "free_large_kmalloc+0x61/0xb0"}

// kasanReportLargeFree mirrors kasan_kfree_large() on a kfree of a page
// that no large kmalloc heads (6.1's ____kasan_kfree_large): an address
// that is not its page's start is an "invalid-free", a page KASAN
// poisoned when it was freed a "double-free". It reports whether it
// printed (or, past the first report of a boot, would have printed) one.
// Unlike the slab's check, Linux's free goes on after it.
func (k *Kernel) kasanReportLargeFree(a Addr, pfn PFN) bool {
	bugType := "invalid-free"
	if a == PageAddress(pfn) {
		if _, state := k.pageBlockOf(pfn); state != blockFree {
			return false
		}
		bugType = "double-free"
	}
	ip, key := k.kasanIP()
	k.kasanReportBadFree(a, bugType, ip, key, kasanLargeFreeFrames)
	return true
}

// kasanReportBadFree prints kasan_report_invalid_free()'s report of
// bugType at a, whose ip is ip, with frames above the script's.
func (k *Kernel) kasanReportBadFree(a Addr, bugType, ip, key string, frames []string) {
	ks := &k.dbg.kasan
	if !k.boot.kasanMultiShot && ks.reportedOnce {
		return
	}
	if ks.reported == nil {
		ks.reported = map[string]bool{}
	}
	if ks.reported[key+" "+bugType] {
		return
	}
	ks.reported[key+" "+bugType] = true
	ks.reportedOnce = true
	title := fmt.Sprintf("BUG: KASAN: %s in %s", bugType, ip)
	t := k.Current()
	k.printk(LogErr, "%s\n", kasanRule)
	k.printk(LogErr, "%s\n", title)
	k.printk(LogErr, "Free of addr %016x by task %s/%d\n", uint64(a), t.Comm, t.PID)
	k.printk(LogErr, "\n")
	k.kasanAddressDescriptionFrames(a, 0, frames)
	r := kasanRange{a: a}
	shadow := k.kasanMemoryState(r, a)
	shadow.Access = a
	k.printk(LogErr, "%s\n", kasanRule)
	k.addTaintUnreliable(TaintBadPage)
	k.report(bugType, title, false)
	k.reports[len(k.reports)-1].Shadow = shadow
}
