package kernelsim

import "fmt"

// Bad frees, mirroring free_page_is_bad() and bad_page() in mm/page_alloc.c
// and __dump_page() in mm/debug.c.
//
// Before a block goes back to the free lists, Linux checks its first page's
// struct page: a page still mapped, still owned by a mapping, with a
// reference left or with flags that must be clear at free is reported as
// "BUG: Bad page state", dumped, and kept out of the allocator, and the
// kernel is tainted B.
//
// Unlike Linux, kernelsim also catches frees Linux cannot see without
// CONFIG_DEBUG_VM: a page in the middle of an allocated block, a block
// freed with the wrong order, an order above MAX_ORDER-1, an address that
// is not a page's start. Linux prints nothing for these, so neither does
// kernelsim: each is kscript's own finding (Kernel.note), never a line in
// kernel format. The free lists are never touched by a bad free.

// freePageIsBad checks a free of 2^order pages at pfn; when it is bad, the
// report is printed and bad is true. err is non-nil when Linux would Oops
// (a pfn with no struct page at all).
func (k *Kernel) freePageIsBad(pfn PFN, order int) (bad bool, err error) {
	if !k.PFNValid(pfn) {
		// pfn_to_page() of a frame with no memmap: the first access to
		// the struct page faults.
		return true, k.pageFault(PageStructAddr(pfn), false, "__free_pages+0x13/0x80")
	}
	if order < 0 || order >= MaxOrder {
		k.note("bad-page-state", fmt.Sprintf("kscript: __free_pages() with order %d, above MAX_ORDER-1 (%d); nothing was freed", order, MaxOrder-1))
		return true, nil
	}
	p := k.mem.peek(uint32(pfn))
	_, state := k.pageBlockOf(pfn)
	switch {
	case p.flags&pgReserved != 0 || p.flags&pgHead != 0 && p.use == PageUseSlab:
		k.freeOfPageInUse(pfn, order, p.flags&pgReserved != 0)
	case state == blockFree:
		k.freeOfFreePage(pfn, order)
	case p.flags&pgHead == 0:
		// Linux drops a reference the page never had (its _refcount
		// goes to -1) and frees nothing, silently.
		k.note("bad-page-state", fmt.Sprintf("kscript: __free_pages() of pfn %#x, not the first page of an allocated block (Linux prints nothing for this; the page's reference count goes wrong); nothing was freed", uint64(pfn)))
	case int(p.order) != order:
		k.wrongOrderFree(pfn, order, int(p.order))
	default:
		return false, nil
	}
	return true, nil
}

// freeOfPageInUse mirrors __free_pages() of a page the kernel still uses
// (PG_reserved, or PG_slab: a slab's pages). Its _refcount drops to 0 and
// free_the_page() frees it. A block of order 0 to 3 goes to the per-CPU
// lists through free_pcp_prepare(), which on a kernel without
// CONFIG_DEBUG_VM (Debian's) does not check the first page: its flags are
// cleared and the page is freed while still in use, without a word. A
// larger block goes through __free_pages_ok(), whose free_page_is_bad()
// reports it ("PAGE_FLAGS_CHECK_AT_FREE flag(s) set"). Unlike Linux,
// kernelsim frees nothing; for the silent case it records kscript's own
// finding.
func (k *Kernel) freeOfPageInUse(pfn PFN, order int, reserved bool) {
	if uint(order) > pageAllocCostlyOrd {
		k.badPage(pfn, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set", freePagesOkHeadFrames)
		return
	}
	what := "a slab's page (PG_slab)"
	if reserved {
		what = "a reserved page (PG_reserved)"
	}
	k.note("bad-page-state", fmt.Sprintf("kscript: __free_pages() of pfn %#x, order %d, %s; "+
		"Linux 6.1 without CONFIG_DEBUG_VM does not check a block of order 0 to 3 freed to the per-CPU lists: "+
		"it clears the page's flags and frees it while it is still in use, printing nothing; kscript freed nothing",
		uint64(pfn), order, what))
}

// The frames under bad_page() in Debian's 6.1 build (System.map and code of
// linux-image-6.1.0-57-amd64): free_page_is_bad_report() tail-calls
// bad_page(), __free_pages() tail-calls free_unref_page() or
// __free_pages_ok(), so neither shows; the first page's check is
// __free_pages_ok's alone, the other pages' are in both paths.
var (
	badPageTop             = "bad_page.cold+0x63/0x8f"
	freePagesOkHeadFrames  = []string{badPageTop, "__free_pages_ok+0x329/0x610"}
	freePagesOkTailFrames  = []string{badPageTop, "__free_pages_ok+0x50d/0x610"}
	freeUnrefPageTailFrame = []string{badPageTop, "free_pcp_prepare+0x379/0x3e0", "free_unref_page+0x25/0x1d0"}
)

// freeOfFreePage mirrors __free_pages() of a page that is already free, a
// double free: its _refcount is 0, put_page_testzero() takes it to -1 and
// is false, so nothing goes back to the free lists for order 0; for a
// larger order the page has lost PG_head, and __free_pages() frees the
// block's upper halves (page + 2^i, order i) a second time. Without
// CONFIG_DEBUG_VM (Debian) nothing is printed: no check runs on this path.
// "BUG: Bad page state ... nonzero _refcount" may come much later, when
// the page is taken from the buddy lists again, or never. Unlike Linux,
// kernelsim frees nothing and leaves the refcount alone, recording
// kscript's own finding.
func (k *Kernel) freeOfFreePage(pfn PFN, order int) {
	halves := ""
	if order > 0 {
		halves = ", and the block's upper halves are freed a second time, so that two later allocations can get the same pages"
	}
	k.note("double-free", fmt.Sprintf("kscript: __free_pages() of pfn %#x, order %d, which is already free; "+
		"Linux 6.1 prints nothing (without CONFIG_DEBUG_VM its _refcount goes from 0 to -1%s; "+
		"\"BUG: Bad page state ... nonzero _refcount\" may come later, when the page leaves the buddy lists again); kscript freed nothing",
		uint64(pfn), order, halves))
}

// inTopFreeBlock reports whether pfn heads a free top-order block.
func (k *Kernel) inTopFreeBlock(pfn uint32) bool {
	return pfn&(1<<(MaxOrder-1)-1) == 0 && k.mem.top[pfn>>(MaxOrder-1)].free
}

// badPage mirrors bad_page(): the report, the page dump, the modules and
// the stack (frames: bad_page's and its callers', under dump_stack); taint
// B.
func (k *Kernel) badPage(pfn PFN, reason string, frames []string) {
	title := fmt.Sprintf("BUG: Bad page state in process %s  pfn:%05x", k.Current().Comm, uint64(pfn))
	k.printk(LogAlert, "%s\n", title)
	k.dumpPage(pfn, reason)
	k.printk(LogAlert, "Modules linked in:%s\n", k.modulesLinkedIn())
	k.dumpStack(LogWarning, frames...)
	k.addTaintUnreliable(TaintBadPage)
	k.report("bad-page-state", title, false)
}

// dumpPage mirrors __dump_page(): the page line, flags, the raw words of
// struct page and the reason.
func (k *Kernel) dumpPage(pfn PFN, reason string) {
	p := *k.mem.peek(uint32(pfn))
	refcount, mapcount := 0, 0
	private := uint64(0)
	mapcountWord := uint64(0xffffffff) // _mapcount -1
	switch {
	case p.flags&pgHead != 0:
		refcount = 1
	case p.flags&pgBuddy != 0 || k.inTopFreeBlock(uint32(pfn)):
		mapcount, mapcountWord = -128, 0xffffff7f // PG_buddy in page_type
		private = uint64(p.order)
		if k.inTopFreeBlock(uint32(pfn)) {
			private = MaxOrder - 1
		}
	}
	zone := k.zoneOf(uint32(pfn)).idx
	flags := pageFlagsWord(zone)
	names := ""
	if p.flags&pgReserved != 0 {
		flags |= 1 << pgReservedBit
		names = "reserved|"
	}
	if p.use == PageUseSlab && p.flags&pgHead != 0 {
		flags |= 1 << pgSlabBit
		names = "slab|"
	}
	k.printk(LogWarning, "page:%s refcount:%d mapcount:%d mapping:0000000000000000 index:0x0 pfn:%#x\n",
		k.hashedPtr(PageStructAddr(pfn)), refcount, mapcount, uint64(pfn))
	k.printk(LogWarning, "flags: %#x(%snode=0|zone=%d|lastcpupid=0x1fffff)\n", flags, names, zone)
	k.printk(LogWarning, "raw: %016x %016x %016x 0000000000000000\n", flags, uint64(PageStructAddr(pfn))+8, uint64(PageStructAddr(pfn))+8)
	k.printk(LogWarning, "raw: 0000000000000000 %016x %08x%08x 0000000000000000\n", private, refcount, mapcountWord)
	k.printk(LogWarning, "page dumped because: %s\n", reason)
}

// Bits of page->flags on Debian's x86-64 build (include/linux/page-flags.h
// and page-flags-layout.h): PG_reserved and PG_slab, then the zone at bit 51
// and last_cpupid (21 bits, all ones after reset) at bit 30.
const (
	pgReservedBit = 10
	pgSlabBit     = 9
)

func pageFlagsWord(zone int) uint64 { return uint64(zone)<<51 | 0x1fffff<<30 }

// badFreeAddress reports free_pages() of an address that is not a page in
// the direct map: virt_to_page() yields a struct page that is not one.
func (k *Kernel) badFreeAddress(a Addr, order int) error {
	pfn := PFN((a - PageOffset) >> PageShift)
	if !IsDirectMapAddr(a) || !k.PFNValid(pfn) {
		return k.pageFault(VmemmapBase+Addr(uint64(a-PageOffset)>>PageShift)*StructPageSize, false, "free_pages+0x1b/0x30")
	}
	// Linux frees the page a lies in (virt_to_page) without a word;
	// unlike Linux, kscript frees nothing and says why.
	k.note("bad-page-state", fmt.Sprintf("kscript: free_pages() of %#x, not the start of a page (Linux prints nothing and frees the page the address lies in); nothing was freed", uint64(a)))
	_ = order
	return nil
}

// hashedPtr is %p (HashPointer): one keyed hash for every %p the kernel
// prints, so that one pointer reads the same in every report.
func (k *Kernel) hashedPtr(a Addr) string { return k.HashPointer(a) }

// wrongOrderFree handles __free_pages() of an allocated block with another
// order than it was allocated with. Linux 6.1 has no check for this:
// free_pages_prepare() only checks the pages it is told to free. A smaller
// order frees the first 2^order pages and leaks the rest, silently; a
// larger one also frees the pages after the block, and bad_page() reports
// the first of them that is free (nonzero mapcount: PageBuddy) or in use
// by someone else (nonzero _refcount).
//
// Unlike Linux, kscript frees nothing (its page model has no partial
// blocks) and records what it knows as its own finding, class
// "wrong-order-free", never printed in kernel format: the health summary
// and the explanation name the script line.
func (k *Kernel) wrongOrderFree(pfn PFN, order, allocOrder int) {
	if order > allocOrder {
		tail := uint32(pfn) + 1<<allocOrder
		t := k.mem.peek(tail)
		frames := freeUnrefPageTailFrame
		if uint(order) > pageAllocCostlyOrd {
			frames = freePagesOkTailFrames
		}
		// A page on a per-CPU list is not PageBuddy: its struct page
		// looks free and passes the check.
		switch {
		case t.flags&pgBuddy != 0 || k.inTopFreeBlock(tail):
			k.badPage(PFN(tail), "nonzero mapcount", frames)
		case t.flags&pgHead != 0:
			k.badPage(PFN(tail), "nonzero _refcount", frames)
		}
	}
	k.note("wrong-order-free", fmt.Sprintf("kscript: __free_pages() with order %d of a block allocated with order %d (Linux prints nothing for this itself)", order, allocOrder))
}
