package kernelsim

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// kasanCase runs body as mod_write at mod.star:line and returns the log
// lines it produced and the KASAN reports it made.
func (h *dbgHarness) run(line int, body func()) (lines []string, reports []Report) {
	seq, n := h.k.NextSeq(), len(h.k.Reports())
	h.in("mod", "mod_write", line, body)
	return dbgLines(h.k, seq), h.k.Reports()[n:]
}

// wantLines checks that want appears in got in order, each line matched
// exactly or, when it starts with "re:", as a regexp.
func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	i := 0
	for _, w := range want {
		for ; i < len(got); i++ {
			if re, ok := strings.CutPrefix(w, "re:"); ok && regexp.MustCompile("^"+re+"$").MatchString(got[i]) || got[i] == w {
				break
			}
		}
		if i == len(got) {
			t.Fatalf("missing %q after the earlier lines in:\n%s", w, strings.Join(got, "\n"))
		}
		i++
	}
}

func TestKasanSlabOutOfBounds(t *testing.T) {
	h := newDbgHarness(t, "mod")
	var a Addr
	var pid int
	lines, reps := h.run(23, func() {
		a = h.kmalloc(100)
		pid = h.k.Current().PID
		if err := h.k.StoreByte(a+99, 1); err != nil { // the last byte is fine
			t.Fatal(err)
		}
		if err := h.k.StoreByte(a+100, 1); err != nil {
			t.Fatal(err)
		}
	})
	if len(reps) != 1 || reps[0].Class != "slab-out-of-bounds" || reps[0].Fatal ||
		!regexp.MustCompile(`^BUG: KASAN: slab-out-of-bounds in mod_write\+0x[0-9a-f]+/0x[0-9a-f]+ \[mod\]$`).MatchString(reps[0].Title) {
		t.Fatalf("reports %+v", reps)
	}
	obj := uint64(a)
	wantLines(t, lines,
		kasanRule,
		reps[0].Title,
		fmt.Sprintf("Write of size 1 at addr %016x by task insmod/%d", obj+100, pid),
		"",
		fmt.Sprintf("re:CPU: 0 PID: %d Comm: insmod Tainted: .*", pid),
		"Call Trace:", " <TASK>", " dump_stack_lvl+0x44/0x5c", " print_report+0x17f/0x47b", " kasan_report+0xad/0x130",
		" mod_write (mod.star:23) [mod]", " do_one_initcall+0x41/0x200", " </TASK>",
		"",
		fmt.Sprintf("Allocated by task %d:", pid),
		" kasan_save_stack+0x1e/0x40", " kasan_set_track+0x21/0x30", " __kasan_kmalloc+0x7a/0x90", " kmalloc_trace+0x26/0x90",
		" mod_write (mod.star:23) [mod]",
		"",
		fmt.Sprintf("The buggy address belongs to the object at %016x", obj),
		" which belongs to the cache kmalloc-128 of size 128",
		"The buggy address is located 100 bytes inside of",
		fmt.Sprintf(" 128-byte region [%016x, %016x)", obj, obj+128),
		"",
		"The buggy address belongs to the physical page:",
		"re:page:[0-9a-f]{16} refcount:1 mapcount:0 .*",
		"page dumped because: kasan: bad access detected",
		"",
		"Memory state around the buggy address:",
		fmt.Sprintf("re: %016x: ([0-9a-f]{2} ){15}[0-9a-f]{2}", obj-256),
		fmt.Sprintf("re: %016x: .*", obj-128),
		fmt.Sprintf(">%016x: 00 00 00 00 00 00 00 00 00 00 00 00 04 fc fc fc", obj),
		strings.Repeat(" ", 55)+"^",
		fmt.Sprintf("re: %016x: .*", obj+128),
		fmt.Sprintf("re: %016x: .*", obj+256),
		kasanRule,
		"Disabling lock debugging due to kernel taint",
	)
	if !h.k.Tainted(TaintBadPage) {
		t.Error("not tainted B")
	}
}

func TestKasanReports(t *testing.T) {
	tests := []struct {
		name string
		// run does the accesses, as mod_write at mod.star:40, and
		// returns the lines the report must hold, in order.
		run   func(h *dbgHarness) []string
		class string
	}{
		{"memset past the end is skipped", func(h *dbgHarness) []string {
			a := h.kmalloc(128)
			h.k.Memset(a, 0x33, 129) // byte 128 is the redzone's first
			h.k.kasanDisableCurrent()
			b, _ := h.k.LoadByte(a + 128)
			h.k.kasanEnableCurrent()
			if b == 0x33 {
				h.t.Errorf("the bad memset was done: the redzone reads %#x", b)
			}
			return []string{fmt.Sprintf("re:Write of size 129 at addr %016x by task insmod/.*", uint64(a)),
				" kasan_check_range+0x115/0x1f0", " memset+0x20/0x40", " mod_write (mod.star:40) [mod]",
				"The buggy address is located 0 bytes inside of"}
		}, "slab-out-of-bounds"},
		{"use after kfree", func(h *dbgHarness) []string {
			a := h.kmalloc(64)
			h.kfree(a)
			h.k.LoadByte(a + 8)
			return []string{fmt.Sprintf("re:Read of size 1 at addr %016x by task insmod/.*", uint64(a)+8),
				"re:Allocated by task .*:", "re:Freed by task .*:", " kasan_set_free_info+0x20/0x40",
				"The buggy address is located 8 bytes inside of",
				fmt.Sprintf("re:>%016x: .*fa fb fb fb fb fb fb fb.*", uint64(a)&^127)}
		}, "use-after-free"},
		{"the quarantine keeps a freed object from reuse", func(h *dbgHarness) []string {
			a := h.kmalloc(64)
			h.kfree(a)
			if b := h.kmalloc(64); b == a {
				h.t.Errorf("kmalloc handed out %#x again at once", uint64(a))
			}
			h.k.StoreByte(a, 1)
			return []string{"re:Write of size 1 at addr .*"}
		}, "use-after-free"},
		{"static buffer over-read by %s", func(h *dbgHarness) []string {
			g := h.m.DataAddr(0)
			h.k.KasanPoisonGlobal(g, 32, 64, "k_buf")
			h.k.WriteMem(g, []byte(strings.Repeat("x", 32)))
			if s, _ := h.k.ReadCString(g, 1024); len(s) != 32 {
				h.t.Errorf("string %q", s)
			}
			return []string{fmt.Sprintf("re:Read of size 33 at addr %016x .*", uint64(g)),
				"The buggy address belongs to the variable:", " k_buf+0x0/0x40 [mod]",
				fmt.Sprintf("re:>%016x: .*", uint64(g)&^127), "re: +\\^"}
		}, "global-out-of-bounds"},
		{"vmalloc past the requested size", func(h *dbgHarness) []string {
			v := h.k.Vmalloc(5000, GFP_KERNEL)
			h.k.StoreByte(v+4999, 1)
			h.k.StoreByte(v+5000, 1)
			return []string{fmt.Sprintf("re:Write of size 1 at addr %016x .*", uint64(v)+5000),
				"The buggy address belongs to the virtual mapping at",
				fmt.Sprintf(" [%016x, %016x) created by:", uint64(v), uint64(v)+3*PageSize),
				"re: mod_write\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[mod\\]",
				"The buggy address belongs to the physical page:",
				fmt.Sprintf(">%016x: 00 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8", uint64(v)+4992&^127)}
		}, "vmalloc-out-of-bounds"},
		{"freed page", func(h *dbgHarness) []string {
			pfn, _ := h.k.AllocPages(GFP_KERNEL, 0)
			h.k.FreePages(pfn, 0)
			h.k.LoadByte(PageAddress(pfn) + 16)
			return []string{fmt.Sprintf(">%016x: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff", uint64(PageAddress(pfn)))}
		}, "use-after-free"},
		{"kmalloc_large past its size", func(h *dbgHarness) []string {
			a := h.k.Kmalloc(10000, GFP_KERNEL)
			h.k.StoreByte(a+9999, 1)
			h.k.StoreByte(a+10000, 1)
			return []string{fmt.Sprintf(">%016x: 00 00 fe fe fe fe fe fe fe fe fe fe fe fe fe fe", uint64(a)+9984&^127)}
		}, "slab-out-of-bounds"},
		{"memmove from a freed object", func(h *dbgHarness) []string {
			a, b := h.kmalloc(32), h.kmalloc(32)
			h.kfree(a)
			h.k.Memmove(b, a, 8)
			return []string{fmt.Sprintf("re:Read of size 8 at addr %016x .*", uint64(a)), " memmove+0x28/0x60"}
		}, "use-after-free"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDbgHarness(t, "mod")
			var want []string
			lines, reps := h.run(40, func() { want = tt.run(h) })
			var classes []string
			for _, r := range reps {
				classes = append(classes, r.Class)
			}
			if len(reps) != 1 || reps[0].Class != tt.class {
				t.Fatalf("reports %v, want one %s", classes, tt.class)
			}
			wantLines(t, lines, append([]string{kasanRule, reps[0].Title}, append(want, kasanRule)...)...)
		})
	}
}

// TestKasanClean does what correct code does and expects no report.
func TestKasanClean(t *testing.T) {
	h := newDbgHarness(t, "mod")
	k := h.k
	_, reps := h.run(50, func() {
		a := h.kmalloc(100)
		k.Memset(a, 1, 100)
		k.ReadMem(a, make([]byte, 100))
		if ks := k.Ksize(a); ks != 128 {
			t.Errorf("ksize %d", ks)
		}
		k.StoreByte(a+127, 1) // ksize() gave the caller all 128 bytes
		z := k.Kmalloc(40, GFP_KERNEL|GFPZero)
		k.Memmove(z, a, 40)
		r, _ := k.Krealloc(z, 400, GFP_KERNEL)
		k.Memset(r, 2, 400)
		v := k.Vmalloc(3*PageSize, GFP_KERNEL)
		k.Memset(v, 3, 3*PageSize)
		pfn, _ := k.AllocPages(GFP_KERNEL, 1)
		k.Memset(PageAddress(pfn), 4, 2*PageSize)
		big := k.Kmalloc(10000, GFP_KERNEL)
		k.Memset(big, 5, 10000)
		g := h.m.DataAddr(0)
		k.KasanPoisonGlobal(g, 31, 64, "msg")
		k.WriteMem(g, []byte("hello\x00"))
		k.ReadCString(g, 1024)
		c, _ := k.KmemCacheCreate("mod_cache", 40, 0, 0, func(o Addr) error { return k.Memset(o, 7, 40) })
		o, _ := k.KmemCacheAlloc(c, GFP_KERNEL)
		k.ReadMem(o, make([]byte, 40))
		k.KmemCacheFree(c, o)
		k.KmemCacheDestroy(c)
		k.KfreeSensitive(a)
		k.Kfree(r)
		k.Vfree(v)
		k.FreePages(pfn, 1)
		k.Kfree(big)
	})
	if len(reps) != 0 {
		t.Errorf("reports %+v", reps)
	}
	checkAllInvariants(t, k)
}

// TestKasanOncePerLine checks that a loop over a bad range reports once,
// and another line again.
func TestKasanOncePerLine(t *testing.T) {
	h := newDbgHarness(t, "mod")
	var a Addr
	_, reps := h.run(60, func() {
		a = h.kmalloc(13)
		for i := 13; i < 16; i++ {
			h.k.StoreByte(a+Addr(i), 0)
		}
	})
	_, more := h.run(61, func() { h.k.LoadByte(a + 14) })
	if len(reps) != 1 || len(more) != 1 {
		t.Errorf("%d reports from line 60, %d from line 61, want 1 and 1", len(reps), len(more))
	}
	if n := strings.Count(logText(h.k, 0), "Disabling lock debugging due to kernel taint"); n != 1 {
		t.Errorf("lock debugging disabled %d times", n)
	}
}

// FuzzKasan runs random kmalloc/kfree/vmalloc sequences with accesses: an
// access inside what was asked for is never reported, one past it inside
// the same object always is.
func FuzzKasan(f *testing.F) {
	f.Add([]byte{1, 100, 0, 2, 3, 0, 200, 9})
	f.Add([]byte{5, 5, 5, 0, 0, 0, 255, 255, 3, 1, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		h := newDbgHarness(t, "mod")
		k := h.k
		type alloc struct {
			a    Addr
			size uint64
			vm   bool
		}
		var live []alloc
		line := 100
		for i := 0; i+1 < len(ops) && i < 200; i += 2 {
			op, arg := ops[i]%4, uint64(ops[i+1])
			line++
			h.in("mod", "mod_op", line, func() {
				switch {
				case op == 0 || len(live) == 0:
					size := 1 + arg*13%3000
					if a := k.Kmalloc(size, GFP_KERNEL); a != 0 {
						live = append(live, alloc{a, size, false})
					}
				case op == 1:
					size := 1 + arg*97
					if a := k.Vmalloc(size, GFP_KERNEL); a != 0 {
						live = append(live, alloc{a, size, true})
					}
				case op == 2:
					x := live[int(arg)%len(live)]
					n := len(k.Reports())
					k.LoadByte(x.a + Addr(arg*7%x.size))
					k.Memset(x.a, byte(arg), x.size)
					if len(k.Reports()) != n {
						t.Fatalf("in-bounds access of %#x (size %d) reported: %+v", uint64(x.a), x.size, k.Reports()[n:])
					}
				default:
					j := int(arg) % len(live)
					x := live[j]
					live = append(live[:j], live[j+1:]...)
					if !x.vm && x.size%8 != 0 && x.size < k.Ksize(x.a) {
						k.setRequestedSize(x.a, x.size) // undo ksize's unpoisoning
						n := len(k.Reports())
						k.StoreByte(x.a+Addr(x.size), 0)
						if len(k.Reports()) != n+1 || k.Reports()[n].Class != "slab-out-of-bounds" && k.Reports()[n].Class != "out-of-bounds" {
							t.Fatalf("one byte past %d-byte object %#x: reports %+v", x.size, uint64(x.a), k.Reports()[n:])
						}
					}
					if x.vm {
						k.Vfree(x.a)
					} else {
						k.Kfree(x.a)
					}
				}
			})
		}
		for _, r := range k.Reports() {
			if r.Class != "slab-out-of-bounds" && r.Class != "out-of-bounds" {
				t.Fatalf("unexpected report %+v", r)
			}
		}
		checkAllInvariants(t, k)
	})
}

// TestKasanGlobalsForgotten checks that a removed module's globals do not
// outlive it.
func TestKasanGlobalsForgotten(t *testing.T) {
	h := newDbgHarness(t, "mod")
	g := h.m.DataAddr(0)
	h.k.KasanPoisonGlobal(g, 8, 64, "small")
	h.rmmod(h.m)
	if len(h.k.dbg.kasan.globals) != 0 {
		t.Errorf("globals left: %+v", h.k.dbg.kasan.globals)
	}
	m := h.load("other")
	_, reps := h.run(70, func() { h.k.WriteMem(m.DataAddr(0), make([]byte, 32)) })
	if len(reps) != 0 {
		t.Errorf("reports %+v", reps)
	}
}

// TestKasanSingleShot checks report_enabled(): without kasan_multi_shot
// only the first KASAN report of the boot is printed.
func TestKasanSingleShot(t *testing.T) {
	for _, tc := range []struct {
		cmdline string
		want    int
	}{{"", 1}, {"kasan_multi_shot", 2}} {
		k, err := New(Config{Seed: 3, Cmdline: tc.cmdline})
		if err != nil {
			t.Fatal(err)
		}
		line := 0
		k.Stack = func() []Frame { return []Frame{{Func: "mod_init", File: "mod.star", Line: line, Module: "mod"}} }
		p := k.Kmalloc(30, GFP_KERNEL)
		for line = 10; line <= 11; line++ {
			_ = k.WriteMem(p+30, []byte{1})
		}
		n := 0
		for _, r := range k.Reports() {
			if r.Class == "slab-out-of-bounds" {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("cmdline %q: %d reports, want %d", tc.cmdline, n, tc.want)
		}
	}
}

// TestKasanStringOverRead checks a %s over-read as 6.1 reports it: inside
// string_nocheck, which reads one byte at a time, so the report is a read
// of size 1 at the first byte past the object, with vsnprintf's and
// printk's frames above the script's in the call trace.
func TestKasanStringOverRead(t *testing.T) {
	h := newDbgHarness(t, "mod")
	k := h.k
	var p Addr
	var s string
	seq := k.NextSeq()
	h.in("mod", "mod_init", 5, func() {
		p = h.kmalloc(32)
		if err := k.Memset(p, 'A', 32); err != nil {
			t.Fatal(err)
		}
		var err error
		if s, err = k.ReadCStringVia(p, 1<<16, PrintkStringFrames); err != nil {
			t.Fatal(err)
		}
	})
	if len(s) < 32 || s[:32] != strings.Repeat("A", 32) {
		t.Errorf("string %q", s)
	}
	log := logSince(k, seq)
	logHasInOrder(t, log, []string{
		"BUG: KASAN: slab-out-of-bounds in string_nocheck+0x5c/0x90\n",
		fmt.Sprintf("Read of size 1 at addr %016x by task insmod/", uint64(p)+32),
		" kasan_report+", " string_nocheck+0x5c/0x90\n", " string+0x107/0x130\n", " vsnprintf+", " vprintk_store+", " vprintk_emit+", " _printk+",
		" mod_init (mod.star:5) [mod]\n",
		fmt.Sprintf("The buggy address belongs to the object at %016x\n", uint64(p)),
		fmt.Sprintf("The buggy address is located 0 bytes to the right of\n 32-byte region [%016x, %016x)\n", uint64(p), uint64(p)+32),
	})
	if n := strings.Count(log, "BUG: KASAN"); n != 1 {
		t.Errorf("%d KASAN reports, want 1", n)
	}
	// A terminated string inside the object is no report.
	seq = k.NextSeq()
	h.in("mod", "mod_init", 6, func() {
		q := h.kmalloc(32)
		_ = k.WriteMem(q, []byte("ok\x00"))
		_, _ = k.ReadCStringVia(q, 1<<16, PrintkStringFrames)
	})
	if log := logSince(k, seq); strings.Contains(log, "KASAN") {
		t.Errorf("a terminated string was reported:\n%s", log)
	}
}
