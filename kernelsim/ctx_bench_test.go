package kernelsim

import "testing"

func benchKernel(b *testing.B) *Kernel {
	b.Helper()
	k, err := New(Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkTaskletScheduleRun: one tasklet_schedule plus the ksoftirqd run.
func BenchmarkTaskletScheduleRun(b *testing.B) {
	k := benchKernel(b)
	t := DeclareTasklet(Callback{Func: "f", Fn: func() error { return nil }}, false)
	for b.Loop() {
		k.TaskletSchedule(t)
		if err := k.RunDeferred(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTimerTick: arm a timer 10 jiffies ahead and tick through it.
func BenchmarkTimerTick(b *testing.B) {
	k := benchKernel(b)
	tm := NewTimer()
	k.TimerSetup(tm, Callback{Func: "f", Fn: func() error { return nil }}, 0)
	for b.Loop() {
		k.ModTimer(tm, k.Jiffies()+10)
		if err := k.Tick(50_000_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMightAllocProcess: the check every allocation makes, in
// process context (no report).
func BenchmarkMightAllocProcess(b *testing.B) {
	k := benchKernel(b)
	_ = k.RunTask(k.NewTask("insmod", 0), nil, func() error {
		for b.Loop() {
			k.MightAlloc(GFP_KERNEL)
		}
		return nil
	})
}

// BenchmarkRaiseIRQ: an interrupt with one module handler.
func BenchmarkRaiseIRQ(b *testing.B) {
	k := benchKernel(b)
	k.RequestIRQ(5, IRQHandler{Func: "h", Fn: func() (IRQReturn, error) { return IRQHandled, nil }}, 0, "dev", 0)
	for b.Loop() {
		if err := k.RaiseIRQ(5); err != nil {
			b.Fatal(err)
		}
	}
}
