package kernelsim

// The debugging facilities' hooks in the allocators: one call each, at the
// place Linux calls its own hooks, so that the allocators' files change by a
// line. What each hook does is in fault_inject.go, kmemleak.go and kasan.go.
//
//	slab_alloc_node       slabAlloc          failslab          (should_failslab)
//	slab_post_alloc_hook  slabPostAlloc      dbgSlabAlloc      (kmemleak_alloc_recursive)
//	slab_free             slabFree           dbgSlabFree       (kasan quarantine, kmemleak_free_recursive)
//	__kmalloc_large_node  kmallocLarge       failslab, dbgKmallocLarge
//	free_large_kmalloc    freeLargeKmalloc   kmemleakFree
//	__alloc_pages         allocPages         shouldFailAlloc   (should_fail_alloc_page),
//	                                         dbgAllocPages     (kscript's page tracking)
//	__free_pages          FreePages          kmemleakFree
//	__vmalloc_area_node   vmallocAreaNode    shouldFailVmalloc
//	__vmalloc_node_range  vmallocNodeRange   dbgVmalloc        (kasan_unpoison_vmalloc, kmemleak_vmalloc)
//	__vunmap              vfreeArea          dbgVfree
//	memory accesses       mem.go             kasanAccess       (__asan_load/store, memset, memmove)
//	_copy_{from,to}_user  uaccess.go         shouldFailUsercopy

// failslab is slab_pre_alloc_hook's should_failslab() for an allocation
// from s (kmalloc's caches, or a cache of the script's).
func (k *Kernel) failslab(s *KmemCache, gfp GFP) bool {
	return k.dbg.fault.attr[FaultSlab] != nil && k.failslabFrom(s, gfp)
}

func (k *Kernel) failslabFrom(s *KmemCache, gfp GFP) bool {
	if s.kmalloc {
		return k.shouldFailSlab(gfp, uint64(s.objectSize), "__kmem_cache_alloc_node+0x3d/0x2e0", "kmalloc_trace+0x26/0x90")
	}
	return k.shouldFailSlab(gfp, uint64(s.objectSize), "kmem_cache_alloc+0x3d/0x2e0")
}

// failKmallocLarge is failslab for a kmalloc above KMALLOC_MAX_CACHE_SIZE.
// Unlike Linux, where such a kmalloc bypasses failslab and can only fail
// through fail_page_alloc, kscript's "kmalloc" fault covers every kmalloc.
func (k *Kernel) failKmallocLarge(gfp GFP, size uint64) bool {
	if k.dbg.fault.attr[FaultSlab] == nil {
		return false
	}
	return k.shouldFailSlab(gfp, size, "__kmalloc_large_node+0x3d/0x120", "__kmalloc+0x13b/0x1b0")
}

// dbgSlabAlloc records object idx of slab sl, just allocated, with
// kmemleak (size: the cache's object_size, as kmemleak_alloc_recursive).
func (k *Kernel) dbgSlabAlloc(s *KmemCache, sl *Slab, idx int) {
	if k.Stack != nil {
		k.kmemleakSlabAlloc(s, sl, idx)
	}
}

func (k *Kernel) kmemleakSlabAlloc(s *KmemCache, sl *Slab, idx int) {
	kind := leakCache
	if s.kmalloc {
		kind = leakKmalloc
	}
	k.kmemleakAlloc(s.objAddr(sl, idx), uint64(s.objectSize), kind)
}

// dbgSlabFree puts object idx back on its slab's freelist (through KASAN's
// quarantine) and forgets it in kmemleak. Only objects whose allocation and
// free were tracked (script code was running) can be either.
func (k *Kernel) dbgSlabFree(s *KmemCache, sl *Slab, idx int) {
	if k.Stack != nil {
		k.dbgSlabFreeTracked(s, sl, idx)
		return
	}
	s.pushFree(sl, idx)
}

func (k *Kernel) dbgSlabFreeTracked(s *KmemCache, sl *Slab, idx int) {
	k.kasanFreelistPush(s, sl, idx)
	k.kmemleakFree(s.objAddr(sl, idx))
}

// dbgKmallocLarge records a kmalloc_large block with kmemleak.
func (k *Kernel) dbgKmallocLarge(a Addr, size uint64) {
	if k.Stack != nil {
		k.kmemleakAlloc(a, size, leakLarge)
	}
}

// dbgFreePages forgets a block freed with __free_pages in kmemleak and in
// KASAN's cache of the last page checked.
func (k *Kernel) dbgFreePages(pfn PFN) {
	k.dbg.kasan.okPage = 0
	if k.dbg.leak.n != 0 { // kmemleakFree, by hand: this hook inlines into FreePages
		k.kmemleakForgetPages(pfn)
	}
}

//go:noinline
func (k *Kernel) kmemleakForgetPages(pfn PFN) { k.kmemleakForget(PageAddress(pfn)) }

// dbgAllocPages records a block alloc_pages() handed out with kmemleak.
func (k *Kernel) dbgAllocPages(pfn PFN, order int) {
	if k.Stack != nil {
		k.kmemleakAlloc(PageAddress(pfn), PageSize<<order, leakPages)
	}
}

// dbgVmalloc is kasan_unpoison_vmalloc() and kmemleak_vmalloc() for an
// area vmalloc just made for a request of size bytes. Module memory
// (VM_FLUSH_RESET_PERMS, module_alloc) is not a kmemleak object, as
// Linux's VM_DEFER_KMEMLEAK and kmemleak_not_leak() arrange.
func (k *Kernel) dbgVmalloc(area *VMStruct, size uint64) {
	k.kasanUnpoisonVmalloc(area.Addr, size)
	if area.Flags&VMFlushResetPerms == 0 && k.Stack != nil {
		k.kmemleakAlloc(area.Addr, pageAlign(size), leakVmalloc)
	}
}

// dbgVfree is vfree's side of dbgVmalloc.
func (k *Kernel) dbgVfree(area *VMStruct) {
	k.kasanVfree(area.Addr)
	k.kmemleakFree(area.Addr)
}
