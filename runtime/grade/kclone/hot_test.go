package kclone

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
)

// TestHotPages: Save runs Cache.Warm on a copy and writes the pages of the
// mapped arenas it wrote as the image's hot pages; they read back from the
// file, a copy has them as the file's bytes before anything ran, and a
// run on a copy with them is a fresh boot's. Hot pages outside the mapped
// arenas are refused.
func TestHotPages(t *testing.T) {
	l, err := lesson.Load("../../../lessons/01_kmalloc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := run{name: l.ID, script: l.Script, lesson: l}
	cfg := kernelsim.Config{}
	fresh := session(t, kruntime.Options{Kernel: cfg}, r)
	dir := t.TempDir()
	warmed := 0
	warm := func(k *kernelsim.Kernel) {
		warmed++
		session(t, kruntime.Options{Kernel: k.Config(), NewKernel: func(kernelsim.Config) (*kernelsim.Kernel, error) { return k, nil }}, r)
	}
	for range 2 { // a mark, then the image
		c := OpenCache(dir)
		c.Warm = warm
		if _, err := c.NewKernel(cfg); err != nil {
			t.Fatal(err)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
	}
	if warmed != 1 {
		t.Fatalf("Warm ran %d times, want once (for the image written)", warmed)
	}
	im := OpenCache(dir).Image(cfg)
	if im == nil {
		t.Fatal("no image")
	}
	if len(im.hot) == 0 || len(im.hot) > maxHot {
		t.Fatalf("%d hot pages", len(im.hot))
	}
	if !slices.IsSortedFunc(im.hot, func(a, b hotPage) int {
		if a.arena != b.arena {
			return int(a.arena) - int(b.arena)
		}
		return int(a.page) - int(b.page)
	}) {
		t.Errorf("hot pages out of order: %v", im.hot)
	}
	_, _, maps, err := im.restore(nil, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range im.hot {
		a := &im.arenas[h.arena]
		if maps[h.arena] == nil {
			t.Fatalf("hot page %v: its arena is not mapped", h)
		}
		off := int(h.page) * hotPageSize
		end := min(off+hotPageSize, len(a.raw))
		if !bytes.Equal(maps[h.arena][off:end], a.raw[off:end]) {
			t.Fatalf("hot page %v of a new copy differs from the file", h)
		}
	}
	c := OpenCache(dir)
	if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: c.NewKernel}, r); got != fresh {
		t.Fatalf("a copy with hot pages differs from a fresh boot:\n%s", firstDiff(got, fresh))
	}

	// Forged lists: a page of an arena that is not mapped, one past its
	// arena's end, one of an arena that does not exist.
	snap, err := Take(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := snap.Image()
	if err != nil {
		t.Fatal(err)
	}
	heap, mapped := -1, -1
	for i := range base.arenas {
		if base.arenas[i].mapped() {
			mapped = i
		} else {
			heap = i
		}
	}
	last := uint32((base.arenas[mapped].size() + hotPageSize - 1) / hotPageSize)
	for _, bad := range [][]hotPage{{{uint32(heap), 0}}, {{uint32(mapped), last}}, {{uint32(len(base.arenas)), 0}}} {
		base.hot = bad
		data, err := base.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseImage(data); err == nil || !strings.Contains(err.Error(), "hot page") && !strings.Contains(err.Error(), "a number of") {
			t.Errorf("hot pages %v: parsed (%v)", bad, err)
		}
	}
	base.hot = []hotPage{{uint32(mapped), last - 1}}
	data, err := base.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ParseImage(data); err != nil || !slices.Equal(back.hot, base.hot) {
		t.Errorf("a valid hot page reads back %v, %v", back, err)
	}
}
