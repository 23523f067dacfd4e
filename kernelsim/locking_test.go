package kernelsim

import (
	"errors"
	"testing"
)

// TestSpinlockCounts checks what each lock variant does to the context.
func TestSpinlockCounts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lock    func(k *Kernel, l *Spinlock) func()
		count   uint32
		irqsOff bool
	}{
		{"spin_lock", func(k *Kernel, l *Spinlock) func() {
			k.SpinLock(l)
			return func() { k.SpinUnlock(l) }
		}, 1, false},
		{"spin_lock_irqsave", func(k *Kernel, l *Spinlock) func() {
			f, _ := k.SpinLockIrqsave(l)
			return func() { k.SpinUnlockIrqrestore(l, f) }
		}, 1, true},
		{"spin_lock_irq", func(k *Kernel, l *Spinlock) func() {
			k.SpinLockIrq(l)
			return func() { k.SpinUnlockIrq(l) }
		}, 1, true},
		{"spin_lock_bh", func(k *Kernel, l *Spinlock) func() {
			k.SpinLockBh(l)
			return func() { k.SpinUnlockBh(l) }
		}, SoftirqDisableOffset, false},
		{"nested", func(k *Kernel, l *Spinlock) func() {
			var inner Spinlock
			k.SpinLock(l)
			f, _ := k.SpinLockIrqsave(&inner)
			return func() { k.SpinUnlockIrqrestore(&inner, f); k.SpinUnlock(l) }
		}, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			k := h.k
			var l Spinlock
			h.must(h.insmod(func() error {
				unlock := tc.lock(k, &l)
				if k.PreemptCount() != tc.count || k.IrqsDisabled() != tc.irqsOff || !l.Locked() {
					t.Errorf("held: count %#x irqsOff %v locked %v; want %#x %v", k.PreemptCount(), k.IrqsDisabled(), l.Locked(), tc.count, tc.irqsOff)
				}
				unlock()
				if k.PreemptCount() != 0 || k.IrqsDisabled() || l.Locked() {
					t.Errorf("released: count %#x irqsOff %v locked %v", k.PreemptCount(), k.IrqsDisabled(), l.Locked())
				}
				return nil
			}))
			h.wantNoLine("BUG")
		})
	}
}

// TestIrqsaveRestoresPreviousState checks the flags round trip.
func TestIrqsaveRestoresPreviousState(t *testing.T) {
	h := newHarness(t)
	k := h.k
	h.must(h.insmod(func() error {
		var a, b Spinlock
		fa, _ := k.SpinLockIrqsave(&a)
		fb, _ := k.SpinLockIrqsave(&b)
		if fa != 0x246 || fb != 0x46 {
			t.Errorf("flags %#x %#x, want 0x246 0x46", fa, fb)
		}
		k.SpinUnlockIrqrestore(&b, fb)
		if !k.IrqsDisabled() {
			t.Error("inner restore enabled interrupts")
		}
		k.SpinUnlockIrqrestore(&a, fa)
		if k.IrqsDisabled() {
			t.Error("outer restore left interrupts off")
		}
		return nil
	}))
}

// TestSpinlockRecursion: taking a held spinlock on one CPU never ends.
func TestSpinlockRecursion(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var l Spinlock
	err := h.insmod(func() error {
		h.must(k.SpinLock(&l))
		return k.SpinLock(&l)
	})
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "soft-lockup" || !oops.Report.Fatal {
		t.Fatalf("err = %v, want fatal soft lockup", err)
	}
	h.wantInOrder("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:1203]", "Modules linked in:*",
		"CPU: 0 PID: 1203 Comm: insmod Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1",
		"RIP: 0010:native_queued_spin_lock_slowpath+0x61/0x1d0", "Call Trace:", " <TASK>",
		" _raw_spin_lock+0x29/0x30", " mod_init (mod.star:10) [mod]", " do_one_initcall+0x41/0x200", " </TASK>")
	if k.Current().Comm != "swapper/0" || k.PreemptCount() != 1 {
		t.Errorf("context after the fatal error: %s %#x", k.Current().Comm, k.PreemptCount())
	}
}

// TestIRQDeadlock: process context takes a lock without disabling
// interrupts; the handler takes it too.
func TestIRQDeadlock(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var l Spinlock
	handler := IRQHandler{Func: "h", Module: "mod", Fn: func() (IRQReturn, error) { return IRQHandled, k.SpinLock(&l) }}
	k.RequestIRQ(5, handler, 0, "dev", 0)
	l.locked = true // held by a task the interrupt interrupted
	err := k.RaiseIRQ(5)
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "soft-lockup" {
		t.Fatalf("err = %v", err)
	}
	h.wantInOrder("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]", " <IRQ>", " _raw_spin_lock+0x29/0x30",
		" __handle_irq_event_percpu+0x4a/0x180")
}

// TestMutex checks mutex_lock's might_sleep and the self-deadlock.
func TestMutex(t *testing.T) {
	t.Run("in softirq", func(t *testing.T) {
		h := newHarness(t)
		var m Mutex
		h.must(runnerNamed(t, "tasklet").run(h, func() error {
			if err := h.k.MutexLock(&m); err != nil {
				return err
			}
			h.k.MutexUnlock(&m)
			return nil
		}))
		h.wantInOrder("BUG: sleeping function called from invalid context at kernel/locking/mutex.c:283",
			"preempt_count: 100, expected: 0", " mutex_lock+0x1a/0x40", " my_tasklet_func (mod.star:20) [mod]")
	})
	t.Run("twice", func(t *testing.T) {
		h := newHarness(t)
		var m Mutex
		err := h.insmod(func() error {
			h.must(h.k.MutexLock(&m))
			if h.k.MutexTrylock(&m) != 0 || !m.Locked() {
				t.Error("trylock of a held mutex succeeded")
			}
			return h.k.MutexLock(&m)
		})
		var oops *Oops
		if !errors.As(err, &oops) || oops.Report.Class != "hung-task" {
			t.Fatalf("err = %v", err)
		}
		h.wantInOrder("INFO: task insmod:1203 blocked for more than 120 seconds.", " __schedule+0x34d/0x9e0",
			" schedule_preempt_disabled+0x11/0x20", " __mutex_lock.constprop.0+0x399/0x700", " mutex_lock+0x39/0x40",
			" mod_init (mod.star:10) [mod]")
	})
}
