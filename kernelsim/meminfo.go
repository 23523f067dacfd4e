package kernelsim

import (
	"fmt"
	"strings"
)

// /proc/meminfo and free(1), mirroring fs/proc/meminfo.c and
// mm/page_alloc.c:si_mem_available().
//
// Counters other layers keep (all in physMem, physmem.go):
//   - k.mem.nrSlabReclaimable / nrSlabUnreclaimable: pages of slabs, kept
//     by the slab layer (SReclaimable, SUnreclaim, Slab);
//   - k.mem.nrVmallocPages: pages backing vmalloc areas (VmallocUsed);
//   - k.mem.nrKernelStackKB, nrPageTables: kernel stacks and page tables of
//     simulated processes.
//
// Boot-time kernel memory (bootUse) is added to them by the accessors below,
// which every report reads (meminfo, vmstat, zoneinfo and show_mem's
// Mem-Info block), so they agree as the kernel's one set of counters does.

// slabReclaimable mirrors global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B).
func (k *Kernel) slabReclaimable() int64 {
	return k.mem.nrSlabReclaimable + k.mem.bootUse.slabReclaimable
}

// slabUnreclaimable mirrors NR_SLAB_UNRECLAIMABLE_B, in pages.
func (k *Kernel) slabUnreclaimable() int64 {
	return k.mem.nrSlabUnreclaimable + k.mem.bootUse.slabUnreclaimable
}

// kernelStackKB mirrors global_node_page_state(NR_KERNEL_STACK_KB).
func (k *Kernel) kernelStackKB() int64 { return k.mem.nrKernelStackKB + k.mem.bootUse.kernelStackKB }

// pageTablePages mirrors global_node_page_state(NR_PAGETABLE).
func (k *Kernel) pageTablePages() int64 { return k.mem.nrPageTables + k.mem.bootUse.pageTables }

// memAvailable mirrors si_mem_available(): free pages above the reserves,
// plus the page cache and reclaimable slab that reclaim could free without
// dropping below the low watermarks.
func (k *Kernel) memAvailable() int64 {
	var low, reserve int64
	for i := range k.zones.z {
		z := &k.zones.z[i]
		low += int64(z.watermark[wmarkLow])
		reserve += int64(min(z.managed, maxReserve(z)+z.watermark[wmarkHigh]))
	}
	avail := k.nrFreePages() - reserve
	cache := k.fileLRU()
	avail += cache - min(cache/2, low)
	recl := k.slabReclaimable()
	avail += recl - min(recl/2, low)
	return max(avail, 0)
}

// maxReserve is the largest lowmem_reserve of a zone
// (calculate_totalreserve_pages).
func maxReserve(z *Zone) uint64 {
	var r uint64
	for _, v := range z.lowmemReserve {
		r = max(r, v)
	}
	return r
}

// meminfoLine formats one line as show_val_kb() does: the name padded to 16
// columns, the value right-aligned in 8, " kB".
func meminfoLine(b *strings.Builder, name string, kb int64) {
	fmt.Fprintf(b, "%-16s%8d kB\n", name+":", kb)
}

// procMeminfo mirrors meminfo_proc_show().
func (k *Kernel) procMeminfo() string {
	m := &k.mem
	var b strings.Builder
	file := k.fileLRU()
	anon := m.nrAnon
	slabR, slabU := k.slabReclaimable(), k.slabUnreclaimable()
	cached := max(m.nrFilePages+m.nrShmem-m.nrBuffers, 0)
	for _, l := range []struct {
		name  string
		pages int64
	}{
		{"MemTotal", m.totalram}, {"MemFree", k.nrFreePages()}, {"MemAvailable", k.memAvailable()},
		{"Buffers", m.nrBuffers}, {"Cached", cached}, {"SwapCached", 0},
		{"Active", anon/4 + file/2}, {"Inactive", anon - anon/4 + file - file/2},
		{"Active(anon)", anon / 4}, {"Inactive(anon)", anon - anon/4},
		{"Active(file)", file / 2}, {"Inactive(file)", file - file/2},
		{"Unevictable", 0}, {"Mlocked", 0}, {"SwapTotal", 0}, {"SwapFree", 0},
		{"Zswap", 0}, {"Zswapped", 0}, {"Dirty", 0}, {"Writeback", 0},
		{"AnonPages", anon}, {"Mapped", m.nrFilePages / 4}, {"Shmem", m.nrShmem},
		{"KReclaimable", slabR}, {"Slab", slabR + slabU}, {"SReclaimable", slabR}, {"SUnreclaim", slabU},
	} {
		meminfoLine(&b, l.name, l.pages*4)
	}
	meminfoLine(&b, "KernelStack", k.kernelStackKB())
	for _, l := range []struct {
		name string
		kb   int64
	}{
		{"PageTables", k.pageTablePages() * 4}, {"SecPageTables", 0},
		{"NFS_Unstable", 0}, {"Bounce", 0}, {"WritebackTmp", 0},
		{"CommitLimit", m.totalram / 2 * 4}, {"Committed_AS", 412_304 + anon*4},
		{"VmallocTotal", 34359738367}, {"VmallocUsed", m.nrVmallocPages * 4}, {"VmallocChunk", 0},
		{"Percpu", m.nrPercpuKB},
	} {
		meminfoLine(&b, l.name, l.kb)
	}
	b.WriteString("HardwareCorrupted:     0 kB\n") // "HardwareCorrupted: %5lu kB"
	for _, l := range []struct {
		name string
		kb   int64
	}{
		{"AnonHugePages", 0}, {"ShmemHugePages", 0}, {"ShmemPmdMapped", 0},
		{"FileHugePages", 0}, {"FilePmdMapped", 0},
	} {
		meminfoLine(&b, l.name, l.kb)
	}
	b.WriteString("HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\nHugePages_Surp:        0\n")
	meminfoLine(&b, "Hugepagesize", 2048)
	meminfoLine(&b, "Hugetlb", 0)
	k.directMapLines(&b)
	return b.String()
}

// directMapLines mirrors arch_report_meminfo(): how the direct map is
// mapped. The first 2 MiB, the ends of RAM ranges that are not 2 MiB
// aligned and the kernel image's split pages use 4 KiB pages; whole GiBs
// above 4 GiB use 1 GiB pages; the rest 2 MiB pages. The simulated CPU has
// 1 GiB pages (pdpe1gb in /proc/cpuinfo), so direct_gbpages is on and the
// DirectMap1G line is printed even when no GiB is mapped that way (512 MiB
// of RAM), as show_mem's 1 GiB hstate line is.
func (k *Kernel) directMapLines(b *strings.Builder) {
	const split4k = 104_448 // kB of 4 KiB mappings left by set_memory_*() on the kernel image
	var total, giga int64
	for _, r := range k.mem.ranges {
		total += int64(r.end-r.start) * 4
		if r.start >= maxDMA32PFN {
			giga += int64(r.end-r.start) * 4 / (1 << 20) * (1 << 20)
		}
	}
	total += 4 + 384 // pfn 0 and the legacy hole are mapped too
	small := split4k + total%2048
	meminfoLine(b, "DirectMap4k", small)
	meminfoLine(b, "DirectMap2M", total-small-giga)
	meminfoLine(b, "DirectMap1G", giga)
}

// FreeCommand mirrors procps-ng 4's free(1) (Debian 12) without options: the Mem and Swap
// lines in KiB, computed from /proc/meminfo as free does (used = total -
// free - buff/cache; buff/cache = Buffers + Cached + SReclaimable).
func (k *Kernel) FreeCommand() string {
	m := &k.mem
	total, free := m.totalram*4, k.nrFreePages()*4
	buffCache := (m.nrBuffers + max(m.nrFilePages+m.nrShmem-m.nrBuffers, 0) + m.nrSlabReclaimable + m.bootUse.slabReclaimable) * 4
	used := total - free - buffCache
	var b strings.Builder
	fmt.Fprintf(&b, "%20s%12s%12s%12s%12s%12s\n", "total", "used", "free", "shared", "buff/cache", "available")
	fmt.Fprintf(&b, "%-8s%12d%12d%12d%12d%12d%12d\n", "Mem:", total, used, free, m.nrShmem*4, buffCache, k.memAvailable()*4)
	fmt.Fprintf(&b, "%-8s%12d%12d%12d\n", "Swap:", 0, 0, 0)
	return b.String()
}
