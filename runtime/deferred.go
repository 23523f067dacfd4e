package runtime

import (
	"errors"
	"time"

	"kscript.dev/kscript/kernelsim"
)

// The points where deferred work runs (kernelsim/deferred.go): after each
// system call and shell step, and when simulated time passes. The shell
// and the scenario runner call these between steps.

// RunDeferred runs the deferred work that is due, as the kernel does on an
// idle CPU after a system call returns: expired timers, pending softirqs
// (tasklets) in ksoftirqd/0, queued work in kworker/0:1. The shell calls it
// after every step. A callback that Oopses returns *KilledError; a script
// error or a sandbox limit in a callback its own error.
func (m *Machine) RunDeferred() (err error) {
	defer m.guard(&err)
	return killed(m.k.RunDeferred())
}

// Tick mirrors the tick DURATION step: simulated time passes jiffy by
// jiffy, firing the timers that come due and the work they schedule.
func (m *Machine) Tick(d time.Duration) (err error) {
	defer m.guard(&err)
	if d < 0 {
		d = 0
	}
	return killed(m.k.Tick(uint64(d)))
}

// RaiseIRQ mirrors the irq N step: interrupt line irq fires; its handlers
// run in hardirq context, then the softirqs they raised.
func (m *Machine) RaiseIRQ(irq int) (err error) {
	defer m.guard(&err)
	return killed(m.k.RaiseIRQ(irq))
}

// killed converts an Oops that reached the top into *KilledError.
func killed(err error) error {
	var oops *kernelsim.Oops
	if errors.As(err, &oops) && !errors.As(err, new(*KilledError)) {
		return &KilledError{Oops: oops}
	}
	return err
}
