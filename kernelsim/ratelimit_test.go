package kernelsim

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestWarnAllocRatelimit pins warn_alloc()'s nopage_rs (10*HZ, burst 1): the
// reference machine's second allocation failure printed nothing, and the
// first report after the interval says how many were suppressed.
func TestWarnAllocRatelimit(t *testing.T) {
	k := bootTest(t, Config{Seed: 2})
	k.Pressure(200)
	fail := func() string {
		t.Helper()
		seq := k.NextSeq()
		if _, ok := k.AllocPages(GFP_NOWAIT, 0); ok {
			t.Fatal("allocation succeeded under full pressure")
		}
		return logSince(k, seq)
	}
	steps := []struct {
		name    string
		advance uint64 // ns before the failure
		want    string // first line, "" when silent
	}{
		{"first failure reports", 0, "swapper/0: page allocation failure: order:0, "},
		{"second within 10 s is silent", 1_000_000_000, ""},
		{"third, exactly 10 s after the first, still silent", 9_000_000_000, ""},
		{"after the interval: suppressed count, then the report", tickNSec, "warn_alloc: 2 callbacks suppressed"},
		{"and silent again", tickNSec, ""},
	}
	for _, s := range steps {
		k.Advance(s.advance)
		log := fail()
		first, _, _ := strings.Cut(log, "\n")
		if s.want == "" && log != "" || !strings.HasPrefix(first, s.want) {
			t.Errorf("%s: got\n%s", s.name, log)
		}
	}
	if n := len(k.Reports()); n != 2 {
		t.Errorf("%d reports, want 2 (suppressed failures are not reports)", n)
	}
}

// TestMemInfoCountersAgree pins show_mem's kernel_stack, pagetables and slab
// counters to the ones /proc/meminfo prints: the kernel has one set.
func TestMemInfoCountersAgree(t *testing.T) {
	k := bootTest(t, Config{Seed: 2})
	meminfo, _ := k.ReadProc("/proc/meminfo")
	kb := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `:\s+(\d+) kB$`).FindStringSubmatch(meminfo)
		if m == nil {
			t.Fatalf("/proc/meminfo has no %s", name)
		}
		return m[1]
	}
	k.Pressure(200)
	seq := k.NextSeq()
	k.AllocPages(GFP_NOWAIT, 0)
	log := logSince(k, seq)
	pages := func(kbs string) string { // meminfo kB -> pages
		n := 0
		for _, c := range kbs {
			n = n*10 + int(c-'0')
		}
		return strconv.Itoa(n / 4)
	}
	for _, want := range []string{
		" kernel_stack:" + kb("KernelStack") + "kB ",
		" pagetables:" + kb("PageTables") + "kB ",
		" pagetables:" + pages(kb("PageTables")) + "\n",
		" slab_unreclaimable:" + pages(kb("SUnreclaim")) + "\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("Mem-Info lacks %q", want)
		}
	}
	// Both come from the CPU's 1 GiB pages (pdpe1gb): one without the
	// other is a machine that cannot exist.
	for _, want := range []string{"hugepages_size=1048576kB", "hugepages_size=2048kB"} {
		if !strings.Contains(log, want) {
			t.Errorf("Mem-Info lacks %q", want)
		}
	}
	if !strings.Contains(meminfo, "\nDirectMap1G:           0 kB\n") {
		t.Errorf("/proc/meminfo of 512 MiB lacks DirectMap1G 0 kB:\n%s", meminfo)
	}
}

// TestStatThreshold pins calculate_normal_threshold() for 2 CPUs.
func TestStatThreshold(t *testing.T) {
	for _, tc := range []struct {
		managedMiB uint64
		want       int
	}{
		{15, 4},       // DMA: less than one 128 MiB unit, fls(0) = 0
		{490, 12},     // 512 MiB machine's DMA32: 3 units, fls 2
		{3900, 24},    // 30 units, fls 5
		{16000, 32},   // 125 units, fls 7
		{1 << 24, 76}, // 2^17 units, fls 18
	} {
		if got := statThreshold(tc.managedMiB << 20 >> PageShift); got != tc.want {
			t.Errorf("%d MiB: %d, want %d", tc.managedMiB, got, tc.want)
		}
	}
}

// withoutSites drops the script lines from pending work, for tests that
// compare what is pending, not where it was set up.
func withoutSites(ps []Pending) []Pending {
	for i := range ps {
		ps[i].Site = Frame{}
	}
	return ps
}
