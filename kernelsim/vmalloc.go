package kernelsim

// vmalloc mirrors mm/vmalloc.c: memory that is contiguous in the kernel's
// virtual address space but made of single pages taken one at a time from the
// buddy allocator, wherever they happen to be in RAM.
//
//	virtual (vmalloc range)        physical (page frames)
//	0xffffc90000a00000 [page 0] ─────────▶ pfn 0x1c3a2
//	0xffffc90000a01000 [page 1] ─────────▶ pfn 0x0f117
//	0xffffc90000a02000 [page 2] ─────────▶ pfn 0x1c3a5
//	0xffffc90000a03000 [guard ]   (not mapped: an access faults)
//
// Each allocation is a vm area (struct vm_struct, with its struct vmap_area
// in the red-black trees of busy and free address space). Linux places a new
// area at the lowest free address that fits (find_vmap_lowest_match), always
// one page larger than asked for: the guard page, left unmapped so that
// running off the end of a buffer faults instead of silently corrupting the
// next area. vfree() unmaps the pages and gives them back to the buddy
// allocator at once, but keeps the *address range* busy on a "lazy purge"
// list until enough has accumulated to be worth a TLB flush; only then can
// the addresses be reused.
//
// The module space (MODULES_VADDR..MODULES_END) is managed by the same code:
// module_alloc() is __vmalloc_node_range() over that range, which is why
// module memory shows in /proc/vmallocinfo.

// VMFlags mirrors the VM_* flags of struct vm_struct (include/linux/vmalloc.h).
type VMFlags uint32

// VM_* flags with Linux 6.1's values.
const (
	VMIoremap         VMFlags = 0x001 // VM_IOREMAP: ioremap() and friends
	VMAlloc           VMFlags = 0x002 // VM_ALLOC: vmalloc()
	VMMap             VMFlags = 0x004 // VM_MAP: vmap()ed pages
	VMUsermap         VMFlags = 0x008 // VM_USERMAP: suitable for remap_vmalloc_range
	VMDMACoherent     VMFlags = 0x010 // VM_DMA_COHERENT: dma_alloc_coherent
	VMUninitialized   VMFlags = 0x020 // VM_UNINITIALIZED: not fully set up yet
	VMNoGuard         VMFlags = 0x040 // VM_NO_GUARD: no guard page
	VMFlushResetPerms VMFlags = 0x100 // VM_FLUSH_RESET_PERMS: module memory
)

// lazyMaxPages mirrors lazy_max_pages() for 2 online CPUs:
// fls(num_online_cpus()) * 32 MiB worth of pages may wait, unmapped but not
// yet reusable, before Linux purges them.
const lazyMaxPages = 2 * (32 << 20 >> PageShift)

// VMStruct mirrors struct vm_struct (include/linux/vmalloc.h) together with
// its struct vmap_area: one busy range of the vmalloc or module space.
//
// Invariants: Addr is page aligned; Size is a multiple of PageSize and
// includes the guard page unless VMNoGuard; len(Pages) pages are mapped from
// Addr on.
type VMStruct struct {
	Addr  Addr
	Size  uint64 // get_vm_area_size() + guard, as vm->size and /proc/vmallocinfo
	Flags VMFlags
	// Pages is area->pages: the frame behind each mapped page, in order.
	Pages []PFN
	// PhysAddr is the physical address an ioremap() area maps.
	PhysAddr uint64

	caller vmCaller
	// nrPages stands for len(Pages) in areas created at boot, which are
	// not backed by frames of the simulated buddy allocator.
	nrPages int
	// pagesVM is the vm area holding the pages array when it was too big
	// for kmalloc (is_vmalloc_addr(area->pages): "vpages");
	// pagesArray is the kmalloc'd pages array otherwise.
	pagesVM    *VMStruct
	pagesArray Addr
	// self is the kzalloc'd struct vm_struct itself (kmalloc-64).
	self Addr
	id   uint32 // page->private-like tag the frames carry (SetPageUse)
}

// NrPages returns area->nr_pages.
func (v *VMStruct) NrPages() int {
	if v.Pages != nil {
		return len(v.Pages)
	}
	return v.nrPages
}

// End returns the first address after the area (va_end), guard page included.
func (v *VMStruct) End() Addr { return v.Addr + Addr(v.Size) }

// vaSpan is an address range of the lazy purge list: a freed vmap_area whose
// pages are unmapped but whose addresses are not yet free.
type vaSpan struct{ start, end Addr }

// vmallocState holds the vm areas (vmap_area_list, purge_vmap_area_list).
type vmallocState struct {
	// busy lists every busy area, sorted by address (vmap_area_list).
	busy []*VMStruct
	// purge lists lazily freed ranges, sorted and coalesced as
	// merge_or_add_vmap_area() keeps purge_vmap_area_root.
	purge  []vaSpan
	lazyNr uint64 // vmap_lazy_nr: pages waiting in purge
	nextID uint32
	last   *VMStruct // the area vmTranslate found last: accesses come in runs
	once   map[string]bool
}

// Vmalloc mirrors __vmalloc(size, gfp) (vmalloc() is __vmalloc(size,
// GFP_KERNEL), vzalloc() adds __GFP_ZERO): 0 (NULL) on failure, after the
// kernel's warning unless __GFP_NOWARN. The area's caller in
// /proc/vmallocinfo is the innermost script frame.
func (k *Kernel) Vmalloc(size uint64, gfp GFP) Addr {
	return k.vmallocNodeRange(size, PageSize, VmallocStart, VmallocEnd, gfp, 0, k.scriptCaller())
}

// Vzalloc mirrors vzalloc(size): vmalloc'ed memory, zeroed.
func (k *Kernel) Vzalloc(size uint64) Addr {
	return k.vmallocNodeRange(size, PageSize, VmallocStart, VmallocEnd, GFP_KERNEL|GFPZero, 0, k.scriptCaller())
}

// VmallocFrom is vmalloc(size) made by kernel code rather than a script:
// caller is the symbol /proc/vmallocinfo names, "alloc_large_system_hash+0x1b4/0x2a0".
func (k *Kernel) VmallocFrom(size uint64, gfp GFP, caller string) Addr {
	return k.vmallocNodeRange(size, PageSize, VmallocStart, VmallocEnd, gfp, 0, kernelCaller(caller))
}

// vmallocNodeRange mirrors __vmalloc_node_range(): reserve an area of
// PAGE_ALIGN(size) plus a guard page in [start, end], then back it page by
// page. Unlike Linux 6.1, it never maps huge pages (VM_ALLOW_HUGE_VMAP).
func (k *Kernel) vmallocNodeRange(size, align uint64, start, end Addr, gfp GFP, flags VMFlags, caller vmCaller) Addr {
	if size == 0 {
		k.vmWarnOnce("vmalloc-zero", vmallocZeroSite, "__vmalloc_node+0x4a/0x70", "vmalloc+0x1a/0x20")
		return 0
	}
	if size>>PageShift > k.totalRAMPages() {
		k.vmallocWarnAlloc(gfp, "vmalloc error: size %d, exceeds total pages", size)
		return 0
	}
	k.tick(2_000)
	area := k.getVMAreaNode(size, align, flags|VMAlloc|VMUninitialized, start, end, gfp, caller)
	if area == nil {
		k.vmallocWarnAlloc(gfp, "vmalloc error: size %d, vm_struct allocation failed", size)
		return 0
	}
	if !k.vmallocAreaNode(area, gfp) {
		return 0
	}
	area.Flags &^= VMUninitialized // clear_vm_uninitialized_flag()
	k.dbgVmalloc(area, size)       // dbg_hooks.go: kasan_unpoison_vmalloc, kmemleak_vmalloc
	return area.Addr
}

// getVMAreaNode mirrors __get_vm_area_node(): kzalloc the vm_struct, add the
// guard page, find the address range. nil when either fails.
func (k *Kernel) getVMAreaNode(size, align uint64, flags VMFlags, start, end Addr, gfp GFP, caller vmCaller) *VMStruct {
	size = pageAlign(size)
	self := k.Kmalloc(vmStructSize, gfp&gfpReclaimMask|GFPZero)
	if self == 0 {
		return nil
	}
	if flags&VMNoGuard == 0 {
		size += PageSize
	}
	addr, ok := k.allocVmapArea(size, align, start, end, gfp)
	if !ok {
		k.Kfree(self)
		return nil
	}
	k.vm.nextID++
	area := &VMStruct{Addr: addr, Size: size, Flags: flags, caller: caller, self: self, id: k.vm.nextID}
	k.insertBusy(area)
	return area
}

// vmStructSize is sizeof(struct vm_struct) on x86-64: a kmalloc-64 object.
const vmStructSize = 64

func pageAlign(n uint64) uint64 { return (n + PageSize - 1) &^ (PageSize - 1) }

// vmallocAreaNode mirrors __vmalloc_area_node(): allocate the pages array
// (kmalloc'ed up to a page, vmalloc'ed above: a 32 MiB area needs 64 KiB of
// struct page pointers), then one order-0 page per virtual page. On failure
// the warning reports how much was obtained, and everything is freed again.
func (k *Kernel) vmallocAreaNode(area *VMStruct, gfp GFP) bool {
	nested := gfp&gfpReclaimMask | GFPZero
	nr := int((area.Size - k.guardSize(area)) >> PageShift)
	arraySize := uint64(nr) * 8
	if gfp&(GFPDMA|GFPDMA32) == 0 {
		gfp |= GFPHighmem
	}
	if !k.allocPagesArray(area, arraySize, nested) {
		k.vmallocWarnAlloc(gfp, "vmalloc error: size %d, failed to allocated page array size %d", uint64(nr)*PageSize, arraySize)
		k.freeVMArea(area)
		return false
	}
	area.Pages = make([]PFN, 0, nr)
	if !k.shouldFailVmalloc(uint64(nr) * PageSize) { // fault_inject.go
		k.vmAreaAllocPages(area, gfp|GFPNoWarn, nr)
	}
	k.mem.nrVmallocPages += int64(len(area.Pages))
	if len(area.Pages) != nr {
		k.vmallocWarnAlloc(gfp, "vmalloc error: size %d, page order %d, failed to allocate pages", uint64(len(area.Pages))*PageSize, 0)
		k.vfreeArea(area)
		return false
	}
	k.now += uint64(nr) * vmallocPageCost(gfp, k.boot.initOnAlloc)
	return true
}

// vmallocPageCost is the simulated time per page of a vmalloc: the bulk
// page allocation and vmap_pages_range(), plus clearing the page when it
// must be zeroed (__GFP_ZERO, or init_on_alloc=1 as on Debian, where a
// 32 MiB vmalloc takes about 3 ms).
func vmallocPageCost(gfp GFP, initOnAlloc bool) uint64 {
	if gfp&GFPZero != 0 || initOnAlloc {
		return 370
	}
	return 120
}

// allocPagesArray allocates area->pages as __vmalloc_area_node does. The
// array's contents live in Go (area.Pages); the simulated allocation is what
// /proc/slabinfo and /proc/vmallocinfo show.
func (k *Kernel) allocPagesArray(area *VMStruct, arraySize uint64, nested GFP) bool {
	if arraySize > PageSize {
		a := k.vmallocNodeRange(arraySize, PageSize, VmallocStart, VmallocEnd, nested, 0, area.caller)
		if a == 0 {
			return false
		}
		area.pagesVM = k.findVMArea(a)
		return true
	}
	area.pagesArray = k.Kmalloc(arraySize, nested)
	return area.pagesArray != 0
}

// vmAreaAllocPages mirrors vm_area_alloc_pages() for order 0: one page at a
// time from the buddy allocator, stopping at the first failure.
func (k *Kernel) vmAreaAllocPages(area *VMStruct, gfp GFP, nr int) {
	for len(area.Pages) < nr {
		pfn, ok := k.allocPages(gfp, 0, allocPagesCallers)
		if !ok {
			return
		}
		k.SetPageUse(pfn, PageUseVmalloc, area.id)
		area.Pages = append(area.Pages, pfn)
	}
}

func (k *Kernel) guardSize(area *VMStruct) uint64 {
	if area.Flags&VMNoGuard != 0 {
		return 0
	}
	return PageSize
}

// freeVMArea mirrors free_vm_area(): release an area that never got its
// pages.
func (k *Kernel) freeVMArea(area *VMStruct) {
	k.removeVMArea(area)
	k.Kfree(area.self)
}

// vfreeArea frees everything a vmalloc area holds: its mapping, its pages,
// its pages array and its vm_struct (the body of __vunmap with
// deallocate_pages).
func (k *Kernel) vfreeArea(area *VMStruct) {
	k.dbgVfree(area) // dbg_hooks.go
	k.removeVMArea(area)
	if area.Flags&VMFlushResetPerms != 0 {
		// vm_reset_perms() -> _vm_unmap_aliases(): flushes, and purges
		// every lazily freed area with it.
		k.purgeVmapAreaLazy()
	}
	nr := uint64(len(area.Pages))
	k.mem.nrVmallocPages -= int64(area.NrPages())
	for _, pfn := range area.Pages {
		k.FreePages(pfn, 0)
	}
	area.Pages, area.nrPages = nil, 0
	switch {
	case area.pagesVM != nil:
		k.vfreeArea(area.pagesVM) // kvfree(area->pages)
	case area.pagesArray != 0:
		k.Kfree(area.pagesArray)
	}
	k.Kfree(area.self)
	k.tick(1_000)
	k.now += uint64(nr) * 60 // unmap and free each page
}

// VmallocNrPages mirrors vmalloc_nr_pages() (nr_vmalloc_pages): the pages
// vmalloc areas hold, what /proc/meminfo shows as VmallocUsed.
func (k *Kernel) VmallocNrPages() int64 { return k.mem.nrVmallocPages }

// totalRAMPages is totalram_pages(), the bound vmalloc checks a request
// against.
func (k *Kernel) totalRAMPages() uint64 { return uint64(k.mem.totalram) }
