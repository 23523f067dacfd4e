package kernelsim

import (
	"errors"
	"reflect"
	"testing"
)

func TestJiffies(t *testing.T) {
	k, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	// INITIAL_JIFFIES for HZ=250, plus 4.81 s of boot.
	if got, want := k.Jiffies(), uint64(4294892296+1203); got != want {
		t.Errorf("jiffies at boot = %d, want %d", got, want)
	}
	if InitialJiffies != 4294892296 {
		t.Errorf("INITIAL_JIFFIES = %d", InitialJiffies)
	}
	for _, tc := range []struct {
		ms   int64
		want uint64
	}{{0, 0}, {1, 1}, {4, 1}, {5, 2}, {10, 3}, {1000, 250}, {-1, MaxJiffyOffset}} {
		if got := MsecsToJiffies(tc.ms); got != tc.want {
			t.Errorf("msecs_to_jiffies(%d) = %d, want %d", tc.ms, got, tc.want)
		}
	}
	for _, tc := range []struct {
		us   int64
		want uint64
	}{{1, 1}, {4000, 1}, {4001, 2}, {1_000_000, 250}} {
		if got := UsecsToJiffies(tc.us); got != tc.want {
			t.Errorf("usecs_to_jiffies(%d) = %d, want %d", tc.us, got, tc.want)
		}
	}
	if got := JiffiesToMsecs(HZ); got != 1000 {
		t.Errorf("jiffies_to_msecs(HZ) = %d", got)
	}
}

// TestCalcWheelIndex checks the bucket expiry of calc_wheel_index.
func TestCalcWheelIndex(t *testing.T) {
	const clk = 1000
	for _, tc := range []struct {
		name    string
		expires uint64
		bucket  uint64
		level   int
	}{
		{"now", 1000, 1001, 0},
		{"next jiffy", 1001, 1002, 0},
		{"last of level 0", 1062, 1063, 0},
		{"first of level 1", 1063, 1064, 1},
		{"level 1 rounds up", 1100, 1104, 1},
		{"level 2", 1504, 1536, 2},
		{"in the past", 990, 1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, l := calcWheelIndex(tc.expires, clk)
			if b != tc.bucket || l != tc.level {
				t.Errorf("calc_wheel_index(%d, %d) = %d level %d, want %d level %d", tc.expires, clk, b, l, tc.bucket, tc.level)
			}
		})
	}
	// Obscenely long timeouts are capped at the wheel's capacity.
	if b, l := calcWheelIndex(clk+1<<40, clk); l != lvlDepth-1 || b <= clk {
		t.Errorf("huge timeout: bucket %d level %d", b, l)
	}
}

// TestTimersFireInOrder arms timers in a scrambled order and checks that
// Tick fires them in Linux's order, at their ticks, in softirq context.
func TestTimersFireInOrder(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var fired []string
	type firing struct {
		jiffies uint64
		ctx     string
	}
	at := map[string]firing{}
	timers := map[string]*TimerList{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		n := n
		timers[n] = NewTimer()
		k.TimerSetup(timers[n], h.cb(n, 1, func() error {
			fired = append(fired, n)
			at[n] = firing{k.Jiffies(), k.ContextName()}
			return nil
		}), 0)
	}
	j := k.Jiffies()
	h.must(h.insmod(func() error {
		k.ModTimer(timers["a"], j+30)
		k.ModTimer(timers["b"], j+10)
		k.ModTimer(timers["c"], j+20)
		k.ModTimer(timers["d"], j+5) // same expiry: the later-armed e runs first
		k.ModTimer(timers["e"], j+5)
		return nil
	}))
	h.must(k.Tick(20_000_000)) // 5 jiffies: nothing is due before j+6
	if len(fired) != 0 {
		t.Fatalf("fired early: %v", fired)
	}
	h.must(k.Tick(200_000_000))
	if want := []string{"e", "d", "b", "c", "a"}; !reflect.DeepEqual(fired, want) {
		t.Errorf("fired %v, want %v", fired, want)
	}
	for n, off := range map[string]uint64{"e": 6, "d": 6, "b": 11, "c": 21, "a": 31} {
		if at[n].jiffies != j+off || at[n].ctx != "softirq" {
			t.Errorf("%s fired at jiffies+%d in %s, want +%d in softirq", n, at[n].jiffies-j, at[n].ctx, off)
		}
	}
	if got := k.Jiffies() - j; got != 55 {
		t.Errorf("clock advanced %d jiffies, want 55", got)
	}
}

// TestTimerLevelsSameBucket checks that a coarse-level timer runs before a
// level-0 timer due in the same tick.
func TestTimerLevelsSameBucket(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var fired []string
	coarse, fine := NewTimer(), NewTimer()
	k.TimerSetup(coarse, h.cb("coarse", 1, func() error { fired = append(fired, "coarse"); return nil }), 0)
	k.TimerSetup(fine, h.cb("fine", 1, func() error { fired = append(fired, "fine"); return nil }), 0)
	k.ModTimer(coarse, k.Jiffies()+63) // level 1
	h.must(k.Tick(40 * tickNSec))
	k.ModTimer(fine, coarse.bucket-1) // level 0, same bucket
	if coarse.level != 1 || fine.level != 0 || coarse.bucket != fine.bucket {
		t.Fatalf("setup: coarse %d/%d fine %d/%d", coarse.bucket, coarse.level, fine.bucket, fine.level)
	}
	h.must(k.Tick(HZ * tickNSec))
	if want := []string{"coarse", "fine"}; !reflect.DeepEqual(fired, want) {
		t.Errorf("fired %v, want %v", fired, want)
	}
}

// TestModDelTimer checks the return values of mod_timer and del_timer.
func TestModDelTimer(t *testing.T) {
	h := newHarness(t)
	k := h.k
	tm := NewTimer()
	k.TimerSetup(tm, h.cb("fn", 1, func() error { t.Error("deleted timer fired"); return nil }), 0)
	j := k.Jiffies()
	steps := []struct {
		name string
		do   func() int
		want int
	}{
		{"mod inactive", func() int { return k.ModTimer(tm, j+10) }, 0},
		{"mod pending", func() int { return k.ModTimer(tm, j+20) }, 1},
		{"mod same expiry", func() int { return k.ModTimer(tm, j+20) }, 1},
		{"del pending", func() int { return k.DelTimer(tm) }, 1},
		{"del inactive", func() int { return k.DelTimer(tm) }, 0},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Errorf("%s = %d, want %d", s.name, got, s.want)
		}
	}
	if k.TimerPending(tm) {
		t.Error("timer still pending")
	}
	h.must(k.Tick(1_000_000_000))
}

// TestPeriodicTimer re-arms itself from its callback.
func TestPeriodicTimer(t *testing.T) {
	h := newHarness(t)
	k := h.k
	tm := NewTimer()
	n := 0
	k.TimerSetup(tm, h.cb("tick_fn", 1, func() error {
		n++
		k.ModTimer(tm, k.Jiffies()+HZ/10)
		return nil
	}), 0)
	k.ModTimer(tm, k.Jiffies()+HZ/10)
	h.must(k.Tick(1_000_000_000))
	// Each period is 25 jiffies plus the wheel's one jiffy: 26.
	if n != 9 {
		t.Errorf("fired %d times in one second, want 9", n)
	}
	want := []Pending{{Kind: "timer", Func: "tick_fn", Module: "mod", Detail: "expires in 9 jiffies"}}
	if got := withoutSites(k.PendingFor("mod")); !reflect.DeepEqual(got, want) {
		t.Errorf("PendingFor = %v, want %v", got, want)
	}
}

// TestMsleepRunsDueWork checks that while a task sleeps, due timers and
// pending tasklets run on the idle CPU, before msleep returns.
func TestMsleepRunsDueWork(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var order []string
	tm := NewTimer()
	k.TimerSetup(tm, h.cb("timer_fn", 1, func() error {
		order = append(order, "timer in "+k.Current().Comm)
		return nil
	}), 0)
	tl := DeclareTasklet(h.cb("tasklet_fn", 1, func() error {
		order = append(order, "tasklet in "+k.Current().Comm)
		return nil
	}), false)
	h.must(h.insmod(func() error {
		k.ModTimer(tm, k.Jiffies()+2)
		k.TaskletSchedule(tl)
		h.must(k.Msleep(20))
		order = append(order, "msleep returned in "+k.Current().Comm)
		return nil
	}))
	want := []string{"tasklet in ksoftirqd/0", "timer in swapper/0", "msleep returned in insmod"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

// TestDelTimerSyncFromCallback: waiting for yourself is a soft lockup.
func TestDelTimerSyncFromCallback(t *testing.T) {
	h := newHarness(t)
	k := h.k
	tm := NewTimer()
	k.TimerSetup(tm, h.cb("selfish", 9, func() error {
		_, err := k.DelTimerSync(tm)
		return err
	}), 0)
	k.ModTimer(tm, k.Jiffies()+1)
	err := k.Tick(100_000_000)
	var oops *Oops
	if !errors.As(err, &oops) || oops.Report.Class != "soft-lockup" {
		t.Fatalf("err = %v, want a soft lockup", err)
	}
	h.wantInOrder("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]", "Modules linked in:*",
		"RIP: 0010:lock_timer_base+0x3b/0xa0", "Call Trace:", " <IRQ>", " del_timer_sync+0x5d/0x90",
		" selfish (mod.star:9) [mod]", " call_timer_fn+0x27/0x130")
	if !k.Tainted(TaintSoftLockup) {
		t.Error("not tainted L")
	}
}

// TestTickDeterministic runs the same timers on two kernels.
func TestTickDeterministic(t *testing.T) {
	run := func() []LogRecord {
		h := newHarness(t)
		k := h.k
		tm := NewTimer()
		k.TimerSetup(tm, h.cb("fn", 1, func() error {
			k.Printk(KernSOH + "6timer fired\n")
			k.MightAlloc(GFP_KERNEL)
			return nil
		}), 0)
		k.ModTimer(tm, k.Jiffies()+7)
		h.must(k.Tick(1_000_000_000))
		return k.LogSince(h.seq)
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) || len(a) < 10 {
		t.Errorf("runs differ or are empty: %d vs %d records", len(a), len(b))
	}
}
