package i18n

import "testing"

// The maps singularOf and isCountWord replaced, as they were.
var (
	pluralNounsTable = map[string]string{
		"calls": "call", "submissions": "submission", "problems": "problem",
		"files": "file", "points": "point", "errors": "error", "timeouts": "timeout",
		"checks": "check", "lessons": "lesson", "bytes": "byte", "pages": "page",
		"objects": "object", "reports": "report", "leaks": "leak", "steps": "step",
		"times": "time", "warnings": "warning", "lines": "line", "blocks": "block", "modules": "module",
		"programs": "program", "seconds": "second", "slabs": "slab", "frames": "frame",
		"runs": "run", "levels": "level", "values": "value", "ones": "one", "writes": "write",
	}
	countWordsTable = map[string]bool{
		"more": true, "leak": true, "free": true, "new": true, "partial": true, "bad": true,
		"broken": true, "expected": true, "nested": true, "contiguous": true, "boot": true,
		"oldest": true, "visible": true, "open": true, "lesson": true, "page": true,
		"function": true, "top-order": true, "fault-injection": true, "KASAN": true,
		"Starlark": true, "CPU": true, "testdata": true,
	}
)

// TestSingularOfAsTables: singularOf and isCountWord answer as the maps
// they replaced did, for every word of the maps and for others.
func TestSingularOfAsTables(t *testing.T) {
	words := []string{"", "s", "call", "Calls", "callss", "more", "More", "x", "pages", "page", "KASAN", "kasan"}
	for k := range pluralNounsTable {
		words = append(words, k, k+"s", k[:len(k)-1])
	}
	for k := range countWordsTable {
		words = append(words, k, k+"s")
	}
	for _, w := range words {
		one, ok := singularOf(w)
		want, wantOK := pluralNounsTable[w]
		if one != want || ok != wantOK {
			t.Errorf("singularOf(%q) = %q, %v; the map had %q, %v", w, one, ok, want, wantOK)
		}
		if isCountWord(w) != countWordsTable[w] {
			t.Errorf("isCountWord(%q) = %v", w, isCountWord(w))
		}
	}
}
