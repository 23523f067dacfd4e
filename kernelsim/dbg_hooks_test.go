package kernelsim

import (
	"strings"
	"testing"
)

// TestFaultInjectionWired checks that the allocators and user copies ask
// the fault attributes, end to end.
func TestFaultInjectionWired(t *testing.T) {
	tests := []struct {
		spec string
		// run makes the calls as script code and reports which failed.
		run  func(h *dbgHarness) []bool
		want []bool
		log  string // a line the failure prints, "" for none
	}{
		{"kmalloc:nth=2", func(h *dbgHarness) []bool {
			return []bool{h.k.Kmalloc(32, GFP_KERNEL) == 0, h.k.Kmalloc(32, GFP_KERNEL) == 0, h.k.Kmalloc(32, GFP_KERNEL) == 0}
		}, []bool{false, true, false}, " kmalloc_trace+0x26/0x90"},
		{"kmalloc", func(h *dbgHarness) []bool {
			return []bool{h.k.Kmalloc(20000, GFP_KERNEL) == 0, h.k.Kmalloc(20000, GFP_KERNEL) == 0}
		}, []bool{true, false}, " __kmalloc_large_node+0x3d/0x120"},
		{"slab:times=-1", func(h *dbgHarness) []bool {
			c, _ := h.k.KmemCacheCreate("c", 24, 0, 0, nil)
			if c != nil {
				return []bool{false} // the cache's own kmallocs must fail first
			}
			a, _ := h.k.KmemCacheAlloc(h.k.slab.kmalloc[0][kmallocIndex(64)], GFP_KERNEL)
			return []bool{true, a == 0}
		}, []bool{true, true}, "name failslab, interval 1, probability 100, space 0, times -1"},
		{"kmalloc", func(h *dbgHarness) []bool {
			return []bool{h.k.Kmalloc(32, GFP_KERNEL|GFPNoFail) == 0}
		}, []bool{false}, ""},
		{"page_alloc:nth=1", func(h *dbgHarness) []bool {
			_, ok1 := h.k.AllocPages(GFP_KERNEL, 2)
			_, ok2 := h.k.AllocPages(GFP_KERNEL, 2)
			return []bool{!ok1, !ok2, h.k.GetFreePages(GFP_ATOMIC, 0) == 0}
		}, []bool{true, false, false}, " alloc_pages+0x95/0x1a0"},
		{"vmalloc:times=1", func(h *dbgHarness) []bool {
			return []bool{h.k.Vmalloc(8192, GFP_KERNEL) == 0, h.k.Vmalloc(8192, GFP_KERNEL) == 0}
		}, []bool{true, false}, "insmod: vmalloc error: size 0, page order 0, failed to allocate pages, mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null),cpuset=/,mems_allowed=0"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			h := newDbgHarness(t, "mod")
			if err := h.k.SetFaultInjection([]string{tt.spec}); err != nil {
				t.Fatal(err)
			}
			var got []bool
			lines, _ := h.run(3, func() { got = tt.run(h) })
			if len(got) != len(tt.want) {
				t.Fatalf("failed %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("failed %v, want %v", got, tt.want)
				}
			}
			if tt.log != "" {
				wantLines(t, lines, tt.log)
			}
			if tt.log == "" && len(lines) != 0 {
				t.Errorf("log:\n%s", strings.Join(lines, "\n"))
			}
			checkAllInvariants(t, h.k)
		})
	}
}

// TestFaultUsercopy checks fail_usercopy in copy_from_user and
// copy_to_user: nothing is copied, the destination of copy_from_user is
// zero-filled.
func TestFaultUsercopy(t *testing.T) {
	k := devBoot(t)
	var out strings.Builder
	p := userProc(t, k, "app", &out)
	k.Stack = func() []Frame { return []Frame{{Func: "dev_write", File: "mod.star", Line: 5, Module: "mod"}} }
	if err := k.SetFaultInjection([]string{"usercopy:nth=1"}); err != nil {
		t.Fatal(err)
	}
	kbuf := k.Kmalloc(16, GFP_KERNEL)
	k.Memset(kbuf, 0x41, 16)
	err := inProcess(t, p, func() error {
		ubuf := p.Malloc(16)
		if left, err := k.CopyFromUser(kbuf, ubuf, 16, -1); left != 16 || err != nil {
			t.Errorf("copy_from_user = %d, %v; want 16 (all) not copied", left, err)
		}
		if left, err := k.CopyToUser(ubuf, kbuf, 16, -1); left != 0 || err != nil {
			t.Errorf("second copy_to_user = %d, %v; want 0", left, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := k.LoadByte(kbuf); b != 0 {
		t.Errorf("destination not zero-filled: %#x", b)
	}
}

// TestKmemleakWired checks that the allocators register and unregister
// kmemleak objects themselves.
func TestKmemleakWired(t *testing.T) {
	h := newDbgHarness(t, "mod")
	k := h.k
	var keep []Addr
	h.in("mod", "mod_init", 5, func() {
		for _, size := range []uint64{16, 20000} {
			keep = append(keep, k.Kmalloc(size, GFP_KERNEL))
			k.Kfree(k.Kmalloc(size, GFP_KERNEL))
		}
		v := k.Vmalloc(10000, GFP_KERNEL)
		k.Vfree(k.Vmalloc(10000, GFP_KERNEL))
		a := k.GetFreePages(GFP_KERNEL, 1)
		k.FreePagesAddr(k.GetFreePages(GFP_KERNEL, 1), 1)
		c, _ := k.KmemCacheCreate("mod_cache", 40, 0, 0, nil)
		o, _ := k.KmemCacheAlloc(c, GFP_KERNEL)
		keep = append(keep, v, a, o)
	})
	h.rmmod(h.m)
	var got []string
	for _, r := range h.reports("memory-leak") {
		got = append(got, r.Title)
	}
	want := []string{"kscript: 16 bytes", "kscript: 20000 bytes", "kscript: 12288 bytes", "kscript: 8192 bytes", "kscript: 40 bytes"}
	if len(got) != len(want) {
		t.Fatalf("leaks %q, want %d: %v", got, len(want), keep)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("leak %d: %q, want %s", i, got[i], want[i])
		}
	}
}
