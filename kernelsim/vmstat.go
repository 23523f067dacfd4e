package kernelsim

import (
	"fmt"
	"math/bits"
	"strings"
)

// /proc/buddyinfo, /proc/zoneinfo and /proc/pagetypeinfo, mirroring
// mm/vmstat.c (frag_show, zoneinfo_show, pagetypeinfo_show).

// procBuddyinfo mirrors frag_show_print(): one line per populated zone, the
// number of free blocks of each order.
//
//	Node 0, zone      DMA      1      1      0      1      2      1      1      0      1      1      3
func (k *Kernel) procBuddyinfo() string {
	var b strings.Builder
	for i := range k.zones.z {
		z := &k.zones.z[i]
		if !z.populated() {
			continue
		}
		fmt.Fprintf(&b, "Node 0, zone %8s ", z.Name)
		for o := 0; o < MaxOrder; o++ {
			fmt.Fprintf(&b, "%6d ", z.freeArea[o].NrFree)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// nodeStats lists the per-node counters zoneinfo prints under the first
// populated zone (enum node_stat_item's names in mm/vmstat.c), with their
// simulated values.
func (k *Kernel) nodeStats() []struct {
	name string
	val  int64
} {
	m := &k.mem
	file := k.fileLRU()
	slabR, slabU := k.slabReclaimable(), k.slabUnreclaimable()
	return []struct {
		name string
		val  int64
	}{
		{"nr_inactive_anon", m.nrAnon - m.nrAnon/4}, {"nr_active_anon", m.nrAnon / 4},
		{"nr_inactive_file", file - file/2}, {"nr_active_file", file / 2},
		{"nr_unevictable", 0}, {"nr_slab_reclaimable", slabR}, {"nr_slab_unreclaimable", slabU},
		{"nr_isolated_anon", 0}, {"nr_isolated_file", 0},
		{"workingset_nodes", 0}, {"workingset_refault_anon", 0}, {"workingset_refault_file", 0},
		{"workingset_activate_anon", 0}, {"workingset_activate_file", 0},
		{"workingset_restore_anon", 0}, {"workingset_restore_file", 0}, {"workingset_nodereclaim", 0},
		{"nr_anon_pages", m.nrAnon}, {"nr_mapped", m.nrFilePages / 4}, {"nr_file_pages", m.nrFilePages + m.nrShmem},
		{"nr_dirty", 0}, {"nr_writeback", 0}, {"nr_writeback_temp", 0}, {"nr_shmem", m.nrShmem},
		{"nr_shmem_hugepages", 0}, {"nr_shmem_pmdmapped", 0}, {"nr_file_hugepages", 0}, {"nr_file_pmdmapped", 0},
		{"nr_anon_transparent_hugepages", 0}, {"nr_vmscan_write", 0}, {"nr_vmscan_immediate_reclaim", 0},
		{"nr_dirtied", 0}, {"nr_written", 0}, {"nr_throttled_written", 0}, {"nr_kernel_misc_reclaimable", 0},
		{"nr_foll_pin_acquired", 0}, {"nr_foll_pin_released", 0},
		{"nr_kernel_stack", k.kernelStackKB()},
		{"nr_page_table_pages", k.pageTablePages()}, {"nr_sec_page_table_pages", 0},
		{"nr_swapcached", 0},
	}
}

// procZoneinfo mirrors zoneinfo_show_print() for every zone, populated or
// not. Unlike Linux, the NUMA event counters and most per-node counters are
// not simulated and print the values kernelsim keeps or 0.
func (k *Kernel) procZoneinfo() string {
	var b strings.Builder
	first := true
	for i := range k.zones.z {
		z := &k.zones.z[i]
		fmt.Fprintf(&b, "Node 0, zone %8s", z.Name)
		if z.populated() && first {
			first = false
			b.WriteString("\n  per-node stats")
			for _, s := range k.nodeStats() {
				fmt.Fprintf(&b, "\n      %-12s %d", s.name, s.val)
			}
		}
		k.zoneinfoZone(&b, z)
	}
	return b.String()
}

// zoneinfoZone prints one zone's watermarks, sizes, protection, counters and
// per-CPU pagesets.
func (k *Kernel) zoneinfoZone(b *strings.Builder, z *Zone) {
	fmt.Fprintf(b, "\n  pages free     %d\n        boost    0\n        min      %d\n        low      %d\n        high     %d\n        spanned  %d\n        present  %d\n        managed  %d\n        cma      0",
		z.nrFree, z.watermark[wmarkMin], z.watermark[wmarkLow], z.watermark[wmarkHigh], z.spanned, z.present, z.managed)
	fmt.Fprintf(b, "\n        protection: (%d", z.lowmemReserve[0])
	for _, r := range z.lowmemReserve[1:] {
		fmt.Fprintf(b, ", %d", r)
	}
	b.WriteByte(')')
	if !z.populated() {
		b.WriteByte('\n')
		return
	}
	anon, file := z.anon, int64(z.lru.len())
	for _, s := range []struct {
		name string
		val  int64
	}{
		{"nr_free_pages", z.nrFree}, {"nr_zone_inactive_anon", anon - anon/4}, {"nr_zone_active_anon", anon / 4},
		{"nr_zone_inactive_file", file - file/2}, {"nr_zone_active_file", file / 2}, {"nr_zone_unevictable", 0},
		{"nr_zone_write_pending", 0}, {"nr_mlock", 0}, {"nr_bounce", 0}, {"nr_zspages", 0}, {"nr_free_cma", 0},
		{"numa_hit", 0}, {"numa_miss", 0}, {"numa_foreign", 0}, {"numa_interleave", 0}, {"numa_local", 0}, {"numa_other", 0},
	} {
		fmt.Fprintf(b, "\n      %-12s %d", s.name, s.val)
	}
	b.WriteString("\n  pagesets")
	for cpu := 0; cpu < 2; cpu++ {
		count := 0
		if cpu == 0 {
			count = z.pcp.count
		}
		fmt.Fprintf(b, "\n    cpu: %d\n              count: %d\n              high:  %d\n              batch: %d", cpu, count, z.pcp.high, z.pcp.batch)
		fmt.Fprintf(b, "\n  vm stats threshold: %d", statThreshold(z.managed))
	}
	fmt.Fprintf(b, "\n  node_unreclaimable:  0\n  start_pfn:           %d\n", z.startPFN)
}

// statThreshold mirrors calculate_normal_threshold() (mm/vmstat.c) for the
// machine's 2 online CPUs: 2 * fls(cpus) * (1 + fls(managed memory in
// 128 MiB units)), at most 125. A 512 MiB machine's DMA32 zone (3 units)
// gets 2*2*(1+2) = 12.
func statThreshold(managed uint64) int {
	mem := managed >> (27 - PageShift)
	return min(2*fls(nrCPUIDs)*(1+bits.Len64(mem)), 125)
}

// procPagetypeinfo mirrors pagetypeinfo_show(). Unlike Linux, kernelsim has
// a single migrate type: every free block and every pageblock counts as
// Movable.
func (k *Kernel) procPagetypeinfo() string {
	types := []string{"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"}
	var b strings.Builder
	b.WriteString("Page block order: 9\nPages per block:  512\n\n")
	fmt.Fprintf(&b, "%-43s ", "Free pages count per migrate type at order")
	for o := 0; o < MaxOrder; o++ {
		fmt.Fprintf(&b, "%6d ", o)
	}
	b.WriteByte('\n')
	for i := range k.zones.z {
		z := &k.zones.z[i]
		if !z.populated() {
			continue
		}
		for _, t := range types {
			fmt.Fprintf(&b, "Node %4d, zone %8s, type %12s ", 0, z.Name, t)
			for o := 0; o < MaxOrder; o++ {
				n := uint64(0)
				if t == "Movable" {
					n = z.freeArea[o].NrFree
				}
				fmt.Fprintf(&b, "%6d ", n)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "\n%-23s", "Number of blocks type ")
	for _, t := range types {
		fmt.Fprintf(&b, "%12s ", t)
	}
	b.WriteByte('\n')
	for i := range k.zones.z {
		z := &k.zones.z[i]
		if !z.populated() {
			continue
		}
		fmt.Fprintf(&b, "Node %d, zone %8s ", 0, z.Name)
		blocks := (uint64(z.startPFN)+z.spanned+511)/512 - uint64(z.startPFN)/512
		for _, t := range types {
			n := uint64(0)
			if t == "Movable" {
				n = blocks
			}
			fmt.Fprintf(&b, "%12d ", n)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
