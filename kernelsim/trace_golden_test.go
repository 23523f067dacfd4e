package kernelsim

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestAllocTraceGolden pins the allocators' choices byte for byte: a long
// seeded mix of page, slab, kmem_cache and vmalloc allocations and frees,
// bad frees and reads after free included, on the debug and the stock
// kernel with per-CPU lists on and off. Every address handed out, every
// error, the kernel log and the /proc files at the end go into a hash kept
// in testdata/alloc_trace.golden with the final /proc files in clear. A
// fast path that changes nothing a user can see leaves the file unchanged;
// KSCRIPT_UPDATE=1 go test ./kernelsim rewrites it after an intended change.
func TestAllocTraceGolden(t *testing.T) {
	var out bytes.Buffer
	for _, cfg := range []Config{
		{Seed: 1},
		{Seed: 2, NoPCP: true},
		{Seed: 3, Stock: true},
		{Seed: 4, Cmdline: "kasan_multi_shot slub_debug=FZPU"},
	} {
		fmt.Fprintf(&out, "== %+v\n", cfg)
		out.WriteString(allocTrace(t, cfg))
	}
	file := filepath.Join("testdata", "alloc_trace.golden")
	if os.Getenv("KSCRIPT_UPDATE") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (KSCRIPT_UPDATE=1 go test ./kernelsim writes it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		got, w := bytes.Split(out.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(got) && i < len(w); i++ {
			if !bytes.Equal(got[i], w[i]) {
				t.Fatalf("%s line %d: got %q, want %q", file, i+1, got[i], w[i])
			}
		}
		t.Fatalf("%s: got %d lines, want %d", file, len(got), len(w))
	}
}

// allocTrace runs the seeded mix on a machine booted with cfg and returns
// the hash of everything it saw, then the final /proc files.
func allocTrace(t *testing.T, cfg Config) string {
	k, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	r := rand.New(rand.NewPCG(cfg.Seed, 99))
	type block struct {
		pfn   PFN
		order int
	}
	var pages []block
	var objs, vms, cobjs []Addr
	var freed []Addr
	cache, err := k.KmemCacheCreate("trace_cache", 200, 0, SlabHWCacheAlign, nil)
	if err != nil {
		t.Fatal(err)
	}
	gfps := []GFP{GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | GFPZero, GFP_KERNEL | GFPDMA32, GFP_KERNEL | GFPDMA, GFP_NOWAIT}
	pick := func(n int) int { return r.IntN(n) }
	buf := make([]byte, 16)
	for i := 0; i < 20000; i++ {
		op := pick(100)
		if i%97 == 0 && len(freed) > 0 {
			// A bug now and then: a read after free, a double free, a
			// wrong-order page free.
			a := freed[pick(len(freed))]
			switch i / 97 % 3 {
			case 0:
				fmt.Fprintf(h, "read after free %#x -> %v\n", a, k.ReadMem(a, buf[:8]))
			case 1:
				fmt.Fprintf(h, "double kfree %#x -> %v\n", a, k.Kfree(a))
			default:
				if len(pages) > 0 && pages[len(pages)-1].order > 0 {
					b := pages[len(pages)-1]
					fmt.Fprintf(h, "wrong-order free %#x %d -> %v\n", b.pfn, b.order-1, k.FreePages(b.pfn, b.order-1))
				}
			}
			continue
		}
		switch {
		case op < 25:
			o := pick(6)
			if pick(50) == 0 {
				o = 10
			}
			pfn, ok := k.AllocPages(gfps[pick(len(gfps))], o)
			fmt.Fprintf(h, "alloc_pages %d -> %#x %v\n", o, pfn, ok)
			if ok {
				pages = append(pages, block{pfn, o})
			}
		case op < 45 && len(pages) > 0:
			j := pick(len(pages))
			b := pages[j]
			pages[j] = pages[len(pages)-1]
			pages = pages[:len(pages)-1]
			fmt.Fprintf(h, "free_pages %#x %d -> %v\n", b.pfn, b.order, k.FreePages(b.pfn, b.order))
		case op < 65:
			n := 1 + r.Uint64N(9000)
			if pick(4) == 0 {
				n = 1 + r.Uint64N(256)
			}
			a := k.Kmalloc(n, gfps[pick(len(gfps))])
			fmt.Fprintf(h, "kmalloc %d -> %#x\n", n, a)
			if a != 0 {
				objs = append(objs, a)
				fmt.Fprintf(h, "write -> %v\n", k.WriteMem(a, buf[:min(n, 16)]))
			}
		case op < 82 && len(objs) > 0:
			j := pick(len(objs))
			a := objs[j]
			objs[j] = objs[len(objs)-1]
			objs = objs[:len(objs)-1]
			fmt.Fprintf(h, "kfree %#x -> %v\n", a, k.Kfree(a))
			freed = append(freed, a)
		case op < 88:
			a, err := k.KmemCacheAlloc(cache, gfps[pick(2)])
			fmt.Fprintf(h, "kmem_cache_alloc -> %#x %v\n", a, err)
			if a != 0 {
				cobjs = append(cobjs, a)
			}
		case op < 93 && len(cobjs) > 0:
			j := pick(len(cobjs))
			a := cobjs[j]
			cobjs[j] = cobjs[len(cobjs)-1]
			cobjs = cobjs[:len(cobjs)-1]
			fmt.Fprintf(h, "kmem_cache_free %#x -> %v\n", a, k.KmemCacheFree(cache, a))
		case op < 95:
			n := 1 + r.Uint64N(64<<10)
			a := k.Vmalloc(n, GFP_KERNEL)
			fmt.Fprintf(h, "vmalloc %d -> %#x\n", n, a)
			if a != 0 {
				vms = append(vms, a)
			}
		case op < 97 && len(vms) > 0:
			j := pick(len(vms))
			a := vms[j]
			vms[j] = vms[len(vms)-1]
			vms = vms[:len(vms)-1]
			fmt.Fprintf(h, "vfree %#x -> %v\n", a, k.Vfree(a))
		}
		if len(freed) > 64 {
			freed = freed[32:]
		}
		if i%2000 == 0 {
			if err := k.CheckInvariants(); err != nil {
				t.Fatalf("%+v op %d: %v", cfg, i, err)
			}
		}
	}
	for _, r := range k.LogSince(0) {
		fmt.Fprintf(h, "%d %s\n", r.Time, r.Text)
	}
	var files bytes.Buffer
	for _, f := range []string{"/proc/buddyinfo", "/proc/meminfo", "/proc/vmstat", "/proc/slabinfo", "/proc/pagetypeinfo", "/proc/zoneinfo", "/proc/vmallocinfo"} {
		s, err := k.ReadProc(f)
		if err != nil {
			continue
		}
		h.Write([]byte(s))
		if f == "/proc/buddyinfo" || f == "/proc/meminfo" {
			fmt.Fprintf(&files, "-- %s\n%s", f, s)
		}
	}
	return fmt.Sprintf("sha256 %x\n%s", h.Sum(nil), files.String())
}
