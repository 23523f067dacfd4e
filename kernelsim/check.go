package kernelsim

import "fmt"

// CheckInvariants verifies the allocator's bookkeeping: free lists, counters
// and page flags agree. Tests call it after every case.
//
// It checks, per zone: every block on free_area[order] heads a free block of
// that order (PageBuddy) inside the zone, aligned, its links consistent, and
// counted by nr_free; NR_FREE_PAGES equals the pages on the lists; no two
// blocks overlap; no free block has a free buddy of the same order (they
// would have merged); per-CPU lists hold what their count says; every page
// flagged free is on a list.
func (k *Kernel) CheckInvariants() error {
	if l := &k.dbg.leak; l.n != len(l.objects) {
		return fmt.Errorf("kmemleak: %d objects, n says %d", len(l.objects), l.n)
	}
	seen := make(map[uint32]int) // head pfn -> order, of every free or pcp block
	for i := range k.zones.z {
		if err := k.checkZone(&k.zones.z[i], seen); err != nil {
			return fmt.Errorf("zone %s: %w", k.zones.z[i].Name, err)
		}
	}
	if err := k.checkNoOverlap(seen); err != nil {
		return err
	}
	return k.checkFlags(seen)
}

// checkZone walks a zone's free lists and per-CPU lists.
func (k *Kernel) checkZone(z *Zone, seen map[uint32]int) error {
	var pages int64
	for o := 0; o < MaxOrder; o++ {
		n, err := k.checkFreeList(z, o, seen)
		if err != nil {
			return err
		}
		pages += n << o
	}
	if pages != z.nrFree {
		return fmt.Errorf("NR_FREE_PAGES %d, free lists hold %d pages", z.nrFree, pages)
	}
	var pcp int
	for o, head := range z.pcp.lists {
		n := 0
		for pfn := head; pfn != noPFN; pfn = k.mem.peek(pfn).next {
			if p := k.mem.peek(pfn); p.flags != pgPCP || int(p.order) != o {
				return fmt.Errorf("pcp list order %d: pfn %#x flags %#x order %d", o, pfn, p.flags, p.order)
			}
			if _, dup := seen[pfn]; dup {
				return fmt.Errorf("pfn %#x on two lists", pfn)
			}
			seen[pfn] = o
			pcp += 1 << o
			if n++; n > int(k.mem.maxPFN) {
				return fmt.Errorf("pcp list order %d loops", o)
			}
		}
		if n != z.pcp.lens[o] {
			return fmt.Errorf("pcp list order %d: %d blocks, lens says %d", o, n, z.pcp.lens[o])
		}
	}
	if pcp != z.pcp.count {
		return fmt.Errorf("pcp count %d, lists hold %d pages", z.pcp.count, pcp)
	}
	return nil
}

// checkFreeList walks free_area[order] and returns its length.
func (k *Kernel) checkFreeList(z *Zone, order int, seen map[uint32]int) (int64, error) {
	area := &z.freeArea[order]
	var n int64
	prev := noPFN
	for pfn := area.head; pfn != noPFN; pfn = k.links(pfn, order).next {
		switch {
		case k.links(pfn, order).prev != prev:
			return 0, fmt.Errorf("order %d: pfn %#x prev link %#x, want %#x", order, pfn, k.links(pfn, order).prev, prev)
		case !k.isBuddy(pfn, order):
			return 0, fmt.Errorf("order %d: pfn %#x on the free list is not PageBuddy of that order", order, pfn)
		case pfn&(1<<order-1) != 0:
			return 0, fmt.Errorf("order %d: pfn %#x not aligned", order, pfn)
		case k.zoneOf(pfn) != z || k.zoneOf(pfn+1<<order-1) != z:
			return 0, fmt.Errorf("order %d: pfn %#x outside the zone", order, pfn)
		case order < MaxOrder-1 && k.isBuddy(pfn^1<<order, order):
			return 0, fmt.Errorf("order %d: pfn %#x and its buddy %#x are both free", order, pfn, pfn^1<<order)
		}
		if _, dup := seen[pfn]; dup {
			return 0, fmt.Errorf("order %d: pfn %#x on two lists", order, pfn)
		}
		seen[pfn] = order
		n++
		prev = pfn
		if n > int64(k.mem.maxPFN) {
			return 0, fmt.Errorf("order %d: free list loops", order)
		}
	}
	if prev != area.tail {
		return 0, fmt.Errorf("order %d: tail %#x, list ends at %#x", order, area.tail, prev)
	}
	if uint64(n) != area.NrFree {
		return 0, fmt.Errorf("order %d: nr_free %d, list holds %d", order, area.NrFree, n)
	}
	return n, nil
}

// checkNoOverlap verifies that no free block contains the head of another
// free block or of an allocated block.
func (k *Kernel) checkNoOverlap(seen map[uint32]int) error {
	for pfn, order := range seen {
		for i := uint32(1); i < 1<<order; i++ {
			p := k.mem.peek(pfn + i)
			if p.flags&(pgBuddy|pgHead|pgPCP|pgReserved) != 0 {
				return fmt.Errorf("free block %#x order %d overlaps pfn %#x (flags %#x)", pfn, order, pfn+i, p.flags)
			}
			if (pfn+i)&(1<<(MaxOrder-1)-1) == 0 && k.mem.top[(pfn+i)>>(MaxOrder-1)].free {
				return fmt.Errorf("free block %#x order %d overlaps a top-order block", pfn, order)
			}
		}
	}
	return nil
}

// checkFlags verifies that every page struct flagged free is on a list and
// that allocated blocks do not overlap.
func (k *Kernel) checkFlags(seen map[uint32]int) error {
	for s, sec := range k.mem.sections {
		if sec == nil {
			continue
		}
		for i := 0; i < sectionPages; {
			pfn := uint32(s<<sectionShift + i)
			p := &sec[i]
			step := 1
			switch {
			case p.flags&(pgBuddy|pgPCP) != 0:
				if o, ok := seen[pfn]; !ok || o != int(p.order) {
					return fmt.Errorf("pfn %#x flagged free (order %d) but not on a list", pfn, p.order)
				}
			case p.flags&pgHead != 0:
				if p.order == MaxOrder-1 && k.mem.top[pfn>>(MaxOrder-1)].free {
					return fmt.Errorf("allocated block %#x is also a free top-order block", pfn)
				}
				step = 1 << p.order
				for j := 1; j < step && i+j < sectionPages; j++ {
					if sec[i+j].flags != 0 {
						return fmt.Errorf("allocated block %#x order %d overlaps pfn %#x (flags %#x)", pfn, p.order, pfn+uint32(j), sec[i+j].flags)
					}
				}
			}
			i += step
		}
	}
	return nil
}
