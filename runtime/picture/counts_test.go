package picture_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/picture"
	"kscript.dev/kscript/runtime/scenario"
)

// procReader records, after every step, what /proc/meminfo and
// /proc/buddyinfo say, beside the picture recorder's snapshot of the same
// moment: two independent readings of one state.
type procReader struct {
	picture.Recorder
	meminfo, buddyinfo []string
}

func (p *procReader) AfterStep(i int, run, out string, k *kernelsim.Kernel) {
	p.Recorder.AfterStep(i, run, out, k)
	m, _ := k.ReadProc("/proc/meminfo")
	b, _ := k.ReadProc("/proc/buddyinfo")
	p.meminfo, p.buddyinfo = append(p.meminfo, m), append(p.buddyinfo, b)
}

// runRecorded runs a lesson with a recorder.
func runRecorded(t *testing.T, star string, opts kruntime.Options) *procReader {
	t.Helper()
	src, err := os.ReadFile(star)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lesson.Load(strings.TrimSuffix(star, ".star") + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	rec := &procReader{}
	if _, err := scenario.Run(scenario.Config{Options: opts, Observer: rec}, scenario.Input{Script: star, Src: src, Lesson: l}); err != nil {
		t.Fatal(err)
	}
	if len(rec.Steps) == 0 || len(rec.Steps) != len(rec.meminfo) {
		t.Fatalf("recorded %d steps and %d /proc readings", len(rec.Steps), len(rec.meminfo))
	}
	return rec
}

// meminfoKB parses /proc/meminfo into kB per field.
func meminfoKB(t *testing.T, text string) map[string]int64 {
	m := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		name, rest, _ := strings.Cut(line, ":")
		f := strings.Fields(rest)
		if len(f) == 0 {
			t.Fatalf("meminfo line %q", line)
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("meminfo line %q: %v", line, err)
		}
		m[name] = v
	}
	return m
}

// buddyinfoBlocks parses /proc/buddyinfo into free blocks per zone and order.
func buddyinfoBlocks(t *testing.T, text string) map[string][kernelsim.MaxOrder]uint64 {
	out := map[string][kernelsim.MaxOrder]uint64{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line) // Node 0, zone DMA n0 ... n10
		if len(f) != 4+kernelsim.MaxOrder {
			t.Fatalf("buddyinfo line %q", line)
		}
		var n [kernelsim.MaxOrder]uint64
		for o := range n {
			v, err := strconv.ParseUint(f[4+o], 10, 64)
			if err != nil {
				t.Fatalf("buddyinfo line %q: %v", line, err)
			}
			n[o] = v
		}
		out[f[3]] = n
	}
	return out
}

// TestMapCountsMatchProc checks, after every step of several lessons, that
// the memory map's pages per owner add up to /proc/meminfo's figures and
// its free blocks per zone and order to /proc/buddyinfo's, with the
// per-CPU lists on and off.
func TestMapCountsMatchProc(t *testing.T) {
	for _, name := range []string{"01_kmalloc", "04_alloc_pages", "06_vmalloc", "07_vfree", "10_kmem_cache", "12_fragmentation"} {
		for _, pcp := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/pcp=%v", name, pcp), func(t *testing.T) {
				opts := kruntime.Options{Lang: "en"}
				opts.Kernel.NoPCP = !pcp
				rec := runRecorded(t, filepath.Join("../../lessons", name+".star"), opts)
				for i, st := range rec.Steps {
					checkCounts(t, fmt.Sprintf("step %d (%s)", st.N, st.Run), st.After, st.After.Counts(),
						meminfoKB(t, rec.meminfo[i]), buddyinfoBlocks(t, rec.buddyinfo[i]))
				}
			})
		}
	}
}

func checkCounts(t *testing.T, where string, snap *picture.Snapshot, c picture.Counts, mi map[string]int64, bi map[string][kernelsim.MaxOrder]uint64) {
	t.Helper()
	p := func(o kernelsim.FrameOwner) int64 { return c.Pages[o] * 4 } // kB
	var ram int64
	for o := kernelsim.FrameOwner(0); o < kernelsim.NrFrameOwners; o++ {
		if o != kernelsim.FrameHole && o != kernelsim.FrameReserved {
			ram += p(o)
		}
	}
	for _, tc := range []struct {
		what      string
		map_, got int64
	}{
		{"MemTotal (frames not reserved)", ram, mi["MemTotal"]},
		{"MemFree (free)", p(kernelsim.FrameFree), mi["MemFree"]},
		{"Slab (slab + kmalloc-large)", p(kernelsim.FrameSlab) + p(kernelsim.FrameKmallocLarge), mi["Slab"]},
		{"VmallocUsed (vmalloc + module + boot areas)", p(kernelsim.FrameVmalloc) + p(kernelsim.FrameModule) + snap.BootVmalloc*4, mi["VmallocUsed"]},
		{"AnonPages (user)", p(kernelsim.FrameUser), mi["AnonPages"]},
		{"Buffers+Cached (page cache)", p(kernelsim.FramePageCache), mi["Buffers"] + mi["Cached"]},
	} {
		if tc.map_ != tc.got {
			t.Errorf("%s: %s: map %d kB, /proc/meminfo %d kB", where, tc.what, tc.map_, tc.got)
		}
	}
	if len(bi) != len(c.FreeBlocks) {
		t.Errorf("%s: map has free blocks in %d zones, buddyinfo lists %d", where, len(c.FreeBlocks), len(bi))
	}
	for zone, want := range bi {
		if got := c.FreeBlocks[zone]; got != want {
			t.Errorf("%s: zone %s: map's free blocks per order %v, /proc/buddyinfo %v", where, zone, got, want)
		}
	}
}
