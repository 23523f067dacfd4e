//go:build unix

package kclone

import (
	"os"
	"syscall"
)

// readFile maps a file into memory, read-only, for as long as the process
// lives: an image's arenas are copied from the page cache instead of a
// heap buffer of their size.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() <= 0 || st.Size() > 1<<30 {
		return os.ReadFile(name)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return os.ReadFile(name)
	}
	return data, nil
}
