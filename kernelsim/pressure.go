package kernelsim

import (
	"fmt"
	"slices"
	"unsafe"
)

// The machine's other users of memory: what boot left allocated, and the
// memory pressure and fragmentation that lessons can switch on.
//
// Nothing here is a Linux function: it stands in for the processes, files
// and caches of a real machine, allocating pages the way they would (order-0
// page cache on the LRU, anonymous memory, kernel objects) so that the
// allocator's counters, watermarks and /proc files behave as on a machine
// that has been in use.

// bootShmemPages is what a booted Debian VM has in tmpfs (/run, /dev/shm).
const bootShmemPages = 268

// Tags in page.data for pages that stand in for the rest of the system.
const (
	tagBoot     = 1 + iota // allocated during boot
	tagPressure            // allocated by Pressure
	tagFragment            // pinned by Fragment
)

// bootUse is the kernel memory boot leaves allocated, for /proc/meminfo:
// slab pages (set by the slab layer), kernel stacks in kB, page tables in
// pages.
type bootUse struct {
	slabReclaimable, slabUnreclaimable int64
	kernelStackKB, pageTables          int64
}

// bootActivity leaves the memory of a freshly booted Debian VM in use: page
// cache, anonymous memory of the first processes, kernel stacks, page tables
// and driver memory (the slab layer fills its own caches afterwards),
// allocated in a seeded order and partly freed again, so /proc/buddyinfo
// shows a used machine rather than a perfect one.
func (k *Kernel) bootActivity() {
	m := &k.mem
	total := m.totalram
	// Slab memory is the slab layer's: its boot caches fill themselves
	// (bootSlab) and set bootUse's slab counts.
	m.bootUse = bootUse{kernelStackKB: 2416, pageTables: 310}
	m.nrPercpuKB = 1056
	left := [...]int64{
		min(total*30/100, 150_000), // page cache
		min(total*5/100, 12_000),   // anonymous memory
		// page tables, vmalloc'ed kernel stacks, driver buffers
		m.bootUse.pageTables + m.bootUse.kernelStackKB/4 + min(total/100, 4000),
	}
	// Sized up front: growing them page by page made a megabyte of
	// garbage per boot.
	blocks := make([]uint32, 0, left[0]+left[1]+left[2])
	if lru := &k.bootZone().lru; lru.pfns == nil {
		lru.pfns = make([]uint32, 0, left[0])
	}
	for left[0]+left[1]+left[2] > 0 {
		r := k.rng.Int64N(left[0] + left[1] + left[2])
		switch {
		case r < left[0]:
			if pfn, ok := k.bootAlloc(0, PageUsePageCache); ok {
				k.addCachePage(pfn, tagBoot)
				blocks = append(blocks, pfn)
			}
			left[0]--
		case r < left[0]+left[1]:
			if pfn, ok := k.bootAlloc(0, PageUseAnon); ok {
				m.nrAnon++
				k.zoneOf(pfn).anon++
				blocks = append(blocks, pfn)
			}
			left[1]--
		default:
			order := max(k.rng.IntN(6)-2, 0) // mostly single pages, some up to order 3
			if pfn, ok := k.bootAlloc(order, PageUseBoot); ok {
				blocks = append(blocks, pfn)
			}
			left[2] -= min(1<<order, left[2])
		}
	}
	k.bootChurn(blocks)
	m.nrBuffers = m.nrFilePages / 14
	for i := 0; i < bootShmemPages; i++ { // tmpfs: /run, /dev/shm; not reclaimable without swap
		if _, ok := k.bootAlloc(0, PageUseShmem); ok {
			m.nrShmem++
		}
	}
	k.bootDMA()
}

// bootAlloc takes a block for boot-time use from the first zone of a
// GFP_KERNEL zonelist, below the watermarks if need be.
func (k *Kernel) bootAlloc(order int, use PageUse) (uint32, bool) {
	pfn, ok := k.rmqueueBuddy(k.bootZone(), order)
	if !ok {
		return 0, false
	}
	k.prepNewPage(pfn, order)
	p := k.mem.pg(pfn)
	p.use, p.data = use, tagBoot
	return pfn, true
}

// bootZone is the zone a GFP_KERNEL allocation uses first.
func (k *Kernel) bootZone() *Zone {
	for i := ZoneNormal; i > ZoneDMA; i-- {
		if k.zones.z[i].managed != 0 {
			return &k.zones.z[i]
		}
	}
	return &k.zones.z[ZoneDMA]
}

// bootChurn frees a seeded few percent of the boot-time blocks again, as
// deleted files, exited processes and freed buffers would have: runs of 1 to
// 16 blocks allocated one after the other (so mostly physically adjacent),
// which leaves free blocks of every small order behind.
func (k *Kernel) bootChurn(blocks []uint32) {
	runs := min(len(blocks)/200, 600)
	for i := 0; i < runs; i++ {
		start := k.rng.IntN(len(blocks))
		for j := start; j < min(start+1<<k.rng.IntN(5), len(blocks)); j++ {
			if blocks[j] != noPFN {
				k.freeBootUse(blocks[j])
				blocks[j] = noPFN
			}
		}
	}
	for i := range k.zones.z {
		k.lruCompact(&k.zones.z[i])
	}
}

// freeBootUse frees one boot-time block, keeping the counters right.
func (k *Kernel) freeBootUse(pfn uint32) {
	p := k.mem.peek(pfn)
	z := k.zoneOf(pfn)
	switch p.use {
	case PageUsePageCache:
		k.mem.nrFilePages-- // off the LRU in bootChurn's lruCompact
	case PageUseAnon:
		k.mem.nrAnon--
		z.anon--
	}
	k.freeToBuddy(z, pfn, int(p.order))
}

// lruCompact drops from the zone's LRU the pages no longer in the page
// cache (freed by boot churn or ReleasePressure).
func (k *Kernel) lruCompact(z *Zone) {
	kept := z.lru.pfns[:0]
	for _, pfn := range z.lru.pfns[z.lru.head:] {
		if p := k.mem.peek(pfn); p.flags&pgHead != 0 && p.use == PageUsePageCache {
			kept = append(kept, pfn)
		}
	}
	z.lru.pfns, z.lru.head = kept, 0
}

// bootDMA leaves a few pages of ZONE_DMA in use, as early GFP_DMA users and
// the first allocations before DMA32 existed do.
func (k *Kernel) bootDMA() {
	z := &k.zones.z[ZoneDMA]
	for i := 0; i < 24; i++ {
		order := k.rng.IntN(3)
		pfn, ok := k.rmqueueBuddy(z, order)
		if !ok {
			return
		}
		k.prepNewPage(pfn, order)
		k.mem.pg(pfn).use = PageUseBoot
		k.mem.pg(pfn).data = tagBoot
		if i%3 == 0 {
			k.freeToBuddy(z, pfn, order)
		}
	}
}

// Pressure consumes free memory as a busy machine would — three quarters
// page cache (reclaimable: GFP_KERNEL can take it back), one quarter
// anonymous memory (not reclaimable: there is no swap) — in every zone a
// GFP_KERNEL allocation may use, until each zone's free pages reach a level
// set by pct:
//
//	0        no change
//	1..100   pct% of the way from the current free count down to the zone's
//	         min watermark (plus the lowmem reserve a GFP_KERNEL allocation
//	         must leave there); 100 = at min: GFP_NOWAIT fails, GFP_ATOMIC
//	         (which may use part of the reserve) succeeds, GFP_KERNEL
//	         reclaims page cache and succeeds
//	101..200 below min into the reserve: at 150, free pages are at min/2,
//	         which __GFP_HIGH alone may not pass but GFP_ATOMIC may; at 200
//	         no watermark reserve is left at all
//
// It returns a one-line description for the transcript. ReleasePressure
// undoes it.
func (k *Kernel) Pressure(pct int) string {
	pct = min(max(pct, 0), 200)
	var took int64
	for i := ZoneNormal; i >= ZoneDMA; i-- {
		z := &k.zones.z[i]
		if z.managed == 0 {
			continue
		}
		took += k.pressureZone(z, pressureTarget(z, pct))
	}
	return fmt.Sprintf("memory pressure %d%%: %d kB taken (page cache and anonymous memory), MemFree %d kB", pct, took*4, k.nrFreePages()*4)
}

// pressureTarget is the free page count Pressure(pct) leaves in z.
func pressureTarget(z *Zone, pct int) int64 {
	floor := int64(z.watermark[wmarkMin] + z.lowmemReserve[ZoneNormal])
	if pct <= 100 {
		if z.nrFree <= floor {
			return z.nrFree
		}
		return z.nrFree - (z.nrFree-floor)*int64(pct)/100
	}
	return floor - int64(z.watermark[wmarkMin])*int64(pct-100)/100
}

// pressureZone allocates order-0 pages in z until its free count is target.
//
// Taken one at a time, the pages of a free block of order o > 0 come out in
// address order when no smaller block is free: __rmqueue_smallest takes
// the block, expand() leaves one free block of each order below o (its
// upper halves), and each later order-0 allocation takes the smallest of
// those, which is always the lowest free page of the block, until the whole
// block is used and the lower lists are empty again, as they were. So when
// a whole block is still to be taken, pressureZone takes it off its list at
// once and hands out its pages in address order: the same pages, page
// structs, lists and counters as 2^o single allocations, without the 2^o
// list pushes and pops (TestPressureBulkSameAsOneByOne). The one-at-a-time
// path stays for the last block, which is taken only in part, and for a
// buddy observer, which sees every split.
func (k *Kernel) pressureZone(z *Zone, target int64) int64 {
	var took int64
	bulk := k.mem.buddyObserver == nil
	// announce is whether a block taken whole announces its page structs:
	// not when the zone's were announced together.
	announce := k.mem.prefault != nil
	if need := z.nrFree - target; need > 0 {
		if announce && need >= int64(z.spanned/4) {
			announce = !k.prefaultMemMap(z)
		}
		// Room for the pages to come, made once: growing the lists a
		// page at a time copied them over and over.
		z.lru.pfns = k.growPfns(z.lru.pfns, int(need-need/4)+1)
		k.mem.pressure = k.growPfns(k.mem.pressure, int(need/4)+1)
	}
	for z.nrFree > target {
		if bulk {
			if o := smallestFree(z); o > 0 && o < MaxOrder && int64(1)<<o <= z.nrFree-target {
				pfn := z.freeArea[o].head
				k.delFromFreeList(z, pfn, o)
				z.nrFree -= 1 << o
				sec := k.mem.section(pfn) // (a top-order block may come from an untouched section)
				if o >= prefaultOrder && announce {
					k.mem.prefault(unsafe.Pointer(&sec[pfn&sectionMask]), uintptr(1)<<o*unsafe.Sizeof(page{}))
				}
				for i := uint32(0); i < 1<<o; i++ {
					k.pressurePage(z, &sec[(pfn+i)&sectionMask], pfn+i, took)
					took++
				}
				continue
			}
		}
		pfn, ok := k.rmqueueBuddy(z, 0)
		if !ok {
			break
		}
		k.pressurePage(z, k.mem.at(pfn), pfn, took)
		took++
	}
	return took
}

// prefaultMemMap announces to the prefault hook (SetPrefault) the page
// structs of z's span that have a mem_map: Fragment writes nearly all of
// them, and so does a Pressure that takes a quarter of the zone or more.
// In a copy (kclone) the flat mem_map is mapped copy-on-write from the
// boot image, about a thousand pages for the default machine, each a
// fault on its first write where one call can make them all: `fragment`
// was 46% of a run of lesson 12's samples, most of them those faults.
// It reports whether every section of the span had its mem_map (a
// section never written gets one on first write, which is not announced
// here).
func (k *Kernel) prefaultMemMap(z *Zone) (whole bool) {
	if k.mem.prefault == nil || z.spanned == 0 {
		return false
	}
	whole = true
	start, end := uint32(z.startPFN), uint32(uint64(z.startPFN)+z.spanned)
	for base := start &^ sectionMask; base < end; base += sectionPages {
		s := k.mem.sections[base>>sectionShift]
		if s == nil {
			whole = false
			continue
		}
		lo, hi := max(base, start), min(base+sectionPages, end)
		k.mem.prefault(unsafe.Pointer(&s[lo&sectionMask]), uintptr(hi-lo)*unsafe.Sizeof(page{}))
	}
	return whole
}

// prefaultOrder is the smallest order of a block whose page structs
// pressureZone announces to the prefault hook before writing them: 256
// structs, a 4 KiB page of mem_map.
const prefaultOrder = 8

// growPfns is slices.Grow(s, n) for Pressure's lists of frames, with the
// new array announced to the prefault hook before anything is copied into
// it: a large allocation's fresh pages are written once, by the copy and
// the appends to come, instead of faulted in one at a time (some 100
// pages for the LRU of the default machine at pressure 200).
func (k *Kernel) growPfns(s []uint32, n int) []uint32 {
	if k.mem.prefault == nil || n <= cap(s)-len(s) {
		return slices.Grow(s, n)
	}
	g := make([]uint32, 0, len(s)+n)
	k.mem.prefault(unsafe.Pointer(unsafe.SliceData(g)), uintptr(cap(g))*unsafe.Sizeof(uint32(0)))
	return append(g, s...)
}

// SetPrefault sets fn to be told of memory the kernel is about to write in
// bulk, so that the embedder can fault it in at once (madvise
// MADV_POPULATE_WRITE: a system call for many pages instead of a page
// fault for each) where its first write would fault: Pressure's page
// structs, in mem_map mapped copy-on-write from a boot image file
// (kclone), and the lists it grows. fn must not change what the memory
// holds; nil turns it off. Nothing the kernel computes depends on it.
func (k *Kernel) SetPrefault(fn func(p unsafe.Pointer, n uintptr)) { k.mem.prefault = fn }

// smallestFree is the smallest order with a free block in z, MaxOrder when
// none.
func smallestFree(z *Zone) int {
	for o := 0; o < MaxOrder; o++ {
		if z.freeArea[o].head != noPFN {
			return o
		}
	}
	return MaxOrder
}

// pressurePage makes page p (frame pfn), just taken off the free lists,
// the took'th page of pressure: page cache, every fourth anonymous. It is
// prep_new_page() and the page's new use in one store.
func (k *Kernel) pressurePage(z *Zone, p *page, pfn uint32, took int64) {
	if took%4 == 3 {
		*p = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, use: PageUseAnon, data: tagPressure}
		k.mem.nrAnon++
		z.anon++
		k.mem.pressure = append(k.mem.pressure, pfn)
		return
	}
	*p = page{pageLinks: pageLinks{noPFN, noPFN}, flags: pgHead, use: PageUsePageCache, data: tagPressure}
	z.lru.push(pfn)
	k.mem.nrFilePages++
}

// Fragment leaves memory free but fragmented, as long uptime with mixed
// allocations does: in every zone a GFP_KERNEL allocation may use, one page
// of each aligned group of eight free pages is pinned (an unmovable kernel
// allocation), so no free block is larger than order 2 while seven pages in
// eight stay free. The page cache is dropped first and read back into the
// fragmented memory, so reclaiming it cannot rebuild large blocks either.
// Order-0 allocations (vmalloc) still succeed; an order-3 or larger one (a
// large kmalloc) fails: kernelsim does not simulate compaction, and pinned
// kernel pages could not be moved anyway. It returns a one-line
// description; ReleasePressure frees the pinned pages.
func (k *Kernel) Fragment() string {
	var pinned int64
	for i := ZoneNormal; i >= ZoneDMA; i-- {
		z := &k.zones.z[i]
		k.prefaultMemMap(z)
		tags := k.dropPageCache(z)
		// One page pinned in eight of every block of order 3 and up.
		var pins int
		for o := 3; o < MaxOrder; o++ {
			pins += int(z.freeArea[o].NrFree) << (o - 3)
		}
		k.mem.pressure = k.growPfns(k.mem.pressure, pins)
		for o := MaxOrder - 1; o >= 3; o-- {
			for z.freeArea[o].head != noPFN {
				pfn := z.freeArea[o].head
				k.delFromFreeList(z, pfn, o)
				pinned += k.fragmentBlock(z, pfn, o)
			}
		}
		for _, tag := range tags {
			pfn, ok := k.rmqueueBuddy(z, 0)
			if !ok {
				break
			}
			k.prepNewPage(pfn, 0)
			k.addCachePage(pfn, tag)
		}
	}
	return fmt.Sprintf("memory fragmented: %d kB pinned, MemFree %d kB, largest free block order 2", pinned*4, k.nrFreePages()*4)
}

// dropPageCache frees all of a zone's page cache, as echo 1 >
// /proc/sys/vm/drop_caches does, oldest first, and returns the dropped
// pages' tags. The LRU is emptied at once, not popped page by page (each
// pop past half of it moved the rest down), and keeps its array for the
// pages Fragment reads back.
func (k *Kernel) dropPageCache(z *Zone) []uint32 {
	cached := z.lru.pfns[z.lru.head:]
	tags := k.growPfns(nil, len(cached))
	for _, pfn := range cached {
		tags = append(tags, k.mem.peek(pfn).data)
		k.freeCachePage(z, pfn)
	}
	z.lru.pfns, z.lru.head = z.lru.pfns[:0], 0
	return tags
}

// fragmentBlock pins one seeded page in each 8-page group of a free block
// taken off its list and frees the other seven as order 0..2 blocks.
func (k *Kernel) fragmentBlock(z *Zone, block uint32, order int) int64 {
	var pinned int64
	k.mem.section(block)
	for g := block; g < block+1<<order; g += 8 {
		pin := g + uint32(k.rng.IntN(8))
		k.prepNewPage(pin, 0)
		p := k.mem.pg(pin)
		p.data = tagFragment
		k.mem.pressure = append(k.mem.pressure, pin)
		for o := 0; o < 3; o++ {
			buddy := (pin &^ (1<<o - 1)) ^ 1<<o
			k.addToFreeList(z, buddy, o, false)
		}
		z.nrFree--
		pinned++
	}
	return pinned
}

// ReleasePressure frees everything Pressure and Fragment took (pressure page
// cache reclaim already took back stays freed).
func (k *Kernel) ReleasePressure() string {
	var freed int64
	fast := k.mem.buddyObserver == nil
	for _, pfn := range k.mem.pressure {
		z := k.zoneOf(pfn)
		if k.mem.peek(pfn).use == PageUseAnon {
			k.mem.nrAnon--
			z.anon--
		}
		if fast {
			k.freePage0(z, pfn)
		} else {
			k.freeToBuddy(z, pfn, 0)
		}
		freed++
	}
	k.mem.pressure = nil
	for i := range k.zones.z {
		z := &k.zones.z[i]
		kept := z.lru.pfns[:0]
		for _, pfn := range z.lru.pfns[z.lru.head:] {
			if k.mem.peek(pfn).data == tagPressure {
				k.mem.nrFilePages--
				if fast {
					k.freePage0(z, pfn)
				} else {
					k.freeToBuddy(z, pfn, 0)
				}
				freed++
				continue
			}
			kept = append(kept, pfn)
		}
		z.lru.pfns, z.lru.head = kept, 0
	}
	return fmt.Sprintf("memory pressure released: %d kB freed, MemFree %d kB", freed*4, k.nrFreePages()*4)
}

// freePage0 is freeToBuddy(z, pfn, 0) for an allocated order-0 page with
// no buddy observer set, in one function: freeBlock, __free_one_page's
// merging (unlinkFree) and buddy_merge_likely(), and the list insertion
// (pushFree), with the page's section looked up once (every buddy below
// the top order and the buddy buddy_merge_likely() looks at are in it).
// Freeing pressure's pages one at a time is most of what `pressure 0`
// costs.
func (k *Kernel) freePage0(z *Zone, pfn uint32) {
	secs := k.mem.sections
	sec := secs[pfn>>sectionShift]
	p := &sec[pfn&sectionMask]
	p.flags, p.order, p.use, p.data = 0, 0, 0, 0
	z.nrFree++
	o := 0
	for ; o < MaxOrder-1; o++ {
		buddy := pfn ^ 1<<o
		bp := &sec[buddy&sectionMask]
		if bp.flags != pgBuddy || int(bp.order) != o { // page_is_buddy
			break
		}
		area := &z.freeArea[o] // unlinkFree
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
	if o == MaxOrder-1 {
		k.addToTopList(z, pfn, false)
		return
	}
	tail := false
	if o < MaxOrder-2 {
		// buddy_merge_likely(): the order o+1 block's buddy is below
		// the top order, so in this section.
		hb := pfn&^(1<<o) ^ 1<<(o+1)
		q := &sec[hb&sectionMask]
		tail = q.flags == pgBuddy && int(q.order) == o+1
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
