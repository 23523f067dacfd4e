// Package kernelsim is a simulated Linux 6.1 x86-64 kernel: enough of the memory
// management subsystem, execution contexts, char devices and debugging facilities
// to run the kscript workshop's kernel modules faithfully.
//
// It mirrors the kernel's structure file by file, so that a reader with the kernel
// source open finds the counterpart at once (every file, with its Linux 6.1
// counterpart; "kscript's own" marks simulator machinery with none; a test
// keeps this list complete):
//
//	kernel.go              Kernel, Config, New (boot), Report, Oops, the clock        init/main.c start_kernel
//	addr.go                Addr and the x86-64 address-space layout                   arch/x86/include/asm/page_64_types.h, Documentation/x86/x86_64/mm.rst
//	arch64.go              a 64-bit Go platform required (compile-time check)        arch/x86/Kconfig (X86_64 selects 64BIT)
//	physmem.go             struct page array (mem_map), page contents, counters       include/linux/mm_types.h, mm/page_alloc.c
//	memblock.go            e820, boot reservations, the boot log of memory            mm/memblock.c, mm/mm_init.c, arch/x86/kernel/e820.c
//	mmzone.go              zones, free areas                                          include/linux/mmzone.h
//	watermark.go           zone watermarks and lowmem_reserve                         mm/page_alloc.c __setup_per_zone_wmarks
//	page_alloc.go          the buddy allocator                                        mm/page_alloc.c
//	page_alloc_pcp.go      per-CPU page lists                                         mm/page_alloc.c (struct per_cpu_pages)
//	page_alloc_report.go   warn_alloc, show_mem's Mem-Info                            mm/page_alloc.c warn_alloc, mm/show_mem.c
//	bad_page.go            bad frees, bad_page, __dump_page                           mm/page_alloc.c, mm/debug.c
//	vmscan.go              allocation slow path, reclaim                              mm/page_alloc.c __alloc_pages_slowpath, mm/vmscan.c
//	pressure.go            boot-time users of memory, pressure and fragment steps     (kscript's own)
//	reserve.go             frames and vmalloc ranges taken before a verify run        mm/page_alloc.c take_page_off_buddy
//	gfp.go                 GFP flags and their names                                  include/linux/gfp_types.h, include/trace/events/mmflags.h
//	meminfo.go             /proc/meminfo, free(1)                                     fs/proc/meminfo.c, arch/x86/mm/pat/set_memory.c
//	vmstat.go              /proc/buddyinfo, zoneinfo, pagetypeinfo, vmstat            mm/vmstat.c
//	ratelimit.go           rate limits (warn_alloc's nopage_rs)                       lib/ratelimit.c
//	mem.go                 kernel-mode loads and stores through the MMU               arch/x86/mm/fault.c (the access side)
//	peek.go                kscript's unchecked reads of kernel memory                 (kscript's own)
//	check.go               allocator invariants (tests)                               (kscript's own; cf. mm/debug_vm_pgtable.c)
//	snapshot.go            read-only views of memory for pictures                     (kscript's own)
//	slab_common.go         kmalloc size classes, kmalloc/kfree/ksize, /proc/slabinfo  mm/slab_common.c
//	slab_boot.go           kmem_cache_init, boot caches, the SLUB boot line           mm/slub.c kmem_cache_init
//	slab_cache.go          kmem_cache_create/destroy                                  mm/slab_common.c, mm/slub.c kmem_cache_open
//	slub.go                SLUB caches, slabs, geometry                               mm/slub.c
//	slub_alloc.go          slab allocation and free paths                             mm/slub.c slab_alloc_node, slab_free
//	slub_debug.go          SLUB debug reports                                         mm/slub.c slab_bug, object_err, print_trailer
//	slab_poison.go         per-object knowledge: requested size, owner, poison        mm/slub.c init_object, include/linux/poison.h
//	slab_mm.go             PG_slab and raw page access for slabs                      mm/slab.h
//	slab_oops.go           slab WARNs and panic()                                     kernel/panic.c __warn, panic
//	slab_check.go          slab invariants                                            mm/slub.c validate_slab_cache
//	malloc.go              user programs' malloc/free                                 glibc 2.36 malloc/malloc.c
//	util.go                kvmalloc, kvfree                                           mm/util.c
//	vmalloc.go             vm areas, vmalloc                                          mm/vmalloc.c
//	vmap_area.go           the vmalloc address-space allocator                        mm/vmalloc.c (struct vmap_area, purge)
//	vmallocinfo.go         /proc/vmallocinfo, boot vm areas                           mm/vmalloc.c s_show
//	vfree.go               vfree and its misuse warnings                              mm/vmalloc.c vfree, __vunmap
//	printk.go              the printk ring buffer, dmesg, the boot banner             kernel/printk/printk.c
//	vsprintf.go            %p hashing                                                 lib/vsprintf.c ptr_to_id
//	panic.go               taint flags, dump_stack, panic, /proc/sys/kernel/tainted   kernel/panic.c, lib/dump_stack.c, kernel/sysctl.c
//	cmdline.go             the kernel build, /proc/version, /proc/cmdline             init/version.c, fs/proc/cmdline.c
//	cpu.go                 the CPUs: smpboot line, /proc/cpuinfo, /proc/stat          arch/x86/kernel/smpboot.c, arch/x86/kernel/cpu/proc.c, fs/proc/stat.c
//	regs.go                register dumps and Code: lines                             arch/x86/kernel/process_64.c __show_regs, dumpstack.c show_opcodes
//	report_bug.go          WARN() and BUG() splats                                    kernel/panic.c __warn, lib/bug.c report_bug
//	fault.go               kernel page faults, #GP, __die, oops_end                   arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c, traps.c
//	errno.go               error numbers and their texts                              include/uapi/asm-generic/errno-base.h, errno.h
//	module.go              module load/unload, taint                                  kernel/module/main.c
//	module_procfs.go       /proc/modules, lsmod, print_modules, kallsyms              kernel/module/procfs.c, kmod tools/lsmod.c
//	module_param.go        module parameters                                          kernel/params.c
//	module_boot.go         modules a Debian VM has loaded at login                    (boot state: Debian 12's initramfs and udev)
//	module_gone.go         what rmmod leaves behind, calls into freed code            (kscript's own checks; the Oops: arch/x86/mm/fault.c)
//	sched.go               tasks, current, the idle task                              kernel/sched/core.c, include/linux/sched.h
//	preempt.go             execution contexts, preempt_count                          include/linux/preempt.h
//	ctxframes.go           kernel frames around script code per context               arch/x86/kernel/dumpstack.c (what traces show)
//	might_sleep.go         might_sleep, scheduling while atomic                       kernel/sched/core.c __might_sleep, schedule_debug
//	locking.go             spinlocks and mutexes                                      kernel/locking/spinlock.c, mutex.c
//	lockup.go              soft lockups, hung tasks, NULL calls in context            kernel/watchdog.c, kernel/hung_task.c
//	softirq.go             softirqs, ksoftirqd, /proc/softirqs                        kernel/softirq.c, fs/proc/softirqs.c
//	tasklet.go             tasklets                                                   kernel/softirq.c (tasklet_*)
//	timer.go               timers, jiffies, the timer wheel                           kernel/time/timer.c
//	workqueue.go           work items, the system workqueue                           kernel/workqueue.c
//	irq.go                 interrupt lines and handlers, /proc/interrupts             kernel/irq/manage.c, kernel/irq/proc.c
//	deferred.go            when deferred work runs, what is pending                   (kscript's scheduling of kernel/softirq.c, timer.c, workqueue.c)
//	char_dev.go            char device regions, /proc/devices                         fs/char_dev.c, fs/proc/devices.c
//	cdev.go                struct cdev, chrdev_open                                   fs/char_dev.c
//	devices_boot.go        built-in char and block majors                             (boot state: Debian 12's drivers)
//	device.go              device classes, device_create                              drivers/base/class.c, drivers/base/core.c
//	misc.go                misc devices                                               drivers/char/misc.c
//	open.go                file_operations, open, close                               include/linux/fs.h, fs/open.c
//	read_write.go          read, write, lseek, ioctl                                  fs/read_write.c, fs/ioctl.c
//	vfs.go                 the small VFS: /dev nodes, permissions                     fs/namei.c, fs/stat.c
//	syscalls.go            system call entry for user programs                        arch/x86/entry/common.c, fs/open.c
//	task.go                user processes, fd tables                                  kernel/fork.c, fs/file.c
//	user_mm.go             user address spaces, VMAs, brk, mmap                       mm/mmap.c
//	uaccess.go             copy_{to,from}_user, get_user, put_user                    include/linux/uaccess.h, lib/usercopy.c
//	usercopy.go            hardened usercopy                                          mm/usercopy.c, include/linux/thread_info.h check_copy_size
//	usercopy_hooks.go      might_fault for user copies                                mm/memory.c __might_fault
//	usercopy_slab_hook.go  usercopy's view of slab objects                            mm/slub.c __check_heap_object
//	shell_cmds.go          mknod, chmod, rm, ls for the shell                         coreutils
//	shell_io.go            cat and echo > as real processes                           coreutils cat, bash redirections
//	procfs.go              the table of /proc files                                   fs/proc/*
//	kasan.go               KASAN shadow and checks                                    mm/kasan/generic.c, mm/kasan/common.c
//	kasan_report.go        KASAN reports                                              mm/kasan/report.c
//	kmemleak.go            kmemleak                                                   mm/kmemleak.c
//	dbg_hooks.go           the debugging facilities' hooks in the allocators          (the hook sites of mm/slub.c, page_alloc.c, vmalloc.c)
//	fault_inject.go        failslab, fail_page_alloc, fail_usercopy                   lib/fault-inject.c, mm/failslab.c
//	fault_spec.go          the --fail SPEC language                                   (kscript's own; cf. Documentation/fault-injection)
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
