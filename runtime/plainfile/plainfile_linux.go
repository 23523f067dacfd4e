//go:build linux

package plainfile

import (
	"os"
	"syscall"
)

// Open is open(2) of name with flags and O_CLOEXEC, retried when a signal
// interrupts it, as os.OpenFile does; its error is an *os.PathError with
// Op "open", as os.OpenFile's.
func Open(name string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(name, flags|syscall.O_CLOEXEC, 0)
		if err == nil {
			return fd, nil
		}
		if err != syscall.EINTR {
			return -1, &os.PathError{Op: "open", Path: name, Err: err}
		}
	}
}

// SetBlocking clears the file status flags of fd that F_SETFL sets
// (O_NONBLOCK among them: the descriptor becomes blocking) with one
// fcntl(2), for a descriptor Open opened with O_NONBLOCK and none of the
// others (O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME).
func SetBlocking(fd int) error {
	_, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFL, 0)
	if e != 0 {
		return e
	}
	return nil
}

// readFile is ReadFile with the system calls made here: open, fstat, the
// reads, close. An *os.File costs a file three calls more (fcntl to learn
// whether the descriptor blocks, and a finalizer set and cleared) and a
// FileInfo; a run reads a lesson, a script and the compiled forms kept of
// them. The bytes and errors are os.File's (TestReadFileAsOS): reads
// retried when interrupted, a read error as the *PathError os.File.Read
// makes of it, the end of the file at a read of nothing.
func readFile(name string) ([]byte, error) {
	fd, err := Open(name, syscall.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var size int
	var st syscall.Stat_t
	if fstat(fd, &st) == nil && int64(int(st.Size)) == st.Size {
		size = int(st.Size)
	}
	if size > MaxSize {
		return nil, &os.PathError{Op: "read", Path: name, Err: syscall.EFBIG}
	}
	size++ // one byte for the read that sees the end
	if size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		n, err := ReadFD(fd, data[len(data):cap(data)])
		if err != nil {
			return data, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if len(data) > MaxSize {
			return nil, &os.PathError{Op: "read", Path: name, Err: syscall.EFBIG}
		}
		if len(data) >= cap(data) {
			d := append(data[:cap(data)], 0)
			data = d[:len(data)]
		}
	}
}

// fstat is syscall.Fstat, retried when interrupted.
func fstat(fd int, st *syscall.Stat_t) error {
	for {
		if err := syscall.Fstat(fd, st); err != syscall.EINTR {
			return err
		}
	}
}

// ReadFD reads from fd into b as os.File.Read does, retrying when
// interrupted: 0 bytes and no error is the end of the file.
func ReadFD(fd int, b []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}
