package kernelsim

import (
	"errors"
	"fmt"
)

// Workqueues (kernel/workqueue.c, include/linux/workqueue.h).
//
// Work that may sleep cannot be done in a tasklet or a timer. A driver
// puts it in a work_struct instead and queues it (schedule_work: on the
// system workqueue, "events"); a kernel thread of the worker pool, a
// kworker, picks it up and runs it in *process context*: it may sleep,
// take mutexes, allocate with GFP_KERNEL. A work item is queued at most
// once: WORK_STRUCT_PENDING is set while it waits, cleared just before it
// runs, so it may queue itself again. flush_work() waits until it has run;
// cancel_work_sync() takes it off the queue, or waits if it is running.
//
// Unlike Linux, whose pool wakes more workers when one sleeps, kernelsim
// runs all work in one worker, kworker/0:1, FIFO.
//
// A work function that Oopses kills its kworker, not whoever happened to
// be running when the work was picked up: oops_end → make_task_dead →
// do_exit ends the worker thread in the middle of process_one_work. The
// worker never returns from the function, so it stays the work item's
// executing worker (busy_hash, current_work) for good: flush_work and
// cancel_work_sync insert their barrier behind it and wait forever. And
// do_exit ends in do_task_dead, which calls __schedule, not schedule, so
// the workqueue is never told that its worker stopped running
// (wq_worker_sleeping is not called): the pool's nr_running stays raised
// and no idle worker is woken for work queued after it. The CPU's pool is
// stuck; kernelsim runs no more work on it. A work function that blocks
// forever (a hung task) leaves its work item unfinished too, but a worker
// that sleeps is one the pool knows about: another worker takes the
// remaining work (kworker/0:2 in kernelsim).

// Work mirrors struct work_struct: the pending bit and the function.
type Work struct {
	cb      Callback
	pending bool  // WORK_STRUCT_PENDING
	running bool  // a worker is executing it (current_work)
	site    Frame // where it was last queued (kscript's record, for reports)
	// lost is true when the worker executing it died (an Oops) or blocks
	// for good (a hung task): running stays true, nothing completes it.
	lost bool
}

// workqueue mirrors the system workqueue's worker pool on CPU 0.
type workqueue struct {
	queue []*Work // the pool's worklist
	// stuck names the work item whose worker died in it: the pool's
	// nr_running stays raised and no queued work runs any more.
	stuck *Work
	// workers counts the kworkers the pool has had, for the next one's
	// name (kworker/0:N) after a worker blocked for good.
	workers int
}

// NewWork returns a zeroed struct work_struct.
func NewWork() *Work { return &Work{} }

// InitWork mirrors INIT_WORK(work, func). Unlike Linux, where
// re-initialising queued work corrupts the worklist, kernelsim takes it
// off the queue.
func (k *Kernel) InitWork(w *Work, cb Callback) {
	k.dequeueWork(w)
	w.cb = cb
}

// Pending mirrors work_pending(work).
func (w *Work) Pending() bool { return w.pending }

// ScheduleWork mirrors schedule_work(work) (queue_work on system_wq):
// false if it was already pending. Safe in any context.
func (k *Kernel) ScheduleWork(w *Work) bool {
	if w.pending {
		return false
	}
	w.pending = true
	w.site = k.callSite()
	k.irq.wq.queue = append(k.irq.wq.queue, w)
	return true
}

// workPending reports whether work is queued and not already running, on a
// pool that still runs work.
func (k *Kernel) workPending() bool {
	if k.irq.wq.stuck != nil {
		return false
	}
	for _, w := range k.irq.wq.queue {
		if !w.running {
			return true
		}
	}
	return false
}

// RunPendingWork runs the queued work items in kworker/0:1, FIFO, in
// process context (worker_thread → process_one_work). Work queued while it
// runs runs too, up to a bound; an item already running (its function is
// asleep further up) is left for later, as Linux never runs a work item
// twice at once. A pool whose worker died runs nothing.
func (k *Kernel) RunPendingWork() error {
	for range maxDeferredPasses {
		if k.irq.wq.stuck != nil {
			return nil
		}
		w := k.nextWork()
		if w == nil {
			return nil
		}
		if err := k.processOneWork(w); err != nil {
			return err
		}
	}
	return nil
}

// nextWork takes the first runnable item off the worklist.
func (k *Kernel) nextWork() *Work {
	for _, w := range k.irq.wq.queue {
		if !w.running {
			k.dequeueWork(w)
			return w
		}
	}
	return nil
}

// processOneWork mirrors process_one_work(): clear PENDING, then call the
// function in the kworker's process context. A fatal report in the
// function (an Oops, a hung task) is the kworker's end, not its caller's:
// it returns nil and the work item stays running for good (lostWork).
// Script errors and sandbox limits are returned.
func (k *Kernel) processOneWork(w *Work) error {
	t := &k.sched.kworker
	t.entry = kworkerFrames
	w.pending = false
	w.running = true
	k.tick(10_000) // waking the worker
	err := k.runAs(t, cpuState{work: w}, func() error {
		if w.cb.Fn == nil {
			return k.nullCallOops()
		}
		if gone, err := k.callGone(w.cb.Module, w.cb.Func); gone { // module_gone.go
			return err
		}
		if err := w.cb.Fn(); err != nil {
			var oops *Oops
			if errors.As(err, &oops) && oops.Report.Class != "hung-task" && k.PreemptCount() != 0 {
				// make_task_dead: the dying worker's count is reset.
				k.printk(LogInfo, "note: %s[%d] exited with preempt_count %d\n", t.Comm, t.PID, k.PreemptCount())
			}
			return err
		}
		k.checkWorkLeak(w)
		return nil
	})
	var oops *Oops
	if errors.As(err, &oops) {
		k.lostWork(t, w, oops)
		return nil
	}
	w.running = false
	return err
}

// lostWork records the end of the worker t that was executing w: a hung
// task blocks in D state for good, and the pool goes on with a new worker;
// any other fatal report killed it (make_task_dead), and the pool is stuck
// behind it (see the top of this file).
func (k *Kernel) lostWork(t *Task, w *Work, oops *Oops) {
	w.lost = true
	if oops.Report.Class == "hung-task" {
		k.irq.wq.workers++
		*t = Task{PID: k.sched.nextPID, Comm: fmt.Sprintf("kworker/0:%d", k.irq.wq.workers+1), kthread: true, PPID: 2}
		k.sched.nextPID += 1 + k.rng.IntN(3)
		return
	}
	k.irq.wq.stuck = w
}

// StuckWork describes the work item whose worker died in it and left the
// CPU's worker pool stuck ("later [mod]"), "" while the pool runs work:
// kscript's record, for its own notes.
func (k *Kernel) StuckWork() string {
	if w := k.irq.wq.stuck; w != nil {
		return w.cb.symbol()
	}
	return ""
}

// checkWorkLeak mirrors process_one_work's check that a work function
// returned in the state it was called in: not atomic (no spinlock still
// held, bottom halves enabled). Unlike Linux, which leaves the worker
// atomic (and later reports scheduling while atomic), kernelsim resets it.
func (k *Kernel) checkWorkLeak(w *Work) {
	if !k.InAtomic() {
		return
	}
	t := k.Current()
	title := fmt.Sprintf("BUG: workqueue leaked lock or atomic: %s/0x%08x/%d", t.Comm, k.PreemptCount(), t.PID)
	k.logLines(LogErr, title, "     last function: "+w.cb.symbol())
	t.entry = kworkerFrames[1:] // the .cold part replaces process_one_work
	k.dumpStack(LogWarning, "process_one_work.cold+0x3c/0x3c")
	t.entry = kworkerFrames
	k.report("lock-leak", title, false)
	k.sched.cpu.preemptCount = 0
	k.sched.cpu.irqsOff = false
}

// dequeueWork takes w off the worklist and clears its PENDING bit.
func (k *Kernel) dequeueWork(w *Work) bool {
	q := k.irq.wq.queue
	for i, x := range q {
		if x == w {
			k.irq.wq.queue = append(q[:i:i], q[i+1:]...)
			w.pending = false
			return true
		}
	}
	return false
}

// FlushWork mirrors flush_work(work): wait until the work has finished
// executing its last queued instance; true if it had to wait. Waiting
// (wait_for_completion) may sleep, so a flush that must wait checks
// might_sleep; kernelsim then runs the work at once in the kworker (unlike
// Linux, ahead of work queued before it). A flush that nothing will ever
// complete waits forever, and the hung-task detector reports the flusher:
// work flushed from its own function, work whose worker died in it or
// blocks for good (an Oops or a hang in the work function, now or
// before), work queued on a pool stuck behind a dead worker.
func (k *Kernel) FlushWork(w *Work) (bool, error) {
	if !w.pending && !w.running {
		return false, nil
	}
	k.MightSleep(SiteWaitForCompletion, "wait_for_completion+0x22/0x30", "__flush_work.isra.0+0x1a1/0x260")
	if !w.running && k.irq.wq.stuck == nil {
		k.dequeueWork(w)
		if err := k.processOneWork(w); err != nil || !w.lost {
			return true, err
		}
	}
	return true, k.hungTask(append(append([]string(nil), blockedFrames...),
		"schedule_timeout+0x11d/0x160", "__wait_for_common+0x93/0x1d0", "__flush_work.isra.0+0x1a1/0x260"))
}

// CancelWorkSync mirrors cancel_work_sync(work): take it off the queue if
// pending, wait for it if running; true if it was pending.
func (k *Kernel) CancelWorkSync(w *Work) (bool, error) {
	was := k.dequeueWork(w)
	if w.running {
		_, err := k.FlushWork(w)
		return was, err
	}
	return was, nil
}

// pendingWork lists the queued work items in queue order.
func (k *Kernel) pendingWork() []Pending {
	var out []Pending
	for _, w := range k.irq.wq.queue {
		out = append(out, Pending{Kind: "work", Func: w.cb.Func, Module: w.cb.Module, Detail: "queued on events", Site: w.site})
	}
	return out
}
