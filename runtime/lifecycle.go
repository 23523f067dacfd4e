package runtime

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// The kernel call paths into module code, innermost first, as a call trace
// on Debian 12's 6.1 kernel shows them below the module's frames.
var (
	// finit_module(2): insmod → load_module → do_init_module → init.
	initEntry = []string{
		"do_one_initcall+0x41/0x200",
		"do_init_module+0x4c/0x1e0",
		"load_module+0x2a16/0x2c40",
		"__do_sys_finit_module+0xac/0x120",
		"do_syscall_64+0x55/0xb0",
		"entry_SYSCALL_64_after_hwframe+0x6e/0xd8",
	}
	// delete_module(2): rmmod → exit.
	exitEntry = []string{
		"__do_sys_delete_module.constprop.0+0x178/0x280",
		"do_syscall_64+0x55/0xb0",
		"entry_SYSCALL_64_after_hwframe+0x6e/0xd8",
	}
)

// koName normalises insmod's argument ("./x.ko", "x.ko") to the file name
// LoadScript registered.
func koName(ko string) string { return filepath.Base(ko) }

// modName normalises rmmod's argument ("x", "x.ko", "x-y") to a module name.
func modName(arg string) string {
	return strings.ReplaceAll(strings.TrimSuffix(filepath.Base(arg), ".ko"), "-", "_")
}

// insmod mirrors finit_module(2) as kmod's insmod drives it: load_module
// (kernelsim: taint, memory, parameters; then the top level's static
// initialisers), then do_init_module (init in process context, as the
// insmod task).
func (m *Machine) insmod(ko string, params []string) error {
	s := m.scripts[koName(ko)]
	if s == nil {
		return &InsmodError{File: ko, Errno: kernelsim.ENOENT, Load: true}
	}
	inst := &instance{s: s}
	task := m.k.NewTask("insmod", 0)
	err := m.k.RunTask(task, initEntry, func() error {
		if err := m.kmodLoad(inst, ko, params); err != nil {
			return err
		}
		if err := m.runTopLevel(inst, whereFile); err != nil {
			m.k.ModuleInitFailed(inst.kmod)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.loaded[s.name] = inst
	return m.doInitModule(task, inst, ko)
}

// doInitModule mirrors do_init_module(): init runs as the insmod task and
// kernelsim takes its return value (a negative errno frees the module and
// fails insmod; a positive one is warned about and the module loads). An
// Oops in init leaves the module COMING for good, as on Linux; a script
// error or a sandbox limit unloads it.
func (m *Machine) doInitModule(task *kernelsim.Task, inst *instance, ko string) error {
	err := m.k.RunTask(task, initEntry, func() error {
		n := 0
		if inst.init != nil {
			ret, err := m.callScript(inst, whereKern, inst.init)
			if err != nil {
				return err
			}
			if n, err = initReturn(inst.init, ret); err != nil {
				return err
			}
		}
		return m.k.ModuleInitReturned(inst.kmod, n)
	})
	var errno kernelsim.Errno
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*KilledError)):
		return err
	case errors.As(err, &errno):
		delete(m.loaded, inst.s.name) // kernelsim freed it
		// What init's error path forgot to free is unreferenced now:
		// kscript's leak check finds it (kmemleak's next scan would).
		m.k.CheckModuleGone(inst.kmod)
		return &InsmodError{File: ko, Errno: errno}
	}
	delete(m.loaded, inst.s.name)
	m.k.ModuleInitFailed(inst.kmod)
	return err
}

// initReturn checks init's return value: C's int init(void).
func initReturn(fn starlark.Callable, v starlark.Value) (int, error) {
	n, ok := v.(starlark.Int)
	if !ok {
		return 0, &ScriptError{Pos: fnPos(fn), Msg: fmt.Sprintf("%s: init function returned %s, want int: return 0 on success or a negative errno (-ENOMEM)", fn.Name(), v.Type())}
	}
	i, ok := n.Int64()
	if !ok || i < -(1<<31) || i >= 1<<31 {
		return 0, &ScriptError{Pos: fnPos(fn), Msg: fmt.Sprintf("%s: init function returned %v, which does not fit in int", fn.Name(), n)}
	}
	return int(i), nil
}

func fnPos(fn starlark.Callable) string {
	if f, ok := fn.(*starlark.Function); ok {
		return f.Position().String()
	}
	return ""
}

// rmmod mirrors kmod's rmmod and delete_module(2): kernelsim refuses a
// module in use, not live, or with an init but no exit; otherwise exit runs
// as the rmmod task and the module is freed. An Oops in exit leaves the
// module GOING for good; a script error or a limit in exit still frees it.
func (m *Machine) rmmod(arg string) error {
	name := modName(arg)
	inst := m.loaded[name]
	km := m.k.FindModule(name)
	if km == nil {
		return &RmmodError{Name: name, Errno: kernelsim.ENOENT}
	}
	if err := m.k.ModuleUnload(km); err != nil {
		var ue *kernelsim.UnloadError
		if errors.As(err, &ue) {
			return &RmmodError{Name: name, Errno: ue.Errno, Kernel: !ue.InUse, Holders: ue.Holders}
		}
		return err
	}
	if inst != nil && inst.exit != nil {
		task := m.k.NewTask("rmmod", 0)
		err := m.k.RunTask(task, exitEntry, func() error {
			_, err := m.callScript(inst, whereKern, inst.exit)
			return err
		})
		if errors.As(err, new(*KilledError)) {
			return err
		}
		defer m.freeModule(name, km)
		return err
	}
	m.freeModule(name, km)
	return nil
}

func (m *Machine) freeModule(name string, km *kernelsim.Module) {
	delete(m.loaded, name)
	m.k.ModuleFree(km)
	m.k.CheckModuleGone(km) // leaks, deferred work and chrdevs left behind
}
