package kclone

import "syscall"

// resetPrivate drops the pages of a copy-on-write mapping of a file that
// were written: Linux reads the file's contents again on the next access.
func resetPrivate(m []byte) error { return syscall.Madvise(m, syscall.MADV_DONTNEED) }

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which package
// syscall does not name.
const madvPopulateWrite = 23

// populate faults in the n bytes of pages at addr, writable, as writing
// to each would, in one call; addr and n are page-aligned, and the memory
// mapped. An older kernel refuses it (EINVAL): the pages then fault in as
// they are written.
func populate(addr, n uintptr) {
	syscall.Syscall(syscall.SYS_MADVISE, addr, n, madvPopulateWrite)
}
