package kernelsim

import "fmt"

// This file mirrors how the slab allocator comes up (kmem_cache_init,
// create_kmalloc_caches in mm/slab_common.c) and fills the caches with the
// objects a Debian 12 VM holds once it has booted to a shell: dentries,
// inodes, kernfs nodes, tasks, VMAs, kmalloc'ed buffers. The objects are
// real: their slabs come from the page allocator (so /proc/buddyinfo and
// /proc/meminfo's Slab lines account for them) and they occupy real slots,
// so that a module's small kmalloc usually lands in an existing, partly
// filled slab, as on Linux.
//
// The counts are plausible for a 2-CPU, 512 MiB guest, varied a little by
// the seed, and scaled down for smaller machines.

// bootCache describes one cache that exists after boot.
type bootCache struct {
	name  string
	size  uint32 // object_size
	align uint32
	flags SlabFlags
	ctor  bool // the cache has a constructor (its geometry depends on it)
	objs  int  // objects in use after boot on a 512 MiB machine
}

// Flag sets boot caches use.
const (
	bcPanicAcct   = SlabPanic | SlabAccount
	bcHWPanicAcct = SlabHWCacheAlign | SlabPanic | SlabAccount
	bcReclaimFS   = SlabReclaimAccount | SlabPanic | SlabMemSpread | SlabAccount
)

// kmallocBootObjs are the objects in use in kmalloc-8 ... kmalloc-8k after
// boot, by kmalloc index.
var kmallocBootObjs = [KmallocShiftHigh + 1]int{0, 1470, 2080, 4100, 3560, 4350, 7960, 1310, 990, 1090, 880, 410, 250, 62}

// kmallocRclBootObjs are the kmalloc-rcl-* objects in use after boot.
var kmallocRclBootObjs = [KmallocShiftHigh + 1]int{0, 80, 0, 0, 0, 0, 120, 60, 0, 0, 0, 0, 0, 0}

// bootCaches are the caches created after the kmalloc caches, in creation
// order (so the last is at the top of /proc/slabinfo).
var bootCaches = []bootCache{
	{"vmap_area", 64, 0, SlabPanic, false, 2300},
	{"ftrace_event_field", 56, 0, SlabPanic, false, 3550},
	{"trace_event_file", 88, 0, SlabPanic, false, 1620},
	{"radix_tree_node", 576, 0, SlabPanic | SlabReclaimAccount, true, 1590},
	{"sigqueue", 80, 0, bcPanicAcct, false, 100},
	{"pool_workqueue", 256, 256, SlabPanic, false, 70},
	{"pid", 112, 0, bcHWPanicAcct, false, 450},
	{"anon_vma", 96, 0, SlabTypesafeByRCU | bcPanicAcct, true, 2400},
	{"anon_vma_chain", 64, 0, bcPanicAcct, false, 4030},
	{"cred_jar", 184, 0, bcHWPanicAcct, false, 700},
	{"task_struct", 5888, 64, bcPanicAcct, false, 180},
	{"sighand_cache", 2080, 0, bcHWPanicAcct | SlabTypesafeByRCU, true, 190},
	{"signal_cache", 1088, 0, bcHWPanicAcct, false, 190},
	{"files_cache", 704, 0, bcHWPanicAcct, false, 150},
	{"fs_cache", 56, 0, bcHWPanicAcct, false, 160},
	{"mm_struct", 1152, 0, bcHWPanicAcct, false, 90},
	{"vm_area_struct", 184, 0, bcPanicAcct, false, 3500},
	{"buffer_head", 104, 0, SlabReclaimAccount | SlabPanic | SlabMemSpread, false, 6000},
	{"key_jar", 192, 0, SlabHWCacheAlign | SlabPanic, false, 40},
	{"names_cache", 4096, 0, SlabHWCacheAlign | SlabPanic, false, 6},
	{"dentry", 192, 0, bcReclaimFS, false, 18000},
	{"inode_cache", 592, 0, bcReclaimFS, true, 4500},
	{"filp", 232, 0, bcHWPanicAcct, false, 1600},
	{"mnt_cache", 320, 0, bcHWPanicAcct, false, 170},
	{"kernfs_node_cache", 128, 0, SlabPanic, false, 21000},
	{"kernfs_iattrs_cache", 88, 0, SlabPanic, false, 300},
	{"seq_file", 120, 0, bcPanicAcct, false, 60},
	{"proc_inode_cache", 648, 0, bcReclaimFS, true, 900},
	{"shmem_inode_cache", 752, 0, bcPanicAcct, true, 1100},
	{"Acpi-Namespace", 40, 0, 0, false, 1700},
	{"Acpi-State", 80, 0, 0, false, 50},
	{"Acpi-Parse", 56, 0, 0, false, 70},
	{"Acpi-Operand", 72, 0, 0, false, 1900},
	{"blkdev_ioc", 104, 0, SlabPanic, false, 40},
	{"sock_inode_cache", 768, 0, SlabHWCacheAlign | SlabReclaimAccount | bcPanicAcct, true, 300},
	{"skbuff_head_cache", 232, 0, SlabHWCacheAlign | SlabPanic, false, 320},
	{"skbuff_fclone_cache", 464, 0, SlabHWCacheAlign | SlabPanic, false, 32},
	{"ip_dst_cache", 176, 0, SlabHWCacheAlign | SlabPanic, false, 80},
	{"ip_fib_alias", 56, 0, SlabPanic, false, 40},
	{"ip_fib_trie", 48, 0, SlabPanic, false, 50},
	{"RAW", 1024, 0, SlabHWCacheAlign | SlabAccount, false, 20},
	{"UDP", 1216, 0, SlabHWCacheAlign | SlabAccount, false, 30},
	{"tw_sock_TCP", 248, 0, SlabHWCacheAlign | SlabAccount, false, 0},
	{"request_sock_TCP", 296, 0, SlabHWCacheAlign | SlabAccount, false, 0},
	{"TCP", 2368, 0, SlabHWCacheAlign | SlabAccount, false, 13},
	{"UNIX", 1024, 0, SlabHWCacheAlign | SlabAccount, false, 300},
	{"eventpoll_pwq", 72, 0, bcPanicAcct, false, 250},
	{"eventpoll_epi", 128, 0, bcHWPanicAcct, false, 250},
	{"inotify_inode_mark", 88, 0, bcPanicAcct, false, 160},
	{"fsnotify_mark_connector", 32, 0, bcPanicAcct, false, 300},
	{"lsm_file_cache", 24, 0, SlabPanic, false, 1500},
	{"scsi_sense_cache", 96, 0, SlabHWCacheAlign, false, 64},
	{"mbcache", 56, 0, SlabReclaimAccount, false, 20},
	{"jbd2_journal_head", 120, 0, SlabReclaimAccount, false, 150},
	{"jbd2_revoke_table_s", 16, 0, SlabReclaimAccount, false, 256},
	{"ext4_extent_status", 40, 0, SlabReclaimAccount, false, 2500},
	{"ext4_allocation_context", 144, 0, 0, false, 0},
	{"ext4_io_end", 64, 0, SlabAccount, false, 0},
	{"ext4_inode_cache", 1184, 0, SlabReclaimAccount | SlabMemSpread | SlabAccount, true, 3500},
	{"ext4_groupinfo_4k", 144, 0, 0, false, 160},
	{"TCPv6", 2496, 0, SlabHWCacheAlign | SlabAccount, false, 13},
	{"UDPv6", 1408, 0, SlabHWCacheAlign | SlabAccount, false, 25},
	{"RAWv6", 1216, 0, SlabHWCacheAlign | SlabAccount, false, 20},
}

// bootSlab mirrors kmem_cache_init() and the caches created later in
// start_kernel() and by built-in drivers, then fills them.
func (k *Kernel) bootSlab() error {
	st := &k.slab
	// kmem_cache_init(): the two caches the allocator itself needs; the
	// bootstrap adds kmem_cache to slab_caches first.
	st.kmemCacheNode = k.bootCreate("kmem_cache_node", 64, 0, SlabHWCacheAlign, false, true)
	st.kmemCache = k.bootCreate("kmem_cache", 232, 0, SlabHWCacheAlign, false, true)
	st.caches = []*KmemCache{st.kmemCacheNode, st.kmemCache}
	k.createKmallocCaches()
	for _, bc := range bootCaches {
		st.caches = append([]*KmemCache{k.bootCreate(bc.name, bc.size, bc.align, bc.flags, bc.ctor, false)}, st.caches...)
	}
	// init_freelist_randomization(): every boot cache gets its sequence.
	for i := len(st.caches) - 1; i >= 0; i-- {
		k.initRandomSeq(st.caches[i])
	}
	if err := k.fillBootCaches(); err != nil {
		return err
	}
	// The boot slabs' pages came through the per-CPU lists when they are
	// on (they are unless Config.NoPCP); boot leaves those lists empty, as the memory core's
	// own boot does.
	k.drainAllPages()
	st.booted = true
	return nil
}

// bootCreate mirrors create_boot_cache() (and, for the other boot caches,
// kmem_cache_create): kmalloc-style caches get ARCH_KMALLOC_MINALIGN, raised
// to the size itself for power-of-two sizes.
func (k *Kernel) bootCreate(name string, size, align uint32, flags SlabFlags, ctor, kmallocStyle bool) *KmemCache {
	if kmallocStyle {
		align = archSlabMinalign
		if size&(size-1) == 0 {
			align = size
		}
	}
	s, ok := newCache(name, size, align, k.kmemCacheFlags(flags), ctor)
	if !ok {
		panic("kernelsim: boot cache " + name + " has no slab order")
	}
	k.zeroFill(s)
	return s
}

// createKmallocCaches mirrors create_kmalloc_caches(): for each type, the
// power-of-two caches in size order with kmalloc-96 created right after
// kmalloc-64 and kmalloc-192 right after kmalloc-128.
func (k *Kernel) createKmallocCaches() {
	for t := kmallocNormal; t < nrKmallocTypes; t++ {
		for i := KmallocShiftLow; i <= KmallocShiftHigh; i++ {
			k.newKmallocCache(t, i)
			if i == 6 {
				k.newKmallocCache(t, 1)
			}
			if i == 7 {
				k.newKmallocCache(t, 2)
			}
		}
	}
}

// newKmallocCache mirrors new_kmalloc_cache().
func (k *Kernel) newKmallocCache(t kmallocType, idx int) {
	var flags SlabFlags
	switch t {
	case kmallocReclaim:
		flags = SlabReclaimAccount
	case kmallocDMA:
		flags = SlabCacheDMA
	}
	info := kmallocInfo[idx]
	s := k.bootCreate(kmallocPrefix[t]+info.name, info.size, 0, flags, false, true)
	s.kmalloc = true
	k.slab.kmalloc[t][idx] = s
	k.slab.caches = append([]*KmemCache{s}, k.slab.caches...)
}

// bootObjects returns how many objects cache s holds after boot.
func (k *Kernel) bootObjects(s *KmemCache) int {
	st := &k.slab
	switch s {
	case st.kmemCache, st.kmemCacheNode:
		return len(st.caches)
	}
	for idx := 1; idx <= KmallocShiftHigh; idx++ {
		switch s {
		case st.kmalloc[kmallocNormal][idx]:
			return kmallocBootObjs[idx]
		case st.kmalloc[kmallocReclaim][idx]:
			return kmallocRclBootObjs[idx]
		case st.kmalloc[kmallocDMA][idx]:
			return 0
		}
	}
	for _, bc := range bootCaches {
		if bc.name == s.Name {
			return bc.objs
		}
	}
	return 0
}

// fillBootCaches allocates every boot cache's slabs, oldest cache first,
// with its objects in use. Counts vary by ±10% with the seed and shrink on
// machines smaller than 512 MiB.
//
// Boot also used slabs it no longer needs (the dentries and inodes of the
// initramfs, objects of probes that failed): about one slab in eight is
// allocated among the others and freed at the end, leaving the scattered
// small free blocks a booted machine's /proc/buddyinfo shows.
func (k *Kernel) fillBootCaches() error {
	scale := min(1.0, float64(k.cfg.RAM)/float64(DefaultRAM))
	var transient []bootBlock
	for i := len(k.slab.caches) - 1; i >= 0; i-- {
		s := k.slab.caches[i]
		n := k.bootObjects(s)
		if n > 50 {
			n = int(float64(n) * scale * (0.9 + 0.2*k.rng.Float64()))
		}
		t, err := k.fillBootCache(s, n)
		if err != nil {
			return err
		}
		transient = append(transient, t...)
	}
	k.rng.Shuffle(len(transient), func(i, j int) { transient[i], transient[j] = transient[j], transient[i] })
	for _, b := range transient {
		if err := k.FreePages(b.pfn, b.order); err != nil {
			return err
		}
	}
	return nil
}

// bootBlock is a block of pages boot used for a while.
type bootBlock struct {
	pfn   PFN
	order int
}

// fillBootCache gives s enough slabs for used objects plus some room: the
// CPU slab and a few partial slabs have free objects, every other slab is
// full, and every slab keeps at least one object in use, so that no boot
// slab is ever returned to the page allocator.
func (k *Kernel) fillBootCache(s *KmemCache, used int) (transient []bootBlock, err error) {
	if used == 0 {
		return nil, nil
	}
	per := s.objects
	nslabs := (used + max(1, per/3) + per - 1) / per
	free := nslabs*per - used
	slabs, transient, err := k.allocBootSlabs(s, nslabs)
	if err != nil {
		return nil, err
	}
	// The last slab is the CPU slab, with a quarter to three quarters of
	// its objects free; the other free objects go to partial slabs, newest
	// first.
	for i := nslabs - 1; i >= 0; i-- {
		f := 0
		switch {
		case free == 0 || per == 1:
		case i == nslabs-1:
			f = min(free, per-1, max(1, per/4+k.rng.IntN(per/2+1)))
		default:
			f = min(free, 1+k.rng.IntN(per-1))
		}
		free -= f
		k.bootAllocate(slabs[i], per-f)
		switch {
		case i == nslabs-1:
			s.setCPUSlab(slabs[i])
		case f > 0:
			s.partial.pushTail(slabs[i])
		default:
			s.full.pushTail(slabs[i])
		}
	}
	return transient, nil
}

// allocBootSlabs allocates n slabs for s, and about one transient block
// for every eight slabs.
func (k *Kernel) allocBootSlabs(s *KmemCache, n int) ([]*Slab, []bootBlock, error) {
	slabs := make([]*Slab, n)
	s.reserveSlots(n)
	k.slab.syncPools(s)
	var transient []bootBlock
	gfp := GFP_KERNEL | GFPNoWarn | s.allocFlags
	for i := range slabs {
		pfn, ok := k.AllocPages(gfp, s.order)
		if !ok {
			return nil, nil, errBootSlab(s)
		}
		slabs[i] = k.initSlab(s, pfn, s.order)
		if k.rng.IntN(8) == 0 {
			if pfn, ok := k.AllocPages(gfp, s.order); ok {
				transient = append(transient, bootBlock{pfn, s.order})
			}
		}
	}
	return slabs, transient, nil
}

// bootAllocate marks the first n objects of a new slab's freelist allocated.
func (k *Kernel) bootAllocate(sl *Slab, n int) {
	s := k.slabCache(sl)
	for j := 0; j < n; j++ {
		idx := uint32(s.popTop(sl))
		s.usedPool[sl.usedOff/8+idx>>6] |= 1 << (idx & 63)
	}
	sl.inuse = uint32(n)
}

func errBootSlab(s *KmemCache) error {
	return fmt.Errorf("slab: not enough memory for the boot objects of %s", s.Name)
}

// slubBootMessage mirrors the pr_info at the end of kmem_cache_init()
// (mm/slub.c): "SLUB: HWalign=%d, Order=%u-%u, MinObjects=%u, CPUs=%u,
// Nodes=%u" with cache_line_size() 64, slub_min_order 0, slub_max_order 3,
// slub_min_objects 0 (not set on the command line; calculate_order derives
// 12 from the CPU count), nr_cpu_ids 2 and one node.
func (k *Kernel) slubBootMessage() {
	k.printk(LogInfo, "SLUB: HWalign=%d, Order=%d-%d, MinObjects=%d, CPUs=%d, Nodes=%d\n",
		cacheLineSize, 0, slubMaxOrder, 0, nrCPUIDs, 1)
}
