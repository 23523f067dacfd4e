package kernelsim

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestOptimalRedzone pins optimal_redzone() (mm/kasan/generic.c) at the
// edges of its steps.
func TestOptimalRedzone(t *testing.T) {
	for _, tt := range []struct{ size, want uint32 }{
		{1, 16}, {48, 16}, {49, 32}, {96, 32}, {97, 64}, {448, 64}, {449, 128},
		{3968, 128}, {3969, 256}, {16128, 256}, {16129, 512}, {32256, 512},
		{32257, 1024}, {64512, 1024}, {64513, 2048}, {1 << 20, 2048},
	} {
		if got := optimalRedzone(tt.size); got != tt.want {
			t.Errorf("optimalRedzone(%d) = %d, want %d", tt.size, got, tt.want)
		}
	}
}

// TestKmallocCacheGeometryKASAN checks the kmalloc caches of the debug
// (KASAN) build: kasan_cache_create() adds the 16-byte alloc metadata, the
// 16-byte free metadata for objects smaller than it (kmalloc-8), and grows
// the stride to object_size + optimal_redzone(); the power-of-two caches'
// natural alignment then rounds it up. /proc/slabinfo's objsize column is
// the stride (s->size), the orders follow calculate_order() for it, and
// ksize() is object_size (slab_ksize with SLAB_KASAN).
func TestKmallocCacheGeometryKASAN(t *testing.T) {
	tests := []struct {
		name        string
		object      uint64
		size        uint64 // the stride: what /proc/slabinfo shows
		objs, pages int
	}{
		{"kmalloc-8", 8, 40, 102, 1},     // 8 + 16 alloc meta + 16 free meta
		{"kmalloc-16", 16, 32, 128, 1},   // 16 + 16 (alloc meta = optimal redzone)
		{"kmalloc-32", 32, 64, 64, 1},    // 32 + 16 = 48, aligned to 32
		{"kmalloc-64", 64, 128, 32, 1},   // 64 + 32, aligned to 64
		{"kmalloc-96", 96, 128, 32, 1},   // 96 + 32
		{"kmalloc-128", 128, 256, 16, 1}, // 128 + 64, aligned to 128
		{"kmalloc-192", 192, 256, 16, 1}, // 192 + 64
		{"kmalloc-256", 256, 512, 16, 2},
		{"kmalloc-512", 512, 1024, 16, 4},
		{"kmalloc-1k", 1024, 2048, 16, 8},
		{"kmalloc-2k", 2048, 4096, 8, 8},
		{"kmalloc-4k", 4096, 8192, 4, 8}, // 4096 + 256, aligned to 4096
		{"kmalloc-8k", 8192, 16384, 2, 8},
	}
	k := newSlabKernel(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := k.FindCache(tt.name)
			if s == nil {
				t.Fatalf("no cache %s", tt.name)
			}
			if s.ObjectSize() != tt.object || s.Size() != tt.size || s.ObjectsPerSlab() != tt.objs || 1<<s.Order() != tt.pages {
				t.Errorf("object %d size %d objs %d pages %d, want %d %d %d %d",
					s.ObjectSize(), s.Size(), s.ObjectsPerSlab(), 1<<s.Order(), tt.object, tt.size, tt.objs, tt.pages)
			}
			if s.flags&SlabKASAN == 0 {
				t.Error("no SLAB_KASAN")
			}
			if got := slabKsize(s); got != tt.object {
				t.Errorf("slab_ksize %d, want %d", got, tt.object)
			}
			if ai := s.kasanInfo.allocMetaOffset; ai < s.inuse || uint64(ai)+kasanAllocMetaSize > tt.size {
				t.Errorf("alloc meta at %d: not between the object's metadata (%d) and the stride", ai, s.inuse)
			}
			checkSlabinfoLayout(t, k, tt.name, tt.size, tt.objs, tt.pages)
		})
	}
}

// TestKmemCacheGeometryKASAN checks kmem_cache_create()'s layout on the
// debug build: the free metadata goes after the alloc metadata when the
// freed object cannot hold it (constructor, SLAB_TYPESAFE_BY_RCU, objects
// under 16 bytes); KASAN's part comes after the tracks and before the red
// zones (calculate_sizes in mm/slub.c).
func TestKmemCacheGeometryKASAN(t *testing.T) {
	tests := []struct {
		name        string
		size, align uint64
		flags       SlabFlags
		ctor        bool
		wantSize    uint64
		freeMeta    uint32
		objs, pages int
	}{
		{"plain 100: 100 + optimal 64", 100, 0, 0, false, 168, 0, 24, 1},
		{"hwcache 100", 100, 0, SlabHWCacheAlign, false, 192, 0, 21, 1},
		{"hwcache 20", 20, 0, SlabHWCacheAlign, false, 64, 0, 64, 1},
		{"explicit align 256", 100, 256, 0, false, 256, 0, 16, 1},
		{"ctor: free meta after alloc meta", 100, 0, 0, true, 168, 128, 24, 1},
		{"rcu: free meta after alloc meta", 100, 0, SlabTypesafeByRCU, false, 168, 128, 24, 1},
		{"ctor, 40 bytes: metadata beyond the optimal redzone", 40, 0, 0, true, 80, 64, 51, 1},
		{"poison", 100, 0, SlabPoison, false, 168, 0, 24, 1},
		{"red zone after KASAN's part", 100, 0, SlabRedZone, false, 184, 0, 22, 1},
		{"store user: tracks before KASAN's part", 100, 0, SlabStoreUser, false, 184, 0, 22, 1},
		{"1 byte: free meta outside", 1, 0, 0, false, 40, 24, 102, 1},
		{"200-byte student_cache with ctor", 200, 0, SlabHWCacheAlign, true, 320, 224, 12, 1},
		{"100000 bytes: redzone 2048", 100000, 0, 0, false, 102048, 0, 1, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newSlabKernel(t, Config{})
			var ctor func(Addr) error
			if tt.ctor {
				ctor = func(Addr) error { return nil }
			}
			s, err := k.KmemCacheCreate("test_cache", tt.size, tt.align, tt.flags, ctor)
			if err != nil || s == nil {
				t.Fatalf("KmemCacheCreate: %v %v", s, err)
			}
			if s.Size() != tt.wantSize || s.kasanInfo.freeMetaOffset != tt.freeMeta || s.ObjectsPerSlab() != tt.objs || 1<<s.Order() != tt.pages {
				t.Errorf("size %d free meta %d objs %d pages %d, want %d %d %d %d",
					s.Size(), s.kasanInfo.freeMetaOffset, s.ObjectsPerSlab(), 1<<s.Order(), tt.wantSize, tt.freeMeta, tt.objs, tt.pages)
			}
			p, err := k.KmemCacheAlloc(s, GFP_KERNEL)
			if err != nil || p == 0 {
				t.Fatalf("KmemCacheAlloc: %#x %v", uint64(p), err)
			}
			if got := k.Ksize(p); got != tt.size {
				t.Errorf("ksize %d, want object_size %d", got, tt.size)
			}
			if got := k.kasanShadow(p + Addr(alignUp(uint32(tt.size), kasanGranule))); got != kasanSlabRedzone {
				t.Errorf("shadow after the object %#x, want KASAN_SLAB_REDZONE", got)
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

// TestKasanStockGeometry checks that the stock build (no KASAN) keeps
// Debian's layout: no SLAB_KASAN, the stride of the plain kernel.
func TestKasanStockGeometry(t *testing.T) {
	k := newSlabKernel(t, Config{Stock: true})
	for _, name := range []string{"kmalloc-8", "kmalloc-16", "kmalloc-128", "kmalloc-8k"} {
		s := k.FindCache(name)
		if s.flags&SlabKASAN != 0 || s.Size() != s.ObjectSize() {
			t.Errorf("%s: flags %#x size %d object %d", name, s.flags, s.Size(), s.ObjectSize())
		}
	}
}

// kasanRedzoneSizes are the kmalloc sizes TestKasanOneBytePastEverySize
// tries: every size up to 128, then a few of each bigger cache.
func kasanRedzoneSizes() []uint64 {
	var ns []uint64
	for n := uint64(1); n <= 128; n++ {
		ns = append(ns, n)
	}
	return append(ns, 129, 192, 200, 256, 500, 512, 1000, 1024, 2000, 2048, 4000, 4096, 5000, 8192)
}

// TestKasanOneBytePastEverySize is issue 9's case: p = kmalloc(n);
// p[n] = 1 is reported for every n, whatever the neighbouring objects are,
// as Linux 6.1's generic KASAN reports it: slab-out-of-bounds, "located
// n bytes inside of" the cache's object when n is below it, "0 bytes to
// the right of" it when n is the object size (kmalloc(8), kmalloc(16):
// the byte lies in the object's redzone, not in the next object).
func TestKasanOneBytePastEverySize(t *testing.T) {
	h := newDbgHarness(t, "mod")
	for _, n := range kasanRedzoneSizes() {
		// Several objects in a row, so that p[n] would land in a
		// neighbour, allocated or free, without a redzone.
		var objs []Addr
		for range 3 {
			objs = append(objs, h.kmalloc(n))
		}
		for i, p := range objs {
			line := int(n)*10 + i
			lines, reps := h.run(line, func() {
				if err := h.k.StoreByte(p+Addr(n), 1); err != nil {
					t.Fatal(err)
				}
			})
			if len(reps) != 1 || reps[0].Class != "slab-out-of-bounds" {
				t.Fatalf("kmalloc(%d), p[%d]: reports %+v", n, n, reps)
			}
			m := h.k.slabCache(h.k.virtToSlab(p)).ObjectSize()
			rel := fmt.Sprintf("The buggy address is located %d bytes inside of", n)
			if n == m {
				rel = "The buggy address is located 0 bytes to the right of"
			}
			wantLines(t, lines,
				`re:BUG: KASAN: slab-out-of-bounds in mod_write\+0x[0-9a-f]+/0x[0-9a-f]+ \[mod\]`,
				fmt.Sprintf("re:Write of size 1 at addr %016x by task insmod/[0-9]+", uint64(p)+n),
				fmt.Sprintf("The buggy address belongs to the object at %016x", uint64(p)),
				fmt.Sprintf(" which belongs to the cache kmalloc-%s of size %d", kmallocName(m), m),
				rel,
				fmt.Sprintf(" %d-byte region [%016x, %016x)", m, uint64(p), uint64(p)+m),
			)
			sh := reps[0].Shadow
			if sh == nil || sh.Bad != p+Addr(n) {
				t.Fatalf("kmalloc(%d): shadow %+v", n, sh)
			}
			want := kasanSlabRedzone
			if n%kasanGranule != 0 {
				want = byte(n % kasanGranule)
			}
			if got := sh.Bytes[(p+Addr(n)-sh.Start)/kasanGranule]; got != want {
				t.Errorf("kmalloc(%d): shadow of p[%d] %02x, want %02x", n, n, got, want)
			}
		}
		for _, p := range objs {
			h.kfree(p)
		}
	}
}

// kmallocName is the kmalloc cache's suffix for an object size.
func kmallocName(m uint64) string {
	switch {
	case m >= 1024:
		return fmt.Sprintf("%dk", m/1024)
	}
	return strconv.FormatUint(m, 10)
}

// TestKasanReadPastSmallObject: a read just past a kmalloc(8) or
// kmalloc(16) object is reported too.
func TestKasanReadPastSmallObject(t *testing.T) {
	h := newDbgHarness(t, "mod")
	for _, n := range []uint64{8, 16} {
		p := h.kmalloc(n)
		_, reps := h.run(int(n), func() {
			if _, err := h.k.LoadByte(p + Addr(n)); err != nil {
				t.Fatal(err)
			}
		})
		if len(reps) != 1 || reps[0].Class != "slab-out-of-bounds" || reps[0].Shadow.Write {
			t.Errorf("kmalloc(%d), read p[%d]: reports %+v", n, n, reps)
		}
		h.kfree(p)
	}
}

// TestKasanTrailerSkipsMetadata: print_trailer's "Padding" starts after
// KASAN's metadata (kasan_metadata_size), so a kmalloc-64 object of the
// debug build (stride 128: 64 object, 16 alloc metadata) shows 48 bytes of
// padding, three rows, and a kmalloc-8 one (40: 8, 16 + 16) none.
func TestKasanTrailerSkipsMetadata(t *testing.T) {
	k := newSlabKernel(t, Config{})
	for _, tt := range []struct {
		size uint64
		rows int
	}{{64, 3}, {8, 0}} {
		p := k.Kmalloc(tt.size, GFP_KERNEL)
		sl := k.virtToSlab(p)
		idx, _ := k.slabCache(sl).objIndex(sl, p)
		seq := k.NextSeq()
		k.printTrailer(k.slabCache(sl), sl, idx, nil)
		rows := strings.Count(logText(k, seq), "Padding  ")
		if rows != tt.rows {
			t.Errorf("kmalloc(%d): %d Padding rows, want %d:\n%s", tt.size, rows, tt.rows, logText(k, seq))
		}
		if err := k.Kfree(p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKasanWholeRedzone: every byte between a kmalloc-8 object's end and
// the next object (32 bytes of metadata and redzone) is reported, "located
// N bytes to the right of 8-byte region"; the byte after that is the next
// object's first, allocated, and goes unseen, as on Linux.
func TestKasanWholeRedzone(t *testing.T) {
	h := newDbgHarness(t, "mod")
	p := h.kmalloc(8)
	stride := uint64(h.k.slabCache(h.k.virtToSlab(p)).size)
	if stride != 40 {
		t.Fatalf("kmalloc-8 stride %d, want 40", stride)
	}
	for off := uint64(8); off < stride; off++ {
		lines, reps := h.run(int(off), func() {
			if _, err := h.k.LoadByte(p + Addr(off)); err != nil {
				t.Fatal(err)
			}
		})
		if len(reps) != 1 || reps[0].Class != "slab-out-of-bounds" {
			t.Fatalf("p[%d]: reports %+v", off, reps)
		}
		wantLines(t, lines, fmt.Sprintf("The buggy address is located %d bytes to the right of", off-8),
			fmt.Sprintf(" 8-byte region [%016x, %016x)", uint64(p), uint64(p)+8))
	}
	next := p + Addr(stride)
	if sl := h.k.virtToSlab(next); sl != nil {
		if s := h.k.slabCache(sl); s != nil {
			if idx, ok := s.objIndex(sl, next); ok && s.isUsed(sl, idx) {
				if _, reps := h.run(1000, func() { _, _ = h.k.LoadByte(next) }); len(reps) != 0 {
					t.Errorf("a read of the next allocated object was reported: %+v", reps)
				}
			}
		}
	}
	h.kfree(p)
}
