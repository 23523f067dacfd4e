package kernelsim

import "sort"

// Jiffies and timers (kernel/time/timer.c, include/linux/jiffies.h).
//
// The kernel's coarse clock is jiffies, a counter the timer interrupt
// advances HZ times a second. It starts at INITIAL_JIFFIES, five minutes
// before the 32-bit wrap, so that code mishandling the wrap fails early;
// on 64-bit it simply keeps counting past 2^32.
//
// A timer_list runs its callback in softirq context (TIMER_SOFTIRQ) once
// jiffies has reached its expiry. Since Linux 4.8 timers live in a wheel of
// 64-slot levels: level 0 has one-jiffy slots for timers due within 63
// jiffies, each further level slots eight times coarser. A timer is filed
// under its expiry rounded *up* to its level's granularity (plus one at
// level 0, "armed at the edge of a tick"), so it never fires early but may
// fire late: a timer 1 jiffy ahead fires after 2, one 100 jiffies ahead
// after up to 8 more. kernelsim computes that bucket expiry exactly.

// HZ mirrors CONFIG_HZ: Debian's kernels use CONFIG_HZ_250.
const HZ = 250

const (
	tickNSec = 1_000_000_000 / HZ // TICK_NSEC: 4 ms
	// InitialJiffies mirrors INITIAL_JIFFIES: (unsigned long)(unsigned int)(-300*HZ).
	InitialJiffies uint64 = 1<<32 - 300*HZ
	// MaxJiffyOffset mirrors MAX_JIFFY_OFFSET: ((LONG_MAX >> 1)-1).
	MaxJiffyOffset uint64 = (1<<63-1)>>1 - 1
)

// Jiffies mirrors jiffies (jiffies_64): INITIAL_JIFFIES plus the ticks
// since boot on the simulated clock.
func (k *Kernel) Jiffies() uint64 { return InitialJiffies + k.now/tickNSec }

// jiffyTime is the simulated time at which jiffies becomes j.
func jiffyTime(j uint64) uint64 { return (j - InitialJiffies) * tickNSec }

// MsecsToJiffies mirrors msecs_to_jiffies() for HZ=250: round up to whole
// 4 ms ticks; a negative value (as an int) means "forever".
func MsecsToJiffies(ms int64) uint64 {
	if ms < 0 {
		return MaxJiffyOffset
	}
	const msPerTick = 1000 / HZ
	return uint64(ms+msPerTick-1) / msPerTick
}

// UsecsToJiffies mirrors usecs_to_jiffies().
func UsecsToJiffies(us int64) uint64 {
	if us < 0 {
		return MaxJiffyOffset
	}
	const usPerTick = 1_000_000 / HZ
	return uint64(us+usPerTick-1) / usPerTick
}

// JiffiesToMsecs mirrors jiffies_to_msecs().
func JiffiesToMsecs(j uint64) uint64 { return j * (1000 / HZ) }

// Timer flags (include/linux/timer.h) kernelsim honours.
const (
	TimerDeferrable uint32 = 0x00080000
	TimerPinned     uint32 = 0x00100000
	TimerIRQSafe    uint32 = 0x00200000
)

// TimerList mirrors struct timer_list: expiry in jiffies, callback, flags,
// and where the wheel filed it.
type TimerList struct {
	cb      Callback
	flags   uint32
	expires uint64
	pending bool   // timer_pending(): on the wheel
	running bool   // its callback is running (the base's running_timer)
	bucket  uint64 // the bucket expiry: it fires once jiffies reaches this
	level   int    // its wheel level
	seq     uint64 // enqueue order: a bucket is a list with new timers at its head
	site    Frame  // where it was last armed (kscript's record, for reports)
}

// timerBase mirrors struct timer_base of CPU 0: the pending timers.
type timerBase struct {
	pending []*TimerList
	seq     uint64
	running bool // __run_timers is running: base->clk is one ahead of jiffies
}

// Expires returns timer->expires.
func (t *TimerList) Expires() uint64 { return t.expires }

// NewTimer returns a zeroed struct timer_list.
func NewTimer() *TimerList { return &TimerList{} }

// TimerSetup mirrors timer_setup(timer, callback, flags). Unlike Linux,
// where re-initialising an armed timer corrupts the wheel, kernelsim takes
// it off the wheel.
func (k *Kernel) TimerSetup(t *TimerList, cb Callback, flags uint32) {
	k.detachTimer(t)
	t.cb, t.flags = cb, flags
}

// TimerPending mirrors timer_pending(timer).
func (k *Kernel) TimerPending(t *TimerList) bool { return t.pending }

// ModTimer mirrors mod_timer(timer, expires): (re)arm the timer; 1 if it
// was pending, 0 if not.
func (k *Kernel) ModTimer(t *TimerList, expires uint64) int {
	if t.pending && t.expires == expires {
		return 1
	}
	was := k.detachTimer(t)
	t.expires = expires
	t.bucket, t.level = calcWheelIndex(expires, k.timerClk())
	k.irq.timers.seq++
	t.seq = k.irq.timers.seq
	t.pending = true
	t.site = k.callSite()
	k.irq.timers.pending = append(k.irq.timers.pending, t)
	return was
}

// AddTimer mirrors add_timer(timer): arm it at timer->expires, set by the
// caller with SetExpires.
func (k *Kernel) AddTimer(t *TimerList) { k.ModTimer(t, t.expires) }

// SetExpires sets timer->expires, for AddTimer.
func (t *TimerList) SetExpires(j uint64) { t.expires = j }

// DelTimer mirrors del_timer(timer): disarm it; 1 if it was pending.
func (k *Kernel) DelTimer(t *TimerList) int { return k.detachTimer(t) }

// DelTimerSync mirrors del_timer_sync(timer): disarm it and wait until its
// callback is not running. On one CPU the callback can only be running if
// this is the callback itself, which would wait for itself forever: Linux
// spins there until the soft-lockup detector fires, and so does kernelsim.
// Unlike Linux, a call from hardirq context is not WARNed about.
func (k *Kernel) DelTimerSync(t *TimerList) (int, error) {
	if t.running {
		return 0, k.softLockup("lock_timer_base+0x3b/0xa0", "__try_to_del_timer_sync+0x2b/0xa0", "del_timer_sync+0x5d/0x90")
	}
	return k.detachTimer(t), nil
}

// detachTimer takes t off the wheel; 1 if it was on it.
func (k *Kernel) detachTimer(t *TimerList) int {
	if !t.pending {
		return 0
	}
	b := &k.irq.timers
	for i, q := range b.pending {
		if q == t {
			b.pending = append(b.pending[:i:i], b.pending[i+1:]...)
			break
		}
	}
	t.pending = false
	return 1
}

// timerClk is base->clk as __mod_timer sees it after forward_timer_base():
// jiffies, or one ahead while the timer softirq runs.
func (k *Kernel) timerClk() uint64 {
	if k.irq.timers.running {
		return k.Jiffies() + 1
	}
	return k.Jiffies()
}

// The timer wheel's geometry for HZ=250 (kernel/time/timer.c).
const (
	lvlClkShift = 3
	lvlBits     = 6
	lvlSize     = 1 << lvlBits
	lvlDepth    = 9
)

// lvlStart mirrors LVL_START(n): the first delta filed at level n.
func lvlStart(n int) uint64 { return (lvlSize - 1) << ((n - 1) * lvlClkShift) }

// calcWheelIndex mirrors calc_wheel_index() and calc_index(): the bucket
// expiry (the jiffy at which the timer fires) and the level.
func calcWheelIndex(expires, clk uint64) (bucket uint64, level int) {
	delta := expires - clk
	if int64(delta) < 0 {
		return clk, 0
	}
	for level = 0; level < lvlDepth-1; level++ {
		if delta < lvlStart(level+1) {
			break
		}
	}
	if level == lvlDepth-1 {
		cutoff := lvlStart(lvlDepth)
		if delta >= cutoff {
			expires = clk + cutoff - 1<<((lvlDepth-1)*lvlClkShift) // WHEEL_TIMEOUT_MAX
		}
	}
	shift := uint(level * lvlClkShift)
	return ((expires >> shift) + 1) << shift, level
}

// timersDue reports whether some timer's bucket expiry has been reached.
func (k *Kernel) timersDue() bool {
	j := k.Jiffies()
	for _, t := range k.irq.timers.pending {
		if t.bucket <= j {
			return true
		}
	}
	return false
}

// nextTimerJiffy returns the earliest bucket expiry on the wheel.
func (k *Kernel) nextTimerJiffy() (uint64, bool) {
	var next uint64
	ok := false
	for _, t := range k.irq.timers.pending {
		if !ok || t.bucket < next {
			next, ok = t.bucket, true
		}
	}
	return next, ok
}

// NextTimerExpiry returns the simulated time (ns since boot) at which the
// earliest armed timer fires: the start of the jiffy its wheel bucket
// expires at. ok is false when no timer is armed.
func (k *Kernel) NextTimerExpiry() (ns uint64, ok bool) {
	next, ok := k.nextTimerJiffy()
	if !ok {
		return 0, false
	}
	return jiffyTime(next), true
}

// dueTimers returns the timers due now in the order __run_timers runs
// them: by bucket expiry; within one tick, the coarser levels first (it
// expires the collected levels from the highest down); within one bucket,
// the most recently armed first (enqueue_timer adds at the list head).
func (k *Kernel) dueTimers() []*TimerList {
	j := k.Jiffies()
	var due []*TimerList
	for _, t := range k.irq.timers.pending {
		if t.bucket <= j {
			due = append(due, t)
		}
	}
	sort.SliceStable(due, func(a, b int) bool {
		x, y := due[a], due[b]
		if x.bucket != y.bucket {
			return x.bucket < y.bucket
		}
		if x.level != y.level {
			return x.level > y.level
		}
		return x.seq > y.seq
	})
	return due
}

// runTimerSoftirq mirrors run_timer_softirq() → __run_timers(): detach
// each due timer and call it (call_timer_fn), in softirq context. A timer
// deleted or re-armed by an earlier callback is skipped.
func (k *Kernel) runTimerSoftirq() error {
	b := &k.irq.timers
	b.running = true
	defer func() { b.running = false }()
	for _, t := range k.dueTimers() {
		if !t.pending || t.bucket > k.Jiffies() {
			continue
		}
		if err := k.callTimerFn(t); err != nil {
			return err
		}
	}
	return nil
}

// callTimerFn mirrors call_timer_fn().
func (k *Kernel) callTimerFn(t *TimerList) error {
	k.detachTimer(t)
	t.running = true
	defer func() { t.running = false }()
	return k.withEntry(timerSoftirqFrames, func() error {
		if t.cb.Fn == nil {
			return k.nullCallOops()
		}
		if gone, err := k.callGone(t.cb.Module, t.cb.Func); gone { // module_gone.go
			return err
		}
		return t.cb.Fn()
	})
}

// timerInterrupt simulates one local APIC timer interrupt on the idle CPU
// (sysvec_apic_timer_interrupt): the tick raises TIMER_SOFTIRQ when timers
// are due (run_local_timers), and irq_exit runs the pending softirqs.
func (k *Kernel) timerInterrupt() error {
	return k.runAs(&k.sched.idle, cpuState{preemptCount: PreemptOffset + HardirqOffset, irqsOff: true, irqStack: true}, func() error {
		k.tick(2_000)
		if k.timersDue() {
			k.raiseSoftirqIrqoff(TimerSoftirq)
		}
		return k.irqExit(timerIRQExitFrames)
	})
}

// Tick is the "tick DURATION" step: simulated time passes by ns
// nanoseconds on an idle CPU. Every timer due meanwhile fires at its tick,
// in order, each timer interrupt followed by the softirqs and work it
// caused; the clock then stands at the end of the interval (or later, if
// the callbacks' own work took longer).
func (k *Kernel) Tick(ns uint64) error {
	return k.idleUntil(k.now + ns)
}

// idleUntil lets the idle CPU run deferred work up to simulated time end.
func (k *Kernel) idleUntil(end uint64) error {
	if k.panicMsg != "" { // a stopped machine runs nothing; only time passes
		k.now = max(k.now, end)
		return nil
	}
	return k.runAs(&k.sched.idle, idleCPU(), func() error {
		if err := k.RunDeferred(); err != nil {
			return err
		}
		for {
			next, ok := k.nextTimerJiffy()
			if scan, on := k.kmemleakNextScan(); on && scan <= end && (!ok || scan < jiffyTime(next)) {
				k.now = max(k.now, scan) // kmemleak.go: the scanning thread wakes
				k.kmemleakScanThread()
				continue
			}
			if !ok || jiffyTime(next) > end {
				break
			}
			if t := jiffyTime(next); t > k.now {
				k.now = t
			}
			if err := k.RunDeferred(); err != nil {
				return err
			}
		}
		if k.now < end {
			k.now = end
		}
		return nil
	})
}

// Msleep mirrors msleep(ms): sleep for at least ms milliseconds, rounded up
// to jiffies, plus one (kernel/time/timer.c: a schedule_timeout on a
// timer). While the task sleeps, the idle CPU runs what falls due. In
// atomic context schedule() reports "scheduling while atomic"; unlike
// Linux, which then really switches away from the atomic context,
// kernelsim just lets the time pass.
func (k *Kernel) Msleep(ms int64) error {
	timeout := MsecsToJiffies(ms) + 1
	wake, _ := calcWheelIndex(k.Jiffies()+timeout, k.timerClk())
	if !k.schedule(msleepFrames...) {
		if t := jiffyTime(wake); t > k.now {
			k.now = t
		}
		return nil
	}
	return k.idleUntil(jiffyTime(wake))
}

// Udelay mirrors udelay(us): a busy wait, allowed in atomic context. The
// clock advances; unlike Linux, timer interrupts that would have arrived
// meanwhile are taken at the next deterministic point.
func (k *Kernel) Udelay(us uint64) { k.now += us * 1000 }

// Mdelay mirrors mdelay(ms): a busy wait of ms milliseconds.
func (k *Kernel) Mdelay(ms uint64) { k.now += ms * 1_000_000 }

// Ndelay mirrors ndelay(ns).
func (k *Kernel) Ndelay(ns uint64) { k.now += ns }

// pendingTimers lists the armed timers in firing order.
func (k *Kernel) pendingTimers() []Pending {
	ts := append([]*TimerList(nil), k.irq.timers.pending...)
	sort.SliceStable(ts, func(a, b int) bool {
		if ts[a].bucket != ts[b].bucket {
			return ts[a].bucket < ts[b].bucket
		}
		return ts[a].seq > ts[b].seq
	})
	j := k.Jiffies()
	var out []Pending
	for _, t := range ts {
		d := "expired, not yet run"
		if t.expires > j {
			d = "expires in " + uitoa(t.expires-j) + " jiffies"
		}
		out = append(out, Pending{Kind: "timer", Func: t.cb.Func, Module: t.cb.Module, Detail: d, Site: t.site})
	}
	return out
}

func uitoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
