package kernelsim

import "testing"

// TestTakeFreeFrames takes the frames a module's allocations got (a block
// of order 1, on the per-CPU lists once freed, and the pages of a vmalloc
// area) out of a second kernel booted the same: the same allocations
// there get none of them, the allocator's invariants hold, and the frames
// count as used.
func TestTakeFreeFrames(t *testing.T) {
	for _, pcp := range []bool{false, true} {
		first := bootReserve(t, pcp)
		pfn, ok := first.AllocPages(GFP_KERNEL, 1)
		if !ok {
			t.Fatal("alloc_pages failed")
		}
		area := first.FindVMArea(first.Vmalloc(64*PageSize, GFP_KERNEL))
		held := []PFN{pfn, pfn + 1}
		held = append(held, area.Pages...)

		second := bootReserve(t, pcp)
		// A page freed to the per-CPU lists (pcp) is free too.
		x, ok := second.AllocPages(GFP_KERNEL, 0)
		if !ok || second.FreePages(x, 0) != nil {
			t.Fatal("alloc_pages or __free_pages failed")
		}
		if pcp && !second.onPCP(uint32(x)) {
			t.Fatalf("pfn %d is not on a per-CPU list", x)
		}
		held = append(held, x)
		taken := map[PFN]bool{}
		for _, p := range held {
			taken[p] = true
		}
		free := second.nrFreePages() + second.freePCP() // (a drain moves pages from one to the other)
		if n := second.TakeFreeFrames(held); n != len(taken) {
			t.Errorf("pcp=%v: took %d of %d free frames", pcp, n, len(taken))
		}
		if got := second.nrFreePages() + second.freePCP(); got != free-int64(len(taken)) {
			t.Errorf("pcp=%v: %d pages free, want %d", pcp, got, free-int64(len(taken)))
		}
		if n := second.TakeFreeFrames(held); n != 0 {
			t.Errorf("took %d frames a second time", n)
		}
		checkInvariants(t, second)
		again, ok := second.AllocPages(GFP_KERNEL, 1)
		if !ok || taken[again] || taken[again+1] {
			t.Errorf("pcp=%v: alloc_pages gave %d (ok %v), a frame taken", pcp, again, ok)
		}
		for _, p := range second.FindVMArea(second.Vmalloc(64*PageSize, GFP_KERNEL)).Pages {
			if taken[p] {
				t.Fatalf("pcp=%v: vmalloc gave taken frame %d", pcp, p)
			}
		}
		checkInvariants(t, second)
	}
}

// TestReserveVmallocRange: a range reserved is skipped by the next
// vmalloc, which would have been placed there; a busy range cannot be.
func TestReserveVmallocRange(t *testing.T) {
	first := bootReserve(t, false)
	a := first.Vmalloc(1<<20, GFP_KERNEL)
	second := bootReserve(t, false)
	if !second.ReserveVmallocRange(a, 1<<20, "test_reserved") {
		t.Fatal("the range is free on a fresh kernel")
	}
	if second.ReserveVmallocRange(a, 1<<20, "test_reserved") {
		t.Fatal("reserved twice")
	}
	if b := second.Vmalloc(1<<20, GFP_KERNEL); b == a || b < a+(1<<20) && b+(1<<20) > a {
		t.Errorf("vmalloc at %#x overlaps the reserved %#x", uint64(b), uint64(a))
	}
	checkInvariants(t, second)
}

func bootReserve(t *testing.T, pcp bool) *Kernel {
	t.Helper()
	k, err := New(Config{Seed: 3, NoPCP: !pcp})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestAvoidFrames: a frame in use when AvoidFrames is called and freed
// afterwards is never handed out again, on either path (with per-CPU
// lists or without), and the allocator stays consistent.
func TestAvoidFrames(t *testing.T) {
	for _, pcp := range []bool{false, true} {
		k := bootReserve(t, pcp)
		a, ok := k.AllocPages(GFP_KERNEL, 0)
		if !ok {
			t.Fatal("alloc_pages failed")
		}
		if err := k.FreePages(a, 0); err != nil {
			t.Fatal(err)
		}
		if again, _ := k.AllocPages(GFP_KERNEL, 0); again != a {
			t.Fatalf("pcp=%v: the allocator does not hand the page just freed back (%d, want %d): the test needs it", pcp, again, a)
		}
		k.AvoidFrames([]PFN{a, a + 1}) // a in use, a+1 free (or not)
		if err := k.FreePages(a, 0); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 64; i++ {
			p, ok := k.AllocPages(GFP_KERNEL, 0)
			if !ok || p == a || p == a+1 {
				t.Fatalf("pcp=%v: alloc_pages gave %d (ok %v), an avoided frame", pcp, p, ok)
			}
			if b, ok := k.AllocPages(GFP_KERNEL, 1); !ok || b == a&^1 {
				t.Fatalf("pcp=%v: alloc_pages(order 1) gave %d (ok %v), a block with an avoided frame", pcp, b, ok)
			}
		}
		if _, st := k.pageBlockOf(a); st != blockAllocated || k.mem.peek(uint32(a)).data != tagTaken {
			t.Errorf("pcp=%v: the avoided frame freed is not withheld (state %v)", pcp, st)
		}
		checkInvariants(t, k)
	}
}
