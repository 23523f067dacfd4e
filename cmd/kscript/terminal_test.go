package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyChildEnv makes the test binary run kscript itself (see TestMain):
// TestShellTerminal starts it on a pseudo-terminal.
const ptyChildEnv = "KSCRIPT_PTY_CHILD"

// ptyDeadline ends a test that waits for a screen that never comes.
var ptyDeadline = 2 * time.Minute

// The keys TestShellTerminal types, as a terminal sends them.
const (
	keyUp    = "\x1b[A"
	keyLeft  = "\x1b[D"
	keyTab   = "\t"
	keyEnter = "\r"
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
)

const spinStar = `
def hello_init():
    pr_info("hello loaded\n")
    return 0

def hello_exit():
    pr_info("hello unloaded\n")

module_init(hello_init)
module_exit(hello_exit)

def spin():
    printf("spinning\n")
    while True:
        pass

user_program("spin", spin)
`

// screen reads what the shell writes to its terminal and waits for text to
// appear on it. Every wait is for an event (a prompt, a line of output),
// never for a time: the deadline only ends a test that is already failing.
type screen struct {
	t    *testing.T
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // the text up to here was matched by an earlier expect
	more chan struct{}
}

func newScreen(t *testing.T, f *os.File) *screen {
	s := &screen{t: t, more: make(chan struct{}, 1)}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// escapes are the terminal control sequences readline writes to redraw.
var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// text is the screen so far as a reader sees it: without control
// sequences and carriage returns, and with each backspace taking back the
// character before it (readline moves the cursor with them).
func (s *screen) text() string {
	s.mu.Lock()
	raw := s.buf.String()
	s.mu.Unlock()
	raw = strings.ReplaceAll(escapes.ReplaceAllString(raw, ""), "\r", "")
	var out []rune
	for _, r := range raw {
		switch {
		case r != '\b':
			out = append(out, r)
		case len(out) > 0 && out[len(out)-1] != '\n':
			out = out[:len(out)-1]
		}
	}
	return string(out)
}

// expect waits until want appears on the screen after the last match.
func (s *screen) expect(want string) {
	s.t.Helper()
	deadline := time.After(ptyDeadline)
	for {
		text := s.text()
		if i := strings.Index(text[s.seen:], want); i >= 0 {
			s.seen += i + len(want)
			return
		}
		select {
		case <-s.more:
		case <-deadline:
			s.t.Fatalf("%q never appeared; the screen shows:\n%s", want, text[s.seen:])
		}
	}
}

// startShell starts `kscript shell` with the spin script on a
// pseudo-terminal of the given size (nil: one nobody sized, 0x0), with its
// own home and history; it returns the terminal, its screen, a function
// that types keys and the channel the shell's exit arrives on.
func startShell(t *testing.T, size *pty.Winsize) (dir string, s *screen, typeKeys func(...string), done chan error) {
	t.Helper()
	dir = t.TempDir()
	star := filepath.Join(dir, "hello.star")
	if err := os.WriteFile(star, []byte(spinStar), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "shell", "--max-steps", "1000000000000", "--timeout", "1h", star)
	cmd.Env = append(os.Environ(), ptyChildEnv+"=1", "NO_COLOR=1", "TERM=xterm",
		"HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	var f *os.File
	var err error
	if size != nil {
		f, err = pty.StartWithSize(cmd, size)
	} else {
		f, err = pty.Start(cmd)
	}
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	done = make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	s = newScreen(t, f)
	typeKeys = func(keys ...string) {
		t.Helper()
		if _, err := f.WriteString(strings.Join(keys, "")); err != nil {
			t.Fatal(err)
		}
	}
	return dir, s, typeKeys, done
}

// TestShellTerminal runs `kscript shell` on a pseudo-terminal and types as
// a student does: line editing with Left, history with Up, Tab completion,
// Ctrl-C on a line and on a running program, Thai text, Ctrl-D.
func TestShellTerminal(t *testing.T) {
	if !bridgeWorks() {
		t.Skip("the bridge's machine is not implemented")
	}
	dir, s, typeKeys, done := startShell(t, &pty.Winsize{Rows: 40, Cols: 120})
	const prompt = "student@kscript:~/kernel-memory$ "

	s.expect(prompt)
	typeKeys("echo one", keyEnter)
	s.expect("\none\n" + prompt)

	// Up recalls the last line.
	typeKeys(keyUp, keyEnter)
	s.expect("\none\n" + prompt)

	// Left moves the cursor: "ech hi" becomes "echo hi".
	typeKeys("ech hi", keyLeft, keyLeft, keyLeft, "o", keyEnter)
	s.expect("\nhi\n" + prompt)

	// Tab completes a command and a /proc path.
	typeKeys("lsm", keyTab, keyEnter)
	s.expect("Module                  Size  Used by")
	s.expect(prompt)
	typeKeys("cat /proc/buddyi", keyTab, keyEnter)
	s.expect("Node 0, zone")
	s.expect(prompt)

	// make builds hello.ko into the working directory.
	typeKeys("make >/dev/null 2>&1; ls", keyEnter)
	s.expect("\nhello.ko\n")
	s.expect(prompt)

	// Ctrl-C stops a running program, not the shell or its modules.
	typeKeys("sudo insmod hello.ko && ./spin", keyEnter)
	s.expect("spinning\n")
	typeKeys(keyCtrlC)
	s.expect(prompt)
	typeKeys("lsmod | grep -c hello; echo status=$?", keyEnter)
	s.expect("\n1\nstatus=0\n" + prompt)

	// Ctrl-C on a line drops it; the history lists what ran.
	typeKeys("echo dropped", keyCtrlC)
	s.expect("^C\n" + prompt)
	start := s.seen
	typeKeys("history", keyEnter)
	s.expect("    1  echo one\n")
	s.expect(prompt)
	if out := s.text()[start:s.seen]; strings.Contains(out, "dropped") {
		t.Errorf("a line dropped with Ctrl-C is in the history:\n%s", out)
	}

	// Thai input is one line of UTF-8 like any other.
	typeKeys("echo สวัสดีครับ", keyEnter)
	s.expect("\nสวัสดีครับ\n" + prompt)

	// Ctrl-D on an empty line leaves, as bash prints "exit".
	exitShell(t, s, typeKeys, done)
	hist, err := os.ReadFile(filepath.Join(dir, "state", "kscript", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "echo one\n") || strings.Contains(string(hist), "dropped") {
		t.Errorf("history file:\n%s", hist)
	}
}

// TestShellTerminalUnsized types on a pseudo-terminal that reports no size
// (0 columns, as script(1) and some container sessions give): Tab still
// completes and lines still run.
func TestShellTerminalUnsized(t *testing.T) {
	if !bridgeWorks() {
		t.Skip("the bridge's machine is not implemented")
	}
	_, s, typeKeys, done := startShell(t, nil)
	const prompt = "student@kscript:~/kernel-memory$ "
	s.expect(prompt)
	typeKeys("lsm", keyTab, keyEnter)
	s.expect("Module                  Size  Used by")
	s.expect(prompt)
	typeKeys("cat /proc/buddyi", keyTab, keyEnter)
	s.expect("Node 0, zone")
	s.expect(prompt)
	exitShell(t, s, typeKeys, done)
}

// TestShellTerminalTabTab: Tab works as bash's. A Tab the candidates do
// not agree on changes nothing; a second Tab lists them under the line,
// which stays as typed, so that Enter runs what was typed, not a
// candidate; Tab completes as far as the candidates agree.
func TestShellTerminalTabTab(t *testing.T) {
	if !bridgeWorks() {
		t.Skip("the bridge's machine is not implemented")
	}
	_, s, typeKeys, done := startShell(t, &pty.Winsize{Rows: 40, Cols: 120})
	const prompt = "student@kscript:~/kernel-memory$ "
	s.expect(prompt)

	typeKeys("cat /proc/s", keyTab, keyTab)
	s.expect("cat /proc/s\nslabinfo  softirqs  stat\n" + prompt + "cat /proc/s")
	typeKeys(keyTab, keyEnter)
	s.expect("\ncat: /proc/s: No such file or directory\n" + prompt)

	typeKeys("ls", keyTab, keyTab)
	s.expect("\nls     lsmod\n" + prompt + "ls")
	typeKeys(keyEnter)
	s.expect("\nMakefile\nhello.star\nspin\n" + prompt)

	// One candidate left: Tab completes it, with a space after it.
	typeKeys("sudo cat /proc/sl", keyTab, "| head -n 1", keyEnter)
	s.expect("\nslabinfo - version: 2.1\n" + prompt)

	exitShell(t, s, typeKeys, done)
}

// exitShell ends a shell started by startShell with Ctrl-D and checks that
// it says exit and ends without an error.
func exitShell(t *testing.T, s *screen, typeKeys func(...string), done <-chan error) {
	t.Helper()
	typeKeys(keyCtrlD)
	s.expect("exit")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("kscript shell: %v", err)
		}
	case <-time.After(ptyDeadline):
		t.Fatal("kscript shell did not exit after Ctrl-D")
	}
}
