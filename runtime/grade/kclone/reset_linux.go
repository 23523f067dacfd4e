package kclone

import "syscall"

// resetPrivate drops the pages of a copy-on-write mapping of a file that
// were written: Linux reads the file's contents again on the next access.
func resetPrivate(m []byte) error { return syscall.Madvise(m, syscall.MADV_DONTNEED) }
