package shell_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
	"kscript.dev/kscript/runtime/shell"
)

const helloScript = `
MODULE_LICENSE("GPL")
MODULE_DESCRIPTION("hello test")

def hello_init():
    for i in range(4):
        pr_info("line %d\n", i)
    pr_err("an error line\n")
    return 0

def hello_exit():
    pr_info("bye\n")

def nomem_init():
    return -ENOMEM

def app_main():
    printf("from user space\n")
    return 3

user_program("user_app", app_main)
module_init(hello_init)
module_exit(hello_exit)
`

// newShell returns a root shell over the stand-in machine with hello.ko and
// nomem.ko (whose init fails with -ENOMEM): the tools behave as for root.
// studentShell is the student's, as New makes it.
func newShell(t *testing.T) *shell.Shell {
	sh := studentShell(t)
	sh.User = ""
	return sh
}

func studentShell(t *testing.T) *shell.Shell {
	t.Helper()
	m, err := scenariotest.New(kruntime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadScript("hello.star", []byte(helloScript), "hello"); err != nil {
		t.Fatal(err)
	}
	if err := m.LoadScript("nomem.star", []byte("module_init(lambda: -ENOMEM)\n"), "nomem"); err != nil {
		t.Fatal(err)
	}
	return shell.New(m)
}

type outcome struct {
	stdout, stderr string
	status         int
}

func run(t *testing.T, sh *shell.Shell, cmds string) outcome {
	t.Helper()
	var out, errOut bytes.Buffer
	status, err := sh.Run(cmds, &out, &errOut)
	if err != nil {
		t.Fatalf("Run(%q): %v", cmds, err)
	}
	return outcome{out.String(), errOut.String(), status}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name   string
		setup  string // run first, output ignored
		cmds   string
		stdout string // exact, unless it starts with "~" (a substring)
		stderr string
		status int
	}{
		{name: "echo", cmds: `echo -n "a  b"; echo ' c'`, stdout: "a  b c\n"},
		{name: "unknown command", cmds: "frobnicate --now", stderr: "bash: frobnicate: command not found\n", status: 127},
		{name: "status of a pipeline is the last stage's", cmds: "frobnicate | echo x", stdout: "x\n", stderr: "bash: frobnicate: command not found\n"},
		{name: "and or", cmds: "false && echo no; false || echo yes; true && echo also", stdout: "yes\nalso\n"},
		{name: "status variable", cmds: "false; echo $?; true; echo $?", stdout: "1\n0\n"},
		{name: "assignment and field splitting", cmds: `X="a   b"; echo $X; echo "$X"`, stdout: "a b\na   b\n"},
		{name: "sudo is dropped", cmds: "sudo -E echo root", stdout: "root\n"},
		{name: "head", cmds: "echo -e 'a\\nb\\nc' | head -n 2", stdout: "a\nb\n"},
		{name: "head minus", cmds: "echo -e 'a\\nb\\nc' | head -n -1", stdout: "a\nb\n"},
		{name: "head short form", cmds: "echo -e 'a\\nb\\nc' | head -1", stdout: "a\n"},
		{name: "tail", cmds: "echo -e 'a\\nb\\nc' | tail -n 2", stdout: "b\nc\n"},
		{name: "tail plus", cmds: "echo -e 'a\\nb\\nc' | tail -n +2", stdout: "b\nc\n"},
		{name: "tail bad count", cmds: "echo a | tail -n x", stderr: "tail: invalid number of lines: 'x'\n", status: 1},
		{name: "wc", cmds: "echo -e 'a b\\nc' | wc -l", stdout: "2\n"},
		{name: "grep basic", cmds: "echo -e 'one\\ntwo\\nthree' | grep t", stdout: "two\nthree\n"},
		{name: "grep no match", cmds: "echo one | grep two", status: 1},
		{name: "grep invert count", cmds: "echo -e 'one\\ntwo\\nthree' | grep -vc one", stdout: "2\n"},
		{name: "grep ignore case, numbers", cmds: "echo -e 'One\\ntwo' | grep -in one", stdout: "1:One\n"},
		{name: "grep extended", cmds: "echo -e 'ab\\naab\\nb' | grep -E '^a+b$'", stdout: "ab\naab\n"},
		{name: "grep basic plus is literal", cmds: "echo -e 'a+b\\naab' | grep 'a+b'", stdout: "a+b\n"},
		{name: "grep basic group", cmds: `echo -e 'abab\nab' | grep '^\(ab\)\{2\}$'`, stdout: "abab\n"},
		{name: "grep fixed", cmds: "echo -e 'a.c\\nabc' | grep -F a.c", stdout: "a.c\n"},
		{name: "grep word", cmds: "echo -e 'hello\\nhello_kmalloc' | grep -w hello", stdout: "hello\n"},
		{name: "grep only matching", cmds: "echo 'major number 246' | grep -oE '[0-9]+'", stdout: "246\n"},
		{name: "grep bad regexp", cmds: "echo a | grep -E 'a('", stderr: "grep: Unmatched ( or \\(\n", status: 2},
		{name: "grep missing pattern", cmds: "grep", stderr: "~Usage: grep [OPTION]... PATTERNS [FILE]...", status: 2},
		{name: "grep quiet", cmds: "echo abc | grep -q b; echo $?", stdout: "0\n"},
		{name: "uname", cmds: "uname; uname -r; uname -sm", stdout: "Linux\n6.1.0-28-amd64\nLinux x86_64\n"},
		{name: "uname bad option", cmds: "uname -z", stderr: "uname: invalid option -- 'z'\nTry 'uname --help' for more information.\n", status: 1},
		{name: "redirect to a file and back", cmds: "echo saved > notes.txt; echo more >> notes.txt; cat notes.txt", stdout: "saved\nmore\n"},
		{name: "redirect input", setup: "echo -e 'x\\ny' > f", cmds: "grep y < f", stdout: "y\n"},
		{name: "stderr to stdout", cmds: "frobnicate 2>&1 | grep -c found", stdout: "1\n"},
		{name: "dev null", cmds: "frobnicate 2>/dev/null; cat /dev/null", status: 0},
		{name: "cat missing", cmds: "cat /proc/nonexistent", stderr: "cat: /proc/nonexistent: No such file or directory\n", status: 1},
		{name: "cat a directory", cmds: "cat /proc", stderr: "cat: /proc: Is a directory\n", status: 1},
		{name: "write to /proc", cmds: "echo 1 > /proc/meminfo", stderr: "bash: /proc/meminfo: Input/output error\n", status: 1},
		// As root on a real /dev (devtmpfs), writing to a node nobody made
		// creates a regular file: the forgotten-mknod mistake.
		{name: "write to a missing device", cmds: "echo hi > /dev/uaccess_dev; ls -l /dev/uaccess_dev; cat /dev/uaccess_dev", stdout: "-rw-r--r-- 1 root root 3 Nov 26 10:00 /dev/uaccess_dev\nhi\n"},
		// GNU ls lists file operands together, sorted, with no blank line
		// between them; directories follow, each after a blank line.
		{name: "ls -l two device nodes", cmds: "ls -l /dev/zero /dev/null",
			stdout: "crw-rw-rw- 1 root root 1, 3 Nov 26 10:00 /dev/null\ncrw-rw-rw- 1 root root 1, 5 Nov 26 10:00 /dev/zero\n"},
		{name: "ls files before directories", cmds: "ls /proc /dev/null | head -n 3",
			stdout: "/dev/null\n\n/proc:\n"},
		{name: "ls a missing operand among others", cmds: "ls /nonexistent /dev/null",
			stdout: "/dev/null\n", stderr: "ls: cannot access '/nonexistent': No such file or directory\n", status: 2},
		{name: "exit", cmds: "echo a; exit 4; echo b", stdout: "a\n", status: 4},
		{name: "make", cmds: "make",
			stdout: "make -C /lib/modules/6.1.0-28-amd64/build M=/home/student/kernel-memory modules\n" +
				"make[1]: Entering directory '/usr/src/linux-headers-6.1.0-28-amd64'\n" +
				"  CC [M]  /home/student/kernel-memory/hello.o\n" +
				"  CC [M]  /home/student/kernel-memory/nomem.o\n" +
				"  MODPOST /home/student/kernel-memory/Module.symvers\n" +
				"  CC [M]  /home/student/kernel-memory/hello.mod.o\n" +
				"  LD [M]  /home/student/kernel-memory/hello.ko\n" +
				"  BTF [M] /home/student/kernel-memory/hello.ko\n" +
				"  CC [M]  /home/student/kernel-memory/nomem.mod.o\n" +
				"  LD [M]  /home/student/kernel-memory/nomem.ko\n" +
				"  BTF [M] /home/student/kernel-memory/nomem.ko\n" +
				"make[1]: Leaving directory '/usr/src/linux-headers-6.1.0-28-amd64'\n",
			stderr: "Skipping BTF generation for /home/student/kernel-memory/hello.ko due to unavailability of vmlinux\n" +
				"Skipping BTF generation for /home/student/kernel-memory/nomem.ko due to unavailability of vmlinux\n"},
		{name: "make unknown target", cmds: "make install", stderr: "make: *** No rule to make target 'install'.  Stop.\n", status: 2},
		{name: "insmod", cmds: "insmod hello.ko && dmesg | grep -cE 'line [0-9]$'", stdout: "4\n"},
		{name: "insmod path", cmds: "insmod ./hello.ko; insmod /home/student/kernel-memory/nomem.ko",
			stderr: "insmod: ERROR: could not insert module nomem.ko: Cannot allocate memory\n", status: 1},
		{name: "insmod missing file", cmds: "insmod other.ko",
			stderr: "insmod: ERROR: could not load module other.ko: No such file or directory\n", status: 1},
		{name: "insmod elsewhere", cmds: "insmod /tmp/hello.ko",
			stderr: "insmod: ERROR: could not load module /tmp/hello.ko: No such file or directory\n", status: 1},
		{name: "insmod twice", setup: "insmod hello.ko", cmds: "insmod hello.ko",
			stderr: "insmod: ERROR: could not insert module hello.ko: File exists\n", status: 1},
		{name: "insmod without a file", cmds: "insmod", stderr: "insmod: ERROR: missing filename.\n", status: 1},
		{name: "rmmod", setup: "insmod hello.ko", cmds: "rmmod hello.ko; dmesg | tail -n 1 | grep -o bye", stdout: "bye\n"},
		{name: "rmmod not loaded", cmds: "rmmod hello", stderr: "rmmod: ERROR: Module hello is not currently loaded\n", status: 1},
		{name: "modinfo", cmds: "modinfo hello.ko | head -n 2",
			stdout: "filename:       /home/student/kernel-memory/hello.ko\nlicense:        GPL\n"},
		{name: "modinfo by name", cmds: "modinfo hello", stderr: "modinfo: ERROR: Module hello not found.\n", status: 1},
		{name: "user program", cmds: "./user_app", stdout: "from user space\n", status: 3},
		{name: "missing program", cmds: "./other_app", stderr: "bash: ./other_app: No such file or directory\n", status: 127},
		{name: "gcc", cmds: "gcc user_app.c -o user_app && echo built", stdout: "built\n"},
		{name: "gcc missing source", cmds: "gcc other.c -o other", stderr: "~gcc: error: other.c: No such file or directory", status: 1},
		{name: "tick", cmds: "tick 25j; tick 100ms; sleep 1; echo $?", stdout: "0\n"},
		{name: "tick bad", cmds: "tick soon", stderr: "tick: invalid duration 'soon': want e.g. 100ms, 2s or 25j\n", status: 1},
		{name: "pressure bad", cmds: "pressure 300", stderr: "pressure: invalid percentage '300': want 0 to 200\n", status: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := newShell(t)
			if tt.setup != "" {
				run(t, sh, tt.setup)
			}
			got := run(t, sh, tt.cmds)
			check(t, "stdout", got.stdout, tt.stdout)
			check(t, "stderr", got.stderr, tt.stderr)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d", got.status, tt.status)
			}
		})
	}
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if sub, ok := strings.CutPrefix(want, "~"); ok {
		if !strings.Contains(got, sub) {
			t.Errorf("%s = %q, want it to contain %q", what, got, sub)
		}
		return
	}
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestDmesg(t *testing.T) {
	sh := newShell(t)
	run(t, sh, "insmod hello.ko")
	tests := []struct {
		name, cmds, stdout, stderr string
		status                     int
	}{
		{name: "timestamps", cmds: "dmesg | tail -n 1 | grep -cE '^\\[ +[0-9]+\\.[0-9]{6}\\] an error line$'", stdout: "1\n"},
		{name: "level filter", cmds: "dmesg -l err -t", stdout: "an error line\n"},
		{name: "level list", cmds: "dmesg --level=err,warn -t | tail -n 2",
			stdout: "hello: module verification failed: signature and/or required key missing - tainting kernel\nan error line\n"},
		{name: "decode", cmds: "dmesg -x -t -l err", stdout: "kern  :err   : an error line\n"},
		{name: "raw", cmds: "dmesg -r -t -l err", stdout: "<3>an error line\n"},
		{name: "unknown level", cmds: "dmesg -l loud", stderr: "dmesg: unknown level 'loud'\n", status: 1},
		{name: "bad option", cmds: "dmesg -z", stderr: "dmesg: invalid option -- 'z'\nTry 'dmesg --help' for more information.\n", status: 1},
		{name: "clear after reading", cmds: "dmesg -c | grep -cE 'line [0-9]$'; dmesg | wc -l", stdout: "4\n0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, sh, tt.cmds)
			check(t, "stdout", got.stdout, tt.stdout)
			check(t, "stderr", got.stderr, tt.stderr)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d", got.status, tt.status)
			}
		})
	}
	run(t, sh, "echo new > /dev/null")
	if got := run(t, sh, "dmesg -C; dmesg"); got.stdout != "" {
		t.Errorf("dmesg after dmesg -C printed %q", got.stdout)
	}
}

func TestRecordsAndHooks(t *testing.T) {
	sh := newShell(t)
	var seen []string
	sh.Hooks.Before = func(name string, args []string) { seen = append(seen, name) }
	run(t, sh, "sudo insmod nomem.ko; ./user_app | head -n 1")
	recs := sh.Records()
	if len(recs) != 3 || recs[0].Name != "insmod" || recs[0].Status != 1 || recs[0].Err == nil {
		t.Fatalf("records = %+v", recs)
	}
	if !recs[1].Program || recs[1].Output != "from user space\n" || recs[1].Status != 3 {
		t.Errorf("program record = %+v", recs[1])
	}
	if strings.Join(seen, ",") != "insmod,./user_app,head" {
		t.Errorf("hooks saw %v", seen)
	}
}

func TestFatalScriptError(t *testing.T) {
	m, _ := scenariotest.New(kruntime.Options{})
	if err := m.LoadScript("bad.star", []byte("def f():\n    return 1 + 'a'\nmodule_init(f)\n"), ""); err != nil {
		t.Fatal(err)
	}
	sh := shell.New(m)
	var out bytes.Buffer
	_, err := sh.Run("sudo insmod bad.ko; echo after", &out, &out)
	if err == nil || err.Error() != "bad.star:2:14: unknown binary op: int + string" {
		t.Fatalf("error = %v", err)
	}
	if strings.Contains(out.String(), "after") {
		t.Errorf("the run went on after a script error: %q", out.String())
	}
}

// lines is a LineReader that replays typed lines and records the prompts.
type lines struct {
	typed   []string
	prompts []string
}

func (l *lines) ReadLine(prompt string) (string, error) {
	l.prompts = append(l.prompts, prompt)
	if len(l.typed) == 0 {
		return "", io.EOF
	}
	line := l.typed[0]
	l.typed = l.typed[1:]
	if line == "^C" {
		return "", shell.ErrInterrupt
	}
	return line, nil
}

func TestInteractive(t *testing.T) {
	tests := []struct {
		name    string
		typed   []string
		status  int
		stdout  string
		stderr  string
		prompts []string
		history []string
	}{
		{
			name:    "continuation, syntax error, exit",
			typed:   []string{`echo "a`, `b"`, "frob | |", "exit 5", "echo never"},
			status:  5,
			stdout:  "a\nb\n",
			stderr:  "bash: syntax error near unexpected token `|'\n",
			prompts: []string{"root@kscript:/home/student/kernel-memory# ", "> ", "root@kscript:/home/student/kernel-memory# ", "root@kscript:/home/student/kernel-memory# "},
			history: []string{"echo \"a\nb\"", "frob | |", "exit 5"},
		},
		{
			name:    "Ctrl-C drops the line, Ctrl-D exits",
			typed:   []string{"echo \"open", "^C", "cd /proc", "echo x", "echo x", " echo secret", ""},
			status:  0,
			stdout:  "x\nx\nsecret\nexit\n",
			prompts: []string{"root@kscript:/home/student/kernel-memory# ", "> ", "root@kscript:/home/student/kernel-memory# ", "root@kscript:/proc# ", "root@kscript:/proc# ", "root@kscript:/proc# ", "root@kscript:/proc# ", "root@kscript:/proc# "},
			history: []string{"cd /proc", "echo x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := newShell(t)
			var out, errOut bytes.Buffer
			lr := &lines{typed: tt.typed}
			if status := sh.Interactive(lr, &out, &errOut); status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			check(t, "stdout", out.String(), tt.stdout)
			check(t, "stderr", errOut.String(), tt.stderr)
			check(t, "prompts", strings.Join(lr.prompts, "|"), strings.Join(tt.prompts, "|"))
			check(t, "history", strings.Join(sh.History(), "|"), strings.Join(tt.history, "|"))
		})
	}
}

func TestRunInputHasNoPrompt(t *testing.T) {
	sh := newShell(t)
	var out, errOut bytes.Buffer
	status := sh.RunInput(strings.NewReader("echo \"a\nb\"\nexit 3\necho never\n"), &out, &errOut)
	if status != 3 {
		t.Errorf("status = %d, want 3", status)
	}
	check(t, "stdout", out.String(), "a\nb\n")
}

func TestRegisterAndMount(t *testing.T) {
	sh := newShell(t)
	sh.Register("mknod", func(sh *shell.Shell, inv *shell.Invocation) int {
		return inv.Errorf("%s: fake", strings.Join(inv.Args, " "))
	})
	sh.Mount("/dev/", memFS{"/dev/uaccess_dev": "kernel says hi\n"})
	got := run(t, sh, "mknod /dev/x c 1 0; cat /dev/uaccess_dev")
	check(t, "stdout", got.stdout, "kernel says hi\n")
	check(t, "stderr", got.stderr, "mknod: /dev/x c 1 0: fake\n")
}

type memFS map[string]string

func (m memFS) ReadFile(p string) ([]byte, error) { return []byte(m[p]), nil }
func (m memFS) WriteFile(p string, data []byte, appendMode bool) error {
	m[p] = string(data)
	return nil
}

// TestStudentNeedsSudo checks the shell is the workshop's user's, as on
// Debian 12: without sudo, insmod, rmmod and dmesg fail with the tools' own
// messages (dmesg_restrict=1), root-only files are refused, and kscript
// hints at sudo; with sudo they work. Redirections stay the user's.
func TestStudentNeedsSudo(t *testing.T) {
	hint := func(cmd string) string {
		return "kscript: hint: " + strings.Fields(cmd)[0] + " needs root, and this shell is the student's (as on Debian): type `sudo " + cmd + "`\n"
	}
	tests := []struct {
		name, setup, cmds, stdout, stderr string
		status                            int
	}{
		{name: "insmod", cmds: "insmod hello.ko",
			stderr: "insmod: ERROR: could not insert module hello.ko: Operation not permitted\n" + hint("insmod hello.ko"), status: 1},
		{name: "sudo insmod", cmds: "sudo insmod hello.ko; echo $?", stdout: "0\n"},
		// rmmod of a loaded module without sudo: cmd/kscript's
		// shell_sudo.txtar (the stand-in machine has no kernel modules).
		{name: "rmmod not loaded", cmds: "rmmod hello", stderr: "rmmod: ERROR: Module hello is not currently loaded\n", status: 1},
		{name: "dmesg", cmds: "dmesg | tail -n 1",
			stderr: "dmesg: read kernel buffer failed: Operation not permitted\n" + hint("dmesg")},
		{name: "dmesg -C", cmds: "dmesg -C",
			stderr: "dmesg: clear kernel buffer failed: Operation not permitted\n" + hint("dmesg -C"), status: 1},
		{name: "sudo dmesg", setup: "sudo insmod hello.ko", cmds: "sudo dmesg -t -l err", stdout: "an error line\n"},
		{name: "slabinfo", cmds: "cat /proc/slabinfo", stderr: "cat: /proc/slabinfo: Permission denied\n", status: 1},
		{name: "buddyinfo is anyone's", cmds: "cat /proc/buddyinfo | grep -c zone", stdout: "~"},
		{name: "debugfs", cmds: "cat /sys/kernel/debug/kmemleak", stderr: "cat: /sys/kernel/debug/kmemleak: Permission denied\n", status: 1},
		{name: "sudo echo redirect is the user's", cmds: "sudo echo scan > /sys/kernel/debug/kmemleak",
			stderr: "bash: /sys/kernel/debug/kmemleak: Permission denied\n", status: 1},
		{name: "sudo tee", cmds: "echo scan | sudo tee /sys/kernel/debug/kmemleak", stdout: "scan\n"},
		{name: "mknod", cmds: "mknod /dev/x c 246 0",
			stderr: "mknod: /dev/x: Permission denied\n" + hint("mknod /dev/x c 246 0"), status: 1},
		{name: "rm in /dev", cmds: "rm /dev/x", stderr: "rm: cannot remove '/dev/x': Permission denied\n" + hint("rm /dev/x"), status: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := studentShell(t)
			if tt.setup != "" {
				run(t, sh, tt.setup)
			}
			got := run(t, sh, tt.cmds)
			check(t, "stdout", got.stdout, tt.stdout)
			check(t, "stderr", got.stderr, tt.stderr)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d", got.status, tt.status)
			}
		})
	}
	if p := studentShell(t).Prompt(); p != "student@kscript:~/kernel-memory$ " {
		t.Errorf("prompt %q", p)
	}
}
