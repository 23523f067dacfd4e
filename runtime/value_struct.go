package runtime

import (
	"encoding/binary"
	"fmt"
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// StructType is a C struct declaration made by struct_type(name, fields):
// its fields with their C types, offsets and the padding x86-64's ABI puts
// between them, e.g.
//
//	item = struct_type("item", [("id", "int"), ("name", "char[16]"), ("next", "ptr")])
//	sizeof(item)  # 32: id at 0, name at 4, next at 24 (aligned to 8)
type StructType struct {
	name   string
	fields []field
	byName map[string]*field
	names  []string // sorted, for AttrNames of views
	size   uint64
	align  uint64
}

type field struct {
	name string
	off  uint64
	t    *ctype
}

var _ starlark.Value = (*StructType)(nil)

// newStructType lays out fields as a C compiler does: each at the next
// multiple of its alignment, the whole padded to the largest alignment.
func newStructType(name string, fields []field) (*StructType, error) {
	st := &StructType{name: name, byName: make(map[string]*field), align: 1}
	var off uint64
	for _, f := range fields {
		if _, dup := st.byName[f.name]; dup {
			return nil, fmt.Errorf("duplicate member %q", f.name)
		}
		off = alignUp(off, f.t.align)
		f.off = off
		off += f.t.size
		st.align = max(st.align, f.t.align)
		st.fields = append(st.fields, f)
	}
	for i := range st.fields {
		st.byName[st.fields[i].name] = &st.fields[i]
		st.names = append(st.names, st.fields[i].name)
	}
	sort.Strings(st.names)
	st.size = alignUp(off, st.align)
	return st, nil
}

func (st *StructType) String() string        { return "struct " + st.name }
func (st *StructType) Type() string          { return "struct_type" }
func (st *StructType) Freeze()               {}
func (st *StructType) Truth() starlark.Bool  { return true }
func (st *StructType) Hash() (uint32, error) { return starlark.String(st.name).Hash() }

// StructView is cast(p, T): a struct T * whose fields read and write the
// simulated memory at p, each access checked by kernelsim.
type StructView struct {
	e    *env
	addr kernelsim.Addr
	t    *StructType
}

var (
	_ starlark.HasSetField = StructView{}
	_ starlark.Comparable  = StructView{}
)

func (v StructView) String() string {
	return fmt.Sprintf("(struct %s *)0x%016x", v.t.name, uint64(v.addr))
}
func (v StructView) Type() string          { return "struct " + v.t.name + " *" }
func (v StructView) Freeze()               {}
func (v StructView) Truth() starlark.Bool  { return v.addr != 0 }
func (v StructView) Hash() (uint32, error) { return uint32(v.addr) ^ uint32(v.addr>>32), nil }
func (v StructView) AttrNames() []string   { return v.t.names }

func (v StructView) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return compareAddr(op, uint64(v.addr), uint64(y.(StructView).addr)), nil
}

// Attr reads field name (p->name): integers as int, pointers as ptr,
// arrays as a pointer to their first element, nested structs as views.
func (v StructView) Attr(name string) (starlark.Value, error) {
	f, ok := v.t.byName[name]
	if !ok {
		return nil, nil
	}
	a := v.addr + kernelsim.Addr(f.off)
	switch f.t.kind {
	case cArray:
		return Ptr{e: v.e, addr: a, end: a + kernelsim.Addr(f.t.size), flags: ptrArray}, nil
	case cStruct:
		return StructView{e: v.e, addr: a, t: f.t.st}, nil
	}
	buf := make([]byte, f.t.size)
	if err := v.e.read(a, buf); err != nil {
		return nil, err
	}
	return scalarValue(v.e, f.t, buf), nil
}

// scalarValue decodes a little-endian scalar of type t.
func scalarValue(e *env, t *ctype, buf []byte) starlark.Value {
	var u uint64
	for i := len(buf) - 1; i >= 0; i-- {
		u = u<<8 | uint64(buf[i])
	}
	switch t.kind {
	case cPointer:
		return Ptr{e: e, addr: kernelsim.Addr(u)}
	case cBool:
		return starlark.Bool(u != 0)
	case cSigned:
		shift := 64 - 8*t.size
		return starlark.MakeInt64(int64(u<<shift) >> shift)
	}
	return starlark.MakeUint64(u)
}

// SetField writes field name (p->name = x), converting x as C assignment
// does: integers are truncated to the field's width.
func (v StructView) SetField(name string, x starlark.Value) error {
	f, ok := v.t.byName[name]
	if !ok {
		return starlark.NoSuchAttrError(fmt.Sprintf("struct %s has no member named '%s'", v.t.name, name))
	}
	var u uint64
	switch f.t.kind {
	case cArray:
		return v.setCharArray(f, x)
	case cStruct:
		return fmt.Errorf("cannot assign to struct member .%s: copy into it with memcpy", name)
	case cPointer:
		a, err := pointerValue(x)
		if err != nil {
			return fmt.Errorf(".%s: %v", name, err)
		}
		u = uint64(a)
	default:
		n, err := cInteger(x, f.t.name)
		if err != nil {
			return fmt.Errorf(".%s: %v", name, err)
		}
		u = n
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], u)
	return v.e.write(v.addr+kernelsim.Addr(f.off), buf[:f.t.size])
}

// setCharArray assigns a string to a char array member, as the array's
// initialiser would be written: its bytes, and a NUL when there is room.
// Unlike C, where arrays cannot be assigned, kscript allows this for char
// arrays as a shorthand for strscpy; other arrays are copied with memcpy.
func (v StructView) setCharArray(f *field, x starlark.Value) error {
	s, ok := x.(starlark.String)
	b, isBytes := x.(starlark.Bytes)
	if isBytes {
		s, ok = starlark.String(b), true
	}
	if !ok || f.t.elem.size != 1 {
		return fmt.Errorf("cannot assign %s to array member .%s (%s): copy into it with strscpy or memcpy", x.Type(), f.name, f.t.name)
	}
	if uint64(len(s)) > f.t.size {
		return fmt.Errorf(".%s: a %d-byte string does not fit in %s", f.name, len(s), f.t.name)
	}
	data := []byte(s)
	if uint64(len(data)) < f.t.size {
		data = append(data, 0)
	}
	return v.e.write(v.addr+kernelsim.Addr(f.off), data)
}

// pointerValue converts a value assigned to a pointer member.
func pointerValue(x starlark.Value) (kernelsim.Addr, error) {
	if a, ok := pointerAddr(x); ok {
		return a, nil
	}
	if n, ok := x.(starlark.Int); ok && n.Sign() == 0 {
		return 0, nil // a literal 0 is NULL, as in C
	}
	return 0, fmt.Errorf("got %s, want a pointer", x.Type())
}
