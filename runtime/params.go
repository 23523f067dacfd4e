package runtime

import (
	"fmt"
	"math"
	"strings"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/runtime/lazy"
)

// Module parameters: module_param(name, type, default, desc) declares one;
// kernelsim (module_param.go) parses insmod's name=value as kernel/params.c
// does, and the top level's module_param() call returns the result.

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
var paramTypes = lazy.NewMap(paramTypesTable)

func paramTypesTable() map[string]paramType {
	return map[string]paramType{
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

// cutParam splits an insmod argument "name=value".
func cutParam(arg string) (name, val string, hasVal bool) { return strings.Cut(arg, "=") }

// containsPrint reports whether a dyndbg flags string turns printing on.
func containsPrint(flags string) bool { return strings.Contains(flags, "+p") }
