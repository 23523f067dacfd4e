//go:build linux

package cachefile

import (
	"io"
	"os"
	"syscall"

	"kscript.dev/kscript/runtime/plainfile"
)

// openRegular opens name for reading when it is a regular file (Open),
// with open(2) and fstat(2) themselves rather than os.OpenFile: os.OpenFile
// sets O_NONBLOCK on every file it opens and offers it to Go's network
// poller, and the first file offered starts the poller for the rest of the
// process (epoll_create1, an eventfd, and an idle thread of the scheduler
// waiting in epoll_pwait instead of sleeping), all for a regular file that
// epoll refuses (EPERM) anyway. The file is opened O_NONBLOCK (a FIFO's
// open would otherwise wait for a writer), checked to be regular, and then
// made blocking again before os.NewFile wraps it: NewFile offers a
// non-blocking descriptor to the poller, a blocking one not. Reads of a
// regular file never wait for data, whatever the flag says, so the file
// reads as it did.
func openRegular(name string) (*os.File, int64, error) {
	fd, err := plainfile.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK)
	if err != nil {
		return nil, 0, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, 0, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, 0, errNotRegular
	}
	if err := plainfile.SetBlocking(fd); err != nil {
		syscall.Close(fd)
		return nil, 0, &os.PathError{Op: "fcntl", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), st.Size, nil
}

// readFile is ReadFile with the system calls made here: open (without
// waiting, as Open), fstat, the reads, close. A regular file's reads do
// not wait whether or not the descriptor blocks, so the fcntl that makes
// Open's descriptor block is not needed, nor os.NewFile's fcntl and
// finalizer: three calls fewer per cache file, a run reading two (its
// lesson's and its script's). What is read, and what is refused, is
// ReadFile's as before (a file that is not regular, a file larger than
// max, one shorter than its size said).
func readFile(name string, max int64) ([]byte, error) {
	fd, err := plainfile.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, errNotRegular
	}
	if st.Size > max {
		return nil, errTooLarge
	}
	b := make([]byte, st.Size)
	for n := 0; n < len(b); {
		m, err := plainfile.ReadFD(fd, b[n:])
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if m == 0 {
			return nil, io.ErrUnexpectedEOF
		}
		n += m
	}
	return b, nil
}
