package kernelsim

import (
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
)

// kmemleak, mirroring mm/kmemleak.c: a tracing garbage collector that
// finds memory nobody points to any more.
//
// Every allocation is recorded (struct kmemleak_object: address, size, who
// allocated it, when, and the call stack). A scan then works like the mark
// phase of a conservative garbage collector: starting from the roots (the
// kernel's data and bss sections, the task stacks) every aligned word is
// read as a possible pointer; an object some word points into is
// "referenced" (gray) and is scanned in turn. Objects never reached stay
// "unreferenced" (white); those at least 5 seconds old (MSECS_MIN_AGE) and
// not reported before are reported as new suspected leaks:
//
//	kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
//
// A scan runs only when someone asks for it or the scanning thread wakes:
// `echo scan > /sys/kernel/debug/kmemleak` (kmemleak_write), or
// kmemleak_scan_thread, 60 seconds after it started at boot
// (SECS_FIRST_SCAN) and then every 600 seconds (SECS_SCAN_WAIT). Nothing
// is reported at rmmod. The details are in /sys/kernel/debug/kmemleak:
//
//	unreferenced object 0xffff888003a4c180 (size 128):
//	  comm "insmod", pid 1234, jiffies 4294892345 (age 8.440s)
//	  hex dump (first 32 bytes):
//	    66 6f 72 67 6f 74 74 65 6e 00 00 00 00 00 00 00  forgotten.......
//	    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
//	  backtrace:
//	    [<00000000bdc99002>] __kmem_cache_alloc_node+0x1e5/0x2e0
//	    [<0000000052f3c8a1>] kmalloc_trace+0x26/0x90
//	    [<00000000e1b0a7c4>] hello_init (hello.star:23) [hello]
//
// `echo clear` makes the objects reported so far gray for good: they are
// neither listed nor reported again. The stock build has no kmemleak
// (CONFIG_DEBUG_KMEMLEAK is off): no file, no scans.
//
// kscript keeps the same records for a check of its own, made at rmmod on
// both builds (LeakCheck): whatever the module allocated that nothing
// points to once it is gone is recorded as kscript's finding (class
// "memory-leak", Report.Kscript), printed nowhere in the kernel log. It
// knows pages from alloc_pages() too, which kmemleak does not track.
//
// The simulation differs from Linux in these ways:
//
//   - Unlike Linux, only allocations made while script code is on the call
//     stack are recorded (the kernel's own objects are never leaks here),
//     each with the module of its innermost script frame as its owner.
//   - As in Linux, kmemleak neither tracks nor scans pages from
//     alloc_pages() or __get_free_pages() (kscript's own check does; pages
//     that become a slab or back a vmalloc area are the allocator's own and
//     are ignored, as is module memory, which Linux marks with
//     kmemleak_not_leak).
//   - The roots are what the simulator has as memory: the objects and the
//     data sections of loaded modules; pointers the kernel keeps in its
//     own bookkeeping (a vm_struct, a kmem_cache's name) count as
//     references. Unlike Linux, every object of a loaded module counts as
//     referenced: a script's Starlark variables are not simulated memory,
//     so a pointer kept in one would otherwise look lost. After rmmod that
//     is what Linux sees anyway: the module's data and bss are freed with
//     it. As in Linux, an unreferenced object is not scanned, so
//     everything only it points to is unreferenced too.
//   - The scanning thread runs when simulated time passes on the idle CPU
//     (Tick, msleep, a scenario's pause between steps), not as a task.

// leakKind says which allocator made a kmemleak object.
type leakKind uint8

const (
	leakKmalloc leakKind = iota // kmalloc from a kmalloc cache (slab_post_alloc_hook)
	leakCache                   // kmem_cache_alloc from a script's cache
	leakLarge                   // kmalloc above KMALLOC_MAX_CACHE_SIZE (__kmalloc_large_node)
	leakVmalloc                 // a vmalloc area (kmemleak_vmalloc)
	leakPages                   // alloc_pages, __get_free_pages: kscript's own
)

// leakFrames are the kernel frames between kmemleak's hook and the caller,
// innermost first, the start of every backtrace of that kind.
var leakFrames = [...][]string{
	leakKmalloc: {"__kmem_cache_alloc_node+0x1e5/0x2e0", "kmalloc_trace+0x26/0x90"},
	leakCache:   {"kmem_cache_alloc+0x1a5/0x2e0"},
	leakLarge:   {"__kmalloc_large_node+0xb3/0x140", "kmalloc_large+0x1e/0x90"},
	leakVmalloc: {"__vmalloc_node_range+0x64f/0x810", "__vmalloc_node+0x4a/0x70", "vmalloc+0x1a/0x20"},
	leakPages:   {"__alloc_pages+0x1bd/0x330", allocPagesCaller},
}

// kmemleakMaxTrace mirrors MAX_TRACE: backtrace entries kept per object.
const kmemleakMaxTrace = 16

// kmemleakObject mirrors struct kmemleak_object (mm/kmemleak.c).
type kmemleakObject struct {
	pointer  Addr
	size     uint64
	kind     leakKind
	seq      uint64 // position in object_list: allocation order
	jiffies  uint64 // creation time
	pid      int
	comm     string
	stack    []Frame  // the script frames, innermost first
	entry    []string // the kernel path into the script (the task's entry)
	module   string   // the owning module: the innermost script frame's
	reported bool     // OBJECT_REPORTED: counted by a kmemleak scan
	white    bool     // unreferenced (and old enough) at the last scan
	cleared  bool     // painted gray for good by "echo clear"
	noted    bool     // in kscript's own leak check (LeakCheck)
}

// kmemleakState holds the objects (object_tree_root and object_list) and
// the modules CheckModuleGone has seen go.
type kmemleakState struct {
	objects map[Addr]*kmemleakObject
	// n is len(objects), kept beside it: the allocators' free paths test
	// it on every free, and a map's length is a nil check, a load and two
	// branches where n is a load and one.
	n     int
	spare []*kmemleakObject // freed objects' records, reused (kmemleak's object_cache)
	seq   uint64
	gone  map[string]*Module

	// The scanning thread (kmemleak_scan_thread): nextScan is when it
	// wakes next (ns since boot), valid while threadOn; scanWait is
	// jiffies_scan_wait in ns.
	threadOn bool
	nextScan uint64
	scanWait uint64
	// off is set by "echo off" (kmemleak_disable): no more scans, and the
	// file answers EBUSY (reads) or EPERM (writes).
	off bool
	// scanned: a scan has run, so an object's count is its references.
	scanned bool
}

// kmemleak's timing (mm/kmemleak.c).
const (
	kmemleakMinAgeMs     = 5000       // MSECS_MIN_AGE
	kmemleakFirstScanSec = 60         // SECS_FIRST_SCAN
	kmemleakScanWaitSec  = 600        // SECS_SCAN_WAIT
	nsPerSec             = 1000000000 // for the scanning thread's clock
)

// kmemleakAlloc mirrors kmemleak_alloc() (and kmemleak_vmalloc()): the
// allocators call it after every successful allocation, with the object's
// address and size (a slab object's cache object_size, a large kmalloc's
// requested size, a vmalloc area's PAGE_ALIGNed size, PAGE_SIZE << order
// for pages). Without script code on the stack it records nothing.
func (k *Kernel) kmemleakAlloc(ptr Addr, size uint64, kind leakKind) {
	if k.Stack == nil {
		return
	}
	stack := k.stack()
	module := ""
	for _, f := range stack {
		if f.File != "" && f.Module != "" {
			module = f.Module
			break
		}
	}
	if module == "" {
		return
	}
	l := &k.dbg.leak
	if l.objects == nil {
		l.objects = map[Addr]*kmemleakObject{}
	}
	l.seq++
	var o *kmemleakObject
	if n := len(l.spare); n > 0 {
		o, l.spare = l.spare[n-1], l.spare[:n-1]
	} else {
		o = new(kmemleakObject)
	}
	*o = kmemleakObject{pointer: ptr, size: size, kind: kind, seq: l.seq, jiffies: k.Jiffies(),
		stack: stack, entry: k.Current().entry, module: module}
	o.pid, o.comm = k.kmemleakTask()
	l.objects[ptr] = o
	l.n = len(l.objects)
}

// kmemleakTask mirrors create_object()'s task information: "hardirq" or
// "softirq" with pid 0 in interrupt context, else current's.
func (k *Kernel) kmemleakTask() (int, string) {
	switch {
	case k.InHardirq():
		return 0, "hardirq"
	case k.InServingSoftirq():
		return 0, "softirq"
	}
	t := k.Current()
	return t.PID, t.Comm
}

// kmemleakFree mirrors kmemleak_free(): the allocators call it when the
// object at ptr is freed. Unlike Linux, freeing an unknown object (one
// allocated without script code on the stack) is not a warning.
func (k *Kernel) kmemleakFree(ptr Addr) {
	if k.dbg.leak.n != 0 { // else no script allocation is tracked: the allocators' hot paths
		k.kmemleakForget(ptr)
	}
}

// kmemleakForget is kmemleakFree's map work, kept out of line so that the
// allocators' free paths, into which kmemleakFree inlines, keep a small
// frame and no spills.
//
//go:noinline
func (k *Kernel) kmemleakForget(ptr Addr) {
	l := &k.dbg.leak
	if o, ok := l.objects[ptr]; ok {
		delete(l.objects, ptr)
		l.n = len(l.objects)
		*o = kmemleakObject{}
		l.spare = append(l.spare, o)
	}
}

// LeakCheck is kscript's own leak check for module, run at rmmod (and
// after a failed init): every object module allocated, pages included,
// that nothing points to any more is recorded as kscript's finding
// "memory-leak" (Report.Kscript) with the allocation's stack. Nothing is
// printed: Linux says nothing at rmmod. It returns the number of findings.
func (k *Kernel) LeakCheck(module string) int {
	white := k.kmemleakCandidates(func(o *kmemleakObject) bool {
		return o.module == module && !o.noted && !k.kmemleakIgnored(o)
	})
	if len(white) == 0 {
		return 0
	}
	leaks := k.kmemleakUnreferenced(white, func(o *kmemleakObject) bool { return o.module != module }, module)
	for _, o := range leaks {
		o.noted = true
		r := k.note("memory-leak", fmt.Sprintf("kscript: %d bytes at %#x (%s) were never freed, and nothing points to them since %s was unloaded",
			o.size, uint64(o.pointer), leakWhat[o.kind], module))
		r.Stack = o.stack
	}
	return len(leaks)
}

// leakWhat names each kind of object for kscript's finding.
var leakWhat = [...]string{
	leakKmalloc: "kmalloc",
	leakCache:   "kmem_cache_alloc",
	leakLarge:   "kmalloc",
	leakVmalloc: "vmalloc",
	leakPages:   "alloc_pages; kmemleak does not track pages",
}

// kmemleakScan mirrors kmemleak_scan(): the objects of unloaded modules
// that no root reaches are white; those at least MSECS_MIN_AGE old at the
// scan's start (jiffies_last_scan) and not reported yet are marked
// OBJECT_REPORTED and counted, and the count is logged. Pages are not
// kmemleak objects. It returns the number of new leaks.
func (k *Kernel) kmemleakScan() int {
	if !k.boot.kmemleak || k.dbg.leak.off {
		return 0
	}
	k.dbg.leak.scanned = true
	last := k.Jiffies()
	white := k.kmemleakCandidates(func(o *kmemleakObject) bool {
		return o.kind != leakPages && !o.cleared && k.FindModule(o.module) == nil
	})
	for _, o := range k.dbg.leak.objects {
		o.white = false
	}
	left := k.kmemleakUnreferenced(white, func(o *kmemleakObject) bool {
		return o.kind != leakPages && k.FindModule(o.module) != nil
	}, "")
	n := 0
	for _, o := range left {
		if o.jiffies+MsecsToJiffies(kmemleakMinAgeMs) > last {
			continue // too young: white, but not reported this time
		}
		o.white = true
		if !o.reported {
			o.reported = true
			n++
		}
	}
	if n > 0 {
		k.printk(LogInfo, "kmemleak: %d new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n", n)
	}
	return n
}

// kmemleakCandidates returns the objects want picks, by address, leaving
// out those the kernel itself holds (kmemleakKernelHeld). want is a
// question about an object, with no effect: it is asked first, and the
// set of the kernel's own addresses (some 550 map entries for the default
// machine) is made only when it picks one, which an rmmod of a module
// that freed what it allocated never does.
func (k *Kernel) kmemleakCandidates(want func(*kmemleakObject) bool) []*kmemleakObject {
	var held map[Addr]bool
	var out []*kmemleakObject
	for _, o := range k.dbg.leak.objects {
		if !want(o) {
			continue
		}
		if held == nil {
			held = k.kmemleakKernelHeld()
		}
		if !held[o.pointer] {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pointer < out[j].pointer })
	return out
}

// kmemleakIgnored reports objects that are the allocators' own rather than
// the script's: pages that became a slab, back a vmalloc area or a large
// kmalloc (PageUseOf tells), as kmemleak_ignore() would mark them.
func (k *Kernel) kmemleakIgnored(o *kmemleakObject) bool {
	if o.kind != leakPages {
		return false
	}
	pfn, ok := k.VirtToPage(o.pointer)
	if !ok {
		return true
	}
	use, _, head := k.PageUseOf(pfn)
	return !head || use != PageUseKernel || k.largeKmallocOf(pfn) != nil
}

// kmemleakKernelHeld returns the addresses the kernel's own bookkeeping
// points to: a vm area's struct vm_struct and pages array, a cache's
// struct kmem_cache, node and name. In Linux those pointers sit in memory
// kmemleak scans (the vmap_area tree, the slab_caches list); in kernelsim
// they are Go fields, so they are collected here.
func (k *Kernel) kmemleakKernelHeld() map[Addr]bool {
	held := map[Addr]bool{}
	for _, v := range k.vm.busy {
		held[v.self], held[v.pagesArray] = true, true
		if v.pagesVM != nil {
			held[v.pagesVM.Addr] = true
		}
	}
	for _, s := range k.slab.caches {
		held[s.selfAddr], held[s.nodeAddr], held[s.nameAddr], held[s.randomSeqAddr] = true, true, true, true
	}
	return held
}

// kmemleakUnreferenced mirrors the mark phase of kmemleak_scan(): every
// root range (the objects root picks, the data of loaded modules other
// than skip) is scanned word by word; a word pointing into a white object
// makes it gray and queues it for scanning. white must be sorted by
// address. It returns the objects left white, in allocation order.
func (k *Kernel) kmemleakUnreferenced(white []*kmemleakObject, root func(*kmemleakObject) bool, skip string) []*kmemleakObject {
	if len(white) == 0 {
		return nil
	}
	gray := make([]bool, len(white))
	var work []memRange
	for _, o := range k.dbg.leak.objects {
		if root(o) {
			work = append(work, memRange{o.pointer, o.size})
		}
	}
	for _, m := range k.Modules() {
		if m.Name != skip && m.core != nil {
			work = append(work, memRange{m.DataAddr(0), m.coreSize - m.dataOff})
		}
	}
	sort.Slice(work, func(i, j int) bool { return work[i].start < work[j].start })
	for len(work) > 0 {
		r := work[len(work)-1]
		work = work[:len(work)-1]
		k.kmemleakScanRange(r, func(v Addr) {
			i := sort.Search(len(white), func(i int) bool { return white[i].pointer+Addr(white[i].size) > v })
			if i < len(white) && v >= white[i].pointer && !gray[i] {
				gray[i] = true
				work = append(work, memRange{white[i].pointer, white[i].size})
			}
		})
	}
	var left []*kmemleakObject
	for i, o := range white {
		if !gray[i] {
			left = append(left, o)
		}
	}
	sort.Slice(left, func(i, j int) bool { return left[i].seq < left[j].seq })
	return left
}

// memRange is a range of kernel virtual memory.
type memRange struct {
	start Addr
	size  uint64
}

// kmemleakScanRange mirrors scan_block(): every aligned 8-byte word of r
// that looks like a kernel pointer is passed to visit. Pages never written
// (all zeros) are skipped without reading.
func (k *Kernel) kmemleakScanRange(r memRange, visit func(Addr)) {
	a, end := (r.start+7)&^7, r.start+Addr(r.size)
	var buf [PageSize]byte
	for a+8 <= end {
		n := min(uint64(end-a), PageSize-uint64(a&(PageSize-1))) &^ 7
		if !k.rawRead(a, buf[:n]) {
			a += Addr(n)
			continue
		}
		for i := uint64(0); i+8 <= n; i += 8 {
			v := Addr(leUint64(buf[i:]))
			if v >= PageOffset {
				visit(v)
			}
		}
		a += Addr(n)
	}
}

// rawRead reads kernel memory at a without access checks (kmemleak and
// KASAN reports run with kasan_disable_current()); len(buf) must not cross
// a page. It reports false where nothing is mapped or the page was never
// written (it reads as zeros: buf is cleared).
func (k *Kernel) rawRead(a Addr, buf []byte) bool {
	clear(buf)
	var pfn PFN
	switch {
	case IsDirectMapAddr(a):
		p, ok := k.VirtToPage(a)
		if !ok {
			return false
		}
		if sl := k.virtToSlab(a); sl != nil && sl.pending != 0 {
			k.slabMaterialize(sl, a, uint64(len(buf)))
		}
		pfn = p
	default:
		p, ok := k.vmTranslate(a)
		if !ok {
			return false
		}
		pfn = p
	}
	c := k.mem.contents(pfn)
	if c == nil {
		return false
	}
	copy(buf, c[a&(PageSize-1):])
	return true
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// KmemleakFile returns /sys/kernel/debug/kmemleak as reading it shows it
// (kmemleak_seq_show): print_unreferenced() for every reported object
// still allocated and unreferenced at the last scan, in allocation order.
func (k *Kernel) KmemleakFile() string {
	var objs []*kmemleakObject
	for _, o := range k.dbg.leak.objects {
		if o.reported && o.white && !o.cleared {
			objs = append(objs, o)
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].seq < objs[j].seq })
	var b strings.Builder
	for _, o := range objs {
		k.printUnreferenced(&b, o)
	}
	return b.String()
}

// printUnreferenced mirrors print_unreferenced() and hex_dump_object():
// the header, the task line with the object's age, the first 32 bytes
// (HEX_MAX_LINES rows of HEX_ROW_SIZE, as seq_hex_dump prints them) and
// the backtrace, each entry "[<%p>] %pS".
func (k *Kernel) printUnreferenced(b *strings.Builder, o *kmemleakObject) {
	ms := JiffiesToMsecs(k.Jiffies() - o.jiffies)
	fmt.Fprintf(b, "unreferenced object %#08x (size %d):\n", uint64(o.pointer), o.size)
	fmt.Fprintf(b, "  comm \"%s\", pid %d, jiffies %d (age %d.%03ds)\n", o.comm, o.pid, o.jiffies, ms/1000, ms%1000)
	n := min(o.size, 32)
	fmt.Fprintf(b, "  hex dump (first %d bytes):\n", n)
	buf := make([]byte, n)
	k.rawRead(o.pointer, buf)
	for off := uint64(0); off < n; off += 16 {
		fmt.Fprintf(b, "    %s\n", hexDumpLine(buf[off:min(off+16, n)]))
	}
	b.WriteString("  backtrace:\n")
	for _, e := range k.kmemleakTrace(o) {
		fmt.Fprintf(b, "    [<%s>] %s\n", k.hashedPtr(e.addr), e.sym)
	}
}

// traceEntry is one backtrace entry: a return address and its symbol.
type traceEntry struct {
	addr Addr
	sym  string
}

// kmemleakTrace returns the object's backtrace: the allocator's frames,
// the script's (symbolised as decode_stacktrace.sh would, at the address
// the module had) and the task's entry path, at most MAX_TRACE entries.
func (k *Kernel) kmemleakTrace(o *kmemleakObject) []traceEntry {
	var out []traceEntry
	for _, s := range leakFrames[o.kind] {
		out = append(out, traceEntry{kernelTextAddr(s), s})
	}
	for _, f := range o.stack {
		out = append(out, traceEntry{k.scriptFrameAddr(f), FormatFrame(f)})
	}
	for _, s := range o.entry {
		out = append(out, traceEntry{kernelTextAddr(s), s})
	}
	return out[:min(len(out), kmemleakMaxTrace)]
}

// kernelTextAddr is a stable address in the kernel text for a symbol
// ("kmalloc_trace+0x26/0x90"), as its return address would be.
func kernelTextAddr(sym string) Addr {
	h := fnv.New32a()
	h.Write([]byte(sym))
	return 0xffffffff81000000 + Addr(h.Sum32()&0x00ffffff)
}

// scriptFrameAddr is the return address of a script frame: in its module's
// text when the module is loaded or was seen unloading, else a stable
// address in the module space.
func (k *Kernel) scriptFrameAddr(f Frame) Addr {
	m := k.FindModule(f.Module)
	if m == nil {
		m = k.dbg.leak.gone[f.Module]
	}
	if m != nil && m.core != nil {
		return m.frameAddr(f)
	}
	return ModulesVaddr + kernelTextAddr(FormatFrame(f))&0xffffff
}

// kmemleakWrite mirrors kmemleak_write(): the commands of
// /sys/kernel/debug/kmemleak, matched by prefix as strncmp does
// ("scan\n" from echo is "scan"). "stack=" is accepted but changes
// nothing.
func (k *Kernel) kmemleakWrite(buf string) error {
	l := &k.dbg.leak
	has := func(p string) bool { return strings.HasPrefix(buf, p) }
	if has("clear") {
		for _, o := range l.objects {
			if o.reported && o.white {
				o.cleared = true // __paint_it(object, KMEMLEAK_GREY)
			}
		}
		return nil
	}
	if l.off {
		return EPERM
	}
	switch {
	case has("off"):
		l.off, l.threadOn = true, false // kmemleak_disable
		k.printk(LogInfo, "kmemleak: Kernel memory leak detector disabled\n")
	case has("stack=on"), has("stack=off"):
	case has("scan=on"):
		k.kmemleakStartThread(0)
	case has("scan=off"):
		k.kmemleakStopThread()
	case has("scan="):
		secs, err := strconv.ParseUint(strings.TrimSpace(buf[5:]), 0, 64)
		if err != nil {
			return EINVAL
		}
		k.kmemleakStopThread()
		if secs > 0 {
			l.scanWait = secs * nsPerSec
			k.kmemleakStartThread(0)
		}
	case has("scan"):
		k.kmemleakScan()
	case has("dump="):
		return k.dumpStrObjectInfo(buf[5:])
	default:
		return EINVAL
	}
	return nil
}

// dumpStrObjectInfo mirrors dump_str_object_info() and dump_object_info()
// of 6.1: the address (kstrtoul base 0, one trailing newline allowed) must
// be an object's start (find_and_get_object(addr, 0)), else "Unknown
// object" and EINVAL; the object's record is printed with pr_notice and
// its backtrace by stack_trace_print(trace, len, 4). The flags are
// OBJECT_ALLOCATED (1) and OBJECT_REPORTED (2); checksum is crc32(0,
// object, size) as update_checksum() computes it. Unlike Linux, count (the
// references the last scan found) is 1 for an object a scan found
// referenced, whatever their number.
func (k *Kernel) dumpStrObjectInfo(arg string) error {
	arg = strings.TrimSuffix(arg, "\n")
	addr, err := strconv.ParseUint(arg, 0, 64)
	if err != nil || strings.Contains(arg, "_") {
		return EINVAL
	}
	o := k.dbg.leak.objects[Addr(addr)]
	if o == nil || o.kind == leakPages {
		k.printk(LogInfo, "kmemleak: Unknown object at %#08x\n", addr)
		return EINVAL
	}
	minCount, count, flags := 1, 0, 1
	if o.kind == leakVmalloc {
		minCount = 2 // kmemleak_vmalloc: the area and its vm_struct
	}
	if o.reported {
		flags |= 2
	}
	if k.dbg.leak.scanned && !o.white {
		count = minCount
	}
	data := make([]byte, o.size)
	k.rawRead(o.pointer, data)
	sum := ^crc32.Update(0xffffffff, crc32.IEEETable, data) // crc32_le(0, …): no inversions
	k.printk(LogNotice, "kmemleak: Object %#08x (size %d):\n", uint64(o.pointer), o.size)
	k.printk(LogNotice, "kmemleak:   comm \"%s\", pid %d, jiffies %d\n", o.comm, o.pid, o.jiffies)
	k.printk(LogNotice, "kmemleak:   min_count = %d\n", minCount)
	k.printk(LogNotice, "kmemleak:   count = %d\n", count)
	k.printk(LogNotice, "kmemleak:   flags = %#x\n", flags)
	k.printk(LogNotice, "kmemleak:   checksum = %d\n", sum)
	k.printk(LogNotice, "kmemleak:   backtrace:\n")
	for _, e := range k.kmemleakTrace(o) {
		k.printk(LogWarning, "     %s\n", e.sym)
	}
	return nil
}

// kmemleakStartThread mirrors start_scan_thread(): the thread's first scan
// comes after delay (SECS_FIRST_SCAN at boot, none when restarted by
// "scan=on").
func (k *Kernel) kmemleakStartThread(delay uint64) {
	l := &k.dbg.leak
	if l.threadOn {
		return
	}
	if l.scanWait == 0 {
		l.scanWait = kmemleakScanWaitSec * nsPerSec
	}
	l.threadOn, l.nextScan = true, k.now+delay
	k.printk(LogInfo, "kmemleak: Automatic memory scanning thread started\n")
}

// kmemleakStopThread mirrors stop_scan_thread().
func (k *Kernel) kmemleakStopThread() {
	l := &k.dbg.leak
	if l.threadOn {
		l.threadOn = false
		k.printk(LogInfo, "kmemleak: Automatic memory scanning thread ended\n")
	}
}

// kmemleakNextScan returns when the scanning thread wakes next.
func (k *Kernel) kmemleakNextScan() (uint64, bool) {
	l := &k.dbg.leak
	return l.nextScan, l.threadOn && !l.off && k.panicMsg == ""
}

// kmemleakScanThread is one wake-up of kmemleak_scan_thread(): a scan,
// then sleep for jiffies_scan_wait.
func (k *Kernel) kmemleakScanThread() {
	k.kmemleakScan()
	k.dbg.leak.nextScan = k.now + k.dbg.leak.scanWait
}
