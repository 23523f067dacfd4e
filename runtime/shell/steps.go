package shell

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	kruntime "kscript.dev/kscript/runtime"
)

// kscript's own lesson steps — pressure, fragment, tick, irq — reach the
// simulator through small optional interfaces, implemented by the machine or
// by its kernel (kernelsim.Kernel): the step calls whichever has the method.
// The memory helper provides Pressure/ReleasePressure/Fragment, the context
// helper Tick/RaiseIRQ (timers and interrupt handlers call back into
// scripts, so the machine may implement those to run the callbacks).
type (
	// Presser fills memory until each zone's free pages are pct% of the
	// way down to the min watermark (101..200 dig into the reserves),
	// and describes what it took in one line (kernelsim/pressure.go).
	Presser interface{ Pressure(pct int) string }
	// PressureReleaser gives back what Pressure and Fragment took.
	PressureReleaser interface{ ReleasePressure() string }
	// Fragmenter leaves memory free but fragmented: few high-order blocks.
	Fragmenter interface{ Fragment() string }
	// Ticker advances the simulated clock by d, running the timers and
	// work that come due on the way (kruntime.Machine.Tick).
	Ticker interface{ Tick(d time.Duration) error }
	// IRQRaiser raises hardware interrupt irq: its handlers run in hardirq
	// context, then pending softirqs.
	IRQRaiser interface{ RaiseIRQ(irq int) error }
)

// provider returns the machine or its kernel, whichever implements T.
func provider[T any](sh *Shell) (T, bool) {
	if p, ok := sh.m.(T); ok {
		return p, true
	}
	p, ok := any(sh.m.Kernel()).(T)
	return p, ok
}

// stepResult reports a step's error: script errors, the step budget and
// kscript's own faults (the wall-time backstop) stop the scenario;
// anything else is the step's own failure.
func stepResult(inv *Invocation, err error) int {
	if err == nil {
		return 0
	}
	var se *kruntime.ScriptError
	var le *kruntime.LimitError
	var ie *kruntime.InternalError
	if errors.As(err, &se) || errors.As(err, &le) || errors.As(err, &ie) {
		return inv.Fatal(err)
	}
	if inv.sh.panicked() != "" {
		inv.sh.NotePanic(inv.Stderr) // the kernel panicked in a timer or an interrupt
		return 0
	}
	return inv.Errorf("%s", errText(err))
}

func notSimulated(inv *Invocation, what string) int {
	return inv.Errorf("%s is not simulated by this kernel yet", what)
}

// cmdPressure: `pressure PCT` fills memory (DESIGN §6): PCT% of the way from
// the free count down to the min watermark, up to 200 (no reserve left);
// `pressure 0` (or off) gives it back.
func cmdPressure(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 1 {
		return inv.Errorf("usage: pressure PERCENT (1 to 200; 0 or off releases it)")
	}
	arg := strings.TrimSuffix(inv.Args[0], "%")
	if arg == "off" || arg == "0" {
		r, ok := provider[PressureReleaser](sh)
		if !ok {
			return notSimulated(inv, "memory pressure")
		}
		fmt.Fprintln(inv.Stdout, r.ReleasePressure())
		return 0
	}
	pct, err := strconv.Atoi(arg)
	if err != nil || pct < 0 || pct > 200 {
		return inv.Errorf("invalid percentage '%s': want 0 to 200", inv.Args[0])
	}
	p, ok := provider[Presser](sh)
	if !ok {
		return notSimulated(inv, "memory pressure")
	}
	fmt.Fprintln(inv.Stdout, p.Pressure(pct))
	return 0
}

// cmdFragment: `fragment` leaves free memory fragmented.
func cmdFragment(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 0 {
		return inv.Errorf("usage: fragment")
	}
	f, ok := provider[Fragmenter](sh)
	if !ok {
		return notSimulated(inv, "memory fragmentation")
	}
	fmt.Fprintln(inv.Stdout, f.Fragment())
	return 0
}

// jiffy is one tick of Debian's kernel (CONFIG_HZ=250).
const jiffy = 4 * time.Millisecond

// cmdTick: `tick DURATION` advances simulated time ("100ms", "2s", "25j" in
// jiffies), running timers and work that come due.
func cmdTick(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 1 {
		return inv.Errorf("usage: tick DURATION (e.g. 100ms, 2s, 25j)")
	}
	d, err := parseTick(inv.Args[0])
	if err != nil {
		return inv.Errorf("invalid duration '%s': want e.g. 100ms, 2s or 25j", inv.Args[0])
	}
	return advance(sh, inv, d)
}

// cmdSleep mirrors coreutils sleep NUMBER[smhd], in simulated time: the
// machine's clock moves, the real one does not.
func cmdSleep(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 1 {
		return inv.Errorf("missing operand")
	}
	a := inv.Args[0]
	unit := time.Second
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}} {
		if rest, ok := strings.CutSuffix(a, u.suffix); ok {
			a, unit = rest, u.d
			break
		}
	}
	f, err := strconv.ParseFloat(a, 64)
	if err != nil || f < 0 || f > 86400 {
		return inv.Errorf("invalid time interval '%s'", inv.Args[0])
	}
	return advance(sh, inv, time.Duration(f*float64(unit)))
}

func parseTick(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "j"); ok {
		j, err := strconv.ParseUint(n, 10, 32)
		return time.Duration(j) * jiffy, err
	}
	d, err := time.ParseDuration(s)
	if err == nil && (d < 0 || d > 24*time.Hour) {
		err = errors.New("out of range")
	}
	return d, err
}

// advance moves simulated time; without a Ticker only the clock moves.
func advance(sh *Shell, inv *Invocation, d time.Duration) int {
	if t, ok := provider[Ticker](sh); ok {
		return stepResult(inv, t.Tick(d))
	}
	sh.m.Kernel().Advance(uint64(d))
	return 0
}

// cmdIRQ: `irq N` raises interrupt N.
func cmdIRQ(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 1 {
		return inv.Errorf("usage: irq NUMBER")
	}
	n, err := strconv.Atoi(inv.Args[0])
	if err != nil || n < 0 || n > 255 {
		return inv.Errorf("invalid interrupt number '%s': want 0 to 255", inv.Args[0])
	}
	r, ok := provider[IRQRaiser](sh)
	if !ok {
		return notSimulated(inv, "raising interrupts")
	}
	return stepResult(inv, r.RaiseIRQ(n))
}
