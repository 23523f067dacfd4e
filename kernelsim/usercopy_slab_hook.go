package kernelsim

// HOOK for the slab helper (reconcile at merge): hardened usercopy needs to
// know which slab object an address lies in and the cache's usercopy
// window. This file answers from slab's internals (virtToSlab, the cache
// geometry, largeKmallocOf); the slab owner may move both functions into
// slub.go / slab_common.go, or add useroffset/usersize to KmemCache for
// kmem_cache_create_usercopy().

// slabObjectAt mirrors what __check_heap_object() learns from
// virt_to_slab(ptr): whether a lies in a slab page and, if so, the cache's
// name, the start of the object containing a (after any left red zone),
// its object_size, and the cache's usercopy window (useroffset, usersize).
// The kmalloc caches whitelist the whole object (create_kmalloc_cache
// passes useroffset 0, usersize = size); a cache made by kmem_cache_create
// has no whitelist (0, 0), so any copy to or from it is refused.
func (k *Kernel) slabObjectAt(a Addr) (info SlabObjectInfo, ok bool) {
	sl := k.virtToSlab(a)
	if sl == nil {
		return SlabObjectInfo{}, false
	}
	s := k.slabCache(sl)
	// offset = (ptr - slab_address(slab)) % s->size, then the left red zone.
	off := uint64(a-sl.addr()) % uint64(s.size)
	info = SlabObjectInfo{Cache: s.Name, Start: a - Addr(off) + Addr(s.redLeftPad), Size: uint64(s.objectSize)}
	if s.kmalloc {
		info.UserSize = uint64(s.objectSize)
	}
	return info, true
}

// compoundPageOf mirrors virt_to_folio(a) for a compound (__GFP_COMP,
// folio_test_large) non-slab allocation — kmalloc's large allocations —
// returning the address of its first byte and its size. ok is false
// elsewhere (order-0 pages, plain alloc_pages blocks, which are not
// compound).
func (k *Kernel) compoundPageOf(a Addr) (start Addr, size uint64, ok bool) {
	if !IsDirectMapAddr(a) {
		return 0, 0, false
	}
	la := k.largeKmallocOf(PFN((a - PageOffset) >> PageShift))
	if la == nil {
		return 0, 0, false
	}
	return PageAddress(la.pfn), PageSize << la.order, true
}
