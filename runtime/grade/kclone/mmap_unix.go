//go:build unix

package kclone

import (
	"io"
	"os"
	"syscall"
)

// readFile maps a file into memory, read-only, for as long as the process
// lives: an image's arenas are copied from the page cache instead of a
// heap buffer of their size.
func readFile(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() <= 0 || st.Size() > 1<<30 {
		return io.ReadAll(f)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE)
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
