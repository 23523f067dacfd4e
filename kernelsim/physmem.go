package kernelsim

// OWNER: memory-core helper. Stub: replace with the real implementation.

// physMem holds mem_map (the per-frame metadata) and the lazily allocated
// contents of every page frame.
type physMem struct{}

// bootMemory sizes memory for cfg.RAM: frames, zones (DMA, DMA32, Normal),
// boot reservations, watermarks; prints the boot lines about memory.
func (k *Kernel) bootMemory() error { return nil }

// MaxPFN returns one past the highest valid page frame number.
func (k *Kernel) MaxPFN() PFN { panic("unimplemented") }

// PFNValid mirrors pfn_valid().
func (k *Kernel) PFNValid(pfn PFN) bool { panic("unimplemented") }

// PageAddress mirrors page_address(): the direct-map address of pfn.
func PageAddress(pfn PFN) Addr { return PageOffset + Addr(pfn)<<PageShift }

// VirtToPage mirrors virt_to_page() for direct-map addresses; ok is false for
// an address outside the direct map or beyond RAM.
func (k *Kernel) VirtToPage(a Addr) (pfn PFN, ok bool) { panic("unimplemented") }

// PageStructAddr returns the address of pfn's struct page in the vmemmap, the
// value a struct page * holds.
func PageStructAddr(pfn PFN) Addr { return VmemmapBase + Addr(pfn)*StructPageSize }
