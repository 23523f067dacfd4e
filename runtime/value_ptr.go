package runtime

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// Ptr is a C pointer (void *, char *): an address in the simulated machine.
// Kernel pointers lie in the direct map, the vmalloc area or the module
// space; a __user pointer lies below TASK_SIZE_MAX and came from user space.
// NULL is the zero address and is false.
//
// A Ptr is a handle: it holds no memory. Every p[i], p[i] = b and p[a:b]
// goes through kernelsim's ReadMem/WriteMem, so a fault, a KASAN finding or
// an SMAP violation is the simulated kernel's to report.
type Ptr struct {
	e    *env
	addr kernelsim.Addr
	// end is one past the end of the C array the pointer points into, when
	// the compiler would know it (a static_buffer): __builtin_object_size,
	// which copy_from_user's check_copy_size uses. 0 when unknown.
	end   kernelsim.Addr
	flags ptrFlags
}

type ptrFlags uint8

const (
	ptrUser  ptrFlags = 1 << iota // a __user pointer (from a system call)
	ptrArray                      // the array itself, not a pointer into it: sizeof gives its size
)

var (
	_ starlark.Comparable = Ptr{}
	_ starlark.HasBinary  = Ptr{}
	_ starlark.HasSetKey  = Ptr{}
	_ starlark.Sliceable  = Ptr{}
)

// Addr returns the address p holds.
func (p Ptr) Addr() kernelsim.Addr { return p.addr }

// IsUser reports whether p is a __user pointer.
func (p Ptr) IsUser() bool { return p.flags&ptrUser != 0 }

// String formats p as a C cast: (void *)0xffff888003a1c000, or NULL.
func (p Ptr) String() string {
	switch {
	case p.addr == 0:
		return "NULL"
	case p.IsUser():
		return fmt.Sprintf("(void __user *)0x%016x", uint64(p.addr))
	}
	return fmt.Sprintf("(void *)0x%016x", uint64(p.addr))
}

// Type is the C type, so that argument errors read like a compiler's.
func (p Ptr) Type() string {
	if p.IsUser() {
		return "void __user *"
	}
	return "void *"
}

func (p Ptr) Freeze()               {}
func (p Ptr) Truth() starlark.Bool  { return p.addr != 0 }
func (p Ptr) Hash() (uint32, error) { return uint32(p.addr) ^ uint32(p.addr>>32), nil }

// CompareSameType compares addresses, as C compares pointers.
func (p Ptr) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return compareAddr(op, uint64(p.addr), uint64(y.(Ptr).addr)), nil
}

func compareAddr(op syntax.Token, x, y uint64) bool {
	switch op {
	case syntax.EQL:
		return x == y
	case syntax.NEQ:
		return x != y
	case syntax.LT:
		return x < y
	case syntax.LE:
		return x <= y
	case syntax.GT:
		return x > y
	}
	return x >= y
}

// Binary implements C pointer arithmetic on bytes (GNU C's void *
// arithmetic): p + n, n + p, p - n, and p - q (a ptrdiff_t). The integer
// operators % // & | ^ << >> work on the address as C's
// (unsigned long)p would, giving an int: p % PAGE_SIZE, p & PAGE_MASK.
func (p Ptr) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if q, ok := y.(Ptr); ok && op == syntax.MINUS && side == starlark.Left {
		return starlark.MakeInt64(int64(p.addr - q.addr)), nil
	}
	switch op {
	case syntax.PERCENT, syntax.SLASHSLASH, syntax.AMP, syntax.PIPE, syntax.CIRCUMFLEX, syntax.LTLT, syntax.GTGT:
		if _, ok := y.(starlark.Int); !ok {
			return nil, nil
		}
		addr := starlark.MakeUint64(uint64(p.addr))
		if side == starlark.Left {
			return starlark.Binary(op, addr, y)
		}
		return starlark.Binary(op, y, addr)
	}
	n, ok := y.(starlark.Int)
	if !ok || (op != syntax.PLUS && op != syntax.MINUS) || (op == syntax.MINUS && side == starlark.Right) {
		return nil, nil
	}
	d, ok := n.Int64()
	if !ok {
		return nil, fmt.Errorf("pointer arithmetic: offset %v out of range", n)
	}
	if op == syntax.MINUS {
		d = -d
	}
	return p.offset(d), nil
}

// offset returns p + d: it keeps the array bound, drops "is the array".
func (p Ptr) offset(d int64) Ptr {
	q := p
	q.addr = p.addr + kernelsim.Addr(d)
	q.flags &^= ptrArray
	return q
}

// Get implements p[i]: the byte at p + i (unsigned char).
func (p Ptr) Get(k starlark.Value) (starlark.Value, bool, error) {
	i, err := ptrIndex(k)
	if err != nil {
		return nil, false, err
	}
	var b [1]byte
	if err := p.e.read(p.addr+kernelsim.Addr(i), b[:]); err != nil {
		return nil, false, err
	}
	return starlark.MakeInt(int(b[0])), true, nil
}

// SetKey implements p[i] = v: v is a byte value (-128..255) or a
// one-character string, as C's char literals.
func (p Ptr) SetKey(k, v starlark.Value) error {
	i, err := ptrIndex(k)
	if err != nil {
		return err
	}
	b, err := byteValue(v)
	if err != nil {
		return err
	}
	return p.e.write(p.addr+kernelsim.Addr(i), []byte{b})
}

func ptrIndex(k starlark.Value) (int64, error) {
	n, ok := k.(starlark.Int)
	if !ok {
		return 0, fmt.Errorf("pointer index: got %s, want int", k.Type())
	}
	i, ok := n.Int64()
	if !ok {
		return 0, fmt.Errorf("pointer index: %v out of range", n)
	}
	return i, nil
}

// byteValue converts a value stored through a char pointer.
func byteValue(v starlark.Value) (byte, error) {
	switch v := v.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < -128 || n > 255 {
			return 0, fmt.Errorf("pointer store: %v does not fit in a char (-128..255)", v)
		}
		return byte(n), nil
	case starlark.String:
		if len(v) == 1 {
			return v[0], nil
		}
	case starlark.Bytes:
		if len(v) == 1 {
			return v[0], nil
		}
	}
	return 0, fmt.Errorf("pointer store: got %s, want a char (an int or a one-character string)", v.Type())
}

// maxSlice bounds p[a:b]; larger reads should use bytes_at.
const maxSlice = 1 << 20

// Len exists only because Starlark's slice syntax needs it; a C pointer has
// no length, and len(p) is meaningless.
func (p Ptr) Len() int { return 1<<31 - 1 }

// Index is unused by p[i] (Get comes first) but Sliceable requires it.
func (p Ptr) Index(i int) starlark.Value {
	v, _, err := p.Get(starlark.MakeInt(i))
	if err != nil {
		p.e.fail(err)
		return starlark.None
	}
	return v
}

// Slice implements p[a:b]: the bytes from p + a to p + b. Starlark gives
// Slice no error return, so a fault stops the script through env.fail.
func (p Ptr) Slice(start, end, step int) starlark.Value {
	switch {
	case step != 1:
		p.e.fail(fmt.Errorf("pointer slice: step %d, want 1", step))
	case start >= 1<<30:
		p.e.fail(fmt.Errorf("pointer slice: negative bounds: use bytes_at(p - n, n)"))
	case end-start > maxSlice:
		p.e.fail(fmt.Errorf("pointer slice: %d bytes, more than %d: use bytes_at", end-start, maxSlice))
	default:
		buf := make([]byte, end-start)
		if err := p.e.read(p.addr+kernelsim.Addr(start), buf); err != nil {
			p.e.fail(err)
			return starlark.Bytes("")
		}
		return starlark.Bytes(buf)
	}
	return starlark.Bytes("")
}
