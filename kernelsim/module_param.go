package kernelsim

import (
	"fmt"
	"math"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// Module parameters, mirroring kernel/params.c: insmod's "name=value"
// arguments are parsed by parse_args() when the module is COMING, each with
// the set operation of its type (param_set_int, param_set_bool, ...).

// ModuleParam mirrors struct kernel_param: a module_param() of a module.
type ModuleParam struct {
	Name string
	// Type is module_param()'s type: "int", "uint", "long", "ulong",
	// "ullong", "short", "ushort", "byte", "hexint", "bool", "invbool" or
	// "charp".
	Type string
	Desc string // MODULE_PARM_DESC
	// Value is the current value as /sys/module/NAME/parameters/NAME
	// shows it (param_get_*): "42", "Y", "hello".
	Value string
}

// paramRange is the range of each integer parameter type.
var paramRange = lazy.NewMap(paramRangeTable)

func paramRangeTable() map[string]struct {
	min    int64
	max    uint64
	signed bool
} {
	return map[string]struct {
		min    int64
		max    uint64
		signed bool
	}{
		"int":    {math.MinInt32, math.MaxInt32, true},
		"uint":   {0, math.MaxUint32, false},
		"hexint": {0, math.MaxUint32, false},
		"long":   {math.MinInt64, math.MaxInt64, true},
		"ulong":  {0, math.MaxUint64, false},
		"ullong": {0, math.MaxUint64, false},
		"short":  {math.MinInt16, math.MaxInt16, true},
		"ushort": {0, math.MaxUint16, false},
		"byte":   {0, math.MaxUint8, false},
	}
}

// parseModuleArgs mirrors parse_args() with unknown_module_param_cb(): an
// unknown name is warned about and ignored; a bad value is reported and
// fails the load with its errno, after every argument has been looked at.
func (k *Kernel) parseModuleArgs(m *Module, args []string) error {
	var err error
	for _, arg := range args {
		name, val, hasVal := strings.Cut(arg, "=")
		p := m.param(name)
		if p == nil {
			k.printk(LogWarning, "%s: unknown parameter '%s' ignored\n", m.Name, name)
			continue
		}
		e := p.set(val, hasVal)
		switch e {
		case nil:
			continue
		case ENOSPC:
			k.printk(LogErr, "%s: `%s' too large for parameter `%s'\n", m.Name, val, name)
		default:
			k.printk(LogErr, "%s: `%s' invalid for parameter `%s'\n", m.Name, val, name)
		}
		err = e
	}
	return err
}

// param finds a parameter as parameq() does: '-' and '_' are the same.
func (m *Module) param(name string) *ModuleParam {
	name = strings.ReplaceAll(name, "-", "_")
	for i := range m.Params {
		if strings.ReplaceAll(m.Params[i].Name, "-", "_") == name {
			return &m.Params[i]
		}
	}
	return nil
}

// set mirrors the param_ops set operation of p's type and stores the value
// as its get operation would print it. hasVal is false for a bare "name".
func (p *ModuleParam) set(val string, hasVal bool) error {
	switch p.Type {
	case "bool", "invbool":
		b := true
		if hasVal {
			var ok bool
			if b, ok = kstrtobool(val); !ok {
				return EINVAL
			}
		}
		p.Value = map[bool]string{true: "Y", false: "N"}[b != (p.Type == "invbool")]
		return nil
	case "charp":
		if !hasVal {
			return EINVAL
		}
		if len(val) > 1024 {
			return ENOSPC
		}
		p.Value = val
		return nil
	}
	r, ok := paramRange.Get()[p.Type]
	if !ok || !hasVal {
		return EINVAL
	}
	neg, u, err := kstrtoull(val)
	switch {
	case err != nil:
		return err
	case neg && !r.signed:
		return EINVAL
	case !neg && u > r.max, neg && u > uint64(-r.min):
		return ERANGE
	}
	p.Value = formatParam(p.Type, neg, u)
	return nil
}

// formatParam prints an integer parameter as its param_get_* does.
func formatParam(typ string, neg bool, u uint64) string {
	switch {
	case typ == "hexint":
		return fmt.Sprintf("%#08x", u)
	case neg:
		return fmt.Sprintf("-%d", u)
	}
	return fmt.Sprintf("%d", u)
}

// kstrtoull mirrors _kstrtoull() with base 0 and kstrtoll()'s sign: an
// optional '+' or '-', "0x" for hex, a leading 0 for octal, one trailing
// newline allowed. It returns the magnitude and whether it was negative.
func kstrtoull(s string) (neg bool, u uint64, err error) {
	s = strings.TrimSuffix(s, "\n")
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	base := uint64(10)
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" {
		return false, 0, EINVAL
	}
	for _, c := range []byte(s) {
		d := uint64(36)
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		}
		if d >= base {
			return false, 0, EINVAL
		}
		if u > (math.MaxUint64-d)/base {
			return false, 0, ERANGE
		}
		u = u*base + d
	}
	return neg, u, nil
}

// kstrtobool mirrors kstrtobool(): y/Y/1/on true, n/N/0/off false.
func kstrtobool(s string) (b, ok bool) {
	if s == "" {
		return false, false
	}
	switch s[0] {
	case 'y', 'Y', '1':
		return true, true
	case 'n', 'N', '0':
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
