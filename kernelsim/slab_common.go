package kernelsim

import (
	"fmt"
	"math/bits"
	"strings"
	"unsafe"
)

// This file mirrors mm/slab_common.c: the kmalloc size classes and the
// allocator-independent entry points (kmalloc, kfree, ksize, krealloc,
// kmem_cache_create, kmem_cache_destroy, /proc/slabinfo). The SLUB
// machinery behind them is in slub.go and slub_alloc.go.
//
// Unlike Debian's kernel, which merges a new cache into an existing
// compatible one (__kmem_cache_alias: same size class, no constructor, no
// debug flags) so that it only shows up in /proc/slabinfo as its alias,
// kscript never merges caches, as if booted with slab_nomerge: the cache a
// module creates is its own, and shows at the top of /proc/slabinfo.

// slabState holds every kmem_cache (slab_caches) and the kmalloc caches.
type slabState struct {
	// caches mirrors slab_caches, newest first: create_cache() adds a
	// cache at the head, and /proc/slabinfo prints the list in order.
	caches []*KmemCache
	// kmalloc mirrors kmalloc_caches[type][index]; the indices go up to
	// KmallocShiftHigh, the rows are 16 long so that kmalloc's fast path
	// indexes them (index&15) without a bounds check.
	kmalloc [nrKmallocTypes][16]*KmemCache
	// kmemCache and kmemCacheNode are the caches struct kmem_cache and
	// struct kmem_cache_node are allocated from.
	kmemCache, kmemCacheNode *KmemCache

	byPFN slabTable // every page of every slab: struct slab over mem_map, virt_to_slab()
	// cacheByID mirrors slab->slab_cache: Slab.cache indexes it (0 is
	// no cache); freeIDs are the ids of destroyed caches, for reuse.
	cacheByID []*KmemCache
	freeIDs   []uint32
	// poolsByID repeats, by cache id, where each cache's freePool and
	// usedPool lie and the cache's object size and its reciprocal
	// (syncPools keeps it in step; checkSlabPools checks it). kfree
	// reaches them from the id in slabChunk.heads with one load, instead
	// of two through cacheByID and the cache: the addresses of kfree's
	// stores are then known as early as they were when the slab held
	// pointers to its freelist and bits. Later, a CPU holds the next
	// kmalloc's loads back until those addresses are known, and in a
	// kmalloc-then-kfree loop that wait is on every iteration's critical
	// path (a kmalloc(64)+kfree pair: 16.9 ns with the pools read through
	// the cache, 12.6 ns with them known early; kmalloc+kfree of random
	// sizes 15.2 ns with the reciprocal read through the cache, 12.7 ns
	// from here).
	poolsByID []slabPools
	large     pfnTable[*largeKmalloc] // the head page of every kmalloc_large block

	booted bool // bootSlab is done: new slabs are poisoned, caches get sysfs names

	oomWindowStart uint64 // slub_oom_rs: the ratelimit of slab_out_of_memory
	oomInWindow    int
	warnedOnce     map[string]bool // WARN_ON_ONCE sites that fired
}

// SlabFlags mirrors slab_flags_t (include/linux/slab.h).
type SlabFlags uint32

// The kmem_cache_create() flags of include/linux/slab.h, Linux 6.1 values.
const (
	SlabConsistencyChecks SlabFlags = 0x00000100 // SLAB_CONSISTENCY_CHECKS
	SlabRedZone           SlabFlags = 0x00000400 // SLAB_RED_ZONE
	SlabPoison            SlabFlags = 0x00000800 // SLAB_POISON
	SlabHWCacheAlign      SlabFlags = 0x00002000 // SLAB_HWCACHE_ALIGN
	SlabCacheDMA          SlabFlags = 0x00004000 // SLAB_CACHE_DMA
	SlabCacheDMA32        SlabFlags = 0x00008000 // SLAB_CACHE_DMA32
	SlabStoreUser         SlabFlags = 0x00010000 // SLAB_STORE_USER
	SlabReclaimAccount    SlabFlags = 0x00020000 // SLAB_RECLAIM_ACCOUNT (SLAB_TEMPORARY)
	SlabPanic             SlabFlags = 0x00040000 // SLAB_PANIC
	SlabTypesafeByRCU     SlabFlags = 0x00080000 // SLAB_TYPESAFE_BY_RCU
	SlabMemSpread         SlabFlags = 0x00100000 // SLAB_MEM_SPREAD
	SlabTrace             SlabFlags = 0x00200000 // SLAB_TRACE
	SlabNoLeakTrace       SlabFlags = 0x00800000 // SLAB_NOLEAKTRACE
	SlabAccount           SlabFlags = 0x04000000 // SLAB_ACCOUNT

	// SlabKASAN mirrors SLAB_KASAN (CONFIG_KASAN_GENERIC): the cache's
	// objects carry KASAN's metadata and redzone (kasanCacheCreate). No
	// caller may pass it; kmemCacheFlags adds it on a KASAN kernel.
	SlabKASAN SlabFlags = 0x08000000

	// slabObjectPoison mirrors SLUB's internal __OBJECT_POISON.
	slabObjectPoison SlabFlags = 0x80000000
	// slabFlagsPermitted mirrors SLAB_FLAGS_PERMITTED for SLUB.
	slabFlagsPermitted = SlabConsistencyChecks | SlabRedZone | SlabPoison | SlabHWCacheAlign |
		SlabCacheDMA | SlabCacheDMA32 | SlabStoreUser | SlabReclaimAccount | SlabPanic |
		SlabTypesafeByRCU | SlabMemSpread | SlabTrace | SlabNoLeakTrace | SlabAccount
)

// slabFlagNames lists the flags under their Linux names, for the bridge.
var slabFlagNames = []struct {
	flag SlabFlags
	name string
}{
	{SlabConsistencyChecks, "SLAB_CONSISTENCY_CHECKS"}, {SlabRedZone, "SLAB_RED_ZONE"},
	{SlabPoison, "SLAB_POISON"}, {SlabHWCacheAlign, "SLAB_HWCACHE_ALIGN"},
	{SlabCacheDMA, "SLAB_CACHE_DMA"}, {SlabCacheDMA32, "SLAB_CACHE_DMA32"},
	{SlabStoreUser, "SLAB_STORE_USER"}, {SlabReclaimAccount, "SLAB_RECLAIM_ACCOUNT"},
	{SlabReclaimAccount, "SLAB_TEMPORARY"}, {SlabPanic, "SLAB_PANIC"},
	{SlabTypesafeByRCU, "SLAB_TYPESAFE_BY_RCU"}, {SlabMemSpread, "SLAB_MEM_SPREAD"},
	{SlabTrace, "SLAB_TRACE"}, {SlabNoLeakTrace, "SLAB_NOLEAKTRACE"}, {SlabAccount, "SLAB_ACCOUNT"},
}

// SlabFlagNames lists every SLAB_* flag with its value, for the Starlark
// predeclared constants.
func SlabFlagNames() map[string]SlabFlags {
	m := make(map[string]SlabFlags, len(slabFlagNames))
	for _, f := range slabFlagNames {
		m[f.name] = f.flag
	}
	return m
}

// The kmalloc size limits of include/linux/slab.h for SLUB on x86-64.
const (
	// ZeroSizePtr mirrors ZERO_SIZE_PTR: what kmalloc(0) returns. kfree
	// and ksize accept it; dereferencing it faults.
	ZeroSizePtr Addr = 16
	// KmallocShiftLow and KmallocShiftHigh bound the kmalloc caches:
	// kmalloc-8 (KMALLOC_MIN_SIZE) to kmalloc-8k (2 pages).
	KmallocShiftLow  = 3
	KmallocShiftHigh = PageShift + 1
	// KmallocMaxCacheSize is the largest request a kmalloc cache serves;
	// larger ones go to the page allocator (kmalloc_large).
	KmallocMaxCacheSize = 1 << KmallocShiftHigh
	// KmallocMaxSize is the largest kmalloc: an order MAX_ORDER-1 block.
	KmallocMaxSize = 1 << (MaxOrder + PageShift - 1)
)

// kmallocType mirrors enum kmalloc_cache_type. Unlike Debian's kernel
// (CONFIG_MEMCG_KMEM), there are no kmalloc-cg-* caches: __GFP_ACCOUNT
// allocations come from the normal kmalloc caches.
type kmallocType int

const (
	kmallocNormal  kmallocType = iota // KMALLOC_NORMAL: kmalloc-*
	kmallocReclaim                    // KMALLOC_RECLAIM: kmalloc-rcl-*
	kmallocDMA                        // KMALLOC_DMA: dma-kmalloc-*
	nrKmallocTypes
)

// kmallocTypeOf mirrors kmalloc_type(): __GFP_DMA picks the DMA caches,
// __GFP_RECLAIMABLE the reclaimable ones.
func kmallocTypeOf(gfp GFP) kmallocType {
	switch {
	case gfp&(GFPDMA|GFPReclaimable) == 0:
		return kmallocNormal
	case gfp&GFPDMA != 0:
		return kmallocDMA
	}
	return kmallocReclaim
}

// kmallocInfo mirrors kmalloc_info[]: the name suffix and size of each
// kmalloc index; 1 and 2 are the two non-power-of-two caches.
var kmallocInfo = [KmallocShiftHigh + 1]struct {
	name string
	size uint32
}{
	{"", 0}, {"96", 96}, {"192", 192}, {"8", 8}, {"16", 16}, {"32", 32}, {"64", 64},
	{"128", 128}, {"256", 256}, {"512", 512}, {"1k", 1024}, {"2k", 2048}, {"4k", 4096}, {"8k", 8192},
}

// kmallocPrefix mirrors the KMALLOC_*_NAME prefixes.
var kmallocPrefix = [nrKmallocTypes]string{"kmalloc-", "kmalloc-rcl-", "dma-kmalloc-"}

// sizeIndex mirrors size_index[]: the kmalloc index for requests up to 192
// bytes, by (size-1)/8, so that 65..96 bytes go to kmalloc-96 and 129..192
// to kmalloc-192 rather than to the next power of two.
var sizeIndex = [24]uint8{3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2}

// kmallocIndex mirrors kmalloc_slab()'s choice for 1 <= size <= 8192:
// size_index for small sizes, fls(size-1) above 192.
func kmallocIndex(size uint64) int {
	if size <= 192 {
		return int(sizeIndex[(size-1)/8])
	}
	return bits.Len64(size - 1)
}

// kmallocLargeCallers are the frames below __alloc_pages in the page
// allocator's warnings when kmalloc goes to the page allocator.
var kmallocLargeCallers = []string{"__kmalloc_large_node+0x7c/0x120", "__kmalloc+0x13b/0x1b0"}

// largeKmalloc records one kmalloc_large allocation: a compound page block
// straight from the page allocator.
type largeKmalloc struct {
	pfn   PFN
	order int
	size  uint64 // the requested size, for KASAN and kmemleak
	track *SlabTrack
}

// Kmalloc mirrors kmalloc(size, flags) (__do_kmalloc_node): 0 (NULL) on
// failure, ZeroSizePtr for size 0.
func (k *Kernel) Kmalloc(size uint64, gfp GFP) Addr {
	return k.kmalloc(size, gfp) // (Kmalloc inlines: one call on the common path)
}

// kmallocOther is Kmalloc for sizes 0 and above 8 KiB, and for the DMA
// and reclaimable caches.
func (k *Kernel) kmallocOther(size uint64, gfp GFP) Addr {
	if size > KmallocMaxCacheSize {
		return k.kmallocLarge(size, gfp)
	}
	if size == 0 {
		return ZeroSizePtr
	}
	a, _ := k.slabAlloc(k.slab.kmalloc[kmallocTypeOf(gfp)][kmallocIndex(size)], gfp, size)
	return a
}

// kmallocLarge mirrors __kmalloc_large_node(): a compound block of
// get_order(size) pages, counted as unreclaimable slab memory. Above
// KMALLOC_MAX_SIZE the order is MAX_ORDER or more, and the page allocator
// warns (unless __GFP_NOWARN) and fails.
func (k *Kernel) kmallocLarge(size uint64, gfp GFP) Addr {
	if gfp&gfpSlabBugMask != 0 {
		gfp = k.kmallocFixFlags(gfp)
	}
	if k.failKmallocLarge(gfp, size) { // dbg_hooks.go
		return 0
	}
	order := getOrder(size)
	pfn, ok := k.allocPages(gfp|GFPComp, order, kmallocLargeCallers)
	if !ok {
		return 0
	}
	la := &largeKmalloc{pfn: pfn, order: order, size: size}
	if k.Stack != nil {
		la.track = &SlabTrack{AllocStack: k.Stack(), AllocPID: k.Current().PID, AllocTime: k.now}
	}
	k.slab.large.set(pfn, la)
	k.mem.nrSlabUnreclaimable += 1 << order
	k.dbgKmallocLarge(PageAddress(pfn), size) // dbg_hooks.go: kmemleak_alloc
	return PageAddress(pfn)
}

// Kfree mirrors kfree(); kfree(NULL) and kfree(ZERO_SIZE_PTR) are no-ops.
// A bad free is reported as SLUB's debug checks report it and frees
// nothing; the error is non-nil only when Linux would Oops.
func (k *Kernel) Kfree(a Addr) error {
	if a <= ZeroSizePtr {
		return nil
	}
	return k.kfree(a) // (Kfree inlines: one call on the common path)
}

// kfree's most common case is done here in one function: object a of
// the CPU slab sl, allocated, freed with no call stack to record (no
// script code running). Anything else goes to slabFreeChecked, which
// reports bad frees; the fast path changes nothing before it knows it
// applies. The CPU slab has its records (setCPUSlab).
//
// An a below sl.start (in the left red zone of object 0) needs no test
// of its own: a-sl.start wraps round to an offset above 2^32 minus the
// red zone, whose quotient by the object size is beyond the slab's
// objects (the slab holds objects*size bytes, far below 2^32).
//
// virt_to_slab() is slabTable.get spelled out, so that its nil answer
// goes straight to freeLargeKmalloc instead of being tested twice.
func (k *Kernel) kfree(a Addr) error {
	pfn := PFN((a - PageOffset) >> PageShift)
	if c := uint64(pfn >> pfnChunkShift); c < uint64(len(k.slab.byPFN.chunks)) {
		ch := k.slab.byPFN.chunks[c]
		// ch.heads[pfn&(pfnChunk-1)], without a nil check of ch (never
		// nil: see slabTable.empty).
		if h := *(*uint64)(unsafe.Add(unsafe.Pointer(ch), uintptr(pfn&(pfnChunk-1))*8)); h != 0 {
			sl := (*Slab)(unsafe.Add(unsafe.Pointer(ch), uint32(h))) // as in get
			// What the fast path needs of the cache is in its poolsByID
			// entry, found from heads' high half (slabChunk), not from
			// sl.cache: one dependent load fewer; and whether sl is the
			// CPU slab is in its flags. The cache itself is read off the
			// fast path only.
			pools := k.poolsOf(h)
			if sl.flags&slabCPU != 0 && k.Stack == nil { // sl == s.cpuSlab
				// objIndex, spelled out so that its answer is branched
				// on, not made into a bool first.
				off := uint32(a - sl.start)
				idx := uint(pools.recip.divideAtLeast2(off))
				if uint32(idx)*pools.size == off && idx < uint(sl.objects) {
					// The in-use word: a slab of at most 64 objects (the
					// kmalloc caches from kmalloc-64 up, from kmalloc-32
					// on a KASAN kernel) has one, whose address then
					// waits for no division.
					w := (*uint64)(unsafe.Add(unsafe.Pointer(pools.used), uintptr(sl.usedOff)))
					if sl.objects > 64 {
						w = (*uint64)(unsafe.Add(unsafe.Pointer(w), uintptr(idx>>6)*8)) // s.usedWord
					}
					bit := uint64(1) << (idx & 63)
					if v := *w; v&bit != 0 {
						// slabFree: slabFreeHook without a stack, then
						// do_slab_free's fast path for the CPU slab.
						if pools.poison { // s.objectPoison()
							sl.setFill(k.cacheOf(h).metaAt(sl, idx), fillFree)
						}
						*w = v &^ bit
						*(*uint16)(unsafe.Add(unsafe.Pointer(pools.free), uintptr(sl.freeOff)+uintptr(sl.nfree)*2)) = uint16(idx) // s.freeAt
						sl.nfree++
						sl.top = uint16(idx)
						sl.inuse--
						return nil
					}
				}
			}
			return k.slabFreeChecked(k.cacheOf(h), sl, a, "kfree+0x9a/0x130")
		}
	}
	return k.freeLargeKmalloc(a)
}

// freeLargeKmalloc mirrors kfree()'s non-slab branch, free_large_kmalloc()
// (mm/slab_common.c): the whole compound block that a lies in goes back to
// the page allocator.
//
// Any other page is an order-0 folio to it: a page never kmalloc'ed, or a
// large kmalloc already freed (its first page lost PG_head with the first
// free). 6.1 then WARN_ON_ONCE(order == 0)s (mm/slab_common.c:904, RIP
// free_large_kmalloc+0x3c/0x70 in Debian's 6.1 build) with
// pr_warn_once("object pointer: 0x%p"); a KASAN kernel reports the
// double-free (or invalid-free) in kasan_kfree_large(); and both go on to
// __free_pages(page, 0), which frees an allocated order-0 page and, for a
// page already free, only drops a reference it no longer has (see
// freePageIsBad).
func (k *Kernel) freeLargeKmalloc(a Addr) error {
	pfn, ok := k.structPageOf(a)
	if !ok {
		return k.pageFault(structPageFaultAddr(a), false, "kfree+0x4f/0x130")
	}
	if la := k.largeKmallocOf(pfn); la != nil {
		k.kmemleakFree(PageAddress(la.pfn)) // kmemleak.go
		k.slab.large.set(la.pfn, nil)
		k.mem.nrSlabUnreclaimable -= 1 << la.order
		return k.FreePages(la.pfn, la.order)
	}
	if k.slabWarnOnce("mm/slab_common.c", freeLargeKmallocWarnLine, "free_large_kmalloc+0x3c/0x70", "") {
		k.printk(LogWarning, "object pointer: 0x%s\n", k.hashedPtr(a))
	}
	if !k.dbg.kasan.off {
		k.kasanReportLargeFree(a, pfn)
	}
	return k.FreePages(pfn, 0)
}

// freeLargeKmallocWarnLine is free_large_kmalloc()'s WARN_ON_ONCE(order ==
// 0) in 6.1's mm/slab_common.c (Debian's 6.1.192 source and build).
const freeLargeKmallocWarnLine = 904

// KfreeSensitive mirrors kfree_sensitive(): zero the whole allocation
// (ksize bytes, memzero_explicit) before freeing it.
func (k *Kernel) KfreeSensitive(a Addr) error {
	if ks := k.Ksize(a); ks > 0 {
		if err := k.Memset(a, 0, ks); err != nil {
			return err
		}
	}
	return k.Kfree(a)
}

// Ksize mirrors ksize(): the usable size of the allocation at a, which is
// its kmalloc size class (not the requested size), PAGE_SIZE<<order for a
// large kmalloc, 0 for NULL and ZERO_SIZE_PTR.
func (k *Kernel) Ksize(a Addr) uint64 {
	if a <= ZeroSizePtr {
		return 0
	}
	ks := k.ksize(a)
	k.setRequestedSize(a, ks) // ksize() unpoisons it all: its caller may use every byte
	return ks
}

// ksize mirrors __ksize(): slab_ksize() for a slab object (whatever a's
// offset into it), the folio's size for the head of a large kmalloc; any
// other page WARNs and gives 0. Unlike Linux, which faults reading the
// struct page of an address outside the direct map, such an address WARNs
// too (ksize has no way to kill the caller).
func (k *Kernel) ksize(a Addr) uint64 {
	if sl := k.virtToSlab(a); sl != nil {
		return slabKsize(k.slabCache(sl))
	}
	pfn, ok := k.structPageOf(a)
	la := k.largeKmallocOf(pfn)
	if !ok || la == nil {
		k.slabWARN("warning", "mm/slab_common.c", 1014, "__ksize+0x103/0x130", "")
		return 0
	}
	if a != PageAddress(la.pfn) {
		k.slabWARN("warning", "mm/slab_common.c", 1016, "__ksize+0x10c/0x130", "")
		return 0
	}
	return PageSize << la.order
}

// slabKsize mirrors slab_ksize() (mm/slab.h): the bytes of an object a
// caller may use. With red zones, poisoning or KASAN's metadata and
// redzone only object_size; with a free pointer or tracking after the
// object, up to inuse; else the whole stride.
func slabKsize(s *KmemCache) uint64 {
	switch {
	case s.flags&(SlabRedZone|SlabPoison|SlabKASAN) != 0:
		return uint64(s.objectSize)
	case s.flags&(SlabTypesafeByRCU|SlabStoreUser) != 0:
		return uint64(s.inuse)
	}
	return uint64(s.size)
}

// Krealloc mirrors krealloc(): size 0 frees and returns ZERO_SIZE_PTR;
// krealloc(NULL, n) is kmalloc(n); if the allocation's ksize already holds
// size it is returned unchanged; otherwise a new allocation receives a copy
// of the old one's ksize bytes and the old one is freed. On failure, 0 is
// returned and the old allocation is left alone.
func (k *Kernel) Krealloc(a Addr, size uint64, gfp GFP) (Addr, error) {
	if size == 0 {
		return ZeroSizePtr, k.Kfree(a)
	}
	var ks uint64
	if a > ZeroSizePtr {
		ks = k.ksize(a)
	}
	if ks >= size {
		k.setRequestedSize(a, size)
		return a, nil
	}
	ret := k.Kmalloc(size, gfp)
	if ret == 0 {
		return 0, nil
	}
	if a > ZeroSizePtr {
		k.kasanDisableCurrent() // the copy reads the object's redzone
		err := k.Memmove(ret, a, ks)
		k.kasanEnableCurrent()
		if err != nil {
			return ret, err
		}
	}
	return ret, k.Kfree(a)
}

// setRequestedSize mirrors kasan_krealloc()'s bookkeeping: an allocation
// resized in place now has the new requested size.
func (k *Kernel) setRequestedSize(a Addr, size uint64) {
	if sl := k.virtToSlab(a); sl != nil {
		s := k.slabCache(sl)
		if idx, ok := s.objIndex(sl, a); ok && sl.hasMeta() {
			s.metaPool[sl.metaOff/8+uint32(idx)].size = uint32(size)
		}
		return
	}
	if pfn, ok := k.structPageOf(a); ok {
		if la := k.largeKmallocOf(pfn); la != nil {
			la.size = size
		}
	}
}

// largeKmallocOf mirrors virt_to_folio() for a large kmalloc: the block
// whose pages include pfn, found from the aligned heads it could have.
func (k *Kernel) largeKmallocOf(pfn PFN) *largeKmalloc {
	for order := 0; order < MaxOrder; order++ {
		head := pfn &^ (1<<order - 1)
		if la := k.slab.large.get(head); la != nil {
			if pfn < head+1<<la.order {
				return la
			}
			return nil
		}
	}
	return nil
}

// Caches returns slab_caches in /proc/slabinfo order, newest first.
func (k *Kernel) Caches() []*KmemCache {
	return append([]*KmemCache(nil), k.slab.caches...)
}

// FindCache returns the cache named name, or nil.
func (k *Kernel) FindCache(name string) *KmemCache {
	for _, s := range k.slab.caches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// slabinfo mirrors struct slabinfo as SLUB's get_slabinfo() fills it.
// Objects free in the CPU slab count as active: only the node's partial
// slabs are searched for free objects (count_partial).
func (k *Kernel) slabinfo(s *KmemCache) (active, num int) {
	free := 0
	for sl := s.partial.head; sl != nil; sl = k.slab.byPFN.next(sl) {
		free += int(sl.objects) - int(sl.inuse)
	}
	return s.totalObjects - free, s.totalObjects
}

// procSlabinfo mirrors /proc/slabinfo (mm/slab_common.c: slab_show, with
// print_slabinfo_header and cache_show): version 2.1, SLUB's tunables and
// shared counts all zero, active_slabs equal to num_slabs.
func (k *Kernel) procSlabinfo() string {
	var b strings.Builder
	b.WriteString("slabinfo - version: 2.1\n")
	b.WriteString("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>" +
		" : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n")
	for _, s := range k.slab.caches {
		active, num := k.slabinfo(s)
		fmt.Fprintf(&b, "%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d\n",
			s.Name, active, num, s.size, s.objects, 1<<s.order, 0, 0, 0, s.nrSlabs, s.nrSlabs, 0)
	}
	return b.String()
}
