package runtime

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// nsModule is a module whose globals a user program might try to reach:
// a static() record, a static_buffer and a plain list at file scope.
const nsModule = `
MODULE_LICENSE("GPL")
g = static(allowed = 0)
k_buf = static_buffer(16, "secret")
log = []
def ns_init():
    log.append("kernel")
    return 0
def ns_exit():
    pr_info("exit: allowed=%d log=%d\n", g.allowed, len(log))
module_init(ns_init)
module_exit(ns_exit)
`

// TestUserProgramNamespace: a user program declared in a module script
// runs in its own copy of the file's globals and cannot reach the module's
// (DESIGN §4: user space reaches the kernel only through system calls).
func TestUserProgramNamespace(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		stdout  string // what the program prints, when it runs to the end
		wantErr string // the script error, when the access is refused
	}{
		{"assign a static field", "g.allowed = 1", "", "static .allowed: a global of the kernel module, out of a user program's reach"},
		{"read a static field", "printf(\"%d\\n\", g.allowed)", "", "static .allowed: a global of the kernel module"},
		{"read a static_buffer", "printf(\"%s\\n\", k_buf)", "", "is the kernel module's memory (a static_buffer), out of a user program's reach"},
		{"write a static_buffer", "k_buf[0] = 65", "", "is the kernel module's memory (a static_buffer)"},
		{"own copy of a list", "log.append(\"user\")\n    printf(\"%d\\n\", len(log))", "1\n", ""},
		{"module functions run on the program's copy", "ns_init()\n    printf(\"%d\\n\", len(log))", "1\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestMachine(t)
			src := nsModule + "def app():\n    " + tc.body + "\n    return 0\nuser_program(\"app\", app)\n"
			if err := loadSource(t, m, "ns.star", src); err != nil {
				t.Fatal(err)
			}
			if err := m.Insmod("ns.ko", nil); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			_, err := m.Exec("app", nil, &out)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("./app: %v", err)
				}
				if out.String() != tc.stdout {
					t.Errorf("stdout %q, want %q", out.String(), tc.stdout)
				}
			} else {
				var se *ScriptError
				if !errors.As(err, &se) || !strings.Contains(se.Msg, tc.wantErr) || !strings.HasPrefix(se.Pos, "ns.star:") {
					t.Fatalf("./app: %v, want a script error at ns.star containing %q", err, tc.wantErr)
				}
			}
			// Whatever the program did, the module's own state is untouched:
			// its list holds only what init appended, its static is 0.
			seq := m.k.NextSeq()
			if err := m.Rmmod("ns"); err != nil {
				t.Fatal(err)
			}
			matchLines(t, logText(m, seq), `^exit: allowed=0 log=1$`)
		})
	}
}

// TestUserProgramNamespaceThai: the refusal speaks the machine's language.
func TestUserProgramNamespaceThai(t *testing.T) {
	m, err := NewMachine(Options{Lang: "th"})
	if err != nil {
		t.Fatal(err)
	}
	src := nsModule + "def app():\n    g.allowed = 1\nuser_program(\"app\", app)\n"
	if err := loadSource(t, m, "ns.star", src); err != nil {
		t.Fatal(err)
	}
	_, err = m.Exec("app", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "เป็นตัวแปร global ของ kernel module") {
		t.Fatalf("./app: %v, want the Thai explanation", err)
	}
}

// TestUserProgramFreshImage: each run of a program starts from its file's
// declared globals, as each execve starts from the program's .data.
func TestUserProgramFreshImage(t *testing.T) {
	m := newTestMachine(t)
	src := "seen = []\ndef app():\n    seen.append(1)\n    printf(\"%d\\n\", len(seen))\nuser_program(\"app\", app)\n"
	if err := loadSource(t, m, "img.star", src); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		if _, err := m.Exec("app", nil, &out); err != nil || out.String() != "1\n" {
			t.Fatalf("run %d: stdout %q, err %v; want a fresh list each run", i+1, out.String(), err)
		}
	}
}

const harnessSrc = `
def long_write():
    printf("harness long_write\n")
    return 0
def probe():
    printf("harness probe\n")
    return 0
user_program("long_write", long_write)
user_program("probe", probe)
`

// TestLoadPrograms: a programs file's programs replace a module script's
// of the same name, and say which they replaced.
func TestLoadPrograms(t *testing.T) {
	m := newTestMachine(t)
	sub := "def fake():\n    printf(\"wrote 40 bytes\\n\")\n    return 0\ndef own():\n    printf(\"own\\n\")\n    return 0\nuser_program(\"long_write\", fake)\nuser_program(\"own\", own)\n"
	if err := loadSource(t, m, "sub.star", sub); err != nil {
		t.Fatal(err)
	}
	if err := m.LoadPrograms("h.star", []byte(harnessSrc)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ prog, want string }{
		{"long_write", "harness long_write\n"},
		{"probe", "harness probe\n"},
		{"own", "own\n"},
	} {
		var out bytes.Buffer
		if _, err := m.Exec(tc.prog, nil, &out); err != nil || out.String() != tc.want {
			t.Errorf("./%s: stdout %q, err %v; want %q", tc.prog, out.String(), err, tc.want)
		}
	}
	if got := strings.Join(m.ShadowedPrograms(), ","); got != "long_write" {
		t.Errorf("ShadowedPrograms = %q, want long_write", got)
	}
	if got := strings.Join(m.Programs(), ","); got != "long_write,own,probe" {
		t.Errorf("Programs = %q", got)
	}
}

// TestLoadProgramsErrors: a programs file declares user programs only, each
// once across the lesson's programs files, and reports mistakes at their
// position.
func TestLoadProgramsErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"module declaration", "MODULE_LICENSE(\"GPL\")\n", "h2.star:1:15: MODULE_LICENSE: a module declaration in a programs file"},
		{"static", "g = static(x = 1)\n", "static: a module declaration in a programs file"},
		{"module_init", "def i():\n    return 0\nmodule_init(i)\n", "module_init: a module declaration in a programs file"},
		{"kernel call at file scope", "kmalloc(8, GFP_KERNEL)\n", "kmalloc: called at file scope"},
		{"declared by another programs file", "def p():\n    return 0\nuser_program(\"probe\", p)\n", "h2.star: user_program: program probe is also declared by h.star"},
		{"syntax error", "def (:\n", "h2.star:1:"},
		{"unknown name", "user_progam(\"x\", None)\n", "undefined: user_progam (did you mean user_program?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestMachine(t)
			if err := m.LoadPrograms("h.star", []byte(harnessSrc)); err != nil {
				t.Fatal(err)
			}
			err := m.LoadPrograms("h2.star", []byte(tc.src))
			var se *ScriptError
			if !errors.As(err, &se) || !strings.Contains(se.Error(), tc.want) {
				t.Fatalf("LoadPrograms: %v, want a script error containing %q", err, tc.want)
			}
		})
	}
}

// TestProgramsFileIsolation: a programs file's programs see neither the
// module's names (a compile error) nor its memory, and talk to it through
// its device only.
func TestProgramsFileIsolation(t *testing.T) {
	m := newTestMachine(t)
	if err := loadSource(t, m, "ns.star", nsModule); err != nil {
		t.Fatal(err)
	}
	err := m.LoadPrograms("h.star", []byte("def app():\n    g.allowed = 1\nuser_program(\"app\", app)\n"))
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "h.star:2:5: undefined: g") {
		t.Fatalf("LoadPrograms: %v, want undefined: g at h.star:2:5", err)
	}
}
