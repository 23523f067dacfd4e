package kernelsim

import "fmt"

// The buddy allocator, mirroring mm/page_alloc.c.
//
// Allocation (__alloc_pages): walk the zonelist allowed by the GFP zone
// modifiers from the highest zone down; in the first zone whose free pages
// stay above the watermark after the allocation, take the smallest free block
// of at least the requested order (__rmqueue_smallest) and split it in halves
// (expand), putting each unused upper half back on the free list one order
// lower:
//
//	order-3 request, only an order-5 block free:
//	[################################]  order 5, taken off free_area[5]
//	[################]................  upper 16 pages -> free_area[4]
//	[########]........                  upper 8 pages  -> free_area[3]
//	[########]                          returned to the caller
//
// Freeing (__free_one_page) does the reverse: while the block's buddy (the
// block of the same order whose pfn differs in bit `order`) is free, take it
// off its list and merge, one order up.

// Allocation flags mirror mm/internal.h's ALLOC_*: which watermark to check
// and how far below it an allocation may go.
const (
	allocWmarkMin      = wmarkMin
	allocWmarkLow      = wmarkLow
	allocWmarkHigh     = wmarkHigh
	allocNoWatermarks  = 0x04
	allocWmarkMask     = allocNoWatermarks - 1
	allocHarder        = 0x10 // ALLOC_HARDER: __GFP_ATOMIC, a further min/4
	allocHigh          = 0x20 // ALLOC_HIGH: __GFP_HIGH, down to min/2
	allocCPUSet        = 0x40
	pageAllocCostlyOrd = 3 // PAGE_ALLOC_COSTLY_ORDER
)

// gfpZone mirrors gfp_zone(): the highest zone an allocation may use.
// __GFP_HIGHMEM and __GFP_MOVABLE mean ZONE_NORMAL on x86-64 here (there is
// no ZONE_MOVABLE memory).
func gfpZone(gfp GFP) int {
	switch {
	case gfp&GFPDMA != 0:
		return ZoneDMA
	case gfp&GFPDMA32 != 0:
		return ZoneDMA32
	}
	return ZoneNormal
}

// AllocPages mirrors alloc_pages(gfp, order) (mm/page_alloc.c:__alloc_pages)
// as a module calls it: the first pfn of 2^order contiguous free frames, or
// ok=false after printing the kernel's warning (unless __GFP_NOWARN). The
// block is registered with kmemleak; kernelsim's own users of the page
// allocator (vmalloc, slab, user memory) call allocPages, whose blocks belong
// to objects tracked on their own.
//
// Its common case is allocPagesFast's, repeated here line for line so
// that it is one function call, when there is no script stack to record
// (kmemleak registers nothing then).
func (k *Kernel) AllocPages(gfp GFP, order int) (pfn PFN, ok bool) {
	if z := k.mem.fastZone; z != nil && k.Stack == nil && uint(order) <= pageAllocCostlyOrd && gfp&(GFPZero|GFPDMA|GFPDMA32) == 0 {
		if p := z.pcp.lists[order]; p != noPFN && (order == 0 && z.nrFree > k.mem.fastMark ||
			zoneWatermarkOK(z, order, z.watermark[wmarkLow], ZoneNormal, allocWmarkLow, z.nrFree)) {
			pg := k.mem.at(p)
			z.pcp.lists[order] = pg.next
			*pg = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, order: uint8(order)}
			z.pcp.lens[order]--
			z.pcp.count -= 1 << order
			k.mem.work += workPerPage << order
			if k.boot.initOnAlloc {
				k.mem.clearPages(PFN(p), order)
			}
			return PFN(p), true
		}
	}
	if k.Stack == nil {
		if pfn, ok = k.allocBuddyFast(gfp, order); ok {
			return pfn, true
		}
	}
	return k.allocPagesTracked(gfp, order)
}

// allocPagesTracked is AllocPages's full path: allocPages, then kmemleak.
func (k *Kernel) allocPagesTracked(gfp GFP, order int) (pfn PFN, ok bool) {
	if pfn, ok = k.allocPages(gfp, order, allocPagesCallers); ok {
		k.dbgAllocPages(pfn, order) // dbg_hooks.go: kmemleak
	}
	return pfn, ok
}

var allocPagesCallers = []string{allocPagesCaller}

// allocPages is __alloc_pages for a caller whose kernel frames (below
// __alloc_pages in a call trace: "__kmalloc_large_node+0x79/0x140", ...)
// are callers; its warnings print them.
func (k *Kernel) allocPages(gfp GFP, order int, callers []string) (pfn PFN, ok bool) {
	if k.mem.avoid != nil && !k.mem.avoiding {
		return k.allocAvoiding(gfp, order, callers) // reserve.go
	}
	if pfn, ok = k.allocPagesFast(gfp, order); ok {
		return pfn, true
	}
	if pfn, ok = k.allocBuddyFast(gfp, order); ok {
		return pfn, true
	}
	p, ok := k.rmqueuePCPFast(gfp&gfpBitsMask, order)
	if !ok {
		if order < 0 || order >= MaxOrder {
			// WARN_ON_ONCE_GFP(order >= MAX_ORDER, gfp)
			k.warnOrderTooLarge(gfp, callers)
			return 0, false
		}
		if !k.mem.retrying && k.shouldFailAlloc(gfp&gfpBitsMask, order, callers...) { // fault_inject.go: should_fail_alloc_page
			return 0, false
		}
		high := gfpZone(gfp & gfpBitsMask)
		if p, ok = k.getPageFromFreelist(gfp&gfpBitsMask, order, allocWmarkLow, high); !ok {
			if p, ok = k.allocPagesSlowpath(gfp&gfpBitsMask, order, high, callers); !ok {
				return 0, false
			}
		}
	}
	gfp &= gfpBitsMask
	k.mem.work += workPerPage << order
	if gfp&GFPZero != 0 || k.boot.initOnAlloc {
		// post_alloc_hook(): kernel_init_pages() when want_init_on_alloc()
		// (init_on_alloc=1, as Debian boots, or __GFP_ZERO). Clearing
		// drops the pages' contents; only __GFP_ZERO counts as the
		// caller's work, so the default does not change step budgets.
		k.mem.clearPages(PFN(p), order)
	}
	if gfp&GFPZero != 0 {
		k.mem.work += PageSize << order
	}
	if k.mem.tracer != nil {
		k.mem.tracer(fmt.Sprintf("mm_page_alloc: page=%s pfn=%#x order=%d migratetype=0 gfp_flags=%s", k.hashedPtr(PageStructAddr(PFN(p))), p, order, gfp))
	}
	return PFN(p), true
}

// SetPageAllocTracer makes the page allocator report every allocation and
// free to fn, as the kmem:mm_page_alloc and kmem:mm_page_free tracepoints
// (include/trace/events/kmem.h) print them; nil turns it off.
func (k *Kernel) SetPageAllocTracer(fn func(line string)) {
	k.mem.tracer = fn
	k.updatePageFast()
}

// prepNewPage mirrors prep_new_page(): mark the block allocated (its
// caller clears it for __GFP_ZERO). The block came off a free or per-CPU
// list, so its section has a mem_map.
func (k *Kernel) prepNewPage(pfn uint32, order int) {
	*k.mem.at(pfn) = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, order: uint8(order)}
}

// allocPagesFast is allocPages's most common case in one function: a
// block of order 0..3 for an allocation that may use ZONE_NORMAL and asks
// for no __GFP_ZERO, popped from the per-CPU list of the zonelist's first
// zone, with the page allocator's fast paths open (updatePageFast) and the
// order-0 watermark shortcut passing (higher orders do the full check).
// It makes exactly the choice and the changes of allocPages; ok=false
// (changing nothing) sends the caller down the full path.
func (k *Kernel) allocPagesFast(gfp GFP, order int) (PFN, bool) {
	z := k.mem.fastZone
	if z == nil || uint(order) > pageAllocCostlyOrd || gfp&(GFPZero|GFPDMA|GFPDMA32) != 0 {
		return 0, false
	}
	pfn := z.pcp.lists[order]
	if pfn == noPFN {
		return 0, false
	}
	if z.nrFree <= k.mem.fastMark || order != 0 {
		if !zoneWatermarkOK(z, order, z.watermark[wmarkLow], ZoneNormal, allocWmarkLow, z.nrFree) {
			return 0, false
		}
	}
	p := k.mem.at(pfn)
	z.pcp.lists[order] = p.next
	*p = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, order: uint8(order)}
	z.pcp.lens[order]--
	z.pcp.count -= 1 << order
	k.mem.work += workPerPage << order
	if k.boot.initOnAlloc {
		k.mem.clearPages(PFN(pfn), order)
	}
	return PFN(pfn), true
}

// allocBuddyFast is allocPages's common case when the block comes straight
// from the buddy free lists (per-CPU lists off, or an order above 3): an
// allocation that may use ZONE_NORMAL, with no __GFP_ZERO, from the
// zonelist's first zone when it passes the watermark check, with no tracer
// set and no page_alloc fault armed (buddyZone, set by updatePageFast).
// It makes exactly the choice and the changes of the full path
// (get_page_from_freelist's first zone, rmqueue_buddy); ok=false, changing
// nothing, sends the caller down the full path.
func (k *Kernel) allocBuddyFast(gfp GFP, order int) (PFN, bool) {
	z := k.mem.buddyZone
	if z == nil || uint(order) >= MaxOrder || gfp&(GFPZero|GFPDMA|GFPDMA32) != 0 ||
		!k.cfg.NoPCP && order <= pageAllocCostlyOrd {
		return 0, false
	}
	if (order != 0 || z.nrFree <= k.mem.fastMark) &&
		!zoneWatermarkOK(z, order, z.watermark[wmarkLow], ZoneNormal, allocWmarkLow, z.nrFree) {
		return 0, false
	}
	var pfn uint32
	if k.mem.buddyObserver == nil {
		var sec *memSection
		if pfn, sec = k.rmqueueQuiet(z, order); sec == nil {
			return 0, false
		}
		sec[pfn&sectionMask] = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, order: uint8(order)} // prepNewPage
	} else {
		var ok bool
		if pfn, ok = k.rmqueueBuddy(z, order); !ok {
			return 0, false
		}
		k.prepNewPage(pfn, order)
	}
	k.mem.work += workPerPage << order
	if k.boot.initOnAlloc {
		k.mem.clearPages(PFN(pfn), order)
	}
	return PFN(pfn), true
}

// updatePageFast opens or closes the page allocator's fast paths
// (allocPagesFast and FreePages's per-CPU push; allocBuddyFast): open when
// no tracer is set, no page_alloc fault is armed and no frame is to be
// avoided (AvoidFrames) (and, for the per-CPU
// ones, the per-CPU lists are on), which are the only things besides the
// GFP flags and the zone's counters that the full paths look at.
// Everything that changes one of them calls it. It also keeps fastMark,
// the first zone's order-0 watermark shortcut (low watermark plus the
// lowmem reserve against ZONE_NORMAL allocations), which only boot sets.
func (k *Kernel) updatePageFast() {
	k.mem.fastZone, k.mem.buddyZone = nil, nil
	if k.mem.tracer != nil || k.dbg.fault.attr[FaultPageAlloc] != nil || k.mem.avoid != nil {
		return
	}
	if zl := k.zones.zonelist[ZoneNormal]; len(zl) > 0 {
		z := zl[0]
		k.mem.fastMark = int64(z.watermark[wmarkLow] + z.lowmemReserve[ZoneNormal])
		k.mem.buddyZone = z
		if !k.cfg.NoPCP {
			k.mem.fastZone = z
		}
	}
}

// rmqueuePCPFast is the common case of allocPages in one step: a block of
// order 0..3 from a non-empty per-CPU list of the zonelist's first zone,
// which passes the watermark check, with no fault injection armed. It
// makes exactly the choice and the changes of the full path
// (should_fail_alloc_page says no, get_page_from_freelist's first zone,
// rmqueue_pcplist's fast path); ok=false sends the caller down the full
// path, which then repeats the same checks.
func (k *Kernel) rmqueuePCPFast(gfp GFP, order int) (uint32, bool) {
	if k.cfg.NoPCP || uint(order) > pageAllocCostlyOrd || k.dbg.fault.attr[FaultPageAlloc] != nil {
		return 0, false
	}
	high := gfpZone(gfp)
	zl := k.zones.zonelist[high]
	if len(zl) == 0 {
		return 0, false
	}
	z := zl[0]
	if z.pcp.lists[order] == noPFN {
		return 0, false
	}
	mark := z.watermark[wmarkLow]
	if (order != 0 || z.nrFree <= int64(mark+z.lowmemReserve[high])) &&
		!zoneWatermarkOK(z, order, mark, high, allocWmarkLow, z.nrFree) {
		return 0, false
	}
	return k.pcpPop(&z.pcp, order), true
}

// getPageFromFreelist mirrors get_page_from_freelist(): the first zone of
// the zonelist (highest allowed zone down to DMA) that passes the watermark
// check gives the pages (rmqueue): small orders through the per-CPU lists
// (unless Config.NoPCP), otherwise straight from the buddy free lists. The
// block comes back prepared (prep_new_page): pcpPop prepares the per-CPU
// list's block as it unlinks it, so that the hot path touches its page
// struct once.
func (k *Kernel) getPageFromFreelist(gfp GFP, order, allocFlags, high int) (uint32, bool) {
	for _, z := range k.zones.zonelist[high] {
		if allocFlags&allocNoWatermarks == 0 {
			// zone_watermark_fast(): an order-0 shortcut, then the
			// full __zone_watermark_ok.
			mark := z.watermark[allocFlags&allocWmarkMask]
			if (order != 0 || z.nrFree <= int64(mark+z.lowmemReserve[high])) &&
				!zoneWatermarkOK(z, order, mark, high, allocFlags, z.nrFree) {
				continue
			}
		}
		var pfn uint32
		var ok bool
		switch {
		case k.cfg.NoPCP || order > pageAllocCostlyOrd:
			if pfn, ok = k.rmqueueBuddy(z, order); ok {
				k.prepNewPage(pfn, order)
			}
		case z.pcp.lists[order] != noPFN: // rmqueue_pcplist()'s fast path
			pfn, ok = k.pcpPop(&z.pcp, order), true
		default:
			pfn, ok = k.rmqueuePCP(z, order)
		}
		if ok {
			return pfn, true
		}
	}
	return 0, false
}

// zoneWatermarkOK mirrors __zone_watermark_ok(): after taking 2^order pages,
// would free pages stay above the mark (lowered for __GFP_HIGH and
// __GFP_ATOMIC) plus the lowmem reserve, and is there a block big enough?
// Unlike Linux there is no highatomic reserve and no CMA.
func zoneWatermarkOK(z *Zone, order int, mark uint64, high, allocFlags int, freePages int64) bool {
	minPages := int64(mark)
	freePages -= 1<<order - 1 // __zone_watermark_unusable_free
	if allocFlags&allocHigh != 0 {
		minPages -= minPages / 2
	}
	if allocFlags&allocHarder != 0 {
		minPages -= minPages / 4
	}
	if freePages <= minPages+int64(z.lowmemReserve[high]) {
		return false
	}
	for o := order; o < MaxOrder; o++ {
		if z.freeArea[o].NrFree != 0 {
			return true
		}
	}
	return false
}

// rmqueueBuddy takes a block from the free lists and updates NR_FREE_PAGES.
func (k *Kernel) rmqueueBuddy(z *Zone, order int) (uint32, bool) {
	if k.mem.buddyObserver == nil {
		pfn, sec := k.rmqueueQuiet(z, order)
		return pfn, sec != nil
	}
	pfn, ok := k.rmqueueSmallest(z, order)
	if ok {
		z.nrFree -= 1 << order
	}
	return pfn, ok
}

// rmqueueQuiet is rmqueueBuddy with no buddy observer set, in one
// function: __rmqueue_smallest's search, del_page_from_free_list and
// expand's splits, and NR_FREE_PAGES. It makes exactly the changes
// rmqueueSmallest makes (the events are all it leaves out, and there is
// no one to see them) and returns the block's first frame with the
// mem_map of its section, or a nil section when no block of at least
// order is free. A block never spans two sections, so every half expand
// puts back is in that section too.
func (k *Kernel) rmqueueQuiet(z *Zone, order int) (uint32, *memSection) {
	fa := &z.freeArea
	cur := uint(order)
	for ; cur < MaxOrder; cur++ { // (a negative order finds nothing)
		if fa[cur].head != noPFN {
			break
		}
	}
	if cur >= MaxOrder {
		return 0, nil
	}
	pfn := fa[cur].head
	var sec *memSection
	if cur == MaxOrder-1 { // delFromTopList(z, pfn)
		top, area := k.mem.top, &fa[MaxOrder-1]
		t := &top[pfn>>(MaxOrder-1)]
		next, prev := t.next, t.prev
		*t = topBlock{pageLinks: pageLinks{noPFN, noPFN}}
		if prev == noPFN {
			area.head = next
		} else {
			top[prev>>(MaxOrder-1)].next = next
		}
		if next == noPFN {
			area.tail = prev
		} else {
			top[next>>(MaxOrder-1)].prev = prev
		}
		area.NrFree--
		sec = k.mem.section(pfn) // (a top-order block may come from an untouched section)
	} else {
		sec = k.mem.sections[pfn>>sectionShift]
		k.unlinkFree(&fa[cur], &sec[pfn&sectionMask])
	}
	// expand; size: 2^cur pages. (sec[0]: the nil check, once instead of
	// in every split.)
	_ = sec[0]
	for size := uint32(1) << (cur & 31); cur > uint(order); {
		cur, size = cur-1, size>>1
		half := pfn + size
		k.pushFreeHead(&fa[cur], &sec[half&sectionMask], half, int(cur))
	}
	z.nrFree -= 1 << (uint(order) & 15)
	return pfn, sec
}

// rmqueueSmallest mirrors __rmqueue_smallest(): the first block of the
// smallest order that fits, split down by expand.
func (k *Kernel) rmqueueSmallest(z *Zone, order int) (uint32, bool) {
	fa := &z.freeArea
	for cur := uint(order); cur < MaxOrder; cur++ { // (a negative order finds nothing)
		if pfn := fa[cur].head; pfn != noPFN {
			k.delFromFreeList(z, pfn, int(cur))
			k.buddyEvent(BuddyTake, pfn, int(cur))
			k.expand(z, pfn, order, int(cur)) // (a top-order block may come from an untouched section)
			return pfn, true
		}
	}
	return 0, false
}

// expand mirrors expand(): split a block of order high down to order low,
// putting the upper half back on the free list at each step.
//
// A block never spans two sections, so the section's mem_map is looked up
// once.
func (k *Kernel) expand(z *Zone, pfn uint32, low, high int) {
	sec := k.mem.section(pfn)
	observed := k.mem.buddyObserver != nil
	size := uint32(1) << (uint(high) & 31) // 2^h pages
	for h := uint(high); h > uint(low); {
		if observed {
			k.observeBuddy(BuddySplit, pfn, int(h))
		}
		h, size = h-1, size>>1
		half := pfn + size
		k.pushFreeHead(&z.freeArea[h], &sec[half&sectionMask], half, int(h))
	}
}

// FreePages mirrors __free_pages(page, order). A bad free (wrong order, a
// page not allocated) is reported as Linux reports it; the error is non-nil
// only when Linux would kill the task.
//
// Its common cases are freePages's first two, repeated here line for
// line so that they take one call and no spills: a block in flat, with
// the fast paths open and kmemleak having nothing to forget
// (dbgFreePages then only resets KASAN's page cache), pushed on its
// per-CPU list (order 0..3) or, per-CPU lists off or above order 3 and
// no buddy observer set, put straight on the free lists. Anything else
// goes to freePages, which repeats the checks (and the reset) from the
// start.
func (k *Kernel) FreePages(pfn PFN, order int) error {
	p := k.flatHead(pfn, order)
	if p == nil || k.dbg.leak.n != 0 {
		return k.freePages(pfn, order)
	}
	k.dbg.kasan.okPage = 0 // dbgFreePages
	if k.mem.fastZone != nil && uint(order) <= pageAllocCostlyOrd {
		z := k.zoneOf(uint32(pfn))
		if k.pcpPushPage(&z.pcp, p, uint32(pfn), order) >= z.pcp.high {
			k.freePCPPagesBulk(z, z.pcp.batch)
		}
		return nil
	}
	if k.mem.buddyZone != nil && (k.cfg.NoPCP || order > pageAllocCostlyOrd) && k.mem.buddyObserver == nil {
		z := k.zoneOf(uint32(pfn))
		*p = page{}
		z.nrFree += 1 << (uint(order) & 15)
		k.freeQuiet(z, k.mem.sections[pfn>>sectionShift], uint32(pfn), order)
		return nil
	}
	return k.freePages(pfn, order)
}

// freePages is FreePages in full.
func (k *Kernel) freePages(pfn PFN, order int) error {
	p := k.flatHead(pfn, order)
	if p == nil {
		if p = k.allocatedHead(pfn, order); p == nil {
			_, err := k.freePageIsBad(pfn, order)
			return err
		}
	}
	k.dbgFreePages(pfn) // dbg_hooks.go: kmemleak_free
	if k.mem.fastZone != nil && uint(order) <= pageAllocCostlyOrd {
		// The fast paths are open: no tracer, per-CPU lists on.
		z := k.zoneOf(uint32(pfn))
		if k.pcpPushPage(&z.pcp, p, uint32(pfn), order) < z.pcp.high {
			return nil
		}
		k.freePCPPagesBulk(z, z.pcp.batch)
		return nil
	}
	if k.mem.buddyZone != nil && (k.cfg.NoPCP || order > pageAllocCostlyOrd) {
		// No tracer: straight to the free lists (__free_pages_ok).
		z := k.zoneOf(uint32(pfn))
		*p = page{}
		z.nrFree += 1 << (uint(order) & 15)
		if k.mem.buddyObserver == nil {
			k.freeQuiet(z, k.mem.sections[pfn>>sectionShift], uint32(pfn), order)
		} else {
			k.freeOnePage(z, uint32(pfn), order, false)
		}
		return nil
	}
	return k.freePagesSlow(p, pfn, order)
}

// freePagesSlow is FreePages with a tracer set.
func (k *Kernel) freePagesSlow(p *page, pfn PFN, order int) error {
	if k.mem.tracer != nil {
		k.mem.tracer(fmt.Sprintf("mm_page_free: page=%s pfn=%#x order=%d", k.hashedPtr(PageStructAddr(pfn)), uint64(pfn), order))
	}
	// free_the_page(): per-CPU lists for small orders (unless
	// Config.NoPCP), otherwise __free_pages_ok.
	z := k.zoneOf(uint32(pfn))
	if !k.cfg.NoPCP && order <= pageAllocCostlyOrd {
		// free_unref_page(): onto the per-CPU list; drain a batch
		// when the lists hold more than high pages.
		if k.pcpPushPage(&z.pcp, p, uint32(pfn), order) >= z.pcp.high {
			k.freePCPPagesBulk(z, z.pcp.batch)
		}
		return nil
	}
	*p = page{}
	z.nrFree += 1 << order
	k.freeOnePage(z, uint32(pfn), order, false)
	return nil
}

// allocatedHead returns pfn's page struct when it heads an allocated block
// of exactly this order that may be freed — the check free_pages_prepare()
// makes — and nil otherwise. A slab's pages carry PG_slab until the slab
// layer itself frees them.
//
// (A frame at or above max_pfn in the last section never heads an
// allocated block, so its own page struct answers for it.)
func (k *Kernel) allocatedHead(pfn PFN, order int) *page {
	if p := k.flatHead(pfn, order); p != nil {
		return p
	}
	if s := uint64(pfn >> sectionShift); s < uint64(len(k.mem.sections)) && uint(order) < MaxOrder {
		if sec := k.mem.sections[s]; sec != nil {
			if p := &sec[pfn&sectionMask]; p.flags == pgHead && p.order == uint8(order) && p.use != PageUseSlab {
				return p
			}
		}
	}
	return nil
}

// flatHead is allocatedHead for a frame in flat (see physMem.at), small
// enough to inline into FreePages: nil when the frame is above flat or
// does not head an allocated block of this order that may be freed. (A
// never-written section's frames are zero in flat, as the section reads.)
func (k *Kernel) flatHead(pfn PFN, order int) *page {
	if uint64(pfn) < uint64(len(k.mem.flat)) {
		if p := &k.mem.flat[pfn]; uint(order) < MaxOrder && p.flags == pgHead && p.order == uint8(order) && p.use != PageUseSlab {
			return p
		}
	}
	return nil
}

// freeToBuddy frees a block into the free lists and updates NR_FREE_PAGES.
func (k *Kernel) freeToBuddy(z *Zone, pfn uint32, order int) {
	k.freeBlock(z, k.mem.at(pfn), pfn, order)
}

// freeBlock frees the block whose head is p (frame pfn).
func (k *Kernel) freeBlock(z *Zone, p *page, pfn uint32, order int) {
	p.flags, p.order, p.use, p.data = 0, 0, 0, 0
	z.nrFree += 1 << order
	k.freeOnePage(z, pfn, order, false)
}

// freeOnePage mirrors __free_one_page(): merge with free buddies as far up
// as they go, then put the block on its free list — at the tail when the
// buddy of the block it would merge into next is free (buddy_merge_likely),
// so that the pair has a chance to merge before the block is handed out
// again.
//
// Buddies below the top order are in the block's own section (nil only for
// a section that holds nothing but free top-order blocks).
func (k *Kernel) freeOnePage(z *Zone, pfn uint32, order int, toTail bool) {
	sec := k.mem.sections[pfn>>sectionShift]
	if sec != nil && !toTail && k.mem.buddyObserver == nil && uint(order) < MaxOrder {
		k.freeQuiet(z, sec, pfn, order)
		return
	}
	if sec != nil {
		observed := k.mem.buddyObserver != nil
		o := uint(order)
		for size := uint32(1) << (o & 31); o < MaxOrder-1; o, size = o+1, size<<1 { // size: 2^o pages
			buddy := pfn ^ size // __find_buddy_pfn
			bp := &sec[buddy&sectionMask]
			if bp.flags != pgBuddy || uint(bp.order) != o { // page_is_buddy
				break
			}
			k.unlinkFree(&z.freeArea[o], bp)
			if observed {
				k.observeBuddy(BuddyMerge, pfn, int(o))
			}
			pfn &= buddy
		}
		order = int(o) // the order merged up to
	}
	if !toTail && order < MaxOrder-2 {
		// buddy_merge_likely(): is the buddy of the block this one
		// would merge into free?
		higher := pfn &^ (1 << order)
		toTail = k.isBuddy(higher^1<<(order+1), order+1)
	}
	k.addToFreeList(z, pfn, order, toTail)
	k.buddyEvent(BuddyPut, pfn, order)
}

// freeQuiet is freeOnePage(z, pfn, order, false) with no buddy observer
// set, for a block in a section with a mem_map (sec), in one function:
// __free_one_page's merging (page_is_buddy, del_page_from_free_list),
// buddy_merge_likely() and add_to_free_list{,_tail}. It makes exactly
// freeOnePage's changes (the events are all it leaves out, and there is
// no one to see them): every buddy below the top order, and the buddy
// buddy_merge_likely() looks at, is in the block's own section.
func (k *Kernel) freeQuiet(z *Zone, sec *memSection, pfn uint32, order int) {
	secs, fa := k.mem.sections, &z.freeArea
	_, _ = sec[0], fa[0] // (the nil checks, once instead of in every merge)
	o := uint(order) & 15
	for size := uint32(1) << o; o < MaxOrder-1; o, size = o+1, size<<1 { // size: 2^o pages
		buddy := pfn ^ size // __find_buddy_pfn
		bp := &sec[buddy&sectionMask]
		if bp.flags != pgBuddy || uint(bp.order) != o { // page_is_buddy
			break
		}
		area := &fa[o] // unlinkFree
		next, prev := bp.next, bp.prev
		*bp = page{}
		area.NrFree--
		if prev == noPFN {
			area.head = next
		} else {
			secs[prev>>sectionShift][prev&sectionMask].next = next
		}
		if next == noPFN {
			area.tail = prev
		} else {
			secs[next>>sectionShift][next&sectionMask].prev = prev
		}
		pfn &= buddy
	}
	if o >= MaxOrder-1 { // addToTopList(z, pfn, false)
		sec[pfn&sectionMask] = page{}
		k.pushTopHead(z, pfn)
		return
	}
	tail := false
	if o < MaxOrder-2 {
		// buddy_merge_likely(): the order o+1 block's buddy is below
		// the top order, so in this section.
		hb := pfn&^(1<<o) ^ 1<<(o+1)
		q := &sec[hb&sectionMask]
		tail = q.flags == pgBuddy && uint(q.order) == o+1
	}
	area, h := &z.freeArea[o], &sec[pfn&sectionMask] // pushFree
	if tail && area.tail != noPFN {
		*h = page{pageLinks: pageLinks{noPFN, area.tail}, flags: pgBuddy, order: uint8(o)}
		secs[area.tail>>sectionShift][area.tail&sectionMask].next = pfn
		area.tail = pfn
	} else {
		*h = page{pageLinks: pageLinks{area.head, noPFN}, flags: pgBuddy, order: uint8(o)}
		if area.head == noPFN {
			area.tail = pfn
		} else {
			secs[area.head>>sectionShift][area.head&sectionMask].prev = pfn
		}
		area.head = pfn
	}
	area.NrFree++
}

// GetFreePages mirrors __get_free_pages(): the direct-map address of the
// block, 0 on failure.
func (k *Kernel) GetFreePages(gfp GFP, order int) Addr {
	pfn, ok := k.AllocPages(gfp&^GFPHighmem, order)
	if !ok {
		return 0
	}
	return PageAddress(pfn)
}

// FreePagesAddr mirrors free_pages(addr, order); free_pages(0, order) is a
// no-op. An address outside the direct map is a bad free.
func (k *Kernel) FreePagesAddr(a Addr, order int) error {
	if a == 0 {
		return nil
	}
	pfn, ok := k.VirtToPage(a)
	if !ok {
		// free_pages() does VM_BUG_ON(!virt_addr_valid(addr)), compiled
		// out on Debian: virt_to_page() then yields a bogus struct page.
		return k.badFreeAddress(a, order)
	}
	return k.FreePages(pfn, order)
}
