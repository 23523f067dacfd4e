package kernelsim

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// newVMTestKernel boots a default machine whose "script" is always at
// vmalloc_test.star:23 in vmalloc_test_init.
func newVMTestKernel(t testing.TB) *Kernel {
	t.Helper()
	k, err := New(Config{Seed: 7, NoPCP: true}) // exact buddy counts
	if err != nil {
		t.Fatal(err)
	}
	k.Stack = func() []Frame {
		return []Frame{{Func: "vmalloc_test_init", File: "vmalloc_test.star", Line: 23, Col: 16, Module: "vmalloc_test"}}
	}
	return k
}

func checkInvariants(t *testing.T, k *Kernel) {
	t.Helper()
	if err := k.CheckInvariants(); err != nil {
		t.Fatalf("CheckInvariants: %v", err)
	}
	if err := k.checkVmalloc(); err != nil {
		t.Fatal(err)
	}
}

// logSince returns the text of the log records made after seq.
func vmLogSince(k *Kernel, seq uint64) []string {
	var out []string
	for _, r := range k.LogSince(seq) {
		out = append(out, r.Text)
	}
	return out
}

func TestVmallocPlacement(t *testing.T) {
	cases := []struct {
		name  string
		sizes []uint64 // allocated in order
		free  []int    // indices vfree'd afterwards, in order
		purge bool     // purge the lazily freed ranges before the last allocation
		last  uint64   // then allocate this
		reuse int      // index whose address the last allocation must reuse, -1 for none
	}{
		{name: "one page", sizes: []uint64{1}, reuse: -1},
		{name: "rounded up to pages", sizes: []uint64{4097, 100}, reuse: -1},
		{name: "freed range is not reused before the purge", sizes: []uint64{8192, 8192}, free: []int{0}, last: 8192, reuse: -1},
		{name: "freed range is reused after the purge", sizes: []uint64{8192, 8192}, free: []int{0}, purge: true, last: 8192, reuse: 0},
		{name: "a larger request skips the hole", sizes: []uint64{4096, 4096}, free: []int{0}, purge: true, last: 3 * 4096, reuse: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			var addrs []Addr
			for _, size := range tc.sizes {
				a := k.Vmalloc(size, GFP_KERNEL)
				if a == 0 {
					t.Fatalf("vmalloc(%d) failed", size)
				}
				v := k.FindVMArea(a)
				if want := pageAlign(size) + PageSize; v.Size != want {
					t.Errorf("vmalloc(%d): area size %d, want %d (PAGE_ALIGN + guard)", size, v.Size, want)
				}
				if len(addrs) > 0 && a < k.FindVMArea(addrs[len(addrs)-1]).End() {
					t.Errorf("vmalloc(%d) at %#x overlaps the previous area", size, a)
				}
				checkLowest(t, k, v)
				addrs = append(addrs, a)
			}
			for _, i := range tc.free {
				if err := k.Vfree(addrs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if tc.last == 0 {
				return
			}
			if tc.purge {
				k.purgeVmapAreaLazy()
			}
			a := k.Vmalloc(tc.last, GFP_KERNEL)
			checkLowest(t, k, k.FindVMArea(a))
			for i, old := range addrs {
				if (a == old) != (i == tc.reuse) {
					t.Errorf("last allocation at %#x, area %d was at %#x; want reuse of %d", a, i, old, tc.reuse)
				}
			}
			checkInvariants(t, k)
		})
	}
}

// checkLowest verifies find_vmap_lowest_match: no gap below v in the
// vmalloc range could have held it.
func checkLowest(t *testing.T, k *Kernel, v *VMStruct) {
	t.Helper()
	prev := VmallocStart
	spans := append([]vaSpan(nil), k.vm.purge...)
	for _, b := range k.vm.busy {
		if b != v {
			spans = append(spans, vaSpan{b.Addr, b.End()})
		}
	}
	sortSpans(spans)
	for _, s := range spans {
		if s.start >= v.Addr {
			break
		}
		if s.start > prev && uint64(s.start-prev) >= v.Size {
			t.Errorf("area %#x-%#x placed above a free gap %#x-%#x", v.Addr, v.End(), prev, s.start)
		}
		prev = max(prev, s.end)
	}
}

func sortSpans(s []vaSpan) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].start < s[j-1].start; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestVmallocGuardPage(t *testing.T) {
	k := newVMTestKernel(t)
	a := k.Vmalloc(2*PageSize, GFP_KERNEL)
	cases := []struct {
		name   string
		addr   Addr
		mapped bool
	}{
		{"first byte", a, true},
		{"last byte", a + 2*PageSize - 1, true},
		{"guard page", a + 2*PageSize, false},
		{"end of guard page", a + 3*PageSize - 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := k.vmTranslate(tc.addr); ok != tc.mapped {
				t.Errorf("vmTranslate(%#x) mapped=%v, want %v", tc.addr, ok, tc.mapped)
			}
			err := k.ReadMem(tc.addr, make([]byte, 1))
			var oops *Oops
			if got := errors.As(err, &oops); got == tc.mapped {
				t.Errorf("ReadMem(%#x) = %v, want an Oops: %v", tc.addr, err, !tc.mapped)
			}
		})
	}
}

func TestVmalloc32MiB(t *testing.T) {
	k := newVMTestKernel(t)
	buddy, used := k.procBuddyinfo(), k.VmallocNrPages()
	a := k.Vmalloc(32<<20, GFP_KERNEL)
	if a == 0 {
		t.Fatal("vmalloc(32 MiB) failed")
	}
	v := k.FindVMArea(a)
	if v.NrPages() != 8192 || v.Size != 32<<20+PageSize {
		t.Fatalf("area: %d pages, size %d; want 8192 pages, size %d", v.NrPages(), v.Size, 32<<20+PageSize)
	}
	if v.pagesVM == nil || v.pagesVM.NrPages() != 16 {
		t.Fatalf("pages array: want a vmalloc'ed area of 16 pages (64 KiB of struct page pointers)")
	}
	if got := k.VmallocNrPages() - used; got != 8192+16 {
		t.Errorf("VmallocUsed grew by %d pages, want %d", got, 8192+16)
	}
	// The buffer is usable end to end through the vmalloc mapping.
	if err := k.WriteMem(a+32<<20-5, []byte("tail")); err != nil {
		t.Fatal(err)
	}
	if err := k.Vfree(a); err != nil {
		t.Fatal(err)
	}
	if got := k.procBuddyinfo(); got != buddy {
		t.Errorf("/proc/buddyinfo after vfree:\n%s\nwant:\n%s", got, buddy)
	}
	if k.VmallocNrPages() != used {
		t.Errorf("VmallocUsed %d pages after vfree, want %d", k.VmallocNrPages(), used)
	}
	checkInvariants(t, k)
}

// TestVmallocScattered shows what vmalloc is for: with memory free but
// fragmented (no free block above order 2), 32 MiB of virtually contiguous
// memory is still available, made of scattered page frames.
func TestVmallocScattered(t *testing.T) {
	k := newVMTestKernel(t)
	t.Log(k.Fragment())
	if _, ok := k.AllocPages(GFP_KERNEL|GFPNoWarn, 5); ok {
		t.Fatal("Fragment left an order-5 block free")
	}
	a := k.Vmalloc(32<<20, GFP_KERNEL)
	if a == 0 {
		t.Fatal("vmalloc(32 MiB) failed on fragmented memory")
	}
	v := k.FindVMArea(a)
	runs := 1
	for i := 1; i < len(v.Pages); i++ {
		if v.Pages[i] != v.Pages[i-1]+1 {
			runs++
		}
	}
	if runs < len(v.Pages)/4 {
		t.Errorf("%d frames in %d contiguous runs; with no free block above order 2 there must be at least %d", len(v.Pages), runs, len(v.Pages)/4)
	}
	k.Vfree(a)
	checkInvariants(t, k)
}

func TestVzallocZeroes(t *testing.T) {
	k := newVMTestKernel(t)
	a := k.Vmalloc(3*PageSize, GFP_KERNEL)
	k.Memset(a, 0xa5, 3*PageSize)
	k.Vfree(a)
	k.purgeVmapAreaLazy()
	z := k.Vzalloc(3 * PageSize)
	buf := make([]byte, 3*PageSize)
	if err := k.ReadMem(z, buf); err != nil {
		t.Fatal(err)
	}
	for i, c := range buf {
		if c != 0 {
			t.Fatalf("vzalloc'ed byte %d is %#x, want 0", i, c)
		}
	}
}

var vmallocinfoLine = regexp.MustCompile(`^0x[0-9a-f]{16}-0x[0-9a-f]{16} +\d+( \S+( \[\w+\])?)?( pages=\d+)?( phys=0x[0-9a-f]{16})?( ioremap)?( vmalloc)?( vmap)?( vpages)?( N0=\d+)?$|^0x[0-9a-f]{16}-0x[0-9a-f]{16} +\d+ unpurged vm_area$`)

func TestVmallocinfo(t *testing.T) {
	k := newVMTestKernel(t)
	m, err := k.LoadModule(ModuleSpec{Name: "vmalloc_test", License: "GPL", HasInit: true, HasExit: true, InitFunc: "vmalloc_test_init"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := k.Vmalloc(32<<20, GFP_KERNEL)
	v := k.FindVMArea(a)
	info := k.procVmallocinfo()
	lines := strings.Split(strings.TrimSuffix(info, "\n"), "\n")
	for i, l := range lines {
		if !vmallocinfoLine.MatchString(l) {
			t.Errorf("malformed line %q", l)
		}
		// Address order, each address hashed as %pK does with
		// kptr_restrict=0: never the address itself.
		if i < len(k.vm.busy) && !strings.HasPrefix(l, "0x"+k.HashPointer(k.vm.busy[i].Addr)+"-0x"+k.HashPointer(k.vm.busy[i].End())+" ") {
			t.Errorf("line %d %q is not area %#x hashed", i, l, uint64(k.vm.busy[i].Addr))
		}
		if strings.Contains(l, "0xffff") {
			t.Errorf("line %q shows a raw kernel address", l)
		}
	}
	if len(lines) < 40 {
		t.Errorf("%d lines; a booted machine has dozens of areas", len(lines))
	}
	want := fmt.Sprintf("0x%s-0x%s %d vmalloc_test_init+0x", k.HashPointer(a), k.HashPointer(v.End()), 32<<20+PageSize)
	wantEnd := "/0x1000 [vmalloc_test] pages=8192 vmalloc vpages N0=8192\n"
	i := strings.Index(info, want)
	if i < 0 || !strings.HasPrefix(info[strings.Index(info[i:], "/0x1000")+i:], wantEnd) {
		t.Errorf("no line %q...%q in\n%s", want, wantEnd, info)
	}
	wantPages := fmt.Sprintf("0x%s-0x%s   69632 vmalloc_test_init+0x", k.HashPointer(v.pagesVM.Addr), k.HashPointer(v.pagesVM.End()))
	if !strings.Contains(info, wantPages) {
		t.Errorf("no pages-array line %q", wantPages)
	}
	for _, want := range []string{" ioremap\n", " vmap\n", "dup_task_struct+0x50/0x1b0 pages=4 vmalloc N0=4\n", "load_module+0x7b2/0x2ab0 pages="} {
		if !strings.Contains(info, want) {
			t.Errorf("boot areas: no %q", want)
		}
	}
	// Once init is done its code is freed: the caller no longer resolves.
	k.ModuleInitReturned(m, 0)
	addr := m.frameAddr(Frame{Func: "vmalloc_test_init", File: "vmalloc_test.star", Line: 23, Col: 16})
	if want := fmt.Sprintf("%d 0x%x pages=8192", 32<<20+PageSize, uint64(addr)); !strings.Contains(k.procVmallocinfo(), want) {
		t.Errorf("after init: want the caller as a bare address, %q", want)
	}
	// A vfree'd range waits on the purge list, merged with its neighbour
	// (the pages array's area, freed right after).
	end := v.pagesVM.End()
	k.Vfree(a)
	if want := fmt.Sprintf("0x%s-0x%s %7d unpurged vm_area\n", k.HashPointer(a), k.HashPointer(end), uint64(end-a)); !strings.HasSuffix(k.procVmallocinfo(), want) {
		t.Errorf("after vfree: no %q", want)
	}
}

func TestVfreeMisuse(t *testing.T) {
	cases := []struct {
		name  string
		addr  func(k *Kernel) Addr
		level int
		msg   string // the WARN message; "" for no report
	}{
		{"NULL", func(k *Kernel) Addr { return 0 }, 0, ""},
		{"not page aligned", func(k *Kernel) Addr { return k.Vmalloc(100, GFP_KERNEL) + 8 }, LogWarning, "Trying to vfree() bad address (%s)"},
		{"inside the area", func(k *Kernel) Addr { return k.Vmalloc(3*PageSize, GFP_KERNEL) + PageSize }, LogErr, "Trying to vfree() nonexistent vm area (%s)"},
		{"twice", func(k *Kernel) Addr { a := k.Vmalloc(100, GFP_KERNEL); k.Vfree(a); return a }, LogErr, "Trying to vfree() nonexistent vm area (%s)"},
		{"kmalloc pointer", func(k *Kernel) Addr { return k.Kmalloc(PageSize, GFP_KERNEL) }, LogErr, "Trying to vfree() nonexistent vm area (%s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			a := tc.addr(k)
			seq, nrep := k.NextSeq(), len(k.Reports())
			if err := k.Vfree(a); err != nil {
				t.Fatalf("Vfree: %v, want nil (a WARN does not kill the task)", err)
			}
			log := vmLogSince(k, seq)
			if tc.msg == "" {
				if len(log) != 0 || len(k.Reports()) != nrep {
					t.Fatalf("vfree(NULL) logged %q", log)
				}
				return
			}
			msg := fmt.Sprintf(tc.msg, k.HashPointer(a))
			if len(log) < 3 || log[0] != "------------[ cut here ]------------" || log[1] != msg ||
				!strings.HasPrefix(log[2], "WARNING: CPU: 0 PID: ") || !strings.Contains(log[2], " at mm/vmalloc.c:") {
				t.Fatalf("log:\n%s", strings.Join(log, "\n"))
			}
			if r := k.LogSince(seq)[1]; r.Level != tc.level {
				t.Errorf("message level %d, want %d", r.Level, tc.level)
			}
			if last := log[len(log)-1]; last != "---[ end trace 0000000000000000 ]---" {
				t.Errorf("last line %q", last)
			}
			reps := k.Reports()
			if len(reps) != nrep+1 || reps[nrep].Class != "bad-vfree" || reps[nrep].Fatal {
				t.Errorf("reports %+v, want one non-fatal bad-vfree", reps[nrep:])
			}
			if !k.Tainted(TaintWarn) {
				t.Error("kernel not tainted W")
			}
		})
	}
}

func TestVmallocFailure(t *testing.T) {
	cases := []struct {
		name string
		size uint64
		gfp  GFP
		want string // prefix of the warning line after "comm: "
	}{
		{"exceeds total pages", 1 << 30, GFP_KERNEL, "vmalloc error: size 1073741824, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0"},
		{"out of memory", 400 << 20, GFP_KERNEL, "vmalloc error: size "},
		{"out of memory, quietly", 400 << 20, GFP_KERNEL | GFPNoWarn, ""},
		{"zero size", 0, GFP_KERNEL, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			used := k.VmallocNrPages()
			seq := k.NextSeq()
			if a := k.Vmalloc(tc.size, tc.gfp); a != 0 {
				t.Fatalf("vmalloc(%d) = %#x, want NULL", tc.size, a)
			}
			log := vmLogSince(k, seq)
			if tc.want == "" {
				for _, l := range log {
					if strings.Contains(l, "vmalloc error") {
						t.Errorf("unexpected warning %q", l)
					}
				}
			} else {
				comm := k.Current().Comm + ": "
				if len(log) == 0 || !strings.HasPrefix(log[0], comm+tc.want) {
					t.Fatalf("first line %q, want prefix %q", log, comm+tc.want)
				}
				if !strings.HasSuffix(log[0], ",cpuset=/,mems_allowed=0") {
					t.Errorf("warning %q lacks the cpuset", log[0])
				}
			}
			if k.VmallocNrPages() != used {
				t.Errorf("VmallocUsed %d, want %d: the partial pages must be freed", k.VmallocNrPages(), used)
			}
			checkInvariants(t, k)
		})
	}
}

func TestVmallocOutOfMemoryWarning(t *testing.T) {
	k := newVMTestKernel(t)
	seq := k.NextSeq()
	k.Vmalloc(400<<20, GFP_KERNEL)
	line := vmLogSince(k, seq)[0]
	re := regexp.MustCompile(`^\S+: vmalloc error: size (\d+), page order 0, failed to allocate pages, mode:0xcc2\(GFP_KERNEL\|__GFP_HIGHMEM\), nodemask=\(null\),cpuset=/,mems_allowed=0$`)
	m := re.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("warning %q", line)
	}
	var got uint64
	fmt.Sscan(m[1], &got)
	if got == 0 || got >= 400<<20 || got%PageSize != 0 {
		t.Errorf("size %d: want the bytes obtained before the failure", got)
	}
}

func TestVmallocToPage(t *testing.T) {
	k := newVMTestKernel(t)
	a := k.Vmalloc(2*PageSize, GFP_KERNEL)
	v := k.FindVMArea(a)
	km := k.Kmalloc(64, GFP_KERNEL)
	kpfn, _ := k.VirtToPage(km)
	cases := []struct {
		name string
		addr Addr
		pfn  PFN
		ok   bool
	}{
		{"first page", a, v.Pages[0], true},
		{"second page, inside", a + PageSize + 123, v.Pages[1], true},
		{"guard page", a + 2*PageSize, 0, false},
		{"direct map", km, kpfn, true},
		{"user address", 0x400000, 0, false},
		{"unmapped vmalloc", VmallocEnd - PageSize, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pfn, ok := k.VmallocToPage(tc.addr)
			if pfn != tc.pfn || ok != tc.ok {
				t.Errorf("VmallocToPage(%#x) = %#x, %v; want %#x, %v", tc.addr, pfn, ok, tc.pfn, tc.ok)
			}
			if got := k.VmallocToPFN(tc.addr); got != tc.pfn {
				t.Errorf("VmallocToPFN = %#x, want %#x", got, tc.pfn)
			}
		})
	}
}

func TestKvmalloc(t *testing.T) {
	cases := []struct {
		name    string
		size    uint64
		gfp     GFP
		vmalloc bool // served by the vmalloc fallback
		null    bool
	}{
		{"small: kmalloc", 100, GFP_KERNEL, false, false},
		{"a page: kmalloc", PageSize, GFP_KERNEL, false, false},
		{"64 KiB: kmalloc from the page allocator", 64 << 10, GFP_KERNEL, false, false},
		{"above KMALLOC_MAX_SIZE: vmalloc", 8 << 20, GFP_KERNEL, true, false},
		{"GFP_NOFS may sleep: vmalloc", 8 << 20, GFP_NOFS, true, false},
		{"GFP_ATOMIC never falls back", 8 << 20, GFP_ATOMIC, false, true},
		{"fragmented memory: 64 KiB from vmalloc", 64 << 10, GFP_KERNEL, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			if strings.HasPrefix(tc.name, "fragmented") {
				k.Fragment() // no free block above order 2: kmalloc(64 KiB) fails
			}
			buddy, free := k.procBuddyinfo(), k.nrFreePages()
			seq := k.NextSeq()
			a := k.Kvmalloc(tc.size, tc.gfp)
			if (a == 0) != tc.null {
				t.Fatalf("kvmalloc(%d, %s) = %#x", tc.size, tc.gfp, a)
			}
			if a != 0 && IsVmallocAddr(a) != tc.vmalloc {
				t.Errorf("kvmalloc(%d) = %#x, vmalloc=%v, want %v", tc.size, a, IsVmallocAddr(a), tc.vmalloc)
			}
			for _, l := range vmLogSince(k, seq) {
				if strings.Contains(l, "allocation failure") || strings.Contains(l, "WARNING") {
					t.Errorf("kvmalloc's kmalloc attempt must be quiet, logged %q", l)
				}
			}
			if err := k.Kvfree(a); err != nil {
				t.Fatal(err)
			}
			switch got := k.procBuddyinfo(); {
			case strings.HasPrefix(tc.name, "fragmented"):
				// kmalloc's attempt may reclaim page cache first, which
				// stays free: memory comes back, not the same lists.
				if k.nrFreePages() < free {
					t.Errorf("%d pages free after kvfree, %d before", k.nrFreePages(), free)
				}
			case got != buddy:
				t.Errorf("buddyinfo not restored after kvfree:\n%s\nwant\n%s", got, buddy)
			}
			checkInvariants(t, k)
		})
	}
}

func TestHashPointer(t *testing.T) {
	k := newVMTestKernel(t)
	h := k.HashPointer(0xffffc90000a00000)
	if len(h) != 16 || h[:8] != "00000000" || h == "00000000c90000a0" {
		t.Errorf("HashPointer = %q, want 8 zeros and a 32-bit hash", h)
	}
	if h2 := k.HashPointer(0xffffc90000a00000); h2 != h {
		t.Errorf("hash not stable: %q then %q", h, h2)
	}
	if got := k.HashPointer(0); got != "0000000000000000" {
		t.Errorf("NULL hashed to %q", got)
	}
	k2, _ := New(Config{Seed: 8})
	if k2.HashPointer(0xffffc90000a00000) == h {
		t.Errorf("the hash key must depend on the seed")
	}
}

// FuzzVmapAreas runs random vmalloc/vfree/purge sequences and checks that
// areas never overlap, always take the lowest hole, and that every page
// comes back.
func FuzzVmapAreas(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0x81, 5, 0x40, 7, 0x82, 9})
	f.Add([]byte{64, 64, 0x80, 0x80, 0x40, 64, 1, 1, 1})
	f.Add([]byte{200, 3, 0x81, 0x40, 200, 17, 0x80, 0x40, 9, 9})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		k := newVMTestKernel(t)
		buddy := k.procBuddyinfo()
		var live []Addr
		for _, op := range ops {
			switch {
			case op == 0:
			case op == 0x40:
				k.purgeVmapAreaLazy()
			case op&0x80 != 0 && len(live) > 0:
				i := int(op&0x3f) % len(live)
				k.Vfree(live[i])
				live = append(live[:i], live[i+1:]...)
			case op&0x80 == 0:
				a := k.Vmalloc(uint64(op)*PageSize-uint64(op)%7, GFP_KERNEL)
				if a == 0 {
					t.Fatalf("vmalloc of %d pages failed", op)
				}
				checkLowest(t, k, k.FindVMArea(a))
				live = append(live, a)
			}
		}
		if err := k.checkVmalloc(); err != nil {
			t.Fatal(err)
		}
		for _, a := range live {
			k.Vfree(a)
		}
		if k.procBuddyinfo() != buddy {
			t.Error("buddyinfo not restored")
		}
		checkInvariants(t, k)
	})
}

func BenchmarkVmalloc32MiB(b *testing.B) {
	k := newVMTestKernel(b)
	for b.Loop() {
		a := k.Vmalloc(32<<20, GFP_KERNEL)
		if a == 0 {
			b.Fatal("vmalloc failed")
		}
		k.Vfree(a)
	}
}
