package kernelsim

// HOOK for the slab helper (reconcile at merge): hardened usercopy needs to
// know which slab object an address lies in. Replace this stub with a call
// into the slab allocator (or delete the file and provide the method in
// slub.go).

// slabObjectAt mirrors what __check_heap_object() learns from
// virt_to_slab(ptr): whether a lies in a slab page and, if so, the cache's
// name, the start of the object containing a (after any left red zone),
// its object_size, and the cache's usercopy window (useroffset, usersize:
// 0 and object_size for the kmalloc caches, 0 and 0 for a cache made by
// kmem_cache_create without a whitelist). ok is false outside slab pages.
func (k *Kernel) slabObjectAt(a Addr) (info SlabObjectInfo, ok bool) {
	return SlabObjectInfo{}, false
}
