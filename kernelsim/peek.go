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
