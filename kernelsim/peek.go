package kernelsim

// Peek reads kernel memory at a into buf without the access checks of a
// kernel-mode load: no KASAN report, no fault. It is for kscript's own
// bookkeeping (the record of what a read handler copied to user space),
// never for the simulated kernel's code, and it changes nothing the
// kernel reports. It returns false if some page of the range is not
// mapped or was never written; those bytes read as zeros.
func (k *Kernel) Peek(a Addr, buf []byte) bool {
	ok := true
	for len(buf) > 0 {
		n := min(len(buf), PageSize-int(a&(PageSize-1)))
		ok = k.rawRead(a, buf[:n]) && ok
		buf, a = buf[n:], a+Addr(n)
	}
	return ok
}

// PeekZeroFill reports whether the n bytes at a are the still pending zero
// fill of a slab object that a starts: an object that init_on_alloc or
// __GFP_ZERO zeroed and that nothing has touched since (any access to its
// page writes the fill out first, slabTouchPage). Such bytes read as
// zeros, so Peek would return them all zero; PeekZeroFill answers without
// writing the fill out and without reading memory. It is for kscript's
// bookkeeping, as Peek, and false tells nothing: read with Peek then.
func (k *Kernel) PeekZeroFill(a Addr, n uint64) bool {
	sl := k.virtToSlab(a)
	if sl == nil || !sl.hasMeta() || sl.pending == 0 {
		return false
	}
	s := k.slabCache(sl)
	idx, ok := s.objIndex(sl, a)
	return ok && s.metaAt(sl, uint(idx)).fill == fillZero && n <= uint64(s.objectSize)
}

// Freed reports whether a points into memory that was handed out and has
// been given back since: a slab object freed (KASAN's KASAN_SLAB_FREE
// shadow), a free page of the direct map (KASAN_PAGE_FREE), a vmalloc
// address no area holds any longer (KASAN_VMALLOC_INVALID). It is what
// KASAN would call a use-after-free if the module dereferenced a now, and
// is for kscript's own checks (a pointer left dangling after kfree, as
// Peek is for its bookkeeping): it reads the allocators' state whether or
// not KASAN is configured, reports nothing and changes nothing. Memory
// handed out again since (the object reallocated) is not freed.
func (k *Kernel) Freed(a Addr) bool {
	switch k.kasanShadow(a) {
	case kasanSlabFree, kasanSlabFreetrack, kasanPageFree, kasanVmallocInvalid:
		return true
	}
	return false
}

// AllocationAt returns the extent [start, end) of the allocation a lies
// in: the allocated slab object (kmalloc, kmem_cache; its object_size),
// the allocated page block (alloc_pages, a large kmalloc; its first page
// only), the vmalloc area (with its guard page). It is false for memory
// that is free, or in no allocation. It is for kscript's own bookkeeping
// (which object a module read, calls: read:), as Peek: it reports nothing
// and changes nothing the kernel shows.
func (k *Kernel) AllocationAt(a Addr) (start, end Addr, ok bool) {
	switch {
	case IsDirectMapAddr(a):
		pfn := PFN((a - PageOffset) >> PageShift)
		if !k.PFNValid(pfn) {
			return 0, 0, false
		}
		if sl := k.slab.byPFN.get(pfn); sl != nil {
			s := k.slabCache(sl)
			obj, _, ok := s.kasanObject(sl, a)
			return obj, obj + Addr(s.objectSize), ok
		}
		head, state := k.pageBlockOf(pfn)
		return PageAddress(head), PageAddress(head + 1), state == blockAllocated
	case IsVmallocAddr(a):
		if v := k.vmAreaContaining(a); v != nil {
			return v.Addr, v.End(), true
		}
	}
	return 0, 0, false
}
