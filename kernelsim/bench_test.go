package kernelsim

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// holdSmallBlocks takes every free block below the top order out of the
// zone GFP_KERNEL uses, so that the next order-0 allocation must split a
// 4 MiB block all the way down and its free must merge all the way up.
func holdSmallBlocks(k *Kernel) {
	z := k.bootZone()
	for o := 0; o < MaxOrder-1; o++ {
		for z.freeArea[o].head != noPFN {
			pfn, _ := k.rmqueueBuddy(z, o)
			k.prepNewPage(pfn, o)
		}
	}
}

// BenchmarkAllocFreeOrder0Cold measures an order-0 alloc_pages + __free_pages
// pair with per-CPU lists off (Config.NoPCP; they are on by default and
// would keep the page) when no small block is free: ten splits (expand) on
// allocation, ten buddy merges on free.
func BenchmarkAllocFreeOrder0Cold(b *testing.B) {
	k, _ := New(Config{Seed: 1, NoPCP: true})
	holdSmallBlocks(k)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := k.AllocPages(GFP_KERNEL, 0)
		k.FreePages(pfn, 0)
	}
}

// BenchmarkAllocFreeOrder0Buddy measures the pair with per-CPU lists off on
// a freshly booted machine: an order-0 block is usually free, so the pair is
// one list removal and one insertion.
func BenchmarkAllocFreeOrder0Buddy(b *testing.B) {
	k, _ := New(Config{Seed: 1, NoPCP: true})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := k.AllocPages(GFP_KERNEL, 0)
		k.FreePages(pfn, 0)
	}
}

// BenchmarkAllocFreeOrder0Hot measures the pair with per-CPU lists on
// (the default): a pop from and a push to the per-CPU list, as on Linux.
func BenchmarkAllocFreeOrder0Hot(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pfn, _ := k.AllocPages(GFP_KERNEL, 0)
		k.FreePages(pfn, 0)
	}
}

// BenchmarkMixedOrders measures one free of a random live block plus one
// allocation of a random order 0..3, with 10,000 blocks live (per-CPU lists
// on, the default). One op is the pair.
func BenchmarkMixedOrders(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	r := rand.New(rand.NewPCG(1, 2))
	const live = 10_000
	type blk struct {
		pfn   PFN
		order int
	}
	blocks := make([]blk, live)
	for i := range blocks {
		o := r.IntN(4)
		pfn, _ := k.AllocPages(GFP_KERNEL, o)
		blocks[i] = blk{pfn, o}
	}
	// A precomputed random sequence, small enough to stay in cache, keeps
	// the random source out of the measurement.
	idx := make([]uint16, 1<<12)
	ord := make([]uint8, 1<<12)
	for i := range idx {
		idx[i], ord[i] = uint16(r.IntN(live)), uint8(r.IntN(4))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := int(idx[i&(1<<12-1)])
		k.FreePages(blocks[j].pfn, blocks[j].order)
		o := int(ord[i&(1<<12-1)])
		pfn, _ := k.AllocPages(GFP_KERNEL, o)
		blocks[j] = blk{pfn, o}
	}
}

// BenchmarkBoot16G measures booting a 16 GiB machine and reports the Go
// heap it holds.
func BenchmarkBoot16G(b *testing.B) {
	var k *Kernel
	for i := 0; i < b.N; i++ {
		k, _ = New(Config{RAM: 16 << 30, Seed: 1})
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMiB")
	runtime.KeepAlive(k)
}

// BenchmarkReadMem8 measures an 8-byte kernel load through the direct map.
func BenchmarkReadMem8(b *testing.B) {
	k, _ := New(Config{Seed: 1})
	pfn, _ := k.AllocPages(GFP_KERNEL, 0)
	a := PageAddress(pfn)
	k.Memset(a, 1, PageSize)
	var buf [8]byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.ReadMem(a+Addr(i&511)*8, buf[:])
	}
}
