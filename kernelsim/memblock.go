package kernelsim

import "fmt"

// Boot-time memory setup, mirroring arch/x86/kernel/e820.c, mm/memblock.c
// and mm/mm_init.c.
//
// QEMU's i440FX machine gives a guest its RAM in at most two pieces: up to
// 3 GiB below the 4 GiB PCI hole ("lowmem"; all of it when RAM is below
// 3.5 GiB) and the rest from 4 GiB up. The BIOS keeps the last 128 KiB of
// lowmem and the legacy area between 640 KiB and 1 MiB for itself, so the
// e820 map of a 512 MiB guest is
//
//	[mem 0x0000000000000000-0x000000000009fbff] usable
//	[mem 0x0000000000100000-0x000000001ffdffff] usable
//
// Early in boot memblock hands out memory for the kernel's own use (the
// struct page array, hash tables, per-CPU areas, page tables, the initrd the
// boot loader put in RAM); memblock_free_all() then gives every page nobody
// reserved to the buddy allocator. Later the kernel frees its init sections
// and the initrd, and by the time a user logs in, caches, user processes and
// slab have taken a good part of memory.

// i440FX layout (hw/i386/pc_piix.c): lowmem is capped at 3 GiB when RAM
// reaches 3.5 GiB; the BIOS reserves 128 KiB at the top of lowmem.
const (
	qemuLowmemMax     = 3 << 30
	qemuLowmemLimit   = 0xe0000000
	qemuBIOSTopRsvd   = 128 << 10
	legacyHoleStart   = 0x9fc00 // 639 KiB: the EBDA
	highMemStart      = 1 << 20
	kernelPhysStart   = 0x1000000 // CONFIG_PHYSICAL_START (KASLR off)
	structPageBytes   = 64
	swiotlbBytes      = 64 << 20 // IO_TLB_DEFAULT_SIZE, only when RAM reaches past 4 GiB
	initrdBytes       = 36 << 20
	firstMiBPages     = 158 // pfn 1..0x9e: the first MiB below the EBDA, reserved since 5.13
	pagesPerSection   = sectionPages
	bootEarlyAllocsKB = 5432 // percpu areas, page tables, ACPI, hash tables' fixed part
	minFreeAfterBoot  = 24 << 20
)

// kernelImage mirrors the sections of Debian 12's vmlinux as mem_init()
// reports them, in KiB.
var kernelImage = struct{ code, rwdata, rodata, init, bss int64 }{14336, 2390, 9104, 2800, 17352}

// bootMemInfo records the boot reservations for the "Memory:" line and
// /proc/meminfo.
type bootMemInfo struct {
	reservedPages int64 // present pages never given to the buddy allocator
	initrd        pfnRange
	initmem       pfnRange
}

// bootMemory sizes memory for cfg.RAM: frames, zones (DMA, DMA32, Normal),
// boot reservations, watermarks; prints the boot lines about memory.
//
// The clock runs on from the banner's 0.000000, so the boot log's
// timestamps only grow: setup_arch() (zone ranges, smpboot), then
// start_kernel()'s mm_init() (Memory:, SLUB:), then, almost two seconds
// later, the initrd and init memory are freed.
func (k *Kernel) bootMemory() error {
	k.e820Setup()
	k.initZones()
	k.printZoneRanges()
	k.kasanInitLog() // cmdline.go: setup_arch()'s kasan_init()
	k.prefillPossibleMap()
	reserved, err := k.memblockReserve()
	if err != nil {
		return err
	}
	k.memblockFreeAll(reserved)
	k.buildZonelists()
	k.setupPerZoneWmarks()
	k.setupPerZoneLowmemReserve()
	k.setupPCP()
	k.updatePageFast()
	k.printMemInit()
	k.noHashPointersBanner() // kmem_cache_init() follows mem_init() in mm_init()
	k.slubBootMessage()
	k.now = 1_812_345_678
	k.kmemleakLateInit() // cmdline.go: a late initcall
	k.freeInitMemory()
	k.now = bootTime
	k.bootActivity()
	return nil
}

// e820Setup computes the usable RAM ranges as QEMU's e820 map gives them and
// sizes mem_map.
func (k *Kernel) e820Setup() {
	ram := k.cfg.RAM &^ (PageSize - 1)
	low, high := ram, uint64(0)
	if ram >= qemuLowmemLimit {
		low, high = qemuLowmemMax, ram-qemuLowmemMax
	}
	m := &k.mem
	m.ranges = []pfnRange{
		{1, legacyHoleStart >> PageShift}, // pfn 0 is reserved by the kernel, not in memblock.memory
		{highMemStart >> PageShift, PFN((low - qemuBIOSTopRsvd) >> PageShift)},
	}
	m.maxPFN = m.ranges[1].end
	if high > 0 {
		m.ranges = append(m.ranges, pfnRange{maxDMA32PFN, maxDMA32PFN + PFN(high>>PageShift)})
		m.maxPFN = maxDMA32PFN + PFN(high>>PageShift)
	}
	nsec := (int(m.maxPFN) + sectionPages - 1) >> sectionShift
	m.present = make([]bool, nsec)
	m.sections = make([]*memSection, nsec)
	m.flat = make([]page, min(nsec, flatSections)<<sectionShift)
	m.content = make([]*contentChunk, nsec<<(sectionShift-contentChunkShift))
	m.top = make([]topBlock, (int(m.maxPFN)>>(MaxOrder-1))+1)
	for _, r := range m.ranges {
		for s := r.start >> sectionShift; s <= (r.end-1)>>sectionShift; s++ {
			m.present[s] = true
		}
	}
}

// presentPages returns the frames of RAM (present_pages of all zones).
func (k *Kernel) presentPages() int64 {
	var n int64
	for _, r := range k.mem.ranges {
		n += int64(r.end - r.start)
	}
	return n
}

// memblockReserve lists the ranges memblock reserves during boot, as
// setup_arch() and mm_init() do: the first MiB, the kernel image, the initrd,
// the swiotlb bounce buffer, the vmemmap and early allocations. Allocations
// memblock makes itself are placed top-down, as memblock does by default.
func (k *Kernel) memblockReserve() ([]pfnRange, error) {
	m := &k.mem
	hiTop, loTop := m.maxPFN, m.ranges[1].end
	take := func(bytes uint64, low bool) pfnRange {
		n := PFN((bytes + PageSize - 1) >> PageShift)
		top := &hiTop
		if low || len(m.ranges) == 2 {
			top = &loTop
		}
		*top -= n
		return pfnRange{*top, *top + n}
	}
	imageKB := kernelImage.code + kernelImage.rwdata + kernelImage.rodata + kernelImage.init + kernelImage.bss
	image := pfnRange{kernelPhysStart >> PageShift, PFN(kernelPhysStart>>PageShift + imageKB/4)}
	initStart := image.start + PFN((kernelImage.code+kernelImage.rwdata+kernelImage.rodata)/4)
	m.boot.initmem = pfnRange{initStart, initStart + PFN(kernelImage.init/4)}
	nsec := uint64(0)
	for _, p := range m.present {
		if p {
			nsec++
		}
	}
	rs := []pfnRange{
		{1, firstMiBPages + 1},
		image,
		take(nsec*pagesPerSection*structPageBytes, false), // vmemmap
		take(k.hashTableBytes()+bootEarlyAllocsKB<<10, false),
	}
	if m.maxPFN > maxDMA32PFN {
		rs = append(rs, take(swiotlbBytes, true)) // memblock_alloc_low
	}
	// The boot loader put the initrd high in lowmem, below what memblock
	// took from the top.
	m.boot.initrd = take(min(initrdBytes, k.cfg.RAM/8), true)
	rs = append(rs, m.boot.initrd)
	if loTop < image.end+PFN(minFreeAfterBoot>>PageShift) {
		return nil, fmt.Errorf("ram: %d MiB is too small for Debian 12's kernel and initrd, want at least 128M", k.cfg.RAM>>20)
	}
	for _, r := range rs {
		for pfn := r.start; pfn < r.end; pfn++ {
			m.pg(uint32(pfn)).flags = pgReserved
		}
	}
	k.reserveHoles()
	return rs, nil
}

// reserveHoles mirrors init_unavailable_range(): the page structs of frames
// in a present section that are not RAM (pfn 0, the legacy hole, the BIOS
// area at the top of lowmem) are PG_reserved.
func (k *Kernel) reserveHoles() {
	m := &k.mem
	prev := PFN(0)
	for _, r := range append(m.ranges, pfnRange{m.maxPFN, m.maxPFN}) {
		for pfn := prev; pfn < r.start; pfn++ {
			if m.present[pfn>>sectionShift] {
				m.pg(uint32(pfn)).flags = pgReserved
			}
		}
		prev = r.end
	}
}

// hashTableBytes sizes the dentry and inode hash tables as
// alloc_large_system_hash() does: one bucket (8 bytes) per 8 KiB and 16 KiB
// of RAM respectively, rounded up to a power of two.
func (k *Kernel) hashTableBytes() uint64 {
	pow2 := func(n uint64) uint64 {
		p := uint64(1)
		for p < n {
			p <<= 1
		}
		return p
	}
	ram := uint64(k.presentPages()) << PageShift
	return pow2(ram>>13)*8 + pow2(ram>>14)*8
}

// memblockFreeAll mirrors memblock_free_all(): every usable page not
// reserved goes to the buddy allocator, in the largest aligned blocks that
// fit (__free_pages_memory), added at the tail of the free lists
// (FPI_TO_TAIL) so that the lowest addresses are handed out first.
func (k *Kernel) memblockFreeAll(reserved []pfnRange) {
	for _, r := range k.mem.ranges {
		for _, free := range subtractRanges(r, reserved) {
			k.freePagesMemory(free.start, free.end)
		}
	}
	var managed int64
	for i := range k.zones.z {
		managed += int64(k.zones.z[i].managed)
	}
	k.mem.totalram = managed
	k.mem.boot.reservedPages = k.presentPages() - managed
}

// subtractRanges returns r minus the reserved ranges, ascending.
func subtractRanges(r pfnRange, reserved []pfnRange) []pfnRange {
	out := []pfnRange{r}
	for _, x := range reserved {
		var next []pfnRange
		for _, o := range out {
			if x.end <= o.start || x.start >= o.end {
				next = append(next, o)
				continue
			}
			if o.start < x.start {
				next = append(next, pfnRange{o.start, x.start})
			}
			if x.end < o.end {
				next = append(next, pfnRange{x.end, o.end})
			}
		}
		out = next
	}
	return out
}

// freePagesMemory mirrors __free_pages_memory() + __free_pages_core(): free
// [start, end) in aligned blocks and count them as managed.
func (k *Kernel) freePagesMemory(start, end PFN) {
	for start < end {
		order := MaxOrder - 1
		for start&(1<<order-1) != 0 || start+1<<order > end {
			order--
		}
		k.freeBootBlock(uint32(start), order)
		start += 1 << order
	}
}

// freeBootBlock gives a block to the buddy allocator for the first time.
func (k *Kernel) freeBootBlock(pfn uint32, order int) {
	z := k.zoneOf(pfn)
	if s := k.mem.sections[pfn>>sectionShift]; s != nil { // a block never spans sections
		clear(s[pfn&sectionMask : pfn&sectionMask+1<<order]) // ClearPageReserved
	}
	z.managed += 1 << order
	z.nrFree += 1 << order
	k.freeOnePage(z, pfn, order, true)
}

// freeInitMemory mirrors free_initrd_mem() and free_initmem(): late in boot
// the initrd and the kernel's __init sections go back to the page allocator.
func (k *Kernel) freeInitMemory() {
	b := &k.mem.boot
	k.freePagesMemory(b.initrd.start, b.initrd.end)
	k.printk(LogInfo, "Freeing initrd memory: %dK\n", (b.initrd.end-b.initrd.start)*4)
	k.now += 180_000_000
	k.freePagesMemory(b.initmem.start, b.initmem.end)
	k.printk(LogInfo, "Freeing unused kernel image (initmem) memory: %dK\n", kernelImage.init)
	k.mem.totalram += int64(b.initrd.end-b.initrd.start) + int64(b.initmem.end-b.initmem.start)
}

// printZoneRanges prints the zone layout as free_area_init() does.
func (k *Kernel) printZoneRanges() {
	m := &k.mem
	k.printk(LogInfo, "Zone ranges:\n")
	for i := 0; i < ZoneMovable; i++ {
		z := &k.zones.z[i]
		lo, hi := [3]PFN{1, maxDMAPFN, maxDMA32PFN}[i], [3]PFN{maxDMAPFN, maxDMA32PFN, m.maxPFN}[i]
		hi = min(hi, m.maxPFN)
		if lo >= hi {
			k.printk(LogInfo, "  %-8s empty\n", z.Name)
			continue
		}
		k.printk(LogInfo, "  %-8s [mem 0x%016x-0x%016x]\n", z.Name, PFNToPhys(lo), PFNToPhys(hi)-1)
	}
	k.printk(LogInfo, "  Device   empty\n")
	k.printk(LogInfo, "Movable zone start for each node\n")
	k.printk(LogInfo, "Early memory node ranges\n")
	for _, r := range m.ranges {
		k.printk(LogInfo, "  node   0: [mem 0x%016x-0x%016x]\n", PFNToPhys(r.start), PFNToPhys(r.end)-1)
	}
	k.printk(LogInfo, "Initmem setup node 0 [mem 0x%016x-0x%016x]\n", PFNToPhys(1), PFNToPhys(m.maxPFN)-1)
	k.printk(LogInfo, "On node 0, zone DMA: 1 pages in unavailable ranges\n")
	k.printk(LogInfo, "On node 0, zone DMA: %d pages in unavailable ranges\n", highMemStart>>PageShift-legacyHoleStart>>PageShift)
	// The rest of the section after lowmem's end is initialised as
	// unavailable, counted in the zone that starts after it.
	low := m.ranges[1].end
	if fill := (low+sectionMask)&^sectionMask - low; fill != 0 {
		zone := "DMA32"
		if len(m.ranges) > 2 {
			zone = "Normal"
		}
		k.printk(LogInfo, "On node 0, zone %s: %d pages in unavailable ranges\n", zone, fill)
	}
	if end := m.maxPFN; len(m.ranges) > 2 && end&sectionMask != 0 {
		k.printk(LogInfo, "On node 0, zone Normal: %d pages in unavailable ranges\n", (end+sectionMask)&^sectionMask-end)
	}
}

// printMemInit prints the lines of build_all_zonelists() and mem_init().
func (k *Kernel) printMemInit() {
	// vm_total_pages is computed before memblock_free_all(), from
	// free_area_init_core()'s estimate of each zone's managed pages:
	// present pages minus the pages of its memmap (calc_memmap_size).
	var total uint64
	for i := range k.zones.z {
		z := &k.zones.z[i]
		pages := z.spanned
		if z.spanned > z.present+z.present>>4 {
			pages = z.present
		}
		total += z.present - (pages*structPageBytes+PageSize-1)/PageSize
	}
	k.printk(LogInfo, "Built 1 zonelists, mobility grouping on.  Total pages: %d\n", total)
	k.bootCmdlineLog() // cmdline.go: start_kernel()'s command line, mm_init()'s report_meminit()
	present := k.presentPages() * 4
	avail := k.mem.totalram * 4
	ki := kernelImage
	k.printk(LogInfo, "Memory: %dK/%dK available (%dK kernel code, %dK rwdata, %dK rodata, %dK init, %dK bss, %dK reserved, 0K cma-reserved)\n",
		avail, present, ki.code, ki.rwdata, ki.rodata, ki.init, ki.bss, present-avail)
}

// String formats r as the kernel prints a physical range.
func (r pfnRange) String() string {
	return fmt.Sprintf("[mem 0x%016x-0x%016x]", PFNToPhys(r.start), PFNToPhys(r.end)-1)
}
