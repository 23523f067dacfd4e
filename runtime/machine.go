package runtime

import (
	"io"
	"time"

	"kscript.dev/kscript/kernelsim"
)

// OWNER: bridge helper. The exported API below is the contract the shell, the
// scenario runner and the CLI code against; bodies are stubs until replaced.

// Options configure one simulated machine and its sandbox limits.
type Options struct {
	Kernel kernelsim.Config // RAM, Seed, PCP, InitOnAlloc

	// MaxSteps bounds the Starlark steps of each call into a script (module
	// init/exit, a callback, a user program's main); 0 means DefaultMaxSteps.
	MaxSteps uint64
	// Timeout is the wall-time backstop for one call into a script; 0 means
	// DefaultTimeout. The step limit, not this, decides runaway scripts.
	Timeout time.Duration
	// Fail holds fault-injection specs ("kmalloc:nth=2"), DESIGN §7.
	Fail []string
	// Trace logs allocator events to TraceOut.
	Trace    bool
	TraceOut io.Writer
	// Lang is "en" or "th": the language of kscript's own messages.
	Lang string
}

// Defaults for Options.
const (
	DefaultMaxSteps = 10_000_000
	DefaultTimeout  = 10 * time.Second
)

// Machine is one simulated computer: a kernel, the module scripts that can be
// insmod'ed on it, the user programs that can be run, and a record of the
// kernel API calls scripts made. Not safe for concurrent use.
type Machine struct {
	opts Options
	k    *kernelsim.Kernel
}

// NewMachine boots a kernel configured by opts.
func NewMachine(opts Options) (*Machine, error) { panic("unimplemented") }

// Kernel returns the simulated kernel, for dmesg, /proc and reports.
func (m *Machine) Kernel() *kernelsim.Kernel { return m.k }

// LoadScript compiles a module script and makes it available as NAME.ko,
// where NAME is moduleName or, when empty, the file's stem. Its top level
// runs now (as a C file's static initialisers would), so user_program() and
// module_init() registrations are known before insmod. A syntax or runtime
// error is returned as *ScriptError with the file:line:col.
func (m *Machine) LoadScript(path string, src []byte, moduleName string) error {
	panic("unimplemented")
}

// ModuleFiles lists the NAME.ko files that LoadScript made available, sorted.
func (m *Machine) ModuleFiles() []string { panic("unimplemented") }

// Insmod mirrors insmod NAME.ko [param=value...]: load the module, run its
// init in process context as a fresh insmod task. Errors: *InsmodError (the
// kernel refused or init returned an errno), *KilledError (init Oopsed),
// *ScriptError, *LimitError.
func (m *Machine) Insmod(ko string, params []string) error { panic("unimplemented") }

// Rmmod mirrors rmmod NAME: run exit, unload. Errors: *RmmodError (not
// loaded, in use), *KilledError, *ScriptError, *LimitError.
func (m *Machine) Rmmod(name string) error { panic("unimplemented") }

// Modinfo returns modinfo's lines for NAME.ko ("filename:", "license:", ...).
func (m *Machine) Modinfo(ko string) ([]string, error) { panic("unimplemented") }

// Programs lists the user programs scripts registered with user_program().
func (m *Machine) Programs() []string { panic("unimplemented") }

// Exec runs user program NAME (as ./NAME args...) in a new process, its
// stdout written to stdout. It returns the exit status (128+signal when the
// process was killed).
func (m *Machine) Exec(name string, args []string, stdout io.Writer) (int, error) {
	panic("unimplemented")
}

// Calls returns the kernel's record of API calls made by scripts so far.
func (m *Machine) Calls() []Call { panic("unimplemented") }

// Call is one kernel API call a script made: which builtin, the GFP flags
// where it took some, the execution context, the script position and its
// result. Expectations (calls:) check this record, which a script cannot fake.
type Call struct {
	Fn      string        // builtin name: "kmalloc"
	GFP     kernelsim.GFP // flags argument, 0 if none
	Size    uint64        // size/order argument where meaningful
	Context string        // "process", "softirq", "hardirq", "atomic"
	Module  string
	Pos     string // "file.star:12:5"
	Failed  bool   // returned NULL / an error
}
