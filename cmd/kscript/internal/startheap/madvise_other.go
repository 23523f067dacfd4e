//go:build !(linux && amd64)

package startheap

// madvise fails here: MADV_POPULATE_WRITE is Linux's, and the assembly is
// written for amd64.
func madvise(addr, n, advice uintptr) uintptr { return ^uintptr(0) }
