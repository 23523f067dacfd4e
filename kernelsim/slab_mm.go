package kernelsim

// This file is the slab code's interface to the memory core (physmem.go,
// mem.go, page_alloc.go): the PG_slab page flag, and raw access to page
// contents that bypasses the access checks (SLUB's own metadata accesses,
// Linux's metadata_access_enable()).

// setPageSlab mirrors __folio_set_slab()/__folio_clear_slab() on the head
// page of a slab: the memory core records the block as PageUseSlab.
func (k *Kernel) setPageSlab(pfn PFN, on bool) {
	use := PageUseKernel
	if on {
		use = PageUseSlab
	}
	k.SetPageUse(pfn, use, 0)
}

// checkPageSlab checks that the page allocator holds a slab's pages as one
// allocated block of the slab's order, flagged PG_slab.
func (k *Kernel) checkPageSlab(sl *Slab) error {
	use, _, head := k.PageUseOf(PFN(sl.pfn))
	if !head || use != PageUseSlab || k.mem.peek(sl.pfn).order != sl.order {
		return k.errSlabPage(sl)
	}
	return nil
}

// slabTouchPage is called by the memory core (translate) before any access
// to direct-map page pfn: the lazy fills of the slab objects on the page
// are written now, so the access sees them. It costs one table lookup when
// the page is not a slab page or has nothing pending.
func (k *Kernel) slabTouchPage(pfn PFN) {
	if sl := k.slab.byPFN.get(pfn); sl != nil && sl.pending != 0 {
		k.slabMaterialize(sl, PageAddress(pfn), PageSize)
	}
}

// slabRawFill writes n bytes of c at direct-map address a without access
// checks; zeroes over a never-written page cost nothing.
func (k *Kernel) slabRawFill(a Addr, c byte, n uint64) {
	for n > 0 {
		pfn := PFN((a - PageOffset) >> PageShift)
		off := uint64(a & (PageSize - 1))
		step := min(n, PageSize-off)
		if c != 0 || k.mem.contents(pfn) != nil {
			fillBytes(k.mem.contentsForWrite(pfn)[off:off+step], c)
		}
		n, a = n-step, a+Addr(step)
	}
}

// slabRawRead reads len(buf) bytes at direct-map address a without access
// checks, lazy fills written first.
func (k *Kernel) slabRawRead(a Addr, buf []byte) {
	if sl := k.virtToSlab(a); sl != nil {
		k.slabMaterialize(sl, a, uint64(len(buf)))
	}
	for len(buf) > 0 {
		pfn := PFN((a - PageOffset) >> PageShift)
		off := int(a & (PageSize - 1))
		n := min(len(buf), PageSize-off)
		if c := k.mem.contents(pfn); c != nil {
			copy(buf[:n], c[off:])
		} else {
			clear(buf[:n])
		}
		buf, a = buf[n:], a+Addr(n)
	}
}

// fillBytes sets every byte of dst to c, doubling the filled prefix with
// copy (a memmove) rather than storing byte by byte.
func fillBytes(dst []byte, c byte) {
	if len(dst) == 0 {
		return
	}
	dst[0] = c
	for n := 1; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
}
