package main

import (
	"syscall"
	"unsafe"

	"kscript.dev/kscript/cmd/kscript/internal/startheap"
)

// Faulting in a run's heap ahead of it.
//
// A run's allocations take fresh heap pages: the collector seldom runs in a
// short process (gcpolicy.go), so each page the allocator hands out is
// touched for the first time, and that first touch is a page fault. Each
// file of a run makes some hundreds of them: the Go heap was half of the
// five workshop modules' page faults. On the VM kscript's figures are
// measured on (a 2-vCPU Firecracker guest) a fault costs 10-20 µs, while
// madvise(MADV_POPULATE_WRITE) faults in a page for about 0.7 µs, and a
// page already present for much less: so before each file, prefaultHeap
// populates the pages the file's allocations will most likely take, at
// the price of some it will not.
//
// Which pages those are follows from how Go's allocator (1.26) takes them:
// lowest address first, each P in runs of 64 pages of 8 KiB (a 512 KiB
// aligned chunk, its page cache), out of memory the heap maps in 4 MiB
// steps as it grows. The chunk of a fresh small object and the memory
// after it are where the next spans come from. If the allocator does
// otherwise, fewer faults are saved; nothing else changes: a populated
// page is a zero page, as the runtime expects of memory it has not used,
// and a piece beyond the heap's mapped memory fails and is left alone.

// prefaultHeapBytes is how much prefaultHeap populates before each file:
// lesson 01 alone, 507 -> 443 page faults with 1 MiB, 353 with 2 MiB (perf
// stat -r 10); most of what a file allocates (0.2-0.9 MiB, in spans of
// many size classes) falls in it.
const prefaultHeapBytes = 2 << 20

// heapProbe is prefaultHeap's fresh object: kept in a global so that it
// is allocated on the heap (a local would stay on the stack).
var heapProbe *[64]byte

// heapPopulated is the end of the heap memory populated last, by
// prefaultHeap or at the process's start (package startheap): the next
// call starts there, since asking Linux to populate pages that
// are already there is not free (it walks them: follow_page_pte was 4% of
// the five modules' samples when each file's call started from its chunk
// again).
var heapPopulated = startheap.End

// prefaultHeap faults in, writable, n bytes of the Go heap from the start
// of the allocator's chunk where a fresh small object lies (or from where
// the last call ended, if that is further), in pieces of 256 KiB, stopping
// at the first piece Linux refuses (not mapped yet, or no
// MADV_POPULATE_WRITE before Linux 5.14).
func prefaultHeap(n uintptr) {
	const (
		chunk = 512 << 10
		piece = 256 << 10
	)
	heapProbe = new([64]byte)
	start := uintptr(unsafe.Pointer(heapProbe)) &^ (chunk - 1)
	end := start + n
	if heapPopulated > start && heapPopulated-start < n {
		start = heapPopulated
	}
	for p := start; p < end; p += piece {
		_, _, e := syscall.Syscall(syscall.SYS_MADVISE, p, min(piece, end-p), madvPopulateWrite)
		if e != 0 {
			heapPopulated = p
			return
		}
	}
	heapPopulated = end
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which package
// syscall does not name.
const madvPopulateWrite = 23
