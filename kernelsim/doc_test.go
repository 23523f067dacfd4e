package kernelsim

import (
	"os"
	"strings"
	"testing"
)

// TestDocMapComplete keeps doc.go's map of files to their Linux
// counterparts complete: every source file is listed, and nothing else.
func TestDocMapComplete(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(string(doc), "\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "//\t")); strings.HasPrefix(l, "//\t") && len(f) > 1 && strings.HasSuffix(f[0], ".go") {
			listed[f[0]] = true
		}
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && n != "doc.go" {
			if !listed[n] {
				t.Errorf("doc.go does not list %s and its Linux counterpart", n)
			}
			delete(listed, n)
		}
	}
	for n := range listed {
		t.Errorf("doc.go lists %s, which does not exist", n)
	}
}
