package kernelsim

import (
	"errors"
	"reflect"
	"testing"
)

// TestWorkProcessContext checks that work runs in kworker/0:1, in process
// context, where it may sleep and take mutexes without a report.
func TestWorkProcessContext(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var comm, ctx string
	var m Mutex
	w := NewWork()
	k.InitWork(w, h.cb("my_work_fn", 5, func() error {
		comm, ctx = k.Current().Comm, k.ContextName()
		k.MightAlloc(GFP_KERNEL)
		h.must(k.MutexLock(&m))
		k.MutexUnlock(&m)
		return k.Msleep(1)
	}))
	h.must(h.insmod(func() error {
		if !k.ScheduleWork(w) || k.ScheduleWork(w) {
			t.Error("schedule_work twice: want true then false")
		}
		return nil
	}))
	if !w.Pending() {
		t.Fatal("work not pending after schedule_work")
	}
	h.must(k.RunDeferred())
	if comm != "kworker/0:1" || ctx != "process" || w.Pending() {
		t.Errorf("work ran in %s (%s), pending %v", comm, ctx, w.Pending())
	}
	h.wantNoLine("BUG")
}

// TestWorkWorkerInfo checks dump_stack's "Workqueue:" line in a kworker.
func TestWorkWorkerInfo(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var l Spinlock
	w := NewWork()
	k.InitWork(w, h.cb("my_work_fn", 5, func() error {
		h.must(k.SpinLock(&l))
		k.MightAlloc(GFP_KERNEL)
		k.SpinUnlock(&l)
		return nil
	}))
	k.ScheduleWork(w)
	h.must(k.RunDeferred())
	h.wantInOrder("in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 37, name: kworker/0:1",
		"CPU: 0 PID: 37 Comm: kworker/0:1 Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1",
		"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
		"Workqueue: events my_work_fn [mod]", "Call Trace:", " <TASK>", " my_work_fn (mod.star:5) [mod]",
		" process_one_work+0x1c7/0x380", " worker_thread+0x4d/0x380", " </TASK>")
}

// TestWorkLeak checks process_one_work's leaked-lock report.
func TestWorkLeak(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var l Spinlock
	w := NewWork()
	k.InitWork(w, h.cb("leaky_work", 5, func() error { return k.SpinLock(&l) }))
	k.ScheduleWork(w)
	h.must(k.RunDeferred())
	h.wantInOrder("BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000001/37",
		"     last function: leaky_work [mod]", " process_one_work.cold+0x3c/0x3c", " worker_thread+0x4d/0x380")
}

// TestFlushCancelWork covers flush_work and cancel_work_sync.
func TestFlushCancelWork(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ctx      string
		op       func(k *Kernel, w *Work) (bool, error)
		schedule bool
		wantRet  bool
		wantRan  bool
		wantBUG  string
	}{
		{"flush pending", "process", (*Kernel).FlushWork, true, true, true, ""},
		{"flush idle", "process", (*Kernel).FlushWork, false, false, false, ""},
		{"flush pending in tasklet", "tasklet", (*Kernel).FlushWork, true, true, true,
			"BUG: sleeping function called from invalid context at kernel/sched/completion.c:101"},
		{"flush idle in tasklet", "tasklet", (*Kernel).FlushWork, false, false, false, ""},
		{"cancel pending", "process", (*Kernel).CancelWorkSync, true, true, false, ""},
		{"cancel idle", "process", (*Kernel).CancelWorkSync, false, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			k := h.k
			ran := false
			w := NewWork()
			k.InitWork(w, h.cb("fn", 1, func() error { ran = true; return nil }))
			var ret bool
			h.must(runnerNamed(t, tc.ctx).run(h, func() error {
				if tc.schedule {
					k.ScheduleWork(w)
				}
				var err error
				ret, err = tc.op(k, w)
				return err
			}))
			if ret != tc.wantRet || ran != tc.wantRan || w.Pending() {
				t.Errorf("ret %v ran %v pending %v; want ret %v ran %v", ret, ran, w.Pending(), tc.wantRet, tc.wantRan)
			}
			if tc.wantBUG == "" {
				h.wantNoLine("BUG")
			} else {
				h.wantInOrder(tc.wantBUG)
			}
		})
	}
}

// TestFlushSelf: a work function flushing itself waits forever.
func TestFlushSelf(t *testing.T) {
	h := newHarness(t)
	k := h.k
	w := NewWork()
	k.InitWork(w, h.cb("self_flush", 3, func() error { _, err := k.FlushWork(w); return err }))
	k.ScheduleWork(w)
	err := k.RunDeferred()
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "hung-task" {
		t.Fatalf("err = %v, want hung task", err)
	}
	h.wantInOrder("INFO: task kworker/0:1:37 blocked for more than 120 seconds.",
		"task:kworker/0:1     state:D stack:0     pid:37    ppid:2      flags:0x00004000",
		"Workqueue: events self_flush [mod]", " __flush_work.isra.0+0x1a1/0x260", " self_flush (mod.star:3) [mod]")
}

// TestWorkFIFOAndRequeue checks queue order and self-requeueing.
func TestWorkFIFOAndRequeue(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var trace []string
	a, b := NewWork(), NewWork()
	n := 0
	k.InitWork(a, h.cb("a", 1, func() error {
		trace = append(trace, "a")
		if n++; n < 3 {
			k.ScheduleWork(a)
		}
		return nil
	}))
	k.InitWork(b, h.cb("b", 1, func() error { trace = append(trace, "b"); return nil }))
	k.ScheduleWork(a)
	k.ScheduleWork(b)
	want := []Pending{
		{Kind: "work", Func: "a", Module: "mod", Detail: "queued on events"},
		{Kind: "work", Func: "b", Module: "mod", Detail: "queued on events"},
	}
	if got := k.PendingFor("mod"); !reflect.DeepEqual(got, want) {
		t.Errorf("PendingFor = %v", got)
	}
	h.must(k.RunDeferred())
	if w := []string{"a", "b", "a", "a"}; !reflect.DeepEqual(trace, w) {
		t.Errorf("ran %v, want %v", trace, w)
	}
}
