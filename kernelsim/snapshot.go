package kernelsim

// Read-only views of the simulated machine's memory for pictures of it
// (runtime/picture draws them; kernelsim draws nothing). Each view is a
// copy: holding one never keeps kernel state alive, and the kernel never
// sees it again.
//
// The views read the same records the allocators keep — mem_map, the free
// lists, the slabs, the vm areas — never the /proc text, so a picture and
// /proc/meminfo or /proc/buddyinfo are two independent readings of one
// state, which tests compare.
//
// Linux has nothing like FrameOwner: a page's owner is spread over
// page->flags (PG_buddy, PG_slab, PG_lru, PG_reserved), page_type, the
// mapping and the caller's own records. kernelsim folds them into one value
// per frame for the picture.

// FrameOwner says what a page frame holds.
type FrameOwner uint8

// Frame owners, in the order a legend lists them.
const (
	FrameHole         FrameOwner = iota // no RAM behind the frame (an e820 hole)
	FrameReserved                       // PG_reserved: memblock kept it at boot
	FrameFree                           // on a buddy free list (Frame.Order: the block's order)
	FramePCP                            // on a per-CPU page list
	FrameKernel                         // kernel memory taken at boot (page tables, stacks, drivers)
	FrameSlab                           // a slab's page (PG_slab)
	FrameKmallocLarge                   // a kmalloc() above 8 KiB, straight from the page allocator
	FramePages                          // an alloc_pages() block taken after boot
	FrameVmalloc                        // backs a vmalloc area
	FrameModule                         // backs module memory (module_alloc, in the module space)
	FramePageCache                      // page cache: file pages, reclaimable
	FrameUser                           // anonymous memory of user processes
	NrFrameOwners
)

var frameOwnerNames = [NrFrameOwners]string{"hole", "reserved", "free", "pcp", "kernel", "slab",
	"kmalloc-large", "pages", "vmalloc", "module", "page-cache", "user"}

// String returns the owner's short name ("free", "slab", "kmalloc-large").
func (o FrameOwner) String() string {
	if o < NrFrameOwners {
		return frameOwnerNames[o]
	}
	return "unknown"
}

// PageFrame is one page frame in a MemMap.
type PageFrame struct {
	Owner FrameOwner
	// Order is the order of the block the frame belongs to (free, per-CPU
	// or allocated); 0 for a reserved frame or a hole.
	Order uint8
	// Head is set on the first frame of a block.
	Head bool
}

// MemMap returns one PageFrame per page frame below MaxPFN, read from mem_map,
// the top-order side table, the kmalloc_large records and the vm areas.
func (k *Kernel) MemMap() []PageFrame {
	frames := make([]PageFrame, k.mem.maxPFN)
	areas := k.vmAreasByID()
	for pfn := uint32(0); pfn < uint32(k.mem.maxPFN); {
		n := k.classify(frames, pfn, areas)
		pfn += n
	}
	return frames
}

// classify fills in the block that starts at pfn and returns its length.
func (k *Kernel) classify(frames []PageFrame, pfn uint32, areas map[uint32]*VMStruct) uint32 {
	if !k.mem.present[pfn>>sectionShift] {
		return 1 // a hole; frames[pfn] is zero: FrameHole
	}
	p := k.mem.peek(pfn)
	owner, order := FrameOwner(FrameReserved), uint8(0)
	switch {
	case p.flags&pgBuddy != 0:
		owner, order = FrameFree, p.order
	case p.flags&pgPCP != 0:
		owner, order = FramePCP, p.order
	case p.flags&pgHead != 0:
		owner, order = k.allocatedOwner(PFN(pfn), p, areas), p.order
	case p.flags&pgReserved != 0:
	case pfn&(1<<(MaxOrder-1)-1) == 0 && k.mem.top[pfn>>(MaxOrder-1)].free:
		owner, order = FrameFree, MaxOrder-1
	}
	n := uint32(1) << order
	n = min(n, uint32(k.mem.maxPFN)-pfn)
	for i := uint32(0); i < n; i++ {
		frames[pfn+i] = PageFrame{Owner: owner, Order: order, Head: i == 0}
	}
	return n
}

// allocatedOwner says who owns the allocated block headed by p.
func (k *Kernel) allocatedOwner(pfn PFN, p *page, areas map[uint32]*VMStruct) FrameOwner {
	switch p.use {
	case PageUseSlab:
		return FrameSlab
	case PageUseVmalloc:
		if a := areas[p.data]; a != nil && IsModuleAddr(a.Addr) {
			return FrameModule
		}
		return FrameVmalloc
	case PageUsePageCache, PageUseShmem:
		return FramePageCache
	case PageUseAnon:
		return FrameUser
	case PageUseKernel:
		if k.slab.large.get(pfn) != nil {
			return FrameKmallocLarge
		}
		return FramePages
	}
	return FrameKernel // boot memory, page tables, kernel stacks
}

// vmAreasByID indexes the busy vm areas by the tag their frames carry.
func (k *Kernel) vmAreasByID() map[uint32]*VMStruct {
	m := make(map[uint32]*VMStruct, len(k.vm.busy))
	for _, a := range k.vm.busy {
		m[a.id] = a
	}
	return m
}

// ZoneView is a copy of a zone's counters and free-list lengths.
type ZoneView struct {
	Name     string
	Index    int // enum zone_type
	StartPFN PFN
	Spanned  uint64 // spanned_pages
	Present  uint64 // present_pages
	Managed  uint64 // managed_pages
	// NrFree is free_area[order].nr_free: free blocks (not pages) per order,
	// the columns of /proc/buddyinfo.
	NrFree [MaxOrder]uint64
	// FreePages is NR_FREE_PAGES; PCPPages the pages on per-CPU lists.
	FreePages int64
	PCPPages  int
	// Min, Low and High are the watermarks, in pages.
	Min, Low, High uint64
}

// ZoneViews returns the populated zones, lowest first.
func (k *Kernel) ZoneViews() []ZoneView {
	var out []ZoneView
	for i := range k.zones.z {
		z := &k.zones.z[i]
		if !z.populated() {
			continue
		}
		v := ZoneView{Name: z.Name, Index: i, StartPFN: z.startPFN, Spanned: z.spanned, Present: z.present,
			Managed: z.managed, FreePages: z.nrFree, PCPPages: z.pcp.count,
			Min: z.watermark[wmarkMin], Low: z.watermark[wmarkLow], High: z.watermark[wmarkHigh]}
		for o := range z.freeArea {
			v.NrFree[o] = z.freeArea[o].NrFree
		}
		out = append(out, v)
	}
	return out
}

// BuddyEventKind says what the buddy allocator did to a block.
type BuddyEventKind uint8

// Buddy events.
const (
	BuddyTake  BuddyEventKind = iota // a block left a free list to be handed out (or split)
	BuddySplit                       // expand(): a block split in two; the upper half went back to a free list
	BuddyMerge                       // __free_one_page: a block merged with its free buddy
	BuddyPut                         // a block went onto a free list
)

var buddyEventNames = [...]string{"take", "split", "merge", "put"}

func (e BuddyEventKind) String() string { return buddyEventNames[e] }

// BuddyEvent is one step of the buddy allocator on one zone's free lists.
// For BuddySplit, PFN and Order are the block that was split (its halves
// are PFN and PFN+2^(Order-1), of Order-1); for BuddyMerge, the block of
// Order that merged with its free buddy into one block of Order+1.
type BuddyEvent struct {
	Kind  BuddyEventKind
	Zone  int
	PFN   PFN
	Order int
}

// SetBuddyObserver sets fn to receive every take, split, merge and put on
// the buddy free lists (nil stops it). Per-CPU list moves are not events;
// the batches they move to and from the buddy lists are.
func (k *Kernel) SetBuddyObserver(fn func(BuddyEvent)) { k.mem.buddyObserver = fn }

// buddyEvent passes an event to the observer, if any.
func (k *Kernel) buddyEvent(kind BuddyEventKind, pfn uint32, order int) {
	if k.mem.buddyObserver != nil { // small enough to inline into the free-list loops
		k.observeBuddy(kind, pfn, order)
	}
}

func (k *Kernel) observeBuddy(kind BuddyEventKind, pfn uint32, order int) {
	k.mem.buddyObserver(BuddyEvent{Kind: kind, Zone: k.zoneOf(pfn).idx, PFN: PFN(pfn), Order: order})
}

// SlabView is a copy of one slab of a cache.
type SlabView struct {
	PFN     PFN
	Order   int
	Objects int
	InUse   int
	// List says where SLUB keeps the slab: "cpu" (the CPU slab), "partial"
	// or "full" (full slabs are on no list unless SLUB debugging is on).
	List string
	// Used has one entry per object, set while it is allocated.
	Used []bool
	// Requested is the requested size (kmalloc's size argument) of each
	// object a script allocated, AllocAt the script line that allocated
	// it ("hello.star:12 in hello_init"); 0 and "" for free objects and
	// objects the kernel allocated for itself. Both are nil for a slab
	// without a script's object (most slabs).
	Requested []uint32
	AllocAt   []string
	// Base is the address of object 0's slot (slab_address()).
	Base Addr
}

// SlabCacheView is a copy of a kmem_cache's geometry and slabs.
type SlabCacheView struct {
	Name       string
	ObjectSize uint64 // object_size
	Size       uint64 // size: the stride between objects
	Inuse      uint64 // inuse: where the metadata after the object starts
	Offset     uint64 // offset: the free pointer
	RedLeftPad uint64 // red_left_pad
	Order      int
	Objects    int // objects per slab
	Flags      SlabFlags
	// Poison and RedZone say whether SLUB debugging fills free objects
	// with 6b..a5 and guards objects with red zones (bb/cc).
	Poison, RedZone bool
	Slabs           []SlabView // CPU slab first, then partial, then full, each by pfn
}

// SlabCacheSnapshot returns a copy of the cache's geometry and every slab
// it owns (found through mem_map, so full slabs too); ok is false when no
// live cache has that name.
func (k *Kernel) SlabCacheSnapshot(name string) (SlabCacheView, bool) {
	c := k.FindCache(name)
	if c == nil || c.dead {
		return SlabCacheView{}, false
	}
	return k.slabSnapshots([]*KmemCache{c})[0], true
}

// SlabCacheSnapshots returns a copy of every live cache, in /proc/slabinfo
// order, read in one pass over mem_map.
func (k *Kernel) SlabCacheSnapshots() []SlabCacheView {
	var live []*KmemCache
	for _, c := range k.slab.caches {
		if !c.dead {
			live = append(live, c)
		}
	}
	return k.slabSnapshots(live)
}

// slabSnapshots copies the caches cs: their geometry, then their slabs,
// found by one walk over the slab index.
func (k *Kernel) slabSnapshots(cs []*KmemCache) []SlabCacheView {
	out := make([]SlabCacheView, len(cs))
	at := make(map[*KmemCache]int, len(cs))
	lists := make([][3][]*Slab, len(cs)) // cpu, partial, full
	for i, c := range cs {
		at[c] = i
		out[i] = SlabCacheView{Name: c.Name, ObjectSize: uint64(c.objectSize), Size: uint64(c.size),
			Inuse: uint64(c.inuse), Offset: uint64(c.offset), RedLeftPad: uint64(c.redLeftPad),
			Order: c.order, Objects: c.objects, Flags: c.Flags(),
			Poison: c.flags&SlabPoison != 0, RedZone: c.flags&SlabRedZone != 0}
	}
	for pfn := PFN(0); pfn < k.mem.maxPFN; pfn++ {
		sl := k.slab.byPFN.get(pfn)
		if sl == nil || PFN(sl.pfn) != pfn {
			continue
		}
		c := k.slabCache(sl)
		i, ok := at[c]
		if !ok {
			continue
		}
		switch {
		case sl == c.cpuSlab:
			lists[i][0] = append(lists[i][0], sl)
		case sl.flags&slabOnPartial != 0:
			lists[i][1] = append(lists[i][1], sl)
		default:
			lists[i][2] = append(lists[i][2], sl)
		}
	}
	var used []bool // the slabs' Used, carved from one array
	for i := range out {
		l := &lists[i]
		out[i].Slabs = make([]SlabView, 0, len(l[0])+len(l[1])+len(l[2]))
		for j, name := range [3]string{"cpu", "partial", "full"} {
			for _, sl := range l[j] {
				sv := slabView(cs[i], sl, &used)
				sv.List = name
				out[i].Slabs = append(out[i].Slabs, sv)
			}
		}
	}
	return out
}

// slabView copies one slab. Its Used is carved from *used, which grows
// by a page's worth of objects at a time: a snapshot copies thousands of
// slabs, and one allocation per slab would be most of its cost.
func slabView(s *KmemCache, sl *Slab, used *[]bool) SlabView {
	n := int(sl.objects)
	if len(*used) < n {
		*used = make([]bool, max(n, 4096))
	}
	sv := SlabView{PFN: PFN(sl.pfn), Order: int(sl.order), Objects: n, InUse: int(sl.inuse), Base: sl.addr(),
		Used: (*used)[:n:n]}
	*used = (*used)[n:]
	for i := range sv.Used {
		sv.Used[i] = s.isUsed(sl, i)
		if !sv.Used[i] || !sl.hasMeta() {
			continue
		}
		if at := scriptFrame(s.track(sl, i)); at != "" {
			if sv.AllocAt == nil {
				sv.AllocAt, sv.Requested = make([]string, n), make([]uint32, n)
			}
			sv.AllocAt[i], sv.Requested[i] = at, s.metaPool[sl.metaOff/8+uint32(i)].size
		}
	}
	return sv
}

// SlabObjectSlot returns the cache name, object index and slab head of the
// slab object that contains address a (its slot, red zones included); ok
// is false when a is not in a slab.
func (k *Kernel) SlabObjectSlot(a Addr) (cache string, slab PFN, idx int, ok bool) {
	if !IsDirectMapAddr(a) {
		return "", 0, 0, false
	}
	sl := k.slab.byPFN.get(PFN((a - PageOffset) >> PageShift))
	if sl == nil || a < sl.addr() {
		return "", 0, 0, false
	}
	s := k.slabCache(sl)
	i := int((a - sl.addr()) / Addr(s.size))
	if i >= int(sl.objects) {
		return "", 0, 0, false
	}
	return s.Name, PFN(sl.pfn), i, true
}

// scriptFrame returns the innermost script frame of an allocation track, ""
// when the kernel allocated the object for itself.
func scriptFrame(t *SlabTrack) string {
	if t == nil {
		return ""
	}
	for _, f := range t.AllocStack {
		if f.File != "" {
			return f.String()
		}
	}
	return ""
}

// ImageSlices is one of the types a boot image (runtime/grade/kclone)
// names its types from. A restored kernel's values of one type are an
// arena, made as a slice of that type; the image names the slice type
// when the kernel's own types lead to it, and otherwise the restoring
// process looks it up with reflect.SliceOf, a search through every type
// of the binary (some 5,000 instructions each, a dozen of them in every
// kscript run). Its fields are the slices of the types kclone keeps in
// arenas that the kernel holds in no slice of its own; a kclone test
// (TestImageNamesArenaSlices) says which are missing.
type ImageSlices struct {
	_ []Kernel
	_ []KmemCache
	_ []Module
	_ []VMStruct
	_ []Inode
	_ []Cdev
	_ []Class
	_ []FileOperations
	_ []MiscDevice
	_ []charDeviceStruct
	_ []irqAction
	_ []memSection
	_ []slabChunk
}
