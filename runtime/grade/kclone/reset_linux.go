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
	if !pm.read(buf, int64(first)*8) {
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

// pagemapFile is /proc/self/pagemap, open, and its descriptor.
type pagemapFile struct {
	f  *os.File // keeps fd open
	fd uintptr
}

// pagemap returns /proc/self/pagemap, opened once; nil where it cannot be
// read.
var pagemap = sync.OnceValue(func() *pagemapFile {
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return nil
	}
	return &pagemapFile{f: f, fd: f.Fd()}
})

// read reads len(b) bytes at off: with preadRaw where it can, else
// through the file.
func (p *pagemapFile) read(b []byte, off int64) bool {
	if preadRaw(p.fd, b, off) {
		return true
	}
	_, err := p.f.ReadAt(b, off)
	return err == nil
}

// preadRaw reads len(b) bytes at off from fd, a file that is never
// waited for (pagemap's entries are made as they are read), with raw
// system calls, and reports whether it read them all.
//
// Through os.File a read is a system call announced to the Go runtime
// (entersyscall). Reading the pagemap of a copy's mapped arenas (about
// 1,500 entries for the default machine, two copies per graded
// submission) takes the kernel some 20 µs, long enough for the runtime's
// monitor thread (sysmon) to find the worker's P in a system call, take
// it away and shorten its own sleep to 20 µs again: a worker's sysmon
// then woke every few hundred microseconds, once or more per
// submission, each time a thread switch on a CPU the other worker of
// --jobs 2 needed (sched_switch events: 1,100 sysmon sleeps in a batch
// of 1000 submissions), and the worker's own goroutine went on on
// another thread. A raw call only keeps the P from a stop-the-world for
// those microseconds, as any loop of that length does.
func preadRaw(fd uintptr, b []byte, off int64) bool {
	if unsafe.Sizeof(uintptr(0)) < 8 {
		return false // a 64-bit offset takes two words there, placed by the architecture's rules
	}
	for done := 0; done < len(b); {
		n, _, e := syscall.RawSyscall6(syscall.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&b[done])), uintptr(len(b)-done), uintptr(off)+uintptr(done), 0, 0)
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0 || n == 0:
			return false
		}
		done += int(n)
	}
	return true
}

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

// writtenPages returns the numbers of the pages of m, a copy-on-write
// mapping of a file starting on a page boundary, that are private copies
// (written since it was mapped), as pagemap tells (see resetWritten), and
// whether it could tell.
func writtenPages(m []byte) ([]uint32, bool) {
	pm := pagemap()
	ps := uintptr(os.Getpagesize())
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	if pm == nil || len(m) == 0 || addr%ps != 0 {
		return nil, false
	}
	n := (len(m) + int(ps) - 1) / int(ps)
	buf := make([]byte, 8*n)
	if !preadRaw(pm.fd, buf, int64(addr/ps)*8) {
		return nil, false
	}
	var pages []uint32
	for i := range n {
		e := binary.LittleEndian.Uint64(buf[8*i:])
		if present, swapped, file := e&(1<<63) != 0, e&(1<<62) != 0, e&(1<<61) != 0; present && !file || swapped {
			pages = append(pages, uint32(i))
		}
	}
	return pages, true
}
