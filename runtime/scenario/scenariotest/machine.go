// Package scenariotest provides a stand-in for the Starlark bridge's
// *kruntime.Machine, for testing the shell, the scenario runner and the CLI
// without the bridge, as net/http/httptest stands in for a network.
//
// Its scripts are real Starlark with a handful of kernel builtins: the
// MODULE_* macros, module_init/module_exit, printk and pr_*, kmalloc/kfree
// (recorded as calls, without memory), the GFP and errno constants, and
// user_program with printf; of fault injection it knows kmalloc:nth=N. Its
// kernel is a real kernelsim.Kernel, so dmesg and the log work as they will
// with the bridge. Nothing else is simulated.
package scenariotest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
)

// Machine is a fake simulated machine; see the package comment.
type Machine struct {
	opts     kruntime.Options
	k        *kernelsim.Kernel
	mods     map[string]*module
	programs map[string]starlark.Callable
	calls    []kruntime.Call
	tainted  bool
	stdout   io.Writer // the running program's standard output
	nextAddr uint64
	// failNth makes the failNth kmalloc return NULL (Options.Fail
	// "kmalloc:nth=N", the only fault-injection spec the stand-in knows);
	// kmallocs counts the calls.
	failNth, kmallocs int
}

type module struct {
	name, file   string
	info         [][2]string // modinfo fields in MODULE_* order
	init, exit   starlark.Callable
	loaded       bool
	globals      starlark.StringDict
	loadedParams []string
}

// New boots a fake machine on a real (partly stubbed) kernelsim kernel.
func New(opts kruntime.Options) (*Machine, error) {
	k, err := kernelsim.New(opts.Kernel)
	if err != nil {
		return nil, err
	}
	m := &Machine{opts: opts, k: k, mods: map[string]*module{}, programs: map[string]starlark.Callable{},
		nextAddr: 0xffff888003a1c000}
	for _, spec := range opts.Fail {
		if n, ok := strings.CutPrefix(spec, "kmalloc:nth="); ok {
			m.failNth, _ = strconv.Atoi(n)
		}
	}
	return m, nil
}

// Kernel returns the machine's kernel.
func (m *Machine) Kernel() *kernelsim.Kernel { return m.k }

// LoadScript runs a script's top level and makes it NAME.ko.
func (m *Machine) LoadScript(path string, src []byte, moduleName string) error {
	if moduleName == "" {
		moduleName = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	mod := &module{name: moduleName, file: moduleName + ".ko"}
	thread := m.thread("load")
	thread.SetLocal("module", mod)
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	globals, err := starlark.ExecFileOptions(opts, thread, path, src, m.predeclared())
	if err != nil {
		return scriptError(err, m.maxSteps())
	}
	mod.globals = globals
	m.mods[moduleName] = mod
	return nil
}

// ModuleFiles lists the NAME.ko files, sorted.
func (m *Machine) ModuleFiles() []string {
	var out []string
	for _, mod := range m.mods {
		out = append(out, mod.file)
	}
	sort.Strings(out)
	return out
}

// Insmod loads a module and runs its init.
func (m *Machine) Insmod(ko string, params []string) error {
	mod := m.mods[strings.TrimSuffix(ko, ".ko")]
	switch {
	case mod == nil:
		return &kruntime.InsmodError{File: ko, Errno: kernelsim.ENOENT, Load: true}
	case mod.loaded:
		return &kruntime.InsmodError{File: ko, Errno: kernelsim.EEXIST}
	}
	if !m.tainted {
		m.tainted = true
		m.k.Printk(kernelsim.KernSOH + "4" + mod.name + ": loading out-of-tree module taints kernel.\n")
		m.k.Printk(kernelsim.KernSOH + "4" + mod.name + ": module verification failed: signature and/or required key missing - tainting kernel\n")
	}
	if mod.init != nil {
		ret, err := m.call(mod, mod.init)
		if err != nil {
			return err
		}
		if n, ok := ret.(starlark.Int); ok {
			if v, _ := n.Int64(); v < 0 {
				return &kruntime.InsmodError{File: ko, Errno: kernelsim.Errno(-v)}
			}
		}
	}
	mod.loaded, mod.loadedParams = true, params
	return nil
}

// Rmmod runs a module's exit and unloads it.
func (m *Machine) Rmmod(name string) error {
	mod := m.mods[name]
	if mod == nil || !mod.loaded {
		return &kruntime.RmmodError{Name: name, Errno: kernelsim.ENOENT}
	}
	if mod.exit == nil {
		return &kruntime.RmmodError{Name: name, Errno: kernelsim.EBUSY}
	}
	if _, err := m.call(mod, mod.exit); err != nil {
		return err
	}
	mod.loaded = false
	return nil
}

// Modinfo returns modinfo's lines for NAME.ko.
func (m *Machine) Modinfo(ko string) ([]string, error) {
	mod := m.mods[strings.TrimSuffix(ko, ".ko")]
	if mod == nil {
		return nil, kernelsim.ENOENT
	}
	lines := []string{fmt.Sprintf("%-16s%s", "filename:", "/home/student/kernel-memory/"+ko)}
	for _, f := range mod.info {
		lines = append(lines, fmt.Sprintf("%-16s%s", f[0]+":", f[1]))
	}
	lines = append(lines, fmt.Sprintf("%-16s%s", "name:", mod.name),
		fmt.Sprintf("%-16s%s", "vermagic:", "6.1.0-28-amd64 SMP preempt mod_unload modversions "))
	return lines, nil
}

// Programs lists the user programs, sorted.
func (m *Machine) Programs() []string {
	var out []string
	for name := range m.programs {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Exec runs a user program's main with stdout as its standard output.
func (m *Machine) Exec(name string, args []string, stdout io.Writer) (int, error) {
	main, ok := m.programs[name]
	if !ok {
		return 127, fmt.Errorf("exec %s: no such program", name)
	}
	m.stdout = stdout
	defer func() { m.stdout = nil }()
	ret, err := m.call(nil, main)
	if err != nil {
		return 1, err
	}
	if n, ok := ret.(starlark.Int); ok {
		v, _ := n.Int64()
		return int(v) & 0xff, nil
	}
	return 0, nil
}

// Calls returns the recorded kernel API calls.
func (m *Machine) Calls() []kruntime.Call { return m.calls }

func (m *Machine) thread(name string) *starlark.Thread {
	t := &starlark.Thread{Name: name, Print: func(_ *starlark.Thread, msg string) {}}
	t.SetMaxExecutionSteps(m.maxSteps())
	return t
}

// maxSteps is the step limit of each call (the stand-in has no budget
// shared between calls).
func (m *Machine) maxSteps() uint64 {
	if m.opts.MaxSteps == 0 {
		return kruntime.DefaultMaxSteps
	}
	return m.opts.MaxSteps
}

// call runs fn of mod (nil for a user program) in a fresh thread.
func (m *Machine) call(mod *module, fn starlark.Callable) (starlark.Value, error) {
	thread := m.thread(fn.Name())
	thread.SetLocal("module", mod)
	v, err := starlark.Call(thread, fn, nil, nil)
	if err != nil {
		return nil, scriptError(err, m.maxSteps())
	}
	return v, nil
}

// scriptError converts a Starlark error to the bridge's error types.
func scriptError(err error, steps uint64) error {
	var se syntax.Error
	var rl resolve.ErrorList
	var ee *starlark.EvalError
	switch {
	case errors.As(err, &se):
		return &kruntime.ScriptError{Pos: se.Pos.String(), Msg: se.Msg}
	case errors.As(err, &rl) && len(rl) > 0:
		return &kruntime.ScriptError{Pos: rl[0].Pos.String(), Msg: rl[0].Msg}
	case errors.As(err, &ee):
		pos := ""
		if len(ee.CallStack) > 0 {
			pos = ee.CallStack.At(0).Pos.String()
		}
		if strings.Contains(ee.Msg, "too many steps") {
			return &kruntime.LimitError{Pos: pos, Limit: "steps", Steps: steps, Msg: "script stopped: too many steps"}
		}
		return &kruntime.ScriptError{Pos: pos, Msg: ee.Msg, Backtrace: ee.Backtrace()}
	}
	return err
}
