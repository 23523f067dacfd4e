package startheap

// madvise is madvise(2), in madvise_linux_amd64.s.
func madvise(addr, n, advice uintptr) uintptr
