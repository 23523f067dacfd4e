package picture_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/picture"
)

// wellFormed parses an SVG document as XML.
func wellFormed(t *testing.T, what, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", what, err)
		}
	}
}

// TestLessonPictures draws every step of lessons that exercise each kind
// of picture and checks that each lesson has the pictures its point needs,
// in both languages, as well-formed SVG.
func TestLessonPictures(t *testing.T) {
	for _, tc := range []struct {
		lesson string
		kinds  []string // pictures the run must have somewhere
		text   []string // SVG text the run must have somewhere (English)
	}{
		{"01_kmalloc", []string{"memmap", "buddy", "slab"}, []string{"allocated at 01_kmalloc.star:", "kmalloc-128"}},
		{"04_alloc_pages", []string{"memmap", "buddy"}, []string{"alloc_pages(): allocated in this step"}},
		{"06_vmalloc", []string{"memmap", "vmalloc"}, []string{"guard"}},
		{"08_copy_from_user", []string{"kasan"}, []string{"KASAN shadow memory"}},
		{"10_kmem_cache", []string{"slab"}, nil},
	} {
		t.Run(tc.lesson, func(t *testing.T) {
			rec := runRecorded(t, filepath.Join("../../lessons", tc.lesson+".star"), kruntime.Options{Lang: "en"})
			seen := map[string]bool{}
			var all strings.Builder
			for _, lang := range []string{"en", "th"} {
				for _, st := range rec.Steps {
					for _, p := range st.Pictures(lang) {
						wellFormed(t, p.Kind, p.SVG)
						seen[p.Kind] = true
						if lang == "en" {
							all.WriteString(p.SVG)
						}
					}
				}
			}
			for _, k := range tc.kinds {
				if !seen[k] {
					t.Errorf("no %s picture in any step", k)
				}
			}
			for _, s := range tc.text {
				if !strings.Contains(all.String(), s) {
					t.Errorf("no picture says %q", s)
				}
			}
			var html bytes.Buffer
			if err := picture.WriteHTML(&html, picture.Report{Lang: "th", Title: tc.lesson, Steps: rec.Steps}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(html.String(), "<script") || !strings.Contains(html.String(), `<html lang="th">`) {
				t.Errorf("report: want Thai and no scripts")
			}
		})
	}
}

// TestChanges finds the runs of frames a step allocated and freed.
func TestChanges(t *testing.T) {
	f := func(o kernelsim.FrameOwner, order uint8, head bool) kernelsim.PageFrame {
		return kernelsim.PageFrame{Owner: o, Order: order, Head: head}
	}
	free, pcp, slab := kernelsim.FrameFree, kernelsim.FramePCP, kernelsim.FrameSlab
	before := &picture.Snapshot{Frames: []kernelsim.PageFrame{
		f(free, 2, true), f(free, 2, false), f(free, 2, false), f(free, 2, false), f(slab, 0, true), f(slab, 0, true), f(free, 0, true), f(pcp, 0, true)}}
	after := &picture.Snapshot{Frames: []kernelsim.PageFrame{
		f(slab, 0, true), f(slab, 0, true), f(free, 1, true), f(free, 1, false), f(slab, 0, true), f(free, 0, true), f(pcp, 0, true), f(free, 0, true)}}
	got, more := picture.Changes(before, after, 10)
	want := []picture.Block{{PFN: 0, Pages: 1, Owner: slab, Was: free}, {PFN: 1, Pages: 1, Owner: slab, Was: free}, {PFN: 5, Pages: 1, Owner: free, Was: slab, Freed: true}}
	if more != 0 || len(got) != len(want) {
		t.Fatalf("Changes = %v (+%d), want %v", got, more, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, more := picture.Changes(before, after, 1); more != 2 {
		t.Errorf("Changes with max 1: %d more, want 2", more)
	}
}
