package runtime

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// Static is the record static(**fields) returns: C globals with static
// storage duration, e.g.
//
//	g = static(my_buffer = NULL, buffer_size = 128)
//
// Starlark functions cannot assign module globals, so C code that sets a
// global in init and reads it in exit sets a field of a Static instead. Its
// fields are fixed at declaration, as a C file's globals are; their values
// stay mutable for the module's lifetime (module state is never frozen).
type Static struct {
	e      *env     // for the namespace check: user programs cannot reach it
	names  []string // sorted
	fields map[string]starlark.Value
	frozen bool
}

var _ starlark.HasSetField = (*Static)(nil)

func newStatic(e *env, kwargs []starlark.Tuple) *Static {
	s := &Static{e: e, fields: make(map[string]starlark.Value, len(kwargs))}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		s.fields[name] = kv[1]
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	return s
}

// String lists the fields in name order: static(buffer_size = 128, my_buffer = NULL).
func (s *Static) String() string {
	var b strings.Builder
	b.WriteString("static(")
	for i, n := range s.names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = %s", n, s.fields[n])
	}
	b.WriteString(")")
	return b.String()
}

func (s *Static) Type() string         { return "static" }
func (s *Static) Truth() starlark.Bool { return true }
func (s *Static) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: static")
}

// Freeze is called only if a script freezes the record explicitly; kscript
// never freezes module state.
func (s *Static) Freeze() {
	if s.frozen {
		return
	}
	s.frozen = true
	for _, v := range s.fields {
		v.Freeze()
	}
}

func (s *Static) Attr(name string) (starlark.Value, error) {
	if err := s.e.moduleGlobal(name); err != nil {
		return nil, err
	}
	if v, ok := s.fields[name]; ok {
		return v, nil
	}
	return nil, nil
}

func (s *Static) AttrNames() []string { return s.names }

// SetField assigns a declared field; a new name is an error, as assigning
// an undeclared C variable is.
func (s *Static) SetField(name string, v starlark.Value) error {
	if err := s.e.moduleGlobal(name); err != nil {
		return err
	}
	if _, ok := s.fields[name]; !ok {
		return starlark.NoSuchAttrError(fmt.Sprintf("static has no field .%s: declare it in static(...)", name))
	}
	if s.frozen {
		return fmt.Errorf("cannot set .%s of a frozen static", name)
	}
	s.fields[name] = v
	return nil
}
