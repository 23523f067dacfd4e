package kernelsim

import (
	"sort"
	"unsafe"
)

// KASAN, the Kernel Address SANitizer, mirroring mm/kasan (generic mode,
// CONFIG_KASAN_GENERIC, as a debug build of Debian's 6.1 kernel has it).
//
// Generic KASAN describes every 8 bytes of kernel memory (a granule) with
// one shadow byte: 0 when all 8 bytes may be accessed, 1..7 when only the
// first N may (the end of an object whose size is not a multiple of 8), and
// a negative code saying why none may:
//
//	0xFF KASAN_PAGE_FREE        a freed page
//	0xFE KASAN_PAGE_REDZONE     the tail of a kmalloc_large block past its size
//	0xFC KASAN_SLAB_REDZONE     slab memory no object's caller may touch
//	0xFB KASAN_SLAB_FREE        a freed slab object
//	0xFA KASAN_SLAB_FREETRACK   the first granule of a freed object with a free track
//	0xF9 KASAN_GLOBAL_REDZONE   the redzone after a global variable
//	0xF8 KASAN_VMALLOC_INVALID  vmalloc space outside what vmalloc was asked for
//
// The compiler puts a check of the shadow before every load and store;
// memset and memcpy check their whole range first. A bad access is reported
// (kasan_report, kasan_report.go) and then done anyway, except by memset and
// memcpy, which skip it.
//
// Unlike Linux, kernelsim keeps no shadow memory. It knows the state of every
// byte from the allocators' own records, so the shadow byte of a granule is
// computed when an access needs it (kasanShadow): the requested size of a
// slab object (slab_poison.go), whether it is allocated or was freed, the
// size of a kmalloc_large block, the state of a page in the buddy allocator,
// the requested size of a vmalloc area, the redzones of static buffers.
// Allocations and frees cost nothing more, and a check costs a lookup or two.
//
// As on a KASAN kernel, every slab cache of the debug build is laid out by
// kasan_cache_create() (kasanCacheCreate, below): KASAN's alloc and free
// metadata and a redzone after each object, so kmalloc-8 objects lie 40
// bytes apart and kmalloc-128 objects 256, and /proc/slabinfo shows those
// strides. kasan_poison_slab makes all of a new slab KASAN_SLAB_REDZONE and
// only the objects' bytes are ever unpoisoned, so an access just past any
// object, kmalloc(8)'s p[8] included, lands in its redzone and is reported.
// An access that starts in an allocated object is described relative to
// that object (kasanRange.origin), as nearest_obj() finds it; one that
// jumps over the whole redzone into the next allocated object goes unseen,
// as on Linux. The stock build keeps Debian's plain geometry.
//
// Unlike Linux, which keeps freed objects in a quarantine (counted as in use)
// until 1/32 of RAM has been freed after them, kscript's quarantine only
// delays reuse: an object freed by script code goes to the back of its
// slab's freelist (kasanFreelistPush), so it is handed out again only after
// every other free object of its slab, and /proc/slabinfo counts it free at
// once, as a kernel without KASAN does.
//
// Unlike Linux, which reports only the first KASAN bug after boot unless
// booted with kasan_multi_shot, kscript reports the first bad access of each
// script line (and bug type).

// The shadow codes of mm/kasan/kasan.h (generic mode).
const (
	kasanPageFree       byte = 0xFF
	kasanPageRedzone    byte = 0xFE
	kasanSlabRedzone    byte = 0xFC
	kasanSlabFree       byte = 0xFB
	kasanSlabFreetrack  byte = 0xFA
	kasanGlobalRedzone  byte = 0xF9
	kasanVmallocInvalid byte = 0xF8

	kasanGranule = 8 // KASAN_GRANULE_SIZE
)

// kasanState holds what the allocators do not record themselves.
type kasanState struct {
	// globals are the static buffers the runtime placed in module data,
	// sorted by address (__asan_register_globals).
	globals []kasanGlobal
	// vmalloc maps a vmalloc area's address to the size vmalloc was asked
	// for (kasan_unpoison_vmalloc); the rest of the area is poisoned.
	vmalloc map[Addr]uint64
	// reported holds the script lines (and bug types) already reported.
	reported map[string]bool
	// off turns the checks off, for benchmarks that compare.
	off bool
	// reportedOnce mirrors KASAN_BIT_REPORTED: a report was printed.
	reportedOnce bool
	// okPage is the address of a page found wholly accessible by the last
	// check (allocated, not a slab, not a large kmalloc), 0 for none; a
	// page free clears it.
	okPage Addr
	// depth mirrors current->kasan_depth (kasan_disable_current).
	depth int
	// ip, when set, is the faulting instruction of the access being
	// checked, for accesses kernel code makes on the script's behalf
	// (string_nocheck reading a %s argument), instead of the script line.
	ip string
	// ctor is the object whose constructor runs now
	// (kasan_unpoison_object_data), ctorSize its size.
	ctor     Addr
	ctorSize uint64
}

// kasanDisableCurrent and kasanEnableCurrent mirror
// kasan_disable_current() and kasan_enable_current(): accesses in between
// are not checked (the kernel's own reads of redzones).
func (k *Kernel) kasanDisableCurrent() { k.dbg.kasan.depth++ }
func (k *Kernel) kasanEnableCurrent()  { k.dbg.kasan.depth-- }

// kasanConstruct runs cache s's constructor on obj, a free object of a new
// slab, with the object unpoisoned as setup_object() does
// (kasan_unpoison_object_data, then kasan_poison_object_data).
func (k *Kernel) kasanConstruct(s *KmemCache, obj Addr) error {
	ks := &k.dbg.kasan
	prev, prevSize := ks.ctor, ks.ctorSize
	ks.ctor, ks.ctorSize = obj, uint64(s.objectSize)
	defer func() { ks.ctor, ks.ctorSize = prev, prevSize }()
	return s.ctor(obj)
}

// kasanGlobal mirrors struct kasan_global: a global variable with its
// redzone.
type kasanGlobal struct {
	addr                  Addr
	size, sizeWithRedzone uint64
	name                  string
}

// KasanPoisonGlobal mirrors __asan_register_globals() for one global of a
// module being loaded: size bytes at a are the variable (a static_buffer),
// the bytes up to a+sizeWithRedzone its redzone (KASAN_GLOBAL_REDZONE).
// name is the variable's name for reports ("k_buf"), or "".
func (k *Kernel) KasanPoisonGlobal(a Addr, size, sizeWithRedzone uint64, name string) {
	ks := &k.dbg.kasan
	g := kasanGlobal{addr: a, size: size, sizeWithRedzone: max(size, sizeWithRedzone), name: name}
	i := sort.Search(len(ks.globals), func(i int) bool { return ks.globals[i].addr >= a })
	if i < len(ks.globals) && ks.globals[i].addr == a {
		ks.globals[i] = g
		return
	}
	ks.globals = append(ks.globals, kasanGlobal{})
	copy(ks.globals[i+1:], ks.globals[i:])
	ks.globals[i] = g
}

// kasanUnregisterGlobals mirrors __asan_unregister_globals() for a module
// whose memory [start, end) is freed: its globals are forgotten, so that a
// module loaded at the same address later starts clean.
func (k *Kernel) kasanUnregisterGlobals(start, end Addr) {
	ks := &k.dbg.kasan
	out := ks.globals[:0]
	for _, g := range ks.globals {
		if g.addr < start || g.addr >= end {
			out = append(out, g)
		}
	}
	ks.globals = out
}

// kasanUnpoisonVmalloc mirrors kasan_unpoison_vmalloc(): of the vmalloc
// area at a, the first size bytes may be accessed. vmalloc calls it for
// every area it hands out.
func (k *Kernel) kasanUnpoisonVmalloc(a Addr, size uint64) {
	ks := &k.dbg.kasan
	if ks.vmalloc == nil {
		ks.vmalloc = map[Addr]uint64{}
	}
	ks.vmalloc[a] = size
}

// kasanVfree forgets a vmalloc area's size: vfree poisons it all.
func (k *Kernel) kasanVfree(a Addr) { delete(k.dbg.kasan.vmalloc, a) }

// kasanFreelistPush puts object idx, just freed, on its slab's freelist:
// on top (next to be reused) as SLUB does, or at the bottom when script code
// freed it, KASAN's quarantine (see the file comment).
func (k *Kernel) kasanFreelistPush(s *KmemCache, sl *Slab, idx int) {
	if k.dbg.kasan.off || sl.nfree == 0 || !sl.hasMeta() || !s.metaAt(sl, uint(idx)).tracked ||
		!freedByScript(s.tracks[sl.slot][idx]) {
		s.pushFree(sl, idx)
		return
	}
	free := unsafe.Slice(s.freeAt(sl, 0), sl.nfree+1) // nfree < objects
	copy(free[1:], free)                              // the head, sl.top, stays the head
	free[0] = uint16(idx)
	sl.nfree++
}

// freedByScript reports whether a free track has script frames.
func freedByScript(t *SlabTrack) bool {
	if t == nil {
		return false
	}
	for _, f := range t.FreeStack {
		if f.File != "" {
			return true
		}
	}
	return false
}

// kasanRange is what an access touched: where it began and how far.
type kasanRange struct {
	a Addr
	n uint64
	// origin is the slab object the access began in when it began inside
	// an allocated one: bytes past its requested size are its redzone,
	// wherever they lie.
	origin   Addr
	originSz uint64
}

// kasanFirstBad mirrors kasan_check_range() and kasan_find_first_bad_addr():
// ok is true when every byte of [a, a+n) may be accessed; otherwise bad is
// where the first granule with a non-zero shadow starts, counting from a.
func (k *Kernel) kasanFirstBad(r kasanRange) (bad Addr, ok bool) {
	if k.kasanRangeOK(r) {
		return 0, true
	}
	end := r.a + Addr(r.n)
	for p := r.a; p < end; p += kasanGranule {
		if k.kasanShadowIn(r, p) != 0 {
			return p, false
		}
	}
	// Only the last granule's partial shadow can fail a range whose
	// granules all start accessible (kasan_check_range's last byte check).
	return end - 1, false
}

// kasanRangeOK is the fast check: one object, block or area lookup.
func (k *Kernel) kasanRangeOK(r kasanRange) bool {
	a, end := r.a, r.a+Addr(r.n)
	switch {
	case r.n == 0:
		return true
	case r.origin != 0:
		return end <= r.origin+Addr(r.originSz)
	case IsDirectMapAddr(a):
		for p := a; p < end; p = (p + PageSize) &^ (PageSize - 1) {
			if !k.kasanPageOK(p, min(end, (p+PageSize)&^(PageSize-1))) {
				return false
			}
		}
		return true
	case IsModuleAddr(a):
		return k.kasanGlobalsOK(a, end)
	case IsVmallocAddr(a):
		v := k.vmAreaContaining(a)
		return v != nil && end <= v.Addr+Addr(k.vmallocSize(v))
	}
	return true
}

// kasanPageOK checks [a, end) within one page of the direct map.
func (k *Kernel) kasanPageOK(a, end Addr) bool {
	pfn := PFN((a - PageOffset) >> PageShift)
	if !k.PFNValid(pfn) {
		return true // no memory: the access itself faults
	}
	if sl := k.slab.byPFN.get(pfn); sl != nil {
		obj, size, ok := k.slabCache(sl).kasanObject(sl, a)
		return ok && end <= obj+Addr(size)
	}
	head, state := k.pageBlockOf(pfn)
	switch state {
	case blockFree:
		return false
	case blockAllocated:
		if la := k.slab.large.get(head); la != nil {
			return end <= PageAddress(head)+Addr(la.size)
		}
		k.dbg.kasan.okPage = PageAddress(pfn)
	}
	return true
}

// kasanObject returns the object of slab sl that a lies in and the bytes
// of it its caller may use (the requested size; object_size for objects
// allocated at boot); ok is false when a is outside any allocated object.
func (s *KmemCache) kasanObject(sl *Slab, a Addr) (obj Addr, size uint64, ok bool) {
	start := sl.addr() + Addr(s.redLeftPad)
	if a < start {
		return 0, 0, false
	}
	idx := int((a - start) / Addr(s.size))
	if idx >= int(sl.objects) || !s.isUsed(sl, idx) {
		return 0, 0, false
	}
	obj = s.objAddr(sl, idx)
	size = uint64(s.objectSize)
	if sl.hasMeta() && s.metaPool[sl.metaOff/8+uint32(idx)].size != 0 {
		size = uint64(s.metaPool[sl.metaOff/8+uint32(idx)].size)
	}
	return obj, size, a < obj+Addr(s.objectSize)
}

// kasanGlobalsOK checks [a, end) in the module space against the globals'
// redzones.
func (k *Kernel) kasanGlobalsOK(a, end Addr) bool {
	gs := k.dbg.kasan.globals
	i := sort.Search(len(gs), func(i int) bool { return gs[i].addr+Addr(gs[i].sizeWithRedzone) > a })
	for ; i < len(gs) && gs[i].addr < end; i++ {
		if end > gs[i].addr+Addr(gs[i].size) {
			return false
		}
	}
	return true
}

// vmallocSize is the size vmalloc was asked for when it made area v; the
// whole mapped area for areas made otherwise (module memory, boot areas).
func (k *Kernel) vmallocSize(v *VMStruct) uint64 {
	if n, ok := k.dbg.kasan.vmalloc[v.Addr]; ok {
		return n
	}
	return uint64(v.NrPages()) << PageShift
}

// blockState is the buddy allocator's view of a page frame.
type blockState uint8

const (
	blockUnknown   blockState = iota // reserved, never given out, or no memory
	blockAllocated                   // part of an allocated block
	blockFree                        // part of a free block (or on a per-CPU list)
)

// pageBlockOf finds the block pfn belongs to by looking at the heads it
// could have, order by order, as page_is_buddy and compound_head would.
func (k *Kernel) pageBlockOf(pfn PFN) (head PFN, state blockState) {
	for order := 0; order < MaxOrder; order++ {
		h := pfn &^ (1<<order - 1)
		if order == MaxOrder-1 && k.inTopFreeBlock(uint32(h)) {
			return h, blockFree
		}
		p := k.mem.peek(uint32(h))
		switch {
		case p.flags&pgReserved != 0:
			return h, blockUnknown
		case p.flags&(pgBuddy|pgPCP) != 0 && int(p.order) >= order:
			return h, blockFree
		case p.flags&pgHead != 0 && int(p.order) >= order:
			return h, blockAllocated
		case p.flags != 0:
			return pfn, blockUnknown // a smaller block's head: pfn is not inside it
		}
	}
	return pfn, blockUnknown
}

// kasanShadowIn is the shadow byte of the granule at p as the access r
// sees it: the origin object's bytes past its requested size are its
// redzone, even where they belong to the next object.
func (k *Kernel) kasanShadowIn(r kasanRange, p Addr) byte {
	p &^= kasanGranule - 1
	if r.origin != 0 && p+kasanGranule > r.origin+Addr(r.originSz) {
		if p < r.origin+Addr(r.originSz) {
			return byte(r.origin + Addr(r.originSz) - p)
		}
		return kasanSlabRedzone
	}
	return k.kasanShadow(p)
}

// kasanShadow is the shadow byte of the granule at p (kasan_mem_to_shadow).
func (k *Kernel) kasanShadow(p Addr) byte {
	p &^= kasanGranule - 1
	switch {
	case IsDirectMapAddr(p):
		return k.kasanShadowDirect(p)
	case IsModuleAddr(p):
		return k.kasanShadowGlobal(p)
	case IsVmallocAddr(p):
		v := k.vmAreaContaining(p)
		if v == nil {
			return kasanVmallocInvalid
		}
		return partialShadow(p, v.Addr, k.vmallocSize(v), kasanVmallocInvalid)
	}
	return 0
}

// partialShadow is the shadow of granule p of an allocation of size bytes
// at start: 0 inside, the count of valid bytes in the last granule,
// code past it.
func partialShadow(p, start Addr, size uint64, code byte) byte {
	end := start + Addr(size)
	switch {
	case p+kasanGranule <= end:
		return 0
	case p < end:
		return byte(end - p)
	}
	return code
}

func (k *Kernel) kasanShadowDirect(p Addr) byte {
	pfn := PFN((p - PageOffset) >> PageShift)
	if !k.PFNValid(pfn) {
		return 0
	}
	if sl := k.slab.byPFN.get(pfn); sl != nil {
		return k.slabCache(sl).kasanShadow(sl, p)
	}
	head, state := k.pageBlockOf(pfn)
	switch state {
	case blockFree:
		return kasanPageFree
	case blockAllocated:
		if la := k.slab.large.get(head); la != nil {
			return partialShadow(p, PageAddress(head), la.size, kasanPageRedzone)
		}
	}
	return 0
}

// kasanShadow is the shadow of granule p of slab sl: kasan_poison_slab
// made it all KASAN_SLAB_REDZONE; an allocated object is accessible up to
// its requested size (kasan_kmalloc); a freed one is KASAN_SLAB_FREE, its
// first granule KASAN_SLAB_FREETRACK when its free was tracked.
func (s *KmemCache) kasanShadow(sl *Slab, p Addr) byte {
	start := sl.addr() + Addr(s.redLeftPad)
	if p < start {
		return kasanSlabRedzone
	}
	idx := int((p - start) / Addr(s.size))
	if idx >= int(sl.objects) {
		return kasanSlabRedzone
	}
	obj := s.objAddr(sl, idx)
	objEnd := obj + Addr(alignUp(s.objectSize, kasanGranule))
	if p >= objEnd {
		return kasanSlabRedzone
	}
	var m objMeta
	var track *SlabTrack
	if sl.hasMeta() {
		m, track = s.metaPool[sl.metaOff/8+uint32(idx)], s.track(sl, idx)
	}
	switch {
	case s.isUsed(sl, idx) && m.size == 0:
		return partialShadow(p, obj, uint64(s.objectSize), kasanSlabRedzone)
	case s.isUsed(sl, idx):
		return partialShadow(p, obj, uint64(m.size), kasanSlabRedzone)
	case m.size == 0 && track == nil:
		return kasanSlabRedzone // never allocated since the slab was made
	case p == obj && track != nil && track.FreeStack != nil:
		return kasanSlabFreetrack
	}
	return kasanSlabFree
}

// kasanShadowGlobal is the shadow of granule p of the module space.
func (k *Kernel) kasanShadowGlobal(p Addr) byte {
	gs := k.dbg.kasan.globals
	i := sort.Search(len(gs), func(i int) bool { return gs[i].addr+Addr(gs[i].sizeWithRedzone) > p })
	if i == len(gs) || p < gs[i].addr {
		return 0
	}
	return partialShadow(p, gs[i].addr, gs[i].size, kasanGlobalRedzone)
}

// kasanBugType mirrors get_shadow_bug_type(): the shadow at the first bad
// address names the bug; a partial granule defers to the next one.
func (k *Kernel) kasanBugType(r kasanRange, bad Addr) string {
	sh := k.kasanShadowIn(r, bad&^(kasanGranule-1))
	if sh > 0 && sh < kasanGranule {
		sh = k.kasanShadowIn(r, (bad&^(kasanGranule-1))+kasanGranule)
	}
	switch sh {
	case kasanPageRedzone, kasanSlabRedzone:
		return "slab-out-of-bounds"
	case kasanGlobalRedzone:
		return "global-out-of-bounds"
	case kasanPageFree, kasanSlabFree, kasanSlabFreetrack:
		return "use-after-free"
	case kasanVmallocInvalid:
		return "vmalloc-out-of-bounds"
	}
	if sh < kasanGranule {
		return "out-of-bounds"
	}
	return "unknown-crash"
}

// kasanCache mirrors struct kasan_cache (include/linux/kasan.h): where in
// an object's stride generic KASAN keeps its per-object metadata.
type kasanCache struct {
	// allocMetaOffset is where struct kasan_alloc_meta (the allocation
	// track) lies, counted from the object; 0 when it does not fit.
	allocMetaOffset uint32
	// freeMetaOffset is where struct kasan_free_meta (the quarantine link
	// and the free track) lies: 0 inside the freed object itself,
	// kasanNoFreeMeta when it does not fit.
	freeMetaOffset uint32
}

// Generic KASAN's metadata on x86-64 (mm/kasan/kasan.h): struct kasan_track
// is a pid and a stack depot handle (8 bytes); struct kasan_alloc_meta is
// the alloc track and aux_stack[2]; struct kasan_free_meta a qlist_node and
// the free track.
const (
	kasanAllocMetaSize = 16
	kasanFreeMetaSize  = 16
	kasanNoFreeMeta    = 0xffffffff // KASAN_NO_FREE_META (INT_MAX as unsigned: never an offset)
)

// optimalRedzone mirrors optimal_redzone() (mm/kasan/generic.c): the
// redzone generic KASAN wants after an object, bigger for bigger objects.
func optimalRedzone(objectSize uint32) uint32 {
	switch {
	case objectSize <= 64-16:
		return 16
	case objectSize <= 128-32:
		return 32
	case objectSize <= 512-64:
		return 64
	case objectSize <= 4096-128:
		return 128
	case objectSize <= 1<<14-256:
		return 256
	case objectSize <= 1<<15-512:
		return 512
	case objectSize <= 1<<16-1024:
		return 1024
	}
	return 2048
}

// kasanCacheCreate mirrors kasan_cache_create() (mm/kasan/generic.c),
// which calculate_sizes() calls with the size laid out so far (object,
// free pointer, tracks), before the red zones and the alignment:
//
//   - the alloc metadata goes right after that, always;
//   - the free metadata goes after it when the freed object itself may not
//     hold it: the cache is SLAB_TYPESAFE_BY_RCU (objects are read after
//     free), has a constructor (objects keep their contents while free), or
//     its objects are smaller than the metadata; otherwise it lives in the
//     freed object (offset 0);
//   - the stride is then at least object_size plus optimalRedzone().
//
// So kmalloc-8 objects take 40 bytes (8 + 16 + 16), kmalloc-16 32
// (optimal), kmalloc-64 96, raised to 128 by the kmalloc caches' natural
// alignment. Everything past the object is poisoned KASAN_SLAB_REDZONE
// (kasan_poison_slab), so an access just past an object is reported.
func (s *KmemCache) kasanCacheCreate(size uint32) uint32 {
	s.kasanInfo = kasanCache{allocMetaOffset: size}
	okSize := size
	size += kasanAllocMetaSize
	if size > KmallocMaxSize { // only SLAB's caches can get here
		s.kasanInfo.allocMetaOffset = 0
		size = okSize
	}
	if s.flags&SlabTypesafeByRCU != 0 || s.hasCtor || s.objectSize < kasanFreeMetaSize {
		okSize = size
		s.kasanInfo.freeMetaOffset = size
		size += kasanFreeMetaSize
		if size > KmallocMaxSize {
			s.kasanInfo.freeMetaOffset = kasanNoFreeMeta
			size = okSize
		}
	}
	optimal := min(s.objectSize+optimalRedzone(s.objectSize), KmallocMaxSize)
	return max(size, optimal)
}

// kasanMetadataSize mirrors kasan_metadata_size() (mm/kasan/generic.c):
// the bytes of KASAN's metadata laid out after the object, which
// print_trailer() skips before the padding.
func (s *KmemCache) kasanMetadataSize() uint32 {
	if s.flags&SlabKASAN == 0 {
		return 0
	}
	var n uint32
	if s.kasanInfo.allocMetaOffset != 0 {
		n += kasanAllocMetaSize
	}
	if s.kasanInfo.freeMetaOffset != 0 { // KASAN_NO_FREE_META counts too, as in Linux
		n += kasanFreeMetaSize
	}
	return n
}
