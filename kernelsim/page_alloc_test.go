package kernelsim

import (
	"strconv"
	"strings"
	"testing"
)

// bootTest boots a kernel for a test and checks its invariants at the end.
func bootTest(t testing.TB, cfg Config) *Kernel {
	t.Helper()
	k, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := k.CheckInvariants(); err != nil {
			t.Errorf("CheckInvariants: %v", err)
		}
	})
	return k
}

// freeCounts returns nr_free per order of a zone.
func freeCounts(k *Kernel, zone int) [MaxOrder]uint64 {
	var c [MaxOrder]uint64
	for o := range c {
		c[o] = k.zones.z[zone].freeArea[o].NrFree
	}
	return c
}

// logSince returns the text of the records logged since seq.
func logSince(k *Kernel, seq uint64) string {
	var b strings.Builder
	for _, r := range k.LogSince(seq) {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// mustInvariants fails the test when the allocator's state is inconsistent.
func mustInvariants(t *testing.T, k *Kernel) {
	t.Helper()
	if err := k.CheckInvariants(); err != nil {
		t.Fatalf("CheckInvariants: %v", err)
	}
}

// expectSplit returns the free counts after taking one block of order from
// a zone with counts c: the smallest free block at or above order is split.
func expectSplit(c [MaxOrder]uint64, order int) [MaxOrder]uint64 {
	for cur := order; cur < MaxOrder; cur++ {
		if c[cur] == 0 {
			continue
		}
		c[cur]--
		for o := order; o < cur; o++ {
			c[o]++
		}
		return c
	}
	return c
}

func TestSplitMerge(t *testing.T) {
	for _, tc := range []struct {
		name  string
		gfp   GFP
		order int
		zone  int
	}{
		{"order0-kernel", GFP_KERNEL, 0, ZoneDMA32},
		{"order1-kernel", GFP_KERNEL, 1, ZoneDMA32},
		{"order3-kernel", GFP_KERNEL, 3, ZoneDMA32},
		{"order5-kernel", GFP_KERNEL, 5, ZoneDMA32},
		{"order10-kernel", GFP_KERNEL, 10, ZoneDMA32},
		{"order0-dma", GFP_KERNEL | GFPDMA, 0, ZoneDMA},
		{"order4-dma", GFP_KERNEL | GFPDMA, 4, ZoneDMA},
		{"order2-atomic", GFP_ATOMIC, 2, ZoneDMA32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 7, NoPCP: true})
			before := freeCounts(k, tc.zone)
			pfn, ok := k.AllocPages(tc.gfp, tc.order)
			if !ok {
				t.Fatalf("AllocPages(%v, %d) failed", tc.gfp, tc.order)
			}
			if got := k.zoneOf(uint32(pfn)).idx; got != tc.zone {
				t.Errorf("pfn %#x in zone %d, want %d", pfn, got, tc.zone)
			}
			if pfn&(1<<tc.order-1) != 0 {
				t.Errorf("pfn %#x not aligned to order %d", pfn, tc.order)
			}
			if got, want := freeCounts(k, tc.zone), expectSplit(before, tc.order); got != want {
				t.Errorf("after alloc: nr_free %v, want %v", got, want)
			}
			mustInvariants(t, k)
			if err := k.FreePages(pfn, tc.order); err != nil {
				t.Fatalf("FreePages: %v", err)
			}
			if got := freeCounts(k, tc.zone); got != before {
				t.Errorf("after free: nr_free %v, want %v (merged back)", got, before)
			}
		})
	}
}

func TestZoneFallback(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ram      uint64
		gfp      GFP
		exhaust  []int // zones emptied first
		wantZone int
	}{
		{"kernel-512M-uses-DMA32", 512 << 20, GFP_KERNEL, nil, ZoneDMA32},
		{"kernel-8G-uses-Normal", 8 << 30, GFP_KERNEL, nil, ZoneNormal},
		{"dma32-8G-uses-DMA32", 8 << 30, GFP_KERNEL | GFPDMA32, nil, ZoneDMA32},
		{"dma-uses-DMA", 8 << 30, GFP_KERNEL | GFPDMA, nil, ZoneDMA},
		{"kernel-falls-back-to-DMA32", 8 << 30, GFP_KERNEL, []int{ZoneNormal}, ZoneDMA32},
		{"dma32-falls-back-to-DMA", 512 << 20, GFP_ATOMIC | GFPDMA32, []int{ZoneDMA32}, ZoneDMA},
		{"highmem-means-Normal", 8 << 30, GFP_HIGHUSER, nil, ZoneNormal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{RAM: tc.ram, Seed: 3})
			var taken []PFN
			for _, zi := range tc.exhaust {
				z := &k.zones.z[zi]
				for {
					pfn, ok := k.rmqueueBuddy(z, 0)
					if !ok {
						break
					}
					k.prepNewPage(pfn, 0)
					taken = append(taken, PFN(pfn))
				}
			}
			pfn, ok := k.AllocPages(tc.gfp|GFPNoWarn, 0)
			if !ok {
				t.Fatalf("AllocPages(%v) failed", tc.gfp)
			}
			if got := k.zoneOf(uint32(pfn)).idx; got != tc.wantZone {
				t.Errorf("got zone %s, want %s", zoneNames[got], zoneNames[tc.wantZone])
			}
			for _, p := range append(taken, pfn) {
				if err := k.FreePages(p, 0); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestZoneLayout(t *testing.T) {
	for _, tc := range []struct {
		name            string
		ram             uint64
		maxPFN          PFN
		dma32, normal   uint64 // present pages
		zoneRangesLine  string
		memoryLinePrefx string
	}{
		{"512M", 512 << 20, 0x1ffe0, 126944, 0, "  DMA32    [mem 0x0000000001000000-0x000000001ffdffff]", "Memory: "},
		{"3G", 3 << 30, 0xbffe0, 782304, 0, "  Normal   empty", "Memory: "},
		{"4G-lowmem-3G", 4 << 30, 0x140000, 782304, 262144, "  Normal   [mem 0x0000000100000000-0x000000013fffffff]", "Memory: "},
		{"16G", 16 << 30, 0x440000, 782304, 3407872, "  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]", "Memory: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{RAM: tc.ram, Seed: 1})
			if k.MaxPFN() != tc.maxPFN {
				t.Errorf("max_pfn %#x, want %#x", k.MaxPFN(), tc.maxPFN)
			}
			if got := k.zones.z[ZoneDMA].present; got != 3998 {
				t.Errorf("DMA present %d, want 3998", got)
			}
			if got := k.zones.z[ZoneDMA32].present; got != tc.dma32 {
				t.Errorf("DMA32 present %d, want %d", got, tc.dma32)
			}
			if got := k.zones.z[ZoneNormal].present; got != tc.normal {
				t.Errorf("Normal present %d, want %d", got, tc.normal)
			}
			log := logSince(k, 0)
			if !strings.Contains(log, tc.zoneRangesLine+"\n") {
				t.Errorf("boot log lacks %q:\n%s", tc.zoneRangesLine, log)
			}
		})
	}
}

func TestWatermarks(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	z := &k.zones.z[ZoneDMA32]
	// 512 MiB: lowmem managed ~426000 kB when the watermarks are set up:
	// min_free_kbytes = int_sqrt(426000*16) = 2610, min = 652 pages overall.
	var mins uint64
	for i := range k.zones.z {
		mins += k.zones.z[i].watermark[wmarkMin]
	}
	if mins < 645 || mins > 655 {
		t.Errorf("sum of min watermarks %d pages, want about 652", mins)
	}
	if w := z.watermark; !(w[wmarkMin] < w[wmarkLow] && w[wmarkLow] < w[wmarkHigh]) {
		t.Errorf("watermarks %v not increasing", w)
	}
	dma := &k.zones.z[ZoneDMA]
	// DMA32 managed ~102500 pages when the reserve is computed: /256.
	if got := dma.lowmemReserve[ZoneDMA32]; got < 395 || got > 405 {
		t.Errorf("DMA lowmem_reserve[DMA32] %d, want about 400", got)
	}
}

func TestPressureGFP(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pct       int
		gfp       GFP
		wantOK    bool
		reclaimed bool // page cache shrank
	}{
		{"nowait-at-min-fails", 100, GFP_NOWAIT, false, false},
		{"atomic-at-min-succeeds", 100, GFP_ATOMIC, true, false},
		{"kernel-at-min-reclaims", 100, GFP_KERNEL, true, true},
		{"high-at-150-fails", 150, GFP_NOWAIT | GFPHigh, false, false},
		{"atomic-at-150-succeeds", 150, GFP_ATOMIC, true, false},
		{"atomic-at-200-fails", 200, GFP_ATOMIC, false, false},
		{"kernel-at-200-reclaims", 200, GFP_KERNEL, true, true},
		{"nowait-at-50-succeeds", 50, GFP_NOWAIT, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 5, NoPCP: true})
			before := freeCounts(k, ZoneDMA32)
			k.Pressure(tc.pct)
			cache := k.mem.nrFilePages
			pfn, ok := k.AllocPages(tc.gfp|GFPNoWarn, 0)
			if ok != tc.wantOK {
				t.Fatalf("AllocPages(%v) ok=%v, want %v (free %d, min %d)", tc.gfp, ok, tc.wantOK, k.zones.z[ZoneDMA32].nrFree, k.zones.z[ZoneDMA32].watermark[wmarkMin])
			}
			if got := k.mem.nrFilePages < cache; got != tc.reclaimed {
				t.Errorf("page cache reclaimed=%v, want %v", got, tc.reclaimed)
			}
			if ok {
				if err := k.FreePages(pfn, 0); err != nil {
					t.Fatal(err)
				}
			}
			mustInvariants(t, k)
			k.ReleasePressure()
			if !tc.reclaimed {
				if got := freeCounts(k, ZoneDMA32); got != before {
					t.Errorf("after ReleasePressure nr_free %v, want %v", got, before)
				}
			}
		})
	}
}

func TestOrderTooLarge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		gfp      GFP
		order    int
		wantWarn bool
	}{
		{"order11-warns", GFP_KERNEL, 11, true},
		{"order20-warns", GFP_KERNEL, 20, true},
		{"order11-nowarn", GFP_KERNEL | GFPNoWarn, 11, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 1})
			seq := k.NextSeq()
			if _, ok := k.AllocPages(tc.gfp, tc.order); ok {
				t.Fatal("order >= MAX_ORDER succeeded")
			}
			log := logSince(k, seq)
			if got := strings.Contains(log, "WARNING: CPU: 0 PID: 0 at "+allocPagesWarnLine+" __alloc_pages+"); got != tc.wantWarn {
				t.Errorf("warning printed=%v, want %v:\n%s", got, tc.wantWarn, log)
			}
			if strings.Contains(log, "page allocation failure") {
				t.Errorf("order >= MAX_ORDER must not print warn_alloc:\n%s", log)
			}
			if tc.wantWarn {
				for _, want := range []string{"------------[ cut here ]------------\n", "Call Trace:\n", "---[ end trace 0000000000000000 ]---\n"} {
					if !strings.Contains(log, want) {
						t.Errorf("warning lacks %q", want)
					}
				}
				if !k.Tainted(TaintWarn) {
					t.Error("kernel not tainted W")
				}
				seq = k.NextSeq()
				k.AllocPages(tc.gfp, tc.order)
				if log := logSince(k, seq); log != "" {
					t.Errorf("WARN_ON_ONCE fired twice:\n%s", log)
				}
			}
		})
	}
}

func TestAllocFailureWarning(t *testing.T) {
	for _, tc := range []struct {
		name  string
		gfp   GFP
		order int
		want  string // first line, "" when silent
	}{
		{"nowait", GFP_NOWAIT, 0, "swapper/0: page allocation failure: order:0, mode:0x800(GFP_NOWAIT), nodemask=(null),cpuset=/,mems_allowed=0"},
		{"atomic-order3", GFP_ATOMIC, 3, "swapper/0: page allocation failure: order:3, mode:0xa20(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0"},
		{"nowait-nowarn", GFP_NOWAIT | GFPNoWarn, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 2})
			k.Pressure(200)
			seq := k.NextSeq()
			if _, ok := k.AllocPages(tc.gfp, tc.order); ok {
				t.Fatal("allocation succeeded under full pressure")
			}
			log := logSince(k, seq)
			if tc.want == "" {
				if log != "" {
					t.Errorf("__GFP_NOWARN printed:\n%s", log)
				}
				return
			}
			if first, _, _ := strings.Cut(log, "\n"); first != tc.want {
				t.Errorf("first line\n%s\nwant\n%s", first, tc.want)
			}
			for _, want := range []string{"Call Trace:\n", "Mem-Info:\n", "lowmem_reserve[]: 0 ", "Node 0 DMA32: ", " pages RAM\n"} {
				if !strings.Contains(log, want) {
					t.Errorf("report lacks %q:\n%s", want, log)
				}
			}
			if r := k.Reports(); len(r) != 1 || r[0].Class != "page-allocation-failure" {
				t.Errorf("reports %+v, want one page-allocation-failure", r)
			}
		})
	}
}

func TestBadFree(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(k *Kernel) (PFN, int) // returns the bad free's pfn and order
		reason string                     // "" when the free is fatal (Oops)
	}{
		{"double-free", func(k *Kernel) (PFN, int) {
			pfn, _ := k.AllocPages(GFP_KERNEL, 0)
			k.FreePages(pfn, 0)
			return pfn, 0
		}, "kscript: __free_pages() of pfn"}, // Linux: _refcount -1, silently
		{"tail-page", func(k *Kernel) (PFN, int) {
			pfn, _ := k.AllocPages(GFP_KERNEL, 2)
			return pfn + 1, 0
		}, "kscript: __free_pages() of pfn"}, // Linux prints nothing: kscript's own finding
		// Orders 0 to 3 go to the per-CPU lists, whose
		// free_pcp_prepare() checks nothing without CONFIG_DEBUG_VM:
		// Linux frees the page in use silently.
		{"reserved-page", func(k *Kernel) (PFN, int) {
			return kernelPhysStart >> PageShift, 0
		}, "kscript: __free_pages() of pfn"},
		{"slab-page", func(k *Kernel) (PFN, int) {
			pfn, _ := k.AllocPages(GFP_KERNEL, 1)
			k.SetPageUse(pfn, PageUseSlab, 0)
			return pfn, 1
		}, "kscript: __free_pages() of pfn"},
		// Above order 3, __free_pages_ok() checks the first page.
		{"reserved-block-order-4", func(k *Kernel) (PFN, int) {
			return kernelPhysStart >> PageShift, 4
		}, "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set"},
		{"slab-page-order-4", func(k *Kernel) (PFN, int) {
			pfn, _ := k.AllocPages(GFP_KERNEL, 4)
			k.SetPageUse(pfn, PageUseSlab, 0)
			return pfn, 4
		}, "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set"},
		{"free-top-block", func(k *Kernel) (PFN, int) {
			z := &k.zones.z[ZoneDMA32]
			return PFN(z.freeArea[MaxOrder-1].head), MaxOrder - 1
		}, "kscript: __free_pages() of pfn"},
		{"beyond-ram", func(k *Kernel) (PFN, int) {
			return k.MaxPFN() + 0x100000, 0
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 4})
			pfn, order := tc.setup(k)
			before := k.procBuddyinfo()
			seq := k.NextSeq()
			err := k.FreePages(pfn, order)
			log := logSince(k, seq)
			if got := k.procBuddyinfo(); got != before {
				t.Errorf("bad free changed buddyinfo:\n%s\nwant\n%s", got, before)
			}
			mustInvariants(t, k)
			if tc.reason == "" {
				if _, ok := err.(*Oops); !ok {
					t.Fatalf("err %v, want *Oops", err)
				}
				if !strings.HasPrefix(log, "BUG: unable to handle page fault for address: ffffea") {
					t.Errorf("log:\n%s", log)
				}
				return
			}
			if err != nil {
				t.Fatalf("err %v, want nil", err)
			}
			if strings.HasPrefix(tc.reason, "kscript: ") {
				r := k.Reports()
				if log != "" || k.Tainted(TaintBadPage) || len(r) != 1 || !r[0].Kscript || !strings.HasPrefix(r[0].Title, tc.reason) {
					t.Errorf("log %q, tainted B %v, reports %+v; want kscript's own finding %q and no kernel line", log, k.Tainted(TaintBadPage), r, tc.reason)
				}
				return
			}
			wantTitle := "BUG: Bad page state in process swapper/0  pfn:"
			if !strings.HasPrefix(log, wantTitle) || !strings.Contains(log, tc.reason+"\n") || !strings.Contains(log, "refcount:") ||
				!strings.Contains(log, " bad_page.cold+0x63/0x8f\n") || !strings.Contains(log, " __free_pages_ok+0x329/0x610\n") {
				t.Errorf("report:\n%s\nwant %q and %q", log, wantTitle, tc.reason)
			}
			if !k.Tainted(TaintBadPage) {
				t.Error("not tainted B")
			}
			if r := k.Reports(); len(r) != 1 || r[0].Class != "bad-page-state" {
				t.Errorf("reports %+v", r)
			}
		})
	}
}

func TestPCP(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	k.drainAllPages() // boot may have left blocks on the per-CPU lists
	z := &k.zones.z[ZoneDMA32]
	if z.pcp.batch != 31 {
		t.Errorf("DMA32 pcp batch %d, want 31", z.pcp.batch)
	}
	pfn, ok := k.AllocPages(GFP_KERNEL, 0)
	if !ok {
		t.Fatal("alloc failed")
	}
	if z.pcp.count != z.pcp.batch-1 {
		t.Errorf("pcp count %d after first alloc, want batch-1 = %d", z.pcp.count, z.pcp.batch-1)
	}
	mustInvariants(t, k)
	before := k.procBuddyinfo()
	if err := k.FreePages(pfn, 0); err != nil {
		t.Fatal(err)
	}
	if got := k.procBuddyinfo(); got != before {
		t.Errorf("free with pcp changed buddyinfo")
	}
	var pfns []PFN
	for i := 0; i < 2000; i++ {
		p, ok := k.AllocPages(GFP_KERNEL, i%4)
		if !ok {
			t.Fatal("alloc failed")
		}
		pfns = append(pfns, p)
	}
	for i, p := range pfns {
		if err := k.FreePages(p, i%4); err != nil {
			t.Fatal(err)
		}
	}
	if z.pcp.count >= z.pcp.high {
		t.Errorf("pcp count %d not below high %d", z.pcp.count, z.pcp.high)
	}
	mustInvariants(t, k)
}

func TestFragment(t *testing.T) {
	k := bootTest(t, Config{Seed: 9})
	k.Fragment()
	mustInvariants(t, k)
	for _, zi := range []int{ZoneDMA, ZoneDMA32} {
		c := freeCounts(k, zi)
		for o := 3; o < MaxOrder; o++ {
			if c[o] != 0 {
				t.Errorf("zone %s has %d free blocks of order %d", zoneNames[zi], c[o], o)
			}
		}
	}
	if _, ok := k.AllocPages(GFP_KERNEL|GFPNoWarn, 3); ok {
		t.Error("order-3 allocation succeeded in fragmented memory")
	}
	pfn, ok := k.AllocPages(GFP_KERNEL, 0)
	if !ok {
		t.Fatal("order-0 allocation failed in fragmented memory")
	}
	k.FreePages(pfn, 0)
	free := k.nrFreePages() + int64(len(k.mem.pressure))
	k.ReleasePressure()
	if got := k.nrFreePages(); got != free {
		t.Errorf("after ReleasePressure %d pages free, want %d", got, free)
	}
	if c := freeCounts(k, ZoneDMA32); c[MaxOrder-1] == 0 {
		t.Errorf("after ReleasePressure no order-10 block: %v", c)
	}
}

func TestGFPZero(t *testing.T) {
	k := bootTest(t, Config{Seed: 1, NoPCP: true, Cmdline: "init_on_alloc=0"})
	pfn, _ := k.AllocPages(GFP_KERNEL, 1)
	a := PageAddress(pfn)
	if err := k.Memset(a, 0xab, 2*PageSize); err != nil {
		t.Fatal(err)
	}
	k.FreePages(pfn, 1)
	for _, tc := range []struct {
		name string
		gfp  GFP
		want byte
	}{
		{"stale-without-zero", GFP_KERNEL, 0xab},
		{"zeroed", GFP_KERNEL | GFPZero, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := k.AllocPages(tc.gfp, 1)
			if p != pfn {
				t.Fatalf("got pfn %#x, want the same block %#x back", p, pfn)
			}
			buf := make([]byte, 2*PageSize)
			if err := k.ReadMem(PageAddress(p), buf); err != nil {
				t.Fatal(err)
			}
			if buf[0] != tc.want || buf[2*PageSize-1] != tc.want {
				t.Errorf("contents %#x..%#x, want %#x", buf[0], buf[2*PageSize-1], tc.want)
			}
			k.FreePages(p, 1)
		})
	}
}

func TestSlowpathFlags(t *testing.T) {
	for _, tc := range []struct {
		name        string
		setup       func(k *Kernel)
		gfp         GFP
		order       int
		wantOK      bool
		wantReclaim func(n int64) bool // pages of page cache reclaimed
	}{
		{"costly-reclaims-once", (*Kernel).fragmentQuiet, GFP_KERNEL, 4, false, func(n int64) bool { return n == swapClusterMax }},
		{"costly-retry-mayfail-reclaims-all", (*Kernel).fragmentQuiet, GFP_KERNEL | GFPRetryMayfail, 4, false, func(n int64) bool { return n > 10_000 }},
		{"order3-keeps-reclaiming", (*Kernel).fragmentQuiet, GFP_KERNEL, 3, false, func(n int64) bool { return n > 10_000 }},
		{"order3-noretry-once", (*Kernel).fragmentQuiet, GFP_KERNEL | GFPNoRetry, 3, false, func(n int64) bool { return n == swapClusterMax }},
		{"order2-fits", (*Kernel).fragmentQuiet, GFP_KERNEL, 2, true, func(n int64) bool { return n == 0 }},
		{"memalloc-ignores-watermarks", func(k *Kernel) { k.Pressure(200) }, GFP_NOWAIT | GFPMemalloc, 0, true, func(n int64) bool { return n == 0 }},
		{"nomemalloc-wins", func(k *Kernel) { k.Pressure(200) }, GFP_NOWAIT | GFPMemalloc | GFPNoMemalloc, 0, false, func(n int64) bool { return n == 0 }},
		{"kswapd-balances-to-high", func(k *Kernel) { k.Pressure(100) }, GFP_KERNEL, 0, true, func(n int64) bool { return n > 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 6, NoPCP: true})
			tc.setup(k)
			cache := k.mem.nrFilePages
			_, ok := k.AllocPages(tc.gfp|GFPNoWarn, tc.order)
			if ok != tc.wantOK {
				t.Errorf("AllocPages(%v, %d) ok=%v, want %v", tc.gfp, tc.order, ok, tc.wantOK)
			}
			if n := cache - k.mem.nrFilePages; !tc.wantReclaim(n) {
				t.Errorf("%d page cache pages reclaimed", n)
			}
			if tc.name == "kswapd-balances-to-high" {
				if z := &k.zones.z[ZoneDMA32]; z.nrFree <= int64(z.watermark[wmarkHigh]) {
					t.Errorf("DMA32 free %d not above high %d", z.nrFree, z.watermark[wmarkHigh])
				}
			}
		})
	}
}

// fragmentQuiet runs Fragment for a test.
func (k *Kernel) fragmentQuiet() { k.Fragment() }

func TestPageHelpers(t *testing.T) {
	k := bootTest(t, Config{Seed: 1, NoPCP: true})
	a := k.GetFreePages(GFP_KERNEL|GFPZero, 2)
	if a == 0 || !IsDirectMapAddr(a) || a&(4*PageSize-1) != 0 {
		t.Fatalf("GetFreePages = %#x", uint64(a))
	}
	pfn, ok := k.VirtToPage(a + 5)
	if !ok || PageAddress(pfn) != a {
		t.Errorf("VirtToPage(%#x) = %#x, %v", uint64(a+5), pfn, ok)
	}
	if phys, ok := k.VirtToPhys(a + 5); !ok || phys != PFNToPhys(pfn)+5 {
		t.Errorf("VirtToPhys = %#x, %v", phys, ok)
	}
	if got, ok := PageStructToPFN(PageStructAddr(pfn)); !ok || got != pfn {
		t.Errorf("PageStructToPFN(PageStructAddr(%#x)) = %#x, %v", pfn, got, ok)
	}
	if _, ok := PageStructToPFN(PageStructAddr(pfn) + 8); ok {
		t.Error("PageStructToPFN accepted a pointer into a struct page")
	}
	if use, _, head := k.PageUseOf(pfn); !head || use != PageUseKernel {
		t.Errorf("PageUseOf = %v, %v", use, head)
	}
	k.SetPageUse(pfn, PageUseSlab, 7)
	if use, data, _ := k.PageUseOf(pfn); use != PageUseSlab || data != 7 {
		t.Errorf("PageUseOf after SetPageUse = %v, %d", use, data)
	}
	k.SetPageUse(pfn, PageUseKernel, 0)
	before := freeCounts(k, ZoneDMA32)
	if err := k.FreePagesAddr(a, 2); err != nil {
		t.Fatal(err)
	}
	if freeCounts(k, ZoneDMA32) == before {
		t.Error("FreePagesAddr freed nothing")
	}
	if err := k.FreePagesAddr(0, 3); err != nil {
		t.Errorf("free_pages(0) = %v", err)
	}
	for _, tc := range []struct {
		name  string
		pfn   PFN
		valid bool
	}{
		{"pfn0", 0, true}, {"legacy-hole", 0xa0, true}, {"last", k.MaxPFN() - 1, true}, {"max", k.MaxPFN(), false},
	} {
		if got := k.PFNValid(tc.pfn); got != tc.valid {
			t.Errorf("%s: PFNValid(%#x) = %v", tc.name, tc.pfn, got)
		}
	}
	big := bootTest(t, Config{RAM: 8 << 30, Seed: 1})
	for _, tc := range []struct {
		pfn   PFN
		valid bool
	}{{0xbffdf, true}, {0xbffe0, true}, {0xc0000, false}, {0xfffff, false}, {0x100000, true}, {big.MaxPFN(), false}} {
		if got := big.PFNValid(tc.pfn); got != tc.valid {
			t.Errorf("8G: PFNValid(%#x) = %v, want %v", tc.pfn, got, tc.valid)
		}
	}
}

func TestPCPZoneinfoAndDrain(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	k.drainAllPages()
	pfn, _ := k.AllocPages(GFP_KERNEL, 0)
	if !strings.Contains(k.procZoneinfo(), "\n    cpu: 0\n              count: 30\n              high:  ") {
		t.Errorf("zoneinfo pagesets:\n%s", k.procZoneinfo())
	}
	k.FreePages(pfn, 0)
	k.drainAllPages()
	if k.zones.z[ZoneDMA32].pcp.count != 0 {
		t.Error("drain left pages on the per-CPU list")
	}
}

func TestRAMSizes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ram     uint64
		wantErr string
	}{
		{"64M-too-small", 64 << 20, "ram: 64 MiB is too small for Debian 12's kernel and initrd, want at least 128M"},
		{"128M", 128 << 20, ""},
		{"1000M-unaligned", 1000 << 20, ""},
		{"3500M-below-hole", 3500 << 20, ""},
		{"3584M-split", 3584 << 20, ""},
		{"5000M", 5000 << 20, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := New(Config{RAM: tc.ram, Seed: 1})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("New: %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustInvariants(t, k)
			if free, total := k.nrFreePages(), k.mem.totalram; free < total/3 || total*PageSize < int64(tc.ram)*60/100 {
				t.Errorf("MemTotal %d pages, MemFree %d pages for %d MiB", total, free, tc.ram>>20)
			}
		})
	}
}

func TestPageAllocTracer(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	var lines []string
	k.SetPageAllocTracer(func(l string) { lines = append(lines, l) })
	pfn, _ := k.AllocPages(GFP_KERNEL|GFPZero, 2)
	k.FreePages(pfn, 2)
	k.SetPageAllocTracer(nil)
	k.AllocPages(GFP_KERNEL, 0)
	if len(lines) != 2 {
		t.Fatalf("trace lines %q, want 2", lines)
	}
	hash := k.hashedPtr(PageStructAddr(pfn))
	want := []string{
		"mm_page_alloc: page=" + hash + " pfn=0x" + strconv.FormatUint(uint64(pfn), 16) + " order=2 migratetype=0 gfp_flags=GFP_KERNEL|__GFP_ZERO",
		"mm_page_free: page=" + hash + " pfn=0x" + strconv.FormatUint(uint64(pfn), 16) + " order=2",
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d\n%s\nwant\n%s", i, lines[i], want[i])
		}
	}
}

// TestWrongOrderFree checks __free_pages() with another order than the
// allocation's: no invented kernel line, kscript's own finding; a larger
// order reaches the free pages after the block, which bad_page() reports
// as Linux's free_pages_prepare() would.
func TestWrongOrderFree(t *testing.T) {
	for _, tc := range []struct {
		name        string
		alloc, free int
		wantBadPage bool
	}{
		{"smaller order", 2, 1, false},
		{"larger order", 1, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 1, NoPCP: true})
			pfn, _ := k.AllocPages(GFP_KERNEL, tc.alloc)
			seq := k.NextSeq()
			if err := k.FreePages(pfn, tc.free); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			for _, r := range k.LogSince(seq) {
				log.WriteString(r.Text + "\n")
			}
			if strings.Contains(log.String(), "allocated with order") {
				t.Errorf("invented kernel line in the log:\n%s", log.String())
			}
			if got := strings.Contains(log.String(), "BUG: Bad page state"); got != tc.wantBadPage {
				t.Errorf("Bad page state printed: %v, want %v\n%s", got, tc.wantBadPage, log.String())
			}
			rs := k.Reports()
			if last := rs[len(rs)-1]; last.Class != "wrong-order-free" || !strings.HasPrefix(last.Title, "kscript: ") {
				t.Errorf("last report %+v, want kscript's wrong-order-free", last)
			}
		})
	}
}
