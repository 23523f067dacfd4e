package kernelsim

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

var buddyinfoLine = regexp.MustCompile(`^Node 0, zone [ A-Za-z0-9]{8} ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) ( {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,}) $`)

func TestBuddyinfoLayout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ram   uint64
		zones []string
	}{
		{"512M", 512 << 20, []string{"DMA", "DMA32"}},
		{"8G", 8 << 30, []string{"DMA", "DMA32", "Normal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{RAM: tc.ram, Seed: 1})
			text := k.procBuddyinfo()
			lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			if len(lines) != len(tc.zones) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.zones), text)
			}
			for i, l := range lines {
				if !buddyinfoLine.MatchString(l) {
					t.Errorf("line %q does not match the kernel's layout", l)
				}
				if want := "Node 0, zone " + strings.Repeat(" ", 8-len(tc.zones[i])) + tc.zones[i] + " "; !strings.HasPrefix(l, want) {
					t.Errorf("line %q, want prefix %q", l, want)
				}
			}
		})
	}
	t.Run("exact", func(t *testing.T) {
		k := bootTest(t, Config{Seed: 1})
		z := &k.zones.z[ZoneDMA]
		want := "Node 0, zone      DMA "
		for o := 0; o < MaxOrder; o++ {
			want += strings.Repeat(" ", 6-len(itoa(z.freeArea[o].NrFree))) + itoa(z.freeArea[o].NrFree) + " "
		}
		if got, _, _ := strings.Cut(k.procBuddyinfo(), "\n"); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

var meminfoKB = regexp.MustCompile(`^[A-Za-z0-9_()]+: +\d+ kB$`)

func TestMeminfoLayout(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	text := k.procMeminfo()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	wantOrder := []string{"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
		"Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal", "SwapFree",
		"Zswap", "Zswapped", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable",
		"SUnreclaim", "KernelStack", "PageTables", "SecPageTables", "NFS_Unstable", "Bounce", "WritebackTmp", "CommitLimit",
		"Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu", "HardwareCorrupted", "AnonHugePages",
		"ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped", "HugePages_Total", "HugePages_Free",
		"HugePages_Rsvd", "HugePages_Surp", "Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M", "DirectMap1G"}
	if len(lines) != len(wantOrder) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wantOrder), text)
	}
	for i, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		if name != wantOrder[i] {
			t.Errorf("line %d is %q, want %s", i, l, wantOrder[i])
		}
		if strings.HasPrefix(name, "HugePages_") {
			continue
		}
		if !meminfoKB.MatchString(l) || (len(l) != 27 && !strings.HasPrefix(l, "VmallocTotal")) {
			t.Errorf("line %q not in %%-16s%%8lu kB layout", l)
		}
	}
	if lines[0] != "MemTotal:       "+pad8(k.mem.totalram*4)+" kB" {
		t.Errorf("MemTotal line %q", lines[0])
	}
	if lines[35] != "VmallocTotal:   34359738367 kB" {
		t.Errorf("VmallocTotal line %q", lines[35])
	}
	// A small Debian VM: MemTotal a little under the RAM, most of it free.
	total, free := k.mem.totalram*4, k.nrFreePages()*4
	if total < 440_000 || total > 480_000 || free < total/3 || free > total*3/4 {
		t.Errorf("MemTotal %d kB, MemFree %d kB: not a booted 512M VM", total, free)
	}
}

func pad8(n int64) string {
	s := itoa(uint64(n))
	return strings.Repeat(" ", 8-len(s)) + s
}

func TestMeminfoCounters(t *testing.T) {
	k := bootTest(t, Config{Seed: 1, NoPCP: true})
	field := func(name string) string {
		for _, l := range strings.Split(k.procMeminfo(), "\n") {
			if n, v, ok := strings.Cut(l, ":"); ok && n == name {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	slab, vm := field("SUnreclaim"), field("VmallocUsed")
	k.mem.nrSlabUnreclaimable += 10
	k.mem.nrVmallocPages += 3
	if got := field("SUnreclaim"); got == slab {
		t.Errorf("SUnreclaim did not follow nrSlabUnreclaimable: %s", got)
	}
	if got, want := field("VmallocUsed"), fmt.Sprintf("%d kB", (k.mem.nrVmallocPages)*4); got != want || vm == got {
		t.Errorf("VmallocUsed %s (was %s), want %s", got, vm, want)
	}
	pfn, _ := k.AllocPages(GFP_KERNEL, 2)
	free := field("MemFree")
	k.FreePages(pfn, 2)
	if got := field("MemFree"); got == free {
		t.Errorf("MemFree did not change after a free")
	}
}

func TestZoneinfo(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	text := k.procZoneinfo()
	z := &k.zones.z[ZoneDMA32]
	for _, want := range []string{
		"Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon ",
		"Node 0, zone    DMA32\n  pages free     " + itoa(uint64(z.nrFree)) + "\n        boost    0\n        min      " + itoa(z.watermark[wmarkMin]) + "\n",
		"\n        protection: (0, 0, 0, 0, 0)\n      nr_free_pages " + itoa(uint64(z.nrFree)) + "\n",
		"\n  pagesets\n    cpu: 0\n              count: 0\n              high:  ",
		"\n  vm stats threshold: ",
		"\n  node_unreclaimable:  0\n  start_pfn:           4096\n",
		"Node 0, zone   Normal\n  pages free     0\n",
		"Node 0, zone  Movable\n",
		"Node 0, zone   Device\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n        protection: (0, 0, 0, 0, 0)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("zoneinfo lacks %q", want)
		}
	}
	if !strings.HasSuffix(text, "protection: (0, 0, 0, 0, 0)\n") {
		t.Errorf("zoneinfo should end with the empty Device zone")
	}
	if pt := k.procPagetypeinfo(); !strings.HasPrefix(pt, "Page block order: 9\nPages per block:  512\n\nFree pages count per migrate type at order       0      1") {
		t.Errorf("pagetypeinfo header:\n%s", pt)
	}
}

func TestFreeCommand(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	lines := strings.Split(k.FreeCommand(), "\n")
	if lines[0] != "               total        used        free      shared  buff/cache   available" {
		t.Errorf("header %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "Mem:") || len(lines[1]) != len(lines[0]) {
		t.Errorf("Mem line %q not aligned with the header", lines[1])
	}
	if lines[2] != "Swap:              0           0           0" {
		t.Errorf("Swap line %q", lines[2])
	}
}

func TestBootLog(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	log := logSince(k, 0)
	for _, want := range []string{
		"Zone ranges:\n  DMA      [mem 0x0000000000001000-0x0000000000ffffff]\n  DMA32    [mem 0x0000000001000000-0x000000001ffdffff]\n  Normal   empty\n  Device   empty\n",
		"Early memory node ranges\n  node   0: [mem 0x0000000000001000-0x000000000009efff]\n  node   0: [mem 0x0000000000100000-0x000000001ffdffff]\n",
		"Memory: ",
		"K/523768K available (14336K kernel code, ",
		"Freeing unused kernel image (initmem) memory: 2800K\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("boot log lacks %q:\n%s", want, log)
		}
	}
}

// TestBigMachineCost boots a 16 GiB machine and bounds the Go heap it
// takes: mem_map and contents are allocated lazily.
func TestBigMachineCost(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k := bootTest(t, Config{RAM: 16 << 30, Seed: 1})
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if heap > 24<<20 {
		t.Errorf("a 16G machine takes %d MiB of Go heap, want at most 24", heap>>20)
	}
	if k.mem.totalram*4 < 15_500_000 {
		t.Errorf("MemTotal %d kB", k.mem.totalram*4)
	}
	runtime.KeepAlive(k)
}

// TestPageStructSize pins the per-frame metadata at 16 bytes.
func TestPageStructSize(t *testing.T) {
	if got := unsafe.Sizeof(page{}); got != 16 {
		t.Errorf("page struct is %d bytes, want 16", got)
	}
}
