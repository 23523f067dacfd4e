//go:build !unix

package kclone

import "os"

// readFile reads a file (mmap_unix.go maps it).
func readFile(name string) ([]byte, error) { return os.ReadFile(name) }
