package kernelsim

// Zones and free areas, mirroring include/linux/mmzone.h.
//
// Linux splits a node's memory into zones by what hardware can address it:
// on x86-64, ZONE_DMA is the first 16 MiB (ISA DMA), ZONE_DMA32 the rest of
// the first 4 GiB (32-bit devices), ZONE_NORMAL everything above. Each zone
// has its own buddy allocator: free_area[order] lists the free blocks of
// 2^order pages, for order 0 .. MAX_ORDER-1.
//
//	zone DMA32
//	  free_area[0]  ─► [pfn 0x1a3f1] ─► [pfn 0x1a3f7] ...      nr_free 563
//	  free_area[1]  ─► [0x1a3f2,0x1a3f3] ...                   nr_free 412
//	  ...
//	  free_area[10] ─► [4 MiB block] ─► [4 MiB block] ...      nr_free 55

// Zone indices mirror enum zone_type for Debian 12's x86-64 configuration
// (CONFIG_ZONE_DMA, CONFIG_ZONE_DMA32, CONFIG_ZONE_DEVICE): ZONE_MOVABLE and
// ZONE_DEVICE exist but are always empty here.
const (
	ZoneDMA = iota
	ZoneDMA32
	ZoneNormal
	ZoneMovable
	ZoneDevice
	maxNrZones
)

var zoneNames = [maxNrZones]string{"DMA", "DMA32", "Normal", "Movable", "Device"}

// Zone boundaries in page frames: MAX_DMA_PFN (16 MiB) and MAX_DMA32_PFN (4 GiB).
const (
	maxDMAPFN   = 16 << 20 >> PageShift
	maxDMA32PFN = 4 << 30 >> PageShift
)

// Watermark indices mirror enum zone_watermarks.
const (
	wmarkMin = iota
	wmarkLow
	wmarkHigh
	nrWmark
)

// FreeArea mirrors struct free_area: the list of free blocks of one order
// (Linux keeps one list per migrate type; kernelsim has a single type) and
// their count.
type FreeArea struct {
	head, tail uint32 // first and last block's head pfn; noPFN when empty
	NrFree     uint64 // nr_free: blocks (not pages) on the list
}

// Zone mirrors struct zone (include/linux/mmzone.h).
type Zone struct {
	Name string
	idx  int

	// startPFN and spanned mirror zone_start_pfn and spanned_pages;
	// present counts the frames of RAM in the span, managed the frames the
	// buddy allocator was given (present minus boot reservations).
	startPFN PFN
	spanned  uint64
	present  uint64
	managed  uint64

	// watermark mirrors _watermark[]: below min only __GFP_HIGH/ATOMIC
	// allocations succeed; below low kswapd would be woken; high is where
	// it would stop. lowmemReserve mirrors lowmem_reserve[]: pages kept back
	// from allocations that could have used a higher zone (indexed by the
	// allocation's highest zone).
	watermark     [nrWmark]uint64
	lowmemReserve [maxNrZones]uint64

	freeArea [MaxOrder]FreeArea
	// nrFree mirrors vm_stat[NR_FREE_PAGES]: pages in free_area (not on
	// per-CPU lists).
	nrFree int64

	pcp  perCPUPages  // page_alloc_pcp.go
	lru  pageCacheLRU // reclaim.go: reclaimable page cache
	anon int64        // anonymous pages in this zone (NR_ZONE_ANON)
}

// zoneSet mirrors pg_data_t's node_zones for the single node.
type zoneSet struct {
	z [maxNrZones]Zone
	// zonelist mirrors node_zonelists[ZONELIST_FALLBACK] cut at each
	// highest zone index: the zones with memory an allocation may use,
	// highest first (build_zonelists).
	zonelist [maxNrZones][]*Zone
}

// buildZonelists mirrors build_all_zonelists() for one node.
func (k *Kernel) buildZonelists() {
	for high := range k.zones.zonelist {
		k.zones.zonelist[high] = nil
		for i := high; i >= 0; i-- {
			if z := &k.zones.z[i]; z.managed != 0 {
				k.zones.zonelist[high] = append(k.zones.zonelist[high], z)
			}
		}
	}
}

// populated mirrors populated_zone().
func (z *Zone) populated() bool { return z.present != 0 }

// zoneOf mirrors page_zone(): kernelsim's zones are fixed pfn ranges.
func (k *Kernel) zoneOf(pfn uint32) *Zone {
	switch {
	case pfn < maxDMAPFN:
		return &k.zones.z[ZoneDMA]
	case pfn < maxDMA32PFN:
		return &k.zones.z[ZoneDMA32]
	}
	return &k.zones.z[ZoneNormal]
}

// Free lists are doubly linked through the page structs of the blocks'
// first pages (page->buddy_list in Linux); top-order blocks are linked
// through the side table topBlocks instead (physmem.go), so the helpers
// below come in two flavours. Only __rmqueue_smallest and the final step of
// __free_one_page ever see a top-order block.

// addToFreeList mirrors add_to_free_list() and add_to_free_list_tail(),
// with set_buddy_order().
func (k *Kernel) addToFreeList(z *Zone, pfn uint32, order int, tail bool) {
	if order == MaxOrder-1 {
		k.addToTopList(z, pfn, tail)
		return
	}
	k.pushFree(&z.freeArea[order], k.mem.pg(pfn), pfn, order, tail)
}

// pushFree links page p (frame pfn) into area as a free block of order, at
// the head of the list or, with tail, at its end.
func (k *Kernel) pushFree(area *FreeArea, p *page, pfn uint32, order int, tail bool) {
	if tail && area.tail != noPFN {
		*p = page{pageLinks: pageLinks{noPFN, area.tail}, flags: pgBuddy, order: uint8(order)}
		k.mem.at(area.tail).next = pfn
		area.tail = pfn
		area.NrFree++
		return
	}
	k.pushFreeHead(area, p, pfn, order)
}

// pushFreeHead links page p (frame pfn) at the head of area.
func (k *Kernel) pushFreeHead(area *FreeArea, p *page, pfn uint32, order int) {
	head := area.head // (read once: the page struct's stores might be its, for all the compiler knows)
	*p = page{pageLinks: pageLinks{head, noPFN}, flags: pgBuddy, order: uint8(order)}
	if head == noPFN {
		area.tail = pfn
	} else {
		k.mem.at(head).prev = pfn
	}
	area.head = pfn
	area.NrFree++
}

// delFromFreeList mirrors del_page_from_free_list(): unlink the block and
// clear PageBuddy.
func (k *Kernel) delFromFreeList(z *Zone, pfn uint32, order int) {
	if order == MaxOrder-1 {
		k.delFromTopList(z, pfn)
		return
	}
	k.unlinkFree(&z.freeArea[order], k.mem.at(pfn))
}

// unlinkFree takes page p's block off area and clears its page struct.
func (k *Kernel) unlinkFree(area *FreeArea, p *page) {
	next, prev := p.next, p.prev
	*p = page{}
	area.NrFree--
	if prev == noPFN {
		area.head = next
	} else {
		k.mem.sections[prev>>sectionShift][prev&sectionMask].next = next
	}
	if next == noPFN {
		area.tail = prev
		return
	}
	k.mem.sections[next>>sectionShift][next&sectionMask].prev = prev
}

// addToTopList adds a free top-order block; its page struct is left zero.
func (k *Kernel) addToTopList(z *Zone, pfn uint32, tail bool) {
	area := &z.freeArea[MaxOrder-1]
	t := &k.mem.top[pfn>>(MaxOrder-1)]
	t.free = true
	if s := k.mem.sections[pfn>>sectionShift]; s != nil {
		s[pfn&sectionMask] = page{}
	}
	switch {
	case area.head == noPFN:
		t.next, t.prev = noPFN, noPFN
		area.head, area.tail = pfn, pfn
	case tail:
		t.next, t.prev = noPFN, area.tail
		k.mem.top[area.tail>>(MaxOrder-1)].next = pfn
		area.tail = pfn
	default:
		t.next, t.prev = area.head, noPFN
		k.mem.top[area.head>>(MaxOrder-1)].prev = pfn
		area.head = pfn
	}
	area.NrFree++
}

// pushTopHead is addToTopList(z, pfn, false) for a block whose page struct
// its caller has cleared.
func (k *Kernel) pushTopHead(z *Zone, pfn uint32) {
	area, top := &z.freeArea[MaxOrder-1], k.mem.top
	t := &top[pfn>>(MaxOrder-1)]
	t.free, t.next, t.prev = true, area.head, noPFN
	if area.head == noPFN {
		area.tail = pfn
	} else {
		top[area.head>>(MaxOrder-1)].prev = pfn
	}
	area.head = pfn
	area.NrFree++
}

// delFromTopList unlinks a free top-order block.
func (k *Kernel) delFromTopList(z *Zone, pfn uint32) {
	area := &z.freeArea[MaxOrder-1]
	t := &k.mem.top[pfn>>(MaxOrder-1)]
	if t.prev == noPFN {
		area.head = t.next
	} else {
		k.mem.top[t.prev>>(MaxOrder-1)].next = t.next
	}
	if t.next == noPFN {
		area.tail = t.prev
	} else {
		k.mem.top[t.next>>(MaxOrder-1)].prev = t.prev
	}
	t.next, t.prev, t.free = noPFN, noPFN, false
	area.NrFree--
}

// links returns the list links of the free block headed by pfn (for the
// invariant checker).
func (k *Kernel) links(pfn uint32, order int) *pageLinks {
	if order == MaxOrder-1 {
		return &k.mem.top[pfn>>(MaxOrder-1)].pageLinks
	}
	return &k.mem.pg(pfn).pageLinks
}

// isBuddy mirrors page_is_buddy(): does pfn head a free block of exactly
// this order? (Zones are aligned to 4 MiB here, so a buddy is always in the
// same zone.)
func (k *Kernel) isBuddy(pfn uint32, order int) bool {
	if order == MaxOrder-1 {
		return k.mem.top[pfn>>(MaxOrder-1)].free
	}
	p := k.mem.peek(pfn)
	return p.flags == pgBuddy && int(p.order) == order
}

// initZones sets each zone's span and present pages from the RAM ranges.
func (k *Kernel) initZones() {
	bounds := [maxNrZones + 1]PFN{0, maxDMAPFN, maxDMA32PFN, k.mem.maxPFN, k.mem.maxPFN, k.mem.maxPFN}
	for i := range k.zones.z {
		z := &k.zones.z[i]
		*z = Zone{Name: zoneNames[i], idx: i}
		for a := range z.freeArea {
			z.freeArea[a] = FreeArea{head: noPFN, tail: noPFN}
		}
		lo, hi := bounds[i], min(bounds[i+1], k.mem.maxPFN)
		first, last := PFN(0), PFN(0)
		for _, r := range k.mem.ranges {
			s, e := max(r.start, lo), min(r.end, hi)
			if s >= e {
				continue
			}
			if z.present == 0 {
				first = s
			}
			last = e
			z.present += uint64(e - s)
		}
		if z.present != 0 {
			z.startPFN, z.spanned = first, uint64(last-first)
		}
	}
}
