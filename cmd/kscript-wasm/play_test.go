package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPlayground runs lessons 01 and 08 as the page does and checks what the
// page shows: the transcript, the summary, a picture, a KASAN report.
func TestPlayground(t *testing.T) {
	var ls []LessonInfo
	if err := json.Unmarshal([]byte(toJSON(listLessons())), &ls); err != nil || len(ls) < 10 {
		t.Fatalf("lessons: %d (%v), want at least 10", len(ls), err)
	}
	for _, tc := range []struct{ id, kind, text string }{
		{"01_kmalloc", "slab", "Allocated buffer contains: Hello from the kernel!"},
		{"08_copy_from_user", "kasan", "BUG: KASAN: global-out-of-bounds"},
	} {
		l, err := getLesson(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		var r RunResult
		if err := json.Unmarshal([]byte(toJSON(runLesson(l.ID, l.Source, "th"))), &r); err != nil {
			t.Fatal(err)
		}
		if r.Error != "" || !strings.Contains(r.Transcript+strings.Join(logs(r), ""), tc.text) || !strings.Contains(r.Summary, "kscript") {
			t.Errorf("%s: error %q, transcript without %q or no summary", tc.id, r.Error, tc.text)
		}
		found := false
		for _, st := range r.Steps {
			for _, p := range st.Pictures {
				found = found || p.Kind == tc.kind && strings.HasPrefix(p.SVG, "<svg")
			}
		}
		if !found {
			t.Errorf("%s: no %s picture", tc.id, tc.kind)
		}
	}
}

func logs(r RunResult) []string {
	var out []string
	for _, st := range r.Steps {
		out = append(out, st.Log)
	}
	return out
}
