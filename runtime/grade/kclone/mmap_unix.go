//go:build unix

package kclone

import (
	"io"
	"os"
	"syscall"
	"time"
)

// readFile maps a file into memory, read-only, for as long as the process
// lives: an image's arenas are copied from the page cache instead of a
// heap buffer of their size.
func readFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || size > 1<<30 {
		return io.ReadAll(f)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return io.ReadAll(f)
	}
	return data, nil
}

// mapPrivate maps n bytes of f at off copy-on-write, for as long as the
// process lives: writes go to private copies of the pages written.
func mapPrivate(f *os.File, off int64, n int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), off, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
}

// setModTime sets the access and modification times of f to t, to the
// microsecond, through f itself: a file renamed in its place meanwhile
// keeps its own.
func setModTime(f *os.File, t time.Time) error {
	tv := syscall.NsecToTimeval(t.UnixNano())
	return syscall.Futimes(int(f.Fd()), []syscall.Timeval{tv, tv})
}
