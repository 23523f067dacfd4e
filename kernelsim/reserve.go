package kernelsim

// Keeping memory out of a run's hands, so that its module cannot be given
// it: kscript's grader runs a check whose lines print page frame numbers
// or pointers a second time with the frames and vmalloc ranges the module
// got the first time avoided (runtime/grade, verify.go), so that a number
// copied from one run's output into the module's printk is not the
// module's in the other run.

// tagTaken marks in page.data a frame TakeFreeFrames took.
const tagTaken = tagFragment + 1

// TakeFreeFrames takes each of pfns that is free (on the buddy lists, or
// on a per-CPU list, which are drained first when one is) out of the page
// allocator for good, as take_page_off_buddy() does for a page
// memory_failure() poisons: the free block holding it is taken off its
// list and split (break_down_buddy_pages()), the other halves going back
// on the lists, and the frame becomes an order-0 page the kernel holds,
// which the allocator never hands out. Frames that are not free, or not
// RAM, are left alone. It returns how many it took.
func (k *Kernel) TakeFreeFrames(pfns []PFN) int {
	drained := false
	taken := 0
	for _, pfn := range pfns {
		if !k.PFNValid(pfn) {
			continue
		}
		if _, state := k.pageBlockOf(pfn); state != blockFree {
			continue
		}
		if !drained && k.onPCP(uint32(pfn)) {
			k.drainAllPages()
			drained = true
		}
		if k.takeOffBuddy(uint32(pfn)) {
			taken++
		}
	}
	return taken
}

// onPCP reports whether pfn lies in a block on a per-CPU list.
func (k *Kernel) onPCP(pfn uint32) bool {
	for order := 0; order < MaxOrder-1; order++ {
		p := k.mem.peek(pfn &^ (1<<order - 1))
		if p.flags&pgPCP != 0 && int(p.order) >= order {
			return true
		}
	}
	return false
}

// takeOffBuddy mirrors take_page_off_buddy() for pfn, which must lie in a
// free block on the buddy lists.
func (k *Kernel) takeOffBuddy(pfn uint32) bool {
	for order := 0; order < MaxOrder; order++ {
		head := pfn &^ (1<<order - 1)
		if !k.isBuddy(head, order) {
			continue
		}
		z := k.zoneOf(head)
		k.delFromFreeList(z, head, order)
		k.buddyEvent(BuddyTake, head, order)
		// break_down_buddy_pages(): halve the block until only pfn is
		// left, each half without it going back on its list.
		for o := order; o > 0; {
			o--
			half := head + 1<<o
			if pfn >= half {
				k.addToFreeList(z, head, o, false)
				head = half
			} else {
				k.addToFreeList(z, half, o, false)
			}
		}
		k.prepNewPage(pfn, 0)
		p := k.mem.pg(pfn)
		p.use, p.data = PageUseBoot, tagTaken
		z.nrFree--
		return true
	}
	return false
}

// ReserveVmallocRange takes the vmalloc address range [a, a+size) (page
// aligned, a guard page added, as for a vmalloc area) out of the vmap
// allocator when it is free, as an area without pages: no later vmalloc
// is placed over it. It reports whether it was free.
func (k *Kernel) ReserveVmallocRange(a Addr, size uint64, caller string) bool {
	size = pageAlign(size) + PageSize
	if a&(PageSize-1) != 0 || a < VmallocStart || a+Addr(size) > VmallocEnd || a+Addr(size) < a {
		return false
	}
	got, ok := k.findVmapLowestMatch(size, PageSize, a, a+Addr(size))
	if !ok || got != a {
		return false
	}
	k.vm.nextID++
	k.insertBusy(&VMStruct{Addr: a, Size: size, Flags: VMMap, caller: kernelCaller(caller), id: k.vm.nextID})
	return true
}

// AvoidFrames makes the page allocator never hand out pfns from now on:
// those that are free are taken at once (TakeFreeFrames), and a block
// holding one of the others, freed later (page cache that reclaim or
// drop_caches frees, pages Pressure gives back, a slab emptied), is
// withheld when an allocation gets it, kept allocated for good, and the
// allocation asks again, as Linux's allocator skips a page that
// memory_failure() poisoned. Fault injection does not count the asking
// again. The fast paths close (updatePageFast): allocations of such a
// kernel take the full path.
func (k *Kernel) AvoidFrames(pfns []PFN) {
	if len(pfns) == 0 {
		return
	}
	k.mem.avoid = make(map[uint32]bool, len(pfns))
	for _, p := range pfns {
		k.mem.avoid[uint32(p)] = true
	}
	k.updatePageFast()
	k.TakeFreeFrames(pfns)
}

// allocAvoiding is allocPages when frames are avoided: a block that holds
// one is withheld and the allocation made again. Each block withheld holds
// an avoided frame that is then allocated for good, so it asks at most
// once per avoided frame more.
func (k *Kernel) allocAvoiding(gfp GFP, order int, callers []string) (PFN, bool) {
	k.mem.avoiding = true
	defer func() { k.mem.avoiding, k.mem.retrying = false, false }()
	for {
		pfn, ok := k.allocPages(gfp, order, callers)
		if !ok || !k.avoided(pfn, order) {
			return pfn, ok
		}
		p := k.mem.pg(uint32(pfn))
		p.use, p.data = PageUseBoot, tagTaken
		k.mem.retrying = true
	}
}

// avoided reports whether the block of order at pfn holds an avoided frame.
func (k *Kernel) avoided(pfn PFN, order int) bool {
	for i := range uint32(1) << order {
		if k.mem.avoid[uint32(pfn)+i] {
			return true
		}
	}
	return false
}
