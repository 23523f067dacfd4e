package kernelsim

// The allocation slow path and page reclaim, mirroring
// mm/page_alloc.c:__alloc_pages_slowpath() and mm/vmscan.c.
//
// When the fast path finds no zone above its low watermark, Linux wakes
// kswapd (which reclaims in the background until zones are back above their
// high watermark) and retries against the min watermark, letting __GFP_HIGH
// and __GFP_ATOMIC callers dip further into the reserves. Callers that may
// sleep (__GFP_DIRECT_RECLAIM, part of GFP_KERNEL) then reclaim memory
// themselves and retry; callers that may not (GFP_ATOMIC, GFP_NOWAIT) fail.
//
// kernelsim's reclaimable memory is clean page cache: order-0 pages on a
// per-zone LRU, oldest first. Reclaiming one is just freeing it.

// swapClusterMax mirrors SWAP_CLUSTER_MAX: pages one reclaim pass aims for.
const swapClusterMax = 32

// pageCacheLRU is the zone's file LRU (Linux keeps active and inactive
// lists per node and memcg; kernelsim one FIFO per zone, oldest at head).
type pageCacheLRU struct {
	pfns []uint32
	head int
}

func (l *pageCacheLRU) len() int { return len(l.pfns) - l.head }

func (l *pageCacheLRU) push(pfn uint32) { l.pfns = append(l.pfns, pfn) }

func (l *pageCacheLRU) pop() uint32 {
	pfn := l.pfns[l.head]
	l.head++
	if l.head > 1024 && l.head*2 > len(l.pfns) {
		l.pfns = append(l.pfns[:0], l.pfns[l.head:]...)
		l.head = 0
	}
	return pfn
}

// gfpToAllocFlags mirrors gfp_to_alloc_flags(): the slow path checks the min
// watermark; __GFP_HIGH may go to min/2 and __GFP_ATOMIC a further quarter
// below that.
func gfpToAllocFlags(gfp GFP) int {
	flags := allocWmarkMin | allocCPUSet
	if gfp&GFPHigh != 0 {
		flags |= allocHigh
	}
	if gfp&GFPAtomic != 0 && gfp&GFPNoMemalloc == 0 {
		flags |= allocHarder
		flags &^= allocCPUSet
	}
	return flags
}

// allocPagesSlowpath mirrors __alloc_pages_slowpath().
//
// Unlike Linux, kswapd does not run in the background: a wakeup by a caller
// that may sleep reclaims synchronously up to the high watermark (as kswapd
// would have by the time that caller gets the CPU back), and a wakeup by an
// atomic caller does nothing, so pressure stays until a sleeping allocation
// or ReleasePressure. There is no compaction and no OOM killer: when nothing
// is left to reclaim, the allocation fails as if __GFP_RETRY_MAYFAIL had been
// given, and __GFP_NOFAIL gets the reserves instead of looping forever.
func (k *Kernel) allocPagesSlowpath(gfp GFP, order, high int, callers []string) (uint32, bool) {
	allocFlags := gfpToAllocFlags(gfp)
	canReclaim := gfp.AllowsBlocking()
	if canReclaim && gfp&GFPKswapdReclaim != 0 {
		k.kswapdBalance(high)
	}
	if pfn, ok := k.getPageFromFreelist(gfp, order, allocFlags, high); ok {
		return pfn, true
	}
	if gfp&GFPMemalloc != 0 && gfp&GFPNoMemalloc == 0 {
		if pfn, ok := k.getPageFromFreelist(gfp, order, allocNoWatermarks, high); ok {
			return pfn, true
		}
	}
	for canReclaim {
		if k.directReclaim(high, order) == 0 {
			break
		}
		if pfn, ok := k.getPageFromFreelist(gfp, order, allocFlags, high); ok {
			return pfn, true
		}
		if gfp&GFPNoRetry != 0 || order > pageAllocCostlyOrd && gfp&GFPRetryMayfail == 0 {
			break
		}
	}
	if gfp&GFPNoFail != 0 && canReclaim {
		// __alloc_pages_cpuset_fallback(ALLOC_HARDER) after the OOM killer.
		if pfn, ok := k.getPageFromFreelist(gfp, order, allocFlags|allocHarder|allocHigh, high); ok {
			return pfn, true
		}
	}
	k.warnAlloc(gfp, order, callers)
	return 0, false
}

// kswapdBalance mirrors balance_pgdat() run to completion: reclaim page
// cache in the zones up to high until each is above its high watermark.
func (k *Kernel) kswapdBalance(high int) {
	for i := high; i >= 0; i-- {
		z := &k.zones.z[i]
		for z.nrFree <= int64(z.watermark[wmarkHigh]) && z.lru.len() > 0 {
			k.shrinkZone(z, swapClusterMax)
		}
	}
}

// directReclaim mirrors try_to_free_pages(): reclaim at least
// SWAP_CLUSTER_MAX pages (or the allocation's size) from the zones the
// allocation may use, highest first. It drains the per-CPU lists first, as
// the slow path does when an allocation after reclaim still fails. It
// returns the pages reclaimed.
func (k *Kernel) directReclaim(high, order int) int {
	k.drainAllPages()
	want := max(swapClusterMax, 1<<order)
	got := 0
	for i := high; i >= 0 && got < want; i-- {
		got += k.shrinkZone(&k.zones.z[i], want-got)
	}
	return got
}

// shrinkZone frees up to n of the zone's oldest page cache pages.
func (k *Kernel) shrinkZone(z *Zone, n int) int {
	got := 0
	for ; got < n && z.lru.len() > 0; got++ {
		k.freeCachePage(z, z.lru.pop())
	}
	return got
}

// addCachePage makes an allocated order-0 page a page cache page.
func (k *Kernel) addCachePage(pfn uint32, tag uint32) {
	p := k.mem.pg(pfn)
	p.use, p.data = PageUsePageCache, tag
	k.zoneOf(pfn).lru.push(pfn)
	k.mem.nrFilePages++
}

// freeCachePage drops a page cache page (it is clean: nothing to write).
func (k *Kernel) freeCachePage(z *Zone, pfn uint32) {
	k.mem.nrFilePages--
	k.freeToBuddy(z, pfn, 0)
}
