package runtime

import (
	"fmt"
	"path/filepath"
	"strconv"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// This file is the runtime's contact with kernelsim's module loader
// (kernel/module/main.c): the runtime runs a script's top level, init and
// exit; kernelsim keeps the module's state, memory, taints and parameters.

// kmodHandle is kernelsim's struct module of a loaded script.
type kmodHandle = *kernelsim.Module

// spec builds what insmod hands the kernel from what the probe learnt.
func (s *script) spec() kernelsim.ModuleSpec {
	p := s.probe
	spec := kernelsim.ModuleSpec{
		Name:       s.name,
		SrcVersion: s.srcversion(),
		TextSize:   uint64(len(s.src)), // a stand-in: about a byte of code per byte of script
		DataSize:   p.dataSize,
		HasInit:    p.init != nil,
		HasExit:    p.exit != nil,
		InitFunc:   funcName(p.init),
		ExitAt:     defFrame(p.exit, s.name),
	}
	for _, t := range p.tags {
		switch t.key {
		case "license":
			spec.License = t.value
		case "author":
			spec.Author = t.value
		case "description":
			spec.Description = t.value
		case "version":
			spec.Version = t.value
		}
	}
	for _, prm := range p.params {
		spec.Params = append(spec.Params, kernelsim.ModuleParam{Name: prm.name, Type: prm.typ, Desc: prm.desc, Value: paramString(prm.typ, prm.def)})
	}
	return spec
}

// defFrame is where a script function is defined, as a frame of module
// mod: kscript's reports of what an exit function left undone name it.
func defFrame(fn starlark.Callable, mod string) kernelsim.Frame {
	f, ok := fn.(*starlark.Function)
	if !ok {
		return kernelsim.Frame{}
	}
	pos := f.Position()
	return kernelsim.Frame{Func: f.Name(), File: filepath.Base(pos.Filename()), Line: int(pos.Line), Col: int(pos.Col), Module: mod}
}

func funcName(fn starlark.Callable) string {
	if fn == nil {
		return ""
	}
	return fn.Name()
}

// paramString formats a parameter's default as its param_get_* prints it.
func paramString(typ string, v starlark.Value) string {
	switch v := v.(type) {
	case starlark.Bool:
		if v {
			return "Y"
		}
		return "N"
	case starlark.String:
		return string(v)
	case starlark.Int:
		if typ == "hexint" {
			u, _ := v.Uint64()
			return fmt.Sprintf("%#08x", u)
		}
		return v.String()
	}
	return v.String()
}

// paramValue converts a parameter's value, as kernelsim stores it after
// parse_args, to what the script's module_param() returns.
func paramValue(p kernelsim.ModuleParam) starlark.Value {
	switch p.Type {
	case "bool", "invbool":
		return starlark.Bool(p.Value == "Y")
	case "charp":
		return starlark.String(p.Value)
	}
	if n, err := strconv.ParseInt(p.Value, 0, 64); err == nil {
		return starlark.MakeInt64(n)
	}
	u, _ := strconv.ParseUint(p.Value, 0, 64)
	return starlark.MakeUint64(u)
}

// kmodLoad mirrors load_module() up to init: kernelsim checks .modinfo
// (taint lines), allocates the module's memory in the module space, refuses
// a duplicate and parses the parameters. Errors are *InsmodError.
func (m *Machine) kmodLoad(inst *instance, ko string, args []string) error {
	var kargs []string
	for _, a := range args {
		if name, val, _ := cutParam(a); name == "dyndbg" { // ddebug_dyndbg_module_param_cb
			inst.dyndbg = containsPrint(val)
			continue
		}
		kargs = append(kargs, a)
	}
	km, err := m.k.LoadModule(inst.s.spec(), kargs)
	if err != nil {
		if errno, ok := err.(kernelsim.Errno); ok {
			return &InsmodError{File: ko, Errno: errno}
		}
		return err
	}
	inst.kmod = km
	inst.values = make(map[string]starlark.Value, len(km.Params))
	for _, p := range km.Params {
		inst.values[p.Name] = paramValue(p)
	}
	return nil
}

// dataAddr is the address of byte off of the module's data section.
func (inst *instance) dataAddr(off uint64) kernelsim.Addr {
	if inst.kmod == nil { // the probe: no memory; the address is never used
		return kernelsim.ModulesVaddr + kernelsim.Addr(off)
	}
	return inst.kmod.DataAddr(off)
}

// writeStatic initialises a static buffer in the module's data section, as
// the loader copies .data from the module image.
func (m *Machine) writeStatic(a kernelsim.Addr, data []byte) error {
	return m.k.WriteMem(a, data)
}

// staticAt names the static_buffer global whose array holds a, or is "":
// for calls: into:, which asks where a memory or string helper wrote.
func (inst *instance) staticAt(a kernelsim.Addr) string {
	for _, sb := range inst.statics {
		if start := inst.dataAddr(sb.off); a >= start && a-start < kernelsim.Addr(sb.size) {
			return sb.name
		}
	}
	return ""
}
