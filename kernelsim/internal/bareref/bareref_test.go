package bareref

import (
	"math/rand/v2"
	"testing"
)

// TestBuddy allocates random orders until memory runs out, checks that no
// two blocks overlap, frees everything and checks that the memory merged
// back into top-order blocks.
func TestBuddy(t *testing.T) {
	const pages = 4 << (MaxOrder - 1)
	b := NewBuddy(pages)
	r := rand.New(rand.NewPCG(1, 2))
	owner := make([]int, pages)
	type blk struct {
		pfn   int32
		order int
	}
	var live []blk
	for {
		o := r.IntN(MaxOrder)
		pfn, ok := b.Alloc(o)
		if !ok {
			if o == 0 {
				break
			}
			continue
		}
		if pfn&(1<<o-1) != 0 {
			t.Fatalf("order-%d block at %#x is not aligned", o, pfn)
		}
		for p := pfn; p < pfn+1<<o; p++ {
			if owner[p] != 0 {
				t.Fatalf("frame %#x handed out twice", p)
			}
			owner[p] = len(live) + 1
		}
		live = append(live, blk{pfn, o})
	}
	if b.NrFree != 0 {
		t.Fatalf("NrFree %d with every order-0 allocation failing", b.NrFree)
	}
	r.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
	for _, l := range live {
		b.Free(l.pfn, l.order)
	}
	if b.NrFree != pages {
		t.Fatalf("NrFree %d after freeing everything, want %d", b.NrFree, pages)
	}
	n := 0
	for p := b.head[MaxOrder-1]; p != none; p = b.frames[p].next {
		n++
	}
	if n != 4 {
		t.Fatalf("%d top-order blocks after freeing everything, want 4", n)
	}
}

// TestSlab checks that live objects never overlap, that each is at least
// the size asked for, and that freeing everything gives every page back.
func TestSlab(t *testing.T) {
	const pages = 64 << (MaxOrder - 1)
	b := NewBuddy(pages)
	s := NewSlab(b)
	r := rand.New(rand.NewPCG(3, 4))
	type obj struct{ a, n uint64 }
	live := map[uint64]obj{}
	var order []uint64
	for i := 0; i < 20000; i++ {
		if r.IntN(3) == 0 && len(order) > 0 {
			j := r.IntN(len(order))
			a := order[j]
			order[j] = order[len(order)-1]
			order = order[:len(order)-1]
			delete(live, a)
			s.Kfree(a)
			continue
		}
		n := 1 + r.Uint64N(8192)
		a := s.Kmalloc(n)
		if a == 0 {
			t.Fatalf("kmalloc(%d) failed", n)
		}
		if _, dup := live[a]; dup {
			t.Fatalf("object %#x handed out twice", a)
		}
		if c := s.cacheFor(n); c.size < n || (a-DirectMap)%c.size != 0 && c.size&(c.size-1) == 0 {
			t.Fatalf("kmalloc(%d) = %#x from the %d-byte cache", n, a, c.size)
		}
		live[a] = obj{a, n}
		order = append(order, a)
	}
	for _, a := range order {
		s.Kfree(a)
	}
	held := 0
	for i := range s.caches {
		if c := &s.caches[i]; c.cur != nil {
			held += 1 << c.order
		}
	}
	if b.NrFree+held != pages {
		t.Fatalf("%d pages free and %d in current slabs after freeing everything, want %d", b.NrFree, held, pages)
	}
}
