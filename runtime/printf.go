package runtime

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// This file mirrors the kernel's vsnprintf (lib/vsprintf.c): C's
// conversions with the kernel's rules (number() pads and prefixes as the
// kernel does, which differs from glibc in corners such as "%#x" of 0) and
// its %p extensions. Arguments are checked as gcc's -Wformat would: a
// conversion given the wrong kind of value is an error, not garbage.

// printfSpec mirrors struct printf_spec: one decoded conversion.
type printfSpec struct {
	flags uint8
	width int  // -1: none
	prec  int  // -1: none
	qual  byte // 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 't'
	conv  byte // d i u x X o c s p %
	ext   string
	base  uint64
	libc  bool // glibc's rules rather than the kernel's (user programs' printf)
}

// The printf_spec flags.
const (
	fZeroPad = 1 << iota
	fSign    // a signed conversion (%d, %i)
	fPlus
	fSpace
	fLeft
	fSmall   // lower-case hex digits
	fSpecial // '#': 0x / 0 prefixes
)

// formatter is one vsnprintf call: the output and the arguments left.
type formatter struct {
	e    *env
	out  strings.Builder
	args starlark.Tuple
	used int
	libc bool // glibc's printf (user programs), not the kernel's
	// strFrames are the kernel functions that read a %s argument
	// (string_nocheck … _printk), for KASAN's report of an over-read.
	strFrames []string
}

// vsprintf formats format with args as the kernel's vsnprintf does. name
// prefixes errors ("pr_info: ...").
func (e *env) vsprintf(name, format string, args starlark.Tuple) (string, error) {
	f := &formatter{e: e, args: args, strFrames: stringFrames(name)}
	if err := f.run(format); err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	if f.used < len(args) {
		return "", fmt.Errorf("%s: too many arguments for format: %d given, the format uses %d", name, len(args), f.used)
	}
	// The text formatted is charged as a value built: a printk of a
	// 1 MiB string in a loop runs out of steps, not of the host's memory.
	if t := e.thread; t != nil {
		if err := e.charge(t, uint64(f.out.Len()/bytesPerValueStep)); err != nil {
			return "", err
		}
	}
	return f.out.String(), nil
}

func (f *formatter) run(format string) error {
	for i := 0; i < len(format); {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			f.out.WriteString(format[i:])
			return nil
		}
		f.out.WriteString(format[i : i+j])
		spec, n, err := f.decode(format[i+j:])
		if err != nil {
			return err
		}
		if err := f.convert(spec); err != nil {
			return fmt.Errorf("%s: %v", format[i+j:i+j+n], err)
		}
		i += j + n
	}
	return nil
}

// next returns the next argument.
func (f *formatter) next(what string) (starlark.Value, error) {
	if f.used >= len(f.args) {
		return nil, fmt.Errorf("missing argument for %s: only %d given", what, len(f.args))
	}
	f.used++
	return f.args[f.used-1], nil
}

// decode mirrors format_decode(): s starts at '%'; it returns the spec and
// the length of the conversion in s. '*' widths consume an argument.
func (f *formatter) decode(s string) (printfSpec, int, error) {
	spec := printfSpec{width: -1, prec: -1, base: 10, libc: f.libc}
	i := 1
	for ; i < len(s); i++ {
		flag := flagOf(s[i])
		if flag == 0 {
			break
		}
		spec.flags |= flag
	}
	var err error
	if spec.width, i, err = f.number(s, i, "field width"); err != nil {
		return spec, i, err
	}
	if spec.width < -1 { // a negative '*' width means '-'
		spec.width, spec.flags = -spec.width, spec.flags|fLeft
	}
	if i < len(s) && s[i] == '.' {
		if spec.prec, i, err = f.number(s, i+1, "precision"); err != nil {
			return spec, i, err
		}
		spec.prec = min(max(spec.prec, 0), 1<<15-1) // set_precision: PRECISION_MAX
	}
	i = decodeQualifier(s, i, &spec)
	if i >= len(s) {
		return spec, i, fmt.Errorf("format ends in the middle of a conversion: %q", s)
	}
	spec.conv = s[i]
	i++
	if spec.conv == 'p' && !f.libc { // the kernel eats every alphanumeric after %p
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		spec.ext, i = s[i:j], j
	}
	return spec, i, nil
}

// number reads a width or precision: digits, '*' (an int argument) or
// nothing (-1).
func (f *formatter) number(s string, i int, what string) (int, int, error) {
	if i < len(s) && s[i] == '*' {
		v, err := f.next(what)
		if err != nil {
			return 0, i, err
		}
		n, err := starlark.AsInt32(v)
		if err != nil {
			return 0, i, fmt.Errorf("'*' %s: got %s, want int", what, v.Type())
		}
		return clampWidth(n), i + 1, nil
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		if what == "precision" {
			return 0, i, nil // "%.s": precision 0
		}
		return -1, i, nil
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = clampWidth(n*10 + int(s[i]-'0'))
	}
	return n, i, nil
}

// clampWidth mirrors set_field_width's bound (FIELD_WIDTH_MAX).
func clampWidth(n int) int { return max(min(n, 1<<23-1), -(1<<23 - 1)) }

// decodeQualifier reads a length modifier. Like Linux, the kernel's printf
// knows hh, h, l, ll, z and t; not j, L or q.
func decodeQualifier(s string, i int, spec *printfSpec) int {
	if i >= len(s) || strings.IndexByte("hlzt", s[i]) < 0 {
		return i
	}
	spec.qual = s[i]
	i++
	if i < len(s) && s[i] == spec.qual {
		switch spec.qual {
		case 'l':
			spec.qual, i = 'L', i+1
		case 'h':
			spec.qual, i = 'H', i+1
		}
	}
	return i
}

// flagOf returns the printf_spec flag of a flag character, or 0.
func flagOf(c byte) uint8 {
	switch c {
	case '-':
		return fLeft
	case '+':
		return fPlus
	case ' ':
		return fSpace
	case '#':
		return fSpecial
	case '0':
		return fZeroPad
	}
	return 0
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// convert formats one conversion.
func (f *formatter) convert(spec printfSpec) error {
	switch spec.conv {
	case '%':
		f.out.WriteByte('%')
		return nil
	case 'c':
		return f.char(spec)
	case 's':
		return f.str(spec)
	case 'p':
		return f.pointer(spec)
	case 'd', 'i':
		spec.flags |= fSign
	case 'u':
	case 'o':
		spec.base = 8
	case 'x':
		spec.flags |= fSmall
		spec.base = 16
	case 'X':
		spec.base = 16
	case 'n':
		return fmt.Errorf("%%n is not supported by the kernel's printf (it is a security risk)")
	default:
		return fmt.Errorf("unsupported conversion %%%c (the kernel's printf WARNs and stops here)", spec.conv)
	}
	return f.integer(spec)
}

// integer formats d i u o x X with the width of the length modifier.
func (f *formatter) integer(spec printfSpec) error {
	v, err := f.next("%" + string(spec.conv))
	if err != nil {
		return err
	}
	u, err := integerArg(v, spec)
	if err != nil {
		return err
	}
	f.out.WriteString(number(u, spec))
	return nil
}

// integerArg converts an argument to the C type the conversion reads
// (int, unsigned char, long, size_t...), as va_arg would.
func integerArg(v starlark.Value, spec printfSpec) (uint64, error) {
	bits := qualBits(spec.qual)
	var u uint64
	switch x := v.(type) {
	case starlark.Int, starlark.Bool:
		n, err := cInteger(x, "int")
		if err != nil {
			return 0, err
		}
		u = n
	case Ptr:
		if bits != 64 {
			return 0, fmt.Errorf("got %s, want %s: print pointers with %%p or %%px, or addresses with %%lx", x.Type(), cIntName(spec))
		}
		u = uint64(x.addr)
	default:
		return 0, fmt.Errorf("got %s, want %s", v.Type(), cIntName(spec))
	}
	if bits < 64 {
		u &= 1<<bits - 1
		if spec.flags&fSign != 0 && u>>(bits-1) != 0 {
			u |= ^uint64(0) << bits // sign-extend
		}
	}
	return u, nil
}

// qualBits is the width in bits of the integer a length modifier reads.
func qualBits(qual byte) uint {
	switch qual {
	case 'H':
		return 8
	case 'h':
		return 16
	case 0:
		return 32
	}
	return 64
}

// cIntName names the C type a conversion reads, for errors.
func cIntName(spec printfSpec) string {
	base := "int"
	switch spec.qual {
	case 'H':
		base = "char"
	case 'h':
		base = "short"
	case 'l':
		base = "long"
	case 'L':
		base = "long long"
	case 'z':
		base = "size_t"
	case 't':
		base = "ptrdiff_t"
	}
	if spec.flags&fSign == 0 && spec.qual != 'z' {
		return "unsigned " + base
	}
	return base
}

// number mirrors lib/vsprintf.c:number(); with spec.libc, glibc's
// differences: no 0x for zero, no digits for zero at precision 0, and the
// 0 flag ignored when a precision is given.
func number(num uint64, spec printfSpec) string {
	var sign byte
	width, prec := spec.width, spec.prec
	needPfx := spec.flags&fSpecial != 0 && spec.base != 10
	if spec.libc {
		needPfx = needPfx && (num != 0 || spec.base == 8)
		if prec >= 0 {
			spec.flags &^= fZeroPad
		}
	}
	if spec.flags&fLeft != 0 {
		spec.flags &^= fZeroPad
	}
	if spec.flags&fSign != 0 {
		switch {
		case int64(num) < 0:
			sign, num = '-', -num
			width--
		case spec.flags&fPlus != 0:
			sign = '+'
			width--
		case spec.flags&fSpace != 0:
			sign = ' '
			width--
		}
	}
	if needPfx {
		if spec.base == 16 {
			width -= 2
		} else if num != 0 {
			width--
		}
	}
	digits := formatDigits(num, spec)
	if spec.libc && prec == 0 && num == 0 {
		digits = ""
	}
	prec = max(prec, len(digits))
	width -= prec
	var b strings.Builder
	if spec.flags&(fZeroPad|fLeft) == 0 {
		b.WriteString(strings.Repeat(" ", max(width, 0)))
		width = 0
	}
	if sign != 0 {
		b.WriteByte(sign)
	}
	if needPfx {
		if spec.base == 16 || num != 0 {
			b.WriteByte('0')
		}
		if spec.base == 16 {
			b.WriteByte("Xx"[spec.flags&fSmall/fSmall])
		}
	}
	if spec.flags&fLeft == 0 {
		pad := " "
		if spec.flags&fZeroPad != 0 {
			pad = "0"
		}
		b.WriteString(strings.Repeat(pad, max(width, 0)))
		width = 0
	}
	b.WriteString(strings.Repeat("0", prec-len(digits)))
	b.WriteString(digits)
	b.WriteString(strings.Repeat(" ", max(width, 0)))
	return b.String()
}

func formatDigits(num uint64, spec printfSpec) string {
	switch spec.base {
	case 8:
		return fmt.Sprintf("%o", num)
	case 16:
		if spec.flags&fSmall != 0 {
			return fmt.Sprintf("%x", num)
		}
		return fmt.Sprintf("%X", num)
	}
	return fmt.Sprintf("%d", num)
}

// widen pads s to the field width with spaces, as widen_string() does.
func widen(s string, spec printfSpec) string {
	if pad := spec.width - len(s); pad > 0 {
		if spec.flags&fLeft != 0 {
			return s + strings.Repeat(" ", pad)
		}
		return strings.Repeat(" ", pad) + s
	}
	return s
}

// char formats %c: an int (its low byte) or a one-character string.
func (f *formatter) char(spec printfSpec) error {
	v, err := f.next("%c")
	if err != nil {
		return err
	}
	var c byte
	switch x := v.(type) {
	case starlark.Int:
		n, _ := cInteger(x, "int")
		c = byte(n)
	case starlark.String:
		if len(x) != 1 {
			return fmt.Errorf("got a %d-character string, want one character", len(x))
		}
		c = x[0]
	default:
		return fmt.Errorf("got %s, want int (a char)", v.Type())
	}
	f.out.WriteString(widen(string(c), spec))
	return nil
}

// str formats %s: a Starlark string as is, or a C string read from
// simulated memory through a ptr, with the kernel's (null) and (efault).
func (f *formatter) str(spec printfSpec) error {
	v, err := f.next("%s")
	if err != nil {
		return err
	}
	var s string
	switch x := v.(type) {
	case starlark.String:
		s = string(x)
	case starlark.Bytes:
		s = string(x)
		if i := indexNUL(s); i >= 0 {
			s = s[:i]
		}
	case Ptr:
		if s, err = f.cString(x.addr, spec.prec); err != nil {
			return err
		}
	default:
		return fmt.Errorf("got %s, want char * (a ptr or a string)", v.Type())
	}
	if spec.prec >= 0 && len(s) > spec.prec {
		s = s[:spec.prec]
	}
	f.out.WriteString(widen(s, spec))
	return nil
}

// maxPrintkString bounds a %s read; the kernel's log line is 1 KiB anyway.
const maxPrintkString = 1 << 16

// cString reads %s's string as string() does, after check_pointer_msg().
func (f *formatter) cString(a kernelsim.Addr, prec int) (string, error) {
	switch msg := checkPointerMsg(a); msg {
	case "":
	default:
		return msg, nil
	}
	limit := uint64(maxPrintkString)
	if prec >= 0 {
		limit = uint64(prec)
	}
	return f.e.readCStringVia(a, limit, f.strFrames)
}

// stringFrames are the kernel frames above a %s read for the API function
// name: snprintf and sprintf call vsnprintf, the printk family (pr_info is
// a macro for _printk) goes through vprintk_emit and vprintk_store.
func stringFrames(name string) []string {
	switch name {
	case "snprintf", "scnprintf":
		return kernelsim.SnprintfStringFrames
	case "sprintf":
		return kernelsim.SprintfStringFrames
	}
	return kernelsim.PrintkStringFrames
}

// checkPointerMsg mirrors check_pointer_msg(): "(null)" for NULL,
// "(efault)" for the first page and error pointers, "" otherwise.
func checkPointerMsg(a kernelsim.Addr) string {
	switch {
	case a == 0:
		return "(null)"
	case a < kernelsim.PageSize || a >= errPtrMin:
		return "(efault)"
	}
	return ""
}

// errPtrMin is the lowest error pointer: IS_ERR_VALUE(x) is x >= -MAX_ERRNO.
const errPtrMin = kernelsim.Addr(1<<64 - 4095)
