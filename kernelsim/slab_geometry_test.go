package kernelsim

import (
	"fmt"
	"strings"
	"testing"
)

// TestKmallocCacheGeometry checks every kmalloc cache of the stock build
// (no KASAN) against the objperslab/pagesperslab columns Linux 6.1's SLUB
// shows in /proc/slabinfo on a 2-CPU x86-64 machine. The rule (mm/slub.c: calculate_order) is: aim
// for slub_min_objects = 4*(fls(nr_cpus)+1) = 12 objects per slab, in the
// smallest order up to slub_max_order = 3 that wastes at most 1/16 of the
// slab; an order-3 slab (32 KiB) cannot hold 12 objects of 4 KiB or 8 KiB,
// so those aim for what it holds (8 and 4). Hence kmalloc-256 is 16 objects
// in one page (12*256 fits in 4 KiB, which holds 16), kmalloc-512 is 16 in
// two pages (12*512 needs 8 KiB), kmalloc-1k 16 in four.
func TestKmallocCacheGeometry(t *testing.T) {
	tests := []struct {
		name          string
		size          uint64
		objs, pages   int
		ksize, offset uint64
	}{
		{"kmalloc-8", 8, 512, 1, 8, 0},
		{"kmalloc-16", 16, 256, 1, 16, 8},
		{"kmalloc-32", 32, 128, 1, 32, 16},
		{"kmalloc-64", 64, 64, 1, 64, 32},
		{"kmalloc-96", 96, 42, 1, 96, 48},
		{"kmalloc-128", 128, 32, 1, 128, 64},
		{"kmalloc-192", 192, 21, 1, 192, 96},
		{"kmalloc-256", 256, 16, 1, 256, 128},
		{"kmalloc-512", 512, 16, 2, 512, 256},
		{"kmalloc-1k", 1024, 16, 4, 1024, 512},
		{"kmalloc-2k", 2048, 16, 8, 2048, 1024},
		{"kmalloc-4k", 4096, 8, 8, 4096, 2048},
		{"kmalloc-8k", 8192, 4, 8, 8192, 4096},
	}
	k := newSlabKernel(t, Config{Stock: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, prefix := range []string{"", "dma-", "kmalloc-rcl-"} {
				name := tt.name
				if prefix == "dma-" {
					name = "dma-" + name
				} else if prefix != "" {
					name = strings.Replace(name, "kmalloc-", prefix, 1)
				}
				s := k.FindCache(name)
				if s == nil {
					t.Fatalf("no cache %s", name)
				}
				if s.Size() != tt.size || s.ObjectsPerSlab() != tt.objs || 1<<s.Order() != tt.pages || s.FreePointerOffset() != tt.offset {
					t.Errorf("%s: size %d objs %d pages %d offset %d, want %d %d %d %d", name,
						s.Size(), s.ObjectsPerSlab(), 1<<s.Order(), s.FreePointerOffset(), tt.size, tt.objs, tt.pages, tt.offset)
				}
				if got := slabKsize(s); got != tt.ksize {
					t.Errorf("%s: slab_ksize %d, want %d", name, got, tt.ksize)
				}
			}
			checkSlabinfoLayout(t, k, tt.name, tt.size, tt.objs, tt.pages)
		})
	}
}

// TestKmemCacheGeometry checks the layout calculate_sizes() gives caches
// made with kmem_cache_create() on the stock build (no KASAN): alignment (SLAB_HWCACHE_ALIGN halves the
// 64-byte line while the object fits in half), the free pointer in the
// middle of the object or after it (constructor, SLAB_POISON,
// SLAB_TYPESAFE_BY_RCU), red zones, tracking, and the slab order.
func TestKmemCacheGeometry(t *testing.T) {
	tests := []struct {
		name        string
		size, align uint64
		flags       SlabFlags
		ctor        bool
		wantSize    uint64
		wantOffset  uint64
		objs, pages int
		ksize       uint64
	}{
		{"plain 100", 100, 0, 0, false, 104, 48, 39, 1, 104},
		{"hwcache 100", 100, 0, SlabHWCacheAlign, false, 128, 48, 32, 1, 128},
		{"hwcache 20 aligns to 32", 20, 0, SlabHWCacheAlign, false, 32, 8, 128, 1, 32},
		{"hwcache 24 aligns to 32", 24, 0, SlabHWCacheAlign, false, 32, 8, 128, 1, 32},
		{"explicit align 256", 100, 256, 0, false, 256, 48, 16, 1, 256},
		{"ctor moves the free pointer", 100, 0, 0, true, 112, 104, 36, 1, 112},
		{"poison moves the free pointer", 100, 0, SlabPoison, false, 112, 104, 36, 1, 100},
		{"rcu", 100, 0, SlabTypesafeByRCU, false, 112, 104, 36, 1, 104},
		{"red zone 100", 100, 0, SlabRedZone, false, 120, 48, 34, 1, 100},
		{"red zone 64 adds a word", 64, 0, SlabRedZone, false, 88, 32, 46, 1, 64},
		{"store user", 100, 0, SlabStoreUser, false, 168, 48, 24, 1, 104},
		{"1 byte", 1, 0, 0, false, 8, 0, 512, 1, 8},
		{"5000 bytes: 6 in order 3", 5000, 0, 0, false, 5000, 2496, 6, 8, 5000},
		{"20000 bytes: 1 in order 3", 20000, 0, 0, false, 20000, 10000, 1, 8, 20000},
		{"100000 bytes: beyond slub_max_order", 100000, 0, 0, false, 100000, 50000, 1, 32, 100000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newSlabKernel(t, Config{Stock: true})
			var ctor func(Addr) error
			if tt.ctor {
				ctor = func(Addr) error { return nil }
			}
			s, err := k.KmemCacheCreate("test_cache", tt.size, tt.align, tt.flags, ctor)
			if err != nil || s == nil {
				t.Fatalf("KmemCacheCreate: %v %v", s, err)
			}
			if s.Size() != tt.wantSize || s.FreePointerOffset() != tt.wantOffset || s.ObjectsPerSlab() != tt.objs || 1<<s.Order() != tt.pages {
				t.Errorf("size %d offset %d objs %d pages %d, want %d %d %d %d",
					s.Size(), s.FreePointerOffset(), s.ObjectsPerSlab(), 1<<s.Order(), tt.wantSize, tt.wantOffset, tt.objs, tt.pages)
			}
			p, err := k.KmemCacheAlloc(s, GFP_KERNEL)
			if err != nil || p == 0 {
				t.Fatalf("KmemCacheAlloc: %#x %v", uint64(p), err)
			}
			if got := k.Ksize(p); got != tt.ksize {
				t.Errorf("ksize %d, want %d", got, tt.ksize)
			}
			if err := k.KmemCacheFree(s, p); err != nil {
				t.Fatal(err)
			}
			if err := k.KmemCacheDestroy(s); err != nil {
				t.Fatal(err)
			}
			checkAllInvariants(t, k)
		})
	}
}

// ksizeClass is one step of Linux 6.1's ksize(kmalloc(n)) on x86-64 SLUB,
// written from the kernel's rules, not from the implementation: sizes up
// to 192 use size_index[] (so 65..96 -> 96, 129..192 -> 192), larger ones
// up to KMALLOC_MAX_CACHE_SIZE (8 KiB) the next power of two, and above
// that kmalloc_large() gives a compound page of get_order(n), whose ksize is
// PAGE_SIZE << order.
type ksizeClass struct{ upTo, ksize uint64 }

func linuxKsizeClasses() []ksizeClass {
	c := []ksizeClass{
		{8, 8}, {16, 16}, {32, 32}, {64, 64}, {96, 96}, {128, 128}, {192, 192},
		{256, 256}, {512, 512}, {1024, 1024}, {2048, 2048}, {4096, 4096}, {8192, 8192},
	}
	for order := 2; order <= 10; order++ {
		c = append(c, ksizeClass{4096 << order, 4096 << order})
	}
	return c
}

// TestKsizeEveryN asserts ksize(kmalloc(n)) for every n from 1 to
// KMALLOC_MAX_SIZE (4 MiB), and that one byte more fails.
func TestKsizeEveryN(t *testing.T) {
	if testing.Short() {
		t.Skip("4 million allocations")
	}
	k := newSlabKernel(t, Config{})
	classes := linuxKsizeClasses()
	ci := 0
	for n := uint64(1); n <= KmallocMaxSize; n++ {
		for n > classes[ci].upTo {
			ci++
		}
		a := k.Kmalloc(n, GFP_KERNEL)
		if a == 0 {
			t.Fatalf("kmalloc(%d) failed", n)
		}
		if got := k.Ksize(a); got != classes[ci].ksize {
			t.Fatalf("ksize(kmalloc(%d)) = %d, want %d", n, got, classes[ci].ksize)
		}
		if err := k.Kfree(a); err != nil {
			t.Fatal(err)
		}
	}
	if a := k.Kmalloc(KmallocMaxSize+1, GFP_KERNEL|GFPNoWarn); a != 0 {
		t.Errorf("kmalloc(KMALLOC_MAX_SIZE+1) = %#x, want NULL", uint64(a))
	}
	if len(k.Reports()) != 0 {
		t.Errorf("reports: %v", k.Reports())
	}
	checkAllInvariants(t, k)
}

// TestKmallocSizeIndex checks which cache serves a request, at every
// boundary of size_index[] and the power-of-two classes.
func TestKmallocSizeIndex(t *testing.T) {
	tests := []struct {
		size uint64
		want string
	}{
		{1, "kmalloc-8"}, {8, "kmalloc-8"}, {9, "kmalloc-16"}, {24, "kmalloc-32"}, {33, "kmalloc-64"},
		{64, "kmalloc-64"}, {65, "kmalloc-96"}, {96, "kmalloc-96"}, {97, "kmalloc-128"},
		{128, "kmalloc-128"}, {129, "kmalloc-192"}, {192, "kmalloc-192"}, {193, "kmalloc-256"},
		{257, "kmalloc-512"}, {1000, "kmalloc-1k"}, {1025, "kmalloc-2k"}, {4096, "kmalloc-4k"},
		{4097, "kmalloc-8k"}, {8192, "kmalloc-8k"},
	}
	k := newSlabKernel(t, Config{})
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.size), func(t *testing.T) {
			a := k.Kmalloc(tt.size, GFP_KERNEL)
			o, ok := k.SlabObjectAt(a)
			if !ok || o.Cache.Name != tt.want || o.RequestedSize != tt.size || !o.Allocated {
				t.Errorf("kmalloc(%d) in %+v, want %s", tt.size, o, tt.want)
			}
			if err := k.Kfree(a); err != nil {
				t.Fatal(err)
			}
		})
	}
	checkAllInvariants(t, k)
}

// TestReciprocalDivide checks reciprocal_divide against division for every
// object size the caches use and offsets across a slab of MAX_ORDER-1.
func TestReciprocalDivide(t *testing.T) {
	for d := uint32(8); d <= 1<<22; d += 8 + d/64 {
		r := newReciprocal(d)
		for _, a := range []uint32{0, 1, d - 1, d, d + 1, 3*d - 1, 3 * d, 1<<22 - 1, 1 << 22, 1<<32 - 1} {
			if got, want := r.divide(a), a/d; got != want {
				t.Fatalf("%d/%d = %d, want %d", a, d, got, want)
			}
			if got, want := r.divideAtLeast2(a), a/d; got != want {
				t.Fatalf("divideAtLeast2: %d/%d = %d, want %d", a, d, got, want)
			}
		}
	}
}
