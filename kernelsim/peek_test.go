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
