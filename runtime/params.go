package runtime

import (
	"fmt"
	"math"
	"strings"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// This file mirrors kernel/params.c: module parameters, set by
// insmod NAME.ko name=value and parsed by the kernel with each type's
// param_ops before init runs.

// moduleParam is one module_param(name, type, default, desc) declaration.
type moduleParam struct {
	name string
	typ  string
	def  starlark.Value
	desc string
}

// paramType mirrors a struct kernel_param_ops: how a value is parsed.
type paramType struct {
	min, max int64 // integers: the C type's range (max as int64; ulong/ullong use umax)
	umax     uint64
	signed   bool
	kind     byte // 'i' integer, 'b' bool, 'B' invbool, 's' charp
}

// paramTypes are the types module_param accepts (param_ops_*).
var paramTypes = map[string]paramType{
	"byte":    {kind: 'i', umax: math.MaxUint8},
	"short":   {kind: 'i', signed: true, min: math.MinInt16, max: math.MaxInt16},
	"ushort":  {kind: 'i', umax: math.MaxUint16},
	"int":     {kind: 'i', signed: true, min: math.MinInt32, max: math.MaxInt32},
	"uint":    {kind: 'i', umax: math.MaxUint32},
	"hexint":  {kind: 'i', umax: math.MaxUint32},
	"long":    {kind: 'i', signed: true, min: math.MinInt64, max: math.MaxInt64},
	"ulong":   {kind: 'i', umax: math.MaxUint64},
	"ullong":  {kind: 'i', umax: math.MaxUint64},
	"bool":    {kind: 'b'},
	"invbool": {kind: 'B'},
	"charp":   {kind: 's'},
}

// checkDefault checks a declaration's default against its type, as the
// compiler checks the C variable's initialiser.
func (pt paramType) checkDefault(typ string, v starlark.Value) error {
	switch pt.kind {
	case 'b', 'B':
		if _, ok := v.(starlark.Bool); ok {
			return nil
		}
	case 's':
		if _, ok := v.(starlark.String); ok {
			return nil
		}
	default:
		if n, ok := v.(starlark.Int); ok {
			if _, ok := pt.inRange(n); ok {
				return nil
			}
			return fmt.Errorf("default %v out of range for %s", n, typ)
		}
	}
	return fmt.Errorf("default: got %s, want a %s value", v.Type(), typ)
}

func (pt paramType) inRange(n starlark.Int) (starlark.Value, bool) {
	if pt.signed {
		i, ok := n.Int64()
		return n, ok && i >= pt.min && i <= pt.max
	}
	u, ok := n.Uint64()
	return n, ok && u <= pt.umax
}

// parse mirrors param_set_<type>(): the value of name=val (hasVal false
// for a bare "name"), or the errno parse_args reports.
func (pt paramType) parse(val string, hasVal bool) (starlark.Value, kernelsim.Errno) {
	switch pt.kind {
	case 'b', 'B':
		if !hasVal {
			val = "1" // "No equals means "set"..."
		}
		b, ok := kstrtobool(val)
		if !ok {
			return nil, kernelsim.EINVAL
		}
		return starlark.Bool(b != (pt.kind == 'B')), 0
	case 's':
		if !hasVal {
			return nil, kernelsim.EINVAL
		}
		if len(val) > 1024 {
			return nil, kernelsim.ENOSPC
		}
		return starlark.String(val), 0
	}
	if !hasVal {
		return nil, kernelsim.EINVAL
	}
	return pt.parseInt(val)
}

func (pt paramType) parseInt(val string) (starlark.Value, kernelsim.Errno) {
	neg := pt.signed && strings.HasPrefix(val, "-")
	if neg {
		val = val[1:]
	}
	u, errno := kstrtoull(val)
	if errno != 0 {
		return nil, errno
	}
	if !pt.signed {
		if u > pt.umax {
			return nil, kernelsim.ERANGE
		}
		return starlark.MakeUint64(u), 0
	}
	if neg {
		if u > uint64(-(pt.min+1))+1 {
			return nil, kernelsim.ERANGE
		}
		return starlark.MakeInt64(-int64(u-1) - 1), 0
	}
	if u > uint64(pt.max) {
		return nil, kernelsim.ERANGE
	}
	return starlark.MakeUint64(u), 0
}

// kstrtoull mirrors kstrtoull(s, 0): an optional '+', then 0x.. hex,
// 0.. octal or decimal, and at most one trailing newline.
func kstrtoull(s string) (uint64, kernelsim.Errno) {
	s = strings.TrimPrefix(s, "+")
	s = strings.TrimSuffix(s, "\n")
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1]|0x20) == 'x' && isHex(s[2]):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	if s == "" {
		return 0, kernelsim.EINVAL
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		d := digitVal(s[i])
		if d >= base {
			return 0, kernelsim.EINVAL
		}
		if u > (math.MaxUint64-d)/base {
			return 0, kernelsim.ERANGE
		}
		u = u*base + d
	}
	return u, 0
}

func isHex(c byte) bool { return digitVal(c) < 16 }

func digitVal(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return uint64(c|0x20-'a') + 10
	}
	return 99
}

// kstrtobool mirrors kstrtobool() (lib/kstrtox.c).
func kstrtobool(s string) (bool, bool) {
	if s == "" {
		return false, false
	}
	switch s[0] {
	case 'y', 'Y', 't', 'T', '1':
		return true, true
	case 'n', 'N', 'f', 'F', '0':
		return false, true
	case 'o', 'O':
		if len(s) > 1 {
			switch s[1] {
			case 'n', 'N':
				return true, true
			case 'f', 'F':
				return false, true
			}
		}
	}
	return false, false
}

// parameq mirrors parameq(): '-' and '_' are the same in parameter names.
func parameq(a, b string) bool {
	return strings.ReplaceAll(a, "-", "_") == strings.ReplaceAll(b, "-", "_")
}

// parseArgs mirrors parse_args() for a module with the unknown-parameter
// callback of load_module (unknown_module_param_cb): it fills inst.values
// from insmod's arguments, printing the kernel's messages; the errno is
// what load_module returns.
func (m *Machine) parseArgs(inst *instance, args []string) kernelsim.Errno {
	inst.values = make(map[string]starlark.Value)
	name := inst.s.name
	for _, arg := range args {
		param, val, hasVal := strings.Cut(arg, "=")
		if param == "dyndbg" { // ddebug_dyndbg_module_param_cb: dynamic debug's own
			inst.dyndbg = strings.Contains(val, "+p")
			continue
		}
		p := inst.findParam(param)
		if p == nil {
			m.k.Printk(fmt.Sprintf("%s%s: unknown parameter '%s' ignored\n", kernelsim.KernSOH+"4", name, param))
			continue
		}
		v, errno := paramTypes[p.typ].parse(val, hasVal)
		switch errno {
		case 0:
			inst.values[p.name] = v
			continue
		case kernelsim.ENOSPC:
			m.k.Printk(fmt.Sprintf("%s%s: string parameter too long\n", kernelsim.KernSOH+"3", p.name))
			m.k.Printk(fmt.Sprintf("%s%s: `%s' too large for parameter `%s'\n", kernelsim.KernSOH+"3", name, val, param))
		default:
			m.k.Printk(fmt.Sprintf("%s%s: `%s' invalid for parameter `%s'\n", kernelsim.KernSOH+"3", name, val, param))
		}
		return errno
	}
	return 0
}

// findParam returns the probe's declaration of a parameter.
func (inst *instance) findParam(name string) *moduleParam {
	for _, p := range inst.s.probe.params {
		if parameq(name, p.name) {
			return p
		}
	}
	return nil
}
