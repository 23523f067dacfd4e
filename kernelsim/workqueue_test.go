package kernelsim

import (
	"errors"
	"reflect"
	"strings"
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

// TestFlushSelf: a work function flushing itself waits forever. The
// kworker hangs, not whoever ran the deferred work; the work item never
// finishes, so a later flush hangs its caller too; the pool goes on with
// another worker.
func TestFlushSelf(t *testing.T) {
	h := newHarness(t)
	k := h.k
	w := NewWork()
	k.InitWork(w, h.cb("self_flush", 3, func() error { _, err := k.FlushWork(w); return err }))
	k.ScheduleWork(w)
	h.must(k.RunDeferred())
	h.wantInOrder("INFO: task kworker/0:1:37 blocked for more than 120 seconds.",
		"task:kworker/0:1     state:D stack:0     pid:37    ppid:2      flags:0x00004000",
		"Workqueue: events self_flush [mod]", " __flush_work.isra.0+0x1a1/0x260", " self_flush (mod.star:3) [mod]")
	var comm string
	w2 := NewWork()
	k.InitWork(w2, h.cb("other_work", 7, func() error { comm = k.Current().Comm; return nil }))
	k.ScheduleWork(w2)
	h.must(k.RunDeferred())
	if comm != "kworker/0:2" || k.StuckWork() != "" {
		t.Errorf("other work ran in %q, stuck %q; want kworker/0:2, none", comm, k.StuckWork())
	}
	err := h.insmod(func() error { _, err := k.FlushWork(w); return err })
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "hung-task" || !strings.HasPrefix(oops.Report.Title, "INFO: task insmod:") {
		t.Fatalf("flush of the hung work: err = %v, want insmod's hung task", err)
	}
}

// TestWorkOops: an Oops in a work function kills the kworker, not the
// task that ran the deferred work; the work item stays running for good,
// so flush_work and cancel_work_sync hang their caller; the pool is stuck
// behind the dead worker (nr_running stays raised) and runs no more work.
func TestWorkOops(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var l Spinlock
	w := NewWork()
	k.InitWork(w, h.cb("bad_work", 6, func() error {
		h.must(k.SpinLock(&l))
		return k.pageFault(0, true, "")
	}))
	ran := false
	w2 := NewWork()
	k.InitWork(w2, h.cb("later_work", 9, func() error { ran = true; return nil }))
	h.must(h.insmod(func() error { k.ScheduleWork(w); return nil }))
	h.must(k.RunDeferred())
	h.wantInOrder("BUG: kernel NULL pointer dereference, address: 0000000000000000",
		"Oops: 0002 [#1] *",
		"CPU: 0 PID: 37 Comm: kworker/0:1 *",
		"Hardware name: *",
		"Workqueue: events bad_work [mod]",
		"RIP: 0010:bad_work (mod.star:6) [mod]",
		" bad_work (mod.star:6) [mod]", " process_one_work+0x1c7/0x380",
		"note: kworker/0:1[37] exited with preempt_count 1")
	if k.Panicked() != "" || !k.Tainted(TaintDie) {
		t.Fatalf("panicked %q, taint %s: want no panic, taint D", k.Panicked(), k.TaintString())
	}
	if k.StuckWork() != "bad_work [mod]" {
		t.Errorf("StuckWork = %q, want bad_work [mod]", k.StuckWork())
	}
	k.ScheduleWork(w2)
	h.must(k.RunDeferred())
	if ran || !w2.Pending() {
		t.Errorf("work queued behind the dead worker: ran %v pending %v, want it left queued", ran, w2.Pending())
	}
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"flush_work", func() error { _, err := k.FlushWork(w); return err }},
		{"cancel_work_sync", func() error { _, err := k.CancelWorkSync(w); return err }},
		{"flush_work of queued work", func() error { _, err := k.FlushWork(w2); return err }},
	} {
		err := h.insmod(tc.op)
		var oops *Oops
		if !errors.As(err, &oops) || oops.Report.Class != "hung-task" || !strings.HasPrefix(oops.Report.Title, "INFO: task insmod:") {
			t.Errorf("%s: err = %v, want insmod's hung task", tc.name, err)
		}
	}
	// cancel_work_sync of work that waits in the queue takes it off.
	if was, err := k.CancelWorkSync(w2); err != nil || !was || ran {
		t.Errorf("cancel_work_sync of queued work: %v, %v (ran %v); want true, nil", was, err, ran)
	}
}

// TestWorkOopsInFlush: work that flush_work runs at once Oopses in the
// kworker; the flusher then waits for good.
func TestWorkOopsInFlush(t *testing.T) {
	h := newHarness(t)
	k := h.k
	w := NewWork()
	k.InitWork(w, h.cb("bad_work", 6, func() error { return k.pageFault(0, false, "") }))
	k.ScheduleWork(w)
	err := h.insmod(func() error { _, err := k.FlushWork(w); return err })
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "hung-task" {
		t.Fatalf("err = %v, want the flusher's hung task", err)
	}
	h.wantInOrder("CPU: 0 PID: 37 Comm: kworker/0:1 *", "Workqueue: events bad_work [mod]",
		"INFO: task insmod:*", " __flush_work.isra.0+0x1a1/0x260", " mod_init (mod.star:10) [mod]")
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
