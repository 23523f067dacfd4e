//go:build linux

package plainfile

import (
	"os"
	"syscall"
)

// open opens name for reading as a blocking descriptor that os.NewFile
// does not offer to the poller (see the package comment).
func open(name string) (*os.File, error) {
	fd, err := Open(name, syscall.O_RDONLY)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

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
