package kernelsim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSlabBadFrees checks that every bad free is reported as SLUB (with its
// debug checks on) and the kernel report it, leaves the allocator exactly as
// it was, and is an Oops only where Linux would Oops.
func TestSlabBadFrees(t *testing.T) {
	tests := []struct {
		name  string
		do    func(k *Kernel) error
		class string
		fatal bool
		log   []string
		// changed says the allocator state may differ afterwards (the
		// bad free really frees something, as in Linux).
		changed bool
	}{
		{
			name: "double free",
			do: func(k *Kernel) error {
				p := k.Kmalloc(100, GFP_KERNEL)
				_ = k.Kfree(p)
				return k.Kfree(p)
			},
			// KASAN's kasan_slab_free sees the free first: SLUB's own check
			// (slub_debug=F, TestSlubDebugFreeChecks) never runs.
			class: "double-free",
			log: []string{"==================================================================",
				"BUG: KASAN: double-free in kfree+0x7a/0x130\nFree of addr ffff8880",
				" kasan_report_invalid_free+", " ____kasan_slab_free+", " __kmem_cache_free+", " kfree+0x7a/0x130",
				"The buggy address is located 0 bytes inside of\n 128-byte region [ffff8880",
				"Memory state around the buggy address:", "Disabling lock debugging due to kernel taint"},
		},
		{
			name: "pointer inside an object",
			do: func(k *Kernel) error {
				p := k.Kmalloc(100, GFP_KERNEL)
				err := k.Kfree(p + 8)
				_ = k.Kfree(p)
				return err
			},
			class: "invalid-free",
			log: []string{"BUG: KASAN: invalid-free in kfree+0x7a/0x130\nFree of addr ffff8880",
				"The buggy address is located 8 bytes inside of\n 128-byte region [ffff8880"},
		},
		{
			name: "kmem_cache_free into the wrong cache",
			do: func(k *Kernel) error {
				p := k.Kmalloc(50, GFP_KERNEL)
				return k.KmemCacheFree(k.FindCache("kmalloc-128"), p)
			},
			class: "invalid-free",
			log:   []string{"------------[ cut here ]------------", "cache_from_obj: Wrong slab cache. kmalloc-128 but object is from kmalloc-64", "WARNING: CPU: 0 PID: 0 at mm/slab.h:"},
		},
		{
			name: "kmem_cache_destroy with live objects",
			do: func(k *Kernel) error {
				k.Stack = scriptStack
				s, _ := k.KmemCacheCreate("leaky", 64, 0, 0, nil)
				_, _ = k.KmemCacheAlloc(s, GFP_KERNEL)
				return k.KmemCacheDestroy(s)
			},
			class: "cache-still-has-objects",
			log: []string{"BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()",
				"Object 0x00000000", "Allocated in hello_init (hello.star:12) [hello] age=0 cpu=0 pid=0",
				"kmem_cache_destroy leaky: Slab cache still has objects when called from hello_init (hello.star:12) [hello]",
				"WARNING: CPU: 0 PID: 0 at mm/slab_common.c:493 kmem_cache_destroy+0x141/0x150"},
			changed: true, // the cache and its slab are leaked, as in Linux
		},
		{
			name: "kfree of a page from alloc_pages",
			do: func(k *Kernel) error {
				pfn, _ := k.AllocPages(GFP_KERNEL, 0)
				return k.Kfree(PageAddress(pfn))
			},
			class: "warning",
			log:   []string{"WARNING: CPU: 0 PID: 0 at mm/slab_common.c:904 free_large_kmalloc+0x3c/0x70", "object pointer: 0x"},
		},
		{
			name:  "kfree of a vmalloc address",
			do:    func(k *Kernel) error { return k.Kfree(VmallocStart + 0x1000) },
			class: "oops", fatal: true,
			log: []string{"BUG: unable to handle page fault for address: ffffeb0200000048", "Oops: 0000 [#1] PREEMPT SMP KASAN NOPTI", "RIP: 0010:kfree+0x4f/0x130"},
		},
		{
			name: "kmem_cache_alloc from a destroyed cache",
			do: func(k *Kernel) error {
				s, _ := k.KmemCacheCreate("gone", 64, 0, 0, nil)
				_ = k.KmemCacheDestroy(s)
				_, err := k.KmemCacheAlloc(s, GFP_KERNEL)
				return err
			},
			class: "oops", fatal: true,
			log: []string{"general protection fault, probably for non-canonical address 0x6b6b6b6b6b6b6b6b: 0000 [#1] PREEMPT SMP KASAN NOPTI"},
		},
		{
			name: "kmem_cache_free of NULL faults, unlike kfree(NULL)",
			do: func(k *Kernel) error {
				s, _ := k.KmemCacheCreate("c", 64, 0, 0, nil)
				return k.KmemCacheFree(s, 0)
			},
			class: "oops", fatal: true,
			log:     []string{"BUG: unable to handle page fault for address: ffffebde00000008", "RIP: 0010:kmem_cache_free+0x3d/0x3b0"},
			changed: true, // the new cache
		},
		{
			name: "kmem_cache_free of a page that is not a slab",
			do: func(k *Kernel) error {
				s, _ := k.KmemCacheCreate("c", 64, 0, 0, nil)
				pfn, _ := k.AllocPages(GFP_KERNEL, 0)
				err := k.KmemCacheFree(s, PageAddress(pfn))
				_ = k.FreePages(pfn, 0)
				return err
			},
			class:   "invalid-free",
			log:     []string{"virt_to_cache: Object is not a Slab page!", "WARNING: CPU: 0 PID: 0 at mm/slab.h:"},
			changed: true, // the new cache
		},
		{
			name: "kmem_cache_destroy twice after it failed",
			do: func(k *Kernel) error {
				s, _ := k.KmemCacheCreate("leaky", 64, 0, 0, nil)
				_, _ = k.KmemCacheAlloc(s, GFP_KERNEL)
				_ = k.KmemCacheDestroy(s)
				return k.KmemCacheDestroy(s)
			},
			class:   "cache-still-has-objects",
			log:     []string{"kmem_cache_destroy leaky: Slab cache still has objects when called from 0x0"},
			changed: true,
		},
		{
			name: "kmem_cache_free(NULL cache)",
			do: func(k *Kernel) error {
				return k.KmemCacheFree(nil, k.Kmalloc(8, GFP_KERNEL))
			},
			class: "null-deref", fatal: true,
			log: []string{"BUG: kernel NULL pointer dereference, address: 0000000000000060"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newSlabKernel(t, Config{NoPCP: true})
			slabinfo, buddy := proc(t, k, "/proc/slabinfo"), proc(t, k, "/proc/buddyinfo")
			seq := k.NextSeq()
			err := tt.do(k)
			var oops *Oops
			if isOops := errors.As(err, &oops); isOops != tt.fatal || (err != nil && !tt.fatal) {
				t.Errorf("error %v, want fatal=%v", err, tt.fatal)
			}
			reps := k.Reports()
			if len(reps) != 1 || reps[0].Class != tt.class || reps[0].Fatal != tt.fatal {
				t.Fatalf("reports %+v, want one %s", reps, tt.class)
			}
			got := logText(k, seq)
			for _, w := range tt.log {
				if !strings.Contains(got, w) {
					t.Errorf("log lacks %q:\n%s", w, got)
				}
			}
			if !tt.changed && (proc(t, k, "/proc/slabinfo") != slabinfo || proc(t, k, "/proc/buddyinfo") != buddy) {
				t.Error("a bad free changed the allocator state")
			}
			checkAllInvariants(t, k)
		})
	}
}

// TestStockDoubleFree checks a double free on the stock build, which has
// no SLUB debug checks: the naive kfree(p); kfree(p) hits
// SLAB_FREELIST_HARDENED's BUG_ON in set_freepointer (a kernel BUG that
// kills the task); with another free in between Linux notices nothing, and
// kscript records its own finding without a kernel line. slub_debug=F
// brings SLUB's "Object already free" back.
func TestStockDoubleFree(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cmdline string
		between bool // free another object of the cache in between
		away    bool // the object's slab is no longer the CPU slab
		fatal   bool
		log     []string // lines the log must have, in order
		kscript bool     // the report is kscript's own finding
	}{
		{name: "naive", fatal: true, log: []string{"------------[ cut here ]------------",
			"kernel BUG at mm/slub.c:419!", "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI", "RIP: 0010:__kmem_cache_free+0x284/0x2a0",
			"Call Trace:\n", " <TASK>\n ", "---[ end trace 0000000000000000 ]---", "RIP: 0010:__kmem_cache_free+0x284/0x2a0", "RSP: 0018:"}},
		{name: "naive, not the CPU slab", away: true, fatal: true, log: []string{"kernel BUG at mm/slub.c:419!", "RIP: 0010:__slab_free+0x118/0x2d0"}},
		{name: "another free in between", between: true, kscript: true},
		{name: "slub_debug=F", cmdline: "slub_debug=F", log: []string{"BUG kmalloc-128 (Not tainted): Object already free"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 2, Stock: true, Cmdline: tc.cmdline})
			p := k.Kmalloc(100, GFP_KERNEL)
			q := k.Kmalloc(100, GFP_KERNEL)
			if tc.away { // fill kmalloc-128's CPU slab: the next one takes over
				for i := 0; i < 64; i++ {
					k.Kmalloc(100, GFP_KERNEL)
				}
			}
			seq := k.NextSeq()
			_ = k.Kfree(p)
			if tc.between {
				_ = k.Kfree(q)
			}
			err := k.Kfree(p)
			var oops *Oops
			if got := errors.As(err, &oops); got != tc.fatal {
				t.Fatalf("Kfree: err %v, want fatal %v", err, tc.fatal)
			}
			log := logSince(k, seq)
			logHasInOrder(t, log, tc.log)
			if tc.log == nil && log != "" {
				t.Errorf("log %q, want nothing: Linux notices nothing", log)
			}
			if tc.fatal && strings.Contains(log, "kfree+") {
				t.Errorf("log has a kfree frame; 6.1's kfree tail-calls __kmem_cache_free:\n%s", log)
			}
			rs := k.Reports()
			if len(rs) != 1 || rs[0].Class != "double-free" || rs[0].Kscript != tc.kscript {
				t.Errorf("reports %+v, want one double-free (kscript's own: %v)", rs, tc.kscript)
			}
		})
	}
}

// TestSlubDebugFreeChecks: SLUB's free checks (free_consistency_checks) run
// only when the command line has slub_debug=F, which also turns
// no_hash_pointers on (with kmem_cache_init's banner), so the report shows
// real addresses. Without it a kernel without KASAN checks nothing and
// kscript records its own finding; with KASAN, KASAN sees the free first.
func TestSlubDebugFreeChecks(t *testing.T) {
	const banner = "** This system shows unhashed kernel memory addresses   **"
	for _, tc := range []struct {
		name    string
		cfg     Config
		log     []string // in order
		banner  bool
		kscript bool
	}{
		{name: "stock, slub_debug=F", cfg: Config{Stock: true, Cmdline: "slub_debug=F"}, banner: true,
			log: []string{"BUG kmalloc-128 (Not tainted): Invalid object pointer 0xffff8880",
				"Slab 0xffffea00", "FIX kmalloc-128: Object at 0xffff8880", " not freed"}},
		{name: "stock", cfg: Config{Stock: true}, kscript: true},
		{name: "debug, slub_debug=F", cfg: Config{Cmdline: "slub_debug=F"}, banner: true,
			log: []string{"BUG: KASAN: invalid-free in kfree+0x7a/0x130"}},
		{name: "stock, slub_debug=O", cfg: Config{Stock: true, Cmdline: "slub_debug=O"}, kscript: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, tc.cfg)
			if boot := logText(k, 0); strings.Contains(boot, banner) != tc.banner {
				t.Errorf("boot log has the no_hash_pointers banner: %v, want %v", !tc.banner, tc.banner)
			} else if tc.banner && !strings.Contains(boot, banner+"\n") {
				t.Errorf("banner line mangled")
			}
			p := k.Kmalloc(100, GFP_KERNEL)
			seq := k.NextSeq()
			if err := k.Kfree(p + 8); err != nil {
				t.Fatal(err)
			}
			log := logSince(k, seq)
			logHasInOrder(t, log, tc.log)
			if tc.log == nil && log != "" {
				t.Errorf("log %q, want nothing: Linux checks nothing", log)
			}
			rs := k.Reports()
			if len(rs) != 1 || rs[0].Class != "invalid-free" || rs[0].Kscript != tc.kscript {
				t.Errorf("reports %+v, want one invalid-free (kscript's own: %v)", rs, tc.kscript)
			}
			if err := k.Kfree(p); err != nil {
				t.Errorf("the object itself: %v", err)
			}
			checkAllInvariants(t, k)
		})
	}
}

// TestLargeKmallocDoubleFree pins 6.1's kfree of a large kmalloc (above 8
// KiB, pages from the page allocator) that is already free: the freed first
// page is an order-0 folio to free_large_kmalloc(), which WARNs once
// (mm/slab_common.c:904) with "object pointer", a KASAN kernel reports the
// double-free, and __free_pages(page, 0) only takes the free page's
// _refcount to -1: no Bad page state, nothing freed (kscript's own note).
func TestLargeKmallocDoubleFree(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		log   []string // in order
		kasan bool
	}{
		{name: "stock", cfg: Config{Seed: 2, Stock: true},
			log: []string{"------------[ cut here ]------------", "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:904 free_large_kmalloc+0x3c/0x70",
				"---[ end trace 0000000000000000 ]---", "object pointer: 0x"}},
		{name: "debug (KASAN)", cfg: Config{Seed: 2}, kasan: true,
			log: []string{"WARNING: CPU: 0 PID: 0 at mm/slab_common.c:904 free_large_kmalloc+0x3c/0x70", "object pointer: 0x",
				"BUG: KASAN: double-free in ", "Free of addr ", "kasan_report_invalid_free+", "__kasan_kfree_large+", "free_large_kmalloc+",
				"The buggy address belongs to the physical page:", "Memory state around the buggy address:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, tc.cfg)
			p := k.Kmalloc(16384, GFP_KERNEL)
			if p == 0 || k.virtToSlab(p) != nil {
				t.Fatalf("Kmalloc(16384) = %#x, want a large kmalloc", uint64(p))
			}
			if err := k.Kfree(p); err != nil {
				t.Fatal(err)
			}
			buddy := proc(t, k, "/proc/buddyinfo")
			seq := k.NextSeq()
			if err := k.Kfree(p); err != nil {
				t.Fatalf("second Kfree: %v, want no Oops", err)
			}
			log := logSince(k, seq)
			logHasInOrder(t, log, tc.log)
			if strings.Contains(log, "Bad page state") {
				t.Errorf("log has a Bad page state; 6.1's __free_pages of a free page prints none:\n%s", log)
			}
			if got := proc(t, k, "/proc/buddyinfo"); got != buddy {
				t.Errorf("the double free changed buddyinfo:\n%s\nwant\n%s", got, buddy)
			}
			var classes []string
			for _, r := range k.Reports() {
				classes = append(classes, fmt.Sprintf("%s/%v", r.Class, r.Kscript))
			}
			want := []string{"warning/false", "double-free/true"}
			if tc.kasan {
				want = []string{"warning/false", "double-free/false", "double-free/true"}
			}
			if strings.Join(classes, " ") != strings.Join(want, " ") {
				t.Errorf("reports %v, want %v", classes, want)
			}
			checkAllInvariants(t, k)
		})
	}
}

// TestDebian61WarnSites pins the WARNING lines of the slab and kvmalloc
// checks to the file:line and RIP that Debian's 6.1 build has for them
// (linux-image-6.1.0-57-amd64's __bug_table and System.map, 6.1.192-3).
func TestDebian61WarnSites(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(k *Kernel)
		want string
	}{
		{"ksize of a page", func(k *Kernel) {
			pfn, _ := k.AllocPages(GFP_KERNEL, 0)
			k.Ksize(PageAddress(pfn))
		}, "at mm/slab_common.c:1014 __ksize+0x103/0x130"},
		{"ksize inside a large kmalloc", func(k *Kernel) {
			k.Ksize(k.Kmalloc(16384, GFP_KERNEL) + 8)
		}, "at mm/slab_common.c:1016 __ksize+0x10c/0x130"},
		{"kmem_cache_free of a page", func(k *Kernel) {
			s, _ := k.KmemCacheCreate("c", 64, 0, 0, nil)
			pfn, _ := k.AllocPages(GFP_KERNEL, 0)
			_ = k.KmemCacheFree(s, PageAddress(pfn))
		}, "at mm/slab.h:630 cache_from_obj+0xe0/0x120"},
		{"kmem_cache_free into the wrong cache", func(k *Kernel) {
			s, _ := k.KmemCacheCreate("c", 64, 0, 0, nil)
			_ = k.KmemCacheFree(s, k.Kmalloc(8, GFP_KERNEL))
		}, "at mm/slab.h:665 cache_from_obj+0xa1/0x120"},
		{"__GFP_ZERO for a cache with a constructor", func(k *Kernel) {
			s, _ := k.KmemCacheCreate("c", 64, 0, 0, func(Addr) error { return nil })
			_, _ = k.KmemCacheAlloc(s, GFP_KERNEL|GFPZero)
		}, "at mm/slub.c:2001 ___slab_alloc+0x365/0x990"},
		{"kvmalloc above INT_MAX", func(k *Kernel) {
			k.Kvmalloc(1<<32, GFP_KERNEL)
		}, "at mm/util.c:596 kvmalloc_node+0xc0/0xd0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newSlabKernel(t, Config{Stock: true})
			seq := k.NextSeq()
			tc.do(k)
			if log := logText(k, seq); !strings.Contains(log, "WARNING: CPU: 0 PID: 0 "+tc.want+"\n") {
				t.Errorf("log lacks %q:\n%s", tc.want, log)
			}
		})
	}
}
