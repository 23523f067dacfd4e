package kernelsim

import (
	"fmt"
	"strings"
	"testing"
)

// TestMachineIdentity checks what the machine says it is: /proc/cmdline,
// /proc/version and the boot lines of each build and boot parameter.
func TestMachineIdentity(t *testing.T) {
	const base = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=/dev/vda1 ro quiet"
	tests := []struct {
		name     string
		cfg      Config
		cmdline  string
		version  string // a part of /proc/version
		log, not []string
	}{
		{
			name: "debug build", cfg: Config{},
			cmdline: base + " kmemleak=on",
			version: "(kscript@debug-kasan-kmemleak-atomic_sleep)",
			log: []string{
				"Linux version 6.1.0-28-amd64 (kscript@debug-kasan-kmemleak-atomic_sleep) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
				"Command line: " + base + " kmemleak=on",
				"kasan: KernelAddressSanitizer initialized",
				"Kernel command line: " + base + " kmemleak=on",
				`Unknown kernel command line parameters "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64", will be passed to user space.`,
				"mem auto-init: stack:all(zero), heap alloc:on, heap free:off",
				"kmemleak: Kernel memory leak detector initialized (mem pool available: 15779)",
				"kmemleak: Automatic memory scanning thread started",
			},
		},
		{
			name: "stock build", cfg: Config{Stock: true},
			cmdline: base,
			version: "Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12",
			log:     []string{"Command line: " + base, "mem auto-init: stack:all(zero), heap alloc:on, heap free:off"},
			not:     []string{"kasan:", "kmemleak:", "NOTICE", "precedence"},
		},
		{
			name: "lecturer's parameters", cfg: Config{Cmdline: "kasan_multi_shot slub_debug=P init_on_alloc=0 foo bar=1"},
			cmdline: base + " kmemleak=on kasan_multi_shot slub_debug=P init_on_alloc=0 foo bar=1",
			version: "kscript@",
			log: []string{
				`Unknown kernel command line parameters "foo BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 bar=1", will be passed to user space.`,
				"mem auto-init: stack:all(zero), heap alloc:off, heap free:off",
				"** This system shows unhashed kernel memory addresses   **",
			},
			not: []string{"SLAB_POISON will take precedence"}, // init_on_alloc=0
		},
		{
			name: "slub_debug=P over Debian's init_on_alloc", cfg: Config{Stock: true, Cmdline: "slub_debug=P"},
			cmdline: base + " slub_debug=P",
			version: "debian-kernel@",
			log: []string{
				"Kernel command line: " + base + " slub_debug=P\nmem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free",
				"**********************************************************\n**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
				"**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **\n**********************************************************\nSLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1",
			},
		},
		{
			name: "kasan_multi_shot means nothing to a stock kernel", cfg: Config{Stock: true, Cmdline: "kasan_multi_shot"},
			cmdline: base + " kasan_multi_shot",
			version: "debian-kernel@",
			log:     []string{`Unknown kernel command line parameters "kasan_multi_shot BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64", will be passed to user space.`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := k.ReadProc("/proc/cmdline"); got != tt.cmdline+"\n" {
				t.Errorf("/proc/cmdline = %q, want %q", got, tt.cmdline)
			}
			if got, _ := k.ReadProc("/proc/version"); !strings.Contains(got, tt.version) || !strings.HasSuffix(got, "(2024-11-22)\n") {
				t.Errorf("/proc/version = %q, want it to contain %q", got, tt.version)
			}
			var log strings.Builder
			for _, r := range k.Log() {
				log.WriteString(r.Text + "\n")
			}
			for _, l := range tt.log {
				if !strings.Contains(log.String(), l+"\n") {
					t.Errorf("boot log lacks %q:\n%s", l, log.String())
				}
			}
			for _, l := range tt.not {
				if strings.Contains(log.String(), l) {
					t.Errorf("boot log has %q:\n%s", l, log.String())
				}
			}
		})
	}
}

// TestBadCmdline checks that a malformed boot parameter is an error that
// names it, before anything boots.
func TestBadCmdline(t *testing.T) {
	for _, tc := range []struct{ cmdline, want string }{
		{"init_on_alloc=maybe", "cmdline: init_on_alloc=maybe: want 0 or 1"},
		{"slub_debug=Q", `cmdline: slub_debug=Q: unknown flag 'Q'`},
		{"slub_debug=P,kmalloc-128", "cmdline: slub_debug=P,kmalloc-128: kscript applies slub_debug to every cache"},
		{"kmemleak=maybe", "cmdline: kmemleak=maybe: want on or off"},
	} {
		_, err := New(Config{Cmdline: tc.cmdline})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.cmdline, err, tc.want)
		}
		if err2 := CheckConfig(Config{Cmdline: tc.cmdline}); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: CheckConfig = %v, New = %v", tc.cmdline, err2, err)
		}
	}
}

// TestSlubDebugPoisonGeometry checks that slub_debug=P gives every cache
// SLAB_POISON, which moves the free pointer out of the object as
// calculate_sizes() does; create_boot_cache() keeps a power-of-two kmalloc
// cache naturally aligned, so kmalloc-128's objects take 256 bytes.
func TestSlubDebugPoisonGeometry(t *testing.T) {
	k, err := New(Config{Cmdline: "slub_debug=P"})
	if err != nil {
		t.Fatal(err)
	}
	s := k.FindCache("kmalloc-128")
	if s.flags&SlabPoison == 0 || s.size != 256 {
		t.Errorf("kmalloc-128 flags %#x size %d, want SLAB_POISON and 256", uint32(s.flags), s.size)
	}
}

// TestStockBuild checks that the stock build has none of the debug build's
// reports: a slab out-of-bounds write and a GFP_KERNEL allocation under a
// spinlock pass silently, as on Debian's kernel as shipped.
func TestStockBuild(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		wants []string // report classes
	}{
		{"debug", Config{Seed: 42}, []string{"slab-out-of-bounds", "sleeping-in-atomic"}},
		{"stock", Config{Seed: 42, Stock: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessCfg(t, tc.cfg)
			h.must(runnerNamed(t, "spinlock").run(h, func() error {
				p := h.k.Kmalloc(100, GFP_ATOMIC)
				_ = h.k.WriteMem(p+100, []byte{1})
				h.k.MightAlloc(GFP_KERNEL, "__kmem_cache_alloc_node+0x15d/0x2b0", "kmalloc_trace+0x26/0x90")
				return h.k.Kfree(p)
			}))
			if got := h.classes(); fmt.Sprint(got) != fmt.Sprint(tc.wants) {
				t.Errorf("reports %v, want %v", got, tc.wants)
			}
		})
	}
}
