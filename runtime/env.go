package runtime

import (
	"path/filepath"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// env is the host state that builtins and values reach: one per Machine.
// Builtins find it through their Thread (envOf); values (ptr, struct views)
// carry it, because Starlark calls their methods without a thread.
type env struct {
	m *Machine
	k *kernelsim.Kernel

	// thread is the Starlark thread now running script code, nil between
	// calls. Nested calls (a kmem_cache constructor run by kmem_cache_alloc,
	// a tasklet run when a script re-enables softirqs) reuse it.
	thread *starlark.Thread
	// where says what kind of code runs now (file scope, kernel, user).
	where where
	// mod is the module instance whose code runs now, or whose top level
	// is being run; nil in user programs.
	mod *instance
	// pending is an error found where Starlark offers no error return (a
	// fault in p[a:b]); the thread is cancelled and the error reported
	// instead of the cancellation.
	pending error

	calls   []callRec
	fileMod map[string]string // script file name → module name, for frames
}

// where is the kind of code a thread is running.
type where uint8

const (
	whereNone  where = iota // no script code runs
	whereFile               // a module script's top level: declarations only
	whereProbe              // the top level run by LoadScript to learn declarations
	whereKern               // kernel code: init, exit, callbacks
	whereUser               // a user program
)

// threadKey is the Thread-local key under which the env is stored.
const threadKey = "kscript.env"

// envOf returns the env of a thread made by newThread.
func envOf(t *starlark.Thread) *env {
	e, _ := t.Local(threadKey).(*env)
	return e
}

// atFileScope reports whether a module script's top level is running.
func (e *env) atFileScope() bool { return e.where == whereFile || e.where == whereProbe }

// stack returns the script call stack, innermost first, for kernel reports
// (kernelsim's Kernel.Stack hook). Builtin frames are left out: their kernel
// counterparts are printed by kernelsim itself.
func (e *env) stack() []kernelsim.Frame {
	t := e.thread
	if t == nil {
		return nil
	}
	n := t.CallStackDepth()
	frames := make([]kernelsim.Frame, 0, n)
	for i := 0; i < n; i++ {
		fr := t.CallFrame(i)
		if fr.Pos.Filename() == "<builtin>" {
			continue
		}
		frames = append(frames, e.frame(fr))
	}
	return frames
}

func (e *env) frame(fr starlark.CallFrame) kernelsim.Frame {
	file := filepath.Base(fr.Pos.Filename())
	return kernelsim.Frame{
		Func:   fr.Name,
		File:   file,
		Line:   int(fr.Pos.Line),
		Col:    int(fr.Pos.Col),
		Module: e.fileMod[fr.Pos.Filename()],
	}
}

// callerPos returns the position of the script code that called the
// running builtin.
func callerPos(t *starlark.Thread) syntax.Position {
	if t.CallStackDepth() < 2 {
		return syntax.Position{}
	}
	return t.CallFrame(1).Pos
}

// fail records an error found where Starlark gives no error return and
// cancels the running thread so that the script stops at once.
func (e *env) fail(err error) {
	if e.pending == nil {
		e.pending = err
	}
	if e.thread != nil {
		e.thread.Cancel(err.Error())
	}
}
