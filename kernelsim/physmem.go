package kernelsim

import "unsafe"

// Physical memory: mem_map (one small struct per page frame) and the page
// contents.
//
// Linux describes every page frame with a 64-byte struct page, kept in the
// vmemmap array at VmemmapBase (include/linux/mm_types.h). kernelsim keeps a
// 16-byte page per frame instead, holding only what the buddy allocator and
// the reports need, and allocates both mem_map and the page contents lazily:
//
//	mem_map:   sections[pfn >> 15] ──► [32768]page          (16 bytes a frame;
//	           the first flatSections sections are slices of one array, flat)
//	contents:  content[pfn >> 15]  ──► [32768]*pageContents ──► [4096]byte
//
// A section (128 MiB, as SPARSEMEM's SECTION_SIZE_BITS=27) gets its mem_map
// on the first write of one of its page structs, and a page gets its 4 KiB of
// contents on the first write into it; never-written memory reads as zeros.
// Free blocks of the top order (MAX_ORDER-1, 4 MiB) keep their free-list
// links in a small side table (topBlocks) instead of in mem_map, so the
// memory a freshly booted machine never touched costs no real memory at all:
// a 16 GiB machine boots in a few MiB. (The first flatSections sections'
// mem_map is allocated at boot, as one array, which their section pointers
// share once written: at most 4 MiB, and all of the default machine's
// sections are written by boot anyway.)

// sectionShift is log2 of the page frames in a section (PFN_SECTION_SHIFT:
// SECTION_SIZE_BITS 27 - PAGE_SHIFT 12).
const (
	sectionShift = 27 - PageShift
	sectionPages = 1 << sectionShift
	sectionMask  = sectionPages - 1
)

// noPFN ends a free list; it is never a valid frame number.
const noPFN = ^uint32(0)

// pageLinks mirrors the lru list_head that links a free block into its
// free_area list (or a per-CPU list): frame numbers instead of pointers.
type pageLinks struct {
	next, prev uint32
}

// page mirrors Linux's struct page (include/linux/mm_types.h), reduced to the
// 16 bytes the simulation needs. Only the first page of a block (free or
// allocated) carries state; the other pages of the block are all zero, as
// Linux's tail pages of a non-compound allocation are.
//
// Invariants (checked by CheckInvariants):
//   - flags&pgBuddy: the page heads a free block of 2^order pages on
//     zone.freeArea[order] (order < MaxOrder-1; top-order free blocks live in
//     topBlocks and leave their page struct zero).
//   - flags&pgHead: the page heads an allocated block of 2^order pages; its
//     refcount is 1. use and data say what the block is used for.
//   - flags&pgPCP: the page heads a block of 2^order pages on the zone's
//     per-CPU list.
//   - flags&pgReserved: PG_reserved, never given to the buddy allocator.
type page struct {
	pageLinks
	flags uint8
	order uint8
	use   PageUse
	_     uint8
	// data is free for the page's user: the slab layer may keep a cache
	// index here (Linux's page->slab_cache), vmalloc an area id.
	data uint32
}

// Page flags. Linux spreads these over page->flags (PG_reserved, PG_head),
// page->page_type (PG_buddy) and pcp membership; kernelsim packs them in a byte.
const (
	pgBuddy    uint8 = 1 << iota // PageBuddy(): heads a free block
	pgHead                       // heads an allocated block (refcount 1)
	pgReserved                   // PG_reserved: memblock-reserved at boot
	pgPCP                        // heads a block on a per-CPU page list
)

// PageUse says what an allocated block is used for, for /proc/meminfo, the
// reclaim of page cache and the page dumps of reports. It mirrors the page
// types and flags Linux uses for the same purpose (PG_slab, PG_lru,
// PageTable, ...).
type PageUse uint8

// Page uses. PageUseKernel is a plain alloc_pages() allocation.
const (
	PageUseKernel      PageUse = iota // alloc_pages() by a module or the kernel
	PageUseSlab                       // a slab (PG_slab)
	PageUseVmalloc                    // backs a vmalloc area
	PageUsePageCache                  // page cache: clean file pages, reclaimable (PG_lru)
	PageUseAnon                       // anonymous user memory (PG_lru|PG_swapbacked)
	PageUsePageTable                  // a page table (PageTable)
	PageUseKernelStack                // a task's kernel stack
	PageUseBoot                       // allocated during boot by the kernel itself
	PageUseShmem                      // tmpfs (shmem) page cache: not reclaimable without swap
)

// memSection is one section's slice of mem_map.
type memSection [sectionPages]page

// pageContents is the data of one page frame. A KASAN shadow (one byte per
// 8-byte granule, mm/kasan) will hang off the same table when issue 4 adds
// it: contentChunk can grow a parallel *[contentChunkPages]*[PageSize/8]int8.
type pageContents [PageSize]byte

// contentChunk holds the contents of 1024 pages (one top-order block),
// nil where a page was never written. A chunk is 8 KiB of pointers, so a
// machine whose module writes a few pages allocates a few chunks, not a
// section's 256 KiB table.
type contentChunk [contentChunkPages]*pageContents

const (
	contentChunkShift = MaxOrder - 1
	contentChunkPages = 1 << contentChunkShift
	contentChunkMask  = contentChunkPages - 1
)

// topBlock is the free-list entry of a top-order (MAX_ORDER-1) block, kept
// outside mem_map (see the file comment).
type topBlock struct {
	pageLinks
	free bool
}

// physMem holds mem_map, the page contents and the counters of memory that
// the slab, vmalloc and other layers use (reported by /proc/meminfo).
type physMem struct {
	maxPFN   PFN           // max_pfn: one past the last frame of RAM
	sections []*memSection // per section: mem_map, nil until first written
	// flat is the mem_map of the first sections (at most flatSections)
	// in one array, which their sections point into once written, so that
	// at() finds a page struct with one load instead of two (see at).
	flat []page
	// tracer, when set (SetPageAllocTracer), receives the mm_page_alloc
	// and mm_page_free tracepoint lines. (Beside sections: both are read
	// on every allocation and free.)
	tracer func(line string)
	// fastZone is the zone allocPagesFast takes blocks from, nil while
	// the fast paths are closed (updatePageFast); buddyZone is
	// allocBuddyFast's, and fastMark the zone's order-0 watermark shortcut.
	fastZone  *Zone
	buddyZone *Zone
	fastMark  int64
	// buddyObserver, when set (SetBuddyObserver, snapshot.go), receives
	// every take, split, merge and put on the free lists.
	buddyObserver func(BuddyEvent)
	// prefault, when set (SetPrefault), is told of memory a bulk operation
	// is about to write (Pressure's page structs and lists).
	prefault func(p unsafe.Pointer, n uintptr)

	present []bool          // per section: has RAM (pfn_valid)
	content []*contentChunk // per 1024 pages: page contents, nil until first written
	top     []topBlock      // per top-order block (pfn >> (MaxOrder-1))
	ranges  []pfnRange      // e820 usable RAM, ascending (memblock.memory)

	// avoid, when set (AvoidFrames, reserve.go), are frames the page
	// allocator never hands out again: allocAvoiding withholds a block
	// that holds one and asks again (retrying), and the fast paths,
	// which would not look, are closed (updatePageFast).
	avoid              map[uint32]bool
	avoiding, retrying bool

	// Counters maintained by other layers, in pages unless noted; they feed
	// /proc/meminfo and show_mem. The slab helper bumps the slab counters when
	// it allocates or frees a slab's pages; vmalloc bumps nrVmallocPages.
	nrSlabReclaimable   int64 // NR_SLAB_RECLAIMABLE_B / PAGE_SIZE: SReclaimable
	nrSlabUnreclaimable int64 // NR_SLAB_UNRECLAIMABLE_B / PAGE_SIZE: SUnreclaim
	nrVmallocPages      int64 // nr_vmalloc_pages: VmallocUsed
	nrKernelStackKB     int64 // NR_KERNEL_STACK_KB: KernelStack
	nrPageTables        int64 // NR_PAGETABLE: PageTables
	nrAnon              int64 // NR_ANON_MAPPED: AnonPages
	nrFilePages         int64 // NR_FILE_PAGES: Cached + Buffers
	nrBuffers           int64 // block device page cache: Buffers
	nrShmem             int64 // NR_SHMEM: Shmem
	nrPercpuKB          int64 // pcpu_nr_pages(): Percpu, in kB
	totalram            int64 // totalram_pages(): MemTotal

	// work counts the bulk work memory accesses did since boot, in bytes:
	// bytes read, written or cleared, and workPerPage for every page frame
	// allocated (Work).
	work uint64

	boot        bootMemInfo // memblock.go: what boot reserved
	bootUse     bootUse     // pressure.go: kernel memory in use since boot
	pressure    []uint32    // pressure.go: pages Pressure and Fragment hold
	warnedOrder bool        // the order >= MAX_ORDER WARN_ON_ONCE has fired
	// nopageRS is warn_alloc()'s DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1):
	// one allocation failure report per 10 seconds, page allocator and
	// vmalloc alike (ratelimit.go).
	nopageRS ratelimitState
	// debugLocksOff mirrors debug_locks == 0: a taint that makes lockdep
	// unreliable (a bad page, an Oops) has been added (addTaintUnreliable).
	debugLocksOff bool
}

// pfnRange is a half-open range of page frames.
type pfnRange struct{ start, end PFN }

// flatSections is how many sections at most (from the first) get their
// mem_map in physMem.flat: 1 GiB of RAM, 4 MiB of page structs, all of
// the default 512 MiB machine's, which boot writes in every section
// anyway. A bigger machine's higher sections get their own, on first
// write, so that a 16 GiB machine still boots in a few MiB.
const flatSections = 8

// zeroPage is what a page struct in a never-written section reads as.
var zeroPage page

// peek returns pfn's page struct for reading; a section never written reads
// as all zeros. pfn must be below maxPFN.
func (m *physMem) peek(pfn uint32) *page {
	s := m.sections[pfn>>sectionShift]
	if s == nil {
		return &zeroPage
	}
	return &s[pfn&sectionMask]
}

// pg returns pfn's page struct for writing, allocating its section's mem_map
// on first use. pfn must be below maxPFN.
func (m *physMem) pg(pfn uint32) *page {
	return &m.section(pfn)[pfn&sectionMask]
}

// section returns the mem_map of pfn's section, allocating it on first use.
func (m *physMem) section(pfn uint32) *memSection {
	s := m.sections[pfn>>sectionShift]
	if s == nil {
		if base := int(pfn &^ sectionMask); base < len(m.flat) {
			s = (*memSection)(m.flat[base : base+sectionPages])
		} else {
			s = new(memSection)
		}
		m.sections[pfn>>sectionShift] = s
	}
	return s
}

// at returns the page struct of a frame whose section is known to have a
// mem_map: a block on a free or per-CPU list, or an allocated block.
//
// A frame of the first sections is found in flat, which those sections
// point into: one bounds check and one load where sections would take a
// bounds check, two dependent loads and a nil check. (Only a section with
// a mem_map is asked, so flat's entry is the section's.)
func (m *physMem) at(pfn uint32) *page {
	if uint(pfn) < uint(len(m.flat)) {
		return &m.flat[pfn]
	}
	return &m.sections[pfn>>sectionShift][pfn&sectionMask]
}

// contents returns pfn's data for reading, or nil when it was never written
// (reads as zeros).
func (m *physMem) contents(pfn PFN) *pageContents {
	cs := m.content[pfn>>contentChunkShift]
	if cs == nil {
		return nil
	}
	return cs[pfn&contentChunkMask]
}

// contentsForWrite returns pfn's data, allocating it on first write.
func (m *physMem) contentsForWrite(pfn PFN) *pageContents {
	cs := m.content[pfn>>contentChunkShift]
	if cs == nil {
		cs = new(contentChunk)
		m.content[pfn>>contentChunkShift] = cs
	}
	c := cs[pfn&contentChunkMask]
	if c == nil {
		c = new(pageContents)
		cs[pfn&contentChunkMask] = c
	}
	return c
}

// clearPages zeroes 2^order pages from pfn, as clear_highpage() does for
// __GFP_ZERO: dropping the contents is the same as writing zeros.
//
// A block never spans two chunks (a chunk is a top-order block, a block is
// aligned to its size), so the chunk's contents are looked up once.
func (m *physMem) clearPages(pfn PFN, order int) {
	if cs := m.content[pfn>>contentChunkShift]; cs != nil {
		i := pfn & contentChunkMask
		clear(cs[i : i+1<<order])
	}
}

// MaxPFN returns one past the highest valid page frame number (max_pfn).
func (k *Kernel) MaxPFN() PFN { return k.mem.maxPFN }

// PFNValid mirrors pfn_valid() for SPARSEMEM: true when pfn lies in a
// section that has memory, including the holes inside such a section (their
// page structs exist and are PG_reserved).
func (k *Kernel) PFNValid(pfn PFN) bool {
	return pfn < k.mem.maxPFN && k.mem.present[pfn>>sectionShift]
}

// PageAddress mirrors page_address(): the direct-map address of pfn.
func PageAddress(pfn PFN) Addr { return PageOffset + Addr(pfn)<<PageShift }

// VirtToPage mirrors virt_to_page() for direct-map addresses; ok is false for
// an address outside the direct map or beyond RAM.
func (k *Kernel) VirtToPage(a Addr) (pfn PFN, ok bool) {
	if !IsDirectMapAddr(a) {
		return 0, false
	}
	pfn = PFN((a - PageOffset) >> PageShift)
	return pfn, k.PFNValid(pfn)
}

// VirtToPhys mirrors virt_to_phys() (__pa) for direct-map addresses.
func (k *Kernel) VirtToPhys(a Addr) (phys uint64, ok bool) {
	if _, ok := k.VirtToPage(a); !ok {
		return 0, false
	}
	return uint64(a - PageOffset), true
}

// PageStructAddr returns the address of pfn's struct page in the vmemmap, the
// value a struct page * holds.
func PageStructAddr(pfn PFN) Addr { return VmemmapBase + Addr(pfn)*StructPageSize }

// PageStructToPFN mirrors page_to_pfn() for a struct page * value; ok is
// false when p is not the address of a struct page in the vmemmap.
func PageStructToPFN(p Addr) (PFN, bool) {
	if p < VmemmapBase || (p-VmemmapBase)%StructPageSize != 0 {
		return 0, false
	}
	return PFN((p - VmemmapBase) / StructPageSize), true
}

// SetPageUse records what the allocated block at pfn is used for (PG_slab,
// page cache, ...) and a word for its user; /proc/meminfo and page dumps
// read it. AllocPages returns blocks as PageUseKernel.
func (k *Kernel) SetPageUse(pfn PFN, use PageUse, data uint32) {
	if !k.PFNValid(pfn) {
		return
	}
	p := k.mem.pg(uint32(pfn))
	p.use, p.data = use, data
}

// PageUseOf returns what the block headed by pfn is used for and its user's
// word; ok is false when pfn is not the head of an allocated block.
func (k *Kernel) PageUseOf(pfn PFN) (use PageUse, data uint32, ok bool) {
	if !k.PFNValid(pfn) {
		return 0, 0, false
	}
	p := k.mem.peek(uint32(pfn))
	return p.use, p.data, p.flags&pgHead != 0
}

// workPerPage is what allocating one page frame counts in Work: as much
// as touching a cache line's worth of memory four times.
const workPerPage = 256

// Work returns the bulk work memory accesses did since boot, in bytes:
// every byte read, written or cleared through kernel or user memory
// accessors, and workPerPage for every page frame the page allocator
// handed out. Unlike Linux, where such work costs time, kscript charges
// it to the script whose builtin caused it (a memset of 32 MiB is not one
// step), so that a runaway script is stopped by its step budget on every
// machine alike.
func (k *Kernel) Work() uint64 { return k.mem.work }
