package kernelsim

import (
	"fmt"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// dbgHarness runs a module's "script" code the way the runtime does: a
// LIVE module, frames of its .star file on the stack while its code runs.
type dbgHarness struct {
	t     *testing.T
	k     *Kernel
	m     *Module
	stack []Frame
}

func newDbgHarness(t *testing.T, module string) *dbgHarness {
	t.Helper()
	// Exact buddy counts; every KASAN report printed (the tests make many).
	k, err := New(Config{Seed: 3, NoPCP: true, Cmdline: "kasan_multi_shot"})
	if err != nil {
		t.Fatal(err)
	}
	h := &dbgHarness{t: t, k: k}
	k.Stack = func() []Frame { return h.stack }
	h.m = h.load(module)
	return h
}

// load loads a LIVE module called name from an insmod task.
func (h *dbgHarness) load(name string) *Module {
	h.t.Helper()
	var m *Module
	err := h.k.RunTask(h.k.NewTask("insmod", 0), insmodEntry, func() error {
		var err error
		m, err = h.k.LoadModule(ModuleSpec{Name: name, License: "GPL", HasInit: true, HasExit: true, InitFunc: name + "_init"}, nil)
		if err == nil {
			err = h.k.ModuleInitReturned(m, 0)
		}
		return err
	})
	if err != nil {
		h.t.Fatalf("load %s: %v", name, err)
	}
	return m
}

// in runs fn as script function fn of module mod at mod.star:line, in the
// insmod task (the module's init).
func (h *dbgHarness) in(mod, fn string, line int, body func()) {
	h.stack = []Frame{{Func: fn, File: mod + ".star", Line: line, Module: mod}}
	defer func() { h.stack = nil }()
	if err := h.k.RunTask(h.k.NewTask("insmod", 0), insmodEntry, func() error { body(); return nil }); err != nil {
		h.t.Fatal(err)
	}
}

// leakAlloc registers an allocation with kmemleak unless the allocator
// already did (once the hooks are wired, it does).
func (h *dbgHarness) leakAlloc(a Addr, size uint64, kind leakKind) {
	if h.k.dbg.leak.objects[a] == nil {
		h.k.kmemleakAlloc(a, size, kind)
	}
}

func (h *dbgHarness) kmalloc(size uint64) Addr {
	a := h.k.Kmalloc(size, GFP_KERNEL)
	if a == 0 {
		h.t.Fatal("kmalloc failed")
	}
	h.leakAlloc(a, h.k.slabCache(h.k.virtToSlab(a)).ObjectSize(), leakKmalloc)
	return a
}

func (h *dbgHarness) kfree(a Addr) {
	if err := h.k.Kfree(a); err != nil {
		h.t.Fatal(err)
	}
	h.k.kmemleakFree(a)
}

// rmmod removes module m as the runtime does and runs the leak checks.
func (h *dbgHarness) rmmod(m *Module) int {
	h.t.Helper()
	if err := h.k.ModuleUnload(m); err != nil {
		h.t.Fatal(err)
	}
	h.k.ModuleFree(m)
	return h.k.CheckModuleGone(m)
}

func (h *dbgHarness) reports(class string) []Report {
	var out []Report
	for _, r := range h.k.Reports() {
		if r.Class == class {
			out = append(out, r)
		}
	}
	return out
}

func (h *dbgHarness) logHas(sub string) bool {
	for _, r := range h.k.Log() {
		if strings.Contains(r.Text, sub) {
			return true
		}
	}
	return false
}

func TestKmemleakReport(t *testing.T) {
	h := newDbgHarness(t, "hello")
	k := h.k
	var leaked, freed Addr
	var pid int
	var jiffies uint64
	h.in("hello", "hello_init", 23, func() {
		leaked = h.kmalloc(100)
		freed = h.kmalloc(64)
		pid, jiffies = k.Current().PID, k.Jiffies()
		if err := k.WriteMem(leaked, []byte("Hello, kmemleak!")); err != nil {
			t.Fatal(err)
		}
	})
	h.in("hello", "hello_exit", 30, func() { h.kfree(freed) })
	k.Advance(8_440_000_000)
	seq := k.NextSeq()
	if n := h.rmmod(h.m); n != 1 {
		t.Fatalf("CheckModuleGone made %d reports, want 1 (kscript's own)", n)
	}
	// rmmod says nothing: kmemleak reports only after a scan.
	if log := logSince(k, seq); log != "" || k.KmemleakFile() != "" {
		t.Fatalf("after rmmod, before a scan: log %q, file %q; want nothing", log, k.KmemleakFile())
	}
	if err := k.WriteProc("/sys/kernel/debug/kmemleak", []byte("scan\n")); err != nil {
		t.Fatal(err)
	}
	if !h.logHas("kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)") {
		t.Error("no kmemleak line in the log after echo scan")
	}
	got := strings.Split(k.KmemleakFile(), "\n")
	want := []string{
		fmt.Sprintf("unreferenced object %#x (size 128):", uint64(leaked)),
		fmt.Sprintf(`  comm "insmod", pid %d, jiffies %d \(age 8\.4\d\ds\)`, pid, jiffies),
		"  hex dump (first 32 bytes):",
		"    48 65 6c 6c 6f 2c 20 6b 6d 65 6d 6c 65 61 6b 21  Hello, kmemleak!",
		"    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................", // init_on_alloc=1
		"  backtrace:",
		`    \[<[0-9a-f]{16}>\] __kmem_cache_alloc_node\+0x1e5/0x2e0`,
		`    \[<[0-9a-f]{16}>\] kmalloc_trace\+0x26/0x90`,
		`    \[<[0-9a-f]{16}>\] hello_init \(hello.star:23\) \[hello\]`,
		`    \[<[0-9a-f]{16}>\] do_one_initcall\+0x41/0x200`,
		`    \[<[0-9a-f]{16}>\] do_init_module\+0x4c/0x240`,
		`    \[<[0-9a-f]{16}>\] __do_sys_finit_module\+0xac/0x120`,
		`    \[<[0-9a-f]{16}>\] do_syscall_64\+0x5b/0xc0`,
		`    \[<[0-9a-f]{16}>\] entry_SYSCALL_64_after_hwframe\+0x64/0xce`,
		"",
	}
	if len(got) != len(want) {
		t.Fatalf("kmemleak file:\n%s", k.KmemleakFile())
	}
	for i := range want {
		pat := want[i]
		if i != 1 && !strings.HasPrefix(pat, "    \\[") {
			pat = regexp.QuoteMeta(pat)
		}
		if !regexp.MustCompile("^" + pat + "$").MatchString(got[i]) {
			t.Errorf("line %d: %q\nwant %q", i, got[i], want[i])
		}
	}
	reps := h.reports("memory-leak")
	if len(reps) != 1 || !reps[0].Kscript || !strings.HasPrefix(reps[0].Title, fmt.Sprintf("kscript: 128 bytes at %#x (kmalloc) were never freed", uint64(leaked))) ||
		len(reps[0].Stack) != 1 || reps[0].Stack[0].Line != 23 || reps[0].Fatal {
		t.Errorf("reports %+v, want kscript's own finding", reps)
	}
	if n := k.kmemleakScan(); n != 0 || len(h.reports("memory-leak")) != 1 {
		t.Errorf("a second scan found %d new leaks: a leak is reported once", n)
	}
	if err := k.WriteProc("/sys/kernel/debug/kmemleak", []byte("clear\n")); err != nil || k.KmemleakFile() != "" {
		t.Errorf("echo clear: %v; file %q, want empty", err, k.KmemleakFile())
	}
	if n := k.kmemleakScan(); n != 0 || k.KmemleakFile() != "" {
		t.Errorf("a scan after clear reported %d, file %q", n, k.KmemleakFile())
	}
}

// TestKmemleakTiming checks when kmemleak reports: objects younger than 5
// seconds at a scan are not reported; the scanning thread's first scan
// comes 60 seconds after it started at boot, the next 600 seconds later.
func TestKmemleakTiming(t *testing.T) {
	h := newDbgHarness(t, "mod")
	k := h.k
	start := k.dbg.leak.nextScan - kmemleakFirstScanSec*nsPerSec
	if !k.dbg.leak.threadOn || start > k.Now() {
		t.Fatalf("scanning thread on %v, started at %d (now %d)", k.dbg.leak.threadOn, start, k.Now())
	}
	h.in("mod", "mod_init", 3, func() { h.kmalloc(64) })
	h.rmmod(h.m)
	if err := k.WriteProc(kmemleakPath, []byte("scan")); err != nil || h.logHas("new suspected") {
		t.Fatalf("a scan right after rmmod: %v; reported %v, want nothing (younger than 5 s)", err, h.logHas("new suspected"))
	}
	first := start + kmemleakFirstScanSec*nsPerSec
	if err := k.Tick(first - k.Now() - 1); err != nil || h.logHas("new suspected") {
		t.Fatalf("before the thread's first scan: %v; reported %v", err, h.logHas("new suspected"))
	}
	if err := k.Tick(2); err != nil || !h.logHas("kmemleak: 1 new suspected memory leaks") {
		t.Fatalf("the thread's first scan at %d s: %v; reported %v", first/nsPerSec, err, h.logHas("new suspected"))
	}
	if got := k.dbg.leak.nextScan - first; got < kmemleakScanWaitSec*nsPerSec {
		t.Errorf("next scan %d ns after the first, want %d s", got, kmemleakScanWaitSec)
	}
	for _, tc := range []struct {
		cmd string
		err error
	}{{"scan=off", nil}, {"scan=30", nil}, {"stack=on", nil}, {"dump=0x1", EINVAL}, {"bogus", EINVAL}, {"off", nil}, {"scan", EPERM}} {
		if err := k.WriteProc(kmemleakPath, []byte(tc.cmd+"\n")); err != tc.err {
			t.Errorf("echo %s: %v, want %v", tc.cmd, err, tc.err)
		}
	}
	if _, err := k.ReadProc(kmemleakPath); err != EBUSY {
		t.Errorf("read after off: %v, want EBUSY", err)
	}
}

// TestKmemleakStock checks that the stock build has no kmemleak: no file,
// no scanning thread, no report; kscript's own check still finds the leak.
func TestKmemleakStock(t *testing.T) {
	k, err := New(Config{Seed: 3, Stock: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.ReadProc(kmemleakPath); err != ENOENT {
		t.Errorf("read: %v, want ENOENT", err)
	}
	if err := k.WriteProc(kmemleakPath, []byte("scan")); err != ENOENT {
		t.Errorf("write: %v, want ENOENT", err)
	}
	if _, on := k.kmemleakNextScan(); on {
		t.Error("scanning thread running")
	}
}

func TestKmemleakScan(t *testing.T) {
	tests := []struct {
		name string
		// run allocates in module "mod" (and "other", also loaded) and
		// returns the objects it expects reported, in allocation order.
		run func(h *dbgHarness) []Addr
	}{
		{"nothing left", func(h *dbgHarness) []Addr {
			h.kfree(h.kmalloc(32))
			return nil
		}},
		{"every kind", func(h *dbgHarness) []Addr {
			k := h.k
			a := h.kmalloc(16)
			big := k.Kmalloc(20000, GFP_KERNEL)
			h.leakAlloc(big, 20000, leakLarge)
			v := k.Vmalloc(5000, GFP_KERNEL)
			h.leakAlloc(v, 8192, leakVmalloc)
			pfn, _ := k.AllocPages(GFP_KERNEL, 1)
			h.leakAlloc(PageAddress(pfn), 2*PageSize, leakPages)
			c, _ := k.KmemCacheCreate("mod_cache", 40, 0, 0, nil)
			obj, _ := k.KmemCacheAlloc(c, GFP_KERNEL)
			h.leakAlloc(obj, 40, leakCache)
			return []Addr{a, big, v, PageAddress(pfn), obj}
		}},
		{"a list no root reaches is reported whole", func(h *dbgHarness) []Addr {
			head, next := h.kmalloc(32), h.kmalloc(32)
			h.store(head, next)
			return []Addr{head, next}
		}},
		{"an object another module points to is not a leak", func(h *dbgHarness) []Addr {
			kept, lost := h.kmalloc(64), h.kmalloc(64)
			h.in("other", "other_init", 5, func() { h.store(h.kmalloc(32)+8, kept+16) })
			return []Addr{lost}
		}},
		{"a pointer in another module's data section is a reference", func(h *dbgHarness) []Addr {
			kept := h.kmalloc(128)
			h.store(h.otherData(), kept)
			return nil
		}},
		{"the allocators' own objects are not leaks", func(h *dbgHarness) []Addr {
			k := h.k
			v := k.Vmalloc(3*PageSize, GFP_KERNEL)
			area := k.FindVMArea(v)
			own := []Addr{area.self, area.pagesArray, PageAddress(area.Pages[0])}
			h.leakAlloc(own[0], 64, leakKmalloc) // the vm_struct
			h.leakAlloc(own[1], 32, leakKmalloc) // area->pages
			h.leakAlloc(own[2], PageSize, leakPages)
			a := h.kmalloc(8) // its slab's page is the slab's
			own = append(own, PageAddress(PFN(h.k.virtToSlab(a).pfn)))
			h.leakAlloc(own[3], PageSize, leakPages)
			for _, o := range k.kmemleakCandidates(func(o *kmemleakObject) bool { return o.module == "mod" && !k.kmemleakIgnored(o) }) {
				for _, x := range own {
					if o.pointer == x {
						h.t.Errorf("%#x is a candidate leak", uint64(x))
					}
				}
			}
			k.Vfree(v)
			h.kfree(a)
			for _, x := range append(own, v) {
				k.kmemleakFree(x)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDbgHarness(t, "mod")
			h.load("other")
			var want []Addr
			h.in("mod", "mod_init", 7, func() { want = tt.run(h) })
			h.rmmod(h.m)
			var got []Addr
			for _, r := range h.reports("memory-leak") {
				a, _ := strconv.ParseUint(strings.Fields(r.Title)[4], 0, 64)
				got = append(got, Addr(a))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("kscript's leaks %x, want %x", got, want)
			}
			// kmemleak itself, 5 s later, reports the same but pages.
			wantScan := 0
			for _, a := range want {
				if h.k.dbg.leak.objects[a].kind != leakPages {
					wantScan++
				}
			}
			h.k.Advance(kmemleakMinAgeMs * 1_000_000)
			if n := h.k.kmemleakScan(); n != wantScan {
				t.Errorf("kmemleak scan reported %d, want %d", n, wantScan)
			}
		})
	}
}

// store writes pointer v at a.
func (h *dbgHarness) store(a, v Addr) {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	if err := h.k.WriteMem(a, b[:]); err != nil {
		h.t.Fatal(err)
	}
}

// otherData is the start of module "other"'s data section.
func (h *dbgHarness) otherData() Addr { return h.k.FindModule("other").DataAddr(0) }

func TestKmemleakTask(t *testing.T) {
	h := newDbgHarness(t, "mod")
	k := h.k
	var a Addr
	h.stack = []Frame{{Func: "my_tasklet", File: "mod.star", Line: 9, Module: "mod"}}
	k.sched.cpu.preemptCount += SoftirqOffset
	a = h.kmalloc(8)
	k.sched.cpu.preemptCount -= SoftirqOffset
	h.stack = nil
	h.rmmod(h.m)
	k.Advance(kmemleakMinAgeMs * 1_000_000)
	k.kmemleakScan()
	if !strings.Contains(k.KmemleakFile(), `  comm "softirq", pid 0, jiffies`) {
		t.Errorf("kmemleak file:\n%s", k.KmemleakFile())
	}
	_ = a
}

func TestKmemleakNeedsScript(t *testing.T) {
	h := newDbgHarness(t, "mod")
	a := h.k.Kmalloc(64, GFP_KERNEL)
	h.k.kmemleakAlloc(a, 64, leakKmalloc) // no script frames: the kernel's own
	if n := h.rmmod(h.m); n != 0 {
		t.Errorf("%d reports for a kernel allocation", n)
	}
}

func TestCheckModuleGone(t *testing.T) {
	h := newDbgHarness(t, "drv")
	k, m := h.k, h.m
	m.Info.ExitAt = Frame{Func: "drv_exit", File: "drv.star", Line: 30, Module: "drv"}
	var major, other int
	h.in("drv", "drv_init", 12, func() {
		tl := NewTasklet()
		k.TaskletSetup(tl, Callback{Func: "drv_tasklet", Module: "drv", Fn: func() error { return nil }})
		k.TaskletDisable(tl)
		k.TaskletSchedule(tl)
		tm := NewTimer()
		k.TimerSetup(tm, Callback{Func: "drv_timer", Module: "drv", Fn: func() error { return nil }}, 0)
		k.ModTimer(tm, k.Jiffies()+250)
		major = k.RegisterChrdev(0, "drv_dev", &FileOperations{Owner: m})
		other = k.RegisterChrdev(0, "kept_dev", &FileOperations{})
		if major <= 0 || other <= 0 {
			t.Fatalf("register_chrdev: %d %d", major, other)
		}
	})
	if n := h.rmmod(m); n != 4 {
		t.Errorf("CheckModuleGone made %d reports, want 4", n)
	}
	// Each names the line that set it up and the exit function; the
	// region without .owner is found by the line that registered it.
	const sites = "drv.star:12 in drv_init; the exit function drv_exit (drv.star:30) did not "
	want := []string{
		"pending-after-unload: tasklet drv_tasklet [drv] still scheduled after module drv was unloaded (scheduled, disabled); scheduled at " + sites + "cancel it",
		"pending-after-unload: timer drv_timer [drv] still pending after module drv was unloaded (expires in 250 jiffies); armed at " + sites + "cancel it",
		fmt.Sprintf(`chrdev-left-registered: char device region %d:0-255 "kept_dev" still registered after module drv was unloaded; registered at `+sites+"unregister it", other),
		fmt.Sprintf(`chrdev-left-registered: char device region %d:0-255 "drv_dev" still registered after module drv was unloaded; registered at `+sites+"unregister it", major),
	}
	var got []string
	for _, r := range k.Reports() {
		got = append(got, r.Class+": "+r.Title)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !k.ModuleGone("drv") || k.ModuleGone("kept") {
		t.Error("ModuleGone")
	}
	for _, r := range k.Reports() {
		if len(r.Stack) != 2 || r.Stack[0].Line != 12 || r.Stack[1].Func != "drv_exit" {
			t.Errorf("%s: stack %+v, want the setup line then the exit function", r.Class, r.Stack)
		}
	}
	// Opening a node of a region left behind calls into the freed module:
	// with .owner, try_module_get reads the freed struct module; without,
	// chrdev_open reads the fops from the freed .rodata. Both Oops.
	for _, tc := range []struct {
		major int
		rip   string
		addr  Addr
	}{
		{major, "RIP: 0010:try_module_get+0x1a/0xe0", m.ThisModule()},
		{other, "RIP: 0010:chrdev_open+0x4e/0x250", m.Base() + Addr(m.roOff) + 0x40},
	} {
		k.Mknod("/dev/stale", S_IFCHR|0o666, MKDEV(uint32(tc.major), 0), RootUID)
		seq := k.NextSeq()
		r, err := k.CmdCat([]string{"/dev/stale"}, RootUID)
		log := logSince(k, seq)
		for _, w := range []string{fmt.Sprintf("BUG: unable to handle page fault for address: %016x\n", uint64(tc.addr)),
			"#PF: supervisor read access in kernel mode\n", tc.rip + "\n", " chrdev_open", fmt.Sprintf("CR2: %016x\n", uint64(tc.addr))} {
			if !strings.Contains(log, w) {
				t.Errorf("major %d: log lacks %q:\n%s", tc.major, w, log)
			}
		}
		if err != nil || r.Status != 139 {
			t.Errorf("major %d: cat = %+v, %v; want killed by the Oops", tc.major, r, err)
		}
		k.Unlink("/dev/stale", RootUID)
	}
}

func TestCallUnloadedCode(t *testing.T) {
	h := newDbgHarness(t, "drv")
	k, m := h.k, h.m
	fnAddr := m.Base() + Addr(m.symFor(Frame{Func: "drv_timer"}).off)
	h.rmmod(m)
	seq := k.NextSeq()
	err := k.CallUnloadedCode("drv", "drv_timer")
	var oops *Oops
	if !asOops(err, &oops) || oops.Report.Class != "unloaded-code" {
		t.Fatalf("CallUnloadedCode = %v, want an unloaded-code Oops", err)
	}
	got := dbgLines(k, seq)
	want := []string{
		fmt.Sprintf("BUG: unable to handle page fault for address: %016x", uint64(fnAddr)),
		"#PF: supervisor instruction fetch in kernel mode",
		"#PF: error_code(0x0010) - not-present page",
		"PGD 19a0e067 P4D 19a0e067 PUD 19a10067 PMD 4a1f067 PTE 0",
		"Oops: 0010 [#1] PREEMPT SMP KASAN NOPTI",
	}
	if len(got) < len(want) || strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Fatalf("log:\n%s", strings.Join(got, "\n"))
	}
	if !strings.Contains(strings.Join(got, "\n"), fmt.Sprintf("RIP: 0010:%#x", uint64(fnAddr))) ||
		!strings.Contains(strings.Join(got, "\n"), "[last unloaded: drv(OE)]") {
		t.Errorf("no RIP line or last unloaded module in:\n%s", strings.Join(got, "\n"))
	}
}

func asOops(err error, o **Oops) bool {
	x, ok := err.(*Oops)
	*o = x
	return ok
}

// TestTimerAfterUnload runs the classic crash: a timer left armed at rmmod
// fires into the removed module's code.
func TestTimerAfterUnload(t *testing.T) {
	h := newDbgHarness(t, "drv")
	k := h.k
	h.in("drv", "drv_init", 12, func() {
		tm := NewTimer()
		k.TimerSetup(tm, Callback{Func: "drv_timer", Module: "drv", Fn: func() error {
			t.Error("the removed module's timer function ran")
			return nil
		}}, 0)
		k.ModTimer(tm, k.Jiffies()+25)
	})
	h.rmmod(h.m)
	seq := k.NextSeq()
	err := k.Tick(200_000_000)
	var oops *Oops
	if !asOops(err, &oops) || oops.Report.Class != "unloaded-code" {
		t.Fatalf("Tick = %v, want the unloaded-code Oops", err)
	}
	wantLines(t, dbgLines(k, seq), "re:BUG: unable to handle page fault for address: ffffffffc[0-9a-f]{7}",
		"#PF: supervisor instruction fetch in kernel mode", "re:Oops: 0010 .*",
		"Kernel panic - not syncing: Fatal exception in interrupt")
}

// TestKmemleakDump: "dump=ADDR" prints an object's record as 6.1's
// dump_object_info does (pr_notice lines, then stack_trace_print's
// five-space entries); an address that is not an object's start is
// "Unknown object" and EINVAL, a malformed one EINVAL alone.
func TestKmemleakDump(t *testing.T) {
	h := newDbgHarness(t, "hello")
	k := h.k
	var p Addr
	h.in("hello", "hello_init", 23, func() {
		p = h.kmalloc(100)
		if err := k.WriteMem(p, []byte("123456789")); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		cmd  string
		err  error
		want []string
	}{
		{fmt.Sprintf("dump=%#x\n", uint64(p)), nil, []string{
			// s->object_size, as slab_post_alloc_hook registers the object.
			fmt.Sprintf("kmemleak: Object %#x (size 128):", uint64(p)),
			"kmemleak:   min_count = 1", "kmemleak:   count = 0", "kmemleak:   flags = 0x1",
			// crc32_le(0, "123456789" + 119 zero bytes): the object's bytes as Linux sums them.
			"kmemleak:   checksum = ", "kmemleak:   backtrace:", "     hello_init (hello.star:23) [hello]"}},
		{fmt.Sprintf("dump=%#x\n", uint64(p+8)), EINVAL, []string{fmt.Sprintf("kmemleak: Unknown object at %#x", uint64(p+8))}},
		{"dump=nonsense\n", EINVAL, nil},
	} {
		seq := k.NextSeq()
		if err := k.WriteProc(kmemleakPath, []byte(tc.cmd)); err != tc.err {
			t.Errorf("%q: error %v, want %v", tc.cmd, err, tc.err)
		}
		log := logSince(k, seq)
		for _, w := range tc.want {
			if !strings.Contains(log, w) {
				t.Errorf("%q: log lacks %q:\n%s", tc.cmd, w, log)
			}
		}
		if tc.want == nil && log != "" {
			t.Errorf("%q: log %q, want nothing", tc.cmd, log)
		}
	}
	data := append([]byte("123456789"), make([]byte, 119)...)
	want := fmt.Sprintf("kmemleak:   checksum = %d\n", ^crc32.Update(0xffffffff, crc32.IEEETable, data))
	seq := k.NextSeq()
	_ = k.WriteProc(kmemleakPath, []byte(fmt.Sprintf("dump=%#x", uint64(p))))
	if !strings.Contains(logSince(k, seq), want) {
		t.Errorf("checksum line, want %q:\n%s", want, logSince(k, seq))
	}
}
