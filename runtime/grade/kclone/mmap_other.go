//go:build !unix

package kclone

import (
	"errors"
	"io"
	"os"
	"time"
)

// readFile reads a file (mmap_unix.go maps it).
func readFile(f *os.File, _ int64) ([]byte, error) { return io.ReadAll(f) }

// setModTime sets the access and modification times of f to t.
func setModTime(f *os.File, t time.Time) error { return os.Chtimes(f.Name(), t, t) }

// mapPrivate cannot map files here: arenas are copied.
func mapPrivate(*os.File, int64, int) ([]byte, error) {
	return nil, errors.New("no copy-on-write mappings")
}
