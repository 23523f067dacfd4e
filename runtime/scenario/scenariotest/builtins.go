package scenariotest

import (
	"fmt"
	"regexp"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
)

// predeclared returns the fake kernel API.
func (m *Machine) predeclared() starlark.StringDict {
	d := starlark.StringDict{
		"module_init":        starlark.NewBuiltin("module_init", m.moduleFn(true)),
		"module_exit":        starlark.NewBuiltin("module_exit", m.moduleFn(false)),
		"printk":             starlark.NewBuiltin("printk", m.printk("")),
		"kmalloc":            starlark.NewBuiltin("kmalloc", m.kmalloc),
		"kfree":              starlark.NewBuiltin("kfree", m.kfree),
		"user_program":       starlark.NewBuiltin("user_program", m.userProgram),
		"printf":             starlark.NewBuiltin("printf", m.printf),
		"NULL":               starlark.MakeInt(0),
		"GFP_KERNEL":         starlark.MakeInt(int(kernelsim.GFP_KERNEL)),
		"GFP_ATOMIC":         starlark.MakeInt(int(kernelsim.GFP_ATOMIC)),
		"ENOMEM":             starlark.MakeInt(int(kernelsim.ENOMEM)),
		"EINVAL":             starlark.MakeInt(int(kernelsim.EINVAL)),
		"MODULE_LICENSE":     starlark.NewBuiltin("MODULE_LICENSE", m.moduleInfo("license")),
		"MODULE_AUTHOR":      starlark.NewBuiltin("MODULE_AUTHOR", m.moduleInfo("author")),
		"MODULE_DESCRIPTION": starlark.NewBuiltin("MODULE_DESCRIPTION", m.moduleInfo("description")),
		"MODULE_VERSION":     starlark.NewBuiltin("MODULE_VERSION", m.moduleInfo("version")),
	}
	levels := []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}
	for lvl, name := range levels {
		prefix := kernelsim.KernSOH + string(rune('0'+lvl))
		d["KERN_"+strings.ToUpper(strings.Replace(name, "warn", "warning", 1))] = starlark.String(prefix)
		d["pr_"+name] = starlark.NewBuiltin("pr_"+name, m.printk(prefix))
	}
	return d
}

func currentModule(t *starlark.Thread) *module {
	mod, _ := t.Local("module").(*module)
	return mod
}

func (m *Machine) moduleFn(init bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var fn starlark.Callable
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &fn); err != nil {
			return nil, err
		}
		mod := currentModule(t)
		if mod == nil {
			return nil, fmt.Errorf("%s: only at a module's top level", b.Name())
		}
		if init {
			mod.init = fn
		} else {
			mod.exit = fn
		}
		return starlark.None, nil
	}
}

func (m *Machine) moduleInfo(field string) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var s string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &s); err != nil {
			return nil, err
		}
		if mod := currentModule(t); mod != nil {
			mod.info = append(mod.info, [2]string{field, s})
		}
		return starlark.None, nil
	}
}

// cLengthRe matches C length modifiers that Starlark's % does not know.
var cLengthRe = regexp.MustCompile(`%([-0-9]*)(?:zu|zd|lu|ld|llu|lld|u|i|lx|llx)`)

// format applies a C format with Starlark's % operator after dropping the
// C length modifiers: enough for the fake.
func format(f string, args starlark.Tuple) (string, error) {
	f = cLengthRe.ReplaceAllString(f, "%${1}d")
	if len(args) == 0 {
		return strings.ReplaceAll(f, "%%", "%"), nil
	}
	v, err := starlark.Binary(syntax.PERCENT, starlark.String(f), args)
	if err != nil {
		return "", err
	}
	return string(v.(starlark.String)), nil
}

func (m *Machine) printk(prefix string) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: missing format", b.Name())
		}
		f, ok := starlark.AsString(args[0])
		if !ok {
			return nil, fmt.Errorf("%s: got %s, want a format string", b.Name(), args[0].Type())
		}
		s, err := format(f, args[1:])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", b.Name(), err)
		}
		if prefix != kernelsim.KernSOH+"7" {
			m.k.Printk(prefix + s)
		}
		return starlark.None, nil
	}
}

func (m *Machine) record(t *starlark.Thread, fn string, gfp, size uint64, failed bool) {
	c := kruntime.Call{Fn: fn, GFP: kernelsim.GFP(gfp), Size: size, Context: "process", Failed: failed, Count: 1}
	if mod := currentModule(t); mod != nil {
		c.Module = mod.name
	}
	if t.CallStackDepth() > 1 {
		c.Pos = t.CallFrame(1).Pos.String()
	}
	m.calls = append(m.calls, c)
}

func (m *Machine) kmalloc(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var size, flags uint64
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "size", &size, "flags", &flags); err != nil {
		return nil, err
	}
	m.kmallocs++
	if m.kmallocs == m.failNth {
		m.record(t, "kmalloc", flags, size, true)
		return starlark.MakeUint64(0), nil
	}
	m.record(t, "kmalloc", flags, size, false)
	addr := m.nextAddr
	m.nextAddr += (size + 63) &^ 63
	return starlark.MakeUint64(addr), nil
}

func (m *Machine) kfree(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p uint64
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "objp", &p); err != nil {
		return nil, err
	}
	m.record(t, "kfree", 0, 0, false)
	return starlark.None, nil
}

func (m *Machine) userProgram(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var main starlark.Callable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "main", &main); err != nil {
		return nil, err
	}
	m.programs[name] = main
	return starlark.None, nil
}

func (m *Machine) printf(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 || m.stdout == nil {
		return nil, fmt.Errorf("printf: only in a user program, with a format")
	}
	f, _ := starlark.AsString(args[0])
	s, err := format(f, args[1:])
	if err != nil {
		return nil, fmt.Errorf("printf: %v", err)
	}
	fmt.Fprint(m.stdout, s)
	return starlark.MakeInt(len(s)), nil
}
