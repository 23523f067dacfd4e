package runtime

import (
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
// (memory, taint, parameters, the top level's static initialisers), then
// do_init_module (init in process context, as the insmod task).
func (m *Machine) insmod(ko string, params []string) error {
	s := m.scripts[koName(ko)]
	if s == nil {
		return &InsmodError{File: ko, Errno: kernelsim.ENOENT, Load: true}
	}
	if m.loaded[s.name] != nil {
		return &InsmodError{File: ko, Errno: kernelsim.EEXIST}
	}
	inst := &instance{s: s}
	if err := m.loadModule(inst, ko, params); err != nil {
		return err
	}
	m.loaded[s.name] = inst
	return m.doInitModule(inst, ko)
}

// loadModule mirrors load_module() up to do_init_module.
func (m *Machine) loadModule(inst *instance, ko string, params []string) error {
	if err := m.kmodLoad(inst); err != nil {
		return err
	}
	if errno := m.parseArgs(inst, params); errno != 0 {
		m.kmodFree(inst)
		return &InsmodError{File: ko, Errno: errno}
	}
	if err := m.runTopLevel(inst, whereFile); err != nil {
		m.kmodFree(inst)
		return err
	}
	inst.state = modComing
	return nil
}

// doInitModule mirrors do_init_module(): init runs as the insmod task; a
// negative return frees the module and fails insmod with that errno; a
// positive one is warned about and the module loads anyway, as 6.1 does.
func (m *Machine) doInitModule(inst *instance, ko string) error {
	if inst.init == nil {
		return m.moduleLive(inst)
	}
	task := m.k.NewTask("insmod", 0)
	var ret starlark.Value
	err := m.k.RunTask(task, initEntry, func() error {
		var err error
		ret, err = m.callScript(inst, whereKern, inst.init)
		return err
	})
	if _, killed := err.(*KilledError); killed {
		return err // the module stays, COMING forever, as after an Oops in init
	}
	if err == nil {
		var n int
		n, err = initReturn(inst.init, ret)
		if n < 0 {
			m.failInit(inst)
			return &InsmodError{File: ko, Errno: kernelsim.Errno(-n)}
		}
		if n > 0 {
			m.k.Printk(fmt.Sprintf("%sdo_init_module: '%s'->init suspiciously returned %d, it should follow 0/-E convention\n%sdo_init_module: loading module anyway...\n",
				kernelsim.KernSOH+"4", inst.s.name, n, kernelsim.KernSOH+"4"))
		}
	}
	if err != nil {
		m.failInit(inst)
		return err
	}
	return m.moduleLive(inst)
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

// failInit mirrors do_init_module's failure path: the module is freed.
func (m *Machine) failInit(inst *instance) {
	delete(m.loaded, inst.s.name)
	m.kmodFree(inst)
}

func (m *Machine) moduleLive(inst *instance) error {
	inst.state = modLive
	m.kmodLive(inst)
	return nil
}

// rmmod mirrors kmod's rmmod and delete_module(2): a module in use is
// refused by rmmod itself; one not live, or with an init but no exit, by
// the kernel (EBUSY); otherwise exit runs as the rmmod task and the module
// is freed.
func (m *Machine) rmmod(arg string) error {
	name := modName(arg)
	inst := m.loaded[name]
	switch {
	case inst == nil:
		return &RmmodError{Name: name, Errno: kernelsim.ENOENT}
	case inst.state == modComing || m.kmodBusy(inst):
		// kmod's own check: a reference is held (init still holds its own
		// after an Oops in init), so rmmod does not ask the kernel.
		return &RmmodError{Name: name, Errno: kernelsim.EBUSY}
	case inst.state != modLive, inst.init != nil && inst.exit == nil:
		return &RmmodError{Name: name, Errno: kernelsim.EBUSY, Kernel: true}
	}
	inst.state = modGoing
	if inst.exit != nil {
		task := m.k.NewTask("rmmod", 0)
		err := m.k.RunTask(task, exitEntry, func() error {
			_, err := m.callScript(inst, whereKern, inst.exit)
			return err
		})
		if _, killed := err.(*KilledError); killed {
			return err // the module stays, GOING forever
		}
		if err != nil {
			m.freeModule(inst)
			return err
		}
	}
	m.freeModule(inst)
	return nil
}

func (m *Machine) freeModule(inst *instance) {
	delete(m.loaded, inst.s.name)
	m.kmodFree(inst)
}
