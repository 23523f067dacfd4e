package kernelsim

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// recorder builds callbacks that append their name to a trace.
type recorder struct {
	h     *ctxHarness
	trace []string
}

func (r *recorder) cb(name string) Callback {
	return r.h.cb(name, 1, func() error {
		r.trace = append(r.trace, name)
		return nil
	})
}

// TestSeedTaskletOrder is the workshop's lesson 3: the init schedules the
// tasklet after printing, and the tasklet runs after init returns, in
// ksoftirqd, where GFP_ATOMIC is fine.
func TestSeedTaskletOrder(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var my Tasklet
	k.TaskletSetup(&my, h.cb("my_tasklet_func", 25, func() error {
		k.Printk(KernSOH + "6Tasklet is running! Attempting atomic allocation...\n")
		if k.MightAlloc(GFP_ATOMIC, "kmalloc_trace+0x26/0x90") {
			t.Error("GFP_ATOMIC reported in a tasklet")
		}
		k.Printk(KernSOH + "6GFP_ATOMIC allocation successful!\n")
		return nil
	}))
	h.must(h.insmod(func() error {
		k.Printk(KernSOH + "6Loading atomic_kmalloc_test module...\n")
		k.Printk(KernSOH + "6Scheduling the tasklet to run.\n")
		k.TaskletSchedule(&my)
		if my.State() != TaskletStateSched {
			t.Errorf("state after schedule = %#x, want SCHED", my.State())
		}
		return nil
	}))
	h.wantNoLine("Tasklet is running!")
	h.must(k.RunDeferred())
	h.wantInOrder("Loading atomic_kmalloc_test module...", "Scheduling the tasklet to run.",
		"Tasklet is running! Attempting atomic allocation...", "GFP_ATOMIC allocation successful!")
	recs := k.LogSince(h.seq)
	if d := recs[2].Time - recs[1].Time; d < 20_000 || d > 200_000 {
		t.Errorf("tasklet ran %d ns after being scheduled, want tens of µs", d)
	}
	h.must(k.RunTask(k.NewTask("rmmod", 0), nil, func() error { return k.TaskletKill(&my) }))
	if my.State() != 0 || len(k.Reports()) != 0 {
		t.Errorf("after kill: state %#x, reports %v", my.State(), h.classes())
	}
	if got := k.SoftirqCounts()[TaskletSoftirq]; got != 1 {
		t.Errorf("TASKLET softirq ran %d times, want 1", got)
	}
}

// TestTaskletOrdering checks the list discipline of tasklet_action_common.
func TestTaskletOrdering(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(k *Kernel, ts map[string]*Tasklet)
		want []string
	}{
		{"fifo", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletSchedule(ts["a"])
			k.TaskletSchedule(ts["b"])
			k.TaskletSchedule(ts["c"])
		}, []string{"a", "b", "c"}},
		{"hi before normal", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletSchedule(ts["a"])
			k.TaskletHiSchedule(ts["b"])
			k.TaskletSchedule(ts["c"])
			k.TaskletHiSchedule(ts["d"])
		}, []string{"b", "d", "a", "c"}},
		{"scheduled twice runs once", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletSchedule(ts["a"])
			k.TaskletSchedule(ts["b"])
			k.TaskletSchedule(ts["a"])
			k.TaskletHiSchedule(ts["a"])
		}, []string{"a", "b"}},
		{"disabled stays queued", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletDisable(ts["a"])
			k.TaskletSchedule(ts["a"])
			k.TaskletSchedule(ts["b"])
		}, []string{"b"}},
		{"disabled twice needs two enables", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletDisable(ts["a"])
			k.TaskletDisableNosync(ts["a"])
			k.TaskletEnable(ts["a"])
			k.TaskletSchedule(ts["a"])
		}, nil},
		{"unbalanced enable kills it", func(k *Kernel, ts map[string]*Tasklet) {
			k.TaskletEnable(ts["a"])
			k.TaskletSchedule(ts["a"])
			k.TaskletSchedule(ts["b"])
		}, []string{"b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := &recorder{h: h}
			ts := map[string]*Tasklet{}
			for _, n := range []string{"a", "b", "c", "d"} {
				ts[n] = DeclareTasklet(r.cb(n), false)
			}
			h.must(h.insmod(func() error { tc.run(h.k, ts); return nil }))
			h.must(h.k.RunDeferred())
			if !reflect.DeepEqual(r.trace, tc.want) {
				t.Errorf("ran %v, want %v", r.trace, tc.want)
			}
		})
	}
}

// TestTaskletDisableEnable checks that a disabled tasklet runs once it is
// enabled again, and is listed as pending meanwhile.
func TestTaskletDisableEnable(t *testing.T) {
	h := newHarness(t)
	r := &recorder{h: h}
	a := DeclareTasklet(r.cb("a"), true) // DECLARE_TASKLET_DISABLED
	h.must(h.insmod(func() error { h.k.TaskletSchedule(a); return nil }))
	h.must(h.k.RunDeferred())
	if len(r.trace) != 0 {
		t.Fatalf("disabled tasklet ran: %v", r.trace)
	}
	want := []Pending{{Kind: "tasklet", Func: "a", Module: "mod", Detail: "scheduled, disabled"}}
	if got := withoutSites(h.k.PendingFor("mod")); !reflect.DeepEqual(got, want) {
		t.Errorf("PendingFor = %v, want %v", got, want)
	}
	h.k.TaskletEnable(a)
	h.must(h.k.RunDeferred())
	if !reflect.DeepEqual(r.trace, []string{"a"}) || a.State() != 0 {
		t.Errorf("after enable: ran %v, state %#x", r.trace, a.State())
	}
	if p := h.k.PendingFor("mod"); len(p) != 0 {
		t.Errorf("PendingFor after run = %v", p)
	}
}

// TestTaskletReschedulesItself checks that a tasklet may schedule itself
// from its callback (SCHED is cleared before it runs), and that a tasklet
// that always does so is bounded per deferred point.
func TestTaskletReschedulesItself(t *testing.T) {
	h := newHarness(t)
	n := 0
	var self *Tasklet
	self = DeclareTasklet(h.cb("again", 1, func() error {
		n++
		h.k.TaskletSchedule(self)
		return nil
	}), false)
	h.k.TaskletSchedule(self)
	h.must(h.k.RunDeferred())
	if n != maxDeferredPasses*maxSoftirqRestart {
		t.Errorf("ran %d times in one RunDeferred, want %d", n, maxDeferredPasses*maxSoftirqRestart)
	}
	if self.State() != TaskletStateSched {
		t.Errorf("state %#x, want still scheduled", self.State())
	}
}

// TestTaskletKill covers tasklet_kill's waits.
func TestTaskletKill(t *testing.T) {
	t.Run("pending runs first", func(t *testing.T) {
		h := newHarness(t)
		r := &recorder{h: h}
		a := DeclareTasklet(r.cb("a"), false)
		h.must(h.insmod(func() error {
			h.k.TaskletSchedule(a)
			return h.k.TaskletKill(a)
		}))
		if !reflect.DeepEqual(r.trace, []string{"a"}) || a.State() != 0 {
			t.Errorf("ran %v, state %#x", r.trace, a.State())
		}
		h.wantNoLine("BUG")
	})
	t.Run("disabled hangs", func(t *testing.T) {
		h := newHarness(t)
		a := DeclareTasklet((&recorder{h: h}).cb("a"), true)
		h.k.TaskletSchedule(a)
		err := h.k.RunTask(h.k.NewTask("rmmod", 0), nil, func() error { return h.k.TaskletKill(a) })
		var oops *Oops
		if !errors.As(err, &oops) || oops.Report.Class != "hung-task" {
			t.Fatalf("err = %v, want a fatal hung-task report", err)
		}
		h.wantInOrder("INFO: task rmmod:1203 blocked for more than 120 seconds.",
			"      Not tainted 6.1.0-28-amd64 #1",
			`"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.`,
			"task:rmmod           state:D stack:0     pid:1203  ppid:1187   flags:0x00004002",
			"Call Trace:", " <TASK>", " __schedule+0x34d/0x9e0", " schedule+0x5a/0xd0", " tasklet_kill+0x4d/0x60", " </TASK>")
	})
	t.Run("from interrupt", func(t *testing.T) {
		h := newHarness(t)
		a := DeclareTasklet((&recorder{h: h}).cb("a"), false)
		h.must(runnerNamed(t, "hardirq").run(h, func() error {
			h.k.TaskletSchedule(a)
			return h.k.TaskletKill(a)
		}))
		h.wantInOrder("softirq: Attempt to kill tasklet from interrupt",
			"BUG: sleeping function called from invalid context at include/linux/wait_bit.h:287")
		if a.State() != 0 || len(h.k.PendingFor("mod")) != 1 { // the irq handler stays registered
			t.Errorf("state %#x, pending %v", a.State(), h.k.PendingFor("mod"))
		}
	})
}

// TestTaskletNullCallback checks that scheduling a tasklet that was never
// set up calls a NULL pointer in softirq context: an Oops, then a panic.
func TestTaskletNullCallback(t *testing.T) {
	h := newHarness(t)
	a := NewTasklet()
	h.k.TaskletSchedule(a)
	err := h.k.RunDeferred()
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "null-deref" {
		t.Fatalf("err = %v, want a fatal null-deref", err)
	}
	h.wantInOrder("BUG: kernel NULL pointer dereference, address: 0000000000000000",
		"#PF: supervisor instruction fetch in kernel mode", "Oops: 0010 [#1] PREEMPT SMP KASAN NOPTI",
		"CPU: 0 PID: 14 Comm: ksoftirqd/0 Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1", "RIP: 0010:0x0",
		" tasklet_action_common.constprop.0+0xab/0xe0", "Kernel panic - not syncing: Fatal exception in interrupt")
	if h.k.Current().Comm != "swapper/0" || h.k.PreemptCount() != PreemptOffset {
		t.Errorf("context not restored: %s %#x", h.k.Current().Comm, h.k.PreemptCount())
	}
}

// TestSoftirqLeak checks __do_softirq's repair of a tasklet that returns
// holding a spinlock.
func TestSoftirqLeak(t *testing.T) {
	h := newHarness(t)
	var l Spinlock
	a := DeclareTasklet(h.cb("leaky", 3, func() error { return h.k.SpinLock(&l) }), false)
	h.k.TaskletSchedule(a)
	h.must(h.k.RunDeferred())
	var line string
	for _, l := range h.log() {
		if strings.HasPrefix(l, "softirq: huh") {
			line = l
		}
	}
	if !strings.HasPrefix(line, "softirq: huh, entered softirq 6 TASKLET 00000000") ||
		!strings.HasSuffix(line, " with preempt_count 00000100, exited with 00000101?") {
		t.Errorf("leak line = %q", line)
	}
}

// TestBhEnableRunsSoftirqs checks that spin_unlock_bh runs the softirqs
// raised while bottom halves were off, at once, on the interrupt stack.
func TestBhEnableRunsSoftirqs(t *testing.T) {
	h := newHarness(t)
	var l Spinlock
	var ranInside bool
	a := DeclareTasklet(h.cb("bh_tasklet", 7, func() error {
		h.k.MightAlloc(GFP_KERNEL)
		return nil
	}), false)
	h.must(h.insmod(func() error {
		h.must(h.k.SpinLockBh(&l))
		h.k.TaskletSchedule(a)
		h.must(h.k.SpinUnlockBh(&l))
		ranInside = a.State() == 0
		return nil
	}))
	if !ranInside {
		t.Fatal("tasklet did not run at spin_unlock_bh")
	}
	h.wantInOrder("in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1203, name: insmod",
		"preempt_count: 100, expected: 0", " <IRQ>", " bh_tasklet (mod.star:7) [mod]",
		" tasklet_action_common.constprop.0+0xab/0xe0", " __do_softirq+0xf0/0x2fe", " </IRQ>", " <TASK>",
		" do_softirq.part.0+0x3d/0x60", " __local_bh_enable_ip+0x5a/0x60", " mod_init (mod.star:10) [mod]",
		" do_one_initcall+0x41/0x200", " </TASK>")
}
