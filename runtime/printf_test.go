package runtime

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// formatEnv is the env of a fresh machine booted with seed.
func formatEnv(t testing.TB, seed uint64) *env {
	m, err := NewMachine(Options{Kernel: kernelsim.Config{Seed: seed}})
	if err != nil {
		t.Fatal(err)
	}
	return m.env
}

func TestPrintf(t *testing.T) {
	e := formatEnv(t, 1)
	i := func(n int64) starlark.Value { return starlark.MakeInt64(n) }
	s := func(x string) starlark.Value { return starlark.String(x) }
	p := func(a uint64) starlark.Value { return Ptr{e: e, addr: kernelsim.Addr(a)} }
	tests := []struct {
		name   string
		format string
		args   []starlark.Value
		want   string
	}{
		{"plain", "hello\n", nil, "hello\n"},
		{"percent", "100%%", nil, "100%"},
		{"d", "%d", []starlark.Value{i(42)}, "42"},
		{"negative", "%d", []starlark.Value{i(-42)}, "-42"},
		{"i", "%i", []starlark.Value{i(7)}, "7"},
		{"width", "[%5d]", []starlark.Value{i(42)}, "[   42]"},
		{"left", "[%-5d]", []starlark.Value{i(42)}, "[42   ]"},
		{"zero pad", "%05d", []starlark.Value{i(42)}, "00042"},
		{"zero pad negative", "%05d", []starlark.Value{i(-42)}, "-0042"},
		{"plus", "%+d", []starlark.Value{i(42)}, "+42"},
		{"space", "% d", []starlark.Value{i(42)}, " 42"},
		{"precision", "%.3d", []starlark.Value{i(5)}, "005"},
		{"precision zero of zero", "%.0d", []starlark.Value{i(0)}, "0"},
		{"width and precision", "[%8.3d]", []starlark.Value{i(5)}, "[     005]"},
		{"hex", "%x", []starlark.Value{i(255)}, "ff"},
		{"HEX", "%X", []starlark.Value{i(255)}, "FF"},
		{"alt hex", "%#x", []starlark.Value{i(255)}, "0xff"},
		{"alt hex of zero (kernel, not glibc)", "%#x", []starlark.Value{i(0)}, "0x0"},
		{"alt hex zero pad", "%#010x", []starlark.Value{i(255)}, "0x000000ff"},
		{"octal", "%o", []starlark.Value{i(8)}, "10"},
		{"alt octal", "%#o", []starlark.Value{i(8)}, "010"},
		{"alt octal of zero", "%#o", []starlark.Value{i(0)}, "0"},
		{"unsigned of -1", "%u", []starlark.Value{i(-1)}, "4294967295"},
		{"lu of -1", "%lu", []starlark.Value{i(-1)}, "18446744073709551615"},
		{"ld", "%ld", []starlark.Value{i(-5000000000)}, "-5000000000"},
		{"d truncates to int", "%d", []starlark.Value{i(5000000000)}, "705032704"},
		{"hhx", "%hhx", []starlark.Value{i(0x1234)}, "34"},
		{"hhd", "%hhd", []starlark.Value{i(255)}, "-1"},
		{"hd", "%hd", []starlark.Value{i(70000)}, "4464"},
		{"zu", "%zu", []starlark.Value{i(16384)}, "16384"},
		{"zd", "%zd", []starlark.Value{i(-3)}, "-3"},
		{"llx", "%llx", []starlark.Value{i(0x123456789)}, "123456789"},
		{"td", "%td", []starlark.Value{i(-8)}, "-8"},
		{"bool", "%d", []starlark.Value{starlark.True}, "1"},
		{"lx of ptr", "%lx", []starlark.Value{p(0xffff888000001000)}, "ffff888000001000"},
		{"star width", "[%*d]", []starlark.Value{i(4), i(7)}, "[   7]"},
		{"negative star width", "[%*d]", []starlark.Value{i(-4), i(7)}, "[7   ]"},
		{"star precision", "%.*s", []starlark.Value{i(2), s("hello")}, "he"},
		{"c", "%c", []starlark.Value{i(65)}, "A"},
		{"c of string", "%c", []starlark.Value{s("B")}, "B"},
		{"c width", "[%3c]", []starlark.Value{i(65)}, "[  A]"},
		{"s", "%s!", []starlark.Value{s("hi")}, "hi!"},
		{"s width", "[%5s]", []starlark.Value{s("hi")}, "[   hi]"},
		{"s left", "[%-5s]", []starlark.Value{s("hi")}, "[hi   ]"},
		{"s precision", "%.2s", []starlark.Value{s("hello")}, "he"},
		{"s of bytes stops at NUL", "%s", []starlark.Value{starlark.Bytes("ab\x00cd")}, "ab"},
		{"s of NULL", "%s", []starlark.Value{p(0)}, "(null)"},
		{"s of low pointer", "%s", []starlark.Value{p(0x10)}, "(efault)"},
		{"p of NULL", "%p", []starlark.Value{p(0)}, "0000000000000000"},
		{"px", "%px", []starlark.Value{p(0xffff888000001000)}, "ffff888000001000"},
		{"px eats alphanumerics", "%pxyz.", []starlark.Value{p(0xffff888000001000)}, "ffff888000001000."},
		{"pa", "%pa", []starlark.Value{i(0x1234)}, "0x0000000000001234"},
		{"pGg", "%pGg", []starlark.Value{i(int64(kernelsim.GFP_KERNEL))}, "GFP_KERNEL"},
		{"pGg zero", "%pGg", []starlark.Value{i(int64(kernelsim.GFP_KERNEL | kernelsim.GFPZero))}, "GFP_KERNEL|__GFP_ZERO"},
		{"ph", "%*ph", []starlark.Value{i(3), starlark.Bytes("\x01\x02\xff")}, "01 02 ff"},
		{"phC", "%*phC", []starlark.Value{i(3), starlark.Bytes("\x01\x02\xff")}, "01:02:ff"},
		{"phD", "%*phD", []starlark.Value{i(2), starlark.Bytes("\x01\x02")}, "01-02"},
		{"phN", "%*phN", []starlark.Value{i(3), starlark.Bytes("\x01\x02\xff")}, "0102ff"},
		{"ph of NULL", "%*ph", []starlark.Value{i(3), p(0)}, "(null)"},
		{"level prefix passes", "\x016hi %d", []starlark.Value{i(1)}, "\x016hi 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.vsprintf("printk", tt.format, tt.args)
			if err != nil {
				t.Fatalf("vsprintf(%q): %v", tt.format, err)
			}
			if got != tt.want {
				t.Errorf("vsprintf(%q) = %q, want %q", tt.format, got, tt.want)
			}
		})
	}
}

func TestPrintfHashedPointer(t *testing.T) {
	e := formatEnv(t, 1)
	a := Ptr{e: e, addr: 0xffff888003a1c000}
	got, err := e.vsprintf("printk", "%p", []starlark.Value{a})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 16 || !strings.HasPrefix(got, "00000000") || got == "0000000000000000" {
		t.Errorf("%%p = %q, want 16 hex digits of a 32-bit hash", got)
	}
	again, _ := e.vsprintf("printk", "%pK", []starlark.Value{a})
	if again != got {
		t.Errorf("%%pK = %q, want the same hash as %%p %q", again, got)
	}
	other := formatEnv(t, 2)
	if h, _ := other.vsprintf("printk", "%p", []starlark.Value{a}); h == got {
		t.Errorf("%%p with another seed = %q, want a different hash", h)
	}
}

func TestPrintfErrors(t *testing.T) {
	e := formatEnv(t, 1)
	i := starlark.MakeInt(1)
	tests := []struct {
		name   string
		format string
		args   []starlark.Value
		want   string
	}{
		{"d of string", "%d", []starlark.Value{starlark.String("x")}, "pr_info: %d: got string, want int"},
		{"s of int", "%s", []starlark.Value{i}, "%s: got int, want char *"},
		{"x of ptr", "%x", []starlark.Value{Ptr{e: e, addr: 0x1000}}, "got void *, want unsigned int: print pointers with %p"},
		{"missing argument", "%d %d", []starlark.Value{i}, "missing argument for %d"},
		{"too many", "%d", []starlark.Value{i, i}, "too many arguments for format: 2 given, the format uses 1"},
		{"j is not the kernel's", "%jd", []starlark.Value{i}, "unsupported conversion %j"},
		{"n", "%n", []starlark.Value{i}, "%n is not supported"},
		{"dangling percent", "abc%", nil, "format ends in the middle of a conversion"},
		{"p of int", "%p", []starlark.Value{i}, "%p: got int, want a pointer"},
		{"pI4", "%pI4", []starlark.Value{Ptr{e: e, addr: 0x1000}}, "%pI4 is not simulated"},
		{"star of string", "%*d", []starlark.Value{starlark.String("x"), i}, "'*' field width: got string, want int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.vsprintf("pr_info", tt.format, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("vsprintf(%q) error = %v, want it to contain %q", tt.format, err, tt.want)
			}
		})
	}
}

// FuzzPrintf checks that no format string panics the formatter or makes it
// nondeterministic.
func FuzzPrintf(f *testing.F) {
	for _, s := range []string{"%d", "%-08.3lld|%s", "%*ph", "%pGg %px %pS", "%%%", "%.*s", "%hhu%c", "%#o%#X"} {
		f.Add(s)
	}
	e := formatEnv(f, 1)
	args := starlark.Tuple{starlark.MakeInt(3), starlark.String("abc"), starlark.Bytes("\x01\x02\x03\x04"), starlark.MakeInt(-7)}
	f.Fuzz(func(t *testing.T, format string) {
		a, errA := e.vsprintf("printk", format, args)
		b, errB := e.vsprintf("printk", format, args)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("vsprintf(%q) not deterministic: %q/%v then %q/%v", format, a, errA, b, errB)
		}
	})
}
