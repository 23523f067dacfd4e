package grade

import (
	"fmt"
	"io"
	"os/exec"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// isolate puts a worker in a process group of its own (a terminal's
// Ctrl-C is the batch's to handle) and has the kernel kill it if the
// batch's process dies (PR_SET_PDEATHSIG), so no worker outlives its
// batch.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// limitMemory caps the worker's address space (RLIMIT_AS) at what it has
// now plus extra bytes, never above a limit it inherited, and sets the Go
// runtime's soft memory limit at three quarters of extra, so that the
// collector works hard before the hard limit is met. What the process has
// at start is mostly reservations (the Go runtime's, the Starlark
// interpreter's 4 GiB for small integers), not memory.
func limitMemory(extra uint64) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil {
		return fmt.Errorf("getrlimit: %v", err)
	}
	limit := vmSize() + extra
	if limit < rl.Cur {
		rl.Cur = limit
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &rl); err != nil {
			return fmt.Errorf("setrlimit(RLIMIT_AS, %d): %v", limit, err)
		}
	}
	debug.SetMemoryLimit(int64(extra / 4 * 3))
	return nil
}

// rawReader and rawWriter read and write the batch's end of a worker's
// pipe (from os/exec) with raw system calls.
//
// os/exec's pipes are non-blocking, polled by the Go runtime. Through
// os.File each read and write is a system call announced to the runtime
// (entersyscall), and the announcement wakes the runtime's monitor thread
// (sysmon) whenever it sleeps because no goroutine runs: in a batch's
// process, which waits for its workers, that is at nearly every answer.
// Each such wake-up, and sysmon's 20 µs poll after it, is a thread switch
// on a CPU a worker needs. A read or write of a non-blocking pipe never
// blocks, so it needs no announcement: the RawConn still waits for the
// pipe in the runtime's poller as os.File does (and os.File's Close still
// wakes a waiting Read or Write); only the system call itself is raw.
type rawReader struct{ rc syscall.RawConn }

type rawWriter struct{ rc syscall.RawConn }

// rawPipes returns r and w as a rawReader and a rawWriter, or as they are
// when they are not files with a RawConn.
func rawPipes(r io.Reader, w io.Writer) (io.Reader, io.Writer) {
	if sc, ok := r.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			r = rawReader{rc}
		}
	}
	if sc, ok := w.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			w = rawWriter{rc}
		}
	}
	return r, w
}

func (r rawReader) Read(p []byte) (n int, err error) {
	if len(p) == 0 {
		return 0, nil
	}
	werr := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return false // wait in the poller
			case e != 0:
				err = e
			case m == 0:
				err = io.EOF
			}
			n = int(m)
			return true
		}
	})
	if werr != nil {
		return 0, werr
	}
	if err != nil {
		n = 0
	}
	return n, err
}

func (w rawWriter) Write(p []byte) (n int, err error) {
	werr := w.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait in the poller
			default:
				err = e
				return true
			}
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return n, err
}
