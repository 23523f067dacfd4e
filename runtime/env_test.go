package runtime

import (
	"testing"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// TestPtrValue: the boxed pointer values env.ptrValue hands out are the
// Ptr of their own address, whatever the slots held before.
func TestPtrValue(t *testing.T) {
	m := newTestMachine(t)
	e := m.env
	for round := 0; round < 3; round++ {
		for i := kernelsim.Addr(0); i < 300; i++ {
			a := kernelsim.PageOffset + i*(8+kernelsim.Addr(round)*56)
			v := e.ptrValue(a)
			if p, ok := v.(Ptr); !ok || p != (Ptr{e: e, addr: a}) {
				t.Fatalf("ptrValue(%#x) = %#v", a, v)
			}
			if eq, err := starlark.Equal(v, Ptr{e: e, addr: a}); err != nil || !eq {
				t.Fatalf("ptrValue(%#x) != Ptr{%#x}", a, a)
			}
		}
	}
	if v := e.ptrValue(0); v.Truth() || v.String() != "NULL" {
		t.Errorf("ptrValue(0) = %v, want NULL", v)
	}
}
