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
// Unlike Linux, the lists are off unless Config.PCP is set (DESIGN §5): by
// default every order-0..3 allocation and free goes straight to the buddy
// lists, so students see each one in /proc/buddyinfo. With Config.PCP there
// is one list set per zone (the simulated code always runs on CPU 0).

// perCPUPages mirrors struct per_cpu_pages for CPU 0.
type perCPUPages struct {
	lists [pageAllocCostlyOrd + 1]uint32 // head pfn of each order's list, noPFN when empty
	tails [pageAllocCostlyOrd + 1]uint32 // tail pfn of each order's list
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
			z.pcp.lists[o], z.pcp.tails[o] = noPFN, noPFN
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
	pcp := &z.pcp
	pfn := pcp.lists[order]
	p := k.mem.at(pfn)
	if pcp.lists[order] = p.next; p.next != noPFN {
		k.mem.at(p.next).prev = noPFN
	} else {
		pcp.tails[order] = noPFN
	}
	p.next, p.flags = noPFN, 0
	pcp.count -= 1 << order
	return pfn, true
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
		k.pcpPush(z, pfn, order)
	}
	return z.pcp.lists[order] != noPFN
}

// pcpPush puts a block at the head of its per-CPU list.
func (k *Kernel) pcpPush(z *Zone, pfn uint32, order int) {
	pcp := &z.pcp
	p := k.mem.at(pfn)
	*p = page{pageLinks: pageLinks{pcp.lists[order], noPFN}, flags: pgPCP, order: uint8(order)}
	if p.next != noPFN {
		k.mem.at(p.next).prev = pfn
	} else {
		pcp.tails[order] = pfn
	}
	pcp.lists[order] = pfn
	pcp.count += 1 << order
}

// freeUnrefPage mirrors free_unref_page(): push the block on the per-CPU
// list (pcpPush, written out: this is the hot path) and drain a batch when
// the list is above high.
func (k *Kernel) freeUnrefPage(z *Zone, pfn uint32, order int) {
	pcp := &z.pcp
	p := k.mem.at(pfn)
	*p = page{pageLinks: pageLinks{pcp.lists[order], noPFN}, flags: pgPCP, order: uint8(order)}
	if p.next != noPFN {
		k.mem.at(p.next).prev = pfn
	} else {
		pcp.tails[order] = pfn
	}
	pcp.lists[order] = pfn
	if pcp.count += 1 << order; pcp.count >= pcp.high {
		k.freePCPPagesBulk(z, pcp.batch)
	}
}

// freePCPPagesBulk mirrors free_pcppages_bulk(): return at least n pages
// from the per-CPU lists to the buddy lists, oldest (tail) blocks first,
// going round the orders.
func (k *Kernel) freePCPPagesBulk(z *Zone, n int) {
	for n > 0 && z.pcp.count > 0 {
		for o := range z.pcp.lists {
			if z.pcp.lists[o] == noPFN {
				continue
			}
			n -= 1 << o
			k.pcpRemoveTail(z, o)
		}
	}
}

// pcpRemoveTail frees the last block of an order's per-CPU list.
func (k *Kernel) pcpRemoveTail(z *Zone, order int) {
	pfn := z.pcp.tails[order]
	p := k.mem.at(pfn)
	if p.prev == noPFN {
		z.pcp.lists[order] = noPFN
	} else {
		k.mem.at(p.prev).next = noPFN
	}
	z.pcp.tails[order] = p.prev
	p.next, p.prev = noPFN, noPFN
	z.pcp.count -= 1 << order
	k.freeToBuddy(z, pfn, order)
}

// drainAllPages mirrors drain_all_pages(): every per-CPU page back to the
// buddy lists.
func (k *Kernel) drainAllPages() {
	for i := range k.zones.z {
		z := &k.zones.z[i]
		for o := range z.pcp.lists {
			for z.pcp.lists[o] != noPFN {
				k.pcpRemoveTail(z, o)
			}
		}
	}
}
