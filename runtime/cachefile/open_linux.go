//go:build linux

package cachefile

import (
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
