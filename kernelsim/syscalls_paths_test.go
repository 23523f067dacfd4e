package kernelsim

import (
	"slices"
	"testing"
)

// TestSyscallPathsEndWithEntry: every system call path, written out in
// full as static data, ends with the system call entry.
func TestSyscallPathsEndWithEntry(t *testing.T) {
	for i, path := range [][]string{openEntry, readEntry, writeEntry, lseekEntry, ioctlEntry, closeEntry, exitEntry} {
		if len(path) <= len(syscallEntry) || !slices.Equal(path[len(path)-len(syscallEntry):], syscallEntry) {
			t.Errorf("path %d %q does not end with %q", i, path, syscallEntry)
		}
	}
}
