package kernelsim

import (
	"fmt"
	"strings"
	"unsafe"
)

// This file mirrors the allocation and free paths of mm/slub.c:
// slab_alloc_node / ___slab_alloc / new_slab / allocate_slab on the way in,
// slab_free / __slab_free / discard_slab on the way out.

// GFP masks of mm/internal.h and mm/slab.h.
const (
	// gfpReclaimMask mirrors GFP_RECLAIM_MASK (6.1, before __GFP_ATOMIC was
	// discarded in 6.3): the flags that say how hard to try, which SLUB
	// passes on to the page allocator.
	gfpReclaimMask = GFPReclaim | GFPHigh | GFPIO | GFPFS | GFPNoWarn |
		GFPRetryMayfail | GFPNoFail | GFPNoRetry | GFPMemalloc | GFPNoMemalloc | GFPAtomic
	// gfpConstraintMask mirrors GFP_CONSTRAINT_MASK.
	gfpConstraintMask = GFPHardwall | GFPThisNode
	// gfpSlabBugMask mirrors GFP_SLAB_BUG_MASK: flags a slab allocation
	// must not carry (slab pages come from the cache's own zone).
	gfpSlabBugMask = GFPDMA32 | GFPHighmem | ^gfpBitsMask
)

// pfnTable maps page frame numbers to values, two levels deep so that a
// machine of any size costs memory only where the values are: a flat table
// of chunks of 1024 frames (4 MiB), each allocated on first use.
type pfnTable[T any] struct {
	chunks []*[pfnChunk]T
}

const (
	pfnChunkShift = 10
	pfnChunk      = 1 << pfnChunkShift
)

func (t *pfnTable[T]) get(pfn PFN) T {
	chunks := t.chunks
	if c := uint64(pfn >> pfnChunkShift); c < uint64(len(chunks)) {
		if ch := chunks[c]; ch != nil {
			return ch[pfn&(pfnChunk-1)]
		}
	}
	var zero T
	return zero
}

func (t *pfnTable[T]) set(pfn PFN, v T) {
	c := int(pfn >> pfnChunkShift)
	if c >= len(t.chunks) {
		t.chunks = append(t.chunks, make([]*[pfnChunk]T, c+1-len(t.chunks))...)
	}
	if t.chunks[c] == nil {
		t.chunks[c] = new([pfnChunk]T)
	}
	t.chunks[c][pfn&(pfnChunk-1)] = v
}

// virtToSlab mirrors virt_to_slab(): the slab whose pages hold address a,
// nil when a is not in a slab page of the direct map.
//
// An address below the direct map needs no test of its own: a-PageOffset
// wraps round to a frame number above 2^35, far beyond the table of a
// machine of at most 1 TiB (checkRAM).
func (k *Kernel) virtToSlab(a Addr) *Slab {
	return k.slab.byPFN.get(PFN((a - PageOffset) >> PageShift))
}

// slabCache mirrors slab->slab_cache: the cache slab sl belongs to. It
// reads cacheByID without a bounds check (kfree's fast path): sl.cache is
// an id setSlabCache gave out, and the table never shrinks.
func (k *Kernel) slabCache(sl *Slab) *KmemCache {
	return *(**KmemCache)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(k.slab.cacheByID)), uintptr(sl.cache)*8))
}

// cacheOf is slabCache for the slab whose heads entry is h (slabChunk):
// the cache id, as the byte offset of its poolsByID entry, is in its high
// half.
func (k *Kernel) cacheOf(h uint64) *KmemCache {
	return *(**KmemCache)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(k.slab.cacheByID)), uintptr(h>>32/uint64(unsafe.Sizeof(slabPools{})))*8))
}

// poolsOf is &poolsByID[id] for the slab whose heads entry is h.
func (k *Kernel) poolsOf(h uint64) *slabPools {
	return (*slabPools)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(k.slab.poolsByID)), uintptr(h>>32)))
}

// setSlabCache gives s its id in cacheByID (a destroyed cache's, or a new
// one) when it makes its first slab.
func (k *Kernel) setSlabCache(s *KmemCache) {
	st := &k.slab
	if len(st.cacheByID) == 0 {
		st.cacheByID = append(st.cacheByID, nil) // id 0: no cache
	}
	if n := len(st.freeIDs); n > 0 {
		s.id = st.freeIDs[n-1]
		st.freeIDs = st.freeIDs[:n-1]
		st.cacheByID[s.id] = s
	} else {
		if uint64(len(st.cacheByID)) >= 1<<32/uint64(unsafe.Sizeof(slabPools{})) {
			// slabChunk.heads holds id*32 in 32 bits.
			panic("kernelsim: more than 2^27 slab caches")
		}
		s.id = uint32(len(st.cacheByID))
		st.cacheByID = append(st.cacheByID, s)
	}
	s.partial.kind, s.full.kind = slabOnPartial, slabOnFull
	st.syncPools(s)
}

// slabPools is where a cache's freePool and usedPool lie (their first
// elements, nil while they are empty), with the cache's size and its
// reciprocal: all that kfree's fast path needs of the cache to find an
// object's index and the addresses it writes. The size never changes
// after calculateSizes, so the copies need no syncing of their own.
type slabPools struct {
	free   *uint16
	used   *uint64
	recip  reciprocalValue
	poison bool // s.flags&slabObjectPoison != 0: s.objectPoison()
	size   uint32
}

// syncPools records in poolsByID where s's pools lie, after s got its id
// or its pools may have moved (slabSlot, reserveSlots). A cache without
// an id is in no slab's heads, so it needs no entry.
func (st *slabState) syncPools(s *KmemCache) {
	if s.id == 0 {
		return
	}
	for len(st.poolsByID) < len(st.cacheByID) {
		st.poolsByID = append(st.poolsByID, slabPools{})
	}
	st.poolsByID[s.id] = s.pools()
}

// pools returns what poolsByID holds for s.
func (s *KmemCache) pools() slabPools {
	return slabPools{unsafe.SliceData(s.freePool), unsafe.SliceData(s.usedPool), s.reciprocalSize, s.flags&slabObjectPoison != 0, s.size}
}

// objIndex mirrors check_valid_pointer() and obj_to_index() (which divides
// by s->size with reciprocal_divide): the index of the object of sl (a
// slab of s) starting at a, ok=false when a is not an object's first byte.
func (s *KmemCache) objIndex(sl *Slab, a Addr) (idx int, ok bool) {
	if a < sl.start {
		return 0, false
	}
	off := uint32(a - sl.start)
	idx = int(s.reciprocalSize.divide(off))
	return idx, uint32(idx)*s.size == off && idx < int(sl.objects)
}

// slabAlloc mirrors slab_alloc_node(): pop the head of the CPU slab's
// freelist, taking another slab when it is empty, and run the post-alloc
// hook. size is the requested size recorded for the object. The error is a
// constructor's (a script's) failure.
func (k *Kernel) slabAlloc(s *KmemCache, gfp GFP, size uint64) (Addr, error) {
	if k.failslab(s, gfp) { // dbg_hooks.go: should_failslab
		return 0, nil
	}
	sl := s.cpuSlab
	if sl == nil || sl.nfree == 0 {
		var err error
		if sl, err = k.slabAllocSlow(s, gfp); sl == nil {
			return 0, err
		}
	}
	idx := int(s.popTop(sl))
	*s.usedWord(sl, uint(idx)) |= 1 << (uint(idx) & 63)
	sl.inuse++
	k.slabPostAlloc(s, sl, idx, gfp, size)
	return s.objAddr(sl, idx), nil
}

// kmalloc is Kmalloc. Its most common case is done here in one function:
// a kmalloc-* cache (1 <= size <= 8192, no __GFP_DMA or
// __GFP_RECLAIMABLE), no failslab armed, no call stack to record (no
// script code running), an object on the CPU slab; it makes exactly
// slabAlloc's changes. Anything else goes to slabAlloc or kmallocOther.
func (k *Kernel) kmalloc(size uint64, gfp GFP) Addr {
	if size-1 >= KmallocMaxCacheSize || gfp&(GFPDMA|GFPReclaimable) != 0 {
		return k.kmallocOther(size, gfp)
	}
	s := k.slab.kmalloc[kmallocNormal][kmallocIndex(size)&15]
	sl := s.cpuSlab
	if k.Stack != nil || sl == nil || sl.nfree == 0 || k.dbg.fault.attr[FaultSlab] != nil {
		a, _ := k.slabAlloc(s, gfp, size)
		return a
	}
	idx := s.popTop(sl)
	*s.usedWord(sl, idx) |= 1 << (idx & 63)
	sl.inuse++
	// slabPostAlloc without a stack
	m := s.metaAt(sl, idx) // the CPU slab has its records (setCPUSlab)
	m.size = uint32(size)
	if s.plainFill { // allocFill's common case (init_on_alloc, zeroFill): setFill(m, fillZero)
		if m.fill == fillNone {
			sl.pending++
		}
		m.fill = fillZero
	} else {
		sl.setFill(m, k.allocFill(s, gfp))
	}
	m.tracked = false // no track (slabPostAlloc without a stack)
	return sl.start + Addr(idx)*Addr(s.size)
}

// slabAllocSlow mirrors ___slab_alloc(): the CPU slab is exhausted (or
// absent), so deactivate it and take the first slab of the node's partial
// list (get_partial_node), or a new slab from the page allocator.
func (k *Kernel) slabAllocSlow(s *KmemCache, gfp GFP) (*Slab, error) {
	if c := s.cpuSlab; c != nil {
		s.setCPUSlab(nil)
		k.deactivateSlab(s, c)
	}
	if sl := s.partial.head; sl != nil {
		s.partial.remove(&k.slab.byPFN, sl)
		s.setCPUSlab(sl)
		return sl, nil
	}
	sl := k.newSlab(s, gfp)
	if sl == nil {
		k.slabOutOfMemory(s, gfp)
		return nil, nil
	}
	s.setCPUSlab(sl)
	return sl, k.setupObjects(s, sl)
}

// setupObjects mirrors setup_object() for every object of a new slab: it
// runs the cache's constructor on each. The slab is already the CPU slab,
// fully free, so a constructor that fails leaves the allocator consistent.
func (k *Kernel) setupObjects(s *KmemCache, sl *Slab) error {
	if s.ctor == nil {
		return nil
	}
	for idx := 0; idx < int(sl.objects); idx++ {
		if err := k.kasanConstruct(s, s.objAddr(sl, idx)); err != nil { // kasan.go: s.ctor on the unpoisoned object
			return err
		}
	}
	return nil
}

// deactivateSlab mirrors deactivate_slab(): a slab stops being the CPU
// slab. Empty, it goes back to the page allocator if the node already keeps
// min_partial partial slabs; with free objects it goes to the head of the
// partial list; full, to the full list.
func (k *Kernel) deactivateSlab(s *KmemCache, sl *Slab) {
	switch {
	case sl.inuse == 0 && s.partial.n >= s.minPartial:
		k.discardSlab(s, sl)
	case sl.nfree > 0:
		s.partial.pushHead(sl)
	default:
		s.full.pushTail(sl)
	}
}

// newSlab mirrors new_slab() and allocate_slab(): a compound page of the
// cache's order, tried without warnings or retries first; on failure the
// smallest order that holds one object (s->min), with the caller's flags.
func (k *Kernel) newSlab(s *KmemCache, gfp GFP) *Slab {
	if gfp&gfpSlabBugMask != 0 {
		gfp = k.kmallocFixFlags(gfp)
	}
	if s.hasCtor && gfp&GFPZero != 0 {
		// Debian's 6.1.192 build: new_slab() is inlined into
		// ___slab_alloc(). 6.1.153's slub.c backports may have moved the
		// line by a few from 6.1.119's.
		k.slabWarnOnce("mm/slub.c", 2001, "___slab_alloc+0x365/0x990", "")
	}
	flags := gfp&(gfpReclaimMask|gfpConstraintMask) | s.allocFlags
	allocGFP := (flags | GFPNoWarn | GFPNoRetry) &^ GFPNoFail
	if allocGFP&GFPDirectReclaim != 0 && s.order > s.minOrder {
		allocGFP = (allocGFP | GFPNoMemalloc) &^ GFPReclaim
	}
	order := s.order
	pfn, ok := k.allocPages(allocGFP, order, newSlabCallers)
	if !ok {
		order = s.minOrder
		if pfn, ok = k.allocPages(flags, order, newSlabCallers); !ok {
			return nil
		}
	}
	sl := k.initSlab(s, pfn, order)
	if k.slab.booted {
		s.poisonNewSlab(sl)
	}
	return sl
}

// newSlabCallers are the frames below __alloc_pages in the page allocator's
// warnings when SLUB grows a cache.
var newSlabCallers = []string{"allocate_slab+0x2e6/0x4a0", "___slab_alloc+0x5f8/0x880", "__kmem_cache_alloc_node+0x2f1/0x3a0"}

// initSlab makes the 2^order pages at pfn a slab of s: the slab's freelist
// (shuffled as shuffle_freelist() does), the page flags (__folio_set_slab),
// the node counters (inc_slabs_node) and the vmstat counter (account_slab).
func (k *Kernel) initSlab(s *KmemCache, pfn PFN, order int) *Slab {
	n := orderObjects(order, s.size)
	if s.id == 0 {
		k.setSlabCache(s)
	}
	ch := k.slab.byPFN.chunk(pfn)
	i := pfn & (pfnChunk - 1)
	if i+1<<order > pfnChunk {
		panic("kernelsim: a slab straddles two chunks of the slab table")
	}
	slot := s.slabSlot()
	k.slab.syncPools(s)
	sl := &ch.slabs[i]
	*sl = Slab{start: PageAddress(pfn) + Addr(s.redLeftPad), pfn: uint32(pfn), cache: s.id,
		slot: slot, freeOff: (1 + slot*uint32(s.objects)) * 2, usedOff: slot * uint32(s.usedWords()) * 8, metaOff: slot * uint32(s.objects) * 8,
		objects: uint32(n), nfree: uint32(n), order: uint8(order)}
	k.shuffleFreelist(s, sl)
	for j := PFN(0); j < 1<<order; j++ {
		ch.setHead(i+j, int(i), s.id)
	}
	k.setPageSlab(pfn, true)
	s.nrSlabs++
	s.totalObjects += n
	k.accountSlabPages(s, order, +1)
	return sl
}

// shuffleFreelist mirrors shuffle_freelist(): the freelist follows the
// cache's random sequence from a random position, skipping indices beyond
// a smaller (fallback-order) slab; without a sequence it is in address
// order. The stack's top (its last element) is the freelist's head.
func (k *Kernel) shuffleFreelist(s *KmemCache, sl *Slab) {
	n := int(sl.objects)
	free := s.freeList(sl)
	if n < 2 || s.randomSeq == nil {
		for i := 0; i < n; i++ {
			free[n-1-i] = uint16(i)
		}
		sl.top = free[n-1]
		return
	}
	count := len(s.randomSeq)
	pos := k.rng.IntN(count)
	for i := 0; i < n; i++ {
		idx := s.randomSeq[pos]
		for pos = (pos + 1) % count; int(idx) >= n; pos = (pos + 1) % count {
			idx = s.randomSeq[pos]
		}
		free[n-1-i] = idx
	}
	sl.top = free[n-1]
}

// discardSlab mirrors discard_slab(): an empty slab's pages go back to the
// page allocator.
//
// Its slot in the cache's pools goes on the cache's freeSlots, records
// cleared, for the next slab; its entries in byPFN become zero, no
// slab's pages.
func (k *Kernel) discardSlab(s *KmemCache, sl *Slab) {
	pfn, order := PFN(sl.pfn), int(sl.order)
	s.nrSlabs--
	s.totalObjects -= int(sl.objects)
	clear(s.usedBits(sl))
	if sl.hasMeta() {
		clear(s.metas(sl))
		s.freeMeta = append(s.freeMeta, sl.metaOff/8/uint32(s.objects))
	}
	if sl.flags&slabTracked != 0 {
		s.tracks[sl.slot] = nil
	}
	s.freeSlots = append(s.freeSlots, sl.slot)
	ch := k.slab.byPFN.chunk(pfn)
	for i := PFN(0); i < 1<<order; i++ {
		ch.setHead((pfn+i)&(pfnChunk-1), -1, 0)
	}
	*sl = Slab{}
	k.setPageSlab(pfn, false)
	k.accountSlabPages(s, order, -1)
	if err := k.FreePages(pfn, order); err != nil {
		panic("kernelsim: discard_slab: " + err.Error())
	}
}

// accountSlabPages mirrors account_slab()/unaccount_slab(): the vmstat
// counters NR_SLAB_RECLAIMABLE_B and NR_SLAB_UNRECLAIMABLE_B, which the
// memory core keeps in pages for /proc/meminfo.
func (k *Kernel) accountSlabPages(s *KmemCache, order int, sign int64) {
	c := &k.mem.nrSlabUnreclaimable
	if s.flags&SlabReclaimAccount != 0 {
		c = &k.mem.nrSlabReclaimable
	}
	*c += sign << order
}

// slabFree mirrors slab_free() for an object that passed the free checks:
// the free hook (poison, free track), then do_slab_free's fast path for the
// CPU slab or __slab_free's list management for any other slab.
func (k *Kernel) slabFree(s *KmemCache, sl *Slab, idx int) {
	k.slabFreeHook(s, sl, idx)
	*s.usedWord(sl, uint(idx)) &^= 1 << (uint(idx) & 63)
	k.dbgSlabFree(s, sl, idx) // dbg_hooks.go: onto the freelist through KASAN's quarantine; kmemleak_free
	sl.inuse--
	if sl == s.cpuSlab {
		return
	}
	wasFull := sl.flags&slabOnFull != 0
	if sl.inuse == 0 && s.partial.n >= s.minPartial {
		if wasFull {
			s.full.remove(&k.slab.byPFN, sl)
		} else if sl.flags&slabOnPartial != 0 {
			s.partial.remove(&k.slab.byPFN, sl)
		}
		k.discardSlab(s, sl)
		return
	}
	if wasFull {
		s.full.remove(&k.slab.byPFN, sl)
		s.partial.pushTail(sl)
	}
}

// slabFreeChecked mirrors slab_free()'s checks of the object at a in slab
// sl of cache s, in the order Linux 6.1 makes them, and frees it when they
// pass: a is an object's start, and the object is allocated. caller is the
// API function's frame ("kfree+0x9a/0x130") for the trace.
//
//   - On a KASAN kernel (the debug build) slab_free_hook's kasan_slab_free
//     comes first: ____kasan_slab_free reports a pointer that is not an
//     object's start as "invalid-free" and a free object as "double-free"
//     (mm/kasan/common.c), and frees nothing. SLUB's own checks never see
//     these frees.
//   - Without KASAN, SLUB's free_consistency_checks run only when the
//     command line asks for them (slub_debug=F, or slub_debug alone):
//     "Invalid object pointer", "Object already free", nothing freed.
//   - Otherwise nothing checks: a naive double free hits
//     SLAB_FREELIST_HARDENED's BUG_ON in set_freepointer
//     (hardenedDoubleFree); any other bad free corrupts the freelist on
//     Linux, and kscript, unlike Linux, frees nothing and records its own
//     finding.
func (k *Kernel) slabFreeChecked(s *KmemCache, sl *Slab, a Addr, caller string) error {
	idx, ok := s.objIndex(sl, a)
	used := ok && s.isUsed(sl, idx)
	if !k.dbg.kasan.off && !used {
		bugType := "double-free"
		if !ok {
			bugType = "invalid-free"
		}
		k.kasanReportInvalidFree(a, bugType, caller)
		return nil
	}
	if used {
		k.slabFree(s, sl, idx)
		return nil
	}
	if !k.slubConsistencyChecks() {
		if ok {
			return k.hardenedDoubleFree(s, sl, idx, caller)
		}
		k.note("invalid-free", fmt.Sprintf("kscript: %s of 0x%s, which is not the start of an object of %s; "+
			"Linux without slub_debug=F does not check (it puts that address on the slab's freelist, corrupting it); kscript freed nothing",
			strings.SplitN(caller, "+", 2)[0], hexPtr(a), s.Name))
		return nil
	}
	if !ok {
		k.slabErr(s, sl, "invalid-free", "Invalid object pointer 0x"+k.HashPointer(a),
			"slab_err+0xd8/0x110", "free_debug_processing+0x2d1/0x320", "__slab_free+0x2c4/0x440", caller)
	} else {
		k.objectErr(s, sl, idx, "double-free", "Object already free",
			"object_err+0x33/0x50", "free_debug_processing+0x2d1/0x320", "__slab_free+0x2c4/0x440", caller)
	}
	k.slabFix(s, "Object at 0x%s not freed", k.HashPointer(a))
	return nil
}

// slubConsistencyChecks reports whether frees are checked as
// SLAB_CONSISTENCY_CHECKS checks them: only with slub_debug=F (or
// slub_debug alone, which means FZPU) on the command line, as on Linux.
func (k *Kernel) slubConsistencyChecks() bool {
	return strings.ContainsAny(k.boot.slubDebug, "Ff")
}

// setFreepointerBUGLine is the line of set_freepointer()'s
// BUG_ON(object == fp) in Linux 6.1's mm/slub.c (Debian's 6.1.192 source,
// linux-source-6.1; the same line in its build's __bug_table). 5.15 has it
// at 379, 6.0 at 381, 6.2 at 435.
const setFreepointerBUGLine = 419

// The RIPs of that BUG_ON in Debian's 6.1 build (linux-image-6.1.0-57-amd64,
// 6.1.192-3: its __bug_table and System.map), where set_freepointer is
// inlined. kfree() tail-calls __kmem_cache_free() (mm/slab_common.c), and
// both tail-call __slab_free(), so no kfree or __kmem_cache_free frame is
// left on the stack: the call trace goes straight to the module.
const (
	// do_slab_free()'s lockless fast path, inlined into __kmem_cache_free:
	// the object belongs to this CPU's slab.
	kfreeFastBUGRIP = "__kmem_cache_free+0x284/0x2a0"
	// The same, inlined into kmem_cache_free.
	kmemCacheFreeFastBUGRIP = "kmem_cache_free+0x2f7/0x310"
	// __slab_free(): the object's slab is not this CPU's.
	slabFreeBUGRIP = "__slab_free+0x118/0x2d0"
)

// hardenedDoubleFree mirrors a double free on a kernel without SLUB's debug
// checks: do_slab_free (or __slab_free) links the object in front of the
// freelist with set_freepointer(s, object, freelist), and
// CONFIG_SLAB_FREELIST_HARDENED's BUG_ON(object == fp) fires when the
// object already is the freelist's head, the naive double free
// (kfree(p); kfree(p);). The task is killed (kernel BUG, invalid opcode).
//
// A double free with other frees in between passes that test: Linux puts
// the object on the freelist twice, and two later allocations return the
// same memory. Unlike Linux, kernelsim frees nothing and records kscript's
// own finding instead, since its freelist cannot hold an object twice.
func (k *Kernel) hardenedDoubleFree(s *KmemCache, sl *Slab, idx int, caller string) error {
	if free := s.freeList(sl); len(free) > 0 && int(free[len(free)-1]) == idx {
		rip := kfreeFastBUGRIP
		if strings.HasPrefix(caller, "kmem_cache_free+") {
			rip = kmemCacheFreeFastBUGRIP
		}
		if sl != s.cpuSlab {
			rip = slabFreeBUGRIP
		}
		title := fmt.Sprintf("kernel BUG at mm/slub.c:%d!", setFreepointerBUGLine)
		return k.reportBUG("mm/slub.c", setFreepointerBUGLine, rip, "double-free", title, nil)
	}
	k.note("double-free", fmt.Sprintf("kscript: %s of object 0x%s in %s, which is already free; "+
		"Linux without slub_debug=F does not notice (the object is now twice on the freelist, and two later allocations get the same memory); kscript freed nothing",
		strings.SplitN(caller, "+", 2)[0], hexPtr(s.objAddr(sl, idx)), s.Name))
	return nil
}

// flushCPUSlab mirrors flush_slab(): the CPU slab is deactivated.
func (k *Kernel) flushCPUSlab(s *KmemCache) {
	if c := s.cpuSlab; c != nil {
		s.setCPUSlab(nil)
		k.deactivateSlab(s, c)
	}
}
