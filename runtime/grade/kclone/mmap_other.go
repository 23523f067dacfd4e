//go:build !unix

package kclone

import (
	"errors"
	"io"
	"os"
)

// readFile reads a file (mmap_unix.go maps it).
func readFile(f *os.File) ([]byte, error) { return io.ReadAll(f) }

// mapPrivate cannot map files here: arenas are copied.
func mapPrivate(*os.File, int64, int) ([]byte, error) {
	return nil, errors.New("no copy-on-write mappings")
}
