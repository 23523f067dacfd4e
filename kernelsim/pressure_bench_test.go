package kernelsim

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"
)

// BenchmarkPressure200 is lesson 03's `pressure 200` and `pressure 0` on
// the default machine: every free page of ZONE_NORMAL and ZONE_DMA32 taken
// one at a time, then given back.
func BenchmarkPressure200(b *testing.B) {
	k, err := New(Config{RAM: 512 << 20})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		k.Pressure(200)
		k.ReleasePressure()
	}
}

// TestPressureBulkSameAsOneByOne: Pressure takes whole free blocks at once
// when it can (pressureZone), and ReleasePressure frees pages through
// freePage0; with a buddy observer set Pressure takes every page on its
// own, as __rmqueue_smallest would, and ReleasePressure frees them through
// the general freeToBuddy. Both leave the same machine:
// page structs, free lists, LRU and counters, and the same transcript line,
// from a fresh boot, after a module's allocations and frees, after
// Fragment, and at every pressure level.
func TestPressureBulkSameAsOneByOne(t *testing.T) {
	type prep func(k *Kernel)
	churn := func(k *Kernel) {
		var kept []PFN
		for i := 0; i < 300; i++ {
			if pfn, ok := k.AllocPages(GFP_KERNEL, i%5); ok {
				if i%3 == 0 {
					kept = append(kept, pfn)
				} else if err := k.FreePages(pfn, i%5); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i, pfn := range kept {
			if i%2 == 0 {
				if err := k.FreePages(pfn, (i*3)%5); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, cfg := range []Config{
		{RAM: 512 << 20}, {RAM: 512 << 20, Seed: 7, NoPCP: true}, {RAM: 4608 << 20, Seed: 3},
		{RAM: 256 << 20, Seed: 11, Stock: true},
	} {
		for name, before := range map[string]prep{
			"boot":     func(*Kernel) {},
			"churn":    churn,
			"fragment": func(k *Kernel) { k.Fragment() },
			"twice":    func(k *Kernel) { k.Pressure(40) },
		} {
			for _, pct := range []int{1, 100, 200} {
				k1, k2 := bootTest(t, cfg), bootTest(t, cfg)
				before(k1)
				before(k2)
				k2.SetBuddyObserver(func(BuddyEvent) {})
				s1, s2 := k1.Pressure(pct), k2.Pressure(pct)
				k2.SetBuddyObserver(nil)
				if s1 != s2 {
					t.Fatalf("%+v %s %d%%: %q, one by one %q", cfg, name, pct, s1, s2)
				}
				if d := buddyStateDiff(k1, k2); d != "" {
					t.Fatalf("%+v %s %d%%: machines differ: %s", cfg, name, pct, d)
				}
				k2.SetBuddyObserver(func(BuddyEvent) {})
				r1, r2 := k1.ReleasePressure(), k2.ReleasePressure()
				k2.SetBuddyObserver(nil)
				if r1 != r2 {
					t.Fatalf("%+v %s %d%%: released %q, one by one %q", cfg, name, pct, r1, r2)
				}
				if d := buddyStateDiff(k1, k2); d != "" {
					t.Fatalf("%+v %s %d%%: machines differ after ReleasePressure: %s", cfg, name, pct, d)
				}
			}
		}
	}
}

// buddyStateDiff says how two kernels' page allocator state differs: page
// structs, top-order blocks, free lists, per-CPU lists, LRUs, the pages
// pressure holds and the counters; "" when it does not.
func buddyStateDiff(k1, k2 *Kernel) string {
	m1, m2 := &k1.mem, &k2.mem
	if len(m1.sections) != len(m2.sections) {
		return "section count"
	}
	for i := range m1.sections {
		s1, s2 := m1.sections[i], m2.sections[i]
		if (s1 == nil) != (s2 == nil) || s1 != nil && *s1 != *s2 {
			return fmt.Sprintf("section %d's page structs", i)
		}
	}
	switch {
	case !slices.Equal(m1.top, m2.top):
		return "top-order blocks"
	case !slices.Equal(m1.pressure, m2.pressure):
		return "pressure pages"
	case m1.nrAnon != m2.nrAnon, m1.nrFilePages != m2.nrFilePages:
		return "counters"
	}
	for i := range k1.zones.z {
		z1, z2 := &k1.zones.z[i], &k2.zones.z[i]
		switch {
		case z1.freeArea != z2.freeArea:
			return fmt.Sprintf("zone %d's free lists", i)
		case z1.nrFree != z2.nrFree, z1.anon != z2.anon, z1.pcp != z2.pcp:
			return fmt.Sprintf("zone %d's counters", i)
		case !slices.Equal(z1.lru.pfns[z1.lru.head:], z2.lru.pfns[z2.lru.head:]):
			return fmt.Sprintf("zone %d's LRU", i)
		}
	}
	return ""
}

// TestFreePathsSameWithObserver: a machine's page allocator ends in the
// same state whether its frees take the fast paths (freePage0 from the
// per-CPU drains and ReleasePressure, Pressure's whole blocks) or, under a
// buddy observer, the general ones: allocations and frees of orders 0 to 4
// in a seeded order, per-CPU lists on and off, with pressure on and off
// between them.
func TestFreePathsSameWithObserver(t *testing.T) {
	for _, cfg := range []Config{{RAM: 512 << 20, Seed: 3}, {RAM: 512 << 20, Seed: 4, NoPCP: true}} {
		k1, k2 := bootTest(t, cfg), bootTest(t, cfg)
		k2.SetBuddyObserver(func(BuddyEvent) {})
		for _, k := range []*Kernel{k1, k2} {
			type block struct {
				pfn   PFN
				order int
			}
			var live []block
			x := uint32(12345)
			for i := 0; i < 20000; i++ {
				x = x*1103515245 + 12345
				switch {
				case i%5000 == 2500:
					k.Pressure(int(x>>8) % 150)
				case i%5000 == 4000:
					k.ReleasePressure()
				case x>>16%3 != 0 || len(live) == 0:
					order := int(x>>20) % 5
					if order > 1 && x>>8%4 != 0 {
						order = 0
					}
					if pfn, ok := k.AllocPages(GFP_KERNEL|GFPNoWarn, order); ok {
						live = append(live, block{pfn, order})
					}
				default:
					j := int(x>>12) % len(live)
					if err := k.FreePages(live[j].pfn, live[j].order); err != nil {
						t.Fatal(err)
					}
					live[j] = live[len(live)-1]
					live = live[:len(live)-1]
				}
			}
		}
		k2.SetBuddyObserver(nil)
		if d := buddyStateDiff(k1, k2); d != "" {
			t.Fatalf("%+v: machines differ: %s", cfg, d)
		}
	}
}

// TestPressurePrefault: with a prefault hook set, Pressure announces the
// page structs it will write (at pressure 200 those of each zone's whole
// span: it takes a quarter of the zone or more) and the lists it grows,
// and leaves the machine as without the hook.
func TestPressurePrefault(t *testing.T) {
	for _, cfg := range []Config{{RAM: 512 << 20}, {RAM: 4608 << 20, Seed: 3}} {
		k1, k2 := bootTest(t, cfg), bootTest(t, cfg)
		var calls int
		var bytes uintptr
		k2.SetPrefault(func(p unsafe.Pointer, n uintptr) {
			calls++
			bytes += n
			if p == nil || n == 0 {
				t.Fatalf("%+v: prefault(%p, %d)", cfg, p, n)
			}
		})
		s1, s2 := k1.Pressure(200), k2.Pressure(200)
		if s1 != s2 {
			t.Fatalf("%+v: %q, with the hook %q", cfg, s1, s2)
		}
		if d := buddyStateDiff(k1, k2); d != "" {
			t.Fatalf("%+v: machines differ: %s", cfg, d)
		}
		// 16 bytes of page struct a frame of the zones' spans, and the
		// lists: a frame number for each page taken, with room to spare.
		var spanned uint64
		for i := range k2.zones.z {
			spanned += k2.zones.z[i].spanned
		}
		if taken := k2.mem.totalram - k2.nrFreePages(); calls < 2 || bytes < uintptr(len(k2.mem.pressure))*4 || bytes > uintptr(spanned)*16+uintptr(taken)*24 {
			t.Errorf("%+v: %d calls announced %d bytes for %d pressure pages", cfg, calls, bytes, len(k2.mem.pressure))
		}
		k2.SetPrefault(nil)
		if r1, r2 := k1.ReleasePressure(), k2.ReleasePressure(); r1 != r2 {
			t.Fatalf("%+v: released %q, with the hook %q", cfg, r1, r2)
		}
		if d := buddyStateDiff(k1, k2); d != "" {
			t.Fatalf("%+v: machines differ after ReleasePressure: %s", cfg, d)
		}
	}
}

// TestFragmentPrefault: with a prefault hook set, Fragment announces the
// page structs of the zones it fragments (the flat mem_map of the default
// machine: 16 bytes a frame) and leaves the machine as without the hook.
func TestFragmentPrefault(t *testing.T) {
	cfg := Config{RAM: 512 << 20}
	k1, k2 := bootTest(t, cfg), bootTest(t, cfg)
	var bytes uintptr
	k2.SetPrefault(func(p unsafe.Pointer, n uintptr) { bytes += n })
	if s1, s2 := k1.Fragment(), k2.Fragment(); s1 != s2 {
		t.Fatalf("%q, with the hook %q", s1, s2)
	}
	if d := buddyStateDiff(k1, k2); d != "" {
		t.Fatalf("machines differ: %s", d)
	}
	var managed uint64
	for i := range k2.zones.z {
		managed += uint64(k2.zones.z[i].managed)
	}
	if bytes < uintptr(managed)*16 {
		t.Errorf("announced %d bytes for %d managed frames", bytes, managed)
	}
}
