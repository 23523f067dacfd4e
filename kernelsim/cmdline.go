package kernelsim

import (
	"fmt"
	"strings"
)

// Which kernel is this? The simulated machine is Debian 12's 6.1 kernel,
// in one of two builds (Config.Stock):
//
//   - the debug build (the default): Debian's 6.1.0-28-amd64 configuration
//     rebuilt with the debugging facilities a kernel course relies on:
//     CONFIG_KASAN (generic), CONFIG_DEBUG_KMEMLEAK and
//     CONFIG_DEBUG_ATOMIC_SLEEP. KASAN checks every free, so SLUB's own
//     free checks (which need slub_debug=F, on either build) never see a
//     double or invalid free there. Its banner (/proc/version, the
//     first line of dmesg) names them in the builder's host field, its boot
//     log has the lines those options print, and its command line carries
//     kmemleak=on;
//   - the stock build: Debian's kernel as shipped. None of the reports
//     above exist; a naive double free hits SLAB_FREELIST_HARDENED's
//     BUG_ON in set_freepointer(), as on a real Debian machine.
//
// Both builds boot with Debian's defaults: init_on_alloc=1 (kmalloc and
// alloc_pages memory reads zero), per-CPU page lists, no slub_debug, KASAN
// single-shot. Config.Cmdline adds boot parameters as a lecturer would on
// the GRUB line; parseCmdline mirrors the early_param()/__setup() handlers
// of the ones kscript simulates and, like init/main.c, passes the others on
// to user space with a notice.

// bootParams are the boot-time switches: the build's options and what the
// command line set.
type bootParams struct {
	// The build's debugging facilities (the debug build has them all).
	kasan, kmemleak, mightSleep bool
	// kasanMultiShot mirrors kasan_multi_shot (mm/kasan/report.c): every
	// KASAN report is printed, not only the first one.
	kasanMultiShot bool
	// initOnAlloc mirrors init_on_alloc= (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y
	// on Debian): page and slab allocations come back zeroed.
	initOnAlloc bool
	// slubPoison mirrors slub_debug=P: every cache gets SLAB_POISON.
	slubPoison bool
	// slubDebug is the slub_debug= value as given ("" when absent).
	slubDebug string
	// noHashPointers mirrors no_hash_pointers (lib/vsprintf.c): %p and
	// %pK print addresses, not hashes. kmem_cache_init() turns it on when
	// slub_debug enabled any debug flag, so that SLUB's reports show real
	// addresses, and says so in a banner.
	noHashPointers bool
	// cmdline is /proc/cmdline without its newline.
	cmdline string
	// unknown are the parameters passed on to user space.
	unknown []string
}

// baseCmdline is Debian's GRUB command line on the simulated VM.
const baseCmdline = "BOOT_IMAGE=/boot/vmlinuz-" + utsRelease + " root=/dev/vda1 ro quiet"

// debugBuilder is the debug build's "user@host" in the banner: whoever
// rebuilds Debian's kernel puts their own name there, and kscript's names
// the options it was built with.
const (
	stockBuilder = "debian-kernel@lists.debian.org"
	debugBuilder = "kscript@debug-kasan-kmemleak-atomic_sleep"
)

// parseCmdline sets k.boot from the build and Config.Cmdline, as
// parse_early_param() and parse_args() run the parameters' handlers.
func (k *Kernel) parseCmdline() error {
	b := &k.boot
	debug := !k.cfg.Stock
	b.kasan, b.kmemleak, b.mightSleep = debug, debug, debug
	k.dbg.kasan.off = !b.kasan // no shadow memory: no KASAN reports, no quarantine
	b.initOnAlloc = true
	b.cmdline = baseCmdline
	if debug {
		b.cmdline += " kmemleak=on"
	}
	for _, p := range strings.Fields(k.cfg.Cmdline) {
		if err := k.bootParam(p); err != nil {
			return fmt.Errorf("cmdline: %s: %v", p, err)
		}
		b.cmdline += " " + p
	}
	return nil
}

// bootParam runs one parameter's handler.
func (k *Kernel) bootParam(p string) error {
	b := &k.boot
	name, val, hasVal := strings.Cut(p, "=")
	switch {
	case name == "init_on_alloc" && hasVal:
		on, ok := kstrtobool(val) // module_param_named(init_on_alloc, ..., bool)
		if !ok {
			return fmt.Errorf("want 0 or 1")
		}
		b.initOnAlloc = on
	case name == "slub_debug":
		return b.setupSlubDebug(val, hasVal)
	case name == "kasan_multi_shot" && b.kasan && !hasVal:
		b.kasanMultiShot = true
	case name == "kmemleak" && b.kmemleak && hasVal:
		// kmemleak_boot_config(): "off" disables it, "on" is the default here.
		switch val {
		case "on":
		case "off":
			b.kmemleak = false
		default:
			return fmt.Errorf("want on or off")
		}
	default:
		b.unknown = append(b.unknown, p)
	}
	return nil
}

// setupSlubDebug mirrors setup_slub_debug() for a global flag set:
// "slub_debug" alone turns on every check (FZPU); kscript simulates the
// poisoning (P) and the free checks (F: SLAB_CONSISTENCY_CHECKS,
// slabFreeChecked), and accepts the other letters without simulating them.
func (b *bootParams) setupSlubDebug(val string, hasVal bool) error {
	if !hasVal || val == "" {
		val = "FZPU"
	}
	if strings.ContainsRune(val, ',') {
		return fmt.Errorf("kscript applies slub_debug to every cache: give flags only, e.g. slub_debug=P")
	}
	for _, c := range val {
		switch c {
		case 'P', 'p':
			b.slubPoison = true
			b.noHashPointers = true
		case 'F', 'f', 'Z', 'z', 'U', 'u', 'T', 't', 'A', 'a':
			b.noHashPointers = true // a flag in slub_debug: __slub_debug_enabled()
		case 'O', 'o', '-':
		default:
			return fmt.Errorf("unknown flag %q: want letters of FZPUTAO or -", c)
		}
	}
	b.slubDebug = val
	return nil
}

// linuxBanner mirrors linux_banner (init/version.c): /proc/version and the
// first line of the boot log.
func (k *Kernel) linuxBanner() string {
	builder := debugBuilder
	if k.cfg.Stock {
		builder = stockBuilder
	}
	return fmt.Sprintf("Linux version %s (%s) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) %s",
		utsRelease, builder, utsVersion)
}

// procVersion mirrors fs/proc/version.c.
func (k *Kernel) procVersion() string { return k.linuxBanner() + "\n" }

// procCmdline mirrors fs/proc/cmdline.c: saved_command_line.
func (k *Kernel) procCmdline() string { return k.boot.cmdline + "\n" }

// kasanInitLog mirrors kasan_init()'s line, printed from setup_arch()
// after the zone ranges.
func (k *Kernel) kasanInitLog() {
	if k.boot.kasan {
		k.printk(LogInfo, "kasan: KernelAddressSanitizer initialized\n")
	}
}

// bootCmdlineLog prints start_kernel()'s "Kernel command line" and the
// parameters passed on to init (print_unknown_bootoptions), then mm_init()'s
// report_meminit(), just before mem_init()'s "Memory:" line.
func (k *Kernel) bootCmdlineLog() {
	k.printk(LogNotice, "Kernel command line: %s\n", k.boot.cmdline)
	if k.boot.slubPoison && k.boot.initOnAlloc { // setup_slub_debug(), a __setup handler run by parse_args()
		k.printk(LogInfo, "mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free\n")
	}
	k.printk(LogNotice, "Unknown kernel command line parameters \"%s\", will be passed to user space.\n",
		strings.Join(k.unknownBootOptions(), " "))
	heap := "off"
	if k.boot.initOnAlloc {
		heap = "on"
	}
	k.printk(LogInfo, "mem auto-init: stack:all(zero), heap alloc:%s, heap free:off\n", heap)
}

// kmemleakLateInit mirrors kmemleak_late_init(), a late initcall: its
// lines come shortly before the initrd and init memory are freed.
func (k *Kernel) kmemleakLateInit() {
	if k.boot.kmemleak {
		k.printk(LogInfo, "kmemleak: Kernel memory leak detector initialized (mem pool available: 15779)\n")
		k.kmemleakStartThread(kmemleakFirstScanSec * nsPerSec)
	}
}

// unknownBootOptions mirrors print_unknown_bootoptions(): the parameters
// no handler took, those without a value first (init's argv), then those
// with one (init's environment: GRUB's BOOT_IMAGE, on every Debian boot).
func (k *Kernel) unknownBootOptions() []string {
	var argv, envp []string
	envp = append(envp, "BOOT_IMAGE=/boot/vmlinuz-"+utsRelease)
	for _, p := range k.boot.unknown {
		if strings.Contains(p, "=") {
			envp = append(envp, p)
		} else {
			argv = append(argv, p)
		}
	}
	return append(argv, envp...)
}

// KernelBuild describes the simulated build for kscript's own messages:
// "debug" or "stock".
func (k *Kernel) KernelBuild() string {
	if k.cfg.Stock {
		return "stock"
	}
	return "debug"
}

// Cmdline returns the kernel command line (/proc/cmdline).
func (k *Kernel) Cmdline() string { return k.boot.cmdline }

// noHashPointersBanner mirrors no_hash_pointers_enable()'s warning, which
// kmem_cache_init() prints (before its "SLUB: HWalign" line) when
// slub_debug turned SLUB's debugging on: from then on %p prints addresses.
func (k *Kernel) noHashPointersBanner() {
	if !k.boot.noHashPointers {
		return
	}
	for _, l := range []string{
		"**********************************************************",
		"**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
		"**                                                      **",
		"** This system shows unhashed kernel memory addresses   **",
		"** via the console, logs, and other interfaces. This    **",
		"** might reduce the security of your system.            **",
		"**                                                      **",
		"** If you see this message and you are not debugging    **",
		"** the kernel, report this immediately to your system   **",
		"** administrator!                                       **",
		"**                                                      **",
		"**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
		"**********************************************************",
	} {
		k.printk(LogWarning, "%s\n", l)
	}
}

// kmemCacheFlags mirrors kmem_cache_flags(): slub_debug=P adds SLAB_POISON
// to every cache created after the command line is parsed, the kmalloc
// caches included. On a KASAN kernel it also adds SLAB_KASAN, which Linux's
// kasan_cache_create() sets from calculate_sizes() for every cache (the
// same caches, the same layout: kasanCacheCreate).
func (k *Kernel) kmemCacheFlags(flags SlabFlags) SlabFlags {
	if k.boot.slubPoison {
		flags |= SlabPoison
	}
	if k.boot.kasan {
		flags |= SlabKASAN
	}
	return flags
}

// CheckConfig reports whether cfg's RAM size and boot parameters are
// acceptable, without booting:
// for a CLI's flag checks.
func CheckConfig(cfg Config) error {
	if cfg.RAM != 0 {
		if err := checkRAM(cfg.RAM); err != nil {
			return err
		}
	}
	k := &Kernel{cfg: cfg}
	return k.parseCmdline()
}

// oopsFlags mirrors the build's part of __die_header()'s line
// (arch/x86/kernel/dumpstack.c): "PREEMPT SMP", then " KASAN" on a KASAN
// kernel, then " NOPTI" (QEMU's CPU needs no page-table isolation).
func (k *Kernel) oopsFlags() string {
	if k.boot.kasan {
		return "PREEMPT SMP KASAN NOPTI"
	}
	return "PREEMPT SMP NOPTI"
}
