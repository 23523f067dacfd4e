package kernelsim

// OWNER: memory-core helper. Stub: replace with the real implementation.

// AllocPages mirrors alloc_pages(gfp, order) (mm/page_alloc.c:__alloc_pages):
// the first pfn of 2^order contiguous free frames, or ok=false after printing
// the kernel's warning (unless __GFP_NOWARN).
func (k *Kernel) AllocPages(gfp GFP, order int) (pfn PFN, ok bool) { panic("unimplemented") }

// FreePages mirrors __free_pages(page, order). A bad free (wrong order, a
// page not allocated) is reported as Linux reports it; the error is non-nil
// only when Linux would kill the task.
func (k *Kernel) FreePages(pfn PFN, order int) error { panic("unimplemented") }

// CheckInvariants verifies the allocator's bookkeeping: free lists, counters
// and page flags agree. Tests call it after every case.
func (k *Kernel) CheckInvariants() error { panic("unimplemented") }
