package kernelsim

import (
	"reflect"
	"testing"
)

// TestBuddyEventsSplitAndMerge allocates a page when the smallest free
// block is of order 3 and frees it again: the observer sees the take, the
// three splits (8 → 4+2+1+1) and, on the free, three merges back into the
// order-3 block.
func TestBuddyEventsSplitAndMerge(t *testing.T) {
	k := bootTest(t, Config{NoPCP: true}) // straight from the buddy lists
	z := &k.zones.z[ZoneDMA32]
	// Empty orders 0-2 of the zone so the next order-0 allocation splits.
	for o := 0; o < 3; o++ {
		for z.freeArea[o].NrFree > 0 {
			pfn, ok := k.AllocPages(GFP_KERNEL|GFPDMA32, o)
			if !ok {
				t.Fatalf("alloc order %d failed", o)
			}
			defer k.FreePages(pfn, o)
		}
	}
	if z.freeArea[3].NrFree == 0 {
		t.Skip("no order-3 block in DMA32")
	}
	var evs []BuddyEvent
	k.SetBuddyObserver(func(e BuddyEvent) { evs = append(evs, e) })
	pfn, ok := k.AllocPages(GFP_KERNEL|GFPDMA32, 0)
	if !ok {
		t.Fatal("order-0 allocation failed")
	}
	want := []BuddyEvent{{BuddyTake, ZoneDMA32, pfn, 3}, {BuddySplit, ZoneDMA32, pfn, 3},
		{BuddySplit, ZoneDMA32, pfn, 2}, {BuddySplit, ZoneDMA32, pfn, 1}}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("allocation events %v, want %v", evs, want)
	}
	evs = nil
	if err := k.FreePages(pfn, 0); err != nil {
		t.Fatal(err)
	}
	want = []BuddyEvent{{BuddyMerge, ZoneDMA32, pfn, 0}, {BuddyMerge, ZoneDMA32, pfn, 1},
		{BuddyMerge, ZoneDMA32, pfn, 2}, {BuddyPut, ZoneDMA32, pfn, 3}}
	if len(evs) < 4 || !reflect.DeepEqual(evs[:3], want[:3]) || evs[len(evs)-1].Kind != BuddyPut {
		t.Errorf("free events %v, want %v (merges may go on above order 3)", evs, want)
	}
	k.SetBuddyObserver(nil)
}

// TestMemMapOwners checks that the memory map classifies a page from
// alloc_pages, a large kmalloc, a slab object's page and a vmalloc area's
// pages by their owner, and that the frames of a free block carry its order.
func TestMemMapOwners(t *testing.T) {
	k := bootTest(t, Config{})
	pages, ok := k.AllocPages(GFP_KERNEL, 1)
	if !ok {
		t.Fatal("alloc_pages failed")
	}
	large := k.Kmalloc(64<<10, GFP_KERNEL)
	small := k.Kmalloc(100, GFP_KERNEL)
	v := k.Vmalloc(3*PageSize, GFP_KERNEL)
	if large == 0 || small == 0 || v == 0 {
		t.Fatal("allocation failed")
	}
	m := k.MemMap()
	lp, _ := k.VirtToPage(large)
	sp, _ := k.VirtToPage(small)
	vp := k.VmallocToPFN(v)
	for _, tc := range []struct {
		name  string
		pfn   PFN
		owner FrameOwner
		order uint8
	}{
		{"alloc_pages head", pages, FramePages, 1},
		{"alloc_pages tail", pages + 1, FramePages, 1},
		{"kmalloc-large", lp, FrameKmallocLarge, 4},
		{"slab", sp, FrameSlab, m[sp].Order},
		{"vmalloc", vp, FrameVmalloc, 0},
	} {
		if f := m[tc.pfn]; f.Owner != tc.owner || f.Order != tc.order {
			t.Errorf("%s: pfn %#x is %v order %d, want %v order %d", tc.name, tc.pfn, f.Owner, f.Order, tc.owner, tc.order)
		}
	}
	if !m[pages].Head || m[pages+1].Head {
		t.Errorf("head flags of the alloc_pages block: %v %v, want true false", m[pages].Head, m[pages+1].Head)
	}
	free := 0
	for pfn, f := range m {
		if f.Owner == FrameFree && f.Head {
			if !k.isBuddy(uint32(pfn), int(f.Order)) && !(int(f.Order) == MaxOrder-1 && k.mem.top[pfn>>(MaxOrder-1)].free) {
				t.Fatalf("pfn %#x: map says a free block of order %d, the free lists do not", pfn, f.Order)
			}
			free += 1 << f.Order
		}
	}
	if int64(free) != k.nrFreePages() {
		t.Errorf("map's free pages %d, NR_FREE_PAGES %d", free, k.nrFreePages())
	}
	k.Vfree(v)
	k.Kfree(small)
	k.Kfree(large)
	k.FreePages(pages, 1)
}
