package kernelsim

// This file keeps what the simulator knows about each slab object beyond
// SLUB's own bookkeeping: the size the caller asked for, who allocated and
// freed it, and what its memory should read as. It mirrors, in spirit, the
// SLUB debug metadata (struct track, SLAB_STORE_USER) and the poisoning of
// SLAB_POISON / CONFIG_DEBUG_SLAB, and it is what KASAN (redzones by
// requested size) and kmemleak (leaked objects and their allocation stacks)
// read.
//
// Poisoning. A debug kernel fills memory with patterns so that a read of
// uninitialised or freed memory is recognisable (include/linux/poison.h):
//
//	POISON_INUSE 0x5a  fresh kmalloc memory (mm/slab.c poisons an object so
//	                   when it is allocated; SLUB poisons new slab pages so)
//	POISON_FREE  0x6b  a freed object, its last byte POISON_END 0xa5
//
// Unlike Linux's SLUB, which leaves a freed object's 0x6b in place when the
// object is allocated again, kscript fills every fresh object with 0x5a as
// mm/slab.c does, so that "kmalloc does not zero, kzalloc does" is the same
// lesson whatever the object's history. Config.InitOnAlloc gives Debian's
// init_on_alloc=1 instead: fresh objects read as zero.
//
// The fill is lazy: kmalloc only records that an object's contents are
// "pending POISON_INUSE"; the bytes are written when something first touches
// the object's page (slabTouchPage, called by the memory core's address
// translation before every access), so that kmalloc+kfree of an 8 KiB
// object costs no 8 KiB memset.

// The poison bytes of include/linux/poison.h.
const (
	PoisonInuse = 0x5a // POISON_INUSE
	PoisonFree  = 0x6b // POISON_FREE
	PoisonEnd   = 0xa5 // POISON_END
)

// objFill is what an object's memory reads as while its contents are lazy.
type objFill uint8

const (
	fillNone  objFill = iota // the memory itself holds the contents
	fillInuse                // POISON_INUSE over object_size
	fillZero                 // zeroes over object_size
	fillFree                 // POISON_FREE, the last byte POISON_END
)

// objMeta is the per-object record of a slab (one per object, allocated the
// first time an object of the slab is allocated after boot).
type objMeta struct {
	// size is the requested size: kmalloc's size argument, object_size
	// for kmem_cache_alloc. 0 for objects allocated at boot.
	size  uint32
	fill  objFill
	track *SlabTrack // nil unless the embedder provides call stacks
}

// SlabTrack mirrors struct track (mm/slub.c) for the last allocation and the
// last free of an object: where (the script call stack), by whom, when.
type SlabTrack struct {
	AllocStack []Frame
	AllocPID   int
	AllocTime  uint64
	FreeStack  []Frame
	FreePID    int
	FreeTime   uint64
}

// setFill changes an object's pending fill, keeping the slab's count of
// objects with a pending fill.
func (sl *Slab) setFill(m *objMeta, f objFill) {
	switch {
	case m.fill == fillNone && f != fillNone:
		sl.pending++
	case m.fill != fillNone && f == fillNone:
		sl.pending--
	}
	m.fill = f
}

// ensureMeta allocates the slab's per-object records.
func (sl *Slab) ensureMeta() {
	if sl.meta == nil {
		sl.meta = make([]objMeta, sl.objects)
	}
}

// allocFill mirrors slab_want_init_on_alloc() and the debug poisoning: what
// a freshly allocated object of s reads as. With init_on_alloc a cache with
// a constructor is never zeroed, and a SLAB_POISON or RCU cache only on
// __GFP_ZERO.
func (k *Kernel) allocFill(s *KmemCache, gfp GFP) objFill {
	keep := s.hasCtor || s.flags&SlabTypesafeByRCU != 0
	zero := gfp&GFPZero != 0
	if k.cfg.InitOnAlloc {
		zero = !s.hasCtor && (zero || s.flags&(SlabTypesafeByRCU|SlabPoison) == 0)
	}
	switch {
	case zero:
		return fillZero
	case keep:
		// The constructor's work, or an RCU reader's view, must survive.
		return fillNone
	}
	return fillInuse
}

// slabPostAlloc mirrors slab_post_alloc_hook(): it records the allocation
// of object idx (requested size, call stack) and sets its contents.
func (k *Kernel) slabPostAlloc(s *KmemCache, sl *Slab, idx int, gfp GFP, size uint64) {
	sl.ensureMeta()
	m := &sl.meta[idx]
	m.size = uint32(size)
	sl.setFill(m, k.allocFill(s, gfp))
	if k.Stack == nil {
		m.track = nil
	} else {
		// The slot's track from its previous life is overwritten in place,
		// as SLUB's set_track() overwrites the object's track area: the
		// allocation path stays free of garbage.
		t := m.track
		if t == nil {
			t = new(SlabTrack)
		}
		*t = SlabTrack{AllocStack: k.Stack(), AllocPID: k.Current().PID, AllocTime: k.now}
		m.track = t
	}
	k.dbgSlabAlloc(s, sl, idx) // dbg_hooks.go: kmemleak_alloc_recursive
}

// slabFreeHook mirrors the poisoning part of slab_free_hook(): a freed
// object reads as POISON_FREE ... POISON_END unless the cache keeps freed
// contents (constructor, SLAB_TYPESAFE_BY_RCU).
func (k *Kernel) slabFreeHook(s *KmemCache, sl *Slab, idx int) {
	sl.ensureMeta()
	m := &sl.meta[idx]
	if !s.hasCtor && s.flags&SlabTypesafeByRCU == 0 {
		sl.setFill(m, fillFree)
	}
	if k.Stack != nil {
		if m.track == nil {
			m.track = &SlabTrack{}
		}
		m.track.FreeStack, m.track.FreePID, m.track.FreeTime = k.Stack(), k.Current().PID, k.now
	}
}

// poisonNewSlab marks every object of a slab allocated after boot as freed
// memory (SLUB's setup_slab_debug + init_object(SLUB_RED_INACTIVE)), so that
// reading an object that was never allocated shows 0x6b.
func (sl *Slab) poisonNewSlab() {
	if sl.cache.hasCtor || sl.cache.flags&SlabTypesafeByRCU != 0 {
		return
	}
	sl.ensureMeta()
	for i := range sl.meta {
		sl.meta[i].fill = fillFree
	}
	sl.pending = sl.objects
}

// slabMaterialize writes the pending fills of the objects of slab sl that
// overlap [a, a+n) into memory (slabTouchPage, slabRawRead).
func (k *Kernel) slabMaterialize(sl *Slab, a Addr, n uint64) {
	s := sl.cache
	end := a + Addr(n)
	first := 0
	if start := sl.base + Addr(s.redLeftPad); a > start {
		first = int((a - start) / Addr(s.size))
	}
	for idx := first; idx < sl.objects && sl.pending > 0; idx++ {
		obj := sl.objAddr(idx)
		if obj >= end {
			break
		}
		if m := &sl.meta[idx]; m.fill != fillNone {
			f := m.fill
			sl.setFill(m, fillNone)
			k.writeFill(obj, uint64(s.objectSize), f)
		}
	}
}

// writeFill writes fill f over n bytes at a, bypassing the access checks.
func (k *Kernel) writeFill(a Addr, n uint64, f objFill) {
	switch f {
	case fillInuse:
		k.slabRawFill(a, PoisonInuse, n)
	case fillZero:
		k.slabRawFill(a, 0, n)
	case fillFree:
		k.slabRawFill(a, PoisonFree, n-1)
		k.slabRawFill(a+Addr(n-1), PoisonEnd, 1)
	}
}

// SlabObject describes the slab object an address lies in, for KASAN,
// kmemleak, hardened usercopy and the Starlark bridge.
type SlabObject struct {
	Cache     *KmemCache
	Start     Addr   // the object's first byte
	Offset    uint64 // the address's offset into the object
	Allocated bool
	// RequestedSize is what kmalloc was asked for (object_size for
	// kmem_cache_alloc); 0 for objects allocated at boot.
	RequestedSize uint64
	Track         *SlabTrack // nil unless call stacks were recorded
}

// SlabObjectAt reports the slab object that address a lies in, if a is in a
// slab page and inside an object (not in padding or the left red zone).
func (k *Kernel) SlabObjectAt(a Addr) (SlabObject, bool) {
	sl := k.virtToSlab(a)
	if sl == nil {
		return SlabObject{}, false
	}
	s := sl.cache
	start := sl.base + Addr(s.redLeftPad)
	if a < start {
		return SlabObject{}, false
	}
	idx := int((a - start) / Addr(s.size))
	obj := sl.objAddr(idx)
	if idx >= sl.objects || a-obj >= Addr(s.objectSize) {
		return SlabObject{}, false
	}
	o := SlabObject{Cache: s, Start: obj, Offset: uint64(a - obj), Allocated: sl.isUsed(idx)}
	if sl.meta != nil {
		o.RequestedSize, o.Track = uint64(sl.meta[idx].size), sl.meta[idx].track
	}
	return o, true
}

// forEachAllocation calls fn for every live allocation made after boot, as
// kmemleak's scan would visit them: slab objects cache by cache (newest
// cache first; CPU slab, partial, then full slabs; objects in address
// order), then kmalloc_large blocks by address (Cache nil). fn returns
// false to stop.
func (k *Kernel) forEachAllocation(fn func(SlabObject) bool) {
	for _, s := range k.slab.caches {
		if !forEachCacheObject(s, fn) {
			return
		}
	}
	for c, ch := range k.slab.large.chunks {
		if ch == nil {
			continue
		}
		for i, la := range ch {
			if la != nil && !fn(SlabObject{Start: PageAddress(PFN(c*pfnChunk + i)), Allocated: true, RequestedSize: la.size, Track: la.track}) {
				return
			}
		}
	}
}

// forEachCacheObject calls fn for the post-boot objects of one cache.
func forEachCacheObject(s *KmemCache, fn func(SlabObject) bool) bool {
	visit := func(sl *Slab) bool {
		for idx := 0; sl.meta != nil && idx < sl.objects; idx++ {
			if m := sl.meta[idx]; sl.isUsed(idx) && m.size > 0 {
				if !fn(SlabObject{Cache: s, Start: sl.objAddr(idx), Allocated: true, RequestedSize: uint64(m.size), Track: m.track}) {
					return false
				}
			}
		}
		return true
	}
	if s.cpuSlab != nil && !visit(s.cpuSlab) {
		return false
	}
	for _, l := range []*slabList{&s.partial, &s.full} {
		for sl := l.head; sl != nil; sl = sl.next {
			if !visit(sl) {
				return false
			}
		}
	}
	return true
}
