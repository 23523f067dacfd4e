package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

func fakeConfig(seed uint64) Config {
	return Config{
		Options:    kruntime.Options{Kernel: kernelsim.Config{Seed: seed}},
		NewMachine: func(o kruntime.Options) (Machine, error) { return scenariotest.New(o) },
	}
}

func loadHello(t *testing.T) Input {
	t.Helper()
	l, err := lesson.Load("testdata/hello.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/hello.star")
	if err != nil {
		t.Fatal(err)
	}
	return Input{Script: "testdata/hello.star", Src: src, Lesson: l}
}

func TestRunLesson(t *testing.T) {
	res, err := Run(fakeConfig(1), loadHello(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"$ make\nmake -C /lib/modules/6.1.0-28-amd64/build M=/home/student/kernel-memory modules\n",
		"$ sudo insmod hello.ko\n$ lsmod | grep hello\n",
		"# kscript: WHAT=Hello (captured from this output with contains: (\\w+))\n$ echo \"captured $WHAT\"\n+ echo \"captured Hello\"\ncaptured Hello\n",
		"$ ./user_app\nStarting userspace application...\n",
		"] Allocated buffer contains: Hello from the kernel!\n",
	} {
		if !strings.Contains(res.Transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, res.Transcript)
		}
	}
	if f := res.Failed(); len(f) != 0 || len(res.Checks) != 10 {
		t.Errorf("checks: %d, failed %+v", len(res.Checks), f)
	}
	if !res.Health.Memory.Checked || !res.Health.Memory.Restored || res.ExitCode() != 0 {
		t.Errorf("health %+v, exit %d", res.Health, res.ExitCode())
	}
}

// TestDeterministic runs the same script and seed twice, on the stand-in
// and on the bridge's machine: transcript and summary must be identical.
func TestDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"stand-in", fakeConfig(7)},
		{"bridge", Config{Options: kruntime.Options{Kernel: kernelsim.Config{Seed: 7}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := loadHello(t)
			in.Lesson = nil // the default scenario: make, insmod, ./user_app, rmmod, dmesg
			in.Src = []byte("def i():\n    pr_info(\"a %d\\n\", 1)\n    return 0\ndef e():\n    pr_info(\"b\\n\")\nmodule_init(i)\nmodule_exit(e)\n")
			outputs := make([]string, 2)
			for i := range outputs {
				res, err := runGuarded(tc.cfg, in)
				if err != nil {
					t.Skipf("machine not usable: %v", err)
				}
				var b bytes.Buffer
				b.WriteString(res.Transcript)
				res.WriteSummary(&b, "en", nil)
				outputs[i] = b.String()
			}
			if outputs[0] != outputs[1] {
				t.Errorf("two runs differ:\n%s\n----\n%s", outputs[0], outputs[1])
			}
			if !strings.Contains(outputs[0], "] a 1\n") {
				t.Errorf("transcript lacks the module's line:\n%s", outputs[0])
			}
		})
	}
}

// runGuarded runs a scenario, turning an unimplemented machine's panic into
// an error so the test can skip.
func runGuarded(cfg Config, in Input) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic")
		}
	}()
	return Run(cfg, in)
}

func TestDefaultSteps(t *testing.T) {
	var got []string
	for _, s := range DefaultSteps("hello", []string{"app", "reader"}) {
		got = append(got, s.Run)
	}
	want := "make|sudo insmod hello.ko|./app|./reader|sudo rmmod hello|sudo dmesg"
	if strings.Join(got, "|") != want {
		t.Errorf("DefaultSteps = %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestExpectationsFail(t *testing.T) {
	in := loadHello(t)
	yaml := `id: hello
scenario:
  - run: sudo insmod hello.ko
    capture: {MAJOR: 'major number (\d+)'}
  - ./user_app
  - insmod other.ko
expect:
  dmesg: ["Allocated buffer contains: Hello from the kernel!", "Loading hello module..."]
  dmesg_not: [{re: "Allocated"}]
  stdout: ["nothing like this"]
  insmod: "Cannot allocate memory"
  exit_code: {./user_app: 1, rmmod: 0}
  memory_restored: true
  bugs: [double-free]
  calls: [{fn: kmalloc, gfp: GFP_ATOMIC}, {fn: kmalloc, failed: true}, {fn: kmalloc, min_size: 4096}, {fn: kmalloc, min_size: 128, failed: false}, {fn: kmalloc, noop: true}, {fn: kmalloc, max_total: 64}]
`
	l, err := lesson.Decode("hello.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	in.Lesson = l
	res, err := Run(fakeConfig(1), in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Failed() {
		got = append(got, c.Name+": "+c.Got.EN)
	}
	want := []string{
		`capture MAJOR: no match in the output of "sudo insmod hello.ko"`,
		`dmesg: the line is there, but before "Allocated buffer contains: Hello from the kernel!"`,
		"dmesg_not: Allocated buffer contains: Hello from the kernel!",
		`stdout: no such line in the programs' output; none comes close; the last lines: "Starting userspace application..."`,
		"insmod: insmod: ERROR: could not load module other.ko: No such file or directory",
		"exit_code ./user_app: 0",
		"exit_code rmmod: rmmod never ran",
		"memory_restored: false: memory: not compared (the module is still loaded)",
		"bugs: no report",
		"calls kmalloc: 0 calls; 1× kmalloc (GFP_KERNEL, of size 128, in process context) at testdata/hello.star:7:18 did not count: other arguments or another context than expected",
		"calls kmalloc: 0 calls; 1× kmalloc (GFP_KERNEL, of size 128, in process context) at testdata/hello.star:7:18 did not count: it succeeded, and this check needs it to fail",
		"calls kmalloc: 0 calls; 1× kmalloc (GFP_KERNEL, of size 128, in process context) at testdata/hello.star:7:18 did not count: its size is less than 4096",
		"calls kmalloc: 0 calls; 1× kmalloc (GFP_KERNEL, of size 128, in process context) at testdata/hello.star:7:18 did not count: it did something (it was not a free of NULL or a copy of 0 bytes), and this check counts calls that did nothing",
		"calls kmalloc: 1 call, whose sizes add up to 128",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failed checks\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if res.ExitCode() != 1 {
		t.Errorf("ExitCode = %d, want 1", res.ExitCode())
	}
}

func TestLoadError(t *testing.T) {
	_, err := Run(fakeConfig(1), Input{Script: "x.star", Src: []byte("def f(:\n")})
	var se *kruntime.ScriptError
	if !errors.As(err, &se) || se.Error() != "x.star:1:8: got ':', want ')'" {
		t.Errorf("Run: %v", err)
	}
	_, err = Run(Config{Options: kruntime.Options{Kernel: kernelsim.Config{RAM: 1 << 20}}}, Input{Script: "x.star"})
	var me *MachineError
	if !errors.As(err, &me) {
		t.Errorf("Run with 1 MiB of RAM: %v, want a *MachineError", err)
	}
}

func TestExitCode(t *testing.T) {
	bug := []kernelsim.Report{{Class: "double-free", Title: "BUG: KASAN: double-free"}}
	yes, no := true, false
	tests := []struct {
		name string
		res  Result
		want int
	}{
		{"healthy", Result{}, 0},
		{"script error", Result{Stopped: &kruntime.ScriptError{Pos: "x.star:1:1", Msg: "x"}}, 3},
		{"limit", Result{Stopped: &kruntime.LimitError{Limit: "steps"}}, 4},
		{"internal", Result{Stopped: &kruntime.InternalError{Panic: "x"}}, 70},
		{"failed expectation", Result{Checks: []CheckResult{{Pass: false}}}, 1},
		{"bug without expectations", Result{Health: Health{Bugs: bug}}, 1},
		{"expected bug", Result{Health: Health{Bugs: bug}, Expect: &lesson.Expect{NoBugs: &no}}, 0},
		{"allocation failure is no bug", Result{Health: Health{Warns: bug}}, 0},
		{"memory lost", Result{Health: Health{Memory: MemoryCheck{Checked: true}}}, 1},
		{"memory lost but judged", Result{Health: Health{Memory: MemoryCheck{Checked: true}}, Expect: &lesson.Expect{MemoryRestored: &yes}}, 0},
		{"memory not compared", Result{Health: Health{Memory: MemoryCheck{Reason: "still-loaded"}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.res.ExitCode(); got != tt.want {
				t.Errorf("ExitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSnapshotDiff(t *testing.T) {
	before := parseSnapshot(
		"Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3 \n"+
			"Node 0, zone    DMA32    113     54     20      8      4      2      1      1      0      1     60 \n",
		"MemTotal:         465564 kB\nMemFree:          250256 kB\n")
	same := parseSnapshot(
		"Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3 \n"+
			"Node 0, zone    DMA32    113     54     20      8      4      2      1      1      0      1     60 \n",
		"MemFree:          250256 kB\n")
	after := parseSnapshot(
		"Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3 \n"+
			"Node 0, zone    DMA32    112     54     20      8      4      2      1      1      0      1     60 \n",
		"MemFree:          250252 kB\n")
	if d := before.diff(same); len(d) != 0 {
		t.Errorf("diff of equal snapshots = %q", d)
	}
	want := "zone DMA32 order 0: 113 free blocks before insmod, 112 after rmmod|MemFree: 250256 kB before insmod, 250252 kB after rmmod"
	if d := i18n.Join(before.diff(after), "|"); d.EN != want {
		t.Errorf("diff = %q, want %q", d.EN, want)
	}
}

func TestSummaryLanguages(t *testing.T) {
	res := &Result{
		Health: Health{Bugs: []kernelsim.Report{{Class: "double-free", Title: "BUG: KASAN: double-free in kfree",
			Stack: []kernelsim.Frame{{Func: "hello_exit", File: "hello.star", Line: 12}}}},
			Memory: MemoryCheck{Reason: "still-loaded"}},
		Checks: []CheckResult{{Name: "dmesg", Want: i18n.Plain("Hello"), Got: messages.T("missing-log")}},
	}
	var en, th bytes.Buffer
	res.WriteSummary(&en, "en", nil)
	res.WriteSummary(&th, "th", nil)
	wantEN := `
== kscript: health summary ==
  kernel reports: 1
    double-free: BUG: KASAN: double-free in kfree (hello.star:12 in hello_exit)
  leaks: not checked (kscript's own check runs when the module is removed, and it is still loaded)
  memory: not compared (the module is still loaded)
== kscript: what went wrong, and how to fix it ==
  kscript: double-free — the same memory freed twice
    at hello.star:12 in hello_exit
    What went wrong: The object freed at hello.star:12 had already been freed. Freeing twice corrupts the allocator's free lists: two later allocations could be handed the same memory.
    Usual fix: Free each allocation exactly once. Set the pointer to NULL after freeing it (kfree(NULL) does nothing) and decide which path, the error path or the exit function, owns the free.
== kscript: expectations ==
  FAIL  dmesg: Hello
        expected: Hello
        actual:   no such line in the kernel log
== kscript: FAIL ==
`
	if en.String() != wantEN {
		t.Errorf("English summary:\n%s\nwant:\n%s", en.String(), wantEN)
	}
	for _, want := range []string{"== kscript: สรุปสุขภาพของ Kernel ==", "รายงานจาก Kernel: 1 รายการ", "ได้จริง: ไม่มีบรรทัดนี้ใน log ของ Kernel", "== kscript: เกิดอะไรขึ้น และแก้อย่างไร ==", "ที่ hello.star:12 ในฟังก์ชัน hello_exit", "== kscript: ไม่ผ่าน =="} {
		if !strings.Contains(th.String(), want) {
			t.Errorf("Thai summary lacks %q:\n%s", want, th.String())
		}
	}
}

// TestSets judges one run by several sets of expectations, each on its own:
// a /proc file read after a step serves every set that asks for it.
func TestSets(t *testing.T) {
	in := loadHello(t)
	decode := func(src string) *lesson.Expect {
		l, err := lesson.Decode("x.yaml", []byte("id: x\nexpect:\n"+src))
		if err != nil {
			t.Fatal(err)
		}
		return l.Expect
	}
	pass := decode("  dmesg: [\"Loading hello module...\"]\n  proc: [{file: /proc/meminfo, step: 3, re: \"^MemTotal: \"}]\n")
	fail := decode("  calls: [{fn: kmalloc, gfp: GFP_ATOMIC}]\n  proc: [{file: /proc/meminfo, step: 3, re: \"^nothing \"}]\n")
	in.Sets = []*lesson.Expect{pass, nil, fail}
	res, err := Run(fakeConfig(1), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sets) != 3 {
		t.Fatalf("%d sets, want 3", len(res.Sets))
	}
	verdicts := []int{}
	for _, s := range res.Sets {
		verdicts = append(verdicts, res.Verdict(s.Expect, s.Checks))
	}
	if fmt.Sprint(verdicts) != "[0 0 1]" {
		t.Errorf("verdicts %v, want [0 0 1]", verdicts)
	}
	got := res.Sets[2].Checks
	if len(got) != 2 || got[0].Got.EN != "no such line" || got[0].Name != "proc /proc/meminfo (step 3)" || !strings.HasPrefix(got[1].Got.EN, "0 calls; 1× kmalloc (GFP_KERNEL") {
		t.Errorf("failed set: %+v", got)
	}
	if len(res.Log) == 0 || !strings.Contains(res.Log[len(res.Log)-1].Text, "Memory freed") {
		t.Errorf("Log: %v", res.Log)
	}
}

// TestNoLeaks: no_leaks is kmemleak's verdict: free memory that did not
// come back (reclaim, a grown slab) is memory_restored's business.
func TestNoLeaks(t *testing.T) {
	yes := true
	tests := []struct {
		name string
		h    Health
		pass bool
	}{
		{"restored", Health{Memory: MemoryCheck{Checked: true, Restored: true}}, true},
		{"memory differs", Health{Memory: MemoryCheck{Checked: true, Diffs: []i18n.Text{i18n.Plain("MemFree: 4204 kB before insmod, 5484 kB after rmmod")}}}, true},
		{"kmemleak", Health{Leaks: []kernelsim.Report{{Class: "memory-leak"}}, Memory: MemoryCheck{Checked: true, Restored: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &runner{res: &Result{Health: tt.h}}
			got := r.checkHealth(&lesson.Expect{NoLeaks: &yes})
			if len(got) != 1 || got[0].Pass != tt.pass {
				t.Errorf("no_leaks = %+v, want pass %v", got, tt.pass)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	if m := messages.Missing(); len(m) > 0 {
		t.Errorf("messages without both languages: %v", m)
	}
	if m := messages.VerbMismatch(); len(m) > 0 {
		t.Errorf("messages whose languages take different arguments: %v", m)
	}
}

// TestSnapshotMatchesProc: the health check's snapshot, read from the
// zones' counters, holds what /proc/buddyinfo and /proc/meminfo print, on
// every kind of machine, freshly booted and after memory was taken.
func TestSnapshotMatchesProc(t *testing.T) {
	for _, cfg := range []kernelsim.Config{{}, {Seed: 7, RAM: 256 << 20}, {NoPCP: true}, {Stock: true}, {RAM: 5 << 30}} {
		k, err := kernelsim.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for step := range 2 {
			buddy, _ := k.ReadProc("/proc/buddyinfo")
			mi, _ := k.ReadProc("/proc/meminfo")
			want := parseSnapshot(buddy, mi)
			want.pcp = !cfg.NoPCP
			want.pcpKB = uint64(k.FreePCPPages()) * 4
			want.cacheKB = uint64(k.PageCachePages()) * 4
			if got := takeSnapshot(k); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v step %d: snapshot %+v, /proc says %+v", cfg, step, got, want)
			}
			for order := range 4 {
				k.AllocPages(kernelsim.GFP_KERNEL, order)
			}
		}
	}
}

// TestSnapshotDiffReclaimed: when reclaim freed page cache during a load
// cycle, free memory is compared with that page cache counted, so a
// module that allocated until the kernel reclaimed and freed everything
// gave its memory back, and one that kept pages did not.
func TestSnapshotDiffReclaimed(t *testing.T) {
	before := &snapshot{memFree: 1000, pcpKB: 40, cacheKB: 500, pcp: true}
	tests := []struct {
		name  string
		after snapshot
		want  string
	}{
		{"all back", snapshot{memFree: 1480, pcpKB: 60, cacheKB: 0, pcp: true}, ""},
		{"per-CPU lists moved", snapshot{memFree: 1300, pcpKB: 40, cacheKB: 200, pcp: true}, ""},
		{"10 pages kept", snapshot{memFree: 1440, pcpKB: 60, cacheKB: 0, pcp: true},
			"free memory (MemFree + per-CPU lists + page cache reclaim can free): 1540 kB before insmod, 1500 kB after rmmod (reclaim freed 500 kB of page cache meanwhile)"},
	}
	for _, tt := range tests {
		if d := i18n.Join(before.diff(&tt.after), "|"); d.EN != tt.want {
			t.Errorf("%s: diff = %q, want %q", tt.name, d.EN, tt.want)
		}
	}
	// Without reclaim, and without per-CPU lists, the blocks per order
	// are still compared.
	noPCP := &snapshot{buddy: map[string][]int{"z": {3}}, zones: []string{"z"}, memFree: 12, cacheKB: 8}
	if d := noPCP.diff(&snapshot{buddy: map[string][]int{"z": {2}}, zones: []string{"z"}, memFree: 8, cacheKB: 8}); len(d) != 2 {
		t.Errorf("no reclaim, no per-CPU lists: diff %q, want the order and MemFree lines", d)
	}
}
