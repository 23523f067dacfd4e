package kernelsim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// dbgKernel boots a machine whose script stack is one frame of module
// "mod" at mod.star:line, as the runtime's would be while init runs.
func dbgKernel(t testing.TB, line *int) *Kernel {
	t.Helper()
	k, err := New(Config{Seed: 7})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	k.Stack = func() []Frame {
		if *line == 0 {
			return nil
		}
		return []Frame{{Func: "mod_init", File: "mod.star", Line: *line, Module: "mod"}}
	}
	return k
}

// dbgLines returns the log records from seq on, without timestamps.
func dbgLines(k *Kernel, seq uint64) []string {
	var out []string
	for _, r := range k.LogSince(seq) {
		out = append(out, r.Text)
	}
	return out
}

func TestParseFailSpec(t *testing.T) {
	tests := []struct {
		spec string
		want FailSpec
	}{
		{"kmalloc:nth=2", FailSpec{Target: FaultSlab, Nth: 2, Interval: 1, Times: 1, Verbose: 2}},
		{"slab", FailSpec{Target: FaultSlab, Probability: 100, Interval: 1, Times: 1, Verbose: 2}},
		{"page_alloc:probability=10,times=3", FailSpec{Target: FaultPageAlloc, Probability: 10, Interval: 1, Times: 3, Verbose: 2}},
		{"page_alloc:probability=10", FailSpec{Target: FaultPageAlloc, Probability: 10, Interval: 1, Times: -1, Verbose: 2}},
		{"vmalloc:times=1", FailSpec{Target: FaultVmalloc, Probability: 100, Interval: 1, Times: 1, Verbose: 2}},
		{"usercopy:nth=1", FailSpec{Target: FaultUsercopy, Nth: 1, Interval: 1, Times: 1, Verbose: 2}},
		{"failslab:interval=3,space=256,verbose=0,ignore-gfp-wait=Y", FailSpec{Target: FaultSlab, Probability: 100, Interval: 3, Times: 1, Space: 256, IgnoreGFPWait: true}},
		{"fail_page_alloc:min_order=1,ignore-gfp-highmem=y,ignore_gfp_wait=1,times=-1",
			FailSpec{Target: FaultPageAlloc, Probability: 100, Interval: 1, Times: -1, Verbose: 2, MinOrder: 1, IgnoreGFPHighmem: true, IgnoreGFPWait: true}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFailSpec(tt.spec)
			if err != nil {
				t.Fatalf("ParseFailSpec: %v", err)
			}
			tt.want.Text = tt.spec
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			again, err := ParseFailSpec(got.String())
			if again.Text = tt.spec; err != nil || again != got {
				t.Errorf("round trip through %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseFailSpecErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", `fail: "": missing target, want TARGET[:OPTION=VALUE,...] with TARGET one of kmalloc, slab, page_alloc, vmalloc or usercopy`},
		{"kmaloc:nth=1", `fail: "kmaloc:nth=1": unknown target "kmaloc", want kmalloc, slab, page_alloc, vmalloc or usercopy`},
		{"kmalloc:", `fail: "kmalloc:": no options after ':'`},
		{"kmalloc:nth=1,", `fail: "kmalloc:nth=1,": empty option`},
		{"kmalloc:nth", `fail: "kmalloc:nth": option "nth" has no value, want nth=VALUE`},
		{"kmalloc:nth=", `fail: "kmalloc:nth=": option "nth" has no value, want nth=VALUE`},
		{"kmalloc:nth=x", `fail: "kmalloc:nth=x": nth=x: want a positive integer`},
		{"kmalloc:nth=0", `fail: "kmalloc:nth=0": nth=0: want a positive integer`},
		{"kmalloc:probability=101", `fail: "kmalloc:probability=101": probability=101: want a percentage 0..100`},
		{"kmalloc:times=-2", `fail: "kmalloc:times=-2": times=-2: want -1 (no limit) or a count >= 0`},
		{"kmalloc:verbose=3", `fail: "kmalloc:verbose=3": verbose=3: want 0, 1 or 2`},
		{"kmalloc:interval=0", `fail: "kmalloc:interval=0": interval=0: want a positive integer`},
		{"kmalloc:foo=1", `fail: "kmalloc:foo=1": unknown option "foo", want one of probability, interval, times, space, nth, verbose, ignore-gfp-wait`},
		{"kmalloc:min-order=1", `fail: "kmalloc:min-order=1": option "min-order" does not apply to kmalloc`},
		{"usercopy:ignore-gfp-wait=Y", `fail: "usercopy:ignore-gfp-wait=Y": option "ignore-gfp-wait" does not apply to usercopy`},
		{"page_alloc:ignore-gfp-wait=maybe", `fail: "page_alloc:ignore-gfp-wait=maybe": ignore-gfp-wait=maybe: want Y or N`},
		{"page_alloc:min-order=11", `fail: "page_alloc:min-order=11": min-order=11: want an order 0..10`},
		{"kmalloc:nth=1,nth=2", `fail: "kmalloc:nth=1,nth=2": option "nth" given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseFailSpec(tt.spec)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant     %s", err, tt.want)
			}
		})
	}
}

func FuzzParseFailSpec(f *testing.F) {
	for _, s := range []string{"kmalloc:nth=2", "page_alloc:probability=10,times=3", "vmalloc:times=1",
		"usercopy:nth=1", "slab:interval=2,space=64", "page_alloc:min-order=3,ignore-gfp-highmem=N", "x:=,", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseFailSpec(spec)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fail: ") || strings.HasSuffix(err.Error(), ".") {
				t.Fatalf("bad error text %q", err)
			}
			return
		}
		again, err := ParseFailSpec(s.String())
		again.Text = s.Text
		if err != nil || again != s {
			t.Fatalf("round trip of %q through %q: %+v, %v", spec, s.String(), again, err)
		}
	})
}

func TestSetFaultInjection(t *testing.T) {
	line := 0
	k := dbgKernel(t, &line)
	if err := k.SetFaultInjection([]string{"kmalloc:nth=3", "usercopy"}); err != nil {
		t.Fatal(err)
	}
	err := k.SetFaultInjection([]string{"page_alloc", "slab:nth=1", "failslab"})
	if want := `fail: "failslab": failslab is already set by "slab:nth=1"`; err == nil || err.Error() != want {
		t.Errorf("duplicate target: %v, want %s", err, want)
	}
	var targets []FaultTarget
	for _, s := range k.FaultInjection() {
		targets = append(targets, s.Target)
	}
	if !reflect.DeepEqual(targets, []FaultTarget{FaultSlab, FaultUsercopy}) {
		t.Errorf("after a bad list, armed %v; the earlier configuration must stay", targets)
	}
	if err := k.SetFaultInjection(nil); err != nil || len(k.FaultInjection()) != 0 {
		t.Errorf("SetFaultInjection(nil): %v, armed %v", err, k.FaultInjection())
	}
}

// faultRun makes n calls of check with script code on the stack and
// returns which of them (1-based) failed.
func faultRun(k *Kernel, n int, check func() bool) []int {
	var failed []int
	for i := 1; i <= n; i++ {
		if check() {
			failed = append(failed, i)
		}
	}
	return failed
}

func TestShouldFail(t *testing.T) {
	slabKernel := func(k *Kernel) bool { return k.shouldFailSlab(GFP_KERNEL, 128) }
	tests := []struct {
		name  string
		specs []string
		check func(k *Kernel) bool
		want  []int
	}{
		{"nth fails once", []string{"kmalloc:nth=3"}, slabKernel, []int{3}},
		{"default fails the next call once", []string{"kmalloc"}, slabKernel, []int{1}},
		{"times", []string{"kmalloc:times=3"}, slabKernel, []int{1, 2, 3}},
		{"interval", []string{"kmalloc:interval=4,times=-1"}, slabKernel, []int{4, 8}},
		{"space lets bytes through", []string{"kmalloc:space=300,times=2"}, slabKernel, []int{3, 4}},
		{"probability 0 never fails", []string{"kmalloc:probability=0"}, slabKernel, nil},
		{"nothing armed", nil, slabKernel, nil},
		{"NOFAIL never fails", []string{"kmalloc:times=-1"},
			func(k *Kernel) bool { return k.shouldFailSlab(GFP_KERNEL|GFPNoFail, 64) }, nil},
		{"NOFAIL does not count for nth", []string{"kmalloc:nth=2"},
			func(k *Kernel) bool {
				return k.shouldFailSlab(GFP_KERNEL|GFPNoFail, 64) || k.shouldFailSlab(GFP_KERNEL, 64)
			}, []int{2}},
		{"ignore-gfp-wait spares GFP_KERNEL", []string{"kmalloc:ignore-gfp-wait=Y,times=-1"}, slabKernel, nil},
		{"ignore-gfp-wait fails GFP_ATOMIC", []string{"kmalloc:ignore-gfp-wait=Y,times=-1"},
			func(k *Kernel) bool { return k.shouldFailSlab(GFP_ATOMIC, 64) }, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"page min-order", []string{"page_alloc:min-order=1,times=-1"},
			func(k *Kernel) bool { return k.shouldFailAlloc(GFP_KERNEL, 0) }, nil},
		{"page highmem", []string{"page_alloc:ignore-gfp-highmem=Y,times=-1"},
			func(k *Kernel) bool { return k.shouldFailAlloc(GFP_HIGHUSER, 0) }, nil},
		{"page space counts pages", []string{"page_alloc:space=4"},
			func(k *Kernel) bool { return k.shouldFailAlloc(GFP_KERNEL, 1) }, []int{2}},
		{"vmalloc", []string{"vmalloc:nth=2"}, func(k *Kernel) bool { return k.shouldFailVmalloc(8192) }, []int{2}},
		{"usercopy", []string{"usercopy:times=2"}, func(k *Kernel) bool { return k.shouldFailUsercopy() }, []int{1, 2}},
		{"targets are independent", []string{"usercopy:nth=2"}, slabKernel, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := 12
			k := dbgKernel(t, &line)
			if err := k.SetFaultInjection(tt.specs); err != nil {
				t.Fatal(err)
			}
			got := faultRun(k, 8, func() bool { return tt.check(k) })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("failed calls %v, want %v", got, tt.want)
			}
			n := 0
			for _, r := range k.Reports() {
				if r.Class == "fault-injection" {
					n++
				}
			}
			if n != len(tt.want) {
				t.Errorf("%d fault-injection reports, want %d", n, len(tt.want))
			}
		})
	}
}

// TestShouldFailProbability checks that probability=30 fails about 30% of
// the calls, the same ones for the same seed.
func TestShouldFailProbability(t *testing.T) {
	var runs [2][]int
	for i := range runs {
		line := 3
		k := dbgKernel(t, &line)
		if err := k.SetFaultInjection([]string{"kmalloc:probability=30"}); err != nil {
			t.Fatal(err)
		}
		runs[i] = faultRun(k, 1000, func() bool { return k.shouldFailSlab(GFP_KERNEL, 64) })
	}
	if n := len(runs[0]); n < 250 || n > 350 {
		t.Errorf("%d of 1000 calls failed, want about 300", n)
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Error("two machines with the same seed failed different calls")
	}
}

// TestShouldFailNeedsScript checks the stack trace filter: without script
// code on the stack nothing fails and nth does not count.
func TestShouldFailNeedsScript(t *testing.T) {
	line := 0
	k := dbgKernel(t, &line)
	if err := k.SetFaultInjection([]string{"kmalloc:nth=2"}); err != nil {
		t.Fatal(err)
	}
	if got := faultRun(k, 5, func() bool { return k.shouldFailSlab(GFP_KERNEL, 32) }); got != nil {
		t.Errorf("kernel-only calls failed: %v", got)
	}
	line = 5
	if got := faultRun(k, 3, func() bool { return k.shouldFailSlab(GFP_KERNEL, 32) }); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("script calls failed %v, want [2]", got)
	}
}

func TestFailDump(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		check func(k *Kernel) bool
		want  []string // nil: nothing printed
	}{
		{"slab, verbose 2", "kmalloc:nth=1", func(k *Kernel) bool { return k.shouldFailSlab(GFP_KERNEL, 128, "kmalloc_trace+0x26/0x90") }, []string{
			"FAULT_INJECTION: forcing a failure.",
			"name failslab, interval 1, probability 0, space 0, times 1",
			"CPU: 0 PID: 1203 Comm: insmod Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1",
			"Hardware name: " + hardwareStr,
			"Call Trace:", " <TASK>", " dump_stack_lvl+0x44/0x5c",
			" should_fail_ex+0x1b2/0x1e0", " should_failslab+0x9/0x20", " kmalloc_trace+0x26/0x90",
			" mod_init (mod.star:9) [mod]", " </TASK>"}},
		{"page_alloc counters", "page_alloc:probability=100,times=3,space=1", func(k *Kernel) bool { return k.shouldFailAlloc(GFP_KERNEL, 2) }, []string{
			"FAULT_INJECTION: forcing a failure.",
			"name fail_page_alloc, interval 1, probability 100, space 1, times 3"}},
		{"verbose 1 has no stack", "usercopy:verbose=1", func(k *Kernel) bool { return k.shouldFailUsercopy() }, []string{
			"FAULT_INJECTION: forcing a failure.",
			"name fail_usercopy, interval 1, probability 100, space 0, times 1"}},
		{"verbose 0 is silent", "vmalloc:verbose=0", func(k *Kernel) bool { return k.shouldFailVmalloc(4096) }, nil},
		{"__GFP_NOWARN is silent", "kmalloc", func(k *Kernel) bool { return k.shouldFailSlab(GFP_KERNEL|GFPNoWarn, 8) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := 9
			k := dbgKernel(t, &line)
			if err := k.SetFaultInjection([]string{tt.spec}); err != nil {
				t.Fatal(err)
			}
			seq := k.NextSeq()
			insmod := k.NewTask("insmod", 0)
			if k.RunTask(insmod, nil, func() error {
				if !tt.check(k) {
					t.Fatal("the call did not fail")
				}
				return nil
			}) != nil {
				t.Fatal("RunTask failed")
			}
			got := dbgLines(k, seq)
			if len(got) > len(tt.want) && len(tt.want) == 2 {
				got = got[:2] // the stack dump is checked in the first case
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, r := range k.LogSince(seq)[:min(2, len(got))] {
				if r.Level != LogNotice {
					t.Errorf("%q at level %d, want KERN_NOTICE", r.Text, r.Level)
				}
			}
			rep := k.Reports()[len(k.Reports())-1]
			if rep.Class != "fault-injection" || rep.Title != "FAULT_INJECTION: forcing a failure." || rep.Fatal ||
				fmt.Sprint(rep.Stack) != "[mod.star:9 in mod_init]" {
				t.Errorf("report %+v", rep)
			}
		})
	}
}
