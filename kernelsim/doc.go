// Package kernelsim is a simulated Linux 6.1 x86-64 kernel: enough of the memory
// management subsystem, execution contexts, char devices and debugging facilities
// to run the kscript workshop's kernel modules faithfully.
//
// It mirrors the kernel's structure file by file, so that a reader with the kernel
// source open finds the counterpart at once:
//
//	physmem.go      struct page array (mem_map), page contents       include/linux/mm_types.h
//	mmzone.go       zones, free areas, watermarks                    include/linux/mmzone.h
//	page_alloc.go   the buddy allocator                              mm/page_alloc.c
//	gfp.go          GFP flags and their names                        include/linux/gfp_types.h
//	slub.go         SLUB caches and slabs                            mm/slub.c
//	slab_common.go  kmalloc size classes, kmalloc/kfree/ksize        mm/slab_common.c
//	vmalloc.go      vm areas in the vmalloc range                    mm/vmalloc.c
//	printk.go       the printk ring buffer and dmesg                 kernel/printk/printk.c
//	module.go       module load/unload, taint                        kernel/module/main.c
//	procfs.go       /proc/buddyinfo, slabinfo, meminfo, vmallocinfo  fs/proc, mm/vmstat.c
//
// kernelsim never imports Starlark, terminal colour or os.Stdout, never reads the
// wall clock and never uses a global random source: time is a simulated monotonic
// clock and randomness comes from a source seeded by Config.Seed, so the same
// inputs give the same output byte for byte.
//
// Three tiers of failure are kept apart. What Linux returns to a caller (NULL,
// -ENOMEM, bytes not copied) is returned as a value. A kernel bug the caller
// caused (a double free, an out-of-bounds access, sleeping in atomic context) is
// reported in the printk log as Linux reports it, recorded as a Report, and — when
// Linux would kill the current task (Oops, BUG()) — returned as an *Oops error that
// the caller must propagate. A bug in kernelsim itself may panic.
package kernelsim
