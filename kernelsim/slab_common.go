package kernelsim

// OWNER: slab helper. Stub: replace with the real implementation.

// slabState holds every kmem_cache (slab_caches) and the kmalloc caches.
type slabState struct{}

// KmemCache mirrors struct kmem_cache (include/linux/slub_def.h).
type KmemCache struct {
	Name string
}

// SlabFlags mirrors slab_flags_t (include/linux/slab.h).
type SlabFlags uint32

func (k *Kernel) bootSlab() error { return nil }

// Kmalloc mirrors kmalloc(size, flags): 0 (NULL) on failure.
func (k *Kernel) Kmalloc(size uint64, gfp GFP) Addr { panic("unimplemented") }

// Kfree mirrors kfree(); kfree(NULL) is a no-op.
func (k *Kernel) Kfree(a Addr) error { panic("unimplemented") }

// Ksize mirrors ksize().
func (k *Kernel) Ksize(a Addr) uint64 { panic("unimplemented") }

// Krealloc mirrors krealloc().
func (k *Kernel) Krealloc(a Addr, size uint64, gfp GFP) (Addr, error) { panic("unimplemented") }

// KmemCacheCreate mirrors kmem_cache_create(); ctor, when set, runs on every
// object of a new slab.
func (k *Kernel) KmemCacheCreate(name string, size, align uint64, flags SlabFlags, ctor func(Addr) error) (*KmemCache, error) {
	panic("unimplemented")
}

// KmemCacheAlloc mirrors kmem_cache_alloc(); 0 on failure.
func (k *Kernel) KmemCacheAlloc(c *KmemCache, gfp GFP) (Addr, error) { panic("unimplemented") }

// KmemCacheFree mirrors kmem_cache_free().
func (k *Kernel) KmemCacheFree(c *KmemCache, a Addr) error { panic("unimplemented") }

// KmemCacheDestroy mirrors kmem_cache_destroy().
func (k *Kernel) KmemCacheDestroy(c *KmemCache) error { panic("unimplemented") }
func (k *Kernel) procSlabinfo() string                { return "" }
