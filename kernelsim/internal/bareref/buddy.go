// Package bareref holds the bare reference allocators kscript's simulated
// ones are measured against: a plain buddy allocator and a plain slab
// allocator, written the obvious way in Go with nothing a simulation needs
// — no zones, watermarks, per-CPU lists, statistics, debug hooks, poison,
// KASAN shadow or kmemleak. kernelsim's benchmarks run both side by side in
// one process (kernelsim/bareref_bench_test.go), and the README's speed
// table gives the ratios.
//
// The geometry is the simulated machine's: 4 KiB pages, orders 0..10 (a
// top-order block is 4 MiB), the kmalloc size classes of Linux 6.1 up to
// 8 KiB.
package bareref

// PageShift and MaxOrder are those of x86-64 Linux 6.1 (and kernelsim).
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	MaxOrder  = 11
)

const none = -1

// frame is one page frame's bookkeeping: its free-list links when it heads
// a free block.
type frame struct {
	next, prev int32
	order      int8
	free       bool
}

// Buddy is a binary buddy allocator over a flat array of frames, one
// doubly linked free list per order, LIFO.
type Buddy struct {
	frames []frame
	head   [MaxOrder]int32
	NrFree int // free pages
}

// NewBuddy returns an allocator for pages frames (a multiple of the top
// block, 2^(MaxOrder-1) pages), all free.
func NewBuddy(pages int) *Buddy {
	b := &Buddy{frames: make([]frame, pages)}
	for o := range b.head {
		b.head[o] = none
	}
	for pfn := pages - 1<<(MaxOrder-1); pfn >= 0; pfn -= 1 << (MaxOrder - 1) {
		b.push(int32(pfn), MaxOrder-1)
	}
	b.NrFree = pages
	return b
}

func (b *Buddy) push(pfn int32, order int) {
	f := &b.frames[pfn]
	*f = frame{next: b.head[order], prev: none, order: int8(order), free: true}
	if f.next != none {
		b.frames[f.next].prev = pfn
	}
	b.head[order] = pfn
}

func (b *Buddy) unlink(pfn int32, order int) {
	f := &b.frames[pfn]
	if f.prev == none {
		b.head[order] = f.next
	} else {
		b.frames[f.prev].next = f.next
	}
	if f.next != none {
		b.frames[f.next].prev = f.prev
	}
	f.free = false
}

// Alloc returns the first frame of a free block of 2^order frames.
func (b *Buddy) Alloc(order int) (pfn int32, ok bool) {
	for cur := order; cur < MaxOrder; cur++ {
		pfn = b.head[cur]
		if pfn == none {
			continue
		}
		b.unlink(pfn, cur)
		for cur > order { // split, the upper halves back on the lists
			cur--
			b.push(pfn+1<<cur, cur)
		}
		b.NrFree -= 1 << order
		return pfn, true
	}
	return 0, false
}

// Free returns the block of 2^order frames at pfn, merging it with its free
// buddies.
func (b *Buddy) Free(pfn int32, order int) {
	b.NrFree += 1 << order
	for order < MaxOrder-1 {
		buddy := pfn ^ 1<<order
		f := &b.frames[buddy]
		if !f.free || int(f.order) != order {
			break
		}
		b.unlink(buddy, order)
		pfn &= buddy
		order++
	}
	b.push(pfn, order)
}
