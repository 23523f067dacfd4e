package kernelsim

import (
	"reflect"
	"testing"
)

// TestBusyWaits checks that udelay/mdelay advance the clock exactly and
// are allowed in atomic context.
func TestBusyWaits(t *testing.T) {
	h := newHarness(t)
	var d uint64
	h.must(runnerNamed(t, "hardirq").run(h, func() error {
		before := h.k.Now()
		h.k.Udelay(50)
		h.k.Mdelay(2)
		h.k.Ndelay(7)
		d = h.k.Now() - before
		return nil
	}))
	if d != 2_050_007 {
		t.Errorf("busy waits took %d ns, want 2050007", d)
	}
	h.wantNoLine("BUG")
}

// TestSpinTrylock checks spin_trylock on a free and a held lock.
func TestSpinTrylock(t *testing.T) {
	h := newHarness(t)
	k := h.k
	h.must(h.insmod(func() error {
		var l Spinlock
		k.SpinLockInit(&l)
		if !k.SpinTrylock(&l) || k.PreemptCount() != 1 {
			t.Errorf("trylock of a free lock: count %#x", k.PreemptCount())
		}
		if k.SpinTrylock(&l) || k.PreemptCount() != 1 {
			t.Errorf("trylock of a held lock succeeded or changed the count: %#x", k.PreemptCount())
		}
		k.SpinUnlock(&l)
		var m Mutex
		k.MutexInit(&m)
		if k.MutexTrylock(&m) != 1 || k.MutexTrylock(&m) != 0 {
			t.Error("mutex_trylock: want 1 then 0")
		}
		return nil
	}))
}

// TestRaiseSoftirqVectors checks that vectors kernelsim does not simulate
// still count in /proc/softirqs, and out-of-range ones are ignored.
func TestRaiseSoftirqVectors(t *testing.T) {
	h := newHarness(t)
	k := h.k
	k.RaiseSoftirq(NetRxSoftirq)
	k.RaiseSoftirq(NRSoftirqs)
	k.RaiseSoftirq(-1)
	if k.SoftirqPending() != 1<<NetRxSoftirq {
		t.Fatalf("pending %#x", k.SoftirqPending())
	}
	h.must(k.RunDeferred())
	if c := k.SoftirqCounts(); c[NetRxSoftirq] != 1 || k.SoftirqPending() != 0 {
		t.Errorf("counts %v pending %#x", c, k.SoftirqPending())
	}
}

// TestPendingModules checks the module-level view issue 4 will use.
func TestPendingModules(t *testing.T) {
	h := newHarness(t)
	k := h.k
	a := DeclareTasklet(Callback{Func: "ta", Module: "zeta", Fn: func() error { return nil }}, true)
	k.TaskletSchedule(a)
	tm := NewTimer()
	k.TimerSetup(tm, Callback{Func: "tf", Module: "alpha", Fn: func() error { return nil }}, 0)
	tm.SetExpires(k.Jiffies() + HZ)
	k.AddTimer(tm)
	if got := k.PendingModules(); !reflect.DeepEqual(got, []string{"alpha", "zeta"}) {
		t.Errorf("PendingModules = %v", got)
	}
	if got, want := k.PendingFor("alpha")[0].String(), "timer tf [alpha]: expires in 250 jiffies"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if tm.Expires() != k.Jiffies()+HZ || a.Count() != 1 {
		t.Errorf("expires %d count %d", tm.Expires(), a.Count())
	}
}

// TestTaskletDisableSelf: tasklet_disable from its own callback would wait
// for itself; kernelsim reports the sleep and goes on.
func TestTaskletDisableSelf(t *testing.T) {
	h := newHarness(t)
	var self *Tasklet
	self = DeclareTasklet(h.cb("self_disable", 4, func() error {
		h.k.TaskletDisable(self)
		return nil
	}), false)
	h.k.TaskletSchedule(self)
	h.must(h.k.RunDeferred())
	h.wantInOrder("BUG: sleeping function called from invalid context at include/linux/wait_bit.h:287",
		" tasklet_unlock_wait+0x5c/0x90", " self_disable (mod.star:4) [mod]")
	if self.Count() != 1 {
		t.Errorf("count %d, want 1", self.Count())
	}
}

// TestCancelRunningWork: cancel_work_sync from the work itself waits for
// itself.
func TestCancelRunningWork(t *testing.T) {
	h := newHarness(t)
	k := h.k
	w := NewWork()
	var was bool
	k.InitWork(w, h.cb("self_cancel", 2, func() error {
		k.ScheduleWork(w)
		var err error
		was, err = k.CancelWorkSync(w)
		return err
	}))
	k.ScheduleWork(w)
	// The kworker hangs, not the caller of RunDeferred.
	if err := k.RunDeferred(); err != nil || !was {
		t.Errorf("err %v was %v, want nil (the kworker hangs) after taking the requeued work off", err, was)
	}
	h.wantInOrder("INFO: task kworker/0:1:37 blocked for more than 120 seconds.")
}
