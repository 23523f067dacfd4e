package runtime

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kscript.dev/kscript/kernelsim"
)

// TestLoadScriptErrors: mistakes found when a script is loaded ("make")
// come back as *ScriptError with file:line:col.
func TestLoadScriptErrors(t *testing.T) {
	tests := []struct {
		name, src, pos, msg string
	}{
		{"syntax", "def f(:\n", "bad.star:1:8", "got ':', want ')'"},
		{"unknown builtin", "def f():\n    kmallok(8, GFP_KERNEL)\n", "bad.star:2:5", "undefined: kmallok (did you mean kmalloc?)"},
		{"old name", "def f():\n    kzfree(NULL)\n", "bad.star:2:5", "undefined: kzfree (Linux 6.1 calls it kfree_sensitive)"},
		{"kmalloc at file scope", "p = kmalloc(8, GFP_KERNEL)\n", "bad.star:1:12",
			"kmalloc: called at file scope, where C has only static initialisers: call it from the init function"},
		{"printk at file scope", "MODULE_LICENSE(\"GPL\")\npr_info(\"hi\\n\")\n", "bad.star:2:8", "pr_info: called at file scope"},
		{"memory access at file scope", "b = static_buffer(8)\nb[0] = 1\n", "bad.star:2:2", "memory access at file scope"},
		{"init declared twice", "def f():\n    return 0\nmodule_init(f)\nmodule_init(f)\n", "bad.star:4:12", "module_init: declared twice"},
		{"init with parameters", "def f(x):\n    return 0\nmodule_init(f)\n", "bad.star:3:12", "module_init: f takes 1 parameters, want none"},
		{"bad param type", "n = module_param(\"n\", \"float\", 1)\n", "bad.star:1:17", "module_param: unknown parameter type \"float\""},
		{"bad param default", "n = module_param(\"n\", \"int\", \"x\")\n", "bad.star:1:17", "module_param: n: default: got string, want a int value"},
		{"static positional", "g = static(1)\n", "bad.star:1:11", "static: takes only keyword arguments"},
		{"static_buffer too small", "b = static_buffer(4, \"hello\")\n", "bad.star:1:18", "initializer-string for array of 'char' is too long (5 bytes for char[4])"},
		{"runtime error", "x = 1 + \"a\"\n", "bad.star:1:7", "unknown binary op: int + string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMachine(t)
			err := loadSource(t, m, "bad.star", tt.src)
			var se *ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("LoadScript: %v (%T), want *ScriptError", err, err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("error %q at %s, want %q at %s", se.Msg, se.Pos, tt.msg, tt.pos)
			}
			if len(m.ModuleFiles()) != 0 {
				t.Errorf("ModuleFiles() = %v after a failed load", m.ModuleFiles())
			}
		})
	}
}

// insmodSrc loads src as x.star and inserts it with args.
func insmodSrc(t *testing.T, m *Machine, src string, args ...string) error {
	t.Helper()
	if err := loadSource(t, m, "x.star", src); err != nil {
		t.Fatalf("LoadScript: %v", err)
	}
	return m.Insmod("x.ko", args)
}

func TestInsmodErrors(t *testing.T) {
	tests := []struct {
		name, src string
		args      []string
		want      string // the error's text
		loaded    bool
		dmesg     string // a line dmesg must have, if not ""
	}{
		{"enomem", "def i():\n    return -ENOMEM\nmodule_init(i)\n", nil,
			"insmod: ERROR: could not insert module x.ko: Cannot allocate memory", false, ""},
		{"einval reads as kmod says", "def i():\n    return -EINVAL\nmodule_init(i)\n", nil,
			"insmod: ERROR: could not insert module x.ko: Invalid parameters", false, ""},
		{"no return value", "def i():\n    pass\nmodule_init(i)\n", nil,
			"x.star:1:1: i: init function returned NoneType, want int: return 0 on success or a negative errno (-ENOMEM)", false, ""},
		{"positive return", "def i():\n    return 1\nmodule_init(i)\ndef e():\n    pass\nmodule_exit(e)\n", nil,
			"", true, "do_init_module: 'x'->init suspiciously returned 1, it should follow 0/-E convention"},
		{"bad parameter value", "n = module_param(\"n\", \"int\", 5)\n", []string{"n=abc"},
			"insmod: ERROR: could not insert module x.ko: Invalid parameters", false, "x: `abc' invalid for parameter `n'"},
		{"parameter out of range", "n = module_param(\"n\", \"int\", 5)\n", []string{"n=99999999999"},
			"insmod: ERROR: could not insert module x.ko: Numerical result out of range", false, "x: `99999999999' invalid for parameter `n'"},
		{"unknown parameter", "n = module_param(\"n\", \"int\", 5)\n", []string{"m=1"},
			"", true, "x: unknown parameter 'm' ignored"},
		{"step limit", "def i():\n    n = 0\n    while n >= 0:\n        n += 1\nmodule_init(i)\n", nil,
			"x.star:4:11: step budget exhausted: the submission used all 100000 Starlark steps it may take across its code, callbacks, read()/write() and user programs (an endless loop? a tasklet that reschedules itself forever?)", false, ""},
		{"kernel fn error in init", "def i():\n    kfree(5)\n    return 0\nmodule_init(i)\n", nil,
			"x.star:2:10: kfree: for parameter objp: got int, want const void *", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMachine(Options{MaxSteps: 100_000})
			if err != nil {
				t.Fatal(err)
			}
			seq := m.k.NextSeq()
			err = insmodSrc(t, m, tt.src, tt.args...)
			if got := errText(err); got != tt.want {
				t.Errorf("insmod error = %q, want %q", got, tt.want)
			}
			if loaded := len(m.Loaded()) == 1; loaded != tt.loaded {
				t.Errorf("loaded = %v, want %v", loaded, tt.loaded)
			}
			if loaded := m.k.FindModule("x") != nil; loaded != tt.loaded {
				t.Errorf("kernelsim has the module = %v, want %v", loaded, tt.loaded)
			}
			if tt.dmesg != "" && !strings.Contains(strings.Join(logText(m, seq), "\n"), tt.dmesg) {
				t.Errorf("dmesg lacks %q:\n%s", tt.dmesg, strings.Join(logText(m, seq), "\n"))
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestInsmodRmmodPaths(t *testing.T) {
	m := newTestMachine(t)
	if err := m.Insmod("nope.ko", nil); errText(err) != "insmod: ERROR: could not load module nope.ko: No such file or directory" {
		t.Errorf("insmod of a missing file: %v", err)
	}
	if err := m.Rmmod("nope"); errText(err) != "rmmod: ERROR: Module nope is not currently loaded" {
		t.Errorf("rmmod of a module not loaded: %v", err)
	}
	loadFile(t, m, "hello_kmalloc")
	if err := m.Insmod("./hello_kmalloc.ko", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Insmod("hello_kmalloc.ko", nil); errText(err) != "insmod: ERROR: could not insert module hello_kmalloc.ko: File exists" {
		t.Errorf("second insmod: %v", err)
	}
	if err := m.Rmmod("hello_kmalloc.ko"); err != nil {
		t.Errorf("rmmod by file name: %v", err)
	}
	// Each insmod starts from the declared statics again.
	if err := m.Insmod("hello_kmalloc.ko", nil); err != nil {
		t.Errorf("insmod after rmmod: %v", err)
	}

	// A module with init and no exit cannot be removed.
	if err := loadSource(t, m, "permanent.star", "def i():\n    return 0\nmodule_init(i)\n"); err != nil {
		t.Fatal(err)
	}
	if err := m.Insmod("permanent.ko", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Rmmod("permanent"); errText(err) != "rmmod: ERROR: could not remove 'permanent': Device or resource busy\nrmmod: ERROR: could not remove module permanent: Device or resource busy" {
		t.Errorf("rmmod of a module without exit: %v", err)
	}
}

// TestOopsInInit: a NULL dereference in init kills insmod; the module stays,
// COMING for good, and rmmod says it is in use, as on Linux.
func TestOopsInInit(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
g = static(p = NULL)
def helper(p):
    p[3] = 1
def oops_init():
    helper(g.p)
    return 0
def oops_exit():
    pass
module_init(oops_init)
module_exit(oops_exit)
`)
	var killed *KilledError
	if !errors.As(err, &killed) || err.Error() != "Killed" {
		t.Fatalf("insmod: %v, want Killed", err)
	}
	if killed.Oops.Report.Class != "null-deref" && !strings.Contains(killed.Oops.Report.Title, "NULL pointer dereference") {
		t.Errorf("report %q (%s), want a NULL pointer dereference", killed.Oops.Report.Title, killed.Oops.Report.Class)
	}
	stack := killed.Oops.Report.Stack
	if len(stack) != 2 || stack[0].Func != "helper" || stack[0].Line != 4 || stack[1].Func != "oops_init" || stack[0].Module != "x" {
		t.Errorf("report stack = %+v, want helper (x.star:4) then oops_init", stack)
	}
	if err := m.Rmmod("x"); errText(err) != "rmmod: ERROR: Module x is in use" {
		t.Errorf("rmmod after Oops in init: %v", err)
	}
}

// TestOopsInSlice: a fault in p[a:b], where Starlark has no error return,
// still unwinds the script.
func TestOopsInSlice(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, "def i():\n    x = NULL[0:4]\n    pr_info(\"not reached\\n\")\n    return 0\nmodule_init(i)\n")
	if !errors.As(err, new(*KilledError)) {
		t.Fatalf("insmod: %v, want Killed", err)
	}
	if strings.Contains(dmesgTail(m, 50), "not reached") {
		t.Error("the script went on after the fault")
	}
}

// TestTimeout: the wall-time backstop is kscript's fault, an
// *InternalError, never a limit the script is graded by.
func TestTimeout(t *testing.T) {
	m, err := NewMachine(Options{MaxSteps: 1 << 62, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = insmodSrc(t, m, "def i():\n    n = 0\n    while n >= 0:\n        n += 1\nmodule_init(i)\n")
	var ie *InternalError
	if !errors.As(err, &ie) || !strings.Contains(ie.Error(), "internal error: x.star:") || !strings.Contains(ie.Error(), "wall-time backstop") {
		t.Fatalf("insmod: %v, want an InternalError naming the loop", err)
	}
	if m.k.FindModule("x") != nil {
		t.Error("the module stayed after its init was stopped")
	}
}

func TestModuleParams(t *testing.T) {
	src := `
MODULE_LICENSE("GPL")
MODULE_VERSION("1.2")
count = module_param("count", "int", 5, "how many")
verbose = module_param("verbose", "bool", False, "talk more")
who = module_param("who", "charp", "world")
def i():
    pr_info("count=%d verbose=%d who=%s\n", count, verbose, who)
    return 0
def e():
    pass
module_init(i)
module_exit(e)
`
	tests := []struct {
		args []string
		want string
	}{
		{nil, "count=5 verbose=0 who=world"},
		{[]string{"count=0x10", "verbose", "who=kernel"}, "count=16 verbose=1 who=kernel"},
		{[]string{"count=-3", "verbose=n"}, "count=-3 verbose=0 who=world"},
	}
	for _, tt := range tests {
		m := newTestMachine(t)
		seq := m.k.NextSeq()
		if err := insmodSrc(t, m, src, tt.args...); err != nil {
			t.Fatalf("insmod %v: %v", tt.args, err)
		}
		if log := strings.Join(logText(m, seq), "\n"); !strings.Contains(log, tt.want) {
			t.Errorf("insmod %v: dmesg lacks %q:\n%s", tt.args, tt.want, log)
		}
	}
	m := newTestMachine(t)
	if err := loadSource(t, m, "x.star", src); err != nil {
		t.Fatal(err)
	}
	info, err := m.Modinfo("x.ko")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(info, "\n")
	for _, want := range []string{"version:        1.2\nlicense:        GPL\nsrcversion:", "name:           x\n",
		"parm:           who (charp)\nparm:           verbose:talk more (bool)\nparm:           count:how many (int)"} {
		if !strings.Contains(got, want) {
			t.Errorf("modinfo lacks %q:\n%s", want, got)
		}
	}
	if _, err := m.Modinfo("y.ko"); errText(err) != "modinfo: ERROR: Module y.ko not found." {
		t.Errorf("modinfo of a missing module: %v", err)
	}
}

// TestStaticBuffer: static arrays live in the module's data section, start
// from their initialiser on each load, and know their size.
func TestStaticBuffer(t *testing.T) {
	src := `
MODULE_LICENSE("GPL")
k_buf = static_buffer(32, "Initial kernel message.\n")
other = static_buffer(8)
def i():
    pr_info("size=%zu module_space=%d other_after=%d msg=%s", sizeof(k_buf), k_buf & 0xffffffffc0000000 == 0xffffffffc0000000, other > k_buf, k_buf)
    strcpy(k_buf, "changed")
    return 0
def e():
    pr_info("exit sees %s\n", k_buf)
module_init(i)
module_exit(e)
`
	m := newTestMachine(t)
	for round := 0; round < 2; round++ {
		seq := m.k.NextSeq()
		if err := insmodSrc(t, m, src); err != nil {
			t.Fatalf("insmod: %v", err)
		}
		if err := m.Rmmod("x"); err != nil {
			t.Fatalf("rmmod: %v", err)
		}
		matchLines(t, logText(m, seq), `size=32 module_space=1 other_after=1 msg=Initial kernel message\.`, `exit sees changed`)
	}
}

func TestPrDebugAndPrint(t *testing.T) {
	src := "def i():\n    pr_debug(\"dbg %d\\n\", 1)\n    print(\"from print\")\n    return 0\nmodule_init(i)\ndef e():\n    pass\nmodule_exit(e)\n"
	for _, tt := range []struct {
		name, prefix string
		args         []string
		want         bool
	}{
		{"off", "", nil, false},
		{"DEBUG", "DEBUG = True\n", nil, true},
		{"dyndbg", "", []string{"dyndbg=+p"}, true},
	} {
		m := newTestMachine(t)
		seq := m.k.NextSeq()
		if err := insmodSrc(t, m, tt.prefix+src, tt.args...); err != nil {
			t.Fatal(err)
		}
		var dbg, printed bool
		for _, r := range m.k.LogSince(seq) {
			dbg = dbg || r.Text == "dbg 1" && r.Level == kernelsim.LogDebug
			printed = printed || r.Text == "from print"
		}
		if dbg != tt.want || !printed {
			t.Errorf("%s: pr_debug printed %v, want %v; print() printed %v", tt.name, dbg, tt.want, printed)
		}
	}
}

func TestCallsRecord(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    p = kmalloc(100, GFP_KERNEL)
    q = kmalloc(1 << 30, GFP_ATOMIC | __GFP_NOWARN)
    kfree(p)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Call{
		{Fn: "kmalloc", GFP: kernelsim.GFP_ATOMIC | kernelsim.GFPNoWarn, Size: 1 << 30, Context: "process", Module: "x", Pos: "x.star:4:16", Failed: true, Count: 1},
		{Fn: "kfree", Context: "process", Module: "x", Pos: "x.star:5:10", Count: 1},
		{Fn: "kmalloc", GFP: kernelsim.GFP_KERNEL, Size: 100, Context: "process", Module: "x", Pos: "x.star:3:16", Count: 1,
			Object: true, Freed: true, FreedBy: "kfree", FreeMatch: true},
	}
	got := m.Calls()
	if len(got) != len(want) {
		t.Fatalf("Calls() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestModuleNameOfBootModule: a script named after a module Debian loads at
// boot (loop.star) is refused with a clear error at load, in English and
// Thai, instead of an insmod that says "File exists" and an rmmod that
// would act on Debian's module.
func TestModuleNameOfBootModule(t *testing.T) {
	m := newTestMachine(t)
	src := []byte("MODULE_LICENSE(\"GPL\")\ndef i():\n    return 0\nmodule_init(i)\n")
	err := m.LoadScript("loop.star", src, "")
	want := `loop.star:1:1: module name "loop": the machine already has Debian's own loop module loaded`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("LoadScript(loop.star): %v, want %s…", err, want)
	}
	notes := ErrorNotes(err, src)
	if len(notes) == 0 || !strings.Contains(notes[0].TH, `ชื่อ module "loop" ซ้ำกับ module loop ของ Debian`) || !strings.Contains(notes[0].TH, "loop_test.star") {
		t.Errorf("Thai note %+v", notes)
	}
	if err := m.LoadScript("loop.star", src, "loop_test"); err != nil {
		t.Errorf("loop.star as module loop_test: %v", err)
	}
}

// TestCallEntryErrorPosition: an error entering a function (arguments that
// do not fit its parameters, calls nested too deep) is reported where the
// function is called, the line to fix, not at its def line.
func TestCallEntryErrorPosition(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"missing argument", "def f(a, b):\n    return a\n\nf(1)\n", "x.star:4:2: function f missing 1 argument (b)"},
		{"too many", "def f(a):\n    return a\n\nf(1, 2)\n", "x.star:4:2: function f accepts 1 positional argument (2 given)"},
		{"keyword", "def f(a):\n    return a\n\nf(b=1)\n", `x.star:4:2: function f got an unexpected keyword argument "b"`},
		{"recursion", "def f(n):\n    return f(n + 1)\n\nf(0)\n", "x.star:2:13: recursion too deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := newTestMachine(t).LoadScript("x.star", []byte(tc.src), "")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("LoadScript: %v, want %s…", err, tc.want)
			}
		})
	}
}
