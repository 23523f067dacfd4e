package kernelsim

import (
	"fmt"
	"strings"
)

// The page allocator's reports: the WARN for an impossible order, the
// allocation failure warning (warn_alloc), show_mem's Mem-Info block and
// bad_page, mirroring mm/page_alloc.c, mm/show_mem.c and mm/debug.c.

// allocPagesWarnLine is where Linux 6.1's __alloc_pages has its
// WARN_ON_ONCE_GFP(order >= MAX_ORDER, gfp).
const allocPagesWarnLine = "mm/page_alloc.c:5534"

// allocPagesCaller is the frame below __alloc_pages in call traces when a
// module calls alloc_pages() (mm/mempolicy.c on a NUMA kernel).
const allocPagesCaller = "alloc_pages+0x95/0x1a0"

// warnOrderTooLarge mirrors WARN_ON_ONCE_GFP(order >= MAX_ORDER, gfp) in
// __alloc_pages(): a WARNING splat the first time only, never with
// __GFP_NOWARN. No allocation failure report follows: the function returns
// NULL straight away. callers are the frames below __alloc_pages.
func (k *Kernel) warnOrderTooLarge(gfp GFP, callers []string) {
	if gfp&GFPNoWarn != 0 || k.mem.warnedOrder {
		return
	}
	k.mem.warnedOrder = true
	rip := "__alloc_pages+0x2e4/0x340"
	k.warnSplat(allocPagesWarnLine, rip, callers)
	k.report("warning", fmt.Sprintf("WARNING: CPU: 0 PID: %d at %s %s", k.Current().PID, allocPagesWarnLine, rip), false)
}

// warnSplat mirrors __warn() at file ("mm/page_alloc.c:5534") in rip; see warn.
func (k *Kernel) warnSplat(file, rip string, trace []string) {
	k.warn(LogWarning, file, rip, "", trace)
}

// addTaintUnreliable mirrors add_taint(flag, LOCKDEP_NOW_UNRELIABLE): the
// first such taint turns lock debugging off, and says so.
func (k *Kernel) addTaintUnreliable(flag int) {
	k.Taint(flag)
	if !k.mem.debugLocksOff {
		k.mem.debugLocksOff = true
		k.printk(LogWarning, "Disabling lock debugging due to kernel taint\n")
	}
}

// modulesLinkedIn mirrors print_modules()'s list: " name(OE)" for each
// loaded module, most recently loaded first, then "[last unloaded: ...]"
// (module_procfs.go).
func (k *Kernel) modulesLinkedIn() string { return k.printModules() }

// warnAlloc mirrors warn_alloc(gfp, NULL, "page allocation failure:
// order:%u", order): the warning line with the current task's name, its
// cpuset, the stack and show_mem(). __GFP_NOWARN silences it, and so does
// the rate limit: a failure within 10 s of the last report prints nothing.
func (k *Kernel) warnAlloc(gfp GFP, order int, callers []string) {
	if !k.warnAllocAllowed(gfp) {
		return
	}
	t := k.Current()
	title := fmt.Sprintf("%s: page allocation failure: order:%d, mode:%s, nodemask=(null)", t.Comm, order, gfp.Mode())
	k.printk(LogWarning, "%s,cpuset=/,mems_allowed=0\n", title)
	k.dumpStack(LogWarning, append([]string{"warn_alloc+0x138/0x1b0", "__alloc_pages_slowpath.constprop.0+0xcf5/0xd20", "__alloc_pages+0x305/0x330"}, callers...)...)
	k.showMem(gfpZone(gfp))
	k.report("page-allocation-failure", title, false)
}

// warnAllocAllowed mirrors warn_alloc()'s first test: not with
// __GFP_NOWARN, and only as often as nopage_rs (10*HZ, burst 1) allows.
// The rate limit is per boot and shared by every caller, so the second of
// two failures in a row is silent on Linux too.
func (k *Kernel) warnAllocAllowed(gfp GFP) bool {
	if gfp&GFPNoWarn != 0 {
		return false
	}
	rs := &k.mem.nopageRS
	if rs.interval == 0 {
		rs.interval, rs.burst = 10*HZ, 1
	}
	return k.ratelimit(rs, "warn_alloc")
}

// showMem mirrors __show_mem(SHOW_MEM_FILTER_NODES, NULL, highest zone)
// (mm/show_mem.c): the Mem-Info block.
func (k *Kernel) showMem(maxZone int) {
	m := &k.mem
	lines := []string{
		"Mem-Info:",
		fmt.Sprintf("active_anon:%d inactive_anon:%d isolated_anon:0", m.nrAnon/4, m.nrAnon-m.nrAnon/4),
		fmt.Sprintf(" active_file:%d inactive_file:%d isolated_file:0", k.fileLRU()/2, k.fileLRU()-k.fileLRU()/2),
		" unevictable:0 dirty:0 writeback:0",
		fmt.Sprintf(" slab_reclaimable:%d slab_unreclaimable:%d", k.slabReclaimable(), k.slabUnreclaimable()),
		fmt.Sprintf(" mapped:%d shmem:%d pagetables:%d", m.nrFilePages/4, m.nrShmem, k.pageTablePages()),
		" sec_pagetables:0 bounce:0",
		" kernel_misc_reclaimable:0",
		fmt.Sprintf(" free:%d free_pcp:%d free_cma:0", k.nrFreePages(), k.freePCP()),
		fmt.Sprintf("Node 0 active_anon:%dkB inactive_anon:%dkB active_file:%dkB inactive_file:%dkB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:%dkB dirty:0kB writeback:0kB shmem:%dkB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB kernel_stack:%dkB pagetables:%dkB sec_pagetables:0kB all_unreclaimable? no",
			m.nrAnon/4*4, (m.nrAnon-m.nrAnon/4)*4, k.fileLRU()/2*4, (k.fileLRU()-k.fileLRU()/2)*4, m.nrFilePages/4*4, m.nrShmem*4, k.kernelStackKB(), k.pageTablePages()*4),
	}
	for i := 0; i <= maxZone && i < maxNrZones; i++ {
		if z := &k.zones.z[i]; z.populated() {
			lines = append(lines, k.showZone(z)...)
		}
	}
	for i := 0; i <= maxZone && i < maxNrZones; i++ {
		if z := &k.zones.z[i]; z.populated() {
			lines = append(lines, k.showZoneFreeAreas(z))
		}
	}
	// hugetlb_show_meminfo_node(): one line per hstate, 1 GiB first (the
	// CPU has pdpe1gb, so hugetlb registers it, as the direct map's
	// DirectMap1G line in /proc/meminfo says), then 2 MiB.
	lines = append(lines,
		"Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB",
		"Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
		fmt.Sprintf("%d total pagecache pages", m.nrFilePages),
		"0 pages in swap cache",
		"Free swap  = 0kB",
		"Total swap = 0kB",
		fmt.Sprintf("%d pages RAM", k.presentPages()),
		"0 pages HighMem/MovableOnly",
		fmt.Sprintf("%d pages reserved", k.presentPages()-m.totalram),
		"0 pages hwpoisoned")
	k.logLines(LogWarning, lines...)
}

// showZone prints a zone's line and its lowmem_reserve in show_free_areas().
func (k *Kernel) showZone(z *Zone) []string {
	kb := func(p uint64) uint64 { return p * 4 }
	line := fmt.Sprintf("Node 0 %s free:%dkB boost:0kB min:%dkB low:%dkB high:%dkB reserved_highatomic:0KB active_anon:%dkB inactive_anon:%dkB active_file:%dkB inactive_file:%dkB unevictable:0kB writepending:0kB present:%dkB managed:%dkB mlocked:0kB bounce:0kB free_pcp:%dkB local_pcp:%dkB free_cma:0kB",
		z.Name, z.nrFree*4, kb(z.watermark[wmarkMin]), kb(z.watermark[wmarkLow]), kb(z.watermark[wmarkHigh]),
		z.anon/4*4, (z.anon-z.anon/4)*4, z.lru.len()/2*4, (z.lru.len()-z.lru.len()/2)*4,
		kb(z.present), kb(z.managed), z.pcp.count*4, z.pcp.count*4)
	res := "lowmem_reserve[]:"
	for _, r := range z.lowmemReserve {
		res += fmt.Sprintf(" %d", r)
	}
	return []string{line, res}
}

// showZoneFreeAreas prints "Node 0 DMA32: 3*4kB (UM) 1*8kB (M) ... = 1234kB".
// Unlike Linux, every free block shows as movable (M): kernelsim has one
// migrate type.
func (k *Kernel) showZoneFreeAreas(z *Zone) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Node 0 %s: ", z.Name)
	var total uint64
	for o := 0; o < MaxOrder; o++ {
		n := z.freeArea[o].NrFree
		fmt.Fprintf(&b, "%d*%dkB ", n, 4<<o)
		if n != 0 {
			b.WriteString("(M) ")
		}
		total += n << o * 4
	}
	fmt.Fprintf(&b, "= %dkB", total)
	return b.String()
}

// nrFreePages mirrors global_zone_page_state(NR_FREE_PAGES).
func (k *Kernel) nrFreePages() int64 {
	var n int64
	for i := range k.zones.z {
		n += k.zones.z[i].nrFree
	}
	return n
}

// freePCP returns the pages on per-CPU lists.
func (k *Kernel) freePCP() int64 {
	var n int64
	for i := range k.zones.z {
		n += int64(k.zones.z[i].pcp.count)
	}
	return n
}

// fileLRU returns the page cache pages on the LRUs.
func (k *Kernel) fileLRU() int64 {
	var n int64
	for i := range k.zones.z {
		n += int64(k.zones.z[i].lru.len())
	}
	return n
}
