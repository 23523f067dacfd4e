//go:build !linux

package kclone

import "errors"

// resetPrivate is Linux's (reset_linux.go): elsewhere a lane copies the
// file's bytes back instead.
func resetPrivate([]byte) error { return errors.New("no reset of copy-on-write mappings here") }

// resetWritten is Linux's (reset_linux.go), as resetPrivate.
func resetWritten(m, _ []byte) error { return resetPrivate(m) }

// populate is Linux's (reset_linux.go): elsewhere pages fault in as they
// are written.
func populate(addr, n uintptr) {}

// writtenPages is Linux's (reset_linux.go): elsewhere nothing tells.
func writtenPages([]byte) ([]uint32, bool) { return nil, false }
