package runtime

import (
	"errors"
	"fmt"
	"kscript.dev/kscript/runtime/lazyre"
	"sync/atomic"
	"time"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// enter runs fn as script code of kind w for module instance inst (nil for
// a user program). From Go it starts a fresh thread with the sandbox limits
// (Options.MaxSteps, Options.Timeout) and converts what comes back into
// kscript's errors; called while a script runs (a constructor or a tasklet
// run by a builtin) it reuses the running thread and its budget, and
// returns errors unconverted so that they unwind the outer script.
func (m *Machine) enter(inst *instance, w where, fn func(*starlark.Thread) error) error {
	e := m.env
	prevWhere, prevMod, prevDepth := e.where, e.mod, e.userDepth
	e.where, e.mod = w, inst
	e.stackGen++
	defer func() { e.where, e.mod, e.userDepth = prevWhere, prevMod, prevDepth; e.stackGen++ }()
	if e.thread != nil {
		if prevWhere == whereUser && w != whereUser {
			e.userDepth = e.thread.CallStackDepth()
		}
		return fn(e.thread)
	}
	t, stop := m.newThread()
	e.thread = t
	defer func() { e.thread = nil }()
	err := fn(t)
	return m.scriptError(err, stop())
}

// callScript calls a script function from Go (an init function, a
// callback) as code of kind w.
func (m *Machine) callScript(inst *instance, w where, fn starlark.Callable, args ...starlark.Value) (starlark.Value, error) {
	var v starlark.Value
	err := m.enter(inst, w, func(t *starlark.Thread) error {
		var err error
		v, err = starlark.Call(t, fn, args, nil)
		return err
	})
	return v, err
}

// Budget is the Starlark steps a submission may spend in all: its module's
// top level, init and exit, every callback the kernel runs (tasklets that
// reschedule themselves, timers, work, interrupt handlers, read() and
// write()), and every user program. Builtins that touch memory or build
// values charge steps for their bulk work (Machine.charge). Shared by the
// machines a grader runs one submission on; not safe for concurrent use.
type Budget struct {
	max, used uint64
}

// NewBudget returns a budget of steps (DefaultMaxSteps if 0).
func NewBudget(steps uint64) *Budget {
	if steps == 0 {
		steps = DefaultMaxSteps
	}
	return &Budget{max: steps}
}

// Max returns the steps the budget allows in all.
func (b *Budget) Max() uint64 { return b.max }

// Used returns the steps spent so far.
func (b *Budget) Used() uint64 { return b.used }

// Refill makes every step available again (an interactive shell gives each
// command the whole budget).
func (b *Budget) Refill() { b.used = 0 }

// Exhausted reports whether every step has been spent.
func (b *Budget) Exhausted() bool { return b.used >= b.max }

// left returns the steps not yet spent.
func (b *Budget) left() uint64 { return b.max - b.used }

// spend records the steps of a thread that has finished.
func (b *Budget) spend(steps uint64) { b.used = min(b.max, b.used+steps) }

// bytesPerStep is the bulk work (kernelsim.Kernel.Work: bytes of memory
// touched, 256 per page frame allocated) that costs one step: a memset of
// 32 MiB costs 131,072 steps, about what a Starlark loop as slow costs.
const bytesPerStep = 256

// errBudget is what a builtin returns when its charge exhausts the budget;
// scriptError reports the thread's limit instead.
var errBudget = errors.New("step budget exhausted")

// newThread makes the thread of one call into a script from Go, allowed
// the steps the budget has left, with the wall-time backstop; stop
// spends the thread's steps and says which limit, if any, stopped the
// thread.
//
// The backstop is checked by the thread itself, every clockSteps steps
// (OnMaxSteps, which Starlark calls when Steps reaches the thread's
// maximum, moves the maximum on by clockSteps until the budget's own
// limit), not by a timer: a time.AfterFunc per call into a script started
// Go's network poller, which timers sleep in, and woke an idle thread of
// the scheduler on the other CPU at every call to take the new timer,
// in a run that is otherwise one thread. A timer's Cancel took effect
// only at the thread's next step too (Starlark checks it between steps,
// and a builtin is never interrupted), so a script is stopped where it
// was, at most clockSteps steps later; bulk work a builtin charges
// (charge) moves Steps on, and the clock is read at the next step.
func (m *Machine) newThread() (*starlark.Thread, func() string) {
	t := &starlark.Thread{Name: "kscript", Print: m.print}
	t.SetLocal(threadKey, m.env)
	var hit atomic.Value // "steps", "timeout" or "interrupt"
	// The thread may run left steps; at step left+1 it stops (a budget
	// already spent stops it at its first step).
	limit := m.budget.left() + 1
	deadline := time.Now().Add(m.timeout())
	t.SetMaxExecutionSteps(min(limit, clockSteps))
	t.OnMaxSteps = func(t *starlark.Thread) {
		switch {
		case t.Steps >= limit:
			hit.CompareAndSwap(nil, "steps")
			t.Cancel("step budget exhausted")
		case !time.Now().Before(deadline):
			hit.CompareAndSwap(nil, "timeout")
			t.Cancel("wall-time backstop reached")
		default:
			t.SetMaxExecutionSteps(min(limit, t.Steps+clockSteps))
		}
	}
	m.env.workMark = m.k.Work()
	m.running.Store(&runningThread{t: t, hit: &hit})
	return t, func() string {
		m.running.Store(nil)
		m.budget.spend(t.Steps)
		s, _ := hit.Load().(string)
		return s
	}
}

// clockSteps is how many steps a thread runs between two readings of the
// clock for the wall-time backstop (newThread): some milliseconds of
// Starlark at most, a reading costing some tens of nanoseconds.
const clockSteps = 1 << 14

// runningThread is the thread of the call into a script now running, for
// Interrupt, which another goroutine calls.
type runningThread struct {
	t   *starlark.Thread
	hit *atomic.Value
}

// Interrupt stops the call into a script that is running now, as Ctrl-C
// stops a program on a terminal: the call ends with a *LimitError whose
// Limit is "interrupt". It does nothing when no script runs. Unlike the
// machine's other methods it may be called from another goroutine (a
// SIGINT handler).
//
// Unlike Linux, where a signal reaches a task only when it returns to user
// space or sleeps interruptibly, the simulated machine stops module code
// too (an init function stuck in a loop), so that Ctrl-C always gives the
// shell back.
func (m *Machine) Interrupt() {
	r := m.running.Load()
	if r == nil {
		return
	}
	r.hit.CompareAndSwap(nil, "interrupt")
	r.t.Cancel("interrupted")
}

// chargeWork charges the running thread for the bulk work done since the
// last charge (kernelsim.Kernel.Work), bytesPerStep a step. It returns
// errBudget when that exhausts the budget: the builtin that did the work
// fails, and the thread stops as if it had run out of steps.
func (e *env) chargeWork(t *starlark.Thread) error {
	n := (e.k.Work() - e.workMark) / bytesPerStep
	if n == 0 {
		return nil
	}
	e.workMark += n * bytesPerStep
	return e.charge(t, n)
}

// charge adds n steps of a builtin's own work to thread t (a value it
// built, bytes it copied).
func (e *env) charge(t *starlark.Thread, n uint64) error {
	t.Steps += n
	if t.Steps <= e.m.budget.left() {
		return nil
	}
	t.OnMaxSteps(t)
	return errBudget
}

func (m *Machine) timeout() time.Duration {
	if m.opts.Timeout == 0 {
		return DefaultTimeout
	}
	return m.opts.Timeout
}

// print implements Starlark's print(): kernel code has no stdout, so it
// logs like a printk without a level; the probe run prints nothing; user
// programs write to their stdout.
func (m *Machine) print(t *starlark.Thread, msg string) {
	switch e := m.env; e.where {
	case whereProbe:
	case whereUser:
		e.userPrint(msg + "\n")
	default:
		m.k.Printk(msg + "\n")
	}
}

// scriptError converts what a call into a script returned: an Oops to
// *KilledError, a sandbox limit to *LimitError, any other Starlark error to
// *ScriptError with its position.
func (m *Machine) scriptError(err error, limit string) error {
	e := m.env
	pending := e.pending
	e.pending = nil
	if err == nil {
		return nil
	}
	var pk *kernelsim.ProcessKilled
	var exit *exitRequest
	if limit == "" && (errors.As(err, &pk) || errors.As(err, &exit)) {
		return err // a user program's end: Exec handles it
	}
	var oops *kernelsim.Oops
	if pending != nil && limit == "" && errors.As(pending, &oops) {
		return &KilledError{Oops: oops}
	}
	if errors.As(err, &oops) {
		return &KilledError{Oops: oops}
	}
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return compileError(err)
	}
	pos := innermostPos(ee.CallStack)
	if callEntryError.MatchString(ee.Msg) {
		pos = callerPos(ee.CallStack, pos)
	}
	switch {
	case limit == "steps":
		pos = m.loopPos(ee.CallStack, pos)
		return &LimitError{Pos: pos, Limit: limit, Steps: m.budget.Max(), Msg: m.budgetMessage()}
	case limit == "timeout":
		// Steps, not wall time, decide runaway scripts: a call that
		// outlives the backstop within its budget is kscript's fault (too
		// slow a builtin, an overloaded host), never the script's grade.
		return &InternalError{Panic: fmt.Sprintf("%s: wall-time backstop: the call ran longer than %v within its step budget", pos, m.timeout())}
	case limit == "interrupt":
		return &LimitError{Pos: pos, Limit: limit, Msg: "interrupted (Ctrl-C)"}
	case pending != nil:
		return &ScriptError{Pos: pos, Msg: capMessage(pending.Error()), Backtrace: ee.Backtrace()}
	}
	return &ScriptError{Pos: pos, Msg: capMessage(ee.Msg), Backtrace: ee.Backtrace()}
}

// innermostPos is the position of the innermost script frame of a stack.
func innermostPos(stack starlark.CallStack) string {
	for i := len(stack) - 1; i >= 0; i-- {
		if p := stack[i].Pos; p.Filename() != "<builtin>" {
			return p.String()
		}
	}
	return ""
}

// callEntryError matches the errors of entering a function, which
// Starlark reports in the called function, at its def line: binding a
// call's arguments to the function's parameters, and kscript's bound on
// nested calls (guardEnterFn).
var callEntryError = lazyre.New(`^(function \w+ (missing \d+ argument|accepts |got an unexpected keyword argument|got multiple values for parameter)|recursion too deep)`)

// callerPos is where the innermost script function was called from, when
// a script frame called it; else pos. An error entering a function is the
// caller's mistake: f(1) for def f(a, b) is reported at f(1), not at the
// def (a callback the kernel calls with the wrong parameters keeps its def
// line, the line to fix).
func callerPos(stack starlark.CallStack, pos string) string {
	i := len(stack) - 1
	for i >= 0 && stack[i].Pos.Filename() == "<builtin>" {
		i--
	}
	if i >= 1 && stack[i-1].Pos.Filename() != "<builtin>" {
		return stack[i-1].Pos.String()
	}
	return pos
}

// compileError converts a syntax or resolver error into a *ScriptError.
func compileError(err error) error {
	var se syntax.Error
	if errors.As(err, &se) {
		return &ScriptError{Pos: se.Pos.String(), Msg: se.Msg}
	}
	var el resolve.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		return &ScriptError{Pos: el[0].Pos.String(), Msg: el[0].Msg}
	}
	return &ScriptError{Msg: err.Error()}
}

// budgetMessage says that the budget ran out, in the machine's language.
func (m *Machine) budgetMessage() string {
	if m.opts.Lang == "th" {
		return fmt.Sprintf("ใช้ step หมดงบแล้ว: งานที่ส่งใช้ Starlark step ครบ %d step ที่อนุญาตต่อหนึ่งงาน รวมทุกฟังก์ชัน callback, read()/write() และโปรแกรมฝั่งผู้ใช้ (วนลูปไม่รู้จบ? tasklet ที่ตั้งเวลาตัวเองซ้ำไม่หยุด?)", m.budget.Max())
	}
	return fmt.Sprintf("step budget exhausted: the submission used all %d Starlark steps it may take across its code, callbacks, read()/write() and user programs (an endless loop? a tasklet that reschedules itself forever?)", m.budget.Max())
}

// loopPos refines where a script was stopped by the step limit. A loop
// whose body does nothing that carries a position (while True: pass) runs
// on instructions that Starlark maps to its function's def line; reported
// there, the student looks at the wrong line. When pos is the def line of
// the innermost function, loopPos returns the position of the first while
// loop in that function (the loop the budget ran out in), else pos.
func (m *Machine) loopPos(stack starlark.CallStack, pos string) string {
	var fr *starlark.CallFrame
	for i := len(stack) - 1; i >= 0 && fr == nil; i-- {
		if stack[i].Pos.Filename() != "<builtin>" {
			fr = &stack[i]
		}
	}
	if fr == nil {
		return pos
	}
	var src []byte
	for _, s := range m.scripts {
		if s.path == fr.Pos.Filename() {
			src = s.src
		}
	}
	f, err := fileOptions.Parse(fr.Pos.Filename(), src, 0)
	if err != nil {
		return pos
	}
	var loop *syntax.WhileStmt
	syntax.Walk(f, func(n syntax.Node) bool {
		def, ok := n.(*syntax.DefStmt)
		if !ok || loop != nil {
			return loop == nil
		}
		if def.Name.Name == fr.Name && def.Def.Line == fr.Pos.Line {
			syntax.Walk(def, func(n syntax.Node) bool {
				if w, ok := n.(*syntax.WhileStmt); ok && loop == nil {
					loop = w
				}
				return loop == nil
			})
		}
		return true
	})
	if loop == nil {
		return pos
	}
	return loop.While.String()
}
