package kernelsim

import (
	"bytes"
	"testing"
)

// TestPeekZeroFill: PeekZeroFill says "zeros" only where Peek reads zeros:
// a fresh kmalloc object under init_on_alloc, not one written to, not a
// poisoned one (slub_debug=P), not an address inside an object, and not
// more bytes than the object has.
func TestPeekZeroFill(t *testing.T) {
	// agree checks PeekZeroFill's answer, and that Peek (which writes the
	// fill out: call it last on an object) reads zeros where it says so.
	agree := func(k *Kernel, a Addr, n uint64, want bool) {
		t.Helper()
		got := k.PeekZeroFill(a, n)
		if got != want {
			t.Errorf("PeekZeroFill(%#x, %d) = %v, want %v", a, n, got, want)
		}
		buf := make([]byte, n)
		k.Peek(a, buf)
		if got && !bytes.Equal(buf, make([]byte, n)) {
			t.Errorf("PeekZeroFill(%#x, %d) true, but Peek reads % x", a, n, buf)
		}
	}
	k := newSlabKernel(t, Config{})
	k.Stack = func() []Frame { return []Frame{{Func: "f", File: "x.star", Line: 1}} }
	a := k.Kmalloc(100, GFP_KERNEL)
	if !k.PeekZeroFill(a, 128) || k.PeekZeroFill(a, 129) || k.PeekZeroFill(a+8, 8) {
		t.Errorf("a fresh kmalloc-128 object: want zeros for its 128 bytes only, from its start only")
	}
	agree(k, a, 100, true)
	agree(k, a, 100, false) // Peek wrote the fill out
	b := k.Kmalloc(64, GFP_KERNEL)
	if err := k.StoreByte(b+63, 1); err != nil {
		t.Fatal(err)
	}
	agree(k, b, 64, false)
	c := k.Kmalloc(64, GFP_KERNEL)
	var one [1]byte
	if err := k.ReadMem(c, one[:]); err != nil { // a read writes the fill out too
		t.Fatal(err)
	}
	agree(k, c, 64, false)
	agree(k, 0, 8, false)

	p := newSlabKernel(t, Config{Cmdline: "slub_debug=P"})
	d := p.Kmalloc(64, GFP_KERNEL)
	agree(p, d, 64, false) // 6b 6b ... a5
	e := p.Kmalloc(64, GFP_KERNEL|GFPZero)
	agree(p, e, 64, true)
}

// TestFreed: Freed is true for memory handed out and given back (a slab
// object, pages, a vmalloc area), false while it is held, for an address
// inside a live object, and for NULL.
func TestFreed(t *testing.T) {
	k := newSlabKernel(t, Config{})
	k.Stack = func() []Frame { return []Frame{{Func: "f", File: "x.star", Line: 1}} }
	if k.Freed(0) {
		t.Errorf("Freed(NULL) = true")
	}
	a := k.Kmalloc(64, GFP_KERNEL)
	if k.Freed(a) || k.Freed(a+8) {
		t.Errorf("a live kmalloc-64 object: Freed true")
	}
	if err := k.Kfree(a); err != nil {
		t.Fatal(err)
	}
	if !k.Freed(a) || !k.Freed(a+8) {
		t.Errorf("a kfree'd object: Freed(%#x) = %v, Freed(+8) = %v, want true", a, k.Freed(a), k.Freed(a+8))
	}
	if b := k.Kmalloc(64, GFP_KERNEL); k.Freed(b) {
		t.Errorf("a new object at %#x: Freed true", b)
	}

	pfn, ok := k.AllocPages(GFP_KERNEL, 1)
	if !ok {
		t.Fatal("alloc_pages failed")
	}
	if k.Freed(PageAddress(pfn)) || k.Freed(PageAddress(pfn+1)) {
		t.Errorf("allocated pages: Freed true")
	}
	if err := k.FreePages(pfn, 1); err != nil {
		t.Fatal(err)
	}
	if !k.Freed(PageAddress(pfn)) {
		t.Errorf("freed pages: Freed(%#x) = false", PageAddress(pfn))
	}

	v := k.Vmalloc(3*PageSize, GFP_KERNEL)
	if v == 0 || k.Freed(v) || k.Freed(v+2*PageSize) {
		t.Fatalf("vmalloc = %#x: Freed true while held", v)
	}
	if err := k.Vfree(v); err != nil {
		t.Fatal(err)
	}
	if !k.Freed(v) {
		t.Errorf("vfree'd area: Freed(%#x) = false", v)
	}
}

// TestAllocationAt: an address inside an allocated slab object, page
// block or vmalloc area gives the allocation's start; free memory and
// addresses in no allocation give false.
func TestAllocationAt(t *testing.T) {
	k := newSlabKernel(t, Config{})
	k.Stack = func() []Frame { return []Frame{{Func: "f", File: "x.star", Line: 1}} }
	at := func(a, want Addr, wantOK bool) {
		t.Helper()
		if got, end, ok := k.AllocationAt(a); ok != wantOK || ok && (got != want || end <= got) {
			t.Errorf("AllocationAt(%#x) = %#x, %#x, %v; want %#x, %v", a, got, end, ok, want, wantOK)
		}
	}
	a := k.Kmalloc(100, GFP_KERNEL)
	at(a, a, true)
	at(a+99, a, true)
	pfn, ok := k.AllocPages(GFP_KERNEL, 2)
	if !ok {
		t.Fatal("alloc_pages failed")
	}
	at(PageAddress(pfn)+3*PageSize+5, PageAddress(pfn), true)
	v := k.Vmalloc(3*PageSize, GFP_KERNEL)
	at(v+2*PageSize+1, v, true)
	if err := k.Kfree(a); err != nil {
		t.Fatal(err)
	}
	at(a+8, 0, false)
	if err := k.FreePages(pfn, 2); err != nil {
		t.Fatal(err)
	}
	at(PageAddress(pfn), 0, false)
	if err := k.Vfree(v); err != nil {
		t.Fatal(err)
	}
	at(v, 0, false)
	at(0, 0, false)
}
