package kernelsim

import (
	"fmt"
	"sort"
)

// The address space allocator of mm/vmalloc.c: which ranges of the vmalloc
// and module spaces are busy, which are free, and which were freed lazily.
// Linux keeps them in augmented red-black trees (vmap_area_root,
// free_vmap_area_root, purge_vmap_area_root) so that the lowest fitting hole
// is found in O(log n); kscript keeps two sorted slices and walks them, which
// gives the same answers for the few hundred areas a machine has.

// allocVmapArea mirrors alloc_vmap_area(): the lowest aligned free range of
// size bytes in [start, end]. When none fits, Linux purges the lazily freed
// areas and tries once more before warning.
func (k *Kernel) allocVmapArea(size, align uint64, start, end Addr, gfp GFP) (Addr, bool) {
	if a, ok := k.findVmapLowestMatch(size, align, start, end); ok {
		return a, true
	}
	if len(k.vm.purge) > 0 {
		k.purgeVmapAreaLazy()
		if a, ok := k.findVmapLowestMatch(size, align, start, end); ok {
			return a, true
		}
	}
	if gfp&GFPNoWarn == 0 {
		k.printk(LogWarning, "vmap allocation for size %d failed: use vmalloc=<size> to increase size\n", size)
	}
	return 0, false
}

// findVmapLowestMatch mirrors find_vmap_lowest_match(): walk the occupied
// ranges (busy areas and lazily freed ones) in address order and take the
// first gap that holds size bytes at an aligned address.
func (k *Kernel) findVmapLowestMatch(size, align uint64, start, end Addr) (Addr, bool) {
	cand := alignAddr(start, align)
	busy, purge := k.vm.busy, k.vm.purge
	i := sort.Search(len(busy), func(i int) bool { return busy[i].End() > start })
	j := sort.Search(len(purge), func(j int) bool { return purge[j].end > start })
	i0, j0 := i, j
	// The walk is bulk work (Work), a step per range visited (workPerCache),
	// as Linux's would be were its trees lists: a script that makes vmalloc
	// areas by the hundred thousand pays for walking them.
	defer func() { k.mem.work += uint64(i-i0+j-j0) * workPerCache }()
	for {
		var s, e Addr
		switch {
		case i < len(busy) && (j >= len(purge) || busy[i].Addr < purge[j].start):
			s, e = busy[i].Addr, busy[i].End()
			i++
		case j < len(purge):
			s, e = purge[j].start, purge[j].end
			j++
		default:
			return cand, fits(cand, size, end)
		}
		if s >= cand && uint64(s-cand) >= size {
			return cand, fits(cand, size, end)
		}
		if e > cand {
			cand = alignAddr(e, align)
		}
		if cand > end || cand < start {
			return 0, false
		}
	}
}

// fits reports whether [a, a+size) ends within the inclusive bound end.
func fits(a Addr, size uint64, end Addr) bool {
	last := a + Addr(size) - 1
	return last >= a && last <= end
}

func alignAddr(a Addr, align uint64) Addr {
	if align <= 1 {
		return a
	}
	return (a + Addr(align) - 1) &^ Addr(align-1)
}

// insertBusy adds area to the address-sorted busy list.
func (k *Kernel) insertBusy(area *VMStruct) {
	b := k.vm.busy
	i := sort.Search(len(b), func(i int) bool { return b[i].Addr > area.Addr })
	b = append(b, nil)
	copy(b[i+1:], b[i:])
	b[i] = area
	k.vm.busy = b
}

// findVMArea mirrors find_vm_area(): the busy area starting exactly at a.
func (k *Kernel) findVMArea(a Addr) *VMStruct {
	v := k.vmAreaContaining(a)
	if v == nil || v.Addr != a {
		return nil
	}
	return v
}

// vmAreaContaining returns the busy area whose range (guard page included)
// contains a, or nil.
func (k *Kernel) vmAreaContaining(a Addr) *VMStruct {
	if l := k.vm.last; l != nil && a >= l.Addr && a < l.End() {
		return l
	}
	b := k.vm.busy
	i := sort.Search(len(b), func(i int) bool { return b[i].End() > a })
	if i == len(b) || a < b[i].Addr {
		return nil
	}
	k.vm.last = b[i]
	return b[i]
}

// removeVMArea mirrors remove_vm_area(): take area off the busy list and put
// its range on the lazy purge list (free_vmap_area_noflush). Once more than
// lazy_max_pages() wait there, Linux schedules the purge; kscript purges at
// once.
func (k *Kernel) removeVMArea(area *VMStruct) {
	b := k.vm.busy
	i := sort.Search(len(b), func(i int) bool { return b[i].Addr >= area.Addr })
	if i < len(b) && b[i] == area {
		k.vm.busy = append(b[:i], b[i+1:]...)
	}
	if k.vm.last == area {
		k.vm.last = nil
	}
	k.addPurge(vaSpan{area.Addr, area.End()})
	k.vm.lazyNr += area.Size >> PageShift
	if k.vm.lazyNr > lazyMaxPages {
		k.purgeVmapAreaLazy()
	}
}

// addPurge inserts s into the purge list, merging it with its neighbours as
// merge_or_add_vmap_area() does.
func (k *Kernel) addPurge(s vaSpan) {
	p := k.vm.purge
	i := sort.Search(len(p), func(i int) bool { return p[i].start >= s.start })
	if i > 0 && p[i-1].end == s.start {
		i--
		s.start = p[i].start
		p = append(p[:i], p[i+1:]...)
	}
	if i < len(p) && p[i].start == s.end {
		s.end = p[i].end
		p = append(p[:i], p[i+1:]...)
	}
	p = append(p, vaSpan{})
	copy(p[i+1:], p[i:])
	p[i] = s
	k.vm.purge = p
}

// purgeVmapAreaLazy mirrors __purge_vmap_area_lazy(): flush the TLB once for
// every lazily freed range and make the addresses free again.
func (k *Kernel) purgeVmapAreaLazy() {
	k.vm.purge = k.vm.purge[:0]
	k.vm.lazyNr = 0
	k.tick(5_000)
}

// checkVmalloc verifies the vmalloc bookkeeping: busy areas sorted, page
// aligned, inside their space and disjoint; lazily freed ranges sorted,
// coalesced, disjoint from busy ones and counted by vmap_lazy_nr; every
// page of a vmalloc area an allocated frame tagged with the area;
// nr_vmalloc_pages the sum of the areas' pages. Tests call it with
// CheckInvariants.
func (k *Kernel) checkVmalloc() error {
	var prevEnd Addr
	var pages int64
	for _, v := range k.vm.busy {
		if v.Addr&(PageSize-1) != 0 || v.Size&(PageSize-1) != 0 || v.Addr < prevEnd {
			return fmt.Errorf("vmalloc: area %#x+%#x misplaced (previous ends at %#x)", v.Addr, v.Size, prevEnd)
		}
		if !(IsVmallocAddr(v.Addr) && IsVmallocAddr(v.End()-1)) && !(IsModuleAddr(v.Addr) && IsModuleAddr(v.End()-1)) {
			return fmt.Errorf("vmalloc: area %#x-%#x outside the vmalloc and module spaces", v.Addr, v.End())
		}
		if uint64(len(v.Pages))*PageSize+k.guardSize(v) > v.Size {
			return fmt.Errorf("vmalloc: area %#x maps %d pages into %d bytes", v.Addr, len(v.Pages), v.Size)
		}
		for _, pfn := range v.Pages {
			if use, id, ok := k.PageUseOf(pfn); !ok || use != PageUseVmalloc || id != v.id {
				return fmt.Errorf("vmalloc: area %#x: frame %#x is not its allocated page", v.Addr, pfn)
			}
		}
		if v.Flags&VMAlloc != 0 {
			pages += int64(v.NrPages())
		}
		prevEnd = v.End()
	}
	if pages != k.mem.nrVmallocPages {
		return fmt.Errorf("vmalloc: nr_vmalloc_pages %d, areas hold %d", k.mem.nrVmallocPages, pages)
	}
	return k.checkPurge()
}

// checkPurge verifies the lazy purge list against the busy areas.
func (k *Kernel) checkPurge() error {
	var lazy uint64
	for i, s := range k.vm.purge {
		if s.start >= s.end || i > 0 && s.start <= k.vm.purge[i-1].end {
			return fmt.Errorf("vmalloc: purge list not sorted and coalesced at %#x", s.start)
		}
		if v := k.vmAreaContaining(s.start); v != nil {
			return fmt.Errorf("vmalloc: lazily freed %#x is inside busy area %#x", s.start, v.Addr)
		}
		b := k.vm.busy
		j := sort.Search(len(b), func(j int) bool { return b[j].Addr >= s.start })
		if j < len(b) && b[j].Addr < s.end {
			return fmt.Errorf("vmalloc: lazily freed %#x-%#x overlaps busy area %#x", s.start, s.end, b[j].Addr)
		}
		lazy += uint64(s.end-s.start) >> PageShift
	}
	if lazy != k.vm.lazyNr {
		return fmt.Errorf("vmalloc: vmap_lazy_nr %d, purge list holds %d pages", k.vm.lazyNr, lazy)
	}
	return nil
}
