package grade

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
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

// hugeHeap maps n bytes more of heap in one piece, asks Linux to back
// them with transparent huge pages (madvise MADV_HUGEPAGE; the machine's
// setting is usually "madvise", and Go asks for none itself) and makes
// their pages at once (MADV_POPULATE_WRITE, Linux 5.14), then frees them
// with a collection, for the allocator to hand out again. A worker's heap
// grows to its collector's goal in its first hundred submissions, and
// each page of it first touched was a page fault, paid again by every
// worker of a --jobs batch. On a virtual machine whose guest kernel is
// not privileged (the 2-vCPU Firecracker guest this was measured on) a
// fault costs 10-20 µs, while the kernel makes the same 4 KiB page for
// about 1.3 µs inside one madvise call, and a 2 MiB page for 0.1-0.3 ms
// when the host has backed it (several ms when it has not).
//
// The collection matters as much: the bytes are a garbage slice, and a
// collection the allocation itself starts may find the slice still live
// on this goroutine's stack (it then counts n bytes live and sets the
// next goal at nine times that, a heap ten times larger); collecting
// once the slice is unreachable leaves the goal where the worker's own
// heap puts it. Nothing the worker computes depends on where its heap is
// or how it is paged. Where a call fails (no transparent huge pages, an
// older kernel), the pages fault in as they are first written.
func hugeHeap(n int) {
	mapHeap(n, 2<<20, syscall.MADV_HUGEPAGE)
	runtime.GC()
}

// PrepareHeap makes n bytes of heap at once, in 4 KiB pages, for the
// allocator to hand out (hugeHeap without the huge pages): a grading
// batch's process, whose few MiB of heap (the submissions, their
// results) otherwise fault in 4 KiB at a time, calls it at its start.
func PrepareHeap(n int) {
	mapHeap(n, 4<<10, -1)
	runtime.GC()
}

// mapHeap allocates n bytes, advises Linux of advice on the pages of
// size align within them (none when advice is -1), makes those pages at
// once (MADV_POPULATE_WRITE), and drops them.
//
//go:noinline
func mapHeap(n int, align uintptr, advice int) {
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	beg, end := (p+align-1)&^(align-1), (p+uintptr(n))&^(align-1)
	if beg < end {
		if advice >= 0 {
			_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, beg, end-beg, uintptr(advice))
		}
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, beg, end-beg, madvPopulateWrite)
	}
	runtime.KeepAlive(b)
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which package
// syscall does not name.
const madvPopulateWrite = 23

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
type rawReader struct {
	rc syscall.RawConn
	// idle, when set, is called each time a read finds nothing to read,
	// before it waits (a worker sends the answers it holds back).
	idle func()
}

type rawWriter struct{ rc syscall.RawConn }

// rawPipes returns r and w as a rawReader and a rawWriter, or as they are
// when they are not files with a RawConn.
func rawPipes(r io.Reader, w io.Writer) (io.Reader, io.Writer) {
	if sc, ok := r.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			r = &rawReader{rc: rc}
		}
	}
	if sc, ok := w.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			w = rawWriter{rc}
		}
	}
	return r, w
}

func (r *rawReader) Read(p []byte) (n int, err error) {
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
				if r.idle != nil {
					r.idle()
				}
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

// workerPipes returns a worker's standard input and output, when they are
// pipes (as the batch makes them), as non-blocking duplicates read and
// written with raw system calls (rawPipes), as the batch reads and writes
// its ends; anything else as it is.
//
// Through the inherited blocking descriptors every read of a submission
// and every write of an answer was a system call announced to the Go
// runtime (entersyscall). An answer's write wakes the batch, which under
// --jobs 2 preempts the worker inside the write, on the way out of the
// kernel; the worker's monitor thread (sysmon) then found its P in a
// system call, took it, and kept waking every 20 µs (sched_switch
// events, 1000 submissions of lesson 03: 500-800 wake-ups of each
// worker's sysmon, each a thread switch on a CPU the other worker
// needed). A raw read or write is never announced, and a worker that
// waits for its next submission waits in the runtime's poller.
func workerPipes(in io.Reader, out io.Writer) (io.Reader, io.Writer) {
	if f, ok := in.(*os.File); ok {
		if p := pollablePipe(f); p != nil {
			in = p
		}
	}
	if f, ok := out.(*os.File); ok {
		if p := pollablePipe(f); p != nil {
			out = p
		}
	}
	return rawPipes(in, out)
}

// pollablePipe returns a non-blocking duplicate of f, a pipe, which the
// Go runtime's poller waits for; nil when f is not a pipe or when any
// step fails. (O_NONBLOCK is the open file's: f's descriptor becomes
// non-blocking too. Nothing else in a worker reads or writes it.)
func pollablePipe(f *os.File) *os.File {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	var p *os.File
	_ = rc.Control(func(fd uintptr) {
		var st syscall.Stat_t
		if syscall.Fstat(int(fd), &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
			return
		}
		nfd, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			return
		}
		if syscall.SetNonblock(int(nfd), true) != nil {
			syscall.Close(int(nfd))
			return
		}
		p = os.NewFile(nfd, f.Name())
	})
	return p
}

// onIdle has f called whenever a read of r would wait for its writer (r
// from workerPipes); false when r is not read so (it is not a pipe), and
// f is then never called.
func onIdle(r io.Reader, f func()) bool {
	if rr, ok := r.(*rawReader); ok {
		rr.idle = f
		return true
	}
	return false
}
