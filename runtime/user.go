package runtime

import (
	"errors"
	"fmt"
	"io"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// User programs: user_program(name, main) registers a program that Exec
// runs as ./name in a process of its own (kernelsim.Process: pid, comm, an
// address space, a file table), as the ordinary user student. Its code runs
// in user mode: its pointers are user addresses, read and written through
// the process's page tables (a bad one is SIGSEGV), and it reaches the
// kernel only through the system-call builtins.

// userProc is the running user program: its process, its stdout and libc's
// errno.
type userProc struct {
	p      *kernelsim.Process
	stdout io.Writer
	errno  int
}

// exitRequest unwinds a user program that called exit(code).
type exitRequest struct{ code int }

func (e *exitRequest) Error() string { return fmt.Sprintf("exit(%d)", e.code) }

// ExecError is the shell's failure to run a program: no such file.
type ExecError struct{ Name string }

func (e *ExecError) Error() string { return "bash: ./" + e.Name + ": No such file or directory" }

// exec runs user program name as ./name args...: fork+execve, main, exit.
// The status is main's return value (exit's code), or 128+signal when the
// process was killed (the shell prints "Segmentation fault").
func (m *Machine) exec(name string, args []string, stdout io.Writer) (int, error) {
	s, ok := m.findProgram(name)
	if !ok {
		return 127, &ExecError{Name: name}
	}
	inst, err := m.image(s) // execve: the program's own globals
	if err != nil {
		return 1, err
	}
	prog, _ := inst.program(name)
	argv := append([]string{"./" + name}, args...)
	out := &cappedOutput{w: stdout, out: &m.env.out}
	if stdout == nil {
		out = nil
	}
	p, err := m.k.NewProcess(name, kernelsim.UserUID, argv, writerOrNil(out), nil)
	if err != nil {
		return 1, err
	}
	if out != nil {
		defer out.note(name, m.opts.Lang)
	}
	u := &userProc{p: p, stdout: writerOrNil(out)}
	e := m.env
	prev := e.proc
	e.proc = u
	defer func() { e.proc = prev }()
	var ret starlark.Value
	err = m.k.RunTask(p.Task, nil, func() error {
		var err error
		ret, err = m.callScript(inst, whereUser, prog.main, mainArgs(prog.main, argv)...)
		return err
	})
	return m.endProcess(u, ret, err)
}

// mainArgs passes argc and argv to a main that takes them.
func mainArgs(main starlark.Callable, argv []string) []starlark.Value {
	if f, ok := main.(*starlark.Function); !ok || f.NumParams() < 2 {
		return nil
	}
	list := make([]starlark.Value, len(argv))
	for i, a := range argv {
		list[i] = starlark.String(a)
	}
	return []starlark.Value{starlark.MakeInt(len(argv)), starlark.NewList(list)}
}

// endProcess ends the process as main's outcome says and returns its
// status.
func (m *Machine) endProcess(u *userProc, ret starlark.Value, err error) (int, error) {
	var dead *kernelsim.ProcessKilled
	var exit *exitRequest
	var limit *LimitError
	switch {
	case err == nil:
		code := 0 // falling off the end of main returns 0 (C99)
		if n, ok := ret.(starlark.Int); ok {
			c, _ := n.Int64()
			code = int(c)
		}
		err = u.p.Exit(code)
	case errors.As(err, &exit):
		err = u.p.Exit(exit.code)
	case errors.As(err, &dead):
		err = nil
	case errors.As(err, &limit):
		_ = u.p.Kill(kernelsim.SIGKILL)
	default:
		if kerr := u.p.Exit(1); kerr != nil && !errors.As(kerr, &dead) {
			err = kerr
		}
	}
	if errors.As(err, &dead) {
		err = nil
	}
	if derr := killed(m.k.RunDeferred()); err == nil {
		err = derr
	}
	return u.p.ExitStatus(), err
}

func (e *env) userRead(a kernelsim.Addr, buf []byte) error {
	if e.proc == nil {
		return errNoProcess
	}
	if kernelsim.IsModuleAddr(a) {
		return e.moduleMemory(a)
	}
	return e.proc.p.ReadUser(a, buf)
}

func (e *env) userWrite(a kernelsim.Addr, data []byte) error {
	if e.proc == nil {
		return errNoProcess
	}
	if kernelsim.IsModuleAddr(a) {
		return e.moduleMemory(a)
	}
	return e.proc.p.WriteUser(a, data)
}

func (e *env) userCString(a kernelsim.Addr, max uint64) (string, error) {
	if e.proc == nil {
		return "", errNoProcess
	}
	if kernelsim.IsModuleAddr(a) {
		return "", e.moduleMemory(a)
	}
	return e.proc.p.ReadString(a, int(min(max, 1<<30)))
}

func (e *env) userPrint(s string) {
	if e.proc != nil && e.proc.stdout != nil {
		io.WriteString(e.proc.stdout, s)
	}
}

var errNoProcess = errors.New("user memory access outside a user program")

// maxUserOutput bounds the bytes the user programs of one run (one
// machine) may print, printf, puts, perror, print and write(1, ...) alike:
// a program printing in a loop until its steps run out would otherwise
// make tens of megabytes of transcript and results. What is past the cap
// is counted, not kept, and each program that lost output ends with
// kscript's note saying how much. The cap counts bytes, never time, so
// where output stops is the same on every run.
const maxUserOutput = 64 << 10

// outputCount is what the user programs of a run have printed.
type outputCount struct {
	shown int // bytes written through, at most maxUserOutput
}

// cappedOutput is a user program's stdout: the first maxUserOutput bytes
// of the run's programs go through; the rest are counted in hidden.
type cappedOutput struct {
	w      io.Writer
	out    *outputCount
	hidden int
}

func (c *cappedOutput) Write(p []byte) (int, error) {
	room := maxUserOutput - c.out.shown
	if len(p) <= room {
		c.out.shown += len(p)
		return c.w.Write(p)
	}
	if room > 0 {
		c.out.shown += room
		if _, err := c.w.Write(p[:room]); err != nil {
			return 0, err
		}
	}
	c.hidden += len(p) - max(room, 0)
	return len(p), nil // the program sees its write succeed, as on a pipe
}

// note ends the output of program name with kscript's note when some of
// it was not shown.
func (c *cappedOutput) note(name, lang string) {
	if c.hidden == 0 {
		return
	}
	msg := fmt.Sprintf("\nkscript: note: ./%s printed %d more bytes that are not shown: kscript keeps at most %d bytes of the user programs' output per run\n", name, c.hidden, maxUserOutput)
	if lang == "th" {
		msg = fmt.Sprintf("\nkscript: หมายเหตุ: ./%s พิมพ์ออกมาอีก %d ไบต์ที่ไม่ได้แสดง: kscript เก็บผลลัพธ์ของโปรแกรมฝั่ง user ได้ไม่เกิน %d ไบต์ต่อการรันหนึ่งครั้ง\n", name, c.hidden, maxUserOutput)
	}
	io.WriteString(c.w, msg)
}

// writerOrNil returns c as an io.Writer, nil (not a nil *cappedOutput)
// when c is nil.
func writerOrNil(c *cappedOutput) io.Writer {
	if c == nil {
		return nil
	}
	return c
}
