package kernelsim

import (
	"math/bits"
	"slices"
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
// it is a stack of object indices in the cache's freePool (see Slab), so a
// buggy script that writes into a freed object cannot corrupt the
// allocator. The free pointer's offset is still computed as Linux does,
// for the reports.
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

	cpuSlab *Slab // kmem_cache_cpu.slab
	// id is the cache's index in slabState.cacheByID (Slab.cache), given
	// when its first slab is made; 0 before.
	id uint32
	// The pools of the cache's slabs, by slot (see Slab): their freelists
	// (objects entries a slot), in-use bits (usedWords a slot) and
	// per-object records (objects a records' slot, see ensureMeta). Linux
	// keeps the freelist and SLUB debug's tracks in the objects' memory
	// and derives which objects are in use from the freelist; here they
	// are plain data, as Slab is.
	freePool []uint16
	usedPool []uint64
	metaPool []objMeta
	// tracks holds the SlabTracks of the objects of a slot whose slab
	// has some (slabTracked), by slot and object; nil elsewhere. They are
	// the only pointers of a slab's state, and only scripts run with call
	// stacks make them.
	tracks    [][]*SlabTrack
	freeSlots []uint32 // the slots of discarded slabs, for reuse
	nslots    uint32
	// freeMeta holds the records' slots (metaOff/8/objects) of discarded
	// slabs, for reuse; nmeta counts the records' slots.
	freeMeta []uint32
	nmeta    uint32
	partial  slabList // kmem_cache_node.partial, nr_partial
	full     slabList // kmem_cache_node.full (kept by SLUB only when debugging)
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

// Slab mirrors Linux's struct slab (mm/slab.h), which Linux overlays on the
// struct page of a slab's head page: slabState.byPFN keeps one Slab per
// page frame, as mem_map keeps one struct page, and the head page's entry
// holds the slab's state; every page of the slab says where its head's
// entry is (slabChunk.heads, as compound_head() does for a tail page).
//
// A Slab holds no Go pointer, so that the table of them is plain data: a
// boot image (runtime/grade/kclone) maps it copy-on-write from its file
// instead of copying it into the heap, and the collector never scans it.
// What Linux reaches through pointers is an index here: the cache
// (slab->slab_cache) by its id in slabState.cacheByID, the neighbours on
// a list (slab->slab_list) by their head frames, the freelist, the in-use
// bits and the per-object records by their place in the cache's pools
// (KmemCache.freePool, usedPool, metaPool). The pools are indexed by slab
// slot, and a discarded slab's slot is reused by its cache's next slab, so
// a cache that makes and frees slabs in a loop does not grow.
type Slab struct {
	start Addr   // slab_address() plus the cache's red_left_pad: the first object
	pfn   uint32 // the head page (slab_page)
	cache uint32 // slab->slab_cache: its index in slabState.cacheByID
	// freeOff and usedOff are the byte offsets of the slab's slot in its
	// cache's freePool (2 bytes an object, after the pool's guard) and
	// usedPool (usedWords words); metaOff is the byte offset of its records in metaPool (8
	// bytes an object), which it has only from the first time one of its
	// objects is allocated or freed after boot, or it becomes the CPU
	// slab (slabMeta). Byte offsets, so that the fast paths add them to
	// the pools' addresses unscaled.
	freeOff, usedOff, metaOff uint32
	slot                      uint32 // the slot: tracks' index
	// prev and next are slab_list: the head frames of the neighbours on
	// the slab's list, plus one (0 at an end).
	prev, next uint32
	objects    uint32 // objects (15 bits in Linux)
	inuse      uint32 // inuse
	// nfree is the length of the freelist, kept as a stack of object
	// indices at the slab's slot of freePool: the last element is the
	// head, the object the next allocation returns.
	nfree uint32
	flags uint32 // slabOnPartial/slabOnFull, slabMeta, slabTracked
	// top repeats the freelist's head, its last element, while nfree > 0
	// (popTop, pushFree): kmalloc's address then waits for one load of
	// the slab's state, not for nfree and the pool's element after it.
	// In a kmalloc-then-kfree loop, where a kmalloc's loads wait for the
	// kfree before it (see slabState.poolsByID), that load is on every
	// iteration's critical path.
	top uint16
	// pending counts objects whose contents are still only a pending fill
	// (poison or zero) not yet written to memory.
	pending uint16
	order   uint8 // the order it was allocated with (s->oo, or s->min as fallback)
}

// Slab flags.
const (
	// slabOnPartial and slabOnFull say which list of its cache the slab is
	// on (neither: the CPU slab, or a slab being set up or discarded).
	slabOnPartial uint32 = 1 << iota
	slabOnFull
	// slabMeta: the slab has its per-object records (metaPool, at
	// metaOff). Without them, every record reads as zero.
	slabMeta
	// slabTracked: the slab has its slice of tracks (an object of it had
	// a SlabTrack).
	slabTracked
	// slabCPU: the slab is its cache's CPU slab (setCPUSlab), which
	// kfree's fast path tests without reaching the cache.
	slabCPU

	slabOnList = slabOnPartial | slabOnFull
)

// Objects returns the slab's number of objects.
func (sl *Slab) Objects() int { return int(sl.objects) }

// InUse returns the slab's number of allocated objects.
func (sl *Slab) InUse() int { return int(sl.inuse) }

// addr returns slab_address(): the address of the head page.
func (sl *Slab) addr() Addr { return PageAddress(PFN(sl.pfn)) }

// first is the index of the slab's first entry in its cache's freePool
// and metaPool.
func (sl *Slab) first() uint32 { return sl.freeOff / 2 }

// hasMeta reports whether the slab's per-object records are in use.
func (sl *Slab) hasMeta() bool { return sl.flags&slabMeta != 0 }

// freeList returns the slab's freelist, a stack whose last element is its
// head; it aliases the cache's pool (valid until the pool grows).
func (s *KmemCache) freeList(sl *Slab) []uint16 {
	b := sl.first()
	return s.freePool[b : b+sl.nfree : b+sl.objects]
}

// pushFree puts object idx, just freed, at the head of the slab's
// freelist (which has room: idx was not on it).
func (s *KmemCache) pushFree(sl *Slab, idx int) {
	*s.freeAt(sl, uint(sl.nfree)) = uint16(idx)
	sl.nfree++
	sl.top = uint16(idx)
}

// popTop takes the head off the slab's freelist, which is not empty, and
// returns it. The new head is read without a branch: a slab left with an
// empty freelist gets as top the entry before its slot, the previous
// slot's last or the pool's guard (see slabSlot), which nothing reads (a
// branch there was mispredicted whenever a loop's allocations went from
// caches whose CPU slab keeps one free object to caches whose CPU slab
// keeps more).
func (s *KmemCache) popTop(sl *Slab) uint {
	idx := uint(sl.top)
	n := sl.nfree - 1
	sl.nfree = n
	sl.top = *(*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.freePool)), uintptr(sl.freeOff)+uintptr(n)*2-2)) // freePool[first+n-1]
	return idx
}

// usedBits returns the slab's in-use bits, one per object.
func (s *KmemCache) usedBits(sl *Slab) []uint64 {
	w := sl.usedOff / 8
	return s.usedPool[w : w+(sl.objects+63)/64]
}

// isUsed reports whether object idx of sl is allocated.
func (s *KmemCache) isUsed(sl *Slab, idx int) bool {
	return s.usedPool[sl.usedOff/8+uint32(idx)>>6]&(1<<(uint(idx)&63)) != 0
}

// metas returns the slab's per-object records, nil unless sl.hasMeta().
func (s *KmemCache) metas(sl *Slab) []objMeta {
	if !sl.hasMeta() {
		return nil
	}
	return s.metaPool[sl.metaOff/8 : sl.metaOff/8+sl.objects]
}

// usedWord is &usedBits(sl)[idx>>6], metaAt &metas(sl)[idx] and freeAt
// &freePool[sl.first()+n] without Go's bounds checks (or slabMeta's test), for kmalloc's
// and kfree's fast paths, where the checks were a tenth of the work. They
// are safe for idx and n below sl.objects, which is every index on the
// slab's freelist, every index objIndex accepts, and every place of its
// freelist: the pools have an entry for each object of each slot.
func (s *KmemCache) usedWord(sl *Slab, idx uint) *uint64 {
	return (*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.usedPool)), uintptr(sl.usedOff)+uintptr(idx>>6)*8))
}

func (s *KmemCache) metaAt(sl *Slab, idx uint) *objMeta {
	return (*objMeta)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.metaPool)), uintptr(sl.metaOff)+uintptr(idx)*8))
}

func (s *KmemCache) freeAt(sl *Slab, n uint) *uint16 {
	return (*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.freePool)), uintptr(sl.freeOff)+uintptr(n)*2))
}

// objAddr returns the address of object idx of sl.
func (s *KmemCache) objAddr(sl *Slab, idx int) Addr {
	return sl.start + Addr(idx)*Addr(s.size)
}

// slabSlot gives a new slab of s a slot in the cache's pools: a
// discarded slab's, or a new one at the end. The slot's in-use bits are
// clear (a slab is discarded empty) and its records zero (discardSlab
// clears them).
//
// freePool starts with a guard, an entry of no slot, so that every slot
// has an entry before it, which popTop may read.
func (s *KmemCache) slabSlot() uint32 {
	if n := len(s.freeSlots); n > 0 {
		slot := s.freeSlots[n-1]
		s.freeSlots = s.freeSlots[:n-1]
		return slot
	}
	slot := s.nslots
	if uint64(slot+1)*uint64(s.objects)*8 > 1<<32-1 {
		// The slabs' byte offsets into the pools are 32 bits: 2^29
		// objects of one cache, 4 GiB of records, a Go heap no
		// simulated machine reaches first.
		panic("kernelsim: the slab pools of " + s.Name + " outgrow 4 GiB")
	}
	s.nslots++
	per, words := s.objects, s.usedWords()
	if len(s.freePool) == 0 {
		s.freePool = append(s.freePool, 0) // the guard
	}
	s.freePool = append(s.freePool, make([]uint16, per)...)
	s.usedPool = append(s.usedPool, make([]uint64, words)...)
	return slot
}

// reserveSlots makes room in the pools for n more slabs, so that a boot
// cache's pools are as long as its slabs need and no longer.
func (s *KmemCache) reserveSlots(n int) {
	s.freePool = slices.Grow(s.freePool, 1+n*s.objects) // (1: the guard)
	s.usedPool = slices.Grow(s.usedPool, n*s.usedWords())
}

// ensureMeta gives slab sl of s its per-object records, zero: a
// discarded slab's (cleared when it was discarded), or new ones.
func (s *KmemCache) ensureMeta(sl *Slab) {
	if sl.flags&slabMeta != 0 {
		return
	}
	var slot uint32
	if n := len(s.freeMeta); n > 0 {
		slot = s.freeMeta[n-1]
		s.freeMeta = s.freeMeta[:n-1]
	} else {
		slot = s.nmeta
		s.nmeta++
		s.metaPool = append(s.metaPool, make([]objMeta, s.objects)...)
	}
	sl.metaOff = slot * uint32(s.objects) * 8
	sl.flags |= slabMeta
}

// setCPUSlab makes sl (nil: none) the CPU slab of s, and flags it
// slabCPU instead of the slab it replaces. The CPU slab always has its
// records, so that kmalloc's and kfree's fast paths need not test.
func (s *KmemCache) setCPUSlab(sl *Slab) {
	if c := s.cpuSlab; c != nil {
		c.flags &^= slabCPU
	}
	if sl != nil {
		s.ensureMeta(sl)
		sl.flags |= slabCPU
	}
	s.cpuSlab = sl
}

// usedWords is the number of in-use words of a slot.
func (s *KmemCache) usedWords() int { return (s.objects + 63) / 64 }

// slabList is a doubly linked list of slabs with its length: the node's
// partial list (with nr_partial) or its full list. Its slabs are linked by
// head frame (Slab.prev, Slab.next); which list a slab is on is in its
// flags (kind).
type slabList struct {
	head, tail *Slab
	n          int
	kind       uint32 // slabOnPartial or slabOnFull
}

// slabTable is byPFN: one Slab per page frame, in chunks of 1024 frames
// (4 MiB of memory, a top-order block, so that a slab never straddles
// two chunks), each allocated on first use. The chunks hold no pointers
// and never move, so a *Slab stays valid while new slabs are made.
//
// A chunk not yet needed is the table's empty chunk, shared and never
// written, rather than nil: virt_to_slab() then tests no pointer.
type slabTable struct {
	chunks []*slabChunk
	empty  *slabChunk
}

// slabChunk is the slab table of 1024 frames: heads[i] is, for a frame
// of a slab, the byte offset in the chunk of its head's entry in slabs
// (compound_head(), then the struct slab over it) in its low 32 bits, so
// that virt_to_slab() is one load and one add; 0 (which is inside heads)
// for a frame that is no slab's. slabs[i] is the state of the slab
// headed by frame i.
//
// The high 32 bits of heads[i] repeat the slab's Slab.cache (the page's
// slab_cache), as the byte offset of its entry in poolsByID (the id
// times 32: cacheOf), so that kfree finds the cache's entry from the same
// load as the slab, with a shift and an add: through Slab.cache, the cache's fields (the object size's
// reciprocal, the CPU slab, the pools) waited for one more dependent load,
// and in a kmalloc-then-kfree loop that chain is carried from one
// iteration to the next (the freed index kfree pushes is the one the next
// kmalloc pops), which made the pair half as slow again as with pointers.
// A slab's cache never changes while its pages head it (initSlab sets
// both, discardSlab clears both).
type slabChunk struct {
	heads [pfnChunk]uint64
	slabs [pfnChunk]Slab
}

// get mirrors virt_to_slab() from a frame: the slab whose pages include
// pfn, nil when pfn is no slab's.
func (t *slabTable) get(pfn PFN) *Slab {
	chunks := t.chunks
	if c := uint64(pfn >> pfnChunkShift); c < uint64(len(chunks)) {
		ch := chunks[c]
		if h := ch.heads[pfn&(pfnChunk-1)]; h != 0 {
			// h's low half is the offset of an element of slabs: setHead wrote it.
			return (*Slab)(unsafe.Add(unsafe.Pointer(ch), uint32(h)))
		}
	}
	return nil
}

// setHead makes frame i of ch a page of the slab headed by frame head of
// ch, a slab of the cache with id cache, or of no slab (head < 0).
func (ch *slabChunk) setHead(i PFN, head int, cache uint32) {
	if head < 0 {
		ch.heads[i] = 0
		return
	}
	ch.heads[i] = uint64(cache)*uint64(unsafe.Sizeof(slabPools{}))<<32 | uint64(unsafe.Offsetof(ch.slabs)+uintptr(head)*unsafe.Sizeof(Slab{}))
}

// at returns the entry of the head frame of a slab.
func (t *slabTable) at(pfn uint32) *Slab {
	return &t.chunks[pfn>>pfnChunkShift].slabs[pfn&(pfnChunk-1)]
}

// link returns the slab a prev or next link names, nil for 0.
func (t *slabTable) link(l uint32) *Slab {
	if l == 0 {
		return nil
	}
	return t.at(l - 1)
}

// next returns the slab after sl on its list, nil at the end.
func (t *slabTable) next(sl *Slab) *Slab { return t.link(sl.next) }

// chunk returns the chunk holding pfn, allocated if need be.
func (t *slabTable) chunk(pfn PFN) *slabChunk {
	c := int(pfn >> pfnChunkShift)
	if t.empty == nil {
		t.empty = new(slabChunk)
	}
	for c >= len(t.chunks) {
		t.chunks = append(t.chunks, t.empty)
	}
	if t.chunks[c] == t.empty {
		t.chunks[c] = new(slabChunk)
	}
	return t.chunks[c]
}

func (l *slabList) pushHead(sl *Slab) {
	sl.flags = sl.flags&^slabOnList | l.kind
	sl.prev, sl.next = 0, 0
	if l.head != nil {
		sl.next = l.head.pfn + 1
		l.head.prev = sl.pfn + 1
	} else {
		l.tail = sl
	}
	l.head = sl
	l.n++
}

func (l *slabList) pushTail(sl *Slab) {
	sl.flags = sl.flags&^slabOnList | l.kind
	sl.prev, sl.next = 0, 0
	if l.tail != nil {
		sl.prev = l.tail.pfn + 1
		l.tail.next = sl.pfn + 1
	} else {
		l.head = sl
	}
	l.tail = sl
	l.n++
}

func (l *slabList) remove(t *slabTable, sl *Slab) {
	prev, next := t.link(sl.prev), t.link(sl.next)
	if prev != nil {
		prev.next = sl.next
	} else {
		l.head = next
	}
	if next != nil {
		next.prev = sl.prev
	} else {
		l.tail = prev
	}
	sl.flags &^= slabOnList
	sl.prev, sl.next = 0, 0
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

// divideAtLeast2 is divide for a divisor of 2 or more, whose sh1 is 1:
// every object size (a multiple of 8), for kfree's fast path.
func (r reciprocalValue) divideAtLeast2(a uint32) uint32 {
	t := uint32((uint64(a) * uint64(r.m)) >> 32)
	return (t + (a-t)>>1) >> (r.sh2 & 31)
}
