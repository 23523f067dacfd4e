package kernelsim

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkKmallocKfree is kmalloc+kfree of random sizes 8..8192 (the
// README's "kmalloc+kfree" figure; target under 40 ns/op).
func BenchmarkKmallocKfree(b *testing.B) {
	k := newSlabKernel(b, Config{})
	r := rand.New(rand.NewPCG(1, 2))
	sizes := make([]uint64, 4096)
	for i := range sizes {
		sizes[i] = 8 + r.Uint64N(8192-8+1)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := k.Kmalloc(sizes[i&4095], GFP_KERNEL)
		if err := k.Kfree(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKmallocKfreeBatch allocates 1000 objects of random sizes, then
// frees them: the CPU slab runs dry, partial slabs are taken, new slabs
// come from the page allocator and go back.
func BenchmarkKmallocKfreeBatch(b *testing.B) {
	k := newSlabKernel(b, Config{})
	r := rand.New(rand.NewPCG(3, 4))
	sizes := make([]uint64, 1000)
	for i := range sizes {
		sizes[i] = 8 + r.Uint64N(8192-8+1)
	}
	live := make([]Addr, len(sizes))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, n := range sizes {
			live[j] = k.Kmalloc(n, GFP_KERNEL)
		}
		for _, a := range live {
			if err := k.Kfree(a); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sizes)), "ns/pair")
}

// BenchmarkKmemCacheAllocFree is kmem_cache_alloc+kmem_cache_free of one
// object of a dedicated cache.
func BenchmarkKmemCacheAllocFree(b *testing.B) {
	k := newSlabKernel(b, Config{})
	s, _ := k.KmemCacheCreate("bench_cache", 200, 0, SlabHWCacheAlign, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, _ := k.KmemCacheAlloc(s, GFP_KERNEL)
		if err := k.KmemCacheFree(s, a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKmallocTouch is kmalloc, a 16-byte write and read (which writes
// the lazy poison of the object's page), kfree: what a lesson's kmalloc
// really costs.
func BenchmarkKmallocTouch(b *testing.B) {
	k := newSlabKernel(b, Config{})
	buf := make([]byte, 16)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := k.Kmalloc(128, GFP_KERNEL)
		_ = k.WriteMem(a, buf)
		_ = k.ReadMem(a, buf)
		_ = k.Kfree(a)
	}
}
