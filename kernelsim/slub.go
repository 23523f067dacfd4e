package kernelsim

import (
	"math/bits"
	"unsafe"
)

// This file mirrors mm/slub.c: how SLUB lays a cache's objects out in a slab
// (calculate_sizes, calculate_order), and how objects move between the
// per-CPU slab, the node's partial list and the page allocator.
//
// A slab is one or more contiguous pages (a compound page of order
// oo_order(s->oo)) cut into objects of s->size bytes. SLUB keeps:
//
//	kmem_cache_cpu (cpu 0)      the slab allocations are served from now
//	kmem_cache_node.partial     slabs with some objects free
//	full slabs                  on no list at all (tracked here for checks)
//
// kmalloc pops an object off the CPU slab's freelist; when that runs dry the
// slab is "deactivated" (it is full) and the first partial slab takes its
// place; only when no partial slab is left does SLUB ask the page allocator
// for a new slab. kfree pushes the object back on its slab's freelist; a
// full slab that gets a free object goes back on the partial list, and an
// empty one is returned to the page allocator once the node already keeps
// min_partial partial slabs.
//
// Unlike Linux, the freelist is not threaded through the objects' memory
// (each free object holding the next free object's address at s->offset):
// it is a Go slice of object indices in the slab's metadata, so a buggy
// script that writes into a freed object cannot corrupt the allocator. The
// free pointer's offset is still computed as Linux does, for the reports.
//
// Unlike Linux, there are no per-CPU partial lists (CONFIG_SLUB_CPU_PARTIAL):
// a slab leaving the CPU slab or regaining a free object goes straight to the
// node's partial list.

// The Linux constants SLUB's geometry depends on.
const (
	// slubMaxOrder mirrors slub_max_order, PAGE_ALLOC_COSTLY_ORDER by default.
	slubMaxOrder = 3
	// nrCPUIDs mirrors nr_cpu_ids (and num_present_cpus()) of the simulated
	// 2-CPU machine; calculate_order derives slub_min_objects from it.
	nrCPUIDs = 2
	// maxObjsPerPage mirrors MAX_OBJS_PER_PAGE (slab->objects is 15 bits).
	maxObjsPerPage = 32767
	// minPartial and maxPartial mirror MIN_PARTIAL and MAX_PARTIAL: the
	// bounds of kmem_cache.min_partial.
	minPartial = 5
	maxPartial = 10
	// cacheLineSize mirrors cache_line_size() on x86-64.
	cacheLineSize = 64
	// archSlabMinalign mirrors ARCH_SLAB_MINALIGN, __alignof__(unsigned
	// long long); ARCH_KMALLOC_MINALIGN is the same on x86-64.
	archSlabMinalign = 8
	// pointerSize is sizeof(void *).
	pointerSize = 8
)

// KmemCache mirrors Linux's struct kmem_cache (include/linux/slub_def.h)
// with its single kmem_cache_node (node 0) and the kmem_cache_cpu of CPU 0.
type KmemCache struct {
	Name string

	objectSize uint32     // object_size: what the caller asked for
	size       uint32     // size: object plus metadata, aligned; the stride
	align      uint32     // align
	inuse      uint32     // inuse: offset to the metadata after the object
	offset     uint32     // offset: where the free pointer would live
	redLeftPad uint32     // red_left_pad: left red zone (SLAB_RED_ZONE)
	kasanInfo  kasanCache // kasan_info: where KASAN's metadata lives (SLAB_KASAN)
	// reciprocalSize mirrors reciprocal_size: size as a multiplier and
	// shifts, so that obj_to_index divides without a division.
	reciprocalSize reciprocalValue
	flags          SlabFlags
	order          int // oo_order(s->oo)
	objects        int // oo_objects(s->oo)
	minOrder       int // oo_order(s->min): the fallback order
	minObjects     int // oo_objects(s->min)
	minPartial     int // min_partial
	allocFlags     GFP // allocflags: added to every slab page allocation
	refcount       int
	hasCtor        bool // the cache has a constructor (geometry, poisoning)
	// plainFill: no constructor, no SLAB_POISON, no SLAB_TYPESAFE_BY_RCU,
	// and the kernel booted with init_on_alloc (zeroFill), so that an
	// object comes back zeroed (allocFill's common case, which kmalloc's
	// fast path tests in one load).
	plainFill bool
	ctor      func(Addr) error // the constructor to run, nil for boot caches
	kmalloc   bool             // one of the kmalloc caches
	// randomSeq mirrors random_seq (CONFIG_SLAB_FREELIST_RANDOM, on in
	// Debian): a shuffled permutation of object indices that new slabs'
	// freelists follow from a random starting point.
	randomSeq []uint16
	// randomSeqAddr is the kmalloc'ed array random_seq lives in; 0 when the
	// cache was created at boot.
	randomSeqAddr Addr
	// The kmem_cache and kmem_cache_node objects and the kstrdup'ed name a
	// cache created after boot occupies; freed by kmem_cache_destroy.
	selfAddr, nodeAddr, nameAddr Addr
	dead                         bool // released by kmem_cache_destroy

	cpuSlab *Slab    // kmem_cache_cpu.slab
	partial slabList // kmem_cache_node.partial, nr_partial
	full    slabList // kmem_cache_node.full (kept by SLUB only when debugging)
	// nrSlabs and totalObjects mirror the node counters nr_slabs and
	// total_objects that /proc/slabinfo reads.
	nrSlabs      int
	totalObjects int
}

// ObjectSize returns object_size, the size the cache was created with.
func (s *KmemCache) ObjectSize() uint64 { return uint64(s.objectSize) }

// Size returns size: the distance between objects, the <objsize> column of
// /proc/slabinfo.
func (s *KmemCache) Size() uint64 { return uint64(s.size) }

// Align returns the cache's object alignment.
func (s *KmemCache) Align() uint64 { return uint64(s.align) }

// Order returns the order of the cache's slabs (<pagesperslab> is 1<<Order).
func (s *KmemCache) Order() int { return s.order }

// ObjectsPerSlab returns <objperslab>: the objects in a slab of s.Order().
func (s *KmemCache) ObjectsPerSlab() int { return s.objects }

// FreePointerOffset returns s->offset, where SLUB keeps a free object's
// next-free pointer: the middle of the object, or just after it when the
// object must stay intact while free (constructor, poisoning, RCU).
func (s *KmemCache) FreePointerOffset() uint64 { return uint64(s.offset) }

// MinPartial returns min_partial.
func (s *KmemCache) MinPartial() int { return s.minPartial }

// Flags returns the cache's slab flags.
func (s *KmemCache) Flags() SlabFlags { return s.flags &^ slabObjectPoison }

// Slab mirrors Linux's struct slab (mm/slab.h): the struct page of a slab's
// head page reinterpreted, holding the slab's cache, object count, in-use
// count and freelist.
type Slab struct {
	cache   *KmemCache
	pfn     PFN  // the head page
	base    Addr // slab_address()
	start   Addr // base plus the cache's red_left_pad: the first object
	order   int  // the order it was allocated with (s->oo, or s->min as fallback)
	objects int  // objects
	inuse   int  // inuse
	// free is the freelist as a stack of object indices: the last element
	// is the head, the object the next allocation returns.
	free []uint16
	// used has one bit per object, set while the object is allocated.
	used []uint64
	// meta holds per-object allocation records (slab_poison.go); nil until
	// an object of the slab is first allocated after boot.
	meta []objMeta
	// pending counts objects whose contents are still only a pending fill
	// (poison or zero) not yet written to memory.
	pending int

	list       *slabList // the list the slab is on, nil for the CPU slab
	prev, next *Slab
}

// Objects returns the slab's number of objects.
func (sl *Slab) Objects() int { return sl.objects }

// InUse returns the slab's number of allocated objects.
func (sl *Slab) InUse() int { return sl.inuse }

// isUsed reports whether object idx is allocated.
func (sl *Slab) isUsed(idx int) bool { return sl.used[uint(idx)>>6]&(1<<(uint(idx)&63)) != 0 }

// usedWord is &sl.used[idx>>6] and metaAt &sl.meta[idx] (sl.meta not
// nil) without Go's bounds checks, for kmalloc's and kfree's fast paths,
// where the checks were a tenth of the work. They are safe for an idx
// below sl.objects, which is every index on the slab's freelist and every
// index objIndex accepts: used has a bit, and meta an entry, for each of
// the slab's objects.
func (sl *Slab) usedWord(idx uint) *uint64 {
	return (*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(sl.used)), uintptr(idx>>6)*8))
}

func (sl *Slab) metaAt(idx uint) *objMeta {
	return (*objMeta)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(sl.meta)), uintptr(idx)*unsafe.Sizeof(objMeta{})))
}

// objAddr returns the address of object idx.
func (sl *Slab) objAddr(idx int) Addr {
	return sl.start + Addr(idx)*Addr(sl.cache.size)
}

// slabList is a doubly linked list of slabs with its length: the node's
// partial list (with nr_partial) or its full list.
type slabList struct {
	head, tail *Slab
	n          int
}

func (l *slabList) pushHead(sl *Slab) {
	sl.list, sl.prev, sl.next = l, nil, l.head
	if l.head != nil {
		l.head.prev = sl
	} else {
		l.tail = sl
	}
	l.head = sl
	l.n++
}

func (l *slabList) pushTail(sl *Slab) {
	sl.list, sl.prev, sl.next = l, l.tail, nil
	if l.tail != nil {
		l.tail.next = sl
	} else {
		l.head = sl
	}
	l.tail = sl
	l.n++
}

func (l *slabList) remove(sl *Slab) {
	if sl.prev != nil {
		sl.prev.next = sl.next
	} else {
		l.head = sl.next
	}
	if sl.next != nil {
		sl.next.prev = sl.prev
	} else {
		l.tail = sl.prev
	}
	sl.list, sl.prev, sl.next = nil, nil, nil
	l.n--
}

// orderObjects mirrors order_objects(): objects of size that fit in a slab
// of the given order.
func orderObjects(order int, size uint32) int { return (PageSize << order) / int(size) }

// getOrder mirrors get_order(): the smallest order whose block holds size
// bytes (0 for size 0, which Linux leaves undefined).
func getOrder(size uint64) int {
	if size <= PageSize {
		return 0
	}
	return bits.Len64((size - 1) >> PageShift)
}

// fls mirrors fls(): the 1-based index of the most significant set bit.
func fls(x uint32) int { return bits.Len32(x) }

// calcSlabOrder mirrors calc_slab_order(): the smallest order from the one
// that holds minObjects objects up to maxOrder whose leftover (the tail too
// small for one more object) is at most 1/fractLeftover of the slab.
func calcSlabOrder(size uint32, minObjects, maxOrder, fractLeftover int) int {
	const minOrder = 0 // slub_min_order
	if orderObjects(minOrder, size) > maxObjsPerPage {
		return getOrder(uint64(size)*maxObjsPerPage) - 1
	}
	order := max(minOrder, getOrder(uint64(minObjects)*uint64(size)))
	for ; order <= maxOrder; order++ {
		slabSize := PageSize << order
		if rem := slabSize % int(size); rem <= slabSize/fractLeftover {
			break
		}
	}
	return order
}

// calculateOrder mirrors calculate_order() of Linux 6.1: aim for at least
// slub_min_objects = 4*(fls(nr_cpus)+1) objects per slab (12 on this 2-CPU
// machine, but never more than fit in an order slub_max_order slab), with at
// most 1/16, then 1/8, then 1/4 of the slab wasted; then lower the object
// count; then accept a single object; -1 (-ENOSYS) if even that needs an
// order of MAX_ORDER or more.
func calculateOrder(size uint32) int {
	minObjects := 4 * (fls(nrCPUIDs) + 1)
	minObjects = min(minObjects, orderObjects(slubMaxOrder, size))
	for ; minObjects > 1; minObjects-- {
		for fraction := 16; fraction >= 4; fraction /= 2 {
			if order := calcSlabOrder(size, minObjects, slubMaxOrder, fraction); order <= slubMaxOrder {
				return order
			}
		}
	}
	if order := calcSlabOrder(size, 1, slubMaxOrder, 1); order <= slubMaxOrder {
		return order
	}
	if order := calcSlabOrder(size, 1, MaxOrder, 1); order < MaxOrder {
		return order
	}
	return -1
}

// alignUp rounds x up to a multiple of a (a power of two).
func alignUp(x, a uint32) uint32 { return (x + a - 1) &^ (a - 1) }

// calculateSizes mirrors calculate_sizes(): it lays out one object and its
// metadata and picks the slab order. It reports false when no order up to
// MAX_ORDER-1 holds an object.
//
//	object_size          the caller's object
//	right red zone       SLAB_RED_ZONE: at least one word after the object
//	free pointer         inside the object (its middle) unless the object
//	                     must stay intact while free: then after it
//	tracks               SLAB_STORE_USER: the alloc and free tracks
//	KASAN metadata       SLAB_KASAN: kasan_cache_create's alloc and free
//	and redzone          metadata, grown to the optimal redzone (kasan.go)
//	left red zone        SLAB_RED_ZONE: red_left_pad before the object
//	padding              up to a multiple of align
func (s *KmemCache) calculateSizes() bool {
	size := alignUp(s.objectSize, pointerSize)
	if s.flags&SlabPoison != 0 && s.flags&SlabTypesafeByRCU == 0 && !s.hasCtor {
		s.flags |= slabObjectPoison
	} else {
		s.flags &^= slabObjectPoison
	}
	s.plainFill = !s.hasCtor && s.flags&(SlabTypesafeByRCU|SlabPoison) == 0
	if s.flags&SlabRedZone != 0 && size == s.objectSize {
		size += pointerSize
	}
	s.inuse = size
	if s.flags&(SlabTypesafeByRCU|SlabPoison) != 0 || s.hasCtor ||
		(s.flags&SlabRedZone != 0 && s.objectSize < pointerSize) {
		s.offset = size
		size += pointerSize
	} else {
		s.offset = (s.objectSize / 2) &^ (pointerSize - 1)
	}
	if s.flags&SlabStoreUser != 0 {
		size += 2 * trackSize
	}
	if s.flags&SlabKASAN != 0 {
		size = s.kasanCacheCreate(size)
	}
	if s.flags&SlabRedZone != 0 {
		size += pointerSize
		s.redLeftPad = alignUp(pointerSize, s.align)
		size += s.redLeftPad
	}
	s.size = alignUp(size, s.align)
	s.reciprocalSize = newReciprocal(s.size)
	order := calculateOrder(s.size)
	if order < 0 {
		return false
	}
	s.setAllocFlags(order)
	s.order, s.objects = order, orderObjects(order, s.size)
	s.minOrder = getOrder(uint64(s.size))
	s.minObjects = orderObjects(s.minOrder, s.size)
	return s.objects > 0
}

// setAllocFlags sets s->allocflags as calculate_sizes() does: a compound
// page for a multi-page slab, the zone of a DMA cache, and the
// reclaimable migratetype for SLAB_RECLAIM_ACCOUNT.
func (s *KmemCache) setAllocFlags(order int) {
	s.allocFlags = 0
	if order > 0 {
		s.allocFlags |= GFPComp
	}
	if s.flags&SlabCacheDMA != 0 {
		s.allocFlags |= GFP_DMA
	}
	if s.flags&SlabCacheDMA32 != 0 {
		s.allocFlags |= GFP_DMA32
	}
	if s.flags&SlabReclaimAccount != 0 {
		s.allocFlags |= GFPReclaimable
	}
}

// trackSize is sizeof(struct track) with CONFIG_STACKDEPOT (selected by
// SLUB_DEBUG in Debian's build): addr, handle, cpu, pid, padding, when.
const trackSize = 32

// setMinPartial mirrors set_min_partial(s, ilog2(s->size) / 2): bigger
// objects keep more partial slabs around, between 5 and 10.
func (s *KmemCache) setMinPartial() {
	m := (bits.Len32(s.size) - 1) / 2
	s.minPartial = min(max(m, minPartial), maxPartial)
}

// initRandomSeq mirrors init_cache_random_seq(): a Fisher-Yates shuffle of
// the object indices of a full-order slab, from the kernel's seeded source.
func (k *Kernel) initRandomSeq(s *KmemCache) {
	n := s.objects
	if n < 2 {
		return
	}
	seq := make([]uint16, n)
	for i := range seq {
		seq[i] = uint16(i)
	}
	for i := n - 1; i > 0; i-- {
		j := k.rng.IntN(i + 1)
		seq[i], seq[j] = seq[j], seq[i]
	}
	s.randomSeq = seq
}

// reciprocalValue mirrors struct reciprocal_value (include/linux/
// reciprocal_div.h): a/d computed as a multiply and two shifts.
type reciprocalValue struct {
	m        uint32
	sh1, sh2 uint8
}

// newReciprocal mirrors reciprocal_value(d) (lib/reciprocal_div.c).
func newReciprocal(d uint32) reciprocalValue {
	l := bits.Len32(d - 1)
	m := (uint64(1)<<32)*(uint64(1)<<l-uint64(d))/uint64(d) + 1
	return reciprocalValue{m: uint32(m), sh1: uint8(min(l, 1)), sh2: uint8(max(l-1, 0))}
}

// divide mirrors reciprocal_divide(a, R): a / d, exact for every 32-bit a.
// (sh1 is at most 1 and sh2 at most 31: the masks only spare the
// compiler's guards for shifts of 32 and more.)
func (r reciprocalValue) divide(a uint32) uint32 {
	t := uint32((uint64(a) * uint64(r.m)) >> 32)
	return (t + (a-t)>>(r.sh1&31)) >> (r.sh2 & 31)
}
