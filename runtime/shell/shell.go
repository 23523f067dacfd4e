package shell

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// Machine is what the shell needs of a simulated machine. The bridge's
// *kruntime.Machine satisfies it; tests use a fake.
type Machine interface {
	Kernel() *kernelsim.Kernel
	ModuleFiles() []string
	Insmod(ko string, params []string) error
	Rmmod(name string) error
	Modinfo(ko string) ([]string, error)
	Programs() []string
	Exec(name string, args []string, stdout io.Writer) (int, error)
}

// Command is one command of the shell. It reads inv.Stdin and writes to
// inv.Stdout and inv.Stderr, and returns its exit status. A failure that must
// stop a scenario (a script error, a sandbox limit) is reported with
// inv.Fatal.
type Command func(sh *Shell, inv *Invocation) int

// Invocation is one run of a command: its name and arguments after
// expansion, its standard input (the previous pipeline stage's output) and
// its output writers.
type Invocation struct {
	Name   string
	Args   []string
	Stdin  []byte
	Stdout io.Writer
	Stderr io.Writer

	fatal error
	sh    *Shell
	rec   int // index of this run in sh.records
}

// Errorf prints "name: message" on the command's standard error, as the
// command-line tools do, and returns status 1 for `return inv.Errorf(…)`.
func (inv *Invocation) Errorf(format string, args ...any) int {
	fmt.Fprintf(inv.Stderr, "%s: %s\n", inv.Name, fmt.Sprintf(format, args...))
	return 1
}

// Emit writes a command's already formatted output and returns its status:
// the adapter for commands that kernelsim runs itself (CmdMknod, CmdCat…),
// which return their output as text.
func (inv *Invocation) Emit(stdout, stderr string, status int) int {
	io.WriteString(inv.Stdout, stdout)
	io.WriteString(inv.Stderr, stderr)
	return status
}

// Fatal records an error that stops the scenario after this command (a
// *kruntime.ScriptError or *kruntime.LimitError) and returns status 1.
func (inv *Invocation) Fatal(err error) int {
	inv.fatal = err
	return 1
}

// Record notes the machine's error for this command (an insmod failure) in
// the shell's records, for expectations.
func (inv *Invocation) Record(err error) { inv.sh.records[inv.rec].Err = err }

// Record is what the shell remembers of one command it ran: scenario
// expectations (insmod:, exit_code:, stdout:) read these.
type Record struct {
	Name    string   // the command as typed, without sudo: "insmod", "./user_app"
	Args    []string // its arguments after expansion
	Status  int
	Err     error  // the machine's error, e.g. *kruntime.InsmodError; nil on success
	Program bool   // a user program run as ./NAME
	Device  bool   // cat of a device node (/dev/…): Output is what it read
	Output  string // a user program's standard output
}

// FS is a mounted file tree: the shell reads and writes files under its
// prefix through it. The char-device helper mounts /dev; errors are
// kernelsim.Errno values, printed as their strerror text.
type FS interface {
	ReadFile(path string) ([]byte, error)
	WriteFile(path string, data []byte, appendMode bool) error
}

// Shell is one interactive user's shell over a simulated machine: its
// variables, commands, mounted files and the records of what it ran.
type Shell struct {
	m      Machine
	cmds   map[string]Command
	mounts []mount
	files  map[string][]byte // regular files written with > (in memory)
	vars   map[string]string
	status int // $?

	records   []Record
	exited    bool
	downNoted bool // kscript's note about a kernel panic was printed
	exit      int

	cwd, oldCwd string // the working directory and $OLDPWD
	tracksBuild bool   // NAME.ko exists only after make (AddSource)
	history     []string

	// User is the shell's user ("" is root): the prompt and $HOME follow
	// it. New makes it "student", the workshop's user on Debian 12: insmod,
	// rmmod, dmesg and root-only files need sudo (privilege.go).
	User string

	// root says the running command runs as root (sudo, or a root shell).
	root bool

	// Lang is the language of kscript's own notes ("en" or "th").
	Lang string

	// Color lets kscript's pictures (memmap, buddy, slab) use ANSI
	// colours; off, they draw in plain letters (NO_COLOR, scenarios).
	Color bool

	// Hooks are called around every command; the scenario runner uses them
	// to snapshot memory before the first insmod and after each rmmod.
	Hooks Hooks
}

// Hooks observe the commands a shell runs.
type Hooks struct {
	// Before is called with a command's name and arguments before it runs.
	Before func(name string, args []string)
	// After is called with its record after it ran.
	After func(rec Record)
}

type mount struct {
	prefix string
	fs     FS
}

// Dir is the shell's working directory: the workshop's module folder.
const Dir = "/home/student/kernel-memory"

// New returns a shell over m with the built-in commands.
func New(m Machine) *Shell {
	sh := &Shell{m: m, cmds: builtinCommands(), files: map[string][]byte{}, vars: map[string]string{}, cwd: Dir, User: "student"}
	sh.Mount("/proc/", procFS{m})
	sh.Mount("/sys/kernel/debug/", procFS{m}) // kmemleak
	sh.Mount("/dev/null", nullFS{})
	installDevCommands(sh)
	return sh
}

// Machine returns the machine the shell runs on.
func (sh *Shell) Machine() Machine { return sh.m }

// Register adds or replaces a command: the char-device helper registers
// mknod, chmod, rm and ls this way.
func (sh *Shell) Register(name string, c Command) { sh.cmds[name] = c }

// Command returns the command registered as name, so that a replacement
// can delegate to it (a cat for /dev that leaves other files to the
// built-in cat).
func (sh *Shell) Command(name string) (Command, bool) {
	c, ok := sh.cmds[name]
	return c, ok
}

// Mount makes fs serve the paths that start with prefix ("/dev/"),
// replacing an earlier mount of the same prefix; the longest matching prefix
// wins.
func (sh *Shell) Mount(prefix string, fs FS) {
	for i, m := range sh.mounts {
		if m.prefix == prefix {
			sh.mounts[i].fs = fs
			return
		}
	}
	sh.mounts = append(sh.mounts, mount{prefix, fs})
	sort.SliceStable(sh.mounts, func(i, j int) bool { return len(sh.mounts[i].prefix) > len(sh.mounts[j].prefix) })
}

// Commands lists the shell's commands, sorted.
func (sh *Shell) Commands() []string {
	names := make([]string, 0, len(sh.cmds))
	for n := range sh.cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetVar sets a shell variable (a scenario capture: $MAJOR).
func (sh *Shell) SetVar(name, value string) { sh.vars[name] = value }

// Var returns a shell variable's value.
func (sh *Shell) Var(name string) string { return sh.lookup(name) }

// Records returns what the shell ran so far, oldest first.
func (sh *Shell) Records() []Record { return sh.records }

// Exited reports whether `exit` ran, and its status.
func (sh *Shell) Exited() (bool, int) { return sh.exited, sh.exit }

// Run parses and runs a command text, writing the commands' output to stdout
// and stderr. It returns the last command's exit status, as bash -c does.
// The error is a *SyntaxError for a text that does not parse (nothing runs),
// or the fatal error of a command that stopped the run (a script error in
// module init, a sandbox limit).
func (sh *Shell) Run(src string, stdout, stderr io.Writer) (int, error) {
	s, err := Parse(src)
	if err != nil {
		return 2, err
	}
	return sh.RunScript(s, stdout, stderr)
}

// RunScript runs a parsed command text; see Run.
func (sh *Shell) RunScript(s *Script, stdout, stderr io.Writer) (int, error) {
	if sh.panicked() != "" {
		sh.noteDown(stderr)
		sh.status = 1
		return 1, nil
	}
	for _, l := range s.Lists {
		if sh.exited {
			break
		}
		if err := sh.panicStop(sh.runAndOr(l, stdout, stderr), stderr); err != nil {
			return sh.status, err
		}
		if sh.panicked() != "" {
			break
		}
	}
	return sh.status, nil
}

func (sh *Shell) runAndOr(l *AndOr, stdout, stderr io.Writer) error {
	for i, pl := range l.Pipelines {
		if i > 0 {
			op := l.Ops[i-1]
			if (op == "&&") != (sh.status == 0) {
				continue
			}
		}
		if err := sh.runPipeline(pl, stdout, stderr); err != nil || sh.exited {
			return err
		}
	}
	return nil
}

// runPipeline runs the stages one after the other, each stage's output the
// next one's input. Unlike bash, stages do not run concurrently: every
// command here finishes on its own, so the output is the same.
func (sh *Shell) runPipeline(pl *Pipeline, stdout, stderr io.Writer) error {
	var in []byte
	for i, c := range pl.Cmds {
		out := stdout
		var buf bytes.Buffer
		if i < len(pl.Cmds)-1 {
			out = &buf
		}
		status, err := sh.runCmd(c, in, out, stderr)
		sh.status = status
		if err != nil {
			return err
		}
		in = buf.Bytes()
	}
	return sh.settle()
}

// deferredRunner is a machine that runs pending softirqs, timers and work.
type deferredRunner interface{ RunDeferred() error }

// settle runs what the kernel deferred while the pipeline ran (tasklets,
// expired timers, queued work), as the idle machine does while bash waits
// for the next command. A script error or an Oops there stops the run.
func (sh *Shell) settle() error {
	d, ok := sh.m.(deferredRunner)
	if !ok {
		return nil
	}
	return d.RunDeferred()
}

// runCmd expands and runs one simple command with its redirections.
func (sh *Shell) runCmd(c *Cmd, stdin []byte, stdout, stderr io.Writer) (int, error) {
	words := c.Words
	assigns := map[string]string{}
	var order []string
	for len(words) > 0 {
		name, w, ok := assignment(words[0])
		if !ok {
			break
		}
		assigns[name] = sh.expandOne(w)
		order = append(order, name)
		words = words[1:]
	}
	if len(words) == 0 {
		// NAME=value alone sets a shell variable, as in bash.
		for _, n := range order {
			sh.vars[n] = assigns[n]
		}
	}
	var argv []string
	for _, w := range words {
		argv = append(argv, sh.expandWord(w)...)
	}
	argv, sudo := stripSudo(argv)
	r := redirections{fds: [3]io.Writer{nil, stdout, stderr}, stdin: stdin}
	if status, ok := sh.openRedirs(c.Redirs, &r); !ok {
		return status, nil
	}
	status, err := 0, error(nil)
	if len(argv) > 0 {
		// Only the command runs as root: the redirections are the
		// user's shell's, as `sudo echo x > /root-only/file` fails in bash.
		sh.root = sudo || sh.user() == "root"
		status, err = sh.exec(argv, r.stdin, r.fds[1], r.fds[2])
		sh.root = sh.user() == "root"
	}
	if st := sh.flushRedirs(&r); st != 0 && status == 0 {
		status = st
	}
	return status, err
}

// assignment splits a word NAME=value (NAME unquoted) into the name and a
// word for the value. Unlike bash, an assignment before a command is
// ignored rather than put in the command's environment: the simulated
// commands read no environment.
func assignment(w Word) (string, Word, bool) {
	if len(w.Parts) == 0 || w.Parts[0].Quoted || w.Parts[0].Var {
		return "", w, false
	}
	name, rest, ok := strings.Cut(w.Parts[0].Text, "=")
	if !ok || name == "" || !isNameByte(name[0], true) {
		return "", w, false
	}
	for i := 1; i < len(name); i++ {
		if !isNameByte(name[i], false) {
			return "", w, false
		}
	}
	val := Word{Pos: w.Pos, Parts: append([]Part{{Text: rest}}, w.Parts[1:]...)}
	return name, val, true
}

// stripSudo drops a leading sudo and its options, and says whether there
// was one: the command then runs as root (sudo asks no password of the
// workshop's student, as Debian's sudo group does with NOPASSWD).
func stripSudo(argv []string) ([]string, bool) {
	if len(argv) == 0 || argv[0] != "sudo" {
		return argv, false
	}
	argv = argv[1:]
	for len(argv) > 0 && strings.HasPrefix(argv[0], "-") {
		argv = argv[1:]
	}
	return argv, true
}

// exec runs a command by name: a user program (./NAME), then the table.
func (sh *Shell) exec(argv []string, stdin []byte, stdout, stderr io.Writer) (int, error) {
	name := argv[0]
	if sh.Hooks.Before != nil {
		sh.Hooks.Before(name, argv[1:])
	}
	sh.records = append(sh.records, Record{Name: name, Args: argv[1:]})
	inv := &Invocation{Name: name, Args: argv[1:], Stdin: stdin, Stdout: stdout, Stderr: stderr, sh: sh, rec: len(sh.records) - 1}
	var status int
	switch c, ok := sh.cmds[name]; {
	case strings.Contains(name, "/"):
		status = sh.runProgram(inv)
	case ok && wantsOwnHelp(name, inv.Args):
		io.WriteString(stdout, ownHelp.Get()[name])
	case ok && name == "cat" && readsDevice(inv.Args):
		// What user space read from a driver: stdout: expectations see it
		// as they see a user program's output.
		var out bytes.Buffer
		inv.Stdout = io.MultiWriter(stdout, &out)
		status = c(sh, inv)
		rec := &sh.records[inv.rec]
		rec.Device, rec.Output = true, out.String()
	case ok:
		status = c(sh, inv)
	default:
		fmt.Fprintf(stderr, "bash: %s: command not found\n", name)
		status = 127
	}
	sh.records[inv.rec].Status = status
	if sh.Hooks.After != nil {
		sh.Hooks.After(sh.records[inv.rec])
	}
	return status, inv.fatal
}

// readsDevice reports whether cat's arguments name a device node.
func readsDevice(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "/dev/") {
			return true
		}
	}
	return false
}

// runProgram runs a user program registered by a script (./user_app).
func (sh *Shell) runProgram(inv *Invocation) int {
	p := sh.abs(inv.Name)
	dir, base := path.Split(p)
	if path.Clean(dir) != Dir || !contains(sh.m.Programs(), base) {
		fmt.Fprintf(inv.Stderr, "bash: %s: No such file or directory\n", inv.Name)
		return 127
	}
	var out bytes.Buffer
	status, err := sh.m.Exec(base, inv.Args, io.MultiWriter(inv.Stdout, &out))
	rec := &sh.records[inv.rec]
	rec.Program, rec.Output = true, out.String()
	if err != nil {
		return inv.Fatal(err)
	}
	if msg := signalMessage(status); msg != "" {
		fmt.Fprintln(inv.Stderr, msg)
	}
	return status
}

// signalMessage is what bash prints when a job dies of a signal.
func signalMessage(status int) string {
	switch status {
	case 128 + 9:
		return "Killed"
	case 128 + 11:
		return "Segmentation fault"
	case 128 + 6:
		return "Aborted"
	case 128 + 7:
		return "Bus error"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// redirections holds a command's file descriptors while it runs; output
// redirected to a file is collected and written when the command ends.
type redirections struct {
	fds   [3]io.Writer
	stdin []byte
	files []*fileOut
}

type fileOut struct {
	path   string
	append bool
	buf    bytes.Buffer
}

// openRedirs applies redirections in order, as bash does, so that
// "> f 2>&1" sends both to f. It returns false (and a status) when an input
// file cannot be read.
func (sh *Shell) openRedirs(rs []Redir, r *redirections) (int, bool) {
	stderr := r.fds[2]
	for _, rd := range rs {
		target := sh.expandOne(rd.Target)
		switch rd.Op {
		case "<":
			data, err := sh.ReadFile(target)
			if err != nil {
				fmt.Fprintf(stderr, "bash: %s: %s\n", target, errText(err))
				return 1, false
			}
			r.stdin = data
		case ">&":
			r.fds[rd.Fd] = r.fds[int(target[0]-'0')]
		default:
			f := &fileOut{path: target, append: rd.Op == ">>"}
			r.files = append(r.files, f)
			r.fds[rd.Fd] = &f.buf
		}
	}
	return 0, true
}

// flushRedirs writes the collected output to the redirection targets.
func (sh *Shell) flushRedirs(r *redirections) int {
	status := 0
	for _, f := range r.files {
		err := sh.WriteFile(f.path, f.buf.Bytes(), f.append)
		var sm shellMessager
		switch {
		case errors.As(err, &sm):
			io.WriteString(r.fds[2], sm.ShellMessage())
			status = 1
		case err != nil:
			fmt.Fprintf(r.fds[2], "bash: %s: %s\n", f.path, errText(err))
			status = 1
		}
	}
	return status
}

// shellMessager is an error from a mounted file tree that carries bash's
// whole message ("bash: echo: write error: Bad address\n").
type shellMessager interface{ ShellMessage() string }

// errText is the message a tool prints for err: strerror for an errno.
func errText(err error) string {
	var e kernelsim.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}
