package runtime

import (
	"fmt"
	"io"
	"path/filepath"
	rt "runtime"
	"sort"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// The exported API below is the contract the shell, the scenario runner and
// the CLI code against.

// Options configure one simulated machine and its sandbox limits.
type Options struct {
	Kernel kernelsim.Config // RAM, Seed, Stock, Cmdline, NoPCP

	// MaxSteps is the step budget of the machine's scripts in all (see
	// Budget); 0 means DefaultMaxSteps. Ignored when Budget is set.
	MaxSteps uint64
	// Budget, if set, is the step budget to spend (a grader shares one
	// between the machines it runs one submission on).
	Budget *Budget
	// Timeout is the wall-time backstop for one call into a script; 0 means
	// DefaultTimeout. The step budget, not this, decides runaway scripts:
	// reaching it is an *InternalError.
	Timeout time.Duration
	// Fail holds fault-injection specs ("kmalloc:nth=2"), DESIGN §7.
	Fail []string
	// Trace logs allocator events to TraceOut.
	Trace    bool
	TraceOut io.Writer
	// Lang is "en" or "th": the language of kscript's own messages.
	Lang string
	// NewKernel, if set, boots the machine's kernel instead of
	// kernelsim.New (a grader hands out copies of one booted kernel).
	NewKernel func(kernelsim.Config) (*kernelsim.Kernel, error)
}

// Defaults for Options.
const (
	DefaultMaxSteps = 10_000_000
	DefaultTimeout  = 60 * time.Second
)

// Machine is one simulated computer: a kernel, the module scripts that can be
// insmod'ed on it, the user programs that can be run, and a record of the
// kernel API calls scripts made. Not safe for concurrent use.
type Machine struct {
	opts   Options
	k      *kernelsim.Kernel
	env    *env
	budget *Budget

	sandbox starlark.StringDict  // the guards of sandbox.go, str, repr, print, fail
	scripts map[string]*script   // by NAME.ko
	harness []*script            // programs files (LoadPrograms), in load order
	loaded  map[string]*instance // loaded modules by name

	running atomic.Pointer[runningThread] // the call Interrupt stops
}

// NewMachine boots a kernel configured by opts.
func NewMachine(opts Options) (*Machine, error) {
	boot := opts.NewKernel
	if boot == nil {
		boot = kernelsim.New
	}
	k, err := boot(opts.Kernel)
	if err != nil {
		return nil, err
	}
	if err := k.SetFaultInjection(opts.Fail); err != nil { // DESIGN §7: --fail, a check's fail:
		return nil, err
	}
	m := &Machine{
		opts:    opts,
		k:       k,
		scripts: make(map[string]*script),
		loaded:  make(map[string]*instance),
		budget:  opts.Budget,
	}
	if m.budget == nil {
		m.budget = NewBudget(opts.MaxSteps)
	}
	m.env = &env{m: m, k: k, fileMod: make(map[string]string), lastGen: ^uint64(0)}
	m.env.calls.k = k
	m.sandbox = m.sandboxBuiltins()
	k.Stack = m.env.stack
	if opts.Trace && opts.TraceOut != nil {
		k.SetPageAllocTracer(func(event string) { traceLine(opts.TraceOut, k, event) })
	}
	return m, nil
}

// traceLine writes one allocator event as /sys/kernel/tracing/trace_pipe
// shows it: task-pid, CPU, flags, timestamp, then the event.
func traceLine(w io.Writer, k *kernelsim.Kernel, event string) {
	t, now := k.Current(), k.Now()
	fmt.Fprintf(w, "%16s-%-7d [000] ..... %5d.%06d: %s\n", t.Comm, t.PID, now/1e9, now%1e9/1e3, event)
}

// guard is the internal-error net of the Machine's entry points: a Go panic
// (a bug in kscript, never a script's doing) becomes an *InternalError, and
// the machine's per-call state is reset.
func (m *Machine) guard(err *error) {
	r := recover()
	if r == nil {
		return
	}
	buf := make([]byte, 16<<10)
	buf = buf[:rt.Stack(buf, false)]
	m.env.thread, m.env.where, m.env.mod, m.env.pending = nil, whereNone, nil, nil
	*err = &InternalError{Panic: r, Stack: string(buf)}
}

// Budget returns the step budget the machine's scripts spend.
func (m *Machine) Budget() *Budget { return m.budget }

// Kernel returns the simulated kernel, for dmesg, /proc and reports.
func (m *Machine) Kernel() *kernelsim.Kernel { return m.k }

// LoadScript compiles a module script and makes it available as NAME.ko,
// where NAME is moduleName or, when empty, the file's stem. Its top level
// runs now (as a C file's static initialisers would), so user_program() and
// module_init() registrations are known before insmod. A syntax or runtime
// error is returned as *ScriptError with the file:line:col.
func (m *Machine) LoadScript(path string, src []byte, moduleName string) (err error) {
	defer m.guard(&err)
	name := moduleNameOf(path, moduleName)
	if err := checkModuleName(name); err != nil {
		return &ScriptError{Pos: path, Msg: err.Error()}
	}
	// A module of Debian's own by that name is loaded at boot (loop,
	// fuse, ext4…): insmod NAME.ko would fail with "File exists" and
	// rmmod NAME would act on Debian's module, so the name is refused.
	if mod := m.k.FindModule(name); mod != nil && mod.Info.InTree {
		return &ScriptError{Pos: path + ":1:1", Msg: fmt.Sprintf("module name %q: the machine already has Debian's own %s module loaded (lsmod lists it), so insmod %s.ko would fail with \"File exists\": rename the script (%s_test.star) or give the lesson another module:", name, name, name, name)}
	}
	s, err := m.compile(path, src, name)
	if err != nil {
		if se, ok := err.(*ScriptError); ok {
			se.Msg = m.suggest(se.Msg)
		}
		return err
	}
	m.env.fileMod[path] = name
	s.probe = &instance{s: s}
	if err := m.runTopLevel(s.probe, whereProbe); err != nil {
		return err
	}
	m.scripts[s.ko] = s
	return nil
}

// ModuleFiles lists the NAME.ko files that LoadScript made available, sorted.
func (m *Machine) ModuleFiles() []string {
	var kos []string
	for ko := range m.scripts {
		kos = append(kos, ko)
	}
	sort.Strings(kos)
	return kos
}

// Loaded lists the names of the modules loaded by Insmod, sorted.
func (m *Machine) Loaded() []string {
	var names []string
	for n := range m.loaded {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Insmod mirrors insmod NAME.ko [param=value...]: load the module, run its
// init in process context as a fresh insmod task, then the deferred work
// the system call left pending (tasklets init scheduled run before insmod
// returns, as on return to user space). Errors: *InsmodError (the kernel
// refused or init returned an errno), *KilledError (init, or a callback run
// on the way out, Oopsed), *ScriptError, *LimitError.
func (m *Machine) Insmod(ko string, params []string) (err error) {
	defer m.guard(&err)
	if err := m.insmod(ko, params); err != nil {
		return err
	}
	return m.syscallExit()
}

// Rmmod mirrors rmmod NAME: run exit, unload. Errors: *RmmodError (not
// loaded, in use), *KilledError, *ScriptError, *LimitError.
func (m *Machine) Rmmod(name string) (err error) {
	defer m.guard(&err)
	if err := m.rmmod(name); err != nil {
		return err
	}
	return m.syscallExit()
}

// syscallExit runs the deferred work a system call leaves pending (a
// tasklet init scheduled), as the return to user space does: the insmod
// and rmmod commands return only after it.
func (m *Machine) syscallExit() error {
	return killed(m.k.RunDeferred())
}

// Modinfo returns modinfo's lines for NAME.ko ("filename:", "license:", ...).
func (m *Machine) Modinfo(ko string) ([]string, error) {
	s := m.scripts[koName(ko)]
	if s == nil {
		return nil, &ModinfoError{File: ko}
	}
	return s.modinfo(), nil
}

// Programs lists the user programs scripts and programs files registered
// with user_program(), sorted.
func (m *Machine) Programs() []string {
	seen := make(map[string]bool)
	var names []string
	all := append([]*script(nil), m.harness...)
	for _, s := range m.scripts {
		all = append(all, s)
	}
	for _, s := range all {
		for _, p := range s.probe.programs {
			if !seen[p.name] {
				seen[p.name] = true
				names = append(names, p.name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// Exec runs user program NAME (as ./NAME args...) in a new process, its
// stdout written to stdout. It returns the exit status (128+signal when the
// process was killed).
func (m *Machine) Exec(name string, args []string, stdout io.Writer) (status int, err error) {
	defer m.guard(&err)
	return m.exec(filepath.Base(name), args, stdout)
}

// Calls returns the kernel's record of API calls made by scripts so far:
// one Call per distinct kind of call, with how many such calls were made,
// in the order the kinds first appeared. The counts are exact however many
// calls a script makes (see callLog for how the record stays bounded).
func (m *Machine) Calls() []Call {
	l := &m.env.calls
	out := make([]Call, 0, len(l.keys))
	for i, k := range l.keys {
		if l.counts[i] > 0 {
			out = append(out, k.export(l.counts[i], l.intoNames))
		}
	}
	return out
}

// SetStep tells the machine which scenario step runs now (1-based; 0
// outside a scenario): the record of calls notes it, so that checks can
// say in which step an object was allocated and whether it was still live
// when a later step began.
func (m *Machine) SetStep(n int) { m.env.calls.step = int32(n) }

// Call is a kind of kernel API call a script made, and how many times:
// which builtin, the GFP flags where it took some, the execution context,
// the script position, the scenario step and its result; for an
// allocation, what became of the object it returned. Expectations (calls:)
// check this record, which a script cannot fake.
type Call struct {
	Fn      string        // builtin name: "kmalloc"
	GFP     kernelsim.GFP // flags argument, 0 if none
	Size    uint64        // size/order argument where meaningful
	Context string        // "process", "softirq", "hardirq", "atomic"
	Module  string
	Pos     string // "file.star:12:5"
	Failed  bool   // returned NULL / an error
	Count   int    // how many calls this record stands for
	Step    int    // the scenario step they were made in (0: outside one)
	// Noop marks calls that did nothing: kfree(NULL) and the other frees
	// of NULL, a user copy that copied no byte, kmalloc(0).
	Noop bool
	// Object marks allocations that returned an object (not NULL, not
	// ZERO_SIZE_PTR), which the record follows until it is freed.
	Object bool
	// Folded marks calls whose size and flags the record dropped (a
	// script that made more than maxCallKeys kinds of calls).
	Folded bool
	// Freed says the objects these allocations returned were freed, in
	// step FreedStep, by FreedBy ("kfree"); FreeMatch that the free
	// matched the allocation (the order of a page block, the cache of a
	// kmem_cache object).
	Freed     bool
	FreedStep int
	FreedBy   string
	FreeMatch bool
	// Written says the objects held data the module wrote (a byte that
	// is not zero) when they were freed: kmalloc, kmem_cache, vmalloc and
	// page allocator objects.
	Written bool
	// Read says the module read the objects (an index, a slice, %s of the
	// pointer) while they were allocated.
	Read bool
	// Held is the C string the objects started with when they were freed
	// (at most 128 bytes): what %s of the buffer printed last. For a
	// memory or string helper (memcpy, strscpy…) it is what the call left
	// at its destination, and Into names the static_buffer global the
	// destination lay in ("" for any other memory).
	Held string
	Into string
}
