package runtime

import (
	"cmp"
	"slices"
	"sort"

	"kscript.dev/kscript/kernelsim"
)

// heldRecord is what the module's allocations handed it during the run,
// freed since or not: the page blocks and vmalloc areas with the frames
// behind them, and the start of every object the call log followed
// (kmalloc, kmem_cache, krealloc…). The lessons' {{pfn}} and {{kptr}}
// placeholders check a printed frame number or pointer against it
// (Machine.HeldPFN, Machine.HeldPointer), so a number typed into the line
// does not pass for one the module computed.
//
// Memory is bounded: at most maxHeldFrames frames of blocks and areas,
// and maxHeldObjects object starts; what comes after is not recorded. An
// object's frame is not recorded but derived from its address when asked
// (virt_to_page), which keeps the kmalloc fast path to one comparison: a
// loop that frees what it allocates gets the same address back, which is
// recorded once.
type heldRecord struct {
	blocks  []heldBlock
	frames  int
	objs    []kernelsim.Addr
	lastObj kernelsim.Addr
	// printed are the addresses %p and %px formatted, at most
	// maxHeldPrinted: a printed pointer is checked among them.
	printed     []kernelsim.Addr
	lastPrinted kernelsim.Addr

	// pfnIdx and ptrIdx answer HeldPFN and HeldPointer once built (on the
	// first question after the record last changed): a check may ask for
	// every line of a long log, and the record holds up to 2^16 frames,
	// 2^16 objects and 2^12 printed addresses.
	pfnIdx map[uint64]bool
	ptrIdx map[uint64]bool
}

// changed drops the indexes: the record grew.
func (h *heldRecord) changed() { h.pfnIdx, h.ptrIdx = nil, nil }

// heldBlock is a page block (alloc_pages, __get_free_pages…) or a vmalloc
// area the module got.
type heldBlock struct {
	start kernelsim.Addr // the address the allocation returned (page_address of a block)
	size  uint64
	pfn   kernelsim.PFN   // a page block's first frame (pfns is nil)
	n     int             // a page block's frames
	pfns  []kernelsim.PFN // a vmalloc area's frames, in order (area->pages)
	page  bool            // a page block, whose struct page * the module may print too
}

const (
	maxHeldFrames  = 1 << 16
	maxHeldObjects = 1 << 16
	maxHeldPrinted = 1 << 12
	maxHolderSteps = 1 << 20 // holder's walks, all questions together
)

// holdPages records a page block of 2^order frames from pfn.
func (h *heldRecord) holdPages(pfn kernelsim.PFN, order int) {
	n := 1 << order
	if h.frames+n > maxHeldFrames {
		return
	}
	h.frames += n
	h.changed()
	h.blocks = append(h.blocks, heldBlock{start: kernelsim.PageAddress(pfn), size: uint64(n) * kernelsim.PageSize, pfn: pfn, n: n, page: true})
}

// holdArea records the vmalloc area at a of size bytes (as asked), backed
// by pages (copied, as many as the bound leaves room for).
func (h *heldRecord) holdArea(a kernelsim.Addr, size uint64, pages []kernelsim.PFN) {
	if h.frames >= maxHeldFrames {
		return // (every area has a page: the areas are bounded too)
	}
	pages = pages[:min(len(pages), maxHeldFrames-h.frames)]
	h.frames += len(pages)
	h.changed()
	h.blocks = append(h.blocks, heldBlock{start: a, size: size, pfns: append([]kernelsim.PFN(nil), pages...)})
}

// holdObject records an object's start (recordAlloc calls it for every
// followed object whose start is not the last one recorded).
func (h *heldRecord) holdObject(a kernelsim.Addr) {
	h.lastObj = a
	if len(h.objs) < maxHeldObjects {
		h.objs = append(h.objs, a)
		h.changed()
	}
}

// holdBlock records a page block of order order that a page allocator
// call returned at page_address a (0: it failed).
func (c call) holdBlock(a kernelsim.Addr, order int) {
	if kernelsim.IsDirectMapAddr(a) {
		c.e.calls.held.holdPages(kernelsim.PFN((a-kernelsim.PageOffset)>>kernelsim.PageShift), order)
	}
}

// holdVmalloc records the vmalloc area of size bytes a vmalloc call
// returned at a (0: it failed; kvmalloc's kmalloc object, which track
// records, is no area).
func (c call) holdVmalloc(a kernelsim.Addr, size uint64) {
	if !kernelsim.IsVmallocAddr(a) {
		return
	}
	if area := c.k().FindVMArea(a); area != nil {
		c.e.calls.held.holdArea(a, size, area.Pages)
	}
}

// HeldPFN reports whether pfn is the frame of a page the module held
// during the run: in one of its page blocks, behind one of its vmalloc
// areas, or the slab (or large kmalloc) page of one of its objects.
func (m *Machine) HeldPFN(pfn uint64) bool {
	h := &m.env.calls.held
	if h.pfnIdx == nil {
		h.pfnIdx = map[uint64]bool{}
		for i := range h.blocks {
			b := &h.blocks[i]
			if b.page {
				for j := range b.n {
					h.pfnIdx[uint64(b.pfn)+uint64(j)] = true
				}
			}
			for _, p := range b.pfns {
				h.pfnIdx[uint64(p)] = true
			}
		}
		for _, a := range h.objs {
			if kernelsim.IsDirectMapAddr(a) {
				h.pfnIdx[uint64(a-kernelsim.PageOffset)>>kernelsim.PageShift] = true
			}
		}
	}
	return h.pfnIdx[pfn]
}

// HeldPointer reports whether printed is what printk printed for an
// address the module got from one of its allocations: %p's hash of it
// with this boot's key (kernelsim.Kernel.PointerID), or the address itself
// (%px, or %p with no_hash_pointers). The address must be one a %p or %px
// of the run formatted (an address typed into the line, which the
// deterministic simulated kernel would hand out again, was not), and one
// the module held: an allocation's start, a page block's struct page *, or
// an address inside a page block, its struct pages or a vmalloc area.
func (m *Machine) HeldPointer(printed uint64) bool {
	h := &m.env.calls.held
	if h.ptrIdx == nil {
		h.ptrIdx = map[uint64]bool{}
		held := h.holder()
		for _, a := range h.printed {
			if held(a) {
				h.ptrIdx[uint64(a)] = true
				h.ptrIdx[m.k.PointerID(a)] = true
			}
		}
	}
	return h.ptrIdx[printed]
}

// heldRange is an address range [lo, lo+n) the module held.
type heldRange struct {
	lo kernelsim.Addr
	n  uint64
}

// holder returns a function that reports whether a is an address the
// module got from one of its allocations (HeldPointer): an allocation's
// start, an address inside a page block, its struct pages or a vmalloc
// area. It sorts the record's ranges once, so that each question is a
// binary search.
func (h *heldRecord) holder() func(kernelsim.Addr) bool {
	objs := make(map[kernelsim.Addr]bool, len(h.objs))
	for _, o := range h.objs {
		objs[o] = true
	}
	var rs []heldRange
	for i := range h.blocks {
		b := &h.blocks[i]
		rs = append(rs, heldRange{b.start, max(b.size, 1)})
		if b.page {
			rs = append(rs, heldRange{kernelsim.PageStructAddr(b.pfn), uint64(b.n) * kernelsim.StructPageSize})
		}
	}
	slices.SortFunc(rs, func(x, y heldRange) int { return cmp.Compare(x.lo, y.lo) })
	// reach[i] is the highest end among rs[:i+1]: ranges may overlap (a
	// block freed and allocated again).
	reach := make([]uint64, len(rs))
	for i, r := range rs {
		reach[i] = uint64(r.lo) + r.n
		if i > 0 {
			reach[i] = max(reach[i], reach[i-1])
		}
	}
	// Overlapping ranges make a walk long; steps bounds the walks of all
	// the questions together, deterministically (a record built to make
	// them long has its remaining addresses refused, never a slow grade).
	steps := maxHolderSteps
	return func(a kernelsim.Addr) bool {
		if objs[a] {
			return true
		}
		// Walk back from the last range starting at or below a while
		// some range at or before it still reaches past a.
		i := sort.Search(len(rs), func(i int) bool { return rs[i].lo > a }) - 1
		for ; i >= 0 && reach[i] > uint64(a) && steps > 0; i-- {
			steps--
			if uint64(a-rs[i].lo) < rs[i].n {
				return true
			}
		}
		return false
	}
}

// notePrinted records an address a %p or %px formatted (HeldPointer).
func (h *heldRecord) notePrinted(a kernelsim.Addr) {
	if a == h.lastPrinted || a == 0 {
		return
	}
	h.lastPrinted = a
	if len(h.printed) < maxHeldPrinted {
		h.printed = append(h.printed, a)
		h.changed()
	}
}

// HeldMemory is what of the machine's memory a run's module got from its
// page and vmalloc allocations (HeldPFN's frames but its objects' slab
// pages, and its vmalloc areas' ranges), for a second run to take out of
// the allocators' hands before it starts (grade's verify run).
type HeldMemory struct {
	Frames []kernelsim.PFN
	Areas  []HeldArea
}

// HeldArea is a vmalloc area's range: its start and the size asked for.
type HeldArea struct {
	Start kernelsim.Addr
	Size  uint64
}

// HeldMemory returns what the run's module held of page blocks and
// vmalloc areas, freed since or not (bounded as the record is).
func (m *Machine) HeldMemory() HeldMemory {
	h := &m.env.calls.held
	var out HeldMemory
	for i := range h.blocks {
		b := &h.blocks[i]
		if b.page {
			for j := range b.n {
				out.Frames = append(out.Frames, b.pfn+kernelsim.PFN(j))
			}
			continue
		}
		out.Frames = append(out.Frames, b.pfns...)
		out.Areas = append(out.Areas, HeldArea{Start: b.start, Size: b.size})
	}
	return out
}
