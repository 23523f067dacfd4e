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
			if sl.cache == s {
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
	return k.checkSlabIndex(seen)
}

// checkCache checks one cache's CPU slab, partial and full lists and node
// counters, adding its slabs to seen.
func (k *Kernel) checkCache(s *KmemCache, seen map[*Slab]bool) error {
	nslabs, nobjs := 0, 0
	visit := func(sl *Slab, list *slabList) error {
		if seen[sl] {
			return fmt.Errorf("slab: %s: slab at pfn %#x is on two lists", s.Name, sl.pfn)
		}
		seen[sl] = true
		nslabs++
		nobjs += sl.objects
		if sl.list != list {
			return fmt.Errorf("slab: %s: slab at pfn %#x has the wrong list pointer", s.Name, sl.pfn)
		}
		return k.checkSlab(s, sl)
	}
	if c := s.cpuSlab; c != nil {
		if err := visit(c, nil); err != nil {
			return err
		}
	}
	for _, l := range []*slabList{&s.partial, &s.full} {
		if err := checkList(s, l, visit); err != nil {
			return err
		}
	}
	if nslabs != s.nrSlabs || nobjs != s.totalObjects {
		return fmt.Errorf("slab: %s: nr_slabs %d total_objects %d, found %d slabs of %d objects",
			s.Name, s.nrSlabs, s.totalObjects, nslabs, nobjs)
	}
	return nil
}

// checkList walks a partial or full list: its links, its length, and that
// each slab belongs there (full slabs on the full list only).
func checkList(s *KmemCache, l *slabList, visit func(*Slab, *slabList) error) error {
	n := 0
	var prev *Slab
	for sl := l.head; sl != nil; prev, sl = sl, sl.next {
		if sl.prev != prev {
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
	if sl.cache != s || sl.objects != orderObjects(sl.order, s.size) {
		return fmt.Errorf("slab: %s: slab at pfn %#x has the wrong cache or object count", s.Name, sl.pfn)
	}
	used := 0
	for _, w := range sl.used {
		used += bits.OnesCount64(w)
	}
	if used != sl.inuse || sl.inuse+len(sl.free) != sl.objects {
		return fmt.Errorf("slab: %s: slab at pfn %#x: inuse %d, %d objects marked used, %d free of %d",
			s.Name, sl.pfn, sl.inuse, used, len(sl.free), sl.objects)
	}
	onList := make([]bool, sl.objects)
	for _, f := range sl.free {
		if int(f) >= sl.objects || onList[f] || sl.isUsed(int(f)) {
			return fmt.Errorf("slab: %s: slab at pfn %#x: bad freelist entry %d", s.Name, sl.pfn, f)
		}
		onList[f] = true
	}
	pending := 0
	for _, m := range sl.meta {
		if m.fill != fillNone {
			pending++
		}
	}
	if pending != sl.pending {
		return fmt.Errorf("slab: %s: slab at pfn %#x: %d objects with a pending fill, counted %d", s.Name, sl.pfn, pending, sl.pending)
	}
	for i := PFN(0); i < 1<<sl.order; i++ {
		if k.slab.byPFN.get(sl.pfn+i) != sl {
			return fmt.Errorf("slab: %s: page %#x of the slab at pfn %#x is not indexed", s.Name, sl.pfn+i, sl.pfn)
		}
	}
	return k.checkPageSlab(sl)
}

// checkSlabIndex checks that the pfn index holds no slab that is not on a
// cache's lists (a slab freed but still indexed, or leaked).
func (k *Kernel) checkSlabIndex(seen map[*Slab]bool) error {
	for c, ch := range k.slab.byPFN.chunks {
		if ch == nil {
			continue
		}
		for i, sl := range ch {
			if sl != nil && !seen[sl] {
				return fmt.Errorf("slab: pfn %#x is indexed as a slab of %s that no list holds", c*pfnChunk+i, sl.cache.Name)
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

func errSlabPage(sl *Slab) error {
	return fmt.Errorf("slab: %s: the page allocator does not hold pfn %#x as a PG_slab block of order %d",
		sl.cache.Name, sl.pfn, sl.order)
}
