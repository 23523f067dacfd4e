// Package startheap faults in the start of the Go heap when the process
// starts, before the other packages' initialisers run.
//
// Every kscript command begins with the same work: the runtime and some
// sixty packages initialise (Starlark's universe, go-yaml's token tables,
// compress/flate's fixed Huffman codes, the command tree and its flags),
// and each fresh heap page they touch is a page fault. On the VM kscript's
// figures are measured on (a 2-vCPU Firecracker guest whose kernel is
// paravirtual) a fault costs several µs, while madvise(MADV_POPULATE_WRITE)
// makes a page in about 1.2 µs. Populating the heap's first 256 KiB in one
// call takes kscript --help from about 303 to 262 page faults. In the
// first hour of the session that measured it, that was 9.1 -> 8.1 ms of
// --help (a Go hello-world: 5.5 ms) and 15.1 -> 12.8 ms of kscript run
// lessons/01_kmalloc.star; an hour later the difference was below the
// noise, once the guest had handed its free memory back to the host and a
// page populated but never used cost a host fault of its own. More is not
// better: with 1 MiB --help faults 233 times but takes longer, since it
// pays for pages it never uses (the README's performance section and
// scripts/bench.md, session 11).
//
// The package imports nothing, so that it is initialised before every
// package that needs sync: Go initialises packages in import-path order
// among those whose imports are done, this one is ready at once, and
// every package that allocates much waits for sync. The system call is
// made in assembly for the same reason. cmd/kscript's
// TestStartHeapInitialisesFirst checks the order.
//
// Where the pages are follows from how Go's allocator (1.26) takes them:
// lowest address first, in 512 KiB chunks, out of memory the heap maps in
// 4 MiB steps. A fresh object's chunk and the memory after it are where
// the next spans come from. If the allocator does otherwise, fewer faults
// are saved and nothing else changes: a populated page is a zero page, as
// the runtime expects of memory it has not used, and a range beyond the
// heap's mapped memory fails and is left alone. kscript run goes on from
// End for each file it loads (cmd/kscript's prefaultHeap).
package startheap

import "unsafe"

// Bytes is how much of the heap the package populates at start.
const Bytes = 256 << 10

// chunk is the Go allocator's page-cache chunk (64 pages of 8 KiB).
const chunk = 512 << 10

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14).
const madvPopulateWrite = 23

// probe is a fresh heap object: a global, so that it is on the heap.
var probe *[16]byte

// End is the end of the memory populated at start, or 0 if Linux refused
// (a kernel before 5.14, a system other than linux/amd64).
var End uintptr

func init() {
	probe = new([16]byte)
	start := uintptr(unsafe.Pointer(probe)) &^ (chunk - 1)
	if madvise(start, Bytes, madvPopulateWrite) == 0 {
		End = start + Bytes
	}
}
