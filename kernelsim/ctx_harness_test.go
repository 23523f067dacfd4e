package kernelsim

import (
	"strings"
	"testing"
)

// ctxHarness runs "script" functions on a fresh kernel the way the runtime
// will: each callback pushes its own frame, and Kernel.Stack returns the
// innermost invocation's frames only.
type ctxHarness struct {
	t     *testing.T
	k     *Kernel
	stack [][]Frame
	seq   uint64 // log position at the start of the case
}

var insmodEntry = []string{
	"do_one_initcall+0x41/0x200",
	"do_init_module+0x4c/0x240",
	"__do_sys_finit_module+0xac/0x120",
	"do_syscall_64+0x5b/0xc0",
	"entry_SYSCALL_64_after_hwframe+0x64/0xce",
}

func newHarness(t *testing.T) *ctxHarness {
	t.Helper()
	return newHarnessCfg(t, Config{Seed: 42})
}

// newHarnessCfg is newHarness on a machine booted with cfg.
func newHarnessCfg(t *testing.T, cfg Config) *ctxHarness {
	t.Helper()
	k, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &ctxHarness{t: t, k: k}
	k.Stack = func() []Frame {
		if len(h.stack) == 0 {
			return nil
		}
		return h.stack[len(h.stack)-1]
	}
	h.seq = k.NextSeq()
	return h
}

// script wraps fn as the script function name at line of mod.star.
func (h *ctxHarness) script(name string, line int, fn func() error) func() error {
	return func() error {
		h.stack = append(h.stack, []Frame{{Func: name, File: "mod.star", Line: line, Module: "mod"}})
		defer func() { h.stack = h.stack[:len(h.stack)-1] }()
		return fn()
	}
}

func (h *ctxHarness) cb(name string, line int, fn func() error) Callback {
	return Callback{Func: name, Module: "mod", Fn: h.script(name, line, fn)}
}

// insmod runs fn as the module's init in a fresh insmod task.
func (h *ctxHarness) insmod(fn func() error) error {
	return h.k.RunTask(h.k.NewTask("insmod", 0), insmodEntry, h.script("mod_init", 10, fn))
}

// must fails the test on err.
func (h *ctxHarness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("unexpected error: %v", err)
	}
}

// log returns the text of the records printed since the case started.
func (h *ctxHarness) log() []string {
	var out []string
	for _, r := range h.k.LogSince(h.seq) {
		out = append(out, r.Text)
	}
	return out
}

// wantInOrder checks that each want line appears in the log, in order;
// a want ending in "*" matches a line that starts with the rest.
func (h *ctxHarness) wantInOrder(want ...string) {
	h.t.Helper()
	got := h.log()
	i := 0
	for _, l := range got {
		if i < len(want) && lineMatches(l, want[i]) {
			i++
		}
	}
	if i < len(want) {
		h.t.Errorf("log lacks %q (in order); log:\n%s", want[i], strings.Join(got, "\n"))
	}
}

// wantNoLine checks that no log line contains sub.
func (h *ctxHarness) wantNoLine(sub string) {
	h.t.Helper()
	for _, l := range h.log() {
		if strings.Contains(l, sub) {
			h.t.Errorf("log has %q, want none; log:\n%s", l, strings.Join(h.log(), "\n"))
			return
		}
	}
}

// countLines counts the log lines containing sub.
func (h *ctxHarness) countLines(sub string) int {
	n := 0
	for _, l := range h.log() {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// classes lists the report classes made since boot.
func (h *ctxHarness) classes() []string {
	var out []string
	for _, r := range h.k.Reports() {
		out = append(out, r.Class)
	}
	return out
}

// The ways to run a body in each execution context, as a module would.
type ctxRunner struct {
	name string
	run  func(h *ctxHarness, body func() error) error
}

var ctxRunners = []ctxRunner{
	{"process", func(h *ctxHarness, body func() error) error { return h.insmod(body) }},
	{"tasklet", func(h *ctxHarness, body func() error) error {
		t := DeclareTasklet(h.cb("my_tasklet_func", 20, body), false)
		h.must(h.insmod(func() error { h.k.TaskletSchedule(t); return nil }))
		return h.k.RunDeferred()
	}},
	{"hi-tasklet", func(h *ctxHarness, body func() error) error {
		t := NewTasklet()
		h.k.TaskletSetup(t, h.cb("my_tasklet_func", 20, body))
		h.must(h.insmod(func() error { h.k.TaskletHiSchedule(t); return nil }))
		return h.k.RunDeferred()
	}},
	{"timer", func(h *ctxHarness, body func() error) error {
		tm := NewTimer()
		h.k.TimerSetup(tm, h.cb("my_timer_fn", 30, body), 0)
		h.must(h.insmod(func() error { h.k.ModTimer(tm, h.k.Jiffies()+10); return nil }))
		return h.k.Tick(100_000_000)
	}},
	{"hardirq", func(h *ctxHarness, body func() error) error {
		fn := h.script("my_irq_handler", 40, body)
		irq := IRQHandler{Func: "my_irq_handler", Module: "mod", Fn: func() (IRQReturn, error) { return IRQHandled, fn() }}
		h.must(h.insmod(func() error {
			if r := h.k.RequestIRQ(5, irq, 0, "mydev", 0xffff888004000000); r != 0 {
				h.t.Fatalf("request_irq = %d", r)
			}
			return nil
		}))
		return h.k.RaiseIRQ(5)
	}},
	{"work", func(h *ctxHarness, body func() error) error {
		w := NewWork()
		h.k.InitWork(w, h.cb("my_work_fn", 50, body))
		h.must(h.insmod(func() error { h.k.ScheduleWork(w); return nil }))
		return h.k.RunDeferred()
	}},
	{"spinlock", func(h *ctxHarness, body func() error) error {
		var l Spinlock
		return h.insmod(func() error {
			h.must(h.k.SpinLock(&l))
			defer h.k.SpinUnlock(&l)
			return body()
		})
	}},
	{"irqsave", func(h *ctxHarness, body func() error) error {
		var l Spinlock
		return h.insmod(func() error {
			flags, err := h.k.SpinLockIrqsave(&l)
			h.must(err)
			defer h.k.SpinUnlockIrqrestore(&l, flags)
			return body()
		})
	}},
	{"bh-disabled", func(h *ctxHarness, body func() error) error {
		return h.insmod(func() error {
			h.k.LocalBhDisable()
			err := body()
			h.must(h.k.LocalBhEnable())
			return err
		})
	}},
	{"rcu", func(h *ctxHarness, body func() error) error {
		return h.insmod(func() error {
			h.k.RCUReadLock()
			defer h.k.RCUReadUnlock()
			return body()
		})
	}},
}

func runnerNamed(t *testing.T, name string) ctxRunner {
	for _, r := range ctxRunners {
		if r.name == name {
			return r
		}
	}
	t.Fatalf("no runner %q", name)
	return ctxRunner{}
}

func lineMatches(line, want string) bool {
	if p, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(line, p)
	}
	return line == want
}
