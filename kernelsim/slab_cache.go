package kernelsim

import "fmt"

// This file mirrors the kmem_cache lifecycle: kmem_cache_create() and
// kmem_cache_destroy() (mm/slab_common.c) with SLUB's kmem_cache_open() and
// __kmem_cache_shutdown() (mm/slub.c), and kmem_cache_alloc/free.

// calculateAlignment mirrors calculate_alignment(): SLAB_HWCACHE_ALIGN asks
// for the cache line (64 bytes), halved while the object still fits in half
// of it, so that small objects are not spread over whole lines; never less
// than the caller's align or ARCH_SLAB_MINALIGN, and a multiple of a word.
func calculateAlignment(flags SlabFlags, align, size uint32) uint32 {
	if flags&SlabHWCacheAlign != 0 {
		ralign := uint32(cacheLineSize)
		for size <= ralign/2 {
			ralign /= 2
		}
		align = max(align, ralign)
	}
	align = max(align, archSlabMinalign)
	return alignUp(align, pointerSize)
}

// newCache builds a kmem_cache as create_cache() and kmem_cache_open() do,
// without registering it. ok is false when no slab order can hold the
// object (calculate_sizes failed: -EINVAL).
func newCache(name string, size, align uint32, flags SlabFlags, hasCtor bool) (*KmemCache, bool) {
	s := &KmemCache{Name: name, objectSize: size, flags: flags, hasCtor: hasCtor, refcount: 1}
	s.align = calculateAlignment(flags, align, size)
	if !s.calculateSizes() {
		return nil, false
	}
	s.setMinPartial()
	return s, true
}

// KmemCacheCreate mirrors kmem_cache_create(): a cache of size-byte
// objects aligned to align, with SLAB_* flags; ctor, when set, runs on every
// object of every new slab. It returns nil (NULL) on failure after the
// kernel's warning, or an *Oops when SLAB_PANIC turns the failure into a
// panic.
func (k *Kernel) KmemCacheCreate(name string, size, align uint64, flags SlabFlags, ctor func(Addr) error) (*KmemCache, error) {
	errno := k.kmemCacheCreateCheck(name, size, align, flags)
	var s *KmemCache
	if errno == 0 {
		s, errno = k.createCache(name, uint32(size), uint32(align), flags, ctor)
	}
	if errno == 0 {
		return s, nil
	}
	if flags&SlabPanic != 0 {
		return nil, k.slabPanic(fmt.Sprintf("kmem_cache_create: Failed to create slab '%s'. Error %d", name, -int(errno)))
	}
	k.printk(LogWarning, "kmem_cache_create(%s) failed with error %d\n", name, -int(errno))
	k.dumpStack(LogWarning, "kmem_cache_create_usercopy.cold+0x5e/0x7c", "kmem_cache_create+0x16/0x20")
	return nil, nil
}

// kmemCacheCreateCheck mirrors the refusals of kmem_cache_create_usercopy()
// and sysfs_slab_add(): flags SLUB does not know, an impossible size, and a
// name already registered under /sys/kernel/slab.
//
// Unlike Debian's kernel, which checks sizes only with CONFIG_DEBUG_VM
// (kmem_cache_sanity_check) and would divide by zero on size 0 or compute a
// nonsensical layout for an alignment that is not a power of two, kscript
// refuses those, and sizes above KMALLOC_MAX_SIZE, with -EINVAL.
func (k *Kernel) kmemCacheCreateCheck(name string, size, align uint64, flags SlabFlags) Errno {
	k.walkCaches()
	if flags&^slabFlagsPermitted != 0 || size == 0 || size > KmallocMaxSize ||
		align > KmallocMaxSize || align&(align-1) != 0 {
		return EINVAL
	}
	if k.FindCache(name) != nil {
		k.printk(LogWarning, "sysfs: cannot create duplicate filename '/kernel/slab/%s'\n", name)
		k.dumpStack(LogWarning, "sysfs_warn_dup.cold+0x17/0x24", "sysfs_create_dir_ns+0xc3/0xe0",
			"kobject_add_internal+0xbb/0x2d0", "kobject_init_and_add+0x71/0xa0", "sysfs_slab_add+0x9d/0x200",
			"__kmem_cache_create+0x3c8/0x520", "kmem_cache_create_usercopy+0x165/0x300")
		k.printk(LogErr, "kobject_add_internal failed for %s with -EEXIST, don't try to register things with the same name in the same directory.\n", name)
		return EEXIST
	}
	return 0
}

// createCache mirrors create_cache() with kmem_cache_open(): the cache's
// name is kstrdup'ed (a kmalloc of len+1), its struct kmem_cache comes from
// the kmem_cache cache, its random sequence from kcalloc, its node from the
// kmem_cache_node cache; then it is added at the head of slab_caches.
func (k *Kernel) createCache(name string, size, align uint32, flags SlabFlags, ctor func(Addr) error) (*KmemCache, Errno) {
	s, ok := newCache(name, size, align, k.kmemCacheFlags(flags), ctor != nil)
	if !ok {
		return nil, EINVAL
	}
	k.zeroFill(s)
	s.ctor = ctor
	k.initRandomSeq(s)
	s.nameAddr = k.Kmalloc(uint64(len(name)+1), GFP_KERNEL)
	s.selfAddr = k.kmemCacheAllocInternal(k.slab.kmemCache)
	if s.randomSeq != nil {
		s.randomSeqAddr = k.Kmalloc(uint64(len(s.randomSeq))*4, GFP_KERNEL|GFPZero)
	}
	s.nodeAddr = k.kmemCacheAllocInternal(k.slab.kmemCacheNode)
	if s.nameAddr == 0 || s.selfAddr == 0 || s.nodeAddr == 0 || (s.randomSeq != nil && s.randomSeqAddr == 0) {
		k.releaseCache(s)
		return nil, ENOMEM
	}
	if err := k.WriteMem(s.nameAddr, append([]byte(name), 0)); err != nil {
		panic("kernelsim: kmem_cache_create: " + err.Error())
	}
	k.slab.caches = append([]*KmemCache{s}, k.slab.caches...)
	return s, 0
}

// kmemCacheAllocInternal allocates one object for the allocator's own use.
func (k *Kernel) kmemCacheAllocInternal(s *KmemCache) Addr {
	a, _ := k.slabAlloc(s, GFP_KERNEL|GFPZero, uint64(s.objectSize))
	return a
}

// freeInternal frees an object the allocator allocated for itself.
func (k *Kernel) freeInternal(a Addr) {
	if a == 0 {
		return
	}
	sl := k.virtToSlab(a)
	s := k.slabCache(sl)
	idx, _ := s.objIndex(sl, a)
	k.slabFree(s, sl, idx)
}

// releaseCache mirrors slab_kmem_cache_release(): the random sequence, the
// node, the name and the struct kmem_cache are freed.
func (k *Kernel) releaseCache(s *KmemCache) {
	k.freeInternal(s.randomSeqAddr)
	k.freeInternal(s.nodeAddr)
	k.freeInternal(s.nameAddr)
	k.freeInternal(s.selfAddr)
	s.randomSeqAddr, s.nodeAddr, s.nameAddr, s.selfAddr = 0, 0, 0, 0
	s.dead = true
	if s.id != 0 && s.nrSlabs == 0 { // its id is free for the next cache
		k.slab.cacheByID[s.id] = nil
		k.slab.poolsByID[s.id] = slabPools{}
		k.slab.freeIDs = append(k.slab.freeIDs, s.id)
		s.id = 0
	}
}

// KmemCacheAlloc mirrors kmem_cache_alloc(): 0 (NULL) on failure. The error
// is a constructor's failure or an Oops.
func (k *Kernel) KmemCacheAlloc(c *KmemCache, gfp GFP) (Addr, error) {
	if err := k.checkCacheHandle(c, 0x8, "kmem_cache_alloc+0x2a/0x2e0"); err != nil {
		return 0, err
	}
	return k.slabAlloc(c, gfp, uint64(c.objectSize))
}

// KmemCacheFree mirrors kmem_cache_free(). With CONFIG_SLAB_FREELIST_HARDENED
// (Debian) cache_from_obj() checks that the object belongs to c: if not, it
// WARNs and frees the object into the cache it really came from.
func (k *Kernel) KmemCacheFree(c *KmemCache, a Addr) error {
	if err := k.checkCacheHandle(c, 0x60, "kmem_cache_free+0x1e/0x3b0"); err != nil {
		return err
	}
	sl := k.virtToSlab(a)
	if sl == nil {
		if _, ok := k.structPageOf(a); !ok {
			return k.pageFault(structPageFaultAddr(a), false, "kmem_cache_free+0x3d/0x3b0")
		}
		// virt_to_cache()'s WARN_ONCE, inlined into cache_from_obj (mm/slab.h;
		// line and RIP of Debian's 6.1 build, its __bug_table).
		k.slabWarnOnceClass("invalid-free", "mm/slab.h", 630, "cache_from_obj+0xe0/0x120", "virt_to_cache: Object is not a Slab page!")
		return nil
	}
	s := k.slabCache(sl)
	if s != c {
		k.slabWARN("invalid-free", "mm/slab.h", 665, "cache_from_obj+0xa1/0x120",
			fmt.Sprintf("cache_from_obj: Wrong slab cache. %s but object is from %s", c.Name, s.Name))
	}
	return k.slabFreeChecked(s, sl, a, "kmem_cache_free+0x1ae/0x3b0")
}

// checkCacheHandle stands for the first dereference of c a kmem_cache_*
// function makes (of the field at offset off): NULL faults there, and a
// cache kmem_cache_destroy has freed is poisoned memory whose pointers read
// 0x6b6b6b6b6b6b6b6b, a non-canonical address.
func (k *Kernel) checkCacheHandle(c *KmemCache, off Addr, rip string) error {
	switch {
	case c == nil:
		return k.pageFault(off, false, rip)
	case c.dead:
		return k.pageFault(0x6b6b6b6b6b6b6b6b, false, rip)
	}
	return nil
}

// KmemCacheDestroy mirrors kmem_cache_destroy(): when the last reference
// goes, the cache is shut down. Objects still allocated make the shutdown
// fail: SLUB lists them, the kernel WARNs, and the cache stays on
// slab_caches (and in /proc/slabinfo), leaked with its slabs, as in Linux.
func (k *Kernel) KmemCacheDestroy(c *KmemCache) error {
	k.walkCaches()
	if c == nil {
		return nil
	}
	if c.dead {
		return k.pageFault(0x6b6b6b6b6b6b6b6b, false, "kmem_cache_destroy+0x1c/0x160")
	}
	// A cache whose shutdown failed keeps a zero (then negative) count:
	// destroying it again does nothing, as in Linux.
	if c.refcount--; c.refcount != 0 {
		return nil
	}
	if !k.kmemCacheShutdown(c) {
		caller := "0x0"
		if st := k.stack(); len(st) > 0 {
			caller = FormatFrame(st[0])
		}
		k.slabWARN("cache-still-has-objects", "mm/slab_common.c", 493, "kmem_cache_destroy+0x141/0x150",
			fmt.Sprintf("kmem_cache_destroy %s: Slab cache still has objects when called from %s", c.Name, caller))
		return nil
	}
	for i, s := range k.slab.caches {
		if s == c {
			k.slab.caches = append(k.slab.caches[:i:i], k.slab.caches[i+1:]...)
			break
		}
	}
	k.releaseCache(c)
	return nil
}

// kmemCacheShutdown mirrors __kmem_cache_shutdown(): flush the CPU slab,
// free the empty partial slabs and list the objects left in the others
// (free_partial, list_slab_objects); it reports whether the cache is empty.
func (k *Kernel) kmemCacheShutdown(s *KmemCache) bool {
	k.flushCPUSlab(s)
	for sl := s.partial.head; sl != nil; {
		next := k.slab.byPFN.next(sl)
		if sl.inuse == 0 {
			s.partial.remove(&k.slab.byPFN, sl)
			k.discardSlab(s, sl)
		} else {
			k.listSlabObjects(s, sl)
		}
		sl = next
	}
	return s.partial.n == 0 && s.nrSlabs == 0
}

// workPerCache is the bulk work (Work) of visiting one cache of
// slab_caches: creating a cache looks its name up and puts it at the head
// of the list, destroying one takes it out, each a walk of the list, as
// Linux's sysfs lookup and find_mergeable walk it. So a script that
// creates caches by the hundred thousand pays for the walks (a step per
// cache visited, at kscript's 256 bytes of work per step) rather than
// making one step take quadratic time.
const workPerCache = 256

func (k *Kernel) walkCaches() { k.mem.work += uint64(len(k.slab.caches)) * workPerCache }

// zeroFill finishes s.plainFill, which calculateSizes sets from the
// cache's flags: it also needs init_on_alloc, a boot parameter, parsed
// before any cache is made.
func (k *Kernel) zeroFill(s *KmemCache) { s.plainFill = s.plainFill && k.boot.initOnAlloc }
