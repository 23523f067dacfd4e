package kernelsim

import (
	"fmt"
	"io"
)

// User processes: a Task plus a user address space and a file table.
//
// A Process is what the runtime's user programs run in. Its memory is a
// struct mm_struct: a sorted list of VMAs (text, rodata, data, heap, stack)
// at the addresses a Debian 12 x86-64 PIE program gets, backed lazily by
// page frames from the page allocator — allocated on the first write to a
// page (the simulated page fault), the shared zero page standing in for
// pages only read — and freed at exit.
//
//	0x55..554000  text   r-xp  /home/student/NAME
//	0x55..555000  rodata r--p  string literals
//	0x55..565000  data   rw-p
//	0x55..566000  [heap] rw-p  malloc (brk), grows up
//	0x7ff....000  [stack] rw-p  argv, envp, local arrays; grows down
//
// The user-mode accessors (ReadUser, WriteUser) are what the program itself
// does: a bad pointer kills it with SIGSEGV, as the CPU and the kernel's page
// fault handler would. The kernel-mode accessors in uaccess.go are what
// copy_from_user and friends do: a bad pointer is a short copy.

// Signal numbers (include/uapi/asm-generic/signal.h).
const (
	SIGABRT = 6
	SIGKILL = 9
	SIGSEGV = 11
)

// SignalName returns what bash prints when a process dies of sig.
func SignalName(sig int) string {
	switch sig {
	case SIGABRT:
		return "Aborted"
	case SIGKILL:
		return "Killed"
	case SIGSEGV:
		return "Segmentation fault"
	}
	return fmt.Sprintf("Signal %d", sig)
}

// Process is one user process: its task (pid, comm, uid), address space and
// open files. Methods on it are the system calls and libc pieces the
// runtime's user-program builtins call. Not safe for concurrent use.
type Process struct {
	k    *Kernel
	Task *Task
	MM   *MM

	files  []*File // the fd table: files[fd], nil for a free slot
	stdout io.Writer
	stdin  []byte

	heap heapState // malloc's arena in the brk area (malloc.go)

	exited     bool
	exitStatus int // exit(n)'s n, or 128+signal
	signal     int // the signal that killed it, 0 after exit()
}

// procState holds the live user processes, by task.
type procState struct {
	byTask    map[*Task]*Process
	shell     *Process // bash: root's shell (sudo), that echo > file runs in
	userShell *Process // bash: the student's shell

	warnedCopySize bool // check_copy_size's WARN_ON_ONCE fired
}

// NewProcess mirrors fork+execve of program comm by uid: a new task and an
// address space laid out as for a PIE binary named comm, with argv and a
// minimal environment on the stack, fds 0-2 on the terminal. stdout receives
// what the process writes to fds 1 and 2; stdin is what reads of fd 0 return.
func (k *Kernel) NewProcess(comm string, uid int, argv []string, stdout io.Writer, stdin []byte) (*Process, error) {
	t := k.NewTask(comm, uid)
	p := &Process{k: k, Task: t, stdout: stdout, stdin: stdin}
	p.MM = k.newMM(comm)
	tty := k.ttyFile(p)
	p.files = []*File{tty, tty, tty}
	tty.count = 3
	if k.procs.byTask == nil {
		k.procs.byTask = map[*Task]*Process{}
	}
	k.procs.byTask[t] = p
	if len(argv) == 0 {
		argv = []string{"./" + comm}
	}
	if err := p.setupArgs(argv); err != nil {
		p.exitMM()
		delete(k.procs.byTask, t)
		return nil, err
	}
	return p, nil
}

// PID returns the process's pid.
func (p *Process) PID() int { return p.Task.PID }

// Exited reports whether the process has exited or been killed.
func (p *Process) Exited() bool { return p.exited }

// ExitStatus is the status the shell sees ($?): exit()'s code, or
// 128+signal for a process killed by a signal.
func (p *Process) ExitStatus() int { return p.exitStatus }

// Signal is the signal that killed the process, 0 if it exited.
func (p *Process) Signal() int { return p.signal }

// currentProcess is the process whose task is current, nil in a kernel
// thread or a task without a simulated address space (current->mm == NULL).
func (k *Kernel) currentProcess() *Process {
	return k.procs.byTask[k.Current()]
}

// ProcessKilled is the error a system call or user memory access returns
// once the process no longer exists: killed by Signal (SIGSEGV after a bad
// pointer or a kernel Oops, SIGABRT from malloc's checks, SIGKILL when out
// of memory). Its files are closed and its memory freed already. Oops is
// set when a kernel Oops killed it.
type ProcessKilled struct {
	PID    int
	Signal int
	Oops   *Oops
}

func (e *ProcessKilled) Error() string { return SignalName(e.Signal) }

// Exit mirrors exit_group(code): close every file (running the drivers'
// release), free the address space. The exit status is code & 0xff. Errors
// are only fatal ones from a release handler.
func (p *Process) Exit(code int) error {
	if p.exited {
		return nil
	}
	return p.k.RunTask(p.Task, exitEntry, func() error {
		err := p.doExit()
		p.exitStatus = code & 0xff
		return err
	})
}

// Kill ends the process with sig, as the kernel does for a fatal signal:
// the exit path runs (files released, memory freed) and the status is
// 128+sig. The returned error is the *ProcessKilled to hand back up, or a
// fatal error from a release handler.
func (p *Process) Kill(sig int) error {
	return p.killWith(sig, nil)
}

func (p *Process) killWith(sig int, oops *Oops) error {
	if !p.exited {
		err := p.k.RunTask(p.Task, exitEntry, p.doExit)
		p.signal, p.exitStatus = sig, 128+sig
		if err != nil {
			return err
		}
	}
	return &ProcessKilled{PID: p.Task.PID, Signal: sig, Oops: oops}
}

// doExit mirrors do_exit(): exit_files then exit_mm.
func (p *Process) doExit() error {
	p.exited = true
	var first error
	for fd, f := range p.files {
		if f == nil {
			continue
		}
		p.files[fd] = nil
		if err := p.k.fput(f); err != nil && first == nil {
			first = err
		}
	}
	p.exitMM()
	delete(p.k.procs.byTask, p.Task)
	return first
}

// Processes lists the live user processes' pids, ascending.
func (k *Kernel) Processes() []int {
	var pids []int
	for t := range k.procs.byTask {
		pids = append(pids, t.PID)
	}
	for i := 1; i < len(pids); i++ {
		for j := i; j > 0 && pids[j] < pids[j-1]; j-- {
			pids[j], pids[j-1] = pids[j-1], pids[j]
		}
	}
	return pids
}
