package kernelsim

import "unsafe"

// This file keeps what the simulator knows about each slab object beyond
// SLUB's own bookkeeping: the size the caller asked for, who allocated and
// freed it, and what its memory should read as. It mirrors, in spirit, the
// SLUB debug metadata (struct track, SLAB_STORE_USER) and the poisoning of
// SLAB_POISON / CONFIG_DEBUG_SLAB, and it is what KASAN (redzones by
// requested size) and kmemleak (leaked objects and their allocation stacks)
// read.
//
// What fresh and freed objects read as follows Linux 6.1's SLUB:
//
//   - by default (Debian boots with init_on_alloc=1) a fresh object reads
//     as zeros (slab_want_init_on_alloc), and a freed one keeps what it
//     held (init_on_free is off);
//   - with slub_debug=P every cache has SLAB_POISON: init_object() fills
//     an object with POISON_FREE, its last byte POISON_END, when its slab
//     is set up, when it is freed and again when it is allocated
//     (alloc_debug_processing), and init_on_alloc leaves SLAB_POISON caches
//     alone, so fresh kmalloc memory reads 6b 6b ... 6b a5. Only
//     kzalloc/__GFP_ZERO zeroes it;
//   - with init_on_alloc=0 and no poisoning, memory holds whatever was
//     there before, as on Linux.
//
// POISON_INUSE (0x5a) is old SLAB's pattern for allocated objects; SLUB
// writes it only into the padding after a slab's objects.
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
	fillNone objFill = iota // the memory itself holds the contents
	fillZero                // zeroes over object_size
	fillFree                // POISON_FREE, the last byte POISON_END
)

// objMeta is the per-object record of a slab (one per object, in its
// cache's metaPool, in use from the first time an object of the slab is
// allocated after boot). It is plain data; an object's SlabTrack, when
// call stacks are recorded, is in the cache's tracks.
type objMeta struct {
	// size is the requested size: kmalloc's size argument, object_size
	// for kmem_cache_alloc. 0 for objects allocated at boot.
	size uint32
	fill objFill
	// tracked: the object has a SlabTrack, in the cache's tracks. Only
	// this flag says so: dropping a track (an allocation without a call
	// stack, kmalloc's fast path) clears it and leaves the pointer, which
	// is neither read nor reused again (see trackAt).
	tracked bool
}

// track returns the SlabTrack of object idx of sl, nil if none.
func (s *KmemCache) track(sl *Slab, idx int) *SlabTrack {
	if !sl.hasMeta() || !s.metaPool[sl.metaOff/8+uint32(idx)].tracked {
		return nil
	}
	return s.tracks[sl.slot][idx]
}

// trackAt returns where the SlabTrack of object idx of sl (with record
// m) is kept, making the slab's slice of tracks if need be, and whether
// it holds the object's track (m.tracked) or a stale pointer.
func (s *KmemCache) trackAt(sl *Slab, m *objMeta, idx int) (**SlabTrack, bool) {
	slot := sl.slot
	if sl.flags&slabTracked == 0 {
		if n := int(slot) + 1; len(s.tracks) < n {
			s.tracks = append(s.tracks, make([][]*SlabTrack, n-len(s.tracks))...)
		}
		s.tracks[slot] = make([]*SlabTrack, sl.objects)
		sl.flags |= slabTracked
	}
	// tracks[slot] exists (slabTracked) and has the slab's objects: no
	// bounds checks for idx, an object of the slab.
	ts := *(*[]*SlabTrack)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.tracks)), uintptr(slot)*unsafe.Sizeof(s.tracks[0])))
	return (**SlabTrack)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(ts)), uintptr(idx)*8)), m.tracked
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

// allocFill mirrors slab_want_init_on_alloc() and init_object(): what a
// freshly allocated object of s reads as. With init_on_alloc a cache with a
// constructor is never zeroed, and a SLAB_POISON or RCU cache only on
// __GFP_ZERO; a SLAB_POISON cache's object is poisoned first.
func (k *Kernel) allocFill(s *KmemCache, gfp GFP) objFill {
	if k.boot.initOnAlloc && !s.hasCtor && s.flags&(SlabTypesafeByRCU|SlabPoison) == 0 {
		return fillZero // the common case: a kmalloc cache, Debian's init_on_alloc=1
	}
	zero := gfp&GFPZero != 0
	if k.boot.initOnAlloc {
		zero = !s.hasCtor && (zero || s.flags&(SlabTypesafeByRCU|SlabPoison) == 0)
	}
	switch {
	case zero:
		return fillZero
	case s.objectPoison():
		return fillFree
	}
	// The constructor's work, an RCU reader's view or the memory's
	// previous contents stay.
	return fillNone
}

// objectPoison mirrors __OBJECT_POISON: SLAB_POISON on a cache without a
// constructor or SLAB_TYPESAFE_BY_RCU, whose objects are poisoned.
func (s *KmemCache) objectPoison() bool {
	return s.flags&SlabPoison != 0 && !s.hasCtor && s.flags&SlabTypesafeByRCU == 0
}

// slabPostAlloc mirrors slab_post_alloc_hook(): it records the allocation
// of object idx (requested size, call stack) and sets its contents.
func (k *Kernel) slabPostAlloc(s *KmemCache, sl *Slab, idx int, gfp GFP, size uint64) {
	s.ensureMeta(sl)
	m := s.metaAt(sl, uint(idx))
	m.size = uint32(size)
	sl.setFill(m, k.allocFill(s, gfp))
	if k.Stack == nil {
		m.tracked = false
	} else {
		// The slot's track from its previous life is overwritten in place,
		// as SLUB's set_track() overwrites the object's track area: the
		// allocation path stays free of garbage.
		p, ok := s.trackAt(sl, m, idx)
		if !ok || *p == nil {
			*p = new(SlabTrack)
		}
		**p = SlabTrack{AllocStack: k.Stack(), AllocPID: k.Current().PID, AllocTime: k.now}
		m.tracked = true
	}
	k.dbgSlabAlloc(s, sl, idx) // dbg_hooks.go: kmemleak_alloc_recursive
}

// slabFreeHook mirrors the poisoning of free_debug_processing(): a freed
// object of a poisoned cache reads as POISON_FREE ... POISON_END; any
// other keeps its contents (init_on_free is off on Debian).
func (k *Kernel) slabFreeHook(s *KmemCache, sl *Slab, idx int) {
	s.ensureMeta(sl)
	m := s.metaAt(sl, uint(idx))
	if s.objectPoison() {
		sl.setFill(m, fillFree)
	}
	if k.Stack != nil {
		p, ok := s.trackAt(sl, m, idx)
		if !ok || *p == nil {
			*p = &SlabTrack{}
			m.tracked = true
		}
		t := *p
		t.FreeStack, t.FreePID, t.FreeTime = k.Stack(), k.Current().PID, k.now
	}
}

// poisonNewSlab mirrors setup_object_debug()'s init_object() for a slab
// of a poisoned cache allocated after boot: reading an object that was
// never allocated shows 0x6b.
func (s *KmemCache) poisonNewSlab(sl *Slab) {
	if !s.objectPoison() {
		return
	}
	s.ensureMeta(sl)
	meta := s.metas(sl)
	for i := range meta {
		meta[i].fill = fillFree
	}
	sl.pending = uint16(sl.objects)
}

// slabMaterialize writes the pending fills of the objects of slab sl that
// overlap [a, a+n) into memory (slabTouchPage, slabRawRead).
func (k *Kernel) slabMaterialize(sl *Slab, a Addr, n uint64) {
	s := k.slabCache(sl)
	end := a + Addr(n)
	first := 0
	if start := sl.addr() + Addr(s.redLeftPad); a > start {
		first = int((a - start) / Addr(s.size))
	}
	meta := s.metas(sl)
	for idx := first; idx < int(sl.objects) && sl.pending > 0; idx++ {
		obj := s.objAddr(sl, idx)
		if obj >= end {
			break
		}
		if m := &meta[idx]; m.fill != fillNone {
			f := m.fill
			sl.setFill(m, fillNone)
			k.writeFill(obj, uint64(s.objectSize), f)
		}
	}
}

// writeFill writes fill f over n bytes at a, bypassing the access checks.
func (k *Kernel) writeFill(a Addr, n uint64, f objFill) {
	switch f {
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
	s := k.slabCache(sl)
	start := sl.addr() + Addr(s.redLeftPad)
	if a < start {
		return SlabObject{}, false
	}
	idx := int((a - start) / Addr(s.size))
	obj := s.objAddr(sl, idx)
	if idx >= int(sl.objects) || a-obj >= Addr(s.objectSize) {
		return SlabObject{}, false
	}
	o := SlabObject{Cache: s, Start: obj, Offset: uint64(a - obj), Allocated: s.isUsed(sl, idx)}
	if sl.hasMeta() {
		o.RequestedSize, o.Track = uint64(s.metaPool[sl.metaOff/8+uint32(idx)].size), s.track(sl, idx)
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
		if !k.forEachCacheObject(s, fn) {
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
func (k *Kernel) forEachCacheObject(s *KmemCache, fn func(SlabObject) bool) bool {
	visit := func(sl *Slab) bool {
		meta := s.metas(sl)
		for idx := range meta {
			if m := meta[idx]; s.isUsed(sl, idx) && m.size > 0 {
				if !fn(SlabObject{Cache: s, Start: s.objAddr(sl, idx), Allocated: true, RequestedSize: uint64(m.size), Track: s.track(sl, idx)}) {
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
		for sl := l.head; sl != nil; sl = k.slab.byPFN.next(sl) {
			if !visit(sl) {
				return false
			}
		}
	}
	return true
}
