package kernelsim

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim/internal/bareref"
)

// The allocators side by side with the bare references of
// internal/bareref, in one process: BenchmarkVsBare/<case>/kscript and
// BenchmarkVsBare/<case>/bare do the same work, on the simulated machine
// (the debug kernel as kscript boots it: KASAN, kmemleak, page owner
// checks on) and on the bare allocator. KSCRIPT_RATIOS=1 go test
// -run VsBareRatios ./kernelsim prints the ratios (scripts/bench runs it).
//
//	buddy-hot    order-0 alloc_pages+__free_pages, per-CPU lists on (as Linux
//	             boots): a pop and a push; bare: an order-0 block whose buddy
//	             is allocated, taken and given back
//	buddy-cold   the pair with no block below order 10 free: ten splits and
//	             ten merges (per-CPU lists off, which would keep the page)
//	buddy-mixed  free a random one of 10,000 live blocks of orders 0..3,
//	             allocate a random order 0..3 (per-CPU lists on)
//	kmalloc      kmalloc+kfree of random sizes 8..8192 bytes
var vsBareCases = []struct {
	name      string
	kscript   func(b *testing.B)
	bare      func(b *testing.B)
	targetMax float64 // issue 12's target for the ratio
}{
	{"buddy-hot", benchBuddyHot, benchBareBuddyHot, 1.5},
	{"buddy-cold", benchBuddyCold, benchBareBuddyCold, 1.5},
	{"buddy-mixed", benchBuddyMixed, benchBareBuddyMixed, 1.5},
	{"kmalloc", benchKmallocKfree, benchBareKmallocKfree, 1.3},
}

func BenchmarkVsBare(b *testing.B) {
	for _, c := range vsBareCases {
		b.Run(c.name+"/kscript", c.kscript)
		b.Run(c.name+"/bare", c.bare)
	}
}

// ramPages is the simulated machine's default RAM in pages, which the bare
// allocators get too.
const ramPages = DefaultRAM >> PageShift

func benchBuddyHot(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := k.AllocPages(GFP_KERNEL, 0)
		k.FreePages(pfn, 0)
	}
}

func benchBareBuddyHot(b *testing.B) {
	bb := bareref.NewBuddy(ramPages)
	bb.Alloc(0) // hold one page, so that its buddy stays an order-0 block
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := bb.Alloc(0)
		bb.Free(pfn, 0)
	}
}

func benchBuddyCold(b *testing.B) {
	k, _ := New(Config{Seed: 1, NoPCP: true})
	holdSmallBlocks(k)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := k.AllocPages(GFP_KERNEL, 0)
		k.FreePages(pfn, 0)
	}
}

func benchBareBuddyCold(b *testing.B) {
	bb := bareref.NewBuddy(ramPages) // only top-order blocks are free
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := bb.Alloc(0)
		bb.Free(pfn, 0)
	}
}

// mixedSequence is the random work of buddy-mixed: the initial orders of
// the live blocks, then which block to free and which order to allocate,
// precomputed (and small enough to stay in cache) to keep the random
// source out of the measurement.
func mixedSequence() (initial []uint8, idx []uint16, ord []uint8) {
	r := rand.New(rand.NewPCG(1, 2))
	const live = 10_000
	initial = make([]uint8, live)
	for i := range initial {
		initial[i] = uint8(r.IntN(4))
	}
	idx, ord = make([]uint16, 1<<12), make([]uint8, 1<<12)
	for i := range idx {
		idx[i], ord[i] = uint16(r.IntN(live)), uint8(r.IntN(4))
	}
	return initial, idx, ord
}

func benchBuddyMixed(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	initial, idx, ord := mixedSequence()
	pfns := make([]PFN, len(initial))
	orders := make([]int, len(initial))
	for i, o := range initial {
		pfns[i], _ = k.AllocPages(GFP_KERNEL, int(o))
		orders[i] = int(o)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := int(idx[i&(1<<12-1)])
		k.FreePages(pfns[j], orders[j])
		o := int(ord[i&(1<<12-1)])
		pfns[j], _ = k.AllocPages(GFP_KERNEL, o)
		orders[j] = o
	}
}

func benchBareBuddyMixed(b *testing.B) {
	bb := bareref.NewBuddy(ramPages)
	initial, idx, ord := mixedSequence()
	pfns := make([]int32, len(initial))
	orders := make([]int, len(initial))
	for i, o := range initial {
		pfns[i], _ = bb.Alloc(int(o))
		orders[i] = int(o)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := int(idx[i&(1<<12-1)])
		bb.Free(pfns[j], orders[j])
		o := int(ord[i&(1<<12-1)])
		pfns[j], _ = bb.Alloc(o)
		orders[j] = o
	}
}

// kmallocSizes are kmalloc's random sizes, 8..8192 bytes.
func kmallocSizes() []uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := make([]uint64, 4096)
	for i := range sizes {
		sizes[i] = 8 + r.Uint64N(8192-8+1)
	}
	return sizes
}

func benchKmallocKfree(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	sizes := kmallocSizes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := k.Kmalloc(sizes[i&4095], GFP_KERNEL)
		if err := k.Kfree(a); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBareKmallocKfree(b *testing.B) {
	s := bareref.NewSlab(bareref.NewBuddy(ramPages))
	sizes := kmallocSizes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Kfree(s.Kmalloc(sizes[i&4095]))
	}
}

// TestVsBareRatios prints the ratios of the side-by-side benchmarks (with
// KSCRIPT_RATIOS=1; KSCRIPT_RATIOS=N runs N rounds, 5 by default). Each
// round runs every kscript benchmark right after its bare twin, so that both
// see the same machine load; the ratio shown is the median of the rounds'
// ratios. It asserts nothing about time: a loaded machine makes figures,
// not failures.
func TestVsBareRatios(t *testing.T) {
	rounds := vsBareRounds()
	if rounds == 0 {
		t.Skip("KSCRIPT_RATIOS=1 prints the ratios to the bare reference allocators")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %12s %12s %7s %7s\n", "case", "kscript ns", "bare ns", "ratio", "target")
	for _, c := range vsBareCases {
		var ratios, ks, bs []float64
		for r := 0; r < rounds; r++ {
			bare := testing.Benchmark(c.bare)
			kern := testing.Benchmark(c.kscript)
			kn, bn := float64(kern.NsPerOp()), float64(bare.NsPerOp())
			if kern.N > 0 && bare.N > 0 {
				kn, bn = float64(kern.T.Nanoseconds())/float64(kern.N), float64(bare.T.Nanoseconds())/float64(bare.N)
			}
			ks, bs, ratios = append(ks, kn), append(bs, bn), append(ratios, kn/bn)
		}
		fmt.Fprintf(&b, "%-12s %12.1f %12.1f %6.2f× %6.1f×\n", c.name, median(ks), median(bs), median(ratios), c.targetMax)
	}
	fmt.Fprintf(os.Stdout, "kernelsim vs bare reference allocators (median of %d rounds):\n%s", rounds, b.String())
}

func vsBareRounds() int {
	v := os.Getenv("KSCRIPT_RATIOS")
	if v == "" {
		return 0
	}
	n := 0
	fmt.Sscan(v, &n)
	if n <= 1 {
		n = 5
	}
	return n
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
