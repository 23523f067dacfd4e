package runtime

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// pointer mirrors lib/vsprintf.c:pointer(): %p and its extensions.
func (f *formatter) pointer(spec printfSpec) error {
	v, err := f.next("%p" + spec.ext)
	if err != nil {
		return err
	}
	if f.libc { // glibc: 0x and the address, (nil) for NULL
		a, err := pointerArg(v)
		if err != nil {
			return err
		}
		s := "(nil)"
		if a != 0 {
			s = fmt.Sprintf("%#x", uint64(a))
		}
		f.out.WriteString(widen(s, spec))
		return nil
	}
	var ext byte
	if spec.ext != "" {
		ext = spec.ext[0]
	}
	switch ext {
	case 'S', 's', 'B':
		return f.symbol(v, ext)
	case 'a':
		return f.physAddr(v)
	case 'G':
		return f.flagNames(v, spec)
	case 'h':
		return f.hexString(v, spec)
	case 'R', 'r', 'b', 'M', 'm', 'I', 'i', 'E', 'U', 'V', 'N', 'd', 'D', 'g', 'C', 'O', 'e', 'f', 't', 'k', 'u':
		return fmt.Errorf("%%p%s is not simulated by kscript", spec.ext)
	}
	a, err := pointerArg(v)
	if err != nil {
		return err
	}
	f.e.calls.held.notePrinted(a) // ({{kptr}})
	if ext == 'x' {
		f.out.WriteString(pointerString(uint64(a), spec))
		return nil
	}
	f.out.WriteString(f.ptrToID(a, spec)) // %p, %pK (kptr_restrict=0) and unknown letters
	return nil
}

// pointerAddr returns the address a pointer-like value holds: a ptr, a
// struct view, or a page (its struct page *).
func pointerAddr(v starlark.Value) (kernelsim.Addr, bool) {
	switch x := v.(type) {
	case Ptr:
		return x.addr, true
	case StructView:
		return x.addr, true
	case Page:
		return kernelsim.PageStructAddr(x.pfn), true
	}
	return 0, false
}

// pointerArg returns the address a %p argument holds.
func pointerArg(v starlark.Value) (kernelsim.Addr, error) {
	if a, ok := pointerAddr(v); ok {
		return a, nil
	}
	if _, ok := v.(starlark.Callable); ok {
		return 0, fmt.Errorf("got a function: print its name with %%ps or %%pS")
	}
	return 0, fmt.Errorf("got %s, want a pointer", v.Type())
}

// pointerString mirrors pointer_string(): hex, 16 digits zero-padded
// unless a width was given.
func pointerString(u uint64, spec printfSpec) string {
	spec.base = 16
	spec.flags |= fSmall
	if spec.width == -1 {
		spec.width = 16
		spec.flags |= fZeroPad
	}
	return number(u, spec)
}

// ptrToID mirrors ptr_to_id(): the pointer hashed with the boot's key, so
// that %p does not leak kernel addresses; NULL and error pointers print
// as they are. The hash is kernelsim's (HashPointer), so that a pointer
// reads the same in the script's messages and in the kernel's.
func (f *formatter) ptrToID(a kernelsim.Addr, spec printfSpec) string {
	if a == 0 || a >= errPtrMin {
		return pointerString(uint64(a), spec)
	}
	h, err := strconv.ParseUint(f.e.k.HashPointer(a), 16, 64)
	if err != nil {
		panic(fmt.Sprintf("kernelsim.HashPointer(%#x): %v", uint64(a), err)) // kscript's bug
	}
	return pointerString(h, spec)
}

// symbol mirrors %pS / %ps (symbol_string): a script function's name, with
// +offset/size for %pS and [module] for module code.
func (f *formatter) symbol(v starlark.Value, ext byte) error {
	var name, mod string
	switch x := v.(type) {
	case *starlark.Function:
		name, mod = x.Name(), f.e.fileMod[x.Position().Filename()]
	case *starlark.Builtin:
		name = x.Name()
	default:
		a, err := pointerArg(v)
		if err != nil {
			return err
		}
		f.out.WriteString(fmt.Sprintf("%#x", uint64(a))) // no symbol: the raw address
		return nil
	}
	f.out.WriteString(name)
	if ext != 's' {
		f.out.WriteString(fmt.Sprintf("+0x0/%#x", symbolSize(name)))
	}
	if mod != "" {
		f.out.WriteString(" [" + mod + "]")
	}
	return nil
}

// symbolSize stands in for a function's code size in %pS. Unlike Linux,
// script functions have no machine code, so the size is made up (stable
// per name).
func symbolSize(name string) uint64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 0x30 + uint64(h.Sum32()%0x40)*0x10
}

// physAddr mirrors %pa (phys_addr_t, by reference in C): special_hex_number.
func (f *formatter) physAddr(v starlark.Value) error {
	var u uint64
	switch x := v.(type) {
	case Ptr:
		u = uint64(x.addr)
	default:
		n, err := cInteger(v, "phys_addr_t")
		if err != nil {
			return err
		}
		u = n
	}
	f.out.WriteString(number(u, printfSpec{flags: fSpecial | fSmall | fZeroPad, width: 18, prec: -1, base: 16}))
	return nil
}

// flagNames mirrors %pGg (flags_string + format_flags): GFP flag names.
func (f *formatter) flagNames(v starlark.Value, spec printfSpec) error {
	if spec.ext != "Gg" {
		return fmt.Errorf("%%p%s is not simulated by kscript (only %%pGg)", spec.ext)
	}
	n, err := cInteger(v, "gfp_t")
	if err != nil {
		return err
	}
	if n != 0 {
		f.out.WriteString(kernelsim.GFP(n).String())
	}
	return nil
}

// hexString mirrors %*ph (hex_string): up to 64 bytes as hex, separated by
// ' ' (%ph), ':' (%phC), '-' (%phD) or nothing (%phN).
func (f *formatter) hexString(v starlark.Value, spec printfSpec) error {
	n := 1
	if spec.width == 0 {
		return nil
	} else if spec.width > 0 {
		n = min(spec.width, 64)
	}
	sep := " "
	if len(spec.ext) > 1 {
		switch spec.ext[1] {
		case 'C':
			sep = ":"
		case 'D':
			sep = "-"
		case 'N':
			sep = ""
		}
	}
	buf, err := f.hexBytes(v, n)
	if err != nil || buf == nil {
		return err
	}
	parts := make([]string, len(buf))
	for i, b := range buf {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	f.out.WriteString(strings.Join(parts, sep))
	return nil
}

// hexBytes reads %ph's n bytes; nil after writing (null)/(efault).
func (f *formatter) hexBytes(v starlark.Value, n int) ([]byte, error) {
	switch x := v.(type) {
	case starlark.Bytes, starlark.String:
		s := bytesOrString(x)
		if len(s) < n {
			return nil, fmt.Errorf("%d bytes requested from a %d-byte value", n, len(s))
		}
		return []byte(s[:n]), nil
	case Ptr:
		if msg := checkPointerMsg(x.addr); msg != "" {
			f.out.WriteString(msg)
			return nil, nil
		}
		buf := make([]byte, n)
		return buf, f.e.read(x.addr, buf)
	}
	return nil, fmt.Errorf("got %s, want a pointer to the bytes", v.Type())
}

// bytesOrString returns the contents of a Starlark string or bytes.
func bytesOrString(v starlark.Value) string {
	if b, ok := v.(starlark.Bytes); ok {
		return string(b)
	}
	s, _ := starlark.AsString(v)
	return s
}
