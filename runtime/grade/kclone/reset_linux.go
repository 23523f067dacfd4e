package kclone

import (
	"encoding/binary"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// resetPrivate drops the pages of a copy-on-write mapping of a file that
// were written: Linux reads the file's contents again on the next access.
func resetPrivate(m []byte) error { return syscall.Madvise(m, syscall.MADV_DONTNEED) }

// resetWritten puts m, a copy-on-write mapping of the file bytes raw (m's
// own pages, before any write), back to raw's contents: the pages that are
// private copies (written, by this run or an earlier one) get raw's bytes
// again, the others are still the file's. Which are which /proc/self/pagemap
// tells (Documentation/admin-guide/mm/pagemap.rst: bit 63 present, 62
// swapped, 61 a file page; the flags need no privilege). The private pages
// stay the lane's own, so the next run writes them without a fault: unlike
// resetPrivate's MADV_DONTNEED, a run then takes no copy-on-write fault
// for a page an earlier run wrote, and the reset unmaps nothing (no TLB
// shootdown, no page freed and allocated again, nothing on the memory
// cgroup's LRU lists, which every lane of every worker shares). Without a
// readable pagemap it is resetPrivate.
func resetWritten(m, raw []byte) error {
	pm := pagemap()
	if pm == nil || len(m) == 0 || len(raw) != len(m) {
		return resetPrivate(m)
	}
	ps := uintptr(os.Getpagesize())
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	end := addr + uintptr(len(m))
	first := addr / ps
	n := int((end-1)/ps - first + 1)
	bp := pagemapBufs.Get().(*[]byte)
	defer pagemapBufs.Put(bp)
	if cap(*bp) < 8*n {
		*bp = make([]byte, 8*n)
	}
	buf := (*bp)[:8*n]
	if _, err := pm.ReadAt(buf, int64(first)*8); err != nil {
		return resetPrivate(m)
	}
	for i := range n {
		e := binary.LittleEndian.Uint64(buf[8*i:])
		present, swapped, file := e&(1<<63) != 0, e&(1<<62) != 0, e&(1<<61) != 0
		if present && !file || swapped {
			// The part of page i that is m's (an arena need not start
			// or end on a page boundary).
			page := (first + uintptr(i)) * ps
			lo, hi := max(page, addr)-addr, min(page+ps, end)-addr
			copy(m[lo:hi], raw[lo:hi])
		}
	}
	return nil
}

// pagemap returns /proc/self/pagemap, opened once; nil where it cannot be
// read.
var pagemap = sync.OnceValue(func() *os.File {
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return nil
	}
	return f
})

// pagemapBufs are resetWritten's buffers for pagemap entries.
var pagemapBufs = sync.Pool{New: func() any { return new([]byte) }}

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
