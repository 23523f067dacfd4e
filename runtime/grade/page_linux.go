package grade

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newWorkerPage makes a page for a batch's lane to share with its
// workers: a memfd of one page, mapped shared. The file is handed to each
// worker the lane starts (its descriptor 3). Nil when anything fails: the
// lane's workers then answer each submission at once.
func newWorkerPage() (*workerPage, *os.File) {
	fd, err := unix.MemfdCreate("kscript-worker", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "kscript-worker-page")
	size := os.Getpagesize()
	if err := syscall.Ftruncate(fd, int64(size)); err != nil {
		f.Close()
		return nil, nil
	}
	mem, err := syscall.Mmap(fd, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, nil
	}
	return &workerPage{mem: mem}, f
}

// workerPageFD is the worker's descriptor of the page its batch shares
// (exec.Cmd.ExtraFiles[0]).
const workerPageFD = 3

// mapWorkerPage maps the page the batch handed a worker; nil when that
// fails (the worker then answers each submission at once).
func mapWorkerPage() *workerPage {
	var st syscall.Stat_t
	if err := syscall.Fstat(workerPageFD, &st); err != nil || st.Size < int64(pageWords*8) {
		return nil
	}
	mem, err := syscall.Mmap(workerPageFD, 0, int(st.Size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	syscall.Close(workerPageFD)
	return &workerPage{mem: mem}
}

// release unmaps the page.
func (p *workerPage) release() { _ = syscall.Munmap(p.mem) }
