package kernelsim

// Per-CPU page lists, mirroring struct per_cpu_pages and
// rmqueue_pcplist()/free_unref_page() in mm/page_alloc.c.
//
// On Linux, blocks of order 0..PAGE_ALLOC_COSTLY_ORDER are cached on a small
// list per CPU and zone: an allocation pops a block from the list, refilled
// from the buddy lists `batch` blocks at a time; a free pushes the block on
// the list, and when the list holds more than `high` pages, `batch` pages go
// back to the buddy lists. Most small allocations and frees never touch the
// zone lock or the free_area lists — and never show in /proc/buddyinfo.
//
// As on Linux the lists are on; there is one list set per zone (the
// simulated code always runs on CPU 0). Config.NoPCP turns them off for a
// first look at the Buddy System (unlike Linux, which has no such switch):
// every order-0..3 allocation and free then goes straight to the buddy
// lists, so students see each one in /proc/buddyinfo.

// perCPUPages mirrors struct per_cpu_pages for CPU 0. Each order's list is
// singly linked through the blocks' page structs, newest first; the oldest
// blocks, which a drain returns first, are at the end.
type perCPUPages struct {
	lists [pageAllocCostlyOrd + 1]uint32 // head pfn of each order's list, noPFN when empty
	lens  [pageAllocCostlyOrd + 1]int    // blocks on each list
	count int                            // pages on the lists
	high  int                            // drain above this many pages
	batch int                            // blocks moved to or from the buddy lists at a time
}

// setupPCP mirrors zone_set_pageset_high_and_batch() with
// zone_batchsize() and zone_highsize() for 2 CPUs.
func (k *Kernel) setupPCP() {
	for i := range k.zones.z {
		z := &k.zones.z[i]
		for o := range z.pcp.lists {
			z.pcp.lists[o] = noPFN
		}
		z.pcp.batch = max(1, zoneBatchsize(z.managed))
		z.pcp.high = max(int(z.watermark[wmarkLow])/2, z.pcp.batch<<2)
		if z.managed == 0 {
			z.pcp.high = 0
		}
	}
}

// zoneBatchsize mirrors zone_batchsize(): about a quarter of a thousandth
// of the zone, at most 1 MiB, as a power of two minus one.
func zoneBatchsize(managed uint64) int {
	batch := min(managed>>10, (1<<20)/PageSize) / 4
	batch = max(batch, 1)
	p := uint64(1)
	for p*2 <= batch+batch/2 {
		p *= 2
	}
	return int(p) - 1
}

// rmqueuePCP mirrors rmqueue_pcplist(): pop a block from the per-CPU list,
// refilling it from the buddy lists first when it is empty.
func (k *Kernel) rmqueuePCP(z *Zone, order int) (uint32, bool) {
	if z.pcp.lists[order] == noPFN && !k.rmqueueBulk(z, order) {
		return 0, false
	}
	return k.pcpPop(&z.pcp, order), true
}

// pcpPop takes the newest block off a non-empty per-CPU list and
// prepares it for its caller (prepNewPage).
func (k *Kernel) pcpPop(pcp *perCPUPages, order int) uint32 {
	pfn := pcp.lists[order]
	p := k.mem.at(pfn)
	pcp.lists[order] = p.next
	*p = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, order: uint8(order)}
	pcp.lens[order]--
	pcp.count -= 1 << order
	return pfn
}

// rmqueueBulk mirrors rmqueue_bulk(): move batch blocks (fewer for higher
// orders, at least 2) from the buddy lists to the per-CPU list. It reports
// whether the list has any.
func (k *Kernel) rmqueueBulk(z *Zone, order int) bool {
	n := z.pcp.batch
	if order > 0 {
		n = max(n>>order, 2)
	}
	for ; n > 0; n-- {
		pfn, ok := k.rmqueueBuddy(z, order)
		if !ok {
			break
		}
		k.pcpPush(&z.pcp, pfn, order)
	}
	return z.pcp.lists[order] != noPFN
}

// pcpPush puts a block at the head of its per-CPU list and returns the
// pages now on the lists.
func (k *Kernel) pcpPush(pcp *perCPUPages, pfn uint32, order int) int {
	return k.pcpPushPage(pcp, k.mem.at(pfn), pfn, order)
}

// pcpPushPage is pcpPush for a block whose page struct p the caller has.
func (k *Kernel) pcpPushPage(pcp *perCPUPages, p *page, pfn uint32, order int) int {
	*p = page{pageLinks: pageLinks{pcp.lists[order], noPFN}, flags: pgPCP, order: uint8(order)}
	pcp.lists[order] = pfn
	pcp.lens[order]++
	pcp.count += 1 << order
	return pcp.count
}

// freePCPPagesBulk mirrors free_pcppages_bulk(): return at least n pages
// from the per-CPU lists to the buddy lists, oldest blocks first, going
// round the orders one block at a time.
func (k *Kernel) freePCPPagesBulk(z *Zone, n int) {
	var take [pageAllocCostlyOrd + 1]int
	lens := z.pcp.lens
	for left := n; left > 0; {
		progress := false
		for o := range lens {
			if lens[o] > 0 && left > 0 {
				lens[o]--
				take[o]++
				left -= 1 << o
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	for o, t := range take {
		k.pcpFreeOldest(z, o, t)
	}
}

// pcpFreeOldest frees the last n blocks of an order's per-CPU list.
func (k *Kernel) pcpFreeOldest(z *Zone, order, n int) {
	pcp := &z.pcp
	if n == 0 {
		return
	}
	keep := pcp.lens[order] - n
	pfn := pcp.lists[order]
	if keep == 0 {
		pcp.lists[order] = noPFN
	} else {
		for i := 1; i < keep; i++ {
			pfn = k.mem.at(pfn).next
		}
		last := k.mem.at(pfn)
		pfn, last.next = last.next, noPFN
	}
	pcp.lens[order] = keep
	pcp.count -= n << order
	fast := order == 0 && k.mem.buddyObserver == nil // freePage0 is freeToBuddy(z, pfn, 0) then
	for pfn != noPFN {
		next := k.mem.at(pfn).next
		if fast {
			k.freePage0(z, pfn)
		} else {
			k.freeToBuddy(z, pfn, order)
		}
		pfn = next
	}
}

// drainAllPages mirrors drain_all_pages(): every per-CPU page back to the
// buddy lists.
func (k *Kernel) drainAllPages() {
	for i := range k.zones.z {
		z := &k.zones.z[i]
		for o := range z.pcp.lists {
			k.pcpFreeOldest(z, o, z.pcp.lens[o])
		}
	}
}

// FreePCPPages returns the pages on the per-CPU lists: free, but counted in
// neither MemFree nor /proc/buddyinfo (show_free_areas' free_pcp).
func (k *Kernel) FreePCPPages() int64 { return k.freePCP() }

// PageCachePages returns the clean page cache pages on the zones' file
// LRUs: the memory reclaim can free (vmscan.go), so a module that
// allocates until the kernel reclaims gets them as free pages.
func (k *Kernel) PageCachePages() int64 { return k.fileLRU() }
