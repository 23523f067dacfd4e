package kernelsim

import (
	"fmt"
	"math/bits"
)

// checkSlabInvariants verifies the slab allocator's bookkeeping, as SLUB's
// validate_slab_cache() (/sys/kernel/slab/*/validate) does and more: every
// slab's in-use count agrees with its objects' states and its freelist; the
// slab is on the list its state says; the node counters, the vmstat
// counters and the pfn index agree with the slabs. Tests call it after
// every allocator case.
func (k *Kernel) checkSlabInvariants() error {
	seen := map[*Slab]bool{}
	var recl, unrecl int64
	for _, s := range k.slab.caches {
		if err := k.checkCache(s, seen); err != nil {
			return err
		}
		pages := int64(0)
		for sl := range seen {
			if k.slabCache(sl) == s {
				pages += 1 << sl.order
			}
		}
		if s.flags&SlabReclaimAccount != 0 {
			recl += pages
		} else {
			unrecl += pages
		}
	}
	large, err := k.checkLargeKmallocs()
	if err != nil {
		return err
	}
	if recl != k.mem.nrSlabReclaimable || unrecl+large != k.mem.nrSlabUnreclaimable {
		return fmt.Errorf("slab: vmstat: reclaimable %d unreclaimable %d pages, slabs hold %d and %d (+%d large kmalloc)",
			k.mem.nrSlabReclaimable, k.mem.nrSlabUnreclaimable, recl, unrecl, large)
	}
	if err := k.checkSlabPools(); err != nil {
		return err
	}
	return k.checkSlabIndex(seen)
}

// checkCache checks one cache's CPU slab, partial and full lists and node
// counters, adding its slabs to seen.
func (k *Kernel) checkCache(s *KmemCache, seen map[*Slab]bool) error {
	nslabs, nobjs := 0, 0
	slots, metaSlots := map[uint32]bool{}, map[uint32]bool{}
	visit := func(sl *Slab, list *slabList) error {
		if seen[sl] {
			return fmt.Errorf("slab: %s: slab at pfn %#x is on two lists", s.Name, sl.pfn)
		}
		seen[sl] = true
		nslabs++
		nobjs += int(sl.objects)
		kind := uint32(0)
		if list != nil {
			kind = list.kind
		}
		if sl.flags&slabOnList != kind {
			return fmt.Errorf("slab: %s: slab at pfn %#x has the wrong list flags", s.Name, sl.pfn)
		}
		slot := sl.slot
		if slots[slot] || slot >= s.nslots || sl.freeOff != (1+slot*uint32(s.objects))*2 || sl.usedOff != slot*uint32(s.usedWords())*8 {
			return fmt.Errorf("slab: %s: slab at pfn %#x has a bad pool slot %d", s.Name, sl.pfn, slot)
		}
		slots[slot] = true
		if sl.hasMeta() {
			ms := sl.metaOff / 8 / uint32(s.objects)
			if metaSlots[ms] || ms >= s.nmeta || sl.metaOff != ms*uint32(s.objects)*8 {
				return fmt.Errorf("slab: %s: slab at pfn %#x has bad records at %d", s.Name, sl.pfn, sl.metaOff)
			}
			metaSlots[ms] = true
		}
		return k.checkSlab(s, sl)
	}
	if c := s.cpuSlab; c != nil {
		if err := visit(c, nil); err != nil {
			return err
		}
	}
	for _, l := range []*slabList{&s.partial, &s.full} {
		if err := k.checkList(s, l, visit); err != nil {
			return err
		}
	}
	for _, slot := range s.freeSlots {
		if slots[slot] || slot >= s.nslots {
			return fmt.Errorf("slab: %s: pool slot %d is free and in use", s.Name, slot)
		}
		slots[slot] = true
	}
	if len(slots) != int(s.nslots) {
		return fmt.Errorf("slab: %s: %d pool slots, %d in use or free", s.Name, s.nslots, len(slots))
	}
	for _, ms := range s.freeMeta {
		if metaSlots[ms] || ms >= s.nmeta {
			return fmt.Errorf("slab: %s: records' slot %d is free and in use", s.Name, ms)
		}
		metaSlots[ms] = true
		for _, m := range s.metaPool[ms*uint32(s.objects) : (ms+1)*uint32(s.objects)] {
			if m != (objMeta{}) {
				return fmt.Errorf("slab: %s: free records' slot %d is not zero", s.Name, ms)
			}
		}
	}
	if len(metaSlots) != int(s.nmeta) {
		return fmt.Errorf("slab: %s: %d records' slots, %d in use or free", s.Name, s.nmeta, len(metaSlots))
	}
	if nslabs != s.nrSlabs || nobjs != s.totalObjects {
		return fmt.Errorf("slab: %s: nr_slabs %d total_objects %d, found %d slabs of %d objects",
			s.Name, s.nrSlabs, s.totalObjects, nslabs, nobjs)
	}
	return nil
}

// checkList walks a partial or full list: its links, its length, and that
// each slab belongs there (full slabs on the full list only).
func (k *Kernel) checkList(s *KmemCache, l *slabList, visit func(*Slab, *slabList) error) error {
	n := 0
	var prev *Slab
	for sl := l.head; sl != nil; prev, sl = sl, k.slab.byPFN.next(sl) {
		if k.slab.byPFN.link(sl.prev) != prev {
			return fmt.Errorf("slab: %s: broken list links at pfn %#x", s.Name, sl.pfn)
		}
		if err := visit(sl, l); err != nil {
			return err
		}
		if full := sl.inuse == sl.objects; (l == &s.full) != full {
			return fmt.Errorf("slab: %s: slab at pfn %#x with %d/%d objects in use is on the wrong list", s.Name, sl.pfn, sl.inuse, sl.objects)
		}
		n++
	}
	if n != l.n || l.tail != prev {
		return fmt.Errorf("slab: %s: list holds %d slabs, counted %d", s.Name, n, l.n)
	}
	return nil
}

// checkSlab checks one slab: in-use count ↔ object bitmap ↔ freelist, the
// pending-fill count, and its pages in the pfn index.
func (k *Kernel) checkSlab(s *KmemCache, sl *Slab) error {
	if k.slabCache(sl) != s || int(sl.objects) != orderObjects(int(sl.order), s.size) {
		return fmt.Errorf("slab: %s: slab at pfn %#x has the wrong cache or object count", s.Name, sl.pfn)
	}
	used := 0
	for _, w := range s.usedBits(sl) {
		used += bits.OnesCount64(w)
	}
	if used != int(sl.inuse) || sl.inuse+sl.nfree != sl.objects {
		return fmt.Errorf("slab: %s: slab at pfn %#x: inuse %d, %d objects marked used, %d free of %d",
			s.Name, sl.pfn, sl.inuse, used, sl.nfree, sl.objects)
	}
	if sl.nfree > 0 && sl.top != s.freePool[sl.first()+sl.nfree-1] {
		return fmt.Errorf("slab: %s: slab at pfn %#x: top %d is not the freelist's head", s.Name, sl.pfn, sl.top)
	}
	onList := make([]bool, sl.objects)
	for _, f := range s.freeList(sl) {
		if uint32(f) >= sl.objects || onList[f] || s.isUsed(sl, int(f)) {
			return fmt.Errorf("slab: %s: slab at pfn %#x: bad freelist entry %d", s.Name, sl.pfn, f)
		}
		onList[f] = true
	}
	pending := 0
	for _, m := range s.metas(sl) {
		if m.fill != fillNone {
			pending++
		}
	}
	if pending != int(sl.pending) {
		return fmt.Errorf("slab: %s: slab at pfn %#x: %d objects with a pending fill, counted %d", s.Name, sl.pfn, pending, sl.pending)
	}
	if (sl == s.cpuSlab) != (sl.flags&slabCPU != 0) {
		return fmt.Errorf("slab: %s: slab at pfn %#x: slabCPU flag %v, CPU slab %v", s.Name, sl.pfn, sl.flags&slabCPU != 0, sl == s.cpuSlab)
	}
	if sl == s.cpuSlab && !sl.hasMeta() {
		return fmt.Errorf("slab: %s: the CPU slab at pfn %#x has no records", s.Name, sl.pfn)
	}
	for i := PFN(0); i < 1<<sl.order; i++ {
		if k.slab.byPFN.get(PFN(sl.pfn)+i) != sl {
			return fmt.Errorf("slab: %s: page %#x of the slab at pfn %#x is not indexed", s.Name, PFN(sl.pfn)+i, sl.pfn)
		}
	}
	return k.checkPageSlab(sl)
}

// checkSlabPools checks that poolsByID says where every cache's pools lie.
func (k *Kernel) checkSlabPools() error {
	for id, s := range k.slab.cacheByID {
		if s == nil {
			continue
		}
		if id >= len(k.slab.poolsByID) || k.slab.poolsByID[id] != s.pools() {
			return fmt.Errorf("slab: poolsByID does not say where the pools of %s lie", s.Name)
		}
	}
	return nil
}

// checkSlabIndex checks that the pfn index holds no slab that is not on a
// cache's lists (a slab freed but still indexed, or leaked).
func (k *Kernel) checkSlabIndex(seen map[*Slab]bool) error {
	if e := k.slab.byPFN.empty; e != nil && *e != (slabChunk{}) {
		return fmt.Errorf("slab: the slab table's empty chunk was written")
	}
	for c, ch := range k.slab.byPFN.chunks {
		for i := range ch.heads {
			if sl := k.slab.byPFN.get(PFN(c*pfnChunk + i)); sl != nil && !seen[sl] {
				return fmt.Errorf("slab: pfn %#x is indexed as a slab of %s that no list holds", c*pfnChunk+i, k.slabCache(sl).Name)
			}
			if sl := &ch.slabs[i]; k.slab.byPFN.get(PFN(c*pfnChunk+i)) != sl && *sl != (Slab{}) {
				return fmt.Errorf("slab: pfn %#x heads no slab but its entry is not zero", c*pfnChunk+i)
			}
		}
	}
	return nil
}

// checkLargeKmallocs checks that every large kmalloc block is indexed by
// its head, is an allocated block of its order in the page allocator, and
// overlaps no slab; it returns their total pages.
func (k *Kernel) checkLargeKmallocs() (int64, error) {
	var total int64
	for c, ch := range k.slab.large.chunks {
		if ch == nil {
			continue
		}
		for i, la := range ch {
			if la == nil {
				continue
			}
			pfn := PFN(c*pfnChunk + i)
			p := k.mem.peek(uint32(pfn))
			if la.pfn != pfn || p.flags&pgHead == 0 || int(p.order) != la.order || k.slab.byPFN.get(pfn) != nil {
				return 0, fmt.Errorf("slab: large kmalloc at pfn %#x order %d: not an allocated block of that order", pfn, la.order)
			}
			total += 1 << la.order
		}
	}
	return total, nil
}

func (k *Kernel) errSlabPage(sl *Slab) error {
	return fmt.Errorf("slab: %s: the page allocator does not hold pfn %#x as a PG_slab block of order %d",
		k.slabCache(sl).Name, sl.pfn, sl.order)
}
