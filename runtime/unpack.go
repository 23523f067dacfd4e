package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// Argument types. Each is a starlark.Unpacker that checks a builtin's
// argument as a C compiler checks a parameter's type, with the C type in
// its message ("got struct page *, want const void *"), so that every
// builtin taking a size, an order or a pointer rejects a wrong one with the
// same words.

// Size is a size_t argument. A negative int converts as C converts it to
// size_t (modulo 2^64), so kmalloc(-1) asks for a huge size and fails as on
// Linux.
type Size uint64

func (s *Size) Unpack(v starlark.Value) error {
	n, err := cInteger(v, "size_t")
	*s = Size(n)
	return err
}

// cInteger converts an int argument to a C integer parameter of type want,
// modulo 2^64.
func cInteger(v starlark.Value, want string) (uint64, error) {
	switch x := v.(type) {
	case starlark.Int:
		if n, ok := x.Int64(); ok {
			return uint64(n), nil
		}
		if n, ok := x.Uint64(); ok {
			return n, nil
		}
		return 0, fmt.Errorf("%v does not fit in %s", x, want)
	case starlark.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("got %s, want %s", v.Type(), want)
}

// GFPArg is a gfp_t argument: the allocation flags.
type GFPArg kernelsim.GFP

func (g *GFPArg) Unpack(v starlark.Value) error {
	n, ok := v.(starlark.Int)
	if !ok {
		return fmt.Errorf("got %s, want gfp_t (GFP_KERNEL, GFP_ATOMIC, ...)", v.Type())
	}
	u, ok := n.Uint64()
	if !ok || u > 1<<32-1 {
		return fmt.Errorf("%v is not a gfp_t: want GFP_* flags", n)
	}
	*g = GFPArg(u)
	return nil
}

// Order is an unsigned int order: a block of 2^order pages. Allocation
// functions pass any order to the buddy allocator, which refuses orders of
// MAX_ORDER and above with the kernel's warning; every other function
// checks it with valid.
type Order uint32

func (o *Order) Unpack(v starlark.Value) error {
	n, ok := v.(starlark.Int)
	if !ok {
		return fmt.Errorf("got %s, want unsigned int order (0..%d)", v.Type(), kernelsim.MaxOrder-1)
	}
	u, ok := n.Uint64()
	if !ok || u > 1<<32-1 {
		return fmt.Errorf("order %v out of range, want 0..%d", n, kernelsim.MaxOrder-1)
	}
	*o = Order(u)
	return nil
}

// valid checks an order outside the allocator's own checks.
func (o Order) valid(c call) error {
	if o >= kernelsim.MaxOrder {
		return c.errorf("order %d out of range, want 0..%d (MAX_ORDER is %d)", o, kernelsim.MaxOrder-1, kernelsim.MaxOrder)
	}
	return nil
}

// AddrArg is an unsigned long address argument (free_pages, virt_to_page):
// a ptr or an integer. pageHint is what to say when a struct page * is
// passed instead.
type AddrArg struct {
	a        kernelsim.Addr
	pageHint string
}

func (a *AddrArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case Ptr:
		a.a = x.addr
		return nil
	case StructView:
		a.a = x.addr
		return nil
	case Page:
		return fmt.Errorf("got struct page *, want an address (unsigned long)%s", hint(a.pageHint))
	}
	n, err := cInteger(v, "an address (unsigned long)")
	a.a = kernelsim.Addr(n)
	return err
}

func hint(h string) string {
	if h == "" {
		return ""
	}
	return ": " + h
}

// PageArg is a struct page * argument. NULL is accepted: the callee
// dereferences it, as Linux would.
type PageArg struct {
	pfn  kernelsim.PFN
	null bool
}

func (p *PageArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case Page:
		p.pfn = x.pfn
		return nil
	case Ptr:
		if x.addr == 0 {
			p.null = true
			return nil
		}
		return fmt.Errorf("got %s, want struct page *: use virt_to_page(addr) for the struct page * of an address", x.Type())
	case starlark.Int:
		if x.Sign() == 0 {
			p.null = true
			return nil
		}
	}
	return fmt.Errorf("got %s, want struct page *", v.Type())
}

// PtrArg is a void * / const void * argument: a ptr, a struct view, or
// NULL (also spelled 0, as C's null pointer constant).
type PtrArg struct {
	p Ptr
}

func (p *PtrArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case Ptr:
		p.p = x
		return nil
	case StructView:
		p.p = Ptr{e: x.e, addr: x.addr}
		return nil
	case Page:
		return fmt.Errorf("got struct page *, want const void *: use page_address(page) for its address")
	case starlark.Int:
		if x.Sign() == 0 {
			return nil
		}
	case starlark.NoneType:
		return fmt.Errorf("got None, want const void *: C's null pointer is NULL")
	}
	return fmt.Errorf("got %s, want const void *", v.Type())
}

// addr returns the pointer's address.
func (p PtrArg) addr() kernelsim.Addr { return p.p.addr }

// SrcArg is a const void * / const char * source: a ptr, or a Starlark
// string or bytes standing for a C string literal (its bytes and a NUL).
type SrcArg struct {
	p     Ptr
	lit   string
	isLit bool
}

func (s *SrcArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case starlark.String:
		s.lit, s.isLit = string(x), true
		return nil
	case starlark.Bytes:
		s.lit, s.isLit = string(x), true
		return nil
	}
	var p PtrArg
	if err := p.Unpack(v); err != nil {
		return err
	}
	s.p = p.p
	return nil
}

// CStr is a const char * argument: a ptr to a C string or a string literal.
type CStr = SrcArg

// str returns the C string: the literal up to its first NUL, or the bytes
// read from simulated memory up to the NUL (at most max).
func (s SrcArg) str(c call, max uint64) (string, error) {
	if s.isLit {
		if i := indexNUL(s.lit); i >= 0 {
			return s.lit[:i], nil
		}
		return s.lit, nil
	}
	return c.e.readCString(s.p.addr, max)
}

// bytes returns n bytes of the source. A literal has its bytes and a NUL;
// reading past them is an error (C would read past the literal in .rodata).
func (s SrcArg) bytes(c call, n uint64) ([]byte, error) {
	if s.isLit {
		lit := s.lit + "\x00"
		if n > uint64(len(lit)) {
			return nil, c.errorf("reads %d bytes from a %d-byte string literal (with its NUL)", n, len(lit))
		}
		return []byte(lit[:n]), nil
	}
	if n > maxCopy {
		return nil, c.errorf("copies %d bytes: kscript copies at most %d bytes at once", n, uint64(maxCopy))
	}
	buf := make([]byte, n)
	return buf, c.e.read(s.p.addr, buf)
}

// maxCopy bounds a single copy through Go memory (memcpy from a literal,
// kmemdup): 64 MiB, more than the largest vmalloc lesson.
const maxCopy = 64 << 20

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// FuncArg is a function pointer argument: a Starlark function.
type FuncArg struct {
	fn starlark.Callable
}

func (f *FuncArg) Unpack(v starlark.Value) error {
	fn, ok := v.(starlark.Callable)
	if !ok {
		return fmt.Errorf("got %s, want a function", v.Type())
	}
	f.fn = fn
	return nil
}
