package runtime

import (
	"path/filepath"
	"sync/atomic"

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
	// workMark is the kernel's Work() up to which the running thread has
	// been charged (chargeWork).
	workMark uint64

	proc *userProc   // the user program running, if any
	out  outputCount // what the run's user programs printed (maxUserOutput)
	// userDepth is the thread's call depth where a user program entered the
	// kernel (its system-call builtin included): frames from there out are
	// user code, which kernel call traces do not show.
	userDepth int
	calls     callLog
	reads     readLog
	handles   uint32            // handles made so far (newID)
	fileMod   map[string]string // script file name → module name, for frames

	// lastStack is the stack returned by the previous stack() call; a
	// loop allocating on one line gets the same slice back, so that
	// kernelsim can record the stack of every allocation cheaply. It is
	// valid while stackGen equals lastGen: stackGen moves on at every
	// builtin call and every entry into and return from script code.
	lastStack         []kernelsim.Frame
	stackGen, lastGen uint64
	// stacks interns the stacks seen so far, by their frames' positions,
	// so that a stack is built once per distinct call path; recent is a
	// direct-mapped cache in front of it.
	// (A slot points to an interned stack rather than holding a copy of
	// its key: 64 keys of 264 bytes made every machine 18 KB larger, two
	// machines or more per graded submission.)
	stacks map[stackKey]*internedStack
	recent [64]*internedStack
	// posBuf and atBuf are stack's scratch: the script frames' positions
	// and depths.
	posBuf [maxStackFrames]syntax.Position
	atBuf  [maxStackFrames]int
	// ptrs caches boxed kernel pointer values by address (ptrValue).
	ptrs [64]struct {
		a kernelsim.Addr
		v starlark.Value
	}
}

// ptrValue returns the kernel pointer value for a, Ptr{e, a}, as a
// starlark.Value. Putting a Ptr in an interface allocates it; a loop that
// allocates and frees gets the same few addresses back from the slab
// allocator (the free objects of one slab, in turn: KASAN's quarantine,
// kasanFreelistPush), so the boxed values of the latest addresses are
// kept, direct mapped by a Fibonacci hash of the address (which spreads the
// evenly spaced objects of a slab over the slots), and handed out again.
// This is safe because a Ptr is an immutable value: Starlark compares,
// hashes and prints it by its fields, never by the box's identity.
func (e *env) ptrValue(a kernelsim.Addr) starlark.Value {
	slot := &e.ptrs[uint64(a)*0x9e3779b97f4a7c15>>58]
	if slot.v != nil && slot.a == a {
		return slot.v
	}
	v := starlark.Value(Ptr{e: e, addr: a})
	slot.a, slot.v = a, v
	return v
}

// internedStack is a stack env.intern built, with the key it is
// interned by.
type internedStack struct {
	key    stackKey
	frames []kernelsim.Frame
}

// stackKey identifies a call stack of up to maxInternDepth frames by the
// positions its frames are at (a position belongs to one function).
type stackKey struct {
	n   int
	pos [maxInternDepth]syntax.Position
}

const (
	maxInternDepth  = maxStackFrames
	maxInternStacks = 1 << 12
	// maxStackFrames is how many of the innermost frames a stack keeps,
	// as kmemleak's MAX_TRACE and page_owner's stack depth keep 16: deep
	// recursion allocating at every level stores no more per object (and
	// its stacks, cut to the same 16 frames, are interned once).
	maxStackFrames = 16
)

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
	if last := lastThreadEnv.Load(); last != nil && last.t == t {
		return last.e // the thread of the previous call: no map lookup
	}
	e, _ := t.Local(threadKey).(*env)
	if e != nil {
		lastThreadEnv.Store(&threadEnv{t, e})
	}
	return e
}

// threadEnv is a thread and its env, which newThread sets once for good.
// lastThreadEnv, the pair envOf last found, is shared by the machines of
// a process (a grading worker runs several): it holds both, so neither
// is collected and its address reused while the pair is cached.
type threadEnv struct {
	t *starlark.Thread
	e *env
}

var lastThreadEnv atomic.Pointer[threadEnv]

// atFileScope reports whether a module script's top level is running.
func (e *env) atFileScope() bool { return e.where == whereFile || e.where == whereProbe }

// stack returns the script call stack, innermost first, for kernel reports
// and allocation tracking (kernelsim's Kernel.Stack hook). Builtin frames
// are left out: their kernel counterparts are kernelsim's to print. The
// slice is shared between calls that see the same stack and must not be
// modified.
func (e *env) stack() []kernelsim.Frame {
	t := e.thread
	if t == nil {
		return nil
	}
	if e.lastGen == e.stackGen {
		return e.lastStack
	}
	e.lastGen = e.stackGen
	if e.where == whereUser {
		e.lastStack = nil
		return nil
	}
	// The script frames' positions first (a builtin's frame has no
	// position of its own: "<builtin>"); their names only when the stack
	// is new (intern).
	pos, at := &e.posBuf, &e.atBuf
	n := 0
	for i, depth := 0, t.CallStackDepth()-e.userDepth; i < depth && n < maxStackFrames; i++ {
		fr := t.DebugFrame(i)
		if _, ok := fr.Callable().(*starlark.Builtin); ok {
			continue // its position is "<builtin>"
		}
		if p := fr.Position(); p.Filename() != "<builtin>" {
			pos[n], at[n] = p, i
			n++
		}
	}
	e.lastStack = e.intern(t, pos[:n], at[:n])
	return e.lastStack
}

// intern returns the frames of the stack whose script frames are at
// positions pos (thread t's frames at depths at), built once per
// distinct stack.
func (e *env) intern(t *starlark.Thread, pos []syntax.Position, at []int) []kernelsim.Frame {
	n := len(pos)
	slot := &e.recent[0]
	if n > 0 {
		slot = &e.recent[(pos[0].Line*31+pos[0].Col)&63]
	}
	if n <= maxInternDepth {
		if st := *slot; st != nil && st.key.n == n && samePositions(st.key.pos[:n], pos) {
			return st.frames
		}
	}
	key := stackKey{n: n}
	if n <= maxInternDepth {
		copy(key.pos[:], pos)
		if st, ok := e.stacks[key]; ok {
			*slot = st
			return st.frames
		}
	}
	out := make([]kernelsim.Frame, n)
	for i := range out {
		out[i] = e.frame(starlark.CallFrame{Name: t.DebugFrame(at[i]).Callable().Name(), Pos: pos[i]})
	}
	if n <= maxInternDepth && len(e.stacks) < maxInternStacks {
		if e.stacks == nil {
			e.stacks = make(map[stackKey]*internedStack)
		}
		e.stacks[key] = &internedStack{key: key, frames: out}
	}
	return out
}

// samePositions reports whether a and b hold the same positions.
func samePositions(a, b []syntax.Position) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
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

// callerPos returns the frame of the script code that called the running
// builtin (interned: the same pointer for the same stack), or nil.
func (e *env) callerPos() *kernelsim.Frame {
	if st := e.stack(); len(st) > 0 {
		return &st[0]
	}
	return nil
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
