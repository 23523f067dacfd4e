package kernelsim

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestSlabinfoLayout checks /proc/slabinfo against mm/slab_common.c's
// print_slabinfo_header and cache_show formats, and slab_caches order.
func TestSlabinfoLayout(t *testing.T) {
	k := newSlabKernel(t, Config{})
	lines := strings.Split(strings.TrimSuffix(proc(t, k, "/proc/slabinfo"), "\n"), "\n")
	if lines[0] != "slabinfo - version: 2.1" {
		t.Errorf("line 1 %q", lines[0])
	}
	const hdr = "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>"
	if lines[1] != hdr {
		t.Errorf("line 2 %q", lines[1])
	}
	for _, l := range lines[2:] {
		// Re-print the fields with cache_show()'s formats: the row must
		// come out the same.
		f := strings.Fields(l)
		var v []any
		v = append(v, f[0])
		for _, x := range []int{1, 2, 3, 4, 5, 8, 9, 10, 13, 14, 15} {
			d, err := strconv.Atoi(f[x])
			if err != nil {
				t.Fatalf("row %q field %d: %v", l, x, err)
			}
			v = append(v, d)
		}
		want := fmt.Sprintf("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d", v...)
		if l != want {
			t.Errorf("row\n%q\nwant\n%q", l, want)
		}
		if f[13] != f[14] || f[8] != "0" || f[15] != "0" {
			t.Errorf("SLUB rows have no tunables and active_slabs == num_slabs: %q", l)
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], "kmem_cache ") || !strings.HasPrefix(lines[len(lines)-2], "kmem_cache_node ") {
		t.Errorf("slab_caches must end with kmem_cache_node, kmem_cache: %q %q", lines[len(lines)-2], lines[len(lines)-1])
	}

	s, _ := k.KmemCacheCreate("my_cache", 100, 0, SlabHWCacheAlign, nil)
	lines = strings.Split(proc(t, k, "/proc/slabinfo"), "\n")
	// The debug build's KASAN grows the 100-byte object to 192 bytes
	// (kasanCacheCreate: 100 + optimal redzone 32, aligned to 64).
	if lines[2] != "my_cache               0      0    192   21    1 : tunables    0    0    0 : slabdata      0      0      0" {
		t.Errorf("new cache row %q", lines[2])
	}
	p, _ := k.KmemCacheAlloc(s, GFP_KERNEL)
	// The CPU slab's free objects count as active: count_partial only
	// counts the node's partial slabs.
	if l := slabinfoLine(t, k, "my_cache"); !strings.HasPrefix(l, "my_cache              21     21    192   21    1") {
		t.Errorf("after one alloc %q", l)
	}
	if err := k.KmemCacheFree(s, p); err != nil {
		t.Fatal(err)
	}
	if err := k.KmemCacheDestroy(s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(proc(t, k, "/proc/slabinfo"), "my_cache") {
		t.Error("destroyed cache still listed")
	}
	checkAllInvariants(t, k)
}

// TestKmallocContents checks what fresh, freed and reallocated memory reads
// as through ReadMem: zeros with Debian's init_on_alloc=1, SLUB's
// POISON_FREE ... POISON_END with slub_debug=P.
func TestKmallocContents(t *testing.T) {
	zeros := func(n int) []byte { return make([]byte, n) }
	poison := func(n int) []byte { return append(bytes.Repeat([]byte{PoisonFree}, n-1), PoisonEnd) }
	hello := []byte("Hello from the kernel!\x00")
	kept := func(n int) []byte { return append(append([]byte{}, hello...), make([]byte, n-len(hello))...) }
	tests := []struct {
		name         string
		cfg          Config
		size         uint64
		gfp          GFP
		objectSize   int
		fresh, freed func(int) []byte
	}{
		{"init_on_alloc zeroes kmalloc", Config{}, 100, GFP_KERNEL, 128, zeros, kept},
		{"init_on_alloc zeroes kmalloc 8k", Config{}, 5000, GFP_KERNEL, 8192, zeros, kept},
		{"init_on_alloc zeroes atomic", Config{}, 40, GFP_ATOMIC, 64, zeros, kept},
		{"kzalloc zeroes", Config{}, 100, GFP_KERNEL | GFPZero, 128, zeros, kept},
		{"slub_debug=P poisons kmalloc", Config{Cmdline: "slub_debug=P"}, 100, GFP_KERNEL, 128, poison, poison},
		{"slub_debug=P poisons atomic", Config{Cmdline: "slub_debug=P"}, 40, GFP_ATOMIC, 64, poison, poison},
		{"slub_debug=P kzalloc zeroes", Config{Cmdline: "slub_debug=P"}, 100, GFP_KERNEL | GFPZero, 128, zeros, poison},
		{"stock build zeroes too", Config{Stock: true}, 100, GFP_KERNEL, 128, zeros, kept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newSlabKernel(t, tt.cfg)
			p := k.Kmalloc(tt.size, tt.gfp)
			if got := readBytes(t, k, p, tt.objectSize); !bytes.Equal(got, tt.fresh(tt.objectSize)) {
				t.Errorf("fresh object reads % x ... % x", got[:8], got[len(got)-8:])
			}
			if err := k.WriteMem(p, hello); err != nil {
				t.Fatal(err)
			}
			if s, _ := k.ReadCString(p, 100); s != "Hello from the kernel!" {
				t.Errorf("read back %q", s)
			}
			if err := k.Kfree(p); err != nil {
				t.Fatal(err)
			}
			if got := readBytes(t, k, p, tt.objectSize); !bytes.Equal(got, tt.freed(tt.objectSize)) {
				t.Errorf("freed object reads % x ... % x", got[:8], got[len(got)-8:])
			}
			// SLUB's freelist is LIFO: the same size gets the same object,
			// initialised afresh.
			q := k.Kmalloc(tt.size, tt.gfp)
			if q != p {
				t.Errorf("reallocation got %#x, want %#x", uint64(q), uint64(p))
			}
			if got := readBytes(t, k, q, tt.objectSize); !bytes.Equal(got, tt.fresh(tt.objectSize)) {
				t.Errorf("reallocated object reads % x", got[:8])
			}
			checkAllInvariants(t, k)
		})
	}
}

// TestKmallocComesFromExistingSlab checks that a lesson's small kmalloc is
// served by a slab that boot left partly filled: the page allocator is not
// touched, and freeing brings /proc/slabinfo and /proc/buddyinfo back.
func TestKmallocComesFromExistingSlab(t *testing.T) {
	for _, size := range []uint64{8, 32, 100, 128, 200, 512, 1000, 4000, 8000} {
		k := newSlabKernel(t, Config{})
		buddy, slabinfo, meminfo := proc(t, k, "/proc/buddyinfo"), proc(t, k, "/proc/slabinfo"), proc(t, k, "/proc/meminfo")
		p := k.Kmalloc(size, GFP_KERNEL)
		if p == 0 {
			t.Fatalf("kmalloc(%d) failed", size)
		}
		if got := proc(t, k, "/proc/buddyinfo"); got != buddy {
			t.Errorf("kmalloc(%d) changed buddyinfo:\n%s\nwant\n%s", size, got, buddy)
		}
		if err := k.Kfree(p); err != nil {
			t.Fatal(err)
		}
		if got := proc(t, k, "/proc/slabinfo"); got != slabinfo {
			t.Errorf("kmalloc+kfree(%d) changed slabinfo", size)
		}
		if got := proc(t, k, "/proc/meminfo"); got != meminfo {
			t.Errorf("kmalloc+kfree(%d) changed meminfo", size)
		}
		checkAllInvariants(t, k)
	}
}

// TestKmallocLarge checks kmalloc_large: a compound block from the page
// allocator, counted in SUnreclaim, freed whole.
func TestKmallocLarge(t *testing.T) {
	k := newSlabKernel(t, Config{})
	buddy := proc(t, k, "/proc/buddyinfo")
	_, unrecl := k.mem.nrSlabReclaimable, k.mem.nrSlabUnreclaimable
	p := k.Kmalloc(100_000, GFP_KERNEL) // order 5
	if p == 0 || p&(PageSize<<5-1) != 0 {
		t.Fatalf("kmalloc(100000) = %#x, want a 128 KiB-aligned block", uint64(p))
	}
	if got := k.mem.nrSlabUnreclaimable - unrecl; got != 32 {
		t.Errorf("SUnreclaim grew by %d pages, want 32", got)
	}
	if got := k.Ksize(p); got != 131072 {
		t.Errorf("ksize %d", got)
	}
	if got := k.Ksize(p + 4096); got != 0 {
		t.Errorf("ksize of an interior pointer %d, want 0 (WARN)", got)
	}
	checkAllInvariants(t, k)
	if err := k.Kfree(p); err != nil {
		t.Fatal(err)
	}
	if got := proc(t, k, "/proc/buddyinfo"); got != buddy || k.mem.nrSlabUnreclaimable != unrecl {
		t.Errorf("buddyinfo or SUnreclaim not restored:\n%s\nwant\n%s", got, buddy)
	}
	checkAllInvariants(t, k)
}

// TestKmallocLimits checks kmalloc(0), and the failure above
// KMALLOC_MAX_SIZE with and without __GFP_NOWARN.
func TestKmallocLimits(t *testing.T) {
	k := newSlabKernel(t, Config{})
	if p := k.Kmalloc(0, GFP_KERNEL); p != ZeroSizePtr {
		t.Errorf("kmalloc(0) = %#x, want ZERO_SIZE_PTR", uint64(p))
	}
	if k.Ksize(ZeroSizePtr) != 0 || k.Kfree(ZeroSizePtr) != nil || k.Kfree(0) != nil {
		t.Error("ZERO_SIZE_PTR/NULL not accepted by ksize and kfree")
	}
	seq := k.NextSeq()
	if p := k.Kmalloc(KmallocMaxSize+1, GFP_KERNEL|GFPNoWarn); p != 0 {
		t.Errorf("kmalloc(4 MiB + 1, __GFP_NOWARN) = %#x", uint64(p))
	}
	if got := logText(k, seq); got != "" {
		t.Errorf("__GFP_NOWARN logged %q", got)
	}
	if p := k.Kmalloc(KmallocMaxSize+1, GFP_KERNEL); p != 0 {
		t.Errorf("kmalloc(4 MiB + 1) = %#x", uint64(p))
	}
	if got := logText(k, seq); !strings.Contains(got, "WARNING: CPU: 0 PID: 0 at mm/page_alloc.c") {
		t.Errorf("no WARN for order 11:\n%s", got)
	}
	checkAllInvariants(t, k)
}

// TestKmallocTypes checks the kmalloc cache types the GFP flags select.
func TestKmallocTypes(t *testing.T) {
	tests := []struct {
		gfp  GFP
		want string
	}{
		{GFP_KERNEL, "kmalloc-64"},
		{GFP_KERNEL | GFPReclaimable, "kmalloc-rcl-64"},
		{GFP_KERNEL | GFPDMA, "dma-kmalloc-64"},
		{GFP_KERNEL_ACCOUNT, "kmalloc-64"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			k := newSlabKernel(t, Config{})
			p := k.Kmalloc(50, tt.gfp)
			o, ok := k.SlabObjectAt(p)
			if !ok || o.Cache.Name != tt.want {
				t.Fatalf("kmalloc(50, %s) in %+v", tt.gfp, o)
			}
			if tt.gfp&GFPDMA != 0 && uint64(p-PageOffset) >= 16<<20 {
				t.Errorf("dma-kmalloc object at %#x, above 16 MiB", uint64(p))
			}
			if err := k.Kfree(p); err != nil {
				t.Fatal(err)
			}
			checkAllInvariants(t, k)
		})
	}
}

// TestKmallocFixFlags checks kmalloc_fix_flags(): __GFP_DMA32 reaches the
// slab when it needs a new slab (here, a large kmalloc), and is dropped with
// the kernel's complaint.
func TestKmallocFixFlags(t *testing.T) {
	k := newSlabKernel(t, Config{})
	seq := k.NextSeq()
	p := k.Kmalloc(20000, GFP_KERNEL|GFPDMA32)
	if p == 0 {
		t.Fatal("kmalloc failed")
	}
	want := "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!"
	if got := logText(k, seq); !strings.HasPrefix(got, want+"\n") {
		t.Errorf("log:\n%s\nwant %q", got, want)
	}
	if err := k.Kfree(p); err != nil {
		t.Fatal(err)
	}
	checkAllInvariants(t, k)
}

// TestKrealloc checks krealloc's semantics in 6.1.
func TestKrealloc(t *testing.T) {
	k := newSlabKernel(t, Config{})
	p := k.Kmalloc(100, GFP_KERNEL) // kmalloc-128
	if err := k.WriteMem(p, []byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	q, err := k.Krealloc(p, 120, GFP_KERNEL)
	if err != nil || q != p {
		t.Errorf("krealloc within ksize moved %#x -> %#x (%v)", uint64(p), uint64(q), err)
	}
	if o, _ := k.SlabObjectAt(q); o.RequestedSize != 120 {
		t.Errorf("requested size %d after krealloc, want 120", o.RequestedSize)
	}
	r, err := k.Krealloc(q, 300, GFP_KERNEL) // kmalloc-512
	if err != nil || r == q || r == 0 {
		t.Fatalf("krealloc to 300: %#x %v", uint64(r), err)
	}
	got := readBytes(t, k, r, 130)
	if string(got[:6]) != "abcdef" || got[127] != 0 || got[128] != 0 {
		t.Errorf("copied contents % x", got)
	}
	if o, _ := k.SlabObjectAt(q); o.Allocated {
		t.Error("old object not freed")
	}
	s, err := k.Krealloc(0, 50, GFP_KERNEL)
	if o, _ := k.SlabObjectAt(s); err != nil || o.Cache.Name != "kmalloc-64" {
		t.Errorf("krealloc(NULL, 50) = %+v %v", o, err)
	}
	if z, err := k.Krealloc(s, 0, GFP_KERNEL); z != ZeroSizePtr || err != nil {
		t.Errorf("krealloc(p, 0) = %#x %v", uint64(z), err)
	}
	if o, _ := k.SlabObjectAt(s); o.Allocated {
		t.Error("krealloc(p, 0) did not free")
	}
	big, _ := k.Krealloc(r, 5*PageSize, GFP_KERNEL)
	if k.Ksize(big) != 8*PageSize || string(readBytes(t, k, big, 6)) != "abcdef" {
		t.Errorf("krealloc to 20 KiB: ksize %d", k.Ksize(big))
	}
	if fail, _ := k.Krealloc(big, KmallocMaxSize+1, GFP_KERNEL|GFPNoWarn); fail != 0 || k.Ksize(big) != 8*PageSize {
		t.Error("a failed krealloc must leave the old block alone")
	}
	if err := k.Kfree(big); err != nil {
		t.Fatal(err)
	}
	checkAllInvariants(t, k)
}

// TestKfreeSensitive checks that kfree_sensitive zeroes ksize bytes before
// freeing. A cache with a constructor keeps freed contents (no poison), so
// the zeroes stay visible.
func TestKfreeSensitive(t *testing.T) {
	k := newSlabKernel(t, Config{})
	s, _ := k.KmemCacheCreate("keys", 24, 0, 0, func(Addr) error { return nil })
	p, _ := k.KmemCacheAlloc(s, GFP_KERNEL)
	if err := k.WriteMem(p, []byte("secret key material!")); err != nil {
		t.Fatal(err)
	}
	if err := k.KfreeSensitive(p); err != nil {
		t.Fatal(err)
	}
	if o, _ := k.SlabObjectAt(p); o.Allocated {
		t.Error("not freed")
	}
	if got := readBytes(t, k, p, 24); !bytes.Equal(got, make([]byte, 24)) {
		t.Errorf("freed object reads % x, want zeroes", got)
	}
	if err := k.KmemCacheDestroy(s); err != nil {
		t.Fatal(err)
	}
	checkAllInvariants(t, k)
}

// TestKmemCacheLifecycle runs the workshop's kmem_cache lesson: create,
// allocate beyond the first slab, free, destroy; the page allocator, the
// slab counters and /proc are back where they were.
func TestKmemCacheLifecycle(t *testing.T) {
	k := newSlabKernel(t, Config{NoPCP: true})
	buddy, slabinfo, meminfo := proc(t, k, "/proc/buddyinfo"), proc(t, k, "/proc/slabinfo"), proc(t, k, "/proc/meminfo")
	ctorCalls := 0
	var s *KmemCache
	s, err := k.KmemCacheCreate("student_cache", 200, 0, SlabHWCacheAlign, func(a Addr) error {
		ctorCalls++
		return k.WriteMem(a, []byte{0xc7})
	})
	if err != nil || s == nil {
		t.Fatalf("create: %v", err)
	}
	// On the debug build KASAN's metadata and redzone make the 200-byte
	// object a 320-byte stride (TestKmemCacheGeometryKASAN).
	if got := slabinfoLine(t, k, "student_cache"); !strings.HasPrefix(got, "student_cache          0      0    320   12    1") {
		t.Errorf("row %q", got)
	}
	var objs []Addr
	for i := 0; i < 40; i++ {
		p, err := k.KmemCacheAlloc(s, GFP_KERNEL)
		if err != nil || p == 0 {
			t.Fatalf("alloc %d: %v", i, err)
		}
		if b := readBytes(t, k, p, 1)[0]; b != 0xc7 {
			t.Fatalf("object %d not constructed: %#x", i, b)
		}
		objs = append(objs, p)
	}
	if ctorCalls != 48 {
		t.Errorf("constructor ran %d times, want 48 (4 slabs of 12)", ctorCalls)
	}
	if got := slabinfoLine(t, k, "student_cache"); !strings.HasPrefix(got, "student_cache         48     48    320   12    1 : tunables    0    0    0 : slabdata      4      4      0") {
		t.Errorf("row %q", got)
	}
	checkAllInvariants(t, k)
	for _, p := range objs {
		if err := k.KmemCacheFree(s, p); err != nil {
			t.Fatal(err)
		}
	}
	checkAllInvariants(t, k)
	if err := k.KmemCacheDestroy(s); err != nil {
		t.Fatal(err)
	}
	if len(k.Reports()) != 0 {
		t.Errorf("reports %v", k.Reports())
	}
	for name, want := range map[string]string{"/proc/buddyinfo": buddy, "/proc/slabinfo": slabinfo, "/proc/meminfo": meminfo} {
		if got := proc(t, k, name); got != want {
			t.Errorf("%s not restored:\n%s\nwant\n%s", name, got, want)
		}
	}
	checkAllInvariants(t, k)
}

// TestKmemCacheCreateFailures checks what kmem_cache_create refuses.
func TestKmemCacheCreateFailures(t *testing.T) {
	tests := []struct {
		name        string
		size, align uint64
		flags       SlabFlags
	}{
		{"zero size", 0, 0, 0},
		{"too large", KmallocMaxSize + 1, 0, 0},
		{"unknown flag", 64, 0, 0x1},
		{"align not a power of two", 64, 24, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newSlabKernel(t, Config{})
			seq := k.NextSeq()
			s, err := k.KmemCacheCreate("bad", tt.size, tt.align, tt.flags, nil)
			if s != nil || err != nil {
				t.Errorf("got %v %v, want NULL", s, err)
			}
			if got := logText(k, seq); !strings.HasPrefix(got, "kmem_cache_create(bad) failed with error -22\n") {
				t.Errorf("log %q", got)
			}
			checkAllInvariants(t, k)
		})
	}
	t.Run("duplicate name", func(t *testing.T) {
		k := newSlabKernel(t, Config{})
		if s, _ := k.KmemCacheCreate("dup", 64, 0, 0, nil); s == nil {
			t.Fatal("first create failed")
		}
		seq := k.NextSeq()
		if s, err := k.KmemCacheCreate("dup", 64, 0, 0, nil); s != nil || err != nil {
			t.Fatalf("second create %v %v", s, err)
		}
		got := logText(k, seq)
		for _, w := range []string{"sysfs: cannot create duplicate filename '/kernel/slab/dup'",
			"kobject_add_internal failed for dup with -EEXIST", "kmem_cache_create(dup) failed with error -17"} {
			if !strings.Contains(got, w) {
				t.Errorf("log lacks %q:\n%s", w, got)
			}
		}
		checkAllInvariants(t, k)
	})
	t.Run("SLAB_PANIC", func(t *testing.T) {
		k := newSlabKernel(t, Config{})
		s, err := k.KmemCacheCreate("bad", 0, 0, SlabPanic, nil)
		if s != nil || err == nil || !strings.Contains(err.Error(), "Kernel panic - not syncing: kmem_cache_create: Failed to create slab 'bad'. Error -22") {
			t.Errorf("got %v %v", s, err)
		}
	})
}

// TestSlabTracking checks the per-object records issue 4 builds on.
func TestSlabTracking(t *testing.T) {
	k := newSlabKernel(t, Config{})
	p := k.Kmalloc(30, GFP_KERNEL)
	if o, _ := k.SlabObjectAt(p + 5); o.Track != nil || o.Offset != 5 || o.RequestedSize != 30 {
		t.Errorf("without a stack: %+v", o)
	}
	k.Stack = scriptStack
	q := k.Kmalloc(30, GFP_KERNEL)
	if err := k.Kfree(q); err != nil {
		t.Fatal(err)
	}
	o, _ := k.SlabObjectAt(q)
	if o.Allocated || o.Track == nil || len(o.Track.AllocStack) != 1 || len(o.Track.FreeStack) != 1 {
		t.Errorf("tracked object %+v", o)
	}
	if _, ok := k.SlabObjectAt(PageOffset + 4096*3); ok {
		t.Error("a non-slab page reported as a slab object")
	}
	checkAllInvariants(t, k)
}

// TestSlabDeterminism checks that the boot caches and allocation addresses
// depend only on the seed.
func TestSlabDeterminism(t *testing.T) {
	run := func(seed uint64) (string, Addr) {
		k := newSlabKernel(t, Config{Seed: seed})
		s, _ := k.KmemCacheCreate("c", 300, 0, 0, nil)
		a, _ := k.KmemCacheAlloc(s, GFP_KERNEL)
		return proc(t, k, "/proc/slabinfo"), a
	}
	s1, a1 := run(7)
	s2, a2 := run(7)
	s3, a3 := run(8)
	if s1 != s2 || a1 != a2 {
		t.Error("same seed, different slab state")
	}
	if s1 == s3 && a1 == a3 {
		t.Error("different seeds, same slab state")
	}
}

// TestSlabSmallMachine checks that the boot caches fit a small machine
// (scaled down) and a large one.
func TestSlabSmallMachine(t *testing.T) {
	for _, ram := range []uint64{128 << 20, 16 << 30} {
		k := newSlabKernel(t, Config{RAM: ram})
		if k.FindCache("dentry").nrSlabs == 0 {
			t.Errorf("%d MiB: no dentries", ram>>20)
		}
		checkAllInvariants(t, k)
	}
}

// TestSlabOutOfMemory exhausts memory with GFP_ATOMIC kmalloc-8k objects:
// SLUB first asks for an order-3 slab without warnings or retries, then
// falls back to an order-1 slab of one object (s->min), and finally fails
// with the page allocator's warning and slab_out_of_memory()'s lines.
func TestSlabOutOfMemory(t *testing.T) {
	k := newSlabKernel(t, Config{RAM: 128 << 20})
	var live []Addr
	for {
		a := k.Kmalloc(8192, GFP_ATOMIC|GFPNoWarn)
		if a == 0 {
			break
		}
		live = append(live, a)
	}
	s := k.FindCache("kmalloc-8k")
	small := 0
	for sl := s.full.head; sl != nil; sl = k.slab.byPFN.next(sl) {
		if int(sl.order) == s.minOrder && sl.objects == 1 {
			small++
		}
	}
	if small == 0 {
		t.Error("no fallback slab of the minimum order with one object")
	}
	checkAllInvariants(t, k)
	seq := k.NextSeq()
	if a := k.Kmalloc(8192, GFP_ATOMIC); a != 0 {
		t.Fatalf("kmalloc succeeded after exhaustion: %#x", uint64(a))
	}
	got := logText(k, seq)
	// The debug build's KASAN makes kmalloc-8k's stride 16384 (8192 + a
	// 256-byte redzone, aligned to 8192): its fallback order is 2.
	for _, w := range []string{"page allocation failure: order:2, mode:0x40a20(GFP_ATOMIC|__GFP_COMP)",
		"SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)",
		"  cache: kmalloc-8k, object size: 8192, buffer size: 16384, default order: 3, min order: 2",
		"  node 0: slabs: "} {
		if !strings.Contains(got, w) {
			t.Errorf("log lacks %q:\n%s", w, got)
		}
	}
	for _, a := range live {
		if err := k.Kfree(a); err != nil {
			t.Fatal(err)
		}
	}
	checkAllInvariants(t, k)
	if s.partial.n > s.minPartial {
		t.Errorf("%d partial slabs kept, min_partial %d", s.partial.n, s.minPartial)
	}
}

// TestForEachAllocation checks the walk kmemleak will use: only what was
// allocated after boot and is still live.
func TestForEachAllocation(t *testing.T) {
	k := newSlabKernel(t, Config{})
	s, _ := k.KmemCacheCreate("walk", 40, 0, 0, nil)
	a := k.Kmalloc(100, GFP_KERNEL)
	b, _ := k.KmemCacheAlloc(s, GFP_KERNEL)
	c := k.Kmalloc(50_000, GFP_KERNEL)
	d := k.Kmalloc(10, GFP_KERNEL)
	if err := k.Kfree(d); err != nil {
		t.Fatal(err)
	}
	// The cache's own bookkeeping (its name, struct kmem_cache, random
	// sequence) is allocated after boot too.
	got := map[Addr]uint64{}
	k.forEachAllocation(func(o SlabObject) bool { got[o.Start] = o.RequestedSize; return true })
	for addr, size := range map[Addr]uint64{a: 100, b: 40, c: 50_000, s.nameAddr: 5, s.selfAddr: 232} {
		if got[addr] != size {
			t.Errorf("allocation %#x: size %d, want %d", uint64(addr), got[addr], size)
		}
	}
	if _, ok := got[d]; ok || len(got) != 7 {
		t.Errorf("walk found %d allocations (want 7: a, b, c, name, kmem_cache, node, random_seq)", len(got))
	}
}

// TestVirtToSlabOutsideDirectMap: virtToSlab finds no slab for an address
// below the direct map (which it leaves to the table's bounds) or above
// RAM, and finds the slab of a kmalloc'ed object.
func TestVirtToSlabOutsideDirectMap(t *testing.T) {
	k, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := k.Kmalloc(64, GFP_KERNEL)
	if sl := k.virtToSlab(a); sl == nil || k.slabCache(sl).objectSize != 64 {
		t.Fatalf("virtToSlab(kmalloc(64)) = %v", sl)
	}
	for _, bad := range []Addr{0, 0x10, a - PageOffset, PageOffset - 1, VmemmapBase, PageAddress(k.MaxPFN()), ^Addr(0)} {
		if sl := k.virtToSlab(bad); sl != nil {
			t.Errorf("virtToSlab(%#x) = a slab of %s, want none", uint64(bad), k.slabCache(sl).Name)
		}
	}
}
